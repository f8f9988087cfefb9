/*
 * export.h - writing allocations for evaluators (pseudonyms only).
 */
#ifndef SORTES_EXPORT_H
#define SORTES_EXPORT_H

#include <stdio.h>

#include "sortes/error.h"
#include "sortes/trial.h"

enum sortes_export_format {
	SORTES_EXPORT_CSV,
	SORTES_EXPORT_JSON
};

/*
 * Write one row per participant, in log order: pseudonym, participant
 * UUID, caseworker, stratum, arm, enrollment time, log sequence number
 * and entry hash.  CSV has a header line; JSON is an array of objects,
 * one a line, each in canonical form.  Returns 0, or SORTES_EIO when
 * writing to 'out' fails.
 */
int sortes_export_allocations(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, struct sortes_error *err);

#endif
