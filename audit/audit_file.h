/* The audit file on disk: opening it safely, finding where an existing file
 * left off, and moving a full (or unusable) file aside. Used by the writer;
 * internal to audit/. */
#ifndef DBWARD_AUDIT_AUDIT_FILE_H
#define DBWARD_AUDIT_AUDIT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit_chain.h"
#include "audit/audit_internal.h"

/* Opens (creating with mode 0600) PATH for appending, without following a
 * symbolic link at PATH. Refuses a parent directory writable by everyone,
 * and anything but a regular file owned by this user; tightens the mode of
 * an existing file to 0600. Returns the descriptor (read-write, so the tail
 * can be read through it) with *SIZE, or -1 with the reason in ERR. */
int dw_audit_file_open(const char *path, uint64_t *size, char *err, size_t err_cap)
	__attribute__((warn_unused_result));

/* Where an existing file left off. */
struct dw_audit_tail {
	bool found;                     /* a complete last line was read */
	bool usable;                    /* ...and continuing after it keeps the chain valid */
	uint64_t seq;                   /* its seq (when found) */
	bool has_hash;
	char hash[DW_AUDIT_HASH_HEX + 1];
	bool needs_newline;             /* the file ends in a cut line (crash) */
	const char *why;                /* why not usable, for the log */
};

/* Reads the last complete line of FD (SIZE bytes). A line after the last
 * newline is a write cut short and is ignored. The line is usable when it
 * parses and its hash recomputes with CHAIN (NULL: it must have no hash),
 * that is, when the file was written with the same chain settings and key. */
int dw_audit_file_tail(int fd, uint64_t size, struct dw_audit_hasher *chain,
	struct dw_audit_tail *out) __attribute__((warn_unused_result));

/* Renames PATH to PATH.<UTC YYYYmmddTHHMMSS>, adding .1, .2 ... rather than
 * replacing an existing file. Returns 0 with the new name in NEW_NAME, or -1
 * (errno set). */
int dw_audit_file_set_aside(const char *path, char *new_name, size_t cap)
	__attribute__((warn_unused_result));

/* Makes a created or renamed entry in PATH's directory durable. */
void dw_audit_file_sync_dir(const char *path);

/* write() of all LEN bytes, retrying interrupted and short writes. Returns
 * the bytes written; fewer than LEN means an error (errno set). */
size_t dw_audit_file_write(int fd, const char *buf, size_t len);

#endif
