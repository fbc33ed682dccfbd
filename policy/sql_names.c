/* Names as the analysis reports them: objects and functions folded the way
 * the dialect folds, identifiers as spelled, quotes and escapes removed.
 * Everything goes into dw_sql_analysis.names, which grows geometrically and
 * is reused between calls. */
#include "policy/sql_private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes: a longer name
 * reaches the same object as its first 63 bytes. */
#define PG_NAME_MAX 63

bool sqln_names_reserve(struct dw_sql_analysis *a, size_t more)
{
	size_t need = (size_t)a->names_len + more;
	if (need <= a->cap_names)
		return true;
	if (need > UINT32_MAX)
		return false;
	size_t cap = a->cap_names ? a->cap_names : 256;
	while (cap < need)
		cap *= 2;
	if (cap > UINT32_MAX)
		cap = UINT32_MAX;
	char *p = realloc(a->names, cap);
	if (!p)
		return false;
	a->names = p;
	a->cap_names = (uint32_t)cap;
	return true;
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool sqln_is_name_token(const struct stmt_ctx *c, uint32_t i)
{
	if (i >= c->e)
		return false;
	const struct sql_tok *t = &c->t[i];
	if (t->kind == DW_TOK_WORD || t->kind == DW_TOK_QUOTED_ID)
		return true;
	/* MySQL "x" where a name must be (see sql_my_dq_name) */
	return c->mysql && sql_my_dq_name(c->text, c->t, c->b, c->e, i, &c->a->opts);
}

static bool is_star(const struct stmt_ctx *c, uint32_t i)
{
	return i < c->e && c->t[i].kind == DW_TOK_OPERATOR && c->t[i].len == 1 && c->text[c->t[i].off] == '*';
}

bool sqln_qname(const struct stmt_ctx *c, uint32_t i, bool allow_star, struct qname *q)
{
	if (!sqln_is_name_token(c, i) && !(allow_star && is_star(c, i)))
		return false;
	q->n = 0;
	uint32_t j = i;
	for (;;) {
		if (q->n >= 3) {
			q->part[0] = q->part[1];
			q->part[1] = q->part[2];
			q->part[2] = j;
		} else {
			q->part[q->n] = j;
		}
		q->n++;
		if (is_star(c, j) && j > i)
			break;   /* t.* ends a name; GRANT ... ON *.* goes on */
		if (j + 2 < c->e && c->t[j + 1].kind == DW_TOK_DOT &&
			(sqln_is_name_token(c, j + 2) || is_star(c, j + 2))) {
			j += 2;
			continue;
		}
		break;
	}
	q->end = j + 1;
	return true;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes PostgreSQL U&"..." escapes in place (BUF holds the unquoted text,
 * N bytes); ESC is the escape character. Returns the new length, or
 * SIZE_MAX when an escape is invalid. Decoding never lengthens the text: an
 * escape of 5 or 8 bytes yields at most 4. */
static size_t uescape_decode(char *buf, size_t n, char esc)
{
	size_t r = 0, w = 0;
	while (r < n) {
		if (buf[r] != esc) {
			buf[w++] = buf[r++];
			continue;
		}
		if (r + 1 < n && buf[r + 1] == esc) {
			buf[w++] = esc;
			r += 2;
			continue;
		}
		size_t digits = 4, start = r + 1;
		if (r + 1 < n && buf[r + 1] == '+') {
			digits = 6;
			start = r + 2;
		}
		if (start + digits > n)
			return SIZE_MAX;
		uint32_t cp = 0;
		for (size_t k = 0; k < digits; k++) {
			int v = hexval(buf[start + k]);
			if (v < 0)
				return SIZE_MAX;
			cp = cp * 16 + (uint32_t)v;
		}
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return SIZE_MAX;
		char tmp[4];
		size_t k = utf8_put(tmp, cp);
		memcpy(buf + w, tmp, k);
		w += k;
		r = start + digits;
	}
	return w;
}

/* The escape character of a U&"..." token at I: '\' unless UESCAPE 'c'
 * follows. Returns 0 when the UESCAPE clause is malformed. */
static char uescape_char(const struct stmt_ctx *c, uint32_t i)
{
	if (!tok_kw(c, i + 1, DW_KW_UESCAPE))
		return '\\';
	if (!tok_kind(c, i + 2, DW_TOK_STRING) || c->t[i + 2].len != 3 || c->text[c->t[i + 2].off] != '\'')
		return 0;
	char ch = c->text[c->t[i + 2].off + 1];
	if (hexval(ch) >= 0 || ch == '+' || ch == '\'' || ch == '"' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
		return 0;
	return ch;
}

/* Appends the text of name token I to names: quotes removed, doubled
 * quotes undoubled, U& escapes decoded; FOLD lower-cases the way the
 * dialect does (quoted PostgreSQL parts are kept); TRUNCATE applies
 * PostgreSQL's identifier length. Returns false (with c->oom or c->bad
 * set) on failure. */
static bool put_part(struct stmt_ctx *c, uint32_t i, bool fold, bool truncate, uint32_t *off, uint32_t *len)
{
	struct dw_sql_analysis *a = c->a;
	const struct sql_tok *t = &c->t[i];
	const char *p = c->text + t->off;
	size_t n = t->len;
	if (!sqln_names_reserve(a, n)) {
		c->oom = true;
		return false;
	}
	char *out = a->names + a->names_len;
	size_t w = 0;
	if (t->kind == DW_TOK_WORD || t->kind == DW_TOK_OPERATOR) {
		for (size_t k = 0; k < n; k++)
			out[w++] = fold ? lower(p[k]) : p[k];
	} else {
		bool uamp = t->kind == DW_TOK_QUOTED_ID && n >= 2 && p[0] != '"' && p[0] != '`';
		size_t skip = uamp ? 2 : 0;   /* U& */
		char q = p[skip];
		for (size_t k = skip + 1; k + 1 < n; k++) {
			if (p[k] == q && k + 2 < n && p[k + 1] == q)
				k++;
			out[w++] = p[k];
		}
		if (uamp) {
			char esc = uescape_char(c, i);
			size_t dec = esc ? uescape_decode(out, w, esc) : SIZE_MAX;
			if (dec == SIZE_MAX) {
				c->bad = "invalid Unicode escape in an identifier";
				return false;
			}
			w = dec;
		}
		if (fold && c->mysql)
			for (size_t k = 0; k < w; k++)
				out[k] = lower(out[k]);
	}
	if (truncate && !c->mysql && w > PG_NAME_MAX) {
		w = PG_NAME_MAX;
		/* Never cut a multi-byte character in two. */
		while (w > 0 && ((unsigned char)out[w] & 0xc0) == 0x80)
			w--;
	}
	*off = a->names_len;
	*len = (uint32_t)w;
	a->names_len += (uint32_t)w;
	return true;
}

/* Folds an unquoted PostgreSQL word, or every MySQL name. */
static bool fold_part(struct stmt_ctx *c, uint32_t i, uint32_t *off, uint32_t *len)
{
	return put_part(c, i, true, true, off, len);
}

/* The dedupe hashes start from a per-process random value, so names
 * crafted to collide (and turn lookups quadratic) cannot be precomputed. */
static uint32_t hash_seed;
static pthread_once_t seed_once = PTHREAD_ONCE_INIT;

static void seed_init(void)
{
	uint32_t v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL) ^ (uint32_t)(uintptr_t)&v;
	hash_seed = v | 1u;
}

static uint32_t seed(void)
{
	pthread_once(&seed_once, seed_init);
	return hash_seed;
}

static uint32_t obj_hash(const struct dw_sql_analysis *a, const struct dw_sql_name *n)
{
	uint32_t h = 2166136261u ^ seed();
	for (uint32_t k = 0; k < n->schema_len; k++)
		h = (h ^ (unsigned char)a->names[n->schema_off + k]) * 16777619u;
	h = (h ^ 0x2e) * 16777619u;
	for (uint32_t k = 0; k < n->name_len; k++)
		h = (h ^ (unsigned char)a->names[n->name_off + k]) * 16777619u;
	return h ^ (h >> 16);
}

static bool same_text(const struct dw_sql_analysis *a, uint32_t o1, uint32_t l1, uint32_t o2, uint32_t l2)
{
	return l1 == l2 && memcmp(a->names + o1, a->names + o2, l1) == 0;
}

static bool same_name(const struct dw_sql_analysis *a, const struct dw_sql_name *x, const struct dw_sql_name *y)
{
	return same_text(a, x->schema_off, x->schema_len, y->schema_off, y->schema_len) &&
		same_text(a, x->name_off, x->name_len, y->name_off, y->name_len);
}

static void set_place(struct dw_sql_scratch *s, uint32_t h, uint32_t idx)
{
	uint32_t slot = h & (s->set_cap - 1);
	while (s->set_gen[slot] == s->gen)
		slot = (slot + 1) & (s->set_cap - 1);
	s->set_gen[slot] = s->gen;
	s->set_idx[slot] = idx;
}

/* Makes room for one more entry in the dedupe set of the current statement. */
static bool set_grow(struct stmt_ctx *c)
{
	struct dw_sql_scratch *s = c->s;
	if ((s->set_count + 1) * 2 <= s->set_cap)
		return true;
	uint32_t cap = s->set_cap ? s->set_cap * 2 : 64;
	uint32_t *idx = malloc((size_t)cap * sizeof(*idx));
	uint32_t *gen = calloc(cap, sizeof(*gen));
	if (!idx || !gen) {
		free(idx);
		free(gen);
		return false;
	}
	free(s->set_idx);
	free(s->set_gen);
	s->set_idx = idx;
	s->set_gen = gen;
	s->set_cap = cap;
	if (s->gen == 0)
		s->gen = 1;
	for (uint32_t k = c->st->first_object; k < c->st->first_object + c->st->n_objects; k++)
		set_place(s, obj_hash(c->a, &c->a->objects[k]), k);
	return true;
}

/* True when N is already an object of this statement; otherwise records it
 * in the set (its index will be IDX). */
static bool seen_object(struct stmt_ctx *c, const struct dw_sql_name *n, uint32_t idx, bool *failed)
{
	struct dw_sql_scratch *s = c->s;
	if (!set_grow(c)) {
		*failed = true;
		return false;
	}
	uint32_t h = obj_hash(c->a, n);
	for (uint32_t slot = h & (s->set_cap - 1); s->set_gen[slot] == s->gen; slot = (slot + 1) & (s->set_cap - 1))
		if (same_name(c->a, &c->a->objects[s->set_idx[slot]], n))
			return true;
	set_place(s, h, idx);
	s->set_count++;
	return false;
}

static bool grow_array(void **arr, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	uint64_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	if (n > UINT32_MAX || n * elem > SIZE_MAX / 2)
		return false;
	void *p = realloc(*arr, (size_t)n * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = (uint32_t)n;
	return true;
}

static void lower_in_place(struct dw_sql_analysis *a, uint32_t off, uint32_t len)
{
	for (uint32_t k = 0; k < len; k++)
		a->names[off + k] = lower(a->names[off + k]);
}

/* Schema and name of Q (the catalog of a three-part name dropped). Function
 * names are lower-cased whether quoted or not: function rules match them
 * case-insensitively. */
static bool fold_qname(struct stmt_ctx *c, const struct qname *q, struct dw_sql_name *n, bool functions)
{
	uint32_t parts = q->n < 3 ? q->n : 3;
	memset(n, 0, sizeof(*n));
	if (parts >= 2 && !fold_part(c, q->part[parts - 2], &n->schema_off, &n->schema_len))
		return false;
	if (!fold_part(c, q->part[parts - 1], &n->name_off, &n->name_len))
		return false;
	if (functions) {
		lower_in_place(c->a, n->schema_off, n->schema_len);
		lower_in_place(c->a, n->name_off, n->name_len);
	}
	return true;
}

void sqln_add_object(struct stmt_ctx *c, const struct qname *q, bool union_rhs)
{
	struct dw_sql_analysis *a = c->a;
	if (c->oom || c->bad)
		return;
	uint32_t mark = a->names_len;
	struct dw_sql_name n;
	if (!fold_qname(c, q, &n, false))
		return;
	const char *sch = a->names + n.schema_off, *nm = a->names + n.name_off;
	if (sqli_catalog_name(sch, n.schema_len, nm, n.name_len)) {
		if (union_rhs)
			c->union_rhs_catalog = true;
		else
			c->lhs_catalog = true;
	}
	bool failed = false;
	uint32_t idx = a->n_objects;
	if (!grow_array((void **)&a->objects, &a->cap_objects, idx + 1, sizeof(*a->objects))) {
		c->oom = true;
		return;
	}
	a->objects[idx] = n;
	if (seen_object(c, &n, idx, &failed)) {
		a->names_len = mark;   /* the copy is not needed */
		return;
	}
	if (failed) {
		c->oom = true;
		return;
	}
	a->n_objects++;
	c->st->n_objects++;
}

void sqln_add_function(struct stmt_ctx *c, const struct qname *q, uint32_t *name_off, uint32_t *name_len)
{
	struct dw_sql_analysis *a = c->a;
	*name_off = *name_len = 0;
	if (c->oom || c->bad)
		return;
	struct dw_sql_name n;
	if (!fold_qname(c, q, &n, true))
		return;
	if (!grow_array((void **)&a->functions, &a->cap_functions, a->n_functions + 1, sizeof(*a->functions))) {
		c->oom = true;
		return;
	}
	a->functions[a->n_functions++] = n;
	c->st->n_functions++;
	*name_off = n.name_off;
	*name_len = n.name_len;
}

void sqln_add_ident(struct stmt_ctx *c, uint32_t i)
{
	struct dw_sql_analysis *a = c->a;
	if (c->oom || c->bad || !sqln_is_name_token(c, i))
		return;
	uint32_t off, len;
	if (!put_part(c, i, false, false, &off, &len))
		return;
	if (!grow_array((void **)&a->idents, &a->cap_idents, a->n_idents + 1, sizeof(*a->idents))) {
		c->oom = true;
		return;
	}
	a->idents[a->n_idents].off = off;
	a->idents[a->n_idents].len = len;
	a->idents[a->n_idents].quoted = c->t[i].kind != DW_TOK_WORD;
	a->n_idents++;
	c->st->n_idents++;
}

void sqln_add_cte(struct stmt_ctx *c, uint32_t i)
{
	struct dw_sql_scratch *s = c->s;
	if (c->oom || c->bad)
		return;
	uint32_t off, len;
	if (!fold_part(c, i, &off, &len))
		return;
	if (!grow_array((void **)&s->ctes, &s->cap_ctes, s->n_ctes + 2, sizeof(*s->ctes))) {
		c->oom = true;
		return;
	}
	s->ctes[s->n_ctes++] = off;
	s->ctes[s->n_ctes++] = len;
}

static uint32_t text_hash(const struct dw_sql_analysis *a, uint32_t off, uint32_t len)
{
	uint32_t h = 2166136261u ^ seed();
	for (uint32_t k = 0; k < len; k++)
		h = (h ^ (unsigned char)a->names[off + k]) * 16777619u;
	return h ^ (h >> 16);
}

/* Drops the objects named like a CTE of the statement. The CTE names go
 * into the dedupe set (free again: objects are all recorded by now), so
 * many CTEs and many objects cost no more than their sum. */
void sqln_drop_cte_objects(struct stmt_ctx *c)
{
	struct dw_sql_analysis *a = c->a;
	struct dw_sql_scratch *s = c->s;
	if (!s->n_ctes || c->oom)
		return;
	uint32_t n_ctes = s->n_ctes / 2;
	if (s->set_cap < 2 * n_ctes + 2) {
		uint32_t cap = s->set_cap ? s->set_cap : 64;
		while (cap < 2 * n_ctes + 2)
			cap *= 2;
		uint32_t *idx = malloc((size_t)cap * sizeof(*idx));
		uint32_t *gen = calloc(cap, sizeof(*gen));
		if (!idx || !gen) {
			free(idx);
			free(gen);
			c->oom = true;
			return;
		}
		free(s->set_idx);
		free(s->set_gen);
		s->set_idx = idx;
		s->set_gen = gen;
		s->set_cap = cap;
	}
	if (++s->gen == 0) {
		memset(s->set_gen, 0, (size_t)s->set_cap * sizeof(*s->set_gen));
		s->gen = 1;
	}
	for (uint32_t m = 0; m < s->n_ctes; m += 2) {
		uint32_t slot = text_hash(a, s->ctes[m], s->ctes[m + 1]) & (s->set_cap - 1);
		bool dup = false;
		for (; s->set_gen[slot] == s->gen && !dup; slot = (slot + 1) & (s->set_cap - 1)) {
			uint32_t o = s->set_idx[slot];
			dup = same_text(a, s->ctes[m], s->ctes[m + 1], s->ctes[o], s->ctes[o + 1]);
		}
		if (dup)
			continue;   /* the same name twice: one entry (no long probe chains) */
		s->set_gen[slot] = s->gen;
		s->set_idx[slot] = m;
	}
	uint32_t first = c->st->first_object, w = first;
	for (uint32_t k = first; k < first + c->st->n_objects; k++) {
		const struct dw_sql_name *n = &a->objects[k];
		bool cte = false;
		if (!n->schema_len) {
			uint32_t slot = text_hash(a, n->name_off, n->name_len) & (s->set_cap - 1);
			for (; s->set_gen[slot] == s->gen && !cte; slot = (slot + 1) & (s->set_cap - 1)) {
				uint32_t m = s->set_idx[slot];
				cte = same_text(a, n->name_off, n->name_len, s->ctes[m], s->ctes[m + 1]);
			}
		}
		if (!cte)
			a->objects[w++] = *n;
	}
	a->n_objects = w;
	c->st->n_objects = w - first;
}

/* MySQL string contents with escapes resolved, as the server reads them. */
static size_t my_unescape(const char *p, size_t n, char q, bool backslash, char *out)
{
	size_t w = 0;
	for (size_t k = 0; k < n; k++) {
		char ch = p[k];
		if (ch == q && k + 1 < n && p[k + 1] == q) {
			out[w++] = q;
			k++;
			continue;
		}
		if (ch == '\\' && backslash && k + 1 < n) {
			char e = p[++k];
			switch (e) {
			case '0': out[w++] = '\0'; break;
			case 'b': out[w++] = '\b'; break;
			case 'n': out[w++] = '\n'; break;
			case 'r': out[w++] = '\r'; break;
			case 't': out[w++] = '\t'; break;
			case 'Z': out[w++] = '\032'; break;
			case '%':
			case '_':
				/* kept with their backslash (LIKE escapes) */
				out[w++] = '\\';
				out[w++] = e;
				break;
			default: out[w++] = e; break;
			}
			continue;
		}
		out[w++] = ch;
	}
	return w;
}

bool sqln_mysql_body(struct stmt_ctx *c, uint32_t i, uint32_t *end)
{
	struct dw_sql_analysis *a = c->a;
	uint32_t j = i;
	uint32_t start = a->names_len;
	bool backslash = !a->opts.no_backslash_escapes;
	/* Adjacent literals are one string to MySQL: 'SEL' 'ECT 1'. */
	while (tok_kind(c, j, DW_TOK_STRING)) {
		const struct sql_tok *t = &c->t[j];
		const char *p = c->text + t->off;
		size_t n = t->len;
		size_t skip = 0;
		if (p[0] == 'N' || p[0] == 'n')
			skip = 1;
		else if (p[0] == '_')
			while (skip < n && p[skip] != '\'' && p[skip] != '"')
				skip++;
		else if (p[0] != '\'' && p[0] != '"')
			return false;   /* X'..' or B'..': not text */
		if (n < skip + 2)
			return false;
		if (!sqln_names_reserve(a, n)) {
			c->oom = true;
			return true;
		}
		char q = p[skip];
		a->names_len += (uint32_t)my_unescape(p + skip + 1, n - skip - 2, q, backslash, a->names + a->names_len);
		j++;
	}
	if (j == i)
		return false;
	c->st->has_prepare_body = true;
	c->st->prepare_body_in_names = true;
	c->st->body_off = start;
	c->st->body_len = a->names_len - start;
	*end = j;
	return true;
}
