/*
 * Helpers shared by the auditors' filters, settle match and settle share.
 */
#ifndef SETTLE_PIPELINE_H
#define SETTLE_PIPELINE_H

#include "report.h"

/* Write file named name of out to path ("-": standard output). 0 or < 0. */
int pl_write(const struct settle_outputs *out, const char *name,
    const char *path, struct settle_err *err);

#endif
