/* The allowlist writer: a queue filled by workers, drained by one thread. */
#include "policy/allowlist.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/policy_syntax.h"
#include "proxy/log.h"

#define MAX_FILES 64
#define HEADER "# dbward allowlist: statement fingerprints learned in learn mode\nfingerprints:\n"

/* Open addressing with linear probing; 0 is the empty slot, so the
 * fingerprint 0 is kept apart. */
struct fp_set {
	uint64_t *slots;
	size_t cap, n;
	bool has_zero;
};

struct learn_file {
	char *path;
	struct fp_set set;
	/* Writer thread only: */
	bool checked;          /* layout verified (or file created) by this process */
	char indent[16];       /* what precedes "- " on entry lines */
};

struct learn_item {
	struct learn_item *next;
	size_t file;
	uint64_t fp;
	char text[DW_LEARN_COMMENT_MAX + 4];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static struct learn_item *queue_head, **queue_tail = &queue_head;
static size_t pending;          /* queued + being written */
static bool running, stopping;
static pthread_t writer;
static struct learn_file files[MAX_FILES];
static size_t n_files;
static struct dw_allowlist_writer_stats stats;

static size_t slot_for(uint64_t fp, size_t mask)
{
	fp ^= fp >> 33;
	fp *= 0xff51afd7ed558ccdULL;
	fp ^= fp >> 33;
	return (size_t)fp & mask;
}

static bool set_contains(const struct fp_set *s, uint64_t fp)
{
	if (fp == 0)
		return s->has_zero;
	if (s->cap == 0)
		return false;
	for (size_t i = slot_for(fp, s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slots[i] == fp)
			return true;
		if (s->slots[i] == 0)
			return false;
	}
}

static bool set_insert(struct fp_set *s, uint64_t fp)
{
	if (fp == 0) {
		s->has_zero = true;
		return true;
	}
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		uint64_t *ns = calloc(ncap, sizeof(*ns));
		if (ns == NULL)
			return false;
		for (size_t i = 0; i < s->cap; i++) {
			if (s->slots[i] == 0)
				continue;
			size_t j = slot_for(s->slots[i], ncap - 1);
			while (ns[j] != 0)
				j = (j + 1) & (ncap - 1);
			ns[j] = s->slots[i];
		}
		free(s->slots);
		s->slots = ns;
		s->cap = ncap;
	}
	size_t i = slot_for(fp, s->cap - 1);
	while (s->slots[i] != 0 && s->slots[i] != fp)
		i = (i + 1) & (s->cap - 1);
	if (s->slots[i] == 0) {
		s->slots[i] = fp;
		s->n++;
	}
	return true;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
static void set_remove(struct fp_set *s, uint64_t fp)
{
	size_t mask = s->cap - 1, i, j;

	if (fp == 0) {
		s->has_zero = false;
		return;
	}
	if (s->cap == 0)
		return;
	for (i = slot_for(fp, mask); s->slots[i] != fp; i = (i + 1) & mask)
		if (s->slots[i] == 0)
			return;
	s->slots[i] = 0;
	s->n--;
	for (j = (i + 1) & mask; s->slots[j] != 0; j = (j + 1) & mask) {
		size_t home = slot_for(s->slots[j], mask);
		/* Move the entry at J into the hole at I unless its home slot
		 * lies cyclically in (I, J]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			s->slots[i] = s->slots[j];
			s->slots[j] = 0;
			i = j;
		}
	}
}

static size_t file_index(const char *path)
{
	for (size_t i = 0; i < n_files; i++)
		if (strcmp(files[i].path, path) == 0)
			return i;
	if (n_files == MAX_FILES)
		return SIZE_MAX;
	files[n_files].path = strdup(path);
	if (files[n_files].path == NULL)
		return SIZE_MAX;
	return n_files++;
}

static void *writer_main(void *arg);

/* Called with MU held. */
static bool ensure_writer(void)
{
	sigset_t all, old;
	int rc;

	if (running)
		return true;
	/* The writer must not take signals meant for the event loops. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&writer, NULL, writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return false;
	running = true;
	return true;
}

enum dw_learn_result dw_allowlist_learn(const char *path, uint64_t fingerprint,
	const char *text, size_t len)
{
	enum dw_learn_result res = DW_LEARN_DROPPED;
	struct learn_item *item;
	struct learn_file *f;
	size_t fi, o = 0;

	pthread_mutex_lock(&mu);
	if (stopping || (fi = file_index(path)) == SIZE_MAX)
		goto out;
	f = &files[fi];
	if (set_contains(&f->set, fingerprint)) {
		res = DW_LEARN_KNOWN;
		goto out;
	}
	if (pending >= DW_LEARN_MAX_PENDING || f->set.n >= DW_LEARN_MAX_PER_FILE)
		goto out;
	item = malloc(sizeof(*item));
	if (item == NULL)
		goto out;
	if (!ensure_writer() || !set_insert(&f->set, fingerprint)) {
		free(item);
		goto out;
	}
	/* The comment is for the person reviewing the file: printable ASCII
	 * only, so nothing in it can end the line or the YAML comment. */
	for (size_t i = 0; i < len && o < DW_LEARN_COMMENT_MAX; i++) {
		unsigned char c = (unsigned char)text[i];
		item->text[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (len > DW_LEARN_COMMENT_MAX) {
		memcpy(item->text + o, "...", 3);
		o += 3;
	}
	item->text[o] = '\0';
	item->next = NULL;
	item->file = fi;
	item->fp = fingerprint;
	*queue_tail = item;
	queue_tail = &item->next;
	pending++;
	pthread_cond_signal(&work_cv);
	res = DW_LEARN_QUEUED;
out:
	if (res == DW_LEARN_DROPPED)
		stats.dropped++;
	pthread_mutex_unlock(&mu);
	return res;
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Checks that the existing file at PATH has the writer's layout: blank
 * lines, comments, one "fingerprints:" line, and "- " entries after it,
 * all with the same indentation. Fills F->indent. *NEED_KEY: no
 * "fingerprints:" line yet; *NEED_NEWLINE: the last line is unterminated. */
static const char *check_layout(struct learn_file *f, bool *need_key, bool *need_newline)
{
	struct dw_allowlist al;
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	bool have_key = false, have_indent = false;
	const char *problem = NULL;
	struct stat st;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size > DW_ALLOWLIST_FILE_MAX) {
		close(fd);
		return "file is larger than 64 MiB";
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return "out of memory";
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (dw_allowlist_parse(buf, len, &al, err, sizeof(err)) != DW_ALLOWLIST_OK) {
		free(buf);
		return "not a valid allowlist";
	}
	dw_allowlist_clear(&al);
	snprintf(f->indent, sizeof(f->indent), "  ");
	for (char *line = buf; line < buf + len && problem == NULL;) {
		char *eol = memchr(line, '\n', (size_t)(buf + len - line));
		size_t ll = eol != NULL ? (size_t)(eol - line) : (size_t)(buf + len - line);
		size_t sp = 0;

		while (sp < ll && line[sp] == ' ')
			sp++;
		if (sp == ll || line[sp] == '#') {
			/* blank or comment */
		} else if (sp == 0 && ll >= 13 && strncmp(line, "fingerprints:", 13) == 0) {
			size_t k = 13;
			while (k < ll && line[k] == ' ')
				k++;
			if (have_key || (k < ll && line[k] != '#'))
				problem = "fingerprints: must be followed by a block list";
			have_key = true;
		} else if (have_key && ll - sp >= 2 && line[sp] == '-' && line[sp + 1] == ' ' &&
			   sp < sizeof(f->indent)) {
			if (!have_indent) {
				memcpy(f->indent, line, sp);
				f->indent[sp] = '\0';
				have_indent = true;
			} else if (strlen(f->indent) != sp) {
				problem = "entries are indented differently";
			}
		} else {
			problem = "unexpected line (not written by dbward)";
		}
		line = eol != NULL ? eol + 1 : buf + len;
	}
	*need_key = !have_key;
	*need_newline = len > 0 && buf[len - 1] != '\n';
	free(buf);
	return problem;
}

/* Opens F for appending and makes sure appended entries land in its list.
 * Returns the descriptor or -1 (logged). */
static int open_for_append(struct learn_file *f)
{
	struct stat st;
	const char *problem = NULL;
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		dw_warn("allowlist %s: cannot open for appending: %s", f->path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		problem = "not a regular file";
	else if (st.st_mode & S_IWOTH)
		problem = "refusing a world-writable allowlist file";
	else if (st.st_size == 0) {
		snprintf(f->indent, sizeof(f->indent), "  ");
		if (!write_all(fd, HEADER, strlen(HEADER)))
			problem = strerror(errno);
		f->checked = problem == NULL;
	} else if (!f->checked) {
		bool need_key = false, need_newline = false;
		problem = check_layout(f, &need_key, &need_newline);
		if (problem == NULL && need_newline && !write_all(fd, "\n", 1))
			problem = strerror(errno);
		if (problem == NULL && need_key && !write_all(fd, "fingerprints:\n", 14))
			problem = strerror(errno);
		f->checked = problem == NULL;
	}
	if (problem != NULL) {
		dw_warn("allowlist %s: not appending: %s", f->path, problem);
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes BATCH (a list taken off the queue). Returns the items that could
 * not be written, for the caller to forget. */
static struct learn_item *write_batch(struct learn_item *batch, uint64_t *written)
{
	struct learn_item *failed = NULL;

	while (batch != NULL) {
		size_t fi = batch->file;
		struct learn_file *f = &files[fi];
		struct learn_item **pp = &batch, *mine = NULL, **mine_tail = &mine;
		char *buf = NULL;
		size_t len = 0, count = 0;
		FILE *m;
		int fd;
		bool ok = false;

		/* Take this file's items out of the batch. */
		while (*pp != NULL) {
			if ((*pp)->file == fi) {
				*mine_tail = *pp;
				*pp = (*pp)->next;
				mine_tail = &(*mine_tail)->next;
				*mine_tail = NULL;
				count++;
			} else {
				pp = &(*pp)->next;
			}
		}
		fd = open_for_append(f);
		m = fd >= 0 ? open_memstream(&buf, &len) : NULL;
		if (m != NULL) {
			for (struct learn_item *it = mine; it != NULL; it = it->next)
				fprintf(m, "%s- \"%016" PRIx64 "\"  # %s\n", f->indent, it->fp, it->text);
			if (fclose(m) == 0) {
				ok = write_all(fd, buf, len);
				if (!ok)
					dw_warn("allowlist %s: write failed: %s", f->path, strerror(errno));
				else
					fdatasync(fd);
			}
			free(buf);
		}
		if (fd >= 0)
			close(fd);
		if (ok) {
			*written += count;
			while (mine != NULL) {
				struct learn_item *next = mine->next;
				free(mine);
				mine = next;
			}
		} else {
			*mine_tail = failed;
			failed = mine;
		}
	}
	return failed;
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (;;) {
		struct learn_item *batch, *failed;
		uint64_t written = 0;
		size_t n = 0;

		while (queue_head == NULL && !stopping)
			pthread_cond_wait(&work_cv, &mu);
		if (queue_head == NULL)
			break;
		batch = queue_head;
		queue_head = NULL;
		queue_tail = &queue_head;
		for (struct learn_item *it = batch; it != NULL; it = it->next)
			n++;
		pthread_mutex_unlock(&mu);

		failed = write_batch(batch, &written);

		pthread_mutex_lock(&mu);
		stats.written += written;
		while (failed != NULL) {
			struct learn_item *next = failed->next;
			/* Forget it, so the next occurrence queues it again. */
			set_remove(&files[failed->file].set, failed->fp);
			stats.failed++;
			free(failed);
			failed = next;
		}
		pending -= n;
		pthread_cond_broadcast(&idle_cv);
	}
	running = false;
	pthread_cond_broadcast(&idle_cv);
	pthread_mutex_unlock(&mu);
	return NULL;
}

void dw_allowlist_writer_flush(void)
{
	pthread_mutex_lock(&mu);
	while (pending > 0 && running)
		pthread_cond_wait(&idle_cv, &mu);
	pthread_mutex_unlock(&mu);
}

void dw_allowlist_writer_stop(void)
{
	bool join;

	pthread_mutex_lock(&mu);
	join = running && !stopping;
	if (join) {
		stopping = true;
		pthread_cond_broadcast(&work_cv);
	}
	pthread_mutex_unlock(&mu);
	if (!join)
		return;
	/* The writer drains the queue before it sees STOPPING. */
	pthread_join(writer, NULL);
	pthread_mutex_lock(&mu);
	stopping = false;
	pthread_mutex_unlock(&mu);
}

void dw_allowlist_writer_stats(struct dw_allowlist_writer_stats *out)
{
	pthread_mutex_lock(&mu);
	*out = stats;
	pthread_mutex_unlock(&mu);
}
