/*
 * settle orders: BPO counter and ECAB order files to canonical orders CSV
 * (SPEC §4).  Each file's kind is told by its header.  A reference that is
 * already an order of the other kind, in a file read before, is
 * DUPLICATE_REF, as in the nightly run (give the BPO file of a date before
 * its ECAB file).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "dedup.h"
#include "frontend.h"
#include "fsutil.h"
#include "orders.h"
#include "timefmt.h"


struct orders {
	struct settle_rows rows, rejects;
	struct settle_out scratch;
	struct settle_dedup known[2];	/* refs by kind */
	long seq;
	int quiet;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle orders [--operators LIST] [--rejects FILE] "
	    "[-q] FILE...\n");
}

static int
known_other(void *ctx, int kind, const char *ref, size_t len)
{
	struct orders *s = ctx;
	struct settle_dedup *t = &s->known[kind == SO_BPO ? SO_ECAB : SO_BPO];
	struct settle_dedup_entry e;

	if (t->cap == 0)
		return 0;
	settle_dedup_key(&e, ref, len);
	return settle_dedup_has(t, &e);
}

static void
order_row(struct settle_out *o, const struct settle_order *r)
{
	char t[24];

	settle_out_str(o, r->kind == SO_BPO ? "BPO" : "ECAB");
	settle_out_text(o, r->ref, r->ref_len);
	settle_out_text(o, r->merchant, r->merchant_len);
	settle_out_str(o, r->office);
	settle_out_str(o, r->msisdn);
	settle_out_str(o, r->op);
	settle_out_str(o, r->service != NULL ? r->service : "");
	if (r->kind == SO_ECAB) {
		settle_out_int(o, r->goods);
		settle_out_int(o, r->delivery);
		settle_out_empty(o);
	} else {
		settle_out_empty(o);
		settle_out_empty(o);
		settle_out_int(o, r->postage);
	}
	settle_out_int(o, r->payable);
	settle_time_fmt(r->at, t);
	settle_out_str(o, t);
	settle_out_str(o, settle_pay_name(r->status));
	settle_out_text(o, r->tracking, r->tracking_len);
	settle_out_str(o, r->file);
	settle_out_int(o, r->line);
	settle_out_endrow(o);
}

static int
on_order(void *ctx, const struct settle_order *r)
{
	struct orders *s = ctx;
	unsigned char key[600];
	size_t kl = r->ref_len > 580 ? 580 : r->ref_len;

	if (settle_dedup_check(&s->known[r->kind], r->ref, r->ref_len, 0, 0)
	    == SETTLE_DEDUP_NOMEM)
		return SETTLE_ENOMEM;
	memcpy(key, r->ref, kl);
	key[kl] = 0;
	settle_key_int(key + kl + 1, s->seq++);
	s->scratch.len = 0;
	order_row(&s->scratch, r);
	if (s->scratch.failed || settle_rows_add(&s->rows, key, kl + 9,
	    s->scratch.buf, s->scratch.len) < 0)
		return SETTLE_ENOMEM;
	return 0;
}

static int
on_reject(void *ctx, const struct settle_reject *r)
{
	struct orders *s = ctx;

	if (!s->quiet)
		fprintf(stderr, "%s: %s:%ld: %s: %s\n", fe_prog, r->file,
		    r->line, settle_reason_name(r->reason), r->detail);
	return settle_rows_add_reject(&s->rejects, &s->scratch, r) < 0 ?
	    SETTLE_ENOMEM : 0;
}

/* Split "GP,ROBI,BL,TT" in place; -1 when there are too many. */
static int
split_ops(char *list, const char **ops, int max)
{
	int n = 0;
	char *p = list, *c;

	while (*p != '\0') {
		if (n == max)
			return -1;
		c = strchr(p, ',');
		if (c != NULL)
			*c = '\0';
		if (*p != '\0')
			ops[n++] = p;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return n;
}

static int
write_out(struct orders *s, const char *rejects, struct settle_err *err)
{
	struct settle_atomic a;
	int rc;

	if (rejects != NULL && strcmp(rejects, "-") == 0) {
		settle_rows_sort(&s->rejects);
		fputs(SETTLE_REJECTS_HEADER, stdout);
		if (settle_rows_write(&s->rejects, stdout) < 0)
			return settle_err_set(err, SETTLE_EIO, "stdout", 0,
			    NULL, "write error");
	} else if (rejects != NULL) {
		if ((rc = settle_atomic_open(&a, rejects, err)) < 0)
			return rc;
		settle_rows_sort(&s->rejects);
		fputs(SETTLE_REJECTS_HEADER, a.f);
		if (settle_rows_write(&s->rejects, a.f) < 0) {
			settle_atomic_abort(&a);
			return settle_err_set(err, SETTLE_EIO, rejects, 0,
			    NULL, "write error");
		}
		if ((rc = settle_atomic_commit(&a, err)) < 0)
			return rc;
	}
	settle_rows_sort(&s->rows);
	fputs(SETTLE_ORDERS_HEADER, stdout);
	if (s->rows.failed || settle_rows_write(&s->rows, stdout) < 0 ||
	    fflush(stdout) != 0)
		return settle_err_set(err, SETTLE_EIO, "stdout", 0, NULL,
		    "write error");
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"operators", required_argument, NULL, 'o'},
		{"rejects", required_argument, NULL, 'r'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	static char defops[] = "GP,ROBI,BL,TT";
	const char *ops[16], *rejects = NULL;
	struct settle_order_opts o;
	struct settle_err err;
	struct orders s;
	char *oplist = defops;
	int c, i, kind, rc = 0;

	fe_prog = "settle orders";
	memset(&s, 0, sizeof(s));
	while ((c = getopt_long(argc, argv, "o:r:qhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'o': oplist = optarg; break;
		case 'r': rejects = optarg; break;
		case 'q': s.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': fe_version(); return 0;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (optind >= argc) {
		fe_warn("no input files");
		usage(stderr);
		return EX_USAGE_;
	}
	memset(&o, 0, sizeof(o));
	o.operators = ops;
	o.noperators = split_ops(oplist, ops, 16);
	if (o.noperators <= 0) {
		fe_warn("--operators: expected 1 to 16 codes, e.g. GP,ROBI");
		return EX_USAGE_;
	}
	o.known_other = known_other;
	settle_err_clear(&err);
	settle_out_init(&s.scratch, NULL, 0);
	for (i = optind; i < argc && rc == 0; i++)
		rc = settle_orders_read(argv[i], strcmp(argv[i], "-") == 0 ?
		    "-" : settle_basename(argv[i]), &o, on_order, on_reject,
		    &s, &kind, &err);
	if (rc == 0)
		rc = write_out(&s, rejects, &err);
	if (rc < 0)
		fe_print_err(&err);
	settle_rows_release(&s.rows);
	settle_rows_release(&s.rejects);
	settle_out_release(&s.scratch);
	settle_dedup_release(&s.known[0]);
	settle_dedup_release(&s.known[1]);
	return fe_exit_code(rc);
}
