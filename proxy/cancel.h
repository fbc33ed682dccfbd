/* Query cancellation. dbward hands each client its own BackendKeyData; a
 * CancelRequest carrying that key (arriving on any worker) is mapped to the
 * server connection serving the client at that moment and forwarded there
 * with libpq's PQcancel on a short-lived thread, never on a worker. */
#ifndef DBWARD_PROXY_CANCEL_H
#define DBWARD_PROXY_CANCEL_H

#include <stdint.h>

struct dw_cancel_handle;
struct dw_cancel_target;

/* A new target with a fresh, unique (pid, key). NULL when out of memory. */
struct dw_cancel_target *dw_cancel_register(uint32_t *pid, uint32_t *key);
/* The session is over: forget the key. */
void dw_cancel_unregister(struct dw_cancel_target *t);
/* Which server connection (its cancel handle, or NULL) serves the client now. */
void dw_cancel_set_server(struct dw_cancel_target *t, struct dw_cancel_handle *h);
/* Cancels what server connection H runs now (a statement timeout, a result
 * too large, a client gone mid-statement). */
void dw_cancel_server(struct dw_cancel_handle *h);
/* Handles a CancelRequest. Unknown keys are ignored, as the server does. */
void dw_cancel_request(uint32_t pid, uint32_t key);

#endif
