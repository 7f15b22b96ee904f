/*
 * Input sources and physical lines.
 *
 * A source is a plain file, standard input ("-"), or a gzip stream over
 * either.  The gzip reader runs inflate itself rather than gzread(), so that
 * a truncated stream, a corrupt one and trailing bytes that are not another
 * gzip member are errors, never a silent end of file.
 *
 * The line reader hands out physical lines without their line end (LF, or
 * CRLF), numbered from 1, from one reused buffer; a line longer than
 * SETTLE_LINE_MAX is cut there and flagged, and its rest skipped.
 */
#ifndef SETTLE_SOURCE_H
#define SETTLE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SETTLE_LINE_MAX (64 * 1024)

struct settle_src;

/*
 * Open path ("-" for standard input); gzip: 1 to require a gzip stream.
 * name is the display name used in errors (copied).  Returns NULL with err
 * filled (SETTLE_ENOINPUT, SETTLE_EIO).  Free with settle_src_close().
 */
struct settle_src *settle_src_open(const char *path, const char *name,
    int gzip, struct settle_err *err);
void settle_src_close(struct settle_src *src);

/* Read up to cap bytes; returns bytes read, 0 at a clean end, or < 0. */
long settle_src_read(struct settle_src *src, unsigned char *buf, size_t cap,
    struct settle_err *err);

struct settle_line {
	const char *p;		/* not NUL-terminated */
	size_t len;		/* without the line end */
	long no;		/* physical line number, from 1 */
	int eol;		/* 1: LF, 2: CRLF, 0: none (end of input) */
	int toolong;		/* cut at SETTLE_LINE_MAX */
};

struct settle_lines;

/* Takes ownership of src. Free with settle_lines_free(). */
struct settle_lines *settle_lines_new(struct settle_src *src);
void settle_lines_free(struct settle_lines *lr);

/*
 * Next line: returns 1 with *ln filled, 0 at end of input, < 0 on a read
 * error (err filled).  The first line has a UTF-8 BOM removed.  ln->p stays
 * valid until the next call.
 */
int settle_lines_next(struct settle_lines *lr, struct settle_line *ln,
    struct settle_err *err);

/* Bytes consumed so far (decompressed). */
uint64_t settle_lines_bytes(const struct settle_lines *lr);

/* 1 when len bytes at p are valid UTF-8 (no NUL, no overlong forms). */
int settle_utf8_valid(const char *p, size_t len);

#endif
