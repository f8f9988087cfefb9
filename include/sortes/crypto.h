/*
 * crypto.h - the few primitives sortes needs, over OpenSSL libcrypto.
 */
#ifndef SORTES_CRYPTO_H
#define SORTES_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"

#define SORTES_SHA256_LEN 32
#define SORTES_SHA256_HEX 65	/* 64 hex digits and a NUL */

/* Write 2n lower-case hex digits and a NUL to 'out'. */
void sortes_hex_encode(char *out, const uint8_t *in, size_t n);

/* Decode exactly 2n hex digits (either case); 0, or -1 if not hex. */
int sortes_hex_decode(uint8_t *out, size_t n, const char *hex);

/* SHA-256 of data[0..len) into out; 0 or SORTES_EINTERNAL. */
int sortes_sha256(uint8_t out[SORTES_SHA256_LEN], const void *data,
    size_t len, struct sortes_error *err);

/*
 * A reusable SHA-256 context for hashing many log entries without
 * fetching the algorithm each time.
 */
struct sortes_hasher;

int sortes_hasher_new(struct sortes_hasher **out, struct sortes_error *err);
void sortes_hasher_free(struct sortes_hasher *h);

/* SHA-256 over the concatenation a[0..alen) || b[0..blen). */
int sortes_hasher_two(struct sortes_hasher *h, uint8_t out[SORTES_SHA256_LEN],
    const void *a, size_t alen, const void *b, size_t blen,
    struct sortes_error *err);

/* Incremental SHA-256 of a stream: reset, update as often as needed,
 * final. */
int sortes_hasher_reset(struct sortes_hasher *h, struct sortes_error *err);
int sortes_hasher_update(struct sortes_hasher *h, const void *data,
    size_t len, struct sortes_error *err);
int sortes_hasher_final(struct sortes_hasher *h, uint8_t out[SORTES_SHA256_LEN],
    struct sortes_error *err);

/* SHA-256 of the file at 'path', in hex (SORTES_ENOINPUT, SORTES_EIO). */
int sortes_file_sha256(char out[SORTES_SHA256_HEX], const char *path,
    struct sortes_error *err);

/*
 * HMAC-SHA256 with a fixed key, reusable for many messages.  The key is
 * copied into OpenSSL's context and the caller may wipe its own copy.
 */
struct sortes_hmac;

int sortes_hmac_new(struct sortes_hmac **out, const uint8_t *key,
    size_t keylen, struct sortes_error *err);
void sortes_hmac_free(struct sortes_hmac *m);
int sortes_hmac(struct sortes_hmac *m, uint8_t out[SORTES_SHA256_LEN],
    const void *msg, size_t len, struct sortes_error *err);

/* Fill buf from the operating system's CSPRNG (getrandom). */
int sortes_random_bytes(void *buf, size_t n, struct sortes_error *err);

/* Overwrite a secret so that it does not linger in memory. */
void sortes_wipe(void *p, size_t n);

/* Compare in time independent of the contents; 0 when equal. */
int sortes_memeq_const(const void *a, const void *b, size_t n);

#endif
