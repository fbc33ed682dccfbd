#include "proxy/pg_stmt.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Statement ids are unique across workers: a server connection may move to
 * another worker, and its leftover statements must never clash by name. */
static atomic_uint_fast64_t next_stmt_id = 1;

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void pg_stmt_registry_init(struct pg_stmt_registry *r)
{
	memset(r, 0, sizeof *r);
	r->n_buckets = 1024;
	r->buckets = calloc(r->n_buckets, sizeof *r->buckets);
	if (!r->buckets)
		r->n_buckets = 0;
}

void pg_stmt_registry_free(struct pg_stmt_registry *r)
{
	for (size_t i = 0; i < r->n_buckets; i++) {
		struct pg_stmt *s = r->buckets[i];
		while (s) {
			struct pg_stmt *next = s->next;
			free(s);
			s = next;
		}
	}
	free(r->buckets);
	memset(r, 0, sizeof *r);
}

struct pg_stmt *pg_stmt_intern(struct pg_stmt_registry *r, const uint8_t *body, uint32_t len)
{
	if (!r->n_buckets)
		return NULL;
	uint64_t h = fnv1a(body, len);
	struct pg_stmt **slot = &r->buckets[h % r->n_buckets];
	for (struct pg_stmt *s = *slot; s; s = s->next) {
		if (s->hash == h && s->len == len && memcmp(s->body, body, len) == 0) {
			s->refs++;
			return s;
		}
	}
	struct pg_stmt *s = malloc(sizeof *s + len);
	if (!s)
		return NULL;
	s->id = atomic_fetch_add(&next_stmt_id, 1);
	s->hash = h;
	s->refs = 1;
	s->len = len;
	memcpy(s->body, body, len);
	s->next = *slot;
	*slot = s;
	r->count++;
	return s;
}

void pg_stmt_unref(struct pg_stmt_registry *r, struct pg_stmt *s)
{
	if (--s->refs)
		return;
	struct pg_stmt **slot = &r->buckets[s->hash % r->n_buckets];
	while (*slot != s)
		slot = &(*slot)->next;
	*slot = s->next;
	r->count--;
	free(s);
}

void pg_stmt_server_name(const struct pg_stmt *s, char out[32])
{
	snprintf(out, 32, "dw_%llu", (unsigned long long)s->id);
}

static struct pg_stmt_name **map_slot(const struct pg_stmt_map *m, const char *name)
{
	uint64_t h = fnv1a((const uint8_t *)name, strlen(name));
	return (struct pg_stmt_name **)&m->buckets[h % 64];
}

struct pg_stmt *pg_stmt_map_get(const struct pg_stmt_map *m, const char *name)
{
	for (struct pg_stmt_name *n = *map_slot(m, name); n; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n->stmt;
	return NULL;
}

bool pg_stmt_map_put(struct pg_stmt_map *m, struct pg_stmt_registry *r, const char *name,
	struct pg_stmt *s)
{
	struct pg_stmt_name **slot = map_slot(m, name);
	for (struct pg_stmt_name *n = *slot; n; n = n->next) {
		if (strcmp(n->name, name) == 0) {
			pg_stmt_unref(r, n->stmt);
			n->stmt = s;
			return true;
		}
	}
	struct pg_stmt_name *n = malloc(sizeof *n);
	char *copy = strdup(name);
	if (!n || !copy) {
		free(n);
		free(copy);
		return false;
	}
	n->name = copy;
	n->stmt = s;
	n->next = *slot;
	*slot = n;
	m->count++;
	return true;
}

void pg_stmt_map_remove(struct pg_stmt_map *m, struct pg_stmt_registry *r, const char *name)
{
	for (struct pg_stmt_name **slot = map_slot(m, name); *slot; slot = &(*slot)->next) {
		struct pg_stmt_name *n = *slot;
		if (strcmp(n->name, name) == 0) {
			*slot = n->next;
			pg_stmt_unref(r, n->stmt);
			free(n->name);
			free(n);
			m->count--;
			return;
		}
	}
}

void pg_stmt_map_clear(struct pg_stmt_map *m, struct pg_stmt_registry *r)
{
	for (size_t i = 0; i < 64; i++) {
		struct pg_stmt_name *n = m->buckets[i];
		while (n) {
			struct pg_stmt_name *next = n->next;
			pg_stmt_unref(r, n->stmt);
			free(n->name);
			free(n);
			n = next;
		}
		m->buckets[i] = NULL;
	}
	m->count = 0;
}

bool pg_stmt_cache_has(struct pg_stmt_cache *c, const struct pg_stmt *s)
{
	for (uint32_t i = 0; i < c->n; i++) {
		if (c->stmt[i] == s) {
			c->used[i] = ++c->clock;
			return true;
		}
	}
	return false;
}

struct pg_stmt *pg_stmt_cache_add(struct pg_stmt_cache *c, struct pg_stmt *s)
{
	struct pg_stmt *evicted = NULL;
	uint32_t slot = c->n;
	if (c->n == PG_STMT_CACHE_MAX) {
		slot = 0;
		for (uint32_t i = 1; i < c->n; i++)
			if (c->used[i] < c->used[slot])
				slot = i;
		evicted = c->stmt[slot];
	} else {
		c->n++;
	}
	s->refs++;
	c->stmt[slot] = s;
	c->used[slot] = ++c->clock;
	return evicted;
}

void pg_stmt_cache_clear(struct pg_stmt_cache *c, struct pg_stmt_registry *r)
{
	for (uint32_t i = 0; i < c->n; i++)
		pg_stmt_unref(r, c->stmt[i]);
	c->n = 0;
}
