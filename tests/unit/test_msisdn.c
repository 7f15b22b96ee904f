/*
 * Unit tests for lib/msisdn: every input form SPEC §2 allows normalises to
 * the 13-digit "8801" + [3-9] + 8 digits, and nothing else does.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "msisdn.h"

static const struct {
	const char *in;
	const char *want;
} good[] = {
	{ "8801712345678", "8801712345678" },
	{ "+8801712345678", "8801712345678" },
	{ "008801712345678", "8801712345678" },
	{ "01712345678", "8801712345678" },
	{ "+880 1712-345678", "8801712345678" },
	{ "880-17-1234-5678", "8801712345678" },
	{ "+880 1912-345678", "8801912345678" },
	{ "00 880 1812 345678", "8801812345678" },
	{ "0151-2345678", "8801512345678" },
	{ " 01712345678 ", "8801712345678" },
	{ "01312345678", "8801312345678" },
	{ "01412345678", "8801412345678" },
	{ "01612345678", "8801612345678" },
	{ "01812345678", "8801812345678" },
	{ "01912345678", "8801912345678" },
	{ "8801300000000", "8801300000000" },
	{ "8801999999999", "8801999999999" },
};

Test(msisdn, normalises_every_form)
{
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char out[32];

		memset(out, 'x', sizeof(out));
		cr_expect_eq(settle_msisdn_norm(good[i].in, strlen(good[i].in),
		    out), 0, "'%s' refused", good[i].in);
		cr_expect_eq(out[SETTLE_MSISDN_LEN], '\0', "'%s': not "
		    "terminated", good[i].in);
		out[SETTLE_MSISDN_LEN] = '\0';
		cr_expect_str_eq(out, good[i].want, "'%s' -> '%s'", good[i].in,
		    out);
	}
}

static const char *const bad[] = {
	"",
	"+1 202-555-0143",
	"12025550143",
	"8801212345678",	/* digit after 8801 must be 3-9 */
	"8801012345678",
	"8801112345678",
	"01212345678",
	"01012345678",
	"0171234567",		/* national, one digit short */
	"017123456789",		/* national, one digit long */
	"880171234567",		/* international, short */
	"88017123456789",	/* international, long */
	"+01712345678",		/* '+' needs the country code */
	"0001712345678",	/* "00" needs the country code */
	"001712345678",
	"+",
	"00",
	"880",
	"+880",
	"0171234567a",
	"01712345678x",
	"O1712345678",		/* a capital O */
	"01712.345678",
	"01712\t345678",
	"(017) 12345678",
	"++8801712345678",
	"+008801712345678",
	"8+801712345678",
	"0088+01712345678",
	"9901712345678",
	"8811712345678",
	"0171234567890123456789012345678901234567890",
	"\xd9\xa0\xd9\xa1\xd9\xa7",	/* Arabic-Indic digits */
};

Test(msisdn, refuses_everything_else)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[32] = "";

		cr_expect_eq(settle_msisdn_norm(bad[i], strlen(bad[i]), out),
		    -1, "'%s' accepted as '%s'", bad[i], out);
	}
}

Test(msisdn, honours_length_and_nul)
{
	char out[32];

	cr_assert_eq(settle_msisdn_norm("01712345678999", 11, out), 0);
	cr_expect_str_eq(out, "8801712345678");
	cr_expect_eq(settle_msisdn_norm("01712345678", 10, out), -1);
	/* A NUL inside the given length is a bad byte, not an end. */
	cr_expect_eq(settle_msisdn_norm("0171234\0" "5678", 12, out), -1);
	cr_expect_eq(settle_msisdn_norm("01712345678", 0, out), -1);
}

/* Spaces and hyphens anywhere: a long run of them is still fine. */
Test(msisdn, many_separators)
{
	char in[256], out[32];
	const char *digits = "8801712345678";
	size_t i, n = 0;

	for (i = 0; digits[i] != '\0'; i++) {
		in[n++] = digits[i];
		in[n++] = i % 2 ? ' ' : '-';
		in[n++] = ' ';
	}
	cr_assert_eq(settle_msisdn_norm(in, n, out), 0, "'%.*s'", (int)n, in);
	cr_expect_str_eq(out, "8801712345678");
}

Test(msisdn, prefix)
{
	static const struct {
		const char *canon, *want;
	} c[] = {
		{ "8801712345678", "017" },
		{ "8801312345678", "013" },
		{ "8801812345678", "018" },
		{ "8801612345678", "016" },
		{ "8801912345678", "019" },
		{ "8801412345678", "014" },
		{ "8801512345678", "015" },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char out[8];

		memset(out, 'x', sizeof(out));
		settle_msisdn_prefix(c[i].canon, out);
		cr_expect_str_eq(out, c[i].want, "prefix of %s", c[i].canon);
	}
}

/* Normalising then taking the prefix: the national form's first 3 digits. */
Test(msisdn, prefix_after_norm)
{
	char out[32], pfx[8];

	cr_assert_eq(settle_msisdn_norm("+880 1912-345678", 16, out), 0);
	settle_msisdn_prefix(out, pfx);
	cr_expect_str_eq(pfx, "019");
	cr_assert_eq(settle_msisdn_norm("01512345678", 11, out), 0);
	settle_msisdn_prefix(out, pfx);
	cr_expect_str_eq(pfx, "015");
}

/*
 * Bare digits take a short path; with a space added the same number takes
 * the general one.  Both must agree on every 11- and 13-digit shape.
 */
Test(msisdn, bare_digits_agree_with_spaced)
{
	static const char *const bases[] = {
		"01712345678", "8801712345678", "00112345678", "8800712345678",
		"0171234567a", "880171234567x",
	};
	char in[32], sp[32], a[32], b[32];
	size_t i, len;
	int pos, dig, ra, rb;

	for (i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		for (pos = 0; pos < 5; pos++)
			for (dig = '0'; dig <= '9'; dig++) {
				len = strlen(bases[i]);
				memcpy(in, bases[i], len + 1);
				in[pos] = (char)dig;
				sp[0] = ' ';
				memcpy(sp + 1, in, len + 1);
				ra = settle_msisdn_norm(in, len, a);
				rb = settle_msisdn_norm(sp, len + 1, b);
				cr_assert_eq(ra, rb, "'%s'", in);
				if (ra == 0)
					cr_assert_str_eq(a, b, "'%s'", in);
			}
}

Test(msisdn, packs_to_a_number_and_back)
{
	static const char *const ok[] = {
		"8801712345678", "8801300000000", "8801999999999",
		"8801500000001"
	};
	static const char *const no[] = {
		"", "880171234567", "88017123456789", "88017123456a8",
		"+801712345678"
	};
	char out[16];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = settle_msisdn_pack(ok[i]);

		cr_assert_neq(v, UINT64_MAX, "%s", ok[i]);
		cr_assert_lt(v, UINT64_C(1) << 44, "%s", ok[i]);
		settle_msisdn_unpack(v, out);
		cr_assert_str_eq(out, ok[i]);
	}
	cr_assert_eq(settle_msisdn_pack("8801712345678"),
	    UINT64_C(8801712345678));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert_eq(settle_msisdn_pack(no[i]), UINT64_MAX, "'%s'",
		    no[i]);
}
