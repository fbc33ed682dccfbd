#include "backends/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

#include "config/config.h"

uint64_t dw_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct bufferevent *dw_server_bufferevent(struct event_base *base, int fd, void *ssl)
{
	if (!ssl)
		return bufferevent_socket_new(base, fd, 0);
	SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	struct bufferevent *bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_OPEN, 0);
	if (bev)
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

void dw_server_unbind_loop(struct dw_server *s)
{
	dw_reader_stop(&s->rd);
	if (s->bev) {
		bufferevent_free(s->bev);
		s->bev = NULL;
	}
}

int dw_server_socket(const struct dw_address *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (a->unix_path) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		if (strlen(a->unix_path) >= sizeof sun->sun_path)
			return -1;
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, a->unix_path);
		*len = sizeof *sun;
	} else {
		/* Numeric addresses resolve without a lookup; names are looked up
		 * here (use addresses for backends: see docs/architecture.md). */
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
		struct addrinfo *res = NULL;
		char port[8];
		snprintf(port, sizeof port, "%u", a->port);
		if (getaddrinfo(a->host, port, &hints, &res) != 0 || !res)
			return -1;
		if (res->ai_addrlen > sizeof *ss) {
			freeaddrinfo(res);
			return -1;
		}
		memcpy(ss, res->ai_addr, res->ai_addrlen);
		*len = res->ai_addrlen;
		freeaddrinfo(res);
	}
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && ss->ss_family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	}
	return fd;
}
