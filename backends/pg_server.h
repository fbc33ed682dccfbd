/* One server connection to a PostgreSQL backend.
 *
 * It is opened with libpq's non-blocking connect on the worker's event loop
 * (so every server authentication method and TLS mode work), then libpq is set
 * aside and dbward relays raw protocol on the socket (through libpq's own SSL
 * object when the connection is encrypted). */
#ifndef DBWARD_BACKENDS_PG_SERVER_H
#define DBWARD_BACKENDS_PG_SERVER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <libpq-fe.h>

#include "backends/server.h"
#include "proxy/pg_params.h"
#include "proxy/pg_pending.h"
#include "proxy/pg_stmt.h"

struct bufferevent;
struct event_base;
struct event;
struct dw_pool;
struct pg_session;

/* libpq's cancel object, shared with the cancel thread by reference count
 * because the server connection may close while a cancel is in flight. */
struct dw_cancel_handle {
	atomic_int refs;
	PGcancel *cancel;
};
void dw_cancel_handle_unref(struct dw_cancel_handle *h);

struct pg_server {
	struct dw_server base;        /* first: pools see only this */
	PGconn *conn;
	int fd;
	struct event *conn_ev;        /* connect phase: socket readiness */
	struct event *timer;          /* connect timeout */
	struct dw_cancel_handle *cancel;
	int backend_pid;

	struct pg_params pristine;    /* as reported at connect time */
	struct pg_params current;     /* what the server has now */
	uint64_t synced_sig;          /* signature of the client params last synced */
	uint64_t synced_version;      /* current.version right after that sync */
	struct pg_pending pending;
	struct pg_stmt_cache stmts;   /* transaction pooling only */

	struct pg_session *client;
	char txstatus;                /* last ReadyForQuery status */
	bool in_copy_in;              /* server sent CopyInResponse */
	bool unsynced;                /* extended messages sent since the last Sync */
	uint32_t msg_remaining;       /* bytes of a streamed server message still to pass */
	uint32_t drop_remaining;      /* bytes of a dropped server message still to come */
	bool orphan_statements;       /* came from another worker: DEALLOCATE ALL first */
	uint32_t next_serial;         /* numbers the client's statements (pg_pend.serial) */
	bool drop_until_ready;        /* a cut statement's error is out: the rest up to
	                                 ReadyForQuery is not the client's any more */
	bool abort_at_ready;          /* a cut statement ended without the server failing it:
	                                 a transaction it was in must fail as the client saw */
	bool cancel_unconfirmed;      /* dbward cancelled a statement that ended by itself:
	                                 the cancel may still land, so never reuse it */
};

static inline struct pg_server *pg_server_of(struct dw_server *s)
{
	return (struct pg_server *)s;
}

/* The pool operations of PostgreSQL server connections. */
extern const struct dw_server_ops pg_server_ops;

/* The parameters a server reports at connect time (ParameterStatus). */
extern const char *const pg_reported_params[];

#endif
