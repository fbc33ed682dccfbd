/* What kind of work a statement is, for choosing its time limit: a cheap
 * look at its leading keywords, run on every statement whether or not a
 * policy analyses it (timeouts apply to every session). */
#ifndef DBWARD_POLICY_SQL_KIND_H
#define DBWARD_POLICY_SQL_KIND_H

#include <stddef.h>
#include <stdint.h>

#include "policy/sql_lexer.h"

enum dw_stmt_kind {
	DW_KIND_READ = 1u << 0,    /* SELECT, VALUES, SHOW, EXPLAIN, FETCH, WITH without DML */
	DW_KIND_WRITE = 1u << 1,   /* INSERT, UPDATE, DELETE, MERGE, REPLACE, COPY, LOAD, CALL,
	                              transaction control, WITH ... DML */
	DW_KIND_ADMIN = 1u << 2,   /* DDL, GRANT, SET, VACUUM, KILL and the rest */
	DW_KIND_UNKNOWN = 1u << 3, /* EXECUTE of an SQL-level prepared statement, unreadable text */
};

/* The kinds of the statements in TEXT (LEN bytes), OR-ed together: a
 * message may carry several statements. 0 for a text without statements. */
uint32_t dw_sql_kinds(const char *text, size_t len, enum dw_sql_dialect dialect);

#endif
