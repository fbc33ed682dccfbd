/* Unit tests for proxy/my_reply.c. Every conversation captured between real
 * clients and MariaDB 10.11 (tests/unit/captures/my_*) is replayed through
 * the tracker: each reply must end exactly at its last packet, with the
 * results the server reported; then hand-made packet sequences cover what
 * the captures cannot (rows that start with 0xfe, split packets, progress
 * reports, malformed replies).
 *
 * The tracker only ever gets an exact-size heap copy of the first
 * min(length, MY_REPLY_HEAD) bytes, so under ASan a read past them is
 * reported. */
#include "proxy/my_reply.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/captures/my_captures.h"
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

/* Feeds one packet: its head only, or (WHOLE) all of it. */
static enum my_reply_result feed(struct my_reply *r, const uint8_t *data, uint32_t len, bool whole)
{
	size_t hl = whole || len < MY_REPLY_HEAD ? len : MY_REPLY_HEAD;
	uint8_t *h = dup_exact(data, hl);
	enum my_reply_result res = my_reply_feed(r, h, hl, len);
	free(h);
	return res;
}

/* ---- replay of the captures ---- */

struct reply_log {
	uint8_t cmd;          /* MY_COM_CHANGE_USER for the login exchange */
	struct my_reply r;    /* as it ended */
	int infile;           /* LOCAL_INFILE results */
	int auth_more;        /* AUTH_MORE results */
	size_t server_pkts;
};

#define MAX_LOGS 64

struct replay {
	struct reply_log logs[MAX_LOGS];
	size_t n;
	uint64_t caps;
	bool clean;           /* every reply ended DONE at its last packet */
	bool tls;             /* the capture turned to TLS after an SSLRequest */
	char why[160];
};

static void replay_fail(struct replay *rp, size_t i, const char *why)
{
	if (rp->clean)
		snprintf(rp->why, sizeof rp->why, "packet %zu: %s", i, why);
	rp->clean = false;
}

/* Walks capture C: the greeting and response give the negotiated
 * capabilities; the login exchange is followed as COM_CHANGE_USER's reply;
 * then every client packet with sequence id 0 starts a command. */
static void replay(const struct my_cap *c, bool whole, struct replay *rp)
{
	memset(rp, 0, sizeof *rp);
	rp->clean = true;
	struct my_server_handshake hs;
	struct my_handshake_response hr;
	uint8_t *g = dup_exact(c->pkts[0].data, c->pkts[0].len);
	uint8_t *resp = dup_exact(c->pkts[1].data, c->pkts[1].len);
	if (!my_parse_server_handshake(g, c->pkts[0].len, &hs) ||
		!my_parse_handshake_response(resp, c->pkts[1].len, &hr)) {
		replay_fail(rp, 0, "greeting or response does not parse");
		goto out;
	}
	rp->caps = (hr.caps & hs.caps) & 0xffffffffull;
	if (my_caps_have_mariadb_ext(hr.caps) && my_caps_have_mariadb_ext(hs.caps))
		rp->caps |= hr.caps & hs.caps & ~0xffffffffull;
	if (hr.ssl_request) {
		rp->tls = c->n == 3 && c->pkts[2].from == 'T';
		goto out;
	}
	struct reply_log *cur = &rp->logs[rp->n++];
	cur->cmd = MY_COM_CHANGE_USER;
	my_reply_init(&cur->r, MY_COM_CHANGE_USER, rp->caps);
	enum my_reply_result last = MY_REPLY_CONTINUE;
	for (size_t i = 2; i < c->n; i++) {
		const struct my_cap_pkt *p = &c->pkts[i];
		if (p->from == 'T')
			break;
		if (p->from == 'C' && p->seq == 0) {
			if (!my_reply_done(&cur->r)) {
				replay_fail(rp, i, "command before the previous reply ended");
				break;
			}
			if (rp->n == MAX_LOGS)
				abort();
			cur = &rp->logs[rp->n++];
			cur->cmd = p->data[0];
			my_reply_init(&cur->r, cur->cmd, rp->caps);
			if (my_reply_done(&cur->r) != !my_command_has_reply(cur->cmd))
				replay_fail(rp, i, "done at init differs from my_command_has_reply");
			last = MY_REPLY_CONTINUE;
			continue;
		}
		if (p->from == 'C') {
			/* Auth data or file contents: only when the server asked. */
			if (last != MY_REPLY_LOCAL_INFILE && last != MY_REPLY_AUTH_MORE)
				replay_fail(rp, i, "client data the reply did not ask for");
			continue;
		}
		cur->server_pkts++;
		last = feed(&cur->r, p->data, p->len, whole);
		if (last == MY_REPLY_PROTOCOL_ERROR)
			replay_fail(rp, i, "protocol error");
		if (last == MY_REPLY_LOCAL_INFILE)
			cur->infile++;
		if (last == MY_REPLY_AUTH_MORE)
			cur->auth_more++;
		if (last == MY_REPLY_DONE && !my_reply_done(&cur->r))
			replay_fail(rp, i, "DONE but my_reply_done() false");
	}
	if (rp->clean && !my_reply_done(&cur->r))
		replay_fail(rp, c->n, "capture ends inside a reply");
out:
	free(g);
	free(resp);
}

/* The NTH (from 0) reply to command CMD. */
static const struct my_reply *nth(const struct replay *rp, uint8_t cmd, int n, size_t *pkts)
{
	for (size_t i = 1; i < rp->n; i++)
		if (rp->logs[i].cmd == cmd && n-- == 0) {
			if (pkts)
				*pkts = rp->logs[i].server_pkts;
			return &rp->logs[i].r;
		}
	fprintf(stderr, "no reply to command 0x%02x\n", cmd);
	abort();
}

static const struct my_cap *cap(const char *name)
{
	for (size_t i = 0; i < sizeof my_captures / sizeof my_captures[0]; i++)
		if (strcmp(my_captures[i].name, name) == 0)
			return &my_captures[i];
	fprintf(stderr, "no capture %s\n", name);
	abort();
}

static bool no_error(const struct my_reply *r)
{
	return my_reply_done(r) && !r->is_error;
}

static bool is_err(const struct my_reply *r, uint16_t code, const char *state)
{
	return my_reply_done(r) && r->is_error && r->err_code == code && strcmp(r->sqlstate, state) == 0;
}

static void test_all_captures(void)
{
	static struct replay a, b;
	for (size_t i = 0; i < sizeof my_captures / sizeof my_captures[0]; i++) {
		replay(&my_captures[i], false, &a);
		replay(&my_captures[i], true, &b);
		check(a.clean, "replay %s: every reply ends at its last packet %s", my_captures[i].name, a.why);
		bool same = a.n == b.n && b.clean;
		for (size_t k = 0; same && k < a.n; k++)
			same = memcmp(&a.logs[k], &b.logs[k], sizeof a.logs[k]) == 0;
		check(same, "replay %s: heads only or whole packets, same results", my_captures[i].name);
	}
}

/* The same session with and without DEPRECATE_EOF. */
static void test_raw(const char *name, bool deprecate)
{
	static struct replay rp;
	replay(cap(name), false, &rp);
	const struct my_reply *r;
	size_t pkts;
	check(((rp.caps & MY_CLIENT_DEPRECATE_EOF) != 0) == deprecate, "%s: DEPRECATE_EOF negotiated: %d",
		name, deprecate);
	check(no_error(&rp.logs[0].r) && rp.logs[0].r.status_valid && rp.logs[0].auth_more == 0,
		"%s: login OK", name);

	r = nth(&rp, MY_COM_QUERY, 0, &pkts);
	check(no_error(r) && r->result_sets == 1 && r->rows == 3 && r->status == 0x22 &&
		pkts == (deprecate ? 7u : 8u), "%s: SELECT of 3 rows, %zu packets, status 0x22", name, pkts);
	r = nth(&rp, MY_COM_QUERY, 1, NULL);
	check(no_error(r) && r->result_sets == 1 && r->rows == 0, "%s: empty result set", name);
	r = nth(&rp, MY_COM_QUERY, 2, &pkts);
	check(no_error(r) && r->result_sets == 3 && r->rows == 4 &&
		r->status == MY_SERVER_STATUS_AUTOCOMMIT && pkts == (deprecate ? 15u : 18u),
		"%s: SELECT 1; CALL: 3 result sets then the CALL's OK", name);
	r = nth(&rp, MY_COM_QUERY, 3, NULL);
	check(is_err(r, 1146, "42S02") && !r->status_valid, "%s: ERR 1146, no status", name);
	r = nth(&rp, MY_COM_FIELD_LIST, 0, &pkts);
	check(no_error(r) && pkts == 3 && r->result_sets == 0, "%s: COM_FIELD_LIST", name);
	r = nth(&rp, MY_COM_STATISTICS, 0, &pkts);
	check(no_error(r) && pkts == 1, "%s: COM_STATISTICS one string", name);
	r = nth(&rp, MY_COM_SET_OPTION, 0, NULL);
	check(no_error(r) && r->status_valid && r->status == MY_SERVER_STATUS_AUTOCOMMIT,
		"%s: COM_SET_OPTION answered with %s", name, deprecate ? "0xfe OK" : "EOF");
	r = nth(&rp, MY_COM_PING, 0, NULL);
	check(no_error(r), "%s: COM_PING", name);

	r = nth(&rp, MY_COM_STMT_PREPARE, 0, &pkts);
	check(no_error(r) && r->prepared && r->stmt_id == 1 && r->num_params == 1 && r->num_columns == 2 &&
		pkts == (deprecate ? 4u : 6u), "%s: PREPARE 1 param 2 columns, %s EOFs", name,
		deprecate ? "without" : "with");
	r = nth(&rp, MY_COM_STMT_EXECUTE, 0, &pkts);
	check(no_error(r) && r->rows == 0 && (r->status & MY_SERVER_STATUS_CURSOR_EXISTS) && pkts == 4,
		"%s: cursor EXECUTE ends after the definitions", name);
	r = nth(&rp, MY_COM_STMT_FETCH, 0, NULL);
	check(no_error(r) && r->rows == 2 && (r->status & MY_SERVER_STATUS_CURSOR_EXISTS) &&
		!(r->status & MY_SERVER_STATUS_LAST_ROW_SENT), "%s: FETCH 2 rows, cursor open", name);
	r = nth(&rp, MY_COM_STMT_FETCH, 1, NULL);
	check(no_error(r) && r->rows == 1 && (r->status & MY_SERVER_STATUS_LAST_ROW_SENT),
		"%s: FETCH last row", name);
	r = nth(&rp, MY_COM_STMT_RESET, 0, NULL);
	check(no_error(r), "%s: COM_STMT_RESET", name);
	r = nth(&rp, MY_COM_STMT_EXECUTE, 1, NULL);
	check(no_error(r) && r->rows == 2 && r->result_sets == 1, "%s: binary result set of 2 rows", name);
	r = nth(&rp, MY_COM_STMT_CLOSE, 0, NULL);
	check(my_reply_done(r), "%s: COM_STMT_CLOSE has no reply", name);
	r = nth(&rp, MY_COM_STMT_PREPARE, 1, NULL);
	check(no_error(r) && r->num_params == 2 && r->num_columns == 0, "%s: PREPARE of an INSERT", name);
	r = nth(&rp, MY_COM_STMT_PREPARE, 2, NULL);
	check(no_error(r) && r->num_params == 0 && r->num_columns == 1, "%s: PREPARE without params", name);
	r = nth(&rp, MY_COM_STMT_PREPARE, 3, NULL);
	check(is_err(r, 1064, "42000") && !r->prepared, "%s: PREPARE syntax error", name);
	r = nth(&rp, MY_COM_RESET_CONNECTION, 0, NULL);
	check(no_error(r), "%s: COM_RESET_CONNECTION", name);
}

static void test_drivers(void)
{
	static struct replay rp;
	const struct my_reply *r;

	replay(cap("my_pymysql_session"), false, &rp);
	r = nth(&rp, MY_COM_QUERY, 3, NULL);
	check(is_err(r, 1062, "23000"), "PyMySQL: duplicate key 1062");
	r = nth(&rp, MY_COM_QUERY, 4, NULL);
	check(no_error(r) && (r->status & MY_SERVER_STATUS_IN_TRANS), "PyMySQL: BEGIN -> IN_TRANS");
	r = nth(&rp, MY_COM_QUERY, 5, NULL);
	check(no_error(r) && (r->status & MY_SERVER_STATUS_IN_TRANS) && r->affected_rows == 1,
		"PyMySQL: UPDATE in the transaction, 1 row");
	r = nth(&rp, MY_COM_QUERY, 6, NULL);
	check(no_error(r) && r->status_valid && !(r->status & MY_SERVER_STATUS_IN_TRANS),
		"PyMySQL: ROLLBACK ends it");

	replay(cap("my_pymysql_multi"), false, &rp);
	r = nth(&rp, MY_COM_QUERY, 1, NULL);
	check(no_error(r) && r->result_sets == 2 && r->rows == 2 &&
		!(r->status & MY_SERVER_MORE_RESULTS_EXISTS), "PyMySQL: 2 SELECTs and a DO in one query");
	r = nth(&rp, MY_COM_QUERY, 2, NULL);
	check(no_error(r) && r->result_sets == 2 && r->rows == 3, "PyMySQL: CALL with two result sets");
	r = nth(&rp, MY_COM_QUERY, 3, NULL);
	check(is_err(r, 1146, "42S02") && r->result_sets == 1, "PyMySQL: error in the 2nd statement ends it");

	replay(cap("my_pymysql_infile"), false, &rp);
	const struct reply_log *l = &rp.logs[1];
	check(l->cmd == MY_COM_QUERY && l->infile == 1 && no_error(&l->r) && l->r.affected_rows == 2,
		"PyMySQL: LOAD DATA LOCAL INFILE: request, file, OK for 2 rows");

	replay(cap("my_mysqldb_session"), false, &rp);
	check(rp.caps & MY_MARIADB_CLIENT_CACHE_METADATA, "MySQLdb: cached metadata negotiated");
	r = nth(&rp, MY_COM_QUERY, 1, NULL);
	check(no_error(r) && r->rows == 3 && r->result_sets == 1, "MySQLdb: SELECT with the metadata flag");
	r = nth(&rp, MY_COM_INIT_DB, 0, NULL);
	check(no_error(r) && r->status_valid, "MySQLdb: COM_INIT_DB");
	l = &rp.logs[rp.n - 2];
	check(l->cmd == MY_COM_CHANGE_USER && l->auth_more == 1 && no_error(&l->r),
		"MySQLdb: COM_CHANGE_USER through an AuthSwitchRequest");

	replay(cap("my_capi_session"), false, &rp);
	r = nth(&rp, MY_COM_FIELD_LIST, 1, NULL);
	check(is_err(r, 1146, "42S02"), "C API: field list of a missing table");
	r = nth(&rp, MY_COM_STMT_EXECUTE, 0, NULL);
	check(no_error(r) && r->rows == 3 && r->result_sets == 1,
		"C API: EXECUTE whose metadata the server skipped (flag 0)");
	r = nth(&rp, MY_COM_STMT_EXECUTE, 1, NULL);
	check(no_error(r) && r->rows == 0 && (r->status & MY_SERVER_STATUS_CURSOR_EXISTS),
		"C API: cursor EXECUTE");
	r = nth(&rp, MY_COM_STMT_FETCH, 1, NULL);
	check(no_error(r) && r->rows == 0 && (r->status & MY_SERVER_STATUS_LAST_ROW_SENT),
		"C API: FETCH with nothing left");
	r = nth(&rp, MY_COM_STMT_BULK_EXECUTE, 0, NULL);
	check(no_error(r) && r->affected_rows == 2, "C API: bulk execute of 2 rows");
	r = nth(&rp, MY_COM_STMT_EXECUTE, 3, NULL);
	check(is_err(r, 1062, "23000"), "C API: EXECUTE duplicate key");

	replay(cap("my_raw_auth_switch"), false, &rp);
	check(rp.logs[0].auth_more == 1 && no_error(&rp.logs[0].r), "login through an AuthSwitchRequest");
	replay(cap("my_cli_ssl"), false, &rp);
	check(rp.tls && rp.n == 0, "mariadb --ssl: TLS after the SSLRequest");
}

/* ---- hand-made sequences ---- */

#define FEED(r, ...) feed_bytes(r, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static enum my_reply_result feed_bytes(struct my_reply *r, const uint8_t *p, size_t n)
{
	return feed(r, p, (uint32_t)n, false);
}

/* A packet of LEN bytes starting with B0, the rest zero. */
static enum my_reply_result feed_len(struct my_reply *r, uint8_t b0, uint32_t len)
{
	size_t hl = len < MY_REPLY_HEAD ? len : MY_REPLY_HEAD;
	uint8_t *h = calloc(1, hl ? hl : 1);
	h[0] = b0;
	enum my_reply_result res = my_reply_feed(r, h, hl, len);
	free(h);
	return res;
}

static void test_fe_rows(void)
{
	struct my_reply r;
	uint64_t eof = MY_CLIENT_PROTOCOL_41, dep = eof | MY_CLIENT_DEPRECATE_EOF;

	my_reply_init(&r, MY_COM_QUERY, eof);
	bool ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03, 'd', 'e', 'f') == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_CONTINUE;
	/* A text row whose first value has an 8-byte length: 0xfe, 9 bytes and more. */
	ok = ok && feed_len(&r, 0xfe, 9) == MY_REPLY_CONTINUE && r.rows == 1;
	ok = ok && feed_len(&r, 0xfe, 8) == MY_REPLY_DONE && r.rows == 1;
	check(ok, "EOF mode: 0xfe packet of 9 bytes is a row, of 8 bytes the EOF");

	my_reply_init(&r, MY_COM_QUERY, eof);
	ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_CONTINUE && FEED(&r, 0xfe, 0, 0, 0x22, 0) == MY_REPLY_DONE &&
		r.status == 0x22 && r.rows == 0;
	check(ok, "EOF mode: EOF after EOF ends an empty result");

	my_reply_init(&r, MY_COM_QUERY, dep);
	ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE;
	/* Under DEPRECATE_EOF a 0xfe packet shorter than 0xffffff closes rows:
	 * rows that start with 0xfe are at least 16 MiB, hence split. */
	ok = ok && feed_len(&r, 0xfe, MY_MAX_PAYLOAD) == MY_REPLY_CONTINUE && r.rows == 1;
	ok = ok && feed_len(&r, 0xfe, 100) == MY_REPLY_CONTINUE && r.rows == 1; /* continuation */
	ok = ok && feed_len(&r, 0xfe, 20) == MY_REPLY_DONE && r.rows == 1;
	check(ok, "DEPRECATE_EOF: 0xfe row of 0xffffff bytes, its continuation, then the 0xfe OK");

	/* Continuations of a split row are never read as packets, whatever they
	 * start with. */
	my_reply_init(&r, MY_COM_STMT_FETCH, eof);
	ok = feed_len(&r, 0x00, MY_MAX_PAYLOAD) == MY_REPLY_CONTINUE &&
		feed_len(&r, 0xff, MY_MAX_PAYLOAD) == MY_REPLY_CONTINUE &&
		feed_len(&r, 0xfe, 5) == MY_REPLY_CONTINUE && r.rows == 1 &&
		FEED(&r, 0xfe, 0, 0, 0x80, 0) == MY_REPLY_DONE && r.status == MY_SERVER_STATUS_LAST_ROW_SENT;
	check(ok, "split row of 2 full packets + 5 bytes, then EOF");

	my_reply_init(&r, MY_COM_QUERY, eof);
	ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_CONTINUE && FEED(&r, 0x01, '1') == MY_REPLY_CONTINUE &&
		FEED(&r, 0xff, 0x19, 0x05, '#', '7', '0', '1', '0', '0', 'k') == MY_REPLY_DONE &&
		r.is_error && r.err_code == 1305 && r.rows == 1 && strcmp(r.sqlstate, "70100") == 0;
	check(ok, "ERR in the middle of rows ends the reply");
}

static void test_sequences(void)
{
	struct my_reply r;
	uint64_t caps = MY_CLIENT_PROTOCOL_41;

	my_reply_init(&r, MY_COM_QUERY, caps);
	bool ok = FEED(&r, 0x00, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00) == MY_REPLY_CONTINUE &&
		FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 0x0a, 0) == MY_REPLY_CONTINUE && FEED(&r, 0x01, 'x') == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 0x02, 0) == MY_REPLY_DONE && r.affected_rows == 1 && r.result_sets == 1;
	check(ok, "OK with MORE_RESULTS, then a result set");
	check(FEED(&r, 0x00, 0, 0, 2, 0, 0, 0) == MY_REPLY_PROTOCOL_ERROR, "a packet after DONE is an error");

	my_reply_init(&r, MY_COM_QUERY, caps | MY_MARIADB_CLIENT_PROGRESS);
	ok = FEED(&r, 0xff, 0xff, 0xff, 0x01, 0x01, 0x02, 0x10, 0x27, 0x00) == MY_REPLY_CONTINUE &&
		FEED(&r, 0x00, 0, 0, 2, 0, 0, 0) == MY_REPLY_DONE && !r.is_error;
	check(ok, "MariaDB progress report does not end the reply");
	my_reply_init(&r, MY_COM_QUERY, caps | MY_CLIENT_PROGRESS_OBSOLETE);
	check(FEED(&r, 0xff, 0xff, 0xff, 0x01) == MY_REPLY_CONTINUE, "progress under the old progress flag");

	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0xff, 0xff, 0xff, 0x01) == MY_REPLY_DONE && r.is_error && r.err_code == 0xffff,
		"0xffff without progress negotiated is an ERR");

	my_reply_init(&r, MY_COM_QUERY, caps);
	ok = FEED(&r, 0xfb, '/', 'f') == MY_REPLY_LOCAL_INFILE &&
		FEED(&r, 0x00, 0x02, 0x00, 0x08, 0x00, 0x00, 0x00) == MY_REPLY_CONTINUE &&
		FEED(&r, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00) == MY_REPLY_DONE && r.affected_rows == 2;
	check(ok, "LOCAL INFILE in a multi-statement query, then the next result");
	my_reply_init(&r, MY_COM_QUERY, caps);
	ok = FEED(&r, 0xfb, '/', 'f') == MY_REPLY_LOCAL_INFILE &&
		FEED(&r, 0xff, 0x0d, 0x0f, '#', '4', '2', '0', '0', '0') == MY_REPLY_DONE && r.is_error &&
		r.err_code == 3853;
	check(ok, "LOCAL INFILE refused by the server");
	my_reply_init(&r, MY_COM_STMT_EXECUTE, caps);
	check(FEED(&r, 0xfb, '/', 'f') == MY_REPLY_PROTOCOL_ERROR, "LOCAL INFILE only answers COM_QUERY");
	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00) == MY_REPLY_DONE &&
		FEED(&r, 0x00) == MY_REPLY_PROTOCOL_ERROR && !my_reply_done(&r), "after a protocol error, stays broken");

	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0x00) == MY_REPLY_PROTOCOL_ERROR, "truncated OK is a protocol error");
	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0x02, 0x01) == MY_REPLY_PROTOCOL_ERROR,
		"column count with a metadata byte nobody negotiated");
	my_reply_init(&r, MY_COM_QUERY, caps | MY_MARIADB_CLIENT_CACHE_METADATA);
	check(FEED(&r, 0x02, 0x02) == MY_REPLY_PROTOCOL_ERROR, "metadata flag other than 0/1");
	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0xfc, 0x00, 0x00) == MY_REPLY_PROTOCOL_ERROR, "zero columns");
	my_reply_init(&r, MY_COM_QUERY, caps);
	check(FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_PROTOCOL_ERROR, "EOF as the first packet");
	my_reply_init(&r, MY_COM_QUERY, caps);
	check(feed_len(&r, 0x00, 0) == MY_REPLY_PROTOCOL_ERROR, "empty packet");

	/* The head must hold min(length, MY_REPLY_HEAD) bytes, no more than the packet. */
	uint8_t h[MY_REPLY_HEAD] = {0x01};
	my_reply_init(&r, MY_COM_STMT_FETCH, caps);
	check(my_reply_feed(&r, h, 8, 100) == MY_REPLY_PROTOCOL_ERROR, "short head refused");
	my_reply_init(&r, MY_COM_STMT_FETCH, caps);
	check(my_reply_feed(&r, h, 3, 2) == MY_REPLY_PROTOCOL_ERROR, "head longer than the packet refused");
	my_reply_init(&r, MY_COM_STMT_FETCH, caps);
	check(my_reply_feed(&r, h, MY_REPLY_HEAD, 100) == MY_REPLY_CONTINUE && r.rows == 1,
		"a MY_REPLY_HEAD head of a longer packet");

	/* PREPARE: parameters only, EOF mode; nothing at all. */
	my_reply_init(&r, MY_COM_STMT_PREPARE, caps);
	ok = FEED(&r, 0x00, 0x07, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00) == MY_REPLY_CONTINUE &&
		FEED(&r, 0x03, 'd', 'e', 'f') == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_DONE && r.stmt_id == 7 && r.num_params == 1;
	check(ok, "PREPARE with parameters only");
	my_reply_init(&r, MY_COM_STMT_PREPARE, caps);
	check(FEED(&r, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) == MY_REPLY_DONE && r.prepared,
		"PREPARE without parameters or columns");
	my_reply_init(&r, MY_COM_STMT_PREPARE, caps);
	check(FEED(&r, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0) == MY_REPLY_PROTOCOL_ERROR,
		"PREPARE_OK of 10 bytes");

	my_reply_init(&r, MY_COM_STMT_EXECUTE, caps);
	ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 0x0a, 0x10) == MY_REPLY_CONTINUE && FEED(&r, 0x00, 0x00, 0x05) ==
		MY_REPLY_CONTINUE && FEED(&r, 0xfe, 0, 0, 0x1a, 0x10) == MY_REPLY_CONTINUE &&
		FEED(&r, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00) == MY_REPLY_DONE && r.rows == 1;
	check(ok, "CALL through EXECUTE: OUT parameters result set, then the OK");
	my_reply_init(&r, MY_COM_QUERY, caps);
	ok = FEED(&r, 0x01) == MY_REPLY_CONTINUE && FEED(&r, 0x03) == MY_REPLY_CONTINUE &&
		FEED(&r, 0xfe, 0, 0, 0x42, 0) == MY_REPLY_CONTINUE && !my_reply_done(&r);
	check(ok, "CURSOR_EXISTS ends only an EXECUTE's reply");

	my_reply_init(&r, MY_COM_PING, caps);
	check(FEED(&r, 0xfe, 0, 0, 2, 0) == MY_REPLY_PROTOCOL_ERROR, "EOF does not answer COM_PING");
	my_reply_init(&r, MY_COM_CHANGE_USER, caps);
	ok = FEED(&r, 0x01, 0x04) == MY_REPLY_AUTH_MORE && FEED(&r, 0x01, '-', '-') == MY_REPLY_AUTH_MORE &&
		FEED(&r, 0x00, 0, 0, 2, 0, 0, 0) == MY_REPLY_DONE;
	check(ok, "caching_sha2 full authentication: more data, public key, OK");
	my_reply_init(&r, MY_COM_CHANGE_USER, caps);
	check(FEED(&r, 0x02) == MY_REPLY_PROTOCOL_ERROR, "unknown auth packet");

	const uint8_t none[] = {MY_COM_QUIT, MY_COM_STMT_CLOSE, MY_COM_STMT_SEND_LONG_DATA};
	ok = true;
	for (size_t i = 0; i < sizeof none; i++) {
		my_reply_init(&r, none[i], caps);
		ok = ok && my_reply_done(&r) && FEED(&r, 0x00, 0, 0, 2, 0, 0, 0) == MY_REPLY_PROTOCOL_ERROR;
	}
	check(ok, "no reply to COM_QUIT, STMT_CLOSE, STMT_SEND_LONG_DATA");
}

int main(void)
{
	test_all_captures();
	test_raw("my_raw_eof", false);
	test_raw("my_raw_deprecate_eof", true);
	test_drivers();
	test_fe_rows();
	test_sequences();
	return tap_done();
}
