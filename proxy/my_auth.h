/* MySQL / MariaDB client authentication, server side: the scramble,
 * mysql_native_password and caching_sha2_password (fast path, full
 * authentication in cleartext over a secure transport or RSA-encrypted
 * without one), and the process RSA key pair the latter needs.
 *
 * Pure computation on (pointer, length) buffers: no sockets, and nothing is
 * allocated per call beyond OpenSSL's own contexts, so it is unit tested and
 * fuzzed in isolation. The password is the user's configured cleartext. */
#ifndef DBWARD_PROXY_MY_AUTH_H
#define DBWARD_PROXY_MY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The scramble (nonce) sent in the handshake and in AuthSwitchRequest. Both
 * carry it followed by one NUL: MariaDB Connector/C 3.3 fails with 2012
 * "Error in server handshake" on an AuthSwitchRequest without it, for either
 * plugin. */
#ifndef MY_SCRAMBLE_LEN
#define MY_SCRAMBLE_LEN 20u
#endif

#define MY_PLUGIN_NATIVE "mysql_native_password"
#define MY_PLUGIN_CACHING_SHA2 "caching_sha2_password"

#define MY_NATIVE_RESPONSE_LEN 20
#define MY_SHA2_RESPONSE_LEN 32

/* caching_sha2_password status bytes. The server sends each as an
 * AuthMoreData packet: MY_AUTH_MORE_DATA followed by the byte (and the public
 * key is sent as MY_AUTH_MORE_DATA followed by the PEM text). The client sends
 * MY_SHA2_REQUEST_PUBLIC_KEY alone as a packet. */
#define MY_AUTH_MORE_DATA 0x01
#define MY_SHA2_REQUEST_PUBLIC_KEY 0x02
#define MY_SHA2_FAST_AUTH_SUCCESS 0x03
#define MY_SHA2_PERFORM_FULL_AUTH 0x04

/* Key sizes accepted for the RSA exchange. 8192 bits bounds the decryption
 * buffer, which lives on the stack. */
#define MY_RSA_MIN_BITS 2048
#define MY_RSA_MAX_BITS 8192
#define MY_RSA_DEFAULT_BITS 2048

/* Fills OUT with a fresh scramble the way MySQL servers make it: random bytes
 * in 1..127 other than '$', because clients treat it as a C string in places.
 * Returns 0, or -1 when no randomness is available. */
int my_scramble_generate(uint8_t out[MY_SCRAMBLE_LEN]) __attribute__((warn_unused_result));

/* mysql_native_password: RESP must be SHA1(password) XOR
 * SHA1(scramble || SHA1(SHA1(password))). An empty password is an empty
 * response (or a single NUL). Constant time for a given response length. */
bool my_native_check(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	const uint8_t *resp, size_t len);

/* The same work for an unknown user, against a per-process random password;
 * always false. */
bool my_native_mock(const uint8_t scramble[MY_SCRAMBLE_LEN], const uint8_t *resp, size_t len);

/* caching_sha2_password fast path primitive: RESP must be
 * SHA256(password) XOR SHA256(SHA256(SHA256(password)) || scramble), the
 * outer hash taken over the 32-byte double hash followed by the 20-byte
 * scramble. Constant time. False for an empty password (that case is an
 * empty response; see my_sha2_first). */
bool my_sha2_scramble_check(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	const uint8_t *resp, size_t len);

/* Cleartext password as sent over a secure transport (caching_sha2 full
 * authentication, mysql_clear_password): one trailing NUL is ignored, so it
 * is accepted with or without. Constant time; only the length can leak. */
bool my_cleartext_check(const char *password, const uint8_t *resp, size_t len);

/* The process RSA key pair for caching_sha2_password without TLS. Immutable
 * once made, so all workers share one. */
struct my_rsa;

/* Generates a fresh key pair of BITS (MY_RSA_MIN_BITS..MY_RSA_MAX_BITS).
 * NULL on failure. Takes some tens of milliseconds: do it at startup. */
struct my_rsa *my_rsa_generate(int bits) __attribute__((warn_unused_result));

/* Loads an unencrypted PEM RSA private key (PKCS#8 or PKCS#1). Refuses a file
 * that is not a regular file or is readable or writable by others, a key that
 * is not RSA, and a size outside the accepted range. NULL on failure, with the
 * reason in ERR (never any key material). */
struct my_rsa *my_rsa_load(const char *priv_pem_path, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

void my_rsa_free(struct my_rsa *k);

/* The public key as PEM ("-----BEGIN PUBLIC KEY-----", SubjectPublicKeyInfo,
 * what MySQL sends and what clients parse), NUL-terminated; *LEN gets its
 * length without the NUL. Owned by K. */
const char *my_rsa_public_pem(const struct my_rsa *k, size_t *len);

/* Size of an encrypted response: the modulus size in bytes. */
size_t my_rsa_size(const struct my_rsa *k);

/* caching_sha2 full authentication without TLS: ENC is
 * RSA-OAEP(SHA-1, MGF1-SHA-1) of (password || NUL) XOR the scramble repeated.
 * Returns 1 on a match, 0 when the password is wrong or ENC does not decrypt,
 * and -1 when ENC is not exactly my_rsa_size() bytes (or K is NULL).
 * A decryption failure is deliberately not told apart from a wrong password:
 * the caller must answer both identically (an OAEP padding oracle otherwise).
 * The longest password this carries is my_rsa_size() - 43 bytes. */
int my_sha2_full_check(const struct my_rsa *k, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], const uint8_t *enc, size_t len)
	__attribute__((warn_unused_result));

/* What the server does next in a caching_sha2_password exchange. */
enum my_sha2_next {
	MY_SHA2_OK = 0,       /* send OK */
	MY_SHA2_FAST_OK,      /* send MY_AUTH_MORE_DATA MY_SHA2_FAST_AUTH_SUCCESS, then OK */
	MY_SHA2_FULL,         /* send MY_AUTH_MORE_DATA MY_SHA2_PERFORM_FULL_AUTH, read the
	                       * next packet, pass it to my_sha2_full_step() */
	MY_SHA2_SEND_KEY,     /* send MY_AUTH_MORE_DATA + my_rsa_public_pem(), read the next
	                       * packet, pass it to my_sha2_full_step() again (once: a second
	                       * key request is the caller's to refuse) */
	MY_SHA2_DENY,         /* access denied (1045) */
};

/* The client's first caching_sha2 response (from the handshake response or
 * the AuthSwitchResponse). SECURE is true over TLS or a unix socket.
 * - empty response (or a lone NUL): OK when the password is empty, DENY
 *   otherwise (clients without a password do not go on to full
 *   authentication);
 * - a matching fast-path scramble: FAST_OK (dbward knows the password, so
 *   every user counts as cached);
 * - over a secure transport, some MariaDB Connector/C releases send the
 *   cleartext password with its NUL instead of a scramble and then wait for
 *   OK (3.3.20, Debian 12's, sends the scramble): a match is OK, and a mismatch
 *   whose length is not a scramble's is DENY;
 * - anything else: FULL. MySQL also answers a wrong scramble with full
 *   authentication, and PyMySQL 1.0.x relies on it after AuthSwitchRequest
 *   (it hashes the scramble together with its trailing NUL there). */
enum my_sha2_next my_sha2_first(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	bool secure, const uint8_t *resp, size_t len);

/* The packet after MY_SHA2_PERFORM_FULL_AUTH (or after the public key).
 * Secure transport: cleartext password, OK or DENY. Otherwise a lone
 * MY_SHA2_REQUEST_PUBLIC_KEY is SEND_KEY (DENY when K is NULL), anything else
 * is RSA-decrypted with K: OK or DENY. */
enum my_sha2_next my_sha2_full_step(const struct my_rsa *k, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len);

/* Unknown users: the same decisions and the same work as a user with a
 * (per-process random) password, never OK. */
enum my_sha2_next my_sha2_first_mock(const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure,
	const uint8_t *resp, size_t len);
enum my_sha2_next my_sha2_full_step_mock(const struct my_rsa *k,
	const uint8_t scramble[MY_SCRAMBLE_LEN], bool secure, const uint8_t *resp, size_t len);

/* The client side, for dbward's own logins to servers. Each writes what a
 * client answers for PASSWORD and returns its length (0 for an empty
 * password: the answer is empty), or -1. */
int my_native_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[MY_NATIVE_RESPONSE_LEN]) __attribute__((warn_unused_result));
int my_sha2_response(const char *password, const uint8_t scramble[MY_SCRAMBLE_LEN],
	uint8_t out[MY_SHA2_RESPONSE_LEN]) __attribute__((warn_unused_result));
/* caching_sha2_password full authentication without TLS: RSA-OAEP (SHA-1)
 * of (PASSWORD + NUL) XOR SCRAMBLE under the server's public key PEM. */
int my_sha2_rsa_encrypt(const char *pem, size_t pem_len, const char *password,
	const uint8_t scramble[MY_SCRAMBLE_LEN], uint8_t *out, size_t cap)
	__attribute__((warn_unused_result));

#endif
