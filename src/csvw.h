/*
 * csvw.h - data dictionaries as CSV on the Web metadata (W3C "Metadata
 * Vocabulary for Tabular Data"), shared by the follow-up and the
 * allocation exports.  Private to the library.
 */
#ifndef SORTES_CSVW_H
#define SORTES_CSVW_H

#include <stddef.h>

#include "sortes/blind.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/protocol.h"
#include "sortes/trial.h"

/*
 * The allowed values of a coded column, one by one: code 'i' of 'n'
 * and its label (NULL when it has none).
 */
struct sortes_csvw_codes {
	size_t n;
	const char *(*code)(const void *ctx, size_t i, const char **label);
	const void *ctx;
	int levels;		/* also list them, with labels, in sortes:levels */
};

struct sortes_csvw_column {
	const char *name;
	const char *base;		/* CSVW datatype: string, date, ... */
	int required;			/* never empty */
	const char *description;
	const char *field;		/* sortes:field, the protocol's name, or NULL */
	const struct sortes_field *bounds;	/* minimum and maximum, or NULL */
	const struct sortes_csvw_codes *codes;	/* or NULL: not coded */
};

/*
 * What an export shows of the arms: the protocol's codes and names,
 * or, blinded, labels alone.  Every cell and dictionary entry that
 * holds an arm comes from here, so a blinded export shows no real arm
 * anywhere.
 */
struct sortes_csvw_arms {
	const struct sortes_protocol *p;
	const struct sortes_blinding *blind;	/* NULL: not blinded */
};

/*
 * Begin a dictionary in 'j' (reset first): the keys before the
 * caller's own "sortes:" keys, which must sort after "sortes:blinded"
 * and before "sortes:protocol_sha256".  Blinded, "sortes:blinded"
 * names the commitment.
 */
void sortes_csvw_begin(struct sortes_jcs *j, const struct sortes_csvw_arms *a,
    const char *description);

/*
 * End it: the trial 'trial_id' with its protocol's hash, the columns,
 * the primary key (NULL-terminated) and the export's 'url'.
 */
int sortes_csvw_end(struct sortes_jcs *j, const char *trial_id,
    const char *protocol_sha256, const struct sortes_csvw_column *cols,
    size_t n, const char *const *primary_key, const char *url,
    struct sortes_error *err);

/* A protocol variable (field or measure) as sortes:fields lists it. */
void sortes_csvw_field(struct sortes_jcs *j, const struct sortes_field *f);

/*
 * The i-th arm a dictionary lists: the protocol's arm i, its code and
 * its name in *name; blinded, the i-th label in label order (which
 * says nothing of which arm it is) as both.  The one place that says
 * what a dictionary calls an arm.
 */
const char *sortes_csvw_arm(const struct sortes_csvw_arms *a, size_t i,
    const char **name);

/*
 * The cells of an export's arm columns for a participant allocated arm
 * code 'arm': *code and, when 'name' is not NULL, *name; blinded, the
 * arm's label as both.  SORTES_EDATA when the protocol has no such
 * arm.
 */
int sortes_csvw_arm_cells(const struct sortes_csvw_arms *a, const char *arm,
    const char **code, const char **name, struct sortes_error *err);

/* The arms as a coded column's codes (ctx: a struct sortes_csvw_arms). */
const char *sortes_csvw_arm_code(const void *ctx, size_t i,
    const char **label);

#endif
