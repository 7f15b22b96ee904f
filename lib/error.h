/*
 * Error reporting for libsettle.
 *
 * Library functions never print and never exit.  A function that can fail
 * returns 0 on success or a negative SETTLE_E* code, and fills a
 * caller-owned struct settle_err with the input's name, line, field and a
 * lowercase message.  The front end alone decides how to print it and which
 * exit status to use.
 *
 * Memory rule for the whole library: arguments are borrowed unless a
 * function's comment says it takes ownership; a function that returns memory
 * to free says so.
 */
#ifndef SETTLE_ERROR_H
#define SETTLE_ERROR_H

#include <stddef.h>

enum settle_code {
	SETTLE_OK = 0,
	SETTLE_EDATA = -1,	/* bad input data (refused file) */
	SETTLE_ENOINPUT = -2,	/* an input is missing */
	SETTLE_ECREATE = -3,	/* cannot create output */
	SETTLE_EIO = -4,	/* read or write error */
	SETTLE_ECONFIG = -5,	/* bad configuration or schema */
	SETTLE_ENOMEM = -6,	/* out of memory or over a size cap */
	SETTLE_EVERIFY = -7,	/* a verification failed */
	SETTLE_ELOCK = -8,	/* another run holds the lock */
	SETTLE_EUSAGE = -9	/* bad arguments */
};

struct settle_err {
	int code;		/* one of enum settle_code */
	char file[256];		/* input name, empty when none */
	long line;		/* physical line, 0 when none */
	char field[64];		/* field name, empty when none */
	char msg[768];
};

void settle_err_clear(struct settle_err *err);

/*
 * Fill err and return code, so that callers write
 * "return settle_err_set(err, SETTLE_EDATA, file, line, field, fmt, ...)".
 * file and field may be NULL.
 */
int settle_err_set(struct settle_err *err, int code, const char *file,
    long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Format err as "file:line: field 'x': message" into buf. */
void settle_err_format(const struct settle_err *err, char *buf, size_t len);

#endif
