/*
 * Error struct helpers: fill and format a settle_err.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void
settle_err_clear(struct settle_err *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

int
settle_err_set(struct settle_err *err, int code, const char *file, long line,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
settle_err_format(const struct settle_err *err, char *buf, size_t len)
{
	char where[320] = "";
	char fld[96] = "";

	if (err->file[0] != '\0' && err->line > 0)
		snprintf(where, sizeof(where), "%s:%ld: ", err->file, err->line);
	else if (err->file[0] != '\0')
		snprintf(where, sizeof(where), "%s: ", err->file);
	if (err->field[0] != '\0')
		snprintf(fld, sizeof(fld), "field '%s': ", err->field);
	snprintf(buf, len, "%s%s%s", where, fld, err->msg);
}
