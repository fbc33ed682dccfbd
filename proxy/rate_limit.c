/* See rate_limit.h. */
#include "proxy/rate_limit.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "policy/policy_match.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/stmt_audit.h"
#include "proxy/stmt_guard.h"

#define NS_PER_SEC 1000000000ull
#define NS_PER_MS 1000000ull
/* A statement held for a free slot of max_concurrent_queries looks again
 * this often: slots are given back on other workers, which cannot wake it. */
#define SLOT_POLL_NS (5 * NS_PER_MS)
/* When the table is full, looking through every unused bucket for ones to
 * forget happens at most this often. */
#define FULL_SWEEP_EVERY_NS (100 * NS_PER_MS)
/* Buckets looked at by one dw_limits_maintain. */
#define MAINTAIN_BATCH 4096u
#define DIGEST_LEN 32

uint64_t dw_limit_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- the arithmetic of one rate ---- */

void dw_gcra_init(struct dw_gcra *g, uint32_t per_second, uint32_t burst)
{
	if (per_second == 0) {
		g->interval_ns = 0;
		g->tolerance_ns = 0;
		return;
	}
	g->interval_ns = NS_PER_SEC / per_second;
	g->tolerance_ns = (uint64_t)(burst ? burst - 1 : 0) * g->interval_ns;
}

/* The bucket is a time: when it would be full again if nothing more were
 * taken. A token is there when that time is at most tolerance ahead of the
 * clock; taking one moves it an interval further. */
uint64_t dw_gcra_take(const struct dw_gcra *g, _Atomic uint64_t *tat, uint64_t now,
	uint64_t max_wait)
{
	if (g->interval_ns == 0)
		return 0;
	uint64_t old = atomic_load_explicit(tat, memory_order_relaxed);
	for (;;) {
		uint64_t from = old > now ? old : now;
		uint64_t ahead = from - now;
		uint64_t wait = ahead > g->tolerance_ns ? ahead - g->tolerance_ns : 0;
		if (wait > max_wait)
			return DW_GCRA_REFUSED;
		if (atomic_compare_exchange_weak_explicit(tat, &old, from + g->interval_ns,
			    memory_order_relaxed, memory_order_relaxed))
			return wait;
	}
}

bool dw_gcra_full(_Atomic uint64_t *tat, uint64_t now)
{
	return atomic_load_explicit(tat, memory_order_relaxed) <= now;
}

/* ---- the buckets of a process ---- */

struct dw_limit_bucket {
	/* Used by the sessions holding a reference, from any worker. */
	_Atomic uint64_t query_tat;
	_Atomic uint64_t conn_tat;
	_Atomic uint32_t inflight;
	/* The rest belongs to the table's lock. */
	uint32_t refs;
	bool overflow;
	bool idle;
	uint8_t digest[DIGEST_LEN];
	struct dw_limit_bucket *next;            /* hash chain */
	TAILQ_ENTRY(dw_limit_bucket) idle_link;  /* unused, oldest first */
};

TAILQ_HEAD(dw_bucket_list, dw_limit_bucket);

struct dw_limits {
	pthread_mutex_t lock;
	struct dw_limit_bucket **chains;
	size_t mask;
	size_t count, cap;
	struct dw_bucket_list idle;
	uint64_t last_full_sweep;
	uint64_t last_full_warning;
	/* Keys are client-chosen text (user names, databases): hashed with a
	 * secret so that nobody can line them up in one chain. */
	uint8_t salt[16];
};

struct dw_limits *dw_limits_new(size_t cap)
{
	struct dw_limits *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	size_t n = 16;
	while (n < cap && n < ((size_t)1 << 24))
		n <<= 1;
	t->chains = calloc(n, sizeof *t->chains);
	if (!t->chains || pthread_mutex_init(&t->lock, NULL) != 0) {
		free(t->chains);
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	t->cap = cap ? cap : 1;
	TAILQ_INIT(&t->idle);
	if (getrandom(t->salt, sizeof t->salt, 0) != (ssize_t)sizeof t->salt) {
		uint64_t x = dw_limit_now_ns() ^ (uint64_t)(uintptr_t)t;
		memcpy(t->salt, &x, sizeof x);
	}
	return t;
}

void dw_limits_free(struct dw_limits *t)
{
	if (!t)
		return;
	for (size_t i = 0; i <= t->mask; i++) {
		struct dw_limit_bucket *b = t->chains[i], *next;
		for (; b; b = next) {
			next = b->next;
			free(b);
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t->chains);
	free(t);
}

/* The bucket's identity: the entry's generation and the key, or the
 * entry's overflow bucket (KEY NULL). */
static bool key_digest(const struct dw_limits *t, uint64_t generation, const char *key, size_t len,
	uint8_t out[DIGEST_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t tag = key ? 1 : 0;
	unsigned n = 0;
	bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		EVP_DigestUpdate(c, t->salt, sizeof t->salt) == 1 &&
		EVP_DigestUpdate(c, &generation, sizeof generation) == 1 &&
		EVP_DigestUpdate(c, &tag, 1) == 1 &&
		(!key || EVP_DigestUpdate(c, key, len) == 1) &&
		EVP_DigestFinal_ex(c, out, &n) == 1 && n == DIGEST_LEN;
	EVP_MD_CTX_free(c);
	return ok;
}

static size_t chain_of(const struct dw_limits *t, const uint8_t *digest)
{
	uint64_t h;
	memcpy(&h, digest, sizeof h);
	return (size_t)h & t->mask;
}

static struct dw_limit_bucket *find(struct dw_limits *t, const uint8_t *digest)
{
	for (struct dw_limit_bucket *b = t->chains[chain_of(t, digest)]; b; b = b->next)
		if (memcmp(b->digest, digest, DIGEST_LEN) == 0)
			return b;
	return NULL;
}

/* Nothing in it that a fresh bucket would not say. */
static bool forgettable(struct dw_limit_bucket *b, uint64_t now)
{
	return dw_gcra_full(&b->query_tat, now) && dw_gcra_full(&b->conn_tat, now) &&
		atomic_load_explicit(&b->inflight, memory_order_relaxed) == 0;
}

static void forget(struct dw_limits *t, struct dw_limit_bucket *b)
{
	struct dw_limit_bucket **p = &t->chains[chain_of(t, b->digest)];
	while (*p != b)
		p = &(*p)->next;
	*p = b->next;
	if (b->idle)
		TAILQ_REMOVE(&t->idle, b, idle_link);
	t->count--;
	free(b);
}

/* Forgets unused buckets that are full again, looking at up to LIMIT. */
static void sweep(struct dw_limits *t, uint64_t now, size_t limit)
{
	struct dw_limit_bucket *b = TAILQ_FIRST(&t->idle), *next;
	for (size_t seen = 0; b && seen < limit; b = next, seen++) {
		next = TAILQ_NEXT(b, idle_link);
		if (forgettable(b, now))
			forget(t, b);
	}
}

static struct dw_limit_bucket *insert(struct dw_limits *t, const uint8_t *digest, bool overflow)
{
	struct dw_limit_bucket *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	memcpy(b->digest, digest, DIGEST_LEN);
	b->overflow = overflow;
	size_t c = chain_of(t, digest);
	b->next = t->chains[c];
	t->chains[c] = b;
	t->count++;
	return b;
}

struct dw_limit_bucket *dw_limits_acquire(struct dw_limits *t, uint64_t generation,
	const char *key, size_t len, uint64_t now)
{
	uint8_t digest[DIGEST_LEN];
	if (!key_digest(t, generation, key ? key : "", len, digest))
		return NULL;
	pthread_mutex_lock(&t->lock);
	struct dw_limit_bucket *b = find(t, digest);
	bool overflow = false;
	if (!b && t->count >= t->cap && now - t->last_full_sweep >= FULL_SWEEP_EVERY_NS) {
		t->last_full_sweep = now;
		sweep(t, now, SIZE_MAX);
	}
	if (!b && t->count >= t->cap) {
		/* Full of keys still counting: new keys share the overflow bucket
		 * (which alone may go past the cap, one per entry). */
		overflow = true;
		if (now - t->last_full_warning >= 60 * NS_PER_SEC || !t->last_full_warning) {
			t->last_full_warning = now ? now : 1;
			dw_warn("rate limits: %zu buckets in use; new keys share one bucket per entry "
				"until some are free again", t->count);
		}
		if (!key_digest(t, generation, NULL, 0, digest)) {
			pthread_mutex_unlock(&t->lock);
			return NULL;
		}
		b = find(t, digest);
	}
	if (!b)
		b = insert(t, digest, overflow);
	if (b) {
		if (b->idle) {
			TAILQ_REMOVE(&t->idle, b, idle_link);
			b->idle = false;
		}
		b->refs++;
	}
	pthread_mutex_unlock(&t->lock);
	return b;
}

void dw_limits_release(struct dw_limits *t, struct dw_limit_bucket *b, uint64_t now)
{
	if (!b)
		return;
	pthread_mutex_lock(&t->lock);
	if (--b->refs == 0) {
		if (forgettable(b, now)) {
			forget(t, b);
		} else {
			b->idle = true;
			TAILQ_INSERT_TAIL(&t->idle, b, idle_link);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

size_t dw_limits_maintain(struct dw_limits *t, uint64_t now)
{
	pthread_mutex_lock(&t->lock);
	sweep(t, now, MAINTAIN_BATCH);
	size_t left = t->count;
	pthread_mutex_unlock(&t->lock);
	return left;
}

size_t dw_limits_count(struct dw_limits *t)
{
	pthread_mutex_lock(&t->lock);
	size_t n = t->count;
	pthread_mutex_unlock(&t->lock);
	return n;
}

bool dw_limit_bucket_overflow(const struct dw_limit_bucket *b)
{
	return b->overflow;
}

uint64_t dw_limit_take_query(struct dw_limit_bucket *b, const struct dw_gcra *g, uint64_t now,
	uint64_t max_wait)
{
	return dw_gcra_take(g, &b->query_tat, now, max_wait);
}

uint64_t dw_limit_take_connection(struct dw_limit_bucket *b, const struct dw_gcra *g,
	uint64_t now)
{
	return dw_gcra_take(g, &b->conn_tat, now, 0);
}

bool dw_limit_take_slot(struct dw_limit_bucket *b, uint32_t max)
{
	uint32_t n = atomic_load_explicit(&b->inflight, memory_order_relaxed);
	do {
		if (n >= max)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&b->inflight, &n, n + 1,
		memory_order_relaxed, memory_order_relaxed));
	return true;
}

void dw_limit_give_slot(struct dw_limit_bucket *b)
{
	atomic_fetch_sub_explicit(&b->inflight, 1, memory_order_relaxed);
}

/* ---- a session's limits ---- */

void dw_limit_session_init(struct dw_limit_session *ls, struct dw_limits *t,
	struct event_base *base, void (*resume)(void *arg), void *arg)
{
	ls->table = t;
	ls->base = base;
	ls->resume = resume;
	ls->resume_arg = arg;
}

static const char *key_name(enum dw_rate_key key)
{
	switch (key) {
	case DW_RATE_KEY_USER:
		return "user";
	case DW_RATE_KEY_CLIENT_IP:
		return "client";
	case DW_RATE_KEY_DATABASE:
		return "database";
	case DW_RATE_KEY_GLOBAL:
		break;
	}
	return "all sessions";
}

static const char *key_of(const struct dw_rate_limit_config *r, const struct dw_session_info *who)
{
	const char *k = NULL;
	switch (r->key) {
	case DW_RATE_KEY_USER:
		k = who->user;
		break;
	case DW_RATE_KEY_CLIENT_IP:
		k = who->ip;
		break;
	case DW_RATE_KEY_DATABASE:
		k = who->database;
		break;
	case DW_RATE_KEY_GLOBAL:
		break;
	}
	return k ? k : "";
}

/* "user \"app\"": printable characters only, cut short; the name comes
 * from the client. */
static void describe_key(struct dw_limit_session *ls, const char *key)
{
	char clean[64];
	size_t n = 0;
	for (; key[n] && n + 1 < sizeof clean; n++)
		clean[n] = key[n] >= 0x20 && key[n] < 0x7f && key[n] != '"' ? key[n] : '?';
	clean[n] = '\0';
	switch (ls->rule->key) {
	case DW_RATE_KEY_GLOBAL:
		snprintf(ls->key_text, sizeof ls->key_text, "all sessions of rate_limits[%zu]",
			ls->rule_index);
		break;
	case DW_RATE_KEY_CLIENT_IP:
		snprintf(ls->key_text, sizeof ls->key_text, "client %s%s", clean, key[n] ? "..." : "");
		break;
	default:
		snprintf(ls->key_text, sizeof ls->key_text, "%s \"%s%s\"", key_name(ls->rule->key),
			clean, key[n] ? "..." : "");
		break;
	}
}

static void release_slots(struct dw_limit_session *ls)
{
	if (ls->head_slot && ls->bucket)
		dw_limit_give_slot(ls->bucket);
	ls->head_slot = false;
	for (; ls->slots; ls->slots--)
		if (ls->bucket)
			dw_limit_give_slot(ls->bucket);
}

static void stop_waiting(struct dw_limit_session *ls)
{
	if (ls->timer)
		evtimer_del(ls->timer);
	ls->waiting = false;
	ls->head = DW_LIMIT_HEAD_NONE;
	ls->head_since = 0;
}

static void unbind(struct dw_limit_session *ls)
{
	stop_waiting(ls);
	release_slots(ls);
	if (ls->bucket)
		dw_limits_release(ls->table, ls->bucket, dw_limit_now_ns());
	ls->bucket = NULL;
	ls->rule = NULL;
	ls->statements = false;
}

/* Puts the session under entry INDEX of CFG, in the bucket of WHO. */
static void bind_entry(struct dw_limit_session *ls, const struct dw_config *cfg, size_t index,
	const struct dw_session_info *who)
{
	const struct dw_rate_limit_config *r = &cfg->rate_limits[index];
	const char *key = key_of(r, who);
	unbind(ls);
	ls->rule = r;
	ls->rule_index = index;
	if (!ls->table || (!r->queries_per_second && !r->max_concurrent_queries &&
			   !r->connections_per_second))
		return; /* an exemption: nothing to count */
	ls->bucket = dw_limits_acquire(ls->table, r->generation, key, strlen(key), dw_limit_now_ns());
	if (!ls->bucket) {
		dw_warn("session %" PRIu64 ": out of memory: rate limits not applied", who->id);
		return;
	}
	dw_gcra_init(&ls->queries, r->queries_per_second, r->burst);
	dw_gcra_init(&ls->connections, r->connections_per_second, r->connections_per_second);
	ls->statements = r->queries_per_second > 0 || r->max_concurrent_queries > 0;
	describe_key(ls, key);
}

/* Refusals can come by the thousand: one log line per second and worker. */
static _Thread_local uint64_t last_logged;
static _Thread_local unsigned unlogged;

static void log_refusal(const struct dw_session_info *who, const char *what, const char *reason,
	const char *ref)
{
	uint64_t now = dw_limit_now_ns();
	if (last_logged && now - last_logged < NS_PER_SEC) {
		unlogged++;
		return;
	}
	dw_warn("session %" PRIu64 " user %s client %s: %s: %s (ref %s)%s", who->id,
		who->user ? who->user : "-", who->ip, what, reason, ref,
		unlogged ? " (more refusals in the last second not logged)" : "");
	last_logged = now;
	unlogged = 0;
}

/* Writes the record, the log line and the client message of a refusal by
 * limit LIMIT of the session's entry. */
static enum dw_limit_verdict refuse(struct dw_limit_session *ls, const struct dw_session_info *who,
	struct dw_guard *g, const char *limit, const char *what, const char *reason, char *msg,
	size_t cap)
{
	char ref[48], rule[64];
	dw_guard_ref(g, who->id, ref, sizeof ref);
	snprintf(rule, sizeof rule, "rate_limits[%zu].%s", ls->rule_index, limit);
	dw_audit_decision(who, "security", "rate_limited", "blocked", "warning", rule, reason, ref);
	dw_metrics_rate_limited(limit);
	log_refusal(who, what, reason, ref);
	snprintf(msg, cap, "dbward: %s: %s (ref %s)", what, reason, ref);
	return DW_LIMIT_REFUSE;
}

static enum dw_limit_verdict count_connection(struct dw_limit_session *ls,
	const struct dw_session_info *who, struct dw_guard *g, char *msg, size_t cap)
{
	ls->connection_counted = true;
	if (!ls->bucket || !ls->connections.interval_ns)
		return DW_LIMIT_GO;
	if (dw_limit_take_connection(ls->bucket, &ls->connections, dw_limit_now_ns()) == 0)
		return DW_LIMIT_GO;
	char reason[192];
	snprintf(reason, sizeof reason, "more than %" PRIu32 " new connections per second for %s",
		ls->rule->connections_per_second, ls->key_text);
	return refuse(ls, who, g, "connections_per_second", "too many connections", reason, msg, cap);
}

/* The entry that applies to a session whose user and database are not
 * known yet, when that is decided already: the first entry its listener
 * and address fit, unless an entry before it might fit too once user or
 * database are known. */
static bool entry_at_accept(const struct dw_config *cfg, const struct dw_session_info *who,
	size_t *index)
{
	for (size_t i = 0; i < cfg->n_rate_limits; i++) {
		const struct dw_match_config *m = &cfg->rate_limits[i].match;
		if (m->listener && (!who->listener || strcmp(m->listener, who->listener) != 0))
			continue;
		if (m->client.text && !dw_cidr_contains(&m->client, who->client))
			continue;
		if (m->user || m->database)
			return false;
		*index = i;
		return true;
	}
	return false;
}

enum dw_limit_verdict dw_limit_accept(struct dw_limit_session *ls, const struct dw_config *cfg,
	const struct dw_session_info *who, struct dw_guard *g, char *msg, size_t cap)
{
	size_t i;
	if (!entry_at_accept(cfg, who, &i))
		return DW_LIMIT_GO;
	const struct dw_rate_limit_config *r = &cfg->rate_limits[i];
	if (!r->connections_per_second ||
	    (r->key != DW_RATE_KEY_CLIENT_IP && r->key != DW_RATE_KEY_GLOBAL))
		return DW_LIMIT_GO;
	bind_entry(ls, cfg, i, who);
	return count_connection(ls, who, g, msg, cap);
}

enum dw_limit_verdict dw_limit_login(struct dw_limit_session *ls, const struct dw_config *cfg,
	const struct dw_session_info *who, struct dw_guard *g, char *msg, size_t cap)
{
	struct dw_policy_subject subject = {
		.user = who->user,
		.database = who->database,
		.listener = who->listener,
		.client = who->client,
	};
	size_t i = 0;
	while (i < cfg->n_rate_limits && !dw_match_fits(&cfg->rate_limits[i].match, &subject))
		i++;
	if (i == cfg->n_rate_limits) {
		unbind(ls);
		ls->connection_counted = true;
		return DW_LIMIT_GO;
	}
	/* The entry chosen at accept keeps its bucket (address and "all" do
	 * not change); by user or database, a new login (COM_CHANGE_USER) may
	 * need another. */
	const struct dw_rate_limit_config *r = &cfg->rate_limits[i];
	if (ls->rule != r || !ls->bucket ||
	    (r->key != DW_RATE_KEY_CLIENT_IP && r->key != DW_RATE_KEY_GLOBAL))
		bind_entry(ls, cfg, i, who);
	if (ls->connection_counted)
		return DW_LIMIT_GO;
	return count_connection(ls, who, g, msg, cap);
}

static void timer_fired(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dw_limit_session *ls = arg;
	ls->waiting = false;
	ls->resume(ls->resume_arg);
}

/* Holds the head for NS nanoseconds. False when no timer can be had. */
static bool hold(struct dw_limit_session *ls, uint64_t ns)
{
	if (!ls->timer && ls->base && ls->resume)
		ls->timer = evtimer_new(ls->base, timer_fired, ls);
	if (!ls->timer)
		return false;
	uint64_t us = (ns + 999) / 1000;
	struct timeval tv = {(time_t)(us / 1000000), (suseconds_t)(us % 1000000)};
	if (evtimer_add(ls->timer, &tv) != 0)
		return false;
	ls->waiting = true;
	return true;
}

static uint64_t delay_left(const struct dw_limit_session *ls, uint64_t now)
{
	if (ls->rule->action != DW_RATE_DELAY)
		return 0;
	uint64_t budget = ls->rule->max_delay_ms * NS_PER_MS, spent = now - ls->head_since;
	return spent < budget ? budget - spent : 0;
}

static double held_ms(const struct dw_limit_session *ls, uint64_t now)
{
	return (double)(now - ls->head_since) / (double)NS_PER_MS;
}

enum dw_limit_verdict dw_limit_admit(struct dw_limit_session *ls, const struct dw_session_info *who,
	struct dw_guard *g, char *msg, size_t cap)
{
	if (ls->waiting)
		return DW_LIMIT_WAIT;
	if (!ls->statements || ls->head == DW_LIMIT_HEAD_ADMITTED)
		return DW_LIMIT_GO;
	const struct dw_rate_limit_config *r = ls->rule;
	uint64_t now = dw_limit_now_ns();
	char reason[192];
	if (!ls->head_since)
		ls->head_since = now;
	if (ls->head == DW_LIMIT_HEAD_NONE) {
		uint64_t wait = dw_limit_take_query(ls->bucket, &ls->queries, now, delay_left(ls, now));
		if (wait == DW_GCRA_REFUSED) {
			snprintf(reason, sizeof reason, "more than %" PRIu32 " statements per second "
				"(burst %" PRIu32 ") for %s", r->queries_per_second, r->burst, ls->key_text);
			ls->head_since = 0;
			return refuse(ls, who, g, "queries_per_second", "rate limit exceeded", reason, msg,
				cap);
		}
		ls->head = DW_LIMIT_HEAD_TOKEN;
		if (wait && hold(ls, wait))
			return DW_LIMIT_WAIT;
	}
	if (r->max_concurrent_queries) {
		if (!dw_limit_take_slot(ls->bucket, r->max_concurrent_queries)) {
			uint64_t left = delay_left(ls, now);
			if (left && hold(ls, left < SLOT_POLL_NS ? left : SLOT_POLL_NS))
				return DW_LIMIT_WAIT;
			snprintf(reason, sizeof reason, "more than %" PRIu32 " statements in flight for %s",
				r->max_concurrent_queries, ls->key_text);
			if (r->action == DW_RATE_DELAY)
				snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
					" (held %.0f ms)", held_ms(ls, now));
			ls->head = DW_LIMIT_HEAD_NONE;
			ls->head_since = 0;
			return refuse(ls, who, g, "max_concurrent_queries", "rate limit exceeded", reason,
				msg, cap);
		}
		ls->head_slot = true;
	}
	ls->head = DW_LIMIT_HEAD_ADMITTED;
	ls->head_since = 0;
	return DW_LIMIT_GO;
}

bool dw_limit_forwarded(struct dw_limit_session *ls)
{
	if (ls->head != DW_LIMIT_HEAD_ADMITTED)
		return false;
	ls->head = DW_LIMIT_HEAD_NONE;
	if (!ls->head_slot)
		return false;
	ls->head_slot = false;
	ls->slots++;
	return true;
}

void dw_limit_dropped(struct dw_limit_session *ls)
{
	if (ls->head_slot && ls->bucket)
		dw_limit_give_slot(ls->bucket);
	ls->head_slot = false;
	stop_waiting(ls);
}

void dw_limit_finished(struct dw_limit_session *ls)
{
	if (!ls->slots)
		return;
	ls->slots--;
	if (ls->bucket)
		dw_limit_give_slot(ls->bucket);
}

void dw_limit_session_end(struct dw_limit_session *ls)
{
	unbind(ls);
	if (ls->timer) {
		event_free(ls->timer);
		ls->timer = NULL;
	}
}
