/* Rate limits (`rate_limits`): statements per second, statements in flight
 * and new connections per second, counted per bucket (one per user, client
 * address or database named at login, or one for all) and shared by every
 * worker. docs/limits.md describes them for operators.
 *
 * A rate is a GCRA (generic cell rate algorithm): the token bucket of size
 * `burst` refilling at `rate` per second, kept as one 64-bit "theoretical
 * arrival time" that a compare-and-swap advances. So workers share exact
 * counts without a lock: a statement costs one clock read and one atomic
 * operation on the bucket of its session. The table of buckets is locked,
 * but only when a session picks its bucket (accept, login) and drops it. */
#ifndef DBWARD_PROXY_RATE_LIMIT_H
#define DBWARD_PROXY_RATE_LIMIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "proxy/session_info.h"

struct event;
struct event_base;
struct dw_guard;

/* ---- the arithmetic of one rate ---- */

/* A rate of PER_SECOND tokens with room for BURST. interval = 0: no limit. */
struct dw_gcra {
	uint64_t interval_ns;   /* one token every this long */
	uint64_t tolerance_ns;  /* how far ahead of the clock the bucket may run: (burst - 1) tokens */
};

#define DW_GCRA_REFUSED UINT64_MAX

void dw_gcra_init(struct dw_gcra *g, uint32_t per_second, uint32_t burst);

/* Takes one token at NOW (nanoseconds, monotonic) from the bucket whose
 * state is *TAT (0 = full). Returns 0 when a token was there; the wait (ns)
 * until the reserved token is due when that is at most MAX_WAIT; or
 * DW_GCRA_REFUSED, taking nothing. Safe from any number of threads. */
uint64_t dw_gcra_take(const struct dw_gcra *g, _Atomic uint64_t *tat, uint64_t now,
	uint64_t max_wait);

/* True when the bucket is full at NOW: forgetting it loses nothing. */
bool dw_gcra_full(_Atomic uint64_t *tat, uint64_t now);

/* ---- the buckets of a process ---- */

struct dw_limits;
struct dw_limit_bucket;

/* Buckets kept at most (beyond it, see dw_limits_acquire). */
#define DW_LIMITS_CAP 65536u

struct dw_limits *dw_limits_new(size_t cap) __attribute__((warn_unused_result));
void dw_limits_free(struct dw_limits *t);

/* The bucket of KEY (LEN bytes) under the rate limit entry GENERATION, with
 * one more reference. When CAP buckets are in use already and none of them
 * can be forgotten, every new key of that entry shares one overflow bucket:
 * a flood of distinct keys is limited together, and memory stays bounded.
 * NULL only when out of memory. */
struct dw_limit_bucket *dw_limits_acquire(struct dw_limits *t, uint64_t generation,
	const char *key, size_t len, uint64_t now) __attribute__((warn_unused_result));
/* Drops a reference. A bucket nobody uses is freed once it is full again
 * (at once, or by dw_limits_maintain). */
void dw_limits_release(struct dw_limits *t, struct dw_limit_bucket *b, uint64_t now);
/* Frees unused buckets that are full again; returns how many are left. */
size_t dw_limits_maintain(struct dw_limits *t, uint64_t now);
size_t dw_limits_count(struct dw_limits *t);
bool dw_limit_bucket_overflow(const struct dw_limit_bucket *b);

/* The three counts of a bucket. */
uint64_t dw_limit_take_query(struct dw_limit_bucket *b, const struct dw_gcra *g, uint64_t now,
	uint64_t max_wait);
uint64_t dw_limit_take_connection(struct dw_limit_bucket *b, const struct dw_gcra *g,
	uint64_t now);
/* A statement in flight, when fewer than MAX are. */
bool dw_limit_take_slot(struct dw_limit_bucket *b, uint32_t max);
void dw_limit_give_slot(struct dw_limit_bucket *b);

uint64_t dw_limit_now_ns(void);

/* ---- a session's limits ---- */

enum dw_limit_verdict {
	DW_LIMIT_GO = 0,   /* go on */
	DW_LIMIT_WAIT,     /* held (action delay): stop reading, the timer resumes the session */
	DW_LIMIT_REFUSE,   /* refused: MSG holds the client message, the audit record is written */
};

enum { DW_LIMIT_HEAD_NONE = 0, DW_LIMIT_HEAD_TOKEN, DW_LIMIT_HEAD_ADMITTED };

struct dw_limit_session {
	struct dw_limits *table;
	struct event_base *base;
	void (*resume)(void *arg);          /* a held statement may be looked at again */
	void *resume_arg;
	const struct dw_rate_limit_config *rule;  /* NULL: no entry applies */
	size_t rule_index;
	struct dw_limit_bucket *bucket;
	struct dw_gcra queries;
	struct dw_gcra connections;
	char key_text[96];                  /* the bucket, for messages: user "app" */
	bool connection_counted;            /* connections_per_second was applied */
	bool statements;                    /* statements are counted */
	uint8_t head;                       /* DW_LIMIT_HEAD_*: the statement at the head of the input */
	bool head_slot;                     /* it holds a slot of max_concurrent_queries */
	bool waiting;                       /* it is held: the timer is armed */
	uint64_t head_since;                /* when it was first held (ns) */
	uint32_t slots;                     /* slots of statements at the server */
	struct event *timer;
};

/* Prepares LS (zeroed with the session); RESUME(ARG) runs on BASE when a
 * held statement may be looked at again. */
void dw_limit_session_init(struct dw_limit_session *ls, struct dw_limits *t,
	struct event_base *base, void (*resume)(void *arg), void *arg);

/* A client was accepted (WHO has no user yet). When the entry that will
 * apply is already known (no earlier entry depends on user or database) and
 * it counts per client address or globally, its connections_per_second
 * applies now; otherwise dw_limit_login applies it. G numbers the ref. */
enum dw_limit_verdict dw_limit_accept(struct dw_limit_session *ls, const struct dw_config *cfg,
	const struct dw_session_info *who, struct dw_guard *g, char *msg, size_t cap);

/* The client proved who it is (again, after MySQL's COM_CHANGE_USER):
 * chooses the entry and bucket of the session and applies
 * connections_per_second if accept did not. */
enum dw_limit_verdict dw_limit_login(struct dw_limit_session *ls, const struct dw_config *cfg,
	const struct dw_session_info *who, struct dw_guard *g, char *msg, size_t cap);

/* True when the statement at the head of the input must pass
 * dw_limit_admit before it goes to the server. */
static inline bool dw_limit_pending(const struct dw_limit_session *ls)
{
	return ls->statements && ls->head != DW_LIMIT_HEAD_ADMITTED;
}

/* Admission of the statement at the head of the input: GO (it may go; its
 * slot, if any, is taken), WAIT (held; stop reading until the resume
 * callback) or REFUSE (drop it and answer MSG). While WAITING it answers WAIT
 * without looking again. */
enum dw_limit_verdict dw_limit_admit(struct dw_limit_session *ls, const struct dw_session_info *who,
	struct dw_guard *g, char *msg, size_t cap);

/* The admitted head went to the server: true when it holds a slot, to be
 * given back by dw_limit_finished when its result ends. */
bool dw_limit_forwarded(struct dw_limit_session *ls);
/* The admitted head was dropped without reaching the server. */
void dw_limit_dropped(struct dw_limit_session *ls);
/* The admitted head left the input: SENT says whether to the server. */
static inline void dw_limit_head_gone(struct dw_limit_session *ls, bool sent)
{
	if (sent)
		(void)dw_limit_forwarded(ls);
	else
		dw_limit_dropped(ls);
}
/* A statement that held a slot ended. */
void dw_limit_finished(struct dw_limit_session *ls);

/* The session ends: gives back its slots and bucket, stops the timer. */
void dw_limit_session_end(struct dw_limit_session *ls);

#endif
