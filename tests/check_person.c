/*
 * check_person.c - person identifiers: every look-alike spelling of a
 * CPR number refused with its position and code point, CPR dates by
 * the CPR office's century rule, the ascii kind's one old rule, and
 * the pseudonym of a canonical identifier as docs/randomization.md
 * computes it.
 *
 * Every CPR number here is synthetic.  Most have serials 9000-9999:
 * very high serials, as the national test CPR numbers have, so that
 * they are unlikely ever to be anybody's.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/crypto.h"
#include "sortes/person.h"
#include "suites.h"

#define CPR SORTES_PERSON_CPR
#define ASCII SORTES_PERSON_ASCII

#define CPR_EXPECT "; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
#define ASCII_EXPECT "; expected printable ASCII without white space inside"
#define CPR_DATE_EXPECT "; expected a CPR number, DDMMYY-SSSS or " \
	"DDMMYYSSSS, whose first six digits are a date"

static void
canonical_is(enum sortes_person_kind kind, const char *person,
    const char *want)
{
	char out[SORTES_PERSON_MAX + 1];
	struct sortes_error err = { 0, "" };
	int rc = sortes_person_canonical(out, kind, person, &err);

	ck_assert_msg(rc == 0, "'%s' (%s) refused: %s", person,
	    sortes_person_kind_name(kind), err.msg);
	ck_assert_str_eq(out, want);
}

static void
refused(enum sortes_person_kind kind, const char *person, const char *msg)
{
	char out[SORTES_PERSON_MAX + 1];
	struct sortes_error err = { 0, "" };
	int rc = sortes_person_canonical(out, kind, person, &err);

	ck_assert_msg(rc == SORTES_EDATA, "'%s' (%s) accepted",
	    person, sortes_person_kind_name(kind));
	ck_assert_str_eq(err.msg, msg);
}

/* Refused alike by both kinds: 'head' is the message before "; expected". */
static void
refused_by_both(const char *person, const char *head)
{
	char msg[SORTES_ERROR_MSG_MAX];

	snprintf(msg, sizeof(msg), "%s%s", head, CPR_EXPECT);
	refused(CPR, person, msg);
	snprintf(msg, sizeof(msg), "%s%s", head, ASCII_EXPECT);
	refused(ASCII, person, msg);
}

/* The seven spellings of one number that gave seven participants. */
START_TEST(test_lookalikes)
{
	canonical_is(CPR, "010190-9001", "0101909001");
	canonical_is(CPR, "0101909001", "0101909001");
	canonical_is(ASCII, "010190-9001", "0101909001");
	canonical_is(ASCII, "0101909001", "0101909001");
	refused_by_both("010190 9001", "person identifier: character 7 is "
	    "U+0020 (space), white space inside the identifier");
	refused_by_both("\xEF\xBB\xBF" "010190-9001", "person identifier: "
	    "character 1 is U+FEFF (byte order mark), an invisible format "
	    "character");
	refused_by_both("\xE2\x80\x8B" "010190-9001", "person identifier: "
	    "character 1 is U+200B (zero width space), an invisible format "
	    "character");
	refused_by_both("010190\xE2\x80\x91" "9001", "person identifier: "
	    "character 7 is U+2011 (non-breaking hyphen), a non-ASCII "
	    "character");
	refused_by_both("\xC2\xA0" "010190-9001", "person identifier: "
	    "character 1 is U+00A0 (no-break space), a non-ASCII space");
}
END_TEST

struct refusal {
	const char *person;
	const char *head;
};

static const struct refusal characters[] = {
	/* format characters (Cf), wherever they are */
	{ "0101909001\xE2\x80\x8C", "person identifier: character 11 is "
	  "U+200C (zero width non-joiner), an invisible format character" },
	{ "01\xE2\x80\x8D" "01909001", "person identifier: character 3 is "
	  "U+200D (zero width joiner), an invisible format character" },
	{ "010190-\xE2\x81\xA0" "9001", "person identifier: character 8 is "
	  "U+2060 (word joiner), an invisible format character" },
	{ "010190\xC2\xAD" "9001", "person identifier: character 7 is "
	  "U+00AD (soft hyphen), an invisible format character" },
	{ "\xE2\x80\x8E" "0101909001", "person identifier: character 1 is "
	  "U+200E (left-to-right mark), an invisible format character" },
	{ "\xE2\x80\xAE" "1009091010", "person identifier: character 1 is "
	  "U+202E (right-to-left override), an invisible format character" },
	{ "\xE2\x81\xA6" "0101909001", "person identifier: character 1 is "
	  "U+2066 (left-to-right isolate), an invisible format character" },
	{ "0101909001\xF3\xA0\x80\x81", "person identifier: character 11 "
	  "is U+E0001, an invisible format character" },
	/* spaces other than U+0020 */
	{ "010190\xE2\x80\x80" "9001", "person identifier: character 7 is "
	  "U+2000, a non-ASCII space" },
	{ "010190\xE2\x80\x8A" "9001", "person identifier: character 7 is "
	  "U+200A, a non-ASCII space" },
	{ "010190\xE2\x80\xAF" "9001", "person identifier: character 7 is "
	  "U+202F (narrow no-break space), a non-ASCII space" },
	{ "010190\xE2\x81\x9F" "9001", "person identifier: character 7 is "
	  "U+205F, a non-ASCII space" },
	{ "\xE3\x80\x80" "0101909001", "person identifier: character 1 is "
	  "U+3000 (ideographic space), a non-ASCII space" },
	{ "0101909001\xE2\x80\xA8", "person identifier: character 11 is "
	  "U+2028, a non-ASCII space" },
	/* control characters, and white space inside */
	{ "010190\x01" "9001", "person identifier: character 7 is U+0001, "
	  "a control character" },
	{ "010190-\n9001", "person identifier: character 8 is U+000A "
	  "(line feed), a control character" },
	{ "0101909001\r", "person identifier: character 11 is U+000D "
	  "(carriage return), a control character" },
	{ "010190\x7F" "9001", "person identifier: character 7 is U+007F "
	  "(delete), a control character" },
	{ "010190\xC2\x85" "9001", "person identifier: character 7 is "
	  "U+0085, a control character" },
	{ "010190\t9001", "person identifier: character 7 is U+0009 (tab), "
	  "white space inside the identifier" },
	/* other characters beyond ASCII */
	{ "010190\xE2\x80\x93" "9001", "person identifier: character 7 is "
	  "U+2013 (en dash), a non-ASCII character" },
	{ "010190\xE2\x88\x92" "9001", "person identifier: character 7 is "
	  "U+2212 (minus sign), a non-ASCII character" },
	{ "\xEF\xBC\x90" "101909001", "person identifier: character 1 is "
	  "U+FF10 (fullwidth digit), a non-ASCII character" },
	{ "S\xC3\xB8ren", "person identifier: character 2 is U+00F8, a "
	  "non-ASCII character" },
	{ "0101909001\xF0\x9F\x98\x80", "person identifier: character 11 "
	  "is U+1F600, a non-ASCII character" },
	/* not UTF-8 at all */
	{ "010190\xFF" "9001", "person identifier: character 7 is not valid "
	  "UTF-8 (byte 0xFF)" },
	{ "010190-9001\xE2\x80", "person identifier: character 12 is not "
	  "valid UTF-8 (byte 0xE2)" },
	{ "010190\xE2\x80" "9001", "person identifier: character 7 is not "
	  "valid UTF-8 (byte 0xE2)" },
	{ "010190\xC0\xAD" "9001", "person identifier: character 7 is not "
	  "valid UTF-8 (byte 0xC0)" },
	{ "010190\xE0\x80\xAD" "9001", "person identifier: character 7 is "
	  "not valid UTF-8 (byte 0xE0)" },
	{ "010190\xED\xA0\x80" "9001", "person identifier: character 7 is "
	  "not valid UTF-8 (byte 0xED)" },
	{ "010190\xF4\x90\x80\x80" "9001", "person identifier: character 7 "
	  "is not valid UTF-8 (byte 0xF4)" },
	{ "010190\x80" "9001", "person identifier: character 7 is not valid "
	  "UTF-8 (byte 0x80)" },
	/* positions count the identifier as given, outer blanks too */
	{ " \t\xEF\xBB\xBF" "010190-9001", "person identifier: character 3 "
	  "is U+FEFF (byte order mark), an invisible format character" },
	{ "010190-9001\xEF\xBB\xBF ", "person identifier: character 12 is "
	  "U+FEFF (byte order mark), an invisible format character" },
	{ "\xC2\xA0 010190-9001", "person identifier: character 1 is U+00A0 "
	  "(no-break space), a non-ASCII space" },
	{ "  010190 9001  ", "person identifier: character 9 is U+0020 "
	  "(space), white space inside the identifier" },
};

START_TEST(test_refused_characters)
{
	for (size_t i = 0; i < sizeof(characters) / sizeof(characters[0]); i++)
		refused_by_both(characters[i].person, characters[i].head);
}
END_TEST

START_TEST(test_outer_blanks)
{
	canonical_is(CPR, " 010190-9001", "0101909001");
	canonical_is(CPR, "\t0101909001 \t", "0101909001");
	canonical_is(ASCII, "  010190-9001\t", "0101909001");
	canonical_is(ASCII, "\tSYN-42 ", "SYN-42");
	refused(CPR, " \t ", "person identifier is empty");
	refused(ASCII, "", "person identifier is empty");
}
END_TEST

START_TEST(test_cpr_shape)
{
	refused(CPR, "01019090011", "person identifier has 11 digits; "
	    "expected the 10 of a CPR number, DDMMYY-SSSS or DDMMYYSSSS");
	refused(CPR, "010190-90011", "person identifier has 11 digits; "
	    "expected the 10 of a CPR number, DDMMYY-SSSS or DDMMYYSSSS");
	refused(CPR, "010190900", "person identifier has 9 digits; "
	    "expected the 10 of a CPR number, DDMMYY-SSSS or DDMMYYSSSS");
	refused(CPR, "010190-900", "person identifier has 9 digits; "
	    "expected the 10 of a CPR number, DDMMYY-SSSS or DDMMYYSSSS");
	refused(CPR, "01019-09001", "person identifier: character 6 is '-'"
	    CPR_EXPECT);
	refused(CPR, "010190--9001", "person identifier: character 8 is '-'"
	    CPR_EXPECT);
	refused(CPR, "010190/9001", "person identifier: character 7 is '/'"
	    CPR_EXPECT);
	refused(CPR, " 01019A9001", "person identifier: character 7 is 'A'"
	    CPR_EXPECT);
	refused(CPR, "SYN-42", "person identifier: character 1 is 'S'"
	    CPR_EXPECT);
	/* No modulus-11 check: it was dropped in 2007. */
	canonical_is(CPR, "010190-9002", "0101909002");
	canonical_is(CPR, "010190-9003", "0101909003");
}
END_TEST

#define BAD_DAY "person identifier: the day (digits 1-2) is not a day of " \
	"that month, in the year the seventh digit gives" CPR_DATE_EXPECT
#define BAD_MONTH "person identifier: the month (digits 3-4) is not " \
	"01-12" CPR_DATE_EXPECT

START_TEST(test_cpr_dates)
{
	canonical_is(CPR, "311290-9001", "3112909001");
	canonical_is(CPR, "280290-9001", "2802909001");
	refused(CPR, "320190-9001", BAD_DAY);
	refused(CPR, "000190-9001", BAD_DAY);
	refused(CPR, "300290-9001", BAD_DAY);
	refused(CPR, "310490-9001", BAD_DAY);
	refused(CPR, "290290-9001", BAD_DAY);
	refused(CPR, "011390-9001", BAD_MONTH);
	refused(CPR, "010090-9001", BAD_MONTH);
	refused(CPR, "0199909001", BAD_MONTH);
}
END_TEST

/*
 * 29 February of YY 00 exists in 2000 but not in 1900, so it shows the
 * century the seventh digit gives: 0-3 the 1900s; 4 and 9 the 2000s
 * for YY 00-36; 5-8 the 2000s for YY 00-57.
 */
START_TEST(test_cpr_century)
{
	char cpr[16], want[16];

	for (int seventh = 0; seventh <= 9; seventh++) {
		snprintf(cpr, sizeof(cpr), "290200-%d901", seventh);
		snprintf(want, sizeof(want), "290200%d901", seventh);
		if (seventh <= 3)
			refused(CPR, cpr, BAD_DAY);
		else
			canonical_is(CPR, cpr, want);
	}
	/* 1904 and 2004 are both leap years; 1901 and 2001 are not. */
	canonical_is(CPR, "290204-1901", "2902041901");
	canonical_is(CPR, "290204-4901", "2902044901");
	refused(CPR, "290201-4901", BAD_DAY);
	/* YY 36 with a 4 is 2036, a leap year; YY 37 is 1937, not one ... */
	canonical_is(CPR, "290236-4901", "2902364901");
	refused(CPR, "290237-4901", BAD_DAY);
	/* ... and 1800s dates follow the same leap years: 1896, not 1897 */
	canonical_is(CPR, "290296-5901", "2902965901");
	refused(CPR, "290297-5901", BAD_DAY);
}
END_TEST

START_TEST(test_ascii)
{
	char longest[SORTES_PERSON_MAX + 2];

	/* The rule trials created before kinds existed used, kept. */
	canonical_is(ASCII, "010203-1234", "0102031234");
	canonical_is(ASCII, "0102031234", "0102031234");
	canonical_is(ASCII, "320100-4321", "3201004321");
	canonical_is(ASCII, "SYN-0000042", "SYN-0000042");
	canonical_is(ASCII, "0102-031234", "0102-031234");
	canonical_is(ASCII, "010203-12345", "010203-12345");
	canonical_is(ASCII, "a~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}z",
	    "a~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}z");
	refused(ASCII, "SYN 42", "person identifier: character 4 is U+0020 "
	    "(space), white space inside the identifier" ASCII_EXPECT);
	refused(ASCII, "SYN-\xC3\x98", "person identifier: character 5 is "
	    "U+00D8, a non-ASCII character" ASCII_EXPECT);
	memset(longest, 'x', SORTES_PERSON_MAX);
	longest[SORTES_PERSON_MAX] = '\0';
	canonical_is(ASCII, longest, longest);
	longest[SORTES_PERSON_MAX] = 'x';
	longest[SORTES_PERSON_MAX + 1] = '\0';
	refused(ASCII, longest, "person identifier is longer than 64 "
	    "characters");
}
END_TEST

/* What enrollment did before kinds is the ascii kind. */
START_TEST(test_normalize)
{
	char out[SORTES_PERSON_MAX + 1];
	struct sortes_error err = { 0, "" };

	ck_assert_int_eq(sortes_person_canonical(out, SORTES_PERSON_ASCII, " 010203-1234", &err), 0);
	ck_assert_str_eq(out, "0102031234");
	ck_assert_int_eq(sortes_person_canonical(out, SORTES_PERSON_ASCII, "SYN-42", &err), 0);
	ck_assert_str_eq(out, "SYN-42");
	ck_assert_int_eq(sortes_person_canonical(out, SORTES_PERSON_ASCII, "010203 1234", &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "person identifier: character 7 is U+0020 "
	    "(space), white space inside the identifier" ASCII_EXPECT);
}
END_TEST

START_TEST(test_kinds)
{
	char out[SORTES_PERSON_MAX + 1];
	struct sortes_error err = { 0, "" };

	ck_assert_str_eq(sortes_person_kind_name(ASCII), "ascii");
	ck_assert_str_eq(sortes_person_kind_name(CPR), "cpr");
	ck_assert_str_eq(sortes_person_kind_name(SORTES_PERSON_NKINDS),
	    "unknown");
	ck_assert_int_eq(sortes_person_canonical(out, SORTES_PERSON_NKINDS,
	    "x", &err), SORTES_EUSAGE);
	/* a NULL error slot is allowed */
	ck_assert_int_eq(sortes_person_canonical(out, CPR, "x", NULL),
	    SORTES_EDATA);
}
END_TEST

/* The worked example of docs/randomization.md ("Pseudonyms"). */
START_TEST(test_pseudonym_example)
{
	uint8_t key[32], mac[SORTES_SHA256_LEN];
	char out[SORTES_PERSON_MAX + 1], hex[SORTES_SHA256_HEX];
	struct sortes_error err = { 0, "" };
	struct sortes_hmac *m = NULL;

	memset(key, 0x02, sizeof(key));
	ck_assert_int_eq(sortes_person_canonical(out, CPR, " 010190-9001",
	    &err), 0);
	ck_assert_int_eq(sortes_hmac_new(&m, key, sizeof(key), &err), 0);
	ck_assert_int_eq(sortes_hmac(m, mac, out, strlen(out), &err), 0);
	sortes_hmac_free(m);
	sortes_hex_encode(hex, mac, sizeof(mac));
	ck_assert_str_eq(hex, "7dd98ba5061d10a367e8f30dc5f46e52"
	    "e78faf94155a5563fb3244ec848a6bca");
}
END_TEST

Suite *
suite_person(void)
{
	Suite *s = suite_create("person");
	TCase *tc = tcase_create("person");

	tcase_add_test(tc, test_lookalikes);
	tcase_add_test(tc, test_refused_characters);
	tcase_add_test(tc, test_outer_blanks);
	tcase_add_test(tc, test_cpr_shape);
	tcase_add_test(tc, test_cpr_dates);
	tcase_add_test(tc, test_cpr_century);
	tcase_add_test(tc, test_ascii);
	tcase_add_test(tc, test_normalize);
	tcase_add_test(tc, test_kinds);
	tcase_add_test(tc, test_pseudonym_example);
	suite_add_tcase(s, tc);
	return s;
}
