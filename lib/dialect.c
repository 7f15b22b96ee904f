/*
 * Schema loading: YAML (settle-schema(5)) to struct settle_dialect, with a
 * clear error for every missing or wrong key.
 */
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "timefmt.h"
#include "yamltree.h"

static const char *const field_keys[SF_COUNT] = {
	"charge_id", "msisdn", "amount", "charged_at", "order_ref", "kind",
	"status"
};

struct ctx {
	const char *path;
	struct settle_err *err;
};

static int
bad(struct ctx *c, const struct yt_node *n, const char *key, const char *msg)
{
	return settle_err_set(c->err, SETTLE_ECONFIG, c->path,
	    n != NULL ? n->line : 0, key, "%s", msg);
}

static int
get_str(struct ctx *c, const struct yt_node *map, const char *key, char *out,
    size_t len, int required)
{
	const struct yt_node *n = yt_get(map, key);
	const char *s = yt_str(n);

	if (n == NULL && !required)
		return 0;
	if (s == NULL)
		return bad(c, n != NULL ? n : map, key, n == NULL ?
		    "missing key" : "expected a string");
	if (strlen(s) >= len)
		return bad(c, n, key, "value too long");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int
get_int(struct ctx *c, const struct yt_node *map, const char *key, int *out)
{
	const struct yt_node *n = yt_get(map, key);
	long long v;

	if (n == NULL)
		return bad(c, map, key, "missing key");
	if (yt_int(n, &v) < 0 || v > 1000)
		return bad(c, n, key, "expected a small whole number");
	*out = (int)v;
	return 0;
}

static int
get_valset(struct ctx *c, const struct yt_node *map, const char *key,
    struct settle_valset *s)
{
	const struct yt_node *n = yt_get(map, key);
	size_t i;

	memset(s, 0, sizeof(*s));
	if (n == NULL)
		return bad(c, map, key, "missing key");
	if (n->kind == YT_SCALAR && strcmp(n->value, "*") == 0) {
		s->any = 1;
		return 0;
	}
	if (n->kind != YT_SEQ || n->n == 0 || n->n > SD_MAXVAL)
		return bad(c, n, key, "expected a list of values or \"*\"");
	for (i = 0; i < n->n; i++) {
		if (yt_str(n->items[i]) == NULL ||
		    strlen(n->items[i]->value) >= SD_VALLEN ||
		    n->items[i]->value[0] == '\0')
			return bad(c, n->items[i], key, "bad value");
		snprintf(s->v[s->n++], SD_VALLEN, "%s", n->items[i]->value);
	}
	return 0;
}

/* Split the header line into column names. */
static int
split_header(struct ctx *c, struct settle_dialect *d, const struct yt_node *n)
{
	const char *p = d->header, *q;
	size_t len;

	d->nfields = 0;
	for (;;) {
		q = strchr(p, d->delim);
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		if (d->nfields >= SD_MAXCOLS || len >= sizeof(d->colname[0]))
			return bad(c, n, "header", "too many or too long columns");
		memcpy(d->colname[d->nfields], p, len);
		d->colname[d->nfields++][len] = '\0';
		if (q == NULL)
			return 0;
		p = q + 1;
	}
}

/* A column given by header name (header layout) or 0-based index. */
static int
resolve_col(struct ctx *c, const struct settle_dialect *d,
    const struct yt_node *n, const char *key, int *out)
{
	long long v;
	int i;

	if (yt_int(n, &v) == 0) {
		if (v >= d->nfields)
			return bad(c, n, key, "column index out of range");
		*out = (int)v;
		return 0;
	}
	if (yt_str(n) != NULL && d->layout == SL_HEADER)
		for (i = 0; i < d->nfields; i++)
			if (strcmp(d->colname[i], n->value) == 0) {
				*out = i;
				return 0;
			}
	return bad(c, n, key, "not a column of the header");
}

static int
load_columns(struct ctx *c, struct settle_dialect *d, const struct yt_node *r)
{
	const struct yt_node *cols = yt_get(r, "columns"), *n;
	int i;

	if (cols == NULL || cols->kind != YT_MAP)
		return bad(c, cols != NULL ? cols : r, "columns",
		    "expected a mapping of canonical fields to columns");
	d->time_col2 = -1;
	for (i = 0; i < SF_COUNT; i++) {
		n = yt_get(cols, field_keys[i]);
		if (n == NULL)
			return bad(c, cols, field_keys[i], "missing column");
		if (i == SF_TIME && n->kind == YT_SEQ) {
			if (n->n != 2)
				return bad(c, n, field_keys[i],
				    "expected one column or two (date, time)");
			if (resolve_col(c, d, n->items[0], field_keys[i],
			    &d->col[i]) < 0 || resolve_col(c, d, n->items[1],
			    field_keys[i], &d->time_col2) < 0)
				return SETTLE_ECONFIG;
			continue;
		}
		if (resolve_col(c, d, n, field_keys[i], &d->col[i]) < 0)
			return SETTLE_ECONFIG;
	}
	return 0;
}

static int
get_unit(struct ctx *c, const struct yt_node *map, const char *key, int *out)
{
	char s[16];

	if (get_str(c, map, key, s, sizeof(s), 1) < 0)
		return SETTLE_ECONFIG;
	if (strcmp(s, "taka") == 0)
		*out = SU_TAKA;
	else if (strcmp(s, "poisha") == 0)
		*out = SU_POISHA;
	else
		return bad(c, yt_get(map, key), key,
		    "expected 'taka' or 'poisha'");
	return 0;
}

static int
load_format(struct ctx *c, struct settle_dialect *d, const struct yt_node *r)
{
	char s[64], delim[8] = "";

	if (get_str(c, r, "compression", s, sizeof(s), 1) < 0)
		return SETTLE_ECONFIG;
	if (strcmp(s, "gzip") != 0 && strcmp(s, "none") != 0)
		return bad(c, yt_get(r, "compression"), "compression",
		    "expected 'gzip' or 'none'");
	d->gzip = strcmp(s, "gzip") == 0;
	if (get_str(c, r, "delimiter", delim, sizeof(delim), 1) < 0)
		return SETTLE_ECONFIG;
	if (strlen(delim) != 1 || delim[0] == '"' || delim[0] == '\n' ||
	    delim[0] == '\r')
		return bad(c, yt_get(r, "delimiter"), "delimiter",
		    "expected one character");
	d->delim = delim[0];
	snprintf(s, sizeof(s), "none");
	if (get_str(c, r, "quoting", s, sizeof(s), 0) < 0)
		return SETTLE_ECONFIG;
	if (strcmp(s, "rfc4180") != 0 && strcmp(s, "none") != 0)
		return bad(c, yt_get(r, "quoting"), "quoting",
		    "expected 'rfc4180' or 'none'");
	d->quoting = strcmp(s, "rfc4180") == 0;
	if (get_unit(c, r, "amount_unit", &d->amount_unit) < 0 ||
	    get_str(c, r, "time_format", s, sizeof(s), 1) < 0)
		return SETTLE_ECONFIG;
	if (strcmp(s, "iso8601") == 0) {
		d->timefmt = ST_ISO;
	} else if (strcmp(s, "epoch_ms") == 0) {
		d->timefmt = ST_EPOCH_MS;
	} else if (strchr(s, '%') != NULL) {
		d->timefmt = ST_LOCAL;
		snprintf(d->time_pattern, sizeof(d->time_pattern), "%s", s);
	} else {
		return bad(c, yt_get(r, "time_format"), "time_format",
		    "expected iso8601, epoch_ms or a %Y%m%d%H%M%S pattern");
	}
	return 0;
}

static int
load_layout(struct ctx *c, struct settle_dialect *d, const struct yt_node *r)
{
	const struct yt_node *h;
	char s[16];
	size_t i;

	if (get_str(c, r, "layout", s, sizeof(s), 1) < 0)
		return SETTLE_ECONFIG;
	if (strcmp(s, "header") == 0) {
		d->layout = SL_HEADER;
		if (get_str(c, r, "header", d->header, sizeof(d->header), 1)
		    < 0)
			return SETTLE_ECONFIG;
		return split_header(c, d, yt_get(r, "header"));
	}
	if (strcmp(s, "records") != 0)
		return bad(c, yt_get(r, "layout"), "layout",
		    "expected 'header' or 'records'");
	d->layout = SL_RECORDS;
	if (get_int(c, r, "fields", &d->nfields) < 0 ||
	    get_str(c, r, "detail_tag", d->detail_tag, sizeof(d->detail_tag),
	    1) < 0)
		return SETTLE_ECONFIG;
	if (d->nfields < 2 || d->nfields > SD_MAXCOLS)
		return bad(c, yt_get(r, "fields"), "fields", "out of range");
	for (i = 0; i < (size_t)d->nfields; i++)
		snprintf(d->colname[i], sizeof(d->colname[i]), "field %zu", i);
	h = yt_get(r, "header_record");
	if (h == NULL || get_str(c, h, "tag", d->hdr_tag, sizeof(d->hdr_tag),
	    1) < 0)
		return h == NULL ? bad(c, r, "header_record", "missing key") :
		    SETTLE_ECONFIG;
	h = yt_get(h, "fields");
	if (h == NULL || h->kind != YT_SEQ || h->n < 1 || h->n > 8)
		return bad(c, h, "header_record", "expected 'fields': a list");
	for (i = 0; i < h->n; i++) {
		if (yt_str(h->items[i]) == NULL ||
		    strlen(h->items[i]->value) >= sizeof(d->hdr_fields[0]))
			return bad(c, h->items[i], "header_record", "bad field");
		snprintf(d->hdr_fields[i], sizeof(d->hdr_fields[i]), "%s",
		    h->items[i]->value);
	}
	d->hdr_nfields = (int)h->n;
	return 0;
}

static int
load_trailer(struct ctx *c, struct settle_dialect *d, const struct yt_node *r)
{
	const struct yt_node *t = yt_get(r, "trailer");

	if (t == NULL || t->kind != YT_MAP)
		return bad(c, t != NULL ? t : r, "trailer",
		    "expected a mapping");
	if (get_str(c, t, "tag", d->trl_tag, sizeof(d->trl_tag), 1) < 0 ||
	    get_int(c, t, "fields", &d->trl_nfields) < 0 ||
	    get_int(c, t, "count", &d->trl_count) < 0 ||
	    get_int(c, t, "sum", &d->trl_sum) < 0 ||
	    get_unit(c, t, "sum_unit", &d->trl_unit) < 0)
		return SETTLE_ECONFIG;
	if (d->trl_count >= d->trl_nfields || d->trl_sum >= d->trl_nfields ||
	    d->trl_count == 0 || d->trl_sum == 0)
		return bad(c, t, "trailer", "count or sum field out of range");
	return 0;
}

static int
load_values(struct ctx *c, struct settle_dialect *d, const struct yt_node *r)
{
	const struct yt_node *k = yt_get(r, "kind"), *s = yt_get(r, "status");
	const struct yt_node *p = yt_get(r, "prefixes");
	size_t i;

	if (k == NULL || s == NULL)
		return bad(c, r, k == NULL ? "kind" : "status", "missing key");
	if (get_valset(c, k, "CHARGE", &d->charge) < 0 ||
	    get_valset(c, k, "REFUND", &d->refund) < 0 ||
	    get_valset(c, s, "SUCCESS", &d->success) < 0 ||
	    get_valset(c, s, "FAILED", &d->failed) < 0)
		return SETTLE_ECONFIG;
	if (d->charge.any || d->refund.any || d->success.any)
		return bad(c, k, "kind", "only FAILED may be \"*\"");
	if (p == NULL)
		return 0;
	if (p->kind != YT_SEQ || p->n > 8)
		return bad(c, p, "prefixes", "expected a list of prefixes");
	for (i = 0; i < p->n; i++) {
		if (yt_str(p->items[i]) == NULL ||
		    strlen(p->items[i]->value) != 3)
			return bad(c, p->items[i], "prefixes",
			    "expected a national prefix like \"017\"");
		snprintf(d->prefixes[d->nprefixes++], sizeof(d->prefixes[0]),
		    "%s", p->items[i]->value);
	}
	return 0;
}

int
settle_dialect_load(struct settle_dialect *d, const char *path,
    struct settle_err *err)
{
	struct ctx c = { path, err };
	struct yt_node *r;
	int rc;

	memset(d, 0, sizeof(*d));
	r = yt_load(path, err);
	if (r == NULL)
		return err->code;
	rc = get_str(&c, r, "operator", d->op, sizeof(d->op), 1);
	if (rc == 0)
		rc = get_str(&c, r, "file", d->file, sizeof(d->file), 0);
	if (rc == 0)
		rc = load_format(&c, d, r);
	if (rc == 0)
		rc = load_layout(&c, d, r);
	if (rc == 0)
		rc = load_columns(&c, d, r);
	if (rc == 0)
		rc = load_trailer(&c, d, r);
	if (rc == 0)
		rc = load_values(&c, d, r);
	if (rc == 0 && d->timefmt == ST_LOCAL) {
		if (d->time_col2 >= 0 && strchr(d->time_pattern, ' ') == NULL)
			rc = bad(&c, r, "time_format", "two time columns need "
			    "a pattern with a space between date and time");
	}
	yt_free(r);
	return rc;
}

int
settle_valset_has(const struct settle_valset *s, const char *v, size_t len)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && memcmp(s->v[i], v, len) == 0)
			return 1;
	return 0;
}

int
settle_dialect_owns_prefix(const struct settle_dialect *d, const char *pfx)
{
	int i;

	for (i = 0; i < d->nprefixes; i++)
		if (strcmp(d->prefixes[i], pfx) == 0)
			return 1;
	return 0;
}

static const char *const styles[] = { "YYYYMMDD", "YYYY-MM-DD", "DDMMYYYY" };

/* Find the placeholder in pattern: its offset and style index, or -1. */
static int
find_placeholder(const char *pattern, size_t *off, size_t *plen)
{
	const char *b;
	size_t i;
	char tok[16];

	for (b = strchr(pattern, '{'); b != NULL; b = strchr(b + 1, '{'))
		for (i = 0; i < 3; i++) {
			snprintf(tok, sizeof(tok), "{%s}", styles[i]);
			if (strncmp(b, tok, strlen(tok)) == 0) {
				*off = (size_t)(b - pattern);
				*plen = strlen(tok);
				return (int)i;
			}
		}
	return -1;
}

int
settle_pattern_expand(const char *pattern, int64_t date, char *out,
    size_t len)
{
	size_t off, plen;
	char d[16];
	int st = find_placeholder(pattern, &off, &plen);
	int n;

	if (st < 0) {
		n = snprintf(out, len, "%s", pattern);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	settle_date_fmt_style(date, styles[st], d);
	n = snprintf(out, len, "%.*s%s%s", (int)off, pattern, d,
	    pattern + off + plen);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
settle_pattern_match(const char *pattern, const char *name, int64_t *date)
{
	size_t off, plen, dlen, i;
	int64_t days;
	char d[16], iso[11];
	int st = find_placeholder(pattern, &off, &plen);

	if (st < 0)
		return -1;
	dlen = strlen(styles[st]);
	if (strlen(name) != strlen(pattern) - plen + dlen ||
	    strncmp(name, pattern, off) != 0 ||
	    strcmp(name + off + dlen, pattern + off + plen) != 0)
		return -1;
	memcpy(d, name + off, dlen);
	d[dlen] = '\0';
	for (i = 0; i < dlen; i++)
		if ((d[i] < '0' || d[i] > '9') && styles[st][i] != '-')
			return -1;
	if (st == 0)
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	else if (st == 2)
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d + 4, d + 2, d);
	else
		snprintf(iso, sizeof(iso), "%.10s", d);
	if (settle_date_parse(iso, &days) < 0)
		return -1;
	*date = days;
	return 0;
}
