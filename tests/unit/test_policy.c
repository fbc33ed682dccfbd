/* Policy engine: choosing a policy for a session, every rule positive and
 * negative in both dialects, name resolution and wildcards, the modes, the
 * allowlist writer, and the decision cache (cached verdicts must equal
 * fresh ones). Policies come from real configuration text. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "policy/allowlist.h"
#include "policy/ident_rule.h"
#include "policy/policy.h"
#include "tests/unit/tap.h"

static char dir[PATH_MAX];
static struct dw_policy_ctx *ctx;

#define PG DW_SQL_POSTGRES
#define MY DW_SQL_MYSQL

static const char head[] =
	"listeners:\n"
	"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: pgdb }\n"
	"  - { name: my, protocol: mysql, listen: 127.0.0.1:3307, backend: mydb }\n"
	"backends:\n"
	"  - { name: pgdb, protocol: postgres, address: 127.0.0.1:5432 }\n"
	"  - { name: mydb, protocol: mysql, address: 127.0.0.1:3306 }\n"
	"policies:\n";

/* HEAD followed by POLICIES; relative paths resolve against DIR. */
static struct dw_config *load(const char *policies)
{
	char name[PATH_MAX + 32], *text, *errs = NULL;
	size_t errs_len = 0;
	FILE *f = open_memstream(&errs, &errs_len);
	struct dw_config *cfg;

	snprintf(name, sizeof(name), "%s/policy.yaml", dir);
	if (asprintf(&text, "%s%s", head, policies) < 0)
		exit(1);
	cfg = dw_config_load_buffer(name, text, strlen(text), f);
	fclose(f);
	if (cfg == NULL)
		printf("# config errors:\n%s", errs);
	free(errs);
	free(text);
	return cfg;
}

static void judge_db(const struct dw_policy_config *p, enum dw_sql_dialect d, const char *sql,
	const char *db, struct dw_verdict *v)
{
	struct dw_sql_options opts = dw_sql_default_options(d);

	dw_policy_check(ctx, p, sql, strlen(sql), &opts, db, v);
}

static void judge(const struct dw_policy_config *p, enum dw_sql_dialect d, const char *sql,
	struct dw_verdict *v)
{
	judge_db(p, d, sql, d == MY ? "app" : NULL, v);
}

static const char *dialect_name(enum dw_sql_dialect d)
{
	return d == PG ? "pg" : "my";
}

/* Blocked by RULE in enforce mode (RULE NULL: allowed, nothing flagged). */
static void expect(const struct dw_policy_config *p, enum dw_sql_dialect d, const char *sql,
	const char *rule)
{
	struct dw_verdict v;

	judge(p, d, sql, &v);
	if (rule == NULL)
		check(!v.block && !v.flagged && v.rule == NULL, "%s allows: %s%s%s%s", dialect_name(d), sql,
		      v.rule ? " (got " : "", v.rule ? v.rule : "", v.rule ? ")" : "");
	else
		check(v.block && v.flagged && str_is(v.rule, rule), "%s blocks (%s): %s [%s: %s]",
		      dialect_name(d), rule, sql, v.rule ? v.rule : "allowed", v.reason);
}

static void expect_db(const struct dw_policy_config *p, const char *db, const char *sql,
	const char *rule)
{
	struct dw_verdict v;

	judge_db(p, MY, sql, db, &v);
	if (rule == NULL)
		check(!v.flagged, "my (db %s) allows: %s [%s]", db ? db : "none", sql,
		      v.rule ? v.rule : "-");
	else
		check(v.block && str_is(v.rule, rule), "my (db %s) blocks (%s): %s [%s]", db ? db : "none",
		      rule, sql, v.rule ? v.rule : "allowed");
}

static const struct dw_policy_config *policy(const struct dw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_policies; i++)
		if (strcmp(cfg->policies[i].name, name) == 0)
			return &cfg->policies[i];
	printf("# no policy %s\n", name);
	exit(1);
}

static struct sockaddr_storage v4(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
		exit(1);
	return ss;
}

static struct sockaddr_storage v6(const char *text)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	sin6->sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1)
		exit(1);
	return ss;
}

static const char *selected(const struct dw_config *cfg, const char *user, const char *db,
	const char *listener, const struct sockaddr_storage *client)
{
	struct dw_policy_subject s = { user, db, listener, (const struct sockaddr *)client };
	const struct dw_policy_config *p = dw_policy_select(cfg, &s);

	return p != NULL ? p->name : "(none)";
}

static void test_select(void)
{
	struct dw_config *cfg = load(
		"  - { name: by-user, match: { user: alice } }\n"
		"  - { name: by-db-and-listener, match: { database: sales, listener: my } }\n"
		"  - { name: lan4, match: { client: 10.1.0.0/16 } }\n"
		"  - { name: lan6, match: { client: '2001:db8::/32' } }\n"
		"  - { name: mapped6, match: { client: '::ffff:192.168.0.0/112' } }\n"
		"  - { name: host, match: { client: 172.16.0.9, user: bob } }\n"
		"  - { name: bob-anywhere, match: { user: bob } }\n");
	struct sockaddr_storage a = v4("10.1.2.3"), b = v4("10.2.0.1"), c = v6("2001:db8::1"),
		d = v6("::ffff:10.1.200.1"), e = v4("192.168.7.7"), f = v4("172.16.0.9"),
		g = v6("2001:db9::1"), h = { 0 };

	if (cfg == NULL) {
		check(false, "select config loads");
		return;
	}
	h.ss_family = AF_UNIX;
	check(str_is(selected(cfg, "alice", "sales", "my", &a), "by-user"), "first match wins");
	check(str_is(selected(cfg, "Alice", "x", "pg", NULL), "(none)"),
	      "user is compared case-sensitively; no client never matches a network");
	check(str_is(selected(cfg, "carol", "sales", "my", NULL), "by-db-and-listener"),
	      "database and listener both fit");
	check(str_is(selected(cfg, "carol", "sales", "pg", NULL), "(none)"), "listener must fit too");
	check(str_is(selected(cfg, "carol", NULL, "my", NULL), "(none)"), "a NULL database never fits");
	check(str_is(selected(cfg, "carol", "", "my", &a), "lan4"), "IPv4 client in an IPv4 network");
	check(str_is(selected(cfg, "carol", "x", "pg", &b), "(none)"), "IPv4 client outside");
	check(str_is(selected(cfg, "carol", "x", "pg", &c), "lan6"), "IPv6 client in an IPv6 network");
	check(str_is(selected(cfg, "carol", "x", "pg", &g), "(none)"), "IPv6 client outside");
	check(str_is(selected(cfg, "carol", "x", "pg", &d), "lan4"),
	      "IPv4-mapped IPv6 client matches an IPv4 network");
	check(str_is(selected(cfg, "carol", "x", "pg", &e), "mapped6"),
	      "IPv4 client matches a network written as mapped IPv6");
	check(str_is(selected(cfg, "bob", "x", "pg", &f), "host"), "bare address and user");
	check(str_is(selected(cfg, "bob", "x", "pg", &h), "bob-anywhere"),
	      "a unix socket client never matches a network");
	check(dw_policy_select(NULL, &(struct dw_policy_subject){ "a", "b", "c", NULL }) == NULL,
	      "no configuration, no policy");
	dw_config_unref(cfg);
}

static void test_globs(void)
{
	check(dw_glob_match("*", "", 0, false) && dw_glob_match("*", "abc", 3, false), "* matches anything");
	check(dw_glob_match("a*c", "abbbc", 5, false) && !dw_glob_match("a*c", "abbb", 4, false),
	      "a*c");
	check(dw_glob_match("*pass*", "user_password", 13, false) &&
	      !dw_glob_match("*pass*", "user_pwd", 8, false), "*pass*");
	check(dw_glob_match("*a*b", "aaab", 4, false) && dw_glob_match("**", "x", 1, false),
	      "backtracking");
	check(!dw_glob_match("Users", "users", 5, false) && dw_glob_match("Users", "users", 5, true),
	      "case folding only when asked");
	check(dw_glob_match("abc", "abcdef", 3, false) && !dw_glob_match("abc", "ab", 2, false),
	      "length-bounded subject");
	check(dw_function_rule_matches("pg_sleep", "x", 1, "PG_SLEEP", 8) &&
	      dw_function_rule_matches("pg_catalog.pg_sleep", "", 0, "pg_sleep", 8) &&
	      dw_function_rule_matches("pg_catalog.pg_sleep", "PG_CATALOG", 10, "pg_sleep", 8) &&
	      !dw_function_rule_matches("pg_catalog.pg_sleep", "public", 6, "pg_sleep", 8) &&
	      !dw_function_rule_matches("sleep", "", 0, "sleepy", 6), "function entries");
}

/* One policy per rule, so each test shows the rule it is about. */
static const char rules_config[] =
	"  - name: classes\n"
	"    statements: { deny: [ddl, grant, admin, load_data, outfile] }\n"
	"  - name: multi\n"
	"    multi_statements: deny\n"
	"  - name: deny\n"
	"    identifiers:\n"
	"      deny: ['mysql.*', 'information_schema.*', 'pg_catalog.pg_authid', '*.*password*',\n"
	"             '\"Public\".\"Secret\"', 'audit_log', 'app.hidden', '\"a.b\".c']\n"
	"  - name: allow\n"
	"    identifiers: { allow: ['public.orders', 'public.cust*', 'app.*'] }\n"
	"  - name: pattern\n"
	"    identifiers: { pattern: '^[a-z_][a-z0-9_]*$' }\n"
	"  - name: length\n"
	"    identifiers: { max_length: 8 }\n"
	"  - name: functions\n"
	"    functions: { deny: [pg_sleep, sleep, benchmark, pg_catalog.pg_read_file, 'lo_*'] }\n"
	"  - name: complexity\n"
	"    complexity: { max_joins: 2, max_subquery_depth: 1, max_unions: 1, max_in_list: 3,\n"
	"                  require_where: [update, delete], max_statement_bytes: 200 }\n"
	"  - name: injection\n"
	"    injection: { detect: true }\n"
	"  - name: lenient\n"
	"    unparseable: allow\n"
	"  - name: strict\n";

static void test_rules(void)
{
	struct dw_config *cfg = load(rules_config);
	const struct dw_policy_config *p;

	if (cfg == NULL) {
		check(false, "rules config loads");
		return;
	}

	p = policy(cfg, "classes");
	expect(p, PG, "DROP TABLE orders", "statements");
	expect(p, MY, "CREATE TABLE t (id int)", "statements");
	expect(p, PG, "GRANT SELECT ON orders TO bob", "statements");
	expect(p, MY, "CREATE USER 'x'@'%' IDENTIFIED BY 'pw'", "statements");
	expect(p, PG, "VACUUM orders", "statements");
	expect(p, MY, "FLUSH PRIVILEGES", "statements");
	expect(p, PG, "COPY orders FROM '/etc/passwd'", "statements");
	expect(p, MY, "LOAD DATA INFILE '/tmp/x' INTO TABLE orders", "statements");
	expect(p, PG, "COPY orders TO PROGRAM 'sh'", "statements");
	expect(p, MY, "SELECT * FROM orders INTO OUTFILE '/tmp/x'", "statements");
	expect(p, PG, "SELECT * FROM orders WHERE id = 1", NULL);
	expect(p, MY, "INSERT INTO orders VALUES (1, 'drop table x')", NULL);
	expect(p, PG, "COPY orders FROM STDIN", NULL);
	expect(p, PG, "UPDATE orders SET n = 2 WHERE id = 1 -- DROP TABLE orders", NULL);
	{
		struct dw_verdict v;
		judge(p, PG, "DROP TABLE orders", &v);
		check(strcmp(v.reason, "statement class ddl is denied") == 0 && str_is(v.policy, "classes") &&
		      v.op == DW_OP_DROP && (v.classes & DW_CLASS_DDL), "reason names the class: %s", v.reason);
	}

	p = policy(cfg, "multi");
	expect(p, PG, "SELECT 1; SELECT 2", "multi_statements");
	expect(p, MY, "SELECT 1; DROP TABLE orders", "multi_statements");
	expect(p, MY, "SELECT 1 /*!; DROP TABLE orders */", "multi_statements");
	expect(p, PG, "SELECT 1;", NULL);
	expect(p, MY, "SELECT ';' FROM t -- ; DROP", NULL);
	expect(policy(cfg, "strict"), PG, "SELECT 1; SELECT 2", NULL);

	p = policy(cfg, "deny");
	expect(p, MY, "SELECT * FROM mysql.user", "identifiers.deny");
	expect(p, MY, "SELECT * FROM `mysql`.`user`", "identifiers.deny");
	expect(p, MY, "SELECT * FROM MySQL.User", "identifiers.deny");
	expect(p, PG, "SELECT * FROM information_schema.tables", "identifiers.deny");
	expect(p, PG, "SELECT * FROM pg_authid", "identifiers.deny");
	expect(p, PG, "SELECT * FROM pg_catalog.pg_authid", "identifiers.deny");
	expect(p, PG, "SELECT * FROM \"pg_catalog\".\"pg_authid\"", "identifiers.deny");
	expect(p, PG, "SELECT * FROM PG_CATALOG.PG_AUTHID", "identifiers.deny");
	expect(p, PG, "SELECT * FROM \"PG_AUTHID\"", NULL);
	expect(p, PG, "SELECT * FROM app.user_passwords", "identifiers.deny");
	expect(p, PG, "SELECT * FROM user_passwords", "identifiers.deny");
	expect(p, MY, "SELECT * FROM user_passwords", "identifiers.deny");
	expect(p, PG, "SELECT * FROM \"Public\".\"Secret\"", "identifiers.deny");
	expect(p, PG, "SELECT * FROM \"Secret\"", NULL); /* resolves to public, not "Public" */
	expect(p, PG, "SELECT * FROM public.secret", NULL);
	expect(p, MY, "SELECT * FROM Public.Secret", "identifiers.deny");
	expect(p, PG, "SELECT * FROM audit_log", "identifiers.deny");
	expect(p, PG, "SELECT * FROM x.audit_log", "identifiers.deny");
	expect(p, PG, "SELECT * FROM \"a.b\".c", "identifiers.deny");
	expect(p, PG, "SELECT * FROM a.b", NULL);
	expect(p, PG, "SELECT * FROM orders o JOIN customers c ON c.id = o.cid", NULL);
	expect(p, PG, "SELECT 'mysql.user', password FROM orders", NULL);
	expect(p, MY, "WITH audit_log AS (SELECT 1) SELECT * FROM audit_log", NULL);
	/* MySQL: unqualified names are in the current database. */
	expect_db(p, "app", "SELECT * FROM hidden", "identifiers.deny");
	expect_db(p, "App", "SELECT * FROM hidden", "identifiers.deny");
	expect_db(p, "other", "SELECT * FROM hidden", NULL);
	expect_db(p, NULL, "SELECT * FROM hidden", NULL);
	expect_db(p, "mysql", "SELECT * FROM user", "identifiers.deny");
	expect_db(p, NULL, "SELECT * FROM user", NULL);
	expect_db(p, NULL, "SELECT * FROM app_passwords", "identifiers.deny");
	{
		struct dw_verdict v;
		judge(p, PG, "SELECT * FROM pg_authid WHERE rolname = 'Sup3rSecret'", &v);
		check(strstr(v.reason, "pg_catalog.pg_authid") != NULL && strstr(v.reason, "Sup3r") == NULL,
		      "reason names the object, never a literal: %s", v.reason);
	}

	p = policy(cfg, "allow");
	expect(p, PG, "SELECT * FROM orders", NULL);
	expect(p, PG, "SELECT * FROM public.customers c JOIN orders o ON o.cid = c.id", NULL);
	expect(p, PG, "SELECT * FROM app.anything", NULL);
	expect(p, PG, "SELECT * FROM invoices", "identifiers.allow");
	expect(p, PG, "SELECT * FROM orders, other.orders", "identifiers.allow");
	expect(p, PG, "SELECT 1", NULL);
	expect_db(p, "app", "SELECT * FROM anything", NULL);
	expect_db(p, "public", "SELECT * FROM orders", NULL);
	expect_db(p, "public", "SELECT * FROM invoices", "identifiers.allow");
	expect_db(p, NULL, "SELECT * FROM orders", "identifiers.allow");

	p = policy(cfg, "pattern");
	expect(p, PG, "SELECT id, name FROM orders o", NULL);
	expect(p, PG, "SELECT ID FROM Orders", "identifiers.pattern");
	expect(p, PG, "SELECT 1 AS \"odd name\"", "identifiers.pattern");
	expect(p, MY, "SELECT `x-y` FROM t", "identifiers.pattern");
	expect(p, MY, "SELECT 'Not An Ident' FROM t", NULL);

	p = policy(cfg, "length");
	expect(p, PG, "SELECT id FROM orders", NULL);
	expect(p, PG, "SELECT id FROM customers", "identifiers.max_length");
	expect(p, MY, "SELECT `abcdefghi` FROM t", "identifiers.max_length");
	expect(p, MY, "SELECT 'abcdefghijklmnop' FROM t", NULL);

	p = policy(cfg, "functions");
	expect(p, PG, "SELECT pg_sleep(10)", "functions");
	expect(p, PG, "SELECT PG_SLEEP (10)", "functions");
	expect(p, PG, "SELECT pg_catalog.pg_sleep(1)", "functions");
	expect(p, MY, "SELECT SLEEP(5)", "functions");
	expect(p, MY, "SELECT sleep/**/(5)", "functions");
	expect(p, MY, "SELECT BENCHMARK(1000000, MD5('x'))", "functions");
	expect(p, PG, "SELECT pg_read_file('/etc/passwd')", "functions");
	expect(p, PG, "SELECT pg_catalog.pg_read_file('/etc/passwd')", "functions");
	expect(p, PG, "SELECT other.pg_read_file('x')", NULL);
	expect(p, PG, "SELECT lo_import('/etc/passwd')", "functions");
	expect(p, PG, "SELECT 'pg_sleep(10)', now()", NULL);
	expect(p, MY, "SELECT sleepy(1), count(*) FROM t", NULL);

	p = policy(cfg, "complexity");
	expect(p, PG, "SELECT * FROM a JOIN b ON a.id = b.id JOIN c ON c.id = b.id", NULL);
	expect(p, PG, "SELECT * FROM a JOIN b ON a.id = b.id JOIN c ON c.id = b.id JOIN d ON d.id = c.id",
	       "complexity.max_joins");
	expect(p, MY, "SELECT * FROM a, b, c, d", "complexity.max_joins");
	expect(p, PG, "SELECT * FROM t WHERE id IN (SELECT id FROM u)", NULL);
	expect(p, PG, "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x IN (SELECT x FROM v))",
	       "complexity.max_subquery_depth");
	expect(p, MY, "SELECT 1 UNION SELECT 2", NULL);
	expect(p, MY, "SELECT 1 UNION SELECT 2 UNION ALL SELECT 3", "complexity.max_unions");
	expect(p, PG, "SELECT * FROM t WHERE id IN (1, 2, 3)", NULL);
	expect(p, PG, "SELECT * FROM t WHERE id IN (1, 2, 3, 4)", "complexity.max_in_list");
	expect(p, PG, "UPDATE t SET x = 1", "complexity.require_where");
	expect(p, MY, "DELETE FROM t", "complexity.require_where");
	expect(p, PG, "UPDATE t SET x = 1 WHERE id = 2", NULL);
	expect(p, MY, "DELETE FROM t WHERE id = 2", NULL);
	expect(p, PG, "SELECT 1 /* ................................................................"
		      "........................................................................."
		      "................................................................. */",
	       "complexity.max_statement_bytes");
	{
		struct dw_verdict v;
		judge(p, PG, "UPDATE t SET x = 1", &v);
		check(v.op == DW_OP_UPDATE && v.writes && str_is(v.reason, "UPDATE without WHERE"),
		      "require_where reason: %s", v.reason);
	}

	p = policy(cfg, "injection");
	expect(p, PG, "SELECT * FROM users WHERE name = '' OR '1'='1'", "injection.tautology");
	expect(p, MY, "SELECT * FROM users WHERE id = 1 OR 1=1", "injection.tautology");
	expect(p, MY, "SELECT * FROM users WHERE name = 'admin'-- ' AND pw = 'x'", "injection.comment_split");
	expect(p, PG, "SELECT name FROM users WHERE id = 1 UNION SELECT usename FROM pg_user",
	       "injection.union_catalog");
	expect(p, MY, "SELECT * FROM t WHERE id = 1 AND IF(1=1, SLEEP(5), 0)", "injection.time_probe");
	expect(p, PG, "SELECT * FROM notes WHERE body = 'OR 1=1'", NULL);
	expect(p, MY, "SELECT * FROM t WHERE 1=1 AND id = 4", NULL);
	expect(policy(cfg, "strict"), MY, "SELECT * FROM users WHERE id = 1 OR 1=1", NULL);

	p = policy(cfg, "strict");
	expect(p, PG, "SELECT 'unterminated", "unparseable");
	expect(p, MY, "SELECT (1", "unparseable");
	expect(p, MY, "PREPARE s FROM @sql", "unparseable");
	{
		struct dw_verdict v;
		judge(policy(cfg, "lenient"), PG, "SELECT 'unterminated", &v);
		check(!v.block && v.flagged && str_is(v.rule, "unparseable"),
		      "unparseable: allow lets it through, flagged");
		judge(policy(cfg, "lenient"), MY, "PREPARE s FROM @sql", &v);
		check(!v.block && v.flagged && str_is(v.rule, "unparseable"),
		      "unparseable: allow lets an invisible PREPARE body through, flagged");
	}

	/* PREPARE bodies get the same judgement as plain statements. */
	expect(policy(cfg, "classes"), PG, "PREPARE s AS DELETE FROM t WHERE id = $1", NULL);
	expect(policy(cfg, "complexity"), PG, "PREPARE s AS DELETE FROM t", "complexity.require_where");
	expect(policy(cfg, "classes"), MY, "PREPARE s FROM 'DROP TABLE t'", "statements");
	expect(policy(cfg, "deny"), MY, "PREPARE s FROM 'SELECT * FROM mysql.user'", "identifiers.deny");
	expect(policy(cfg, "deny"), MY, "PREPARE s FROM 'SELECT * FROM orders'", NULL);
	expect(policy(cfg, "deny"), PG, "PREPARE s (int) AS SELECT * FROM pg_authid WHERE oid = $1",
	       "identifiers.deny");
	expect(policy(cfg, "multi"), MY, "PREPARE s FROM 'SELECT 1; DROP TABLE t'", "multi_statements");
	expect(policy(cfg, "strict"), MY, "PREPARE s FROM 'SELECT ''unterminated'", "unparseable");
	{
		struct dw_verdict v;
		/* A flag-only match must not hide a later refusal. */
		judge(policy(cfg, "lenient"), MY, "PREPARE s FROM @sql; SELECT 'x", &v);
		check(v.flagged && str_is(v.rule, "unparseable"), "lenient policy flags");
	}

	/* No policy: allowed, but described. */
	{
		struct dw_verdict v;
		judge(NULL, PG, "DROP TABLE t", &v);
		check(!v.block && !v.flagged && v.policy == NULL && v.op == DW_OP_DROP &&
		      (v.classes & DW_CLASS_DDL) && v.fingerprint != 0, "no policy: allowed, op and classes filled");
		judge(NULL, PG, "SELECT 'x", &v);
		check(!v.block && !v.flagged, "no policy: unparseable text is not refused");
	}
	dw_config_unref(cfg);
}

static void test_modes(void)
{
	struct dw_config *cfg = load(
		"  - name: watch\n"
		"    mode: monitor\n"
		"    statements: { deny: [ddl] }\n"
		"    complexity: { max_statement_bytes: 16 }\n");
	struct dw_verdict v;

	if (cfg == NULL) {
		check(false, "modes config loads");
		return;
	}
	judge(&cfg->policies[0], PG, "DROP TABLE t", &v);
	check(!v.block && v.flagged && str_is(v.rule, "statements") && v.mode == DW_POLICY_MONITOR &&
	      str_is(v.policy, "watch"), "monitor flags but allows");
	judge(&cfg->policies[0], PG, "SELECT 12345678901", &v);
	check(!v.block && v.flagged && str_is(v.rule, "complexity.max_statement_bytes"),
	      "monitor flags an over-long statement");
	check(dw_policy_ctx_analysis(ctx)->n_stmts == 0 &&
	      dw_policy_ctx_analysis(ctx)->status != DW_SQL_OK,
	      "an over-long statement is not analysed (and the previous analysis is gone)");
	judge(&cfg->policies[0], PG, "SELECT 1", &v);
	check(!v.block && !v.flagged && v.rule == NULL && v.op == DW_OP_SELECT &&
	      dw_policy_ctx_analysis(ctx)->n_stmts == 1, "monitor: clean statement");
	dw_config_unref(cfg);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = getc(f)) != EOF)
		putc(c, m);
	fclose(m);
	fclose(f);
	return buf;
}

static size_t count_entries(const char *text)
{
	size_t n = 0;

	for (const char *p = text; p != NULL && (p = strstr(p, "- \"")) != NULL; p += 3)
		n++;
	return n;
}

static void test_learn_and_allowlist(void)
{
	char path[PATH_MAX + 64], yaml[PATH_MAX * 2];
	struct dw_config *cfg;
	struct dw_verdict v;
	struct stat st;
	uint64_t fp_select, fp_update, fp_body;
	char *text;

	snprintf(path, sizeof(path), "%s/learned.yaml", dir);
	unlink(path);
	snprintf(yaml, sizeof(yaml),
		 "  - name: learner\n"
		 "    mode: learn\n"
		 "    statements: { deny: [ddl] }\n"
		 "    allowlist_file: learned.yaml\n");
	cfg = load(yaml);
	if (cfg == NULL) {
		check(false, "learn config loads");
		return;
	}
	const struct dw_policy_config *p = &cfg->policies[0];
	judge(p, PG, "SELECT abalance FROM pgbench_accounts WHERE aid = 42", &v);
	fp_select = dw_policy_ctx_analysis(ctx)->stmts[0].fingerprint;
	check(!v.block && !v.flagged && v.learned, "learn: a new statement is learned");
	judge(p, PG, "SELECT abalance FROM pgbench_accounts WHERE aid = 7", &v);
	check(!v.block && !v.learned, "learn: the same shape with another literal is known");
	judge(p, PG, "DROP TABLE pgbench_accounts", &v);
	check(!v.block && v.flagged && str_is(v.rule, "statements") && !v.learned,
	      "learn: a rule match is flagged like monitor and not learned");
	judge(p, PG, "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 3; "
		     "PREPARE q AS SELECT bid FROM pgbench_branches WHERE bid = $1", &v);
	fp_update = dw_policy_ctx_analysis(ctx)->stmts[0].fingerprint;
	check(v.learned && !v.flagged, "learn: every statement of a message, and a PREPARE body");
	{
		struct dw_sql_analysis body;
		struct dw_sql_options o = dw_sql_default_options(PG);
		const char *b = "SELECT bid FROM pgbench_branches WHERE bid = $1";
		dw_sql_analysis_init(&body);
		fp_body = dw_sql_analyze(&body, b, strlen(b), &o) == DW_SQL_OK ? body.stmts[0].fingerprint : 0;
		dw_sql_analysis_free(&body);
	}
	dw_allowlist_writer_flush();
	text = slurp(path);
	{
		const char *header = "# dbward allowlist: statement fingerprints learned in learn mode\n"
				     "fingerprints:\n";
		check(text != NULL && strncmp(text, header, strlen(header)) == 0,
		      "the file is created with its header");
	}
	check(count_entries(text) == 4, "four fingerprints written once each (%zu)", count_entries(text));
	{
		char line[64];
		snprintf(line, sizeof(line), "  - \"%016llx\"  # SELECT", (unsigned long long)fp_select);
		check(text != NULL && strstr(text, line) != NULL && strstr(text, "42") == NULL &&
		      strstr(text, "aid = ?") != NULL, "entry with its normalized statement, no literal");
		snprintf(line, sizeof(line), "\"%016llx\"", (unsigned long long)fp_update);
		check(text != NULL && strstr(text, line) != NULL, "the UPDATE of a two-statement message");
		snprintf(line, sizeof(line), "\"%016llx\"  # SELECT bid", (unsigned long long)fp_body);
		check(fp_body != 0 && text != NULL && strstr(text, line) != NULL, "the PREPARE body");
	}
	check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "the file has mode 0600");
	free(text);

	/* A second snapshot of the same learn policy does not write known ones again. */
	dw_config_unref(cfg);
	cfg = load(yaml);
	judge(&cfg->policies[0], PG, "SELECT abalance FROM pgbench_accounts WHERE aid = 1", &v);
	check(!v.learned, "after a reload the learned fingerprint is in the allowlist");
	judge(&cfg->policies[0], MY, "SELECT c FROM sbtest1 WHERE id = 9", &v);
	check(v.learned, "a new MySQL statement is learned");
	dw_allowlist_writer_stop();
	text = slurp(path);
	check(count_entries(text) == 5, "appended to the existing file (%zu)", count_entries(text));
	free(text);
	dw_config_unref(cfg);

	/* Enforce with the learned list: known shapes pass, others are refused. */
	cfg = load("  - name: guarded\n    allowlist_file: learned.yaml\n"
		   "  - name: watched\n    mode: monitor\n    allowlist_file: learned.yaml\n");
	if (cfg == NULL) {
		check(false, "allowlist config loads");
		return;
	}
	p = &cfg->policies[0];
	check(p->allowlist_present && p->allowlist.n == 5, "the learned file loads as an allowlist");
	expect(p, PG, "SELECT abalance FROM pgbench_accounts WHERE aid = 99", NULL);
	expect(p, PG, "select abalance from pgbench_accounts where aid=1 -- hi", NULL);
	expect(p, PG, "UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 8", NULL);
	expect(p, PG, "PREPARE q AS SELECT bid FROM pgbench_branches WHERE bid = $1", NULL);
	expect(p, PG, "SELECT abalance, filler FROM pgbench_accounts WHERE aid = 99", "allowlist");
	expect(p, PG, "SELECT abalance FROM pgbench_accounts WHERE aid = 1; SELECT 1", "allowlist");
	expect(p, PG, "PREPARE q AS SELECT * FROM pgbench_branches WHERE bid = $1", "allowlist");
	expect(p, PG, "SELECT 'x", "unparseable");
	judge(p, PG, "DELETE FROM pgbench_accounts", &v);
	check(v.block && str_is(v.rule, "allowlist") && strstr(v.reason, "not in the allowlist") != NULL,
	      "allowlist reason: %s", v.reason);
	judge(&cfg->policies[1], PG, "DELETE FROM pgbench_accounts", &v);
	check(!v.block && v.flagged && str_is(v.rule, "allowlist"), "monitor flags an unknown fingerprint");
	dw_config_unref(cfg);

	/* The writer appends to a hand-written list with its own indentation,
	 * and leaves a file of another layout alone. */
	snprintf(path, sizeof(path), "%s/hand.yaml", dir);
	{
		FILE *f = fopen(path, "w");
		fputs("# reviewed by hand\nfingerprints:\n- \"00000000000000aa\"", f);
		fclose(f);
		chmod(path, 0600);
	}
	cfg = load("  - name: hand\n    mode: learn\n    allowlist_file: hand.yaml\n");
	judge(&cfg->policies[0], MY, "SELECT 1 FROM dual", &v);
	dw_allowlist_writer_flush();
	text = slurp(path);
	check(v.learned && text != NULL && strstr(text, "\"00000000000000aa\"\n- \"") != NULL,
	      "appended after an unterminated last line, same indentation");
	free(text);
	dw_config_unref(cfg);
	{
		struct dw_config *again = load("  - name: hand\n    allowlist_file: hand.yaml\n");
		check(again != NULL && again->policies[0].allowlist.n == 2, "the appended file still parses");
		dw_config_unref(again);
	}

	snprintf(path, sizeof(path), "%s/flow.yaml", dir);
	{
		FILE *f = fopen(path, "w");
		fputs("fingerprints: [\"00000000000000aa\"]\n", f);
		fclose(f);
		chmod(path, 0600);
	}
	struct dw_allowlist_writer_stats before, after;
	dw_allowlist_writer_stats(&before);
	cfg = load("  - name: flow\n    mode: learn\n    allowlist_file: flow.yaml\n");
	judge(&cfg->policies[0], MY, "SELECT 2 FROM dual", &v);
	dw_allowlist_writer_flush();
	dw_allowlist_writer_stats(&after);
	text = slurp(path);
	check(text != NULL && strcmp(text, "fingerprints: [\"00000000000000aa\"]\n") == 0 &&
	      after.failed == before.failed + 1, "a file of another layout is not appended to");
	free(text);
	judge(&cfg->policies[0], MY, "SELECT 2 FROM dual", &v);
	check(v.learned, "a fingerprint that failed to be written can be learned again");
	dw_allowlist_writer_stop();
	dw_config_unref(cfg);
}

/* Verdicts straight from the rules and through the cache must be equal. */
static bool same_verdict(const struct dw_verdict *a, const struct dw_verdict *b)
{
	return a->block == b->block && a->flagged == b->flagged && a->learned == b->learned &&
	       a->mode == b->mode && a->policy == b->policy &&
	       ((a->rule == NULL && b->rule == NULL) || (a->rule && b->rule && !strcmp(a->rule, b->rule))) &&
	       strcmp(a->reason, b->reason) == 0 && a->op == b->op && a->classes == b->classes &&
	       a->writes == b->writes && a->fingerprint == b->fingerprint;
}

static void test_cache(void)
{
	static const char *const corpus[] = {
		"SELECT * FROM orders WHERE id = 1", "SELECT * FROM orders WHERE id = 2",
		"SELECT * FROM pg_authid", "DROP TABLE orders", "UPDATE t SET x = 1",
		"UPDATE t SET x = 2", "UPDATE t SET x = 1 WHERE id = 1", "SELECT pg_sleep(1)",
		"SELECT * FROM a JOIN b ON a.x = b.x JOIN c ON c.y = b.y JOIN d ON d.z = c.z",
		"SELECT * FROM Orders", "SELECT * FROM \"Orders\"", "SELECT * FROM orders",
		"SELECT * FROM t WHERE id IN (1, 2, 3, 4, 5)", "SELECT * FROM t WHERE id IN (1)",
		"SELECT * FROM users WHERE name = '' OR 'a'='a'", "SELECT * FROM users WHERE name = 'x'",
		"SELECT abcdefghijkl FROM t", "SELECT `x y` FROM t", "SELECT * FROM mysql.user",
		"SELECT * FROM hidden", "PREPARE s AS SELECT 1", "SELECT 1; SELECT 2",
	};
	struct dw_config *cfg = load(
		"  - name: all\n"
		"    statements: { deny: [ddl] }\n"
		"    identifiers: { deny: ['pg_catalog.pg_authid', 'mysql.*', 'app.hidden'],\n"
		"                   pattern: '^[a-z_]+$', max_length: 10 }\n"
		"    functions: { deny: [pg_sleep] }\n"
		"    complexity: { max_joins: 2, max_in_list: 3, require_where: [update] }\n"
		"    injection: { detect: true }\n"
		"  - name: watch\n"
		"    mode: monitor\n"
		"    identifiers: { deny: ['app.hidden'] }\n");
	struct dw_policy_ctx *fresh = dw_policy_ctx_new();
	size_t n = sizeof(corpus) / sizeof(corpus[0]);
	bool all_same = true;

	if (cfg == NULL || fresh == NULL) {
		check(false, "cache config loads");
		return;
	}
	for (int round = 0; round < 3; round++) {
		for (size_t pi = 0; pi < cfg->n_policies; pi++) {
			for (size_t i = 0; i < n; i++) {
				for (int d = 0; d < 2; d++) {
					const char *dbs[] = { "app", "other", NULL };
					for (int k = 0; k < (d == MY ? 3 : 1); k++) {
						struct dw_sql_options o = dw_sql_default_options(d);
						struct dw_verdict cached, direct;
						struct dw_policy_ctx *once = dw_policy_ctx_new();
						dw_policy_check(ctx, &cfg->policies[pi], corpus[i], strlen(corpus[i]),
								&o, dbs[k], &cached);
						dw_policy_check(once, &cfg->policies[pi], corpus[i], strlen(corpus[i]),
								&o, dbs[k], &direct);
						dw_policy_ctx_free(once);
						if (!same_verdict(&cached, &direct)) {
							all_same = false;
							printf("# differs: %s %s db=%s: %s/%s vs %s/%s\n",
							       cfg->policies[pi].name, corpus[i], dbs[k] ? dbs[k] : "-",
							       cached.rule ? cached.rule : "-", cached.reason,
							       direct.rule ? direct.rule : "-", direct.reason);
						}
					}
				}
			}
		}
	}
	check(all_same, "cached verdicts equal fresh ones (3 rounds, %zu statements, both dialects, "
	      "three current databases)", n);

	/* A reload makes new policies; entries of the old ones never answer. */
	{
		struct dw_verdict v;
		judge(&cfg->policies[0], PG, "SELECT * FROM pg_authid", &v);
		check(v.block, "old policy blocks");
		dw_config_unref(cfg);
		for (int i = 0; i < 4; i++) {
			cfg = load("  - name: all\n");
			judge(&cfg->policies[0], PG, "SELECT * FROM pg_authid", &v);
			if (v.block)
				break;
			dw_config_unref(cfg);
			cfg = NULL;
		}
		check(cfg == NULL, "a reloaded policy (maybe at the same address) never sees old entries");
		dw_config_unref(cfg);
	}
	dw_policy_ctx_free(fresh);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/dbward-policy-test-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	ctx = dw_policy_ctx_new();
	if (ctx == NULL)
		return 1;

	test_select();
	test_globs();
	test_rules();
	test_modes();
	test_learn_and_allowlist();
	test_cache();

	dw_allowlist_writer_stop();
	dw_policy_ctx_free(ctx);
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}
