/* The schema engine: walks a YAML tree with a key table, parses and checks
 * every value, applies defaults, and releases what it allocated. */
#include "config/config_schema.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_values.h"

_Static_assert(sizeof(enum dw_protocol) == sizeof(int) &&
	       sizeof(enum dw_tls_mode) == sizeof(int) &&
	       sizeof(enum dw_pool_mode) == sizeof(int) &&
	       sizeof(enum dw_auth_method) == sizeof(int),
	       "DW_CFG_ENUM fields are stored as int");

void dw_cfg_error(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *fmt, ...)
{
	char msg[512];
	struct dw_cfg_error *e;
	unsigned line = node != NULL ? node->line : 1;
	unsigned col = node != NULL ? node->col : 1;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx->n_errors == ctx->cap_errors) {
		size_t ncap = ctx->cap_errors ? ctx->cap_errors * 2 : 16;
		void *p = realloc(ctx->errors, ncap * sizeof(*ctx->errors));
		if (p == NULL) {
			ctx->oom = true;
			return;
		}
		ctx->errors = p;
		ctx->cap_errors = ncap;
	}
	e = &ctx->errors[ctx->n_errors];
	n = asprintf(&e->text, "%s:%u:%u: %s: %s", ctx->file, line, col,
		     path != NULL && path[0] != '\0' ? path : "(top level)", msg);
	if (n < 0) {
		ctx->oom = true;
		return;
	}
	e->line = line;
	e->col = col;
	e->seq = ctx->n_errors++;
}

char *dw_cfg_strdup(struct dw_cfg_ctx *ctx, const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		ctx->oom = true;
	return copy;
}

/* Appends SRC at *POS, truncating silently at DW_CFG_PATH_MAX: a clipped
 * key path in a message beats a failed load. */
static void path_append(char *out, size_t *pos, const char *src)
{
	while (*src != '\0' && *pos + 1 < DW_CFG_PATH_MAX)
		out[(*pos)++] = *src++;
	out[*pos] = '\0';
}

void dw_cfg_path_key(char *out, const char *parent, const char *key)
{
	size_t pos = 0;

	out[0] = '\0';
	path_append(out, &pos, parent);
	if (parent[0] != '\0')
		path_append(out, &pos, ".");
	path_append(out, &pos, key);
}

void dw_cfg_path_index(char *out, const char *parent, size_t index)
{
	char num[32];
	size_t pos = 0;

	snprintf(num, sizeof(num), "[%zu]", index);
	out[0] = '\0';
	path_append(out, &pos, parent);
	path_append(out, &pos, num);
}

const char *dw_cfg_quote(const char *text, char *buf, size_t cap)
{
	size_t i, o = 0;

	if (cap < 8)
		return "";
	for (i = 0; text[i] != '\0' && o + 4 < cap && i < 64; i++)
		buf[o++] = isprint((unsigned char)text[i]) ? text[i] : '?';
	if (text[i] != '\0') {
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o] = '\0';
	return buf;
}

char *dw_cfg_resolve_path(struct dw_cfg_ctx *ctx, const char *path)
{
	char *out;

	if (path[0] == '/' || ctx->dir == NULL)
		return dw_cfg_strdup(ctx, path);
	if (asprintf(&out, "%s/%s", ctx->dir, path) < 0) {
		ctx->oom = true;
		return NULL;
	}
	return out;
}

static bool has_control_chars(const struct dw_ynode *n)
{
	for (size_t i = 0; i < n->len; i++) {
		unsigned char c = (unsigned char)n->text[i];
		if (c < 0x20 || c == 0x7f)
			return true;
	}
	return false;
}

/* Every scalar-valued key starts here: the node must be a non-null scalar
 * without embedded NUL bytes. */
static bool want_scalar(struct dw_cfg_ctx *ctx, const struct dw_ynode *n, const char *path)
{
	if (dw_ynode_is_null(n)) {
		dw_cfg_error(ctx, n, path, "a value is required");
		return false;
	}
	if (n->kind != DW_YNODE_SCALAR) {
		dw_cfg_error(ctx, n, path, "expected a scalar value, found %s",
			     dw_ynode_describe(n));
		return false;
	}
	if (strlen(n->text) != n->len) {
		dw_cfg_error(ctx, n, path, "value contains a NUL byte");
		return false;
	}
	return true;
}

const char *dw_cfg_scalar_text(struct dw_cfg_ctx *ctx, const struct dw_ynode *n,
	const char *path)
{
	if (!want_scalar(ctx, n, path))
		return NULL;
	if (n->len == 0) {
		dw_cfg_error(ctx, n, path, "must not be empty");
		return NULL;
	}
	if (has_control_chars(n)) {
		dw_cfg_error(ctx, n, path, "must not contain control characters");
		return NULL;
	}
	return n->text;
}

static void set_string(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, char **field)
{
	if (!dw_cfg_scalar_text(ctx, n, path))
		return;
	free(*field);
	*field = k->type == DW_CFG_PATH ? dw_cfg_resolve_path(ctx, n->text)
					: dw_cfg_strdup(ctx, n->text);
	if (*field != NULL && k->type == DW_CFG_PATH && (k->flags & DW_CFG_READABLE)) {
		char q[80];
		struct stat st;
		int fd = open(*field, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			dw_cfg_error(ctx, n, path, "cannot read \"%s\": %s",
				     dw_cfg_quote(n->text, q, sizeof(q)), strerror(errno));
			return;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
			dw_cfg_error(ctx, n, path, "\"%s\" is not a regular file",
				     dw_cfg_quote(n->text, q, sizeof(q)));
		close(fd);
	}
}

static void bounds_error(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path)
{
	char lo[32], hi[32];

	if (k->type == DW_CFG_DURATION) {
		dw_format_duration(k->min, lo, sizeof(lo));
		dw_format_duration(k->max, hi, sizeof(hi));
	} else if (k->type == DW_CFG_SIZE) {
		dw_format_size(k->min, lo, sizeof(lo));
		dw_format_size(k->max, hi, sizeof(hi));
	} else {
		snprintf(lo, sizeof(lo), "%" PRIu64, k->min);
		snprintf(hi, sizeof(hi), "%" PRIu64, k->max);
	}
	dw_cfg_error(ctx, n, path, "out of range: must be between %s and %s", lo, hi);
}

static void set_number(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *field)
{
	const char *err;
	uint64_t v = 0;
	char q[80];

	if (!want_scalar(ctx, n, path))
		return;
	if (k->type == DW_CFG_U32_AUTO && strcmp(n->text, "auto") == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		v = cpus < 1 ? 1 : (uint64_t)cpus;
		if (v > k->max)
			v = k->max;
		*(uint32_t *)field = (uint32_t)v;
		return;
	}
	switch (k->type) {
	case DW_CFG_DURATION:
		err = dw_parse_duration_ms(n->text, &v);
		break;
	case DW_CFG_SIZE:
		err = dw_parse_size(n->text, &v);
		break;
	default:
		err = dw_parse_u64(n->text, &v);
		if (err != NULL && k->type == DW_CFG_U32_AUTO)
			err = "expected an unsigned integer or \"auto\"";
		break;
	}
	if (err != NULL) {
		dw_cfg_error(ctx, n, path, "invalid value \"%s\": %s",
			     dw_cfg_quote(n->text, q, sizeof(q)), err);
		return;
	}
	if (v < k->min || v > k->max) {
		bounds_error(ctx, k, n, path);
		return;
	}
	if (k->type == DW_CFG_DURATION || k->type == DW_CFG_SIZE || k->type == DW_CFG_U64)
		*(uint64_t *)field = v;
	else
		*(uint32_t *)field = (uint32_t)v;
}

static void set_bool(struct dw_cfg_ctx *ctx, const struct dw_ynode *n, const char *path,
	bool *field)
{
	char q[80];

	if (!want_scalar(ctx, n, path))
		return;
	if (strcmp(n->text, "true") == 0)
		*field = true;
	else if (strcmp(n->text, "false") == 0)
		*field = false;
	else
		dw_cfg_error(ctx, n, path, "invalid value \"%s\": expected true or false",
			     dw_cfg_quote(n->text, q, sizeof(q)));
}

static void set_enum(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, int *field)
{
	char allowed[256] = "", q[80];
	size_t used = 0;

	if (!want_scalar(ctx, n, path))
		return;
	for (const struct dw_cfg_enum *e = k->enums; e->name != NULL; e++) {
		if (strcmp(e->name, n->text) == 0) {
			*field = e->value;
			return;
		}
		if (used < sizeof(allowed))
			used += (size_t)snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
						 used ? ", " : "", e->name);
	}
	dw_cfg_error(ctx, n, path, "invalid value \"%s\": must be one of %s",
		     dw_cfg_quote(n->text, q, sizeof(q)), allowed);
}

static void set_address(struct dw_cfg_ctx *ctx, const struct dw_ynode *n,
	const char *path, struct dw_address *field)
{
	const char *err;
	char q[80];

	if (!want_scalar(ctx, n, path))
		return;
	dw_address_clear(field);
	err = dw_parse_address(n->text, field);
	if (err != NULL)
		dw_cfg_error(ctx, n, path, "invalid address \"%s\": %s",
			     dw_cfg_quote(n->text, q, sizeof(q)), err);
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* FORM: 0 inline, 1 _env, 2 _file. Error messages name the key only. */
static void set_secret(struct dw_cfg_ctx *ctx, const struct dw_ynode *n,
	const char *path, int form, char **field)
{
	char *value = NULL;

	if (dw_ynode_is_null(n)) {
		dw_cfg_error(ctx, n, path, "a value is required");
		return;
	}
	if (n->kind != DW_YNODE_SCALAR) {
		dw_cfg_error(ctx, n, path, "expected a scalar value, found %s",
			     dw_ynode_describe(n));
		return;
	}
	if (strlen(n->text) != n->len || n->len == 0) {
		dw_cfg_error(ctx, n, path, "%s", n->len == 0 ? "must not be empty"
							     : "value contains a NUL byte");
		return;
	}
	if (form == 0)
		value = dw_cfg_strdup(ctx, n->text);
	else if (form == 1)
		value = dw_cfg_secret_env(ctx, n, path, n->text);
	else
		value = dw_cfg_secret_file(ctx, n, path, n->text);
	wipe_free(*field);
	*field = value;
}

static void set_string_list(struct dw_cfg_ctx *ctx, const struct dw_ynode *n,
	const char *path, char ***field, size_t *count)
{
	char item_path[DW_CFG_PATH_MAX];
	char **arr;

	if (dw_ynode_is_null(n))
		return;
	if (n->kind != DW_YNODE_SEQ) {
		dw_cfg_error(ctx, n, path, "expected a sequence, found %s", dw_ynode_describe(n));
		return;
	}
	if (n->n == 0)
		return;
	arr = calloc(n->n, sizeof(*arr));
	if (arr == NULL) {
		ctx->oom = true;
		return;
	}
	*field = arr;
	*count = n->n;
	for (size_t i = 0; i < n->n; i++) {
		const struct dw_cfg_key str = { .type = DW_CFG_STRING };
		char q[80];
		dw_cfg_path_index(item_path, path, i);
		set_string(ctx, &str, n->items[i], item_path, &arr[i]);
		for (size_t j = 0; arr[i] != NULL && j < i; j++) {
			if (arr[j] != NULL && strcmp(arr[i], arr[j]) == 0) {
				dw_cfg_error(ctx, n->items[i], item_path, "\"%s\" is listed twice",
					     dw_cfg_quote(arr[i], q, sizeof(q)));
				break;
			}
		}
	}
}

static const struct dw_cfg_key *find_name_key(const struct dw_cfg_table *t)
{
	for (size_t i = 0; i < t->n_keys; i++)
		if (strcmp(t->keys[i].name, "name") == 0 && t->keys[i].type == DW_CFG_STRING)
			return &t->keys[i];
	return NULL;
}

static void check_unique_names(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *seq, const char *path, char *arr, size_t count)
{
	const struct dw_cfg_key *name_key = find_name_key(k->sub);

	if (name_key == NULL)
		return;
	for (size_t i = 1; i < count; i++) {
		const char *name = *(char **)(arr + i * k->elem_size + name_key->offset);
		for (size_t j = 0; name != NULL && j < i; j++) {
			const char *other = *(char **)(arr + j * k->elem_size + name_key->offset);
			if (other != NULL && strcmp(name, other) == 0) {
				char item_path[DW_CFG_PATH_MAX], name_path[DW_CFG_PATH_MAX], q[80];
				const struct dw_ynode *first = dw_ymap_get(seq->items[j], "name");
				dw_cfg_path_index(item_path, path, i);
				dw_cfg_path_key(name_path, item_path, "name");
				dw_cfg_error(ctx, dw_ymap_get(seq->items[i], "name"), name_path,
					     "duplicate %s name \"%s\" (first defined at line %u)",
					     k->sub->item, dw_cfg_quote(name, q, sizeof(q)),
					     first != NULL ? first->line : 0);
				break;
			}
		}
	}
}

/* "listener" -> "listeners", "policy" -> "policies". */
static const char *plural(const char *noun, char *buf, size_t cap)
{
	size_t len = strlen(noun);

	if (len > 1 && noun[len - 1] == 'y')
		snprintf(buf, cap, "%.*sies", (int)(len - 1), noun);
	else
		snprintf(buf, cap, "%ss", noun);
	return buf;
}

static void set_list(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const struct dw_ynode *at, const char *path, void *base)
{
	char **field = (char **)((char *)base + k->offset);
	size_t *count = (size_t *)((char *)base + k->count_offset);
	char item_path[DW_CFG_PATH_MAX], items[64];
	char *arr;

	if (n != NULL && !dw_ynode_is_null(n) && n->kind != DW_YNODE_SEQ) {
		dw_cfg_error(ctx, n, path, "expected a sequence of %s, found %s",
			     plural(k->sub->item, items, sizeof(items)), dw_ynode_describe(n));
		return;
	}
	if (n == NULL || dw_ynode_is_null(n) || n->n == 0) {
		if (k->flags & DW_CFG_NONEMPTY)
			dw_cfg_error(ctx, n != NULL ? n : at, path, "no %s configured (at least one is required)",
				     plural(k->sub->item, items, sizeof(items)));
		return;
	}
	arr = calloc(n->n, k->elem_size);
	if (arr == NULL) {
		ctx->oom = true;
		return;
	}
	*field = arr;
	*count = n->n;
	for (size_t i = 0; i < n->n; i++) {
		dw_cfg_path_index(item_path, path, i);
		dw_cfg_apply(ctx, k->sub, n->items[i], n->items[i], item_path,
			     arr + i * k->elem_size);
	}
	if (k->flags & DW_CFG_UNIQUE)
		check_unique_names(ctx, k, n, path, arr, n->n);
}

static void set_value(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const struct dw_ynode *at, const char *path, void *base,
	int secret_form)
{
	void *field = (char *)base + k->offset;

	switch (k->type) {
	case DW_CFG_STRING:
	case DW_CFG_PATH:
		set_string(ctx, k, n, path, field);
		break;
	case DW_CFG_U32:
	case DW_CFG_U32_AUTO:
	case DW_CFG_U64:
	case DW_CFG_DURATION:
	case DW_CFG_SIZE:
		set_number(ctx, k, n, path, field);
		break;
	case DW_CFG_CUSTOM:
		if (n == NULL)
			return;
		k->parse(ctx, k, n, path, base);
		break;
	case DW_CFG_BOOL:
		set_bool(ctx, n, path, field);
		break;
	case DW_CFG_ENUM:
		set_enum(ctx, k, n, path, field);
		break;
	case DW_CFG_ADDRESS:
		set_address(ctx, n, path, field);
		break;
	case DW_CFG_SECRET:
		set_secret(ctx, n, path, secret_form, field);
		return; /* no validator may look at a secret */
	case DW_CFG_STRING_LIST:
		set_string_list(ctx, n, path, field, (size_t *)((char *)base + k->count_offset));
		break;
	case DW_CFG_SECTION:
		dw_cfg_apply(ctx, k->sub, n, at, path, field);
		return;
	case DW_CFG_LIST:
		set_list(ctx, k, n, at, path, base);
		return;
	}
	if (k->check != NULL && n != NULL)
		k->check(ctx, n, path, field);
}

/* Which key of TABLE does NAME select? For secrets, *FORM says which of the
 * three spellings it was. */
static const struct dw_cfg_key *lookup_key(const struct dw_cfg_table *t, const char *name,
	int *form)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		const struct dw_cfg_key *k = &t->keys[i];
		size_t len = strlen(k->name);
		*form = 0;
		if (strcmp(k->name, name) == 0)
			return k;
		if (k->type != DW_CFG_SECRET || strncmp(k->name, name, len) != 0)
			continue;
		if (strcmp(name + len, "_env") == 0) {
			*form = 1;
			return k;
		}
		if (strcmp(name + len, "_file") == 0) {
			*form = 2;
			return k;
		}
	}
	return NULL;
}

/* Edit distance, for "did you mean" hints on short key names. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static void unknown_key(struct dw_cfg_ctx *ctx, const struct dw_cfg_table *t,
	const struct dw_ynode *key, const char *path)
{
	const char *best = NULL;
	char spelled[80];
	size_t best_d = 3;

	for (const char *const *l = t->later; l != NULL && *l != NULL; l++) {
		if (strcmp(*l, key->text) == 0) {
			dw_cfg_error(ctx, key, path, "unknown key: the %s section is not "
				     "supported by this release of dbward", key->text);
			return;
		}
	}
	for (size_t i = 0; i < t->n_keys; i++) {
		static const char *const suffix[] = { "", "_env", "_file" };
		for (int f = 0; f < (t->keys[i].type == DW_CFG_SECRET ? 3 : 1); f++) {
			snprintf(spelled, sizeof(spelled), "%s%s", t->keys[i].name, suffix[f]);
			size_t d = distance(key->text, spelled);
			if (d < best_d) {
				best_d = d;
				best = t->keys[i].name;
			}
		}
	}
	if (best != NULL)
		dw_cfg_error(ctx, key, path, "unknown key (did you mean \"%s\"?)", best);
	else
		dw_cfg_error(ctx, key, path, "unknown key");
}

static void apply_default(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const char *path, void *base)
{
	struct dw_ynode fake = { .kind = DW_YNODE_SCALAR, .plain = true, .line = 0, .col = 0 };

	fake.text = (char *)k->def;
	fake.len = strlen(k->def);
	set_value(ctx, k, &fake, NULL, path, base, 0);
}

void dw_cfg_apply(struct dw_cfg_ctx *ctx, const struct dw_cfg_table *t,
	const struct dw_ynode *node, const struct dw_ynode *at, const char *path, void *base)
{
	const struct dw_ynode *seen[DW_CFG_MAX_KEYS] = { 0 };
	const struct dw_ynode *map = NULL;
	char key_path[DW_CFG_PATH_MAX];
	size_t errors_before = ctx->n_errors;

	if (t->n_keys > DW_CFG_MAX_KEYS) {
		dw_cfg_error(ctx, at, path, "internal error: table too large");
		return;
	}
	if (node != NULL && !dw_ynode_is_null(node)) {
		if (node->kind != DW_YNODE_MAP) {
			/* Its keys would all be "missing": one error says it all. */
			dw_cfg_error(ctx, node, path, "expected a mapping, found %s",
				     dw_ynode_describe(node));
			return;
		}
		map = node;
		at = node;
	} else if (node != NULL) {
		at = node;
	}

	for (size_t i = 0; map != NULL && i + 1 < map->n; i += 2) {
		const struct dw_ynode *key = map->items[i], *val = map->items[i + 1];
		const struct dw_cfg_key *k;
		size_t idx;
		int form;

		if (key->kind != DW_YNODE_SCALAR || strlen(key->text) != key->len) {
			dw_cfg_error(ctx, key, path, "mapping keys must be plain strings");
			continue;
		}
		dw_cfg_path_key(key_path, path, key->text);
		k = lookup_key(t, key->text, &form);
		if (k == NULL) {
			unknown_key(ctx, t, key, key_path);
			continue;
		}
		idx = (size_t)(k - t->keys);
		if (seen[idx] != NULL) {
			if (k->type == DW_CFG_SECRET)
				dw_cfg_error(ctx, key, key_path, "only one of %s, %s_env and %s_file "
					     "may be given", k->name, k->name, k->name);
			else
				dw_cfg_error(ctx, key, key_path, "duplicate key (first given at "
					     "line %u)", seen[idx]->line);
			continue;
		}
		seen[idx] = key;
		set_value(ctx, k, val, key, key_path, base, form);
	}

	for (size_t i = 0; i < t->n_keys; i++) {
		const struct dw_cfg_key *k = &t->keys[i];
		if (seen[i] != NULL)
			continue;
		dw_cfg_path_key(key_path, path, k->name);
		if (k->flags & DW_CFG_REQUIRED) {
			if (k->type == DW_CFG_SECRET)
				dw_cfg_error(ctx, at, key_path, "missing required key (one of %s, "
					     "%s_env or %s_file)", k->name, k->name, k->name);
			else
				dw_cfg_error(ctx, at, key_path, "missing required key");
		} else if (k->def != NULL) {
			apply_default(ctx, k, key_path, base);
		} else if (k->type == DW_CFG_SECTION || k->type == DW_CFG_LIST) {
			set_value(ctx, k, NULL, at, key_path, base, 0);
		}
	}
	if (t->finish != NULL) {
		ctx->section_clean = ctx->n_errors == errors_before;
		t->finish(ctx, map, at, path, base);
	}
}

void dw_cfg_release(const struct dw_cfg_table *t, void *base)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		const struct dw_cfg_key *k = &t->keys[i];
		void *field = (char *)base + k->offset;

		switch (k->type) {
		case DW_CFG_STRING:
		case DW_CFG_PATH:
			free(*(char **)field);
			*(char **)field = NULL;
			break;
		case DW_CFG_SECRET:
			wipe_free(*(char **)field);
			*(char **)field = NULL;
			break;
		case DW_CFG_ADDRESS:
			dw_address_clear(field);
			break;
		case DW_CFG_STRING_LIST: {
			char **arr = *(char ***)field;
			size_t *count = (size_t *)((char *)base + k->count_offset);
			for (size_t j = 0; arr != NULL && j < *count; j++)
				free(arr[j]);
			free(arr);
			*(char ***)field = NULL;
			*count = 0;
			break;
		}
		case DW_CFG_SECTION:
			dw_cfg_release(k->sub, field);
			break;
		case DW_CFG_LIST: {
			char *arr = *(char **)field;
			size_t *count = (size_t *)((char *)base + k->count_offset);
			for (size_t j = 0; arr != NULL && j < *count; j++)
				dw_cfg_release(k->sub, arr + j * k->elem_size);
			free(arr);
			*(char **)field = NULL;
			*count = 0;
			break;
		}
		case DW_CFG_CUSTOM:
			if (k->release != NULL)
				k->release(k, base);
			break;
		default:
			break;
		}
	}
}
