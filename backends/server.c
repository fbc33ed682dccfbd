#include "backends/server.h"

#include <time.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

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
