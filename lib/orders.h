/*
 * BPO counter orders and ECAB e-commerce orders (SPEC §4): RFC 4180 files
 * whose records may span lines, read into struct settle_order with the
 * reject rules (first faulty column in column order, then DUPLICATE_REF).
 */
#ifndef SETTLE_ORDERS_H
#define SETTLE_ORDERS_H

#include <stddef.h>
#include <stdint.h>

#include "charges.h"
#include "error.h"

enum settle_order_kind { SO_BPO, SO_ECAB };
enum settle_pay { SP_PAID, SP_PENDING, SP_CANCELLED };

#define SETTLE_BPO_HEADER "tracking_no,office_code,msisdn,operator,service," \
	"postage_poisha,booked_at,payment_status"
#define SETTLE_ECAB_HEADER "order_ref,merchant_id,msisdn,operator," \
	"goods_poisha,delivery_poisha,created_at,payment_status,tracking_no"

struct settle_order {
	int kind;			/* enum settle_order_kind */
	const char *ref;		/* tracking_no (BPO) or order_ref */
	size_t ref_len;
	const char *merchant;		/* ECAB */
	size_t merchant_len;
	char office[8];			/* BPO */
	char msisdn[16];
	char op[16];
	const char *service;		/* BPO: PARCEL, EMS, REGISTERED */
	int64_t goods, delivery, postage, payable;
	int64_t at;			/* booked_at / created_at */
	int status;			/* enum settle_pay */
	const char *tracking;		/* ECAB, may be empty */
	size_t tracking_len;
	const char *file;
	long line;
};

typedef int (*settle_order_fn)(void *ctx, const struct settle_order *o);
/* 1 when ref is already an order of the other kind than kind. */
typedef int (*settle_known_fn)(void *ctx, int kind, const char *ref,
    size_t len);

struct settle_order_opts {
	const char *const *operators;	/* configured operator codes */
	int noperators;
	settle_known_fn known_other;	/* may be NULL */
	/*
	 * 1 when an earlier row of this file, of this kind, had ref: a caller
	 * that keeps the accepted rows can tell; NULL: the reader keeps a
	 * table of the file's references itself.
	 */
	settle_known_fn seen;
};

/*
 * Read one order file; its kind is told by its header.  Calls on_order for
 * accepted rows and on_reject for rejected ones in file order.  Returns 0,
 * SETTLE_EDATA (the header differs: file refused), SETTLE_ENOINPUT or
 * SETTLE_EIO.  *kind gets the file's kind.
 */
int settle_orders_read(const char *path, const char *name,
    const struct settle_order_opts *o, settle_order_fn on_order,
    settle_reject_fn on_reject, void *ctx, int *kind,
    struct settle_err *err);

const char *settle_pay_name(int status);

#endif
