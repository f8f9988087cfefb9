/*
 * person.h - person identifiers: which spellings are accepted, and the
 * one canonical form whose keyed pseudonym stands for the person.
 *
 * The same person must always give the same pseudonym, or one youth
 * could be enrolled (and randomized) twice.  So nothing invisible or
 * look-alike is ever kept or stripped: an identifier with such a
 * character is refused, with its position and code point.  The rules
 * are in docs/protocol.md ("Person identifiers").
 */
#ifndef SORTES_PERSON_H
#define SORTES_PERSON_H

#include "sortes/crypto.h"
#include "sortes/error.h"

/* Characters (bytes: only ASCII is accepted) in a canonical identifier. */
#define SORTES_PERSON_MAX 64

/* What a trial's person identifiers are: the protocol's trial.identifier. */
enum sortes_person_kind {
	SORTES_PERSON_ASCII,	/* printable ASCII; the default */
	SORTES_PERSON_CPR,	/* a Danish CPR number */
	SORTES_PERSON_NKINDS
};

/* The protocol word for a kind ("ascii", "cpr"). Never NULL. */
const char *sortes_person_kind_name(enum sortes_person_kind kind);

/*
 * Check 'person' (NUL-terminated, as given) against 'kind' and write
 * its canonical form, the bytes that are pseudonymized, into 'out'.
 * Outer ASCII spaces and tabs are trimmed; then
 *   SORTES_PERSON_CPR: DDMMYY-SSSS or DDMMYYSSSS whose date exists
 *     (century from the seventh digit), made the 10 digits;
 *   SORTES_PERSON_ASCII: printable ASCII, kept as it is, except that
 *     six digits, a hyphen and four digits lose the hyphen.
 * Returns 0, or SORTES_EDATA with a message that names the position of
 * the offending character (in characters, from 1, of 'person' as given)
 * and its code point, but never repeats the identifier.  'out' may
 * hold part of the identifier after a refusal too: the caller wipes it
 * (sortes_wipe) after use, whatever the result.
 */
int sortes_person_canonical(char out[SORTES_PERSON_MAX + 1],
    enum sortes_person_kind kind, const char *person,
    struct sortes_error *err);

/*
 * The keyed pseudonym of 'person' (as given), in hex: HMAC-SHA256 with
 * the trial's pseudonym key ('mac') of its canonical form under 'kind'.
 * Enrollment stores it, and lookups and linkages find participants by
 * it, so all of them go through this one function.  The canonical form
 * is wiped before returning.  Errors as sortes_person_canonical().
 */
int sortes_person_pseudonym(char out[SORTES_SHA256_HEX], struct sortes_hmac *mac,
    enum sortes_person_kind kind, const char *person,
    struct sortes_error *err);

#endif
