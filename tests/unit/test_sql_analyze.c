/* The SQL analyzer: statement boundaries, operations and classes of both
 * dialects, objects, functions, identifiers, complexity counters,
 * fingerprints and normalized text, PREPARE bodies, unparseable text, and
 * every injection heuristic both on the shape it catches and on the
 * ordinary application SQL it must leave alone.
 *
 * Fingerprints are checked two ways: a statement's fingerprint equals
 * dw_sql_fingerprint_text() of its normalized text, and the invariants hold
 * (equal across literal values, whitespace, comments and keyword case;
 * different across identifiers, operators and keywords). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sql_analyze.h"
#include "tap.h"

static struct dw_sql_analysis A;
static struct dw_sql_options PG, MY;

/* TEXT on one line for a test description (a few rotating buffers). */
static const char *esc(const char *text)
{
	static char bufs[4][600];
	static int next;
	char *b = bufs[next++ % 4];
	size_t n = 0;
	for (const char *p = text; *p && n + 3 < sizeof(bufs[0]); p++) {
		if (*p == '\n') {
			b[n++] = '\\';
			b[n++] = 'n';
		} else {
			b[n++] = *p;
		}
	}
	b[n] = 0;
	return b;
}

static const struct dw_sql_options *opt(enum dw_sql_dialect d)
{
	return d == DW_SQL_MYSQL ? &MY : &PG;
}

static const char *dname(enum dw_sql_dialect d)
{
	return d == DW_SQL_MYSQL ? "my" : "pg";
}

/* Analyses TEXT; the first statement, or NULL when there is none or the
 * text is unparseable. */
static const struct dw_sql_stmt *an(enum dw_sql_dialect d, const char *text)
{
	enum dw_sql_status s = dw_sql_analyze(&A, text, strlen(text), opt(d));
	if (s != DW_SQL_OK || A.n_stmts == 0)
		return NULL;
	return &A.stmts[0];
}

static char listbuf[1024];

static const char *objects_of(const struct dw_sql_stmt *st)
{
	size_t n = 0;
	listbuf[0] = 0;
	for (uint32_t k = 0; st && k < st->n_objects && n < sizeof(listbuf) - 1; k++) {
		char one[256];
		dw_sql_name_format(&A, &A.objects[st->first_object + k], one, sizeof(one));
		n += (size_t)snprintf(listbuf + n, sizeof(listbuf) - n, "%s%s", k ? "," : "", one);
	}
	return listbuf;
}

static const char *functions_of(const struct dw_sql_stmt *st)
{
	size_t n = 0;
	listbuf[0] = 0;
	for (uint32_t k = 0; st && k < st->n_functions && n < sizeof(listbuf) - 1; k++) {
		char one[256];
		dw_sql_name_format(&A, &A.functions[st->first_function + k], one, sizeof(one));
		n += (size_t)snprintf(listbuf + n, sizeof(listbuf) - n, "%s%s", k ? "," : "", one);
	}
	return listbuf;
}

static const char *idents_of(const struct dw_sql_stmt *st)
{
	size_t n = 0;
	listbuf[0] = 0;
	for (uint32_t k = 0; st && k < st->n_idents && n < sizeof(listbuf) - 1; k++) {
		const struct dw_sql_ident *id = &A.idents[st->first_ident + k];
		n += (size_t)snprintf(listbuf + n, sizeof(listbuf) - n, "%s%s%.*s", k ? "," : "",
			id->quoted ? "^" : "", (int)id->len, A.names + id->off);
	}
	return listbuf;
}

static void objects_are(enum dw_sql_dialect d, const char *text, const char *want)
{
	const struct dw_sql_stmt *st = an(d, text);
	const char *got = objects_of(st);
	check(st && strcmp(got, want) == 0, "%s objects of [%s]: [%s]%s%s", dname(d), text, got,
		strcmp(got, want) ? " want " : "", strcmp(got, want) ? want : "");
}

static void functions_are(enum dw_sql_dialect d, const char *text, const char *want)
{
	const struct dw_sql_stmt *st = an(d, text);
	const char *got = functions_of(st);
	check(st && strcmp(got, want) == 0, "%s functions of [%s]: [%s]%s%s", dname(d), text, got,
		strcmp(got, want) ? " want " : "", strcmp(got, want) ? want : "");
}

static void idents_are(enum dw_sql_dialect d, const char *text, const char *want)
{
	const struct dw_sql_stmt *st = an(d, text);
	const char *got = idents_of(st);
	check(st && strcmp(got, want) == 0, "%s idents of [%s]: [%s]%s%s", dname(d), text, got,
		strcmp(got, want) ? " want " : "", strcmp(got, want) ? want : "");
}

static void op_class(enum dw_sql_dialect d, const char *text, enum dw_sql_op op, uint32_t classes)
{
	const struct dw_sql_stmt *st = an(d, text);
	check(st && st->op == op && st->classes == classes, "%s [%s]: %s classes %#x (got %s %#x)", dname(d), text,
		dw_sql_op_name(op), classes, st ? dw_sql_op_name(st->op) : "-", st ? st->classes : 0);
}

static void both_op_class(const char *text, enum dw_sql_op op, uint32_t classes)
{
	op_class(DW_SQL_POSTGRES, text, op, classes);
	op_class(DW_SQL_MYSQL, text, op, classes);
}

static uint32_t inj(enum dw_sql_dialect d, const char *text)
{
	uint32_t bits = 0;
	if (dw_sql_analyze(&A, text, strlen(text), opt(d)) != DW_SQL_OK)
		return 0xffffffffu;
	for (uint32_t k = 0; k < A.n_stmts; k++)
		bits |= A.stmts[k].injection;
	return bits;
}

static void flags_inj(enum dw_sql_dialect d, const char *text, uint32_t bit)
{
	uint32_t got = inj(d, text);
	check(got != 0xffffffffu && (got & bit) == bit, "%s flags %#x: [%s] (got %#x)", dname(d), bit, esc(text), got);
}

static void clean(enum dw_sql_dialect d, const char *text)
{
	uint32_t got = inj(d, text);
	check(got == 0, "%s clean: [%s] (got %#x)", dname(d), esc(text), got);
}

static void both_clean(const char *text)
{
	clean(DW_SQL_POSTGRES, text);
	clean(DW_SQL_MYSQL, text);
}

static void both_flag(const char *text, uint32_t bit)
{
	flags_inj(DW_SQL_POSTGRES, text, bit);
	flags_inj(DW_SQL_MYSQL, text, bit);
}

static uint64_t fp(enum dw_sql_dialect d, const char *text)
{
	if (dw_sql_analyze(&A, text, strlen(text), opt(d)) != DW_SQL_OK)
		return 0;
	return A.fingerprint;
}

static void same_fp(enum dw_sql_dialect d, const char *x, const char *y)
{
	uint64_t a = fp(d, x), b = fp(d, y);
	check(a && a == b, "%s same fingerprint: [%s] [%s]", dname(d), esc(x), esc(y));
}

static void other_fp(enum dw_sql_dialect d, const char *x, const char *y)
{
	uint64_t a = fp(d, x), b = fp(d, y);
	check(a && b && a != b, "%s different fingerprints: [%s] [%s]", dname(d), esc(x), esc(y));
}

static void normalizes(enum dw_sql_dialect d, const char *text, const char *want)
{
	char out[512];
	size_t n = dw_sql_normalize(text, strlen(text), opt(d), out, sizeof(out));
	check(strcmp(out, want) == 0 && n == strlen(want), "%s normalize [%s] -> [%s]%s%s", dname(d), text, out,
		strcmp(out, want) ? " want " : "", strcmp(out, want) ? want : "");
}

static void test_statements(void)
{
	an(DW_SQL_POSTGRES, "SELECT 1;");
	check(A.n_stmts == 1, "\"SELECT 1;\" is one statement");
	an(DW_SQL_POSTGRES, "SELECT 1; SELECT 2");
	check(A.n_stmts == 2, "two statements");
	check(A.stmts[1].off == 10 && A.stmts[1].len == 8, "second span is \"SELECT 2\"");
	check(A.stmts[0].off == 0 && A.stmts[0].len == 8, "span excludes the ';'");
	an(DW_SQL_POSTGRES, ";; SELECT 1 ;;");
	check(A.n_stmts == 1, "empty statements are ignored");
	check(dw_sql_analyze(&A, "  -- only a comment\n /* x */ ", 29, &PG) == DW_SQL_OK && A.n_stmts == 0,
		"only comments: OK with no statement");
	check(dw_sql_analyze(&A, "", 0, &PG) == DW_SQL_OK && A.n_stmts == 0, "empty text: OK");
	an(DW_SQL_POSTGRES, "SELECT ';' FROM t; SELECT $$;$$");
	check(A.n_stmts == 2, "';' inside literals does not split");
	an(DW_SQL_MYSQL, "SELECT 1 /*!; DROP TABLE t */");
	check(A.n_stmts == 2 && A.stmts[1].op == DW_OP_DROP, "my: ';' inside an executable comment splits");
	an(DW_SQL_MYSQL, "SELECT 1 /* ; DROP TABLE t */");
	check(A.n_stmts == 1, "my: ';' inside a plain comment does not split");
	/* Stored programs: ';' inside BEGIN ... END does not end the statement. */
	an(DW_SQL_MYSQL, "CREATE DEFINER=`root`@`%` PROCEDURE p(IN x INT) BEGIN DECLARE y INT; "
		"IF x > 0 THEN SELECT CASE WHEN x THEN 1 END INTO y; END IF; UPDATE t SET a = y; END");
	check(A.n_stmts == 1 && A.stmts[0].op == DW_OP_CREATE && !strcmp(objects_of(&A.stmts[0]), "t"),
		"my: a procedure body is one statement (%u), its tables reported", A.n_stmts);
	an(DW_SQL_MYSQL, "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END; DROP TABLE u");
	check(A.n_stmts == 2 && A.stmts[1].op == DW_OP_DROP, "my: a statement after the block is its own");
	an(DW_SQL_MYSQL, "CREATE PROCEDURE p() BEGIN SELECT 1; GRANT ALL ON *.* TO x; END");
	check(A.n_stmts == 1 && (A.stmts[0].classes & DW_CLASS_GRANT), "my: classes of a body's statements count");
	an(DW_SQL_MYSQL, "CREATE PROCEDURE p() SELECT CASE WHEN a THEN begin END FROM t; GRANT ALL ON *.* TO x");
	check(A.n_stmts == 2, "my: a column named begin opens no block");
	an(DW_SQL_MYSQL, "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2");
	check(A.n_stmts == 2, "my: a block that never ends splits at every ';'");
	an(DW_SQL_POSTGRES, "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3");
	check(A.n_stmts == 2, "pg: BEGIN ATOMIC ... END is one statement");
	an(DW_SQL_POSTGRES, "BEGIN; SELECT 1; END");
	check(A.n_stmts == 3, "pg: BEGIN as a transaction start splits as usual");
}

static void test_ops_and_classes(void)
{
	both_op_class("SELECT 1", DW_OP_SELECT, 0);
	both_op_class("(SELECT 1) UNION (SELECT 2)", DW_OP_SELECT, 0);
	both_op_class("VALUES (1)", DW_OP_SELECT, 0);
	both_op_class("INSERT INTO t VALUES (1)", DW_OP_INSERT, 0);
	both_op_class("UPDATE t SET a = 1", DW_OP_UPDATE, 0);
	both_op_class("DELETE FROM t", DW_OP_DELETE, 0);
	both_op_class("WITH x AS (SELECT 1) DELETE FROM t WHERE a IN (SELECT * FROM x)", DW_OP_DELETE, 0);
	both_op_class("WITH x AS (SELECT 1) SELECT * FROM x", DW_OP_SELECT, 0);
	op_class(DW_SQL_MYSQL, "REPLACE INTO t VALUES (1)", DW_OP_REPLACE, 0);
	op_class(DW_SQL_POSTGRES, "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", DW_OP_MERGE, 0);
	both_op_class("CREATE TABLE t (a int)", DW_OP_CREATE, DW_CLASS_DDL);
	both_op_class("CREATE INDEX i ON t (a)", DW_OP_CREATE, DW_CLASS_DDL);
	both_op_class("CREATE VIEW v AS SELECT 1", DW_OP_CREATE, DW_CLASS_DDL);
	both_op_class("CREATE FUNCTION f() RETURNS int AS 'select 1'", DW_OP_CREATE, DW_CLASS_DDL);
	op_class(DW_SQL_MYSQL, "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET @x = 1", DW_OP_CREATE, DW_CLASS_DDL);
	op_class(DW_SQL_POSTGRES, "CREATE EXTENSION pgcrypto", DW_OP_CREATE, DW_CLASS_DDL);
	both_op_class("ALTER TABLE t ADD COLUMN b int", DW_OP_ALTER, DW_CLASS_DDL);
	both_op_class("DROP TABLE t", DW_OP_DROP, DW_CLASS_DDL);
	both_op_class("DROP INDEX i ON t", DW_OP_DROP, DW_CLASS_DDL);
	both_op_class("TRUNCATE TABLE t", DW_OP_TRUNCATE, DW_CLASS_DDL);
	op_class(DW_SQL_MYSQL, "RENAME TABLE a TO b", DW_OP_RENAME, DW_CLASS_DDL);
	op_class(DW_SQL_POSTGRES, "COMMENT ON TABLE t IS 'x'", DW_OP_OTHER, DW_CLASS_DDL);
	both_op_class("GRANT SELECT ON t TO bob", DW_OP_GRANT, DW_CLASS_GRANT);
	both_op_class("REVOKE SELECT ON t FROM bob", DW_OP_GRANT, DW_CLASS_GRANT);
	both_op_class("CREATE USER bob", DW_OP_CREATE, DW_CLASS_GRANT);
	both_op_class("CREATE ROLE r", DW_OP_CREATE, DW_CLASS_GRANT);
	both_op_class("ALTER USER bob WITH PASSWORD 'x'", DW_OP_ALTER, DW_CLASS_GRANT);
	both_op_class("DROP USER bob", DW_OP_DROP, DW_CLASS_GRANT);
	op_class(DW_SQL_MYSQL, "RENAME USER a TO b", DW_OP_RENAME, DW_CLASS_GRANT);
	op_class(DW_SQL_MYSQL, "SET PASSWORD = 'x'", DW_OP_SET, DW_CLASS_GRANT);
	op_class(DW_SQL_POSTGRES, "DO $$ BEGIN NULL; END $$", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "ALTER SYSTEM SET work_mem = '1GB'", DW_OP_ALTER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "SET ROLE admin", DW_OP_SET, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "SET SESSION AUTHORIZATION bob", DW_OP_SET, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "KILL 42", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "SHUTDOWN", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "FLUSH PRIVILEGES", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "RESET MASTER", DW_OP_SET, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "PURGE BINARY LOGS TO 'b.01'", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "INSTALL PLUGIN p SONAME 'p.so'", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "UNINSTALL PLUGIN p", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "CHANGE MASTER TO MASTER_HOST = 'h'", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "START SLAVE", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "STOP REPLICA", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "LOCK TABLES t READ", DW_OP_LOCK, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "UNLOCK TABLES", DW_OP_LOCK, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "LOCK t IN SHARE MODE", DW_OP_LOCK, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "VACUUM FULL t", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "ANALYZE t", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "ANALYZE TABLE t", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "CLUSTER t USING i", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "REINDEX TABLE t", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "LOAD 'auto_explain'", DW_OP_LOAD, DW_CLASS_ADMIN);
	op_class(DW_SQL_POSTGRES, "CHECKPOINT", DW_OP_OTHER, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "SET GLOBAL max_connections = 10", DW_OP_SET, DW_CLASS_ADMIN);
	op_class(DW_SQL_MYSQL, "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t", DW_OP_LOAD, DW_CLASS_LOAD_DATA);
	op_class(DW_SQL_MYSQL, "LOAD XML INFILE 'x.xml' INTO TABLE t", DW_OP_LOAD, DW_CLASS_LOAD_DATA);
	op_class(DW_SQL_POSTGRES, "COPY t FROM '/tmp/x.csv'", DW_OP_COPY, DW_CLASS_LOAD_DATA);
	op_class(DW_SQL_POSTGRES, "COPY t FROM PROGRAM 'curl evil'", DW_OP_COPY, DW_CLASS_LOAD_DATA);
	op_class(DW_SQL_MYSQL, "SELECT * FROM t INTO OUTFILE '/tmp/x'", DW_OP_SELECT, DW_CLASS_OUTFILE);
	op_class(DW_SQL_MYSQL, "SELECT a INTO DUMPFILE '/tmp/x' FROM t", DW_OP_SELECT, DW_CLASS_OUTFILE);
	op_class(DW_SQL_POSTGRES, "COPY t TO '/tmp/x'", DW_OP_COPY, DW_CLASS_OUTFILE);
	op_class(DW_SQL_POSTGRES, "COPY (SELECT 1) TO PROGRAM 'sh'", DW_OP_COPY, DW_CLASS_OUTFILE);
	op_class(DW_SQL_POSTGRES, "COPY t FROM STDIN", DW_OP_COPY, 0);
	check(A.stmts[0].writes, "COPY FROM STDIN writes");
	op_class(DW_SQL_POSTGRES, "COPY t TO STDOUT", DW_OP_COPY, 0);
	check(!A.stmts[0].writes, "COPY TO STDOUT does not write");
	op_class(DW_SQL_MYSQL, "SELECT a INTO @x FROM t", DW_OP_SELECT, 0);
	both_op_class("BEGIN", DW_OP_BEGIN, 0);
	both_op_class("START TRANSACTION", DW_OP_BEGIN, 0);
	both_op_class("COMMIT", DW_OP_COMMIT, 0);
	op_class(DW_SQL_POSTGRES, "END", DW_OP_COMMIT, 0);
	both_op_class("ROLLBACK TO SAVEPOINT s", DW_OP_ROLLBACK, 0);
	both_op_class("SAVEPOINT s", DW_OP_SAVEPOINT, 0);
	both_op_class("RELEASE SAVEPOINT s", DW_OP_COMMIT, 0);
	both_op_class("SET x = 1", DW_OP_SET, 0);
	op_class(DW_SQL_MYSQL, "SET NAMES utf8mb4", DW_OP_SET, 0);
	op_class(DW_SQL_POSTGRES, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", DW_OP_SET, 0);
	both_op_class("CALL p(1)", DW_OP_CALL, 0);
	op_class(DW_SQL_MYSQL, "USE db", DW_OP_USE, 0);
	op_class(DW_SQL_MYSQL, "SHOW TABLES", DW_OP_SELECT, 0);
	op_class(DW_SQL_MYSQL, "DESCRIBE t", DW_OP_SELECT, 0);
	op_class(DW_SQL_POSTGRES, "EXECUTE p(1)", DW_OP_EXECUTE, 0);
	op_class(DW_SQL_POSTGRES, "DEALLOCATE p", DW_OP_DEALLOCATE, 0);
	/* EXPLAIN ANALYZE runs the statement; EXPLAIN alone does not. */
	op_class(DW_SQL_POSTGRES, "EXPLAIN ANALYZE DELETE FROM t", DW_OP_DELETE, 0);
	check(A.stmts[0].writes, "EXPLAIN ANALYZE DELETE writes");
	op_class(DW_SQL_POSTGRES, "EXPLAIN (ANALYZE, BUFFERS) INSERT INTO t VALUES (1)", DW_OP_INSERT, 0);
	op_class(DW_SQL_POSTGRES, "EXPLAIN (ANALYZE false) DELETE FROM t", DW_OP_SELECT, 0);
	op_class(DW_SQL_POSTGRES, "EXPLAIN DELETE FROM t", DW_OP_SELECT, 0);
	check(!A.stmts[0].writes && !strcmp(objects_of(&A.stmts[0]), "t"), "EXPLAIN DELETE: no write, objects kept");
	op_class(DW_SQL_MYSQL, "EXPLAIN SELECT * FROM t INTO OUTFILE '/tmp/x'", DW_OP_SELECT, 0);
	op_class(DW_SQL_MYSQL, "ANALYZE DELETE FROM t", DW_OP_DELETE, DW_CLASS_ADMIN);
	check(!strcmp(dw_sql_op_name(DW_OP_TRUNCATE), "TRUNCATE") && !strcmp(dw_sql_op_name(DW_OP_COUNT), "OTHER"),
		"op names");
}

static void test_writes(void)
{
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d");
	check(st && st->op == DW_OP_SELECT && st->writes, "data-modifying CTE writes");
	st = an(DW_SQL_POSTGRES, "SELECT * INTO newt FROM t");
	check(st && st->writes && (st->classes & DW_CLASS_DDL) && !strcmp(objects_of(st), "newt,t"),
		"pg SELECT INTO creates a table");
	st = an(DW_SQL_POSTGRES, "SELECT 1");
	check(st && !st->writes, "SELECT does not write");
	st = an(DW_SQL_MYSQL, "LOAD DATA INFILE 'x' INTO TABLE t");
	check(st && st->writes, "LOAD DATA writes");
}

static void test_has_where(void)
{
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES, "UPDATE t SET a = 1 WHERE id = 2");
	check(st && st->has_where, "UPDATE ... WHERE");
	st = an(DW_SQL_POSTGRES, "UPDATE t SET a = (SELECT b FROM u WHERE u.id = 1)");
	check(st && !st->has_where, "WHERE of a subquery is not the UPDATE's");
	st = an(DW_SQL_MYSQL, "DELETE FROM t");
	check(st && !st->has_where, "DELETE without WHERE");
	st = an(DW_SQL_POSTGRES, "DELETE FROM t WHERE CURRENT OF c");
	check(st && st->has_where, "WHERE CURRENT OF counts");
	st = an(DW_SQL_POSTGRES, "WITH x AS (SELECT id FROM u WHERE a = 1) DELETE FROM t USING x");
	check(st && !st->has_where, "WHERE inside a CTE is not the DELETE's");
}

static void test_objects(void)
{
	objects_are(DW_SQL_POSTGRES, "SELECT abalance FROM pgbench_accounts WHERE aid = 1", "pgbench_accounts");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM a, b AS x, c y WHERE a.id = x.id", "a,b,c");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM a JOIN b ON a.i = b.i LEFT OUTER JOIN c USING (i)", "a,b,c");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM Users u, \"Users\" q, public.Orders", "users,Users,public.orders");
	objects_are(DW_SQL_MYSQL, "SELECT * FROM Users u JOIN `Db`.`Orders` o ON 1", "users,db.orders");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM cat.sch.tab", "sch.tab");
	objects_are(DW_SQL_MYSQL, "SELECT * FROM \"users\" JOIN \"db\".\"t\" ON 1", "users,db.t");
	objects_are(DW_SQL_POSTGRES, "WITH x AS (SELECT * FROM real_t) SELECT * FROM x JOIN y ON x.a = y.a", "real_t,y");
	objects_are(DW_SQL_POSTGRES, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r", "");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM (SELECT * FROM inner_t) sub JOIN t2 ON true", "inner_t,t2");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM generate_series(1, 3) g(n)", "");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.a = t.a) l", "t,u");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM ONLY parent", "parent");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE EXISTS (SELECT 1 FROM v))", "t,u,v");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM t t1 JOIN t t2 ON t1.p = t2.id", "t");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM (a JOIN b ON a.x = b.x) JOIN c ON true", "a,b,c");
	objects_are(DW_SQL_POSTGRES, "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, -4, CURRENT_TIMESTAMP)",
		"pgbench_history");
	objects_are(DW_SQL_MYSQL, "INSERT IGNORE INTO t (a) SELECT b FROM u", "t,u");
	objects_are(DW_SQL_MYSQL, "INSERT t SET a = 1", "t");
	objects_are(DW_SQL_MYSQL, "UPDATE t1 JOIN t2 ON t1.i = t2.i SET t1.a = t2.b", "t1,t2");
	objects_are(DW_SQL_MYSQL, "UPDATE t1, t2 SET t1.a = t2.a", "t1,t2");
	objects_are(DW_SQL_MYSQL, "DELETE t1 FROM t1 JOIN t2 ON t1.i = t2.i", "t1,t2");
	objects_are(DW_SQL_POSTGRES, "DELETE FROM t USING u WHERE t.i = u.i", "t,u");
	objects_are(DW_SQL_POSTGRES, "UPDATE t SET a = u.b FROM u WHERE t.i = u.i", "t,u");
	objects_are(DW_SQL_POSTGRES, "MERGE INTO t USING s ON t.i = s.i WHEN MATCHED THEN DO NOTHING", "t,s");
	objects_are(DW_SQL_POSTGRES, "TABLE t", "t");
	objects_are(DW_SQL_POSTGRES, "TRUNCATE a, b", "a,b");
	objects_are(DW_SQL_MYSQL, "TRUNCATE TABLE a", "a");
	objects_are(DW_SQL_POSTGRES, "COPY s.t (a, b) FROM STDIN", "s.t");
	objects_are(DW_SQL_MYSQL, "LOCK TABLES a READ, b AS x WRITE", "a,b");
	objects_are(DW_SQL_POSTGRES, "LOCK TABLE a, b IN EXCLUSIVE MODE", "a,b");
	objects_are(DW_SQL_MYSQL, "DESCRIBE db.t", "db.t");
	objects_are(DW_SQL_MYSQL, "EXPLAIN t", "t");
	objects_are(DW_SQL_MYSQL, "SHOW COLUMNS FROM t FROM db", "db.t");
	objects_are(DW_SQL_MYSQL, "SHOW INDEX IN db.t", "db.t");
	objects_are(DW_SQL_MYSQL, "SHOW TABLES FROM mysql", "");
	objects_are(DW_SQL_POSTGRES, "CREATE TABLE t (a int REFERENCES other(id))", "t,other");
	objects_are(DW_SQL_POSTGRES, "CREATE INDEX CONCURRENTLY i ON ONLY t USING btree (lower(a))", "t");
	objects_are(DW_SQL_MYSQL, "DROP INDEX i ON t", "t");
	objects_are(DW_SQL_POSTGRES, "DROP TABLE IF EXISTS a, s.b", "a,s.b");
	objects_are(DW_SQL_POSTGRES, "ALTER TABLE IF EXISTS ONLY t ADD COLUMN c text", "t");
	objects_are(DW_SQL_POSTGRES, "CREATE VIEW v AS SELECT * FROM t", "v,t");
	objects_are(DW_SQL_MYSQL, "CREATE TABLE t LIKE s", "t,s");
	objects_are(DW_SQL_POSTGRES, "GRANT SELECT ON TABLE t1, s.t2 TO bob", "t1,s.t2");
	objects_are(DW_SQL_MYSQL, "GRANT SELECT ON mysql.user TO 'u'@'%'", "mysql.user");
	objects_are(DW_SQL_MYSQL, "GRANT ALL ON db.* TO u", "db.*");
	objects_are(DW_SQL_POSTGRES, "GRANT USAGE ON SCHEMA s TO bob", "");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM t WHERE x IS DISTINCT FROM y AND extract(year FROM d) = 1", "t");
	objects_are(DW_SQL_MYSQL, "SELECT 1 FROM dual", "");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
		"pg_catalog.pg_class,pg_namespace");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM U&\"d\\0061ta\"", "data");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM U&\"d!0061ta\" UESCAPE '!'", "data");
	objects_are(DW_SQL_POSTGRES,
		"SELECT * FROM aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggggxyz",
		"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggg");
	objects_are(DW_SQL_POSTGRES, "SELECT * FROM t x(a, b)", "t");
}

static void test_functions(void)
{
	functions_are(DW_SQL_POSTGRES, "SELECT count(*), SUM(k), pg_catalog.pg_sleep(1) FROM t", "count,sum,pg_catalog.pg_sleep");
	functions_are(DW_SQL_POSTGRES, "SELECT \"PG_SLEEP\"(1)", "pg_sleep");
	functions_are(DW_SQL_MYSQL, "SELECT `sleep`(1), SLEEP (2), sleep/**/(3)", "sleep,sleep,sleep");
	functions_are(DW_SQL_MYSQL, "SELECT IF(a, LEFT(b, 1), REPLACE(c, 'x', 'y')) FROM t", "if,left,replace");
	functions_are(DW_SQL_POSTGRES, "SELECT CAST(a AS varchar(10)), b::numeric(10, 2) FROM t", "");
	functions_are(DW_SQL_POSTGRES, "CREATE TABLE t (a varchar(10), b numeric(10,2), c decimal(3), d char(2))", "");
	functions_are(DW_SQL_POSTGRES, "INSERT INTO t (a, b) VALUES (1, 2)", "");
	functions_are(DW_SQL_POSTGRES, "INSERT INTO t(a) VALUES (now())", "now");
	functions_are(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a IN (1) AND EXISTS (SELECT 1) AND b = ANY (ARRAY[1])", "");
	functions_are(DW_SQL_POSTGRES, "SELECT row_number() OVER (PARTITION BY a), count(*) FILTER (WHERE b) FROM t", "row_number,count");
	functions_are(DW_SQL_POSTGRES, "WITH x (a) AS (SELECT 1) SELECT * FROM x", "");
	functions_are(DW_SQL_POSTGRES, "SELECT * FROM generate_series(1, 2) AS g(n)", "generate_series");
	functions_are(DW_SQL_MYSQL, "CREATE TABLE t (id INT, c CHAR(10), KEY k (c), ts TIMESTAMP(6) DEFAULT now())", "now");
	functions_are(DW_SQL_MYSQL, "SELECT CHAR(65), DATE(d), USER(), DATABASE()", "char,date,user,database");
	functions_are(DW_SQL_POSTGRES, "SELECT dbms_lock.sleep(5)", "dbms_lock.sleep");
	functions_are(DW_SQL_POSTGRES, "CALL proc(1)", "proc");
	functions_are(DW_SQL_POSTGRES, "PREPARE p (int) AS SELECT $1", "");
	functions_are(DW_SQL_POSTGRES, "SELECT 'sleep(5)', \"col\" FROM t -- pg_sleep(1)", "");
}

static void test_idents(void)
{
	idents_are(DW_SQL_POSTGRES, "SELECT a, \"B c\" FROM s.t AS x WHERE x.d = $1", "a,^B c,s,t,x,x,d");
	idents_are(DW_SQL_POSTGRES, "SELECT count(*) FROM t", "t");
	idents_are(DW_SQL_MYSQL, "SELECT `My``Col` FROM t WHERE @v = 1", "^My`Col,t");
	idents_are(DW_SQL_POSTGRES, "SELECT \"a\"\"b\" FROM t", "^a\"b,t");
	idents_are(DW_SQL_POSTGRES, "SELECT Name FROM Users", "Name,Users");
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES, "SELECT a FROM t WHERE b AND c OR NOT d ORDER BY e LIMIT 1");
	bool no_kw = true;
	for (uint32_t k = 0; st && k < st->n_idents; k++) {
		const struct dw_sql_ident *id = &A.idents[st->first_ident + k];
		if (id->len > 2)
			no_kw = false;
	}
	check(st && st->n_idents == 6 && no_kw, "keywords are never identifiers (%s)", idents_of(st));
}

static void test_complexity(void)
{
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES,
		"SELECT * FROM a JOIN b ON 1=1 LEFT JOIN c ON 1=1, d, e CROSS JOIN f");
	check(st && st->joins == 5, "joins: 3 JOIN keywords + 2 commas (%u)", st ? st->joins : 0);
	st = an(DW_SQL_MYSQL, "SELECT * FROM a STRAIGHT_JOIN b ON 1 NATURAL JOIN c");
	check(st && st->joins == 2, "my joins with STRAIGHT_JOIN (%u)", st ? st->joins : 0);
	st = an(DW_SQL_POSTGRES, "SELECT (SELECT 1)");
	check(st && st->subquery_depth == 1, "SELECT (SELECT 1) has depth 1");
	st = an(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a IN (SELECT b FROM u WHERE c IN (SELECT d FROM (SELECT 1) x))");
	check(st && st->subquery_depth == 3, "depth 3 (%u)", st ? st->subquery_depth : 0);
	st = an(DW_SQL_POSTGRES, "(SELECT 1) UNION (SELECT 2)");
	check(st && st->subquery_depth == 0 && st->unions == 1, "parenthesised UNION operands are not subqueries");
	st = an(DW_SQL_POSTGRES, "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3 INTERSECT SELECT 4 EXCEPT SELECT 5");
	check(st && st->unions == 4, "unions count every set operator (%u)", st ? st->unions : 0);
	st = an(DW_SQL_MYSQL, "SELECT 1 MINUS SELECT 2");
	check(st && st->unions == 1, "MINUS is a set operator");
	st = an(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a IN (1, 2, 3) AND b NOT IN (4, 5, 6, 7, 8) AND c IN (SELECT 1)");
	check(st && st->max_in_list == 5, "max IN list 5 (%u)", st ? st->max_in_list : 0);
	st = an(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a IN (f(1, 2), 3)");
	check(st && st->max_in_list == 2, "IN list items with calls (%u)", st ? st->max_in_list : 0);
	st = an(DW_SQL_POSTGRES, "WITH x AS (SELECT 1) SELECT * FROM x");
	check(st && st->subquery_depth == 0, "a CTE body is not a nested subquery");
}

static void test_fingerprints(void)
{
	same_fp(DW_SQL_POSTGRES, "SELECT abalance FROM pgbench_accounts WHERE aid = 1",
		"select  abalance\n from pgbench_accounts /* c */ where aid=98765 -- x");
	same_fp(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a = 'x' AND b = 1.5", "SELECT * FROM t WHERE a = E'y' AND b = -2e3");
	same_fp(DW_SQL_POSTGRES, "UPDATE t SET a = a + -3 WHERE id = 7", "UPDATE t SET a = a + 5 WHERE id = 1");
	same_fp(DW_SQL_POSTGRES, "SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN ($1)");
	same_fp(DW_SQL_MYSQL, "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", "INSERT INTO t (a, b) VALUES (?, ?)");
	same_fp(DW_SQL_MYSQL, "SELECT c FROM sbtest1 WHERE id=?", "SELECT c FROM sbtest1 WHERE id=42");
	same_fp(DW_SQL_POSTGRES, "SELECT $tag$x$tag$", "SELECT 'y'");
	same_fp(DW_SQL_POSTGRES, "SELECT a FROM t WHERE b = -1", "SELECT a FROM t WHERE b=1");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM t", "SELECT b FROM t");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x > 1");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM t WHERE x = 1", "SELECT a FROM t WHERE x = 1 OR 1 = 1");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM t", "SELECT DISTINCT a FROM t");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM t", "SELECT a FROM \"T\"");
	other_fp(DW_SQL_POSTGRES, "SELECT a FROM Orders", "SELECT a FROM orders");
	other_fp(DW_SQL_MYSQL, "SELECT * FROM \"a\".t", "SELECT * FROM \"b\".t");
	other_fp(DW_SQL_POSTGRES, "SELECT a - 1 FROM t", "SELECT a + 1 FROM t");
	other_fp(DW_SQL_POSTGRES, "SELECT 1", "SELECT 1; SELECT 1");
	/* The fingerprint is the hash of the normalized text. */
	const char *q = "SELECT abalance FROM pgbench_accounts WHERE aid = 17";
	char out[256];
	size_t n = dw_sql_normalize(q, strlen(q), &PG, out, sizeof(out));
	check(fp(DW_SQL_POSTGRES, q) == dw_sql_fingerprint_text(out, n), "fingerprint = hash of the normalized text");
	q = "INSERT INTO t VALUES (1, 'a'), (2, 'b'); UPDATE t SET x = 'y' WHERE id IN (1,2)";
	an(DW_SQL_MYSQL, q);
	bool all = A.n_stmts == 2;
	for (uint32_t k = 0; all && k < A.n_stmts; k++) {
		n = dw_sql_normalize(q + A.stmts[k].off, A.stmts[k].len, &MY, out, sizeof(out));
		all = A.stmts[k].fingerprint == dw_sql_fingerprint_text(out, n);
	}
	check(all, "every statement's fingerprint = hash of its normalized span");
	/* Kept normalized text is what dw_sql_normalize writes for the span. */
	A.keep_normalized = true;
	an(DW_SQL_MYSQL, q);
	all = A.n_stmts == 2;
	for (uint32_t k = 0; all && k < A.n_stmts; k++) {
		n = dw_sql_normalize(q + A.stmts[k].off, A.stmts[k].len, &MY, out, sizeof(out));
		all = A.stmts[k].norm_len == n &&
			memcmp(A.normalized + A.stmts[k].norm_off, out, n) == 0;
	}
	check(all, "kept normalized text = dw_sql_normalize of each statement");
	A.keep_normalized = false;
	an(DW_SQL_POSTGRES, "SELECT 1");
	check(A.fingerprint == A.stmts[0].fingerprint, "one statement: message fingerprint = statement fingerprint");
}

static void test_normalize(void)
{
	normalizes(DW_SQL_POSTGRES, "select abalance from pgbench_accounts where aid = 1",
		"SELECT abalance FROM pgbench_accounts WHERE aid = ?");
	normalizes(DW_SQL_POSTGRES, "UPDATE pgbench_accounts SET abalance = abalance + -3 WHERE aid = 7",
		"UPDATE pgbench_accounts SET abalance = abalance + ? WHERE aid = ?");
	normalizes(DW_SQL_MYSQL, "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?",
		"SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?");
	normalizes(DW_SQL_MYSQL, "INSERT INTO t (a,b) VALUES (1,'x'),(2,'y')", "INSERT INTO t(a, b) VALUES (?, ?)");
	normalizes(DW_SQL_POSTGRES, "SELECT * FROM t WHERE id IN (1, -2, 3) /* c */ -- d", "SELECT * FROM t WHERE id IN (?)");
	normalizes(DW_SQL_POSTGRES, "SELECT x::int, a[1] FROM s.t", "SELECT x::INT, a[?] FROM s.t");
	normalizes(DW_SQL_POSTGRES, "SELECT 1; ; select 'a'", "SELECT ?; SELECT ?");
	normalizes(DW_SQL_POSTGRES, "SELECT \"Mixed\" FROM \"T\"", "SELECT \"Mixed\" FROM \"T\"");
	normalizes(DW_SQL_MYSQL, "SELECT `a` FROM \"db\".t WHERE b = \"secret\"", "SELECT `a` FROM \"db\".t WHERE b = ?");
	normalizes(DW_SQL_POSTGRES, "SELECT 'unterminated", "SELECT");
	char small[8];
	const char *q = "SELECT abalance FROM t";
	size_t n = dw_sql_normalize(q, strlen(q), &PG, small, sizeof(small));
	check(n == strlen("SELECT abalance FROM t") && strcmp(small, "SELECT ") == 0, "normalize truncates like snprintf");
	check(dw_sql_normalize(q, strlen(q), &PG, NULL, 0) == n, "normalize with no buffer gives the length");
}

static void test_literal_sensitive(void)
{
	an(DW_SQL_POSTGRES, "SELECT a FROM t WHERE id = $1");
	check(!A.literal_sensitive, "plain statement: not literal-sensitive");
	an(DW_SQL_POSTGRES, "SELECT a FROM t WHERE 1=1 AND id = $1");
	check(A.literal_sensitive, "literal = literal: literal-sensitive");
	an(DW_SQL_POSTGRES, "SELECT a FROM t WHERE id IN (1, 2)");
	check(A.literal_sensitive, "IN list: literal-sensitive");
	an(DW_SQL_POSTGRES, "SELECT a FROM t WHERE id = 1 OR 0");
	check(A.literal_sensitive, "bare literal after OR: literal-sensitive");
	an(DW_SQL_MYSQL, "SELECT a FROM t WHERE n = 'x'# '");
	check(A.literal_sensitive, "comment split candidate: literal-sensitive");
	an(DW_SQL_POSTGRES, "SELECT 1; SELECT 2");
	check(A.literal_sensitive, "several statements: literal-sensitive");
}

static void test_unparseable(void)
{
	struct {
		enum dw_sql_dialect d;
		const char *text;
	} bad[] = {
		{DW_SQL_POSTGRES, "SELECT 'x"},
		{DW_SQL_POSTGRES, "SELECT (1"},
		{DW_SQL_POSTGRES, "SELECT 1)"},
		{DW_SQL_POSTGRES, "SELECT a[1)"},
		{DW_SQL_POSTGRES, "SELECT (1; DROP TABLE t)"},
		{DW_SQL_POSTGRES, "SELECT /* open"},
		{DW_SQL_MYSQL, "SELECT `x"},
		{DW_SQL_MYSQL, "PREPARE s FROM x"},
		{DW_SQL_MYSQL, "PREPARE s FROM X'53454C454354'"},
		{DW_SQL_MYSQL, "PREPARE s"},
		{DW_SQL_POSTGRES, "SELECT * FROM U&\"\\zzzz\""},
		{DW_SQL_MYSQL, "SELECT 1 /*! SELECT /* x */ 2 */"},
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		enum dw_sql_status s = dw_sql_analyze(&A, bad[k].text, strlen(bad[k].text), opt(bad[k].d));
		check(s == DW_SQL_UNPARSEABLE && A.status == s && A.reason && A.n_stmts == 0, "%s unparseable: [%s] (%s)",
			dname(bad[k].d), bad[k].text, A.reason ? A.reason : "-");
	}
	char deep[200];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "SELECT ");
	for (int k = 0; k < 65; k++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (int k = 0; k < 65; k++)
		deep[n++] = ')';
	deep[n] = 0;
	check(dw_sql_analyze(&A, deep, n, &PG) == DW_SQL_UNPARSEABLE, "nesting deeper than 64 is unparseable");
	deep[7] = ' ';
	deep[n - 1] = ' ';
	check(dw_sql_analyze(&A, deep, n, &PG) == DW_SQL_OK, "nesting of 64 is fine");
}

static void test_prepare(void)
{
	const char *q = "PREPARE p (int, text) AS SELECT * FROM t WHERE id = $1";
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES, q);
	check(st && st->op == DW_OP_PREPARE && st->has_prepare_body && !st->prepare_body_in_names &&
		st->body_len == strlen("SELECT * FROM t WHERE id = $1") &&
		memcmp(q + st->body_off, "SELECT", 6) == 0, "pg PREPARE ... AS body span");
	st = an(DW_SQL_MYSQL, "PREPARE s FROM 'SELECT * FROM t WHERE a = \\'x\\''");
	check(st && st->op == DW_OP_PREPARE && st->has_prepare_body && st->prepare_body_in_names &&
		st->body_len == 29 && memcmp(A.names + st->body_off, "SELECT * FROM t WHERE a = 'x'", 29) == 0,
		"my PREPARE FROM string: unescaped body in names");
	st = an(DW_SQL_MYSQL, "PREPARE s FROM 'SELECT 1; ' \"DROP TABLE t\"");
	check(st && st->body_len == 22 && memcmp(A.names + st->body_off, "SELECT 1; DROP TABLE t", 22) == 0,
		"my PREPARE FROM: adjacent literals concatenate");
	st = an(DW_SQL_MYSQL, "PREPARE s FROM @sql");
	check(st && st->has_prepare_body && st->prepare_body_unknown, "my PREPARE FROM @var: body unknown");
	st = an(DW_SQL_POSTGRES, "PREPARE TRANSACTION 'x'");
	check(st && st->op == DW_OP_OTHER && !st->has_prepare_body, "PREPARE TRANSACTION is no PREPARE");
}

static void test_tautology(void)
{
	both_flag("SELECT * FROM users WHERE name = 'admin' OR 1=1", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM users WHERE name = '' OR 'a'='a'", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE id = 1 OR x=x", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE id = 1 OR TRUE", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE id = 1 OR 1", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE a = '' OR (1=1)", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE a = '' OR 'a' LIKE '%'", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE a = '' OR 2 > 1", DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM t WHERE a = '' OR NOT 1 = 2", DW_INJ_TAUTOLOGY);
	both_flag("DELETE FROM t WHERE id = 5 OR 1=1", DW_INJ_TAUTOLOGY);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM t WHERE a = 'x' OR 'x'", DW_INJ_TAUTOLOGY);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM t WHERE a = 'x' || 1=1", DW_INJ_TAUTOLOGY);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM t WHERE a = '1' OR '1'='1'", DW_INJ_TAUTOLOGY);
	flags_inj(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a = 'x' OR 't'", DW_INJ_TAUTOLOGY);
	both_clean("SELECT * FROM t WHERE 1=1 AND x = ?");
	both_clean("SELECT * FROM t WHERE 1=1 AND x = 'a' AND y IN (1, 2)");
	both_clean("SELECT * FROM t WHERE a = 1 OR a = 2");
	both_clean("SELECT * FROM t WHERE (a = ? OR ? IS NULL)");
	both_clean("SELECT * FROM t WHERE a = 1 OR 1 = 0");
	both_clean("SELECT * FROM t WHERE 1=0 OR a = ? OR b = ?");
	both_clean("SELECT * FROM t WHERE a = 'x' OR b = 1+1");
	both_clean("SELECT * FROM t WHERE a = 'OR 1=1' AND b = 'x''='");
	clean(DW_SQL_POSTGRES, "SELECT 'a' || 'b' = 'ab' FROM t");
	clean(DW_SQL_POSTGRES, "SELECT * FROM t WHERE a = 'x' OR 'maybe'");
}

static void test_comment_split(void)
{
	both_flag("SELECT * FROM users WHERE name = 'admin'-- ' AND pwd = 'x'", DW_INJ_COMMENT_SPLIT);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM users WHERE name = 'admin'#'", DW_INJ_COMMENT_SPLIT);
	both_flag("SELECT * FROM users WHERE name = '' OR 1=1-- ' AND pwd = 'x'", DW_INJ_COMMENT_SPLIT | DW_INJ_TAUTOLOGY);
	both_flag("SELECT * FROM p WHERE a = '' AND 1=CAST((SELECT version()) AS int)-- '", DW_INJ_COMMENT_SPLIT);
	both_flag("SELECT * FROM users WHERE name = 'admin';-- '", DW_INJ_COMMENT_SPLIT);
	both_flag("SELECT 1 UNION/**/SELECT password FROM users", DW_INJ_COMMENT_SPLIT);
	both_flag("SELECT * FROM t WHERE a = 1 OR/**/1=1", DW_INJ_COMMENT_SPLIT);
	flags_inj(DW_SQL_MYSQL, "SELECT 1 /*!UNION*/ SELECT 2", DW_INJ_COMMENT_SPLIT);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM t WHERE a = 1 /*!50000 OR 1=1 */", DW_INJ_COMMENT_SPLIT);
	both_clean("SELECT * FROM t WHERE a = 'x' -- a note\n");
	both_clean("SELECT * FROM t WHERE a = 1 -- to the end");
	both_clean("SELECT * FROM t WHERE a = 'shipped'  -- note");
	clean(DW_SQL_MYSQL, "SELECT * FROM t WHERE a = \"shipped\" # note");
	both_clean("SELECT * FROM t WHERE a = 1 -- don't change this");
	both_clean("SELECT * FROM t WHERE a = 'x' -- see 'docs'");
	both_clean("SELECT /* hint */ * FROM t");
	both_clean("/* insert com.example.User */ INSERT INTO users (a) VALUES (1)");
	clean(DW_SQL_MYSQL, "SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t");
	clean(DW_SQL_MYSQL, "INSERT /*+ SET_VAR(x = 1) */ INTO t VALUES (1)");
	both_clean("SELECT a FROM t WHERE b = ? /*controller='users',action='show',traceparent='00-4bf92f3577b34da6-00f067aa0ba902b7-01'*/");
	both_clean("SELECT a FROM t WHERE b = 'x' /* sqlcommenter='yes' */");
	clean(DW_SQL_MYSQL, "/*!40101 SET NAMES utf8mb4 */");
	clean(DW_SQL_MYSQL, "/*!40000 ALTER TABLE `t` DISABLE KEYS */");
	clean(DW_SQL_MYSQL, "SELECT /*!40001 SQL_NO_CACHE */ * FROM t");
	clean(DW_SQL_MYSQL, "CREATE TABLE t (a int) ENGINE=InnoDB /*!50100 PARTITION BY HASH (a) PARTITIONS 4 */");
}

static void test_stacked(void)
{
	both_flag("SELECT * FROM t WHERE name = 'x'; DROP TABLE t", DW_INJ_STACKED);
	both_flag("SELECT * FROM t WHERE a = 'x'; UPDATE users SET role = 'admin'", DW_INJ_STACKED);
	both_flag("SELECT 1; GRANT ALL ON t TO u", DW_INJ_STACKED);
	both_flag("INSERT INTO students VALUES ('Robert'); DROP TABLE students;-- ')", DW_INJ_STACKED);
	flags_inj(DW_SQL_MYSQL, "SELECT * FROM t WHERE id = 1; SELECT * FROM t INTO OUTFILE '/tmp/x'", DW_INJ_STACKED);
	both_clean("SELECT 1; SELECT 2");
	both_clean("BEGIN; INSERT INTO t VALUES (1); COMMIT");
	both_clean("INSERT INTO t VALUES ('a'); INSERT INTO t VALUES ('b')");
	both_clean("UPDATE t SET a = 1 WHERE b = 'x'; UPDATE t SET a = 2 WHERE b = 'y'");
	clean(DW_SQL_POSTGRES, "SET application_name = 'app'; SELECT 1");
}

static void test_union_catalog(void)
{
	both_flag("SELECT name FROM products WHERE id = 1 UNION SELECT usename FROM pg_user", DW_INJ_UNION_CATALOG);
	both_flag("SELECT a FROM t UNION ALL SELECT table_name FROM information_schema.tables", DW_INJ_UNION_CATALOG);
	both_flag("SELECT a FROM t UNION SELECT passwd FROM pg_catalog.pg_shadow", DW_INJ_UNION_CATALOG);
	flags_inj(DW_SQL_MYSQL, "SELECT a FROM t UNION SELECT authentication_string FROM mysql.user", DW_INJ_UNION_CATALOG);
	flags_inj(DW_SQL_MYSQL, "SELECT a FROM t UNION DISTINCT SELECT * FROM performance_schema.threads", DW_INJ_UNION_CATALOG);
	both_flag("SELECT 1 UNION SELECT version()", DW_INJ_UNION_CATALOG);
	flags_inj(DW_SQL_MYSQL, "SELECT a FROM t UNION SELECT @@version", DW_INJ_UNION_CATALOG);
	flags_inj(DW_SQL_POSTGRES, "SELECT a FROM t UNION SELECT current_user", DW_INJ_UNION_CATALOG);
	both_flag("SELECT a FROM t WHERE id IN (SELECT 1 UNION SELECT oid FROM pg_class)", DW_INJ_UNION_CATALOG);
	both_flag("SELECT a FROM t UNION SELECT sql FROM sqlite_master", DW_INJ_UNION_CATALOG);
	both_clean("SELECT a FROM t UNION SELECT b FROM u");
	both_clean("SELECT a FROM t WHERE b = 'UNION SELECT * FROM pg_user'");
	clean(DW_SQL_POSTGRES,
		"SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p') "
		"UNION SELECT pg_catalog.quote_ident(n.nspname) || '.' FROM pg_catalog.pg_namespace n");
	both_clean("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
}

static void test_time_probe(void)
{
	both_flag("SELECT * FROM t WHERE id = 1 AND sleep(5)", DW_INJ_TIME_PROBE);
	both_flag("SELECT * FROM t WHERE id = 1 AND (SELECT pg_sleep(5)) IS NULL", DW_INJ_TIME_PROBE);
	flags_inj(DW_SQL_MYSQL, "SELECT IF(1=1, SLEEP(5), 0)", DW_INJ_TIME_PROBE);
	both_flag("SELECT CASE WHEN a = 1 THEN pg_sleep(5) END FROM t", DW_INJ_TIME_PROBE);
	both_flag("SELECT a FROM t UNION SELECT benchmark(1000000, md5('x'))", DW_INJ_TIME_PROBE);
	both_flag("SELECT * FROM t ORDER BY (SELECT sleep(5))", DW_INJ_TIME_PROBE);
	both_flag("SELECT * FROM a JOIN b ON a.i = b.i AND pg_sleep_for('5 s') IS NULL", DW_INJ_TIME_PROBE);
	both_flag("SELECT * FROM t WHERE id IN (SELECT 1 FROM (SELECT SLEEP(5)) x)", DW_INJ_TIME_PROBE);
	both_flag("SELECT * FROM t WHERE a = dbms_pipe.receive_message('x', 5)", DW_INJ_TIME_PROBE);
	both_clean("SELECT pg_sleep(1)");
	both_clean("SELECT SLEEP(1)");
	both_clean("SELECT benchmark(10, 1)");
	both_clean("SELECT * FROM t WHERE note = 'sleep(5)' -- pg_sleep(5)\n");
}

/* What ordinary clients send must come out clean. */
static void test_false_positives(void)
{
	static const char *const pg_ok[] = {
		"SELECT abalance FROM pgbench_accounts WHERE aid = 1",
		"UPDATE pgbench_accounts SET abalance = abalance + -3 WHERE aid = 7",
		"UPDATE pgbench_tellers SET tbalance = tbalance + 1234 WHERE tid = 3",
		"UPDATE pgbench_branches SET bbalance = bbalance + -4321 WHERE bid = 1",
		"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 2, 3, -4, CURRENT_TIMESTAMP)",
		"BEGIN", "END",
		"SELECT abalance FROM pgbench_accounts WHERE aid = $1",
		"drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
		"create table pgbench_history(tid int,bid int,aid int,delta int,mtime timestamp,filler char(22))",
		"create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
		"truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
		"insert into pgbench_branches(bid,bbalance) values(1,0)",
		"copy pgbench_accounts from stdin with (freeze on)",
		"alter table pgbench_branches add primary key (bid)",
		"vacuum analyze pgbench_branches",
		"SELECT \"users\".\"id\", \"users\".\"email\" FROM \"users\" WHERE \"users\".\"email\" = $1 LIMIT $2",
		"SELECT \"auth_user\".\"id\" FROM \"auth_user\" WHERE (\"auth_user\".\"is_active\" AND \"auth_user\".\"id\" IN (1, 2, 3)) ORDER BY \"auth_user\".\"id\" ASC LIMIT 21 OFFSET 0",
		"select user0_.id as id1_0_, user0_.name as name2_0_ from users user0_ where user0_.id=? and user0_.deleted is null",
		"SELECT users.id AS users_id FROM users WHERE users.name = %(name_1)s",
		"SELECT * FROM t WHERE 1=1 AND a = $1 AND b IS NOT NULL ORDER BY c DESC NULLS LAST LIMIT 10 OFFSET 20",
		"SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3",
		"SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), a.attnotnull FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16384' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
		"SELECT * FROM t WHERE comment = 'x OR 1=1 UNION SELECT pg_sleep(5) -- ' AND body LIKE '%--%'",
		"SELECT * FROM t /* OR 1=1 UNION SELECT 1 */ WHERE a = 1",
		"INSERT INTO logs (msg) VALUES ('user typed: '' OR ''a''=''a'' ; DROP TABLE x; --')",
		"SELECT $$ OR 1=1; DROP TABLE t; $$",
		"SELECT id FROM t WHERE created_at > now() - interval '1 day' AND status = ANY($1::text[])",
	};
	static const char *const my_ok[] = {
		"SELECT c FROM sbtest1 WHERE id=?",
		"SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?",
		"SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?",
		"SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
		"SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
		"UPDATE sbtest1 SET k=k+1 WHERE id=?",
		"UPDATE sbtest1 SET c=? WHERE id=?",
		"DELETE FROM sbtest1 WHERE id=?",
		"INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)",
		"SELECT c FROM sbtest1 WHERE id=5001",
		"INSERT INTO sbtest1 (id, k, c, pad) VALUES (1, 2, '83868641912-28773972837', '67847967377-48000963322')",
		"BEGIN", "COMMIT",
		"SELECT `users`.* FROM `users` WHERE `users`.`email` = 'a@b.c' LIMIT 1",
		"SELECT * FROM t WHERE 1=1 AND a = 'x' AND b IS NULL LIMIT 10 OFFSET 5",
		"SELECT * FROM t WHERE note = 'it''s -- not a comment # either' AND x = \"OR 1=1\"",
		"SELECT * FROM t WHERE a = 'x' # trailing note\n",
		"SET NAMES utf8mb4", "SET autocommit=1", "SELECT @@version_comment LIMIT 1",
		"SHOW VARIABLES LIKE 'sql_mode'",
		"INSERT INTO t (a, b) VALUES (1, 'x') ON DUPLICATE KEY UPDATE b = VALUES(b)",
	};
	for (size_t k = 0; k < sizeof(pg_ok) / sizeof(pg_ok[0]); k++)
		clean(DW_SQL_POSTGRES, pg_ok[k]);
	for (size_t k = 0; k < sizeof(my_ok) / sizeof(my_ok[0]); k++)
		clean(DW_SQL_MYSQL, my_ok[k]);
}

static void test_reuse(void)
{
	/* A long statement then a short one: arrays are reused, counts reset. */
	char big[20000];
	size_t n = (size_t)snprintf(big, sizeof(big), "SELECT * FROM t0");
	for (int k = 1; k < 1000 && n + 16 < sizeof(big); k++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, ", t%d", k);
	const struct dw_sql_stmt *st = an(DW_SQL_POSTGRES, big);
	check(st && st->n_objects == 1000 && st->joins == 999, "1000 tables in one FROM list (%u)", st ? st->n_objects : 0);
	st = an(DW_SQL_POSTGRES, "SELECT * FROM a, a, b");
	check(st && st->n_objects == 2 && A.n_objects == 2, "objects dedupe within a statement, arrays reused");
}

int main(void)
{
	PG = dw_sql_default_options(DW_SQL_POSTGRES);
	MY = dw_sql_default_options(DW_SQL_MYSQL);
	dw_sql_analysis_init(&A);
	test_statements();
	test_ops_and_classes();
	test_writes();
	test_has_where();
	test_objects();
	test_functions();
	test_idents();
	test_complexity();
	test_fingerprints();
	test_normalize();
	test_literal_sensitive();
	test_unparseable();
	test_prepare();
	test_tautology();
	test_comment_split();
	test_stacked();
	test_union_catalog();
	test_time_probe();
	test_false_positives();
	test_reuse();
	dw_sql_analysis_free(&A);
	return tap_done();
}
