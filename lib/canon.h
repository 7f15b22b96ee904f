/*
 * Canonical rows: the CSV forms of charges and rejects shared by
 * settle ingest, settle orders and the nightly run's outbox.
 */
#ifndef SETTLE_CANON_H
#define SETTLE_CANON_H

#include "charges.h"
#include "csvio.h"
#include "rows.h"

#define SETTLE_CHARGES_HEADER "operator,charge_id,msisdn,amount_poisha," \
	"charged_at,order_ref,kind,status,source_file,source_line\n"
#define SETTLE_REJECTS_HEADER "source_file,source_line,reason,detail,raw\n"
#define SETTLE_ORDERS_HEADER "order_kind,order_ref,merchant_id,office_code," \
	"msisdn,operator,service,goods_poisha,delivery_poisha," \
	"postage_poisha,payable_poisha,ordered_at,payment_status," \
	"tracking_no,source_file,source_line\n"
#define SETTLE_MATCHES_HEADER "order_ref,order_kind,operator,msisdn," \
	"payable_poisha,net_poisha,match,charge_ids,merchant_id," \
	"office_code,goods_poisha,delivery_poisha,postage_poisha\n"

/* One canonical charge row, ending in "\n". */
void settle_canon_charge(struct settle_out *o, const struct settle_charge *c);

/* One reject row, ending in "\n". */
void settle_canon_reject(struct settle_out *o, const struct settle_reject *r);

/*
 * Add rows to a row set under their sort keys: charges by
 * (operator, charge_id), rejects by (source_file, source_line).
 * scratch is a reusable buffer for the row text.  Return 0 or -1.
 */
int settle_rows_add_charge(struct settle_rows *s, struct settle_out *scratch,
    const struct settle_charge *c);
int settle_rows_add_reject(struct settle_rows *s, struct settle_out *scratch,
    const struct settle_reject *r);

#endif
