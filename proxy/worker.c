#include "proxy/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>

#include "audit/audit.h"
#include "backends/health.h"
#include "backends/pool.h"
#include "policy/policy.h"
#include "proxy/auth_lockout.h"
#include "proxy/log.h"
#include "proxy/my_auth.h"
#include "proxy/my_session.h"
#include "proxy/pg_session.h"
#include "proxy/rate_limit.h"
#include "proxy/tls.h"

struct accept_ctx {
	struct dw_worker *w;
	size_t listener_index;
};

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *addr,
	int addrlen, void *arg)
{
	(void)l;
	struct accept_ctx *ctx = arg;
	struct dw_worker *w = ctx->w;
	if (atomic_load(&w->rt->stopping) || atomic_load(&w->rt->draining)) {
		close(fd);
		return;
	}
	/* The configuration of the moment: a reload may replace it any time. */
	struct dw_config *cfg = dw_runtime_config(w->rt);
	if (ctx->listener_index >= cfg->n_listeners) {
		dw_config_unref(cfg);
		close(fd);
		return;
	}
	const struct dw_listener_config *lc = &cfg->listeners[ctx->listener_index];
	if (addr->sa_family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	}
	evutil_make_socket_nonblocking(fd);
	switch (lc->protocol) {
	case DW_PROTO_POSTGRES:
		pg_session_new(w, cfg, ctx->listener_index, fd, addr, addrlen);
		break;
	case DW_PROTO_MYSQL:
		my_session_new(w, cfg, ctx->listener_index, fd, addr, addrlen);
		break;
	default:
		close(fd);
	}
	dw_config_unref(cfg);
}

/* One listening socket per worker and listener: SO_REUSEPORT lets the kernel
 * spread connections over the workers with no shared accept lock. */
int dw_listen_socket(const struct dw_listener_config *l, bool first)
{
	if (l->listen.unix_path) {
		if (!first)
			return -2; /* one worker serves a unix socket */
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		struct sockaddr_un sun = {.sun_family = AF_UNIX};
		if (strlen(l->listen.unix_path) >= sizeof sun.sun_path) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(sun.sun_path, l->listen.unix_path);
		unlink(l->listen.unix_path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || listen(fd, 1024) != 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	char port[16];
	snprintf(port, sizeof port, "%u", l->listen.port);
	int rc = getaddrinfo(l->listen.host, port, &hints, &res);
	if (rc != 0 || !res) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return -1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		close(fd);
		freeaddrinfo(res);
		errno = e;
		return -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void on_wakeup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_worker *w = arg;
	atomic_store(&w->pool_poke, false);
	dw_pool_maintain(w);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_worker *w = arg;
	dw_pool_maintain(w);
	/* One worker forgets the rate limit buckets nobody needs any more. */
	if (w->id == 0 && w->rt->limits)
		dw_limits_maintain(w->rt->limits, dw_limit_now_ns());
}

void dw_worker_poke(struct dw_worker *w)
{
	/* Once stopping, loops end and bases go away: nobody needs capacity. */
	if (atomic_load(&w->rt->stopping))
		return;
	if (!atomic_exchange(&w->pool_poke, true))
		event_active(w->wakeup, EV_READ, 0);
}

const struct dw_scram_secret *dw_worker_user_secret(struct dw_worker *w, struct dw_config *cfg,
	const struct dw_user_config *user)
{
	if (w->secrets_cfg != cfg) {
		free(w->secrets);
		free(w->secrets_ready);
		if (w->secrets_cfg)
			dw_config_unref(w->secrets_cfg);
		w->secrets = calloc(cfg->n_users ? cfg->n_users : 1, sizeof *w->secrets);
		w->secrets_ready = calloc(cfg->n_users ? cfg->n_users : 1, sizeof *w->secrets_ready);
		w->secrets_cfg = dw_config_ref(cfg);
		if (!w->secrets || !w->secrets_ready)
			return NULL;
	}
	size_t i = (size_t)(user - cfg->users);
	if (i >= cfg->n_users || !user->password)
		return NULL;
	if (!w->secrets_ready[i]) {
		/* A configured verifier is used as is; a password is derived once. */
		if (dw_scram_secret_parse(user->password, &w->secrets[i]) != 0 &&
		    dw_scram_secret_from_password(user->password, &w->secrets[i]) != 0)
			return NULL;
		w->secrets_ready[i] = true;
	}
	return &w->secrets[i];
}

/* Runs in the worker thread once its loop has stopped. */
static void worker_cleanup(struct dw_worker *w)
{
	for (size_t i = 0; i < w->n_listeners; i++) {
		if (!w->listeners[i])
			continue;
		evconnlistener_free(w->listeners[i]);
	}
	free(w->listeners);
	free(w->accept_ctxs);
	event_free(w->tick);
	pg_stmt_registry_free(&w->stmts);
	dw_policy_ctx_free(w->policy);
	free(w->secrets);
	free(w->secrets_ready);
	if (w->secrets_cfg)
		dw_config_unref(w->secrets_cfg);
	/* The base and the wakeup event outlive the loop until every worker has
	 * stopped (dw_runtime_stop): another worker may still poke this one. */
}

static void *worker_main(void *arg)
{
	struct dw_worker *w = arg;
	event_base_dispatch(w->base);
	worker_cleanup(w);
	return NULL;
}

static int worker_init(struct dw_runtime *rt, struct dw_worker *w, unsigned id)
{
	w->id = id;
	w->rt = rt;
	TAILQ_INIT(&w->sessions);
	TAILQ_INIT(&w->my_sessions);
	w->base = event_base_new();
	if (!w->base)
		return -1;
	pg_stmt_registry_init(&w->stmts);
	w->policy = dw_policy_ctx_new();
	if (!w->policy)
		return -1;
	dw_policy_ctx_keep_normalized(w->policy, dw_audit_on());
	w->wakeup = event_new(w->base, -1, EV_READ | EV_PERSIST, on_wakeup, w);
	w->tick = event_new(w->base, -1, EV_PERSIST, on_tick, w);
	struct timeval one_sec = {1, 0};
	if (!w->wakeup || !w->tick || event_add(w->tick, &one_sec) != 0)
		return -1;
	struct dw_config *cfg = rt->cfg;
	/* Backend health checks run from one place: worker 0's loop. */
	if (id == 0 && dw_health_start(w->base, cfg) != 0)
		return -1;
	/* Room for listeners a reload adds (dw_worker_add_listener). */
	w->listeners = calloc(rt->listeners_cap, sizeof *w->listeners);
	struct accept_ctx *ctxs = calloc(rt->listeners_cap, sizeof *ctxs);
	w->accept_ctxs = ctxs;
	if (!w->listeners || !ctxs)
		return -1;
	w->n_listeners = rt->listeners_cap;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		const struct dw_listener_config *l = &cfg->listeners[i];
		int fd = dw_listen_socket(l, id == 0);
		if (fd == -2)
			continue;
		if (fd < 0) {
			dw_error("listener %s: cannot listen on %s: %s", l->name, l->listen.text,
				strerror(errno));
			return -1;
		}
		struct accept_ctx *ctx = &ctxs[i];
		ctx->w = w;
		ctx->listener_index = i;
		w->listeners[i] = evconnlistener_new(w->base, on_accept, ctx,
			LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
		if (!w->listeners[i]) {
			close(fd);
			return -1;
		}
	}
	return 0;
}

int dw_runtime_start(struct dw_runtime *rt, struct dw_config *cfg)
{
	if (evthread_use_pthreads() != 0) {
		dw_error("libevent threading support unavailable");
		return -1;
	}
	rt->cfg = dw_config_ref(cfg);
	pthread_mutex_init(&rt->cfg_mu, NULL);
	atomic_store(&rt->cfg_serial, cfg->serial);
	rt->n_workers = cfg->workers;
	rt->listeners_cap = cfg->n_listeners + DW_LISTENERS_SPARE;
	rt->listeners = calloc(rt->listeners_cap, sizeof *rt->listeners);
	rt->workers = calloc(rt->n_workers, sizeof *rt->workers);
	rt->limits = dw_limits_new(DW_LIMITS_CAP);
	rt->lockout = dw_lockout_new(DW_LOCKOUT_CAP);
	if (!rt->listeners || !rt->workers || !rt->limits || !rt->lockout)
		return -1;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		const struct dw_listener_config *l = &cfg->listeners[i];
		if (l->tls.mode != DW_TLS_DISABLE) {
			rt->listeners[i].tls = dw_tls_server_ctx(l);
			if (!rt->listeners[i].tls)
				return -1;
		}
	}
	bool mysql = false;
	for (size_t i = 0; i < cfg->n_listeners; i++)
		mysql |= cfg->listeners[i].protocol == DW_PROTO_MYSQL;
	if (mysql) {
		/* One RSA key for caching_sha2_password over plain connections. */
		rt->rsa = my_rsa_generate(MY_RSA_DEFAULT_BITS);
		if (!rt->rsa)
			dw_warn("cannot generate the RSA key: caching_sha2_password needs TLS");
		/* Clients get the backend's real version in their greeting. */
		for (size_t i = 0; i < cfg->n_backends; i++) {
			if (cfg->backends[i].protocol != DW_PROTO_MYSQL)
				continue;
			struct my_backend_info info;
			my_backend_probe(&cfg->backends[i], cfg->timeouts.connect_ms, &info);
			if (info.known)
				dw_info("backend %s: %s", cfg->backends[i].name, info.version);
			else
				dw_warn("backend %s: not reachable yet", cfg->backends[i].name);
		}
	}
	for (size_t i = 0; i < rt->n_workers; i++)
		if (worker_init(rt, &rt->workers[i], (unsigned)i) != 0)
			return -1;
	for (size_t i = 0; i < rt->n_workers; i++) {
		if (pthread_create(&rt->workers[i].thread, NULL, worker_main, &rt->workers[i]) != 0) {
			dw_error("cannot start worker thread: %s", strerror(errno));
			return -1;
		}
	}
	for (size_t i = 0; i < cfg->n_listeners; i++)
		dw_info("listening on %s (%s, %s)", cfg->listeners[i].listen.text, cfg->listeners[i].name,
			cfg->listeners[i].protocol == DW_PROTO_POSTGRES ? "postgres" : "mysql");
	return 0;
}

/* Closes the sessions of W that have no statement in flight. */
static void close_idle_sessions(struct dw_worker *w)
{
	struct pg_session *s, *next;
	for (s = TAILQ_FIRST(&w->sessions); s; s = next) {
		next = TAILQ_NEXT(s, link);
		if (!pg_session_busy(s))
			pg_session_close(s, "57P01",
				"dbward: terminating connection because dbward is shutting down");
	}
	struct my_session *ms, *mnext;
	for (ms = TAILQ_FIRST(&w->my_sessions); ms; ms = mnext) {
		mnext = TAILQ_NEXT(ms, link);
		if (!my_session_busy(ms))
			my_session_close(ms, 1053, "08S01", "dbward: shutdown in progress");
	}
}

static void drain_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	close_idle_sessions(arg);
}

static void drain_start(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_worker *w = arg;
	for (size_t i = 0; i < w->n_listeners; i++)
		if (w->listeners[i])
			evconnlistener_disable(w->listeners[i]);
	close_idle_sessions(w);
	/* The rest as their statements end: looked at every 20 ms. */
	struct timeval every = {0, 20000};
	w->drain = event_new(w->base, -1, EV_PERSIST, drain_tick, w);
	if (w->drain)
		event_add(w->drain, &every);
}

void dw_runtime_drain(struct dw_runtime *rt, uint64_t grace_ms)
{
	atomic_store(&rt->draining, true);
	struct timeval now = {0, 0};
	for (size_t i = 0; i < rt->n_workers; i++)
		event_base_once(rt->workers[i].base, -1, EV_TIMEOUT, drain_start, &rt->workers[i], &now);
	uint64_t waited = 0;
	for (;;) {
		unsigned left = 0;
		for (size_t i = 0; i < rt->cfg->n_listeners; i++)
			left += atomic_load(&rt->listeners[i].clients);
		if (left == 0 || waited >= grace_ms)
			break;
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
		waited += 20;
	}
}

struct add_listener {
	struct dw_worker *w;
	size_t index;
	int fd;
};

static void add_listener_now(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct add_listener *a = arg;
	struct dw_worker *w = a->w;
	struct accept_ctx *ctxs = w->accept_ctxs;
	struct accept_ctx *ctx = &ctxs[a->index];
	ctx->w = w;
	ctx->listener_index = a->index;
	if (atomic_load(&w->rt->draining) || atomic_load(&w->rt->stopping) ||
	    !(w->listeners[a->index] = evconnlistener_new(w->base, on_accept, ctx,
		      LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, a->fd)))
		close(a->fd);
	free(a);
}

void dw_worker_add_listener(struct dw_worker *w, size_t index, int fd)
{
	struct add_listener *a = malloc(sizeof *a);
	struct timeval now = {0, 0};
	if (!a || index >= w->rt->listeners_cap) {
		free(a);
		close(fd);
		return;
	}
	*a = (struct add_listener){ .w = w, .index = index, .fd = fd };
	if (event_base_once(w->base, -1, EV_TIMEOUT, add_listener_now, a, &now) != 0) {
		close(fd);
		free(a);
	}
}

static void stop_loop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_worker *w = arg;
	for (size_t i = 0; i < w->n_listeners; i++)
		if (w->listeners[i])
			evconnlistener_disable(w->listeners[i]);
	/* Sessions and pools go while the loop still runs, so libevent's
	 * deferred callbacks and finalizers of their bufferevents run too. */
	struct pg_session *s;
	while ((s = TAILQ_FIRST(&w->sessions)) != NULL)
		pg_session_destroy(s);
	struct my_session *ms;
	while ((ms = TAILQ_FIRST(&w->my_sessions)) != NULL)
		my_session_destroy(ms);
	dw_pool_free_all(w);
	event_del(w->tick);
	if (w->drain) {
		event_free(w->drain);
		w->drain = NULL;
	}
	struct timeval grace = {0, 50000};
	event_base_loopexit(w->base, &grace);
}

void dw_runtime_stop(struct dw_runtime *rt)
{
	atomic_store(&rt->stopping, true);
	struct timeval now = {0, 0};
	for (size_t i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].base)
			event_base_once(rt->workers[i].base, -1, EV_TIMEOUT, stop_loop, &rt->workers[i], &now);
	for (size_t i = 0; i < rt->n_workers; i++)
		if (rt->workers[i].thread)
			pthread_join(rt->workers[i].thread, NULL);
	dw_health_stop(); /* its events are on worker 0's base, freed below */
	for (size_t i = 0; i < rt->n_workers; i++) {
		if (rt->workers[i].wakeup)
			event_free(rt->workers[i].wakeup);
		if (rt->workers[i].base)
			event_base_free(rt->workers[i].base);
	}
	dw_pool_shared_free_all();
	my_rsa_free(rt->rsa);
	rt->rsa = NULL;
	for (size_t i = 0; i < rt->cfg->n_listeners; i++)
		if (rt->listeners && rt->listeners[i].tls)
			SSL_CTX_free(rt->listeners[i].tls);
	free(rt->listeners);
	free(rt->workers);
	rt->listeners = NULL;
	rt->workers = NULL;
	/* Every session is gone: nothing holds a bucket. */
	dw_limits_free(rt->limits);
	dw_lockout_free(rt->lockout);
	rt->limits = NULL;
	rt->lockout = NULL;
	if (rt->cfg) {
		dw_config_unref(rt->cfg);
		rt->cfg = NULL;
		pthread_mutex_destroy(&rt->cfg_mu);
	}
}
