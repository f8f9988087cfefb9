/*
 * linkage.h - the register-linkage file: for each person of the lead's
 * own list, the participant the person became, the arm and the dates,
 * as of a log entry; what a data controller sends a register
 * authority so that outcomes can be linked by person identifier.
 *
 * The file holds person identifiers, which the trial never stores:
 * they come from the list, and only a person the trial finds by the
 * keyed pseudonym (lookup.h) gets a row.  docs/linkage.md describes
 * the file and its manifest, and how to check them against a seal.
 */
#ifndef SORTES_LINKAGE_H
#define SORTES_LINKAGE_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/trial.h"

/* Called for each person of the list that was not enrolled. */
typedef void (*sortes_unenrolled_fn)(void *ctx, long line);

struct sortes_linkage_input {
	FILE *persons;			/* CSV with a "person" column */
	const char *name;		/* its name, for messages */
	int64_t at;			/* as of this entry; 0: the whole log */
	sortes_local_day_fn local_day;	/* dates in the trial's zone */
	sortes_unenrolled_fn unenrolled;	/* may be NULL */
	void *ctx;
};

struct sortes_linkage_counts {
	int64_t rows;			/* persons written */
	int64_t unenrolled;		/* persons of the list not enrolled */
};

/*
 * Write the linkage CSV of unlocked trial 't' to 'out': a header, then
 * one row per enrolled person of the list, in the list's order:
 * person (as given), participant, arm (code), enrolled_on and
 * withdrawn_on (dates in the trial's time zone; withdrawn_on empty when
 * the participant was not withdrawn by entry 'at').  A person whose
 * identifier is not one, or who appears twice, refuses the list
 * (SORTES_EDATA naming the line); SORTES_EIO when writing fails.
 */
int sortes_linkage_write(struct sortes_trial *t,
    const struct sortes_linkage_input *in, FILE *out,
    struct sortes_linkage_counts *counts, struct sortes_error *err);

/* What a linkage file's manifest says. */
struct sortes_linkage_manifest {
	const char *name;		/* the linkage file's name */
	const char *sha256;		/* of its bytes, hex */
	int64_t entries;		/* the entries it is as of */
	const char *head;		/* the hash of entry 'entries' */
	struct sortes_linkage_counts counts;
	const char *sealed_at;		/* the seal's, or NULL */
	const char *signer;		/* the seal's signer, or NULL */
};

/* The manifest as canonical JSON in 'j' (reset first). */
int sortes_linkage_manifest(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_linkage_manifest *m, struct sortes_error *err);

#endif
