/*
 * Money: int64_t poisha (1 taka = 100 poisha), never floating point.
 *
 * Parsing is range-checked integer code; arithmetic goes through checked
 * helpers that report overflow; every share and fee rounds half to even
 * through settle_money_div_round().
 */
#ifndef SETTLE_MONEY_H
#define SETTLE_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define SETTLE_AMOUNT_MAX INT64_C(10000000000)	/* per record, poisha */

/*
 * Parse a taka amount "[0-9]+(\.[0-9]{1,2})?" of len bytes into poisha.
 * Returns 0, or -1 when the syntax is wrong or the value overflows int64.
 * The range rule (1 .. SETTLE_AMOUNT_MAX) is settle_money_in_range()'s.
 */
int settle_money_parse_taka(const char *s, size_t len, int64_t *out);

/* Parse a poisha amount "[0-9]+"; same contract as above. */
int settle_money_parse_poisha(const char *s, size_t len, int64_t *out);

/* 1 when 0 < v <= SETTLE_AMOUNT_MAX. */
int settle_money_in_range(int64_t v);

/* Checked arithmetic: return 0, or -1 on overflow (out untouched). */
int settle_money_add(int64_t a, int64_t b, int64_t *out);
int settle_money_sub(int64_t a, int64_t b, int64_t *out);
int settle_money_mul(int64_t a, int64_t b, int64_t *out);

/*
 * num / den rounded half to even, den > 0.  The one rounding rule of every
 * share and fee.
 */
int64_t settle_money_div_round(int64_t num, int64_t den);

/* Same, for a 128-bit numerator (tiered shares of large totals). */
int settle_money_div_round128(__int128 num, int64_t den, int64_t *out);

/* Write v as a decimal integer; returns the length. buf >= 24 bytes. */
size_t settle_money_fmt(int64_t v, char *buf);

#endif
