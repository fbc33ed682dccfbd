#include "policy/sql_keywords.h"

#include <pthread.h>
#include <string.h>

struct kw_entry {
	const char *name;
	uint8_t len;
	uint32_t flags;
};

static const struct kw_entry keywords[DW_KW_COUNT] = {
	[DW_KW_NONE] = {"", 0, 0},
#define DW_KW_ENTRY(kname, kflags) [DW_KW_##kname] = {#kname, sizeof(#kname) - 1, kflags},
	DW_KEYWORDS(DW_KW_ENTRY)
#undef DW_KW_ENTRY
};

/* Longest keyword spelling: longer words are never looked up. */
#define KW_MAX_LEN 20

/* Open addressing on a hash of the upper-cased word; built once. The load
 * stays under a third, so a miss is usually decided by one empty slot. */
#define KW_SLOTS 1024u
static uint16_t kw_slots[KW_SLOTS];
static pthread_once_t kw_once = PTHREAD_ONCE_INIT;

static uint32_t kw_hash(const unsigned char *up, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ up[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void kw_build(void)
{
	for (unsigned id = 1; id < DW_KW_COUNT; id++) {
		const struct kw_entry *e = &keywords[id];
		uint32_t slot = kw_hash((const unsigned char *)e->name, e->len) & (KW_SLOTS - 1);
		while (kw_slots[slot])
			slot = (slot + 1) & (KW_SLOTS - 1);
		kw_slots[slot] = (uint16_t)id;
	}
}

enum dw_kw dw_kw_lookup(const char *p, size_t len, enum dw_sql_dialect dialect)
{
	if (len < 2 || len > KW_MAX_LEN)
		return DW_KW_NONE;
	unsigned char up[KW_MAX_LEN];
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		else if (!((c >= 'A' && c <= 'Z') || c == '_'))
			return DW_KW_NONE;   /* every keyword is letters and '_' */
		up[i] = c;
	}
	pthread_once(&kw_once, kw_build);
	uint32_t dialect_flag = dialect == DW_SQL_MYSQL ? DW_KWF_MY : DW_KWF_PG;
	for (uint32_t slot = kw_hash(up, len) & (KW_SLOTS - 1);; slot = (slot + 1) & (KW_SLOTS - 1)) {
		uint16_t id = kw_slots[slot];
		if (!id)
			return DW_KW_NONE;
		const struct kw_entry *e = &keywords[id];
		if (e->len == len && memcmp(e->name, up, len) == 0)
			return (e->flags & dialect_flag) ? (enum dw_kw)id : DW_KW_NONE;
	}
}

uint32_t dw_kw_flags(enum dw_kw kw)
{
	return (unsigned)kw < DW_KW_COUNT ? keywords[kw].flags : 0;
}

const char *dw_kw_name(enum dw_kw kw)
{
	return (unsigned)kw < DW_KW_COUNT ? keywords[kw].name : "";
}
