/* The few lines every unit test shares: numbered "ok N - what" /
 * "not ok N - what" lines, and the exit status. Include once per test. */
#ifndef DBWARD_TESTS_UNIT_TAP_H
#define DBWARD_TESTS_UNIT_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int test_no;
static int failures;

__attribute__((format(printf, 2, 3)))
static void check(bool cond, const char *fmt, ...)
{
	va_list ap;
	test_no++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline bool str_is(const char *got, const char *want)
{
	return got && strcmp(got, want) == 0;
}

/* The exit status: 0 when every check passed. */
static inline int tap_done(void)
{
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}

#endif
