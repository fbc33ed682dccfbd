/* The `admin` section of dbward.yaml: its key table. Internal to config/. */
#ifndef DBWARD_CONFIG_CONFIG_ADMIN_H
#define DBWARD_CONFIG_CONFIG_ADMIN_H

#include "config/config_schema.h"

extern const struct dw_cfg_table dw_cfg_admin_table;

#endif
