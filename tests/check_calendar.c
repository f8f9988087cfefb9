/* check_calendar.c - offsets, month-end clamping, leap days, weekends. */
#include <string.h>

#include "sortes/calendar.h"
#include "sortes/date.h"
#include "suites.h"

static int32_t
day_of(const char *text)
{
	int32_t d = 0;

	ck_assert_int_eq(sortes_date_parse(text, &d), 0);
	return d;
}

/* 'from' + sign * n units, formatted. */
static const char *
add(char *buf, const char *from, int64_t n, enum sortes_offset_unit unit,
    int sign)
{
	struct sortes_offset o = { n, unit };
	int32_t out;

	ck_assert_int_eq(sortes_calendar_add(&out, day_of(from), &o, sign), 0);
	sortes_date_format(out, buf);
	return buf;
}

START_TEST(test_weekdays)
{
	/* Checked against an independent calendar. */
	ck_assert_int_eq(sortes_calendar_weekday(day_of("1970-01-01")), 4);
	ck_assert_int_eq(sortes_calendar_weekday(day_of("1969-12-31")), 3);
	ck_assert_int_eq(sortes_calendar_weekday(day_of("2000-01-01")), 6);
	ck_assert_int_eq(sortes_calendar_weekday(day_of("2026-11-24")), 2);
	ck_assert_int_eq(sortes_calendar_weekday(day_of("2026-11-29")), 7);
	ck_assert_int_eq(sortes_calendar_weekday(day_of("1000-01-01")), 3);
}
END_TEST

START_TEST(test_month_ends)
{
	char b[11];

	ck_assert_str_eq(add(b, "2024-01-31", 1, SORTES_MONTHS, 1), "2024-02-29");
	ck_assert_str_eq(add(b, "2023-01-31", 1, SORTES_MONTHS, 1), "2023-02-28");
	ck_assert_str_eq(add(b, "2024-02-29", 12, SORTES_MONTHS, 1), "2025-02-28");
	ck_assert_str_eq(add(b, "2024-02-29", 48, SORTES_MONTHS, 1), "2028-02-29");
	ck_assert_str_eq(add(b, "2024-03-31", 1, SORTES_MONTHS, -1), "2024-02-29");
	ck_assert_str_eq(add(b, "2024-08-31", 1, SORTES_MONTHS, 1), "2024-09-30");
	ck_assert_str_eq(add(b, "2024-12-15", 1, SORTES_MONTHS, 1), "2025-01-15");
	ck_assert_str_eq(add(b, "2025-01-31", 2, SORTES_MONTHS, -1), "2024-11-30");
	ck_assert_str_eq(add(b, "2021-10-01", 6, SORTES_MONTHS, 1), "2022-04-01");
	ck_assert_str_eq(add(b, "2021-10-01", 0, SORTES_MONTHS, 1), "2021-10-01");
}
END_TEST

START_TEST(test_days_and_weeks)
{
	char b[11];

	ck_assert_str_eq(add(b, "2024-02-28", 1, SORTES_DAYS, 1), "2024-02-29");
	ck_assert_str_eq(add(b, "2023-02-28", 1, SORTES_DAYS, 1), "2023-03-01");
	ck_assert_str_eq(add(b, "2025-01-05", 14, SORTES_DAYS, -1), "2024-12-22");
	ck_assert_str_eq(add(b, "2024-12-20", 2, SORTES_WEEKS, 1), "2025-01-03");
	ck_assert_str_eq(add(b, "2000-02-28", 30, SORTES_DAYS, 1), "2000-03-29");
	ck_assert_str_eq(add(b, "1900-02-28", 1, SORTES_DAYS, 1), "1900-03-01");
}
END_TEST

START_TEST(test_clamping_everywhere)
{
	/* Over every start day of 1999-2030 and 0-36 months: the month
	 * moves by exactly n and the day is kept or clamped to the end. */
	for (int32_t d = day_of("1999-01-01"); d <= day_of("2030-12-31"); d++)
		for (int n = 0; n <= 36; n += 7) {
			struct sortes_offset o = { n, SORTES_MONTHS };
			int y0, m0, d0, y, m, dd;
			int32_t out;

			ck_assert_int_eq(sortes_calendar_add(&out, d, &o, 1), 0);
			sortes_date_to_ymd(d, &y0, &m0, &d0);
			sortes_date_to_ymd(out, &y, &m, &dd);
			ck_assert_int_eq(y * 12 + m, y0 * 12 + m0 + n);
			ck_assert(dd == d0 || (dd < d0 &&
			    sortes_date_from_ymd(y, m, dd) + 1 ==
			    sortes_date_from_ymd(m == 12 ? y + 1 : y,
			    m == 12 ? 1 : m + 1, 1)));
		}
}
END_TEST

START_TEST(test_range)
{
	struct sortes_offset day = { 1, SORTES_DAYS }, month = { 1, SORTES_MONTHS };
	int32_t out;

	ck_assert_int_eq(sortes_calendar_add(&out, day_of("9999-12-31"), &day,
	    1), -1);
	ck_assert_int_eq(sortes_calendar_add(&out, day_of("9999-12-01"), &month,
	    1), -1);
	ck_assert_int_eq(sortes_calendar_add(&out, day_of("1000-01-01"), &day,
	    -1), -1);
}
END_TEST

START_TEST(test_weekends)
{
	int32_t sat = day_of("2026-11-28"), sun = sat + 1, tue = sat - 4;

	ck_assert_int_eq(sortes_calendar_off_weekend(sat, SORTES_WEEKEND_KEEP),
	    sat);
	ck_assert_int_eq(sortes_calendar_off_weekend(sat,
	    SORTES_WEEKEND_NEXT_MONDAY), sat + 2);
	ck_assert_int_eq(sortes_calendar_off_weekend(sun,
	    SORTES_WEEKEND_NEXT_MONDAY), sun + 1);
	ck_assert_int_eq(sortes_calendar_off_weekend(sat,
	    SORTES_WEEKEND_PREVIOUS_FRIDAY), sat - 1);
	ck_assert_int_eq(sortes_calendar_off_weekend(sun,
	    SORTES_WEEKEND_PREVIOUS_FRIDAY), sun - 2);
	ck_assert_int_eq(sortes_calendar_off_weekend(sat,
	    SORTES_WEEKEND_NEAREST), sat - 1);
	ck_assert_int_eq(sortes_calendar_off_weekend(sun,
	    SORTES_WEEKEND_NEAREST), sun + 1);
	for (int r = SORTES_WEEKEND_KEEP; r <= SORTES_WEEKEND_NEAREST; r++)
		ck_assert_int_eq(sortes_calendar_off_weekend(tue,
		    (enum sortes_weekend_rule)r), tue);
}
END_TEST

Suite *
suite_calendar(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("calendar");

	tcase_add_test(tc, test_weekdays);
	tcase_add_test(tc, test_month_ends);
	tcase_add_test(tc, test_days_and_weeks);
	tcase_add_test(tc, test_clamping_everywhere);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_weekends);
	suite_add_tcase(s, tc);
	return s;
}
