/* Loading a configuration snapshot: read the file, build the YAML tree, apply
 * the schema, check references between sections, report every error. */
#include "config/config.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config_schema.h"
#include "config/yaml_tree.h"

/* A configuration file is a few kilobytes; this only stops accidents such
 * as pointing -c at a database dump. */
#define CONFIG_FILE_MAX (16 * 1024 * 1024)

static char *read_file(struct dw_cfg_ctx *ctx, const char *path, size_t *len_out)
{
	struct stat st;
	size_t len = 0;
	char *buf = NULL;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		dw_cfg_error(ctx, NULL, "(file)", "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dw_cfg_error(ctx, NULL, "(file)", "not a regular file");
		goto fail;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		dw_cfg_error(ctx, NULL, "(file)", "file is larger than 16 MiB");
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		ctx->oom = true;
		goto fail;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dw_cfg_error(ctx, NULL, "(file)", "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break; /* shrank while reading: parse what is there */
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	*len_out = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/* The YAML node of KEY in item INDEX of the top-level list LIST. */
static const struct dw_ynode *item_node(const struct dw_ynode *root, const char *list,
	size_t index, const char *key)
{
	const struct dw_ynode *seq = dw_ymap_get(root, list);

	if (seq == NULL || seq->kind != DW_YNODE_SEQ || index >= seq->n)
		return NULL;
	return key != NULL ? dw_ymap_get(seq->items[index], key) : seq->items[index];
}

static int backend_index(const struct dw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_backends; i++)
		if (cfg->backends[i].name != NULL && strcmp(cfg->backends[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool is_wildcard(const char *host)
{
	return strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0;
}

/* Two listen addresses collide when they are the same socket path, or the
 * same port on the same host or on a wildcard address (which would take the
 * other's connections once SO_REUSEPORT lets both bind). */
static bool same_address(const struct dw_address *a, const struct dw_address *b)
{
	if (a->unix_path != NULL || b->unix_path != NULL)
		return a->unix_path != NULL && b->unix_path != NULL &&
		       strcmp(a->unix_path, b->unix_path) == 0;
	if (a->host == NULL || b->host == NULL || a->port != b->port)
		return false;
	return strcasecmp(a->host, b->host) == 0 || is_wildcard(a->host) || is_wildcard(b->host);
}

static const char *protocol_name(enum dw_protocol p)
{
	return p == DW_PROTO_MYSQL ? "mysql" : "postgres";
}

/* True when NODE spelled protocol P, i.e. the protocol was given and valid;
 * otherwise its error was reported already and a mismatch would be noise. */
static bool protocol_given(const struct dw_ynode *node, enum dw_protocol p)
{
	return node != NULL && node->kind == DW_YNODE_SCALAR &&
	       strcmp(node->text, protocol_name(p)) == 0;
}

static void check_listeners(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	struct dw_config *cfg)
{
	char path[DW_CFG_PATH_MAX], item[DW_CFG_PATH_MAX], q[80];

	for (size_t i = 0; i < cfg->n_listeners; i++) {
		struct dw_listener_config *l = &cfg->listeners[i];
		int bi;

		l->backend_index = -1;
		dw_cfg_path_index(item, "listeners", i);
		for (size_t j = 0; l->listen.text != NULL && j < i; j++) {
			const struct dw_listener_config *o = &cfg->listeners[j];
			if (o->listen.text == NULL || !same_address(&l->listen, &o->listen))
				continue;
			dw_cfg_path_key(path, item, "listen");
			dw_cfg_error(ctx, item_node(root, "listeners", i, "listen"), path,
				     "address \"%s\" overlaps listeners[%zu].listen",
				     dw_cfg_quote(l->listen.text, q, sizeof(q)), j);
			break;
		}
		if (l->backend == NULL)
			continue;
		dw_cfg_path_key(path, item, "backend");
		bi = backend_index(cfg, l->backend);
		if (bi < 0) {
			dw_cfg_error(ctx, item_node(root, "listeners", i, "backend"), path,
				     "unknown backend \"%s\"", dw_cfg_quote(l->backend, q, sizeof(q)));
			continue;
		}
		l->backend_index = bi;
		if (cfg->backends[bi].protocol != l->protocol &&
		    protocol_given(item_node(root, "listeners", i, "protocol"), l->protocol) &&
		    protocol_given(item_node(root, "backends", (size_t)bi, "protocol"),
				   cfg->backends[bi].protocol))
			dw_cfg_error(ctx, item_node(root, "listeners", i, "backend"), path,
				     "protocol mismatch: the listener speaks %s but backend \"%s\" "
				     "speaks %s", protocol_name(l->protocol),
				     dw_cfg_quote(l->backend, q, sizeof(q)),
				     protocol_name(cfg->backends[bi].protocol));
	}
}

/* The admin endpoint binds next to the listeners: the same address would
 * fail at startup, or take a listener's clients on a wildcard address. */
static void check_admin(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_config *cfg)
{
	const struct dw_address *a = &cfg->admin.listen;
	const struct dw_ynode *section = dw_ymap_get(root, "admin");
	const struct dw_ynode *at = dw_ymap_get(section, "listen");
	char q[80];

	if (!cfg->admin.enabled || a->host == NULL)
		return;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		if (cfg->listeners[i].listen.text == NULL ||
		    !same_address(a, &cfg->listeners[i].listen))
			continue;
		dw_cfg_error(ctx, at != NULL ? at : section, "admin.listen",
			     "address \"%s\" overlaps listeners[%zu].listen",
			     dw_cfg_quote(a->text, q, sizeof(q)), i);
		return;
	}
}

static void check_users(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_config *cfg)
{
	char path[DW_CFG_PATH_MAX], item[DW_CFG_PATH_MAX], list[DW_CFG_PATH_MAX], q[80];

	for (size_t i = 0; i < cfg->n_users; i++) {
		const struct dw_user_config *u = &cfg->users[i];
		const struct dw_ynode *seq = item_node(root, "users", i, "backends");

		dw_cfg_path_index(item, "users", i);
		dw_cfg_path_key(list, item, "backends");
		for (size_t j = 0; j < u->n_backends; j++) {
			if (u->backends[j] == NULL || backend_index(cfg, u->backends[j]) >= 0)
				continue;
			dw_cfg_path_index(path, list, j);
			dw_cfg_error(ctx, seq != NULL && j < seq->n ? seq->items[j] : NULL, path,
				     "unknown backend \"%s\"",
				     dw_cfg_quote(u->backends[j], q, sizeof(q)));
		}
	}
}

static int error_order(const void *pa, const void *pb)
{
	const struct dw_cfg_error *a = pa, *b = pb;

	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void report_and_reset(struct dw_cfg_ctx *ctx, FILE *errs)
{
	qsort(ctx->errors, ctx->n_errors, sizeof(*ctx->errors), error_order);
	for (size_t i = 0; i < ctx->n_errors; i++) {
		if (errs != NULL)
			fprintf(errs, "%s\n", ctx->errors[i].text);
		free(ctx->errors[i].text);
	}
	if (ctx->oom && errs != NULL)
		fprintf(errs, "%s: out of memory while loading the configuration\n", ctx->file);
	if (errs != NULL)
		fflush(errs);
	free(ctx->errors);
	ctx->errors = NULL;
	ctx->n_errors = 0;
}

static char *directory_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Builds a snapshot from TEXT; errors are collected in CTX. */
/* Numbers every configuration loaded, so sessions can tell a reload. */
static atomic_uint_fast64_t config_serials;

static struct dw_config *load_text(struct dw_cfg_ctx *ctx, const char *text, size_t len)
{
	struct dw_ydoc doc = { 0 };
	struct dw_yaml_error yerr;
	struct dw_config *cfg = NULL;

	if (dw_ydoc_parse(text, len, &doc, &yerr) != 0) {
		struct dw_ynode at = { .line = yerr.line, .col = yerr.col };
		dw_cfg_error(ctx, &at, "(syntax)", "%s", yerr.message);
		goto out;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL || (cfg->path = strdup(ctx->file)) == NULL) {
		ctx->oom = true;
		goto out;
	}
	atomic_init(&cfg->refs, 1);
	cfg->serial = atomic_fetch_add_explicit(&config_serials, 1, memory_order_relaxed) + 1;
	dw_cfg_apply(ctx, &dw_cfg_root_table, doc.root, NULL, "", cfg);
	check_listeners(ctx, doc.root, cfg);
	check_admin(ctx, doc.root, cfg);
	check_users(ctx, doc.root, cfg);
out:
	dw_ydoc_free(&doc);
	return cfg;
}

static struct dw_config *finish_load(struct dw_cfg_ctx *ctx, struct dw_config *cfg, FILE *errs)
{
	if (ctx->n_errors > 0 || ctx->oom) {
		report_and_reset(ctx, errs);
		dw_config_unref(cfg);
		cfg = NULL;
	}
	free(ctx->dir);
	return cfg;
}

struct dw_config *dw_config_load(const char *path, FILE *errs)
{
	struct dw_cfg_ctx ctx = { .file = path };
	struct dw_config *cfg = NULL;
	size_t len = 0;
	char *text;

	ctx.dir = directory_of(path);
	text = read_file(&ctx, path, &len);
	if (text != NULL)
		cfg = load_text(&ctx, text, len);
	free(text);
	return finish_load(&ctx, cfg, errs);
}

struct dw_config *dw_config_load_buffer(const char *name, const char *text, size_t len,
	FILE *errs)
{
	struct dw_cfg_ctx ctx = { .file = name };
	struct dw_config *cfg;

	ctx.dir = directory_of(name);
	cfg = load_text(&ctx, text, len);
	return finish_load(&ctx, cfg, errs);
}

struct dw_config *dw_config_ref(struct dw_config *cfg)
{
	if (cfg != NULL)
		atomic_fetch_add_explicit(&cfg->refs, 1, memory_order_relaxed);
	return cfg;
}

void dw_config_unref(struct dw_config *cfg)
{
	if (cfg == NULL)
		return;
	/* acq_rel: the thread that frees must see every other holder's reads done. */
	if (atomic_fetch_sub_explicit(&cfg->refs, 1, memory_order_acq_rel) != 1)
		return;
	dw_cfg_release(&dw_cfg_root_table, cfg);
	free(cfg->path);
	free(cfg);
}

const struct dw_backend_config *dw_config_backend(const struct dw_config *cfg,
	const char *name)
{
	int i = backend_index(cfg, name);

	return i < 0 ? NULL : &cfg->backends[i];
}

const struct dw_user_config *dw_config_user(const struct dw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_users; i++)
		if (strcmp(cfg->users[i].name, name) == 0)
			return &cfg->users[i];
	return NULL;
}

bool dw_config_user_may_use(const struct dw_user_config *user, const char *backend_name)
{
	if (user->n_backends == 0)
		return true;
	for (size_t i = 0; i < user->n_backends; i++)
		if (strcmp(user->backends[i], backend_name) == 0)
			return true;
	return false;
}
