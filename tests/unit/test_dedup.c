/*
 * Unit tests for lib/dedup: the charge-id memory behind DUPLICATE_ID and
 * ID_CONFLICT (SPEC §3), through growth past thousands of entries.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
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
	struct settle_dedup_entry e = { .id1 = 1, .id2 = 2, .content = 3,
	    .date = 20783 }, f = { .id1 = 1, .id2 = 3, .content = 3 };
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
		cr_expect_eq(e.id2, (uint32_t)(settle_hash64(id, len,
		    0x5e771e02) >> 32) | 1, "len %zu", len);
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

/* Every entry of want[0..n) is in t, and t holds exactly n entries. */
static void
expect_all(struct settle_dedup *t, const struct settle_dedup_entry *want,
    size_t n)
{
	size_t i, used = 0;

	for (i = 0; i < t->cap; i++)
		used += t->slots[i].id1 != 0 || t->slots[i].id2 != 0;
	cr_assert_eq(used, n, "%zu slots used, %zu entries", used, n);
	for (i = 0; i < n; i++)
		cr_assert(settle_dedup_has(t, &want[i]), "entry %zu of %zu "
		    "lost at capacity %zu", i, n, t->cap);
}

/*
 * The table doubles in place: after every growth every entry must still
 * be found.  Homes are chosen so that clusters wrap round the end of the
 * table and straddle the halves, with the bit that picks the new half set
 * and clear in turn.
 */
static void
grow_with_homes(uint64_t (*home)(size_t i), size_t n)
{
	struct settle_dedup_entry *e = calloc(n, sizeof(*e));
	struct settle_dedup t;
	size_t i, cap;

	cr_assert_not_null(e);
	settle_dedup_init(&t);
	for (i = 0; i < n; i++) {
		e[i].id1 = home(i);
		e[i].id2 = (uint32_t)(i + 1);
		e[i].content = i;
		cap = t.cap;
		cr_assert_eq(settle_dedup_put(&t, &e[i]), 0);
		if (t.cap != cap && cap > 0)
			expect_all(&t, e, i + 1);
	}
	expect_all(&t, e, n);
	settle_dedup_release(&t);
	free(e);
}

/* All near the top of a 1024-slot table: one cluster wraps into 0. */
static uint64_t
home_top(size_t i)
{
	return 1000 + i % 24 + ((uint64_t)(i % 7) << 10) + ((uint64_t)i << 20);
}

/* Spread, with runs at both ends of every size of table. */
static uint64_t
home_ends(size_t i)
{
	uint64_t x = (uint64_t)i * UINT64_C(0x9e3779b97f4a7c15);

	return i % 3 == 0 ? (x & ~UINT64_C(0xff)) | 0xfe :
	    i % 3 == 1 ? x & ~UINT64_C(0xff) : x;
}

/* Homes all equal in their low bits: one long cluster. */
static uint64_t
home_same(size_t i)
{
	return ((uint64_t)i << 32) | 1023;
}

Test(dedup, grows_in_place_wrapping_cluster)
{
	grow_with_homes(home_top, 650);
}

Test(dedup, grows_in_place_ends)
{
	grow_with_homes(home_ends, 100000);
}

Test(dedup, grows_in_place_one_cluster)
{
	grow_with_homes(home_same, 5000);
}

static uint64_t home_seed;

/* Homes bunched round a few random points, for many seeds. */
static uint64_t
home_bunched(size_t i)
{
	uint64_t x = (home_seed + i / 50) * UINT64_C(0x9e3779b97f4a7c15);

	x ^= x >> 29;
	return (x & ~UINT64_C(0x3f)) | ((uint64_t)i * 7 % 64);
}

Test(dedup, grows_in_place_many_seeds)
{
	for (home_seed = 1; home_seed <= 300; home_seed++)
		grow_with_homes(home_bunched, 700 + home_seed * 5);
}
