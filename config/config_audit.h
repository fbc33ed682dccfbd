/* The `audit` section of dbward.yaml: its key table. Internal to config/. */
#ifndef DBWARD_CONFIG_CONFIG_AUDIT_H
#define DBWARD_CONFIG_CONFIG_AUDIT_H

#include "config/config_schema.h"

extern const struct dw_cfg_table dw_cfg_audit_table;

#endif
