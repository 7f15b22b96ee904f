/*
 * Signed, reproducible settlement bundles (SPEC §9).
 *
 * A bundle is a gzip-compressed POSIX ustar archive of a few flat files plus
 * MANIFEST (sha256sum format, one "<64 hex>  <name>\n" line per other file,
 * sorted by name) and MANIFEST.sig (the raw 64-byte Ed25519 signature of
 * MANIFEST's bytes).  Every entry is a regular file of mode 0644, owner and
 * group 0 without names, mtime the business date at 00:00:00 UTC; entries
 * are in name order; the gzip header has no name and no timestamp.  The same
 * files, date, level and key therefore give the same bytes.
 *
 * Entry names are plain file names: 1 to 100 bytes of the POSIX portable
 * file name set [A-Za-z0-9._-], not starting with '.' or '-'.  This keeps
 * them safe for ustar, for sha256sum (which escapes other bytes) and for a
 * shell.
 *
 * Keys are OpenSSL EVP_PKEY objects of type Ed25519.  Memory follows the
 * library rule of error.h: arguments are borrowed; what a function returns
 * for the caller to free is named in its comment.
 */
#ifndef SETTLE_BUNDLE_H
#define SETTLE_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "error.h"

#define SETTLE_BUNDLE_MANIFEST	"MANIFEST"
#define SETTLE_BUNDLE_SIGNATURE	"MANIFEST.sig"
#define SETTLE_BUNDLE_SIG_LEN	64

/* Caps that hold for building and for verifying. */
#define SETTLE_BUNDLE_MAX_ENTRIES 64		/* MANIFEST and .sig included */
#define SETTLE_BUNDLE_MAX_TOTAL	((size_t)1 << 30) /* sum of entry sizes */
#define SETTLE_BUNDLE_MAX_BYTES	(SETTLE_BUNDLE_MAX_TOTAL + ((size_t)8 << 20))
#define SETTLE_BUNDLE_NAME_MAX	100

/* gzip level: the fastest; -9 saves about 15 % more. */
#define SETTLE_BUNDLE_LEVEL_DEFAULT 1
#define SETTLE_BUNDLE_DATE_MAX	99420	/* 2242-03-16, ustar's mtime limit */

/*
 * One file to pack; data is borrowed.  When data is NULL and len is not 0,
 * the len bytes are read from fd, from offset 0 (pread), while packing.
 */
struct settle_bundle_file {
	const char *name;
	const unsigned char *data;
	size_t len;
	int fd;
};

/* What a successful verification saw. */
struct settle_bundle_report {
	size_t files;		/* files listed in MANIFEST */
	size_t entries;		/* archive entries, MANIFEST and .sig too */
	uint64_t content_bytes;	/* sum of the listed files' sizes */
	int64_t business_date;	/* days since 1970-01-01, from the mtimes */
};

/* 1 when the len bytes at name are an allowed entry name (see above). */
int settle_bundle_name_valid(const char *name, size_t len);

/*
 * Load a PEM Ed25519 private key (PKCS#8, plain or encrypted).  passphrase
 * may be NULL for a plain key; the terminal is never prompted.  A missing
 * or unreadable file is SETTLE_ENOINPUT, anything else wrong with the key
 * SETTLE_ECONFIG.  The file's bytes are wiped after parsing.  *out is the
 * caller's to EVP_PKEY_free.
 */
int settle_key_load_private(const char *path, const char *passphrase,
    EVP_PKEY **out, struct settle_err *err);

/* Load a PEM Ed25519 public key (SubjectPublicKeyInfo); as above. */
int settle_key_load_public(const char *path, EVP_PKEY **out,
    struct settle_err *err);

/*
 * Read a passphrase: the first line of path, without its line end ("\n" or
 * "\r\n"), into buf of size bytes, NUL-terminated.  Refuses an empty
 * passphrase and one that does not fit.  The caller wipes buf with
 * OPENSSL_cleanse when done; this function wipes its own copies.
 */
int settle_key_read_passphrase(const char *path, char *buf, size_t size,
    struct settle_err *err);

/* Ed25519 signature of msg into sig (SETTLE_BUNDLE_SIG_LEN bytes). */
int settle_key_sign(EVP_PKEY *key, const unsigned char *msg, size_t len,
    unsigned char *sig, struct settle_err *err);

/* 0 when sig (siglen bytes) is key's signature of msg, else SETTLE_EVERIFY. */
int settle_key_verify(EVP_PKEY *key, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t siglen, struct settle_err *err);

/*
 * Build a whole bundle in memory.  files (n of them, in any order) are
 * sorted by name here; MANIFEST and MANIFEST.sig are added.  business_date
 * is days since 1970-01-01 (0 .. SETTLE_BUNDLE_DATE_MAX); level is the gzip
 * level 1..9.  Bad names, duplicates, reserved names, n outside
 * 1 .. SETTLE_BUNDLE_MAX_ENTRIES - 2, a bad level or date are
 * SETTLE_EUSAGE; files over SETTLE_BUNDLE_MAX_TOTAL are SETTLE_ENOMEM; a
 * key that is not Ed25519 is SETTLE_ECONFIG.  On success *out is a malloc'd
 * buffer of *outlen bytes the caller frees.
 */
int settle_bundle_build(const struct settle_bundle_file *files, size_t n,
    int64_t business_date, EVP_PKEY *key, int level, unsigned char **out,
    size_t *outlen, struct settle_err *err);

/*
 * The same bundle written to the file fd as it is made, through a buffer
 * of 1 MiB, so that a large bundle is never held whole.  A write that fails
 * is SETTLE_EIO.  The caller syncs and closes fd.
 */
int settle_bundle_write(const struct settle_bundle_file *files, size_t n,
    int64_t business_date, EVP_PKEY *key, int level, int fd,
    struct settle_err *err);

/*
 * Verify a bundle held in memory against pub, without writing anything.
 * Every rule of SPEC §9 is checked: gzip header without name, timestamp or
 * trailing data; a whole ustar archive; only regular files with plain
 * names, no duplicates, in name order, mode 0644, owner 0:0 without names,
 * one mtime at 00:00:00 UTC; MANIFEST well formed and sorted, signed by pub
 * in a 64-byte MANIFEST.sig, listing exactly the other entries with their
 * SHA-256.  The first failure is SETTLE_EVERIFY with the reason in
 * err->msg (err->file left empty for the caller to name the bundle).  On
 * success rep, when not NULL, is filled.
 */
int settle_bundle_verify(const unsigned char *data, size_t len,
    EVP_PKEY *pub, struct settle_bundle_report *rep, struct settle_err *err);

/*
 * Read a whole file, or standard input for "-", of at most cap bytes.
 * Missing or unreadable is SETTLE_ENOINPUT, over cap SETTLE_ENOMEM, a read
 * error SETTLE_EIO.  *out is malloc'd (never NULL on success, even for an
 * empty file) and the caller frees it.
 */
int settle_bundle_read_file(const char *path, size_t cap, unsigned char **out,
    size_t *outlen, struct settle_err *err);

#endif
