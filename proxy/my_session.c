#include "proxy/my_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "audit/audit.h"
#include "proxy/auth_lockout.h"
#include "proxy/io.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/my_auth.h"
#include "proxy/my_codec.h"
#include "proxy/worker.h"

/* Pre-auth packets are capped like PostgreSQL's startup packet. */
#define MY_LOGIN_PACKET_MAX 8192u

/* What dbward lets clients negotiate: everything whose wire format the relay
 * and the reply tracker follow. Never compression, LOCAL INFILE (off unless a
 * policy allows it), MySQL 8's query attributes or optional metadata, and none
 * of MariaDB's extended capabilities. */
#define MY_OFFERED_CAPS \
	(MY_CLIENT_LONG_PASSWORD | MY_CLIENT_FOUND_ROWS | MY_CLIENT_LONG_FLAG | \
	 MY_CLIENT_CONNECT_WITH_DB | MY_CLIENT_NO_SCHEMA | MY_CLIENT_ODBC | MY_CLIENT_IGNORE_SPACE | \
	 MY_CLIENT_PROTOCOL_41 | MY_CLIENT_INTERACTIVE | MY_CLIENT_IGNORE_SIGPIPE | \
	 MY_CLIENT_TRANSACTIONS | MY_CLIENT_RESERVED | MY_CLIENT_SECURE_CONNECTION | \
	 MY_CLIENT_MULTI_STATEMENTS | MY_CLIENT_MULTI_RESULTS | MY_CLIENT_PS_MULTI_RESULTS | \
	 MY_CLIENT_PLUGIN_AUTH | MY_CLIENT_CONNECT_ATTRS | MY_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | \
	 MY_CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS | MY_CLIENT_SESSION_TRACK | MY_CLIENT_DEPRECATE_EOF | \
	 MY_CLIENT_REMEMBER_OPTIONS)

/* The capabilities that change what goes over the wire after login: a
 * server connection must have exactly the client's. */
#define MY_VARIANT_CAPS \
	(MY_CLIENT_LONG_PASSWORD | MY_CLIENT_FOUND_ROWS | MY_CLIENT_LONG_FLAG | MY_CLIENT_NO_SCHEMA | \
	 MY_CLIENT_ODBC | MY_CLIENT_IGNORE_SPACE | MY_CLIENT_INTERACTIVE | MY_CLIENT_TRANSACTIONS | \
	 MY_CLIENT_MULTI_STATEMENTS | MY_CLIENT_MULTI_RESULTS | MY_CLIENT_PS_MULTI_RESULTS | \
	 MY_CLIENT_SESSION_TRACK | MY_CLIENT_DEPRECATE_EOF)

static void audit_event(const struct my_session *s, const char *event, const char *action,
	const char *outcome, const char *severity, const char *reason);
static void client_read(struct bufferevent *bev, void *arg);
static void client_write(struct bufferevent *bev, void *arg);
static void client_event(struct bufferevent *bev, short what, void *arg);
static void session_free(struct my_session *s);
static void limit_resume(void *arg);

static void arm_timer(struct my_session *s, uint64_t ms)
{
	dw_timer_arm(s->timer, ms);
}

static void setup_bev(struct my_session *s)
{
	bufferevent_setcb(s->bev, client_read, client_write, client_event, s);
	bufferevent_setwatermark(s->bev, EV_WRITE, 128u * 1024u, 0);
	bufferevent_enable(s->bev, EV_READ | EV_WRITE);
	dw_reader_start(&s->rd, s->bev);
}

/* Bytes still waiting to reach the client's socket. */
static bool unsent(struct my_session *s)
{
	struct bufferevent *under = bufferevent_get_underlying(s->bev);
	return evbuffer_get_length(bufferevent_get_output(s->bev)) > 0 ||
		(under && evbuffer_get_length(bufferevent_get_output(under)) > 0);
}

/* The command at the head of the input never reached a server (none came
 * in time, or the backend is unavailable): the client gets REASON with a
 * reference its audit record holds. */
static void fail_unsent(struct my_session *s, uint16_t code, const char *sqlstate,
	const char *reason)
{
	char ref[48], message[320];
	dw_guard_ref(&s->guard, s->id, ref, sizeof ref);
	snprintf(message, sizeof message, "%s (ref %s)", reason, ref);
	if (s->audit_unsent) {
		s->audit_unsent = false;
		struct dw_session_info as;
		my_session_info(s, &as);
		dw_stmt_notes_fail_unsent(&s->notes, &as, s->notes.message, sqlstate, code, reason, ref);
	}
	my_relay_fail_command(s, code, sqlstate, message);
}

static void timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct my_session *s = arg;
	switch (s->state) {
	case MYC_HANDSHAKE:
	case MYC_AUTH:
		dw_metrics_timeout(DW_M_TIMEOUT_LOGIN);
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOGIN_TIMEOUT);
		my_session_close(s, 1045, "28000", "dbward: login timeout");
		return;
	case MYC_LOGIN_POOL:
		dw_metrics_timeout(DW_M_TIMEOUT_POOL_WAIT);
		my_session_close(s, 1040, "08004", "dbward: timed out waiting for a free server connection");
		return;
	case MYC_WAIT_SERVER:
		dw_metrics_timeout(DW_M_TIMEOUT_POOL_WAIT);
		dw_pool_cancel_wait(s->pool, &s->waiter);
		s->state = MYC_IDLE;
		/* The command that passed the policy is dropped, unsent: the
		 * next one must be judged on its own. */
		s->guard.head_judged = false;
		fail_unsent(s, 1040, "08004", "dbward: timed out waiting for a free server connection");
		return;
	case MYC_CLOSING:
		/* Freed once what it said reached the socket (a TLS filter hands it
		 * to the bufferevent below first), or when the client gives no room. */
		if (!s->bev || (unsent(s) && dw_now_us() < s->close_deadline_us)) {
			if (s->bev) {
				arm_timer(s, 20);
				return;
			}
		}
		session_free(s);
		return;
	default:
		return;
	}
}

static void send_greeting(struct my_session *s)
{
	struct my_backend_info info;
	bool known = my_backend_info_get(s->backend->name, &info) && info.known;
	struct my_server_handshake hs;
	memset(&hs, 0, sizeof hs);
	hs.protocol = 10;
	/* Drivers parse the version to pick features: the backend's own. */
	hs.server_version = known ? info.version : "5.5.5-10.11.0-MariaDB";
	hs.conn_id = (uint32_t)s->id;
	memcpy(hs.scramble, s->scramble, sizeof s->scramble);
	hs.scramble_len = sizeof s->scramble;
	uint64_t backend_caps = known ? info.caps : (MY_OFFERED_CAPS & ~MY_CLIENT_DEPRECATE_EOF);
	s->offered = (backend_caps & MY_OFFERED_CAPS & 0xffffffffull) | MY_CLIENT_PROTOCOL_41 |
		MY_CLIENT_SECURE_CONNECTION | MY_CLIENT_PLUGIN_AUTH;
	if (s->listener->tls.mode != DW_TLS_DISABLE)
		s->offered |= MY_CLIENT_SSL;
	/* Keep the server's "MySQL peer" bit as it is, and offer no MariaDB
	 * extended capabilities (the upper half stays zero). */
	hs.caps = s->offered;
	hs.charset = known && info.charset ? info.charset : 45;
	/* A fresh session: autocommit as the server starts sessions. */
	hs.status = known ? (info.status & MY_SERVER_STATUS_AUTOCOMMIT) : MY_SERVER_STATUS_AUTOCOMMIT;
	s->fresh_status = known ? info.status : MY_SERVER_STATUS_AUTOCOMMIT;
	s->autocommit = (hs.status & MY_SERVER_STATUS_AUTOCOMMIT) != 0;
	hs.auth_plugin = MY_PLUGIN_NATIVE;
	s->seq = my_put_handshake_v10(bufferevent_get_output(s->bev), 0, &hs);
}

void my_session_new(struct dw_worker *w, struct dw_config *cfg, size_t li, int fd,
	const struct sockaddr *addr, int addrlen)
{
	struct dw_runtime *rt = w->rt;
	struct my_session *s = calloc(1, sizeof *s);
	if (!s) {
		close(fd);
		return;
	}
	s->worker = w;
	TAILQ_INSERT_TAIL(&w->my_sessions, s, link);
	dw_limit_session_init(&s->limit, rt->limits, w->base, limit_resume, s);
	s->cfg = dw_config_ref(cfg);
	s->cfg_seen = cfg->serial;
	s->listener_index = li;
	s->listener = &cfg->listeners[li];
	s->backend = &cfg->backends[s->listener->backend_index];
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
	/* libevent owns the socket (and later the TLS filter the SSL object):
	 * it closes them when its finalizers run, after every event is gone. */
	s->bev = bufferevent_socket_new(w->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (s->bev)
		s->fd = -1;
	if (!s->timer || !s->bev || my_scramble_generate(s->scramble) != 0) {
		my_session_close(s, 0, NULL, NULL);
		return;
	}
	setup_bev(s);
	if (atomic_load(&rt->listeners[li].clients) > s->listener->max_clients) {
		dw_metrics_refused(li, DW_M_REFUSED_MAX_CLIENTS);
		s->seq = 0;
		my_session_close(s, 1040, "08004", "dbward: too many connections");
		return;
	}
	struct dw_session_info who;
	char msg[256];
	my_session_info(s, &who);
	if (dw_limit_accept(&s->limit, cfg, &who, &s->guard, msg, sizeof msg) == DW_LIMIT_REFUSE) {
		dw_metrics_refused(li, DW_M_REFUSED_RATE_LIMIT);
		s->seq = 0;
		my_session_close(s, 1040, "08004", msg);
		return;
	}
	send_greeting(s);
	arm_timer(s, cfg->timeouts.login_ms);
}

/* ---- authentication ---- */

/* The answer to a failed login, and to one refused by a lockout: the same,
 * so that it never tells whether the password was right. */
static void refuse_login(struct my_session *s)
{
	char msg[256];
	snprintf(msg, sizeof msg, "Access denied for user '%.64s'@'%.64s' (using password: YES)",
		s->user ? s->user : "", s->peer_ip);
	my_session_close(s, 1045, "28000", msg);
}

static void deny(struct my_session *s)
{
	struct dw_session_info who;
	dw_info("session %llu: authentication failed for user \"%s\" from %s", (unsigned long long)s->id,
		s->user ? s->user : "", s->peer_ip);
	my_session_info(s, &who);
	dw_lockout_judge(s->worker->rt->lockout, &s->cfg->auth_failures, &who, false);
	dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOGIN_FAILED);
	refuse_login(s);
}

static void auth_ok(struct my_session *s)
{
	struct dw_session_info who;
	char msg[256];
	s->auth = MYA_NONE;
	my_session_info(s, &who);
	if (!dw_lockout_judge(s->worker->rt->lockout, &s->cfg->auth_failures, &who, true)) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_LOCKED_OUT);
		refuse_login(s);
		return;
	}
	if (!dw_config_user_may_use(s->ucfg, s->backend->name)) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_NOT_ALLOWED);
		snprintf(msg, sizeof msg, "dbward: user '%.64s' may not use this database service", s->user);
		my_session_close(s, 1045, "28000", msg);
		return;
	}
	if (dw_limit_login(&s->limit, s->cfg, &who, &s->guard, msg, sizeof msg) == DW_LIMIT_REFUSE) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_RATE_LIMIT);
		my_session_close(s, 1040, "08004", msg);
		return;
	}
	evtimer_del(s->timer);
	struct dw_pool_variant v = {s->caps & MY_VARIANT_CAPS, s->charset};
	s->pool = dw_pool_get(s->worker, s->cfg, s->backend, s->ucfg, s->database, &my_server_ops, &v);
	if (!s->pool) {
		my_session_close(s, 1041, "HY000", "dbward: out of memory");
		return;
	}
	dw_info("session %llu: user \"%s\" logged in to \"%s\" from %s:%d%s (mysql)",
		(unsigned long long)s->id, s->user, s->database, s->peer_ip, s->peer_port,
		s->tls ? " (TLS)" : "");
	audit_event(s, "auth", "login", "success", "info", NULL);
	s->state = MYC_LOGIN_POOL;
	my_session_need_server(s);
}

static void send_more(struct my_session *s, uint8_t byte)
{
	s->seq = my_put_auth_more(bufferevent_get_output(s->bev), s->seq, &byte, 1);
}

/* One step of caching_sha2_password, NEXT being what the checks decided. */
static void sha2_next(struct my_session *s, enum my_sha2_next next)
{
	switch (next) {
	case MY_SHA2_OK:
		auth_ok(s);
		return;
	case MY_SHA2_FAST_OK:
		send_more(s, MY_SHA2_FAST_AUTH_SUCCESS);
		auth_ok(s);
		return;
	case MY_SHA2_FULL:
		send_more(s, MY_SHA2_PERFORM_FULL_AUTH);
		s->auth = MYA_SHA2_FULL;
		return;
	case MY_SHA2_SEND_KEY: {
		if (s->asked_key || !s->worker->rt->rsa) {
			deny(s);
			return;
		}
		s->asked_key = true;
		size_t len;
		const char *pem = my_rsa_public_pem(s->worker->rt->rsa, &len);
		s->seq = my_put_auth_more(bufferevent_get_output(s->bev), s->seq, pem, len);
		s->auth = MYA_SHA2_FULL;
		return;
	}
	case MY_SHA2_DENY:
		deny(s);
		return;
	}
}

static void check_answer(struct my_session *s, const uint8_t *resp, size_t len)
{
	const char *pw = s->ucfg ? s->ucfg->password : NULL;
	bool secure = s->tls;
	switch (s->auth) {
	case MYA_NATIVE:
		if (pw ? my_native_check(pw, s->scramble, resp, len) : my_native_mock(s->scramble, resp, len))
			auth_ok(s);
		else
			deny(s);
		return;
	case MYA_SHA2_FIRST:
		sha2_next(s, pw ? my_sha2_first(pw, s->scramble, secure, resp, len)
				: my_sha2_first_mock(s->scramble, secure, resp, len));
		return;
	case MYA_SHA2_FULL:
		sha2_next(s, pw ? my_sha2_full_step(s->worker->rt->rsa, pw, s->scramble, secure, resp, len)
				: my_sha2_full_step_mock(s->worker->rt->rsa, s->scramble, secure, resp, len));
		return;
	case MYA_NONE:
		break;
	}
	my_session_close(s, 1045, "28000", "dbward: unexpected packet during authentication");
}

/* MySQL clients start the TLS handshake right after their SSL request, with
 * no answer to wait for: the ClientHello may already sit in the input. A TLS
 * filter over the socket's bufferevent reads it from there. */
static bool start_tls(struct my_session *s)
{
	SSL *ssl = dw_runtime_tls_new(s->worker->rt, s->listener_index);
	if (!ssl)
		return false;
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	struct bufferevent *under = s->bev;
	/* The TLS filter reads through the socket's bufferevent: libevent's
	 * reading again. */
	dw_reader_stop(&s->rd);
	bufferevent_enable(under, EV_READ);
	s->tls = true;
	s->bev = bufferevent_openssl_filter_new(s->worker->base, under, ssl, BUFFEREVENT_SSL_ACCEPTING,
		BEV_OPT_CLOSE_ON_FREE);
	if (!s->bev) {
		s->bev = under;
		SSL_free(ssl);
		return false;
	}
	bufferevent_openssl_set_allow_dirty_shutdown(s->bev, 1);
	setup_bev(s);
	if (evbuffer_get_length(bufferevent_get_input(under)))
		bufferevent_trigger(under, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
	return true;
}

/* The client's connect attribute program_name (mysql, PyMySQL, Connector/J
 * name themselves there) names the application in audit records. */
static void set_application(struct my_session *s, struct my_bytes attrs)
{
	struct my_bytes v;
	free(s->application);
	s->application = NULL;
	if (!my_attr_find(attrs, "program_name", &v) || v.len == 0)
		return;
	size_t n = v.len < 64 ? v.len : 64;
	s->application = strndup((const char *)v.ptr, n);
}

static void handle_response(struct my_session *s, const uint8_t *p, size_t len)
{
	struct my_handshake_response hr;
	if (!my_parse_handshake_response(p, len, &hr)) {
		my_session_close(s, 1043, "08S01", "Bad handshake");
		return;
	}
	if (hr.ssl_request) {
		if (s->tls || !(s->offered & MY_CLIENT_SSL)) {
			my_session_close(s, 0, NULL, NULL);
			return;
		}
		if (!start_tls(s))
			my_session_close(s, 0, NULL, NULL);
		return;
	}
	if (s->listener->tls.mode == DW_TLS_REQUIRE && !s->tls) {
		dw_metrics_refused(s->listener_index, DW_M_REFUSED_TLS_REQUIRED);
		my_session_close(s, 1045, "28000", "dbward: TLS is required on this listener");
		return;
	}
	s->caps = hr.caps & s->offered & ~MY_CLIENT_SSL & 0xffffffffull;
	s->charset = hr.charset;
	set_application(s, hr.attrs);
	s->user = strdup(hr.user ? hr.user : "");
	s->database = strdup(hr.database ? hr.database : "");
	if (!s->user || !s->database) {
		my_session_close(s, 1041, "HY000", "dbward: out of memory");
		return;
	}
	s->ucfg = dw_config_user(s->cfg, s->user);
	bool want_sha2 = s->ucfg && s->ucfg->mysql_auth == DW_MYSQL_AUTH_CACHING_SHA2;
	const char *plugin = hr.auth_plugin ? hr.auth_plugin : MY_PLUGIN_NATIVE;
	s->state = MYC_AUTH;
	if (want_sha2 && strcmp(plugin, MY_PLUGIN_CACHING_SHA2) != 0) {
		/* The client started with another plugin: switch with a fresh
		 * round (the codec ends the scramble with the NUL clients expect). */
		s->seq = my_put_auth_switch(bufferevent_get_output(s->bev), s->seq, MY_PLUGIN_CACHING_SHA2,
			s->scramble, sizeof s->scramble);
		s->auth = MYA_SHA2_FIRST;
		return;
	}
	if (!want_sha2 && strcmp(plugin, MY_PLUGIN_NATIVE) != 0) {
		s->seq = my_put_auth_switch(bufferevent_get_output(s->bev), s->seq, MY_PLUGIN_NATIVE,
			s->scramble, sizeof s->scramble);
		s->auth = MYA_NATIVE;
		return;
	}
	s->auth = want_sha2 ? MYA_SHA2_FIRST : MYA_NATIVE;
	check_answer(s, hr.auth.ptr, hr.auth.len);
}

void my_session_change_user(struct my_session *s, const uint8_t *p, size_t len, uint8_t seq)
{
	struct my_change_user cu;
	if (!my_parse_change_user(p, len, s->caps, &cu)) {
		my_session_close(s, 1047, "08S01", "dbward: malformed COM_CHANGE_USER");
		return;
	}
	/* A new login: the old server connection goes back to its pool. */
	if (s->server)
		my_relay_detach(s, my_relay_server_clean(s->server));
	if (s->pool) {
		dw_pool_put(s->pool);
		s->pool = NULL;
	}
	set_application(s, cu.attrs);
	char *user = strdup(cu.user ? cu.user : "");
	char *db = strdup(cu.database ? cu.database : "");
	/* The scramble stays the one this connection already uses: clients
	 * answer a COM_CHANGE_USER with it (libmariadb keeps using it for
	 * mysql_native_password even after a switch). */
	if (!user || !db) {
		free(user);
		free(db);
		my_session_close(s, 1041, "HY000", "dbward: out of memory");
		return;
	}
	free(s->user);
	free(s->database);
	s->user = user;
	s->database = db;
	if (cu.has_charset)
		s->charset = (uint8_t)cu.charset;
	s->ucfg = dw_config_user(s->cfg, s->user);
	s->pinned = false;
	s->asked_key = false;
	struct my_backend_info info;
	s->autocommit = !my_backend_info_get(s->backend->name, &info) || !info.known ||
		(info.status & MY_SERVER_STATUS_AUTOCOMMIT);
	my_cstmt_clear(&s->stmts); /* a new login has no statements */
	s->seq = (uint8_t)(seq + 1);
	s->state = MYC_AUTH;
	bool sha2 = s->ucfg && s->ucfg->mysql_auth == DW_MYSQL_AUTH_CACHING_SHA2;
	const char *want = sha2 ? MY_PLUGIN_CACHING_SHA2 : MY_PLUGIN_NATIVE;
	s->auth = sha2 ? MYA_SHA2_FIRST : MYA_NATIVE;
	arm_timer(s, s->cfg->timeouts.login_ms);
	if (cu.auth_plugin && strcmp(cu.auth_plugin, want) == 0) {
		/* Answered with the right plugin already: check it now. */
		check_answer(s, cu.auth.ptr, cu.auth.len);
	} else {
		/* The codec ends the scramble with the NUL clients expect. */
		s->seq = my_put_auth_switch(bufferevent_get_output(s->bev), s->seq, want, s->scramble,
			sizeof s->scramble);
	}
	if (s->state != MYC_CLOSING)
		dw_io_flush(s->bev);
}

static void login_input(struct my_session *s)
{
	while (s->state == MYC_HANDSHAKE || s->state == MYC_AUTH) {
		struct evbuffer *in = bufferevent_get_input(s->bev);
		uint8_t h[MY_HEADER_LEN];
		if (evbuffer_copyout(in, h, sizeof h) < (ssize_t)sizeof h)
			return;
		uint32_t len;
		uint8_t seq;
		if (!my_read_header(h, sizeof h, &len, &seq) || len > MY_LOGIN_PACKET_MAX) {
			my_session_close(s, 1153, "08S01", "dbward: login packet too large");
			return;
		}
		if (evbuffer_get_length(in) < MY_HEADER_LEN + (size_t)len)
			return;
		uint8_t buf[MY_LOGIN_PACKET_MAX];
		evbuffer_drain(in, MY_HEADER_LEN);
		evbuffer_remove(in, buf, len);
		s->seq = (uint8_t)(seq + 1);
		if (s->state == MYC_HANDSHAKE)
			handle_response(s, buf, len);
		else
			check_answer(s, buf, len);
	}
}

static void client_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (s->state == MYC_HANDSHAKE || s->state == MYC_AUTH) {
		login_input(s);
		if (s->state != MYC_CLOSING && s->bev)
			dw_io_flush(s->bev);
		return;
	}
	if (s->state == MYC_IDLE || s->state == MYC_ACTIVE)
		my_relay_client_input(s);
}

static void client_write(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (s->state == MYC_CLOSING)
		return;
	if (s->state >= MYC_IDLE)
		dw_io_flush(s->bev);
	if (s->server && s->server->base.bev)
		dw_reader_set(&s->server->base.rd, s->server->base.bev, true);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (what & BEV_EVENT_CONNECTED) {
		dw_metrics_tls_handshake(s->listener_index, true); /* only TLS connects */
		return;
	}
	my_session_close(s, 0, NULL, NULL);
}

/* ---- server ---- */

static void got_server(struct dw_pool_waiter *w, struct dw_server *ds, const char *error)
{
	struct my_session *s = (struct my_session *)((char *)w - offsetof(struct my_session, waiter));
	evtimer_del(s->timer);
	if (!ds) {
		char msg[160];
		if (dw_pool_error_is_circuit_open(error)) {
			/* The backend's state change was logged once; this is one client. */
			dw_info("session %llu: backend %s unavailable: circuit open",
				(unsigned long long)s->id, s->backend->name);
			snprintf(msg, sizeof msg, "dbward: backend %.64s unavailable (circuit open)",
				s->backend->name);
		} else {
			dw_warn("session %llu: backend %s unavailable: %s", (unsigned long long)s->id,
				s->backend->name, error ? error : "unknown error");
			if (error && strstr(error, "Unknown database")) {
				snprintf(msg, sizeof msg, "Unknown database '%.64s'", s->database);
				my_session_close(s, 1049, "42000", msg);
				return;
			}
			snprintf(msg, sizeof msg, "dbward: backend unavailable");
		}
		if (s->state == MYC_LOGIN_POOL) {
			my_session_close(s, 1053, "08S01", msg);
		} else {
			s->state = MYC_IDLE;
			s->guard.head_judged = false; /* as for a timeout */
			fail_unsent(s, 1053, "08S01", msg);
		}
		return;
	}
	my_relay_attach(s, my_server_of(ds));
}

void my_session_need_server(struct my_session *s)
{
	if (s->state != MYC_LOGIN_POOL)
		s->state = MYC_WAIT_SERVER;
	s->waiter.cb = got_server;
	arm_timer(s, s->cfg->timeouts.pool_wait_ms);
	dw_pool_checkout(s->pool, &s->waiter);
}

enum dw_limit_verdict my_session_admit(struct my_session *s, uint8_t seq, size_t total)
{
	struct dw_session_info who;
	char msg[512];
	my_session_info(s, &who);
	enum dw_limit_verdict v = dw_limit_admit(&s->limit, &who, &s->guard, msg, sizeof msg);
	if (v == DW_LIMIT_WAIT) {
		/* Held: nothing more is read until the limit lets it go. */
		dw_reader_set(&s->rd, s->bev, false);
	} else if (v == DW_LIMIT_REFUSE) {
		struct evbuffer *in = bufferevent_get_input(s->bev);
		uint8_t h[MY_HEADER_LEN + 1] = {0};
		evbuffer_copyout(in, h, sizeof h);
		dw_metrics_refused_head(DW_M_MYSQL, in, MY_HEADER_LEN + 1, total,
			h[MY_HEADER_LEN] == MY_COM_QUERY && total - MY_HEADER_LEN < MY_MAX_PAYLOAD,
			DW_M_RATE_LIMITED);
		if (total - MY_HEADER_LEN >= MY_MAX_PAYLOAD) {
			/* The rest of the command follows in further packets. */
			my_session_close(s, 1226, "42000", msg);
			return v;
		}
		evbuffer_drain(bufferevent_get_input(s->bev), total);
		my_put_err(bufferevent_get_output(s->bev), (uint8_t)(seq + 1), 1226, "42000", msg);
	}
	return v;
}

static void limit_resume(void *arg)
{
	struct my_session *s = arg;
	if (s->state != MYC_ACTIVE && s->state != MYC_IDLE)
		return;
	dw_reader_set(&s->rd, s->bev, true);
	my_relay_client_input(s);
}

void my_session_adopt_config(struct my_session *s)
{
	struct dw_session_info who;
	my_session_info(s, &who);
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
	my_session_info(s, &who);
	dw_limit_login(&s->limit, s->cfg, &who, &s->guard, msg, sizeof msg);
}

bool my_session_busy(const struct my_session *s)
{
	return s->state == MYC_ACTIVE && s->server && (s->server->busy || s->cmd_remaining);
}

void my_session_info(const struct my_session *s, struct dw_session_info *as)
{
	as->id = s->id;
	as->worker = s->worker->id;
	as->listener = s->listener->name;
	as->protocol = "mysql";
	as->backend = s->backend->name;
	as->user = s->user;
	as->database = s->database;
	as->application = s->application;
	as->ip = s->peer_ip;
	as->port = s->peer_port;
	as->tls = s->tls;
	as->client = (const struct sockaddr *)&s->peer_addr;
}

static void audit_event(const struct my_session *s, const char *event, const char *action,
	const char *outcome, const char *severity, const char *reason)
{
	if (!dw_audit_on())
		return;
	struct dw_session_info as;
	my_session_info(s, &as);
	dw_audit_session_event(&as, event, action, outcome, severity, reason);
}

static void audit_closed(struct my_session *s, const char *reason)
{
	struct dw_session_info info;
	my_session_info(s, &info);
	dw_audit_session_closed(&s->notes, &info, reason);
}

void my_session_login_complete(struct my_session *s)
{
	/* The new session starts as the greeting said, whatever the previous
	 * client left on this server connection (the next command syncs it). */
	struct my_ok ok;
	memset(&ok, 0, sizeof ok);
	ok.status = s->autocommit ? MY_SERVER_STATUS_AUTOCOMMIT : 0;
	s->seq = my_put_ok(bufferevent_get_output(s->bev), s->seq, s->caps, &ok);
	s->state = MYC_ACTIVE;
	struct dw_session_info who;
	my_session_info(s, &who);
	dw_guard_select(&s->guard, s->cfg, DW_SQL_MYSQL, &who);
	/* How the server reads quotes and backslashes: from the status flags of
	 * a fresh session here, then of every reply (my_relay.c). */
	my_relay_note_status(s, s->server ? s->server->status : s->fresh_status);
	dw_io_direct(s->bev);
	my_limits_idle(s); /* the idle limits start with the session */
	if (s->transaction_pooling && s->server && my_relay_server_clean(s->server))
		my_relay_detach(s, true);
	if (evbuffer_get_length(bufferevent_get_input(s->bev)))
		my_relay_client_input(s);
}

/* ---- the one close path ---- */

static void session_free(struct my_session *s)
{
	TAILQ_REMOVE(&s->worker->my_sessions, s, link);
	dw_limit_session_end(&s->limit);
	dw_stmt_notes_clear(&s->notes, NULL);
	dw_audit_names_clear(&s->audit_stmts);
	dw_stmt_summary_unref(s->audit_preparing);
	dw_reader_stop(&s->rd);
	if (s->bev)
		bufferevent_free(s->bev);
	if (s->fd >= 0)
		close(s->fd);
	if (s->timer)
		event_free(s->timer);
	if (s->stmt_timer)
		event_free(s->stmt_timer);
	if (s->pool)
		dw_pool_put(s->pool);
	my_cstmt_clear(&s->stmts);
	atomic_fetch_sub(&s->worker->rt->listeners[s->listener_index].clients, 1);
	dw_config_unref(s->cfg);
	dw_config_unref(s->cfg_kept);
	free(s->user);
	free(s->database);
	free(s->application);
	free(s);
}

static void flush_then_free(struct bufferevent *bev, void *arg)
{
	(void)bev;
	struct my_session *s = arg;
	if (!unsent(s))
		session_free(s);
	else
		arm_timer(s, 20);
}

static void closing_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	session_free(arg);
}

void my_session_close(struct my_session *s, uint16_t code, const char *sqlstate, const char *message)
{
	if (s->state == MYC_CLOSING)
		return;
	enum my_session_state was = s->state;
	s->state = MYC_CLOSING;
	if (s->tls)
		dw_metrics_tls_end(s->listener_index, s->bev ? bufferevent_openssl_get_ssl(s->bev) : NULL);
	if (s->timer)
		evtimer_del(s->timer);
	if (s->stmt_timer)
		evtimer_del(s->stmt_timer);
	if (s->pool && (was == MYC_LOGIN_POOL || was == MYC_WAIT_SERVER))
		dw_pool_cancel_wait(s->pool, &s->waiter);
	if (s->server)
		my_relay_detach(s, my_relay_server_clean(s->server));
	dw_limit_session_end(&s->limit);
	if (s->user && was >= MYC_LOGIN_POOL)
		dw_info("session %llu: closed%s%s", (unsigned long long)s->id, message ? ": " : "",
			message ? message : "");
	audit_closed(s, message);
	if (s->bev && code && message) {
		my_put_err(bufferevent_get_output(s->bev), s->seq, code, sqlstate, message);
		bufferevent_setcb(s->bev, NULL, flush_then_free, closing_event, s);
		bufferevent_setwatermark(s->bev, EV_WRITE, 0, 0);
		dw_reader_set(&s->rd, s->bev, false);
		bufferevent_enable(s->bev, EV_WRITE);
		s->close_deadline_us = dw_now_us() + 5000000u;
		arm_timer(s, 5000);
		return;
	}
	if (s->bev) {
		dw_reader_set(&s->rd, s->bev, false);
		bufferevent_disable(s->bev, EV_READ | EV_WRITE);
		bufferevent_setcb(s->bev, NULL, NULL, NULL, NULL);
	}
	struct timeval now = {0, 0};
	if (!s->timer || evtimer_add(s->timer, &now) != 0)
		session_free(s);
}

void my_session_destroy(struct my_session *s)
{
	if (s->state != MYC_CLOSING) {
		if (s->pool && (s->state == MYC_LOGIN_POOL || s->state == MYC_WAIT_SERVER))
			dw_pool_cancel_wait(s->pool, &s->waiter);
		if (s->server)
			my_relay_detach(s, false);
		audit_closed(s, "dbward is shutting down");
	}
	session_free(s);
}
