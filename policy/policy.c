/* Judging a message under a policy: analyse it, apply every rule to every
 * statement (and to the body of every PREPARE), then let the mode decide
 * whether a match blocks, flags or is learned from.
 *
 * Rule order within a statement: statements (classes), identifiers.deny,
 * identifiers.allow, identifiers.pattern, identifiers.max_length,
 * functions, complexity.* (joins, subquery depth, unions, IN lists,
 * require_where), injection.*, then the PREPARE body. Statements are
 * judged in order and the first rule that matches decides the verdict.
 * Two kinds of match never stop the search, because a later statement may
 * still break a rule: unparseable text under `unparseable: allow` (flagged,
 * not blocked) and a fingerprint missing from the allowlist (reported only
 * when nothing else matched: "checked after the other rules").
 *
 * Resolving unqualified object names, so that "schema.name" rules apply:
 * - PostgreSQL: a name starting with "pg_" resolves to pg_catalog (which
 *   the server searches first), any other to "public". dbward does not
 *   follow search_path: a session that changes it reaches other schemas
 *   under these names (rules without a schema part are unaffected).
 * - MySQL: the session's current database; with none, the name has no
 *   schema and only rules whose schema part is '*' (or that have no schema
 *   part) match it.
 * Names are compared as the analyzer folded them; for MySQL, whose table
 * names are case-insensitive in practice, ignoring ASCII case. */
#include "policy/policy.h"

#include <inttypes.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/policy_syntax.h"
#include "policy/allowlist.h"
#include "policy/decision_cache.h"
#include "policy/ident_rule.h"

#define CACHE_ENTRIES 4096
/* Names quoted in reasons are cut here: reasons are one line for people. */
#define REASON_NAME_MAX 64

/* A statement whose fingerprint learn mode records if the message passes. */
struct learn_ref {
	const char *text;
	uint32_t len;
	uint64_t fingerprint;
};

struct dw_policy_ctx {
	struct dw_sql_analysis a;       /* the message: what dw_policy_ctx_analysis() shows */
	struct dw_sql_analysis body;    /* PREPARE bodies, one at a time */
	struct dw_decision_cache *cache;
	char *scratch;                  /* NUL-terminated copies of identifiers for regexec */
	size_t scratch_cap;
	struct learn_ref *learn;
	size_t n_learn, cap_learn;
};

struct finding {
	const char *rule;               /* NULL: no finding in this slot */
	char reason[sizeof(((struct dw_verdict *)0)->reason)];
	enum dw_sql_op op;
	bool fatal;                     /* blocks whatever the mode (out of memory) */
};

/* What judging a message found. HARD stops the search; the others wait
 * for the end in case something harder turns up. */
struct judgement {
	const struct dw_policy_config *p;
	const struct dw_sql_options *opts;
	const char *current_db;
	bool allowlist_enforced;
	struct finding hard, allowlist, soft;
};

struct dw_policy_ctx *dw_policy_ctx_new(void)
{
	struct dw_policy_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	dw_sql_analysis_init(&ctx->a);
	dw_sql_analysis_init(&ctx->body);
	ctx->cache = dw_decision_cache_new(CACHE_ENTRIES);
	if (ctx->cache == NULL) {
		dw_policy_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void dw_policy_ctx_free(struct dw_policy_ctx *ctx)
{
	if (ctx == NULL)
		return;
	dw_sql_analysis_free(&ctx->a);
	dw_sql_analysis_free(&ctx->body);
	dw_decision_cache_free(ctx->cache);
	free(ctx->scratch);
	free(ctx->learn);
	free(ctx);
}

const struct dw_sql_analysis *dw_policy_ctx_analysis(const struct dw_policy_ctx *ctx)
{
	return &ctx->a;
}

void dw_policy_ctx_keep_normalized(struct dw_policy_ctx *ctx, bool keep)
{
	ctx->a.keep_normalized = keep;
}

/* LEN bytes of S as printable ASCII for a reason text, cut at
 * REASON_NAME_MAX. */
static const char *safe_text(const char *s, size_t len, char *buf, size_t cap)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 4 < cap && i < REASON_NAME_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len && o + 3 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

__attribute__((format(printf, 5, 6)))
static void found(struct finding *f, const char *rule, enum dw_sql_op op, bool fatal,
	const char *fmt, ...)
{
	va_list ap;

	if (f->rule != NULL)
		return; /* the first match decides */
	f->rule = rule;
	f->op = op;
	f->fatal = fatal;
	va_start(ap, fmt);
	vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

/* Text the analyzer could not follow: refused, unless the policy allows
 * it, in which case it is flagged and still cannot pass an allowlist. */
static void unparseable(struct judgement *j, enum dw_sql_op op, const char *why)
{
	if (!j->p->unparseable_allow) {
		found(&j->hard, "unparseable", op, false, "statement could not be analysed (%s)", why);
		return;
	}
	found(&j->soft, "unparseable", op, false, "statement could not be analysed (%s)", why);
	if (j->allowlist_enforced)
		found(&j->allowlist, "allowlist", op, false,
		      "statement could not be analysed, so it is not in the allowlist");
}

static void out_of_memory(struct judgement *j, enum dw_sql_op op)
{
	found(&j->hard, "unparseable", op, true, "out of memory while judging the statement");
}

/* The analyzer's arrays and offsets are trusted, but a verdict must never
 * rest on an index past an array: check them once per analysis. */
static bool spans_ok(const struct dw_sql_analysis *a)
{
	const struct dw_sql_name *lists[2] = { a->objects, a->functions };
	const uint32_t counts[2] = { a->n_objects, a->n_functions };

	for (int l = 0; l < 2; l++)
		for (uint32_t i = 0; i < counts[l]; i++) {
			const struct dw_sql_name *n = &lists[l][i];
			if ((uint64_t)n->schema_off + n->schema_len > a->names_len ||
			    (uint64_t)n->name_off + n->name_len > a->names_len)
				return false;
		}
	for (uint32_t i = 0; i < a->n_idents; i++)
		if ((uint64_t)a->idents[i].off + a->idents[i].len > a->names_len)
			return false;
	for (uint32_t i = 0; i < a->n_stmts; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		if ((uint64_t)st->first_object + st->n_objects > a->n_objects ||
		    (uint64_t)st->first_function + st->n_functions > a->n_functions ||
		    (uint64_t)st->first_ident + st->n_idents > a->n_idents)
			return false;
	}
	return true;
}

static void resolve(const struct dw_sql_analysis *a, const struct dw_sql_name *n,
	const struct judgement *j, struct dw_resolved_name *out)
{
	out->name = a->names + n->name_off;
	out->name_len = n->name_len;
	if (n->schema_len > 0) {
		out->schema = a->names + n->schema_off;
		out->schema_len = n->schema_len;
	} else if (j->opts->dialect == DW_SQL_POSTGRES) {
		bool catalog = n->name_len >= 3 && memcmp(out->name, "pg_", 3) == 0;
		out->schema = catalog ? "pg_catalog" : "public";
		out->schema_len = strlen(out->schema);
	} else if (j->current_db != NULL) {
		out->schema = j->current_db;
		out->schema_len = strlen(j->current_db);
	} else {
		out->schema = "";
		out->schema_len = 0;
	}
}

/* Appends TEXT to the NUL-terminated BUF of CAP bytes, cutting it short. */
static void append(char *buf, size_t cap, const char *text)
{
	size_t used = strlen(buf), n = strlen(text);

	if (used + 1 >= cap)
		return;
	if (n > cap - 1 - used)
		n = cap - 1 - used;
	memcpy(buf + used, text, n);
	buf[used + n] = '\0';
}

static const char *format_resolved(const struct dw_resolved_name *n, char *buf, size_t cap)
{
	char part[REASON_NAME_MAX * 2];

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	if (n->schema_len != 0) {
		append(buf, cap, safe_text(n->schema, n->schema_len, part, sizeof(part)));
		append(buf, cap, ".");
	}
	append(buf, cap, safe_text(n->name, n->name_len, part, sizeof(part)));
	return buf;
}

static const char *class_name(uint32_t bit)
{
	switch (bit) {
	case DW_CLASS_DDL: return "ddl";
	case DW_CLASS_GRANT: return "grant";
	case DW_CLASS_ADMIN: return "admin";
	case DW_CLASS_LOAD_DATA: return "load_data";
	case DW_CLASS_OUTFILE: return "outfile";
	}
	return "unknown";
}

static const struct { uint32_t bit; const char *rule, *what; } injection_kinds[] = {
	{ DW_INJ_TAUTOLOGY, "injection.tautology", "a condition that is always true" },
	{ DW_INJ_COMMENT_SPLIT, "injection.comment_split", "a comment cutting the statement short" },
	{ DW_INJ_STACKED, "injection.stacked", "a statement stacked after an injected value" },
	{ DW_INJ_UNION_CATALOG, "injection.union_catalog", "a UNION reading a system catalog" },
	{ DW_INJ_TIME_PROBE, "injection.time_probe", "a time delay probe" },
};

static void check_objects(const struct dw_sql_analysis *a, const struct dw_sql_stmt *st,
	enum dw_sql_op op, struct judgement *j)
{
	const struct dw_policy_config *p = j->p;
	bool fold = j->opts->dialect == DW_SQL_MYSQL;
	char name[REASON_NAME_MAX * 3];

	for (uint32_t i = 0; i < st->n_objects && p->n_ident_deny > 0; i++) {
		struct dw_resolved_name n;
		resolve(a, &a->objects[st->first_object + i], j, &n);
		for (size_t r = 0; r < p->n_ident_deny; r++) {
			if (dw_ident_rule_matches(&p->ident_deny[r], &n, fold)) {
				found(&j->hard, "identifiers.deny", op, false, "access to %s is denied",
				      format_resolved(&n, name, sizeof(name)));
				return;
			}
		}
	}
	for (uint32_t i = 0; i < st->n_objects && p->n_ident_allow > 0; i++) {
		struct dw_resolved_name n;
		bool allowed = false;
		resolve(a, &a->objects[st->first_object + i], j, &n);
		for (size_t r = 0; r < p->n_ident_allow && !allowed; r++)
			allowed = dw_ident_rule_matches(&p->ident_allow[r], &n, fold);
		if (!allowed) {
			found(&j->hard, "identifiers.allow", op, false, "%s is not in identifiers.allow",
			      format_resolved(&n, name, sizeof(name)));
			return;
		}
	}
}

static void check_idents(struct dw_policy_ctx *ctx, const struct dw_sql_analysis *a,
	const struct dw_sql_stmt *st, enum dw_sql_op op, struct judgement *j)
{
	const struct dw_policy_config *p = j->p;
	char shown[REASON_NAME_MAX * 2];

	for (uint32_t i = 0; i < st->n_idents && p->ident_regex != NULL; i++) {
		const struct dw_sql_ident *id = &a->idents[st->first_ident + i];
		const char *s = a->names + id->off;
		int rc = REG_NOMATCH;

		if (id->len + 1 > ctx->scratch_cap) {
			size_t cap = (size_t)id->len + 1 < 256 ? 256 : (size_t)id->len + 1;
			char *n = realloc(ctx->scratch, cap);
			if (n == NULL) {
				out_of_memory(j, op);
				return;
			}
			ctx->scratch = n;
			ctx->scratch_cap = cap;
		}
		/* regexec stops at a NUL byte: an identifier holding one could
		 * hide its tail from the pattern, so it never matches. */
		if (memchr(s, '\0', id->len) == NULL) {
			memcpy(ctx->scratch, s, id->len);
			ctx->scratch[id->len] = '\0';
			rc = regexec(p->ident_regex, ctx->scratch, 0, NULL, 0);
		}
		if (rc == 0)
			continue;
		if (rc != REG_NOMATCH)
			out_of_memory(j, op);
		else
			found(&j->hard, "identifiers.pattern", op, false,
			      "identifier \"%s\" does not match identifiers.pattern",
			      safe_text(s, id->len, shown, sizeof(shown)));
		return;
	}
	for (uint32_t i = 0; i < st->n_idents && p->ident_max_length > 0; i++) {
		const struct dw_sql_ident *id = &a->idents[st->first_ident + i];
		const char *s = a->names + id->off;
		if (id->len > p->ident_max_length) {
			found(&j->hard, "identifiers.max_length", op, false,
			      "identifier \"%s\" is longer than %" PRIu32 " bytes",
			      safe_text(s, id->len, shown, sizeof(shown)), p->ident_max_length);
			return;
		}
	}
}

static void check_functions(const struct dw_sql_analysis *a, const struct dw_sql_stmt *st,
	enum dw_sql_op op, struct judgement *j)
{
	const struct dw_policy_config *p = j->p;
	char shown[REASON_NAME_MAX * 2];

	for (uint32_t i = 0; i < st->n_functions && p->n_functions_deny > 0; i++) {
		const struct dw_sql_name *f = &a->functions[st->first_function + i];
		const char *name = a->names + f->name_off;
		for (size_t r = 0; r < p->n_functions_deny; r++) {
			if (dw_function_rule_matches(p->functions_deny[r], a->names + f->schema_off,
						     f->schema_len, name, f->name_len)) {
				found(&j->hard, "functions", op, false, "function %s is denied",
				      safe_text(name, f->name_len, shown, sizeof(shown)));
				return;
			}
		}
	}
}

static void check_complexity(const struct dw_sql_stmt *st, enum dw_sql_op op, struct judgement *j)
{
	const struct dw_policy_config *p = j->p;

	if (p->max_joins > 0 && st->joins > p->max_joins)
		found(&j->hard, "complexity.max_joins", op, false, "%" PRIu32 " joins (limit %" PRIu32 ")",
		      st->joins, p->max_joins);
	else if (p->max_subquery_depth > 0 && st->subquery_depth > p->max_subquery_depth)
		found(&j->hard, "complexity.max_subquery_depth", op, false,
		      "subqueries nested %" PRIu32 " deep (limit %" PRIu32 ")", st->subquery_depth,
		      p->max_subquery_depth);
	else if (p->max_unions > 0 && st->unions > p->max_unions)
		found(&j->hard, "complexity.max_unions", op, false,
		      "%" PRIu32 " UNION/INTERSECT/EXCEPT (limit %" PRIu32 ")", st->unions, p->max_unions);
	else if (p->max_in_list > 0 && st->max_in_list > p->max_in_list)
		found(&j->hard, "complexity.max_in_list", op, false,
		      "IN list of %" PRIu32 " items (limit %" PRIu32 ")", st->max_in_list, p->max_in_list);
	else if (st->op == DW_OP_UPDATE && p->require_where_update && !st->has_where)
		found(&j->hard, "complexity.require_where", op, false, "UPDATE without WHERE");
	else if (st->op == DW_OP_DELETE && p->require_where_delete && !st->has_where)
		found(&j->hard, "complexity.require_where", op, false, "DELETE without WHERE");
}

static bool remember_for_learning(struct dw_policy_ctx *ctx, const char *text, uint32_t len,
	uint64_t fingerprint)
{
	if (ctx->n_learn == ctx->cap_learn) {
		size_t cap = ctx->cap_learn ? ctx->cap_learn * 2 : 16;
		struct learn_ref *n = realloc(ctx->learn, cap * sizeof(*n));
		if (n == NULL)
			return false;
		ctx->learn = n;
		ctx->cap_learn = cap;
	}
	ctx->learn[ctx->n_learn++] = (struct learn_ref){ text, len, fingerprint };
	return true;
}

static void judge_message(struct dw_policy_ctx *ctx, const struct dw_sql_analysis *a,
	const char *text, size_t len, enum dw_sql_op body_of, struct judgement *j);

/* The body of `PREPARE name AS|FROM body`: a statement of its own, judged
 * by the same rules. */
static void judge_body(struct dw_policy_ctx *ctx, const struct dw_sql_analysis *a,
	const struct dw_sql_stmt *st, const char *text, size_t len, struct judgement *j)
{
	const char *body;
	size_t limit = st->prepare_body_in_names ? a->names_len : len;

	if (st->prepare_body_unknown) {
		unparseable(j, st->op, "PREPARE from a variable");
		return;
	}
	if ((uint64_t)st->body_off + st->body_len > limit) {
		unparseable(j, st->op, "PREPARE body out of range");
		return;
	}
	body = (st->prepare_body_in_names ? a->names : text) + st->body_off;
	switch (dw_sql_analyze(&ctx->body, body, st->body_len, j->opts)) {
	case DW_SQL_OK:
		break;
	case DW_SQL_NOMEM:
		out_of_memory(j, st->op);
		return;
	default:
		unparseable(j, st->op, ctx->body.reason != NULL ? ctx->body.reason : "PREPARE body");
		return;
	}
	if (!spans_ok(&ctx->body)) {
		unparseable(j, st->op, "inconsistent analysis");
		return;
	}
	judge_message(ctx, &ctx->body, body, st->body_len, st->op, j);
}

/* BODY_OF: DW_OP_COUNT for a message, else the operation of the PREPARE
 * whose body A is (findings are reported as that statement's). */
static void judge_message(struct dw_policy_ctx *ctx, const struct dw_sql_analysis *a,
	const char *text, size_t len, enum dw_sql_op body_of, struct judgement *j)
{
	const struct dw_policy_config *p = j->p;
	bool in_body = body_of != DW_OP_COUNT;

	if (a->n_stmts > 1 && !p->multi_statements_allow) {
		found(&j->hard, "multi_statements", in_body ? body_of : a->stmts[0].op, false,
		      "%" PRIu32 " statements in one %s", a->n_stmts, in_body ? "PREPARE body" : "message");
		return;
	}
	for (uint32_t i = 0; i < a->n_stmts && j->hard.rule == NULL; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		enum dw_sql_op op = in_body ? body_of : st->op;
		uint32_t denied = st->classes & p->deny_classes;

		if (denied != 0) {
			found(&j->hard, "statements", op, false, "statement class %s is denied",
			      class_name(denied & -denied));
			return;
		}
		check_objects(a, st, op, j);
		if (j->hard.rule == NULL)
			check_idents(ctx, a, st, op, j);
		if (j->hard.rule == NULL)
			check_functions(a, st, op, j);
		if (j->hard.rule == NULL)
			check_complexity(st, op, j);
		for (size_t k = 0; p->injection_detect && j->hard.rule == NULL &&
				   k < sizeof(injection_kinds) / sizeof(injection_kinds[0]); k++)
			if (st->injection & injection_kinds[k].bit)
				found(&j->hard, injection_kinds[k].rule, op, false,
				      "possible SQL injection: %s", injection_kinds[k].what);
		if (j->hard.rule != NULL)
			return;
		if (j->allowlist_enforced && !dw_allowlist_contains(&p->allowlist, st->fingerprint))
			found(&j->allowlist, "allowlist", op, false,
			      "statement fingerprint %016" PRIx64 " is not in the allowlist",
			      st->fingerprint);
		if (p->mode == DW_POLICY_LEARN && st->off <= len && st->len <= len - st->off &&
		    !remember_for_learning(ctx, text + st->off, st->len, st->fingerprint)) {
			out_of_memory(j, op);
			return;
		}
		if (st->has_prepare_body) {
			if (in_body)
				unparseable(j, op, "PREPARE inside a PREPARE body");
			else
				judge_body(ctx, a, st, text, len, j);
		}
	}
}

/* Forget the previous message's analysis when this one is not analysed, so
 * audit never describes the wrong statement. */
static void mark_not_analysed(struct dw_sql_analysis *a, const char *why)
{
	a->status = DW_SQL_UNPARSEABLE;
	a->reason = why;
	a->n_stmts = 0;
	a->n_objects = a->n_functions = a->n_idents = a->names_len = 0;
	a->literal_sensitive = false;
	a->fingerprint = 0;
}

static void learn(struct dw_policy_ctx *ctx, const struct dw_policy_config *p,
	const struct dw_sql_options *opts, struct dw_verdict *v)
{
	char normalized[DW_LEARN_COMMENT_MAX + 2];

	for (size_t i = 0; i < ctx->n_learn && p->allowlist_file != NULL; i++) {
		const struct learn_ref *r = &ctx->learn[i];
		size_t n;

		if (dw_allowlist_contains(&p->allowlist, r->fingerprint))
			continue;
		n = dw_sql_normalize(r->text, r->len, opts, normalized, sizeof(normalized));
		if (n >= sizeof(normalized))
			n = sizeof(normalized) - 1; /* cut: the writer marks it */
		if (dw_allowlist_learn(p->allowlist_file, r->fingerprint, normalized, n) ==
		    DW_LEARN_QUEUED)
			v->learned = true;
	}
}

static void apply_mode(const struct dw_policy_config *p, const struct judgement *j,
	struct dw_verdict *v)
{
	const struct finding *f = j->hard.rule != NULL ? &j->hard :
				  j->allowlist.rule != NULL ? &j->allowlist :
				  j->soft.rule != NULL ? &j->soft : NULL;

	if (f == NULL)
		return;
	v->flagged = true;
	v->rule = f->rule;
	v->op = f->op;
	memcpy(v->reason, f->reason, sizeof(v->reason));
	v->block = f->fatal || (p->mode == DW_POLICY_ENFORCE && f != &j->soft);
}

void dw_policy_check(struct dw_policy_ctx *ctx, const struct dw_policy_config *p,
	const char *text, size_t len, const struct dw_sql_options *opts, const char *current_db,
	struct dw_verdict *v)
{
	struct dw_sql_analysis *a = &ctx->a;
	struct judgement j = { .p = p, .opts = opts };
	struct dw_decision_key key;
	enum dw_sql_status status;
	bool cacheable = false;

	memset(v, 0, sizeof(*v));
	v->mode = p != NULL ? p->mode : DW_POLICY_ENFORCE;
	v->policy = p != NULL ? p->name : NULL;
	ctx->n_learn = 0;
	if (current_db != NULL && current_db[0] == '\0')
		current_db = NULL;
	j.current_db = current_db;

	if (p != NULL && p->max_statement_bytes > 0 && len > p->max_statement_bytes) {
		mark_not_analysed(a, "longer than complexity.max_statement_bytes");
		found(&j.hard, "complexity.max_statement_bytes", DW_OP_OTHER, false,
		      "statement of %zu bytes is longer than %" PRIu64, len, p->max_statement_bytes);
		apply_mode(p, &j, v);
		return;
	}

	status = dw_sql_analyze(a, text, len, opts);
	if (status == DW_SQL_OK && spans_ok(a)) {
		v->op = a->n_stmts > 0 ? a->stmts[0].op : DW_OP_OTHER;
		v->fingerprint = a->fingerprint;
		for (uint32_t i = 0; i < a->n_stmts; i++) {
			v->classes |= a->stmts[i].classes;
			v->writes |= a->stmts[i].writes;
		}
	} else if (status == DW_SQL_OK) {
		status = DW_SQL_UNPARSEABLE;
	}
	if (p == NULL)
		return;

	j.allowlist_enforced = p->allowlist_present && p->mode != DW_POLICY_LEARN;
	if (status == DW_SQL_NOMEM) {
		out_of_memory(&j, DW_OP_OTHER);
	} else if (status != DW_SQL_OK) {
		unparseable(&j, DW_OP_OTHER, a->reason != NULL ? a->reason : "unknown syntax");
	} else {
		/* Learn mode records as a side effect, and a verdict that may
		 * depend on literals or on a second analysis is not a function
		 * of the fingerprint alone. */
		cacheable = p->mode != DW_POLICY_LEARN && !a->literal_sensitive && a->n_stmts == 1 &&
			    !a->stmts[0].has_prepare_body;
		if (cacheable) {
			key = (struct dw_decision_key){ p, p->generation, a->fingerprint,
							dw_decision_context(opts, current_db) };
			if (dw_decision_cache_get(ctx->cache, &key, v))
				return;
		}
		judge_message(ctx, a, text, len, DW_OP_COUNT, &j);
	}
	apply_mode(p, &j, v);
	if (!v->flagged && p->mode == DW_POLICY_LEARN)
		learn(ctx, p, opts, v);
	if (cacheable && !(j.hard.rule != NULL && j.hard.fatal))
		dw_decision_cache_put(ctx->cache, &key, v);
}
