/* One pass over a statement's tokens after its head is known: table
 * references (FROM lists, JOINs, write targets, derived tables), functions
 * called, identifiers, complexity counters, and what the injection
 * heuristics need to know about each place (inside a condition, after a
 * UNION ...).
 *
 * Every parenthesis opens a frame that knows what it is (a subquery, a
 * function's arguments, an IN list, a column list ...) and what the text
 * at its level is doing (which clause, whether a table name is expected).
 * Brackets were balanced and nesting bounded when the text was tokenized. */
#include "policy/sql_private.h"

#include <string.h>

enum fkind { F_TOP, F_SUBQ, F_FUNC, F_INLIST, F_ROW, F_GROUP, F_FROMGROUP, F_COLLIST, F_DDLDEFS };

/* Where a table reference stands. */
enum tstate {
	T_NONE,
	T_EXPECT,        /* the next name is a table */
	T_AFTER,         /* just read a table: an alias may follow */
	T_ALIAS,         /* after AS: the alias */
	T_AFTER_ALIAS,   /* alias read: a column alias list may follow */
};

enum clause { C_NONE, C_SELECT, C_FROM, C_WHERE, C_ORDER, C_LIMIT, C_SET, C_VALUES };

struct frame {
	uint8_t kind, tstate, clause;
	bool expect_target;   /* a write target: '(' after the name is a column list, not a call */
	bool from_list;       /* commas at this level separate table references */
	bool cond;            /* in WHERE, ON, HAVING, ORDER BY, GROUP BY of this level */
	bool ctx_cond;        /* inside a condition, IF() or CASE of an outer level */
	bool union_rhs;       /* after UNION/INTERSECT/EXCEPT at this or an outer level */
	bool setop_group;     /* a leading '(' of the statement */
	uint16_t case_depth;
	uint16_t depth;       /* subqueries around this level */
	enum dw_kw verb;
	uint32_t items;
};

struct scan {
	struct stmt_ctx *c;
	struct frame f[SQL_MAX_DEPTH + 2];
	uint32_t top;
};

static struct frame *cur(struct scan *sc)
{
	return &sc->f[sc->top];
}

static bool in_condition(const struct frame *f)
{
	return f->cond || f->case_depth || f->ctx_cond || f->union_rhs;
}

static bool is_reserved(const struct stmt_ctx *c, uint32_t i)
{
	return c->t[i].kind == DW_TOK_WORD && c->t[i].kw != DW_KW_NONE && dw_kw_reserved((enum dw_kw)c->t[i].kw, c->d);
}

/* Words skipped while a table name is expected: INSERT [IGNORE] [INTO],
 * FROM ONLY t, JOIN LATERAL, DROP TABLE IF EXISTS ... */
static bool expect_skip(enum dw_kw kw)
{
	switch (kw) {
	case DW_KW_ONLY:
	case DW_KW_LATERAL:
	case DW_KW_LOW_PRIORITY:
	case DW_KW_DELAYED:
	case DW_KW_HIGH_PRIORITY:
	case DW_KW_IGNORE:
	case DW_KW_QUICK:
	case DW_KW_INTO:
	case DW_KW_TABLE:
	case DW_KW_TEMP:
	case DW_KW_TEMPORARY:
	case DW_KW_UNLOGGED:
	case DW_KW_IF:
	case DW_KW_NOT:
	case DW_KW_EXISTS:
		return true;
	default:
		return false;
	}
}

/* A token that can begin a table name where one is expected. */
static bool table_start(const struct stmt_ctx *c, uint32_t i)
{
	if (!sqln_is_name_token(c, i))
		return false;
	if (c->t[i].kind != DW_TOK_WORD || c->t[i].kw == DW_KW_NONE)
		return true;
	enum dw_kw kw = (enum dw_kw)c->t[i].kw;
	if (dw_kw_reserved(kw, c->d))
		return false;
	/* Non-reserved keywords that open a clause rather than name a table. */
	switch (kw) {
	case DW_KW_SET:
	case DW_KW_VALUES:
	case DW_KW_DEFAULT:
	case DW_KW_ROWS:
	case DW_KW_STDIN:
	case DW_KW_STDOUT:
	case DW_KW_PROGRAM:
		return false;
	default:
		return true;
	}
}

/* Whether NAME( at I is a call: not a type with a modifier (varchar(10)
 * after a column name, AS or ::), nor a name being defined or targeted. */
static bool is_call(const struct stmt_ctx *c, uint32_t i)
{
	if (c->t[i].tf & TF_NAME)
		return false;
	if (i == c->b)
		return true;
	uint32_t p = i - 1;
	const struct sql_tok *pt = &c->t[p];
	if (pt->kind == DW_TOK_OPERATOR && pt->len == 2 && memcmp(c->text + pt->off, "::", 2) == 0)
		return false;
	if (pt->kind == DW_TOK_WORD) {
		switch ((enum dw_kw)pt->kw) {
		case DW_KW_AS:
		case DW_KW_INTO:
		case DW_KW_TABLE:
		case DW_KW_VIEW:
		case DW_KW_INDEX:
		case DW_KW_KEY:
		case DW_KW_CONSTRAINT:
		case DW_KW_REFERENCES:
		case DW_KW_FUNCTION:
		case DW_KW_PROCEDURE:
		case DW_KW_TRIGGER:
		case DW_KW_USING:
		case DW_KW_EXECUTE:
		case DW_KW_PREPARE:
		case DW_KW_VARYING:
			return false;
		case DW_KW_NONE:
			/* In DDL "col mytype(3)": a type after the column name. */
			return !c->ddl;
		default:
			break;
		}
	}
	if (pt->kind == DW_TOK_QUOTED_ID && c->ddl)
		return false;
	return true;
}

/* In DDL, name(191) is an index prefix length, not a call. */
static bool prefix_length(const struct stmt_ctx *c, uint32_t paren)
{
	return c->ddl && tok_kind(c, paren + 1, DW_TOK_NUMBER) && tok_kind(c, paren + 2, DW_TOK_RPAREN);
}

/* The identifiers of a name. Words that are keywords are left out even
 * where they serve as names: the fingerprint upper-cases them, so their
 * spelling must not reach a verdict. */
static void add_idents(struct stmt_ctx *c, const struct qname *q, uint32_t first)
{
	for (uint32_t k = first; k < q->end; k++)
		if (c->t[k].kind != DW_TOK_DOT && c->t[k].kind != DW_TOK_OPERATOR &&
			!(c->t[k].kind == DW_TOK_WORD && c->t[k].kw != DW_KW_NONE))
			sqln_add_ident(c, k);
}

/* A function call: Q names it, its '(' is at Q->end. */
static void record_call(struct scan *sc, const struct qname *q)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	uint32_t off, len;
	sqln_add_function(c, q, &off, &len);
	c->t[q->end].tf |= TF_CALL;
	if (!len)
		return;
	const struct dw_sql_name *fn = &c->a->functions[c->a->n_functions - 1];
	const char *name = c->a->names + off;
	if (len == 2 && memcmp(name, "if", 2) == 0)
		c->t[q->end].tf |= TF_CALL_IF;
	if (in_condition(f) &&
		sqli_sleep_like(c->a->names + fn->schema_off, fn->schema_len, name, len))
		c->st->injection |= DW_INJ_TIME_PROBE;
	if (f->union_rhs && sqli_probe_function(name, len))
		c->union_rhs_catalog = true;
}

/* A table reference at I where one is expected: an object, or a table
 * function. */
static void take_table(struct scan *sc, uint32_t *i)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	struct qname q;
	if (!sqln_qname(c, *i, false, &q))
		return;
	f->tstate = T_AFTER;
	if (tok_kind(c, q.end, DW_TOK_LPAREN) && !f->expect_target) {
		record_call(sc, &q);
	} else {
		sqln_add_object(c, &q, f->union_rhs);
		add_idents(c, &q, *i);
	}
	*i = q.end - 1;
}

/* A name in an expression: a column reference, or a call when '(' follows. */
static void take_name(struct scan *sc, uint32_t *i)
{
	struct stmt_ctx *c = sc->c;
	struct qname q;
	if (!sqln_qname(c, *i, true, &q)) {
		return;
	}
	uint32_t last = q.end - 1;
	if (tok_kind(c, q.end, DW_TOK_LPAREN) && c->t[last].kind != DW_TOK_OPERATOR && is_call(c, *i) &&
		!prefix_length(c, q.end)) {
		record_call(sc, &q);
	} else {
		add_idents(c, &q, *i);
	}
	*i = last;
}

static void keyword(struct scan *sc, uint32_t i, enum dw_kw kw)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	switch (kw) {
	case DW_KW_SELECT:
		if (!f->verb)
			f->verb = kw;
		f->clause = C_SELECT;
		f->cond = false;
		break;
	case DW_KW_FROM:
		if (f->kind == F_FUNC || (c->no_from_tables && sc->top == 0))
			break;
		/* FOR VALUES FROM (...) TO (...): partition bounds */
		if (i > c->b && kw_at(c, i - 1) == DW_KW_VALUES)
			break;
		/* IS [NOT] DISTINCT FROM */
		if (i >= c->b + 2 && kw_at(c, i - 1) == DW_KW_DISTINCT &&
			(kw_at(c, i - 2) == DW_KW_IS || kw_at(c, i - 2) == DW_KW_NOT))
			break;
		f->clause = C_FROM;
		f->tstate = T_EXPECT;
		f->expect_target = false;
		f->from_list = true;
		f->cond = false;
		break;
	case DW_KW_STRAIGHT_JOIN:
		if (f->clause != C_FROM)
			break;   /* SELECT STRAIGHT_JOIN: a hint */
		/* fall through */
	case DW_KW_JOIN:
		c->st->joins++;
		f->tstate = T_EXPECT;
		f->expect_target = false;
		f->cond = false;
		break;
	case DW_KW_ON:
		f->cond = true;
		break;
	case DW_KW_USING:
		if (tok_kind(c, i + 1, DW_TOK_LPAREN)) {
			c->t[i + 1].tf |= TF_COLLIST;   /* JOIN ... USING (a, b) */
		} else if ((c->verb == DW_OP_DELETE || c->verb == DW_OP_MERGE) && f->kind != F_FUNC) {
			f->clause = C_FROM;
			f->tstate = T_EXPECT;
			f->expect_target = false;
			f->from_list = true;
			f->cond = false;
		}
		break;
	case DW_KW_WHERE:
		f->clause = C_WHERE;
		f->cond = true;
		if (sc->top == 0 && (c->verb == DW_OP_UPDATE || c->verb == DW_OP_DELETE))
			c->st->has_where = true;
		break;
	case DW_KW_HAVING:
		f->clause = C_WHERE;
		f->cond = true;
		break;
	case DW_KW_GROUP:
	case DW_KW_ORDER:
		f->clause = C_ORDER;
		f->cond = true;
		break;
	case DW_KW_LIMIT:
	case DW_KW_OFFSET:
	case DW_KW_FETCH:
		f->clause = C_LIMIT;
		f->cond = false;
		break;
	case DW_KW_MINUS:
		if (!(tok_kw(c, i + 1, DW_KW_SELECT) || tok_kind(c, i + 1, DW_TOK_LPAREN)))
			break;
		/* fall through */
	case DW_KW_UNION:
	case DW_KW_INTERSECT:
	case DW_KW_EXCEPT:
		c->st->unions++;
		f->union_rhs = true;
		f->clause = C_NONE;
		f->cond = false;
		break;
	case DW_KW_SET:
	case DW_KW_RETURNING:
		f->clause = kw == DW_KW_SET ? C_SET : C_SELECT;
		f->cond = false;
		break;
	case DW_KW_VALUES:
		f->clause = C_VALUES;
		f->cond = false;
		break;
	case DW_KW_INTO:
		if (f->verb == DW_KW_INSERT || f->verb == DW_KW_REPLACE || f->verb == DW_KW_MERGE || c->verb == DW_OP_LOAD) {
			f->tstate = T_EXPECT;
			f->expect_target = true;
		} else if (c->mysql) {
			if (tok_kw(c, i + 1, DW_KW_OUTFILE) || tok_kw(c, i + 1, DW_KW_DUMPFILE))
				c->st->classes |= DW_CLASS_OUTFILE;
			/* otherwise INTO @variables */
		} else if (f->verb == DW_KW_SELECT) {
			/* PostgreSQL SELECT ... INTO new_table creates and fills a table. */
			f->tstate = T_EXPECT;
			f->expect_target = true;
			c->st->writes = true;
			c->st->classes |= DW_CLASS_DDL;
		}
		break;
	case DW_KW_INSERT:
	case DW_KW_REPLACE:
	case DW_KW_UPDATE:
	case DW_KW_DELETE:
	case DW_KW_MERGE:
	case DW_KW_TABLE:
		if (!(c->t[i].tf & TF_STMT_START))
			break;
		f->verb = kw;
		if (kw == DW_KW_INSERT || kw == DW_KW_REPLACE || kw == DW_KW_TABLE) {
			f->tstate = T_EXPECT;
			f->expect_target = true;
		} else if (kw == DW_KW_UPDATE) {
			/* UPDATE t1, t2 SET ... and UPDATE t1 JOIN t2 ... */
			f->tstate = T_EXPECT;
			f->expect_target = true;
			f->from_list = true;
			f->clause = C_FROM;
		}
		break;
	case DW_KW_REFERENCES:
		f->tstate = T_EXPECT;
		f->expect_target = true;
		break;
	case DW_KW_WITH:
		if (!(c->t[i].tf & TF_WITH_DONE)) {
			bool writes = false;
			c->t[i].tf |= TF_WITH_DONE;
			sqlh_with_list(c, i + 1, &writes);
			if (writes)
				c->st->writes = true;
		}
		break;
	case DW_KW_CASE:
		f->case_depth++;
		break;
	case DW_KW_END:
		if (f->case_depth)
			f->case_depth--;
		break;
	case DW_KW_OR:
		if (sqli_tautology(c, i + 1))
			c->st->injection |= DW_INJ_TAUTOLOGY;
		break;
	case DW_KW_LIKE:
	case DW_KW_ILIKE:
		if (i > c->b && sqli_is_literal(&c->t[i - 1]) && i + 1 < c->e && sqli_is_literal(&c->t[i + 1]))
			c->lit_sensitive = true;
		break;
	case DW_KW_AS:
		if (i + 1 < c->e && c->t[i + 1].kind == DW_TOK_WORD && !is_reserved(c, i + 1) &&
			!tok_kind(c, i + 2, DW_TOK_LPAREN))
			c->t[i + 1].tf |= TF_NAME;   /* an alias, even if it is a keyword */
		break;
	case DW_KW_CURRENT_USER:
	case DW_KW_SESSION_USER:
	case DW_KW_SYSTEM_USER:
	case DW_KW_USER:
	case DW_KW_CURRENT_ROLE:
		if (f->union_rhs)
			c->union_rhs_catalog = true;   /* UNION SELECT current_user */
		break;
	default:
		break;
	}
}

static void word(struct scan *sc, uint32_t *i)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	const struct sql_tok *t = &c->t[*i];
	enum dw_kw kw = t->kind == DW_TOK_WORD ? (enum dw_kw)t->kw : DW_KW_NONE;
	bool next_paren = tok_kind(c, *i + 1, DW_TOK_LPAREN);
	if (t->tf & TF_NAME) {
		if (kw == DW_KW_NONE)
			sqln_add_ident(c, *i);
		if (f->tstate == T_EXPECT || f->tstate == T_ALIAS)
			f->tstate = f->tstate == T_EXPECT ? T_AFTER : T_AFTER_ALIAS;
		return;
	}
	switch ((enum tstate)f->tstate) {
	case T_EXPECT:
		if (t->kind == DW_TOK_WORD && expect_skip(kw))
			return;
		if (table_start(c, *i)) {
			take_table(sc, i);
			return;
		}
		if (kw != DW_KW_NONE && (dw_kw_flags(kw) & DW_KWF_FUNC) && next_paren) {
			/* FROM JSON_TABLE(...), a table function spelled as a keyword */
			struct qname q = {.part = {*i}, .n = 1, .end = *i + 1};
			record_call(sc, &q);
			f->tstate = T_AFTER;
			return;
		}
		f->tstate = T_NONE;
		break;
	case T_AFTER:
		if (kw == DW_KW_AS) {
			f->tstate = T_ALIAS;
			return;
		}
		if (kw == DW_KW_NONE && t->kind != DW_TOK_STRING) {
			sqln_add_ident(c, *i);
			f->tstate = T_AFTER_ALIAS;
			return;
		}
		f->tstate = T_NONE;
		break;
	case T_ALIAS:
		if (sqln_is_name_token(c, *i) && !is_reserved(c, *i)) {
			if (kw == DW_KW_NONE)
				sqln_add_ident(c, *i);
			f->tstate = T_AFTER_ALIAS;
			return;
		}
		f->tstate = T_NONE;
		break;
	default:
		f->tstate = T_NONE;
		break;
	}
	if (t->kind != DW_TOK_WORD || kw == DW_KW_NONE ||
		(!dw_kw_reserved(kw, c->d) && tok_kind(c, *i + 1, DW_TOK_DOT)) ||
		(*i > c->b && c->t[*i - 1].kind == DW_TOK_DOT)) {
		take_name(sc, i);
		return;
	}
	if ((dw_kw_flags(kw) & DW_KWF_FUNC) && next_paren && !(kw == DW_KW_INSERT && !c->mysql) &&
		is_call(c, *i)) {
		struct qname q = {.part = {*i}, .n = 1, .end = *i + 1};
		record_call(sc, &q);
		return;
	}
	keyword(sc, *i, kw);
}

static bool is_setop_kw(enum dw_kw k)
{
	return k == DW_KW_UNION || k == DW_KW_INTERSECT || k == DW_KW_EXCEPT || k == DW_KW_MINUS;
}

static void open_paren(struct scan *sc, uint32_t i)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	uint16_t tf = c->t[i].tf;
	enum dw_kw next = kw_at(c, i + 1);
	enum dw_kw prev = i > c->b ? kw_at(c, i - 1) : DW_KW_NONE;
	struct frame nf;
	memset(&nf, 0, sizeof(nf));
	nf.kind = F_GROUP;
	nf.depth = f->depth;
	nf.union_rhs = f->union_rhs;
	nf.ctx_cond = in_condition(f) || (tf & TF_CALL_IF);
	bool at_start = i == c->b || (c->t[i - 1].kind == DW_TOK_LPAREN && f->setop_group);
	if (tf & TF_CTE_BODY) {
		nf.kind = F_SUBQ;
		nf.verb = next;
	} else if (tf & TF_COLLIST) {
		nf.kind = F_COLLIST;
	} else if (tf & TF_DDLDEFS) {
		nf.kind = F_DDLDEFS;
	} else if (tf & TF_CALL) {
		nf.kind = F_FUNC;
	} else if (next == DW_KW_SELECT || next == DW_KW_WITH || next == DW_KW_VALUES) {
		nf.kind = F_SUBQ;
		bool setop = at_start || is_setop_kw(prev) ||
			((prev == DW_KW_ALL || prev == DW_KW_DISTINCT) && i >= c->b + 2 && is_setop_kw(kw_at(c, i - 2)));
		if (!setop)
			nf.depth++;
		if (f->tstate == T_EXPECT)
			f->tstate = T_AFTER;   /* a derived table: an alias follows */
		else if (f->tstate != T_NONE)
			f->tstate = T_NONE;
	} else if (prev == DW_KW_IN) {
		nf.kind = F_INLIST;
		nf.items = tok_kind(c, i + 1, DW_TOK_RPAREN) ? 0 : 1;
		c->lit_sensitive = true;   /* verdicts on IN-list sizes: the fingerprint hides them */
	} else if (f->tstate == T_EXPECT) {
		/* FROM (a JOIN b ON ...): table references in parentheses */
		nf.kind = F_FROMGROUP;
		nf.tstate = T_EXPECT;
		nf.clause = C_FROM;
		nf.from_list = true;
		f->tstate = T_AFTER;
	} else if (f->tstate == T_AFTER || f->tstate == T_AFTER_ALIAS) {
		nf.kind = F_COLLIST;   /* INSERT INTO t (a, b), alias (a, b) */
		f->tstate = T_NONE;
	} else if (prev == DW_KW_VALUES || (i > c->b && c->t[i - 1].kind == DW_TOK_COMMA && f->clause == C_VALUES)) {
		nf.kind = F_ROW;
	} else if (at_start) {
		nf.setop_group = true;
	}
	/* After a table function's arguments an alias may still follow. */
	if (nf.kind != F_SUBQ && nf.kind != F_FROMGROUP && !(nf.kind == F_FUNC && f->tstate == T_AFTER))
		f->tstate = T_NONE;
	if (nf.depth > c->st->subquery_depth)
		c->st->subquery_depth = nf.depth;
	if (sc->top + 1 < sizeof(sc->f) / sizeof(sc->f[0]))
		sc->f[++sc->top] = nf;
}

static void close_paren(struct scan *sc)
{
	struct stmt_ctx *c = sc->c;
	struct frame *f = cur(sc);
	if (f->kind == F_INLIST && f->items > c->st->max_in_list)
		c->st->max_in_list = f->items;
	if (sc->top)
		sc->top--;
}

void sqls_scan(struct stmt_ctx *c)
{
	struct scan sc;
	memset(&sc.f[0], 0, sizeof(sc.f[0]));
	sc.c = c;
	sc.top = 0;
	sc.f[0].kind = F_TOP;
	for (uint32_t i = c->b; i < c->e && !c->oom && !c->bad; i++) {
		struct frame *f = cur(&sc);
		const struct sql_tok *t = &c->t[i];
		switch ((enum dw_tok_kind)t->kind) {
		case DW_TOK_WORD:
		case DW_TOK_QUOTED_ID:
			word(&sc, &i);
			break;
		case DW_TOK_STRING:
			/* MySQL "x" where a table or a qualified name stands */
			if (sqln_is_name_token(c, i)) {
				word(&sc, &i);
				break;
			}
			f->tstate = T_NONE;
			break;
		case DW_TOK_NUMBER:
		case DW_TOK_PARAM:
			f->tstate = T_NONE;
			break;
		case DW_TOK_VARIABLE:
			if (f->union_rhs && sqli_probe_function(c->text + t->off, t->len))
				c->union_rhs_catalog = true;
			f->tstate = T_NONE;
			break;
		case DW_TOK_OPERATOR:
			if (c->mysql && sql_op_is(c, i, "||") && sqli_tautology(c, i + 1))
				c->st->injection |= DW_INJ_TAUTOLOGY;
			if (sqli_comparison(c, i))
				c->lit_sensitive = true;
			/* PostgreSQL "FROM t *": t and its children */
			if (!(f->tstate == T_AFTER && sql_op_is(c, i, "*")))
				f->tstate = T_NONE;
			break;
		case DW_TOK_LPAREN:
			open_paren(&sc, i);
			break;
		case DW_TOK_RPAREN:
			close_paren(&sc);
			break;
		case DW_TOK_SEMICOLON:
			/* between the statements of a stored program's body */
			if (sc.top == 0) {
				struct frame *top = &sc.f[0];
				top->clause = C_NONE;
				top->tstate = T_NONE;
				top->cond = false;
				top->union_rhs = false;
				top->verb = DW_KW_NONE;
			}
			break;
		case DW_TOK_COMMA:
			if (f->kind == F_INLIST)
				f->items++;
			if (f->clause == C_FROM && f->from_list) {
				f->tstate = T_EXPECT;
				f->expect_target = false;
				c->st->joins++;
			} else {
				f->tstate = T_NONE;
			}
			break;
		default:
			break;
		}
	}
}
