/*
 * Verifying settlement bundles (SPEC §9) held in memory.
 *
 * The gzip layer is inflated here with zlib rather than by libarchive, so
 * that a truncated or corrupt stream, a gzip header with a name or a
 * timestamp, and bytes after the gzip member are each refused with their
 * own reason.  The inflated tar is streamed through libarchive's tar reader
 * in chunks; entry contents are hashed on the fly and never kept, except
 * MANIFEST and MANIFEST.sig, which are small and capped.  Nothing is ever
 * written to disk.  Every check stops at the first failure, which is the
 * reason reported.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "bundle.h"

#define CHUNK 65536
#define LINE_MAX_ (64 + 2 + SETTLE_BUNDLE_NAME_MAX + 1)
#define MANIFEST_MAX ((size_t)(SETTLE_BUNDLE_MAX_ENTRIES - 2) * LINE_MAX_)
/* The tar of entries within the caps: headers, padding, end, one record. */
#define TAR_MAX (SETTLE_BUNDLE_MAX_TOTAL + \
	(size_t)SETTLE_BUNDLE_MAX_ENTRIES * 1024 + 20480)

#define FAIL(err, ...) \
	settle_err_set((err), SETTLE_EVERIFY, NULL, 0, NULL, __VA_ARGS__)

/*
 * The gzip member, inflated for libarchive one chunk at a time.  Chunks
 * alternate between two buffers, so that the last two handed out are still
 * there when the tar reader stops: the bytes it read ahead past the end of
 * the archive can then be checked too.
 */
struct gz_in {
	z_stream zs;
	int open;
	int ended;
	int cur;			/* buffer of the last chunk */
	size_t got[2];
	uint64_t total;			/* bytes handed out */
	char why[160];
	unsigned char buf[2][CHUNK];
};

struct ventry {
	char name[SETTLE_BUNDLE_NAME_MAX + 1];
	unsigned char md[32];
	uint64_t size;
	int listed;
};

struct vstate {
	struct ventry ent[SETTLE_BUNDLE_MAX_ENTRIES];
	size_t n;
	unsigned char *manifest;	/* owned, mlen bytes */
	size_t mlen;
	unsigned char sig[SETTLE_BUNDLE_SIG_LEN];
	int have_manifest;
	int have_sig;
	int64_t mtime;
	uint64_t total;
	EVP_MD_CTX *md;
	unsigned char chunk[CHUNK];
};

/* A name from hostile input, printable and bounded, for a message. */
static const char *
show(const char *s, size_t len, char *buf, size_t size)
{
	size_t i, o = 0;
	unsigned char c;

	for (i = 0; i < len && o + 8 < size; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (i < len)
		o += (size_t)snprintf(buf + o, size - o, "...");
	buf[o] = '\0';
	return buf;
}

static int
check_gzip_header(const unsigned char *d, size_t len, struct settle_err *err)
{
	if (len == 0)
		return FAIL(err, "empty file, not a bundle");
	if (d[0] != 0x1f || (len > 1 && d[1] != 0x8b))
		return FAIL(err, "not a gzip stream");
	if (len < 18)
		return FAIL(err, "truncated gzip stream");
	if (d[2] != 8)
		return FAIL(err, "gzip stream is not deflate-compressed");
	if (d[3] & 0x08)
		return FAIL(err, "gzip header carries a file name");
	if (d[4] != 0 || d[5] != 0 || d[6] != 0 || d[7] != 0)
		return FAIL(err, "gzip header carries a timestamp");
	if (d[3] != 0)
		return FAIL(err, "gzip header has flags 0x%02x, expected none",
		    d[3]);
	return 0;
}

static int
gz_open(struct gz_in *g, const unsigned char *data, size_t len,
    struct settle_err *err)
{
	g->zs.next_in = (unsigned char *)data;
	g->zs.avail_in = (uInt)len;
	/* 16 + 15: a gzip wrapper only, the largest window. */
	if (inflateInit2(&g->zs, 16 + 15) != Z_OK)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "cannot start zlib");
	g->open = 1;
	return 0;
}

/*
 * Inflate one step into the other buffer, which becomes the last chunk
 * when *got bytes came out.
 */
static int
gz_step(struct gz_in *g, size_t *got)
{
	int z, next = g->cur ^ 1;

	g->zs.next_out = g->buf[next];
	g->zs.avail_out = CHUNK;
	z = inflate(&g->zs, Z_NO_FLUSH);
	*got = CHUNK - g->zs.avail_out;
	if (*got > 0) {
		g->cur = next;
		g->got[next] = *got;
	}
	g->total += *got;
	if (z == Z_STREAM_END)
		g->ended = 1;
	else if (z == Z_BUF_ERROR && g->zs.avail_in == 0)
		snprintf(g->why, sizeof(g->why), "truncated gzip stream");
	else if (z != Z_OK)
		snprintf(g->why, sizeof(g->why), "corrupt gzip stream: %s",
		    g->zs.msg != NULL ? g->zs.msg : "inflate failed");
	else if (g->total > TAR_MAX)
		snprintf(g->why, sizeof(g->why),
		    "bundle inflates to more than %zu bytes", TAR_MAX);
	return g->why[0] != '\0' ? -1 : 0;
}

static la_ssize_t
gz_read(struct archive *a, void *client, const void **buf)
{
	struct gz_in *g = client;
	size_t got = 0;

	while (got == 0 && !g->ended)
		if (gz_step(g, &got) != 0) {
			archive_set_error(a, EIO, "%s", g->why);
			return -1;
		}
	*buf = g->buf[g->cur];
	return (la_ssize_t)got;
}

/*
 * After the tar's end: only zero padding, then the end of the gzip member,
 * then the end of the file.
 */
static int
gz_drain(struct gz_in *g, struct settle_err *err)
{
	size_t got, i;

	while (!g->ended) {
		if (gz_step(g, &got) != 0)
			return FAIL(err, "%s", g->why);
		for (i = 0; i < got; i++)
			if (g->buf[g->cur][i] != 0)
				return FAIL(err, "data after the end of the "
				    "tar archive");
	}
	if (g->zs.avail_in != 0)
		return FAIL(err, "%u bytes of trailing data after the gzip "
		    "stream", g->zs.avail_in);
	return 0;
}

/*
 * The bytes handed to libarchive past pos, where the tar reader stopped
 * after the end-of-archive blocks: zeros only.  They lie in the last two
 * chunks (the reader looks ahead by a block or two, a chunk is larger).
 */
static int
check_tail(const struct gz_in *g, int64_t pos, struct settle_err *err)
{
	uint64_t tail;
	size_t n, i;
	int k = g->cur, step;

	if (pos < 0 || (uint64_t)pos > g->total)
		return FAIL(err, "bad tar archive: cannot find its end");
	tail = g->total - (uint64_t)pos;
	for (step = 0; step < 2 && tail > 0; step++, k ^= 1) {
		n = tail < g->got[k] ? (size_t)tail : g->got[k];
		for (i = g->got[k] - n; i < g->got[k]; i++)
			if (g->buf[k][i] != 0)
				return FAIL(err, "data after the end of the "
				    "tar archive");
		tail -= n;
	}
	if (tail > 0)
		return FAIL(err, "bad tar archive: cannot check its end");
	return 0;
}

/* libarchive's failure, or the gzip reason behind it. */
static int
tar_fail(struct archive *a, struct gz_in *g, struct settle_err *err)
{
	const char *msg = archive_error_string(a);

	if (g->why[0] != '\0')
		return FAIL(err, "%s", g->why);
	return FAIL(err, "bad tar archive: %s",
	    msg != NULL ? msg : "unknown libarchive error");
}

static int
has_dotdot(const char *name)
{
	const char *p = name, *q;

	for (;;) {
		q = strchr(p, '/');
		if ((q == NULL && strcmp(p, "..") == 0) ||
		    (q != NULL && q - p == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		if (q == NULL)
			return 0;
		p = q + 1;
	}
}

/* Names that would escape an extraction folder, whatever the kind. */
static int
check_path(const char *name, struct settle_err *err)
{
	char q[160];

	if (name == NULL || name[0] == '\0')
		return FAIL(err, "entry without a name");
	show(name, strlen(name), q, sizeof(q));
	if (name[0] == '/')
		return FAIL(err, "entry '%s': absolute path", q);
	if (has_dotdot(name))
		return FAIL(err, "entry '%s': '..' in its path", q);
	return 0;
}

/* A plain, new name after the previous entry's. */
static int
check_plain(const struct vstate *vs, const char *name, struct settle_err *err)
{
	char q[160];
	size_t i;

	if (!settle_bundle_name_valid(name, strlen(name)))
		return FAIL(err, "entry '%s': not a plain file name",
		    show(name, strlen(name), q, sizeof(q)));
	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->ent[i].name, name) == 0)
			return FAIL(err, "duplicate entry '%s'", name);
	if (vs->n > 0 && strcmp(vs->ent[vs->n - 1].name, name) > 0)
		return FAIL(err, "entry '%s' out of name order (after '%s')",
		    name, vs->ent[vs->n - 1].name);
	return 0;
}

static int
check_type(struct archive_entry *e, const char *name, struct settle_err *err)
{
	const char *kind;
	char q[160];

	if (archive_entry_hardlink(e) != NULL)
		return FAIL(err, "entry '%s': hard link",
		    show(name, strlen(name), q, sizeof(q)));
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return 0;
	case AE_IFLNK:
		kind = "symbolic link";
		break;
	case AE_IFDIR:
		kind = "directory";
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		kind = "device";
		break;
	case AE_IFIFO:
		kind = "fifo";
		break;
	default:
		kind = "not a regular file";
		break;
	}
	return FAIL(err, "entry '%s': %s",
	    show(name, strlen(name), q, sizeof(q)), kind);
}

/* Mode, owner and mtime: the reproducibility rules of §9. */
static int
check_meta(struct vstate *vs, struct archive_entry *e, const char *name,
    struct settle_err *err)
{
	const char *un = archive_entry_uname(e), *gn = archive_entry_gname(e);
	int64_t mt = (int64_t)archive_entry_mtime(e);

	if (archive_entry_perm(e) != 0644)
		return FAIL(err, "entry '%s': mode %04o, expected 0644", name,
		    (unsigned)archive_entry_perm(e));
	if (archive_entry_uid(e) != 0 || archive_entry_gid(e) != 0)
		return FAIL(err, "entry '%s': owner %lld:%lld, expected 0:0",
		    name, (long long)archive_entry_uid(e),
		    (long long)archive_entry_gid(e));
	if ((un != NULL && un[0] != '\0') || (gn != NULL && gn[0] != '\0'))
		return FAIL(err, "entry '%s': owner or group name set, "
		    "expected none", name);
	if (!archive_entry_mtime_is_set(e) || mt < 0 || mt % 86400 != 0)
		return FAIL(err, "entry '%s': mtime is not a date at 00:00:00 "
		    "UTC", name);
	if (vs->n > 0 && mt != vs->mtime)
		return FAIL(err, "entry '%s': mtime differs from '%s'", name,
		    vs->ent[0].name);
	vs->mtime = mt;
	return 0;
}

static int
check_size(struct vstate *vs, struct archive_entry *e, const char *name,
    struct settle_err *err)
{
	int64_t size = archive_entry_size(e);

	if (!archive_entry_size_is_set(e) || size < 0)
		return FAIL(err, "entry '%s': no size", name);
	if ((uint64_t)size > SETTLE_BUNDLE_MAX_TOTAL - vs->total)
		return FAIL(err, "entries larger than %zu bytes in all",
		    SETTLE_BUNDLE_MAX_TOTAL);
	if (strcmp(name, SETTLE_BUNDLE_MANIFEST) == 0 &&
	    (uint64_t)size > MANIFEST_MAX)
		return FAIL(err, "MANIFEST larger than %zu bytes",
		    MANIFEST_MAX);
	if (strcmp(name, SETTLE_BUNDLE_SIGNATURE) == 0 &&
	    size != SETTLE_BUNDLE_SIG_LEN)
		return FAIL(err, "MANIFEST.sig is %lld bytes, expected %d",
		    (long long)size, SETTLE_BUNDLE_SIG_LEN);
	vs->total += (uint64_t)size;
	return 0;
}

/* Where the bytes of entry v are kept: *keep, or NULL when only hashed. */
static int
keep_buffer(struct vstate *vs, const struct ventry *v, unsigned char **keep,
    struct settle_err *err)
{
	*keep = NULL;
	if (strcmp(v->name, SETTLE_BUNDLE_SIGNATURE) == 0) {
		vs->have_sig = 1;
		*keep = vs->sig;
	} else if (strcmp(v->name, SETTLE_BUNDLE_MANIFEST) == 0) {
		if ((vs->manifest = malloc(v->size + 1)) == NULL)
			return settle_err_set(err, SETTLE_ENOMEM, NULL, 0,
			    NULL, "out of memory");
		vs->have_manifest = 1;
		vs->mlen = (size_t)v->size;
		*keep = vs->manifest;
	}
	return 0;
}

static int
read_data(struct vstate *vs, struct archive *a, struct gz_in *g,
    struct ventry *v, struct settle_err *err)
{
	unsigned char *keep;
	uint64_t got = 0;
	la_ssize_t r;
	int rc;

	if ((rc = keep_buffer(vs, v, &keep, err)) != 0)
		return rc;
	if (EVP_DigestInit_ex(vs->md, EVP_sha256(), NULL) != 1)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "cannot start SHA-256");
	while ((r = archive_read_data(a, vs->chunk, sizeof(vs->chunk))) > 0) {
		if ((uint64_t)r > v->size - got)
			return FAIL(err, "entry '%s' longer than its header",
			    v->name);
		if (keep != NULL)
			memcpy(keep + got, vs->chunk, (size_t)r);
		EVP_DigestUpdate(vs->md, vs->chunk, (size_t)r);
		got += (uint64_t)r;
	}
	if (r < 0)
		return tar_fail(a, g, err);
	if (got != v->size)
		return FAIL(err, "entry '%s' truncated", v->name);
	EVP_DigestFinal_ex(vs->md, v->md, NULL);
	return 0;
}

static int
add_entry(struct vstate *vs, struct archive *a, struct gz_in *g,
    struct archive_entry *e, struct settle_err *err)
{
	const char *name = archive_entry_pathname(e);
	struct ventry *v;
	int rc;

	if (vs->n == SETTLE_BUNDLE_MAX_ENTRIES)
		return FAIL(err, "more than %d entries",
		    SETTLE_BUNDLE_MAX_ENTRIES);
	if ((rc = check_path(name, err)) != 0 ||
	    (rc = check_type(e, name, err)) != 0 ||
	    (rc = check_plain(vs, name, err)) != 0)
		return rc;
	if (archive_format(a) != ARCHIVE_FORMAT_TAR_USTAR)
		return FAIL(err, "entry '%s': not a POSIX ustar header (%s)",
		    name, archive_format_name(a));
	if ((rc = check_meta(vs, e, name, err)) != 0 ||
	    (rc = check_size(vs, e, name, err)) != 0)
		return rc;
	v = &vs->ent[vs->n++];
	memcpy(v->name, name, strlen(name) + 1);
	v->size = (uint64_t)archive_entry_size(e);
	return read_data(vs, a, g, v, err);
}

static int
read_entries(struct vstate *vs, struct gz_in *g, struct settle_err *err)
{
	struct archive *a;
	struct archive_entry *e;
	int r, rc = 0;

	if ((a = archive_read_new()) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open(a, g, NULL, gz_read, NULL) != ARCHIVE_OK)
		rc = tar_fail(a, g, err);
	while (rc == 0) {
		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF) {
			rc = check_tail(g, archive_filter_bytes(a, 0), err);
			break;
		}
		if (r != ARCHIVE_OK)
			rc = tar_fail(a, g, err);
		else
			rc = add_entry(vs, a, g, e, err);
	}
	archive_read_free(a);
	return rc;
}

static int
parse_line(const char *p, size_t len, size_t line, unsigned char *md,
    char *name, struct settle_err *err)
{
	char q[160];
	size_t i;
	int hi, lo;

	if (len < 64 + 2 + 1)
		return FAIL(err, "MANIFEST line %zu: too short", line);
	for (i = 0; i < 64; i += 2) {
		hi = p[i] >= '0' && p[i] <= '9' ? p[i] - '0' :
		    p[i] >= 'a' && p[i] <= 'f' ? p[i] - 'a' + 10 : -1;
		lo = p[i + 1] >= '0' && p[i + 1] <= '9' ? p[i + 1] - '0' :
		    p[i + 1] >= 'a' && p[i + 1] <= 'f' ? p[i + 1] - 'a' + 10 :
		    -1;
		if (hi < 0 || lo < 0)
			return FAIL(err, "MANIFEST line %zu: hash is not 64 "
			    "lowercase hex digits", line);
		md[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	if (p[64] != ' ' || p[65] != ' ')
		return FAIL(err, "MANIFEST line %zu: want two spaces after "
		    "the hash", line);
	if (!settle_bundle_name_valid(p + 66, len - 66))
		return FAIL(err, "MANIFEST line %zu: bad file name '%s'", line,
		    show(p + 66, len - 66, q, sizeof(q)));
	memcpy(name, p + 66, len - 66);
	name[len - 66] = '\0';
	return 0;
}

static struct ventry *
find_entry(struct vstate *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->ent[i].name, name) == 0)
			return &vs->ent[i];
	return NULL;
}

/* One parsed MANIFEST line against the entries. */
static int
check_listed(struct vstate *vs, const char *name, const char *prev,
    const unsigned char *md, size_t line, struct settle_err *err)
{
	struct ventry *v;

	if (line > 1 && strcmp(prev, name) == 0)
		return FAIL(err, "MANIFEST line %zu: '%s' listed twice", line,
		    name);
	if (line > 1 && strcmp(prev, name) > 0)
		return FAIL(err, "MANIFEST line %zu: '%s' out of name order",
		    line, name);
	if (strcmp(name, SETTLE_BUNDLE_MANIFEST) == 0 ||
	    strcmp(name, SETTLE_BUNDLE_SIGNATURE) == 0)
		return FAIL(err, "MANIFEST line %zu: lists '%s'", line, name);
	if ((v = find_entry(vs, name)) == NULL)
		return FAIL(err, "MANIFEST lists '%s' but the bundle has no "
		    "such entry", name);
	if (memcmp(v->md, md, sizeof(v->md)) != 0)
		return FAIL(err, "entry '%s': SHA-256 does not match MANIFEST",
		    name);
	v->listed = 1;
	return 0;
}

static int
check_manifest(struct vstate *vs, struct settle_bundle_report *rep,
    struct settle_err *err)
{
	const char *p = (const char *)vs->manifest, *end = p + vs->mlen, *nl;
	char name[SETTLE_BUNDLE_NAME_MAX + 1], prev[sizeof(name)] = "";
	unsigned char md[32];
	size_t i, line = 0;
	int rc;

	if (vs->mlen == 0)
		return FAIL(err, "MANIFEST lists no files");
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return FAIL(err, "MANIFEST line %zu: no line end",
			    line);
		if ((rc = parse_line(p, (size_t)(nl - p), line, md, name,
		    err)) != 0 ||
		    (rc = check_listed(vs, name, prev, md, line, err)) != 0)
			return rc;
		memcpy(prev, name, sizeof(prev));
	}
	rep->files = line;
	for (i = 0; i < vs->n; i++) {
		if (vs->ent[i].listed)
			rep->content_bytes += vs->ent[i].size;
		else if (strcmp(vs->ent[i].name, SETTLE_BUNDLE_MANIFEST) != 0 &&
		    strcmp(vs->ent[i].name, SETTLE_BUNDLE_SIGNATURE) != 0)
			return FAIL(err, "entry '%s' is not in MANIFEST",
			    vs->ent[i].name);
	}
	return 0;
}

/* Everything after the archive is read: signature, then MANIFEST. */
static int
check_signed(struct vstate *vs, EVP_PKEY *pub,
    struct settle_bundle_report *rep, struct settle_err *err)
{
	int rc;

	if (!vs->have_manifest)
		return FAIL(err, "no MANIFEST entry");
	if (!vs->have_sig)
		return FAIL(err, "no MANIFEST.sig entry");
	if ((rc = settle_key_verify(pub, vs->manifest, vs->mlen, vs->sig,
	    sizeof(vs->sig), err)) != 0)
		return rc;
	memset(rep, 0, sizeof(*rep));
	if ((rc = check_manifest(vs, rep, err)) != 0)
		return rc;
	rep->entries = vs->n;
	rep->business_date = vs->mtime / 86400;
	return 0;
}

int
settle_bundle_verify(const unsigned char *data, size_t len, EVP_PKEY *pub,
    struct settle_bundle_report *rep, struct settle_err *err)
{
	struct settle_bundle_report scratch;
	struct gz_in *g = NULL;
	struct vstate *vs = NULL;
	int rc;

	if (pub == NULL || EVP_PKEY_get_id(pub) != EVP_PKEY_ED25519)
		return settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
		    "public key is not an Ed25519 key");
	if (len > SETTLE_BUNDLE_MAX_BYTES)
		return FAIL(err, "bundle larger than %zu bytes",
		    SETTLE_BUNDLE_MAX_BYTES);
	if ((rc = check_gzip_header(data, len, err)) != 0)
		return rc;
	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (vs = calloc(1, sizeof(*vs))) == NULL ||
	    (vs->md = EVP_MD_CTX_new()) == NULL) {
		rc = settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
		goto done;
	}
	if ((rc = gz_open(g, data, len, err)) == 0 &&
	    (rc = read_entries(vs, g, err)) == 0 &&
	    (rc = gz_drain(g, err)) == 0)
		rc = check_signed(vs, pub, rep != NULL ? rep : &scratch, err);
done:
	if (g != NULL && g->open)
		inflateEnd(&g->zs);
	if (vs != NULL) {
		EVP_MD_CTX_free(vs->md);
		free(vs->manifest);
	}
	free(vs);
	free(g);
	return rc;
}
