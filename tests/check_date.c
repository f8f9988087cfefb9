/*
 * check_date.c - tests for date.c.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "sortes/date.h"
#include "suites.h"

/* An independent successor function, so the walk below has an oracle
 * that shares no arithmetic with date.c. */
static void
next_day(int *y, int *m, int *d)
{
	static const int len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	int last = len[*m - 1] + (*m == 2 && leap);

	if (++*d <= last)
		return;
	*d = 1;
	if (++*m <= 12)
		return;
	*m = 1;
	++*y;
}

/*
 * Walk every day from 1000-01-01 to 9999-12-31.  Failures are counted
 * and the first is reported, because ck_assert on each of 3.3 million
 * days would be slow under fork mode.
 */
START_TEST(test_round_trip_all_days)
{
	int y = 1000, m = 1, d = 1, gy, gm, gd;
	int32_t first = sortes_date_from_ymd(1000, 1, 1);
	int32_t last = sortes_date_from_ymd(9999, 12, 31);
	int32_t day, parsed;
	char buf[16], want[48], bad[160] = "";
	long failures = 0;

	ck_assert_int_eq(first, -354285);
	ck_assert_int_eq(last, 2932896);
	for (day = first; day <= last; day++, next_day(&y, &m, &d)) {
		sortes_date_to_ymd(day, &gy, &gm, &gd);
		sortes_date_format(day, buf);
		snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
		parsed = 0;
		if (gy != y || gm != m || gd != d ||
		    sortes_date_from_ymd(y, m, d) != day ||
		    strcmp(buf, want) != 0 ||
		    sortes_date_parse(buf, &parsed) != 0 || parsed != day) {
			if (failures++ == 0)
				snprintf(bad, sizeof(bad), "day %ld: want %s, "
				    "got %04d-%02d-%02d '%s' parsed %ld",
				    (long)day, want, gy, gm, gd, buf,
				    (long)parsed);
		}
	}
	ck_assert_msg(failures == 0, "%ld failures; first %s", failures, bad);
	/* The walk itself must have ended on the last date. */
	ck_assert_int_eq(y, 10000);
	ck_assert_int_eq(m, 1);
	ck_assert_int_eq(d, 1);
}
END_TEST

START_TEST(test_anchors)
{
	int y, m, d;

	ck_assert_int_eq(sortes_date_from_ymd(1970, 1, 1), 0);
	ck_assert_int_eq(sortes_date_from_ymd(1969, 12, 31), -1);
	ck_assert_int_eq(sortes_date_from_ymd(2000, 3, 1), 11017);
	ck_assert_int_eq(sortes_date_from_ymd(1600, 2, 29), -135081);
	ck_assert_int_eq(sortes_date_from_ymd(1900, 3, 1), -25508);
	ck_assert_int_eq(sortes_date_from_ymd(2024, 5, 15), 19858);
	sortes_date_to_ymd(-1, &y, &m, &d);
	ck_assert_int_eq(y, 1969);
	ck_assert_int_eq(m, 12);
	ck_assert_int_eq(d, 31);
	sortes_date_to_ymd(11016, &y, &m, &d);
	ck_assert_int_eq(y, 2000);
	ck_assert_int_eq(m, 2);
	ck_assert_int_eq(d, 29);
}
END_TEST

START_TEST(test_leap_years)
{
	ck_assert(!sortes_date_is_leap(1900));
	ck_assert(sortes_date_is_leap(2000));
	ck_assert(sortes_date_is_leap(2024));
	ck_assert(!sortes_date_is_leap(2023));
	ck_assert(!sortes_date_is_leap(2100));
	ck_assert(sortes_date_is_leap(2400));
	ck_assert(sortes_date_is_leap(1600));
	/* 1900 has no 29 February: 28 February is followed by 1 March. */
	ck_assert_int_eq(sortes_date_from_ymd(1900, 3, 1) -
	    sortes_date_from_ymd(1900, 2, 28), 1);
	ck_assert_int_eq(sortes_date_from_ymd(2000, 3, 1) -
	    sortes_date_from_ymd(2000, 2, 28), 2);
}
END_TEST

START_TEST(test_parse_valid)
{
	int32_t out = 12345;

	ck_assert_int_eq(sortes_date_parse("1970-01-01", &out), 0);
	ck_assert_int_eq(out, 0);
	ck_assert_int_eq(sortes_date_parse("2024-02-29", &out), 0);
	ck_assert_int_eq(out, sortes_date_from_ymd(2024, 2, 29));
	ck_assert_int_eq(sortes_date_parse("2000-02-29", &out), 0);
	ck_assert_int_eq(out, 11016);
	ck_assert_int_eq(sortes_date_parse("1000-01-01", &out), 0);
	ck_assert_int_eq(out, -354285);
	ck_assert_int_eq(sortes_date_parse("9999-12-31", &out), 0);
	ck_assert_int_eq(out, 2932896);
}
END_TEST

static const char *const invalid_dates[] = {
	"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10",
	"2024-01-00", "2024-04-31", "2024-01-32", "2024-1-01",
	"2024-01-1", "24-01-01", "2024-01-01x", "2024-01-01 ",
	" 2024-01-01", "2024/01/01", "20240101", "", "2024",
	"2024-", "2024-01", "2024-01-", "0999-12-31", "0000-01-01",
	"+024-01-01", "-024-01-01", "2024-+1-01", "2024-01-+1",
	"31-12-2001", "2024-01-01\n", "abcd-ef-gh", "2024-1a-01",
};

START_TEST(test_parse_invalid)
{
	const char *text = invalid_dates[_i];
	int32_t out = 777;

	ck_assert_msg(sortes_date_parse(text, &out) == -1,
	    "'%s' was accepted", text);
	ck_assert_int_eq(out, 777);
}
END_TEST

START_TEST(test_parse_null)
{
	int32_t out = 5;

	ck_assert_int_eq(sortes_date_parse(NULL, &out), -1);
	ck_assert_int_eq(out, 5);
}
END_TEST

START_TEST(test_parse_dmy)
{
	int32_t out = 12345;

	ck_assert_int_eq(sortes_date_parse_dmy("01-02-2005", &out), 0);
	ck_assert_int_eq(out, sortes_date_from_ymd(2005, 2, 1));
	out = 0;
	ck_assert_int_eq(sortes_date_parse_dmy("01.02.2005", &out), 0);
	ck_assert_int_eq(out, sortes_date_from_ymd(2005, 2, 1));
	ck_assert_int_eq(sortes_date_parse_dmy("29.02.2024", &out), 0);
	ck_assert_int_eq(out, sortes_date_from_ymd(2024, 2, 29));
	ck_assert_int_eq(sortes_date_parse_dmy("31-12-9999", &out), 0);
	ck_assert_int_eq(out, 2932896);
	ck_assert_int_eq(sortes_date_parse_dmy("01.01.1000", &out), 0);
	ck_assert_int_eq(out, -354285);
}
END_TEST

/* The form, but no such day: -2, so that a message can say so. */
static const char *const dmy_no_such_day[] = {
	"31.02.2005", "29-02-2023", "29.02.1900", "00.01.2005", "01.00.2005",
	"01-13-2005", "32-01-2005", "31.04.2024",
};

START_TEST(test_parse_dmy_no_such_day)
{
	int32_t out = 777;

	ck_assert_msg(sortes_date_parse_dmy(dmy_no_such_day[_i], &out) == -2,
	    "'%s'", dmy_no_such_day[_i]);
	ck_assert_int_eq(out, 777);
}
END_TEST

static const char *const dmy_not[] = {
	"2005-02-01", "01-02.2005", "01.02-2005", "1.2.2005", "01/02/2005",
	"01-02-05", "01.02.05", "01.02.2005 ", " 01.02.2005", "01.02.20055",
	"", "0", "01", "01.", "01.02", "01.02.", "01.02.200", "0a.02.2005",
	"01.+2.2005", "01.02.-005", "01022005", "01 02 2005", "01.01.0999",
};

START_TEST(test_parse_dmy_not)
{
	int32_t out = 777;

	ck_assert_msg(sortes_date_parse_dmy(dmy_not[_i], &out) == -1, "'%s'",
	    dmy_not[_i]);
	ck_assert_int_eq(out, 777);
	ck_assert_int_eq(sortes_date_parse_dmy(NULL, &out), -1);
}
END_TEST

START_TEST(test_format)
{
	char buf[11];

	sortes_date_format(0, buf);
	ck_assert_str_eq(buf, "1970-01-01");
	sortes_date_format(-1, buf);
	ck_assert_str_eq(buf, "1969-12-31");
	sortes_date_format(-354285, buf);
	ck_assert_str_eq(buf, "1000-01-01");
	sortes_date_format(11016, buf);
	ck_assert_str_eq(buf, "2000-02-29");
}
END_TEST

static int
age(const char *birth, const char *on)
{
	int32_t b, o;

	ck_assert_int_eq(sortes_date_parse(birth, &b), 0);
	ck_assert_int_eq(sortes_date_parse(on, &o), 0);
	return sortes_date_age(b, o);
}

START_TEST(test_age_birthday)
{
	ck_assert_int_eq(age("2000-06-15", "2000-06-15"), 0);
	ck_assert_int_eq(age("2000-06-15", "2018-06-14"), 17);
	ck_assert_int_eq(age("2000-06-15", "2018-06-15"), 18);
	ck_assert_int_eq(age("2000-06-15", "2018-06-16"), 18);
	ck_assert_int_eq(age("2000-06-15", "2019-06-14"), 18);
	ck_assert_int_eq(age("2000-12-31", "2001-12-30"), 0);
	ck_assert_int_eq(age("2000-12-31", "2001-12-31"), 1);
	ck_assert_int_eq(age("2000-01-01", "2000-12-31"), 0);
	/* Across the epoch, i.e. with negative day numbers. */
	ck_assert_int_eq(age("1950-03-10", "1970-03-09"), 19);
	ck_assert_int_eq(age("1950-03-10", "1970-03-10"), 20);
	ck_assert_int_eq(age("1000-01-01", "9999-12-31"), 8999);
}
END_TEST

START_TEST(test_age_29_february)
{
	/* Common year: 28 February is the eve, 1 March the birthday. */
	ck_assert_int_eq(age("2004-02-29", "2022-02-28"), 17);
	ck_assert_int_eq(age("2004-02-29", "2022-03-01"), 18);
	ck_assert_int_eq(age("2004-02-29", "2005-02-28"), 0);
	ck_assert_int_eq(age("2004-02-29", "2005-03-01"), 1);
	/* Leap year: the birthday itself. */
	ck_assert_int_eq(age("2004-02-29", "2024-02-28"), 19);
	ck_assert_int_eq(age("2004-02-29", "2024-02-29"), 20);
	/* 2100 is not a leap year, although divisible by 4. */
	ck_assert_int_eq(age("2096-02-29", "2100-02-28"), 3);
	ck_assert_int_eq(age("2096-02-29", "2100-03-01"), 4);
	/* Someone born on 1 March is older on 29 February than not. */
	ck_assert_int_eq(age("2003-03-01", "2024-02-29"), 20);
	ck_assert_int_eq(age("2003-03-01", "2024-03-01"), 21);
}
END_TEST

Suite *
suite_date(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("core");
	TCase *walk = tcase_create("walk");

	tcase_add_test(tc, test_anchors);
	tcase_add_test(tc, test_leap_years);
	tcase_add_test(tc, test_parse_valid);
	tcase_add_loop_test(tc, test_parse_invalid, 0,
	    (int)(sizeof(invalid_dates) / sizeof(invalid_dates[0])));
	tcase_add_test(tc, test_parse_null);
	tcase_add_test(tc, test_parse_dmy);
	tcase_add_loop_test(tc, test_parse_dmy_no_such_day, 0,
	    (int)(sizeof(dmy_no_such_day) / sizeof(dmy_no_such_day[0])));
	tcase_add_loop_test(tc, test_parse_dmy_not, 0,
	    (int)(sizeof(dmy_not) / sizeof(dmy_not[0])));
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_age_birthday);
	tcase_add_test(tc, test_age_29_february);
	suite_add_tcase(s, tc);
	/* Under sanitizers or valgrind the walk needs more than the
	 * default 4 s; CK_TIMEOUT_MULTIPLIER still applies on top. */
	tcase_set_timeout(walk, 120);
	tcase_add_test(walk, test_round_trip_all_days);
	suite_add_tcase(s, walk);
	return s;
}
