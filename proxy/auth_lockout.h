/* Login lockout (`auth_failures`): after `max` failed logins of one (client
 * address, user name) within `window`, that pair is refused for `lockout`,
 * the right password included, with the same answer as a wrong password.
 *
 * One table per process, shared by the workers under a mutex (logins are not
 * the statement path), bounded: past its capacity the pair not seen for the
 * longest is forgotten. Pairs are kept as salted digests, so a table entry
 * has a fixed size whatever user name a client sends. */
#ifndef DBWARD_PROXY_AUTH_LOCKOUT_H
#define DBWARD_PROXY_AUTH_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "proxy/session_info.h"

struct dw_lockout;

#define DW_LOCKOUT_CAP 65536u

struct dw_lockout *dw_lockout_new(size_t cap) __attribute__((warn_unused_result));
void dw_lockout_free(struct dw_lockout *lo);

/* True when CFG turns lockouts on (every value non-zero). */
bool dw_lockout_enabled(const struct dw_auth_failures_config *cfg);

/* True when (IP, USER) is locked out at NOW (milliseconds, monotonic);
 * *LEFT is then how long it stays so. */
bool dw_lockout_locked(struct dw_lockout *lo, const char *ip, const char *user, uint64_t now,
	uint64_t *left);
/* A failed login of (IP, USER) at NOW: true when it starts a lockout. The
 * failures are counted over a sliding window (the current one plus the
 * previous one, weighted by how much of it still falls within WINDOW). */
bool dw_lockout_failure(struct dw_lockout *lo, const struct dw_auth_failures_config *cfg,
	const char *ip, const char *user, uint64_t now);
/* A successful login: the pair's failures are forgotten. */
void dw_lockout_success(struct dw_lockout *lo, const char *ip, const char *user);
size_t dw_lockout_count(struct dw_lockout *lo);

/* The verdict on a login attempt of WHO whose password check said
 * PASSWORD_OK: true when it may go on (its failures are forgotten). When
 * not, the attempt's `auth` record (login_failed, or locked_out) is written
 * and logged; the caller answers as for a wrong password. */
bool dw_lockout_judge(struct dw_lockout *lo, const struct dw_auth_failures_config *cfg,
	const struct dw_session_info *who, bool password_ok);

#endif
