#include "proxy/pg_codec.h"

#include <string.h>

#include <event2/buffer.h>

const char *pg_read_cstr(const uint8_t *body, size_t len, size_t *pos)
{
	if (*pos >= len)
		return NULL;
	const uint8_t *start = body + *pos;
	const uint8_t *nul = memchr(start, '\0', len - *pos);
	if (!nul)
		return NULL;
	*pos = (size_t)(nul - body) + 1;
	return (const char *)start;
}

void pg_parse_startup(const uint8_t *body, size_t len, struct pg_startup *out)
{
	memset(out, 0, sizeof *out);
	out->kind = PG_STARTUP_INVALID;
	if (len < 4) {
		out->error = "startup packet too short";
		return;
	}
	out->version = pg_get_u32(body);
	switch (out->version) {
	case PG_SSL_REQUEST_CODE:
		out->kind = len == 4 ? PG_STARTUP_SSL : PG_STARTUP_INVALID;
		out->error = len == 4 ? NULL : "malformed SSLRequest";
		return;
	case PG_GSSENC_REQUEST_CODE:
		out->kind = len == 4 ? PG_STARTUP_GSSENC : PG_STARTUP_INVALID;
		out->error = len == 4 ? NULL : "malformed GSSENCRequest";
		return;
	case PG_CANCEL_REQUEST_CODE:
		if (len != 12) {
			out->error = "malformed CancelRequest";
			return;
		}
		out->kind = PG_STARTUP_CANCEL;
		out->cancel_pid = pg_get_u32(body + 4);
		out->cancel_key = pg_get_u32(body + 8);
		return;
	default:
		break;
	}
	if ((out->version >> 16) != 3) {
		out->kind = PG_STARTUP_BAD_VERSION;
		out->error = "unsupported frontend protocol";
		return;
	}
	/* Name/value pairs, then a final NUL. Minor versions above 0 are served as
	 * 3.0 (the caller may send NegotiateProtocolVersion). */
	size_t pos = 4;
	for (;;) {
		if (pos >= len) {
			out->error = "startup packet not terminated";
			return;
		}
		if (body[pos] == '\0') {
			if (pos + 1 != len) {
				out->error = "trailing bytes after startup parameters";
				return;
			}
			break;
		}
		const char *name = pg_read_cstr(body, len, &pos);
		const char *value = name ? pg_read_cstr(body, len, &pos) : NULL;
		if (!name || !value) {
			out->error = "malformed startup parameter";
			return;
		}
		if (strcmp(name, "user") == 0) {
			out->user = value;
		} else if (strcmp(name, "database") == 0) {
			out->database = value;
		} else {
			if (out->n_params == PG_STARTUP_MAX_PARAMS) {
				out->error = "too many startup parameters";
				return;
			}
			out->params[out->n_params].name = name;
			out->params[out->n_params].value = value;
			out->n_params++;
		}
	}
	if (!out->user || !*out->user) {
		out->error = "no PostgreSQL user name specified in startup packet";
		return;
	}
	if (!out->database || !*out->database)
		out->database = out->user;
	out->kind = PG_STARTUP_NORMAL;
	out->error = NULL;
}

const char *pg_error_field(const uint8_t *body, size_t len, char code)
{
	size_t pos = 0;
	while (pos < len && body[pos] != '\0') {
		char c = (char)body[pos++];
		const char *v = pg_read_cstr(body, len, &pos);
		if (!v)
			return NULL;
		if (c == code)
			return v;
	}
	return NULL;
}

bool pg_parse_param_status(const uint8_t *body, size_t len, const char **name, const char **value)
{
	size_t pos = 0;
	*name = pg_read_cstr(body, len, &pos);
	*value = *name ? pg_read_cstr(body, len, &pos) : NULL;
	return *name && *value && pos == len;
}

void pg_put_msg(struct evbuffer *out, char type, const void *body, size_t len)
{
	uint8_t hdr[5];
	hdr[0] = (uint8_t)type;
	pg_put_u32(hdr + 1, (uint32_t)(len + 4));
	evbuffer_add(out, hdr, 5);
	if (len)
		evbuffer_add(out, body, len);
}

void pg_put_error(struct evbuffer *out, const char *severity, const char *sqlstate,
	const char *message)
{
	size_t sl = strlen(severity), cl = strlen(sqlstate), ml = strlen(message);
	uint32_t len = (uint32_t)(4 + 2 * (1 + sl + 1) + (1 + cl + 1) + (1 + ml + 1) + 1);
	uint8_t hdr[5];
	hdr[0] = 'E';
	pg_put_u32(hdr + 1, len);
	evbuffer_add(out, hdr, 5);
	/* 'S' localized and 'V' non-localized severity, as servers since 9.6 send. */
	evbuffer_add(out, "S", 1);
	evbuffer_add(out, severity, sl + 1);
	evbuffer_add(out, "V", 1);
	evbuffer_add(out, severity, sl + 1);
	evbuffer_add(out, "C", 1);
	evbuffer_add(out, sqlstate, cl + 1);
	evbuffer_add(out, "M", 1);
	evbuffer_add(out, message, ml + 1);
	evbuffer_add(out, "", 1);
}

void pg_put_auth(struct evbuffer *out, uint32_t code, const void *data, size_t len)
{
	uint8_t hdr[9];
	hdr[0] = 'R';
	pg_put_u32(hdr + 1, (uint32_t)(8 + len));
	pg_put_u32(hdr + 5, code);
	evbuffer_add(out, hdr, 9);
	if (len)
		evbuffer_add(out, data, len);
}

void pg_put_param_status(struct evbuffer *out, const char *name, const char *value)
{
	size_t nl = strlen(name) + 1, vl = strlen(value) + 1;
	uint8_t hdr[5];
	hdr[0] = 'S';
	pg_put_u32(hdr + 1, (uint32_t)(4 + nl + vl));
	evbuffer_add(out, hdr, 5);
	evbuffer_add(out, name, nl);
	evbuffer_add(out, value, vl);
}

void pg_put_backend_key(struct evbuffer *out, uint32_t pid, uint32_t key)
{
	uint8_t m[13];
	m[0] = 'K';
	pg_put_u32(m + 1, 12);
	pg_put_u32(m + 5, pid);
	pg_put_u32(m + 9, key);
	evbuffer_add(out, m, sizeof m);
}

void pg_put_ready(struct evbuffer *out, char status)
{
	uint8_t m[6] = {'Z', 0, 0, 0, 5, (uint8_t)status};
	evbuffer_add(out, m, sizeof m);
}

void pg_put_query(struct evbuffer *out, const char *sql)
{
	pg_put_msg(out, 'Q', sql, strlen(sql) + 1);
}
