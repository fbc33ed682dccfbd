/* Client networks, identifier rules and allowlist files of `policies`. */
#include "config/policy_syntax.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/yaml_tree.h"

const char *dw_cidr_parse(const char *text, struct dw_cidr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t host_len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned max, prefix;
	int family;
	uint8_t addr[16] = { 0 };

	if (host_len == 0)
		return "expected an address or a network such as 10.0.0.0/8";
	if (host_len >= sizeof(host))
		return "not an IPv4 or IPv6 address";
	memcpy(host, text, host_len);
	host[host_len] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1) {
		family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		family = AF_INET6;
		max = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	prefix = max;
	if (slash != NULL) {
		const char *p = slash + 1;
		if (*p == '\0')
			return "missing prefix length after '/'";
		prefix = 0;
		for (size_t i = 0; p[i] != '\0'; i++) {
			if (p[i] < '0' || p[i] > '9' || i >= 3)
				return "prefix length must be a number";
			prefix = prefix * 10 + (unsigned)(p[i] - '0');
		}
		if (prefix > max)
			return family == AF_INET ? "prefix length must be between 0 and 32"
						 : "prefix length must be between 0 and 128";
	}
	/* 10.0.0.1/8 is most likely a typo for a host or for 10.0.0.0/8:
	 * refuse rather than guess which. */
	for (unsigned bit = prefix; bit < max; bit++)
		if (addr[bit / 8] & (0x80u >> (bit % 8)))
			return "address has bits set beyond the prefix length";
	out->family = family;
	memcpy(out->addr, addr, sizeof(out->addr));
	out->prefix = (uint8_t)prefix;
	return NULL;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Reads one part of a rule at *P into a new string at *OUT. */
static const char *rule_part(const char **p, char **out)
{
	const char *s = *p;
	char *part;
	size_t n = 0;

	part = malloc(strlen(s) + 1);
	if (part == NULL)
		return "out of memory";
	if (*s == '"' || *s == '`') {
		char q = *s++;
		for (;;) {
			if (*s == '\0') {
				free(part);
				return "unterminated quoted part";
			}
			if (*s == q) {
				if (s[1] != q)
					break;
				s++; /* a doubled quote is one quote character */
			}
			part[n++] = *s++;
		}
		s++;
		if (*s != '\0' && *s != '.') {
			free(part);
			return "a quoted part must be followed by '.' or end the rule";
		}
	} else {
		for (; *s != '\0' && *s != '.'; s++) {
			if (*s == '"' || *s == '`' || *s == '\'') {
				free(part);
				return "quotes must enclose a whole part";
			}
			if (*s == ' ' || *s == '\t') {
				free(part);
				return "unquoted parts must not contain spaces (quote the part)";
			}
			part[n++] = ascii_lower(*s);
		}
	}
	part[n] = '\0';
	if (n == 0) {
		free(part);
		return "empty part";
	}
	*p = s;
	*out = part;
	return NULL;
}

void dw_ident_rule_clear(struct dw_ident_rule *rule)
{
	free(rule->text);
	free(rule->schema);
	free(rule->name);
	memset(rule, 0, sizeof(*rule));
}

const char *dw_ident_rule_parse(const char *text, struct dw_ident_rule *out)
{
	char *parts[2] = { NULL, NULL };
	const char *p = text, *err = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	for (const char *c = text; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "must not contain control characters";
	if (*text == '\0')
		return "must not be empty";
	for (;;) {
		if (n == 2) {
			err = "more than two parts (rules are \"name\" or \"schema.name\")";
			goto fail;
		}
		if ((err = rule_part(&p, &parts[n])) != NULL)
			goto fail;
		n++;
		if (*p == '\0')
			break;
		p++; /* the '.' */
		if (*p == '\0') {
			err = "empty part";
			goto fail;
		}
	}
	out->text = strdup(text);
	if (out->text == NULL) {
		err = "out of memory";
		goto fail;
	}
	if (n == 2) {
		out->schema = parts[0];
		out->name = parts[1];
	} else {
		out->name = parts[0];
	}
	return NULL;
fail:
	free(parts[0]);
	free(parts[1]);
	return err;
}

const char *dw_function_rule_fold(char *text)
{
	size_t dots = 0;

	if (*text == '\0')
		return "must not be empty";
	if (text[0] == '.' || text[strlen(text) - 1] == '.' || strstr(text, "..") != NULL)
		return "empty part";
	for (char *c = text; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;
		if (u <= 0x20 || u == 0x7f || u == '"' || u == '`' || u == '\'' || u == '(')
			return "expected a function name such as pg_sleep or pg_catalog.pg_sleep";
		if (u == '.')
			dots++;
		*c = ascii_lower(*c);
	}
	if (dots > 1)
		return "more than two parts (entries are \"name\" or \"schema.name\")";
	return NULL;
}

bool dw_fingerprint_parse(const char *text, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len != 16)
		return false;
	for (size_t i = 0; i < 16; i++) {
		char c = text[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

void dw_allowlist_clear(struct dw_allowlist *al)
{
	free(al->fingerprints);
	al->fingerprints = NULL;
	al->n = 0;
}

bool dw_allowlist_contains(const struct dw_allowlist *al, uint64_t fingerprint)
{
	size_t lo = 0, hi = al->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (al->fingerprints[mid] == fingerprint)
			return true;
		if (al->fingerprints[mid] < fingerprint)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

enum dw_allowlist_status dw_allowlist_parse(const char *text, size_t len,
	struct dw_allowlist *out, char *err, size_t err_cap)
{
	struct dw_ydoc doc = { 0 };
	struct dw_yaml_error yerr;
	const struct dw_ynode *root, *list = NULL;
	enum dw_allowlist_status st = DW_ALLOWLIST_INVALID;
	uint64_t *fps = NULL;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	if (dw_ydoc_parse(text, len, &doc, &yerr) != 0) {
		snprintf(err, err_cap, "line %u column %u: %s", yerr.line, yerr.col, yerr.message);
		goto out;
	}
	root = doc.root;
	if (root != NULL && !dw_ynode_is_null(root)) {
		if (root->kind != DW_YNODE_MAP) {
			snprintf(err, err_cap, "line %u column %u: expected a mapping with the key "
				 "fingerprints", root->line, root->col);
			goto out;
		}
		for (size_t i = 0; i + 1 < root->n; i += 2) {
			const struct dw_ynode *key = root->items[i];
			if (key->kind != DW_YNODE_SCALAR || strcmp(key->text, "fingerprints") != 0) {
				snprintf(err, err_cap, "line %u column %u: unknown key (only "
					 "fingerprints is allowed)", key->line, key->col);
				goto out;
			}
			list = root->items[i + 1];
		}
	}
	if (list != NULL && !dw_ynode_is_null(list)) {
		if (list->kind != DW_YNODE_SEQ) {
			snprintf(err, err_cap, "line %u column %u: fingerprints must be a sequence",
				 list->line, list->col);
			goto out;
		}
		fps = malloc((list->n ? list->n : 1) * sizeof(*fps));
		if (fps == NULL) {
			st = DW_ALLOWLIST_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < list->n; i++) {
			const struct dw_ynode *item = list->items[i];
			if (item->kind != DW_YNODE_SCALAR ||
			    !dw_fingerprint_parse(item->text, item->len, &fps[n])) {
				snprintf(err, err_cap, "line %u column %u: expected a fingerprint of "
					 "16 lower-case hex digits", item->line, item->col);
				goto out;
			}
			n++;
		}
		qsort(fps, n, sizeof(*fps), cmp_u64);
		size_t u = 0;
		for (size_t i = 0; i < n; i++)
			if (u == 0 || fps[u - 1] != fps[i])
				fps[u++] = fps[i];
		n = u;
	}
	out->fingerprints = fps;
	out->n = n;
	fps = NULL;
	st = DW_ALLOWLIST_OK;
out:
	if (st == DW_ALLOWLIST_NOMEM)
		snprintf(err, err_cap, "out of memory");
	free(fps);
	dw_ydoc_free(&doc);
	return st;
}

enum dw_allowlist_status dw_allowlist_read(const char *path, struct dw_allowlist *out,
	char *err, size_t err_cap)
{
	enum dw_allowlist_status st = DW_ALLOWLIST_INVALID;
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			return DW_ALLOWLIST_MISSING;
		snprintf(err, err_cap, "cannot open: %s", strerror(errno));
		return DW_ALLOWLIST_INVALID;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, err_cap, "not a regular file");
		goto out;
	}
	/* Whoever may write the list decides what passes an enforcing policy. */
	if (sb.st_mode & S_IWOTH) {
		snprintf(err, err_cap, "refusing a world-writable allowlist file");
		goto out;
	}
	if ((uint64_t)sb.st_size > DW_ALLOWLIST_FILE_MAX) {
		snprintf(err, err_cap, "file is larger than 64 MiB");
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		st = DW_ALLOWLIST_NOMEM;
		snprintf(err, err_cap, "out of memory");
		goto out;
	}
	while (len < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)sb.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, err_cap, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	st = dw_allowlist_parse(buf, len, out, err, err_cap);
out:
	free(buf);
	close(fd);
	return st;
}
