/*
 * Unit tests for lib/fsutil: writing a whole buffer to a descriptor.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

/* Every byte reaches the file, past what one write may take. */
Test(fsutil, write_all_writes_every_byte)
{
	enum { N = 3 * 1024 * 1024 + 17 };
	unsigned char *p = malloc(N), *q = malloc(N);
	struct stat st;
	size_t i;
	int fd;

	cr_assert(p != NULL && q != NULL);
	for (i = 0; i < N; i++)
		p[i] = (unsigned char)(i * 31 + i / 7);
	cr_assert_geq(fd = settle_tmpfd("unit"), 0);
	cr_assert_eq(settle_write_all(fd, p, N), 0);
	cr_assert_eq(settle_write_all(fd, p, 0), 0);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_expect_eq((size_t)st.st_size, (size_t)N);
	cr_assert_eq(pread(fd, q, N, 0), (ssize_t)N);
	cr_expect_eq(memcmp(p, q, N), 0);
	close(fd);
	free(p);
	free(q);
}

/* A full disk is the errno value, not a short write taken for done. */
Test(fsutil, write_all_reports_a_full_disk)
{
	char b[4096];
	int fd = open("/dev/full", O_WRONLY);

	if (fd < 0)
		cr_skip_test("no /dev/full");
	memset(b, 'x', sizeof(b));
	cr_expect_eq(settle_write_all(fd, b, sizeof(b)), ENOSPC);
	close(fd);
}
