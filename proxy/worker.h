/* Worker threads: each has its own event loop, listeners (SO_REUSEPORT),
 * client sessions, server pools and prepared-statement registry, so the
 * statement path takes no locks. */
#ifndef DBWARD_PROXY_WORKER_H
#define DBWARD_PROXY_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/queue.h>

#include <openssl/ssl.h>

#include "config/config.h"
#include "proxy/pg_auth.h"
#include "proxy/pg_stmt.h"

struct event_base;
struct event;
struct evconnlistener;
struct dw_pool;
struct dw_runtime;
struct pg_session;
struct my_session;
struct my_rsa;
struct dw_limits;
struct dw_lockout;
TAILQ_HEAD(pg_session_list, pg_session);
TAILQ_HEAD(my_session_list, my_session);

struct dw_worker {
	unsigned id;
	pthread_t thread;
	struct dw_runtime *rt;
	struct event_base *base;
	struct event *wakeup;      /* poked by other threads */
	struct event *tick;        /* once a second: pool upkeep */
	struct evconnlistener **listeners;
	size_t n_listeners;
	void *accept_ctxs;         /* one per listener, handed to evconnlistener */
	struct dw_pool *pools;
	struct pg_stmt_registry stmts;
	struct dw_policy_ctx *policy;  /* analysis buffers and decision cache */
	struct pg_session_list sessions;
	struct my_session_list my_sessions;
	/* SCRAM secrets derived from the configured passwords, per user index of
	 * secrets_cfg, computed on first use (the derivation is deliberately slow). */
	struct dw_config *secrets_cfg;
	struct dw_scram_secret *secrets;
	bool *secrets_ready;
	atomic_bool pool_poke;     /* another worker wants pool capacity */
};

/* Per-listener state shared by all workers. */
struct dw_listener_rt {
	SSL_CTX *tls;              /* NULL when tls.mode is disable */
	atomic_uint clients;
};

struct dw_runtime {
	struct dw_config *cfg;
	struct dw_worker *workers;
	size_t n_workers;
	struct dw_listener_rt *listeners; /* cfg->n_listeners entries */
	atomic_uint_fast64_t next_session_id;
	atomic_bool stopping;
	struct my_rsa *rsa;         /* caching_sha2_password full authentication */
	struct dw_limits *limits;   /* rate limit buckets, shared by the workers */
	struct dw_lockout *lockout; /* failed logins per (client address, user) */
};

/* Builds TLS contexts, opens listeners, starts the threads. Returns 0 or -1
 * (errors logged). */
int dw_runtime_start(struct dw_runtime *rt, struct dw_config *cfg)
	__attribute__((warn_unused_result));
/* Stops every worker and waits for them. */
void dw_runtime_stop(struct dw_runtime *rt);

/* The SCRAM secret of USER (from CFG), derived once per worker and snapshot. */
const struct dw_scram_secret *dw_worker_user_secret(struct dw_worker *w, struct dw_config *cfg,
	const struct dw_user_config *user);

/* Wakes worker W from any thread (it then runs its pool upkeep). */
void dw_worker_poke(struct dw_worker *w);

#endif
