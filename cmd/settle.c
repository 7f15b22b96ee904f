/*
 * settle: the dispatcher.  "settle NAME ARGS" runs "settle-NAME ARGS",
 * looked up first beside this executable, then on PATH (git style).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"

static const char *const commands[][2] = {
	{"ingest", "operator charge files to canonical charges CSV"},
	{"orders", "BPO and ECAB order files to canonical orders CSV"},
	{"match", "match canonical charges against orders"},
	{"share", "operator shares, merchant payouts and office totals"},
	{"run", "the nightly job for one business date"},
	{"pack", "build a signed settlement bundle"},
	{"verify", "verify a signed settlement bundle"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: settle [--help | --version] COMMAND [ARGS...]\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i][0], commands[i][1]);
	fprintf(f, "\n'settle COMMAND --help' describes each command.\n");
}

static int
valid_name(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '-'))
			return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX * 2], name[96], *slash;
	ssize_t n;

	if (argc < 2) {
		usage(stderr);
		return EX_USAGE_;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		fe_version();
		return 0;
	}
	if (!valid_name(argv[1]) || strlen(argv[1]) > 64) {
		fe_warn("unknown command '%s'", argv[1]);
		usage(stderr);
		return EX_USAGE_;
	}
	snprintf(name, sizeof(name), "settle-%s", argv[1]);
	argv[1] = name;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, name);
			if (access(path, X_OK) == 0) {
				execv(path, argv + 1);
				fe_warn("cannot run '%s': %s", path,
				    strerror(errno));
				return EX_IOERR_;
			}
		}
	}
	execvp(name, argv + 1);
	if (errno == ENOENT) {
		fe_warn("unknown command '%s'", name + 7);
		usage(stderr);
		return EX_USAGE_;
	}
	fe_warn("cannot run '%s': %s", name, strerror(errno));
	return EX_IOERR_;
}
