/*
 * constrained.h - covariate-constrained randomization of clusters
 * (Moulton 2004; Li et al. 2016) into two arms.
 *
 * n clusters (caseworkers) are split into arm A with m clusters and arm
 * B with n - m.  Every allocation gets a balance score from the
 * clusters' covariates; the allocations whose score is at most the
 * score of the ceil(q x space)-th best form the constrained space, and
 * one of them is chosen uniformly at random with the caller's PCG32
 * stream.  docs/constrained.md defines the score, the enumeration
 * order, the cutoff and tie rule, the sampling rule, the 64-bit bounded
 * draw and the quantiles exactly, so that an auditor can replay the
 * choice with any language.
 *
 * An allocation is a mask: bit i set = cluster i is in arm A.
 */
#ifndef SORTES_CONSTRAINED_H
#define SORTES_CONSTRAINED_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"
#include "sortes/pcg32.h"
#include "sortes/progress.h"

#define SORTES_CR_N_MIN 2
#define SORTES_CR_N_MAX 64		/* a mask holds the allocation */
#define SORTES_CR_K_MAX 256		/* covariate columns */
#define SORTES_CR_X_MAX INT64_C(2147483648)	/* |x| <= 2^31 */
#define SORTES_CR_W_MAX INT64_C(2147483648)	/* 1 <= w <= 2^31 */
#define SORTES_CR_ENUM_LIMIT UINT64_C(200000000) /* enumerate up to this */
#define SORTES_CR_SAMPLES UINT64_C(1000000)	/* otherwise sample this many */

#define SORTES_CR_L1 1
#define SORTES_CR_L2 2

struct sortes_cr_problem {
	size_t n;		/* clusters, SORTES_CR_N_MIN..SORTES_CR_N_MAX */
	size_t m;		/* clusters in arm A, 1..n-1 */
	size_t k;		/* covariate columns, 1..SORTES_CR_K_MAX */
	const int64_t *x;	/* n x k, row-major: x[i * k + j]; borrowed */
	const int64_t *w;	/* k weights, each 1..SORTES_CR_W_MAX; borrowed */
	int metric;		/* SORTES_CR_L1 or SORTES_CR_L2 */
	int keep_per10k;	/* q in parts per 10,000: 1..10000 */
};

/*
 * Limits of the method.  sortes_cr_run() uses the defaults
 * (SORTES_CR_ENUM_LIMIT, SORTES_CR_SAMPLES and internal defaults for
 * the last two), which define the trial method; other values exist so
 * that tests can reach the sampled mode and the multi-pass selection
 * with small problems.  A zero field means "the default" (for
 * enum_limit, 0 means SORTES_CR_ENUM_LIMIT; set force_sample to sample
 * whatever the size).
 */
struct sortes_cr_limits {
	uint64_t enum_limit;	/* enumerate when C(n, m) <= this */
	int force_sample;	/* nonzero: sample even when small */
	uint64_t samples;	/* sample size when not enumerating */
	size_t bins;		/* histogram bins per refinement pass, >= 2 */
	size_t collect_max;	/* scores held in memory at once, >= 1 */
	/* Told each walk over the space as it goes ("allocations, walk
	 * N"), or NULL; it changes nothing of the result. */
	const struct sortes_progress *progress;
};

/* A pair of clusters that the constrained space never separates (or
 * never puts together); i < j. */
struct sortes_cr_pair {
	uint32_t i, j;
	int together;		/* 1: always same arm; 0: always apart */
};

struct sortes_cr_result {
	int exact;		/* 1: all C(n, m) enumerated; 0: sampled */
	uint64_t combinations;	/* C(n, m), exact (fits for n <= 64) */
	uint64_t space;		/* allocations in the space (C(n,m) or samples) */
	uint64_t cutoff_rank;	/* ceil(q x space) */
	double cutoff;		/* score at rank cutoff_rank, ascending */
	uint64_t kept;		/* allocations with score <= cutoff (>= rank) */

	uint64_t chosen;	/* mask of the chosen allocation (arm A) */
	uint64_t chosen_draw;	/* r: the chosen is the r-th kept (0-based) */
	uint64_t chosen_index;	/* its position in the space (0-based) */
	double chosen_score;
	uint64_t chosen_rank;	/* 1 + allocations with a strictly lower score */

	/* Scores over the whole space; a quantile p is the score at rank
	 * ceil(p x space) in ascending order; sd is the population sd
	 * (its denominator is space, not space - 1). */
	double min, q05, q10, q20, q25, q30, q50, q75, q95, max, mean, sd;

	size_t n, k;
	double *col_sd;		/* k sample sds (denominator n-1); 0 if constant */
	unsigned char *col_constant; /* k flags: 1 = constant, left out */
	size_t n_constant;

	/* same_arm[i * n + j]: kept allocations with i and j in the same
	 * arm (the diagonal holds kept). */
	uint64_t *same_arm;
	struct sortes_cr_pair *fixed;	/* pairs always together or apart */
	size_t n_fixed;
};

/*
 * Run the constrained randomization of 'p' with 'rng' (advanced: the
 * draws of the sample, if any, then one 64-bit bounded draw of the
 * choice).  On success returns 0 and fills 'out', whose arrays the
 * caller releases with sortes_cr_result_free().  On failure returns
 * SORTES_EUSAGE (a bad argument), SORTES_EDATA (a covariate out of
 * range, or every column constant) or SORTES_ENOMEM, with a message in
 * 'err'; 'out' is then zeroed and owns nothing.  'p', its arrays and
 * 'rng' are borrowed.
 */
int sortes_cr_run(const struct sortes_cr_problem *p, struct sortes_pcg32 *rng,
    struct sortes_cr_result *out, struct sortes_error *err);

/* As sortes_cr_run(), with 'lim' instead of the defaults (NULL: the
 * defaults).  For tests. */
int sortes_cr_run_limits(const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *lim, struct sortes_pcg32 *rng,
    struct sortes_cr_result *out, struct sortes_error *err);

/* Release the arrays of 'r' and zero it.  NULL is allowed. */
void sortes_cr_result_free(struct sortes_cr_result *r);

/*
 * The balance score of allocation 'mask', computed afresh from the
 * definition; bit-identical to the score the enumeration computes
 * incrementally.  Returns NaN if 'p' is invalid or 'mask' does not put
 * exactly m of clusters 0..n-1 in arm A.  Pure: nothing is kept.
 */
double sortes_cr_score(const struct sortes_cr_problem *p, uint64_t mask);

/*
 * Visit the space of 'p' under 'lim' (NULL: the defaults) in
 * enumeration order, calling fn(arg, index, mask, score) with the
 * incrementally computed score.  In the sampled mode the sample is
 * drawn from 'rng' first, exactly as sortes_cr_run() draws it ('rng'
 * may be NULL when the space is enumerated).  A non-zero return of
 * 'fn' stops the visit and is returned.  Otherwise as sortes_cr_run().
 */
int sortes_cr_foreach(const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *lim, struct sortes_pcg32 *rng,
    int (*fn)(void *arg, uint64_t index, uint64_t mask, double score),
    void *arg, struct sortes_error *err);

/*
 * Uniform integer in [0, bound) from two 32-bit outputs per attempt
 * (the first is the high half), rejecting values below 2^64 mod bound.
 * 'bound' must be >= 1.
 */
uint64_t sortes_cr_bounded64(struct sortes_pcg32 *rng, uint64_t bound);

#endif
