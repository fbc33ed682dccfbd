/* The `rate_limits` and `auth_failures` sections: key tables, derived
 * defaults and the checks that need the whole configuration. How the
 * limits are counted is described in docs/limits.md. */
#include "config/config_limits.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/config.h"
#include "config/config_policy.h"

_Static_assert(sizeof(enum dw_rate_key) == sizeof(int) &&
	       sizeof(enum dw_rate_action) == sizeof(int),
	       "DW_CFG_ENUM fields are stored as int");

#define RELOAD DW_CFG_RELOADABLE
#define MS_MINUTE (60ULL * 1000)
#define MS_DAY (24 * 60 * MS_MINUTE)
/* Far above anything a database serves; the bound keeps the arithmetic of
 * the buckets (nanoseconds per token) exact. */
#define RATE_MAX 10000000u

#define K_U32(N, S, F, DEF, MIN, MAX, DOC) \
	{ .name = N, .type = DW_CFG_U32, .flags = RELOAD, .offset = offsetof(S, F), .def = DEF, \
	  .min = MIN, .max = MAX, .doc = DOC }
#define K_DURATION(N, S, F, DEF, MAX, DOC) \
	{ .name = N, .type = DW_CFG_DURATION, .flags = RELOAD, .offset = offsetof(S, F), \
	  .def = DEF, .min = 0, .max = MAX, .doc = DOC }
#define K_ENUM(N, S, F, DEF, ENUMS, DOC) \
	{ .name = N, .type = DW_CFG_ENUM, .flags = RELOAD, .offset = offsetof(S, F), .def = DEF, \
	  .enums = ENUMS, .doc = DOC }

static const struct dw_cfg_enum rate_keys[] = {
	{ "user", DW_RATE_KEY_USER }, { "client_ip", DW_RATE_KEY_CLIENT_IP },
	{ "database", DW_RATE_KEY_DATABASE }, { "global", DW_RATE_KEY_GLOBAL }, { NULL, 0 },
};
static const struct dw_cfg_enum rate_actions[] = {
	{ "reject", DW_RATE_REJECT }, { "delay", DW_RATE_DELAY }, { NULL, 0 },
};

static atomic_uint_fast64_t rate_generations;

/* `burst` defaults to one second's worth of queries, and means nothing
 * without a query rate: given alone it is most likely a mistake. */
static void finish_rate_limit(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_rate_limit_config *r = base;
	const struct dw_ynode *burst = dw_ymap_get(map, "burst");
	char key_path[DW_CFG_PATH_MAX];

	(void)at;
	r->generation = atomic_fetch_add_explicit(&rate_generations, 1, memory_order_relaxed) + 1;
	if (burst == NULL) {
		r->burst = r->queries_per_second;
		return;
	}
	if (ctx->section_clean && r->queries_per_second == 0) {
		dw_cfg_path_key(key_path, path, "burst");
		dw_cfg_error(ctx, burst, key_path, "needs queries_per_second");
	}
}

static const struct dw_cfg_key rate_limit_keys[] = {
	{ .name = "match", .type = DW_CFG_SECTION, .flags = RELOAD,
	  .offset = offsetof(struct dw_rate_limit_config, match), .sub = &dw_cfg_match_table,
	  .def_doc = "every session",
	  .doc = "Which sessions the entry applies to, with the keys of a policy's `match`: "
		 "every key given must fit. The first entry that fits a session applies to it, "
		 "chosen once, at login; an entry without limits exempts the sessions it fits." },
	K_ENUM("key", struct dw_rate_limit_config, key, "user", rate_keys,
	       "What the limits are counted per: the login `user`, the `client_ip`, the "
	       "`database` named at login, or `global` (all sessions of the entry together)."),
	K_U32("queries_per_second", struct dw_rate_limit_config, queries_per_second, "0", 0,
	      RATE_MAX, "Statements per second sent to the server (PostgreSQL Query and each "
	      "Execute; MySQL COM_QUERY and COM_STMT_EXECUTE); past it a statement is rejected "
	      "or delayed (see `action`). 0 = no limit."),
	{ .name = "burst", .type = DW_CFG_U32, .flags = RELOAD,
	  .offset = offsetof(struct dw_rate_limit_config, burst), .def_doc = "`queries_per_second`",
	  .min = 1, .max = RATE_MAX,
	  .doc = "Statements that may go at once after a quiet spell (the bucket's size); it "
		 "refills at `queries_per_second`. Needs `queries_per_second`." },
	K_U32("connections_per_second", struct dw_rate_limit_config, connections_per_second, "0", 0,
	      RATE_MAX, "New client connections per second (up to this many at once); further "
	      "clients get a too-many-connections error. 0 = no limit."),
	K_U32("max_concurrent_queries", struct dw_rate_limit_config, max_concurrent_queries, "0",
	      0, 1000000, "Statements in flight at once, from when one is sent until its result "
	      "ends; past it a statement is rejected or delayed (see `action`). 0 = no limit."),
	K_ENUM("action", struct dw_rate_limit_config, action, "reject", rate_actions,
	       "A statement past a limit: `reject` answers it with an error at once; `delay` "
	       "holds it (and the client's further input) until the limit lets it go, at most "
	       "`max_delay`, then rejects it. New connections are never delayed."),
	K_DURATION("max_delay", struct dw_rate_limit_config, max_delay_ms, "100ms", 10 * MS_MINUTE,
		   "Longest a statement is held with `action: delay`."),
};

const struct dw_cfg_table dw_cfg_rate_limit_table = {
	.item = "rate limit", .keys = rate_limit_keys,
	.n_keys = sizeof(rate_limit_keys) / sizeof(rate_limit_keys[0]),
	.finish = finish_rate_limit,
	.doc = "Token buckets on statements, concurrent statements and new connections. The "
	       "first entry whose `match` fits a session applies to it; a session no entry fits "
	       "is not limited. Counts are per dbward process; docs/limits.md says how they are "
	       "kept.",
};

static const struct dw_cfg_key auth_failures_keys[] = {
	K_U32("max", struct dw_auth_failures_config, max, "5", 0, 1000,
	      "Failed logins of one (client address, user) that start a lockout (0 = off)."),
	K_DURATION("window", struct dw_auth_failures_config, window_ms, "1m", MS_DAY,
		   "The failures must fall within this long (0 = off)."),
	K_DURATION("lockout", struct dw_auth_failures_config, lockout_ms, "5m", MS_DAY,
		   "How long the pair is then refused, even with the right password; the client "
		   "sees the usual login failure (0 = off)."),
};

const struct dw_cfg_table dw_cfg_auth_failures_table = {
	.item = "auth_failures", .keys = auth_failures_keys,
	.n_keys = sizeof(auth_failures_keys) / sizeof(auth_failures_keys[0]),
	.doc = "Login lockout, on by default: after `max` failed logins of one client address "
	       "and user name within `window`, that pair cannot log in for `lockout`. Other "
	       "users and other addresses are not affected.",
};

void dw_cfg_check_rate_limit_refs(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_config *cfg)
{
	const struct dw_ynode *seq = dw_ymap_get(root, "rate_limits");
	char item[DW_CFG_PATH_MAX], key_path[DW_CFG_PATH_MAX], q[80];

	for (size_t i = 0; i < cfg->n_rate_limits; i++) {
		const char *want = cfg->rate_limits[i].match.listener;
		bool found = false;

		if (want == NULL)
			continue;
		for (size_t j = 0; j < cfg->n_listeners && !found; j++)
			found = cfg->listeners[j].name != NULL &&
				strcmp(cfg->listeners[j].name, want) == 0;
		if (found)
			continue;
		dw_cfg_path_index(item, "rate_limits", i);
		dw_cfg_path_key(key_path, item, "match.listener");
		dw_cfg_error(ctx, seq != NULL && seq->kind == DW_YNODE_SEQ && i < seq->n ?
			     dw_ymap_get(dw_ymap_get(seq->items[i], "match"), "listener") : NULL,
			     key_path, "unknown listener \"%s\"", dw_cfg_quote(want, q, sizeof(q)));
	}
}
