/* libFuzzer target for MySQL client authentication (proxy/my_auth.c).
 *
 * Input: one flag byte (bit 0: secure transport, bit 1: unknown user,
 * bit 2: the scramble follows, else the first test vector's), one password
 * length byte (at most 64) and that many password bytes (NUL bytes become
 * 'x'), the 20-byte scramble when flagged, and the rest as the client's
 * response, fed to every check. The RSA key is the test-only key of
 * tests/unit/captures/my_auth_vectors.h, so the seeds built from those
 * vectors reach the success paths. The hash checks are compared with an
 * independent computation here. */
#include "proxy/my_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tests/unit/captures/my_auth_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PASSWORD 64

static struct my_rsa *key;

static void setup(void)
{
	char path[] = "/tmp/dbward-fuzz-key.XXXXXX", err[256];
	int fd = mkstemp(path);
	size_t n = strlen(vec_rsa_private_pem);
	if (fd < 0 || write(fd, vec_rsa_private_pem, n) != (ssize_t)n || fchmod(fd, 0600) != 0)
		abort();
	close(fd);
	key = my_rsa_load(path, err, sizeof(err));
	unlink(path);
	if (!key) {
		fprintf(stderr, "fuzz_my_auth: %s\n", err);
		abort();
	}
}

static void sha(const EVP_MD *md, const void *a, size_t alen, const void *b, size_t blen, uint8_t *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, md, NULL) != 1 || EVP_DigestUpdate(c, a, alen) != 1 ||
	    EVP_DigestUpdate(c, b, blen) != 1 || EVP_DigestFinal_ex(c, out, NULL) != 1)
		abort();
	EVP_MD_CTX_free(c);
}

/* What each response should be, computed the plain way. */
static void expected(const char *pw, const uint8_t scr[MY_SCRAMBLE_LEN],
	uint8_t native[20], uint8_t sha2[32])
{
	uint8_t s1[32], s2[32], m[32];
	size_t n = strlen(pw);

	sha(EVP_sha1(), pw, n, "", 0, s1);
	sha(EVP_sha1(), s1, 20, "", 0, s2);
	sha(EVP_sha1(), scr, MY_SCRAMBLE_LEN, s2, 20, m);
	for (int i = 0; i < 20; i++)
		native[i] = s1[i] ^ m[i];
	sha(EVP_sha256(), pw, n, "", 0, s1);
	sha(EVP_sha256(), s1, 32, "", 0, s2);
	sha(EVP_sha256(), s2, 32, scr, MY_SCRAMBLE_LEN, m);
	for (int i = 0; i < 32; i++)
		sha2[i] = s1[i] ^ m[i];
}

static bool is_empty(const uint8_t *r, size_t n)
{
	return n == 0 || (n == 1 && r[0] == 0);
}

static bool is_cleartext(const char *pw, const uint8_t *r, size_t n)
{
	size_t pl = strlen(pw);
	if (n > 0 && r[n - 1] == 0)
		n--;
	return n == pl && (n == 0 || memcmp(pw, r, n) == 0);
}

static void run(uint8_t flags, const char *pw, const uint8_t scr[MY_SCRAMBLE_LEN],
	const uint8_t *r, size_t n)
{
	bool secure = flags & 1, mock = flags & 2;
	uint8_t native[20], sha2[32];
	expected(pw, scr, native, sha2);
	bool want_native = pw[0] ? (n == 20 && memcmp(r, native, 20) == 0) : is_empty(r, n);
	bool want_sha2 = pw[0] && n == 32 && memcmp(r, sha2, 32) == 0;
	bool want_clear = is_cleartext(pw, r, n);

	if (my_native_check(pw, scr, r, n) != want_native)
		__builtin_trap();
	if (my_native_mock(scr, r, n))
		__builtin_trap();
	if (my_sha2_scramble_check(pw, scr, r, n) != want_sha2)
		__builtin_trap();
	if (my_cleartext_check(pw, r, n) != want_clear)
		__builtin_trap();

	enum my_sha2_next first = mock ? my_sha2_first_mock(scr, secure, r, n)
	                               : my_sha2_first(pw, scr, secure, r, n);
	enum my_sha2_next want_first;
	if (is_empty(r, n))
		want_first = !mock && !pw[0] ? MY_SHA2_OK : MY_SHA2_DENY;
	else if (!mock && want_sha2)
		want_first = MY_SHA2_FAST_OK;
	else if (!mock && secure && want_clear)
		want_first = MY_SHA2_OK;
	else if (secure && n != MY_SHA2_RESPONSE_LEN)
		want_first = MY_SHA2_DENY;
	else
		want_first = MY_SHA2_FULL;
	if (first != want_first)
		__builtin_trap();

	int full = my_sha2_full_check(key, pw, scr, r, n);
	if (full < -1 || full > 1 || (full == -1) != (n != my_rsa_size(key)))
		__builtin_trap();
	enum my_sha2_next step = mock ? my_sha2_full_step_mock(key, scr, secure, r, n)
	                              : my_sha2_full_step(key, pw, scr, secure, r, n);
	if (mock && step != MY_SHA2_DENY && step != MY_SHA2_SEND_KEY)
		__builtin_trap();
	if (secure && step != ((!mock && want_clear) ? MY_SHA2_OK : MY_SHA2_DENY))
		__builtin_trap();
	if (!secure && n == 1 && r[0] == MY_SHA2_REQUEST_PUBLIC_KEY && step != MY_SHA2_SEND_KEY)
		__builtin_trap();
	if (!secure && !(n == 1 && r[0] == MY_SHA2_REQUEST_PUBLIC_KEY) &&
	    step != ((!mock && full == 1) ? MY_SHA2_OK : MY_SHA2_DENY))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!key)
		setup();
	if (size < 2)
		return 0;
	uint8_t flags = data[0];
	size_t plen = data[1] > MAX_PASSWORD ? MAX_PASSWORD : data[1];
	size_t off = 2;
	if (size - off < plen)
		return 0;
	char pw[MAX_PASSWORD + 1];
	for (size_t i = 0; i < plen; i++)
		pw[i] = data[off + i] ? (char)data[off + i] : 'x';
	pw[plen] = '\0';
	off += plen;

	uint8_t scr[MY_SCRAMBLE_LEN];
	if (flags & 4) {
		if (size - off < MY_SCRAMBLE_LEN)
			return 0;
		memcpy(scr, data + off, MY_SCRAMBLE_LEN);
		off += MY_SCRAMBLE_LEN;
	} else {
		memcpy(scr, my_auth_vectors[0].scramble, MY_SCRAMBLE_LEN);
	}

	/* Exact-size copy so ASan catches any read past the given length. */
	size_t n = size - off;
	uint8_t *resp = malloc(n ? n : 1);
	if (!resp)
		return 0;
	memcpy(resp, data + off, n);
	run(flags, pw, scr, n ? resp : NULL, n);
	free(resp);
	return 0;
}
