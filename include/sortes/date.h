/*
 * date.h - proleptic Gregorian calendar dates as day numbers.
 *
 * A day number counts days since 1970-01-01 (day 0), so dates compare
 * and subtract as integers.  No time zone is involved: a date is a
 * calendar date as written.
 */
#ifndef SORTES_DATE_H
#define SORTES_DATE_H

#include <stdint.h>

/* Day number of year/month/day; the caller ensures the date exists. */
int32_t sortes_date_from_ymd(int year, int month, int day);

/* Split a day number into year, month (1-12) and day (1-31). */
void sortes_date_to_ymd(int32_t days, int *year, int *month, int *day);

/*
 * Parse exactly "YYYY-MM-DD" (years 1000-9999) into *out.
 * Returns 0, or -1 when the text is not such a date or the date does
 * not exist (2023-02-29).
 */
int sortes_date_parse(const char *text, int32_t *out);

/*
 * Parse exactly "DD-MM-YYYY" or "DD.MM.YYYY" (day, month, year, the
 * same separator twice; years 1000-9999), as Danish spreadsheets write
 * dates, into *out.  Returns 0; -1 when the text does not have that
 * form; -2 when it has, but the date does not exist (31.02.2005).
 * Only for values whose protocol declares this order: 01-02-2005 is
 * 1 February here and would be 2 January to an American reader.
 */
int sortes_date_parse_dmy(const char *text, int32_t *out);

/*
 * Nonzero when 'text' is exactly a UTC time "YYYY-MM-DDTHH:MM:SSZ": a
 * date as sortes_date_parse() takes it, 00:00:00 to 23:59:59.  Such
 * times compare in time order as text (strcmp).
 */
int sortes_time_valid(const char *text);

/* Write "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void sortes_date_format(int32_t days, char *buf);

/*
 * Age in completed years on day 'on' of someone born on 'birth'.
 * A birthday of 29 February is reached on 1 March in common years.
 */
int sortes_date_age(int32_t birth, int32_t on);

/* Nonzero when 'year' is a leap year. */
int sortes_date_is_leap(int year);

struct sortes_error;

/*
 * The caller's conversion of a UTC time ("YYYY-MM-DDTHH:MM:SSZ") into
 * the calendar day in time zone 'tz' (an IANA name): the library keeps
 * no time zone code or state of its own, so whoever calls it supplies
 * this.  Returns 0, or an error status with 'err' set.
 */
typedef int (*sortes_local_day_fn)(int32_t *out, const char *utc,
    const char *tz, struct sortes_error *err);

#endif
