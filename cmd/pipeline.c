/*
 * Output helpers for the pipeline filters.
 */
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "pipeline.h"

int
pl_write(const struct settle_outputs *out, const char *name, const char *path,
    struct settle_err *err)
{
	const struct settle_file *f = settle_outputs_get(out, name);
	struct settle_atomic a;
	int rc;

	if (f == NULL)
		return settle_err_set(err, SETTLE_EIO, name, 0, NULL,
		    "not rendered");
	if (strcmp(path, "-") == 0) {
		if (fwrite(f->data, 1, f->len, stdout) != f->len ||
		    fflush(stdout) != 0)
			return settle_err_set(err, SETTLE_EIO, "stdout", 0,
			    NULL, "write error");
		return 0;
	}
	if ((rc = settle_atomic_open(&a, path, err)) < 0)
		return rc;
	if (fwrite(f->data, 1, f->len, a.f) != f->len) {
		settle_atomic_abort(&a);
		return settle_err_set(err, SETTLE_EIO, path, 0, NULL,
		    "write error");
	}
	return settle_atomic_commit(&a, err);
}
