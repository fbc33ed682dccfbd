#include "proxy/io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>

static int plain_fd(struct bufferevent *bev)
{
	if (bufferevent_openssl_get_ssl(bev))
		return -1;
	return (int)bufferevent_getfd(bev);
}

void dw_io_direct(struct bufferevent *bev)
{
	if (plain_fd(bev) >= 0)
		dw_io_flush(bev);
	else
		bufferevent_enable(bev, EV_WRITE);
}

void dw_io_flush(struct bufferevent *bev)
{
	int fd = plain_fd(bev);
	if (fd < 0)
		return;
	struct evbuffer *out = bufferevent_get_output(bev);
	if (evbuffer_get_length(out) > 0) {
		/* The bufferevent keeps the start of its output frozen so only it
		 * drains it; write the way its own write callback does. */
		evbuffer_unfreeze(out, 1);
		evbuffer_write(out, fd);
		evbuffer_freeze(out, 1);
	}
	/* Left over (or an error to report): the write event finishes the job. */
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(bev, EV_WRITE);
	else
		bufferevent_disable(bev, EV_WRITE);
}

void dw_io_pass(struct evbuffer *in, struct evbuffer *out, size_t *acc)
{
	if (!*acc)
		return;
	if (out)
		evbuffer_remove_buffer(in, out, *acc);
	else
		evbuffer_drain(in, *acc);
	*acc = 0;
}

void dw_io_peer_name(const struct sockaddr *addr, int addrlen, char *ip, size_t cap, int *port)
{
	*port = 0;
	if (addr->sa_family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
		inet_ntop(AF_INET, &in->sin_addr, ip, (socklen_t)cap);
		*port = ntohs(in->sin_port);
	} else if (addr->sa_family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)cap);
		*port = ntohs(in6->sin6_port);
	} else {
		snprintf(ip, cap, "unix");
	}
}
