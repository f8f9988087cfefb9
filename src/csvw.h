/*
 * csvw.h - data dictionaries as CSV on the Web metadata (W3C "Metadata
 * Vocabulary for Tabular Data"), shared by the follow-up and the
 * allocation exports.  Private to the library.
 */
#ifndef SORTES_CSVW_H
#define SORTES_CSVW_H

#include <stddef.h>

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
 * Begin a dictionary in 'j' (reset first): the keys before the
 * caller's own "sortes:" keys, which must sort after "sortes:arms" and
 * before "sortes:protocol_sha256".
 */
void sortes_csvw_begin(struct sortes_jcs *j, const struct sortes_protocol *p,
    const char *description);

/*
 * End it: the trial, the columns, the primary key (NULL-terminated)
 * and the export's 'url'.
 */
int sortes_csvw_end(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_csvw_column *cols, size_t n,
    const char *const *primary_key, const char *url,
    struct sortes_error *err);

/* A protocol variable (field or measure) as sortes:fields lists it. */
void sortes_csvw_field(struct sortes_jcs *j, const struct sortes_field *f);

/*
 * Arm 'i' of the protocol as exports show it: its code, and its name
 * in *name.  The one place that says what an export calls an arm.
 */
const char *sortes_csvw_arm(const struct sortes_protocol *p, size_t i,
    const char **name);

/*
 * The cells of an export's arm columns for a participant allocated arm
 * code 'arm': *code and, when 'name' is not NULL, *name, both as
 * sortes_csvw_arm() shows them.  SORTES_EDATA when the protocol has no
 * such arm.
 */
int sortes_csvw_arm_cells(const struct sortes_protocol *p, const char *arm,
    const char **code, const char **name, struct sortes_error *err);

/* The arms as a coded column's codes (ctx: the protocol). */
const char *sortes_csvw_arm_code(const void *ctx, size_t i,
    const char **label);

#endif
