/* One server connection to a MySQL / MariaDB backend.
 *
 * dbward speaks the client side of the handshake itself (greeting, optional
 * TLS, HandshakeResponse41, mysql_native_password and caching_sha2_password
 * with AuthSwitch, fast and full authentication) so that the capability flags
 * and character set of the server connection are exactly the ones its
 * clients negotiated with dbward: the bytes then relay unchanged. (MariaDB
 * Connector/C always adds capabilities of its own, such as extended column
 * metadata, that change the wire format; see docs/mysql.md.) */
#ifndef DBWARD_BACKENDS_MY_SERVER_H
#define DBWARD_BACKENDS_MY_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "backends/server.h"
#include "config/config.h"
#include "proxy/my_reply.h"
#include "proxy/my_stmt.h"

struct event;
struct my_session;

enum my_server_phase {
	MYS_CONNECT = 0,   /* TCP / unix connect in progress */
	MYS_GREETING,      /* waiting for the server's handshake */
	MYS_TLS,           /* TLS handshake after the SSLRequest */
	MYS_AUTH,          /* HandshakeResponse sent, authentication exchange */
	MYS_READY,
};

struct my_server {
	struct dw_server base;        /* first: pools see only this */
	enum my_server_phase phase;
	int fd;
	struct event *timer;          /* connect timeout */
	SSL *ssl;
	uint64_t caps;                /* negotiated with the server */
	uint8_t charset;
	uint32_t conn_id;             /* the server's thread id (KILL QUERY) */
	uint8_t scramble[20];
	uint8_t seq;                  /* next sequence id during authentication */
	bool sha2;                    /* current auth plugin is caching_sha2_password */
	bool asked_key;
	uint16_t status;              /* last status flags (SERVER_STATUS_IN_TRANS...) */
	char *schema;                 /* current default database */

	/* Relay state, owned by proxy/my_relay.c. */
	struct my_session *client;
	struct my_reply reply;
	bool busy;                    /* a command is in flight */
	bool swallow;                 /* its reply is dbward's own */
	uint32_t pkt_remaining;       /* bytes of a streamed packet still to pass */
	bool reply_started;           /* a packet of the current reply was seen */
	uint32_t prepare_for;         /* client statement id of a relayed PREPARE */
	uint32_t inject_for;          /* client statement id dbward is preparing here */
	bool inject_failed;           /* ... and the server refused it */
	uint16_t inject_err;
	char inject_sqlstate[6];
	struct my_stmt_cache *stmts;  /* statements prepared on this connection */
	/* A reply dbward cut (proxy/my_limits.c): from the next packet on it
	 * is dropped, and its end becomes dbward's ERR. */
	bool cut;
	bool fwd_any;                 /* a packet of this reply reached the client */
	uint32_t units_noted;         /* statement results of this reply recorded already */
	uint8_t fwd_seq;              /* ... the sequence id of the last one */
	uint32_t drop_remaining;      /* bytes of a dropped packet still to come */
	uint64_t reply_bytes;         /* of the current reply, for results.max_bytes */
	bool kill_unconfirmed;        /* a KILL QUERY may still land: never reuse */
};

static inline struct my_server *my_server_of(struct dw_server *s)
{
	return (struct my_server *)s;
}

extern const struct dw_server_ops my_server_ops;

/* What dbward learnt of a backend from its greeting: announced to clients
 * before any server connection of theirs exists. */
struct my_backend_info {
	char version[96];
	uint64_t caps;
	uint8_t charset;
	uint16_t status;     /* a fresh session's status: AUTOCOMMIT as the server defaults */
	bool known;
};

/* The last greeting seen from BACKEND (by the probe or any connection). */
bool my_backend_info_get(const char *backend, struct my_backend_info *out);

/* Reads the greeting of BACKEND once (blocking, with the connect timeout):
 * called at start-up from the main thread, never from a worker. */
void my_backend_probe(const struct dw_backend_config *backend, uint64_t timeout_ms,
	struct my_backend_info *out);

#endif
