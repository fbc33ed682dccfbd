/* Unit tests for proxy/metrics.c: the Prometheus text rendering (label and
 * HELP escaping, invalid UTF-8, histograms), JSON escaping, the counters
 * (per-thread blocks summed at scrape, concurrent counting while a scrape
 * reads), and the whole exposition checked line by line. */
#include "proxy/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "dbward_version.h"
#include "policy/sql_kind.h"
#include "tests/unit/tap.h"

/* EVB's contents as a string (freed by the caller); EVB is emptied. */
static char *take(struct evbuffer *evb)
{
	size_t n = evbuffer_get_length(evb);
	char *s = malloc(n + 1);
	evbuffer_remove(evb, s, n);
	s[n] = '\0';
	return s;
}

static char *prom_escaped(const char *in)
{
	struct evbuffer *b = evbuffer_new();
	dw_prom_escape(b, in);
	char *s = take(b);
	evbuffer_free(b);
	return s;
}

static char *json_escaped(const char *in)
{
	struct evbuffer *b = evbuffer_new();
	dw_json_escape(b, in);
	char *s = take(b);
	evbuffer_free(b);
	return s;
}

static void test_escaping(void)
{
	char *s = prom_escaped("a\"b\\c\nd");
	check(str_is(s, "a\\\"b\\\\c\\nd"), "label value: quote, backslash, newline escaped (%s)", s);
	free(s);
	s = prom_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98");
	check(str_is(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x98"), "valid UTF-8 passes unchanged");
	free(s);
	s = prom_escaped("x\xff" "y\xc3");
	check(str_is(s, "x\xef\xbf\xbdy\xef\xbf\xbd"), "invalid bytes and a cut sequence become U+FFFD");
	free(s);
	s = prom_escaped("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80");
	check(str_is(s, "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
			"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	      "overlong form, surrogate and past U+10FFFF: one U+FFFD per byte");
	free(s);
	s = prom_escaped("tab\there\rcr");
	check(str_is(s, "tab\xef\xbf\xbdhere\xef\xbf\xbd" "cr"), "other control characters become U+FFFD");
	free(s);
	s = prom_escaped("");
	check(str_is(s, ""), "empty value");
	free(s);

	s = json_escaped("q\"b\\n\n\t\x01\x7f\xfe\xc3\xa9");
	check(str_is(s, "q\\\"b\\\\n\\n\\u0009\\u0001\\u007f\\ufffd\xc3\xa9"),
	      "JSON: quote, backslash, controls as \\u00XX, invalid UTF-8 as \\ufffd (%s)", s);
	free(s);
}

static void test_samples(void)
{
	struct evbuffer *b = evbuffer_new();
	dw_prom_family(b, "dbward_x_total", "counter", "Line one\nback\\slash");
	char *s = take(b);
	check(str_is(s, "# HELP dbward_x_total Line one\\nback\\\\slash\n# TYPE dbward_x_total counter\n"),
	      "HELP escapes newline and backslash; TYPE follows");
	free(s);

	dw_prom_sample(b, "dbward_x_total", NULL, 0);
	const char *one[] = { "listener", "pg\"1", NULL };
	dw_prom_sample(b, "dbward_x_total", one, 18446744073709551615ull);
	const char *two[] = { "a", "1", "b", "x\ny", NULL };
	dw_prom_sample(b, "dbward_x_total", two, 42);
	dw_prom_sample_double(b, "dbward_t", NULL, 1718000000.125);
	s = take(b);
	check(str_is(s, "dbward_x_total 0\n"
			"dbward_x_total{listener=\"pg\\\"1\"} 18446744073709551615\n"
			"dbward_x_total{a=\"1\",b=\"x\\ny\"} 42\n"
			"dbward_t 1718000000.125\n"),
	      "samples without labels, with escaped labels, full 64-bit values, doubles");
	free(s);

	const double bounds[] = { 0.0005, 0.01, 2.5 };
	const uint64_t counts[] = { 1, 0, 3, 2 };
	const char *l[] = { "protocol", "postgres", NULL };
	dw_prom_histogram(b, "dbward_h_seconds", l, bounds, counts, 3, 12.5);
	s = take(b);
	check(str_is(s,
		"dbward_h_seconds_bucket{protocol=\"postgres\",le=\"0.0005\"} 1\n"
		"dbward_h_seconds_bucket{protocol=\"postgres\",le=\"0.01\"} 1\n"
		"dbward_h_seconds_bucket{protocol=\"postgres\",le=\"2.5\"} 4\n"
		"dbward_h_seconds_bucket{protocol=\"postgres\",le=\"+Inf\"} 6\n"
		"dbward_h_seconds_sum{protocol=\"postgres\"} 12.5\n"
		"dbward_h_seconds_count{protocol=\"postgres\"} 6\n"),
	      "histogram: cumulative buckets, +Inf equals _count, _sum");
	free(s);
	dw_prom_histogram(b, "h", NULL, bounds, (const uint64_t[]){ 0, 0, 0, 0 }, 3, 0);
	s = take(b);
	check(strstr(s, "h_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n") != NULL,
	      "an empty histogram without other labels");
	free(s);
	evbuffer_free(b);
}

static void test_class(void)
{
	check(dw_metrics_class(DW_KIND_READ) == DW_M_READ, "read");
	check(dw_metrics_class(DW_KIND_READ | DW_KIND_WRITE) == DW_M_WRITE, "read + write: write");
	check(dw_metrics_class(DW_KIND_WRITE | DW_KIND_ADMIN) == DW_M_ADMIN, "write + admin: admin");
	check(dw_metrics_class(DW_KIND_READ | DW_KIND_UNKNOWN) == DW_M_UNKNOWN, "read + unknown: unknown");
	check(dw_metrics_class(0) == DW_M_UNKNOWN, "no statement: unknown");
	check(dw_metrics_class(dw_sql_kinds("SELECT 1", 8, DW_SQL_POSTGRES)) == DW_M_READ &&
	      dw_metrics_class(dw_sql_kinds("UPDATE t SET a=1", 16, DW_SQL_MYSQL)) == DW_M_WRITE &&
	      dw_metrics_class(dw_sql_kinds("DROP TABLE t", 12, DW_SQL_POSTGRES)) == DW_M_ADMIN,
	      "classes from real statements");
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static char *render(void)
{
	const char *listeners[] = { "pg", "my\"sql" };
	const uint64_t conns[] = { 3, 0 };
	const struct dw_metrics_pool pools[] = {
		{ "pg-main", "app", "d\xff\nb", 2, 1, 0, 4, 20 },
	};
	const struct dw_metrics_backend backends[] = {
		{ "pg-main", 2, 1, 7 }, { "maria", 0, 0, 0 },
	};
	struct dw_metrics_view v = {
		.listeners = listeners, .connections = conns, .n_listeners = 2,
		.pools = pools, .n_pools = 1, .pools_complete = true,
		.backends = backends, .n_backends = 2,
		.audit_written = 10, .audit_dropped = 1, .audit_queued = 2,
	};
	struct evbuffer *b = evbuffer_new();
	dw_metrics_render(b, &v);
	char *s = take(b);
	evbuffer_free(b);
	return s;
}

/* The value of the sample line that starts with PREFIX (name and labels,
 * up to the space), or -1. */
static long long value_of(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
		if (strncmp(line, prefix, n) == 0 && line[n] == ' ')
			return atoll(line + n + 1);
	return -1;
}

/* Every sample belongs to a family declared by a TYPE line before it (a
 * histogram's _bucket, _sum and _count to theirs), no family is declared
 * twice, and every line has the shape of a comment or a sample. */
static bool well_formed(const char *text, char *why, size_t cap)
{
	char families[128][96], types[128][16];
	size_t nf = 0;
	const char *line = text;
	while (*line) {
		const char *end = strchr(line, '\n');
		if (!end) {
			snprintf(why, cap, "no final newline");
			return false;
		}
		char buf[1024];
		size_t len = (size_t)(end - line);
		if (len >= sizeof buf) {
			snprintf(why, cap, "line too long");
			return false;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = end + 1;
		if (strncmp(buf, "# HELP ", 7) == 0)
			continue;
		if (strncmp(buf, "# TYPE ", 7) == 0) {
			char name[96], type[16];
			if (sscanf(buf + 7, "%95s %15s", name, type) != 2 || nf == 128) {
				snprintf(why, cap, "bad TYPE line: %.160s", buf);
				return false;
			}
			for (size_t i = 0; i < nf; i++)
				if (strcmp(families[i], name) == 0) {
					snprintf(why, cap, "family declared twice: %s", name);
					return false;
				}
			snprintf(families[nf], sizeof families[nf], "%s", name);
			snprintf(types[nf++], sizeof types[0], "%s", type);
			continue;
		}
		char name[96];
		size_t k = strcspn(buf, "{ ");
		if (k == 0 || k >= sizeof name || buf[0] == '#') {
			snprintf(why, cap, "bad line: %.160s", buf);
			return false;
		}
		memcpy(name, buf, k);
		name[k] = '\0';
		bool found = false;
		for (size_t i = 0; i < nf && !found; i++) {
			size_t fl = strlen(families[i]);
			if (strcmp(name, families[i]) == 0)
				found = strcmp(types[i], "histogram") != 0;
			else if (strcmp(types[i], "histogram") == 0 && strncmp(name, families[i], fl) == 0)
				found = strcmp(name + fl, "_bucket") == 0 || strcmp(name + fl, "_sum") == 0 ||
					strcmp(name + fl, "_count") == 0;
		}
		if (!found) {
			snprintf(why, cap, "sample without its TYPE: %.160s", buf);
			return false;
		}
		const char *sp = strrchr(buf, ' ');
		char *endp;
		if (!sp || (strtod(sp + 1, &endp), *endp != '\0') || sp[1] == '\0') {
			snprintf(why, cap, "bad value: %.160s", buf);
			return false;
		}
	}
	return true;
}

struct counter_arg {
	int n;
};

static void *count_thread(void *arg)
{
	struct counter_arg *a = arg;
	for (int i = 0; i < a->n; i++) {
		dw_metrics_statement(DW_M_MYSQL, DW_M_WRITE, DW_M_FAILURE, 0);
		dw_metrics_accepted(1);
	}
	return NULL;
}

static void test_counting(void)
{
	char *s = render();
	check(value_of(s, "dbward_statements_total{protocol=\"postgres\",class=\"read\","
			  "outcome=\"success\"}") == 0,
	      "before dw_metrics_init: counters render as 0");
	free(s);
	dw_metrics_statement(DW_M_POSTGRES, DW_M_READ, DW_M_SUCCESS, 0);
	dw_metrics_init(2);
	dw_metrics_init(5); /* later calls change nothing */

	uint64_t now = mono_us();
	dw_metrics_statement(DW_M_POSTGRES, DW_M_READ, DW_M_SUCCESS, now - 3000);  /* 3 ms */
	dw_metrics_statement(DW_M_POSTGRES, DW_M_READ, DW_M_SUCCESS, now - 400);   /* 0.4 ms */
	dw_metrics_statement(DW_M_POSTGRES, DW_M_WRITE, DW_M_TIMEOUT, now - 40000000); /* 40 s */
	dw_metrics_statement(DW_M_POSTGRES, DW_M_READ, DW_M_BLOCKED, 0);     /* never ran */
	dw_metrics_refused_text(DW_M_MYSQL, "DELETE FROM t", 13, DW_M_RATE_LIMITED);
	dw_metrics_refused_text(DW_M_MYSQL, NULL, 0, DW_M_BLOCKED);
	dw_metrics_block("statements");
	dw_metrics_block("results.max_rows");
	dw_metrics_block("no.such.rule");
	dw_metrics_block(NULL);
	dw_metrics_rate_limited("queries_per_second");
	dw_metrics_rate_limited("bogus");
	dw_metrics_statement_timeout("timeouts.write");
	dw_metrics_statement_timeout("long_query");
	dw_metrics_timeout(DW_M_TIMEOUT_POOL_WAIT);
	dw_metrics_refused(0, DW_M_REFUSED_LOGIN_FAILED);
	dw_metrics_refused(7, DW_M_REFUSED_LOGIN_FAILED); /* no such listener: ignored */
	dw_metrics_tls_handshake(1, true);
	dw_metrics_tls_end(1, NULL);
	dw_metrics_reload(true);
	dw_metrics_reload(false);
	dw_metrics_reload(false);
	dw_metrics_set_config_hash("0123456789abcdef");
	uint64_t t = dw_metrics_accepted(0);
	check(t > 1500000000000ull, "accepted returns the wall clock in ms");

	/* Four threads count while the main thread scrapes. */
	pthread_t th[4];
	struct counter_arg ca = { 20000 };
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, count_thread, &ca);
	for (int i = 0; i < 5; i++)
		free(render());
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);

	s = render();
	char why[256] = "";
	check(well_formed(s, why, sizeof why), "the exposition is well formed: %s", why);
	check(value_of(s, "dbward_statements_total{protocol=\"postgres\",class=\"read\","
			  "outcome=\"success\"}") == 2,
	      "counts before init are lost, after init they count");
	check(value_of(s, "dbward_statements_total{protocol=\"postgres\",class=\"write\","
			  "outcome=\"timeout\"}") == 1 &&
	      value_of(s, "dbward_statements_total{protocol=\"postgres\",class=\"read\","
			  "outcome=\"blocked\"}") == 1 &&
	      value_of(s, "dbward_statements_total{protocol=\"mysql\",class=\"write\","
			  "outcome=\"rate_limited\"}") == 1 &&
	      value_of(s, "dbward_statements_total{protocol=\"mysql\",class=\"unknown\","
			  "outcome=\"blocked\"}") == 1,
	      "outcomes and classes (from the text, unknown without one)");
	check(value_of(s, "dbward_statements_total{protocol=\"mysql\",class=\"write\","
			  "outcome=\"failure\"}") == 80000,
	      "four threads' counts are summed");
	check(value_of(s, "dbward_client_connections_accepted_total{listener=\"my\\\"sql\"}") == 80000 &&
	      value_of(s, "dbward_client_connections_accepted_total{listener=\"pg\"}") == 1,
	      "accepted per listener, names escaped");
	const char *h = "dbward_statement_duration_seconds_bucket{protocol=\"postgres\",le=";
	char k1[160], k2[160], k3[160], k4[160], k5[160];
	snprintf(k1, sizeof k1, "%s\"0.0005\"}", h);
	snprintf(k2, sizeof k2, "%s\"0.0025\"}", h);
	snprintf(k3, sizeof k3, "%s\"0.005\"}", h);
	snprintf(k4, sizeof k4, "%s\"30\"}", h);
	snprintf(k5, sizeof k5, "%s\"+Inf\"}", h);
	check(value_of(s, k1) == 1 && value_of(s, k2) == 1 && value_of(s, k3) == 2 &&
	      value_of(s, k4) == 2 && value_of(s, k5) == 3 &&
	      value_of(s, "dbward_statement_duration_seconds_count{protocol=\"postgres\"}") == 3,
	      "latency buckets: 0.4 ms, 3 ms and 40 s land where they belong");
	const char *sum = strstr(s, "dbward_statement_duration_seconds_sum{protocol=\"postgres\"} ");
	double sv = sum ? atof(strchr(sum, ' ') + 1) : 0;
	check(sv > 40.003 && sv < 40.1, "latency sum in seconds (%f)", sv);
	check(value_of(s, "dbward_policy_blocks_total{rule=\"statements\"}") == 1 &&
	      value_of(s, "dbward_policy_blocks_total{rule=\"results.max_rows\"}") == 1 &&
	      value_of(s, "dbward_policy_blocks_total{rule=\"other\"}") == 2 &&
	      value_of(s, "dbward_policy_blocks_total{rule=\"functions\"}") == 0,
	      "blocks per rule, unknown rules as other");
	check(value_of(s, "dbward_rate_limit_rejections_total{limit=\"queries_per_second\"}") == 1 &&
	      value_of(s, "dbward_rate_limit_rejections_total{limit=\"connections_per_second\"}") == 0,
	      "rate limit rejections per limit");
	check(value_of(s, "dbward_timeouts_total{timeout=\"write\"}") == 1 &&
	      value_of(s, "dbward_timeouts_total{timeout=\"long_query\"}") == 1 &&
	      value_of(s, "dbward_timeouts_total{timeout=\"pool_wait\"}") == 1 &&
	      value_of(s, "dbward_timeouts_total{timeout=\"query\"}") == 0,
	      "timeouts per limit");
	check(value_of(s, "dbward_client_connections_refused_total{listener=\"pg\","
			  "reason=\"login_failed\"}") == 1 &&
	      value_of(s, "dbward_tls_handshakes_total{listener=\"my\\\"sql\",result=\"success\"}") == 1 &&
	      value_of(s, "dbward_tls_handshakes_total{listener=\"my\\\"sql\",result=\"failure\"}") == 1,
	      "refusals and TLS handshakes per listener");
	check(value_of(s, "dbward_config_reloads_total{result=\"success\"}") == 1 &&
	      value_of(s, "dbward_config_reloads_total{result=\"failure\"}") == 2 &&
	      value_of(s, "dbward_config_info{hash=\"0123456789abcdef\"}") == 1,
	      "reloads and the config hash");
	check(value_of(s, "dbward_build_info{version=\"" DBWARD_VERSION "\"}") == 1,
	      "build info carries the version");
	check(value_of(s, "dbward_pool_waiting_clients{backend=\"pg-main\",user=\"app\","
			  "database=\"d\xef\xbf\xbd\\nb\"}") == 4 &&
	      value_of(s, "dbward_pool_active_connections{backend=\"pg-main\",user=\"app\","
			  "database=\"d\xef\xbf\xbd\\nb\"}") == 2,
	      "pool gauges with an untrusted database name escaped");
	check(value_of(s, "dbward_backend_circuit_state{backend=\"pg-main\"}") == 2 &&
	      value_of(s, "dbward_backend_connect_failures_total{backend=\"pg-main\"}") == 7 &&
	      value_of(s, "dbward_audit_queue_depth") == 2 &&
	      value_of(s, "dbward_audit_records_dropped_total") == 1 &&
	      value_of(s, "dbward_client_connections{listener=\"pg\"}") == 3,
	      "circuit, audit and connection gauges from the view");
	free(s);
}

static void test_hash(void)
{
	char path[] = "/tmp/dbward-metrics-test-XXXXXX", hex[17];
	int fd = mkstemp(path);
	check(fd >= 0 && write(fd, "abc", 3) == 3, "temp file");
	close(fd);
	check(dw_metrics_hash_file(path, hex) == 0 && str_is(hex, "ba7816bf8f01cfea"),
	      "SHA-256 prefix of a file (%s)", hex);
	unlink(path);
	check(dw_metrics_hash_file(path, hex) == -1 && str_is(hex, "unknown"), "missing file: unknown");
}

int main(void)
{
	test_escaping();
	test_samples();
	test_class();
	test_counting();
	test_hash();
	return tap_done();
}
