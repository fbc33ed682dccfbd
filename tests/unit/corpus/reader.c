/* The corpus reader: files to cases, strictly (see reader.h). */
#include "tests/unit/corpus/reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sql_analyze.h"

#define CASE_PREFIX "-- @case"
#define EXPECT_PREFIX "-- @expect"

enum value_kind {
	V_INT, V_YESNO, V_NO, V_STATUS, V_OP, V_OPS, V_CLASSES, V_INJ, V_INJ_NONEMPTY,
	V_NAMES, V_CASE_REFS, V_REST_OF_LINE, V_OPTS,
};

static const struct {
	const char *key;
	enum value_kind kind;
} known_keys[] = {
	{"stmts", V_INT},
	{"op", V_OP},
	{"ops", V_OPS},
	{"classes", V_CLASSES},
	{"objects", V_NAMES},
	{"functions", V_NAMES},
	{"joins", V_INT},
	{"subquery_depth", V_INT},
	{"unions", V_INT},
	{"max_in_list", V_INT},
	{"where", V_YESNO},
	{"inj", V_INJ},
	{"inj_has", V_INJ_NONEMPTY},
	{"status", V_STATUS},
	{"writes", V_YESNO},
	{"literal_sensitive", V_YESNO},
	{"same_fp", V_CASE_REFS},
	{"diff_fp", V_CASE_REFS},
	{"normalized", V_REST_OF_LINE},
	{"opts", V_OPTS},
	{"caught", V_NO},
	{"body_op", V_OP},
	{"body_classes", V_CLASSES},
	{"body_unknown", V_YESNO},
};

static const char *const class_words[] = {"ddl", "grant", "admin", "load_data", "outfile", NULL};
static const char *const inj_words[] = {"tautology", "comment_split", "stacked", "union_catalog",
	"time_probe", NULL};
static const char *const opt_words[] = {"ansi_quotes", "no_backslash_escapes",
	"no_standard_conforming_strings", NULL};

__attribute__((format(printf, 4, 5)))
static void add_error(struct corpus *c, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof msg, "%s:%u: ", file, line);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof msg)
		vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	char **grown = realloc(c->errors, (c->n_errors + 1) * sizeof *grown);
	char *copy = strdup(msg);
	if (!grown || !copy) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	c->errors = grown;
	c->errors[c->n_errors++] = copy;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int corpus_split_list(const char *value, char *buf, size_t cap, const char **parts, int max)
{
	size_t vl = strlen(value);
	if (vl == 0)
		return 0;
	if (vl + 1 > cap)
		return -1;
	memcpy(buf, value, vl + 1);
	int n = 0;
	char *p = buf;
	for (;;) {
		if (n == max)
			return -1;
		parts[n++] = p;
		char *comma = strchr(p, ',');
		if (!comma)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

static bool in_words(const char *w, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcmp(w, words[i]) == 0)
			return true;
	return false;
}

static bool is_op_name(const char *w)
{
	for (int op = 0; op < DW_OP_COUNT; op++)
		if (strcmp(w, dw_sql_op_name((enum dw_sql_op)op)) == 0)
			return true;
	return false;
}

/* Checks a comma list: no empty element, each accepted by WORDS (or by
 * is_op_name when OPS), at least one element when NONEMPTY. */
static const char *check_list(const char *value, const char *const *words, bool ops, bool nonempty)
{
	static char buf[4096];
	const char *parts[256];
	int n = corpus_split_list(value, buf, sizeof buf, parts, 256);
	if (n < 0)
		return "list too long";
	if (n == 0)
		return nonempty ? "needs at least one element" : NULL;
	for (int i = 0; i < n; i++) {
		if (!*parts[i])
			return "empty list element";
		if (ops ? !is_op_name(parts[i]) : (words && !in_words(parts[i], words)))
			return "unknown word in list";
	}
	return NULL;
}

static const char *check_value(enum value_kind kind, const char *v)
{
	switch (kind) {
	case V_INT: {
		if (!*v)
			return "needs a number";
		for (const char *p = v; *p; p++)
			if (*p < '0' || *p > '9')
				return "needs a number";
		return strlen(v) > 9 ? "number too large" : NULL;
	}
	case V_YESNO:
		return strcmp(v, "yes") == 0 || strcmp(v, "no") == 0 ? NULL : "needs yes or no";
	case V_NO:
		return strcmp(v, "no") == 0 ? NULL : "only `no` is meaningful";
	case V_STATUS:
		return strcmp(v, "ok") == 0 || strcmp(v, "unparseable") == 0 ? NULL
			: "needs ok or unparseable";
	case V_OP:
		return is_op_name(v) ? NULL : "unknown operation";
	case V_OPS:
		return check_list(v, NULL, true, true);
	case V_CLASSES:
		return check_list(v, class_words, false, false);
	case V_INJ:
		return check_list(v, inj_words, false, false);
	case V_INJ_NONEMPTY:
		return check_list(v, inj_words, false, true);
	case V_NAMES:
		return check_list(v, NULL, false, false);
	case V_CASE_REFS:
		return check_list(v, NULL, false, true);
	case V_REST_OF_LINE:
		return *v ? NULL : "needs a text";
	case V_OPTS:
		return check_list(v, opt_words, false, true);
	}
	return "unknown kind";
}

static int key_index(const char *key, size_t len)
{
	for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
		if (strlen(known_keys[i].key) == len && memcmp(known_keys[i].key, key, len) == 0)
			return (int)i;
	return -1;
}

static void add_kv(struct corpus_case *cc, const char *key, size_t klen, const char *val, size_t vlen)
{
	struct corpus_kv *grown = realloc(cc->kv, (cc->n_kv + 1) * sizeof *grown);
	if (!grown) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	cc->kv = grown;
	cc->kv[cc->n_kv].key = xstrndup(key, klen);
	cc->kv[cc->n_kv].value = xstrndup(val, vlen);
	cc->n_kv++;
}

/* One `-- @expect` line (without the prefix): key=value words separated by
 * blanks; `normalized=` takes the rest of the line. */
static bool parse_expect(struct corpus *c, struct corpus_case *cc, const char *file, unsigned line,
	const char *s, size_t len)
{
	size_t i = 0;
	if (len == 0 || (s[0] != ' ' && s[0] != '\t')) {
		add_error(c, file, line, "malformed @expect line");
		return false;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		len--;
	bool any = false;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			break;
		size_t k0 = i;
		while (i < len && s[i] != '=' && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i == len || s[i] != '=') {
			add_error(c, file, line, "@expect: `%.*s` is not key=value", (int)(i - k0), s + k0);
			return false;
		}
		int ki = key_index(s + k0, i - k0);
		if (ki < 0) {
			add_error(c, file, line, "@expect: unknown key `%.*s`", (int)(i - k0), s + k0);
			return false;
		}
		size_t klen = i - k0;
		i++;
		size_t v0 = i;
		if (known_keys[ki].kind == V_REST_OF_LINE)
			i = len;
		else
			while (i < len && s[i] != ' ' && s[i] != '\t')
				i++;
		if (corpus_get(cc, known_keys[ki].key)) {
			add_error(c, file, line, "@expect: key `%s` given twice", known_keys[ki].key);
			return false;
		}
		char *v = xstrndup(s + v0, i - v0);
		const char *why = check_value(known_keys[ki].kind, v);
		if (why) {
			add_error(c, file, line, "@expect %s=%s: %s", known_keys[ki].key, v, why);
			free(v);
			return false;
		}
		add_kv(cc, s + k0, klen, v, strlen(v));
		free(v);
		any = true;
	}
	if (!any) {
		add_error(c, file, line, "@expect line without keys");
		return false;
	}
	return true;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t pl = strlen(prefix);
	return len >= pl && memcmp(s, prefix, pl) == 0;
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > 100)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
				|| ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static struct corpus_case *new_case(struct corpus *c)
{
	struct corpus_case *grown = realloc(c->cases, (c->n_cases + 1) * sizeof *grown);
	if (!grown) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	c->cases = grown;
	struct corpus_case *cc = &c->cases[c->n_cases++];
	memset(cc, 0, sizeof *cc);
	return cc;
}

static void free_case(struct corpus_case *cc)
{
	free(cc->file);
	free(cc->name);
	free(cc->text);
	for (size_t i = 0; i < cc->n_kv; i++) {
		free(cc->kv[i].key);
		free(cc->kv[i].value);
	}
	free(cc->kv);
}

static void drop_last_case(struct corpus *c)
{
	free_case(&c->cases[--c->n_cases]);
}

/* Ends the case being read: its text runs from TEXT_START to TEXT_END, less
 * trailing newlines. An empty text is an error and drops the case. */
static void finish_case(struct corpus *c, const char *buf, size_t text_start, size_t text_end)
{
	struct corpus_case *cc = &c->cases[c->n_cases - 1];
	while (text_end > text_start && (buf[text_end - 1] == '\n' || buf[text_end - 1] == '\r'))
		text_end--;
	if (text_end == text_start) {
		add_error(c, cc->file, cc->line, "case without SQL text");
		drop_last_case(c);
		return;
	}
	cc->text = xstrndup(buf + text_start, text_end - text_start);
	cc->len = text_end - text_start;
}

static void parse_file(struct corpus *c, const char *rel, const char *buf, size_t size,
	enum dw_sql_dialect dialect, bool hostile)
{
	size_t pos = 0, text_start = 0;
	unsigned line = 0;
	bool in_case = false, in_header = false, case_ok = false;
	if (memchr(buf, '\0', size)) {
		add_error(c, rel, 1, "file holds a NUL byte");
		return;
	}
	while (pos < size) {
		size_t eol = pos;
		while (eol < size && buf[eol] != '\n')
			eol++;
		const char *s = buf + pos;
		size_t len = eol - pos;
		line++;
		if (starts_with(s, len, CASE_PREFIX)) {
			if (in_case && case_ok)
				finish_case(c, buf, text_start, pos);
			else if (in_case)
				drop_last_case(c);  /* a malformed case was already reported */
			struct corpus_case *cc = new_case(c);
			cc->file = strdup(rel);
			cc->line = line;
			cc->dialect = dialect;
			cc->hostile = hostile;
			in_case = in_header = case_ok = true;
			const char *rest = s + strlen(CASE_PREFIX);
			size_t rlen = len - strlen(CASE_PREFIX);
			while (rlen > 0 && (rest[rlen - 1] == ' ' || rest[rlen - 1] == '\r'))
				rlen--;
			if (rlen > 0 && rest[0] != ' ') {
				add_error(c, rel, line, "malformed @case line");
				case_ok = false;
			}
			while (rlen > 0 && rest[0] == ' ') {
				rest++;
				rlen--;
			}
			if (rlen > 0 && !valid_name(rest, rlen)) {
				add_error(c, rel, line, "case name must be [A-Za-z0-9_.-]+");
				case_ok = false;
			}
			cc->name = xstrndup(rest, rlen);
			if (!cc->file) {
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
			text_start = eol < size ? eol + 1 : eol;
		} else if (starts_with(s, len, EXPECT_PREFIX) && in_header) {
			if (case_ok && !parse_expect(c, &c->cases[c->n_cases - 1], rel, line,
					s + strlen(EXPECT_PREFIX), len - strlen(EXPECT_PREFIX)))
				case_ok = false;
			text_start = eol < size ? eol + 1 : eol;
		} else if (starts_with(s, len, "-- @")) {
			add_error(c, rel, line, "stray `-- @` line (only @case, then @expect lines)");
			case_ok = false;
		} else if (!in_case) {
			/* The file's header: comments and blank lines only. */
			if (len > 0 && !starts_with(s, len, "--") && !(len == 1 && s[0] == '\r'))
				add_error(c, rel, line, "text before the first @case");
		} else {
			in_header = false;
		}
		pos = eol < size ? eol + 1 : eol;
	}
	if (in_case && case_ok)
		finish_case(c, buf, text_start, size);
	else if (in_case)
		drop_last_case(c);
}

static char *read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			char *grown = realloc(buf, cap *= 2);
			if (!grown) {
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
			buf = grown;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	*size = len;
	return buf;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool load_dialect(struct corpus *c, const char *dir, const char *sub,
	enum dw_sql_dialect dialect)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, sub);
	DIR *d = opendir(path);
	if (!d) {
		add_error(c, path, 0, "cannot open directory: %s", strerror(errno));
		return false;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		if (nl < 4 || strcmp(e->d_name + nl - 4, ".sql") != 0)
			continue;
		char **grown = realloc(names, (n + 1) * sizeof *grown);
		if (!grown) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		names = grown;
		names[n++] = xstrndup(e->d_name, nl);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		char rel[512];
		snprintf(rel, sizeof rel, "%s/%s", sub, names[i]);
		bool hostile = strncmp(names[i], "hostile_", 8) == 0;
		if (!hostile && strncmp(names[i], "benign_", 7) != 0) {
			add_error(c, rel, 0, "file name must start with benign_ or hostile_");
		} else {
			snprintf(path, sizeof path, "%s/%s", dir, rel);
			size_t size;
			char *buf = read_whole(path, &size);
			if (!buf) {
				add_error(c, rel, 0, "cannot read: %s", strerror(errno));
				ok = false;
			} else {
				parse_file(c, rel, buf, size, dialect, hostile);
				free(buf);
			}
		}
		free(names[i]);
	}
	free(names);
	return ok;
}

static void check_names(struct corpus *c)
{
	for (size_t i = 0; i < c->n_cases; i++) {
		const struct corpus_case *cc = &c->cases[i];
		if (!*cc->name)
			continue;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->cases[j].name, cc->name) == 0) {
				add_error(c, cc->file, cc->line, "case name `%s` already used at %s:%u",
					cc->name, c->cases[j].file, c->cases[j].line);
				break;
			}
	}
}

bool corpus_load(const char *dir, bool pg_only, struct corpus *c)
{
	memset(c, 0, sizeof *c);
	bool ok = load_dialect(c, dir, "pg", DW_SQL_POSTGRES);
	if (!pg_only)
		ok = load_dialect(c, dir, "my", DW_SQL_MYSQL) && ok;
	check_names(c);
	return ok;
}

void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n_cases; i++)
		free_case(&c->cases[i]);
	free(c->cases);
	for (size_t i = 0; i < c->n_errors; i++)
		free(c->errors[i]);
	free(c->errors);
	memset(c, 0, sizeof *c);
}

const char *corpus_get(const struct corpus_case *cc, const char *key)
{
	for (size_t i = 0; i < cc->n_kv; i++)
		if (strcmp(cc->kv[i].key, key) == 0)
			return cc->kv[i].value;
	return NULL;
}

const struct corpus_case *corpus_find(const struct corpus *c, const char *name)
{
	for (size_t i = 0; i < c->n_cases; i++)
		if (*c->cases[i].name && strcmp(c->cases[i].name, name) == 0)
			return &c->cases[i];
	return NULL;
}

struct dw_sql_options corpus_case_options(const struct corpus_case *cc)
{
	struct dw_sql_options o = dw_sql_default_options(cc->dialect);
	const char *v = corpus_get(cc, "opts");
	if (!v)
		return o;
	char buf[256];
	const char *parts[8];
	int n = corpus_split_list(v, buf, sizeof buf, parts, 8);
	for (int i = 0; i < n; i++) {
		if (strcmp(parts[i], "ansi_quotes") == 0)
			o.ansi_quotes = true;
		else if (strcmp(parts[i], "no_backslash_escapes") == 0)
			o.no_backslash_escapes = true;
		else if (strcmp(parts[i], "no_standard_conforming_strings") == 0)
			o.standard_conforming_strings = false;
	}
	return o;
}
