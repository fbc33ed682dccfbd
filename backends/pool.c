#include "backends/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <event2/event.h>

#include "backends/breaker.h"
#include "proxy/log.h"
#include "proxy/worker.h"

const char dw_pool_circuit_open[] = "circuit open";

bool dw_pool_error_is_circuit_open(const char *error)
{
	return error && strcmp(error, dw_pool_circuit_open) == 0;
}

struct dw_pool_retry {
	struct dw_pool *pool;
	struct event *timer;
	uint32_t attempt;   /* the attempt it starts: 2 = the first retry */
	LIST_ENTRY(dw_pool_retry) link;
};

static void on_notify(evutil_socket_t fd, short what, void *arg);

/* Capacity of one (backend, user, database) key across workers. */
struct dw_pool_shared {
	char *key;
	pthread_mutex_t mu;
	uint32_t total;
	uint32_t max;
	uint64_t waiting_mask;  /* workers with clients waiting for capacity */
	uint32_t waiting_pools; /* pools (any worker, any variant) waiting for capacity */
	struct dw_server *handoff; /* idle connections given up for another worker */
	struct dw_pool_shared *next;
};

static pthread_mutex_t shared_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dw_pool_shared *shared_list;

static struct dw_pool_shared *shared_get(const char *key, uint32_t max)
{
	pthread_mutex_lock(&shared_mu);
	struct dw_pool_shared *sh;
	for (sh = shared_list; sh; sh = sh->next)
		if (strcmp(sh->key, key) == 0)
			break;
	if (!sh && (sh = calloc(1, sizeof *sh)) != NULL) {
		sh->key = strdup(key);
		pthread_mutex_init(&sh->mu, NULL);
		sh->next = shared_list;
		shared_list = sh;
	}
	if (sh)
		sh->max = max;
	pthread_mutex_unlock(&shared_mu);
	return sh;
}

static uint64_t worker_bit(const struct dw_worker *w) { return 1ull << (w->id % 64); }

/* Takes one unit of capacity. On failure marks pool P as waiting and returns
 * false; *NEWLY says whether the mark is new (then the other workers are
 * asked to shed idle connections). */
static bool shared_reserve(struct dw_pool *p, bool *newly)
{
	struct dw_pool_shared *sh = p->shared;
	bool ok;
	pthread_mutex_lock(&sh->mu);
	ok = sh->total < sh->max;
	*newly = false;
	if (ok) {
		sh->total++;
	} else if (!p->capacity_wait) {
		p->capacity_wait = true;
		sh->waiting_pools++;
		sh->waiting_mask |= worker_bit(p->worker);
		*newly = true;
	}
	pthread_mutex_unlock(&sh->mu);
	return ok;
}

static void poke_mask(struct dw_worker *self, uint64_t mask)
{
	struct dw_runtime *rt = self->rt;
	for (size_t i = 0; i < rt->n_workers; i++)
		if (&rt->workers[i] != self && (mask & worker_bit(&rt->workers[i])))
			dw_worker_poke(&rt->workers[i]);
}

static void shared_release(struct dw_pool_shared *sh, struct dw_worker *w)
{
	pthread_mutex_lock(&sh->mu);
	sh->total--;
	uint64_t mask = sh->waiting_mask & ~worker_bit(w);
	pthread_mutex_unlock(&sh->mu);
	if (mask)
		poke_mask(w, mask);
}

static void shared_not_waiting(struct dw_pool *p)
{
	struct dw_pool_shared *sh = p->shared;
	pthread_mutex_lock(&sh->mu);
	if (p->capacity_wait) {
		p->capacity_wait = false;
		if (--sh->waiting_pools == 0)
			sh->waiting_mask = 0;
	}
	pthread_mutex_unlock(&sh->mu);
}

/* True when another pool of the same key waits for capacity. */
static bool shared_others_waiting(struct dw_pool *p)
{
	struct dw_pool_shared *sh = p->shared;
	pthread_mutex_lock(&sh->mu);
	bool r = sh->waiting_pools > (p->capacity_wait ? 1u : 0u);
	pthread_mutex_unlock(&sh->mu);
	return r;
}

struct dw_pool *dw_pool_get(struct dw_worker *w, struct dw_config *cfg,
	const struct dw_backend_config *backend, const struct dw_user_config *user,
	const char *database, const struct dw_server_ops *ops, const struct dw_pool_variant *variant)
{
	struct dw_pool_variant v = variant ? *variant : (struct dw_pool_variant){0, 0};
	for (struct dw_pool *p = w->pools; p; p = p->next)
		if (p->cfg == cfg && p->backend == backend && p->user == user &&
		    p->variant.caps == v.caps && p->variant.charset == v.charset &&
		    strcmp(p->database, database) == 0) {
			p->refs++;
			return p;
		}
	struct dw_pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	/* `size` caps the key (backend, user, database) whatever the variants. */
	char key[1024];
	snprintf(key, sizeof key, "%s\x01%s\x01%s", backend->name, user->name, database);
	p->database = strdup(database);
	p->shared = shared_get(key, backend->pool.size);
	p->breaker = dw_breaker_get(backend->name);
	p->notify = event_new(w->base, -1, 0, on_notify, p);
	if (!p->database || !p->shared || !p->breaker || !p->notify) {
		if (p->notify)
			event_free(p->notify);
		free(p->database);
		free(p);
		return NULL;
	}
	p->worker = w;
	p->ops = ops;
	p->variant = v;
	p->refs = 1;
	p->cfg = dw_config_ref(cfg);
	p->backend = backend;
	p->user = user;
	TAILQ_INIT(&p->idle);
	TAILQ_INIT(&p->busy);
	TAILQ_INIT(&p->waiters);
	TAILQ_INIT(&p->failed);
	LIST_INIT(&p->retries);
	p->next = w->pools;
	w->pools = p;
	return p;
}

static void close_server(struct dw_server *s, struct dw_server_list *list)
{
	struct dw_pool *p = s->pool;
	TAILQ_REMOVE(list, s, link);
	s->state = DWS_CLOSED;
	p->n_total--;
	s->ops->free(s);
	shared_release(p->shared, p->worker);
}

/* Gives an idle connection to whichever worker of the key needs it: it leaves
 * this worker's loop and waits in the shared hand-off list, keeping its unit
 * of capacity. Its statements belong to this worker's registry, so they are
 * forgotten here and deallocated on the server by the adopter. */
static void handoff(struct dw_server *s, struct dw_server_list *list)
{
	struct dw_pool *p = s->pool;
	struct dw_pool_shared *sh = p->shared;
	TAILQ_REMOVE(list, s, link);
	p->n_total--;
	s->ops->unbind_loop(s);
	s->ops->leave_worker(s);
	s->pool = NULL;
	s->state = DWS_IDLE;
	pthread_mutex_lock(&sh->mu);
	s->handoff_next = sh->handoff;
	sh->handoff = s;
	uint64_t mask = sh->waiting_mask & ~worker_bit(p->worker);
	pthread_mutex_unlock(&sh->mu);
	poke_mask(p->worker, mask ? mask : ~0ull);
}

/* Takes a connection another worker handed off, onto this worker's loop.
 * One opened for another variant (capabilities, character set) cannot serve
 * this pool: it is closed, which frees its capacity for a new one. */
static struct dw_server *adopt(struct dw_pool *p)
{
	struct dw_pool_shared *sh = p->shared;
	for (;;) {
		pthread_mutex_lock(&sh->mu);
		struct dw_server *s = sh->handoff;
		if (s)
			sh->handoff = s->handoff_next;
		pthread_mutex_unlock(&sh->mu);
		if (!s)
			return NULL;
		s->handoff_next = NULL;
		if (s->variant.caps != p->variant.caps || s->variant.charset != p->variant.charset ||
		    !s->ops->bind_loop(s, p->worker->base)) {
			s->ops->free(s);
			shared_release(sh, p->worker);
			continue;
		}
		s->pool = p;
		p->n_total++;
		TAILQ_INSERT_TAIL(&p->busy, s, link);
		s->state = DWS_ATTACHED;
		return s;
	}
}

/* Frees a connection's capacity for another pool of the key. It is handed
 * off; a pool of another variant that adopts it closes it and opens its own. */
static void give_up(struct dw_server *s, struct dw_server_list *list)
{
	handoff(s, list);
}

/* Closes idle connections of other pools of the same key on this worker
 * (other variants) so that P can have the capacity. Returns true when any
 * was closed. */
static bool shed_local(struct dw_pool *p)
{
	bool any = false;
	for (struct dw_pool *o = p->worker->pools; o; o = o->next) {
		if (o == p || o->shared != p->shared || o->n_waiters)
			continue;
		struct dw_server *s;
		while ((s = TAILQ_FIRST(&o->idle)) != NULL) {
			close_server(s, &o->idle);
			any = true;
		}
	}
	return any;
}

/* Tells the failed waiters, from the loop. A client's callback may queue a
 * new request that fails at once; those wait for the next round, so one
 * client's pipelined requests never recurse into each other. */
static void on_notify(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_pool *p = arg;
	size_t n = 0;
	struct dw_pool_waiter *w;
	TAILQ_FOREACH(w, &p->failed, link)
		n++;
	while (n-- && (w = TAILQ_FIRST(&p->failed)) != NULL) {
		TAILQ_REMOVE(&p->failed, w, link);
		w->queued = false;
		w->failed = false;
		w->cb(w, NULL, w->error);
	}
	if (!TAILQ_EMPTY(&p->failed))
		event_active(p->notify, EV_TIMEOUT, 0);
}

/* More waiters than attempts in flight (or retries pending): the extra ones,
 * oldest first, fail with last_error. */
static void fail_excess(struct dw_pool *p)
{
	bool any = false;
	while (p->n_waiters > p->n_connecting) {
		struct dw_pool_waiter *w = TAILQ_FIRST(&p->waiters);
		TAILQ_REMOVE(&p->waiters, w, link);
		if (--p->n_waiters == 0)
			shared_not_waiting(p);
		w->failed = true;
		snprintf(w->error, sizeof w->error, "%s", p->last_error);
		TAILQ_INSERT_TAIL(&p->failed, w, link);
		any = true;
	}
	if (any)
		event_active(p->notify, EV_TIMEOUT, 0);
}

static void hand_to_waiter(struct dw_pool *p, struct dw_server *s);
static bool start_attempt(struct dw_pool *p, uint32_t attempt);

/* A unit of capacity taken for an attempt that is over. */
static void slot_free(struct dw_pool *p)
{
	p->n_connecting--;
	p->n_total--;
	shared_release(p->shared, p->worker);
}

static void breaker_rules(const struct dw_pool *p, struct dw_breaker_rules *r)
{
	dw_breaker_rules_of(p->backend, r);
}

static void retry_fire(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_pool_retry *r = arg;
	struct dw_pool *p = r->pool;
	uint32_t attempt = r->attempt;
	LIST_REMOVE(r, link);
	event_free(r->timer);
	free(r);
	/* Every waiter it was for gave up or got a connection meanwhile. */
	if (p->n_waiters < p->n_connecting) {
		slot_free(p);
		return;
	}
	start_attempt(p, attempt);
}

static bool schedule_retry(struct dw_pool *p, uint32_t attempt, uint64_t delay_ms)
{
	struct dw_pool_retry *r = calloc(1, sizeof *r);
	if (!r)
		return false;
	r->timer = evtimer_new(p->worker->base, retry_fire, r);
	if (!r->timer) {
		free(r);
		return false;
	}
	/* dw_timer_arm would take 0 ms for "never". */
	struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)((delay_ms % 1000) * 1000)};
	if (evtimer_add(r->timer, &tv) != 0) {
		event_free(r->timer);
		free(r);
		return false;
	}
	r->pool = p;
	r->attempt = attempt;
	LIST_INSERT_HEAD(&p->retries, r, link);
	return true;
}

/* Attempt number ATTEMPT failed (its slot still held): retry it later when
 * the server was out of reach, a client still waits and the circuit allows,
 * else give the slot back and fail the waiters nothing else serves. */
static void attempt_failed(struct dw_pool *p, uint32_t attempt, struct dw_breaker_ticket ticket,
	const char *error, enum dw_connect_failure kind)
{
	const struct dw_backend_config *b = p->backend;
	char why[sizeof p->last_error];
	snprintf(why, sizeof why, "%s", error); /* ERROR may be last_error itself */
	struct dw_breaker_rules rules;
	breaker_rules(p, &rules);
	dw_breaker_report(p->breaker, &rules, dw_now_us(), ticket, kind != DW_CONNECT_NETWORK);
	bool open = dw_breaker_state(p->breaker) == DW_BREAKER_OPEN;
	uint32_t attempts = b->retry_attempts ? b->retry_attempts : 1;
	if (kind == DW_CONNECT_NETWORK && attempt < attempts && !open &&
	    p->n_waiters >= p->n_connecting) {
		uint64_t delay = dw_backoff_delay_ms(attempt, b->retry_base_delay_ms,
			b->retry_max_delay_ms, dw_backoff_random());
		if (schedule_retry(p, attempt + 1, delay)) {
			dw_warn("backend %s: %s; retry %u of %u in %llu ms", b->name, why, attempt,
				attempts - 1, (unsigned long long)delay);
			return;
		}
	}
	dw_warn("backend %s: %s", b->name, why);
	/* A server that answered keeps its answer (an unknown database is the
	 * client's), whatever the circuit did meanwhile. */
	bool refused = open && kind == DW_CONNECT_NETWORK;
	snprintf(p->last_error, sizeof p->last_error, "%s", refused ? dw_pool_circuit_open : why);
	slot_free(p);
	fail_excess(p);
}

/* Starts attempt ATTEMPT (1 = the first) of a server connection in a slot
 * already counted in n_connecting and n_total, its capacity reserved.
 * Returns false when no connection is under way for it (refused by the
 * circuit, failed at once: the slot is then given back or waits for its
 * retry). */
static bool start_attempt(struct dw_pool *p, uint32_t attempt)
{
	struct dw_breaker_rules rules;
	breaker_rules(p, &rules);
	struct dw_breaker_ticket ticket;
	if (!dw_breaker_admit(p->breaker, &rules, dw_now_us(), &ticket)) {
		snprintf(p->last_error, sizeof p->last_error, "%s", dw_pool_circuit_open);
		slot_free(p);
		fail_excess(p);
		return false;
	}
	struct dw_server *s = p->ops->connect(p);
	if (!s) {
		/* Could not even start (no route, no socket, nothing listening on a
		 * unix socket): the server is out of reach. */
		attempt_failed(p, attempt, ticket, p->last_error, DW_CONNECT_NETWORK);
		return false;
	}
	s->variant = p->variant;
	s->attempt = attempt;
	s->ticket = ticket;
	TAILQ_INSERT_TAIL(&p->busy, s, link);
	return true;
}

/* Opens connections while capacity allows, until WANT are in flight. */
static void grow_to(struct dw_pool *p, uint32_t want)
{
	while (p->n_connecting < want) {
		bool newly;
		if (!shared_reserve(p, &newly) && !(shed_local(p) && shared_reserve(p, &newly))) {
			if (newly)
				poke_mask(p->worker, ~0ull);
			return;
		}
		p->n_connecting++;
		p->n_total++;
		if (!start_attempt(p, 1))
			return;
	}
}

/* Serves waiting clients: connections handed off by other workers first,
 * then new ones while capacity allows. */
static void grow(struct dw_pool *p)
{
	struct dw_server *s;
	while (p->n_waiters > p->n_connecting && (s = adopt(p)) != NULL)
		hand_to_waiter(p, s);
	grow_to(p, p->n_waiters);
}

static void hand_to_waiter(struct dw_pool *p, struct dw_server *s)
{
	struct dw_pool_waiter *w = TAILQ_FIRST(&p->waiters);
	TAILQ_REMOVE(&p->waiters, w, link);
	w->queued = false;
	if (--p->n_waiters == 0)
		shared_not_waiting(p);
	s->state = DWS_ATTACHED;
	s->uses++;
	w->cb(w, s, NULL);
}

static bool expired(const struct dw_pool *p, const struct dw_server *s, uint64_t now)
{
	const struct dw_pool_config *pc = &p->backend->pool;
	if (pc->max_lifetime_ms && now - s->created_us >= pc->max_lifetime_ms * 1000u)
		return true;
	return pc->max_uses && s->uses >= pc->max_uses;
}

void dw_pool_checkout(struct dw_pool *p, struct dw_pool_waiter *w)
{
	uint64_t now = dw_now_us();
	struct dw_server *s;
	while ((s = TAILQ_FIRST(&p->idle)) != NULL) {
		if (expired(p, s, now)) {
			close_server(s, &p->idle);
			continue;
		}
		TAILQ_REMOVE(&p->idle, s, link);
		TAILQ_INSERT_TAIL(&p->busy, s, link);
		s->state = DWS_ATTACHED;
		s->uses++;
		w->queued = false;
		w->cb(w, s, NULL);
		return;
	}
	w->queued = true;
	TAILQ_INSERT_TAIL(&p->waiters, w, link);
	p->n_waiters++;
	grow(p);
}

void dw_pool_cancel_wait(struct dw_pool *p, struct dw_pool_waiter *w)
{
	if (!w->queued)
		return;
	w->queued = false;
	if (w->failed) {
		/* Already out of the count; its error is not told. */
		TAILQ_REMOVE(&p->failed, w, link);
		w->failed = false;
		return;
	}
	TAILQ_REMOVE(&p->waiters, w, link);
	if (--p->n_waiters == 0)
		shared_not_waiting(p);
}

static void idle_read(struct bufferevent *bev, void *arg)
{
	/* An idle server only speaks to say it is going away (FATAL, shutdown). */
	struct dw_server *s = arg;
	(void)bev;
	dw_info("backend %s: idle server connection closed by the server", s->pool->backend->name);
	close_server(s, &s->pool->idle);
}

static void idle_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	struct dw_server *s = arg;
	close_server(s, &s->pool->idle);
}

void dw_pool_release(struct dw_server *s, bool reusable)
{
	struct dw_pool *p = s->pool;
	if (!reusable || s->broken || expired(p, s, dw_now_us())) {
		close_server(s, &p->busy);
		grow(p);
		return;
	}
	if (p->n_waiters) {
		hand_to_waiter(p, s);
		return;
	}
	if (shared_others_waiting(p)) {
		/* Another pool of the key needs the capacity more. */
		give_up(s, &p->busy);
		return;
	}
	TAILQ_REMOVE(&p->busy, s, link);
	TAILQ_INSERT_HEAD(&p->idle, s, link);
	s->state = DWS_IDLE;
	s->idle_since_us = dw_now_us();
	bufferevent_setcb(s->bev, idle_read, NULL, idle_event, s);
	dw_reader_set(&s->rd, s->bev, true);
}

void dw_pool_server_ready(struct dw_server *s)
{
	struct dw_pool *p = s->pool;
	struct dw_breaker_rules rules;
	breaker_rules(p, &rules);
	dw_breaker_report(p->breaker, &rules, dw_now_us(), s->ticket, true);
	p->n_connecting--;
	TAILQ_REMOVE(&p->busy, s, link);
	TAILQ_INSERT_TAIL(&p->busy, s, link);
	if (p->n_waiters) {
		hand_to_waiter(p, s);
		return;
	}
	s->state = DWS_ATTACHED;
	dw_pool_release(s, true);
}

void dw_pool_server_failed(struct dw_server *s, const char *error, enum dw_connect_failure kind)
{
	struct dw_pool *p = s->pool;
	char why[sizeof p->last_error];
	snprintf(why, sizeof why, "%s", error);
	uint32_t attempt = s->attempt;
	struct dw_breaker_ticket ticket = s->ticket;
	/* The connection goes; its slot (capacity, count) stays with the attempt
	 * until attempt_failed decides. */
	TAILQ_REMOVE(&p->busy, s, link);
	s->state = DWS_CLOSED;
	s->ops->free(s);
	attempt_failed(p, attempt, ticket, why, kind);
}

void dw_pool_counts(const struct dw_pool *p, struct dw_pool_counts *out)
{
	const struct dw_server *s;
	memset(out, 0, sizeof *out);
	TAILQ_FOREACH(s, &p->idle, link)
		out->idle++;
	TAILQ_FOREACH(s, &p->busy, link)
		if (s->state == DWS_ATTACHED || s->state == DWS_RESETTING)
			out->active++;
	out->connecting = p->n_connecting;
	out->waiting = p->n_waiters;
}

void dw_pool_put(struct dw_pool *p)
{
	p->refs--;
}

static void pool_free(struct dw_pool *p)
{
	struct dw_pool_retry *r;
	while ((r = LIST_FIRST(&p->retries)) != NULL) {
		LIST_REMOVE(r, link);
		event_free(r->timer);
		free(r);
		slot_free(p);
	}
	event_free(p->notify);
	dw_config_unref(p->cfg);
	free(p->database);
	free(p);
}

/* A pool no session uses and that holds no connection goes away, so that
 * logins to many databases do not accumulate pools. */
static void drop_unused_pools(struct dw_worker *w)
{
	for (struct dw_pool **pp = &w->pools; *pp;) {
		struct dw_pool *p = *pp;
		if (p->refs == 0 && p->n_total == 0 && p->n_waiters == 0 && TAILQ_EMPTY(&p->failed)) {
			*pp = p->next;
			pool_free(p);
		} else {
			pp = &p->next;
		}
	}
}

void dw_pool_maintain(struct dw_worker *w)
{
	uint64_t now = dw_now_us();
	drop_unused_pools(w);
	for (struct dw_pool *p = w->pools; p; p = p->next) {
		const struct dw_pool_config *pc = &p->backend->pool;
		uint32_t n_idle = 0;
		struct dw_server *s, *next;
		for (s = TAILQ_FIRST(&p->idle); s; s = next) {
			next = TAILQ_NEXT(s, link);
			n_idle++;
			bool idle_long = pc->idle_timeout_ms && n_idle > pc->min_idle &&
				now - s->idle_since_us >= pc->idle_timeout_ms * 1000u;
			bool shed = p->n_waiters == 0 && shared_others_waiting(p);
			if (expired(p, s, now) || idle_long) {
				close_server(s, &p->idle);
				n_idle--;
			} else if (shed) {
				give_up(s, &p->idle);
				n_idle--;
			}
		}
		if (p->n_waiters) {
			grow(p);
		} else if (!shared_others_waiting(p)) {
			/* Hand-offs nobody took (their waiter gave up) become idle here. */
			while ((s = adopt(p)) != NULL)
				dw_pool_release(s, true);
		}
		else if (n_idle + p->n_connecting < pc->min_idle && p->n_total < pc->size)
			grow_to(p, pc->min_idle - n_idle);
	}
}

void dw_pool_shared_free_all(void)
{
	pthread_mutex_lock(&shared_mu);
	struct dw_pool_shared *sh = shared_list;
	shared_list = NULL;
	pthread_mutex_unlock(&shared_mu);
	while (sh) {
		struct dw_pool_shared *next = sh->next;
		while (sh->handoff) {
			struct dw_server *s = sh->handoff;
			sh->handoff = s->handoff_next;
			s->ops->free(s);
		}
		pthread_mutex_destroy(&sh->mu);
		free(sh->key);
		free(sh);
		sh = next;
	}
	dw_breaker_free_all();
}

void dw_pool_free_all(struct dw_worker *w)
{
	struct dw_pool *p = w->pools;
	while (p) {
		struct dw_server *s;
		while ((s = TAILQ_FIRST(&p->idle)) != NULL)
			close_server(s, &p->idle);
		while ((s = TAILQ_FIRST(&p->busy)) != NULL)
			close_server(s, &p->busy);
		struct dw_pool *next = p->next;
		pool_free(p);
		p = next;
	}
	w->pools = NULL;
}
