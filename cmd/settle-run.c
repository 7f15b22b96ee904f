/*
 * settle run: the nightly job for one business date (SPEC §8).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "frontend.h"
#include "run.h"
#include "timefmt.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle run --config FILE --date YYYY-MM-DD "
	    "[--force] [--level N]\n");
}

static void
show_progress(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", fe_prog, msg);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"date", required_argument, NULL, 'd'},
		{"force", no_argument, NULL, 'f'},
		{"level", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	struct settle_run_opts o;
	struct settle_run_result res;
	struct settle_err err;
	const char *date = NULL;
	char *end;
	int c, rc;

	fe_prog = "settle run";
#ifdef M_MMAP_THRESHOLD
	/*
	 * A fixed threshold: every block of 1 MiB or more is a mapping of
	 * its own, given back when freed.  By default glibc raises the
	 * threshold after the first large free, and the run's large
	 * temporary tables (sorts, the bundles, the reading threads' buffers)
	 * would then stay in the heaps of the threads that used them.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
	memset(&o, 0, sizeof(o));
	o.bundle_level = SETTLE_BUNDLE_LEVEL_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:d:fl:hV", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case 'd': date = optarg; break;
		case 'f': o.force = 1; break;
		case 'l':
			o.bundle_level = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.bundle_level < 1 ||
			    o.bundle_level > 9) {
				fe_warn("--level: expected 1 to 9");
				return EX_USAGE_;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': fe_version(); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (o.config == NULL || date == NULL || optind != argc) {
		fe_warn(o.config == NULL ? "--config is required" : date ==
		    NULL ? "--date is required" : "unexpected argument");
		usage(stderr);
		return EX_USAGE_;
	}
	if (settle_date_parse(date, &o.date) < 0) {
		fe_warn("--date: not a date (YYYY-MM-DD): '%s'", date);
		return EX_USAGE_;
	}
	if (isatty(STDERR_FILENO))
		o.progress = show_progress;
	settle_err_clear(&err);
	rc = settle_run(&o, &res, &err);
	if (rc < 0) {
		fe_print_err(&err);
		return fe_exit_code(rc);
	}
	if (res.noop)
		fprintf(stderr, "%s: %s already done; nothing to do (--force "
		    "recomputes it)\n", fe_prog, date);
	else
		fprintf(stderr, "%s: %s\n", fe_prog, res.summary);
	return 0;
}
