/* What the files of audit/ share among themselves: the body limit, JSON
 * string escaping, the scanner of the lines the writer produces (used to
 * resume a file and to verify one) and the test hooks. Not for callers
 * outside audit/. */
#ifndef DBWARD_AUDIT_AUDIT_INTERNAL_H
#define DBWARD_AUDIT_AUDIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

/* A body never grows past this; the rest of DW_AUDIT_RECORD_MAX is for
 * what the writer adds (`{`, `seq`, `truncated`, `prev`, `hash`, `}\n`). */
#define DW_AUDIT_BODY_MAX (DW_AUDIT_RECORD_MAX - 512u)

/* Hex digits of a chain hash (SHA-256 / HMAC-SHA256). */
#define DW_AUDIT_HASH_HEX 64

/* "info", "warning", "error" or "critical" for a record's severity index. */
const char *dw_audit_severity_name(unsigned index);

/* Escapes LEN bytes at S as the inside of a JSON string into OUT, writing at
 * most CAP bytes (no NUL). Stops before the first input character whose
 * escaped form would not fit, so a cut always falls on a UTF-8 character
 * boundary; *CUT says whether input was left over. Returns bytes written. */
size_t dw_audit_escape(char *out, size_t cap, const char *s, size_t len, bool *cut);

/* The fields of one audit line the chain and the verifier look at. Pointers
 * point into the scanned line. */
struct dw_audit_line {
	bool has_seq;
	uint64_t seq;
	const char *prev;                /* DW_AUDIT_HASH_HEX hex digits, or NULL */
	const char *hash;                /* DW_AUDIT_HASH_HEX hex digits, or NULL */
	size_t hashed_len;               /* bytes before `,"hash":` (chained lines) */
	bool file_start;                 /* event audit, action file_start */
	const char *previous_file_hash;  /* DW_AUDIT_HASH_HEX hex digits, or NULL */
	bool cut_short;                  /* invalid because it ends too early */
};

/* Checks that LINE (LEN bytes, no newline) is one JSON object and extracts
 * its chain fields. Returns NULL, or what is wrong with it. */
const char *dw_audit_scan_line(const char *line, size_t len, struct dw_audit_line *out);

/* Test hook: while paused, the writer takes nothing from the queues (so a
 * tiny queue fills up). */
void dw_audit_test_pause(bool paused);

#endif
