#include "proxy/pg_params.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

void pg_params_clear(struct pg_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].name);
		free(p->items[i].value);
	}
	free(p->items);
	p->items = NULL;
	p->n = 0;
	p->cap = 0;
	p->version++;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t pg_params_signature(struct pg_params *p)
{
	if (p->sig_version == p->version + 1)
		return p->sig;
	uint64_t sig = mix64(p->n);
	for (size_t i = 0; i < p->n; i++) {
		/* Name and value hashed apart, so their boundary cannot shift. */
		uint64_t hn = 1469598103934665603ull, hv = 1469598103934665603ull;
		for (const char *c = p->items[i].name; *c; c++)
			hn = (hn ^ (uint8_t)tolower((unsigned char)*c)) * 1099511628211ull;
		for (const char *c = p->items[i].value; *c; c++)
			hv = (hv ^ (uint8_t)*c) * 1099511628211ull;
		sig += mix64(hn ^ mix64(hv + 0x9e3779b97f4a7c15ull));
	}
	p->sig = sig;
	p->sig_version = p->version + 1;
	return sig;
}

static struct pg_param *find(const struct pg_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcasecmp(p->items[i].name, name) == 0)
			return (struct pg_param *)&p->items[i];
	return NULL;
}

const char *pg_params_get(const struct pg_params *p, const char *name)
{
	const struct pg_param *it = find(p, name);
	return it ? it->value : NULL;
}

bool pg_params_set(struct pg_params *p, const char *name, const char *value)
{
	struct pg_param *it = find(p, name);
	if (it) {
		if (strcmp(it->value, value) == 0)
			return true;
		char *v = strdup(value);
		if (!v)
			return false;
		free(it->value);
		it->value = v;
		p->version++;
		return true;
	}
	if (p->n == PG_PARAMS_MAX)
		return false;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct pg_param *items = realloc(p->items, cap * sizeof *items);
		if (!items)
			return false;
		p->items = items;
		p->cap = cap;
	}
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return false;
	}
	p->items[p->n].name = n;
	p->items[p->n].value = v;
	p->n++;
	p->version++;
	return true;
}

void pg_params_copy(struct pg_params *dst, const struct pg_params *src)
{
	pg_params_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		if (!pg_params_set(dst, src->items[i].name, src->items[i].value))
			break;
}

bool pg_param_is_reserved(const char *name)
{
	static const char *const reserved[] = {
		"user", "database", "replication", "options", "session_authorization", "role",
	};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcasecmp(name, reserved[i]) == 0)
			return true;
	return false;
}

bool pg_param_is_read_only(const char *name)
{
	static const char *const ro[] = {"is_superuser", "server_version", "server_encoding",
		"integer_datetimes", "in_hot_standby", "session_authorization", NULL};
	for (size_t i = 0; ro[i]; i++)
		if (strcasecmp(ro[i], name) == 0)
			return true;
	return false;
}

/* Next whitespace-separated word of OPTIONS with backslash escapes removed. */
static const char *next_word(const char *s, char *word, size_t cap, bool *too_long)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = 0;
	*too_long = false;
	while (*s && *s != ' ' && *s != '\t') {
		if (*s == '\\' && s[1])
			s++;
		if (n + 1 >= cap) {
			*too_long = true;
			return s;
		}
		word[n++] = *s++;
	}
	word[n] = '\0';
	return s;
}

static bool add_assignment(struct pg_params *p, const char *assign)
{
	const char *eq = strchr(assign, '=');
	if (!eq || eq == assign)
		return false;
	char name[128];
	size_t nl = (size_t)(eq - assign);
	if (nl >= sizeof name)
		return false;
	memcpy(name, assign, nl);
	name[nl] = '\0';
	/* "--work-mem=1MB" spells work_mem with dashes. */
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	if (pg_param_is_reserved(name))
		return false;
	return pg_params_set(p, name, eq + 1);
}

bool pg_params_from_options(struct pg_params *p, const char *options)
{
	char word[1024];
	bool too_long;
	const char *s = options;
	for (;;) {
		s = next_word(s, word, sizeof word, &too_long);
		if (too_long)
			return false;
		if (!word[0])
			return true;
		if (strcmp(word, "-c") == 0) {
			s = next_word(s, word, sizeof word, &too_long);
			if (too_long || !word[0] || !add_assignment(p, word))
				return false;
		} else if (strncmp(word, "-c", 2) == 0) {
			if (!add_assignment(p, word + 2))
				return false;
		} else if (strncmp(word, "--", 2) == 0) {
			if (!add_assignment(p, word + 2))
				return false;
		} else {
			return false;
		}
	}
}

/* The first occurrence of TAG in VALUE followed by TAG is the closing one:
 * then VALUE is safe inside that dollar quote. */
static bool tag_fits(const char *value, const char *tag)
{
	size_t vl = strlen(value), tl = strlen(tag);
	for (const char *p = strstr(value, "$"); p; p = strchr(p + 1, '$')) {
		/* Does TAG start at P, reading into the closing tag if needed? */
		size_t avail = vl - (size_t)(p - value);
		size_t n = avail < tl ? avail : tl;
		if (memcmp(p, tag, n) == 0 && (n == tl || memcmp(tag, tag + n, tl - n) == 0))
			return false;
	}
	return true;
}

/* Dollar-quotes VALUE with a tag that cannot end the quote early, so the
 * result is right whatever standard_conforming_strings says. */
static void put_literal(struct evbuffer *sql, const char *value)
{
	if (!sql)
		return;
	char tag[32] = "$dw$";
	for (unsigned i = 0; !tag_fits(value, tag); i++)
		snprintf(tag, sizeof tag, "$dw%u$", i);
	evbuffer_add_printf(sql, "%s%s%s", tag, value, tag);
}

static void put_ident(struct evbuffer *sql, const char *name)
{
	if (!sql)
		return;
	evbuffer_add(sql, "\"", 1);
	for (const char *c = name; *c; c++) {
		if (*c == '"')
			evbuffer_add(sql, "\"", 1);
		evbuffer_add(sql, c, 1);
	}
	evbuffer_add(sql, "\"", 1);
}

size_t pg_params_sync_sql(const struct pg_params *wants, const struct pg_params *current,
	const struct pg_params *pristine, struct evbuffer *sql)
{
	/* set_config() takes the value as the startup packet would (list values
	 * like search_path parse the same), unlike a quoted SET literal. */
	size_t n = 0;
	for (size_t i = 0; i < wants->n; i++) {
		const char *have = pg_params_get(current, wants->items[i].name);
		if (have && strcmp(have, wants->items[i].value) == 0)
			continue;
		n++;
		if (!sql)
			continue;
		evbuffer_add_printf(sql, n > 1 ? ", " : "SELECT ");
		evbuffer_add_printf(sql, "pg_catalog.set_config(");
		put_literal(sql, wants->items[i].name);
		evbuffer_add_printf(sql, ", ");
		put_literal(sql, wants->items[i].value);
		evbuffer_add_printf(sql, ", false)");
	}
	if (n && sql)
		evbuffer_add(sql, ";", 1);
	for (size_t i = 0; i < current->n; i++) {
		const char *name = current->items[i].name;
		if (pg_params_get(wants, name) || pg_param_is_read_only(name))
			continue;
		const char *orig = pg_params_get(pristine, name);
		if (orig && strcmp(orig, current->items[i].value) == 0)
			continue;
		n++;
		if (!sql)
			continue;
		if (strlen(name) < 64) {
			evbuffer_add_printf(sql, "RESET ");
			put_ident(sql, name);
			evbuffer_add(sql, ";", 1);
		} else {
			/* The server cuts identifiers at 63 bytes, so RESET would name
			 * another setting: empty it through set_config instead. */
			evbuffer_add_printf(sql, "SELECT pg_catalog.set_config(");
			put_literal(sql, name);
			evbuffer_add_printf(sql, ", ");
			put_literal(sql, orig ? orig : "");
			evbuffer_add_printf(sql, ", false);");
		}
	}
	return n;
}

void pg_params_after_sync(const struct pg_params *wants, struct pg_params *current,
	const struct pg_params *pristine)
{
	pg_params_copy(current, pristine);
	for (size_t i = 0; i < wants->n; i++)
		if (!pg_params_set(current, wants->items[i].name, wants->items[i].value))
			break;
}
