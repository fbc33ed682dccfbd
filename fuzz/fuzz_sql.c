/* libFuzzer target: the SQL lexer, analyzer and normalizer on arbitrary
 * text. The first byte picks the dialect and session options; the rest is
 * the text. Beyond not crashing, every result must be consistent: spans
 * inside the text, names inside the names buffer, counts that add up, a
 * normalized length that does not depend on the buffer, and statement
 * fingerprints that are the hash of their normalized text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/sql_analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

static void check_lexer(const char *text, size_t len, const struct dw_sql_options *o)
{
	struct dw_lexer lx;
	struct dw_token t;
	uint32_t last_end = 0;
	dw_lexer_init(&lx, text, len, o);
	while (dw_lexer_next(&lx, &t)) {
		REQUIRE(t.off >= last_end && (size_t)t.off + t.len <= len && t.len > 0);
		last_end = t.off + t.len;
	}
	REQUIRE(t.kind == DW_TOK_END || t.kind == DW_TOK_ERROR);
}

static void check_name(const struct dw_sql_analysis *a, const struct dw_sql_name *n)
{
	REQUIRE((uint64_t)n->schema_off + n->schema_len <= a->names_len);
	REQUIRE((uint64_t)n->name_off + n->name_len <= a->names_len);
}

static void check_analysis(const struct dw_sql_analysis *a, const char *text, size_t len,
	const struct dw_sql_options *o, enum dw_sql_status s, bool exec_comments)
{
	REQUIRE(a->status == s);
	if (s != DW_SQL_OK) {
		REQUIRE(a->reason != NULL && a->n_stmts == 0);
		return;
	}
	uint32_t objects = 0, functions = 0, idents = 0;
	for (uint32_t i = 0; i < a->n_stmts; i++) {
		const struct dw_sql_stmt *st = &a->stmts[i];
		REQUIRE((uint64_t)st->off + st->len <= len && st->len > 0);
		REQUIRE(st->op < DW_OP_COUNT);
		REQUIRE(st->first_object == objects && st->first_function == functions && st->first_ident == idents);
		objects += st->n_objects;
		functions += st->n_functions;
		idents += st->n_idents;
		if (st->has_prepare_body && !st->prepare_body_unknown) {
			uint64_t end = (uint64_t)st->body_off + st->body_len;
			REQUIRE(st->prepare_body_in_names ? end <= a->names_len : end <= len);
		}
		/* The fingerprint is the hash of the normalized span. A span cut
		 * by an executable comment, a stored program's body holding ';',
		 * or a MySQL span ending in "--" (a comment once the text ends
		 * there) normalizes on its own slightly differently. */
		size_t cap = 2 * (size_t)st->len + 16;
		char *buf = malloc(cap);
		REQUIRE(buf != NULL);
		size_t n = dw_sql_normalize(text + st->off, st->len, o, buf, cap);
		REQUIRE(n < cap && strlen(buf) == n);
		bool dashes = o->dialect == DW_SQL_MYSQL && text[st->off + st->len - 1] == '-';
		if (!exec_comments && !dashes && !memchr(buf, ';', n))
			REQUIRE(dw_sql_fingerprint_text(buf, n) == st->fingerprint);
		free(buf);
		/* Kept normalized text: inside the buffer, its hash the fingerprint. */
		if (a->keep_normalized) {
			REQUIRE((uint64_t)st->norm_off + st->norm_len <= a->normalized_len);
			REQUIRE(dw_sql_fingerprint_text(a->normalized + st->norm_off, st->norm_len) ==
				st->fingerprint);
		}
	}
	REQUIRE(objects == a->n_objects && functions == a->n_functions && idents == a->n_idents);
	for (uint32_t i = 0; i < a->n_objects; i++)
		check_name(a, &a->objects[i]);
	for (uint32_t i = 0; i < a->n_functions; i++)
		check_name(a, &a->functions[i]);
	for (uint32_t i = 0; i < a->n_idents; i++)
		REQUIRE((uint64_t)a->idents[i].off + a->idents[i].len <= a->names_len);
	if (a->n_stmts == 1)
		REQUIRE(a->fingerprint == a->stmts[0].fingerprint);
}

static void check_normalize(const char *text, size_t len, const struct dw_sql_options *o)
{
	size_t full = dw_sql_normalize(text, len, o, NULL, 0);
	char small[16];
	REQUIRE(dw_sql_normalize(text, len, o, small, sizeof(small)) == full);
	REQUIRE(strlen(small) == (full < sizeof(small) ? full : sizeof(small) - 1));
	char *buf = malloc(full + 1);
	REQUIRE(buf != NULL);
	REQUIRE(dw_sql_normalize(text, len, o, buf, full + 1) == full && strlen(buf) == full);
	REQUIRE(memcmp(small, buf, strlen(small)) == 0);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dw_sql_analysis a;
	static bool ready;
	if (!ready) {
		dw_sql_analysis_init(&a);
		ready = true;
	}
	if (size == 0)
		return 0;
	uint8_t sel = data[0];
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct dw_sql_options o = dw_sql_default_options((sel & 1) ? DW_SQL_MYSQL : DW_SQL_POSTGRES);
	o.standard_conforming_strings = !(sel & 2);
	o.ansi_quotes = (sel & 4) != 0;
	o.no_backslash_escapes = (sel & 8) != 0;
	a.keep_normalized = (sel & 16) != 0;
	check_lexer(text, len, &o);
	enum dw_sql_status s = dw_sql_analyze(&a, text, len, &o);
	bool exec = o.dialect == DW_SQL_MYSQL && (memmem(text, len, "/*!", 3) || memmem(text, len, "/*M!", 4));
	check_analysis(&a, text, len, &o, s, exec);
	check_normalize(text, len, &o);
	return 0;
}
