/*
 * minimize.h - Pocock-Simon minimization (docs/randomization.md,
 * "minimization").  Private to the library.
 */
#ifndef SORTES_MINIMIZE_H
#define SORTES_MINIMIZE_H

#include "sortes/alloc.h"
#include "sortes/db.h"
#include "sortes/error.h"
#include "strata.h"

struct sortes_minimizer;

/*
 * A minimizer for protocol 'p' (method minimization) in 'db', drawing
 * through 'alloc' (borrowed: its counters and seed).  The caller holds
 * the write transaction.
 */
int sortes_minimizer_new(struct sortes_minimizer **out, struct sortes_db *db,
    const struct sortes_protocol *p, struct sortes_allocator *alloc,
    struct sortes_error *err);
void sortes_minimizer_free(struct sortes_minimizer *m);

/*
 * Allocate the participant whose levels of the factors 'levels' gives
 * (the canonical JSON object that is its stratum), and count it.
 */
int sortes_minimizer_next(struct sortes_minimizer *m, const char *levels,
    struct sortes_allocation *out, struct sortes_error *err);

/* Write the changed counts; before the transaction commits. */
int sortes_minimizer_flush(struct sortes_minimizer *m, struct sortes_error *err);

#endif
