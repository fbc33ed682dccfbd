/* Statement kinds for time limits: leading keywords of both dialects,
 * WITH with and without data changes, several statements in one text. */
#include <string.h>

#include "policy/sql_kind.h"
#include "tap.h"

static void kinds(const char *sql, enum dw_sql_dialect d, uint32_t want)
{
	uint32_t got = dw_sql_kinds(sql, strlen(sql), d);
	check(got == want, "%s: kinds %#x (want %#x)", sql, got, want);
}

int main(void)
{
	const enum dw_sql_dialect pg = DW_SQL_POSTGRES, my = DW_SQL_MYSQL;
	kinds("SELECT 1", pg, DW_KIND_READ);
	kinds("  /* hint */ select pg_sleep(4)", pg, DW_KIND_READ);
	kinds("(SELECT 1) UNION (SELECT 2)", pg, DW_KIND_READ);
	kinds("SHOW max_connections", pg, DW_KIND_READ);
	kinds("INSERT INTO t VALUES (1)", pg, DW_KIND_WRITE);
	kinds("update t set a = 1", my, DW_KIND_WRITE);
	kinds("REPLACE INTO t VALUES (1)", my, DW_KIND_WRITE);
	kinds("BEGIN", pg, DW_KIND_WRITE);
	kinds("COMMIT", my, DW_KIND_WRITE);
	kinds("CREATE TABLE t (a int)", pg, DW_KIND_ADMIN);
	kinds("SET search_path = x", pg, DW_KIND_ADMIN);
	kinds("DO $$ BEGIN PERFORM 1; END $$", pg, DW_KIND_ADMIN);
	kinds("VACUUM", pg, DW_KIND_ADMIN);
	kinds("WITH a AS (SELECT 1) SELECT * FROM a", pg, DW_KIND_READ);
	kinds("WITH a AS (DELETE FROM t RETURNING *) SELECT * FROM a", pg, DW_KIND_WRITE);
	kinds("WITH a AS (SELECT 'delete') SELECT * FROM a", pg, DW_KIND_READ);
	kinds("SELECT 1; DELETE FROM t", pg, DW_KIND_READ | DW_KIND_WRITE);
	kinds("SELECT 'x;y'; SET a = 1;", my, DW_KIND_READ | DW_KIND_ADMIN);
	kinds("EXECUTE p(1)", pg, DW_KIND_UNKNOWN);
	kinds("frobnicate", pg, DW_KIND_UNKNOWN);
	kinds("ANALYZE t", pg, DW_KIND_ADMIN);
	kinds("\"quoted\"", pg, DW_KIND_UNKNOWN);
	kinds("SELECT 'unterminated", pg, DW_KIND_READ | DW_KIND_UNKNOWN);
	kinds("", pg, 0);
	kinds(" ; ; ", pg, 0);
	return tap_done();
}
