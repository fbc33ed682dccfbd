/* Statement time limits: which limit a statement gets (timeouts.query,
 * write, admin, or long_query when its policy marks it long_running), and
 * what a session remembers of its prepared statements' kinds so that an
 * execution gets the limit of what it runs. */
#ifndef DBWARD_PROXY_STMT_TIMEOUT_H
#define DBWARD_PROXY_STMT_TIMEOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "policy/sql_kind.h"

/* The limit in milliseconds for a message whose statements are of KINDS
 * (dw_sql_kinds): the largest of theirs, 0 (none) when one of them has
 * none. An unknown kind gets the largest of query, write and admin. */
uint64_t dw_stmt_timeout_ms(const struct dw_timeouts *t, uint32_t kinds, bool long_running);

/* The name of the limit that applies, for messages: "query", "write",
 * "admin" or "long_query". */
const char *dw_stmt_timeout_name(const struct dw_timeouts *t, uint32_t kinds, bool long_running);

/* The idle limit of a session with no statement running: idle_in_transaction
 * inside a transaction (when set), client_idle otherwise; 0 = none. */
uint64_t dw_idle_limit_ms(const struct dw_timeouts *t, bool in_tx);

/* An idle timer of LIMIT_MS fired at NOW_US, the client's last word being at
 * LAST_US: 0 when the session was idle that long, else the milliseconds
 * still to wait (the client spoke meanwhile). */
uint64_t dw_idle_left_ms(uint64_t limit_ms, uint64_t last_us, uint64_t now_us);

/* Kinds of named statements and portals, by name (NS tells the two name
 * spaces apart: 'S' or 'P'): a small direct-mapped table, no allocation; a
 * name pushed out by another is unknown again. */
#define DW_KIND_CACHE_SIZE 64u
struct dw_kind_cache {
	struct { uint64_t hash; uint32_t kinds; } e[DW_KIND_CACHE_SIZE];
};
void dw_kind_cache_put(struct dw_kind_cache *c, char ns, const char *name, size_t len,
	uint32_t kinds);
/* DW_KIND_UNKNOWN when NAME is not there. */
uint32_t dw_kind_cache_get(const struct dw_kind_cache *c, char ns, const char *name, size_t len);

#endif
