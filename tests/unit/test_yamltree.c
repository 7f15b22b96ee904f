/*
 * Unit tests for lib/yamltree: the small YAML tree under schemas and the
 * configuration.  Mappings, sequences and scalars with their lines; duplicate
 * keys, anchors, aliases and tags refused, as the header promises.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yamltree.h"

static char dir[64];

static void
mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/settle-unit-yt-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
rm_tmp(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

TestSuite(yamltree, .init = mkdir_tmp, .fini = rm_tmp);

static const char *
put(const char *text)
{
	static char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/t.yaml", dir);
	fp = fopen(p, "wb");
	cr_assert_not_null(fp);
	cr_assert_eq(fwrite(text, 1, strlen(text), fp), strlen(text));
	cr_assert_eq(fclose(fp), 0);
	return p;
}

static struct yt_node *
load_ok(const char *text)
{
	struct settle_err err;
	struct yt_node *r;

	settle_err_clear(&err);
	r = yt_load(put(text), &err);
	cr_assert_not_null(r, "refused: line %ld: %s", err.line, err.msg);
	return r;
}

/* Loading text fails with code; returns the error's line (-1: loaded). */
static long
load_bad(const char *text, int code)
{
	struct settle_err err;
	struct yt_node *r;

	settle_err_clear(&err);
	r = yt_load(put(text), &err);
	cr_expect_null(r, "accepted:\n%s", text);
	if (r != NULL) {
		yt_free(r);
		return -1;
	}
	cr_expect_eq(err.code, code, "code %d (%s) for:\n%s", err.code,
	    err.msg, text);
	cr_expect_neq(err.msg[0], '\0');
	cr_expect_str_eq(err.file, put(text));
	return err.line;
}

Test(yamltree, mappings_sequences_scalars)
{
	struct yt_node *r = load_ok(
	    "# a comment\n"
	    "operator: GP\n"
	    "delimiter: \",\"\n"
	    "fields: 8\n"
	    "prefixes: [\"017\", \"013\"]\n"
	    "trailer: {tag: TRAILER, fields: 3}\n"
	    "kind:\n"
	    "  CHARGE:\n"
	    "    - CHARGE\n"
	    "    - 'DEBIT'\n"
	    "empty: \"\"\n");
	const struct yt_node *n, *k;
	long long v;

	cr_assert_eq(r->kind, YT_MAP);
	cr_expect_eq(r->n, 7);
	cr_expect_str_eq(yt_str(yt_get(r, "operator")), "GP");
	cr_expect_eq(yt_get(r, "operator")->line, 2);
	cr_expect_eq(yt_get(r, "operator")->plain, 1);
	cr_expect_str_eq(yt_str(yt_get(r, "delimiter")), ",");
	cr_expect_eq(yt_get(r, "delimiter")->plain, 0);
	cr_assert_eq(yt_int(yt_get(r, "fields"), &v), 0);
	cr_expect_eq(v, 8);
	n = yt_get(r, "prefixes");
	cr_assert_not_null(n);
	cr_expect_eq(n->kind, YT_SEQ);
	cr_assert_eq(n->n, 2);
	cr_expect_str_eq(yt_str(n->items[1]), "013");
	cr_expect_eq(n->line, 5);
	n = yt_get(r, "trailer");
	cr_assert_not_null(n);
	cr_expect_eq(n->kind, YT_MAP);
	cr_expect_str_eq(yt_str(yt_get(n, "tag")), "TRAILER");
	cr_expect_eq(yt_get(n, "fields")->line, 6);
	k = yt_get(yt_get(r, "kind"), "CHARGE");
	cr_assert_not_null(k);
	cr_assert_eq(k->kind, YT_SEQ);
	cr_assert_eq(k->n, 2);
	cr_expect_str_eq(yt_str(k->items[0]), "CHARGE");
	cr_expect_str_eq(yt_str(k->items[1]), "DEBIT");
	cr_expect_eq(k->items[0]->line, 9);
	cr_expect_eq(k->items[1]->line, 10);
	cr_expect_str_eq(yt_str(yt_get(r, "empty")), "");
	yt_free(r);
}

Test(yamltree, lookups_on_the_wrong_kind)
{
	struct yt_node *r = load_ok("a: [1, 2]\nb: {c: d}\ns: x\n");

	cr_expect_null(yt_get(r, "missing"));
	cr_expect_null(yt_get(NULL, "a"));
	cr_expect_null(yt_get(yt_get(r, "a"), "c"), "a sequence has keys");
	cr_expect_null(yt_get(yt_get(r, "s"), "x"), "a scalar has keys");
	cr_expect_null(yt_str(yt_get(r, "a")));
	cr_expect_null(yt_str(yt_get(r, "b")));
	cr_expect_null(yt_str(NULL));
	cr_expect_str_eq(yt_str(yt_get(yt_get(r, "b"), "c")), "d");
	yt_free(r);
}

Test(yamltree, integers)
{
	static const struct {
		const char *v;
		int ok;
		long long want;
	} c[] = {
		{ "0", 1, 0 }, { "42", 1, 42 }, { "\"7\"", 1, 7 },
		{ "9223372036854775807", 1, 9223372036854775807LL },
		{ "-1", 0, 0 }, { "+5", 0, 0 }, { "4x", 0, 0 }, { "x", 0, 0 },
		{ "\"\"", 0, 0 }, { "1.5", 0, 0 }, { "0x10", 0, 0 },
		{ "99999999999999999999", 0, 0 }, { "' 5'", 0, 0 },
		{ "[1]", 0, 0 },
	};
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct yt_node *r;
		long long v = -99;

		snprintf(text, sizeof(text), "n: %s\n", c[i].v);
		r = load_ok(text);
		cr_expect_eq(yt_int(yt_get(r, "n"), &v) == 0, c[i].ok, "'%s'",
		    c[i].v);
		if (c[i].ok)
			cr_expect_eq(v, c[i].want, "'%s' -> %lld", c[i].v, v);
		yt_free(r);
	}
	cr_expect_eq(yt_int(NULL, NULL), -1);
}

Test(yamltree, duplicate_keys_refused)
{
	cr_expect_eq(load_bad("a: 1\nb: 2\na: 3\n", SETTLE_ECONFIG), 3);
	cr_expect_gt(load_bad("t: {x: 1, x: 2}\n", SETTLE_ECONFIG), 0);
	cr_expect_eq(load_bad("m:\n  k: 1\n  j: 2\n  k: [3]\n",
	    SETTLE_ECONFIG), 4);
}

Test(yamltree, duplicate_key_names_the_key)
{
	struct settle_err err;

	settle_err_clear(&err);
	cr_expect_null(yt_load(put("operator: GP\noperator: ROBI\n"), &err));
	cr_expect_eq(err.code, SETTLE_ECONFIG);
	cr_expect_eq(err.line, 2);
	cr_expect_str_eq(err.field, "operator");
}

Test(yamltree, same_key_in_different_maps_is_fine)
{
	struct yt_node *r = load_ok("a: {k: 1}\nb: {k: 2}\n");

	cr_expect_str_eq(yt_str(yt_get(yt_get(r, "b"), "k")), "2");
	yt_free(r);
}

Test(yamltree, aliases_refused)
{
	/* The anchor on line 1 is refused before the alias is reached. */
	cr_expect_eq(load_bad("a: &x 1\nb: *x\n", SETTLE_ECONFIG), 1);
	cr_expect_gt(load_bad("base: &b {tag: T}\nt: *b\n", SETTLE_ECONFIG),
	    0);
	cr_expect_gt(load_bad("l: &l [1]\nm:\n  - *l\n", SETTLE_ECONFIG), 0);
}

/* The header refuses anchors and tags too, even with no alias. */
Test(yamltree, anchors_refused)
{
	cr_expect_gt(load_bad("a: &x 1\nb: 2\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, tags_refused)
{
	cr_expect_gt(load_bad("a: !!str 1\n", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("a: !custom x\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, top_must_be_a_mapping)
{
	cr_expect_gt(load_bad("- a\n- b\n", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("just a scalar\n", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("# only a comment\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, invalid_yaml_has_its_line)
{
	cr_expect_eq(load_bad("a: 1\nb: [1, 2\nc: 3\nd: 4\n", SETTLE_ECONFIG)
	    > 1, 1);
	cr_expect_eq(load_bad("a: 1\nb: 2\n  c: 3\n", SETTLE_ECONFIG), 3);
	cr_expect_eq(load_bad("a: \"open\nb: 2\n", SETTLE_ECONFIG) >= 1, 1);
	cr_expect_gt(load_bad("a:\tb: c: d\n", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("a: 1\n\t- b\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, complex_keys_refused)
{
	cr_expect_gt(load_bad("? [a, b]\n: c\n", SETTLE_ECONFIG), 0);
	cr_expect_gt(load_bad("? {a: b}\n: c\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, nesting_limit)
{
	char text[512];
	size_t i, n = 0;

	for (i = 0; i < 40; i++)
		text[n++] = '[';
	for (i = 0; i < 40; i++)
		text[n++] = ']';
	text[n] = '\0';
	/* 40 levels under the key: over the limit, refused not crashed. */
	{
		char doc[600];

		snprintf(doc, sizeof(doc), "a: %s\n", text);
		cr_expect_gt(load_bad(doc, SETTLE_ECONFIG), 0);
	}
}

/* A second document would silently replace the first: refuse it. */
Test(yamltree, one_document_only)
{
	cr_expect_gt(load_bad("a: 1\n---\nb: 2\n", SETTLE_ECONFIG), 0);
}

Test(yamltree, missing_file)
{
	struct settle_err err;
	char p[600];

	snprintf(p, sizeof(p), "%s/none.yaml", dir);
	settle_err_clear(&err);
	cr_expect_null(yt_load(p, &err));
	cr_expect_eq(err.code, SETTLE_ENOINPUT);
	cr_expect_str_eq(err.file, p);
}
