/*
 * lifecycle.h - what happens to a participant after enrollment:
 * transfers to another caseworker and withdrawals.  Neither changes the
 * allocated arm (intention to treat), and nothing is deleted: each is a
 * new log entry.
 */
#ifndef SORTES_LIFECYCLE_H
#define SORTES_LIFECYCLE_H

#include <stdint.h>

#include "sortes/caseworker.h"
#include "sortes/error.h"
#include "sortes/trial.h"

#define SORTES_REASON_MAX 1000

struct sortes_transfer_result {
	int64_t seq;				/* the transfer's log entry */
	char from[SORTES_CASEWORKER_MAX + 1];	/* the caseworker before */
	int cross_arm;		/* 1: the new caseworker's arm differs from
				 * the participant's (possible contamination);
				 * 0: same arm; -1: caseworkers have no arms */
};

/*
 * Move participant 'participant' (UUID) to caseworker 'to', at 'at'
 * (UTC).  In a caseworker-level trial 'to' must be registered and
 * allocated.  SORTES_EDATA for an unknown or withdrawn participant, a
 * move to the current caseworker, or a bad code.  Commits.
 */
int sortes_transfer(struct sortes_trial *t, const char *participant,
    const char *to, const char *at, struct sortes_transfer_result *out,
    struct sortes_error *err);

/*
 * Withdraw participant 'participant' (UUID) with 'reason' (1-1000 bytes
 * of text).  SORTES_EDATA for an unknown or already withdrawn
 * participant.  Commits; *seq is the entry.
 */
int sortes_withdraw(struct sortes_trial *t, const char *participant,
    const char *reason, const char *at, int64_t *seq,
    struct sortes_error *err);

#endif
