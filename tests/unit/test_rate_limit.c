/* Rate limits and login lockouts: the bucket arithmetic (burst, refill,
 * waits, no token lost or invented when workers share a bucket), the table
 * of buckets (sharing, forgetting, the cap and its overflow bucket), a
 * session's admission of statements and connections under real
 * configuration text, and the failed-login counts behind a lockout. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "config/config.h"
#include "proxy/auth_lockout.h"
#include "proxy/rate_limit.h"
#include "proxy/stmt_guard.h"
#include "tests/unit/tap.h"

#define ok(cond, ...) check((cond) != 0, __VA_ARGS__)

#define SEC 1000000000ull
#define MS 1000000ull
/* Any point of the monotonic clock; buckets start full (state 0). */
#define T0 (1000 * SEC)

static void test_burst_and_refill(void)
{
	struct dw_gcra g;
	_Atomic uint64_t tat = 0;
	int taken = 0;

	dw_gcra_init(&g, 20, 20);
	ok(g.interval_ns == 50 * MS && g.tolerance_ns == 19 * 50 * MS, "20/s, burst 20: one token per 50ms");
	while (dw_gcra_take(&g, &tat, T0, 0) == 0)
		taken++;
	ok(taken == 20, "a full bucket gives exactly its burst at once (%d)", taken);
	uint64_t before = atomic_load(&tat);
	ok(dw_gcra_take(&g, &tat, T0, 0) == DW_GCRA_REFUSED && atomic_load(&tat) == before,
	   "an empty bucket refuses and takes nothing");
	ok(dw_gcra_take(&g, &tat, T0 + 49 * MS, 0) == DW_GCRA_REFUSED, "no token before the interval");
	ok(dw_gcra_take(&g, &tat, T0 + 50 * MS, 0) == 0, "one token after one interval");
	ok(dw_gcra_take(&g, &tat, T0 + 50 * MS, 0) == DW_GCRA_REFUSED, "and only one");
	ok(!dw_gcra_full(&tat, T0 + 999 * MS) && dw_gcra_full(&tat, T0 + 1050 * MS),
	   "full again one second after the last token");
	taken = 0;
	while (dw_gcra_take(&g, &tat, T0 + 1050 * MS, 0) == 0)
		taken++;
	ok(taken == 20, "refilled to its burst, not beyond (%d)", taken);
	taken = 0;
	while (dw_gcra_take(&g, &tat, T0 + 1050 * MS + 500 * MS, 0) == 0)
		taken++;
	ok(taken == 10, "half a second refills half (%d)", taken);

	/* A burst smaller than the rate, and one larger. */
	tat = 0;
	dw_gcra_init(&g, 100, 1);
	ok(dw_gcra_take(&g, &tat, T0, 0) == 0 && dw_gcra_take(&g, &tat, T0, 0) == DW_GCRA_REFUSED &&
	   dw_gcra_take(&g, &tat, T0 + 10 * MS, 0) == 0, "burst 1: evenly spaced only");
	tat = 0;
	dw_gcra_init(&g, 1, 5);
	taken = 0;
	while (dw_gcra_take(&g, &tat, T0, 0) == 0)
		taken++;
	ok(taken == 5 && dw_gcra_take(&g, &tat, T0 + SEC, 0) == 0 &&
	   dw_gcra_take(&g, &tat, T0 + SEC, 0) == DW_GCRA_REFUSED, "1/s with burst 5");

	dw_gcra_init(&g, 0, 0);
	tat = 0;
	bool all = true;
	for (int i = 0; i < 1000; i++)
		all &= dw_gcra_take(&g, &tat, T0, 0) == 0;
	ok(all && atomic_load(&tat) == 0, "rate 0 is no limit");
}

static void test_waits(void)
{
	struct dw_gcra g;
	_Atomic uint64_t tat = 0;

	dw_gcra_init(&g, 10, 2);
	ok(dw_gcra_take(&g, &tat, T0, 0) == 0 && dw_gcra_take(&g, &tat, T0, 0) == 0, "burst of 2");
	ok(dw_gcra_take(&g, &tat, T0, 50 * MS) == DW_GCRA_REFUSED,
	   "the next token is 100ms away: a 50ms wait is refused");
	ok(dw_gcra_take(&g, &tat, T0, 150 * MS) == 100 * MS, "a 150ms wait reserves it, due in 100ms");
	ok(dw_gcra_take(&g, &tat, T0, 150 * MS) == DW_GCRA_REFUSED,
	   "the one after that is 200ms away: refused");
	tat = 0;
	dw_gcra_take(&g, &tat, T0, 0);
	dw_gcra_take(&g, &tat, T0, 0);
	ok(dw_gcra_take(&g, &tat, T0, SEC) == 100 * MS && dw_gcra_take(&g, &tat, T0, SEC) == 200 * MS &&
	   dw_gcra_take(&g, &tat, T0, SEC) == 300 * MS, "each reservation one interval after the last");
	ok(dw_gcra_take(&g, &tat, T0 + 300 * MS, 0) == DW_GCRA_REFUSED &&
	   dw_gcra_take(&g, &tat, T0 + 400 * MS, 0) == 0, "reserved tokens are not given twice");
}

/* Workers share a bucket: whatever the interleaving, no more tokens than
 * the bucket holds are handed out, and none is lost. */
struct racer {
	const struct dw_gcra *g;
	_Atomic uint64_t *tat;
	struct dw_limit_bucket *bucket;
	uint64_t now;
	int tries;
	int taken;
	int kept;      /* slots taken and not given back */
};

static void *race(void *arg)
{
	struct racer *r = arg;
	for (int i = 0; i < r->tries; i++) {
		if (dw_gcra_take(r->g, r->tat, r->now, 0) == 0)
			r->taken++;
		if (r->bucket && dw_limit_take_slot(r->bucket, 50)) {
			if (i % 2)
				dw_limit_give_slot(r->bucket);
			else
				r->kept++;
		}
	}
	return NULL;
}

static void test_shared_by_workers(void)
{
	struct dw_gcra g;
	_Atomic uint64_t tat = 0;
	struct dw_limits *t = dw_limits_new(16);
	struct dw_limit_bucket *b = dw_limits_acquire(t, 1, "app", 3, T0);
	struct racer r[4];
	pthread_t th[4];
	int taken = 0, kept = 0, free_slots = 0;

	dw_gcra_init(&g, 1000, 1000);
	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){ .g = &g, .tat = &tat, .bucket = b, .now = T0, .tries = 20000 };
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		taken += r[i].taken;
		kept += r[i].kept;
	}
	ok(taken == 1000, "4 threads on one bucket of 1000 get exactly 1000 tokens (%d)", taken);
	while (dw_limit_take_slot(b, 50))
		free_slots++;
	ok(kept == 50 && free_slots == 0, "4 threads taking and giving slots: exactly 50 kept (%d)",
	   kept);
	dw_limits_release(t, b, T0);
	dw_limits_free(t);
}

static void test_table(void)
{
	struct dw_limits *t = dw_limits_new(4);
	struct dw_gcra g;

	dw_gcra_init(&g, 1, 1);
	struct dw_limit_bucket *a = dw_limits_acquire(t, 7, "alice", 5, T0);
	struct dw_limit_bucket *a2 = dw_limits_acquire(t, 7, "alice", 5, T0);
	struct dw_limit_bucket *b = dw_limits_acquire(t, 7, "bob", 3, T0);
	struct dw_limit_bucket *a8 = dw_limits_acquire(t, 8, "alice", 5, T0);
	ok(a && a == a2 && b && b != a && a8 && a8 != a && dw_limits_count(t) == 3,
	   "one bucket per (entry, key)");
	ok(!dw_limit_bucket_overflow(a), "ordinary buckets are not the overflow");

	/* A used bucket stays while someone holds it, then while it counts. */
	ok(dw_limit_take_query(a, &g, T0, 0) == 0, "alice takes her token");
	dw_limits_release(t, a, T0);
	dw_limits_release(t, a2, T0);
	ok(dw_limits_count(t) == 3, "an unused bucket that still counts is kept");
	struct dw_limit_bucket *again = dw_limits_acquire(t, 7, "alice", 5, T0 + 10 * MS);
	ok(again == a && dw_limit_take_query(again, &g, T0 + 10 * MS, 0) == DW_GCRA_REFUSED,
	   "a reconnecting key finds its bucket still empty");
	dw_limits_release(t, again, T0 + 10 * MS);
	dw_limits_release(t, b, T0);
	ok(dw_limits_count(t) == 2, "an unused full bucket is forgotten at once");
	ok(dw_limits_maintain(t, T0 + 500 * MS) == 2, "not yet refilled: kept");
	ok(dw_limits_maintain(t, T0 + 2 * SEC) == 1, "refilled: forgotten by maintenance");

	/* The cap: keys beyond it share the entry's overflow bucket. */
	struct dw_limit_bucket *held[4];
	held[0] = a8;
	for (int i = 1; i < 4; i++) {
		char key[8];
		snprintf(key, sizeof key, "k%d", i);
		held[i] = dw_limits_acquire(t, 8, key, strlen(key), T0);
	}
	ok(dw_limits_count(t) == 4, "table at its cap");
	struct dw_limit_bucket *o1 = dw_limits_acquire(t, 8, "new1", 4, T0);
	struct dw_limit_bucket *o2 = dw_limits_acquire(t, 8, "new2", 4, T0);
	struct dw_limit_bucket *o3 = dw_limits_acquire(t, 9, "new3", 4, T0);
	ok(o1 && o1 == o2 && dw_limit_bucket_overflow(o1), "new keys past the cap share one bucket");
	ok(o3 && o3 != o1 && dw_limit_bucket_overflow(o3), "one overflow bucket per entry");
	ok(dw_limits_count(t) == 6, "the cap is exceeded only by the overflow buckets (%zu)",
	   dw_limits_count(t));
	ok(dw_limits_acquire(t, 8, "k1", 2, T0) == held[1], "known keys keep their own bucket");
	dw_limits_release(t, held[1], T0);
	ok(dw_limit_take_query(o1, &g, T0, 0) == 0 && dw_limit_take_query(o2, &g, T0, 0) == DW_GCRA_REFUSED,
	   "keys in the overflow bucket are limited together");
	for (int i = 0; i < 4; i++)
		dw_limits_release(t, held[i], T0);
	dw_limits_release(t, o1, T0);
	dw_limits_release(t, o2, T0);
	dw_limits_release(t, o3, T0);
	struct dw_limit_bucket *fresh = dw_limits_acquire(t, 8, "new1", 4, T0);
	ok(fresh && !dw_limit_bucket_overflow(fresh), "room again: new keys get their own bucket");
	dw_limits_release(t, fresh, T0);
	ok(dw_limits_maintain(t, T0 + 5 * SEC) == 0, "all forgotten once refilled");

	/* A flood of distinct keys, each used once, never grows the table past its cap. */
	size_t most = 0;
	for (int i = 0; i < 1000; i++) {
		char key[16];
		snprintf(key, sizeof key, "10.0.%d.%d", i / 256, i % 256);
		struct dw_limit_bucket *k = dw_limits_acquire(t, 3, key, strlen(key), T0 + (uint64_t)i * MS);
		if (k)
			dw_limit_take_query(k, &g, T0 + (uint64_t)i * MS, 0);
		dw_limits_release(t, k, T0 + (uint64_t)i * MS);
		if (dw_limits_count(t) > most)
			most = dw_limits_count(t);
	}
	ok(most <= 5, "a flood of 1000 keys keeps at most cap + 1 buckets (%zu)", most);
	dw_limits_free(t);
}

/* ---- sessions under a configuration ---- */

static const char head[] =
	"listeners:\n"
	"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }\n"
	"  - { name: other, protocol: postgres, listen: 127.0.0.1:6433, backend: db }\n"
	"backends:\n"
	"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }\n"
	"rate_limits:\n";

static struct dw_config *load(const char *limits)
{
	char *text = malloc(strlen(head) + strlen(limits) + 1);
	strcpy(text, head);
	strcat(text, limits);
	struct dw_config *cfg = dw_config_load_buffer("limits.yaml", text, strlen(text), stderr);
	free(text);
	return cfg;
}

static struct sockaddr_in client_addr;

static struct dw_session_info who_is(uint64_t id, const char *user, const char *ip)
{
	client_addr.sin_family = AF_INET;
	inet_pton(AF_INET, ip, &client_addr.sin_addr);
	return (struct dw_session_info){ .id = id, .listener = "pg", .protocol = "postgres",
		.backend = "db", .user = user, .database = user ? "app" : NULL, .ip = ip,
		.client = (const struct sockaddr *)&client_addr };
}

static int resumed;

static void on_resume(void *arg)
{
	(void)arg;
	resumed++;
}

static void test_sessions(void)
{
	struct dw_limits *t = dw_limits_new(64);
	struct dw_config *cfg = load(
		"  - match: { user: report }\n"
		"  - match: { user: app }\n"
		"    key: user\n"
		"    queries_per_second: 5\n"
		"    burst: 3\n"
		"    max_concurrent_queries: 1\n"
		"  - match: { listener: pg }\n"
		"    key: client_ip\n"
		"    connections_per_second: 2\n");
	struct dw_limit_session s1 = {0}, s2 = {0}, r = {0}, c = {0};
	struct dw_guard g = {0};
	char msg[512];

	ok(cfg != NULL, "limits config loads");
	if (!cfg)
		return;
	struct dw_session_info app1 = who_is(1, "app", "10.1.1.1");
	struct dw_session_info app2 = who_is(2, "app", "10.1.1.2");
	struct dw_session_info rep = who_is(3, "report", "10.1.1.1");
	dw_limit_session_init(&s1, t, NULL, NULL, NULL);
	dw_limit_session_init(&s2, t, NULL, NULL, NULL);
	dw_limit_session_init(&r, t, NULL, NULL, NULL);

	struct dw_session_info pre = who_is(1, NULL, "10.1.1.1");
	ok(dw_limit_accept(&s1, cfg, &pre, &g, msg, sizeof msg) == DW_LIMIT_GO && !s1.bucket,
	   "at accept, the entry is not known while earlier entries match on user");
	ok(dw_limit_login(&s1, cfg, &app1, &g, msg, sizeof msg) == DW_LIMIT_GO && s1.rule == &cfg->rate_limits[1] &&
	   s1.statements, "first matching entry at login: per user, counting statements");
	ok(dw_limit_login(&s2, cfg, &app2, &g, msg, sizeof msg) == DW_LIMIT_GO && s2.bucket == s1.bucket,
	   "two sessions of one user share the bucket");
	ok(dw_limit_login(&r, cfg, &rep, &g, msg, sizeof msg) == DW_LIMIT_GO && r.rule == &cfg->rate_limits[0] &&
	   !r.statements && !dw_limit_pending(&r), "an entry without limits exempts its sessions");

	/* Statements: one in flight at a time, burst 3 (a statement refused
	 * for want of a slot still spent its token). */
	ok(dw_limit_pending(&s1) && dw_limit_admit(&s1, &app1, &g, msg, sizeof msg) == DW_LIMIT_GO,
	   "first statement admitted");
	ok(!dw_limit_pending(&s1) && dw_limit_forwarded(&s1) && s1.slots == 1,
	   "sent: it holds the user's one slot");
	ok(dw_limit_admit(&s2, &app2, &g, msg, sizeof msg) == DW_LIMIT_REFUSE &&
	   strstr(msg, "dbward: rate limit exceeded: more than 1 statements in flight for user \"app\" (ref ") == msg,
	   "another session of the user is refused while it runs: %s", msg);
	dw_limit_finished(&s1);
	ok(s1.slots == 0 && dw_limit_admit(&s2, &app2, &g, msg, sizeof msg) == DW_LIMIT_GO,
	   "its result ended: the slot is free");
	dw_limit_dropped(&s2);
	ok(dw_limit_admit(&s1, &app1, &g, msg, sizeof msg) == DW_LIMIT_REFUSE &&
	   strstr(msg, "more than 5 statements per second (burst 3) for user \"app\"") != NULL &&
	   msg[strlen(msg) - 1] == ')', "the burst is spent: refused (%s)", msg);
	ok(dw_limit_pending(&s1), "a refused statement leaves nothing admitted");

	struct dw_session_info other = who_is(9, "app", "10.2.2.2");
	other.listener = "other";
	other.user = "nobody";
	dw_limit_session_init(&c, t, NULL, NULL, NULL);
	ok(dw_limit_login(&c, cfg, &other, &g, msg, sizeof msg) == DW_LIMIT_GO && !c.bucket && !c.rule,
	   "a session no entry fits is not limited");
	dw_limit_session_end(&c);

	dw_limit_session_end(&s1);
	dw_limit_session_end(&s2);
	dw_limit_session_end(&r);
	dw_config_unref(cfg);

	/* Connections at accept, when nothing before the entry depends on the user. */
	cfg = load("  - match: { listener: other }\n"
		   "  - match: { client: 10.3.0.0/16 }\n"
		   "    key: client_ip\n"
		   "    connections_per_second: 2\n");
	int go = 0, refused = 0;
	for (int i = 0; i < 5; i++) {
		struct dw_limit_session x = {0};
		struct dw_session_info w = who_is(20 + (uint64_t)i, NULL, "10.3.0.1");
		dw_limit_session_init(&x, t, NULL, NULL, NULL);
		enum dw_limit_verdict v = dw_limit_accept(&x, cfg, &w, &g, msg, sizeof msg);
		go += v == DW_LIMIT_GO;
		refused += v == DW_LIMIT_REFUSE;
		if (v == DW_LIMIT_GO) {
			struct dw_session_info in = who_is(20 + (uint64_t)i, "app", "10.3.0.1");
			ok(dw_limit_login(&x, cfg, &in, &g, msg, sizeof msg) == DW_LIMIT_GO,
			   "login does not count the connection again");
		}
		dw_limit_session_end(&x);
	}
	ok(go == 2 && refused == 3 && strstr(msg, "dbward: too many connections: more than 2 new "
					   "connections per second for client 10.3.0.1 (ref ") == msg,
	   "a burst of 5 connections from one address: 2 in, 3 refused (%s)", msg);
	struct dw_limit_session y = {0};
	struct dw_session_info elsewhere = who_is(30, NULL, "10.3.0.2");
	dw_limit_session_init(&y, t, NULL, NULL, NULL);
	ok(dw_limit_accept(&y, cfg, &elsewhere, &g, msg, sizeof msg) == DW_LIMIT_GO,
	   "another address has its own bucket");
	dw_limit_session_end(&y);
	dw_config_unref(cfg);

	/* Connections per user: counted at login. */
	cfg = load("  - key: user\n    connections_per_second: 1\n");
	struct dw_limit_session u1 = {0}, u2 = {0};
	struct dw_session_info a = who_is(40, NULL, "10.4.0.1"), al = who_is(40, "app", "10.4.0.1");
	struct dw_session_info bl = who_is(41, "app", "10.4.0.2");
	dw_limit_session_init(&u1, t, NULL, NULL, NULL);
	dw_limit_session_init(&u2, t, NULL, NULL, NULL);
	ok(dw_limit_accept(&u1, cfg, &a, &g, msg, sizeof msg) == DW_LIMIT_GO && !u1.bucket,
	   "per user: nothing counted at accept");
	ok(dw_limit_login(&u1, cfg, &al, &g, msg, sizeof msg) == DW_LIMIT_GO &&
	   dw_limit_login(&u2, cfg, &bl, &g, msg, sizeof msg) == DW_LIMIT_REFUSE,
	   "the user's second connection in the same second is refused at login");
	dw_limit_session_end(&u1);
	dw_limit_session_end(&u2);
	dw_config_unref(cfg);
	dw_limits_free(t);
}

static void test_delay(void)
{
	struct dw_limits *t = dw_limits_new(64);
	struct event_base *base = event_base_new();
	struct dw_config *cfg = load(
		"  - key: global\n"
		"    queries_per_second: 20\n"
		"    burst: 1\n"
		"    max_concurrent_queries: 1\n"
		"    action: delay\n"
		"    max_delay: 80ms\n");
	struct dw_limit_session s = {0}, o = {0};
	struct dw_guard g = {0};
	struct dw_session_info w = who_is(50, "app", "10.5.0.1"), w2 = who_is(51, "app", "10.5.0.2");
	char msg[512];

	ok(cfg && base, "delay config loads");
	if (!cfg || !base)
		return;
	dw_limit_session_init(&s, t, base, on_resume, &s);
	dw_limit_session_init(&o, t, base, on_resume, &o);
	dw_limit_login(&s, cfg, &w, &g, msg, sizeof msg);
	dw_limit_login(&o, cfg, &w2, &g, msg, sizeof msg);
	ok(dw_limit_admit(&s, &w, &g, msg, sizeof msg) == DW_LIMIT_GO, "first statement goes");
	dw_limit_forwarded(&s);
	dw_limit_finished(&s);
	uint64_t t0 = dw_limit_now_ns();
	ok(dw_limit_admit(&s, &w, &g, msg, sizeof msg) == DW_LIMIT_WAIT && s.waiting,
	   "the next one, 50ms early, is held");
	ok(dw_limit_admit(&s, &w, &g, msg, sizeof msg) == DW_LIMIT_WAIT, "held until the timer says");
	resumed = 0;
	event_base_loop(base, EVLOOP_ONCE);
	uint64_t waited = dw_limit_now_ns() - t0;
	ok(resumed == 1 && !s.waiting && waited >= 40 * MS, "resumed after %llu ms",
	   (unsigned long long)(waited / MS));
	ok(dw_limit_admit(&s, &w, &g, msg, sizeof msg) == DW_LIMIT_GO && dw_limit_forwarded(&s),
	   "then admitted with its reserved token, holding the slot");

	/* The slot stays taken: the other session waits for it, then gives up. */
	dw_limit_finished(&s);
	dw_limit_take_slot(s.bucket, 1);
	t0 = dw_limit_now_ns();
	enum dw_limit_verdict v;
	while ((v = dw_limit_admit(&o, &w2, &g, msg, sizeof msg)) == DW_LIMIT_WAIT)
		event_base_loop(base, EVLOOP_ONCE);
	waited = dw_limit_now_ns() - t0;
	ok(v == DW_LIMIT_REFUSE && waited >= 80 * MS && strstr(msg, "in flight") && strstr(msg, "(held "),
	   "no slot within max_delay: refused after %llu ms (%s)", (unsigned long long)(waited / MS), msg);
	dw_limit_give_slot(s.bucket);
	dw_limit_session_end(&s);
	dw_limit_session_end(&o);
	dw_config_unref(cfg);
	event_base_free(base);
	dw_limits_free(t);
}

/* ---- lockouts ---- */

static void test_lockout(void)
{
	struct dw_lockout *lo = dw_lockout_new(64);
	struct dw_auth_failures_config c = { .max = 3, .window_ms = 1000, .lockout_ms = 500 };
	uint64_t left = 0;

	ok(dw_lockout_enabled(&c), "max 3 within 1s, 500ms lockout");
	ok(!dw_lockout_failure(lo, &c, "10.0.0.1", "app", 0) &&
	   !dw_lockout_failure(lo, &c, "10.0.0.1", "app", 10) && !dw_lockout_locked(lo, "10.0.0.1", "app", 20, NULL),
	   "two failures: not locked");
	ok(dw_lockout_failure(lo, &c, "10.0.0.1", "app", 20), "the third starts the lockout");
	ok(dw_lockout_locked(lo, "10.0.0.1", "app", 30, &left) && left == 490, "locked, 490ms left");
	ok(!dw_lockout_locked(lo, "10.0.0.1", "other", 30, NULL) &&
	   !dw_lockout_locked(lo, "10.0.0.2", "app", 30, NULL), "other users and addresses are not");
	ok(!dw_lockout_failure(lo, &c, "10.0.0.1", "app", 100) &&
	   dw_lockout_locked(lo, "10.0.0.1", "app", 519, NULL), "failures during the lockout do not extend it");
	ok(!dw_lockout_locked(lo, "10.0.0.1", "app", 520, NULL), "over after 500ms");
	ok(!dw_lockout_failure(lo, &c, "10.0.0.1", "app", 600), "counting starts afresh");
	dw_lockout_success(lo, "10.0.0.1", "app");
	ok(!dw_lockout_failure(lo, &c, "10.0.0.1", "app", 610) &&
	   !dw_lockout_failure(lo, &c, "10.0.0.1", "app", 620), "a successful login forgets the failures");
	ok(dw_lockout_failure(lo, &c, "10.0.0.1", "app", 630), "three again: locked");

	/* The window slides: failures at the end of one window and the start of
	 * the next add up; failures a window apart do not. */
	ok(!dw_lockout_failure(lo, &c, "10.0.0.3", "app", 5000) &&
	   !dw_lockout_failure(lo, &c, "10.0.0.3", "app", 5900), "two near the end of a window");
	ok(dw_lockout_failure(lo, &c, "10.0.0.3", "app", 6100), "one just after: three within a second");
	bool any = false;
	for (uint64_t at = 10000; at < 20000; at += 1100)
		any |= dw_lockout_failure(lo, &c, "10.0.0.4", "app", at);
	ok(!any, "one failure every 1.1s never locks");

	/* Bounded: past the cap, the pair that failed longest ago goes. */
	struct dw_lockout *small = dw_lockout_new(2);
	dw_lockout_failure(small, &c, "10.0.0.1", "a", 0);
	dw_lockout_failure(small, &c, "10.0.0.1", "b", 1);
	dw_lockout_failure(small, &c, "10.0.0.1", "c", 2);
	ok(dw_lockout_count(small) == 2, "the table stays at its cap");
	dw_lockout_failure(small, &c, "10.0.0.1", "b", 3);
	ok(dw_lockout_failure(small, &c, "10.0.0.1", "b", 4), "the pairs kept keep their counts");
	char user[32];
	for (int i = 0; i < 500; i++) {
		snprintf(user, sizeof user, "u%d", i);
		dw_lockout_failure(small, &c, "10.9.9.9", user, 10 + (uint64_t)i);
	}
	ok(dw_lockout_count(small) == 2, "a flood of user names stays at the cap");
	dw_lockout_free(small);

	struct dw_auth_failures_config off = c;
	off.max = 0;
	ok(!dw_lockout_enabled(&off) && !dw_lockout_failure(lo, &off, "10.0.0.9", "app", 0),
	   "max 0 turns it off");
	off = c;
	off.lockout_ms = 0;
	ok(!dw_lockout_enabled(&off), "lockout 0 turns it off");

	/* The verdict on logins, as the sessions ask for it. */
	struct dw_session_info w = who_is(60, "app", "10.6.0.1");
	bool refused_all = true;
	for (int i = 0; i < 3; i++)
		refused_all &= !dw_lockout_judge(lo, &c, &w, false);
	ok(refused_all && !dw_lockout_judge(lo, &c, &w, true), "after 3 failures the right password is refused");
	struct dw_session_info other = who_is(61, "report", "10.6.0.1");
	ok(dw_lockout_judge(lo, &c, &other, true), "another user from the same address logs in");
	dw_lockout_free(lo);
}

int main(void)
{
	test_burst_and_refill();
	test_waits();
	test_shared_by_workers();
	test_table();
	test_sessions();
	test_delay();
	test_lockout();
	return tap_done();
}
