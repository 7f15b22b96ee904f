/*
 * csvcount: the speed limit of settle's input parsing.  A bare libcsv loop
 * over a file (gzip read transparently) that only counts records and
 * fields, so that the benchmark can show how close settle-ingest comes to
 * the parser it is built on.
 *
 * libcsv trims spaces and tabs around fields by default; that is switched
 * off, as settle does, because a tab is the TT dialect's delimiter and a
 * space is data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <csv.h>

#define PROG		"csvcount"
#define EX_USAGE	64
#define EX_DATAERR	65
#define EX_NOINPUT	66
#define EX_IOERR	74
#define BUFSZ		(1u << 20)

struct counts {
	unsigned long long rows;
	unsigned long long fields;
	unsigned long long bytes;
};

static void
on_field(void *s, size_t len, void *data)
{
	(void)s;
	(void)len;
	((struct counts *)data)->fields++;
}

static void
on_record(int c, void *data)
{
	(void)c;
	((struct counts *)data)->rows++;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void
usage(FILE *fp)
{
	fputs("usage: csvcount [-d DELIM] FILE\n"
	    "  Count the records and fields libcsv reads in FILE (gzip is\n"
	    "  read transparently; - is standard input).  DELIM is one\n"
	    "  character, or \\t or tab for a tab; the default is a comma.\n",
	    fp);
}

static int
parse_delim(const char *s, unsigned char *out)
{
	if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) {
		*out = '\t';
		return 0;
	}
	if (strlen(s) != 1)
		return -1;
	*out = (unsigned char)s[0];
	return 0;
}

/* Feed the whole stream to libcsv; gzread passes plain files through. */
static int
count(gzFile gz, struct csv_parser *p, struct counts *c, const char *name)
{
	char *buf;
	int n, rv = 0;

	if ((buf = malloc(BUFSZ)) == NULL) {
		fprintf(stderr, PROG ": out of memory\n");
		return EX_IOERR;
	}
	while ((n = gzread(gz, buf, BUFSZ)) > 0) {
		c->bytes += (unsigned)n;
		if (csv_parse(p, buf, (size_t)n, on_field, on_record, c) !=
		    (size_t)n) {
			fprintf(stderr, PROG ": %s: %s\n", name,
			    csv_strerror(csv_error(p)));
			rv = EX_DATAERR;
			goto out;
		}
	}
	if (n < 0) {
		fprintf(stderr, PROG ": %s: read error\n", name);
		rv = EX_IOERR;
		goto out;
	}
	csv_fini(p, on_field, on_record, c);
out:
	free(buf);
	return rv;
}

int
main(int argc, char **argv)
{
	struct csv_parser p;
	struct counts c = { 0, 0, 0 };
	unsigned char delim = ',';
	const char *name;
	gzFile gz;
	int ch, fd, rv;

	while ((ch = getopt(argc, argv, "d:h")) != -1) {
		if (ch == 'h') {
			usage(stdout);
			return 0;
		}
		if (ch != 'd' || parse_delim(optarg, &delim) < 0) {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EX_USAGE;
	}
	name = argv[optind];
	fd = strcmp(name, "-") == 0 ? dup(0) : open(name, O_RDONLY);
	if (fd < 0 || (gz = gzdopen(fd, "rb")) == NULL) {
		fprintf(stderr, PROG ": cannot open '%s': %s\n", name,
		    strerror(errno));
		return EX_NOINPUT;
	}
	gzbuffer(gz, BUFSZ);
	if (csv_init(&p, 0) != 0) {
		fprintf(stderr, PROG ": out of memory\n");
		return EX_IOERR;
	}
	csv_set_delim(&p, delim);
	csv_set_space_func(&p, no_space);
	rv = count(gz, &p, &c, name);
	csv_free(&p);
	gzclose(gz);
	if (rv == 0)
		printf("rows %llu fields %llu bytes %llu\n", c.rows, c.fields,
		    c.bytes);
	return rv;
}
