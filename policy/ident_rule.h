/* Matching referenced objects and called functions against the identifier
 * and function rules of a policy (the rules are parsed by the loader:
 * config/policy_syntax.h).
 *
 * Names are compared as the analyzer folded them: PostgreSQL keeps the case
 * of quoted parts and lower-cases the rest, so comparison is exact (rules
 * are folded the same way); MySQL compares table names case-insensitively,
 * so for MySQL both sides are compared ignoring ASCII case. */
#ifndef DBWARD_POLICY_IDENT_RULE_H
#define DBWARD_POLICY_IDENT_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

/* PATTERN (NUL-terminated, '*' = any run of bytes, possibly empty) against
 * LEN bytes at S. FOLD: ignore ASCII case. */
bool dw_glob_match(const char *pattern, const char *s, size_t len, bool fold);

/* An object name after resolving its schema (see policy.c). SCHEMA_LEN 0
 * means "no schema": only rules whose schema part matches the empty string
 * ('*') or rules without a schema part match it. */
struct dw_resolved_name {
	const char *schema;
	size_t schema_len;
	const char *name;
	size_t name_len;
};

bool dw_ident_rule_matches(const struct dw_ident_rule *rule, const struct dw_resolved_name *n,
	bool fold);

/* A functions.deny entry ("name" or "schema.name", lower case) against a
 * call: "name" matches the name in any schema; "schema.name" matches a call
 * qualified with that schema and an unqualified call of the name (where an
 * unqualified call resolves depends on the search path, which dbward does
 * not track, so the stricter reading is taken). Always case-insensitive. */
bool dw_function_rule_matches(const char *entry, const char *schema, size_t schema_len,
	const char *name, size_t name_len);

#endif
