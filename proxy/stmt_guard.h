/* The statement judge both relays share: which policy a session is under,
 * the session settings that change how its SQL reads, and the verdict on one
 * message of SQL text, with the client message and the log line that go with
 * a refusal. Protocol framing (which error packet, what comes after it)
 * stays with each relay. */
#ifndef DBWARD_PROXY_STMT_GUARD_H
#define DBWARD_PROXY_STMT_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config.h"
#include "policy/policy.h"
#include "proxy/session_info.h"

struct dw_worker;

struct dw_guard {
	const struct dw_policy_config *policy;  /* NULL: nothing to judge */
	struct dw_sql_options opts;             /* follows the session's settings */
	uint32_t refs;                          /* references handed out so far */
	bool head_judged;                       /* the message at the head of the input passed */
	bool analysed;                          /* last judgement left an analysis (for audit) */
	struct dw_verdict last;                 /* the last verdict */
	char last_ref[48];                      /* the reference of the last refusal */
};

/* Chooses the policy for a session that just logged in (again). */
void dw_guard_select(struct dw_guard *g, const struct dw_config *cfg, enum dw_sql_dialect dialect,
	const struct dw_session_info *who);

/* Judges LEN bytes of TEXT. Returns true when the message may go to the
 * server (allowed, or flagged in monitor/learn mode: logged here). Returns
 * false when it is refused: MSG then holds the client message
 * ("dbward: statement blocked by policy ... (ref ID)"). CURRENT_DB is what
 * unqualified names resolve to (MySQL), or NULL. Afterwards g->last holds
 * the verdict and, when auditing is on or a policy applies, the worker's
 * policy context the analysis (g->analysed). */
bool dw_guard_judge(struct dw_guard *g, struct dw_worker *w, const struct dw_session_info *who,
	const char *text, size_t len, const char *current_db, char *msg, size_t cap);

/* Refuses a message dbward cannot judge at all (a PostgreSQL fastpath
 * function call names its function by OID): true when it may pass. */
bool dw_guard_judge_opaque(struct dw_guard *g, const struct dw_session_info *who, const char *what,
	char *msg, size_t cap);

/* A fresh reference id for an error shown to a client ("1a2b3c4d-12-3"). */
void dw_guard_ref(struct dw_guard *g, uint64_t session, char *out, size_t cap);

#endif
