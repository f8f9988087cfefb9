/*
 * followup.h - follow-up measurements: what is due, and recording what
 * was measured or missed.  Each outcome is a log entry; a correction
 * is a new entry that supersedes the latest one (docs/followups.md).
 */
#ifndef SORTES_FOLLOWUP_H
#define SORTES_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/trial.h"

/*
 * The trial's calendar as the caller reckons it: today's date in the
 * trial's time zone, the UTC time recorded with an entry, and how to
 * turn a UTC time into a date in a zone (the library keeps no time
 * zone state of its own).
 */
struct sortes_clock {
	int32_t today;			/* day number (date.h) */
	const char *now;		/* UTC, YYYY-MM-DDTHH:MM:SSZ */
	sortes_local_day_fn local_day;
};

struct sortes_measure_input {
	const char *participant;	/* UUID */
	const char *occasion;		/* follow-up code */
	const char *const *names;	/* measure codes ... */
	const char *const *values;	/* ... and their values as text */
	size_t n;
	int32_t measured_on;		/* day number */
	int out_of_window;		/* the caller accepts a date outside */
	int correct;			/* the caller corrects an outcome */
	int keep_date;			/* measured_on is a default, not given */
};

struct sortes_outcome_result {
	int64_t seq;			/* the new entry */
	int64_t supersedes;		/* the entry it corrects, or 0 */
	int out_of_window;		/* recorded outside the window */
};

/*
 * Record measurements of participant in->participant at occasion
 * in->occasion.  Refused (SORTES_EDATA, nothing written): an unknown
 * participant or occasion, an occasion not scheduled for the
 * participant, a withdrawn participant, a value that is not one of the
 * occasion's measures or fails its definition, a date before
 * enrollment or after today, a date outside the window without
 * in->out_of_window, and an occasion with an outcome already unless
 * in->correct (and, with in->correct, one without).  Commits.
 *
 * A correction of a measurement changes only what it names: the new
 * entry holds the corrected entry's measures with those given replacing
 * theirs, and, with in->keep_date, the corrected entry's date (whose
 * window was settled then) instead of in->measured_on.  With
 * in->keep_date at least one measure must be given.
 */
int sortes_followup_record(struct sortes_trial *t,
    const struct sortes_measure_input *in, const struct sortes_clock *clock,
    struct sortes_outcome_result *out, struct sortes_error *err);

/*
 * Record that the occasion could not be done, with 'reason' (1-1000
 * bytes of text).  Refusals as for sortes_followup_record(), and an
 * occasion whose window has not opened yet.  Commits.
 */
int sortes_followup_missed(struct sortes_trial *t, const char *participant,
    const char *occasion, const char *reason, int correct,
    const struct sortes_clock *clock, struct sortes_outcome_result *out,
    struct sortes_error *err);

enum sortes_due_kind {
	SORTES_DUE,		/* open, window reaching [as_of, as_of + within] */
	SORTES_OVERDUE,		/* open, window closed before as_of */
	SORTES_OPEN		/* every open occasion */
};

struct sortes_due_query {
	enum sortes_due_kind kind;
	int32_t as_of;			/* day number */
	int32_t within;			/* days ahead (SORTES_DUE) */
	const char *caseworker;		/* or NULL: everybody's */
	int64_t limit;			/* at most this many rows; 0: all */
	int arm_specific;		/* also occasions only some arms have */
};

/*
 * One open occasion; the strings live until the callback returns.  The
 * arm is left out on purpose: whoever takes the measurement should not
 * be told it (docs/followups.md).  An occasion that only some arms have
 * tells it all the same; in a trial whose protocol declares blinded
 * outcome assessment such occasions are left out of the list unless
 * the query sets arm_specific.
 */
struct sortes_due_row {
	const char *participant;	/* UUID */
	const char *pseudonym;
	const char *caseworker;
	const char *occasion;
	const char *label;		/* the protocol's, or NULL */
	const char *due, *window_start, *window_end;	/* YYYY-MM-DD */
};

typedef int (*sortes_due_fn)(void *ctx, const struct sortes_due_row *row,
    struct sortes_error *err);

/*
 * Call 'fn' for each occasion the query selects, by due date (then
 * participant and occasion); with a q->limit other than 0, only the
 * first q->limit of them, and the search stops there, so that a page
 * of a long list costs only the page.  A non-zero return from 'fn'
 * stops the list and is returned.  *n counts the rows.  Refused
 * (SORTES_EUSAGE): an unknown kind, and a negative within or limit.
 */
int sortes_followup_list(struct sortes_trial *t,
    const struct sortes_due_query *q, sortes_due_fn fn, void *ctx,
    int64_t *n, struct sortes_error *err);

#endif
