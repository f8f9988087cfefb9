/*
 * calendar.c - offsets with month-end clamping, and weekends.
 */
#include "sortes/calendar.h"
#include "sortes/date.h"

#define DAY_MIN (-354285)	/* 1000-01-01 */
#define DAY_MAX 2932896		/* 9999-12-31 */

int
sortes_calendar_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4); keep the remainder non-negative
	 * for days before it. */
	int r = (int)(((int64_t)day + 3) % 7);

	return (r < 0 ? r + 7 : r) + 1;
}

static int
days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return month == 2 && sortes_date_is_leap(year) ? 29 : days[month - 1];
}

static int
add_months(int32_t *out, int32_t from, int64_t months)
{
	int y, m, d;
	int64_t index;

	sortes_date_to_ymd(from, &y, &m, &d);
	index = (int64_t)y * 12 + (m - 1) + months;
	if (index < 1000 * 12 || index > 9999 * 12 + 11)
		return -1;
	y = (int)(index / 12);
	m = (int)(index % 12) + 1;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	*out = sortes_date_from_ymd(y, m, d);
	return 0;
}

int
sortes_calendar_add(int32_t *out, int32_t from, const struct sortes_offset *o,
    int sign)
{
	int64_t n = sign < 0 ? -o->n : o->n, day;

	if (o->n < 0 || o->n > 12 * 9999 * 31)
		return -1;
	if (o->unit == SORTES_MONTHS)
		return add_months(out, from, n);
	day = (int64_t)from + (o->unit == SORTES_WEEKS ? 7 * n : n);
	if (day < DAY_MIN || day > DAY_MAX)
		return -1;
	*out = (int32_t)day;
	return 0;
}

int32_t
sortes_calendar_off_weekend(int32_t day, enum sortes_weekend_rule rule)
{
	int wd = sortes_calendar_weekday(day);

	if (wd < 6 || rule == SORTES_WEEKEND_KEEP)
		return day;
	if (rule == SORTES_WEEKEND_NEXT_MONDAY)
		return day + (8 - wd);
	if (rule == SORTES_WEEKEND_PREVIOUS_FRIDAY)
		return day - (wd - 5);
	return wd == 6 ? day - 1 : day + 1;
}
