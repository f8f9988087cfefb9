/*
 * caseworker.h - registering caseworkers, the clusters of a
 * caseworker-level trial (and the teams of any trial's strata).
 *
 * A registrar holds one write transaction, like an enroller: caseworkers
 * added to it become permanent only when sortes_registrar_commit()
 * succeeds.  A caseworker registered after the randomization of a
 * caseworker-level trial is a new hire: it is allocated at once, by
 * permuted blocks within its team.
 */
#ifndef SORTES_CASEWORKER_H
#define SORTES_CASEWORKER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sortes/error.h"
#include "sortes/import.h"
#include "sortes/trial.h"

#define SORTES_CASEWORKER_MAX 64
#define SORTES_TEAM_MAX 64

struct sortes_caseworker_input {
	const char *code;		/* [A-Za-z0-9._-], 1-64 */
	const char *team;		/* team or job centre, 1-64 bytes of text */
	const char *const *names;	/* covariate names ... */
	const char *const *values;	/* ... and their values as text */
	size_t ncovariates;
	const char *registered_at;	/* UTC, YYYY-MM-DDTHH:MM:SSZ */
};

struct sortes_caseworker_result {
	int64_t seq;			/* its log entry */
	int allocated;			/* a new hire, allocated now */
	size_t arm;			/* when allocated: index into arms */
};

struct sortes_registrar;

/*
 * Start registering into 't'.  After the randomization of a
 * caseworker-level trial the key must be loaded (new hires are
 * allocated from the seed).  Begins the transaction.
 */
int sortes_registrar_new(struct sortes_registrar **out, struct sortes_trial *t,
    struct sortes_error *err);

/*
 * Validate, (for a new hire) allocate, and log one caseworker.
 * SORTES_EDATA refuses this caseworker only, with nothing written.
 */
int sortes_registrar_add(struct sortes_registrar *r,
    const struct sortes_caseworker_input *in,
    struct sortes_caseworker_result *out, struct sortes_error *err);

int sortes_registrar_commit(struct sortes_registrar *r,
    struct sortes_error *err);

/* Free, rolling back unless committed; NULL is allowed. */
void sortes_registrar_free(struct sortes_registrar *r);

/*
 * Register every row of a CSV file with the columns "code", "team" and
 * the protocol's caseworker covariates, all or nothing as
 * sortes_import_csv() describes.
 */
int sortes_caseworker_import(struct sortes_trial *t, FILE *in,
    const char *name, int delimiter, int skip_invalid,
    const char *registered_at, const struct sortes_import_hooks *hooks,
    struct sortes_csv_summary *summary, struct sortes_error *err);

/* Check a caseworker code: 0, or SORTES_EDATA saying what is wrong. */
int sortes_caseworker_code_check(const char *code, struct sortes_error *err);

/*
 * Whether the caseworkers of 't' have been randomized: *out is the log
 * entry of the randomization, or 0.
 */
int sortes_caseworker_randomized(struct sortes_trial *t, int64_t *out,
    struct sortes_error *err);

#endif
