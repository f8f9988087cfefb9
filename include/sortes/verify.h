/*
 * verify.h - checking a trial's log and tables.
 */
#ifndef SORTES_VERIFY_H
#define SORTES_VERIFY_H

#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/trial.h"

struct sortes_verify_report {
	int64_t entries;		/* log entries checked */
	int64_t participants;		/* participant rows checked */
	char head[SORTES_SHA256_HEX];	/* hash of the last entry */
	int64_t bad_seq;		/* first entry that failed; 0 if none */
};

/*
 * Recompute the chain from genesis to head, check the genesis entry
 * against the stored protocol and commitment, and check that the
 * participant, allocation, follow-up and spend tables say exactly what
 * the log says.  'local_day' turns each enrollment time into the
 * enrollment day in the trial's time zone, from which the follow-up
 * schedule's dates are recomputed.  Returns 0 when everything holds;
 * SORTES_EVERIFY with the first failure in 'err' (and report->bad_seq)
 * when not; other statuses when the check itself could not run.
 */
int sortes_verify(struct sortes_trial *t, sortes_local_day_fn local_day,
    struct sortes_verify_report *report, struct sortes_error *err);

#endif
