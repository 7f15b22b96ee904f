/*
 * settle share: a day's operator shares, merchant payouts and office
 * totals from its matches.csv (SPEC §6), with the month-to-date taken from
 * a state snapshot.  A filter for auditors: matches in, shares out.
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
#include "share.h"
#include "state.h"
#include "timefmt.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle share --config FILE --date YYYY-MM-DD "
	    "[--state FILE]\n"
	    "                    [--payouts FILE] [--offices FILE] "
	    "[MATCHES.csv | -]\n");
}

/* Per-operator matched counts and nets, as the run counts them. */
static void
count_matches(const struct settle_config *cf, struct settle_day *d)
{
	size_t i;
	int k;

	for (i = 0; i < d->nmatches; i++) {
		k = settle_config_op(cf, d->matches[i].op,
		    strlen(d->matches[i].op));
		if (k < 0)
			continue;
		d->ops[k].matched++;
		d->ops[k].matched_net += d->matches[i].net;
	}
}

static int
share(struct settle_engine *e, struct settle_day *d, const char *state,
    const char *matches, struct settle_totals *t, struct settle_err *err)
{
	int rc;

	if (state != NULL && (rc = settle_state_read(e, state, err)) < 0)
		return rc;
	if ((rc = settle_canon_read_matches(matches, d, err)) < 0)
		return rc;
	count_matches(e->cf, d);
	return settle_share_compute(e, d, t, err);
}

static void
conservation(const struct settle_totals *t)
{
	fprintf(stderr, "%s: conservation %s: matched_net %lld = goods %lld "
	    "+ delivery %lld + postage %lld = operator_share %lld + "
	    "merchant_payouts %lld + bpo_income %lld\n", fe_prog,
	    t->ok ? "ok" : "FAILS", (long long)t->matched_net,
	    (long long)t->goods, (long long)t->delivery,
	    (long long)t->postage, (long long)t->operator_share,
	    (long long)t->merchant_payouts, (long long)t->bpo_income);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"date", required_argument, NULL, 'd'},
		{"state", required_argument, NULL, 's'},
		{"payouts", required_argument, NULL, 'p'},
		{"offices", required_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const char *config = NULL, *date = NULL, *state = NULL;
	const char *payouts = NULL, *offices = NULL;
	struct settle_report_in in;
	struct settle_outputs out;
	struct settle_totals tot;
	struct settle_config cf;
	struct settle_engine e;
	struct settle_day d;
	struct settle_err err;
	int c, rc;

	fe_prog = "settle share";
	while ((c = getopt_long(argc, argv, "c:d:s:p:O:hV", lopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': date = optarg; break;
		case 's': state = optarg; break;
		case 'p': payouts = optarg; break;
		case 'O': offices = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': fe_version(); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	memset(&d, 0, sizeof(d));
	memset(&tot, 0, sizeof(tot));
	memset(&out, 0, sizeof(out));
	if (config == NULL || date == NULL || optind + 1 < argc ||
	    settle_date_parse(date, &d.date) < 0) {
		fe_warn("--config and --date YYYY-MM-DD are required, and at "
		    "most one matches file");
		usage(stderr);
		return EX_USAGE_;
	}
	settle_err_clear(&err);
	if (settle_config_load(&cf, config, &err) < 0) {
		fe_print_err(&err);
		return EX_CONFIG_;
	}
	settle_engine_init(&e, &cf);
	rc = share(&e, &d, state, optind < argc ? argv[optind] : "-", &tot,
	    &err);
	if (rc == 0 || tot.merchants != NULL)
		conservation(&tot);
	if (rc == 0) {
		memset(&in, 0, sizeof(in));
		in.cf = &cf;
		in.date = d.date;
		in.day = &d;
		in.tot = &tot;
		rc = settle_report_share_files(&in, &out, &err);
	}
	if (rc == 0 && payouts != NULL)
		rc = pl_write(&out, "payouts.csv", payouts, &err);
	if (rc == 0 && offices != NULL)
		rc = pl_write(&out, "offices.csv", offices, &err);
	if (rc == 0)
		rc = pl_write(&out, "shares.csv", "-", &err);
	if (rc < 0)
		fe_print_err(&err);
	settle_outputs_release(&out);
	settle_totals_release(&tot);
	settle_day_release(&d);
	settle_engine_release(&e);
	return fe_exit_code(rc);
}
