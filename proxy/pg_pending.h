/* The replies a PostgreSQL server connection still owes, in order.
 *
 * Every message forwarded to the server that produces a reply pushes one
 * entry; server messages pop them. This is what lets dbward pipeline freely,
 * swallow the replies to messages it injected itself (SET, Parse of a cached
 * statement, Close of an evicted one), synthesize replies in the right place,
 * and know when a connection is truly idle and may go back to the pool. */
#ifndef DBWARD_PROXY_PG_PENDING_H
#define DBWARD_PROXY_PG_PENDING_H

#include <stdbool.h>
#include <stdint.h>

enum pg_pend_kind {
	PEND_PARSE = 1,        /* ParseComplete */
	PEND_BIND,             /* BindComplete */
	PEND_DESCRIBE_STMT,    /* ParameterDescription, then RowDescription | NoData */
	PEND_DESCRIBE_PORTAL,  /* RowDescription | NoData */
	PEND_EXECUTE,          /* rows..., CommandComplete | EmptyQuery | PortalSuspended */
	PEND_CLOSE,            /* CloseComplete */
	PEND_SYNC,             /* ReadyForQuery */
	PEND_QUERY,            /* anything until ReadyForQuery (simple query, function call) */
	PEND_SYNTH_PARSE,      /* dbward answers ParseComplete itself, in order */
	PEND_SYNTH_ERROR,      /* dbward answers an ErrorResponse itself, in order */
};

#define PEND_SWALLOW 0x01      /* reply is dbward's, not the client's */
#define PEND_SEEN_T 0x02       /* DESCRIBE_STMT got its ParameterDescription */
#define PEND_READY 0x04        /* SYNTH_ERROR: follow it with ReadyForQuery */
#define PEND_CUT 0x08          /* QUERY/EXECUTE stopped by dbward (time or result limit):
                                  its rows are dropped, its end replaced by TEXT's error */
#define PEND_FAILS 0x10        /* QUERY of dbward's own meant to fail (aborts a transaction) */
#define PEND_SLOT 0x20         /* QUERY, EXECUTE: holds a slot of max_concurrent_queries */

#define PG_PENDING_CAP 1024u

struct pg_stmt;

struct pg_pend {
	uint8_t kind;
	uint8_t flags;
	uint8_t metered;       /* QUERY, EXECUTE of the client: dw_m_class + 1 until its
	                          outcome is counted (proxy/metrics.h), then 0 */
	union {
		struct pg_stmt *stmt;  /* PARSE/CLOSE of a cached statement: which one */
		uint64_t sent_us;      /* metered QUERY, EXECUTE: when it went to the server */
	};
	char *text;            /* SYNTH_ERROR: "SQLSTATE\0message", owned */
	uint32_t audit_msg;    /* QUERY, SYNC: the message its audit notes belong to (0 = none) */
	uint32_t serial;       /* QUERY, EXECUTE: numbered per server connection (never 0) */
	uint32_t timeout_ms;   /* QUERY, EXECUTE: its time limit, 0 = none */
};

struct pg_pending {
	struct pg_pend e[PG_PENDING_CAP];
	uint32_t head;
	uint32_t count;
};

static inline bool pg_pending_full(const struct pg_pending *p) { return p->count >= PG_PENDING_CAP - 8; }
static inline bool pg_pending_empty(const struct pg_pending *p) { return p->count == 0; }
static inline struct pg_pend *pg_pending_head(struct pg_pending *p)
{
	return p->count ? &p->e[p->head] : (struct pg_pend *)0;
}
static inline void pg_pending_push(struct pg_pending *p, uint8_t kind, uint8_t flags,
	struct pg_stmt *stmt)
{
	struct pg_pend *e = &p->e[(p->head + p->count) % PG_PENDING_CAP];
	e->kind = kind;
	e->flags = flags;
	e->metered = 0;
	e->stmt = stmt;
	e->text = NULL;
	e->audit_msg = 0;
	e->serial = 0;
	e->timeout_ms = 0;
	p->count++;
}
static inline void pg_pending_pop(struct pg_pending *p)
{
	p->head = (p->head + 1) % PG_PENDING_CAP;
	p->count--;
}
static inline void pg_pending_reset(struct pg_pending *p)
{
	p->head = 0;
	p->count = 0;
}

#endif
