/*
 * settle verify: check a settlement bundle (SPEC §9) against BPO's public
 * key, in memory, without extracting anything.  Exit 0 when every rule
 * holds, 1 with the first failed rule on stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "frontend.h"
#include "timefmt.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: settle verify --pubkey FILE [-q] BUNDLE\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\nVerify a signed settlement bundle; BUNDLE '-' reads standard "
	    "input.\n\n"
	    "  -k, --pubkey FILE  PEM Ed25519 public key of the signer "
	    "(required)\n"
	    "  -q, --quiet        no confirmation line on success\n"
	    "  -h, --help         this help\n"
	    "  -V, --version      version\n\n"
	    "Exit status: 0 verified, 1 verification failed, 64 bad usage,\n"
	    "66 a file cannot be read, 78 the key file holds no Ed25519 "
	    "public key.\n");
}

static int
bad_usage(const char *msg)
{
	fe_warn("%s", msg);
	usage(stderr);
	return EX_USAGE_;
}

/* -1 to go on, else the exit status. */
static int
parse_args(int argc, char **argv, const char **pubkey, int *quiet)
{
	static const struct option longs[] = {
		{"pubkey", required_argument, NULL, 'k'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:qhV", longs, NULL)) != -1) {
		switch (c) {
		case 'k': *pubkey = optarg; break;
		case 'q': *quiet = 1; break;
		case 'h': help(); return EX_DONE;
		case 'V': fe_version(); return EX_DONE;
		default: usage(stderr); return EX_USAGE_;
		}
	}
	if (*pubkey == NULL)
		return bad_usage("--pubkey is required");
	if (argc - optind != 1)
		return bad_usage("give exactly one bundle");
	return -1;
}

static int
verify(const char *path, EVP_PKEY *pub, struct settle_bundle_report *rep,
    struct settle_err *err)
{
	unsigned char *data = NULL;
	size_t len;
	int rc;

	rc = settle_bundle_read_file(path, SETTLE_BUNDLE_MAX_BYTES, &data, &len,
	    err);
	/* A file over the size cap cannot be a valid bundle. */
	if (rc == SETTLE_ENOMEM)
		rc = err->code = SETTLE_EVERIFY;
	if (rc == 0)
		rc = settle_bundle_verify(data, len, pub, rep, err);
	free(data);
	return rc;
}

int
main(int argc, char **argv)
{
	struct settle_bundle_report rep;
	struct settle_err err;
	const char *pubkey = NULL, *name;
	EVP_PKEY *pub = NULL;
	char date[11];
	int quiet = 0, st, rc;

	fe_prog = "settle-verify";
	settle_err_clear(&err);
	if ((st = parse_args(argc, argv, &pubkey, &quiet)) >= 0)
		return st;
	name = strcmp(argv[optind], "-") == 0 ? "(stdin)" : argv[optind];
	if ((rc = settle_key_load_public(pubkey, &pub, &err)) == 0)
		rc = verify(argv[optind], pub, &rep, &err);
	EVP_PKEY_free(pub);
	if (rc != 0) {
		if (err.file[0] == '\0')
			snprintf(err.file, sizeof(err.file), "%s", name);
		fe_print_err(&err);
		return fe_exit_code(rc);
	}
	if (!quiet) {
		settle_date_fmt(rep.business_date, date);
		printf("%s: %s: OK, %zu files, signed MANIFEST, business date "
		    "%s\n", fe_prog, name, rep.files, date);
	}
	return EX_DONE;
}
