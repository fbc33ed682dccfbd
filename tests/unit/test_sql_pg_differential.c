/* The analyzer against PostgreSQL's own parser (libpg_query, PostgreSQL 15)
 * on the PostgreSQL corpus (argv[1] is the corpus directory).
 *
 * For every case the analyzer reads without trouble and libpg_query parses:
 *  - the statements must be the same: as many, starting and ending at the
 *    same places once whitespace and comments around them are set aside;
 *  - each statement must reference the same tables: RangeVar nodes of the
 *    parse tree (plus the relations a DROP TABLE/VIEW/SEQUENCE names, which
 *    the tree holds as name lists), less the names of the statement's CTEs.
 * Every case the analyzer calls unparseable must be rejected by libpg_query
 * too. Disagreements that are understood and accepted are listed, with the
 * reason, in corpus/pg_differential_known.txt and reported as "# known";
 * any other disagreement fails. Cases with non-default session options are
 * skipped: libpg_query always parses with standard_conforming_strings on. */
#include <pg_query.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sql_analyze.h"
#include "tests/unit/corpus/reader.h"
#include "tests/unit/tap.h"

#define NAME_MAX_BYTES 512
#define JSON_MAX_DEPTH 3000

struct names {
	char (*items)[NAME_MAX_BYTES];
	size_t n, cap;
};

static bool names_has(const struct names *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i], v) == 0)
			return true;
	return false;
}

static void names_add(struct names *s, const char *v)
{
	if (names_has(s, v))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		char (*grown)[NAME_MAX_BYTES] = realloc(s->items, s->cap * sizeof *grown);
		if (!grown)
			abort();
		s->items = grown;
	}
	snprintf(s->items[s->n++], NAME_MAX_BYTES, "%.*s", NAME_MAX_BYTES - 1, v);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void names_text(struct names *s, char *out, size_t cap)
{
	if (s->n > 1)
		qsort(s->items, s->n, sizeof *s->items, cmp_name);
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		int n = snprintf(out + used, cap - used, "%s%s", i ? "," : "", s->items[i]);
		if (n < 0 || (size_t)n >= cap - used)
			return;
		used += (size_t)n;
	}
}

static bool names_equal(const struct names *a, const struct names *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!names_has(b, a->items[i]))
			return false;
	return true;
}

/* A purpose-written walk over libpg_query's JSON parse tree: it reads just
 * enough JSON to find RangeVar objects, CTE names and DROP targets. */
struct json {
	const char *p, *end;
	bool bad;
	int depth;
};

struct refs {
	struct names tables, ctes;
	/* Inside a DROP target list: every "sval" string, in order. */
	bool collecting;
	char svals[4][NAME_MAX_BYTES];
	int n_svals;
};

static void json_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static void put_utf8(char *out, size_t cap, size_t *n, unsigned cp)
{
	unsigned char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F));
		k = 4;
	}
	for (size_t i = 0; i < k; i++)
		if (out && *n + 1 < cap)
			out[(*n)++] = (char)b[i];
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static unsigned json_hex4(struct json *j)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = j->p < j->end ? hex_value(*j->p) : -1;
		if (h < 0) {
			j->bad = true;
			return 0;
		}
		v = v * 16 + (unsigned)h;
		j->p++;
	}
	return v;
}

/* Reads a JSON string at J->p into OUT (decoded, NUL-terminated, truncated
 * to CAP; OUT may be NULL to skip it). */
static void json_string(struct json *j, char *out, size_t cap)
{
	size_t n = 0;
	if (j->p >= j->end || *j->p != '"') {
		j->bad = true;
		return;
	}
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		char ch = *j->p++;
		if (ch == '\\') {
			if (j->p >= j->end) {
				j->bad = true;
				return;
			}
			char esc = *j->p++;
			switch (esc) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u': {
				unsigned cp = json_hex4(j);
				if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\'
						&& j->p[1] == 'u') {
					j->p += 2;
					unsigned lo = json_hex4(j);
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
				put_utf8(out, cap, &n, cp);
				continue;
			}
			default: ch = esc; break;
			}
		}
		if (out && n + 1 < cap)
			out[n++] = ch;
	}
	if (j->p >= j->end) {
		j->bad = true;
		return;
	}
	j->p++;
	if (out && cap)
		out[n] = '\0';
}

static void json_value(struct json *j, struct refs *r, const char *key);

static bool is_dropped_relation(const char *remove_type)
{
	return strcmp(remove_type, "OBJECT_TABLE") == 0 || strcmp(remove_type, "OBJECT_VIEW") == 0
		|| strcmp(remove_type, "OBJECT_MATVIEW") == 0
		|| strcmp(remove_type, "OBJECT_FOREIGN_TABLE") == 0
		|| strcmp(remove_type, "OBJECT_SEQUENCE") == 0;
}

static void add_table(struct refs *r, const char *schema, const char *rel)
{
	char name[NAME_MAX_BYTES];
	if (*schema)
		snprintf(name, sizeof name, "%.200s.%.200s", schema, rel);
	else
		snprintf(name, sizeof name, "%s", rel);
	names_add(&r->tables, name);
}

/* DropStmt "objects": a list of name lists ([catalog.]schema.name). */
static void json_drop_objects(struct json *j, struct refs *r)
{
	json_ws(j);
	if (j->p >= j->end || *j->p != '[') {
		j->bad = true;
		return;
	}
	j->p++;
	for (;;) {
		json_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return;
		}
		r->collecting = true;
		r->n_svals = 0;
		json_value(j, r, "");
		r->collecting = false;
		if (j->bad)
			return;
		if (r->n_svals > 0) {
			int n = r->n_svals > 4 ? 4 : r->n_svals;
			add_table(r, n >= 2 ? r->svals[n - 2] : "", r->svals[n - 1]);
		}
		json_ws(j);
		if (j->p < j->end && *j->p == ',')
			j->p++;
	}
}

static void json_object(struct json *j, struct refs *r, const char *key)
{
	/* A RangeVar is wrapped as {"RangeVar": {...}} where the tree holds any
	 * node, but written bare where a field can only be a RangeVar (INSERT
	 * target, COPY relation, CREATE TABLE ...): then its relpersistence
	 * member gives it away. */
	bool range_var = strcmp(key, "RangeVar") == 0, drop = strcmp(key, "DropStmt") == 0;
	bool has_persistence = false;
	char schema[NAME_MAX_BYTES] = "", rel[NAME_MAX_BYTES] = "", remove_type[64] = "";
	const char *drop_objects = NULL;
	j->p++;  /* { */
	for (;;) {
		json_ws(j);
		if (j->bad || j->p >= j->end) {
			j->bad = true;
			return;
		}
		if (*j->p == '}') {
			j->p++;
			break;
		}
		char member[64];
		json_string(j, member, sizeof member);
		json_ws(j);
		if (j->bad || j->p >= j->end || *j->p != ':') {
			j->bad = true;
			return;
		}
		j->p++;
		json_ws(j);
		bool is_string = j->p < j->end && *j->p == '"';
		if (is_string && strcmp(member, "schemaname") == 0) {
			json_string(j, schema, sizeof schema);
		} else if (is_string && strcmp(member, "relname") == 0) {
			json_string(j, rel, sizeof rel);
		} else if (strcmp(member, "relpersistence") == 0) {
			has_persistence = true;
			json_value(j, r, member);
		} else if (is_string && drop && strcmp(member, "removeType") == 0) {
			json_string(j, remove_type, sizeof remove_type);
		} else if (is_string && strcmp(member, "ctename") == 0) {
			char cte[NAME_MAX_BYTES];
			json_string(j, cte, sizeof cte);
			names_add(&r->ctes, cte);
		} else if (is_string && r->collecting && strcmp(member, "sval") == 0) {
			char skip[NAME_MAX_BYTES];
			json_string(j, r->n_svals < 4 ? r->svals[r->n_svals] : skip, NAME_MAX_BYTES);
			r->n_svals++;
		} else if (drop && strcmp(member, "objects") == 0) {
			drop_objects = j->p;
			bool was = r->collecting;
			r->collecting = false;
			json_value(j, r, member);
			r->collecting = was;
		} else {
			json_value(j, r, member);
		}
		json_ws(j);
		if (j->p < j->end && *j->p == ',')
			j->p++;
	}
	if ((range_var || has_persistence) && *rel)
		add_table(r, schema, rel);
	if (drop && drop_objects && is_dropped_relation(remove_type)) {
		struct json again = {drop_objects, j->end, false, j->depth};
		json_drop_objects(&again, r);
		j->bad |= again.bad;
	}
}

static void json_value(struct json *j, struct refs *r, const char *key)
{
	json_ws(j);
	if (j->p >= j->end || ++j->depth > JSON_MAX_DEPTH) {
		j->bad = true;
		return;
	}
	if (*j->p == '{') {
		json_object(j, r, key);
	} else if (*j->p == '[') {
		j->p++;
		for (;;) {
			json_ws(j);
			if (j->bad || j->p >= j->end) {
				j->bad = true;
				break;
			}
			if (*j->p == ']') {
				j->p++;
				break;
			}
			json_value(j, r, "");
			json_ws(j);
			if (j->p < j->end && *j->p == ',')
				j->p++;
		}
	} else if (*j->p == '"') {
		json_string(j, NULL, 0);
	} else {
		while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']')
			j->p++;
	}
	j->depth--;
}

/* The tables a parse tree (of one statement) references, CTE names taken
 * out. Returns false when the JSON could not be followed. */
static bool tree_tables(const char *json, struct names *out)
{
	struct refs r;
	memset(&r, 0, sizeof r);
	struct json j = {json, json + strlen(json), false, 0};
	json_value(&j, &r, "");
	for (size_t i = 0; i < r.tables.n; i++)
		if (!names_has(&r.ctes, r.tables.items[i]))
			names_add(out, r.tables.items[i]);
	free(r.tables.items);
	free(r.ctes.items);
	return !j.bad;
}

/* First byte at or after FROM (before TO) that is neither whitespace nor in
 * a comment. */
static size_t skip_blank(const char *t, size_t from, size_t to)
{
	size_t i = from;
	while (i < to) {
		char ch = t[i];
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v') {
			i++;
		} else if (ch == '-' && i + 1 < to && t[i + 1] == '-') {
			while (i < to && t[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < to && t[i + 1] == '*') {
			int depth = 0;
			while (i < to) {
				if (t[i] == '/' && i + 1 < to && t[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (t[i] == '*' && i + 1 < to && t[i + 1] == '/') {
					i += 2;
					if (--depth == 0)
						break;
				} else {
					i++;
				}
			}
		} else {
			break;
		}
	}
	return i < to ? i : to;
}

static size_t trim_end(const char *t, size_t from, size_t to)
{
	while (to > from && (t[to - 1] == ' ' || t[to - 1] == '\t' || t[to - 1] == '\n'
			|| t[to - 1] == '\r' || t[to - 1] == '\f' || t[to - 1] == '\v'))
		to--;
	return to;
}

/* The same statement when both spans start at the same token and whatever
 * lies between their ends is blank. */
static bool same_span(const char *t, size_t a_off, size_t a_len, size_t p_off, size_t p_len)
{
	size_t a_end = a_off + a_len, p_end = p_off + p_len;
	if (skip_blank(t, a_off, a_end) != skip_blank(t, p_off, p_end))
		return false;
	a_end = trim_end(t, a_off, a_end);
	p_end = trim_end(t, p_off, p_end);
	size_t lo = a_end < p_end ? a_end : p_end, hi = a_end < p_end ? p_end : a_end;
	return skip_blank(t, lo, hi) == hi;
}

struct known {
	char name[128];
	char reason[400];
	bool used;
};

static struct known *load_known(const char *dir, size_t *n_known)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/pg_differential_known.txt", dir);
	*n_known = 0;
	FILE *f = fopen(path, "r");
	check(f != NULL, "%s readable", path);
	if (!f)
		return NULL;
	struct known *k = NULL;
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		size_t nl = strcspn(line, " \t");
		const char *reason = line + nl + strspn(line + nl, " \t");
		if (nl == 0 || nl >= sizeof k->name || !*reason) {
			check(false, "known file: malformed line `%s`", line);
			continue;
		}
		struct known *grown = realloc(k, (*n_known + 1) * sizeof *grown);
		if (!grown)
			abort();
		k = grown;
		memset(&k[*n_known], 0, sizeof *k);
		memcpy(k[*n_known].name, line, nl);
		snprintf(k[*n_known].reason, sizeof k->reason, "%s", reason);
		(*n_known)++;
	}
	fclose(f);
	return k;
}

static struct known *find_known(struct known *k, size_t n, const char *name)
{
	for (size_t i = 0; *name && i < n; i++)
		if (strcmp(k[i].name, name) == 0)
			return &k[i];
	return NULL;
}

struct tally {
	size_t compared, agree, known, both_reject, pg_rejects, options, stmts, tables;
};

/* Appends a line of diagnostics. */
__attribute__((format(printf, 3, 4)))
static void note(char *buf, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 8 >= cap)
		return;
	memcpy(buf + used, "#   ", 4);
	used += 4;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + used, cap - used - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	used += (size_t)n < cap - used - 1 ? (size_t)n : cap - used - 2;
	buf[used++] = '\n';
	buf[used] = '\0';
}

/* The tables the analyzer gives for statement AS. A SQL-level PREPARE
 * carries none itself: its body is analysed as a statement of its own (as
 * the policy does), with BODY, and the body's tables count. */
static void analyzer_tables(const struct dw_sql_analysis *a, const struct dw_sql_stmt *as,
	const char *text, struct dw_sql_analysis *body, struct names *out)
{
	char name[1024];
	if (as->has_prepare_body && !as->prepare_body_unknown && !as->prepare_body_in_names) {
		struct dw_sql_options opts = dw_sql_default_options(DW_SQL_POSTGRES);
		if (dw_sql_analyze(body, text + as->body_off, as->body_len, &opts) == DW_SQL_OK)
			for (uint32_t k = 0; k < body->n_objects; k++) {
				dw_sql_name_format(body, &body->objects[k], name, sizeof name);
				names_add(out, name);
			}
	}
	for (uint32_t k = 0; k < as->n_objects; k++) {
		dw_sql_name_format(a, &a->objects[as->first_object + k], name, sizeof name);
		names_add(out, name);
	}
}

/* Compares one case the analyzer and libpg_query both parsed; DIAG gets a
 * line per disagreement. Returns true when they agree. */
static bool compare_case(const struct dw_sql_analysis *a, struct dw_sql_analysis *body,
	const char *text, char *diag, size_t cap, struct tally *t)
{
	bool agree = true;
	PgQuerySplitResult split = pg_query_split_with_parser(text);
	if (split.error) {
		note(diag, cap, "libpg_query parses but cannot split: %s", split.error->message);
		pg_query_free_split_result(split);
		return false;
	}
	int n = split.n_stmts;
	if ((uint32_t)n != a->n_stmts) {
		note(diag, cap, "statements: analyzer %u, libpg_query %d", a->n_stmts, n);
		agree = false;
		t->stmts++;
	} else {
		for (int i = 0; i < n; i++) {
			const PgQuerySplitStmt *ps = split.stmts[i];
			const struct dw_sql_stmt *as = &a->stmts[i];
			if (!same_span(text, as->off, as->len, (size_t)ps->stmt_location, (size_t)ps->stmt_len)) {
				note(diag, cap, "statement %d: analyzer `%.*s`, libpg_query `%.*s`", i + 1,
					(int)as->len, text + as->off, ps->stmt_len, text + ps->stmt_location);
				agree = false;
				t->stmts++;
			}
		}
	}
	/* Tables per statement when the statements line up, else over the message. */
	bool per_stmt = (uint32_t)n == a->n_stmts;
	struct names pg_all = {0}, an_all = {0};
	for (int i = 0; i < n; i++) {
		const PgQuerySplitStmt *ps = split.stmts[i];
		char *one = strndup(text + ps->stmt_location, (size_t)ps->stmt_len);
		if (!one)
			abort();
		struct names pg = {0}, an = {0};
		PgQueryParseResult pr = pg_query_parse(one);
		if (pr.error) {
			note(diag, cap, "statement %d alone does not parse: %s", i + 1, pr.error->message);
			agree = false;
		} else if (!tree_tables(pr.parse_tree, &pg)) {
			note(diag, cap, "statement %d: parse tree JSON not followed", i + 1);
			agree = false;
		}
		pg_query_free_parse_result(pr);
		free(one);
		if (per_stmt) {
			const struct dw_sql_stmt *as = &a->stmts[i];
			analyzer_tables(a, as, text, body, &an);
			if (!names_equal(&pg, &an)) {
				char pt[2048], at[2048];
				names_text(&pg, pt, sizeof pt);
				names_text(&an, at, sizeof at);
				note(diag, cap, "statement %d tables: analyzer {%s}, libpg_query {%s}", i + 1, at, pt);
				agree = false;
				t->tables++;
			}
		}
		for (size_t k = 0; k < pg.n; k++)
			names_add(&pg_all, pg.items[k]);
		free(pg.items);
		free(an.items);
	}
	if (!per_stmt) {
		for (uint32_t k = 0; k < a->n_stmts; k++)
			analyzer_tables(a, &a->stmts[k], text, body, &an_all);
		if (!names_equal(&pg_all, &an_all)) {
			char pt[2048], at[2048];
			names_text(&pg_all, pt, sizeof pt);
			names_text(&an_all, at, sizeof at);
			note(diag, cap, "tables: analyzer {%s}, libpg_query {%s}", at, pt);
			agree = false;
			t->tables++;
		}
	}
	free(pg_all.items);
	free(an_all.items);
	pg_query_free_split_result(split);
	return agree;
}

static bool default_options(const struct corpus_case *cc)
{
	return corpus_get(cc, "opts") == NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	struct corpus c;
	bool loaded = corpus_load(argv[1], true, &c);
	check(loaded, "corpus directory %s readable", argv[1]);
	for (size_t i = 0; i < c.n_errors; i++)
		check(false, "corpus format: %s", c.errors[i]);
	size_t n_known;
	struct known *known = load_known(argv[1], &n_known);
	for (size_t i = 0; i < n_known; i++)
		check(corpus_find(&c, known[i].name) != NULL, "known entry %s names a case", known[i].name);

	struct tally t;
	memset(&t, 0, sizeof t);
	struct dw_sql_analysis a, body;
	dw_sql_analysis_init(&a);
	dw_sql_analysis_init(&body);
	static char diag[16384];
	for (size_t i = 0; i < c.n_cases; i++) {
		const struct corpus_case *cc = &c.cases[i];
		if (!default_options(cc)) {
			t.options++;
			check(true, "%s:%u %s # skip non-default session options", cc->file, cc->line, cc->name);
			continue;
		}
		diag[0] = '\0';
		struct dw_sql_options opts = dw_sql_default_options(DW_SQL_POSTGRES);
		enum dw_sql_status st = dw_sql_analyze(&a, cc->text, cc->len, &opts);
		PgQueryParseResult pr = pg_query_parse(cc->text);
		bool pg_ok = pr.error == NULL;
		char pg_error[200] = "";
		if (!pg_ok)
			snprintf(pg_error, sizeof pg_error, "%s", pr.error->message);
		pg_query_free_parse_result(pr);
		struct known *k = find_known(known, n_known, cc->name);
		bool agree;
		if (st != DW_SQL_OK) {
			agree = !pg_ok;
			if (agree) {
				t.both_reject++;
			} else {
				note(diag, sizeof diag, "analyzer: unparseable (%s); libpg_query parses it",
					a.reason ? a.reason : "no reason");
			}
		} else if (!pg_ok) {
			t.pg_rejects++;
			check(true, "%s:%u %s # skip libpg_query rejects: %s", cc->file, cc->line, cc->name,
				pg_error);
			continue;
		} else {
			t.compared++;
			agree = compare_case(&a, &body, cc->text, diag, sizeof diag, &t);
			t.agree += agree;
		}
		if (!agree && k) {
			k->used = true;
			t.known++;
			check(true, "%s:%u %s # known: %s", cc->file, cc->line, cc->name, k->reason);
			fputs(diag, stdout);
		} else {
			check(agree, "%s:%u %s", cc->file, cc->line, cc->name);
			if (!agree)
				fputs(diag, stdout);
			if (agree && k) {
				k->used = true;
				printf("# note: known entry %s agrees now\n", cc->name);
			}
		}
	}
	dw_sql_analysis_free(&a);
	dw_sql_analysis_free(&body);
	printf("# %zu PostgreSQL cases: %zu compared (%zu agree), %zu rejected by both, "
		"%zu skipped as libpg_query rejects them, %zu skipped for session options, %zu known\n",
		c.n_cases, t.compared, t.agree, t.both_reject, t.pg_rejects, t.options, t.known);
	printf("# disagreements: %zu on statements, %zu on tables\n", t.stmts, t.tables);
	for (size_t i = 0; i < n_known; i++)
		if (!known[i].used)
			printf("# note: known entry %s did not come up\n", known[i].name);
	free(known);
	corpus_free(&c);
	return tap_done();
}
