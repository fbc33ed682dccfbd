/* The SQL corpus against the analyzer: every case of tests/unit/corpus (the
 * directory is argv[1]) is analysed with one analysis object reused across
 * all of them, and checked against its `@expect` keys and the defaults of
 * its file (docs/sql-corpus.md). One TAP line per case, then counts per
 * dialect; fewer than 500 cases in a dialect is a failure. Each text is
 * copied into a buffer of exactly its length, so under ASan a read past the
 * end of a message shows. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sql_analyze.h"
#include "tests/unit/corpus/reader.h"
#include "tests/unit/tap.h"

#define MIN_CASES_PER_DIALECT 500
#define MIN_HOSTILE_CASES 250

/* A set of short strings: objects, functions, operation names. */
struct strset {
	char **items;
	size_t n, cap;
};

static void set_add(struct strset *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i], v) == 0)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		char **grown = realloc(s->items, s->cap * sizeof *grown);
		if (!grown)
			abort();
		s->items = grown;
	}
	s->items[s->n] = strdup(v);
	if (!s->items[s->n])
		abort();
	s->n++;
}

static void set_clear(struct strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i]);
	s->n = 0;
}

static void set_free(struct strset *s)
{
	set_clear(s);
	free(s->items);
	memset(s, 0, sizeof *s);
}

static bool set_has(const struct strset *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i], v) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a,b,c" in sorted order, for messages. */
static void set_join(struct strset *s, char *out, size_t cap)
{
	if (s->n > 1)
		qsort(s->items, s->n, sizeof *s->items, cmp_str);
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->n && used + 1 < cap; i++) {
		int n = snprintf(out + used, cap - used, "%s%s", i ? "," : "", s->items[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Whether the comma list WANT is exactly the set GOT. */
static bool set_equals_list(const struct strset *got, const char *want)
{
	char buf[8192];
	const char *parts[512];
	int n = corpus_split_list(want, buf, sizeof buf, parts, 512);
	if (n < 0)
		return false;
	struct strset w = {0};
	for (int i = 0; i < n; i++)
		set_add(&w, parts[i]);
	bool same = w.n == got->n;
	for (size_t i = 0; same && i < w.n; i++)
		same = set_has(got, w.items[i]);
	set_free(&w);
	return same;
}

static const char *const class_names[] = {"ddl", "grant", "admin", "load_data", "outfile"};
static const char *const inj_names[] = {"tautology", "comment_split", "stacked", "union_catalog",
	"time_probe"};

static uint32_t bits_of(const char *list, const char *const *names, size_t n_names)
{
	char buf[512];
	const char *parts[16];
	int n = corpus_split_list(list, buf, sizeof buf, parts, 16);
	uint32_t bits = 0;
	for (int i = 0; i < n; i++)
		for (size_t b = 0; b < n_names; b++)
			if (strcmp(parts[i], names[b]) == 0)
				bits |= 1u << b;
	return bits;
}

static void bits_text(uint32_t bits, const char *const *names, size_t n_names, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t b = 0; b < n_names; b++)
		if (bits & (1u << b)) {
			int n = snprintf(out + used, cap - used, "%s%s", used ? "," : "", names[b]);
			if (n < 0 || (size_t)n >= cap - used)
				return;
			used += (size_t)n;
		}
}

/* What one analysis says, summed over its statements the way the
 * expectation keys read it. */
struct summary {
	struct strset objects, functions, ops;
	uint32_t classes, injection;
	uint32_t joins, subquery_depth, unions, max_in_list;
	bool writes;
	int first_where;   /* -1: no UPDATE/DELETE; else has_where of the first one */
};

static void summarize(const struct dw_sql_analysis *a, struct summary *s)
{
	set_clear(&s->objects);
	set_clear(&s->functions);
	set_clear(&s->ops);
	s->classes = s->injection = 0;
	s->joins = s->subquery_depth = s->unions = s->max_in_list = 0;
	s->writes = false;
	s->first_where = -1;
	char name[1024];
	for (uint32_t i = 0; i < a->n_stmts; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		set_add(&s->ops, dw_sql_op_name(st->op));
		s->classes |= st->classes;
		s->injection |= st->injection;
		s->writes |= st->writes;
		if (st->joins > s->joins)
			s->joins = st->joins;
		if (st->subquery_depth > s->subquery_depth)
			s->subquery_depth = st->subquery_depth;
		if (st->unions > s->unions)
			s->unions = st->unions;
		if (st->max_in_list > s->max_in_list)
			s->max_in_list = st->max_in_list;
		if (s->first_where < 0 && (st->op == DW_OP_UPDATE || st->op == DW_OP_DELETE))
			s->first_where = st->has_where;
		for (uint32_t k = 0; k < st->n_objects; k++) {
			dw_sql_name_format(a, &a->objects[st->first_object + k], name, sizeof name);
			set_add(&s->objects, name);
		}
		for (uint32_t k = 0; k < st->n_functions; k++) {
			const struct dw_sql_name *f = &a->functions[st->first_function + k];
			size_t n = f->name_len < sizeof name - 1 ? f->name_len : sizeof name - 1;
			for (size_t j = 0; j < n; j++) {
				char ch = a->names[f->name_off + j];
				name[j] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
			}
			name[n] = '\0';
			set_add(&s->functions, name);
		}
	}
}

/* Problems found in one case, printed as TAP comments after its line. */
struct problems {
	char text[8192];
	size_t len;
	int count;
};

__attribute__((format(printf, 2, 3)))
static void problem(struct problems *p, const char *fmt, ...)
{
	p->count++;
	if (p->len + 8 >= sizeof p->text)
		return;
	int n = snprintf(p->text + p->len, sizeof p->text - p->len, "#   ");
	if (n > 0)
		p->len += (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(p->text + p->len, sizeof p->text - p->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		p->len += (size_t)n;
	if (p->len >= sizeof p->text - 1)
		p->len = sizeof p->text - 2;
	p->text[p->len++] = '\n';
	p->text[p->len] = '\0';
}

static void expect_uint(struct problems *p, const struct corpus_case *cc, const char *key,
	uint32_t got)
{
	const char *v = corpus_get(cc, key);
	if (v && strtoul(v, NULL, 10) != got)
		problem(p, "%s: got %u, want %s", key, got, v);
}

static void expect_bool(struct problems *p, const struct corpus_case *cc, const char *key, bool got)
{
	const char *v = corpus_get(cc, key);
	if (v && (strcmp(v, "yes") == 0) != got)
		problem(p, "%s: got %s, want %s", key, got ? "yes" : "no", v);
}

static void expect_set(struct problems *p, const struct corpus_case *cc, const char *key,
	struct strset *got)
{
	const char *v = corpus_get(cc, key);
	if (v && !set_equals_list(got, v)) {
		char text[4096];
		set_join(got, text, sizeof text);
		problem(p, "%s: got {%s}, want {%s}", key, text, v);
	}
}

static void expect_bits(struct problems *p, const struct corpus_case *cc, const char *key,
	uint32_t got, const char *const *names, size_t n_names, bool subset)
{
	const char *v = corpus_get(cc, key);
	if (!v)
		return;
	uint32_t want = bits_of(v, names, n_names);
	if (subset ? (got & want) != want : got != want) {
		char text[256];
		bits_text(got, names, n_names, text, sizeof text);
		problem(p, "%s: got {%s}, want %s{%s}", key, text, subset ? "at least " : "", v);
	}
}

/* The functions and objects the example policy of spec/config.md denies
 * (its complexity limits and require_where are applied below). */
static const char *const default_denied_functions[] = {"sleep", "benchmark", "pg_sleep",
	"load_file", "pg_read_file", "pg_read_binary_file", "lo_import", "lo_export", "dblink",
	"sys_exec", NULL};

static bool object_denied_by_default(const char *name, enum dw_sql_dialect dialect)
{
	if (strncmp(name, "mysql.", 6) == 0 || strncmp(name, "information_schema.", 19) == 0
			|| strcmp(name, "pg_catalog.pg_authid") == 0)
		return true;
	/* PostgreSQL looks in pg_catalog before the search path. */
	if (dialect == DW_SQL_POSTGRES && strcmp(name, "pg_authid") == 0)
		return true;
	return strstr(name, "password") != NULL;
}

/* Why the example policy (enforce, default rules) would refuse this message,
 * or NULL when it would not. */
static const char *default_policy_refusal(const struct dw_sql_analysis *a, const struct summary *s,
	enum dw_sql_dialect dialect)
{
	if (a->status != DW_SQL_OK)
		return "unparseable";
	if (s->injection)
		return "injection";
	if (s->classes)
		return "statement class";
	if (a->n_stmts > 1)
		return "multi-statement";
	for (uint32_t i = 0; i < a->n_stmts; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		if ((st->op == DW_OP_UPDATE || st->op == DW_OP_DELETE) && !st->has_where)
			return "require_where";
	}
	if (s->joins > 8 || s->subquery_depth > 3 || s->unions > 4 || s->max_in_list > 1000)
		return "complexity";
	for (size_t i = 0; i < s->functions.n; i++)
		for (size_t k = 0; default_denied_functions[k]; k++)
			if (strcmp(s->functions.items[i], default_denied_functions[k]) == 0)
				return "denied function";
	for (size_t i = 0; i < s->objects.n; i++)
		if (object_denied_by_default(s->objects.items[i], dialect))
			return "denied object";
	return NULL;
}

/* Every span and name the analysis hands out lies inside what it covers. */
static void check_invariants(struct problems *p, const struct dw_sql_analysis *a, size_t len)
{
	if (a->status != DW_SQL_OK)
		return;
	for (uint32_t i = 0; i < a->n_stmts; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		if ((uint64_t)st->off + st->len > len)
			problem(p, "statement %u span %u+%u is outside the text (%zu)", i, st->off, st->len, len);
		if ((uint64_t)st->first_object + st->n_objects > a->n_objects
				|| (uint64_t)st->first_function + st->n_functions > a->n_functions
				|| (uint64_t)st->first_ident + st->n_idents > a->n_idents)
			problem(p, "statement %u: object/function/identifier range out of bounds", i);
		if (st->has_prepare_body && !st->prepare_body_unknown) {
			uint64_t end = (uint64_t)st->body_off + st->body_len;
			if (st->prepare_body_in_names ? end > a->names_len : end > len)
				problem(p, "statement %u: PREPARE body out of bounds", i);
		}
	}
	for (uint32_t i = 0; i < a->n_objects; i++) {
		const struct dw_sql_name *n = &a->objects[i];
		if ((uint64_t)n->schema_off + n->schema_len > a->names_len
				|| (uint64_t)n->name_off + n->name_len > a->names_len || n->name_len == 0)
			problem(p, "object %u: name out of bounds or empty", i);
	}
	for (uint32_t i = 0; i < a->n_functions; i++) {
		const struct dw_sql_name *n = &a->functions[i];
		if ((uint64_t)n->schema_off + n->schema_len > a->names_len
				|| (uint64_t)n->name_off + n->name_len > a->names_len || n->name_len == 0)
			problem(p, "function %u: name out of bounds or empty", i);
	}
	for (uint32_t i = 0; i < a->n_idents; i++)
		if ((uint64_t)a->idents[i].off + a->idents[i].len > a->names_len)
			problem(p, "identifier %u out of bounds", i);
}

/* dw_sql_normalize keeps snprintf's contract: the same length whatever the
 * capacity, a NUL-terminated prefix when truncated. Returns the full text
 * (caller frees) for the `normalized` key. */
static char *check_normalize(struct problems *p, const char *text, size_t len,
	const struct dw_sql_options *opts)
{
	size_t need = dw_sql_normalize(text, len, opts, NULL, 0);
	char *full = malloc(need + 1);
	if (!full)
		abort();
	memset(full, 'X', need + 1);
	size_t again = dw_sql_normalize(text, len, opts, full, need + 1);
	if (again != need || full[need] != '\0' || strlen(full) != need) {
		problem(p, "dw_sql_normalize: length %zu with no room, %zu with room, strlen %zu",
			need, again, strnlen(full, need + 1));
		full[need] = '\0';
	}
	char small[9];
	memset(small, 'X', sizeof small);
	size_t cut = dw_sql_normalize(text, len, opts, small, sizeof small);
	size_t want_len = need < sizeof small - 1 ? need : sizeof small - 1;
	if (cut != need || small[want_len] != '\0' || memcmp(small, full, want_len) != 0)
		problem(p, "dw_sql_normalize: truncated output is not a NUL-terminated prefix");
	return full;
}

struct fp_entry {
	const char *name;
	uint64_t fp;
	bool ok;
};

struct run {
	struct dw_sql_analysis a;
	struct dw_sql_analysis body;   /* a PREPARE statement's body, analysed on its own */
	struct summary body_summary;
	struct summary s;
	struct fp_entry *fps;
	size_t n_fps;
	size_t cases[2], hostile[2], with_facts[2];
};

static void check_fp_refs(struct problems *p, const struct run *r, const struct corpus_case *cc,
	const char *key, uint64_t fp, bool same)
{
	const char *v = corpus_get(cc, key);
	if (!v)
		return;
	char buf[1024];
	const char *parts[32];
	int n = corpus_split_list(v, buf, sizeof buf, parts, 32);
	for (int i = 0; i < n; i++) {
		const struct fp_entry *e = NULL;
		for (size_t k = 0; k < r->n_fps; k++)
			if (strcmp(r->fps[k].name, parts[i]) == 0)
				e = &r->fps[k];
		if (!e) {
			problem(p, "%s=%s: no earlier case of that name", key, parts[i]);
		} else if (!e->ok) {
			problem(p, "%s=%s: that case was not analysed successfully", key, parts[i]);
		} else if ((e->fp == fp) != same) {
			problem(p, "%s=%s: fingerprints %016llx and %016llx %s", key, parts[i],
				(unsigned long long)fp, (unsigned long long)e->fp, same ? "differ" : "are equal");
		}
	}
}

/* Expectation keys that say something about what the case is, beyond the
 * defaults of its file. */
static bool has_facts(const struct corpus_case *cc)
{
	static const char *const keys[] = {"op", "ops", "objects", "functions", "classes", "joins",
		"subquery_depth", "unions", "max_in_list", "where", "writes", "normalized", "same_fp",
		"diff_fp", "stmts", NULL};
	for (size_t i = 0; keys[i]; i++)
		if (corpus_get(cc, keys[i]))
			return true;
	return false;
}

/* The first SQL-level PREPARE of the message: its body is analysed as a
 * statement of its own (the way the policy judges it) for the body_* keys.
 * Returns why the example policy would refuse the body, or NULL. */
static const char *check_prepare_body(struct problems *p, struct run *r,
	const struct corpus_case *cc, const char *text, const struct dw_sql_options *opts)
{
	const struct dw_sql_analysis *a = &r->a;
	const struct dw_sql_stmt *st = NULL;
	for (uint32_t i = 0; a->status == DW_SQL_OK && i < a->n_stmts && !st; i++)
		if (a->stmts[i].has_prepare_body)
			st = &a->stmts[i];
	const char *v;
	bool asked = corpus_get(cc, "body_op") || corpus_get(cc, "body_classes")
		|| corpus_get(cc, "body_unknown");
	if (!st) {
		if (asked)
			problem(p, "body_*: no PREPARE with a body");
		return NULL;
	}
	if ((v = corpus_get(cc, "body_unknown")) && (strcmp(v, "yes") == 0) != st->prepare_body_unknown)
		problem(p, "body_unknown: got %s, want %s", st->prepare_body_unknown ? "yes" : "no", v);
	if (st->prepare_body_unknown) {
		if (corpus_get(cc, "body_op") || corpus_get(cc, "body_classes"))
			problem(p, "body_op/body_classes: the body is not visible");
		return NULL;
	}
	/* Copied out: the body indexes the names of A, which analysing it
	 * with another object leaves alone, but exact-size for ASan. */
	const char *src = st->prepare_body_in_names ? a->names : text;
	char *body = malloc(st->body_len ? st->body_len : 1);
	if (!body)
		abort();
	memcpy(body, src + st->body_off, st->body_len);
	enum dw_sql_status bst = dw_sql_analyze(&r->body, body, st->body_len, opts);
	summarize(&r->body, &r->body_summary);
	if ((v = corpus_get(cc, "body_op"))) {
		const char *got = bst == DW_SQL_OK && r->body.n_stmts
			? dw_sql_op_name(r->body.stmts[0].op) : "(nothing)";
		if (strcmp(got, v) != 0)
			problem(p, "body_op: got %s, want %s", got, v);
	}
	expect_bits(p, cc, "body_classes", r->body_summary.classes, class_names, 5, false);
	const char *why = default_policy_refusal(&r->body, &r->body_summary, cc->dialect);
	free(body);
	return why;
}

static void run_case(struct run *r, const struct corpus_case *cc)
{
	struct problems p = {.len = 0, .count = 0};
	p.text[0] = '\0';
	struct dw_sql_options opts = corpus_case_options(cc);
	char *copy = malloc(cc->len);
	if (!copy)
		abort();
	memcpy(copy, cc->text, cc->len);

	struct dw_sql_analysis *a = &r->a;
	enum dw_sql_status st = dw_sql_analyze(a, copy, cc->len, &opts);
	if (st != a->status)
		problem(&p, "dw_sql_analyze returned %d but status is %d", (int)st, (int)a->status);
	if (st == DW_SQL_NOMEM)
		problem(&p, "out of memory");
	check_invariants(&p, a, cc->len);
	summarize(a, &r->s);
	struct summary *s = &r->s;

	const char *v;
	if ((v = corpus_get(cc, "status"))) {
		bool want_ok = strcmp(v, "ok") == 0;
		if (want_ok != (st == DW_SQL_OK))
			problem(&p, "status: got %s (%s), want %s", st == DW_SQL_OK ? "ok" : "unparseable",
				a->reason ? a->reason : "no reason", v);
	}
	expect_uint(&p, cc, "stmts", a->n_stmts);
	if ((v = corpus_get(cc, "op"))) {
		const char *got = a->n_stmts ? dw_sql_op_name(a->stmts[0].op) : "(no statement)";
		if (strcmp(got, v) != 0)
			problem(&p, "op: got %s, want %s", got, v);
	}
	expect_set(&p, cc, "ops", &s->ops);
	expect_bits(&p, cc, "classes", s->classes, class_names, 5, false);
	expect_set(&p, cc, "objects", &s->objects);
	expect_set(&p, cc, "functions", &s->functions);
	expect_uint(&p, cc, "joins", s->joins);
	expect_uint(&p, cc, "subquery_depth", s->subquery_depth);
	expect_uint(&p, cc, "unions", s->unions);
	expect_uint(&p, cc, "max_in_list", s->max_in_list);
	if ((v = corpus_get(cc, "where"))) {
		if (s->first_where < 0)
			problem(&p, "where: no UPDATE or DELETE statement");
		else
			expect_bool(&p, cc, "where", s->first_where == 1);
	}
	expect_bits(&p, cc, "inj", s->injection, inj_names, 5, false);
	expect_bits(&p, cc, "inj_has", s->injection, inj_names, 5, true);
	expect_bool(&p, cc, "writes", s->writes);
	expect_bool(&p, cc, "literal_sensitive", a->literal_sensitive);

	const char *refused_body = check_prepare_body(&p, r, cc, copy, &opts);

	uint64_t fp = a->fingerprint;
	check_fp_refs(&p, r, cc, "same_fp", fp, true);
	check_fp_refs(&p, r, cc, "diff_fp", fp, false);

	if (!cc->hostile) {
		if (st != DW_SQL_OK && !corpus_get(cc, "status"))
			problem(&p, "benign: unparseable (%s)", a->reason ? a->reason : "no reason");
		if (s->injection && !corpus_get(cc, "inj")) {
			char text[256];
			bits_text(s->injection, inj_names, 5, text, sizeof text);
			problem(&p, "benign: injection heuristics fire: %s", text);
		}
		if ((v = corpus_get(cc, "status")) && strcmp(v, "ok") != 0)
			problem(&p, "benign case expects status=%s: put it in a hostile file", v);
		if ((v = corpus_get(cc, "inj")) && *v)
			problem(&p, "benign case expects inj=%s: put it in a hostile file", v);
	} else {
		static const char *const why_keys[] = {"inj", "inj_has", "status", "classes", "functions",
			"objects", "stmts", "caught", "body_op", "body_classes", "body_unknown", NULL};
		bool says_why = false;
		for (size_t i = 0; why_keys[i]; i++)
			says_why |= corpus_get(cc, why_keys[i]) != NULL;
		if (!says_why)
			problem(&p, "hostile case does not say what catches it (inj, status, classes, ...)");
		v = corpus_get(cc, "caught");
		const char *why = default_policy_refusal(a, s, cc->dialect);
		if (!v && !why && !refused_body)
			problem(&p, "hostile: the example policy would let this through");
		/* Keeps the "not caught" list of docs/sql-corpus.md honest. */
		if (v && why)
			printf("# note: %s:%u %s is marked caught=no but is refused (%s)\n", cc->file,
				cc->line, cc->name, why);
	}

	char *norm = check_normalize(&p, copy, cc->len, &opts);
	if ((v = corpus_get(cc, "normalized")) && strcmp(norm, v) != 0)
		problem(&p, "normalized: got `%s`", norm);
	free(norm);
	free(copy);

	if (*cc->name) {
		struct fp_entry *grown = realloc(r->fps, (r->n_fps + 1) * sizeof *grown);
		if (!grown)
			abort();
		r->fps = grown;
		r->fps[r->n_fps++] = (struct fp_entry){cc->name, fp, st == DW_SQL_OK};
	}
	int d = cc->dialect == DW_SQL_MYSQL;
	r->cases[d]++;
	r->hostile[d] += cc->hostile;
	r->with_facts[d] += has_facts(cc);
	check(p.count == 0, "%s:%u %s", cc->file, cc->line, cc->name);
	if (p.count)
		fputs(p.text, stdout);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	struct corpus c;
	bool loaded = corpus_load(argv[1], false, &c);
	check(loaded, "corpus directory %s readable", argv[1]);
	for (size_t i = 0; i < c.n_errors; i++)
		check(false, "corpus format: %s", c.errors[i]);

	struct run r;
	memset(&r, 0, sizeof r);
	dw_sql_analysis_init(&r.a);
	dw_sql_analysis_init(&r.body);
	for (size_t i = 0; i < c.n_cases; i++)
		run_case(&r, &c.cases[i]);
	dw_sql_analysis_free(&r.a);
	dw_sql_analysis_free(&r.body);

	static const char *const dialects[] = {"pg", "my"};
	for (int d = 0; d < 2; d++) {
		printf("# %s: %zu cases (%zu benign, %zu hostile), %zu with expectations beyond the defaults\n",
			dialects[d], r.cases[d], r.cases[d] - r.hostile[d], r.hostile[d], r.with_facts[d]);
		check(r.cases[d] >= MIN_CASES_PER_DIALECT, "%s: at least %d cases", dialects[d],
			MIN_CASES_PER_DIALECT);
	}
	check(r.hostile[0] + r.hostile[1] >= MIN_HOSTILE_CASES, "at least %d hostile cases",
		MIN_HOSTILE_CASES);
	set_free(&r.s.objects);
	set_free(&r.s.functions);
	set_free(&r.s.ops);
	set_free(&r.body_summary.objects);
	set_free(&r.body_summary.functions);
	set_free(&r.body_summary.ops);
	free(r.fps);
	corpus_free(&c);
	return tap_done();
}
