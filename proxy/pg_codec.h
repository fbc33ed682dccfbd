/* PostgreSQL wire protocol v3: parsing of client/server messages from byte
 * buffers and building of the messages dbward itself sends. No sockets here:
 * parsers take (pointer, length) and check every length; builders append to an
 * evbuffer. */
#ifndef DBWARD_PROXY_PG_CODEC_H
#define DBWARD_PROXY_PG_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define PG_PROTO_V3 196608u          /* 3.0 */
#define PG_SSL_REQUEST_CODE 80877103u
#define PG_GSSENC_REQUEST_CODE 80877104u
#define PG_CANCEL_REQUEST_CODE 80877102u

#define PG_STARTUP_MAX 8192u         /* pre-auth packets are capped */
#define PG_MSG_MAX (1024u * 1024u * 1024u - 1u) /* the server's own limit */
#define PG_STARTUP_MAX_PARAMS 64u

enum pg_startup_kind {
	PG_STARTUP_INVALID = 0,
	PG_STARTUP_NORMAL,
	PG_STARTUP_SSL,
	PG_STARTUP_GSSENC,
	PG_STARTUP_CANCEL,
	PG_STARTUP_BAD_VERSION,
};

struct pg_kv {
	const char *name;
	const char *value;
};

/* A parsed StartupMessage. Strings point into the caller's buffer, which the
 * parser requires to end with the protocol's terminating NUL. */
struct pg_startup {
	enum pg_startup_kind kind;
	uint32_t version;
	const char *user;
	const char *database;
	struct pg_kv params[PG_STARTUP_MAX_PARAMS]; /* everything but user/database */
	size_t n_params;
	uint32_t cancel_pid;
	uint32_t cancel_key;
	const char *error; /* why INVALID */
};

/* BODY is the packet after its 4-byte length (LEN bytes). */
void pg_parse_startup(const uint8_t *body, size_t len, struct pg_startup *out);

/* Reads a NUL-terminated string at *POS within [0, LEN). Returns it and moves
 * *POS past the NUL, or NULL when there is no terminator. */
const char *pg_read_cstr(const uint8_t *body, size_t len, size_t *pos);

/* Finds field CODE ('C' SQLSTATE, 'M' message, 'S' severity...) in an
 * ErrorResponse/NoticeResponse body. Returns NULL if absent or malformed. */
const char *pg_error_field(const uint8_t *body, size_t len, char code);

/* ParameterStatus body: name, value. Returns false when malformed. */
bool pg_parse_param_status(const uint8_t *body, size_t len, const char **name, const char **value);

static inline uint32_t pg_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint16_t pg_get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline void pg_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Builders. Each appends one complete message to OUT. */
void pg_put_msg(struct evbuffer *out, char type, const void *body, size_t len);
void pg_put_error(struct evbuffer *out, const char *severity, const char *sqlstate,
	const char *message);
void pg_put_auth(struct evbuffer *out, uint32_t code, const void *data, size_t len);
void pg_put_param_status(struct evbuffer *out, const char *name, const char *value);
void pg_put_backend_key(struct evbuffer *out, uint32_t pid, uint32_t key);
void pg_put_ready(struct evbuffer *out, char status);
void pg_put_query(struct evbuffer *out, const char *sql);

/* Authentication request codes. */
#define PG_AUTH_OK 0u
#define PG_AUTH_CLEARTEXT 3u
#define PG_AUTH_MD5 5u
#define PG_AUTH_SASL 10u
#define PG_AUTH_SASL_CONTINUE 11u
#define PG_AUTH_SASL_FINAL 12u

#endif
