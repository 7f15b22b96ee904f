/*
 * Time parsing and formatting without the C library's time zone machinery:
 * every conversion is integer arithmetic on the proleptic Gregorian
 * calendar, so that results never depend on the machine's TZ.
 */
#include <stdio.h>
#include <string.h>

#include "timefmt.h"

int64_t
settle_days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void
settle_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
settle_date_valid(int y, int m, int d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

static int
num(const char *s, int w, int *out)
{
	int i, v = 0;

	for (i = 0; i < w; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
civil_to_instant(int y, int mo, int d, int h, int mi, int se, int64_t *out)
{
	if (!settle_date_valid(y, mo, d) || h > 23 || mi > 59 || se > 59)
		return -1;
	*out = settle_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    se;
	return 0;
}

int
settle_time_parse_iso(const char *s, size_t len, int64_t *out)
{
	int y, mo, d, h, mi, se, oh, om;
	int64_t t;

	if (len != 20 && len != 25)
		return -1;
	if (num(s, 4, &y) || s[4] != '-' || num(s + 5, 2, &mo) ||
	    s[7] != '-' || num(s + 8, 2, &d) || s[10] != 'T' ||
	    num(s + 11, 2, &h) || s[13] != ':' || num(s + 14, 2, &mi) ||
	    s[16] != ':' || num(s + 17, 2, &se))
		return -1;
	if (civil_to_instant(y, mo, d, h, mi, se, &t) < 0)
		return -1;
	if (len == 20) {
		if (s[19] != 'Z')
			return -1;
	} else {
		if ((s[19] != '+' && s[19] != '-') || num(s + 20, 2, &oh) ||
		    s[22] != ':' || num(s + 23, 2, &om) || oh > 23 || om > 59)
			return -1;
		if (s[19] == '+')
			t -= oh * 3600 + om * 60;
		else
			t += oh * 3600 + om * 60;
	}
	*out = t;
	return 0;
}

int
settle_time_parse_epoch_ms(const char *s, size_t len, int64_t *out)
{
	/* The last millisecond of 9999-12-31: later instants are bad. */
	const int64_t max = INT64_C(253402300799999);
	int64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > max)
			return -1;
	}
	*out = v / 1000;
	return 0;
}

int
settle_time_parse_local(const char *pat, const char *s, size_t len,
    int64_t *out)
{
	int y = -1, mo = -1, d = -1, h = 0, mi = 0, se = 0, w, *dst;
	size_t i = 0;
	int64_t t;

	for (; *pat != '\0'; pat++) {
		if (*pat != '%') {
			if (i >= len || s[i] != *pat)
				return -1;
			i++;
			continue;
		}
		pat++;
		switch (*pat) {
		case 'Y': dst = &y; w = 4; break;
		case 'm': dst = &mo; w = 2; break;
		case 'd': dst = &d; w = 2; break;
		case 'H': dst = &h; w = 2; break;
		case 'M': dst = &mi; w = 2; break;
		case 'S': dst = &se; w = 2; break;
		default: return -1;
		}
		if (i + (size_t)w > len || num(s + i, w, dst) < 0)
			return -1;
		i += (size_t)w;
	}
	if (i != len || civil_to_instant(y, mo, d, h, mi, se, &t) < 0)
		return -1;
	*out = t - SETTLE_BD_OFFSET;
	return 0;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t
settle_business_date(int64_t t)
{
	return floordiv(t + SETTLE_BD_OFFSET, 86400);
}

int64_t
settle_date_start(int64_t days)
{
	return days * 86400 - SETTLE_BD_OFFSET;
}

/* v (0..99) as two digits. */
static void
put2(char *p, int v)
{
	static const char pairs[] =
	    "0001020304050607080910111213141516171819"
	    "2021222324252627282930313233343536373839"
	    "4041424344454647484950515253545556575859"
	    "6061626364656667686970717273747576777879"
	    "8081828384858687888990919293949596979899";

	memcpy(p, pairs + v * 2, 2);
}

/*
 * Every output row carries an instant, so the common years are written
 * digit by digit; others keep printf's form (cut at 20 bytes).
 */
size_t
settle_time_fmt(int64_t t, char *buf)
{
	int64_t days = floordiv(t, 86400), sec = t - days * 86400;
	int y, m, d;

	settle_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return (size_t)snprintf(buf, 21, "%04d-%02d-%02dT%02d:%02d:"
		    "%02dZ", y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
		    (int)(sec % 60));
	put2(buf, y / 100);
	put2(buf + 2, y % 100);
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, (int)(sec / 3600));
	buf[13] = ':';
	put2(buf + 14, (int)(sec / 60 % 60));
	buf[16] = ':';
	put2(buf + 17, (int)(sec % 60));
	buf[19] = 'Z';
	buf[20] = '\0';
	return 20;
}

int
settle_date_parse(const char *s, int64_t *days)
{
	int y, m, d;

	if (strlen(s) != 10 || num(s, 4, &y) || s[4] != '-' ||
	    num(s + 5, 2, &m) || s[7] != '-' || num(s + 8, 2, &d) ||
	    !settle_date_valid(y, m, d))
		return -1;
	*days = settle_days_from_civil(y, m, d);
	return 0;
}

void
settle_date_fmt(int64_t days, char *buf)
{
	int y, m, d;

	settle_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		settle_date_fmt_style(days, "YYYY-MM-DD", buf);
		return;
	}
	/* Digit by digit: the state file writes one a line. */
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

void
settle_date_fmt_style(int64_t days, const char *style, char *buf)
{
	int y, m, d;

	settle_civil_from_days(days, &y, &m, &d);
	if (strcmp(style, "YYYYMMDD") == 0)
		snprintf(buf, 11, "%04d%02d%02d", y, m, d);
	else if (strcmp(style, "DDMMYYYY") == 0)
		snprintf(buf, 11, "%02d%02d%04d", d, m, y);
	else
		snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
}
