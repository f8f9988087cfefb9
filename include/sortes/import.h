/*
 * import.h - all-or-nothing import of CSV rows (participants,
 * caseworkers).
 *
 * The header names the columns: a fixed set of key columns, each
 * required, and any of a set of declared variables.  Each row goes to
 * a callback that adds it inside the caller's transaction; a row it
 * refuses (SORTES_EDATA) is reported, and unless 'skip_invalid' is set
 * a single refusal means the whole file is refused.
 */
#ifndef SORTES_IMPORT_H
#define SORTES_IMPORT_H

#include <stddef.h>
#include <stdio.h>

#include "sortes/error.h"
#include "sortes/protocol.h"

/* Counts of an import, for the caller's summary. */
struct sortes_csv_summary {
	long rows;			/* data rows read */
	long enrolled;			/* rows added */
	long rejected;
	long *per_arm;			/* added rows per bucket (arm); owned */
};

/*
 * Called for each refused row: 'line' is where the row starts,
 * 'header'/'nheader' the file's header, 'cells'/'ncells' the row,
 * 'reason' why it was refused.  A nonzero return stops the import
 * with SORTES_EIO (the callback could not record the refusal).
 */
typedef int (*sortes_reject_fn)(void *ctx, long line,
    const char *const *header, size_t nheader, const char *const *cells,
    size_t ncells, const char *reason);

struct sortes_import_spec {
	const char *const *keys;	/* required key columns, e.g. "person" */
	size_t nkeys;
	const struct sortes_field *vars;	/* the other allowed columns */
	size_t nvars;
	size_t nbuckets;		/* size of summary->per_arm */
	const char *verb;		/* "enrolled": no row could be ... */
	const char *none_added;		/* "nobody was enrolled" */
	/*
	 * Add one row: keys[] in spec order, then the variable columns
	 * present in the file.  Sets *bucket (< nbuckets) on success.
	 * SORTES_EDATA refuses the row only; anything else stops.
	 */
	int (*add)(void *ctx, const char *const *keys,
	    const char *const *names, const char *const *values, size_t n,
	    size_t *bucket, struct sortes_error *err);
	/* Told the line of each row before it is added; may be NULL. */
	void (*row_start)(void *ctx, long line);
	/* Make everything added permanent. */
	int (*commit)(void *ctx, struct sortes_error *err);
	void *ctx;
};

/*
 * Import 'in' ('name' for messages; 'delimiter' as sortes_csv_open()).
 * On success every row was added and committed (with skip_invalid:
 * every valid row, at least one).  summary->per_arm is freed with
 * sortes_csv_summary_free().
 */
int sortes_import_csv(const struct sortes_import_spec *spec, FILE *in,
    const char *name, int delimiter, int skip_invalid,
    sortes_reject_fn on_reject, void *reject_ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err);

void sortes_csv_summary_free(struct sortes_csv_summary *s);

#endif
