/*
 * pcg32.c - PCG32 from the published algorithm (O'Neill, 2014).
 */
#include "sortes/pcg32.h"

#define PCG32_MULTIPLIER UINT64_C(6364136223846793005)

static void
pcg32_step(struct sortes_pcg32 *rng)
{
	rng->state = rng->state * PCG32_MULTIPLIER + rng->inc;
}

void
sortes_pcg32_seed(struct sortes_pcg32 *rng, uint64_t initstate,
    uint64_t initseq)
{
	rng->state = 0;
	rng->inc = (initseq << 1) | 1;
	pcg32_step(rng);
	rng->state += initstate;
	pcg32_step(rng);
}

uint32_t
sortes_pcg32_next(struct sortes_pcg32 *rng)
{
	uint64_t old = rng->state;
	uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
	uint32_t rot = (uint32_t)(old >> 59);

	pcg32_step(rng);
	return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

uint32_t
sortes_pcg32_bounded(struct sortes_pcg32 *rng, uint32_t bound)
{
	/* 2^32 mod bound, in 32-bit arithmetic: outputs below it are the
	 * surplus that would bias r % bound, so they are drawn again. */
	uint32_t threshold = (uint32_t)(-bound) % bound;
	uint32_t r;

	for (;;) {
		r = sortes_pcg32_next(rng);
		if (r >= threshold)
			return r % bound;
	}
}

void
sortes_pcg32_advance(struct sortes_pcg32 *rng, uint64_t delta)
{
	/* Jump by composing the affine step with itself (Brown, 1994):
	 * O(log delta) instead of delta steps. */
	uint64_t cur_mult = PCG32_MULTIPLIER, cur_plus = rng->inc;
	uint64_t acc_mult = 1, acc_plus = 0;

	while (delta > 0) {
		if (delta & 1) {
			acc_mult *= cur_mult;
			acc_plus = acc_plus * cur_mult + cur_plus;
		}
		cur_plus = (cur_mult + 1) * cur_plus;
		cur_mult *= cur_mult;
		delta >>= 1;
	}
	rng->state = acc_mult * rng->state + acc_plus;
}
