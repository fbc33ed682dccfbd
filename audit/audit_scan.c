/* A validating scanner for audit lines: the line must be exactly one JSON
 * object (RFC 8259: strings, numbers, literals, nested objects and arrays),
 * and the top-level fields the chain needs are picked out. Used when the
 * writer resumes an existing file and by `dbward audit verify`; both read
 * files anyone with write access may have edited, so nothing is trusted. */
#include <string.h>

#include "audit/audit_internal.h"

#define MAX_DEPTH 32

struct scan {
	const char *s;
	size_t len, pos;
	const char *err;
};

static void skip_ws(struct scan *sc)
{
	while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
				     sc->s[sc->pos] == '\r' || sc->s[sc->pos] == '\n'))
		sc->pos++;
}

static bool fail(struct scan *sc, const char *why)
{
	if (sc->err == NULL)
		sc->err = why;
	return false;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string starting at the opening quote. RAW and RAW_LEN receive its bytes between
 * the quotes, as written (escapes not decoded). */
static bool scan_string(struct scan *sc, const char **raw, size_t *raw_len)
{
	size_t start;

	if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
		return fail(sc, "expected a string");
	start = ++sc->pos;
	while (sc->pos < sc->len) {
		unsigned char c = (unsigned char)sc->s[sc->pos];
		if (c == '"') {
			if (raw != NULL) {
				*raw = sc->s + start;
				*raw_len = sc->pos - start;
			}
			sc->pos++;
			return true;
		}
		if (c < 0x20)
			return fail(sc, "control character inside a string");
		if (c == '\\') {
			char e;
			if (++sc->pos >= sc->len)
				break;
			e = sc->s[sc->pos];
			if (e == 'u') {
				if (sc->len - sc->pos < 5 || !is_hex(sc->s[sc->pos + 1]) ||
				    !is_hex(sc->s[sc->pos + 2]) || !is_hex(sc->s[sc->pos + 3]) ||
				    !is_hex(sc->s[sc->pos + 4]))
					return fail(sc, "invalid \\u escape");
				sc->pos += 4;
			} else if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
				return fail(sc, "invalid escape in a string");
			}
		}
		sc->pos++;
	}
	return fail(sc, "unterminated string");
}

/* A number; *VALUE set when it is a non-negative integer that fits. */
static bool scan_number(struct scan *sc, bool *is_uint, uint64_t *value)
{
	size_t start = sc->pos;
	bool digits_only = true;
	uint64_t v = 0;

	if (sc->pos < sc->len && sc->s[sc->pos] == '-') {
		sc->pos++;
		digits_only = false;
	}
	if (sc->pos >= sc->len || sc->s[sc->pos] < '0' || sc->s[sc->pos] > '9')
		return fail(sc, "invalid number");
	if (sc->s[sc->pos] == '0' && sc->pos + 1 < sc->len && sc->s[sc->pos + 1] >= '0' &&
	    sc->s[sc->pos + 1] <= '9')
		return fail(sc, "invalid number (leading zero)");
	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9') {
		unsigned d = (unsigned)(sc->s[sc->pos] - '0');
		if (v > (UINT64_MAX - d) / 10)
			digits_only = false;
		else
			v = v * 10 + d;
		sc->pos++;
	}
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		digits_only = false;
		if (++sc->pos >= sc->len || sc->s[sc->pos] < '0' || sc->s[sc->pos] > '9')
			return fail(sc, "invalid number");
		while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
			sc->pos++;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		digits_only = false;
		sc->pos++;
		if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (sc->pos >= sc->len || sc->s[sc->pos] < '0' || sc->s[sc->pos] > '9')
			return fail(sc, "invalid number");
		while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
			sc->pos++;
	}
	(void)start;
	if (is_uint != NULL) {
		*is_uint = digits_only;
		*value = v;
	}
	return true;
}

static bool scan_value(struct scan *sc, int depth);

static bool scan_literal(struct scan *sc, const char *word)
{
	size_t n = strlen(word);

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return fail(sc, "invalid value");
	sc->pos += n;
	return true;
}

static bool scan_array(struct scan *sc, int depth)
{
	sc->pos++; /* '[' */
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == ']') {
		sc->pos++;
		return true;
	}
	for (;;) {
		if (!scan_value(sc, depth + 1))
			return false;
		skip_ws(sc);
		if (sc->pos >= sc->len)
			return fail(sc, "unterminated array");
		if (sc->s[sc->pos] == ']') {
			sc->pos++;
			return true;
		}
		if (sc->s[sc->pos] != ',')
			return fail(sc, "expected ',' or ']' in an array");
		sc->pos++;
	}
}

/* Nested objects: validated, nothing extracted. */
static bool scan_object(struct scan *sc, int depth)
{
	sc->pos++; /* '{' */
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == '}') {
		sc->pos++;
		return true;
	}
	for (;;) {
		skip_ws(sc);
		if (!scan_string(sc, NULL, NULL))
			return false;
		skip_ws(sc);
		if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
			return fail(sc, "expected ':' after a field name");
		sc->pos++;
		if (!scan_value(sc, depth + 1))
			return false;
		skip_ws(sc);
		if (sc->pos >= sc->len)
			return fail(sc, "unterminated object");
		if (sc->s[sc->pos] == '}') {
			sc->pos++;
			return true;
		}
		if (sc->s[sc->pos] != ',')
			return fail(sc, "expected ',' or '}' in an object");
		sc->pos++;
	}
}

static bool scan_value(struct scan *sc, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(sc, "nested too deeply");
	skip_ws(sc);
	if (sc->pos >= sc->len)
		return fail(sc, "missing value");
	switch (sc->s[sc->pos]) {
	case '{':
		return scan_object(sc, depth);
	case '[':
		return scan_array(sc, depth);
	case '"':
		return scan_string(sc, NULL, NULL);
	case 't':
		return scan_literal(sc, "true");
	case 'f':
		return scan_literal(sc, "false");
	case 'n':
		return scan_literal(sc, "null");
	default:
		return scan_number(sc, NULL, NULL);
	}
}

static bool raw_is(const char *raw, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(raw, want, len) == 0;
}

/* A 64-digit hex string field; the pointer to its digits, or NULL. */
static const char *hash_value(const char *raw, size_t len)
{
	if (len != DW_AUDIT_HASH_HEX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (!is_hex(raw[i]) || (raw[i] >= 'A' && raw[i] <= 'F'))
			return NULL;
	return raw;
}

static const char *scan_fields(struct scan *sc, struct dw_audit_line *out);

const char *dw_audit_scan_line(const char *line, size_t len, struct dw_audit_line *out)
{
	struct scan sc = { .s = line, .len = len };
	const char *err = scan_fields(&sc, out);

	/* Every way a valid line can end early stops the scan at its end. */
	if (err != NULL)
		out->cut_short = sc.pos >= len && len > 0;
	return err;
}

/* The top level of a line. */
static const char *scan_fields(struct scan *sc, struct dw_audit_line *out)
{
	const char *line = sc->s;
	size_t len = sc->len;
	bool seen_seq = false, seen_prev = false, seen_hash = false, seen_pfh = false;
	bool event_audit = false, action_start = false;
	size_t prev_end = 0, hash_comma = 0, last_comma = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0 || line[0] != '{')
		return "not a JSON object";
	sc->pos = 1;
	skip_ws(sc);
	if (sc->pos < len && line[sc->pos] == '}') {
		sc->pos++;
	} else {
		for (;;) {
			const char *key, *raw = NULL;
			size_t key_len, raw_len = 0, value_start;
			bool is_uint = false;
			uint64_t num = 0;

			skip_ws(sc);
			if (!scan_string(sc, &key, &key_len))
				return sc->err;
			skip_ws(sc);
			if (sc->pos >= len || line[sc->pos] != ':')
				return "expected ':' after a field name";
			sc->pos++;
			skip_ws(sc);
			value_start = sc->pos;
			if (sc->pos < len && line[sc->pos] == '"') {
				if (!scan_string(sc, &raw, &raw_len))
					return sc->err;
			} else if (sc->pos < len && (line[sc->pos] == '-' ||
						    (line[sc->pos] >= '0' && line[sc->pos] <= '9'))) {
				if (!scan_number(sc, &is_uint, &num))
					return sc->err;
			} else if (!scan_value(sc, 1)) {
				return sc->err;
			}
			(void)value_start;
			if (raw_is(key, key_len, "seq")) {
				if (seen_seq)
					return "duplicate \"seq\" field";
				if (!is_uint)
					return "\"seq\" is not a non-negative integer";
				seen_seq = true;
				out->has_seq = true;
				out->seq = num;
			} else if (raw_is(key, key_len, "prev")) {
				if (seen_prev)
					return "duplicate \"prev\" field";
				seen_prev = true;
				if (raw == NULL || (out->prev = hash_value(raw, raw_len)) == NULL)
					return "\"prev\" is not a 64-digit lower-case hex string";
				prev_end = sc->pos;
			} else if (raw_is(key, key_len, "hash")) {
				if (seen_hash)
					return "duplicate \"hash\" field";
				seen_hash = true;
				if (raw == NULL || (out->hash = hash_value(raw, raw_len)) == NULL)
					return "\"hash\" is not a 64-digit lower-case hex string";
				hash_comma = last_comma;
			} else if (raw_is(key, key_len, "previous_file_hash")) {
				if (seen_pfh)
					return "duplicate \"previous_file_hash\" field";
				seen_pfh = true;
				if (raw == NULL || (out->previous_file_hash = hash_value(raw, raw_len)) == NULL)
					return "\"previous_file_hash\" is not a 64-digit hex string";
			} else if (raw_is(key, key_len, "event")) {
				event_audit = raw != NULL && raw_is(raw, raw_len, "audit");
			} else if (raw_is(key, key_len, "action")) {
				action_start = raw != NULL && raw_is(raw, raw_len, "file_start");
			}
			skip_ws(sc);
			if (sc->pos >= len)
				return "unterminated object";
			if (line[sc->pos] == '}') {
				sc->pos++;
				break;
			}
			if (line[sc->pos] != ',')
				return "expected ',' or '}' in an object";
			last_comma = sc->pos;
			sc->pos++;
			if (seen_hash)
				return "\"hash\" is not the last field";
		}
	}
	skip_ws(sc);
	if (sc->pos != len)
		return "text after the JSON object";
	if (out->hash != NULL) {
		/* The hashed part ends with the prev value, right before the hash. */
		if (out->prev == NULL || hash_comma == 0 || prev_end != hash_comma)
			return "\"prev\" does not come right before \"hash\"";
		out->hashed_len = hash_comma;
	}
	out->file_start = event_audit && action_start;
	return NULL;
}
