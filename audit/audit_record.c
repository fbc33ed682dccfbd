/* Building one audit record: the fields of a JSON object, escaped so that
 * every line stays valid JSON whatever bytes a client sent. No I/O and no
 * shared state: workers call these on their own record. */
#include "audit/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit_internal.h"
#include "proxy/utf8.h"

static const char *const severity_names[] = { "info", "warning", "error", "critical" };

const char *dw_audit_severity_name(unsigned index)
{
	return index < sizeof(severity_names) / sizeof(severity_names[0]) ? severity_names[index]
									 : "info";
}

size_t dw_audit_escape(char *out, size_t cap, const char *s, size_t len, bool *cut)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	size_t o = 0, i = 0;

	while (i < len) {
		unsigned char c = in[i];
		size_t seq = dw_utf8_sequence(in + i, len - i);

		if (seq == 0) {
			/* One replacement character per invalid byte. */
			if (o + 6 > cap)
				break;
			memcpy(out + o, "\\ufffd", 6);
			o += 6;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			if (o + 6 > cap)
				break;
			memcpy(out + o, "\\u00", 4);
			out[o + 4] = hex[c >> 4];
			out[o + 5] = hex[c & 15];
			o += 6;
			i++;
		} else if (c == '"' || c == '\\') {
			if (o + 2 > cap)
				break;
			out[o++] = '\\';
			out[o++] = (char)c;
			i++;
		} else {
			if (o + seq > cap)
				break;
			memcpy(out + o, in + i, seq);
			o += seq;
			i += seq;
		}
	}
	*cut = i < len;
	return o;
}

/* Room for N more bytes, keeping one byte for an open array's `]`. Grows
 * the buffer; false (and the record marked truncated) when the body limit
 * or memory does not allow it. */
static bool reserve(struct dw_audit_rec *r, size_t n)
{
	size_t limit = DW_AUDIT_BODY_MAX - (r->in_array ? 1 : 0);
	size_t want, cap;
	char *buf;

	if (r->len > limit || n > limit - r->len) {
		r->truncated = true;
		return false;
	}
	want = r->len + n + 1; /* +1: the array's `]` may be appended later */
	if (want <= r->cap)
		return true;
	cap = r->cap == 0 ? 512 : r->cap;
	while (cap < want)
		cap *= 2;
	if (cap > DW_AUDIT_BODY_MAX + 1)
		cap = DW_AUDIT_BODY_MAX + 1;
	buf = realloc(r->buf, cap);
	if (buf == NULL) {
		r->truncated = true;
		return false;
	}
	r->buf = buf;
	r->cap = cap;
	return true;
}

static void put(struct dw_audit_rec *r, const char *s, size_t n)
{
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

/* `,"KEY":` (KEY is trusted: written as is). */
static bool put_key(struct dw_audit_rec *r, const char *key, size_t extra)
{
	size_t klen = strlen(key);

	if (!reserve(r, klen + 4 + extra))
		return false;
	put(r, ",\"", 2);
	put(r, key, klen);
	put(r, "\":", 2);
	return true;
}

/* A quoted, escaped string at the end of the body; cut to the space left
 * (the record is then marked truncated). Needs room for at least `""`. */
static void put_string(struct dw_audit_rec *r, const char *value, size_t len)
{
	size_t limit = DW_AUDIT_BODY_MAX - (r->in_array ? 1 : 0);
	size_t room = limit - r->len - 2;
	size_t want = len * 6 < room ? len * 6 : room;
	bool cut;

	/* The escaped form is at most six times longer than the input. */
	if (!reserve(r, want + 2)) {
		/* Out of memory for the whole: write what the buffer holds. */
		r->truncated = true;
		want = r->cap - r->len - 3;
	}
	r->buf[r->len++] = '"';
	r->len += dw_audit_escape(r->buf + r->len, want, value, len, &cut);
	r->buf[r->len++] = '"';
	if (cut)
		r->truncated = true;
}

static _Thread_local time_t ts_second = -1;
static _Thread_local char ts_prefix[40];
static _Thread_local size_t ts_prefix_len;

void dw_audit_begin(struct dw_audit_rec *r, const char *event, const char *action,
	const char *outcome, const char *severity)
{
	struct timespec now;
	struct tm tm;
	char ts[64];
	int n;

	dw_audit_reset(r);
	for (unsigned i = 0; i < sizeof(severity_names) / sizeof(severity_names[0]); i++)
		if (severity != NULL && strcmp(severity, severity_names[i]) == 0)
			r->severity = (unsigned char)i;
	clock_gettime(CLOCK_REALTIME, &now);
	/* The date and time change once a second: formatted once per second
	 * and thread, the microseconds by hand (one record per statement). */
	if (now.tv_sec != ts_second) {
		gmtime_r(&now.tv_sec, &tm);
		n = snprintf(ts_prefix, sizeof(ts_prefix), "\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec);
		if (n < 0 || (size_t)n >= sizeof(ts_prefix))
			return;
		ts_prefix_len = (size_t)n;
		ts_second = now.tv_sec;
	}
	memcpy(ts, ts_prefix, ts_prefix_len);
	n = (int)ts_prefix_len;
	long us = now.tv_nsec / 1000;
	for (int d = 5; d >= 0; d--, us /= 10)
		ts[n + d] = (char)('0' + us % 10);
	n += 6;
	ts[n++] = 'Z';
	ts[n++] = '"';
	if (!reserve(r, (size_t)n))
		return;
	put(r, ts, (size_t)n);
	dw_audit_str(r, "event", event);
	dw_audit_str(r, "action", action);
	dw_audit_str(r, "outcome", outcome);
	dw_audit_str(r, "severity", severity);
}

void dw_audit_strn(struct dw_audit_rec *r, const char *key, const char *value, size_t len)
{
	if (value == NULL || r->in_array)
		return;
	if (!put_key(r, key, 2))
		return;
	put_string(r, value, len);
}

void dw_audit_str(struct dw_audit_rec *r, const char *key, const char *value)
{
	if (value != NULL)
		dw_audit_strn(r, key, value, strlen(value));
}

size_t dw_audit_u64(char out[21], uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
	return n;
}

void dw_audit_int(struct dw_audit_rec *r, const char *key, int64_t value)
{
	char num[22];
	size_t n = 0;

	if (value < 0)
		num[n++] = '-';
	n += dw_audit_u64(num + n, value < 0 ? 0 - (uint64_t)value : (uint64_t)value);
	if (r->in_array || !put_key(r, key, n))
		return;
	put(r, num, n);
}

void dw_audit_bool(struct dw_audit_rec *r, const char *key, bool value)
{
	const char *text = value ? "true" : "false";

	if (r->in_array || !put_key(r, key, strlen(text)))
		return;
	put(r, text, strlen(text));
}

void dw_audit_client(struct dw_audit_rec *r, const char *ip, int port, bool tls)
{
	char obj[200];
	size_t n = 0;
	bool cut = false;

	if (r->in_array)
		return;
	/* Built whole first, so the object is either complete or left out. An
	 * address is short; a longer one is cut like any other string. */
	obj[n++] = '{';
	if (ip != NULL) {
		memcpy(obj + n, "\"ip\":\"", 6);
		n += 6;
		n += dw_audit_escape(obj + n, 96, ip, strlen(ip), &cut);
		memcpy(obj + n, "\",", 2);
		n += 2;
	}
	memcpy(obj + n, "\"port\":", 7);
	n += 7;
	n += dw_audit_u64(obj + n, port < 0 ? 0 : (uint64_t)port);
	const char *t = tls ? ",\"tls\":true}" : ",\"tls\":false}";
	memcpy(obj + n, t, strlen(t));
	n += strlen(t);
	if (!put_key(r, "client", n))
		return;
	put(r, obj, n);
	if (cut)
		r->truncated = true;
}

void dw_audit_reset(struct dw_audit_rec *r)
{
	r->len = 0;
	r->truncated = false;
	r->in_array = false;
	r->array_first = false;
	r->array_skipped = false;
	r->severity = 0;
}

void dw_audit_raw(struct dw_audit_rec *r, const char *fields, size_t len, bool truncated)
{
	if (r->in_array || len == 0 || !reserve(r, len))
		return;
	put(r, fields, len);
	if (truncated)
		r->truncated = true;
}

void dw_audit_array_begin(struct dw_audit_rec *r, const char *key)
{
	if (r->in_array)
		return;
	r->array_skipped = !put_key(r, key, 2);
	if (!r->array_skipped)
		put(r, "[", 1);
	r->in_array = true;
	r->array_first = true;
}

void dw_audit_array_strn(struct dw_audit_rec *r, const char *value, size_t len)
{
	if (!r->in_array || r->array_skipped || value == NULL)
		return;
	/* An item that does not fit whole enough to mean something is left
	 * out rather than cut to nothing. */
	if (!reserve(r, (r->array_first ? 0 : 1) + 2 + (len < 16 ? len : 16)))
		return;
	if (!r->array_first)
		put(r, ",", 1);
	r->array_first = false;
	put_string(r, value, len);
}

void dw_audit_array_end(struct dw_audit_rec *r)
{
	if (!r->in_array)
		return;
	r->in_array = false;
	if (!r->array_skipped)
		put(r, "]", 1); /* its byte was kept free by reserve() */
	r->array_skipped = false;
}

void dw_audit_rec_free(struct dw_audit_rec *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}
