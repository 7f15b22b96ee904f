/*
 * settle match: recompute a day's matches and disputes from canonical
 * charges and orders, starting from a state snapshot (SPEC §5).  A filter
 * for auditors: charges in (files or standard input), matches.csv out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canonread.h"
#include "config.h"
#include "engine.h"
#include "frontend.h"
#include "pipeline.h"
#include "state.h"
#include "timefmt.h"

struct ctx {
	struct settle_engine e;
	struct settle_day day;
	struct settle_err *err;
};

/*
 * A row of an operator the configuration does not name is refused: 1 when
 * op is unknown (the error in x), else 0.
 */
static int
unknown_op(struct ctx *x, const char *op, const char *what, const char *id,
    size_t len)
{
	if (settle_config_op(x->e.cf, op, strlen(op)) >= 0)
		return 0;
	settle_err_set(x->err, SETTLE_EDATA, NULL, 0, "operator",
	    "%s '%.*s': operator '%s' is not in the configuration", what,
	    (int)(len > 120 ? 120 : len), id, op);
	return 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle match --config FILE --date YYYY-MM-DD "
	    "[--state FILE] --orders FILE\n"
	    "                    [--disputes FILE] [CHARGES.csv ...]\n");
}

static int
on_order(void *p, const struct settle_order *o)
{
	struct ctx *x = p;

	if (unknown_op(x, o->op, "order", o->ref, o->ref_len))
		return SETTLE_EDATA;
	return settle_engine_order(&x->e, o);
}

static int
on_charge(void *p, const struct settle_charge *c)
{
	struct ctx *x = p;

	if (unknown_op(x, c->op, "charge", c->id, c->id_len))
		return SETTLE_EDATA;
	return settle_engine_charge(&x->e, c, &x->day);
}

static int
match(struct ctx *x, const char *state, const char *orders, char **files,
    int n, struct settle_err *err)
{
	int i, rc = 0;

	if (state != NULL && (rc = settle_state_read(&x->e, state, err)) < 0)
		return rc;
	if ((rc = settle_canon_read_orders(orders, on_order, x, err)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = settle_canon_read_charges(files[i], on_charge, x, err);
	if (n == 0)
		rc = settle_canon_read_charges("-", on_charge, x, err);
	if (rc == 0 && (rc = settle_engine_close(&x->e, &x->day)) < 0)
		settle_err_set(err, rc, NULL, 0, NULL, "out of memory");
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"date", required_argument, NULL, 'd'},
		{"state", required_argument, NULL, 's'},
		{"orders", required_argument, NULL, 'o'},
		{"disputes", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *config = NULL, *date = NULL, *state = NULL;
	const char *orders = NULL, *disputes = NULL;
	struct settle_report_in in;
	struct settle_outputs out;
	struct settle_config cf;
	struct settle_err err;
	struct ctx x;
	int c, rc;

	fe_prog = "settle match";
	while ((c = getopt_long(argc, argv, "c:d:s:o:D:hV", lopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': date = optarg; break;
		case 's': state = optarg; break;
		case 'o': orders = optarg; break;
		case 'D': disputes = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': fe_version(); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	memset(&x, 0, sizeof(x));
	x.err = &err;
	if (config == NULL || date == NULL || orders == NULL ||
	    settle_date_parse(date, &x.day.date) < 0) {
		fe_warn("--config, --date YYYY-MM-DD and --orders are required");
		usage(stderr);
		return EX_USAGE_;
	}
	settle_err_clear(&err);
	if ((rc = settle_config_load(&cf, config, &err)) < 0) {
		fe_print_err(&err);
		return EX_CONFIG_;
	}
	settle_engine_init(&x.e, &cf);
	settle_engine_begin(&x.e, x.day.date);
	memset(&out, 0, sizeof(out));
	rc = match(&x, state, orders, argv + optind, argc - optind, &err);
	if (rc == 0) {
		memset(&in, 0, sizeof(in));
		in.cf = &cf;
		in.date = x.day.date;
		in.day = &x.day;
		rc = settle_report_match_files(&in, &out, &err);
	}
	if (rc == 0 && disputes != NULL)
		rc = pl_write(&out, "disputes.csv", disputes, &err);
	if (rc == 0)
		rc = pl_write(&out, "matches.csv", "-", &err);
	if (rc < 0)
		fe_print_err(&err);
	settle_outputs_release(&out);
	settle_day_release(&x.day);
	settle_engine_release(&x.e);
	return fe_exit_code(rc);
}
