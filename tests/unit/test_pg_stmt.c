/* Unit tests for proxy/pg_stmt.c: the statement registry (dedup, reference
 * counts, ids), a client's name map and a server's LRU cache. Every test ends
 * with all references released and the registry empty, so under ASan a
 * reference-count mistake shows as a leak or a use after free. */
#include "proxy/pg_stmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/tap.h"


/* A Parse body without the name: query\0, int16 count, int32 oids. */
static size_t parse_body(uint8_t *out, size_t cap, const char *query, uint16_t n_oids,
	const uint32_t *oids)
{
	size_t ql = strlen(query) + 1, len = ql + 2 + 4u * n_oids;
	if (len > cap)
		abort();
	memcpy(out, query, ql);
	out[ql] = (uint8_t)(n_oids >> 8);
	out[ql + 1] = (uint8_t)n_oids;
	for (uint16_t i = 0; i < n_oids; i++) {
		uint8_t *p = out + ql + 2 + 4u * i;
		p[0] = (uint8_t)(oids[i] >> 24);
		p[1] = (uint8_t)(oids[i] >> 16);
		p[2] = (uint8_t)(oids[i] >> 8);
		p[3] = (uint8_t)oids[i];
	}
	return len;
}

static struct pg_stmt *intern_query(struct pg_stmt_registry *r, const char *query)
{
	uint8_t body[512];
	size_t len = parse_body(body, sizeof body, query, 0, NULL);
	/* An exact-size copy: ASan reports a read past LEN. */
	uint8_t *copy = malloc(len);
	if (!copy)
		abort();
	memcpy(copy, body, len);
	struct pg_stmt *s = pg_stmt_intern(r, copy, (uint32_t)len);
	free(copy);
	if (!s)
		abort();
	return s;
}

static void test_registry(void)
{
	struct pg_stmt_registry r;
	pg_stmt_registry_init(&r);
	check(r.count == 0 && r.n_buckets > 0, "registry starts empty");

	struct pg_stmt *a = intern_query(&r, "SELECT 1");
	check(a->refs == 1 && r.count == 1, "first intern: one reference, one statement");
	check(a->len == 11 && memcmp(a->body, "SELECT 1\0\0\0", 11) == 0, "body copied");
	struct pg_stmt *a2 = intern_query(&r, "SELECT 1");
	check(a2 == a && a->refs == 2 && r.count == 1, "same body: same statement, refs 2");

	struct pg_stmt *b = intern_query(&r, "SELECT 2");
	check(b != a && b->id != a->id && r.count == 2, "other body: new statement, new id");

	uint8_t body[64];
	const uint32_t int4 = 23, text = 25;
	size_t l1 = parse_body(body, sizeof body, "SELECT $1", 1, &int4);
	struct pg_stmt *t1 = pg_stmt_intern(&r, body, (uint32_t)l1);
	size_t l2 = parse_body(body, sizeof body, "SELECT $1", 1, &text);
	struct pg_stmt *t2 = pg_stmt_intern(&r, body, (uint32_t)l2);
	check(t1 && t2 && t1 != t2, "same text, other parameter types: distinct statements");
	/* A body that is a prefix of another is another statement. */
	struct pg_stmt *t3 = pg_stmt_intern(&r, body, (uint32_t)l2 - 1);
	check(t3 && t3 != t2 && r.count == 5, "prefix of a body: distinct statement");

	char name[32];
	pg_stmt_server_name(a, name);
	char want[32];
	snprintf(want, sizeof want, "dw_%llu", (unsigned long long)a->id);
	check(strcmp(name, want) == 0 && strncmp(name, "dw_", 3) == 0, "server name dw_<id> (%s)",
		name);
	struct pg_stmt big = {.id = UINT64_MAX};
	pg_stmt_server_name(&big, name);
	check(strcmp(name, "dw_18446744073709551615") == 0, "largest id fits the name buffer");

	uint64_t a_id = a->id;
	pg_stmt_unref(&r, a2);
	check(a->refs == 1 && r.count == 5, "unref to 1: still registered");
	pg_stmt_unref(&r, a);
	check(r.count == 4, "unref to 0: removed");
	struct pg_stmt *a3 = intern_query(&r, "SELECT 1");
	check(a3->id != a_id && a3->id > t3->id, "re-registered text gets a fresh id, ids never reused");

	pg_stmt_unref(&r, a3);
	pg_stmt_unref(&r, b);
	pg_stmt_unref(&r, t1);
	pg_stmt_unref(&r, t2);
	pg_stmt_unref(&r, t3);
	check(r.count == 0, "all released: registry empty");
	pg_stmt_registry_free(&r);
}

/* Thousands of statements: more than buckets, so chains form. */
static void test_registry_many(void)
{
	enum { N = 3000 };
	struct pg_stmt_registry r;
	pg_stmt_registry_init(&r);
	static struct pg_stmt *s[N];
	char q[64];
	for (int i = 0; i < N; i++) {
		snprintf(q, sizeof q, "SELECT %d", i);
		s[i] = intern_query(&r, q);
	}
	check(r.count == N, "%d statements registered", N);
	bool unique = true;
	for (int i = 1; i < N && unique; i++)
		unique = s[i]->id == s[i - 1]->id + 1;
	check(unique, "ids are distinct and increasing");

	bool dedup = true;
	for (int i = 0; i < N; i += 7) {
		snprintf(q, sizeof q, "SELECT %d", i);
		struct pg_stmt *again = intern_query(&r, q);
		dedup = dedup && again == s[i] && s[i]->refs == 2;
		pg_stmt_unref(&r, again);
	}
	check(dedup && r.count == N, "lookups in chains find the same statements");

	/* Release in a scattered order so chain unlinking is exercised. */
	for (int i = 0; i < N; i++)
		pg_stmt_unref(&r, s[(i * 1237) % N]);
	check(r.count == 0, "scattered release empties the registry");
	pg_stmt_registry_free(&r);
}

static void test_map(void)
{
	struct pg_stmt_registry r;
	pg_stmt_registry_init(&r);
	struct pg_stmt_map m = {0};

	struct pg_stmt *a = intern_query(&r, "SELECT 'a'");
	struct pg_stmt *b = intern_query(&r, "SELECT 'b'");
	check(pg_stmt_map_get(&m, "s1") == NULL, "empty map: get NULL");
	check(pg_stmt_map_put(&m, &r, "s1", a) && pg_stmt_map_get(&m, "s1") == a && m.count == 1,
		"put s1 -> a");
	check(a->refs == 1, "put takes over the caller's reference");
	check(pg_stmt_map_get(&m, "S1") == NULL && pg_stmt_map_get(&m, "s") == NULL,
		"names are exact (case and length)");

	struct pg_stmt *b_extra = intern_query(&r, "SELECT 'b'"); /* b refs 2 */
	check(pg_stmt_map_put(&m, &r, "s1", b_extra) && pg_stmt_map_get(&m, "s1") == b &&
		m.count == 1, "put s1 again replaces");
	check(r.count == 1 && b->refs == 2, "replaced statement released (a freed)");

	/* Re-binding the same statement must not drop it. */
	struct pg_stmt *b_again = intern_query(&r, "SELECT 'b'"); /* refs 3 */
	check(pg_stmt_map_put(&m, &r, "s1", b_again) && b->refs == 2 && pg_stmt_map_get(&m, "s1") == b,
		"put of the statement already bound keeps exactly one reference for the map");

	check(pg_stmt_map_put(&m, &r, "", b) && m.count == 2 && pg_stmt_map_get(&m, "") == b,
		"the empty name is a name too");
	pg_stmt_map_remove(&m, &r, "");
	check(m.count == 1 && pg_stmt_map_get(&m, "") == NULL && b->refs == 1,
		"remove releases the reference");
	pg_stmt_map_remove(&m, &r, "nope");
	check(m.count == 1, "remove of an unknown name: no-op");

	/* Many names share the 64 buckets. */
	char name[32];
	bool all = true;
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "stmt_%d", i);
		all = all && pg_stmt_map_put(&m, &r, name, intern_query(&r, i % 2 ? "SELECT 'a'" :
			"SELECT 'c'"));
	}
	check(all && m.count == 501 && r.count == 3, "500 more names, statements shared");
	bool found = true;
	for (int i = 0; i < 500; i += 13) {
		snprintf(name, sizeof name, "stmt_%d", i);
		struct pg_stmt *got = pg_stmt_map_get(&m, name);
		found = found && got && got->body[8] == (i % 2 ? 'a' : 'c');
	}
	check(found, "every name finds its statement");
	for (int i = 0; i < 500; i += 2) {
		snprintf(name, sizeof name, "stmt_%d", i);
		pg_stmt_map_remove(&m, &r, name);
	}
	check(m.count == 251 && r.count == 2, "removing every 'c' name frees that statement");

	pg_stmt_map_clear(&m, &r);
	check(m.count == 0 && r.count == 0 && pg_stmt_map_get(&m, "s1") == NULL,
		"clear releases every reference");
	check(pg_stmt_map_put(&m, &r, "s1", intern_query(&r, "SELECT 1")) && m.count == 1,
		"map usable after clear");
	pg_stmt_map_clear(&m, &r);
	check(r.count == 0, "registry empty at the end");
	pg_stmt_registry_free(&r);
}

static void test_cache(void)
{
	struct pg_stmt_registry r;
	pg_stmt_registry_init(&r);
	struct pg_stmt_cache *c = calloc(1, sizeof *c);
	static struct pg_stmt *s[PG_STMT_CACHE_MAX + 2];
	char q[64];

	for (int i = 0; i < PG_STMT_CACHE_MAX + 2; i++) {
		snprintf(q, sizeof q, "SELECT %d", i);
		s[i] = intern_query(&r, q);
	}
	check(!pg_stmt_cache_has(c, s[0]), "empty cache has nothing");
	check(pg_stmt_cache_add(c, s[0]) == NULL && s[0]->refs == 2 && c->n == 1,
		"add takes a new reference");
	check(pg_stmt_cache_has(c, s[0]), "has after add");

	bool none_evicted = true;
	for (int i = 1; i < PG_STMT_CACHE_MAX; i++)
		none_evicted = none_evicted && pg_stmt_cache_add(c, s[i]) == NULL;
	check(none_evicted && c->n == PG_STMT_CACHE_MAX, "filling to %d evicts nothing",
		PG_STMT_CACHE_MAX);

	/* s[0] is the oldest; has() makes it the newest, so s[1] goes first. */
	check(pg_stmt_cache_has(c, s[0]), "has() on the oldest");
	struct pg_stmt *out = pg_stmt_cache_add(c, s[PG_STMT_CACHE_MAX]);
	check(out == s[1], "full cache: the least recently used is evicted (s[1])");
	check(out->refs == 2 && !pg_stmt_cache_has(c, s[1]) && c->n == PG_STMT_CACHE_MAX,
		"evicted reference passes to the caller");
	pg_stmt_unref(&r, out);
	check(s[1]->refs == 1, "caller released the evicted reference");

	out = pg_stmt_cache_add(c, s[PG_STMT_CACHE_MAX + 1]);
	check(out == s[2], "next eviction: s[2], the next least recently used");
	pg_stmt_unref(&r, out);
	check(pg_stmt_cache_has(c, s[0]) && pg_stmt_cache_has(c, s[PG_STMT_CACHE_MAX]) &&
		pg_stmt_cache_has(c, s[PG_STMT_CACHE_MAX + 1]), "recent ones stay");

	/* Touch all but s[5] in order: s[5] becomes least recently used. */
	for (int i = 3; i < PG_STMT_CACHE_MAX + 2; i++)
		if (i != 5)
			pg_stmt_cache_has(c, s[i]);
	pg_stmt_cache_has(c, s[0]);
	struct pg_stmt *extra = intern_query(&r, "SELECT 'extra'");
	out = pg_stmt_cache_add(c, extra);
	check(out == s[5], "eviction follows use, not insertion order");
	pg_stmt_unref(&r, out);
	pg_stmt_unref(&r, extra);

	pg_stmt_cache_clear(c, &r);
	check(c->n == 0 && !pg_stmt_cache_has(c, s[0]), "clear empties the cache");
	bool one_each = true;
	for (int i = 0; i < PG_STMT_CACHE_MAX + 2; i++)
		one_each = one_each && s[i]->refs == 1;
	check(one_each, "clear released the cache's references");
	for (int i = 0; i < PG_STMT_CACHE_MAX + 2; i++)
		pg_stmt_unref(&r, s[i]);
	check(r.count == 0, "registry empty at the end");
	free(c);
	pg_stmt_registry_free(&r);
}

int main(void)
{
	test_registry();
	test_registry_many();
	test_map();
	test_cache();
	return tap_done();
}
