/* `dbward audit verify FILE... [--key-file K]`: checks that a set of audit
 * files (rotated files oldest first, then the current one) is complete and
 * unmodified, and names the first line where it is not.
 *
 * Per line: it must be one JSON object with `seq` (and, once the chain is
 * on, `prev` and `hash`); its hash must recompute from its own bytes
 * (modified record, or a wrong key); seq must be the previous seq + 1
 * (a jump = records deleted, going back = inserted or reordered); prev
 * must be the previous line's hash, and a file_start record's
 * previous_file_hash too (broken chain). The very first line may start
 * anywhere: it can continue files that were not given.
 *
 * A line cut short (a crash in the middle of a write) is reported as a
 * note and skipped: the writer resumes after the last complete record, so
 * the lines after it must continue the chain from before it, which the
 * checks above prove. */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_chain.h"
#include "audit/audit_internal.h"

/* Longest line read: well past the longest record the writer produces. */
#define LINE_MAX_BYTES (DW_AUDIT_RECORD_MAX + 4096)
#define KEY_FILE_MAX (64 * 1024)

/* Reads lines of at most LINE_MAX_BYTES from a file. */
struct reader {
	FILE *f;
	char *buf;
	size_t len;         /* bytes of the current line */
	bool too_long;
	bool eof_no_newline;
};

/* Next line into r->buf (without its newline). False at the end. */
static bool read_line(struct reader *r)
{
	int c;

	r->len = 0;
	r->too_long = false;
	r->eof_no_newline = false;
	while ((c = getc(r->f)) != EOF) {
		if (c == '\n')
			return true;
		if (r->len < LINE_MAX_BYTES)
			r->buf[r->len++] = (char)c;
		else
			r->too_long = true;
	}
	r->eof_no_newline = r->len > 0 || r->too_long;
	return r->eof_no_newline;
}

struct verify {
	struct dw_audit_hasher *hasher;  /* NULL: chain none (hashes cannot be checked) */
	bool keyed;
	bool any;                        /* a line was accepted */
	bool chained;                    /* the first line had a hash */
	uint64_t first_seq, last_seq, records, cut_lines;
	char last_hash[DW_AUDIT_HASH_HEX + 1];
	const char *file;
	unsigned long line_no;
};

/* The first problem, on stderr. Returns 1 (the exit status). */
__attribute__((format(printf, 4, 5)))
static int problem(const struct verify *v, bool with_seq, uint64_t seq, const char *fmt, ...)
{
	va_list ap;

	if (with_seq)
		fprintf(stderr, "%s:%lu: seq %" PRIu64 ": ", v->file, v->line_no, seq);
	else
		fprintf(stderr, "%s:%lu: ", v->file, v->line_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Peeks at the seq of the next line of R without consuming it. */
static bool peek_seq(struct reader *r, uint64_t *seq)
{
	long pos = ftell(r->f);
	char head[128];
	const char *p;
	bool ok = false;

	if (pos < 0 || fgets(head, sizeof(head), r->f) == NULL) {
		clearerr(r->f);
		if (pos >= 0)
			(void)fseek(r->f, pos, SEEK_SET);
		return false;
	}
	/* The writer puts seq right after ts: enough for a hint. */
	p = strstr(head, ",\"seq\":");
	if (p != NULL) {
		char *end;
		errno = 0;
		*seq = strtoull(p + 7, &end, 10);
		ok = end != p + 7 && errno == 0;
	}
	(void)fseek(r->f, pos, SEEK_SET);
	return ok;
}

static int check_line(struct verify *v, struct reader *r)
{
	struct dw_audit_line l;
	char hash[DW_AUDIT_HASH_HEX + 1];
	const char *err;

	if (r->too_long)
		return problem(v, false, 0, "not JSON: line longer than any audit record");
	err = dw_audit_scan_line(r->buf, r->len, &l);
	if (err != NULL && l.cut_short && r->len > 7 && memcmp(r->buf, "{\"ts\":\"", 7) == 0) {
		fprintf(stderr, "%s:%lu: note: incomplete line (a write cut short), skipped\n",
			v->file, v->line_no);
		v->cut_lines++;
		return 0;
	}
	if (err != NULL)
		return problem(v, false, 0, "not JSON: %s", err);
	if (!l.has_seq)
		return problem(v, false, 0, "not an audit record: no seq");
	if (!v->any)
		v->chained = l.hash != NULL;
	if (v->chained && l.hash == NULL)
		return problem(v, true, l.seq, "broken chain: the record has no hash");
	if (!v->chained && l.hash != NULL)
		return problem(v, true, l.seq, "broken chain: a hash appears after unchained records");
	if (l.hash != NULL && v->hasher != NULL) {
		if (!dw_audit_chain_hash(v->hasher, l.prev, r->buf, l.hashed_len, hash))
			return problem(v, true, l.seq, "cannot compute the hash");
		if (memcmp(hash, l.hash, DW_AUDIT_HASH_HEX) != 0)
			return problem(v, true, l.seq, "modified record: its hash does not match its "
				       "content%s", v->keyed ? " (or the key is wrong)"
				       : " (or the chain is hmac-sha256: give --key-file)");
	}
	if (v->any && l.seq != v->last_seq + 1) {
		uint64_t next;
		if (l.seq > v->last_seq + 1 && peek_seq(r, &next) && next == v->last_seq + 1)
			return problem(v, true, l.seq, "reordered records: seq %" PRIu64 " comes "
				       "before seq %" PRIu64, l.seq, next);
		if (l.seq > v->last_seq)
			return problem(v, true, l.seq, "deleted record(s): seq jumps from %" PRIu64
				       " to %" PRIu64, v->last_seq, l.seq);
		if (l.seq == v->last_seq)
			return problem(v, true, l.seq, "inserted record: seq %" PRIu64 " repeats",
				       l.seq);
		return problem(v, true, l.seq, "reordered or inserted record: seq goes back from %"
			       PRIu64 " to %" PRIu64, v->last_seq, l.seq);
	}
	if (v->any && l.prev != NULL && memcmp(l.prev, v->last_hash, DW_AUDIT_HASH_HEX) != 0)
		return problem(v, true, l.seq, "broken chain: prev is not the hash of the "
			       "record before");
	if (l.file_start && l.prev != NULL && (l.previous_file_hash == NULL ||
	    memcmp(l.previous_file_hash, l.prev, DW_AUDIT_HASH_HEX) != 0))
		return problem(v, true, l.seq, "broken chain: previous_file_hash is not the hash "
			       "of the record before");
	if (!v->any)
		v->first_seq = l.seq;
	v->any = true;
	v->last_seq = l.seq;
	if (l.hash != NULL) {
		memcpy(v->last_hash, l.hash, DW_AUDIT_HASH_HEX);
		v->last_hash[DW_AUDIT_HASH_HEX] = '\0';
	}
	v->records++;
	return 0;
}

static int verify_file(struct verify *v, const char *path, char *buf)
{
	struct reader r = { .buf = buf };
	int rc = 0;

	r.f = fopen(path, "re");
	if (r.f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return 2;
	}
	v->file = path;
	v->line_no = 0;
	while (rc == 0 && read_line(&r)) {
		v->line_no++;
		rc = check_line(v, &r);
	}
	if (rc == 0 && ferror(r.f)) {
		fprintf(stderr, "%s: read error\n", path);
		rc = 2;
	}
	fclose(r.f);
	return rc;
}

/* The key the way the configuration reads chain_key_file: the file's bytes
 * without one trailing newline; refused when others may read it. */
static char *read_key(const char *path, size_t *len)
{
	struct stat st;
	char *key;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		fprintf(stderr, "key file: %s\n", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "key file: not a regular file\n");
		close(fd);
		return NULL;
	}
	if (st.st_mode & S_IROTH) {
		fprintf(stderr, "key file: refusing a world-readable key file; remove the read "
			"permission for others (chmod o-r)\n");
		close(fd);
		return NULL;
	}
	key = malloc(KEY_FILE_MAX + 1);
	if (key == NULL) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t got = read(fd, key + n, KEY_FILE_MAX + 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
		if (n > KEY_FILE_MAX)
			break;
	}
	close(fd);
	if (n > 0 && key[n - 1] == '\n')
		n--;
	if (n > 0 && key[n - 1] == '\r')
		n--;
	if (n == 0 || n > KEY_FILE_MAX || memchr(key, '\0', n) != NULL) {
		fprintf(stderr, "key file: %s\n", n == 0 ? "empty" : n > KEY_FILE_MAX ?
			"larger than 64 KiB" : "contains a NUL byte");
		explicit_bzero(key, KEY_FILE_MAX + 1);
		free(key);
		return NULL;
	}
	*len = n;
	return key;
}

static int usage(void)
{
	fprintf(stderr, "usage: dbward audit verify FILE... [--key-file KEY_FILE]\n"
		"  FILEs in order: rotated files oldest first, then the current file.\n"
		"  --key-file: the chain_key_file of an hmac-sha256 chain.\n");
	return 2;
}

int dw_audit_cli(int argc, char **argv)
{
	const char *key_file = NULL;
	const char **files;
	size_t n_files = 0, key_len = 0;
	struct verify v = { 0 };
	char *key = NULL, *buf;
	int rc = 0;

	if (argc < 1 || strcmp(argv[0], "verify") != 0)
		return usage();
	files = calloc((size_t)argc, sizeof(*files));
	if (files == NULL)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key-file") == 0) {
			if (i + 1 >= argc || key_file != NULL) {
				free(files);
				return usage();
			}
			key_file = argv[++i];
		} else if (strncmp(argv[i], "--key-file=", 11) == 0 && key_file == NULL) {
			key_file = argv[i] + 11;
		} else if (strcmp(argv[i], "--") == 0) {
			while (++i < argc)
				files[n_files++] = argv[i];
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			free(files);
			return usage();
		} else {
			files[n_files++] = argv[i];
		}
	}
	if (n_files == 0) {
		free(files);
		return usage();
	}
	if (key_file != NULL && (key = read_key(key_file, &key_len)) == NULL) {
		free(files);
		return 2;
	}
	v.keyed = key != NULL;
	v.hasher = dw_audit_chain_new(key != NULL ? DW_AUDIT_CHAIN_HMAC_SHA256
						  : DW_AUDIT_CHAIN_SHA256, key, key_len);
	if (key != NULL) {
		explicit_bzero(key, KEY_FILE_MAX + 1);
		free(key);
	}
	buf = malloc(LINE_MAX_BYTES);
	if (v.hasher == NULL || buf == NULL) {
		fprintf(stderr, "out of memory\n");
		dw_audit_chain_free(v.hasher);
		free(buf);
		free(files);
		return 2;
	}
	for (size_t i = 0; rc == 0 && i < n_files; i++)
		rc = verify_file(&v, files[i], buf);
	if (rc == 0) {
		for (size_t i = 0; i < n_files; i++)
			printf("%s%s", i > 0 ? " " : "", files[i]);
		if (v.records == 0)
			printf(": no records\n");
		else
			printf(": %" PRIu64 " records (seq %" PRIu64 "-%" PRIu64 "), %s%s\n",
			       v.records, v.first_seq, v.last_seq,
			       v.chained ? "chain intact" : "seq intact (no hash chain to check)",
			       v.cut_lines > 0 ? "; incomplete lines skipped" : "");
	}
	dw_audit_chain_free(v.hasher);
	free(buf);
	free(files);
	return rc;
}
