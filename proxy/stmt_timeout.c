/* See stmt_timeout.h. */
#include "proxy/stmt_timeout.h"

/* The limits of each kind present; 0 is "no limit" and wins. */
uint64_t dw_stmt_timeout_ms(const struct dw_timeouts *t, uint32_t kinds, bool long_running)
{
	if (!kinds)
		return 0;
	if (long_running)
		return t->long_query_ms;
	if (kinds & DW_KIND_UNKNOWN)
		kinds |= DW_KIND_READ | DW_KIND_WRITE | DW_KIND_ADMIN;
	const uint64_t limits[] = { t->query_ms, t->write_ms, t->admin_ms };
	uint64_t ms = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (!(kinds & (1u << i)))
			continue;
		if (limits[i] == 0)
			return 0;
		if (limits[i] > ms)
			ms = limits[i];
	}
	return ms;
}

const char *dw_stmt_timeout_name(const struct dw_timeouts *t, uint32_t kinds, bool long_running)
{
	if (long_running)
		return "long_query";
	uint64_t ms = dw_stmt_timeout_ms(t, kinds, false);
	if ((kinds & DW_KIND_ADMIN) && ms == t->admin_ms)
		return "admin";
	if ((kinds & DW_KIND_WRITE) && ms == t->write_ms)
		return "write";
	if ((kinds & DW_KIND_READ) && ms == t->query_ms)
		return "query";
	return ms == t->admin_ms ? "admin" : ms == t->write_ms ? "write" : "query";
}

uint64_t dw_idle_limit_ms(const struct dw_timeouts *t, bool in_tx)
{
	return in_tx && t->idle_in_transaction_ms ? t->idle_in_transaction_ms : t->client_idle_ms;
}

uint64_t dw_idle_left_ms(uint64_t limit_ms, uint64_t last_us, uint64_t now_us)
{
	uint64_t idle_ms = now_us > last_us ? (now_us - last_us) / 1000u : 0;
	return idle_ms >= limit_ms ? 0 : limit_ms - idle_ms;
}

static uint64_t name_hash(char ns, const char *name, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	h = (h ^ (unsigned char)ns) * 1099511628211ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ull;
	}
	return h | 1; /* never 0: 0 marks a free slot */
}

void dw_kind_cache_put(struct dw_kind_cache *c, char ns, const char *name, size_t len,
	uint32_t kinds)
{
	uint64_t h = name_hash(ns, name, len);
	c->e[h % DW_KIND_CACHE_SIZE].hash = h;
	c->e[h % DW_KIND_CACHE_SIZE].kinds = kinds;
}

uint32_t dw_kind_cache_get(const struct dw_kind_cache *c, char ns, const char *name, size_t len)
{
	uint64_t h = name_hash(ns, name, len);
	return c->e[h % DW_KIND_CACHE_SIZE].hash == h ? c->e[h % DW_KIND_CACHE_SIZE].kinds
						      : DW_KIND_UNKNOWN;
}
