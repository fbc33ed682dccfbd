/* A small YAML document tree built with libyaml's event parser.
 *
 * The loader needs the whole document before validating it (cross references,
 * "missing key" errors that point at the enclosing mapping), and every node
 * keeps the 1-based line and column of where it starts so errors can point at
 * it. Aliases refer to the anchored node (the tree is a DAG); all nodes are
 * owned by the document and freed with it. */
#ifndef DBWARD_CONFIG_YAML_TREE_H
#define DBWARD_CONFIG_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

enum dw_ynode_kind { DW_YNODE_SCALAR, DW_YNODE_MAP, DW_YNODE_SEQ };

struct dw_ynode {
	enum dw_ynode_kind kind;
	unsigned line, col;
	/* Scalars: NUL-terminated text (LEN excludes the NUL) and whether it
	 * was written plain (unquoted): only plain scalars can mean null. */
	char *text;
	size_t len;
	bool plain;
	/* Sequences: N items. Mappings: N keys and N values, interleaved as
	 * key0, value0, key1, value1, ... */
	struct dw_ynode **items;
	size_t n, cap;
};

struct dw_ydoc {
	struct dw_ynode *root;   /* NULL for an empty document */
	struct dw_ynode **all;   /* every node, for freeing */
	size_t n_all, cap_all;
};

/* Limits that keep a hostile or broken file from costing much. */
#define DW_YAML_MAX_DEPTH 64
#define DW_YAML_MAX_ALIASES 1000

struct dw_yaml_error {
	unsigned line, col;
	char message[200];
};

/* Parses BUF (LEN bytes) into DOC. Returns 0, or -1 with ERR filled (syntax
 * error, a second document, nesting too deep, out of memory). DOC must be
 * freed with dw_ydoc_free in both cases. */
int dw_ydoc_parse(const char *buf, size_t len, struct dw_ydoc *doc,
	struct dw_yaml_error *err) __attribute__((warn_unused_result));

void dw_ydoc_free(struct dw_ydoc *doc);

/* True for a plain empty scalar, "~" or "null" (any case spelling YAML allows). */
bool dw_ynode_is_null(const struct dw_ynode *node);

/* The value for KEY in MAP, or NULL (also when MAP is not a mapping). */
const struct dw_ynode *dw_ymap_get(const struct dw_ynode *map, const char *key);

/* "a scalar", "a mapping", "a sequence" or "null", for messages. */
const char *dw_ynode_describe(const struct dw_ynode *node);

#endif
