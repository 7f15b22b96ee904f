/*
 * Unit tests for lib/strmap, the engine's map from references to their
 * records: borrowed keys of any bytes, replacement, deletion with
 * tombstones whose slots are used again, growth, and iteration.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define N 50000

static char keys[N][24];

static void
make_keys(void)
{
	int i;

	for (i = 0; i < N; i++)
		snprintf(keys[i], sizeof(keys[i]), "EE%09dBD", i * 7919);
}

Test(strmap, slots_are_24_bytes)
{
	cr_expect_eq(sizeof(struct strmap_slot), 24);
}

Test(strmap, put_get_replace)
{
	struct strmap m;
	int a = 1, b = 2;

	strmap_init(&m);
	cr_assert_null(strmap_get(&m, "X", 1));
	cr_assert_eq(strmap_put(&m, "X", 1, &a), 0);
	cr_assert_eq(strmap_put(&m, "XY", 2, &b), 0);
	cr_expect_eq(strmap_get(&m, "X", 1), &a);
	cr_expect_eq(strmap_get(&m, "XY", 2), &b);
	cr_expect_null(strmap_get(&m, "XYZ", 2 + 1));
	/* The length is part of the key: "X" is not "X\0". */
	cr_expect_null(strmap_get(&m, "X\0", 2));
	cr_assert_eq(strmap_put(&m, "X", 1, &b), 0);
	cr_expect_eq(strmap_get(&m, "X", 1), &b);
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
	strmap_init(&m);
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
		cr_assert_eq(s->val, s->key);
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
