/* Secrets given indirectly: *_env (environment) and *_file (a file that
 * must not be world-readable). Nothing here ever prints the variable name,
 * the file name or the value: a secret pasted into the wrong key would
 * otherwise end up in a log. */
#include "config/config_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above any password or key, small enough to never matter. */
#define SECRET_FILE_MAX (64 * 1024)

char *dw_cfg_secret_env(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *name)
{
	const char *value = getenv(name);

	if (value == NULL || value[0] == '\0') {
		dw_cfg_error(ctx, node, path, "the environment variable it names is not set "
			     "or is empty");
		return NULL;
	}
	return dw_cfg_strdup(ctx, value);
}

static char *read_secret_fd(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, int fd)
{
	struct stat st;
	size_t len = 0;
	char *value = NULL;
	char *buf;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		dw_cfg_error(ctx, node, path, "the file it names is not a regular file");
		return NULL;
	}
	if (st.st_mode & S_IROTH) {
		dw_cfg_error(ctx, node, path, "refusing a world-readable secret file; "
			     "remove the read permission for others (chmod o-r)");
		return NULL;
	}
	if (st.st_size > SECRET_FILE_MAX) {
		dw_cfg_error(ctx, node, path, "the file it names is larger than 64 KiB");
		return NULL;
	}
	buf = malloc(SECRET_FILE_MAX + 1);
	if (buf == NULL) {
		ctx->oom = true;
		return NULL;
	}
	/* Read to EOF rather than trusting st_size: the file may change. */
	for (;;) {
		ssize_t n = read(fd, buf + len, SECRET_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dw_cfg_error(ctx, node, path, "cannot read the file it names: %s",
				     strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SECRET_FILE_MAX) {
			dw_cfg_error(ctx, node, path, "the file it names is larger than 64 KiB");
			goto fail;
		}
	}
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0) {
		dw_cfg_error(ctx, node, path, "the file it names is empty");
		goto fail;
	}
	if (memchr(buf, '\0', len) != NULL) {
		dw_cfg_error(ctx, node, path, "the file it names contains a NUL byte");
		goto fail;
	}
	/* Keep only what is needed; the large buffer is wiped below. */
	value = strndup(buf, len);
	if (value == NULL)
		ctx->oom = true;
fail:
	explicit_bzero(buf, SECRET_FILE_MAX + 1);
	free(buf);
	return value;
}

char *dw_cfg_secret_file(struct dw_cfg_ctx *ctx, const struct dw_ynode *node,
	const char *path, const char *file)
{
	char *resolved = dw_cfg_resolve_path(ctx, file);
	char *value;
	int fd;

	if (resolved == NULL)
		return NULL;
	fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	free(resolved);
	if (fd < 0) {
		dw_cfg_error(ctx, node, path, "cannot open the file it names: %s",
			     strerror(errno));
		return NULL;
	}
	value = read_secret_fd(ctx, node, path, fd);
	close(fd);
	return value;
}
