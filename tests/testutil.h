/* testutil.h - temporary trials for the library tests. */
#ifndef SORTES_TESTUTIL_H
#define SORTES_TESTUTIL_H

#include "sortes/trial.h"

/* A small individually randomized protocol; the method is filled in. */
#define TU_PROTOCOL(method, extra) \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: testtrial\n" \
	"  title: Test trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 100\n" \
	"arms:\n" \
	"  - {code: I, name: Intervention, ratio: 1}\n" \
	"  - {code: C, name: Control, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: " method "\n" \
	extra \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: sex, type: enum, values: [F, M], required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}\n" \
	"  - {name: months_out, type: integer, min: 0}\n" \
	"eligibility:\n" \
	"  - {name: age 18-28, age_of: birth_date, min: 18, max: 28}\n" \
	"  - {name: on education benefit, field: benefit, equals: uddannelseshjaelp}\n"

#define TU_SIMPLE TU_PROTOCOL("simple", "")
#define TU_BLOCKS TU_PROTOCOL("blocks", "  block_sizes: [2, 4, 6]\n")
#define TU_STRATIFIED TU_PROTOCOL("stratified_blocks", \
	"  strata: [sex]\n  block_sizes: [2, 4]\n")

/* A fresh directory under $TMPDIR (or /tmp); caller frees the name. */
char *tu_tmpdir(void);

/* dir/name in a new string; caller frees. */
char *tu_path(const char *dir, const char *name);

/* Write text to a file (test fails on error). */
void tu_write(const char *path, const char *text);

/* Remove a directory and the files in it (one level). */
void tu_rmtree(const char *dir);

/*
 * Create a trial from 'yaml' in 'dir' (trial.db, trial.key), stamped
 * 2026-01-15T10:00:00Z, and return it open with its key.
 */
struct sortes_trial *tu_trial(const char *dir, const char *yaml);

/* Enroll a participant into open trial 't' in its own transaction. */
int tu_enroll(struct sortes_trial *t, const char *person, const char *sex,
    const char *birth, struct sortes_error *err);

#endif
