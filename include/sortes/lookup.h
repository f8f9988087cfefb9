/*
 * lookup.h - finding the participant a person became, by the keyed
 * pseudonym of the person's identifier, and reading lists of person
 * identifiers (the lead's own files; the trial stores none).
 *
 * Nothing here enrolls anyone or writes to the trial; docs/linkage.md
 * says what each command made from it shows.
 */
#ifndef SORTES_LOOKUP_H
#define SORTES_LOOKUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sortes/caseworker.h"
#include "sortes/crypto.h"
#include "sortes/date.h"
#include "sortes/enroll.h"
#include "sortes/error.h"
#include "sortes/trial.h"

/* What the trial holds of one person, as of an entry. */
struct sortes_person_status {
	int enrolled;				/* 0: none of the rest is set */
	char participant[SORTES_UUID_LEN];
	size_t arm;				/* index into protocol->arms */
	char caseworker[SORTES_CASEWORKER_MAX + 1];	/* after transfers */
	char enrolled_at[SORTES_TIME_LEN];	/* UTC */
	int64_t seq;				/* the enrollment's entry */
	int64_t transfers;
	char withdrawn_at[SORTES_TIME_LEN];	/* UTC, or "" */
};

struct sortes_finder;

/*
 * Start finding persons in unlocked trial 't' (its key loaded) as of
 * log entry 'at' (0: all of the log): what entries after 'at' did
 * (enrollments, transfers, withdrawals) is not seen.  Holds a read
 * transaction, so that every person is found in the same state.
 */
int sortes_finder_new(struct sortes_finder **out, struct sortes_trial *t,
    int64_t at, struct sortes_error *err);

/*
 * Find 'person' (as given; canonicalized by the protocol's
 * trial.identifier).  out->enrolled is 0 for a person never enrolled
 * (by entry 'at').  SORTES_EDATA for an identifier that is not one, its
 * message naming the position, never the identifier.  'pseudonym',
 * when not NULL, receives the person's pseudonym.
 */
int sortes_finder_find(struct sortes_finder *f, const char *person,
    struct sortes_person_status *out, char pseudonym[SORTES_SHA256_HEX],
    struct sortes_error *err);

/*
 * The enrollment and withdrawal dates of 's' in time zone 'tz' (the
 * trial's), YYYY-MM-DD; "" where the time is "" (not enrolled, not
 * withdrawn).
 */
int sortes_person_dates(const struct sortes_person_status *s,
    sortes_local_day_fn local_day, const char *tz, char enrolled[11],
    char withdrawn[11], struct sortes_error *err);

/* End the read transaction and free; NULL is allowed. */
void sortes_finder_free(struct sortes_finder *f);

/* Called with each person identifier of a list, in file order. */
typedef int (*sortes_person_fn)(void *ctx, long line, const char *person,
    struct sortes_error *err);

/*
 * Read a CSV file whose header has a "person" column (other columns
 * are allowed and ignored, so that an enrollment file serves) and call
 * 'fn' with each row's identifier and line.  'delimiter' as for
 * sortes_csv_open(); 'name' is used in messages.  A nonzero return of
 * 'fn' stops the reading with that status.
 */
int sortes_persons_each(FILE *in, const char *name, int delimiter,
    sortes_person_fn fn, void *ctx, struct sortes_error *err);

#endif
