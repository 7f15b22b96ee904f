/*
 * CSV in and out.
 *
 * Reading: settle_csvrec splits one record (one physical line, or for
 * order files several lines joined) into fields.  Quoted records go through
 * libcsv in strict mode (CSV_STRICT | CSV_STRICT_FINI), so a stray or
 * unterminated quote is an error rather than silently swallowed text.
 *
 * Writing: RFC 4180, "\n" line ends, fields quoted only when needed; a text
 * field that starts with '=', '+', '-', '@', tab or CR gets a leading "'"
 * so that a spreadsheet does not run it.  Numbers are never prefixed.
 */
#ifndef SETTLE_CSVIO_H
#define SETTLE_CSVIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define CSV_MAXFIELDS 64

struct settle_span {
	const char *p;
	size_t len;
};

struct settle_csvrec;

struct settle_csvrec *settle_csvrec_new(char delim);
void settle_csvrec_free(struct settle_csvrec *r);

/*
 * Split rec (len bytes) into at most CSV_MAXFIELDS fields.  quoting: 1 for
 * RFC 4180 quotes (libcsv), 0 where any '"' is an error.  Returns the field
 * count (which may exceed CSV_MAXFIELDS: then only the first are kept), or
 * -1 with *why set to a short reason.  Fields point into rec or into r's
 * buffer, valid until the next call.
 */
int settle_csvrec_split(struct settle_csvrec *r, const char *rec, size_t len,
    int quoting, struct settle_span *f, const char **why);

/* A growable output buffer with a hard cap; flushed to a FILE. */
struct settle_out {
	char *buf;
	size_t len, cap;
	FILE *f;		/* flushed here when full; NULL: grow only */
	size_t limit;		/* max size when f == NULL */
	int failed;		/* a write or allocation failed */
	int col;		/* fields written on this row */
};

void settle_out_init(struct settle_out *o, FILE *f, size_t limit);
void settle_out_release(struct settle_out *o);
int settle_out_flush(struct settle_out *o);

void settle_out_raw(struct settle_out *o, const char *p, size_t len);
/* A text field, quoted and prefixed as needed. */
void settle_out_text(struct settle_out *o, const char *p, size_t len);
void settle_out_str(struct settle_out *o, const char *s);
void settle_out_int(struct settle_out *o, int64_t v);
void settle_out_empty(struct settle_out *o);
void settle_out_endrow(struct settle_out *o);

/*
 * Text with every byte that is not part of valid UTF-8 (and NUL) written as
 * "\xNN", as a CSV text field.
 */
void settle_out_escaped(struct settle_out *o, const char *p, size_t len);

/* 1 when a text field needs the "'" prefix. */
int settle_csv_needs_prefix(const char *p, size_t len);

#endif
