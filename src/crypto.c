/*
 * crypto.c - SHA-256, HMAC-SHA256 and OS randomness over libcrypto.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "sortes/crypto.h"
#include "sortes/infile.h"

struct sortes_hasher {
	EVP_MD *md;
	EVP_MD_CTX *ctx;
};

struct sortes_hmac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

void
sortes_hex_encode(char *out, const uint8_t *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
sortes_hex_decode(uint8_t *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if (hex[2 * i] == '\0' || hex[2 * i + 1] == '\0')
			return -1;
		hi = hex_nibble(hex[2 * i]);
		lo = hex_nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

int
sortes_sha256(uint8_t out[SORTES_SHA256_LEN], const void *data, size_t len,
    struct sortes_error *err)
{
	unsigned int outlen = 0;

	if (EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) != 1)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "SHA-256 failed in libcrypto");
	return 0;
}

int
sortes_hasher_new(struct sortes_hasher **out, struct sortes_error *err)
{
	struct sortes_hasher *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (h == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	h->ctx = EVP_MD_CTX_new();
	if (h->md == NULL || h->ctx == NULL) {
		sortes_hasher_free(h);
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "libcrypto has no SHA-256");
	}
	*out = h;
	return 0;
}

void
sortes_hasher_free(struct sortes_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

int
sortes_hasher_two(struct sortes_hasher *h, uint8_t out[SORTES_SHA256_LEN],
    const void *a, size_t alen, const void *b, size_t blen,
    struct sortes_error *err)
{
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1 ||
	    EVP_DigestUpdate(h->ctx, a, alen) != 1 ||
	    EVP_DigestUpdate(h->ctx, b, blen) != 1 ||
	    EVP_DigestFinal_ex(h->ctx, out, &outlen) != 1)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "SHA-256 failed in libcrypto");
	return 0;
}

int
sortes_hasher_reset(struct sortes_hasher *h, struct sortes_error *err)
{
	if (EVP_DigestInit_ex2(h->ctx, h->md, NULL) != 1)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "SHA-256 failed in libcrypto");
	return 0;
}

int
sortes_hasher_update(struct sortes_hasher *h, const void *data, size_t len,
    struct sortes_error *err)
{
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "SHA-256 failed in libcrypto");
	return 0;
}

int
sortes_hasher_final(struct sortes_hasher *h, uint8_t out[SORTES_SHA256_LEN],
    struct sortes_error *err)
{
	unsigned int outlen = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &outlen) != 1)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "SHA-256 failed in libcrypto");
	return 0;
}

int
sortes_hmac_new(struct sortes_hmac **out, const uint8_t *key, size_t keylen,
    struct sortes_error *err)
{
	struct sortes_hmac *m = calloc(1, sizeof(*m));
	OSSL_PARAM params[2];

	*out = NULL;
	if (m == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (m->mac != NULL)
		m->ctx = EVP_MAC_CTX_new(m->mac);
	if (m->ctx == NULL || EVP_MAC_init(m->ctx, key, keylen, params) != 1) {
		sortes_hmac_free(m);
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "libcrypto cannot set up HMAC-SHA256");
	}
	*out = m;
	return 0;
}

void
sortes_hmac_free(struct sortes_hmac *m)
{
	if (m == NULL)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	free(m);
}

int
sortes_hmac(struct sortes_hmac *m, uint8_t out[SORTES_SHA256_LEN],
    const void *msg, size_t len, struct sortes_error *err)
{
	size_t outlen = 0;

	/* A NULL key re-initialises with the key given at creation. */
	if (EVP_MAC_init(m->ctx, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(m->ctx, msg, len) != 1 ||
	    EVP_MAC_final(m->ctx, out, &outlen, SORTES_SHA256_LEN) != 1 ||
	    outlen != SORTES_SHA256_LEN)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "HMAC-SHA256 failed in libcrypto");
	return 0;
}

int
sortes_random_bytes(void *buf, size_t n, struct sortes_error *err)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return sortes_error_set(err, SORTES_EIO,
			    "cannot read the system's random source: %s",
			    strerror(errno));
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

void
sortes_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

int
sortes_memeq_const(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n);
}

int
sortes_file_sha256(char out[SORTES_SHA256_HEX], const char *path,
    struct sortes_error *err)
{
	struct sortes_hasher *h = NULL;
	uint8_t digest[SORTES_SHA256_LEN];
	FILE *fp;
	char buf[65536];
	size_t n;
	int rc;

	if ((rc = sortes_infile_open(&fp, path, "", err)) != 0)
		return rc;
	rc = sortes_hasher_new(&h, err);
	if (rc == 0)
		rc = sortes_hasher_reset(h, err);
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), fp)) > 0)
		rc = sortes_hasher_update(h, buf, n, err);
	if (rc == 0 && ferror(fp))
		rc = sortes_error_set(err, SORTES_EIO, "cannot read '%s'", path);
	if (rc == 0)
		rc = sortes_hasher_final(h, digest, err);
	sortes_hasher_free(h);
	fclose(fp);
	if (rc == 0)
		sortes_hex_encode(out, digest, sizeof(digest));
	return rc;
}
