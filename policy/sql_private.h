/* Internals shared by the analyzer's files (sql_analyze.c drives; the
 * others each do one phase). Not for use outside policy/sql_*.c. */
#ifndef DBWARD_POLICY_SQL_PRIVATE_H
#define DBWARD_POLICY_SQL_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/sql_analyze.h"
#include "policy/sql_keywords.h"

/* Deepest nesting of ( and [ accepted; deeper text is unparseable. */
#define SQL_MAX_DEPTH 64

/* Facts about a token, set while tokenizing or by an earlier phase for a
 * later one. */
enum {
	TF_NAME = 1u << 0,       /* part of a name already understood: an identifier, never a call */
	TF_COLLIST = 1u << 1,    /* '(' of a column list (INSERT INTO t (a, b), CTE columns ...) */
	TF_DDLDEFS = 1u << 2,    /* '(' of CREATE TABLE column definitions */
	TF_CTE_BODY = 1u << 3,   /* '(' of a WITH element's query */
	TF_STMT_START = 1u << 4, /* the verb of a statement or of a data-modifying CTE */
	TF_CALL = 1u << 5,       /* '(' of a function call */
	TF_CALL_IF = 1u << 6,    /* '(' of IF(): its arguments are conditions */
	TF_WITH_DONE = 1u << 7,  /* WITH whose list has been read */
	TF_TABLE = 1u << 8,      /* name already recorded as an object */
};

struct sql_tok {
	uint32_t off, len;
	uint8_t kind;      /* enum dw_tok_kind */
	uint8_t lxflags;   /* DW_TOKF_* */
	uint16_t kw;       /* enum dw_kw in the dialect, for DW_TOK_WORD */
	uint16_t tf;       /* TF_* */
	uint32_t match;    /* index of the matching bracket, for ( ) [ ] */
};

/* Up to the last three parts of a dotted name, as token indexes. */
struct qname {
	uint32_t part[3];
	uint32_t n;        /* parts seen (may exceed 3: the first ones are dropped) */
	uint32_t end;      /* index after the name */
};

struct dw_sql_scratch {
	struct sql_tok *toks;
	uint32_t n_toks, cap_toks;
	/* Folded CTE names of the current statement, as (off, len) into names. */
	uint32_t *ctes;
	uint32_t n_ctes, cap_ctes;
	/* Object dedupe: open addressing over object indexes, stamped with a
	 * generation so nothing is cleared between statements. */
	uint32_t *set_idx, *set_gen;
	uint32_t set_cap, set_count, gen;
};

/* Everything one statement's phases share. */
struct stmt_ctx {
	struct dw_sql_analysis *a;
	struct dw_sql_scratch *s;
	struct sql_tok *t;       /* s->toks */
	const char *text;
	struct dw_sql_stmt *st;
	uint32_t b, e;           /* token range [b, e) */
	enum dw_sql_dialect d;
	bool mysql;
	bool oom;
	const char *bad;         /* set: the message is unparseable, for this reason */
	/* From the head of the statement, for the scan. */
	enum dw_sql_op verb;     /* the executed statement's op (the inner one for EXPLAIN) */
	bool explain_only;       /* EXPLAIN without ANALYZE: nothing runs */
	bool no_from_tables;     /* FROM does not introduce tables (REVOKE, COPY, SHOW ...) */
	bool ddl;                /* CREATE/ALTER: a word before '(' may be a type */
	/* For the heuristics. */
	bool union_rhs_catalog;  /* a UNION-ed SELECT reads a catalog or calls a probe */
	bool lhs_catalog;        /* the rest of the statement reads catalogs too (admin tools) */
	bool lit_sensitive;
};

/* sql_names.c */
bool sqln_qname(const struct stmt_ctx *c, uint32_t i, bool allow_star, struct qname *q);
bool sqln_is_name_token(const struct stmt_ctx *c, uint32_t i);
void sqln_add_object(struct stmt_ctx *c, const struct qname *q, bool union_rhs);
void sqln_add_function(struct stmt_ctx *c, const struct qname *q, uint32_t *name_off, uint32_t *name_len);
void sqln_add_ident(struct stmt_ctx *c, uint32_t i);
void sqln_add_cte(struct stmt_ctx *c, uint32_t i);
void sqln_drop_cte_objects(struct stmt_ctx *c);
bool sqln_mysql_body(struct stmt_ctx *c, uint32_t i, uint32_t *end);
bool sqln_names_reserve(struct dw_sql_analysis *a, size_t more) __attribute__((warn_unused_result));

/* sql_head.c, sql_head_ddl.c */
struct sql_head {
	enum dw_sql_op op;
	enum dw_sql_op verb;   /* the statement that runs: the inner one of EXPLAIN, PREPARE AS */
	uint32_t classes;
	bool writes;
	bool explain_only;
};
void sqlh_head(struct stmt_ctx *c);
uint32_t sqlh_take_object(struct stmt_ctx *c, uint32_t j, bool allow_star);
uint32_t sqlh_take_plain_name(struct stmt_ctx *c, uint32_t j);
uint32_t sqlh_skip_if_exists(const struct stmt_ctx *c, uint32_t j);
uint32_t sqlh_after_group(const struct stmt_ctx *c, uint32_t j);
void sqlh_take_object_list(struct stmt_ctx *c, uint32_t j);
void sqlh_create(struct stmt_ctx *c, uint32_t i, struct sql_head *h);
void sqlh_alter(struct stmt_ctx *c, uint32_t i, struct sql_head *h);
void sqlh_drop(struct stmt_ctx *c, uint32_t i, struct sql_head *h);
void sqlh_grant(struct stmt_ctx *c, uint32_t i, struct sql_head *h);
uint32_t sqlh_with_list(struct stmt_ctx *c, uint32_t j, bool *writes);
uint32_t sqlh_inner_classes(struct stmt_ctx *c, uint32_t j);

/* sql_scan.c */
void sqls_scan(struct stmt_ctx *c);

/* sql_injection.c */
bool sqli_tautology(struct stmt_ctx *c, uint32_t j);
bool sqli_catalog_name(const char *schema, size_t schema_len, const char *name, size_t name_len);
bool sqli_sleep_like(const char *schema, size_t schema_len, const char *name, size_t name_len);
bool sqli_probe_function(const char *name, size_t len);
void sqli_statement(struct stmt_ctx *c);
bool sqli_is_literal(const struct sql_tok *t);
bool sqli_comparison(const struct stmt_ctx *c, uint32_t i);

/* sql_normalize.c */
struct norm_out {
	char *buf;        /* may be NULL */
	size_t cap;       /* bytes buf can take */
	size_t len;       /* bytes produced, even past cap */
	uint64_t hash;    /* running hash of what was produced */
};
void sqlnorm_begin(struct norm_out *o, char *buf, size_t cap);
void sqlnorm_put(struct norm_out *o, const char *p, size_t n);
uint64_t sqlnorm_hash_final(uint64_t h);
void sqlnorm_statement(const char *text, const struct sql_tok *t, uint32_t b, uint32_t e,
	const struct dw_sql_options *opts, struct norm_out *o);
uint64_t sqlnorm_combine(uint64_t h, uint64_t stmt_fp);
bool sql_my_dq_name(const char *text, const struct sql_tok *t, uint32_t b, uint32_t e, uint32_t i,
	const struct dw_sql_options *opts);

/* sql_analyze.c */
bool sql_tokenize(const char *text, size_t len, const struct dw_sql_options *opts,
	struct sql_tok **toks, uint32_t *n, uint32_t *cap, const char **bad, uint32_t *end_flags)
	__attribute__((warn_unused_result));

/* Small token tests every phase uses. */
static inline bool tok_kw(const struct stmt_ctx *c, uint32_t i, enum dw_kw kw)
{
	return i < c->e && c->t[i].kind == DW_TOK_WORD && c->t[i].kw == kw;
}

static inline enum dw_kw kw_at(const struct stmt_ctx *c, uint32_t i)
{
	return i < c->e && c->t[i].kind == DW_TOK_WORD ? (enum dw_kw)c->t[i].kw : DW_KW_NONE;
}

static inline bool tok_kind(const struct stmt_ctx *c, uint32_t i, enum dw_tok_kind k)
{
	return i < c->e && c->t[i].kind == k;
}

/* A non-keyword word spelled WORD (upper case), for the rare words not in
 * the keyword table. */
bool sql_word_is(const struct stmt_ctx *c, uint32_t i, const char *word);

/* An operator token spelled OP. */
bool sql_op_is(const struct stmt_ctx *c, uint32_t i, const char *op);

#endif
