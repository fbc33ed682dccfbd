/* MySQL / MariaDB client-server protocol: framing, parsing of the packets
 * dbward reads, building of the packets it sends. No sockets here: parsers
 * take (pointer, length) and check every length against it, builders append
 * complete packets to an evbuffer.
 *
 * A packet is a 4-byte header (3-byte little-endian payload length, 1-byte
 * sequence id) and its payload. A payload of exactly MY_MAX_PAYLOAD bytes is
 * continued by the next packet (the sequence id going on), so a logical packet
 * of N bytes takes N / 0xffffff + 1 packets, the last possibly empty.
 *
 * Only the 4.1 protocol is spoken (CLIENT_PROTOCOL_41); MariaDB's extended
 * capabilities are kept in the upper 32 bits of every 64-bit capability set.
 *
 * Names carry a MY_ prefix because <mysql.h> defines the unprefixed ones (as
 * macros and enum members) with other spellings, and a file may need both. */
#ifndef DBWARD_PROXY_MY_CODEC_H
#define DBWARD_PROXY_MY_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define MY_HEADER_LEN 4u
#define MY_MAX_PAYLOAD 0xffffffu     /* a payload this long continues in the next packet */
#define MY_SSL_REQUEST_LEN 32u       /* HandshakeResponse41 up to its filler, nothing after */
#define MY_SCRAMBLE_LEN 20u          /* what servers send and dbward sends */
#define MY_SCRAMBLE_MAX 32u          /* longest auth data a parsed greeting may carry */
#define MY_STMT_ID_LAST 0xffffffffu  /* MariaDB: "the statement prepared last" */

/* Capability flags (lower 32 bits: both servers; upper: MariaDB's extended set). */
#define MY_CLIENT_LONG_PASSWORD (1ull << 0)   /* MariaDB calls it CLIENT_MYSQL: a MySQL peer */
#define MY_CLIENT_FOUND_ROWS (1ull << 1)
#define MY_CLIENT_LONG_FLAG (1ull << 2)
#define MY_CLIENT_CONNECT_WITH_DB (1ull << 3)
#define MY_CLIENT_NO_SCHEMA (1ull << 4)
#define MY_CLIENT_COMPRESS (1ull << 5)
#define MY_CLIENT_ODBC (1ull << 6)
#define MY_CLIENT_LOCAL_FILES (1ull << 7)
#define MY_CLIENT_IGNORE_SPACE (1ull << 8)
#define MY_CLIENT_PROTOCOL_41 (1ull << 9)
#define MY_CLIENT_INTERACTIVE (1ull << 10)
#define MY_CLIENT_SSL (1ull << 11)
#define MY_CLIENT_IGNORE_SIGPIPE (1ull << 12)
#define MY_CLIENT_TRANSACTIONS (1ull << 13)
#define MY_CLIENT_RESERVED (1ull << 14)
#define MY_CLIENT_SECURE_CONNECTION (1ull << 15)
#define MY_CLIENT_MULTI_STATEMENTS (1ull << 16)
#define MY_CLIENT_MULTI_RESULTS (1ull << 17)
#define MY_CLIENT_PS_MULTI_RESULTS (1ull << 18)
#define MY_CLIENT_PLUGIN_AUTH (1ull << 19)
#define MY_CLIENT_CONNECT_ATTRS (1ull << 20)
#define MY_CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (1ull << 21)
#define MY_CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS (1ull << 22)
#define MY_CLIENT_SESSION_TRACK (1ull << 23)
#define MY_CLIENT_DEPRECATE_EOF (1ull << 24)
#define MY_CLIENT_OPTIONAL_RESULTSET_METADATA (1ull << 25) /* MySQL 8 */
#define MY_CLIENT_ZSTD_COMPRESSION (1ull << 26)            /* MySQL 8 */
#define MY_CLIENT_QUERY_ATTRIBUTES (1ull << 27)            /* MySQL 8 */
#define MY_CLIENT_MULTI_FACTOR_AUTH (1ull << 28)           /* MySQL 8 */
#define MY_CLIENT_PROGRESS_OBSOLETE (1ull << 29)           /* MariaDB, old progress bit */
#define MY_CLIENT_SSL_VERIFY_SERVER_CERT (1ull << 30)
#define MY_CLIENT_REMEMBER_OPTIONS (1ull << 31)
#define MY_MARIADB_CLIENT_PROGRESS (1ull << 32)
#define MY_MARIADB_CLIENT_COM_MULTI (1ull << 33)           /* withdrawn */
#define MY_MARIADB_CLIENT_STMT_BULK_OPERATIONS (1ull << 34)
#define MY_MARIADB_CLIENT_EXTENDED_METADATA (1ull << 35)
#define MY_MARIADB_CLIENT_CACHE_METADATA (1ull << 36)
#define MY_MARIADB_CLIENT_BULK_UNIT_RESULTS (1ull << 37)

/* MariaDB sends its extended capabilities (the upper 32 bits) in bytes that
 * are filler for MySQL, and only when it does not set CLIENT_LONG_PASSWORD. */
static inline bool my_caps_have_mariadb_ext(uint64_t caps)
{
	return !(caps & MY_CLIENT_LONG_PASSWORD);
}

/* Server status flags (OK and EOF packets). */
#define MY_SERVER_STATUS_IN_TRANS 0x0001u
#define MY_SERVER_STATUS_AUTOCOMMIT 0x0002u
#define MY_SERVER_MORE_RESULTS_EXISTS 0x0008u
#define MY_SERVER_QUERY_NO_GOOD_INDEX_USED 0x0010u
#define MY_SERVER_QUERY_NO_INDEX_USED 0x0020u
#define MY_SERVER_STATUS_CURSOR_EXISTS 0x0040u
#define MY_SERVER_STATUS_LAST_ROW_SENT 0x0080u
#define MY_SERVER_STATUS_DB_DROPPED 0x0100u
#define MY_SERVER_STATUS_NO_BACKSLASH_ESCAPES 0x0200u
#define MY_SERVER_STATUS_METADATA_CHANGED 0x0400u
#define MY_SERVER_QUERY_WAS_SLOW 0x0800u
#define MY_SERVER_PS_OUT_PARAMS 0x1000u
#define MY_SERVER_STATUS_IN_TRANS_READONLY 0x2000u
#define MY_SERVER_SESSION_STATE_CHANGED 0x4000u
#define MY_SERVER_STATUS_ANSI_QUOTES 0x8000u     /* MariaDB */

/* Command bytes (first byte of every client packet with sequence id 0). */
#define MY_COM_SLEEP 0x00u
#define MY_COM_QUIT 0x01u
#define MY_COM_INIT_DB 0x02u
#define MY_COM_QUERY 0x03u
#define MY_COM_FIELD_LIST 0x04u
#define MY_COM_CREATE_DB 0x05u
#define MY_COM_DROP_DB 0x06u
#define MY_COM_REFRESH 0x07u
#define MY_COM_SHUTDOWN 0x08u
#define MY_COM_STATISTICS 0x09u
#define MY_COM_PROCESS_INFO 0x0au
#define MY_COM_CONNECT 0x0bu
#define MY_COM_PROCESS_KILL 0x0cu
#define MY_COM_DEBUG 0x0du
#define MY_COM_PING 0x0eu
#define MY_COM_TIME 0x0fu
#define MY_COM_DELAYED_INSERT 0x10u
#define MY_COM_CHANGE_USER 0x11u
#define MY_COM_BINLOG_DUMP 0x12u
#define MY_COM_TABLE_DUMP 0x13u
#define MY_COM_CONNECT_OUT 0x14u
#define MY_COM_REGISTER_SLAVE 0x15u
#define MY_COM_STMT_PREPARE 0x16u
#define MY_COM_STMT_EXECUTE 0x17u
#define MY_COM_STMT_SEND_LONG_DATA 0x18u
#define MY_COM_STMT_CLOSE 0x19u
#define MY_COM_STMT_RESET 0x1au
#define MY_COM_SET_OPTION 0x1bu
#define MY_COM_STMT_FETCH 0x1cu
#define MY_COM_DAEMON 0x1du
#define MY_COM_BINLOG_DUMP_GTID 0x1eu   /* MySQL */
#define MY_COM_RESET_CONNECTION 0x1fu
#define MY_COM_CLONE 0x20u              /* MySQL */
#define MY_COM_STMT_BULK_EXECUTE 0xfau  /* MariaDB */

/* COM_STMT_EXECUTE flags. */
#define MY_CURSOR_TYPE_READ_ONLY 0x01u
#define MY_CURSOR_TYPE_FOR_UPDATE 0x02u
#define MY_CURSOR_TYPE_SCROLLABLE 0x04u
#define MY_PARAMETER_COUNT_AVAILABLE 0x08u /* MySQL 8, with CLIENT_QUERY_ATTRIBUTES */

/* COM_SET_OPTION arguments. */
#define MY_OPTION_MULTI_STATEMENTS_ON 0u
#define MY_OPTION_MULTI_STATEMENTS_OFF 1u

/* First bytes of server packets. */
#define MY_PKT_OK 0x00u
#define MY_PKT_AUTH_MORE 0x01u
#define MY_PKT_LOCAL_INFILE 0xfbu
#define MY_PKT_EOF 0xfeu          /* also AuthSwitchRequest, and OK closing a result set */
#define MY_PKT_ERR 0xffu

/* Commands the server answers with nothing. */
static inline bool my_command_has_reply(uint8_t cmd)
{
	return cmd != MY_COM_QUIT && cmd != MY_COM_STMT_CLOSE && cmd != MY_COM_STMT_SEND_LONG_DATA;
}

/* Commands only replicas and replication tools send. */
static inline bool my_command_is_replication(uint8_t cmd)
{
	return cmd == MY_COM_BINLOG_DUMP || cmd == MY_COM_TABLE_DUMP || cmd == MY_COM_CONNECT_OUT ||
		cmd == MY_COM_REGISTER_SLAVE || cmd == MY_COM_BINLOG_DUMP_GTID || cmd == MY_COM_CLONE;
}

/* Little-endian integers. Callers check the length first. */
static inline uint16_t my_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t my_get_u24(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
}
static inline uint32_t my_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t my_get_u64(const uint8_t *p)
{
	return (uint64_t)my_get_u32(p) | ((uint64_t)my_get_u32(p + 4) << 32);
}
static inline void my_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void my_put_u24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}
static inline void my_put_u32(uint8_t *p, uint32_t v)
{
	my_put_u16(p, (uint16_t)v);
	my_put_u16(p + 2, (uint16_t)(v >> 16));
}

/* ---- Framing ---- */

/* Reads the 4-byte header at BUF. False when LEN < 4. */
__attribute__((warn_unused_result))
bool my_read_header(const uint8_t *buf, size_t len, uint32_t *payload_len, uint8_t *seq);

/* Writes a header for a payload of PAYLOAD_LEN (<= MY_MAX_PAYLOAD) bytes. */
static inline void my_write_header(uint8_t hdr[MY_HEADER_LEN], uint32_t payload_len, uint8_t seq)
{
	my_put_u24(hdr, payload_len);
	hdr[3] = seq;
}

/* ---- Length-encoded integers and strings ----
 * Readers work at *POS within [0, LEN) and move *POS past what they read;
 * on failure *POS is left unchanged. */

#define MY_LENENC_NULL 0   /* 0xfb: SQL NULL in a text row */
#define MY_LENENC_VALUE 1

/* 1 byte < 0xfb; 0xfc + 2 bytes; 0xfd + 3; 0xfe + 8. Returns MY_LENENC_VALUE,
 * MY_LENENC_NULL (0xfb, *VALUE = 0), or -1 when truncated or 0xff. */
__attribute__((warn_unused_result))
int my_read_lenenc(const uint8_t *buf, size_t len, size_t *pos, uint64_t *value);

/* A length-encoded string: *STR points into BUF. NULL (0xfb) is refused. */
__attribute__((warn_unused_result))
bool my_read_lenenc_str(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **str,
	size_t *str_len);

/* A NUL-terminated string: returns it (inside BUF, terminated there) and its
 * length in *STR_LEN when not NULL; NULL when there is no NUL before LEN. */
__attribute__((warn_unused_result))
const char *my_read_cstr(const uint8_t *buf, size_t len, size_t *pos, size_t *str_len);

/* Encodes V into OUT (9 bytes at most) and returns how many bytes it took. */
size_t my_encode_lenenc(uint8_t out[9], uint64_t v);

/* ---- Parsed forms ---- */

struct my_bytes {
	const uint8_t *ptr;
	size_t len;
};

/* Initial handshake v10 (server greeting). Parsed strings point into the
 * caller's buffer; for building, into the caller's memory. */
struct my_server_handshake {
	uint8_t protocol;             /* 10 */
	const char *server_version;   /* MariaDB 10.x says "5.5.5-10.x..." */
	uint32_t conn_id;
	uint8_t scramble[MY_SCRAMBLE_MAX]; /* both auth data parts, without the final NUL */
	size_t scramble_len;          /* 8 .. MY_SCRAMBLE_MAX; 20 from real servers */
	uint64_t caps;                /* with MariaDB's extended ones in the upper half */
	uint8_t charset;
	uint16_t status;
	const char *auth_plugin;      /* NULL when the server does not name one */
	const char *error;            /* why parsing failed */
};

/* HandshakeResponse41 (or the SSLRequest, its first 32 bytes alone). */
struct my_handshake_response {
	bool ssl_request;             /* only caps, max_packet and charset are set */
	uint64_t caps;                /* with MariaDB's extended ones in the upper half */
	uint32_t max_packet;
	uint8_t charset;
	const char *user;
	struct my_bytes auth;         /* the auth response (scramble answer...) */
	const char *database;         /* NULL unless CLIENT_CONNECT_WITH_DB and present */
	const char *auth_plugin;      /* NULL unless CLIENT_PLUGIN_AUTH and present */
	struct my_bytes attrs;        /* key/value pairs (see my_attr_next); empty if none */
	const char *error;
};

/* COM_CHANGE_USER. */
struct my_change_user {
	const char *user;
	struct my_bytes auth;
	const char *database;         /* "" when none */
	bool has_charset;
	uint16_t charset;
	const char *auth_plugin;      /* NULL when absent */
	struct my_bytes attrs;
	const char *error;
};

/* OK packet. HEADER is 0x00, or 0xfe for the OK that closes a result set
 * under CLIENT_DEPRECATE_EOF (and that answers COM_SET_OPTION there). */
struct my_ok {
	uint8_t header;
	uint64_t affected_rows;
	uint64_t last_insert_id;
	uint16_t status;
	uint16_t warnings;
	struct my_bytes info;          /* human-readable, may be empty */
	struct my_bytes session_state; /* CLIENT_SESSION_TRACK changes; empty unless status has
	                                  MY_SERVER_SESSION_STATE_CHANGED */
};

/* ERR packet. */
struct my_err {
	uint16_t code;
	char sqlstate[6];              /* "HY000" when the packet carries none */
	struct my_bytes message;
};

/* COM_STMT_PREPARE_OK. */
struct my_prepare_ok {
	uint32_t stmt_id;
	uint16_t num_columns;
	uint16_t num_params;
	uint16_t warnings;
};

/* COM_STMT_EXECUTE, as offsets into its payload so it can be rewritten. */
struct my_stmt_execute {
	uint32_t stmt_id;
	uint8_t flags;                 /* MY_CURSOR_TYPE_*, MY_PARAMETER_COUNT_AVAILABLE */
	uint32_t iterations;
	uint64_t param_count;          /* parameters the packet carries */
	size_t null_bitmap_off;        /* the rest are 0 when param_count is 0 */
	size_t null_bitmap_len;
	size_t bound_flag_off;         /* the new-params-bound flag */
	bool types_sent;               /* that flag: the types (and names) follow */
	size_t types_off;
	size_t types_len;              /* 2 bytes per parameter, plus names under QUERY_ATTRIBUTES */
	size_t values_off;             /* values run from here to the end, not checked */
};

/* ---- Parsers. Each takes a whole payload (command byte included for
 * client commands) and returns false, with ERROR set where the struct has one,
 * when it is malformed. Strings and bytes point into the payload. ---- */

/* Server greeting. Refuses protocol != 10 and servers without PROTOCOL_41.
 * A greeting that starts with 0xff is an ERR: use my_parse_err. */
__attribute__((warn_unused_result))
bool my_parse_server_handshake(const uint8_t *p, size_t len, struct my_server_handshake *hs);

/* HandshakeResponse41 or SSLRequest (32 bytes with CLIENT_SSL). Refuses
 * pre-4.1 clients. Optional fields absent at the end of the packet are NULL
 * or empty; bytes after the attributes are ignored. Attributes are checked
 * whole, so iterating them later cannot fail. */
__attribute__((warn_unused_result))
bool my_parse_handshake_response(const uint8_t *p, size_t len, struct my_handshake_response *hr);

/* COM_CHANGE_USER; CAPS are the connection's negotiated capabilities. */
__attribute__((warn_unused_result))
bool my_parse_change_user(const uint8_t *p, size_t len, uint64_t caps, struct my_change_user *cu);

/* Connection attributes: next key/value pair at *POS (start at 0) of an
 * attribute block from a parsed response. False at the end (or if malformed). */
__attribute__((warn_unused_result))
bool my_attr_next(struct my_bytes attrs, size_t *pos, struct my_bytes *key, struct my_bytes *value);

/* The value of attribute KEY (e.g. "program_name"). False when absent. */
__attribute__((warn_unused_result))
bool my_attr_find(struct my_bytes attrs, const char *key, struct my_bytes *value);

/* COM_QUERY or COM_STMT_PREPARE: the statement text, skipping the query
 * attributes that come first in a COM_QUERY under CLIENT_QUERY_ATTRIBUTES. */
__attribute__((warn_unused_result))
bool my_parse_query(const uint8_t *p, size_t len, uint64_t caps, struct my_bytes *sql);

/* COM_STMT_EXECUTE. NUM_PARAMS is what the statement's PREPARE_OK said (the
 * packet only carries the count itself with MY_PARAMETER_COUNT_AVAILABLE). */
__attribute__((warn_unused_result))
bool my_parse_stmt_execute(const uint8_t *p, size_t len, uint64_t caps, uint16_t num_params,
	struct my_stmt_execute *ex);

/* The statement id of COM_STMT_EXECUTE, _SEND_LONG_DATA, _CLOSE, _RESET,
 * _FETCH, _BULK_EXECUTE (bytes 1..4). False for other commands or when short. */
__attribute__((warn_unused_result))
bool my_stmt_id_at(const uint8_t *p, size_t len, uint32_t *id);

/* Rewrites that statement id in place; same conditions. */
__attribute__((warn_unused_result))
bool my_set_stmt_id(uint8_t *p, size_t len, uint32_t id);

/* OK packet (header 0x00 or 0xfe); needs the whole payload for info and
 * session state, which are read under CLIENT_SESSION_TRACK in CAPS. */
__attribute__((warn_unused_result))
bool my_parse_ok(const uint8_t *p, size_t len, uint64_t caps, struct my_ok *ok);

/* ERR packet; the SQLSTATE marker is optional (servers omit it before the
 * handshake). */
__attribute__((warn_unused_result))
bool my_parse_err(const uint8_t *p, size_t len, struct my_err *err);

/* EOF packet: 0xfe and fewer than 9 bytes. */
__attribute__((warn_unused_result))
bool my_parse_eof(const uint8_t *p, size_t len, uint16_t *warnings, uint16_t *status);

/* COM_STMT_PREPARE_OK (12 bytes; MySQL 8 may add a metadata flag byte). */
__attribute__((warn_unused_result))
bool my_parse_prepare_ok(const uint8_t *p, size_t len, struct my_prepare_ok *po);

/* ---- Builders. Each appends complete packets to OUT, starting at sequence
 * id SEQ, splits payloads of MY_MAX_PAYLOAD bytes or more, and returns the
 * sequence id that follows the last packet written. ---- */

/* PAYLOAD as it is. */
uint8_t my_put_packet(struct evbuffer *out, uint8_t seq, const void *payload, size_t len);

/* A command (sequence id 0): CMD then ARG. */
uint8_t my_put_command(struct evbuffer *out, uint8_t cmd, const void *arg, size_t len);

/* Greeting. Auth data is HS->scramble (split 8 + rest, NUL-terminated, the
 * second part padded to 13 bytes); MariaDB's extended capabilities are written
 * when HS->caps lacks CLIENT_LONG_PASSWORD. HS->protocol and error are unused. */
uint8_t my_put_handshake_v10(struct evbuffer *out, uint8_t seq, const struct my_server_handshake *hs);

/* OK with OK->header (0x00, or 0xfe to close a result set under
 * DEPRECATE_EOF). The info is length-encoded and left out when empty (and no
 * session state follows); under CLIENT_SESSION_TRACK, OK->session_state is
 * written when the status has MY_SERVER_SESSION_STATE_CHANGED. */
uint8_t my_put_ok(struct evbuffer *out, uint8_t seq, uint64_t caps, const struct my_ok *ok);

/* ERR: CODE, '#' and the 5 characters of SQLSTATE, MESSAGE. */
uint8_t my_put_err(struct evbuffer *out, uint8_t seq, uint16_t code, const char *sqlstate,
	const char *message);

/* EOF (only without CLIENT_DEPRECATE_EOF). */
uint8_t my_put_eof(struct evbuffer *out, uint8_t seq, uint16_t warnings, uint16_t status);

/* AuthSwitchRequest: 0xfe, PLUGIN, NUL, DATA, NUL. */
uint8_t my_put_auth_switch(struct evbuffer *out, uint8_t seq, const char *plugin, const void *data,
	size_t len);

/* AuthMoreData: 0x01, DATA. */
uint8_t my_put_auth_more(struct evbuffer *out, uint8_t seq, const void *data, size_t len);

/* COM_STMT_PREPARE_OK (12 bytes; the definitions are separate packets). */
uint8_t my_put_prepare_ok(struct evbuffer *out, uint8_t seq, const struct my_prepare_ok *po);

/* The COM_STMT_EXECUTE P (parsed as EX) with statement id STMT_ID, sequence
 * id 0. When it carries parameters but no types, TYPES (the type block of an
 * earlier execute of the same statement) is put in and the new-params-bound
 * flag set, as a server that never saw the types needs. */
uint8_t my_put_stmt_execute_as(struct evbuffer *out, const uint8_t *p, size_t len,
	const struct my_stmt_execute *ex, uint32_t stmt_id, const uint8_t *types, size_t types_len);

#endif
