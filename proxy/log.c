#include "proxy/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool log_json;
static enum dw_log_level log_level = DW_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warning", "error"};

void dw_log_set_json(bool json) { log_json = json; }
void dw_log_set_level(enum dw_log_level level) { log_level = level; }

/* Escapes S as a JSON string body into OUT (always NUL terminated). */
static void json_escape(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (; *s && o + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

void dw_log(enum dw_log_level level, const char *fmt, ...)
{
	if (level < log_level)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof when - n, ".%06ldZ", ts.tv_nsec / 1000);

	/* One fputs per line so lines from different threads never interleave. */
	char line[4608];
	if (log_json) {
		char esc[4096];
		json_escape(msg, esc, sizeof esc);
		snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", when,
			level_names[level], esc);
	} else {
		snprintf(line, sizeof line, "%s %s: %s\n", when, level_names[level], msg);
	}
	fputs(line, stderr);
}
