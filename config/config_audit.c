/* The `audit` section: where the audit trail goes and how it is protected.
 * The file's location is checked here so a configuration that would write
 * the evidence somewhere others can replace it never loads; the writer
 * repeats the checks whenever it opens the file. */
#include "config/config_audit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"

#define INT_SIZED(E) _Static_assert(sizeof(E) == sizeof(int), "DW_CFG_ENUM fields are ints")
INT_SIZED(enum dw_audit_fsync);
INT_SIZED(enum dw_audit_chain);
INT_SIZED(enum dw_audit_statements);
INT_SIZED(enum dw_audit_on_full);

#define RELOAD DW_CFG_RELOADABLE
#define MS_HOUR (60ULL * 60 * 1000)
/* A smaller file could not hold a record of the largest size. */
#define MAX_SIZE_MIN (64ULL * 1024)

#define TABLE(ITEM, KEYS, FINISH, DOC) \
	{ .item = ITEM, .keys = KEYS, .n_keys = sizeof(KEYS) / sizeof(KEYS[0]), \
	  .finish = FINISH, .doc = DOC }
#define K_ENUM(N, F, FL, DEF, ENUMS, DOC) \
	{ .name = N, .type = DW_CFG_ENUM, .flags = FL, \
	  .offset = offsetof(struct dw_audit_config, F), .def = DEF, .enums = ENUMS, .doc = DOC }
#define K_CUSTOM(N, FL, DEF_DOC, PARSE, RELEASE, TYPE, ALLOWED, DOC) \
	{ .name = N, .type = DW_CFG_CUSTOM, .flags = FL, .def_doc = DEF_DOC, .parse = PARSE, \
	  .release = RELEASE, .type_doc = TYPE, .allowed_doc = ALLOWED, .doc = DOC }

#define AUDIT(base) ((struct dw_audit_config *)(base))

/* A ".." component anywhere in PATH. */
static bool has_dotdot(const char *path)
{
	for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return true;
	return false;
}

static void release_path(const struct dw_cfg_key *k, void *base)
{
	(void)k;
	free(AUDIT(base)->path);
	AUDIT(base)->path = NULL;
}

/* Absolute, no "..", in an existing directory others cannot write to, and
 * not a symbolic link or anything but a regular file when it exists. */
static void parse_path(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	const char *slash;
	char dir[PATH_MAX], q[80];
	struct stat st;

	if (text == NULL)
		return;
	release_path(k, base);
	dw_cfg_quote(text, q, sizeof(q));
	if (text[0] != '/') {
		dw_cfg_error(ctx, n, path, "\"%s\" must be an absolute path", q);
		return;
	}
	if (has_dotdot(text)) {
		dw_cfg_error(ctx, n, path, "\"%s\" must not contain a \"..\" component", q);
		return;
	}
	if (text[n->len - 1] == '/') {
		dw_cfg_error(ctx, n, path, "\"%s\" names a directory, not a file", q);
		return;
	}
	if (n->len >= PATH_MAX - 64) {
		dw_cfg_error(ctx, n, path, "path is too long");
		return;
	}
	slash = strrchr(text, '/');
	if (slash == text)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - text), text);
	if (stat(dir, &st) != 0) {
		dw_cfg_error(ctx, n, path, "the directory of \"%s\" does not exist (%s)", q,
			     strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		dw_cfg_error(ctx, n, path, "the directory of \"%s\" is not a directory", q);
		return;
	}
	if (st.st_mode & S_IWOTH) {
		dw_cfg_error(ctx, n, path, "refusing \"%s\": its directory is world-writable", q);
		return;
	}
	if (lstat(text, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			dw_cfg_error(ctx, n, path, "refusing \"%s\": it is a symbolic link", q);
			return;
		}
		if (!S_ISREG(st.st_mode)) {
			dw_cfg_error(ctx, n, path, "refusing \"%s\": it is not a regular file", q);
			return;
		}
	}
	AUDIT(base)->path = dw_cfg_strdup(ctx, text);
}

static void parse_format(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	char q[80];

	(void)k;
	(void)base;
	if (text != NULL && strcmp(text, "json") != 0)
		dw_cfg_error(ctx, n, path, "invalid value \"%s\": must be json",
			     dw_cfg_quote(text, q, sizeof(q)));
}

static void release_key(const struct dw_cfg_key *k, void *base)
{
	struct dw_audit_config *a = AUDIT(base);

	(void)k;
	if (a->chain_key != NULL) {
		explicit_bzero(a->chain_key, a->chain_key_len);
		free(a->chain_key);
	}
	a->chain_key = NULL;
	a->chain_key_len = 0;
}

/* Read through the secret-file helper: a key others can read is refused,
 * and neither the file name nor its bytes appear in any message. */
static void parse_key_file(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	struct dw_audit_config *a = AUDIT(base);

	if (dw_ynode_is_null(n) || n->kind != DW_YNODE_SCALAR || n->len == 0 ||
	    strlen(n->text) != n->len) {
		dw_cfg_error(ctx, n, path, "expected the path of the key file");
		return;
	}
	release_key(k, base);
	a->chain_key = dw_cfg_secret_file(ctx, n, path, n->text);
	if (a->chain_key != NULL)
		a->chain_key_len = strlen(a->chain_key);
}

static void parse_transport(struct dw_cfg_ctx *ctx, const struct dw_cfg_key *k,
	const struct dw_ynode *n, const char *path, void *base)
{
	const char *text = dw_cfg_scalar_text(ctx, n, path);
	char q[80];

	(void)k;
	if (text == NULL)
		return;
	if (strcmp(text, "tcp") == 0)
		AUDIT(base)->syslog_tcp = true;
	else if (strcmp(text, "udp") == 0)
		AUDIT(base)->syslog_tcp = false;
	else
		dw_cfg_error(ctx, n, path, "invalid value \"%s\": must be one of udp, tcp",
			     dw_cfg_quote(text, q, sizeof(q)));
}

/* Where a cross-key error points: the key's value when given, else the map. */
static const struct dw_ynode *key_or(const struct dw_ynode *map, const char *key,
	const struct dw_ynode *at)
{
	const struct dw_ynode *n = dw_ymap_get(map, key);
	return n != NULL ? n : at;
}

static void finish_syslog(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_audit_config *a = AUDIT(base);
	char key_path[DW_CFG_PATH_MAX];

	a->syslog_enabled = map != NULL;
	if (map != NULL && dw_ymap_get(map, "address") == NULL) {
		dw_cfg_path_key(key_path, path, "address");
		dw_cfg_error(ctx, at, key_path, "missing required key (the collector's host:port)");
	}
}

static void finish_audit(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_audit_config *a = AUDIT(base);
	const struct dw_ynode *key_node = dw_ymap_get(map, "chain_key_file");
	char key_path[DW_CFG_PATH_MAX];

	if (a->chain == DW_AUDIT_CHAIN_HMAC_SHA256 && key_node == NULL) {
		dw_cfg_path_key(key_path, path, "chain_key_file");
		dw_cfg_error(ctx, key_or(map, "chain", at), key_path,
			     "required when chain is hmac-sha256");
	} else if (a->chain != DW_AUDIT_CHAIN_HMAC_SHA256 && key_node != NULL) {
		dw_cfg_path_key(key_path, path, "chain_key_file");
		dw_cfg_error(ctx, key_node, key_path, "only used with chain: hmac-sha256");
	}
	if (a->max_size != 0 && a->max_size < MAX_SIZE_MIN) {
		dw_cfg_path_key(key_path, path, "max_size");
		dw_cfg_error(ctx, key_or(map, "max_size", at), key_path,
			     "must be 0 (no rotation by dbward) or at least 64KiB");
	}
}

static const struct dw_cfg_enum fsync_modes[] = {
	{ "always", DW_AUDIT_FSYNC_ALWAYS }, { "interval", DW_AUDIT_FSYNC_INTERVAL },
	{ "never", DW_AUDIT_FSYNC_NEVER }, { NULL, 0 },
};
static const struct dw_cfg_enum chain_kinds[] = {
	{ "none", DW_AUDIT_CHAIN_NONE }, { "sha256", DW_AUDIT_CHAIN_SHA256 },
	{ "hmac-sha256", DW_AUDIT_CHAIN_HMAC_SHA256 }, { NULL, 0 },
};
static const struct dw_cfg_enum statement_modes[] = {
	{ "none", DW_AUDIT_STMT_NONE }, { "normalized", DW_AUDIT_STMT_NORMALIZED },
	{ "full", DW_AUDIT_STMT_FULL }, { NULL, 0 },
};
static const struct dw_cfg_enum on_full_modes[] = {
	{ "block", DW_AUDIT_BLOCK }, { "drop", DW_AUDIT_DROP }, { NULL, 0 },
};

static const struct dw_cfg_key syslog_keys[] = {
	{ .name = "address", .type = DW_CFG_ADDRESS,
	  .offset = offsetof(struct dw_audit_config, syslog_address),
	  .doc = "Collector: `host:port`, `[ipv6]:port` or an absolute unix socket path." },
	K_CUSTOM("transport", 0, "`udp`", parse_transport, NULL, "enum", "`udp`, `tcp`",
		 "UDP: one datagram per record. TCP: octet-counted frames (RFC 6587), "
		 "reconnecting when the collector goes away."),
};
static const struct dw_cfg_table syslog_table = TABLE("syslog", syslog_keys, finish_syslog, NULL);

static const struct dw_cfg_key audit_keys[] = {
	K_CUSTOM("path", 0, "auditing off", parse_path, release_path, "file path",
		 "absolute; no `..`",
		 "The audit file (JSON Lines). Auditing is on when this is set. Created with mode "
		 "0600; its directory must exist and not be world-writable; a symbolic link "
		 "is refused."),
	K_CUSTOM("format", 0, "`json`", parse_format, NULL, "enum", "`json`",
		 "One JSON object per line (docs/audit.md lists the fields)."),
	K_ENUM("fsync", fsync, RELOAD, "interval", fsync_modes,
	       "When the file is synced to disk: after every batch of records (`always`), "
	       "at most once per `fsync_interval` (`interval`), or left to the system (`never`)."),
	{ .name = "fsync_interval", .type = DW_CFG_DURATION, .flags = RELOAD,
	  .offset = offsetof(struct dw_audit_config, fsync_interval_ms), .def = "1s",
	  .min = 1, .max = MS_HOUR,
	  .doc = "Longest time written records wait for a sync with `fsync: interval`." },
	K_ENUM("chain", chain, 0, "sha256", chain_kinds,
	       "Hash chain over the records: each names the previous one's hash, so a "
	       "modified, deleted, inserted or reordered record is found by "
	       "`dbward audit verify`. `hmac-sha256` keys it with `chain_key_file`, so "
	       "only key holders can forge a chain."),
	K_CUSTOM("chain_key_file", 0, NULL, parse_key_file, release_key, "file path",
		 "file not readable by others",
		 "Key of the `hmac-sha256` chain (the file's bytes, one trailing newline "
		 "removed). Required with `hmac-sha256`, refused otherwise."),
	K_ENUM("statements", statements, RELOAD, "normalized", statement_modes,
	       "Statement text in records: `normalized` (literals replaced by `?`), `full` "
	       "(as sent: may hold personal data), or `none`."),
	{ .name = "syslog", .type = DW_CFG_SECTION, .offset = 0, .sub = &syslog_table,
	  .def_doc = "no syslog",
	  .doc = "A second sink: each record as an RFC 5424 syslog message." },
	{ .name = "queue", .type = DW_CFG_U32, .offset = offsetof(struct dw_audit_config, queue),
	  .def = "65536", .min = 1, .max = 16777216,
	  .doc = "Records waiting for the writer, shared by the worker threads "
		 "(each gets an equal part, at least 64)." },
	K_ENUM("on_full", on_full, RELOAD, "block", on_full_modes,
	       "When a worker's queue is full: `block` waits for room (no record is lost); "
	       "`drop` discards the record, counts it, and writes a `gap` record with the count."),
	{ .name = "max_size", .type = DW_CFG_SIZE, .flags = RELOAD,
	  .offset = offsetof(struct dw_audit_config, max_size), .def = "0",
	  .min = 0, .max = 1ULL << 50,
	  .doc = "Rotate when the file would exceed this size: it is renamed to "
		 "`PATH.<UTC time>` and a new file continues the chain. 0 = rotation by "
		 "an external tool (SIGUSR1 reopens); otherwise at least 64KiB." },
};

const struct dw_cfg_table dw_cfg_audit_table =
	TABLE("audit", audit_keys, finish_audit,
	      "The tamper-evident audit trail: one JSON record per statement, login, "
	      "connection and lifecycle event (docs/audit.md). Off unless `path` is set.");
