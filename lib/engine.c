/*
 * The matching engine: groups by reference, matching, windows, the fuzzy
 * pass and the classification table of SPEC §5.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "timefmt.h"

static const char *const match_names[] = { "EXACT", "SPLIT", "FUZZY" };
static const char *const dispute_names[] = {
	"AMOUNT_MISMATCH", "CANCELLED_CHARGED", "CAP_EXCEEDED",
	"CHARGE_NO_ORDER", "MSISDN_MISMATCH", "ORDER_NO_CHARGE",
	"REFUND_NO_CHARGE"
};

static char *xprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A formatted string in new memory, or NULL. */
static char *
xprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

const char *
settle_match_name(int k)
{
	return k >= SM_EXACT && k <= SM_FUZZY ? match_names[k] : "";
}

const char *
settle_dispute_name(int r)
{
	return r >= 0 && r <= SD_REFUND_NO_CHARGE ? dispute_names[r] : "";
}

/* A reference's key in the map: its text. */
static const char *
eref_key(const void *val)
{
	return ((const struct eref *)val)->ref;
}

void
settle_engine_init(struct settle_engine *e, const struct settle_config *c)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->cf = c;
	e->last_date = -1;
	settle_arena_init(&e->mem);
	strmap_init(&e->refs, eref_key);
	for (i = 0; i < SETTLE_MAX_OPS; i++)
		settle_dedup_init(&e->dedup[i]);
}

/*
 * References, groups and their records live in the engine's arena: one
 * that ends or expires is only unlinked, and all go back at release.
 */
void
settle_engine_release(struct settle_engine *e)
{
	int k;

	free(e->pending);
	strmap_release(&e->refs);
	for (k = 0; k < SETTLE_MAX_OPS; k++)
		settle_dedup_release(&e->dedup[k]);
	settle_arena_release(&e->mem);
	memset(e, 0, sizeof(*e));
}

void
settle_engine_begin(struct settle_engine *e, int64_t date)
{
	e->date = date;
}

int
settle_engine_reserve(struct settle_engine *e, size_t n)
{
	return strmap_reserve(&e->refs, e->refs.n + n) < 0 ? SETTLE_ENOMEM :
	    0;
}

struct eref *
settle_engine_ref(struct settle_engine *e, const char *ref, size_t len)
{
	struct eref *r = strmap_get(&e->refs, ref, len);

	if (r != NULL)
		return r;
	r = settle_arena_zalloc(&e->mem, sizeof(*r));
	if (r == NULL || (r->ref = settle_arena_strndup(&e->mem, ref, len)) ==
	    NULL || strmap_put(&e->refs, r->ref, len, r) < 0)
		return NULL;
	r->okind = -1;
	r->len = (uint32_t)len;
	return r;
}

void
settle_engine_prefetch_ref(const struct settle_engine *e, const char *ref,
    size_t len, int level)
{
	const struct eref *r;

	if (len == 0)
		return;
	if (level == 0) {
		strmap_prefetch(&e->refs, ref, len);
		return;
	}
	if ((r = strmap_peek(&e->refs, ref, len)) == NULL)
		return;
	if (level == 1)
		__builtin_prefetch(r);
	else if (r->group != NULL)
		__builtin_prefetch(r->group);
}

struct egroup *
settle_engine_group_new(struct settle_engine *e, struct eref *ref,
    int reopened)
{
	struct egroup *g, **np;
	size_t ncap;

	if (e->npending == e->cappending) {
		ncap = e->cappending ? e->cappending * 2 : 1024;
		np = realloc(e->pending, ncap * sizeof(*np));
		if (np == NULL)
			return NULL;
		e->pending = np;
		e->cappending = ncap;
	}
	if ((g = settle_arena_zalloc(&e->mem, sizeof(*g))) == NULL)
		return NULL;
	if (ref != NULL && ref->waiting) {
		/* The order's group takes the number it waited with. */
		g->seq = ref->seq;
		ref->waiting = 0;
		e->nwaiting--;
	} else {
		g->seq = (uint32_t)e->seq++;
	}
	g->ref = ref;
	g->reopened = reopened;
	g->sorted = 1;
	g->pos = (uint32_t)e->npending;
	e->pending[e->npending++] = g;
	if (ref != NULL)
		ref->group = g;
	return g;
}

void
settle_engine_wait(struct settle_engine *e, struct eref *r)
{
	r->waiting = 1;
	r->seq = (uint32_t)e->seq++;
	e->nwaiting++;
}

size_t
settle_engine_npending(const struct settle_engine *e)
{
	return e->npending + e->nwaiting;
}

/* A waiting reference ends: its order matched, was disputed or closed. */
static void
wait_end(struct settle_engine *e, struct eref *r, int done)
{
	r->waiting = 0;
	e->nwaiting--;
	r->last = (int32_t)e->date;
	if (done)
		r->done = 1;
}

/* Take g off the pending list: it matched, was disputed or closed. */
static void
group_end(struct settle_engine *e, struct egroup *g, int done)
{
	struct egroup *last = e->pending[--e->npending];

	e->pending[g->pos] = last;
	last->pos = g->pos;
	g->ended = 1;
	/* Ending a group is activity: the reference's horizon starts again. */
	if (g->ref != NULL)
		g->ref->last = (int32_t)e->date;
	if (g->ref != NULL && g->ref->group == g) {
		g->ref->group = NULL;
		if (done && !g->reopened)
			g->ref->done = 1;
	}
}

/*
 * Add a record to g, its operator an index and its MSISDN packed.  The
 * records grow in the arena: a full array is copied to one twice its size.
 */
static int
add_record(struct settle_engine *e, struct egroup *g, int op, uint64_t ms,
    const char *id, size_t idlen, int64_t amount, int64_t at, int kind)
{
	struct erec *r;
	size_t ncap;

	if (g->n == g->cap) {
		ncap = g->cap ? (size_t)g->cap * 2 : 1;
		if (ncap > UINT32_MAX || ncap > SIZE_MAX / sizeof(*r) ||
		    (r = settle_arena_alloc(&e->mem, ncap * sizeof(*r))) == NULL)
			return SETTLE_ENOMEM;
		if (g->n > 0)
			memcpy(r, g->recs, g->n * sizeof(*r));
		g->recs = r;
		g->cap = (uint32_t)ncap;
	}
	r = &g->recs[g->n];
	memset(r, 0, sizeof(*r));
	if ((r->id = settle_arena_strndup(&e->mem, id, idlen)) == NULL)
		return SETTLE_ENOMEM;
	r->mk = ms | (uint64_t)op << 48 | (kind == SK_REFUND ?
	    UINT64_C(1) << 63 : 0);
	r->amount = amount;
	r->at = at;
	g->n++;
	g->sorted = g->n < 2;
	return 0;
}

int
settle_engine_group_add(struct settle_engine *e, struct egroup *g,
    const char *op, const char *id, size_t idlen, const char *msisdn,
    int64_t amount, int64_t at, int kind)
{
	uint64_t ms = settle_msisdn_pack(msisdn);
	int k = settle_config_op(e->cf, op, strlen(op));

	if (k < 0 || ms == UINT64_MAX)
		return SETTLE_EDATA;
	return add_record(e, g, k, ms, id, idlen, amount, at, kind);
}

const char *
settle_engine_rec_op(const struct settle_engine *e, const struct erec *r)
{
	return e->cf->ops[EREC_OP(r)].code;
}

const char *
settle_erec_msisdn(const struct erec *r, char *buf)
{
	settle_msisdn_unpack(EREC_MSISDN(r), buf);
	return buf;
}

/* Charge order: charged_at, then operator, then charge_id. */
static int
cmp_rec(const void *a, const void *b)
{
	const struct erec *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (EREC_OP(x) != EREC_OP(y))
		return EREC_OP(x) < EREC_OP(y) ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void
group_sort(struct egroup *g)
{
	if (!g->sorted)
		qsort(g->recs, g->n, sizeof(*g->recs), cmp_rec);
	g->sorted = 1;
}

int
settle_engine_known_other(const struct settle_engine *e, int kind,
    const char *ref, size_t len)
{
	const struct eref *r = strmap_get(&e->refs, ref, len);

	return r != NULL && r->okind >= 0 && r->okind != kind;
}

/*
 * While the order files are read no record has been applied yet, and the
 * state's references are older than the run: a reference active today with
 * an order of that kind had a row of it in this run.
 */
int
settle_engine_order_seen(const struct settle_engine *e, int kind,
    const char *ref, size_t len)
{
	const struct eref *r = strmap_get(&e->refs, ref, len);

	return r != NULL && r->last == e->date && r->okind == kind;
}

int
settle_engine_order(struct settle_engine *e, const struct settle_order *o)
{
	int k = settle_config_op(e->cf, o->op, strlen(o->op));
	uint64_t ms = settle_msisdn_pack(o->msisdn);
	struct eref *r;
	struct eorder *eo;

	if (k < 0 || ms == UINT64_MAX)
		return SETTLE_EDATA;
	if ((r = settle_engine_ref(e, o->ref, o->ref_len)) == NULL)
		return SETTLE_ENOMEM;
	/* A matched reference's state keeps only the kind: the row again. */
	if (r->order == NULL &&
	    (r->order = settle_arena_alloc(&e->mem, sizeof(*r->order))) == NULL)
		return SETTLE_ENOMEM;
	eo = r->order;
	memset(eo, 0, sizeof(*eo));
	if (o->kind == SO_ECAB && (eo->merchant = settle_arena_strndup(&e->mem,
	    o->merchant, o->merchant_len)) == NULL)
		return SETTLE_ENOMEM;
	eo->kind = (uint8_t)o->kind;
	memcpy(eo->office, o->office, sizeof(eo->office));
	eo->msisdn = ms;
	eo->op = (uint8_t)k;
	eo->a = o->kind == SO_ECAB ? o->goods : o->postage;
	eo->b = o->kind == SO_ECAB ? o->delivery : 0;
	eo->at = o->at;
	eo->status = (uint8_t)o->status;
	r->okind = o->kind;
	r->last = (int32_t)e->date;
	/* A new reference waits as an order-only group; an ended one not. */
	if (r->group == NULL && !r->matched && !r->done && !r->waiting)
		settle_engine_wait(e, r);
	return 0;
}

void
settle_day_init(struct settle_day *d, int64_t date)
{
	memset(d, 0, sizeof(*d));
	d->date = date;
}

void
settle_day_release(struct settle_day *d)
{
	size_t i;

	settle_arena_release(&d->mem);
	for (i = 0; i < d->ndisputes; i++) {
		free(d->disputes[i].order_ref);
		free(d->disputes[i].charge_ids);
		free(d->disputes[i].detail);
	}
	free(d->matches);
	free(d->mgroups);
	free(d->disputes);
	memset(d, 0, sizeof(*d));
}

static struct settle_dispute *
dispute_new(struct settle_day *d)
{
	struct settle_dispute *nd;
	size_t ncap;

	if (d->ndisputes == d->capd) {
		ncap = d->capd ? d->capd * 2 : 64;
		nd = realloc(d->disputes, ncap * sizeof(*nd));
		if (nd == NULL)
			return NULL;
		d->disputes = nd;
		d->capd = ncap;
	}
	nd = &d->disputes[d->ndisputes++];
	memset(nd, 0, sizeof(*nd));
	return nd;
}

static void
count_dispute(const struct settle_engine *e, struct settle_day *d,
    const struct settle_dispute *x)
{
	int i = settle_config_op(e->cf, x->op, strlen(x->op));

	if (i < 0)
		return;
	d->ops[i].disputes++;
	d->ops[i].disputes_sum += x->amount;
}

int
settle_engine_record(struct settle_engine *e, const struct settle_charge *c,
    int op, uint64_t ms, struct settle_day *day)
{
	struct settle_dispute *x;
	struct egroup *g;
	struct eref *r = NULL;

	if (c->status != SS_SUCCESS)
		return 0;
	if (c->kind == SK_CHARGE && c->amount > e->cf->cap) {
		if ((x = dispute_new(day)) == NULL)
			return SETTLE_ENOMEM;
		snprintf(x->op, sizeof(x->op), "%s", e->cf->ops[op].code);
		x->reason = SD_CAP_EXCEEDED;
		x->order_ref = strndup(c->ref, c->ref_len);
		x->charge_ids = strndup(c->id, c->id_len);
		settle_msisdn_unpack(ms, x->msisdn);
		x->amount = c->amount;
		x->detail = xprintf("charge above per_charge_cap_poisha %lld",
		    (long long)e->cf->cap);
		if (!x->order_ref || !x->charge_ids || !x->detail)
			return SETTLE_ENOMEM;
		count_dispute(e, day, x);
		return 0;
	}
	if (c->ref_len > 0) {
		if ((r = settle_engine_ref(e, c->ref, c->ref_len)) == NULL)
			return SETTLE_ENOMEM;
		r->last = (int32_t)e->date;
	}
	g = r != NULL ? r->group : NULL;
	if (g == NULL && (g = settle_engine_group_new(e, r, r != NULL &&
	    r->matched)) == NULL)
		return SETTLE_ENOMEM;
	return add_record(e, g, op, ms, c->id, c->id_len, c->amount, c->at,
	    c->kind);
}

int
settle_engine_charge(struct settle_engine *e, const struct settle_charge *c,
    struct settle_day *day)
{
	uint64_t ms;
	int k;

	if (c->status != SS_SUCCESS)
		return 0;
	k = settle_config_op(e->cf, c->op, strlen(c->op));
	ms = settle_msisdn_pack(c->msisdn);
	if (k < 0 || ms == UINT64_MAX)
		return SETTLE_EDATA;
	return settle_engine_record(e, c, k, ms, day);
}

struct gstat {
	int64_t net;
	int charges, refunds;
	int one_op, one_msisdn;
	const char *op;			/* the group's operator */
	const char *msisdn;		/* first record's, or the order's */
	char msbuf[SETTLE_MSISDN_LEN + 1];
};

static const struct eorder *
group_order(const struct egroup *g)
{
	if (g->reopened || g->ref == NULL)
		return NULL;
	return g->ref->order;
}

static void
group_stat(const struct settle_engine *e, const struct egroup *g,
    struct gstat *st)
{
	const struct eorder *o = group_order(g);
	size_t i;

	memset(st, 0, sizeof(*st));
	st->one_op = st->one_msisdn = 1;
	for (i = 0; i < g->n; i++) {
		const struct erec *r = &g->recs[i];

		/* Amounts are capped at 10^10 each: the sum cannot overflow
		 * before 9 * 10^8 records, far past any group. */
		if (EREC_KIND(r) == SK_CHARGE) {
			st->net += r->amount;
			st->charges++;
		} else {
			st->net -= r->amount;
			st->refunds++;
		}
		if (EREC_OP(r) != EREC_OP(&g->recs[0]))
			st->one_op = 0;
		if (EREC_MSISDN(r) != EREC_MSISDN(&g->recs[0]))
			st->one_msisdn = 0;
	}
	st->op = g->n > 0 ? settle_engine_rec_op(e, &g->recs[0]) : o != NULL ?
	    e->cf->ops[o->op].code : "";
	if (g->n > 0)
		st->msisdn = settle_erec_msisdn(&g->recs[0], st->msbuf);
	else if (o != NULL)
		st->msisdn = (settle_msisdn_unpack(o->msisdn, st->msbuf),
		    st->msbuf);
	else
		st->msisdn = "";
}

/* g matched its reference's order: kept in the day as the group itself. */
static int
add_match(struct settle_engine *e, struct settle_day *d, struct egroup *g,
    int kind, const struct gstat *st)
{
	struct egroup **v;
	size_t ncap;
	int i;

	if (d->nmatches == d->capm) {
		ncap = d->capm ? d->capm * 2 : 256;
		if ((v = realloc(d->mgroups, ncap * sizeof(*v))) == NULL)
			return SETTLE_ENOMEM;
		d->mgroups = v;
		d->capm = ncap;
	}
	g->mkind = kind;
	d->mgroups[d->nmatches++] = g;
	if ((i = settle_config_op(e->cf, st->op, strlen(st->op))) >= 0) {
		d->ops[i].matched++;
		d->ops[i].matched_net += st->net;
	}
	return 0;
}

/* The ids of g's records joined with ';' into *buf.  0 or -1. */
static int
join_ids(const struct egroup *g, char **buf, size_t *cap)
{
	size_t i, len = 1, n;
	char *p;

	for (i = 0; i < g->n; i++)
		len += strlen(g->recs[i].id) + 1;
	if (len > *cap) {
		if ((p = realloc(*buf, len)) == NULL)
			return -1;
		*buf = p;
		*cap = len;
	}
	p = *buf;
	for (i = 0; i < g->n; i++) {
		if (i > 0)
			*p++ = ';';
		n = strlen(g->recs[i].id);
		memcpy(p, g->recs[i].id, n);
		p += n;
	}
	*p = '\0';
	return 0;
}

/* Charges less refunds (capped records: no overflow, see group_stat). */
static int64_t
group_net(const struct egroup *g)
{
	int64_t net = 0;
	size_t i;

	for (i = 0; i < g->n; i++)
		net += EREC_KIND(&g->recs[i]) == SK_CHARGE ? g->recs[i].amount :
		    -g->recs[i].amount;
	return net;
}

const struct settle_match *
settle_day_match(const struct settle_day *d, size_t i, struct settle_match *m,
    char **ids, size_t *idcap)
{
	const struct egroup *g;
	const struct eorder *o;

	if (d->mgroups == NULL) {
		*m = d->matches[i];
		return m;
	}
	g = d->mgroups[i];
	o = g->ref->order;
	memset(m, 0, sizeof(*m));
	m->order_ref = g->ref->ref;
	m->kind = o->kind;
	/* A matched group has records. */
	m->op = d->cf->ops[EREC_OP(&g->recs[0])].code;
	settle_msisdn_unpack(o->msisdn, m->msbuf);
	m->msisdn = m->msbuf;
	m->payable = eorder_payable(o);
	m->net = group_net(g);
	m->match = g->mkind;
	m->charge_ids = ids != NULL && join_ids(g, ids, idcap) == 0 ? *ids :
	    NULL;
	m->merchant = o->merchant;
	m->office = o->office;
	m->goods = eorder_goods(o);
	m->delivery = eorder_delivery(o);
	m->postage = eorder_postage(o);
	return m;
}

void
settle_day_prefetch(const struct settle_day *d, size_t i, int level)
{
	const struct egroup *g;

	if (d->mgroups == NULL || i >= d->nmatches)
		return;
	g = d->mgroups[i];
	switch (level) {
	case 0:
		__builtin_prefetch(g);
		break;
	case 1:
		__builtin_prefetch(g->ref);
		__builtin_prefetch(g->recs);
		break;
	default:
		__builtin_prefetch(g->ref->order);
		if (g->n > 0)
			__builtin_prefetch(g->recs[0].id);
		break;
	}
}

/* The SPEC's matching rule for an ordinary group with an order. */
static int
matchable(const struct egroup *g, const struct gstat *st)
{
	const struct eorder *o = group_order(g);
	uint64_t want;
	size_t i;

	if (o == NULL || o->status == SP_CANCELLED || g->n == 0 ||
	    st->net != eorder_payable(o) || !st->one_op)
		return 0;
	want = o->msisdn;
	for (i = 0; i < g->n; i++)
		if (EREC_MSISDN(&g->recs[i]) != want)
			return 0;
	return 1;
}

static int
match_pass(struct settle_engine *e, struct settle_day *d,
    struct egroup **all, size_t n)
{
	struct gstat st;
	size_t i;

	for (i = 0; i < n; i++) {
		group_sort(all[i]);
		group_stat(e, all[i], &st);
		if (!matchable(all[i], &st))
			continue;
		if (add_match(e, d, all[i], st.charges == 1 ?
		    SM_EXACT : SM_SPLIT, &st) < 0)
			return SETTLE_ENOMEM;
		all[i]->ref->matched = 1;
		group_end(e, all[i], 0);
	}
	return 0;
}

static int64_t
close_at(const struct settle_engine *e, const struct egroup *g)
{
	const struct eorder *o = group_order(g);
	int64_t w = (int64_t)e->cf->window_hours * 3600;

	return (o != NULL ? o->at : g->recs[0].at) + w;
}

static int
cmp_first(const void *a, const void *b)
{
	const struct egroup *x = *(struct egroup *const *)a;
	const struct egroup *y = *(struct egroup *const *)b;

	return cmp_rec(&x->recs[0], &y->recs[0]);
}

/*
 * Candidates (waiting references) sorted by (msisdn, payable), then group
 * number.
 */
static int
cmp_cand(const void *a, const void *b)
{
	const struct eref *x = *(struct eref *const *)a;
	const struct eref *y = *(struct eref *const *)b;
	/* Canonical numbers: in the order of their digits. */
	if (x->order->msisdn != y->order->msisdn)
		return x->order->msisdn < y->order->msisdn ? -1 : 1;
	if (eorder_payable(x->order) != eorder_payable(y->order))
		return eorder_payable(x->order) < eorder_payable(y->order) ?
		    -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* A waiting order a record may take: paid or pending. */
static int
is_candidate(const struct eref *r)
{
	return r->waiting && r->order != NULL &&
	    (r->order->status == SP_PAID || r->order->status == SP_PENDING);
}

/* The one untaken candidate for seeker s, or NULL; s->ncand counts them. */
static struct eref *
find_candidate(const struct settle_engine *e, struct eref **c, size_t nc,
    struct egroup *s, const struct gstat *st)
{
	int64_t from = s->recs[0].at - (int64_t)e->cf->window_hours * 3600;
	uint64_t ms = EREC_MSISDN(&s->recs[0]);	/* one MSISDN: st */
	struct eref *hit = NULL;
	size_t lo = 0, hi = nc, mid;
	const struct eorder *o;

	while (lo < hi) {	/* first candidate >= (msisdn, net) */
		mid = (lo + hi) / 2;
		o = c[mid]->order;
		if (o->msisdn < ms || (o->msisdn == ms &&
		    eorder_payable(o) < st->net))
			lo = mid + 1;
		else
			hi = mid;
	}
	s->ncand = 0;
	for (; lo < nc; lo++) {
		o = c[lo]->order;
		if (o->msisdn != ms || eorder_payable(o) != st->net)
			break;
		if (!c[lo]->waiting || o->at < from)
			continue;
		s->ncand++;
		hit = c[lo];
	}
	return s->ncand == 1 ? hit : NULL;
}

static int
fuzzy_pass(struct settle_engine *e, struct settle_day *d,
    struct egroup **closing, size_t n, struct eref **wait, size_t nw)
{
	struct egroup **seek;
	struct eref **cand, *hit;
	size_t i, ns = 0, nc = 0;
	struct gstat st;
	int rc = 0;

	seek = malloc((n + 1) * sizeof(*seek));
	cand = malloc((nw + 1) * sizeof(*cand));
	if (seek == NULL || cand == NULL) {
		free(seek);
		free(cand);
		return SETTLE_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		group_stat(e, closing[i], &st);
		if (group_order(closing[i]) == NULL && !closing[i]->reopened &&
		    st.charges > 0 && st.net != 0)
			seek[ns++] = closing[i];
	}
	for (i = 0; i < nw; i++)
		if (is_candidate(wait[i]))
			cand[nc++] = wait[i];
	qsort(seek, ns, sizeof(*seek), cmp_first);
	qsort(cand, nc, sizeof(*cand), cmp_cand);
	for (i = 0; i < ns && rc == 0; i++) {
		group_stat(e, seek[i], &st);
		if (!st.one_op || !st.one_msisdn)
			continue;
		if ((hit = find_candidate(e, cand, nc, seek[i], &st)) == NULL)
			continue;
		rc = add_match(e, d, seek[i], SM_FUZZY, &st);
		hit->matched = 1;
		wait_end(e, hit, 0);
		group_end(e, seek[i], 0);
		/* Ended, the group stands for its match: the order's. */
		seek[i]->ref = hit;
	}
	free(seek);
	free(cand);
	return rc;
}

/* "mixed operators BL/GP": the group's operators, sorted, once each. */
static void
mixed_ops(const struct settle_engine *e, const struct egroup *g, char *buf,
    size_t len)
{
	int seen[SETTLE_MAX_OPS] = { 0 }, k, w = 0, n = 0;
	size_t i;

	for (i = 0; i < g->n; i++)
		seen[EREC_OP(&g->recs[i])] = 1;
	buf[0] = '\0';
	/* The operators are in byte order of their codes. */
	for (k = 0; k < e->cf->nops && w >= 0 && (size_t)w < len; k++)
		if (seen[k])
			w += snprintf(buf + w, len - (size_t)w, "%s%s",
			    n++ ? "/" : "", e->cf->ops[k].code);
}

/* The first record's MSISDN that differs from the order's, into buf. */
static const char *
msisdn_other(const struct egroup *g, uint64_t w, char *buf)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (EREC_MSISDN(&g->recs[i]) != w)
			return settle_erec_msisdn(&g->recs[i], buf);
	return g->n > 0 ? settle_erec_msisdn(&g->recs[0], buf) : "";
}

/* No-order outcome detail, after the fuzzy pass. */
static char *
no_order_detail(const struct egroup *g)
{
	if (g->ncand > 1)
		return xprintf("ambiguous: %d candidate orders", g->ncand);
	if (g->ref == NULL)
		return xprintf("empty reference, no candidate order");
	return xprintf("no order with this reference");
}

/*
 * The classification table of SPEC §5, rows 1 to 11, for a group whose
 * window has closed.  Returns the dispute reason, or -1 for "closed", with
 * *amount and *detail set for a dispute.
 */
static int
classify(const struct settle_engine *e, const struct egroup *g,
    const struct gstat *st, int64_t *amount, char **detail)
{
	const struct eorder *o = group_order(g);
	char ops[128], ms[SETTLE_MSISDN_LEN + 1], oms[SETTLE_MSISDN_LEN + 1];

	*amount = st->net;
	if (st->refunds > 0 && st->charges == 0) {
		*detail = xprintf("refunds %lld, no successful charge",
		    (long long)-st->net);
		return SD_REFUND_NO_CHARGE;
	}
	if (g->reopened) {
		if (st->net == 0)
			return -1;
		*detail = xprintf("already matched; later records net %lld",
		    (long long)st->net);
		return SD_AMOUNT_MISMATCH;
	}
	if (o == NULL) {
		if (st->net == 0)
			return -1;
		*detail = no_order_detail(g);
		return SD_CHARGE_NO_ORDER;
	}
	if (o->status == SP_CANCELLED) {
		if (st->net == 0)
			return -1;
		*detail = xprintf("order cancelled, net %lld",
		    (long long)st->net);
		return SD_CANCELLED_CHARGED;
	}
	if (st->net == 0) {
		if (o->status == SP_PENDING)
			return -1;
		*amount = eorder_payable(o);
		*detail = xprintf("order paid, payable %lld, net 0",
		    (long long)eorder_payable(o));
		return SD_ORDER_NO_CHARGE;
	}
	*amount = st->net - eorder_payable(o);
	if (!st->one_op) {
		mixed_ops(e, g, ops, sizeof(ops));
		*detail = xprintf("mixed operators %s; payable %lld net %lld",
		    ops, (long long)eorder_payable(o), (long long)st->net);
		return SD_AMOUNT_MISMATCH;
	}
	if (st->net == eorder_payable(o)) {
		*amount = st->net;
		settle_msisdn_unpack(o->msisdn, oms);
		*detail = xprintf("order msisdn %s, charged %s", oms,
		    msisdn_other(g, o->msisdn, ms));
		return SD_MSISDN_MISMATCH;
	}
	*detail = xprintf("payable %lld net %lld", (long long)eorder_payable(o),
	    (long long)st->net);
	return SD_AMOUNT_MISMATCH;
}

/* The group of no records that stands for a waiting reference. */
#define STAND_IN UINT32_MAX

static void
end_any(struct settle_engine *e, struct egroup *g, int done)
{
	if (g->pos == STAND_IN)
		wait_end(e, g->ref, done);
	else
		group_end(e, g, done);
}

static int
raise_dispute(struct settle_engine *e, struct settle_day *d,
    struct egroup *g)
{
	struct settle_dispute *x;
	struct gstat st;
	int64_t amount;
	char *detail = NULL;
	size_t idcap;
	int reason;

	group_stat(e, g, &st);
	reason = classify(e, g, &st, &amount, &detail);
	if (reason < 0) {
		end_any(e, g, 1);
		return 0;
	}
	if (detail == NULL || (x = dispute_new(d)) == NULL) {
		free(detail);
		return SETTLE_ENOMEM;
	}
	snprintf(x->op, sizeof(x->op), "%s", st.op);
	x->reason = reason;
	x->order_ref = strdup(g->ref != NULL ? g->ref->ref : "");
	idcap = 0;
	x->charge_ids = NULL;
	if (join_ids(g, &x->charge_ids, &idcap) < 0)
		x->charge_ids = NULL;
	memcpy(x->msisdn, st.msisdn, strlen(st.msisdn) + 1);
	x->amount = amount;
	x->detail = detail;
	count_dispute(e, d, x);
	end_any(e, g, 1);
	return x->order_ref == NULL || x->charge_ids == NULL ? SETTLE_ENOMEM :
	    0;
}

/* A waiting reference whose window has closed, as an order-only group. */
static int
close_waiting(struct settle_engine *e, struct settle_day *d, struct eref *r)
{
	struct egroup g;

	memset(&g, 0, sizeof(g));
	g.ref = r;
	g.pos = STAND_IN;
	g.sorted = 1;
	return raise_dispute(e, d, &g);
}

/* Drop ended references whose last activity left the dedup window. */
static void
expire_refs(struct settle_engine *e)
{
	int64_t keep = e->date - e->cf->dedup_days;
	struct strmap_slot *s;
	struct eref *r;
	size_t i = 0;

	while ((s = strmap_next(&e->refs, &i)) != NULL) {
		r = s->val;
		if (r->group != NULL || r->waiting || r->last >= keep)
			continue;
		strmap_del(&e->refs, r->ref, r->len);
	}
}

static void
pending_stats(const struct settle_engine *e, struct settle_day *d,
    struct eref **wait, size_t nw)
{
	struct gstat st;
	size_t i;
	int k;

	for (i = 0; i < e->npending; i++) {
		group_stat(e, e->pending[i], &st);
		if ((k = settle_config_op(e->cf, st.op, strlen(st.op))) < 0)
			continue;
		d->ops[k].pending++;
		d->ops[k].pending_net += st.net;
	}
	/* A waiting order is a pending group of net 0. */
	for (i = 0; i < nw; i++) {
		if (wait[i]->waiting)
			d->ops[wait[i]->order->op].pending++;
	}
}

struct eref **
settle_engine_waiting(const struct settle_engine *e, size_t *n)
{
	struct strmap_slot *s;
	struct eref **v, *r;
	size_t i = 0;

	*n = 0;
	if ((v = malloc((e->nwaiting + 1) * sizeof(*v))) == NULL)
		return NULL;
	while ((s = strmap_next(&e->refs, &i)) != NULL) {
		r = s->val;
		if (r->waiting && *n < e->nwaiting)
			v[(*n)++] = r;
	}
	return v;
}

int
settle_engine_close(struct settle_engine *e, struct settle_day *d)
{
	int64_t end = settle_date_start(e->date + 1);
	int64_t w = (int64_t)e->cf->window_hours * 3600;
	struct egroup **all;
	struct eref **wait;
	size_t i, n = e->npending, nc = 0, nw;
	int rc;

	d->cf = e->cf;
	all = malloc((n + 1) * sizeof(*all));
	wait = settle_engine_waiting(e, &nw);
	if (all == NULL || wait == NULL) {
		free(all);
		free(wait);
		return SETTLE_ENOMEM;
	}
	if (n > 0)
		memcpy(all, e->pending, n * sizeof(*all));
	rc = match_pass(e, d, all, n);
	for (i = 0; i < n && rc == 0; i++)
		if (!all[i]->ended && close_at(e, all[i]) <= end)
			all[nc++] = all[i];
	if (rc == 0)
		rc = fuzzy_pass(e, d, all, nc, wait, nw);
	for (i = 0; i < nc && rc == 0; i++)
		if (!all[i]->ended)
			rc = raise_dispute(e, d, all[i]);
	/* Orders with no record whose window has closed. */
	for (i = 0; i < nw && rc == 0; i++)
		if (wait[i]->waiting && wait[i]->order->at + w <= end)
			rc = close_waiting(e, d, wait[i]);
	free(all);
	if (rc == 0) {
		pending_stats(e, d, wait, nw);
		expire_refs(e);
	}
	free(wait);
	return rc;
}
