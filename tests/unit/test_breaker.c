/* Unit tests for backends/breaker.c: the retry backoff arithmetic (equal
 * jitter, cap, overflow) and the circuit breaker's state machine (closed,
 * open, half-open, probes, stale outcomes, stalled probes), with the clock
 * passed in so every transition is exact. */
#include "backends/breaker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/tap.h"

#define MS 1000ull
#define SEC 1000000ull

static void test_backoff(void)
{
	/* base 100 ms, max 5 s: retry k waits in [d/2, d], d = 100 * 2^(k-1). */
	check(dw_backoff_delay_ms(1, 100, 5000, 0) == 50, "retry 1, lowest draw: half the base");
	check(dw_backoff_delay_ms(1, 100, 5000, 50) == 100, "retry 1, highest draw: the base");
	check(dw_backoff_delay_ms(1, 100, 5000, 51) == 50, "draws wrap over the span");
	check(dw_backoff_delay_ms(2, 100, 5000, 0) == 100 &&
	      dw_backoff_delay_ms(2, 100, 5000, 100) == 200, "retry 2: [100, 200]");
	check(dw_backoff_delay_ms(3, 100, 5000, 0) == 200 &&
	      dw_backoff_delay_ms(3, 100, 5000, 200) == 400, "retry 3: [200, 400]");
	check(dw_backoff_delay_ms(7, 100, 5000, 0) == 2500 &&
	      dw_backoff_delay_ms(7, 100, 5000, 2500) == 5000, "retry 7: capped at max_delay, [2500, 5000]");
	check(dw_backoff_delay_ms(100, 100, 5000, 2500) == 5000, "retry 100: no overflow, the cap");
	check(dw_backoff_delay_ms(64, 1, 3600000, 0) == 1800000, "shift past 63 bits: the cap");
	check(dw_backoff_delay_ms(40, 3600000, 3600000, 0) == 1800000,
	      "a large base shifted far: the cap, not a wrapped value");
	check(dw_backoff_delay_ms(1, 0, 5000, 12345) == 0 && dw_backoff_delay_ms(9, 0, 0, 7) == 0,
	      "base_delay 0: retries at once");
	check(dw_backoff_delay_ms(0, 100, 5000, 0) == 50, "retry 0 is taken as the first");
	check(dw_backoff_delay_ms(1, 1, 5000, 0) == 0 && dw_backoff_delay_ms(1, 1, 5000, 1) == 1,
	      "base 1 ms: 0 or 1");
	check(dw_backoff_delay_ms(1, 100, 60, 0) == 30 && dw_backoff_delay_ms(1, 100, 60, 30) == 60,
	      "max below base: the cap still wins");

	/* With real draws: within bounds, and never shorter than the retry before
	 * until the cap. */
	bool bounded = true, growing = true;
	uint64_t lo_seen = UINT64_MAX, hi_seen = 0;
	for (int round = 0; round < 2000; round++) {
		uint64_t prev = 0;
		for (uint32_t k = 1; k <= 6; k++) {
			uint64_t d = 100ull << (k - 1);
			uint64_t v = dw_backoff_delay_ms(k, 100, 5000, dw_backoff_random());
			if (v < d / 2 || v > d)
				bounded = false;
			if (v < prev)
				growing = false;
			prev = v;
			if (k == 1) {
				lo_seen = v < lo_seen ? v : lo_seen;
				hi_seen = v > hi_seen ? v : hi_seen;
			}
		}
	}
	check(bounded, "random draws stay in [d/2, d]");
	check(growing, "random draws: each retry waits at least as long as the one before");
	check(lo_seen <= 55 && hi_seen >= 95, "random draws spread over the range (%llu..%llu)",
	      (unsigned long long)lo_seen, (unsigned long long)hi_seen);
	check(dw_backoff_random() != dw_backoff_random(), "successive random values differ");
}

static const struct dw_breaker_rules rules = {
	.failures = 3, .reset_after_us = 1 * SEC, .probe_successes = 2,
};

static void test_closed_to_open(void)
{
	struct dw_breaker *b = dw_breaker_new("pg-a");
	struct dw_breaker_ticket t, t2;
	uint64_t now = 100 * SEC;
	check(dw_breaker_state(b) == DW_BREAKER_CLOSED, "a new breaker is closed");
	check(dw_breaker_admit(b, &rules, now, &t) && !t.probe, "closed: admitted, not a probe");
	dw_breaker_report(b, &rules, now, t, false);
	dw_breaker_admit(b, &rules, now, &t);
	dw_breaker_report(b, &rules, now, t, false);
	struct dw_breaker_info info;
	dw_breaker_info(b, &info);
	check(info.state == DW_BREAKER_CLOSED && info.consecutive_failures == 2,
	      "two failures: still closed, 2 in a row");
	dw_breaker_admit(b, &rules, now, &t);
	dw_breaker_report(b, &rules, now, t, true);
	dw_breaker_info(b, &info);
	check(info.consecutive_failures == 0 && info.failures == 2,
	      "a success (the server answered) resets the run; the total stays");

	/* An attempt admitted now but reporting after the circuit opened. */
	check(dw_breaker_admit(b, &rules, now, &t2), "a slow attempt admitted");
	for (int i = 0; i < 3; i++) {
		dw_breaker_admit(b, &rules, now, &t);
		dw_breaker_report(b, &rules, now, t, false);
	}
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "three failures in a row: open");
	dw_breaker_info(b, &info);
	check(info.opened == 1 && !strcmp(info.backend, "pg-a"), "opened once, named");
	dw_breaker_report(b, &rules, now, t2, true);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN,
	      "a success admitted before it opened does not close it");

	check(!dw_breaker_admit(b, &rules, now + 1 * SEC - 1, &t), "open: refused until reset_after");
	dw_breaker_info(b, &info);
	check(info.refused == 1, "the refusal is counted");
	check(dw_breaker_admit(b, &rules, now + 1 * SEC, &t) && t.probe,
	      "at reset_after: admitted as a probe");
	check(dw_breaker_state(b) == DW_BREAKER_HALF_OPEN, "half-open");
	dw_breaker_free(b);
}

/* A breaker driven to half-open at time NOW (returns the time it happened). */
static uint64_t to_half_open(struct dw_breaker *b, uint64_t now)
{
	struct dw_breaker_ticket t;
	while (dw_breaker_state(b) == DW_BREAKER_CLOSED) {
		dw_breaker_admit(b, &rules, now, &t);
		dw_breaker_report(b, &rules, now, t, false);
	}
	return now + rules.reset_after_us;
}

static void test_half_open(void)
{
	struct dw_breaker *b = dw_breaker_new("pg-b");
	struct dw_breaker_ticket p1, p2, p3, old;
	uint64_t now = to_half_open(b, 10 * SEC);
	check(dw_breaker_admit(b, &rules, now, &p1) && p1.probe, "first probe");
	check(dw_breaker_admit(b, &rules, now, &p2) && p2.probe, "second probe (two successes missing)");
	check(!dw_breaker_admit(b, &rules, now, &p3), "a third attempt waits for the probes: refused");
	dw_breaker_report(b, &rules, now, p1, true);
	struct dw_breaker_info info;
	dw_breaker_info(b, &info);
	check(info.state == DW_BREAKER_HALF_OPEN && info.probe_successes == 1,
	      "one probe succeeded: still half-open");
	check(!dw_breaker_admit(b, &rules, now, &p3), "one success missing, one probe out: refused");
	dw_breaker_report(b, &rules, now, p2, true);
	check(dw_breaker_state(b) == DW_BREAKER_CLOSED, "probe_successes reached: closed");
	check(dw_breaker_admit(b, &rules, now, &p3) && !p3.probe, "closed again: plain attempts");
	dw_breaker_report(b, &rules, now, p3, true);

	/* A failed probe opens it again, for a full reset_after. */
	old = p3;
	now = to_half_open(b, now);
	check(dw_breaker_admit(b, &rules, now, &p1) && dw_breaker_admit(b, &rules, now, &p2),
	      "half-open again: two probes");
	dw_breaker_report(b, &rules, now, old, false);
	check(dw_breaker_state(b) == DW_BREAKER_HALF_OPEN,
	      "a failure from the closed period before does not count");
	dw_breaker_report(b, &rules, now + 5 * MS, p1, false);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "a failed probe: open again");
	dw_breaker_report(b, &rules, now + 6 * MS, p2, true);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "the other probe's late success changes nothing");
	check(!dw_breaker_admit(b, &rules, now + 5 * MS + rules.reset_after_us - 1, &p3),
	      "refused until reset_after from the reopening");
	check(dw_breaker_admit(b, &rules, now + 5 * MS + rules.reset_after_us, &p3) && p3.probe,
	      "then probing again");
	dw_breaker_info(b, &info);
	check(info.opened == 3, "opened three times in all");
	dw_breaker_free(b);
}

static void test_stalled_probes(void)
{
	struct dw_breaker *b = dw_breaker_new("pg-c");
	struct dw_breaker_ticket p1, p2, t;
	uint64_t now = to_half_open(b, 50 * SEC);
	dw_breaker_admit(b, &rules, now, &p1);
	dw_breaker_admit(b, &rules, now, &p2);
	check(!dw_breaker_admit(b, &rules, now + rules.reset_after_us - 1, &t),
	      "probes out, not yet overdue: refused");
	check(dw_breaker_state(b) == DW_BREAKER_HALF_OPEN, "still half-open");
	check(!dw_breaker_admit(b, &rules, now + rules.reset_after_us, &t) &&
	      dw_breaker_state(b) == DW_BREAKER_OPEN,
	      "probes that never report back within reset_after: open again");
	dw_breaker_report(b, &rules, now + rules.reset_after_us, p1, true);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "their outcome, when it comes, is stale");
	check(dw_breaker_admit(b, &rules, now + 2 * rules.reset_after_us, &t) && t.probe,
	      "fresh probes after the next reset_after");
	dw_breaker_free(b);
}

static void test_never_open(void)
{
	struct dw_breaker *b = dw_breaker_new("pg-d");
	struct dw_breaker_rules never = rules;
	never.failures = 0;
	struct dw_breaker_ticket t;
	for (int i = 0; i < 100; i++) {
		dw_breaker_admit(b, &never, 1 * SEC, &t);
		dw_breaker_report(b, &never, 1 * SEC, t, false);
	}
	check(dw_breaker_state(b) == DW_BREAKER_CLOSED, "failures 0: never opens");

	to_half_open(b, 2 * SEC);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "opened under failures 3");
	check(dw_breaker_admit(b, &never, 2 * SEC, &t) && !t.probe &&
	      dw_breaker_state(b) == DW_BREAKER_CLOSED,
	      "failures set to 0 later: the next attempt closes it");
	dw_breaker_free(b);

	struct dw_breaker_rules one = {.failures = 1, .reset_after_us = 100 * MS, .probe_successes = 1};
	b = dw_breaker_new("pg-e");
	dw_breaker_admit(b, &one, 0, &t);
	dw_breaker_report(b, &one, 0, t, false);
	check(dw_breaker_state(b) == DW_BREAKER_OPEN, "failures 1: the first failure opens it");
	check(dw_breaker_admit(b, &one, 100 * MS, &t) && t.probe, "one probe");
	struct dw_breaker_ticket t2;
	check(!dw_breaker_admit(b, &one, 100 * MS, &t2), "and only one");
	dw_breaker_report(b, &one, 150 * MS, t, true);
	check(dw_breaker_state(b) == DW_BREAKER_CLOSED, "probe_successes 1: one success closes it");
	dw_breaker_free(b);
}

static void test_registry(void)
{
	struct dw_breaker *a = dw_breaker_get("alpha");
	struct dw_breaker *b = dw_breaker_get("beta");
	check(a && b && a != b && dw_breaker_get("alpha") == a, "one breaker per backend name");
	struct dw_breaker_ticket t;
	for (int i = 0; i < 3; i++) {
		dw_breaker_admit(a, &rules, 0, &t);
		dw_breaker_report(a, &rules, 0, t, false);
	}
	struct dw_breaker_info info;
	check(dw_breaker_info_get("alpha", &info) && info.state == DW_BREAKER_OPEN &&
	      info.failures == 3, "read by name: alpha open after 3 failures");
	check(!dw_breaker_info_get("gamma", &info), "no breaker for an unknown name");
	struct dw_breaker_info all[4];
	size_t n = dw_breaker_info_all(all, 4);
	bool saw_beta = false;
	for (size_t i = 0; i < n && i < 4; i++)
		saw_beta |= !strcmp(all[i].backend, "beta") && all[i].state == DW_BREAKER_CLOSED;
	check(n == 2 && saw_beta, "every breaker listed");
	check(dw_breaker_info_all(all, 1) == 2, "the count even when OUT is short");
	check(!strcmp(dw_breaker_state_name(DW_BREAKER_HALF_OPEN), "half-open") &&
	      !strcmp(dw_breaker_state_name(DW_BREAKER_OPEN), "open") &&
	      !strcmp(dw_breaker_state_name(DW_BREAKER_CLOSED), "closed"), "state names");
	dw_breaker_free_all();
	check(!dw_breaker_info_get("alpha", &info), "freed");
}

/* Many threads at once (as workers are): counts stay exact. */
static struct dw_breaker *shared;
static const struct dw_breaker_rules many = {.failures = 1000000, .reset_after_us = SEC,
	.probe_successes = 1};

static void *hammer(void *arg)
{
	(void)arg;
	struct dw_breaker_ticket t;
	for (int i = 0; i < 20000; i++) {
		if (dw_breaker_admit(shared, &many, 0, &t))
			dw_breaker_report(shared, &many, 0, t, i % 2 == 0);
	}
	return NULL;
}

static void test_threads(void)
{
	shared = dw_breaker_new("shared");
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	struct dw_breaker_info info;
	dw_breaker_info(shared, &info);
	check(info.failures == 40000 && info.state == DW_BREAKER_CLOSED,
	      "4 threads: 40000 failures counted, none lost");
	dw_breaker_free(shared);
}

int main(void)
{
	test_backoff();
	test_closed_to_open();
	test_half_open();
	test_stalled_probes();
	test_never_open();
	test_registry();
	test_threads();
	return tap_done();
}
