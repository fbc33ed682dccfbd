/* The `admin` section: where the HTTP endpoint for metrics, health checks
 * and the pool and session lists listens (docs/admin.md).
 *
 * The endpoint runs only when the section is present: an upgrade never
 * starts listening on a port nobody asked for (9187 is a common exporter
 * port), and a second dbward on the same host does not fail to start over
 * it. `enabled: false` turns it off while keeping the section. */
#include "config/config_admin.h"

#include <stddef.h>

#include "config/config.h"

static void check_listen(struct dw_cfg_ctx *ctx, const struct dw_ynode *node, const char *path,
	void *field)
{
	const struct dw_address *a = field;

	if (a->unix_path != NULL)
		dw_cfg_error(ctx, node, path, "expected host:port or [ipv6]:port: the admin "
			     "endpoint does not listen on unix sockets");
}

/* The defaults turn the endpoint on; an absent section turns it off. A
 * section written without keys (`admin:` or `admin: {}`) is present. MAP is
 * NULL both when the section is absent and when it is an empty value; only
 * then is AT the enclosing mapping rather than the section's own node. */
static void finish_admin(struct dw_cfg_ctx *ctx, const struct dw_ynode *map,
	const struct dw_ynode *at, const char *path, void *base)
{
	struct dw_admin_config *a = base;

	(void)ctx;
	(void)path;
	if (map == NULL && (at == NULL || at->kind == DW_YNODE_MAP))
		a->enabled = false;
}

static const struct dw_cfg_key admin_keys[] = {
	{ .name = "enabled", .type = DW_CFG_BOOL, .offset = offsetof(struct dw_admin_config, enabled),
	  .def = "true",
	  .doc = "Serve the admin endpoint. Without an `admin` section it is off; with one it is "
		 "on unless this says `false`." },
	{ .name = "listen", .type = DW_CFG_ADDRESS,
	  .offset = offsetof(struct dw_admin_config, listen), .def = "127.0.0.1:9187",
	  .check = check_listen,
	  .doc = "Address of the HTTP endpoint: `host:port` or `[ipv6]:port` (no unix sockets). "
		 "It has no authentication: keep it on loopback or a management network. Must "
		 "not overlap a listener; failing to bind it stops dbward at startup." },
};

const struct dw_cfg_table dw_cfg_admin_table = {
	.item = "admin",
	.keys = admin_keys,
	.n_keys = sizeof(admin_keys) / sizeof(admin_keys[0]),
	.finish = finish_admin,
	.doc = "HTTP endpoint for Prometheus metrics, health and readiness checks, and the "
	       "pool and session lists (docs/admin.md). Off unless this section is present.",
};
