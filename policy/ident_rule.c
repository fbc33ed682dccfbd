/* Wildcard matching of identifier and function rules. */
#include "policy/ident_rule.h"

#include <stdint.h>
#include <string.h>

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* PATTERN is PLEN bytes here, so that a part of a rule can be matched
 * without copying it. */
static bool glob_n(const char *pattern, size_t plen, const char *s, size_t len, bool fold)
{
	size_t p = 0, i = 0, star = SIZE_MAX, mark = 0;

	/* Greedy with one backtrack point: on a mismatch after a '*', let the
	 * star swallow one more byte. Linear in practice, O(len * plen) at
	 * worst, and both are short. */
	while (i < len) {
		if (p < plen && pattern[p] == '*') {
			star = p++;
			mark = i;
		} else if (p < plen &&
			   (fold ? lower(pattern[p]) == lower(s[i]) : pattern[p] == s[i])) {
			p++;
			i++;
		} else if (star != SIZE_MAX) {
			p = star + 1;
			i = ++mark;
		} else {
			return false;
		}
	}
	while (p < plen && pattern[p] == '*')
		p++;
	return p == plen;
}

bool dw_glob_match(const char *pattern, const char *s, size_t len, bool fold)
{
	return glob_n(pattern, strlen(pattern), s, len, fold);
}

bool dw_ident_rule_matches(const struct dw_ident_rule *rule, const struct dw_resolved_name *n,
	bool fold)
{
	if (!dw_glob_match(rule->name, n->name, n->name_len, fold))
		return false;
	return rule->schema == NULL || dw_glob_match(rule->schema, n->schema, n->schema_len, fold);
}

bool dw_function_rule_matches(const char *entry, const char *schema, size_t schema_len,
	const char *name, size_t name_len)
{
	const char *dot = strchr(entry, '.');

	if (dot == NULL)
		return dw_glob_match(entry, name, name_len, true);
	if (!dw_glob_match(dot + 1, name, name_len, true))
		return false;
	return schema_len == 0 || glob_n(entry, (size_t)(dot - entry), schema, schema_len, true);
}
