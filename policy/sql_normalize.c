/* Normalized statement text and the fingerprint computed from it.
 *
 * One routine writes the normalized text of a statement's tokens; the same
 * bytes feed a running hash. dw_sql_normalize keeps the bytes, the analyzer
 * keeps only the hash, so a statement's fingerprint is by construction the
 * hash of its normalized text (dw_sql_fingerprint_text).
 *
 * Rules: literals (strings, numbers, TRUE and FALSE, a sign directly before
 * a number where the sign cannot be a binary operator, parameters) become
 * '?'; an IN list
 * of literals becomes "IN (?)"; VALUES rows of literals become one row;
 * keywords are upper-cased; identifiers are kept as written (quoted or
 * not); comments go; tokens are separated by
 * one space except around ( ) [ ] , . and ::. */
#include "policy/sql_private.h"

#include <stdlib.h>
#include <string.h>

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

void sqlnorm_begin(struct norm_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = buf ? cap : 0;
	o->len = 0;
	o->hash = FNV64_OFFSET;
}

void sqlnorm_put(struct norm_out *o, const char *p, size_t n)
{
	uint64_t h = o->hash;
	for (size_t k = 0; k < n; k++) {
		/* A NUL inside a quoted name or comment (MySQL text may hold
		 * one) would end the normalized text early for C string users. */
		char c = p[k] ? p[k] : '?';
		h = (h ^ (unsigned char)c) * FNV64_PRIME;
		if (o->len + k < o->cap)
			o->buf[o->len + k] = c;
	}
	o->hash = h;
	o->len += n;
}

/* FNV-1a mixes its last bytes poorly into the high bits: a final
 * avalanche spreads them before the value is used as a hash key. */
uint64_t sqlnorm_hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

uint64_t sqlnorm_combine(uint64_t h, uint64_t stmt_fp)
{
	return sqlnorm_hash_final((h ^ stmt_fp) * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull);
}

uint64_t dw_sql_fingerprint_text(const char *normalized, size_t len)
{
	struct norm_out o;
	sqlnorm_begin(&o, NULL, 0);
	sqlnorm_put(&o, normalized, len);
	return sqlnorm_hash_final(o.hash);
}

/* What was written last, for spacing and for telling a sign from a minus. */
enum cls { C_START, C_OPEN, C_DOT, C_CAST, C_WORD, C_KW, C_CLOSE, C_LIT, C_OP, C_COMMA };

static bool is_op(const char *text, const struct sql_tok *t, const char *op)
{
	size_t n = strlen(op);
	return t->kind == DW_TOK_OPERATOR && t->len == n && memcmp(text + t->off, op, n) == 0;
}

static bool is_sign(const char *text, const struct sql_tok *t)
{
	return is_op(text, t, "-") || is_op(text, t, "+");
}

/* A MySQL "x" where only a name can stand (next to a dot, after FROM,
 * JOIN, INTO, UPDATE or TABLE): the server may run with ANSI_QUOTES set
 * globally, so it is read as the identifier it may be, by the analysis and
 * here alike, and two different names never normalize alike. */
bool sql_my_dq_name(const char *text, const struct sql_tok *t, uint32_t b, uint32_t e, uint32_t i,
	const struct dw_sql_options *opts)
{
	if (opts->dialect != DW_SQL_MYSQL || opts->ansi_quotes || t[i].kind != DW_TOK_STRING || text[t[i].off] != '"' ||
		memchr(text + t[i].off, 0, t[i].len))
		return false;   /* (a name never holds a NUL byte) */
	if (i + 1 < e && t[i + 1].kind == DW_TOK_DOT)
		return true;
	if (i > b && t[i - 1].kind == DW_TOK_DOT)
		return true;
	if (i > b && t[i - 1].kind == DW_TOK_WORD) {
		enum dw_kw k = (enum dw_kw)t[i - 1].kw;
		return k == DW_KW_FROM || k == DW_KW_JOIN || k == DW_KW_INTO || k == DW_KW_UPDATE || k == DW_KW_TABLE;
	}
	return false;
}

/* ( item, ... ) at OPEN where every item is a literal or parameter, with an
 * optional sign before numbers. Sets *CLOSE and *ITEMS. */
static bool literal_list(const char *text, const struct sql_tok *t, uint32_t open, uint32_t e,
	uint32_t *close, uint32_t *items)
{
	uint32_t j = open + 1, n = 0;
	for (;;) {
		if (j < e && is_sign(text, &t[j]) && j + 1 < e && t[j + 1].kind == DW_TOK_NUMBER)
			j++;
		if (j >= e || !(t[j].kind == DW_TOK_STRING || t[j].kind == DW_TOK_NUMBER || t[j].kind == DW_TOK_PARAM))
			return false;
		n++;
		j++;
		if (j < e && t[j].kind == DW_TOK_COMMA) {
			j++;
			continue;
		}
		if (j < e && t[j].kind == DW_TOK_RPAREN) {
			*close = j;
			*items = n;
			return true;
		}
		return false;
	}
}

static bool need_space(enum cls prev, const char *text, const struct sql_tok *t)
{
	if (prev == C_START || prev == C_OPEN || prev == C_DOT || prev == C_CAST)
		return false;
	switch (t->kind) {
	case DW_TOK_RPAREN:
	case DW_TOK_RBRACKET:
	case DW_TOK_COMMA:
	case DW_TOK_DOT:
	case DW_TOK_SEMICOLON:
		return false;
	case DW_TOK_LPAREN:
		return prev != C_WORD;
	case DW_TOK_LBRACKET:
		return prev != C_WORD && prev != C_CLOSE;
	case DW_TOK_OPERATOR:
		return !is_op(text, t, "::");
	default:
		return true;
	}
}

static void put_tok(struct norm_out *o, enum cls *prev, const char *text, const struct sql_tok *t,
	const char *p, size_t n, enum cls cls)
{
	if (need_space(*prev, text, t))
		sqlnorm_put(o, " ", 1);
	sqlnorm_put(o, p, n);
	*prev = cls;
}

/* Writes "(?, ?, ... ?)" for a row of ITEMS literals. */
static void put_row(struct norm_out *o, uint32_t items)
{
	sqlnorm_put(o, "(?", 2);
	for (uint32_t k = 1; k < items; k++)
		sqlnorm_put(o, ", ?", 3);
	sqlnorm_put(o, ")", 1);
}

void sqlnorm_statement(const char *text, const struct sql_tok *t, uint32_t b, uint32_t e,
	const struct dw_sql_options *opts, struct norm_out *o)
{
	enum cls prev = C_START;
	for (uint32_t i = b; i < e; i++) {
		const struct sql_tok *tk = &t[i];
		const char *p = text + tk->off;
		switch ((enum dw_tok_kind)tk->kind) {
		case DW_TOK_WORD: {
			enum dw_kw kw = (enum dw_kw)tk->kw;
			uint32_t close, items;
			if ((kw == DW_KW_IN || kw == DW_KW_VALUES) && i + 1 < e && t[i + 1].kind == DW_TOK_LPAREN &&
				literal_list(text, t, i + 1, e, &close, &items)) {
				put_tok(o, &prev, text, tk, dw_kw_name(kw), strlen(dw_kw_name(kw)), C_KW);
				sqlnorm_put(o, " ", 1);
				if (kw == DW_KW_IN) {
					sqlnorm_put(o, "(?)", 3);
					i = close;
				} else {
					/* Further rows of literals add nothing but their number. */
					put_row(o, items);
					uint32_t k = close + 1, c2, n2;
					while (k + 1 < e && t[k].kind == DW_TOK_COMMA && t[k + 1].kind == DW_TOK_LPAREN &&
						literal_list(text, t, k + 1, e, &c2, &n2))
						k = c2 + 1;
					i = k - 1;
				}
				prev = C_CLOSE;
				break;
			}
			if (kw == DW_KW_TRUE || kw == DW_KW_FALSE) {
				put_tok(o, &prev, text, tk, "?", 1, C_LIT);   /* boolean literals */
				break;
			}
			if (kw != DW_KW_NONE) {
				const char *name = dw_kw_name(kw);
				put_tok(o, &prev, text, tk, name, tk->len,
					(dw_kw_flags(kw) & DW_KWF_FUNC) && i + 1 < e && t[i + 1].kind == DW_TOK_LPAREN ? C_WORD : C_KW);
			} else {
				/* Identifiers keep their spelling: identifiers.pattern
				 * sees it, so statements spelling them differently must
				 * not share a fingerprint (and a cached verdict). */
				put_tok(o, &prev, text, tk, p, tk->len, C_WORD);
			}
			break;
		}
		case DW_TOK_QUOTED_ID:
		case DW_TOK_VARIABLE:
			put_tok(o, &prev, text, tk, p, tk->len, C_WORD);
			break;
		case DW_TOK_STRING:
			if (sql_my_dq_name(text, t, b, e, i, opts))
				put_tok(o, &prev, text, tk, p, tk->len, C_WORD);
			else
				put_tok(o, &prev, text, tk, "?", 1, C_LIT);
			break;
		case DW_TOK_NUMBER:
		case DW_TOK_PARAM:
			put_tok(o, &prev, text, tk, "?", 1, C_LIT);
			break;
		case DW_TOK_OPERATOR:
			/* A sign where no operand precedes belongs to the number. */
			if (is_sign(text, tk) && i + 1 < e && t[i + 1].kind == DW_TOK_NUMBER &&
				(prev == C_START || prev == C_OPEN || prev == C_COMMA || prev == C_OP || prev == C_KW ||
					prev == C_CAST))
				break;
			put_tok(o, &prev, text, tk, p, tk->len, is_op(text, tk, "::") ? C_CAST : C_OP);
			break;
		case DW_TOK_LPAREN:
		case DW_TOK_LBRACKET:
			put_tok(o, &prev, text, tk, p, 1, C_OPEN);
			break;
		case DW_TOK_RPAREN:
		case DW_TOK_RBRACKET:
			put_tok(o, &prev, text, tk, p, 1, C_CLOSE);
			break;
		case DW_TOK_COMMA:
			put_tok(o, &prev, text, tk, ",", 1, C_COMMA);
			break;
		case DW_TOK_DOT:
			put_tok(o, &prev, text, tk, ".", 1, C_DOT);
			break;
		case DW_TOK_SEMICOLON:
			put_tok(o, &prev, text, tk, ";", 1, C_COMMA);
			break;
		default:
			break;
		}
	}
}

size_t dw_sql_normalize(const char *text, size_t len, const struct dw_sql_options *opts,
	char *out, size_t cap)
{
	struct sql_tok *toks = NULL;
	uint32_t n = 0, tcap = 0, end_flags = 0;
	const char *bad = NULL;
	struct norm_out o;
	sqlnorm_begin(&o, out, cap ? cap - 1 : 0);
	/* Text that cannot be tokenized is normalized up to where it fails;
	 * nothing after that point (an unterminated literal) is written. */
	if (sql_tokenize(text, len, opts, &toks, &n, &tcap, &bad, &end_flags)) {
		uint32_t b = 0;
		bool any = false;
		for (uint32_t i = 0; i <= n; i++) {
			if (i < n && toks[i].kind != DW_TOK_SEMICOLON)
				continue;
			if (i > b) {
				if (any)
					sqlnorm_put(&o, "; ", 2);
				sqlnorm_statement(text, toks, b, i, opts, &o);
				any = true;
			}
			b = i + 1;
		}
	}
	free(toks);
	if (cap)
		out[o.len < cap - 1 ? o.len : cap - 1] = 0;
	return o.len;
}
