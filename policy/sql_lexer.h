/* A SQL tokenizer for the PostgreSQL and MySQL/MariaDB dialects.
 *
 * It never allocates: a token is a kind plus an offset and a length into the
 * caller's text, which must outlive the lexer. Whitespace and comments are
 * skipped, but remembered in token flags because the injection heuristics
 * care where comments were. MySQL executable comments (slash-star-bang and
 * slash-star-M-bang, with or without a version number) are code: their
 * contents are tokenized like the text around them, because the server runs
 * them. Unterminated strings, quoted identifiers and comments end the stream
 * with DW_TOK_ERROR: text the lexer cannot follow is never guessed at. */
#ifndef DBWARD_POLICY_SQL_LEXER_H
#define DBWARD_POLICY_SQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dw_sql_dialect { DW_SQL_POSTGRES = 0, DW_SQL_MYSQL = 1 };

/* Session settings that change how text splits into tokens. */
struct dw_sql_options {
	enum dw_sql_dialect dialect;
	/* PostgreSQL: standard_conforming_strings (on by default since 9.1).
	 * When off, backslash escapes work in '...' as in E'...'. */
	bool standard_conforming_strings;
	/* MySQL sql_mode ANSI_QUOTES: "x" is an identifier, not a string. */
	bool ansi_quotes;
	/* MySQL sql_mode NO_BACKSLASH_ESCAPES: backslash is an ordinary
	 * character inside strings. */
	bool no_backslash_escapes;
};

/* The defaults of a fresh server session of DIALECT. */
struct dw_sql_options dw_sql_default_options(enum dw_sql_dialect dialect);

enum dw_tok_kind {
	DW_TOK_END = 0,     /* end of text */
	DW_TOK_WORD,        /* unquoted identifier or keyword */
	DW_TOK_QUOTED_ID,   /* "x" (PostgreSQL, MySQL ANSI_QUOTES), `x` (MySQL), U&"x"; quotes included */
	DW_TOK_STRING,      /* '...', E'...', U&'...', B'...', X'...', N'...', $tag$...$tag$,
	                       MySQL "..." without ANSI_QUOTES, _charset'...' */
	DW_TOK_NUMBER,      /* 42, 4.2e1, .5, 0x1F, 0b101 */
	DW_TOK_PARAM,       /* $1 (PostgreSQL), ? (MySQL; also PostgreSQL JDBC-style) */
	DW_TOK_VARIABLE,    /* MySQL @x, @'x', @`x`, @@x, @@session.x */
	DW_TOK_OPERATOR,    /* = <> != < <= >= || :: + - * / % ~ ! ^ & | # @ ... (maximal munch) */
	DW_TOK_LPAREN,
	DW_TOK_RPAREN,
	DW_TOK_LBRACKET,    /* [ (PostgreSQL arrays) */
	DW_TOK_RBRACKET,
	DW_TOK_COMMA,
	DW_TOK_SEMICOLON,
	DW_TOK_DOT,
	DW_TOK_ERROR,       /* unterminated string, identifier or comment; stops the stream */
};

enum {
	DW_TOKF_AFTER_COMMENT = 1u << 0,    /* a comment came between the previous token and this one */
	DW_TOKF_AFTER_SPACE = 1u << 1,      /* whitespace or a comment came before this token */
	DW_TOKF_IN_EXEC_COMMENT = 1u << 2,  /* inside a MySQL executable comment */
	DW_TOKF_LINE_COMMENT_END = 1u << 3, /* DW_TOK_END reached through a line comment running to the end */
};

struct dw_token {
	enum dw_tok_kind kind;
	uint32_t off;    /* byte offset into the text */
	uint32_t len;    /* byte length, quotes and prefixes included */
	uint32_t flags;  /* DW_TOKF_* */
};

struct dw_lexer {
	const char *text;
	size_t len;
	size_t pos;
	struct dw_sql_options opts;
	uint32_t exec_comment_depth;  /* > 0 inside an executable comment */
	uint32_t comments;            /* comments skipped so far */
	bool done;
	bool failed;                  /* done with DW_TOK_ERROR rather than DW_TOK_END */
};

/* Text longer than this is not tokenized (DW_TOK_ERROR at once): offsets are
 * 32 bits, and max_statement_bytes keeps real statements far below it. */
#define DW_SQL_MAX_TEXT (1u << 30)

void dw_lexer_init(struct dw_lexer *lx, const char *text, size_t len,
	const struct dw_sql_options *opts);

/* Writes the next token into TOK. Returns false once DW_TOK_END or
 * DW_TOK_ERROR has been written (and keeps returning it). */
bool dw_lexer_next(struct dw_lexer *lx, struct dw_token *tok);

/* True when TOK is a DW_TOK_WORD spelling KEYWORD (ASCII, case-insensitive;
 * KEYWORD given in upper case). */
bool dw_token_is(const struct dw_lexer *lx, const struct dw_token *tok, const char *keyword);

#endif
