/* A per-worker cache of verdicts, so a statement seen before costs its
 * analysis plus a lookup instead of every rule again.
 *
 * Direct-mapped and bounded: a new entry replaces whatever shared its slot.
 * The key holds everything a cacheable verdict depends on: the policy (its
 * address and its generation, so a policy freed by a reload and another
 * allocated at the same address never share entries), the statement
 * fingerprint, and the session context (dialect, quoting modes and, for
 * MySQL, the current database). The caller decides what is cacheable. */
#ifndef DBWARD_POLICY_DECISION_CACHE_H
#define DBWARD_POLICY_DECISION_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

struct dw_decision_key {
	const void *policy;
	uint64_t generation;    /* never 0 for a loaded policy */
	uint64_t fingerprint;
	uint64_t context;       /* dw_decision_context() */
};

struct dw_decision_cache;

/* ENTRIES is rounded up to a power of two. */
struct dw_decision_cache *dw_decision_cache_new(size_t entries) __attribute__((warn_unused_result));
void dw_decision_cache_free(struct dw_decision_cache *cache);

bool dw_decision_cache_get(const struct dw_decision_cache *cache, const struct dw_decision_key *key,
	struct dw_verdict *out);
void dw_decision_cache_put(struct dw_decision_cache *cache, const struct dw_decision_key *key,
	const struct dw_verdict *v);

/* The session settings a verdict depends on, hashed with a per-process
 * random key (SipHash-2-4) so that clients cannot pick a database name
 * whose hash collides with another's. */
uint64_t dw_decision_context(const struct dw_sql_options *opts, const char *current_db);

#endif
