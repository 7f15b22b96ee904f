#define _GNU_SOURCE	/* renameat2's RENAME_EXCHANGE, Linux */

/*
 * The nightly run: lock, check the date against the state, read the day's
 * files, match, share, render, bundle, publish the outbox atomically, and
 * only then move the state on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/fs.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bigmem.h"
#include "bundle.h"
#include "canon.h"
#include "config.h"
#include "engine.h"
#include "fsutil.h"
#include "msisdn.h"
#include "report.h"
#include "run.h"
#include "share.h"
#include "state.h"
#include "timefmt.h"

/* Snapshots of the state kept for --force, counting back from the last. */
#define KEEP_SNAPSHOTS 9

/* Memory for each operator's canonical rows before they spill to disk. */
#define ROWS_BUDGET (2 * 1024 * 1024)

struct run {
	const struct settle_run_opts *o;
	struct settle_config cf;
	struct settle_engine e;
	struct settle_day day;
	struct settle_totals tot;
	struct settle_rows charges[SETTLE_MAX_OPS];	/* per operator */
	struct settle_rows rejects;
	pthread_mutex_t mu;		/* guards rejects and scratch */
	struct settle_opinput ops[SETTLE_MAX_OPS];
	struct settle_out scratch;
	EVP_PKEY *key;
	const char *tmpdir;		/* the outbox folder being written */
	char tmppath[SETTLE_PATH + 64];	/* its path */
	struct statejob *state;		/* the snapshot being written */
	struct job *rows;		/* charges.csv, rejects.csv */
	struct settle_opfile opm[SETTLE_MAX_OPS]; /* matches.csv per operator */
	struct settle_idsink ids[SETTLE_MAX_OPS]; /* the day's accepted ids */
	int lockfd;
	struct settle_err *err;
};

static void
progress(struct run *r, const char *fmt, const char *arg)
{
	char msg[600];

	if (r->o->progress == NULL)
		return;
	snprintf(msg, sizeof(msg), fmt, arg);
	r->o->progress(r->o->ctx, msg);
}

static int
mkdirs(const char *path)
{
	char buf[SETTLE_PATH];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int
lock_state(struct run *r)
{
	char path[SETTLE_PATH + 16];

	if (mkdirs(r->cf.state) < 0)
		return settle_err_set(r->err, SETTLE_ECREATE, r->cf.state, 0,
		    NULL, "cannot create the state folder: %s",
		    strerror(errno));
	snprintf(path, sizeof(path), "%s/LOCK", r->cf.state);
	r->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (r->lockfd < 0)
		return settle_err_set(r->err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot open the lock: %s", strerror(errno));
	if (flock(r->lockfd, LOCK_EX | LOCK_NB) < 0)
		return settle_err_set(r->err, errno == EWOULDBLOCK ?
		    SETTLE_ELOCK : SETTLE_EIO, path, 0, NULL,
		    "another run holds the lock on this state");
	return 0;
}

/* Read a date from state/NAME; 0, 1 when absent, or < 0. */
static int
read_mark(struct run *r, const char *name, int64_t *date)
{
	char path[SETTLE_PATH + 16], buf[32];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", r->cf.state, name);
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 1 : settle_err_set(r->err, SETTLE_EIO,
		    path, 0, NULL, "cannot read: %s", strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (settle_date_parse(buf, date) < 0)
		return settle_err_set(r->err, SETTLE_EDATA, path, 1, NULL,
		    "not a date: '%s'", buf);
	return 0;
}

static int
write_mark(struct run *r, const char *name, int64_t date)
{
	char path[SETTLE_PATH + 16], d[16];
	struct settle_atomic a;

	snprintf(path, sizeof(path), "%s/%s", r->cf.state, name);
	if (settle_atomic_open(&a, path, r->err) < 0)
		return r->err->code;
	settle_date_fmt(date, d);
	fprintf(a.f, "%s\n", d);
	return settle_atomic_commit(&a, r->err);
}

static void
snapshot_path(const struct run *r, int64_t date, char *buf, size_t len)
{
	char d[16];

	settle_date_fmt(date, d);
	snprintf(buf, len, "%s/state-%s.txt", r->cf.state, d);
}

static void
ids_path(const struct run *r, int64_t date, char *buf, size_t len)
{
	char d[16];

	settle_date_fmt(date, d);
	snprintf(buf, len, "%s/ids-%s.txt", r->cf.state, d);
}

/*
 * The charge ids of the dedup window before the date: the id files of the
 * runs from the window's first date to the day before, each id of a
 * business date in the window.  No id file is looked for before the
 * state's first date, nor before IDS_FIRST, the first one pruning kept
 * (a dedup_days made longer since cannot bring back what was pruned).
 */
static int
load_ids(struct run *r, int64_t first)
{
	int64_t from = r->o->date - r->cf.dedup_days, x, kept;
	char path[SETTLE_PATH + 32];
	int rc;

	if ((rc = read_mark(r, "IDS_FIRST", &kept)) < 0)
		return rc;
	if (rc == 0 && kept > first)
		first = kept;
	for (x = from > first ? from : first; x < r->o->date; x++) {
		ids_path(r, x, path, sizeof(path));
		if (access(path, F_OK) < 0)
			return settle_err_set(r->err, SETTLE_EDATA, path, 0,
			    NULL, "state damaged: the id file of a date in the "
			    "dedup window is missing");
		if ((rc = settle_ids_read(&r->e, path, x, from, r->err)) < 0)
			return rc;
	}
	return 0;
}

static int reserve_refs(struct run *r, const char *snapshot);

/*
 * Decide what the run starts from: 1 when the date is done already (a
 * no-op), 0 with the engine loaded from the state before the date.
 */
static int
load_base(struct run *r)
{
	int64_t last, first = -1, d = r->o->date;
	char path[SETTLE_PATH + 32], ds[16], ls[16];
	int rc;

	if ((rc = read_mark(r, "LAST", &last)) < 0)
		return rc;
	if (rc == 1)
		return 0;			/* empty state: any date */
	settle_date_fmt(d, ds);
	settle_date_fmt(last, ls);
	if ((rc = read_mark(r, "FIRST", &first)) < 0)
		return rc;
	if (rc == 1 || first > last)
		return settle_err_set(r->err, SETTLE_EDATA, r->cf.state, 0,
		    NULL, "state damaged: LAST is %s but FIRST is missing or "
		    "later", ls);
	if (d > last + 1)
		return settle_err_set(r->err, SETTLE_EUSAGE, NULL, 0, NULL,
		    "%s needs the date before it done first; the last date "
		    "done is %s", ds, ls);
	if (d < first)
		return settle_err_set(r->err, SETTLE_EUSAGE, NULL, 0, NULL,
		    "%s is before the first date of this state", ds);
	if (d <= last && !r->o->force)
		return 1;
	if (d == first)
		return 0;			/* recompute the first date */
	snapshot_path(r, d - 1, path, sizeof(path));
	if (access(path, F_OK) < 0 && d <= last)
		return settle_err_set(r->err, SETTLE_EUSAGE, path, 0, NULL,
		    "cannot recompute %s: the state before it is no longer "
		    "kept", ds);
	if (access(path, F_OK) < 0)
		return settle_err_set(r->err, SETTLE_EDATA, path, 0, NULL,
		    "state damaged: the snapshot of the last date done is "
		    "missing");
	if (reserve_refs(r, path) < 0)
		return settle_err_set(r->err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	if ((rc = settle_state_read(&r->e, path, r->err)) < 0)
		return rc;
	return load_ids(r, first);
}

/* The signing key, with its passphrase from a file when it has one. */
static int
load_key(struct run *r)
{
	char pass[1024];
	int rc;

	if (r->cf.passphrase_file[0] == '\0')
		return settle_key_load_private(r->cf.signing_key, NULL, &r->key,
		    r->err);
	rc = settle_key_read_passphrase(r->cf.passphrase_file, pass,
	    sizeof(pass), r->err);
	if (rc == 0)
		rc = settle_key_load_private(r->cf.signing_key, pass, &r->key,
		    r->err);
	OPENSSL_cleanse(pass, sizeof(pass));
	return rc;
}

/* Temporary files of a run killed while saving the state. */
static void
clean_state(const char *dir)
{
	char path[SETTLE_PATH + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp.") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(d);
}

static void
input_path(const struct run *r, const char *pattern, char *buf, size_t len)
{
	char name[256];

	if (settle_pattern_expand(pattern, r->o->date, name, sizeof(name)) < 0)
		name[0] = '\0';
	snprintf(buf, len, "%s/%s", r->cf.inbox, name);
}

/* Every input must be there before anything is read or written. */
static int
check_inputs(struct run *r)
{
	char path[SETTLE_PATH + 300];
	const char *pat;
	int i;

	for (i = -2; i < r->cf.nops; i++) {
		pat = i == -2 ? r->cf.bpo_pattern : i == -1 ?
		    r->cf.ecab_pattern : r->cf.ops[i].pattern;
		input_path(r, pat, path, sizeof(path));
		if (access(path, R_OK) < 0)
			return settle_err_set(r->err, SETTLE_ENOINPUT, path, 0,
			    NULL, "input missing: %s", strerror(errno));
	}
	return 0;
}

static int
on_reject(void *ctx, const struct settle_reject *rj)
{
	struct run *r = ctx;
	int rc;

	pthread_mutex_lock(&r->mu);
	rc = settle_rows_add_reject(&r->rejects, &r->scratch, rj);
	pthread_mutex_unlock(&r->mu);
	return rc < 0 ? SETTLE_ENOMEM : 0;
}

static int
on_order(void *ctx, const struct settle_order *o)
{
	return settle_engine_order(&((struct run *)ctx)->e, o);
}

static int
order_seen(void *ctx, int kind, const char *ref, size_t len)
{
	return settle_engine_order_seen(&((struct run *)ctx)->e, kind, ref,
	    len);
}

static int
known_other(void *ctx, int kind, const char *ref, size_t len)
{
	return settle_engine_known_other(&((struct run *)ctx)->e, kind, ref,
	    len);
}

/* Threads of the run, one an operator at most. */
struct workers {
	pthread_t th[SETTLE_MAX_OPS];
	int started[SETTLE_MAX_OPS];
	int n;
};

/* Run fn(arg) on a thread of its own, or here when none can be had. */
static void
workers_start(struct workers *w, void *(*fn)(void *), void *arg)
{
	w->started[w->n] = pthread_create(&w->th[w->n], NULL, fn, arg) == 0;
	if (!w->started[w->n])
		fn(arg);
	w->n++;
}

static void
workers_join(struct workers *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (w->started[i])
			pthread_join(w->th[i], NULL);
	w->n = 0;
}

/* Work on a thread of its own, whose error becomes the run's once joined. */
struct job {
	struct run *r;
	struct workers w;
	int rc, joined;
	struct settle_err err;
};

/* Wait for j (none: 0): its code, its error copied into the run's. */
static int
job_wait(struct run *r, struct job *j)
{
	if (j == NULL)
		return 0;
	if (!j->joined)
		workers_join(&j->w);
	j->joined = 1;
	if (j->rc < 0 && r->err->code == 0)
		*r->err = j->err;
	return j->rc;
}

/*
 * The snapshot of the state after the date is written and fsynced on a
 * thread of its own while the outbox is written; it is renamed into place
 * only after the outbox is published.
 */
struct statejob {
	struct job job;
	struct settle_atomic a;		/* the snapshot */
	struct settle_atomic ids;	/* the run's id file */
};

/*
 * Flush a's file (written with the result rc) to disk and close it: the
 * commit only renames it.  0 or an errno value.
 */
static int
write_synced(struct settle_atomic *a, int rc)
{
	int e0, e1;

	e0 = rc < 0 ? (errno != 0 ? errno : EIO) : 0;
	if ((e1 = settle_atomic_sync(a)) != 0 && e0 == 0)
		e0 = e1;
	return e0;
}

static void *
state_one(void *arg)
{
	struct statejob *sj = arg;
	struct job *j = &sj->job;
	char path[SETTLE_PATH + 32], ipath[SETTLE_PATH + 32];
	int e = 0;

	snapshot_path(j->r, j->r->o->date, path, sizeof(path));
	ids_path(j->r, j->r->o->date, ipath, sizeof(ipath));
	if ((j->rc = settle_atomic_open_named(&sj->ids, ipath, ".tmp.next",
	    &j->err)) < 0)
		return NULL;
	errno = 0;
	if ((e = write_synced(&sj->ids, settle_ids_write(j->r->o->date,
	    j->r->ids, j->r->cf.nops, sj->ids.f))) != 0) {
		j->rc = settle_err_set(&j->err, SETTLE_EIO, ipath, 0, NULL,
		    "cannot write the state: %s", strerror(e));
		return NULL;
	}
	if ((j->rc = settle_atomic_open_named(&sj->a, path, ".tmp.next",
	    &j->err)) < 0)
		return NULL;
	errno = 0;
	if ((e = write_synced(&sj->a, settle_state_write(&j->r->e,
	    sj->a.f))) != 0)
		j->rc = settle_err_set(&j->err, SETTLE_EIO, path, 0, NULL,
		    "cannot write the state: %s", strerror(e));
	return NULL;
}

static void
state_start(struct run *r, struct statejob *j)
{
	memset(j, 0, sizeof(*j));
	j->job.r = r;
	r->state = j;
	workers_start(&j->job.w, state_one, j);
}

/* Wait for the snapshot: 0, or its error into the run's. */
static int
state_wait(struct run *r)
{
	return job_wait(r, r->state != NULL ? &r->state->job : NULL);
}

/* Drop an unfinished snapshot (the run failed). */
static void
state_drop(struct run *r)
{
	if (r->state == NULL)
		return;
	state_wait(r);
	settle_atomic_abort(&r->state->ids);
	settle_atomic_abort(&r->state->a);
	r->state = NULL;
}

/*
 * One operator's file is read on its own thread: its rows, rejects, ids
 * and records go to memory of its own, and the records reach the engine
 * afterwards, in operator order, on the main thread.
 */
struct crec {
	int64_t amount, at;
	uint64_t msk;			/* the MSISDN packed; bit 63: a refund */
	uint32_t text;			/* the id, then the reference */
	uint16_t id_len, ref_len;
};

#define KIND_BIT (UINT64_C(1) << 63)
#define CHUNK_RECS 16384
#define CHUNK_TEXT (4 * 1024 * 1024)

/*
 * Records in chunks, each with their text, mapped on their own
 * (settle_bigmem_map): a chunk is filled on its reader's thread and given
 * back to the system as soon as the main thread has grouped it.  The text
 * area is reserved, not taken: its pages count once written.
 */
struct cchunk {
	struct cchunk *next;
	size_t n, tlen;
	struct crec v[CHUNK_RECS];
	char text[CHUNK_TEXT];
};

struct opread {
	struct run *r;
	int op;
	struct settle_out scratch;
	struct cchunk *head, *tail;
	int rc;
	struct settle_err err;
};

/* A successful record whose prefix belongs to another operator. */
static int
ported(const struct run *r, int op, const struct settle_charge *c)
{
	char pfx[4];
	int k;

	if (c->status != SS_SUCCESS)
		return 0;
	settle_msisdn_prefix(c->msisdn, pfx);
	for (k = 0; k < r->cf.nops; k++)
		if (k != op && settle_dialect_owns_prefix(
		    &r->cf.ops[k].dialect, pfx))
			return 1;
	return 0;
}

/* Keep a successful record for the engine.  0, or -1 (out of memory). */
static int
keep_record(struct opread *t, const struct settle_charge *c)
{
	struct cchunk *k = t->tail;
	struct crec *v;

	/* A line is at most 64 KiB: an id or reference fits 16 bits. */
	if (c->id_len > UINT16_MAX || c->ref_len > UINT16_MAX)
		return -1;
	if (k == NULL || k->n == CHUNK_RECS ||
	    k->tlen + c->id_len + c->ref_len > CHUNK_TEXT) {
		if ((k = settle_bigmem_map(sizeof(*k))) == NULL)
			return -1;
		if (t->tail != NULL)
			t->tail->next = k;
		else
			t->head = k;
		t->tail = k;
	}
	v = &k->v[k->n];
	v->text = (uint32_t)k->tlen;
	memcpy(k->text + k->tlen, c->id, c->id_len);
	memcpy(k->text + k->tlen + c->id_len, c->ref, c->ref_len);
	k->tlen += c->id_len + c->ref_len;
	v->id_len = (uint16_t)c->id_len;
	v->ref_len = (uint16_t)c->ref_len;
	v->msk = settle_msisdn_pack(c->msisdn) | (c->kind == SK_REFUND ?
	    KIND_BIT : 0);
	v->amount = c->amount;
	v->at = c->at;
	k->n++;
	return 0;
}

static int
on_charge(void *ctx, const struct settle_charge *c)
{
	struct opread *t = ctx;
	struct run *r = t->r;

	r->ops[t->op].ported += ported(r, t->op, c);
	if (settle_idsink_add(&r->ids[t->op], c->id, c->id_len,
	    settle_charge_content(c), settle_business_date(c->at)) < 0)
		return settle_err_set(&t->err, SETTLE_EIO, NULL, 0, NULL,
		    "cannot write a temporary file in %s: %s",
		    settle_tmpdir(), strerror(r->ids[t->op].err));
	if (settle_rows_add_charge(&r->charges[t->op], &t->scratch, c) < 0 ||
	    (c->status == SS_SUCCESS && keep_record(t, c) < 0))
		return SETTLE_ENOMEM;
	return 0;
}

/* Rejects go to the operator's set and, under a lock, the day's. */
static int
on_op_reject(void *ctx, const struct settle_reject *rj)
{
	struct opread *t = ctx;
	int rc;

	if (settle_rows_add_reject(&t->r->ops[t->op].rejects, &t->scratch,
	    rj) < 0)
		return SETTLE_ENOMEM;
	pthread_mutex_lock(&t->r->mu);
	rc = settle_rows_add_reject(&t->r->rejects, &t->r->scratch, rj);
	pthread_mutex_unlock(&t->r->mu);
	return rc < 0 ? SETTLE_ENOMEM : 0;
}

/*
 * The reference map made large enough at once for the day's orders and,
 * before it is read, the snapshot's references: growing it rehashes every
 * entry and holds two tables.  Their numbers are guessed low from the
 * files' sizes: an order row takes 74 to 100 bytes; a snapshot line of a
 * reference 40 to 60, and the snapshot has other lines.  Once the snapshot
 * is read, the room it was given is taken by its references.
 */
static int
reserve_refs(struct run *r, const char *snapshot)
{
	char path[SETTLE_PATH + 300];
	struct stat st;
	size_t est = 0;
	int i;

	for (i = 0; i < 2; i++) {
		input_path(r, i == 0 ? r->cf.bpo_pattern : r->cf.ecab_pattern,
		    path, sizeof(path));
		if (stat(path, &st) == 0 && st.st_size > 0)
			est += (size_t)st.st_size / 100;
	}
	if (snapshot != NULL && stat(snapshot, &st) == 0 && st.st_size > 0)
		est += (size_t)st.st_size / 60;
	return settle_engine_reserve(&r->e, est);
}

static int
read_orders(struct run *r)
{
	struct settle_order_opts oo;
	const char *ops[SETTLE_MAX_OPS];
	char path[SETTLE_PATH + 300];
	int i, kind, rc;

	memset(&oo, 0, sizeof(oo));
	for (i = 0; i < r->cf.nops; i++)
		ops[i] = r->cf.ops[i].code;
	oo.operators = ops;
	oo.noperators = r->cf.nops;
	oo.known_other = known_other;
	oo.seen = order_seen;
	if (reserve_refs(r, NULL) < 0)
		return settle_err_set(r->err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	for (i = 0; i < 2; i++) {
		input_path(r, i == 0 ? r->cf.bpo_pattern : r->cf.ecab_pattern,
		    path, sizeof(path));
		progress(r, "reading %s", settle_basename(path));
		rc = settle_orders_read(path, settle_basename(path), &oo,
		    on_order, on_reject, r, &kind, r->err);
		if (rc < 0)
			return rc;
		if (kind != (i == 0 ? SO_BPO : SO_ECAB))
			return settle_err_set(r->err, SETTLE_EDATA,
			    settle_basename(path), 1, NULL, "file refused: "
			    "the header is of the other order file");
	}
	return 0;
}

static void *
read_one(void *arg)
{
	struct opread *t = arg;
	struct run *r = t->r;
	struct settle_charge_opts co;
	char path[SETTLE_PATH + 300];

	memset(&co, 0, sizeof(co));
	co.have_date = 1;
	co.date = r->o->date;
	co.dedup_days = r->cf.dedup_days;
	co.dedup = &r->e.dedup[t->op];
	input_path(r, r->cf.ops[t->op].pattern, path, sizeof(path));
	t->rc = settle_charges_read(&r->cf.ops[t->op].dialect, path,
	    settle_basename(path), &co, on_charge, on_op_reject, t,
	    &r->ops[t->op].tot, &t->err);
	/* The operator's ids are checked: its table goes at once. */
	settle_dedup_release(&r->e.dedup[t->op]);
	return NULL;
}

static void
chunk_free(struct cchunk *k)
{
	settle_bigmem_unmap(k, sizeof(*k));
}

/* A hint (settle_engine_prefetch_ref) for record i of chunk k, if any. */
static inline void
hint_record(const struct run *r, const struct cchunk *k, size_t i, int level)
{
	const struct crec *v;

	if (i >= k->n)
		return;
	v = &k->v[i];
	settle_engine_prefetch_ref(&r->e, k->text + v->text + v->id_len,
	    v->ref_len, level);
}

/*
 * Hand an operator's records to the engine, in file order; each chunk goes
 * as soon as it is grouped.
 */
static int
apply_records(struct run *r, struct opread *t)
{
	struct settle_charge c;
	struct cchunk *k;
	const struct crec *v;
	size_t i;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	c.status = SS_SUCCESS;
	while ((k = t->head) != NULL && rc == 0) {
		for (i = 0; i < k->n && rc == 0; i++) {
			hint_record(r, k, i + 24, 0);
			hint_record(r, k, i + 16, 1);
			hint_record(r, k, i + 8, 2);
			v = &k->v[i];
			c.id = k->text + v->text;
			c.id_len = v->id_len;
			c.ref = c.id + v->id_len;
			c.ref_len = v->ref_len;
			c.kind = v->msk & KIND_BIT ? SK_REFUND : SK_CHARGE;
			c.amount = v->amount;
			c.at = v->at;
			rc = settle_engine_record(&r->e, &c, t->op,
			    v->msk & ~KIND_BIT, &r->day);
		}
		t->head = k->next;
		chunk_free(k);
	}
	return rc;
}

static void
opread_release(struct opread *t)
{
	struct cchunk *k;

	settle_out_release(&t->scratch);
	while ((k = t->head) != NULL) {
		t->head = k->next;
		chunk_free(k);
	}
	t->tail = NULL;
}

static int write_file_err(struct settle_err *err, const char *dir,
    const char *name, const void *data, size_t len);
static void clean_outbox(const char *outbox);
static int remove_tree(const char *dir);

/*
 * Row sets streamed into dir/name behind a header (a spilled set is merged
 * from its temporary file), then fsynced.
 */
static int
write_rows(struct settle_err *err, const char *dir, const char *name,
    const char *header, struct settle_rows *sets, int n)
{
	char path[SETTLE_PATH + 200];
	int i, bad = 0, rc;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wbx")) == NULL)
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	fputs(header, f);
	for (i = 0; i < n && !bad; i++) {
		settle_rows_sort(&sets[i]);
		if (settle_rows_write(&sets[i], f) < 0) {
			bad = 1;
			if ((rc = settle_rows_error(&sets[i], err)) < 0) {
				fclose(f);
				return rc;
			}
		}
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0 || bad)
		return settle_err_set(err, SETTLE_EIO, path, 0, NULL,
		    "cannot write: %s", strerror(errno));
	return 0;
}

/*
 * charges.csv and rejects.csv are final once the files are read: they are
 * written on a thread of their own while the day is matched and shared.
 */
static void *
rows_one(void *arg)
{
	struct job *j = arg;
	struct run *r = j->r;
	int i;

	j->rc = write_rows(&j->err, r->tmpdir, "charges.csv",
	    SETTLE_CHARGES_HEADER, r->charges, r->cf.nops);
	if (j->rc == 0)
		j->rc = write_rows(&j->err, r->tmpdir, "rejects.csv",
		    SETTLE_REJECTS_HEADER, &r->rejects, 1);
	/* Only their counts are needed from here on. */
	for (i = 0; i < r->cf.nops && j->rc == 0; i++)
		settle_rows_written(&r->charges[i]);
	return NULL;
}

/*
 * Make the temporary outbox folder, outbox/.tmp-DATE (leftovers of a
 * killed run removed first), and start writing the rows into it.
 */
static int
open_outbox(struct run *r, struct job *j)
{
	char ds[16];

	settle_date_fmt(r->o->date, ds);
	if (mkdirs(r->cf.outbox) < 0)
		return settle_err_set(r->err, SETTLE_ECREATE, r->cf.outbox, 0,
		    NULL, "cannot create the outbox: %s", strerror(errno));
	clean_outbox(r->cf.outbox);
	snprintf(r->tmppath, sizeof(r->tmppath), "%s/.tmp-%s", r->cf.outbox,
	    ds);
	if (mkdir(r->tmppath, 0755) < 0)
		return settle_err_set(r->err, SETTLE_ECREATE, r->tmppath, 0,
		    NULL, "cannot create: %s", strerror(errno));
	r->tmpdir = r->tmppath;
	progress(r, "writing %s", "charges.csv");
	memset(j, 0, sizeof(*j));
	j->r = r;
	r->rows = j;
	workers_start(&j->w, rows_one, j);
	return 0;
}

/*
 * Read the orders on this thread while the operators' files are read on
 * threads of their own; then apply the records and gather the rows.
 */
static int
read_inputs(struct run *r, struct job *rj)
{
	struct opread t[SETTLE_MAX_OPS];
	struct workers w = { .n = 0 };
	int i, rc;

	memset(t, 0, sizeof(t));
	memset(rj, 0, sizeof(*rj));
	for (i = 0; i < r->cf.nops; i++) {
		t[i].r = r;
		t[i].op = i;
		settle_out_init(&t[i].scratch, NULL, 0);
		workers_start(&w, read_one, &t[i]);
	}
	rc = read_orders(r);
	progress(r, "reading the operators' files%s", "");
	workers_join(&w);
	for (i = 0; i < r->cf.nops && rc == 0; i++)
		if ((rc = t[i].rc) < 0)
			*r->err = t[i].err;
	if (rc == 0)
		rc = open_outbox(r, rj);
	/* The day is read: its ids stay listed for the state only. */
	for (i = 0; i < r->cf.nops; i++)
		settle_dedup_release(&r->e.dedup[i]);
	progress(r, "grouping the charges%s", "");
	/* Each operator's records go as soon as they are grouped. */
	for (i = 0; i < r->cf.nops; i++) {
		if (rc == 0)
			rc = apply_records(r, &t[i]);
		opread_release(&t[i]);
	}
	if (rc == SETTLE_ENOMEM && r->err->code == 0)
		settle_err_set(r->err, rc, NULL, 0, NULL, "out of memory");
	return rc;
}

/*
 * matches.csv streamed to its file; each operator's rows are kept for its
 * bundle on the way.
 */
static int
write_matches(struct run *r, const char *dir, struct settle_report_in *in)
{
	char path[SETTLE_PATH + 200];
	int rc, e = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/matches.csv", dir);
	if ((f = fopen(path, "wbx")) == NULL)
		return settle_err_set(r->err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	in->opmatches = r->opm;
	rc = settle_report_matches_split(in, f, path, r->opm, r->err);
	if (rc == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		e = errno;
	if (fclose(f) != 0 && e == 0)
		e = errno;
	if (rc == 0 && e != 0)
		rc = settle_err_set(r->err, SETTLE_EIO, path, 0, NULL,
		    "cannot write: %s", strerror(e));
	return rc;
}

static int
emit_file(void *ctx, const struct settle_file *f)
{
	struct run *r = ctx;

	return write_file_err(r->err, r->tmpdir, f->name, f->data, f->len);
}

/* Write a whole file and fsync it. */
static int
write_file_err(struct settle_err *err, const char *dir, const char *name,
    const void *data, size_t len)
{
	char path[SETTLE_PATH + 200];
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return settle_err_set(err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
	e = settle_write_all(fd, data, len);
	if (e == 0 && fsync(fd) < 0)
		e = errno;
	if (close(fd) < 0 && e == 0)
		e = errno;
	if (e != 0)
		return settle_err_set(err, SETTLE_EIO, path, 0, NULL,
		    "cannot write: %s", strerror(e));
	return 0;
}

struct bundlejob {
	struct run *r;
	const struct settle_report_in *in;
	const char *dir;
	int op;
	int rc;
	struct settle_err err;
};

/* Render, compress, sign and write one operator's bundle. */
static void *
bundle_one(void *arg)
{
	struct bundlejob *j = arg;
	struct settle_bundle_file bf[8];
	struct settle_outputs bo;
	char name[160], ds[16], path[SETTLE_PATH + 400];
	char msg[sizeof(j->err.msg)];
	int k, fd;

	settle_date_fmt(j->r->o->date, ds);
	if ((j->rc = settle_report_bundle_files(j->in, j->op, &bo, &j->err)) < 0)
		return NULL;
	for (k = 0; k < bo.n; k++) {
		bf[k].name = bo.f[k].name;
		bf[k].data = (const unsigned char *)bo.f[k].data;
		bf[k].len = bo.f[k].len;
		bf[k].fd = -1;
	}
	if (j->in->opmatches != NULL) {
		/* The operator's matches.csv, read back from its file. */
		bf[k].name = "matches.csv";
		bf[k].data = NULL;
		bf[k].len = j->in->opmatches[j->op].len;
		bf[k].fd = fileno(j->in->opmatches[j->op].f);
		k++;
	}
	snprintf(name, sizeof(name), "bundle-%s-%s.tar.gz",
	    j->r->cf.ops[j->op].code, ds);
	snprintf(path, sizeof(path), "%s/%s", j->dir, name);
	/* Written to its file as it is compressed, then synced. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0) {
		j->rc = settle_err_set(&j->err, SETTLE_ECREATE, path, 0, NULL,
		    "cannot create: %s", strerror(errno));
		settle_outputs_release(&bo);
		return NULL;
	}
	j->rc = settle_bundle_write(bf, (size_t)k, j->r->o->date, j->r->key,
	    j->r->o->bundle_level, fd, &j->err);
	settle_outputs_release(&bo);
	if (j->rc == 0 && fsync(fd) < 0)
		j->rc = settle_err_set(&j->err, SETTLE_EIO, path, 0, NULL,
		    "cannot write: %s", strerror(errno));
	if (close(fd) < 0 && j->rc == 0)
		j->rc = settle_err_set(&j->err, SETTLE_EIO, path, 0, NULL,
		    "cannot write: %s", strerror(errno));
	if (j->rc == SETTLE_EIO && j->err.file[0] == '\0') {
		/* A failed write of the archive: named with its file. */
		memcpy(msg, j->err.msg, sizeof(msg));
		settle_err_set(&j->err, SETTLE_EIO, path, 0, NULL, "%s", msg);
	}
	return NULL;
}

/* The operators' bundles, compressed on threads of their own. */
static int
write_bundles(struct run *r, const struct settle_report_in *in,
    const char *dir)
{
	struct bundlejob j[SETTLE_MAX_OPS];
	struct workers w = { .n = 0 };
	int i, rc = 0;

	progress(r, "signing the bundles%s", "");
	memset(j, 0, sizeof(j));
	for (i = 0; i < r->cf.nops; i++) {
		j[i].r = r;
		j[i].in = in;
		j[i].dir = dir;
		j[i].op = i;
		workers_start(&w, bundle_one, &j[i]);
	}
	workers_join(&w);
	for (i = 0; i < r->cf.nops && rc == 0; i++)
		if ((rc = j[i].rc) < 0)
			*r->err = j[i].err;
	return rc;
}

static int
remove_tree(const char *dir)
{
	char path[SETTLE_PATH + 300];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..")
		    == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(dir);
}

/*
 * Leftovers of a run killed while publishing: a temporary folder is
 * removed; a swapped-out earlier copy of a date whose new copy never
 * arrived is put back, else removed.
 */
static void
clean_outbox(const char *outbox)
{
	char path[SETTLE_PATH + 300], back[SETTLE_PATH + 300];
	struct dirent *de;
	DIR *d = opendir(outbox);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp-", 5) != 0 &&
		    strncmp(de->d_name, ".old-", 5) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", outbox, de->d_name);
		snprintf(back, sizeof(back), "%s/%s", outbox, de->d_name + 5);
		if (de->d_name[1] == 'o' && access(back, F_OK) < 0 &&
		    rename(path, back) == 0)
			continue;
		remove_tree(path);
	}
	closedir(d);
}

/*
 * Put the new folder in place of the date's.  Where the date has an
 * earlier copy (--force) the two are exchanged in one step, so that the
 * date's folder is there at every moment; otherwise a rename.  Then the
 * outbox is fsynced: the state must not move on before this is durable.
 */
static int
swap_in(struct run *r, const char *tmp, const char *final, const char *old)
{
	if (access(final, F_OK) == 0) {
		if (syscall(SYS_renameat2, AT_FDCWD, tmp, AT_FDCWD, final,
		    RENAME_EXCHANGE) == 0) {
			if (rename(tmp, old) < 0)
				return settle_err_set(r->err, SETTLE_EIO, tmp,
				    0, NULL, "cannot move aside: %s",
				    strerror(errno));
		} else if (errno != EINVAL && errno != ENOSYS) {
			return settle_err_set(r->err, SETTLE_EIO, final, 0,
			    NULL, "cannot replace: %s", strerror(errno));
		} else if (rename(final, old) < 0) {
			return settle_err_set(r->err, SETTLE_EIO, final, 0,
			    NULL, "cannot replace: %s", strerror(errno));
		} else if (rename(tmp, final) < 0) {
			int e = errno;

			rename(old, final);
			return settle_err_set(r->err, SETTLE_EIO, final, 0,
			    NULL, "cannot publish: %s", strerror(e));
		}
	} else if (rename(tmp, final) < 0) {
		return settle_err_set(r->err, SETTLE_EIO, final, 0, NULL,
		    "cannot publish: %s", strerror(errno));
	}
	if (settle_fsync_dir(r->cf.outbox) < 0)
		return settle_err_set(r->err, SETTLE_EIO, r->cf.outbox, 0,
		    NULL, "cannot sync: %s", strerror(errno));
	return 0;
}

/*
 * Write the other outputs into outbox/.tmp-DATE beside charges.csv and
 * rejects.csv (waited for), fsync, wait for the state to be on disk, then
 * rename the folder to outbox/DATE (an earlier copy, with --force, is
 * swapped out).
 */
static int
publish(struct run *r, struct settle_report_in *in, char *final,
    size_t flen)
{
	char old[SETTLE_PATH + 64], ds[16];
	const char *tmp = r->tmpdir;
	int rc;

	settle_date_fmt(r->o->date, ds);
	snprintf(old, sizeof(old), "%s/.old-%s", r->cf.outbox, ds);
	snprintf(final, flen, "%s/%s", r->cf.outbox, ds);
	rc = job_wait(r, r->rows);
	if (rc == 0)
		rc = write_matches(r, tmp, in);
	if (rc == 0) {
		progress(r, "writing %s", "the report");
		rc = settle_report_build(in, emit_file, r, r->err);
	}
	if (rc == 0)
		rc = write_bundles(r, in, tmp);
	if (rc == 0 && settle_fsync_dir(tmp) < 0)
		rc = settle_err_set(r->err, SETTLE_EIO, tmp, 0, NULL,
		    "cannot sync: %s", strerror(errno));
	/* Nothing is published before the state to follow it is on disk. */
	if (rc == 0)
		rc = state_wait(r);
	if (rc == 0)
		rc = swap_in(r, tmp, final, old);
	if (rc < 0)
		return rc;
	r->tmpdir = NULL;
	remove_tree(old);
	return 0;
}

/* A failed run: wait for its threads, remove its temporary outbox. */
static void
discard_outbox(struct run *r)
{
	job_wait(r, r->rows);
	r->rows = NULL;
	if (r->tmpdir != NULL)
		remove_tree(r->tmpdir);
	r->tmpdir = NULL;
}

/* Drop snapshots older than the ones kept for --force. */
static void
prune_snapshots(struct run *r)
{
	char path[SETTLE_PATH + 32];
	int64_t d, keep, kept;

	for (d = r->o->date - KEEP_SNAPSHOTS; d > r->o->date -
	    KEEP_SNAPSHOTS - 400; d--) {
		snapshot_path(r, d, path, sizeof(path));
		if (unlink(path) < 0 && errno == ENOENT && d < r->o->date -
		    KEEP_SNAPSHOTS - 31)
			break;
	}
	/*
	 * Id files the window of a date still kept for --force needs stay.
	 * IDS_FIRST names the first kept before any goes.
	 */
	keep = r->o->date - KEEP_SNAPSHOTS - r->cf.dedup_days + 1;
	if (read_mark(r, "IDS_FIRST", &kept) == 0 && kept >= keep)
		return;
	if (read_mark(r, "FIRST", &kept) != 0 || kept >= keep ||
	    write_mark(r, "IDS_FIRST", keep) < 0)
		return;
	for (d = keep - 1; d > keep - 401; d--) {
		ids_path(r, d, path, sizeof(path));
		if (unlink(path) < 0 && errno == ENOENT && d < keep - 32)
			break;
	}
}

/* The state after the date: the snapshot, then FIRST and LAST marks. */
static int
save_state(struct run *r)
{
	int64_t last = -1, first;
	int rc;

	if ((rc = state_wait(r)) < 0)
		return rc;
	/* The id file first: a snapshot is never there without it. */
	rc = settle_atomic_commit(&r->state->ids, r->err);
	if (rc == 0)
		rc = settle_atomic_commit(&r->state->a, r->err);
	if (rc < 0)
		return rc;
	r->state = NULL;
	if (read_mark(r, "FIRST", &first) == 1 &&
	    (rc = write_mark(r, "FIRST", r->o->date)) < 0)
		return rc;
	if (read_mark(r, "LAST", &last) < 0 || last > r->o->date)
		return 0;		/* a --force of an older date */
	if ((rc = write_mark(r, "LAST", r->o->date)) < 0)
		return rc;
	prune_snapshots(r);
	return 0;
}

static void
summarise(struct run *r, struct settle_run_result *res)
{
	char ds[16];
	long pending = 0;
	int64_t net = 0;
	size_t charges = 0;
	int i;

	for (i = 0; i < r->cf.nops; i++) {
		charges += settle_rows_count(&r->charges[i]);
		pending += r->day.ops[i].pending;
		net += r->day.ops[i].matched_net;
	}
	settle_date_fmt(r->o->date, ds);
	snprintf(res->summary, sizeof(res->summary), "%s: %zu charges, %zu "
	    "rejects, %zu matched (%lld poisha), %zu disputes, %ld pending; "
	    "outputs in %s", ds, charges, settle_rows_count(&r->rejects),
	    r->day.nmatches,
	    (long long)net, r->day.ndisputes, pending, res->outdir);
}

static void
report_in(struct run *r, struct settle_report_in *in)
{
	memset(in, 0, sizeof(*in));
	in->cf = &r->cf;
	in->date = r->o->date;
	in->charges = r->charges;
	in->ncharges = r->cf.nops;
	in->rejects = &r->rejects;
	in->ops = r->ops;
	in->day = &r->day;
	in->tot = &r->tot;
}

static int
compute(struct run *r, struct job *rj)
{
	int rc;

	settle_engine_begin(&r->e, r->o->date);
	if ((rc = read_inputs(r, rj)) < 0)
		return rc;
	progress(r, "matching%s", "");
	if ((rc = settle_engine_close(&r->e, &r->day)) < 0)
		return settle_err_set(r->err, rc, NULL, 0, NULL,
		    "out of memory");
	progress(r, "sharing%s", "");
	return settle_share_compute(&r->e, &r->day, &r->tot, r->err);
}

static int
run_date(struct run *r, struct settle_run_result *res)
{
	struct settle_report_in in;
	struct statejob sj;
	struct job rj;
	int rc;

	if ((rc = load_base(r)) != 0) {
		res->noop = rc == 1;
		return rc == 1 ? 0 : rc;
	}
	if ((rc = check_inputs(r)) < 0)
		return rc;
	if ((rc = load_key(r)) < 0)
		return rc;
	if ((rc = compute(r, &rj)) < 0) {
		discard_outbox(r);
		return rc;
	}
	/* The matches are sorted before the state's references: not both at
	 * once. */
	if ((rc = settle_report_sort_matches(&r->day)) < 0) {
		discard_outbox(r);
		return settle_err_set(r->err, rc, NULL, 0, NULL,
		    "out of memory sorting the matches");
	}
	state_start(r, &sj);
	report_in(r, &in);
	if ((rc = publish(r, &in, res->outdir, sizeof(res->outdir))) < 0) {
		discard_outbox(r);
		state_drop(r);
		return rc;
	}
	progress(r, "saving the state%s", "");
	if ((rc = save_state(r)) < 0) {
		state_drop(r);
		return rc;
	}
	summarise(r, res);
	return 0;
}

int
settle_run(const struct settle_run_opts *o, struct settle_run_result *res,
    struct settle_err *err)
{
	struct run *r = calloc(1, sizeof(*r));
	int i, rc;

	memset(res, 0, sizeof(*res));
	if (r == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	r->o = o;
	r->err = err;
	r->lockfd = -1;
	settle_rows_init(&r->rejects);
	pthread_mutex_init(&r->mu, NULL);
	settle_out_init(&r->scratch, NULL, 0);
	for (i = 0; i < SETTLE_MAX_OPS; i++) {
		settle_rows_init(&r->ops[i].rejects);
		settle_rows_init(&r->charges[i]);
		/* The day's canonical rows stay within a fixed budget. */
		settle_rows_set_spill(&r->charges[i], ROWS_BUDGET);
	}
	settle_day_init(&r->day, o->date);
	rc = settle_config_load(&r->cf, o->config, err);
	if (rc == SETTLE_ENOINPUT)
		rc = err->code = SETTLE_ECONFIG;
	if (rc == 0) {
		settle_engine_init(&r->e, &r->cf);
		for (i = 0; i < r->cf.nops; i++)
			settle_idsink_init(&r->ids[i], r->cf.ops[i].code);
		if ((rc = lock_state(r)) == 0) {
			clean_state(r->cf.state);
			clean_outbox(r->cf.outbox);
			rc = run_date(r, res);
		}
		settle_engine_release(&r->e);
	}
	if (r->lockfd >= 0)
		close(r->lockfd);
	EVP_PKEY_free(r->key);
	settle_totals_release(&r->tot);
	settle_day_release(&r->day);
	for (i = 0; i < SETTLE_MAX_OPS; i++) {
		settle_rows_release(&r->ops[i].rejects);
		settle_rows_release(&r->charges[i]);
		settle_idsink_release(&r->ids[i]);
	}
	for (i = 0; i < SETTLE_MAX_OPS; i++)
		if (r->opm[i].f != NULL)
			fclose(r->opm[i].f);
	pthread_mutex_destroy(&r->mu);
	settle_rows_release(&r->rejects);
	settle_out_release(&r->scratch);
	free(r);
	return rc;
}
