/* See sql_kind.h. Quoting rules are the lexer's (default options: a wrong
 * guess about standard_conforming_strings can only misplace a statement
 * boundary inside a string, which costs a time limit, not a policy). */
#include "policy/sql_kind.h"

#include <stdbool.h>
#include <string.h>

#include "policy/sql_keywords.h"

/* Tokens looked at past the first keyword of a WITH, to find its DML. */
#define WITH_SCAN_MAX 4096u

static enum dw_kw word_kw(const struct dw_lexer *lx, const struct dw_token *t)
{
	if (t->kind != DW_TOK_WORD)
		return DW_KW_NONE;
	return dw_kw_lookup(lx->text + t->off, t->len, lx->opts.dialect);
}

static uint32_t kind_of_keyword(enum dw_kw kw)
{
	switch (kw) {
	case DW_KW_SELECT:
	case DW_KW_VALUES:
	case DW_KW_TABLE:
	case DW_KW_SHOW:
	case DW_KW_EXPLAIN:
	case DW_KW_DESCRIBE:
	case DW_KW_DESC:
	case DW_KW_FETCH:
	case DW_KW_MOVE:
	case DW_KW_LISTEN:
	case DW_KW_NOTIFY:
	case DW_KW_CLOSE:
	case DW_KW_DECLARE:
		return DW_KIND_READ;
	case DW_KW_INSERT:
	case DW_KW_UPDATE:
	case DW_KW_DELETE:
	case DW_KW_MERGE:
	case DW_KW_REPLACE:
	case DW_KW_COPY:
	case DW_KW_LOAD:
	case DW_KW_CALL:
	case DW_KW_BEGIN:
	case DW_KW_START:
	case DW_KW_COMMIT:
	case DW_KW_END:
	case DW_KW_ROLLBACK:
	case DW_KW_ABORT:
	case DW_KW_SAVEPOINT:
	case DW_KW_RELEASE:
	case DW_KW_HANDLER:
	case DW_KW_DO:
		return kw == DW_KW_DO ? DW_KIND_ADMIN : DW_KIND_WRITE;
	case DW_KW_EXECUTE:
		return DW_KIND_UNKNOWN;
	default:
		return DW_KIND_ADMIN;
	}
}

uint32_t dw_sql_kinds(const char *text, size_t len, enum dw_sql_dialect dialect)
{
	struct dw_sql_options o = dw_sql_default_options(dialect);
	struct dw_lexer lx;
	struct dw_token t;
	uint32_t kinds = 0;
	bool at_start = true;   /* no keyword of the current statement seen yet */
	bool in_with = false;   /* the statement began with WITH: look for DML */
	uint32_t with_tokens = 0;

	if (len > DW_SQL_MAX_TEXT)
		return DW_KIND_UNKNOWN;
	dw_lexer_init(&lx, text, len, &o);
	for (;;) {
		bool more = dw_lexer_next(&lx, &t);
		if (t.kind == DW_TOK_END || t.kind == DW_TOK_ERROR || !more) {
			if (t.kind == DW_TOK_ERROR)
				kinds |= DW_KIND_UNKNOWN;
			break;
		}
		if (t.kind == DW_TOK_SEMICOLON) {
			if (in_with)
				kinds |= DW_KIND_READ;
			at_start = true;
			in_with = false;
			continue;
		}
		if (at_start) {
			if (t.kind == DW_TOK_LPAREN)
				continue; /* (SELECT ...) UNION ... */
			enum dw_kw kw = word_kw(&lx, &t);
			at_start = false;
			if (kw == DW_KW_WITH) {
				in_with = true;
				with_tokens = 0;
			} else {
				kinds |= kw == DW_KW_NONE ? DW_KIND_UNKNOWN : kind_of_keyword(kw);
			}
			continue;
		}
		if (in_with) {
			enum dw_kw kw = word_kw(&lx, &t);
			if (kw == DW_KW_INSERT || kw == DW_KW_UPDATE || kw == DW_KW_DELETE ||
			    kw == DW_KW_MERGE) {
				kinds |= DW_KIND_WRITE;
				in_with = false;
			} else if (++with_tokens > WITH_SCAN_MAX) {
				kinds |= DW_KIND_UNKNOWN;
				in_with = false;
			}
		}
	}
	if (in_with)
		kinds |= DW_KIND_READ;
	return kinds;
}
