/* The optional second sink: RFC 5424 syslog messages carrying each audit
 * line's JSON as their MSG, over UDP (one datagram per record) or TCP
 * (octet-counted framing, RFC 6587), reconnecting when the collector goes
 * away. Used by the audit writer thread only. */
#ifndef DBWARD_AUDIT_AUDIT_SYSLOG_H
#define DBWARD_AUDIT_AUDIT_SYSLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct dw_syslog;

/* ADDRESS host:port; TCP when TCP is true. Never fails for an unreachable
 * collector (it retries on send); NULL only when out of memory. */
struct dw_syslog *dw_syslog_open(const struct dw_address *address, bool tcp);
/* Sends one record: JSON (LEN bytes, no newline) with the syslog severity
 * of SEVERITY ("info", "warning", "error", "critical"). Returns false when
 * it could not be delivered (counted by the caller; the file is the record
 * of truth). Never blocks longer than about a second. */
bool dw_syslog_send(struct dw_syslog *s, const char *json, size_t len, const char *severity);
void dw_syslog_close(struct dw_syslog *s);

#endif
