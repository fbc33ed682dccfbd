/* The audit writer: bounded per-thread queues feeding one writer thread
 * that owns the file, the chain, fsync, reopening and rotation.
 *
 * Queues. One per worker plus one for the main thread (index n_workers),
 * each bounded at max(64, audit.queue / (n_workers + 1)) records, so the
 * configured total is shared evenly and a busy worker cannot take the room
 * of the others. A record is copied into its own allocation (one malloc per
 * record: simple, and far below the cost of formatting the record). Each
 * queue has its own mutex; a submitter only ever takes its own.
 *
 * Waking. The writer sleeps in poll() on an eventfd. A submitter writes the
 * eventfd only when the writer said it is going to sleep (`sleeping`), so a
 * busy writer costs submitters no system call.
 *
 * Batches. The writer takes every queue's list at once, merges them by
 * submit time (each queue is FIFO already), composes the lines, writes the
 * batch with one write() and syncs per audit.fsync: `always` after every
 * batch, `interval` at most once per fsync_interval (and at the latest
 * fsync_interval after a write), `never` only at rotation and stop.
 *
 * Full queues. on_full: block makes the submitter wait for room; drop
 * counts the record, and the writer writes a `gap` record with the count
 * before the next records.
 *
 * Write errors. Short writes and EINTR are retried at once. Any other error
 * is logged and the unwritten bytes are kept and retried every second; the
 * writer takes nothing new meanwhile, so the queues fill up and on_full
 * decides: block holds the workers (nothing is lost), drop counts what does
 * not fit (the gap record reports it once writing works again). At stop the
 * retries go on for STOP_RETRIES seconds; what still cannot be written is
 * logged with its count. */
#include "audit/audit.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit_chain.h"
#include "audit/audit_file.h"
#include "audit/audit_internal.h"
#include "audit/audit_syslog.h"
#include "dbward_version.h"
#include "proxy/log.h"

#define QUEUE_MIN 64u
#define RETRY_MS 1000
#define STOP_RETRIES 5
#define TRUNCATED_FIELD ",\"truncated\":true"

static const char zero_hash[DW_AUDIT_HASH_HEX + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

struct node {
	struct node *next;
	uint64_t submitted_ns;
	uint32_t len;
	unsigned char severity;
	char body[];
};

struct queue {
	pthread_mutex_t mu;
	pthread_cond_t room;
	struct node *head, *tail;
	uint32_t count;
	unsigned waiters;
	bool closed;
	struct dw_audit_rec scratch;    /* dw_audit_scratch: its worker's only */
};

/* Shared between submitters, the writer and the control functions. */
static struct {
	atomic_bool on;
	atomic_int inflight;            /* submitters inside dw_audit_submit */
	struct queue *queues;
	unsigned n_queues;
	uint32_t queue_cap;
	atomic_int on_full;
	atomic_int fsync_mode;
	atomic_uint_fast64_t fsync_interval_ms;
	atomic_uint_fast64_t max_size;
	int wake_fd;
	atomic_int sleeping;
	atomic_bool reopen, stopping, paused;
	atomic_uint_fast64_t queued, written, dropped, dropped_unreported;
	pthread_t thread;
	bool started;
} S = { .wake_fd = -1 };

/* Owned by the writer thread (and by start/stop while it does not run). */
static struct {
	char *path;
	int fd;
	uint64_t size;                  /* bytes in the current file */
	uint64_t records_in_file;
	bool need_file_start;
	uint64_t next_seq;
	char last_hash[DW_AUDIT_HASH_HEX + 1];
	enum dw_audit_chain chain_kind;
	struct dw_audit_hasher *chain;
	struct dw_syslog *syslog;
	struct dw_audit_rec rec;        /* the writer's own records */
	struct node *backlog;           /* taken from the queues, not yet composed */
	char *out;                      /* composed, not yet written: out[out_done..out_len) */
	size_t out_len, out_done, out_cap;
	uint64_t out_records;
	struct { size_t off, len; unsigned char severity; } *lines; /* for the syslog sink */
	size_t n_lines, cap_lines;
	bool failing;                   /* a write error was logged */
	bool dirty;                     /* written since the last sync */
	uint64_t last_sync_ns;
	bool compose_failed;
} W = { .fd = -1 };

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void wake_writer(void)
{
	/* Only when the writer announced it sleeps (or a control function
	 * forces it): a busy writer costs submitters no system call. */
	if (atomic_load(&S.sleeping) && atomic_exchange(&S.sleeping, 0)) {
		uint64_t one = 1;
		ssize_t n;
		do
			n = write(S.wake_fd, &one, sizeof(one));
		while (n < 0 && errno == EINTR);
	}
}

static void force_wake(void)
{
	atomic_store(&S.sleeping, 1);
	wake_writer();
}

bool dw_audit_on(void)
{
	return atomic_load_explicit(&S.on, memory_order_relaxed);
}

struct dw_audit_rec *dw_audit_scratch(unsigned worker)
{
	if (!atomic_load(&S.on) || S.queues == NULL)
		return NULL;
	return &S.queues[worker < S.n_queues ? worker : S.n_queues - 1].scratch;
}

void dw_audit_submit(unsigned worker, const struct dw_audit_rec *r)
{
	size_t extra = r->truncated ? sizeof(TRUNCATED_FIELD) - 1 : 0;
	bool open_array = r->in_array && !r->array_skipped;
	struct queue *q;
	struct node *n;

	atomic_fetch_add(&S.inflight, 1);
	/* A record not started with dw_audit_begin would not be valid JSON. */
	if (!atomic_load(&S.on) || r->buf == NULL || r->len < 6 ||
	    memcmp(r->buf, "\"ts\":\"", 6) != 0)
		goto out;
	q = &S.queues[worker < S.n_queues ? worker : S.n_queues - 1];
	n = malloc(sizeof(*n) + r->len + 1 + extra);
	if (n == NULL) {
		/* Reported like a full queue: a gap record counts it. */
		atomic_fetch_add(&S.dropped, 1);
		atomic_fetch_add(&S.dropped_unreported, 1);
		goto out;
	}
	n->next = NULL;
	n->submitted_ns = now_ns();
	n->severity = r->severity;
	memcpy(n->body, r->buf, r->len);
	n->len = (uint32_t)r->len;
	if (open_array) /* its byte was kept free by the record builder */
		n->body[n->len++] = ']';
	memcpy(n->body + n->len, TRUNCATED_FIELD, extra);
	n->len += (uint32_t)extra;

	pthread_mutex_lock(&q->mu);
	while (q->count >= S.queue_cap && !q->closed) {
		if (atomic_load(&S.on_full) == DW_AUDIT_DROP) {
			pthread_mutex_unlock(&q->mu);
			free(n);
			atomic_fetch_add(&S.dropped, 1);
			atomic_fetch_add(&S.dropped_unreported, 1);
			wake_writer();
			goto out;
		}
		q->waiters++;
		pthread_cond_wait(&q->room, &q->mu);
		q->waiters--;
	}
	if (q->closed) {
		/* Raced with dw_audit_stop: the trail is already closed. */
		pthread_mutex_unlock(&q->mu);
		free(n);
		goto out;
	}
	if (q->tail != NULL)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->count++;
	atomic_fetch_add(&S.queued, 1);
	pthread_mutex_unlock(&q->mu);
	wake_writer();
out:
	atomic_fetch_sub(&S.inflight, 1);
}

/* Takes every queue's records into W.backlog, merged by submit time.
 * CLOSE: also close each queue found empty. Returns the records taken. */
static size_t take_queues(bool close)
{
	struct node **heads = NULL, *merged = NULL, **tail = &merged;
	size_t n_heads = 0, taken = 0;

	heads = calloc(S.n_queues, sizeof(*heads));
	for (unsigned i = 0; i < S.n_queues; i++) {
		struct queue *q = &S.queues[i];
		struct node *list;

		pthread_mutex_lock(&q->mu);
		list = q->head;
		taken += q->count;
		atomic_fetch_sub(&S.queued, q->count);
		q->head = q->tail = NULL;
		q->count = 0;
		if (close && list == NULL)
			q->closed = true;
		if (q->waiters > 0 || q->closed)
			pthread_cond_broadcast(&q->room);
		pthread_mutex_unlock(&q->mu);
		if (list == NULL)
			continue;
		if (heads == NULL) {
			/* No memory to merge: keep per-queue order only. */
			*tail = list;
			while (*tail != NULL)
				tail = &(*tail)->next;
			continue;
		}
		heads[n_heads++] = list;
	}
	while (n_heads > 0) {
		size_t best = 0;
		for (size_t i = 1; i < n_heads; i++)
			if (heads[i]->submitted_ns < heads[best]->submitted_ns)
				best = i;
		*tail = heads[best];
		tail = &heads[best]->next;
		heads[best] = heads[best]->next;
		if (heads[best] == NULL)
			heads[best] = heads[--n_heads];
	}
	*tail = NULL;
	free(heads);
	/* Behind whatever an earlier failed write left in the backlog. */
	tail = &W.backlog;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = merged;
	return taken;
}

static bool out_reserve(size_t n)
{
	size_t cap;
	char *p;

	if (W.out_len + n <= W.out_cap)
		return true;
	cap = W.out_cap == 0 ? 256 * 1024 : W.out_cap;
	while (cap < W.out_len + n)
		cap *= 2;
	p = realloc(W.out, cap);
	if (p == NULL)
		return false;
	W.out = p;
	W.out_cap = cap;
	return true;
}

static void note_line(size_t off, size_t len, unsigned char severity)
{
	if (W.syslog == NULL)
		return;
	if (W.n_lines == W.cap_lines) {
		size_t cap = W.cap_lines == 0 ? 256 : W.cap_lines * 2;
		void *p = realloc(W.lines, cap * sizeof(*W.lines));
		if (p == NULL)
			return; /* the collector misses it; the file has it */
		W.lines = p;
		W.cap_lines = cap;
	}
	W.lines[W.n_lines].off = off;
	W.lines[W.n_lines].len = len;
	W.lines[W.n_lines].severity = severity;
	W.n_lines++;
}

static void out_put(const char *s, size_t n)
{
	memcpy(W.out + W.out_len, s, n);
	W.out_len += n;
}

/* Bytes of the line for a body of BODY_LEN bytes with SEQ:
 * { body ,"seq":N [,"prev":"P","hash":"H"] }\n */
static size_t line_length(size_t body_len, uint64_t seq)
{
	char num[21];
	return 1 + body_len + 7 + dw_audit_u64(num, seq) +
	       (W.chain != NULL ? 10 + DW_AUDIT_HASH_HEX + 10 + DW_AUDIT_HASH_HEX : 0) + 2;
}

/* Appends the line for BODY to the batch: `{`, the ts field, `"seq":N`,
 * the rest of the body, the chain fields, `}` and a newline. */
static bool compose(const char *body, size_t len, unsigned char severity)
{
	const char *comma = memchr(body, ',', len);
	size_t ts_len = comma != NULL ? (size_t)(comma - body) : len;
	size_t start = W.out_len;
	char num[21];
	size_t nl = dw_audit_u64(num, W.next_seq);

	if (!out_reserve(line_length(len, W.next_seq)))
		return false;
	W.out[W.out_len++] = '{';
	out_put(body, ts_len);
	out_put(",\"seq\":", 7);
	out_put(num, nl);
	out_put(body + ts_len, len - ts_len);
	if (W.chain != NULL) {
		char hash[DW_AUDIT_HASH_HEX + 1];

		out_put(",\"prev\":\"", 9);
		out_put(W.last_hash, DW_AUDIT_HASH_HEX);
		out_put("\"", 1);
		if (!dw_audit_chain_hash(W.chain, W.last_hash, W.out + start, W.out_len - start,
					 hash)) {
			W.out_len = start;
			return false;
		}
		out_put(",\"hash\":\"", 9);
		out_put(hash, DW_AUDIT_HASH_HEX);
		out_put("\"", 1);
		memcpy(W.last_hash, hash, sizeof(hash));
	}
	W.out[W.out_len++] = '}';
	W.out[W.out_len++] = '\n';
	note_line(start, W.out_len - start - 1, severity);
	W.next_seq++;
	W.records_in_file++;
	W.out_records++;
	return true;
}

static bool compose_rec(const struct dw_audit_rec *r)
{
	return r->buf != NULL && compose(r->buf, r->len, r->severity);
}

static void sync_file(void)
{
	if (W.fd >= 0 && W.dirty && fdatasync(W.fd) != 0)
		dw_error("audit: cannot sync %s: %s", W.path, strerror(errno));
	W.dirty = false;
	W.last_sync_ns = now_ns();
}

/* Writes what the batch holds. False while it cannot (error logged once). */
static bool flush_out(void)
{
	size_t n;

	if (W.out_done == W.out_len)
		return true;
	n = dw_audit_file_write(W.fd, W.out + W.out_done, W.out_len - W.out_done);
	W.out_done += n;
	W.size += n;
	if (n > 0)
		W.dirty = true;
	if (W.out_done < W.out_len) {
		if (!W.failing)
			dw_error("audit: cannot write %s: %s; holding the records and retrying",
				 W.path, strerror(errno));
		W.failing = true;
		return false;
	}
	if (W.failing)
		dw_info("audit: writing %s works again", W.path);
	W.failing = false;
	for (size_t i = 0; W.syslog != NULL && i < W.n_lines; i++)
		(void)dw_syslog_send(W.syslog, W.out + W.lines[i].off, W.lines[i].len,
				     dw_audit_severity_name(W.lines[i].severity));
	atomic_fetch_add(&S.written, W.out_records);
	W.out_records = 0;
	W.out_len = W.out_done = 0;
	W.n_lines = 0;
	return true;
}

/* The first record of every file: it names the hash the chain continues
 * from, so a verifier given the files in order sees the chain go on. */
static bool compose_file_start(void)
{
	dw_audit_begin(&W.rec, "audit", "file_start", "success", "info");
	dw_audit_str(&W.rec, "previous_file_hash", W.last_hash);
	W.records_in_file = 0;
	if (!compose_rec(&W.rec))
		return false;
	W.need_file_start = false;
	return true;
}

/* Switches to a freshly opened FD at the configured path. */
static void use_file(int fd, uint64_t size)
{
	if (W.fd >= 0) {
		sync_file();
		close(W.fd);
	}
	W.fd = fd;
	W.size = size;
	W.dirty = false;
	W.need_file_start = true;
}

static void reopen_file(void)
{
	char err[512];
	uint64_t size;
	int fd = dw_audit_file_open(W.path, &size, err, sizeof(err));

	if (fd < 0) {
		dw_error("audit: reopen: %s; still writing to the old file", err);
		return;
	}
	/* Someone else's cut line must not swallow our next record. */
	if (size > 0) {
		char last;
		if (pread(fd, &last, 1, (off_t)(size - 1)) == 1 && last != '\n' &&
		    dw_audit_file_write(fd, "\n", 1) == 1)
			size++;
	}
	use_file(fd, size);
	dw_audit_file_sync_dir(W.path);
	dw_info("audit: reopened %s", W.path);
}

static void rotate_file(void)
{
	char aside[PATH_MAX + 64], err[512];
	uint64_t size;
	int fd;

	sync_file();
	if (dw_audit_file_set_aside(W.path, aside, sizeof(aside)) != 0) {
		dw_error("audit: cannot rotate %s: %s; it grows past max_size", W.path,
			 strerror(errno));
		W.records_in_file = 0; /* try again after another file's worth */
		W.size = 0;
		return;
	}
	fd = dw_audit_file_open(W.path, &size, err, sizeof(err));
	if (fd < 0) {
		dw_error("audit: after rotating to %s: %s; still writing to %s", aside, err, aside);
		W.records_in_file = 0;
		W.size = 0;
		return;
	}
	use_file(fd, size);
	dw_audit_file_sync_dir(W.path);
}

/* Composes the backlog into the batch, rotating when the next line would
 * take the file past max_size. Stops early when a write needed for a
 * rotation fails (the rest stays in the backlog). */
static void compose_backlog(void)
{
	uint64_t dropped = atomic_exchange(&S.dropped_unreported, 0);

	if (dropped > 0) {
		dw_audit_begin(&W.rec, "admin", "gap", "failure", "warning");
		dw_audit_int(&W.rec, "dropped", (int64_t)dropped);
		dw_audit_str(&W.rec, "reason", "audit queue full (on_full: drop)");
		if (!compose_rec(&W.rec))
			atomic_fetch_add(&S.dropped_unreported, dropped);
	}
	while (W.backlog != NULL) {
		struct node *n = W.backlog;
		uint64_t max = atomic_load(&S.max_size);

		if (max > 0 && W.records_in_file > 0 &&
		    W.size + (W.out_len - W.out_done) + line_length(n->len, W.next_seq) > max) {
			if (!flush_out())
				return;
			rotate_file();
		}
		if (W.need_file_start && !compose_file_start())
			return;
		if (!compose(n->body, n->len, n->severity)) {
			/* Out of memory or a hash failure: retried with the next batch. */
			if (!W.compose_failed)
				dw_error("audit: cannot compose a record (out of memory)");
			W.compose_failed = true;
			return;
		}
		W.compose_failed = false;
		W.backlog = n->next;
		free(n);
	}
}

static void free_backlog(void)
{
	while (W.backlog != NULL) {
		struct node *n = W.backlog;
		W.backlog = n->next;
		free(n);
	}
}

/* How long poll() may sleep: until the next interval sync, or forever. */
static int sleep_ms(void)
{
	uint64_t interval, due, now;

	if (W.failing || W.compose_failed)
		return RETRY_MS;
	if (!W.dirty || atomic_load(&S.fsync_mode) != DW_AUDIT_FSYNC_INTERVAL)
		return -1;
	interval = atomic_load(&S.fsync_interval_ms) * 1000000u;
	due = W.last_sync_ns + interval;
	now = now_ns();
	if (due <= now)
		return 0;
	return (int)((due - now) / 1000000u) + 1;
}

static void after_write(void)
{
	switch (atomic_load(&S.fsync_mode)) {
	case DW_AUDIT_FSYNC_ALWAYS:
		sync_file();
		break;
	case DW_AUDIT_FSYNC_INTERVAL:
		if (W.dirty && now_ns() - W.last_sync_ns >= atomic_load(&S.fsync_interval_ms) * 1000000u)
			sync_file();
		break;
	default:
		break;
	}
}

static void wait_for_work(void)
{
	struct pollfd p = { .fd = S.wake_fd, .events = POLLIN };
	int timeout = sleep_ms();
	uint64_t count;

	if (timeout == 0)
		return;
	atomic_store(&S.sleeping, 1);
	/* Checked after announcing sleep: a submitter that queued before saw
	 * no sleeper and did not write the eventfd. */
	if ((!atomic_load(&S.paused) && !W.failing &&
	     (atomic_load(&S.queued) > 0 || atomic_load(&S.dropped_unreported) > 0 ||
	      atomic_load(&S.reopen))) || atomic_load(&S.stopping)) {
		atomic_store(&S.sleeping, 0);
		return;
	}
	if (poll(&p, 1, timeout) > 0)
		(void)!read(S.wake_fd, &count, sizeof(count));
	atomic_store(&S.sleeping, 0);
}

/* One pass: retry held bytes, honour a reopen, take and write records. */
static void writer_pass(bool stopping)
{
	if (flush_out() && (stopping || !atomic_load(&S.paused))) {
		if (atomic_exchange(&S.reopen, false))
			reopen_file();
		if (W.backlog == NULL)
			take_queues(false);
		/* A new file gets its first record at once, even with nothing
		 * else to write: it shows where the chain goes on. */
		if (W.need_file_start)
			(void)compose_file_start();
		compose_backlog();
		(void)flush_out();
	}
	if (W.out_done == W.out_len)
		after_write();
}

/* Records arrive one per statement. Once woken, the writer lets a batch
 * build up for a moment, so the file gets one write() and the workers one
 * wake-up per batch rather than per record (which cost a quarter of the
 * throughput at 20,000 statements a second on two cores). */
#define GATHER_NS (2 * 1000 * 1000)

static void gather(void)
{
	if (atomic_load(&S.stopping) || atomic_load(&S.paused))
		return;
	struct timespec ts = { .tv_sec = 0, .tv_nsec = GATHER_NS };
	nanosleep(&ts, NULL);
}

static void *writer_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&S.stopping)) {
		writer_pass(false);
		wait_for_work();
		gather();
	}
	/* Drain: whatever was submitted before the queues close is written. */
	for (int retries = 0;;) {
		writer_pass(true);
		if (W.out_done < W.out_len || W.backlog != NULL) {
			if (++retries > STOP_RETRIES)
				break;
			usleep(RETRY_MS * 1000);
			continue;
		}
		if (atomic_load(&S.queued) == 0 && atomic_load(&S.dropped_unreported) == 0) {
			take_queues(true);
			if (W.backlog == NULL)
				break;
		}
	}
	/* Composed here, after the queues closed, so that it is the last record. */
	if (W.out_done == W.out_len && W.backlog == NULL) {
		dw_audit_begin(&W.rec, "admin", "stop", "success", "info");
		if (W.need_file_start)
			(void)compose_file_start();
		(void)compose_rec(&W.rec);
		for (int retries = 0; !flush_out() && retries < STOP_RETRIES; retries++)
			usleep(RETRY_MS * 1000);
	}
	if (W.out_done < W.out_len || W.backlog != NULL) {
		size_t lost = 0;
		for (struct node *n = W.backlog; n != NULL; n = n->next)
			lost++;
		dw_error("audit: stopping with %zu records and %zu bytes not written to %s",
			 lost, W.out_len - W.out_done, W.path);
	}
	W.dirty = true;
	sync_file();
	return NULL;
}

static void release_all(void)
{
	free_backlog();
	for (unsigned i = 0; S.queues != NULL && i < S.n_queues; i++) {
		struct node *n = S.queues[i].head;
		while (n != NULL) {
			struct node *next = n->next;
			free(n);
			n = next;
		}
		dw_audit_rec_free(&S.queues[i].scratch);
		pthread_mutex_destroy(&S.queues[i].mu);
		pthread_cond_destroy(&S.queues[i].room);
	}
	free(S.queues);
	S.queues = NULL;
	S.n_queues = 0;
	if (S.wake_fd >= 0)
		close(S.wake_fd);
	S.wake_fd = -1;
	if (W.fd >= 0)
		close(W.fd);
	W.fd = -1;
	dw_syslog_close(W.syslog);
	W.syslog = NULL;
	dw_audit_chain_free(W.chain);
	W.chain = NULL;
	free(W.path);
	W.path = NULL;
	free(W.out);
	W.out = NULL;
	W.out_len = W.out_done = W.out_cap = 0;
	free(W.lines);
	W.lines = NULL;
	W.n_lines = W.cap_lines = 0;
	dw_audit_rec_free(&W.rec);
}

/* Opens the file and finds where the chain goes on. An existing file whose
 * last record cannot be continued (written with other chain settings or
 * key, or not an audit file) is moved aside rather than appended to: the
 * verifier would otherwise report the new records as tampering. */
static int open_trail(void)
{
	struct dw_audit_tail tail;
	char err[512], aside[PATH_MAX + 64];
	uint64_t size;
	int fd = dw_audit_file_open(W.path, &size, err, sizeof(err));

	if (fd < 0) {
		dw_error("audit: %s", err);
		return -1;
	}
	if (dw_audit_file_tail(fd, size, W.chain, &tail) != 0) {
		dw_error("audit: cannot read %s: %s", W.path, strerror(errno));
		close(fd);
		return -1;
	}
	W.next_seq = tail.found ? tail.seq + 1 : 1;
	memcpy(W.last_hash, tail.found && tail.has_hash ? tail.hash : zero_hash,
	       DW_AUDIT_HASH_HEX + 1);
	if (size > 0 && !tail.usable) {
		close(fd);
		if (dw_audit_file_set_aside(W.path, aside, sizeof(aside)) != 0) {
			dw_error("audit: %s cannot be continued (%s) and cannot be moved aside: %s",
				 W.path, tail.why != NULL ? tail.why : "unknown", strerror(errno));
			return -1;
		}
		dw_warn("audit: %s cannot be continued (%s): moved it to %s", W.path,
			tail.why != NULL ? tail.why : "unknown", aside);
		if (!tail.found || !tail.has_hash || W.chain == NULL)
			memcpy(W.last_hash, zero_hash, sizeof(zero_hash));
		fd = dw_audit_file_open(W.path, &size, err, sizeof(err));
		if (fd < 0) {
			dw_error("audit: %s", err);
			return -1;
		}
		tail.needs_newline = false;
	}
	if (tail.needs_newline) {
		/* A crash cut the last line: the next record starts on its own. */
		if (dw_audit_file_write(fd, "\n", 1) != 1) {
			dw_error("audit: cannot write %s: %s", W.path, strerror(errno));
			close(fd);
			return -1;
		}
		size++;
	}
	W.fd = fd;
	W.size = size;
	W.dirty = false;
	W.last_sync_ns = now_ns();
	W.need_file_start = size == 0 || !tail.usable;
	W.records_in_file = tail.usable ? 1 : 0;
	dw_audit_file_sync_dir(W.path);
	return 0;
}

static void apply_settings(const struct dw_audit_config *a)
{
	atomic_store(&S.on_full, (int)a->on_full);
	atomic_store(&S.fsync_mode, (int)a->fsync);
	atomic_store(&S.fsync_interval_ms, a->fsync_interval_ms);
	atomic_store(&S.max_size, a->max_size);
}

void dw_audit_apply_config(const struct dw_config *cfg)
{
	if (S.started && cfg != NULL && cfg->audit.path != NULL)
		apply_settings(&cfg->audit);
}

int dw_audit_start(const struct dw_config *cfg, unsigned n_workers)
{
	const struct dw_audit_config *a = &cfg->audit;
	struct dw_audit_rec start = { 0 };
	uint64_t per_queue;

	if (S.started || a->path == NULL)
		return 0;
	memset(&W, 0, sizeof(W));
	W.fd = -1;
	W.path = strdup(a->path);
	W.chain_kind = a->chain;
	if (a->chain != DW_AUDIT_CHAIN_NONE) {
		W.chain = dw_audit_chain_new(a->chain, a->chain_key, a->chain_key_len);
		if (W.chain == NULL) {
			dw_error("audit: cannot set up the %s chain",
				 a->chain == DW_AUDIT_CHAIN_SHA256 ? "sha256" : "hmac-sha256");
			release_all();
			return -1;
		}
	}
	if (W.path == NULL || open_trail() != 0) {
		release_all();
		return -1;
	}
	S.n_queues = n_workers + 1;
	per_queue = a->queue / S.n_queues;
	S.queue_cap = per_queue < QUEUE_MIN ? QUEUE_MIN : (uint32_t)per_queue;
	S.queues = calloc(S.n_queues, sizeof(*S.queues));
	S.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (S.queues == NULL || S.wake_fd < 0) {
		dw_error("audit: cannot set up the queues: %s", strerror(errno));
		release_all();
		return -1;
	}
	for (unsigned i = 0; i < S.n_queues; i++) {
		pthread_mutex_init(&S.queues[i].mu, NULL);
		pthread_cond_init(&S.queues[i].room, NULL);
	}
	if (a->syslog_enabled) {
		W.syslog = dw_syslog_open(&a->syslog_address, a->syslog_tcp);
		if (W.syslog == NULL)
			dw_error("audit: cannot set up the syslog sink (out of memory)");
	}
	apply_settings(a);
	atomic_store(&S.queued, 0);
	atomic_store(&S.dropped_unreported, 0);
	atomic_store(&S.stopping, false);
	atomic_store(&S.reopen, false);
	atomic_store(&S.sleeping, 0);
	atomic_store(&S.on, true);
	if (pthread_create(&S.thread, NULL, writer_main, NULL) != 0) {
		atomic_store(&S.on, false);
		dw_error("audit: cannot start the writer thread");
		release_all();
		return -1;
	}
	S.started = true;
	/* W.rec belongs to the writer thread now: a record of our own. */
	dw_audit_begin(&start, "admin", "start", "success", "info");
	dw_audit_str(&start, "version", DBWARD_VERSION);
	dw_audit_str(&start, "config", cfg->path);
	dw_audit_int(&start, "pid", (int64_t)getpid());
	dw_audit_submit(S.n_queues - 1, &start);
	dw_audit_rec_free(&start);
	return 0;
}

void dw_audit_reopen(void)
{
	if (!S.started)
		return;
	atomic_store(&S.reopen, true);
	force_wake();
}

void dw_audit_note_reload(bool ok, const char *detail)
{
	struct dw_audit_rec r = { 0 };

	if (!dw_audit_on())
		return;
	dw_audit_begin(&r, "admin", "reload", ok ? "success" : "failure", ok ? "info" : "warning");
	dw_audit_str(&r, "detail", detail);
	dw_audit_submit(S.n_queues - 1, &r);
	dw_audit_rec_free(&r);
}

void dw_audit_stop(void)
{
	if (!S.started)
		return;
	/* The writer writes the stop record itself once every queue is
	 * drained and closed. */
	atomic_store(&S.on, false);
	atomic_store(&S.paused, false);
	atomic_store(&S.stopping, true);
	force_wake();
	pthread_join(S.thread, NULL);
	/* Submitters that got in before `on` went false have left a closed
	 * queue (or been woken by its closing) by now or very soon. */
	while (atomic_load(&S.inflight) > 0)
		usleep(1000);
	release_all();
	S.started = false;
}

void dw_audit_stats(struct dw_audit_stats *out)
{
	out->written = atomic_load(&S.written);
	out->dropped = atomic_load(&S.dropped);
	out->queued = atomic_load(&S.queued);
}

void dw_audit_test_pause(bool paused)
{
	atomic_store(&S.paused, paused);
	if (!paused && S.started)
		force_wake();
}
