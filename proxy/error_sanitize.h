/* What clients see of the server's errors (`errors` in dbward.yaml,
 * docs/errors.md).
 *
 * With `mode: sanitize` an error keeps its SQLSTATE (and MySQL error
 * number), because drivers and applications branch on them, and gets a
 * generic message for the SQLSTATE's class ending in a reference:
 * "dbward: integrity constraint violation (ref 5f1c09aa-2a-1)". The
 * original goes to the audit trail under that reference. Codes listed in
 * `passthrough_sqlstates` keep their message.
 *
 * This module decides and builds the messages; each relay takes the
 * server's message out of the stream and puts the built one in its place,
 * and says which audit record gets the reference. */
#ifndef DBWARD_PROXY_ERROR_SANITIZE_H
#define DBWARD_PROXY_ERROR_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "proxy/session_info.h"

struct evbuffer;

/* Room for a reference id ("%08x-%x-%x", see dw_guard_ref) and its NUL. */
#define DW_ERR_REF_MAX 48

enum dw_err_action {
	DW_ERR_FORWARD = 0, /* as the server sent it (mode passthrough) */
	DW_ERR_KEEP,        /* a passthrough code: the message stays, PostgreSQL's
	                       file, line and routine fields go */
	DW_ERR_SANITIZE,    /* generic message with a reference */
};

static inline bool dw_errors_sanitizing(const struct dw_errors_config *c)
{
	return c->mode == DW_ERRORS_SANITIZE;
}

/* True when SQLSTATE is five characters from 0-9 and A-Z. */
bool dw_errors_valid_sqlstate(const char *sqlstate);

/* What becomes of an error (or notice) with SQLSTATE (NULL or malformed:
 * always sanitized) and MySQL error number ERR_NO (0 for PostgreSQL). */
enum dw_err_action dw_errors_action(const struct dw_errors_config *c, const char *sqlstate,
	unsigned err_no);

/* The generic text of SQLSTATE's class: "integrity constraint violation"
 * for 23xxx ... "database error" for classes without one of their own. */
const char *dw_errors_class_text(const char *sqlstate);

/* The client's message: "dbward: CLASS TEXT (ref REF)", or without the
 * reference when REF is NULL or empty. Returns its length (cut at CAP - 1). */
size_t dw_errors_message(char *out, size_t cap, const char *sqlstate, const char *ref);

/* Appends to OUT the PostgreSQL message the client gets in place of the
 * server's ErrorResponse ('E') or NoticeResponse ('N') TYPE whose fields are
 * BODY (LEN bytes, untrusted). ACTION is DW_ERR_KEEP or DW_ERR_SANITIZE; REF
 * may be NULL (notices carry none). The result is always well formed: a
 * missing or malformed severity becomes ERROR (NOTICE), a missing or
 * malformed SQLSTATE XX000 (sanitized), and a malformed tail is dropped. */
void dw_pg_error_rewrite(struct evbuffer *out, char type, const uint8_t *body, size_t len,
	enum dw_err_action action, const char *ref);

/* Appends to OUT the MySQL ERR packet the client gets in place of the
 * server's: sequence id SEQ, the same error number and SQLSTATE marker,
 * the generic message with REF. PAYLOAD (LEN bytes) must parse as an ERR.
 * Returns false (nothing appended) when it does not. */
bool dw_my_err_rewrite(struct evbuffer *out, uint8_t seq, const uint8_t *payload, size_t len,
	const char *ref);

/* An error shown to the client with reference REF that no statement record
 * took (a failed Parse or prepare, an error outside any statement): an
 * `error` record when auditing is on, else an info line in the log. */
void dw_errors_unrecorded(const struct dw_session_info *as, const char *sqlstate, int err_no,
	const char *error, const char *ref);

#endif
