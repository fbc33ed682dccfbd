/* The heads of DDL and privilege statements (CREATE, ALTER, DROP, GRANT,
 * REVOKE): their classes (a CREATE USER is grant, not ddl) and the objects
 * named in their fixed places. Part of the head phase (sql_head.c). */
#include "policy/sql_private.h"

/* The kind word of CREATE/ALTER/DROP: skips modifiers (OR REPLACE,
 * TEMPORARY, DEFINER = x, ALGORITHM = y, UNIQUE ...). */
static uint32_t kind_word(const struct stmt_ctx *c, uint32_t j)
{
	for (uint32_t n = 0; j < c->e && n < 24; n++) {
		switch (kw_at(c, j)) {
		case DW_KW_TABLE:
		case DW_KW_VIEW:
		case DW_KW_INDEX:
		case DW_KW_USER:
		case DW_KW_ROLE:
		case DW_KW_GROUP:
		case DW_KW_FUNCTION:
		case DW_KW_PROCEDURE:
		case DW_KW_TRIGGER:
		case DW_KW_DATABASE:
		case DW_KW_SCHEMA:
		case DW_KW_EXTENSION:
		case DW_KW_SYSTEM:
		case DW_KW_PREPARE:
			return j;
		default:
			break;
		}
		if (sql_word_is(c, j, "SEQUENCE") || sql_word_is(c, j, "TYPE") || sql_word_is(c, j, "EVENT") ||
			sql_word_is(c, j, "SERVER") || sql_word_is(c, j, "DOMAIN") || sql_word_is(c, j, "POLICY") ||
			sql_word_is(c, j, "PUBLICATION") || sql_word_is(c, j, "SUBSCRIPTION") ||
			sql_word_is(c, j, "TABLESPACE") || sql_word_is(c, j, "AGGREGATE") || sql_word_is(c, j, "RULE") ||
			sql_word_is(c, j, "LANGUAGE") || sql_word_is(c, j, "OPERATOR") || sql_word_is(c, j, "CAST"))
			return j;
		if (tok_kind(c, j, DW_TOK_LPAREN) || tok_kw(c, j, DW_KW_AS))
			return c->e;
		j++;
	}
	return c->e;
}

static bool user_or_role(const struct stmt_ctx *c, uint32_t k)
{
	/* CREATE/ALTER/DROP GROUP is PostgreSQL's old spelling of a role. */
	return tok_kw(c, k, DW_KW_USER) || tok_kw(c, k, DW_KW_ROLE) || (!c->mysql && tok_kw(c, k, DW_KW_GROUP));
}

/* After CREATE TABLE's name: its column definitions, LIKE, PARTITION OF,
 * INHERITS. */
static void create_table_tail(struct stmt_ctx *c, uint32_t j)
{
	if (tok_kw(c, j, DW_KW_LIKE)) {
		sqlh_take_object(c, j + 1, false);
		return;
	}
	if (tok_kw(c, j, DW_KW_PARTITION) && tok_kw(c, j + 1, DW_KW_OF)) {
		sqlh_take_object(c, j + 2, false);
		return;
	}
	if (!tok_kind(c, j, DW_TOK_LPAREN))
		return;
	if (tok_kw(c, j + 1, DW_KW_LIKE)) {
		sqlh_take_object(c, j + 2, false);
		return;
	}
	enum dw_kw first = kw_at(c, j + 1);
	if (first == DW_KW_SELECT || first == DW_KW_WITH || first == DW_KW_VALUES)
		return;   /* CREATE TABLE t (SELECT ...): a query */
	c->t[j].tf |= TF_DDLDEFS;
	uint32_t k = sqlh_after_group(c, j);
	if (sql_word_is(c, k, "INHERITS") && tok_kind(c, k + 1, DW_TOK_LPAREN)) {
		c->t[k + 1].tf |= TF_COLLIST;
		uint32_t m = k + 2;
		for (;;) {
			m = sqlh_take_object(c, m, false);
			if (!tok_kind(c, m, DW_TOK_COMMA))
				break;
			m++;
		}
	}
}

void sqlh_create(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_CREATE;
	c->ddl = true;
	uint32_t k = kind_word(c, i + 1);
	if (user_or_role(c, k)) {
		h->classes |= DW_CLASS_GRANT;
		return;
	}
	h->classes |= DW_CLASS_DDL;
	switch (kw_at(c, k)) {
	case DW_KW_TABLE: {
		uint32_t j = sqlh_skip_if_exists(c, k + 1);
		uint32_t end = sqlh_take_object(c, j, false);
		if (end != j)
			create_table_tail(c, end);
		return;
	}
	case DW_KW_VIEW: {
		uint32_t j = sqlh_skip_if_exists(c, k + 1);
		uint32_t end = sqlh_take_object(c, j, false);
		if (tok_kind(c, end, DW_TOK_LPAREN))
			c->t[end].tf |= TF_COLLIST;
		return;
	}
	case DW_KW_INDEX: {
		/* [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] table */
		uint32_t j = k + 1;
		if (tok_kw(c, j, DW_KW_CONCURRENTLY))
			j++;
		j = sqlh_skip_if_exists(c, j);
		if (!tok_kw(c, j, DW_KW_ON))
			j = sqlh_take_plain_name(c, j);
		if (tok_kw(c, j, DW_KW_ON)) {
			j++;
			if (tok_kw(c, j, DW_KW_ONLY))
				j++;
			sqlh_take_object(c, j, false);
		}
		return;
	}
	case DW_KW_TRIGGER: {
		sqlh_take_plain_name(c, k + 1);
		for (uint32_t j = k + 2; j < c->e; j++)
			if (tok_kw(c, j, DW_KW_ON)) {
				sqlh_take_object(c, j + 1, false);
				break;
			}
		return;
	}
	case DW_KW_FUNCTION:
	case DW_KW_PROCEDURE: {
		uint32_t j = sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
		if (tok_kind(c, j, DW_TOK_LPAREN))
			c->t[j].tf |= TF_COLLIST;
		/* A body is code in a string; its fingerprint cannot stand for it. */
		c->lit_sensitive = true;
		/* MySQL CREATE FUNCTION ... SONAME 'lib.so' loads a library. */
		for (uint32_t m = j; m < c->e; m++)
			if (tok_kw(c, m, DW_KW_SONAME))
				h->classes |= DW_CLASS_ADMIN;
		return;
	}
	case DW_KW_DATABASE:
	case DW_KW_SCHEMA:
		sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
		return;
	default:
		break;
	}
	if (sql_word_is(c, k, "POLICY")) {
		/* CREATE POLICY p ON t ... */
		uint32_t j = sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
		if (tok_kw(c, j, DW_KW_ON))
			sqlh_take_object(c, j + 1, false);
	} else if (sql_word_is(c, k, "RULE")) {
		/* CREATE RULE r AS ON event TO t ... */
		uint32_t j = sqlh_take_plain_name(c, k + 1);
		if (tok_kw(c, j, DW_KW_AS) && tok_kw(c, j + 1, DW_KW_ON) && tok_kw(c, j + 3, DW_KW_TO))
			sqlh_take_object(c, j + 4, false);
	}
}

void sqlh_alter(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_ALTER;
	c->ddl = true;
	if (tok_kw(c, i + 1, DW_KW_DEFAULT) && tok_kw(c, i + 2, DW_KW_PRIVILEGES)) {
		h->classes |= DW_CLASS_GRANT;
		return;
	}
	uint32_t k = kind_word(c, i + 1);
	if (tok_kw(c, k, DW_KW_SYSTEM) && k == i + 1) {
		h->classes |= DW_CLASS_ADMIN;
		return;
	}
	if (user_or_role(c, k)) {
		h->classes |= DW_CLASS_GRANT;
		return;
	}
	h->classes |= DW_CLASS_DDL;
	if (tok_kw(c, k, DW_KW_TABLE) || tok_kw(c, k, DW_KW_VIEW)) {
		uint32_t j = sqlh_skip_if_exists(c, k + 1);
		if (tok_kw(c, j, DW_KW_ONLY))
			j++;
		uint32_t end = sqlh_take_object(c, j, false);
		if (end == j)
			return;
		/* RENAME [TO|AS] new, ATTACH|DETACH PARTITION p: objects too. */
		for (uint32_t m = end; m < c->e; m++) {
			if (tok_kw(c, m, DW_KW_RENAME) && (tok_kw(c, m + 1, DW_KW_TO) || tok_kw(c, m + 1, DW_KW_AS)))
				sqlh_take_object(c, m + 2, false);
			if ((sql_word_is(c, m, "ATTACH") || sql_word_is(c, m, "DETACH")) && tok_kw(c, m + 1, DW_KW_PARTITION))
				sqlh_take_object(c, m + 2, false);
		}
	} else if (tok_kw(c, k, DW_KW_FUNCTION) || tok_kw(c, k, DW_KW_PROCEDURE)) {
		uint32_t j = sqlh_take_plain_name(c, k + 1);
		if (tok_kind(c, j, DW_TOK_LPAREN))
			c->t[j].tf |= TF_COLLIST;
	} else if (tok_kw(c, k, DW_KW_INDEX)) {
		sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
	}
}

void sqlh_drop(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_DROP;
	uint32_t k = kind_word(c, i + 1);
	if (tok_kw(c, k, DW_KW_PREPARE)) {
		/* MySQL DROP PREPARE s */
		h->op = DW_OP_DEALLOCATE;
		sqlh_take_plain_name(c, k + 1);
		return;
	}
	if (user_or_role(c, k)) {
		h->classes |= DW_CLASS_GRANT;
		return;
	}
	h->classes |= DW_CLASS_DDL;
	if (tok_kw(c, k, DW_KW_TABLE) || tok_kw(c, k, DW_KW_VIEW)) {
		sqlh_take_object_list(c, sqlh_skip_if_exists(c, k + 1));
	} else if (tok_kw(c, k, DW_KW_INDEX)) {
		uint32_t j = k + 1;
		if (tok_kw(c, j, DW_KW_CONCURRENTLY))
			j++;
		j = sqlh_take_plain_name(c, sqlh_skip_if_exists(c, j));
		if (tok_kw(c, j, DW_KW_ON))
			sqlh_take_object(c, j + 1, false);
	} else if (tok_kw(c, k, DW_KW_FUNCTION) || tok_kw(c, k, DW_KW_PROCEDURE)) {
		uint32_t j = sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
		if (tok_kind(c, j, DW_TOK_LPAREN))
			c->t[j].tf |= TF_COLLIST;
	} else if (tok_kw(c, k, DW_KW_TRIGGER)) {
		uint32_t j = sqlh_take_plain_name(c, sqlh_skip_if_exists(c, k + 1));
		if (tok_kw(c, j, DW_KW_ON))
			sqlh_take_object(c, j + 1, false);
	}
}

/* GRANT/REVOKE privileges ON [TABLE] objects: the objects are reported
 * (MySQL db.* and *.* as names with '*'). ON SCHEMA, ON DATABASE, ON
 * FUNCTION ... name no tables. */
void sqlh_grant(struct stmt_ctx *c, uint32_t i, struct sql_head *h)
{
	h->op = DW_OP_GRANT;
	h->classes |= DW_CLASS_GRANT;
	c->no_from_tables = true;
	uint32_t j = i + 1;
	while (j < c->e && !tok_kw(c, j, DW_KW_ON) && !tok_kw(c, j, DW_KW_TO) && !tok_kw(c, j, DW_KW_FROM))
		j = tok_kind(c, j, DW_TOK_LPAREN) ? sqlh_after_group(c, j) : j + 1;
	if (!tok_kw(c, j, DW_KW_ON))
		return;
	j++;
	if (tok_kw(c, j, DW_KW_TABLE))
		j++;
	else if (c->t[j].kind == DW_TOK_WORD && c->t[j].kw != DW_KW_NONE && !tok_kind(c, j + 1, DW_TOK_DOT) &&
		!tok_kind(c, j + 1, DW_TOK_COMMA) && !tok_kw(c, j + 1, DW_KW_TO) && !tok_kw(c, j + 1, DW_KW_FROM))
		return;   /* ON SCHEMA s, ON FUNCTION f, ON ALL TABLES IN SCHEMA s ... */
	else if (sql_word_is(c, j, "SEQUENCE") || sql_word_is(c, j, "LANGUAGE") || sql_word_is(c, j, "TYPE") ||
		sql_word_is(c, j, "DOMAIN") || sql_word_is(c, j, "TABLESPACE") || sql_word_is(c, j, "ROUTINE"))
		return;
	for (;;) {
		uint32_t end = sqlh_take_object(c, j, true);
		if (end == j || !tok_kind(c, end, DW_TOK_COMMA))
			return;
		j = end + 1;
	}
}
