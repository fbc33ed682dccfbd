/* Live reload (SIGHUP). The main thread loads and checks the new file while
 * the workers go on; then, under the runtime's config mutex, the new
 * configuration replaces the old for new sessions and the listeners' TLS
 * contexts are rebuilt (renewed certificates). Sessions already open notice
 * the new serial before their next statement and adopt it (pg_session.c,
 * my_session.c): policies, time and result limits, rate limits, error
 * handling and audit statement text apply to them at once; their server
 * connections and pools stay as they logged in with until they end.
 *
 * Listeners may be added after the existing ones: their sockets are opened
 * (one per worker) before anything changes, and handed to the workers once
 * the new configuration is in place. What a running process cannot change
 * (the worker count, removing a listener or changing its name, protocol or
 * address, where and how the audit trail is written) makes the reload fail,
 * with the reason in the log and the audit trail; the running configuration
 * stays. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "policy/policy.h"
#include "proxy/admin_http.h"
#include "proxy/log.h"
#include "proxy/metrics.h"
#include "proxy/session_info.h"
#include "proxy/tls.h"
#include "proxy/worker.h"

struct dw_config *dw_runtime_config(struct dw_runtime *rt)
{
	pthread_mutex_lock(&rt->cfg_mu);
	struct dw_config *c = dw_config_ref(rt->cfg);
	pthread_mutex_unlock(&rt->cfg_mu);
	return c;
}

SSL *dw_runtime_tls_new(struct dw_runtime *rt, size_t listener)
{
	pthread_mutex_lock(&rt->cfg_mu);
	SSL_CTX *ctx = listener < rt->cfg->n_listeners ? rt->listeners[listener].tls : NULL;
	SSL *ssl = ctx ? SSL_new(ctx) : NULL; /* the SSL holds its own reference */
	pthread_mutex_unlock(&rt->cfg_mu);
	return ssl;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* True when NEW can replace OLD in this process (listeners may be added,
 * up to LISTENERS_CAP); else false with the reason in WHY. */
static bool compatible(const struct dw_config *old, const struct dw_config *new,
	size_t listeners_cap, char *why, size_t cap)
{
	if (new->workers != old->workers) {
		snprintf(why, cap, "workers: a change needs a restart (%u running)", old->workers);
		return false;
	}
	if (new->n_listeners < old->n_listeners) {
		snprintf(why, cap, "listeners: removing a listener needs a restart");
		return false;
	}
	if (new->n_listeners > listeners_cap) {
		snprintf(why, cap, "listeners: more than %zu added since the start need a restart",
			listeners_cap - old->n_listeners);
		return false;
	}
	for (size_t i = 0; i < old->n_listeners; i++) {
		const struct dw_listener_config *a = &old->listeners[i], *b = &new->listeners[i];
		if (strcmp(a->name, b->name) != 0 || a->protocol != b->protocol ||
		    !same_text(a->listen.text, b->listen.text)) {
			snprintf(why, cap, "listeners[%zu]: a new name, protocol or address needs a restart "
				"(new listeners go after the existing ones)", i);
			return false;
		}
	}
	const struct dw_audit_config *x = &old->audit, *y = &new->audit;
	if (!same_text(x->path, y->path) || x->chain != y->chain || x->queue != y->queue ||
	    x->syslog_enabled != y->syslog_enabled ||
	    (x->syslog_enabled && (!same_text(x->syslog_address.text, y->syslog_address.text) ||
				   x->syslog_tcp != y->syslog_tcp)) ||
	    x->chain_key_len != y->chain_key_len ||
	    (x->chain_key_len && memcmp(x->chain_key, y->chain_key, x->chain_key_len) != 0)) {
		snprintf(why, cap, "audit: path, chain, chain key, queue and syslog need a restart");
		return false;
	}
	return true;
}

static void refuse(const char *path, const char *why)
{
	dw_error("reload of %s refused, the running configuration stays: %s", path, why);
	dw_audit_note_reload(false, why);
	dw_metrics_reload(false);
}

bool dw_runtime_reload(struct dw_runtime *rt, const char *path)
{
	char *errs = NULL;
	size_t errs_len = 0;
	FILE *f = open_memstream(&errs, &errs_len);
	struct dw_config *cfg = dw_config_load(path, f);
	if (f)
		fclose(f);
	if (!cfg) {
		/* Every error on its own line, as --check-config prints them. */
		size_t n = 0;
		for (char *line = errs ? strtok(errs, "\n") : NULL; line; line = strtok(NULL, "\n"), n++)
			dw_error("reload: %s", line);
		char why[64];
		snprintf(why, sizeof why, "invalid configuration (%zu error%s)", n, n == 1 ? "" : "s");
		refuse(path, why);
		free(errs);
		return false;
	}
	free(errs);
	char why[256] = "";
	if (!compatible(rt->cfg, cfg, rt->listeners_cap, why, sizeof why)) {
		refuse(path, why);
		dw_config_unref(cfg);
		return false;
	}
	/* Contexts first: a certificate that does not load refuses the reload. */
	SSL_CTX **ctxs = calloc(cfg->n_listeners ? cfg->n_listeners : 1, sizeof *ctxs);
	if (!ctxs) {
		refuse(path, "out of memory");
		dw_config_unref(cfg);
		return false;
	}
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		if (cfg->listeners[i].tls.mode == DW_TLS_DISABLE)
			continue;
		ctxs[i] = dw_tls_server_ctx(&cfg->listeners[i]);
		if (!ctxs[i]) {
			snprintf(why, sizeof why, "listeners[%zu].tls: the certificate or key cannot be used", i);
			for (size_t k = 0; k < i; k++)
				SSL_CTX_free(ctxs[k]);
			free(ctxs);
			refuse(path, why);
			dw_config_unref(cfg);
			return false;
		}
	}
	/* Sockets of added listeners, one per worker, opened before anything
	 * changes: a port in use refuses the reload. */
	size_t first_new = rt->cfg->n_listeners, n_new = cfg->n_listeners - first_new;
	int *fds = n_new ? malloc(n_new * rt->n_workers * sizeof *fds) : NULL;
	if (n_new && !fds)
		snprintf(why, sizeof why, "out of memory");
	for (size_t i = 0; fds && i < n_new * rt->n_workers; i++)
		fds[i] = -2;
	for (size_t i = 0; fds && i < n_new && !*why; i++) {
		const struct dw_listener_config *l = &cfg->listeners[first_new + i];
		for (size_t w = 0; w < rt->n_workers && !*why; w++) {
			int fd = dw_listen_socket(l, w == 0);
			fds[i * rt->n_workers + w] = fd;
			if (fd == -1)
				snprintf(why, sizeof why, "listeners[%zu]: cannot listen on %s: %s",
					first_new + i, l->listen.text, strerror(errno));
		}
	}
	if (*why) {
		for (size_t i = 0; fds && i < n_new * rt->n_workers; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		free(fds);
		for (size_t i = 0; i < cfg->n_listeners; i++)
			SSL_CTX_free(ctxs[i]);
		free(ctxs);
		refuse(path, why);
		dw_config_unref(cfg);
		return false;
	}
	pthread_mutex_lock(&rt->cfg_mu);
	struct dw_config *old = rt->cfg;
	rt->cfg = cfg;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		SSL_CTX *prev = rt->listeners[i].tls;
		rt->listeners[i].tls = ctxs[i];
		ctxs[i] = prev; /* freed below, outside the lock */
	}
	atomic_store(&rt->cfg_serial, cfg->serial);
	pthread_mutex_unlock(&rt->cfg_mu);
	for (size_t i = 0; i < cfg->n_listeners; i++)
		SSL_CTX_free(ctxs[i]); /* sessions' SSL objects hold their own references */
	free(ctxs);
	for (size_t i = 0; i < n_new; i++) {
		for (size_t w = 0; w < rt->n_workers; w++)
			if (fds[i * rt->n_workers + w] >= 0)
				dw_worker_add_listener(&rt->workers[w], first_new + i,
					fds[i * rt->n_workers + w]);
		dw_info("listening on %s (%s, %s)", cfg->listeners[first_new + i].listen.text,
			cfg->listeners[first_new + i].name,
			cfg->listeners[first_new + i].protocol == DW_PROTO_POSTGRES ? "postgres" : "mysql");
	}
	free(fds);
	dw_audit_apply_config(cfg);
	dw_config_unref(old);
	dw_admin_set_config(cfg); /* readiness and breaker gauges follow the new backends */
	char hex[17];
	if (dw_metrics_hash_file(path, hex) == 0)
		dw_metrics_set_config_hash(hex);
	dw_metrics_reload(true);
	dw_info("configuration reloaded from %s", path);
	dw_audit_note_reload(true, NULL);
	return true;
}

bool dw_session_adopt(struct dw_runtime *rt, const struct dw_session_cfg *sc)
{
	struct dw_config *n = dw_runtime_config(rt);
	struct dw_config *old = *sc->cfg;
	*sc->seen = n->serial;
	const struct dw_backend_config *b = dw_config_backend(n, (*sc->backend)->name);
	const struct dw_user_config *u = *sc->ucfg ? dw_config_user(n, (*sc->ucfg)->name) : NULL;
	if (sc->listener_index >= n->n_listeners || !b || (*sc->ucfg && !u)) {
		dw_info("session %llu: keeps the configuration it started with: its %s is not in the "
			"new one", (unsigned long long)sc->session, !b ? "backend" : "user");
		dw_config_unref(n);
		return false;
	}
	*sc->listener = &n->listeners[sc->listener_index];
	*sc->backend = b;
	*sc->ucfg = u;
	*sc->cfg = n;
	/* The policy of the new configuration; how the server reads quotes
	 * and whether the statement at the head was judged stay as they are. */
	*sc->policy = dw_policy_select(n, &(struct dw_policy_subject){
		.user = sc->who->user, .database = sc->who->database,
		.listener = sc->who->listener, .client = sc->who->client });
	/* Something of the session still points into the old configuration
	 * (its rate-limit entry): the first such one is kept until the end. */
	if (sc->keep_old && !*sc->keep)
		*sc->keep = old;
	else
		dw_config_unref(old);
	return true;
}
