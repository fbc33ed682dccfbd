/* Injection heuristics: shapes that ordinary application SQL does not
 * have. Each one is narrow on purpose: a false positive blocks a working
 * application, so what is flagged is the classic injected shape, not
 * anything that merely mentions the same words (literals and comments are
 * never read for keywords). docs/policy.md lists what each catches and
 * misses. */
#include "policy/sql_private.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool sqli_is_literal(const struct sql_tok *t)
{
	return t->kind == DW_TOK_STRING || t->kind == DW_TOK_NUMBER || t->kind == DW_TOK_PARAM;
}

enum cmp { CMP_NONE, CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE, CMP_LIKE, CMP_IS };

static enum cmp cmp_at(const struct stmt_ctx *c, uint32_t i)
{
	if (i >= c->e)
		return CMP_NONE;
	if (c->t[i].kind == DW_TOK_WORD) {
		enum dw_kw k = (enum dw_kw)c->t[i].kw;
		if (k == DW_KW_LIKE || k == DW_KW_ILIKE)
			return CMP_LIKE;
		if (k == DW_KW_IS)
			return CMP_IS;
		return CMP_NONE;
	}
	if (c->t[i].kind != DW_TOK_OPERATOR)
		return CMP_NONE;
	static const struct {
		const char *op;
		enum cmp cmp;
	} ops[] = {
		{"=", CMP_EQ}, {"==", CMP_EQ}, {"<=>", CMP_EQ}, {"<>", CMP_NE}, {"!=", CMP_NE},
		{"<", CMP_LT}, {">", CMP_GT}, {"<=", CMP_LE}, {">=", CMP_GE},
	};
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (sql_op_is(c, i, ops[k].op))
			return ops[k].cmp;
	return CMP_NONE;
}

static bool is_sign_before_number(const struct stmt_ctx *c, uint32_t i)
{
	return (sql_op_is(c, i, "-") || sql_op_is(c, i, "+")) && tok_kind(c, i + 1, DW_TOK_NUMBER);
}

bool sqli_comparison(const struct stmt_ctx *c, uint32_t i)
{
	enum cmp op = cmp_at(c, i);
	if (op == CMP_NONE || op == CMP_IS || i == c->b)
		return false;
	uint32_t j = i + 1;
	if (is_sign_before_number(c, j))
		j++;
	return j < c->e && sqli_is_literal(&c->t[i - 1]) && sqli_is_literal(&c->t[j]);
}

enum okind { O_NONE, O_NUM, O_STR, O_PARAM, O_TRUE, O_FALSE, O_NULL, O_IDENT };

struct operand {
	enum okind k;
	uint32_t first, end;   /* tokens */
	bool neg;
};

/* One simple operand at J: a literal (a number with its sign), TRUE, FALSE,
 * NULL, or a (qualified) column name. */
static uint32_t operand(const struct stmt_ctx *c, uint32_t j, struct operand *o)
{
	memset(o, 0, sizeof(*o));
	if (is_sign_before_number(c, j)) {
		o->neg = sql_op_is(c, j, "-");
		j++;
	}
	if (j >= c->e)
		return j;
	o->first = j;
	o->end = j + 1;
	const struct sql_tok *t = &c->t[j];
	switch ((enum dw_tok_kind)t->kind) {
	case DW_TOK_NUMBER:
		o->k = O_NUM;
		return j + 1;
	case DW_TOK_STRING:
		o->k = O_STR;
		return j + 1;
	case DW_TOK_PARAM:
		o->k = O_PARAM;
		return j + 1;
	case DW_TOK_WORD:
		if (t->kw == DW_KW_TRUE) {
			o->k = O_TRUE;
			return j + 1;
		}
		if (t->kw == DW_KW_FALSE) {
			o->k = O_FALSE;
			return j + 1;
		}
		if (t->kw == DW_KW_NULL) {
			o->k = O_NULL;
			return j + 1;
		}
		if (t->kw != DW_KW_NONE && dw_kw_reserved((enum dw_kw)t->kw, c->d))
			return j;
		/* fall through */
	case DW_TOK_QUOTED_ID: {
		struct qname q;
		if (!sqln_qname(c, j, false, &q))
			return j;
		if (tok_kind(c, q.end, DW_TOK_LPAREN))
			return j;   /* a call: its value is unknown */
		o->k = O_IDENT;
		o->end = q.end;
		return q.end;
	}
	default:
		return j;
	}
}

/* The characters of a string literal between its quotes (escapes and
 * doubled quotes left as they are: equal spellings are what matters). */
static void string_body(const struct stmt_ctx *c, uint32_t i, const char **p, size_t *n)
{
	const char *s = c->text + c->t[i].off;
	size_t len = c->t[i].len;
	if (s[0] == '$') {
		size_t tag = 1;
		while (tag < len && s[tag] != '$')
			tag++;
		tag++;
		*p = s + tag;
		*n = len >= 2 * tag ? len - 2 * tag : 0;
		return;
	}
	size_t k = 0;
	while (k < len && s[k] != '\'' && s[k] != '"')
		k++;
	*p = s + k + 1;
	*n = len >= k + 2 ? len - k - 2 : 0;
}

/* A numeric value as MySQL reads one from text: the leading number, or 0. */
static double text_number(const char *p, size_t n, bool *whole)
{
	char buf[64];
	size_t k = 0;
	for (size_t m = 0; m < n && k + 1 < sizeof(buf); m++)
		if (p[m] != '_')
			buf[k++] = p[m];
	buf[k] = 0;
	char *end;
	double v = strtod(buf, &end);
	*whole = end != buf && *end == 0 && n < sizeof(buf);
	if (end == buf)
		v = 0;
	return v;
}

static double operand_number(const struct stmt_ctx *c, const struct operand *o, bool *ok)
{
	*ok = true;
	double v;
	if (o->k == O_TRUE)
		return 1;
	if (o->k == O_FALSE)
		return 0;
	if (o->k == O_NUM) {
		bool whole;
		v = text_number(c->text + c->t[o->first].off, c->t[o->first].len, &whole);
		*ok = whole;
	} else {
		const char *p;
		size_t n;
		bool whole;
		string_body(c, o->first, &p, &n);
		v = text_number(p, n, &whole);
		/* MySQL turns any string into a number; PostgreSQL only a numeric one. */
		*ok = c->mysql || whole;
	}
	return o->neg ? -v : v;
}

static bool same_text(const struct stmt_ctx *c, uint32_t x, uint32_t y, bool fold)
{
	const struct sql_tok *a = &c->t[x], *b = &c->t[y];
	if (a->kind != b->kind || a->len != b->len)
		return false;
	if (!fold)
		return memcmp(c->text + a->off, c->text + b->off, a->len) == 0;
	return strncasecmp(c->text + a->off, c->text + b->off, a->len) == 0;
}

static bool same_operand(const struct stmt_ctx *c, const struct operand *a, const struct operand *b)
{
	if (a->end - a->first != b->end - b->first)
		return false;
	for (uint32_t k = 0; k < a->end - a->first; k++)
		if (!same_text(c, a->first + k, b->first + k, c->t[a->first + k].kind == DW_TOK_WORD))
			return false;
	return true;
}

static bool is_literal_kind(enum okind k)
{
	return k == O_NUM || k == O_STR || k == O_TRUE || k == O_FALSE;
}

/* 1 when A OP B is always true, 0 when not known to be. */
static int always_true(const struct stmt_ctx *c, const struct operand *a, enum cmp op, const struct operand *b)
{
	if (a->k == O_IDENT && b->k == O_IDENT)
		return same_operand(c, a, b) && (op == CMP_EQ || op == CMP_LE || op == CMP_GE || op == CMP_LIKE);
	if (!is_literal_kind(a->k) || !is_literal_kind(b->k))
		return 0;
	if (op == CMP_LIKE) {
		if (a->k != O_STR || b->k != O_STR)
			return 0;
		const char *pa, *pb;
		size_t na, nb;
		string_body(c, a->first, &pa, &na);
		string_body(c, b->first, &pb, &nb);
		bool all_percent = nb > 0;
		for (size_t k = 0; k < nb; k++)
			all_percent &= pb[k] == '%';
		return all_percent || (na == nb && memcmp(pa, pb, na) == 0);
	}
	if (a->k == O_STR && b->k == O_STR) {
		const char *pa, *pb;
		size_t na, nb;
		string_body(c, a->first, &pa, &na);
		string_body(c, b->first, &pb, &nb);
		bool eq = na == nb && (c->mysql ? strncasecmp(pa, pb, na) == 0 : memcmp(pa, pb, na) == 0);
		if (op == CMP_EQ)
			return eq;
		if (op == CMP_NE)
			return !eq;
		return 0;
	}
	bool oka, okb;
	double x = operand_number(c, a, &oka), y = operand_number(c, b, &okb);
	if (!oka || !okb)
		return 0;
	switch (op) {
	case CMP_EQ: return x == y;
	case CMP_NE: return x != y;
	case CMP_LT: return x < y;
	case CMP_GT: return x > y;
	case CMP_LE: return x <= y;
	case CMP_GE: return x >= y;
	default: return 0;
	}
}

/* A bare operand that is true by itself: OR 1, OR TRUE, MySQL OR 'x',
 * PostgreSQL OR 't'. */
static int truthy(const struct stmt_ctx *c, const struct operand *a)
{
	switch (a->k) {
	case O_TRUE:
		return 1;
	case O_NUM: {
		bool ok;
		double v = operand_number(c, a, &ok);
		return ok && v != 0;
	}
	case O_STR: {
		if (c->mysql)
			return 1;
		const char *p;
		size_t n;
		string_body(c, a->first, &p, &n);
		static const char *const yes[] = {"t", "true", "y", "yes", "on", "1"};
		for (size_t k = 0; k < sizeof(yes) / sizeof(yes[0]); k++)
			if (n == strlen(yes[k]) && strncasecmp(p, yes[k], n) == 0)
				return 1;
		return 0;
	}
	default:
		return 0;
	}
}

/* After an operand: does the expression go on (arithmetic, a call, a
 * member), so the operand alone is not what is compared? */
static bool continues(const struct stmt_ctx *c, uint32_t j)
{
	if (j >= c->e)
		return false;
	switch ((enum dw_tok_kind)c->t[j].kind) {
	case DW_TOK_OPERATOR:
		/* MySQL || and && are OR and AND: they end the operand. */
		return !(c->mysql && (sql_op_is(c, j, "||") || sql_op_is(c, j, "&&")));
	case DW_TOK_DOT:
	case DW_TOK_LPAREN:
	case DW_TOK_LBRACKET:
		return true;
	default:
		return false;
	}
}

bool sqli_tautology(struct stmt_ctx *c, uint32_t j)
{
	bool negate = false;
	while (tok_kw(c, j, DW_KW_NOT) || sql_op_is(c, j, "!")) {
		negate = !negate;
		j++;
	}
	while (tok_kind(c, j, DW_TOK_LPAREN))
		j++;
	struct operand a, b;
	j = operand(c, j, &a);
	if (a.k == O_NONE)
		return false;
	enum cmp op = cmp_at(c, j);
	if (op == CMP_NONE) {
		if (continues(c, j))
			return false;
		if (is_literal_kind(a.k) || a.k == O_PARAM)
			c->lit_sensitive = true;
		if (!negate)
			return truthy(c, &a) == 1;
		/* OR NOT 0, OR NOT FALSE */
		bool ok;
		return a.k == O_FALSE || (a.k == O_NUM && operand_number(c, &a, &ok) == 0 && ok);
	}
	j++;
	if (op == CMP_IS) {
		/* <literal> IS NOT NULL */
		bool not_null = tok_kw(c, j, DW_KW_NOT) && tok_kw(c, j + 1, DW_KW_NULL);
		if (is_literal_kind(a.k)) {
			c->lit_sensitive = true;
			return not_null != negate;
		}
		return false;
	}
	j = operand(c, j, &b);
	if (b.k == O_NONE || continues(c, j))
		return false;
	bool lits = (is_literal_kind(a.k) || a.k == O_PARAM || a.k == O_NULL) &&
		(is_literal_kind(b.k) || b.k == O_PARAM || b.k == O_NULL);
	if (lits)
		c->lit_sensitive = true;
	int t = always_true(c, &a, op, &b);
	if (negate) {
		/* NOT 1=2: true when the comparison is known false. */
		if (!is_literal_kind(a.k) || !is_literal_kind(b.k))
			return false;
		enum cmp inverse = op == CMP_EQ ? CMP_NE : op == CMP_NE ? CMP_EQ : CMP_NONE;
		return inverse != CMP_NONE && always_true(c, &a, inverse, &b);
	}
	return t == 1;
}

static bool eq_lit(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

bool sqli_catalog_name(const char *schema, size_t schema_len, const char *name, size_t name_len)
{
	static const char *const schemas[] = {"information_schema", "pg_catalog", "mysql", "performance_schema", "sys"};
	for (size_t k = 0; k < sizeof(schemas) / sizeof(schemas[0]); k++)
		if (eq_lit(schema, schema_len, schemas[k]))
			return true;
	if (eq_lit(name, name_len, "sqlite_master") || eq_lit(name, name_len, "sqlite_schema"))
		return true;
	return schema_len == 0 && name_len > 3 && memcmp(name, "pg_", 3) == 0;
}

bool sqli_sleep_like(const char *schema, size_t schema_len, const char *name, size_t name_len)
{
	static const char *const names[] = {"sleep", "pg_sleep", "pg_sleep_for", "pg_sleep_until", "benchmark", "waitfor"};
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (eq_lit(name, name_len, names[k]))
			return true;
	return eq_lit(schema, schema_len, "dbms_pipe") && eq_lit(name, name_len, "receive_message");
}

bool sqli_probe_function(const char *name, size_t len)
{
	static const char *const probes[] = {
		"version", "user", "current_user", "session_user", "system_user", "database", "schema",
		"current_database", "current_schema", "current_role", "connection_id",
	};
	if (len > 2 && name[0] == '@' && name[1] == '@') {
		/* @@version, @@version_comment, @@hostname, @@datadir ... */
		static const char *const vars[] = {"version", "version_comment", "hostname", "datadir", "basedir"};
		const char *v = name + 2;
		size_t n = len - 2;
		for (size_t k = 0; k < sizeof(vars) / sizeof(vars[0]); k++)
			if (n == strlen(vars[k]) && strncasecmp(v, vars[k], n) == 0)
				return true;
		return false;
	}
	for (size_t k = 0; k < sizeof(probes) / sizeof(probes[0]); k++)
		if (eq_lit(name, len, probes[k]))
			return true;
	return false;
}

/* Keywords that turn an executable comment into hidden code. */
static bool exec_comment_keyword(const struct stmt_ctx *c, uint32_t k)
{
	switch (kw_at(c, k)) {
	case DW_KW_UNION:
	case DW_KW_SELECT:
	case DW_KW_INSERT:
	case DW_KW_UPDATE:
	case DW_KW_DELETE:
	case DW_KW_DROP:
	case DW_KW_CREATE:
	case DW_KW_ALTER:
	case DW_KW_OR:
	case DW_KW_AND:
	case DW_KW_XOR:
	case DW_KW_INTO:
	case DW_KW_FROM:
	case DW_KW_WHERE:
	case DW_KW_HAVING:
	case DW_KW_GRANT:
	case DW_KW_LOAD:
		return true;
	default:
		break;
	}
	return sql_op_is(c, k, "||") || sql_op_is(c, k, "&&") || sql_word_is(c, k, "SLEEP") ||
		sql_word_is(c, k, "BENCHMARK");
}

/* Whether the statement opens with its own executable comment (dump files:
 * "/ *!40101 SET NAMES utf8 * /"), looking between the previous token and
 * the first one. */
static bool opens_with_exec_comment(const struct stmt_ctx *c)
{
	const struct sql_tok *first = &c->t[c->b];
	if (!(first->lxflags & DW_TOKF_IN_EXEC_COMMENT))
		return false;
	uint32_t from = c->b ? c->t[c->b - 1].off + c->t[c->b - 1].len : 0;
	return memmem(c->text + from, first->off - from, "/*!", 3) != NULL ||
		memmem(c->text + from, first->off - from, "/*M!", 4) != NULL;
}

void sqli_statement(struct stmt_ctx *c)
{
	struct dw_sql_stmt *st = c->st;
	if (c->union_rhs_catalog && !c->lhs_catalog)
		st->injection |= DW_INJ_UNION_CATALOG;
	bool exempt = opens_with_exec_comment(c);
	for (uint32_t k = c->b; k < c->e; k++) {
		const struct sql_tok *t = &c->t[k];
		if (t->lxflags & DW_TOKF_IN_EXEC_COMMENT) {
			/* The fingerprint does not tell code in a comment from code. */
			c->lit_sensitive = true;
			if (!exempt && exec_comment_keyword(c, k))
				st->injection |= DW_INJ_COMMENT_SPLIT;
		}
		if (k == c->b || !(t->lxflags & DW_TOKF_AFTER_COMMENT))
			continue;
		/* A block comment standing in for the space next to a keyword:
		 * UNION/ * * /SELECT. Optimizer hints (/ *+) are not evasion. */
		const struct sql_tok *p = &c->t[k - 1];
		uint32_t gap_start = p->off + p->len;
		if (t->off < gap_start + 4)
			continue;
		const char *g = c->text + gap_start;
		size_t gn = t->off - gap_start;
		if (g[0] != '/' || g[1] != '*' || g[2] == '+' || g[gn - 1] != '/' || g[gn - 2] != '*')
			continue;
		bool kw_side = (t->kind == DW_TOK_WORD && t->kw != DW_KW_NONE && dw_kw_reserved((enum dw_kw)t->kw, c->d)) ||
			(p->kind == DW_TOK_WORD && p->kw != DW_KW_NONE && dw_kw_reserved((enum dw_kw)p->kw, c->d));
		if (kw_side) {
			st->injection |= DW_INJ_COMMENT_SPLIT;
			c->lit_sensitive = true;
		}
	}
	if (st->injection)
		c->lit_sensitive = true;
}
