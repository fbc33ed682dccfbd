/* Opening, resuming and rotating the audit file. Whoever can replace the
 * file or its directory can rewrite the evidence, so the checks the config
 * loader made are repeated at every open: the directory may have changed
 * since. */
#include "audit/audit_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The directory of PATH into OUT ("/" for a file in the root). */
static void parent_dir(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, cap, ".");
	else if (slash == path)
		snprintf(out, cap, "/");
	else
		snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

int dw_audit_file_open(const char *path, uint64_t *size, char *err, size_t err_cap)
{
	char dir[PATH_MAX];
	struct stat st;
	int fd;

	parent_dir(path, dir, sizeof(dir));
	if (stat(dir, &st) != 0) {
		snprintf(err, err_cap, "directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, err_cap, "%s is not a directory", dir);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, err_cap, "refusing %s: its directory %s is world-writable", path, dir);
		return -1;
	}
	/* O_NONBLOCK: a FIFO planted at PATH must not hang the open. */
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(err, err_cap, "refusing %s: it is a symbolic link", path);
		else
			snprintf(err, err_cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_cap, "refusing %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, err_cap, "refusing %s: owned by uid %u, not by this process (uid %u)",
			 path, (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		snprintf(err, err_cap, "cannot restrict %s to mode 0600: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* Enough for the longest line the writer produces, with its newline. */
#define TAIL_MAX (DW_AUDIT_RECORD_MAX + 1024)

static void check_line(const char *line, size_t len, struct dw_audit_hasher *chain,
	struct dw_audit_tail *out)
{
	struct dw_audit_line l;
	char hash[DW_AUDIT_HASH_HEX + 1];
	const char *err = dw_audit_scan_line(line, len, &l);

	if (err != NULL) {
		out->why = "its last line is not an audit record";
		return;
	}
	if (!l.has_seq) {
		out->why = "its last line has no seq";
		return;
	}
	out->found = true;
	out->seq = l.seq;
	if (l.hash != NULL) {
		out->has_hash = true;
		memcpy(out->hash, l.hash, DW_AUDIT_HASH_HEX);
		out->hash[DW_AUDIT_HASH_HEX] = '\0';
	}
	if (chain == NULL) {
		out->usable = l.hash == NULL;
		if (!out->usable)
			out->why = "it was written with a hash chain, now chain is none";
		return;
	}
	if (l.hash == NULL) {
		out->why = "it was written without a hash chain";
		return;
	}
	if (!dw_audit_chain_hash(chain, l.prev, line, l.hashed_len, hash)) {
		out->why = "the hash library failed";
		return;
	}
	out->usable = memcmp(hash, l.hash, DW_AUDIT_HASH_HEX) == 0;
	if (!out->usable)
		out->why = "its last record does not verify with the configured chain and key";
}

int dw_audit_file_tail(int fd, uint64_t size, struct dw_audit_hasher *chain,
	struct dw_audit_tail *out)
{
	size_t want = size < TAIL_MAX ? (size_t)size : TAIL_MAX, got = 0;
	uint64_t from = size - want;
	char *buf, *end, *start;

	memset(out, 0, sizeof(*out));
	if (size == 0)
		return 0;
	buf = malloc(want);
	if (buf == NULL)
		return -1;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, (off_t)(from + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			if (n == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	out->needs_newline = buf[want - 1] != '\n';
	end = memrchr(buf, '\n', want);
	if (end == NULL) {
		/* Only a cut line: nothing to continue from. */
		out->why = size > want ? "its last line is too long" : "it holds no complete line";
		free(buf);
		return 0;
	}
	start = memrchr(buf, '\n', (size_t)(end - buf));
	if (start != NULL)
		start++;
	else if (from == 0)
		start = buf;
	if (start == NULL)
		out->why = "its last line is too long";
	else
		check_line(start, (size_t)(end - start), chain, out);
	free(buf);
	return 0;
}

int dw_audit_file_set_aside(const char *path, char *new_name, size_t cap)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	for (unsigned n = 0; n < 1000; n++) {
		int len = n == 0 ? snprintf(new_name, cap, "%s.%s", path, stamp)
				 : snprintf(new_name, cap, "%s.%s.%u", path, stamp, n);
		if (len < 0 || (size_t)len >= cap) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (renameat2(AT_FDCWD, path, AT_FDCWD, new_name, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EINVAL || errno == ENOSYS) {
			/* A file system without RENAME_NOREPLACE: link() never replaces. */
			if (link(path, new_name) == 0)
				return unlink(path);
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

void dw_audit_file_sync_dir(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	parent_dir(path, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

size_t dw_audit_file_write(int fd, const char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			break;
		}
		done += (size_t)n;
	}
	return done;
}
