/*
 * Unit tests for lib/strmap, the engine's map from references to their
 * records: values that carry their keys (of any bytes), replacement,
 * deletion with tombstones whose slots are used again, growth, reserving
 * room, iteration, and the hints of prefetch and peek.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define N 50000

static char keys[N][24];

/* Values are their keys here: NUL-terminated strings. */
static const char *
self(const void *val)
{
	return val;
}

static void
make_keys(void)
{
	int i;

	for (i = 0; i < N; i++)
		snprintf(keys[i], sizeof(keys[i]), "EE%09dBD", i * 7919);
}

Test(strmap, slots_are_16_bytes)
{
	cr_expect_eq(sizeof(struct strmap_slot), 16);
}

Test(strmap, put_get_replace)
{
	static char x1[] = "X", x2[] = "X", xy[] = "XY";
	struct strmap m;

	strmap_init(&m, self);
	cr_assert_null(strmap_get(&m, "X", 1));
	cr_assert_eq(strmap_put(&m, x1, 1, x1), 0);
	cr_assert_eq(strmap_put(&m, xy, 2, xy), 0);
	cr_expect_eq(strmap_get(&m, "X", 1), x1);
	cr_expect_eq(strmap_get(&m, "XY", 2), xy);
	cr_expect_null(strmap_get(&m, "XYZ", 2 + 1));
	/* The length is part of the key: "X" is not "X\0". */
	cr_expect_null(strmap_get(&m, "X\0", 2));
	/* Another value with the same key replaces the first. */
	cr_assert_eq(strmap_put(&m, x2, 1, x2), 0);
	cr_expect_eq(strmap_get(&m, "X", 1), x2);
	cr_expect_eq(m.n, 2);
	strmap_release(&m);
}

Test(strmap, many_keys_grow_delete_iterate)
{
	struct strmap m;
	struct strmap_slot *s;
	size_t i, seen = 0, used;
	int k;

	make_keys();
	strmap_init(&m, self);
	for (k = 0; k < N; k++)
		cr_assert_eq(strmap_put(&m, keys[k], strlen(keys[k]),
		    keys[k]), 0);
	cr_assert_eq(m.n, N);
	for (k = 0; k < N; k++)
		cr_assert_eq(strmap_get(&m, keys[k], strlen(keys[k])), keys[k],
		    "key %d", k);
	/* Every other key deleted; the rest still found. */
	for (k = 0; k < N; k += 2)
		strmap_del(&m, keys[k], strlen(keys[k]));
	cr_assert_eq(m.n, N / 2);
	for (k = 0; k < N; k++)
		cr_assert_eq(strmap_get(&m, keys[k], strlen(keys[k])),
		    k % 2 ? keys[k] : NULL, "key %d", k);
	i = 0;
	while ((s = strmap_next(&m, &i)) != NULL) {
		cr_assert_eq(strlen(s->val), s->len);
		cr_assert_eq(strmap_get(&m, s->val, s->len), s->val);
		seen++;
	}
	cr_assert_eq(seen, N / 2);
	/* Putting the deleted keys back takes their tombstones. */
	used = m.used;
	for (k = 0; k < N; k += 2)
		cr_assert_eq(strmap_put(&m, keys[k], strlen(keys[k]),
		    keys[k]), 0);
	cr_expect_eq(m.used, used, "tombstones not used again");
	cr_assert_eq(m.n, N);
	for (k = 0; k < N; k++)
		cr_assert_eq(strmap_get(&m, keys[k], strlen(keys[k])), keys[k]);
	strmap_release(&m);
}

/*
 * A map made ready for n entries holds them without growing; growing
 * later keeps every entry.
 */
Test(strmap, reserve_then_fill)
{
	struct strmap m;
	size_t cap;
	int i;

	make_keys();
	strmap_init(&m, self);
	cr_assert_eq(strmap_put(&m, keys[0], strlen(keys[0]), keys[0]), 0);
	cr_assert_eq(strmap_reserve(&m, 10000), 0);
	cap = m.cap;
	cr_assert_not_null(strmap_get(&m, keys[0], strlen(keys[0])),
	    "an entry lost in the rehash");
	for (i = 1; i < 10000; i++)
		cr_assert_eq(strmap_put(&m, keys[i], strlen(keys[i]), keys[i]),
		    0);
	cr_expect_eq(m.cap, cap, "grew before 10,000 entries");
	cr_assert_eq(strmap_reserve(&m, 100), 0);
	cr_expect_eq(m.cap, cap, "a smaller reservation changed the table");
	for (i = 10000; i < N; i++)
		cr_assert_eq(strmap_put(&m, keys[i], strlen(keys[i]), keys[i]),
		    0);
	cr_expect_gt(m.cap, cap);
	for (i = 0; i < N; i++)
		cr_assert_eq(strmap_get(&m, keys[i], strlen(keys[i])), keys[i],
		    "key %d", i);
	strmap_release(&m);
}

/*
 * Hints: peek finds the value of a key in the map almost always (a key
 * further than a few slots from its home may be missed), never on an
 * empty map, and an absent key gives NULL or a value of the same length;
 * prefetch touches nothing it should not, even on an empty map.
 */
Test(strmap, peek_guesses_the_value)
{
	struct strmap m;
	const char *v;
	size_t found = 0;
	int i;

	make_keys();
	strmap_init(&m, self);
	strmap_prefetch(&m, keys[0], strlen(keys[0]));
	cr_expect_null(strmap_peek(&m, keys[0], strlen(keys[0])));
	for (i = 0; i < N; i += 2)
		cr_assert_eq(strmap_put(&m, keys[i], strlen(keys[i]), keys[i]),
		    0);
	for (i = 0; i < N; i++) {
		strmap_prefetch(&m, keys[i], strlen(keys[i]));
		v = strmap_peek(&m, keys[i], strlen(keys[i]));
		if (i % 2 == 0 && v == keys[i])
			found++;
		else if (v != NULL)
			cr_assert_eq(strlen(v), strlen(keys[i]), "key %d", i);
	}
	cr_expect_geq(found, (size_t)(N / 2) * 95 / 100, "peek found %zu",
	    found);
	strmap_release(&m);
}
