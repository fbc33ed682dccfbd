/* Unit tests for proxy/my_auth.c: responses computed by PyMySQL's client
 * functions (captures/my_auth_vectors.h), wrong, truncated and overlong
 * responses, empty passwords, the caching_sha2 decisions, mock mode, RSA key
 * loading, and a live round trip through PyMySQL's sha2_rsa_encrypt with a
 * key generated here. */
#include "proxy/my_auth.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tests/unit/captures/my_auth_vectors.h"
#include "tests/unit/tap.h"


#define NVEC (sizeof(my_auth_vectors) / sizeof(my_auth_vectors[0]))

static void test_scramble(void)
{
	uint8_t a[MY_SCRAMBLE_LEN], b[MY_SCRAMBLE_LEN];
	bool ranges = true, any_diff = false;
	int seen[128] = {0};

	for (int round = 0; round < 2000; round++) {
		if (my_scramble_generate(a) != 0) {
			ranges = false;
			break;
		}
		for (size_t i = 0; i < MY_SCRAMBLE_LEN; i++) {
			if (a[i] == 0 || a[i] > 127 || a[i] == '$')
				ranges = false;
			else
				seen[a[i]]++;
		}
	}
	check(ranges, "scrambles only hold bytes 1..127 other than '$'");
	int distinct = 0;
	for (int c = 1; c < 128; c++)
		distinct += seen[c] > 0;
	check(distinct == 126, "scrambles use all 126 allowed byte values");
	if (my_scramble_generate(a) == 0 && my_scramble_generate(b) == 0)
		any_diff = memcmp(a, b, sizeof(a)) != 0;
	check(any_diff, "two scrambles differ");
}

static void test_native(void)
{
	for (size_t v = 0; v < NVEC; v++) {
		const struct my_auth_vector *t = &my_auth_vectors[v];
		uint8_t r[MY_NATIVE_RESPONSE_LEN + 1];

		check(my_native_check(t->password, t->scramble, t->native, 20),
			"native: PyMySQL response accepted (%s)", t->name);
		check(!my_native_check("wrong", t->scramble, t->native, 20),
			"native: wrong password refused (%s)", t->name);
		check(!my_native_check(t->password, t->scramble, t->native, 19),
			"native: truncated response refused (%s)", t->name);
		memcpy(r, t->native, 20);
		r[20] = 0;
		check(!my_native_check(t->password, t->scramble, r, 21),
			"native: overlong response refused (%s)", t->name);
		r[7] ^= 0x01;
		check(!my_native_check(t->password, t->scramble, r, 20),
			"native: one flipped bit refused (%s)", t->name);
		uint8_t other[MY_SCRAMBLE_LEN];
		memcpy(other, t->scramble, sizeof(other));
		other[19] ^= 0x01;
		check(!my_native_check(t->password, other, t->native, 20),
			"native: response for another scramble refused (%s)", t->name);
		check(!my_native_check(t->password, t->scramble, NULL, 0),
			"native: empty response refused for a password (%s)", t->name);
		check(!my_native_mock(t->scramble, t->native, 20),
			"native: mock refuses a well-formed response (%s)", t->name);
	}
	/* PyMySQL's scramble_native_password("") is b"". */
	const uint8_t *scr = my_auth_vectors[0].scramble;
	check(my_native_check("", scr, NULL, 0), "native: empty password, empty response");
	check(my_native_check("", scr, (const uint8_t *)"", 1), "native: empty password, lone NUL");
	check(!my_native_check("", scr, my_auth_vectors[0].native, 20),
		"native: empty password refuses a 20-byte response");
	check(!my_native_check("", scr, (const uint8_t *)"x", 1),
		"native: empty password refuses one non-NUL byte");
	check(!my_native_mock(scr, NULL, 0), "native: mock refuses an empty response");
	check(!my_native_check(NULL, scr, my_auth_vectors[0].native, 20), "native: NULL password refused");
	check(!my_native_check(my_auth_vectors[0].password, scr, NULL, 20),
		"native: NULL response with a length refused");
}

static void test_sha2_fast(void)
{
	for (size_t v = 0; v < NVEC; v++) {
		const struct my_auth_vector *t = &my_auth_vectors[v];
		uint8_t r[MY_SHA2_RESPONSE_LEN + 1];

		check(my_sha2_scramble_check(t->password, t->scramble, t->sha2, 32),
			"sha2 fast: PyMySQL response accepted (%s)", t->name);
		check(!my_sha2_scramble_check("wrong", t->scramble, t->sha2, 32),
			"sha2 fast: wrong password refused (%s)", t->name);
		check(!my_sha2_scramble_check(t->password, t->scramble, t->sha2, 31),
			"sha2 fast: truncated response refused (%s)", t->name);
		memcpy(r, t->sha2, 32);
		r[32] = 0;
		check(!my_sha2_scramble_check(t->password, t->scramble, r, 33),
			"sha2 fast: overlong response refused (%s)", t->name);
		r[31] ^= 0x80;
		check(!my_sha2_scramble_check(t->password, t->scramble, r, 32),
			"sha2 fast: one flipped bit refused (%s)", t->name);
		check(!my_sha2_scramble_check(t->password, t->scramble, t->native, 20),
			"sha2 fast: a native response refused (%s)", t->name);

		check(my_sha2_first(t->password, t->scramble, false, t->sha2, 32) == MY_SHA2_FAST_OK,
			"sha2 first: match is FAST_OK (%s)", t->name);
		check(my_sha2_first(t->password, t->scramble, true, t->sha2, 32) == MY_SHA2_FAST_OK,
			"sha2 first: match over TLS is FAST_OK (%s)", t->name);
		check(my_sha2_first("wrong", t->scramble, false, t->sha2, 32) == MY_SHA2_FULL,
			"sha2 first: mismatch asks for full authentication (%s)", t->name);
		check(my_sha2_first_mock(t->scramble, false, t->sha2, 32) == MY_SHA2_FULL,
			"sha2 first: mock asks for full authentication (%s)", t->name);
		check(my_sha2_first_mock(t->scramble, true, t->sha2, 32) == MY_SHA2_FULL,
			"sha2 first: mock over TLS asks for full authentication (%s)", t->name);
		check(my_sha2_first(t->password, t->scramble, false, NULL, 0) == MY_SHA2_DENY,
			"sha2 first: empty response for a password is DENY (%s)", t->name);
	}

	const uint8_t *scr = my_auth_vectors[0].scramble;
	const char *pw = my_auth_vectors[0].password;
	size_t pl = strlen(pw);
	const uint8_t *pwb = (const uint8_t *)pw;

	check(my_sha2_first("", scr, false, NULL, 0) == MY_SHA2_OK, "sha2 first: empty password, empty response");
	check(my_sha2_first("", scr, true, (const uint8_t *)"", 1) == MY_SHA2_OK,
		"sha2 first: empty password, lone NUL over TLS");
	check(my_sha2_first("", scr, false, my_auth_vectors[0].sha2, 32) == MY_SHA2_FULL,
		"sha2 first: empty password with a scramble goes to full authentication");
	check(!my_sha2_scramble_check("", scr, my_auth_vectors[0].sha2, 32),
		"sha2 fast: primitive refuses for an empty password");
	check(my_sha2_first_mock(scr, false, NULL, 0) == MY_SHA2_DENY, "sha2 first: mock, empty response is DENY");

	/* Cleartext as the first response (some Connector/C releases over TLS). */
	uint8_t buf[64];
	memcpy(buf, pw, pl + 1);
	check(my_sha2_first(pw, scr, true, buf, pl + 1) == MY_SHA2_OK,
		"sha2 first: cleartext+NUL over TLS is OK");
	check(my_sha2_first(pw, scr, true, pwb, pl) == MY_SHA2_OK,
		"sha2 first: cleartext without NUL over TLS is OK");
	check(my_sha2_first(pw, scr, false, buf, pl + 1) == MY_SHA2_FULL,
		"sha2 first: cleartext without TLS is never accepted");
	check(my_sha2_first("other-pw", scr, true, buf, pl + 1) == MY_SHA2_DENY,
		"sha2 first: wrong cleartext over TLS is DENY");
	check(my_sha2_first_mock(scr, true, buf, pl + 1) == MY_SHA2_DENY,
		"sha2 first: mock, cleartext over TLS is DENY");
	/* A 31-character password + NUL is scramble-sized over TLS. */
	const char *p31 = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy";
	check(my_sha2_first(p31, scr, true, (const uint8_t *)p31, 32) == MY_SHA2_OK,
		"sha2 first: 31-char cleartext+NUL over TLS is OK");
	check(my_sha2_first("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", scr, true, (const uint8_t *)p31, 32) ==
		MY_SHA2_FULL, "sha2 first: wrong scramble-sized cleartext over TLS is FULL");
	check(my_sha2_first(pw, scr, false, NULL, 32) == MY_SHA2_DENY,
		"sha2 first: NULL response with a length is DENY");
}

static void test_cleartext(void)
{
	const uint8_t *p = (const uint8_t *)"secret\0";
	check(my_cleartext_check("secret", p, 7), "cleartext: with NUL");
	check(my_cleartext_check("secret", p, 6), "cleartext: without NUL");
	check(!my_cleartext_check("secret", p, 5), "cleartext: prefix refused");
	check(!my_cleartext_check("secre", p, 6), "cleartext: longer response refused");
	check(!my_cleartext_check("secret", (const uint8_t *)"secret\0\0", 8), "cleartext: two NULs refused");
	check(!my_cleartext_check("secret", (const uint8_t *)"secreT", 6), "cleartext: last byte differs");
	check(my_cleartext_check("", NULL, 0), "cleartext: empty password, empty response");
	check(my_cleartext_check("", (const uint8_t *)"", 1), "cleartext: empty password, lone NUL");
	check(!my_cleartext_check("", p, 6), "cleartext: empty password refuses text");
	check(!my_cleartext_check("secret", NULL, 6), "cleartext: NULL response refused");
	check(!my_cleartext_check(NULL, p, 6), "cleartext: NULL password refused");
}

/* Writes TEXT to a fresh file with MODE; the caller unlinks PATH. */
static bool write_temp(char path[64], const char *text, size_t len, mode_t mode)
{
	snprintf(path, 64, "/tmp/dbward-test-key.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return false;
	bool ok = write(fd, text, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	close(fd);
	return ok;
}

static bool write_pkey_temp(char path[64], EVP_PKEY *pkey, const EVP_CIPHER *enc)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	bool ok = bio && PEM_write_bio_PrivateKey(bio, pkey, enc, NULL, 0, NULL, (void *)"passphrase") == 1;
	long n = ok ? BIO_get_mem_data(bio, &data) : 0;
	ok = ok && n > 0 && write_temp(path, data, (size_t)n, 0600);
	BIO_free(bio);
	return ok;
}

static struct my_rsa *load_vector_key(void)
{
	char path[64], err[256];
	if (!write_temp(path, vec_rsa_private_pem, strlen(vec_rsa_private_pem), 0600))
		return NULL;
	struct my_rsa *k = my_rsa_load(path, err, sizeof(err));
	unlink(path);
	return k;
}

static void test_rsa_load(void)
{
	char path[64], err[256];
	struct my_rsa *k;

	k = load_vector_key();
	check(k != NULL, "rsa: loads the PKCS#8 test key (mode 0600)");
	size_t len = 0;
	const char *pem = my_rsa_public_pem(k, &len);
	check(pem && len == strlen(vec_rsa_public_pem) && strcmp(pem, vec_rsa_public_pem) == 0,
		"rsa: exported public PEM equals the one Python derived");
	check(my_rsa_size(k) == 256, "rsa: 2048-bit key has 256-byte ciphertexts");
	my_rsa_free(k);

	check(write_temp(path, vec_rsa_private_pem, strlen(vec_rsa_private_pem), 0644), "rsa: temp key 0644");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && strstr(err, "others"), "rsa: world-readable key file refused");
	my_rsa_free(k);
	unlink(path);

	check(write_temp(path, vec_rsa_private_pem, strlen(vec_rsa_private_pem), 0640), "rsa: temp key 0640");
	k = my_rsa_load(path, err, sizeof(err));
	check(k != NULL, "rsa: group-readable key file accepted");
	my_rsa_free(k);
	unlink(path);

	check(write_temp(path, vec_rsa_public_pem, strlen(vec_rsa_public_pem), 0600), "rsa: temp public key");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && err[0], "rsa: a public key is not a private key");
	my_rsa_free(k);
	unlink(path);

	check(write_temp(path, "garbage\n", 8, 0600), "rsa: temp garbage");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && err[0], "rsa: garbage refused");
	my_rsa_free(k);
	unlink(path);

	k = my_rsa_load("/nonexistent/dbward.key", err, sizeof(err));
	check(!k && strstr(err, "cannot open"), "rsa: missing file refused");
	k = my_rsa_load("/tmp", err, sizeof(err));
	check(!k && strstr(err, "regular"), "rsa: directory refused");
	k = my_rsa_load(NULL, NULL, 0);
	check(!k, "rsa: NULL path refused (no error buffer)");

	EVP_PKEY *small = EVP_RSA_gen(1024);
	check(small && write_pkey_temp(path, small, NULL), "rsa: temp 1024-bit key");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && strstr(err, "1024"), "rsa: 1024-bit key refused");
	my_rsa_free(k);
	unlink(path);
	check(write_pkey_temp(path, small, EVP_aes_128_cbc()), "rsa: temp encrypted key");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && err[0], "rsa: encrypted key refused without prompting");
	my_rsa_free(k);
	unlink(path);
	EVP_PKEY_free(small);

	EVP_PKEY *ec = EVP_EC_gen("P-256");
	check(ec && write_pkey_temp(path, ec, NULL), "rsa: temp EC key");
	k = my_rsa_load(path, err, sizeof(err));
	check(!k && strstr(err, "not an RSA key"), "rsa: EC key refused");
	my_rsa_free(k);
	unlink(path);
	EVP_PKEY_free(ec);

	check(my_rsa_generate(1024) == NULL, "rsa: generating under 2048 bits refused");
	check(my_rsa_generate(MY_RSA_MAX_BITS + 8) == NULL, "rsa: generating over the maximum refused");
	check(my_rsa_public_pem(NULL, &len) == NULL && len == 0, "rsa: no key, no PEM");
	my_rsa_free(NULL);
}

static void test_rsa_vectors(void)
{
	struct my_rsa *k = load_vector_key();
	struct my_rsa *other = my_rsa_generate(2048);
	check(k && other, "rsa: vector key and a second key");
	if (!k || !other) {
		my_rsa_free(k);
		my_rsa_free(other);
		return;
	}
	for (size_t v = 0; v < NVEC; v++) {
		const struct my_auth_vector *t = &my_auth_vectors[v];
		uint8_t r[257];

		check(my_sha2_full_check(k, t->password, t->scramble, t->rsa, 256) == 1,
			"rsa: PyMySQL sha2_rsa_encrypt accepted (%s)", t->name);
		check(my_sha2_full_check(k, "wrong", t->scramble, t->rsa, 256) == 0,
			"rsa: wrong password is 0 (%s)", t->name);
		uint8_t scr2[MY_SCRAMBLE_LEN];
		memcpy(scr2, t->scramble, sizeof(scr2));
		scr2[0] ^= 0x01;
		check(my_sha2_full_check(k, t->password, scr2, t->rsa, 256) == 0,
			"rsa: another scramble is 0 (%s)", t->name);
		check(my_sha2_full_check(other, t->password, t->scramble, t->rsa, 256) == 0,
			"rsa: another key is 0 (%s)", t->name);
		memcpy(r, t->rsa, 256);
		r[100] ^= 0x40;
		check(my_sha2_full_check(k, t->password, t->scramble, r, 256) == 0,
			"rsa: corrupted ciphertext is 0 (%s)", t->name);
		check(my_sha2_full_check(k, t->password, t->scramble, t->rsa, 255) == -1,
			"rsa: truncated ciphertext is -1 (%s)", t->name);
		memcpy(r, t->rsa, 256);
		r[256] = 0;
		check(my_sha2_full_check(k, t->password, t->scramble, r, 257) == -1,
			"rsa: overlong ciphertext is -1 (%s)", t->name);

		check(my_sha2_full_step(k, t->password, t->scramble, false, t->rsa, 256) == MY_SHA2_OK,
			"full step: RSA response OK (%s)", t->name);
		check(my_sha2_full_step(k, "wrong", t->scramble, false, t->rsa, 256) == MY_SHA2_DENY,
			"full step: RSA response, wrong password DENY (%s)", t->name);
		check(my_sha2_full_step_mock(k, t->scramble, false, t->rsa, 256) == MY_SHA2_DENY,
			"full step: mock DENY on a valid ciphertext (%s)", t->name);
		check(my_sha2_full_step(k, t->password, t->scramble, true, t->rsa, 256) == MY_SHA2_DENY,
			"full step: ciphertext over TLS is taken as cleartext and DENY (%s)", t->name);
	}
	const struct my_auth_vector *t = &my_auth_vectors[0];
	const uint8_t req = MY_SHA2_REQUEST_PUBLIC_KEY;
	size_t pl = strlen(t->password);
	check(my_sha2_full_check(NULL, t->password, t->scramble, t->rsa, 256) == -1, "rsa: no key is -1");
	check(my_sha2_full_check(k, t->password, t->scramble, NULL, 256) == -1, "rsa: NULL ciphertext is -1");
	check(my_sha2_full_step(k, t->password, t->scramble, false, &req, 1) == MY_SHA2_SEND_KEY,
		"full step: key request is SEND_KEY");
	check(my_sha2_full_step_mock(k, t->scramble, false, &req, 1) == MY_SHA2_SEND_KEY,
		"full step: mock key request is SEND_KEY too");
	check(my_sha2_full_step(NULL, t->password, t->scramble, false, &req, 1) == MY_SHA2_DENY,
		"full step: key request without a key is DENY");
	check(my_sha2_full_step(NULL, t->password, t->scramble, false, t->rsa, 256) == MY_SHA2_DENY,
		"full step: ciphertext without a key is DENY");
	check(my_sha2_full_step(k, t->password, t->scramble, true, (const uint8_t *)t->password, pl + 1) ==
		MY_SHA2_OK, "full step: cleartext+NUL over TLS OK");
	check(my_sha2_full_step(k, t->password, t->scramble, true, (const uint8_t *)t->password, pl) ==
		MY_SHA2_OK, "full step: cleartext without NUL over TLS OK");
	check(my_sha2_full_step(k, t->password, t->scramble, false, (const uint8_t *)t->password, pl + 1) ==
		MY_SHA2_DENY, "full step: cleartext without TLS DENY");
	check(my_sha2_full_step(k, t->password, t->scramble, true, &req, 1) == MY_SHA2_DENY,
		"full step: key request over TLS DENY");
	check(my_sha2_full_step_mock(k, t->scramble, true, (const uint8_t *)t->password, pl + 1) ==
		MY_SHA2_DENY, "full step: mock cleartext over TLS DENY");
	check(my_sha2_full_step(k, t->password, t->scramble, false, NULL, 0) == MY_SHA2_DENY,
		"full step: empty packet DENY");
	check(my_sha2_full_step(k, "", t->scramble, true, NULL, 0) == MY_SHA2_OK,
		"full step: empty password, empty cleartext over TLS OK");
	my_rsa_free(k);
	my_rsa_free(other);
}

/* Encrypts with PyMySQL itself: the public PEM this code exports goes to
 * pymysql._auth.sha2_rsa_encrypt, the ciphertext comes back in hex. */
static bool pymysql_encrypt(const char *pem_path, const char *password, const uint8_t scr[20],
	uint8_t *out, size_t cap, size_t *out_len)
{
	char cmd[1024], scr_hex[41], line[4096];
	for (int i = 0; i < 20; i++)
		snprintf(scr_hex + 2 * i, 3, "%02x", scr[i]);
	snprintf(cmd, sizeof(cmd),
		"/usr/bin/python3 -c 'import sys; from pymysql import _auth; "
		"pem = open(sys.argv[1], \"rb\").read(); "
		"print(_auth.sha2_rsa_encrypt(sys.argv[2].encode(), bytes.fromhex(sys.argv[3]), pem).hex())' "
		"%s '%s' %s 2>/dev/null", pem_path, password, scr_hex);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	bool got = fgets(line, sizeof(line), p) != NULL;
	if (pclose(p) != 0 || !got)
		return false;
	size_t n = strcspn(line, "\n");
	if (n % 2 || n / 2 > cap)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int b;
		if (sscanf(line + 2 * i, "%2x", &b) != 1)
			return false;
		out[i] = (uint8_t)b;
	}
	*out_len = n / 2;
	return true;
}

static void test_rsa_live_pymysql(void)
{
	if (access("/usr/bin/python3", X_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import pymysql._auth, cryptography' 2>/dev/null") != 0) {
		printf("ok %d # skip no /usr/bin/python3 with pymysql and cryptography\n", ++test_no);
		return;
	}
	static const int sizes[] = {2048, 3072};
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct my_rsa *k = my_rsa_generate(sizes[s]);
		char path[64];
		size_t pem_len = 0;
		const char *pem = k ? my_rsa_public_pem(k, &pem_len) : NULL;
		check(pem && strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0,
			"live: generated %d-bit key exports a PEM", sizes[s]);
		if (!pem || !write_temp(path, pem, pem_len, 0600)) {
			my_rsa_free(k);
			continue;
		}
		uint8_t scr[MY_SCRAMBLE_LEN], enc[1024];
		size_t n = 0;
		bool ok = my_scramble_generate(scr) == 0 &&
			pymysql_encrypt(path, "live pw 42", scr, enc, sizeof(enc), &n);
		check(ok && n == my_rsa_size(k), "live: PyMySQL encrypted under the %d-bit key", sizes[s]);
		check(ok && my_sha2_full_check(k, "live pw 42", scr, enc, n) == 1,
			"live: decrypted and matched (%d bits)", sizes[s]);
		check(ok && my_sha2_full_check(k, "live pw 43", scr, enc, n) == 0,
			"live: wrong password refused (%d bits)", sizes[s]);

		/* Longest password the key carries: size - 42 bytes of OAEP room, one for the NUL. */
		char longest[512];
		size_t max = my_rsa_size(k) - 43;
		memset(longest, 'q', max);
		longest[max] = '\0';
		ok = pymysql_encrypt(path, longest, scr, enc, sizeof(enc), &n);
		check(ok && my_sha2_full_check(k, longest, scr, enc, n) == 1,
			"live: longest password (%d bits)", sizes[s]);
		unlink(path);
		my_rsa_free(k);
	}
}

struct thread_arg {
	const struct my_rsa *k;
	int good;
};

static void *decrypt_many(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 25; i++)
		for (size_t v = 0; v < NVEC; v++)
			a->good += my_sha2_full_check(a->k, my_auth_vectors[v].password,
				my_auth_vectors[v].scramble, my_auth_vectors[v].rsa, 256) == 1;
	return NULL;
}

static void test_rsa_threads(void)
{
	struct my_rsa *k = load_vector_key();
	pthread_t th[4];
	struct thread_arg args[4];
	int started = 0, good = 0;
	for (int i = 0; k && i < 4; i++) {
		args[i] = (struct thread_arg){k, 0};
		if (pthread_create(&th[i], NULL, decrypt_many, &args[i]) == 0)
			started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		good += args[i].good;
	}
	check(started == 4 && good == 4 * 25 * (int)NVEC, "rsa: one key shared by 4 threads decrypts");
	my_rsa_free(k);
}

int main(void)
{
	test_scramble();
	test_native();
	test_sha2_fast();
	test_cleartext();
	test_rsa_load();
	test_rsa_vectors();
	test_rsa_live_pymysql();
	test_rsa_threads();
	return tap_done();
}
