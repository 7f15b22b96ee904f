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
 * Flush, fsync, close and rename into place (a file the caller has
 * flushed, fsynced and closed, a->f set to NULL, is only renamed), then
 * fsync the folder.  0 or SETTLE_EIO.
 */
int settle_atomic_commit(struct settle_atomic *a, struct settle_err *err);

/* Close and remove the temporary file. */
void settle_atomic_abort(struct settle_atomic *a);

/*
 * A temporary file for "w+b", in $TMPDIR or /tmp, named settle-TAG.tmp.*
 * and unlinked at once.  NULL with errno when it cannot be made.
 */
FILE *settle_tmpfile(const char *tag);

/* fsync a folder.  0 or -1. */
int settle_fsync_dir(const char *dir);

/* The base name of path (a pointer into it). */
const char *settle_basename(const char *path);

#endif
