/* The MySQL command stream between a logged-in client and the server
 * connection attached to it.
 *
 * Commands are relayed one at a time in order: a client that pipelines waits
 * in dbward's input buffer until the reply to its previous command is
 * complete (the reply tracker says when). Replies stream through packet by
 * packet; only the first bytes of each packet are looked at. */
#include "proxy/my_session.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "audit/audit.h"
#include "proxy/error_sanitize.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/my_codec.h"
#include "proxy/worker.h"

/* Commands larger than this are refused (MySQL's own default
 * max_allowed_packet is 64 MiB). */
#define MY_COMMAND_MAX (64u * 1024u * 1024u)
#define CLIENT_OUT_HIGH (512u * 1024u)
/* How much of a query is looked at for session state. */
#define PIN_SCAN_MAX 4096u
/* ERR packets a client gets are taken whole up to this (servers send a
 * message of at most 512 characters). */
#define ERR_PACKET_MAX (64u * 1024u)

static void server_read(struct bufferevent *bev, void *arg);
static void server_write(struct bufferevent *bev, void *arg);
static void server_event(struct bufferevent *bev, short what, void *arg);
static void client_input(struct my_session *s);

static void flush_both(struct my_session *s)
{
	if (s->state == MYC_CLOSING)
		return;
	if (s->bev)
		dw_io_flush(s->bev);
	if (s->server && s->server->base.bev)
		dw_io_flush(s->server->base.bev);
}

bool my_relay_server_clean(const struct my_server *srv)
{
	return srv->base.state == DWS_ATTACHED && !srv->busy && !srv->base.broken &&
		!(srv->status & MY_SERVER_STATUS_IN_TRANS) && srv->pkt_remaining == 0 &&
		(!srv->client || (srv->client->cmd_remaining == 0 && !srv->client->cmd_continues)) &&
		evbuffer_get_length(bufferevent_get_input(srv->base.bev)) == 0;
}

/* ---- session state that ties a client to its server (transaction pooling) ---- */

static const char *skip_space_and_comments(const char *p, const char *end)
{
	for (;;) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (end - p >= 2 && p[0] == '/' && p[1] == '*' && (end - p < 3 || p[2] != '!')) {
			const char *c = p + 2;
			while (end - c >= 2 && !(c[0] == '*' && c[1] == '/'))
				c++;
			p = end - c >= 2 ? c + 2 : end;
		} else if ((end - p >= 2 && p[0] == '-' && p[1] == '-') || (p < end && *p == '#')) {
			while (p < end && *p != '\n')
				p++;
		} else {
			return p;
		}
	}
}

static bool starts_with_word(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0 &&
		((size_t)(end - p) == n || !isalnum((unsigned char)p[n]) );
}

static bool contains_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	for (; (size_t)(end - p) >= n; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* True when running SQL would leave state on the server connection that a
 * later statement of the same client may rely on. A conservative keyword
 * scan: a false "yes" only costs pooling efficiency. */
static bool query_pins(const char *sql, size_t len, bool *autocommit, bool *sets_autocommit)
{
	const char *end = sql + (len < PIN_SCAN_MAX ? len : PIN_SCAN_MAX);
	const char *p = skip_space_and_comments(sql, end);
	*sets_autocommit = false;
	if (starts_with_word(p, end, "SET")) {
		const char *q = skip_space_and_comments(p + 3, end);
		if (starts_with_word(q, end, "autocommit") || starts_with_word(q, end, "@@autocommit") ||
		    starts_with_word(q, end, "@@session.autocommit")) {
			const char *eq = memchr(q, '=', (size_t)(end - q));
			if (eq && !memchr(q, ',', (size_t)(end - q))) {
				const char *v = skip_space_and_comments(eq + 1, end);
				if (v < end && (*v == '0' || *v == '1')) {
					*autocommit = *v == '1';
					*sets_autocommit = true;
					return false;
				}
				if (starts_with_word(v, end, "ON") || starts_with_word(v, end, "OFF") ||
				    starts_with_word(v, end, "TRUE") || starts_with_word(v, end, "FALSE")) {
					*autocommit = toupper((unsigned char)v[0]) == 'T' ||
						(toupper((unsigned char)v[0]) == 'O' && toupper((unsigned char)v[1]) == 'N');
					*sets_autocommit = true;
					return false;
				}
			}
		}
		return true;
	}
	if (starts_with_word(p, end, "USE") || starts_with_word(p, end, "PREPARE") ||
	    starts_with_word(p, end, "LOCK") || starts_with_word(p, end, "HANDLER") ||
	    starts_with_word(p, end, "XA"))
		return true;
	static const char *const markers[] = {"temporary", "get_lock", "last_insert_id",
		"found_rows", "sql_calc_found_rows", NULL};
	for (size_t i = 0; markers[i]; i++)
		if (contains_ci(p, end, markers[i]))
			return true;
	/* User variables (@x), not system variables (@@x). */
	for (const char *c = p; c < end; c++)
		if (*c == '@' && (c + 1 >= end || c[1] != '@') && (c == p || c[-1] != '@'))
			return true;
	return false;
}

/* ---- attach / detach / reset ---- */

static void reset_read(struct bufferevent *bev, void *arg);
static void reset_event(struct bufferevent *bev, short what, void *arg);

/* Server connections that carried session state are cleaned with
 * COM_RESET_CONNECTION before another client gets them. */
static void reset_and_release(struct my_server *srv)
{
	srv->base.state = DWS_RESETTING;
	srv->client = NULL;
	bufferevent_setcb(srv->base.bev, reset_read, NULL, reset_event, srv);
	dw_reader_set(&srv->base.rd, srv->base.bev, true);
	my_reply_init(&srv->reply, MY_COM_RESET_CONNECTION, srv->caps);
	srv->reply_started = false;
	srv->units_noted = 0;
	srv->fwd_any = false;
	srv->reply_bytes = 0;
	srv->busy = true;
	srv->swallow = true;
	my_put_command(bufferevent_get_output(srv->base.bev), MY_COM_RESET_CONNECTION, NULL, 0);
	dw_io_direct(srv->base.bev);
}

void my_relay_attach(struct my_session *s, struct my_server *srv)
{
	bool login = s->state == MYC_LOGIN_POOL;
	s->server = srv;
	srv->client = s;
	s->state = MYC_ACTIVE;
	bufferevent_setcb(srv->base.bev, server_read, server_write, server_event, s);
	bufferevent_setwatermark(srv->base.bev, EV_WRITE, 128u * 1024u, 0);
	dw_reader_set(&srv->base.rd, srv->base.bev, true);
	if (!srv->schema)
		srv->schema = strdup(srv->base.pool->database);
	if (login) {
		my_session_login_complete(s);
		return;
	}
	my_relay_client_input(s);
}

void my_relay_detach(struct my_session *s, bool reusable)
{
	struct my_server *srv = s->server;
	dw_io_flush(srv->base.bev);
	if (!reusable && s->state == MYC_CLOSING)
		my_limits_client_gone(s, srv);
	if (srv->kill_unconfirmed)
		reusable = false;
	my_limits_stop(s);
	srv->cut = false;
	s->server = NULL;
	srv->client = NULL;
	if (s->state == MYC_ACTIVE)
		s->state = MYC_IDLE;
	bool had_state = s->pinned || !s->transaction_pooling;
	if (!reusable) {
		srv->base.broken = true;
		dw_pool_release(&srv->base, false);
	} else if (had_state) {
		reset_and_release(srv);
	} else {
		dw_pool_release(&srv->base, true);
	}
	my_limits_idle(s);
}

/* Brings the server to the client's default database and autocommit mode
 * with a command of dbward's own; returns true when one was sent. */
static bool sync_server(struct my_session *s, struct my_server *srv)
{
	struct evbuffer *out = bufferevent_get_output(srv->base.bev);
	if (strcmp(srv->schema ? srv->schema : "", s->database) != 0 && s->database[0]) {
		my_reply_init(&srv->reply, MY_COM_INIT_DB, srv->caps);
		my_put_command(out, MY_COM_INIT_DB, s->database, strlen(s->database));
		free(srv->schema);
		srv->schema = strdup(s->database);
	} else if (((srv->status & MY_SERVER_STATUS_AUTOCOMMIT) != 0) != s->autocommit) {
		const char *q = s->autocommit ? "SET autocommit=1" : "SET autocommit=0";
		my_reply_init(&srv->reply, MY_COM_QUERY, srv->caps);
		my_put_command(out, MY_COM_QUERY, q, strlen(q));
	} else {
		return false;
	}
	srv->reply_started = false;
	srv->units_noted = 0;
	srv->fwd_any = false;
	srv->reply_bytes = 0;
	srv->busy = true;
	srv->swallow = true;
	return true;
}

/* ---- server -> client ---- */

static bool server_failed(struct my_session *s, struct my_server *srv, const char *why)
{
	srv->base.broken = true;
	dw_warn("backend %s: %s", srv->base.pool->backend->name, why);
	if (s)
		my_session_close(s, 1053, "08S01", "dbward: protocol violation by the server");
	else
		dw_pool_release(&srv->base, false);
	return false;
}

void my_relay_note_status(struct my_session *s, uint16_t status)
{
	s->guard.opts.no_backslash_escapes = (status & MY_SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0;
	s->guard.opts.ansi_quotes = (status & MY_SERVER_STATUS_ANSI_QUOTES) != 0;
}

/* The server's ERR packet as the client got it: the original message for
 * the audit record, and the reference shown in its place when sanitized. */
struct client_err {
	char *message;             /* NUL-terminated copy, NULL when not taken */
	char ref[DW_ERR_REF_MAX];  /* "" when the client saw the server's message */
};

/* The reply ended in error E: its statement's record (COM_QUERY and
 * COM_STMT_EXECUTE) holds the original and the reference; a reference no
 * record took goes to an error record of its own. */
static void audit_error(struct my_session *s, struct my_server *srv, uint8_t cmd_sent,
	const struct client_err *e)
{
	const struct my_reply *r = &srv->reply;
	struct dw_session_info as;
	my_session_info(s, &as);
	bool recorded = (cmd_sent == MY_COM_QUERY || cmd_sent == MY_COM_STMT_EXECUTE) &&
		s->notes.count && dw_stmt_notes_fail_message(&s->notes, &as, r->sqlstate, r->err_code,
			e ? e->message : NULL, e ? e->ref : NULL);
	if (e && e->ref[0] && !recorded)
		dw_errors_unrecorded(&as, r->sqlstate, r->err_code, e->message, e->ref);
}

/* A reply is complete: what it tells about the session. E: the ERR the
 * client got, when the reply ended in one (NULL otherwise, or not taken). */
static void reply_done(struct my_session *s, struct my_server *srv, uint8_t cmd_sent,
	const struct client_err *e)
{
	if (srv->reply.status_valid)
		srv->status = srv->reply.status;
	if (!s)
		return;
	if (srv->reply.status_valid) {
		s->autocommit = (srv->reply.status & MY_SERVER_STATUS_AUTOCOMMIT) != 0;
		my_relay_note_status(s, srv->reply.status);
	}
	if (cmd_sent == MY_COM_STMT_PREPARE && !srv->swallow && s->audit_preparing) {
		/* The id the client will use: dbward's own under transaction
		 * pooling, the server's otherwise. */
		if (!srv->reply.is_error && srv->reply.prepared) {
			uint8_t id[4];
			my_put_u32(id, srv->prepare_for ? srv->prepare_for : srv->reply.stmt_id);
			dw_audit_names_put(&s->audit_stmts, (const char *)id, sizeof id, s->audit_preparing);
		}
		dw_stmt_summary_unref(s->audit_preparing);
		s->audit_preparing = NULL;
	}
	if ((cmd_sent == MY_COM_QUERY || cmd_sent == MY_COM_STMT_EXECUTE) && !srv->swallow) {
		dw_limit_finished(&s->limit);
		dw_metrics_statement(DW_M_MYSQL, (enum dw_m_class)s->stmt_class,
			srv->cut ? (strcmp(s->cut.action, "timeout") == 0 ? DW_M_TIMEOUT : DW_M_BLOCKED) :
			srv->reply.is_error ? DW_M_FAILURE : DW_M_SUCCESS, s->stmt_sent_us);
	}
	if (cmd_sent == MY_COM_STMT_PREPARE && !srv->swallow && !srv->reply.is_error &&
	    srv->reply.prepared) {
		uint8_t id[4];
		my_put_u32(id, srv->prepare_for ? srv->prepare_for : srv->reply.stmt_id);
		dw_kind_cache_put(&s->kinds, 'S', (const char *)id, sizeof id, s->preparing_kinds);
	}
	if (srv->cut) {
		/* Recorded by end_cut_reply. */
	} else if (srv->reply.is_error && !srv->swallow) {
		audit_error(s, srv, cmd_sent, e);
	} else if ((cmd_sent == MY_COM_QUERY || cmd_sent == MY_COM_STMT_EXECUTE) && !srv->swallow &&
		   s->notes.count) {
		struct dw_session_info as;
		my_session_info(s, &as);
		const struct my_reply *r = &srv->reply;
		/* Several results: earlier statements were recorded as theirs ended. */
		dw_stmt_notes_complete_message(&s->notes, &as, true,
			r->units > 1 ? r->unit_rows : r->rows + r->affected_rows, NULL, 0, NULL);
	}
	/* The client cleaned its session itself: nothing ties it any more. */
	if (cmd_sent == MY_COM_RESET_CONNECTION && !srv->reply.is_error) {
		s->pinned = false;
		my_cstmt_clear(&s->stmts);
		if (srv->stmts)
			my_stmt_cache_clear(srv->stmts);
	}
}

static struct my_stmt_cache *cache_of(struct my_server *srv)
{
	if (!srv->stmts)
		srv->stmts = calloc(1, sizeof *srv->stmts);
	return srv->stmts;
}

/* Records that the text of client statement C is prepared on SRV as
 * SERVER_ID; closes the statement the bounded cache gives up for it. */
static struct my_sstmt *remember(struct my_server *srv, const struct my_cstmt *c,
	uint32_t server_id)
{
	struct my_stmt_cache *cache = cache_of(srv);
	uint32_t evicted = server_id;
	struct my_sstmt *e = cache ?
		my_stmt_cache_add(cache, c->hash, c->sql, c->sql_len, server_id, &evicted) : NULL;
	if (evicted) {
		uint8_t arg[4];
		my_put_u32(arg, evicted);
		my_put_command(bufferevent_get_output(srv->base.bev), MY_COM_STMT_CLOSE, arg, sizeof arg);
	}
	return e;
}

/* The reply to a client's COM_STMT_PREPARE is complete. */
static void prepared_for_client(struct my_session *s, struct my_server *srv)
{
	uint32_t id = srv->prepare_for;
	srv->prepare_for = 0;
	struct my_cstmt *c = my_cstmt_get(&s->stmts, id);
	if (!c)
		return;
	if (srv->reply.is_error || !srv->reply.prepared) {
		my_cstmt_remove(&s->stmts, id);
		return;
	}
	c->num_params = srv->reply.num_params;
	remember(srv, c, srv->reply.stmt_id);
}

/* The reply to dbward's own PREPARE of a client statement is complete. */
static void statement_prepared_here(struct my_session *s, struct my_server *srv)
{
	uint32_t id = srv->inject_for;
	srv->inject_for = 0;
	if (!s) {
		dw_pool_release(&srv->base, false);
		return;
	}
	if (srv->reply.is_error || !srv->reply.prepared) {
		srv->inject_failed = true;
		srv->inject_err = srv->reply.err_code;
		memcpy(srv->inject_sqlstate, srv->reply.sqlstate, sizeof srv->inject_sqlstate);
		return;
	}
	struct my_cstmt *c = my_cstmt_get(&s->stmts, id);
	if (c) {
		c->num_params = srv->reply.num_params;
		remember(srv, c, srv->reply.stmt_id);
	}
}

/* A statement of a multi-statement COM_QUERY ended, more results follow:
 * its record gets its own row count. */
static void unit_done(struct my_session *s, struct my_server *srv)
{
	srv->units_noted = srv->reply.units;
	/* The message's last statement waits for the end of the reply (a CALL
	 * ends several results on its own). */
	if (s->notes.count < 2)
		return;
	struct dw_session_info as;
	my_session_info(s, &as);
	dw_stmt_notes_complete(&s->notes, &as, true, srv->reply.unit_rows, NULL, 0, NULL);
}

/* The last packet of a cut reply is in (and dropped): the client gets
 * dbward's ERR in its place, numbered after the last packet it got, and
 * the audit record says why. */
static void end_cut_reply(struct my_session *s, struct my_server *srv)
{
	const struct my_reply *r = &srv->reply;
	if (r->is_error && (r->err_code == 1317 || r->err_code == 1969 || r->err_code == 3024))
		srv->kill_unconfirmed = false; /* the KILL landed on this statement */
	uint8_t seq = (uint8_t)(srv->fwd_any ? srv->fwd_seq + 1 : 1);
	my_put_err(bufferevent_get_output(s->bev), seq, s->cut.code, s->cut.sqlstate, s->cut.message);
	if (s->notes.count) {
		struct dw_session_info as;
		my_session_info(s, &as);
		dw_stmt_notes_complete_cut(&s->notes, &as, s->cut.action, s->cut.rule, s->cut.sqlstate,
			s->cut.code, r->is_error ? "the server stopped the statement" : NULL, s->cut.ref);
		/* The message's other statements, if any: not the client's any more. */
		dw_stmt_notes_end_through(&s->notes, &as, s->notes.message);
	}
}

/* True when a packet with first byte B0 and payload length PLEN, from the
 * server to client S, is an ERR to take whole: to rewrite it (errors.mode
 * sanitize) or keep its message for the audit trail. Not a continuation of
 * a split payload, which may start with any byte. */
static bool takes_error(const struct my_session *s, const struct my_server *srv, uint8_t b0,
	uint32_t plen)
{
	return b0 == MY_PKT_ERR && !srv->reply.continued && plen < MY_MAX_PAYLOAD &&
		(dw_errors_sanitizing(&s->cfg->errors) || dw_audit_on());
}

/* The ERR packet of TOTAL bytes at POS (all buffered) ended the reply: its
 * message is kept in E, and with errors.mode sanitize the client gets a
 * rewritten packet in its place, after what came before it. Returns true
 * when the packet left IN (replaced), false when it is to be forwarded. */
static bool take_error(struct my_session *s, struct evbuffer *in, struct evbuffer *out,
	size_t *acc, const struct evbuffer_ptr *pos, size_t total, struct client_err *e)
{
	uint8_t *pkt = malloc(total);
	if (!pkt)
		return false;
	struct evbuffer_ptr pp = *pos;
	evbuffer_copyout_from(in, &pp, pkt, total);
	const uint8_t *payload = pkt + MY_HEADER_LEN;
	size_t plen = total - MY_HEADER_LEN;
	struct my_err err;
	bool replaced = false;
	if (my_parse_err(payload, plen, &err)) {
		e->message = strndup((const char *)err.message.ptr, err.message.len);
		if (dw_errors_action(&s->cfg->errors, err.sqlstate, err.code) == DW_ERR_SANITIZE) {
			dw_guard_ref(&s->guard, s->id, e->ref, sizeof e->ref);
			dw_io_pass(in, out, acc);
			evbuffer_drain(in, total);
			replaced = dw_my_err_rewrite(out, pkt[3], payload, plen, e->ref);
		}
	}
	free(pkt);
	return replaced;
}

/* Processes the server's input. S is the attached client or NULL (reset).
 * Returns false when the server left this session (or failed). */
static bool server_input(struct my_server *srv, struct my_session *s)
{
	struct evbuffer *in = bufferevent_get_input(srv->base.bev);
	struct evbuffer *out = s ? bufferevent_get_output(s->bev) : NULL;
	size_t acc = 0;
	struct evbuffer_ptr pos;
	evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
	for (;;) {
		size_t len = evbuffer_get_length(in);
		if (srv->pkt_remaining) {
			if (!dw_io_stream(len, &acc, &srv->pkt_remaining))
				break;
			evbuffer_ptr_set(in, &pos, acc, EVBUFFER_PTR_SET);
			continue;
		}
		if (srv->drop_remaining) {
			/* The rest of a packet of a cut reply. */
			dw_io_drop(in, out, &acc, srv->drop_remaining, &srv->drop_remaining);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
			if (srv->drop_remaining)
				break;
			continue;
		}
		if (len - acc < MY_HEADER_LEN)
			break;
		uint8_t head[MY_HEADER_LEN + MY_REPLY_HEAD];
		if (evbuffer_copyout_from(in, &pos, head, MY_HEADER_LEN) != MY_HEADER_LEN)
			break;
		uint32_t plen;
		uint8_t seq;
		if (!my_read_header(head, MY_HEADER_LEN, &plen, &seq))
			break;
		size_t hn = plen < MY_REPLY_HEAD ? plen : MY_REPLY_HEAD;
		if (len - acc < MY_HEADER_LEN + hn)
			break;
		if (hn) {
			struct evbuffer_ptr hp = pos;
			evbuffer_ptr_set(in, &hp, MY_HEADER_LEN, EVBUFFER_PTR_ADD);
			evbuffer_copyout_from(in, &hp, head + MY_HEADER_LEN, hn);
		}
		if (!srv->busy) {
			dw_io_pass(in, out, &acc);
			return server_failed(s, srv, "unsolicited packet from the server");
		}
		bool swallow = srv->swallow || !out;
		bool dropping = !swallow && srv->cut; /* a cut reply: the client gets none of the rest */
		size_t total = MY_HEADER_LEN + (size_t)plen;
		if (swallow && len - acc < total)
			break; /* dbward's own replies are small: take them whole */
		/* The first packet of a client's PREPARE reply carries the
		 * server's statement id: it is rewritten, so it is taken whole. */
		bool rewrite = !swallow && !dropping && !srv->reply_started && srv->prepare_for && plen >= 5 &&
			plen <= 64 && head[MY_HEADER_LEN] == MY_PKT_OK;
		if (rewrite && len - acc < total)
			break;
		bool error = !swallow && takes_error(s, srv, head[MY_HEADER_LEN], plen);
		if (error && plen > ERR_PACKET_MAX) {
			if (dw_errors_sanitizing(&s->cfg->errors)) {
				dw_io_pass(in, out, &acc);
				return server_failed(s, srv, "error packet too large");
			}
			error = false; /* streamed: the audit record goes without the message */
		}
		if (error && len - acc < total)
			break;
		srv->reply_started = true;
		struct client_err cerr = { .message = NULL };
		enum my_reply_result r = my_reply_feed(&srv->reply, head + MY_HEADER_LEN, hn, plen);
		if (r == MY_REPLY_PROTOCOL_ERROR || r == MY_REPLY_LOCAL_INFILE || r == MY_REPLY_AUTH_MORE) {
			dw_io_pass(in, out, &acc);
			return server_failed(s, srv, "unexpected reply from the server");
		}
		if (rewrite) {
			uint8_t pkt[MY_HEADER_LEN + 64];
			struct evbuffer_ptr pp = pos;
			evbuffer_copyout_from(in, &pp, pkt, total);
			my_put_u32(pkt + MY_HEADER_LEN + 1, srv->prepare_for);
			dw_io_pass(in, out, &acc);
			evbuffer_drain(in, total);
			evbuffer_add(out, pkt, total);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		} else if (swallow) {
			dw_io_pass(in, out, &acc);
			evbuffer_drain(in, total);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		} else if (dropping) {
			dw_io_drop(in, out, &acc, total, &srv->drop_remaining);
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		} else if (error && r == MY_REPLY_DONE && srv->reply.is_error &&
			   take_error(s, in, out, &acc, &pos, total, &cerr)) {
			evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		} else if (len - acc >= total) {
			acc += total;
			evbuffer_ptr_set(in, &pos, total, EVBUFFER_PTR_ADD);
		} else {
			srv->pkt_remaining = (uint32_t)(total - (len - acc));
			acc = len;
		}
		if (r == MY_REPLY_CONTINUE && !swallow && !dropping && srv->reply.cmd == MY_COM_QUERY &&
		    srv->reply.units > srv->units_noted)
			unit_done(s, srv); /* one statement of several ended */
		if (!swallow && !dropping) {
			srv->fwd_any = true;
			srv->fwd_seq = seq;
			srv->reply_bytes += total;
			if (r != MY_REPLY_DONE)
				my_limits_check_result(s, srv);
		}
		if (r != MY_REPLY_DONE)
			continue;
		/* The reply is complete. */
		dw_io_pass(in, out, &acc);
		evbuffer_ptr_set(in, &pos, 0, EVBUFFER_PTR_SET);
		srv->busy = false;
		uint8_t cmd = srv->reply.cmd;
		if (dropping)
			end_cut_reply(s, srv);
		reply_done(s, srv, cmd, cerr.message || cerr.ref[0] ? &cerr : NULL);
		free(cerr.message);
		srv->cut = false;
		if (s && !swallow)
			my_limits_idle(s);
		if (s && srv->prepare_for && !swallow)
			prepared_for_client(s, srv);
		if (swallow && srv->inject_for) {
			/* dbward's own PREPARE of a client statement. */
			srv->swallow = false;
			statement_prepared_here(s, srv);
			if (!s)
				return false;
			out = bufferevent_get_output(s->bev);
			continue;
		}
		if (swallow) {
			srv->swallow = false;
			if (cmd == MY_COM_RESET_CONNECTION && srv->stmts)
				my_stmt_cache_clear(srv->stmts); /* the server dropped every statement */
			if (srv->reply.is_error) {
				srv->base.broken = true;
				if (s) {
					my_session_close(s, srv->reply.err_code, srv->reply.sqlstate,
						"dbward: could not restore the session on the server");
					return false;
				}
			}
			if (!s) {
				/* Reset finished. */
				srv->status = MY_SERVER_STATUS_AUTOCOMMIT;
				srv->base.state = DWS_ATTACHED;
				dw_pool_release(&srv->base, my_relay_server_clean(srv));
				return false;
			}
			out = bufferevent_get_output(s->bev);
			continue;
		}
		if (s->transaction_pooling && !s->pinned && my_relay_server_clean(srv)) {
			my_relay_detach(s, true);
			return false;
		}
	}
	dw_io_pass(in, out, &acc);
	if (s && evbuffer_get_length(out) > CLIENT_OUT_HIGH)
		dw_reader_set(&srv->base.rd, srv->base.bev, false);
	return true;
}

static void server_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (server_input(s->server, s) || s->state == MYC_IDLE)
		client_input(s);
	flush_both(s);
}

static void server_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (s->server)
		dw_io_flush(s->server->base.bev);
}

static void server_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	struct my_session *s = arg;
	s->server->base.broken = true;
	dw_warn("session %llu: server connection lost", (unsigned long long)s->id);
	my_session_close(s, 2013, "HY000", "dbward: lost connection to the server");
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
	struct my_server *srv = arg;
	srv->base.broken = true;
	dw_pool_release(&srv->base, false);
}

/* ---- client -> server ---- */

void my_relay_fail_command(struct my_session *s, uint16_t code, const char *sqlstate,
	const char *message)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	uint8_t h[MY_HEADER_LEN];
	uint8_t seq = 0;
	dw_limit_dropped(&s->limit);
	if (evbuffer_copyout(in, h, sizeof h) == (ssize_t)sizeof h) {
		uint32_t plen;
		if (my_read_header(h, sizeof h, &plen, &seq) &&
		    evbuffer_get_length(in) >= MY_HEADER_LEN + (size_t)plen)
			evbuffer_drain(in, MY_HEADER_LEN + (size_t)plen);
	}
	if (s->audit_unsent) {
		/* Judged and noted, then dropped before a server saw it. */
		s->audit_unsent = false;
		struct dw_session_info as;
		my_session_info(s, &as);
		dw_stmt_notes_fail_unsent(&s->notes, &as, s->notes.message, sqlstate, code, message, NULL);
	}
	my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), code, sqlstate, message);
	my_relay_client_input(s);
}

static bool is_statement_command(uint8_t cmd)
{
	return cmd == MY_COM_STMT_EXECUTE || cmd == MY_COM_STMT_SEND_LONG_DATA ||
		cmd == MY_COM_STMT_CLOSE || cmd == MY_COM_STMT_RESET || cmd == MY_COM_STMT_FETCH;
}

/* Takes the whole command packet (TOTAL bytes) off IN into a buffer. */
static uint8_t *take_command(struct evbuffer *in, size_t total)
{
	uint8_t *buf = malloc(total);
	if (buf)
		evbuffer_remove(in, buf, total);
	return buf;
}

/* Notes a COM_STMT_EXECUTE of client statement ID as sent. */
static void audit_execute(struct my_session *s, uint32_t id)
{
	uint8_t key[4];
	my_put_u32(key, id);
	dw_stmt_notes_push_execution(&s->notes, dw_stmt_notes_new_message(&s->notes),
		dw_audit_names_get(&s->audit_stmts, (const char *)key, sizeof key));
}

/* What prepared statement ID (the client's id) does, for its time limit. */
static uint32_t statement_kinds(const struct my_session *s, uint32_t id)
{
	uint8_t key[4];
	my_put_u32(key, id);
	return dw_kind_cache_get(&s->kinds, 'S', (const char *)key, sizeof key);
}

/* What the COM_QUERY or COM_STMT_PREPARE at the head of IN (TOTAL bytes)
 * does; unknown when it is not all there (a command of 16 MiB or more). */
static uint32_t text_kinds(struct evbuffer *in, size_t total)
{
	if (total - MY_HEADER_LEN >= MY_MAX_PAYLOAD || evbuffer_get_length(in) < total)
		return DW_KIND_UNKNOWN;
	const uint8_t *p = evbuffer_pullup(in, (ssize_t)total);
	if (!p)
		return DW_KIND_UNKNOWN;
	return dw_sql_kinds((const char *)p + MY_HEADER_LEN + 1, total - MY_HEADER_LEN - 1,
		DW_SQL_MYSQL);
}

/* A statement command naming client statement ID, under transaction
 * pooling: rewritten to the server's id, after preparing the statement on
 * this server if needed. Returns false to stop reading input (waiting for the
 * server, or the session ended). PKT holds the whole packet. */
static bool relay_statement_command(struct my_session *s, struct my_server *srv, uint8_t *pkt,
	size_t total, bool *consumed)
{
	uint8_t *payload = pkt + MY_HEADER_LEN;
	size_t plen = total - MY_HEADER_LEN;
	uint8_t cmd = payload[0], seq = pkt[3];
	uint32_t id = 0;
	*consumed = true;
	if (!my_stmt_id_at(payload, plen, &id)) {
		my_session_close(s, 1047, "08S01", "dbward: malformed statement command");
		return false;
	}
	struct my_cstmt *c = my_cstmt_get(&s->stmts, id);
	if (cmd == MY_COM_STMT_CLOSE) {
		/* The statement stays prepared on the server for every client
		 * that prepares the same text; the cache bounds them. */
		if (c)
			my_cstmt_remove(&s->stmts, id);
		return true;
	}
	struct my_sstmt *e = c && srv->stmts ?
		my_stmt_cache_find(srv->stmts, c->hash, c->sql, c->sql_len) : NULL;
	if (!c) {
		if (cmd != MY_COM_STMT_SEND_LONG_DATA) {
			char msg[128];
			snprintf(msg, sizeof msg, "Unknown prepared statement handler (%u) given to %s", id,
				cmd == MY_COM_STMT_EXECUTE ? "mysqld_stmt_execute" : "mysqld_stmt_command");
			my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), 1243, "HY000", msg);
		}
		return true;
	}
	if (!e) {
		if (srv->inject_failed) {
			srv->inject_failed = false;
			if (cmd != MY_COM_STMT_SEND_LONG_DATA)
				my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), srv->inject_err,
					srv->inject_sqlstate,
					"dbward: the statement could not be prepared again on the server");
			return true;
		}
		/* Prepare it here first; the command waits for that reply. */
		*consumed = false;
		my_reply_init(&srv->reply, MY_COM_STMT_PREPARE, srv->caps);
		srv->reply_started = false;
		srv->units_noted = 0;
		srv->fwd_any = false;
		srv->reply_bytes = 0;
		srv->busy = true;
		srv->swallow = true;
		srv->inject_for = id;
		my_put_command(bufferevent_get_output(srv->base.bev), MY_COM_STMT_PREPARE, c->sql, c->sql_len);
		return false;
	}
	struct evbuffer *out = bufferevent_get_output(srv->base.bev);
	if (!my_set_stmt_id(payload, plen, e->server_id)) {
		my_session_close(s, 1047, "08S01", "dbward: malformed statement command");
		return false;
	}
	if (cmd == MY_COM_STMT_EXECUTE) {
		struct my_stmt_execute ex;
		if (!my_parse_stmt_execute(payload, plen, srv->caps, c->num_params, &ex)) {
			my_session_close(s, 1047, "08S01", "dbward: malformed COM_STMT_EXECUTE");
			return false;
		}
		if (ex.flags & (MY_CURSOR_TYPE_READ_ONLY | MY_CURSOR_TYPE_FOR_UPDATE | MY_CURSOR_TYPE_SCROLLABLE))
			s->pinned = true; /* the cursor lives on this connection */
		if (ex.types_sent) {
			if (!my_cstmt_set_types(c, payload + ex.types_off, ex.types_len) ||
			    !my_sstmt_set_types(e, payload + ex.types_off, ex.types_len)) {
				my_session_close(s, 1041, "HY000", "dbward: out of memory");
				return false;
			}
			evbuffer_add(out, pkt, total);
		} else if (ex.param_count > 0 && c->types &&
			   !my_sstmt_types_are(e, c->types, c->types_len)) {
			/* The server statement last got other types (or none): send
			 * the ones this client bound. */
			if (!my_sstmt_set_types(e, c->types, c->types_len)) {
				my_session_close(s, 1041, "HY000", "dbward: out of memory");
				return false;
			}
			my_put_stmt_execute_as(out, payload, plen, &ex, e->server_id, c->types, c->types_len);
		} else {
			evbuffer_add(out, pkt, total);
		}
	} else {
		evbuffer_add(out, pkt, total);
	}
	my_reply_init(&srv->reply, cmd, srv->caps);
	srv->reply_started = false;
	srv->units_noted = 0;
	srv->fwd_any = false;
	srv->reply_bytes = 0;
	srv->busy = !my_reply_done(&srv->reply);
	if (cmd == MY_COM_STMT_EXECUTE) {
		my_limits_start(s, statement_kinds(s, id));
		if (dw_audit_on())
			audit_execute(s, id);
	}
	return true;
}

static bool refused_command(uint8_t cmd)
{
	return my_command_is_replication(cmd) || cmd == MY_COM_STMT_BULK_EXECUTE;
}

/* Judges the COM_QUERY or COM_STMT_PREPARE at the head of the input (TOTAL
 * bytes, sent with sequence id SEQ). Returns true when it may go on;
 * otherwise it has been answered with 1227 and dropped, and the session
 * carries on. */
static bool judge_head(struct my_session *s, uint8_t cmd, size_t total, uint8_t seq)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	struct dw_session_info who;
	char msg[512];
	const char *text = "";
	size_t text_len = 0;
	bool ok;
	my_session_info(s, &who);
	if (total - MY_HEADER_LEN >= MY_MAX_PAYLOAD) {
		/* Judging needs the whole text in one piece; statements this
		 * large (16 MiB) are refused rather than buffered. */
		ok = dw_guard_judge_opaque(&s->guard, &who, "a statement of 16 MiB or more", msg,
			sizeof msg);
	} else {
		const uint8_t *p = evbuffer_pullup(in, (ssize_t)total);
		if (!p) {
			my_session_close(s, 1041, "HY000", "dbward: out of memory");
			return false;
		}
		text = (const char *)p + MY_HEADER_LEN + 1;
		text_len = total - MY_HEADER_LEN - 1;
		ok = dw_guard_judge(&s->guard, s->worker, &who, text, text_len,
			s->database && *s->database ? s->database : NULL, msg, sizeof msg);
	}
	const struct dw_sql_analysis *a = s->guard.analysed ? dw_policy_ctx_analysis(s->worker->policy) : NULL;
	if (ok) {
		s->guard.head_judged = true;
		if (a && dw_audit_on()) {
			if (cmd == MY_COM_QUERY) {
				s->audit_unsent = true;
				dw_stmt_notes_push(&s->notes, dw_stmt_notes_new_message(&s->notes), a, text,
					&s->guard.last, s->cfg->audit.statements);
			} else {
				dw_stmt_summary_unref(s->audit_preparing);
				s->audit_preparing = dw_stmt_summary_new(a, text, &s->guard.last,
					s->cfg->audit.statements);
			}
		}
		return true;
	}
	dw_audit_refused(&who, a, text, text_len, &s->guard.last, s->guard.last_ref,
		s->cfg->audit.statements);
	dw_metrics_refused_text(DW_M_MYSQL, total - MY_HEADER_LEN >= MY_MAX_PAYLOAD ? NULL : text,
		text_len, DW_M_BLOCKED);
	if (total - MY_HEADER_LEN >= MY_MAX_PAYLOAD) {
		/* The rest of the command follows in further packets. */
		my_session_close(s, 1227, "42000", msg);
		return false;
	}
	evbuffer_drain(in, total);
	my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), 1227, "42000", msg);
	return false;
}

void my_relay_client_input(struct my_session *s)
{
	s->last_activity_us = dw_now_us();
	if (dw_runtime_config_changed(s->worker->rt, s->cfg_seen))
		my_session_adopt_config(s); /* a reload: its policies and limits apply from here */
	client_input(s);
	flush_both(s);
}

static void client_input(struct my_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	while (s->state == MYC_ACTIVE || s->state == MYC_IDLE) {
		struct my_server *srv = s->server;
		size_t avail = evbuffer_get_length(in);
		if (srv && s->cmd_remaining) {
			size_t take = avail < s->cmd_remaining ? avail : s->cmd_remaining;
			evbuffer_remove_buffer(in, bufferevent_get_output(srv->base.bev), take);
			s->cmd_remaining -= (uint32_t)take;
			if (s->cmd_remaining)
				return;
			continue;
		}
		if (srv && srv->busy && !s->cmd_continues)
			return; /* one command at a time */
		if (avail < MY_HEADER_LEN)
			return;
		uint8_t h[MY_HEADER_LEN + 1];
		size_t got = (size_t)evbuffer_copyout(in, h, avail < sizeof h ? avail : sizeof h);
		uint32_t plen;
		uint8_t seq;
		if (!my_read_header(h, got, &plen, &seq)) {
			my_session_close(s, 1047, "08S01", "dbward: malformed packet");
			return;
		}
		size_t total = MY_HEADER_LEN + (size_t)plen;
		if (s->cmd_continues) {
			/* The next piece of a command longer than 16 MiB. */
			s->cmd_total += plen;
			if (s->cmd_total > MY_COMMAND_MAX) {
				/* The server holds part of a command that must not finish. */
				s->server->base.broken = true;
				my_session_close(s, 1153, "08S01",
					"dbward: got a packet bigger than the allowed maximum");
				return;
			}
			s->cmd_continues = plen == MY_MAX_PAYLOAD;
			struct evbuffer *out = bufferevent_get_output(srv->base.bev);
			size_t take = avail < total ? avail : total;
			evbuffer_remove_buffer(in, out, take);
			s->cmd_remaining = (uint32_t)(total - take);
			continue;
		}
		if (plen == 0 || got < MY_HEADER_LEN + 1) {
			if (plen == 0) {
				my_session_close(s, 1047, "08S01", "dbward: empty command packet");
				return;
			}
			return;
		}
		if (plen > MY_COMMAND_MAX) {
			my_session_close(s, 1153, "08S01",
				"dbward: got a packet bigger than the allowed maximum");
			return;
		}
		uint8_t cmd = h[MY_HEADER_LEN];
		if (cmd == MY_COM_QUIT) {
			my_session_close(s, 0, NULL, NULL);
			return;
		}
		if (refused_command(cmd)) {
			if (avail < total)
				return;
			evbuffer_drain(in, total);
			my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), 1227, "42000",
				"dbward: this command is not allowed through dbward");
			continue;
		}
		if (cmd == MY_COM_CHANGE_USER) {
			if (avail < total)
				return;
			if (plen > 8192) {
				my_session_close(s, 1153, "08S01", "dbward: COM_CHANGE_USER too large");
				return;
			}
			uint8_t buf[8192];
			evbuffer_drain(in, MY_HEADER_LEN);
			evbuffer_remove(in, buf, plen);
			my_session_change_user(s, buf, plen, seq);
			return;
		}
		if (dw_limit_pending(&s->limit) && (cmd == MY_COM_QUERY || cmd == MY_COM_STMT_EXECUTE)) {
			/* Rate limits: before policy, and before a server is taken. */
			if (avail < total && plen < MY_MAX_PAYLOAD)
				return;
			enum dw_limit_verdict lv = my_session_admit(s, seq, total);
			if (lv == DW_LIMIT_WAIT || (s->state != MYC_ACTIVE && s->state != MYC_IDLE))
				return;
			if (lv == DW_LIMIT_REFUSE)
				continue;
		}
		if ((s->guard.policy || dw_audit_on()) && !s->guard.head_judged &&
		    (cmd == MY_COM_QUERY || cmd == MY_COM_STMT_PREPARE)) {
			/* Judged whole, before a server is taken. */
			if (avail < total && plen < MY_MAX_PAYLOAD)
				return;
			if (!judge_head(s, cmd, total, seq)) {
				dw_limit_dropped(&s->limit);
				if (s->state != MYC_ACTIVE && s->state != MYC_IDLE)
					return;
				continue;
			}
		}
		bool mapped = s->transaction_pooling && is_statement_command(cmd);
		if (mapped && plen == MY_MAX_PAYLOAD) {
			my_session_close(s, 1153, "08S01", "dbward: statement command too large");
			return;
		}
		if (mapped && avail < total)
			return;
		if (mapped && cmd == MY_COM_STMT_CLOSE && !srv) {
			/* Nothing to tell a server: forget the statement. */
			uint32_t id;
			uint8_t *pkt = take_command(in, total);
			if (pkt && my_stmt_id_at(pkt + MY_HEADER_LEN, plen, &id))
				my_cstmt_remove(&s->stmts, id);
			free(pkt);
			continue;
		}
		if (!srv) {
			my_session_need_server(s);
			return;
		}
		if (sync_server(s, srv))
			return;
		if (mapped) {
			uint8_t *pkt = malloc(total);
			if (!pkt) {
				my_session_close(s, 1041, "HY000", "dbward: out of memory");
				return;
			}
			evbuffer_copyout(in, pkt, total);
			bool consumed;
			bool go_on = relay_statement_command(s, srv, pkt, total, &consumed);
			free(pkt);
			if (consumed && s->state != MYC_CLOSING) {
				evbuffer_drain(in, total);
				dw_limit_head_gone(&s->limit, srv->busy);
			}
			if (!go_on)
				return;
			continue;
		}
		uint32_t new_stmt = 0;
		if (s->transaction_pooling && cmd == MY_COM_STMT_PREPARE) {
			if (avail < total)
				return;
			uint8_t *pkt = malloc(total);
			struct my_cstmt *c = NULL;
			if (pkt) {
				evbuffer_copyout(in, pkt, total);
				c = my_cstmt_add(&s->stmts, pkt + MY_HEADER_LEN + 1, plen - 1);
				free(pkt);
			}
			if (!c) {
				evbuffer_drain(in, total);
				s->guard.head_judged = false;
				my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), 1461, "42000",
					"dbward: too many prepared statements in this session");
				continue;
			}
			new_stmt = c->id;
		}
		if (s->transaction_pooling && !s->pinned &&
		    (cmd == MY_COM_QUERY || cmd == MY_COM_STMT_PREPARE)) {
			/* The seam for statement policy and audit: the text is here. */
			if (avail < total && plen <= PIN_SCAN_MAX)
				return;
			size_t n = plen - 1 < PIN_SCAN_MAX ? plen - 1 : PIN_SCAN_MAX;
			char text[PIN_SCAN_MAX];
			struct evbuffer_ptr tp;
			evbuffer_ptr_set(in, &tp, MY_HEADER_LEN + 1, EVBUFFER_PTR_SET);
			if (avail < MY_HEADER_LEN + 1 + n)
				return;
			evbuffer_copyout_from(in, &tp, text, n);
			bool ac = s->autocommit, sets_ac = false;
			if (cmd == MY_COM_QUERY && query_pins(text, n, &ac, &sets_ac))
				s->pinned = true;
		}
		if (cmd == MY_COM_SET_OPTION)
			s->pinned = true; /* multi-statement mode is per connection */
		if (cmd == MY_COM_INIT_DB) {
			if (avail < total)
				return;
			/* Followed on success; until then the server knows best. */
			char db[256];
			size_t dl = plen - 1 < sizeof db - 1 ? plen - 1 : sizeof db - 1;
			struct evbuffer_ptr dp;
			evbuffer_ptr_set(in, &dp, MY_HEADER_LEN + 1, EVBUFFER_PTR_SET);
			evbuffer_copyout_from(in, &dp, db, dl);
			db[dl] = '\0';
			char *copy = strdup(db), *copy2 = strdup(db);
			if (copy && copy2) {
				free(s->database);
				s->database = copy;
				free(srv->schema);
				srv->schema = copy2;
			} else {
				free(copy);
				free(copy2);
			}
		}
		if (cmd == MY_COM_STMT_EXECUTE && dw_audit_on() && avail >= MY_HEADER_LEN + 5) {
			uint8_t idb[5];
			struct evbuffer_ptr ip;
			evbuffer_ptr_set(in, &ip, MY_HEADER_LEN, EVBUFFER_PTR_SET);
			evbuffer_copyout_from(in, &ip, idb, sizeof idb);
			uint32_t exec_id;
			if (my_stmt_id_at(idb, sizeof idb, &exec_id))
				audit_execute(s, exec_id);
		}
		/* Kinds choose time limits and count statements (metrics). */
		uint32_t kinds = 0;
		if (cmd == MY_COM_QUERY || cmd == MY_COM_STMT_PREPARE) {
			kinds = text_kinds(in, total);
		} else if (cmd == MY_COM_STMT_EXECUTE && avail >= MY_HEADER_LEN + 5) {
			uint8_t idb[5];
			uint32_t exec_id;
			struct evbuffer_ptr ip;
			evbuffer_ptr_set(in, &ip, MY_HEADER_LEN, EVBUFFER_PTR_SET);
			evbuffer_copyout_from(in, &ip, idb, sizeof idb);
			kinds = my_stmt_id_at(idb, sizeof idb, &exec_id) ? statement_kinds(s, exec_id) :
				DW_KIND_UNKNOWN;
		}
		if (cmd == MY_COM_STMT_PREPARE)
			s->preparing_kinds = kinds;
		s->audit_unsent = false;
		my_reply_init(&srv->reply, cmd, srv->caps);
		srv->reply_started = false;
		srv->units_noted = 0;
		srv->fwd_any = false;
		srv->reply_bytes = 0;
		srv->prepare_for = new_stmt;
		srv->busy = !my_reply_done(&srv->reply);
		if (cmd == MY_COM_QUERY || cmd == MY_COM_STMT_EXECUTE)
			my_limits_start(s, kinds);
		struct evbuffer *out = bufferevent_get_output(srv->base.bev);
		size_t take = avail < total ? avail : total;
		evbuffer_remove_buffer(in, out, take);
		s->guard.head_judged = false;
		dw_limit_forwarded(&s->limit);
		s->cmd_remaining = (uint32_t)(total - take);
		s->cmd_continues = plen == MY_MAX_PAYLOAD;
		s->cmd_total = plen;
	}
}
