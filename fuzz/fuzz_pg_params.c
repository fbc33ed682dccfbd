/* libFuzzer target for session parameter handling (proxy/pg_params.c) and
 * the server message readers of proxy/pg_codec.c.
 *
 * Input: OPTIONS_1 NUL OPTIONS_2 (each a libpq `options` value; the second
 * part may be absent). Two clients with those options use one server
 * connection in turn. The SQL written for each is read back with a lexer
 * that follows PostgreSQL's rules for dollar quotes and quoted identifiers,
 * and applied to a model of the server's settings. After each sync the model
 * must hold exactly what the client asked for and connect-time values for
 * everything else: a setting that leaks from one client to the next, or SQL
 * the server would parse differently, aborts.
 *
 * Equal signatures of the two clients' settings must mean equal settings, and
 * a cached signature must follow every change.
 *
 * The whole input is also read as an ErrorResponse and a ParameterStatus body. */
#include "proxy/pg_codec.h"
#include "proxy/pg_params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: says which, then aborts so the fuzzer keeps the input. */
__attribute__((noreturn, format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "fuzz_pg_params: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* What the server has: name -> value, names compared as the server does. */
#define MODEL_MAX 512
struct model {
	char *name[MODEL_MAX];
	char *value[MODEL_MAX];
	size_t n;
};

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	if (n)
		memcpy(d, s, n); /* S may be NULL when N is 0 (an empty evbuffer) */
	d[n] = '\0';
	return d;
}

static long model_find(const struct model *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcasecmp(m->name[i], name) == 0)
			return (long)i;
	return -1;
}

static void model_remove(struct model *m, const char *name)
{
	long i = model_find(m, name);
	if (i < 0)
		return;
	free(m->name[i]);
	free(m->value[i]);
	m->n--;
	m->name[i] = m->name[m->n];
	m->value[i] = m->value[m->n];
}

static void model_set(struct model *m, const char *name, const char *value)
{
	model_remove(m, name);
	if (m->n == MODEL_MAX)
		abort();
	m->name[m->n] = dup_n(name, strlen(name));
	m->value[m->n] = dup_n(value, strlen(value));
	m->n++;
}

static void model_free(struct model *m)
{
	while (m->n)
		model_remove(m, m->name[0]);
}

/* The connect-time settings a PostgreSQL 15 server reports. */
static const char *const reported[][2] = {
	{"application_name", ""}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"},
	{"default_transaction_read_only", "off"}, {"in_hot_standby", "off"},
	{"integer_datetimes", "on"}, {"IntervalStyle", "postgres"}, {"is_superuser", "off"},
	{"server_encoding", "UTF8"}, {"server_version", "15.0"},
	{"session_authorization", "app"}, {"standard_conforming_strings", "on"},
	{"TimeZone", "UTC"},
};
#define N_REPORTED (sizeof reported / sizeof reported[0])

/* Custom settings ("a.b") exist once set; RESET leaves them empty. */
static bool is_custom(const char *name)
{
	return strchr(name, '.') != NULL;
}

/* RESET brings back the connect-time value; a custom setting is left empty,
 * a built-in one goes back to a default the model need not know. */
static void model_reset(struct model *m, const struct pg_params *pristine, const char *name)
{
	const char *orig = pg_params_get(pristine, name);
	if (orig)
		model_set(m, name, orig);
	else if (is_custom(name))
		model_set(m, name, "");
	else
		model_remove(m, name);
}

/* A dollar-quoted literal at *POS: the opening delimiter is $tag$ (tag empty
 * or an identifier without '$') and the literal ends at the first repeat of
 * it, as PostgreSQL's scanner reads it. Returns a copy of the content. */
static char *read_dollar(const char *sql, size_t len, size_t *pos)
{
	size_t p = *pos;
	if (p >= len || sql[p] != '$')
		return NULL;
	size_t t = p + 1;
	while (t < len && sql[t] != '$') {
		unsigned char c = (unsigned char)sql[t];
		bool first = t == p + 1;
		bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80 ||
			(!first && c >= '0' && c <= '9');
		if (!ok)
			return NULL;
		t++;
	}
	if (t >= len)
		return NULL;
	size_t tag_len = t - p + 1;
	const char *start = sql + t + 1;
	const char *end = memmem(start, (size_t)(sql + len - start), sql + p, tag_len);
	if (!end)
		return NULL;
	*pos = (size_t)(end - sql) + tag_len;
	return dup_n(start, (size_t)(end - start));
}

/* A double-quoted identifier at *POS ("" stands for one "). PostgreSQL cuts
 * identifiers at NAMEDATALEN - 1 = 63 bytes. */
static char *read_ident(const char *sql, size_t len, size_t *pos)
{
	size_t p = *pos;
	if (p >= len || sql[p] != '"')
		return NULL;
	char *out = malloc(len + 1);
	if (!out)
		abort();
	size_t n = 0;
	for (p++; p < len; p++) {
		if (sql[p] == '"') {
			if (p + 1 < len && sql[p + 1] == '"') {
				out[n++] = '"';
				p++;
				continue;
			}
			if (n == 0)
				break; /* zero-length identifier: a syntax error */
			out[n < 63 ? n : 63] = '\0';
			*pos = p + 1;
			return out;
		}
		out[n++] = sql[p];
	}
	free(out);
	return NULL;
}

static bool expect(const char *sql, size_t len, size_t *pos, const char *word)
{
	size_t wl = strlen(word);
	if (len - *pos < wl || memcmp(sql + *pos, word, wl) != 0)
		return false;
	*pos += wl;
	return true;
}

/* One set_config(name, value, false) call: applies it to the model. */
static bool apply_call(const char *sql, size_t len, size_t *pos, struct model *m)
{
	if (!expect(sql, len, pos, "pg_catalog.set_config("))
		return false;
	char *name = read_dollar(sql, len, pos);
	bool ok = name && expect(sql, len, pos, ", ");
	char *value = ok ? read_dollar(sql, len, pos) : NULL;
	ok = value && expect(sql, len, pos, ", false)");
	if (ok)
		model_set(m, name, value);
	free(name);
	free(value);
	return ok;
}

/* Applies SQL to the model: statements "SELECT call, call...;" and
 * "RESET ident;". Returns the number of calls and RESETs, or -1 when the
 * server would not read it as the intended statements. */
static long apply_sql(const char *sql, size_t len, struct model *m, const struct pg_params *pristine)
{
	size_t pos = 0;
	long n = 0;
	while (pos < len) {
		if (expect(sql, len, &pos, "SELECT ")) {
			do {
				if (!apply_call(sql, len, &pos, m))
					return -1;
				n++;
			} while (expect(sql, len, &pos, ", "));
		} else if (expect(sql, len, &pos, "RESET ")) {
			char *name = read_ident(sql, len, &pos);
			if (!name)
				return -1;
			model_reset(m, pristine, name);
			free(name);
			n++;
		} else {
			return -1;
		}
		if (!expect(sql, len, &pos, ";"))
			return -1;
	}
	return n;
}

/* The server holds what WANTS asks for and connect-time values elsewhere. */
static void check_model(const struct model *m, const struct pg_params *wants,
	const struct pg_params *pristine)
{
	for (size_t i = 0; i < wants->n; i++) {
		long k = model_find(m, wants->items[i].name);
		if (k < 0 || strcmp(m->value[k], wants->items[i].value) != 0)
			fail("after the sync the server lacks wanted %s = '%s'", wants->items[i].name,
				wants->items[i].value);
	}
	for (size_t i = 0; i < m->n; i++) {
		if (pg_params_get(wants, m->name[i]))
			continue;
		const char *orig = pg_params_get(pristine, m->name[i]);
		if (!orig && is_custom(m->name[i]))
			orig = ""; /* as RESET leaves it */
		if (!orig || strcmp(orig, m->value[i]) != 0)
			fail("a previous client's setting survived the sync: %s = '%s'", m->name[i],
				m->value[i]);
	}
}

static void check_list(const struct pg_params *p)
{
	if (p->n > PG_PARAMS_MAX)
		fail("list holds %zu params", p->n);
	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->items[i].name;
		if (!name[0] || strchr(name, '-') || pg_param_is_reserved(name) ||
			pg_params_get(p, name) != p->items[i].value)
			fail("options gave an empty, dashed, reserved or duplicate name '%s'", name);
	}
}

/* Same settings: same names (any case) with the same values. */
static bool same_settings(const struct pg_params *a, const struct pg_params *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const char *v = pg_params_get(b, a->items[i].name);
		if (!v || strcmp(v, a->items[i].value) != 0)
			return false;
	}
	return true;
}

/* The cached signature of P equals one computed from scratch. */
static void check_signature_cache(struct pg_params *p)
{
	static struct pg_params fresh;
	pg_params_copy(&fresh, p);
	if (fresh.n == p->n && pg_params_signature(&fresh) != pg_params_signature(p))
		fail("cached signature differs from a fresh one");
	pg_params_clear(&fresh);
}

/* Names the server refuses in set_config: read-only ones, and names too
 * long for any built-in setting that are not custom ("a.b") either. */
static bool has_refused(const struct pg_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *name = p->items[i].name;
		if (pg_param_is_read_only(name) || (strlen(name) >= 64 && !is_custom(name)))
			return true;
	}
	return false;
}

/* One client attaching to the server: sync, apply, check. Returns false when
 * the server would refuse the SQL anyway (dbward then drops the connection,
 * so nothing carries over). */
static bool attach(const struct pg_params *wants, struct pg_params *current,
	const struct pg_params *pristine, struct model *m)
{
	struct evbuffer *buf = evbuffer_new();
	if (!buf)
		abort();
	size_t n = pg_params_sync_sql(wants, current, pristine, buf);
	if (pg_params_sync_sql(wants, current, pristine, NULL) != n)
		fail("pg_params_sync_sql counts differently without a buffer");
	size_t len = evbuffer_get_length(buf);
	if ((n == 0) != (len == 0))
		fail("%zu changes but %zu bytes of SQL", n, len);
	char *sql = dup_n((const char *)evbuffer_pullup(buf, -1), len);
	evbuffer_free(buf);
	if (memchr(sql, '\0', len))
		fail("NUL inside the SQL");
	long applied = apply_sql(sql, len, m, pristine);
	if (applied < 0 || (size_t)applied != n)
		fail("the server would not read %zu changes from: %s", n, sql);
	free(sql);
	pg_params_signature(current); /* cached, then invalidated by the overlay */
	pg_params_after_sync(wants, current, pristine);
	check_signature_cache(current);
	/* A refused name makes the whole sync fail on a real server. */
	if (has_refused(wants))
		return false;
	check_model(m, wants, pristine);
	return true;
}

static void fuzz_params(const char *opt1, const char *opt2)
{
	static struct pg_params w1, w2, current, pristine;
	struct model m = {0};

	pg_params_clear(&pristine);
	for (size_t i = 0; i < N_REPORTED; i++) {
		if (!pg_params_set(&pristine, reported[i][0], reported[i][1]))
			fail("cannot build the connect-time list");
		model_set(&m, reported[i][0], reported[i][1]);
	}
	pg_params_copy(&current, &pristine);

	pg_params_clear(&w1);
	pg_params_clear(&w2);
	bool ok1 = pg_params_from_options(&w1, opt1);
	bool ok2 = pg_params_from_options(&w2, opt2);
	check_list(&w1);
	check_list(&w2);
	/* dbward skips the sync when the signatures match: they must only
	 * match for the same settings. */
	if (pg_params_signature(&w1) == pg_params_signature(&w2) && !same_settings(&w1, &w2))
		fail("different settings with the same signature");
	/* A client whose options are refused never gets a server. */
	if (ok1 && attach(&w1, &current, &pristine, &m) && ok2)
		attach(&w2, &current, &pristine, &m);

	model_free(&m);
	pg_params_clear(&w1);
	pg_params_clear(&w2);
	pg_params_clear(&current);
	pg_params_clear(&pristine);
}

static void check_in(const uint8_t *data, size_t size, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	if (p < data || p >= data + size || !memchr(p, '\0', (size_t)(data + size - p)))
		fail("a string read from a message is not inside it");
}

static void fuzz_messages(const uint8_t *data, size_t size)
{
	static const char codes[] = "SVCMDHPpqWsctdnFLR";
	for (size_t i = 0; i < sizeof codes; i++) {
		const char *v = pg_error_field(data, size, codes[i]);
		if (v)
			check_in(data, size, v);
	}
	const char *name, *value;
	if (pg_parse_param_status(data, size, &name, &value)) {
		check_in(data, size, name);
		check_in(data, size, value);
		if ((const uint8_t *)value + strlen(value) + 1 != data + size)
			fail("ParameterStatus accepted with bytes after the value");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy with one terminating NUL: the options are C strings. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	size_t first = strlen(text);
	fuzz_params(text, first < size ? text + first + 1 : "");
	free(text);

	fuzz_messages(data, size);
	return 0;
}
