/*
 * Ed25519 keys for settlement bundles: loading PEM files, reading a
 * passphrase, signing MANIFEST and checking its signature.  OpenSSL's error
 * queue is translated here and left empty; the terminal is never prompted
 * for a passphrase, so an unattended nightly run fails instead of hanging.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "bundle.h"

#define KEY_FILE_MAX 65536

struct pass_ctx {
	const char *pass;
	int asked;
};

/* OpenSSL's last queued reason, then an empty queue. */
static const char *
ossl_reason(void)
{
	const char *r;

	r = ERR_reason_error_string(ERR_peek_last_error());
	ERR_clear_error();
	return r != NULL ? r : "unknown reason";
}

/*
 * Read a small secret file into buf without reallocating, so that no stray
 * copy of key material is left on the heap.
 */
static int
read_secret(const char *path, unsigned char *buf, size_t size, size_t *len,
    struct settle_err *err)
{
	FILE *f;
	size_t n;
	int bad, saved;

	if ((f = fopen(path, "rb")) == NULL)
		return settle_err_set(err, SETTLE_ENOINPUT, path, 0, NULL,
		    "cannot open: %s", strerror(errno));
	n = fread(buf, 1, size, f);
	bad = ferror(f);
	saved = errno;
	fclose(f);
	if (bad)
		return settle_err_set(err, SETTLE_ENOINPUT, path, 0, NULL,
		    "cannot read: %s", strerror(saved));
	if (n == size)
		return settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "larger than %zu bytes: not a key", size - 1);
	*len = n;
	return 0;
}

static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	struct pass_ctx *pc = u;
	size_t n;

	(void)rwflag;
	pc->asked = 1;
	if (pc->pass == NULL)
		return -1;
	n = strlen(pc->pass);
	if (size < 0 || n > (size_t)size)
		return -1;
	memcpy(buf, pc->pass, n);
	return (int)n;
}

static int
check_ed25519(EVP_PKEY *key, const char *path, struct settle_err *err)
{
	const char *type;

	if (EVP_PKEY_get_id(key) == EVP_PKEY_ED25519)
		return 0;
	type = EVP_PKEY_get0_type_name(key);
	return settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
	    "not an Ed25519 key (%s)", type != NULL ? type : "unknown type");
}

int
settle_key_load_private(const char *path, const char *passphrase,
    EVP_PKEY **out, struct settle_err *err)
{
	unsigned char buf[KEY_FILE_MAX];
	struct pass_ctx pc = { passphrase, 0 };
	EVP_PKEY *key = NULL;
	BIO *bio;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = read_secret(path, buf, sizeof(buf), &len, err)) != 0)
		goto done;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL) {
		rc = settle_err_set(err, SETTLE_ENOMEM, path, 0, NULL,
		    "out of memory");
		goto done;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &pc);
	BIO_free(bio);
	if (key == NULL && pc.asked && passphrase == NULL)
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "key is encrypted: a passphrase is needed");
	else if (key == NULL && pc.asked)
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "cannot decrypt key: wrong passphrase or damaged key");
	else if (key == NULL)
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "not a PEM private key: %s", ossl_reason());
	else if ((rc = check_ed25519(key, path, err)) == 0)
		*out = key;
done:
	ERR_clear_error();
	if (rc != 0)
		EVP_PKEY_free(key);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
settle_key_load_public(const char *path, EVP_PKEY **out,
    struct settle_err *err)
{
	unsigned char buf[KEY_FILE_MAX];
	EVP_PKEY *key = NULL;
	BIO *bio;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = read_secret(path, buf, sizeof(buf), &len, err)) != 0)
		return rc;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, path, 0, NULL,
		    "out of memory");
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (key == NULL)
		return settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "not a PEM public key: %s", ossl_reason());
	if ((rc = check_ed25519(key, path, err)) != 0) {
		EVP_PKEY_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

int
settle_key_read_passphrase(const char *path, char *buf, size_t size,
    struct settle_err *err)
{
	unsigned char raw[1025];
	size_t len, n;
	int rc;

	if ((rc = read_secret(path, raw, sizeof(raw), &len, err)) != 0) {
		if (rc == SETTLE_ECONFIG)
			rc = settle_err_set(err, SETTLE_ECONFIG, path, 0,
			    NULL, "passphrase file larger than %zu bytes",
			    sizeof(raw) - 1);
		goto done;
	}
	for (n = 0; n < len && raw[n] != '\n' && raw[n] != '\0'; n++)
		;
	if (n > 0 && n < len && raw[n] == '\n' && raw[n - 1] == '\r')
		n--;
	if (n == 0)
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "empty passphrase");
	else if (n >= size)
		rc = settle_err_set(err, SETTLE_ECONFIG, path, 0, NULL,
		    "passphrase longer than %zu bytes", size - 1);
	else {
		memcpy(buf, raw, n);
		buf[n] = '\0';
	}
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int
settle_key_sign(EVP_PKEY *key, const unsigned char *msg, size_t len,
    unsigned char *sig, struct settle_err *err)
{
	EVP_MD_CTX *md;
	size_t siglen = SETTLE_BUNDLE_SIG_LEN;
	int ok;

	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
		return settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
		    "signing key is not an Ed25519 key");
	if ((md = EVP_MD_CTX_new()) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	/* Ed25519 hashes internally: one shot, no digest named. */
	ok = EVP_DigestSignInit(md, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(md, sig, &siglen, msg, len) == 1 &&
	    siglen == SETTLE_BUNDLE_SIG_LEN;
	EVP_MD_CTX_free(md);
	if (!ok)
		return settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
		    "cannot sign: %s", ossl_reason());
	return 0;
}

int
settle_key_verify(EVP_PKEY *key, const unsigned char *msg, size_t len,
    const unsigned char *sig, size_t siglen, struct settle_err *err)
{
	EVP_MD_CTX *md;
	int ok;

	if (key == NULL || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519)
		return settle_err_set(err, SETTLE_ECONFIG, NULL, 0, NULL,
		    "public key is not an Ed25519 key");
	if (siglen != SETTLE_BUNDLE_SIG_LEN)
		return settle_err_set(err, SETTLE_EVERIFY, NULL, 0, NULL,
		    "signature is %zu bytes, expected %d", siglen,
		    SETTLE_BUNDLE_SIG_LEN);
	if ((md = EVP_MD_CTX_new()) == NULL)
		return settle_err_set(err, SETTLE_ENOMEM, NULL, 0, NULL,
		    "out of memory");
	ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	if (!ok)
		return settle_err_set(err, SETTLE_EVERIFY, NULL, 0, NULL,
		    "bad signature on MANIFEST: wrong key or altered MANIFEST");
	return 0;
}
