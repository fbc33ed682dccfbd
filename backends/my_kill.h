/* Stopping a statement on a MySQL / MariaDB server: `KILL QUERY <id>` (or
 * `KILL <id>`, which also ends the connection and rolls its transaction
 * back) sent over a short-lived control connection of its own, opened with
 * Connector/C on a detached thread so a worker never blocks. The control
 * connection logs in as the server connection's own account: a user may
 * always kill its own threads. */
#ifndef DBWARD_BACKENDS_MY_KILL_H
#define DBWARD_BACKENDS_MY_KILL_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

/* Sends KILL [QUERY] CONN_ID to BACKEND as USER; errors are logged. Copies
 * what it needs: the configs may go away at once. */
void my_kill(const struct dw_backend_config *backend, const struct dw_user_config *user,
	uint32_t conn_id, bool whole_connection);

#endif
