/*
 * Money parsing, checked arithmetic and the one half-even rounding.
 */
#include <stdio.h>

#include "money.h"

static int
parse_digits(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
settle_money_parse_poisha(const char *s, size_t len, int64_t *out)
{
	return parse_digits(s, len, out);
}

int
settle_money_parse_taka(const char *s, size_t len, int64_t *out)
{
	size_t i, whole, frac;
	int64_t t, f = 0, v;

	for (i = 0; i < len && s[i] != '.'; i++)
		;
	whole = i;
	if (parse_digits(s, whole, &t) < 0)
		return -1;
	if (whole < len) {
		frac = len - whole - 1;
		if (frac < 1 || frac > 2)
			return -1;
		if (parse_digits(s + whole + 1, frac, &f) < 0)
			return -1;
		if (frac == 1)
			f *= 10;
	}
	if (settle_money_mul(t, 100, &v) < 0 || settle_money_add(v, f, &v) < 0)
		return -1;
	*out = v;
	return 0;
}

int
settle_money_in_range(int64_t v)
{
	return v > 0 && v <= SETTLE_AMOUNT_MAX;
}

int
settle_money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
settle_money_sub(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
settle_money_mul(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return -1;
	*out = r;
	return 0;
}

int
settle_money_div_round128(__int128 num, int64_t den, int64_t *out)
{
	__int128 q, r, twice;
	int neg = num < 0;

	if (den <= 0)
		return -1;
	if (neg)
		num = -num;
	q = num / den;
	r = num % den;
	twice = r * 2;
	if (twice > den || (twice == den && (q & 1) != 0))
		q++;
	if (neg)
		q = -q;
	if (q > INT64_MAX || q < INT64_MIN)
		return -1;
	*out = (int64_t)q;
	return 0;
}

int64_t
settle_money_div_round(int64_t num, int64_t den)
{
	int64_t out = 0;

	(void)settle_money_div_round128((__int128)num, den, &out);
	return out;
}

size_t
settle_money_fmt(int64_t v, char *buf)
{
	return (size_t)snprintf(buf, 24, "%lld", (long long)v);
}
