/*
 * Byte sources (plain or gzip) and the physical line reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "source.h"

#define SRC_CHUNK (256 * 1024)
#define LR_BUF (1024 * 1024)

struct settle_src {
	int fd;
	int own_fd;
	int gzip;
	int zdone;		/* inflate saw the end of input */
	int zinit;
	z_stream z;
	unsigned char *zin;
	char name[256];
};

struct settle_src *
settle_src_open(const char *path, const char *name, int gzip,
    struct settle_err *err)
{
	struct settle_src *s;
	int fd;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		settle_err_set(err, errno == ENOENT ? SETTLE_ENOINPUT :
		    SETTLE_EIO, name, 0, NULL, "cannot open: %s",
		    strerror(errno));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (gzip && (s->zin = malloc(SRC_CHUNK)) == NULL)) {
		free(s);
		if (fd != STDIN_FILENO)
			close(fd);
		settle_err_set(err, SETTLE_ENOMEM, name, 0, NULL,
		    "out of memory");
		return NULL;
	}
	s->fd = fd;
	s->own_fd = fd != STDIN_FILENO;
	s->gzip = gzip;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (gzip) {
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
			settle_src_close(s);
			settle_err_set(err, SETTLE_ENOMEM, name, 0, NULL,
			    "cannot start gzip decoder");
			return NULL;
		}
		s->zinit = 1;
	}
	return s;
}

void
settle_src_close(struct settle_src *s)
{
	if (s == NULL)
		return;
	if (s->zinit)
		inflateEnd(&s->z);
	if (s->own_fd)
		close(s->fd);
	free(s->zin);
	free(s);
}

static long
read_fd(struct settle_src *s, unsigned char *buf, size_t cap,
    struct settle_err *err)
{
	ssize_t n;

	do
		n = read(s->fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return settle_err_set(err, SETTLE_EIO, s->name, 0, NULL,
		    "read error: %s", strerror(errno));
	return (long)n;
}

/* Refill inflate's input; returns bytes read, 0 at end, < 0 on error. */
static long
refill(struct settle_src *s, struct settle_err *err)
{
	long n = read_fd(s, s->zin, SRC_CHUNK, err);

	if (n > 0) {
		s->z.next_in = s->zin;
		s->z.avail_in = (uInt)n;
	}
	return n;
}

/*
 * After one gzip member ends, input may hold another member (concatenated
 * gzip is valid) or must be at its end; anything else is corrupt.
 */
static int
next_member(struct settle_src *s, struct settle_err *err)
{
	long n;

	if (s->z.avail_in == 0) {
		n = refill(s, err);
		if (n < 0)
			return -1;
		if (n == 0) {
			s->zdone = 1;
			return 0;
		}
	}
	if (s->z.next_in[0] != 0x1f)
		return settle_err_set(err, SETTLE_EDATA, s->name, 0, NULL,
		    "corrupt gzip stream: bytes after the end of the stream");
	if (inflateReset(&s->z) != Z_OK)
		return settle_err_set(err, SETTLE_EDATA, s->name, 0, NULL,
		    "corrupt gzip stream");
	return 0;
}

static long
read_gzip(struct settle_src *s, unsigned char *buf, size_t cap,
    struct settle_err *err)
{
	int rc;
	long n;

	s->z.next_out = buf;
	s->z.avail_out = (uInt)cap;
	while (s->z.avail_out == cap && !s->zdone) {
		if (s->z.avail_in == 0) {
			n = refill(s, err);
			if (n < 0)
				return n;
			if (n == 0)
				return settle_err_set(err, SETTLE_EDATA,
				    s->name, 0, NULL,
				    "truncated gzip stream");
		}
		rc = inflate(&s->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			if (next_member(s, err) < 0)
				return SETTLE_EDATA;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			return settle_err_set(err, SETTLE_EDATA, s->name, 0,
			    NULL, "corrupt gzip stream: %s",
			    s->z.msg ? s->z.msg : "inflate failed");
		}
	}
	return (long)(cap - s->z.avail_out);
}

long
settle_src_read(struct settle_src *s, unsigned char *buf, size_t cap,
    struct settle_err *err)
{
	if (cap > SRC_CHUNK * 16)
		cap = SRC_CHUNK * 16;
	return s->gzip ? read_gzip(s, buf, cap, err) : read_fd(s, buf, cap,
	    err);
}

struct settle_lines {
	struct settle_src *src;
	char *buf;
	size_t start, end;	/* unread bytes are buf[start..end) */
	int eof;
	int skipping;		/* discarding the rest of a long line */
	long no;
	uint64_t bytes;
};

struct settle_lines *
settle_lines_new(struct settle_src *src)
{
	struct settle_lines *lr = calloc(1, sizeof(*lr));

	if (lr == NULL || (lr->buf = malloc(LR_BUF)) == NULL) {
		free(lr);
		settle_src_close(src);
		return NULL;
	}
	lr->src = src;
	return lr;
}

void
settle_lines_free(struct settle_lines *lr)
{
	if (lr == NULL)
		return;
	settle_src_close(lr->src);
	free(lr->buf);
	free(lr);
}

uint64_t
settle_lines_bytes(const struct settle_lines *lr)
{
	return lr->bytes;
}

static int
fill(struct settle_lines *lr, struct settle_err *err)
{
	long n;

	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	n = settle_src_read(lr->src, (unsigned char *)lr->buf + lr->end,
	    LR_BUF - lr->end, err);
	if (n < 0)
		return -1;
	if (n == 0)
		lr->eof = 1;
	lr->end += (size_t)n;
	return 0;
}

static void
emit(struct settle_lines *lr, struct settle_line *ln, size_t len, int eol,
    int toolong)
{
	ln->p = lr->buf + lr->start;
	ln->len = len;
	ln->eol = eol;
	ln->toolong = toolong;
	if (eol && len > 0 && ln->p[len - 1] == '\r') {
		ln->len--;
		ln->eol = 2;
	}
	if (ln->len > SETTLE_LINE_MAX) {
		ln->len = SETTLE_LINE_MAX;
		ln->toolong = 1;
	}
	ln->no = ++lr->no;
	if (ln->no == 1 && ln->len >= 3 && memcmp(ln->p, "\xef\xbb\xbf", 3)
	    == 0) {
		ln->p += 3;
		ln->len -= 3;
	}
}

int
settle_lines_next(struct settle_lines *lr, struct settle_line *ln,
    struct settle_err *err)
{
	char *nl;
	size_t avail, len;

	for (;;) {
		avail = lr->end - lr->start;
		nl = memchr(lr->buf + lr->start, '\n', avail);
		if (nl != NULL) {
			len = (size_t)(nl - (lr->buf + lr->start));
			if (lr->skipping) {
				lr->skipping = 0;
				lr->start += len + 1;
				lr->bytes += len + 1;
				continue;
			}
			emit(lr, ln, len, 1, 0);
			lr->start += len + 1;
			lr->bytes += len + 1;
			return 1;
		}
		if (lr->skipping) {
			lr->bytes += avail;
			lr->start = lr->end;
		} else if (avail > SETTLE_LINE_MAX + 1) {
			emit(lr, ln, SETTLE_LINE_MAX, 1, 1);
			ln->eol = 1;
			lr->start += avail;
			lr->bytes += avail;
			lr->skipping = 1;
			return 1;
		}
		if (lr->eof) {
			if (lr->skipping || avail == 0)
				return 0;
			emit(lr, ln, avail, 0, 0);
			lr->start = lr->end;
			lr->bytes += avail;
			return 1;
		}
		if (fill(lr, err) < 0)
			return -1;
	}
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* 1 when the 8 bytes at p are ASCII and none is NUL. */
static int
ascii8(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return ((w | ((w - ONES) & ~w)) & HIGHS) == 0;
}

int
settle_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	unsigned c;
	int n, i;

	while (p < e) {
		/* Records are mostly ASCII: 8 bytes at a time. */
		if (e - p >= 8 && ascii8(p)) {
			p += 8;
			continue;
		}
		c = *p;
		if (c >= 0x01 && c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (e - p <= n)
			return 0;
		for (i = 1; i <= n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) ||
		    (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
			return 0;
		p += n + 1;
	}
	return 1;
}
