/* Periodic health checks of the backends, all on one event loop.
 *
 * Every `health_check.interval` (0 = never) a backend gets one non-blocking
 * check, admitted by its circuit breaker like any connection attempt (so none
 * runs while the circuit is open, and one after `reset_after` is a probe):
 *
 *   PostgreSQL  TCP (or unix socket) connect, a GSSENCRequest, and the
 *               server's one-byte answer ('G' or 'N'; an ErrorResponse from a
 *               server older than 12 counts too). The server logs nothing for
 *               it and no login happens.
 *   MySQL       TCP (or unix socket) connect and the server's first packet: a
 *               protocol-10 greeting, or an ERR packet (the server answers
 *               but refuses connections, e.g. too many of them).
 *
 * A check that fails (refused, unreachable, closed, not the expected answer,
 * or nothing within `timeouts.connect`, or within the interval when that is
 * 0) counts as a failed attempt for the breaker; one that passes as a
 * successful one, a probe success when the circuit is half-open. */
#ifndef DBWARD_BACKENDS_HEALTH_H
#define DBWARD_BACKENDS_HEALTH_H

#include "config/config.h"

struct event_base;

/* Starts the checks of CFG's backends on BASE (whose loop need not run yet).
 * Returns 0, or -1 when out of memory. */
int dw_health_start(struct event_base *base, struct dw_config *cfg);
/* Stops them; from BASE's thread, or after its loop ended. Does nothing when
 * they are not running. */
void dw_health_stop(void);

#endif
