/*
 * Building settlement bundles (SPEC §9), and the capped whole-file read
 * that the bundle tools share.
 *
 * Reproducibility rests on fixing everything libarchive would otherwise
 * take from the machine: entry order (sorted here), mode, owner, names,
 * mtime (the business date), the gzip header's timestamp (zeroed through
 * the filter's "timestamp" option) and the padding of the last block (none,
 * so the gzip member is the last byte of the file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bundle.h"
#include "fsutil.h"

#define MANIFEST_LINE_MAX (64 + 2 + SETTLE_BUNDLE_NAME_MAX + 1)

/* Output of archive_write: a growing buffer with a hard cap. */
/*
 * Where a bundle goes: all of it into data, or (fd >= 0) through data, a
 * buffer of OUTBUF_FLUSH bytes, to the file fd.
 */
struct outbuf {
	unsigned char *data;
	size_t len;
	size_t cap;
	size_t limit;
	int fd;
	size_t total;			/* bytes of the bundle so far */
};

#define OUTBUF_FLUSH (1024 * 1024)

/* Write the buffered bytes to ob->fd.  0, or an errno value. */
static int
outbuf_flush(struct outbuf *ob)
{
	int e = settle_write_all(ob->fd, ob->data, ob->len);

	if (e == 0)
		ob->len = 0;
	return e;
}

int
settle_bundle_name_valid(const char *name, size_t len)
{
	size_t i;
	char c;

	if (len == 0 || len > SETTLE_BUNDLE_NAME_MAX || name[0] == '.' ||
	    name[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct settle_bundle_file *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Names, duplicates and the size cap of the caller's files, sorted. */
static int
check_files(const struct settle_bundle_file *f, size_t n,
    struct settle_err *err)
{
	size_t i, total = 0;

	for (i = 0; i < n; i++) {
		if (f[i].name == NULL ||
		    !settle_bundle_name_valid(f[i].name, strlen(f[i].name)))
			return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
			    "bad bundle entry name '%.100s': want 1 to %d of "
			    "[A-Za-z0-9._-], not starting with '.' or '-'",
			    f[i].name ? f[i].name : "", SETTLE_BUNDLE_NAME_MAX);
		if (strcmp(f[i].name, SETTLE_BUNDLE_MANIFEST) == 0 ||
		    strcmp(f[i].name, SETTLE_BUNDLE_SIGNATURE) == 0)
			return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
			    "entry name '%s' is reserved", f[i].name);
		if (i > 0 && strcmp(f[i - 1].name, f[i].name) == 0)
			return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
			    "duplicate entry name '%s'", f[i].name);
		if (f[i].len > SETTLE_BUNDLE_MAX_TOTAL - total)
			return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
			    "files larger than %zu bytes in all",
			    SETTLE_BUNDLE_MAX_TOTAL);
		total += f[i].len;
	}
	return 0;
}

#define CHUNK (256 * 1024)

/*
 * Hand f's bytes to fn(ctx, bytes, n) in pieces: its data, or chunks read
 * from its fd.  0, or -1 with errno (a read that fails or ends early, EIO).
 */
static int
each_chunk(const struct settle_bundle_file *f,
    int (*fn)(void *ctx, const unsigned char *p, size_t n), void *ctx)
{
	unsigned char *buf;
	size_t off = 0, want;
	ssize_t got;
	int rc = 0;

	if (f->data != NULL || f->len == 0)
		return f->len == 0 ? 0 : fn(ctx, f->data, f->len);
	if ((buf = malloc(CHUNK)) == NULL)
		return -1;
	while (rc == 0 && off < f->len) {
		want = f->len - off < CHUNK ? f->len - off : CHUNK;
		got = pread(f->fd, buf, want, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			rc = -1;
			break;
		}
		rc = fn(ctx, buf, (size_t)got);
		off += (size_t)got;
	}
	free(buf);
	return rc;
}

static int
digest_chunk(void *ctx, const unsigned char *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) == 1 ? 0 : -1;
}

/* SHA-256 of f's bytes into md (32 bytes).  0 or -1. */
static int
file_digest(const struct settle_bundle_file *f, unsigned char *md)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int rc = -1;

	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    each_chunk(f, digest_chunk, c) == 0 &&
	    EVP_DigestFinal_ex(c, md, NULL) == 1)
		rc = 0;
	EVP_MD_CTX_free(c);
	return rc;
}

/* MANIFEST of n sorted files; *out is malloc'd. */
static int
make_manifest(const struct settle_bundle_file *f, size_t n, char **out,
    size_t *outlen, struct settle_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	char *buf, *p;
	size_t i, j;

	if ((buf = malloc(n * MANIFEST_LINE_MAX + 1)) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	p = buf;
	for (i = 0; i < n; i++) {
		if (file_digest(&f[i], md) < 0) {
			free(buf);
			return settle_err_set(err, SETTLE_EIO, NULL, 0, NULL,
			    "cannot compute the SHA-256 of %s: %s", f[i].name,
			    strerror(errno));
		}
		for (j = 0; j < sizeof(md); j++) {
			*p++ = hex[md[j] >> 4];
			*p++ = hex[md[j] & 15];
		}
		j = strlen(f[i].name);
		memcpy(p, "  ", 2);
		memcpy(p + 2, f[i].name, j);
		p[2 + j] = '\n';
		p += 3 + j;
	}
	*out = buf;
	*outlen = (size_t)(p - buf);
	return 0;
}

static la_ssize_t
outbuf_write(struct archive *a, void *client, const void *data, size_t n)
{
	struct outbuf *ob = client;
	unsigned char *p;
	size_t ncap;
	int e;

	if (n > ob->limit - ob->total) {
		archive_set_error(a, ENOMEM, "bundle larger than %zu bytes",
		    ob->limit);
		return -1;
	}
	if (ob->fd >= 0 && ob->len > 0 && n > ob->cap - ob->len &&
	    (e = outbuf_flush(ob)) != 0) {
		archive_set_error(a, e, "%s", strerror(e));
		return -1;
	}
	if (n > ob->cap - ob->len) {
		ncap = ob->cap > 0 ? ob->cap : 65536;
		while (ncap - ob->len < n)
			ncap = ncap > ob->limit / 2 ? ob->limit : ncap * 2;
		if ((p = realloc(ob->data, ncap)) == NULL) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		ob->data = p;
		ob->cap = ncap;
	}
	memcpy(ob->data + ob->len, data, n);
	ob->len += n;
	ob->total += n;
	return (la_ssize_t)n;
}

static int
data_chunk(void *ctx, const unsigned char *p, size_t n)
{
	la_ssize_t w;
	size_t off;

	for (off = 0; off < n; off += (size_t)w)
		if ((w = archive_write_data(ctx, p + off, n - off)) <= 0)
			return -1;
	return 0;
}

static int
write_entry(struct archive *a, const struct settle_bundle_file *f,
    int64_t mtime)
{
	struct archive_entry *e;
	int r;

	if ((e = archive_entry_new()) == NULL)
		return ARCHIVE_FATAL;
	archive_entry_set_pathname(e, f->name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_size(e, (la_int64_t)f->len);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r == ARCHIVE_OK && each_chunk(f, data_chunk, a) < 0) {
		if (archive_errno(a) == 0)
			archive_set_error(a, errno, "cannot read %s: %s",
			    f->name, strerror(errno));
		r = ARCHIVE_FATAL;
	}
	return r;
}

/* Reports libarchive's failure as a settle_err. */
static int
archive_fail(struct archive *a, struct settle_err *err)
{
	const char *msg = archive_error_string(a);

	return settle_err_set(err, archive_errno(a) == ENOMEM ? SETTLE_ENOMEM :
	    SETTLE_EIO, NULL, 0, NULL, "cannot write bundle: %s",
	    msg != NULL ? msg : "unknown libarchive error");
}

/* The n sorted entries as ustar + gzip into ob. */
static int
write_archive(const struct settle_bundle_file *all, size_t n, int64_t mtime,
    int level, struct outbuf *ob, struct settle_err *err)
{
	struct archive *a;
	char lv[2] = { (char)('0' + level), '\0' };
	size_t i;
	int rc = 0;

	if ((a = archive_write_new()) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	if (archive_write_set_format_ustar(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "compression-level",
	    lv) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) !=
	    ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 10240) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, ob, NULL, outbuf_write, NULL) != ARCHIVE_OK)
		rc = archive_fail(a, err);
	for (i = 0; rc == 0 && i < n; i++)
		if (write_entry(a, &all[i], mtime) != ARCHIVE_OK)
			rc = archive_fail(a, err);
	if (rc == 0 && archive_write_close(a) != ARCHIVE_OK)
		rc = archive_fail(a, err);
	archive_write_free(a);
	return rc;
}

static int
check_args(size_t n, int64_t business_date, EVP_PKEY *key, int level,
    struct settle_err *err)
{
	if (n < 1 || n > SETTLE_BUNDLE_MAX_ENTRIES - 2)
		return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
		    "a bundle holds 1 to %d files, not %zu",
		    SETTLE_BUNDLE_MAX_ENTRIES - 2, n);
	if (business_date < 0 || business_date > SETTLE_BUNDLE_DATE_MAX)
		return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
		    "business date out of range for ustar");
	if (level < 1 || level > 9)
		return settle_err_set(err, SETTLE_EUSAGE, NULL, 0, NULL,
		    "gzip level %d: want 1 to 9", level);
	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
		return settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
		    "signing key is not an Ed25519 key");
	return 0;
}

/* The sorted files with MANIFEST and its signature merged in, n + 2. */
static void
add_signed(struct settle_bundle_file *all, size_t n, const char *manifest,
    size_t mlen, const unsigned char *sig)
{
	all[n].name = SETTLE_BUNDLE_MANIFEST;
	all[n].data = (const unsigned char *)manifest;
	all[n].len = mlen;
	all[n + 1].name = SETTLE_BUNDLE_SIGNATURE;
	all[n + 1].data = sig;
	all[n + 1].len = SETTLE_BUNDLE_SIG_LEN;
	qsort(all, n + 2, sizeof(*all), file_cmp);
}

/* A bundle of files into ob. */
static int
build(const struct settle_bundle_file *files, size_t n, int64_t business_date,
    EVP_PKEY *key, int level, struct outbuf *ob, struct settle_err *err)
{
	struct settle_bundle_file *all = NULL;
	unsigned char sig[SETTLE_BUNDLE_SIG_LEN];
	char *manifest = NULL;
	size_t mlen = 0;
	int rc, e;

	if ((rc = check_args(n, business_date, key, level, err)) != 0)
		return rc;
	if ((all = calloc(n + 2, sizeof(*all))) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	memcpy(all, files, n * sizeof(*all));
	qsort(all, n, sizeof(*all), file_cmp);
	if ((rc = check_files(all, n, err)) != 0 ||
	    (rc = make_manifest(all, n, &manifest, &mlen, err)) != 0 ||
	    (rc = settle_key_sign(key, (unsigned char *)manifest, mlen, sig,
	    err)) != 0)
		goto done;
	add_signed(all, n, manifest, mlen, sig);
	if ((rc = write_archive(all, n + 2, business_date * 86400, level, ob,
	    err)) != 0)
		goto done;
	if (ob->fd >= 0 && (e = outbuf_flush(ob)) != 0)
		rc = settle_err_set(err, SETTLE_EIO, NULL, 0, NULL,
		    "cannot write bundle: %s", strerror(e));
done:
	free(manifest);
	free(all);
	return rc;
}

int
settle_bundle_build(const struct settle_bundle_file *files, size_t n,
    int64_t business_date, EVP_PKEY *key, int level, unsigned char **out,
    size_t *outlen, struct settle_err *err)
{
	struct outbuf ob;
	int rc;

	memset(&ob, 0, sizeof(ob));
	ob.limit = SETTLE_BUNDLE_MAX_BYTES;
	ob.fd = -1;
	*out = NULL;
	*outlen = 0;
	if ((rc = build(files, n, business_date, key, level, &ob, err)) != 0) {
		free(ob.data);
		return rc;
	}
	*out = ob.data;
	*outlen = ob.len;
	return 0;
}

int
settle_bundle_write(const struct settle_bundle_file *files, size_t n,
    int64_t business_date, EVP_PKEY *key, int level, int fd,
    struct settle_err *err)
{
	struct outbuf ob;
	int rc;

	memset(&ob, 0, sizeof(ob));
	ob.limit = SETTLE_BUNDLE_MAX_BYTES;
	ob.fd = fd;
	ob.cap = OUTBUF_FLUSH;
	if ((ob.data = malloc(ob.cap)) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	rc = build(files, n, business_date, key, level, &ob, err);
	free(ob.data);
	return rc;
}

/* Grow *buf for a read of more bytes; honours cap (+1 to detect over). */
static int
grow(unsigned char **buf, size_t *size, size_t cap)
{
	unsigned char *p;
	size_t nsize;

	nsize = *size > (cap + 1) / 2 ? cap + 1 : *size * 2;
	if ((p = realloc(*buf, nsize)) == NULL)
		return -1;
	*buf = p;
	*size = nsize;
	return 0;
}

static size_t
first_size(FILE *f, size_t cap)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size >= 0 && (uintmax_t)st.st_size < cap)
		return (size_t)st.st_size + 1;
	return cap < 65536 ? cap + 1 : 65536;
}

/* Read f to its end into *buf (malloc'd, *len bytes), growing up to cap. */
static int
read_all(FILE *f, const char *path, size_t cap, unsigned char **buf,
    size_t *len, struct settle_err *err)
{
	size_t size = first_size(f, cap);
	int rc = 0;

	*len = 0;
	if ((*buf = malloc(size)) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, path, 0, NULL,
		    "out of memory");
	while (rc == 0) {
		*len += fread(*buf + *len, 1, size - *len, f);
		if (ferror(f))
			rc = settle_err_set(err, errno == EISDIR ?
			    SETTLE_ENOINPUT : SETTLE_EIO, path, 0, NULL,
			    "cannot read: %s", strerror(errno));
		else if (*len > cap)
			rc = settle_err_set(err, SETTLE_ENOMEM, path, 0, NULL,
			    "larger than %zu bytes", cap);
		else if (feof(f))
			break;
		else if (*len == size && grow(buf, &size, cap) != 0)
			rc = settle_err_set(err, SETTLE_ENOMEM, path, 0, NULL,
			    "out of memory");
	}
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

int
settle_bundle_read_file(const char *path, size_t cap, unsigned char **out,
    size_t *outlen, struct settle_err *err)
{
	FILE *f = stdin;
	int rc;

	*out = NULL;
	*outlen = 0;
	if (strcmp(path, "-") != 0 && (f = fopen(path, "rb")) == NULL)
		return settle_err_set(err, SETTLE_ENOINPUT, path, 0, NULL,
		    "cannot open: %s", strerror(errno));
	rc = read_all(f, path, cap, out, outlen, err);
	if (f != stdin)
		fclose(f);
	if (rc != 0)
		*outlen = 0;
	return rc;
}
