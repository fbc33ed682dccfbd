/* Unit tests for proxy/pg_params.c: the parameter list, libpq `options`
 * parsing and the SQL that brings a server connection in step with a client.
 * That the SQL does what it says on a real PostgreSQL 15 is checked by
 * tests/integration/test_pg_params_sql.py. */
#include "proxy/pg_params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include "tests/unit/tap.h"



/* Fills P from a NULL-ended name, value list. */
static void fill(struct pg_params *p, const char *const *kv)
{
	pg_params_clear(p);
	for (size_t i = 0; kv[i]; i += 2)
		if (!pg_params_set(p, kv[i], kv[i + 1]))
			abort();
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_list(void)
{
	struct pg_params p = {0};

	check(pg_params_get(&p, "x") == NULL, "empty list: get NULL");
	check(pg_params_set(&p, "DateStyle", "ISO, MDY"), "set DateStyle");
	check(str_is(pg_params_get(&p, "datestyle"), "ISO, MDY") &&
		str_is(pg_params_get(&p, "DATESTYLE"), "ISO, MDY"), "get is case-insensitive");
	check(pg_params_set(&p, "DATESTYLE", "German") && p.n == 1 &&
		str_is(pg_params_get(&p, "DateStyle"), "German"), "set with other case overwrites");
	check(str_is(p.items[0].name, "DateStyle"), "overwrite keeps the first spelling of the name");
	check(pg_params_set(&p, "DateStyle", "German") && p.n == 1, "same value again: no-op");
	check(pg_params_set(&p, "TimeZone", "UTC") && p.n == 2, "a second name appends");
	check(pg_params_set(&p, "empty", "") && str_is(pg_params_get(&p, "empty"), ""),
		"empty value is a value");

	pg_params_clear(&p);
	check(p.n == 0 && pg_params_get(&p, "DateStyle") == NULL, "clear empties the list");

	char name[32];
	bool all = true;
	for (int i = 0; i < PG_PARAMS_MAX; i++) {
		snprintf(name, sizeof name, "p%d", i);
		all = all && pg_params_set(&p, name, "v");
	}
	check(all && p.n == PG_PARAMS_MAX, "%d params fit", PG_PARAMS_MAX);
	check(!pg_params_set(&p, "one_more", "v"), "full list: a new name is refused");
	check(pg_params_set(&p, "P7", "w") && str_is(pg_params_get(&p, "p7"), "w"),
		"full list: an existing name can still change");

	struct pg_params q = {0};
	fill(&q, KV("old", "1", "older", "2"));
	pg_params_copy(&q, &p);
	check(q.n == PG_PARAMS_MAX && pg_params_get(&q, "old") == NULL &&
		str_is(pg_params_get(&q, "p7"), "w"), "copy replaces the destination");
	check(q.items[3].value != p.items[3].value, "copy duplicates the strings");
	pg_params_clear(&p);
	pg_params_clear(&q);
}

static void test_reserved(void)
{
	check(pg_param_is_reserved("user") && pg_param_is_reserved("Database") &&
		pg_param_is_reserved("replication") && pg_param_is_reserved("OPTIONS") &&
		pg_param_is_reserved("role") && pg_param_is_reserved("session_authorization"),
		"reserved names (any case)");
	check(!pg_param_is_reserved("application_name") && !pg_param_is_reserved("search_path"),
		"ordinary names are not reserved");
	check(pg_param_is_read_only("server_version") && pg_param_is_read_only("IS_SUPERUSER") &&
		pg_param_is_read_only("in_hot_standby") && pg_param_is_read_only("integer_datetimes"),
		"read-only names (any case)");
	check(!pg_param_is_read_only("TimeZone") && !pg_param_is_read_only("application_name"),
		"settable names are not read-only");
}

/* Parses OPTIONS into a fresh list; returns the result and leaves the list in P. */
static bool opts(struct pg_params *p, const char *options)
{
	pg_params_clear(p);
	return pg_params_from_options(p, options);
}

static void test_options(void)
{
	struct pg_params p = {0};
	char big[2048];

	check(opts(&p, "-c search_path=a,b") && p.n == 1 &&
		str_is(pg_params_get(&p, "search_path"), "a,b"), "-c search_path=a,b (psql's)");
	check(opts(&p, "-cwork_mem=4MB") && str_is(pg_params_get(&p, "work_mem"), "4MB"),
		"-cname=value");
	check(opts(&p, "--statement-timeout=5s") && str_is(pg_params_get(&p, "statement_timeout"),
		"5s"), "--a-b=c becomes a_b");
	check(opts(&p, "--a-b=c-d") && str_is(pg_params_get(&p, "a_b"), "c-d"),
		"dashes in the value stay");
	check(opts(&p, "  -c a=1 \t-cb=2   --c=3  ") && p.n == 3 && str_is(pg_params_get(&p, "a"), "1")
		&& str_is(pg_params_get(&p, "b"), "2") && str_is(pg_params_get(&p, "c"), "3"),
		"several options, spaces and tabs around");
	check(opts(&p, "-c application_name=my\\ app") &&
		str_is(pg_params_get(&p, "application_name"), "my app"), "backslash-escaped space");
	check(opts(&p, "-c a=x\\\\y") && str_is(pg_params_get(&p, "a"), "x\\y"),
		"escaped backslash");
	check(opts(&p, "-c a=x\\") && str_is(pg_params_get(&p, "a"), "x\\"),
		"lone trailing backslash kept");
	check(opts(&p, "-c a=b=c") && str_is(pg_params_get(&p, "a"), "b=c"), "value may hold '='");
	check(opts(&p, "-c a=") && str_is(pg_params_get(&p, "a"), ""), "empty value accepted");
	check(opts(&p, "-c a=1 -c A=2") && p.n == 1 && str_is(pg_params_get(&p, "a"), "2"),
		"repeated name: last one wins");
	check(opts(&p, "") && p.n == 0, "empty options: nothing");
	check(opts(&p, "   ") && p.n == 0, "blank options: nothing");

	check(!opts(&p, "-c"), "-c without assignment: false");
	check(!opts(&p, "-c a"), "-c without '=': false");
	check(!opts(&p, "-c =b"), "-c with empty name: false");
	check(!opts(&p, "-c=b"), "-c=b: false");
	check(!opts(&p, "a=b"), "bare assignment: false");
	check(!opts(&p, "--"), "bare --: false");
	check(!opts(&p, "-x a=b"), "unknown switch: false");
	check(!opts(&p, "-d 5"), "-d (debug level) not supported: false");
	check(!opts(&p, "-c a=1 junk"), "junk after a good option: false");

	check(!opts(&p, "-c user=root"), "reserved user: false");
	check(!opts(&p, "-c ROLE=admin"), "reserved role, any case: false");
	check(!opts(&p, "--session-authorization=postgres"),
		"reserved session_authorization spelled with dashes: false");
	check(!opts(&p, "-c replication=true"), "reserved replication: false");
	check(!opts(&p, "-c database=other"), "reserved database: false");

	memset(big, 'n', 200);
	snprintf(big + 200, sizeof big - 200, "=v");
	char opt[8192];
	snprintf(opt, sizeof opt, "-c %s", big);
	check(!opts(&p, opt), "200-byte name: false");
	memset(big, 'v', 1100);
	big[1100] = '\0';
	snprintf(opt, sizeof opt, "-c a=%s", big);
	check(!opts(&p, opt), "word over 1 KiB: false");
	big[1000] = '\0';
	snprintf(opt, sizeof opt, "-c a=%s", big);
	check(opts(&p, opt) && strlen(pg_params_get(&p, "a")) == 1000, "1000-byte value accepted");

	/* More options than the list holds. */
	size_t n = 0;
	for (int i = 0; i <= PG_PARAMS_MAX; i++)
		n += (size_t)snprintf(opt + n, sizeof opt - n, "-cp%d=v ", i);
	check(!opts(&p, opt), "%d options: false (list full)", PG_PARAMS_MAX + 1);
	pg_params_clear(&p);
}

/* Runs pg_params_sync_sql and returns its SQL text (caller frees). */
static char *sync_sql(const struct pg_params *wants, const struct pg_params *current,
	const struct pg_params *pristine, size_t *n)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf)
		abort();
	*n = pg_params_sync_sql(wants, current, pristine, buf);
	size_t len = evbuffer_get_length(buf);
	char *s = malloc(len + 1);
	if (!s)
		abort();
	evbuffer_remove(buf, s, len);
	s[len] = '\0';
	evbuffer_free(buf);
	return s;
}

static void expect_sql(const struct pg_params *w, const struct pg_params *c,
	const struct pg_params *p, size_t want_n, const char *want_sql, const char *what)
{
	size_t n;
	char *sql = sync_sql(w, c, p, &n);
	bool same = n == want_n && strcmp(sql, want_sql) == 0;
	if (!same)
		printf("# got %zu statements: %s\n", n, sql);
	check(same, "%s", what);
	free(sql);
}

static void test_sync(void)
{
	struct pg_params w = {0}, c = {0}, p = {0};

	fill(&p, KV("application_name", "", "DateStyle", "ISO, MDY", "is_superuser", "off"));
	fill(&c, KV("application_name", "", "DateStyle", "ISO, MDY", "is_superuser", "off"));
	fill(&w, KV("application_name", "", "datestyle", "ISO, MDY"));
	expect_sql(&w, &c, &p, 0, "", "already in step: 0 statements, no SQL");

	pg_params_clear(&w);
	expect_sql(&w, &c, &p, 0, "", "client wants nothing, server pristine: 0 statements");

	fill(&w, KV("application_name", "x"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw$x$dw$, false);",
		"differing value: one set_config");

	fill(&w, KV("application_name", "x", "search_path", "a,b", "TimeZone", "UTC"));
	expect_sql(&w, &c, &p, 3,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw$x$dw$, false), "
		"pg_catalog.set_config($dw$search_path$dw$, $dw$a,b$dw$, false), "
		"pg_catalog.set_config($dw$TimeZone$dw$, $dw$UTC$dw$, false);",
		"three values: one SELECT, three set_config");

	fill(&c, KV("application_name", "prev", "DateStyle", "ISO, MDY", "search_path", "s"));
	pg_params_clear(&w);
	expect_sql(&w, &c, &p, 2, "RESET \"application_name\";RESET \"search_path\";",
		"values of a previous client not wanted: RESET (changed and not pristine)");

	fill(&c, KV("application_name", "", "DateStyle", "German", "is_superuser", "on",
		"server_version", "16.0", "in_hot_standby", "on"));
	expect_sql(&w, &c, &p, 1, "RESET \"DateStyle\";",
		"read-only params never RESET, even when they differ");

	fill(&w, KV("search_path", "a"));
	fill(&c, KV("application_name", "prev", "DateStyle", "ISO, MDY"));
	expect_sql(&w, &c, &p, 2,
		"SELECT pg_catalog.set_config($dw$search_path$dw$, $dw$a$dw$, false);"
		"RESET \"application_name\";", "SET first, then RESET");

	fill(&c, KV("a\"b", "1"));
	pg_params_clear(&w);
	pg_params_clear(&p);
	expect_sql(&w, &c, &p, 1, "RESET \"a\"\"b\";", "RESET quotes the name as an identifier");

	pg_params_clear(&c);
	fill(&w, KV("application_name", "it's \"x\"; DROP TABLE t; --"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, "
		"$dw$it's \"x\"; DROP TABLE t; --$dw$, false);", "quotes stay inside the dollar quote");
	fill(&w, KV("application_name", "a$dw$b"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw0$a$dw$b$dw0$, false);",
		"value holding the tag gets another tag");
	fill(&w, KV("application_name", "$dw$$dw0$$dw1$"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw2$$dw$$dw0$$dw1$$dw2$, false);",
		"value holding several tags gets a fresh one");
	fill(&w, KV("application_name", "x$dw"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw0$x$dw$dw0$, false);",
		"value ending like the tag gets another tag");
	fill(&w, KV("application_name", "x$dw$y$dw0"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw1$x$dw$y$dw0$dw1$, false);",
		"value holding one tag and ending like the next gets a third");
	fill(&w, KV("application_name", "back\\slash"));
	expect_sql(&w, &c, &p, 1,
		"SELECT pg_catalog.set_config($dw$application_name$dw$, $dw$back\\slash$dw$, false);",
		"backslash kept as is");

	/* Identifiers are cut at 63 bytes, so RESET cannot name a longer setting. */
	char long_name[80];
	snprintf(long_name, sizeof long_name, "myapp.%s",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	char want[256];
	snprintf(want, sizeof want, "SELECT pg_catalog.set_config($dw$%s$dw$, $dw$$dw$, false);",
		long_name);
	pg_params_clear(&w);
	pg_params_clear(&p);
	fill(&c, KV(long_name, "v"));
	expect_sql(&w, &c, &p, 1, want, "setting with a 76-byte name emptied by set_config, not RESET");
	char name63[64];
	memset(name63, 'y', 63);
	memcpy(name63, "a.", 2);
	name63[63] = '\0';
	snprintf(want, sizeof want, "RESET \"%s\";", name63);
	fill(&c, KV(name63, "v"));
	expect_sql(&w, &c, &p, 1, want, "63-byte name still uses RESET");

	pg_params_clear(&w);
	pg_params_clear(&c);
	pg_params_clear(&p);
}

static void test_after_sync(void)
{
	struct pg_params w = {0}, c = {0}, p = {0};
	fill(&p, KV("application_name", "", "DateStyle", "ISO, MDY"));
	fill(&c, KV("application_name", "prev", "search_path", "old", "DateStyle", "German"));
	fill(&w, KV("datestyle", "SQL, DMY", "TimeZone", "UTC"));

	pg_params_after_sync(&w, &c, &p);
	check(c.n == 3 && str_is(pg_params_get(&c, "application_name"), "") &&
		str_is(pg_params_get(&c, "DateStyle"), "SQL, DMY") &&
		str_is(pg_params_get(&c, "timezone"), "UTC") && pg_params_get(&c, "search_path") == NULL,
		"after_sync: pristine overlaid with wants, old values gone");

	size_t n;
	char *sql = sync_sql(&w, &c, &p, &n);
	check(n == 0 && sql[0] == '\0', "after_sync then sync_sql: nothing more to do");
	free(sql);

	pg_params_clear(&w);
	pg_params_after_sync(&w, &c, &p);
	check(c.n == 2 && str_is(pg_params_get(&c, "DateStyle"), "ISO, MDY"),
		"after_sync with no wants: back to pristine");
	pg_params_clear(&w);
	pg_params_clear(&c);
	pg_params_clear(&p);
}

static void test_count_only(void)
{
	struct pg_params w = {0}, c = {0}, p = {0};
	fill(&p, KV("application_name", "", "DateStyle", "ISO, MDY"));
	fill(&c, KV("application_name", "prev", "DateStyle", "ISO, MDY", "search_path", "s"));
	fill(&w, KV("DateStyle", "German", "TimeZone", "UTC"));
	size_t n;
	char *sql = sync_sql(&w, &c, &p, &n);
	check(n == 4 && pg_params_sync_sql(&w, &c, &p, NULL) == 4,
		"without a buffer the changes are counted alike (4)");
	free(sql);
	pg_params_after_sync(&w, &c, &p);
	check(pg_params_sync_sql(&w, &c, &p, NULL) == 0, "count 0 once in step");
	pg_params_clear(&w);
	pg_params_clear(&c);
	pg_params_clear(&p);
}

static void test_signature(void)
{
	struct pg_params a = {0}, b = {0};
	fill(&a, KV("search_path", "x", "TimeZone", "UTC"));
	fill(&b, KV("timezone", "UTC", "SEARCH_PATH", "x"));
	check(pg_params_signature(&a) == pg_params_signature(&b),
		"same settings in another order and case: same signature");
	uint64_t before = pg_params_signature(&a);
	check(pg_params_set(&a, "TimeZone", "UTC ") && pg_params_signature(&a) != before,
		"a changed value changes the (cached) signature");
	check(pg_params_set(&a, "TimeZone", "UTC") && pg_params_signature(&a) == before,
		"changed back: signature back");
	check(pg_params_set(&a, "x.y", "") && pg_params_signature(&a) != before,
		"an added empty value changes the signature");
	pg_params_clear(&a);
	pg_params_clear(&b);
	check(pg_params_signature(&a) == pg_params_signature(&b), "empty lists: same signature");

	/* Name and value must not run into each other: these are different
	 * settings (0xff is a valid byte in both). */
	fill(&a, KV("a.b\xff" "c", "d"));
	fill(&b, KV("a.b", "c\xff" "d"));
	check(pg_params_signature(&a) != pg_params_signature(&b),
		"name/value boundary is part of the signature");
	fill(&a, KV("a.b", "cd"));
	fill(&b, KV("a.bc", "d"));
	check(pg_params_signature(&a) != pg_params_signature(&b),
		"name/value split elsewhere: different signature");
	pg_params_clear(&a);
	pg_params_clear(&b);
}

/* A client that sets many parameters, then one that sets none, on the same
 * server connection: every setting of the first must be RESET. */
static void test_many_settings_do_not_leak(void)
{
	struct pg_params w = {0}, c = {0}, p = {0};
	const char *reported[] = {"application_name", "client_encoding", "DateStyle",
		"default_transaction_read_only", "in_hot_standby", "integer_datetimes",
		"IntervalStyle", "is_superuser", "server_encoding", "server_version",
		"session_authorization", "standard_conforming_strings", "TimeZone"};
	for (size_t i = 0; i < sizeof reported / sizeof reported[0]; i++)
		if (!pg_params_set(&p, reported[i], "v"))
			abort();
	pg_params_copy(&c, &p);

	char opts[4096];
	size_t len = 0;
	for (int i = 0; i < 90; i++)
		len += (size_t)snprintf(opts + len, sizeof opts - len, "-cx.p%d=1 ", i);
	check(pg_params_from_options(&w, opts) && w.n == 90, "90 settings from options");
	size_t n;
	char *sql = sync_sql(&w, &c, &p, &n);
	check(n == 90, "first client: 90 changes");
	free(sql);
	pg_params_after_sync(&w, &c, &p);

	pg_params_clear(&w);
	sql = sync_sql(&w, &c, &p, &n);
	check(n == 90 && strstr(sql, "RESET \"x.p89\";") != NULL,
		"next client: all 90 RESET, none left behind (got %zu)", n);
	free(sql);
	pg_params_clear(&w);
	pg_params_clear(&c);
	pg_params_clear(&p);
}

int main(void)
{
	test_list();
	test_reserved();
	test_options();
	test_sync();
	test_after_sync();
	test_count_only();
	test_signature();
	test_many_settings_do_not_leak();
	return tap_done();
}
