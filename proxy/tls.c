#include "proxy/tls.h"

#include <openssl/err.h>

#include "proxy/log.h"

static void log_ssl_error(const char *what, const char *name)
{
	char buf[256];
	unsigned long e = ERR_get_error();
	ERR_error_string_n(e, buf, sizeof buf);
	dw_error("listener %s: %s: %s", name, what, e ? buf : "unknown error");
	ERR_clear_error();
}

SSL_CTX *dw_tls_server_ctx(const struct dw_listener_config *l)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		log_ssl_error("cannot create TLS context", l->name);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, l->tls.cert_file) != 1) {
		log_ssl_error("cannot load tls.cert_file", l->name);
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, l->tls.key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_ssl_error("cannot load tls.key_file", l->name);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}
