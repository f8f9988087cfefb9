/*
 * randomize.h - allocating the caseworkers of a caseworker-level trial,
 * all at once (docs/randomization.md, "Caseworker-level randomization").
 */
#ifndef SORTES_RANDOMIZE_H
#define SORTES_RANDOMIZE_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/constrained.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/trial.h"

#define SORTES_BEACON_MAX 256	/* hex digits of a beacon value */

struct sortes_randomize_result {
	int64_t seq;			/* the randomize log entry */
	size_t ncaseworkers;		/* allocated now */
	size_t *per_arm;		/* caseworkers per arm; owned */
	struct sortes_jcs report;	/* canonical JSON of what was logged */
	char **codes;			/* caseworkers allocated ... */
	size_t *arms;			/* ... and their arms; owned */

	/* Method constrained only (cr.space == 0 otherwise): the engine's
	 * report and a balance table, one row per covariate column. */
	struct sortes_cr_result cr;
	enum sortes_coding coding;	/* how enum covariates became columns */
	size_t ncols;
	char **col_names;		/* "caseload", "office=nord" */
	double *mean_a, *mean_b;	/* column means in the two arms */
};

/*
 * Allocate every registered caseworker of 't' (unlocked, unit
 * caseworker, not yet randomized) by the protocol's method, log it as
 * one entry and commit.  'beacon' is the public beacon value (hex) the
 * protocol requires, or NULL when it declares none.  Frees nothing of
 * 'out' on failure; call sortes_randomize_result_free() either way.
 */
int sortes_randomize(struct sortes_trial *t, const char *beacon,
    const char *randomized_at, struct sortes_randomize_result *out,
    struct sortes_error *err);

void sortes_randomize_result_free(struct sortes_randomize_result *r);

/*
 * Recompute, for replay, the allocation that the randomize entry 'seq'
 * should have made: the caseworkers registered before it, allocated
 * from 'seed' and 'beacon' (NULL if none).  Writes nothing.  out->codes
 * and out->arms give the result, out->report the report it logs.
 */
int sortes_randomize_replay(struct sortes_trial *t, const uint8_t seed[32],
    const char *beacon, int64_t seq, struct sortes_randomize_result *out,
    struct sortes_error *err);

/*
 * How constrained randomization of 't' codes enum covariates: as its
 * protocol's randomization.constrained.coding says, or, when it says
 * nothing, by the trial's log format: per level for format 1 (as
 * those trials were randomized), reference coding from format 2 on.
 */
enum sortes_coding sortes_randomize_coding(const struct sortes_trial *t);

/*
 * The seed that the caseworker allocation streams are keyed with:
 * the trial seed itself, or, with a beacon,
 * HMAC-SHA256(seed, JCS(["sortes/1", "beacon", value])).
 */
int sortes_randomize_seed(uint8_t out[32], const uint8_t seed[32],
    const char *beacon, struct sortes_error *err);

#endif
