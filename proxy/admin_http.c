/* See admin_http.h. */
#include "proxy/admin_http.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "audit/audit.h"
#include "backends/breaker.h"
#include "backends/pool.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/my_session.h"
#include "proxy/pg_session.h"
#include "proxy/worker.h"

/* Requests are small: a request line and a few headers. */
#define MAX_HEADERS_SIZE 8192
#define MAX_BODY_SIZE 4096
#define REQUEST_TIMEOUT_S 10
/* How long a request waits for the workers' answers. */
#define WORKER_WAIT_MS 1000
/* Rows one worker reports at most (a cap on the copy and the response). */
#define MAX_ROWS 100000u

static struct {
	struct dw_runtime *rt;
	struct dw_config *start_cfg;    /* listener names: fixed for the process */
	pthread_mutex_t cfg_mu;
	struct dw_config *cfg;          /* the current one: its backends */
	struct event_base *base;
	struct evhttp *http;
	pthread_t thread;
	bool running;
} A = { .cfg_mu = PTHREAD_MUTEX_INITIALIZER };

/* Jobs posted on workers' loops and not yet run there. */
static atomic_uint jobs_out;

/* ---- asking the workers ---- */

struct pool_row {
	char backend[64];
	char user[128];
	char database[128];
	enum dw_pool_mode mode;
	uint32_t size;
	struct dw_pool_counts counts;
};

struct session_row {
	uint64_t id;
	uint64_t connected_at_ms;
	unsigned worker;
	int port;
	bool tls, has_user, has_database, server, running;
	const char *protocol;
	const char *state;
	char listener[64];
	char user[128];
	char database[128];
	char ip[64];
};

enum job_kind { JOB_POOLS, JOB_SESSIONS };

struct answer {
	bool done;
	void *rows;
	size_t n;
	bool cut;       /* more rows than MAX_ROWS */
};

/* One question to every worker. Shared by the admin thread and the workers
 * it was posted to; freed by whoever lets go last. Once CLOSED (the admin
 * stopped waiting) late answers are dropped by their worker, so the admin
 * reads ANSWERS without the lock. */
struct job {
	atomic_uint refs;
	enum job_kind kind;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t answered;
	bool closed;
	size_t n;
	struct answer *answers;
};

struct ticket {
	struct job *job;
	struct dw_worker *w;
	size_t index;
};

static void job_unref(struct job *j)
{
	if (atomic_fetch_sub_explicit(&j->refs, 1, memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < j->n; i++)
		free(j->answers[i].rows);
	free(j->answers);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Grows *ROWS (of SIZE bytes each) for one more; false at the cap or out of
 * memory. */
static bool room(void **rows, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	if (n >= MAX_ROWS)
		return false;
	size_t ncap = *cap ? *cap * 2 : 16;
	if (ncap > MAX_ROWS)
		ncap = MAX_ROWS;
	void *p = realloc(*rows, ncap * size);
	if (!p)
		return false;
	*rows = p;
	*cap = ncap;
	return true;
}

static void collect_pools(struct dw_worker *w, struct answer *a)
{
	size_t cap = 0;
	for (struct dw_pool *p = w->pools; p; p = p->next) {
		if (!room(&a->rows, &cap, a->n, sizeof(struct pool_row))) {
			a->cut = true;
			return;
		}
		struct pool_row *r = (struct pool_row *)a->rows + a->n++;
		copy_text(r->backend, sizeof r->backend, p->backend->name);
		copy_text(r->user, sizeof r->user, p->user ? p->user->name : "");
		copy_text(r->database, sizeof r->database, p->database);
		r->mode = p->backend->pool.mode;
		r->size = p->backend->pool.size;
		dw_pool_counts(p, &r->counts);
	}
}

/* A client statement the server owes a reply to (not one of dbward's own). */
static bool pg_running(const struct pg_session *s)
{
	const struct pg_pending *p = s->server ? &s->server->pending : NULL;
	for (uint32_t i = 0; p && i < p->count && i < 64; i++) {
		const struct pg_pend *e = &p->e[(p->head + i) % PG_PENDING_CAP];
		if ((e->kind == PEND_QUERY || e->kind == PEND_EXECUTE) && !(e->flags & PEND_SWALLOW))
			return true;
	}
	return false;
}

static const char *pg_state(const struct pg_session *s, bool running)
{
	switch (s->state) {
	case PGC_IDLE:
		return "idle";
	case PGC_WAIT_SERVER:
		return "waiting_server";
	case PGC_ACTIVE:
		return running ? "running" : "idle";
	case PGC_CLOSING:
		return "closing";
	default:
		return "login";
	}
}

static const char *my_state(const struct my_session *s, bool running)
{
	switch (s->state) {
	case MYC_IDLE:
		return "idle";
	case MYC_WAIT_SERVER:
		return "waiting_server";
	case MYC_ACTIVE:
		return running ? "running" : "idle";
	case MYC_CLOSING:
		return "closing";
	default:
		return "login";
	}
}

static struct session_row *session_row(struct answer *a, size_t *cap)
{
	if (!room(&a->rows, cap, a->n, sizeof(struct session_row))) {
		a->cut = true;
		return NULL;
	}
	struct session_row *r = (struct session_row *)a->rows + a->n++;
	memset(r, 0, sizeof *r);
	return r;
}

static void collect_sessions(struct dw_worker *w, struct answer *a)
{
	size_t cap = 0;
	struct session_row *r;
	const struct pg_session *ps;
	TAILQ_FOREACH(ps, &w->sessions, link) {
		if (!(r = session_row(a, &cap)))
			return;
		r->id = ps->id;
		r->connected_at_ms = ps->connected_at_ms;
		r->worker = w->id;
		r->protocol = "postgres";
		copy_text(r->listener, sizeof r->listener, ps->listener->name);
		r->has_user = ps->user != NULL;
		copy_text(r->user, sizeof r->user, ps->user);
		r->has_database = ps->database != NULL;
		copy_text(r->database, sizeof r->database, ps->database);
		copy_text(r->ip, sizeof r->ip, ps->peer_ip);
		r->port = ps->peer_port;
		r->tls = ps->tls;
		r->server = ps->server != NULL;
		r->running = pg_running(ps);
		r->state = pg_state(ps, r->running);
	}
	const struct my_session *ms;
	TAILQ_FOREACH(ms, &w->my_sessions, link) {
		if (!(r = session_row(a, &cap)))
			return;
		r->id = ms->id;
		r->connected_at_ms = ms->connected_at_ms;
		r->worker = w->id;
		r->protocol = "mysql";
		copy_text(r->listener, sizeof r->listener, ms->listener->name);
		r->has_user = ms->user != NULL;
		copy_text(r->user, sizeof r->user, ms->user);
		r->has_database = ms->database != NULL && ms->database[0] != '\0';
		copy_text(r->database, sizeof r->database, ms->database);
		copy_text(r->ip, sizeof r->ip, ms->peer_ip);
		r->port = ms->peer_port;
		r->tls = ms->tls;
		r->server = ms->server != NULL;
		r->running = ms->server && ms->server->busy && !ms->server->swallow;
		r->state = my_state(ms, r->running);
	}
}

/* Runs on the worker's loop. */
static void ticket_run(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct ticket *t = arg;
	struct job *j = t->job;
	struct answer a = { .done = true };
	if (j->kind == JOB_POOLS)
		collect_pools(t->w, &a);
	else
		collect_sessions(t->w, &a);
	pthread_mutex_lock(&j->mu);
	if (!j->closed) {
		j->answers[t->index] = a;
		a.rows = NULL;
		j->answered++;
		pthread_cond_signal(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	free(a.rows);
	job_unref(j);
	free(t);
	atomic_fetch_sub(&jobs_out, 1);
}

/* Asks every worker and waits for their answers, up to WORKER_WAIT_MS. The
 * caller reads the answers marked done, then drops the job. *COMPLETE says
 * whether every worker answered with all its rows. NULL when out of memory. */
static struct job *ask_workers(enum job_kind kind, bool *complete)
{
	struct dw_runtime *rt = A.rt;
	struct job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->answers = calloc(rt->n_workers ? rt->n_workers : 1, sizeof *j->answers);
	if (!j->answers) {
		free(j);
		return NULL;
	}
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&j->mu, NULL);
	j->kind = kind;
	j->n = rt->n_workers;
	atomic_init(&j->refs, 1);
	size_t posted = 0;
	struct timeval now = {0, 0};
	for (size_t i = 0; i < rt->n_workers; i++) {
		struct ticket *t = calloc(1, sizeof *t);
		if (!t)
			continue;
		t->job = j;
		t->w = &rt->workers[i];
		t->index = i;
		atomic_fetch_add(&j->refs, 1);
		atomic_fetch_add(&jobs_out, 1);
		if (event_base_once(t->w->base, -1, EV_TIMEOUT, ticket_run, t, &now) != 0) {
			atomic_fetch_sub(&jobs_out, 1);
			atomic_fetch_sub(&j->refs, 1); /* the admin's reference remains */
			free(t);
			continue;
		}
		posted++;
	}
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += WORKER_WAIT_MS / 1000;
	deadline.tv_nsec += (long)(WORKER_WAIT_MS % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->mu);
	while (j->answered < posted)
		if (pthread_cond_timedwait(&j->cv, &j->mu, &deadline) == ETIMEDOUT)
			break;
	j->closed = true;
	*complete = j->answered == rt->n_workers;
	pthread_mutex_unlock(&j->mu);
	for (size_t i = 0; i < j->n; i++)
		if (j->answers[i].cut)
			*complete = false;
	if (!*complete)
		dw_warn("admin: %zu of %zu workers answered in time", j->answered, rt->n_workers);
	return j;
}

/* ---- responses ---- */

static void reply(struct evhttp_request *req, int code, const char *reason, const char *type,
	struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void reply_text(struct evhttp_request *req, int code, const char *reason, const char *text)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evbuffer_add_printf(b, "%s\n", text);
	reply(req, code, reason, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

static struct dw_config *current_config(void)
{
	pthread_mutex_lock(&A.cfg_mu);
	struct dw_config *cfg = dw_config_ref(A.cfg);
	pthread_mutex_unlock(&A.cfg_mu);
	return cfg;
}

/* 0 closed, 1 half-open, 2 open, as the metric says; a backend nothing has
 * tried yet has no breaker and counts as closed. */
static int circuit_of(const char *backend, struct dw_breaker_info *info)
{
	if (!dw_breaker_info_get(backend, info)) {
		memset(info, 0, sizeof *info);
		return 0;
	}
	switch (info->state) {
	case DW_BREAKER_OPEN:
		return 2;
	case DW_BREAKER_HALF_OPEN:
		return 1;
	default:
		return 0;
	}
}

/* Rows of every worker with the same (backend, user, database) summed. */
static size_t merge_pools(struct job *j, struct pool_row **out)
{
	size_t total = 0, n = 0;
	for (size_t i = 0; i < j->n; i++)
		if (j->answers[i].done)
			total += j->answers[i].n;
	struct pool_row *m = calloc(total ? total : 1, sizeof *m);
	if (!m) {
		*out = NULL;
		return 0;
	}
	for (size_t i = 0; i < j->n; i++) {
		const struct pool_row *rows = j->answers[i].rows;
		for (size_t k = 0; j->answers[i].done && k < j->answers[i].n; k++) {
			const struct pool_row *r = &rows[k];
			size_t t = 0;
			while (t < n && (strcmp(m[t].backend, r->backend) != 0 ||
					 strcmp(m[t].user, r->user) != 0 ||
					 strcmp(m[t].database, r->database) != 0))
				t++;
			if (t == n) {
				m[n++] = *r;
				continue;
			}
			m[t].counts.active += r->counts.active;
			m[t].counts.idle += r->counts.idle;
			m[t].counts.connecting += r->counts.connecting;
			m[t].counts.waiting += r->counts.waiting;
		}
	}
	*out = m;
	return n;
}

static void serve_metrics(struct evhttp_request *req)
{
	struct dw_runtime *rt = A.rt;
	struct dw_config *lcfg = A.start_cfg, *cfg = current_config();
	bool complete = false;
	struct job *j = ask_workers(JOB_POOLS, &complete);
	struct pool_row *rows = NULL;
	size_t n_rows = j ? merge_pools(j, &rows) : 0;
	size_t nl = lcfg->n_listeners, nb = cfg->n_backends;
	const char **names = calloc(nl ? nl : 1, sizeof *names);
	uint64_t *conns = calloc(nl ? nl : 1, sizeof *conns);
	struct dw_metrics_pool *pools = calloc(n_rows ? n_rows : 1, sizeof *pools);
	struct dw_metrics_backend *backends = calloc(nb ? nb : 1, sizeof *backends);
	struct evbuffer *b = evbuffer_new();
	if (names && conns && pools && backends && b) {
		for (size_t i = 0; i < nl; i++) {
			names[i] = lcfg->listeners[i].name;
			conns[i] = atomic_load_explicit(&rt->listeners[i].clients, memory_order_relaxed);
		}
		for (size_t i = 0; i < n_rows; i++)
			pools[i] = (struct dw_metrics_pool){ rows[i].backend, rows[i].user, rows[i].database,
				rows[i].counts.active, rows[i].counts.idle, rows[i].counts.connecting,
				rows[i].counts.waiting, rows[i].size };
		for (size_t i = 0; i < nb; i++) {
			struct dw_breaker_info info;
			backends[i].name = cfg->backends[i].name;
			backends[i].circuit = circuit_of(cfg->backends[i].name, &info);
			backends[i].opened = info.opened;
			backends[i].failures = info.failures;
		}
		struct dw_audit_stats as;
		dw_audit_stats(&as);
		struct dw_metrics_view v = {
			.listeners = names, .connections = conns, .n_listeners = nl,
			.pools = pools, .n_pools = n_rows, .pools_complete = j && complete,
			.backends = backends, .n_backends = nb,
			.audit_written = as.written, .audit_dropped = as.dropped, .audit_queued = as.queued,
		};
		dw_metrics_render(b, &v);
		reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
	} else {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	}
	if (b)
		evbuffer_free(b);
	free(names);
	free(conns);
	free(pools);
	free(backends);
	free(rows);
	if (j)
		job_unref(j);
	dw_config_unref(cfg);
}

static void serve_readyz(struct evhttp_request *req)
{
	if (atomic_load(&A.rt->stopping) || atomic_load(&A.rt->draining)) {
		reply_text(req, 503, "Service Unavailable", "not ready: shutting down");
		return;
	}
	struct dw_config *cfg = current_config();
	struct evbuffer *open = evbuffer_new();
	bool reachable = false;
	for (size_t i = 0; i < cfg->n_backends && !reachable; i++) {
		struct dw_breaker_info info;
		if (circuit_of(cfg->backends[i].name, &info) != 2)
			reachable = true;
		else if (open)
			evbuffer_add_printf(open, "%s%s", i ? ", " : "", cfg->backends[i].name);
	}
	if (reachable) {
		reply_text(req, 200, "OK", "ok");
	} else {
		char msg[512];
		size_t len = open ? evbuffer_get_length(open) : 0;
		if (len > 400)
			len = 400;
		snprintf(msg, sizeof msg, "not ready: no backend is reachable (circuit open: %.*s)",
			(int)len, open ? (const char *)evbuffer_pullup(open, -1) : "");
		reply_text(req, 503, "Service Unavailable", msg);
	}
	if (open)
		evbuffer_free(open);
	dw_config_unref(cfg);
}

static void json_string(struct evbuffer *b, const char *key, const char *value, bool first)
{
	evbuffer_add_printf(b, "%s\"%s\":", first ? "" : ",", key);
	if (!value) {
		evbuffer_add(b, "null", 4);
		return;
	}
	evbuffer_add(b, "\"", 1);
	dw_json_escape(b, value);
	evbuffer_add(b, "\"", 1);
}

static const char *mode_name(enum dw_pool_mode m)
{
	return m == DW_POOL_SESSION ? "session" : "transaction";
}

static void serve_pools(struct evhttp_request *req)
{
	bool complete = false;
	struct job *j = ask_workers(JOB_POOLS, &complete);
	struct pool_row *rows = NULL;
	size_t n = j ? merge_pools(j, &rows) : 0;
	struct evbuffer *b = evbuffer_new();
	if (!j || !rows || !b) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	} else {
		evbuffer_add(b, "[", 1);
		for (size_t i = 0; i < n; i++) {
			const struct pool_row *r = &rows[i];
			evbuffer_add_printf(b, "%s\n{", i ? "," : "");
			json_string(b, "backend", r->backend, true);
			json_string(b, "user", r->user, false);
			json_string(b, "database", r->database, false);
			json_string(b, "mode", mode_name(r->mode), false);
			evbuffer_add_printf(b, ",\"size\":%" PRIu32 ",\"active\":%" PRIu32
				",\"idle\":%" PRIu32 ",\"connecting\":%" PRIu32 ",\"waiting\":%" PRIu32 "}",
				r->size, r->counts.active, r->counts.idle, r->counts.connecting,
				r->counts.waiting);
		}
		evbuffer_add(b, "]\n", 2);
		reply(req, 200, "OK", "application/json", b);
	}
	if (b)
		evbuffer_free(b);
	free(rows);
	if (j)
		job_unref(j);
}

static void format_time(uint64_t ms, char *out, size_t cap)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char day[32];
	if (!gmtime_r(&secs, &tm) || strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(out, cap, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, cap, "%s.%03uZ", day, (unsigned)(ms % 1000));
}

static void session_json(struct evbuffer *b, const struct session_row *r)
{
	char client[96], at[48];
	if (strchr(r->ip, ':'))
		snprintf(client, sizeof client, "[%s]:%d", r->ip, r->port);
	else if (r->port)
		snprintf(client, sizeof client, "%s:%d", r->ip, r->port);
	else
		snprintf(client, sizeof client, "%s", r->ip);
	format_time(r->connected_at_ms, at, sizeof at);
	evbuffer_add_printf(b, "{\"id\":%" PRIu64 ",\"worker\":%u", r->id, r->worker);
	json_string(b, "listener", r->listener, false);
	json_string(b, "protocol", r->protocol, false);
	json_string(b, "user", r->has_user ? r->user : NULL, false);
	json_string(b, "database", r->has_database ? r->database : NULL, false);
	json_string(b, "client", client, false);
	evbuffer_add_printf(b, ",\"tls\":%s", r->tls ? "true" : "false");
	json_string(b, "state", r->state, false);
	json_string(b, "connected_at", at, false);
	evbuffer_add_printf(b, ",\"server_attached\":%s,\"statement_running\":%s}",
		r->server ? "true" : "false", r->running ? "true" : "false");
}

static void serve_sessions(struct evhttp_request *req)
{
	bool complete = false;
	struct job *j = ask_workers(JOB_SESSIONS, &complete);
	struct evbuffer *b = evbuffer_new();
	if (!j || !b) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
	} else {
		bool first = true;
		evbuffer_add(b, "[", 1);
		for (size_t i = 0; i < j->n; i++) {
			const struct session_row *rows = j->answers[i].rows;
			for (size_t k = 0; j->answers[i].done && k < j->answers[i].n; k++) {
				evbuffer_add(b, first ? "\n" : ",\n", first ? 1 : 2);
				session_json(b, &rows[k]);
				first = false;
			}
		}
		evbuffer_add(b, "]\n", 2);
		if (!complete)
			evhttp_add_header(evhttp_request_get_output_headers(req), "X-Dbward-Incomplete",
				"some workers did not answer in time or had too many sessions");
		reply(req, 200, "OK", "application/json", b);
	}
	if (b)
		evbuffer_free(b);
	if (j)
		job_unref(j);
}

static void on_request(struct evhttp_request *req, void *arg)
{
	(void)arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	static const char *const paths[] = { "/metrics", "/healthz", "/readyz", "/pools", "/sessions" };
	size_t which = sizeof paths / sizeof paths[0];
	for (size_t i = 0; path && i < sizeof paths / sizeof paths[0]; i++)
		if (strcmp(path, paths[i]) == 0)
			which = i;
	if (which == sizeof paths / sizeof paths[0]) {
		reply_text(req, 404, "Not Found", "not found");
		return;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed", "method not allowed");
		return;
	}
	switch (which) {
	case 0:
		serve_metrics(req);
		return;
	case 1:
		reply_text(req, 200, "OK", "ok");
		return;
	case 2:
		serve_readyz(req);
		return;
	case 3:
		serve_pools(req);
		return;
	default:
		serve_sessions(req);
		return;
	}
}

/* ---- the thread ---- */

static void *admin_main(void *arg)
{
	(void)arg;
	event_base_dispatch(A.base);
	return NULL;
}

static void admin_free(void)
{
	if (A.http)
		evhttp_free(A.http);
	if (A.base)
		event_base_free(A.base);
	A.http = NULL;
	A.base = NULL;
	pthread_mutex_lock(&A.cfg_mu);
	if (A.cfg)
		dw_config_unref(A.cfg);
	A.cfg = NULL;
	pthread_mutex_unlock(&A.cfg_mu);
	if (A.start_cfg)
		dw_config_unref(A.start_cfg);
	A.start_cfg = NULL;
}

int dw_admin_start(struct dw_runtime *rt, struct dw_config *cfg)
{
	const struct dw_address *at = &cfg->admin.listen;
	if (!cfg->admin.enabled) {
		dw_info("admin endpoint off");
		return 0;
	}
	A.rt = rt;
	A.start_cfg = dw_config_ref(cfg);
	A.cfg = dw_config_ref(cfg);
	A.base = event_base_new();
	A.http = A.base ? evhttp_new(A.base) : NULL;
	if (!A.http) {
		dw_error("admin: out of memory");
		admin_free();
		return -1;
	}
	evhttp_set_max_headers_size(A.http, MAX_HEADERS_SIZE);
	evhttp_set_max_body_size(A.http, MAX_BODY_SIZE);
	evhttp_set_timeout(A.http, REQUEST_TIMEOUT_S);
	/* Every method reaches on_request, which answers 405 to all but GET
	 * and HEAD (libevent itself would say 501). */
	evhttp_set_allowed_methods(A.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
		EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
		EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(A.http, on_request, NULL);
	errno = 0;
	if (!evhttp_bind_socket_with_handle(A.http, at->host, at->port)) {
		dw_error("admin: cannot listen on %s: %s", at->text,
			errno ? strerror(errno) : "address unavailable");
		admin_free();
		return -1;
	}
	if (pthread_create(&A.thread, NULL, admin_main, NULL) != 0) {
		dw_error("admin: cannot start its thread");
		admin_free();
		return -1;
	}
	A.running = true;
	dw_info("admin endpoint on http://%s (/metrics /healthz /readyz /pools /sessions)", at->text);
	return 0;
}

void dw_admin_set_config(struct dw_config *cfg)
{
	pthread_mutex_lock(&A.cfg_mu);
	if (A.cfg) {
		struct dw_config *old = A.cfg;
		A.cfg = dw_config_ref(cfg);
		dw_config_unref(old);
	}
	pthread_mutex_unlock(&A.cfg_mu);
}

void dw_admin_stop(void)
{
	if (!A.running)
		return;
	event_base_loopbreak(A.base);
	pthread_join(A.thread, NULL);
	A.running = false;
	/* Jobs a worker has not run yet hold the job: let them finish so
	 * nothing is left behind (they run at the worker's next loop turn). */
	for (int i = 0; i < 200 && atomic_load(&jobs_out) > 0; i++)
		usleep(10000);
	if (atomic_load(&jobs_out) > 0)
		dw_warn("admin: %u worker job(s) still pending at shutdown", atomic_load(&jobs_out));
	admin_free();
}
