/* The `errors` section of dbward.yaml: its key table. Internal to config/. */
#ifndef DBWARD_CONFIG_CONFIG_ERRORS_H
#define DBWARD_CONFIG_CONFIG_ERRORS_H

#include "config/config_schema.h"

extern const struct dw_cfg_table dw_cfg_errors_table;

#endif
