/* The declarative schema of dbward.yaml and the engine that applies it.
 *
 * Each section is a table of keys (name, type, offset into the C struct,
 * default, bounds, validator, reloadable flag, description). One generic
 * engine walks a YAML tree with a table: it parses values, applies defaults,
 * checks bounds and reports errors; the same tables free a snapshot and
 * print docs/configuration.md. Internal to config/. */
#ifndef DBWARD_CONFIG_CONFIG_SCHEMA_H
#define DBWARD_CONFIG_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/yaml_tree.h"

enum dw_cfg_type {
	DW_CFG_STRING,      /* char *, non-empty, no control characters */
	DW_CFG_PATH,        /* char *, relative paths resolved against the file's directory */
	DW_CFG_U32,         /* uint32_t within [min, max] */
	DW_CFG_U32_AUTO,    /* uint32_t, or "auto" = number of online CPUs */
	DW_CFG_DURATION,    /* uint64_t milliseconds within [min, max] */
	DW_CFG_SIZE,        /* uint64_t bytes within [min, max] */
	DW_CFG_BOOL,        /* bool: true | false */
	DW_CFG_ENUM,        /* an int-sized C enum, names in .enums */
	DW_CFG_ADDRESS,     /* struct dw_address */
	DW_CFG_SECRET,      /* char *, from KEY (inline), KEY_env or KEY_file */
	DW_CFG_STRING_LIST, /* char ** at offset, size_t count at count_offset */
	DW_CFG_SECTION,     /* nested mapping: sub-table fields live at base + offset */
	DW_CFG_LIST,        /* sequence of mappings: element array at offset, count at count_offset */
	DW_CFG_U64,         /* uint64_t within [min, max] */
	DW_CFG_CUSTOM,      /* parsed by .parse, released by .release (values with their own syntax) */
};

enum {
	DW_CFG_REQUIRED = 1u << 0,   /* missing key is an error */
	DW_CFG_RELOADABLE = 1u << 1, /* a SIGHUP reload applies a change of this key */
	DW_CFG_READABLE = 1u << 2,   /* PATH: must name a readable regular file */
	DW_CFG_UNIQUE = 1u << 3,     /* LIST: item names must be unique */
	DW_CFG_NONEMPTY = 1u << 4,   /* LIST: at least one item */
};

struct dw_cfg_enum {
	const char *name;
	int value;
};

struct dw_cfg_ctx;
struct dw_cfg_table;

struct dw_cfg_key {
	const char *name;
	enum dw_cfg_type type;
	unsigned flags;
	size_t offset;
	size_t count_offset;               /* STRING_LIST, LIST */
	size_t elem_size;                  /* LIST */
	const char *def;                   /* default as written in a file; NULL = none */
	const char *def_doc;               /* default derived in code, for the reference */
	uint64_t min, max;                 /* U32, U32_AUTO, DURATION, SIZE */
	const struct dw_cfg_enum *enums;   /* ENUM: terminated by a NULL name */
	const struct dw_cfg_table *sub;    /* SECTION, LIST */
	/* Extra check of a parsed value; reports through dw_cfg_error. */
	void (*check)(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
		const char *path, void *field);
	const char *doc;
	/* CUSTOM: parses NODE (never NULL: a default arrives as a scalar at
	 * line 0) into the struct at BASE, reporting through dw_cfg_error;
	 * RELEASE (may be NULL) frees what PARSE stored. BASE, not the field,
	 * because one key may fill several fields. TYPE_DOC and ALLOWED_DOC
	 * describe the syntax in the reference. */
	void (*parse)(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
		const struct dw_ynode *node, const char *path, void *base);
	void (*release)(const struct dw_cfg_key *k, void *base);
	const char *type_doc;
	const char *allowed_doc;
};

struct dw_cfg_table {
	const char *item;                  /* noun for one list item: "listener" */
	const struct dw_cfg_key *keys;
	size_t n_keys;
	/* Cross-key checks and derived defaults for one mapping, run after its
	 * keys. MAP may be NULL (section absent); AT is where to point then. */
	void (*finish)(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
		const struct dw_ynode *at, const char *path, void *base);
	/* Keys that later releases define: rejected with a clearer message. */
	const char *const *later;
	const char *doc;
};

#define DW_CFG_MAX_KEYS 32
#define DW_CFG_PATH_MAX 256

struct dw_cfg_error {
	unsigned line, col;
	size_t seq;          /* keeps the report order stable within a line */
	char *text;          /* "FILE:LINE:COL: path: message" */
};

struct dw_cfg_ctx {
	const char *file;
	char *dir;           /* directory of FILE, for relative paths */
	struct dw_cfg_error *errors;
	size_t n_errors, cap_errors;
	bool oom;
	/* Set while a table's finish hook runs: no error was reported for the
	 * keys of that mapping, so cross-key checks can trust every value. */
	bool section_clean;
};

/* Records one error at NODE (line 1, column 1 when NULL). */
void dw_cfg_error(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Names of listeners, backends and policies appear in logs, client
 * messages, metrics labels and the admin API: at most 63 characters from
 * letters, digits, '_', '.' and '-'. A `check` for DW_CFG_STRING keys. */
void dw_cfg_check_name(struct dw_cfg_ctx *ctx, const struct dw_ynode *node, const char *path,
	void *field);

/* The text of scalar NODE, or NULL after reporting why it is not a
 * non-empty scalar without NUL bytes or control characters (the checks of
 * every string key). */
const char *dw_cfg_scalar_text(struct dw_cfg_ctx *ctx, const struct dw_ynode *n,
	const char *path);

/* strdup that records an out-of-memory error instead of failing silently. */
char *dw_cfg_strdup(struct dw_cfg_ctx *ctx, const char *s);

/* Applies TABLE to NODE (a mapping, a null scalar, or NULL when absent) and
 * writes the values into the struct at BASE. AT positions errors about
 * missing keys when NODE is NULL. */
void dw_cfg_apply(struct dw_cfg_ctx *ctx, const struct dw_cfg_table *table,
	const struct dw_ynode *node, const struct dw_ynode *at, const char *path, void *base);

/* Releases everything TABLE's keys own inside the struct at BASE (secrets are
 * wiped first). The struct itself is not freed. */
void dw_cfg_release(const struct dw_cfg_table *table, void *base);

/* PARENT.KEY and PARENT[INDEX], truncated to DW_CFG_PATH_MAX. */
void dw_cfg_path_key(char *out, const char *parent, const char *key);
void dw_cfg_path_index(char *out, const char *parent, size_t index);

/* Copies TEXT for an error message: printable characters only, at most 64
 * of them. Never call it on a secret. */
const char *dw_cfg_quote(const char *text, char *buf, size_t cap);

/* Resolves PATH against the directory of the configuration file. Returns a
 * new string, or NULL (out of memory is recorded). */
char *dw_cfg_resolve_path(struct dw_cfg_ctx *ctx, const char *path);

/* Secrets: the value of environment variable NAME, or the contents of the
 * file at PATH (must not be world-readable; one trailing newline removed).
 * Errors are reported at NODE/PATH and never include the value, the variable
 * name or the file name (they may be a misplaced secret). Returns a new
 * string or NULL. */
char *dw_cfg_secret_env(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *name);
char *dw_cfg_secret_file(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *file);

/* The schema itself (config_tables.c). */
extern const struct dw_cfg_table dw_cfg_root_table;

#endif
