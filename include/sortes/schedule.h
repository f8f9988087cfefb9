/*
 * schedule.h - the follow-up schedule of each participant: which of
 * the protocol's occasions apply, and when each is due
 * (docs/followups.md).
 */
#ifndef SORTES_SCHEDULE_H
#define SORTES_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/db.h"
#include "sortes/error.h"
#include "sortes/protocol.h"

/* When one occasion is due: day numbers (date.h), window inclusive. */
struct sortes_due_dates {
	int32_t due, start, end;
};

/* Whether occasion 'o' applies to participants of arm index 'arm'. */
int sortes_occasion_applies(const struct sortes_occasion *o, size_t arm);

/*
 * Whether occasion 'o' of 'p' applies to some arms but not all, so that
 * whoever sees it scheduled learns something of the participant's arm.
 */
int sortes_occasion_arm_specific(const struct sortes_protocol *p,
    const struct sortes_occasion *o);

/* The index of occasion 'code' in p->occasions, or -1. */
long sortes_protocol_occasion(const struct sortes_protocol *p,
    const char *code);

/*
 * The dates of every occasion of 'p' for a participant enrolled on day
 * 'enrolled': out[i] for p->occasions[i].  An occasion with 'after'
 * counts from that occasion's due date before the weekend rule moves
 * it, so a moved date does not shift everything after it.  Returns 0,
 * or SORTES_EDATA when a date leaves the years 1000-9999.
 */
int sortes_schedule_dates(const struct sortes_protocol *p, int32_t enrolled,
    struct sortes_due_dates *out, struct sortes_error *err);

/*
 * The longest window of any occasion, in days, rounding months up to
 * 31 days: a due list need look no further than this around its dates.
 */
void sortes_schedule_reach(const struct sortes_protocol *p, int32_t *before,
    int32_t *after);

/*
 * The dates of every occasion for one enrollment day, as numbers and as
 * "YYYY-MM-DD" text; recomputed only when the day changes, since the
 * enrollments of one run mostly fall on one day.
 */
struct sortes_day_dates {
	const struct sortes_protocol *protocol;
	struct sortes_due_dates *dates;		/* one per occasion */
	char (*text)[3][11];			/* due, start, end */
	int32_t day;				/* the day of 'dates' */
	int have_day;
};

/* Zero 'd' and allocate for the occasions of 'p'. */
int sortes_day_dates_init(struct sortes_day_dates *d,
    const struct sortes_protocol *p, struct sortes_error *err);

/* Make d->dates and d->text those of a participant enrolled on 'day'. */
int sortes_day_dates_set(struct sortes_day_dates *d, int32_t day,
    struct sortes_error *err);

/* Free what init allocated; a zeroed 'd' is allowed. */
void sortes_day_dates_free(struct sortes_day_dates *d);

struct sortes_scheduler;

/* Prepare to write schedule rows into 'db' (inside the caller's transaction). */
int sortes_scheduler_new(struct sortes_scheduler **out, struct sortes_db *db,
    const struct sortes_protocol *p, struct sortes_error *err);

/*
 * Write the open schedule rows of participant 'seq' (its enrollment
 * entry), allocated to arm index 'arm', with caseworker 'caseworker',
 * enrolled on day 'enrolled'.
 */
int sortes_scheduler_add(struct sortes_scheduler *s, int64_t seq, size_t arm,
    const char *caseworker, int32_t enrolled, struct sortes_error *err);

/* Free; NULL is allowed. */
void sortes_scheduler_free(struct sortes_scheduler *s);

#endif
