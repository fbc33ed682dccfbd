/* Unit tests for proxy/my_codec.c: packets captured between PyMySQL,
 * MySQLdb, the mariadb client, libmariadb's C API and MariaDB 10.11
 * (tests/unit/captures/my_*), hand-made malformed packets, and the exact
 * bytes of every builder (most compared with what the real server sent).
 *
 * Every parse runs on an exact-size heap copy of its input, so under ASan a
 * read one byte past the given length is reported. */
#include "proxy/my_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <openssl/evp.h>

#include "tests/unit/captures/my_captures.h"
#include "tests/unit/tap.h"

static bool bytes_are(struct my_bytes b, const char *want)
{
	return b.len == strlen(want) && (b.len == 0 || memcmp(b.ptr, want, b.len) == 0);
}

static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		abort();
	if (n)
		memcpy(copy, p, n);
	return copy;
}

/* Copies handed out by pkt(), freed at the end. */
static uint8_t *kept[256];
static size_t n_kept;

static uint8_t *keep(uint8_t *p)
{
	if (n_kept == sizeof kept / sizeof kept[0])
		abort();
	kept[n_kept++] = p;
	return p;
}

static const struct my_cap *cap(const char *name)
{
	for (size_t i = 0; i < sizeof my_captures / sizeof my_captures[0]; i++)
		if (strcmp(my_captures[i].name, name) == 0)
			return &my_captures[i];
	fprintf(stderr, "no capture %s\n", name);
	abort();
}

/* Index of the NTH (from 0) command CMD the client sent in capture C. */
static size_t find_cmd(const struct my_cap *c, uint8_t cmd, int nth)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->pkts[i].from == 'C' && c->pkts[i].seq == 0 && c->pkts[i].len &&
			c->pkts[i].data[0] == cmd && nth-- == 0)
			return i;
	fprintf(stderr, "%s: no command 0x%02x #%d\n", c->name, cmd, nth);
	abort();
}

/* Packet I of capture NAME as an exact-size heap copy; its length in *LEN. */
static uint8_t *pkt(const char *name, size_t i, size_t *len)
{
	const struct my_cap *c = cap(name);
	if (i >= c->n)
		abort();
	*len = c->pkts[i].len;
	return keep(dup_exact(c->pkts[i].data, c->pkts[i].len));
}

/* Drains OUT and compares it with a header (SEQ, length) plus WANT. */
static bool out_is(struct evbuffer *out, uint8_t seq, const uint8_t *want, size_t n)
{
	size_t got = evbuffer_get_length(out);
	uint8_t *buf = malloc(got ? got : 1);
	if (!buf)
		abort();
	evbuffer_remove(out, buf, got);
	uint8_t hdr[4];
	my_write_header(hdr, (uint32_t)n, seq);
	bool same = got == n + 4 && memcmp(buf, hdr, 4) == 0 && memcmp(buf + 4, want, n) == 0;
	if (!same) {
		fprintf(stderr, "built:");
		for (size_t i = 0; i < got; i++)
			fprintf(stderr, " %02x", buf[i]);
		fprintf(stderr, "\nwanted: %02x %02x %02x %02x", hdr[0], hdr[1], hdr[2], hdr[3]);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, " %02x", want[i]);
		fprintf(stderr, "\n");
	}
	free(buf);
	return same;
}

/* ---- framing and primitives ---- */

static void test_header(void)
{
	const uint8_t h[5] = {0x2d, 0x01, 0x00, 0x07, 0xaa};
	uint32_t len = 0;
	uint8_t seq = 0;
	check(my_read_header(h, 4, &len, &seq) && len == 301 && seq == 7, "header: length 301, seq 7");
	check(!my_read_header(h, 3, &len, &seq), "header: 3 bytes are not a header");
	uint8_t w[4];
	my_write_header(w, 0xffffff, 255);
	check(w[0] == 0xff && w[1] == 0xff && w[2] == 0xff && w[3] == 255, "header: max length written");
}

static void test_lenenc(void)
{
	const uint64_t values[] = {0, 1, 250, 251, 252, 0xffff, 0x10000, 0xffffff, 0x1000000,
		0xffffffffull, 0x100000000ull, UINT64_MAX};
	const size_t sizes[] = {1, 1, 1, 3, 3, 3, 4, 4, 9, 9, 9, 9};
	bool all = true, trunc_ok = true;
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
		uint8_t enc[9];
		size_t n = my_encode_lenenc(enc, values[i]);
		uint8_t *copy = dup_exact(enc, n);
		size_t pos = 0;
		uint64_t v = 0;
		if (n != sizes[i] || my_read_lenenc(copy, n, &pos, &v) != MY_LENENC_VALUE ||
			v != values[i] || pos != n)
			all = false;
		/* Every shorter buffer is truncation, and *POS does not move. */
		for (size_t cut = 0; cut < n; cut++) {
			pos = 0;
			if (my_read_lenenc(copy, cut, &pos, &v) != -1 || pos != 0)
				trunc_ok = false;
		}
		free(copy);
	}
	check(all, "lenenc: 1/3/4/9-byte forms round-trip at every boundary");
	check(trunc_ok, "lenenc: every truncation is -1 and leaves the position");

	uint8_t nul[1] = {0xfb}, bad[1] = {0xff};
	size_t pos = 0;
	uint64_t v = 7;
	check(my_read_lenenc(nul, 1, &pos, &v) == MY_LENENC_NULL && v == 0 && pos == 1,
		"lenenc: 0xfb is NULL");
	pos = 0;
	check(my_read_lenenc(bad, 1, &pos, &v) == -1 && pos == 0, "lenenc: 0xff is invalid");
	pos = 1;
	check(my_read_lenenc(nul, 1, &pos, &v) == -1, "lenenc: at the end is truncation");

	const uint8_t s_raw[] = {0x03, 'a', 'b', 'c', 0x02, 'x'};
	uint8_t *s = dup_exact(s_raw, sizeof s_raw);
	const uint8_t *str;
	size_t sl;
	pos = 0;
	check(my_read_lenenc_str(s, sizeof s_raw, &pos, &str, &sl) && sl == 3 &&
		memcmp(str, "abc", 3) == 0 && pos == 4, "lenenc string: read");
	check(!my_read_lenenc_str(s, sizeof s_raw, &pos, &str, &sl) && pos == 4,
		"lenenc string: length past the end refused");
	pos = 0;
	check(!my_read_lenenc_str(nul, 1, &pos, &str, &sl), "lenenc string: NULL refused");
	free(s);

	const uint8_t c_raw[] = {'a', 'b', 0, 'c'};
	uint8_t *c = dup_exact(c_raw, sizeof c_raw);
	pos = 0;
	const char *cs = my_read_cstr(c, sizeof c_raw, &pos, &sl);
	check(str_is(cs, "ab") && sl == 2 && pos == 3, "NUL string: read");
	check(!my_read_cstr(c, sizeof c_raw, &pos, &sl) && pos == 3, "NUL string: unterminated refused");
	free(c);
}

/* ---- server greeting ---- */

static void test_server_handshake(void)
{
	size_t len;
	uint8_t *p = pkt("my_pymysql_session", 0, &len);
	struct my_server_handshake hs;
	check(my_parse_server_handshake(p, len, &hs), "greeting: MariaDB 10.11's parses");
	check(str_is(hs.server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1"), "greeting: version string");
	check(hs.caps == (0x81fffffeull | (0x1dull << 32)),
		"greeting: capabilities 0x81fffffe + MariaDB extended 0x1d (%#llx)",
		(unsigned long long)hs.caps);
	check(hs.caps & MY_MARIADB_CLIENT_STMT_BULK_OPERATIONS, "greeting: bulk operations offered");
	check(hs.caps & MY_CLIENT_DEPRECATE_EOF, "greeting: MariaDB offers DEPRECATE_EOF");
	check(!(hs.caps & MY_CLIENT_LONG_PASSWORD), "greeting: MariaDB clears CLIENT_MYSQL");
	check(hs.scramble_len == 20 && memcmp(hs.scramble, p + 38, 8) == 0 &&
		memcmp(hs.scramble + 8, p + 38 + 8 + 1 + 2 + 1 + 2 + 2 + 1 + 10, 12) == 0,
		"greeting: 20-byte scramble from its two parts");
	check(hs.charset == 8 && hs.status == MY_SERVER_STATUS_AUTOCOMMIT, "greeting: charset 8, autocommit");
	check(str_is(hs.auth_plugin, "mysql_native_password"), "greeting: auth plugin");
	check(hs.conn_id == my_get_u32(p + 34), "greeting: connection id");

	/* Built back from the parsed fields, it is the same packet. */
	struct evbuffer *out = evbuffer_new();
	check(my_put_handshake_v10(out, 0, &hs) == 1 && out_is(out, 0, p, len),
		"greeting: built from its parsed fields equals the server's bytes");

	/* A MySQL-style greeting: CLIENT_LONG_PASSWORD set, filler not capabilities. */
	struct my_server_handshake my = hs;
	my.caps = (hs.caps & 0xffffffffull) | MY_CLIENT_LONG_PASSWORD;
	my_put_handshake_v10(out, 0, &my);
	size_t bl = evbuffer_get_length(out);
	uint8_t *b = malloc(bl);
	evbuffer_remove(out, b, bl);
	uint8_t *bp = dup_exact(b + 4, bl - 4);
	struct my_server_handshake back;
	check(my_parse_server_handshake(bp, bl - 4, &back) && back.caps == my.caps &&
		back.scramble_len == 20 && memcmp(back.scramble, hs.scramble, 20) == 0,
		"greeting: MySQL-style one round-trips without extended capabilities");
	free(bp);
	free(b);

	bool all_refused = true;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *t = dup_exact(p, cut);
		struct my_server_handshake th;
		/* Cut inside the plugin name: unterminated. Before it: plugin absent. */
		bool ok = my_parse_server_handshake(t, cut, &th);
		size_t plugin_at = len - sizeof "mysql_native_password";
		if (ok != (cut == plugin_at) || (!ok && !th.error))
			all_refused = false;
		free(t);
	}
	check(all_refused, "greeting: every truncation refused (but the one ending before the plugin)");

	const uint8_t err_raw[] = {0xff, 0x10, 0x04, 'T', 'o', 'o'};
	uint8_t *e = dup_exact(err_raw, sizeof err_raw);
	check(!my_parse_server_handshake(e, sizeof err_raw, &hs) && hs.error,
		"greeting: an ERR in its place refused");
	free(e);
	evbuffer_free(out);
}

/* ---- client handshake ---- */

/* mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))). */
static void native_token(const uint8_t *scramble, const char *password, uint8_t out[20])
{
	uint8_t h1[20], h2[20], buf[40];
	unsigned int n;
	EVP_Digest(password, strlen(password), h1, &n, EVP_sha1(), NULL);
	EVP_Digest(h1, 20, h2, &n, EVP_sha1(), NULL);
	memcpy(buf, scramble, 20);
	memcpy(buf + 20, h2, 20);
	EVP_Digest(buf, 40, h2, &n, EVP_sha1(), NULL);
	for (int i = 0; i < 20; i++)
		out[i] = h1[i] ^ h2[i];
}

static bool token_matches(const char *capture, struct my_bytes auth)
{
	size_t len;
	uint8_t *g = pkt(capture, 0, &len);
	struct my_server_handshake hs;
	uint8_t want[20];
	if (!my_parse_server_handshake(g, len, &hs) || auth.len != 20)
		return false;
	native_token(hs.scramble, "secret", want);
	return memcmp(auth.ptr, want, 20) == 0;
}

static size_t count_attrs(struct my_bytes attrs)
{
	size_t pos = 0, n = 0;
	struct my_bytes k, v;
	while (my_attr_next(attrs, &pos, &k, &v))
		n++;
	return n;
}

static void test_handshake_response(void)
{
	size_t len;
	struct my_handshake_response hr;
	struct my_bytes v;

	uint8_t *p = pkt("my_pymysql_session", 1, &len);
	check(my_parse_handshake_response(p, len, &hr) && !hr.ssl_request, "response: PyMySQL's parses");
	check(hr.caps == 0x003aa20dull && (hr.caps & MY_CLIENT_LONG_PASSWORD),
		"response: PyMySQL capabilities, MySQL-style (no extended ones)");
	check(hr.max_packet == 0xffffff && hr.charset == 45, "response: max packet, charset");
	check(str_is(hr.user, "app") && str_is(hr.database, "appdb") &&
		str_is(hr.auth_plugin, "mysql_native_password"), "response: user, database, plugin");
	check(token_matches("my_pymysql_session", hr.auth),
		"response: auth response is the native password token for 'secret'");
	check(my_attr_find(hr.attrs, "program_name", &v) && bytes_are(v, "captest"),
		"response: program_name attribute");
	check(my_attr_find(hr.attrs, "_client_name", &v) && bytes_are(v, "pymysql") &&
		count_attrs(hr.attrs) == 4, "response: 4 attributes, _client_name pymysql");
	check(!my_attr_find(hr.attrs, "program", &v), "response: no prefix matching of attribute keys");

	p = pkt("my_mysqldb_session", 1, &len);
	check(my_parse_handshake_response(p, len, &hr), "response: MySQLdb's (libmariadb 3.3) parses");
	check(hr.caps == (0x00bea28cull | (0x1dull << 32)),
		"response: libmariadb sends MariaDB extended capabilities 0x1d (%#llx)",
		(unsigned long long)hr.caps);
	check(hr.caps & MY_MARIADB_CLIENT_CACHE_METADATA, "response: libmariadb asks for cached metadata");
	check(!(hr.caps & MY_CLIENT_DEPRECATE_EOF), "response: libmariadb does not ask for DEPRECATE_EOF");
	check(token_matches("my_mysqldb_session", hr.auth) && str_is(hr.database, "appdb"),
		"response: MySQLdb token and database");
	check(my_attr_find(hr.attrs, "_client_name", &v) && bytes_are(v, "libmariadb") &&
		!my_attr_find(hr.attrs, "program_name", &v) && count_attrs(hr.attrs) == 6,
		"response: MySQLdb attributes, no program_name");

	p = pkt("my_cli_session", 1, &len);
	check(my_parse_handshake_response(p, len, &hr) && hr.charset == 33 &&
		token_matches("my_cli_session", hr.auth), "response: mariadb client's parses");
	check(my_attr_find(hr.attrs, "program_name", &v) && bytes_are(v, "mysql"),
		"response: mariadb client says program_name mysql");
	check(hr.caps & MY_CLIENT_LOCAL_FILES, "response: mariadb client offers LOCAL INFILE");

	p = pkt("my_raw_deprecate_eof", 1, &len);
	check(my_parse_handshake_response(p, len, &hr) && (hr.caps & MY_CLIENT_DEPRECATE_EOF) &&
		(hr.caps & MY_CLIENT_SESSION_TRACK), "response: DEPRECATE_EOF + SESSION_TRACK client");

	p = pkt("my_raw_auth_switch", 1, &len);
	check(my_parse_handshake_response(p, len, &hr) &&
		str_is(hr.auth_plugin, "caching_sha2_password") && hr.auth.len == 32,
		"response: a client starting with caching_sha2_password");

	p = pkt("my_mysqldb_ssl", 1, &len);
	check(len == MY_SSL_REQUEST_LEN && my_parse_handshake_response(p, len, &hr) &&
		hr.ssl_request && (hr.caps & MY_CLIENT_SSL) && !hr.user,
		"response: MySQLdb's 32-byte SSLRequest");
	check(hr.caps >> 32 == 0x1d && hr.charset == 45, "response: SSLRequest carries caps and charset");
	p = pkt("my_cli_ssl", 1, &len);
	check(my_parse_handshake_response(p, len, &hr) && hr.ssl_request,
		"response: mariadb --ssl SSLRequest");
	uint8_t *nossl = dup_exact(p, len);
	nossl[1] &= (uint8_t)~(MY_CLIENT_SSL >> 8);
	check(!my_parse_handshake_response(nossl, len, &hr) && hr.error,
		"response: 32 bytes without CLIENT_SSL refused");
	nossl[1] |= (uint8_t)(MY_CLIENT_SSL >> 8);
	nossl[1] &= (uint8_t)~(MY_CLIENT_PROTOCOL_41 >> 8);
	check(!my_parse_handshake_response(nossl, len, &hr) && hr.error,
		"response: pre-4.1 client refused");
	free(nossl);

	/* Every truncation of a full response: refused, or accepted with what
	 * lies inside the shorter buffer. */
	p = pkt("my_cli_session", 1, &len);
	bool safe = true;
	size_t accepted = 0;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *t = dup_exact(p, cut);
		struct my_handshake_response th;
		if (my_parse_handshake_response(t, cut, &th)) {
			accepted++;
			if (th.attrs.len && th.attrs.ptr + th.attrs.len > t + cut)
				safe = false;
			if (!th.ssl_request && th.auth.ptr + th.auth.len > t + cut)
				safe = false;
		} else if (!th.error) {
			safe = false;
		}
		free(t);
	}
	/* The cuts just before the database, the plugin and the attributes (the
	 * 32-byte prefix lacks CLIENT_SSL: no SSLRequest). */
	check(safe && accepted == 3, "response: truncations refused or accepted in bounds (%zu)", accepted);

	/* Malformed attributes are refused whole. */
	uint8_t *bad = dup_exact(p, len);
	bad[len - 10] = 0x7f; /* the last value's length, now past the block */
	check(!my_parse_handshake_response(bad, len, &hr) && hr.error,
		"response: malformed attribute block refused");
	free(bad);
}

static void test_change_user(void)
{
	const struct my_cap *c = cap("my_mysqldb_session");
	size_t i = find_cmd(c, MY_COM_CHANGE_USER, 0), len;
	uint8_t *p = pkt(c->name, i, &len);
	uint64_t caps = 0x00bea28cull & 0x81fffffeull;
	struct my_change_user cu;
	struct my_bytes v;
	check(my_parse_change_user(p, len, caps, &cu), "change user: MySQLdb's parses");
	check(str_is(cu.user, "app") && str_is(cu.database, "appdb") && cu.auth.len == 20,
		"change user: user, database, 20-byte token");
	check(cu.has_charset && cu.charset == 45 && str_is(cu.auth_plugin, "mysql_native_password"),
		"change user: charset 45, plugin");
	check(my_attr_find(cu.attrs, "_client_name", &v) && bytes_are(v, "libmariadb"),
		"change user: attributes");
	/* The token answers the greeting's scramble (the server then switched
	 * plugin anyway: the next packet). */
	check(token_matches("my_mysqldb_session", cu.auth), "change user: token for the greeting scramble");
	bool safe = true;
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *t = dup_exact(p, cut);
		struct my_change_user tc;
		if (!my_parse_change_user(t, cut, caps, &tc) && !tc.error)
			safe = false;
		free(t);
	}
	check(safe, "change user: every truncation handled");
	p[0] = MY_COM_QUERY;
	check(!my_parse_change_user(p, len, caps, &cu), "change user: other commands refused");
}

/* ---- commands ---- */

static void test_query(void)
{
	const struct my_cap *c = cap("my_pymysql_session");
	size_t len;
	uint8_t *p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 1), &len);
	struct my_bytes sql;
	check(my_parse_query(p, len, 0x003aa20d, &sql) && bytes_are(sql, "SELECT id, name FROM t ORDER BY id"),
		"query: text of a captured COM_QUERY");

	/* MySQL 8 query attributes: count 2, one set, bitmap (2nd NULL), bound,
	 * (LONG "a") (VAR_STRING "b"), value of the first, then the text. */
	const uint8_t qa_raw[] = {0x03, 0x02, 0x01, 0x02, 0x01, 0x03, 0x00, 0x01, 'a', 0xfd, 0x00,
		0x01, 'b', 0x2a, 0x00, 0x00, 0x00, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1'};
	uint8_t *qa = dup_exact(qa_raw, sizeof qa_raw);
	check(my_parse_query(qa, sizeof qa_raw, MY_CLIENT_QUERY_ATTRIBUTES, &sql) && bytes_are(sql, "SELECT 1"),
		"query: attributes skipped (one NULL, one LONG)");
	bool safe = true;
	for (size_t cut = 0; cut < sizeof qa_raw - 8; cut++) {
		uint8_t *t = dup_exact(qa_raw, cut);
		if (my_parse_query(t, cut, MY_CLIENT_QUERY_ATTRIBUTES, &sql))
			safe = false;
		free(t);
	}
	check(safe, "query: attribute block truncations refused");
	const uint8_t qa0_raw[] = {0x03, 0x00, 0x01, 'D', 'O', ' ', '1'};
	uint8_t *qa0 = dup_exact(qa0_raw, sizeof qa0_raw);
	check(my_parse_query(qa0, sizeof qa0_raw, MY_CLIENT_QUERY_ATTRIBUTES, &sql) && bytes_are(sql, "DO 1"),
		"query: zero attributes");
	check(my_parse_query(qa0, sizeof qa0_raw, 0, &sql) && sql.len == 6,
		"query: without the capability, all bytes are text");
	qa0[0] = MY_COM_STMT_PREPARE;
	check(my_parse_query(qa0, sizeof qa0_raw, MY_CLIENT_QUERY_ATTRIBUTES, &sql) && sql.len == 6,
		"query: COM_STMT_PREPARE text has no attributes");
	qa0[0] = MY_COM_PING;
	check(!my_parse_query(qa0, sizeof qa0_raw, 0, &sql), "query: other commands refused");
	c = cap("my_capi_session");
	p = pkt(c->name, find_cmd(c, MY_COM_STMT_PREPARE, 0), &len);
	check(my_parse_query(p, len, 0, &sql) && bytes_are(sql, "SELECT id, name FROM t WHERE id >= ?"),
		"query: text of a captured COM_STMT_PREPARE");
	free(qa);
	free(qa0);
}

static void test_stmt_execute(void)
{
	const struct my_cap *c = cap("my_raw_eof");
	uint64_t caps = 0x009fa20c;
	size_t len;
	struct my_stmt_execute ex;

	/* With a cursor, types sent: 17 id flags=1 iter bitmap bound=1 type value. */
	uint8_t *p = pkt(c->name, find_cmd(c, MY_COM_STMT_EXECUTE, 0), &len);
	check(my_parse_stmt_execute(p, len, caps, 1, &ex), "execute: cursor execute parses");
	check(ex.stmt_id == 1 && ex.flags == MY_CURSOR_TYPE_READ_ONLY && ex.iterations == 1 &&
		ex.param_count == 1, "execute: id 1, read-only cursor, 1 iteration, 1 param");
	check(ex.null_bitmap_off == 10 && ex.null_bitmap_len == 1 && ex.bound_flag_off == 11 &&
		ex.types_sent && ex.types_off == 12 && ex.types_len == 2 && ex.values_off == 14 &&
		p[12] == 3, "execute: offsets of bitmap, flag, types (LONG), values");
	uint8_t types[2] = {p[12], p[13]};

	/* Without types: the server reuses the ones it has; a new one would not. */
	uint8_t *q = pkt(c->name, find_cmd(c, MY_COM_STMT_EXECUTE, 1), &len);
	size_t qlen = len;
	check(my_parse_stmt_execute(q, qlen, caps, 1, &ex) && !ex.types_sent && ex.types_len == 0 &&
		ex.values_off == 12 && ex.flags == 0, "execute: re-execute without types");
	struct evbuffer *out = evbuffer_new();
	const uint8_t rebound[] = {0x17, 0x09, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0x00, 0x01, 0x03, 0x00,
		0x02, 0, 0, 0};
	check(my_put_stmt_execute_as(out, q, qlen, &ex, 9, types, 2) == 1 &&
		out_is(out, 0, rebound, sizeof rebound), "execute: rebuilt for id 9 with the types put in");
	uint8_t *same = dup_exact(q, qlen);
	my_put_u32(same + 1, 7);
	check(my_put_stmt_execute_as(out, q, qlen, &ex, 7, NULL, 0) == 1 && out_is(out, 0, same, qlen),
		"execute: rebuilt for id 7 as it was");
	free(same);

	/* libmariadb: two params, the second sent as long data. */
	const struct my_cap *ca = cap("my_capi_session");
	p = pkt(ca->name, find_cmd(ca, MY_COM_STMT_EXECUTE, 2), &len);
	check(my_parse_stmt_execute(p, len, 0x00bea28c, 2, &ex) && ex.param_count == 2 &&
		ex.types_sent && ex.types_len == 4 && ex.values_off == 16 && len - ex.values_off == 4,
		"execute: libmariadb two params, one value in the packet");
	/* No parameters: nothing after the iteration count. */
	p = pkt(ca->name, find_cmd(ca, MY_COM_STMT_EXECUTE, 3), &len);
	check(my_parse_stmt_execute(p, len, 0x00bea28c, 0, &ex) && ex.param_count == 0 &&
		ex.values_off == 10 && len == 10, "execute: no parameters");

	bool safe = true;
	p = pkt(c->name, find_cmd(c, MY_COM_STMT_EXECUTE, 0), &len);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *t = dup_exact(p, cut);
		/* Values are not checked: from offset 14 on it parses. */
		if (my_parse_stmt_execute(t, cut, caps, 1, &ex) != (cut >= 14))
			safe = false;
		free(t);
	}
	check(safe, "execute: truncations before the values refused");
	uint8_t *bad = dup_exact(p, len);
	bad[11] = 2;
	check(!my_parse_stmt_execute(bad, len, caps, 1, &ex), "execute: new-params-bound flag 2 refused");
	check(!my_parse_stmt_execute(bad, len, caps, 60000, &ex), "execute: bitmap past the end refused");
	free(bad);

	/* MySQL 8: PARAMETER_COUNT_AVAILABLE and named types. */
	const uint8_t m8_raw[] = {0x17, 1, 0, 0, 0, 0x08, 1, 0, 0, 0, 0x01, 0x00, 0x01, 0x03, 0x00,
		0x01, 'n', 5, 0, 0, 0};
	uint8_t *m8 = dup_exact(m8_raw, sizeof m8_raw);
	check(my_parse_stmt_execute(m8, sizeof m8_raw, MY_CLIENT_QUERY_ATTRIBUTES, 0, &ex) &&
		ex.param_count == 1 && ex.types_len == 4 && ex.values_off == 17,
		"execute: MySQL 8 parameter count and names");
	free(m8);
	evbuffer_free(out);
}

static void test_stmt_ids(void)
{
	const struct my_cap *c = cap("my_capi_session");
	const uint8_t cmds[] = {MY_COM_STMT_EXECUTE, MY_COM_STMT_FETCH, MY_COM_STMT_RESET,
		MY_COM_STMT_CLOSE, MY_COM_STMT_SEND_LONG_DATA, MY_COM_STMT_BULK_EXECUTE};
	const uint32_t want[] = {5, 5, 5, 5, 6, 7};
	bool all = true;
	for (size_t k = 0; k < sizeof cmds; k++) {
		size_t len;
		uint8_t *p = pkt(c->name, find_cmd(c, cmds[k], 0), &len);
		uint32_t id = 0;
		if (!my_stmt_id_at(p, len, &id) || id != want[k] || !my_set_stmt_id(p, len, 0x01020304) ||
			!my_stmt_id_at(p, len, &id) || id != 0x01020304 || p[1] != 4 || p[4] != 1)
			all = false;
	}
	check(all, "statement ids: read and rewritten in all six commands");
	size_t len;
	uint8_t *p = pkt(c->name, find_cmd(c, MY_COM_STMT_PREPARE, 0), &len);
	uint32_t id;
	check(!my_stmt_id_at(p, len, &id) && !my_set_stmt_id(p, len, 1), "statement ids: not in PREPARE");
	const uint8_t short_raw[4] = {MY_COM_STMT_CLOSE, 1, 0, 0};
	uint8_t *s = dup_exact(short_raw, 4);
	check(!my_stmt_id_at(s, 4, &id), "statement ids: short packet refused");
	free(s);
	check(my_command_has_reply(MY_COM_QUERY) && !my_command_has_reply(MY_COM_STMT_CLOSE) &&
		!my_command_has_reply(MY_COM_QUIT) && !my_command_has_reply(MY_COM_STMT_SEND_LONG_DATA),
		"commands without a reply");
	check(my_command_is_replication(MY_COM_BINLOG_DUMP) && my_command_is_replication(MY_COM_REGISTER_SLAVE) &&
		!my_command_is_replication(MY_COM_QUERY), "replication commands");
}

/* ---- server packets, parsed and built back ---- */

static void test_ok(void)
{
	struct my_ok ok;
	struct evbuffer *out = evbuffer_new();
	size_t len;
	uint64_t track = MY_CLIENT_SESSION_TRACK | MY_CLIENT_PROTOCOL_41;

	/* Login OK with session tracking: schema changed to appdb. */
	uint8_t *p = pkt("my_mysqldb_session", 2, &len);
	check(my_parse_ok(p, len, track, &ok) && ok.header == 0 && ok.affected_rows == 0 &&
		ok.status == (MY_SERVER_STATUS_AUTOCOMMIT | MY_SERVER_SESSION_STATE_CHANGED) &&
		ok.info.len == 0 && ok.session_state.len == 8 && ok.session_state.ptr[0] == 1,
		"OK: login OK with a schema session-state change");
	check(my_put_ok(out, 2, track, &ok) == 3 && out_is(out, 2, p, len), "OK: built back identical");

	/* UPDATE: affected 1, in a transaction, length-encoded info, no tracking. */
	const struct my_cap *c = cap("my_pymysql_session");
	p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 5) + 1, &len);
	check(my_parse_ok(p, len, 0x003aa20d, &ok) && ok.affected_rows == 1 &&
		ok.status == MY_SERVER_STATUS_IN_TRANS &&
		bytes_are(ok.info, "Rows matched: 1  Changed: 1  Warnings: 0"),
		"OK: UPDATE in a transaction, info");
	check(my_put_ok(out, 1, 0x003aa20d, &ok) == 2 && out_is(out, 1, p, len), "OK: UPDATE built back");

	/* SET autocommit=0 seen by MySQLdb: a system variable change. */
	c = cap("my_mysqldb_session");
	p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 0) + 1, &len);
	check(my_parse_ok(p, len, track, &ok) && ok.status == MY_SERVER_SESSION_STATE_CHANGED &&
		ok.session_state.len == 17, "OK: autocommit variable change tracked");

	/* The 0xfe OK closing a result set under DEPRECATE_EOF. */
	c = cap("my_raw_deprecate_eof");
	size_t i = find_cmd(c, MY_COM_QUERY, 0);
	p = pkt(c->name, i + 7, &len);
	check(my_parse_ok(p, len, track, &ok) && ok.header == MY_PKT_EOF &&
		ok.status == (MY_SERVER_STATUS_AUTOCOMMIT | MY_SERVER_QUERY_NO_INDEX_USED),
		"OK: 0xfe OK after rows");
	check(my_put_ok(out, 7, track, &ok) == 8 && out_is(out, 7, p, len), "OK: 0xfe OK built back");

	/* LOAD DATA's OK, last insert id. */
	p = pkt("my_pymysql_infile", 7, &len);
	check(my_parse_ok(p, len, 0x003aa28d, &ok) && ok.affected_rows == 2 &&
		bytes_are(ok.info, "Records: 2  Deleted: 0  Skipped: 0  Warnings: 0"), "OK: LOAD DATA's");

	const uint8_t big_raw[] = {0x00, 0xfc, 0x10, 0x27, 0xfe, 0, 0, 0, 0, 1, 0, 0, 0, 0x02, 0, 0, 0};
	uint8_t *big = dup_exact(big_raw, sizeof big_raw);
	check(my_parse_ok(big, sizeof big_raw, 0, &ok) && ok.affected_rows == 10000 &&
		ok.last_insert_id == 0x100000000ull && ok.warnings == 0,
		"OK: 3- and 9-byte length-encoded counts");
	check(my_put_ok(out, 1, 0, &ok) == 2 && out_is(out, 1, big, sizeof big_raw), "OK: built the same way");
	bool refused = true;
	for (size_t cut = 0; cut < sizeof big_raw; cut++) {
		uint8_t *t = dup_exact(big_raw, cut);
		if (my_parse_ok(t, cut, 0, &ok))
			refused = false;
		free(t);
	}
	check(refused, "OK: every truncation refused");
	const uint8_t raw_info[] = {0x00, 0, 0, 2, 0, 0, 0, 'h', 'i'};
	uint8_t *ri = dup_exact(raw_info, sizeof raw_info);
	check(my_parse_ok(ri, sizeof raw_info, 0, &ok) && bytes_are(ok.info, "hi"),
		"OK: unprefixed info taken as it is");
	free(ri);
	free(big);
	evbuffer_free(out);
}

static void test_err_eof_prepare(void)
{
	struct evbuffer *out = evbuffer_new();
	struct my_err err;
	size_t len;
	const struct my_cap *c = cap("my_pymysql_session");
	uint8_t *p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 2) + 1, &len);
	check(my_parse_err(p, len, &err) && err.code == 1146 && strcmp(err.sqlstate, "42S02") == 0 &&
		bytes_are(err.message, "Table 'appdb.no_such_table' doesn't exist"), "ERR: 1146 42S02");
	check(my_put_err(out, 1, 1146, "42S02", "Table 'appdb.no_such_table' doesn't exist") == 2 &&
		out_is(out, 1, p, len), "ERR: built identical");
	p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 3) + 1, &len);
	check(my_parse_err(p, len, &err) && err.code == 1062 && strcmp(err.sqlstate, "23000") == 0,
		"ERR: duplicate key 1062 23000");
	const uint8_t old_raw[] = {0xff, 0x15, 0x04, 'n', 'o'};
	uint8_t *old = dup_exact(old_raw, sizeof old_raw);
	check(my_parse_err(old, sizeof old_raw, &err) && err.code == 1045 &&
		strcmp(err.sqlstate, "HY000") == 0 && bytes_are(err.message, "no"), "ERR: without SQLSTATE");
	check(!my_parse_err(old, 2, &err), "ERR: 2 bytes refused");
	free(old);

	uint16_t w, s;
	c = cap("my_raw_eof");
	p = pkt(c->name, find_cmd(c, MY_COM_QUERY, 0) + 4, &len);
	check(my_parse_eof(p, len, &w, &s) && w == 0 && s == 0x22, "EOF: after column definitions");
	check(my_put_eof(out, 4, 0, 0x22) == 5 && out_is(out, 4, p, len), "EOF: built identical");
	const uint8_t row9[9] = {0xfe, 0, 0, 0, 0, 0, 0, 0, 0};
	check(!my_parse_eof(row9, 9, &w, &s), "EOF: 9 bytes is a row, not EOF");

	struct my_prepare_ok po;
	p = pkt(c->name, find_cmd(c, MY_COM_STMT_PREPARE, 0) + 1, &len);
	check(my_parse_prepare_ok(p, len, &po) && po.stmt_id == 1 && po.num_columns == 2 &&
		po.num_params == 1 && po.warnings == 0, "PREPARE_OK: id 1, 2 columns, 1 param");
	check(my_put_prepare_ok(out, 1, &po) == 2 && out_is(out, 1, p, len), "PREPARE_OK: built identical");
	check(!my_parse_prepare_ok(p, 11, &po), "PREPARE_OK: 11 bytes refused");

	/* AuthSwitchRequest as MariaDB sends it on COM_CHANGE_USER. */
	c = cap("my_mysqldb_session");
	p = pkt(c->name, find_cmd(c, MY_COM_CHANGE_USER, 0) + 1, &len);
	check(len == 1 + 22 + 20 + 1 && my_put_auth_switch(out, 1, "mysql_native_password", p + 23, 20) == 2 &&
		out_is(out, 1, p, len), "AuthSwitchRequest: built identical to MariaDB's");
	const uint8_t more[] = {MY_PKT_AUTH_MORE, 0x03};
	check(my_put_auth_more(out, 2, more + 1, 1) == 3 && out_is(out, 2, more, 2),
		"AuthMoreData: fast-auth-success byte");
	const uint8_t ping[] = {MY_COM_PING};
	check(my_put_command(out, MY_COM_PING, NULL, 0) == 1 && out_is(out, 0, ping, 1), "command: COM_PING");
	evbuffer_free(out);
}

/* Payloads of 0xffffff bytes or more are split; a full last packet is
 * followed by an empty one. */
static void test_split(void)
{
	struct evbuffer *out = evbuffer_new();
	size_t big = MY_MAX_PAYLOAD + 5;
	uint8_t *data = malloc(big);
	for (size_t i = 0; i < big; i++)
		data[i] = (uint8_t)i;
	uint8_t hdr[4];

	check(my_put_packet(out, 3, data, MY_MAX_PAYLOAD) == 5 &&
		evbuffer_get_length(out) == MY_MAX_PAYLOAD + 8, "split: exactly 0xffffff makes two packets");
	evbuffer_copyout(out, hdr, 4);
	bool first = hdr[0] == 0xff && hdr[1] == 0xff && hdr[2] == 0xff && hdr[3] == 3;
	evbuffer_drain(out, 4 + MY_MAX_PAYLOAD);
	evbuffer_remove(out, hdr, 4);
	check(first && hdr[0] == 0 && hdr[1] == 0 && hdr[2] == 0 && hdr[3] == 4,
		"split: full packet seq 3, then empty seq 4");

	check(my_put_command(out, MY_COM_QUERY, data, big - 1) == 2, "split: command of 0xffffff+5 bytes");
	evbuffer_remove(out, hdr, 4);
	uint8_t b0;
	evbuffer_remove(out, &b0, 1);
	first = hdr[3] == 0 && my_get_u24(hdr) == MY_MAX_PAYLOAD && b0 == MY_COM_QUERY;
	evbuffer_drain(out, MY_MAX_PAYLOAD - 1);
	evbuffer_remove(out, hdr, 4);
	uint8_t tail[5];
	evbuffer_remove(out, tail, 5);
	check(first && hdr[3] == 1 && my_get_u24(hdr) == 5 && tail[4] == data[big - 2] &&
		evbuffer_get_length(out) == 0, "split: second packet carries the last 5 bytes");
	check(my_put_packet(out, 255, NULL, 0) == 0 && evbuffer_get_length(out) == 4,
		"split: empty payload, sequence id wraps");
	free(data);
	evbuffer_free(out);
}

int main(void)
{
	test_header();
	test_lenenc();
	test_server_handshake();
	test_handshake_response();
	test_change_user();
	test_query();
	test_stmt_execute();
	test_stmt_ids();
	test_ok();
	test_err_eof_prepare();
	test_split();
	for (size_t i = 0; i < n_kept; i++)
		free(kept[i]);
	return tap_done();
}
