/* Value syntaxes of dbward.yaml: durations, sizes, integers, addresses. */
#include "config/config_values.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

/* Reads the leading run of digits of TEXT into *OUT; *END points after it.
 * Returns NULL, or a message when there are no digits or the value overflows. */
static const char *parse_digits(const char *text, uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = text;

	if (!isdigit((unsigned char)*p))
		return "expected a number";
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "number is too large";
		v = v * 10 + d;
	}
	*out = v;
	*end = p;
	return NULL;
}

const char *dw_parse_u64(const char *text, uint64_t *out)
{
	const char *end;
	uint64_t v;
	const char *err;

	if (text[0] == '-')
		return "must not be negative";
	if ((err = parse_digits(text, &v, &end)) != NULL)
		return "expected an unsigned integer";
	if (*end != '\0')
		return "expected an unsigned integer";
	*out = v;
	return NULL;
}

static bool mul_overflows(uint64_t a, uint64_t b, uint64_t *res)
{
	return __builtin_mul_overflow(a, b, res);
}

const char *dw_parse_duration_ms(const char *text, uint64_t *out_ms)
{
	static const struct { const char *unit; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const char *end;
	uint64_t v, ms;

	if (text[0] == '-')
		return "a duration must not be negative";
	if (parse_digits(text, &v, &end) != NULL) {
		if (isdigit((unsigned char)text[0]))
			return "duration is too large";
		return "expected a duration such as 250ms, 5s, 10m, 1h, or 0";
	}
	if (*end == '\0') {
		if (v == 0) {
			*out_ms = 0;
			return NULL;
		}
		return "a duration needs a unit (ms, s, m or h), e.g. 5s";
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (mul_overflows(v, units[i].ms, &ms))
			return "duration is too large";
		*out_ms = ms;
		return NULL;
	}
	return "expected a duration such as 250ms, 5s, 10m, 1h, or 0";
}

const char *dw_parse_size(const char *text, uint64_t *out_bytes)
{
	static const struct { const char *unit; uint64_t mult; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 },
		{ "GiB", 1ULL << 30 }, { "TiB", 1ULL << 40 },
	};
	const char *end;
	uint64_t v, bytes;

	if (text[0] == '-')
		return "a size must not be negative";
	if (parse_digits(text, &v, &end) != NULL) {
		if (isdigit((unsigned char)text[0]))
			return "size is too large";
		return "expected a size such as 512, 64KiB, 16MiB or 1GiB";
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (mul_overflows(v, units[i].mult, &bytes))
			return "size is too large";
		*out_bytes = bytes;
		return NULL;
	}
	if (strcmp(end, "K") == 0 || strcmp(end, "KB") == 0 || strcmp(end, "k") == 0 ||
	    strcmp(end, "kB") == 0 || strcmp(end, "M") == 0 || strcmp(end, "MB") == 0 ||
	    strcmp(end, "G") == 0 || strcmp(end, "GB") == 0)
		return "ambiguous size unit; use KiB, MiB or GiB (powers of 1024)";
	return "expected a size such as 512, 64KiB, 16MiB or 1GiB";
}

void dw_address_clear(struct dw_address *addr)
{
	free(addr->text);
	free(addr->host);
	free(addr->unix_path);
	memset(addr, 0, sizeof(*addr));
}

static const char *parse_port(const char *text, uint16_t *port)
{
	uint64_t v;

	if (*text == '\0')
		return "missing port number after ':'";
	if (dw_parse_u64(text, &v) != NULL)
		return "port must be a number";
	if (v < 1 || v > 65535)
		return "port must be between 1 and 65535";
	*port = (uint16_t)v;
	return NULL;
}

/* Host names: letters, digits, '-', '.', '_' (RFC 1123 plus the underscore
 * some internal DNS uses). IPv4 literals pass the same test. */
static bool valid_hostname(const char *host, size_t len)
{
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];
		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

static const char *fill_address(struct dw_address *out, const char *text,
	const char *host, size_t host_len, uint16_t port, const char *unix_path)
{
	struct dw_address a = { 0 };

	a.text = strdup(text);
	if (a.text == NULL)
		goto oom;
	if (host != NULL && (a.host = strndup(host, host_len)) == NULL)
		goto oom;
	if (unix_path != NULL && (a.unix_path = strdup(unix_path)) == NULL)
		goto oom;
	a.port = port;
	*out = a;
	return NULL;
oom:
	dw_address_clear(&a);
	return "out of memory";
}

const char *dw_parse_address(const char *text, struct dw_address *out)
{
	const char *colon;
	const char *err;
	uint16_t port;

	memset(out, 0, sizeof(*out));
	if (text[0] == '\0')
		return "address must not be empty";

	if (text[0] == '/') {
		/* The backend code may append "/.s.PGSQL.<port>" to a directory;
		 * that limit is checked there, this one is the kernel's. */
		if (strlen(text) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return "unix socket path is too long (at most 107 bytes)";
		return fill_address(out, text, NULL, 0, 0, text);
	}

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		char v6[INET6_ADDRSTRLEN + 1];
		struct in6_addr tmp;
		size_t len;

		if (close == NULL)
			return "missing ']' after an IPv6 address";
		len = (size_t)(close - text - 1);
		if (len == 0 || len >= sizeof(v6))
			return "invalid IPv6 address";
		memcpy(v6, text + 1, len);
		v6[len] = '\0';
		if (inet_pton(AF_INET6, v6, &tmp) != 1)
			return "invalid IPv6 address";
		if (close[1] != ':')
			return "expected ':port' after the IPv6 address";
		if ((err = parse_port(close + 2, &port)) != NULL)
			return err;
		return fill_address(out, text, v6, len, port, NULL);
	}

	colon = strrchr(text, ':');
	if (colon == NULL)
		return "expected host:port, [ipv6]:port or an absolute unix socket path";
	if (memchr(text, ':', (size_t)(colon - text)) != NULL)
		return "an IPv6 address must be written in brackets, e.g. [::1]:5432";
	if (!valid_hostname(text, (size_t)(colon - text)))
		return colon == text ? "missing host before ':port'" : "invalid host name";
	if ((err = parse_port(colon + 1, &port)) != NULL)
		return err;
	return fill_address(out, text, text, (size_t)(colon - text), port, NULL);
}

char *dw_format_duration(uint64_t ms, char *buf, size_t cap)
{
	if (ms == 0)
		snprintf(buf, cap, "0");
	else if (ms % 3600000 == 0)
		snprintf(buf, cap, "%" PRIu64 "h", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, cap, "%" PRIu64 "m", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, cap, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, cap, "%" PRIu64 "ms", ms);
	return buf;
}

char *dw_format_size(uint64_t bytes, char *buf, size_t cap)
{
	static const char *const units[] = { "TiB", "GiB", "MiB", "KiB" };

	for (size_t i = 0; i < 4; i++) {
		uint64_t mult = 1ULL << (10 * (4 - i));
		if (bytes != 0 && bytes % mult == 0) {
			snprintf(buf, cap, "%" PRIu64 "%s", bytes / mult, units[i]);
			return buf;
		}
	}
	snprintf(buf, cap, "%" PRIu64, bytes);
	return buf;
}
