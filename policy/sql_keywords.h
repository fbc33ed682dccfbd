/* The words the SQL analyzer treats as keywords, per dialect.
 *
 * This is not the servers' full keyword lists: it holds the reserved words
 * (which can never be a bare table, column or alias name) and the
 * non-reserved words the analyzer needs to recognise statements and
 * clauses. A word missing here is simply an identifier, which is the safe
 * side: identifiers are checked against the identifier rules, keywords are
 * not. "Reserved" below means "never a bare name as far as the analyzer is
 * concerned", which follows the servers' lists closely but not exactly. */
#ifndef DBWARD_POLICY_SQL_KEYWORDS_H
#define DBWARD_POLICY_SQL_KEYWORDS_H

#include <stddef.h>
#include <stdint.h>

#include "policy/sql_lexer.h"

enum {
	DW_KWF_PG = 1u << 0,       /* a keyword in PostgreSQL */
	DW_KWF_MY = 1u << 1,       /* a keyword in MySQL/MariaDB */
	DW_KWF_RES_PG = 1u << 2,   /* reserved in PostgreSQL */
	DW_KWF_RES_MY = 1u << 3,   /* reserved in MySQL */
	DW_KWF_FUNC = 1u << 4,     /* followed by '(' it is a function call (LEFT, IF, COALESCE ...) */
};

/* Shorthands for the table below: keyword in both dialects / PostgreSQL /
 * MySQL, reserved in both / PostgreSQL / MySQL, function when called. */
#define DWK_B (DW_KWF_PG | DW_KWF_MY)
#define DWK_P DW_KWF_PG
#define DWK_M DW_KWF_MY
#define DWK_RB (DW_KWF_RES_PG | DW_KWF_RES_MY)
#define DWK_RP DW_KWF_RES_PG
#define DWK_RM DW_KWF_RES_MY
#define DWK_FN DW_KWF_FUNC

/* X(name, flags): the enum constant is DW_KW_<name>, the spelling is the
 * name itself. */
#define DW_KEYWORDS(X) \
	X(ABORT, DWK_P) \
	X(ADD, DWK_B | DWK_RM) \
	X(AGAINST, DWK_M) \
	X(ALGORITHM, DWK_M) \
	X(ALL, DWK_B | DWK_RB) \
	X(ALTER, DWK_B | DWK_RM) \
	X(ANALYSE, DWK_P | DWK_RP) \
	X(ANALYZE, DWK_B | DWK_RB) \
	X(AND, DWK_B | DWK_RB) \
	X(ANY, DWK_B | DWK_RP) \
	X(ARRAY, DWK_P | DWK_RP) \
	X(AS, DWK_B | DWK_RB) \
	X(ASC, DWK_B | DWK_RB) \
	X(ASYMMETRIC, DWK_P | DWK_RP) \
	X(AUTHORIZATION, DWK_B | DWK_RP) \
	X(BEGIN, DWK_B) \
	X(BETWEEN, DWK_B | DWK_RB) \
	X(BIGINT, DWK_B | DWK_RM) \
	X(BINARY, DWK_B | DWK_RB) \
	X(BINLOG, DWK_M) \
	X(BIT, DWK_B) \
	X(BLOB, DWK_M | DWK_RM) \
	X(BOOLEAN, DWK_B) \
	X(BOTH, DWK_B | DWK_RB) \
	X(BY, DWK_B | DWK_RB) \
	X(CALL, DWK_B | DWK_RM) \
	X(CASCADE, DWK_B | DWK_RM) \
	X(CASE, DWK_B | DWK_RB) \
	X(CAST, DWK_B | DWK_RP) \
	X(CHANGE, DWK_M | DWK_RM) \
	X(CHAR, DWK_B | DWK_RM | DWK_FN) \
	X(CHARACTER, DWK_B | DWK_RM) \
	X(CHECK, DWK_B | DWK_RB) \
	X(CHECKPOINT, DWK_P) \
	X(CHECKSUM, DWK_M) \
	X(CLOSE, DWK_B) \
	X(CLUSTER, DWK_P) \
	X(COALESCE, DWK_B | DWK_FN) \
	X(COLLATE, DWK_B | DWK_RB) \
	X(COLLATION, DWK_P | DWK_RP) \
	X(COLUMN, DWK_B | DWK_RB) \
	X(COLUMNS, DWK_M) \
	X(COMMENT, DWK_B) \
	X(COMMIT, DWK_B) \
	X(CONCURRENTLY, DWK_P | DWK_RP) \
	X(CONFLICT, DWK_P) \
	X(CONSTRAINT, DWK_B | DWK_RB) \
	X(CONVERT, DWK_M | DWK_RM) \
	X(COPY, DWK_P) \
	X(CREATE, DWK_B | DWK_RB) \
	X(CROSS, DWK_B | DWK_RB) \
	X(CURRENT_CATALOG, DWK_P | DWK_RP) \
	X(CURRENT_DATE, DWK_B | DWK_RB) \
	X(CURRENT_ROLE, DWK_P | DWK_RP) \
	X(CURRENT_SCHEMA, DWK_P | DWK_RP | DWK_FN) \
	X(CURRENT_TIME, DWK_B | DWK_RB) \
	X(CURRENT_TIMESTAMP, DWK_B | DWK_RB) \
	X(CURRENT_USER, DWK_B | DWK_RB | DWK_FN) \
	X(CURSOR, DWK_B | DWK_RM) \
	X(CUBE, DWK_B | DWK_RM) \
	X(DATA, DWK_B) \
	X(DATABASE, DWK_B | DWK_RM | DWK_FN) \
	X(DATABASES, DWK_M | DWK_RM) \
	X(DATE, DWK_B | DWK_FN) \
	X(DATETIME, DWK_M) \
	X(DEALLOCATE, DWK_B) \
	X(DEC, DWK_B | DWK_RM) \
	X(DECIMAL, DWK_B | DWK_RM) \
	X(DECLARE, DWK_B | DWK_RM) \
	X(DEFAULT, DWK_B | DWK_RB) \
	X(DEFERRABLE, DWK_P | DWK_RP) \
	X(DEFINER, DWK_M) \
	X(DELAYED, DWK_M | DWK_RM) \
	X(DELETE, DWK_B | DWK_RM) \
	X(DESC, DWK_B | DWK_RB) \
	X(DESCRIBE, DWK_M | DWK_RM) \
	X(DISCARD, DWK_P) \
	X(DISTINCT, DWK_B | DWK_RB) \
	X(DISTINCTROW, DWK_M | DWK_RM) \
	X(DIV, DWK_M | DWK_RM) \
	X(DO, DWK_B | DWK_RP) \
	X(DOUBLE, DWK_B | DWK_RM) \
	X(DROP, DWK_B | DWK_RM) \
	X(DUAL, DWK_M | DWK_RM) \
	X(DUMPFILE, DWK_M) \
	X(DUPLICATE, DWK_M) \
	X(ELSE, DWK_B | DWK_RB) \
	X(END, DWK_B | DWK_RP) \
	X(ENUM, DWK_M) \
	X(ESCAPE, DWK_B) \
	X(EXCEPT, DWK_B | DWK_RB) \
	X(EXECUTE, DWK_B) \
	X(EXISTS, DWK_B | DWK_RM) \
	X(EXPLAIN, DWK_B | DWK_RM) \
	X(EXTENSION, DWK_P) \
	X(EXTRACT, DWK_B | DWK_FN) \
	X(FALSE, DWK_B | DWK_RB) \
	X(FETCH, DWK_B | DWK_RB) \
	X(FIELDS, DWK_M) \
	X(FILTER, DWK_P) \
	X(FLOAT, DWK_B | DWK_RM) \
	X(FLUSH, DWK_M) \
	X(FOR, DWK_B | DWK_RB) \
	X(FORCE, DWK_M | DWK_RM) \
	X(FOREIGN, DWK_B | DWK_RB) \
	X(FORMAT, DWK_M) \
	X(FREEZE, DWK_P | DWK_RP) \
	X(FROM, DWK_B | DWK_RB) \
	X(FULL, DWK_B | DWK_RP) \
	X(FULLTEXT, DWK_M | DWK_RM) \
	X(FUNCTION, DWK_B | DWK_RM) \
	X(GLOBAL, DWK_B) \
	X(GRANT, DWK_B | DWK_RB) \
	X(GREATEST, DWK_B | DWK_FN) \
	X(GROUP, DWK_B | DWK_RB) \
	X(GROUPING, DWK_B | DWK_RM | DWK_FN) \
	X(HANDLER, DWK_M) \
	X(HAVING, DWK_B | DWK_RB) \
	X(HASH, DWK_B) \
	X(HIGH_PRIORITY, DWK_M | DWK_RM) \
	X(IF, DWK_B | DWK_RM | DWK_FN) \
	X(IGNORE, DWK_M | DWK_RM) \
	X(ILIKE, DWK_P | DWK_RP) \
	X(IN, DWK_B | DWK_RB) \
	X(INDEX, DWK_B | DWK_RM) \
	X(INDEXES, DWK_M) \
	X(INFILE, DWK_M | DWK_RM) \
	X(INNER, DWK_B | DWK_RB) \
	X(INOUT, DWK_B | DWK_RM) \
	X(INSERT, DWK_B | DWK_RM | DWK_FN) \
	X(INSTALL, DWK_M) \
	X(INT, DWK_B | DWK_RM) \
	X(INTEGER, DWK_B | DWK_RM) \
	X(INTERSECT, DWK_B | DWK_RB) \
	X(INTERVAL, DWK_B | DWK_RM) \
	X(INTO, DWK_B | DWK_RB) \
	X(IS, DWK_B | DWK_RB) \
	X(ISNULL, DWK_P | DWK_RP) \
	X(ISOLATION, DWK_B) \
	X(JOIN, DWK_B | DWK_RB) \
	X(JSON_TABLE, DWK_M | DWK_RM | DWK_FN) \
	X(KEY, DWK_B | DWK_RM) \
	X(KEYS, DWK_M | DWK_RM) \
	X(KILL, DWK_M | DWK_RM) \
	X(LATERAL, DWK_B | DWK_RB) \
	X(LEADING, DWK_B | DWK_RB) \
	X(LEFT, DWK_B | DWK_RB | DWK_FN) \
	X(LEVEL, DWK_B) \
	X(LIKE, DWK_B | DWK_RB) \
	X(LIMIT, DWK_B | DWK_RB) \
	X(LISTEN, DWK_P) \
	X(LIST, DWK_B) \
	X(LOAD, DWK_B | DWK_RM) \
	X(LOCAL, DWK_B) \
	X(LOCALTIME, DWK_B | DWK_RB) \
	X(LOCALTIMESTAMP, DWK_B | DWK_RB) \
	X(LOCK, DWK_B | DWK_RM) \
	X(LOW_PRIORITY, DWK_M | DWK_RM) \
	X(MASTER, DWK_M) \
	X(MATCH, DWK_M | DWK_RM | DWK_FN) \
	X(MATERIALIZED, DWK_P) \
	X(MEDIUMINT, DWK_M | DWK_RM) \
	X(MERGE, DWK_B) \
	X(MINUS, DWK_M) \
	X(MOD, DWK_M | DWK_RM | DWK_FN) \
	X(MODE, DWK_B) \
	X(MOVE, DWK_P) \
	X(NAMES, DWK_B) \
	X(NATURAL, DWK_B | DWK_RB) \
	X(NCHAR, DWK_B) \
	X(NO_WRITE_TO_BINLOG, DWK_M | DWK_RM) \
	X(NOT, DWK_B | DWK_RB) \
	X(NOTIFY, DWK_P) \
	X(NOTNULL, DWK_P | DWK_RP) \
	X(NOWAIT, DWK_B) \
	X(NULL, DWK_B | DWK_RB) \
	X(NULLIF, DWK_B | DWK_FN) \
	X(NUMERIC, DWK_B | DWK_RM) \
	X(OF, DWK_B | DWK_RM) \
	X(OFF, DWK_B) \
	X(OFFSET, DWK_B | DWK_RP) \
	X(ON, DWK_B | DWK_RB) \
	X(ONLY, DWK_B | DWK_RP) \
	X(OPERATOR, DWK_P) \
	X(OPTIMIZE, DWK_M | DWK_RM) \
	X(OPTION, DWK_B | DWK_RM) \
	X(OR, DWK_B | DWK_RB) \
	X(ORDER, DWK_B | DWK_RB) \
	X(OUTER, DWK_B | DWK_RB) \
	X(OUTFILE, DWK_M | DWK_RM) \
	X(OVER, DWK_B | DWK_RM) \
	X(OVERLAPS, DWK_P | DWK_RP) \
	X(OVERLAY, DWK_P | DWK_FN) \
	X(PARTITION, DWK_B | DWK_RM) \
	X(PASSWORD, DWK_B | DWK_FN) \
	X(PERSIST, DWK_M) \
	X(PERSIST_ONLY, DWK_M) \
	X(PLACING, DWK_P | DWK_RP) \
	X(PLUGIN, DWK_M) \
	X(POSITION, DWK_B | DWK_FN) \
	X(PRECISION, DWK_B | DWK_RM) \
	X(PREPARE, DWK_B) \
	X(PRIMARY, DWK_B | DWK_RB) \
	X(PRIVILEGES, DWK_B) \
	X(PROCEDURE, DWK_B | DWK_RM) \
	X(PROGRAM, DWK_P) \
	X(PURGE, DWK_M | DWK_RM) \
	X(QUICK, DWK_M) \
	X(RANGE, DWK_B | DWK_RM) \
	X(READ, DWK_B | DWK_RM) \
	X(REAL, DWK_B | DWK_RM) \
	X(RECURSIVE, DWK_B | DWK_RM) \
	X(REFERENCES, DWK_B | DWK_RB) \
	X(REFRESH, DWK_P) \
	X(REGEXP, DWK_M | DWK_RM) \
	X(REINDEX, DWK_P) \
	X(RELEASE, DWK_B | DWK_RM) \
	X(RENAME, DWK_B | DWK_RM) \
	X(REPAIR, DWK_M) \
	X(REPEAT, DWK_M | DWK_RM | DWK_FN) \
	X(REPLACE, DWK_B | DWK_RM | DWK_FN) \
	X(REPLICA, DWK_M) \
	X(REPLICATION, DWK_B) \
	X(RESET, DWK_B) \
	X(RESTRICT, DWK_B | DWK_RM) \
	X(RETURNING, DWK_P | DWK_RP) \
	X(REVOKE, DWK_B | DWK_RM) \
	X(RIGHT, DWK_B | DWK_RB | DWK_FN) \
	X(RLIKE, DWK_M | DWK_RM) \
	X(ROLE, DWK_B) \
	X(ROLLBACK, DWK_B) \
	X(ROLLUP, DWK_B) \
	X(ROW, DWK_B | DWK_RM) \
	X(ROWS, DWK_B | DWK_RM) \
	X(SAVEPOINT, DWK_B) \
	X(SCHEMA, DWK_B | DWK_RM | DWK_FN) \
	X(SCHEMAS, DWK_M | DWK_RM) \
	X(SELECT, DWK_B | DWK_RB) \
	X(SESSION, DWK_B) \
	X(SESSION_USER, DWK_B | DWK_RP | DWK_FN) \
	X(SET, DWK_B | DWK_RM) \
	X(SETS, DWK_P) \
	X(SHOW, DWK_B | DWK_RM) \
	X(SHUTDOWN, DWK_M) \
	X(SIMILAR, DWK_P | DWK_RP) \
	X(SLAVE, DWK_M) \
	X(SMALLINT, DWK_B | DWK_RM) \
	X(SOME, DWK_B | DWK_RP) \
	X(SONAME, DWK_M) \
	X(SQL_CALC_FOUND_ROWS, DWK_M | DWK_RM) \
	X(START, DWK_B) \
	X(STDIN, DWK_P) \
	X(STDOUT, DWK_P) \
	X(STOP, DWK_M) \
	X(STRAIGHT_JOIN, DWK_M | DWK_RM) \
	X(SUBSTRING, DWK_B | DWK_FN) \
	X(SYMMETRIC, DWK_P | DWK_RP) \
	X(SYSTEM, DWK_B | DWK_RM) \
	X(SYSTEM_USER, DWK_B | DWK_RP | DWK_FN) \
	X(TABLE, DWK_B | DWK_RB) \
	X(TABLES, DWK_B) \
	X(TABLESAMPLE, DWK_P | DWK_RP) \
	X(TEMP, DWK_B) \
	X(TEMPORARY, DWK_B) \
	X(THEN, DWK_B | DWK_RB) \
	X(TIME, DWK_B | DWK_FN) \
	X(TIMESTAMP, DWK_B | DWK_FN) \
	X(TINYINT, DWK_M | DWK_RM) \
	X(TO, DWK_B | DWK_RB) \
	X(TRAILING, DWK_B | DWK_RB) \
	X(TRANSACTION, DWK_B) \
	X(TRIGGER, DWK_B | DWK_RM) \
	X(TRIM, DWK_B | DWK_FN) \
	X(TRUE, DWK_B | DWK_RB) \
	X(TRUNCATE, DWK_B | DWK_FN) \
	X(UESCAPE, DWK_P) \
	X(UNION, DWK_B | DWK_RB) \
	X(UNIQUE, DWK_B | DWK_RB) \
	X(UNINSTALL, DWK_M) \
	X(UNLOCK, DWK_M | DWK_RM) \
	X(UNLOGGED, DWK_P) \
	X(UPDATE, DWK_B | DWK_RM) \
	X(USAGE, DWK_M | DWK_RM) \
	X(USE, DWK_M | DWK_RM) \
	X(USER, DWK_B | DWK_RP | DWK_FN) \
	X(USING, DWK_B | DWK_RB) \
	X(VACUUM, DWK_P) \
	X(VALUES, DWK_B | DWK_RB) \
	X(VARBINARY, DWK_M | DWK_RM) \
	X(VARCHAR, DWK_B | DWK_RM) \
	X(VARIADIC, DWK_P | DWK_RP) \
	X(VARYING, DWK_B | DWK_RM) \
	X(VERBOSE, DWK_P | DWK_RP) \
	X(VIEW, DWK_B) \
	X(WHEN, DWK_B | DWK_RB) \
	X(WHERE, DWK_B | DWK_RB) \
	X(WINDOW, DWK_B | DWK_RB) \
	X(WITH, DWK_B | DWK_RB) \
	X(WITHIN, DWK_P) \
	X(WORK, DWK_B) \
	X(WRITE, DWK_M | DWK_RM) \
	X(XML, DWK_M) \
	X(XOR, DWK_M | DWK_RM) \
	X(YEAR, DWK_M | DWK_FN) \
	X(ZEROFILL, DWK_M | DWK_RM)

enum dw_kw {
	DW_KW_NONE = 0,
#define DW_KW_ENUM(name, flags) DW_KW_##name,
	DW_KEYWORDS(DW_KW_ENUM)
#undef DW_KW_ENUM
	DW_KW_COUNT
};

/* The keyword spelled by the LEN bytes at P (ASCII case-insensitive) in
 * DIALECT, or DW_KW_NONE. */
enum dw_kw dw_kw_lookup(const char *p, size_t len, enum dw_sql_dialect dialect);

/* DW_KWF_* of KW (0 for DW_KW_NONE). */
uint32_t dw_kw_flags(enum dw_kw kw);

/* Upper-case spelling of KW ("" for DW_KW_NONE). */
const char *dw_kw_name(enum dw_kw kw);

/* True when KW is reserved in DIALECT: never a bare name. */
static inline int dw_kw_reserved(enum dw_kw kw, enum dw_sql_dialect dialect)
{
	return (dw_kw_flags(kw) & (dialect == DW_SQL_MYSQL ? DW_KWF_RES_MY : DW_KWF_RES_PG)) != 0;
}


#endif
