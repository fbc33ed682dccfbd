/* dbward configuration snapshot.
 *
 * A snapshot is immutable once loaded and reference counted: workers keep the
 * snapshot a session started with, a reload swaps in a new one. Every field
 * below is filled by the table-driven loader in config/config_load.c, which
 * also applies defaults and validates bounds. Secrets are resolved at load time
 * (inline, *_env or *_file) and never printed. */
#ifndef DBWARD_CONFIG_CONFIG_H
#define DBWARD_CONFIG_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

enum dw_protocol { DW_PROTO_POSTGRES = 0, DW_PROTO_MYSQL = 1 };

enum dw_tls_mode {
	DW_TLS_DISABLE = 0,
	DW_TLS_PREFER,
	DW_TLS_REQUIRE,
	DW_TLS_VERIFY_FULL, /* backends only */
};

enum dw_pool_mode { DW_POOL_SESSION = 0, DW_POOL_TRANSACTION = 1 };

/* How a client proves its password to dbward (PostgreSQL listeners). */
enum dw_auth_method {
	DW_AUTH_SCRAM_SHA_256 = 0,
	DW_AUTH_MD5,
	DW_AUTH_CLEARTEXT,
};

/* How a client proves its password to dbward (MySQL listeners). */
enum dw_mysql_auth {
	DW_MYSQL_AUTH_NATIVE = 0,
	DW_MYSQL_AUTH_CACHING_SHA2,
};

struct dw_tls_config {
	enum dw_tls_mode mode;
	char *cert_file; /* NULL when unset */
	char *key_file;
	char *ca_file;
};

/* A parsed "host:port", "[v6]:port" or "/unix/path" address. */
struct dw_address {
	char *text;     /* as written in the file */
	char *host;     /* NULL for unix sockets */
	uint16_t port;  /* 0 for unix sockets */
	char *unix_path;
};

struct dw_listener_config {
	char *name;
	enum dw_protocol protocol;
	struct dw_address listen;
	char *backend;      /* backend name */
	int backend_index;  /* index into dw_config.backends, resolved */
	uint32_t max_clients;
	struct dw_tls_config tls;
};

struct dw_pool_config {
	enum dw_pool_mode mode;
	uint32_t size;          /* max server connections per (user, database) */
	uint32_t min_idle;
	uint64_t idle_timeout_ms;
	uint64_t max_lifetime_ms;
	uint32_t max_uses;      /* 0 = unlimited */
};

struct dw_backend_config {
	char *name;
	enum dw_protocol protocol;
	struct dw_address address;
	struct dw_tls_config tls;
	struct dw_pool_config pool;
	uint64_t health_check_interval_ms;
	uint32_t breaker_failures;
	uint64_t breaker_reset_after_ms;
	uint32_t breaker_probe_successes;
	uint32_t retry_attempts;
	uint64_t retry_base_delay_ms;
	uint64_t retry_max_delay_ms;
};

struct dw_user_config {
	char *name;
	char *password;          /* resolved secret; never logged */
	char *backend_user;      /* defaults to name */
	char *backend_password;  /* defaults to password */
	char **backends;         /* allowed backend names; n_backends == 0 means all */
	size_t n_backends;
	enum dw_auth_method auth;
	enum dw_mysql_auth mysql_auth;
};

struct dw_timeouts {
	uint64_t connect_ms;
	uint64_t login_ms;
	uint64_t query_ms;
	uint64_t write_ms;
	uint64_t admin_ms;
	uint64_t long_query_ms;
	uint64_t client_idle_ms;
	uint64_t idle_in_transaction_ms;
	uint64_t pool_wait_ms;
	uint64_t shutdown_grace_ms;
};

enum dw_policy_mode { DW_POLICY_ENFORCE = 0, DW_POLICY_MONITOR, DW_POLICY_LEARN };

/* An IPv4 or IPv6 network in CIDR notation ("10.0.0.0/8", "::1/128"; a bare
 * address is a /32 or /128). */
struct dw_cidr {
	char *text;          /* as written; NULL = not set */
	int family;          /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t prefix;
};

/* `match` of a policy or a rate limit: every key that is set
 * must fit; an empty match fits every session. */
struct dw_match_config {
	char *user;          /* NULL = any */
	char *database;
	char *listener;
	struct dw_cidr client;
};

/* A compiled identifier rule: "schema.name" patterns with '*' wildcards,
 * folded like the dialect folds (see docs/policy.md). */
struct dw_ident_rule {
	char *text;          /* as written */
	char *schema;        /* folded schema part; NULL when the rule has one part */
	char *name;          /* folded name part */
};

/* The fingerprints of an allowlist file: a sorted array for binary search. */
struct dw_allowlist {
	uint64_t *fingerprints;
	size_t n;
};

struct dw_policy_config {
	char *name;
	struct dw_match_config match;
	enum dw_policy_mode mode;
	uint32_t deny_classes;            /* DW_CLASS_* of policy/sql_analyze.h */
	bool multi_statements_allow;
	struct dw_ident_rule *ident_deny;
	size_t n_ident_deny;
	struct dw_ident_rule *ident_allow;
	size_t n_ident_allow;
	char *ident_pattern;              /* POSIX extended regex as written; NULL = none */
	void *ident_regex;                /* compiled regex_t *, owned */
	uint32_t ident_max_length;        /* 0 = unlimited */
	char **functions_deny;            /* folded to lower case */
	size_t n_functions_deny;
	uint32_t max_joins;               /* 0 = unlimited, for all four */
	uint32_t max_subquery_depth;
	uint32_t max_unions;
	uint32_t max_in_list;
	bool require_where_update;
	bool require_where_delete;
	uint64_t max_statement_bytes;     /* 0 = unlimited */
	uint64_t max_rows;                /* results.max_rows, 0 = unlimited */
	uint64_t max_bytes;               /* results.max_bytes, 0 = unlimited */
	bool injection_detect;
	bool unparseable_allow;
	bool long_running;                /* statements under this policy use timeouts.long_query */
	char *allowlist_file;             /* NULL = none */
	struct dw_allowlist allowlist;    /* loaded at config load when the file exists */
	bool allowlist_present;
	/* Unique per loaded policy in the process: decision caches key on it,
	 * so a policy freed by a reload and a new one allocated at the same
	 * address never share cached decisions. */
	uint64_t generation;
};

/* `rate_limits`: the bucket a session's limits are counted in. */
enum dw_rate_key {
	DW_RATE_KEY_USER = 0,
	DW_RATE_KEY_CLIENT_IP,
	DW_RATE_KEY_DATABASE,
	DW_RATE_KEY_GLOBAL,
};

/* What happens to a statement past a limit. */
enum dw_rate_action { DW_RATE_REJECT = 0, DW_RATE_DELAY };

/* One entry of `rate_limits`: the first whose `match` fits a session
 * applies to it (chosen at login). Counts are kept per bucket: one per
 * distinct user, client address or database named at login, or one for all
 * (docs/limits.md). A limit of 0 is no limit. */
struct dw_rate_limit_config {
	struct dw_match_config match;
	enum dw_rate_key key;
	uint32_t queries_per_second;      /* statements sent to the server */
	uint32_t burst;                   /* resolved: defaults to queries_per_second */
	uint32_t connections_per_second;
	uint32_t max_concurrent_queries;  /* statements in flight at once */
	enum dw_rate_action action;
	uint64_t max_delay_ms;            /* action delay: longest hold before rejecting */
	/* Unique per loaded entry in the process: counts are kept under it, so
	 * a reloaded entry starts with fresh buckets. */
	uint64_t generation;
};

/* `auth_failures`: after `max` failed logins of one (client address, user)
 * within `window`, that pair is refused for `lockout`. Any of the three
 * set to 0 turns it off. */
struct dw_auth_failures_config {
	uint32_t max;
	uint64_t window_ms;
	uint64_t lockout_ms;
};

enum dw_audit_fsync { DW_AUDIT_FSYNC_INTERVAL = 0, DW_AUDIT_FSYNC_ALWAYS, DW_AUDIT_FSYNC_NEVER };
enum dw_audit_chain { DW_AUDIT_CHAIN_NONE = 0, DW_AUDIT_CHAIN_SHA256, DW_AUDIT_CHAIN_HMAC_SHA256 };
enum dw_audit_statements { DW_AUDIT_STMT_NORMALIZED = 0, DW_AUDIT_STMT_NONE, DW_AUDIT_STMT_FULL };
enum dw_audit_on_full { DW_AUDIT_BLOCK = 0, DW_AUDIT_DROP };

/* The `audit` section. Auditing is on when `path` is set. */
struct dw_audit_config {
	char *path;                     /* absolute, no "..": checked at load */
	enum dw_audit_fsync fsync;
	uint64_t fsync_interval_ms;
	enum dw_audit_chain chain;
	char *chain_key;                /* secret bytes from chain_key_file (hmac-sha256) */
	size_t chain_key_len;
	enum dw_audit_statements statements;
	bool syslog_enabled;
	struct dw_address syslog_address;
	bool syslog_tcp;
	uint32_t queue;                 /* records buffered before back-pressure */
	enum dw_audit_on_full on_full;
	uint64_t max_size;              /* bytes; 0 = external rotation only */
};

enum dw_errors_mode { DW_ERRORS_PASSTHROUGH = 0, DW_ERRORS_SANITIZE };

/* The `errors` section: what clients see of the server's errors. */
struct dw_errors_config {
	enum dw_errors_mode mode;
	/* passthrough_sqlstates as written: SQLSTATEs (5 characters 0-9A-Z)
	 * and MySQL error numbers (4 digits), checked at load. */
	char **passthrough;
	size_t n_passthrough;
};

/* The `admin` section: the HTTP endpoint for metrics, health and pools
 * (docs/admin.md). Off when the section is absent. */
struct dw_admin_config {
	bool enabled;
	struct dw_address listen;  /* host:port or [v6]:port, never a unix socket */
};

struct dw_config {
	atomic_int refs;
	uint64_t serial;         /* unique per load in the process: sessions notice a reload */
	char *path;
	uint32_t workers;        /* resolved: "auto" becomes the CPU count */
	char *run_user;          /* `user`: drop root to this account after binding; NULL = stay */
	char *run_group;         /* `group` */
	struct dw_listener_config *listeners;
	size_t n_listeners;
	struct dw_backend_config *backends;
	size_t n_backends;
	struct dw_user_config *users;
	size_t n_users;
	struct dw_timeouts timeouts;
	struct dw_policy_config *policies;
	size_t n_policies;
	struct dw_audit_config audit;
	struct dw_errors_config errors;
	struct dw_rate_limit_config *rate_limits;
	size_t n_rate_limits;
	struct dw_auth_failures_config auth_failures;
	struct dw_admin_config admin;
};

/* Loads and validates PATH. On success returns a snapshot with one reference.
 * On failure returns NULL after writing every error, one per line, as
 * "FILE:LINE:COL: key.path: message" to ERRS (which may be NULL). */
struct dw_config *dw_config_load(const char *path, FILE *errs)
	__attribute__((warn_unused_result));

/* Same, from LEN bytes at TEXT (need not be NUL-terminated): NAME stands
 * for the file in messages and relative paths resolve against its directory.
 * For fuzzing and tests. */
struct dw_config *dw_config_load_buffer(const char *name, const char *text, size_t len,
	FILE *errs) __attribute__((warn_unused_result));

struct dw_config *dw_config_ref(struct dw_config *cfg);
void dw_config_unref(struct dw_config *cfg);

const struct dw_backend_config *dw_config_backend(const struct dw_config *cfg,
	const char *name);
const struct dw_user_config *dw_config_user(const struct dw_config *cfg,
	const char *name);
/* True when USER may use BACKEND (empty `backends` list = all). */
bool dw_config_user_may_use(const struct dw_user_config *user,
	const char *backend_name);

/* Writes the reference of every configuration key (Markdown: key, type,
 * default, allowed values, whether a reload applies it, meaning), generated
 * from the same tables the loader uses. docs/configuration.md embeds it. */
void dw_config_write_reference(FILE *out);

#endif
