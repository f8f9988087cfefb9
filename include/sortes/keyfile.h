/*
 * keyfile.h - a trial's secrets, kept in a key file outside the database.
 *
 * Two independent 256-bit secrets, both from the operating system's
 * CSPRNG: the randomization seed, whose SHA-256 is committed in the log
 * at init and which is revealed for audit once enrollment closes; and
 * the pseudonym key, which keys the HMAC of person identifiers and is
 * never revealed (a revealed key would let anyone test CPR numbers
 * against the pseudonyms, the CPR space being small).
 *
 * Format (text, one "name value" pair a line, '#' comments):
 *	sortes-key 1
 *	trial <trial id>
 *	seed <64 hex digits>
 *	pseudonym-key <64 hex digits>
 */
#ifndef SORTES_KEYFILE_H
#define SORTES_KEYFILE_H

#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/error.h"

#define SORTES_TRIAL_ID_MAX 64

struct sortes_key {
	char trial[SORTES_TRIAL_ID_MAX + 1];
	uint8_t seed[32];
	uint8_t pseudonym_key[32];
};

/* Fill a new key for 'trial' from the CSPRNG. */
int sortes_key_generate(struct sortes_key *out, const char *trial,
    struct sortes_error *err);

/*
 * Create 'path' with mode 0600 and write the key, all or nothing
 * (outfile.h).  Refuses to overwrite or follow a symbolic link
 * (SORTES_ECANTCREAT).
 */
int sortes_key_write(const char *path, const struct sortes_key *key,
    struct sortes_error *err);

/*
 * Read a key file.  Refuses a file that group or others can read
 * (SORTES_EPERM), a symbolic link, one over 4 KiB, or a malformed one
 * (SORTES_EDATA, naming the line).
 */
int sortes_key_read(struct sortes_key *out, const char *path,
    struct sortes_error *err);

/* The commitment to a seed: SHA-256 of its 32 bytes, in hex. */
int sortes_key_commitment(char out[SORTES_SHA256_HEX], const uint8_t seed[32],
    struct sortes_error *err);

/* Overwrite the secrets in 'key'. */
void sortes_key_wipe(struct sortes_key *key);

#endif
