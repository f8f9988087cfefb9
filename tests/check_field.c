/*
 * check_field.c - tests for field.c.  Fields and protocols are built by
 * hand so that these tests do not depend on the protocol parser.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "sortes/date.h"
#include "sortes/field.h"
#include "suites.h"

static char *sex_values[] = { "F", "M" };

static const struct sortes_field f_int = {
	.name = "count", .type = SORTES_FIELD_INTEGER
};
static const struct sortes_field f_months = {
	.name = "months", .type = SORTES_FIELD_INTEGER,
	.has_min = 1, .min = 10, .has_max = 1, .max = 120
};
static const struct sortes_field f_date = {
	.name = "birth_date", .type = SORTES_FIELD_DATE
};
static const struct sortes_field f_date_dmy = {
	.name = "birth_date", .type = SORTES_FIELD_DATE,
	.date_format = SORTES_DATE_DAY_MONTH_YEAR
};
static const struct sortes_field f_bool = {
	.name = "activity_ready", .type = SORTES_FIELD_BOOLEAN
};
static const struct sortes_field f_enum = {
	.name = "sex", .type = SORTES_FIELD_ENUM,
	.values = sex_values, .nvalues = 2
};
static const struct sortes_field f_str = {
	.name = "note", .type = SORTES_FIELD_STRING
};

/* Parse text that must be accepted and check its canonical text. */
static struct sortes_value
accept(const struct sortes_field *f, const char *text, const char *canon)
{
	struct sortes_error err = { 0, "" };
	struct sortes_value v;
	int rc = sortes_value_parse(&v, f, text, &err);

	ck_assert_msg(rc == 0, "'%s' rejected: %s", text, err.msg);
	ck_assert_int_eq(v.present, 1);
	ck_assert_int_eq(v.type, f->type);
	ck_assert_ptr_nonnull(v.text);
	ck_assert_str_eq(v.text, canon);
	return v;
}

/* Parse text that must be refused with exactly 'msg'. */
static void
refuse(const struct sortes_field *f, const char *text, const char *msg)
{
	struct sortes_error err = { 0, "" };
	struct sortes_value v;
	int rc = sortes_value_parse(&v, f, text, &err);

	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_int_eq(err.code, SORTES_EDATA);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_int_eq(v.present, 0);
	ck_assert_ptr_null(v.text);
}

static void
accept_int(const struct sortes_field *f, const char *text, int64_t want,
    const char *canon)
{
	struct sortes_value v = accept(f, text, canon);

	ck_assert_int_eq(v.integer, want);
	sortes_value_clear(&v);
}

START_TEST(test_integer_accepted)
{
	accept_int(&f_int, "42", 42, "42");
	accept_int(&f_int, "  -7\t", -7, "-7");
	accept_int(&f_int, "007", 7, "7");
	accept_int(&f_int, "0", 0, "0");
	accept_int(&f_int, "000", 0, "0");
	accept_int(&f_int, "-0", 0, "0");
	accept_int(&f_int, "-00012", -12, "-12");
	accept_int(&f_int, "9007199254740991", SORTES_INT_MAX,
	    "9007199254740991");
	accept_int(&f_int, "-9007199254740991", -SORTES_INT_MAX,
	    "-9007199254740991");
	accept_int(&f_int, "0009007199254740991", SORTES_INT_MAX,
	    "9007199254740991");
}
END_TEST

START_TEST(test_integer_rejected)
{
	refuse(&f_int, "+5", "field 'count': '+5' is not an integer");
	refuse(&f_int, "5a", "field 'count': '5a' is not an integer");
	refuse(&f_int, "-", "field 'count': '-' is not an integer");
	refuse(&f_int, "--5", "field 'count': '--5' is not an integer");
	refuse(&f_int, "1 2", "field 'count': '1 2' is not an integer");
	refuse(&f_int, "1.5", "field 'count': '1.5' is not an integer");
	refuse(&f_int, "0x10", "field 'count': '0x10' is not an integer");
	refuse(&f_int, " 12e3 ", "field 'count': '12e3' is not an integer");
	refuse(&f_int, "1\x01", "field 'count': '1\\x01' is not an integer");
	refuse(&f_int, "99999999999999999999x",
	    "field 'count': '99999999999999999999x' is not an integer");
}
END_TEST

START_TEST(test_integer_overflow)
{
	static const char *const too_big[] = {
		"9007199254740992", "-9007199254740992",
		"99999999999999999999999999999",
		"-99999999999999999999999999999",
		"18446744073709551616", "9223372036854775808",
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++) {
		snprintf(msg, sizeof(msg), "field 'count': '%s' is out of "
		    "range; integers must be between -9007199254740991 and "
		    "9007199254740991", too_big[i]);
		refuse(&f_int, too_big[i], msg);
	}
}
END_TEST

START_TEST(test_integer_bounds)
{
	accept_int(&f_months, "10", 10, "10");
	accept_int(&f_months, "120", 120, "120");
	accept_int(&f_months, "0120", 120, "120");
	refuse(&f_months, "9", "field 'months': 9 is below the minimum 10");
	refuse(&f_months, "-3", "field 'months': -3 is below the minimum 10");
	refuse(&f_months, "121",
	    "field 'months': 121 is above the maximum 120");
	refuse(&f_months, "000121",
	    "field 'months': 121 is above the maximum 120");
}
END_TEST

/* Empty or blank text is "not given" for every type. */
START_TEST(test_empty_is_absent)
{
	const struct sortes_field *fields[] = {
		&f_int, &f_months, &f_date, &f_bool, &f_enum, &f_str
	};
	static const char *const blanks[] = { "", " ", "\t", " \t  ", NULL };
	struct sortes_error err = { 0, "" };
	struct sortes_value v;

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		for (size_t j = 0; j < sizeof(blanks) / sizeof(blanks[0]); j++) {
			memset(&v, 0xa5, sizeof(v));
			ck_assert_int_eq(sortes_value_parse(&v, fields[i],
			    blanks[j], &err), 0);
			ck_assert_int_eq(v.present, 0);
			ck_assert_ptr_null(v.text);
			ck_assert_int_eq(v.type, fields[i]->type);
		}
	}
	ck_assert_int_eq(err.code, 0);
}
END_TEST

/* Declared day-month-year: both Danish forms, stored as YYYY-MM-DD. */
START_TEST(test_date_day_month_year)
{
	static const char *const same[] = { "01-02-2005", "01.02.2005",
	    " 01.02.2005 ", "2005-02-01" };
	struct sortes_value v;

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		v = accept(&f_date_dmy, same[i], "2005-02-01");
		ck_assert_int_eq(v.date, sortes_date_from_ymd(2005, 2, 1));
		sortes_value_clear(&v);
	}
	v = accept(&f_date_dmy, "29.02.2024", "2024-02-29");
	sortes_value_clear(&v);
	refuse(&f_date_dmy, "31.02.2005", "field 'birth_date': '31.02.2005' "
	    "is not a date that exists; expected DD-MM-YYYY, DD.MM.YYYY or "
	    "YYYY-MM-DD");
	refuse(&f_date_dmy, "29-02-2023", "field 'birth_date': '29-02-2023' "
	    "is not a date that exists; expected DD-MM-YYYY, DD.MM.YYYY or "
	    "YYYY-MM-DD");
	refuse(&f_date_dmy, "2005-02-31", "field 'birth_date': '2005-02-31' "
	    "is not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD");
	refuse(&f_date_dmy, "1.2.2005", "field 'birth_date': '1.2.2005' is "
	    "not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD");
	refuse(&f_date_dmy, "01/02/2005", "field 'birth_date': '01/02/2005' "
	    "is not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD");
	refuse(&f_date_dmy, "01-02.2005", "field 'birth_date': '01-02.2005' "
	    "is not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD");
	refuse(&f_date_dmy, "01.02.05", "field 'birth_date': '01.02.05' is "
	    "not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD");
}
END_TEST

START_TEST(test_date)
{
	struct sortes_value v = accept(&f_date, " 2001-12-31 ", "2001-12-31");

	ck_assert_int_eq(v.date, sortes_date_from_ymd(2001, 12, 31));
	sortes_value_clear(&v);
	v = accept(&f_date, "1960-02-29", "1960-02-29");
	ck_assert_int_eq(v.date, sortes_date_from_ymd(1960, 2, 29));
	sortes_value_clear(&v);
	refuse(&f_date, "31-12-2001", "field 'birth_date': '31-12-2001' is "
	    "not a date; expected YYYY-MM-DD; to read it as day-month-year, "
	    "the protocol must declare date_format: day_month_year (under "
	    "trial:, or on the field)");
	refuse(&f_date, "31.12.2001", "field 'birth_date': '31.12.2001' is "
	    "not a date; expected YYYY-MM-DD; to read it as day-month-year, "
	    "the protocol must declare date_format: day_month_year (under "
	    "trial:, or on the field)");
	refuse(&f_date, "2023-02-29", "field 'birth_date': '2023-02-29' is "
	    "not a date; expected YYYY-MM-DD");
	refuse(&f_date, "2024-1-01", "field 'birth_date': '2024-1-01' is "
	    "not a date; expected YYYY-MM-DD");
	refuse(&f_date, "2024-01-01T00:00", "field 'birth_date': "
	    "'2024-01-01T00:00' is not a date; expected YYYY-MM-DD");
}
END_TEST

static void
accept_bool(const char *text, int want)
{
	struct sortes_value v = accept(&f_bool, text, want ? "true" : "false");

	ck_assert_int_eq(v.boolean, want);
	sortes_value_clear(&v);
}

START_TEST(test_boolean)
{
	static const char *const yes[] = {
		"true", "TRUE", "True", "yes", "YES", "Yes", "ja", "JA", "Ja",
		"1", " tRuE "
	};
	static const char *const no[] = {
		"false", "FALSE", "False", "no", "NO", "No", "nej", "NEJ",
		"Nej", "0", "\tfalse"
	};
	static const char *const bad[] = {
		"maybe", "2", "y", "n", "t", "f", "01", "truee", "nejj",
		"ja nej", "-1", "on", "off"
	};
	char msg[256];

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		accept_bool(yes[i], 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		accept_bool(no[i], 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), "field 'activity_ready': '%s' is "
		    "not a boolean; expected true/false, yes/no, ja/nej or "
		    "1/0", bad[i]);
		refuse(&f_bool, bad[i], msg);
	}
}
END_TEST

START_TEST(test_enum)
{
	struct sortes_value v = accept(&f_enum, "F", "F");

	sortes_value_clear(&v);
	v = accept(&f_enum, "  M ", "M");
	sortes_value_clear(&v);
	refuse(&f_enum, "X", "field 'sex': 'X' is not one of F, M");
	refuse(&f_enum, "f", "field 'sex': 'f' is not one of F, M");
	refuse(&f_enum, "FM", "field 'sex': 'FM' is not one of F, M");
	refuse(&f_enum, "F M", "field 'sex': 'F M' is not one of F, M");
}
END_TEST

START_TEST(test_string_accepted)
{
	char big[1001], want[999];
	struct sortes_value v;

	v = accept(&f_str, "  Søren  Kierkegaard ", "Søren  Kierkegaard");
	sortes_value_clear(&v);
	/* U+00A0 is not an ASCII blank, so it is kept. */
	v = accept(&f_str, "\xc2\xa0x", "\xc2\xa0x");
	sortes_value_clear(&v);
	v = accept(&f_str, "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf "
	    "\xee\x80\x80 \xef\xbf\xbf \xe0\xa0\x80 \xc2\x80",
	    "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xed\x9f\xbf "
	    "\xee\x80\x80 \xef\xbf\xbf \xe0\xa0\x80 \xc2\x80");
	sortes_value_clear(&v);
	memset(big, 'a', 1000);
	big[1000] = '\0';
	v = accept(&f_str, big, big);
	sortes_value_clear(&v);
	/* The limit counts bytes after trimming. */
	big[0] = ' ';
	big[999] = ' ';
	memset(want, 'a', 998);
	want[998] = '\0';
	v = accept(&f_str, big, want);
	sortes_value_clear(&v);
	for (int i = 0; i < 1000; i += 2)
		memcpy(big + i, "\xc3\xb8", 2);	/* 500 x 'ø' */
	v = accept(&f_str, big, big);
	sortes_value_clear(&v);
}
END_TEST

START_TEST(test_string_length)
{
	char big[1002];

	memset(big, 'a', 1001);
	big[1001] = '\0';
	refuse(&f_str, big,
	    "field 'note': text is 1001 bytes long; at most 1000 are allowed");
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_strings[] = {
	{ "a\x01z", "field 'note': text has a control character at byte 2" },
	{ "ab\nc", "field 'note': text has a control character at byte 3" },
	{ "a\tb", "field 'note': text has a control character at byte 2" },
	{ "a\x7f", "field 'note': text has a control character at byte 2" },
	{ "x\x1b[31m", "field 'note': text has a control character at byte 2" },
	/* Overlong encodings of '/' and of U+07FF, U+FFFF. */
	{ "\xc0\xaf", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "a\xc1\xbf", "field 'note': text is not valid UTF-8 at byte 2" },
	{ "\xe0\x80\xaf", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "\xe0\x9f\xbf", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "\xf0\x8f\xbf\xbf", "field 'note': text is not valid UTF-8 at byte 1" },
	/* UTF-16 surrogates. */
	{ "\xed\xa0\x80", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "ok\xed\xbf\xbf", "field 'note': text is not valid UTF-8 at byte 3" },
	/* Above U+10FFFF. */
	{ "\xf4\x90\x80\x80", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "\xf5\x80\x80\x80", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "\xff", "field 'note': text is not valid UTF-8 at byte 1" },
	/* Lone continuation byte, truncated and interrupted sequences. */
	{ "\x80", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "abc\xc3", "field 'note': text is not valid UTF-8 at byte 4" },
	{ "\xe2\x82", "field 'note': text is not valid UTF-8 at byte 1" },
	{ "\xe2x\xac", "field 'note': text is not valid UTF-8 at byte 1" },
	/* A truncated sequence followed by a trimmed blank. */
	{ "\xc3 ", "field 'note': text is not valid UTF-8 at byte 1" },
	/* Byte positions count the blanks trimmed in front. */
	{ "  a\x02", "field 'note': text has a control character at byte 4" },
};

START_TEST(test_string_rejected)
{
	refuse(&f_str, bad_strings[_i].text, bad_strings[_i].msg);
}
END_TEST

/* Rejected input is repeated in messages, but made safe and short. */
START_TEST(test_message_quoting)
{
	char text[200], msg[300];

	refuse(&f_enum, "\x1b[2J", "field 'sex': '\\x1b[2J' is not one of F, M");
	refuse(&f_enum, "\xff\xfe", "field 'sex': '\\xff\\xfe' is not one of "
	    "F, M");
	refuse(&f_enum, "æ", "field 'sex': 'æ' is not one of F, M");
	memset(text, 'x', 100);
	text[100] = '\0';
	snprintf(msg, sizeof(msg), "field 'sex': '%.64s...' is not one of "
	    "F, M", text);
	refuse(&f_enum, text, msg);
	/* A two-byte character across the cut is kept whole. */
	memset(text, 'x', 63);
	memcpy(text + 63, "\xc3\xb8yyyy", 7);
	snprintf(msg, sizeof(msg), "field 'sex': '%.63s\xc3\xb8...' is not "
	    "one of F, M", text);
	refuse(&f_enum, text, msg);
}
END_TEST

START_TEST(test_value_clear)
{
	struct sortes_value v = accept(&f_int, "5", "5");

	sortes_value_clear(&v);
	ck_assert_int_eq(v.present, 0);
	ck_assert_ptr_null(v.text);
	ck_assert_int_eq(v.integer, 0);
	sortes_value_clear(&v);		/* twice is harmless */
	sortes_value_clear(NULL);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct sortes_error err = { 0, "" };
	struct sortes_value v;

	ck_assert_int_eq(sortes_value_parse(NULL, &f_int, "1", &err),
	    SORTES_EUSAGE);
	ck_assert_int_eq(sortes_value_parse(&v, NULL, "1", &err),
	    SORTES_EUSAGE);
	/* A NULL error is allowed: only the status comes back. */
	ck_assert_int_eq(sortes_value_parse(&v, &f_int, "x", NULL),
	    SORTES_EDATA);
	ck_assert_ptr_null(v.text);
}
END_TEST

/* ---- eligibility, on an UngiFokus-like protocol ---- */

enum { F_READY, F_BENEFIT, F_BIRTH, F_MONTHS, F_REGION, NFIELDS };

static char *benefit_values[] = { "kontanthjaelp", "uddannelseshjaelp" };
static char *region_values[] = { "hovedstaden", "midtjylland", "sjaelland" };
static char *v_benefit[] = { "uddannelseshjaelp" };
static char *v_true[] = { "true" };
static char *v_regions[] = { "hovedstaden", "sjaelland" };

/* Sorted by name, as the parser leaves them. */
static struct sortes_field ufields[NFIELDS] = {
	{ .name = "activity_ready", .type = SORTES_FIELD_BOOLEAN },
	{ .name = "benefit", .type = SORTES_FIELD_ENUM,
	  .values = benefit_values, .nvalues = 2 },
	{ .name = "birth_date", .type = SORTES_FIELD_DATE },
	{ .name = "months", .type = SORTES_FIELD_INTEGER },
	{ .name = "region", .type = SORTES_FIELD_ENUM,
	  .values = region_values, .nvalues = 3 },
};

static struct sortes_rule urules[] = {
	{ .name = "age 18-28", .kind = SORTES_RULE_AGE, .field = F_BIRTH,
	  .has_min = 1, .min = 18, .has_max = 1, .max = 28 },
	{ .name = "on education benefit", .kind = SORTES_RULE_EQUALS,
	  .field = F_BENEFIT, .values = v_benefit, .nvalues = 1 },
	{ .name = "activity ready", .kind = SORTES_RULE_EQUALS,
	  .field = F_READY, .values = v_true, .nvalues = 1 },
	{ .name = "unemployed 10-120 months", .kind = SORTES_RULE_RANGE,
	  .field = F_MONTHS, .has_min = 1, .min = 10, .has_max = 1,
	  .max = 120 },
	{ .name = "region", .kind = SORTES_RULE_ONE_OF, .field = F_REGION,
	  .values = v_regions, .nvalues = 2 },
};

static const struct sortes_protocol uprot = {
	.format = 1, .id = "ungifokus",
	.fields = ufields, .nfields = NFIELDS,
	.rules = urules, .nrules = sizeof(urules) / sizeof(urules[0]),
};

/* A participant who meets every rule on the enrollment day. */
static const char *const eligible[NFIELDS] = {
	"ja", "uddannelseshjaelp", "2000-01-01", "24", "hovedstaden"
};

#define ENROLLED "2024-05-15"

/*
 * Run the check on the eligible participant with field 'which'
 * replaced by 'text' (which < 0: no change).  Returns the status and
 * leaves the message in *err.
 */
static int
check_with(int which, const char *text, struct sortes_error *err)
{
	struct sortes_value values[NFIELDS];
	int32_t enrolled;
	int rc;

	ck_assert_int_eq(sortes_date_parse(ENROLLED, &enrolled), 0);
	for (int i = 0; i < NFIELDS; i++) {
		ck_assert_int_eq(sortes_value_parse(&values[i], &ufields[i],
		    i == which ? text : eligible[i], err), 0);
	}
	sortes_error_clear(err);
	rc = sortes_eligibility_check(&uprot, values, enrolled, err);
	for (int i = 0; i < NFIELDS; i++)
		sortes_value_clear(&values[i]);
	return rc;
}

static void
eligible_with(int which, const char *text)
{
	struct sortes_error err;

	ck_assert_msg(check_with(which, text, &err) == 0,
	    "'%s' refused: %s", text ? text : "(null)", err.msg);
	ck_assert_int_eq(err.code, 0);
}

static void
refused_with(int which, const char *text, const char *msg)
{
	struct sortes_error err;

	ck_assert_int_eq(check_with(which, text, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_eligible)
{
	eligible_with(-1, NULL);
	eligible_with(F_READY, "TRUE");
	eligible_with(F_MONTHS, "10");
	eligible_with(F_MONTHS, "120");
	eligible_with(F_REGION, "sjaelland");
}
END_TEST

START_TEST(test_age_boundaries)
{
	/* Enrolled 2024-05-15: the 18th birthday is the first day in. */
	eligible_with(F_BIRTH, "2006-05-15");
	refused_with(F_BIRTH, "2006-05-16", "not eligible: rule 'age 18-28' "
	    "failed: age 17 is below 18");
	/* The day before the 29th birthday is still 28; the day is not. */
	eligible_with(F_BIRTH, "1995-05-16");
	refused_with(F_BIRTH, "1995-05-15", "not eligible: rule 'age 18-28' "
	    "failed: age 29 is above 28");
	refused_with(F_BIRTH, "1993-01-01", "not eligible: rule 'age 18-28' "
	    "failed: age 31 is above 28");
	refused_with(F_BIRTH, "2008-01-01", "not eligible: rule 'age 18-28' "
	    "failed: age 16 is below 18");
}
END_TEST

/* A birth date after the enrollment date is not a negative age. */
START_TEST(test_age_birth_after_enrollment)
{
	refused_with(F_BIRTH, "2030-01-01", "field 'birth_date' is "
	    "2030-01-01, after the enrollment date 2024-05-15: rule "
	    "'age 18-28' needs a date of birth");
	refused_with(F_BIRTH, "2024-05-16", "field 'birth_date' is "
	    "2024-05-16, after the enrollment date 2024-05-15: rule "
	    "'age 18-28' needs a date of birth");
	/* Born on the day of enrollment is age 0. */
	refused_with(F_BIRTH, "2024-05-15", "not eligible: rule 'age 18-28' "
	    "failed: age 0 is below 18");
}
END_TEST

/* A rule with only a maximum takes no birth date in the future. */
START_TEST(test_age_future_under_maximum)
{
	struct sortes_field field = { .name = "born", .type = SORTES_FIELD_DATE };
	struct sortes_rule rule = { .name = "young", .kind = SORTES_RULE_AGE,
	    .field = 0, .has_max = 1, .max = 30 };
	struct sortes_protocol p = {
		.fields = &field, .nfields = 1, .rules = &rule, .nrules = 1
	};
	struct sortes_value value;
	struct sortes_error err = { 0, "" };
	int32_t on = sortes_date_from_ymd(2024, 5, 15);

	ck_assert_int_eq(sortes_value_parse(&value, &field, "2030-06-01",
	    &err), 0);
	ck_assert_int_eq(sortes_eligibility_check(&p, &value, on, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "field 'born' is 2030-06-01, after the "
	    "enrollment date 2024-05-15: rule 'young' needs a date of birth");
	sortes_value_clear(&value);
}
END_TEST

/* A 29 February birthday counts from 1 March in a common year. */
START_TEST(test_age_29_february_rule)
{
	struct sortes_value values[NFIELDS];
	struct sortes_error err;
	int32_t on;

	for (int i = 0; i < NFIELDS; i++)
		ck_assert_int_eq(sortes_value_parse(&values[i], &ufields[i],
		    i == F_BIRTH ? "1996-02-29" : eligible[i], &err), 0);
	ck_assert_int_eq(sortes_date_parse("2025-02-28", &on), 0);
	ck_assert_int_eq(sortes_eligibility_check(&uprot, values, on, &err), 0);
	ck_assert_int_eq(sortes_date_parse("2025-03-01", &on), 0);
	ck_assert_int_eq(sortes_eligibility_check(&uprot, values, on, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "not eligible: rule 'age 18-28' failed: "
	    "age 29 is above 28");
	for (int i = 0; i < NFIELDS; i++)
		sortes_value_clear(&values[i]);
}
END_TEST

START_TEST(test_rule_failures)
{
	refused_with(F_BENEFIT, "kontanthjaelp", "not eligible: rule "
	    "'on education benefit' failed: field 'benefit' is "
	    "'kontanthjaelp', expected 'uddannelseshjaelp'");
	refused_with(F_READY, "nej", "not eligible: rule 'activity ready' "
	    "failed: field 'activity_ready' is 'false', expected 'true'");
	refused_with(F_MONTHS, "4", "not eligible: rule "
	    "'unemployed 10-120 months' failed: field 'months' is 4, "
	    "below 10");
	refused_with(F_MONTHS, "121", "not eligible: rule "
	    "'unemployed 10-120 months' failed: field 'months' is 121, "
	    "above 120");
	refused_with(F_REGION, "midtjylland", "not eligible: rule 'region' "
	    "failed: field 'region' is 'midtjylland', expected one of "
	    "hovedstaden, sjaelland");
}
END_TEST

START_TEST(test_missing_values)
{
	refused_with(F_BIRTH, "", "not eligible: rule 'age 18-28' needs "
	    "field 'birth_date'");
	refused_with(F_BENEFIT, " ", "not eligible: rule "
	    "'on education benefit' needs field 'benefit'");
	refused_with(F_READY, NULL, "not eligible: rule 'activity ready' "
	    "needs field 'activity_ready'");
	refused_with(F_MONTHS, "", "not eligible: rule "
	    "'unemployed 10-120 months' needs field 'months'");
	refused_with(F_REGION, "", "not eligible: rule 'region' needs "
	    "field 'region'");
}
END_TEST

/* Rules are checked in protocol order and the first failure wins. */
START_TEST(test_first_failure_reported)
{
	struct sortes_value values[NFIELDS];
	struct sortes_error err;
	static const char *const bad[NFIELDS] = {
		"nej", "kontanthjaelp", "1980-01-01", "1", "midtjylland"
	};
	int32_t on;

	ck_assert_int_eq(sortes_date_parse(ENROLLED, &on), 0);
	for (int i = 0; i < NFIELDS; i++)
		ck_assert_int_eq(sortes_value_parse(&values[i], &ufields[i],
		    bad[i], &err), 0);
	ck_assert_int_eq(sortes_eligibility_check(&uprot, values, on, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "not eligible: rule 'age 18-28' failed: "
	    "age 44 is above 28");
	sortes_value_clear(&values[F_BIRTH]);
	ck_assert_int_eq(sortes_eligibility_check(&uprot, values, on, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "not eligible: rule 'age 18-28' needs "
	    "field 'birth_date'");
	for (int i = 0; i < NFIELDS; i++)
		sortes_value_clear(&values[i]);
}
END_TEST

/* One-sided bounds, and a protocol without rules. */
START_TEST(test_open_bounds)
{
	struct sortes_field fields[2] = {
		{ .name = "birth_date", .type = SORTES_FIELD_DATE },
		{ .name = "months", .type = SORTES_FIELD_INTEGER },
	};
	struct sortes_rule rules[2] = {
		{ .name = "adult", .kind = SORTES_RULE_AGE, .field = 0,
		  .has_min = 1, .min = 18 },
		{ .name = "short spell", .kind = SORTES_RULE_RANGE, .field = 1,
		  .has_max = 1, .max = 6 },
	};
	struct sortes_protocol p = {
		.fields = fields, .nfields = 2, .rules = rules, .nrules = 2
	};
	struct sortes_value values[2];
	struct sortes_error err = { 0, "" };
	int32_t on = sortes_date_from_ymd(2024, 5, 15);

	ck_assert_int_eq(sortes_value_parse(&values[0], &fields[0],
	    "1900-01-01", &err), 0);
	ck_assert_int_eq(sortes_value_parse(&values[1], &fields[1], "-50",
	    &err), 0);
	ck_assert_int_eq(sortes_eligibility_check(&p, values, on, &err), 0);
	sortes_value_clear(&values[1]);
	ck_assert_int_eq(sortes_value_parse(&values[1], &fields[1], "7",
	    &err), 0);
	ck_assert_int_eq(sortes_eligibility_check(&p, values, on, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "not eligible: rule 'short spell' failed: "
	    "field 'months' is 7, above 6");
	p.nrules = 0;
	sortes_value_clear(&values[0]);
	ck_assert_int_eq(sortes_eligibility_check(&p, values, on, &err), 0);
	sortes_value_clear(&values[1]);
}
END_TEST

/* Values that cannot belong to the protocol are a caller's bug. */
START_TEST(test_mismatched_values)
{
	struct sortes_field fields[1] = {
		{ .name = "birth_date", .type = SORTES_FIELD_DATE },
	};
	struct sortes_rule rules[1] = {
		{ .name = "adult", .kind = SORTES_RULE_AGE, .field = 0,
		  .has_min = 1, .min = 18 },
	};
	struct sortes_protocol p = {
		.fields = fields, .nfields = 1, .rules = rules, .nrules = 1
	};
	struct sortes_value v = { .present = 1, .type = SORTES_FIELD_STRING,
		.text = "x" };
	struct sortes_error err = { 0, "" };

	ck_assert_int_eq(sortes_eligibility_check(&p, &v, 0, &err),
	    SORTES_EINTERNAL);
	rules[0].field = 1;
	ck_assert_int_eq(sortes_eligibility_check(&p, &v, 0, &err),
	    SORTES_EINTERNAL);
	ck_assert_int_eq(sortes_eligibility_check(NULL, &v, 0, &err),
	    SORTES_EUSAGE);
}
END_TEST

Suite *
suite_field(void)
{
	Suite *s = suite_create("field");
	TCase *tc = tcase_create("values");
	TCase *el = tcase_create("eligibility");

	tcase_add_test(tc, test_integer_accepted);
	tcase_add_test(tc, test_integer_rejected);
	tcase_add_test(tc, test_integer_overflow);
	tcase_add_test(tc, test_integer_bounds);
	tcase_add_test(tc, test_empty_is_absent);
	tcase_add_test(tc, test_date);
	tcase_add_test(tc, test_date_day_month_year);
	tcase_add_test(tc, test_boolean);
	tcase_add_test(tc, test_enum);
	tcase_add_test(tc, test_string_accepted);
	tcase_add_test(tc, test_string_length);
	tcase_add_loop_test(tc, test_string_rejected, 0,
	    (int)(sizeof(bad_strings) / sizeof(bad_strings[0])));
	tcase_add_test(tc, test_message_quoting);
	tcase_add_test(tc, test_value_clear);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);

	tcase_add_test(el, test_eligible);
	tcase_add_test(el, test_age_boundaries);
	tcase_add_test(el, test_age_birth_after_enrollment);
	tcase_add_test(el, test_age_future_under_maximum);
	tcase_add_test(el, test_age_29_february_rule);
	tcase_add_test(el, test_rule_failures);
	tcase_add_test(el, test_missing_values);
	tcase_add_test(el, test_first_failure_reported);
	tcase_add_test(el, test_open_bounds);
	tcase_add_test(el, test_mismatched_values);
	suite_add_tcase(s, el);
	return s;
}
