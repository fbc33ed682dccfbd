/* Unit tests for proxy/error_sanitize.c: which errors are sanitized, the
 * class texts, and the rewritten messages built from real server bytes
 * (PostgreSQL 15 ErrorResponses and NoticeResponses in
 * tests/unit/captures/pg15_*.bin, every MariaDB 10.11 ERR packet of the
 * my_* captures), then from malformed ones. Each rewritten message is
 * parsed back the way a client would and checked field by field. */
#include "proxy/error_sanitize.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "proxy/my_codec.h"
#include "proxy/pg_codec.h"
#include "tests/unit/captures/my_captures.h"
#include "tests/unit/captures/pg_captures.h"
#include "tests/unit/tap.h"

#define REF "0badcafe-2a-1"

/* ---- decisions and texts ---- */

static void test_action(void)
{
	char *listed[] = { "23505", "40P01", "1062" };
	struct dw_errors_config pass = { .mode = DW_ERRORS_PASSTHROUGH, .passthrough = listed,
		.n_passthrough = 3 };
	struct dw_errors_config san = { .mode = DW_ERRORS_SANITIZE, .passthrough = listed,
		.n_passthrough = 3 };
	struct dw_errors_config none = { .mode = DW_ERRORS_SANITIZE };

	check(dw_errors_action(&pass, "42P01", 0) == DW_ERR_FORWARD &&
	      dw_errors_action(&pass, NULL, 0) == DW_ERR_FORWARD, "passthrough forwards everything");
	check(dw_errors_action(&san, "23505", 0) == DW_ERR_KEEP &&
	      dw_errors_action(&san, "40P01", 0) == DW_ERR_KEEP, "listed SQLSTATEs keep their message");
	check(dw_errors_action(&san, "42P01", 0) == DW_ERR_SANITIZE &&
	      dw_errors_action(&san, "23503", 0) == DW_ERR_SANITIZE, "others are sanitized");
	check(dw_errors_action(&san, "23000", 1062) == DW_ERR_KEEP &&
	      dw_errors_action(&san, "23000", 1452) == DW_ERR_SANITIZE &&
	      dw_errors_action(&san, "1062", 0) == DW_ERR_SANITIZE,
	      "MySQL error numbers match the error number, not the SQLSTATE");
	check(dw_errors_action(&san, "HY000", 1062) == DW_ERR_KEEP,
	      "an error number matches whatever the SQLSTATE");
	check(dw_errors_action(&san, NULL, 0) == DW_ERR_SANITIZE &&
	      dw_errors_action(&san, "2350", 0) == DW_ERR_SANITIZE &&
	      dw_errors_action(&san, "235051", 0) == DW_ERR_SANITIZE &&
	      dw_errors_action(&san, "23505\n", 0) == DW_ERR_SANITIZE,
	      "a missing or malformed SQLSTATE is always sanitized");
	check(dw_errors_action(&none, "23505", 0) == DW_ERR_SANITIZE, "empty list: all sanitized");
	check(dw_errors_sanitizing(&san) && !dw_errors_sanitizing(&pass), "dw_errors_sanitizing");
}

static void test_class_texts(void)
{
	static const char *const cases[][2] = {
		{ "23505", "integrity constraint violation" },
		{ "42P01", "syntax error or access rule violation" },
		{ "42S02", "syntax error or access rule violation" },
		{ "22012", "data exception" },
		{ "40001", "transaction rollback" },
		{ "40P01", "transaction rollback" },
		{ "53300", "insufficient resources" },
		{ "57014", "operator intervention" },
		{ "08006", "connection exception" },
		{ "25P02", "invalid transaction state" },
		{ "P0001", "PL/pgSQL error" },
		{ "XX000", "internal error" },
		{ "00000", "notice" },
		{ "01000", "warning" },
		{ "3D000", "database error" },
		{ "HY000", "database error" },
		{ "42p01", "database error" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check(str_is(dw_errors_class_text(cases[i][0]), cases[i][1]), "class of %s: %s",
		      cases[i][0], cases[i][1]);
	check(str_is(dw_errors_class_text(NULL), "database error"), "no SQLSTATE: database error");

	char msg[160];
	size_t n = dw_errors_message(msg, sizeof msg, "23505", REF);
	check(n == strlen(msg) && str_is(msg, "dbward: integrity constraint violation (ref " REF ")"),
	      "message with a reference: %s", msg);
	dw_errors_message(msg, sizeof msg, "00000", NULL);
	check(str_is(msg, "dbward: notice"), "message without a reference");
	n = dw_errors_message(msg, 12, "23505", REF);
	check(n == 11 && strlen(msg) == 11, "message cut to the buffer");
}

/* ---- PostgreSQL ---- */

struct pg_msg {
	size_t total;       /* bytes of the whole message */
	char type;
	size_t n;
	char codes[32];
	const char *values[32];
	bool well_formed;   /* length right, every field terminated, one final NUL */
};

/* Parses what OUT holds as one complete message, the way libpq does. */
static void parse_pg(struct evbuffer *out, struct pg_msg *m, uint8_t **keep)
{
	size_t total = evbuffer_get_length(out);
	uint8_t *buf = malloc(total + 1);
	memset(m, 0, sizeof *m);
	*keep = buf;
	if (!buf)
		return;
	evbuffer_remove(out, buf, total);
	m->total = total;
	buf[total] = 0xee; /* not a NUL: a missing terminator shows */
	if (total < 5 || pg_get_u32(buf + 1) != total - 1)
		return;
	m->type = (char)buf[0];
	size_t pos = 5;
	while (pos < total && buf[pos] != '\0' && m->n < 32) {
		char code = (char)buf[pos++];
		const char *v = pg_read_cstr(buf, total, &pos);
		if (!v)
			return;
		m->codes[m->n] = code;
		m->values[m->n++] = v;
	}
	m->well_formed = pos + 1 == total && buf[pos] == '\0';
}

static const char *field(const struct pg_msg *m, char code)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->codes[i] == code)
			return m->values[i];
	return NULL;
}

static bool contains(const uint8_t *hay, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; l && i + l <= n; i++)
		if (memcmp(hay + i, needle, l) == 0)
			return true;
	return false;
}

struct pg_capture {
	const char *name;
	const uint8_t *bytes;
	size_t len;
	const char *class_text;
	const char *secrets[4]; /* what the client must no longer see */
};

#define CAP(n) #n, cap_##n, sizeof cap_##n

static const struct pg_capture pg_caps[] = {
	{ CAP(pg15_error_division_by_zero), "data exception", { "division by zero", "int.c" } },
	{ CAP(pg15_error_undefined_table), "syntax error or access rule violation",
	  { "no_such_table", "parse_relation.c" } },
	{ CAP(pg15_error_unique_violation), "integrity constraint violation",
	  { "secret_accounts", "Key (id)", "public", "nbtinsert.c" } },
	{ CAP(pg15_error_not_null_violation), "integrity constraint violation",
	  { "secret_accounts", "email", "Failing row", "execMain.c" } },
	{ CAP(pg15_error_raise_exception), "PL/pgSQL error",
	  { "secret value", "secret detail", "secret hint", "inline_code_block" } },
	{ CAP(pg15_error_internal_query), "syntax error or access rule violation",
	  { "secret_missing_table", "PERFORM", "inline_code_block", "parse_relation.c" } },
	{ CAP(pg15_notice_drop_if_exists), "notice", { "secret_missing_table", "tablecmds.c" } },
};

static void test_pg_sanitize_captures(void)
{
	for (size_t i = 0; i < sizeof pg_caps / sizeof pg_caps[0]; i++) {
		const struct pg_capture *c = &pg_caps[i];
		const uint8_t *body = c->bytes + 5;
		size_t blen = c->len - 5;
		char type = (char)c->bytes[0];
		const char *ref = type == 'E' ? REF : NULL;
		struct evbuffer *out = evbuffer_new();
		struct pg_msg m;
		uint8_t *raw;
		dw_pg_error_rewrite(out, type, body, blen, DW_ERR_SANITIZE, ref);
		parse_pg(out, &m, &raw);
		char want[160];
		dw_errors_message(want, sizeof want, pg_error_field(body, blen, 'C'), ref);
		check(m.well_formed && m.type == type, "%s: sanitized message is well formed", c->name);
		check(m.n == 4 && memcmp(m.codes, "SVCM", 4) == 0,
		      "%s: exactly the fields S, V, C, M", c->name);
		check(str_is(field(&m, 'S'), pg_error_field(body, blen, 'S')) &&
		      str_is(field(&m, 'V'), pg_error_field(body, blen, 'V')) &&
		      str_is(field(&m, 'C'), pg_error_field(body, blen, 'C')),
		      "%s: severity and SQLSTATE as the server sent them", c->name);
		check(str_is(field(&m, 'M'), want) && strstr(want, c->class_text) != NULL,
		      "%s: message \"%s\"", c->name, field(&m, 'M') ? field(&m, 'M') : "(none)");
		bool clean = true;
		for (size_t k = 0; k < 4 && c->secrets[k]; k++)
			clean = clean && raw && !contains(raw, m.total, c->secrets[k]);
		check(clean, "%s: nothing of the original message is left", c->name);
		free(raw);
		evbuffer_free(out);
	}
}

/* A passthrough code keeps every field but the source ones, in order. */
static void test_pg_keep(void)
{
	const uint8_t *body = cap_pg15_error_unique_violation + 5;
	size_t blen = sizeof cap_pg15_error_unique_violation - 5;
	struct evbuffer *out = evbuffer_new();
	struct pg_msg m, orig;
	uint8_t *raw, *raw_orig;
	dw_pg_error_rewrite(out, 'E', body, blen, DW_ERR_KEEP, NULL);
	parse_pg(out, &m, &raw);
	evbuffer_add(out, cap_pg15_error_unique_violation, sizeof cap_pg15_error_unique_violation);
	parse_pg(out, &orig, &raw_orig);
	check(m.well_formed && m.type == 'E' && orig.well_formed, "kept message is well formed");
	bool same = true;
	size_t k = 0;
	for (size_t i = 0; i < orig.n; i++) {
		if (strchr("FLR", orig.codes[i]))
			continue;
		same = same && k < m.n && m.codes[k] == orig.codes[i] &&
			str_is(m.values[k], orig.values[i]);
		k++;
	}
	check(same && k == m.n && m.n == 8, "every field but F, L, R kept as it was (%zu fields)", m.n);
	check(!field(&m, 'F') && !field(&m, 'L') && !field(&m, 'R'), "no file, line, routine");
	check(str_is(field(&m, 'M'), "duplicate key value violates unique constraint "
		"\"secret_accounts_pkey\"") && str_is(field(&m, 'n'), "secret_accounts_pkey"),
	      "message and constraint name kept");
	free(raw);
	free(raw_orig);

	/* The same for a notice. */
	dw_pg_error_rewrite(out, 'N', cap_pg15_notice_drop_if_exists + 5,
		sizeof cap_pg15_notice_drop_if_exists - 5, DW_ERR_KEEP, NULL);
	parse_pg(out, &m, &raw);
	check(m.well_formed && m.type == 'N' && m.n == 4 && memcmp(m.codes, "SVCM", 4) == 0 &&
	      strstr(field(&m, 'M'), "does not exist, skipping") != NULL, "kept notice");
	free(raw);
	evbuffer_free(out);
}

/* Builds a body from "X" "value" pairs (NULL-terminated), with the final
 * NUL unless OPEN. */
static size_t make_body(uint8_t *buf, size_t cap, bool open, const char *const *pairs)
{
	size_t n = 0;
	for (size_t i = 0; pairs[i]; i++) {
		size_t l = strlen(pairs[i]) + 1;
		if (n + l > cap)
			abort();
		memcpy(buf + n, pairs[i], l);
		n += l;
	}
	if (!open)
		buf[n++] = '\0';
	return n;
}

#define PAIRS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void rewrite_made(char type, const uint8_t *body, size_t blen, enum dw_err_action action,
	struct pg_msg *m, uint8_t **raw)
{
	struct evbuffer *out = evbuffer_new();
	dw_pg_error_rewrite(out, type, body, blen, action, type == 'E' ? REF : NULL);
	parse_pg(out, m, raw);
	evbuffer_free(out);
}

static void test_pg_malformed(void)
{
	uint8_t body[600];
	struct pg_msg m;
	uint8_t *raw;
	size_t n;

	/* No SQLSTATE at all: class XX. */
	n = make_body(body, sizeof body, false, PAIRS("SERROR", "VERROR", "Msecret"));
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'C'), "XX000") &&
	      str_is(field(&m, 'M'), "dbward: internal error (ref " REF ")"),
	      "no SQLSTATE: XX000, internal error");
	free(raw);

	/* A SQLSTATE that is not one. */
	n = make_body(body, sizeof body, false, PAIRS("SERROR", "C42p01", "Msecret"));
	rewrite_made('E', body, n, DW_ERR_KEEP, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'C'), "XX000") && !contains(raw, m.total, "secret"),
	      "malformed SQLSTATE: sanitized even when asked to keep");
	free(raw);

	/* Nothing at all, and an empty body. */
	rewrite_made('E', body, 0, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && m.n == 3 && memcmp(m.codes, "SCM", 3) == 0 &&
	      str_is(field(&m, 'S'), "ERROR"), "empty body: ERROR, XX000");
	free(raw);
	body[0] = '\0';
	rewrite_made('N', body, 1, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && m.type == 'N' && str_is(field(&m, 'S'), "NOTICE") &&
	      str_is(field(&m, 'M'), "dbward: internal error"), "empty notice: NOTICE, no reference");
	free(raw);

	/* The tail without a terminator is dropped; what came before counts. */
	n = make_body(body, sizeof body, true, PAIRS("SFATAL", "VFATAL", "C57P01", "Mterminating"));
	body[n++] = 'D';
	memcpy(body + n, "unterminated secret", 19);
	n += 19;
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'S'), "FATAL") && str_is(field(&m, 'V'), "FATAL") &&
	      str_is(field(&m, 'C'), "57P01") &&
	      str_is(field(&m, 'M'), "dbward: operator intervention (ref " REF ")"),
	      "unterminated field: FATAL 57P01 kept");
	free(raw);
	rewrite_made('E', body, n, DW_ERR_KEEP, &m, &raw);
	check(m.well_formed && m.n == 4 && str_is(field(&m, 'M'), "terminating") && !field(&m, 'D'),
	      "unterminated field: kept message without the broken tail");
	free(raw);
	/* Cut inside the SQLSTATE's value. */
	n = make_body(body, sizeof body, true, PAIRS("SERROR"));
	memcpy(body + n, "C2350", 5);
	rewrite_made('E', body, n + 5, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'C'), "XX000"), "SQLSTATE cut short: XX000");
	free(raw);

	/* Severities: too long, only V, only S (servers before 9.6). */
	char longsev[100];
	memset(longsev, 'E', sizeof longsev - 1);
	longsev[0] = 'S';
	longsev[sizeof longsev - 1] = '\0';
	n = make_body(body, sizeof body, false, PAIRS(longsev, "VWARNING", "C01000", "Mx"));
	rewrite_made('N', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'S'), "WARNING") && str_is(field(&m, 'V'), "WARNING") &&
	      str_is(field(&m, 'M'), "dbward: warning"), "overlong severity: V stands in");
	free(raw);
	n = make_body(body, sizeof body, false, PAIRS(longsev, "C22012"));
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && str_is(field(&m, 'S'), "ERROR") && !field(&m, 'V'),
	      "overlong severity, no V: ERROR");
	free(raw);
	n = make_body(body, sizeof body, false, PAIRS("VERROR", "C22012"));
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && m.n == 4 && str_is(field(&m, 'S'), "ERROR") &&
	      str_is(field(&m, 'V'), "ERROR"), "only V: S from it");
	free(raw);
	n = make_body(body, sizeof body, false, PAIRS("SFEHLER", "C22012", "MDivision durch Null"));
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && m.n == 3 && str_is(field(&m, 'S'), "FEHLER") && !field(&m, 'V'),
	      "only a localized S: kept, no V added");
	free(raw);

	/* Repeated fields: the first one counts, like pg_error_field. */
	n = make_body(body, sizeof body, false, PAIRS("SERROR", "C23505", "C42P01", "Mx"));
	rewrite_made('E', body, n, DW_ERR_SANITIZE, &m, &raw);
	check(m.well_formed && m.n == 3 && str_is(field(&m, 'C'), "23505"), "first SQLSTATE counts");
	free(raw);
}

/* ---- MySQL ---- */

static void test_my_captures(void)
{
	size_t seen = 0;
	bool saw_1146 = false, saw_1062 = false;
	for (size_t c = 0; c < sizeof my_captures / sizeof my_captures[0]; c++) {
		for (size_t i = 2; i < my_captures[c].n; i++) {
			const struct my_cap_pkt *p = &my_captures[c].pkts[i];
			if (p->from != 'S' || p->len < 9 || p->data[0] != MY_PKT_ERR || p->data[3] != '#')
				continue;
			struct my_err orig;
			if (!my_parse_err(p->data, p->len, &orig))
				continue;
			seen++;
			saw_1146 |= orig.code == 1146;
			saw_1062 |= orig.code == 1062;
			struct evbuffer *out = evbuffer_new();
			bool ok = dw_my_err_rewrite(out, p->seq, p->data, p->len, REF);
			size_t total = evbuffer_get_length(out);
			uint8_t *pkt = malloc(total ? total : 1);
			evbuffer_remove(out, pkt, total);
			uint32_t plen;
			uint8_t seq;
			struct my_err got;
			bool framed = ok && my_read_header(pkt, total, &plen, &seq) &&
				plen == total - MY_HEADER_LEN && seq == p->seq;
			bool parsed = framed && my_parse_err(pkt + MY_HEADER_LEN, plen, &got);
			char want[160];
			dw_errors_message(want, sizeof want, orig.sqlstate, REF);
			check(parsed && got.code == orig.code && memcmp(got.sqlstate, orig.sqlstate, 6) == 0 &&
			      got.message.len == strlen(want) &&
			      memcmp(got.message.ptr, want, got.message.len) == 0,
			      "%s: ERR %u %s rewritten: \"%s\", length and sequence id right",
			      my_captures[c].name, orig.code, orig.sqlstate, want);
			check(!contains(pkt, total, "exist") && !contains(pkt, total, "Duplicate") &&
			      !contains(pkt, total, "appdb"), "%s: ERR %u: nothing of the original left",
			      my_captures[c].name, orig.code);
			free(pkt);
			evbuffer_free(out);
		}
	}
	check(seen >= 4 && saw_1146 && saw_1062, "the captures hold ERR packets (%zu), 1146 and 1062",
	      seen);
}

static void test_my_made(void)
{
	/* Without the SQLSTATE marker (no CLIENT_PROTOCOL_41): none added. */
	const uint8_t old[] = { 0xff, 0x48, 0x04, 'N', 'o', ' ', 't', 'a', 'b', 'l', 'e', 's' };
	struct evbuffer *out = evbuffer_new();
	check(dw_my_err_rewrite(out, 3, old, sizeof old, REF), "ERR without a SQLSTATE rewritten");
	uint8_t pkt[256];
	size_t total = evbuffer_get_length(out);
	evbuffer_remove(out, pkt, sizeof pkt);
	const char *want = "dbward: database error (ref " REF ")";
	check(total == MY_HEADER_LEN + 3 + strlen(want) && pkt[3] == 3 && pkt[4] == 0xff &&
	      pkt[5] == 0x48 && pkt[6] == 0x04 && memcmp(pkt + 7, want, strlen(want)) == 0,
	      "no marker added, error number kept");

	const uint8_t bad[] = { 0xff, 0x48 };
	check(!dw_my_err_rewrite(out, 1, bad, sizeof bad, REF) && evbuffer_get_length(out) == 0,
	      "a packet that is no ERR: refused, nothing written");
	const uint8_t notes[] = { 0x00, 0x00, 0x00 };
	check(!dw_my_err_rewrite(out, 1, notes, sizeof notes, REF) && evbuffer_get_length(out) == 0,
	      "an OK packet: refused");
	evbuffer_free(out);
}

int main(void)
{
	test_action();
	test_class_texts();
	test_pg_sanitize_captures();
	test_pg_keep();
	test_pg_malformed();
	test_my_captures();
	test_my_made();
	return tap_done();
}
