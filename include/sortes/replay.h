/*
 * replay.h - re-deriving every allocation from the seed.
 *
 * After the seed is revealed (or, before that, with the key file), the
 * whole trial is replayed in log order with the documented algorithms
 * (docs/randomization.md) in a scratch database, and every allocation
 * is compared with the one recorded.
 */
#ifndef SORTES_REPLAY_H
#define SORTES_REPLAY_H

#include <stdint.h>

#include "sortes/error.h"
#include "sortes/trial.h"

struct sortes_replay_report {
	int64_t allocations;	/* allocations re-derived and compared */
	int64_t bad_seq;	/* the first entry that differs; 0 if none */
};

/*
 * The seed revealed in the log of 't': *found is 1 and seed filled, or
 * 0 when the seed is not revealed yet.
 */
int sortes_replay_revealed_seed(struct sortes_trial *t, uint8_t seed[32],
    int *found, struct sortes_error *err);

/*
 * Replay trial 't' (whose chain and tables verify) from 'seed'.
 * Returns 0 when every allocation is the one the protocol's algorithm
 * makes; SORTES_EVERIFY naming the first entry that is not.
 */
int sortes_replay(struct sortes_trial *t, const uint8_t seed[32],
    struct sortes_replay_report *out, struct sortes_error *err);

#endif
