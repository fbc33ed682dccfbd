#include "backends/pg_server.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "backends/pool.h"
#include "proxy/log.h"
#include "proxy/worker.h"

const char *const pg_reported_params[] = {
	"application_name", "client_encoding", "DateStyle", "default_transaction_read_only",
	"in_hot_standby", "integer_datetimes", "IntervalStyle", "is_superuser",
	"server_encoding", "server_version", "session_authorization",
	"standard_conforming_strings", "TimeZone", NULL,
};


void dw_cancel_handle_unref(struct dw_cancel_handle *h)
{
	if (h && atomic_fetch_sub(&h->refs, 1) == 1) {
		PQfreeCancel(h->cancel);
		free(h);
	}
}

static const char *sslmode_name(enum dw_tls_mode m)
{
	switch (m) {
	case DW_TLS_DISABLE: return "disable";
	case DW_TLS_PREFER: return "prefer";
	case DW_TLS_REQUIRE: return "require";
	case DW_TLS_VERIFY_FULL: return "verify-full";
	}
	return "prefer";
}

static bool is_numeric_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* WHY and libpq's message on one line: libpq ends its messages in a newline
 * and puts hints on lines of their own, and the log has one line per event. */
static void failure_text(struct pg_server *s, const char *why, char *out, size_t cap)
{
	const char *detail = s->conn ? PQerrorMessage(s->conn) : "";
	snprintf(out, cap, "%s%s%s", why, *detail ? ": " : "", detail);
	size_t o = 0;
	bool space = false;
	for (size_t i = 0; out[i]; i++) {
		char c = out[i];
		if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
			space = true;
			continue;
		}
		if (space && o)
			out[o++] = ' ';
		space = false;
		out[o++] = c;
	}
	out[o] = '\0';
}

static void connect_fail(struct pg_server *s, const char *why, enum dw_connect_failure kind)
{
	char msg[256];
	failure_text(s, why, msg, sizeof msg);
	dw_pool_server_failed(&s->base, msg, kind);
}

static void connect_step(evutil_socket_t fd, short what, void *arg);
static void pg_server_free(struct dw_server *ds);
static bool pg_server_bind_loop(struct dw_server *ds, struct event_base *base);

/* The attempt failed before pg_server_connect returned: no callback, the
 * reason goes to the pool's last_error and the caller sees NULL. */
static void start_failed(struct pg_server *s, const char *why)
{
	failure_text(s, why, s->base.pool->last_error, sizeof s->base.pool->last_error);
	pg_server_free(&s->base);
}

static bool wait_socket(struct pg_server *s, PostgresPollingStatusType st)
{
	struct event_base *base = s->base.pool->worker->base;
	int fd = PQsocket(s->conn);
	if (fd < 0)
		return false;
	if (s->conn_ev)
		event_free(s->conn_ev);
	s->fd = fd;
	s->conn_ev = event_new(base, fd, st == PGRES_POLLING_READING ? EV_READ : EV_WRITE,
		connect_step, s);
	return s->conn_ev && event_add(s->conn_ev, NULL) == 0;
}

static void capture_params(struct pg_server *s)
{
	for (size_t i = 0; pg_reported_params[i]; i++) {
		const char *v = PQparameterStatus(s->conn, pg_reported_params[i]);
		if (v && !pg_params_set(&s->pristine, pg_reported_params[i], v))
			break;
	}
	pg_params_copy(&s->current, &s->pristine);
}

static bool pg_server_bind_loop(struct dw_server *ds, struct event_base *base)
{
	/* libpq keeps owning the SSL object and the socket; PQfinish frees them. */
	struct pg_server *s = pg_server_of(ds);
	ds->bev = dw_server_bufferevent(base, s->fd, PQgetssl(s->conn));
	if (ds->bev)
		dw_reader_start(&ds->rd, ds->bev);
	return ds->bev != NULL;
}

/* Statements belong to the worker's registry: forget them (the adopting
 * worker deallocates them on the server). */
static void pg_server_leave_worker(struct dw_server *ds)
{
	struct pg_server *s = pg_server_of(ds);
	if (s->stmts.n) {
		pg_stmt_cache_clear(&s->stmts, &ds->pool->worker->stmts);
		s->orphan_statements = true;
	}
}

static bool take_over_socket(struct pg_server *s)
{
	if (PQsetnonblocking(s->conn, 1) != 0)
		return false;
	s->fd = PQsocket(s->conn);
	if (!pg_server_bind_loop(&s->base, s->base.pool->worker->base))
		return false;
	PGcancel *c = PQgetCancel(s->conn);
	if (c) {
		s->cancel = calloc(1, sizeof *s->cancel);
		if (!s->cancel) {
			PQfreeCancel(c);
			return false;
		}
		atomic_init(&s->cancel->refs, 1);
		s->cancel->cancel = c;
	}
	s->backend_pid = PQbackendPID(s->conn);
	capture_params(s);
	s->txstatus = 'I';
	return true;
}

static void connect_step(evutil_socket_t fd, short what, void *arg)
{
	struct pg_server *s = arg;
	(void)fd;
	(void)what;
	/* Still waiting for the TCP (or unix socket) connection: a failure now
	 * means the server could not be reached; later, that it answered. */
	ConnStatusType before = PQstatus(s->conn);
	enum dw_connect_failure kind = before == CONNECTION_STARTED || before == CONNECTION_NEEDED
		? DW_CONNECT_NETWORK : DW_CONNECT_ANSWERED;
	PostgresPollingStatusType st = PQconnectPoll(s->conn);
	switch (st) {
	case PGRES_POLLING_READING:
	case PGRES_POLLING_WRITING:
		if (!wait_socket(s, st))
			connect_fail(s, "connect failed", kind);
		return;
	case PGRES_POLLING_OK:
		event_free(s->conn_ev);
		s->conn_ev = NULL;
		if (s->timer)
			evtimer_del(s->timer);
		if (!take_over_socket(s)) {
			connect_fail(s, "cannot take over the server connection", DW_CONNECT_ANSWERED);
			return;
		}
		dw_pool_server_ready(&s->base);
		return;
	default:
		connect_fail(s, "connect failed", kind);
		return;
	}
}

static void connect_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct pg_server *s = arg;
	dw_pool_server_failed(&s->base, "connect timeout", DW_CONNECT_NETWORK);
}

static struct dw_server *pg_server_connect(struct dw_pool *pool)
{
	const struct dw_backend_config *b = pool->backend;
	const struct dw_user_config *u = pool->user;
	struct pg_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->base.ops = &pg_server_ops;
	s->base.pool = pool;
	s->base.state = DWS_CONNECTING;
	s->fd = -1;
	s->base.created_us = dw_now_us();

	char port[16] = "5432", host[4096];
	const char *host_key = "host";
	if (b->address.unix_path) {
		/* A socket file "/dir/.s.PGSQL.5433" or the directory holding it. */
		snprintf(host, sizeof host, "%s", b->address.unix_path);
		char *base = strrchr(host, '/');
		if (base && strncmp(base + 1, ".s.PGSQL.", 9) == 0) {
			snprintf(port, sizeof port, "%s", base + 10);
			*base = '\0';
			if (!host[0])
				snprintf(host, sizeof host, "/");
		}
	} else {
		snprintf(host, sizeof host, "%s", b->address.host);
		snprintf(port, sizeof port, "%u", b->address.port);
		if (is_numeric_ip(host))
			host_key = "hostaddr";
	}
	const char *keys[12], *vals[12];
	size_t n = 0;
	/* host names the server for certificate checks; a numeric hostaddr spares
	 * the worker a name lookup. */
	keys[n] = "host", vals[n++] = host;
	if (strcmp(host_key, "hostaddr") == 0)
		keys[n] = "hostaddr", vals[n++] = host;
	keys[n] = "port", vals[n++] = port;
	keys[n] = "user", vals[n++] = u->backend_user ? u->backend_user : u->name;
	keys[n] = "password", vals[n++] = u->backend_password ? u->backend_password : u->password;
	keys[n] = "dbname", vals[n++] = pool->database;
	keys[n] = "sslmode", vals[n++] = sslmode_name(b->tls.mode);
	if (b->tls.ca_file)
		keys[n] = "sslrootcert", vals[n++] = b->tls.ca_file;
	keys[n] = "gssencmode", vals[n++] = "disable";
	keys[n] = NULL, vals[n] = NULL;
	s->conn = PQconnectStartParams(keys, vals, 0);
	if (!s->conn || PQstatus(s->conn) == CONNECTION_BAD) {
		start_failed(s, "connect failed");
		return NULL;
	}
	uint64_t to = pool->cfg->timeouts.connect_ms;
	if (to) {
		s->timer = evtimer_new(pool->worker->base, connect_timeout, s);
		if (s->timer)
			dw_timer_arm(s->timer, to);
	}
	if (!wait_socket(s, PGRES_POLLING_WRITING)) {
		start_failed(s, "connect failed");
		return NULL;
	}
	return &s->base;
}

static void pg_server_free(struct dw_server *ds)
{
	if (!ds)
		return;
	struct pg_server *s = pg_server_of(ds);
	if (s->conn_ev)
		event_free(s->conn_ev);
	if (s->timer)
		event_free(s->timer);
	dw_reader_stop(&ds->rd);
	if (ds->bev)
		bufferevent_free(ds->bev);
	if (s->conn)
		PQfinish(s->conn);
	dw_cancel_handle_unref(s->cancel);
	for (uint32_t i = 0; i < s->pending.count; i++)
		free(s->pending.e[(s->pending.head + i) % PG_PENDING_CAP].text);
	pg_params_clear(&s->pristine);
	pg_params_clear(&s->current);
	if (ds->pool)
		pg_stmt_cache_clear(&s->stmts, &ds->pool->worker->stmts);
	free(s);
}

const struct dw_server_ops pg_server_ops = {
	.connect = pg_server_connect,
	.free = pg_server_free,
	.bind_loop = pg_server_bind_loop,
	.unbind_loop = dw_server_unbind_loop,
	.leave_worker = pg_server_leave_worker,
};
