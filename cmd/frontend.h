/*
 * Shared front-end helpers: the only code that prints diagnostics and picks
 * exit statuses (sysexits values, SPEC §7).
 */
#ifndef SETTLE_FRONTEND_H
#define SETTLE_FRONTEND_H

#include "error.h"

#define EX_DONE 0
#define EX_VERIFY 1
#define EX_USAGE_ 64
#define EX_DATAERR_ 65
#define EX_NOINPUT_ 66
#define EX_CANTCREAT_ 73
#define EX_IOERR_ 74
#define EX_TEMPFAIL_ 75
#define EX_CONFIG_ 78

extern const char *fe_prog;

/* Print "prog: formatted error" to stderr. */
void fe_print_err(const struct settle_err *err);

/* Print "prog: message" to stderr. */
void fe_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Map a library code to an exit status. */
int fe_exit_code(int code);

/* Print "prog (settle) VERSION" to stdout. */
void fe_version(void);

#endif
