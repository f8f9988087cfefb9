/* check_jcs.c - the canonical JSON writer. */
#include <string.h>

#include "sortes/jcs.h"
#include "suites.h"

static const char *
finish(struct sortes_jcs *j, int expect)
{
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_jcs_finish(j, &err), expect);
	return j->data;
}

START_TEST(test_object)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "a");
	sortes_jcs_integer(&j, -12);
	sortes_jcs_key(&j, "b");
	sortes_jcs_array_begin(&j);
	sortes_jcs_boolean(&j, 1);
	sortes_jcs_boolean(&j, 0);
	sortes_jcs_null(&j);
	sortes_jcs_string(&j, "x");
	sortes_jcs_array_end(&j);
	sortes_jcs_key(&j, "c");
	sortes_jcs_object_begin(&j);
	sortes_jcs_object_end(&j);
	sortes_jcs_object_end(&j);
	ck_assert_str_eq(finish(&j, 0),
	    "{\"a\":-12,\"b\":[true,false,null,\"x\"],\"c\":{}}");
	sortes_jcs_free(&j);
}
END_TEST

START_TEST(test_escapes)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_string(&j, "q\"b\\\b\f\n\r\t\x01\x1f\x7f/æø€");
	/* RFC 8785: the short escapes, \u00xx in lower case for other
	 * controls, and everything else (DEL, '/', non-ASCII) as is. */
	ck_assert_str_eq(finish(&j, 0),
	    "\"q\\\"b\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f/æø€\"");
	sortes_jcs_free(&j);
}
END_TEST

START_TEST(test_key_order_enforced)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "b");
	sortes_jcs_integer(&j, 1);
	sortes_jcs_key(&j, "a");
	sortes_jcs_integer(&j, 2);
	sortes_jcs_object_end(&j);
	finish(&j, SORTES_EINTERNAL);
	sortes_jcs_reset(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "a");
	sortes_jcs_integer(&j, 1);
	sortes_jcs_key(&j, "a");
	sortes_jcs_integer(&j, 2);
	sortes_jcs_object_end(&j);
	finish(&j, SORTES_EINTERNAL);
	sortes_jcs_free(&j);
}
END_TEST

START_TEST(test_integer_range)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_integer(&j, 9007199254740991LL);
	ck_assert_str_eq(finish(&j, 0), "9007199254740991");
	sortes_jcs_reset(&j);
	sortes_jcs_integer(&j, 9007199254740992LL);
	finish(&j, SORTES_EDATA);
	sortes_jcs_reset(&j);
	sortes_jcs_integer(&j, -9007199254740992LL);
	finish(&j, SORTES_EDATA);
	sortes_jcs_free(&j);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	static const char *const bad[] = {
		"\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		"\xff", "ab\xc3", "\x80",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sortes_jcs j;

		sortes_jcs_init(&j);
		sortes_jcs_string(&j, bad[i]);
		finish(&j, SORTES_EDATA);
		sortes_jcs_free(&j);
	}
	ck_assert(sortes_utf8_valid("\xf0\x9f\x98\x80", 4));
}
END_TEST

START_TEST(test_nesting_errors)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_integer(&j, 1);	/* a value without a key */
	finish(&j, SORTES_EINTERNAL);
	sortes_jcs_reset(&j);
	sortes_jcs_array_begin(&j);
	finish(&j, SORTES_EINTERNAL);	/* unclosed */
	sortes_jcs_reset(&j);
	sortes_jcs_integer(&j, 1);
	sortes_jcs_integer(&j, 2);	/* two top-level values */
	finish(&j, SORTES_EINTERNAL);
	sortes_jcs_reset(&j);
	finish(&j, SORTES_EINTERNAL);	/* nothing */
	sortes_jcs_free(&j);
}
END_TEST

Suite *
suite_jcs(void)
{
	Suite *s = suite_create("jcs");
	TCase *tc = tcase_create("writer");

	tcase_add_test(tc, test_object);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_key_order_enforced);
	tcase_add_test(tc, test_integer_range);
	tcase_add_test(tc, test_invalid_utf8);
	tcase_add_test(tc, test_nesting_errors);
	suite_add_tcase(s, tc);
	return s;
}
