/*
 * Unit tests for lib/money: taka and poisha parsing (SPEC §2 and §3), the
 * per-record range rule, checked arithmetic at the int64 bounds and the one
 * half-to-even rounding every share and fee goes through.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "money.h"

struct parse_case {
	const char *s;
	int64_t want;
};

static const struct parse_case taka_good[] = {
	{ "125", 12500 },
	{ "125.5", 12550 },
	{ "125.50", 12550 },
	{ "0.01", 1 },
	{ "0.1", 10 },
	{ "0", 0 },
	{ "0.00", 0 },
	{ "007", 700 },
	{ "251.00", 25100 },
	{ "100000000", INT64_C(10000000000) },
	{ "100000000.01", INT64_C(10000000001) },
	{ "92233720368547758.07", INT64_MAX },
};

Test(money, parse_taka_good)
{
	size_t i;

	for (i = 0; i < sizeof(taka_good) / sizeof(taka_good[0]); i++) {
		int64_t v = -12345;
		int rc = settle_money_parse_taka(taka_good[i].s,
		    strlen(taka_good[i].s), &v);

		cr_expect_eq(rc, 0, "taka '%s': rc %d", taka_good[i].s, rc);
		cr_expect_eq(v, taka_good[i].want, "taka '%s': got %lld, "
		    "want %lld", taka_good[i].s, (long long)v,
		    (long long)taka_good[i].want);
	}
}

static const char *const taka_bad[] = {
	"", "1.234", "1e3", "-1", "+1", " 1", "1 ", "1.", ".5", "1,5", "1.2.3",
	"1..5", "abc", "1.a", "1.-5", "1.+5", "0x10", "12 50", "1_000",
	"\xd9\xa1",			/* an Arabic-Indic digit one */
	"92233720368547758.08",		/* INT64_MAX + 1 poisha */
	"92233720368547759",		/* taka * 100 overflows */
	"99999999999999999999",		/* the digits alone overflow */
	"1.5.", ".", "..", "-0", "+0.50",
};

Test(money, parse_taka_bad)
{
	size_t i;

	for (i = 0; i < sizeof(taka_bad) / sizeof(taka_bad[0]); i++) {
		int64_t v = 0;

		cr_expect_eq(settle_money_parse_taka(taka_bad[i],
		    strlen(taka_bad[i]), &v), -1, "taka '%s' accepted as %lld",
		    taka_bad[i], (long long)v);
	}
}

/* The length argument bounds the input: no NUL terminator is needed. */
Test(money, parse_taka_honours_length)
{
	int64_t v = 0;

	cr_assert_eq(settle_money_parse_taka("125.50xyz", 6, &v), 0);
	cr_assert_eq(v, 12550);
	cr_assert_eq(settle_money_parse_taka("125.50xyz", 3, &v), 0);
	cr_assert_eq(v, 12500);
	cr_assert_eq(settle_money_parse_taka("125.50xyz", 4, &v), -1);
	cr_assert_eq(settle_money_parse_taka("1\0", 2, &v), -1);
	cr_assert_eq(settle_money_parse_taka("", 0, &v), -1);
}

static const struct parse_case poisha_good[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "12550", 12550 },
	{ "0012550", 12550 },
	{ "10000000000", INT64_C(10000000000) },
	{ "9223372036854775807", INT64_MAX },
};

static const char *const poisha_bad[] = {
	"", "12.5", "125.50", "-1", "+1", " 1", "1 ", "1e3", "12,550",
	"9223372036854775808", "99999999999999999999999", "x", "0x1",
};

Test(money, parse_poisha)
{
	size_t i;

	for (i = 0; i < sizeof(poisha_good) / sizeof(poisha_good[0]); i++) {
		int64_t v = -1;

		cr_expect_eq(settle_money_parse_poisha(poisha_good[i].s,
		    strlen(poisha_good[i].s), &v), 0, "poisha '%s' refused",
		    poisha_good[i].s);
		cr_expect_eq(v, poisha_good[i].want, "poisha '%s': got %lld",
		    poisha_good[i].s, (long long)v);
	}
	for (i = 0; i < sizeof(poisha_bad) / sizeof(poisha_bad[0]); i++) {
		int64_t v = 0;

		cr_expect_eq(settle_money_parse_poisha(poisha_bad[i],
		    strlen(poisha_bad[i]), &v), -1, "poisha '%s' accepted as "
		    "%lld", poisha_bad[i], (long long)v);
	}
}

Test(money, in_range)
{
	static const struct {
		int64_t v;
		int want;
	} cases[] = {
		{ 0, 0 },
		{ 1, 1 },
		{ 12550, 1 },
		{ INT64_C(9999999999), 1 },
		{ INT64_C(10000000000), 1 },
		{ INT64_C(10000000001), 0 },
		{ -1, 0 },
		{ INT64_MIN, 0 },
		{ INT64_MAX, 0 },
	};
	size_t i;

	cr_assert_eq(SETTLE_AMOUNT_MAX, INT64_C(10000000000));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(settle_money_in_range(cases[i].v), cases[i].want,
		    "in_range(%lld)", (long long)cases[i].v);
}

/* Parsing and the range rule together, as a charge record reads them. */
Test(money, taka_then_range)
{
	int64_t v;

	cr_assert_eq(settle_money_parse_taka("100000000.00", 12, &v), 0);
	cr_expect(settle_money_in_range(v));
	cr_assert_eq(settle_money_parse_taka("100000000.01", 12, &v), 0);
	cr_expect_not(settle_money_in_range(v));
	cr_assert_eq(settle_money_parse_taka("0.00", 4, &v), 0);
	cr_expect_not(settle_money_in_range(v));
}

struct arith_case {
	int64_t a, b;
	int rc;
	int64_t want;
};

static void
check_arith(const char *what, int (*fn)(int64_t, int64_t, int64_t *),
    const struct arith_case *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t out = 777;
		int rc = fn(c[i].a, c[i].b, &out);

		cr_expect_eq(rc, c[i].rc, "%s(%lld, %lld): rc %d", what,
		    (long long)c[i].a, (long long)c[i].b, rc);
		if (c[i].rc == 0)
			cr_expect_eq(out, c[i].want, "%s(%lld, %lld) = %lld",
			    what, (long long)c[i].a, (long long)c[i].b,
			    (long long)out);
		else
			cr_expect_eq(out, 777, "%s(%lld, %lld): out changed "
			    "on overflow", what, (long long)c[i].a,
			    (long long)c[i].b);
	}
}

Test(money, checked_add)
{
	static const struct arith_case c[] = {
		{ 1, 2, 0, 3 },
		{ -5, 3, 0, -2 },
		{ INT64_MAX, 0, 0, INT64_MAX },
		{ INT64_MAX - 1, 1, 0, INT64_MAX },
		{ INT64_MAX, 1, -1, 0 },
		{ INT64_MAX, INT64_MAX, -1, 0 },
		{ INT64_MIN, -1, -1, 0 },
		{ INT64_MIN, INT64_MIN, -1, 0 },
		{ INT64_MIN, INT64_MAX, 0, -1 },
		{ INT64_MIN + 1, -1, 0, INT64_MIN },
	};

	check_arith("add", settle_money_add, c, sizeof(c) / sizeof(c[0]));
}

Test(money, checked_sub)
{
	static const struct arith_case c[] = {
		{ 5, 3, 0, 2 },
		{ 3, 5, 0, -2 },
		{ INT64_MIN, 1, -1, 0 },
		{ 0, INT64_MIN, -1, 0 },
		{ -1, INT64_MIN, 0, INT64_MAX },
		{ INT64_MAX, -1, -1, 0 },
		{ INT64_MAX, INT64_MAX, 0, 0 },
		{ INT64_MIN + 1, 1, 0, INT64_MIN },
		{ 0, INT64_MAX, 0, -INT64_MAX },
	};

	check_arith("sub", settle_money_sub, c, sizeof(c) / sizeof(c[0]));
}

Test(money, checked_mul)
{
	static const struct arith_case c[] = {
		{ 3, 4, 0, 12 },
		{ -3, 4, 0, -12 },
		{ 0, INT64_MIN, 0, 0 },
		{ INT64_MIN, 1, 0, INT64_MIN },
		{ INT64_MAX, -1, 0, -INT64_MAX },
		{ INT64_MIN, -1, -1, 0 },
		{ -1, INT64_MIN, -1, 0 },
		{ INT64_MAX, 2, -1, 0 },
		{ INT64_MAX / 2 + 1, 2, -1, 0 },
		{ INT64_MAX / 2, 2, 0, INT64_MAX - 1 },
		{ INT64_C(4294967296), INT64_C(4294967296), -1, 0 },
		{ INT64_C(10000000000), 10000, 0, INT64_C(100000000000000) },
		{ INT64_C(92233720368547758), 100, 0,
		    INT64_C(9223372036854775800) },
		{ INT64_C(92233720368547759), 100, -1, 0 },
	};

	check_arith("mul", settle_money_mul, c, sizeof(c) / sizeof(c[0]));
}

Test(money, div_round_half_even)
{
	static const struct {
		int64_t num, den, want;
	} c[] = {
		{ 5, 2, 2 }, { 7, 2, 4 }, { -5, 2, -2 }, { -7, 2, -4 },
		{ 1, 3, 0 }, { 2, 3, 1 }, { -1, 3, 0 }, { -2, 3, -1 },
		{ 1, 2, 0 }, { 3, 2, 2 }, { -1, 2, 0 }, { -3, 2, -2 },
		{ 6, 3, 2 }, { -6, 3, -2 }, { 0, 7, 0 }, { 10, 1, 10 },
		{ 15, 10, 2 }, { 25, 10, 2 }, { 35, 10, 4 }, { 14, 10, 1 },
		{ 16, 10, 2 }, { -15, 10, -2 }, { -25, 10, -2 },
		{ 17250000, 10000, 1725 },	/* 11500 poisha at 1500 bps */
		{ 17251500, 10000, 1725 },	/* 11501 poisha at 1500 bps */
		{ 17255000, 10000, 1726 },	/* exact half, 1725 odd: up */
		{ 17265000, 10000, 1726 },	/* exact half, 1726 even */
		{ INT64_MAX, 1, INT64_MAX },
		{ INT64_MIN, 1, INT64_MIN },
		{ INT64_MAX, 2, INT64_C(4611686018427387904) },
		{ INT64_MIN, 2, INT64_C(-4611686018427387904) },
		{ INT64_MAX, INT64_MAX, 1 },
		{ INT64_MAX / 2, INT64_MAX, 0 },	/* just under one half */
		{ INT64_MAX / 2 + 1, INT64_MAX, 1 },	/* just over */
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cr_expect_eq(settle_money_div_round(c[i].num, c[i].den),
		    c[i].want, "%lld / %lld: got %lld, want %lld",
		    (long long)c[i].num, (long long)c[i].den,
		    (long long)settle_money_div_round(c[i].num, c[i].den),
		    (long long)c[i].want);
}

Test(money, div_round128)
{
	__int128 big = (__int128)INT64_MAX * 10000;
	int64_t out;

	out = 5;
	cr_assert_eq(settle_money_div_round128(big, 10000, &out), 0);
	cr_expect_eq(out, INT64_MAX);

	/* INT64_MAX + 1/2: odd, so half-even goes up, past INT64_MAX. */
	cr_expect_eq(settle_money_div_round128(big + 5000, 10000, &out), -1);
	/* (INT64_MAX - 1) + 1/2: even, stays. */
	cr_assert_eq(settle_money_div_round128((__int128)(INT64_MAX - 1) *
	    10000 + 5000, 10000, &out), 0);
	cr_expect_eq(out, INT64_MAX - 1);
	cr_assert_eq(settle_money_div_round128(-((__int128)(INT64_MAX - 1) *
	    10000 + 5000), 10000, &out), 0);
	cr_expect_eq(out, -(INT64_MAX - 1));

	/* A tiered share of a month far beyond int64 poisha. */
	cr_expect_eq(settle_money_div_round128((__int128)INT64_MAX * 1200,
	    10000, &out), 0);
	cr_expect_eq(out, INT64_C(1106804644422573097));	/* .84 rounds up */
	cr_expect_eq(settle_money_div_round128((__int128)INT64_MAX * 20000,
	    10000, &out), -1);

	cr_assert_eq(settle_money_div_round128(5, 2, &out), 0);
	cr_expect_eq(out, 2);
	cr_assert_eq(settle_money_div_round128(-7, 2, &out), 0);
	cr_expect_eq(out, -4);
	cr_assert_eq(settle_money_div_round128((__int128)INT64_MIN, 1, &out),
	    0);
	cr_expect_eq(out, INT64_MIN);

	cr_expect_eq(settle_money_div_round128(5, 0, &out), -1);
	cr_expect_eq(settle_money_div_round128(5, -2, &out), -1);
}

/* The 64-bit and 128-bit forms agree everywhere the 64-bit one applies. */
Test(money, div_round_forms_agree)
{
	int64_t num, den, out;

	for (num = -60; num <= 60; num++)
		for (den = 1; den <= 12; den++) {
			cr_assert_eq(settle_money_div_round128(num, den, &out),
			    0);
			cr_assert_eq(out, settle_money_div_round(num, den),
			    "%lld / %lld", (long long)num, (long long)den);
			/* Within one half of the exact quotient. */
			cr_assert_leq(2 * (out * den - num) < 0 ?
			    -2 * (out * den - num) : 2 * (out * den - num),
			    den, "%lld / %lld = %lld", (long long)num,
			    (long long)den, (long long)out);
		}
}

Test(money, fmt)
{
	static const struct {
		int64_t v;
		const char *want;
	} c[] = {
		{ 0, "0" }, { 12550, "12550" }, { -500, "-500" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	char buf[24];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		cr_expect_eq(settle_money_fmt(c[i].v, buf), strlen(c[i].want));
		cr_expect_str_eq(buf, c[i].want);
	}
}
