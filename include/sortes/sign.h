/*
 * sign.h - Ed25519 keys and signatures for seals, over libcrypto.
 *
 * Keys are PEM files as the openssl command line writes them (PKCS#8
 * private key, SubjectPublicKeyInfo public key), so that an auditor can
 * check a seal with 'openssl pkeyutl' alone (docs/audit.md).
 */
#ifndef SORTES_SIGN_H
#define SORTES_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/error.h"

#define SORTES_SIG_LEN 64

struct sortes_signer;

/*
 * Make a key pair and write it: 'private_path' (mode 0600) and
 * 'public_path'.  Neither may exist.  Each file is written whole, the
 * private one put in place first (outfile.h).  *fingerprint receives
 * the key's fingerprint (see below).
 */
int sortes_sign_keygen(const char *private_path, const char *public_path,
    char fingerprint[SORTES_SHA256_HEX], struct sortes_error *err);

/*
 * Write the public key of the private key at 'private_path' (refused
 * when group or others can read it) to 'public_path', which must not
 * exist: what a keygen interrupted between its two files did not do.
 */
int sortes_sign_pubkey_write(const char *private_path,
    const char *public_path, char fingerprint[SORTES_SHA256_HEX],
    struct sortes_error *err);

/*
 * Load a private key (refused when group or others can read it) or a
 * public key.  Free with sortes_signer_free().
 */
int sortes_signer_load_private(struct sortes_signer **out, const char *path,
    struct sortes_error *err);
int sortes_signer_load_public(struct sortes_signer **out, const char *path,
    struct sortes_error *err);
void sortes_signer_free(struct sortes_signer *s);

/* SHA-256 of the raw 32-byte public key, in hex. */
void sortes_signer_fingerprint(const struct sortes_signer *s,
    char out[SORTES_SHA256_HEX]);

/* Sign msg[0..len) (private key needed). */
int sortes_sign(struct sortes_signer *s, uint8_t sig[SORTES_SIG_LEN],
    const void *msg, size_t len, struct sortes_error *err);

/* 0 when 'sig' is a valid signature of msg by s's key; else SORTES_EVERIFY. */
int sortes_sign_verify(struct sortes_signer *s,
    const uint8_t sig[SORTES_SIG_LEN], const void *msg, size_t len,
    struct sortes_error *err);

/* Standard base64 with padding; out needs 4 * ceil(n / 3) + 1 bytes. */
void sortes_base64_encode(char *out, const uint8_t *in, size_t n);

/* Decode base64 into out (at most 'max' bytes); -1 if malformed. */
long sortes_base64_decode(uint8_t *out, size_t max, const char *in);

#endif
