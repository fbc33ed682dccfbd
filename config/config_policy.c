/* The `policies` section: key tables and the parsers of its own value
 * syntaxes (networks, statement classes, identifier rules, regular
 * expressions, allowlist files). Every key is reloadable: a SIGHUP swaps
 * in new policies for new decisions. */
#include "config/config_policy.h"

#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "config/policy_syntax.h"
#include "policy/sql_analyze.h"

_Static_assert(sizeof(enum dw_policy_mode) == sizeof(int), "DW_CFG_ENUM fields are stored as int");
_Static_assert(offsetof(struct dw_cidr, text) == 0, "a CIDR key releases its text field");

#define RELOAD DW_CFG_RELOADABLE

#define K_CUSTOM(N, OFF, CNT, DEF, DEF_DOC, PARSE, RELEASE, TYPE, ALLOWED, DOC) \
	{ .name = N, .type = DW_CFG_CUSTOM, .flags = RELOAD, .offset = OFF, .count_offset = CNT, \
	  .def = DEF, .def_doc = DEF_DOC, .parse = PARSE, .release = RELEASE, .type_doc = TYPE, \
	  .allowed_doc = ALLOWED, .doc = DOC }
#define K_U32(N, S, F, DEF, MAX, DOC) \
	{ .name = N, .type = DW_CFG_U32, .flags = RELOAD, .offset = offsetof(S, F), .def = DEF, \
	  .min = 0, .max = MAX, .doc = DOC }
#define K_BOOL(N, S, F, DEF, DOC) \
	{ .name = N, .type = DW_CFG_BOOL, .flags = RELOAD, .offset = offsetof(S, F), .def = DEF, \
	  .doc = DOC }
#define K_STRING(N, S, F, DOC) \
	{ .name = N, .type = DW_CFG_STRING, .flags = RELOAD, .offset = offsetof(S, F), .doc = DOC }
#define K_GROUP(N, SUB, DOC) \
	{ .name = N, .type = DW_CFG_SECTION, .flags = RELOAD, .offset = 0, .sub = &SUB, .doc = DOC }
#define TABLE(ITEM, KEYS, FINISH, DOC) \
	{ .item = ITEM, .keys = KEYS, .n_keys = sizeof(KEYS) / sizeof(KEYS[0]), \
	  .finish = FINISH, .doc = DOC }

#define FIELD(base, k, type) ((type *)((char *)(base) + (k)->offset))
#define POLICY_FIELD(base, f) (&((struct dw_policy_config *)(base))->f)

/* A list key: NODE must be a sequence (null = empty). Returns its item
 * count, or 0 after reporting a wrong type. */
static size_t sequence_items(struct dw_cfg_ctx *ctx, const struct dw_ynode *n, const char *path)
{
	if (dw_ynode_is_null(n))
		return 0;
	if (n->kind != DW_YNODE_SEQ) {
		dw_cfg_error(ctx, n, path, "expected a sequence, found %s", dw_ynode_describe(n));
		return 0;
	}
	return n->n;
}

/* Item I of sequence N, when an earlier item spelled the same text. */
static bool listed_before(const struct dw_ynode *n, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (n->items[j]->kind == DW_YNODE_SCALAR && strcmp(n->items[j]->text, n->items[i]->text) == 0)
			return true;
	return false;
}

static void duplicate_error(struct dw_cfg_ctx *ctx, const struct dw_ynode *item, const char *path)
{
	char q[80];

	dw_cfg_error(ctx, item, path, "\"%s\" is listed twice", dw_cfg_quote(item->text, q, sizeof(q)));
}

static void parse_cidr(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_cidr *c = FIELD(base, k, struct dw_cidr);
	const char *text = dw_cfg_scalar_text(ctx, n, path), *err;
	char q[80];

	if (text == NULL)
		return;
	free(c->text);
	memset(c, 0, sizeof(*c));
	if ((err = dw_cidr_parse(text, c)) != NULL) {
		dw_cfg_error(ctx, n, path, "invalid network \"%s\": %s", dw_cfg_quote(text, q, sizeof(q)),
			     err);
		return;
	}
	c->text = dw_cfg_strdup(ctx, text);
}

static void release_cidr(const struct dw_cfg_key *k, void *base)
{
	struct dw_cidr *c = FIELD(base, k, struct dw_cidr);

	free(c->text);
	memset(c, 0, sizeof(*c));
}

static const struct { const char *name; uint32_t bit; } class_names[] = {
	{ "ddl", DW_CLASS_DDL }, { "grant", DW_CLASS_GRANT }, { "admin", DW_CLASS_ADMIN },
	{ "load_data", DW_CLASS_LOAD_DATA }, { "outfile", DW_CLASS_OUTFILE },
};

static void parse_classes(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	uint32_t *mask = FIELD(base, k, uint32_t);
	size_t count = sequence_items(ctx, n, path);
	char item_path[DW_CFG_PATH_MAX], q[80];

	*mask = 0;
	for (size_t i = 0; i < count; i++) {
		const char *text;
		size_t c;

		dw_cfg_path_index(item_path, path, i);
		if ((text = dw_cfg_scalar_text(ctx, n->items[i], item_path)) == NULL)
			continue;
		for (c = 0; c < sizeof(class_names) / sizeof(class_names[0]); c++)
			if (strcmp(text, class_names[c].name) == 0)
				break;
		if (c == sizeof(class_names) / sizeof(class_names[0]))
			dw_cfg_error(ctx, n->items[i], item_path, "unknown statement class \"%s\": "
				     "must be one of ddl, grant, admin, load_data, outfile",
				     dw_cfg_quote(text, q, sizeof(q)));
		else if (listed_before(n, i))
			duplicate_error(ctx, n->items[i], item_path);
		else
			*mask |= class_names[c].bit;
	}
}

static void release_rules(const struct dw_cfg_key *k, void *base)
{
	struct dw_ident_rule **rules = FIELD(base, k, struct dw_ident_rule *);
	size_t *count = (size_t *)((char *)base + k->count_offset);

	for (size_t i = 0; *rules != NULL && i < *count; i++)
		dw_ident_rule_clear(&(*rules)[i]);
	free(*rules);
	*rules = NULL;
	*count = 0;
}

static void parse_rules(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_ident_rule **rules = FIELD(base, k, struct dw_ident_rule *);
	size_t *count = (size_t *)((char *)base + k->count_offset);
	size_t items = sequence_items(ctx, n, path);
	char item_path[DW_CFG_PATH_MAX], q[80];

	release_rules(k, base);
	if (items == 0)
		return;
	*rules = calloc(items, sizeof(**rules));
	if (*rules == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < items; i++) {
		struct dw_ident_rule *r = &(*rules)[*count];
		const char *text, *err;

		dw_cfg_path_index(item_path, path, i);
		if ((text = dw_cfg_scalar_text(ctx, n->items[i], item_path)) == NULL)
			continue;
		if ((err = dw_ident_rule_parse(text, r)) != NULL) {
			if (strcmp(err, "out of memory") == 0)
				ctx->oom = true;
			else
				dw_cfg_error(ctx, n->items[i], item_path, "invalid identifier rule \"%s\": %s",
					     dw_cfg_quote(text, q, sizeof(q)), err);
			continue;
		}
		if (listed_before(n, i)) {
			duplicate_error(ctx, n->items[i], item_path);
			dw_ident_rule_clear(r);
			continue;
		}
		(*count)++;
	}
}

static void release_regex(const struct dw_cfg_key *k, void *base)
{
	struct dw_policy_config *p = base;

	(void)k;
	if (p->ident_regex != NULL) {
		regfree(p->ident_regex);
		free(p->ident_regex);
		p->ident_regex = NULL;
	}
	free(p->ident_pattern);
	p->ident_pattern = NULL;
}

static void parse_regex(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_policy_config *p = base;
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	regex_t *re;
	int rc;

	if (text == NULL)
		return;
	release_regex(k, base);
	re = calloc(1, sizeof(*re));
	if (re == NULL) {
		ctx->oom = true;
		return;
	}
	rc = regcomp(re, text, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char msg[160];
		regerror(rc, re, msg, sizeof(msg));
		dw_cfg_error(ctx, n, path, "invalid regular expression: %s", msg);
		free(re);
		return;
	}
	p->ident_regex = re;
	p->ident_pattern = dw_cfg_strdup(ctx, text);
}

static void release_functions(const struct dw_cfg_key *k, void *base)
{
	struct dw_policy_config *p = base;

	(void)k;
	for (size_t i = 0; p->functions_deny != NULL && i < p->n_functions_deny; i++)
		free(p->functions_deny[i]);
	free(p->functions_deny);
	p->functions_deny = NULL;
	p->n_functions_deny = 0;
}

static void parse_functions(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_policy_config *p = base;
	size_t items = sequence_items(ctx, n, path);
	char item_path[DW_CFG_PATH_MAX], q[80];

	release_functions(k, base);
	if (items == 0)
		return;
	p->functions_deny = calloc(items, sizeof(*p->functions_deny));
	if (p->functions_deny == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < items; i++) {
		const char *text, *err;
		char *folded;

		dw_cfg_path_index(item_path, path, i);
		if ((text = dw_cfg_scalar_text(ctx, n->items[i], item_path)) == NULL)
			continue;
		if ((folded = dw_cfg_strdup(ctx, text)) == NULL)
			continue;
		if ((err = dw_function_rule_fold(folded)) != NULL) {
			dw_cfg_error(ctx, n->items[i], item_path, "invalid function name \"%s\": %s",
				     dw_cfg_quote(text, q, sizeof(q)), err);
			free(folded);
			continue;
		}
		for (size_t j = 0; j < p->n_functions_deny; j++) {
			if (strcmp(p->functions_deny[j], folded) == 0) {
				duplicate_error(ctx, n->items[i], item_path);
				free(folded);
				folded = NULL;
				break;
			}
		}
		if (folded != NULL)
			p->functions_deny[p->n_functions_deny++] = folded;
	}
}

static void parse_require_where(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_policy_config *p = base;
	size_t items = sequence_items(ctx, n, path);
	char item_path[DW_CFG_PATH_MAX], q[80];

	(void)k;
	p->require_where_update = p->require_where_delete = false;
	for (size_t i = 0; i < items; i++) {
		const char *text;

		dw_cfg_path_index(item_path, path, i);
		if ((text = dw_cfg_scalar_text(ctx, n->items[i], item_path)) == NULL)
			continue;
		if (strcmp(text, "update") != 0 && strcmp(text, "delete") != 0)
			dw_cfg_error(ctx, n->items[i], item_path, "invalid value \"%s\": must be one "
				     "of update, delete", dw_cfg_quote(text, q, sizeof(q)));
		else if (listed_before(n, i))
			duplicate_error(ctx, n->items[i], item_path);
		else if (text[0] == 'u')
			p->require_where_update = true;
		else
			p->require_where_delete = true;
	}
}

/* `allow` / `deny` stored as a bool that is true for `allow`. */
static void parse_allow_deny(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	char q[80];

	if (text == NULL)
		return;
	if (strcmp(text, "allow") == 0)
		*FIELD(base, k, bool) = true;
	else if (strcmp(text, "deny") == 0)
		*FIELD(base, k, bool) = false;
	else
		dw_cfg_error(ctx, n, path, "invalid value \"%s\": must be one of allow, deny",
			     dw_cfg_quote(text, q, sizeof(q)));
}

/* The directory of PATH into OUT ("/" for a file in the root). */
static void parent_dir(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == NULL)
		snprintf(out, cap, ".");
	else if (len == 0)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)len, path);
}

static void release_allowlist(const struct dw_cfg_key *k, void *base)
{
	struct dw_policy_config *p = base;

	(void)k;
	free(p->allowlist_file);
	p->allowlist_file = NULL;
	dw_allowlist_clear(&p->allowlist);
	p->allowlist_present = false;
}

/* The file need not exist (learn mode creates it); when it does, it must
 * parse. Its directory must not be writable by everyone: whoever can
 * replace the file decides what an enforcing policy lets through. */
static void parse_allowlist(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_policy_config *p = base;
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	char err[256], dir[4096], q[80];
	struct stat st;

	if (text == NULL)
		return;
	release_allowlist(k, base);
	p->allowlist_file = dw_cfg_resolve_path(ctx, text);
	if (p->allowlist_file == NULL)
		return;
	parent_dir(p->allowlist_file, dir, sizeof(dir));
	if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH)) {
		dw_cfg_error(ctx, n, path, "refusing \"%s\": its directory is world-writable",
			     dw_cfg_quote(text, q, sizeof(q)));
		return;
	}
	switch (dw_allowlist_read(p->allowlist_file, &p->allowlist, err, sizeof(err))) {
	case DW_ALLOWLIST_OK:
		p->allowlist_present = true;
		break;
	case DW_ALLOWLIST_MISSING:
		break;
	case DW_ALLOWLIST_INVALID:
		dw_cfg_error(ctx, n, path, "allowlist \"%s\": %s", dw_cfg_quote(text, q, sizeof(q)),
			     err);
		break;
	case DW_ALLOWLIST_NOMEM:
		ctx->oom = true;
		break;
	}
}

static const struct dw_ynode *key_or(const struct dw_ynode *map, const char *key,
	const struct dw_ynode *at)
{
	const struct dw_ynode *n = dw_ymap_get(map, key);
	return n != NULL ? n : at;
}

static atomic_uint_fast64_t policy_generations;

static void finish_policy(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_policy_config *p = base;
	char key_path[DW_CFG_PATH_MAX], dir[4096];
	struct stat st;

	p->generation = atomic_fetch_add_explicit(&policy_generations, 1, memory_order_relaxed) + 1;
	if (p->mode != DW_POLICY_LEARN)
		return;
	if (p->allowlist_file == NULL) {
		if (dw_ymap_get(map, "allowlist_file") == NULL) {
			dw_cfg_path_key(key_path, path, "allowlist_file");
			dw_cfg_error(ctx, key_or(map, "mode", at), key_path,
				     "required when mode is learn (the learned fingerprints go there)");
		}
		return;
	}
	parent_dir(p->allowlist_file, dir, sizeof(dir));
	if (!p->allowlist_present && stat(dir, &st) != 0) {
		dw_cfg_path_key(key_path, path, "allowlist_file");
		dw_cfg_error(ctx, key_or(map, "allowlist_file", at), key_path,
			     "learn mode creates this file, but its directory does not exist");
	}
}

static const struct dw_cfg_enum policy_modes[] = {
	{ "enforce", DW_POLICY_ENFORCE }, { "monitor", DW_POLICY_MONITOR },
	{ "learn", DW_POLICY_LEARN }, { NULL, 0 },
};

static const struct dw_cfg_key match_keys[] = {
	K_STRING("user", struct dw_match_config, user,
		 "Login name the session used towards dbward (exact, case-sensitive)."),
	K_STRING("database", struct dw_match_config, database,
		 "Database named at login (exact, case-sensitive). Changing it later with "
		 "`USE` does not choose another policy or rate limit."),
	K_STRING("listener", struct dw_match_config, listener,
		 "Name of the listener the client connected to; must name a listener."),
	K_CUSTOM("client", offsetof(struct dw_match_config, client), 0, NULL, "any", parse_cidr,
		 release_cidr, "network", "IPv4/IPv6 CIDR or address",
		 "Client address network: `10.0.0.0/8`, `2001:db8::/32` or a single address. "
		 "IPv4 clients connecting over IPv6 (`::ffff:a.b.c.d`) match IPv4 networks. "
		 "Unix socket clients never match a network."),
};
const struct dw_cfg_table dw_cfg_match_table =
	TABLE("match", match_keys, NULL, NULL);

static const struct dw_cfg_key statements_keys[] = {
	K_CUSTOM("deny", offsetof(struct dw_policy_config, deny_classes), 0, NULL, "none",
		 parse_classes, NULL, "list of statement classes",
		 "`ddl`, `grant`, `admin`, `load_data`, `outfile`",
		 "Statement classes refused (rule `statements`); the classes are defined in "
		 "docs/policy.md."),
};
static const struct dw_cfg_table statements_table =
	TABLE("statements", statements_keys, NULL, NULL);

static const struct dw_cfg_key identifiers_keys[] = {
	K_CUSTOM("deny", offsetof(struct dw_policy_config, ident_deny),
		 offsetof(struct dw_policy_config, n_ident_deny), NULL, "none", parse_rules,
		 release_rules, "list of identifier rules", "`name`, `schema.name`; `*` wildcards",
		 "Tables and views that may not be referenced (rule `identifiers.deny`). Unquoted "
		 "parts are folded to lower case; quote a part (`\"Users\"` or `` `Users` ``) to "
		 "keep its case or a dot. A rule without a schema matches the name in any schema."),
	K_CUSTOM("allow", offsetof(struct dw_policy_config, ident_allow),
		 offsetof(struct dw_policy_config, n_ident_allow), NULL, "none", parse_rules,
		 release_rules, "list of identifier rules", "`name`, `schema.name`; `*` wildcards",
		 "When not empty, every referenced table or view must match one of these rules "
		 "(rule `identifiers.allow`). Same syntax as `deny`."),
	K_CUSTOM("pattern", 0, 0, NULL, "none", parse_regex, release_regex,
		 "regular expression", "POSIX extended",
		 "Every identifier spelled in a statement (as written, quotes removed) must "
		 "match this expression (rule `identifiers.pattern`)."),
	K_U32("max_length", struct dw_policy_config, ident_max_length, "0", 1000000,
	      "Longest identifier allowed, in bytes (rule `identifiers.max_length`; "
	      "0 = unlimited)."),
};
static const struct dw_cfg_table identifiers_table =
	TABLE("identifiers", identifiers_keys, NULL, NULL);

static const struct dw_cfg_key functions_keys[] = {
	K_CUSTOM("deny", 0, 0, NULL, "none", parse_functions, release_functions,
		 "list of function names", "`name`, `schema.name`; `*` wildcards",
		 "Functions that may not be called (rule `functions`), compared case-insensitively. "
		 "`name` matches the function in any schema; `schema.name` matches calls "
		 "qualified with that schema and unqualified calls of the name."),
};
static const struct dw_cfg_table functions_table =
	TABLE("functions", functions_keys, NULL, NULL);

static const struct dw_cfg_key complexity_keys[] = {
	K_U32("max_joins", struct dw_policy_config, max_joins, "0", 1000000,
	      "Most joins in one statement (0 = unlimited)."),
	K_U32("max_subquery_depth", struct dw_policy_config, max_subquery_depth, "0", 1000000,
	      "Deepest nesting of subqueries (0 = unlimited)."),
	K_U32("max_unions", struct dw_policy_config, max_unions, "0", 1000000,
	      "Most UNION / INTERSECT / EXCEPT in one statement (0 = unlimited)."),
	K_U32("max_in_list", struct dw_policy_config, max_in_list, "0", 1000000,
	      "Most items in one `IN (...)` list (0 = unlimited)."),
	K_CUSTOM("require_where", 0, 0, NULL, "none", parse_require_where, NULL,
		 "list of statement kinds", "`update`, `delete`",
		 "UPDATE and/or DELETE statements without a WHERE clause are refused "
		 "(rule `complexity.require_where`)."),
	{ .name = "max_statement_bytes", .type = DW_CFG_SIZE, .flags = RELOAD,
	  .offset = offsetof(struct dw_policy_config, max_statement_bytes), .def = "0",
	  .min = 0, .max = 1ULL << 30,
	  .doc = "Longest statement text (a whole message) judged; longer ones are refused "
		 "without analysis (rule `complexity.max_statement_bytes`; 0 = unlimited)." },
};
static const struct dw_cfg_table complexity_table =
	TABLE("complexity", complexity_keys, NULL, NULL);

static const struct dw_cfg_key results_keys[] = {
	{ .name = "max_rows", .type = DW_CFG_U64, .flags = RELOAD,
	  .offset = offsetof(struct dw_policy_config, max_rows), .def = "0",
	  .min = 0, .max = 1000000000000ULL,
	  .doc = "Rows a result may carry (0 = unlimited); past it the statement is "
		 "cancelled on the server and the client gets 54000 / 1104." },
	{ .name = "max_bytes", .type = DW_CFG_SIZE, .flags = RELOAD,
	  .offset = offsetof(struct dw_policy_config, max_bytes), .def = "0",
	  .min = 0, .max = 1ULL << 40,
	  .doc = "Bytes of rows a result may carry (0 = unlimited); past it as for "
		 "`max_rows`." },
};
static const struct dw_cfg_table results_table =
	TABLE("results", results_keys, NULL, NULL);

static const struct dw_cfg_key injection_keys[] = {
	K_BOOL("detect", struct dw_policy_config, injection_detect, "false",
	       "Refuse statements that trip the injection heuristics: tautologies, "
	       "comment splitting, stacked queries, UNION probes of system catalogs, time "
	       "probes (rules `injection.*`)."),
};
static const struct dw_cfg_table injection_table =
	TABLE("injection", injection_keys, NULL, NULL);

static const struct dw_cfg_key policy_keys[] = {
	{ .name = "name", .type = DW_CFG_STRING, .flags = DW_CFG_REQUIRED | RELOAD,
	  .offset = offsetof(struct dw_policy_config, name), .check = dw_cfg_check_name,
	  .doc = "Unique policy name, shown to clients whose statements it refuses (letters, "
		 "digits, `_ . -`; at most 63 characters)." },
	{ .name = "match", .type = DW_CFG_SECTION, .flags = RELOAD,
	  .offset = offsetof(struct dw_policy_config, match), .sub = &dw_cfg_match_table,
	  .def_doc = "every session",
	  .doc = "Which sessions the policy applies to: every key given must fit. Chosen "
		 "once, at login." },
	{ .name = "mode", .type = DW_CFG_ENUM, .flags = RELOAD,
	  .offset = offsetof(struct dw_policy_config, mode), .def = "enforce",
	  .enums = policy_modes,
	  .doc = "`enforce` refuses what a rule matches; `monitor` lets it through and audits "
		 "what would have been refused; `learn` also records the fingerprints of "
		 "statements that pass into `allowlist_file`." },
	K_GROUP("statements", statements_table, "Statement classes."),
	K_CUSTOM("multi_statements", offsetof(struct dw_policy_config, multi_statements_allow), 0,
		 "allow", NULL, parse_allow_deny, NULL, "enum", "`allow`, `deny`",
		 "Whether one message may carry several statements (rule `multi_statements`)."),
	K_GROUP("identifiers", identifiers_table, "Which tables may be referenced, and how "
		"identifiers may look."),
	K_GROUP("functions", functions_table, "Functions that may not be called."),
	K_GROUP("complexity", complexity_table, "Limits on the shape of a statement."),
	K_GROUP("results", results_table, "Limits on result sets."),
	K_GROUP("injection", injection_table, "SQL injection heuristics."),
	K_CUSTOM("unparseable", offsetof(struct dw_policy_config, unparseable_allow), 0, "deny",
		 NULL, parse_allow_deny, NULL, "enum", "`deny`, `allow`",
		 "Text the analyzer cannot follow: `deny` refuses it, `allow` lets it through "
		 "and audits it (rule `unparseable`)."),
	K_BOOL("long_running", struct dw_policy_config, long_running, "false",
	       "Statements of sessions under this policy get `timeouts.long_query` instead "
	       "of the query/write/admin timeouts."),
	K_CUSTOM("allowlist_file", 0, 0, NULL, "none", parse_allowlist, release_allowlist,
		 "file path", "absent, or a valid allowlist",
		 "Fingerprints of known statements (relative to the configuration file). `learn` "
		 "mode appends to it (creating it, mode 0600); when it exists at load, `enforce` "
		 "and `monitor` refuse statements not in it (rule `allowlist`). Its directory "
		 "must not be world-writable."),
};

const struct dw_cfg_table dw_cfg_policy_table =
	TABLE("policy", policy_keys, finish_policy,
	      "Rules applied to the statements of each session: the first policy whose "
	      "`match` fits a session applies to it; a session no policy matches is not "
	      "restricted. Keys left out restrict nothing (except `unparseable`, which "
	      "defaults to `deny`).");

void dw_cfg_check_policy_refs(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_ynode *at, const char *path, void *base)
{
	const struct dw_config *cfg = base;
	const struct dw_ynode *seq = dw_ymap_get(root, "policies");
	char item[DW_CFG_PATH_MAX], key_path[DW_CFG_PATH_MAX], q[80];

	(void)at;
	(void)path;
	for (size_t i = 0; i < cfg->n_policies; i++) {
		const char *want = cfg->policies[i].match.listener;
		bool found = false;

		if (want == NULL)
			continue;
		for (size_t j = 0; j < cfg->n_listeners && !found; j++)
			found = cfg->listeners[j].name != NULL &&
				strcmp(cfg->listeners[j].name, want) == 0;
		if (found)
			continue;
		dw_cfg_path_index(item, "policies", i);
		dw_cfg_path_key(key_path, item, "match.listener");
		dw_cfg_error(ctx, seq != NULL && seq->kind == DW_YNODE_SEQ && i < seq->n ?
			     dw_ymap_get(dw_ymap_get(seq->items[i], "match"), "listener") : NULL,
			     key_path, "unknown listener \"%s\"", dw_cfg_quote(want, q, sizeof(q)));
	}
}
