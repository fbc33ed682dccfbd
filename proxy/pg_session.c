#include "proxy/pg_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "audit/audit.h"
#include "proxy/auth_lockout.h"
#include "proxy/cancel.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/pg_codec.h"
#include "proxy/worker.h"

static void audit_event(const struct pg_session *s, const char *event, const char *action,
	const char *outcome, const char *severity, const char *reason);
static void client_read(struct bufferevent *bev, void *arg);
static void client_event(struct bufferevent *bev, short what, void *arg);
static void client_write(struct bufferevent *bev, void *arg);
static void session_free(evutil_socket_t fd, short what, void *arg);
static void limit_resume(void *arg);

/* Output to the client beyond this stops reading from the server. */
#define CLIENT_OUT_HIGH (512u * 1024u)
#define CLIENT_OUT_LOW (128u * 1024u)

static void arm_timer(struct pg_session *s, uint64_t ms)
{
	dw_timer_arm(s->timer, ms);
}

static void setup_bev(struct pg_session *s)
{
	bufferevent_setcb(s->bev, client_read, client_write, client_event, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, CLIENT_OUT_LOW, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	dw_reader_start(&s->rd, s->bev);
}

static void timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pg_session *s = arg;
	switch (s->state) {
	case PGC_STARTUP:
	case PGC_AUTH:
		dw_info("session %llu: login timeout", (unsigned long long)s->id);
		dw_metrics_timeout(DW_M_TIMEOUT_LOGIN);
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOGIN_TIMEOUT);
		pg_session_close(s, "08P01", "dbward: login timeout");
		return;
	case PGC_LOGIN_POOL:
		dw_metrics_timeout(DW_M_TIMEOUT_POOL_WAIT);
		dw_pool_cancel_wait(s->pool, &s->waiter);
		pg_session_close(s, "53300",
			"dbward: timed out waiting for a free server connection");
		return;
	case PGC_WAIT_SERVER:
		dw_metrics_timeout(DW_M_TIMEOUT_POOL_WAIT);
		dw_pool_cancel_wait(s->pool, &s->waiter);
		dw_info("session %llu: timed out waiting for a server connection",
			(unsigned long long)s->id);
		s->state = PGC_IDLE;
		pg_session_fail_request(s, "53300",
			"dbward: timed out waiting for a free server connection");
		return;
	case PGC_CLOSING:
		/* The client never read its error: give up on it. */
		session_free(-1, 0, s);
		return;
	default:
		return;
	}
}

void pg_session_new(struct dw_worker *w, struct dw_config *cfg, size_t li, int fd,
	const struct sockaddr *addr, int addrlen)
{
	struct dw_runtime *rt = w->rt;
	const struct dw_listener_config *l = &cfg->listeners[li];
	struct pg_session *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return;
	}
	s->worker = w;
	TAILQ_INSERT_TAIL(&w->sessions, s, link);
	dw_limit_session_init(&s->limit, rt->limits, w->base, limit_resume, s);
	s->cfg = dw_config_ref(cfg);
	s->cfg_seen = cfg->serial;
	s->listener_index = li;
	s->listener = l;
	s->backend = &cfg->backends[l->backend_index];
	s->id = atomic_fetch_add(&rt->next_session_id, 1) + 1;
	s->connected_at_ms = dw_metrics_accepted(li);
	s->fd = fd;
	s->transaction_pooling = s->backend->pool.mode == DW_POOL_TRANSACTION;
	atomic_fetch_add(&rt->listeners[li].clients, 1);
	dw_io_peer_name(addr, addrlen, s->peer_ip, sizeof s->peer_ip, &s->peer_port);
	if (addrlen > 0 && (size_t)addrlen <= sizeof s->peer_addr)
		memcpy(&s->peer_addr, addr, (size_t)addrlen);
	audit_event(s, "connection", "connect", "success", "info", NULL);
	s->timer = evtimer_new(w->base, timer_fired, s);
	s->bev = bufferevent_socket_new(w->base, fd, 0);
	if (!s->timer || !s->bev) {
		pg_session_close(s, NULL, NULL);
		return;
	}
	setup_bev(s);
	if (atomic_load(&rt->listeners[li].clients) > l->max_clients) {
		dw_metrics_refused(li, DW_M_REFUSED_MAX_CLIENTS);
		pg_session_close(s, "53300", "dbward: too many client connections");
		return;
	}
	struct dw_session_info who;
	char msg[256];
	pg_session_info(s, &who);
	if (dw_limit_accept(&s->limit, cfg, &who, &s->guard, msg, sizeof msg) == DW_LIMIT_REFUSE) {
		dw_metrics_refused(li, DW_M_REFUSED_RATE_LIMIT);
		pg_session_close(s, "53300", msg);
		return;
	}
	arm_timer(s, cfg->timeouts.login_ms);
}

/* ---- TLS upgrade ---- */

static void start_tls(struct pg_session *s)
{
	/* The one-byte answer goes out before the handshake, in the clear. */
	if (send(s->fd, "S", 1, MSG_NOSIGNAL) != 1) {
		pg_session_close(s, NULL, NULL);
		return;
	}
	SSL *ssl = dw_runtime_tls_new(s->worker->rt, s->listener_index);
	if (!ssl) {
		pg_session_close(s, NULL, NULL);
		return;
	}
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	dw_reader_stop(&s->rd);
	bufferevent_free(s->bev);
	s->ssl = ssl;
	s->tls = true;
	s->bev = bufferevent_openssl_socket_new(s->worker->base, s->fd, ssl,
		BUFFEREVENT_SSL_ACCEPTING, 0);
	if (!s->bev) {
		pg_session_close(s, NULL, NULL);
		return;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	setup_bev(s);
}

/* ---- authentication ---- */

/* The answer to a failed login, and to one refused by a lockout: the same,
 * so that it never tells whether the password was right. */
static void refuse_login(struct pg_session *s)
{
	char msg[256];
	snprintf(msg, sizeof msg, "password authentication failed for user \"%.64s\"", s->user);
	pg_session_close(s, "28P01", msg);
}

static void auth_failed(struct pg_session *s)
{
	struct dw_session_info who;
	dw_info("session %llu: authentication failed for user \"%s\" from %s", (unsigned long long)s->id,
		s->user, s->peer_ip);
	pg_session_info(s, &who);
	dw_lockout_judge(s->worker->rt->lockout, &s->cfg->auth_failures, &who, false);
	dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOGIN_FAILED);
	refuse_login(s);
}

static void send_auth_request(struct pg_session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	enum dw_auth_method m = s->ucfg ? s->ucfg->auth : DW_AUTH_SCRAM_SHA_256;
	switch (m) {
	case DW_AUTH_MD5:
		if (dw_random_bytes(s->md5_salt, sizeof s->md5_salt) != 0) {
			pg_session_close(s, "XX000", "dbward: out of entropy");
			return;
		}
		pg_put_auth(out, PG_AUTH_MD5, s->md5_salt, 4);
		s->auth = PGA_MD5;
		break;
	case DW_AUTH_CLEARTEXT:
		pg_put_auth(out, PG_AUTH_CLEARTEXT, NULL, 0);
		s->auth = PGA_CLEARTEXT;
		break;
	case DW_AUTH_SCRAM_SHA_256: {
		const struct dw_scram_secret *sec = NULL;
		if (s->ucfg)
			sec = dw_worker_user_secret(s->worker, s->cfg, s->ucfg);
		if (!sec) {
			/* Unknown user: the same exchange, bound to fail, so user names
			 * cannot be probed. */
			dw_scram_secret_mock(s->user, &s->mock_secret);
			dw_scram_server_init(&s->scram, &s->mock_secret, true);
		} else {
			dw_scram_server_init(&s->scram, sec, false);
		}
		static const char mech[] = "SCRAM-SHA-256\0";
		pg_put_auth(out, PG_AUTH_SASL, mech, sizeof mech);
		s->auth = PGA_SASL_INIT;
		break;
	}
	}
	s->state = PGC_AUTH;
}

static void auth_ok(struct pg_session *s)
{
	struct dw_session_info who;
	char msg[256];
	pg_session_info(s, &who);
	if (!dw_lockout_judge(s->worker->rt->lockout, &s->cfg->auth_failures, &who, true)) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOCKED_OUT);
		refuse_login(s);
		return;
	}
	if (!dw_config_user_may_use(s->ucfg, s->backend->name)) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_NOT_ALLOWED);
		snprintf(msg, sizeof msg, "dbward: user \"%.64s\" may not use this database service",
			s->user);
		pg_session_close(s, "28000", msg);
		return;
	}
	if (dw_limit_login(&s->limit, s->cfg, &who, &s->guard, msg, sizeof msg) == DW_LIMIT_REFUSE) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_RATE_LIMIT);
		pg_session_close(s, "53300", msg);
		return;
	}
	pg_put_auth(bufferevent_get_output(s->bev), PG_AUTH_OK, NULL, 0);
	evtimer_del(s->timer);
	s->cancel = dw_cancel_register(&s->key_pid, &s->key_secret);
	s->pool = dw_pool_get(s->worker, s->cfg, s->backend, s->ucfg, s->database, &pg_server_ops, NULL);
	if (!s->cancel || !s->pool) {
		pg_session_close(s, "53200", "dbward: out of memory");
		return;
	}
	dw_info("session %llu: user \"%s\" logged in to \"%s\" from %s:%d%s", (unsigned long long)s->id,
		s->user, s->database, s->peer_ip, s->peer_port, s->tls ? " (TLS)" : "");
	audit_event(s, "auth", "login", "success", "info", NULL);
	s->state = PGC_LOGIN_POOL;
	pg_session_need_server(s);
}

/* Handles one password-phase message ('p') of LEN bytes in BODY. */
static void handle_auth_message(struct pg_session *s, const uint8_t *body, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	char reply[512];
	size_t reply_len = 0;
	switch (s->auth) {
	case PGA_SASL_INIT: {
		size_t pos = 0;
		const char *mech = pg_read_cstr(body, len, &pos);
		if (!mech || len - pos < 4) {
			pg_session_close(s, "08P01", "malformed SASLInitialResponse");
			return;
		}
		if (strcmp(mech, "SCRAM-SHA-256") != 0) {
			pg_session_close(s, "28000", "dbward: unsupported SASL mechanism");
			return;
		}
		int32_t dlen = (int32_t)pg_get_u32(body + pos);
		pos += 4;
		if (dlen < 0 || (size_t)dlen != len - pos) {
			pg_session_close(s, "08P01", "malformed SASLInitialResponse");
			return;
		}
		if (dw_scram_server_first(&s->scram, (const char *)body + pos, (size_t)dlen, reply,
			    sizeof reply, &reply_len) != 0) {
			pg_session_close(s, "08P01", "malformed SCRAM message");
			return;
		}
		pg_put_auth(out, PG_AUTH_SASL_CONTINUE, reply, reply_len);
		s->auth = PGA_SASL_FINAL;
		return;
	}
	case PGA_SASL_FINAL: {
		int r = dw_scram_server_final(&s->scram, (const char *)body, len, reply, sizeof reply,
			&reply_len);
		if (r < 0) {
			pg_session_close(s, "08P01", "malformed SCRAM message");
			return;
		}
		if (r > 0) {
			auth_failed(s);
			return;
		}
		pg_put_auth(out, PG_AUTH_SASL_FINAL, reply, reply_len);
		s->auth = PGA_NONE;
		auth_ok(s);
		return;
	}
	case PGA_MD5:
	case PGA_CLEARTEXT: {
		/* PasswordMessage: a NUL-terminated string. */
		if (len == 0 || body[len - 1] != '\0') {
			pg_session_close(s, "08P01", "malformed password message");
			return;
		}
		bool ok = s->ucfg && (s->auth == PGA_MD5
			? dw_md5_check(s->ucfg->name, s->ucfg->password, s->md5_salt,
				  (const char *)body, len - 1)
			: dw_cleartext_check(s->ucfg->password, (const char *)body, len - 1));
		if (!ok) {
			auth_failed(s);
			return;
		}
		s->auth = PGA_NONE;
		auth_ok(s);
		return;
	}
	case PGA_NONE:
		break;
	}
	pg_session_close(s, "08P01", "unexpected message during authentication");
}

/* ---- startup ---- */

static bool take_startup_params(struct pg_session *s, const struct pg_startup *st)
{
	for (size_t i = 0; i < st->n_params; i++) {
		const struct pg_kv *kv = &st->params[i];
		if (strcmp(kv->name, "options") == 0) {
			if (!pg_params_from_options(&s->wants, kv->value))
				return false;
		} else if (strcmp(kv->name, "replication") == 0) {
			if (strcmp(kv->value, "false") != 0 && strcmp(kv->value, "0") != 0 &&
			    strcmp(kv->value, "off") != 0 && strcmp(kv->value, "no") != 0)
				return false;
		} else if (strncmp(kv->name, "_pq_.", 5) == 0) {
			continue; /* protocol extensions: not supported, ignored */
		} else if (!pg_param_is_reserved(kv->name)) {
			if (!pg_params_set(&s->wants, kv->name, kv->value))
				return false;
		}
	}
	return true;
}

static void handle_startup(struct pg_session *s, const uint8_t *body, size_t len)
{
	struct pg_startup st;
	struct evbuffer *in = bufferevent_get_input(s->bev);
	pg_parse_startup(body, len, &st);
	enum dw_tls_mode tls_mode = s->listener->tls.mode;
	switch (st.kind) {
	case PG_STARTUP_SSL:
		if (s->tls) {
			pg_session_close(s, "08P01", "SSLRequest after TLS was established");
			return;
		}
		if (evbuffer_get_length(in) > 0) {
			/* Bytes after SSLRequest but before the handshake: injection. */
			pg_session_close(s, NULL, NULL);
			return;
		}
		if (tls_mode == DW_TLS_DISABLE) {
			bufferevent_write(s->bev, "N", 1);
			return;
		}
		start_tls(s);
		return;
	case PG_STARTUP_GSSENC:
		if (s->tls || s->gssenc_answered || evbuffer_get_length(in) > 0) {
			pg_session_close(s, NULL, NULL);
			return;
		}
		s->gssenc_answered = true;
		bufferevent_write(s->bev, "N", 1);
		return;
	case PG_STARTUP_CANCEL:
		dw_cancel_request(st.cancel_pid, st.cancel_key);
		pg_session_close(s, NULL, NULL);
		return;
	case PG_STARTUP_BAD_VERSION: {
		char msg[128];
		snprintf(msg, sizeof msg, "unsupported frontend protocol %u.%u: server supports 3.0",
			st.version >> 16, st.version & 0xffff);
		pg_session_close(s, "0A000", msg);
		return;
	}
	case PG_STARTUP_INVALID:
		pg_session_close(s, "08P01", st.error ? st.error : "invalid startup packet");
		return;
	case PG_STARTUP_NORMAL:
		break;
	}
	if (tls_mode == DW_TLS_REQUIRE && !s->tls) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_TLS_REQUIRED);
		pg_session_close(s, "28000", "dbward: TLS is required on this listener");
		return;
	}
	s->user = strdup(st.user);
	s->database = strdup(st.database);
	if (!s->user || !s->database) {
		pg_session_close(s, "53200", "dbward: out of memory");
		return;
	}
	if (!take_startup_params(s, &st)) {
		pg_session_close(s, "08P01", "dbward: invalid or unsupported startup parameters");
		return;
	}
	for (size_t i = 0; i < s->wants.n; i++) {
		if (pg_param_is_read_only(s->wants.items[i].name)) {
			/* As the server answers: such a setting could never be applied. */
			char msg[160];
			snprintf(msg, sizeof msg, "parameter \"%.64s\" cannot be changed now",
				s->wants.items[i].name);
			pg_session_close(s, "55P02", msg);
			return;
		}
	}
	if ((st.version & 0xffff) != 0) {
		/* NegotiateProtocolVersion: we speak 3.0 and know no _pq_ options. */
		struct evbuffer *out = bufferevent_get_output(s->bev);
		uint8_t m[8];
		pg_put_u32(m, PG_PROTO_V3);
		pg_put_u32(m + 4, 0);
		pg_put_msg(out, 'v', m, sizeof m);
	}
	s->ucfg = dw_config_user(s->cfg, s->user);
	send_auth_request(s);
}

/* Processes the pre-login input: length-prefixed startup packets, then typed
 * password messages. Everything is capped at PG_STARTUP_MAX. */
static void login_input(struct pg_session *s)
{
	struct evbuffer *in = bufferevent_get_input(s->bev);
	while (s->state == PGC_STARTUP || s->state == PGC_AUTH) {
		size_t avail = evbuffer_get_length(in);
		bool typed = s->state == PGC_AUTH;
		size_t hdr = typed ? 5 : 4;
		if (avail < hdr)
			return;
		uint8_t h[5];
		evbuffer_copyout(in, h, hdr);
		uint32_t mlen = pg_get_u32(h + (typed ? 1 : 0));
		if (mlen < 4 || mlen > PG_STARTUP_MAX || (typed && h[0] != 'p')) {
			if (typed && h[0] == 'X') {
				pg_session_close(s, NULL, NULL);
				return;
			}
			pg_session_close(s, "08P01", typed ? "invalid authentication message"
							   : "invalid startup packet length");
			return;
		}
		size_t total = mlen + (typed ? 1 : 0);
		if (avail < total)
			return;
		uint8_t buf[PG_STARTUP_MAX + 1];
		evbuffer_remove(in, buf, total);
		if (typed)
			handle_auth_message(s, buf + 5, mlen - 4);
		else
			handle_startup(s, buf + 4, mlen - 4);
		if (s->state == PGC_CLOSING)
			return;
		if (!s->bev)
			return;
		in = bufferevent_get_input(s->bev); /* TLS upgrade replaced the bufferevent */
	}
	if (s->state >= PGC_IDLE && s->state != PGC_CLOSING && evbuffer_get_length(in))
		pg_relay_client_input(s);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	if (s->state == PGC_STARTUP || s->state == PGC_AUTH) {
		login_input(s);
		return;
	}
	if (s->state == PGC_LOGIN_POOL || s->state == PGC_LOGIN_SYNC || s->state == PGC_CLOSING ||
	    s->state == PGC_WAIT_SERVER)
		return; /* handled once the server is there */
	pg_relay_client_input(s);
}

static void client_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	if (s->state == PGC_CLOSING)
		return;
	/* Drained below the low mark: back to direct writes, resume the server. */
	if (s->state >= PGC_IDLE)
		dw_io_flush(s->bev);
	if (s->server && s->server->base.bev)
		dw_reader_set(&s->server->base.rd, s->server->base.bev, true);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	if (what & BEV_EVENT_CONNECTED) {
		dw_metrics_tls_handshake(s->listener_index, true); /* only TLS connects */
		return;
	}
	if (what & BEV_EVENT_ERROR) {
		unsigned long e = bufferevent_get_openssl_error(s->bev);
		if (e) {
			char buf[256];
			ERR_error_string_n(e, buf, sizeof buf);
			dw_info("session %llu: TLS error: %s", (unsigned long long)s->id, buf);
		}
	}
	pg_session_close(s, NULL, NULL);
}

/* ---- getting a server ---- */

/* No server connection for S: ERROR says why (see dw_pool_checkout). */
static void server_unavailable(struct pg_session *s, const char *error)
{
	char msg[160];
	if (dw_pool_error_is_circuit_open(error)) {
		/* The backend's state change was logged once; this is one client. */
		dw_info("session %llu: backend %s unavailable: circuit open", (unsigned long long)s->id,
			s->backend->name);
		snprintf(msg, sizeof msg, "dbward: backend %.64s unavailable (circuit open)",
			s->backend->name);
	} else {
		dw_warn("session %llu: backend %s unavailable: %s", (unsigned long long)s->id,
			s->backend->name, error ? error : "unknown error");
		/* A mistyped database name is the client's business and says nothing
		 * about the backend; every other reason stays in the log. */
		if (error && strstr(error, "does not exist") && strstr(error, "database \"")) {
			snprintf(msg, sizeof msg, "database \"%.64s\" does not exist", s->database);
			pg_session_close(s, "3D000", msg);
			return;
		}
		snprintf(msg, sizeof msg, "dbward: backend unavailable");
	}
	if (s->state == PGC_WAIT_SERVER) {
		/* Between transactions (transaction pooling): this request fails,
		 * the session stays for the next one. */
		s->state = PGC_IDLE;
		pg_session_fail_request(s, "08006", msg);
		return;
	}
	pg_session_close(s, "08006", msg);
}

static void got_server(struct dw_pool_waiter *w, struct dw_server *ds, const char *error)
{
	struct pg_server *srv = ds ? pg_server_of(ds) : NULL;
	struct pg_session *s = (struct pg_session *)((char *)w - offsetof(struct pg_session, waiter));
	evtimer_del(s->timer);
	if (!srv) {
		server_unavailable(s, error);
		return;
	}
	pg_relay_attach(s, srv);
}

void pg_session_need_server(struct pg_session *s)
{
	if (s->state != PGC_LOGIN_POOL)
		s->state = PGC_WAIT_SERVER;
	s->waiter.cb = got_server;
	arm_timer(s, s->cfg->timeouts.pool_wait_ms);
	dw_pool_checkout(s->pool, &s->waiter);
}

void pg_session_fail_request(struct pg_session *s, const char *sqlstate, const char *reason)
{
	/* The request that passed the policy is dropped here, unsent: whatever
	 * comes next must be judged on its own. */
	s->guard.head_judged = false;
	char ref[48], message[320];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	snprintf(message, sizeof message, "%s (ref %s)", reason, ref);
	if (s->audit_query_unsent) {
		s->audit_query_unsent = false;
		struct dw_session_info as;
		pg_session_info(s, &as);
		dw_stmt_notes_fail_unsent(&s->notes, &as, s->audit_query, sqlstate, 0, reason, ref);
	}
	struct evbuffer *in = bufferevent_get_input(s->bev);
	dw_limit_dropped(&s->limit);
	uint8_t h[5];
	if (evbuffer_copyout(in, h, 5) == 5 && (h[0] == 'Q' || h[0] == 'F')) {
		uint32_t len = pg_get_u32(h + 1);
		if (len >= 4 && evbuffer_get_length(in) >= (size_t)len + 1) {
			/* A simple query: its error, then ReadyForQuery. */
			evbuffer_drain(in, (size_t)len + 1);
			pg_relay_fail_query(s, sqlstate, message);
			pg_relay_client_input(s);
			return;
		}
	}
	pg_relay_fail_batch(s, sqlstate, message);
	pg_relay_client_input(s);
}

enum dw_limit_verdict pg_session_admit(struct pg_session *s, char type, size_t total)
{
	struct dw_session_info who;
	char msg[512];
	pg_session_info(s, &who);
	enum dw_limit_verdict v = dw_limit_admit(&s->limit, &who, &s->guard, msg, sizeof msg);
	if (v == DW_LIMIT_WAIT) {
		/* Held: nothing more is read until the limit lets it go. */
		dw_reader_set(&s->rd, s->bev, false);
	} else if (v == DW_LIMIT_REFUSE) {
		dw_metrics_refused_head(DW_M_POSTGRES, bufferevent_get_input(s->bev), 5, total,
			type == 'Q', DW_M_RATE_LIMITED);
		evbuffer_drain(bufferevent_get_input(s->bev), total);
		if (type == 'Q')
			pg_relay_fail_query(s, "53400", msg);
		else
			pg_relay_fail_batch(s, "53400", msg);
	}
	return v;
}

static void limit_resume(void *arg)
{
	struct pg_session *s = arg;
	if (s->state != PGC_ACTIVE && s->state != PGC_IDLE)
		return;
	if (!s->client_paused)
		dw_reader_set(&s->rd, s->bev, true);
	pg_relay_client_input(s);
}

void pg_session_adopt_config(struct pg_session *s)
{
	struct dw_session_info who;
	pg_session_info(s, &who);
	bool rebind = s->limit.slots == 0 && !s->limit.waiting && s->limit.connection_counted;
	struct dw_session_cfg sc = {
		.session = s->id,
		.cfg = &s->cfg,
		.keep = &s->cfg_kept,
		.seen = &s->cfg_seen,
		.listener_index = s->listener_index,
		.listener = &s->listener,
		.backend = &s->backend,
		.ucfg = &s->ucfg,
		.policy = &s->guard.policy,
		.who = &who,
		.keep_old = s->limit.rule != NULL && !rebind,
	};
	if (!dw_session_adopt(s->worker->rt, &sc) || !rebind)
		return;
	/* Its rate-limit entry too, unless statements hold slots or wait
	 * (they keep the old entry until the session ends). */
	char msg[16];
	pg_session_info(s, &who);
	dw_limit_login(&s->limit, s->cfg, &who, &s->guard, msg, sizeof msg);
}

bool pg_session_busy(const struct pg_session *s)
{
	/* A statement the server owes a reply to, or a message half relayed. */
	const struct pg_server *srv = s->server;
	return s->state == PGC_ACTIVE && srv &&
		(!pg_pending_empty(&srv->pending) || srv->msg_remaining || s->client_remaining);
}

void pg_session_info(const struct pg_session *s, struct dw_session_info *as)
{
	as->id = s->id;
	as->worker = s->worker->id;
	as->listener = s->listener->name;
	as->protocol = "postgres";
	as->backend = s->backend->name;
	as->user = s->user;
	as->database = s->database;
	as->application = pg_params_get(&s->wants, "application_name");
	as->ip = s->peer_ip;
	as->port = s->peer_port;
	as->tls = s->tls;
	as->client = (const struct sockaddr *)&s->peer_addr;
}

static void audit_event(const struct pg_session *s, const char *event, const char *action,
	const char *outcome, const char *severity, const char *reason)
{
	if (!dw_audit_on())
		return;
	struct dw_session_info as;
	pg_session_info(s, &as);
	dw_audit_session_event(&as, event, action, outcome, severity, reason);
}

static void audit_closed(struct pg_session *s, const char *reason)
{
	struct dw_session_info info;
	pg_session_info(s, &info);
	dw_audit_session_closed(&s->notes, &info, reason);
}

void pg_session_login_complete(struct pg_session *s)
{
	struct evbuffer *out = bufferevent_get_output(s->bev);
	const struct pg_params *p = &s->server->current;
	for (size_t i = 0; pg_reported_params[i]; i++) {
		const char *v = pg_params_get(p, pg_reported_params[i]);
		if (v)
			pg_put_param_status(out, pg_reported_params[i], v);
	}
	pg_put_backend_key(out, s->key_pid, s->key_secret);
	pg_put_ready(out, 'I');
	s->state = PGC_ACTIVE;
	struct dw_session_info who;
	pg_session_info(s, &who);
	dw_guard_select(&s->guard, s->cfg, DW_SQL_POSTGRES, &who);
	const char *scs = pg_params_get(&s->wants, "standard_conforming_strings");
	if (scs)
		s->guard.opts.standard_conforming_strings = strcmp(scs, "off") != 0;
	dw_io_direct(s->bev);
	pg_limits_update(s); /* the idle limits start with the session */
	if (s->transaction_pooling)
		pg_relay_detach(s, true);
	if (evbuffer_get_length(bufferevent_get_input(s->bev)))
		pg_relay_client_input(s);
}

/* ---- the one close path ---- */

static void session_free(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pg_session *s = arg;
	TAILQ_REMOVE(&s->worker->sessions, s, link);
	dw_limit_session_end(&s->limit);
	dw_stmt_notes_clear(&s->notes, NULL);
	dw_audit_names_clear(&s->audit_stmts);
	dw_audit_names_clear(&s->audit_portals);
	dw_reader_stop(&s->rd);
	if (s->bev)
		bufferevent_free(s->bev);
	if (s->ssl)
		SSL_free(s->ssl);
	if (s->fd >= 0)
		close(s->fd);
	if (s->timer)
		event_free(s->timer);
	if (s->stmt_timer)
		event_free(s->stmt_timer);
	if (s->pool)
		dw_pool_put(s->pool);
	pg_params_clear(&s->wants);
	pg_stmt_map_clear(&s->stmts, &s->worker->stmts);
	atomic_fetch_sub(&s->worker->rt->listeners[s->listener_index].clients, 1);
	dw_config_unref(s->cfg);
	dw_config_unref(s->cfg_kept);
	free(s->user);
	free(s->database);
	free(s);
}

static void flush_then_free(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct pg_session *s = arg;
	if (evbuffer_get_length(bufferevent_get_output(s->bev)) == 0)
		session_free(-1, 0, s);
}

static void closing_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	session_free(-1, 0, arg);
}

void pg_session_close(struct pg_session *s, const char *sqlstate, const char *message)
{
	if (s->state == PGC_CLOSING)
		return;
	enum pg_session_state was = s->state;
	s->state = PGC_CLOSING;
	if (s->ssl)
		dw_metrics_tls_end(s->listener_index, s->ssl);
	if (s->timer)
		evtimer_del(s->timer);
	if (s->stmt_timer)
		evtimer_del(s->stmt_timer);
	if (s->pool && (was == PGC_LOGIN_POOL || was == PGC_WAIT_SERVER))
		dw_pool_cancel_wait(s->pool, &s->waiter);
	if (s->server)
		pg_relay_detach(s, pg_relay_server_clean(s->server));
	dw_limit_session_end(&s->limit);
	dw_cancel_unregister(s->cancel);
	s->cancel = NULL;
	if (s->user && was >= PGC_LOGIN_POOL)
		dw_info("session %llu: closed%s%s", (unsigned long long)s->id, message ? ": " : "",
			message ? message : "");
	audit_closed(s, message);
	if (s->bev && sqlstate && message) {
		/* Say why, then let the output drain before closing. */
		pg_put_error(bufferevent_get_output(s->bev), "FATAL", sqlstate, message);
		bufferevent_setcb(s->bev, NULL, flush_then_free, closing_event, s);
		bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
		dw_reader_set(&s->rd, s->bev, false);
		bufferevent_enable(s->bev, EV_WRITE);
		arm_timer(s, 5000);
		return;
	}
	if (s->bev) {
		dw_reader_set(&s->rd, s->bev, false);
		bufferevent_disable(s->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(s->bev, NULL, NULL, NULL, NULL);
	}
	/* Freed from the session's own timer (state CLOSING), never from a
	 * one-shot event that a shutdown could leave pointing at freed memory. */
	struct timeval now = {0, 0};
	if (!s->timer || evtimer_add(s->timer, &now) != 0)
		session_free(-1, 0, s);
}

void pg_session_destroy(struct pg_session *s)
{
	if (s->state != PGC_CLOSING) {
		if (s->pool && (s->state == PGC_LOGIN_POOL || s->state == PGC_WAIT_SERVER))
			dw_pool_cancel_wait(s->pool, &s->waiter);
		if (s->server)
			pg_relay_detach(s, false);
		dw_cancel_unregister(s->cancel);
		s->cancel = NULL;
		audit_closed(s, "dbward is shutting down");
	}
	session_free(-1, 0, s);
}
