#include "proxy/my_codec.h"

#include <string.h>

#include <event2/buffer.h>

/* Binary protocol value types, for walking query attribute values. */
#define TYPE_TINY 1u
#define TYPE_SHORT 2u
#define TYPE_LONG 3u
#define TYPE_FLOAT 4u
#define TYPE_DOUBLE 5u
#define TYPE_NULL 6u
#define TYPE_TIMESTAMP 7u
#define TYPE_LONGLONG 8u
#define TYPE_INT24 9u
#define TYPE_DATE 10u
#define TYPE_TIME 11u
#define TYPE_DATETIME 12u
#define TYPE_YEAR 13u

bool my_read_header(const uint8_t *buf, size_t len, uint32_t *payload_len, uint8_t *seq)
{
	if (len < MY_HEADER_LEN)
		return false;
	*payload_len = my_get_u24(buf);
	*seq = buf[3];
	return true;
}

int my_read_lenenc(const uint8_t *buf, size_t len, size_t *pos, uint64_t *value)
{
	if (*pos >= len)
		return -1;
	size_t avail = len - *pos;
	const uint8_t *p = buf + *pos;
	size_t need;
	switch (p[0]) {
	case 0xfb:
		*value = 0;
		*pos += 1;
		return MY_LENENC_NULL;
	case 0xfc:
		need = 3;
		break;
	case 0xfd:
		need = 4;
		break;
	case 0xfe:
		need = 9;
		break;
	case 0xff:
		return -1;
	default:
		*value = p[0];
		*pos += 1;
		return MY_LENENC_VALUE;
	}
	if (avail < need)
		return -1;
	if (need == 3)
		*value = my_get_u16(p + 1);
	else if (need == 4)
		*value = my_get_u24(p + 1);
	else
		*value = my_get_u64(p + 1);
	*pos += need;
	return MY_LENENC_VALUE;
}

bool my_read_lenenc_str(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **str,
	size_t *str_len)
{
	size_t at = *pos;
	uint64_t n;
	if (my_read_lenenc(buf, len, &at, &n) != MY_LENENC_VALUE || n > len - at)
		return false;
	*str = buf + at;
	*str_len = (size_t)n;
	*pos = at + (size_t)n;
	return true;
}

const char *my_read_cstr(const uint8_t *buf, size_t len, size_t *pos, size_t *str_len)
{
	if (*pos >= len)
		return NULL;
	const uint8_t *start = buf + *pos;
	const uint8_t *nul = memchr(start, '\0', len - *pos);
	if (!nul)
		return NULL;
	if (str_len)
		*str_len = (size_t)(nul - start);
	*pos = (size_t)(nul - buf) + 1;
	return (const char *)start;
}

size_t my_encode_lenenc(uint8_t out[9], uint64_t v)
{
	if (v < 0xfb) {
		out[0] = (uint8_t)v;
		return 1;
	}
	if (v <= 0xffff) {
		out[0] = 0xfc;
		my_put_u16(out + 1, (uint16_t)v);
		return 3;
	}
	if (v <= 0xffffff) {
		out[0] = 0xfd;
		my_put_u24(out + 1, (uint32_t)v);
		return 4;
	}
	out[0] = 0xfe;
	my_put_u32(out + 1, (uint32_t)v);
	my_put_u32(out + 5, (uint32_t)(v >> 32));
	return 9;
}

/* ---- Parsers ---- */

/* Fixed-size field at *POS: returns a pointer to N bytes or NULL. */
static const uint8_t *take(const uint8_t *p, size_t len, size_t *pos, size_t n)
{
	if (*pos > len || n > len - *pos)
		return NULL;
	const uint8_t *at = p + *pos;
	*pos += n;
	return at;
}

bool my_parse_server_handshake(const uint8_t *p, size_t len, struct my_server_handshake *hs)
{
	memset(hs, 0, sizeof *hs);
	size_t pos = 1;
	if (len < 1 || p[0] != 10) {
		hs->error = len && p[0] == MY_PKT_ERR ? "server sent an error instead of a greeting"
						      : "unsupported handshake protocol version";
		return false;
	}
	hs->protocol = p[0];
	hs->server_version = my_read_cstr(p, len, &pos, NULL);
	const uint8_t *f = hs->server_version ? take(p, len, &pos, 4 + 8 + 1 + 2) : NULL;
	if (!f) {
		hs->error = "truncated greeting";
		return false;
	}
	hs->conn_id = my_get_u32(f);
	memcpy(hs->scramble, f + 4, 8);
	hs->scramble_len = 8;
	uint64_t caps = my_get_u16(f + 13);
	const uint8_t *g = take(p, len, &pos, 1 + 2 + 2 + 1 + 10);
	if (!g || !(caps & MY_CLIENT_PROTOCOL_41)) {
		hs->error = "server does not speak protocol 4.1";
		return false;
	}
	hs->charset = g[0];
	hs->status = my_get_u16(g + 1);
	caps |= (uint64_t)my_get_u16(g + 3) << 16;
	if (my_caps_have_mariadb_ext(caps))
		caps |= (uint64_t)my_get_u32(g + 12) << 32;
	hs->caps = caps;
	size_t auth_len = g[5];
	if (caps & MY_CLIENT_SECURE_CONNECTION) {
		/* The second part is max(13, auth_len - 8) bytes, NUL-terminated by
		 * servers that send a 20-byte scramble. */
		size_t part2 = auth_len > 8 + 13 ? auth_len - 8 : 13;
		const uint8_t *s = take(p, len, &pos, part2);
		if (!s) {
			hs->error = "truncated greeting auth data";
			return false;
		}
		if (s[part2 - 1] == '\0')
			part2--;
		if (8 + part2 > MY_SCRAMBLE_MAX) {
			hs->error = "greeting auth data too long";
			return false;
		}
		memcpy(hs->scramble + 8, s, part2);
		hs->scramble_len = 8 + part2;
	}
	if ((caps & MY_CLIENT_PLUGIN_AUTH) && pos < len) {
		hs->auth_plugin = my_read_cstr(p, len, &pos, NULL);
		if (!hs->auth_plugin) {
			hs->error = "unterminated auth plugin name";
			return false;
		}
	}
	return true;
}

/* Walks an attribute block: it must be pairs of length-encoded strings. */
static bool attrs_valid(struct my_bytes attrs)
{
	size_t pos = 0;
	struct my_bytes k, v;
	while (my_attr_next(attrs, &pos, &k, &v))
		;
	return pos == attrs.len;
}

/* Length-encoded attribute block at *POS, when the capability says so and the
 * packet goes on. */
static bool read_attrs(const uint8_t *p, size_t len, size_t *pos, uint64_t caps,
	struct my_bytes *attrs, const char **error)
{
	attrs->ptr = NULL;
	attrs->len = 0;
	if (!(caps & MY_CLIENT_CONNECT_ATTRS) || *pos >= len)
		return true;
	if (!my_read_lenenc_str(p, len, pos, &attrs->ptr, &attrs->len)) {
		*error = "truncated connection attributes";
		return false;
	}
	if (!attrs_valid(*attrs)) {
		*error = "malformed connection attributes";
		return false;
	}
	return true;
}

bool my_parse_handshake_response(const uint8_t *p, size_t len, struct my_handshake_response *hr)
{
	memset(hr, 0, sizeof *hr);
	if (len < MY_SSL_REQUEST_LEN) {
		hr->error = "handshake response too short";
		return false;
	}
	uint64_t caps = my_get_u32(p);
	if (!(caps & MY_CLIENT_PROTOCOL_41)) {
		hr->error = "client does not speak protocol 4.1";
		return false;
	}
	if (my_caps_have_mariadb_ext(caps))
		caps |= (uint64_t)my_get_u32(p + 28) << 32;
	hr->caps = caps;
	hr->max_packet = my_get_u32(p + 4);
	hr->charset = p[8];
	if (len == MY_SSL_REQUEST_LEN) {
		if (!(caps & MY_CLIENT_SSL)) {
			hr->error = "handshake response without a user name";
			return false;
		}
		hr->ssl_request = true;
		return true;
	}
	size_t pos = MY_SSL_REQUEST_LEN;
	hr->user = my_read_cstr(p, len, &pos, NULL);
	if (!hr->user) {
		hr->error = "unterminated user name";
		return false;
	}
	if (caps & MY_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) {
		if (!my_read_lenenc_str(p, len, &pos, &hr->auth.ptr, &hr->auth.len)) {
			hr->error = "truncated auth response";
			return false;
		}
	} else if (caps & MY_CLIENT_SECURE_CONNECTION) {
		const uint8_t *n = take(p, len, &pos, 1);
		hr->auth.ptr = n ? take(p, len, &pos, *n) : NULL;
		if (!hr->auth.ptr) {
			hr->error = "truncated auth response";
			return false;
		}
		hr->auth.len = *n;
	} else {
		size_t n;
		const char *s = my_read_cstr(p, len, &pos, &n);
		if (!s) {
			hr->error = "unterminated auth response";
			return false;
		}
		hr->auth.ptr = (const uint8_t *)s;
		hr->auth.len = n;
	}
	if ((caps & MY_CLIENT_CONNECT_WITH_DB) && pos < len) {
		hr->database = my_read_cstr(p, len, &pos, NULL);
		if (!hr->database) {
			hr->error = "unterminated database name";
			return false;
		}
	}
	if ((caps & MY_CLIENT_PLUGIN_AUTH) && pos < len) {
		hr->auth_plugin = my_read_cstr(p, len, &pos, NULL);
		if (!hr->auth_plugin) {
			hr->error = "unterminated auth plugin name";
			return false;
		}
	}
	return read_attrs(p, len, &pos, caps, &hr->attrs, &hr->error);
}

bool my_parse_change_user(const uint8_t *p, size_t len, uint64_t caps, struct my_change_user *cu)
{
	memset(cu, 0, sizeof *cu);
	if (len < 1 || p[0] != MY_COM_CHANGE_USER) {
		cu->error = "not a COM_CHANGE_USER";
		return false;
	}
	size_t pos = 1;
	cu->user = my_read_cstr(p, len, &pos, NULL);
	if (!cu->user) {
		cu->error = "unterminated user name";
		return false;
	}
	if (caps & MY_CLIENT_SECURE_CONNECTION) {
		const uint8_t *n = take(p, len, &pos, 1);
		cu->auth.ptr = n ? take(p, len, &pos, *n) : NULL;
		if (!cu->auth.ptr) {
			cu->error = "truncated auth response";
			return false;
		}
		cu->auth.len = *n;
	} else {
		size_t n;
		const char *s = my_read_cstr(p, len, &pos, &n);
		if (!s) {
			cu->error = "unterminated auth response";
			return false;
		}
		cu->auth.ptr = (const uint8_t *)s;
		cu->auth.len = n;
	}
	cu->database = my_read_cstr(p, len, &pos, NULL);
	if (!cu->database) {
		cu->error = "unterminated database name";
		return false;
	}
	if (pos < len) {
		const uint8_t *cs = take(p, len, &pos, 2);
		if (!cs) {
			cu->error = "truncated character set";
			return false;
		}
		cu->has_charset = true;
		cu->charset = my_get_u16(cs);
	}
	if ((caps & MY_CLIENT_PLUGIN_AUTH) && pos < len) {
		cu->auth_plugin = my_read_cstr(p, len, &pos, NULL);
		if (!cu->auth_plugin) {
			cu->error = "unterminated auth plugin name";
			return false;
		}
	}
	return read_attrs(p, len, &pos, caps, &cu->attrs, &cu->error);
}

bool my_attr_next(struct my_bytes attrs, size_t *pos, struct my_bytes *key, struct my_bytes *value)
{
	size_t at = *pos;
	if (at >= attrs.len || !my_read_lenenc_str(attrs.ptr, attrs.len, &at, &key->ptr, &key->len) ||
		!my_read_lenenc_str(attrs.ptr, attrs.len, &at, &value->ptr, &value->len))
		return false;
	*pos = at;
	return true;
}

bool my_attr_find(struct my_bytes attrs, const char *key, struct my_bytes *value)
{
	size_t pos = 0, kl = strlen(key);
	struct my_bytes k, v;
	while (my_attr_next(attrs, &pos, &k, &v)) {
		if (k.len == kl && memcmp(k.ptr, key, kl) == 0) {
			*value = v;
			return true;
		}
	}
	return false;
}

/* Moves *POS past one binary-protocol value of TYPE. */
static bool skip_binary_value(const uint8_t *p, size_t len, size_t *pos, uint8_t type)
{
	size_t n;
	switch (type) {
	case TYPE_NULL:
		return true;
	case TYPE_TINY:
		n = 1;
		break;
	case TYPE_SHORT:
	case TYPE_YEAR:
		n = 2;
		break;
	case TYPE_LONG:
	case TYPE_INT24:
	case TYPE_FLOAT:
		n = 4;
		break;
	case TYPE_LONGLONG:
	case TYPE_DOUBLE:
		n = 8;
		break;
	case TYPE_DATE:
	case TYPE_DATETIME:
	case TYPE_TIMESTAMP:
	case TYPE_TIME: {
		const uint8_t *l = take(p, len, pos, 1);
		if (!l)
			return false;
		n = *l;
		break;
	}
	default: {
		const uint8_t *s;
		return my_read_lenenc_str(p, len, pos, &s, &n);
	}
	}
	return take(p, len, pos, n) != NULL;
}

bool my_parse_query(const uint8_t *p, size_t len, uint64_t caps, struct my_bytes *sql)
{
	if (len < 1 || (p[0] != MY_COM_QUERY && p[0] != MY_COM_STMT_PREPARE))
		return false;
	size_t pos = 1;
	if (p[0] == MY_COM_QUERY && (caps & MY_CLIENT_QUERY_ATTRIBUTES)) {
		uint64_t count, sets;
		if (my_read_lenenc(p, len, &pos, &count) != MY_LENENC_VALUE ||
			my_read_lenenc(p, len, &pos, &sets) != MY_LENENC_VALUE)
			return false;
		if (count > 0) {
			/* The bitmap must fit, which also bounds COUNT. */
			if (count > (uint64_t)(len - pos) * 8)
				return false;
			size_t bitmap_off = pos;
			const uint8_t *bound = take(p, len, &pos, (size_t)(count + 7) / 8) ?
				take(p, len, &pos, 1) : NULL;
			/* Attribute values are only walkable with their types. */
			if (!bound || *bound != 1)
				return false;
			size_t types_off = pos;
			for (uint64_t i = 0; i < count; i++) {
				const uint8_t *s;
				size_t n;
				if (!take(p, len, &pos, 2) || !my_read_lenenc_str(p, len, &pos, &s, &n))
					return false;
			}
			size_t tpos = types_off;
			for (uint64_t i = 0; i < count; i++) {
				uint8_t type = p[tpos];
				tpos += 2;
				const uint8_t *s;
				size_t n;
				if (!my_read_lenenc_str(p, len, &tpos, &s, &n))
					return false;
				bool is_null = p[bitmap_off + i / 8] & (1u << (i % 8));
				if (!is_null && !skip_binary_value(p, len, &pos, type))
					return false;
			}
		}
	}
	sql->ptr = p + pos;
	sql->len = len - pos;
	return true;
}

bool my_parse_stmt_execute(const uint8_t *p, size_t len, uint64_t caps, uint16_t num_params,
	struct my_stmt_execute *ex)
{
	memset(ex, 0, sizeof *ex);
	if (len < 10 || p[0] != MY_COM_STMT_EXECUTE)
		return false;
	ex->stmt_id = my_get_u32(p + 1);
	ex->flags = p[5];
	ex->iterations = my_get_u32(p + 6);
	size_t pos = 10;
	uint64_t count = num_params;
	bool attrs = (caps & MY_CLIENT_QUERY_ATTRIBUTES) != 0;
	if (attrs && (ex->flags & MY_PARAMETER_COUNT_AVAILABLE)) {
		if (my_read_lenenc(p, len, &pos, &count) != MY_LENENC_VALUE)
			return false;
	}
	ex->param_count = count;
	if (count == 0) {
		ex->values_off = pos;
		return true;
	}
	if (count > (uint64_t)(len - pos) * 8)
		return false;
	ex->null_bitmap_off = pos;
	ex->null_bitmap_len = (size_t)(count + 7) / 8;
	pos += ex->null_bitmap_len;
	ex->bound_flag_off = pos;
	const uint8_t *bound = take(p, len, &pos, 1);
	if (!bound || *bound > 1)
		return false;
	ex->types_sent = *bound == 1;
	ex->types_off = pos;
	if (ex->types_sent) {
		for (uint64_t i = 0; i < count; i++) {
			const uint8_t *s;
			size_t n;
			if (!take(p, len, &pos, 2) || (attrs && !my_read_lenenc_str(p, len, &pos, &s, &n)))
				return false;
		}
	}
	ex->types_len = pos - ex->types_off;
	ex->values_off = pos;
	return true;
}

static bool has_stmt_id(const uint8_t *p, size_t len)
{
	if (len < 5)
		return false;
	switch (p[0]) {
	case MY_COM_STMT_EXECUTE:
	case MY_COM_STMT_SEND_LONG_DATA:
	case MY_COM_STMT_CLOSE:
	case MY_COM_STMT_RESET:
	case MY_COM_STMT_FETCH:
	case MY_COM_STMT_BULK_EXECUTE:
		return true;
	default:
		return false;
	}
}

bool my_stmt_id_at(const uint8_t *p, size_t len, uint32_t *id)
{
	if (!has_stmt_id(p, len))
		return false;
	*id = my_get_u32(p + 1);
	return true;
}

bool my_set_stmt_id(uint8_t *p, size_t len, uint32_t id)
{
	if (!has_stmt_id(p, len))
		return false;
	my_put_u32(p + 1, id);
	return true;
}

bool my_parse_ok(const uint8_t *p, size_t len, uint64_t caps, struct my_ok *ok)
{
	memset(ok, 0, sizeof *ok);
	if (len < 1 || (p[0] != MY_PKT_OK && p[0] != MY_PKT_EOF) || len >= MY_MAX_PAYLOAD)
		return false;
	ok->header = p[0];
	size_t pos = 1;
	if (my_read_lenenc(p, len, &pos, &ok->affected_rows) != MY_LENENC_VALUE ||
		my_read_lenenc(p, len, &pos, &ok->last_insert_id) != MY_LENENC_VALUE)
		return false;
	const uint8_t *f = take(p, len, &pos, 4);
	if (!f)
		return false;
	ok->status = my_get_u16(f);
	ok->warnings = my_get_u16(f + 2);
	/* The info is length-encoded when present (MySQL and MariaDB servers alike,
	 * whatever the documentation's string<EOF> says); servers leave it out when
	 * it is empty and, under SESSION_TRACK, nothing changed. */
	if (!(caps & MY_CLIENT_SESSION_TRACK)) {
		size_t at = pos;
		if (pos < len && (!my_read_lenenc_str(p, len, &at, &ok->info.ptr, &ok->info.len) ||
			at != len)) {
			/* Some other implementation's unprefixed info. */
			ok->info.ptr = p + pos;
			ok->info.len = len - pos;
		}
		return true;
	}
	if (pos < len && !my_read_lenenc_str(p, len, &pos, &ok->info.ptr, &ok->info.len))
		return false;
	if ((ok->status & MY_SERVER_SESSION_STATE_CHANGED) && pos < len &&
		!my_read_lenenc_str(p, len, &pos, &ok->session_state.ptr, &ok->session_state.len))
		return false;
	return true;
}

bool my_parse_err(const uint8_t *p, size_t len, struct my_err *err)
{
	memset(err, 0, sizeof *err);
	if (len < 3 || p[0] != MY_PKT_ERR)
		return false;
	err->code = my_get_u16(p + 1);
	size_t pos = 3;
	if (len >= 9 && p[3] == '#') {
		memcpy(err->sqlstate, p + 4, 5);
		pos = 9;
	} else {
		memcpy(err->sqlstate, "HY000", 5);
	}
	err->message.ptr = p + pos;
	err->message.len = len - pos;
	return true;
}

bool my_parse_eof(const uint8_t *p, size_t len, uint16_t *warnings, uint16_t *status)
{
	if (len < 5 || len >= 9 || p[0] != MY_PKT_EOF)
		return false;
	*warnings = my_get_u16(p + 1);
	*status = my_get_u16(p + 3);
	return true;
}

bool my_parse_prepare_ok(const uint8_t *p, size_t len, struct my_prepare_ok *po)
{
	memset(po, 0, sizeof *po);
	if (len < 12 || len > 13 || p[0] != MY_PKT_OK)
		return false;
	po->stmt_id = my_get_u32(p + 1);
	po->num_columns = my_get_u16(p + 5);
	po->num_params = my_get_u16(p + 7);
	po->warnings = my_get_u16(p + 10);
	return true;
}

/* ---- Builders ---- */

struct piece {
	const void *ptr;
	size_t len;
};

/* Writes the concatenation of the pieces as one logical packet, split into
 * packets of MY_MAX_PAYLOAD bytes; a full packet is always followed by
 * another, empty if nothing is left. */
static uint8_t put_pieces(struct evbuffer *out, uint8_t seq, const struct piece *pc, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += pc[i].len;
	size_t pi = 0, off = 0, chunk;
	do {
		chunk = total > MY_MAX_PAYLOAD ? MY_MAX_PAYLOAD : total;
		uint8_t hdr[MY_HEADER_LEN];
		my_write_header(hdr, (uint32_t)chunk, seq++);
		evbuffer_add(out, hdr, sizeof hdr);
		total -= chunk;
		for (size_t left = chunk; left;) {
			size_t part = pc[pi].len - off;
			if (part > left)
				part = left;
			if (part)
				evbuffer_add(out, (const uint8_t *)pc[pi].ptr + off, part);
			off += part;
			left -= part;
			if (off == pc[pi].len) {
				pi++;
				off = 0;
			}
		}
	} while (chunk == MY_MAX_PAYLOAD);
	return seq;
}

uint8_t my_put_packet(struct evbuffer *out, uint8_t seq, const void *payload, size_t len)
{
	struct piece pc[1] = {{payload, len}};
	return put_pieces(out, seq, pc, 1);
}

uint8_t my_put_command(struct evbuffer *out, uint8_t cmd, const void *arg, size_t len)
{
	struct piece pc[2] = {{&cmd, 1}, {arg, len}};
	return put_pieces(out, 0, pc, 2);
}

uint8_t my_put_handshake_v10(struct evbuffer *out, uint8_t seq, const struct my_server_handshake *hs)
{
	const char *version = hs->server_version ? hs->server_version : "";
	const char *plugin = hs->auth_plugin ? hs->auth_plugin : "";
	size_t slen = hs->scramble_len;
	if (slen < 8)
		slen = 8;
	if (slen > MY_SCRAMBLE_MAX)
		slen = MY_SCRAMBLE_MAX;
	uint64_t caps = hs->caps;

	/* Connection id to the reserved bytes, with MariaDB's capabilities last. */
	uint8_t m[4 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10];
	my_put_u32(m, hs->conn_id);
	memcpy(m + 4, hs->scramble, 8);
	m[12] = 0;
	my_put_u16(m + 13, (uint16_t)caps);
	m[15] = hs->charset;
	my_put_u16(m + 16, hs->status);
	my_put_u16(m + 18, (uint16_t)(caps >> 16));
	m[20] = (caps & MY_CLIENT_PLUGIN_AUTH) ? (uint8_t)(slen + 1) : 0;
	memset(m + 21, 0, 10);
	if (my_caps_have_mariadb_ext(caps))
		my_put_u32(m + 27, (uint32_t)(caps >> 32));

	/* Second auth data part: the rest of the scramble, NUL-terminated, at
	 * least 13 bytes. */
	uint8_t part2[MY_SCRAMBLE_MAX + 13];
	size_t p2 = slen - 8;
	memcpy(part2, hs->scramble + 8, p2);
	part2[p2++] = 0;
	while (p2 < 13)
		part2[p2++] = 0;

	uint8_t proto = 10;
	struct piece pc[5] = {
		{&proto, 1},
		{version, strlen(version) + 1},
		{m, sizeof m},
		{part2, (caps & MY_CLIENT_SECURE_CONNECTION) ? p2 : 0},
		{plugin, (caps & MY_CLIENT_PLUGIN_AUTH) ? strlen(plugin) + 1 : 0},
	};
	return put_pieces(out, seq, pc, 5);
}

uint8_t my_put_ok(struct evbuffer *out, uint8_t seq, uint64_t caps, const struct my_ok *ok)
{
	uint8_t head[1 + 9 + 9 + 4 + 9];
	size_t n = 0;
	head[n++] = ok->header == MY_PKT_EOF ? MY_PKT_EOF : MY_PKT_OK;
	n += my_encode_lenenc(head + n, ok->affected_rows);
	n += my_encode_lenenc(head + n, ok->last_insert_id);
	my_put_u16(head + n, ok->status);
	my_put_u16(head + n + 2, ok->warnings);
	n += 4;
	bool state = (caps & MY_CLIENT_SESSION_TRACK) &&
		(ok->status & MY_SERVER_SESSION_STATE_CHANGED);
	uint8_t slen[9];
	size_t sl = 0;
	if (ok->info.len || state)
		n += my_encode_lenenc(head + n, ok->info.len);
	if (state)
		sl = my_encode_lenenc(slen, ok->session_state.len);
	struct piece pc[4] = {
		{head, n},
		{ok->info.ptr, ok->info.len},
		{slen, sl},
		{ok->session_state.ptr, state ? ok->session_state.len : 0},
	};
	return put_pieces(out, seq, pc, 4);
}

uint8_t my_put_err(struct evbuffer *out, uint8_t seq, uint16_t code, const char *sqlstate,
	const char *message)
{
	uint8_t head[9] = {MY_PKT_ERR, 0, 0, '#', 'H', 'Y', '0', '0', '0'};
	my_put_u16(head + 1, code);
	size_t sl = strnlen(sqlstate, 5);
	memcpy(head + 4, sqlstate, sl);
	struct piece pc[2] = {{head, sizeof head}, {message, strlen(message)}};
	return put_pieces(out, seq, pc, 2);
}

uint8_t my_put_eof(struct evbuffer *out, uint8_t seq, uint16_t warnings, uint16_t status)
{
	uint8_t p[5] = {MY_PKT_EOF};
	my_put_u16(p + 1, warnings);
	my_put_u16(p + 3, status);
	return my_put_packet(out, seq, p, sizeof p);
}

uint8_t my_put_auth_switch(struct evbuffer *out, uint8_t seq, const char *plugin, const void *data,
	size_t len)
{
	uint8_t tag = MY_PKT_EOF, nul = 0;
	struct piece pc[4] = {{&tag, 1}, {plugin, strlen(plugin) + 1}, {data, len}, {&nul, 1}};
	return put_pieces(out, seq, pc, 4);
}

uint8_t my_put_auth_more(struct evbuffer *out, uint8_t seq, const void *data, size_t len)
{
	uint8_t tag = MY_PKT_AUTH_MORE;
	struct piece pc[2] = {{&tag, 1}, {data, len}};
	return put_pieces(out, seq, pc, 2);
}

uint8_t my_put_prepare_ok(struct evbuffer *out, uint8_t seq, const struct my_prepare_ok *po)
{
	uint8_t p[12] = {MY_PKT_OK};
	my_put_u32(p + 1, po->stmt_id);
	my_put_u16(p + 5, po->num_columns);
	my_put_u16(p + 7, po->num_params);
	p[9] = 0;
	my_put_u16(p + 10, po->warnings);
	return my_put_packet(out, seq, p, sizeof p);
}

uint8_t my_put_stmt_execute_as(struct evbuffer *out, const uint8_t *p, size_t len,
	const struct my_stmt_execute *ex, uint32_t stmt_id, const uint8_t *types, size_t types_len)
{
	uint8_t head[5] = {MY_COM_STMT_EXECUTE};
	my_put_u32(head + 1, stmt_id);
	if (ex->param_count == 0 || ex->types_sent || !types) {
		struct piece pc[2] = {{head, 5}, {p + 5, len - 5}};
		return put_pieces(out, 0, pc, 2);
	}
	uint8_t bound = 1;
	struct piece pc[5] = {
		{head, 5},
		{p + 5, ex->bound_flag_off - 5},
		{&bound, 1},
		{types, types_len},
		{p + ex->values_off, len - ex->values_off},
	};
	return put_pieces(out, 0, pc, 5);
}
