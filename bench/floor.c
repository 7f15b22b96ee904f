/*
 * floor: the CPU cost of two parts of a nightly run that no code of
 * settle's can make cheaper, measured on their own so that the benchmark
 * can show the least a run writing its outputs must spend:
 *
 *   floor deflate LEVEL FILE...   zlib deflate of the files' bytes at
 *                                 LEVEL (raw deflate, window 15, memLevel
 *                                 8: what libarchive's gzip filter asks
 *                                 of zlib for the bundles);
 *   floor write DIR FILE...       the files' bytes written to one new file
 *                                 in DIR in 1 MiB writes, fsynced, closed
 *                                 and removed.
 *
 * The files are read into memory first; only the work itself is timed.
 * Prints one line: "deflate|write BYTES_IN BYTES_OUT CPU_S WALL_S" (CPU:
 * user + sys of this process during the work).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK	(1u << 20)

struct blob {
	unsigned char *p;
	size_t n;
};

static double
cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Append the bytes of path to b; -1 with errno on failure. */
static int
slurp(const char *path, struct blob *b)
{
	unsigned char *np;
	size_t cap = b->n;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	for (;;) {
		if (b->n + CHUNK > cap) {
			cap = (b->n + CHUNK) * 2;
			if ((np = realloc(b->p, cap)) == NULL) {
				close(fd);
				errno = ENOMEM;
				return -1;
			}
			b->p = np;
		}
		if ((got = read(fd, b->p + b->n, CHUNK)) < 0) {
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		b->n += (size_t)got;
	}
	return close(fd);
}

static int
do_deflate(int level, const struct blob *b, size_t *out)
{
	static unsigned char sink[CHUNK];
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	z.next_in = b->p;
	z.avail_in = 0;
	*out = 0;
	do {
		/* avail_in is 32 bits: feed at most a chunk at a time */
		if (z.avail_in == 0 && (size_t)(z.next_in - b->p) < b->n) {
			size_t left = b->n - (size_t)(z.next_in - b->p);

			z.avail_in = (uInt)(left < CHUNK ? left : CHUNK);
		}
		z.next_out = sink;
		z.avail_out = sizeof(sink);
		rc = deflate(&z, (size_t)(z.next_in - b->p) + z.avail_in ==
		    b->n ? Z_FINISH : Z_NO_FLUSH);
		*out += sizeof(sink) - z.avail_out;
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

static int
do_write(const char *dir, const struct blob *b)
{
	char path[4096];
	size_t off, n;
	ssize_t put;
	int fd;

	snprintf(path, sizeof(path), "%s/floor-write.%ld", dir, (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return -1;
	for (off = 0; off < b->n; off += (size_t)put) {
		n = b->n - off < CHUNK ? b->n - off : CHUNK;
		if ((put = write(fd, b->p + off, n)) < 0)
			break;
	}
	if (off < b->n || fsync(fd) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return unlink(path);
}

int
main(int argc, char **argv)
{
	struct blob b = { NULL, 0 };
	double c0, w0;
	size_t out = 0;
	char *end;
	long level = 0;
	int i, first, rc;

	if (argc < 4 || (strcmp(argv[1], "deflate") != 0 &&
	    strcmp(argv[1], "write") != 0)) {
		fputs("usage: floor deflate LEVEL FILE... | "
		    "floor write DIR FILE...\n", stderr);
		return 64;
	}
	if (strcmp(argv[1], "deflate") == 0) {
		level = strtol(argv[2], &end, 10);
		if (*end != '\0' || level < 1 || level > 9) {
			fputs("floor: LEVEL: 1 to 9\n", stderr);
			return 64;
		}
	}
	for (first = 3, i = first; i < argc; i++)
		if (slurp(argv[i], &b) < 0) {
			fprintf(stderr, "floor: %s: %s\n", argv[i],
			    strerror(errno));
			return 66;
		}
	c0 = cpu_now();
	w0 = wall_now();
	if (level > 0) {
		rc = do_deflate((int)level, &b, &out);
	} else {
		rc = do_write(argv[2], &b);
		out = b.n;
	}
	if (rc < 0) {
		fprintf(stderr, "floor: %s failed: %s\n", argv[1],
		    level > 0 ? "zlib error" : strerror(errno));
		return 74;
	}
	printf("%s %zu %zu %.3f %.3f\n", argv[1], b.n, out, cpu_now() - c0,
	    wall_now() - w0);
	free(b.p);
	return 0;
}
