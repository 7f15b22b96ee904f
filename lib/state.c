/*
 * State file reading and writing.  One record a line, fields separated by
 * tabs; text fields escape '%', tab, CR, LF and other control bytes as
 * %XX so that every value survives as it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "fsutil.h"
#include "money.h"
#include "msisdn.h"
#include "source.h"
#include "state.h"
#include "strsort.h"
#include "timefmt.h"

/* Text with '%', control bytes and DEL escaped as %XX, after a tab. */
static void
put_textn(struct settle_out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *q;
	char esc[3];

	settle_out_raw(o, "\t", 1);
	while (p < end) {
		if (*p == '%' || *p < 0x20 || *p == 0x7f) {
			esc[0] = '%';
			esc[1] = hex[*p >> 4];
			esc[2] = hex[*p & 15];
			settle_out_raw(o, esc, 3);
			p++;
			continue;
		}
		for (q = p + 1; q < end && *q != '%' && *q >= 0x20 &&
		    *q != 0x7f; q++)
			;
		settle_out_raw(o, (const char *)p, (size_t)(q - p));
		p = q;
	}
}

static void
put_text(struct settle_out *o, const char *s)
{
	put_textn(o, s, strlen(s));
}

static void
put_int(struct settle_out *o, int64_t v)
{
	settle_out_raw(o, "\t", 1);
	o->col = 0;
	settle_out_int(o, v);
}

static void
put_time(struct settle_out *o, int64_t t)
{
	char buf[24];
	size_t n = settle_time_fmt(t, buf);

	settle_out_raw(o, "\t", 1);
	settle_out_raw(o, buf, n);
}

static void
put_date(struct settle_out *o, int64_t d)
{
	char buf[16];

	settle_date_fmt(d, buf);
	settle_out_raw(o, "\t", 1);
	settle_out_raw(o, buf, 10);
}

static void
put(struct settle_out *o, const char *s)
{
	settle_out_raw(o, s, strlen(s));
}

/*
 * A reference that has matched keeps only the kind of its order (has_order
 * 2): its later records go to reopened groups, which take no order, and
 * the kind is what an order row of the other kind is checked against.
 */
static void
write_ref(const struct settle_engine *e, struct settle_out *f,
    const struct eref *r)
{
	const struct eorder *o = r->order;
	int has = r->okind < 0 ? 0 : r->matched ? 2 : o != NULL ? 1 : 0;
	char ms[SETTLE_MSISDN_LEN + 1];

	put(f, "ref");
	put_text(f, r->ref);
	put_int(f, r->matched);
	put_int(f, r->done);
	put_date(f, r->last);
	put_int(f, has);
	if (has == 2)
		put_text(f, r->okind == SO_BPO ? "BPO" : "ECAB");
	if (has == 1) {
		put_text(f, o->kind == SO_BPO ? "BPO" : "ECAB");
		put_text(f, o->merchant != NULL ? o->merchant : "");
		put_text(f, o->office);
		settle_msisdn_unpack(o->msisdn, ms);
		put_text(f, ms);
		put_text(f, e->cf->ops[o->op].code);
		put_int(f, eorder_goods(o));
		put_int(f, eorder_delivery(o));
		put_int(f, eorder_postage(o));
		put_time(f, o->at);
		put_text(f, settle_pay_name(o->status));
	}
	put(f, "\n");
}

static int
cmp_group(const void *a, const void *b)
{
	const struct egroup *x = *(struct egroup *const *)a;
	const struct egroup *y = *(struct egroup *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Keys held at a time while the references are sorted: 1 / REF_PARTS. */
#define REF_PARTS 8

struct refwalk {
	const struct settle_engine *e;
	const struct strmap *m;
	struct settle_out *f;
};

static const char *
ref_key(void *ctx, size_t i)
{
	const struct strmap_slot *s = strmap_slot_at(((struct refwalk *)ctx)->m,
	    i);

	return s != NULL ? ((const struct eref *)s->val)->ref : NULL;
}

/* A reference's text follows it in the arena: one line brings both. */
static void
ref_hint(void *ctx, size_t i, int level)
{
	const struct strmap_slot *s;

	if (level == 0 && (s = strmap_slot_at(((struct refwalk *)ctx)->m,
	    i)) != NULL)
		__builtin_prefetch(s->val);
}

static int
ref_write(void *ctx, size_t i)
{
	struct refwalk *w = ctx;

	write_ref(w->e, w->f, strmap_slot_at(w->m, i)->val);
	return 0;
}

/* The references in the order of their bytes, sorted a part at a time. */
static int
write_refs(const struct settle_engine *e, struct settle_out *f)
{
	struct refwalk w;

	w.e = e;
	w.m = &e->refs;
	w.f = f;
	return settle_skey_visit(e->refs.cap, REF_PARTS, ref_key, ref_hint,
	    ref_write, &w) < 0 ? -1 : 0;
}

static void
write_rec(const struct settle_engine *e, struct settle_out *f,
    const struct erec *r)
{
	char ms[SETTLE_MSISDN_LEN + 1];

	put(f, "rec");
	put_text(f, settle_engine_rec_op(e, r));
	put_text(f, r->id);
	put_text(f, settle_erec_msisdn(r, ms));
	put_int(f, r->amount);
	put_time(f, r->at);
	put_text(f, EREC_KIND(r) == SK_REFUND ? "REFUND" : "CHARGE");
	put(f, "\n");
}

static int
cmp_waiting(const void *a, const void *b)
{
	const struct eref *x = *(struct eref *const *)a;
	const struct eref *y = *(struct eref *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

/*
 * The pending groups in the order they were made: the groups with records
 * and, as groups of no records, the waiting references, merged by number.
 */
static int
write_groups(const struct settle_engine *e, struct settle_out *f)
{
	struct egroup **v;
	struct eref **w;
	size_t i, j, k = 0, nw;

	v = malloc((e->npending + 1) * sizeof(*v));
	w = settle_engine_waiting(e, &nw);
	if (v == NULL || w == NULL) {
		free(v);
		free(w);
		return -1;
	}
	if (e->npending > 0)
		memcpy(v, e->pending, e->npending * sizeof(*v));
	qsort(v, e->npending, sizeof(*v), cmp_group);
	qsort(w, nw, sizeof(*w), cmp_waiting);
	for (i = 0; i < e->npending || k < nw;) {
		put(f, "group");
		if (k < nw && (i == e->npending || w[k]->seq < v[i]->seq)) {
			put_int(f, 1);
			put_int(f, 0);
			put_text(f, w[k++]->ref);
			put(f, "\n");
			continue;
		}
		put_int(f, v[i]->ref != NULL);
		put_int(f, v[i]->reopened);
		put_text(f, v[i]->ref != NULL ? v[i]->ref->ref : "");
		put(f, "\n");
		for (j = 0; j < v[i]->n; j++)
			write_rec(e, f, &v[i]->recs[j]);
		i++;
	}
	free(v);
	free(w);
	return 0;
}


int
settle_state_write(const struct settle_engine *e, FILE *file)
{
	const struct settle_config *c = e->cf;
	struct settle_out f;
	int k, rc = 0;

	settle_out_init(&f, file, 0);
	put(&f, "settle-state\t2\nlast_date");
	put_date(&f, e->date);
	put(&f, "\n");
	for (k = 0; k < c->nops; k++) {
		put(&f, "mtd\t");
		put(&f, c->ops[k].code);
		put(&f, "\t");
		put(&f, e->mtd_month[k]);
		put_int(&f, e->mtd[k]);
		put(&f, "\n");
	}
	if (write_refs(e, &f) < 0 || write_groups(e, &f) < 0)
		rc = SETTLE_ENOMEM;
	put(&f, "end\n");
	if (settle_out_flush(&f) < 0 && rc == 0)
		rc = SETTLE_EIO;
	settle_out_release(&f);
	return rc == 0 && ferror(file) ? SETTLE_EIO : rc;
}

void
settle_idsink_init(struct settle_idsink *s, const char *op)
{
	memset(s, 0, sizeof(*s));
	s->op = op;
}

void
settle_idsink_release(struct settle_idsink *s)
{
	settle_out_release(&s->out);
	if (s->f != NULL)
		fclose(s->f);
	s->f = NULL;
}

int
settle_idsink_add(struct settle_idsink *s, const char *id, size_t len,
    uint64_t content, int64_t date)
{
	static const char hex[] = "0123456789abcdef";
	char h[18];
	int b;

	if (s->err != 0)
		return -1;
	if (s->f == NULL) {
		if ((s->f = settle_tmpfile("ids")) == NULL) {
			s->err = errno != 0 ? errno : EIO;
			return -1;
		}
		settle_out_init(&s->out, s->f, 0);
	}
	put(&s->out, "id\t");
	put(&s->out, s->op);
	put_textn(&s->out, id, len);
	h[0] = '\t';
	for (b = 0; b < 16; b++)
		h[b + 1] = hex[(content >> (60 - 4 * b)) & 15];
	settle_out_raw(&s->out, h, 17);
	put_date(&s->out, date);
	settle_out_raw(&s->out, "\n", 1);
	if (s->out.failed) {
		s->err = errno != 0 ? errno : EIO;
		return -1;
	}
	s->n++;
	return 0;
}

/* Copy the sink's temporary file to o's file (o flushed). */
static int
copy_sink(struct settle_idsink *s, struct settle_out *o)
{
	char buf[1 << 16];
	size_t n;

	if (s->f == NULL)
		return 0;
	if (s->err != 0) {
		errno = s->err;
		return -1;
	}
	if (settle_out_flush(&s->out) < 0 || fflush(s->f) != 0 ||
	    settle_out_flush(o) < 0 || fseek(s->f, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), s->f)) > 0)
		if (fwrite(buf, 1, n, o->f) != n)
			return -1;
	if (ferror(s->f)) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int
settle_ids_write(int64_t date, struct settle_idsink *sinks, int n,
    FILE *file)
{
	struct settle_out f;
	int k, rc = 0;

	settle_out_init(&f, file, 0);
	put(&f, "settle-ids\t1\nrun_date");
	put_date(&f, date);
	put(&f, "\n");
	for (k = 0; k < n && rc == 0; k++)
		if (copy_sink(&sinks[k], &f) < 0)
			rc = SETTLE_EIO;
	put(&f, "end\n");
	if (settle_out_flush(&f) < 0)
		rc = SETTLE_EIO;
	settle_out_release(&f);
	return rc == 0 && ferror(file) ? SETTLE_EIO : rc;
}

#define ST_MAXF 20

struct sreader {
	struct settle_engine *e;
	const char *path;
	long line;
	char *f[ST_MAXF];
	int nf;
	struct egroup *group;	/* the group "rec" lines belong to */
	/* A group line not yet followed by a record: its reference, kind. */
	struct eref *gref;
	int greopened, ghead;
	int ended;
	int64_t date, from;	/* an id file: its run date, the window */
	struct settle_err *err;
};

static int
sbad(struct sreader *r, const char *msg)
{
	return settle_err_set(r->err, SETTLE_EDATA, r->path, r->line, NULL,
	    "state file: %s", msg);
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ?
	    c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
unescape(char *s)
{
	char *q = s;

	for (; *s != '\0'; s++) {
		if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*q++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*q++ = *s;
		}
	}
	*q = '\0';
}

/* Split buf in place on tabs and undo the %XX escapes of each field. */
static void
split(struct sreader *r, char *buf)
{
	char *p = buf;
	int i;

	r->nf = 0;
	while (r->nf < ST_MAXF) {
		r->f[r->nf++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
	for (i = 0; i < r->nf; i++)
		unescape(r->f[i]);
}

static int
num(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

static int
op_index(struct sreader *r, const char *code)
{
	return settle_config_op(r->e->cf, code, strlen(code));
}

static int
read_mtd(struct sreader *r)
{
	int k;

	if (r->nf != 4 || (k = op_index(r, r->f[1])) < 0 ||
	    strlen(r->f[2]) > 7 || num(r->f[3], &r->e->mtd[k]) < 0)
		return sbad(r, "bad 'mtd' line");
	memcpy(r->e->mtd_month[k], r->f[2], strlen(r->f[2]) + 1);
	return 0;
}

/* An id line of an id file: into the duplicate table, when in the window. */
static int
read_id(struct sreader *r, int64_t from)
{
	unsigned long long content;
	int64_t date;
	char *end;
	int k;

	if (r->nf != 5 || (k = op_index(r, r->f[1])) < 0 ||
	    settle_date_parse(r->f[4], &date) < 0)
		return sbad(r, "bad 'id' line");
	content = strtoull(r->f[3], &end, 16);
	if (*end != '\0' || strlen(r->f[3]) != 16)
		return sbad(r, "bad 'id' line");
	if (date < from)
		return 0;
	return settle_dedup_check(&r->e->dedup[k], r->f[2], strlen(r->f[2]),
	    content, date) == SETTLE_DEDUP_NOMEM ? settle_err_set(r->err,
	    SETTLE_ENOMEM, NULL, 0, NULL, "out of memory") : 0;
}

static int
read_order(struct sreader *r, struct eorder *o)
{
	size_t n = strlen(r->f[8]);
	int64_t sum, goods, delivery, postage;
	int s, k;

	o->kind = strcmp(r->f[6], "BPO") == 0 ? SO_BPO : SO_ECAB;
	if (o->kind == SO_ECAB && (o->merchant = settle_arena_strndup(
	    &r->e->mem, r->f[7], strlen(r->f[7]))) == NULL)
		return -1;
	if (n >= sizeof(o->office) || (o->msisdn = settle_msisdn_pack(
	    r->f[9])) == UINT64_MAX || (k = op_index(r, r->f[10])) < 0)
		return -1;
	memcpy(o->office, r->f[8], n + 1);
	o->op = (uint8_t)k;
	if (num(r->f[11], &goods) < 0 || num(r->f[12], &delivery) < 0 ||
	    num(r->f[13], &postage) < 0 ||
	    settle_time_parse_iso(r->f[14], strlen(r->f[14]), &o->at) < 0)
		return -1;
	/* The amounts of the other kind are 0; goods and delivery add up. */
	if ((o->kind == SO_BPO && (goods != 0 || delivery != 0)) ||
	    (o->kind == SO_ECAB && (postage != 0 ||
	    settle_money_add(goods, delivery, &sum) < 0)))
		return -1;
	o->a = o->kind == SO_BPO ? postage : goods;
	o->b = o->kind == SO_BPO ? 0 : delivery;
	for (s = SP_PAID; s <= SP_CANCELLED; s++)
		if (strcmp(r->f[15], settle_pay_name(s)) == 0)
			break;
	if (s > SP_CANCELLED)
		return -1;
	o->status = (uint8_t)s;
	return 0;
}

static int
read_ref(struct sreader *r)
{
	struct eref *ref;
	int64_t matched, done, has, last;

	if (r->nf < 6 || num(r->f[2], &matched) < 0 ||
	    num(r->f[3], &done) < 0 || num(r->f[5], &has) < 0 ||
	    r->nf != (has == 0 ? 6 : has == 1 ? 16 : has == 2 ? 7 : 0) ||
	    (has == 2 && (matched == 0 || (strcmp(r->f[6], "BPO") &&
	    strcmp(r->f[6], "ECAB")))))
		return sbad(r, "bad 'ref' line");
	ref = settle_engine_ref(r->e, r->f[1], strlen(r->f[1]));
	if (ref == NULL)
		return sbad(r, "out of memory");
	ref->matched = matched != 0;
	ref->done = done != 0;
	if (has == 2)
		ref->okind = strcmp(r->f[6], "BPO") == 0 ? SO_BPO : SO_ECAB;
	if (has == 1 && (ref->order = settle_arena_zalloc(&r->e->mem,
	    sizeof(*ref->order))) == NULL)
		return sbad(r, "out of memory");
	if (settle_date_parse(r->f[4], &last) < 0 || last > INT32_MAX ||
	    (has == 1 && read_order(r, ref->order) < 0))
		return sbad(r, "bad 'ref' line");
	ref->last = (int32_t)last;
	if (has == 1)
		ref->okind = ref->order->kind;
	return 0;
}

/*
 * A group line makes its group at its first record: a group of no records
 * is an order waiting for them (its reference waits), and anything else
 * without a record is refused.
 */
static int
end_group(struct sreader *r)
{
	if (!r->ghead)
		return 0;
	r->ghead = 0;
	if (r->gref == NULL || r->greopened || r->gref->order == NULL)
		return sbad(r, "a group without an order has no 'rec' line");
	settle_engine_wait(r->e, r->gref);
	return 0;
}

static int
read_group(struct sreader *r)
{
	struct eref *ref = NULL;

	if (r->nf != 4 || (strcmp(r->f[1], "0") && strcmp(r->f[1], "1")))
		return sbad(r, "bad 'group' line");
	if (strcmp(r->f[1], "1") == 0) {
		ref = strmap_get(&r->e->refs, r->f[3], strlen(r->f[3]));
		if (ref == NULL || ref->group != NULL || ref->waiting)
			return sbad(r, "group of an unknown reference");
	}
	r->group = NULL;
	r->gref = ref;
	r->greopened = strcmp(r->f[2], "1") == 0;
	r->ghead = 1;
	return 0;
}

static int
read_rec(struct sreader *r)
{
	int64_t amount, at;

	if (r->nf != 7 || (r->group == NULL && !r->ghead) ||
	    op_index(r, r->f[1]) < 0 ||
	    settle_msisdn_pack(r->f[3]) == UINT64_MAX ||
	    num(r->f[4], &amount) < 0 ||
	    settle_time_parse_iso(r->f[5], strlen(r->f[5]), &at) < 0 ||
	    (strcmp(r->f[6], "CHARGE") && strcmp(r->f[6], "REFUND")))
		return sbad(r, "bad 'rec' line");
	if (r->ghead) {
		r->ghead = 0;
		if ((r->group = settle_engine_group_new(r->e, r->gref,
		    r->greopened)) == NULL)
			return sbad(r, "out of memory");
	}
	if (settle_engine_group_add(r->e, r->group, r->f[1], r->f[2],
	    strlen(r->f[2]), r->f[3], amount, at, strcmp(r->f[6], "REFUND") ?
	    SK_CHARGE : SK_REFUND) < 0)
		return sbad(r, "out of memory");
	return 0;
}

static int
read_line(struct sreader *r, char *buf)
{
	const char *t;
	int rc;

	split(r, buf);
	t = r->f[0];
	if (r->ended)
		return sbad(r, "data after 'end'");
	if (r->line == 1)
		return strcmp(t, "settle-state") == 0 && r->nf == 2 &&
		    strcmp(r->f[1], "2") == 0 ? 0 :
		    sbad(r, "not a settle state file of version 2");
	if (strcmp(t, "last_date") == 0)
		return r->nf == 2 && settle_date_parse(r->f[1],
		    &r->e->last_date) == 0 ? 0 : sbad(r, "bad 'last_date'");
	if (strcmp(t, "mtd") == 0)
		return read_mtd(r);
	if (strcmp(t, "ref") == 0)
		return read_ref(r);
	if ((strcmp(t, "group") == 0 || strcmp(t, "end") == 0) &&
	    (rc = end_group(r)) < 0)
		return rc;
	if (strcmp(t, "group") == 0)
		return read_group(r);
	if (strcmp(t, "rec") == 0)
		return read_rec(r);
	if (strcmp(t, "end") == 0) {
		r->ended = 1;
		return 0;
	}
	return sbad(r, "unknown line");
}

/*
 * Read path line by line into r->e with line(): each line copied into one
 * buffer, NUL-terminated, for line() to split in place.
 */
static int
read_file(struct sreader *r, int (*line)(struct sreader *, char *))
{
	struct settle_lines *lr;
	struct settle_src *src;
	struct settle_line ln;
	char *buf = NULL, *nb;
	size_t cap = 0;
	int rc;

	if ((src = settle_src_open(r->path, r->path, 0, r->err)) == NULL)
		return r->err->code;
	if ((lr = settle_lines_new(src)) == NULL)
		return settle_err_set(r->err, SETTLE_ENOMEM, r->path, 0, NULL,
		    "out of memory");
	while ((rc = settle_lines_next(lr, &ln, r->err)) > 0) {
		r->line = ln.no;
		if (ln.toolong) {
			rc = sbad(r, "line too long");
			break;
		}
		if (ln.len + 1 > cap) {
			if ((nb = realloc(buf, ln.len + 1)) == NULL) {
				rc = settle_err_set(r->err, SETTLE_ENOMEM,
				    r->path, 0, NULL, "out of memory");
				break;
			}
			buf = nb;
			cap = ln.len + 1;
		}
		memcpy(buf, ln.p, ln.len);
		buf[ln.len] = '\0';
		if ((rc = line(r, buf)) < 0)
			break;
	}
	free(buf);
	settle_lines_free(lr);
	if (rc == 0 && !r->ended)
		rc = sbad(r, "truncated: no 'end' line");
	return rc;
}

int
settle_state_read(struct settle_engine *e, const char *path,
    struct settle_err *err)
{
	struct sreader r;

	memset(&r, 0, sizeof(r));
	r.e = e;
	r.path = path;
	r.err = err;
	return read_file(&r, read_line);
}

/* One line of an id file. */
static int
ids_line(struct sreader *r, char *buf)
{
	int64_t d;

	split(r, buf);
	if (r->ended)
		return sbad(r, "data after 'end'");
	if (r->line == 1)
		return strcmp(r->f[0], "settle-ids") == 0 && r->nf == 2 &&
		    strcmp(r->f[1], "1") == 0 ? 0 :
		    sbad(r, "not a settle id file of version 1");
	if (r->line == 2)
		return strcmp(r->f[0], "run_date") == 0 && r->nf == 2 &&
		    settle_date_parse(r->f[1], &d) == 0 && d == r->date ? 0 :
		    sbad(r, "bad 'run_date': not the date of the file name");
	if (strcmp(r->f[0], "id") == 0)
		return read_id(r, r->from);
	if (strcmp(r->f[0], "end") == 0) {
		r->ended = 1;
		return 0;
	}
	return sbad(r, "unknown line");
}

int
settle_ids_read(struct settle_engine *e, const char *path, int64_t date,
    int64_t from, struct settle_err *err)
{
	struct sreader r;

	memset(&r, 0, sizeof(r));
	r.e = e;
	r.path = path;
	r.err = err;
	r.date = date;
	r.from = from;
	return read_file(&r, ids_line);
}
