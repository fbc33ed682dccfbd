#include "policy/sql_lexer.h"

#include <string.h>

struct dw_sql_options dw_sql_default_options(enum dw_sql_dialect dialect)
{
	struct dw_sql_options o = {
		.dialect = dialect,
		.standard_conforming_strings = true,
		.ansi_quotes = false,
		.no_backslash_escapes = false,
	};
	return o;
}

void dw_lexer_init(struct dw_lexer *lx, const char *text, size_t len,
	const struct dw_sql_options *opts)
{
	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	lx->len = len;
	lx->opts = *opts;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Bytes >= 0x80 are parts of multi-byte characters: both servers accept
 * them in unquoted identifiers. */
static bool is_ident_start(unsigned char c)
{
	return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || is_digit(c) || c == '$';
}

static bool is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_my(const struct dw_lexer *lx)
{
	return lx->opts.dialect == DW_SQL_MYSQL;
}

static unsigned char at(const struct dw_lexer *lx, size_t i)
{
	return i < lx->len ? (unsigned char)lx->text[i] : 0;
}

/* Result of skipping what lies between tokens. */
enum gap { GAP_OK, GAP_ERROR };

static size_t line_end(const struct dw_lexer *lx, size_t i)
{
	while (i < lx->len && lx->text[i] != '\n' && lx->text[i] != '\r')
		i++;
	return i;
}

/* A MySQL "-- " comment needs whitespace or a control character after the
 * two dashes (or the end of the text); "--1" is minus minus one. */
static bool my_dash_comment(const struct dw_lexer *lx, size_t i)
{
	if (at(lx, i) != '-' || at(lx, i + 1) != '-')
		return false;
	if (i + 2 >= lx->len)
		return true;
	unsigned char c = at(lx, i + 2);
	return c <= ' ' || c == 0x7f;
}

/* Skips whitespace and comments before the next token, noting them in
 * *FLAGS. *LINE_TO_END tells whether the last thing skipped was a line
 * comment that ran to the end of the text without a newline. */
static enum gap skip_gap(struct dw_lexer *lx, uint32_t *flags, bool *line_to_end)
{
	for (;;) {
		size_t i = lx->pos;
		if (i >= lx->len)
			return lx->exec_comment_depth ? GAP_ERROR : GAP_OK;
		unsigned char c = at(lx, i);
		if (is_space(c)) {
			*flags |= DW_TOKF_AFTER_SPACE;
			*line_to_end = false;
			lx->pos = i + 1;
			continue;
		}
		bool line = is_my(lx) ? (c == '#' || my_dash_comment(lx, i))
		                      : (c == '-' && at(lx, i + 1) == '-');
		if (line) {
			size_t end = line_end(lx, i);
			if (!is_my(lx) && memchr(lx->text + i, 0, end - i))
				return GAP_ERROR;   /* the server's text ends at the NUL */
			*flags |= DW_TOKF_AFTER_SPACE | DW_TOKF_AFTER_COMMENT;
			*line_to_end = end >= lx->len;
			lx->comments++;
			lx->pos = end;
			continue;
		}
		if (is_my(lx) && lx->exec_comment_depth && c == '*' && at(lx, i + 1) == '/') {
			/* The end of an executable comment: what follows is plain text again. */
			lx->exec_comment_depth = 0;
			*flags |= DW_TOKF_AFTER_SPACE;
			*line_to_end = false;
			lx->pos = i + 2;
			continue;
		}
		if (c != '/' || at(lx, i + 1) != '*')
			return GAP_OK;
		if (is_my(lx)) {
			bool exec = at(lx, i + 2) == '!' || (at(lx, i + 2) == 'M' && at(lx, i + 3) == '!');
			/* MySQL comments do not nest, and whether a comment inside an
			 * executable comment ends it depends on the server version:
			 * that is text we do not guess at. */
			if (lx->exec_comment_depth)
				return GAP_ERROR;
			if (exec) {
				size_t j = i + (at(lx, i + 2) == '!' ? 3 : 4);
				/* A version number (5 digits for MySQL, 6 for MariaDB):
				 * the content runs as code whatever it says. */
				for (int d = 0; d < 6 && is_digit(at(lx, j)); d++)
					j++;
				lx->exec_comment_depth = 1;
				*flags |= DW_TOKF_AFTER_SPACE;
				*line_to_end = false;
				lx->pos = j;
				continue;
			}
			const char *end = memmem(lx->text + i + 2, lx->len - i - 2, "*/", 2);
			if (!end)
				return GAP_ERROR;
			lx->pos = (size_t)(end - lx->text) + 2;
		} else {
			/* PostgreSQL block comments nest. */
			size_t j = i + 2;
			uint32_t depth = 1;
			while (depth) {
				if (j + 1 >= lx->len || lx->text[j] == '\0')
					return GAP_ERROR;
				if (lx->text[j] == '/' && lx->text[j + 1] == '*') {
					depth++;
					j += 2;
				} else if (lx->text[j] == '*' && lx->text[j + 1] == '/') {
					depth--;
					j += 2;
				} else {
					j++;
				}
			}
			lx->pos = j;
		}
		*flags |= DW_TOKF_AFTER_SPACE | DW_TOKF_AFTER_COMMENT;
		*line_to_end = false;
		lx->comments++;
	}
}

/* From the opening quote at I, the index just past the closing quote, or 0
 * when unterminated. A doubled quote stands for one; with BACKSLASH, a
 * backslash escapes the next byte. A NUL byte fails too unless NUL_OK:
 * names never hold one, and PostgreSQL reads its query text only up to
 * the first NUL, so what follows it is not what the server would see. */
static size_t quoted_end(const struct dw_lexer *lx, size_t i, char quote, bool backslash, bool nul_ok)
{
	size_t j = i + 1;
	while (j < lx->len) {
		char c = lx->text[j];
		if (c == '\0' && !nul_ok)
			return 0;
		if (c == quote) {
			if (at(lx, j + 1) == (unsigned char)quote) {
				j += 2;
				continue;
			}
			return j + 1;
		}
		if (c == '\\' && backslash) {
			if (j + 1 >= lx->len)
				return 0;
			j += 2;
			continue;
		}
		j++;
	}
	return 0;
}

/* PostgreSQL dollar quoting at I ('$'): $$...$$ or $tag$...$tag$. Returns
 * the end, or 0 when this is no valid opener or it is unterminated. */
static size_t dollar_end(const struct dw_lexer *lx, size_t i)
{
	size_t j = i + 1;
	if (at(lx, j) != '$') {
		if (!is_ident_start(at(lx, j)))
			return 0;
		while (j < lx->len && is_ident_char(at(lx, j)) && at(lx, j) != '$')
			j++;
		if (at(lx, j) != '$')
			return 0;
	}
	size_t tag_len = j + 1 - i;  /* "$tag$" */
	const char *body = lx->text + j + 1;
	size_t rest = lx->len - (j + 1);
	const char *end = memmem(body, rest, lx->text + i, tag_len);
	if (!end || memchr(body, 0, (size_t)(end - body)))
		return 0;
	return (size_t)(end - lx->text) + tag_len;
}

static size_t digits_end(const struct dw_lexer *lx, size_t j, bool underscores)
{
	while (j < lx->len) {
		unsigned char c = at(lx, j);
		if (is_digit(c))
			j++;
		else if (underscores && c == '_' && is_digit(at(lx, j + 1)) && j > 0 && is_digit(at(lx, j - 1)))
			j++;
		else
			break;
	}
	return j;
}

/* A number at I. *PLAIN_INT tells whether it was digits only (MySQL then
 * reads "1abc" as an identifier). */
static size_t number_end(const struct dw_lexer *lx, size_t i, bool *plain_int)
{
	bool pg = !is_my(lx);
	unsigned char c1 = at(lx, i + 1);
	*plain_int = false;
	if (at(lx, i) == '0' && (c1 == 'x' || c1 == 'X') && is_hex(at(lx, i + 2))) {
		size_t j = i + 2;
		while (is_hex(at(lx, j)) || (pg && at(lx, j) == '_' && is_hex(at(lx, j + 1))))
			j++;
		*plain_int = true;
		return j;
	}
	if (at(lx, i) == '0' && (c1 == 'b' || c1 == 'B') && (at(lx, i + 2) == '0' || at(lx, i + 2) == '1')) {
		size_t j = i + 2;
		while (at(lx, j) == '0' || at(lx, j) == '1' || (pg && at(lx, j) == '_'))
			j++;
		*plain_int = true;
		return j;
	}
	if (pg && at(lx, i) == '0' && (c1 == 'o' || c1 == 'O') && at(lx, i + 2) >= '0' && at(lx, i + 2) <= '7') {
		size_t j = i + 2;
		while ((at(lx, j) >= '0' && at(lx, j) <= '7') || at(lx, j) == '_')
			j++;
		return j;
	}
	size_t j = digits_end(lx, i, pg);
	bool frac = false;
	if (at(lx, j) == '.' && at(lx, j + 1) != '.') {
		frac = true;
		j = digits_end(lx, j + 1, pg);
	}
	unsigned char e = at(lx, j);
	if (e == 'e' || e == 'E') {
		size_t k = j + 1;
		if (at(lx, k) == '+' || at(lx, k) == '-')
			k++;
		if (is_digit(at(lx, k))) {
			j = digits_end(lx, k, pg);
			frac = true;
		}
	}
	*plain_int = !frac;
	return j;
}

static bool pg_op_char(unsigned char c)
{
	return c && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* PostgreSQL operator by maximal munch, with its rule that a multi-byte
 * operator cannot end in + or - unless it holds one of ~ ! @ # % ^ & | ` ?
 * (so "=-1" is "=", "-", "1"). A comment start ends the operator. */
static size_t pg_operator_end(const struct dw_lexer *lx, size_t i)
{
	size_t j = i;
	bool special = false;
	while (j < lx->len && pg_op_char(at(lx, j))) {
		unsigned char c = at(lx, j);
		if (j > i && ((c == '-' && at(lx, j + 1) == '-') || (c == '/' && at(lx, j + 1) == '*')))
			break;
		/* '?' is a parameter marker unless it leads an operator (?| ?&). */
		if (c == '?' && j > i)
			break;
		if (strchr("~!@#%^&|`?", c))
			special = true;
		j++;
	}
	if (!special)
		while (j - i > 1 && (at(lx, j - 1) == '+' || at(lx, j - 1) == '-'))
			j--;
	return j;
}

static size_t my_operator_end(const struct dw_lexer *lx, size_t i)
{
	static const char *const three[] = {"<=>", "->>"};
	static const char *const two[] = {"<=", ">=", "<>", "!=", "<<", ">>", "&&", "||", ":=", "->"};
	for (size_t k = 0; k < sizeof(three) / sizeof(three[0]); k++)
		if (i + 3 <= lx->len && memcmp(lx->text + i, three[k], 3) == 0)
			return i + 3;
	for (size_t k = 0; k < sizeof(two) / sizeof(two[0]); k++)
		if (i + 2 <= lx->len && memcmp(lx->text + i, two[k], 2) == 0)
			return i + 2;
	return i + 1;
}

/* MySQL @name, @'name', @"name", @`name`, @@name, @@session.name. Returns
 * the end, i + 1 for a lone '@' (an operator), or 0 when a quoted name is
 * unterminated. */
static size_t my_variable_end(const struct dw_lexer *lx, size_t i)
{
	size_t j = i + 1;
	if (at(lx, j) == '@')
		j++;
	unsigned char c = at(lx, j);
	if (c == '\'' || c == '"' || c == '`')
		return quoted_end(lx, j, (char)c, c != '`' && !lx->opts.no_backslash_escapes, false);
	size_t k = j;
	while (k < lx->len && (is_ident_char(at(lx, k)) || at(lx, k) == '.'))
		k++;
	if (k == j)
		return i + 1;
	/* @@session.`x` */
	if (at(lx, k - 1) == '.' && at(lx, k) == '`')
		return quoted_end(lx, k, '`', false, false);
	return k;
}

static bool finish(struct dw_lexer *lx, struct dw_token *tok, enum dw_tok_kind kind, size_t start,
	size_t end, uint32_t flags)
{
	tok->kind = kind;
	tok->off = (uint32_t)start;
	tok->len = (uint32_t)(end - start);
	tok->flags = flags;
	lx->pos = end;
	return true;
}

static bool fail(struct dw_lexer *lx, struct dw_token *tok, size_t start, uint32_t flags)
{
	if (start > lx->len)
		start = lx->len;
	tok->kind = DW_TOK_ERROR;
	tok->off = (uint32_t)start;
	tok->len = (uint32_t)(lx->len - start);
	tok->flags = flags;
	lx->done = true;
	lx->failed = true;
	lx->pos = lx->len;
	return false;
}

/* A string literal opening at Q (the quote), the token starting at START
 * (which may hold a prefix such as E, N, X or _utf8mb4). */
static bool string_token(struct dw_lexer *lx, struct dw_token *tok, size_t start, size_t q,
	bool backslash, uint32_t flags)
{
	size_t end = quoted_end(lx, q, lx->text[q], backslash, is_my(lx));
	if (!end)
		return fail(lx, tok, start, flags);
	return finish(lx, tok, DW_TOK_STRING, start, end, flags);
}

static bool word_or_prefixed(struct dw_lexer *lx, struct dw_token *tok, size_t i, uint32_t flags)
{
	unsigned char c = at(lx, i), n1 = at(lx, i + 1);
	unsigned char up = (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
	bool my = is_my(lx);
	bool my_bs = !lx->opts.no_backslash_escapes;
	if (n1 == '\'') {
		if (!my && up == 'E')
			return string_token(lx, tok, i, i + 1, true, flags);
		if (up == 'B' || up == 'X')
			return string_token(lx, tok, i, i + 1, false, flags);
		if (up == 'N')
			return string_token(lx, tok, i, i + 1,
				my ? my_bs : !lx->opts.standard_conforming_strings, flags);
	}
	if (!my && up == 'U' && n1 == '&' && (at(lx, i + 2) == '\'' || at(lx, i + 2) == '"')) {
		bool ident = at(lx, i + 2) == '"';
		size_t end = quoted_end(lx, i + 2, (char)at(lx, i + 2), false, false);
		if (!end)
			return fail(lx, tok, i, flags);
		return finish(lx, tok, ident ? DW_TOK_QUOTED_ID : DW_TOK_STRING, i, end, flags);
	}
	size_t j = i + 1;
	while (j < lx->len && is_ident_char(at(lx, j)))
		j++;
	/* MySQL character set introducer glued to a string: _utf8mb4'text'. */
	if (my && c == '_' && (at(lx, j) == '\'' || (at(lx, j) == '"' && !lx->opts.ansi_quotes)))
		return string_token(lx, tok, i, j, my_bs, flags);
	return finish(lx, tok, DW_TOK_WORD, i, j, flags);
}

bool dw_lexer_next(struct dw_lexer *lx, struct dw_token *tok)
{
	if (lx->done) {
		tok->kind = lx->failed ? DW_TOK_ERROR : DW_TOK_END;
		tok->off = lx->len > DW_SQL_MAX_TEXT ? 0 : (uint32_t)lx->len;
		tok->len = 0;
		tok->flags = 0;
		return false;
	}
	if (lx->len > DW_SQL_MAX_TEXT) {
		/* Offsets would not fit: nothing of it is read. */
		tok->kind = DW_TOK_ERROR;
		tok->off = 0;
		tok->len = 0;
		tok->flags = 0;
		lx->done = true;
		lx->failed = true;
		return false;
	}
	uint32_t flags = 0;
	bool line_to_end = false;
	if (skip_gap(lx, &flags, &line_to_end) != GAP_OK)
		return fail(lx, tok, lx->pos, flags);
	if (lx->exec_comment_depth)
		flags |= DW_TOKF_IN_EXEC_COMMENT;
	size_t i = lx->pos;
	if (i >= lx->len) {
		if (line_to_end)
			flags |= DW_TOKF_LINE_COMMENT_END;
		tok->kind = DW_TOK_END;
		tok->off = (uint32_t)lx->len;
		tok->len = 0;
		tok->flags = flags;
		lx->done = true;
		return false;
	}
	bool my = is_my(lx);
	unsigned char c = at(lx, i);
	if (is_ident_start(c) || (my && c == '$'))
		return word_or_prefixed(lx, tok, i, flags);
	/* ".5" is a number, but "t.5" or "`t`.5col" is a qualified name. */
	bool dot_number = c == '.' && is_digit(at(lx, i + 1)) &&
		!(i > 0 && (is_ident_char(at(lx, i - 1)) || at(lx, i - 1) == '"' || at(lx, i - 1) == '`'));
	if (is_digit(c) || dot_number) {
		bool plain_int;
		size_t end = number_end(lx, i, &plain_int);
		if (my && plain_int && is_ident_char(at(lx, end))) {
			while (end < lx->len && is_ident_char(at(lx, end)))
				end++;
			return finish(lx, tok, DW_TOK_WORD, i, end, flags);
		}
		return finish(lx, tok, DW_TOK_NUMBER, i, end, flags);
	}
	switch (c) {
	case '\'':
		return string_token(lx, tok, i, i,
			my ? !lx->opts.no_backslash_escapes : !lx->opts.standard_conforming_strings, flags);
	case '"':
		if (my && !lx->opts.ansi_quotes)
			return string_token(lx, tok, i, i, !lx->opts.no_backslash_escapes, flags);
		{
			size_t end = quoted_end(lx, i, '"', false, false);
			if (!end)
				return fail(lx, tok, i, flags);
			return finish(lx, tok, DW_TOK_QUOTED_ID, i, end, flags);
		}
	case '`':
		if (my) {
			size_t end = quoted_end(lx, i, '`', false, false);
			if (!end)
				return fail(lx, tok, i, flags);
			return finish(lx, tok, DW_TOK_QUOTED_ID, i, end, flags);
		}
		break;
	case '$':
		if (is_digit(at(lx, i + 1))) {
			size_t end = i + 1;
			while (is_digit(at(lx, end)))
				end++;
			return finish(lx, tok, DW_TOK_PARAM, i, end, flags);
		} else {
			size_t end = dollar_end(lx, i);
			if (!end)
				return fail(lx, tok, i, flags);
			return finish(lx, tok, DW_TOK_STRING, i, end, flags);
		}
	case '(':
		return finish(lx, tok, DW_TOK_LPAREN, i, i + 1, flags);
	case ')':
		return finish(lx, tok, DW_TOK_RPAREN, i, i + 1, flags);
	case '[':
		return finish(lx, tok, DW_TOK_LBRACKET, i, i + 1, flags);
	case ']':
		return finish(lx, tok, DW_TOK_RBRACKET, i, i + 1, flags);
	case ',':
		return finish(lx, tok, DW_TOK_COMMA, i, i + 1, flags);
	case ';':
		return finish(lx, tok, DW_TOK_SEMICOLON, i, i + 1, flags);
	case '.':
		return finish(lx, tok, DW_TOK_DOT, i, i + 1, flags);
	case ':':
		if (at(lx, i + 1) == ':' || at(lx, i + 1) == '=')
			return finish(lx, tok, DW_TOK_OPERATOR, i, i + 2, flags);
		return finish(lx, tok, DW_TOK_OPERATOR, i, i + 1, flags);
	case '?':
		if (my)
			return finish(lx, tok, DW_TOK_PARAM, i, i + 1, flags);
		{
			size_t end = pg_operator_end(lx, i);
			return finish(lx, tok, end == i + 1 ? DW_TOK_PARAM : DW_TOK_OPERATOR, i, end, flags);
		}
	case '@':
		if (my) {
			size_t end = my_variable_end(lx, i);
			if (!end)
				return fail(lx, tok, i, flags);
			return finish(lx, tok, end == i + 1 ? DW_TOK_OPERATOR : DW_TOK_VARIABLE, i, end, flags);
		}
		break;
	default:
		break;
	}
	if (!my && pg_op_char(c))
		return finish(lx, tok, DW_TOK_OPERATOR, i, pg_operator_end(lx, i), flags);
	if (my && c && strchr("=<>!~^&|+-*/%", c))
		return finish(lx, tok, DW_TOK_OPERATOR, i, my_operator_end(lx, i), flags);
	/* Other printable ASCII ({ } \) is passed on as a one-byte operator;
	 * control characters are text no server reads as SQL. */
	if (c > ' ' && c < 0x7f)
		return finish(lx, tok, DW_TOK_OPERATOR, i, i + 1, flags);
	return fail(lx, tok, i, flags);
}

bool dw_token_is(const struct dw_lexer *lx, const struct dw_token *tok, const char *keyword)
{
	if (tok->kind != DW_TOK_WORD)
		return false;
	size_t n = strlen(keyword);
	if (n != tok->len)
		return false;
	const char *p = lx->text + tok->off;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		if (c != (unsigned char)keyword[i])
			return false;
	}
	return true;
}
