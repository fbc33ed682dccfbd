#include "proxy/io.h"

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
