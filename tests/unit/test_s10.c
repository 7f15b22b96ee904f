/*
 * Unit tests for lib/s10: UPU S10 check digits (weights 8 6 4 2 3 5 9 7,
 * c = 11 - s mod 11, 10 -> 0, 11 -> 5), tracking numbers and post codes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "s10.h"

/* The SPEC's rule written out again, to check the library against. */
static int
ref_check_digit(const char *d)
{
	static const int w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	int s = 0, i, c;

	for (i = 0; i < 8; i++)
		s += (d[i] - '0') * w[i];
	c = 11 - s % 11;
	return c == 10 ? 0 : c == 11 ? 5 : c;
}

Test(s10, check_digit_cases)
{
	static const struct {
		const char *digits;
		int want;
		const char *why;
	} c[] = {
		{ "12345678", 5, "the SPEC's example: s = 204, c = 5" },
		{ "00000000", 5, "s = 0: c = 11 becomes 5" },
		{ "99999999", 5, "s = 396 = 36 * 11: c = 11 becomes 5" },
		{ "00004000", 0, "s = 12, s mod 11 = 1: c = 10 becomes 0" },
		{ "00000010", 2, "s = 9: c = 2" },
		{ "10000000", 3, "s = 8: c = 3" },
		{ "00000001", 4, "s = 7: c = 4" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		cr_expect_eq(settle_s10_check_digit(c[i].digits), c[i].want,
		    "%s (%s)", c[i].digits, c[i].why);
		cr_expect_eq(ref_check_digit(c[i].digits), c[i].want,
		    "reference: %s", c[i].digits);
	}
}

/* Every residue of s mod 11 over a sweep of digit strings. */
Test(s10, check_digit_sweep)
{
	char d[16];
	int seen[12] = { 0 };
	unsigned long x = 12345;
	int i, c;

	for (i = 0; i < 20000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		snprintf(d, sizeof(d), "%08lu", (x >> 20) % 100000000UL);
		c = settle_s10_check_digit(d);
		cr_assert_eq(c, ref_check_digit(d), "%s", d);
		cr_assert(c >= 0 && c <= 9, "%s: check digit %d", d, c);
		seen[c]++;
	}
	/* c = 1 .. 9 directly, 0 via c = 10 and 5 via c = 11 as well. */
	for (c = 0; c <= 9; c++)
		cr_expect_gt(seen[c], 0, "check digit %d never seen", c);
}

Test(s10, valid_numbers)
{
	static const char *const ok[] = {
		"EE123456785BD",
		"EE000000005BD",	/* c = 11 -> 5 */
		"RR000040000BD",	/* c = 10 -> 0 */
		"CP100000003BD",
		"LX000000014BD",
		"ZZ999999995BD",	/* s = 396: c = 11 -> 5 */
	};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_expect(settle_s10_valid(ok[i], strlen(ok[i])), "'%s' refused",
		    ok[i]);
}

Test(s10, invalid_numbers)
{
	static const char *const no[] = {
		"",
		"EE123456784BD",	/* wrong check digit */
		"EE123456780BD",
		"EE000000000BD",	/* c = 11 must be 5, not 0 */
		"EE000040005BD",	/* c = 10 must be 0, not 5 */
		"ee123456785BD",	/* lowercase service letters */
		"eE123456785BD",
		"EE123456785bd",	/* lowercase country */
		"EE123456785Bd",
		"EE123456785IN",	/* another country */
		"EE123456785DB",
		"EE12345678BD",		/* 12: a digit missing */
		"EE1234567855BD",	/* 14 */
		"EE123456785BDX",
		"XEE123456785BD",
		"E1123456785BD",	/* a digit where a letter goes */
		"1E123456785BD",
		"EE12345678XBD",	/* a letter for the check digit */
		"EE1234A6785BD",
		"EE 23456785BD",
		"\xc3\x89""E123456785BD",	/* E with an accent */
	};
	size_t i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_expect_not(settle_s10_valid(no[i], strlen(no[i])),
		    "'%s' accepted", no[i]);
}

Test(s10, honours_length)
{
	cr_expect(settle_s10_valid("EE123456785BDxyz", 13));
	cr_expect_not(settle_s10_valid("EE123456785BD", 12));
}

Test(s10, post_codes)
{
	static const struct {
		const char *s;
		int want;
	} c[] = {
		{ "1000", 1 }, { "1207", 1 }, { "9499", 1 }, { "4000", 1 },
		{ "0999", 0 }, { "0000", 0 }, { "9500", 0 }, { "9999", 0 },
		{ "12A4", 0 }, { "123", 0 }, { "12345", 0 }, { "", 0 },
		{ " 1207", 0 }, { "1207 ", 0 }, { "-123", 0 }, { "+123", 0 },
		{ "999", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		cr_expect_eq(settle_postcode_valid(c[i].s, strlen(c[i].s)),
		    c[i].want, "post code '%s'", c[i].s);
	cr_expect(settle_postcode_valid("12079", 4));
	cr_expect_not(settle_postcode_valid("1207", 3));
}
