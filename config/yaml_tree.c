/* libyaml event stream -> dw_ynode tree, with marks, anchors and limits. */
#include "config/yaml_tree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct anchor {
	char *name;
	struct dw_ynode *node;
};

struct builder {
	struct dw_ydoc *doc;
	struct dw_yaml_error *err;
	struct dw_ynode *stack[DW_YAML_MAX_DEPTH];
	char *stack_anchor[DW_YAML_MAX_DEPTH]; /* registered when the node ends */
	size_t depth;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t n_aliases;
	int n_docs;
};

static int fail(struct builder *b, const yaml_mark_t *mark, const char *msg)
{
	b->err->line = mark != NULL ? (unsigned)mark->line + 1 : 1;
	b->err->col = mark != NULL ? (unsigned)mark->column + 1 : 1;
	snprintf(b->err->message, sizeof(b->err->message), "%s", msg);
	return -1;
}

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * elem);
	if (p == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct dw_ynode *new_node(struct builder *b, enum dw_ynode_kind kind,
	const yaml_mark_t *mark)
{
	struct dw_ydoc *d = b->doc;
	struct dw_ynode *n;

	if (grow((void **)&d->all, &d->cap_all, d->n_all + 1, sizeof(*d->all)) != 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
	d->all[d->n_all++] = n;
	return n;
}

static int append_child(struct dw_ynode *parent, struct dw_ynode *child)
{
	if (grow((void **)&parent->items, &parent->cap, parent->n + 1,
		 sizeof(*parent->items)) != 0)
		return -1;
	parent->items[parent->n++] = child;
	return 0;
}

static int attach(struct builder *b, struct dw_ynode *node, const yaml_mark_t *mark)
{
	if (b->depth == 0) {
		if (b->doc->root != NULL)
			return fail(b, mark, "internal error: second root node");
		b->doc->root = node;
		return 0;
	}
	if (append_child(b->stack[b->depth - 1], node) != 0)
		return fail(b, mark, "out of memory");
	return 0;
}

static int add_anchor(struct builder *b, const char *name, struct dw_ynode *node,
	const yaml_mark_t *mark)
{
	char *copy;

	if (b->n_anchors >= DW_YAML_MAX_ALIASES)
		return fail(b, mark, "too many anchors");
	if (grow((void **)&b->anchors, &b->cap_anchors, b->n_anchors + 1,
		 sizeof(*b->anchors)) != 0 || (copy = strdup(name)) == NULL)
		return fail(b, mark, "out of memory");
	/* A later anchor with the same name shadows the earlier one (YAML 1.1). */
	b->anchors[b->n_anchors].name = copy;
	b->anchors[b->n_anchors].node = node;
	b->n_anchors++;
	return 0;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;

	if (++b->n_aliases > DW_YAML_MAX_ALIASES)
		return fail(b, &ev->start_mark, "too many aliases");
	for (size_t i = b->n_anchors; i-- > 0;) {
		if (strcmp(b->anchors[i].name, name) == 0)
			return attach(b, b->anchors[i].node, &ev->start_mark);
	}
	/* Anchors of containers are registered only once the container ends,
	 * so a self-referencing alias lands here instead of making a cycle. */
	return fail(b, &ev->start_mark, "alias to an undefined (or enclosing) anchor");
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct dw_ynode *n = new_node(b, DW_YNODE_SCALAR, &ev->start_mark);
	size_t len = ev->data.scalar.length;

	if (n == NULL || (n->text = malloc(len + 1)) == NULL)
		return fail(b, &ev->start_mark, "out of memory");
	memcpy(n->text, ev->data.scalar.value, len);
	n->text[len] = '\0';
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   ev->data.scalar.tag == NULL;
	if (attach(b, n, &ev->start_mark) != 0)
		return -1;
	if (ev->data.scalar.anchor != NULL)
		return add_anchor(b, (const char *)ev->data.scalar.anchor, n, &ev->start_mark);
	return 0;
}

static int on_start(struct builder *b, const yaml_event_t *ev, enum dw_ynode_kind kind)
{
	const yaml_char_t *anchor = kind == DW_YNODE_MAP ? ev->data.mapping_start.anchor
							 : ev->data.sequence_start.anchor;
	struct dw_ynode *n;

	if (b->depth >= DW_YAML_MAX_DEPTH)
		return fail(b, &ev->start_mark, "nesting is too deep");
	n = new_node(b, kind, &ev->start_mark);
	if (n == NULL)
		return fail(b, &ev->start_mark, "out of memory");
	if (attach(b, n, &ev->start_mark) != 0)
		return -1;
	b->stack_anchor[b->depth] = NULL;
	if (anchor != NULL && (b->stack_anchor[b->depth] = strdup((const char *)anchor)) == NULL)
		return fail(b, &ev->start_mark, "out of memory");
	b->stack[b->depth++] = n;
	return 0;
}

static int on_end(struct builder *b, const yaml_event_t *ev)
{
	char *anchor;
	int rc = 0;

	if (b->depth == 0)
		return fail(b, &ev->start_mark, "internal error: unbalanced YAML events");
	b->depth--;
	anchor = b->stack_anchor[b->depth];
	b->stack_anchor[b->depth] = NULL;
	if (anchor != NULL)
		rc = add_anchor(b, anchor, b->stack[b->depth], &ev->start_mark);
	free(anchor);
	return rc;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->n_docs > 1)
			return fail(b, &ev->start_mark,
				    "only one YAML document is allowed in a configuration file");
		return 0;
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(b, ev, DW_YNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev, DW_YNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(b, ev);
	default:
		return 0;
	}
}

/* libyaml reports a problem and, for some errors, a context ("while parsing
 * a block mapping") with its own mark; the problem mark is the useful one. */
static int syntax_error(struct builder *b, const yaml_parser_t *p)
{
	const char *problem = p->problem != NULL ? p->problem : "invalid YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return fail(b, NULL, "out of memory");
	b->err->line = (unsigned)p->problem_mark.line + 1;
	b->err->col = (unsigned)p->problem_mark.column + 1;
	if (p->context != NULL)
		snprintf(b->err->message, sizeof(b->err->message), "YAML syntax error: %s %s",
			 p->context, problem);
	else
		snprintf(b->err->message, sizeof(b->err->message), "YAML syntax error: %s",
			 problem);
	return -1;
}

int dw_ydoc_parse(const char *buf, size_t len, struct dw_ydoc *doc,
	struct dw_yaml_error *err)
{
	struct builder b = { .doc = doc, .err = err };
	yaml_parser_t parser;
	bool done = false;
	int rc = 0;

	memset(doc, 0, sizeof(*doc));
	memset(err, 0, sizeof(*err));
	if (!yaml_parser_initialize(&parser))
		return fail(&b, NULL, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!done && rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = syntax_error(&b, &parser);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	for (size_t i = 0; i < b.depth; i++)
		free(b.stack_anchor[i]);
	for (size_t i = 0; i < b.n_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	return rc;
}

void dw_ydoc_free(struct dw_ydoc *doc)
{
	for (size_t i = 0; i < doc->n_all; i++) {
		free(doc->all[i]->text);
		free(doc->all[i]->items);
		free(doc->all[i]);
	}
	free(doc->all);
	memset(doc, 0, sizeof(*doc));
}

bool dw_ynode_is_null(const struct dw_ynode *node)
{
	if (node == NULL)
		return true;
	if (node->kind != DW_YNODE_SCALAR || !node->plain)
		return false;
	return node->len == 0 || strcmp(node->text, "~") == 0 ||
	       strcmp(node->text, "null") == 0 || strcmp(node->text, "Null") == 0 ||
	       strcmp(node->text, "NULL") == 0;
}

const struct dw_ynode *dw_ymap_get(const struct dw_ynode *map, const char *key)
{
	if (map == NULL || map->kind != DW_YNODE_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct dw_ynode *k = map->items[i];
		if (k->kind == DW_YNODE_SCALAR && strcmp(k->text, key) == 0)
			return map->items[i + 1];
	}
	return NULL;
}

const char *dw_ynode_describe(const struct dw_ynode *node)
{
	if (dw_ynode_is_null(node))
		return "null";
	switch (node->kind) {
	case DW_YNODE_MAP:
		return "a mapping";
	case DW_YNODE_SEQ:
		return "a sequence";
	default:
		return "a scalar";
	}
}
