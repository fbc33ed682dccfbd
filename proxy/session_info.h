/* Who a client session is: what policies match on and what log lines and
 * audit records name. Each protocol's session fills it from its own state
 * (pg_session_info, my_session_info); the pointers stay valid while the
 * session does not change. */
#ifndef DBWARD_PROXY_SESSION_INFO_H
#define DBWARD_PROXY_SESSION_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct dw_session_info {
	uint64_t id;
	unsigned worker;
	const char *listener;
	const char *protocol;          /* "postgres" | "mysql" */
	const char *backend;
	const char *user;              /* NULL before the startup message */
	const char *database;
	const char *application;
	const char *ip;
	int port;
	bool tls;
	const struct sockaddr *client; /* for CIDR matching; AF_UNIX never matches */
};

#endif
