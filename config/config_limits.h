/* The `rate_limits` and `auth_failures` sections of dbward.yaml: their key
 * tables, and the checks that need the whole configuration. Internal to
 * config/. */
#ifndef DBWARD_CONFIG_CONFIG_LIMITS_H
#define DBWARD_CONFIG_CONFIG_LIMITS_H

#include "config/config.h"
#include "config/config_schema.h"

extern const struct dw_cfg_table dw_cfg_rate_limit_table;
extern const struct dw_cfg_table dw_cfg_auth_failures_table;

/* References from `rate_limits` to other sections (match.listener). */
void dw_cfg_check_rate_limit_refs(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_config *cfg);

#endif
