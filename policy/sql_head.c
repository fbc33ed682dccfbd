/* The head of a statement: its operation, classes and writes from the
 * leading keywords, and the objects of statements whose names stand in
 * fixed places (DDL, LOCK, TRUNCATE, COPY, GRANT, DESCRIBE ...). The scan
 * (sql_scan.c) then reads the rest: FROM lists, subqueries, functions. */
#include "policy/sql_private.h"

#include <string.h>

bool sql_word_is(const struct stmt_ctx *c, uint32_t i, const char *word)
{
	if (i >= c->e || c->t[i].kind != DW_TOK_WORD)
		return false;
	size_t n = strlen(word);
	if (c->t[i].len != n)
		return false;
	const char *p = c->text + c->t[i].off;
	for (size_t k = 0; k < n; k++) {
		char ch = p[k];
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		if (ch != word[k])
			return false;
	}
	return true;
}

bool sql_op_is(const struct stmt_ctx *c, uint32_t i, const char *op)
{
	size_t n = strlen(op);
	return i < c->e && c->t[i].kind == DW_TOK_OPERATOR && c->t[i].len == n &&
		memcmp(c->text + c->t[i].off, op, n) == 0;
}

static void head_at(struct stmt_ctx *c, uint32_t j, struct sql_head *h);

/* Marks a name's tokens as understood, so the scan reports them as
 * identifiers and nothing else. */
static void mark_name(struct stmt_ctx *c, const struct qname *q, uint32_t first)
{
	for (uint32_t k = first; k < q->end; k++)
		c->t[k].tf |= TF_NAME;
}

/* The name at J as an object; returns the index after it (J when there is
 * no name). */
uint32_t sqlh_take_object(struct stmt_ctx *c, uint32_t j, bool allow_star)
{
	struct qname q;
	if (!sqln_qname(c, j, allow_star, &q))
		return j;
	if (c->t[j].kind == DW_TOK_WORD && dw_kw_reserved((enum dw_kw)c->t[j].kw, c->d) && !allow_star)
		return j;
	sqln_add_object(c, &q, false);
	mark_name(c, &q, j);
	for (uint32_t k = j; k < q.end; k++)
		c->t[k].tf |= TF_TABLE;
	return q.end;
}

/* A name that is not an object (index, function, database, statement
 * name): marked so it is neither a call nor a table. */
uint32_t sqlh_take_plain_name(struct stmt_ctx *c, uint32_t j)
{
	struct qname q;
	if (!sqln_qname(c, j, false, &q))
		return j;
	mark_name(c, &q, j);
	return q.end;
}

static uint32_t skip_kws(const struct stmt_ctx *c, uint32_t j, const enum dw_kw *kws, size_t n)
{
	for (;;) {
		bool hit = false;
		for (size_t k = 0; k < n && !hit; k++)
			hit = tok_kw(c, j, kws[k]);
		if (!hit)
			return j;
		j++;
	}
}

/* IF [NOT] EXISTS */
uint32_t sqlh_skip_if_exists(const struct stmt_ctx *c, uint32_t j)
{
	if (tok_kw(c, j, DW_KW_IF)) {
		uint32_t k = j + 1;
		if (tok_kw(c, k, DW_KW_NOT))
			k++;
		if (tok_kw(c, k, DW_KW_EXISTS))
			return k + 1;
	}
	return j;
}

uint32_t sqlh_after_group(const struct stmt_ctx *c, uint32_t j)
{
	if (tok_kind(c, j, DW_TOK_LPAREN) && c->t[j].match < c->e)
		return c->t[j].match + 1;
	return j;
}

/* The next index at bracket depth 0 from J that is a ',' (or E). */
static uint32_t next_comma(const struct stmt_ctx *c, uint32_t j)
{
	while (j < c->e && c->t[j].kind != DW_TOK_COMMA) {
		if ((c->t[j].kind == DW_TOK_LPAREN || c->t[j].kind == DW_TOK_LBRACKET) && c->t[j].match < c->e)
			j = c->t[j].match;
		j++;
	}
	return j;
}

/* name [*] [(cols)] , name ... for TRUNCATE, DROP TABLE, VACUUM and the
 * like; whatever follows an item up to its comma is left to the scan. */
void sqlh_take_object_list(struct stmt_ctx *c, uint32_t j)
{
	static const enum dw_kw mods[] = {DW_KW_ONLY};
	for (;;) {
		j = skip_kws(c, j, mods, 1);
		uint32_t end = sqlh_take_object(c, j, false);
		if (end == j)
			return;
		if (tok_kind(c, end, DW_TOK_LPAREN))
			c->t[end].tf |= TF_COLLIST;
		j = next_comma(c, end);
		if (!tok_kind(c, j, DW_TOK_COMMA))
			return;
		j++;
	}
}

/* WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] ( query ) , ...
 * Each element is checked before anything is marked, so WITH ROLLUP, WITH
 * (options), WITH ORDINALITY ... are left alone. Returns the index after
 * the list (J when J holds no list). */
uint32_t sqlh_with_list(struct stmt_ctx *c, uint32_t j, bool *writes)
{
	if (tok_kw(c, j, DW_KW_RECURSIVE))
		j++;
	uint32_t start = j;
	for (;;) {
		uint32_t k = j;
		if (!sqln_is_name_token(c, k) ||
			(c->t[k].kind == DW_TOK_WORD && dw_kw_reserved((enum dw_kw)c->t[k].kw, c->d)))
			return j == start ? start : j;
		uint32_t name = k++;
		uint32_t cols = UINT32_MAX;
		if (tok_kind(c, k, DW_TOK_LPAREN)) {
			cols = k;
			k = sqlh_after_group(c, k);
		}
		if (!tok_kw(c, k, DW_KW_AS))
			return j;
		k++;
		if (tok_kw(c, k, DW_KW_NOT))
			k++;
		if (tok_kw(c, k, DW_KW_MATERIALIZED))
			k++;
		if (!tok_kind(c, k, DW_TOK_LPAREN))
			return j;
		c->t[name].tf |= TF_NAME;
		sqln_add_cte(c, name);
		if (cols != UINT32_MAX)
			c->t[cols].tf |= TF_COLLIST;
		c->t[k].tf |= TF_CTE_BODY;
		enum dw_kw body = kw_at(c, k + 1);
		if (body == DW_KW_INSERT || body == DW_KW_UPDATE || body == DW_KW_DELETE || body == DW_KW_MERGE) {
			*writes = true;
			c->t[k + 1].tf |= TF_STMT_START;
		}
		j = sqlh_after_group(c, k);
		if (!tok_kind(c, j, DW_TOK_COMMA))
			return j;
		j++;
	}
}

static bool is_statement_start(const struct stmt_ctx *c, uint32_t j)
{
	switch (kw_at(c, j)) {
	case DW_KW_SELECT:
	case DW_KW_INSERT:
	case DW_KW_UPDATE:
	case DW_KW_DELETE:
	case DW_KW_REPLACE:
	case DW_KW_MERGE:
	case DW_KW_WITH:
	case DW_KW_VALUES:
	case DW_KW_TABLE:
	case DW_KW_CREATE:
	case DW_KW_EXECUTE:
	case DW_KW_DECLARE:
		return true;
	default:
		return tok_kind(c, j, DW_TOK_LPAREN) && j + 1 < c->e &&
			(kw_at(c, j + 1) == DW_KW_SELECT || kw_at(c, j + 1) == DW_KW_WITH ||
			 kw_at(c, j + 1) == DW_KW_VALUES || tok_kind(c, j + 1, DW_TOK_LPAREN));
	}
}

/* EXPLAIN / DESCRIBE / DESC at I. ANALYZE runs the statement, so it takes
 * that statement's op, classes and writes; plain EXPLAIN runs nothing. */
static void head_explain(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	uint32_t j = i + 1;
	bool analyze = false;
	for (;;) {
		enum dw_kw k = kw_at(c, j);
		if (k == DW_KW_ANALYZE || k == DW_KW_ANALYSE) {
			analyze = true;
			j++;
		} else if (k == DW_KW_VERBOSE || sql_word_is(c, j, "EXTENDED") || sql_word_is(c, j, "PARTITIONS")) {
			j++;
		} else if (k == DW_KW_FORMAT && sql_op_is(c, j + 1, "=")) {
			j += 3;
		} else if (!c->mysql && tok_kind(c, j, DW_TOK_LPAREN) && !is_statement_start(c, j)) {
			/* ( option [value], ... ): ANALYZE unless it is switched off. */
			uint32_t close = sqlh_after_group(c, j);
			for (uint32_t m = j + 1; m + 1 < close; m++) {
				if (kw_at(c, m) != DW_KW_ANALYZE && kw_at(c, m) != DW_KW_ANALYSE)
					continue;
				bool off = kw_at(c, m + 1) == DW_KW_FALSE || kw_at(c, m + 1) == DW_KW_OFF ||
					(tok_kind(c, m + 1, DW_TOK_NUMBER) && c->t[m + 1].len == 1 && c->text[c->t[m + 1].off] == '0') ||
					(tok_kind(c, m + 1, DW_TOK_STRING) && c->t[m + 1].len == 5 &&
					 (memcmp(c->text + c->t[m + 1].off, "'off'", 5) == 0));
				if (!off)
					analyze = true;
			}
			j = close;
		} else {
			break;
		}
	}
	if (is_statement_start(c, j)) {
		struct sql_head inner = {0};
		head_at(c, j, &inner);
		if (analyze) {
			*h = inner;
		} else {
			h->op = DW_OP_SELECT;
			h->explain_only = true;
			h->verb = inner.verb;
		}
		return;
	}
	h->op = DW_OP_SELECT;
	c->no_from_tables = true;
	if (c->mysql && tok_kw(c, j, DW_KW_FOR))
		return;   /* EXPLAIN FOR CONNECTION n */
	sqlh_take_object(c, j, false);
}

/* MariaDB ANALYZE <statement> runs the statement; otherwise ANALYZE is
 * table maintenance. */
static void head_analyze(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	uint32_t j = i + 1;
	if (tok_kw(c, j, DW_KW_FORMAT) && sql_op_is(c, j + 1, "="))
		j += 3;
	if (c->mysql && is_statement_start(c, j) && !tok_kw(c, j, DW_KW_TABLE)) {
		head_at(c, j, h);
		h->classes |= DW_CLASS_ADMIN;
		return;
	}
	static const enum dw_kw mods[] = {DW_KW_VERBOSE, DW_KW_NO_WRITE_TO_BINLOG, DW_KW_LOCAL, DW_KW_TABLE};
	h->op = DW_OP_OTHER;
	h->classes |= DW_CLASS_ADMIN;
	j = sqlh_after_group(c, i + 1);
	j = skip_kws(c, j, mods, sizeof(mods) / sizeof(mods[0]));
	if (sql_word_is(c, j, "TABLES"))
		j++;
	sqlh_take_object_list(c, j);
}

static bool variable_prefix(const struct stmt_ctx *c, uint32_t j, const char *prefix)
{
	size_t n = strlen(prefix);
	if (!tok_kind(c, j, DW_TOK_VARIABLE) || c->t[j].len < n)
		return false;
	const char *p = c->text + c->t[j].off;
	for (size_t k = 0; k < n; k++) {
		char ch = p[k];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != prefix[k])
			return false;
	}
	return true;
}

static void head_set(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	static const enum dw_kw scope[] = {DW_KW_SESSION, DW_KW_LOCAL};
	h->op = DW_OP_SET;
	uint32_t j = skip_kws(c, i + 1, scope, 2);
	enum dw_kw k = kw_at(c, j);
	if (k == DW_KW_ROLE || k == DW_KW_AUTHORIZATION) {
		h->classes |= DW_CLASS_ADMIN;
		return;
	}
	if (k == DW_KW_PASSWORD || (k == DW_KW_DEFAULT && tok_kw(c, j + 1, DW_KW_ROLE))) {
		h->classes |= DW_CLASS_GRANT;
		return;
	}
	/* MySQL SET GLOBAL / PERSIST changes the server for everyone: like
	 * ALTER SYSTEM, it is admin. */
	for (uint32_t m = i + 1; m < c->e; m++)
		if (tok_kw(c, m, DW_KW_GLOBAL) || tok_kw(c, m, DW_KW_PERSIST) || tok_kw(c, m, DW_KW_PERSIST_ONLY) ||
			variable_prefix(c, m, "@@global.") || variable_prefix(c, m, "@@persist"))
			h->classes |= DW_CLASS_ADMIN;
}

static void head_prepare(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	if (sql_word_is(c, i + 1, "TRANSACTION")) {
		h->op = DW_OP_OTHER;   /* two-phase commit */
		return;
	}
	h->op = DW_OP_PREPARE;
	uint32_t j = sqlh_take_plain_name(c, i + 1);
	if (c->mysql) {
		c->no_from_tables = true;
		if (!tok_kw(c, j, DW_KW_FROM)) {
			c->bad = "PREPARE needs FROM and a string or a variable";
			return;
		}
		j++;
		if (tok_kind(c, j, DW_TOK_VARIABLE)) {
			c->st->has_prepare_body = true;
			c->st->prepare_body_unknown = true;
			return;
		}
		uint32_t end;
		if (!sqln_mysql_body(c, j, &end))
			c->bad = "PREPARE ... FROM needs a plain string or a variable";
		/* The body is a literal: the fingerprint does not see it. */
		c->lit_sensitive = true;
		return;
	}
	if (tok_kind(c, j, DW_TOK_LPAREN)) {
		c->t[j].tf |= TF_COLLIST;
		j = sqlh_after_group(c, j);
	}
	if (!tok_kw(c, j, DW_KW_AS) || j + 1 >= c->e)
		return;
	const struct sql_tok *first = &c->t[j + 1], *last = &c->t[c->e - 1];
	c->st->has_prepare_body = true;
	c->st->body_off = first->off;
	c->st->body_len = last->off + last->len - first->off;
	struct sql_head inner = {0};
	head_at(c, j + 1, &inner);
	h->verb = inner.verb;
}

static void head_copy(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_COPY;
	c->no_from_tables = true;
	uint32_t j = i + 1;
	if (tok_kind(c, j, DW_TOK_LPAREN)) {
		j = sqlh_after_group(c, j);
	} else {
		j = sqlh_take_object(c, j, false);
		if (tok_kind(c, j, DW_TOK_LPAREN)) {
			c->t[j].tf |= TF_COLLIST;
			j = sqlh_after_group(c, j);
		}
	}
	bool from = tok_kw(c, j, DW_KW_FROM);
	if (!from && !tok_kw(c, j, DW_KW_TO))
		return;
	enum dw_kw where = kw_at(c, j + 1);
	if (from) {
		h->writes = true;
		if (where != DW_KW_STDIN)
			h->classes |= DW_CLASS_LOAD_DATA;   /* a file, a program, anything else */
	} else if (where != DW_KW_STDOUT) {
		h->classes |= DW_CLASS_OUTFILE;
	}
}

static void head_load(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_LOAD;
	c->no_from_tables = true;
	if (c->mysql && (tok_kw(c, i + 1, DW_KW_DATA) || tok_kw(c, i + 1, DW_KW_XML))) {
		h->classes |= DW_CLASS_LOAD_DATA;
		h->writes = true;
		return;
	}
	h->classes |= DW_CLASS_ADMIN;   /* PostgreSQL LOAD 'library', MySQL LOAD INDEX */
}

/* LOCK [TABLE|TABLES] name ... : every item up to its comma may carry
 * [AS] alias, READ [LOCAL], [LOW_PRIORITY] WRITE, or PostgreSQL's IN ...
 * MODE after the list. */
static void head_lock(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_LOCK;
	h->classes |= DW_CLASS_ADMIN;
	uint32_t j = i + 1;
	if (tok_kw(c, j, DW_KW_TABLE) || tok_kw(c, j, DW_KW_TABLES))
		j++;
	else if (c->mysql)
		return;   /* LOCK INSTANCE FOR BACKUP */
	for (;;) {
		if (tok_kw(c, j, DW_KW_ONLY))
			j++;
		uint32_t end = sqlh_take_object(c, j, false);
		if (end == j)
			return;
		j = end;
		/* MySQL alias */
		if (tok_kw(c, j, DW_KW_AS))
			j++;
		if (tok_kind(c, j, DW_TOK_WORD) && c->t[j].kw == DW_KW_NONE) {
			c->t[j].tf |= TF_NAME;
			j++;
		}
		j = next_comma(c, j);
		if (!tok_kind(c, j, DW_TOK_COMMA))
			return;
		j++;
	}
}

/* SHOW COLUMNS|FIELDS|INDEX|INDEXES|KEYS FROM|IN t [FROM|IN db], SHOW
 * CREATE TABLE|VIEW t. Other SHOW statements name databases or nothing. */
static void head_show(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_SELECT;
	c->no_from_tables = true;
	uint32_t j = i + 1;
	if (tok_kw(c, j, DW_KW_CREATE) && (tok_kw(c, j + 1, DW_KW_TABLE) || tok_kw(c, j + 1, DW_KW_VIEW))) {
		sqlh_take_object(c, j + 2, false);
		return;
	}
	if (tok_kw(c, j, DW_KW_FULL) || sql_word_is(c, j, "EXTENDED"))
		j++;
	if (tok_kw(c, j, DW_KW_FULL))
		j++;
	if (!(tok_kw(c, j, DW_KW_COLUMNS) || tok_kw(c, j, DW_KW_FIELDS) || tok_kw(c, j, DW_KW_INDEX) ||
		tok_kw(c, j, DW_KW_INDEXES) || tok_kw(c, j, DW_KW_KEYS)))
		return;
	j++;
	if (!tok_kw(c, j, DW_KW_FROM) && !tok_kw(c, j, DW_KW_IN))
		return;
	struct qname q;
	if (!sqln_qname(c, j + 1, false, &q))
		return;
	mark_name(c, &q, j + 1);
	uint32_t k = q.end;
	struct qname db;
	if ((tok_kw(c, k, DW_KW_FROM) || tok_kw(c, k, DW_KW_IN)) && q.n == 1 && sqln_qname(c, k + 1, false, &db) &&
		db.n == 1) {
		/* SHOW COLUMNS FROM t FROM db: the object is db.t */
		mark_name(c, &db, k + 1);
		struct qname both = {.part = {db.part[0], q.part[0], 0}, .n = 2, .end = db.end};
		sqln_add_object(c, &both, false);
		return;
	}
	sqln_add_object(c, &q, false);
}

static void head_at(struct stmt_ctx *c, uint32_t j, struct sql_head *h)
{
	while (tok_kind(c, j, DW_TOK_LPAREN))
		j++;
	if (j >= c->e || c->t[j].kind != DW_TOK_WORD)
		return;
	c->t[j].tf |= TF_STMT_START;
	enum dw_kw kw = (enum dw_kw)c->t[j].kw;
	h->op = DW_OP_OTHER;
	switch (kw) {
	case DW_KW_SELECT:
	case DW_KW_VALUES:
	case DW_KW_TABLE:
		h->op = DW_OP_SELECT;
		break;
	case DW_KW_WITH: {
		bool writes = false;
		uint32_t k = sqlh_with_list(c, j + 1, &writes);
		c->t[j].tf |= TF_WITH_DONE;
		head_at(c, k, h);
		h->writes |= writes;
		break;
	}
	case DW_KW_INSERT:
		h->op = DW_OP_INSERT;
		h->writes = true;
		break;
	case DW_KW_REPLACE:
		h->op = DW_OP_REPLACE;
		h->writes = true;
		break;
	case DW_KW_UPDATE:
		h->op = DW_OP_UPDATE;
		h->writes = true;
		break;
	case DW_KW_DELETE:
		h->op = DW_OP_DELETE;
		h->writes = true;
		break;
	case DW_KW_MERGE:
		h->op = DW_OP_MERGE;
		h->writes = true;
		break;
	case DW_KW_CREATE:
		sqlh_create(c, j, h);
		break;
	case DW_KW_ALTER:
		sqlh_alter(c, j, h);
		break;
	case DW_KW_DROP:
		sqlh_drop(c, j, h);
		break;
	case DW_KW_TRUNCATE: {
		h->op = DW_OP_TRUNCATE;
		h->classes |= DW_CLASS_DDL;
		h->writes = true;
		uint32_t k = j + 1;
		if (tok_kw(c, k, DW_KW_TABLE))
			k++;
		sqlh_take_object_list(c, k);
		break;
	}
	case DW_KW_RENAME: {
		h->op = DW_OP_RENAME;
		if (tok_kw(c, j + 1, DW_KW_USER)) {
			h->classes |= DW_CLASS_GRANT;
			break;
		}
		h->classes |= DW_CLASS_DDL;
		if (!tok_kw(c, j + 1, DW_KW_TABLE))
			break;
		/* RENAME TABLE a TO b, c TO d: old and new names alike */
		for (uint32_t k = j + 2;;) {
			k = sqlh_take_object(c, k, false);
			if (!tok_kw(c, k, DW_KW_TO))
				break;
			k = sqlh_take_object(c, k + 1, false);
			if (!tok_kind(c, k, DW_TOK_COMMA))
				break;
			k++;
		}
		break;
	}
	case DW_KW_COMMENT:
		h->classes |= DW_CLASS_DDL;
		if (tok_kw(c, j + 1, DW_KW_ON) && (tok_kw(c, j + 2, DW_KW_TABLE) || tok_kw(c, j + 2, DW_KW_VIEW)))
			sqlh_take_object(c, j + 3, false);
		break;
	case DW_KW_GRANT:
	case DW_KW_REVOKE:
		sqlh_grant(c, j, h);
		break;
	case DW_KW_SET:
		head_set(c, j, h);
		break;
	case DW_KW_RESET:
		h->op = DW_OP_SET;
		/* RESET ROLE / SESSION AUTHORIZATION change identity like SET ROLE */
		if (tok_kw(c, j + 1, DW_KW_ROLE) || (tok_kw(c, j + 1, DW_KW_SESSION) && tok_kw(c, j + 2, DW_KW_AUTHORIZATION)))
			h->classes |= DW_CLASS_ADMIN;
		if (tok_kw(c, j + 1, DW_KW_MASTER) || tok_kw(c, j + 1, DW_KW_REPLICA) || tok_kw(c, j + 1, DW_KW_SLAVE) ||
			sql_word_is(c, j + 1, "BINARY") || tok_kw(c, j + 1, DW_KW_BINARY) || sql_word_is(c, j + 1, "PERSIST"))
			h->classes |= DW_CLASS_ADMIN;
		break;
	case DW_KW_BEGIN:
		h->op = DW_OP_BEGIN;
		break;
	case DW_KW_START:
		if (tok_kw(c, j + 1, DW_KW_TRANSACTION)) {
			h->op = DW_OP_BEGIN;
		} else {
			h->classes |= DW_CLASS_ADMIN;   /* START SLAVE / REPLICA / GROUP_REPLICATION */
		}
		break;
	case DW_KW_STOP:
		h->classes |= DW_CLASS_ADMIN;
		break;
	case DW_KW_COMMIT:
	case DW_KW_END:
	case DW_KW_RELEASE:
		h->op = DW_OP_COMMIT;
		break;
	case DW_KW_ROLLBACK:
	case DW_KW_ABORT:
		h->op = DW_OP_ROLLBACK;
		break;
	case DW_KW_SAVEPOINT:
		h->op = DW_OP_SAVEPOINT;
		break;
	case DW_KW_PREPARE:
		head_prepare(c, j, h);
		break;
	case DW_KW_EXECUTE:
		h->op = DW_OP_EXECUTE;
		sqlh_take_plain_name(c, j + 1);
		break;
	case DW_KW_DEALLOCATE: {
		h->op = DW_OP_DEALLOCATE;
		uint32_t k = j + 1;
		if (tok_kw(c, k, DW_KW_PREPARE))
			k++;
		sqlh_take_plain_name(c, k);
		break;
	}
	case DW_KW_COPY:
		head_copy(c, j, h);
		break;
	case DW_KW_LOAD:
		head_load(c, j, h);
		break;
	case DW_KW_CALL:
		h->op = DW_OP_CALL;
		h->writes = true;   /* a procedure may change anything */
		break;
	case DW_KW_DO:
		/* PostgreSQL DO runs a code block. MySQL DO only evaluates
		 * expressions (DO RELEASE_LOCK('x')): its calls are judged by the
		 * function rules like a SELECT's. */
		if (!c->mysql) {
			h->classes |= DW_CLASS_ADMIN;
			c->lit_sensitive = true;
		}
		break;
	case DW_KW_LOCK:
		head_lock(c, j, h);
		break;
	case DW_KW_UNLOCK:
		h->op = DW_OP_LOCK;
		h->classes |= DW_CLASS_ADMIN;
		break;
	case DW_KW_USE:
		h->op = DW_OP_USE;
		sqlh_take_plain_name(c, j + 1);
		break;
	case DW_KW_SHOW:
		head_show(c, j, h);
		break;
	case DW_KW_EXPLAIN:
	case DW_KW_DESCRIBE:
	case DW_KW_DESC:
		head_explain(c, j, h);
		break;
	case DW_KW_ANALYZE:
	case DW_KW_ANALYSE:
		head_analyze(c, j, h);
		break;
	case DW_KW_VACUUM: {
		static const enum dw_kw mods[] = {DW_KW_FULL, DW_KW_FREEZE, DW_KW_VERBOSE, DW_KW_ANALYZE, DW_KW_ANALYSE};
		h->classes |= DW_CLASS_ADMIN;
		uint32_t k = skip_kws(c, sqlh_after_group(c, j + 1), mods, sizeof(mods) / sizeof(mods[0]));
		sqlh_take_object_list(c, k);
		break;
	}
	case DW_KW_CLUSTER: {
		h->classes |= DW_CLASS_ADMIN;
		uint32_t k = j + 1;
		if (tok_kw(c, k, DW_KW_VERBOSE))
			k++;
		sqlh_take_object(c, k, false);
		break;
	}
	case DW_KW_CHECKPOINT:
	case DW_KW_KILL:
	case DW_KW_SHUTDOWN:
	case DW_KW_FLUSH:
	case DW_KW_PURGE:
	case DW_KW_INSTALL:
	case DW_KW_UNINSTALL:
	case DW_KW_BINLOG:
	case DW_KW_CHANGE:
		h->classes |= DW_CLASS_ADMIN;
		break;
	case DW_KW_OPTIMIZE:
	case DW_KW_REPAIR:
	case DW_KW_CHECKSUM:
	case DW_KW_CHECK: {
		/* OPTIMIZE and REPAIR rebuild tables (admin); CHECK and CHECKSUM
		 * only read them. */
		static const enum dw_kw mods[] = {DW_KW_NO_WRITE_TO_BINLOG, DW_KW_LOCAL, DW_KW_TABLE, DW_KW_TABLES};
		if (kw == DW_KW_OPTIMIZE || kw == DW_KW_REPAIR)
			h->classes |= DW_CLASS_ADMIN;
		sqlh_take_object_list(c, skip_kws(c, j + 1, mods, sizeof(mods) / sizeof(mods[0])));
		break;
	}
	case DW_KW_HANDLER:
		sqlh_take_object(c, j + 1, false);
		break;
	case DW_KW_FETCH:
	case DW_KW_MOVE:
	case DW_KW_CLOSE:
		c->no_from_tables = true;   /* FETCH NEXT FROM cursor */
		break;
	default:
		if (sql_word_is(c, j, "REINDEX")) {
			h->classes |= DW_CLASS_ADMIN;
		} else if (sql_word_is(c, j, "REFRESH")) {
			/* REFRESH MATERIALIZED VIEW [CONCURRENTLY] v: rewrites its data */
			h->writes = true;
			uint32_t k = j + 1;
			if (tok_kw(c, k, DW_KW_MATERIALIZED))
				k++;
			if (tok_kw(c, k, DW_KW_VIEW))
				k++;
			if (tok_kw(c, k, DW_KW_CONCURRENTLY))
				k++;
			sqlh_take_object(c, k, false);
		} else if (sql_word_is(c, j, "IMPORT") || sql_word_is(c, j, "SECURITY")) {
			h->classes |= DW_CLASS_DDL;
		} else if (sql_word_is(c, j, "REASSIGN")) {
			h->classes |= DW_CLASS_GRANT;
		} else if (sql_word_is(c, j, "CACHE")) {
			h->classes |= DW_CLASS_ADMIN;
		}
		break;
	}
	if (!h->verb)
		h->verb = h->op;
}

uint32_t sqlh_inner_classes(struct stmt_ctx *c, uint32_t j)
{
	/* label: */
	if (j + 1 < c->e && c->t[j].kind == DW_TOK_WORD && sql_op_is(c, j + 1, ":"))
		j += 2;
	if (j >= c->e || c->t[j].kind != DW_TOK_WORD)
		return 0;
	/* What the inner statement says about FROM must not change how the
	 * outer one is read. */
	bool no_from = c->no_from_tables, ddl = c->ddl;
	struct sql_head h = {0};
	head_at(c, j, &h);
	c->no_from_tables = no_from;
	c->ddl = ddl;
	return h.explain_only ? 0 : h.classes;
}

void sqlh_head(struct stmt_ctx *c)
{
	struct sql_head h = {0};
	head_at(c, c->b, &h);
	c->explain_only = h.explain_only;
	c->verb = h.verb;
	c->st->op = h.op;
	c->st->classes |= h.classes;
	c->st->writes |= h.writes;
}
