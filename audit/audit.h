/* The audit trail: one JSON object per line, hash-chained, written by one
 * writer thread.
 *
 * Workers build a record's fields with the dw_audit_rec functions (no I/O,
 * no locks shared between workers) and submit it to their own bounded
 * queue. The writer thread drains the queues in batches, gives each record
 * its `seq` and chain fields, appends it to the file (and the optional
 * syslog sink), and owns fsync, reopening and rotation. See docs/audit.md
 * for the record fields and spec/audit.md for the contract. */
#ifndef DBWARD_AUDIT_AUDIT_H
#define DBWARD_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* A record being built: the body of a JSON object, fields in the order they
 * are added. The writer adds `seq` (right after `ts`) and, with a chain,
 * `prev` and `hash` (last). A record's buffer is reused from one record to
 * the next; records are never larger than DW_AUDIT_RECORD_MAX (longer
 * strings are cut and marked `"truncated":true`). */
#define DW_AUDIT_RECORD_MAX (64u * 1024u)

struct dw_audit_rec {
	char *buf;
	size_t len, cap;
	bool truncated;
	bool in_array;
	bool array_first;
	bool array_skipped;        /* the array's key did not fit: its items are dropped */
	unsigned char severity;    /* index into info, warning, error, critical */
};

/* Starts a record: `ts` (now, RFC 3339 UTC with microseconds), `event`,
 * `action`, `outcome`, `severity`. */
void dw_audit_begin(struct dw_audit_rec *r, const char *event, const char *action,
	const char *outcome, const char *severity);
/* String fields: escaped per RFC 8259; invalid UTF-8 and control characters
 * are escaped or replaced so every line stays valid JSON. NULL values are
 * left out. */
void dw_audit_str(struct dw_audit_rec *r, const char *key, const char *value);
void dw_audit_strn(struct dw_audit_rec *r, const char *key, const char *value, size_t len);
void dw_audit_int(struct dw_audit_rec *r, const char *key, int64_t value);
/* V in decimal at OUT (room for 20 digits), NUL-terminated; returns the
 * number of digits. Records format numbers with it, never with printf. */
size_t dw_audit_u64(char out[21], uint64_t v);
void dw_audit_bool(struct dw_audit_rec *r, const char *key, bool value);
/* "client": {"ip": IP, "port": PORT, "tls": TLS} */
void dw_audit_client(struct dw_audit_rec *r, const char *ip, int port, bool tls);
/* An array of strings: begin, any number of items, end. */
void dw_audit_array_begin(struct dw_audit_rec *r, const char *key);
void dw_audit_array_strn(struct dw_audit_rec *r, const char *value, size_t len);
void dw_audit_array_end(struct dw_audit_rec *r);
void dw_audit_rec_free(struct dw_audit_rec *r);

/* Fields rendered once and appended to many records (a session's part):
 * reset empties R without starting a record; fields added then form
 * FIELDS (R->buf, R->len: `,"k":v...`), which dw_audit_raw appends to
 * another record as they are. TRUNCATED: R was cut when they were built. */
void dw_audit_reset(struct dw_audit_rec *r);
void dw_audit_raw(struct dw_audit_rec *r, const char *fields, size_t len, bool truncated);

/* A record for worker WORKER to build into, reused from one record to the
 * next (no allocation per record); only that worker's thread uses it.
 * NULL when auditing is off. */
struct dw_audit_rec *dw_audit_scratch(unsigned worker);

/* Starts the writer for CFG's `audit` section with one queue per worker
 * (N_WORKERS). Returns 0 (also when auditing is off: nothing is written
 * then) or -1 with the reason logged (file cannot be opened safely...).
 * Writes a `start` lifecycle record. */
int dw_audit_start(const struct dw_config *cfg, unsigned n_workers)
	__attribute__((warn_unused_result));

/* True when records are being written: callers skip building them otherwise. */
bool dw_audit_on(void);

/* Queues R from worker WORKER (0..n_workers-1; the main thread uses
 * n_workers, which has a queue of its own). With on_full: block, waits for
 * room; with drop, counts the record as lost (a `gap` record reports the
 * count). The record is copied: R may be reused at once. */
void dw_audit_submit(unsigned worker, const struct dw_audit_rec *r);

/* SIGUSR1: close and reopen the file at the configured path (logrotate
 * moved it); the new file starts with a record naming the last hash. */
void dw_audit_reopen(void);

/* SIGHUP (later): a `reload` lifecycle record. */
void dw_audit_note_reload(bool ok, const char *detail);

/* SIGHUP with a valid new CFG: applies the reloadable writer settings
 * (fsync, fsync_interval, on_full, max_size). The file, chain, queue size
 * and syslog sink stay as started. */
void dw_audit_apply_config(const struct dw_config *cfg);

/* SIGTERM: writes a `stop` record, drains every queue, syncs and closes.
 * Every record submitted before the call is in the file afterwards. */
void dw_audit_stop(void);

struct dw_audit_stats {
	uint64_t written;
	uint64_t dropped;
	uint64_t queued;   /* waiting now */
};
void dw_audit_stats(struct dw_audit_stats *out);

/* `dbward audit verify FILE... [--key-file K]`: exit status 0 when every
 * chain is intact, 1 (with the first bad line and seq on stderr) when not,
 * 2 on usage errors. ARGV starts after "audit". */
int dw_audit_cli(int argc, char **argv);

#endif
