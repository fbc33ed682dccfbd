/* Server-side prepared statements under transaction pooling.
 *
 * Statement ids belong to a server connection, but a client may run its next
 * EXECUTE on another one. dbward hands clients its own ids; each client
 * statement remembers its SQL and the parameter types last bound, and each
 * server connection a bounded cache of the statement texts it has prepared,
 * under which server id, shared by every client it serves. A statement
 * missing on the server serving the client is prepared there first (the
 * reply is dbward's own). */
#ifndef DBWARD_PROXY_MY_STMT_H
#define DBWARD_PROXY_MY_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MY_CLIENT_STMTS_MAX 16384u
#define MY_SERVER_STMTS_MAX 256u

struct my_cstmt {
	uint32_t id;              /* what the client knows */
	uint64_t hash;            /* my_stmt_hash of sql */
	uint16_t num_params;
	uint8_t *sql;
	size_t sql_len;
	uint8_t *types;           /* the last type block the client bound */
	size_t types_len;
	struct my_cstmt *next;
};

struct my_cstmt_table {
	struct my_cstmt *buckets[64];
	uint32_t next_id;
	size_t count;
};

struct my_cstmt *my_cstmt_add(struct my_cstmt_table *t, const uint8_t *sql, size_t len);
struct my_cstmt *my_cstmt_get(const struct my_cstmt_table *t, uint32_t id);
void my_cstmt_remove(struct my_cstmt_table *t, uint32_t id);
void my_cstmt_clear(struct my_cstmt_table *t);
/* Keeps a copy of the type block of an EXECUTE. */
bool my_cstmt_set_types(struct my_cstmt *c, const uint8_t *types, size_t len);

/* One statement prepared on a server connection, known by its SQL text: any
 * client statement with the same text runs it, whichever session prepared
 * it (a server connection serves one client at a time). */
struct my_sstmt {
	uint8_t *sql;             /* owned copy of the text */
	size_t sql_len;
	uint32_t server_id;
	uint64_t used;
	uint8_t *types;           /* the type block the server last got for it; NULL = none */
	size_t types_len;
};

struct my_stmt_cache {
	uint64_t hash[MY_SERVER_STMTS_MAX];  /* of e[i].sql: scanned first */
	struct my_sstmt e[MY_SERVER_STMTS_MAX];
	uint32_t n;
	uint64_t clock;
};

/* The hash my_cstmt.hash and the cache use. */
uint64_t my_stmt_hash(const uint8_t *sql, size_t len);

struct my_sstmt *my_stmt_cache_find(struct my_stmt_cache *c, uint64_t hash, const uint8_t *sql,
	size_t len);
/* Adds the statement SQL prepared as SERVER_ID. A statement of the same text
 * already there is replaced, or when the cache is full the least recently
 * used one: its server id is returned in *EVICTED (to be closed on the
 * server), else 0. Returns NULL when out of memory (*EVICTED is then
 * SERVER_ID itself: nothing remembers it). */
struct my_sstmt *my_stmt_cache_add(struct my_stmt_cache *c, uint64_t hash, const uint8_t *sql,
	size_t len, uint32_t server_id, uint32_t *evicted);
/* The server forgot every statement (COM_RESET_CONNECTION). */
void my_stmt_cache_clear(struct my_stmt_cache *c);
/* Clears and frees C (may be NULL). */
void my_stmt_cache_free(struct my_stmt_cache *c);
/* True when TYPES is the type block the server last got for E. */
bool my_sstmt_types_are(const struct my_sstmt *e, const uint8_t *types, size_t len);
bool my_sstmt_set_types(struct my_sstmt *e, const uint8_t *types, size_t len)
	__attribute__((warn_unused_result));

#endif
