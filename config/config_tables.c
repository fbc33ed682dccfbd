/* The schema of dbward.yaml: one key table per section. Parsing, defaults,
 * validation, freeing and docs/configuration.md all come from these tables;
 * a new key is one line here plus its field in config.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "config/config_admin.h"
#include "config/config_audit.h"
#include "config/config_errors.h"
#include "config/config_limits.h"
#include "config/config_policy.h"
#include "config/config_schema.h"

#define MS_MINUTE (60ULL * 1000)
#define MS_HOUR (60 * MS_MINUTE)
#define MS_DAY (24 * MS_HOUR)

#define RELOAD DW_CFG_RELOADABLE
#define REQUIRED DW_CFG_REQUIRED

/* Field helpers: S is the struct type, F the field name. */
#define K_STRING(N, S, F, FL, DOC) \
	{ .name = N, .type = DW_CFG_STRING, .flags = FL, .offset = offsetof(S, F), .doc = DOC }
#define K_PATH(N, S, F, FL, DOC) \
	{ .name = N, .type = DW_CFG_PATH, .flags = (FL) | DW_CFG_READABLE, \
	  .offset = offsetof(S, F), .doc = DOC }
#define K_U32(N, S, F, FL, DEF, MIN, MAX, DOC) \
	{ .name = N, .type = DW_CFG_U32, .flags = FL, .offset = offsetof(S, F), .def = DEF, \
	  .min = MIN, .max = MAX, .doc = DOC }
#define K_DURATION(N, S, F, FL, DEF, MIN, MAX, DOC) \
	{ .name = N, .type = DW_CFG_DURATION, .flags = FL, .offset = offsetof(S, F), \
	  .def = DEF, .min = MIN, .max = MAX, .doc = DOC }
#define K_ENUM(N, S, F, FL, DEF, ENUMS, DOC) \
	{ .name = N, .type = DW_CFG_ENUM, .flags = FL, .offset = offsetof(S, F), .def = DEF, \
	  .enums = ENUMS, .doc = DOC }
#define K_SECTION(N, S, F, FL, SUB, DOC) \
	{ .name = N, .type = DW_CFG_SECTION, .flags = FL, .offset = offsetof(S, F), \
	  .sub = &SUB, .doc = DOC }
/* A section whose keys are fields of the enclosing struct itself. */
#define K_GROUP(N, FL, SUB, DOC) \
	{ .name = N, .type = DW_CFG_SECTION, .flags = FL, .offset = 0, .sub = &SUB, .doc = DOC }
#define K_LIST(N, S, F, CNT, ELEM, FL, SUB, DOC) \
	{ .name = N, .type = DW_CFG_LIST, .flags = FL, .offset = offsetof(S, F), \
	  .count_offset = offsetof(S, CNT), .elem_size = sizeof(ELEM), .sub = &SUB, .doc = DOC }
#define TABLE(ITEM, KEYS, FINISH, LATER, DOC) \
	{ .item = ITEM, .keys = KEYS, .n_keys = sizeof(KEYS) / sizeof(KEYS[0]), \
	  .finish = FINISH, .later = LATER, .doc = DOC }

static const struct dw_cfg_enum protocols[] = {
	{ "postgres", DW_PROTO_POSTGRES }, { "mysql", DW_PROTO_MYSQL }, { NULL, 0 },
};
static const struct dw_cfg_enum listener_tls_modes[] = {
	{ "disable", DW_TLS_DISABLE }, { "prefer", DW_TLS_PREFER },
	{ "require", DW_TLS_REQUIRE }, { NULL, 0 },
};
static const struct dw_cfg_enum backend_tls_modes[] = {
	{ "disable", DW_TLS_DISABLE }, { "prefer", DW_TLS_PREFER },
	{ "require", DW_TLS_REQUIRE }, { "verify-full", DW_TLS_VERIFY_FULL }, { NULL, 0 },
};
static const struct dw_cfg_enum pool_modes[] = {
	{ "session", DW_POOL_SESSION }, { "transaction", DW_POOL_TRANSACTION }, { NULL, 0 },
};
static const struct dw_cfg_enum auth_methods[] = {
	{ "scram-sha-256", DW_AUTH_SCRAM_SHA_256 }, { "md5", DW_AUTH_MD5 },
	{ "password", DW_AUTH_CLEARTEXT }, { NULL, 0 },
};
static const struct dw_cfg_enum mysql_auth_methods[] = {
	{ "mysql_native_password", DW_MYSQL_AUTH_NATIVE },
	{ "caching_sha2_password", DW_MYSQL_AUTH_CACHING_SHA2 }, { NULL, 0 },
};

void dw_cfg_check_name(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, void *field)
{
	const char *name = *(char **)field;
	size_t len;

	if (name == NULL)
		return;
	len = strlen(name);
	if (len > 63) {
		dw_cfg_error(ctx, node, path, "name is longer than 63 characters");
		return;
	}
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") != len)
		dw_cfg_error(ctx, node, path, "name may only contain letters, digits, "
			     "'_', '.' and '-'");
}

/* Where a cross-key error points: the key's value when given, else the map. */
static const struct dw_ynode *key_or(const struct dw_ynode *map, const char *key,
	const struct dw_ynode *at)
{
	const struct dw_ynode *n = dw_ymap_get(map, key);
	return n != NULL ? n : at;
}

static void finish_listener_tls(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	const struct dw_tls_config *tls = base;
	char key_path[DW_CFG_PATH_MAX];

	if (tls->mode == DW_TLS_DISABLE)
		return;
	/* A value that was given but failed its own check was reported there. */
	if (tls->cert_file == NULL && dw_ymap_get(map, "cert_file") == NULL) {
		dw_cfg_path_key(key_path, path, "cert_file");
		dw_cfg_error(ctx, key_or(map, "mode", at), key_path,
			     "required when tls.mode is prefer or require");
	}
	if (tls->key_file == NULL && dw_ymap_get(map, "key_file") == NULL) {
		dw_cfg_path_key(key_path, path, "key_file");
		dw_cfg_error(ctx, key_or(map, "mode", at), key_path,
			     "required when tls.mode is prefer or require");
	}
}

static void finish_pool(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	const struct dw_pool_config *pool = base;
	char key_path[DW_CFG_PATH_MAX];

	if (ctx->section_clean && pool->min_idle > pool->size) {
		dw_cfg_path_key(key_path, path, "min_idle");
		dw_cfg_error(ctx, key_or(map, "min_idle", at), key_path,
			     "min_idle (%u) must not exceed size (%u)", pool->min_idle, pool->size);
	}
}

static void finish_retry(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	const struct dw_backend_config *b = base;
	char key_path[DW_CFG_PATH_MAX];

	if (ctx->section_clean && b->retry_base_delay_ms > b->retry_max_delay_ms) {
		dw_cfg_path_key(key_path, path, "max_delay");
		dw_cfg_error(ctx, key_or(map, "max_delay", at), key_path,
			     "must not be shorter than base_delay");
	}
}

/* Derived defaults: the backend login is the proxy login unless said
 * otherwise. An explicit empty `backends: []` would read as "none" but mean
 * "all", so it is refused. */
static void finish_user(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_user_config *u = base;
	const struct dw_ynode *list = dw_ymap_get(map, "backends");
	char key_path[DW_CFG_PATH_MAX];

	(void)at;
	if (u->backend_user == NULL && u->name != NULL &&
	    dw_ymap_get(map, "backend_user") == NULL)
		u->backend_user = dw_cfg_strdup(ctx, u->name);
	if (u->backend_password == NULL && u->password != NULL &&
	    dw_ymap_get(map, "backend_password") == NULL &&
	    dw_ymap_get(map, "backend_password_env") == NULL &&
	    dw_ymap_get(map, "backend_password_file") == NULL)
		u->backend_password = dw_cfg_strdup(ctx, u->password);
	if (list != NULL && list->kind == DW_YNODE_SEQ && list->n == 0) {
		dw_cfg_path_key(key_path, path, "backends");
		dw_cfg_error(ctx, list, key_path, "an empty list is not allowed; omit the key "
			     "to allow every backend");
	}
}

static const struct dw_cfg_key listener_tls_keys[] = {
	K_ENUM("mode", struct dw_tls_config, mode, RELOAD, "disable", listener_tls_modes,
	       "TLS towards clients. `prefer` offers TLS and accepts plain connections; "
	       "`require` refuses clients that do not switch to TLS."),
	K_PATH("cert_file", struct dw_tls_config, cert_file, RELOAD,
	       "PEM certificate chain presented to clients. Required unless mode is `disable`."),
	K_PATH("key_file", struct dw_tls_config, key_file, RELOAD,
	       "PEM private key of `cert_file`. Required unless mode is `disable`."),
};
static const struct dw_cfg_table listener_tls_table =
	TABLE("tls", listener_tls_keys, finish_listener_tls, NULL, NULL);

static const struct dw_cfg_key listener_keys[] = {
	{ .name = "name", .type = DW_CFG_STRING, .flags = REQUIRED,
	  .offset = offsetof(struct dw_listener_config, name), .check = dw_cfg_check_name,
	  .doc = "Unique listener name (letters, digits, `_ . -`; at most 63 characters)." },
	K_ENUM("protocol", struct dw_listener_config, protocol, REQUIRED, NULL, protocols,
	       "Wire protocol spoken by clients; must match the backend's protocol."),
	{ .name = "listen", .type = DW_CFG_ADDRESS, .flags = REQUIRED,
	  .offset = offsetof(struct dw_listener_config, listen),
	  .doc = "Address to accept clients on: `host:port`, `[ipv6]:port` or an absolute "
		 "unix socket path. Must be unique across listeners." },
	K_STRING("backend", struct dw_listener_config, backend, REQUIRED | RELOAD,
		 "Name of the backend (from `backends`) this listener forwards to."),
	K_U32("max_clients", struct dw_listener_config, max_clients, RELOAD, "10000", 1, 1000000,
	      "Client connections accepted at once; further clients get a "
	      "too-many-connections error."),
	K_SECTION("tls", struct dw_listener_config, tls, RELOAD, listener_tls_table,
		  "Client-side TLS termination."),
};
static const struct dw_cfg_table listener_table =
	TABLE("listener", listener_keys, NULL, NULL,
	      "Where dbward accepts client connections. At least one listener is required.");

static const struct dw_cfg_key backend_tls_keys[] = {
	K_ENUM("mode", struct dw_tls_config, mode, RELOAD, "prefer", backend_tls_modes,
	       "TLS towards the server: `prefer` uses it when the server offers it, "
	       "`require` insists on it, `verify-full` also verifies the certificate and host name."),
	K_PATH("ca_file", struct dw_tls_config, ca_file, RELOAD,
	       "PEM file of certificate authorities used to verify the server."),
};
static const struct dw_cfg_table backend_tls_table =
	TABLE("tls", backend_tls_keys, NULL, NULL, NULL);

static const struct dw_cfg_key pool_keys[] = {
	K_ENUM("mode", struct dw_pool_config, mode, RELOAD, "transaction", pool_modes,
	       "`session`: a client keeps its server connection until it disconnects. "
	       "`transaction`: the server connection returns to the pool after each transaction."),
	K_U32("size", struct dw_pool_config, size, RELOAD, "20", 1, 10000,
	      "Maximum server connections per (user, database)."),
	K_U32("min_idle", struct dw_pool_config, min_idle, RELOAD, "0", 0, 10000,
	      "Idle server connections kept open per (user, database); at most `size`."),
	K_DURATION("idle_timeout", struct dw_pool_config, idle_timeout_ms, RELOAD, "10m",
		   0, 7 * MS_DAY, "Close a server connection idle for this long (0 = never)."),
	K_DURATION("max_lifetime", struct dw_pool_config, max_lifetime_ms, RELOAD, "1h",
		   0, 30 * MS_DAY, "Close a server connection this old once it is idle (0 = never)."),
	K_U32("max_uses", struct dw_pool_config, max_uses, RELOAD, "7500", 0, UINT32_MAX,
	      "Recycle a server connection after this many checkouts (0 = unlimited)."),
};
static const struct dw_cfg_table pool_table = TABLE("pool", pool_keys, finish_pool, NULL, NULL);

static const struct dw_cfg_key health_keys[] = {
	K_DURATION("interval", struct dw_backend_config, health_check_interval_ms, RELOAD, "5s",
		   0, MS_HOUR, "Time between health checks of the backend (0 = no checks)."),
};
static const struct dw_cfg_table health_table =
	TABLE("health_check", health_keys, NULL, NULL, NULL);

static const struct dw_cfg_key breaker_keys[] = {
	K_U32("failures", struct dw_backend_config, breaker_failures, RELOAD, "5", 0, 1000000,
	      "Consecutive connection failures that open the circuit (0 = never open it)."),
	K_DURATION("reset_after", struct dw_backend_config, breaker_reset_after_ms, RELOAD,
		   "60s", 100, MS_DAY,
		   "How long an open circuit fails fast before probing the backend again."),
	K_U32("probe_successes", struct dw_backend_config, breaker_probe_successes, RELOAD, "3",
	      1, 1000, "Successful probes needed to close the circuit again."),
};
static const struct dw_cfg_table breaker_table =
	TABLE("circuit_breaker", breaker_keys, NULL, NULL, NULL);

static const struct dw_cfg_key retry_keys[] = {
	K_U32("attempts", struct dw_backend_config, retry_attempts, RELOAD, "3", 1, 100,
	      "Connection attempts before a client gets an error."),
	K_DURATION("base_delay", struct dw_backend_config, retry_base_delay_ms, RELOAD, "100ms",
		   0, MS_HOUR, "Delay before the first retry; doubles on each retry, with jitter."),
	K_DURATION("max_delay", struct dw_backend_config, retry_max_delay_ms, RELOAD, "5s",
		   0, MS_HOUR, "Upper bound of the retry delay; at least `base_delay`."),
};
static const struct dw_cfg_table retry_table =
	TABLE("connect_retry", retry_keys, finish_retry, NULL, NULL);

static const struct dw_cfg_key backend_keys[] = {
	{ .name = "name", .type = DW_CFG_STRING, .flags = REQUIRED,
	  .offset = offsetof(struct dw_backend_config, name), .check = dw_cfg_check_name,
	  .doc = "Unique backend name (letters, digits, `_ . -`; at most 63 characters)." },
	K_ENUM("protocol", struct dw_backend_config, protocol, REQUIRED, NULL, protocols,
	       "`postgres` (PostgreSQL) or `mysql` (MySQL 8.x and MariaDB)."),
	{ .name = "address", .type = DW_CFG_ADDRESS, .flags = REQUIRED | RELOAD,
	  .offset = offsetof(struct dw_backend_config, address),
	  .doc = "Server address: `host:port`, `[ipv6]:port` or an absolute unix socket path "
		 "(for PostgreSQL the socket directory or the socket file `.s.PGSQL.<port>`)." },
	K_SECTION("tls", struct dw_backend_config, tls, RELOAD, backend_tls_table,
		  "Server-side TLS."),
	K_SECTION("pool", struct dw_backend_config, pool, RELOAD, pool_table,
		  "Server connection pool."),
	K_GROUP("health_check", RELOAD, health_table, "Periodic health checks."),
	K_GROUP("circuit_breaker", RELOAD, breaker_table,
		"Fail fast while the backend is down."),
	K_GROUP("connect_retry", RELOAD, retry_table,
		"Retries of failed server connection attempts (exponential backoff)."),
};
static const struct dw_cfg_table backend_table =
	TABLE("backend", backend_keys, NULL, NULL,
	      "The database servers dbward forwards to. At least one backend is required.");

static const struct dw_cfg_key user_keys[] = {
	K_STRING("name", struct dw_user_config, name, REQUIRED | RELOAD,
		 "Login name clients use towards dbward. Unique."),
	{ .name = "password", .type = DW_CFG_SECRET, .flags = REQUIRED | RELOAD,
	  .offset = offsetof(struct dw_user_config, password),
	  .doc = "Password clients must present. Exactly one of `password` (inline), "
		 "`password_env` (name of an environment variable) or `password_file` "
		 "(file holding it; not world-readable; one trailing newline is removed)." },
	{ .name = "backend_user", .type = DW_CFG_STRING, .flags = RELOAD,
	  .offset = offsetof(struct dw_user_config, backend_user), .def_doc = "`name`",
	  .doc = "Login name dbward uses towards the backends." },
	{ .name = "backend_password", .type = DW_CFG_SECRET, .flags = RELOAD,
	  .offset = offsetof(struct dw_user_config, backend_password),
	  .def_doc = "the user's password",
	  .doc = "Password dbward uses towards the backends; same three forms as `password`." },
	{ .name = "backends", .type = DW_CFG_STRING_LIST, .flags = RELOAD,
	  .offset = offsetof(struct dw_user_config, backends),
	  .count_offset = offsetof(struct dw_user_config, n_backends), .def_doc = "all backends",
	  .doc = "Names of the backends this user may reach. Omit the key to allow all; "
		 "an empty list is refused." },
	K_ENUM("auth", struct dw_user_config, auth, RELOAD, "scram-sha-256", auth_methods,
	       "How PostgreSQL clients prove the password: `scram-sha-256`, `md5`, or "
	       "`password` (cleartext; use it only over TLS)."),
	K_ENUM("mysql_auth", struct dw_user_config, mysql_auth, RELOAD, "mysql_native_password",
	       mysql_auth_methods,
	       "How MySQL/MariaDB clients prove the password: `mysql_native_password` or "
	       "`caching_sha2_password` (switched to with an AuthSwitchRequest when the client "
	       "starts with another plugin)."),
};
static const struct dw_cfg_table user_table =
	TABLE("user", user_keys, finish_user, NULL,
	      "Who may log in to dbward, and as whom dbward logs in to the backends. "
	      "May be empty (then nobody can log in).");

#define TIMEOUT(N, F, DEF, MAX, DOC) \
	K_DURATION(N, struct dw_timeouts, F, RELOAD, DEF, 0, MAX, DOC)
static const struct dw_cfg_key timeout_keys[] = {
	TIMEOUT("connect", connect_ms, "5s", MS_HOUR,
		"Setting up a server connection (TCP, TLS and login)."),
	TIMEOUT("login", login_ms, "10s", MS_HOUR,
		"A client must finish startup, TLS and authentication within this."),
	TIMEOUT("query", query_ms, "30s", 7 * MS_DAY, "SELECT and other reads."),
	TIMEOUT("write", write_ms, "60s", 7 * MS_DAY, "INSERT, UPDATE, DELETE, MERGE, REPLACE."),
	TIMEOUT("admin", admin_ms, "15s", 7 * MS_DAY, "DDL, GRANT, SET and other admin statements."),
	TIMEOUT("long_query", long_query_ms, "5m", 7 * MS_DAY,
		"Statements of users or rules marked long-running."),
	TIMEOUT("client_idle", client_idle_ms, "0", 7 * MS_DAY,
		"Disconnect a client idle outside a transaction for this long."),
	TIMEOUT("idle_in_transaction", idle_in_transaction_ms, "0", 7 * MS_DAY,
		"Disconnect a client idle inside a transaction for this long."),
	TIMEOUT("pool_wait", pool_wait_ms, "5s", MS_HOUR,
		"Waiting for a free server connection; then the client gets an error."),
	TIMEOUT("shutdown_grace", shutdown_grace_ms, "30s", MS_HOUR,
		"On SIGTERM: how long statements in flight may take to finish before their "
		"sessions are closed anyway; `0` closes them at once."),
};
static const struct dw_cfg_table timeout_table =
	TABLE("timeouts", timeout_keys, NULL, NULL, "Time limits; `0` disables a limit.");

/* Cross-section references, once every section is parsed. */
static void finish_root(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_ynode *at, const char *path, void *base)
{
	dw_cfg_check_policy_refs(ctx, root, at, path, base);
	dw_cfg_check_rate_limit_refs(ctx, root, base);
}

static const struct dw_cfg_key root_keys[] = {
	{ .name = "workers", .type = DW_CFG_U32_AUTO, .offset = offsetof(struct dw_config, workers),
	  .def = "auto", .min = 1, .max = 1024,
	  .doc = "Worker threads, each with its own event loop; `auto` = number of online CPUs." },
	K_STRING("user", struct dw_config, run_user, 0,
		 "Started as root: the account dbward switches to once its ports are open."),
	K_STRING("group", struct dw_config, run_group, 0,
		 "With `user`: the group to switch to (default: that account's own group)."),
	K_LIST("listeners", struct dw_config, listeners, n_listeners, struct dw_listener_config,
	       DW_CFG_NONEMPTY | DW_CFG_UNIQUE, listener_table, "Client-facing listeners."),
	K_LIST("backends", struct dw_config, backends, n_backends, struct dw_backend_config,
	       DW_CFG_NONEMPTY | DW_CFG_UNIQUE | RELOAD, backend_table, "Database servers."),
	K_LIST("users", struct dw_config, users, n_users, struct dw_user_config,
	       DW_CFG_UNIQUE | RELOAD, user_table, "Proxy logins."),
	K_SECTION("timeouts", struct dw_config, timeouts, RELOAD, timeout_table, "Time limits."),
	K_LIST("policies", struct dw_config, policies, n_policies, struct dw_policy_config,
	       DW_CFG_UNIQUE | RELOAD, dw_cfg_policy_table, "SQL policies, evaluated in order."),
	K_SECTION("errors", struct dw_config, errors, RELOAD, dw_cfg_errors_table,
		  "Errors shown to clients."),
	K_SECTION("audit", struct dw_config, audit, 0, dw_cfg_audit_table, "Audit trail."),
	K_LIST("rate_limits", struct dw_config, rate_limits, n_rate_limits,
	       struct dw_rate_limit_config, RELOAD, dw_cfg_rate_limit_table,
	       "Rate limits, the first matching entry applying to a session."),
	K_SECTION("auth_failures", struct dw_config, auth_failures, RELOAD,
		  dw_cfg_auth_failures_table, "Lockout after repeated failed logins."),
	K_SECTION("admin", struct dw_config, admin, 0, dw_cfg_admin_table,
		  "Admin HTTP endpoint."),
};

const struct dw_cfg_table dw_cfg_root_table =
	TABLE("configuration", root_keys, finish_root, NULL, NULL);
