/*
 * CSV record splitting (plain and libcsv-backed) and the CSV writer.
 */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "source.h"

struct settle_csvrec {
	struct csv_parser p;
	char delim;
	char *buf;		/* field bytes of a quoted record */
	size_t len, cap;
	size_t off[CSV_MAXFIELDS], flen[CSV_MAXFIELDS];
	int n;
	int records;
	int oom;
};

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static int
only_lf(unsigned char c)
{
	(void)c;
	return 0;
}

static int
parser_init(struct settle_csvrec *r)
{
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(&r->p, (unsigned char)r->delim);
	/* Spaces are data, and line ends were split off by the caller. */
	csv_set_space_func(&r->p, no_space);
	csv_set_term_func(&r->p, only_lf);
	return 0;
}

struct settle_csvrec *
settle_csvrec_new(char delim)
{
	struct settle_csvrec *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->delim = delim;
	if (parser_init(r) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

void
settle_csvrec_free(struct settle_csvrec *r)
{
	if (r == NULL)
		return;
	csv_free(&r->p);
	free(r->buf);
	free(r);
}

static void
on_field(void *data, size_t len, void *ctx)
{
	struct settle_csvrec *r = ctx;
	size_t need = r->len + len;
	char *nb;

	if (r->n >= CSV_MAXFIELDS) {
		r->n++;
		return;
	}
	if (need > r->cap) {
		nb = realloc(r->buf, need * 2 + 64);
		if (nb == NULL) {
			r->oom = 1;
			return;
		}
		r->buf = nb;
		r->cap = need * 2 + 64;
	}
	if (len > 0)
		memcpy(r->buf + r->len, data, len);
	r->off[r->n] = r->len;
	r->flen[r->n++] = len;
	r->len = need;
}

static void
on_record(int c, void *ctx)
{
	(void)c;
	((struct settle_csvrec *)ctx)->records++;
}

static int
split_quoted(struct settle_csvrec *r, const char *rec, size_t len,
    struct settle_span *f, const char **why)
{
	int i, n;

	r->len = 0;
	r->n = 0;
	r->records = 0;
	r->oom = 0;
	if (csv_parse(&r->p, rec, len, on_field, on_record, r) != len ||
	    csv_fini(&r->p, on_field, on_record, r) != 0) {
		*why = csv_error(&r->p) == CSV_EPARSE ?
		    "bad quoting" : "field too large";
		/* After a strict-mode error the parser keeps its state. */
		csv_free(&r->p);
		if (parser_init(r) < 0)
			*why = "out of memory";
		return -1;
	}
	if (r->oom) {
		*why = "field too large";
		return -1;
	}
	if (len == 0)
		on_field(NULL, 0, r);
	n = r->n < CSV_MAXFIELDS ? r->n : CSV_MAXFIELDS;
	for (i = 0; i < n; i++) {
		f[i].p = r->buf + r->off[i];
		f[i].len = r->flen[i];
	}
	return r->n;
}

int
settle_csvrec_split(struct settle_csvrec *r, const char *rec, size_t len,
    int quoting, struct settle_span *f, const char **why)
{
	const char *p = rec, *e = rec + len, *q;
	int n = 0;

	if (quoting && memchr(rec, '"', len) != NULL)
		return split_quoted(r, rec, len, f, why);
	if (memchr(rec, '"', len) != NULL) {
		*why = "stray quote";
		return -1;
	}
	for (;;) {
		q = memchr(p, r->delim, (size_t)(e - p));
		if (n < CSV_MAXFIELDS) {
			f[n].p = p;
			f[n].len = q != NULL ? (size_t)(q - p) : (size_t)(e - p);
		}
		n++;
		if (q == NULL)
			return n;
		p = q + 1;
	}
}

void
settle_out_init(struct settle_out *o, FILE *f, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->limit = limit;
}

void
settle_out_release(struct settle_out *o)
{
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

int
settle_out_flush(struct settle_out *o)
{
	if (o->f != NULL && o->len > 0) {
		if (fwrite(o->buf, 1, o->len, o->f) != o->len)
			o->failed = 1;
		o->len = 0;
	}
	return o->failed ? -1 : 0;
}

static int
grow(struct settle_out *o, size_t n)
{
	size_t ncap;
	char *nb;

	if (o->f != NULL && o->len > 0) {
		settle_out_flush(o);
		if (n <= o->cap)
			return 0;
	}
	ncap = o->cap ? o->cap : 256 * 1024;
	while (ncap < o->len + n)
		ncap *= 2;
	if (o->f == NULL && o->limit > 0 && ncap > o->limit) {
		if (o->len + n > o->limit) {
			o->failed = 1;
			return -1;
		}
		ncap = o->limit;
	}
	nb = realloc(o->buf, ncap);
	if (nb == NULL) {
		o->failed = 1;
		return -1;
	}
	o->buf = nb;
	o->cap = ncap;
	return 0;
}

static inline int
reserve(struct settle_out *o, size_t n)
{
	return o->len + n <= o->cap ? 0 : grow(o, n);
}

void
settle_out_raw(struct settle_out *o, const char *p, size_t len)
{
	if (len == 0 || reserve(o, len) < 0)
		return;
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

static void
sep(struct settle_out *o)
{
	if (o->col++ > 0)
		settle_out_raw(o, ",", 1);
}

int
settle_csv_needs_prefix(const char *p, size_t len)
{
	return len > 0 && (p[0] == '=' || p[0] == '+' || p[0] == '-' ||
	    p[0] == '@' || p[0] == '\t' || p[0] == '\r');
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static int
bytes_special(const char *p, size_t len)
{
	static const unsigned char special[256] = {
		['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1
	};
	size_t i;

	for (i = 0; i < len; i++)
		if (special[(unsigned char)p[i]])
			return 1;
	return 0;
}

/*
 * The bytes that make a field need quotes ('\n', '\r', '"', ',') are all
 * below '-' (0x2d): eight bytes none of which is below it need no look.
 */
static int
word_special(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	if (((w - ONES * 0x2d) & ~w & HIGHS) == 0)
		return 0;
	return bytes_special(p, sizeof(w));
}

/* Eight bytes at a time; the last eight may overlap the ones before. */
static int
needs_quotes(const char *p, size_t len)
{
	size_t i;

	if (len < 8)
		return bytes_special(p, len);
	for (i = 0; i + 8 < len; i += 8)
		if (word_special(p + i))
			return 1;
	return word_special(p + len - 8);
}

static char *
quoted(char *w, const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '"')
			*w++ = '"';
		*w++ = p[i];
	}
	*w++ = '"';
	return w;
}

/*
 * Fields are short: two overlapping fixed-size copies, which the compiler
 * makes plain moves, beat a call to memcpy().
 */
static inline void
copy_short(char *w, const char *p, size_t len)
{
	if (len >= 16 && len <= 32) {
		memcpy(w, p, 16);
		memcpy(w + len - 16, p + len - 16, 16);
	} else if (len >= 8 && len < 16) {
		memcpy(w, p, 8);
		memcpy(w + len - 8, p + len - 8, 8);
	} else if (len >= 4 && len < 8) {
		memcpy(w, p, 4);
		memcpy(w + len - 4, p + len - 4, 4);
	} else if (len > 0) {
		memcpy(w, p, len);
	}
}

/* A text field at w, quoted and prefixed as needed; returns its end. */
static char *
put_text(char *w, const char *p, size_t len)
{
	int quote = needs_quotes(p, len);

	if (quote)
		*w++ = '"';
	if (settle_csv_needs_prefix(p, len))
		*w++ = '\'';
	if (quote)
		return quoted(w, p, len);
	copy_short(w, p, len);
	return w + len;
}

/* One reservation for the separator, quotes, prefix and text. */
void
settle_out_text(struct settle_out *o, const char *p, size_t len)
{
	char *w;

	if (reserve(o, (o->col > 0) + len * 2 + 3) < 0) {
		o->col++;
		return;
	}
	w = o->buf + o->len;
	if (o->col++ > 0)
		*w++ = ',';
	o->len = (size_t)(put_text(w, p, len) - o->buf);
}

void
settle_out_str(struct settle_out *o, const char *s)
{
	settle_out_text(o, s, strlen(s));
}

/* The decimal digits of u, ending at end; returns where they start. */
static char *
digits(char *end, uint64_t u)
{
	static const char pairs[] =
	    "0001020304050607080910111213141516171819"
	    "2021222324252627282930313233343536373839"
	    "4041424344454647484950515253545556575859"
	    "6061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";

	while (u >= 100) {
		end -= 2;
		memcpy(end, pairs + u % 100 * 2, 2);
		u /= 100;
	}
	if (u >= 10) {
		end -= 2;
		memcpy(end, pairs + u * 2, 2);
	} else {
		*--end = (char)('0' + u);
	}
	return end;
}

void
settle_out_int(struct settle_out *o, int64_t v)
{
	char tmp[24], *b;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	b = digits(tmp + sizeof(tmp), u);
	if (v < 0)
		*--b = '-';
	n = (size_t)(tmp + sizeof(tmp) - b);
	if (reserve(o, (size_t)(o->col > 0) + n) < 0) {
		o->col++;
		return;
	}
	if (o->col++ > 0)
		o->buf[o->len++] = ',';
	copy_short(o->buf + o->len, b, n);
	o->len += n;
}

void
settle_out_empty(struct settle_out *o)
{
	sep(o);
}

void
settle_out_endrow(struct settle_out *o)
{
	settle_out_raw(o, "\n", 1);
	o->col = 0;
}

void
settle_out_escaped(struct settle_out *o, const char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *tmp;
	size_t i, n = 0, step;
	unsigned char c;

	if (settle_utf8_valid(p, len)) {
		settle_out_text(o, p, len);
		return;
	}
	tmp = malloc(len * 4 + 1);
	if (tmp == NULL) {
		o->failed = 1;
		return;
	}
	for (i = 0; i < len; i += step) {
		c = (unsigned char)p[i];
		step = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c != 0 && i + step <= len && settle_utf8_valid(p + i, step)) {
			memcpy(tmp + n, p + i, step);
			n += step;
			continue;
		}
		step = 1;
		tmp[n++] = '\\';
		tmp[n++] = 'x';
		tmp[n++] = hex[c >> 4];
		tmp[n++] = hex[c & 15];
	}
	settle_out_text(o, tmp, n);
	free(tmp);
}
