/* See audit_names.h. Linear search: sessions hold a handful of prepared
 * statements and portals, and the unnamed ones (found first) dominate. */
#include "proxy/audit_names.h"

#include <stdlib.h>
#include <string.h>

static struct dw_audit_name *find(const struct dw_audit_names *m, const char *name, size_t len)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (m->e[i].len == len && memcmp(m->e[i].name, name, len) == 0)
			return &m->e[i];
	return NULL;
}

static void drop(struct dw_audit_names *m, uint32_t i)
{
	free(m->e[i].name);
	dw_stmt_summary_unref(m->e[i].sum);
	memmove(&m->e[i], &m->e[i + 1], (m->n - i - 1) * sizeof m->e[0]);
	m->n--;
}

void dw_audit_names_put(struct dw_audit_names *m, const char *name, size_t len,
	struct dw_stmt_summary *sum)
{
	struct dw_audit_name *e = find(m, name, len);
	if (e) {
		dw_stmt_summary_unref(e->sum);
		e->sum = dw_stmt_summary_ref(sum);
		return;
	}
	if (m->n == DW_AUDIT_NAMES_MAX)
		drop(m, 0);
	if (m->n == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 8;
		struct dw_audit_name *grown = realloc(m->e, cap * sizeof *grown);
		if (!grown)
			return;
		m->e = grown;
		m->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, name, len);
	copy[len] = '\0';
	m->e[m->n++] = (struct dw_audit_name){copy, len, dw_stmt_summary_ref(sum)};
}

struct dw_stmt_summary *dw_audit_names_get(const struct dw_audit_names *m, const char *name,
	size_t len)
{
	struct dw_audit_name *e = find(m, name, len);
	return e ? e->sum : NULL;
}

void dw_audit_names_remove(struct dw_audit_names *m, const char *name, size_t len)
{
	struct dw_audit_name *e = find(m, name, len);
	if (e)
		drop(m, (uint32_t)(e - m->e));
}

void dw_audit_names_clear(struct dw_audit_names *m)
{
	while (m->n)
		drop(m, m->n - 1);
	free(m->e);
	m->e = NULL;
	m->cap = 0;
}
