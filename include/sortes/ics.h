/*
 * ics.h - the open follow-up occasions as an iCalendar file (RFC 5545),
 * written with libical: one all-day event per occasion on its due date,
 * with a UID that stays the same for the same participant and occasion,
 * so that importing a newer file updates events instead of adding them
 * twice.
 */
#ifndef SORTES_ICS_H
#define SORTES_ICS_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/error.h"
#include "sortes/trial.h"

/*
 * Write the calendar of the open occasions of 'caseworker' (NULL:
 * everybody's) to 'out'.  'now' (UTC, YYYY-MM-DDTHH:MM:SSZ) is the
 * DTSTAMP of every event.  *n counts the events.  Events name the
 * participant by UUID and the occasion; never the arm.  In a trial
 * with blinded outcome assessment the occasions that only some arms
 * have are left out unless 'arm_specific' (struct sortes_due_query).
 */
int sortes_ics_write(struct sortes_trial *t, const char *caseworker,
    int arm_specific, const char *now, FILE *out, int64_t *n,
    struct sortes_error *err);

#endif
