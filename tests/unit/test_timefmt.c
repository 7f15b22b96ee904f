/*
 * Unit tests for lib/timefmt: ISO 8601 instants with Z or an offset, epoch
 * milliseconds floored to the second, local +06:00 patterns, business dates
 * at the +06:00 boundary, and independence from the machine's TZ.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into a static buffer. */
static const char *
fmt(int64_t t)
{
	static char buf[32];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = settle_time_fmt(t, buf);
	cr_assert_eq(n, 20, "settle_time_fmt(%lld) length %zu", (long long)t,
	    n);
	return buf;
}

static const char *
datefmt(int64_t days)
{
	static char buf[16];

	memset(buf, 'x', sizeof(buf));
	settle_date_fmt(days, buf);
	return buf;
}

static const struct {
	const char *in, *utc;
} iso_good[] = {
	{ "2026-11-26T14:05:09+06:00", "2026-11-26T08:05:09Z" },
	{ "2026-11-26T08:05:09Z", "2026-11-26T08:05:09Z" },
	{ "2026-11-26T02:05:09-06:00", "2026-11-26T08:05:09Z" },
	{ "2026-11-26T03:00:00+05:30", "2026-11-25T21:30:00Z" },
	{ "2026-11-26T08:05:09+00:00", "2026-11-26T08:05:09Z" },
	{ "2026-11-26T08:05:09-00:00", "2026-11-26T08:05:09Z" },
	{ "2026-01-01T05:59:59+06:00", "2025-12-31T23:59:59Z" },
	{ "2026-12-31T23:59:59-06:00", "2027-01-01T05:59:59Z" },
	{ "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z" },
	{ "2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z" },
	{ "1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z" },
	{ "1970-01-01T05:00:00+06:00", "1969-12-31T23:00:00Z" },
	{ "2026-11-26T23:59:59+23:59", "2026-11-26T00:00:59Z" },
	{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
};

Test(timefmt, iso_good)
{
	size_t i;

	for (i = 0; i < sizeof(iso_good) / sizeof(iso_good[0]); i++) {
		int64_t t = -42;

		cr_expect_eq(settle_time_parse_iso(iso_good[i].in,
		    strlen(iso_good[i].in), &t), 0, "'%s' refused",
		    iso_good[i].in);
		cr_expect_str_eq(fmt(t), iso_good[i].utc, "'%s'",
		    iso_good[i].in);
	}
}

Test(timefmt, iso_exact_values)
{
	int64_t t;

	cr_assert_eq(settle_time_parse_iso("2026-11-26T14:05:09+06:00", 25,
	    &t), 0);
	cr_expect_eq(t, INT64_C(1795680309));
	cr_assert_eq(settle_time_parse_iso("1970-01-01T00:00:00Z", 20, &t), 0);
	cr_expect_eq(t, 0);
	cr_assert_eq(settle_time_parse_iso("2024-02-29T00:00:00Z", 20, &t), 0);
	cr_expect_eq(t, INT64_C(1709164800));
	cr_assert_eq(settle_time_parse_iso("9999-12-31T23:59:59Z", 20, &t), 0);
	cr_expect_eq(t, INT64_C(253402300799));
}

static const char *const iso_bad[] = {
	"",
	"2026-11-26T14:05:09.123+06:00",	/* fractions */
	"2026-11-26T14:05:09.5Z",
	"2026-11-26T14:05:09,5Z",
	"2026-11-26T14:05:09",			/* no offset */
	"2026-11-26T14:05",
	"2026-11-26",
	"2026-11-26 14:05:09Z",			/* space for T */
	"2026-11-26t14:05:09Z",
	"2026-11-26T14:05:09z",
	"2026-11-26T24:10:00Z",
	"2026-11-26T24:00:00Z",
	"2026-11-26T23:60:00Z",
	"2026-11-26T23:59:60Z",			/* no leap seconds */
	"2026-02-30T00:00:00Z",
	"2025-02-29T00:00:00Z",			/* 2025 is not leap */
	"2100-02-29T00:00:00Z",			/* nor is 2100 */
	"2026-04-31T00:00:00Z",
	"2026-13-01T00:00:00Z",
	"2026-00-10T00:00:00Z",
	"2026-11-00T00:00:00Z",
	"2026-11-32T00:00:00Z",
	"2026-11-26T14:05:09+0600",
	"2026-11-26T14:05:09+06",
	"2026-11-26T14:05:09+6:00",
	"2026-11-26T14:05:09+24:00",
	"2026-11-26T14:05:09+06:60",
	"2026-11-26T14:05:09 +06:00",
	"2026-11-26T14:05:09*06:00",
	"2026-11-26T14:05:09+06-00",
	"2026-11-26T14:05:09Z ",
	" 2026-11-26T14:05:09Z",
	"2026-1-26T14:05:09Z",
	"+026-11-26T14:05:09Z",
	"2026-11-26T1a:05:09Z",
	"2026/11/26T14:05:09Z",
	"2026-11-26T14-05-09Z",
	"1969-12-31T23:59:59Z",
	"20261126T140509Z",
	"2026-11-26T14:05:09+06:00Z",
};

Test(timefmt, iso_bad)
{
	size_t i;

	for (i = 0; i < sizeof(iso_bad) / sizeof(iso_bad[0]); i++) {
		int64_t t = 0;

		cr_expect_eq(settle_time_parse_iso(iso_bad[i],
		    strlen(iso_bad[i]), &t), -1, "'%s' accepted as %lld",
		    iso_bad[i], (long long)t);
	}
}

Test(timefmt, iso_honours_length)
{
	int64_t t;

	cr_assert_eq(settle_time_parse_iso("2026-11-26T08:05:09Zjunk", 20, &t),
	    0);
	cr_expect_eq(t, INT64_C(1795680309));
	cr_expect_eq(settle_time_parse_iso("2026-11-26T08:05:09Z", 19, &t), -1);
}

Test(timefmt, epoch_ms)
{
	static const struct {
		const char *s;
		int64_t want;
	} ok[] = {
		{ "1795680309999", INT64_C(1795680309) },
		{ "1795680309000", INT64_C(1795680309) },
		{ "1795680309001", INT64_C(1795680309) },
		{ "0", 0 },
		{ "999", 0 },
		{ "1000", 1 },
		{ "0001795680309", INT64_C(1795680) },
		/* Leading zeros do not count against the range. */
		{ "0001795845600000", INT64_C(1795845600) },
		{ "000000000000000001795680309999", INT64_C(1795680309) },
	};
	static const char *const no[] = {
		"", "-1000", "1795680309.999", "1e3", " 1795680309000",
		"1795680309000 ", "+1795680309000", "1234567890123456",
		"253402300800000",
		"99999999999999999999", "0x10", "17956803O9000",
	};
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		t = -42;
		cr_expect_eq(settle_time_parse_epoch_ms(ok[i].s, strlen(ok[i].s),
		    &t), 0, "'%s' refused", ok[i].s);
		cr_expect_eq(t, ok[i].want, "'%s' -> %lld", ok[i].s,
		    (long long)t);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_expect_eq(settle_time_parse_epoch_ms(no[i], strlen(no[i]),
		    &t), -1, "'%s' accepted", no[i]);
	cr_assert_eq(settle_time_parse_epoch_ms("1795680309999", 13, &t), 0);
	cr_expect_str_eq(fmt(t), "2026-11-26T08:05:09Z");
	/* The year 9999 in milliseconds still reads. */
	cr_assert_eq(settle_time_parse_epoch_ms("253402300799999", 15, &t), 0);
	cr_expect_eq(t, INT64_C(253402300799));
}

static const struct {
	const char *pat, *in, *utc;
} local_good[] = {
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 14:05:09", "2026-11-26T08:05:09Z" },
	{ "%Y%m%d%H%M%S", "20261126140509", "2026-11-26T08:05:09Z" },
	{ "%Y%m%d%H%M%S", "20261127055959", "2026-11-26T23:59:59Z" },
	{ "%Y%m%d%H%M%S", "20261127060000", "2026-11-27T00:00:00Z" },
	{ "%d/%m/%Y %H:%M:%S", "01/01/2026 00:00:00", "2025-12-31T18:00:00Z" },
	{ "%Y-%m-%d %H:%M:%S", "2026-11-26 10:01:02", "2026-11-26T04:01:02Z" },
	{ "%Y%m%d%H%M%S", "20240229235959", "2024-02-29T17:59:59Z" },
	{ "%d/%m/%Y", "26/11/2026", "2026-11-25T18:00:00Z" },
};

static const struct {
	const char *pat, *in;
} local_bad[] = {
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 14:05" },
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 14:05:09 " },
	{ "%d/%m/%Y %H:%M:%S", " 26/11/2026 14:05:09" },
	{ "%d/%m/%Y %H:%M:%S", "26-11-2026 14:05:09" },
	{ "%d/%m/%Y %H:%M:%S", "30/02/2026 10:00:00" },
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 24:00:00" },
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 14:60:00" },
	{ "%d/%m/%Y %H:%M:%S", "26/11/2026 14:05:60" },
	{ "%d/%m/%Y %H:%M:%S", "6/11/2026 14:05:09" },
	{ "%d/%m/%Y %H:%M:%S", "26/11/26 14:05:09" },
	{ "%d/%m/%Y %H:%M:%S", "" },
	{ "%Y%m%d%H%M%S", "2026112614050" },
	{ "%Y%m%d%H%M%S", "202611261405091" },
	{ "%Y%m%d%H%M%S", "2a261126140509" },
	{ "%Y%m%d%H%M%S", "20250229000000" },
	{ "%Y%m%d%H%M%S", "20261301000000" },
	{ "%Y%m%d%H%M%S", "20261100000000" },
	{ "%Y%m%d%H%M%S", "19691231235959" },
	{ "%Y%m%d%H%M%S", "-0261126140509" },
	{ "%Y-%m-%d %H:%M:%S", "2026-11-26T10:01:02" },
	{ "%Y-%m-%d %H:%M:%S", "2026-11-26 10:01:02+06:00" },
	{ "%Y%m%d%Q", "20261126x" },		/* unknown conversion */
	{ "%H:%M:%S", "10:00:00" },		/* no date at all */
};

Test(timefmt, local_patterns)
{
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(local_good) / sizeof(local_good[0]); i++) {
		t = -42;
		cr_expect_eq(settle_time_parse_local(local_good[i].pat,
		    local_good[i].in, strlen(local_good[i].in), &t), 0,
		    "'%s' by '%s' refused", local_good[i].in,
		    local_good[i].pat);
		cr_expect_str_eq(fmt(t), local_good[i].utc, "'%s' by '%s'",
		    local_good[i].in, local_good[i].pat);
	}
	for (i = 0; i < sizeof(local_bad) / sizeof(local_bad[0]); i++)
		cr_expect_eq(settle_time_parse_local(local_bad[i].pat,
		    local_bad[i].in, strlen(local_bad[i].in), &t), -1,
		    "'%s' by '%s' accepted", local_bad[i].in,
		    local_bad[i].pat);
}

/* The same instant read three ways, as GP, BL and TT write it. */
Test(timefmt, dialects_agree)
{
	int64_t a, b, c, d;

	cr_assert_eq(settle_time_parse_iso("2026-11-26T14:05:09+06:00", 25,
	    &a), 0);
	cr_assert_eq(settle_time_parse_local("%d/%m/%Y %H:%M:%S",
	    "26/11/2026 14:05:09", 19, &b), 0);
	cr_assert_eq(settle_time_parse_local("%Y%m%d%H%M%S", "20261126140509",
	    14, &c), 0);
	cr_assert_eq(settle_time_parse_epoch_ms("1795680309000", 13, &d), 0);
	cr_expect_eq(a, b);
	cr_expect_eq(a, c);
	cr_expect_eq(a, d);
}

Test(timefmt, business_date_boundary)
{
	static const struct {
		const char *utc, *date;
	} c[] = {
		{ "2026-11-26T17:59:59Z", "2026-11-26" },
		{ "2026-11-26T18:00:00Z", "2026-11-27" },
		{ "2026-11-25T18:00:00Z", "2026-11-26" },
		{ "2026-11-25T17:59:59Z", "2026-11-25" },
		{ "2026-11-26T00:00:00Z", "2026-11-26" },
		{ "2026-12-31T18:00:00Z", "2027-01-01" },
		{ "2024-02-28T18:00:00Z", "2024-02-29" },
		{ "1970-01-01T00:00:00Z", "1970-01-01" },
	};
	size_t i;
	int64_t t;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(settle_time_parse_iso(c[i].utc, strlen(c[i].utc),
		    &t), 0);
		cr_expect_str_eq(datefmt(settle_business_date(t)), c[i].date,
		    "business date of %s", c[i].utc);
	}
	/* Before the epoch the division must floor, not truncate. */
	cr_expect_eq(settle_business_date(-6 * 3600), 0);
	cr_expect_eq(settle_business_date(-6 * 3600 - 1), -1);
	cr_expect_eq(settle_business_date(-30 * 3600 - 1), -2);
	cr_expect_str_eq(datefmt(-1), "1969-12-31");
}

Test(timefmt, date_start)
{
	int64_t d, t;

	cr_assert_eq(settle_date_parse("2026-11-27", &d), 0);
	cr_assert_eq(settle_time_parse_iso("2026-11-26T18:00:00Z", 20, &t), 0);
	cr_expect_eq(settle_date_start(d), t);
	cr_expect_eq(settle_business_date(settle_date_start(d)), d);
	cr_expect_eq(settle_business_date(settle_date_start(d) - 1), d - 1);
	cr_expect_eq(settle_date_start(0), -6 * 3600);
}

Test(timefmt, date_parse_fmt)
{
	static const char *const bad[] = {
		"", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-01",
		"2026-11-00", "2026-11-26 ", " 2026-11-26", "26-11-2026",
		"2026/11/26", "2026-11-2", "20261126", "1969-12-31",
		"2026-11-26T00:00:00Z", "2O26-11-26",
	};
	char buf[16];
	int64_t d;
	size_t i;

	cr_assert_eq(settle_date_parse("2026-11-26", &d), 0);
	cr_expect_eq(d, 20783);
	settle_date_fmt(d, buf);
	cr_expect_str_eq(buf, "2026-11-26");
	cr_assert_eq(settle_date_parse("1970-01-01", &d), 0);
	cr_expect_eq(d, 0);
	cr_assert_eq(settle_date_parse("2024-02-29", &d), 0);
	cr_expect_str_eq(datefmt(d), "2024-02-29");
	cr_assert_eq(settle_date_parse("2026-09-07", &d), 0);
	cr_expect_eq(d, 20783 - 80);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(settle_date_parse(bad[i], &d), -1, "'%s' accepted",
		    bad[i]);
}

Test(timefmt, date_fmt_style)
{
	static const struct {
		const char *iso, *style, *want;
	} c[] = {
		{ "2026-11-26", "YYYYMMDD", "20261126" },
		{ "2026-11-26", "DDMMYYYY", "26112026" },
		{ "2026-11-26", "YYYY-MM-DD", "2026-11-26" },
		{ "2026-01-05", "YYYYMMDD", "20260105" },
		{ "2026-01-05", "DDMMYYYY", "05012026" },
		{ "2026-01-05", "YYYY-MM-DD", "2026-01-05" },
		{ "2024-02-29", "DDMMYYYY", "29022024" },
	};
	char buf[16];
	int64_t d;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_assert_eq(settle_date_parse(c[i].iso, &d), 0);
		memset(buf, 'x', sizeof(buf));
		settle_date_fmt_style(d, c[i].style, buf);
		cr_expect_str_eq(buf, c[i].want, "%s as %s", c[i].iso,
		    c[i].style);
	}
}

Test(timefmt, time_fmt)
{
	cr_expect_str_eq(fmt(0), "1970-01-01T00:00:00Z");
	cr_expect_str_eq(fmt(-1), "1969-12-31T23:59:59Z");
	cr_expect_str_eq(fmt(INT64_C(1795680309)), "2026-11-26T08:05:09Z");
	cr_expect_str_eq(fmt(INT64_C(951825600)), "2000-02-29T12:00:00Z");
	cr_expect_str_eq(fmt(INT64_C(253402300799)), "9999-12-31T23:59:59Z");
}

/* The digit-by-digit form equals printf's, years 0 to 9999 and beyond. */
Test(timefmt, time_fmt_matches_printf)
{
	char got[32], want[32];
	int64_t t, days, sec;
	size_t n, wn;
	int y, m, d;

	for (t = INT64_C(-62167219200); t < INT64_C(1000000000000);
	    t += INT64_C(1234567891)) {
		days = t / 86400 - (t % 86400 < 0);
		sec = t - days * 86400;
		settle_civil_from_days(days, &y, &m, &d);
		wn = (size_t)snprintf(want, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
		    (int)(sec % 60));
		n = settle_time_fmt(t, got);
		cr_assert_str_eq(got, want, "t %lld", (long long)t);
		cr_assert_eq(n, wn, "t %lld", (long long)t);
	}
}

/* Civil dates and day numbers agree across leap years and centuries. */
Test(timefmt, civil_round_trip)
{
	int64_t z, prev = -1;
	int y, m, d, py = 1969, pm = 12, pd = 31;

	for (z = 0; z < 366 * 140; z++) {
		settle_civil_from_days(z, &y, &m, &d);
		cr_assert(settle_date_valid(y, m, d), "day %lld: %d-%d-%d",
		    (long long)z, y, m, d);
		cr_assert_eq(settle_days_from_civil(y, m, d), z,
		    "%04d-%02d-%02d", y, m, d);
		/* Each day follows the one before it. */
		if (d != pd + 1)
			cr_assert(d == 1 && (m == pm + 1 || (m == 1 &&
			    pm == 12 && y == py + 1)), "after %d-%d-%d "
			    "comes %d-%d-%d", py, pm, pd, y, m, d);
		py = y;
		pm = m;
		pd = d;
		prev = z;
	}
	cr_expect_eq(prev, 366 * 140 - 1);
	cr_expect_eq(settle_days_from_civil(2000, 3, 1) -
	    settle_days_from_civil(2000, 2, 28), 2);
	cr_expect_eq(settle_days_from_civil(2100, 3, 1) -
	    settle_days_from_civil(2100, 2, 28), 1);
	cr_expect_not(settle_date_valid(2026, 2, 29));
	cr_expect(settle_date_valid(2024, 2, 29));
	cr_expect_not(settle_date_valid(2026, 4, 31));
	cr_expect_not(settle_date_valid(2026, 0, 1));
	cr_expect_not(settle_date_valid(2026, 1, 0));
}

/* Run a fixed set of conversions; the results go into out[]. */
static void
conversions(int64_t out[8])
{
	int64_t d;

	cr_assert_eq(settle_time_parse_iso("2026-11-26T14:05:09+06:00", 25,
	    &out[0]), 0);
	cr_assert_eq(settle_time_parse_local("%d/%m/%Y %H:%M:%S",
	    "26/11/2026 14:05:09", 19, &out[1]), 0);
	cr_assert_eq(settle_time_parse_local("%Y%m%d%H%M%S", "20260315023000",
	    14, &out[2]), 0);
	cr_assert_eq(settle_time_parse_epoch_ms("1795680309999", 13, &out[3]),
	    0);
	out[4] = settle_business_date(INT64_C(1795715999));
	out[5] = settle_business_date(INT64_C(1795716000));
	cr_assert_eq(settle_date_parse("2026-03-29", &d), 0);
	out[6] = settle_date_start(d);
	cr_assert_eq(settle_time_parse_iso("2026-03-08T02:30:00Z", 20,
	    &out[7]), 0);
}

Test(timefmt, independent_of_tz)
{
	static const char *const zones[] = {
		"America/New_York", "Asia/Dhaka", "Pacific/Kiritimati",
		"UTC+12", "EST5EDT,M3.2.0,M11.1.0",
	};
	int64_t base[8], got[8];
	size_t i;
	int k;

	unsetenv("TZ");
	tzset();
	conversions(base);
	cr_expect_eq(base[0], INT64_C(1795680309));
	cr_expect_eq(base[1], INT64_C(1795680309));
	cr_expect_eq(base[3], INT64_C(1795680309));
	cr_expect_str_eq(datefmt(base[4]), "2026-11-26");
	cr_expect_str_eq(datefmt(base[5]), "2026-11-27");
	cr_expect_str_eq(fmt(base[2]), "2026-03-14T20:30:00Z");
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		cr_assert_eq(setenv("TZ", zones[i], 1), 0);
		tzset();
		conversions(got);
		for (k = 0; k < 8; k++)
			cr_expect_eq(got[k], base[k], "TZ=%s: conversion %d "
			    "gave %lld, not %lld", zones[i], k,
			    (long long)got[k], (long long)base[k]);
		cr_expect_str_eq(fmt(got[0]), "2026-11-26T08:05:09Z", "TZ=%s",
		    zones[i]);
	}
}

/* The digit-by-digit date agrees with the formatted one, years 0 to 9999. */
Test(timefmt, date_fmt_matches_style)
{
	char a[16], b[16];
	int64_t d;

	for (d = -719468; d < 2932897; d += 7) {
		settle_date_fmt(d, a);
		settle_date_fmt_style(d, "YYYY-MM-DD", b);
		cr_assert_str_eq(a, b, "day %lld", (long long)d);
	}
	settle_date_fmt(INT64_C(2932896), a);
	cr_assert_str_eq(a, "9999-12-31");
	settle_date_fmt(INT64_C(-719468), a);
	cr_assert_str_eq(a, "0000-03-01");
}
