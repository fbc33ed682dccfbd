/* The PostgreSQL message stream between a logged-in client and the server
 * connection attached to it.
 *
 * Client messages are framed and, where transaction pooling needs it,
 * rewritten (named prepared statements); everything else moves between
 * evbuffers without copying. Server messages are framed by header only,
 * except the few whose content matters (ReadyForQuery, ErrorResponse,
 * ParameterStatus); long messages (data rows, COPY data) stream through
 * without being buffered whole. */
#include "proxy/pg_session.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "audit/audit.h"
#include "proxy/cancel.h"
#include "proxy/error_sanitize.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/pg_codec.h"
#include "proxy/worker.h"

#define SERVER_OUT_HIGH (512u * 1024u)
#define SERVER_OUT_LOW (128u * 1024u)
#define CLIENT_OUT_HIGH (512u * 1024u)
/* Client messages that must be inspected whole (Query, Parse, Bind...) and
 * server messages dbward reads (errors, parameters) are buffered up to this. */
#define MSG_BUFFER_MAX (256u * 1024u * 1024u)
#define SERVER_INFO_MAX (1024u * 1024u)

static void server_read(struct bufferevent *bev, void *arg);
static void server_write(struct bufferevent *bev, void *arg);
static void server_event(struct bufferevent *bev, short what, void *arg);

/* Writes what this callback queued, both ways. */
static void flush_both(struct pg_session *s)
{
	/* A closing session drains through its own write callback. */
	if (s->state == PGC_CLOSING)
		return;
	if (s->bev)
		dw_io_flush(s->bev);
	if (s->server && s->server->base.bev)
		dw_io_flush(s->server->base.bev);
}

static void pause_client(struct pg_session *s)
{
	if (!s->client_paused) {
		s->client_paused = true;
		dw_reader_set(&s->rd, s->bev, false);
	}
}

static void resume_client(struct pg_session *s)
{
	if (s->client_paused && s->state != PGC_CLOSING) {
		s->client_paused = false;
		dw_reader_set(&s->rd, s->bev, true);
	}
}

bool pg_relay_server_clean(const struct pg_server *srv)
{
	return srv->base.state == DWS_ATTACHED && srv->txstatus == 'I' && !srv->base.broken &&
		pg_pending_empty(&srv->pending) && !srv->in_copy_in && !srv->unsynced &&
		srv->msg_remaining == 0 && srv->drop_remaining == 0 && (!srv->client || srv->client->client_remaining == 0) &&
		evbuffer_get_length(bufferevent_get_input(srv->base.bev)) == 0;
}

/* ---- injected messages ---- */

static void inject_query(struct pg_server *srv, const char *sql)
{
	pg_put_query(bufferevent_get_output(srv->base.bev), sql);
	pg_pending_push(&srv->pending, PEND_QUERY, PEND_SWALLOW, NULL);
}

static void put_named(struct evbuffer *out, char type, char kind, const char *name,
	const uint8_t *rest, size_t rest_len)
{
	size_t nl = strlen(name) + 1;
	size_t len = (kind ? 1 : 0) + nl + rest_len;
	uint8_t hdr[6];
	hdr[0] = (uint8_t)type;
	pg_put_u32(hdr + 1, (uint32_t)(len + 4));
	hdr[5] = (uint8_t)kind;
	evbuffer_add(out, hdr, kind ? 6 : 5);
	evbuffer_add(out, name, nl);
	if (rest_len)
		evbuffer_add(out, rest, rest_len);
}

/* Makes sure the server has STMT prepared under its dbward name, injecting a
 * Parse (and the Close of an evicted statement) whose replies are swallowed. */
static void ensure_prepared(struct pg_session *s, struct pg_server *srv, struct pg_stmt *st,
	bool for_client)
{
	struct evbuffer *out = bufferevent_get_output(srv->base.bev);
	char name[32];
	if (!for_client && pg_stmt_cache_has(&srv->stmts, st))
		return;
	struct pg_stmt *evicted = pg_stmt_cache_add(&srv->stmts, st);
	if (evicted) {
		pg_stmt_server_name(evicted, name);
		put_named(out, 'C', 'S', name, NULL, 0);
		pg_pending_push(&srv->pending, PEND_CLOSE, PEND_SWALLOW, evicted);
		pg_stmt_unref(&s->worker->stmts, evicted);
	}
	pg_stmt_server_name(st, name);
	put_named(out, 'P', 0, name, st->body, st->len);
	pg_pending_push(&srv->pending, PEND_PARSE, for_client ? 0 : PEND_SWALLOW, st);
}

/* ---- server -> client ---- */

static bool is_synthetic(uint8_t kind) { return kind == PEND_SYNTH_PARSE || kind == PEND_SYNTH_ERROR; }

static void emit_synthetic(struct pg_server *srv, struct evbuffer *out)
{
	struct pg_pend *h;
	while ((h = pg_pending_head(&srv->pending)) && is_synthetic(h->kind)) {
		if (out && h->kind == PEND_SYNTH_PARSE)
			pg_put_msg(out, '1', NULL, 0);
		if (out && h->kind == PEND_SYNTH_ERROR && h->text)
			pg_put_error(out, "ERROR", h->text, h->text + strlen(h->text) + 1);
		if (out && h->kind == PEND_SYNTH_ERROR && (h->flags & PEND_READY))
			pg_put_ready(out, srv->txstatus);
		free(h->text);
		h->text = NULL;
		pg_pending_pop(&srv->pending);
	}
}

/* Queues an ErrorResponse of dbward's own behind the replies the server
 * still owes (FLAGS: PEND_READY adds the ReadyForQuery of a simple query). */
static void push_synth_error(struct pg_session *s, struct pg_server *srv, const char *sqlstate,
	const char *message, uint8_t flags)
{
	size_t sl = strlen(sqlstate) + 1, ml = strlen(message) + 1;
	char *text = malloc(sl + ml);
	if (text) {
		memcpy(text, sqlstate, sl);
		memcpy(text + sl, message, ml);
	}
	pg_pending_push(&srv->pending, PEND_SYNTH_ERROR, flags, NULL);
	struct pg_pend *e = &srv->pending.e[(srv->pending.head + srv->pending.count - 1) % PG_PENDING_CAP];
	e->text = text;
	if (srv->pending.count == 1)
		emit_synthetic(srv, bufferevent_get_output(s->bev));
}

void pg_relay_fail_batch(struct pg_session *s, const char *sqlstate, const char *message)
{
	s->skip_until_sync = true;
	struct pg_server *srv = s->server;
	if (!srv) {
		pg_put_error(bufferevent_get_output(s->bev), "ERROR", sqlstate, message);
		return;
	}
	push_synth_error(s, srv, sqlstate, message, 0);
}

void pg_relay_fail_query(struct pg_session *s, const char *sqlstate, const char *message)
{
	if (s->audit_query_unsent) {
		/* Judged and noted, then dropped before a server saw it. */
		s->audit_query_unsent = false;
		struct dw_session_info as;
		pg_session_info(s, &as);
		dw_stmt_notes_fail_unsent(&s->notes, &as, s->audit_query, sqlstate, 0, message, NULL);
	}
	struct pg_server *srv = s->server;
	if (!srv) {
		struct evbuffer *out = bufferevent_get_output(s->bev);
		pg_put_error(out, "ERROR", sqlstate, message);
		pg_put_ready(out, 'I');
		return;
	}
	push_synth_error(s, srv, sqlstate, message, PEND_READY);
}

/* The reply at the head is complete: a statement holding a slot of a rate
 * limit gives it back. */
static void pop_reply(struct pg_session *s, struct pg_server *srv)
{
	if (s && (pg_pending_head(&srv->pending)->flags & PEND_SLOT))
		dw_limit_finished(&s->limit);
	pg_pending_pop(&srv->pending);
}

/* The outcome of client statement E is known: counted once (metrics). */
static void meter(struct pg_pend *e, enum dw_m_outcome o)
{
	if (!e->metered)
		return;
	dw_metrics_statement(DW_M_POSTGRES, (enum dw_m_class)(e->metered - 1), o, e->sent_us);
	e->metered = 0;
}

/* After an error in the extended protocol the server skips everything up to
 * Sync: so do the replies we were waiting for. */
static void skip_to_sync(struct pg_session *s, struct pg_server *srv)
{
	struct pg_pend *h;
	bool first = true;
	while ((h = pg_pending_head(&srv->pending)) && h->kind != PEND_SYNC) {
		if (h->kind == PEND_PARSE && h->stmt) {
			/* Never prepared after all (failed or skipped). */
			for (uint32_t i = 0; i < srv->stmts.n; i++) {
				if (srv->stmts.stmt[i] == h->stmt) {
					struct pg_stmt *st = srv->stmts.stmt[i];
					srv->stmts.stmt[i] = srv->stmts.stmt[--srv->stmts.n];
					srv->stmts.used[i] = srv->stmts.used[srv->stmts.n];
					pg_stmt_unref(&srv->base.pool->worker->stmts, st);
					break;
				}
			}
		} else if (h->kind == PEND_CLOSE && (h->flags & PEND_SWALLOW) && !first) {
			/* An eviction that did not happen: the cache no longer knows
			 * what the server holds. */
			srv->base.broken = true;
		}
		first = false;
		meter(h, DW_M_FAILURE); /* the failed Execute, and those its batch skips */
		free(h->text);
		h->text = NULL;
		pop_reply(s, srv);
	}
}

static void note_param(struct pg_session *s, struct pg_server *srv, const uint8_t *body, size_t len)
{
	const char *name, *value;
	if (!pg_parse_param_status(body, len, &name, &value))
		return;
	if (!pg_params_set(&srv->current, name, value))
		srv->base.broken = true;
	if (s && !pg_param_is_read_only(name) && !pg_params_set(&s->wants, name, value))
		srv->base.broken = true;
	if (s && strcmp(name, "standard_conforming_strings") == 0)
		s->guard.opts.standard_conforming_strings = strcmp(value, "off") != 0;
}

/* ---- audit records of simple-query statements ---- */

/* A statement ended with CommandComplete ('C'), EmptyQueryResponse ('I')
 * or PortalSuspended ('s': rows so far are not counted). */
static void audit_statement_done(struct pg_session *s, char type, const uint8_t *body,
	size_t blen)
{
	if (!s->notes.count)
		return;
	/* The row count is the tag's last word: "SELECT 5", "INSERT 0 1". */
	uint64_t rows = type == 's' ? DW_ROWS_UNKNOWN : 0;
	if (type == 'C' && body) {
		size_t end = blen && body[blen - 1] == '\0' ? blen - 1 : blen, i = end;
		while (i > 0 && body[i - 1] >= '0' && body[i - 1] <= '9')
			i--;
		for (size_t k = i; k < end && k - i < 19; k++)
			rows = rows * 10 + (uint64_t)(body[k] - '0');
	}
	struct dw_session_info as;
	pg_session_info(s, &as);
	dw_stmt_notes_complete(&s->notes, &as, true, rows, NULL, 0, NULL);
}

/* The error BODY ended the oldest noted statement; REF is the reference
 * the client was shown instead of the message ("" when none). Returns false
 * when no statement was noted. */
static bool audit_statement_failed(struct pg_session *s, const uint8_t *body, size_t blen,
	const char *ref)
{
	if (!s->notes.count)
		return false;
	struct dw_session_info as;
	pg_session_info(s, &as);
	return dw_stmt_notes_fail(&s->notes, &as, pg_error_field(body, blen, 'C'), 0,
		pg_error_field(body, blen, 'M'), ref);
}

static void audit_message_end(struct pg_session *s, uint32_t message)
{
	if (!s->notes.count)
		return;
	struct dw_session_info as;
	pg_session_info(s, &as);
	dw_stmt_notes_end_through(&s->notes, &as, message);
}

/* V_REPLACED: the message's replacement is in the client's output already
 * (server_input passed what came before it first); the message itself is
 * dropped. Sanitized errors, the end of a cut statement and the
 * ReadyForQuery after it are replaced this way. */
enum srv_verdict { V_FORWARD, V_SWALLOW, V_REPLACED, V_FATAL };

/* An ErrorResponse ('E') or NoticeResponse ('N') BODY on its way to client
 * S. An error ending the oldest noted statement (ENDS_STATEMENT) is recorded
 * there. With errors.mode sanitize the message is rewritten in the client's
 * output (server_input passed what came before it), an error under a fresh
 * reference that its audit record (or the log) pairs with the original. */
static enum srv_verdict to_client(struct pg_session *s, char type, const uint8_t *body,
	size_t blen, bool ends_statement)
{
	const char *sqlstate = pg_error_field(body, blen, 'C');
	enum dw_err_action act = dw_errors_action(&s->cfg->errors, sqlstate, 0);
	char ref[DW_ERR_REF_MAX] = "";
	if (type == 'E') {
		if (act == DW_ERR_SANITIZE)
			dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
		bool recorded = ends_statement && audit_statement_failed(s, body, blen, ref);
		if (*ref && !recorded) {
			struct dw_session_info as;
			pg_session_info(s, &as);
			dw_errors_unrecorded(&as, dw_errors_valid_sqlstate(sqlstate) ? sqlstate : "XX000",
				0, pg_error_field(body, blen, 'M'), ref);
		}
	}
	if (act == DW_ERR_FORWARD || (s->server && s->server->drop_until_ready))
		return V_FORWARD; /* (the rest of a cut statement's message is dropped anyway) */
	dw_pg_error_rewrite(bufferevent_get_output(s->bev), type, body, blen, act, ref);
	return V_REPLACED;
}


/* A reply to a statement dbward cut (pg_limits.c): its rows are dropped and
 * its end (CommandComplete, EmptyQuery, PortalSuspended, or the error the
 * cancel caused) is replaced by dbward's error. Returns false for messages
 * handled as usual. */
static bool cut_reply(struct pg_session *s, struct pg_server *srv, struct pg_pend *h, char type,
	const uint8_t *body, size_t blen, enum srv_verdict *v)
{
	if (srv->drop_until_ready)
		return false; /* replaced already: what follows is dropped as usual */
	if (type == 'D') {
		*v = V_SWALLOW;
		return true;
	}
	if (type != 'C' && type != 'I' && type != 's' && type != 'E')
		return false;
	/* h->text: sqlstate, message, action, rule, ref (see pg_limits.c). */
	char *text = h->text;
	h->text = NULL;
	const char *f[5] = { "XX000", "dbward: statement stopped", "blocked", NULL, NULL };
	for (size_t i = 0, off = 0; text && i < 5; i++) {
		f[i] = text + off;
		off += strlen(text + off) + 1;
	}
	const char *server_state = type == 'E' ? pg_error_field(body, blen, 'C') : NULL;
	if (server_state && strcmp(server_state, "57014") == 0)
		srv->cancel_unconfirmed = false; /* the cancel landed on this statement */
	if (type != 'E')
		srv->abort_at_ready = true;
	if (s->notes.count) {
		struct dw_session_info as;
		pg_session_info(s, &as);
		dw_stmt_notes_complete_cut(&s->notes, &as, f[2], f[3], f[0], 0,
			type == 'E' ? pg_error_field(body, blen, 'M') : NULL, f[4]);
	}
	meter(h, strcmp(f[2], "timeout") == 0 ? DW_M_TIMEOUT : DW_M_BLOCKED);
	pg_put_error(bufferevent_get_output(s->bev), "ERROR", f[0], f[1]);
	free(text);
	if (h->kind == PEND_EXECUTE) {
		if (type == 'E') {
			skip_to_sync(s, srv);
			emit_synthetic(srv, NULL);
		} else {
			pg_pending_pop(&srv->pending);
		}
	}
	srv->drop_until_ready = true;
	*v = V_REPLACED;
	return true;
}

/* Accounts one server message against what is pending. BODY is set for the
 * message types that need it (Z, S, E) and for swallowed messages. */
static enum srv_verdict account(struct pg_session *s, struct pg_server *srv, char type,
	const uint8_t *body, size_t blen)
{
	struct pg_pend *h = pg_pending_head(&srv->pending);
	bool swallow = h && (h->flags & PEND_SWALLOW);
	uint8_t kind = h ? h->kind : 0;
	enum srv_verdict cv;
	if (s && h && (h->flags & PEND_CUT) && cut_reply(s, srv, h, type, body, blen, &cv))
		return cv;
	switch (type) {
	case 'Z':
		if (kind != PEND_SYNC && kind != PEND_QUERY)
			return V_FATAL;
		if (s && !swallow && h->audit_msg)
			audit_message_end(s, h->audit_msg);
		meter(h, DW_M_SUCCESS); /* a Query that got no error */
		srv->txstatus = blen >= 1 ? (char)body[0] : 'E';
		srv->in_copy_in = false;
		pop_reply(s, srv);
		return swallow ? V_SWALLOW : V_FORWARD;
	case '1':
		if (kind != PEND_PARSE)
			return V_FATAL;
		pg_pending_pop(&srv->pending);
		return swallow ? V_SWALLOW : V_FORWARD;
	case '2':
		if (kind != PEND_BIND)
			return V_FATAL;
		pg_pending_pop(&srv->pending);
		return V_FORWARD;
	case '3':
		if (kind != PEND_CLOSE)
			return V_FATAL;
		pg_pending_pop(&srv->pending);
		return swallow ? V_SWALLOW : V_FORWARD;
	case 't':
		if (kind != PEND_DESCRIBE_STMT)
			return V_FATAL;
		h->flags |= PEND_SEEN_T;
		return V_FORWARD;
	case 'T':
	case 'n':
		if (kind == PEND_DESCRIBE_STMT || kind == PEND_DESCRIBE_PORTAL) {
			pg_pending_pop(&srv->pending);
			return V_FORWARD;
		}
		return kind == PEND_QUERY || kind == PEND_EXECUTE ? (swallow ? V_SWALLOW : V_FORWARD) : V_FATAL;
	case 'C':
	case 'I':
	case 's':
		if (kind == PEND_EXECUTE) {
			/* Statement finished: the seam for its timeout. */
			if (s)
				audit_statement_done(s, type, body, blen);
			meter(h, DW_M_SUCCESS);
			pop_reply(s, srv);
			return V_FORWARD;
		}
		if (kind != PEND_QUERY)
			return V_FATAL;
		if (s && !swallow && type == 'C')
			audit_statement_done(s, type, body, blen);
		if (s)
			s->counted_serial = 0; /* the next statement of the query counts anew */
		return swallow ? V_SWALLOW : V_FORWARD;
	case 'G':
		srv->in_copy_in = true;
		return swallow ? V_SWALLOW : V_FORWARD;
	case 'E':
		srv->in_copy_in = false;
		if (!h) {
			/* Unsolicited: the server is terminating this connection. */
			srv->base.broken = true;
			return s ? to_client(s, type, body, blen, false) : V_SWALLOW;
		}
		if (kind == PEND_QUERY || kind == PEND_SYNC) {
			if (swallow && (h->flags & PEND_FAILS))
				return V_SWALLOW;
			if (swallow) {
				/* Our own SET/DISCARD failed: the connection is suspect. */
				srv->base.broken = true;
				if (s) {
					/* The server's text goes to debug only: it may quote what
					 * the client asked for. */
					const char *code = pg_error_field(body, blen, 'C');
					const char *msg = pg_error_field(body, blen, 'M');
					dw_warn("session %llu: applying session parameters failed (SQLSTATE %s)",
						(unsigned long long)s->id,
						dw_errors_valid_sqlstate(code) ? code : "?");
					dw_debug("session %llu: applying session parameters failed: %s",
						(unsigned long long)s->id, msg ? msg : "?");
				}
				return V_SWALLOW;
			}
			meter(h, DW_M_FAILURE);
			return s ? to_client(s, type, body, blen, kind == PEND_QUERY) : V_FORWARD;
		}
		/* A Bind can fail for its statement too (planning with the
		 * parameters): the record of the Execute that follows says so. */
		enum srv_verdict v = s ? to_client(s, type, body, blen,
			kind == PEND_EXECUTE || kind == PEND_BIND) : V_SWALLOW;
		skip_to_sync(s, srv);
		emit_synthetic(srv, NULL);
		return v;
	case 'S':
		note_param(s, srv, body, blen);
		return swallow || !s ? V_SWALLOW : V_FORWARD;
	case 'N':
		if (swallow)
			return V_SWALLOW;
		return s && dw_errors_sanitizing(&s->cfg->errors) ? to_client(s, type, body, blen, false)
								   : V_FORWARD;
	case 'A':
		return V_FORWARD;
	case 'K':
	case 'R':
	case 'v':
		return V_FATAL;
	case 'D':
		if (s && !swallow && !pg_limits_row(s, srv, blen + 5))
			return V_SWALLOW;
		return swallow ? V_SWALLOW : V_FORWARD;
	default:
		/* COPY data and everything else passes. */
		return swallow ? V_SWALLOW : V_FORWARD;
	}
}

static bool needs_body(char type)
{
	return type == 'Z' || type == 'S' || type == 'E' || type == 'C';
}

/* Processes the server's input. S is the attached client or NULL (reset).
 * Returns false when the server (and maybe the session) is gone. */
static bool server_input(struct pg_server *srv, struct pg_session *s)
{
	struct evbuffer *in = bufferevent_get_input(srv->base.bev);
	struct evbuffer *out = s ? bufferevent_get_output(s->bev) : NULL;
	size_t acc = 0;
	struct evbuffer_ptr pos;
	evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
	for (;;) {
		size_t len = evbuffer_get_length(in);
		if (srv->msg_remaining) {
			if (!dw_io_stream(len, &acc, &srv->msg_remaining))
				break;
			evbuffer_ptr_set(in, &pos, acc, EVBUFFER_PTR_SET);
			continue;
		}
		if (srv->drop_remaining) {
			/* The rest of a message not for the client (a cut result). */
			dw_io_drop(in, out, &acc, srv->drop_remaining, &srv->drop_remaining);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
			if (srv->drop_remaining)
				break;
			continue;
		}
		if (len - acc < 5)
			break;
		uint8_t h[5];
		if (evbuffer_copyout_from(in, &pos, h, 5) != 5)
			break;
		char type = (char)h[0];
		uint32_t mlen = pg_get_u32(h + 1);
		if (mlen < 4 || mlen > PG_MSG_MAX) {
			dw_warn("backend %s: invalid message length from server", srv->base.pool->backend->name);
			srv->base.broken = true;
			dw_io_pass(in, out, &acc);
			if (s)
				pg_session_close(s, "08P01", "dbward: protocol violation by the server");
			else
				dw_pool_release(&srv->base, false);
			return false;
		}
		size_t total = (size_t)mlen + 1;
		struct pg_pend *head = pg_pending_head(&srv->pending);
		bool maybe_swallow = !out || (head && (head->flags & PEND_SWALLOW));
		/* Errors and notices a client gets sanitized are rewritten whole;
		 * the end of a cut statement, and the ReadyForQuery after one that
		 * completed anyway, are replaced too. */
		bool rewrites = s && (type == 'E' || type == 'N') && dw_errors_sanitizing(&s->cfg->errors);
		bool replaces = rewrites || (s && head && (head->flags & PEND_CUT)) ||
			(s && type == 'Z' && srv->abort_at_ready);
		bool whole = needs_body(type) || maybe_swallow || rewrites;
		uint8_t small[512];
		uint8_t *body = NULL;
		if (whole) {
			if (mlen - 4 > SERVER_INFO_MAX) {
				srv->base.broken = true;
				dw_io_pass(in, out, &acc);
				if (s)
					pg_session_close(s, "08P01", "dbward: server message too large");
				else
					dw_pool_release(&srv->base, false);
				return false;
			}
			if (len - acc < total)
				break;
			body = mlen - 4 <= sizeof small ? small : malloc(mlen - 4);
			if (!body)
				break;
			struct evbuffer_ptr bp = pos;
			evbuffer_ptr_set(in, &bp, 5, EVBUFFER_PTR_ADD);
			evbuffer_copyout_from(in, &bp, body, mlen - 4);
		}
		if (replaces) {
			/* A replacement goes where the message stands: after what
			 * came before it. */
			dw_io_pass(in, out, &acc);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
			len = evbuffer_get_length(in);
		}
		/* BLEN is the body's length even when only the header was read. */
		enum srv_verdict v = account(s, srv, type, body, mlen - 4);
		if (body && body != small)
			free(body);
		if (v == V_FATAL) {
			dw_warn("backend %s: unexpected message '%c' from server", srv->base.pool->backend->name,
				type);
			srv->base.broken = true;
			dw_io_pass(in, out, &acc);
			if (s)
				pg_session_close(s, "08P01", "dbward: protocol violation by the server");
			else
				dw_pool_release(&srv->base, false);
			return false;
		}
		if (v == V_FORWARD && srv->drop_until_ready && type != 'Z')
			v = V_SWALLOW; /* the rest of a cut statement's message */
		if (type == 'Z')
			srv->drop_until_ready = false;
		if (type == 'Z' && v == V_FORWARD && srv->abort_at_ready) {
			/* The client got an error for a statement the server completed:
			 * in a transaction block, make the server's transaction fail
			 * too, as the client now believes it has. */
			srv->abort_at_ready = false;
			if (srv->txstatus == 'T') {
				pg_put_query(bufferevent_get_output(srv->base.bev),
					"DO $dbward$BEGIN RAISE EXCEPTION 'dbward: transaction aborted after "
					"a statement was stopped' USING ERRCODE = 'query_canceled'; END$dbward$");
				pg_pending_push(&srv->pending, PEND_QUERY, PEND_SWALLOW | PEND_FAILS, NULL);
				srv->txstatus = 'E';
				pg_put_ready(out, 'E');
				v = V_REPLACED;
			}
		}
		if (v == V_FORWARD) {
			if (len - acc >= total) {
				acc += total;
				evbuffer_ptr_set(in, &pos, total, EVBUFFER_PTR_ADD);
			} else {
				srv->msg_remaining = (uint32_t)(total - (len - acc));
				acc = len;
			}
		} else {
			/* Only rows and a cut statement's messages are dropped
			 * before they are whole. */
			dw_io_drop(in, out, &acc, total, &srv->drop_remaining);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		}
		struct pg_pend *nh = pg_pending_head(&srv->pending);
		if (nh && is_synthetic(nh->kind)) {
			dw_io_pass(in, out, &acc);
			emit_synthetic(srv, out);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		}
		if (type == 'Z' && pg_pending_empty(&srv->pending)) {
			dw_io_pass(in, out, &acc);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
			if (!s) {
				/* Reset finished. */
				pg_stmt_cache_clear(&srv->stmts, &srv->base.pool->worker->stmts);
				pg_params_copy(&srv->current, &srv->pristine);
				srv->base.state = DWS_ATTACHED;
				dw_pool_release(&srv->base, pg_relay_server_clean(srv));
				return false;
			}
			if (srv->base.broken) {
				pg_session_close(s, "08006", "dbward: could not apply session parameters");
				return false;
			}
			if (s->state == PGC_LOGIN_SYNC) {
				pg_session_login_complete(s);
				return false;
			}
			if (s->transaction_pooling && pg_relay_server_clean(srv)) {
				pg_relay_detach(s, true);
				return false;
			}
		}
	}
	if (s)
		pg_limits_update(s);
	dw_io_pass(in, out, &acc);
	if (s && evbuffer_get_length(out) > CLIENT_OUT_HIGH)
		dw_reader_set(&srv->base.rd, srv->base.bev, false); /* resumed by the client's write callback */
	return true;
}

static void server_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	struct pg_server *srv = s->server;
	bool attached = server_input(srv, s);
	if (attached && s->state == PGC_ACTIVE && !pg_pending_full(&srv->pending) &&
	    evbuffer_get_length(bufferevent_get_output(srv->base.bev)) < SERVER_OUT_HIGH) {
		resume_client(s);
		if (evbuffer_get_length(bufferevent_get_input(s->bev)))
			pg_relay_client_input(s);
	}
	flush_both(s);
}

static void server_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	if (s->server)
		dw_io_flush(s->server->base.bev);
	if (s->state != PGC_ACTIVE || !s->client_paused)
		return;
	resume_client(s);
	if (evbuffer_get_length(bufferevent_get_input(s->bev)))
		pg_relay_client_input(s);
}

static void server_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	struct pg_session *s = arg;
	s->server->base.broken = true;
	dw_warn("session %llu: server connection lost", (unsigned long long)s->id);
	pg_session_close(s, "08006", "dbward: server closed the connection unexpectedly");
}

static void reset_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	server_input(arg, NULL);
}

static void reset_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	struct pg_server *srv = arg;
	srv->base.broken = true;
	dw_pool_release(&srv->base, false);
}

void pg_relay_reset_and_release(struct pg_server *srv)
{
	srv->base.state = DWS_RESETTING;
	srv->client = NULL;
	bufferevent_setcb(srv->base.bev, reset_read, NULL, reset_event, srv);
	dw_reader_set(&srv->base.rd, srv->base.bev, true);
	inject_query(srv, "DISCARD ALL");
	dw_io_direct(srv->base.bev);
}

/* ---- attach / detach ---- */

void pg_relay_attach(struct pg_session *s, struct pg_server *srv)
{
	bool login = s->state == PGC_LOGIN_POOL;
	s->server = srv;
	srv->client = s;
	s->state = login ? PGC_LOGIN_SYNC : PGC_ACTIVE;
	bufferevent_setcb(srv->base.bev, server_read, server_write, server_event, s);
	bufferevent_setwatermark(srv->base.bev, EV_WRITE, SERVER_OUT_LOW, 0);
	dw_reader_set(&srv->base.rd, srv->base.bev, true);
	dw_cancel_set_server(s->cancel, srv->cancel);
	if (srv->orphan_statements) {
		/* Statements of the worker this connection came from. */
		inject_query(srv, "DEALLOCATE ALL");
		srv->orphan_statements = false;
	}

	/* In step when the last sync was for the same settings and nothing
	 * changed since: the common case, checked without comparing pairs. */
	uint64_t sig = pg_params_signature(&s->wants);
	bool in_step = srv->synced_version && srv->synced_sig == sig &&
		srv->synced_version == srv->current.version;
	size_t n = in_step ? 0 : pg_params_sync_sql(&s->wants, &srv->current, &srv->pristine, NULL);
	struct evbuffer *sql = n ? evbuffer_new() : NULL;
	if (sql) {
		pg_params_sync_sql(&s->wants, &srv->current, &srv->pristine, sql);
		evbuffer_add(sql, "", 1);
		size_t len = evbuffer_get_length(sql);
		pg_put_msg(bufferevent_get_output(srv->base.bev), 'Q', evbuffer_pullup(sql, -1), len);
		pg_pending_push(&srv->pending, PEND_QUERY, PEND_SWALLOW, NULL);
		pg_params_after_sync(&s->wants, &srv->current, &srv->pristine);
	}
	if (sql)
		evbuffer_free(sql);
	srv->synced_sig = sig;
	srv->synced_version = srv->current.version;
	if (login) {
		if (pg_pending_empty(&srv->pending))
			pg_session_login_complete(s);
		else
			dw_io_direct(srv->base.bev);
		return;
	}
	resume_client(s);
	pg_relay_client_input(s);
}

void pg_relay_detach(struct pg_session *s, bool reusable)
{
	struct pg_server *srv = s->server;
	dw_io_flush(srv->base.bev);
	if (!reusable && s->state == PGC_CLOSING && !pg_pending_empty(&srv->pending))
		/* The client left mid-statement: stop it before the connection
		 * closes (a server only notices a closed socket when it writes). */
		dw_cancel_server(srv->cancel);
	if (srv->cancel_unconfirmed)
		reusable = false;
	s->server = NULL;
	srv->client = NULL;
	s->timed_serial = 0;
	s->timer_grace = false;
	s->timer_idle = false;
	if (s->stmt_timer)
		evtimer_del(s->stmt_timer);
	dw_cancel_set_server(s->cancel, NULL);
	if (s->state == PGC_ACTIVE)
		s->state = PGC_IDLE;
	if (!reusable) {
		srv->base.broken = true;
		dw_pool_release(&srv->base, false);
	} else if (!s->transaction_pooling) {
		pg_relay_reset_and_release(srv);
	} else {
		dw_pool_release(&srv->base, true);
	}
	pg_limits_update(s);
}

/* ---- client -> server ---- */

static bool client_protocol_error(struct pg_session *s, const char *msg)
{
	pg_session_close(s, "08P01", msg);
	return false;
}

/* Handles an extended-protocol message that names a prepared statement, under
 * transaction pooling. MSG is the whole message (header included). Returns
 * false when the session was closed. */
static bool rewrite_named(struct pg_session *s, struct pg_server *srv, const uint8_t *msg,
	size_t total)
{
	struct evbuffer *out = bufferevent_get_output(srv->base.bev);
	struct pg_stmt_registry *reg = &s->worker->stmts;
	const uint8_t *body = msg + 5;
	size_t blen = total - 5, pos = 0;
	char type = (char)msg[0];
	char sname[32];
	switch (type) {
	case 'P': {
		const char *name = pg_read_cstr(body, blen, &pos);
		if (!name)
			return client_protocol_error(s, "malformed Parse message");
		if (pg_stmt_map_get(&s->stmts, name)) {
			char text[160];
			snprintf(text, sizeof text, "prepared statement \"%.100s\" already exists", name);
			pg_relay_fail_batch(s, "42P05", text);
			return true;
		}
		struct pg_stmt *st = pg_stmt_intern(reg, body + pos, (uint32_t)(blen - pos));
		if (!st || !pg_stmt_map_put(&s->stmts, reg, name, st)) {
			if (st)
				pg_stmt_unref(reg, st);
			pg_session_close(s, "53200", "dbward: out of memory");
			return false;
		}
		if (pg_stmt_cache_has(&srv->stmts, st)) {
			/* Already prepared here: answer ParseComplete in its place. */
			pg_pending_push(&srv->pending, PEND_SYNTH_PARSE, 0, NULL);
			if (srv->pending.count == 1)
				emit_synthetic(srv, bufferevent_get_output(s->bev));
		} else {
			ensure_prepared(s, srv, st, true);
		}
		return true;
	}
	case 'B': {
		const char *portal = pg_read_cstr(body, blen, &pos);
		size_t name_at = pos;
		const char *name = portal ? pg_read_cstr(body, blen, &pos) : NULL;
		if (!name)
			return client_protocol_error(s, "malformed Bind message");
		struct pg_stmt *st = pg_stmt_map_get(&s->stmts, name);
		if (!st) {
			evbuffer_add(out, msg, total);
		} else {
			ensure_prepared(s, srv, st, false);
			pg_stmt_server_name(st, sname);
			size_t pl = name_at, nl = strlen(sname) + 1, rest = blen - pos;
			uint8_t hdr[5] = {'B'};
			pg_put_u32(hdr + 1, (uint32_t)(4 + pl + nl + rest));
			evbuffer_add(out, hdr, 5);
			evbuffer_add(out, body, pl);
			evbuffer_add(out, sname, nl);
			evbuffer_add(out, body + pos, rest);
		}
		pg_pending_push(&srv->pending, PEND_BIND, 0, NULL);
		return true;
	}
	case 'D':
	case 'C': {
		if (blen < 2)
			return client_protocol_error(s, "malformed Describe/Close message");
		char kind = (char)body[0];
		pos = 1;
		const char *name = pg_read_cstr(body, blen, &pos);
		if (!name || pos != blen)
			return client_protocol_error(s, "malformed Describe/Close message");
		struct pg_stmt *st = kind == 'S' ? pg_stmt_map_get(&s->stmts, name) : NULL;
		if (type == 'D') {
			if (st) {
				ensure_prepared(s, srv, st, false);
				pg_stmt_server_name(st, sname);
				put_named(out, 'D', 'S', sname, NULL, 0);
			} else {
				evbuffer_add(out, msg, total);
			}
			pg_pending_push(&srv->pending, kind == 'S' ? PEND_DESCRIBE_STMT : PEND_DESCRIBE_PORTAL,
				0, NULL);
		} else {
			if (st) {
				/* The statement stays cached on the servers for other clients;
				 * the server still answers CloseComplete in order. */
				pg_stmt_map_remove(&s->stmts, reg, name);
				put_named(out, 'C', 'S', "dw_none", NULL, 0);
			} else {
				evbuffer_add(out, msg, total);
			}
			pg_pending_push(&srv->pending, PEND_CLOSE, 0, NULL);
		}
		return true;
	}
	default:
		return client_protocol_error(s, "unexpected message");
	}
}

/* True when message TYPE of the first PEEK bytes names a non-empty prepared
 * statement (so transaction pooling must rewrite it). */
static bool names_statement(char type, const uint8_t *peek, size_t n)
{
	switch (type) {
	case 'P':
		return n > 5 && peek[5] != '\0';
	case 'B': {
		const uint8_t *nul = memchr(peek + 5, '\0', n - 5);
		return !nul || (nul + 1 < peek + n && nul[1] != '\0');
	}
	case 'D':
	case 'C':
		return n > 6 && peek[5] == 'S' && peek[6] != '\0';
	default:
		return false;
	}
}

/* What the audit trail keeps of a judged message: the statements of a
 * simple query, noted as they leave; the summary of a Parse, kept under the
 * statement's name for its executions. */
static void audit_judged(struct pg_session *s, char type, const char *name,
	const struct dw_sql_analysis *a, const char *text)
{
	if (type == 'Q') {
		s->audit_query = dw_stmt_notes_new_message(&s->notes);
		s->audit_query_unsent = true;
		dw_stmt_notes_push(&s->notes, s->audit_query, a, text, &s->guard.last,
			s->cfg->audit.statements);
	} else if (type == 'P') {
		struct dw_stmt_summary *sum = dw_stmt_summary_new(a, text, &s->guard.last,
			s->cfg->audit.statements);
		dw_audit_names_put(&s->audit_stmts, name, strlen(name), sum);
		dw_stmt_summary_unref(sum);
	}
}

/* The first C string of a message's body in PEEK (NP bytes): its name, or
 * NULL when it does not fit the peek. */
static const char *peek_name(const uint8_t *peek, size_t np, size_t at, size_t *len)
{
	if (np <= at)
		return NULL;
	const uint8_t *nul = memchr(peek + at, '\0', np - at);
	if (!nul)
		return NULL;
	*len = (size_t)(nul - (peek + at));
	return (const char *)peek + at;
}

/* Bind, Execute, Close and Sync as the audit trail sees them: which
 * statement each portal runs, one note per Execute, batches ending at Sync.
 * Returns the message number a Sync closes (0 otherwise). */
static uint32_t audit_extended(struct pg_session *s, char type, const uint8_t *peek, size_t np)
{
	size_t len = 0, len2 = 0;
	const char *name;
	switch (type) {
	case 'B': {
		name = peek_name(peek, np, 5, &len);
		const char *stmt = name ? peek_name(peek, np, 5 + len + 1, &len2) : NULL;
		if (name)
			dw_audit_names_put(&s->audit_portals, name, len,
				stmt ? dw_audit_names_get(&s->audit_stmts, stmt, len2) : NULL);
		return 0;
	}
	case 'E':
		name = peek_name(peek, np, 5, &len);
		if (!s->audit_batch)
			s->audit_batch = dw_stmt_notes_new_message(&s->notes);
		dw_stmt_notes_push_execution(&s->notes, s->audit_batch,
			name ? dw_audit_names_get(&s->audit_portals, name, len) : NULL);
		return 0;
	case 'C':
		name = np > 6 ? peek_name(peek, np, 6, &len) : NULL;
		if (name)
			dw_audit_names_remove(peek[5] == 'S' ? &s->audit_stmts : &s->audit_portals, name,
				len);
		return 0;
	case 'S': {
		uint32_t batch = s->audit_batch;
		s->audit_batch = 0;
		return batch;
	}
	default:
		return 0;
	}
}

/* Judges the Query, Parse or FunctionCall at the head of the input (TOTAL
 * bytes, all buffered). Returns true when it may go on; otherwise it has
 * been answered with 42501 and dropped, and the session carries on. */
static bool judge_head(struct pg_session *s, char type, size_t total)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct dw_session_info who;
	char msg[512];
	const char *text = "";
	const char *body_name = "";
	size_t text_len = 0;
	bool ok;
	pg_session_info(s, &who);
	if (type == 'F') {
		ok = dw_guard_judge_opaque(&s->guard, &who, "a fastpath function call", msg, sizeof msg);
	} else {
		const uint8_t *m = evbuffer_pullup(in, (ssize_t)total);
		if (!m) {
			pg_session_close(s, "53200", "dbward: out of memory");
			return false;
		}
		const uint8_t *body = m + 5;
		size_t blen = total - 5, pos = 0;
		if (type == 'P' && !pg_read_cstr(body, blen, &pos))
			return client_protocol_error(s, "malformed Parse message");
		if (type == 'P')
			body_name = (const char *)body;
		const uint8_t *nul = memchr(body + pos, '\0', blen - pos);
		if (!nul)
			return client_protocol_error(s, "malformed query message");
		text = (const char *)body + pos;
		text_len = (size_t)(nul - (body + pos));
		ok = dw_guard_judge(&s->guard, s->worker, &who, text, text_len, NULL, msg, sizeof msg);
	}
	const struct dw_sql_analysis *a = s->guard.analysed ? dw_policy_ctx_analysis(s->worker->policy) : NULL;
	if (ok) {
		s->guard.head_judged = true;
		if (a && dw_audit_on())
			audit_judged(s, type, body_name, a, text);
		return true;
	}
	dw_audit_refused(&who, a, text, text_len, &s->guard.last, s->guard.last_ref,
		s->cfg->audit.statements);
	dw_metrics_refused_text(DW_M_POSTGRES, type == 'F' ? NULL : text, text_len, DW_M_BLOCKED);
	evbuffer_drain(in, total);
	if (type == 'P')
		pg_relay_fail_batch(s, "42501", msg);
	else
		pg_relay_fail_query(s, "42501", msg);
	return false;
}

/* The time limit of the Query, FunctionCall or Execute at the head of the
 * input (0 for other messages) and, in *KINDS, what it runs; and what Parse
 * and Bind say about the statements and portals later Executes run. Kinds
 * are looked at even without time limits: metrics count by them. */
static uint32_t statement_limit(struct pg_session *s, char type, const uint8_t *peek, size_t np,
	size_t total, uint32_t *kinds_out)
{
	size_t len = 0, len2 = 0;
	*kinds_out = DW_KIND_UNKNOWN;
	const char *name;
	switch (type) {
	case 'Q':
	case 'P': {
		const uint8_t *m = evbuffer_pullup(bufferevent_get_input(s->bev), (ssize_t)total);
		if (!m)
			return pg_limits_timeout(s, DW_KIND_UNKNOWN);
		size_t blen = total - 5, pos = 0;
		if (type == 'P' && !pg_read_cstr(m + 5, blen, &pos))
			return 0;
		const uint8_t *nul = memchr(m + 5 + pos, '\0', blen - pos);
		size_t tl = nul ? (size_t)(nul - (m + 5 + pos)) : blen - pos;
		uint32_t kinds = dw_sql_kinds((const char *)m + 5 + pos, tl, DW_SQL_POSTGRES);
		if (type == 'Q') {
			s->query_kinds = kinds;
			*kinds_out = kinds;
			return pg_limits_timeout(s, kinds);
		}
		dw_kind_cache_put(&s->kinds, 'S', (const char *)m + 5, pos - 1, kinds);
		return 0;
	}
	case 'F':
		return pg_limits_timeout(s, DW_KIND_UNKNOWN);
	case 'B':
		name = peek_name(peek, np, 5, &len);
		if (name) {
			const char *stmt = peek_name(peek, np, 5 + len + 1, &len2);
			dw_kind_cache_put(&s->kinds, 'P', name, len,
				stmt ? dw_kind_cache_get(&s->kinds, 'S', stmt, len2) : DW_KIND_UNKNOWN);
		}
		return 0;
	case 'E':
		name = peek_name(peek, np, 5, &len);
		*kinds_out = name ? dw_kind_cache_get(&s->kinds, 'P', name, len) : DW_KIND_UNKNOWN;
		return pg_limits_timeout(s, *kinds_out);
	default:
		return 0;
	}
}

static void client_input(struct pg_session *s);

void pg_relay_client_input(struct pg_session *s)
{
	s->last_activity_us = dw_now_us();
	if (dw_runtime_config_changed(s->worker->rt, s->cfg_seen))
		pg_session_adopt_config(s); /* a reload: its policies and limits apply from here */
	client_input(s);
	if (s->state == PGC_ACTIVE)
		pg_limits_update(s);
	flush_both(s);
}

static void client_input(struct pg_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	while (s->state == PGC_ACTIVE || s->state == PGC_IDLE) {
		size_t avail = evbuffer_get_length(in);
		struct pg_server *srv = s->server;
		if (srv && s->client_remaining) {
			size_t take = avail < s->client_remaining ? avail : s->client_remaining;
			evbuffer_remove_buffer(in, bufferevent_get_output(srv->base.bev), take);
			s->client_remaining -= (uint32_t)take;
			if (s->client_remaining)
				return;
			continue;
		}
		if (avail < 5)
			return;
		uint8_t peek[256];
		size_t np = evbuffer_copyout(in, peek, avail < sizeof peek ? avail : sizeof peek);
		char type = (char)peek[0];
		uint32_t mlen = pg_get_u32(peek + 1);
		if (mlen < 4 || mlen > PG_MSG_MAX) {
			client_protocol_error(s, "invalid message length");
			return;
		}
		size_t total = (size_t)mlen + 1;
		if (type == 'X') {
			pg_session_close(s, NULL, NULL);
			return;
		}
		if (s->skip_until_sync && !(type == 'S' && srv)) {
			if (total > MSG_BUFFER_MAX) {
				client_protocol_error(s, "dbward: message too large");
				return;
			}
			if (avail < total)
				return;
			evbuffer_drain(in, total);
			if (type == 'S') {
				/* No server holds this batch: the ReadyForQuery is ours. */
				s->skip_until_sync = false;
				pg_put_ready(bufferevent_get_output(s->bev), 'I');
			}
			continue;
		}
		if (dw_limit_pending(&s->limit) && (type == 'Q' || type == 'E') &&
		    total <= MSG_BUFFER_MAX) {
			/* Rate limits: before policy, and before a server is taken. */
			if (avail < total)
				return;
			enum dw_limit_verdict lv = pg_session_admit(s, type, total);
			if (lv == DW_LIMIT_WAIT || (s->state != PGC_ACTIVE && s->state != PGC_IDLE))
				return;
			if (lv == DW_LIMIT_REFUSE)
				continue;
		}
		if ((s->guard.policy || dw_audit_on()) && !s->guard.head_judged &&
		    (type == 'Q' || type == 'P' || type == 'F')) {
			/* Judged before a server is taken: a refusal costs none. */
			if (total > MSG_BUFFER_MAX) {
				client_protocol_error(s, "dbward: message too large");
				return;
			}
			if (avail < total)
				return;
			if (!judge_head(s, type, total)) {
				dw_limit_dropped(&s->limit);
				if (s->state != PGC_ACTIVE && s->state != PGC_IDLE)
					return;
				continue;
			}
		}
		if (!srv) {
			pg_session_need_server(s);
			return;
		}
		struct evbuffer *out = bufferevent_get_output(srv->base.bev);
		if (evbuffer_get_length(out) > SERVER_OUT_HIGH || pg_pending_full(&srv->pending)) {
			pause_client(s);
			return;
		}
		if (type == 'd') {
			/* COPY data streams through. */
			if (avail >= total) {
				evbuffer_remove_buffer(in, out, total);
			} else {
				evbuffer_remove_buffer(in, out, avail);
				s->client_remaining = (uint32_t)(total - avail);
			}
			continue;
		}
		if (total > MSG_BUFFER_MAX) {
			client_protocol_error(s, "dbward: message too large");
			return;
		}
		if (avail < total)
			return;
		uint8_t kind = 0;
		switch (type) {
		case 'Q':
		case 'F':
			/* The seam for statement policy, audit and timeouts. */
			kind = PEND_QUERY;
			break;
		case 'P':
			kind = PEND_PARSE;
			break;
		case 'B':
			kind = PEND_BIND;
			break;
		case 'D':
			kind = np > 5 && peek[5] == 'S' ? PEND_DESCRIBE_STMT : PEND_DESCRIBE_PORTAL;
			break;
		case 'E':
			kind = PEND_EXECUTE;
			break;
		case 'C':
			kind = PEND_CLOSE;
			break;
		case 'S':
			kind = PEND_SYNC;
			break;
		case 'H':
		case 'c':
		case 'f':
			break;
		default:
			client_protocol_error(s, "invalid frontend message type");
			return;
		}
		uint32_t audit_msg = 0;
		if (dw_audit_on()) {
			if (kind == PEND_QUERY && type == 'Q')
				s->audit_query_unsent = false;
			audit_msg = kind == PEND_QUERY && type == 'Q' ? s->audit_query :
				audit_extended(s, type, peek, np);
		}
		uint32_t kinds;
		uint32_t limit = statement_limit(s, type, peek, np, total, &kinds);
		if (kind != PEND_QUERY && kind != PEND_SYNC && kind)
			srv->unsynced = true;
		if (kind == PEND_SYNC) {
			srv->unsynced = false;
			s->skip_until_sync = false;
		}
		if (s->transaction_pooling && names_statement(type, peek, np)) {
			uint8_t stackbuf[2048];
			uint8_t *msg = total <= sizeof stackbuf ? stackbuf : malloc(total);
			if (!msg) {
				pg_session_close(s, "53200", "dbward: out of memory");
				return;
			}
			evbuffer_remove(in, msg, total);
			s->guard.head_judged = false;
			bool ok = rewrite_named(s, srv, msg, total);
			if (msg != stackbuf)
				free(msg);
			if (!ok)
				return;
			continue;
		}
		evbuffer_remove_buffer(in, out, total);
		s->guard.head_judged = false;
		if (kind) {
			pg_pending_push(&srv->pending, kind, dw_limit_forwarded(&s->limit) ? PEND_SLOT : 0,
				NULL);
			struct pg_pend *e = &srv->pending.e[(srv->pending.head + srv->pending.count - 1) %
				PG_PENDING_CAP];
			e->audit_msg = audit_msg;
			if (kind == PEND_QUERY || kind == PEND_EXECUTE) {
				if (++srv->next_serial == 0)
					srv->next_serial = 1;
				e->serial = srv->next_serial;
				e->timeout_ms = limit;
				e->metered = (uint8_t)(dw_metrics_class(kinds) + 1);
				e->sent_us = s->last_activity_us; /* this turn's clock reading */
			}
		}
	}
}
