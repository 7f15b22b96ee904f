/*
 * settle pack: build one signed, reproducible settlement bundle (SPEC §9)
 * from files on disk.  Argument parsing, reading files and mapping results
 * to exit statuses; the bundle itself is libsettle's (lib/bundle.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "bundle.h"
#include "frontend.h"
#include "fsutil.h"
#include "timefmt.h"

#define PASS_MAX 1024

struct pack_opts {
	const char *key;
	const char *passfile;
	const char *passenv;
	const char *out;
	int64_t date;
	int level;
	int have_date;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: settle pack --key FILE [--passphrase-file FILE | "
	    "--passphrase-env VAR]\n"
	    "                   --date YYYY-MM-DD [--level N] [-o OUT | -o -] "
	    "[NAME=]FILE...\n");
}

static void
help(void)
{
	usage(stdout);
	printf("\nBuild a signed settlement bundle (gzip'd ustar with MANIFEST "
	    "and MANIFEST.sig).\n\n"
	    "  -k, --key FILE              PEM Ed25519 private key\n"
	    "  -p, --passphrase-file FILE  passphrase of an encrypted key, "
	    "first line\n"
	    "  -e, --passphrase-env VAR    passphrase from environment "
	    "variable VAR\n"
	    "  -d, --date YYYY-MM-DD       business date (entry mtimes)\n"
	    "  -l, --level N               gzip level 1..9 (default %d)\n"
	    "  -o, --output OUT            bundle file, '-' for stdout "
	    "(default)\n"
	    "  -h, --help                  this help\n"
	    "  -V, --version               version\n\n"
	    "Each FILE is stored under its base name; NAME=FILE stores it as "
	    "NAME,\nNAME=- reads standard input.\n",
	    SETTLE_BUNDLE_LEVEL_DEFAULT);
}

static int
bad_usage(const char *msg, const char *arg)
{
	fe_warn("%s%s%s", msg, arg != NULL ? ": " : "", arg != NULL ? arg : "");
	usage(stderr);
	return EX_USAGE_;
}

static int
parse_option(int c, struct pack_opts *o)
{
	switch (c) {
	case 'k': o->key = optarg; return -1;
	case 'p': o->passfile = optarg; return -1;
	case 'e': o->passenv = optarg; return -1;
	case 'o': o->out = optarg; return -1;
	case 'd':
		if (settle_date_parse(optarg, &o->date) != 0 ||
		    o->date > SETTLE_BUNDLE_DATE_MAX)
			return bad_usage("bad date, want YYYY-MM-DD", optarg);
		o->have_date = 1;
		return -1;
	case 'l':
		if (optarg[0] < '1' || optarg[0] > '9' || optarg[1] != '\0')
			return bad_usage("bad level, want 1 to 9", optarg);
		o->level = optarg[0] - '0';
		return -1;
	case 'h': help(); return EX_DONE;
	case 'V': fe_version(); return EX_DONE;
	default: usage(stderr); return EX_USAGE_;
	}
}

/* -1 to go on, else the exit status. */
static int
parse_args(int argc, char **argv, struct pack_opts *o)
{
	static const struct option longs[] = {
		{"key", required_argument, NULL, 'k'},
		{"passphrase-file", required_argument, NULL, 'p'},
		{"passphrase-env", required_argument, NULL, 'e'},
		{"date", required_argument, NULL, 'd'},
		{"level", required_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	int c, st;

	memset(o, 0, sizeof(*o));
	o->level = SETTLE_BUNDLE_LEVEL_DEFAULT;
	while ((c = getopt_long(argc, argv, "k:p:e:d:l:o:hV", longs, NULL)) !=
	    -1)
		if ((st = parse_option(c, o)) >= 0)
			return st;
	if (o->key == NULL)
		return bad_usage("--key is required", NULL);
	if (!o->have_date)
		return bad_usage("--date is required", NULL);
	if (o->passfile != NULL && o->passenv != NULL)
		return bad_usage("give one of --passphrase-file and "
		    "--passphrase-env", NULL);
	if (optind == argc)
		return bad_usage("no files to pack", NULL);
	if (argc - optind > SETTLE_BUNDLE_MAX_ENTRIES - 2)
		return bad_usage("too many files for one bundle", NULL);
	return -1;
}

static int
load_key(const struct pack_opts *o, EVP_PKEY **key, struct settle_err *err)
{
	char pass[PASS_MAX];
	const char *env;
	int rc = 0;

	if (o->passfile != NULL)
		rc = settle_key_read_passphrase(o->passfile, pass, sizeof(pass),
		    err);
	else if (o->passenv != NULL) {
		env = getenv(o->passenv);
		if (env == NULL || env[0] == '\0')
			rc = settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
			    "environment variable '%s' is not set", o->passenv);
		else if (strlen(env) >= sizeof(pass))
			rc = settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
			    "passphrase longer than %zu bytes",
			    sizeof(pass) - 1);
		else
			memcpy(pass, env, strlen(env) + 1);
	}
	if (rc == 0)
		rc = settle_key_load_private(o->key, o->passfile != NULL ||
		    o->passenv != NULL ? pass : NULL, key, err);
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc;
}

/*
 * NAME=PATH when what comes before the first '=' is an entry name, else
 * PATH stored under its base name.  Splits arg in place.
 */
static int
split_arg(char *arg, const char **name, const char **path)
{
	char *eq = strchr(arg, '='), *slash;

	if (eq != NULL && settle_bundle_name_valid(arg, (size_t)(eq - arg))) {
		*eq = '\0';
		*name = arg;
		*path = eq + 1;
		return 0;
	}
	if (strcmp(arg, "-") == 0)
		return bad_usage("standard input needs a name", "NAME=-");
	slash = strrchr(arg, '/');
	*name = slash != NULL ? slash + 1 : arg;
	*path = arg;
	return 0;
}

static int
read_inputs(char **args, size_t n, struct settle_bundle_file *files,
    unsigned char **bufs, struct settle_err *err)
{
	const char *path = NULL;
	size_t i, total = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (split_arg(args[i], &files[i].name, &path) != 0)
			return SETTLE_EUSAGE;
		rc = settle_bundle_read_file(path, SETTLE_BUNDLE_MAX_TOTAL -
		    total, &bufs[i], &files[i].len, err);
		if (rc == SETTLE_ENOMEM)
			return settle_err_set(err, rc, NULL, 0, NULL,
			    "files larger than %zu bytes in all",
			    SETTLE_BUNDLE_MAX_TOTAL);
		if (rc != 0)
			return rc;
		files[i].data = bufs[i];
		total += files[i].len;
	}
	return 0;
}

static int
write_output(const char *out, const unsigned char *data, size_t len,
    struct settle_err *err)
{
	struct settle_atomic at;
	int rc;

	if (out != NULL && strcmp(out, "-") != 0) {
		if ((rc = settle_atomic_open(&at, out, err)) != 0)
			return rc;
		if (fwrite(data, 1, len, at.f) != len) {
			rc = settle_err_set(err, SETTLE_EIO, out, 0, NULL,
			    "cannot write: %s", strerror(errno));
			settle_atomic_abort(&at);
			return rc;
		}
		return settle_atomic_commit(&at, err);
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
		return settle_err_set(err, SETTLE_EIO, "-", 0, NULL,
		    "cannot write to standard output");
	return 0;
}

int
main(int argc, char **argv)
{
	struct pack_opts o;
	struct settle_err err;
	struct settle_bundle_file *files = NULL;
	unsigned char **bufs = NULL, *out = NULL;
	EVP_PKEY *key = NULL;
	size_t n, i, outlen = 0;
	int st, rc;

	fe_prog = "settle-pack";
	settle_err_clear(&err);
	if ((st = parse_args(argc, argv, &o)) >= 0)
		return st;
	if ((o.out == NULL || strcmp(o.out, "-") == 0) && isatty(1))
		return bad_usage("will not write a bundle to a terminal; use "
		    "-o FILE", NULL);
	n = (size_t)(argc - optind);
	if ((files = calloc(n, sizeof(*files))) == NULL ||
	    (bufs = calloc(n, sizeof(*bufs))) == NULL)
		rc = settle_err_set(&err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	else if ((rc = load_key(&o, &key, &err)) == 0 &&
	    (rc = read_inputs(argv + optind, n, files, bufs, &err)) == 0 &&
	    (rc = settle_bundle_build(files, n, o.date, key, o.level, &out,
	    &outlen, &err)) == 0)
		rc = write_output(o.out, out, outlen, &err);
	st = rc == SETTLE_EUSAGE && err.code == 0 ? EX_USAGE_ :
	    fe_exit_code(rc);
	if (rc != 0 && err.code != 0)
		fe_print_err(&err);
	for (i = 0; bufs != NULL && i < n; i++)
		free(bufs[i]);
	free(out);
	free(bufs);
	free(files);
	EVP_PKEY_free(key);
	return st;
}
