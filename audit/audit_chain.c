/* SHA-256 and HMAC-SHA256 over one audit line and its predecessor's hash
 * (see audit_chain.h for the exact bytes). */
#include "audit/audit_chain.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_internal.h"

struct dw_audit_hasher {
	enum dw_audit_chain kind;
	EVP_MD_CTX *md;        /* sha256 */
	EVP_MAC *mac;          /* hmac-sha256 */
	EVP_MAC_CTX *mac_ctx;
	unsigned char *key;
	size_t key_len;
};

struct dw_audit_hasher *dw_audit_chain_new(enum dw_audit_chain kind, const void *key,
	size_t key_len)
{
	struct dw_audit_hasher *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->kind = kind;
	if (kind == DW_AUDIT_CHAIN_HMAC_SHA256) {
		c->key = malloc(key_len > 0 ? key_len : 1);
		c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		c->mac_ctx = c->mac != NULL ? EVP_MAC_CTX_new(c->mac) : NULL;
		if (c->key == NULL || c->mac_ctx == NULL) {
			dw_audit_chain_free(c);
			return NULL;
		}
		memcpy(c->key, key, key_len);
		c->key_len = key_len;
	} else {
		c->md = EVP_MD_CTX_new();
		if (c->md == NULL) {
			dw_audit_chain_free(c);
			return NULL;
		}
	}
	return c;
}

static void to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

bool dw_audit_chain_hash(struct dw_audit_hasher *c, const char *prev_hex, const char *line,
	size_t len, char *out_hex)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	size_t mlen = 0;

	if (c->kind == DW_AUDIT_CHAIN_HMAC_SHA256) {
		OSSL_PARAM params[2];
		char digest_name[] = "SHA256";

		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0);
		params[1] = OSSL_PARAM_construct_end();
		/* The key is set on every line: cheap next to the hashing, and no
		 * state carries over from a failed line. */
		if (EVP_MAC_init(c->mac_ctx, c->key, c->key_len, params) != 1 ||
		    EVP_MAC_update(c->mac_ctx, (const unsigned char *)prev_hex, DW_AUDIT_HASH_HEX) != 1 ||
		    EVP_MAC_update(c->mac_ctx, (const unsigned char *)line, len) != 1 ||
		    EVP_MAC_update(c->mac_ctx, (const unsigned char *)"}", 1) != 1 ||
		    EVP_MAC_final(c->mac_ctx, digest, &mlen, sizeof(digest)) != 1 || mlen != 32)
			return false;
		to_hex(digest, mlen, out_hex);
		return true;
	}
	if (EVP_DigestInit_ex(c->md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(c->md, prev_hex, DW_AUDIT_HASH_HEX) != 1 ||
	    EVP_DigestUpdate(c->md, line, len) != 1 ||
	    EVP_DigestUpdate(c->md, "}", 1) != 1 ||
	    EVP_DigestFinal_ex(c->md, digest, &dlen) != 1 || dlen != 32)
		return false;
	to_hex(digest, dlen, out_hex);
	return true;
}

void dw_audit_chain_free(struct dw_audit_hasher *c)
{
	if (c == NULL)
		return;
	if (c->key != NULL) {
		explicit_bzero(c->key, c->key_len);
		free(c->key);
	}
	EVP_MAC_CTX_free(c->mac_ctx);
	EVP_MAC_free(c->mac);
	EVP_MD_CTX_free(c->md);
	free(c);
}
