/*
 * Files written whole or not at all: a temporary name in the target folder,
 * fsync, rename into place, fsync of the folder.
 */
#ifndef SETTLE_FSUTIL_H
#define SETTLE_FSUTIL_H

#include <stdio.h>

#include "error.h"

struct settle_atomic {
	FILE *f;
	char tmp[4096];
	char path[4096];
};

/* Open a temporary file beside path.  Returns 0 or SETTLE_ECREATE. */
int settle_atomic_open(struct settle_atomic *a, const char *path,
    struct settle_err *err);

/*
 * Open path + suffix as the temporary file, a leftover of that name
 * replaced: for a writer that holds a lock, so that the name is known in
 * advance.  Returns 0 or SETTLE_ECREATE.
 */
int settle_atomic_open_named(struct settle_atomic *a, const char *path,
    const char *suffix, struct settle_err *err);

/*
 * Flush, fsync and close the temporary file, keeping its name for the
 * commit.  0, or the errno value of the first failure.
 */
int settle_atomic_sync(struct settle_atomic *a);

/*
 * settle_atomic_sync() unless done already, rename into place, then fsync
 * the folder.  0 or SETTLE_EIO.
 */
int settle_atomic_commit(struct settle_atomic *a, struct settle_err *err);

/* Close and remove the temporary file. */
void settle_atomic_abort(struct settle_atomic *a);

/* The folder of temporary files: $TMPDIR, else /tmp. */
const char *settle_tmpdir(void);

/*
 * A temporary file, read and write, in settle_tmpdir() named
 * settle-TAG.tmp.* and unlinked at once: its descriptor, or -1 with errno.
 */
int settle_tmpfd(const char *tag);

/* The same as a stream for "w+b"; NULL with errno. */
FILE *settle_tmpfile(const char *tag);

/* Write all n bytes of p to fd, again after EINTR.  0, or an errno value. */
int settle_write_all(int fd, const void *p, size_t n);

/* fsync a folder.  0 or -1. */
int settle_fsync_dir(const char *dir);

/* The base name of path (a pointer into it). */
const char *settle_basename(const char *path);

#endif
