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

enum pg_server_state {
	PGS_CONNECTING = 0,
	PGS_IDLE,       /* in the pool */
	PGS_ATTACHED,   /* serving a client */
	PGS_RESETTING,  /* DISCARD ALL before going back to the pool */
	PGS_CLOSED,
};

struct pg_server {
	struct dw_pool *pool;
	enum pg_server_state state;
	PGconn *conn;
	int fd;
	struct event *conn_ev;        /* connect phase: socket readiness */
	struct event *timer;          /* connect timeout */
	struct bufferevent *bev;      /* after connect */
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
	bool broken;                  /* must not be reused */
	uint64_t created_us;
	uint64_t idle_since_us;
	uint32_t uses;
	uint32_t msg_remaining;       /* bytes of a streamed server message still to pass */
	bool orphan_statements;       /* came from another worker: DEALLOCATE ALL first */
	TAILQ_ENTRY(pg_server) link;
	struct pg_server *handoff_next;
};

/* Starts connecting for POOL. The pool is told the outcome through
 * dw_pool_server_ready / dw_pool_server_failed. Returns NULL when the attempt
 * could not even start (then the failure was already reported). */
struct pg_server *pg_server_connect(struct dw_pool *pool);

/* Creates the bufferevent of a connected server on BASE (a worker's loop),
 * or drops it so the connection can move to another worker. */
bool pg_server_bind_loop(struct pg_server *s, struct event_base *base)
	__attribute__((warn_unused_result));
void pg_server_unbind_loop(struct pg_server *s);

/* Closes the connection (Terminate sent when possible) and frees it. */
void pg_server_free(struct pg_server *s);

/* Server-side name of a parameter list reported at connect time. */
extern const char *const pg_reported_params[];

uint64_t dw_now_us(void);

#endif
