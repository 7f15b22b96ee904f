/*
 * The matching engine (SPEC §5): references, groups and their records,
 * carried from one business date to the next.
 *
 * A day is: settle_engine_begin(), then every accepted order row
 * (settle_engine_order, BPO file before ECAB file) and every accepted
 * charge record (settle_engine_charge), then settle_engine_close(), which
 * matches, runs the fuzzy pass, classifies the groups whose window closes
 * and fills a struct settle_day with the day's outcomes.
 *
 * Memory is bounded by the pending groups and by the references and charge
 * ids seen within dedup_days: references whose group has ended are dropped
 * once their last activity is older than the dedup window.
 */
#ifndef SETTLE_ENGINE_H
#define SETTLE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "charges.h"
#include "config.h"
#include "dedup.h"
#include "msisdn.h"
#include "orders.h"
#include "strmap.h"

enum { SM_EXACT, SM_SPLIT, SM_FUZZY };
enum {
	SD_AMOUNT_MISMATCH, SD_CANCELLED_CHARGED, SD_CAP_EXCEEDED,
	SD_CHARGE_NO_ORDER, SD_MSISDN_MISMATCH, SD_ORDER_NO_CHARGE,
	SD_REFUND_NO_CHARGE
};

const char *settle_match_name(int kind);
const char *settle_dispute_name(int reason);

/* The latest row of an order: 56 bytes. */
struct eorder {
	char *merchant;			/* ECAB; in the engine's arena */
	char office[8];
	uint64_t msisdn;		/* packed (settle_msisdn_pack) */
	/* BPO: postage and 0; ECAB: goods and delivery. */
	int64_t a, b;
	int64_t at;
	uint8_t kind;			/* SO_BPO / SO_ECAB */
	uint8_t status;			/* SP_* */
	uint8_t op;			/* its operator's index (see erec) */
};

static inline int64_t
eorder_goods(const struct eorder *o)
{
	return o->kind == SO_ECAB ? o->a : 0;
}

static inline int64_t
eorder_delivery(const struct eorder *o)
{
	return o->kind == SO_ECAB ? o->b : 0;
}

static inline int64_t
eorder_postage(const struct eorder *o)
{
	return o->kind == SO_BPO ? o->a : 0;
}

/* What the order asks: its postage, or its goods and delivery. */
static inline int64_t
eorder_payable(const struct eorder *o)
{
	return o->kind == SO_BPO ? o->a : o->a + o->b;
}

/*
 * A successful record in a group: 32 bytes.  mk holds the MSISDN packed
 * (settle_msisdn_pack, bits 0-43), the operator's index in the
 * configuration (bits 48-55) and a refund (bit 63).  The configuration
 * keeps its operators sorted by code (settle_config_load), so records sort
 * by the index as by the code.
 */
struct erec {
	char *id;			/* in the engine's arena */
	int64_t amount, at;
	uint64_t mk;
};

#define EREC_MSISDN(r) ((r)->mk & ((UINT64_C(1) << 44) - 1))
#define EREC_OP(r) ((int)(((r)->mk >> 48) & 0xff))
#define EREC_KIND(r) ((r)->mk >> 63 ? SK_REFUND : SK_CHARGE)

struct eref;

/* A run holds one a group: its fields are kept narrow. */
struct egroup {
	/*
	 * Its reference, NULL for an empty one; once matched, the reference
	 * of the order it matched (a fuzzy match's).
	 */
	struct eref *ref;
	struct erec *recs;
	uint32_t seq;			/* creation order in the run */
	uint32_t pos;			/* index in the pending list */
	uint32_t n, cap;		/* records */
	int32_t ncand;			/* fuzzy candidates seen, for the detail */
	uint8_t reopened;
	uint8_t sorted;
	uint8_t ended;			/* matched, disputed or closed today */
	uint8_t mkind;			/* matched: SM_* */
};

/*
 * A reference.  An order that has no record yet needs no group: its
 * reference waits (waiting, with the group number seq it would have had),
 * and the first record makes the group with that number.
 */
struct eref {
	char *ref;			/* the map's key; in the arena */
	struct eorder *order;		/* its latest order row, or NULL */
	struct egroup *group;		/* its pending group, or NULL */
	uint32_t len;
	uint32_t seq;			/* waiting: its group's number */
	int32_t last;			/* business date of last activity */
	int8_t okind;			/* its order row's kind (SO_*), or -1 */
	uint8_t matched;		/* has matched once */
	uint8_t done;			/* its last group was disputed or closed */
	uint8_t waiting;		/* an order with no group yet: pending */
};

/*
 * One matched group, as written to matches.csv.  The engine keeps a day's
 * matches as its matched groups and gives them out as this view
 * (settle_day_match()); matches read from a file are kept as such, their
 * text in the day's arena.
 */
struct settle_match {
	const char *order_ref;
	int kind;			/* SO_* */
	const char *op;
	const char *msisdn;
	char msbuf[SETTLE_MSISDN_LEN + 1];	/* a view's msisdn */
	int64_t payable, net;
	int match;			/* SM_* */
	const char *charge_ids;		/* joined with ';' */
	const char *merchant;		/* NULL for BPO */
	const char *office;		/* "" for ECAB */
	int64_t goods, delivery, postage;
};

struct settle_dispute {
	char op[16];
	int reason;
	char *order_ref;
	char *charge_ids;
	char msisdn[16];
	int64_t amount;
	char *detail;
	unsigned seq;			/* filled when ids are numbered */
};

struct settle_opday {
	long pending;
	int64_t pending_net;
	long matched;
	int64_t matched_net;
	long disputes;
	int64_t disputes_sum;
};

struct settle_day {
	int64_t date;
	struct settle_arena mem;	/* the matches' text */
	struct settle_match *matches;	/* matches read from a file, or */
	struct egroup **mgroups;	/* the groups the engine matched */
	const struct settle_config *cf;	/* with mgroups: the operators */
	size_t nmatches, capm;
	int matches_sorted;		/* sorted by order_ref */
	int disputes_numbered;		/* seq filled */
	struct settle_dispute *disputes;
	size_t ndisputes, capd;
	struct settle_opday ops[SETTLE_MAX_OPS];
};

struct settle_engine {
	const struct settle_config *cf;
	struct settle_arena mem;		/* references, groups, records */
	struct strmap refs;			/* reference -> struct eref */
	struct egroup **pending;		/* the groups with records */
	size_t npending, cappending;
	size_t nwaiting;			/* references waiting */
	uint64_t seq;
	/* The dedup window's ids. */
	struct settle_dedup dedup[SETTLE_MAX_OPS];
	int64_t last_date;			/* -1: empty state */
	char mtd_month[SETTLE_MAX_OPS][8];	/* "YYYY-MM" */
	int64_t mtd[SETTLE_MAX_OPS];
	int64_t date;				/* the day being run */
};

void settle_engine_init(struct settle_engine *e, const struct settle_config *c);
void settle_engine_release(struct settle_engine *e);

void settle_engine_begin(struct settle_engine *e, int64_t date);

/* Room for n more references.  0 or SETTLE_ENOMEM. */
int settle_engine_reserve(struct settle_engine *e, size_t n);

/* 1 when ref is already an order of the other kind than kind. */
int settle_engine_known_other(const struct settle_engine *e, int kind,
    const char *ref, size_t len);

/* 1 when an order row of kind for ref was applied in this run. */
int settle_engine_order_seen(const struct settle_engine *e, int kind,
    const char *ref, size_t len);

/* Apply one accepted order row.  0 or SETTLE_ENOMEM. */
int settle_engine_order(struct settle_engine *e, const struct settle_order *o);

/*
 * Apply one accepted charge record (a failed one is only skipped); a
 * charge over the cap becomes a CAP_EXCEEDED dispute in day.  0,
 * SETTLE_ENOMEM, or SETTLE_EDATA for an operator the configuration does
 * not name or an MSISDN that is not canonical.
 */
int settle_engine_charge(struct settle_engine *e, const struct settle_charge *c,
    struct settle_day *day);
/*
 * The same with c's operator given as its index in the configuration and
 * its MSISDN packed (settle_msisdn_pack): c->op and c->msisdn are not
 * read.  0 or SETTLE_ENOMEM.
 */
int settle_engine_record(struct settle_engine *e, const struct settle_charge *c,
    int op, uint64_t ms, struct settle_day *day);

/* Match, fuzzy-match and classify; fill day.  0 or SETTLE_ENOMEM. */
int settle_engine_close(struct settle_engine *e, struct settle_day *day);

/* Group, reference and state internals shared with the state file code. */
struct eref *settle_engine_ref(struct settle_engine *e, const char *ref,
    size_t len);
struct egroup *settle_engine_group_new(struct settle_engine *e,
    struct eref *ref, int reopened);
/* Make an order-only reference wait as a pending group (a new number). */
void settle_engine_wait(struct settle_engine *e, struct eref *r);
/* The pending groups: groups with records and waiting references. */
size_t settle_engine_npending(const struct settle_engine *e);
/*
 * The waiting references, *n of them in the map's order, in new memory the
 * caller frees; NULL when out of memory.
 */
struct eref **settle_engine_waiting(const struct settle_engine *e,
    size_t *n);
/*
 * Add a record to g: op a configured code, msisdn canonical.  0,
 * SETTLE_ENOMEM, or SETTLE_EDATA for another operator or MSISDN.
 */
int settle_engine_group_add(struct settle_engine *e, struct egroup *g,
    const char *op, const char *id, size_t idlen, const char *msisdn,
    int64_t amount, int64_t at, int kind);

/*
 * A hint that a record or order of reference ref will soon be applied:
 * level 0 the map's slot, 1 the reference, 2 its group, each best given
 * some records after the level before.
 */
void settle_engine_prefetch_ref(const struct settle_engine *e,
    const char *ref, size_t len, int level);

/* A record's operator code and MSISDN (buf >= 14 bytes). */
const char *settle_engine_rec_op(const struct settle_engine *e,
    const struct erec *r);
const char *settle_erec_msisdn(const struct erec *r, char *buf);

/*
 * The day's match i into m, and m: its charge_ids joined into *ids (grown
 * as needed; *ids and *idcap start NULL and 0, the caller frees *ids), or
 * NULL when ids is NULL or memory cannot be had.
 */
const struct settle_match *settle_day_match(const struct settle_day *d,
    size_t i, struct settle_match *m, char **ids, size_t *idcap);

/*
 * A hint that match i will soon be read (settle_day_match()): level 0 its
 * group, 1 what the group points to, 2 what those point to, each best
 * given some matches after the level before.  Nothing for matches read
 * from a file, or past the last.
 */
void settle_day_prefetch(const struct settle_day *d, size_t i, int level);

/* Hints for match i and those after it, as a loop over matches gives them. */
static inline void
settle_day_prefetch_ahead(const struct settle_day *d, size_t i)
{
	settle_day_prefetch(d, i + 24, 0);
	settle_day_prefetch(d, i + 16, 1);
	settle_day_prefetch(d, i + 8, 2);
}

void settle_day_init(struct settle_day *d, int64_t date);
void settle_day_release(struct settle_day *d);

#endif
