/* See error_sanitize.h. */
#include "proxy/error_sanitize.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "audit/audit.h"
#include "proxy/log.h"
#include "proxy/my_codec.h"
#include "proxy/pg_codec.h"
#include "proxy/stmt_audit.h"

/* A severity longer than this is not one (the longest PostgreSQL sends,
 * localized, is a few words). */
#define SEVERITY_MAX 64u
/* The generic message: prefix, the longest class text, the reference. */
#define MESSAGE_MAX 160u
/* Server text in an info line of the log. */
#define LOG_TEXT_MAX 256u

bool dw_errors_valid_sqlstate(const char *sqlstate)
{
	return sqlstate && strlen(sqlstate) == 5 &&
		strspn(sqlstate, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 5;
}

/* A passthrough entry of four digits is a MySQL error number. */
static bool names_errno(const char *entry, unsigned err_no)
{
	if (err_no == 0 || strlen(entry) != 4 || strspn(entry, "0123456789") != 4)
		return false;
	return (unsigned)strtoul(entry, NULL, 10) == err_no;
}

enum dw_err_action dw_errors_action(const struct dw_errors_config *c, const char *sqlstate,
	unsigned err_no)
{
	if (c->mode != DW_ERRORS_SANITIZE)
		return DW_ERR_FORWARD;
	bool valid = dw_errors_valid_sqlstate(sqlstate);
	for (size_t i = 0; i < c->n_passthrough; i++) {
		const char *entry = c->passthrough[i];
		if (entry && (names_errno(entry, err_no) || (valid && strcmp(entry, sqlstate) == 0)))
			return DW_ERR_KEEP;
	}
	return DW_ERR_SANITIZE;
}

const char *dw_errors_class_text(const char *sqlstate)
{
	static const struct { char cls[3]; const char *text; } classes[] = {
		{ "00", "notice" },
		{ "01", "warning" },
		{ "02", "no data" },
		{ "08", "connection exception" },
		{ "22", "data exception" },
		{ "23", "integrity constraint violation" },
		{ "25", "invalid transaction state" },
		{ "40", "transaction rollback" },
		{ "42", "syntax error or access rule violation" },
		{ "53", "insufficient resources" },
		{ "57", "operator intervention" },
		{ "P0", "PL/pgSQL error" },
		{ "XX", "internal error" },
	};
	if (dw_errors_valid_sqlstate(sqlstate)) {
		for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
			if (memcmp(sqlstate, classes[i].cls, 2) == 0)
				return classes[i].text;
	}
	return "database error";
}

size_t dw_errors_message(char *out, size_t cap, const char *sqlstate, const char *ref)
{
	int n;
	if (cap == 0)
		return 0;
	if (ref && *ref)
		n = snprintf(out, cap, "dbward: %s (ref %s)", dw_errors_class_text(sqlstate), ref);
	else
		n = snprintf(out, cap, "dbward: %s", dw_errors_class_text(sqlstate));
	if (n < 0) {
		out[0] = '\0';
		return 0;
	}
	return (size_t)n < cap ? (size_t)n : cap - 1;
}

/* ---- PostgreSQL ---- */

/* The fields of an ErrorResponse / NoticeResponse body that matter here,
 * from its well-formed part. */
struct pg_fields {
	const char *severity;   /* S: localized */
	const char *vseverity;  /* V: never localized (servers since 9.6) */
	const char *sqlstate;   /* C */
	size_t well_formed;     /* bytes of complete fields from the start */
	size_t kept;            /* of those, bytes of the fields DW_ERR_KEEP keeps */
};

/* The server's file, line and routine: never shown when dbward rewrites. */
static bool source_field(char code)
{
	return code == 'F' || code == 'L' || code == 'R';
}

static void scan_fields(const uint8_t *body, size_t len, struct pg_fields *f)
{
	size_t pos = 0;
	memset(f, 0, sizeof *f);
	while (pos < len && body[pos] != '\0') {
		size_t at = pos;
		char code = (char)body[pos++];
		const char *v = pg_read_cstr(body, len, &pos);
		if (!v)
			break; /* no terminator: the rest is dropped */
		if (code == 'S' && !f->severity)
			f->severity = v;
		else if (code == 'V' && !f->vseverity)
			f->vseverity = v;
		else if (code == 'C' && !f->sqlstate)
			f->sqlstate = v;
		if (!source_field(code))
			f->kept += pos - at;
		f->well_formed = pos;
	}
}

static bool usable_severity(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > 0 && n <= SEVERITY_MAX;
}

static void put_header(struct evbuffer *out, char type, size_t body_len)
{
	uint8_t hdr[5];
	hdr[0] = (uint8_t)type;
	pg_put_u32(hdr + 1, (uint32_t)(body_len + 4));
	evbuffer_add(out, hdr, sizeof hdr);
}

/* Every well-formed field but the source ones, as the server sent them. */
static void put_kept(struct evbuffer *out, char type, const uint8_t *body,
	const struct pg_fields *f)
{
	put_header(out, type, f->kept + 1);
	size_t pos = 0;
	while (pos < f->well_formed) {
		size_t at = pos;
		char code = (char)body[pos++];
		pos += strlen((const char *)body + pos) + 1;
		if (!source_field(code))
			evbuffer_add(out, body + at, pos - at);
	}
	evbuffer_add(out, "", 1);
}

static void put_field(struct evbuffer *out, char code, const char *value)
{
	evbuffer_add(out, &code, 1);
	evbuffer_add(out, value, strlen(value) + 1);
}

void dw_pg_error_rewrite(struct evbuffer *out, char type, const uint8_t *body, size_t len,
	enum dw_err_action action, const char *ref)
{
	struct pg_fields f;
	scan_fields(body, len, &f);
	bool valid = dw_errors_valid_sqlstate(f.sqlstate);
	if (action == DW_ERR_KEEP && valid) {
		put_kept(out, type, body, &f);
		return;
	}
	/* Sanitized: severity fields as they were, the SQLSTATE, our text. */
	const char *fallback = type == 'N' ? "NOTICE" : "ERROR";
	const char *sev = usable_severity(f.severity) ? f.severity :
		usable_severity(f.vseverity) ? f.vseverity : fallback;
	const char *vsev = !f.vseverity ? NULL : usable_severity(f.vseverity) ? f.vseverity : fallback;
	const char *code = valid ? f.sqlstate : "XX000";
	char msg[MESSAGE_MAX];
	size_t ml = dw_errors_message(msg, sizeof msg, code, ref);
	size_t blen = (2 + strlen(sev)) + (vsev ? 2 + strlen(vsev) : 0) + (2 + 5) + (2 + ml) + 1;
	put_header(out, type, blen);
	put_field(out, 'S', sev);
	if (vsev)
		put_field(out, 'V', vsev);
	put_field(out, 'C', code);
	put_field(out, 'M', msg);
	evbuffer_add(out, "", 1);
}

/* ---- MySQL ---- */

bool dw_my_err_rewrite(struct evbuffer *out, uint8_t seq, const uint8_t *payload, size_t len,
	const char *ref)
{
	struct my_err err;
	if (!my_parse_err(payload, len, &err))
		return false;
	/* 0xff, the error number and, when the server sent it, '#' and the
	 * SQLSTATE, byte for byte; then our message. */
	size_t head = (size_t)(err.message.ptr - payload);
	uint8_t pkt[16 + MESSAGE_MAX];
	if (head > 16)
		return false;
	memcpy(pkt, payload, head);
	size_t ml = dw_errors_message((char *)pkt + head, MESSAGE_MAX, err.sqlstate, ref);
	my_put_packet(out, seq, pkt, head + ml);
	return true;
}

/* ---- errors no statement record holds ---- */

/* Server text for a log line: printable, cut, never a second line. */
static void log_text(const char *in, char *out, size_t cap)
{
	size_t o = 0;
	for (; in && *in && o + 4 < cap && o < LOG_TEXT_MAX; in++)
		out[o++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
	if (in && *in && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

void dw_errors_unrecorded(const struct dw_session_info *as, const char *sqlstate, int err_no,
	const char *error, const char *ref)
{
	char text[LOG_TEXT_MAX + 8];
	log_text(error, text, sizeof text);
	if (dw_audit_on()) {
		dw_audit_server_error(as, sqlstate, err_no, error, ref);
		dw_debug("session %" PRIu64 ": server error %s (ref %s): %s", as->id,
			sqlstate ? sqlstate : "?", ref, text);
		return;
	}
	dw_info("session %" PRIu64 ": server error %s (ref %s): %s", as->id,
		sqlstate ? sqlstate : "?", ref, text);
}
