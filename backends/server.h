/* What every server connection has, whatever its protocol: the part the
 * pools manage. Protocol structs (pg_server, my_server) embed it first as
 * `base` and provide the operations below. */
#ifndef DBWARD_BACKENDS_SERVER_H
#define DBWARD_BACKENDS_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "backends/breaker.h"
#include "proxy/io.h"

struct bufferevent;
struct dw_address;
struct event_base;
struct dw_pool;
struct dw_server;

enum dw_server_state {
	DWS_CONNECTING = 0,
	DWS_IDLE,       /* in the pool */
	DWS_ATTACHED,   /* serving a client */
	DWS_RESETTING,  /* being cleaned before going back to the pool */
	DWS_CLOSED,
};

/* Why a connection attempt failed, which decides what happens next. */
enum dw_connect_failure {
	/* The server could not be reached: refused, unreachable, timed out, or
	 * closed before it said anything. Retried; counts against the breaker. */
	DW_CONNECT_NETWORK = 0,
	/* The server answered and said no (authentication, TLS, unknown
	 * database, too many connections, protocol). Not retried. */
	DW_CONNECT_ANSWERED,
};

/* Connection options that must be the same for a client and the server
 * connections it uses (MySQL: capability flags and character set); all zero
 * for PostgreSQL. They are part of the pool key. */
struct dw_pool_variant {
	uint64_t caps;
	uint32_t charset;
};

struct dw_server_ops {
	/* Starts connecting for POOL; the outcome is reported through
	 * dw_pool_server_ready / dw_pool_server_failed. Returns NULL when the
	 * attempt could not start (the reason is in pool->last_error). */
	struct dw_server *(*connect)(struct dw_pool *pool);
	void (*free)(struct dw_server *s);
	/* Creates / drops the bufferevent on a worker's loop, so a connection
	 * can move between workers. */
	bool (*bind_loop)(struct dw_server *s, struct event_base *base);
	void (*unbind_loop)(struct dw_server *s);
	/* The connection leaves its worker: drop references to worker state. */
	void (*leave_worker)(struct dw_server *s);
};

struct dw_server {
	const struct dw_server_ops *ops;
	struct dw_pool *pool;
	struct dw_pool_variant variant; /* what it was opened with */
	enum dw_server_state state;
	struct bufferevent *bev;      /* once connected */
	struct dw_reader rd;          /* reads of a plain socket, once relaying */
	bool broken;                  /* must not be reused */
	uint64_t created_us;
	uint64_t idle_since_us;
	uint32_t uses;
	uint32_t attempt;             /* while connecting: 1 = first try, 2 = first retry... */
	struct dw_breaker_ticket ticket; /* while connecting: the breaker's admission */
	TAILQ_ENTRY(dw_server) link;
	struct dw_server *handoff_next;
};

uint64_t dw_now_us(void);

/* A bufferevent over an established server socket FD on BASE: through SSL
 * (already connected, owned by the caller) when given. Neither the socket nor
 * the SSL object is freed with it, so a connection can move between loops. */
struct bufferevent *dw_server_bufferevent(struct event_base *base, int fd, void *ssl);
/* The unbind_loop operation every protocol shares: drops the bufferevent. */
void dw_server_unbind_loop(struct dw_server *s);

/* A non-blocking stream socket for address A (a unix socket path is used as
 * it is), its address in *SS / *LEN for connect(). Host names are looked up
 * here, blocking. Returns -1 when A cannot be resolved or no socket opened. */
int dw_server_socket(const struct dw_address *a, struct sockaddr_storage *ss, socklen_t *len);

#endif
