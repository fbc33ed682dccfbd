/* Unit tests for proxy/pg_auth.c: SCRAM-SHA-256 against the RFC 7677 vector
 * and a verifier produced by PostgreSQL 15, full exchanges with a client side
 * computed here, malformed input, mock mode, md5 and cleartext. */
#include "proxy/pg_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/unit/tap.h"

/* An independent client side: RFC 5802 as libpq computes it. */
static void b64(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static void hmac(const uint8_t *key, size_t klen, const char *data, size_t n, uint8_t out[32])
{
	unsigned int len = 0;
	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)data, n, out, &len);
}

/* Builds the client-final-message for PASSWORD given the client-first-bare,
 * the server-first and the gs2 header base64 ("biws"). */
static void client_final(const char *password, const char *first_bare, const char *server_first,
	const char *cbind_b64, char *out, size_t cap)
{
	char nonce[256], salt_b64[64], without_proof[512], auth[2048], proof_b64[64];
	uint8_t salt[64], salted[32], client_key[32], stored[32], sig[32], proof[32];
	int iter = 0;

	/* server-first: r=<nonce>,s=<salt>,i=<iter> */
	const char *s = strstr(server_first, ",s=");
	const char *i = strstr(server_first, ",i=");
	snprintf(nonce, sizeof(nonce), "%.*s", (int)(s - server_first - 2), server_first + 2);
	snprintf(salt_b64, sizeof(salt_b64), "%.*s", (int)(i - s - 3), s + 3);
	iter = atoi(i + 3);
	int salt_len = EVP_DecodeBlock(salt, (const unsigned char *)salt_b64, (int)strlen(salt_b64));
	salt_len -= (salt_b64[strlen(salt_b64) - 1] == '=') + (salt_b64[strlen(salt_b64) - 2] == '=');

	PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, salt_len, iter, EVP_sha256(), 32, salted);
	hmac(salted, 32, "Client Key", 10, client_key);
	unsigned int l = 0;
	EVP_Digest(client_key, 32, stored, &l, EVP_sha256(), NULL);
	snprintf(without_proof, sizeof(without_proof), "c=%s,r=%s", cbind_b64, nonce);
	snprintf(auth, sizeof(auth), "%s,%s,%s", first_bare, server_first, without_proof);
	hmac(stored, 32, auth, strlen(auth), sig);
	for (int k = 0; k < 32; k++)
		proof[k] = client_key[k] ^ sig[k];
	b64(proof, 32, proof_b64);
	snprintf(out, cap, "%s,p=%s", without_proof, proof_b64);
}

/* Runs server_first + server_final; returns the final result or -2 when the
 * first step already failed. */
static int exchange(const struct dw_scram_secret *sec, bool mock, const char *password,
	const char *client_first, char flag, char *server_final, size_t cap)
{
	struct dw_scram_server st;
	char sfirst[256], cfinal[1024];
	size_t n = 0;

	dw_scram_server_init(&st, sec, mock);
	if (dw_scram_server_first(&st, client_first, strlen(client_first), sfirst, sizeof(sfirst), &n) != 0)
		return -2;
	client_final(password, client_first + 3, sfirst, flag == 'y' ? "eSws" : "biws",
		cfinal, sizeof(cfinal));
	return dw_scram_server_final(&st, cfinal, strlen(cfinal), server_final, cap, &n);
}

#define RFC_CLIENT_FIRST "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
#define RFC_SERVER_NONCE "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
#define RFC_NONCE "rOprNGfwEbeRWgbNEkqO" RFC_SERVER_NONCE
#define RFC_SERVER_FIRST "r=" RFC_NONCE ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define RFC_PROOF "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
#define RFC_CLIENT_FINAL "c=biws,r=" RFC_NONCE ",p=" RFC_PROOF
#define RFC_SERVER_FINAL "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

static struct dw_scram_secret rfc_secret;

static void rfc_secret_init(void)
{
	uint8_t salt[18];
	int n = EVP_DecodeBlock(salt, (const unsigned char *)"W22ZaJ0SNY7soEsUEjb6gQ==", 24);
	check(n == 18, "RFC 7677 salt decodes (16 bytes + padding)");
	check(dw_scram_secret_from_password_salt("pencil", salt, 4096, &rfc_secret) == 0,
		"secret from password with fixed salt");
}

/* Starts an RFC 7677 exchange with the fixed server nonce. */
static int rfc_first(struct dw_scram_server *st, const char *client_first, bool mock)
{
	char out[256];
	size_t n = 0;
	dw_scram_server_init(st, &rfc_secret, mock);
	return dw_scram_server_first_with_nonce(st, client_first, strlen(client_first),
		RFC_SERVER_NONCE, strlen(RFC_SERVER_NONCE), out, sizeof(out), &n);
}

static int rfc_final(const char *client_final_msg)
{
	struct dw_scram_server st;
	char out[128];
	size_t n = 0;
	if (rfc_first(&st, RFC_CLIENT_FIRST, false) != 0)
		return -2;
	return dw_scram_server_final(&st, client_final_msg, strlen(client_final_msg), out, sizeof(out), &n);
}

static void test_rfc7677(void)
{
	struct dw_scram_server st;
	char out[256];
	size_t n = 0;

	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_first_with_nonce(&st, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST),
		      RFC_SERVER_NONCE, strlen(RFC_SERVER_NONCE), out, sizeof(out), &n) == 0,
		"RFC 7677 client-first accepted");
	check(n == strlen(RFC_SERVER_FIRST) && strcmp(out, RFC_SERVER_FIRST) == 0,
		"RFC 7677 server-first matches");
	check(dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, sizeof(out), &n) == 0,
		"RFC 7677 client proof verifies");
	check(n == strlen(RFC_SERVER_FINAL) && strcmp(out, RFC_SERVER_FINAL) == 0,
		"RFC 7677 server signature matches");
	check(st.state == DW_SCRAM_DONE, "state is DONE after success");

	/* The test-side client computes the same proof the RFC lists. */
	char cfinal[512];
	client_final("pencil", &RFC_CLIENT_FIRST[3], RFC_SERVER_FIRST, "biws", cfinal, sizeof(cfinal));
	check(strcmp(cfinal, RFC_CLIENT_FINAL) == 0, "test client reproduces the RFC 7677 proof");

	/* Not NUL-terminated: the length bounds the message. */
	char buf[sizeof(RFC_CLIENT_FIRST) + 8];
	memcpy(buf, RFC_CLIENT_FIRST "XXXXXXXX", sizeof(buf));
	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_first_with_nonce(&st, buf, strlen(RFC_CLIENT_FIRST),
		      RFC_SERVER_NONCE, strlen(RFC_SERVER_NONCE), out, sizeof(out), &n) == 0 &&
		      strcmp(out, RFC_SERVER_FIRST) == 0,
		"message length is honoured without a NUL");
}

static void test_exchange(void)
{
	struct dw_scram_secret sec;
	char out[128];

	check(dw_scram_secret_from_password("s3cr3t pass", &sec) == 0, "secret from password (random salt)");
	check(sec.iterations == DW_SCRAM_ITERATIONS, "default iterations");
	check(exchange(&sec, false, "s3cr3t pass", "n,,n=,r=abcdefghijklmnopqrstuvwx", 'n', out, sizeof(out)) == 0,
		"PostgreSQL-style exchange (empty n=) succeeds");
	check(strncmp(out, "v=", 2) == 0 && strlen(out) == 46, "server-final is v= + 44 chars");
	check(exchange(&sec, false, "s3cr3t pass", "y,,n=,r=abc", 'y', out, sizeof(out)) == 0,
		"gs2 flag 'y' with c=eSws succeeds");
	check(exchange(&sec, false, "s3cr3t pass", "n,,n=bob,r=abc,x=ext", 'n', out, sizeof(out)) == 0,
		"user name ignored, optional extension tolerated");
	check(exchange(&sec, false, "wrong", "n,,n=,r=abc", 'n', out, sizeof(out)) == 1,
		"wrong password returns 1");
	check(exchange(&sec, false, "", "n,,n=,r=abc", 'n', out, sizeof(out)) == 1,
		"empty password returns 1");

	/* Non-ASCII password used as raw bytes on both sides. */
	struct dw_scram_secret u;
	check(dw_scram_secret_from_password("p\xc3\xa4ssw\xc3\xb6rd", &u) == 0 &&
		      exchange(&u, false, "p\xc3\xa4ssw\xc3\xb6rd", "n,,n=,r=abc", 'n', out, sizeof(out)) == 0,
		"non-ASCII password (NFKC UTF-8) succeeds");

	/* The server nonce: 18 random bytes in base64, printable, no ','. */
	struct dw_scram_server st;
	char sfirst[256], sfirst2[256];
	size_t n = 0;
	dw_scram_server_init(&st, &sec, false);
	check(dw_scram_server_first(&st, "n,,n=,r=abc", 11, sfirst, sizeof(sfirst), &n) == 0, "server-first");
	const char *comma = strchr(sfirst, ',');
	bool printable = comma && comma - sfirst == 2 + 3 + 24;
	for (const char *p = sfirst + 5; printable && p < comma; p++)
		printable = *p > 0x20 && *p < 0x7f;
	check(printable && strncmp(sfirst, "r=abc", 5) == 0, "server nonce is 24 printable chars after the client's");
	check(strcmp(comma + strlen(",s=") + 24, ",i=4096") == 0, "server-first carries salt and iterations");
	dw_scram_server_init(&st, &sec, false);
	check(dw_scram_server_first(&st, "n,,n=,r=abc", 11, sfirst2, sizeof(sfirst2), &n) == 0 &&
		      strncmp(sfirst, sfirst2, 29) != 0,
		"server nonce differs between exchanges");
}

static int first_rc(const char *msg)
{
	struct dw_scram_server st;
	return rfc_first(&st, msg, false);
}

static void test_malformed_first(void)
{
	check(first_rc("p=tls-server-end-point,,n=,r=abc") == -1, "channel binding requested: -1");
	check(first_rc("n,a=admin,n=,r=abc") == -1, "authzid: -1");
	check(first_rc("n,,m=ext,n=,r=abc") == -1, "mandatory extension: -1");
	check(first_rc("x,,n=,r=abc") == -1, "unknown gs2 flag: -1");
	check(first_rc("n,,n=,r=") == -1, "empty nonce: -1");
	check(first_rc("n,,n=,r=ab c") == -1, "nonce with a space: -1");
	check(first_rc("n,,n=,r=ab\x7f") == -1, "nonce with DEL: -1");
	check(first_rc("n,,r=abc") == -1, "missing n=: -1");
	check(first_rc("n,,x=u,r=abc") == -1, "other attribute instead of n=: -1");
	check(first_rc("n,,n=") == -1, "missing r=: -1");
	check(first_rc("n,,n=,r=abc,") == -1, "dangling comma: -1");
	check(first_rc("n,,n=,r=abc,1=x") == -1, "extension with non-letter name: -1");
	check(first_rc("n,") == -1, "truncated header: -1");
	check(first_rc("") == -1, "empty message: -1");

	struct dw_scram_server st;
	char out[256];
	size_t n = 0;
	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_first_with_nonce(&st, "n,,n=,r=a\0b", 11, "x", 1, out, sizeof(out), &n) == -1,
		"NUL inside the message: -1");
	check(st.state == DW_SCRAM_FAILED, "state is FAILED after a malformed message");

	char big[700];
	memcpy(big, "n,,n=,r=", 8);
	memset(big + 8, 'a', sizeof(big) - 9);
	big[sizeof(big) - 1] = '\0';
	check(first_rc(big) == -1, "client-first longer than the buffer: -1");
	/* A nonce that fits client_first_bare but not nonce[] with the server's. */
	big[8 + 140] = '\0';
	check(first_rc(big) == -1, "client nonce too long for the nonce buffer: -1");
	big[8 + 120] = '\0';
	check(first_rc(big) == 0, "long client nonce that fits: ok");
	/* User name long enough to overflow client_first_bare. */
	memcpy(big, "n,,n=", 5);
	memset(big + 5, 'u', 520);
	memcpy(big + 525, ",r=abc", 7);
	check(first_rc(big) == -1, "overlong user name: -1");

	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_first_with_nonce(&st, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST),
		      RFC_SERVER_NONCE, strlen(RFC_SERVER_NONCE), out, 40, &n) == -1,
		"output buffer too small: -1");
	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_first_with_nonce(&st, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST),
		      "a,b", 3, out, sizeof(out), &n) == -1,
		"server nonce with ',' refused");
	check(rfc_first(&st, RFC_CLIENT_FIRST, false) == 0 &&
		      dw_scram_server_first_with_nonce(&st, RFC_CLIENT_FIRST, strlen(RFC_CLIENT_FIRST),
			      "x", 1, out, sizeof(out), &n) == -1,
		"client-first twice: -1");
}

static void test_malformed_final(void)
{
	const char *nonce_tampered = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k1,p=" RFC_PROOF;
	check(rfc_final(nonce_tampered) == -1, "tampered nonce: -1");
	check(rfc_final("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=" RFC_PROOF) == -1, "client nonce only: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE "x,p=" RFC_PROOF) == -1, "nonce with extra char: -1");
	check(rfc_final("c=eSws,r=" RFC_NONCE ",p=" RFC_PROOF) == -1, "c= does not match gs2 header: -1");
	check(rfc_final("c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=" RFC_NONCE ",p=" RFC_PROOF) == -1,
		"c= with channel binding data: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndV!=") == -1,
		"proof with bad base64 char: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ") == -1,
		"proof without padding: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVR=") == -1,
		"proof with non-canonical trailing bits: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndQ==") == -1,
		"proof of 31 bytes: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQA") == -1,
		"proof of 33 bytes: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=") == -1, "empty proof: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE) == -1, "missing proof: -1");
	check(rfc_final("c=biws,r=" RFC_NONCE ",p=" RFC_PROOF ",x=1") == -1, "attribute after proof: -1");
	check(rfc_final("r=" RFC_NONCE ",c=biws,p=" RFC_PROOF) == -1, "attributes out of order: -1");
	check(rfc_final("c=bi,r=" RFC_NONCE ",p=" RFC_PROOF) == -1, "c= not base64: -1");
	check(rfc_final("") == -1, "empty final: -1");

	/* An optional extension before the proof is part of AuthMessage: the
	 * RFC proof no longer matches, but the message is well formed. */
	check(rfc_final("c=biws,r=" RFC_NONCE ",x=1,p=" RFC_PROOF) == 1, "extension before proof: well formed, proof fails");

	char big[1200];
	memset(big, 'a', sizeof(big));
	memcpy(big, "c=biws,r=" RFC_NONCE ",x=", strlen("c=biws,r=" RFC_NONCE ",x="));
	memcpy(big + sizeof(big) - 1 - 47, ",p=" RFC_PROOF, 48);
	check(rfc_final(big) == -1, "overlong client-final: -1");

	struct dw_scram_server st;
	char out[128];
	size_t n = 0;
	check(rfc_first(&st, RFC_CLIENT_FIRST, false) == 0 &&
		      dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, 20, &n) == -1,
		"server-final output buffer too small: -1");
	dw_scram_server_init(&st, &rfc_secret, false);
	check(dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, sizeof(out), &n) == -1,
		"client-final before client-first: -1");
	check(rfc_first(&st, RFC_CLIENT_FIRST, false) == 0 &&
		      dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, sizeof(out), &n) == 0 &&
		      dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, sizeof(out), &n) == -1,
		"client-final replayed on the same exchange: -1");
	check(rfc_first(&st, RFC_CLIENT_FIRST, false) == 0 &&
		      dw_scram_server_final(&st, RFC_CLIENT_FINAL "\0", strlen(RFC_CLIENT_FINAL) + 1, out, sizeof(out), &n) == -1,
		"client-final with NUL: -1");
}

static void test_mock(void)
{
	struct dw_scram_server st;
	char out[128];
	size_t n = 0;

	/* Even the correct proof fails in mock mode. */
	check(rfc_first(&st, RFC_CLIENT_FIRST, true) == 0 &&
		      dw_scram_server_final(&st, RFC_CLIENT_FINAL, strlen(RFC_CLIENT_FINAL), out, sizeof(out), &n) == 1,
		"mock mode fails the correct proof");
	check(st.state == DW_SCRAM_FAILED, "mock exchange ends FAILED");
	check(rfc_first(&st, RFC_CLIENT_FIRST, true) == 0 &&
		      dw_scram_server_final(&st, "c=biws", 6, out, sizeof(out), &n) == -1,
		"mock mode still reports malformed as -1");

	struct dw_scram_secret a, a2, b;
	dw_scram_secret_mock("alice", &a);
	dw_scram_secret_mock("alice", &a2);
	dw_scram_secret_mock("bob", &b);
	check(memcmp(&a, &a2, sizeof(a)) == 0, "mock secret deterministic per name");
	check(memcmp(a.salt, b.salt, sizeof(a.salt)) != 0 && memcmp(a.stored_key, b.stored_key, 32) != 0,
		"mock secrets differ between names");
	check(a.iterations == DW_SCRAM_ITERATIONS, "mock uses the default iteration count");
	check(exchange(&a, true, "anything", "n,,n=,r=abc", 'n', out, sizeof(out)) == 1,
		"exchange against a mock secret returns 1");
}

/* A verifier written by PostgreSQL 15 (ALTER USER postgres PASSWORD 'pencil';
 * SELECT rolpassword FROM pg_authid). */
#define PG15_VERIFIER "SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjww==$" \
	"CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc="

static void test_verifier(void)
{
	struct dw_scram_secret pg, mine;
	char out[128];

	check(dw_scram_secret_parse(PG15_VERIFIER, &pg) == 0, "PostgreSQL 15 verifier parses");
	check(pg.iterations == 4096, "verifier iterations");
	check(dw_scram_secret_from_password_salt("pencil", pg.salt, pg.iterations, &mine) == 0 &&
		      memcmp(mine.stored_key, pg.stored_key, 32) == 0 &&
		      memcmp(mine.server_key, pg.server_key, 32) == 0,
		"keys derived from 'pencil' equal PostgreSQL's");
	check(exchange(&pg, false, "pencil", "n,,n=,r=fyko+d2lbbFgONRv9qkxdawL", 'n', out, sizeof(out)) == 0,
		"'pencil' verifies against the parsed verifier");
	check(exchange(&pg, false, "pencil2", "n,,n=,r=fyko+d2lbbFgONRv9qkxdawL", 'n', out, sizeof(out)) == 1,
		"other password fails against the parsed verifier");

	static const char *bad[] = {
		"",
		"md5bb41a296aab6baccb36ff243a562abff",
		"SCRAM-SHA-1$4096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$0:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$04096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$-1:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$99999999999:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjwx==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkj$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc= ",
		"SCRAM-SHA-256$4096:xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=:x",
		"SCRAM-SHA-256$4096xJhzPjYuDh464pg9EVkjww==$CQV+6WbaMWOblYbiQUOUVudkuMZ7AR/9YhXG2O9UUiE=:OKAEXSDi2wiKjnBsv9DDo6trwIwPWBBVCYXvL3CLyFc=",
	};
	bool all_refused = true;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dw_scram_secret_parse(bad[i], &mine) != -1) {
			all_refused = false;
			printf("# accepted bad verifier %zu\n", i);
		}
	}
	check(all_refused, "malformed verifiers refused");
}

static void test_md5(void)
{
	/* printf 'secretpostgres' | md5sum -> 53f48b7c4b76a86ce72276c5755f217d;
	 * printf '53f48b7c4b76a86ce72276c5755f217d\x01\x02\x03\x04' | md5sum
	 * -> bb41a296aab6baccb36ff243a562abff */
	static const uint8_t salt[4] = {1, 2, 3, 4};
	static const char good[] = "md5bb41a296aab6baccb36ff243a562abff";

	check(dw_md5_check("postgres", "secret", salt, good, 35), "md5 known value");
	check(dw_md5_check("postgres", "secret", salt, good, 36), "md5 with trailing NUL");
	check(!dw_md5_check("postgres", "Secret", salt, good, 35), "md5 wrong password");
	check(!dw_md5_check("postgre", "secret", salt, good, 35), "md5 wrong user");
	static const uint8_t salt2[4] = {1, 2, 3, 5};
	check(!dw_md5_check("postgres", "secret", salt2, good, 35), "md5 other salt");
	check(!dw_md5_check("postgres", "secret", salt, good, 34), "md5 truncated");
	check(!dw_md5_check("postgres", "secret", salt, "md5bb41a296aab6baccb36ff243a562abffX", 36), "md5 extra byte");
	check(!dw_md5_check("postgres", "secret", salt, "md5BB41A296AAB6BACCB36FF243A562ABFF", 35), "md5 upper case hex");
	check(!dw_md5_check("postgres", "secret", salt, "", 0), "md5 empty response");
}

static void test_cleartext(void)
{
	check(dw_cleartext_check("secret", "secret", 6), "cleartext match");
	check(dw_cleartext_check("secret", "secret", 7), "cleartext with trailing NUL");
	check(!dw_cleartext_check("secret", "secreT", 6), "cleartext mismatch");
	check(!dw_cleartext_check("secret", "secre", 5), "cleartext prefix");
	check(!dw_cleartext_check("secret", "secrets", 7), "cleartext longer");
	check(!dw_cleartext_check("secret", "secret\0x", 8), "cleartext with embedded NUL");
	check(dw_cleartext_check("", "", 0) && dw_cleartext_check("", "", 1), "cleartext empty");
}

static void test_random(void)
{
	uint8_t a[32], b[32];
	check(dw_random_bytes(a, sizeof(a)) == 0 && dw_random_bytes(b, sizeof(b)) == 0 &&
		      memcmp(a, b, sizeof(a)) != 0,
		"random bytes differ between calls");
	check(dw_random_bytes(a, 0) == 0, "zero random bytes");
}

int main(void)
{
	rfc_secret_init();
	test_rfc7677();
	test_exchange();
	test_malformed_first();
	test_malformed_final();
	test_mock();
	test_verifier();
	test_md5();
	test_cleartext();
	test_random();
	return tap_done();
}
