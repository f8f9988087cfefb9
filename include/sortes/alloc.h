/*
 * alloc.h - drawing allocations from the trial's secret seed.
 *
 * Every draw comes from a PCG32 stream seeded by
 *	HMAC-SHA256(seed, JCS(["sortes/1", purpose, stratum, counter]))
 * (first 8 bytes big-endian: initial state; next 8: stream selector),
 * as docs/randomization.md explains.  Only counters are stored; block
 * contents and sizes are derived again each time, so the database does
 * not reveal what comes next.
 */
#ifndef SORTES_ALLOC_H
#define SORTES_ALLOC_H

#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/db.h"
#include "sortes/jcs.h"
#include "sortes/pcg32.h"
#include "sortes/protocol.h"

#define SORTES_BLOCK_MAX 1024	/* largest block size a protocol may use */

/*
 * Seed 'rng' for 'purpose' ("simple", "block") in 'stratum' (canonical
 * JSON object text) at 'counter'.  'seed_mac' is HMAC keyed with the
 * trial seed; 'scratch' a writer for the message.
 */
int sortes_stream_derive(struct sortes_pcg32 *rng, struct sortes_hmac *seed_mac,
    struct sortes_jcs *scratch, const char *purpose, const char *stratum,
    int64_t counter, struct sortes_error *err);

struct sortes_allocation {
	size_t arm;		/* index into protocol->arms */
	int64_t counter;	/* draw number (simple) or block number */
	int64_t position;	/* place in the block; -1 for simple */
};

/*
 * Pure allocation rules, given an already derived stream: the arm of a
 * simple draw, and a permuted block (arms[0..*size) as arm indexes).
 */
size_t sortes_alloc_simple(const struct sortes_protocol *p,
    struct sortes_pcg32 *rng);
void sortes_alloc_block(const struct sortes_protocol *p, const int *sizes,
    size_t nsizes, struct sortes_pcg32 *rng, size_t *arms, int *size);

struct sortes_allocator;

/*
 * An allocator for the trial in 'db' (borrowed), keyed with 'seed'.  The
 * caller holds the write transaction.
 */
int sortes_allocator_new(struct sortes_allocator **out, struct sortes_db *db,
    const struct sortes_protocol *p, const uint8_t seed[32],
    struct sortes_error *err);
void sortes_allocator_free(struct sortes_allocator *a);

/*
 * Make the next allocation in 'stratum' and advance its counters.  The
 * counters are kept in memory and written by sortes_allocator_flush(),
 * which must be called before the transaction commits.
 */
int sortes_allocator_next(struct sortes_allocator *a, const char *stratum,
    struct sortes_allocation *out, struct sortes_error *err);

/*
 * Allocate a caseworker registered after the randomization: permuted
 * blocks of the protocol's new_hires sizes, purpose "new_hire", within
 * 'stratum' (the team, as {"team":"..."}).
 */
int sortes_allocator_new_hire(struct sortes_allocator *a, const char *stratum,
    struct sortes_allocation *out, struct sortes_error *err);

/*
 * For methods that keep their own state (minimization): claim the next
 * draw number of (purpose, stratum), kept and flushed like the others,
 * and seed a stream from the allocator's seed.
 */
int sortes_allocator_claim(struct sortes_allocator *a, const char *purpose,
    const char *stratum, int64_t *counter, struct sortes_error *err);
int sortes_allocator_stream(struct sortes_allocator *a,
    struct sortes_pcg32 *rng, const char *purpose, const char *stratum,
    int64_t counter, struct sortes_error *err);

/* Write every changed stratum's counters to the database. */
int sortes_allocator_flush(struct sortes_allocator *a, struct sortes_error *err);

#endif
