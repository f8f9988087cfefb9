/*
 * sign.c - Ed25519 over libcrypto's EVP interface, PEM key files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sortes/killpoint.h"
#include "sortes/outfile.h"
#include "sortes/infile.h"
#include "sortes/sign.h"

struct sortes_signer {
	EVP_PKEY *key;
	int has_private;
	char fingerprint[SORTES_SHA256_HEX];
};

static int
signer_fingerprint(struct sortes_signer *s, struct sortes_error *err)
{
	uint8_t raw[32], digest[SORTES_SHA256_LEN];
	size_t len = sizeof(raw);
	int rc;

	if (EVP_PKEY_get_raw_public_key(s->key, raw, &len) != 1 || len != 32)
		return sortes_error_set(err, SORTES_EDATA, "not an Ed25519 key");
	if ((rc = sortes_sha256(digest, raw, len, err)) != 0)
		return rc;
	sortes_hex_encode(s->fingerprint, digest, sizeof(digest));
	return 0;
}

/*
 * Write one half of 'key' as PEM into 'f', through a memory BIO that
 * wipes itself when freed: the private key passes through no stdio
 * buffer.
 */
static int
write_pem(struct sortes_outfile *f, EVP_PKEY *key, int private,
    struct sortes_error *err)
{
	BIO *b = BIO_new(BIO_s_secmem());
	char *data = NULL;
	long n;
	int rc;

	if (b == NULL || (private ? PEM_write_bio_PrivateKey(b, key, NULL, NULL,
	    0, NULL, NULL) : PEM_write_bio_PUBKEY(b, key)) != 1 ||
	    (n = BIO_get_mem_data(b, &data)) <= 0) {
		BIO_free(b);
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "libcrypto cannot write the key as PEM");
	}
	rc = sortes_outfile_write(f, data, (size_t)n, err);
	BIO_free(b);
	return rc;
}

/*
 * Both files are written whole, and the private key is put in place
 * first: a crash between the two leaves NAME.pem alone, from which the
 * public key can be made again (sortes_sign_pubkey_write()), never a
 * public key whose private half is lost.
 */
static int
write_keys(EVP_PKEY *key, const char *private_path, const char *public_path,
    struct sortes_error *err)
{
	struct sortes_outfile *priv = NULL, *pub = NULL;
	int rc;

	rc = sortes_outfile_open(&priv, private_path, 0600, NULL, 0, err);
	if (rc == 0)
		rc = sortes_outfile_open(&pub, public_path, 0644, NULL, 0, err);
	if (rc == 0)
		rc = write_pem(priv, key, 1, err);
	if (rc == 0)
		rc = write_pem(pub, key, 0, err);
	if (rc == 0) {
		rc = sortes_outfile_commit(priv, err);
		priv = NULL;
	}
	if (rc == 0) {
		sortes_kill_point("keygen-private-linked");
		rc = sortes_outfile_commit(pub, err);
		pub = NULL;
		if (rc != 0)
			unlink(private_path);
	}
	sortes_outfile_abandon(priv);
	sortes_outfile_abandon(pub);
	return rc;
}

int
sortes_sign_keygen(const char *private_path, const char *public_path,
    char fingerprint[SORTES_SHA256_HEX], struct sortes_error *err)
{
	struct sortes_signer s = { 0 };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "ED25519", NULL);
	int rc = 0;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_keygen(ctx, &s.key) != 1)
		rc = sortes_error_set(err, SORTES_EINTERNAL,
		    "libcrypto cannot make an Ed25519 key");
	if (rc == 0)
		rc = signer_fingerprint(&s, err);
	if (rc == 0)
		rc = write_keys(s.key, private_path, public_path, err);
	if (rc == 0)
		memcpy(fingerprint, s.fingerprint, SORTES_SHA256_HEX);
	EVP_PKEY_free(s.key);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

static int
signer_load(struct sortes_signer **out, const char *path, int private,
    struct sortes_error *err)
{
	struct sortes_signer *s;
	struct stat st;
	FILE *fp;
	int fd, rc = 0;

	*out = NULL;
	/* O_NONBLOCK: a FIFO would block the open until a writer came. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return sortes_error_set(err, errno == ENOENT ? SORTES_ENOINPUT :
		    SORTES_EPERM, "cannot open key '%s': %s", path,
		    strerror(errno));
	if ((rc = sortes_infile_check(fd, path, private ? "private key" :
	    "public key", err)) != 0) {
		close(fd);
		return rc;
	}
	if (private && fstat(fd, &st) == 0 && (st.st_mode & 077) != 0) {
		close(fd);
		return sortes_error_set(err, SORTES_EPERM, "private key '%s' is "
		    "readable by others (mode %03o); run chmod 600 on it", path,
		    (unsigned)(st.st_mode & 0777));
	}
	if ((fp = fdopen(fd, "r")) == NULL || (s = calloc(1, sizeof(*s))) == NULL) {
		if (fp != NULL)
			fclose(fp);
		else
			close(fd);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	s->key = private ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) :
	    PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	fclose(fp);
	s->has_private = private;
	if (s->key == NULL || EVP_PKEY_get_id(s->key) != EVP_PKEY_ED25519)
		rc = sortes_error_set(err, SORTES_EDATA, "'%s' is not an Ed25519 "
		    "%s key in PEM", path, private ? "private" : "public");
	if (rc == 0)
		rc = signer_fingerprint(s, err);
	if (rc != 0) {
		sortes_signer_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
sortes_signer_load_private(struct sortes_signer **out, const char *path,
    struct sortes_error *err)
{
	return signer_load(out, path, 1, err);
}

int
sortes_signer_load_public(struct sortes_signer **out, const char *path,
    struct sortes_error *err)
{
	return signer_load(out, path, 0, err);
}

int
sortes_sign_pubkey_write(const char *private_path, const char *public_path,
    char fingerprint[SORTES_SHA256_HEX], struct sortes_error *err)
{
	struct sortes_outfile *pub = NULL;
	struct sortes_signer *s = NULL;
	int rc = sortes_outfile_open(&pub, public_path, 0644, NULL, 0, err);

	if (rc == 0)
		rc = signer_load(&s, private_path, 1, err);
	if (rc == 0)
		rc = write_pem(pub, s->key, 0, err);
	if (rc == 0) {
		rc = sortes_outfile_commit(pub, err);
		pub = NULL;
	}
	if (rc == 0)
		memcpy(fingerprint, s->fingerprint, SORTES_SHA256_HEX);
	sortes_outfile_abandon(pub);
	sortes_signer_free(s);
	return rc;
}

void
sortes_signer_free(struct sortes_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	free(s);
}

void
sortes_signer_fingerprint(const struct sortes_signer *s,
    char out[SORTES_SHA256_HEX])
{
	memcpy(out, s->fingerprint, SORTES_SHA256_HEX);
}

int
sortes_sign(struct sortes_signer *s, uint8_t sig[SORTES_SIG_LEN],
    const void *msg, size_t len, struct sortes_error *err)
{
	EVP_MD_CTX *ctx;
	size_t siglen = SORTES_SIG_LEN;
	int ok;

	if (!s->has_private)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "signing needs the private key");
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	/* Ed25519 signs the message itself: no digest is named. */
	ok = EVP_DigestSignInit(ctx, NULL, NULL, NULL, s->key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == SORTES_SIG_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : sortes_error_set(err, SORTES_EINTERNAL,
	    "libcrypto cannot sign");
}

int
sortes_sign_verify(struct sortes_signer *s, const uint8_t sig[SORTES_SIG_LEN],
    const void *msg, size_t len, struct sortes_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, s->key) == 1 &&
	    EVP_DigestVerify(ctx, sig, SORTES_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : sortes_error_set(err, SORTES_EVERIFY,
	    "the signature is not valid for key %.16s...", s->fingerprint);
}

void
sortes_base64_encode(char *out, const uint8_t *in, size_t n)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

long
sortes_base64_decode(uint8_t *out, size_t max, const char *in)
{
	size_t n = strlen(in), pad, len;
	uint8_t *buf;
	char *again;
	int got, same;

	if (n == 0 || n % 4 != 0 || (buf = malloc(n)) == NULL)
		return -1;
	got = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
	pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	if (got < 0 || (size_t)got < pad || (size_t)got - pad > max) {
		free(buf);
		return -1;
	}
	len = (size_t)got - pad;
	/* EVP_DecodeBlock lets misplaced padding and stray bits through:
	 * only the text that encodes these bytes is accepted, so a
	 * signature has exactly one spelling. */
	if ((again = malloc(n + 1)) == NULL) {
		free(buf);
		return -1;
	}
	sortes_base64_encode(again, buf, len);
	same = strcmp(again, in) == 0;
	if (same)
		memcpy(out, buf, len);
	free(again);
	free(buf);
	return same ? (long)len : -1;
}
