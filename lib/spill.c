/*
 * Spill files: runs of keyed rows in a temporary file, and their merge.
 *
 * A record on file is its key length and row length (two native uint32),
 * the key bytes, then the row bytes.  The file is private to the process
 * and unlinked, so no portable byte order is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "fsutil.h"
#include "spill.h"

#define WBUF_SIZE (256 * 1024)
#define CURSOR_BUF (64 * 1024)
#define OUT_BUF (64 * 1024)
#define REC_HEAD 8

struct run {
	off_t off, end;
};

struct settle_spill {
	int fd;			/* -1 until the first run */
	char *wbuf;		/* appended bytes not yet written */
	size_t wlen;
	off_t wpos;		/* file offset of wbuf[0] */
	struct run *runs;
	size_t nruns, runcap;
	unsigned char *last;	/* the last key of the last run */
	size_t lastlen, lastcap;
	int unordered;		/* a run starts before the one before ends */
	char why[320];
};

/* One source of the merge: a run on file, or a caller's source. */
struct cursor {
	struct settle_spill_rec cur;
	size_t order;		/* earlier sources win among equal keys */
	settle_spill_next_fn next;
	void *ctx;
	int fd;
	off_t pos, end;
	unsigned char *buf;
	size_t cap, at, len;
	int err;		/* errno of a failed read; 0: file too short */
};

typedef int (*sink_fn)(void *ctx, const struct settle_spill_rec *r);

struct settle_spill *
settle_spill_new(void)
{
	struct settle_spill *sp = calloc(1, sizeof(*sp));

	if (sp != NULL)
		sp->fd = -1;
	return sp;
}

void
settle_spill_free(struct settle_spill *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->wbuf);
	free(sp->runs);
	free(sp->last);
	free(sp);
}

void
settle_spill_clear(struct settle_spill *sp)
{
	sp->nruns = 0;
	sp->wlen = 0;
	sp->wpos = 0;
	sp->lastlen = 0;
	sp->unordered = 0;
	sp->why[0] = '\0';
	/* Only to give the disk space back: stale bytes are never read. */
	if (sp->fd >= 0 && ftruncate(sp->fd, 0) < 0)
		errno = 0;
}

const char *
settle_spill_strerror(const struct settle_spill *sp)
{
	return sp->why;
}

static int
fail(struct settle_spill *sp, const char *what, int errnum)
{
	snprintf(sp->why, sizeof(sp->why), "%s: %s", what, errnum != 0 ?
	    strerror(errnum) : "unexpected end of file");
	return -1;
}

/* The temporary file, in $TMPDIR or /tmp, unlinked at once. */
static int
open_file(struct settle_spill *sp)
{
	char what[200];

	snprintf(what, sizeof(what), "cannot create a temporary file in "
	    "'%.150s'", settle_tmpdir());
	if (sp->wbuf == NULL && (sp->wbuf = malloc(WBUF_SIZE)) == NULL)
		return fail(sp, what, ENOMEM);
	if ((sp->fd = settle_tmpfd("rows")) < 0)
		return fail(sp, what, errno);
	return 0;
}

static int
flush(struct settle_spill *sp)
{
	size_t done = 0;
	ssize_t n;

	while (done < sp->wlen) {
		n = pwrite(sp->fd, sp->wbuf + done, sp->wlen - done,
		    sp->wpos + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(sp, "cannot write the temporary file",
			    n < 0 ? errno : ENOSPC);
		done += (size_t)n;
	}
	sp->wpos += (off_t)sp->wlen;
	sp->wlen = 0;
	return 0;
}

static int
put(struct settle_spill *sp, const void *p, size_t len)
{
	size_t n;

	while (len > 0) {
		if (sp->wlen == WBUF_SIZE && flush(sp) < 0)
			return -1;
		n = WBUF_SIZE - sp->wlen;
		if (n > len)
			n = len;
		memcpy(sp->wbuf + sp->wlen, p, n);
		sp->wlen += n;
		p = (const char *)p + n;
		len -= n;
	}
	return 0;
}

static int
put_rec(void *ctx, const struct settle_spill_rec *r)
{
	struct settle_spill *sp = ctx;
	uint32_t head[2];

	head[0] = r->klen;
	head[1] = r->rlen;
	if (put(sp, head, sizeof(head)) < 0)
		return -1;
	/* A row set keeps each row right after its key: one copy. */
	if (r->row == (const char *)r->key + r->klen)
		return put(sp, r->key, (size_t)r->klen + r->rlen);
	if (put(sp, r->key, r->klen) < 0)
		return -1;
	return put(sp, r->row, r->rlen);
}

static int
rec_cmp(const struct settle_spill_rec *a, const struct settle_spill_rec *b)
{
	size_t m = a->klen < b->klen ? a->klen : b->klen;
	int c = m > 0 ? memcmp(a->key, b->key, m) : 0;

	if (c != 0)
		return c;
	return (a->klen > b->klen) - (a->klen < b->klen);
}

/* 1 when r sorts before the last key of the last run. */
static int
before_last(const struct settle_spill *sp, const struct settle_spill_rec *r)
{
	struct settle_spill_rec last;

	if (sp->nruns == 0)
		return 0;
	last.key = sp->last;
	last.klen = (uint32_t)sp->lastlen;
	return rec_cmp(r, &last) < 0;
}

static int
keep_last(struct settle_spill *sp, const struct settle_spill_rec *r)
{
	unsigned char *p;

	if (r->klen > sp->lastcap) {
		if ((p = realloc(sp->last, r->klen)) == NULL)
			return fail(sp, "cannot write the temporary file",
			    ENOMEM);
		sp->last = p;
		sp->lastcap = r->klen;
	}
	if (r->klen > 0)
		memcpy(sp->last, r->key, r->klen);
	sp->lastlen = r->klen;
	return 0;
}

static int
grow_runs(struct settle_spill *sp)
{
	size_t ncap;
	struct run *p;

	if (sp->nruns < sp->runcap)
		return 0;
	ncap = sp->runcap ? sp->runcap * 2 : 16;
	if ((p = realloc(sp->runs, ncap * sizeof(*p))) == NULL)
		return fail(sp, "cannot write the temporary file", ENOMEM);
	sp->runs = p;
	sp->runcap = ncap;
	return 0;
}

int
settle_spill_add_run(struct settle_spill *sp, settle_spill_next_fn next,
    void *ctx)
{
	struct settle_spill_rec r, last;
	struct run run;
	int n = 0;

	memset(&last, 0, sizeof(last));
	sp->why[0] = '\0';
	if ((sp->fd < 0 && open_file(sp) < 0) || grow_runs(sp) < 0)
		return -1;
	run.off = sp->wpos + (off_t)sp->wlen;
	while (next(ctx, &r) > 0) {
		if (n++ == 0 && before_last(sp, &r))
			sp->unordered = 1;
		if (put_rec(sp, &r) < 0)
			return -1;
		last = r;
	}
	if (n == 0)
		return 0;
	if (flush(sp) < 0 || keep_last(sp, &last) < 0)
		return -1;
	run.end = sp->wpos;
	sp->runs[sp->nruns++] = run;
	return 0;
}

static int
cursor_fill(struct cursor *c, size_t need)
{
	unsigned char *p;
	size_t want;
	ssize_t n;

	if (c->len - c->at >= need)
		return 0;
	memmove(c->buf, c->buf + c->at, c->len - c->at);
	c->len -= c->at;
	c->at = 0;
	if (need > c->cap) {
		if ((p = realloc(c->buf, need)) == NULL) {
			c->err = ENOMEM;
			return -1;
		}
		c->buf = p;
		c->cap = need;
	}
	while (c->len < need) {
		want = c->cap - c->len;
		if ((off_t)want > c->end - c->pos)
			want = (size_t)(c->end - c->pos);
		n = want > 0 ? pread(c->fd, c->buf + c->len, want, c->pos) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->err = n < 0 ? errno : 0;
			return -1;
		}
		c->len += (size_t)n;
		c->pos += n;
	}
	return 0;
}

/* Next record of a cursor: 1, 0 at its end, or -1 with c->err set. */
static int
cursor_step(struct cursor *c)
{
	uint32_t head[2];

	if (c->next != NULL)
		return c->next(c->ctx, &c->cur);
	if (c->at == c->len && c->pos == c->end)
		return 0;
	if (cursor_fill(c, REC_HEAD) < 0)
		return -1;
	memcpy(head, c->buf + c->at, sizeof(head));
	if (cursor_fill(c, REC_HEAD + (size_t)head[0] + head[1]) < 0)
		return -1;
	c->cur.klen = head[0];
	c->cur.rlen = head[1];
	c->cur.key = c->buf + c->at + REC_HEAD;
	c->cur.row = (const char *)c->cur.key + head[0];
	c->at += REC_HEAD + (size_t)head[0] + head[1];
	return 1;
}

static int
cursor_open(struct cursor *c, int fd, const struct run *run, size_t order)
{
	memset(c, 0, sizeof(*c));
	c->order = order;
	c->fd = fd;
	c->pos = run->off;
	c->end = run->end;
	c->cap = CURSOR_BUF;
	if ((c->buf = malloc(CURSOR_BUF)) != NULL)
		return 0;
	c->err = ENOMEM;
	return -1;
}

static void
cursors_close(struct cursor *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].buf);
}

static int
cursor_before(const struct cursor *a, const struct cursor *b)
{
	int c = rec_cmp(&a->cur, &b->cur);

	return c < 0 || (c == 0 && a->order < b->order);
}

static void
sift_down(struct cursor **h, size_t n, size_t i)
{
	struct cursor *t;
	size_t m, l;

	for (;;) {
		m = i;
		l = 2 * i + 1;
		if (l < n && cursor_before(h[l], h[m]))
			m = l;
		if (l + 1 < n && cursor_before(h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static int
read_failed(struct settle_spill *sp, const struct cursor *c)
{
	return fail(sp, "cannot read the temporary file", c->err);
}

/*
 * k-way merge of primed cursors (each holding its first record) into
 * sink.  Returns 0 or -1 (the sink failed, or a cursor: then sp says why).
 */
static int
merge(struct settle_spill *sp, struct cursor **h, size_t n, sink_fn sink,
    void *sctx)
{
	size_t i;
	int rc;

	for (i = n / 2; i-- > 0;)
		sift_down(h, n, i);
	while (n > 0) {
		if (sink(sctx, &h[0]->cur) < 0)
			return -1;
		if ((rc = cursor_step(h[0])) < 0)
			return read_failed(sp, h[0]);
		if (rc == 0)
			h[0] = h[--n];
		sift_down(h, n, 0);
	}
	return 0;
}

/* Open and prime cursors on runs [0, n); empty ones are left out of h. */
static int
open_runs(struct settle_spill *sp, size_t n, struct cursor *c,
    struct cursor **h, size_t *nh, size_t *nc)
{
	int rc;

	for (*nc = 0; *nc < n; (*nc)++) {
		rc = cursor_open(&c[*nc], sp->fd, &sp->runs[*nc], *nc);
		if (rc == 0)
			rc = cursor_step(&c[*nc]);
		if (rc < 0) {
			read_failed(sp, &c[(*nc)++]);
			return -1;
		}
		if (rc > 0)
			h[(*nh)++] = &c[*nc];
	}
	return 0;
}

/* Merge the first SETTLE_SPILL_FANIN runs into one that takes their place. */
static int
merge_head(struct settle_spill *sp)
{
	struct cursor c[SETTLE_SPILL_FANIN], *h[SETTLE_SPILL_FANIN];
	size_t nc = 0, nh = 0;
	struct run run;
	int rc;

	run.off = sp->wpos + (off_t)sp->wlen;
	rc = open_runs(sp, SETTLE_SPILL_FANIN, c, h, &nh, &nc);
	if (rc == 0)
		rc = merge(sp, h, nh, put_rec, sp);
	cursors_close(c, nc);
	if (rc < 0 || flush(sp) < 0)
		return -1;
	run.end = sp->wpos;
	sp->runs[0] = run;
	memmove(sp->runs + 1, sp->runs + SETTLE_SPILL_FANIN,
	    (sp->nruns - SETTLE_SPILL_FANIN) * sizeof(*sp->runs));
	sp->nruns -= SETTLE_SPILL_FANIN - 1;
	return 0;
}

/*
 * Row bytes gathered into large writes: a call to fwrite() a row costs
 * more than copying the row.
 */
struct out {
	FILE *f;
	size_t len;
	char buf[OUT_BUF];
};

static int
out_flush(struct out *o)
{
	size_t n = o->len;

	o->len = 0;
	return n == 0 || fwrite(o->buf, 1, n, o->f) == n ? 0 : -1;
}

static int
put_row(void *ctx, const struct settle_spill_rec *r)
{
	struct out *o = ctx;

	if (o->len + r->rlen > OUT_BUF) {
		if (out_flush(o) < 0)
			return -1;
		if (r->rlen > OUT_BUF)
			return fwrite(r->row, 1, r->rlen, o->f) == r->rlen ?
			    0 : -1;
	}
	memcpy(o->buf + o->len, r->row, r->rlen);
	o->len += r->rlen;
	return 0;
}

static int
copy_run(struct settle_spill *sp, size_t i, struct out *o)
{
	struct cursor c;
	int rc;

	if ((rc = cursor_open(&c, sp->fd, &sp->runs[i], i)) == 0)
		while ((rc = cursor_step(&c)) > 0)
			if (put_row(o, &c.cur) < 0)
				break;
	free(c.buf);
	if (rc < 0)
		return read_failed(sp, &c);
	return rc > 0 ? -1 : 0;
}

/* Every record of a source, in its order. */
static int
copy_source(settle_spill_next_fn next, void *ctx,
    struct settle_spill_rec *r, struct out *o)
{
	do
		if (put_row(o, r) < 0)
			return -1;
	while (next(ctx, r) > 0);
	return 0;
}

/* Runs already in key order, then the tail: one after another. */
static int
copy_runs(struct settle_spill *sp, struct cursor *tail, struct out *o)
{
	size_t i;

	for (i = 0; i < sp->nruns; i++)
		if (copy_run(sp, i, o) < 0)
			return -1;
	if (tail->next == NULL)
		return 0;
	return copy_source(tail->next, tail->ctx, &tail->cur, o);
}

static int
merge_all(struct settle_spill *sp, struct cursor *tail, struct out *o)
{
	struct cursor c[SETTLE_SPILL_FANIN], *h[SETTLE_SPILL_FANIN + 1];
	size_t nc = 0, nh = 0;
	int rc;

	while (sp->nruns > SETTLE_SPILL_FANIN)
		if (merge_head(sp) < 0)
			return -1;
	rc = open_runs(sp, sp->nruns, c, h, &nh, &nc);
	if (tail->next != NULL) {
		tail->order = sp->nruns;
		h[nh++] = tail;
	}
	if (rc == 0)
		rc = merge(sp, h, nh, put_row, o);
	cursors_close(c, nc);
	return rc;
}

int
settle_spill_copy(settle_spill_next_fn next, void *ctx, FILE *f)
{
	struct settle_spill_rec r;
	struct out o;

	o.f = f;
	o.len = 0;
	if (next(ctx, &r) > 0 && copy_source(next, ctx, &r, &o) < 0)
		return -1;
	return out_flush(&o);
}

int
settle_spill_write(struct settle_spill *sp, settle_spill_next_fn next,
    void *ctx, FILE *f)
{
	struct cursor tail;
	struct out o;
	int rc;

	sp->why[0] = '\0';
	memset(&tail, 0, sizeof(tail));
	if (next != NULL && next(ctx, &tail.cur) > 0) {
		tail.next = next;
		tail.ctx = ctx;
	}
	o.f = f;
	o.len = 0;
	if (!sp->unordered && (tail.next == NULL ||
	    !before_last(sp, &tail.cur)))
		rc = copy_runs(sp, &tail, &o);
	else
		rc = merge_all(sp, &tail, &o);
	return rc < 0 ? -1 : out_flush(&o);
}
