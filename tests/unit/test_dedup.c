/*
 * Unit tests for lib/dedup: the charge-id memory behind DUPLICATE_ID and
 * ID_CONFLICT (SPEC §3), through growth past thousands of entries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "dedup.h"

static int
check(struct settle_dedup *t, const char *id, uint64_t content)
{
	return settle_dedup_check(t, id, strlen(id), content, 20783);
}

Test(dedup, new_same_conflict)
{
	struct settle_dedup t;

	settle_dedup_init(&t);
	cr_expect_eq(check(&t, "GP7000000001", 111), SETTLE_DEDUP_NEW);
	cr_expect_eq(check(&t, "GP7000000001", 111), SETTLE_DEDUP_SAME);
	cr_expect_eq(check(&t, "GP7000000001", 222), SETTLE_DEDUP_CONFLICT);
	/* A conflict does not replace what was remembered. */
	cr_expect_eq(check(&t, "GP7000000001", 111), SETTLE_DEDUP_SAME);
	cr_expect_eq(check(&t, "GP7000000002", 111), SETTLE_DEDUP_NEW);
	cr_expect_eq(t.n, 2);
	settle_dedup_release(&t);
	cr_expect_eq(t.n, 0);
	cr_expect_null(t.slots);
}

/* Ids are compared as whole byte strings. */
Test(dedup, ids_differ_by_length_and_case)
{
	static const char *const ids[] = {
		"GP1", "GP10", "GP1 ", "gp1", "GP01", "", "G", "R-88812",
		"R-88812\xef\xbb\xbf", "12345678", "123456789",
	};
	struct settle_dedup t;
	size_t i;

	settle_dedup_init(&t);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		cr_expect_eq(check(&t, ids[i], 5), SETTLE_DEDUP_NEW, "'%s'",
		    ids[i]);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		cr_expect_eq(check(&t, ids[i], 5), SETTLE_DEDUP_SAME, "'%s'",
		    ids[i]);
	cr_expect_eq(settle_dedup_check(&t, "GP1\0x", 5, 5, 0),
	    SETTLE_DEDUP_NEW);
	settle_dedup_release(&t);
}

Test(dedup, grows_past_thousands)
{
	struct settle_dedup t;
	char id[32];
	size_t i, n = 150000;

	settle_dedup_init(&t);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "GP%010zu", i);
		cr_assert_eq(check(&t, id, i), SETTLE_DEDUP_NEW, "%s", id);
	}
	cr_expect_eq(t.n, n);
	cr_expect_eq(t.cap & (t.cap - 1), 0, "capacity %zu", t.cap);
	cr_expect_leq(t.n * 3, t.cap * 2, "%zu entries in %zu slots", t.n,
	    t.cap);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "GP%010zu", i);
		cr_assert_eq(check(&t, id, i), SETTLE_DEDUP_SAME, "%s", id);
		cr_assert_eq(check(&t, id, i + 1), SETTLE_DEDUP_CONFLICT, "%s",
		    id);
	}
	cr_expect_eq(t.n, n);
	settle_dedup_release(&t);
}

Test(dedup, put_and_has)
{
	struct settle_dedup t, u;
	struct settle_dedup_entry e = { 1, 2, 3, 20783 }, f = { 1, 3, 3, 0 };
	size_t i;

	settle_dedup_init(&t);
	cr_expect_eq(settle_dedup_has(&t, &e), 0, "empty table has an id");
	cr_assert_eq(settle_dedup_put(&t, &e), 0);
	cr_expect_eq(settle_dedup_has(&t, &e), 1);
	cr_expect_eq(settle_dedup_has(&t, &f), 0);
	cr_expect_eq(t.n, 1);
	/* Putting the same id again replaces, not adds. */
	e.content = 9;
	cr_assert_eq(settle_dedup_put(&t, &e), 0);
	cr_expect_eq(t.n, 1);

	/* Entries put raw are found by settle_dedup_check. */
	settle_dedup_init(&u);
	cr_assert_eq(settle_dedup_check(&u, "R-1", 3, 77, 20783),
	    SETTLE_DEDUP_NEW);
	for (i = 0; i < u.cap; i++)
		if (u.slots[i].id1 != 0 || u.slots[i].id2 != 0)
			cr_assert_eq(settle_dedup_put(&t, &u.slots[i]), 0);
	cr_expect_eq(settle_dedup_check(&t, "R-1", 3, 77, 20783),
	    SETTLE_DEDUP_SAME);
	cr_expect_eq(settle_dedup_check(&t, "R-1", 3, 78, 20783),
	    SETTLE_DEDUP_CONFLICT);
	cr_expect_eq(t.n, 2);
	settle_dedup_release(&u);
	settle_dedup_release(&t);
}

Test(dedup, reuse_after_release)
{
	struct settle_dedup t;

	settle_dedup_init(&t);
	cr_expect_eq(check(&t, "X", 1), SETTLE_DEDUP_NEW);
	settle_dedup_release(&t);
	cr_expect_eq(check(&t, "X", 2), SETTLE_DEDUP_NEW);
	cr_expect_eq(check(&t, "X", 2), SETTLE_DEDUP_SAME);
	settle_dedup_release(&t);
}

Test(dedup, hash64)
{
	uint64_t a = settle_hash64("abc", 3, 0);

	cr_expect_eq(a, settle_hash64("abc", 3, 0), "not deterministic");
	cr_expect_neq(a, settle_hash64("abc", 3, 1), "seed ignored");
	cr_expect_neq(a, settle_hash64("abd", 3, 0));
	cr_expect_neq(a, settle_hash64("abc\0", 4, 0), "length ignored");
	cr_expect_neq(settle_hash64("", 0, 0), settle_hash64("\0", 1, 0));
	cr_expect_neq(settle_hash64("12345678", 8, 0),
	    settle_hash64("123456789", 9, 0));
	cr_expect_neq(settle_hash64("0123456789abcdefX", 17, 0),
	    settle_hash64("0123456789abcdefY", 17, 0));
}

/* One pass over the id gives the two seeded hashes that two calls give. */
Test(dedup, key_equals_two_hashes)
{
	struct settle_dedup_entry e;
	char id[64];
	size_t len, i;

	for (len = 0; len < sizeof(id); len++) {
		for (i = 0; i < len; i++)
			id[i] = (char)('A' + (len * 7 + i * 13) % 60);
		settle_dedup_key(&e, id, len);
		cr_expect_eq(e.id1, settle_hash64(id, len, 0x5e771e01),
		    "len %zu", len);
		cr_expect_eq(e.id2, settle_hash64(id, len, 0x5e771e02) | 1,
		    "len %zu", len);
	}
}

/* The step-by-step check agrees with settle_dedup_check(). */
Test(dedup, check_in_steps)
{
	struct settle_dedup t;
	struct settle_dedup_entry e;

	settle_dedup_init(&t);
	settle_dedup_key(&e, "GP1", 3);
	settle_dedup_prefetch(&t, &e);
	e.content = 42;
	e.date = 7;
	cr_expect_eq(settle_dedup_check_entry(&t, &e), SETTLE_DEDUP_NEW);
	settle_dedup_prefetch(&t, &e);
	cr_expect_eq(settle_dedup_check(&t, "GP1", 3, 42, 7),
	    SETTLE_DEDUP_SAME);
	cr_expect_eq(settle_dedup_check(&t, "GP1", 3, 43, 7),
	    SETTLE_DEDUP_CONFLICT);
	e.content = 43;
	cr_expect_eq(settle_dedup_check_entry(&t, &e), SETTLE_DEDUP_CONFLICT);
	settle_dedup_release(&t);
}

/*
 * The hash is part of what the nightly run keeps between days: its values
 * must never change, whatever the code that computes them.
 */
Test(dedup, hash64_values_are_stable)
{
	static const struct {
		size_t len;
		uint64_t want;
	} gold[] = {
	{ 0, UINT64_C(0xd1bf7a0fe0ed0ee1) },
	{ 1, UINT64_C(0x7a3bcb9e8a32a06d) },
	{ 2, UINT64_C(0x72bb8c9de372f5bf) },
	{ 3, UINT64_C(0xab96f39261692c60) },
	{ 4, UINT64_C(0x92d3a2f7aa62be52) },
	{ 5, UINT64_C(0xb604c2eb0609404a) },
	{ 6, UINT64_C(0x2516eec0db0f9998) },
	{ 7, UINT64_C(0xaa4856d11bc71ec6) },
	{ 8, UINT64_C(0x6a68f18b92d35c41) },
	{ 9, UINT64_C(0x8c50fe02ce64e6ce) },
	{ 10, UINT64_C(0x6f576a9ae8b5c6c3) },
	{ 11, UINT64_C(0x2d7201d1d82f47fd) },
	{ 12, UINT64_C(0x76297bc7207bdd03) },
	{ 13, UINT64_C(0x92ab09ff015ee082) },
	{ 14, UINT64_C(0x0afbc305d49823d9) },
	{ 15, UINT64_C(0x5b64ae0f6824d0cf) },
	{ 16, UINT64_C(0xde2458ac5f74b7cc) },
	{ 17, UINT64_C(0xa709bfb1aa383dd9) },
	{ 18, UINT64_C(0x471e793ceb6f31b3) },
	{ 19, UINT64_C(0x5f09ddd25b32c9e4) },
	{ 20, UINT64_C(0x3fb629a8ea7a9475) },
	};
	const char *in = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t i;

	for (i = 0; i < sizeof(gold) / sizeof(gold[0]); i++)
		cr_expect_eq(settle_hash64(in, gold[i].len, 0x5e771e01),
		    gold[i].want, "length %zu", gold[i].len);
}
