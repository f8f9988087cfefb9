/*
 * pcg32.h - the PCG32 generator (64-bit LCG state, XSH-RR output).
 *
 * Written from the published algorithm; tests/check_pcg32.c checks it
 * against the PCG authors' reference outputs.  PCG32 is fast and
 * statistically good but not cryptographic: sortes seeds every stream
 * from a secret via HMAC-SHA256 (docs/randomization.md) and never
 * stores a generator's state where others can read it.
 */
#ifndef SORTES_PCG32_H
#define SORTES_PCG32_H

#include <stdint.h>

struct sortes_pcg32 {
	uint64_t state;
	uint64_t inc;		/* stream increment, always odd */
};

/* Seed with an initial state and a stream selector, as pcg32_srandom_r. */
void sortes_pcg32_seed(struct sortes_pcg32 *rng, uint64_t initstate,
    uint64_t initseq);

/* Next raw 32-bit output. */
uint32_t sortes_pcg32_next(struct sortes_pcg32 *rng);

/*
 * Uniform integer in [0, bound) without modulo bias, by rejection;
 * may consume more than one raw output.  'bound' must be >= 1.
 */
uint32_t sortes_pcg32_bounded(struct sortes_pcg32 *rng, uint32_t bound);

/* Move the generator 'delta' steps (mod 2^64; negative steps wrap). */
void sortes_pcg32_advance(struct sortes_pcg32 *rng, uint64_t delta);

#endif
