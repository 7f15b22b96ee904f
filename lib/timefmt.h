/*
 * Time: instants are int64_t seconds since the Unix epoch, UTC.  Dates are
 * int64_t days since 1970-01-01.  Bangladesh is +06:00 all year; that offset
 * is a constant here and the machine's TZ is never consulted.
 */
#ifndef SETTLE_TIMEFMT_H
#define SETTLE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define SETTLE_BD_OFFSET (6 * 3600)

/* Days since the epoch of a civil date; -1 in *ok is never used: check first. */
int64_t settle_days_from_civil(int y, int m, int d);
void settle_civil_from_days(int64_t days, int *y, int *m, int *d);
int settle_date_valid(int y, int m, int d);

/* "YYYY-MM-DDTHH:MM:SS" then "Z" or "+HH:MM"/"-HH:MM". Returns 0 or -1. */
int settle_time_parse_iso(const char *s, size_t len, int64_t *out);

/* Milliseconds since the epoch (digits only), floored to the second. */
int settle_time_parse_epoch_ms(const char *s, size_t len, int64_t *out);

/*
 * A local (+06:00) time by a strptime-like pattern made of %Y %m %d %H %M %S
 * (fixed widths 4/2/2/2/2/2) and literal bytes, e.g. "%d/%m/%Y %H:%M:%S".
 * The whole string must match.
 */
int settle_time_parse_local(const char *pattern, const char *s, size_t len,
    int64_t *out);

/* The business date (days) of an instant at +06:00. */
int64_t settle_business_date(int64_t t);

/* Start of a business date as an instant (00:00 +06:00). */
int64_t settle_date_start(int64_t days);

/* "2026-11-26T08:05:09Z" into buf (>= 21 bytes); returns length. */
size_t settle_time_fmt(int64_t t, char *buf);

/* "YYYY-MM-DD" <-> days.  parse returns 0 or -1. */
int settle_date_parse(const char *s, int64_t *days);
void settle_date_fmt(int64_t days, char *buf);	/* buf >= 11 */

/* Date in a file-name style: "YYYYMMDD", "DDMMYYYY" or "YYYY-MM-DD". */
void settle_date_fmt_style(int64_t days, const char *style, char *buf);

#endif
