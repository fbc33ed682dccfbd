/* Unit tests for proxy/pg_codec.c: startup packets captured from psql,
 * psycopg2 and asyncpg (tests/unit/captures), hand-made malformed packets,
 * ErrorResponse and ParameterStatus messages captured from PostgreSQL 15, and
 * the exact bytes of every builder.
 *
 * Every parse runs on an exact-size heap copy of its input, so under ASan a
 * read one byte past the given length is reported. */
#include "proxy/pg_codec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "tests/unit/captures/pg_captures.h"
#include "tests/unit/tap.h"



static uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	if (!copy)
		abort();
	if (n)
		memcpy(copy, p, n);
	return copy;
}

/* Parses a captured packet (length prefix included) from an exact-size copy.
 * The copy is returned in *KEEP: the parsed strings point into it. */
static void parse_packet(const uint8_t *pkt, size_t len, struct pg_startup *st, uint8_t **keep)
{
	if (len < 4 || pg_get_u32(pkt) != len)
		abort(); /* a broken capture, not a parser finding */
	*keep = dup_exact(pkt + 4, len - 4);
	pg_parse_startup(*keep, len - 4, st);
}

static const char *param(const struct pg_startup *st, const char *name)
{
	for (size_t i = 0; i < st->n_params; i++)
		if (strcmp(st->params[i].name, name) == 0)
			return st->params[i].value;
	return NULL;
}

/* A startup body: version, then NAME\0VALUE\0 pairs from a NULL-ended list,
 * then the final NUL when TERMINATE. Returns its length. */
static size_t build_startup(uint8_t *out, size_t cap, uint32_t version, const char *const *kv,
	bool terminate)
{
	size_t n = 4;
	pg_put_u32(out, version);
	for (size_t i = 0; kv[i]; i++) {
		size_t l = strlen(kv[i]) + 1;
		if (n + l > cap)
			abort();
		memcpy(out + n, kv[i], l);
		n += l;
	}
	if (terminate)
		out[n++] = '\0';
	return n;
}

static void parse_body(const uint8_t *body, size_t len, struct pg_startup *st, uint8_t **keep)
{
	*keep = dup_exact(body, len);
	pg_parse_startup(*keep, len, st);
}

static void test_captured_clients(void)
{
	struct pg_startup st;
	uint8_t *keep;

	parse_packet(cap_psql_startup, sizeof cap_psql_startup, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL && st.error == NULL, "psql startup parses as NORMAL");
	check(st.version == PG_PROTO_V3, "psql startup version 3.0");
	check(str_is(st.user, "app") && str_is(st.database, "app"), "psql user and database");
	check(st.n_params == 2, "psql sends 2 other params (got %zu)", st.n_params);
	check(str_is(param(&st, "options"), "-c search_path=a,b"), "psql options value kept verbatim");
	check(str_is(param(&st, "application_name"), "x"), "psql application_name");
	free(keep);

	parse_packet(cap_psycopg2_startup, sizeof cap_psycopg2_startup, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL, "psycopg2 startup parses as NORMAL");
	check(str_is(st.user, "app") && str_is(st.database, "appdb"), "psycopg2 user and database");
	check(st.n_params == 0, "psycopg2 sends no other params");
	free(keep);

	parse_packet(cap_asyncpg_startup, sizeof cap_asyncpg_startup, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL, "asyncpg startup parses as NORMAL");
	check(str_is(st.user, "app") && str_is(st.database, "app"), "asyncpg user and database");
	check(st.n_params == 2 && str_is(param(&st, "client_encoding"), "'utf-8'"),
		"asyncpg client_encoding 'utf-8' (quotes included)");
	check(str_is(param(&st, "application_name"), "ax"), "asyncpg server_settings application_name");
	check(st.params[0].name && strcmp(st.params[0].name, "client_encoding") == 0,
		"params keep the client's order");
	free(keep);
}

static void test_captured_requests(void)
{
	struct pg_startup st;
	uint8_t *keep;

	parse_packet(cap_psql_sslrequest, sizeof cap_psql_sslrequest, &st, &keep);
	check(st.kind == PG_STARTUP_SSL && st.version == PG_SSL_REQUEST_CODE,
		"psql sslmode=require sends an SSLRequest");
	free(keep);
	parse_packet(cap_asyncpg_sslrequest, sizeof cap_asyncpg_sslrequest, &st, &keep);
	check(st.kind == PG_STARTUP_SSL, "asyncpg ssl=prefer sends an SSLRequest");
	free(keep);

	/* GSSENCRequest, from the protocol documentation: length 8, code 80877104. */
	static const uint8_t gss[] = {0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x30};
	parse_packet(gss, sizeof gss, &st, &keep);
	check(st.kind == PG_STARTUP_GSSENC, "GSSENCRequest");
	free(keep);

	parse_packet(cap_psycopg2_cancel, sizeof cap_psycopg2_cancel, &st, &keep);
	check(st.kind == PG_STARTUP_CANCEL, "psycopg2 conn.cancel() sends a CancelRequest");
	check(st.cancel_pid == 4242 && st.cancel_key == 0x5ec2e7a1u,
		"CancelRequest pid and key (got %u, %#x)", st.cancel_pid, st.cancel_key);
	free(keep);

	/* The special requests have fixed sizes: anything else is malformed. */
	uint8_t body[16] = {0};
	pg_put_u32(body, PG_SSL_REQUEST_CODE);
	parse_body(body, 5, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && st.error, "SSLRequest with a trailing byte is INVALID");
	free(keep);
	pg_put_u32(body, PG_GSSENC_REQUEST_CODE);
	parse_body(body, 8, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && st.error, "GSSENCRequest with extra bytes is INVALID");
	free(keep);
	pg_put_u32(body, PG_CANCEL_REQUEST_CODE);
	parse_body(body, 8, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && st.error, "CancelRequest without its key is INVALID");
	free(keep);
	parse_body(body, 13, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && st.error, "CancelRequest one byte long is INVALID");
	free(keep);
}

static void test_malformed(void)
{
	struct pg_startup st;
	uint8_t *keep, body[2048];
	size_t n;

	/* Every strict prefix of a real packet is incomplete. */
	size_t body_len = sizeof cap_psql_startup - 4;
	bool all_invalid = true;
	for (size_t cut = 0; cut < body_len; cut++) {
		parse_body(cap_psql_startup + 4, cut, &st, &keep);
		if (st.kind != PG_STARTUP_INVALID || !st.error)
			all_invalid = false;
		free(keep);
	}
	check(all_invalid, "every truncation of the psql packet is INVALID with an error");
	parse_body(cap_psql_startup + 4, 3, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && str_is(st.error, "startup packet too short"),
		"3 bytes: too short");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3,
		(const char *const[]){"user", "app", "database", "db", NULL}, false);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && str_is(st.error, "startup packet not terminated"),
		"no final NUL: not terminated");
	free(keep);

	static const uint8_t no_value[] = {0, 3, 0, 0, 'u', 's', 'e', 'r', 0, 'a', 'p', 'p'};
	parse_body(no_value, sizeof no_value, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && str_is(st.error, "malformed startup parameter"),
		"value without its NUL: malformed parameter");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3,
		(const char *const[]){"database", "db", "application_name", "a", NULL}, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && st.error && strstr(st.error, "user"),
		"missing user: INVALID, error names the user");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3,
		(const char *const[]){"user", "", "database", "db", NULL}, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID, "empty user: INVALID");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3, (const char *const[]){"user", "bob", NULL},
		true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL && str_is(st.database, "bob"),
		"no database: defaults to the user name");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3,
		(const char *const[]){"user", "bob", "database", "", NULL}, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL && str_is(st.database, "bob"),
		"empty database: defaults to the user name");
	free(keep);

	n = build_startup(body, sizeof body, PG_PROTO_V3,
		(const char *const[]){"user", "app", NULL}, true);
	body[n++] = 'x';
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID &&
		str_is(st.error, "trailing bytes after startup parameters"),
		"a byte after the final NUL: trailing bytes");
	free(keep);
	body[n - 1] = '\0';
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID, "two final NULs: trailing bytes");
	free(keep);

	static const uint8_t empty_list[] = {0, 3, 0, 0, 0};
	parse_body(empty_list, sizeof empty_list, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID, "no parameters at all: INVALID (no user)");
	free(keep);
}

static void test_param_limit(void)
{
	struct pg_startup st;
	uint8_t *keep, body[4096];
	char names[PG_STARTUP_MAX_PARAMS + 1][16];
	const char *kv[2 * (PG_STARTUP_MAX_PARAMS + 1) + 3];
	size_t k = 0;

	kv[k++] = "user";
	kv[k++] = "app";
	for (size_t i = 0; i < PG_STARTUP_MAX_PARAMS; i++) {
		snprintf(names[i], sizeof names[i], "p%zu", i);
		kv[k++] = names[i];
		kv[k++] = "v";
	}
	kv[k] = NULL;
	size_t n = build_startup(body, sizeof body, PG_PROTO_V3, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL && st.n_params == PG_STARTUP_MAX_PARAMS,
		"%u params besides user: accepted", PG_STARTUP_MAX_PARAMS);
	check(str_is(st.params[PG_STARTUP_MAX_PARAMS - 1].name, "p63"), "last of them kept");
	free(keep);

	snprintf(names[PG_STARTUP_MAX_PARAMS], sizeof names[0], "one_more");
	kv[k++] = names[PG_STARTUP_MAX_PARAMS];
	kv[k++] = "v";
	kv[k] = NULL;
	n = build_startup(body, sizeof body, PG_PROTO_V3, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_INVALID && str_is(st.error, "too many startup parameters"),
		"%u params: too many", PG_STARTUP_MAX_PARAMS + 1);
	free(keep);
}

static void test_versions(void)
{
	struct pg_startup st;
	uint8_t *keep, body[256];
	const char *const kv[] = {"user", "app", NULL};
	size_t n;

	n = build_startup(body, sizeof body, 0x00040000u, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_BAD_VERSION && st.error, "protocol 4.0: BAD_VERSION");
	free(keep);
	n = build_startup(body, sizeof body, 0x00020000u, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_BAD_VERSION && st.version == 0x00020000u,
		"protocol 2.0: BAD_VERSION, version reported");
	free(keep);
	/* 1234.5681 is a special code of no known request (5678-5680 are). */
	n = build_startup(body, sizeof body, (1234u << 16) | 5681u, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_BAD_VERSION, "unknown request code 1234.5681: BAD_VERSION");
	free(keep);

	n = build_startup(body, sizeof body, 0x00030001u, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL && st.version == 0x00030001u && str_is(st.user, "app"),
		"protocol 3.1: accepted, version kept for negotiation");
	free(keep);
	n = build_startup(body, sizeof body, 0x0003ffffu, kv, true);
	parse_body(body, n, &st, &keep);
	check(st.kind == PG_STARTUP_NORMAL, "protocol 3.65535: accepted");
	free(keep);
}

static void test_read_cstr(void)
{
	static const uint8_t b[] = {'a', 'b', 0, 'c', 0, 'd'};
	uint8_t *copy = dup_exact(b, sizeof b);
	size_t pos = 0;
	const char *s1 = pg_read_cstr(copy, sizeof b, &pos);
	check(str_is(s1, "ab") && pos == 3, "pg_read_cstr reads and moves past the NUL");
	const char *s2 = pg_read_cstr(copy, sizeof b, &pos);
	check(str_is(s2, "c") && pos == 5, "pg_read_cstr second string");
	size_t before = pos;
	check(pg_read_cstr(copy, sizeof b, &pos) == NULL && pos == before,
		"pg_read_cstr without a terminator: NULL, position kept");
	pos = sizeof b;
	check(pg_read_cstr(copy, sizeof b, &pos) == NULL, "pg_read_cstr at the end: NULL");
	free(copy);
}

/* Body of a captured backend message (type and length checked, then skipped). */
static uint8_t *msg_body(const uint8_t *msg, size_t len, char type, size_t *body_len)
{
	if (len < 5 || msg[0] != (uint8_t)type || pg_get_u32(msg + 1) != len - 1)
		abort();
	*body_len = len - 5;
	return dup_exact(msg + 5, len - 5);
}

static void test_error_fields(void)
{
	size_t n;
	uint8_t *b = msg_body(cap_pg15_error_division_by_zero, sizeof cap_pg15_error_division_by_zero,
		'E', &n);
	check(str_is(pg_error_field(b, n, 'C'), "22012"), "PG15 1/0: SQLSTATE 22012");
	check(str_is(pg_error_field(b, n, 'M'), "division by zero"), "PG15 1/0: message");
	check(str_is(pg_error_field(b, n, 'S'), "ERROR") && str_is(pg_error_field(b, n, 'V'), "ERROR"),
		"PG15 1/0: severity S and V");
	check(str_is(pg_error_field(b, n, 'R'), "int4div"), "PG15 1/0: last field (routine)");
	check(pg_error_field(b, n, 'D') == NULL, "absent field: NULL");
	check(pg_error_field(b, n, '\0') == NULL, "code NUL is the terminator, never a field");

	/* No prefix may read past its end or return an unterminated string. */
	bool safe = true;
	for (size_t cut = 0; cut <= n; cut++) {
		uint8_t *p = dup_exact(b, cut);
		const char *r = pg_error_field(p, cut, 'R');
		if (r && (r < (const char *)p || r + strlen(r) >= (const char *)p + cut))
			safe = false;
		if (cut < n - 1 && r)
			safe = false; /* 'R' ends at n - 2 */
		free(p);
	}
	check(safe, "pg_error_field on every truncation stays inside the body");
	free(b);

	b = msg_body(cap_pg15_error_undefined_table, sizeof cap_pg15_error_undefined_table, 'E', &n);
	check(str_is(pg_error_field(b, n, 'C'), "42P01"), "PG15 missing table: SQLSTATE 42P01");
	check(str_is(pg_error_field(b, n, 'M'), "relation \"no_such_table\" does not exist"),
		"PG15 missing table: message");
	check(str_is(pg_error_field(b, n, 'P'), "15"), "PG15 missing table: position");
	free(b);

	static const uint8_t no_nul[] = {'C', '2', '2'};
	uint8_t *p = dup_exact(no_nul, sizeof no_nul);
	check(pg_error_field(p, sizeof no_nul, 'C') == NULL, "field without NUL: NULL");
	free(p);
	check(pg_error_field((const uint8_t *)"", 0, 'C') == NULL, "empty body: NULL");
}

static void test_param_status(void)
{
	size_t n;
	const char *name, *value;
	uint8_t *b = msg_body(cap_pg15_param_status_server_version,
		sizeof cap_pg15_param_status_server_version, 'S', &n);
	check(pg_parse_param_status(b, n, &name, &value) && str_is(name, "server_version") &&
		value && strncmp(value, "15.", 3) == 0, "PG15 ParameterStatus server_version 15.x");
	check(!pg_parse_param_status(b, n - 1, &name, &value), "value without NUL: false");
	free(b);

	b = msg_body(cap_pg15_param_status_datestyle, sizeof cap_pg15_param_status_datestyle, 'S', &n);
	check(pg_parse_param_status(b, n, &name, &value) && str_is(name, "DateStyle") &&
		str_is(value, "ISO, MDY"), "PG15 ParameterStatus DateStyle = ISO, MDY");
	free(b);

	static const uint8_t extra[] = {'a', 0, 'b', 0, 'c'};
	b = dup_exact(extra, sizeof extra);
	check(!pg_parse_param_status(b, sizeof extra, &name, &value), "trailing bytes: false");
	free(b);
	static const uint8_t name_only[] = {'a', 0};
	b = dup_exact(name_only, sizeof name_only);
	check(!pg_parse_param_status(b, sizeof name_only, &name, &value), "name only: false");
	free(b);
	check(!pg_parse_param_status((const uint8_t *)"", 0, &name, &value), "empty: false");
	static const uint8_t empty_value[] = {'a', 0, 0};
	b = dup_exact(empty_value, sizeof empty_value);
	check(pg_parse_param_status(b, sizeof empty_value, &name, &value) && str_is(value, ""),
		"empty value: accepted");
	free(b);
}

/* Drains BUF and compares it with WANT. */
static bool buf_is(struct evbuffer *buf, const void *want, size_t len)
{
	size_t have = evbuffer_get_length(buf);
	uint8_t *got = malloc(have ? have : 1);
	if (!got)
		abort();
	evbuffer_remove(buf, got, have);
	bool same = have == len && memcmp(got, want, len) == 0;
	if (!same) {
		printf("# got %zu bytes:", have);
		for (size_t i = 0; i < have; i++)
			printf(" %02x", got[i]);
		printf("\n");
	}
	free(got);
	return same;
}

#define BYTES(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

static void test_builders(void)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf)
		abort();

	pg_put_error(buf, "FATAL", "28P01", "bad");
	static const char err[] = "E\0\0\0\x1fSFATAL\0VFATAL\0C28P01\0Mbad\0";
	check(buf_is(buf, err, sizeof err), "pg_put_error exact bytes");

	/* Read an error back through the parser, as a client would. */
	pg_put_error(buf, "ERROR", "08P01", "dbward: \"quoted\" message");
	size_t len = evbuffer_get_length(buf);
	uint8_t *m = malloc(len);
	evbuffer_remove(buf, m, len);
	check(m[0] == 'E' && pg_get_u32(m + 1) == len - 1, "pg_put_error length field");
	check(str_is(pg_error_field(m + 5, len - 5, 'C'), "08P01") &&
		str_is(pg_error_field(m + 5, len - 5, 'M'), "dbward: \"quoted\" message") &&
		str_is(pg_error_field(m + 5, len - 5, 'V'), "ERROR"), "pg_put_error fields read back");
	free(m);

	pg_put_auth(buf, PG_AUTH_OK, NULL, 0);
	check(buf_is(buf, BYTES('R', 0, 0, 0, 8, 0, 0, 0, 0)), "pg_put_auth AuthenticationOk");
	pg_put_auth(buf, PG_AUTH_MD5, "\x01\x02\x03\x04", 4);
	check(buf_is(buf, BYTES('R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4)), "pg_put_auth md5 salt");
	pg_put_auth(buf, PG_AUTH_SASL, "SCRAM-SHA-256\0", 15);
	check(buf_is(buf, BYTES('R', 0, 0, 0, 23, 0, 0, 0, 10, 'S', 'C', 'R', 'A', 'M', '-', 'S', 'H',
		'A', '-', '2', '5', '6', 0, 0)), "pg_put_auth SASL mechanism list");
	pg_put_auth(buf, PG_AUTH_CLEARTEXT, NULL, 0);
	check(buf_is(buf, BYTES('R', 0, 0, 0, 8, 0, 0, 0, 3)), "pg_put_auth cleartext");

	/* Same bytes as PostgreSQL 15 sends. */
	pg_put_param_status(buf, "DateStyle", "ISO, MDY");
	check(buf_is(buf, cap_pg15_param_status_datestyle, sizeof cap_pg15_param_status_datestyle),
		"pg_put_param_status matches PG15's DateStyle message");
	pg_put_param_status(buf, "a", "");
	check(buf_is(buf, BYTES('S', 0, 0, 0, 7, 'a', 0, 0)), "pg_put_param_status empty value");

	pg_put_backend_key(buf, 4242, 0xdeadbeefu);
	check(buf_is(buf, BYTES('K', 0, 0, 0, 12, 0, 0, 0x10, 0x92, 0xde, 0xad, 0xbe, 0xef)),
		"pg_put_backend_key");
	pg_put_ready(buf, 'I');
	pg_put_ready(buf, 'T');
	pg_put_ready(buf, 'E');
	check(buf_is(buf, BYTES('Z', 0, 0, 0, 5, 'I', 'Z', 0, 0, 0, 5, 'T', 'Z', 0, 0, 0, 5, 'E')),
		"pg_put_ready I, T, E");
	pg_put_query(buf, "SELECT 1");
	check(buf_is(buf, BYTES('Q', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0)),
		"pg_put_query");
	pg_put_msg(buf, 'X', NULL, 0);
	check(buf_is(buf, BYTES('X', 0, 0, 0, 4)), "pg_put_msg Terminate (empty body)");

	evbuffer_free(buf);
}

static void test_ints(void)
{
	uint8_t b[4];
	pg_put_u32(b, 0x01020304u);
	check(b[0] == 1 && b[3] == 4 && pg_get_u32(b) == 0x01020304u, "u32 big-endian round trip");
	pg_put_u32(b, 0xffffffffu);
	check(pg_get_u32(b) == 0xffffffffu && pg_get_u16(b) == 0xffffu, "u32/u16 all ones");
}

int main(void)
{
	test_captured_clients();
	test_captured_requests();
	test_malformed();
	test_param_limit();
	test_versions();
	test_read_cstr();
	test_error_fields();
	test_param_status();
	test_builders();
	test_ints();
	return tap_done();
}
