/* Writing without a loop turn.
 *
 * libevent's socket bufferevents write from the event loop: every message
 * costs two epoll_ctl calls (arm and disarm the write event) and a wakeup.
 * dbward writes what a callback queued at the end of that callback instead,
 * and arms the write event only when the socket would block. TLS
 * bufferevents keep writing themselves. */
#ifndef DBWARD_PROXY_IO_H
#define DBWARD_PROXY_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bufferevent;

/* Switches BEV to direct writes (its write event stays off while nothing is
 * left over). */
void dw_io_direct(struct bufferevent *bev);
/* Writes BEV's queued output now; what the socket does not take is left to
 * the write event. Call it from the write callback too, to go back to direct
 * writes once drained. */
void dw_io_flush(struct bufferevent *bev);

struct evbuffer;
struct sockaddr;
struct event;

/* Reading without ioctl(FIONREAD).
 *
 * libevent asks the kernel how many bytes are waiting before every read of a
 * socket bufferevent: one extra syscall per message. For plain sockets dbward
 * reads itself into the bufferevent's input (a fixed-size readv) and calls its
 * read callback, or its event callback on end of file or error. TLS
 * bufferevents keep libevent's reading; dw_reader_set then falls back to
 * bufferevent_enable/disable. */
struct dw_reader {
	struct event *ev;          /* NULL when libevent reads */
	struct bufferevent *bev;
	bool on;
};

/* Takes over reading for BEV when it is a plain socket. */
void dw_reader_start(struct dw_reader *r, struct bufferevent *bev);
/* Reads or stops reading (flow control). */
void dw_reader_set(struct dw_reader *r, struct bufferevent *bev, bool on);
/* Stops dbward's reading, before the bufferevent is freed or replaced. */
void dw_reader_stop(struct dw_reader *r);

/* Moves the first *ACC bytes of IN to OUT (or drops them when OUT is NULL)
 * and sets *ACC to 0: relays gather runs of messages and move them at once. */
void dw_io_pass(struct evbuffer *in, struct evbuffer *out, size_t *acc);

/* The rest of a message being streamed through: of the AVAIL bytes after
 * the first *ACC, up to *REMAINING join the run to move (*ACC grows,
 * *REMAINING shrinks). True when the message is complete. */
bool dw_io_stream(size_t avail, size_t *acc, uint32_t *remaining);

/* Drops a message not for the client: first moves the run of *ACC bytes
 * before it to OUT, then drains up to TOTAL bytes of IN (what has come of
 * it); *REMAINING is set to what is still to come. */
void dw_io_drop(struct evbuffer *in, struct evbuffer *out, size_t *acc, size_t total,
	uint32_t *remaining);

/* Arms EV to fire once in MS milliseconds; 0 only disarms it. */
void dw_timer_arm(struct event *ev, uint64_t ms);

/* The peer's address as text ("unix" for unix sockets) and port. */
void dw_io_peer_name(const struct sockaddr *addr, int addrlen, char *ip, size_t cap, int *port);

#endif
