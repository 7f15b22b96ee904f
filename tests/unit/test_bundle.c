/*
 * Unit tests of lib/bundle: keys, building, determinism, and one refusal
 * per rule of settle_bundle_verify.  Hostile archives are written here
 * with libarchive (or by hand, for headers libarchive will not write),
 * each signed properly unless the signature is what is under test, so
 * that every case fails for its own reason.  Run from the repository root
 * (the committed test keys are read from tests/keys/).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <zlib.h>

#include "bundle.h"

#define KEYS "tests/keys/TEST-ONLY-bpo-ed25519"
#define DAY INT64_C(20783)		/* 2026-11-26 */
#define MAXE 80

struct tent {
	const char *name;
	unsigned type;			/* AE_IF*, 0 for AE_IFREG */
	unsigned mode;
	int uid;
	const char *uname;
	int64_t mtime;
	const char *link;		/* symlink target or hardlink */
	int hard;
	long nsec;			/* sub-second mtime: pax only */
	const unsigned char *data;
	size_t len;
};

/* The three data files of the standard bundle and its signed MANIFEST. */
struct parts {
	EVP_PKEY *key;
	char manifest[1024];
	unsigned char sig[64];
	size_t siglen;
	struct tent e[MAXE];
	size_t n;
};

static const struct settle_bundle_file three[] = {
	{"b.csv", (const unsigned char *)"bravo\n", 6, -1},
	{"a.csv", (const unsigned char *)"alpha\n", 6, -1},
	{"c.csv", (const unsigned char *)"charlie\n", 8, -1},
};

static EVP_PKEY *
new_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	cr_assert_not_null(k);
	return k;
}

static EVP_PKEY *
test_key(void)
{
	struct settle_err err;
	EVP_PKEY *k;

	cr_assert_eq(settle_key_load_private(KEYS ".pem", NULL, &k, &err), 0,
	    "%s", err.msg);
	return k;
}

static EVP_PKEY *
public_of(EVP_PKEY *priv)
{
	unsigned char raw[32];
	size_t len = sizeof(raw);

	cr_assert_eq(EVP_PKEY_get_raw_public_key(priv, raw, &len), 1);
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, len);
}

static struct tent
reg(const char *name, const void *data, size_t len)
{
	struct tent t = { name, 0, 0644, 0, NULL, DAY * 86400, NULL, 0, 0,
	    data, len };

	return t;
}

static void
sign_manifest(struct parts *p)
{
	struct settle_err err;

	cr_assert_eq(settle_key_sign(p->key, (unsigned char *)p->manifest,
	    strlen(p->manifest), p->sig, &err), 0, "%s", err.msg);
	p->siglen = 64;
}

/* MANIFEST, MANIFEST.sig, a.csv, b.csv, c.csv: a valid bundle's entries. */
static void
parts_init(struct parts *p)
{
	static const char *hashes =
	    "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060"
	    "  a.csv\n";
	unsigned char md[32];
	size_t i, j;
	char *o;

	memset(p, 0, sizeof(*p));
	p->key = new_key();
	o = p->manifest;
	for (i = 0; i < 3; i++) {
		const struct settle_bundle_file *f = &three[i == 0 ? 1 :
		    i == 1 ? 0 : 2];

		EVP_Digest(f->data, f->len, md, NULL, EVP_sha256(), NULL);
		for (j = 0; j < 32; j++)
			o += snprintf(o, 3, "%02x", md[j]);
		o += snprintf(o, 64, "  %s\n", f->name);
	}
	cr_assert_eq(strncmp(p->manifest, hashes, strlen(hashes)), 0);
	sign_manifest(p);
	p->e[0] = reg("MANIFEST", p->manifest, strlen(p->manifest));
	p->e[1] = reg("MANIFEST.sig", p->sig, 64);
	p->e[2] = reg("a.csv", three[1].data, three[1].len);
	p->e[3] = reg("b.csv", three[0].data, three[0].len);
	p->e[4] = reg("c.csv", three[2].data, three[2].len);
	p->n = 5;
}

static void
write_tent(struct archive *a, const struct tent *t)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, t->name);
	archive_entry_set_filetype(e, t->type ? t->type : AE_IFREG);
	archive_entry_set_perm(e, t->mode);
	archive_entry_set_uid(e, t->uid);
	archive_entry_set_gid(e, t->uid);
	if (t->uname != NULL)
		archive_entry_set_uname(e, t->uname);
	archive_entry_set_mtime(e, (time_t)t->mtime, t->nsec);
	if (t->link != NULL && t->hard)
		archive_entry_set_hardlink(e, t->link);
	else if (t->link != NULL)
		archive_entry_set_symlink(e, t->link);
	if (t->type == AE_IFCHR)
		archive_entry_set_rdev(e, 0x0103);
	archive_entry_set_size(e, (t->type && t->type != AE_IFREG) || t->hard ?
	    0 : (la_int64_t)t->len);
	cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s",
	    archive_error_string(a));
	if (t->len > 0 && !t->hard && (!t->type || t->type == AE_IFREG))
		cr_assert_eq(archive_write_data(a, t->data, t->len),
		    (la_ssize_t)t->len);
	archive_entry_free(e);
}

/* The entries as a gzip'd tar (ustar unless pax), gzip header clean. */
static unsigned char *
mk_tgz(const struct tent *t, size_t n, int pax, size_t *outlen)
{
	size_t cap = 1 << 20, used = 0;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	size_t i;

	cr_assert_not_null(buf);
	if (pax)
		archive_write_set_format_pax(a);
	else
		archive_write_set_format_ustar(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	archive_write_set_bytes_in_last_block(a, 1);
	cr_assert_eq(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (i = 0; i < n; i++)
		write_tent(a, &t[i]);
	cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*outlen = used;
	return buf;
}

/* Verify the parts as a bundle; expect failure with want in the reason. */
static void
expect_refused(struct parts *p, int pax, EVP_PKEY *pub, const char *want)
{
	struct settle_bundle_report rep;
	struct settle_err err;
	unsigned char *b;
	size_t len;
	EVP_PKEY *own = pub == NULL ? public_of(p->key) : NULL;

	b = mk_tgz(p->e, p->n, pax, &len);
	settle_err_clear(&err);
	cr_assert_eq(settle_bundle_verify(b, len, pub ? pub : own, &rep, &err),
	    SETTLE_EVERIFY, "accepted; wanted '%s'", want);
	cr_assert_not_null(strstr(err.msg, want), "reason '%s', wanted '%s'",
	    err.msg, want);
	free(b);
	EVP_PKEY_free(own);
	EVP_PKEY_free(p->key);
}

static void
expect_refused_bytes(const unsigned char *b, size_t len, EVP_PKEY *pub,
    const char *want)
{
	struct settle_bundle_report rep;
	struct settle_err err;

	settle_err_clear(&err);
	cr_assert_eq(settle_bundle_verify(b, len, pub, &rep, &err),
	    SETTLE_EVERIFY, "accepted; wanted '%s'", want);
	cr_assert_not_null(strstr(err.msg, want), "reason '%s', wanted '%s'",
	    err.msg, want);
}

static unsigned char *
build3(EVP_PKEY *key, int level, size_t *len)
{
	struct settle_err err;
	unsigned char *b;

	cr_assert_eq(settle_bundle_build(three, 3, DAY, key, level, &b, len,
	    &err), 0, "%s", err.msg);
	return b;
}

/* One entry of a bundle, read back with libarchive. */
static int
find_member(const unsigned char *b, size_t len, const char *name,
    char *out, size_t size, struct archive_entry **copy)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int found = 0;
	la_ssize_t r;

	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	cr_assert_eq(archive_read_open_memory(a, b, len), ARCHIVE_OK);
	while (!found && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (strcmp(archive_entry_pathname(e), name) != 0)
			continue;
		found = 1;
		r = archive_read_data(a, out, size - 1);
		out[r > 0 ? r : 0] = '\0';
		if (copy != NULL)
			*copy = archive_entry_clone(e);
	}
	archive_read_free(a);
	return found;
}

/* --- keys --- */

Test(key, golden_signature)
{
	static const char want[] =
	    "312a4b80492135ead00e51db44268b7c91f767b7b1b012c9d4b4f78c2e8602bb"
	    "60e7ab4b1edccdda0848cffc4e579400b06eab6e9f80c933c320e92f19b3ce03";
	static const char msg[] = "settle golden signature test\n";
	struct settle_err err;
	unsigned char sig[64];
	char hex[129];
	EVP_PKEY *k = test_key(), *pub;
	size_t i;

	cr_assert_eq(settle_key_sign(k, (const unsigned char *)msg,
	    strlen(msg), sig, &err), 0);
	for (i = 0; i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", sig[i]);
	cr_assert_str_eq(hex, want);
	cr_assert_eq(settle_key_load_public(KEYS ".pub.pem", &pub, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(settle_key_verify(pub, (const unsigned char *)msg,
	    strlen(msg), sig, 64, &err), 0);
	sig[10] ^= 1;
	cr_assert_eq(settle_key_verify(pub, (const unsigned char *)msg,
	    strlen(msg), sig, 64, &err), SETTLE_EVERIFY);
	cr_assert_eq(settle_key_verify(pub, (const unsigned char *)msg,
	    strlen(msg), sig, 63, &err), SETTLE_EVERIFY);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

Test(key, encrypted_with_passphrase_signs_the_same)
{
	struct settle_err err;
	char pass[256];
	unsigned char s1[64], s2[64];
	EVP_PKEY *plain = test_key(), *enc;

	cr_assert_eq(settle_key_read_passphrase(
	    "tests/keys/TEST-ONLY-passphrase.txt", pass, sizeof(pass), &err), 0,
	    "%s", err.msg);
	cr_assert_eq(settle_key_load_private(KEYS ".enc.pem", pass, &enc,
	    &err), 0, "%s", err.msg);
	settle_key_sign(plain, (const unsigned char *)"x", 1, s1, &err);
	settle_key_sign(enc, (const unsigned char *)"x", 1, s2, &err);
	cr_assert_eq(memcmp(s1, s2, 64), 0);
	EVP_PKEY_free(plain);
	EVP_PKEY_free(enc);
}

Test(key, encrypted_without_or_with_wrong_passphrase)
{
	struct settle_err err;
	EVP_PKEY *k = (EVP_PKEY *)1;

	cr_assert_eq(settle_key_load_private(KEYS ".enc.pem", NULL, &k, &err),
	    SETTLE_ECONFIG);
	cr_assert_null(k);
	cr_assert_not_null(strstr(err.msg, "passphrase is needed"), "%s",
	    err.msg);
	cr_assert_eq(settle_key_load_private(KEYS ".enc.pem", "wrong", &k,
	    &err), SETTLE_ECONFIG);
	cr_assert_not_null(strstr(err.msg, "wrong passphrase"), "%s", err.msg);
}

Test(key, missing_and_bad_files)
{
	struct settle_err err;
	EVP_PKEY *k;

	cr_assert_eq(settle_key_load_private("tests/keys/nope.pem", NULL, &k,
	    &err), SETTLE_ENOINPUT);
	cr_assert_str_eq(err.file, "tests/keys/nope.pem");
	cr_assert_eq(settle_key_load_public("tests/keys/nope.pem", &k, &err),
	    SETTLE_ENOINPUT);
	cr_assert_eq(settle_key_load_private(KEYS ".pub.pem", NULL, &k, &err),
	    SETTLE_ECONFIG);
	cr_assert_eq(settle_key_load_public(KEYS ".pem", &k, &err),
	    SETTLE_ECONFIG);
	cr_assert_eq(settle_key_load_public("tests/bundle/statement.csv", &k,
	    &err), SETTLE_ECONFIG);
	cr_assert_eq(settle_key_load_private("tests/keys", NULL, &k, &err),
	    SETTLE_ENOINPUT);
}

Test(key, not_ed25519)
{
	char path[] = "/tmp/settle-test-ec-XXXXXX";
	struct settle_err err;
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"), *k;
	unsigned char *b;
	size_t len;
	FILE *f;
	int fd = mkstemp(path);

	cr_assert(fd >= 0 && ec != NULL);
	f = fdopen(fd, "w");
	PEM_write_PrivateKey(f, ec, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	cr_assert_eq(settle_key_load_private(path, NULL, &k, &err),
	    SETTLE_ECONFIG);
	cr_assert_not_null(strstr(err.msg, "not an Ed25519 key"), "%s",
	    err.msg);
	unlink(path);
	cr_assert_eq(settle_bundle_build(three, 3, DAY, ec, 6, &b, &len, &err),
	    SETTLE_ECONFIG);
	EVP_PKEY_free(ec);
}

Test(key, passphrase_file_rules)
{
	char path[] = "/tmp/settle-test-pass-XXXXXX";
	struct settle_err err;
	char pass[8];
	FILE *f;
	int fd = mkstemp(path);

	f = fdopen(fd, "w");
	fputs("secret\r\nsecond line\n", f);
	fclose(f);
	cr_assert_eq(settle_key_read_passphrase(path, pass, sizeof(pass),
	    &err), 0);
	cr_assert_str_eq(pass, "secret");
	cr_assert_eq(settle_key_read_passphrase(path, pass, 6, &err),
	    SETTLE_ECONFIG);
	f = fopen(path, "w");
	fputs("\nsecret\n", f);
	fclose(f);
	cr_assert_eq(settle_key_read_passphrase(path, pass, sizeof(pass),
	    &err), SETTLE_ECONFIG);
	unlink(path);
	cr_assert_eq(settle_key_read_passphrase(path, pass, sizeof(pass),
	    &err), SETTLE_ENOINPUT);
}

/* --- building --- */

Test(build, verifies_and_reports)
{
	struct settle_bundle_report rep;
	struct settle_err err;
	EVP_PKEY *k = new_key(), *pub = public_of(k);
	unsigned char *b;
	size_t len;

	b = build3(k, 6, &len);
	cr_assert_eq(settle_bundle_verify(b, len, pub, &rep, &err), 0, "%s",
	    err.msg);
	cr_assert_eq(rep.files, 3);
	cr_assert_eq(rep.entries, 5);
	cr_assert_eq(rep.content_bytes, 20);
	cr_assert_eq(rep.business_date, DAY);
	cr_assert_eq(settle_bundle_verify(b, len, pub, NULL, &err), 0);
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

Test(build, deterministic_bytes)
{
	struct settle_bundle_file rev[3] = { three[2], three[0], three[1] };
	struct settle_err err;
	EVP_PKEY *k = test_key();
	unsigned char *b1, *b2, *b3;
	size_t l1, l2, l3;

	b1 = build3(k, 6, &l1);
	sleep(1);		/* a clock in the output would show now */
	b2 = build3(k, 6, &l2);
	cr_assert_eq(settle_bundle_build(rev, 3, DAY, k, 6, &b3, &l3, &err), 0);
	cr_assert_eq(l1, l2);
	cr_assert_eq(memcmp(b1, b2, l1), 0);
	cr_assert_eq(l1, l3);
	cr_assert_eq(memcmp(b1, b3, l1), 0);
	cr_assert_eq(b1[3], 0, "gzip flags");
	cr_assert(b1[4] == 0 && b1[5] == 0 && b1[6] == 0 && b1[7] == 0,
	    "gzip mtime");
	free(b1);
	free(b2);
	free(b3);
	EVP_PKEY_free(k);
}

/* A file read from a descriptor packs to the same bytes as in memory. */
Test(build, file_from_fd_same_bytes)
{
	struct settle_bundle_file f[3] = { three[0], three[1], three[2] };
	struct settle_err err;
	EVP_PKEY *k = test_key();
	unsigned char *b1, *b2, *big, *b3, *b4;
	size_t l1, l2, l3, l4, i, n = 3 * 256 * 1024 + 77;
	FILE *t = tmpfile(), *u = tmpfile();

	cr_assert(t != NULL && u != NULL);
	cr_assert_eq(fwrite("alpha\n", 1, 6, t), 6);
	cr_assert_eq(fflush(t), 0);
	b1 = build3(k, 6, &l1);
	f[1].data = NULL;
	f[1].fd = fileno(t);
	cr_assert_eq(settle_bundle_build(f, 3, DAY, k, 6, &b2, &l2, &err), 0,
	    "%s", err.msg);
	cr_assert_eq(l1, l2);
	cr_assert_eq(memcmp(b1, b2, l1), 0);
	/* Larger than a chunk, with a tail. */
	big = malloc(n);
	cr_assert_not_null(big);
	for (i = 0; i < n; i++)
		big[i] = (unsigned char)('a' + i * 7 % 26);
	cr_assert_eq(fwrite(big, 1, n, u), n);
	cr_assert_eq(fflush(u), 0);
	f[1].data = big;
	f[1].len = n;
	cr_assert_eq(settle_bundle_build(f, 3, DAY, k, 1, &b3, &l3, &err), 0);
	f[1].data = NULL;
	f[1].fd = fileno(u);
	cr_assert_eq(settle_bundle_build(f, 3, DAY, k, 1, &b4, &l4, &err), 0);
	cr_assert_eq(l3, l4);
	cr_assert_eq(memcmp(b3, b4, l3), 0);
	free(b4);
	/* A file shorter than its stated length is an error, not a bundle. */
	f[1].len = n + 1;
	cr_assert_eq(settle_bundle_build(f, 3, DAY, k, 1, &b4, &l4, &err) < 0,
	    1);
	free(b1);
	free(b2);
	free(b3);
	free(b4);
	free(big);
	fclose(t);
	fclose(u);
	EVP_PKEY_free(k);
}

Test(build, other_date_or_level_other_bytes)
{
	struct settle_err err;
	EVP_PKEY *k = test_key();
	unsigned char *b1, *b2, *b9;
	size_t l1, l2, l9;

	b1 = build3(k, 1, &l1);
	b9 = build3(k, 9, &l9);
	cr_assert_eq(settle_bundle_build(three, 3, DAY + 1, k, 1, &b2, &l2,
	    &err), 0);
	cr_assert(l1 != l2 || memcmp(b1, b2, l1) != 0);
	cr_assert(l1 != l9 || memcmp(b1, b9, l1) != 0);
	free(b1);
	free(b2);
	free(b9);
	EVP_PKEY_free(k);
}

Test(build, entries_follow_the_rules)
{
	static const char *order[] = { "MANIFEST", "MANIFEST.sig", "a.csv",
	    "b.csv", "c.csv" };
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	EVP_PKEY *k = new_key();
	unsigned char *b;
	size_t len, i = 0;

	b = build3(k, 6, &len);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	cr_assert_eq(archive_read_open_memory(a, b, len), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		cr_assert_lt(i, 5);
		cr_assert_str_eq(archive_entry_pathname(e), order[i]);
		cr_assert_eq(archive_format(a), ARCHIVE_FORMAT_TAR_USTAR);
		cr_assert_eq(archive_entry_filetype(e), AE_IFREG);
		cr_assert_eq(archive_entry_perm(e), 0644);
		cr_assert_eq(archive_entry_uid(e), 0);
		cr_assert_eq(archive_entry_gid(e), 0);
		cr_assert(archive_entry_uname(e) == NULL ||
		    archive_entry_uname(e)[0] == '\0');
		cr_assert_eq(archive_entry_mtime(e), DAY * 86400);
		i++;
	}
	cr_assert_eq(i, 5);
	archive_read_free(a);
	free(b);
	EVP_PKEY_free(k);
}

Test(build, manifest_text_and_signature)
{
	struct parts p;
	char text[1024], sig[128];
	EVP_PKEY *k = test_key(), *pub = public_of(k);
	struct settle_err err;
	unsigned char *b;
	size_t len;

	parts_init(&p);
	b = build3(k, 6, &len);
	cr_assert(find_member(b, len, "MANIFEST", text, sizeof(text), NULL));
	cr_assert_str_eq(text, p.manifest);
	cr_assert(find_member(b, len, "MANIFEST.sig", sig, sizeof(sig), NULL));
	cr_assert_eq(settle_key_verify(pub, (unsigned char *)text,
	    strlen(text), (unsigned char *)sig, 64, &err), 0);
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
	EVP_PKEY_free(p.key);
}

Test(build, empty_file_is_fine)
{
	static const struct settle_bundle_file f[] = {
		{"empty.csv", (const unsigned char *)"", 0, -1} };
	struct settle_err err;
	char text[256];
	EVP_PKEY *k = new_key();
	unsigned char *b;
	size_t len;

	cr_assert_eq(settle_bundle_build(f, 1, DAY, k, 6, &b, &len, &err), 0);
	cr_assert(find_member(b, len, "MANIFEST", text, sizeof(text), NULL));
	cr_assert_str_eq(text, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b"
	    "934ca495991b7852b855  empty.csv\n");
	free(b);
	EVP_PKEY_free(k);
}

static void
build_refused(const struct settle_bundle_file *f, size_t n, int64_t day,
    int level, int code, const char *want)
{
	struct settle_err err;
	EVP_PKEY *k = new_key();
	unsigned char *b = (unsigned char *)1;
	size_t len = 1;

	settle_err_clear(&err);
	cr_assert_eq(settle_bundle_build(f, n, day, k, level, &b, &len, &err),
	    code, "wanted '%s', got '%s'", want, err.msg);
	cr_assert_null(b);
	cr_assert_eq(len, 0);
	cr_assert_not_null(strstr(err.msg, want), "'%s' vs '%s'", err.msg,
	    want);
	EVP_PKEY_free(k);
}

Test(build, refuses_bad_arguments)
{
	struct settle_bundle_file f[1] = { three[0] };
	struct settle_bundle_file two[2] = { three[0], three[0] };
	static const char *bad[] = { "../x", "a/b", "/etc/x", ".hidden", "-x",
	    "", "a b", "x\n", "MANIFEST", "MANIFEST.sig" };
	size_t i;

	build_refused(f, 0, DAY, 6, SETTLE_EUSAGE, "1 to 62 files");
	build_refused(f, 63, DAY, 6, SETTLE_EUSAGE, "1 to 62 files");
	build_refused(f, 1, DAY, 0, SETTLE_EUSAGE, "level");
	build_refused(f, 1, DAY, 10, SETTLE_EUSAGE, "level");
	build_refused(f, 1, -1, 6, SETTLE_EUSAGE, "date");
	build_refused(f, 1, SETTLE_BUNDLE_DATE_MAX + 1, 6, SETTLE_EUSAGE,
	    "date");
	build_refused(two, 2, DAY, 6, SETTLE_EUSAGE, "duplicate");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f[0].name = bad[i];
		build_refused(f, 1, DAY, 6, SETTLE_EUSAGE, i < 8 ?
		    "bad bundle entry name" : "reserved");
	}
	f[0].name = NULL;
	build_refused(f, 1, DAY, 6, SETTLE_EUSAGE, "bad bundle entry name");
}

Test(build, refuses_too_much_data)
{
	struct settle_bundle_file f[2] = { three[0], three[1] };

	f[0].len = SETTLE_BUNDLE_MAX_TOTAL;	/* never read: refused first */
	build_refused(f, 2, DAY, 6, SETTLE_ENOMEM, "larger than");
}

Test(build, name_rule)
{
	cr_assert(settle_bundle_name_valid("statement.csv", 13));
	cr_assert(settle_bundle_name_valid("A_b-1.2", 7));
	cr_assert(!settle_bundle_name_valid("a\0b", 3));
	cr_assert(!settle_bundle_name_valid("..", 2));
	cr_assert(!settle_bundle_name_valid("a:b", 3));
	{
		char n[SETTLE_BUNDLE_NAME_MAX + 2];

		memset(n, 'x', sizeof(n));
		cr_assert(settle_bundle_name_valid(n, SETTLE_BUNDLE_NAME_MAX));
		cr_assert(!settle_bundle_name_valid(n,
		    SETTLE_BUNDLE_NAME_MAX + 1));
	}
}

/* --- verifying: signature and MANIFEST --- */

Test(verify, content_byte_flipped)
{
	static const unsigned char alt[] = "alphA\n";
	struct parts p;

	parts_init(&p);
	p.e[2].data = alt;
	expect_refused(&p, 0, NULL, "entry 'a.csv': SHA-256 does not match");
}

Test(verify, signature_byte_flipped)
{
	struct parts p;

	parts_init(&p);
	p.sig[63] ^= 0x80;
	expect_refused(&p, 0, NULL, "bad signature");
}

Test(verify, signature_wrong_length)
{
	struct parts p;

	parts_init(&p);
	p.e[1].len = 63;
	expect_refused(&p, 0, NULL, "MANIFEST.sig is 63 bytes, expected 64");
	parts_init(&p);
	p.e[1].len = 0;
	expect_refused(&p, 0, NULL, "MANIFEST.sig is 0 bytes");
}

Test(verify, wrong_key)
{
	struct parts p;
	EVP_PKEY *other = new_key(), *pub = public_of(other);

	parts_init(&p);
	expect_refused(&p, 0, pub, "bad signature");
	EVP_PKEY_free(pub);
	EVP_PKEY_free(other);
}

Test(verify, manifest_replaced_unsigned)
{
	static const unsigned char alt[] = "alphA\n";
	struct parts p;
	char *line;

	parts_init(&p);
	/* a.csv altered and its MANIFEST line made to agree, not re-signed */
	p.e[2].data = alt;
	line = p.manifest;
	memcpy(line, "0000", 4);
	expect_refused(&p, 0, NULL, "bad signature");
}

Test(verify, missing_manifest_or_signature)
{
	struct parts p;

	parts_init(&p);
	memmove(&p.e[0], &p.e[1], 4 * sizeof(p.e[0]));
	p.n = 4;
	expect_refused(&p, 0, NULL, "no MANIFEST entry");
	parts_init(&p);
	memmove(&p.e[1], &p.e[2], 3 * sizeof(p.e[0]));
	p.n = 4;
	expect_refused(&p, 0, NULL, "no MANIFEST.sig entry");
}

Test(verify, extra_entry_not_in_manifest)
{
	struct parts p;

	parts_init(&p);
	p.e[5] = reg("d.csv", "delta\n", 6);
	p.n = 6;
	expect_refused(&p, 0, NULL, "entry 'd.csv' is not in MANIFEST");
}

Test(verify, manifest_line_without_entry)
{
	struct parts p;

	parts_init(&p);
	p.n = 4;		/* c.csv dropped */
	expect_refused(&p, 0, NULL, "MANIFEST lists 'c.csv' but the bundle "
	    "has no such entry");
}

Test(verify, duplicate_entry)
{
	struct parts p;

	parts_init(&p);
	p.e[5] = p.e[4];
	p.n = 6;
	expect_refused(&p, 0, NULL, "duplicate entry 'c.csv'");
	parts_init(&p);
	p.e[5] = p.e[2];
	p.n = 6;
	expect_refused(&p, 0, NULL, "duplicate entry 'a.csv'");
}

Test(verify, entries_out_of_order)
{
	struct parts p;
	struct tent t;

	parts_init(&p);
	t = p.e[2];
	p.e[2] = p.e[3];
	p.e[3] = t;
	expect_refused(&p, 0, NULL, "entry 'a.csv' out of name order");
}

/* Re-sign a malformed MANIFEST so the parser, not the signature, fails. */
static void
malformed(const char *text, const char *want)
{
	struct parts p;

	parts_init(&p);
	snprintf(p.manifest, sizeof(p.manifest), "%s", text);
	sign_manifest(&p);
	p.e[0].len = strlen(p.manifest);
	expect_refused(&p, 0, NULL, want);
}

#define HA "b6a98d9ce9a2d9149288fa3df42d377c3e42737afdcdaf714e33c0a100b51060"
#define HB "5da8f23decf397b13f4f55b6fb8a61936238bfe08ed9d901132974f1beccc45c"

Test(verify, malformed_manifest_lines)
{
	malformed("B6A98D9CE9A2D9149288FA3DF42D377C"
	    "3E42737AFDCDAF714E33C0A100B51060  a.csv\n",
	    "line 1: hash is not 64 lowercase hex");
	malformed(HA " a.csv\n", "line 1: want two spaces");
	malformed(HA " *a.csv\n", "line 1: want two spaces");
	malformed(HA "  a.csv\r\n", "line 1: bad file name 'a.csv\\x0d'");
	malformed(HA "  a.csv", "line 1: no line end");
	malformed(HA "  ../a.csv\n", "line 1: bad file name");
	malformed(HA "0  a.csv\n", "line 1: want two spaces");
	malformed("abc  a.csv\n", "line 1: too short");
	malformed("", "MANIFEST lists no files");
	malformed("\n", "line 1: too short");
	malformed(HB "  b.csv\n" HA "  a.csv\n", "line 2: 'a.csv' out of name "
	    "order");
	malformed(HA "  a.csv\n" HA "  a.csv\n", "line 2: 'a.csv' listed "
	    "twice");
	malformed(HA "  MANIFEST.sig\n", "line 1: lists 'MANIFEST.sig'");
}

Test(verify, manifest_too_large)
{
	static char big[12000];
	struct parts p;

	parts_init(&p);
	memset(big, 'x', sizeof(big));
	p.e[0].data = (unsigned char *)big;
	p.e[0].len = sizeof(big);
	expect_refused(&p, 0, NULL, "MANIFEST larger than");
}

/* --- verifying: entry kinds, names and metadata --- */

Test(verify, hostile_names)
{
	struct parts p;

	parts_init(&p);
	p.e[5] = reg("../x", "x", 1);
	p.n = 6;
	expect_refused(&p, 0, NULL, "entry '../x': '..' in its path");
	parts_init(&p);
	p.e[5] = reg("/etc/x", "x", 1);
	p.n = 6;
	expect_refused(&p, 0, NULL, "entry '/etc/x': absolute path");
	parts_init(&p);
	p.e[5] = reg("d/../../x", "x", 1);
	p.n = 6;
	expect_refused(&p, 0, NULL, "'..' in its path");
	parts_init(&p);
	p.e[5] = reg("d/x", "x", 1);
	p.n = 6;
	expect_refused(&p, 0, NULL, "entry 'd/x': not a plain file name");
	parts_init(&p);
	p.e[5] = reg("x\ny", "x", 1);
	p.n = 6;
	expect_refused(&p, 0, NULL, "entry 'x\\x0ay': not a plain file name");
}

static void
kind_refused(unsigned type, const char *link, int hard, const char *want)
{
	struct parts p;

	parts_init(&p);
	p.e[5] = reg("d.csv", NULL, 0);
	p.e[5].type = type;
	p.e[5].link = link;
	p.e[5].hard = hard;
	p.n = 6;
	expect_refused(&p, 0, NULL, want);
}

Test(verify, not_regular_files)
{
	kind_refused(AE_IFLNK, "/etc/passwd", 0,
	    "entry 'd.csv': symbolic link");
	kind_refused(0, "a.csv", 1, "entry 'd.csv': hard link");
	kind_refused(AE_IFDIR, NULL, 0, "entry 'd.csv/': directory");
	kind_refused(AE_IFIFO, NULL, 0, "entry 'd.csv': fifo");
	kind_refused(AE_IFCHR, NULL, 0, "entry 'd.csv': device");
	kind_refused(AE_IFBLK, NULL, 0, "entry 'd.csv': device");
}

Test(verify, metadata_rules)
{
	struct parts p;

	parts_init(&p);
	p.e[3].mode = 0755;
	expect_refused(&p, 0, NULL, "entry 'b.csv': mode 0755, expected 0644");
	parts_init(&p);
	p.e[3].uid = 1000;
	expect_refused(&p, 0, NULL, "entry 'b.csv': owner 1000:1000");
	parts_init(&p);
	p.e[3].uname = "root";
	expect_refused(&p, 0, NULL, "entry 'b.csv': owner or group name set");
	parts_init(&p);
	p.e[0].mtime += 3600;
	expect_refused(&p, 0, NULL, "entry 'MANIFEST': mtime is not a date");
	parts_init(&p);
	p.e[4].mtime += 86400;
	expect_refused(&p, 0, NULL, "entry 'c.csv': mtime differs");
	parts_init(&p);
	p.e[0].nsec = 5;
	expect_refused(&p, 1, NULL, "not a POSIX ustar header");
}

Test(verify, too_many_entries)
{
	static char names[70][8];
	struct parts p;
	size_t i;

	parts_init(&p);
	for (i = 0; i < 62; i++) {
		snprintf(names[i], sizeof(names[i]), "e%02zu", i);
		p.e[5 + i] = reg(names[i], "x", 1);
	}
	p.n = 67;
	expect_refused(&p, 0, NULL, "more than 64 entries");
}

/* --- verifying: the gzip layer --- */

Test(verify, truncated_at_many_points)
{
	EVP_PKEY *k = test_key(), *pub = public_of(k);
	unsigned char *b;
	size_t len, cut;

	b = build3(k, 6, &len);
	for (cut = 0; cut < len; cut += (cut < 40 ? 1 : 37))
		expect_refused_bytes(b, cut, pub, cut == 0 ? "empty" :
		    cut < 18 && cut > 1 ? "truncated gzip stream" : "");
	expect_refused_bytes(b, len - 1, pub, "truncated gzip stream");
	expect_refused_bytes(b, len - 8, pub, "truncated gzip stream");
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

/* The tar inside a gzip stream, or 0 bytes when it does not inflate. */
static size_t
inflate_all(const unsigned char *b, size_t len, unsigned char *out,
    size_t cap)
{
	z_stream zs;
	size_t n;
	int z;

	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(inflateInit2(&zs, 31), Z_OK);
	zs.next_in = (unsigned char *)b;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	z = inflate(&zs, Z_FINISH);
	n = zs.total_out;
	inflateEnd(&zs);
	return z == Z_STREAM_END ? n : 0;
}

/*
 * Flip each byte in turn.  Deflate can say one thing several ways: a flip
 * that turns a back-reference into another one over the same zero padding
 * inflates to the very same tar, so the content is untouched and verifies.
 * Every other flip must be refused.
 */
Test(verify, every_single_byte_flip_is_refused_or_harmless)
{
	static unsigned char t0[65536], t1[65536];
	EVP_PKEY *k = test_key(), *pub = public_of(k);
	struct settle_err err;
	unsigned char *b;
	size_t len, i, n0, n1, refused = 0;

	b = build3(k, 6, &len);
	n0 = inflate_all(b, len, t0, sizeof(t0));
	cr_assert_gt(n0, 0);
	for (i = 0; i < len; i++) {
		b[i] ^= 0x01;
		if (settle_bundle_verify(b, len, pub, NULL, &err) != 0) {
			cr_assert_eq(err.code, SETTLE_EVERIFY, "%s", err.msg);
			refused++;
		} else {
			n1 = inflate_all(b, len, t1, sizeof(t1));
			cr_assert(n1 == n0 && memcmp(t0, t1, n0) == 0,
			    "flip at %zu changed the tar and was accepted", i);
		}
		b[i] ^= 0x01;
	}
	cr_assert_gt(refused, len * 9 / 10, "%zu of %zu", refused, len);
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

Test(verify, gzip_header_and_tail)
{
	EVP_PKEY *k = test_key(), *pub = public_of(k);
	unsigned char *b, *big;
	size_t len;

	b = build3(k, 6, &len);
	b[4] = 1;
	expect_refused_bytes(b, len, pub, "gzip header carries a timestamp");
	b[4] = 0;
	b[3] = 0x08;
	expect_refused_bytes(b, len, pub, "gzip header carries a file name");
	b[3] = 0x10;
	expect_refused_bytes(b, len, pub, "gzip header has flags 0x10");
	b[3] = 0;
	b[0] = 'P';
	expect_refused_bytes(b, len, pub, "not a gzip stream");
	b[0] = 0x1f;
	b[len / 2] ^= 0xff;
	expect_refused_bytes(b, len, pub, "");
	b[len / 2] ^= 0xff;
	big = malloc(len + 3);
	memcpy(big, b, len);
	memcpy(big + len, "xyz", 3);
	expect_refused_bytes(big, len + 3, pub, "3 bytes of trailing data");
	memcpy(big + len, b, 3);	/* a second gzip member begins */
	expect_refused_bytes(big, len + 3, pub, "trailing data");
	free(big);
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

/* A raw gzip (zlib's header: no name, mtime 0) of the given tar bytes. */
static unsigned char *
gzip_raw(const unsigned char *tar, size_t tlen, size_t *len)
{
	z_stream zs;
	unsigned char *out = malloc(tlen + 1024);

	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)tar;
	zs.avail_in = (uInt)tlen;
	zs.next_out = out;
	zs.avail_out = (uInt)(tlen + 1024);
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*len = zs.total_out;
	deflateEnd(&zs);
	out[9] = 3;
	return out;
}

/* A ustar header claiming a size libarchive would make us write. */
static void
ustar_header(unsigned char *h, const char *name, const char *octal_size)
{
	unsigned sum = 0;
	size_t i;

	memset(h, 0, 512);
	memcpy(h, name, strlen(name));
	memcpy(h + 100, "0000644", 7);
	memcpy(h + 108, "0000000", 7);
	memcpy(h + 116, "0000000", 7);
	memcpy(h + 124, octal_size, 11);
	memcpy(h + 136, "15301673200", 11);	/* 2026-11-26 */
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

Test(verify, size_cap_before_reading)
{
	EVP_PKEY *k = new_key(), *pub = public_of(k);
	unsigned char tar[512 * 4], *gz;
	size_t len;

	memset(tar, 0, sizeof(tar));
	ustar_header(tar, "MANIFEST", "20000000000");	/* 2 GiB */
	gz = gzip_raw(tar, sizeof(tar), &len);
	expect_refused_bytes(gz, len, pub, "entries larger than");
	free(gz);
	ustar_header(tar, "MANIFEST", "00000000010");
	gz = gzip_raw(tar, 512, &len);		/* no data, no end blocks */
	expect_refused_bytes(gz, len, pub, "");
	free(gz);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

Test(verify, header_only_archive)
{
	EVP_PKEY *k = new_key(), *pub = public_of(k);
	unsigned char tar[512 * 3];
	unsigned char *gz;
	size_t len;

	memset(tar, 0, sizeof(tar));
	ustar_header(tar, "MANIFEST", "00000000000");
	gz = gzip_raw(tar, sizeof(tar), &len);
	expect_refused_bytes(gz, len, pub, "no MANIFEST.sig entry");
	free(gz);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

/* A small stream that inflates past the cap: refused, memory bounded. */
Test(verify, inflation_is_capped, .timeout = 120)
{
	EVP_PKEY *k = new_key(), *pub = public_of(k);
	static unsigned char zeros[1 << 20];
	unsigned char *out, head[512];
	size_t cap = 16 << 20, i;
	z_stream zs;

	out = malloc(cap);
	memset(&zs, 0, sizeof(zs));
	cr_assert_eq(deflateInit2(&zs, 1, Z_DEFLATED, 31, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	ustar_header(head, "MANIFEST", "00000000000");
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	zs.next_in = head;
	zs.avail_in = sizeof(head);
	cr_assert_eq(deflate(&zs, Z_NO_FLUSH), Z_OK);
	for (i = 0; i < (SETTLE_BUNDLE_MAX_TOTAL >> 20) + 8; i++) {
		zs.next_in = zeros;
		zs.avail_in = sizeof(zeros);
		cr_assert_eq(deflate(&zs, Z_NO_FLUSH), Z_OK);
		cr_assert_gt(zs.avail_out, 0);
	}
	cr_assert_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	expect_refused_bytes(out, zs.total_out, pub, "inflates to more than");
	deflateEnd(&zs);
	free(out);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

/* The bundle's tar followed by pad zeros, then junk unless NULL. */
static void
after_the_end(size_t pad, const char *junk, const char *want)
{
	static unsigned char tar[1 << 20];
	EVP_PKEY *k = test_key(), *pub = public_of(k);
	struct settle_err err;
	unsigned char *b, *gz;
	size_t len, n, glen;

	b = build3(k, 6, &len);
	n = inflate_all(b, len, tar, sizeof(tar));
	cr_assert(n > 0 && n + pad + 16 < sizeof(tar));
	memset(tar + n, 0, pad);
	n += pad;
	if (junk != NULL) {
		memcpy(tar + n, junk, strlen(junk));
		n += strlen(junk);
	}
	gz = gzip_raw(tar, n, &glen);
	if (want == NULL)
		cr_assert_eq(settle_bundle_verify(gz, glen, pub, NULL, &err), 0,
		    "%s", err.msg);
	else
		expect_refused_bytes(gz, glen, pub, want);
	free(gz);
	free(b);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

Test(verify, only_zeros_after_the_tar)
{
	after_the_end(0, NULL, NULL);
	after_the_end(10240 - 5 * 1024 - 1024, NULL, NULL); /* a full record */
	after_the_end(300000, NULL, NULL);
	after_the_end(0, "JUNK", "data after the end of the tar archive");
	after_the_end(100, "JUNK", "data after the end of the tar archive");
	after_the_end(200000, "JUNK", "data after the end of the tar archive");
	after_the_end(65536 - 5 * 1024 - 1024 - 2, "JUNK",
	    "data after the end of the tar archive");
}

Test(verify, refuses_non_ed25519_public_key)
{
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *k = new_key();
	struct settle_err err;
	unsigned char *b;
	size_t len;

	b = build3(k, 6, &len);
	cr_assert_eq(settle_bundle_verify(b, len, ec, NULL, &err),
	    SETTLE_ECONFIG);
	cr_assert_eq(settle_bundle_verify(b, len, NULL, NULL, &err),
	    SETTLE_ECONFIG);
	free(b);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(k);
}

/* --- files --- */

Test(files, read_whole_file_with_cap)
{
	char dir[] = "/tmp/settle-test-dir-XXXXXX", path[128], bad[160];
	struct settle_err err;
	unsigned char *b;
	size_t len;
	FILE *f;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/in.csv", dir);
	f = fopen(path, "w");
	fputs("hello", f);
	fclose(f);
	cr_assert_eq(settle_bundle_read_file(path, 100, &b, &len, &err), 0);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(b, "hello", 5), 0);
	free(b);
	cr_assert_eq(settle_bundle_read_file(path, 5, &b, &len, &err), 0);
	free(b);
	cr_assert_eq(settle_bundle_read_file(path, 4, &b, &len, &err),
	    SETTLE_ENOMEM);
	cr_assert_null(b);
	f = fopen(path, "w");
	fclose(f);
	cr_assert_eq(settle_bundle_read_file(path, 100, &b, &len, &err), 0);
	cr_assert_not_null(b);
	cr_assert_eq(len, 0);
	free(b);
	snprintf(bad, sizeof(bad), "%s/no/such/file", dir);
	cr_assert_eq(settle_bundle_read_file(bad, 100, &b, &len, &err),
	    SETTLE_ENOINPUT);
	cr_assert_str_eq(err.file, bad);
	cr_assert_eq(settle_bundle_read_file(dir, 100, &b, &len, &err),
	    SETTLE_ENOINPUT);
	unlink(path);
	cr_assert_eq(rmdir(dir), 0);
}

/* A pipe: no size known in advance, the buffer grows up to the cap. */
Test(files, read_stream_grows_to_cap)
{
	struct settle_err err;
	unsigned char *b;
	size_t len;
	FILE *f;

	f = popen("head -c 300000 /dev/zero > /tmp/settle-test-stream", "r");
	pclose(f);
	cr_assert_not_null(freopen("/tmp/settle-test-stream", "rb", stdin));
	cr_assert_eq(settle_bundle_read_file("-", 300000, &b, &len, &err), 0);
	cr_assert_eq(len, 300000);
	free(b);
	rewind(stdin);
	cr_assert_eq(settle_bundle_read_file("-", 299999, &b, &len, &err),
	    SETTLE_ENOMEM);
	unlink("/tmp/settle-test-stream");
}

/*
 * Written to a file as it is made: the same bytes as built in memory,
 * also past the 1 MiB buffer; a write that fails is SETTLE_EIO.
 */
Test(build, written_to_a_file_same_bytes)
{
	enum { BIG = 3 * 1024 * 1024 };
	struct settle_bundle_file f[2];
	struct settle_err err;
	EVP_PKEY *k = test_key();
	unsigned char *big = malloc(BIG), *mem, *disk;
	unsigned x = 99;
	size_t i, len;
	FILE *tf;
	long n;
	int fd;

	cr_assert_not_null(big);
	/* Bytes that do not compress: the bundle is larger than 1 MiB. */
	for (i = 0; i < BIG; i++) {
		x = x * 1103515245u + 12345u;
		big[i] = (unsigned char)(x >> 16);
	}
	f[0] = three[0];
	f[1].name = "big.bin";
	f[1].data = big;
	f[1].len = BIG;
	f[1].fd = -1;
	cr_assert_eq(settle_bundle_build(f, 2, DAY, k, 1, &mem, &len, &err), 0,
	    "%s", err.msg);
	cr_assert_gt(len, (size_t)BIG);
	tf = tmpfile();
	cr_assert_not_null(tf);
	cr_assert_eq(settle_bundle_write(f, 2, DAY, k, 1, fileno(tf), &err),
	    0, "%s", err.msg);
	cr_assert_eq(fseek(tf, 0, SEEK_END), 0);
	n = ftell(tf);
	cr_assert_eq((size_t)n, len);
	rewind(tf);
	disk = malloc(len);
	cr_assert_not_null(disk);
	cr_assert_eq(fread(disk, 1, len, tf), len);
	cr_assert_eq(memcmp(mem, disk, len), 0, "the file differs");
	fclose(tf);

	fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		settle_err_clear(&err);
		cr_expect_eq(settle_bundle_write(f, 2, DAY, k, 1, fd, &err),
		    SETTLE_EIO);
		cr_expect_not_null(strstr(err.msg, "No space left"), "%s",
		    err.msg);
		close(fd);
	}
	free(mem);
	free(disk);
	free(big);
	EVP_PKEY_free(k);
}
