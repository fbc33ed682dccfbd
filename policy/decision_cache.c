/* Direct-mapped verdict cache and the keyed hash of session contexts. */
#include "policy/decision_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct cache_entry {
	struct dw_decision_key key;  /* generation 0 = empty slot */
	struct dw_verdict verdict;
};

struct dw_decision_cache {
	size_t mask;
	struct cache_entry *entries;
};

struct dw_decision_cache *dw_decision_cache_new(size_t entries)
{
	struct dw_decision_cache *c = calloc(1, sizeof(*c));
	size_t n = 1;

	if (c == NULL)
		return NULL;
	while (n < entries && n < ((size_t)1 << 24))
		n <<= 1;
	c->entries = calloc(n, sizeof(*c->entries));
	if (c->entries == NULL) {
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	return c;
}

void dw_decision_cache_free(struct dw_decision_cache *c)
{
	if (c == NULL)
		return;
	free(c->entries);
	free(c);
}

static size_t slot_of(const struct dw_decision_cache *c, const struct dw_decision_key *k)
{
	uint64_t h = k->fingerprint ^ (k->generation * 0x9e3779b97f4a7c15ULL) ^
		     (k->context * 0xc2b2ae3d27d4eb4fULL) ^ (uint64_t)(uintptr_t)k->policy;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)h & c->mask;
}

static bool same_key(const struct dw_decision_key *a, const struct dw_decision_key *b)
{
	return a->policy == b->policy && a->generation == b->generation &&
	       a->fingerprint == b->fingerprint && a->context == b->context;
}

bool dw_decision_cache_get(const struct dw_decision_cache *c, const struct dw_decision_key *k,
	struct dw_verdict *out)
{
	const struct cache_entry *e;

	if (c == NULL || k->generation == 0)
		return false;
	e = &c->entries[slot_of(c, k)];
	if (!same_key(&e->key, k))
		return false;
	*out = e->verdict;
	return true;
}

void dw_decision_cache_put(struct dw_decision_cache *c, const struct dw_decision_key *k,
	const struct dw_verdict *v)
{
	struct cache_entry *e;

	if (c == NULL || k->generation == 0)
		return;
	e = &c->entries[slot_of(c, k)];
	e->key = *k;
	e->verdict = *v;
}

/* SipHash-2-4 (Aumasson and Bernstein), written from the paper. */
static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

static uint64_t siphash24(const uint64_t key[2], const unsigned char *in, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t m, b = (uint64_t)len << 56;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		m = 0;
		for (unsigned j = 0; j < 8; j++)
			m |= (uint64_t)in[i + j] << (8 * j);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (unsigned j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (int r = 0; r < 4; r++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t context_key[2];
static pthread_once_t context_key_once = PTHREAD_ONCE_INIT;

static void init_context_key(void)
{
	if (getrandom(context_key, sizeof(context_key), 0) != (ssize_t)sizeof(context_key)) {
		/* Without the kernel's randomness the key is merely hard to
		 * guess; the cache stays correct either way, since the key
		 * only guards against chosen collisions. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		context_key[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)&ts;
		context_key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)context_key;
	}
}

uint64_t dw_decision_context(const struct dw_sql_options *opts, const char *current_db)
{
	unsigned char buf[260];
	size_t n = 0;

	pthread_once(&context_key_once, init_context_key);
	buf[n++] = (unsigned char)opts->dialect;
	buf[n++] = (unsigned char)(opts->standard_conforming_strings | opts->ansi_quotes << 1 |
				   opts->no_backslash_escapes << 2);
	/* Only MySQL resolves unqualified names against the current database. */
	if (opts->dialect == DW_SQL_MYSQL && current_db != NULL) {
		size_t len = strlen(current_db);
		if (len > sizeof(buf) - n) {
			/* Longer than any database name a server accepts: hash it
			 * apart and feed the result in. */
			uint64_t h = siphash24(context_key, (const unsigned char *)current_db, len);
			memcpy(buf + n, &h, sizeof(h));
			n += sizeof(h);
		} else {
			memcpy(buf + n, current_db, len);
			n += len;
		}
	}
	return siphash24(context_key, buf, n);
}
