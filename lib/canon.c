/*
 * Canonical CSV rows for charges and rejects.
 */
#include <string.h>

#include "canon.h"
#include "timefmt.h"

/*
 * A field that can need neither quotes nor a "'" prefix, written without
 * looking: a fixed word of the SPEC, or an instant that starts with a digit.
 */
static void
out_plain(struct settle_out *o, const char *s)
{
	settle_out_empty(o);
	settle_out_raw(o, s, strlen(s));
}

void
settle_canon_charge(struct settle_out *o, const struct settle_charge *c)
{
	char t[24];

	settle_out_str(o, c->op);
	settle_out_text(o, c->id, c->id_len);
	settle_out_str(o, c->msisdn);
	settle_out_int(o, c->amount);
	settle_time_fmt(c->at, t);
	if (t[0] >= '0' && t[0] <= '9')
		out_plain(o, t);
	else
		settle_out_str(o, t);
	settle_out_text(o, c->ref, c->ref_len);
	out_plain(o, settle_kind_name(c->kind));
	out_plain(o, settle_status_name(c->status));
	settle_out_str(o, c->file);
	settle_out_int(o, c->line);
	settle_out_endrow(o);
}

void
settle_canon_reject(struct settle_out *o, const struct settle_reject *r)
{
	settle_out_str(o, r->file);
	settle_out_int(o, r->line);
	settle_out_str(o, settle_reason_name(r->reason));
	settle_out_escaped(o, r->detail, strlen(r->detail));
	settle_out_escaped(o, r->raw, r->raw_len);
	settle_out_endrow(o);
}

int
settle_rows_add_charge(struct settle_rows *s, struct settle_out *o,
    const struct settle_charge *c)
{
	unsigned char key[512];
	size_t ol = strlen(c->op), il = c->id_len;

	if (ol + il + 1 > sizeof(key))
		il = sizeof(key) - ol - 1;
	memcpy(key, c->op, ol);
	key[ol] = 0;
	memcpy(key + ol + 1, c->id, il);
	o->len = 0;
	settle_canon_charge(o, c);
	if (o->failed)
		return -1;
	return settle_rows_add(s, key, ol + 1 + il, o->buf, o->len);
}

int
settle_rows_add_reject(struct settle_rows *s, struct settle_out *o,
    const struct settle_reject *r)
{
	unsigned char key[300];
	size_t fl = strlen(r->file);

	if (fl > 280)
		fl = 280;
	memcpy(key, r->file, fl);
	key[fl] = 0;
	settle_key_int(key + fl + 1, r->line);
	o->len = 0;
	settle_canon_reject(o, r);
	if (o->failed)
		return -1;
	return settle_rows_add(s, key, fl + 9, o->buf, o->len);
}
