/* PostgreSQL client authentication, server side: SCRAM-SHA-256 (RFC 5802 /
 * RFC 7677 as PostgreSQL uses it), md5 and cleartext checks.
 *
 * Pure computation on buffers: no sockets, no allocation beyond the state
 * struct the caller owns, so it is unit tested and fuzzed in isolation. */
#ifndef DBWARD_PROXY_PG_AUTH_H
#define DBWARD_PROXY_PG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DW_SCRAM_KEY_LEN 32
#define DW_SCRAM_SALT_LEN 16
#define DW_SCRAM_ITERATIONS 4096

/* What dbward stores for a user: derived once from the configured password. */
struct dw_scram_secret {
	uint8_t salt[DW_SCRAM_SALT_LEN];
	int iterations;
	uint8_t stored_key[DW_SCRAM_KEY_LEN];
	uint8_t server_key[DW_SCRAM_KEY_LEN];
};

/* Derives a secret with a fresh random salt. Returns 0, or -1 on failure. */
int dw_scram_secret_from_password(const char *password, struct dw_scram_secret *out)
	__attribute__((warn_unused_result));

/* Same, with a caller-chosen salt and iteration count. For tests (the
 * RFC 7677 vector fixes the salt); production code uses the function above. */
int dw_scram_secret_from_password_salt(const char *password,
	const uint8_t salt[DW_SCRAM_SALT_LEN], int iterations, struct dw_scram_secret *out)
	__attribute__((warn_unused_result));

/* Parses a stored verifier as PostgreSQL keeps it in pg_authid.rolpassword:
 * "SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>",
 * so a config can hold a verifier instead of a password. The salt must be
 * DW_SCRAM_SALT_LEN bytes (what PostgreSQL generates). Returns 0, or -1 when
 * VERIFIER is not such a string. */
int dw_scram_secret_parse(const char *verifier, struct dw_scram_secret *out)
	__attribute__((warn_unused_result));

/* A deterministic fake secret for unknown users, so the exchange looks the
 * same whether or not the user exists (salt derived from NAME and a
 * per-process random key). */
void dw_scram_secret_mock(const char *name, struct dw_scram_secret *out);

enum dw_scram_state { DW_SCRAM_INIT = 0, DW_SCRAM_SENT_FIRST, DW_SCRAM_DONE, DW_SCRAM_FAILED };

struct dw_scram_server {
	enum dw_scram_state state;
	const struct dw_scram_secret *secret;
	bool mock;                      /* unknown user: always fails at the end */
	char cbind_flag;                /* 'n' or 'y' (no channel binding) */
	char client_first_bare[512];
	size_t client_first_bare_len;
	char server_first[256];
	size_t server_first_len;
	char nonce[160];                /* client nonce + server nonce */
	size_t nonce_len;
};

/* Starts an exchange. SECRET must outlive it; for an unknown user pass a
 * dw_scram_secret_mock() secret with MOCK set, which makes the final step
 * fail whatever the proof. */
void dw_scram_server_init(struct dw_scram_server *st,
	const struct dw_scram_secret *secret, bool mock);

/* Handles the client-first-message (the SASLInitialResponse data, mechanism
 * already checked to be SCRAM-SHA-256). Writes the server-first-message into
 * OUT (NUL-terminated, *OUT_LEN excludes the NUL). Returns 0, or -1 when the
 * message is malformed or OUT is too small (the caller answers with a
 * protocol error). */
int dw_scram_server_first(struct dw_scram_server *st, const char *msg, size_t len,
	char *out, size_t cap, size_t *out_len) __attribute__((warn_unused_result));

/* Same with a caller-chosen server nonce (printable, no ','), so tests and
 * fuzzers get a reproducible exchange. Production code uses the function above. */
int dw_scram_server_first_with_nonce(struct dw_scram_server *st, const char *msg, size_t len,
	const char *server_nonce, size_t server_nonce_len,
	char *out, size_t cap, size_t *out_len) __attribute__((warn_unused_result));

/* Handles the client-final-message (SASLResponse data). On a valid proof
 * writes the server-final-message ("v=...", NUL-terminated) into OUT and
 * returns 0. Returns 1 when the proof is wrong (authentication failed) and
 * always 1 for a well-formed message in mock mode; -1 when malformed, in
 * either mode, so a malformed message tells nothing about the user. */
int dw_scram_server_final(struct dw_scram_server *st, const char *msg, size_t len,
	char *out, size_t cap, size_t *out_len) __attribute__((warn_unused_result));

/* md5 authentication: the client sends "md5" + hex(md5(hex(md5(password +
 * user)) + salt)). Returns true when RESPONSE matches (one trailing NUL, as
 * in the PasswordMessage string, is ignored). Constant time. */
bool dw_md5_check(const char *user, const char *password, const uint8_t salt[4],
	const char *response, size_t response_len);

/* Cleartext: constant-time comparison (one trailing NUL in RESPONSE is
 * ignored; only the length can leak). */
bool dw_cleartext_check(const char *password, const char *response, size_t response_len);

/* Fills BUF with N cryptographically random bytes. Returns 0, or -1. */
int dw_random_bytes(void *buf, size_t n) __attribute__((warn_unused_result));

#endif
