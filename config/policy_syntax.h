/* Value syntaxes of the `policies` section: client networks (CIDR),
 * identifier rules and allowlist files.
 *
 * They live beside the loader because a configuration is only valid when
 * these parse; the policy engine (policy/) uses the parsed forms. Parsers
 * return NULL on success or a short static message that never repeats the
 * input, like config_values.h. */
#ifndef DBWARD_CONFIG_POLICY_SYNTAX_H
#define DBWARD_CONFIG_POLICY_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). Host
 * bits below the prefix must be zero. Fills family, addr and prefix of OUT
 * (not text). */
const char *dw_cidr_parse(const char *text, struct dw_cidr *out)
	__attribute__((warn_unused_result));

/* An identifier rule: "name" or "schema.name". Each part is either
 * unquoted (folded to ASCII lower case; no quotes, spaces or control
 * characters) or quoted with "..." or `...` (kept as written, dots allowed,
 * a doubled quote stands for one). '*' is a wildcard in every part, quoted
 * or not. Fills OUT with allocated copies (text as written). */
const char *dw_ident_rule_parse(const char *text, struct dw_ident_rule *out)
	__attribute__((warn_unused_result));
void dw_ident_rule_clear(struct dw_ident_rule *rule);

/* A `functions.deny` entry: "name" or "schema.name", unquoted, '*'
 * allowed. Writes the lower-cased form into TEXT in place. */
const char *dw_function_rule_fold(char *text) __attribute__((warn_unused_result));

/* Allowlist files (see docs/policy.md):
 *     # comment
 *     fingerprints:
 *       - "0123456789abcdef"  # normalized statement
 * An empty document is an empty list. */
enum dw_allowlist_status {
	DW_ALLOWLIST_OK = 0,
	DW_ALLOWLIST_MISSING,   /* the file does not exist */
	DW_ALLOWLIST_INVALID,   /* unreadable, unsafe or malformed: ERR says why */
	DW_ALLOWLIST_NOMEM,
};

/* Anything bigger is not a list of fingerprints a person reviewed. */
#define DW_ALLOWLIST_FILE_MAX (64u * 1024 * 1024)

/* Reads PATH into OUT (sorted, duplicates removed). The file must be a
 * regular file that is not world-writable. ERR receives a message without
 * any of the file's contents except positions. */
enum dw_allowlist_status dw_allowlist_read(const char *path, struct dw_allowlist *out,
	char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Same for LEN bytes at TEXT. */
enum dw_allowlist_status dw_allowlist_parse(const char *text, size_t len,
	struct dw_allowlist *out, char *err, size_t err_cap) __attribute__((warn_unused_result));

/* Exactly 16 lower-case hex digits. */
bool dw_fingerprint_parse(const char *text, size_t len, uint64_t *out)
	__attribute__((warn_unused_result));

bool dw_allowlist_contains(const struct dw_allowlist *al, uint64_t fingerprint);
void dw_allowlist_clear(struct dw_allowlist *al);

#endif
