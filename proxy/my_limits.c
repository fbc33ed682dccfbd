/* MySQL / MariaDB statement time limits and result limits.
 *
 * A statement command (COM_QUERY, COM_STMT_EXECUTE) starts the session's
 * statement timer with its limit; the end of its reply stops it. When a
 * limit is reached the reply is "cut": `KILL QUERY` goes to the server over
 * a control connection (backends/my_kill.c), the reply's packets from the
 * next one on are dropped while the reply tracker still follows them, and
 * its end is replaced by dbward's ERR, numbered after the last packet the
 * client got. The server connection stays in step, so the session goes on.
 * A KILL the server did not need (the statement ended first) could still
 * land, so such a connection is never handed to another client.
 *
 * While no statement runs the same timer holds the idle limits
 * (`idle_in_transaction` inside a transaction, `client_idle` outside); when
 * one is reached the session ends and its server connection, if in a
 * transaction, is closed, so the server rolls back. */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "backends/my_kill.h"
#include "backends/server.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/my_session.h"
#include "proxy/worker.h"

/* How long a killed statement may take to stop before the session is
 * closed (and with it the server connection). */
#define KILL_GRACE_MS 2000

static void cut(struct my_session *s, struct my_server *srv, uint16_t code, const char *sqlstate,
	const char *message, const char *action, const char *rule, const char *ref)
{
	s->cut.code = code;
	snprintf(s->cut.sqlstate, sizeof s->cut.sqlstate, "%s", sqlstate);
	snprintf(s->cut.message, sizeof s->cut.message, "%s", message);
	s->cut.action = action;
	s->cut.rule = rule;
	snprintf(s->cut.ref, sizeof s->cut.ref, "%s", ref);
	srv->cut = true;
	srv->kill_unconfirmed = true;
	my_kill(srv->base.pool->backend, srv->base.pool->user, srv->conn_id, false);
	s->timer_grace = true;
	if (s->stmt_timer)
		dw_timer_arm(s->stmt_timer, KILL_GRACE_MS);
}

static void idle_timer_fired(struct my_session *s)
{
	uint64_t ms = dw_idle_limit_ms(&s->cfg->timeouts, s->idle_in_tx);
	if (!ms)
		return;
	uint64_t left = dw_idle_left_ms(ms, s->last_activity_us, dw_now_us());
	if (left) {
		dw_timer_arm(s->stmt_timer, left); /* the client spoke meanwhile */
		return;
	}
	bool tx = s->idle_in_tx && s->cfg->timeouts.idle_in_transaction_ms;
	dw_metrics_timeout(tx ? DW_M_TIMEOUT_IDLE_IN_TRANSACTION : DW_M_TIMEOUT_CLIENT_IDLE);
	dw_info("session %llu: idle%s for %llu ms: closing it", (unsigned long long)s->id,
		tx ? " in transaction" : "", (unsigned long long)ms);
	my_session_close(s, 4031, "HY000", tx ?
		"dbward: the session was idle in a transaction too long; the transaction was rolled back" :
		"dbward: the client was disconnected because of inactivity");
}

static void timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct my_session *s = arg;
	struct my_server *srv = s->server;
	if (s->timer_idle) {
		idle_timer_fired(s);
		return;
	}
	if (!srv || !srv->busy || srv->swallow)
		return;
	if (s->timer_grace) {
		dw_warn("session %llu: the server did not stop a killed statement in time",
			(unsigned long long)s->id);
		my_session_close(s, 1969, "70100", "dbward: the server did not stop a killed statement");
		return;
	}
	char ref[48], msg[256];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	snprintf(msg, sizeof msg,
		"dbward: statement timeout: the limit of %llu ms was reached; the statement was "
		"killed (ref %s)", (unsigned long long)s->timer_ms, ref);
	dw_info("session %llu: statement timeout (%llu ms), killing it on the server (ref %s)",
		(unsigned long long)s->id, (unsigned long long)s->timer_ms, ref);
	dw_metrics_statement_timeout(s->timer_rule);
	cut(s, srv, 1969, "70100", msg, "timeout", s->timer_rule, ref);
}

void my_limits_start(struct my_session *s, uint32_t kinds)
{
	const struct dw_timeouts *t = &s->cfg->timeouts;
	s->stmt_sent_us = dw_now_us();
	s->stmt_class = (uint8_t)dw_metrics_class(kinds); /* counted by the relay's reply_done */
	bool long_running = s->guard.policy && s->guard.policy->long_running;
	uint64_t ms = dw_stmt_timeout_ms(t, kinds, long_running);
	s->timer_grace = false;
	s->timer_idle = false;
	if (!ms) {
		if (s->stmt_timer)
			evtimer_del(s->stmt_timer);
		return;
	}
	if (!s->stmt_timer && !(s->stmt_timer = evtimer_new(s->worker->base, timer_fired, s)))
		return;
	s->timer_ms = ms;
	const char *which = dw_stmt_timeout_name(t, kinds, long_running);
	s->timer_rule = strcmp(which, "admin") == 0 ? "timeouts.admin" :
		strcmp(which, "write") == 0 ? "timeouts.write" :
		strcmp(which, "long_query") == 0 ? "timeouts.long_query" : "timeouts.query";
	dw_timer_arm(s->stmt_timer, ms);
}

void my_limits_stop(struct my_session *s)
{
	if (s->stmt_timer)
		evtimer_del(s->stmt_timer);
	s->timer_grace = false;
	s->timer_idle = false;
}

void my_limits_idle(struct my_session *s)
{
	if (s->state == MYC_CLOSING)
		return;
	bool in_tx = s->server && (s->server->status & MY_SERVER_STATUS_IN_TRANS);
	if (s->timer_idle && s->idle_in_tx == in_tx)
		return;
	s->timer_grace = false;
	s->timer_idle = true;
	s->idle_in_tx = in_tx;
	s->last_activity_us = dw_now_us();
	uint64_t ms = dw_idle_limit_ms(&s->cfg->timeouts, in_tx);
	if (!ms) {
		if (s->stmt_timer)
			evtimer_del(s->stmt_timer);
		return;
	}
	if (!s->stmt_timer && !(s->stmt_timer = evtimer_new(s->worker->base, timer_fired, s)))
		return;
	dw_timer_arm(s->stmt_timer, ms);
}

bool my_limits_check_result(struct my_session *s, struct my_server *srv)
{
	if (srv->cut)
		return false;
	const struct dw_policy_config *p = s->guard.policy;
	uint8_t cmd = srv->reply.cmd;
	if (!p || (!p->max_rows && !p->max_bytes) ||
	    (cmd != MY_COM_QUERY && cmd != MY_COM_STMT_EXECUTE && cmd != MY_COM_STMT_FETCH))
		return true;
	bool rows_over = p->max_rows && srv->reply.rows > p->max_rows;
	if (!rows_over && !(p->max_bytes && srv->reply_bytes > p->max_bytes))
		return true;
	char ref[48], msg[256];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	snprintf(msg, sizeof msg,
		"dbward: result too large: more than %llu %s (results.%s of policy \"%s\") (ref %s)",
		(unsigned long long)(rows_over ? p->max_rows : p->max_bytes), rows_over ? "rows" : "bytes",
		rows_over ? "max_rows" : "max_bytes", p->name, ref);
	dw_info("session %llu: result past results.%s, killing the statement (ref %s)",
		(unsigned long long)s->id, rows_over ? "max_rows" : "max_bytes", ref);
	dw_metrics_block(rows_over ? "results.max_rows" : "results.max_bytes");
	cut(s, srv, 1104, "42000", msg, "blocked", rows_over ? "results.max_rows" : "results.max_bytes",
		ref);
	return false;
}

void my_limits_client_gone(struct my_session *s, struct my_server *srv)
{
	(void)s;
	/* KILL (the connection, not only the query): the statement stops and
	 * its transaction is rolled back even if the server never writes. */
	if (srv->busy && !srv->swallow)
		my_kill(srv->base.pool->backend, srv->base.pool->user, srv->conn_id, true);
}
