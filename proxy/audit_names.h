/* Names to audit summaries: a session's prepared statements and portals
 * (PostgreSQL) or statement ids (MySQL), so that each execution's record
 * says which statement ran. Small and bounded: past DW_AUDIT_NAMES_MAX the
 * oldest name is forgotten (its executions are then recorded as an unknown
 * statement). One per session, used only while auditing is on. */
#ifndef DBWARD_PROXY_AUDIT_NAMES_H
#define DBWARD_PROXY_AUDIT_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "proxy/stmt_audit.h"

#define DW_AUDIT_NAMES_MAX 4096u

struct dw_audit_name {
	char *name;
	size_t len;
	struct dw_stmt_summary *sum;   /* one reference held */
};

struct dw_audit_names {
	struct dw_audit_name *e;
	uint32_t n, cap;
};

/* Binds NAME (LEN bytes) to SUM (a new reference is taken; SUM may be NULL). */
void dw_audit_names_put(struct dw_audit_names *m, const char *name, size_t len,
	struct dw_stmt_summary *sum);
struct dw_stmt_summary *dw_audit_names_get(const struct dw_audit_names *m, const char *name,
	size_t len);
void dw_audit_names_remove(struct dw_audit_names *m, const char *name, size_t len);
void dw_audit_names_clear(struct dw_audit_names *m);

#endif
