#include "backends/breaker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/server.h"
#include "proxy/log.h"

struct dw_breaker {
	pthread_mutex_t mu;
	char name[64];
	atomic_int state;           /* enum dw_breaker_state; written under MU */
	uint32_t epoch;             /* bumped on every state change */
	uint32_t consecutive;       /* failed attempts in a row, while closed */
	uint32_t probes_ok;         /* successful probes, while half-open */
	uint32_t probes_in_flight;
	uint64_t opened_us;         /* when it last opened */
	uint64_t progress_us;       /* half-open: entered, or last probe outcome */
	uint64_t failures_total;
	uint64_t opened_total;
	uint64_t refused_total;
	struct dw_breaker *next;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dw_breaker *registry;

void dw_breaker_rules_of(const struct dw_backend_config *b, struct dw_breaker_rules *out)
{
	out->failures = b->breaker_failures;
	out->reset_after_us = b->breaker_reset_after_ms * 1000u;
	out->probe_successes = b->breaker_probe_successes ? b->breaker_probe_successes : 1;
}

struct dw_breaker *dw_breaker_new(const char *name)
{
	struct dw_breaker *b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	pthread_mutex_init(&b->mu, NULL);
	snprintf(b->name, sizeof b->name, "%s", name);
	atomic_init(&b->state, DW_BREAKER_CLOSED);
	b->epoch = 1;
	return b;
}

void dw_breaker_free(struct dw_breaker *b)
{
	if (!b)
		return;
	pthread_mutex_destroy(&b->mu);
	free(b);
}

struct dw_breaker *dw_breaker_get(const char *name)
{
	pthread_mutex_lock(&registry_mu);
	struct dw_breaker *b;
	for (b = registry; b; b = b->next)
		if (strcmp(b->name, name) == 0)
			break;
	if (!b && (b = dw_breaker_new(name)) != NULL) {
		b->next = registry;
		registry = b;
	}
	pthread_mutex_unlock(&registry_mu);
	return b;
}

void dw_breaker_free_all(void)
{
	pthread_mutex_lock(&registry_mu);
	struct dw_breaker *b = registry;
	registry = NULL;
	pthread_mutex_unlock(&registry_mu);
	while (b) {
		struct dw_breaker *next = b->next;
		dw_breaker_free(b);
		b = next;
	}
}

const char *dw_breaker_state_name(enum dw_breaker_state s)
{
	switch (s) {
	case DW_BREAKER_CLOSED: return "closed";
	case DW_BREAKER_OPEN: return "open";
	case DW_BREAKER_HALF_OPEN: return "half-open";
	}
	return "?";
}

enum dw_breaker_state dw_breaker_state(const struct dw_breaker *b)
{
	return (enum dw_breaker_state)atomic_load_explicit(&b->state, memory_order_relaxed);
}

/* Every change of state: a new epoch, so outcomes of attempts admitted before
 * it no longer count. Called with MU held. */
static void set_state(struct dw_breaker *b, enum dw_breaker_state s, uint64_t now)
{
	atomic_store_explicit(&b->state, s, memory_order_relaxed);
	b->epoch++;
	b->consecutive = 0;
	b->probes_ok = 0;
	b->probes_in_flight = 0;
	if (s == DW_BREAKER_OPEN) {
		b->opened_us = now;
		b->opened_total++;
	}
	b->progress_us = now;
}

static void open_circuit(struct dw_breaker *b, const struct dw_breaker_rules *r, uint64_t now,
	const char *why)
{
	set_state(b, DW_BREAKER_OPEN, now);
	dw_warn("backend %s: circuit open (%s); new connections fail at once for %llu ms", b->name,
		why, (unsigned long long)(r->reset_after_us / 1000u));
}

bool dw_breaker_admit(struct dw_breaker *b, const struct dw_breaker_rules *r, uint64_t now_us,
	struct dw_breaker_ticket *ticket)
{
	bool ok = true;
	pthread_mutex_lock(&b->mu);
	enum dw_breaker_state s = dw_breaker_state(b);
	if (r->failures == 0 && s != DW_BREAKER_CLOSED) {
		/* The configuration says never open. */
		set_state(b, DW_BREAKER_CLOSED, now_us);
		dw_info("backend %s: circuit closed (circuit_breaker.failures is 0)", b->name);
		s = DW_BREAKER_CLOSED;
	}
	if (s == DW_BREAKER_OPEN && now_us - b->opened_us >= r->reset_after_us) {
		set_state(b, DW_BREAKER_HALF_OPEN, now_us);
		dw_info("backend %s: circuit half-open: probing with new connections", b->name);
		s = DW_BREAKER_HALF_OPEN;
	}
	if (s == DW_BREAKER_HALF_OPEN) {
		uint32_t missing = r->probe_successes > b->probes_ok ? r->probe_successes - b->probes_ok : 1;
		if (b->probes_in_flight >= missing && now_us - b->progress_us >= r->reset_after_us) {
			/* Probes that never came back: the backend swallows connections. */
			open_circuit(b, r, now_us, "probes did not complete");
			s = DW_BREAKER_OPEN;
		} else if (b->probes_in_flight < missing) {
			b->probes_in_flight++;
			ticket->probe = true;
		} else {
			ok = false;
		}
	} else {
		ticket->probe = false;
	}
	if (s == DW_BREAKER_OPEN)
		ok = false;
	if (ok)
		ticket->epoch = b->epoch;
	else
		b->refused_total++;
	pthread_mutex_unlock(&b->mu);
	return ok;
}

void dw_breaker_report(struct dw_breaker *b, const struct dw_breaker_rules *r, uint64_t now_us,
	struct dw_breaker_ticket ticket, bool reachable)
{
	pthread_mutex_lock(&b->mu);
	if (!reachable)
		b->failures_total++;
	if (ticket.epoch != b->epoch) {
		pthread_mutex_unlock(&b->mu);
		return;
	}
	switch (dw_breaker_state(b)) {
	case DW_BREAKER_CLOSED:
		if (reachable) {
			b->consecutive = 0;
		} else if (++b->consecutive >= r->failures && r->failures) {
			char why[96];
			snprintf(why, sizeof why, "%u consecutive failed connection attempts",
				b->consecutive);
			open_circuit(b, r, now_us, why);
		}
		break;
	case DW_BREAKER_HALF_OPEN:
		if (!ticket.probe)
			break;
		b->probes_in_flight--;
		b->progress_us = now_us;
		if (!reachable) {
			open_circuit(b, r, now_us, "a probe failed");
		} else if (++b->probes_ok >= r->probe_successes) {
			uint32_t n = b->probes_ok;
			set_state(b, DW_BREAKER_CLOSED, now_us);
			dw_info("backend %s: circuit closed after %u successful probe(s)", b->name, n);
		}
		break;
	case DW_BREAKER_OPEN:
		break; /* no attempt is admitted while open */
	}
	pthread_mutex_unlock(&b->mu);
}

void dw_breaker_info(struct dw_breaker *b, struct dw_breaker_info *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&b->mu);
	snprintf(out->backend, sizeof out->backend, "%s", b->name);
	out->state = dw_breaker_state(b);
	out->consecutive_failures = b->consecutive;
	out->probe_successes = b->probes_ok;
	out->failures = b->failures_total;
	out->opened = b->opened_total;
	out->refused = b->refused_total;
	pthread_mutex_unlock(&b->mu);
}

bool dw_breaker_info_get(const char *name, struct dw_breaker_info *out)
{
	bool found = false;
	pthread_mutex_lock(&registry_mu);
	for (struct dw_breaker *b = registry; b; b = b->next) {
		if (strcmp(b->name, name) == 0) {
			dw_breaker_info(b, out);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&registry_mu);
	return found;
}

size_t dw_breaker_info_all(struct dw_breaker_info *out, size_t cap)
{
	size_t n = 0;
	pthread_mutex_lock(&registry_mu);
	for (struct dw_breaker *b = registry; b; b = b->next, n++)
		if (n < cap)
			dw_breaker_info(b, &out[n]);
	pthread_mutex_unlock(&registry_mu);
	return n;
}

/* ---- retry backoff ---- */

uint64_t dw_backoff_delay_ms(uint32_t retry, uint64_t base_ms, uint64_t max_ms, uint64_t random)
{
	if (retry == 0)
		retry = 1;
	uint32_t shift = retry - 1;
	uint64_t d;
	if (base_ms == 0)
		d = 0;
	else if (shift >= 63 || base_ms > (UINT64_MAX >> shift))
		d = max_ms;
	else
		d = base_ms << shift;
	if (d > max_ms)
		d = max_ms;
	uint64_t low = d / 2, span = d - low;
	return low + (span ? random % (span + 1) : 0);
}

uint64_t dw_backoff_random(void)
{
	/* splitmix64 over a per-thread counter seeded from the clock and the
	 * thread: jitter only has to differ between workers and processes. */
	static _Thread_local uint64_t state;
	if (state == 0)
		state = dw_now_us() ^ ((uint64_t)(uintptr_t)&state << 16) ^ (uint64_t)pthread_self();
	uint64_t z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
