/* Process metrics: counters the statement path bumps, and their Prometheus
 * text rendering (docs/admin.md lists every metric).
 *
 * Counting costs no lock and writes no shared cache line: every thread that
 * counts gets its own block of cells on first use (cache-line aligned, never
 * freed), and only that thread writes it, with relaxed atomic loads and
 * stores (plain moves on the hardware). The admin thread reads every block
 * with relaxed loads and sums them at scrape time. A scrape therefore sees
 * each counter at some recent value, never a torn one; counters of one
 * family may be a few events apart from each other.
 *
 * Hooks before dw_metrics_init (unit tests of other modules) count nothing. */
#ifndef DBWARD_PROXY_METRICS_H
#define DBWARD_PROXY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;
struct dw_config;

enum dw_m_protocol { DW_M_POSTGRES = 0, DW_M_MYSQL, DW_M_PROTOCOLS };

/* A statement's operation class, from policy/sql_kind.h's kinds. */
enum dw_m_class { DW_M_READ = 0, DW_M_WRITE, DW_M_ADMIN, DW_M_UNKNOWN, DW_M_CLASSES };

enum dw_m_outcome {
	DW_M_SUCCESS = 0,   /* the server completed it */
	DW_M_FAILURE,       /* the server answered with an error, or its batch failed */
	DW_M_BLOCKED,       /* refused by a policy, or cut by a result limit */
	DW_M_TIMEOUT,       /* cut by a statement time limit */
	DW_M_RATE_LIMITED,  /* refused by a rate limit */
	DW_M_OUTCOMES,
};

/* Why a client connection was refused (or ended before it logged in). */
enum dw_m_refusal {
	DW_M_REFUSED_MAX_CLIENTS = 0,
	DW_M_REFUSED_RATE_LIMIT,     /* connections_per_second */
	DW_M_REFUSED_LOGIN_FAILED,   /* wrong password or unknown user */
	DW_M_REFUSED_LOCKED_OUT,     /* auth_failures lockout */
	DW_M_REFUSED_TLS_REQUIRED,
	DW_M_REFUSED_LOGIN_TIMEOUT,
	DW_M_REFUSED_NOT_ALLOWED,    /* the user may not use the listener's backend */
	DW_M_REFUSALS,
};

enum dw_m_timeout {
	DW_M_TIMEOUT_QUERY = 0,
	DW_M_TIMEOUT_WRITE,
	DW_M_TIMEOUT_ADMIN,
	DW_M_TIMEOUT_LONG_QUERY,
	DW_M_TIMEOUT_CLIENT_IDLE,
	DW_M_TIMEOUT_IDLE_IN_TRANSACTION,
	DW_M_TIMEOUT_LOGIN,
	DW_M_TIMEOUT_POOL_WAIT,
	DW_M_TIMEOUTS,
};

/* Sizes the per-thread blocks for N_LISTENERS listeners and notes the start
 * time. Once per process; later calls change nothing. */
void dw_metrics_init(size_t n_listeners);
/* At startup: dw_metrics_init for CFG's listeners, and CFG's file hash. */
void dw_metrics_start(const struct dw_config *cfg);

/* ---- hooks (any thread; cheap) ---- */

/* A client was accepted. Returns the wall-clock time in milliseconds since
 * the epoch: when the session started, for the admin API. */
uint64_t dw_metrics_accepted(size_t listener);
void dw_metrics_refused(size_t listener, enum dw_m_refusal why);
void dw_metrics_tls_handshake(size_t listener, bool ok);
/* A session ends with TLS started (SSL, NULL when its filter never came
 * up): a handshake that did not finish counts as failed. */
void dw_metrics_tls_end(size_t listener, const void *ssl);

/* The class of a message whose statements are of KINDS (dw_sql_kinds): the
 * strongest of them, admin > write > unknown > read; unknown for none. */
enum dw_m_class dw_metrics_class(uint32_t kinds);

/* A statement ended with OUTCOME. SENT_US (dw_now_us() when it went to the
 * server) puts its duration in the latency histogram; 0 when it never
 * reached the server (refused). */
void dw_metrics_statement(enum dw_m_protocol p, enum dw_m_class c, enum dw_m_outcome o,
	uint64_t sent_us);
/* A refused statement whose text is LEN bytes at TEXT (NULL: not known). */
void dw_metrics_refused_text(enum dw_m_protocol p, const char *text, size_t len,
	enum dw_m_outcome o);
/* A refused statement at the head of IN: TOTAL bytes, its SQL text from
 * offset SKIP (a simple Query or a COM_QUERY; NUL-terminated or not).
 * TEXTUAL false: a message without text (Execute, COM_STMT_EXECUTE). */
void dw_metrics_refused_head(enum dw_m_protocol p, struct evbuffer *in, size_t skip,
	size_t total, bool textual, enum dw_m_outcome o);

/* A statement blocked by policy rule RULE ("statements", "results.max_rows",
 * ...; unknown names count as "other"). */
void dw_metrics_block(const char *rule);
/* A rate limit refused something: LIMIT is "queries_per_second",
 * "max_concurrent_queries" or "connections_per_second". */
void dw_metrics_rate_limited(const char *limit);
void dw_metrics_timeout(enum dw_m_timeout t);
/* A statement time limit by its rule name ("timeouts.query", "query"...). */
void dw_metrics_statement_timeout(const char *rule);

/* A configuration reload ended (OK: applied). */
void dw_metrics_reload(bool ok);
/* The running configuration: the first 16 hex digits of the SHA-256 of its
 * file (dw_metrics_hash_file). */
void dw_metrics_set_config_hash(const char *hex);
/* Fills HEX with the first 16 hex digits of the SHA-256 of the file at
 * PATH. Returns 0, or -1 when it cannot be read (HEX is then "unknown"). */
int dw_metrics_hash_file(const char *path, char hex[17]);

/* ---- rendering ---- */

/* What only the admin thread knows at scrape time, besides the counters. */
struct dw_metrics_pool {
	const char *backend, *user, *database;
	uint32_t active, idle, connecting, waiting, size;
};
struct dw_metrics_backend {
	const char *name;
	int circuit;           /* 0 closed, 1 half-open, 2 open */
	uint64_t opened;       /* times the circuit opened */
	uint64_t failures;     /* failed connection attempts */
};
struct dw_metrics_view {
	const char *const *listeners;       /* names, n_listeners of them */
	const uint64_t *connections;        /* current clients per listener */
	size_t n_listeners;
	const struct dw_metrics_pool *pools;
	size_t n_pools;
	bool pools_complete;                /* every worker answered */
	const struct dw_metrics_backend *backends;
	size_t n_backends;
	uint64_t audit_written, audit_dropped, audit_queued;
};

/* Writes every metric in the text exposition format 0.0.4. */
void dw_metrics_render(struct evbuffer *out, const struct dw_metrics_view *v);

/* Building blocks, exposed for the unit tests. */
/* `# HELP` and `# TYPE` lines of family NAME (TYPE counter, gauge or histogram). */
void dw_prom_family(struct evbuffer *out, const char *name, const char *type, const char *help);
/* One sample: NAME, labels from LABELS (name, value, name, value..., NULL;
 * may be NULL), VALUE. Label values are escaped; invalid UTF-8 becomes
 * U+FFFD. */
void dw_prom_sample(struct evbuffer *out, const char *name, const char *const *labels,
	uint64_t value);
void dw_prom_sample_double(struct evbuffer *out, const char *name, const char *const *labels,
	double value);
/* A histogram's samples: COUNTS[i] observations in bucket i (at most
 * BOUNDS[i], above BOUNDS[i-1]) for i < N, COUNTS[N] above the last bound;
 * written cumulative with `le`, then +Inf, _sum (SUM) and _count. */
void dw_prom_histogram(struct evbuffer *out, const char *name, const char *const *labels,
	const double *bounds, const uint64_t *counts, size_t n, double sum);
/* The inside of a quoted label value: \ " and newline escaped. */
void dw_prom_escape(struct evbuffer *out, const char *value);
/* The inside of a JSON string. */
void dw_json_escape(struct evbuffer *out, const char *value);

/* The latency buckets, in seconds. */
#define DW_M_LATENCY_BUCKETS 15
extern const double dw_metrics_latency_bounds[DW_M_LATENCY_BUCKETS];

#endif
