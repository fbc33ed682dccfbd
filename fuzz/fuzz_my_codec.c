/* libFuzzer target for the MySQL codec and reply tracker (proxy/my_codec.c,
 * proxy/my_reply.c).
 *
 * The input goes whole through every parser, as a client or server could send
 * it; command parsers also get a copy whose first byte is their command.
 * Beyond memory safety, what they return is checked against what the header
 * promises (strings and offsets inside the input, attribute blocks that
 * iterate to their end) and parsed packets are built again and re-parsed to
 * the same values. Then the input drives the reply tracker as a stream of
 * packets. A broken promise aborts so the fuzzer reports it. */
#include "proxy/my_codec.h"
#include "proxy/my_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__attribute__((noreturn))
static void fail(const char *why)
{
	fprintf(stderr, "fuzz_my_codec: %s\n", why);
	abort();
}

static void check_str(const uint8_t *p, size_t len, const char *s)
{
	const uint8_t *u = (const uint8_t *)s;
	if (!s)
		return;
	if (u < p || u >= p + len || !memchr(u, '\0', (size_t)(p + len - u)))
		fail("a returned string is not inside the input");
}

static void check_bytes(const uint8_t *p, size_t len, struct my_bytes b)
{
	if (b.len && (b.ptr < p || b.ptr > p + len || b.len > (size_t)(p + len - b.ptr)))
		fail("returned bytes are not inside the input");
}

static void check_attrs(const uint8_t *p, size_t len, struct my_bytes attrs)
{
	check_bytes(p, len, attrs);
	size_t pos = 0;
	struct my_bytes k, v;
	while (my_attr_next(attrs, &pos, &k, &v)) {
		check_bytes(attrs.ptr, attrs.len, k);
		check_bytes(attrs.ptr, attrs.len, v);
	}
	if (pos != attrs.len)
		fail("an accepted attribute block does not iterate to its end");
}

/* Removes the packet just built from OUT into a heap copy of its payload. */
static uint8_t *take_packet(struct evbuffer *out, size_t *len)
{
	uint8_t hdr[MY_HEADER_LEN];
	uint32_t n;
	uint8_t seq;
	if (evbuffer_remove(out, hdr, sizeof hdr) != (int)sizeof hdr || !my_read_header(hdr, 4, &n, &seq))
		fail("built packet without a header");
	uint8_t *p = malloc(n ? n : 1);
	if (!p || evbuffer_remove(out, p, n) != (int)n || evbuffer_get_length(out) != 0)
		fail("built packet of another length than its header says");
	*len = n;
	return p;
}

static void fuzz_server_packets(const uint8_t *p, size_t len, uint64_t caps, struct evbuffer *out)
{
	struct my_server_handshake hs, back;
	if (my_parse_server_handshake(p, len, &hs)) {
		check_str(p, len, hs.server_version);
		check_str(p, len, hs.auth_plugin);
		if (hs.scramble_len < 8 || hs.scramble_len > MY_SCRAMBLE_MAX)
			fail("scramble length out of range");
		my_put_handshake_v10(out, 0, &hs);
		size_t bl;
		uint8_t *b = take_packet(out, &bl);
		if (!my_parse_server_handshake(b, bl, &back) || back.caps != hs.caps ||
			back.conn_id != hs.conn_id || back.status != hs.status || back.charset != hs.charset ||
			strcmp(back.server_version, hs.server_version) != 0)
			fail("greeting does not survive build and parse");
		/* A scramble that ended with NUL bytes loses them to the padding. */
		if ((hs.caps & MY_CLIENT_SECURE_CONNECTION) && back.scramble_len > hs.scramble_len)
			fail("rebuilt greeting grew its scramble");
		free(b);
	}

	struct my_ok ok, ok2;
	if (my_parse_ok(p, len, caps, &ok)) {
		check_bytes(p, len, ok.info);
		check_bytes(p, len, ok.session_state);
		my_put_ok(out, 1, caps, &ok);
		size_t bl;
		uint8_t *b = take_packet(out, &bl);
		if (!my_parse_ok(b, bl, caps, &ok2) || ok2.affected_rows != ok.affected_rows ||
			ok2.last_insert_id != ok.last_insert_id || ok2.status != ok.status ||
			ok2.warnings != ok.warnings || ok2.header != ok.header)
			fail("OK does not survive build and parse");
		free(b);
	}

	struct my_err err;
	if (my_parse_err(p, len, &err)) {
		check_bytes(p, len, err.message);
		if (strlen(err.sqlstate) > 5)
			fail("SQLSTATE longer than 5");
	}
	uint16_t w, s;
	if (my_parse_eof(p, len, &w, &s) && (len >= 9 || p[0] != MY_PKT_EOF))
		fail("EOF of 9 bytes or more");
	struct my_prepare_ok po, po2;
	if (my_parse_prepare_ok(p, len, &po)) {
		my_put_prepare_ok(out, 1, &po);
		size_t bl;
		uint8_t *b = take_packet(out, &bl);
		if (!my_parse_prepare_ok(b, bl, &po2) || memcmp(&po, &po2, sizeof po) != 0)
			fail("PREPARE_OK does not survive build and parse");
		free(b);
	}
}

static void fuzz_client_packets(const uint8_t *p, size_t len, uint64_t caps, struct evbuffer *out)
{
	struct my_handshake_response hr;
	if (my_parse_handshake_response(p, len, &hr)) {
		if (hr.ssl_request != (len == MY_SSL_REQUEST_LEN))
			fail("SSLRequest of another length than 32");
		check_str(p, len, hr.user);
		check_str(p, len, hr.database);
		check_str(p, len, hr.auth_plugin);
		check_bytes(p, len, hr.auth);
		check_attrs(p, len, hr.attrs);
		if (!hr.ssl_request && !hr.user)
			fail("response without a user");
	} else if (!hr.error) {
		fail("refused response without an error");
	}

	uint8_t *c = malloc(len ? len : 1);
	if (!c)
		abort();
	if (len)
		memcpy(c, p, len);
	if (len) {
		struct my_change_user cu;
		c[0] = MY_COM_CHANGE_USER;
		if (my_parse_change_user(c, len, caps, &cu)) {
			check_str(c, len, cu.user);
			check_str(c, len, cu.database);
			check_str(c, len, cu.auth_plugin);
			check_bytes(c, len, cu.auth);
			check_attrs(c, len, cu.attrs);
		} else if (!cu.error) {
			fail("refused COM_CHANGE_USER without an error");
		}

		struct my_bytes sql;
		c[0] = MY_COM_QUERY;
		if (my_parse_query(c, len, caps, &sql))
			check_bytes(c, len, sql);

		struct my_stmt_execute ex, ex2;
		c[0] = MY_COM_STMT_EXECUTE;
		uint16_t np = len > 1 ? p[1] % 8 : 0;
		if (my_parse_stmt_execute(c, len, caps, np, &ex)) {
			if (ex.values_off > len || ex.types_off + ex.types_len > len ||
				(ex.param_count && (ex.null_bitmap_off + ex.null_bitmap_len != ex.bound_flag_off ||
					ex.bound_flag_off + 1 != ex.types_off ||
					ex.types_off + ex.types_len != ex.values_off)))
				fail("execute offsets out of order or out of the packet");
			uint8_t types[16];
			memset(types, 0x03, sizeof types);
			size_t tl = (size_t)(ex.param_count < 8 ? ex.param_count : 8) * 2;
			my_put_stmt_execute_as(out, c, len, &ex, 42, types, tl);
			size_t bl;
			uint8_t *b = take_packet(out, &bl);
			bool named = (caps & MY_CLIENT_QUERY_ATTRIBUTES) != 0;
			uint32_t id;
			if (!my_stmt_id_at(b, bl, &id) || id != 42)
				fail("rebuilt execute lost its id");
			if (!named && ex.param_count <= 8 &&
				(!my_parse_stmt_execute(b, bl, caps, np, &ex2) || ex2.param_count != ex.param_count ||
					(ex.param_count && !ex2.types_sent)))
				fail("execute with types put in does not parse with types");
			free(b);
		}
		uint32_t id;
		c[0] = MY_COM_STMT_CLOSE;
		if (my_stmt_id_at(c, len, &id) != (len >= 5))
			fail("statement id presence");
	}
	free(c);

	/* Length-encoded values and NUL strings from every start. */
	for (size_t start = 0; start < len && start < 32; start++) {
		size_t pos = start;
		uint64_t v;
		while (pos < len && my_read_lenenc(p, len, &pos, &v) >= 0)
			;
		if (pos > len)
			fail("lenenc moved past the end");
		pos = start;
		const uint8_t *sp;
		size_t sl;
		while (my_read_lenenc_str(p, len, &pos, &sp, &sl))
			check_bytes(p, len, (struct my_bytes){sp, sl});
		pos = start;
		const char *cs;
		while ((cs = my_read_cstr(p, len, &pos, NULL)) != NULL)
			check_str(p, len, cs);
	}
}

/* The input as a reply: byte 0 the command, byte 1 capability bits, then
 * packets: a length byte (0xff: a full 0xffffff-byte packet; 0xfe: 0xffffff
 * minus the next byte; else the length itself) and the packet's head. */
static void fuzz_reply(const uint8_t *data, size_t size)
{
	if (size < 2)
		return;
	uint64_t caps = MY_CLIENT_PROTOCOL_41;
	uint8_t sel = data[1];
	if (sel & 1)
		caps |= MY_CLIENT_DEPRECATE_EOF;
	if (sel & 2)
		caps |= MY_MARIADB_CLIENT_CACHE_METADATA;
	if (sel & 4)
		caps |= MY_MARIADB_CLIENT_PROGRESS;
	if (sel & 8)
		caps |= MY_CLIENT_LONG_PASSWORD;
	if (sel & 16)
		caps |= MY_CLIENT_SESSION_TRACK;
	struct my_reply r;
	my_reply_init(&r, data[0], caps);
	if (my_reply_done(&r) == my_command_has_reply(data[0]))
		fail("done at init differs from my_command_has_reply");
	size_t pos = 2;
	bool ended = false;
	uint64_t rows = 0;
	while (pos < size) {
		uint32_t len = data[pos++];
		if (len == 0xff)
			len = MY_MAX_PAYLOAD;
		else if (len == 0xfe && pos < size)
			len = MY_MAX_PAYLOAD - data[pos++];
		size_t hl = len < MY_REPLY_HEAD ? len : MY_REPLY_HEAD;
		if (hl > size - pos)
			break;
		uint8_t *h = malloc(hl ? hl : 1);
		if (!h)
			abort();
		if (hl)
			memcpy(h, data + pos, hl);
		pos += hl;
		enum my_reply_result res = my_reply_feed(&r, h, hl, len);
		free(h);
		if (ended && res != MY_REPLY_PROTOCOL_ERROR)
			fail("a packet accepted after the end of the reply");
		if (res == MY_REPLY_DONE && !my_reply_done(&r))
			fail("DONE but not done");
		if (res != MY_REPLY_DONE && my_reply_done(&r))
			fail("done but not DONE");
		if (r.rows < rows)
			fail("row count went down");
		rows = r.rows;
		if (res == MY_REPLY_DONE && r.is_error && r.err_code == 0xffff &&
			(caps & MY_MARIADB_CLIENT_PROGRESS))
			fail("a progress report ended the reply");
		if (res == MY_REPLY_DONE || res == MY_REPLY_PROTOCOL_ERROR)
			ended = true;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *out = evbuffer_new();
	if (!out)
		abort();
	/* Exact-size copy, so reading past SIZE is caught. */
	uint8_t *p = malloc(size ? size : 1);
	if (!p)
		abort();
	if (size)
		memcpy(p, data, size);
	uint64_t caps = MY_CLIENT_PROTOCOL_41 | MY_CLIENT_SECURE_CONNECTION | MY_CLIENT_PLUGIN_AUTH |
		MY_CLIENT_CONNECT_ATTRS;
	if (size && (p[size - 1] & 1))
		caps |= MY_CLIENT_SESSION_TRACK | MY_CLIENT_QUERY_ATTRIBUTES;
	fuzz_server_packets(p, size, caps, out);
	fuzz_client_packets(p, size, caps, out);
	fuzz_reply(p, size);
	free(p);
	evbuffer_free(out);
	return 0;
}
