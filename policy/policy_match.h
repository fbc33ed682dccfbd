/* Which policy applies to a session: `match` of each policy against the
 * session's user, database, listener and client address. */
#ifndef DBWARD_POLICY_POLICY_MATCH_H
#define DBWARD_POLICY_POLICY_MATCH_H

#include <stdbool.h>
#include <sys/socket.h>

#include "config/config.h"
#include "policy/policy.h"

/* True when ADDR lies in NET. An IPv4 client seen over IPv6 as
 * ::ffff:a.b.c.d matches IPv4 networks, and an IPv4 client matches IPv6
 * networks written in that mapped form. NULL or AF_UNIX never matches. */
bool dw_cidr_contains(const struct dw_cidr *net, const struct sockaddr *addr);

/* True when every key set in MATCH fits SUBJECT. */
bool dw_match_fits(const struct dw_match_config *match, const struct dw_policy_subject *subject);

#endif
