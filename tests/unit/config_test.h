/* What the configuration tests share: a temporary directory holding the
 * file under test, loading it from numbered lines, and finding an error at
 * its line, column and key path. Header-only: tap.h's counters belong to
 * each test program. */
#ifndef DBWARD_TESTS_UNIT_CONFIG_TEST_H
#define DBWARD_TESTS_UNIT_CONFIG_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "tests/unit/tap.h"

static char dir[PATH_MAX];
static char cfg_path[PATH_MAX + 32];

#define ok(cond, ...) check((cond) != 0, __VA_ARGS__)
#define LINES(...) ((const char *const[]){ __VA_ARGS__, NULL })

static inline void write_file(const char *name, const char *content, mode_t mode)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(content, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	if (chmod(path, mode) != 0) {
		perror(path);
		exit(1);
	}
}

/* Joins LINES (NULL-terminated) with newlines, replacing @DIR@ by the test
 * directory, so that line N of the file is LINES[N-1]. */
static inline char *join_lines(const char *const *lines)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (size_t i = 0; lines[i] != NULL; i++) {
		for (const char *p = lines[i]; *p != '\0'; p++) {
			if (strncmp(p, "@DIR@", 5) == 0) {
				fputs(dir, f);
				p += 4;
			} else {
				fputc(*p, f);
			}
		}
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}

/* Loads LINES from cfg.yaml; *ERRS receives everything the loader printed. */
static inline struct dw_config *load_lines(const char *const *lines, char **errs)
{
	char *text = join_lines(lines);
	size_t len = 0;
	struct dw_config *cfg;
	FILE *f;

	write_file("cfg.yaml", text, 0600);
	free(text);
	*errs = NULL;
	f = open_memstream(errs, &len);
	cfg = dw_config_load(cfg_path, f);
	fclose(f);
	return cfg;
}

/* True when ERRS holds a line "cfg.yaml-path:LINE:COL: KEY: ..." containing
 * FRAGMENT after the key path. */
static inline int has_error(const char *errs, unsigned line, unsigned col, const char *key,
	const char *fragment)
{
	char prefix[PATH_MAX + 256];
	size_t plen;

	snprintf(prefix, sizeof(prefix), "%s:%u:%u: %s: ", cfg_path, line, col, key);
	plen = strlen(prefix);
	for (const char *p = errs; p != NULL && *p != '\0';) {
		const char *eol = strchr(p, '\n');
		size_t llen = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if (llen >= plen && strncmp(p, prefix, plen) == 0) {
			char *copy = strndup(p + plen, llen - plen);
			int found = strstr(copy, fragment) != NULL;
			free(copy);
			if (found)
				return 1;
		}
		p = eol != NULL ? eol + 1 : p + llen;
	}
	return 0;
}

static inline size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static inline void expect_error(const char *errs, unsigned line, unsigned col, const char *key,
	const char *fragment)
{
	ok(has_error(errs, line, col, key, fragment), "error %u:%u %s: %s", line, col, key,
	   fragment);
}

/* The first N lines of HEAD, then SECTION (a line such as "audit:", or
 * NULL), then LINES: what the tests of one section load. */
static inline struct dw_config *load_after(const char *const *head, size_t n,
	const char *section, const char *const *lines, char **errs)
{
	const char *all[64];
	size_t k = 0;

	for (size_t i = 0; i < n && k < 62; i++)
		all[k++] = head[i];
	if (section != NULL)
		all[k++] = section;
	for (size_t i = 0; lines[i] != NULL && k < 63; i++)
		all[k++] = lines[i];
	all[k] = NULL;
	return load_lines(all, errs);
}

/* A fresh temporary directory for the file under test. */
static inline int config_test_begin(void)
{
	snprintf(dir, sizeof(dir), "/tmp/dbward-config-test-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	snprintf(cfg_path, sizeof(cfg_path), "%s/cfg.yaml", dir);
	return 0;
}

/* Removes it (best effort) and reports. */
static inline int config_test_end(void)
{
	char cmd[PATH_MAX + 32];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return tap_done();
}

/* Listeners and a backend: four lines every section test starts with. */
static const char *const config_test_head[] = {
	"listeners:",
	"  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }",
	"backends:",
	"  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }",
};

#endif
