/*
 * settle ingest: operator charge files to canonical charges CSV (SPEC §3,
 * §7).  Rows are held until every file is read and accepted, then written
 * in (operator, charge_id) order; a refused file means no rows at all.
 * Past a fixed memory budget the held rows spill to a temporary file, so
 * that memory does not grow with the input (only the charge-id table does).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "dialect.h"
#include "frontend.h"
#include "fsutil.h"
#include "timefmt.h"

/* Bytes of rows held in memory per row set before it spills. */
#define HOLD_BUDGET (16 * 1024 * 1024)

struct ingest {
	struct settle_rows charges, rejects;
	struct settle_out scratch;
	struct settle_err *err;
	int quiet;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle ingest --schema FILE [--date YYYY-MM-DD "
	    "[--dedup-days N]]\n"
	    "                     [--rejects FILE] [--name NAME] [-q] "
	    "FILE...\n");
}

/* A row could not be held: the spill file's error, or out of memory. */
static int
held_error(const struct settle_rows *s, const char *file, long line,
    struct settle_err *err)
{
	int rc = settle_rows_error(s, err);

	if (rc == 0 || rc == SETTLE_ENOMEM)
		rc = settle_err_set(err, SETTLE_ENOMEM, file, line, NULL,
		    "out of memory holding output rows");
	return rc;
}

static int
on_charge(void *ctx, const struct settle_charge *c)
{
	struct ingest *in = ctx;

	if (settle_rows_add_charge(&in->charges, &in->scratch, c) < 0)
		return held_error(&in->charges, c->file, c->line, in->err);
	return 0;
}

static int
on_reject(void *ctx, const struct settle_reject *r)
{
	struct ingest *in = ctx;

	if (!in->quiet)
		fprintf(stderr, "%s: %s:%ld: %s: %s\n", fe_prog, r->file,
		    r->line, settle_reason_name(r->reason), r->detail);
	if (settle_rows_add_reject(&in->rejects, &in->scratch, r) < 0)
		return held_error(&in->rejects, r->file, r->line, in->err);
	return 0;
}

static int
write_rejects(struct ingest *in, const char *path, struct settle_err *err)
{
	struct settle_atomic a;
	FILE *f = stdout;
	int rc;

	if (strcmp(path, "-") != 0) {
		if ((rc = settle_atomic_open(&a, path, err)) < 0)
			return rc;
		f = a.f;
	}
	settle_rows_sort(&in->rejects);
	fputs(SETTLE_REJECTS_HEADER, f);
	if (settle_rows_write(&in->rejects, f) < 0 || ferror(f)) {
		if (f != stdout)
			settle_atomic_abort(&a);
		if ((rc = settle_rows_error(&in->rejects, err)) < 0)
			return rc;
		return settle_err_set(err, SETTLE_EIO, path, 0, NULL,
		    "write error");
	}
	return f != stdout ? settle_atomic_commit(&a, err) : 0;
}

static int
write_charges(struct ingest *in, struct settle_err *err)
{
	int rc;

	settle_rows_sort(&in->charges);
	fputs(SETTLE_CHARGES_HEADER, stdout);
	if (in->charges.failed || settle_rows_write(&in->charges, stdout) < 0 ||
	    fflush(stdout) != 0) {
		if ((rc = settle_rows_error(&in->charges, err)) < 0)
			return rc;
		return settle_err_set(err, SETTLE_EIO, "stdout", 0, NULL,
		    "write error");
	}
	return 0;
}

static int
ingest_files(struct ingest *in, const struct settle_dialect *d,
    const struct settle_charge_opts *o, const char *name, char **files,
    int n, struct settle_err *err)
{
	struct settle_charge_totals tot;
	const char *shown;
	int i, rc;

	for (i = 0; i < n; i++) {
		shown = name != NULL ? name : settle_basename(files[i]);
		rc = settle_charges_read(d, files[i], shown, o, on_charge,
		    on_reject, in, &tot, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, const char **schema, const char **date,
    const char **rejects, const char **name, int *dedup_days, int *quiet)
{
	static const struct option opts[] = {
		{"schema", required_argument, NULL, 's'},
		{"date", required_argument, NULL, 'd'},
		{"dedup-days", required_argument, NULL, 'D'},
		{"rejects", required_argument, NULL, 'r'},
		{"name", required_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "s:d:D:r:n:qhV", opts, NULL)) !=
	    -1) {
		switch (c) {
		case 's': *schema = optarg; break;
		case 'd': *date = optarg; break;
		case 'r': *rejects = optarg; break;
		case 'n': *name = optarg; break;
		case 'q': *quiet = 1; break;
		case 'D':
			*dedup_days = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || *dedup_days < 0 ||
			    *dedup_days > 100000) {
				fe_warn("--dedup-days: not a number of days: "
				    "'%s'", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': fe_version(); exit(0);
		default: usage(stderr); return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *schema = NULL, *date = NULL, *rejects = NULL, *name = NULL;
	struct settle_charge_opts o;
	struct settle_dedup dedup;
	struct settle_dialect d;
	struct settle_err err;
	struct ingest in;
	int rc, quiet = 0;

	fe_prog = "settle ingest";
	memset(&o, 0, sizeof(o));
	o.dedup_days = 80;
	if (parse_args(argc, argv, &schema, &date, &rejects, &name,
	    &o.dedup_days, &quiet) < 0)
		return EX_USAGE_;
	if (schema == NULL || optind >= argc) {
		fe_warn(schema == NULL ? "--schema is required" :
		    "no input files");
		usage(stderr);
		return EX_USAGE_;
	}
	if (date != NULL && settle_date_parse(date, &o.date) < 0) {
		fe_warn("--date: not a date (YYYY-MM-DD): '%s'", date);
		return EX_USAGE_;
	}
	o.have_date = date != NULL;
	settle_err_clear(&err);
	if ((rc = settle_dialect_load(&d, schema, &err)) < 0) {
		fe_print_err(&err);
		return rc == SETTLE_ENOINPUT ? EX_CONFIG_ : fe_exit_code(rc);
	}
	memset(&in, 0, sizeof(in));
	in.quiet = quiet;
	in.err = &err;
	settle_rows_init(&in.charges);
	settle_rows_init(&in.rejects);
	settle_out_init(&in.scratch, NULL, 0);
	settle_dedup_init(&dedup);
	o.dedup = &dedup;
	if (settle_rows_set_spill(&in.charges, HOLD_BUDGET) < 0 ||
	    settle_rows_set_spill(&in.rejects, HOLD_BUDGET) < 0)
		rc = settle_err_set(&err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	else
		rc = ingest_files(&in, &d, &o, name, argv + optind,
		    argc - optind, &err);
	if (rc == 0 && rejects != NULL)
		rc = write_rejects(&in, rejects, &err);
	if (rc == 0)
		rc = write_charges(&in, &err);
	if (rc < 0)
		fe_print_err(&err);
	settle_dedup_release(&dedup);
	settle_rows_release(&in.charges);
	settle_rows_release(&in.rejects);
	settle_out_release(&in.scratch);
	return fe_exit_code(rc);
}
