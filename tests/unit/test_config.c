/* Configuration loader: values, defaults, every error class with its
 * position and key path, secrets, and the generated reference.
 *
 * Run with --reference to print the key reference embedded in
 * docs/configuration.md. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_values.h"
#include "config/policy_syntax.h"
#include "tests/unit/tap.h"

static char dir[PATH_MAX];
static char cfg_path[PATH_MAX + 32];

#define ok(cond, ...) check((cond) != 0, __VA_ARGS__)

static void write_file(const char *name, const char *content, mode_t mode)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	if (chmod(path, mode) != 0) {
		perror(path);
		exit(1);
	}
}

/* Joins LINES (NULL-terminated) with newlines, replacing @DIR@ by the test
 * directory, so that line N of the file is LINES[N-1]. */
static char *join_lines(const char *const *lines)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; lines[i] != NULL; i++) {
		for (const char *p = lines[i]; *p != '\0'; p++) {
			if (strncmp(p, "@DIR@", 5) == 0) {
				fputs(dir, f);
				p += 4;
			} else {
				fputc(*p, f);
			}
		}
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}

/* Loads LINES from cfg.yaml; *ERRS receives everything the loader printed. */
static struct dw_config *load_lines(const char *const *lines, char **errs)
{
	char *text = join_lines(lines);
	size_t len = 0;
	struct dw_config *cfg;
	FILE *f;

	write_file("cfg.yaml", text, 0600);
	free(text);
	*errs = NULL;
	f = open_memstream(errs, &len);
	cfg = dw_config_load(cfg_path, f);
	fclose(f);
	return cfg;
}

#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* True when ERRS holds a line "cfg.yaml-path:LINE:COL: KEY: ..." containing
 * FRAGMENT after the key path. */
static int has_error(const char *errs, unsigned line, unsigned col, const char *key,
	const char *fragment)
{
	char prefix[PATH_MAX + 256];
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s:%u:%u: %s: ", cfg_path, line, col, key);
	plen = strlen(prefix);
	for (const char *p = errs; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (llen >= plen && strncmp(p, prefix, plen) == 0) {
			char *copy = strndup(p + plen, llen - plen);
			int found = strstr(copy, fragment) != NULL;
			free(copy);
			if (found)
				return 1;
		}
		p = eol != NULL ? eol + 1 : p + llen;
	}
	return 0;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void expect_error(const char *errs, unsigned line, unsigned col, const char *key,
	const char *fragment)
{
	ok(has_error(errs, line, col, key, fragment), "error %u:%u %s: %s", line, col, key,
	   fragment);
}

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

static const char *const minimal_head[] = {
	"listeners:",
	"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }",
	"backends:",
	"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }",
	"users:",
};

/* minimal_head followed by USER_LINES: the first user line is line 6. */
static struct dw_config *load_users(const char *const *user_lines, char **errs)
{
	const char *all[32];
	size_t n = 0;

	for (size_t i = 0; i < 5; i++)
		all[n++] = minimal_head[i];
	for (size_t i = 0; user_lines[i] != NULL && n < 31; i++)
		all[n++] = user_lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
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

static const char *const policy_head[] = {
	"listeners:",
	"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }",
	"backends:",
	"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }",
	"policies:",
};

/* policy_head followed by LINES: the first policy line is line 6. */
static struct dw_config *load_policies(const char *const *lines, char **errs)
{
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < 5; i++)
		all[n++] = policy_head[i];
	for (size_t i = 0; lines[i] != NULL && n < 63; i++)
		all[n++] = lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
}

/* rate_limits and auth_failures: the specification's example, defaults,
 * and every mistake at its place. The first line after policy_head's four
 * is line 5. */
static struct dw_config *load_limits(const char *const *lines, char **errs)
{
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		all[n++] = policy_head[i];
	for (size_t i = 0; lines[i] != NULL && n < 63; i++)
		all[n++] = lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
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
	cfg = load_lines(LINES(policy_head[0], policy_head[1], policy_head[2], policy_head[3]), &errs);
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

/* listeners and backends, then `audit:`: the first audit key is line 6. */
static struct dw_config *load_audit(const char *const *lines, char **errs)
{
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		all[n++] = policy_head[i];
	all[n++] = "audit:";
	for (size_t i = 0; lines[i] != NULL && n < 63; i++)
		all[n++] = lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
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

/* listeners and backends, then `errors:`: the first errors key is line 6. */
static struct dw_config *load_errors(const char *const *lines, char **errs)
{
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		all[n++] = policy_head[i];
	all[n++] = "errors:";
	for (size_t i = 0; lines[i] != NULL && n < 63; i++)
		all[n++] = lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
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

/* listeners and backends (lines 1-4), then LINES from line 5. */
static struct dw_config *load_admin(const char *const *lines, char **errs)
{
	const char *all[64];
	size_t n = 0;

	for (size_t i = 0; i < 4; i++)
		all[n++] = policy_head[i];
	for (size_t i = 0; lines[i] != NULL && n < 63; i++)
		all[n++] = lines[i];
	all[n] = NULL;
	return load_lines(all, errs);
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
	snprintf(dir, sizeof(dir), "/tmp/dbward-config-test-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/cfg.yaml", dir);

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
	test_policies();
	test_audit();
	test_errors();
	test_limits();
	test_admin();
	test_reference();

	/* Best-effort cleanup of the temp directory. */
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);

	return tap_done();
}
