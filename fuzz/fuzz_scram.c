/* libFuzzer target for the SCRAM-SHA-256 server side (proxy/pg_auth.c).
 *
 * Input: one flag byte, a 2-byte little-endian length L, then L bytes of
 * client-first-message and the rest as client-final-message. The server
 * nonce is fixed (the RFC 7677 one, with the RFC 7677 secret) so the fuzzer
 * can reach the proof check and the success path; the RFC exchange makes a
 * good seed. The whole input is also fed to the verifier parser. */
#include "proxy/pg_auth.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

static struct dw_scram_secret secret;
static struct dw_scram_secret mock_secret;
static bool ready;

static void setup(void)
{
	static const uint8_t salt[DW_SCRAM_SALT_LEN] = {
		0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e,
		0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36, 0xfa, 0x81,
	}; /* base64 W22ZaJ0SNY7soEsUEjb6gQ== */
	if (dw_scram_secret_from_password_salt("pencil", salt, DW_SCRAM_ITERATIONS, &secret) != 0)
		abort();
	dw_scram_secret_mock("fuzz", &mock_secret);
	ready = true;
}

/* Checks what the API promises about its output; a broken promise crashes so
 * the fuzzer reports it. */
static void check_out(const char *out, size_t cap, size_t out_len)
{
	if (out_len >= cap || out[out_len] != '\0' || strlen(out) != out_len)
		__builtin_trap();
}

static void run_exchange(uint8_t flags, const char *first, size_t first_len,
	const char *final, size_t final_len)
{
	struct dw_scram_server st;
	char out[256];
	size_t out_len = 0;
	bool mock = flags & 1;
	size_t cap_first = (flags & 4) ? 48 : sizeof(out);
	size_t cap_final = (flags & 8) ? 40 : sizeof(out);

	dw_scram_server_init(&st, mock ? &mock_secret : &secret, mock);
	if (dw_scram_server_first_with_nonce(&st, first, first_len, FIXED_SERVER_NONCE,
		    strlen(FIXED_SERVER_NONCE), out, cap_first, &out_len) != 0) {
		if (st.state != DW_SCRAM_FAILED)
			__builtin_trap();
		return;
	}
	check_out(out, cap_first, out_len);
	if (st.state != DW_SCRAM_SENT_FIRST || out_len != st.server_first_len)
		__builtin_trap();

	int rc = dw_scram_server_final(&st, final, final_len, out, cap_final, &out_len);
	if (rc == 0) {
		check_out(out, cap_final, out_len);
		if (mock || out_len != 46 || out[0] != 'v' || out[1] != '=' || st.state != DW_SCRAM_DONE)
			__builtin_trap();
	} else if ((rc != 1 && rc != -1) || st.state != DW_SCRAM_FAILED) {
		__builtin_trap();
	}
	/* A finished exchange accepts nothing more. */
	if (dw_scram_server_final(&st, final, final_len, out, cap_final, &out_len) != -1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();

	/* The verifier parser takes a C string. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct dw_scram_secret parsed;
	if (dw_scram_secret_parse(text, &parsed) == 0 && parsed.iterations < 1)
		__builtin_trap();
	free(text);

	if (size < 3)
		return 0;
	uint8_t flags = data[0];
	size_t first_len = (size_t)data[1] | (size_t)data[2] << 8;
	size_t rest = size - 3;
	if (first_len > rest)
		first_len = rest;

	/* Exact-size copies so ASan catches any read past the given length. */
	char *first = malloc(first_len ? first_len : 1);
	char *final = malloc(rest - first_len ? rest - first_len : 1);
	if (first && final) {
		memcpy(first, data + 3, first_len);
		memcpy(final, data + 3 + first_len, rest - first_len);
		run_exchange(flags, first, first_len, final, rest - first_len);
	}
	free(first);
	free(final);
	return 0;
}
