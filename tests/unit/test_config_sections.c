/* Configuration loader, second phase: the sections that judge statements
 * and sessions (policies, rate limits and auth failures, audit, errors,
 * admin): the specification's examples, defaults, and every mistake at its
 * line, column and key path. */
#include "config/policy_syntax.h"
#include "tests/unit/config_test.h"

/* Listeners and a backend, then `policies:`: the first policy line is 6. */
static struct dw_config *load_policies(const char *const *lines, char **errs)
{
	return load_after(config_test_head, 4, "policies:", lines, errs);
}

/* rate_limits and auth_failures: LINES from line 5. */
static struct dw_config *load_limits(const char *const *lines, char **errs)
{
	return load_after(config_test_head, 4, NULL, lines, errs);
}

/* Then `audit:`: the first audit key is line 6. */
static struct dw_config *load_audit(const char *const *lines, char **errs)
{
	return load_after(config_test_head, 4, "audit:", lines, errs);
}

/* Then `errors:`: the first errors key is line 6. */
static struct dw_config *load_errors(const char *const *lines, char **errs)
{
	return load_after(config_test_head, 4, "errors:", lines, errs);
}

/* LINES from line 5. */
static struct dw_config *load_admin(const char *const *lines, char **errs)
{
	return load_after(config_test_head, 4, NULL, lines, errs);
}

static void test_limits(void)
{
	struct dw_config *cfg;
	char *errs;

	cfg = load_limits(LINES(
		/*  5 */ "rate_limits:",
		/*  6 */ "  - match: { user: app }",
		/*  7 */ "    key: user",
		/*  8 */ "    queries_per_second: 500",
		/*  9 */ "    burst: 1000",
		/* 10 */ "    connections_per_second: 20",
		/* 11 */ "    max_concurrent_queries: 50",
		/* 12 */ "    action: reject",
		/* 13 */ "    max_delay: 100ms",
		/* 14 */ "  - match: { client: 10.0.0.0/8, listener: pg, database: sales }",
		/* 15 */ "    key: client_ip",
		/* 16 */ "    queries_per_second: 20",
		/* 17 */ "    action: delay",
		/* 18 */ "    max_delay: 2s",
		/* 19 */ "  - key: global",
		/* 20 */ "    connections_per_second: 5",
		/* 21 */ "  - match: { user: admin }",
		/* 22 */ "auth_failures: { max: 5, window: 1m, lockout: 5m }"), &errs);
	ok(cfg != NULL && errs[0] == '\0', "the specification's rate_limits and auth_failures load");
	if (errs[0] != '\0')
		printf("# %s", errs);
	free(errs);
	if (cfg != NULL) {
		const struct dw_rate_limit_config *r = cfg->rate_limits;
		ok(cfg->n_rate_limits == 4, "four rate limit entries");
		ok(strcmp(r[0].match.user, "app") == 0 && r[0].key == DW_RATE_KEY_USER &&
		   r[0].queries_per_second == 500 && r[0].burst == 1000 &&
		   r[0].connections_per_second == 20 && r[0].max_concurrent_queries == 50 &&
		   r[0].action == DW_RATE_REJECT && r[0].max_delay_ms == 100, "entry 0: every key");
		ok(r[1].match.client.family == AF_INET && r[1].match.client.prefix == 8 &&
		   strcmp(r[1].match.listener, "pg") == 0 && strcmp(r[1].match.database, "sales") == 0 &&
		   r[1].key == DW_RATE_KEY_CLIENT_IP && r[1].burst == 20 && r[1].action == DW_RATE_DELAY &&
		   r[1].max_delay_ms == 2000, "entry 1: match as policies have it; burst defaults to the rate");
		ok(r[2].match.user == NULL && r[2].match.client.text == NULL && r[2].key == DW_RATE_KEY_GLOBAL &&
		   r[2].queries_per_second == 0 && r[2].burst == 0 && r[2].connections_per_second == 5 &&
		   r[2].max_concurrent_queries == 0, "entry 2: no match fits every session; unset limits are 0");
		ok(r[3].key == DW_RATE_KEY_USER && r[3].queries_per_second == 0 && r[3].max_delay_ms == 100 &&
		   r[3].action == DW_RATE_REJECT, "entry 3: an exemption, with the defaults");
		ok(r[0].generation != 0 && r[0].generation != r[1].generation, "each entry has its own generation");
		ok(cfg->auth_failures.max == 5 && cfg->auth_failures.window_ms == 60000 &&
		   cfg->auth_failures.lockout_ms == 300000, "auth_failures as given");
		dw_config_unref(cfg);
	}

	/* Without the sections: no rate limits, and the lockout is on. */
	cfg = load_limits(LINES("users: []"), &errs);
	ok(cfg != NULL && cfg->n_rate_limits == 0 && cfg->rate_limits == NULL &&
	   cfg->auth_failures.max == 5 && cfg->auth_failures.window_ms == 60000 &&
	   cfg->auth_failures.lockout_ms == 300000, "defaults: no rate limits, lockout 5 in 1m for 5m");
	free(errs);
	dw_config_unref(cfg);
	cfg = load_limits(LINES("auth_failures: { max: 0 }", "rate_limits: []"), &errs);
	ok(cfg != NULL && cfg->auth_failures.max == 0 && cfg->auth_failures.lockout_ms == 300000 &&
	   cfg->n_rate_limits == 0, "max 0 turns the lockout off; an empty list is no limits");
	free(errs);
	dw_config_unref(cfg);

	/* Every mistake at once, each at its place. */
	cfg = load_limits(LINES(
		/*  5 */ "rate_limits:",
		/*  6 */ "  - match: { user: app, listener: nope, client: 10.0.0.1/8, colour: red }",
		/*  7 */ "    key: session",
		/*  8 */ "    queries_per_second: -1",
		/*  9 */ "    burst: 0",
		/* 10 */ "    connections_per_second: 99999999",
		/* 11 */ "    max_concurrent_queries: many",
		/* 12 */ "    action: wait",
		/* 13 */ "    max_delay: 1h",
		/* 14 */ "  - burst: 10",
		/* 15 */ "  - queries_per_sec: 5",
		/* 16 */ "  - match: [user]",
		/* 17 */ "auth_failures:",
		/* 18 */ "  max: lots",
		/* 19 */ "  window: 5 minutes",
		/* 20 */ "  lockout: 2d",
		/* 21 */ "  forever: true"), &errs);
	ok(cfg == NULL, "a config with rate limit mistakes is refused");
	expect_error(errs, 6, 35, "rate_limits[0].match.listener", "unknown listener \"nope\"");
	expect_error(errs, 6, 49, "rate_limits[0].match.client", "bits set beyond the prefix");
	expect_error(errs, 6, 61, "rate_limits[0].match.colour", "unknown key");
	expect_error(errs, 7, 10, "rate_limits[0].key", "must be one of user, client_ip, database, global");
	expect_error(errs, 8, 25, "rate_limits[0].queries_per_second", "invalid value \"-1\"");
	expect_error(errs, 9, 12, "rate_limits[0].burst", "out of range: must be between 1 and 10000000");
	expect_error(errs, 10, 29, "rate_limits[0].connections_per_second", "out of range");
	expect_error(errs, 11, 29, "rate_limits[0].max_concurrent_queries", "invalid value \"many\"");
	expect_error(errs, 12, 13, "rate_limits[0].action", "must be one of reject, delay");
	expect_error(errs, 13, 16, "rate_limits[0].max_delay", "out of range: must be between 0 and 10m");
	expect_error(errs, 14, 12, "rate_limits[1].burst", "needs queries_per_second");
	expect_error(errs, 15, 5, "rate_limits[2].queries_per_sec", "unknown key");
	expect_error(errs, 16, 12, "rate_limits[3].match", "expected a mapping");
	expect_error(errs, 18, 8, "auth_failures.max", "invalid value \"lots\"");
	expect_error(errs, 19, 11, "auth_failures.window", "invalid value \"5 minutes\"");
	expect_error(errs, 20, 12, "auth_failures.lockout", "invalid value \"2d\"");
	expect_error(errs, 21, 3, "auth_failures.forever", "unknown key");
	ok(count_lines(errs) == 17, "exactly those 17 errors (%zu)", count_lines(errs));
	if (count_lines(errs) != 17)
		printf("# %s", errs);
	free(errs);

	cfg = load_limits(LINES("rate_limits: { key: user }", "auth_failures: 5"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 14, "rate_limits", "expected a sequence of rate limits") &&
	   has_error(errs, 6, 16, "auth_failures", "expected a mapping"), "wrong shapes are refused");
	free(errs);
}

static void test_policies(void)
{
	char *errs, path[PATH_MAX + 64];
	struct dw_config *cfg;

	write_file("learned.yaml", "# reviewed\nfingerprints:\n  - \"00000000000000ff\"  # SELECT ?\n"
		   "  - \"0123456789abcdef\"\n  - \"00000000000000ff\"\n", 0600);
	/* Every key of the specification's example, and the other spellings. */
	cfg = load_policies(LINES(
		/*  6 */ "  - name: default",
		/*  7 */ "    match: {}",
		/*  8 */ "    mode: enforce",
		/*  9 */ "    statements:",
		/* 10 */ "      deny: [ddl, grant, admin, load_data, outfile]",
		/* 11 */ "    multi_statements: deny",
		/* 12 */ "    identifiers:",
		/* 13 */ "      deny: [\"mysql.*\", \"information_schema.*\", \"pg_catalog.pg_authid\", \"*.*password*\"]",
		/* 14 */ "      allow: []",
		/* 15 */ "      pattern: '^[A-Za-z_][A-Za-z0-9_$]*$'",
		/* 16 */ "      max_length: 64",
		/* 17 */ "    functions:",
		/* 18 */ "      deny: [sleep, benchmark, pg_sleep, load_file, pg_read_file, pg_read_binary_file, "
			 "lo_import, lo_export, dblink, sys_exec]",
		/* 19 */ "    complexity:",
		/* 20 */ "      max_joins: 8",
		/* 21 */ "      max_subquery_depth: 3",
		/* 22 */ "      max_unions: 4",
		/* 23 */ "      max_in_list: 1000",
		/* 24 */ "      require_where: [update, delete]",
		/* 25 */ "      max_statement_bytes: 1MiB",
		/* 26 */ "    results:",
		/* 27 */ "      max_rows: 100000",
		/* 28 */ "      max_bytes: 256MiB",
		/* 29 */ "    injection:",
		/* 30 */ "      detect: true",
		/* 31 */ "    unparseable: deny",
		/* 32 */ "    allowlist_file: learned.yaml",
		/* 33 */ "    long_running: true",
		/* 34 */ "  - name: reports",
		/* 35 */ "    match: { user: report, database: sales, listener: pg, client: 10.0.0.0/8 }",
		/* 36 */ "    mode: monitor",
		/* 37 */ "    identifiers: { deny: ['\"Public\".\"Us\"\"ers\"', '`a.b`.c', 'PUBLIC.*'] }",
		/* 38 */ "    functions: { deny: [PG_Catalog.PG_Sleep] }",
		/* 39 */ "    multi_statements: allow",
		/* 40 */ "    unparseable: allow",
		/* 41 */ "  - name: learner",
		/* 42 */ "    match: { client: \"2001:db8::/32\" }",
		/* 43 */ "    mode: learn",
		/* 44 */ "    allowlist_file: @DIR@/new.yaml",
		/* 45 */ "  - name: plain",
		/* 46 */ "    match: { client: 192.168.1.7 }"), &errs);
	ok(cfg != NULL && errs[0] == '\0', "policies with every key load");
	if (cfg == NULL) {
		printf("# %s", errs);
		free(errs);
		return;
	}
	free(errs);
	ok(cfg->n_policies == 4, "four policies");
	const struct dw_policy_config *p = &cfg->policies[0];
	ok(strcmp(p->name, "default") == 0 && p->match.user == NULL && p->match.database == NULL &&
	   p->match.listener == NULL && p->match.client.text == NULL && p->mode == DW_POLICY_ENFORCE,
	   "policy 0: name, empty match, mode");
	ok(p->deny_classes == 0x1f && !p->multi_statements_allow, "policy 0: classes and multi_statements");
	ok(p->n_ident_deny == 4 && strcmp(p->ident_deny[0].schema, "mysql") == 0 &&
	   strcmp(p->ident_deny[0].name, "*") == 0 && strcmp(p->ident_deny[2].text, "pg_catalog.pg_authid") == 0 &&
	   strcmp(p->ident_deny[3].schema, "*") == 0 && strcmp(p->ident_deny[3].name, "*password*") == 0 &&
	   p->n_ident_allow == 0 && p->ident_allow == NULL, "policy 0: identifier rules");
	ok(p->ident_regex != NULL && strcmp(p->ident_pattern, "^[A-Za-z_][A-Za-z0-9_$]*$") == 0 &&
	   p->ident_max_length == 64, "policy 0: pattern compiled, max_length");
	ok(p->n_functions_deny == 10 && strcmp(p->functions_deny[9], "sys_exec") == 0, "policy 0: functions");
	ok(p->max_joins == 8 && p->max_subquery_depth == 3 && p->max_unions == 4 && p->max_in_list == 1000 &&
	   p->require_where_update && p->require_where_delete && p->max_statement_bytes == 1048576,
	   "policy 0: complexity");
	ok(p->max_rows == 100000 && p->max_bytes == 256ULL << 20 && p->injection_detect &&
	   !p->unparseable_allow && p->long_running, "policy 0: results, injection, unparseable, long_running");
	snprintf(path, sizeof(path), "%s/learned.yaml", dir);
	ok(strcmp(p->allowlist_file, path) == 0 && p->allowlist_present && p->allowlist.n == 2 &&
	   p->allowlist.fingerprints[0] == 0xff && p->allowlist.fingerprints[1] == 0x0123456789abcdefULL,
	   "policy 0: relative allowlist_file resolved and loaded (sorted, duplicates merged)");
	p = &cfg->policies[1];
	ok(strcmp(p->match.user, "report") == 0 && strcmp(p->match.database, "sales") == 0 &&
	   strcmp(p->match.listener, "pg") == 0 && strcmp(p->match.client.text, "10.0.0.0/8") == 0 &&
	   p->match.client.family == AF_INET && p->match.client.prefix == 8 &&
	   p->match.client.addr[0] == 10 && p->mode == DW_POLICY_MONITOR, "policy 1: match, monitor");
	ok(p->n_ident_deny == 3 && strcmp(p->ident_deny[0].schema, "Public") == 0 &&
	   strcmp(p->ident_deny[0].name, "Us\"ers") == 0 && strcmp(p->ident_deny[1].schema, "a.b") == 0 &&
	   strcmp(p->ident_deny[1].name, "c") == 0 && strcmp(p->ident_deny[2].schema, "public") == 0,
	   "policy 1: quoted parts keep case and dots, unquoted parts fold");
	ok(p->n_functions_deny == 1 && strcmp(p->functions_deny[0], "pg_catalog.pg_sleep") == 0 &&
	   p->multi_statements_allow && p->unparseable_allow && p->deny_classes == 0 &&
	   p->allowlist_file == NULL && !p->allowlist_present, "policy 1: functions folded, allow/allow");
	p = &cfg->policies[2];
	ok(p->match.client.family == AF_INET6 && p->match.client.prefix == 32 && p->mode == DW_POLICY_LEARN &&
	   strstr(p->allowlist_file, "/new.yaml") != NULL && !p->allowlist_present,
	   "policy 2: IPv6 network, learn mode with a file yet to be created");
	p = &cfg->policies[3];
	ok(p->match.client.family == AF_INET && p->match.client.prefix == 32, "a bare address is a /32");
	ok(cfg->policies[0].generation != 0 && cfg->policies[0].generation != cfg->policies[1].generation,
	   "each policy has its own generation");
	dw_config_unref(cfg);

	/* Defaults restrict nothing, except unparseable text. */
	cfg = load_policies(LINES("  - name: only"), &errs);
	ok(cfg != NULL && errs[0] == '\0', "a policy with a name only loads");
	free(errs);
	if (cfg != NULL) {
		p = &cfg->policies[0];
		ok(p->mode == DW_POLICY_ENFORCE && p->deny_classes == 0 && p->multi_statements_allow &&
		   p->n_ident_deny == 0 && p->n_ident_allow == 0 && p->ident_regex == NULL &&
		   p->ident_max_length == 0 && p->n_functions_deny == 0 && p->max_joins == 0 &&
		   p->max_subquery_depth == 0 && p->max_unions == 0 && p->max_in_list == 0 &&
		   !p->require_where_update && !p->require_where_delete && p->max_statement_bytes == 0 &&
		   p->max_rows == 0 && p->max_bytes == 0 && !p->injection_detect && !p->unparseable_allow &&
		   !p->long_running && p->allowlist_file == NULL && !p->allowlist_present,
		   "policy defaults");
		dw_config_unref(cfg);
	}
	cfg = load_policies(LINES("  { name: x }"), &errs);
	ok(cfg == NULL && has_error(errs, 6, 3, "policies", "expected a sequence of policies, found"),
	   "policies must be a list");
	free(errs);
	cfg = load_lines(LINES(config_test_head[0], config_test_head[1], config_test_head[2], config_test_head[3]), &errs);
	ok(cfg != NULL && cfg->n_policies == 0 && cfg->policies == NULL, "no policies section, no policies");
	free(errs);
	dw_config_unref(cfg);

	/* Every mistake at once, each at its place. */
	write_file("ww.yaml", "fingerprints:\n", 0666);
	write_file("bad.yaml", "fingerprints:\n  - \"0123\"\n", 0600);
	snprintf(path, sizeof(path), "%s/wwdir", dir);
	if (mkdir(path, 0700) != 0 || chmod(path, 0777) != 0)
		perror(path);
	cfg = load_policies(LINES(
		/*  6 */ "  - name: a",
		/*  7 */ "    match: { listener: nope, client: 10.0.0.1/8 }",
		/*  8 */ "    statements: { deny: [ddl, drop, ddl] }",
		/*  9 */ "    identifiers:",
		/* 10 */ "      deny: ['a.b.c', 'x.', '\"unterminated', 'sp ace', '']",
		/* 11 */ "      pattern: '([a-z]'",
		/* 12 */ "    functions: { deny: ['pg sleep', f.g.h] }",
		/* 13 */ "    complexity: { require_where: [select], max_joins: -1, max_statement_bytes: 2GiB }",
		/* 14 */ "    mode: teach",
		/* 15 */ "    multi_statements: maybe",
		/* 16 */ "    colour: red",
		/* 17 */ "  - name: a",
		/* 18 */ "    mode: learn",
		/* 19 */ "  - match: { client: \"not-an-ip\" }",
		/* 20 */ "    allowlist_file: ww.yaml",
		/* 21 */ "  - name: c",
		/* 22 */ "    allowlist_file: wwdir/list.yaml",
		/* 23 */ "  - name: d",
		/* 24 */ "    allowlist_file: bad.yaml",
		/* 25 */ "  - name: e",
		/* 26 */ "    mode: learn",
		/* 27 */ "    allowlist_file: missing-dir/list.yaml",
		/* 28 */ "  - name: \"f g\"",
		/* 29 */ "    results: { max_rows: lots }",
		/* 30 */ "    injection: { detect: yes }",
		/* 31 */ "    unparseable: sometimes"), &errs);
	ok(cfg == NULL, "policy errors refuse the file");
	expect_error(errs, 7, 24, "policies[0].match.listener", "unknown listener \"nope\"");
	expect_error(errs, 7, 38, "policies[0].match.client", "invalid network \"10.0.0.1/8\": address has bits set");
	expect_error(errs, 8, 31, "policies[0].statements.deny[1]", "unknown statement class \"drop\": must be one of ddl");
	expect_error(errs, 8, 37, "policies[0].statements.deny[2]", "\"ddl\" is listed twice");
	expect_error(errs, 10, 14, "policies[0].identifiers.deny[0]", "invalid identifier rule \"a.b.c\": more than two parts");
	expect_error(errs, 10, 23, "policies[0].identifiers.deny[1]", "empty part");
	expect_error(errs, 10, 29, "policies[0].identifiers.deny[2]", "unterminated quoted part");
	expect_error(errs, 10, 46, "policies[0].identifiers.deny[3]", "must not contain spaces");
	expect_error(errs, 10, 56, "policies[0].identifiers.deny[4]", "must not be empty");
	expect_error(errs, 11, 16, "policies[0].identifiers.pattern", "invalid regular expression: ");
	expect_error(errs, 12, 25, "policies[0].functions.deny[0]", "invalid function name \"pg sleep\"");
	expect_error(errs, 12, 37, "policies[0].functions.deny[1]", "more than two parts");
	expect_error(errs, 13, 35, "policies[0].complexity.require_where[0]", "invalid value \"select\": must be one of update, delete");
	expect_error(errs, 13, 55, "policies[0].complexity.max_joins", "must not be negative");
	expect_error(errs, 13, 80, "policies[0].complexity.max_statement_bytes", "out of range: must be between 0 and 1GiB");
	expect_error(errs, 14, 11, "policies[0].mode", "must be one of enforce, monitor, learn");
	expect_error(errs, 15, 23, "policies[0].multi_statements", "must be one of allow, deny");
	expect_error(errs, 16, 5, "policies[0].colour", "unknown key");
	expect_error(errs, 17, 11, "policies[1].name", "duplicate policy name \"a\" (first defined at line 6)");
	expect_error(errs, 18, 11, "policies[1].allowlist_file", "required when mode is learn");
	expect_error(errs, 19, 5, "policies[2].name", "missing required key");
	expect_error(errs, 19, 22, "policies[2].match.client", "invalid network \"not-an-ip\": not an IPv4 or IPv6 address");
	expect_error(errs, 20, 21, "policies[2].allowlist_file", "refusing a world-writable allowlist file");
	expect_error(errs, 22, 21, "policies[3].allowlist_file", "its directory is world-writable");
	expect_error(errs, 24, 21, "policies[4].allowlist_file", "allowlist \"bad.yaml\": line 2 column 5: expected a fingerprint of 16 lower-case hex digits");
	expect_error(errs, 27, 21, "policies[5].allowlist_file", "its directory does not exist");
	expect_error(errs, 28, 11, "policies[6].name", "may only contain letters, digits");
	expect_error(errs, 29, 26, "policies[6].results.max_rows", "expected an unsigned integer");
	expect_error(errs, 30, 26, "policies[6].injection.detect", "expected true or false");
	expect_error(errs, 31, 18, "policies[6].unparseable", "must be one of allow, deny");
	ok(count_lines(errs) == 30, "exactly the expected policy errors (%zu lines)", count_lines(errs));
	if (failures)
		printf("# %s", errs);
	free(errs);

	/* Networks and identifier rules on their own. */
	static const char *const good_nets[] = { "0.0.0.0/0", "::/0", "::1", "fe80::/10", "10.1.2.3/32",
		"::ffff:10.0.0.0/104" };
	static const char *const bad_nets[] = { "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/8/8",
		"10.0.0.0/-1", "10.0.0.0/ 8", "10.0.0.0/0008", "10.0.0", "fe80::1%eth0", "1.2.3.4/24" };
	struct dw_cidr c;
	for (size_t i = 0; i < sizeof(good_nets) / sizeof(good_nets[0]); i++)
		ok(dw_cidr_parse(good_nets[i], &c) == NULL, "network \"%s\" parses", good_nets[i]);
	for (size_t i = 0; i < sizeof(bad_nets) / sizeof(bad_nets[0]); i++)
		ok(dw_cidr_parse(bad_nets[i], &c) != NULL, "network \"%s\" is refused", bad_nets[i]);
	struct dw_ident_rule r;
	ok(dw_ident_rule_parse("Sales.*Orders*", &r) == NULL && strcmp(r.schema, "sales") == 0 &&
	   strcmp(r.name, "*orders*") == 0 && strcmp(r.text, "Sales.*Orders*") == 0, "rule folds unquoted parts");
	dw_ident_rule_clear(&r);
	ok(dw_ident_rule_parse("`My.Table`", &r) == NULL && r.schema == NULL && strcmp(r.name, "My.Table") == 0,
	   "a backquoted one-part rule keeps its dot");
	dw_ident_rule_clear(&r);
	static const char *const bad_rules[] = { ".", "a.", ".a", "a..b", "\"\"", "\"a\"b", "a\"b\"", "a.b.c",
		"\"a", "a\tb", "a b", "x.\"y\".z" };
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++)
		ok(dw_ident_rule_parse(bad_rules[i], &r) != NULL && r.name == NULL && r.text == NULL,
		   "rule \"%s\" is refused", bad_rules[i]);
	uint64_t fp;
	ok(dw_fingerprint_parse("0123456789abcdef", 16, &fp) && fp == 0x0123456789abcdefULL &&
	   !dw_fingerprint_parse("0123456789ABCDEF", 16, &fp) && !dw_fingerprint_parse("0123", 4, &fp) &&
	   !dw_fingerprint_parse("0123456789abcdeg", 16, &fp), "fingerprint syntax");
}

static void test_audit(void)
{
	char sub[PATH_MAX + 32], open_dir[PATH_MAX + 32], target[PATH_MAX + 64];
	char link_path[PATH_MAX + 64];
	struct dw_config *cfg;
	char *errs;

	write_file("audit.key", "k3y-Sup3rS3cret\n", 0600);
	write_file("open.key", "k3y-Sup3rS3cret\n", 0644);
	snprintf(sub, sizeof(sub), "%s/log", dir);
	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	mkdir(sub, 0700);
	mkdir(open_dir, 0700);
	chmod(open_dir, 0777);
	/* Every key of the specification's example. */
	cfg = load_audit(LINES(
		/*  6 */ "  path: @DIR@/log/audit.jsonl",
		/*  7 */ "  format: json",
		/*  8 */ "  fsync: interval",
		/*  9 */ "  fsync_interval: 1s",
		/* 10 */ "  chain: hmac-sha256",
		/* 11 */ "  chain_key_file: audit.key",
		/* 12 */ "  statements: normalized",
		/* 13 */ "  syslog: { address: 127.0.0.1:514, transport: tcp }",
		/* 14 */ "  queue: 65536",
		/* 15 */ "  on_full: block",
		/* 16 */ "  max_size: 0"), &errs);
	ok(cfg != NULL, "the audit section of the specification loads: %s", errs);
	if (cfg != NULL) {
		const struct dw_audit_config *a = &cfg->audit;
		ok(a->path != NULL && strncmp(a->path, sub, strlen(sub)) == 0 &&
		   a->fsync == DW_AUDIT_FSYNC_INTERVAL && a->fsync_interval_ms == 1000 &&
		   a->chain == DW_AUDIT_CHAIN_HMAC_SHA256 && a->chain_key_len == 15 &&
		   memcmp(a->chain_key, "k3y-Sup3rS3cret", 15) == 0 &&
		   a->statements == DW_AUDIT_STMT_NORMALIZED && a->syslog_enabled &&
		   a->syslog_tcp && a->syslog_address.port == 514 && a->queue == 65536 &&
		   a->on_full == DW_AUDIT_BLOCK && a->max_size == 0, "audit values");
		dw_config_unref(cfg);
	}
	free(errs);

	cfg = load_audit(LINES("  path: @DIR@/log/audit.jsonl"), &errs);
	ok(cfg != NULL && cfg->audit.fsync == DW_AUDIT_FSYNC_INTERVAL &&
	   cfg->audit.fsync_interval_ms == 1000 && cfg->audit.chain == DW_AUDIT_CHAIN_SHA256 &&
	   cfg->audit.chain_key == NULL && cfg->audit.statements == DW_AUDIT_STMT_NORMALIZED &&
	   !cfg->audit.syslog_enabled && cfg->audit.queue == 65536 &&
	   cfg->audit.on_full == DW_AUDIT_BLOCK && cfg->audit.max_size == 0, "audit defaults");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_audit(LINES("  syslog: { address: 127.0.0.1:514 }", "  fsync: never"), &errs);
	ok(cfg != NULL && cfg->audit.path == NULL && cfg->audit.syslog_enabled &&
	   !cfg->audit.syslog_tcp, "no path: auditing off; syslog transport defaults to udp");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_policies(LINES("  - name: p"), &errs);
	ok(cfg != NULL && cfg->audit.path == NULL, "no audit section: auditing off");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	snprintf(target, sizeof(target), "%s/log/real.jsonl", dir);
	snprintf(link_path, sizeof(link_path), "%s/log/link.jsonl", dir);
	write_file("log/real.jsonl", "", 0600);
	unlink(link_path);
	ok(symlink(target, link_path) == 0, "a symbolic link to test with");
	cfg = load_audit(LINES(
		/*  6 */ "  path: log/audit.jsonl",
		/*  7 */ "  format: xml",
		/*  8 */ "  fsync: sometimes",
		/*  9 */ "  fsync_interval: 0",
		/* 10 */ "  chain: hmac-sha256",
		/* 11 */ "  statements: all",
		/* 12 */ "  syslog: { transport: sctp }",
		/* 13 */ "  queue: 0",
		/* 14 */ "  on_full: wait",
		/* 15 */ "  max_size: 1KiB"), &errs);
	ok(cfg == NULL, "audit errors refuse the file");
	expect_error(errs, 6, 9, "audit.path", "must be an absolute path");
	expect_error(errs, 7, 11, "audit.format", "must be json");
	expect_error(errs, 8, 10, "audit.fsync", "must be one of always, interval, never");
	expect_error(errs, 9, 19, "audit.fsync_interval", "out of range");
	expect_error(errs, 10, 10, "audit.chain_key_file", "required when chain is hmac-sha256");
	expect_error(errs, 11, 15, "audit.statements", "must be one of none, normalized, full");
	expect_error(errs, 12, 11, "audit.syslog.address", "missing required key");
	expect_error(errs, 12, 24, "audit.syslog.transport", "must be one of udp, tcp");
	expect_error(errs, 13, 10, "audit.queue", "out of range");
	expect_error(errs, 14, 12, "audit.on_full", "must be one of block, drop");
	expect_error(errs, 15, 13, "audit.max_size", "at least 64KiB");
	ok(count_lines(errs) == 11, "exactly the expected errors (%zu lines)", count_lines(errs));
	if (failures)
		printf("# %s", errs);
	free(errs);

	cfg = load_audit(LINES(
		/*  6 */ "  path: @DIR@/log/../log/audit.jsonl",
		/*  7 */ "  chain: sha256",
		/*  8 */ "  chain_key_file: audit.key"), &errs);
	ok(cfg == NULL, "\"..\" and a key without hmac refuse the file");
	expect_error(errs, 6, 9, "audit.path", "must not contain a \"..\" component");
	expect_error(errs, 8, 19, "audit.chain_key_file", "only used with chain: hmac-sha256");
	ok(count_lines(errs) == 2, "exactly the expected errors (%zu lines)", count_lines(errs));
	free(errs);

	cfg = load_audit(LINES("  path: @DIR@/open/audit.jsonl"), &errs);
	ok(cfg == NULL, "a world-writable directory refuses the file");
	expect_error(errs, 6, 9, "audit.path", "its directory is world-writable");
	free(errs);
	cfg = load_audit(LINES("  path: @DIR@/missing/audit.jsonl"), &errs);
	ok(cfg == NULL, "a missing directory refuses the file");
	expect_error(errs, 6, 9, "audit.path", "does not exist");
	free(errs);
	cfg = load_audit(LINES("  path: @DIR@/log/link.jsonl"), &errs);
	ok(cfg == NULL, "a symbolic link refuses the file");
	expect_error(errs, 6, 9, "audit.path", "it is a symbolic link");
	free(errs);
	cfg = load_audit(LINES("  path: @DIR@/log"), &errs);
	ok(cfg == NULL, "a directory at the path refuses the file");
	expect_error(errs, 6, 9, "audit.path", "not a regular file");
	free(errs);
	cfg = load_audit(LINES("  path: @DIR@/log/", "  chain: hmac-sha256", "  chain_key_file: open.key"),
			 &errs);
	ok(cfg == NULL, "a directory path and a readable key refuse the file");
	expect_error(errs, 6, 9, "audit.path", "names a directory");
	expect_error(errs, 8, 19, "audit.chain_key_file", "refusing a world-readable secret file");
	ok(strstr(errs, "k3y-Sup3rS3cret") == NULL && strstr(errs, "open.key") == NULL,
	   "the key and its file name never appear in errors");
	free(errs);
	chmod(open_dir, 0700);
}

static void test_errors(void)
{
	struct dw_config *cfg;
	char *errs;

	/* The specification's example, plus a MySQL error number. */
	cfg = load_errors(LINES(
		/*  6 */ "  mode: sanitize",
		/*  7 */ "  passthrough_sqlstates: [\"23505\", \"23503\", \"40001\", \"40P01\", 1062]"),
		&errs);
	ok(cfg != NULL, "the errors section of the specification loads: %s", errs);
	if (cfg != NULL) {
		const struct dw_errors_config *e = &cfg->errors;
		ok(e->mode == DW_ERRORS_SANITIZE && e->n_passthrough == 5 &&
		   str_is(e->passthrough[0], "23505") && str_is(e->passthrough[3], "40P01") &&
		   str_is(e->passthrough[4], "1062"), "errors values");
		dw_config_unref(cfg);
	}
	free(errs);

	cfg = load_errors(LINES("  passthrough_sqlstates: []"), &errs);
	ok(cfg != NULL && cfg->errors.mode == DW_ERRORS_PASSTHROUGH && cfg->errors.n_passthrough == 0 &&
	   cfg->errors.passthrough == NULL, "errors defaults: passthrough, nothing listed");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);
	cfg = load_policies(LINES("  - name: p"), &errs);
	ok(cfg != NULL && cfg->errors.mode == DW_ERRORS_PASSTHROUGH, "no errors section: passthrough");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_errors(LINES(
		/*  6 */ "  mode: hide",
		/*  7 */ "  passthrough_sqlstates:",
		/*  8 */ "    - 235",
		/*  9 */ "    - 42p01",
		/* 10 */ "    - \"ABCDEF\"",
		/* 11 */ "    - \"0999\"",
		/* 12 */ "    - 23505",
		/* 13 */ "    - \"23505\"",
		/* 14 */ "    - [40001]",
		/* 15 */ "    - \"42 01\"",
		/* 16 */ "  passthrough_sqlstate: [1062]"), &errs);
	ok(cfg == NULL, "errors errors refuse the file");
	expect_error(errs, 6, 9, "errors.mode", "must be one of passthrough, sanitize");
	expect_error(errs, 8, 7, "errors.passthrough_sqlstates[0]", "invalid code \"235\": expected a SQLSTATE");
	expect_error(errs, 9, 7, "errors.passthrough_sqlstates[1]", "invalid code \"42p01\"");
	expect_error(errs, 10, 7, "errors.passthrough_sqlstates[2]", "invalid code \"ABCDEF\"");
	expect_error(errs, 11, 7, "errors.passthrough_sqlstates[3]", "or a MySQL error number (1000-9999)");
	expect_error(errs, 13, 7, "errors.passthrough_sqlstates[5]", "\"23505\" is listed twice");
	expect_error(errs, 14, 7, "errors.passthrough_sqlstates[6]", "expected a scalar value");
	expect_error(errs, 15, 7, "errors.passthrough_sqlstates[7]", "invalid code \"42 01\"");
	expect_error(errs, 16, 3, "errors.passthrough_sqlstate", "unknown key (did you mean \"passthrough_sqlstates\"?)");
	ok(count_lines(errs) == 9, "exactly the expected errors (%zu lines)", count_lines(errs));
	if (failures)
		printf("# %s", errs);
	free(errs);

	cfg = load_errors(LINES("  - sanitize"), &errs);
	ok(cfg == NULL && has_error(errs, 6, 3, "errors", "expected a mapping, found a sequence") &&
	   count_lines(errs) == 1, "errors must be a mapping");
	free(errs);
	cfg = load_errors(LINES("  passthrough_sqlstates: 23505"), &errs);
	ok(cfg == NULL && has_error(errs, 6, 26, "errors.passthrough_sqlstates",
				    "expected a sequence, found a scalar") && count_lines(errs) == 1,
	   "passthrough_sqlstates must be a list");
	free(errs);
}

static void test_admin(void)
{
	struct dw_config *cfg;
	char *errs;

	cfg = load_admin(LINES("workers: 1"), &errs);
	ok(cfg != NULL && !cfg->admin.enabled, "no admin section: the endpoint is off");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_admin(LINES("admin: {}"), &errs);
	ok(cfg != NULL && cfg->admin.enabled && str_is(cfg->admin.listen.host, "127.0.0.1") &&
	   cfg->admin.listen.port == 9187, "admin: {} serves on 127.0.0.1:9187");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_admin(LINES("admin:"), &errs);
	ok(cfg != NULL && cfg->admin.enabled, "an empty admin section turns the endpoint on: %s", errs);
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_admin(LINES("admin:", "  listen: \"[::1]:19187\""), &errs);
	ok(cfg != NULL && cfg->admin.enabled && str_is(cfg->admin.listen.host, "::1") &&
	   cfg->admin.listen.port == 19187, "an IPv6 admin address");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	cfg = load_admin(LINES("admin: { enabled: false, listen: 0.0.0.0:6432 }"), &errs);
	ok(cfg != NULL && !cfg->admin.enabled,
	   "enabled: false turns it off (and its address then takes nothing)");
	if (cfg != NULL)
		dw_config_unref(cfg);
	free(errs);

	/* Every error at once, each with its place. */
	cfg = load_admin(LINES(
		/* 5 */ "admin:",
		/* 6 */ "  enabled: maybe",
		/* 7 */ "  listen: localhost",
		/* 8 */ "  port: 9187"), &errs);
	ok(cfg == NULL, "admin errors refuse the file");
	expect_error(errs, 6, 12, "admin.enabled", "expected true or false");
	expect_error(errs, 7, 11, "admin.listen", "invalid address \"localhost\"");
	expect_error(errs, 8, 3, "admin.port", "unknown key");
	ok(count_lines(errs) == 3, "exactly the expected errors (%zu lines)", count_lines(errs));
	free(errs);

	cfg = load_admin(LINES("admin: { listen: \"\" }"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 18, "admin.listen", "address must not be empty"),
	   "an empty address is an error");
	free(errs);
	cfg = load_admin(LINES("admin: { listen: /run/dbward/admin.sock }"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 18, "admin.listen", "does not listen on unix sockets"),
	   "a unix socket path is refused");
	free(errs);
	cfg = load_admin(LINES("admin: { listen: \"127.0.0.1:0\" }"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 18, "admin.listen", "port must be between 1 and 65535"),
	   "port 0 is refused");
	free(errs);
	cfg = load_admin(LINES("admin: { listen: \"0.0.0.0:6432\" }"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 18, "admin.listen",
				    "address \"0.0.0.0:6432\" overlaps listeners[0].listen"),
	   "the admin address must not overlap a listener");
	free(errs);
	cfg = load_admin(LINES("admin: [127.0.0.1:9187]"), &errs);
	ok(cfg == NULL && has_error(errs, 5, 8, "admin", "expected a mapping, found a sequence"),
	   "admin must be a mapping");
	free(errs);
}

int main(void)
{
	if (config_test_begin() != 0)
		return 1;
	test_policies();
	test_audit();
	test_errors();
	test_limits();
	test_admin();
	return config_test_end();
}
