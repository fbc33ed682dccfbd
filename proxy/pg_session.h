/* A PostgreSQL client session: startup, TLS, authentication, then the relay
 * to server connections taken from the pool. pg_session.c owns the login
 * phase and the one close path; pg_relay.c owns the message stream once the
 * client is logged in. */
#ifndef DBWARD_PROXY_PG_SESSION_H
#define DBWARD_PROXY_PG_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "backends/pg_server.h"
#include "backends/pool.h"
#include "config/config.h"
#include "proxy/pg_auth.h"
#include "proxy/pg_params.h"
#include "proxy/audit_names.h"
#include "proxy/pg_stmt.h"
#include "proxy/rate_limit.h"
#include "proxy/stmt_audit.h"
#include "proxy/stmt_guard.h"
#include "proxy/stmt_timeout.h"

struct bufferevent;
struct event;
struct dw_worker;
struct dw_cancel_target;

enum pg_session_state {
	PGC_STARTUP = 0,   /* waiting for SSLRequest / StartupMessage */
	PGC_AUTH,          /* waiting for the password message */
	PGC_LOGIN_POOL,    /* authenticated, waiting for a server connection */
	PGC_LOGIN_SYNC,    /* applying the startup parameters on the server */
	PGC_IDLE,          /* logged in, no server attached (transaction pooling) */
	PGC_WAIT_SERVER,   /* has input, waiting for a server connection */
	PGC_ACTIVE,        /* server attached, relaying */
	PGC_CLOSING,
};

enum pg_auth_phase { PGA_NONE = 0, PGA_SASL_INIT, PGA_SASL_FINAL, PGA_MD5, PGA_CLEARTEXT };

struct pg_session {
	struct dw_worker *worker;
	struct dw_config *cfg;                 /* reference held */
	struct dw_config *cfg_kept;            /* an older one its rate-limit entry lives in */
	uint64_t cfg_seen;                     /* serial of the last configuration looked at */
	size_t listener_index;
	const struct dw_listener_config *listener;
	const struct dw_backend_config *backend;
	uint64_t id;
	uint64_t connected_at_ms;              /* wall clock, for the admin API */
	enum pg_session_state state;

	int fd;
	struct bufferevent *bev;
	struct dw_reader rd;                   /* reads of the plain socket */
	SSL *ssl;
	bool tls;
	bool gssenc_answered;
	char peer_ip[64];
	int peer_port;
	struct sockaddr_storage peer_addr;

	struct event *timer;                   /* login, then pool wait */

	char *user;
	char *database;
	struct pg_params wants;                /* startup parameters to apply */
	const struct dw_user_config *ucfg;
	enum pg_auth_phase auth;
	struct dw_scram_server scram;
	struct dw_scram_secret mock_secret;
	uint8_t md5_salt[4];

	struct dw_pool *pool;
	struct dw_pool_waiter waiter;
	struct pg_server *server;
	bool transaction_pooling;
	uint32_t client_remaining;            /* bytes of a streamed client message still to pass */
	bool client_paused;                   /* reading stopped: server busy or backlog full */
	bool skip_until_sync;                 /* after an error dbward raised in a batch */
	struct pg_stmt_map stmts;
	struct dw_guard guard;                 /* statement policy */
	struct dw_limit_session limit;         /* rate limits */
	struct dw_stmt_notes notes;            /* statements awaiting their audit record */
	struct dw_audit_names audit_stmts;     /* prepared statement name -> what it is */
	struct dw_audit_names audit_portals;   /* portal name -> what it runs */
	uint32_t audit_batch;                  /* message number of the open extended batch */
	uint32_t audit_query;                  /* message number of the judged simple query */
	bool audit_query_unsent;               /* ... noted, not yet sent to a server */

	/* Statement time and result limits (pg_limits.c). */
	struct event *stmt_timer;
	uint32_t timed_serial;                 /* the statement stmt_timer runs for, 0 = none */
	bool timer_grace;                      /* cancelled: waiting for the server to stop */
	bool timer_idle;                       /* no statement runs: client_idle or
	                                          idle_in_transaction runs instead */
	bool idle_in_tx;                       /* ... and which of the two */
	uint64_t last_activity_us;             /* client input, or the end of a result */
	uint32_t counted_serial;               /* the statement rows/bytes count */
	uint64_t result_rows, result_bytes;
	uint32_t query_kinds;                  /* of the simple query being forwarded */
	struct dw_kind_cache kinds;            /* of named statements and portals */

	struct dw_cancel_target *cancel;
	uint32_t key_pid;
	uint32_t key_secret;
	TAILQ_ENTRY(pg_session) link;      /* worker's sessions */
};

/* A reload happened: adopt the new configuration (policy, limits, error
 * handling) before the next statement. */
void pg_session_adopt_config(struct pg_session *s);

/* True while a statement of the session is in flight (shutdown waits). */
bool pg_session_busy(const struct pg_session *s);

/* Takes over an accepted socket, with CFG (the caller keeps its reference). */
void pg_session_new(struct dw_worker *w, struct dw_config *cfg, size_t listener_index, int fd,
	const struct sockaddr *addr, int addrlen);

/* The one way a session ends. SQLSTATE/MESSAGE, when given, are sent to the
 * client as a FATAL error first. Frees the session after the current
 * callback returns; callers return right after calling it. */
void pg_session_close(struct pg_session *s, const char *sqlstate, const char *message);

/* Refuses the request at the head of the client's input (no server is
 * attached): a simple query gets ERROR + ReadyForQuery, an extended batch gets
 * ERROR and is skipped up to its Sync. The session stays usable. */
void pg_session_fail_request(struct pg_session *s, const char *sqlstate, const char *message);

/* Rate limits on the Query or Execute ('Q'/'E', TYPE) at the head of the
 * client's input (TOTAL bytes, all buffered): GO, WAIT (reading stopped
 * until the limit lets it go) or REFUSE (answered with 53400 and dropped;
 * the session carries on unless its state says otherwise). */
enum dw_limit_verdict pg_session_admit(struct pg_session *s, char type, size_t total);

/* Shutdown: frees the session at once, without waiting for its client. */
void pg_session_destroy(struct pg_session *s);

/* pg_relay.c */
void pg_relay_attach(struct pg_session *s, struct pg_server *srv);
void pg_relay_client_input(struct pg_session *s);
void pg_relay_detach(struct pg_session *s, bool reusable);
/* Answers the client's current extended-protocol batch with an ERROR, in
 * order with the replies still due, and drops its messages up to Sync (which
 * then gets its ReadyForQuery), as the server does after an error. */
void pg_relay_fail_batch(struct pg_session *s, const char *sqlstate, const char *message);
/* Answers a simple query (or function call) dbward refused: its error, then
 * ReadyForQuery in the transaction status the server is in by then (idle
 * when no server is attached). The caller has dropped the message. */
void pg_relay_fail_query(struct pg_session *s, const char *sqlstate, const char *message);
/* True when the attached server can go back to a pool right now. */
bool pg_relay_server_clean(const struct pg_server *srv);
/* Resets a server whose client is gone (session pooling) and releases it. */
void pg_relay_reset_and_release(struct pg_server *srv);
/* Who the session is, for the statement guard and for audit records. */
void pg_session_info(const struct pg_session *s, struct dw_session_info *info);
/* Login finished on the server side: send ParameterStatus etc. */
void pg_session_login_complete(struct pg_session *s);
/* pg_limits.c: statement time limits and result limits. */
/* Arms the statement timer for the statement the server works on now. */
void pg_limits_update(struct pg_session *s);
/* A DataRow of BYTES for the statement at the head of SRV's replies:
 * false when it must not reach the client (the result went past a limit,
 * the statement is being cancelled). */
bool pg_limits_row(struct pg_session *s, struct pg_server *srv, size_t bytes);
/* The time limit of a message of KINDS for this session. */
uint32_t pg_limits_timeout(const struct pg_session *s, uint32_t kinds);
/* Starts the pool wait (login or later). */
void pg_session_need_server(struct pg_session *s);

#endif
