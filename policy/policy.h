/* Policy decisions: which policy applies to a session, and what it says
 * about one message of SQL text.
 *
 * Policies come from the `policies` section of the configuration snapshot
 * (struct dw_policy_config in config/config.h). The first policy whose
 * `match` fits the session applies; a session no policy matches is not
 * restricted. A decision covers a whole message: if any statement in it is
 * refused, nothing of it reaches the server. */
#ifndef DBWARD_POLICY_POLICY_H
#define DBWARD_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config/config.h"
#include "policy/sql_analyze.h"

/* Who is asking: fixed at login (database changes with USE / COM_INIT_DB
 * are not re-matched: the policy of a session is chosen once). */
struct dw_policy_subject {
	const char *user;
	const char *database;          /* may be NULL or "" */
	const char *listener;
	const struct sockaddr *client; /* AF_INET / AF_INET6; NULL or AF_UNIX never matches a CIDR */
};

/* The policy that applies, or NULL when none matches. */
const struct dw_policy_config *dw_policy_select(const struct dw_config *cfg,
	const struct dw_policy_subject *subject);

struct dw_verdict {
	bool block;                 /* refuse the message (enforce mode, a rule matched) */
	bool flagged;               /* a rule matched: blocked, or would have been (monitor/learn) */
	bool learned;               /* learn mode: a fingerprint not yet in the allowlist was recorded */
	enum dw_policy_mode mode;
	const char *policy;         /* name of the policy that decided; NULL when none applies */
	const char *rule;           /* short rule id: "statements", "identifiers.deny", "functions",
	                               "complexity.max_joins", "injection.tautology", "multi_statements",
	                               "unparseable", "allowlist", "max_statement_bytes" ...; NULL when allowed */
	char reason[192];           /* human text for logs, audit and the client message; never holds
	                               literal values from the statement */
	enum dw_sql_op op;          /* operation of the first statement (of the deciding one when flagged) */
	uint32_t classes;           /* union of the statements' classes */
	bool writes;                /* some statement writes */
	uint64_t fingerprint;       /* of the message */
};

/* Per-worker state: analysis buffers and the decision cache. */
struct dw_policy_ctx;

struct dw_policy_ctx *dw_policy_ctx_new(void) __attribute__((warn_unused_result));
void dw_policy_ctx_free(struct dw_policy_ctx *ctx);

/* Judges LEN bytes of TEXT under POLICY (NULL = no policy: everything is
 * allowed, op/classes/fingerprint still filled). OPTS describes the session
 * (dialect, quoting modes). CURRENT_DB is the session's current database
 * (MySQL: what unqualified table names resolve to; may be NULL). Fills V.
 * Never fails open: out of memory blocks with rule "unparseable". The last
 * analysis stays readable through dw_policy_ctx_analysis() until the next
 * call (audit uses it). */
void dw_policy_check(struct dw_policy_ctx *ctx, const struct dw_policy_config *policy,
	const char *text, size_t len, const struct dw_sql_options *opts, const char *current_db,
	struct dw_verdict *v);

const struct dw_sql_analysis *dw_policy_ctx_analysis(const struct dw_policy_ctx *ctx);

/* Whether the analyses keep each statement's normalized text (audit records
 * use it; without auditing nobody reads it). */
void dw_policy_ctx_keep_normalized(struct dw_policy_ctx *ctx, bool keep);

#endif
