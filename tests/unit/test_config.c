/* Configuration loader, first phase: values (durations, sizes, addresses),
 * the whole file (defaults, every error class with its position and key
 * path, all errors at once), users and their secrets, and the generated
 * reference. The sections judged later (policies, limits, audit, errors,
 * admin) are in test_config_sections.c.
 *
 * Run with --reference to print the key reference embedded in
 * docs/configuration.md. */
#include "config/config_values.h"
#include "tests/unit/config_test.h"

static void test_durations(void)
{
	static const struct { const char *text; uint64_t ms; } good[] = {
		{ "250ms", 250 }, { "5s", 5000 }, { "10m", 600000 }, { "1h", 3600000 },
		{ "0", 0 }, { "0s", 0 }, { "007s", 7000 },
	};
	static const char *const bad[] = {
		"", "5", "-1s", "+1s", "1.5s", "5 s", " 5s", "5s ", "s", "1d", "5S", "5sec",
		"18446744073709551615h", "99999999999999999999999ms", "0x10s",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(dw_parse_duration_ms(good[i].text, &v) == NULL && v == good[i].ms,
		   "duration \"%s\" parses", good[i].text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(dw_parse_duration_ms(bad[i], &v) != NULL, "duration \"%s\" is refused", bad[i]);

	char buf[32];
	ok(strcmp(dw_format_duration(90000, buf, sizeof(buf)), "90s") == 0, "format 90s");
	ok(strcmp(dw_format_duration(7200000, buf, sizeof(buf)), "2h") == 0, "format 2h");
	ok(strcmp(dw_format_duration(1500, buf, sizeof(buf)), "1500ms") == 0, "format 1500ms");
}

static void test_sizes(void)
{
	static const struct { const char *text; uint64_t bytes; } good[] = {
		{ "512", 512 }, { "0", 0 }, { "64KiB", 65536 }, { "16MiB", 16777216 },
		{ "1GiB", 1073741824 }, { "2TiB", 2199023255552ULL }, { "100B", 100 },
	};
	static const char *const bad[] = {
		"", "-1", "1.5MiB", "64KB", "64kb", "16M", "1 GiB", "KiB", "17179869184GiB",
		"99999999999999999999999",
	};
	uint64_t v;
	char buf[32];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(dw_parse_size(good[i].text, &v) == NULL && v == good[i].bytes,
		   "size \"%s\" parses", good[i].text);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(dw_parse_size(bad[i], &v) != NULL, "size \"%s\" is refused", bad[i]);
	ok(strcmp(dw_format_size(1048576, buf, sizeof(buf)), "1MiB") == 0, "format 1MiB");
	ok(strcmp(dw_format_size(1000, buf, sizeof(buf)), "1000") == 0, "format 1000");
}

static void test_addresses(void)
{
	struct dw_address a;
	char long_path[200];

	ok(dw_parse_address("127.0.0.1:6432", &a) == NULL && strcmp(a.host, "127.0.0.1") == 0 &&
	   a.port == 6432 && a.unix_path == NULL && strcmp(a.text, "127.0.0.1:6432") == 0,
	   "address ipv4:port");
	dw_address_clear(&a);
	ok(dw_parse_address("[::1]:5432", &a) == NULL && strcmp(a.host, "::1") == 0 &&
	   a.port == 5432, "address [ipv6]:port");
	dw_address_clear(&a);
	ok(dw_parse_address("localhost:5432", &a) == NULL && strcmp(a.host, "localhost") == 0 &&
	   a.port == 5432, "address name:port");
	dw_address_clear(&a);
	ok(dw_parse_address("/run/postgresql/.s.PGSQL.5432", &a) == NULL && a.host == NULL &&
	   a.port == 0 && strcmp(a.unix_path, "/run/postgresql/.s.PGSQL.5432") == 0,
	   "address unix socket file");
	dw_address_clear(&a);
	ok(dw_parse_address("/run/postgresql", &a) == NULL && strcmp(a.unix_path,
	   "/run/postgresql") == 0, "address unix socket directory");
	dw_address_clear(&a);
	ok(dw_parse_address("db.example.com:65535", &a) == NULL && a.port == 65535,
	   "address port 65535");
	dw_address_clear(&a);

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	static const char *const bad[] = {
		"", ":5432", "host", "host:", "host:0", "host:65536", "host:-1", "host:5x",
		"::1:5432", "[::1]", "[::1]5432", "[zz]:5432", "[::1:5432", "ho st:5432",
		"relative/sock", "host:99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(dw_parse_address(bad[i], &a) == NULL ? (dw_address_clear(&a), 0) : 1,
		   "address \"%s\" is refused", bad[i]);
	}
	ok(dw_parse_address(long_path, &a) != NULL, "over-long unix socket path is refused");
}

static void test_full_config(void)
{
	char *errs;
	struct dw_config *cfg;
	char path[PATH_MAX + 64];

	write_file("server.crt", "cert\n", 0644);
	write_file("server.key", "key\n", 0600);
	write_file("ca.crt", "ca\n", 0644);
	write_file("backend.pw", "be-secret\n", 0600);
	write_file("user.pw", "file-pw\r\n", 0640);
	setenv("DW_TEST_APP_PW", "env-secret", 1);

	cfg = load_lines(LINES(
		"# every key set to a non-default value",
		"workers: 3",
		"listeners:",
		"  - name: pg",
		"    protocol: postgres",
		"    listen: 127.0.0.1:6432",
		"    backend: pg-main",
		"    max_clients: 500",
		"    tls:",
		"      mode: require",
		"      cert_file: @DIR@/server.crt",
		"      key_file: server.key        # relative to the config file",
		"  - name: my",
		"    protocol: mysql",
		"    listen: \"[::1]:3307\"",
		"    backend: maria-main",
		"    tls: { mode: prefer, cert_file: server.crt, key_file: server.key }",
		"  - name: sock",
		"    protocol: postgres",
		"    listen: @DIR@/.s.PGSQL.6432",
		"    backend: pg-main",
		"backends:",
		"  - name: pg-main",
		"    protocol: postgres",
		"    address: /var/run/postgresql",
		"    tls: { mode: verify-full, ca_file: @DIR@/ca.crt }",
		"    pool:",
		"      mode: session",
		"      size: 50",
		"      min_idle: 2",
		"      idle_timeout: 90s",
		"      max_lifetime: 2h",
		"      max_uses: 0",
		"    health_check: { interval: 250ms }",
		"    circuit_breaker: { failures: 7, reset_after: 2m, probe_successes: 4 }",
		"    connect_retry: { attempts: 5, base_delay: 50ms, max_delay: 3s }",
		"  - name: maria-main",
		"    protocol: mysql",
		"    address: localhost:3306",
		"    tls: { mode: require }",
		"    pool: { mode: transaction, size: 10 }",
		"users:",
		"  - name: app",
		"    password_env: DW_TEST_APP_PW",
		"    backend_user: app_rw",
		"    backend_password_file: @DIR@/backend.pw",
		"    backends: [pg-main]",
		"    auth: md5",
		"  - name: report",
		"    password: 'inline pw'",
		"    backend_password_env: DW_TEST_APP_PW",
		"    auth: password",
		"  - name: filer",
		"    password_file: user.pw",
		"    backends:",
		"      - pg-main",
		"      - maria-main",
		"timeouts:",
		"  connect: 1s",
		"  login: 2s",
		"  query: 3s",
		"  write: 4s",
		"  admin: 5s",
		"  long_query: 6m",
		"  client_idle: 7h",
		"  idle_in_transaction: 8s",
		"  pool_wait: 9ms"), &errs);
	ok(cfg != NULL && errs[0] == '\0', "full config loads without errors");
	if (cfg == NULL) {
		printf("# %s", errs);
		free(errs);
		return;
	}
	free(errs);
	ok(atomic_load(&cfg->refs) == 1 && strcmp(cfg->path, cfg_path) == 0, "refs 1, path kept");
	ok(cfg->workers == 3, "workers");
	ok(cfg->n_listeners == 3 && cfg->n_backends == 2 && cfg->n_users == 3, "list counts");

	const struct dw_listener_config *l = &cfg->listeners[0];
	snprintf(path, sizeof(path), "%s/server.key", dir);
	ok(strcmp(l->name, "pg") == 0 && l->protocol == DW_PROTO_POSTGRES &&
	   strcmp(l->listen.host, "127.0.0.1") == 0 && l->listen.port == 6432 &&
	   strcmp(l->backend, "pg-main") == 0 && l->backend_index == 0 &&
	   l->max_clients == 500, "listener 0 fields");
	ok(l->tls.mode == DW_TLS_REQUIRE && strstr(l->tls.cert_file, "/server.crt") != NULL &&
	   strcmp(l->tls.key_file, path) == 0 && l->tls.ca_file == NULL,
	   "listener 0 tls (relative key_file resolved against the config directory)");
	l = &cfg->listeners[1];
	ok(l->protocol == DW_PROTO_MYSQL && strcmp(l->listen.host, "::1") == 0 &&
	   l->listen.port == 3307 && l->backend_index == 1 && l->tls.mode == DW_TLS_PREFER &&
	   l->max_clients == 10000, "listener 1 fields (flow-style tls)");
	l = &cfg->listeners[2];
	ok(l->listen.host == NULL && l->listen.port == 0 &&
	   strstr(l->listen.unix_path, "/.s.PGSQL.6432") != NULL && l->tls.mode == DW_TLS_DISABLE,
	   "listener 2 unix socket");

	const struct dw_backend_config *b = &cfg->backends[0];
	ok(strcmp(b->name, "pg-main") == 0 && b->protocol == DW_PROTO_POSTGRES &&
	   strcmp(b->address.unix_path, "/var/run/postgresql") == 0 && b->address.host == NULL,
	   "backend 0 address");
	ok(b->tls.mode == DW_TLS_VERIFY_FULL && strstr(b->tls.ca_file, "/ca.crt") != NULL,
	   "backend 0 tls");
	ok(b->pool.mode == DW_POOL_SESSION && b->pool.size == 50 && b->pool.min_idle == 2 &&
	   b->pool.idle_timeout_ms == 90000 && b->pool.max_lifetime_ms == 7200000 &&
	   b->pool.max_uses == 0, "backend 0 pool");
	ok(b->health_check_interval_ms == 250 && b->breaker_failures == 7 &&
	   b->breaker_reset_after_ms == 120000 && b->breaker_probe_successes == 4 &&
	   b->retry_attempts == 5 && b->retry_base_delay_ms == 50 &&
	   b->retry_max_delay_ms == 3000, "backend 0 health, breaker, retry");
	b = &cfg->backends[1];
	ok(b->protocol == DW_PROTO_MYSQL && strcmp(b->address.host, "localhost") == 0 &&
	   b->address.port == 3306 && b->tls.mode == DW_TLS_REQUIRE &&
	   b->pool.mode == DW_POOL_TRANSACTION && b->pool.size == 10 && b->pool.min_idle == 0 &&
	   b->pool.max_uses == 7500, "backend 1 fields and pool defaults");

	const struct dw_user_config *u = &cfg->users[0];
	ok(strcmp(u->name, "app") == 0 && strcmp(u->password, "env-secret") == 0 &&
	   strcmp(u->backend_user, "app_rw") == 0 &&
	   strcmp(u->backend_password, "be-secret") == 0 && u->n_backends == 1 &&
	   strcmp(u->backends[0], "pg-main") == 0 && u->auth == DW_AUTH_MD5,
	   "user app: env password, file backend password (newline trimmed), md5");
	u = &cfg->users[1];
	ok(strcmp(u->password, "inline pw") == 0 && strcmp(u->backend_user, "report") == 0 &&
	   strcmp(u->backend_password, "env-secret") == 0 && u->n_backends == 0 &&
	   u->auth == DW_AUTH_CLEARTEXT, "user report: inline password, defaults");
	u = &cfg->users[2];
	ok(strcmp(u->password, "file-pw") == 0 && strcmp(u->backend_password, "file-pw") == 0 &&
	   u->n_backends == 2 && u->auth == DW_AUTH_SCRAM_SHA_256,
	   "user filer: relative password_file (CRLF trimmed), block list");

	const struct dw_timeouts *t = &cfg->timeouts;
	ok(t->connect_ms == 1000 && t->login_ms == 2000 && t->query_ms == 3000 &&
	   t->write_ms == 4000 && t->admin_ms == 5000 && t->long_query_ms == 360000 &&
	   t->client_idle_ms == 7 * 3600000ULL && t->idle_in_transaction_ms == 8000 &&
	   t->pool_wait_ms == 9, "timeouts");

	/* Lookups and references. */
	ok(dw_config_backend(cfg, "maria-main") == &cfg->backends[1] &&
	   dw_config_backend(cfg, "nope") == NULL, "dw_config_backend");
	ok(dw_config_user(cfg, "report") == &cfg->users[1] && dw_config_user(cfg, "x") == NULL,
	   "dw_config_user");
	ok(dw_config_user_may_use(&cfg->users[0], "pg-main") &&
	   !dw_config_user_may_use(&cfg->users[0], "maria-main") &&
	   dw_config_user_may_use(&cfg->users[1], "maria-main"), "dw_config_user_may_use");
	ok(dw_config_ref(cfg) == cfg && atomic_load(&cfg->refs) == 2, "dw_config_ref");
	dw_config_unref(cfg);
	ok(atomic_load(&cfg->refs) == 1, "dw_config_unref keeps a referenced snapshot");
	dw_config_unref(cfg);
	dw_config_unref(NULL);
}

static void test_defaults(void)
{
	char *errs;
	struct dw_config *cfg = load_lines(LINES(
		"listeners:",
		"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }",
		"backends:",
		"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }"), &errs);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	ok(cfg != NULL && errs[0] == '\0', "minimal config loads");
	free(errs);
	if (cfg == NULL)
		return;
	ok(cfg->workers == (uint32_t)(cpus < 1 ? 1 : cpus), "workers defaults to auto = %ld", cpus);
	ok(cfg->n_users == 0 && cfg->users == NULL, "users may be empty");
	ok(cfg->listeners[0].max_clients == 10000 && cfg->listeners[0].tls.mode == DW_TLS_DISABLE &&
	   cfg->listeners[0].tls.cert_file == NULL, "listener defaults");
	const struct dw_backend_config *b = &cfg->backends[0];
	ok(b->tls.mode == DW_TLS_PREFER && b->tls.ca_file == NULL, "backend tls default prefer");
	ok(b->pool.mode == DW_POOL_TRANSACTION && b->pool.size == 20 && b->pool.min_idle == 0 &&
	   b->pool.idle_timeout_ms == 600000 && b->pool.max_lifetime_ms == 3600000 &&
	   b->pool.max_uses == 7500, "pool defaults");
	ok(b->health_check_interval_ms == 5000 && b->breaker_failures == 5 &&
	   b->breaker_reset_after_ms == 60000 && b->breaker_probe_successes == 3 &&
	   b->retry_attempts == 3 && b->retry_base_delay_ms == 100 &&
	   b->retry_max_delay_ms == 5000, "health, breaker and retry defaults");
	const struct dw_timeouts *t = &cfg->timeouts;
	ok(t->connect_ms == 5000 && t->login_ms == 10000 && t->query_ms == 30000 &&
	   t->write_ms == 60000 && t->admin_ms == 15000 && t->long_query_ms == 300000 &&
	   t->client_idle_ms == 0 && t->idle_in_transaction_ms == 0 && t->pool_wait_ms == 5000,
	   "timeout defaults");
	dw_config_unref(cfg);

	cfg = load_lines(LINES(
		"workers: auto",
		"listeners:",
		"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }",
		"backends:",
		"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }",
		"users:",
		"timeouts:"), &errs);
	ok(cfg != NULL && cfg->n_users == 0 && cfg->timeouts.login_ms == 10000,
	   "empty `users:` and `timeouts:` mean defaults");
	free(errs);
	dw_config_unref(cfg);
}

/* One file with many mistakes: every one is reported, in file order. */
static void test_many_errors(void)
{
	char *errs;
	struct dw_config *cfg = load_lines(LINES(
		/*  1 */ "workers: 0",
		/*  2 */ "policies: [{ mode: enforce }]",
		/*  3 */ "listeners:",
		/*  4 */ "  - name: pg",
		/*  5 */ "    protocol: postgress",
		/*  6 */ "    listen: 127.0.0.1:99999",
		/*  7 */ "    backend: nope",
		/*  8 */ "    tls: { mode: require }",
		/*  9 */ "  - name: pg",
		/* 10 */ "    protocol: mysql",
		/* 11 */ "    listen: 127.0.0.1:6432",
		/* 12 */ "    backend: pg-main",
		/* 13 */ "    max_clent: 5",
		/* 14 */ "  - name: third",
		/* 15 */ "    protocol: postgres",
		/* 16 */ "    listen: 127.0.0.1:6432",
		/* 17 */ "    backend: pg-main",
		/* 18 */ "    max_clients: many",
		/* 19 */ "    tls: on",
		/* 20 */ "backends:",
		/* 21 */ "  - name: pg-main",
		/* 22 */ "    protocol: postgres",
		/* 23 */ "    address: 127.0.0.1:5432",
		/* 24 */ "    pool: { size: 0, min_idle: 5, idle_timeout: 5, mode: batch }",
		/* 25 */ "    connect_retry: { base_delay: 10s, max_delay: 1s }",
		/* 26 */ "  - protocol: mysql",
		/* 27 */ "    pool: [1, 2]",
		/* 28 */ "  - name: pg-main",
		/* 29 */ "    protocol: postgres",
		/* 30 */ "    address: ::1:5432",
		/* 31 */ "    circuit_breaker: { reset_after: -1s, probe_successes: 0 }",
		/* 32 */ "users:",
		/* 33 */ "  - name: app",
		/* 34 */ "    password: one",
		/* 35 */ "    password_env: TWO",
		/* 36 */ "    backends: [nope2, pg-main]",
		/* 37 */ "    auth: plain",
		/* 38 */ "  - name: app",
		/* 39 */ "  - backends: pg-main",
		/* 40 */ "    password: x",
		/* 41 */ "timeouts:",
		/* 42 */ "  query: 30",
		/* 43 */ "  write: 1.5s",
		/* 44 */ "  login: 2d",
		/* 45 */ "  connect: 2h",
		/* 46 */ "  query: 5s"), &errs);

	ok(cfg == NULL, "a file with errors is refused");
	expect_error(errs, 1, 10, "workers", "out of range: must be between 1 and 1024");
	expect_error(errs, 2, 12, "policies[0].name", "missing required key");
	expect_error(errs, 5, 15, "listeners[0].protocol", "invalid value \"postgress\": must be one of postgres, mysql");
	expect_error(errs, 6, 13, "listeners[0].listen", "port must be between 1 and 65535");
	expect_error(errs, 7, 14, "listeners[0].backend", "unknown backend \"nope\"");
	expect_error(errs, 8, 18, "listeners[0].tls.cert_file", "required when tls.mode is prefer or require");
	expect_error(errs, 8, 18, "listeners[0].tls.key_file", "required when tls.mode");
	expect_error(errs, 9, 11, "listeners[1].name", "duplicate listener name \"pg\" (first defined at line 4)");
	expect_error(errs, 12, 14, "listeners[1].backend", "protocol mismatch");
	expect_error(errs, 13, 5, "listeners[1].max_clent", "unknown key (did you mean \"max_clients\"?)");
	expect_error(errs, 16, 13, "listeners[2].listen", "overlaps listeners[1].listen");
	expect_error(errs, 18, 18, "listeners[2].max_clients", "expected an unsigned integer");
	expect_error(errs, 19, 10, "listeners[2].tls", "expected a mapping, found a scalar");
	expect_error(errs, 24, 19, "backends[0].pool.size", "out of range: must be between 1 and 10000");
	expect_error(errs, 24, 49, "backends[0].pool.idle_timeout", "a duration needs a unit");
	expect_error(errs, 24, 58, "backends[0].pool.mode", "must be one of session, transaction");
	expect_error(errs, 25, 50, "backends[0].connect_retry.max_delay", "must not be shorter than base_delay");
	expect_error(errs, 26, 5, "backends[1].name", "missing required key");
	expect_error(errs, 26, 5, "backends[1].address", "missing required key");
	expect_error(errs, 27, 11, "backends[1].pool", "expected a mapping, found a sequence");
	expect_error(errs, 28, 11, "backends[2].name", "duplicate backend name \"pg-main\" (first defined at line 21)");
	expect_error(errs, 30, 14, "backends[2].address", "must be written in brackets");
	expect_error(errs, 31, 37, "backends[2].circuit_breaker.reset_after", "must not be negative");
	expect_error(errs, 31, 59, "backends[2].circuit_breaker.probe_successes", "between 1 and 1000");
	expect_error(errs, 35, 5, "users[0].password_env", "only one of password, password_env and password_file");
	expect_error(errs, 36, 16, "users[0].backends[0]", "unknown backend \"nope2\"");
	expect_error(errs, 37, 11, "users[0].auth", "must be one of scram-sha-256, md5, password");
	expect_error(errs, 38, 5, "users[1].password", "missing required key (one of password, password_env or password_file)");
	expect_error(errs, 38, 11, "users[1].name", "duplicate user name \"app\" (first defined at line 33)");
	expect_error(errs, 39, 5, "users[2].name", "missing required key");
	expect_error(errs, 39, 15, "users[2].backends", "expected a sequence, found a scalar");
	expect_error(errs, 42, 10, "timeouts.query", "a duration needs a unit");
	expect_error(errs, 43, 10, "timeouts.write", "expected a duration");
	expect_error(errs, 44, 10, "timeouts.login", "expected a duration");
	expect_error(errs, 45, 12, "timeouts.connect", "out of range: must be between 0 and 1h");
	expect_error(errs, 46, 3, "timeouts.query", "duplicate key (first given at line 42)");
	ok(count_lines(errs) == 36, "exactly the expected errors (%zu lines)", count_lines(errs));
	/* Sorted by position. */
	const char *first = strstr(errs, ":1:10: workers"), *last = strstr(errs, ":46:3: timeouts");
	ok(first != NULL && last != NULL && first < last && errs[strlen(errs) - 1] == '\n',
	   "errors are printed in file order, one per line");
	if (failures)
		printf("# %s", errs);
	free(errs);
}

static void test_small_errors(void)
{
	char *errs;
	struct dw_config *cfg;
	char path[PATH_MAX + 64];
	FILE *f;
	size_t len;

	/* Empty file and comments only. */
	cfg = load_lines(LINES(""), &errs);
	ok(cfg == NULL && has_error(errs, 1, 1, "listeners", "no listeners configured") &&
	   has_error(errs, 1, 1, "backends", "no backends configured"), "empty file");
	free(errs);
	cfg = load_lines(LINES("# nothing", "  # here"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 1, "listeners", "no listeners configured"),
	   "comments only");
	free(errs);
	cfg = load_lines(LINES("listeners: []", "backends:"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 12, "listeners", "no listeners configured") &&
	   has_error(errs, 2, 10, "backends", "no backends configured"), "empty lists");
	free(errs);

	/* Root of the wrong type. */
	cfg = load_lines(LINES("- a", "- b"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 1, "(top level)", "expected a mapping, found a sequence") &&
	   count_lines(errs) == 1, "top level must be a mapping");
	free(errs);

	/* YAML syntax errors. */
	cfg = load_lines(LINES("listeners:", "  - name: pg", "    protocol: [postgres", "backends: x"),
			 &errs);
	ok(cfg == NULL && strstr(errs, "(syntax): YAML syntax error") != NULL &&
	   count_lines(errs) == 1, "syntax error reported: %s", errs);
	free(errs);
	cfg = load_lines(LINES("a: 1", "  b: 2"), &errs);
	ok(cfg == NULL && has_error(errs, 2, 4, "(syntax)", "mapping values are not allowed"),
	   "syntax error position");
	free(errs);
	cfg = load_lines(LINES("workers: 1", "---", "workers: 2"), &errs);
	ok(cfg == NULL && has_error(errs, 2, 1, "(syntax)", "only one YAML document"),
	   "a second document is refused");
	free(errs);
	cfg = load_lines(LINES("workers: *nothing"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 10, "(syntax)", "undefined"), "undefined alias");
	free(errs);
	cfg = load_lines(LINES("x: &a [1, *a]"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 11, "(syntax)", "undefined (or enclosing) anchor"),
	   "self-referencing alias is refused");
	free(errs);
	{
		char deep[300];
		memset(deep, '[', 100);
		memset(deep + 100, ']', 100);
		deep[200] = '\0';
		char line[320];
		snprintf(line, sizeof(line), "x: %s", deep);
		cfg = load_lines(LINES(line), &errs);
		ok(cfg == NULL && has_error(errs, 1, 67, "(syntax)", "nesting is too deep"),
		   "deep nesting is refused");
		free(errs);
	}
	cfg = load_lines(LINES("? [a, b]", ": 1"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 3, "(top level)", "mapping keys must be plain strings"),
	   "non-scalar mapping key");
	free(errs);

	/* Unreadable files. */
	snprintf(path, sizeof(path), "%s/does-not-exist.yaml", dir);
	errs = NULL;
	f = open_memstream(&errs, &len);
	cfg = dw_config_load(path, f);
	fclose(f);
	ok(cfg == NULL && strstr(errs, ":1:1: (file): cannot open: No such file or directory") != NULL &&
	   strncmp(errs, path, strlen(path)) == 0, "missing file: %s", errs);
	free(errs);
	errs = NULL;
	f = open_memstream(&errs, &len);
	cfg = dw_config_load(dir, f);
	fclose(f);
	ok(cfg == NULL && strstr(errs, "(file): not a regular file") != NULL, "directory refused");
	free(errs);
	ok(dw_config_load(path, NULL) == NULL, "errs may be NULL");

	/* Scalar type errors and value checks. */
	write_file("cert.pem", "x\n", 0644);
	cfg = load_lines(LINES(
		/*  1 */ "listeners:",
		/*  2 */ "  - name: 'bad name'",
		/*  3 */ "    protocol: postgres",
		/*  4 */ "    listen: { host: x }",
		/*  5 */ "    backend: db",
		/*  6 */ "    tls:",
		/*  7 */ "      mode: prefer",
		/*  8 */ "      cert_file: @DIR@/missing.pem",
		/*  9 */ "      key_file: @DIR@",
		/* 10 */ "  - name: ''",
		/* 11 */ "    protocol:",
		/* 12 */ "    listen: 127.0.0.1:1",
		/* 13 */ "    backend: db",
		/* 14 */ "  - x",
		/* 15 */ "backends:",
		/* 16 */ "  - name: db",
		/* 17 */ "    protocol: postgres",
		/* 18 */ "    address: 127.0.0.1:5432",
		/* 19 */ "    pool: { size: 10, min_idle: 11 }",
		/* 20 */ "    tls: { mode: verify-full, ca_file: cert.pem, cert_file: cert.pem }",
		/* 21 */ "users:",
		/* 22 */ "  - name: u",
		/* 23 */ "    password: x",
		/* 24 */ "    backends: []",
		/* 25 */ "  - name: \"bell\\a\"",
		/* 26 */ "    password: x",
		/* 27 */ "workers: [1]"), &errs);
	ok(cfg == NULL, "value errors refused");
	expect_error(errs, 2, 11, "listeners[0].name", "may only contain letters, digits");
	expect_error(errs, 4, 13, "listeners[0].listen", "expected a scalar value, found a mapping");
	expect_error(errs, 8, 18, "listeners[0].tls.cert_file", "cannot read");
	expect_error(errs, 8, 18, "listeners[0].tls.cert_file", "No such file or directory");
	expect_error(errs, 9, 17, "listeners[0].tls.key_file", "is not a regular file");
	expect_error(errs, 10, 11, "listeners[1].name", "must not be empty");
	expect_error(errs, 11, 14, "listeners[1].protocol", "a value is required");
	expect_error(errs, 14, 5, "listeners[2]", "expected a mapping, found a scalar");
	expect_error(errs, 19, 33, "backends[0].pool.min_idle", "min_idle (11) must not exceed size (10)");
	expect_error(errs, 20, 50, "backends[0].tls.cert_file", "unknown key");
	expect_error(errs, 24, 15, "users[0].backends", "an empty list is not allowed");
	expect_error(errs, 25, 11, "users[1].name", "must not contain control characters");
	expect_error(errs, 27, 10, "workers", "expected a scalar value, found a sequence");
	ok(count_lines(errs) == 12, "exactly the expected errors (%zu lines)", count_lines(errs));
	if (failures)
		printf("# %s", errs);
	free(errs);
}

/* Listeners and a backend, then `users:`: the first user line is line 6. */
static struct dw_config *load_users(const char *const *user_lines, char **errs)
{
	return load_after(config_test_head, 4, "users:", user_lines, errs);
}

static void test_secrets(void)
{
	const char *marker = "Sup3rS3cretValue";
	struct dw_config *cfg;
	char *errs;

	unsetenv("DW_TEST_UNSET");
	setenv("DW_TEST_EMPTY", "", 1);
	write_file("open.pw", "Sup3rS3cretValue\n", 0644);
	write_file("group.pw", "Sup3rS3cretValue\n", 0640);
	write_file("empty.pw", "\n", 0600);

	cfg = load_users(LINES(
		/*  6 */ "  - name: a",
		/*  7 */ "    password_env: DW_TEST_UNSET",
		/*  8 */ "  - name: b",
		/*  9 */ "    password_env: DW_TEST_EMPTY",
		/* 10 */ "  - name: c",
		/* 11 */ "    password_file: open.pw",
		/* 12 */ "  - name: d",
		/* 13 */ "    password_file: missing.pw",
		/* 14 */ "  - name: e",
		/* 15 */ "    password_file: empty.pw",
		/* 16 */ "  - name: f",
		/* 17 */ "    password_file: group.pw",
		/* 18 */ "    backend_password: Sup3rS3cretValue",
		/* 19 */ "    backend_password_env: Sup3rS3cretValue",
		/* 20 */ "  - name: g",
		/* 21 */ "    password_env: Sup3rS3cretValue",
		/* 22 */ "  - name: h",
		/* 23 */ "    password_file: Sup3rS3cretValue",
		/* 24 */ "  - name: i",
		/* 25 */ "    password: [Sup3rS3cretValue]",
		/* 26 */ "    passwrd: Sup3rS3cretValue",
		/* 27 */ "  - name: j",
		/* 28 */ "    password: ''"), &errs);
	ok(cfg == NULL, "secret errors refuse the file");
	expect_error(errs, 7, 19, "users[0].password_env", "not set or is empty");
	expect_error(errs, 9, 19, "users[1].password_env", "not set or is empty");
	expect_error(errs, 11, 20, "users[2].password_file", "refusing a world-readable secret file");
	expect_error(errs, 13, 20, "users[3].password_file", "cannot open the file it names: No such file");
	expect_error(errs, 15, 20, "users[4].password_file", "the file it names is empty");
	expect_error(errs, 19, 5, "users[5].backend_password_env", "only one of backend_password");
	expect_error(errs, 21, 19, "users[6].password_env", "not set or is empty");
	expect_error(errs, 23, 20, "users[7].password_file", "cannot open");
	expect_error(errs, 25, 15, "users[8].password", "expected a scalar value, found a sequence");
	expect_error(errs, 26, 5, "users[8].passwrd", "unknown key (did you mean \"password\"?)");
	expect_error(errs, 28, 15, "users[9].password", "must not be empty");
	ok(count_lines(errs) == 11, "exactly the expected errors (%zu lines)", count_lines(errs));
	ok(strstr(errs, marker) == NULL, "no secret value appears in the error output");
	ok(strstr(errs, "DW_TEST_UNSET") == NULL && strstr(errs, "open.pw") == NULL,
	   "nor the variable or file a secret comes from");
	if (failures)
		printf("# %s", errs);
	free(errs);

	/* Valid secrets next to unrelated errors are not printed either. */
	setenv("DW_TEST_GOOD", marker, 1);
	cfg = load_users(LINES(
		"  - name: ok",
		"    password_env: DW_TEST_GOOD",
		"    backend_password: Sup3rS3cretValue",
		"    auth: nope",
		"timeouts: { login: 1x }"), &errs);
	ok(cfg == NULL && strstr(errs, marker) == NULL && count_lines(errs) == 2,
	   "valid secrets next to other errors are not printed");
	free(errs);
}

static void test_buffer_and_overlaps(void)
{
	const char *text =
		"listeners:\n"
		"  - { name: a, protocol: postgres, listen: '0.0.0.0:6432', backend: db }\n"
		"  - { name: b, protocol: postgres, listen: '127.0.0.1:6432', backend: db }\n"
		"  - { name: c, protocol: postgres, listen: '[::]:6433', backend: db }\n"
		"  - { name: d, protocol: postgres, listen: 'LOCALHOST:6433', backend: db }\n"
		"  - { name: e, protocol: postgres, listen: 'localhost:6434', backend: db }\n"
		"  - { name: f, protocol: postgres, listen: '127.0.0.1:6434', backend: db }\n"
		"  - { name: g, protocol: postgres, listen: /tmp/.s.PGSQL.1, backend: db }\n"
		"  - { name: h, protocol: postgres, listen: /tmp/.s.PGSQL.1, backend: db }\n"
		"backends:\n"
		"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }\n";
	char *errs = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&errs, &len);
	/* Not NUL-terminated: the trailing garbage must not be read. */
	char *copy = malloc(strlen(text) + 5);
	memcpy(copy, text, strlen(text));
	memcpy(copy + strlen(text), "@@@@", 4);
	struct dw_config *cfg = dw_config_load_buffer("mem.yaml", copy, strlen(text), f);

	fclose(f);
	ok(cfg == NULL && strstr(errs, "mem.yaml:3:44: listeners[1].listen: address "
	   "\"127.0.0.1:6432\" overlaps listeners[0].listen") != NULL &&
	   strstr(errs, "mem.yaml:5:44: listeners[3].listen: address \"LOCALHOST:6433\" "
	   "overlaps listeners[2].listen") != NULL &&
	   strstr(errs, "mem.yaml:9:44: listeners[7].listen") != NULL && count_lines(errs) == 3,
	   "wildcard, case-insensitive and unix socket listen overlaps (from a buffer)");
	if (failures)
		printf("# %s", errs);
	free(errs);
	free(copy);
}

static void test_styles_and_aliases(void)
{
	struct dw_config *cfg;
	char *errs;

	cfg = load_lines(LINES(
		"x-pool: &pool { mode: session, size: 7 }",
		"listeners: [{name: pg, protocol: postgres, listen: '127.0.0.1:6432', backend: a}]",
		"backends:",
		"  - name: a",
		"    protocol: postgres",
		"    address: 127.0.0.1:5432",
		"    pool: *pool"), &errs);
	ok(cfg == NULL && has_error(errs, 1, 1, "x-pool", "unknown key") && count_lines(errs) == 1,
	   "aliases work, but the anchor holder must be a known key");
	free(errs);

	cfg = load_lines(LINES(
		"listeners: [{name: pg, protocol: postgres, listen: '127.0.0.1:6432', backend: a}]",
		"backends:",
		"  - name: a",
		"    protocol: postgres",
		"    address: 127.0.0.1:5432",
		"    pool: &pool { mode: session, size: 7 }",
		"  - name: b",
		"    protocol: postgres",
		"    address: 127.0.0.1:5433",
		"    pool: *pool"), &errs);
	ok(cfg != NULL && cfg->backends[1].pool.size == 7 &&
	   cfg->backends[1].pool.mode == DW_POOL_SESSION && cfg->backends[1].pool.max_uses == 7500,
	   "an anchored mapping is reused through an alias");
	free(errs);
	dw_config_unref(cfg);
}

/* The key tables must be documented exactly: docs/configuration.md embeds
 * the generated reference between two markers. */
static char *find_docs(void)
{
	char self[PATH_MAX], *path = NULL;
	const char *src = __FILE__; /* tests/unit/test_config.c, maybe relative */
	ssize_t n;

	if (src[0] != '/') {
		/* Relative to the build directory, which holds the executable
		 * somewhere below it: walk up until the source file is found. */
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n <= 0)
			return NULL;
		self[n] = '\0';
		for (int up = 0; up < 6 && path == NULL; up++) {
			char *slash = strrchr(self, '/');
			char *candidate;
			if (slash == NULL)
				return NULL;
			*slash = '\0';
			if (asprintf(&candidate, "%s/%s", self, src) < 0)
				return NULL;
			if (access(candidate, R_OK) == 0)
				path = candidate;
			else
				free(candidate);
		}
		if (path == NULL)
			return NULL;
	} else {
		path = strdup(src);
	}
	/* Strip "tests/unit/test_config.c". */
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(path, '/');
		if (slash == NULL) {
			free(path);
			return NULL;
		}
		*slash = '\0';
	}
	char *docs;
	if (asprintf(&docs, "%s/docs/configuration.md", path) < 0)
		docs = NULL;
	free(path);
	return docs;
}

static void test_reference(void)
{
	const char *begin = "<!-- BEGIN GENERATED KEY REFERENCE -->\n";
	const char *end = "<!-- END GENERATED KEY REFERENCE -->";
	char *docs_path = find_docs(), *docs = NULL, *ref = NULL;
	size_t docs_len = 0, ref_len = 0;
	FILE *f;

	f = open_memstream(&ref, &ref_len);
	dw_config_write_reference(f);
	fclose(f);
	ok(strstr(ref, "`backends[].pool.max_uses`") != NULL &&
	   strstr(ref, "`users[].password`, `password_env`, `password_file`") != NULL,
	   "reference lists nested keys and secret forms");

	f = docs_path != NULL ? fopen(docs_path, "r") : NULL;
	if (f != NULL) {
		FILE *m = open_memstream(&docs, &docs_len);
		int c;
		while ((c = fgetc(f)) != EOF)
			fputc(c, m);
		fclose(m);
		fclose(f);
	}
	const char *b = docs != NULL ? strstr(docs, begin) : NULL;
	const char *e = b != NULL ? strstr(b, end) : NULL;
	ok(e != NULL && (size_t)(e - b - strlen(begin)) == ref_len &&
	   memcmp(b + strlen(begin), ref, ref_len) == 0,
	   "docs/configuration.md embeds the current reference (%s; regenerate with "
	   "unit_config --reference)", docs_path != NULL ? docs_path : "docs not found");
	free(docs);
	free(ref);
	free(docs_path);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--reference") == 0) {
		dw_config_write_reference(stdout);
		return 0;
	}
	if (config_test_begin() != 0)
		return 1;
	test_durations();
	test_sizes();
	test_addresses();
	test_full_config();
	test_defaults();
	test_many_errors();
	test_small_errors();
	test_secrets();
	test_buffer_and_overlaps();
	test_styles_and_aliases();
	test_reference();
	return config_test_end();
}
