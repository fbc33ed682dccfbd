/* MySQL / MariaDB client authentication, server side. See my_auth.h.
 *
 * dbward holds each user's cleartext password, so every check recomputes
 * what the client should have sent and compares in constant time, instead
 * of keeping MySQL's stored double hashes. */
#include "proxy/my_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#define SHA1_LEN 20
#define SHA256_LEN 32
#define RSA_MAX_BYTES (MY_RSA_MAX_BITS / 8)

/* Length of the per-process password unknown users are checked against: a
 * typical length, so their exchanges cost what real ones do. */
#define MOCK_PASSWORD_LEN 16

struct my_rsa {
	EVP_PKEY *pkey;
	char *pem;
	size_t pem_len;
	size_t size;
};

int my_scramble_generate(uint8_t out[MY_SCRAMBLE_LEN])
{
	uint8_t pool[64];
	size_t n = 0;

	/* Rejection sampling keeps the accepted values uniform. Each draw is
	 * accepted with probability 126/128, so one pool nearly always does;
	 * the round limit only bounds the loop. */
	for (int round = 0; round < 8 && n < MY_SCRAMBLE_LEN; round++) {
		if (RAND_bytes(pool, sizeof(pool)) != 1) {
			OPENSSL_cleanse(pool, sizeof(pool));
			return -1;
		}
		for (size_t i = 0; i < sizeof(pool) && n < MY_SCRAMBLE_LEN; i++) {
			uint8_t c = pool[i] & 0x7f;
			if (c != '\0' && c != '$')
				out[n++] = c;
		}
	}
	OPENSSL_cleanse(pool, sizeof(pool));
	return n == MY_SCRAMBLE_LEN ? 0 : -1;
}

static char mock_password[MOCK_PASSWORD_LEN + 1];
static pthread_once_t mock_once = PTHREAD_ONCE_INIT;

static void mock_init(void)
{
	uint8_t raw[MOCK_PASSWORD_LEN];
	/* A guessable mock password would let a client log in as a user that
	 * does not exist were a mock path ever to succeed; not a state to run in. */
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		fputs("dbward: no randomness for the MySQL auth mock\n", stderr);
		abort();
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		mock_password[i] = (char)('!' + raw[i] % 94); /* printable, non-space */
	mock_password[MOCK_PASSWORD_LEN] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
}

static const char *get_mock_password(void)
{
	pthread_once(&mock_once, mock_init);
	return mock_password;
}

/* An absent password or response is the empty one; a NULL pointer with a
 * non-zero length is a caller bug and never matches. */
static bool is_empty_response(const uint8_t *resp, size_t len)
{
	return len == 0 || (len == 1 && resp && resp[0] == '\0');
}

__attribute__((warn_unused_result))
static int digest(const EVP_MD *md, const void *data, size_t n, uint8_t *out, unsigned int want)
{
	unsigned int got = 0;
	if (EVP_Digest(data, n, out, &got, md, NULL) != 1 || got != want)
		return -1;
	return 0;
}

/* Constant-time equality of a secret and a candidate; when the lengths
 * differ the same comparison work is done on the secret alone. */
static bool ct_equal(const void *secret, size_t secret_len, const void *cand, size_t cand_len)
{
	if (secret_len != cand_len) {
		volatile int sink = CRYPTO_memcmp(secret, secret, secret_len);
		(void)sink;
		return false;
	}
	return CRYPTO_memcmp(secret, cand, secret_len) == 0;
}

/* Drops one trailing NUL: clients send C strings. */
static size_t strip_nul(const uint8_t *p, size_t len)
{
	return len > 0 && p[len - 1] == '\0' ? len - 1 : len;
}

/* SHA1(password) XOR SHA1(scramble || SHA1(SHA1(password))): what a client
 * answers; OUT gets 20 bytes. Returns 0, or -1. */
static int native_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[SHA1_LEN])
{
	uint8_t stage2[SHA1_LEN], mask[SHA1_LEN];
	uint8_t salted[MY_SCRAMBLE_LEN + SHA1_LEN];
	int rc = -1;
	if (digest(EVP_sha1(), password, strlen(password), out, SHA1_LEN) != 0 ||
	    digest(EVP_sha1(), out, SHA1_LEN, stage2, SHA1_LEN) != 0)
		goto done;
	memcpy(salted, scramble, MY_SCRAMBLE_LEN);
	memcpy(salted + MY_SCRAMBLE_LEN, stage2, SHA1_LEN);
	if (digest(EVP_sha1(), salted, sizeof(salted), mask, SHA1_LEN) != 0)
		goto done;
	for (size_t i = 0; i < SHA1_LEN; i++)
		out[i] ^= mask[i];
	rc = 0;
done:
	OPENSSL_cleanse(stage2, sizeof(stage2));
	OPENSSL_cleanse(mask, sizeof(mask));
	OPENSSL_cleanse(salted, sizeof(salted));
	return rc;
}

static bool native_matches(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	const uint8_t *resp, size_t len)
{
	uint8_t expect[SHA1_LEN];
	if (strlen(password) == 0)
		return is_empty_response(resp, len);
	bool ok = native_response(password, scramble, expect) == 0 && resp &&
		ct_equal(expect, SHA1_LEN, resp, len);
	OPENSSL_cleanse(expect, sizeof(expect));
	return ok;
}

int my_native_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[MY_NATIVE_RESPONSE_LEN])
{
	if (!password || !*password)
		return 0;
	return native_response(password, scramble, out) == 0 ? MY_NATIVE_RESPONSE_LEN : -1;
}

bool my_native_check(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	const uint8_t *resp, size_t len)
{
	if (!password || !scramble)
		return false;
	return native_matches(password, scramble, resp, len);
}

bool my_native_mock(const uint8_t scramble[MY_SCRAMBLE_LEN], const uint8_t *resp, size_t len)
{
	if (scramble) {
		volatile bool sink = native_matches(get_mock_password(), scramble, resp, len);
		(void)sink;
	}
	return false;
}

/* SHA256(password) XOR SHA256(SHA256(SHA256(password)) || scramble). */
static int sha2_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[SHA256_LEN])
{
	uint8_t mask[SHA256_LEN];
	uint8_t salted[SHA256_LEN + MY_SCRAMBLE_LEN];
	int rc = -1;
	/* salted = SHA256(SHA256(password)) || scramble, what MySQL's server
	 * keeps cached (the first half) plus the nonce. */
	if (digest(EVP_sha256(), password, strlen(password), out, SHA256_LEN) != 0 ||
	    digest(EVP_sha256(), out, SHA256_LEN, salted, SHA256_LEN) != 0)
		goto done;
	memcpy(salted + SHA256_LEN, scramble, MY_SCRAMBLE_LEN);
	if (digest(EVP_sha256(), salted, sizeof(salted), mask, SHA256_LEN) != 0)
		goto done;
	for (size_t i = 0; i < SHA256_LEN; i++)
		out[i] ^= mask[i];
	rc = 0;
done:
	OPENSSL_cleanse(mask, sizeof(mask));
	OPENSSL_cleanse(salted, sizeof(salted));
	return rc;
}

bool my_sha2_scramble_check(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	const uint8_t *resp, size_t len)
{
	uint8_t expect[SHA256_LEN];
	if (!password || !scramble || !resp || !*password)
		return false;
	bool ok = sha2_response(password, scramble, expect) == 0 &&
		ct_equal(expect, SHA256_LEN, resp, len);
	OPENSSL_cleanse(expect, sizeof(expect));
	return ok;
}

int my_sha2_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[MY_SHA2_RESPONSE_LEN])
{
	if (!password || !*password)
		return 0;
	return sha2_response(password, scramble, out) == 0 ? MY_SHA2_RESPONSE_LEN : -1;
}

int my_sha2_rsa_encrypt(const char *pem, size_t pem_len, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], uint8_t *out, size_t cap)
{
	int rc = -1;
	size_t plen = strlen(password) + 1; /* the NUL is part of what is sent */
	uint8_t *plain = malloc(plen);
	BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
	if (!plain || !ctx)
		goto done;
	for (size_t i = 0; i < plen; i++)
		plain[i] = (uint8_t)password[i] ^ scramble[i % MY_SCRAMBLE_LEN];
	size_t n = cap;
	if (EVP_PKEY_encrypt_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_encrypt(ctx, out, &n, plain, plen) <= 0)
		goto done;
	rc = (int)n;
done:
	if (plain) {
		OPENSSL_cleanse(plain, plen);
		free(plain);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return rc;
}

bool my_cleartext_check(const char *password, const uint8_t *resp, size_t len)
{
	if (!password || (!resp && len > 0))
		return false;
	return ct_equal(password, strlen(password), resp, strip_nul(resp, len));
}

/* Fills in the public PEM and size of a freshly made or loaded key. */
__attribute__((warn_unused_result))
static int rsa_finish(struct my_rsa *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;
	int rc = -1;

	if (!bio || PEM_write_bio_PUBKEY(bio, k->pkey) != 1)
		goto done;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || !data)
		goto done;
	k->pem = malloc((size_t)n + 1);
	if (!k->pem)
		goto done;
	memcpy(k->pem, data, (size_t)n);
	k->pem[n] = '\0';
	k->pem_len = (size_t)n;
	int size = EVP_PKEY_get_size(k->pkey);
	if (size <= 0 || size > RSA_MAX_BYTES)
		goto done;
	k->size = (size_t)size;
	rc = 0;
done:
	BIO_free(bio);
	return rc;
}

static bool bits_ok(int bits)
{
	return bits >= MY_RSA_MIN_BITS && bits <= MY_RSA_MAX_BITS;
}

struct my_rsa *my_rsa_generate(int bits)
{
	if (!bits_ok(bits))
		return NULL;
	struct my_rsa *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->pkey = EVP_RSA_gen((unsigned int)bits);
	if (!k->pkey || rsa_finish(k) != 0) {
		ERR_clear_error();
		my_rsa_free(k);
		return NULL;
	}
	return k;
}

/* Never prompts on a terminal for an encrypted key: it is refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

struct my_rsa *my_rsa_load(const char *priv_pem_path, char *err, size_t err_cap)
{
	struct my_rsa *k = NULL;
	FILE *f = NULL;
	struct stat st;
	char dummy[1];

	if (!err || err_cap == 0) {
		err = dummy;
		err_cap = sizeof(dummy);
	}
	err[0] = '\0';
	if (!priv_pem_path) {
		snprintf(err, err_cap, "no key file given");
		return NULL;
	}
	int fd = open(priv_pem_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, err_cap, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_cap, "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, err_cap, "private key file is accessible by others (chmod o-rw)");
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(err, err_cap, "cannot read: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, err_cap, "out of memory");
		goto fail;
	}
	k->pkey = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	if (!k->pkey) {
		snprintf(err, err_cap, "not an unencrypted PEM private key");
		goto fail;
	}
	if (!EVP_PKEY_is_a(k->pkey, "RSA")) {
		snprintf(err, err_cap, "not an RSA key");
		goto fail;
	}
	if (!bits_ok(EVP_PKEY_get_bits(k->pkey))) {
		snprintf(err, err_cap, "RSA key of %d bits; %d to %d are accepted",
			EVP_PKEY_get_bits(k->pkey), MY_RSA_MIN_BITS, MY_RSA_MAX_BITS);
		goto fail;
	}
	if (rsa_finish(k) != 0) {
		snprintf(err, err_cap, "cannot export the public key");
		goto fail;
	}
	fclose(f);
	return k;
fail:
	ERR_clear_error();
	my_rsa_free(k);
	fclose(f);
	return NULL;
}

void my_rsa_free(struct my_rsa *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->pem);
	free(k);
}

const char *my_rsa_public_pem(const struct my_rsa *k, size_t *len)
{
	if (!k) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = k->pem_len;
	return k->pem;
}

size_t my_rsa_size(const struct my_rsa *k)
{
	return k ? k->size : 0;
}

/* RSA-OAEP with SHA-1 and MGF1-SHA-1, what MySQL clients encrypt with.
 * Returns the plaintext length, or 0 when ENC does not decrypt (a real
 * plaintext always holds at least the NUL). */
static size_t rsa_decrypt(const struct my_rsa *k, const uint8_t *enc, size_t len,
	uint8_t out[RSA_MAX_BYTES])
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	size_t outlen = RSA_MAX_BYTES;

	if (!ctx || EVP_PKEY_decrypt_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) != 1 ||
	    EVP_PKEY_decrypt(ctx, out, &outlen, enc, len) != 1 || outlen > RSA_MAX_BYTES)
		outlen = 0;
	EVP_PKEY_CTX_free(ctx);
	/* The failure reason sits in this thread's error queue; drop it so a
	 * stream of bad ciphertexts leaves nothing behind. */
	ERR_clear_error();
	return outlen;
}

static int full_check(const struct my_rsa *k, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], const uint8_t *enc, size_t len)
{
	uint8_t plain[RSA_MAX_BYTES];

	if (!k || !password || !scramble || !enc || len != k->size)
		return -1;
	/* A ciphertext that does not decrypt goes through the same comparison
	 * as one that does, with an empty plaintext. */
	size_t n = rsa_decrypt(k, enc, len, plain);
	for (size_t i = 0; i < n; i++)
		plain[i] ^= scramble[i % MY_SCRAMBLE_LEN];
	bool ok = n > 0 && my_cleartext_check(password, plain, n);
	OPENSSL_cleanse(plain, sizeof(plain));
	return ok ? 1 : 0;
}

int my_sha2_full_check(const struct my_rsa *k, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], const uint8_t *enc, size_t len)
{
	return full_check(k, password, scramble, enc, len);
}

static enum my_sha2_next sha2_first(const char *password, bool mock,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len)
{
	if (!password || !scramble || (!resp && len > 0))
		return MY_SHA2_DENY;
	if (is_empty_response(resp, len))
		return password[0] == '\0' && !mock ? MY_SHA2_OK : MY_SHA2_DENY;

	bool scramble_ok = my_sha2_scramble_check(password, scramble, resp, len);
	if (secure) {
		/* Computed even after a scramble match so both outcomes cost the same. */
		bool clear_ok = my_cleartext_check(password, resp, len);
		if (mock)
			return len == MY_SHA2_RESPONSE_LEN ? MY_SHA2_FULL : MY_SHA2_DENY;
		if (scramble_ok)
			return MY_SHA2_FAST_OK;
		if (clear_ok)
			return MY_SHA2_OK;
		return len == MY_SHA2_RESPONSE_LEN ? MY_SHA2_FULL : MY_SHA2_DENY;
	}
	return scramble_ok && !mock ? MY_SHA2_FAST_OK : MY_SHA2_FULL;
}

static enum my_sha2_next sha2_full_step(const struct my_rsa *k, const char *password, bool mock,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len)
{
	if (!password || !scramble || (!resp && len > 0))
		return MY_SHA2_DENY;
	if (secure) {
		bool ok = my_cleartext_check(password, resp, len);
		return ok && !mock ? MY_SHA2_OK : MY_SHA2_DENY;
	}
	if (len == 1 && resp[0] == MY_SHA2_REQUEST_PUBLIC_KEY)
		return k ? MY_SHA2_SEND_KEY : MY_SHA2_DENY;
	return full_check(k, password, scramble, resp, len) == 1 && !mock ? MY_SHA2_OK : MY_SHA2_DENY;
}

enum my_sha2_next my_sha2_first(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	bool secure, const uint8_t *resp, size_t len)
{
	return sha2_first(password, false, scramble, secure, resp, len);
}

enum my_sha2_next my_sha2_full_step(const struct my_rsa *k, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len)
{
	return sha2_full_step(k, password, false, scramble, secure, resp, len);
}

enum my_sha2_next my_sha2_first_mock(const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure,
	const uint8_t *resp, size_t len)
{
	return sha2_first(get_mock_password(), true, scramble, secure, resp, len);
}

enum my_sha2_next my_sha2_full_step_mock(const struct my_rsa *k,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len)
{
	return sha2_full_step(k, get_mock_password(), true, scramble, secure, resp, len);
}
