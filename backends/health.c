#include "backends/health.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "backends/breaker.h"
#include "backends/server.h"
#include "proxy/log.h"

/* PostgreSQL's GSSENCRequest: length 8, code 1234/5680. */
static const uint8_t gssenc_request[8] = {0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30};

enum check_phase { CHECK_IDLE = 0, CHECK_CONNECTING, CHECK_ANSWER };

struct check {
	const struct dw_backend_config *backend;
	struct dw_address address;   /* where to connect (PostgreSQL socket file resolved) */
	char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint64_t timeout_ms;
	struct dw_breaker *breaker;
	struct event_base *base;
	struct event *tick;          /* every interval */
	struct event *io;            /* the check's socket, while one runs */
	struct event *deadline;
	int fd;
	enum check_phase phase;
	struct dw_breaker_ticket ticket;
	uint8_t got[5];              /* enough of the answer to judge it */
	size_t have;
	bool failing;                /* the last check failed (said once) */
};

static struct {
	struct dw_config *cfg;
	struct check *checks;
	size_t n;
} health;

static void finish(struct check *c, bool passed, const char *why)
{
	if (c->io) {
		event_free(c->io);
		c->io = NULL;
	}
	evtimer_del(c->deadline);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	c->phase = CHECK_IDLE;
	struct dw_breaker_rules rules;
	dw_breaker_rules_of(c->backend, &rules);
	dw_breaker_report(c->breaker, &rules, dw_now_us(), c->ticket, passed);
	if (!passed && !c->failing)
		dw_warn("backend %s: health check failed: %s", c->backend->name, why);
	else if (passed && c->failing)
		dw_info("backend %s: health check passed", c->backend->name);
	c->failing = !passed;
}

static void on_io(evutil_socket_t fd, short what, void *arg);

static bool wait_for(struct check *c, short what)
{
	if (c->io)
		event_free(c->io);
	c->io = event_new(c->base, c->fd, what, on_io, c);
	return c->io && event_add(c->io, NULL) == 0;
}

/* Judges what arrived; true once enough did (then finished). */
static bool judge(struct check *c)
{
	if (c->backend->protocol == DW_PROTO_POSTGRES) {
		if (c->have < 1)
			return false;
		uint8_t a = c->got[0];
		if (a == 'G' || a == 'N' || a == 'E')
			finish(c, true, NULL);
		else
			finish(c, false, "not a PostgreSQL server's answer");
		return true;
	}
	if (c->have < sizeof c->got)
		return false;
	uint32_t len = (uint32_t)c->got[0] | (uint32_t)c->got[1] << 8 | (uint32_t)c->got[2] << 16;
	if (len >= 1 && (c->got[4] == 10 || c->got[4] == 0xff))
		finish(c, true, NULL);
	else
		finish(c, false, "not a MySQL greeting");
	return true;
}

static void on_connected(struct check *c)
{
	if (c->backend->protocol == DW_PROTO_POSTGRES) {
		/* Eight bytes into a fresh socket's empty buffer go in one call. */
		ssize_t n = send(c->fd, gssenc_request, sizeof gssenc_request, MSG_NOSIGNAL);
		if (n != (ssize_t)sizeof gssenc_request) {
			finish(c, false, n < 0 ? strerror(errno) : "short write");
			return;
		}
	}
	c->phase = CHECK_ANSWER;
	if (!wait_for(c, EV_READ))
		finish(c, false, "out of memory");
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct check *c = arg;
	if (c->phase == CHECK_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err) {
			finish(c, false, strerror(err));
			return;
		}
		on_connected(c);
		return;
	}
	ssize_t n = recv(c->fd, c->got + c->have, sizeof c->got - c->have, 0);
	if (n > 0) {
		c->have += (size_t)n;
		if (judge(c))
			return;
	} else if (n == 0) {
		finish(c, false, "connection closed before the server answered");
		return;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		finish(c, false, strerror(errno));
		return;
	}
	if (!wait_for(c, EV_READ))
		finish(c, false, "out of memory");
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct check *c = arg;
	char why[64];
	snprintf(why, sizeof why, "no answer within %llu ms", (unsigned long long)c->timeout_ms);
	finish(c, false, why);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct check *c = arg;
	if (c->phase != CHECK_IDLE)
		return; /* the previous one is still waiting for its deadline */
	struct dw_breaker_rules rules;
	dw_breaker_rules_of(c->backend, &rules);
	if (!dw_breaker_admit(c->breaker, &rules, dw_now_us(), &c->ticket))
		return; /* circuit open: no connection at all */
	c->have = 0;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	c->fd = dw_server_socket(&c->address, &ss, &sslen);
	if (c->fd < 0) {
		finish(c, false, "cannot resolve the address or open a socket");
		return;
	}
	struct timeval tv = {(time_t)(c->timeout_ms / 1000), (suseconds_t)(c->timeout_ms % 1000) * 1000};
	evtimer_add(c->deadline, &tv);
	if (connect(c->fd, (struct sockaddr *)&ss, sslen) == 0) {
		on_connected(c);
		return;
	}
	if (errno != EINPROGRESS) {
		finish(c, false, strerror(errno));
		return;
	}
	c->phase = CHECK_CONNECTING;
	if (!wait_for(c, EV_WRITE))
		finish(c, false, "out of memory");
}

/* libpq's rule: a unix_path naming ".s.PGSQL.<port>" is the socket itself,
 * anything else the directory holding ".s.PGSQL.5432". */
static void check_address(struct check *c)
{
	const struct dw_address *a = &c->backend->address;
	c->address = *a;
	if (!a->unix_path || c->backend->protocol != DW_PROTO_POSTGRES)
		return;
	const char *base = strrchr(a->unix_path, '/');
	base = base ? base + 1 : a->unix_path;
	if (strncmp(base, ".s.PGSQL.", 9) == 0)
		snprintf(c->unix_path, sizeof c->unix_path, "%s", a->unix_path);
	else
		snprintf(c->unix_path, sizeof c->unix_path, "%s/.s.PGSQL.5432", a->unix_path);
	c->address.unix_path = c->unix_path;
}

int dw_health_start(struct event_base *base, struct dw_config *cfg)
{
	dw_health_stop();
	health.checks = calloc(cfg->n_backends ? cfg->n_backends : 1, sizeof *health.checks);
	if (!health.checks)
		return -1;
	health.cfg = dw_config_ref(cfg);
	health.n = cfg->n_backends;
	for (size_t i = 0; i < cfg->n_backends; i++)
		health.checks[i].fd = -1;
	for (size_t i = 0; i < cfg->n_backends; i++) {
		struct check *c = &health.checks[i];
		const struct dw_backend_config *b = &cfg->backends[i];
		c->backend = b;
		c->base = base;
		/* Every backend has its breaker from the start, for its readers. */
		c->breaker = dw_breaker_get(b->name);
		if (!c->breaker)
			goto fail;
		if (!b->health_check_interval_ms)
			continue;
		check_address(c);
		c->timeout_ms = cfg->timeouts.connect_ms ? cfg->timeouts.connect_ms
							  : b->health_check_interval_ms;
		c->tick = event_new(base, -1, EV_PERSIST, on_tick, c);
		c->deadline = evtimer_new(base, on_deadline, c);
		uint64_t ms = b->health_check_interval_ms;
		struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
		if (!c->tick || !c->deadline || event_add(c->tick, &tv) != 0)
			goto fail;
	}
	return 0;
fail:
	dw_health_stop();
	return -1;
}

void dw_health_stop(void)
{
	for (size_t i = 0; i < health.n; i++) {
		struct check *c = &health.checks[i];
		if (c->io)
			event_free(c->io);
		if (c->tick)
			event_free(c->tick);
		if (c->deadline)
			event_free(c->deadline);
		if (c->fd >= 0)
			close(c->fd);
	}
	free(health.checks);
	if (health.cfg)
		dw_config_unref(health.cfg);
	memset(&health, 0, sizeof health);
}
