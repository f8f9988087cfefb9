/*
 * calendar.h - the calendar arithmetic of follow-up schedules
 * (docs/followups.md): offsets in days, weeks or months from a date,
 * and moving a date off a weekend.
 */
#ifndef SORTES_CALENDAR_H
#define SORTES_CALENDAR_H

#include <stdint.h>

#include "sortes/protocol.h"

/* ISO weekday of a day number: 1 Monday ... 7 Sunday. */
int sortes_calendar_weekday(int32_t day);

/*
 * 'from' moved by 'sign' (+1 or -1) times offset 'o'.  Days and weeks
 * are exact; months keep the day of the month, clamped to the end of a
 * shorter month (31 January + 1 month = 28 or 29 February, never
 * March).  Returns 0, or -1 if the result leaves the years 1000-9999.
 */
int sortes_calendar_add(int32_t *out, int32_t from,
    const struct sortes_offset *o, int sign);


/* 'day' moved off a weekend by 'rule' (unchanged on weekdays). */
int32_t sortes_calendar_off_weekend(int32_t day, enum sortes_weekend_rule rule);

#endif
