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
struct dw_policy_config;
struct dw_session_info;
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
	struct event *drain;       /* SIGTERM: closes sessions as they become idle */
};

/* Per-listener state shared by all workers. */
struct dw_listener_rt {
	SSL_CTX *tls;              /* NULL when tls.mode is disable */
	atomic_uint clients;
};

struct dw_runtime {
	/* The configuration new sessions start with, replaced by a reload
	 * (dw_runtime_reload). Workers take it with dw_runtime_config; only the
	 * main thread reads rt->cfg directly. */
	struct dw_config *cfg;
	pthread_mutex_t cfg_mu;
	atomic_uint_fast64_t cfg_serial;   /* rt->cfg->serial, read without the mutex */
	struct dw_worker *workers;
	size_t n_workers;
	struct dw_listener_rt *listeners; /* listeners_cap entries: cfg's and room for more */
	size_t listeners_cap;             /* listeners a reload may grow to */
	atomic_uint_fast64_t next_session_id;
	atomic_bool stopping;
	atomic_bool draining;       /* SIGTERM: no new clients, sessions end when idle */
	struct my_rsa *rsa;         /* caching_sha2_password full authentication */
	struct dw_limits *limits;   /* rate limit buckets, shared by the workers */
	struct dw_lockout *lockout; /* failed logins per (client address, user) */
};

/* Builds TLS contexts, opens listeners, starts the threads. Returns 0 or -1
 * (errors logged). */
int dw_runtime_start(struct dw_runtime *rt, struct dw_config *cfg)
	__attribute__((warn_unused_result));
/* The current configuration, with one more reference for the caller. */
struct dw_config *dw_runtime_config(struct dw_runtime *rt);

/* A TLS session for a client of LISTENER, with its current context (a
 * reload may have replaced it); NULL when the listener has none. */
SSL *dw_runtime_tls_new(struct dw_runtime *rt, size_t listener);

/* True when a reload replaced the configuration that SERIAL names. */
static inline bool dw_runtime_config_changed(struct dw_runtime *rt, uint64_t serial)
{
	return atomic_load_explicit(&rt->cfg_serial, memory_order_relaxed) != serial;
}

/* SIGHUP: loads PATH; if it is valid and compatible with the running process
 * (same workers and listeners), it becomes the configuration of new sessions,
 * and sessions already open adopt it before their next statement. Otherwise
 * the running configuration stays. Errors are logged; returns true on
 * success. */
bool dw_runtime_reload(struct dw_runtime *rt, const char *path);

/* What a session re-points when it adopts a reloaded configuration: its
 * configuration and the listener, backend and user entries in it (found
 * again by index and name). KEEP receives the configuration it leaves when
 * KEEP_OLD says something else still points into that one. */
struct dw_session_cfg {
	uint64_t session;
	struct dw_config **cfg;
	struct dw_config **keep;
	uint64_t *seen;                     /* the serial last looked at */
	size_t listener_index;
	const struct dw_listener_config **listener;
	const struct dw_backend_config **backend;
	const struct dw_user_config **ucfg;
	const struct dw_policy_config **policy; /* chosen again for WHO */
	const struct dw_session_info *who;
	bool keep_old;
};
/* Adopts the current configuration; false (the session keeps its own) when
 * the session's backend or user is not in it. Either way *SEEN is updated. */
bool dw_session_adopt(struct dw_runtime *rt, const struct dw_session_cfg *sc);

/* SIGTERM: stops accepting clients and closes each session as soon as no
 * statement of it is in flight; returns when none is left or after GRACE_MS
 * (dw_runtime_stop then ends the rest). */
void dw_runtime_drain(struct dw_runtime *rt, uint64_t grace_ms);

/* Listeners a reload may add to those the process started with. */
#define DW_LISTENERS_SPARE 32

/* A listening socket for L (each worker has its own: SO_REUSEPORT; a unix
 * socket only for the FIRST worker, -2 for the others); -1 with errno. */
int dw_listen_socket(const struct dw_listener_config *l, bool first);
/* Worker W accepts clients of listener INDEX on FD from now on (from any
 * thread; W takes over FD). */
void dw_worker_add_listener(struct dw_worker *w, size_t index, int fd);

/* Stops every worker and waits for them. */
void dw_runtime_stop(struct dw_runtime *rt);

/* The SCRAM secret of USER (from CFG), derived once per worker and snapshot. */
const struct dw_scram_secret *dw_worker_user_secret(struct dw_worker *w, struct dw_config *cfg,
	const struct dw_user_config *user);

/* Wakes worker W from any thread (it then runs its pool upkeep). */
void dw_worker_poke(struct dw_worker *w);

#endif
