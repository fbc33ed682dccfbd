/* PostgreSQL client authentication, server side. See pg_auth.h.
 *
 * The SCRAM messages are parsed exactly as PostgreSQL's own server expects
 * them (RFC 5802 grammar, no channel binding): anything outside that grammar
 * is malformed, and every field is bounded by the fixed buffers of
 * struct dw_scram_server before it is copied or hashed. */
#include "proxy/pg_auth.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* PostgreSQL's server nonce is 18 random bytes; base64 makes them printable
 * and free of ','. */
#define SERVER_NONCE_RAW_LEN 18
#define B64_LEN(n) ((((n) + 2) / 3) * 4)

/* A client-final-message from a real client is about 110 bytes; leave room
 * for a long client nonce and optional extensions, refuse anything beyond. */
#define CLIENT_FINAL_MAX 1024

/* client-first-bare "," server-first "," client-final-without-proof. */
#define AUTH_MESSAGE_MAX (sizeof(((struct dw_scram_server *)0)->client_first_bare) + 1 + \
	sizeof(((struct dw_scram_server *)0)->server_first) + 1 + CLIENT_FINAL_MAX)

/* Base64, standard alphabet with padding; decoding accepts only the
 * canonical form. */
static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* OUT must hold B64_LEN(N) + 1 bytes; the result is NUL-terminated. */
static size_t b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes exactly the canonical encoding: length a multiple of 4, '=' only as
 * final padding, unused trailing bits zero, no whitespace. Anything else is
 * refused so one value has exactly one spelling. */
__attribute__((warn_unused_result))
static int b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
	if (n == 0 || n % 4 != 0)
		return -1;
	size_t pad = 0;
	if (in[n - 1] == '=')
		pad = in[n - 2] == '=' ? 2 : 1;
	size_t decoded = n / 4 * 3 - pad;
	if (decoded > cap)
		return -1;

	size_t o = 0;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		int v[4];
		for (size_t k = 0; k < 4; k++) {
			if (last && k >= 4 - pad) {
				v[k] = 0;
				continue;
			}
			v[k] = b64_value(in[i + k]);
			if (v[k] < 0)
				return -1;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		if (!last || pad < 2)
			out[o++] = (uint8_t)(w >> 8);
		else if ((w >> 8) & 0xff)
			return -1; /* non-zero bits hidden under the padding */
		if (!last || pad < 1)
			out[o++] = (uint8_t)w;
		else if (w & 0xff)
			return -1;
	}
	*out_len = o;
	return 0;
}

int dw_random_bytes(void *buf, size_t n)
{
	if (n > INT_MAX)
		return -1;
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -1;
}

__attribute__((warn_unused_result))
static int hmac_sha256(const uint8_t *key, size_t key_len, const void *data, size_t n,
	uint8_t out[DW_SCRAM_KEY_LEN])
{
	unsigned int len = 0;
	if (key_len > INT_MAX)
		return -1;
	if (!HMAC(EVP_sha256(), key, (int)key_len, data, n, out, &len) || len != DW_SCRAM_KEY_LEN)
		return -1;
	return 0;
}

__attribute__((warn_unused_result))
static int sha256(const void *data, size_t n, uint8_t out[DW_SCRAM_KEY_LEN])
{
	unsigned int len = 0;
	if (EVP_Digest(data, n, out, &len, EVP_sha256(), NULL) != 1 || len != DW_SCRAM_KEY_LEN)
		return -1;
	return 0;
}

/* PostgreSQL runs SASLprep over the password on both ends and falls back to
 * the raw bytes when that fails. An ASCII password is unchanged by SASLprep,
 * so it is used as is. Non-ASCII passwords are used as raw bytes too: that is
 * exactly what PostgreSQL does when the bytes are not valid UTF-8 or contain
 * prohibited characters, and it equals the SASLprep result for text that is
 * already in NFKC form without mapped characters (the common case). A
 * password relying on the mapping (non-ASCII spaces, soft hyphens, zero-width
 * characters, non-NFKC forms) derives a different key and its logins fail
 * closed; configure a verifier (dw_scram_secret_parse) for such accounts. */
int dw_scram_secret_from_password_salt(const char *password,
	const uint8_t salt[DW_SCRAM_SALT_LEN], int iterations, struct dw_scram_secret *out)
{
	uint8_t salted[DW_SCRAM_KEY_LEN];
	uint8_t client_key[DW_SCRAM_KEY_LEN];
	size_t plen;
	int rc = -1;

	if (!password || !salt || !out || iterations < 1)
		return -1;
	plen = strlen(password);
	if (plen > INT_MAX)
		return -1;

	memset(out, 0, sizeof(*out));
	memcpy(out->salt, salt, DW_SCRAM_SALT_LEN);
	out->iterations = iterations;
	if (PKCS5_PBKDF2_HMAC(password, (int)plen, salt, DW_SCRAM_SALT_LEN, iterations,
		    EVP_sha256(), DW_SCRAM_KEY_LEN, salted) != 1)
		goto done;
	if (hmac_sha256(salted, sizeof(salted), "Client Key", 10, client_key) != 0)
		goto done;
	if (sha256(client_key, sizeof(client_key), out->stored_key) != 0)
		goto done;
	if (hmac_sha256(salted, sizeof(salted), "Server Key", 10, out->server_key) != 0)
		goto done;
	rc = 0;
done:
	OPENSSL_cleanse(salted, sizeof(salted));
	OPENSSL_cleanse(client_key, sizeof(client_key));
	if (rc != 0)
		OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int dw_scram_secret_from_password(const char *password, struct dw_scram_secret *out)
{
	uint8_t salt[DW_SCRAM_SALT_LEN];
	if (dw_random_bytes(salt, sizeof(salt)) != 0)
		return -1;
	return dw_scram_secret_from_password_salt(password, salt, DW_SCRAM_ITERATIONS, out);
}

/* Decodes one base64 field of a verifier that must yield exactly WANT bytes. */
__attribute__((warn_unused_result))
static int decode_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	uint8_t buf[DW_SCRAM_KEY_LEN + 3];
	size_t got = 0;
	if (want > sizeof(buf) || b64_decode(s, n, buf, sizeof(buf), &got) != 0 || got != want)
		return -1;
	memcpy(out, buf, want);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int dw_scram_secret_parse(const char *verifier, struct dw_scram_secret *out)
{
	static const char prefix[] = "SCRAM-SHA-256$";
	struct dw_scram_secret s;
	const char *p, *colon, *dollar, *colon2;
	long long iter = 0;

	if (!verifier || !out || strncmp(verifier, prefix, sizeof(prefix) - 1) != 0)
		return -1;
	memset(&s, 0, sizeof(s));
	p = verifier + sizeof(prefix) - 1;

	/* Iterations: plain decimal, no sign, no leading zero. */
	if (*p < '1' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		iter = iter * 10 + (*p - '0');
		if (iter > INT_MAX)
			return -1;
		p++;
	}
	if (*p != ':')
		return -1;
	s.iterations = (int)iter;
	p++;

	dollar = strchr(p, '$');
	if (!dollar || decode_exact(p, (size_t)(dollar - p), s.salt, DW_SCRAM_SALT_LEN) != 0)
		goto bad;
	p = dollar + 1;
	colon = strchr(p, ':');
	if (!colon || decode_exact(p, (size_t)(colon - p), s.stored_key, DW_SCRAM_KEY_LEN) != 0)
		goto bad;
	p = colon + 1;
	colon2 = p + strlen(p);
	if (decode_exact(p, (size_t)(colon2 - p), s.server_key, DW_SCRAM_KEY_LEN) != 0)
		goto bad;
	*out = s;
	OPENSSL_cleanse(&s, sizeof(s));
	return 0;
bad:
	OPENSSL_cleanse(&s, sizeof(s));
	return -1;
}

static uint8_t mock_key[DW_SCRAM_KEY_LEN];
static pthread_once_t mock_key_once = PTHREAD_ONCE_INIT;

static void mock_key_init(void)
{
	/* Without an unpredictable key the fake salts could be computed from the
	 * name and unknown users told apart; that is not a state to run in. */
	if (dw_random_bytes(mock_key, sizeof(mock_key)) != 0) {
		fputs("dbward: no randomness for the SCRAM mock key\n", stderr);
		abort();
	}
}

/* One labelled HMAC under the process key: LABEL || 0x00 || NAME. */
static void mock_derive(const char *label, const char *name, uint8_t out[DW_SCRAM_KEY_LEN])
{
	size_t llen = strlen(label) + 1; /* the NUL separates label from name */
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outl = 0;
	if (!mctx || EVP_MAC_init(mctx, mock_key, sizeof(mock_key), params) != 1 ||
	    EVP_MAC_update(mctx, (const uint8_t *)label, llen) != 1 ||
	    EVP_MAC_update(mctx, (const uint8_t *)name, strlen(name)) != 1 ||
	    EVP_MAC_final(mctx, out, &outl, DW_SCRAM_KEY_LEN) != 1 || outl != DW_SCRAM_KEY_LEN) {
		fputs("dbward: HMAC-SHA-256 unavailable for the SCRAM mock\n", stderr);
		abort();
	}
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(mac);
}

void dw_scram_secret_mock(const char *name, struct dw_scram_secret *out)
{
	uint8_t salt[DW_SCRAM_KEY_LEN];
	if (!name)
		name = "";
	pthread_once(&mock_key_once, mock_key_init);
	memset(out, 0, sizeof(*out));
	mock_derive("salt", name, salt);
	memcpy(out->salt, salt, DW_SCRAM_SALT_LEN);
	out->iterations = DW_SCRAM_ITERATIONS;
	mock_derive("stored", name, out->stored_key);
	mock_derive("server", name, out->server_key);
}

void dw_scram_server_init(struct dw_scram_server *st,
	const struct dw_scram_secret *secret, bool mock)
{
	memset(st, 0, sizeof(*st));
	st->state = DW_SCRAM_INIT;
	st->secret = secret;
	st->mock = mock;
}

/* A nonce is printable ASCII other than ',' (RFC 5802 "printable"). */
static bool nonce_char_ok(char c)
{
	return c >= 0x21 && c <= 0x7e && c != ',';
}

/* Returns the index of the first ',' at or after I, or N. */
static size_t field_end(const char *m, size_t i, size_t n)
{
	while (i < n && m[i] != ',')
		i++;
	return i;
}

/* Skips optional ",<letter>=<value>" extensions starting at *I, stopping
 * before one whose attribute is STOP (0: none). Returns 0, or -1 when one is
 * malformed. */
__attribute__((warn_unused_result))
static int skip_extensions(const char *m, size_t *i, size_t n, char stop)
{
	while (*i < n) {
		if (m[*i] != ',' || *i + 2 >= n)
			return -1;
		char attr = m[*i + 1];
		if (!((attr >= 'a' && attr <= 'z') || (attr >= 'A' && attr <= 'Z')) || m[*i + 2] != '=')
			return -1;
		if (attr == stop)
			return 0;
		*i = field_end(m, *i + 3, n);
	}
	return 0;
}

static int fail(struct dw_scram_server *st)
{
	st->state = DW_SCRAM_FAILED;
	return -1;
}

int dw_scram_server_first_with_nonce(struct dw_scram_server *st, const char *msg, size_t len,
	const char *server_nonce, size_t server_nonce_len,
	char *out, size_t cap, size_t *out_len)
{
	char salt_b64[B64_LEN(DW_SCRAM_SALT_LEN) + 1];
	size_t i, nonce_start, nonce_end, bare_len;
	int w;

	if (!st || st->state != DW_SCRAM_INIT)
		return st ? fail(st) : -1;
	if (!msg || !out || !out_len || !st->secret || st->secret->iterations < 1)
		return fail(st);
	if (!server_nonce || server_nonce_len == 0)
		return fail(st);
	for (i = 0; i < server_nonce_len; i++)
		if (!nonce_char_ok(server_nonce[i]))
			return fail(st);
	if (memchr(msg, '\0', len))
		return fail(st);

	/* gs2-header: "n,," or "y,,". 'p' asks for channel binding, which is
	 * only offered under SCRAM-SHA-256-PLUS; an authzid is not supported. */
	if (len < 3 || (msg[0] != 'n' && msg[0] != 'y') || msg[1] != ',' || msg[2] != ',')
		return fail(st);
	st->cbind_flag = msg[0];

	/* client-first-bare: "n=<user>,r=<nonce>[,ext...]". A leading "m="
	 * (mandatory extension) cannot be honoured. The user name is ignored:
	 * PostgreSQL takes it from the startup packet. */
	bare_len = len - 3;
	const char *bare = msg + 3;
	if (bare_len >= sizeof(st->client_first_bare))
		return fail(st);
	if (bare_len < 2 || bare[0] != 'n' || bare[1] != '=')
		return fail(st);
	i = field_end(bare, 2, bare_len);
	if (i + 3 > bare_len || bare[i + 1] != 'r' || bare[i + 2] != '=')
		return fail(st);
	nonce_start = i + 3;
	nonce_end = field_end(bare, nonce_start, bare_len);
	if (nonce_end == nonce_start)
		return fail(st);
	for (i = nonce_start; i < nonce_end; i++)
		if (!nonce_char_ok(bare[i]))
			return fail(st);
	i = nonce_end;
	if (skip_extensions(bare, &i, bare_len, 0) != 0)
		return fail(st);

	size_t client_nonce_len = nonce_end - nonce_start;
	if (client_nonce_len + server_nonce_len >= sizeof(st->nonce))
		return fail(st);
	memcpy(st->nonce, bare + nonce_start, client_nonce_len);
	memcpy(st->nonce + client_nonce_len, server_nonce, server_nonce_len);
	st->nonce_len = client_nonce_len + server_nonce_len;
	st->nonce[st->nonce_len] = '\0';

	memcpy(st->client_first_bare, bare, bare_len);
	st->client_first_bare[bare_len] = '\0';
	st->client_first_bare_len = bare_len;

	b64_encode(st->secret->salt, DW_SCRAM_SALT_LEN, salt_b64);
	w = snprintf(st->server_first, sizeof(st->server_first), "r=%s,s=%s,i=%d",
		st->nonce, salt_b64, st->secret->iterations);
	if (w < 0 || (size_t)w >= sizeof(st->server_first) || (size_t)w >= cap)
		return fail(st);
	st->server_first_len = (size_t)w;
	memcpy(out, st->server_first, st->server_first_len + 1);
	*out_len = st->server_first_len;
	st->state = DW_SCRAM_SENT_FIRST;
	return 0;
}

int dw_scram_server_first(struct dw_scram_server *st, const char *msg, size_t len,
	char *out, size_t cap, size_t *out_len)
{
	uint8_t raw[SERVER_NONCE_RAW_LEN];
	char nonce[B64_LEN(SERVER_NONCE_RAW_LEN) + 1];

	if (!st)
		return -1;
	if (dw_random_bytes(raw, sizeof(raw)) != 0)
		return fail(st);
	size_t n = b64_encode(raw, sizeof(raw), nonce);
	return dw_scram_server_first_with_nonce(st, msg, len, nonce, n, out, cap, out_len);
}

int dw_scram_server_final(struct dw_scram_server *st, const char *msg, size_t len,
	char *out, size_t cap, size_t *out_len)
{
	char auth_msg[AUTH_MESSAGE_MAX];
	uint8_t cbind[8], proof[DW_SCRAM_KEY_LEN + 3];
	uint8_t client_sig[DW_SCRAM_KEY_LEN], client_key[DW_SCRAM_KEY_LEN];
	uint8_t check[DW_SCRAM_KEY_LEN], server_sig[DW_SCRAM_KEY_LEN];
	char sig_b64[B64_LEN(DW_SCRAM_KEY_LEN) + 1];
	size_t i, end, cbind_len = 0, proof_len = 0, without_proof, auth_len;
	int rc = -1;

	if (!st || st->state != DW_SCRAM_SENT_FIRST)
		return st ? fail(st) : -1;
	if (!msg || !out || !out_len || len > CLIENT_FINAL_MAX || memchr(msg, '\0', len))
		return fail(st);

	/* "c=" base64 of the gs2 header the client sent first ("biws" / "eSws"). */
	if (len < 2 || msg[0] != 'c' || msg[1] != '=')
		return fail(st);
	end = field_end(msg, 2, len);
	if (b64_decode(msg + 2, end - 2, cbind, sizeof(cbind), &cbind_len) != 0 ||
	    cbind_len != 3 || cbind[0] != (uint8_t)st->cbind_flag || cbind[1] != ',' || cbind[2] != ',')
		return fail(st);

	/* ",r=" the full nonce, exactly as the server sent it. */
	i = end;
	if (i + 3 > len || msg[i] != ',' || msg[i + 1] != 'r' || msg[i + 2] != '=')
		return fail(st);
	end = field_end(msg, i + 3, len);
	if (end - (i + 3) != st->nonce_len || memcmp(msg + i + 3, st->nonce, st->nonce_len) != 0)
		return fail(st);

	/* Optional extensions, then ",p=" proof as the last attribute. */
	i = end;
	if (skip_extensions(msg, &i, len, 'p') != 0 || i >= len)
		return fail(st);
	without_proof = i;
	if (field_end(msg, i + 3, len) != len ||
	    b64_decode(msg + i + 3, len - (i + 3), proof, sizeof(proof), &proof_len) != 0 ||
	    proof_len != DW_SCRAM_KEY_LEN)
		return fail(st);

	auth_len = st->client_first_bare_len + 1 + st->server_first_len + 1 + without_proof;
	if (auth_len > sizeof(auth_msg))
		return fail(st);
	memcpy(auth_msg, st->client_first_bare, st->client_first_bare_len);
	i = st->client_first_bare_len;
	auth_msg[i++] = ',';
	memcpy(auth_msg + i, st->server_first, st->server_first_len);
	i += st->server_first_len;
	auth_msg[i++] = ',';
	memcpy(auth_msg + i, msg, without_proof);

	/* ClientKey = proof XOR HMAC(StoredKey, AuthMessage); it is right when
	 * H(ClientKey) == StoredKey. Computed in mock mode too, so an unknown
	 * user costs the same time. */
	const struct dw_scram_secret *sec = st->secret;
	if (hmac_sha256(sec->stored_key, DW_SCRAM_KEY_LEN, auth_msg, auth_len, client_sig) != 0)
		goto out;
	for (i = 0; i < DW_SCRAM_KEY_LEN; i++)
		client_key[i] = proof[i] ^ client_sig[i];
	if (sha256(client_key, sizeof(client_key), check) != 0)
		goto out;
	if (CRYPTO_memcmp(check, sec->stored_key, DW_SCRAM_KEY_LEN) != 0 || st->mock) {
		rc = 1;
		goto out;
	}

	if (hmac_sha256(sec->server_key, DW_SCRAM_KEY_LEN, auth_msg, auth_len, server_sig) != 0)
		goto out;
	size_t n = b64_encode(server_sig, sizeof(server_sig), sig_b64);
	if (n + 2 >= cap)
		goto out;
	out[0] = 'v';
	out[1] = '=';
	memcpy(out + 2, sig_b64, n + 1);
	*out_len = n + 2;
	rc = 0;
out:
	OPENSSL_cleanse(client_key, sizeof(client_key));
	OPENSSL_cleanse(client_sig, sizeof(client_sig));
	OPENSSL_cleanse(proof, sizeof(proof));
	st->state = rc == 0 ? DW_SCRAM_DONE : DW_SCRAM_FAILED;
	return rc;
}

/* Drops the one terminating NUL a PasswordMessage string carries. */
static size_t strip_nul(const char *s, size_t n)
{
	return n > 0 && s[n - 1] == '\0' ? n - 1 : n;
}

static void hex32(const uint8_t in[16], char out[32])
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < 16; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
}

bool dw_md5_check(const char *user, const char *password, const uint8_t salt[4],
	const char *response, size_t response_len)
{
	uint8_t digest[16];
	char expected[3 + 32];
	char inner_hex[32];
	unsigned int dlen = 0;
	bool ok = false;
	EVP_MD_CTX *ctx;

	if (!user || !password || !salt || !response)
		return false;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return false;
	/* md5 may be missing (FIPS provider): then nothing matches. */
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, password, strlen(password)) != 1 ||
	    EVP_DigestUpdate(ctx, user, strlen(user)) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 || dlen != 16)
		goto done;
	hex32(digest, inner_hex);
	if (EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, inner_hex, sizeof(inner_hex)) != 1 ||
	    EVP_DigestUpdate(ctx, salt, 4) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 || dlen != 16)
		goto done;
	memcpy(expected, "md5", 3);
	hex32(digest, expected + 3);

	response_len = strip_nul(response, response_len);
	ok = response_len == sizeof(expected) &&
	     CRYPTO_memcmp(expected, response, sizeof(expected)) == 0;
done:
	OPENSSL_cleanse(inner_hex, sizeof(inner_hex));
	OPENSSL_cleanse(expected, sizeof(expected));
	EVP_MD_CTX_free(ctx);
	return ok;
}

bool dw_cleartext_check(const char *password, const char *response, size_t response_len)
{
	if (!password || !response)
		return false;
	size_t plen = strlen(password);
	response_len = strip_nul(response, response_len);
	if (plen != response_len) {
		/* Same amount of work as a match; only the length differs. */
		volatile int sink = CRYPTO_memcmp(password, password, plen);
		(void)sink;
		return false;
	}
	return CRYPTO_memcmp(password, response, plen) == 0;
}
