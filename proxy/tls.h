/* Server-side TLS contexts for client connections. */
#ifndef DBWARD_PROXY_TLS_H
#define DBWARD_PROXY_TLS_H

#include <openssl/ssl.h>

#include "config/config.h"

/* Builds a context from the listener's certificate and key (TLS 1.2+).
 * Returns NULL with the reason logged. */
SSL_CTX *dw_tls_server_ctx(const struct dw_listener_config *l);

#endif
