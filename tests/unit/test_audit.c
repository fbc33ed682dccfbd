/* The audit trail: escaping and record building, the writer (every record
 * written, seq and chain, file mode, resume, reopen, rotation, full queues)
 * and `dbward audit verify` on intact and tampered files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_internal.h"
#include "config/config.h"
#include "tests/unit/tap.h"

static char dir[PATH_MAX];
static char log_path[PATH_MAX + 32];

/* ---- helpers ---- */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	FILE *m;
	int c;

	if (f == NULL)
		return NULL;
	m = open_memstream(&buf, &n);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(m);
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

static void write_all(const char *path, const char *buf, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	chmod(path, mode);
}

struct lines {
	char **v;
	size_t n;
};

static struct lines split_lines(const char *path)
{
	struct lines l = { 0 };
	size_t len;
	char *buf = read_all(path, &len), *p = buf;

	l.v = calloc(1, sizeof(char *));
	while (p != NULL && p < buf + len) {
		char *eol = memchr(p, '\n', (size_t)(buf + len - p));
		size_t n = eol != NULL ? (size_t)(eol - p) : (size_t)(buf + len - p);
		l.v = realloc(l.v, (l.n + 2) * sizeof(char *));
		l.v[l.n++] = strndup(p, n);
		p += n + 1;
	}
	free(buf);
	return l;
}

static void free_lines(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void write_lines(const char *path, const struct lines *l)
{
	FILE *f = fopen(path, "wb");

	for (size_t i = 0; f != NULL && i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
	if (f != NULL)
		fclose(f);
}

/* A field's raw value in LINE ("seq" -> "12", "action" -> "\"gap\""). */
static bool field(const char *line, const char *key, char *out, size_t cap)
{
	char pat[64];
	const char *p, *end;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	if (p == NULL)
		return false;
	p += strlen(pat);
	if (*p == '"') {
		end = strchr(p + 1, '"');
		p++;
	} else {
		end = p + strcspn(p, ",}");
	}
	if (end == NULL || (size_t)(end - p) >= cap)
		return false;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = '\0';
	return true;
}

static bool is_action(const char *line, const char *action)
{
	char v[64];
	return field(line, "action", v, sizeof(v)) && strcmp(v, action) == 0;
}

static uint64_t seq_of(const char *line)
{
	char v[32];
	return field(line, "seq", v, sizeof(v)) ? strtoull(v, NULL, 10) : 0;
}

/* Every line parses, seq goes up by one from FIRST_SEQ. */
static bool lines_valid(const struct lines *l, uint64_t first_seq)
{
	for (size_t i = 0; i < l->n; i++) {
		struct dw_audit_line info;
		if (dw_audit_scan_line(l->v[i], strlen(l->v[i]), &info) != NULL || !info.has_seq ||
		    info.seq != first_seq + i) {
			printf("# bad line %zu: %s\n", i + 1, l->v[i]);
			return false;
		}
	}
	return true;
}

/* Runs `audit verify ARGS...`; *MSG gets what it printed on stderr. */
static int verify(char *msg, size_t cap, ...)
{
	char *argv[16] = { "verify" };
	int argc = 1, saved, fd, rc;
	char err_path[PATH_MAX + 32];
	va_list ap;
	const char *a;

	va_start(ap, cap);
	while (argc < 15 && (a = va_arg(ap, const char *)) != NULL)
		argv[argc++] = (char *)a;
	va_end(ap);
	snprintf(err_path, sizeof(err_path), "%s/verify.err", dir);
	fflush(stdout);
	fflush(stderr);
	saved = dup(2);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = dw_audit_cli(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if (msg != NULL) {
		char *text = read_all(err_path, NULL);
		snprintf(msg, cap, "%s", text != NULL ? text : "");
		msg[strcspn(msg, "\n")] = '\0';
		free(text);
	}
	return rc;
}

/* A configuration auditing to log_path; EXTRA is more `audit` keys. */
static struct dw_config *config_with(const char *extra)
{
	char *text = NULL, name[PATH_MAX + 32];
	struct dw_config *cfg;
	int n;

	n = asprintf(&text,
		     "listeners:\n"
		     "  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }\n"
		     "backends:\n"
		     "  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }\n"
		     "audit:\n"
		     "  path: %s\n"
		     "  fsync: never\n"
		     "%s",
		     log_path, extra);
	if (n < 0)
		exit(1);
	snprintf(name, sizeof(name), "%s/dbward.yaml", dir);
	cfg = dw_config_load_buffer(name, text, strlen(text), stderr);
	free(text);
	return cfg;
}

static void submit_query(unsigned worker, int i, const char *statement)
{
	struct dw_audit_rec r = { 0 };

	dw_audit_begin(&r, "query", "statement", "success", "info");
	dw_audit_str(&r, "session", "s-1");
	dw_audit_client(&r, "10.0.0.1", 40000 + i, true);
	dw_audit_str(&r, "statement", statement);
	dw_audit_int(&r, "n", i);
	dw_audit_submit(worker, &r);
	dw_audit_rec_free(&r);
}

static void clean_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX + 300];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* ---- records ---- */

static void test_escape(void)
{
	char out[128];
	bool cut;
	size_t n;

	n = dw_audit_escape(out, sizeof(out), "a\"b\\c\n\x01\x7f", 8, &cut);
	check(n == 25 && memcmp(out, "a\\\"b\\\\c\\u000a\\u0001\\u007f", n) == 0 && !cut,
	      "quotes, backslash and control characters are escaped (%.*s)", (int)n, out);
	n = dw_audit_escape(out, sizeof(out), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, &cut);
	check(n == 9 && memcmp(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9) == 0,
	      "valid UTF-8 is kept as is");
	n = dw_audit_escape(out, sizeof(out), "a\xff" "b\xc3(\xed\xa0\x80\xc0\xaf", 10, &cut);
	check(n == 1 + 6 + 1 + 6 + 1 + 18 + 12 &&
	      memcmp(out, "a\\ufffdb\\ufffd(\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd", n) == 0,
	      "invalid UTF-8, surrogates and overlong forms become U+FFFD (%.*s)", (int)n, out);
	n = dw_audit_escape(out, 4, "ab\xc3\xa9", 4, &cut);
	check(n == 4 && cut == false, "a character that just fits is kept");
	n = dw_audit_escape(out, 3, "ab\xc3\xa9", 4, &cut);
	check(n == 2 && cut, "a cut never splits a UTF-8 character");
	n = dw_audit_escape(out, 7, "abc\n", 4, &cut);
	check(n == 3 && cut, "a cut never splits an escape");
}

static bool body_parses(const struct dw_audit_rec *r)
{
	char *line = malloc(r->len + 2);
	struct dw_audit_line info;
	bool ok;

	line[0] = '{';
	memcpy(line + 1, r->buf, r->len);
	line[r->len + 1] = '}';
	ok = dw_audit_scan_line(line, r->len + 2, &info) == NULL;
	free(line);
	return ok;
}

static void test_record(void)
{
	struct dw_audit_rec r = { 0 };
	char *big = malloc(DW_AUDIT_RECORD_MAX * 2), *body;

	dw_audit_begin(&r, "query", "statement", "success", "warning");
	dw_audit_str(&r, "user", "alice");
	dw_audit_str(&r, "nothing", NULL);
	dw_audit_strn(&r, "statement", "SELECT \"x\"\n", 11);
	dw_audit_int(&r, "rows", -42);
	dw_audit_bool(&r, "tls", true);
	dw_audit_client(&r, "::1", 5432, false);
	dw_audit_array_begin(&r, "objects");
	dw_audit_array_strn(&r, "public.t", 8);
	dw_audit_array_strn(&r, "a\"b", 3);
	dw_audit_array_end(&r);
	dw_audit_array_begin(&r, "empty");
	dw_audit_array_end(&r);
	check(body_parses(&r), "a record with every kind of field is valid JSON");
	body = strndup(r.buf, r.len);
	check(strncmp(body, "\"ts\":\"", 6) == 0 && body[6 + 26] == 'Z' &&
	      strstr(body, "\"event\":\"query\",\"action\":\"statement\",\"outcome\":\"success\","
			    "\"severity\":\"warning\"") != NULL && r.severity == 1,
	      "begin writes ts (RFC 3339, microseconds), event, action, outcome, severity");
	check(strstr(body, ",\"statement\":\"SELECT \\\"x\\\"\\u000a\"") != NULL &&
	      strstr(body, ",\"rows\":-42,\"tls\":true,") != NULL &&
	      strstr(body, "\"client\":{\"ip\":\"::1\",\"port\":5432,\"tls\":false}") != NULL &&
	      strstr(body, "\"objects\":[\"public.t\",\"a\\\"b\"],\"empty\":[]") != NULL &&
	      strstr(body, "nothing") == NULL && !r.truncated,
	      "fields as expected: %.*s", (int)r.len, r.buf);

	free(body);

	/* A string far over the limit, of two-byte characters, cut on a boundary. */
	for (size_t i = 0; i + 1 < DW_AUDIT_RECORD_MAX * 2; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	dw_audit_begin(&r, "query", "statement", "success", "info");
	dw_audit_strn(&r, "statement", big, DW_AUDIT_RECORD_MAX * 2);
	dw_audit_str(&r, "after", "x");
	dw_audit_array_begin(&r, "objects");
	dw_audit_array_strn(&r, "t", 1);
	dw_audit_array_end(&r);
	check(r.truncated && r.len <= DW_AUDIT_BODY_MAX && body_parses(&r),
	      "an oversized string is cut, the record marked truncated and still valid JSON "
	      "(%zu bytes)", r.len);
	{
		const char *end = r.buf + r.len;
		const char *q = strstr(r.buf, "\"statement\":\"") + 13;
		const char *close = memchr(q, '"', (size_t)(end - q));
		check(close != NULL && (close - q) % 2 == 0, "the cut falls between characters");
	}
	/* Many control characters: the escaped form is six times longer. */
	memset(big, '\n', DW_AUDIT_RECORD_MAX);
	dw_audit_begin(&r, "query", "statement", "success", "info");
	dw_audit_strn(&r, "statement", big, DW_AUDIT_RECORD_MAX);
	check(r.truncated && r.len <= DW_AUDIT_BODY_MAX && body_parses(&r),
	      "escaped characters are cut whole at the limit");
	/* Lots of array items. */
	dw_audit_begin(&r, "query", "statement", "success", "info");
	dw_audit_array_begin(&r, "objects");
	for (int i = 0; i < 20000; i++)
		dw_audit_array_strn(&r, "schema.table_name", 17);
	dw_audit_array_end(&r);
	dw_audit_int(&r, "rows", 1);
	check(r.truncated && r.len <= DW_AUDIT_BODY_MAX && body_parses(&r),
	      "an array that outgrows the record is closed properly");
	dw_audit_begin(&r, "connection", "connect", "success", "info");
	check(!r.truncated && body_parses(&r), "begin resets a reused record");
	dw_audit_rec_free(&r);
	free(big);
}

/* ---- writer ---- */

struct submitter {
	unsigned worker;
	int count;
};

static void *submit_thread(void *arg)
{
	struct submitter *s = arg;

	for (int i = 0; i < s->count; i++)
		submit_query(s->worker, i, "SELECT * FROM t WHERE id = ?");
	return NULL;
}

static void test_writer_basic(void)
{
	struct dw_config *cfg = config_with("  queue: 100\n");
	pthread_t th[3];
	struct submitter sub[3] = { { 0, 300 }, { 1, 300 }, { 2, 50 } };
	struct dw_audit_stats st;
	struct lines l;
	struct stat sb;
	char msg[512];

	clean_dir();
	check(cfg != NULL, "config loads");
	check(dw_audit_start(cfg, 2) == 0 && dw_audit_on(), "writer starts");
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, submit_thread, &sub[i]);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	dw_audit_stop();
	check(!dw_audit_on(), "auditing is off after stop");
	dw_audit_stats(&st);
	l = split_lines(log_path);
	check(l.n == 650 + 3, "every submitted record and file_start, start, stop are written "
	      "(%zu lines)", l.n);
	check(l.n > 3 && is_action(l.v[0], "file_start") && is_action(l.v[1], "start") &&
	      is_action(l.v[l.n - 1], "stop"), "file_start, start first; stop last");
	check(lines_valid(&l, 1), "every line parses and seq goes up by one from 1");
	check(st.dropped == 0 && st.queued == 0, "nothing dropped or left queued");
	check(stat(log_path, &sb) == 0 && (sb.st_mode & 07777) == 0600, "file mode is 0600");
	check(l.n > 0 && strncmp(l.v[0], "{\"ts\":\"", 7) == 0 &&
	      strstr(l.v[0], "\",\"seq\":1,\"event\":\"audit\",") != NULL &&
	      strstr(l.v[0], ",\"prev\":\"00000000000000000000000000000000"
			     "00000000000000000000000000000000\",\"hash\":\"") != NULL,
	      "line layout: ts, seq, body, prev (zeros first), hash: %s", l.n ? l.v[0] : "");
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "verify passes: %s", msg);

	/* Tampered copies. */
	char copy[PATH_MAX + 32];
	snprintf(copy, sizeof(copy), "%s/copy.jsonl", dir);
	{
		size_t len;
		char *buf = read_all(log_path, &len);
		char *p = strstr(buf, "\"n\":123");
		p[5] = '4';
		write_all(copy, buf, len, 0600);
		free(buf);
		check(verify(msg, sizeof(msg), copy, NULL) == 1 && strstr(msg, "modified") != NULL,
		      "one byte changed: %s", msg);
	}
	{
		struct lines t = split_lines(log_path);
		free(t.v[100]);
		memmove(&t.v[100], &t.v[101], (t.n - 101) * sizeof(char *));
		t.n--;
		write_lines(copy, &t);
		check(verify(msg, sizeof(msg), copy, NULL) == 1 && strstr(msg, ":101: seq 102:") &&
		      strstr(msg, "deleted"), "one line deleted: %s", msg);
		free_lines(&t);
	}
	{
		struct lines t = split_lines(log_path);
		char *tmp = t.v[200];
		t.v[200] = t.v[201];
		t.v[201] = tmp;
		write_lines(copy, &t);
		check(verify(msg, sizeof(msg), copy, NULL) == 1 && strstr(msg, ":201: seq 202:") &&
		      strstr(msg, "reordered"), "two lines swapped: %s", msg);
		free_lines(&t);
	}
	{
		struct lines t = split_lines(log_path);
		t.v = realloc(t.v, (t.n + 1) * sizeof(char *));
		memmove(&t.v[301], &t.v[300], (t.n - 300) * sizeof(char *));
		t.v[300] = strdup(t.v[50]);
		t.n++;
		write_lines(copy, &t);
		check(verify(msg, sizeof(msg), copy, NULL) == 1 && strstr(msg, ":301: seq 51:"),
		      "a line inserted: %s", msg);
		free_lines(&t);
	}
	{
		struct lines t = split_lines(log_path);
		/* A forged record with a correct sha256 of its own but the wrong prev. */
		free(t.v[10]);
		t.v[10] = strdup("not json");
		write_lines(copy, &t);
		check(verify(msg, sizeof(msg), copy, NULL) == 1 && strstr(msg, ":11: not JSON"),
		      "a line that is not JSON: %s", msg);
		free_lines(&t);
	}
	check(verify(msg, sizeof(msg), NULL) == 2, "no file: usage error");
	check(verify(msg, sizeof(msg), "/nonexistent/x", NULL) == 2, "unreadable file: 2");
	free_lines(&l);
	dw_config_unref(cfg);
}

static void test_chain_none(void)
{
	struct dw_config *cfg = config_with("  chain: none\n");
	struct dw_audit_rec r = { 0 };
	struct lines l;
	char msg[512];

	clean_dir();
	check(dw_audit_start(cfg, 1) == 0, "start without a chain");
	dw_audit_begin(&r, "query", "statement", "success", "info");
	dw_audit_array_begin(&r, "objects");
	dw_audit_array_strn(&r, "t", 1);
	dw_audit_submit(0, &r); /* the array left open is closed on submit */
	r.len = 0;
	dw_audit_str(&r, "no_begin", "x");
	dw_audit_submit(0, &r); /* not started with begin: ignored */
	dw_audit_rec_free(&r);
	dw_audit_stop();
	l = split_lines(log_path);
	check(l.n == 4 && lines_valid(&l, 1) && strstr(l.v[2], "\"objects\":[\"t\"]}") != NULL &&
	      strstr(l.v[2], "\"hash\"") == NULL, "records without prev/hash; an open array is "
	      "closed");
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "verify checks seq only: %s", msg);
	free_lines(&l);
	dw_config_unref(cfg);
}

static void test_resume(void)
{
	struct dw_config *cfg = config_with("");
	struct lines l;
	char msg[512];
	FILE *f;

	clean_dir();
	for (int round = 0; round < 2; round++) {
		check(dw_audit_start(cfg, 1) == 0, "start (round %d)", round);
		for (int i = 0; i < 10; i++)
			submit_query(0, i, "SELECT 1");
		dw_audit_stop();
	}
	l = split_lines(log_path);
	check(l.n == 1 + 12 + 12 && lines_valid(&l, 1), "a restart continues seq (%zu lines)", l.n);
	check(l.n == 25 && is_action(l.v[13], "start") && !is_action(l.v[13], "file_start"),
	      "no file_start when continuing a file");
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "verify passes over restarts: %s", msg);
	free_lines(&l);

	/* A crash cut the last line short. */
	f = fopen(log_path, "a");
	fputs("{\"ts\":\"2026-11-22T13:00:00.123456Z\",\"seq\":26,\"ev", f);
	fclose(f);
	check(dw_audit_start(cfg, 1) == 0, "start after a cut line");
	submit_query(0, 0, "SELECT 2");
	dw_audit_stop();
	l = split_lines(log_path);
	check(l.n == 29 && seq_of(l.v[26]) == 26 && seq_of(l.v[28]) == 28,
	      "the cut line stays on its own line and seq continues after the last complete "
	      "record (%zu lines)", l.n);
	check(verify(msg, sizeof(msg), log_path, NULL) == 0 && strstr(msg, "incomplete") != NULL,
	      "verify skips the cut line: %s", msg);
	free_lines(&l);
	dw_config_unref(cfg);
}

static void test_hmac(void)
{
	char key_path[PATH_MAX + 32], bad_key[PATH_MAX + 32], open_key[PATH_MAX + 32];
	char extra[PATH_MAX + 128], msg[512];
	struct dw_config *cfg, *plain;
	struct lines l;

	clean_dir();
	snprintf(key_path, sizeof(key_path), "%s/audit.key", dir);
	snprintf(bad_key, sizeof(bad_key), "%s/wrong.key", dir);
	snprintf(open_key, sizeof(open_key), "%s/open.key", dir);
	write_all(key_path, "s3cret-key\n", 11, 0600);
	write_all(bad_key, "s3cret-kez\n", 11, 0600);
	write_all(open_key, "s3cret-key\n", 11, 0644);
	snprintf(extra, sizeof(extra), "  chain: hmac-sha256\n  chain_key_file: %s\n", key_path);
	cfg = config_with(extra);
	check(cfg != NULL && cfg->audit.chain_key_len == 10, "hmac config loads");
	check(dw_audit_start(cfg, 1) == 0, "hmac writer starts");
	for (int i = 0; i < 20; i++)
		submit_query(0, i, "UPDATE t SET a = ?");
	dw_audit_stop();
	check(verify(msg, sizeof(msg), log_path, "--key-file", key_path, NULL) == 0,
	      "verify with the key passes: %s", msg);
	check(verify(msg, sizeof(msg), log_path, "--key-file", bad_key, NULL) == 1 &&
	      strstr(msg, ":1: seq 1:") != NULL, "verify with a wrong key fails: %s", msg);
	check(verify(msg, sizeof(msg), log_path, NULL) == 1, "verify without the key fails: %s",
	      msg);
	check(verify(msg, sizeof(msg), log_path, "--key-file", open_key, NULL) == 2 &&
	      strstr(msg, "world-readable") != NULL, "a world-readable key is refused: %s", msg);
	check(verify(msg, sizeof(msg), log_path, "--key-file", NULL) == 2, "--key-file needs a value");

	/* Restarting with another chain moves the file aside instead of breaking it. */
	plain = config_with("");
	check(dw_audit_start(plain, 1) == 0, "restart with chain sha256");
	dw_audit_stop();
	l = split_lines(log_path);
	check(l.n == 3 && is_action(l.v[0], "file_start") && seq_of(l.v[0]) == 24,
	      "a file of another chain is moved aside; seq goes on in a new file");
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "the new file verifies: %s", msg);
	free_lines(&l);
	dw_config_unref(plain);
	dw_config_unref(cfg);
}

static bool wait_for_file(const char *path)
{
	struct stat sb;

	for (int i = 0; i < 300; i++) {
		if (stat(path, &sb) == 0 && sb.st_size > 0)
			return true;
		sleep_ms(10);
	}
	return false;
}

static void test_reopen(void)
{
	struct dw_config *cfg = config_with("");
	char moved[PATH_MAX + 64], msg[512], last_hash[80], pfh[80];
	struct lines old, cur;

	clean_dir();
	snprintf(moved, sizeof(moved), "%s.1", log_path);
	struct dw_audit_stats st;
	uint64_t written_before;

	dw_audit_stats(&st);
	written_before = st.written; /* stats count over the process lifetime */
	check(dw_audit_start(cfg, 1) == 0, "start");
	for (int i = 0; i < 10; i++)
		submit_query(0, i, "SELECT 1");
	/* Let the writer catch up so the move catches a quiet file. */
	for (int i = 0; i < 500; i++) {
		dw_audit_stats(&st);
		if (st.written >= written_before + 12)
			break;
		sleep_ms(10);
	}
	check(rename(log_path, moved) == 0, "logrotate moves the file");
	dw_audit_reopen();
	check(wait_for_file(log_path), "SIGUSR1 makes a new file at once");
	for (int i = 0; i < 10; i++)
		submit_query(0, i, "SELECT 2");
	dw_audit_stop();
	old = split_lines(moved);
	cur = split_lines(log_path);
	check(old.n == 12 && cur.n == 12, "12 lines in each file (%zu, %zu)", old.n, cur.n);
	check(cur.n > 0 && old.n > 0 && is_action(cur.v[0], "file_start") &&
	      field(cur.v[0], "previous_file_hash", pfh, sizeof(pfh)) &&
	      field(old.v[old.n - 1], "hash", last_hash, sizeof(last_hash)) &&
	      strcmp(pfh, last_hash) == 0 && seq_of(cur.v[0]) == 13,
	      "the new file starts with file_start naming the last hash of the old one");
	check(verify(msg, sizeof(msg), moved, log_path, NULL) == 0, "verify over both: %s", msg);
	check(verify(msg, sizeof(msg), log_path, moved, NULL) == 1, "files in the wrong order fail: %s",
	      msg);
	free_lines(&old);
	free_lines(&cur);
	dw_config_unref(cfg);
}

static int by_rotation(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	/* NAME.STAMP sorts before NAME.STAMP.N; N numerically. */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x, y);
}

static void test_rotation(void)
{
	struct dw_config *cfg = config_with("  max_size: 64KiB\n");
	char statement[1001], *files[64], base[PATH_MAX], msg[512];
	const char *args[66];
	size_t n_files = 0, total = 0;
	struct dirent *e;
	DIR *d;

	clean_dir();
	memset(statement, 'x', 1000);
	statement[1000] = '\0';
	check(cfg != NULL && dw_audit_start(cfg, 1) == 0, "start with max_size");
	for (int i = 0; i < 300; i++)
		submit_query(0, i, statement);
	dw_audit_stop();
	snprintf(base, sizeof(base), "%s.", strrchr(log_path, '/') + 1);
	d = opendir(dir);
	while ((e = readdir(d)) != NULL && n_files < 60)
		if (strncmp(e->d_name, base, strlen(base)) == 0)
			if (asprintf(&files[n_files], "%s/%s", dir, e->d_name) > 0)
				n_files++;
	closedir(d);
	qsort(files, n_files, sizeof(files[0]), by_rotation);
	files[n_files] = log_path;
	check(n_files >= 3, "the file rotated by itself (%zu rotated files)", n_files);
	bool sizes_ok = true, starts_ok = true;
	for (size_t i = 0; i <= n_files; i++) {
		struct stat sb;
		struct lines l = split_lines(files[i]);
		if (stat(files[i], &sb) != 0 || sb.st_size > 64 * 1024 || (sb.st_mode & 0777) != 0600)
			sizes_ok = false;
		if (l.n == 0 || !is_action(l.v[0], "file_start"))
			starts_ok = false;
		total += l.n;
		free_lines(&l);
	}
	check(sizes_ok, "no file exceeds max_size; all are 0600");
	check(starts_ok, "every file starts with file_start");
	check(total == 300 + 2 + n_files + 1, "every record is in one of the files (%zu lines)",
	      total);
	for (size_t i = 0; i <= n_files; i++)
		args[i] = files[i];
	args[n_files + 1] = NULL;
	{
		/* verify() takes a NULL-terminated list of arguments. */
		char *argv[70] = { "verify" };
		int argc = 1, rc;
		for (size_t i = 0; i <= n_files && argc < 69; i++)
			argv[argc++] = (char *)args[i];
		rc = dw_audit_cli(argc, argv);
		check(rc == 0, "verify over all rotated files and the current one passes");
		if (n_files >= 2) {
			check(verify(msg, sizeof(msg), files[0], files[2], NULL) == 1,
			      "a missing file in the middle fails: %s", msg);
		}
	}
	for (size_t i = 0; i < n_files; i++)
		free(files[i]);
	dw_config_unref(cfg);
}

static void test_drop(void)
{
	struct dw_config *cfg = config_with("  queue: 1\n  on_full: drop\n");
	struct dw_audit_stats st;
	struct lines l;
	char dropped[32], msg[512];
	size_t gap = SIZE_MAX;

	clean_dir();
	check(dw_audit_start(cfg, 1) == 0, "start with a tiny queue");
	dw_audit_test_pause(true);
	for (int i = 0; i < 100; i++)
		submit_query(0, i, "SELECT 1");
	dw_audit_stats(&st);
	check(st.dropped == 36 && st.queued >= 64, "a queue holds 64; 36 dropped (%" PRIu64
	      " dropped, %" PRIu64 " queued)", st.dropped, st.queued);
	dw_audit_test_pause(false);
	dw_audit_stop();
	l = split_lines(log_path);
	for (size_t i = 0; i < l.n; i++)
		if (is_action(l.v[i], "gap"))
			gap = i;
	check(gap != SIZE_MAX && field(l.v[gap], "dropped", dropped, sizeof(dropped)) &&
	      strcmp(dropped, "36") == 0, "a gap record counts the 36 dropped records");
	check(l.n == 1 + 1 + 1 + 64 + 1 && lines_valid(&l, 1), "64 records, the gap and "
	      "lifecycle records are written (%zu lines)", l.n);
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "verify passes: %s", msg);
	free_lines(&l);
	dw_config_unref(cfg);
}

static atomic_int block_done;

static void *block_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		submit_query(0, i, "SELECT 1");
	atomic_store(&block_done, 1);
	return NULL;
}

static void test_block(void)
{
	struct dw_config *cfg = config_with("  queue: 1\n  on_full: block\n");
	struct dw_audit_stats st;
	pthread_t th;
	struct lines l;

	uint64_t dropped_before;

	clean_dir();
	dw_audit_stats(&st);
	dropped_before = st.dropped; /* stats count over the process lifetime */
	check(dw_audit_start(cfg, 1) == 0, "start with a tiny blocking queue");
	dw_audit_test_pause(true);
	pthread_create(&th, NULL, block_thread, NULL);
	sleep_ms(200);
	dw_audit_stats(&st);
	check(!atomic_load(&block_done) && st.queued >= 64 && st.dropped == dropped_before,
	      "a full queue makes the submitter wait (%" PRIu64 " queued)", st.queued);
	dw_audit_test_pause(false);
	pthread_join(th, NULL);
	dw_audit_stop();
	l = split_lines(log_path);
	check(l.n == 100 + 3 && lines_valid(&l, 1), "after the wait every record is written "
	      "(%zu lines)", l.n);
	free_lines(&l);
	dw_config_unref(cfg);
}

/* A file that cannot grow (RLIMIT_FSIZE stands in for a full disk): the
 * writer holds what it could not write, the small queue drops the rest,
 * and once writing works again the file is whole and the gap counted. */
static void test_write_error(void)
{
	struct dw_config *cfg = config_with("  queue: 1\n  on_full: drop\n");
	struct dw_audit_stats st;
	struct rlimit old, lim;
	struct lines l;
	uint64_t dropped_before, gaps = 0;
	char msg[512], v[32];
	struct stat sb;

	clean_dir();
	dw_audit_stats(&st);
	dropped_before = st.dropped;
	check(dw_audit_start(cfg, 1) == 0, "start");
	for (int i = 0; i < 300 && (stat(log_path, &sb) != 0 || sb.st_size == 0); i++)
		sleep_ms(10);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size + 1000;
	setrlimit(RLIMIT_FSIZE, &lim);
	for (int i = 0; i < 200; i++)
		submit_query(0, i, "SELECT 1");
	sleep_ms(300);
	dw_audit_stats(&st);
	check(st.dropped > dropped_before, "records beyond the queue are dropped while the "
	      "file cannot grow (%" PRIu64 ")", st.dropped - dropped_before);
	setrlimit(RLIMIT_FSIZE, &old);
	sleep_ms(1500);
	for (int i = 0; i < 10; i++)
		submit_query(0, i, "SELECT 2");
	dw_audit_stop();
	dw_audit_stats(&st);
	l = split_lines(log_path);
	for (size_t i = 0; i < l.n; i++)
		if (is_action(l.v[i], "gap") && field(l.v[i], "dropped", v, sizeof(v)))
			gaps += strtoull(v, NULL, 10);
	check(lines_valid(&l, 1) && gaps == st.dropped - dropped_before &&
	      l.n == 3 + 210 - gaps + (gaps > 0), "every record not dropped is written, the "
	      "gap records count the others (%zu lines, %" PRIu64 " dropped)", l.n, gaps);
	check(verify(msg, sizeof(msg), log_path, NULL) == 0, "the chain is intact: %s", msg);
	free_lines(&l);
	dw_config_unref(cfg);
}

static void test_unsafe_files(void)
{
	struct dw_config *cfg = config_with("");
	char target[PATH_MAX + 32];
	struct stat sb;

	clean_dir();
	snprintf(target, sizeof(target), "%s/target", dir);
	write_all(target, "", 0, 0600);
	check(symlink(target, log_path) == 0, "a symlink is planted at the path");
	check(dw_audit_start(cfg, 1) != 0 && !dw_audit_on(), "a symlink at the path is refused");
	unlink(log_path);
	write_all(log_path, "", 0, 0644);
	check(dw_audit_start(cfg, 1) == 0, "an existing file is used");
	dw_audit_stop();
	check(stat(log_path, &sb) == 0 && (sb.st_mode & 07777) == 0600,
	      "an existing file's mode is tightened to 0600");
	chmod(dir, 0777);
	check(dw_audit_start(cfg, 1) != 0, "a world-writable directory is refused");
	chmod(dir, 0700);
	dw_config_unref(cfg);
	cfg = config_with("");
	dw_config_unref(cfg);
	cfg = NULL;
	/* Auditing off: start succeeds and nothing is written. */
	{
		char name[PATH_MAX + 32];
		const char *text = "listeners:\n"
				   "  - { name: pg, protocol: postgres, listen: 127.0.0.1:6432, backend: db }\n"
				   "backends:\n"
				   "  - { name: db, protocol: postgres, address: 127.0.0.1:5432 }\n";
		snprintf(name, sizeof(name), "%s/dbward.yaml", dir);
		cfg = dw_config_load_buffer(name, text, strlen(text), stderr);
		check(cfg != NULL && cfg->audit.path == NULL && dw_audit_start(cfg, 2) == 0 &&
		      !dw_audit_on(), "no audit section: auditing is off");
		submit_query(0, 0, "SELECT 1");
		dw_audit_stop();
		dw_config_unref(cfg);
	}
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/dbward-audit-test-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(log_path, sizeof(log_path), "%s/audit.jsonl", dir);

	test_escape();
	test_record();
	test_writer_basic();
	test_chain_none();
	test_resume();
	test_hmac();
	test_reopen();
	test_rotation();
	test_drop();
	test_block();
	test_unsafe_files();
	test_write_error();

	clean_dir();
	rmdir(dir);
	return tap_done();
}
