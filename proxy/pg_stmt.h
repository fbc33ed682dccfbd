/* Named prepared statements under transaction pooling.
 *
 * A client's statement names belong to the client, but the statements live on
 * server connections that many clients share. Each distinct statement text
 * (Parse body minus the name) is registered once per worker and gets a
 * server-side name "dw_<id>". A client's map turns its names into those
 * statements; a server's cache says which ones it has prepared, bounded, least
 * recently used first out. */
#ifndef DBWARD_PROXY_PG_STMT_H
#define DBWARD_PROXY_PG_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pg_stmt {
	uint64_t id;
	uint64_t hash;
	uint32_t refs;
	uint32_t len;
	struct pg_stmt *next;  /* registry chain */
	uint8_t body[];        /* query\0 int16 n, int32 oids[n] */
};

struct pg_stmt_registry {
	struct pg_stmt **buckets;
	size_t n_buckets;
	size_t count;
};

void pg_stmt_registry_init(struct pg_stmt_registry *r);
void pg_stmt_registry_free(struct pg_stmt_registry *r);
/* Returns the statement with BODY, registering it, with one more reference;
 * NULL when out of memory. */
struct pg_stmt *pg_stmt_intern(struct pg_stmt_registry *r, const uint8_t *body, uint32_t len);
void pg_stmt_unref(struct pg_stmt_registry *r, struct pg_stmt *s);
/* "dw_<id>" */
void pg_stmt_server_name(const struct pg_stmt *s, char out[32]);

/* A client's names -> statements. */
struct pg_stmt_name {
	char *name;
	struct pg_stmt *stmt;
	struct pg_stmt_name *next;
};

struct pg_stmt_map {
	struct pg_stmt_name *buckets[64];
	size_t count;
};

struct pg_stmt *pg_stmt_map_get(const struct pg_stmt_map *m, const char *name);
/* Binds NAME to S (taking over the caller's reference), replacing any
 * previous statement of that name. Returns false when out of memory. */
bool pg_stmt_map_put(struct pg_stmt_map *m, struct pg_stmt_registry *r, const char *name,
	struct pg_stmt *s) __attribute__((warn_unused_result));
void pg_stmt_map_remove(struct pg_stmt_map *m, struct pg_stmt_registry *r, const char *name);
void pg_stmt_map_clear(struct pg_stmt_map *m, struct pg_stmt_registry *r);

/* Which statements a server connection has prepared. */
#define PG_STMT_CACHE_MAX 256

struct pg_stmt_cache {
	struct pg_stmt *stmt[PG_STMT_CACHE_MAX];
	uint64_t used[PG_STMT_CACHE_MAX];
	uint32_t n;
	uint64_t clock;
};

/* True when S is prepared on this server; marks it recently used. */
bool pg_stmt_cache_has(struct pg_stmt_cache *c, const struct pg_stmt *s);
/* Records S as prepared (takes a new reference). When the cache is full the
 * least recently used statement is removed and returned (its reference passes
 * to the caller, who closes it on the server and unrefs it); else NULL. */
struct pg_stmt *pg_stmt_cache_add(struct pg_stmt_cache *c, struct pg_stmt *s);
void pg_stmt_cache_clear(struct pg_stmt_cache *c, struct pg_stmt_registry *r);

#endif
