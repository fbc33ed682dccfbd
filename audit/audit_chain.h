/* The hash chain of the audit trail.
 *
 * Each chained line ends with `,"prev":"P","hash":"H"}` where P is the hash
 * of the line before it (64 zeros for the first line of a new file set) and
 *
 *     H = hex(F(P || L || "}"))
 *
 * with P the 64 ASCII hex digits, L the line's bytes from its opening `{`
 * up to and including the closing quote of the `prev` value (that is, the
 * line without `,"hash":"H"}` and without the newline), and F SHA-256 or,
 * for `hmac-sha256`, HMAC-SHA256 keyed with the bytes of chain_key_file
 * (one trailing newline removed). Hex digits are lower case. */
#ifndef DBWARD_AUDIT_AUDIT_CHAIN_H
#define DBWARD_AUDIT_AUDIT_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct dw_audit_hasher;

/* KIND is sha256 or hmac-sha256 (KEY, KEY_LEN copied; unused otherwise).
 * NULL when out of memory or the algorithm is unavailable. */
struct dw_audit_hasher *dw_audit_chain_new(enum dw_audit_chain kind, const void *key,
	size_t key_len) __attribute__((warn_unused_result));

/* OUT_HEX (65 bytes, NUL-terminated) = F(PREV_HEX || LINE[0..LEN) || "}").
 * False when the library fails (never for valid arguments in practice). */
bool dw_audit_chain_hash(struct dw_audit_hasher *c, const char *prev_hex, const char *line,
	size_t len, char *out_hex) __attribute__((warn_unused_result));

/* Wipes the key and frees C (NULL is fine). */
void dw_audit_chain_free(struct dw_audit_hasher *c);

#endif
