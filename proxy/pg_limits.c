/* PostgreSQL statement time limits and result limits.
 *
 * Every Query and Execute sent to the server carries its time limit in its
 * pending-reply entry. The session's statement timer runs for the first of
 * them the server still owes, i.e. the statement it works on now. When a
 * limit is reached the statement is "cut": dbward sends the server a
 * CancelRequest, stops passing its rows, and replaces how it ends
 * (CommandComplete or the server's own 57014) with its own error. The server
 * connection keeps its protocol state exact throughout, so the session goes
 * on; a cancel the server never needed (the statement ended first) could
 * still land later, so such a connection is never handed to another client.
 *
 * While no statement runs the same timer holds the idle limits:
 * `idle_in_transaction` inside a transaction block, `client_idle` outside.
 * When one is reached the session ends with PostgreSQL's own codes, and
 * the server connection, mid-transaction, is closed: the server rolls back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "backends/server.h"
#include "proxy/cancel.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/pg_session.h"
#include "proxy/worker.h"

/* How long a cancelled statement may take to stop before the session is
 * closed (and with it the server connection). */
#define CANCEL_GRACE_MS 2000
/* Pending entries looked through to find the running statement. */
#define SCAN_MAX 32u

uint32_t pg_limits_timeout(const struct pg_session *s, uint32_t kinds)
{
	bool long_running = s->guard.policy && s->guard.policy->long_running;
	uint64_t ms = dw_stmt_timeout_ms(&s->cfg->timeouts, kinds, long_running);
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* The client statement the server works on now: the first Query or
 * Execute it owes a reply to. */
static struct pg_pend *running(struct pg_server *srv)
{
	struct pg_pending *p = &srv->pending;
	for (uint32_t i = 0; i < p->count && i < SCAN_MAX; i++) {
		struct pg_pend *e = &p->e[(p->head + i) % PG_PENDING_CAP];
		if ((e->kind == PEND_QUERY || e->kind == PEND_EXECUTE) && !(e->flags & PEND_SWALLOW))
			return e;
	}
	return NULL;
}

/* Stops statement E: its end becomes SQLSTATE/MESSAGE, recorded with
 * ACTION, RULE and REF (pg_pend.text holds the five, in that order, each
 * NUL-terminated); the server is asked to cancel it. */
static void cut(struct pg_session *s, struct pg_server *srv, struct pg_pend *e,
	const char *sqlstate, const char *message, const char *action, const char *rule,
	const char *ref)
{
	const char *parts[] = { sqlstate, message, action, rule, ref };
	size_t n = 0;
	for (size_t i = 0; i < 5; i++)
		n += strlen(parts[i]) + 1;
	char *text = malloc(n);
	if (text) {
		char *p = text;
		for (size_t i = 0; i < 5; i++) {
			size_t l = strlen(parts[i]) + 1;
			memcpy(p, parts[i], l);
			p += l;
		}
	}
	free(e->text);
	e->text = text;
	e->flags |= PEND_CUT;
	dw_cancel_server(srv->cancel);
	srv->cancel_unconfirmed = true;
	s->timed_serial = e->serial;
	s->timer_grace = true;
	dw_timer_arm(s->stmt_timer, CANCEL_GRACE_MS);
}

/* The idle limit ran out, unless the client said something meanwhile. */
static void idle_timer_fired(struct pg_session *s)
{
	uint64_t ms = dw_idle_limit_ms(&s->cfg->timeouts, s->idle_in_tx);
	if (!ms)
		return;
	uint64_t left = dw_idle_left_ms(ms, s->last_activity_us, dw_now_us());
	if (left) {
		dw_timer_arm(s->stmt_timer, left); /* the client spoke meanwhile */
		return;
	}
	bool in_tx = s->idle_in_tx && s->cfg->timeouts.idle_in_transaction_ms;
	dw_metrics_timeout(in_tx ? DW_M_TIMEOUT_IDLE_IN_TRANSACTION : DW_M_TIMEOUT_CLIENT_IDLE);
	if (in_tx) {
		dw_info("session %llu: idle in transaction for %llu ms: closing it, the server rolls back",
			(unsigned long long)s->id, (unsigned long long)ms);
		pg_session_close(s, "25P03",
			"dbward: terminating connection due to idle-in-transaction timeout");
	} else {
		dw_info("session %llu: idle for %llu ms: closing it", (unsigned long long)s->id,
			(unsigned long long)ms);
		pg_session_close(s, "57P05", "dbward: terminating connection due to idle-session timeout");
	}
}

static void timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pg_session *s = arg;
	struct pg_server *srv = s->server;
	if (s->timer_idle) {
		idle_timer_fired(s);
		return;
	}
	struct pg_pend *e = srv ? running(srv) : NULL;
	if (!e || e->serial != s->timed_serial) {
		/* That statement is over: time the next one. */
		s->timed_serial = 0;
		s->timer_grace = false;
		pg_limits_update(s);
		return;
	}
	if (s->timer_grace) {
		dw_warn("session %llu: the server did not stop a cancelled statement in time",
			(unsigned long long)s->id);
		pg_session_close(s, "57014", "dbward: the server did not stop a cancelled statement");
		return;
	}
	char ref[48], msg[256];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	const struct dw_timeouts *t = &s->cfg->timeouts;
	bool long_running = s->guard.policy && s->guard.policy->long_running;
	uint32_t kinds = e->kind == PEND_QUERY ? s->query_kinds : DW_KIND_UNKNOWN;
	const char *which = long_running ? "long_query" : dw_stmt_timeout_name(t, kinds, false);
	snprintf(msg, sizeof msg,
		"dbward: statement timeout: the %s limit of %llu ms was reached; the statement "
		"was cancelled (ref %s)", which, (unsigned long long)e->timeout_ms, ref);
	dw_info("session %llu: statement timeout (%s, %llu ms), cancelling it on the server (ref %s)",
		(unsigned long long)s->id, which, (unsigned long long)e->timeout_ms, ref);
	char rule[32];
	snprintf(rule, sizeof rule, "timeouts.%s", which);
	dw_metrics_statement_timeout(which);
	cut(s, srv, e, "57014", msg, "timeout", rule, ref);
}

void pg_limits_update(struct pg_session *s)
{
	if (s->state == PGC_CLOSING)
		return;
	struct pg_server *srv = s->server;
	struct pg_pend *e = srv ? running(srv) : NULL;
	if (!s->stmt_timer) {
		s->stmt_timer = evtimer_new(s->worker->base, timer_fired, s);
		if (!s->stmt_timer)
			return;
	}
	if (!e) {
		/* Idle: from now, or from the client's last word. */
		bool in_tx = srv && (srv->txstatus == 'T' || srv->txstatus == 'E');
		if (s->timer_idle && s->idle_in_tx == in_tx)
			return;
		s->timed_serial = 0;
		s->timer_grace = false;
		s->timer_idle = true;
		s->idle_in_tx = in_tx;
		s->last_activity_us = dw_now_us();
		uint64_t ms = dw_idle_limit_ms(&s->cfg->timeouts, in_tx);
		if (ms)
			dw_timer_arm(s->stmt_timer, ms);
		else
			evtimer_del(s->stmt_timer);
		return;
	}
	if (e->serial == s->timed_serial && !s->timer_idle)
		return;
	s->timer_idle = false;
	s->timed_serial = e->serial;
	s->timer_grace = false;
	if (!e->timeout_ms || (e->flags & PEND_CUT)) {
		evtimer_del(s->stmt_timer);
		return;
	}
	dw_timer_arm(s->stmt_timer, e->timeout_ms);
}

bool pg_limits_row(struct pg_session *s, struct pg_server *srv, size_t bytes)
{
	struct pg_pend *h = pg_pending_head(&srv->pending);
	if (!h || (h->kind != PEND_QUERY && h->kind != PEND_EXECUTE))
		return true;
	if (h->flags & PEND_CUT)
		return false;
	const struct dw_policy_config *p = s->guard.policy;
	if (!p || (!p->max_rows && !p->max_bytes))
		return true;
	if (s->counted_serial != h->serial) {
		s->counted_serial = h->serial;
		s->result_rows = s->result_bytes = 0;
	}
	s->result_rows++;
	s->result_bytes += bytes;
	bool rows_over = p->max_rows && s->result_rows > p->max_rows;
	if (!rows_over && !(p->max_bytes && s->result_bytes > p->max_bytes))
		return true;
	char ref[48], msg[256];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	snprintf(msg, sizeof msg,
		"dbward: result too large: more than %llu %s (results.%s of policy \"%s\") (ref %s)",
		(unsigned long long)(rows_over ? p->max_rows : p->max_bytes), rows_over ? "rows" : "bytes",
		rows_over ? "max_rows" : "max_bytes", p->name, ref);
	dw_info("session %llu: result past results.%s, cancelling the statement (ref %s)",
		(unsigned long long)s->id, rows_over ? "max_rows" : "max_bytes", ref);
	dw_metrics_block(rows_over ? "results.max_rows" : "results.max_bytes");
	cut(s, srv, h, "54000", msg, "blocked", rows_over ? "results.max_rows" : "results.max_bytes",
		ref);
	return false;
}
