/* dw_sql_analyze: tokens into statements, each through its phases (head,
 * scan, heuristics, fingerprint), then what only the whole message shows
 * (stacked statements, a comment cutting off the end). */
#include "policy/sql_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const op_names[DW_OP_COUNT] = {
	[DW_OP_OTHER] = "OTHER", [DW_OP_SELECT] = "SELECT", [DW_OP_INSERT] = "INSERT",
	[DW_OP_UPDATE] = "UPDATE", [DW_OP_DELETE] = "DELETE", [DW_OP_MERGE] = "MERGE",
	[DW_OP_REPLACE] = "REPLACE", [DW_OP_CREATE] = "CREATE", [DW_OP_ALTER] = "ALTER",
	[DW_OP_DROP] = "DROP", [DW_OP_TRUNCATE] = "TRUNCATE", [DW_OP_RENAME] = "RENAME",
	[DW_OP_CALL] = "CALL", [DW_OP_BEGIN] = "BEGIN", [DW_OP_COMMIT] = "COMMIT",
	[DW_OP_ROLLBACK] = "ROLLBACK", [DW_OP_SAVEPOINT] = "SAVEPOINT", [DW_OP_SET] = "SET",
	[DW_OP_GRANT] = "GRANT", [DW_OP_PREPARE] = "PREPARE", [DW_OP_EXECUTE] = "EXECUTE",
	[DW_OP_DEALLOCATE] = "DEALLOCATE", [DW_OP_COPY] = "COPY", [DW_OP_LOAD] = "LOAD",
	[DW_OP_LOCK] = "LOCK", [DW_OP_USE] = "USE",
};

const char *dw_sql_op_name(enum dw_sql_op op)
{
	if ((unsigned)op >= DW_OP_COUNT || !op_names[op])
		return "OTHER";
	return op_names[op];
}

void dw_sql_analysis_init(struct dw_sql_analysis *a)
{
	memset(a, 0, sizeof(*a));
}

void dw_sql_analysis_free(struct dw_sql_analysis *a)
{
	free(a->stmts);
	free(a->objects);
	free(a->functions);
	free(a->idents);
	free(a->names);
	free(a->normalized);
	if (a->scratch) {
		free(a->scratch->toks);
		free(a->scratch->ctes);
		free(a->scratch->set_idx);
		free(a->scratch->set_gen);
		free(a->scratch);
	}
	bool keep = a->keep_normalized;
	memset(a, 0, sizeof(*a));
	a->keep_normalized = keep;
}

/* Appends LEN bytes of S at OUT[*n] within CAP (one byte kept for the
 * terminator), cutting what does not fit. */
static void append_cut(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
	size_t room = cap - 1 - *n;
	if (len > room)
		len = room;
	memcpy(out + *n, s, len);
	*n += len;
}

void dw_sql_name_format(const struct dw_sql_analysis *a, const struct dw_sql_name *n,
	char *out, size_t cap)
{
	size_t len = 0;
	if (!cap)
		return;
	/* Once per object of every audited statement: no printf. */
	if (n->schema_len) {
		append_cut(out, cap, &len, a->names + n->schema_off, n->schema_len);
		append_cut(out, cap, &len, ".", 1);
	}
	append_cut(out, cap, &len, a->names + n->name_off, n->name_len);
	out[len] = '\0';
}

static bool grow_toks(struct sql_tok **toks, uint32_t *cap, uint32_t need)
{
	if (need <= *cap)
		return true;
	uint64_t n = *cap ? (uint64_t)*cap * 2 : 64;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX)
		return false;
	struct sql_tok *p = realloc(*toks, (size_t)n * sizeof(*p));
	if (!p)
		return false;
	*toks = p;
	*cap = (uint32_t)n;
	return true;
}

static const char *const UNBALANCED = "unbalanced parentheses or brackets";

bool sql_tokenize(const char *text, size_t len, const struct dw_sql_options *opts,
	struct sql_tok **toks, uint32_t *n, uint32_t *cap, const char **bad, uint32_t *end_flags)
{
	struct dw_lexer lx;
	struct dw_token tk;
	uint32_t stack[SQL_MAX_DEPTH];
	uint32_t depth = 0;
	*n = 0;
	*bad = NULL;
	*end_flags = 0;
	dw_lexer_init(&lx, text, len, opts);
	for (;;) {
		dw_lexer_next(&lx, &tk);
		if (tk.kind == DW_TOK_END) {
			*end_flags = tk.flags;
			break;
		}
		if (tk.kind == DW_TOK_ERROR) {
			*bad = len > DW_SQL_MAX_TEXT ? "text too long"
			                             : "unterminated string, quoted identifier or comment, or a byte that is not SQL";
			break;
		}
		if (!grow_toks(toks, cap, *n + 1))
			return false;
		struct sql_tok *t = &(*toks)[*n];
		t->off = tk.off;
		t->len = tk.len;
		t->kind = (uint8_t)tk.kind;
		t->lxflags = (uint8_t)tk.flags;
		t->kw = tk.kind == DW_TOK_WORD ? (uint16_t)dw_kw_lookup(text + tk.off, tk.len, opts->dialect) : 0;
		t->tf = 0;
		t->match = UINT32_MAX;
		switch (tk.kind) {
		case DW_TOK_LPAREN:
		case DW_TOK_LBRACKET:
			if (depth == SQL_MAX_DEPTH) {
				if (!*bad)
					*bad = "nesting deeper than 64";
			} else {
				stack[depth++] = *n;
			}
			break;
		case DW_TOK_RPAREN:
		case DW_TOK_RBRACKET: {
			enum dw_tok_kind open = tk.kind == DW_TOK_RPAREN ? DW_TOK_LPAREN : DW_TOK_LBRACKET;
			if (!depth || (*toks)[stack[depth - 1]].kind != open) {
				if (!*bad)
					*bad = UNBALANCED;
			} else {
				uint32_t o = stack[--depth];
				(*toks)[o].match = *n;
				t->match = o;
			}
			break;
		}
		case DW_TOK_SEMICOLON:
			if (depth && !*bad)
				*bad = UNBALANCED;
			depth = 0;
			break;
		default:
			break;
		}
		(*n)++;
	}
	if (depth && !*bad)
		*bad = UNBALANCED;
	return true;
}

static enum dw_kw tkw(const struct sql_tok *t, uint32_t n, uint32_t i)
{
	return i < n && t[i].kind == DW_TOK_WORD ? (enum dw_kw)t[i].kw : DW_KW_NONE;
}

static bool tword(const char *text, const struct sql_tok *t, uint32_t n, uint32_t i, const char *w)
{
	size_t len = strlen(w);
	return i < n && t[i].kind == DW_TOK_WORD && t[i].len == len && strncasecmp(text + t[i].off, w, len) == 0;
}

/* CREATE ... PROCEDURE|FUNCTION|TRIGGER|EVENT at B: a statement whose body
 * may be a compound block with ';' inside. */
static bool compound_create(const char *text, const struct sql_tok *t, uint32_t n, uint32_t b)
{
	if (tkw(t, n, b) != DW_KW_CREATE)
		return false;
	for (uint32_t j = b + 1; j < n && j < b + 32; j++) {
		if (t[j].kind == DW_TOK_SEMICOLON || t[j].kind == DW_TOK_LPAREN)
			return false;
		enum dw_kw k = tkw(t, n, j);
		if (k == DW_KW_PROCEDURE || k == DW_KW_FUNCTION || k == DW_KW_TRIGGER || tword(text, t, n, j, "EVENT"))
			return true;
	}
	return false;
}

/* What may follow BEGIN when it opens a block: a statement, a declaration,
 * a label, END, or (PostgreSQL) ATOMIC. */
static bool block_follower(const char *text, const struct sql_tok *t, uint32_t n, uint32_t j,
	const struct dw_sql_options *opts)
{
	if (opts->dialect == DW_SQL_POSTGRES)
		return tword(text, t, n, j, "ATOMIC");
	switch (tkw(t, n, j)) {
	case DW_KW_SELECT: case DW_KW_INSERT: case DW_KW_UPDATE: case DW_KW_DELETE: case DW_KW_REPLACE:
	case DW_KW_SET: case DW_KW_DECLARE: case DW_KW_IF: case DW_KW_CASE: case DW_KW_BEGIN: case DW_KW_END:
	case DW_KW_CALL: case DW_KW_DO: case DW_KW_WITH: case DW_KW_FETCH: case DW_KW_CLOSE:
		return true;
	default:
		break;
	}
	static const char *const words[] = {"RETURN", "LEAVE", "ITERATE", "SIGNAL", "RESIGNAL", "WHILE", "LOOP",
		"REPEAT", "OPEN", "GET"};
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (tword(text, t, n, j, words[k]))
			return true;
	/* label: */
	return j + 1 < n && t[j].kind == DW_TOK_WORD && t[j + 1].kind == DW_TOK_OPERATOR && t[j + 1].len == 1 &&
		text[t[j + 1].off] == ':';
}

/* Where BEGIN can open a block: after the routine header, a ';', a label,
 * or THEN / ELSE / DO / LOOP / REPEAT / FOR EACH ROW. Elsewhere "begin" is
 * a name. */
static bool block_leader(const char *text, const struct sql_tok *t, uint32_t n, uint32_t b, uint32_t j)
{
	if (j == b)
		return false;
	const struct sql_tok *p = &t[j - 1];
	switch (p->kind) {
	case DW_TOK_RPAREN:
	case DW_TOK_SEMICOLON:
	case DW_TOK_STRING:
	case DW_TOK_QUOTED_ID:
		return true;
	case DW_TOK_OPERATOR:
		return p->len == 1 && text[p->off] == ':';
	case DW_TOK_WORD:
		switch ((enum dw_kw)p->kw) {
		case DW_KW_BEGIN: case DW_KW_THEN: case DW_KW_ELSE: case DW_KW_DO: case DW_KW_ROW:
		case DW_KW_DATA:
			return true;
		case DW_KW_NONE:
			/* DETERMINISTIC, INVOKER, LOOP, REPEAT, a type name ... but not
			 * a column list item or an expression */
			return !(j >= b + 2 && (t[j - 2].kind == DW_TOK_COMMA || t[j - 2].kind == DW_TOK_OPERATOR ||
				tkw(t, n, j - 2) == DW_KW_SELECT));
		default:
			return p->kw == DW_KW_INT || p->kw == DW_KW_INTEGER || p->kw == DW_KW_BIGINT ||
				tword(text, t, n, j - 1, "DETERMINISTIC");
		}
	default:
		return false;
	}
}

/* The end of the statement starting at B: its ';' (or N). A MySQL stored
 * program or a PostgreSQL BEGIN ATOMIC body holds ';' inside BEGIN ... END:
 * those do not end it. CASE ... END pairs are tracked so their END is not
 * taken for a block's. Ending too early only splits text into more
 * statements; the statement's classes also include those of the statements
 * inside its body (see sqlh_inner_classes), so a block that is read as
 * longer than the server reads it hides no class. */
static uint32_t statement_end(const char *text, const struct sql_tok *t, uint32_t n, uint32_t b,
	const struct dw_sql_options *opts)
{
	uint32_t j = b;
	if (!compound_create(text, t, n, b)) {
		while (j < n && t[j].kind != DW_TOK_SEMICOLON)
			j++;
		return j;
	}
	char stack[SQL_MAX_DEPTH];
	uint32_t depth = 0, blocks = 0;
	for (; j < n; j++) {
		if (t[j].kind == DW_TOK_SEMICOLON) {
			if (!blocks)
				return j;
			continue;
		}
		enum dw_kw k = tkw(t, n, j);
		if (k == DW_KW_CASE) {
			if (depth == SQL_MAX_DEPTH)
				break;
			stack[depth++] = 'C';
		} else if (k == DW_KW_BEGIN && block_leader(text, t, n, b, j) && block_follower(text, t, n, j + 1, opts) &&
			!(tkw(t, n, j + 1) == DW_KW_END && depth && stack[depth - 1] == 'C')) {
			if (depth == SQL_MAX_DEPTH)
				break;
			stack[depth++] = 'B';
			blocks++;
		} else if (k == DW_KW_END && depth) {
			enum dw_kw next = tkw(t, n, j + 1);
			if (next == DW_KW_IF || tword(text, t, n, j + 1, "LOOP") || tword(text, t, n, j + 1, "WHILE") ||
				tword(text, t, n, j + 1, "REPEAT"))
				continue;
			if (next == DW_KW_CASE && stack[depth - 1] != 'C')
				continue;
			if (stack[--depth] == 'B')
				blocks--;
		}
	}
	if (j == n && !blocks)
		return n;   /* the last statement, its blocks all closed */
	/* Too deep to follow, or a block that never ends (the server will
	 * refuse it): end at the first ';' (more statements, never fewer). */
	j = b;
	while (j < n && t[j].kind != DW_TOK_SEMICOLON)
		j++;
	return j;
}

static bool is_dml(enum dw_sql_op op)
{
	return op == DW_OP_SELECT || op == DW_OP_INSERT || op == DW_OP_UPDATE || op == DW_OP_DELETE ||
		op == DW_OP_REPLACE || op == DW_OP_MERGE;
}

static uint64_t hash_statement(const char *text, const struct sql_tok *t, uint32_t b, uint32_t e,
	const struct dw_sql_options *opts, char *buf, size_t room, size_t *len)
{
	struct norm_out o;
	sqlnorm_begin(&o, buf, room);
	sqlnorm_statement(text, t, b, e, opts, &o);
	*len = o.len < room ? o.len : room;
	return sqlnorm_hash_final(o.hash);
}

/* The fingerprint of tokens B..E of statement ST, writing the normalized
 * text it hashes into A->normalized when the caller keeps it. Every token
 * adds at most itself and a space, so twice the statement's length always
 * fits; less room (out of memory) only cuts the kept text. */
static uint64_t statement_fingerprint(struct dw_sql_analysis *a, const char *text,
	const struct sql_tok *t, uint32_t b, uint32_t e, struct dw_sql_stmt *st)
{
	char *buf = NULL;
	size_t room = 0;
	if (a->keep_normalized) {
		size_t need = (size_t)a->normalized_len + (size_t)st->len * 2 + 16;
		if (need <= UINT32_MAX && need > a->cap_normalized) {
			size_t cap = a->cap_normalized ? (size_t)a->cap_normalized * 2 : 256;
			while (cap < need)
				cap *= 2;
			char *grown = cap <= UINT32_MAX ? realloc(a->normalized, cap) : NULL;
			if (grown) {
				a->normalized = grown;
				a->cap_normalized = (uint32_t)cap;
			}
		}
		buf = a->normalized ? a->normalized + a->normalized_len : NULL;
		room = a->normalized ? a->cap_normalized - a->normalized_len : 0;
	}
	size_t len;
	uint64_t fp = hash_statement(text, t, b, e, &a->opts, buf, room, &len);
	st->norm_off = a->normalized_len;
	st->norm_len = (uint32_t)len;
	a->normalized_len += st->norm_len;
	return fp;
}

/* Starts a statement's share of the dedupe set and CTE list. */
static void scratch_new_statement(struct dw_sql_scratch *s)
{
	s->n_ctes = 0;
	s->set_count = 0;
	if (++s->gen == 0) {
		if (s->set_gen)
			memset(s->set_gen, 0, (size_t)s->set_cap * sizeof(*s->set_gen));
		s->gen = 1;
	}
}

static enum dw_sql_status statement(struct dw_sql_analysis *a, const char *text, uint32_t b, uint32_t e)
{
	struct dw_sql_scratch *s = a->scratch;
	if (a->n_stmts + 1 > a->cap_stmts) {
		uint64_t cap = a->cap_stmts ? (uint64_t)a->cap_stmts * 2 : 8;
		if (cap > UINT32_MAX)
			return DW_SQL_NOMEM;
		struct dw_sql_stmt *p = realloc(a->stmts, (size_t)cap * sizeof(*p));
		if (!p)
			return DW_SQL_NOMEM;
		a->stmts = p;
		a->cap_stmts = (uint32_t)cap;
	}
	struct dw_sql_stmt *st = &a->stmts[a->n_stmts];
	memset(st, 0, sizeof(*st));
	st->off = s->toks[b].off;
	st->len = s->toks[e - 1].off + s->toks[e - 1].len - st->off;
	st->first_object = a->n_objects;
	st->first_function = a->n_functions;
	st->first_ident = a->n_idents;
	scratch_new_statement(s);
	struct stmt_ctx c = {
		.a = a, .s = s, .t = s->toks, .text = text, .st = st, .b = b, .e = e,
		.d = a->opts.dialect, .mysql = a->opts.dialect == DW_SQL_MYSQL,
	};
	sqlh_head(&c);
	if (compound_create(text, s->toks, e, b)) {
		/* A stored program's body: what its statements are counts too.
		 * Each piece between ';', BEGIN, THEN, ELSE and DO is read on its
		 * own, so the whole body is read once. */
		uint32_t piece = UINT32_MAX;
		for (uint32_t k = b; k <= e && !c.bad && !c.oom; k++) {
			enum dw_kw kw = k < e && s->toks[k].kind == DW_TOK_WORD ? (enum dw_kw)s->toks[k].kw : DW_KW_NONE;
			if (k < e && s->toks[k].kind != DW_TOK_SEMICOLON && kw != DW_KW_BEGIN && kw != DW_KW_THEN &&
				kw != DW_KW_ELSE && kw != DW_KW_DO)
				continue;
			if (piece != UINT32_MAX && piece + 1 < k) {
				c.e = k;
				st->classes |= sqlh_inner_classes(&c, piece + 1);
				c.e = e;
			}
			piece = k;
		}
	}
	if (!c.bad && !c.oom)
		sqls_scan(&c);
	sqln_drop_cte_objects(&c);
	sqli_statement(&c);
	if (c.explain_only) {
		st->classes = 0;
		st->writes = false;
	}
	st->fingerprint = statement_fingerprint(a, text, s->toks, b, e, st);
	a->n_stmts++;
	if (c.lit_sensitive)
		a->literal_sensitive = true;
	if (c.oom)
		return DW_SQL_NOMEM;
	if (c.bad) {
		a->reason = c.bad;
		return DW_SQL_UNPARSEABLE;
	}
	return DW_SQL_OK;
}

static uint64_t message_of(uint64_t combined, uint32_t n, uint64_t single)
{
	if (n == 0)
		return dw_sql_fingerprint_text("", 0);
	/* One statement: the message is known by the statement's fingerprint,
	 * the same whichever protocol carried it. */
	return n == 1 ? single : sqlnorm_combine(combined, n);
}

/* Whatever could be read of an unparseable message still gets a
 * fingerprint, for the audit record. */
static uint64_t message_fingerprint(struct dw_sql_analysis *a, const char *text)
{
	struct dw_sql_scratch *s = a->scratch;
	uint64_t h = 0;
	uint32_t n = 0;
	uint64_t single = 0;
	for (uint32_t b = 0; b < s->n_toks;) {
		uint32_t i = statement_end(text, s->toks, s->n_toks, b, &a->opts);
		if (i > b) {
			size_t unused;
			uint64_t fp = hash_statement(text, s->toks, b, i, &a->opts, NULL, 0, &unused);
			single = fp;
			h = sqlnorm_combine(n ? h : 0x51ed2701a5c3f7e9ull, fp);
			n++;
		}
		b = i + 1;
	}
	return message_of(h, n, single);
}

/* The message's fingerprint from the statements' analysed above. */
static uint64_t combine_statements(const struct dw_sql_analysis *a)
{
	uint64_t h = 0;
	for (uint32_t k = 0; k < a->n_stmts; k++)
		h = sqlnorm_combine(k ? h : 0x51ed2701a5c3f7e9ull, a->stmts[k].fingerprint);
	return message_of(h, a->n_stmts, a->n_stmts ? a->stmts[0].fingerprint : 0);
}

/* The line comment that runs to the end of the text (after LAST, the last
 * token) swallowed the rest of a statement whose quoted value was broken
 * out of: it holds an odd number of quotes of one kind, the first being
 * the original closing quote (name = 'admin'-- -' AND pwd = '...', or
 * LIKE '%x'--%' ORDER BY ...). An apostrophe inside a word ("-- don't")
 * is not a quote, and a comment with balanced quotes or none (-- note,
 * -- see 'docs') is left alone. */
static bool is_alpha_byte(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool comment_cuts_quote(const char *text, size_t len, const struct sql_tok *last,
	const struct dw_sql_options *opts)
{
	size_t start = (size_t)last->off + last->len;
	for (size_t k = start; k < len; k++)
		if (text[k] == '\n' || text[k] == '\r')
			start = k + 1;
	bool my = opts->dialect == DW_SQL_MYSQL;
	size_t body = len;
	for (size_t k = start; k < len; k++) {
		if (text[k] == '-' && k + 1 < len && text[k + 1] == '-') {
			body = k + 2;
			break;
		}
		if (my && text[k] == '#') {
			body = k + 1;
			break;
		}
	}
	unsigned single = 0, dbl = 0, back = 0;
	for (size_t k = body; k < len; k++) {
		char ch = text[k];
		if (ch == '\'' && !(k > body && k + 1 < len && is_alpha_byte(text[k - 1]) && is_alpha_byte(text[k + 1])))
			single++;
		else if (ch == '"')
			dbl++;
		else if (ch == '`')
			back++;
	}
	return (single | dbl | back) & 1;
}

static enum dw_sql_status finish(struct dw_sql_analysis *a, enum dw_sql_status status, const char *reason)
{
	a->status = status;
	if (status != DW_SQL_OK) {
		a->reason = reason ? reason : a->reason;
		a->n_stmts = 0;
		a->n_objects = a->n_functions = a->n_idents = 0;
	}
	return status;
}

enum dw_sql_status dw_sql_analyze(struct dw_sql_analysis *a, const char *text, size_t len,
	const struct dw_sql_options *opts)
{
	a->opts = *opts;
	a->status = DW_SQL_OK;
	a->reason = NULL;
	a->n_stmts = a->n_objects = a->n_functions = a->n_idents = a->names_len = 0;
	a->normalized_len = 0;
	a->literal_sensitive = false;
	a->fingerprint = 0;
	if (!a->scratch) {
		a->scratch = calloc(1, sizeof(*a->scratch));
		if (!a->scratch)
			return finish(a, DW_SQL_NOMEM, "out of memory");
	}
	struct dw_sql_scratch *s = a->scratch;
	const char *bad = NULL;
	uint32_t end_flags = 0;
	if (!sql_tokenize(text, len, opts, &s->toks, &s->n_toks, &s->cap_toks, &bad, &end_flags)) {
		s->n_toks = 0;
		return finish(a, DW_SQL_NOMEM, "out of memory");
	}
	if (bad) {
		a->fingerprint = message_fingerprint(a, text);
		return finish(a, DW_SQL_UNPARSEABLE, bad);
	}

	bool prev_ends_string = false, dml_before = false;
	enum dw_sql_op prev_op = DW_OP_OTHER;
	for (uint32_t b = 0; b < s->n_toks;) {
		uint32_t i = statement_end(text, s->toks, s->n_toks, b, opts);
		if (i > b) {
			enum dw_sql_status st = statement(a, text, b, i);
			if (st != DW_SQL_OK) {
				a->fingerprint = message_fingerprint(a, text);
				return finish(a, st, st == DW_SQL_NOMEM ? "out of memory" : NULL);
			}
			struct dw_sql_stmt *cur = &a->stmts[a->n_stmts - 1];
			if (a->n_stmts > 1) {
				/* ...'x'; DROP ...: a statement after one ending in a quoted
				 * value, unless it repeats the same kind of statement (batches). */
				if (prev_ends_string && is_dml(prev_op) && (cur->op != prev_op || cur->classes))
					cur->injection |= DW_INJ_STACKED;
				if (dml_before && cur->classes)
					cur->injection |= DW_INJ_STACKED;
			}
			prev_ends_string = s->toks[i - 1].kind == DW_TOK_STRING;
			prev_op = cur->op;
			dml_before |= is_dml(cur->op);
		}
		b = i + 1;
	}
	a->fingerprint = combine_statements(a);
	if (a->n_stmts > 1)
		a->literal_sensitive = true;
	if ((end_flags & DW_TOKF_LINE_COMMENT_END) && a->n_stmts && s->n_toks &&
		comment_cuts_quote(text, len, &s->toks[s->n_toks - 1], opts)) {
		a->stmts[a->n_stmts - 1].injection |= DW_INJ_COMMENT_SPLIT;
		a->literal_sensitive = true;
	}
	return finish(a, DW_SQL_OK, NULL);
}
