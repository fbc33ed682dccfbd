#include "proxy/my_stmt.h"

#include <stdlib.h>
#include <string.h>

static struct my_cstmt **slot(const struct my_cstmt_table *t, uint32_t id)
{
	return (struct my_cstmt **)&t->buckets[id % 64];
}

struct my_cstmt *my_cstmt_add(struct my_cstmt_table *t, const uint8_t *sql, size_t len)
{
	if (t->count >= MY_CLIENT_STMTS_MAX)
		return NULL;
	struct my_cstmt *c = calloc(1, sizeof *c);
	uint8_t *copy = malloc(len ? len : 1);
	if (!c || !copy) {
		free(c);
		free(copy);
		return NULL;
	}
	memcpy(copy, sql, len);
	c->sql = copy;
	c->sql_len = len;
	c->hash = my_stmt_hash(sql, len);
	/* Ids start at 1 and skip 0xffffffff (MariaDB's "last prepared"). */
	do
		c->id = ++t->next_id;
	while (c->id == 0 || c->id == 0xffffffffu || my_cstmt_get(t, c->id));
	c->next = *slot(t, c->id);
	*slot(t, c->id) = c;
	t->count++;
	return c;
}

struct my_cstmt *my_cstmt_get(const struct my_cstmt_table *t, uint32_t id)
{
	for (struct my_cstmt *c = *slot(t, id); c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void cstmt_free(struct my_cstmt *c)
{
	free(c->sql);
	free(c->types);
	free(c);
}

void my_cstmt_remove(struct my_cstmt_table *t, uint32_t id)
{
	for (struct my_cstmt **p = slot(t, id); *p; p = &(*p)->next) {
		if ((*p)->id == id) {
			struct my_cstmt *c = *p;
			*p = c->next;
			cstmt_free(c);
			t->count--;
			return;
		}
	}
}

void my_cstmt_clear(struct my_cstmt_table *t)
{
	for (size_t i = 0; i < 64; i++) {
		struct my_cstmt *c = t->buckets[i];
		while (c) {
			struct my_cstmt *next = c->next;
			cstmt_free(c);
			c = next;
		}
		t->buckets[i] = NULL;
	}
	t->count = 0;
}

/* Makes *DST (of *DST_LEN bytes) a copy of the LEN bytes at SRC. */
static bool keep_copy(uint8_t **dst, size_t *dst_len, const uint8_t *src, size_t len)
{
	if (*dst && *dst_len == len && memcmp(*dst, src, len) == 0)
		return true;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return false;
	memcpy(copy, src, len);
	free(*dst);
	*dst = copy;
	*dst_len = len;
	return true;
}

bool my_cstmt_set_types(struct my_cstmt *c, const uint8_t *types, size_t len)
{
	return keep_copy(&c->types, &c->types_len, types, len);
}

uint64_t my_stmt_hash(const uint8_t *sql, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= sql[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

struct my_sstmt *my_stmt_cache_find(struct my_stmt_cache *c, uint64_t hash, const uint8_t *sql,
	size_t len)
{
	for (uint32_t i = 0; i < c->n; i++) {
		if (c->hash[i] != hash)
			continue;
		struct my_sstmt *e = &c->e[i];
		if (e->sql_len == len && memcmp(e->sql, sql, len) == 0) {
			e->used = ++c->clock;
			return e;
		}
	}
	return NULL;
}

static void sstmt_release(struct my_sstmt *e)
{
	free(e->sql);
	free(e->types);
	memset(e, 0, sizeof *e);
}

struct my_sstmt *my_stmt_cache_add(struct my_stmt_cache *c, uint64_t hash, const uint8_t *sql,
	size_t len, uint32_t server_id, uint32_t *evicted)
{
	*evicted = 0;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		*evicted = server_id;
		return NULL;
	}
	memcpy(copy, sql, len);
	struct my_sstmt *same = my_stmt_cache_find(c, hash, sql, len);
	uint32_t i;
	if (same) {
		i = (uint32_t)(same - c->e);
		*evicted = same->server_id;
	} else if (c->n == MY_SERVER_STMTS_MAX) {
		i = 0;
		for (uint32_t k = 1; k < c->n; k++)
			if (c->e[k].used < c->e[i].used)
				i = k;
		*evicted = c->e[i].server_id;
	} else {
		i = c->n++;
	}
	sstmt_release(&c->e[i]);
	c->hash[i] = hash;
	c->e[i] = (struct my_sstmt){ .sql = copy, .sql_len = len, .server_id = server_id,
		.used = ++c->clock };
	return &c->e[i];
}

void my_stmt_cache_clear(struct my_stmt_cache *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		sstmt_release(&c->e[i]);
	c->n = 0;
}

void my_stmt_cache_free(struct my_stmt_cache *c)
{
	if (!c)
		return;
	my_stmt_cache_clear(c);
	free(c);
}

bool my_sstmt_types_are(const struct my_sstmt *e, const uint8_t *types, size_t len)
{
	return e->types && e->types_len == len && memcmp(e->types, types, len) == 0;
}

bool my_sstmt_set_types(struct my_sstmt *e, const uint8_t *types, size_t len)
{
	return keep_copy(&e->types, &e->types_len, types, len);
}
