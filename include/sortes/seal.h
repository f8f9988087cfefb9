/*
 * seal.h - freezing the log into signed seals, and checking them.
 *
 * A freeze appends a "freeze" entry; its seal signs, with Ed25519, a
 * short text naming the trial, its protocol and seed commitment, and
 * the number and hash of the entries it covers, up to and including the
 * freeze entry.  The seal is kept in the database and written to a file
 * held outside it: docs/audit.md gives the exact format and the openssl
 * commands that check it without sortes.
 */
#ifndef SORTES_SEAL_H
#define SORTES_SEAL_H

#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/error.h"
#include "sortes/keyfile.h"
#include "sortes/sign.h"
#include "sortes/trial.h"

#define SORTES_NOTE_MAX 500
#define SORTES_SEAL_MAX 4096	/* bytes of a seal file */

struct sortes_seal {
	char trial[SORTES_TRIAL_ID_MAX + 1];
	char protocol_sha256[SORTES_SHA256_HEX];
	char commitment[SORTES_SHA256_HEX];
	int64_t entries;		/* entries covered, 1..entries */
	char head[SORTES_SHA256_HEX];	/* hash of entry 'entries' */
	char sealed_at[SORTES_TIME_LEN];
	char note[SORTES_NOTE_MAX + 1];
	char signer[SORTES_SHA256_HEX];	/* public key fingerprint */
	uint8_t signature[SORTES_SIG_LEN];
};

/*
 * The signed text of a seal (every line but the signature) into buf;
 * *len receives its length.  SORTES_EINTERNAL if buf is too small.
 */
int sortes_seal_text(const struct sortes_seal *s, char *buf, size_t size,
    size_t *len, struct sortes_error *err);

/* The whole seal file: the signed text and a signature line. */
int sortes_seal_format(const struct sortes_seal *s, char *buf, size_t size,
    size_t *len, struct sortes_error *err);

/*
 * Write the seal file 'path' (mode 0644), all or nothing and never over
 * an existing file (outfile.h).
 */
int sortes_seal_write(const struct sortes_seal *s, const char *path,
    struct sortes_error *err);

/* Parse a seal file's text; 'name' is used in messages. */
int sortes_seal_parse(struct sortes_seal *out, const char *text, size_t len,
    const char *name, struct sortes_error *err);

/* Read and parse a seal file (at most SORTES_SEAL_MAX bytes). */
int sortes_seal_read(struct sortes_seal *out, const char *path,
    struct sortes_error *err);

/*
 * Freeze trial 't' at 'at': append a freeze entry with 'note' (may be
 * empty), sign the seal with 'signer' and store it; commits.  *out is
 * the seal, for the caller to write to a file.
 */
int sortes_freeze(struct sortes_trial *t, struct sortes_signer *signer,
    const char *note, const char *at, struct sortes_seal *out,
    struct sortes_error *err);

/*
 * Check a seal against trial 't', whose chain must already be verified:
 * same trial, protocol and commitment; the log reaches entry
 * s->entries and that entry's hash is s->head; with 'pub', the seal
 * names pub's fingerprint and its signature is valid; and that entry
 * is the freeze the seal was made with (sortes_seal_check_freeze()).
 * SORTES_EVERIFY says which part failed.
 */
int sortes_seal_check(struct sortes_trial *t, const struct sortes_seal *s,
    struct sortes_signer *pub, struct sortes_error *err);

/*
 * Check that seal 's' names the fingerprint of 'pub' and that its
 * signature is valid for that key.  SORTES_EVERIFY, "seal of N entries:
 * " and which of the two fails.
 */
int sortes_seal_check_signature(const struct sortes_seal *s,
    struct sortes_signer *pub, struct sortes_error *err);

/*
 * Check that 'body' ('len' bytes), the body of log entry s->entries,
 * is the freeze entry that seal 's' was made with: exactly the entry
 * sortes freeze writes for the seal's note, time and signer.  A
 * signature cannot tell this: the key's holder can sign a seal with
 * another note, or one naming an entry that is no freeze.
 * SORTES_EVERIFY saying what differs (the caller says which seal).
 */
int sortes_seal_check_freeze(const struct sortes_seal *s, const char *body,
    size_t len, struct sortes_error *err);

/*
 * The unsigned "seal" of trial 't' at entry 'at' (its identity, the
 * entry count and hash), for exports as of an entry.  SORTES_EDATA if
 * the log has no such entry.
 */
int sortes_seal_point(struct sortes_trial *t, int64_t at,
    struct sortes_seal *out, struct sortes_error *err);

/* sortes_seal_point() at the last entry of the log. */
int sortes_seal_head(struct sortes_trial *t, struct sortes_seal *out,
    struct sortes_error *err);

/*
 * Check every seal: those kept in the database (rebuilt from the seals
 * table and the log) and those in 'files'.  With 'pub' the signatures
 * are checked too (database seals signed by another key then fail).
 * *checked counts the seals checked.  The chain must already be
 * verified.
 */
int sortes_seals_verify(struct sortes_trial *t, const char *const *files,
    size_t nfiles, struct sortes_signer *pub, int64_t *checked,
    struct sortes_error *err);

/* Called with each seal kept in the database; nonzero stops. */
typedef int (*sortes_seal_fn)(void *ctx, const struct sortes_seal *s,
    struct sortes_error *err);

/*
 * Call fn with each seal kept in the database, in entry order, rebuilt
 * as its freeze wrote it (seals table, genesis and log); only that of
 * freeze entry 'entry' when it is not 0.  *count counts them.  The seal
 * is lent to fn for the call.
 */
int sortes_seals_each(struct sortes_trial *t, int64_t entry, sortes_seal_fn fn,
    void *ctx, int64_t *count, struct sortes_error *err);

/*
 * The seal kept for freeze entry 'entry': sortes_seal_format() gives
 * the bytes its freeze wrote to the seal file.  SORTES_EDATA when the
 * trial keeps none for that entry.
 */
int sortes_seal_stored(struct sortes_trial *t, int64_t entry,
    struct sortes_seal *out, struct sortes_error *err);

/*
 * Reveal the seed of unlocked trial 't' in the log, for audit; refused
 * when revealed already.  *seq is the reveal entry.  Commits.
 */
int sortes_reveal(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err);

/* The log entry that revealed the seed of 't' into *seq, or 0. */
int sortes_revealed(struct sortes_trial *t, int64_t *seq,
    struct sortes_error *err);

/*
 * 0 while the seed of 't' is secret.  Once it is revealed every
 * allocation drawn from it can be foreseen, so whatever would allocate
 * (enrolling, randomizing, a new hire) calls this first, in its
 * transaction: SORTES_EUNSUPPORTED then, with a message that starts
 * with 'doing' ("enrolling into") and names the reveal entry.
 */
int sortes_concealed(struct sortes_trial *t, const char *doing,
    struct sortes_error *err);

#endif
