/* libFuzzer target for error sanitization (proxy/error_sanitize.c): the
 * rewrite of a server's PostgreSQL ErrorResponse / NoticeResponse and MySQL
 * ERR packet, whatever bytes the server sent.
 *
 * The first input byte picks the message type, the action and whether a
 * reference is given; the rest is the server's message body. What comes out
 * must be one well-formed message: a PostgreSQL message whose length word
 * matches, made of NUL-terminated fields with non-zero codes and a final
 * NUL, with a severity and a five-character SQLSTATE; a MySQL packet whose
 * header length matches and that parses as an ERR again. A broken promise
 * aborts so the fuzzer reports it. */
#include "proxy/error_sanitize.h"
#include "proxy/my_codec.h"
#include "proxy/pg_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "audit/audit.h"
#include "proxy/stmt_audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The audit trail is not under test here: records of unrecorded errors
 * go nowhere. */
bool dw_audit_on(void)
{
	return false;
}

void dw_audit_server_error(const struct dw_session_info *as, const char *sqlstate, int err_no,
	const char *error, const char *ref)
{
	(void)as, (void)sqlstate, (void)err_no, (void)error, (void)ref;
}

__attribute__((noreturn))
static void fail(const char *why)
{
	fprintf(stderr, "fuzz_error_sanitize: %s\n", why);
	abort();
}

/* STRICT: the message was rebuilt, so it must carry a severity and a
 * SQLSTATE; a kept one (a passthrough code) has the server's fields. */
static void check_pg(struct evbuffer *out, char type, bool strict)
{
	size_t n = evbuffer_get_length(out);
	const uint8_t *p = evbuffer_pullup(out, -1);
	if (n < 6 || p[0] != (uint8_t)type)
		fail("PostgreSQL message too short or of the wrong type");
	if ((size_t)pg_get_u32(p + 1) + 1 != n)
		fail("length word does not match");
	const uint8_t *body = p + 5;
	size_t len = n - 5, pos = 0;
	bool severity = false, code = false;
	while (pos < len && body[pos] != 0) {
		char field = (char)body[pos++];
		const uint8_t *nul = memchr(body + pos, 0, len - pos);
		if (!nul)
			fail("field without its NUL");
		size_t flen = (size_t)(nul - (body + pos));
		if (field == 'S')
			severity = flen > 0;
		if (field == 'C')
			code = flen == 5 && dw_errors_valid_sqlstate((const char *)body + pos);
		if (field == 'F' || field == 'L' || field == 'R')
			fail("file, line or routine kept");
		pos += flen + 1;
	}
	if (pos != len - 1 || body[pos] != 0)
		fail("message does not end with its terminating NUL");
	if (strict && (!severity || !code))
		fail("severity or SQLSTATE missing");
}

static void check_my(struct evbuffer *out)
{
	size_t n = evbuffer_get_length(out);
	const uint8_t *p = evbuffer_pullup(out, -1);
	uint32_t plen;
	uint8_t seq;
	if (n < MY_HEADER_LEN || !my_read_header(p, n, &plen, &seq) ||
	    (size_t)plen + MY_HEADER_LEN != n || seq != 7)
		fail("MySQL packet header does not match");
	struct my_err err;
	if (!my_parse_err(p + MY_HEADER_LEN, plen, &err))
		fail("rewritten ERR does not parse");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 1 << 16)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	struct evbuffer *out = evbuffer_new();
	if (!out)
		return 0;
	char type = (mode & 1) ? 'E' : 'N';
	enum dw_err_action action = (mode & 2) ? DW_ERR_SANITIZE : DW_ERR_KEEP;
	const char *ref = (mode & 4) ? "0123abcd-1-1" : NULL;
	dw_pg_error_rewrite(out, type, data, size, action, ref);
	const char *state = pg_error_field(data, size, 'C');
	check_pg(out, type, action == DW_ERR_SANITIZE || !dw_errors_valid_sqlstate(state));
	evbuffer_drain(out, evbuffer_get_length(out));
	struct my_err in;
	bool parses = my_parse_err(data, size, &in);
	bool done = dw_my_err_rewrite(out, 7, data, size, ref ? ref : "r");
	if (done != parses)
		fail("rewrote what does not parse, or refused what does");
	if (done)
		check_my(out);
	evbuffer_free(out);
	return 0;
}
