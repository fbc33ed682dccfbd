/* The admin HTTP endpoint (`admin` section, docs/admin.md): GET /metrics
 * (Prometheus), /healthz, /readyz, /pools and /sessions (JSON).
 *
 * It runs on a thread of its own with its own event loop, so a slow scraper
 * never holds up a worker. Pools and sessions belong to the workers, which
 * own them without locks: for /metrics, /pools and /sessions the admin
 * thread posts a job on every worker's loop (event_base_once) and waits at
 * most a second for the answers. Each worker copies the numbers and strings
 * of its own pools or sessions into the job, on its own thread, between two
 * events; nothing is read across threads but those copies, handed over
 * under the job's mutex. */
#ifndef DBWARD_PROXY_ADMIN_HTTP_H
#define DBWARD_PROXY_ADMIN_HTTP_H

#include "config/config.h"

struct dw_runtime;

/* Binds CFG's admin.listen and starts the thread, after dw_runtime_start
 * (the endpoint reports RT's workers, and libevent's threading must be on).
 * Does nothing when the endpoint is off. Returns 0, or -1 when it cannot
 * bind or start (logged): dbward must not run without the endpoint it was
 * told to serve. */
int dw_admin_start(struct dw_runtime *rt, struct dw_config *cfg)
	__attribute__((warn_unused_result));

/* The configuration a reload made current: readiness and the circuit gauges
 * follow its backends. Any thread. */
void dw_admin_set_config(struct dw_config *cfg);

/* Stops the thread and waits for it; before dw_runtime_stop, since the
 * endpoint reads the workers. Does nothing when it is not running. */
void dw_admin_stop(void);

#endif
