/* Pools of server connections per (backend, user, database).
 *
 * Each worker owns its pools (no locks on the statement path); the configured
 * `size` caps the connections of a key across all workers through a small
 * shared counter. A worker whose clients wait while another worker holds idle
 * connections of the same key asks it to close them, so the capacity moves to
 * where the clients are.
 *
 * New server connections go through the backend's circuit breaker
 * (backends/breaker.h). An attempt that cannot reach the server is retried
 * on the worker's loop after a backoff (`connect_retry`), keeping its unit of
 * capacity meanwhile, as long as a client still waits for it. */
#ifndef DBWARD_BACKENDS_POOL_H
#define DBWARD_BACKENDS_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "backends/server.h"
#include "config/config.h"

struct dw_worker;

struct dw_pool_waiter;
typedef void (*dw_pool_cb)(struct dw_pool_waiter *w, struct dw_server *server, const char *error);

struct dw_pool_waiter {
	dw_pool_cb cb;
	bool queued;          /* waiting, or failed and about to hear why */
	bool failed;          /* in the pool's failed list */
	char error[256];      /* why, once failed */
	TAILQ_ENTRY(dw_pool_waiter) link;
};

/* The error a waiter gets when the backend's circuit is open. */
extern const char dw_pool_circuit_open[];
bool dw_pool_error_is_circuit_open(const char *error);

struct dw_pool_shared; /* cross-worker capacity of one key */
struct dw_pool_retry;  /* a failed attempt waiting for its retry */
struct event;

TAILQ_HEAD(dw_server_list, dw_server);
TAILQ_HEAD(dw_waiter_list, dw_pool_waiter);
LIST_HEAD(dw_retry_list, dw_pool_retry);

struct dw_pool {
	struct dw_worker *worker;
	struct dw_config *cfg;      /* reference held */
	const struct dw_backend_config *backend;
	const struct dw_user_config *user;
	char *database;
	const struct dw_server_ops *ops;
	struct dw_pool_variant variant;
	struct dw_pool_shared *shared;
	struct dw_server_list idle;
	struct dw_server_list busy;   /* connecting, attached or resetting */
	struct dw_breaker *breaker;   /* the backend's, shared by every worker */
	struct dw_waiter_list waiters;
	struct dw_waiter_list failed; /* told from the loop, never inside a checkout */
	struct event *notify;         /* runs the failed list */
	struct dw_retry_list retries;
	uint32_t n_waiters;
	uint32_t n_connecting;        /* attempts in flight and retries pending */
	uint32_t n_total;             /* this worker's connections of the key */
	uint32_t refs;                /* sessions using this pool */
	bool capacity_wait;           /* counted as waiting in the shared state */
	char last_error[256];
	struct dw_pool *next;
};

/* The pool of this worker for (backend, user, database), created on first use,
 * with one more reference for the calling session (dw_pool_put drops it). */
struct dw_pool *dw_pool_get(struct dw_worker *w, struct dw_config *cfg,
	const struct dw_backend_config *backend, const struct dw_user_config *user,
	const char *database, const struct dw_server_ops *ops, const struct dw_pool_variant *variant);

void dw_pool_put(struct dw_pool *pool);

/* Asks for a server connection. Either calls W->cb right away with a
 * server, or queues W and calls it later (with a server, or with an error:
 * even an immediate refusal, such as an open circuit, comes from the loop). */
void dw_pool_checkout(struct dw_pool *pool, struct dw_pool_waiter *w);
/* Stops waiting (timeout, client gone). */
void dw_pool_cancel_wait(struct dw_pool *pool, struct dw_pool_waiter *w);

/* Gives a server connection back. REUSABLE=false closes it. The caller has
 * already reset it (session pooling) and detached it from its client. */
void dw_pool_release(struct dw_server *s, bool reusable);

/* Called by the protocol's connect when a connection attempt ends. */
void dw_pool_server_ready(struct dw_server *s);
void dw_pool_server_failed(struct dw_server *s, const char *error, enum dw_connect_failure kind);

/* What a pool holds now (metrics, the admin API): from its worker's thread. */
struct dw_pool_counts {
	uint32_t active;      /* serving a client, or being reset for the pool */
	uint32_t idle;
	uint32_t connecting;  /* attempts in flight and retries pending */
	uint32_t waiting;     /* clients waiting for a connection */
};
void dw_pool_counts(const struct dw_pool *pool, struct dw_pool_counts *out);

/* Periodic upkeep: idle timeout, lifetime, min_idle, cross-worker requests. */
void dw_pool_maintain(struct dw_worker *w);
/* Frees every pool of a worker (shutdown). */
void dw_pool_free_all(struct dw_worker *w);
/* After every worker stopped: frees the cross-worker state (breakers too). */
void dw_pool_shared_free_all(void);

#endif
