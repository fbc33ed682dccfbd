/* Audit records of sessions: connection and login events, and one record
 * per client statement whatever its fate (refused, completed, failed).
 *
 * A statement's record is written when its result ends, so a session keeps
 * a note per statement sent to the server (what the analysis said, when it
 * left) in a FIFO, completed in order by the relay as the server answers.
 * Protocol-neutral: pg_relay.c and my_relay.c say when a statement ends. */
#ifndef DBWARD_PROXY_STMT_AUDIT_H
#define DBWARD_PROXY_STMT_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "policy/policy.h"
#include "proxy/session_info.h"

/* connection/connect, connection/disconnect, auth/login, auth/login_failed:
 * EVENT/ACTION/OUTCOME/SEVERITY as the spec names them, REASON optional. */
void dw_audit_session_event(const struct dw_session_info *as, const char *event,
	const char *action, const char *outcome, const char *severity, const char *reason);

/* A decision no policy made (a rate limit, a login lockout): like
 * dw_audit_session_event, with the RULE that decided and the REF shown to
 * the client (either may be NULL). */
void dw_audit_decision(const struct dw_session_info *as, const char *event, const char *action,
	const char *outcome, const char *severity, const char *rule, const char *reason,
	const char *ref);

struct dw_stmt_note;
struct dw_stmt_summary;

/* The statements a session sent and that have not ended yet. Each belongs
 * to a message (a simple query, a COM_QUERY, or an extended-protocol batch
 * up to Sync), numbered by dw_stmt_notes_new_message. */
struct dw_stmt_notes {
	struct dw_stmt_note *q;
	uint32_t head, count, cap;
	uint32_t message;           /* the last message number handed out */
	/* The session's fields of its records, rendered once: valid while
	 * the session_info they came from (who_key) stays the same. */
	char *who, *who_key;
	uint32_t who_len, who_key_len;
	bool who_cut;
};

/* A number for the next message's notes (never 0). */
uint32_t dw_stmt_notes_new_message(struct dw_stmt_notes *n);

/* Notes every statement of the message just analysed (A, over TEXT) as
 * sent to the server now, as part of MESSAGE; V is the verdict it passed
 * with (a monitor or learn mode finding goes into the records). MODE says
 * how much text the records keep. */
void dw_stmt_notes_push(struct dw_stmt_notes *n, uint32_t message,
	const struct dw_sql_analysis *a, const char *text, const struct dw_verdict *v,
	enum dw_audit_statements mode);

/* What a prepared statement is, kept from its prepare (A over TEXT, its
 * first statement) to every execution. NULL when auditing is off or out of
 * memory (executions are then recorded as an unknown statement). */
struct dw_stmt_summary *dw_stmt_summary_new(const struct dw_sql_analysis *a, const char *text,
	const struct dw_verdict *v, enum dw_audit_statements mode);
/* Summaries are shared (a statement and the portals bound to it):
 * reference counted, freed by the last unref. */
struct dw_stmt_summary *dw_stmt_summary_ref(struct dw_stmt_summary *sum);
void dw_stmt_summary_unref(struct dw_stmt_summary *sum);
/* Notes one execution of SUM (NULL: a statement dbward did not see
 * prepared) as sent now, as part of MESSAGE. */
void dw_stmt_notes_push_execution(struct dw_stmt_notes *n, uint32_t message,
	struct dw_stmt_summary *sum);

#define DW_ROWS_UNKNOWN UINT64_MAX

/* The oldest noted statement ended: OK with ROWS (returned or affected;
 * DW_ROWS_UNKNOWN when the protocol does not say), or
 * failed with SQLSTATE (and MySQL ERRNO, 0 otherwise) and the server's
 * ERROR message. */
void dw_stmt_notes_complete(struct dw_stmt_notes *n, const struct dw_session_info *as, bool ok,
	uint64_t rows, const char *sqlstate, int err_no, const char *error);

/* The oldest noted statement was stopped by dbward: ACTION "timeout" (a
 * time limit) or "blocked" (a result limit), RULE the limit, REF the
 * reference in the error the client got instead of its end. */
void dw_stmt_notes_complete_cut(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *action, const char *rule, const char *sqlstate, int err_no, const char *error,
	const char *ref);

/* The oldest noted message ended as one reply (MySQL COM_QUERY): its first
 * statement gets this result; when OK the others in it succeeded too (their
 * row counts are not told apart), when not they never ran. */
void dw_stmt_notes_complete_message(struct dw_stmt_notes *n, const struct dw_session_info *as,
	bool ok, uint64_t rows, const char *sqlstate, int err_no, const char *error);

/* The oldest noted statement (the oldest noted message: MySQL COM_QUERY,
 * as dw_stmt_notes_complete_message) failed with SQLSTATE, ERR_NO and the
 * server's ERROR, and the client was shown reference REF (NULL or empty:
 * none) in its place: the record keeps both. Returns false when no
 * statement was noted, so nothing was recorded. */
bool dw_stmt_notes_fail(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *sqlstate, int err_no, const char *error, const char *ref);
bool dw_stmt_notes_fail_message(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *sqlstate, int err_no, const char *error, const char *ref);

/* A server error no statement record holds (a failed Parse or prepare, an
 * error outside any statement): an `error` record with the server's ERROR
 * and REF, the reference the client was shown. */
void dw_audit_server_error(const struct dw_session_info *as, const char *sqlstate, int err_no,
	const char *error, const char *ref);

/* Message MESSAGE, noted when it was judged, never went to a server (no
 * server connection came, a limit refused it): its statements are recorded
 * as failed with SQLSTATE, ERR_NO and ERROR, the reason the client got,
 * and REF (NULL: none) the reference in it. */
void dw_stmt_notes_fail_unsent(struct dw_stmt_notes *n, const struct dw_session_info *as,
	uint32_t message, const char *sqlstate, int err_no, const char *error, const char *ref);

/* Message MESSAGE is over (ReadyForQuery): its statements still noted, and
 * those of earlier messages, never ran (an earlier one failed) and are
 * recorded as such. */
void dw_stmt_notes_end_through(struct dw_stmt_notes *n, const struct dw_session_info *as,
	uint32_t message);

/* The session ended (REASON, if any, says why): its statements still noted
 * are recorded with outcome unknown, then the disconnect record. */
void dw_audit_session_closed(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *reason);

/* The session ends: statements still noted are recorded with outcome
 * unknown (the client left before their results). */
void dw_stmt_notes_clear(struct dw_stmt_notes *n, const struct dw_session_info *as);

/* A message refused by policy: one `security` record per statement in it
 * (or one for the message when it could not be analysed), with the rule,
 * the reason and REF, the reference the client was shown. */
void dw_audit_refused(const struct dw_session_info *as, const struct dw_sql_analysis *a,
	const char *text, size_t len, const struct dw_verdict *v, const char *ref,
	enum dw_audit_statements mode);

#endif
