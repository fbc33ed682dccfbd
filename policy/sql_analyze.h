/* What a piece of SQL text does, as far as policy needs to know.
 *
 * One pass over the tokens of a message (which may hold several statements)
 * yields, per statement: its operation and classes, the objects it references
 * (as schema.name, case folded the way the dialect folds), the functions it
 * calls, every identifier it spells, its complexity (joins, subquery depth,
 * unions, IN-list sizes, WHERE presence), a fingerprint that ignores literal
 * values, and the injection heuristics it trips. It is not a full parser: it
 * understands enough structure to be conservative, and says "unparseable"
 * rather than guess.
 *
 * An analysis object is reused across messages: its arrays grow to the
 * largest message seen and are never freed between calls, so a steady stream
 * of statements allocates nothing. One per worker (not thread-safe). */
#ifndef DBWARD_POLICY_SQL_ANALYZE_H
#define DBWARD_POLICY_SQL_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/sql_lexer.h"

/* Operation of a statement: the audit record's `operation` (the first
 * statement keyword, with CREATE/ALTER/DROP... kept as themselves). */
enum dw_sql_op {
	DW_OP_OTHER = 0,
	DW_OP_SELECT,     /* also VALUES, TABLE, WITH ... SELECT, SHOW, EXPLAIN without ANALYZE, DESCRIBE */
	DW_OP_INSERT,
	DW_OP_UPDATE,
	DW_OP_DELETE,
	DW_OP_MERGE,
	DW_OP_REPLACE,    /* MySQL REPLACE INTO */
	DW_OP_CREATE,
	DW_OP_ALTER,
	DW_OP_DROP,
	DW_OP_TRUNCATE,
	DW_OP_RENAME,
	DW_OP_CALL,
	DW_OP_BEGIN,      /* BEGIN, START TRANSACTION */
	DW_OP_COMMIT,     /* COMMIT, END, RELEASE SAVEPOINT */
	DW_OP_ROLLBACK,   /* ROLLBACK [TO SAVEPOINT], ABORT */
	DW_OP_SAVEPOINT,
	DW_OP_SET,        /* SET, RESET, SET TRANSACTION */
	DW_OP_GRANT,      /* GRANT, REVOKE */
	DW_OP_PREPARE,    /* SQL-level PREPARE (its body is analysed: see prepare_body) */
	DW_OP_EXECUTE,    /* SQL-level EXECUTE */
	DW_OP_DEALLOCATE,
	DW_OP_COPY,       /* PostgreSQL COPY */
	DW_OP_LOAD,       /* LOAD DATA, PostgreSQL LOAD */
	DW_OP_LOCK,
	DW_OP_USE,        /* MySQL USE db */
	DW_OP_COUNT
};

/* The audit spelling: "SELECT", "INSERT", ... "OTHER". */
const char *dw_sql_op_name(enum dw_sql_op op);

/* Statement classes of spec/config.md (`statements.deny`). A statement may
 * have several (CREATE USER is ddl-looking but only `grant`: see the spec's
 * list; SELECT ... INTO OUTFILE is `outfile`). */
enum {
	DW_CLASS_DDL = 1u << 0,
	DW_CLASS_GRANT = 1u << 1,
	DW_CLASS_ADMIN = 1u << 2,
	DW_CLASS_LOAD_DATA = 1u << 3,
	DW_CLASS_OUTFILE = 1u << 4,
};

/* Injection heuristics (`injection.detect`). */
enum {
	DW_INJ_TAUTOLOGY = 1u << 0,       /* OR 1=1, OR 'a'='a', OR x=x, OR TRUE ... */
	DW_INJ_COMMENT_SPLIT = 1u << 1,   /* a comment that cuts off the rest of a statement after a quote, or hides code */
	DW_INJ_STACKED = 1u << 2,         /* a statement stacked after one that ended inside an injected value */
	DW_INJ_UNION_CATALOG = 1u << 3,   /* UNION SELECT from a system catalog */
	DW_INJ_TIME_PROBE = 1u << 4,      /* sleep-like function in a condition or a UNION */
};

/* "a.b" with both parts folded (PostgreSQL: unquoted parts lower-cased,
 * quoted parts kept; MySQL: both lower-cased) and quotes removed. Offsets
 * index dw_sql_analysis.names; schema_len == 0 means unqualified. For a
 * three-part name (catalog.schema.name) the catalog is dropped. */
struct dw_sql_name {
	uint32_t schema_off, schema_len;
	uint32_t name_off, name_len;
};

/* A spelled identifier as it appeared (quotes removed, not folded), for the
 * `identifiers.pattern` and `max_length` rules. */
struct dw_sql_ident {
	uint32_t off, len;   /* into dw_sql_analysis.names */
	bool quoted;
};

struct dw_sql_stmt {
	uint32_t off, len;          /* span in the analysed text, without the terminating ';' */
	enum dw_sql_op op;
	uint32_t classes;           /* DW_CLASS_* */
	uint32_t injection;         /* DW_INJ_* */
	bool writes;                /* changes data: INSERT/UPDATE/DELETE/MERGE/REPLACE, COPY FROM, LOAD DATA,
	                               SELECT ... INTO, data-modifying CTEs */
	bool has_where;             /* UPDATE/DELETE: a WHERE clause at the statement's own level */
	uint32_t joins;             /* JOIN keywords plus extra comma-separated FROM items */
	uint32_t subquery_depth;    /* deepest nesting of SELECTs in parentheses (0 = none) */
	uint32_t unions;            /* UNION, INTERSECT, EXCEPT (MINUS) */
	uint32_t max_in_list;       /* largest number of items in one IN ( ... ) list */
	uint32_t first_object, n_objects;        /* tables/views read or written: dw_sql_analysis.objects */
	uint32_t first_function, n_functions;    /* functions called: dw_sql_analysis.functions */
	uint32_t first_ident, n_idents;          /* every identifier spelled: dw_sql_analysis.idents */
	uint64_t fingerprint;       /* same for statements differing only in literal values */
	uint32_t norm_off, norm_len; /* its normalized text in dw_sql_analysis.normalized
	                               (keep_normalized; cut at twice the statement's length) */
	/* PREPARE name AS|FROM body: where the body is. For PostgreSQL and for
	 * MySQL PREPARE ... FROM @var... see body_unknown. The body is a span of
	 * the analysed text (PostgreSQL) or of dw_sql_analysis.names (a MySQL
	 * string literal, unescaped). The caller analyses it as a statement of
	 * its own and judges that. */
	bool has_prepare_body;
	bool prepare_body_in_names; /* true: body_off indexes names; false: the analysed text */
	bool prepare_body_unknown;  /* MySQL PREPARE s FROM @var: the text is not visible here */
	uint32_t body_off, body_len;
};

enum dw_sql_status {
	DW_SQL_OK = 0,
	DW_SQL_UNPARSEABLE,   /* lexer error, unbalanced parentheses, nesting too deep ... */
	DW_SQL_NOMEM,
};

struct dw_sql_analysis {
	struct dw_sql_options opts;
	enum dw_sql_status status;
	const char *reason;         /* why unparseable: static text, no user bytes */
	uint32_t n_stmts;           /* statements with at least one token */
	bool literal_sensitive;     /* some verdict may depend on literal values (tautology candidates,
	                               IN-list sizes): do not cache decisions by fingerprint */
	uint64_t fingerprint;       /* of the whole message: combines the statements' */
	struct dw_sql_stmt *stmts;
	struct dw_sql_name *objects;
	struct dw_sql_name *functions;   /* schema_len == 0 unless qualified */
	struct dw_sql_ident *idents;
	char *names;                /* folded names and unescaped bodies; not NUL-terminated */
	uint32_t n_objects, n_functions, n_idents, names_len;
	/* capacities: private to the analyzer */
	uint32_t cap_stmts, cap_objects, cap_functions, cap_idents, cap_names;
	struct dw_sql_scratch *scratch;  /* private working memory, reused between calls */
	/* Set by the caller: keep each statement's normalized text (what the
	 * fingerprint hashes) so that audit records need no second pass. */
	bool keep_normalized;
	char *normalized;           /* not NUL-terminated */
	uint32_t normalized_len, cap_normalized;
};

void dw_sql_analysis_init(struct dw_sql_analysis *a);
void dw_sql_analysis_free(struct dw_sql_analysis *a);

/* Analyses LEN bytes of TEXT. Fills A (previous contents are discarded) and
 * returns its status. TEXT must stay valid while A's spans are used. */
enum dw_sql_status dw_sql_analyze(struct dw_sql_analysis *a, const char *text, size_t len,
	const struct dw_sql_options *opts);

/* Writes TEXT with every literal replaced by '?' (IN-lists and VALUES rows
 * of literals collapsed), comments removed, whitespace collapsed, keywords
 * upper-cased: the `statement` of audit records in `normalized` mode and the
 * text the fingerprint is computed from. Writes at most CAP-1 bytes plus a
 * NUL; returns the length the full result needs (like snprintf). */
size_t dw_sql_normalize(const char *text, size_t len, const struct dw_sql_options *opts,
	char *out, size_t cap);

/* The fingerprint of normalized text: dw_sql_stmt.fingerprint is this hash
 * of what dw_sql_normalize writes for the statement's span. */
uint64_t dw_sql_fingerprint_text(const char *normalized, size_t len);

/* A name as text: "schema.name" or "name" into OUT (NUL-terminated,
 * truncated to CAP). */
void dw_sql_name_format(const struct dw_sql_analysis *a, const struct dw_sql_name *n,
	char *out, size_t cap);

#endif
