/*
 * Front-end helpers shared by every settle executable.
 */
#include <stdarg.h>
#include <stdio.h>

#include "frontend.h"

const char *fe_prog = "settle";

void
fe_print_err(const struct settle_err *err)
{
	char buf[1200];

	settle_err_format(err, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", fe_prog, buf);
}

void
fe_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", fe_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
fe_exit_code(int code)
{
	switch (code) {
	case SETTLE_OK: return EX_DONE;
	case SETTLE_EDATA: return EX_DATAERR_;
	case SETTLE_ENOINPUT: return EX_NOINPUT_;
	case SETTLE_ECREATE: return EX_CANTCREAT_;
	case SETTLE_EIO: return EX_IOERR_;
	case SETTLE_ECONFIG: return EX_CONFIG_;
	case SETTLE_EVERIFY: return EX_VERIFY;
	case SETTLE_ELOCK: return EX_TEMPFAIL_;
	case SETTLE_EUSAGE: return EX_USAGE_;
	case SETTLE_ENOMEM: return EX_DATAERR_;
	default: return EX_IOERR_;
	}
}

void
fe_version(void)
{
	printf("%s (settle) %s\n", fe_prog, SETTLE_VERSION);
}
