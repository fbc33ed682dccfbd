/* See metrics.h. */
#include "proxy/metrics.h"
#include "proxy/utf8.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "dbward_version.h"
#include "policy/sql_kind.h"

const double dw_metrics_latency_bounds[DW_M_LATENCY_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};
/* The same bounds in microseconds, for the hot path. */
static const uint64_t latency_bounds_us[DW_M_LATENCY_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000,
	5000000, 10000000, 30000000,
};

static const char *const protocol_names[DW_M_PROTOCOLS] = { "postgres", "mysql" };
static const char *const class_names[DW_M_CLASSES] = { "read", "write", "admin", "unknown" };
static const char *const outcome_names[DW_M_OUTCOMES] = {
	"success", "failure", "blocked", "timeout", "rate_limited",
};
static const char *const refusal_names[DW_M_REFUSALS] = {
	"max_clients", "rate_limit", "login_failed", "locked_out", "tls_required", "login_timeout",
	"not_allowed",
};
static const char *const timeout_names[DW_M_TIMEOUTS] = {
	"query", "write", "admin", "long_query", "client_idle", "idle_in_transaction", "login",
	"pool_wait",
};
/* Every rule a policy or a result limit blocks with (policy/policy.c,
 * stmt_guard.c, pg_limits.c, my_limits.c); the last entry takes the rest. */
static const char *const rule_names[] = {
	"statements", "multi_statements", "identifiers.deny", "identifiers.allow",
	"identifiers.pattern", "identifiers.max_length", "functions", "complexity.max_joins",
	"complexity.max_subquery_depth", "complexity.max_unions", "complexity.max_in_list",
	"complexity.require_where", "complexity.max_statement_bytes", "injection.tautology",
	"injection.comment_split", "injection.stacked", "injection.union_catalog",
	"injection.time_probe", "allowlist", "unparseable", "opaque", "results.max_rows",
	"results.max_bytes", "other",
};
#define N_RULES (sizeof rule_names / sizeof rule_names[0])
static const char *const limit_names[] = {
	"queries_per_second", "max_concurrent_queries", "connections_per_second",
};
#define N_LIMITS (sizeof limit_names / sizeof limit_names[0])

/* Cell indexes in a block: the fixed part, then one group per listener. */
enum {
	C_STMT = 0,
	C_HIST = C_STMT + DW_M_PROTOCOLS * DW_M_CLASSES * DW_M_OUTCOMES,
	C_HIST_SUM = C_HIST + DW_M_PROTOCOLS * (DW_M_LATENCY_BUCKETS + 1), /* microseconds */
	C_BLOCK = C_HIST_SUM + DW_M_PROTOCOLS,
	C_RATE = C_BLOCK + N_RULES,
	C_TIMEOUT = C_RATE + N_LIMITS,
	C_FIXED = C_TIMEOUT + DW_M_TIMEOUTS,
};
enum {
	L_ACCEPTED = 0,
	L_REFUSED = 1,
	L_TLS_OK = L_REFUSED + DW_M_REFUSALS,
	L_TLS_FAILED,
	L_CELLS,
};

#define CACHE_LINE 64

/* One thread's cells. The header fills a cache line of its own, so the
 * cells start on one; blocks are sized in whole lines. */
struct block {
	struct block *next;        /* set before the block is published, then fixed */
	char pad[CACHE_LINE - sizeof(struct block *)];
	_Atomic uint64_t cells[];
};

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool inited;
static size_t n_cells;          /* written once, before `inited` */
static size_t n_listener_cells;
static double start_time;
static _Atomic(struct block *) blocks;
static _Thread_local struct block *mine;

static _Atomic uint64_t reloads[2];     /* [0] success, [1] failure */
static pthread_mutex_t hash_mu = PTHREAD_MUTEX_INITIALIZER;
static char config_hash[17] = "unknown";

void dw_metrics_init(size_t n_listeners)
{
	pthread_mutex_lock(&init_mu);
	if (!atomic_load(&inited)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
		n_listener_cells = n_listeners;
		n_cells = C_FIXED + n_listeners * L_CELLS;
		atomic_store_explicit(&inited, true, memory_order_release);
	}
	pthread_mutex_unlock(&init_mu);
}

void dw_metrics_start(const struct dw_config *cfg)
{
	char hex[17];
	dw_metrics_init(cfg->n_listeners);
	dw_metrics_hash_file(cfg->path, hex);
	dw_metrics_set_config_hash(hex);
}

/* The calling thread's block, created on its first count. NULL before
 * dw_metrics_init or when out of memory (the event goes uncounted). */
static struct block *my_block(void)
{
	if (mine)
		return mine;
	if (!atomic_load_explicit(&inited, memory_order_acquire))
		return NULL;
	size_t bytes = sizeof(struct block) + n_cells * sizeof(uint64_t);
	bytes = (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
	struct block *b = aligned_alloc(CACHE_LINE, bytes);
	if (!b)
		return NULL;
	memset(b, 0, bytes);
	pthread_mutex_lock(&init_mu);
	b->next = atomic_load_explicit(&blocks, memory_order_relaxed);
	atomic_store_explicit(&blocks, b, memory_order_release);
	pthread_mutex_unlock(&init_mu);
	mine = b;
	return b;
}

/* Only the owning thread writes a block: a load and a store, no locked
 * instruction. */
static inline void cell_add(struct block *b, size_t i, uint64_t n)
{
	_Atomic uint64_t *c = &b->cells[i];
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
		memory_order_relaxed);
}

static void count(size_t i)
{
	struct block *b = my_block();
	if (b)
		cell_add(b, i, 1);
}

static void count_listener(size_t listener, size_t cell)
{
	if (atomic_load_explicit(&inited, memory_order_acquire) && listener < n_listener_cells)
		count(C_FIXED + listener * L_CELLS + cell);
}

uint64_t dw_metrics_accepted(size_t listener)
{
	struct timespec ts;
	count_listener(listener, L_ACCEPTED);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void dw_metrics_refused(size_t listener, enum dw_m_refusal why)
{
	if ((unsigned)why < DW_M_REFUSALS)
		count_listener(listener, L_REFUSED + why);
}

void dw_metrics_tls_handshake(size_t listener, bool ok)
{
	count_listener(listener, ok ? L_TLS_OK : L_TLS_FAILED);
}

void dw_metrics_tls_end(size_t listener, const void *ssl)
{
	if (!ssl || !SSL_is_init_finished((const SSL *)ssl))
		count_listener(listener, L_TLS_FAILED);
}

enum dw_m_class dw_metrics_class(uint32_t kinds)
{
	if (kinds & DW_KIND_ADMIN)
		return DW_M_ADMIN;
	if (kinds & DW_KIND_WRITE)
		return DW_M_WRITE;
	if ((kinds & DW_KIND_READ) && !(kinds & DW_KIND_UNKNOWN))
		return DW_M_READ;
	return DW_M_UNKNOWN;
}

/* The clock of dw_now_us (backends/server.h). */
static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void dw_metrics_statement(enum dw_m_protocol p, enum dw_m_class c, enum dw_m_outcome o,
	uint64_t sent_us)
{
	if ((unsigned)p >= DW_M_PROTOCOLS || (unsigned)c >= DW_M_CLASSES ||
	    (unsigned)o >= DW_M_OUTCOMES)
		return;
	struct block *b = my_block();
	if (!b)
		return;
	cell_add(b, C_STMT + ((size_t)p * DW_M_CLASSES + c) * DW_M_OUTCOMES + o, 1);
	if (!sent_us)
		return;
	uint64_t now = now_us();
	uint64_t us = now > sent_us ? now - sent_us : 0;
	size_t i = 0;
	while (i < DW_M_LATENCY_BUCKETS && us > latency_bounds_us[i])
		i++;
	cell_add(b, C_HIST + (size_t)p * (DW_M_LATENCY_BUCKETS + 1) + i, 1);
	cell_add(b, C_HIST_SUM + p, us);
}

void dw_metrics_refused_text(enum dw_m_protocol p, const char *text, size_t len,
	enum dw_m_outcome o)
{
	uint32_t kinds = text ? dw_sql_kinds(text, len, p == DW_M_MYSQL ? DW_SQL_MYSQL
									: DW_SQL_POSTGRES)
			      : DW_KIND_UNKNOWN;
	dw_metrics_statement(p, dw_metrics_class(kinds), o, 0);
}

void dw_metrics_refused_head(enum dw_m_protocol p, struct evbuffer *in, size_t skip,
	size_t total, bool textual, enum dw_m_outcome o)
{
	const char *text = NULL;
	size_t len = 0;
	if (textual && total > skip && evbuffer_get_length(in) >= total) {
		const unsigned char *m = evbuffer_pullup(in, (ssize_t)total);
		if (m) {
			text = (const char *)m + skip;
			len = total - skip;
			const char *nul = memchr(text, '\0', len);
			if (nul)
				len = (size_t)(nul - text);
		}
	}
	dw_metrics_refused_text(p, text, len, o);
}

static size_t name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return n;
}

void dw_metrics_block(const char *rule)
{
	size_t i = name_index(rule_names, N_RULES - 1, rule);
	count(C_BLOCK + i); /* not found: N_RULES - 1, "other" */
}

void dw_metrics_rate_limited(const char *limit)
{
	size_t i = name_index(limit_names, N_LIMITS, limit);
	if (i < N_LIMITS)
		count(C_RATE + i);
}

void dw_metrics_timeout(enum dw_m_timeout t)
{
	if ((unsigned)t < DW_M_TIMEOUTS)
		count(C_TIMEOUT + t);
}

void dw_metrics_statement_timeout(const char *rule)
{
	if (rule && strncmp(rule, "timeouts.", 9) == 0)
		rule += 9;
	size_t i = name_index(timeout_names, DW_M_TIMEOUT_LONG_QUERY + 1, rule);
	dw_metrics_timeout(i <= DW_M_TIMEOUT_LONG_QUERY ? (enum dw_m_timeout)i : DW_M_TIMEOUT_QUERY);
}

void dw_metrics_reload(bool ok)
{
	atomic_fetch_add_explicit(&reloads[ok ? 0 : 1], 1, memory_order_relaxed);
}

void dw_metrics_set_config_hash(const char *hex)
{
	pthread_mutex_lock(&hash_mu);
	snprintf(config_hash, sizeof config_hash, "%s", hex ? hex : "unknown");
	pthread_mutex_unlock(&hash_mu);
}

int dw_metrics_hash_file(const char *path, char hex[17])
{
	snprintf(hex, 17, "unknown");
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : -1;
	unsigned char buf[8192];
	size_t n;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
		if (EVP_DigestUpdate(md, buf, n) != 1)
			rc = -1;
	if (ferror(f))
		rc = -1;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	if (rc == 0 && EVP_DigestFinal_ex(md, digest, &dlen) == 1 && dlen >= 8) {
		for (int i = 0; i < 8; i++)
			snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	} else {
		rc = -1;
	}
	EVP_MD_CTX_free(md);
	fclose(f);
	return rc;
}

/* ---- text rendering ---- */

/* JSON: control characters as \u00XX. Prometheus label values: newline as
 * \n, other control characters (which scrapers handle unevenly) as U+FFFD.
 * Both: \ and " escaped, invalid UTF-8 as U+FFFD, one per byte. */
static void escape(struct evbuffer *out, const char *value, bool json)
{
	static const char hex[] = "0123456789abcdef";
	static const char fffd[] = "\xef\xbf\xbd";
	const unsigned char *s = (const unsigned char *)value;
	size_t len = strlen(value), i = 0, plain = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t seq = dw_utf8_sequence(s + i, len - i);
		if (seq != 0 && c >= 0x20 && c != 0x7f && c != '"' && c != '\\') {
			i += seq;
			continue;
		}
		evbuffer_add(out, s + plain, i - plain);
		if (seq == 0) {
			if (json)
				evbuffer_add(out, "\\ufffd", 6);
			else
				evbuffer_add(out, fffd, 3);
		} else if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			evbuffer_add(out, e, 2);
		} else if (c == '\n') {
			evbuffer_add(out, "\\n", 2);
		} else if (json) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			evbuffer_add(out, e, 6);
		} else {
			evbuffer_add(out, fffd, 3);
		}
		i++;
		plain = i;
	}
	evbuffer_add(out, s + plain, len - plain);
}

void dw_prom_escape(struct evbuffer *out, const char *value)
{
	escape(out, value, false);
}

void dw_json_escape(struct evbuffer *out, const char *value)
{
	escape(out, value, true);
}

void dw_prom_family(struct evbuffer *out, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s ", name);
	/* HELP text escapes only backslash and newline. */
	for (const char *p = help; *p; p++) {
		if (*p == '\\')
			evbuffer_add(out, "\\\\", 2);
		else if (*p == '\n')
			evbuffer_add(out, "\\n", 2);
		else
			evbuffer_add(out, p, 1);
	}
	evbuffer_add_printf(out, "\n# TYPE %s %s\n", name, type);
}

static void labels_out(struct evbuffer *out, const char *const *labels, const char *le)
{
	bool any = false;
	for (size_t i = 0; labels && labels[i] && labels[i + 1]; i += 2) {
		evbuffer_add_printf(out, "%s%s=\"", any ? "," : "{", labels[i]);
		dw_prom_escape(out, labels[i + 1]);
		evbuffer_add(out, "\"", 1);
		any = true;
	}
	if (le) {
		evbuffer_add_printf(out, "%sle=\"%s\"", any ? "," : "{", le);
		any = true;
	}
	if (any)
		evbuffer_add(out, "}", 1);
}

void dw_prom_sample(struct evbuffer *out, const char *name, const char *const *labels,
	uint64_t value)
{
	evbuffer_add_printf(out, "%s", name);
	labels_out(out, labels, NULL);
	evbuffer_add_printf(out, " %" PRIu64 "\n", value);
}

void dw_prom_sample_double(struct evbuffer *out, const char *name, const char *const *labels,
	double value)
{
	evbuffer_add_printf(out, "%s", name);
	labels_out(out, labels, NULL);
	evbuffer_add_printf(out, " %.15g\n", value);
}

void dw_prom_histogram(struct evbuffer *out, const char *name, const char *const *labels,
	const double *bounds, const uint64_t *counts, size_t n, double sum)
{
	uint64_t cumulative = 0;
	char le[32];
	for (size_t i = 0; i <= n; i++) {
		cumulative += counts[i];
		if (i < n)
			snprintf(le, sizeof le, "%g", bounds[i]);
		else
			snprintf(le, sizeof le, "+Inf");
		evbuffer_add_printf(out, "%s_bucket", name);
		labels_out(out, labels, le);
		evbuffer_add_printf(out, " %" PRIu64 "\n", cumulative);
	}
	evbuffer_add_printf(out, "%s_sum", name);
	labels_out(out, labels, NULL);
	evbuffer_add_printf(out, " %.15g\n", sum);
	evbuffer_add_printf(out, "%s_count", name);
	labels_out(out, labels, NULL);
	evbuffer_add_printf(out, " %" PRIu64 "\n", cumulative);
}

/* Every block's cells added up (N_CELLS of them, zeros before init). */
static uint64_t *sum_blocks(size_t *n)
{
	bool ready = atomic_load_explicit(&inited, memory_order_acquire);
	*n = ready ? n_cells : C_FIXED;
	uint64_t *sum = calloc(*n, sizeof *sum);
	if (!sum || !ready)
		return sum;
	for (struct block *b = atomic_load_explicit(&blocks, memory_order_acquire); b; b = b->next)
		for (size_t i = 0; i < *n; i++)
			sum[i] += atomic_load_explicit(&b->cells[i], memory_order_relaxed);
	return sum;
}

static void render_listeners(struct evbuffer *out, const struct dw_metrics_view *v,
	const uint64_t *sum, size_t n_sum)
{
	dw_prom_family(out, "dbward_client_connections", "gauge",
		"Client connections open now, per listener.");
	for (size_t i = 0; i < v->n_listeners; i++) {
		const char *l[] = { "listener", v->listeners[i], NULL };
		dw_prom_sample(out, "dbward_client_connections", l, v->connections[i]);
	}
	dw_prom_family(out, "dbward_client_connections_accepted_total", "counter",
		"Client connections accepted, per listener.");
	for (size_t i = 0; i < v->n_listeners; i++) {
		const char *l[] = { "listener", v->listeners[i], NULL };
		size_t c = C_FIXED + i * L_CELLS + L_ACCEPTED;
		dw_prom_sample(out, "dbward_client_connections_accepted_total", l,
			c < n_sum ? sum[c] : 0);
	}
	dw_prom_family(out, "dbward_client_connections_refused_total", "counter",
		"Client connections refused or ended before login, per listener and reason.");
	for (size_t i = 0; i < v->n_listeners; i++) {
		for (size_t r = 0; r < DW_M_REFUSALS; r++) {
			const char *l[] = { "listener", v->listeners[i], "reason", refusal_names[r], NULL };
			size_t c = C_FIXED + i * L_CELLS + L_REFUSED + r;
			dw_prom_sample(out, "dbward_client_connections_refused_total", l,
				c < n_sum ? sum[c] : 0);
		}
	}
	dw_prom_family(out, "dbward_tls_handshakes_total", "counter",
		"Client-side TLS handshakes, per listener and result.");
	for (size_t i = 0; i < v->n_listeners; i++) {
		for (size_t r = 0; r < 2; r++) {
			const char *l[] = { "listener", v->listeners[i], "result",
				r == 0 ? "success" : "failure", NULL };
			size_t c = C_FIXED + i * L_CELLS + (r == 0 ? L_TLS_OK : L_TLS_FAILED);
			dw_prom_sample(out, "dbward_tls_handshakes_total", l, c < n_sum ? sum[c] : 0);
		}
	}
}

static void render_statements(struct evbuffer *out, const uint64_t *sum)
{
	dw_prom_family(out, "dbward_statements_total", "counter",
		"Client statements (a simple query or COM_QUERY message counts once), per protocol, "
		"operation class and outcome.");
	for (size_t p = 0; p < DW_M_PROTOCOLS; p++)
		for (size_t c = 0; c < DW_M_CLASSES; c++)
			for (size_t o = 0; o < DW_M_OUTCOMES; o++) {
				const char *l[] = { "protocol", protocol_names[p], "class", class_names[c],
					"outcome", outcome_names[o], NULL };
				dw_prom_sample(out, "dbward_statements_total", l,
					sum[C_STMT + (p * DW_M_CLASSES + c) * DW_M_OUTCOMES + o]);
			}
	dw_prom_family(out, "dbward_statement_duration_seconds", "histogram",
		"Time from sending a statement to the server to the end of its result, per protocol.");
	for (size_t p = 0; p < DW_M_PROTOCOLS; p++) {
		const char *l[] = { "protocol", protocol_names[p], NULL };
		const uint64_t *counts = sum + C_HIST + p * (DW_M_LATENCY_BUCKETS + 1);
		dw_prom_histogram(out, "dbward_statement_duration_seconds", l, dw_metrics_latency_bounds,
			counts, DW_M_LATENCY_BUCKETS, (double)sum[C_HIST_SUM + p] / 1e6);
	}
	dw_prom_family(out, "dbward_policy_blocks_total", "counter",
		"Statements blocked, per policy or result limit rule.");
	for (size_t r = 0; r < N_RULES; r++) {
		const char *l[] = { "rule", rule_names[r], NULL };
		dw_prom_sample(out, "dbward_policy_blocks_total", l, sum[C_BLOCK + r]);
	}
	dw_prom_family(out, "dbward_rate_limit_rejections_total", "counter",
		"Statements and connections refused by a rate limit, per limit.");
	for (size_t r = 0; r < N_LIMITS; r++) {
		const char *l[] = { "limit", limit_names[r], NULL };
		dw_prom_sample(out, "dbward_rate_limit_rejections_total", l, sum[C_RATE + r]);
	}
	dw_prom_family(out, "dbward_timeouts_total", "counter",
		"Time limits reached, per limit (statement limits, idle limits, login, pool wait).");
	for (size_t t = 0; t < DW_M_TIMEOUTS; t++) {
		const char *l[] = { "timeout", timeout_names[t], NULL };
		dw_prom_sample(out, "dbward_timeouts_total", l, sum[C_TIMEOUT + t]);
	}
}

static void render_pools(struct evbuffer *out, const struct dw_metrics_view *v)
{
	static const struct {
		const char *name, *help;
		size_t offset;
	} gauges[] = {
		{ "dbward_pool_active_connections", "Server connections serving a client now.",
		  offsetof(struct dw_metrics_pool, active) },
		{ "dbward_pool_idle_connections", "Idle server connections in the pool.",
		  offsetof(struct dw_metrics_pool, idle) },
		{ "dbward_pool_connecting_connections",
		  "Server connections being opened (retries waiting included).",
		  offsetof(struct dw_metrics_pool, connecting) },
		{ "dbward_pool_waiting_clients", "Clients waiting for a server connection.",
		  offsetof(struct dw_metrics_pool, waiting) },
		{ "dbward_pool_size", "Configured maximum of server connections of the pool.",
		  offsetof(struct dw_metrics_pool, size) },
	};
	for (size_t g = 0; g < sizeof gauges / sizeof gauges[0]; g++) {
		dw_prom_family(out, gauges[g].name, "gauge", gauges[g].help);
		for (size_t i = 0; i < v->n_pools; i++) {
			const struct dw_metrics_pool *p = &v->pools[i];
			const char *l[] = { "backend", p->backend, "user", p->user, "database", p->database,
				NULL };
			uint32_t value;
			memcpy(&value, (const char *)p + gauges[g].offset, sizeof value);
			dw_prom_sample(out, gauges[g].name, l, value);
		}
	}
	dw_prom_family(out, "dbward_pool_stats_complete", "gauge",
		"1 when every worker reported its pools for this scrape, 0 when one did not answer "
		"in time (the pool gauges then miss its share).");
	dw_prom_sample(out, "dbward_pool_stats_complete", NULL, v->pools_complete ? 1 : 0);
}

static void render_backends(struct evbuffer *out, const struct dw_metrics_view *v)
{
	dw_prom_family(out, "dbward_backend_circuit_state", "gauge",
		"Circuit breaker of the backend: 0 closed, 1 half-open, 2 open.");
	for (size_t i = 0; i < v->n_backends; i++) {
		const char *l[] = { "backend", v->backends[i].name, NULL };
		dw_prom_sample(out, "dbward_backend_circuit_state", l, (uint64_t)v->backends[i].circuit);
	}
	dw_prom_family(out, "dbward_backend_circuit_opened_total", "counter",
		"Times the backend's circuit opened.");
	for (size_t i = 0; i < v->n_backends; i++) {
		const char *l[] = { "backend", v->backends[i].name, NULL };
		dw_prom_sample(out, "dbward_backend_circuit_opened_total", l, v->backends[i].opened);
	}
	dw_prom_family(out, "dbward_backend_connect_failures_total", "counter",
		"Server connection attempts and health checks that could not reach the backend.");
	for (size_t i = 0; i < v->n_backends; i++) {
		const char *l[] = { "backend", v->backends[i].name, NULL };
		dw_prom_sample(out, "dbward_backend_connect_failures_total", l, v->backends[i].failures);
	}
}

void dw_metrics_render(struct evbuffer *out, const struct dw_metrics_view *v)
{
	size_t n_sum;
	uint64_t *sum = sum_blocks(&n_sum);
	if (!sum)
		return;
	const char *version[] = { "version", DBWARD_VERSION, NULL };
	dw_prom_family(out, "dbward_build_info", "gauge", "dbward build; the value is always 1.");
	dw_prom_sample(out, "dbward_build_info", version, 1);
	dw_prom_family(out, "dbward_process_start_time_seconds", "gauge",
		"Start time of the process, in seconds since the Unix epoch.");
	dw_prom_sample_double(out, "dbward_process_start_time_seconds", NULL, start_time);

	char hash[17];
	pthread_mutex_lock(&hash_mu);
	memcpy(hash, config_hash, sizeof hash);
	pthread_mutex_unlock(&hash_mu);
	const char *cfg[] = { "hash", hash, NULL };
	dw_prom_family(out, "dbward_config_info", "gauge",
		"The running configuration: first 16 hex digits of the SHA-256 of its file; always 1.");
	dw_prom_sample(out, "dbward_config_info", cfg, 1);
	dw_prom_family(out, "dbward_config_reloads_total", "counter",
		"Configuration reloads, per result.");
	const char *ok[] = { "result", "success", NULL }, *failed[] = { "result", "failure", NULL };
	dw_prom_sample(out, "dbward_config_reloads_total", ok, atomic_load(&reloads[0]));
	dw_prom_sample(out, "dbward_config_reloads_total", failed, atomic_load(&reloads[1]));

	render_listeners(out, v, sum, n_sum);
	render_statements(out, sum);
	render_pools(out, v);
	render_backends(out, v);

	dw_prom_family(out, "dbward_audit_records_written_total", "counter",
		"Audit records written to the audit log.");
	dw_prom_sample(out, "dbward_audit_records_written_total", NULL, v->audit_written);
	dw_prom_family(out, "dbward_audit_records_dropped_total", "counter",
		"Audit records dropped because the queue was full (audit.on_full: drop).");
	dw_prom_sample(out, "dbward_audit_records_dropped_total", NULL, v->audit_dropped);
	dw_prom_family(out, "dbward_audit_queue_depth", "gauge",
		"Audit records waiting to be written.");
	dw_prom_sample(out, "dbward_audit_queue_depth", NULL, v->audit_queued);
	free(sum);
}
