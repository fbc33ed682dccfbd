#include "proxy/my_reply.h"

#include <string.h>

enum {
	ST_DONE = 0,        /* my_reply_done() relies on this being 0 */
	ST_FIRST,           /* start of a result: OK, ERR, LOCAL INFILE or column count */
	ST_DEFS,            /* column definitions of a result set */
	ST_DEFS_EOF,        /* the EOF after them */
	ST_ROWS,            /* rows until EOF / OK-0xfe */
	ST_INFILE,          /* the server's answer after a LOCAL INFILE transfer */
	ST_PREP_FIRST,      /* PREPARE_OK or ERR */
	ST_PREP_PARAMS,
	ST_PREP_PARAMS_EOF,
	ST_PREP_COLS,
	ST_PREP_COLS_EOF,
	ST_FIELD_LIST,      /* definitions until EOF */
	ST_STATISTICS,      /* one string */
	ST_SIMPLE,          /* OK or ERR (EOF too for SET_OPTION / DEBUG) */
	ST_AUTH,            /* OK or ERR, after any auth switch / more data */
	ST_BROKEN,          /* a protocol error was reported */
};

void my_reply_init(struct my_reply *r, uint8_t cmd, uint64_t caps)
{
	memset(r, 0, sizeof *r);
	r->cmd = cmd;
	r->caps = caps;
	switch (cmd) {
	case MY_COM_QUIT:
	case MY_COM_STMT_CLOSE:
	case MY_COM_STMT_SEND_LONG_DATA:
		r->state = ST_DONE;
		break;
	case MY_COM_STMT_PREPARE:
		r->state = ST_PREP_FIRST;
		break;
	case MY_COM_STMT_FETCH:
		r->state = ST_ROWS;
		break;
	case MY_COM_FIELD_LIST:
		r->state = ST_FIELD_LIST;
		break;
	case MY_COM_STATISTICS:
		r->state = ST_STATISTICS;
		break;
	case MY_COM_INIT_DB:
	case MY_COM_PING:
	case MY_COM_RESET_CONNECTION:
	case MY_COM_STMT_RESET:
	case MY_COM_SET_OPTION:
	case MY_COM_DEBUG:
	case MY_COM_REFRESH:
	case MY_COM_SHUTDOWN:
	case MY_COM_PROCESS_KILL:
	case MY_COM_CREATE_DB:
	case MY_COM_DROP_DB:
		r->state = ST_SIMPLE;
		break;
	case MY_COM_CHANGE_USER:
		r->state = ST_AUTH;
		break;
	default:
		r->state = ST_FIRST;
		break;
	}
}

static bool deprecate_eof(const struct my_reply *r)
{
	return (r->caps & MY_CLIENT_DEPRECATE_EOF) != 0;
}

/* The fixed part of an OK packet (header, affected rows, last insert id,
 * status, warnings): what a head of MY_REPLY_HEAD bytes always holds. */
static bool ok_head(const uint8_t *h, size_t hl, struct my_ok *ok)
{
	size_t pos = 1;
	memset(ok, 0, sizeof *ok);
	if (hl < 1)
		return false;
	ok->header = h[0];
	if (my_read_lenenc(h, hl, &pos, &ok->affected_rows) != MY_LENENC_VALUE ||
		my_read_lenenc(h, hl, &pos, &ok->last_insert_id) != MY_LENENC_VALUE || hl - pos < 4)
		return false;
	ok->status = my_get_u16(h + pos);
	ok->warnings = my_get_u16(h + pos + 2);
	return true;
}

static enum my_reply_result broken(struct my_reply *r)
{
	r->state = ST_BROKEN;
	return MY_REPLY_PROTOCOL_ERROR;
}

static enum my_reply_result done(struct my_reply *r)
{
	r->state = ST_DONE;
	return MY_REPLY_DONE;
}

/* An OK packet (0x00, or 0xfe closing a result set): records it; the reply
 * goes on when the server says more results follow and NEXT allows it. */
static enum my_reply_result on_ok(struct my_reply *r, const uint8_t *h, size_t hl, bool chain)
{
	struct my_ok ok;
	if (!ok_head(h, hl, &ok))
		return broken(r);
	r->status_valid = true;
	r->status = ok.status;
	r->warnings = ok.warnings;
	if (ok.header == MY_PKT_OK) {
		r->affected_rows += ok.affected_rows;
		r->last_insert_id = ok.last_insert_id;
	}
	r->unit_rows = ok.header == MY_PKT_OK ? ok.affected_rows : r->unit_rows_now;
	r->unit_rows_now = 0;
	r->units++;
	if (chain && (ok.status & MY_SERVER_MORE_RESULTS_EXISTS)) {
		r->state = ST_FIRST;
		return MY_REPLY_CONTINUE;
	}
	return done(r);
}

/* An EOF packet; false when the packet is not one. */
static bool on_eof(struct my_reply *r, const uint8_t *h, size_t hl, uint32_t len)
{
	uint16_t warnings, status;
	if (hl != len || !my_parse_eof(h, hl, &warnings, &status))
		return false;
	r->status_valid = true;
	r->status = status;
	r->warnings = warnings;
	return true;
}

/* What closes rows or definitions: EOF, or under DEPRECATE_EOF an OK with a
 * 0xfe header. Either way shorter than what could be a row. */
static bool is_terminator(const struct my_reply *r, const uint8_t *h, uint32_t len)
{
	if (len == 0 || h[0] != MY_PKT_EOF)
		return false;
	return deprecate_eof(r) ? len < MY_MAX_PAYLOAD : len < 9;
}

/* The terminator of a result set's rows; MORE_RESULTS chains when CHAIN. */
static enum my_reply_result on_terminator(struct my_reply *r, const uint8_t *h, size_t hl,
	uint32_t len, bool chain)
{
	if (deprecate_eof(r))
		return on_ok(r, h, hl, chain);
	if (!on_eof(r, h, hl, len))
		return broken(r);
	r->unit_rows = r->unit_rows_now;
	r->unit_rows_now = 0;
	r->units++;
	if (chain && (r->status & MY_SERVER_MORE_RESULTS_EXISTS)) {
		r->state = ST_FIRST;
		return MY_REPLY_CONTINUE;
	}
	return done(r);
}

static enum my_reply_result on_err(struct my_reply *r, const uint8_t *h, size_t hl, uint32_t len)
{
	struct my_err err;
	if (len >= MY_MAX_PAYLOAD || !my_parse_err(h, hl, &err))
		return broken(r);
	/* MariaDB progress report: the command is still running. */
	if (err.code == 0xffff &&
		(r->caps & (MY_MARIADB_CLIENT_PROGRESS | MY_CLIENT_PROGRESS_OBSOLETE)))
		return MY_REPLY_CONTINUE;
	r->is_error = true;
	r->err_code = err.code;
	memcpy(r->sqlstate, err.sqlstate, sizeof r->sqlstate);
	return done(r);
}

/* Column count packet: count, then MariaDB's metadata flag when cached
 * metadata was negotiated. Nothing else may follow. */
static enum my_reply_result on_column_count(struct my_reply *r, const uint8_t *h, size_t hl,
	uint32_t len)
{
	size_t pos = 0;
	uint64_t count;
	if (my_read_lenenc(h, hl, &pos, &count) != MY_LENENC_VALUE || count == 0 || count > 0xffff)
		return broken(r);
	bool metadata = true;
	if ((r->caps & MY_MARIADB_CLIENT_CACHE_METADATA) && my_caps_have_mariadb_ext(r->caps)) {
		if (pos >= hl || h[pos] > 1)
			return broken(r);
		metadata = h[pos++] == 1;
	}
	if (pos != len)
		return broken(r);
	r->result_sets++;
	r->defs_left = metadata ? (uint32_t)count : 0;
	if (r->defs_left)
		r->state = ST_DEFS;
	else
		r->state = deprecate_eof(r) ? ST_ROWS : ST_DEFS_EOF;
	return MY_REPLY_CONTINUE;
}

/* After a PREPARE block: the columns block, or the end. */
static enum my_reply_result prep_columns_or_done(struct my_reply *r)
{
	if (r->prep_columns == 0)
		return done(r);
	r->defs_left = r->prep_columns;
	r->state = ST_PREP_COLS;
	return MY_REPLY_CONTINUE;
}

enum my_reply_result my_reply_feed(struct my_reply *r, const uint8_t *head, size_t head_len,
	uint32_t payload_len)
{
	if (r->state == ST_DONE || r->state == ST_BROKEN)
		return broken(r);
	size_t need = payload_len < MY_REPLY_HEAD ? payload_len : MY_REPLY_HEAD;
	if (head_len < need || head_len > payload_len || payload_len > MY_MAX_PAYLOAD)
		return broken(r);
	if (r->continued) {
		r->continued = payload_len == MY_MAX_PAYLOAD;
		return MY_REPLY_CONTINUE;
	}
	if (payload_len == 0)
		return broken(r);
	const uint8_t *h = head;
	size_t hl = head_len;
	uint32_t len = payload_len;
	bool full = len == MY_MAX_PAYLOAD;
	uint8_t b0 = h[0];

	if (b0 == MY_PKT_ERR)
		return on_err(r, h, hl, len);

	switch (r->state) {
	case ST_FIRST:
		if (b0 == MY_PKT_OK)
			return full ? broken(r) : on_ok(r, h, hl, true);
		if (b0 == MY_PKT_LOCAL_INFILE) {
			if (r->cmd != MY_COM_QUERY || full)
				return broken(r);
			r->state = ST_INFILE;
			return MY_REPLY_LOCAL_INFILE;
		}
		if (b0 == MY_PKT_EOF)
			return broken(r);
		return on_column_count(r, h, hl, len);

	case ST_DEFS:
		r->continued = full;
		if (--r->defs_left == 0)
			r->state = deprecate_eof(r) ? ST_ROWS : ST_DEFS_EOF;
		return MY_REPLY_CONTINUE;

	case ST_DEFS_EOF:
		if (!on_eof(r, h, hl, len))
			return broken(r);
		/* A cursor was opened: rows come with COM_STMT_FETCH. */
		if (r->cmd == MY_COM_STMT_EXECUTE && (r->status & MY_SERVER_STATUS_CURSOR_EXISTS))
			return done(r);
		r->state = ST_ROWS;
		return MY_REPLY_CONTINUE;

	case ST_ROWS:
		if (is_terminator(r, h, len))
			return on_terminator(r, h, hl, len, r->cmd != MY_COM_STMT_FETCH);
		r->rows++;
		r->unit_rows_now++;
		r->continued = full;
		return MY_REPLY_CONTINUE;

	case ST_INFILE:
		if (b0 != MY_PKT_OK || full)
			return broken(r);
		return on_ok(r, h, hl, true);

	case ST_PREP_FIRST: {
		struct my_prepare_ok po;
		if (hl != len || !my_parse_prepare_ok(h, hl, &po))
			return broken(r);
		r->prepared = true;
		r->stmt_id = po.stmt_id;
		r->num_params = po.num_params;
		r->num_columns = po.num_columns;
		r->warnings = po.warnings;
		r->prep_columns = po.num_columns;
		if (po.num_params == 0)
			return prep_columns_or_done(r);
		r->defs_left = po.num_params;
		r->state = ST_PREP_PARAMS;
		return MY_REPLY_CONTINUE;
	}

	case ST_PREP_PARAMS:
		r->continued = full;
		if (--r->defs_left > 0)
			return MY_REPLY_CONTINUE;
		if (!deprecate_eof(r)) {
			r->state = ST_PREP_PARAMS_EOF;
			return MY_REPLY_CONTINUE;
		}
		return prep_columns_or_done(r);

	case ST_PREP_PARAMS_EOF:
		if (!on_eof(r, h, hl, len))
			return broken(r);
		return prep_columns_or_done(r);

	case ST_PREP_COLS:
		r->continued = full;
		if (--r->defs_left > 0)
			return MY_REPLY_CONTINUE;
		if (!deprecate_eof(r)) {
			r->state = ST_PREP_COLS_EOF;
			return MY_REPLY_CONTINUE;
		}
		return done(r);

	case ST_PREP_COLS_EOF:
		if (!on_eof(r, h, hl, len))
			return broken(r);
		return done(r);

	case ST_FIELD_LIST:
		if (is_terminator(r, h, len))
			return on_terminator(r, h, hl, len, false);
		r->continued = full;
		return MY_REPLY_CONTINUE;

	case ST_STATISTICS:
		if (full)
			return broken(r);
		return done(r);

	case ST_SIMPLE:
		if (b0 == MY_PKT_OK && !full)
			return on_ok(r, h, hl, false);
		if (b0 == MY_PKT_EOF && (r->cmd == MY_COM_SET_OPTION || r->cmd == MY_COM_DEBUG) &&
			is_terminator(r, h, len))
			return on_terminator(r, h, hl, len, false);
		return broken(r);

	case ST_AUTH:
		if (b0 == MY_PKT_OK && !full)
			return on_ok(r, h, hl, false);
		if (b0 == MY_PKT_EOF || b0 == MY_PKT_AUTH_MORE) {
			r->continued = full;
			return MY_REPLY_AUTH_MORE;
		}
		return broken(r);

	default:
		return broken(r);
	}
}
