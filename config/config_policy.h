/* The `policies` section of dbward.yaml: its key tables, and the checks
 * that need the whole configuration. Internal to config/. */
#ifndef DBWARD_CONFIG_CONFIG_POLICY_H
#define DBWARD_CONFIG_CONFIG_POLICY_H

#include "config/config_schema.h"

extern const struct dw_cfg_table dw_cfg_policy_table;
/* `match` of a policy, shared by `rate_limits` (struct dw_match_config). */
extern const struct dw_cfg_table dw_cfg_match_table;

/* Finish hook of the root table: references from policies to other
 * sections (match.listener). BASE is the struct dw_config. */
void dw_cfg_check_policy_refs(struct dw_cfg_ctx *ctx, const struct dw_ynode *root,
	const struct dw_ynode *at, const char *path, void *base);

#endif
