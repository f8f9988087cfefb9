/*
 * blind.h - blinded exports: arm codes replaced by neutral labels
 * ("group A", "group B", ...) whose mapping is drawn from the seed,
 * committed to in the log before any blinded export, and disclosed
 * only by an explicit unblinding, itself a log entry.
 *
 * The commitment is SHA-256(nonce || mapping): the nonce (drawn from
 * the seed too, and secret until the disclosure) makes it hiding, for
 * a bare hash of one of k! mappings is inverted by trying them all.
 * docs/blinding.md gives the derivation byte for byte.
 */
#ifndef SORTES_BLIND_H
#define SORTES_BLIND_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/protocol.h"
#include "sortes/trial.h"

#define SORTES_BLIND_ARMS_MAX 26	/* one label per capital letter */
#define SORTES_BLIND_LABEL_MAX 8	/* "group A" and a NUL */

/* A trial's mapping from arms to labels, and its commitment. */
struct sortes_blinding {
	int64_t seq;			/* the blind entry; 0 before it */
	size_t narms;
	char labels[SORTES_BLIND_ARMS_MAX][SORTES_BLIND_LABEL_MAX];
					/* labels[i]: of the protocol's arm i */
	uint8_t nonce[32];
	char commitment[SORTES_SHA256_HEX];
};

/* The k-th label (from 0): "group A", "group B", ... */
void sortes_blind_label(char out[SORTES_BLIND_LABEL_MAX], size_t k);

/*
 * Draw the mapping and nonce of protocol 'p' from 'seed' and compute
 * the commitment (b->seq is left 0).  SORTES_EUNSUPPORTED for more
 * arms than labels.
 */
int sortes_blind_derive(struct sortes_blinding *b,
    const struct sortes_protocol *p, const uint8_t seed[32],
    struct sortes_error *err);

/* The labels in order, as a canonical JSON array, into 'j' (reset). */
int sortes_blind_labels_json(struct sortes_jcs *j, size_t narms,
    struct sortes_error *err);

/* The mapping as a canonical JSON object label -> arm code (reset). */
int sortes_blind_mapping_json(struct sortes_jcs *j,
    const struct sortes_blinding *b, const struct sortes_protocol *p,
    struct sortes_error *err);

/*
 * Read a disclosed mapping (canonical JSON object label -> arm code)
 * into b->labels: SORTES_EDATA unless it gives each label one arm and
 * is written exactly as sortes_blind_mapping_json() writes it.
 */
int sortes_blind_parse_mapping(struct sortes_blinding *b,
    const struct sortes_protocol *p, const char *mapping,
    struct sortes_error *err);

/* SHA-256(nonce || mapping[0..len)) in hex. */
int sortes_blind_commit(char out[SORTES_SHA256_HEX], const uint8_t nonce[32],
    const char *mapping, size_t len, struct sortes_error *err);

/*
 * What a blinded export's manifest or dictionary says of it: the
 * object {"commitment": hex, "entry": seq}, written into 'j'.
 */
void sortes_blind_json(struct sortes_jcs *j, const char *commitment,
    int64_t seq);

/*
 * What a blinded export writes for the arm whose code or name is
 * 'arm': its label; 'arm' itself when 'b' is NULL (not blinded); NULL
 * for a code or name the protocol does not have, which must not be
 * written either.  Every column that holds an arm goes through it.
 */
const char *sortes_blind_arm_label(const struct sortes_blinding *b,
    const struct sortes_protocol *p, const char *arm);

/*
 * Commit trial 't' (key loaded, seed not revealed) to its mapping: one
 * 'blind' log entry.  Refused when committed already.  *seq is the
 * entry.  Commits.
 */
int sortes_blind(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err);

/*
 * The trial's commitment: *seq its entry (0: none), commitment its
 * hex, *unblinded the disclosure's entry (0: none).
 */
int sortes_blind_find(struct sortes_trial *t, int64_t *seq,
    char commitment[SORTES_SHA256_HEX], int64_t *unblinded,
    struct sortes_error *err);

/*
 * The trial's mapping for a blinded export, drawn from 'seed' (the key
 * file's, or the revealed one) and checked against the logged
 * commitment.  SORTES_EUNSUPPORTED when nothing is committed yet,
 * SORTES_EVERIFY when the seed does not give the commitment.
 */
int sortes_blind_open(struct sortes_trial *t, const uint8_t seed[32],
    struct sortes_blinding *b, struct sortes_error *err);

/*
 * Disclose the mapping of 't' with its nonce, drawn from 'seed': one
 * 'unblind' entry.  Refused without a commitment or when disclosed
 * already.  'b' receives the mapping; *seq the entry.  Commits.
 */
int sortes_unblind(struct sortes_trial *t, const uint8_t seed[32],
    const char *at, struct sortes_blinding *b, int64_t *seq,
    struct sortes_error *err);

/*
 * For replay: the commitment, and the disclosure if any, are the ones
 * 'seed' gives.  SORTES_EVERIFY naming the entry when not.
 */
int sortes_blind_replay(struct sortes_trial *t, const uint8_t seed[32],
    int64_t *bad_seq, struct sortes_error *err);

#endif
