/*
 * enroll.h - enrolling participants (individual randomization).
 *
 * An enroller holds one write transaction: participants added to it are
 * validated, allocated and logged, and become permanent only when
 * sortes_enroller_commit() succeeds.  Freeing an enroller that was not
 * committed rolls everything back.
 */
#ifndef SORTES_ENROLL_H
#define SORTES_ENROLL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sortes/error.h"
#include "sortes/import.h"
#include "sortes/person.h"
#include "sortes/trial.h"

#define SORTES_UUID_LEN 37

struct sortes_enroll_input {
	const char *person;		/* as given; see sortes_person_canonical() */
	const char *caseworker;		/* caseworker code */
	const char *const *names;	/* field names ... */
	const char *const *values;	/* ... and their values as text */
	size_t nfields;
	const char *enrolled_at;	/* UTC, YYYY-MM-DDTHH:MM:SSZ */
	int32_t enroll_day;		/* calendar day in the trial's time zone */
};

struct sortes_enroll_result {
	char participant[SORTES_UUID_LEN];
	size_t arm;			/* index into protocol->arms */
	int64_t seq;			/* its log entry */
};

struct sortes_enroller;

/*
 * Start enrolling into 't', which must be unlocked (key loaded).
 * Begins the transaction.
 */
int sortes_enroller_new(struct sortes_enroller **out, struct sortes_trial *t,
    struct sortes_error *err);

/*
 * Validate, allocate and log one participant.  SORTES_EDATA means this
 * participant was refused (bad field, not eligible, already enrolled)
 * and nothing of it was written; the enroller can go on.  Any other
 * failure leaves the transaction unusable.
 */
int sortes_enroller_add(struct sortes_enroller *e,
    const struct sortes_enroll_input *in, struct sortes_enroll_result *out,
    struct sortes_error *err);

/* Commit everything added.  The enroller must still be freed. */
int sortes_enroller_commit(struct sortes_enroller *e, struct sortes_error *err);

/* Free, rolling back unless committed; NULL is allowed. */
void sortes_enroller_free(struct sortes_enroller *e);

/*
 * Enroll every row of a CSV file.  The header names the columns:
 * "person", "caseworker", and protocol fields, in any order; an unknown
 * column refuses the file.  With 'skip_invalid' zero, any refused row
 * means that nobody is enrolled (SORTES_EDATA after reporting every
 * refused row through 'on_reject'); otherwise the valid rows are
 * enrolled and committed.  'delimiter' as for sortes_csv_open().
 * summary->per_arm is freed by sortes_csv_summary_free().
 */
int sortes_enroll_csv(struct sortes_trial *t, FILE *in, const char *name,
    int delimiter, int skip_invalid, const char *enrolled_at,
    int32_t enroll_day, sortes_reject_fn on_reject, void *ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err);

/* An enrolled row of a CSV file, for a results file. */
struct sortes_enrolled_row {
	long line;			/* where the row starts */
	const char *person;		/* as given */
	const char *caseworker;
	const struct sortes_enroll_result *result;
};

/*
 * Called with each enrolled row, before the commit (which may still
 * fail, or be refused with the file); nonzero stops the import with
 * SORTES_EIO.
 */
typedef int (*sortes_enrolled_fn)(void *ctx,
    const struct sortes_enrolled_row *row);

/*
 * sortes_enroll_csv(), telling 'on_enrolled' (with 'ctx', as
 * 'on_reject') of every row enrolled, so that the caller has every
 * row's outcome in file order.
 */
int sortes_enroll_csv_rows(struct sortes_trial *t, FILE *in, const char *name,
    int delimiter, int skip_invalid, const char *enrolled_at,
    int32_t enroll_day, sortes_reject_fn on_reject,
    sortes_enrolled_fn on_enrolled, void *ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err);

#endif
