/* The SQL lexer: every quoting and comment form of both dialects, numbers,
 * operators, parameters, variables, executable comments and errors. Tokens
 * are rendered as "K:text" (W word, Q quoted identifier, S string, N number,
 * P parameter, V variable, O operator, punctuation as itself, E error),
 * with a '!' prefix for tokens inside a MySQL executable comment. */
#include <stdio.h>
#include <string.h>

#include "policy/sql_lexer.h"
#include "tap.h"

static char rendered[4096];

static const char *render(const char *text, size_t len, const struct dw_sql_options *o)
{
	struct dw_lexer lx;
	struct dw_token t;
	size_t n = 0;
	rendered[0] = 0;
	dw_lexer_init(&lx, text, len, o);
	for (;;) {
		bool more = dw_lexer_next(&lx, &t);
		if (t.kind == DW_TOK_END)
			break;
		const char *k = "?";
		switch (t.kind) {
		case DW_TOK_WORD: k = "W"; break;
		case DW_TOK_QUOTED_ID: k = "Q"; break;
		case DW_TOK_STRING: k = "S"; break;
		case DW_TOK_NUMBER: k = "N"; break;
		case DW_TOK_PARAM: k = "P"; break;
		case DW_TOK_VARIABLE: k = "V"; break;
		case DW_TOK_OPERATOR: k = "O"; break;
		case DW_TOK_LPAREN: k = "("; break;
		case DW_TOK_RPAREN: k = ")"; break;
		case DW_TOK_LBRACKET: k = "["; break;
		case DW_TOK_RBRACKET: k = "]"; break;
		case DW_TOK_COMMA: k = ","; break;
		case DW_TOK_SEMICOLON: k = ";"; break;
		case DW_TOK_DOT: k = "."; break;
		case DW_TOK_ERROR: k = "E"; break;
		default: break;
		}
		int w;
		if (t.kind == DW_TOK_ERROR)
			w = snprintf(rendered + n, sizeof(rendered) - n, "%sE", n ? " " : "");
		else if (t.kind >= DW_TOK_LPAREN && t.kind <= DW_TOK_DOT)
			w = snprintf(rendered + n, sizeof(rendered) - n, "%s%s%s", n ? " " : "",
				(t.flags & DW_TOKF_IN_EXEC_COMMENT) ? "!" : "", k);
		else
			w = snprintf(rendered + n, sizeof(rendered) - n, "%s%s%s:%.*s", n ? " " : "",
				(t.flags & DW_TOKF_IN_EXEC_COMMENT) ? "!" : "", k, (int)t.len, text + t.off);
		if (w < 0 || (size_t)w >= sizeof(rendered) - n)
			break;
		n += (size_t)w;
		if (!more)
			break;
	}
	return rendered;
}

static struct dw_sql_options pg, pg_noscs, my, my_ansi, my_nobs;

/* TEXT on one line, for the test's description. */
static const char *one_line(const char *text)
{
	static char buf[512];
	size_t n = 0;
	for (const char *p = text; *p && n + 3 < sizeof(buf); p++) {
		if (*p == '\n' || *p == '\t') {
			buf[n++] = '\\';
			buf[n++] = *p == '\n' ? 'n' : 't';
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = 0;
	return buf;
}

static void lex_is(const struct dw_sql_options *o, const char *text, const char *want)
{
	const char *got = render(text, strlen(text), o);
	check(strcmp(got, want) == 0, "%s [%s] -> [%s]%s%s", o->dialect == DW_SQL_MYSQL ? "my" : "pg",
		one_line(text), got, strcmp(got, want) ? " want " : "", strcmp(got, want) ? want : "");
}

/* Flags of the last token before END, and of END itself. */
static uint32_t end_flags(const struct dw_sql_options *o, const char *text)
{
	struct dw_lexer lx;
	struct dw_token t;
	dw_lexer_init(&lx, text, strlen(text), o);
	while (dw_lexer_next(&lx, &t))
		;
	return t.flags;
}

static uint32_t flags_of(const struct dw_sql_options *o, const char *text, int index)
{
	struct dw_lexer lx;
	struct dw_token t;
	dw_lexer_init(&lx, text, strlen(text), o);
	for (int i = 0; i <= index; i++)
		dw_lexer_next(&lx, &t);
	return t.flags;
}

static void test_defaults(void)
{
	check(pg.dialect == DW_SQL_POSTGRES && pg.standard_conforming_strings, "pg defaults: scs on");
	check(my.dialect == DW_SQL_MYSQL && !my.ansi_quotes && !my.no_backslash_escapes,
		"my defaults: no ansi_quotes, backslash escapes");
}

static void test_pg_strings(void)
{
	lex_is(&pg, "SELECT 'a''b'", "W:SELECT S:'a''b'");
	lex_is(&pg, "'a\\' OR 1=1 --'", "S:'a\\' W:OR N:1 O:= N:1");
	lex_is(&pg_noscs, "'a\\' OR 1=1 --'", "S:'a\\' OR 1=1 --'");
	lex_is(&pg, "E'a\\'b' x", "S:E'a\\'b' W:x");
	lex_is(&pg, "e'\\\\' y", "S:e'\\\\' W:y");
	lex_is(&pg, "U&'d\\0061t' UESCAPE '!'", "S:U&'d\\0061t' W:UESCAPE S:'!'");
	lex_is(&pg, "U&\"d!0061t\"", "Q:U&\"d!0061t\"");
	lex_is(&pg, "B'101' X'1F' N'nat'", "S:B'101' S:X'1F' S:N'nat'");
	lex_is(&pg, "'a'\n'b'", "S:'a' S:'b'");
	lex_is(&pg, "$$a ' \" $$", "S:$$a ' \" $$");
	lex_is(&pg, "$fn$ $$ inner $$ $fn$;", "S:$fn$ $$ inner $$ $fn$ ;");
	lex_is(&pg, "$a$x$b$y$a$", "S:$a$x$b$y$a$");
	lex_is(&pg, "$1 + $23", "P:$1 O:+ P:$23");
	lex_is(&pg, "foo$bar$ baz", "W:foo$bar$ W:baz");
	lex_is(&pg, "$1abc$", "P:$1 W:abc$");
	lex_is(&pg, "\"My \"\"Tab\"\"\".x", "Q:\"My \"\"Tab\"\"\" . W:x");
	lex_is(&pg, "'unterminated", "E");
	lex_is(&pg, "SELECT E'a\\'", "W:SELECT E");
	lex_is(&pg, "\"open", "E");
	lex_is(&pg, "$tag$ never closed $tog$", "E");
	lex_is(&pg, "SELECT $", "W:SELECT E");
	lex_is(&pg, "$9x", "P:$9 W:x");
}

static void test_pg_comments(void)
{
	lex_is(&pg, "SELECT /* a /* nested */ still */ 1", "W:SELECT N:1");
	lex_is(&pg, "SELECT /* a /* nested */ 1", "W:SELECT E");
	lex_is(&pg, "SELECT 1 -- tail", "W:SELECT N:1");
	lex_is(&pg, "SELECT 1 --\n2", "W:SELECT N:1 N:2");
	lex_is(&pg, "SELECT a--b\n,c", "W:SELECT W:a , W:c");
	lex_is(&pg, "SELECT 1 # 2", "W:SELECT N:1 O:# N:2");
	lex_is(&pg, "/*! SELECT */ 1", "N:1");
	check(end_flags(&pg, "SELECT 'x'-- '") & DW_TOKF_LINE_COMMENT_END, "pg: line comment to the end flagged");
	check(!(end_flags(&pg, "SELECT 'x'-- c\n") & DW_TOKF_LINE_COMMENT_END), "pg: line comment ending in newline not flagged");
	check(flags_of(&pg, "UNION/**/SELECT", 1) & DW_TOKF_AFTER_COMMENT, "pg: token after a comment flagged");
	check(!(flags_of(&pg, "UNION SELECT", 1) & DW_TOKF_AFTER_COMMENT), "pg: plain space is no comment");
	check(flags_of(&pg, "UNION SELECT", 1) & DW_TOKF_AFTER_SPACE, "pg: space flagged");
	check(!(flags_of(&pg, "a+b", 1) & DW_TOKF_AFTER_SPACE), "pg: no space flag when adjacent");
}

static void test_pg_numbers_operators(void)
{
	lex_is(&pg, "1 1.5 .5 1e10 1.5E-3 0x1F 0o17 0b101 1_000", "N:1 N:1.5 N:.5 N:1e10 N:1.5E-3 N:0x1F N:0o17 N:0b101 N:1_000");
	lex_is(&pg, "a=-1", "W:a O:= O:- N:1");
	lex_is(&pg, "a = -1", "W:a O:= O:- N:1");
	lex_is(&pg, "a+-1", "W:a O:+ O:- N:1");
	lex_is(&pg, "a @- b", "W:a O:@- W:b");
	lex_is(&pg, "a <> b != c <= d >= e || f", "W:a O:<> W:b O:!= W:c O:<= W:d O:>= W:e O:|| W:f");
	lex_is(&pg, "x::int", "W:x O::: W:int");
	lex_is(&pg, "arr[1:2]", "W:arr [ N:1 O:: N:2 ]");
	lex_is(&pg, "f(a => 1)", "W:f ( W:a O:=> N:1 )");
	lex_is(&pg, "j ?| b", "W:j O:?| W:b");
	lex_is(&pg, "id=? AND x = ?", "W:id O:= P:? W:AND W:x O:= P:?");
	lex_is(&pg, "a */ b", "W:a O:*/ W:b");
	lex_is(&pg, "t.col", "W:t . W:col");
	lex_is(&pg, "a.5", "W:a . N:5");
	lex_is(&pg, "1.x", "N:1. W:x");
	lex_is(&pg, "SELECT 1\x01", "W:SELECT N:1 E");
	char nul[] = "SELECT 1\0 DROP";
	check(strcmp(render(nul, sizeof(nul) - 1, &pg), "W:SELECT N:1 E") == 0, "pg: NUL byte is an error");
	char nul_str[] = "SELECT 'a\0b'";
	check(strcmp(render(nul_str, sizeof(nul_str) - 1, &pg), "W:SELECT E") == 0, "pg: NUL inside a string is an error");
	char nul_id[] = "SELECT \"a\0b\"";
	check(strcmp(render(nul_id, sizeof(nul_id) - 1, &pg), "W:SELECT E") == 0, "pg: NUL inside a quoted name is an error");
	char nul_cmt[] = "SELECT 1 /* \0 */";
	check(strcmp(render(nul_cmt, sizeof(nul_cmt) - 1, &pg), "W:SELECT N:1 E") == 0, "pg: NUL inside a comment is an error");
	lex_is(&pg, "caf\xc3\xa9 x", "W:caf\xc3\xa9 W:x");
}

static void test_my_strings(void)
{
	lex_is(&my, "'a''b' \"c\"\"d\"", "S:'a''b' S:\"c\"\"d\"");
	lex_is(&my, "'a\\' OR 1=1 -- '", "S:'a\\' OR 1=1 -- '");
	lex_is(&my_nobs, "'a\\' OR 1=1 -- '", "S:'a\\' W:OR N:1 O:= N:1");
	lex_is(&my, "\"x\\\"y\"", "S:\"x\\\"y\"");
	lex_is(&my_ansi, "\"tab\".`col`", "Q:\"tab\" . Q:`col`");
	lex_is(&my, "`a``b` `c`", "Q:`a``b` Q:`c`");
	lex_is(&my, "_utf8mb4'abc' N'n' X'4142' b'01' n'x'", "S:_utf8mb4'abc' S:N'n' S:X'4142' S:b'01' S:n'x'");
	lex_is(&my, "_latin1\"q\"", "S:_latin1\"q\"");
	lex_is(&my, "e'x'", "W:e S:'x'");
	lex_is(&my, "'abc", "E");
	lex_is(&my, "`abc", "E");
	lex_is(&my, "'abc\\'", "E");
	lex_is(&my, "$$x$$", "W:$$x$$");
}

static void test_my_comments(void)
{
	lex_is(&my, "SELECT 1 # c\n, 2", "W:SELECT N:1 , N:2");
	lex_is(&my, "SELECT 1 -- c", "W:SELECT N:1");
	lex_is(&my, "SELECT 1 --\tc", "W:SELECT N:1");
	lex_is(&my, "SELECT 1 --", "W:SELECT N:1");
	lex_is(&my, "SELECT 1--1", "W:SELECT N:1 O:- O:- N:1");
	lex_is(&my, "SELECT /* a /* b */ 1 */", "W:SELECT N:1 O:* O:/");
	lex_is(&my, "SELECT /*+ BKA(t) */ 1", "W:SELECT N:1");
	lex_is(&my, "SELECT 1 /*! UNION SELECT 2 */", "W:SELECT N:1 !W:UNION !W:SELECT !N:2");
	lex_is(&my, "SELECT 1 /*!50001 UNION*/ SELECT 2", "W:SELECT N:1 !W:UNION W:SELECT N:2");
	lex_is(&my, "/*M! DROP TABLE t */", "!W:DROP !W:TABLE !W:t");
	lex_is(&my, "/*M!100101 DROP*/x", "!W:DROP W:x");
	lex_is(&my, "/*!50001 CREATE */ /*!50013 DEFINER=u */", "!W:CREATE !W:DEFINER !O:= !W:u");
	lex_is(&my, "/*! SELECT '*/' */", "!W:SELECT !S:'*/'");
	lex_is(&my, "/*! SELECT 1", "!W:SELECT !N:1 E");
	lex_is(&my, "/*! SELECT /* x */ 1 */", "!W:SELECT E");
	lex_is(&my, "/*! a /*! b */ */", "!W:a E");
	lex_is(&my, "SELECT /* open", "W:SELECT E");
	check(end_flags(&my, "WHERE a='x'# tail") & DW_TOKF_LINE_COMMENT_END, "my: # comment to the end flagged");
	check(end_flags(&my, "WHERE a='x'-- ") & DW_TOKF_LINE_COMMENT_END, "my: -- comment to the end flagged");
	check(!(end_flags(&my, "WHERE a='x' /* c */") & DW_TOKF_LINE_COMMENT_END), "my: block comment at the end not flagged");
	check(flags_of(&my, "SELECT /*! 1 */", 1) & DW_TOKF_IN_EXEC_COMMENT, "my: exec comment flag");
}

static void test_my_numbers_operators_vars(void)
{
	lex_is(&my, "1 1.5 .5 1e10 0x1F 0b101", "N:1 N:1.5 N:.5 N:1e10 N:0x1F N:0b101");
	lex_is(&my, "1abc 0x1G 12e", "W:1abc W:0x1G W:12e");
	lex_is(&my, "db.1t", "W:db . W:1t");
	lex_is(&my, "a<=>b a->>'$.x' a->'$' c:=1", "W:a O:<=> W:b W:a O:->> S:'$.x' W:a O:-> S:'$' W:c O::= N:1");
	lex_is(&my, "a||b && c <> d != e << 2 >> 1", "W:a O:|| W:b O:&& W:c O:<> W:d O:!= W:e O:<< N:2 O:>> N:1");
	lex_is(&my, "a=-1", "W:a O:= O:- N:1");
	lex_is(&my, "@x @'y z' @`q` @@version @@global.max_connections @@session.`sql_mode`",
		"V:@x V:@'y z' V:@`q` V:@@version V:@@global.max_connections V:@@session.`sql_mode`");
	lex_is(&my, "'u'@'h'", "S:'u' V:@'h'");
	lex_is(&my, "@'open", "E");
	lex_is(&my, "a = ? AND b IN (?, ?)", "W:a O:= P:? W:AND W:b W:IN ( P:? , P:? )");
	lex_is(&my, "$x", "W:$x");
	lex_is(&my, "a # b", "W:a");
	char nul[] = "SELECT 1 \0 DROP";
	check(strcmp(render(nul, sizeof(nul) - 1, &my), "W:SELECT N:1 E") == 0, "my: NUL byte is an error");
	char nul_str[] = "SELECT 'a\0b'";
	check(strcmp(render(nul_str, sizeof(nul_str) - 1, &my), "W:SELECT S:'a") == 0, "my: NUL inside a string is data");
	char nul_id[] = "SELECT `a\0b`";
	check(strcmp(render(nul_id, sizeof(nul_id) - 1, &my), "W:SELECT E") == 0, "my: NUL inside a quoted name is an error");
}

static void test_limits(void)
{
	struct dw_lexer lx;
	struct dw_token t;
	static const char text[] = "SELECT 1";
	dw_lexer_init(&lx, text, (size_t)DW_SQL_MAX_TEXT + 1, &pg);
	check(!dw_lexer_next(&lx, &t) && t.kind == DW_TOK_ERROR, "text over the limit is an error at once");
	dw_lexer_init(&lx, text, 8, &pg);
	while (dw_lexer_next(&lx, &t))
		;
	check(t.kind == DW_TOK_END && !dw_lexer_next(&lx, &t) && t.kind == DW_TOK_END, "END repeats");
	dw_lexer_init(&lx, "'x", 2, &pg);
	dw_lexer_next(&lx, &t);
	check(t.kind == DW_TOK_ERROR && !dw_lexer_next(&lx, &t) && t.kind == DW_TOK_ERROR, "ERROR repeats");
	dw_lexer_init(&lx, "", 0, &pg);
	check(!dw_lexer_next(&lx, &t) && t.kind == DW_TOK_END, "empty text is END");
	dw_lexer_init(&lx, "select", 6, &pg);
	dw_lexer_next(&lx, &t);
	check(dw_token_is(&lx, &t, "SELECT") && !dw_token_is(&lx, &t, "SELEC"), "dw_token_is is case-insensitive and exact");
}

int main(void)
{
	pg = dw_sql_default_options(DW_SQL_POSTGRES);
	pg_noscs = pg;
	pg_noscs.standard_conforming_strings = false;
	my = dw_sql_default_options(DW_SQL_MYSQL);
	my_ansi = my;
	my_ansi.ansi_quotes = true;
	my_nobs = my;
	my_nobs.no_backslash_escapes = true;
	test_defaults();
	test_pg_strings();
	test_pg_comments();
	test_pg_numbers_operators();
	test_my_strings();
	test_my_comments();
	test_my_numbers_operators_vars();
	test_limits();
	return tap_done();
}
