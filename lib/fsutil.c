/*
 * Atomic file writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

const char *
settle_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

static void
dir_of(const char *path, char *out, size_t len)
{
	const char *s = strrchr(path, '/');

	if (s == NULL)
		snprintf(out, len, ".");
	else if (s == path)
		snprintf(out, len, "/");
	else
		snprintf(out, len, "%.*s", (int)(s - path), path);
}

int
settle_atomic_open(struct settle_atomic *a, const char *path,
    struct settle_err *err)
{
	int fd;

	memset(a, 0, sizeof(*a));
	if (snprintf(a->path, sizeof(a->path), "%s", path) >=
	    (int)sizeof(a->path) || snprintf(a->tmp, sizeof(a->tmp),
	    "%s.tmp.XXXXXX", path) >= (int)sizeof(a->tmp))
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "path too long");
	fd = mkstemp(a->tmp);
	if (fd < 0)
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	fchmod(fd, 0644);
	a->f = fdopen(fd, "wb");
	if (a->f == NULL) {
		close(fd);
		unlink(a->tmp);
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	}
	return 0;
}

int
settle_atomic_open_named(struct settle_atomic *a, const char *path,
    const char *suffix, struct settle_err *err)
{
	int fd;

	memset(a, 0, sizeof(*a));
	if (snprintf(a->path, sizeof(a->path), "%s", path) >=
	    (int)sizeof(a->path) || snprintf(a->tmp, sizeof(a->tmp),
	    "%s%s", path, suffix) >= (int)sizeof(a->tmp))
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "path too long");
	fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (a->f = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		a->tmp[0] = '\0';
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	}
	return 0;
}

int
settle_atomic_sync(struct settle_atomic *a)
{
	int e = 0;

	if (a->f == NULL)
		return 0;
	if (fflush(a->f) != 0 || fsync(fileno(a->f)) != 0)
		e = errno != 0 ? errno : EIO;
	if (fclose(a->f) != 0 && e == 0)
		e = errno;
	a->f = NULL;
	return e;
}

int
settle_atomic_commit(struct settle_atomic *a, struct settle_err *err)
{
	char dir[4096];
	int e = settle_atomic_sync(a);

	if (e == 0 && rename(a->tmp, a->path) != 0)
		e = errno;
	if (e != 0) {
		unlink(a->tmp);
		return settle_err_set(err, SETTLE_EIO, a->path, 0, NULL,
		    "cannot write: %s", strerror(e));
	}
	dir_of(a->path, dir, sizeof(dir));
	if (settle_fsync_dir(dir) < 0)
		return settle_err_set(err, SETTLE_EIO, dir, 0, NULL,
		    "cannot sync: %s", strerror(errno));
	return 0;
}

void
settle_atomic_abort(struct settle_atomic *a)
{
	if (a->f != NULL)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0] != '\0')
		unlink(a->tmp);
	a->tmp[0] = '\0';
}

const char *
settle_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir == NULL || dir[0] == '\0' ? "/tmp" : dir;
}

int
settle_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;
	size_t off = 0;
	ssize_t w;

	while (off < n) {
		w = write(fd, b + off, n - off);
		if (w < 0 && errno != EINTR)
			return errno;
		if (w > 0)
			off += (size_t)w;
	}
	return 0;
}

int
settle_tmpfd(const char *tag)
{
	char path[4096];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/settle-%s.tmp.XXXXXX",
	    settle_tmpdir(), tag);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

FILE *
settle_tmpfile(const char *tag)
{
	FILE *f;
	int fd, e;

	if ((fd = settle_tmpfd(tag)) < 0)
		return NULL;
	if ((f = fdopen(fd, "w+b")) == NULL) {
		e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int
settle_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}
