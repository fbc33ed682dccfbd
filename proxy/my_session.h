/* A MySQL / MariaDB client session: greeting, TLS, authentication, then the
 * command relay to server connections from the pool. my_session.c owns the
 * login and the one close path; my_relay.c owns the command stream. */
#ifndef DBWARD_PROXY_MY_SESSION_H
#define DBWARD_PROXY_MY_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "backends/my_server.h"
#include "backends/pool.h"
#include "config/config.h"
#include "proxy/audit_names.h"
#include "proxy/my_stmt.h"
#include "proxy/rate_limit.h"
#include "proxy/stmt_audit.h"
#include "proxy/stmt_guard.h"
#include "proxy/stmt_timeout.h"

struct bufferevent;
struct event;
struct dw_worker;

enum my_session_state {
	MYC_HANDSHAKE = 0, /* greeting sent, waiting for the client's response */
	MYC_AUTH,          /* authentication exchange */
	MYC_LOGIN_POOL,    /* authenticated, waiting for a server connection */
	MYC_IDLE,          /* logged in, no server attached (transaction pooling) */
	MYC_WAIT_SERVER,   /* has a command, waiting for a server connection */
	MYC_ACTIVE,        /* server attached */
	MYC_CLOSING,
};

enum my_auth_step { MYA_NONE = 0, MYA_NATIVE, MYA_SHA2_FIRST, MYA_SHA2_FULL };

struct my_session {
	struct dw_worker *worker;
	struct dw_config *cfg;
	struct dw_config *cfg_kept;            /* an older one its rate-limit entry lives in */
	uint64_t cfg_seen;                     /* serial of the last configuration looked at */
	size_t listener_index;
	const struct dw_listener_config *listener;
	const struct dw_backend_config *backend;
	uint64_t id;
	uint64_t connected_at_ms;          /* wall clock, for the admin API */
	enum my_session_state state;

	int fd;
	struct bufferevent *bev;
	struct dw_reader rd;               /* reads of the plain socket */
	bool tls;
	char peer_ip[64];
	int peer_port;
	struct sockaddr_storage peer_addr;
	struct event *timer;               /* login, pool wait, deferred free */
	uint64_t close_deadline_us;        /* closing: give up flushing then */

	uint8_t scramble[20];
	uint64_t offered;                  /* capabilities announced in the greeting */
	uint64_t caps;                     /* negotiated with the client */
	uint8_t charset;
	uint8_t seq;                       /* next sequence id towards the client */
	char *user;
	char *database;                    /* current default database ("" = none) */
	const struct dw_user_config *ucfg;
	enum my_auth_step auth;
	bool asked_key;
	bool autocommit;                   /* what the client last set */

	struct dw_pool *pool;
	struct dw_pool_waiter waiter;
	struct my_server *server;
	bool transaction_pooling;
	bool pinned;                       /* session state ties it to its server */
	uint32_t cmd_remaining;            /* bytes of a streamed command still to pass */
	bool cmd_continues;                /* the last command packet was full size */
	uint64_t cmd_total;                /* payload bytes of the current command so far */
	struct my_cstmt_table stmts;       /* prepared statements (transaction pooling) */
	struct dw_guard guard;             /* statement policy */
	struct dw_limit_session limit;     /* rate limits */
	struct dw_stmt_notes notes;        /* statements awaiting their audit record */
	struct dw_audit_names audit_stmts; /* statement id (4 bytes) -> what it is */
	struct dw_stmt_summary *audit_preparing; /* the COM_STMT_PREPARE in flight */
	uint16_t fresh_status;             /* a fresh server session's status flags */
	char *application;                 /* connect attribute program_name, or NULL */
	bool audit_unsent;                 /* the newest noted command is not sent yet */
	/* Statement time and result limits (my_limits.c). */
	struct event *stmt_timer;
	bool timer_grace;                  /* cut: waiting for the server to stop */
	bool timer_idle;                   /* no statement runs: an idle limit does */
	bool idle_in_tx;                   /* ... idle_in_transaction, not client_idle */
	uint64_t last_activity_us;         /* client input, or the end of a reply */
	uint64_t timer_ms;                 /* the limit running */
	const char *timer_rule;            /* ... and its name ("timeouts.query") */
	uint32_t preparing_kinds;          /* of the COM_STMT_PREPARE in flight */
	uint64_t stmt_sent_us;             /* the statement command in flight: when it left */
	uint8_t stmt_class;                /* ... and its dw_m_class (metrics) */
	struct dw_kind_cache kinds;        /* of prepared statements, by client id */
	struct {
		uint16_t code;
		char sqlstate[6];
		char message[256];
		const char *action, *rule;
		char ref[48];
	} cut;                             /* what the cut reply ends with */
	TAILQ_ENTRY(my_session) link;
};

/* my_limits.c */
/* A statement command of KINDS goes to the server now: its time limit. */
void my_limits_start(struct my_session *s, uint32_t kinds);
/* The server connection goes: no statement limit runs any more. */
void my_limits_stop(struct my_session *s);
/* No statement runs (a reply ended, the session logged in or gave its
 * server back): the idle limits apply. */
void my_limits_idle(struct my_session *s);
/* After each packet of a result: false when the reply went past a result
 * limit and was cut. */
bool my_limits_check_result(struct my_session *s, struct my_server *srv);
/* The client left while the server works for it: stop the statement and
 * end the server connection's transaction. */
void my_limits_client_gone(struct my_session *s, struct my_server *srv);

/* A reload happened: adopt the new configuration (policy, limits, error
 * handling) before the next statement. */
void my_session_adopt_config(struct my_session *s);

/* True while a command of the session is in flight (shutdown waits). */
bool my_session_busy(const struct my_session *s);

/* Takes over an accepted socket, with CFG (the caller keeps its reference). */
void my_session_new(struct dw_worker *w, struct dw_config *cfg, size_t listener_index, int fd,
	const struct sockaddr *addr, int addrlen);
/* The one way a session ends; ERRNO/SQLSTATE/MESSAGE, when given, are sent
 * first as an ERR packet. */
void my_session_close(struct my_session *s, uint16_t code, const char *sqlstate,
	const char *message);
void my_session_destroy(struct my_session *s);
void my_session_need_server(struct my_session *s);
/* COM_CHANGE_USER (payload P of LEN bytes, sent with sequence id SEQ):
 * authenticates again and moves the session to the new user's pool. */
void my_session_change_user(struct my_session *s, const uint8_t *p, size_t len, uint8_t seq);
/* Who the session is, for the statement guard and for audit records. */
void my_session_info(const struct my_session *s, struct dw_session_info *info);
/* Logged in on the server side: OK to the client. */
void my_session_login_complete(struct my_session *s);
/* Rate limits on the COM_QUERY or COM_STMT_EXECUTE at the head of the
 * client's input (TOTAL bytes, sent with sequence id SEQ; all buffered
 * unless it spans packets): GO, WAIT (reading stopped until the limit lets
 * it go) or REFUSE (answered with 1226 and dropped; a command spanning
 * packets ends the session). */
enum dw_limit_verdict my_session_admit(struct my_session *s, uint8_t seq, size_t total);

/* my_relay.c */
void my_relay_attach(struct my_session *s, struct my_server *srv);
void my_relay_detach(struct my_session *s, bool reusable);
void my_relay_client_input(struct my_session *s);
bool my_relay_server_clean(const struct my_server *srv);
/* Server status flags STATUS say how the session's SQL reads now
 * (NO_BACKSLASH_ESCAPES; MariaDB's ANSI_QUOTES). */
void my_relay_note_status(struct my_session *s, uint16_t status);
/* Answers the command at the head of the client's input with an ERR and
 * drops it (no server is attached). */
void my_relay_fail_command(struct my_session *s, uint16_t code, const char *sqlstate,
	const char *message);

#endif
