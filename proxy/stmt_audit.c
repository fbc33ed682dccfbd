/* See stmt_audit.h. */
#include "proxy/stmt_audit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"

/* A session pipelining more statements than this without reading results
 * gets the oldest recorded at once, with outcome unknown. */
#define NOTES_MAX 65536u
/* Text kept per statement; the record builder cuts longer fields anyway. */
#define TEXT_MAX (16u * 1024u)

struct dw_stmt_note {
	uint32_t message;
	uint64_t start_us;
	uint64_t fingerprint;
	enum dw_sql_op op;
	uint32_t classes;
	bool writes;
	const char *text;      /* as audit.statements says; NULL for none */
	size_t text_len;
	const char *objects;   /* "a\0b\0" */
	size_t objects_len;
	char *block;           /* owns text and objects */
	struct dw_stmt_summary *sum; /* an execution: the facts are the summary's */
	const char *rule;      /* a monitor/learn finding, static text */
	char *reason;
	enum dw_policy_mode mode;
};

/* A prepared statement's note template: the same fields, kept. */
struct dw_stmt_summary {
	struct dw_stmt_note note;
	uint32_t refs;
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *mode_name(enum dw_policy_mode mode)
{
	return mode == DW_POLICY_MONITOR ? "monitor" : mode == DW_POLICY_LEARN ? "learn" : "enforce";
}

/* The record's `event` for a statement that ran: admin for DDL, privilege
 * and admin statements, write for data changes, query for the rest. */
static const char *event_of(uint32_t classes, bool writes)
{
	if (classes & (DW_CLASS_DDL | DW_CLASS_GRANT | DW_CLASS_ADMIN))
		return "admin";
	if (writes || (classes & (DW_CLASS_LOAD_DATA | DW_CLASS_OUTFILE)))
		return "write";
	return "query";
}

/* Hex without printf: once per statement. */
static void format_hex64(char out[17], uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 15; i >= 0; i--, v >>= 4)
		out[i] = digits[v & 15];
	out[16] = '\0';
}

static void put_session(struct dw_audit_rec *r, const struct dw_session_info *as)
{
	char id[24];
	dw_audit_strn(r, "session", id, dw_audit_u64(id, as->id));
	dw_audit_str(r, "listener", as->listener);
	dw_audit_str(r, "protocol", as->protocol);
	dw_audit_str(r, "backend", as->backend);
	dw_audit_client(r, as->ip, as->port, as->tls);
	dw_audit_str(r, "user", as->user);
	if (as->database && *as->database)
		dw_audit_str(r, "database", as->database);
	if (as->application && *as->application)
		dw_audit_str(r, "application", as->application);
}

/* What identifies AS's rendering: its strings and numbers, one after
 * the other. Cheaper to build and compare than to escape again. */
static size_t session_key(const struct dw_session_info *as, char *out, size_t cap)
{
	const char *parts[] = { as->listener, as->protocol, as->backend, as->user, as->database,
		as->application, as->ip };
	size_t n = 0;
	struct { uint64_t id; int port; bool tls; } nums = { as->id, as->port, as->tls };
	if (cap < sizeof nums)
		return 0;
	memcpy(out, &nums, sizeof nums);
	n = sizeof nums;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		size_t l = parts[i] ? strlen(parts[i]) + 1 : 1;
		if (n + l > cap)
			return 0;
		if (parts[i])
			memcpy(out + n, parts[i], l);
		else
			out[n] = '\1'; /* NULL, told apart from "" */
		n += l;
	}
	return n;
}

/* AS's fields into R, rendered again only when the session changed (user,
 * database or application after login, a new backend...). */
static void put_session_cached(struct dw_audit_rec *r, struct dw_stmt_notes *n,
	const struct dw_session_info *as)
{
	char key[1024];
	size_t kl = session_key(as, key, sizeof key);
	if (kl == 0) { /* unusually long names: not cached */
		put_session(r, as);
		return;
	}
	if (!n->who || n->who_key_len != kl || memcmp(n->who_key, key, kl) != 0) {
		struct dw_audit_rec f = {0};
		dw_audit_reset(&f);
		put_session(&f, as);
		char *k = malloc(kl);
		if (!k || !f.buf) {
			free(k);
			dw_audit_rec_free(&f);
			put_session(r, as);
			return;
		}
		free(n->who);
		free(n->who_key);
		memcpy(k, key, kl);
		n->who = f.buf; /* the rendered fields, kept */
		n->who_len = (uint32_t)f.len;
		n->who_cut = f.truncated;
		n->who_key = k;
		n->who_key_len = (uint32_t)kl;
	}
	dw_audit_raw(r, n->who, n->who_len, n->who_cut);
}

void dw_audit_session_event(const struct dw_session_info *as, const char *event,
	const char *action, const char *outcome, const char *severity, const char *reason)
{
	struct dw_audit_rec *r = dw_audit_scratch(as->worker);
	if (!r)
		return;
	dw_audit_begin(r, event, action, outcome, severity);
	put_session(r, as);
	dw_audit_str(r, "reason", reason);
	dw_audit_submit(as->worker, r);
}

void dw_audit_decision(const struct dw_session_info *as, const char *event, const char *action,
	const char *outcome, const char *severity, const char *rule, const char *reason,
	const char *ref)
{
	struct dw_audit_rec *r = dw_audit_scratch(as->worker);
	if (!r)
		return;
	dw_audit_begin(r, event, action, outcome, severity);
	put_session(r, as);
	dw_audit_str(r, "rule", rule);
	dw_audit_str(r, "reason", reason);
	dw_audit_str(r, "ref", ref);
	dw_audit_submit(as->worker, r);
}

/* Statement I of A as MODE says: normalized (literals replaced), full, or
 * nothing (NULL). A view into A or TEXT, cut to TEXT_MAX. */
static const char *statement_view(const struct dw_sql_analysis *a, const char *text, uint32_t i,
	enum dw_audit_statements mode, size_t *len)
{
	const struct dw_sql_stmt *st = &a->stmts[i];
	*len = 0;
	if (mode == DW_AUDIT_STMT_NONE)
		return NULL;
	const char *from = text + st->off;
	size_t n = st->len;
	if (mode == DW_AUDIT_STMT_NORMALIZED) {
		if (!a->keep_normalized || !a->normalized)
			return NULL; /* out of memory when it was analysed */
		/* The analysis kept what the fingerprint hashed. */
		from = a->normalized + st->norm_off;
		n = st->norm_len;
	}
	*len = n > TEXT_MAX ? TEXT_MAX : n;
	return from;
}

/* Bytes the names of statement I's objects take as "a\0b\0". */
static size_t objects_size(const struct dw_sql_analysis *a, uint32_t i)
{
	const struct dw_sql_stmt *st = &a->stmts[i];
	size_t cap = 0;
	for (uint32_t k = 0; k < st->n_objects; k++) {
		const struct dw_sql_name *n = &a->objects[st->first_object + k];
		cap += n->schema_len + n->name_len + 2;
	}
	return cap;
}

/* Writes them to OUT (objects_size bytes); returns the length used. */
static size_t objects_write(const struct dw_sql_analysis *a, uint32_t i, char *out, size_t cap)
{
	const struct dw_sql_stmt *st = &a->stmts[i];
	size_t len = 0;
	for (uint32_t k = 0; k < st->n_objects && len < cap; k++) {
		dw_sql_name_format(a, &a->objects[st->first_object + k], out + len, cap - len);
		len += strlen(out + len) + 1;
	}
	return len;
}

static void note_free(struct dw_stmt_note *e)
{
	free(e->block);
	free(e->reason);
	dw_stmt_summary_unref(e->sum);
	memset(e, 0, sizeof *e);
}

static void put_statement(struct dw_audit_rec *r, enum dw_sql_op op, uint64_t fingerprint,
	const char *text, size_t text_len, const char *objects, size_t objects_len)
{
	char fp[17];
	dw_audit_str(r, "operation", dw_sql_op_name(op));
	format_hex64(fp, fingerprint);
	dw_audit_strn(r, "fingerprint", fp, 16);
	if (text)
		dw_audit_strn(r, "statement", text, text_len);
	dw_audit_array_begin(r, "objects");
	for (size_t o = 0; o < objects_len;) {
		size_t l = strlen(objects + o);
		dw_audit_array_strn(r, objects + o, l);
		o += l + 1;
	}
	dw_audit_array_end(r);
}

/* How a statement ended, as its record tells. */
struct note_end {
	const char *action;        /* "statement" unless dbward stopped it */
	const char *outcome;
	uint64_t rows;
	bool has_rows;
	const char *sqlstate;
	int err_no;
	const char *error;
	const char *rule;          /* a limit that stopped it */
	const char *ref;           /* the reference the client's error message shows */
};

/* Writes the record of NOTE ending as END says. */
static void record_note(struct dw_stmt_notes *n, const struct dw_session_info *as,
	struct dw_stmt_note *note, const struct note_end *end)
{
	/* An execution's facts are its prepared statement's; its times its own. */
	const struct dw_stmt_note *e = note->sum ? &note->sum->note : note;
	bool ok = strcmp(end->outcome, "success") == 0;
	const char *severity = ok ? (e->rule ? "warning" : "info") : "warning";
	struct dw_audit_rec *r = dw_audit_scratch(as->worker);
	if (!r)
		return;
	const char *event = end->rule && strcmp(end->action, "blocked") == 0 ? "security" :
		event_of(e->classes, e->writes);
	dw_audit_begin(r, event, end->action, end->outcome, severity);
	put_session_cached(r, n, as);
	put_statement(r, e->op, e->fingerprint, e->text, e->text_len, e->objects, e->objects_len);
	if (end->rule) {
		dw_audit_str(r, "rule", end->rule);
	} else if (e->rule) {
		dw_audit_str(r, "rule", e->rule);
		dw_audit_str(r, "reason", e->reason);
		dw_audit_str(r, "mode", mode_name(e->mode));
	}
	if (strcmp(end->outcome, "unknown") != 0)
		dw_audit_int(r, "duration_us", (int64_t)(now_us() - note->start_us));
	if (end->has_rows)
		dw_audit_int(r, "rows", (int64_t)end->rows);
	if (end->sqlstate && *end->sqlstate)
		dw_audit_str(r, "sqlstate", end->sqlstate);
	if (end->err_no)
		dw_audit_int(r, "errno", end->err_no);
	dw_audit_str(r, "error", end->error);
	if (end->ref && *end->ref)
		dw_audit_str(r, "ref", end->ref);
	dw_audit_submit(as->worker, r);
}

static void record_simple(struct dw_stmt_notes *n, const struct dw_session_info *as,
	struct dw_stmt_note *note, const char *outcome, const char *error)
{
	struct note_end end = { .action = "statement", .outcome = outcome, .error = error };
	record_note(n, as, note, &end);
}

static struct dw_stmt_note *oldest(struct dw_stmt_notes *n)
{
	return n->count ? &n->q[n->head] : NULL;
}

static void pop(struct dw_stmt_notes *n)
{
	note_free(&n->q[n->head]);
	n->head = (n->head + 1) % n->cap;
	n->count--;
}

static bool grow(struct dw_stmt_notes *n)
{
	uint32_t cap = n->cap ? n->cap * 2 : 16;
	struct dw_stmt_note *q = calloc(cap, sizeof *q);
	if (!q)
		return false;
	for (uint32_t i = 0; i < n->count; i++)
		q[i] = n->q[(n->head + i) % n->cap];
	free(n->q);
	n->q = q;
	n->head = 0;
	n->cap = cap;
	return true;
}

uint32_t dw_stmt_notes_new_message(struct dw_stmt_notes *n)
{
	if (++n->message == 0)
		n->message = 1;
	return n->message;
}

/* A free slot at the end of the FIFO, or NULL (full). */
static struct dw_stmt_note *append(struct dw_stmt_notes *n, uint32_t message)
{
	if (n->count == n->cap && (n->cap >= NOTES_MAX || !grow(n)))
		return NULL;
	struct dw_stmt_note *e = &n->q[(n->head + n->count) % n->cap];
	memset(e, 0, sizeof *e);
	e->message = message;
	e->start_us = now_us();
	n->count++;
	return e;
}

static void fill(struct dw_stmt_note *e, const struct dw_sql_analysis *a, const char *text,
	uint32_t i, const struct dw_verdict *v, enum dw_audit_statements mode)
{
	e->fingerprint = a->stmts[i].fingerprint;
	e->op = a->stmts[i].op;
	e->classes = a->stmts[i].classes;
	e->writes = a->stmts[i].writes;
	/* Text and object names in one allocation: one per statement. */
	size_t tl;
	const char *t = statement_view(a, text, i, mode, &tl);
	size_t ocap = objects_size(a, i);
	if ((t || ocap) && (e->block = malloc(tl + 1 + ocap)) != NULL) {
		if (t) {
			memcpy(e->block, t, tl);
			e->block[tl] = '\0';
			e->text = e->block;
			e->text_len = tl;
		}
		if (ocap) {
			e->objects = e->block + tl + 1;
			e->objects_len = objects_write(a, i, e->block + tl + 1, ocap);
		}
	}
	if (v && v->flagged) {
		e->rule = v->rule;
		e->reason = strdup(v->reason);
		e->mode = v->mode;
	}
}

void dw_stmt_notes_push(struct dw_stmt_notes *n, uint32_t message,
	const struct dw_sql_analysis *a, const char *text, const struct dw_verdict *v,
	enum dw_audit_statements mode)
{
	if (!dw_audit_on())
		return;
	uint32_t count = a->status == DW_SQL_OK ? a->n_stmts : 0;
	for (uint32_t i = 0; i < count; i++) {
		struct dw_stmt_note *e = append(n, message);
		if (!e)
			return; /* past the cap: these statements go unrecorded, logged by the caller's caps */
		fill(e, a, text, i, v, mode);
	}
}

struct dw_stmt_summary *dw_stmt_summary_new(const struct dw_sql_analysis *a, const char *text,
	const struct dw_verdict *v, enum dw_audit_statements mode)
{
	if (!dw_audit_on() || a->status != DW_SQL_OK || a->n_stmts == 0)
		return NULL;
	struct dw_stmt_summary *sum = calloc(1, sizeof *sum);
	if (sum) {
		fill(&sum->note, a, text, 0, v, mode);
		sum->refs = 1;
	}
	return sum;
}

struct dw_stmt_summary *dw_stmt_summary_ref(struct dw_stmt_summary *sum)
{
	if (sum)
		sum->refs++;
	return sum;
}

void dw_stmt_summary_unref(struct dw_stmt_summary *sum)
{
	if (!sum || --sum->refs)
		return;
	note_free(&sum->note);
	free(sum);
}

void dw_stmt_notes_push_execution(struct dw_stmt_notes *n, uint32_t message,
	struct dw_stmt_summary *sum)
{
	if (!dw_audit_on())
		return;
	struct dw_stmt_note *e = append(n, message);
	if (e)
		e->sum = dw_stmt_summary_ref(sum);
}

static bool complete(struct dw_stmt_notes *n, const struct dw_session_info *as, bool ok,
	uint64_t rows, const char *sqlstate, int err_no, const char *error, const char *ref)
{
	struct dw_stmt_note *e = oldest(n);
	if (!e)
		return false;
	struct note_end end = { .action = "statement", .outcome = ok ? "success" : "failure",
		.rows = rows, .has_rows = ok && rows != DW_ROWS_UNKNOWN, .sqlstate = sqlstate,
		.err_no = err_no, .error = error, .ref = ref };
	record_note(n, as, e, &end);
	pop(n);
	return true;
}

static bool complete_message(struct dw_stmt_notes *n, const struct dw_session_info *as,
	bool ok, uint64_t rows, const char *sqlstate, int err_no, const char *error, const char *ref)
{
	struct dw_stmt_note *e = oldest(n);
	if (!e)
		return false;
	uint32_t message = e->message;
	complete(n, as, ok, rows, sqlstate, err_no, error, ref);
	if (!ok) {
		dw_stmt_notes_end_through(n, as, message);
		return true;
	}
	while ((e = oldest(n)) && e->message == message) {
		record_simple(n, as, e, "success", NULL);
		pop(n);
	}
	return true;
}

void dw_stmt_notes_complete(struct dw_stmt_notes *n, const struct dw_session_info *as, bool ok,
	uint64_t rows, const char *sqlstate, int err_no, const char *error)
{
	complete(n, as, ok, rows, sqlstate, err_no, error, NULL);
}

void dw_stmt_notes_complete_message(struct dw_stmt_notes *n, const struct dw_session_info *as,
	bool ok, uint64_t rows, const char *sqlstate, int err_no, const char *error)
{
	complete_message(n, as, ok, rows, sqlstate, err_no, error, NULL);
}

void dw_stmt_notes_complete_cut(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *action, const char *rule, const char *sqlstate, int err_no, const char *error,
	const char *ref)
{
	struct dw_stmt_note *e = oldest(n);
	if (!e)
		return;
	bool blocked = strcmp(action, "blocked") == 0;
	struct note_end end = { .action = action, .outcome = blocked ? "blocked" : "failure",
		.sqlstate = sqlstate, .err_no = err_no, .error = error, .rule = rule, .ref = ref };
	record_note(n, as, e, &end);
	pop(n);
}

bool dw_stmt_notes_fail(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *sqlstate, int err_no, const char *error, const char *ref)
{
	return complete(n, as, false, 0, sqlstate, err_no, error, ref);
}

bool dw_stmt_notes_fail_message(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *sqlstate, int err_no, const char *error, const char *ref)
{
	return complete_message(n, as, false, 0, sqlstate, err_no, error, ref);
}

void dw_audit_server_error(const struct dw_session_info *as, const char *sqlstate, int err_no,
	const char *error, const char *ref)
{
	struct dw_audit_rec *r = dw_audit_scratch(as->worker);
	if (!r)
		return;
	dw_audit_begin(r, "error", "server_error", "failure", "warning");
	put_session(r, as);
	if (sqlstate && *sqlstate)
		dw_audit_str(r, "sqlstate", sqlstate);
	if (err_no)
		dw_audit_int(r, "errno", err_no);
	dw_audit_str(r, "error", error);
	if (ref && *ref)
		dw_audit_str(r, "ref", ref);
	dw_audit_submit(as->worker, r);
}

void dw_stmt_notes_fail_unsent(struct dw_stmt_notes *n, const struct dw_session_info *as,
	uint32_t message, const char *sqlstate, int err_no, const char *error, const char *ref)
{
	/* Its notes are the newest ones: find where they start. */
	uint32_t k = 0;
	while (k < n->count && n->q[(n->head + n->count - 1 - k) % n->cap].message == message)
		k++;
	for (uint32_t i = 0; i < k; i++) {
		struct dw_stmt_note *e = &n->q[(n->head + n->count - k + i) % n->cap];
		struct note_end end = { .action = "statement", .outcome = "failure",
			.sqlstate = i == 0 ? sqlstate : NULL, .err_no = i == 0 ? err_no : 0,
			.error = i == 0 ? error :
				"not executed: an earlier statement of the same message failed",
			.ref = i == 0 ? ref : NULL };
		record_note(n, as, e, &end);
		note_free(e);
	}
	n->count -= k;
}

void dw_stmt_notes_end_through(struct dw_stmt_notes *n, const struct dw_session_info *as,
	uint32_t message)
{
	struct dw_stmt_note *e;
	while ((e = oldest(n)) && (int32_t)(e->message - message) <= 0) {
		record_simple(n, as, e, "failure",
			"not executed: an earlier statement of the same message failed");
		pop(n);
	}
}

void dw_stmt_notes_clear(struct dw_stmt_notes *n, const struct dw_session_info *as)
{
	struct dw_stmt_note *e;
	while ((e = oldest(n))) {
		if (as)
			record_simple(n, as, e, "unknown",
				"the client left before the result ended");
		pop(n);
	}
	free(n->q);
	free(n->who);
	free(n->who_key);
	memset(n, 0, sizeof *n);
}

void dw_audit_session_closed(struct dw_stmt_notes *n, const struct dw_session_info *as,
	const char *reason)
{
	if (!dw_audit_on())
		return;
	dw_stmt_notes_clear(n, as);
	dw_audit_session_event(as, "connection", "disconnect", "success", "info", reason);
}

void dw_audit_refused(const struct dw_session_info *as, const struct dw_sql_analysis *a,
	const char *text, size_t len, const struct dw_verdict *v, const char *ref,
	enum dw_audit_statements mode)
{
	if (!dw_audit_on())
		return;
	uint32_t count = a && a->status == DW_SQL_OK && a->n_stmts ? a->n_stmts : 1;
	for (uint32_t i = 0; i < count; i++) {
		struct dw_audit_rec *r = dw_audit_scratch(as->worker);
		if (!r)
			return;
		dw_audit_begin(r, "security", "blocked", "blocked", "warning");
		put_session(r, as);
		if (a && a->status == DW_SQL_OK && a->n_stmts) {
			size_t tl, ocap = objects_size(a, i), ol = 0;
			const char *t = statement_view(a, text, i, mode, &tl);
			char *o = ocap ? malloc(ocap) : NULL;
			if (o)
				ol = objects_write(a, i, o, ocap);
			put_statement(r, a->stmts[i].op, a->stmts[i].fingerprint, t, tl, o, ol);
			free(o);
		} else {
			char fp[17];
			dw_audit_str(r, "operation", dw_sql_op_name(v->op));
			format_hex64(fp, v->fingerprint);
			dw_audit_strn(r, "fingerprint", fp, 16);
			if (mode == DW_AUDIT_STMT_FULL)
				dw_audit_strn(r, "statement", text, len < TEXT_MAX ? len : TEXT_MAX);
		}
		dw_audit_str(r, "rule", v->rule);
		dw_audit_str(r, "reason", v->reason);
		dw_audit_str(r, "mode", mode_name(v->mode));
		dw_audit_str(r, "policy", v->policy);
		dw_audit_str(r, "ref", ref);
		dw_audit_submit(as->worker, r);
	}
}
