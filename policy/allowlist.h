/* Learn mode: recording the fingerprints of statements that passed a policy
 * into its allowlist file.
 *
 * Workers never touch files: dw_allowlist_learn() only queues (under a
 * mutex), and one writer thread, started on first use, appends the queued
 * entries. A process-wide set remembers every fingerprint queued per file,
 * so each is written once however many sessions send the statement. The
 * file is created (mode 0600) with its header when missing; an existing
 * file is appended to only when it has the layout the writer produces
 * (see docs/policy.md), so appending keeps it a valid allowlist. Reading
 * allowlists is the loader's job (config/policy_syntax.h). */
#ifndef DBWARD_POLICY_ALLOWLIST_H
#define DBWARD_POLICY_ALLOWLIST_H

#include <stddef.h>
#include <stdint.h>

enum dw_learn_result {
	DW_LEARN_QUEUED = 0,  /* new: it will be written */
	DW_LEARN_KNOWN,       /* queued or written before by this process */
	DW_LEARN_DROPPED,     /* not recorded: queue or set full, out of memory, shutting down */
};

/* Every fingerprint learned per file is remembered; past this many a file
 * learns nothing more (learn mode is for a finite application, not for
 * whatever a client can generate). */
#define DW_LEARN_MAX_PER_FILE (1u << 20)
/* Entries waiting for the writer. */
#define DW_LEARN_MAX_PENDING 65536u
/* Normalized statement text kept in the entry's comment. */
#define DW_LEARN_COMMENT_MAX 200u

/* Queues FINGERPRINT for the allowlist at PATH, with TEXT (LEN bytes of the
 * normalized statement, truncated and reduced to printable ASCII) as its
 * comment. Thread-safe; never does file I/O. */
enum dw_learn_result dw_allowlist_learn(const char *path, uint64_t fingerprint,
	const char *text, size_t len);

/* Waits until everything queued so far is written (or has failed). */
void dw_allowlist_writer_flush(void);

/* Flushes, then stops the writer thread. A later dw_allowlist_learn()
 * starts it again. For shutdown and tests. */
void dw_allowlist_writer_stop(void);

struct dw_allowlist_writer_stats {
	uint64_t written;   /* entries appended */
	uint64_t failed;    /* entries lost to a write error (logged; learnable again) */
	uint64_t dropped;   /* DW_LEARN_DROPPED results */
};

void dw_allowlist_writer_stats(struct dw_allowlist_writer_stats *out);

#endif
