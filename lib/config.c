/*
 * Configuration loading and checking.  Every missing or wrong key is an
 * error naming the file, its line and the key: a nightly job must not run
 * on a guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "timefmt.h"
#include "yamltree.h"

struct cctx {
	const char *path;
	char dir[SETTLE_PATH];
	struct settle_err *err;
};

static int
cbad(struct cctx *c, const struct yt_node *n, const char *key,
    const char *msg)
{
	return settle_err_set(c->err, SETTLE_ECONFIG, c->path, n != NULL ?
	    n->line : 0, key, "%s", msg);
}

/* A path key, made relative to the configuration's folder. */
static int
get_path(struct cctx *c, const struct yt_node *map, const char *key,
    char *out)
{
	const struct yt_node *n = yt_get(map, key);
	const char *s = yt_str(n);
	int w;

	if (s == NULL || *s == '\0')
		return cbad(c, n != NULL ? n : map, key, n == NULL ?
		    "missing key" : "expected a path");
	w = s[0] == '/' ? snprintf(out, SETTLE_PATH, "%s", s) :
	    snprintf(out, SETTLE_PATH, "%s/%s", c->dir, s);
	if (w < 0 || w >= SETTLE_PATH)
		return cbad(c, n, key, "path too long");
	return 0;
}

static int
get_num(struct cctx *c, const struct yt_node *map, const char *key,
    long long lo, long long hi, long long *out)
{
	const struct yt_node *n = yt_get(map, key);

	if (n == NULL)
		return cbad(c, map, key, "missing key");
	if (yt_int(n, out) < 0 || *out < lo || *out > hi)
		return settle_err_set(c->err, SETTLE_ECONFIG, c->path, n->line,
		    key, "expected a whole number from %lld to %lld", lo, hi);
	return 0;
}

/* A file name pattern holding one date placeholder. */
static int
get_pattern(struct cctx *c, const struct yt_node *map, const char *key,
    char *out, size_t len)
{
	const struct yt_node *n = yt_get(map, key);
	const char *s = yt_str(n);
	int64_t d;
	char name[256];

	if (s == NULL || *s == '\0' || strlen(s) >= len || strchr(s, '/'))
		return cbad(c, n != NULL ? n : map, key, n == NULL ?
		    "missing key" : "expected a file name pattern");
	if (settle_pattern_expand(s, 20000, name, sizeof(name)) < 0 ||
	    settle_pattern_match(s, name, &d) < 0 || d != 20000)
		return cbad(c, n, key, "the pattern needs one of {YYYYMMDD}, "
		    "{YYYY-MM-DD} or {DDMMYYYY}");
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/* An optional whole number with a default. */
static int
get_num_or(struct cctx *c, const struct yt_node *map, const char *key,
    long long lo, long long hi, long long dflt, long long *out)
{
	if (yt_get(map, key) == NULL) {
		*out = dflt;
		return 0;
	}
	return get_num(c, map, key, lo, hi, out);
}

static int
load_tiers(struct cctx *c, struct settle_opconf *op, const struct yt_node *t)
{
	long long v;
	size_t i;

	if (t == NULL || t->kind != YT_SEQ || t->n == 0 ||
	    t->n > SETTLE_MAX_TIERS)
		return cbad(c, t, "share_tiers", "expected a list of 1 to 8 "
		    "tiers");
	for (i = 0; i < t->n; i++) {
		struct settle_tier *tr = &op->tiers[i];

		if (get_num(c, t->items[i], "bps", 0, 10000, &v) < 0)
			return SETTLE_ECONFIG;
		tr->bps = (int)v;
		tr->upto = -1;
		if (yt_get(t->items[i], "upto_poisha") != NULL) {
			if (get_num(c, t->items[i], "upto_poisha", 1,
			    INT64_MAX / 20000, &v) < 0)
				return SETTLE_ECONFIG;
			tr->upto = v;
		}
		if ((tr->upto < 0) != (i == t->n - 1))
			return cbad(c, t->items[i], "upto_poisha", "every tier "
			    "but the last needs upto_poisha, the last none");
		if (i > 0 && tr->upto >= 0 && tr->upto <= op->tiers[i - 1].upto)
			return cbad(c, t->items[i], "upto_poisha",
			    "tiers must rise");
	}
	op->ntiers = (int)t->n;
	return 0;
}

static int
load_op(struct cctx *c, struct settle_opconf *op, const char *code,
    const struct yt_node *n)
{
	if (n->kind != YT_MAP || strlen(code) >= sizeof(op->code) ||
	    *code == '\0')
		return cbad(c, n, code, "expected an operator mapping");
	snprintf(op->code, sizeof(op->code), "%s", code);
	if (get_path(c, n, "schema", op->schema) < 0 ||
	    get_pattern(c, n, "file", op->pattern, sizeof(op->pattern)) < 0 ||
	    load_tiers(c, op, yt_get(n, "share_tiers")) < 0)
		return SETTLE_ECONFIG;
	if (settle_dialect_load(&op->dialect, op->schema, c->err) < 0) {
		c->err->code = SETTLE_ECONFIG;
		return SETTLE_ECONFIG;
	}
	if (strcmp(op->dialect.op, op->code) != 0)
		return settle_err_set(c->err, SETTLE_ECONFIG, c->path, n->line,
		    code, "schema %s is for operator '%s'", op->schema,
		    op->dialect.op);
	return 0;
}

static int
cmp_ops(const void *a, const void *b)
{
	return strcmp(((const struct settle_opconf *)a)->code,
	    ((const struct settle_opconf *)b)->code);
}

static int
load_ops(struct cctx *c, struct settle_config *cf, const struct yt_node *r)
{
	const struct yt_node *ops = yt_get(r, "operators");
	size_t i;

	if (ops == NULL || ops->kind != YT_MAP || ops->n == 0 ||
	    ops->n > SETTLE_MAX_OPS)
		return cbad(c, ops != NULL ? ops : r, "operators",
		    "expected a mapping of 1 to 8 operators");
	for (i = 0; i < ops->n; i++)
		if (load_op(c, &cf->ops[i], ops->keys[i], ops->items[i]) < 0)
			return SETTLE_ECONFIG;
	cf->nops = (int)ops->n;
	qsort(cf->ops, (size_t)cf->nops, sizeof(cf->ops[0]), cmp_ops);
	return 0;
}

static int
load_root(struct cctx *c, struct settle_config *cf, const struct yt_node *r)
{
	const struct yt_node *o = yt_get(r, "orders");
	long long v;

	if (get_path(c, r, "inbox", cf->inbox) < 0 ||
	    get_path(c, r, "outbox", cf->outbox) < 0 ||
	    get_path(c, r, "state", cf->state) < 0 ||
	    get_path(c, r, "signing_key", cf->signing_key) < 0)
		return SETTLE_ECONFIG;
	if (yt_get(r, "signing_key_passphrase_file") != NULL &&
	    get_path(c, r, "signing_key_passphrase_file",
	    cf->passphrase_file) < 0)
		return SETTLE_ECONFIG;
	if (get_num_or(c, r, "window_hours", 1, 24 * 366, 72, &v) < 0)
		return SETTLE_ECONFIG;
	cf->window_hours = (int)v;
	if (get_num_or(c, r, "dedup_days", 0, 3660, 80, &v) < 0)
		return SETTLE_ECONFIG;
	cf->dedup_days = (int)v;
	if (get_num_or(c, r, "per_charge_cap_poisha", 1, INT64_C(10000000000),
	    50000, &v) < 0)
		return SETTLE_ECONFIG;
	cf->cap = v;
	if (get_num(c, r, "dcb_fee_bps", 0, 10000, &v) < 0)
		return SETTLE_ECONFIG;
	cf->dcb_fee_bps = (int)v;
	if (o == NULL || o->kind != YT_MAP)
		return cbad(c, o != NULL ? o : r, "orders", "expected a "
		    "mapping with bpo and ecab file patterns");
	if (get_pattern(c, o, "bpo", cf->bpo_pattern,
	    sizeof(cf->bpo_pattern)) < 0 || get_pattern(c, o, "ecab",
	    cf->ecab_pattern, sizeof(cf->ecab_pattern)) < 0)
		return SETTLE_ECONFIG;
	return load_ops(c, cf, r);
}

int
settle_config_load(struct settle_config *cf, const char *path,
    struct settle_err *err)
{
	struct cctx c;
	struct yt_node *r;
	const char *slash;
	int rc;

	memset(cf, 0, sizeof(*cf));
	memset(&c, 0, sizeof(c));
	c.path = path;
	c.err = err;
	snprintf(cf->path, sizeof(cf->path), "%s", path);
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(c.dir, sizeof(c.dir), ".");
	else
		snprintf(c.dir, sizeof(c.dir), "%.*s", (int)(slash - path) ?
		    (int)(slash - path) : 1, path);
	r = yt_load(path, err);
	if (r == NULL)
		return err->code;
	rc = load_root(&c, cf, r);
	yt_free(r);
	return rc;
}

int
settle_config_op(const struct settle_config *c, const char *code, size_t len)
{
	int i;

	for (i = 0; i < c->nops; i++)
		if (strlen(c->ops[i].code) == len &&
		    memcmp(c->ops[i].code, code, len) == 0)
			return i;
	return -1;
}
