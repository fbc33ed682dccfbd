/* Circuit breaker per backend, shared by every worker, and the backoff of
 * connection retries.
 *
 * The breaker watches connection attempts, not statements: pools ask it
 * before opening a server connection (dw_breaker_admit) and tell it how the
 * attempt ended (dw_breaker_report). Statements never touch it, and a
 * checkout served by an idle connection never asks it.
 *
 *   closed     every attempt goes through; `failures` consecutive failed
 *              attempts open the circuit (each attempt counts, retries
 *              included; so do failed health checks).
 *   open       every attempt is refused at once, for `reset_after`.
 *   half-open  the next attempt after that is a probe; at most as many probes
 *              run at a time as successes are still missing. `probe_successes`
 *              successful probes close the circuit, one failed probe opens it
 *              again. Probes that never report back within `reset_after`
 *              count as a failed probe.
 *
 * An attempt fails for the breaker when the server could not be reached
 * (refused, unreachable, timed out, closed before it said anything). A server
 * that answers, even with an error (wrong password, unknown database, TLS
 * refused, too many connections), is reachable: that attempt is a success for
 * the breaker. */
#ifndef DBWARD_BACKENDS_BREAKER_H
#define DBWARD_BACKENDS_BREAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

enum dw_breaker_state {
	DW_BREAKER_CLOSED = 0,
	DW_BREAKER_OPEN,
	DW_BREAKER_HALF_OPEN,
};

struct dw_breaker;

/* An admitted connection attempt; its outcome is reported with it. An
 * outcome from an earlier state period (EPOCH) changes nothing. */
struct dw_breaker_ticket {
	uint32_t epoch;
	bool probe;        /* a half-open probe */
};

/* The thresholds, as the backend's configuration gives them. */
struct dw_breaker_rules {
	uint32_t failures;        /* 0 = never open */
	uint64_t reset_after_us;
	uint32_t probe_successes; /* at least 1 */
};

void dw_breaker_rules_of(const struct dw_backend_config *b, struct dw_breaker_rules *out);

/* The breaker of backend NAME, created closed on first use. It lives until
 * dw_breaker_free_all. NULL only when out of memory. */
struct dw_breaker *dw_breaker_get(const char *name);
/* Frees every breaker (after every worker stopped). */
void dw_breaker_free_all(void);

/* A breaker outside the registry (tests). */
struct dw_breaker *dw_breaker_new(const char *name);
void dw_breaker_free(struct dw_breaker *b);

/* May a connection attempt start now? True with *TICKET filled in, false
 * when the circuit refuses it. NOW_US is dw_now_us(). */
bool dw_breaker_admit(struct dw_breaker *b, const struct dw_breaker_rules *r, uint64_t now_us,
	struct dw_breaker_ticket *ticket);
/* How an admitted attempt ended: REACHABLE false when the server could not be
 * reached at all. */
void dw_breaker_report(struct dw_breaker *b, const struct dw_breaker_rules *r, uint64_t now_us,
	struct dw_breaker_ticket ticket, bool reachable);

/* The current state, read without the lock (an open circuit whose
 * `reset_after` has passed still reads open until an attempt is admitted). */
enum dw_breaker_state dw_breaker_state(const struct dw_breaker *b);

/* ---- read API (metrics) ---- */

struct dw_breaker_info {
	char backend[64];
	enum dw_breaker_state state;
	uint32_t consecutive_failures; /* while closed */
	uint32_t probe_successes;      /* while half-open */
	uint64_t failures;             /* failed attempts since start */
	uint64_t opened;               /* times the circuit opened */
	uint64_t refused;              /* attempts refused while open */
};

const char *dw_breaker_state_name(enum dw_breaker_state s);
void dw_breaker_info(struct dw_breaker *b, struct dw_breaker_info *out);
/* The breaker of backend NAME; false when none exists yet. */
bool dw_breaker_info_get(const char *name, struct dw_breaker_info *out);
/* Every breaker, up to CAP of them into OUT; returns how many exist. */
size_t dw_breaker_info_all(struct dw_breaker_info *out, size_t cap);

/* ---- retry backoff ---- */

/* The delay before retry RETRY (1 = the first retry) in milliseconds, "equal
 * jitter": with d = min(MAX_MS, BASE_MS * 2^(RETRY-1)), uniformly in
 * [d/2, d] as RANDOM (any 64-bit value) picks it. Until MAX_MS caps them, a
 * retry never waits less than the one before. */
uint64_t dw_backoff_delay_ms(uint32_t retry, uint64_t base_ms, uint64_t max_ms, uint64_t random);
/* A random 64-bit value for the jitter (per thread, not for secrets). */
uint64_t dw_backoff_random(void);

#endif
