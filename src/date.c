/*
 * date.c - proleptic Gregorian day numbers.
 *
 * The arithmetic counts years from 1 March: the leap day then falls at
 * the very end of a year, so the month lengths before it never depend
 * on the year, and a whole calendar repeats every 400 years (146097
 * days).  Internally day 0 is 0000-03-01 of that shifted count.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/date.h"

#define DAYS_PER_400Y 146097	/* 400 * 365 + 97 leap days */
#define DAYS_PER_100Y 36524	/* 100 * 365 + 24: the century year is common */
#define DAYS_PER_4Y 1461	/* 4 * 365 + 1 */
#define DAYS_PER_Y 365

/* Days from 0000-03-01 to 1970-01-01. */
#define EPOCH_SHIFT 719468

/* Division rounding towards minus infinity, for dates before year 0. */
static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * Days from 1 March to the first of month 'm', where m counts from
 * March = 0.  The lengths repeat 31,30,31,30,31 (153 days per five
 * months), which the linear formula reproduces with truncation.
 */
static int
days_before_month(int m)
{
	return (153 * m + 2) / 5;
}

int32_t
sortes_date_from_ymd(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int m = month <= 2 ? month + 9 : month - 3;
	int64_t days;

	days = 365 * y + floor_div(y, 4) - floor_div(y, 100) +
	    floor_div(y, 400) + days_before_month(m) + (day - 1);
	return (int32_t)(days - EPOCH_SHIFT);
}

void
sortes_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
	int64_t z = (int64_t)days + EPOCH_SHIFT;
	int64_t n400 = floor_div(z, DAYS_PER_400Y);
	int64_t r = z - n400 * DAYS_PER_400Y;
	int64_t n100, n4, n1;
	int m;

	/* The last century and the last year of a cycle are one day
	 * longer, so their final day would otherwise count as the start
	 * of a fifth century or year: hence the caps at 3. */
	n100 = r / DAYS_PER_100Y;
	if (n100 > 3)
		n100 = 3;
	r -= n100 * DAYS_PER_100Y;
	n4 = r / DAYS_PER_4Y;
	r -= n4 * DAYS_PER_4Y;
	n1 = r / DAYS_PER_Y;
	if (n1 > 3)
		n1 = 3;
	r -= n1 * DAYS_PER_Y;

	/* r is now the day within a March-based year, 0..365. */
	m = (int)((5 * r + 2) / 153);
	*day = (int)(r - days_before_month(m)) + 1;
	*month = m < 10 ? m + 3 : m - 9;
	*year = (int)(400 * n400 + 100 * n100 + 4 * n4 + n1) + (*month <= 2);
}

int
sortes_date_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int year, int month)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && sortes_date_is_leap(year))
		return 29;
	return len[month - 1];
}

/* Read n ASCII digits; -1 if any is not a digit (isdigit is locale-bound). */
static int
read_digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
sortes_date_parse(const char *text, int32_t *out)
{
	int year, month, day;

	if (text == NULL)
		return -1;
	/* Checking each position in turn also stops at an early NUL. */
	year = read_digits(text, 4);
	if (year < 1000 || text[4] != '-')
		return -1;
	month = read_digits(text + 5, 2);
	if (month < 1 || month > 12 || text[7] != '-')
		return -1;
	day = read_digits(text + 8, 2);
	if (day < 1 || day > days_in_month(year, month) || text[10] != '\0')
		return -1;
	*out = sortes_date_from_ymd(year, month, day);
	return 0;
}

int
sortes_date_parse_dmy(const char *text, int32_t *out)
{
	int year, month, day;

	if (text == NULL)
		return -1;
	/* In turn, as in sortes_date_parse(), so an early NUL stops it. */
	day = read_digits(text, 2);
	if (day < 0 || (text[2] != '-' && text[2] != '.'))
		return -1;
	month = read_digits(text + 3, 2);
	if (month < 0 || text[5] != text[2])
		return -1;
	year = read_digits(text + 6, 4);
	if (year < 1000 || text[10] != '\0')
		return -1;
	if (month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return -2;
	*out = sortes_date_from_ymd(year, month, day);
	return 0;
}

int
sortes_time_valid(const char *text)
{
	char date[11];
	int32_t day;
	int hour, minute, second;

	if (text == NULL || strlen(text) != 20 || text[10] != 'T' ||
	    text[13] != ':' || text[16] != ':' || text[19] != 'Z')
		return 0;
	memcpy(date, text, 10);
	date[10] = '\0';
	hour = read_digits(text + 11, 2);
	minute = read_digits(text + 14, 2);
	second = read_digits(text + 17, 2);
	return sortes_date_parse(date, &day) == 0 && hour >= 0 && hour <= 23 &&
	    minute >= 0 && minute <= 59 && second >= 0 && second <= 59;
}

void
sortes_date_format(int32_t days, char *buf)
{
	char tmp[48];	/* room for any int, so the compiler sees no overrun */
	int year, month, day;

	sortes_date_to_ymd(days, &year, &month, &day);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", year, month, day);
	/* Outside years 0-9999 this cuts the text off rather than writing
	 * past the documented 11 bytes. */
	memcpy(buf, tmp, 10);
	buf[10] = '\0';
}

int
sortes_date_age(int32_t birth, int32_t on)
{
	int by, bm, bd, oy, om, od;
	int age;

	sortes_date_to_ymd(birth, &by, &bm, &bd);
	sortes_date_to_ymd(on, &oy, &om, &od);
	age = oy - by;
	/* Comparing (month, day) pairs makes a 29 February birthday fall
	 * due on 1 March in common years, as 28 February < 29 February. */
	if (om < bm || (om == bm && od < bd))
		age--;
	return age;
}
