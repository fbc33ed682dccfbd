/* See stmt_guard.h. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "audit/audit.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/stmt_guard.h"
#include "proxy/worker.h"

/* References must not repeat across restarts of one audit file set, so each
 * process draws a random prefix once. */
static uint32_t ref_prefix;
static pthread_once_t ref_once = PTHREAD_ONCE_INIT;

static void draw_ref_prefix(void)
{
	if (getrandom(&ref_prefix, sizeof ref_prefix, 0) != (ssize_t)sizeof ref_prefix)
		ref_prefix = (uint32_t)getpid() * 2654435761u;
}

void dw_guard_ref(struct dw_guard *g, uint64_t session, char *out, size_t cap)
{
	pthread_once(&ref_once, draw_ref_prefix);
	snprintf(out, cap, "%08" PRIx32 "-%" PRIx64 "-%" PRIx32, ref_prefix, session, ++g->refs);
}

void dw_guard_select(struct dw_guard *g, const struct dw_config *cfg, enum dw_sql_dialect dialect,
	const struct dw_session_info *who)
{
	struct dw_policy_subject subject = {
		.user = who->user,
		.database = who->database,
		.listener = who->listener,
		.client = who->client,
	};
	g->policy = dw_policy_select(cfg, &subject);
	g->opts = dw_sql_default_options(dialect);
	g->head_judged = false;
}

static const char *mode_name(enum dw_policy_mode mode)
{
	switch (mode) {
	case DW_POLICY_MONITOR:
		return "monitor";
	case DW_POLICY_LEARN:
		return "learn";
	default:
		return "enforce";
	}
}

/* The settings that decide how backslashes and double quotes read can
 * change between the moment dbward judges a message and the moment the
 * server parses it (a pipelined SET, or a SET sql_mode earlier in the same
 * MySQL multi-statement). Text where that matters (it holds a backslash) is
 * judged under every reading, and the strictest verdict stands; the reading
 * of the session's known settings is judged last, so its analysis is the one
 * left for the audit. Learn mode judges one reading only, so that it learns
 * exactly the fingerprints the session produces. */
static void judge_all_readings(struct dw_guard *g, struct dw_worker *w, const char *text,
	size_t len, const char *current_db, struct dw_verdict *v)
{
	struct dw_verdict worst = { .flagged = false };
	if (g->policy->mode != DW_POLICY_LEARN && memchr(text, '\\', len)) {
		struct dw_sql_options alt[3];
		size_t n = 0;
		alt[n] = g->opts;
		if (g->opts.dialect == DW_SQL_POSTGRES) {
			alt[n].standard_conforming_strings = !alt[n].standard_conforming_strings;
			n++;
		} else {
			alt[n].no_backslash_escapes = !alt[n].no_backslash_escapes;
			n++;
			if (memchr(text, '"', len)) {
				alt[n] = g->opts;
				alt[n].ansi_quotes = !alt[n].ansi_quotes;
				n++;
				alt[n] = alt[n - 1];
				alt[n].no_backslash_escapes = !alt[n].no_backslash_escapes;
				n++;
			}
		}
		for (size_t i = 0; i < n; i++) {
			struct dw_verdict va;
			dw_policy_check(w->policy, g->policy, text, len, &alt[i], current_db, &va);
			if (va.flagged && (!worst.flagged || (va.block && !worst.block)))
				worst = va;
		}
	}
	dw_policy_check(w->policy, g->policy, text, len, &g->opts, current_db, v);
	if (!v->flagged && worst.flagged) {
		struct dw_verdict mine = *v;
		*v = worst;
		v->op = mine.op;
		v->classes = mine.classes;
		v->writes = mine.writes;
		v->fingerprint = mine.fingerprint;
		char reason[sizeof v->reason];
		snprintf(reason, sizeof reason, "when backslashes or quotes read differently: %.*s",
			(int)(sizeof reason - 48), worst.reason);
		memcpy(v->reason, reason, sizeof v->reason);
	}
}

bool dw_guard_judge(struct dw_guard *g, struct dw_worker *w, const struct dw_session_info *who,
	const char *text, size_t len, const char *current_db, char *msg, size_t cap)
{
	struct dw_verdict *vp = &g->last;
	g->analysed = false;
	if (!g->policy) {
		if (!dw_audit_on())
			return true;
		/* Nothing to judge, but the audit record wants the analysis. */
		dw_policy_check(w->policy, NULL, text, len, &g->opts, current_db, vp);
		g->analysed = true;
		return true;
	}
	judge_all_readings(g, w, text, len, current_db, vp);
	g->analysed = true;
	struct dw_verdict v = *vp;
	if (v.learned)
		dw_info("session %" PRIu64 " user %s: policy \"%s\" learned fingerprint %016" PRIx64,
			who->id, who->user, v.policy, v.fingerprint);
	if (!v.flagged)
		return true;
	char *ref = g->last_ref;
	dw_guard_ref(g, who->id, ref, sizeof g->last_ref);
	if (!v.block) {
		dw_warn("session %" PRIu64 " user %s client %s: policy \"%s\" (%s) would block: "
			"%s: %s (ref %s)", who->id, who->user, who->ip, v.policy,
			mode_name(v.mode), v.rule ? v.rule : "?", v.reason, ref);
		return true;
	}
	dw_warn("session %" PRIu64 " user %s client %s: policy \"%s\" blocked a statement: %s: %s "
		"(ref %s)", who->id, who->user, who->ip, v.policy, v.rule ? v.rule : "?",
		v.reason, ref);
	snprintf(msg, cap, "dbward: statement blocked by policy \"%s\", rule %s: %s (ref %s)",
		v.policy, v.rule ? v.rule : "?", v.reason, ref);
	dw_metrics_block(v.rule);
	return false;
}

bool dw_guard_judge_opaque(struct dw_guard *g, const struct dw_session_info *who, const char *what,
	char *msg, size_t cap)
{
	g->analysed = false;
	if (!g->policy)
		return true;
	char *ref = g->last_ref;
	dw_guard_ref(g, who->id, ref, sizeof g->last_ref);
	bool block = g->policy->mode == DW_POLICY_ENFORCE;
	memset(&g->last, 0, sizeof g->last);
	g->last.block = block;
	g->last.flagged = true;
	g->last.mode = g->policy->mode;
	g->last.policy = g->policy->name;
	g->last.rule = "opaque";
	snprintf(g->last.reason, sizeof g->last.reason, "%s cannot be judged", what);
	dw_warn("session %" PRIu64 " user %s client %s: policy \"%s\" %s: %s cannot be judged "
		"(ref %s)", who->id, who->user, who->ip, g->policy->name,
		block ? "blocked a message" : "would block a message", what, ref);
	if (!block)
		return true;
	dw_metrics_block("opaque");
	snprintf(msg, cap, "dbward: statement blocked by policy \"%s\", rule opaque: %s cannot be "
		"judged (ref %s)", g->policy->name, what, ref);
	return false;
}
