/* Server-side prepared statements under transaction pooling.
 *
 * Statement ids belong to a server connection, but a client may run its next
 * EXECUTE on another one. dbward hands clients its own ids; each client
 * statement remembers its SQL and the parameter types last bound, and each
 * server connection a bounded cache of which client statements it has
 * prepared, under which server id. A statement missing on the server
 * serving the client is prepared there first (the reply is dbward's own). */
#ifndef DBWARD_PROXY_MY_STMT_H
#define DBWARD_PROXY_MY_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MY_CLIENT_STMTS_MAX 16384u
#define MY_SERVER_STMTS_MAX 256u

struct my_cstmt {
	uint32_t id;              /* what the client knows */
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

struct my_sstmt {
	uint64_t session;         /* session id (never reused) */
	uint32_t client_id;
	uint32_t server_id;
	uint64_t used;
	bool types_sent;          /* the server has seen parameter types for it */
};

struct my_stmt_cache {
	struct my_sstmt e[MY_SERVER_STMTS_MAX];
	uint32_t n;
	uint64_t clock;
};

struct my_sstmt *my_stmt_cache_find(struct my_stmt_cache *c, uint64_t session, uint32_t client_id);
/* Adds an entry; when full, the least recently used one is replaced and its
 * server id returned in *EVICTED (to be closed on the server), else 0. */
struct my_sstmt *my_stmt_cache_add(struct my_stmt_cache *c, uint64_t session, uint32_t client_id,
	uint32_t server_id, uint32_t *evicted);
void my_stmt_cache_remove(struct my_stmt_cache *c, struct my_sstmt *e);

#endif
