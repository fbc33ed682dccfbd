#include "proxy/io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <errno.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

void dw_io_drop(struct evbuffer *in, struct evbuffer *out, size_t *acc, size_t total,
	uint32_t *remaining)
{
	dw_io_pass(in, out, acc);
	size_t have = evbuffer_get_length(in);
	size_t d = have < total ? have : total;
	evbuffer_drain(in, d);
	*remaining = (uint32_t)(total - d);
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

#define READ_CHUNK 4096

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	(void)what;
	struct dw_reader *r = arg;
	struct bufferevent *bev = r->bev;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_iovec v[2];
	/* The bufferevent keeps the end of its input frozen so only it adds. */
	evbuffer_unfreeze(in, 0);
	int nv = evbuffer_reserve_space(in, READ_CHUNK, v, 2);
	ssize_t n = -1;
	if (nv > 0) {
		struct iovec iov[2];
		for (int i = 0; i < nv; i++) {
			iov[i].iov_base = v[i].iov_base;
			iov[i].iov_len = v[i].iov_len;
		}
		n = readv(fd, iov, nv);
		if (n > 0) {
			size_t left = (size_t)n;
			for (int i = 0; i < nv; i++) {
				size_t take = left < v[i].iov_len ? left : v[i].iov_len;
				v[i].iov_len = take;
				left -= take;
			}
			evbuffer_commit_space(in, v, nv);
		}
	}
	int err = errno;
	evbuffer_freeze(in, 0);
	bufferevent_data_cb readcb;
	bufferevent_event_cb eventcb;
	void *cbarg;
	bufferevent_getcb(bev, &readcb, NULL, &eventcb, &cbarg);
	if (n > 0) {
		if (readcb)
			readcb(bev, cbarg);
	} else if (n == 0) {
		if (eventcb)
			eventcb(bev, BEV_EVENT_READING | BEV_EVENT_EOF, cbarg);
	} else if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) {
		if (eventcb)
			eventcb(bev, BEV_EVENT_READING | BEV_EVENT_ERROR, cbarg);
	}
}

void dw_reader_start(struct dw_reader *r, struct bufferevent *bev)
{
	r->bev = bev;
	r->ev = NULL;
	r->on = true;
	int fd = plain_fd(bev);
	if (fd < 0)
		return;
	r->ev = event_new(bufferevent_get_base(bev), fd, EV_READ | EV_PERSIST, on_readable, r);
	if (!r->ev)
		return;
	bufferevent_disable(bev, EV_READ);
	event_add(r->ev, NULL);
}

void dw_reader_set(struct dw_reader *r, struct bufferevent *bev, bool on)
{
	if (!r->ev || r->bev != bev) {
		if (on)
			bufferevent_enable(bev, EV_READ);
		else
			bufferevent_disable(bev, EV_READ);
		return;
	}
	if (on == r->on)
		return;
	r->on = on;
	if (on)
		event_add(r->ev, NULL);
	else
		event_del(r->ev);
}

void dw_reader_stop(struct dw_reader *r)
{
	if (r->ev) {
		event_free(r->ev);
		r->ev = NULL;
	}
	r->bev = NULL;
}

bool dw_io_stream(size_t avail, size_t *acc, uint32_t *remaining)
{
	size_t left = avail - *acc;
	size_t take = left < *remaining ? left : *remaining;
	*acc += take;
	*remaining -= (uint32_t)take;
	return *remaining == 0;
}

void dw_timer_arm(struct event *ev, uint64_t ms)
{
	evtimer_del(ev);
	if (!ms)
		return;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms % 1000) * 1000)};
	evtimer_add(ev, &tv);
}
