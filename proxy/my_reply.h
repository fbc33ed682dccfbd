/* Follows what a MySQL / MariaDB server sends back for one command, packet by
 * packet, from the first bytes of each packet: rows and result sets stream
 * through without being held. It says when the reply is complete, whether it
 * ended in an error, and the status flags the server reported on the way
 * (SERVER_STATUS_IN_TRANS for transaction pooling).
 *
 * Usage: my_reply_init() when a command goes to the server, then
 * my_reply_feed() for every packet the server sends (continuation packets of a
 * split payload included) until it returns MY_REPLY_DONE. Commands without a
 * reply (COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA) are DONE at init.
 *
 * Layouts followed (checked against MariaDB 10.11 where captured, see
 * tests/unit/captures; from the protocol documentation otherwise):
 * - OK, ERR; a text or binary result set: column count, definitions, EOF
 *   unless CLIENT_DEPRECATE_EOF, rows, then EOF or (DEPRECATE_EOF) OK with a
 *   0xfe header; SERVER_MORE_RESULTS_EXISTS chains further results (multiple
 *   statements, CALL). An ERR ends the reply wherever it comes.
 * - MariaDB's MARIADB_CLIENT_CACHE_METADATA: a flag byte after the column
 *   count; 0 means the definitions are not sent (the EOF still is).
 * - LOCAL INFILE: 0xfb and a file name, also after earlier results of a
 *   multi-statement query; the client then sends the file and an empty
 *   packet, and the server answers OK or ERR (an empty packet alone: OK, 0
 *   records).
 * - COM_STMT_PREPARE: PREPARE_OK, parameter definitions, columns definitions,
 *   each block followed by EOF unless DEPRECATE_EOF (MariaDB sends none then).
 * - COM_STMT_EXECUTE with a cursor: column definitions then EOF (or, under
 *   DEPRECATE_EOF, the 0xfe OK) with SERVER_STATUS_CURSOR_EXISTS, no rows.
 *   COM_STMT_FETCH: rows then EOF/OK with CURSOR_EXISTS or LAST_ROW_SENT.
 * - COM_FIELD_LIST: definitions until EOF; COM_STATISTICS: one string packet;
 *   COM_SET_OPTION / COM_DEBUG: EOF (OK with 0xfe under DEPRECATE_EOF);
 *   COM_CHANGE_USER: OK / ERR after any AuthSwitchRequest / AuthMoreData.
 * - MariaDB progress reports (ERR with code 0xffff, under
 *   MARIADB_CLIENT_PROGRESS) are not the end of a reply.
 *
 * A 0xfe packet is an EOF only when shorter than 9 bytes, and the OK closing
 * a result set under DEPRECATE_EOF only when shorter than 0xffffff bytes:
 * anything longer is a row.
 *
 * Not followed: CLIENT_OPTIONAL_RESULTSET_METADATA and CLIENT_COMPRESS
 * (MY_REPLY_UNSUPPORTED_CAPS); do not negotiate them. */
#ifndef DBWARD_PROXY_MY_REPLY_H
#define DBWARD_PROXY_MY_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy/my_codec.h"

#define MY_REPLY_UNSUPPORTED_CAPS (MY_CLIENT_OPTIONAL_RESULTSET_METADATA | MY_CLIENT_COMPRESS)

/* Bytes of a payload my_reply_feed() needs: min(payload length, this). */
#define MY_REPLY_HEAD 32u

enum my_reply_result {
	MY_REPLY_CONTINUE = 0,  /* more packets of this reply follow */
	MY_REPLY_LOCAL_INFILE,  /* 0xfb: the server waits for the client's file, then
	                           answers OK/ERR: keep relaying and feeding. To refuse,
	                           send the server an empty packet (next sequence id)
	                           instead of the file */
	MY_REPLY_AUTH_MORE,     /* COM_CHANGE_USER: AuthSwitchRequest or AuthMoreData;
	                           the next packet may come from either side */
	MY_REPLY_DONE,          /* the reply is complete; see the fields below */
	MY_REPLY_PROTOCOL_ERROR,/* the packet does not fit the reply: drop the connection */
};

struct my_reply {
	/* Set by my_reply_init(), then private. */
	uint8_t cmd;
	uint8_t state;
	bool continued;          /* the last packet was full: the next continues it */
	uint64_t caps;           /* negotiated capabilities */
	uint32_t defs_left;      /* column / parameter definitions still to come */
	uint16_t prep_columns;   /* PREPARE: columns block after the parameters */

	/* Results, valid once DONE (status also along the way). */
	bool status_valid;       /* an OK or EOF was seen: STATUS is the server's */
	uint16_t status;         /* status flags of the last OK or EOF */
	bool is_error;           /* the reply ended with ERR */
	uint16_t err_code;
	char sqlstate[6];
	uint64_t affected_rows;  /* summed over the reply's OKs (not the 0xfe ones) */
	uint64_t last_insert_id; /* last OK */
	uint16_t warnings;       /* last OK or EOF */
	uint32_t result_sets;    /* result sets with columns */
	uint64_t rows;           /* row packets over all result sets */
	uint32_t units;          /* statement results ended so far: an OK, or a result set's
	                            end (several with multiple statements or CALL) */
	uint64_t unit_rows;      /* rows returned or affected by the last one that ended */
	uint64_t unit_rows_now;  /* private: rows of the result set being read */
	bool prepared;           /* COM_STMT_PREPARE succeeded: the next three are set */
	uint32_t stmt_id;
	uint16_t num_params;
	uint16_t num_columns;
};

/* Starts tracking the reply to command CMD (a MY_COM_* byte) on a
 * connection with negotiated capabilities CAPS (64-bit, MariaDB's extended
 * ones in the upper half). Unknown commands are followed as COM_QUERY is,
 * without LOCAL INFILE. */
void my_reply_init(struct my_reply *r, uint8_t cmd, uint64_t caps);

/* One packet from the server: HEAD holds its first HEAD_LEN bytes, with
 * min(PAYLOAD_LEN, MY_REPLY_HEAD) <= HEAD_LEN <= PAYLOAD_LEN; PAYLOAD_LEN is
 * the length in its header. Anything after DONE is a PROTOCOL_ERROR. */
__attribute__((warn_unused_result))
enum my_reply_result my_reply_feed(struct my_reply *r, const uint8_t *head, size_t head_len,
	uint32_t payload_len);

static inline bool my_reply_done(const struct my_reply *r)
{
	return r->state == 0;
}

/* After an ERR no status is reported (STATUS_VALID stays false if nothing
 * else came): whether a transaction is still open is then unknown, e.g. after
 * a deadlock the server has rolled it back, after other errors it has not. */

#endif
