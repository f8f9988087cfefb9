/* check_json.c - the strict JSON reader. */
#include <stdlib.h>
#include <string.h>

#include "sortes/jcs.h"
#include "sortes/json.h"
#include "suites.h"

/* Parse a NUL-terminated text that must be JSON; caller frees. */
static struct sortes_json *
parse_ok(const char *text)
{
	struct sortes_error err = { 0 };
	struct sortes_json *v = NULL;

	ck_assert_msg(sortes_json_parse(&v, text, strlen(text), &err) == 0,
	    "'%s' refused: %s", text, err.msg);
	ck_assert_ptr_nonnull(v);
	return v;
}

/* 'len' bytes of 'text' are refused with a message holding 'expect'. */
static void
parse_refused(const char *text, size_t len, const char *expect)
{
	struct sortes_error err = { 0 };
	struct sortes_json *v = (struct sortes_json *)&err;

	ck_assert_msg(sortes_json_parse(&v, text, len, &err) == SORTES_EDATA,
	    "'%.*s' accepted", (int)len, text);
	ck_assert_ptr_null(v);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "'%.*s': '%s', not '%s'",
	    (int)len, text, err.msg, expect);
}

START_TEST(test_values)
{
	struct sortes_json *v = parse_ok(" {\"a\": [1, -2.5e+3, true, false, "
	    "null, \"x\"], \"b\": {}, \"c\": [], \"\": \"\"}\n");
	const struct sortes_json *a, *b;
	int64_t n = 0;

	ck_assert_int_eq(v->type, SORTES_JSON_OBJECT);
	ck_assert_int_eq(v->n, 4);
	/* Members stay in the text's order. */
	ck_assert_str_eq(v->members[0].key, "a");
	ck_assert_str_eq(v->members[1].key, "b");
	ck_assert_str_eq(v->members[3].key, "");
	ck_assert_int_eq(v->members[0].start, 2);
	ck_assert_int_eq(v->start, 1);
	ck_assert_int_eq(v->end, strlen(" {\"a\": [1, -2.5e+3, true, false, "
	    "null, \"x\"], \"b\": {}, \"c\": [], \"\": \"\"}"));
	a = sortes_json_get(v, "a");
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->type, SORTES_JSON_ARRAY);
	ck_assert_int_eq(a->n, 6);
	ck_assert_int_eq(a->items[0].type, SORTES_JSON_NUMBER);
	ck_assert_int_eq(sortes_json_int64(&a->items[0], &n), 1);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(a->items[1].str, "-2.5e+3");
	ck_assert_int_eq(sortes_json_int64(&a->items[1], &n), 0);
	ck_assert_int_eq(a->items[2].type, SORTES_JSON_TRUE);
	ck_assert_int_eq(a->items[3].type, SORTES_JSON_FALSE);
	ck_assert_int_eq(a->items[4].type, SORTES_JSON_NULL);
	ck_assert_int_eq(sortes_json_string_is(&a->items[5], "x"), 1);
	ck_assert_int_eq(sortes_json_string_is(&a->items[5], "xy"), 0);
	ck_assert_int_eq(sortes_json_string_is(&a->items[0], "1"), 0);
	ck_assert_int_eq(a->items[5].start, 39);
	ck_assert_int_eq(a->items[5].end, 42);
	b = sortes_json_get(v, "b");
	ck_assert_int_eq(b->type, SORTES_JSON_OBJECT);
	ck_assert_int_eq(b->n, 0);
	ck_assert_ptr_null(sortes_json_get(v, "d"));
	ck_assert_ptr_null(sortes_json_get(a, "a"));
	ck_assert_int_eq(sortes_json_string_is(sortes_json_get(v, ""), ""), 1);
	sortes_json_free(v);

	/* Any value at the top, as RFC 8259 allows. */
	v = parse_ok("\"top\"");
	ck_assert_int_eq(sortes_json_string_is(v, "top"), 1);
	sortes_json_free(v);
	v = parse_ok("\t\r\n0\n");
	ck_assert_int_eq(v->type, SORTES_JSON_NUMBER);
	sortes_json_free(v);
	sortes_json_free(NULL);
}
END_TEST

START_TEST(test_strings)
{
	struct sortes_json *v = parse_ok("[\"q\\\"b\\\\\\/\\b\\f\\n\\r\\t\", "
	    "\"\\u00e6\\u00C6\\u20ac\", \"\\ud83d\\ude00\", \"a\\u0000b\", "
	    "\"æø€😀\", \"\x7f\"]");

	ck_assert_str_eq(v->items[0].str, "q\"b\\/\b\f\n\r\t");
	ck_assert_str_eq(v->items[1].str, "æÆ€");
	ck_assert_str_eq(v->items[2].str, "\xf0\x9f\x98\x80");
	/* U+0000 is kept, and counted. */
	ck_assert_int_eq(v->items[3].len, 3);
	ck_assert_mem_eq(v->items[3].str, "a\0b", 4);
	ck_assert_int_eq(sortes_json_string_is(&v->items[3], "a"), 0);
	ck_assert_str_eq(v->items[4].str, "æø€😀");
	ck_assert_str_eq(v->items[5].str, "\x7f");
	sortes_json_free(v);
}
END_TEST

START_TEST(test_refused)
{
	static const struct { const char *text, *expect; } bad[] = {
		{ "", "line 1, column 1: the text ends where a value is due" },
		{ " \n ", "line 2, column 2: the text ends where a value" },
		{ "\xef\xbb\xbf{}", "byte 0xef where a value is due" },
		{ "{} {}", "column 4: more text after the value" },
		{ "{}}", "more text after the value" },
		{ "[1,]", "column 4, in '[1]': ']' where a value is due" },
		{ "[1 2]", "column 4, in '[0]': '2' where ',' or ']' is due" },
		{ "[", "the text ends where a value is due" },
		{ "[1", "the text ends where ',' or ']' is due" },
		{ "{\"a\":1,}", "'}' where a key in quotes is due" },
		{ "{,}", "',' where a key in quotes is due" },
		{ "{'a':1}", "''' where a key in quotes is due" },
		{ "{a:1}", "'a' where a key in quotes is due" },
		{ "{\"a\" 1}", "column 6, in 'a': '1' where ':' after the key "
		    "is due" },
		{ "{\"a\":}", "'}' where a value is due" },
		{ "{\"a\":1 \"b\":2}", "'\"' where ',' or '}' is due" },
		{ "{\"a\":1", "the text ends where ',' or '}' is due" },
		{ "{\"a\":1,\"b\":2,\"a\":3}", "line 1, column 14: the key \"a\" a "
		    "second time in one object" },
		{ "{\"x\":{\"k\":1,\"k\":1}}", "column 13, in 'x': the key \"k\" a "
		    "second time" },
		{ "{\"\\u0061\":1,\"a\":2}", "the key \"a\" a second time" },
		{ "01", "column 1: a number with a leading zero" },
		{ "-01", "a number with a leading zero" },
		{ "1.", "the text ends where a digit after the decimal point" },
		{ ".5", "'.' where a value is due" },
		{ "-", "the text ends where a digit is due" },
		{ "-a", "'a' where a digit is due" },
		{ "1e", "where a digit in the exponent is due" },
		{ "1e+", "where a digit in the exponent is due" },
		{ "+1", "'+' where a value is due" },
		{ "0x10", "column 2: more text after the value" },
		{ "NaN", "'N' where a value is due" },
		{ "Infinity", "'I' where a value is due" },
		{ "tru", "'t' where a value is due" },
		{ "nulll", "more text after the value" },
		{ "True", "'T' where a value is due" },
		{ "\"abc", "the text ends inside a string" },
		{ "\"a\tb\"", "column 3: control character U+0009 in a string" },
		{ "\"a\nb\"", "control character U+000A" },
		{ "\"\\x41\"", "column 2: an escape that JSON does not have" },
		{ "\"\\'\"", "an escape that JSON does not have" },
		{ "\"\\", "an escape that JSON does not have" },
		{ "\"\\u12\"", "\\u is not followed by four hex digits" },
		{ "\"\\u12g4\"", "\\u is not followed by four hex digits" },
		{ "\"\\ud83d\"", "\\uD83D is the first half of a surrogate pair "
		    "without the second" },
		{ "\"\\ud83d\\u0041\"", "without the second" },
		{ "\"\\ud83d\\ud83d\"", "without the second" },
		{ "\"\\ude00\"", "\\uDE00 is the second half of a surrogate pair "
		    "without the first" },
		{ "\"\xc0\x80\"", "column 2: invalid UTF-8 (byte 0xc0)" },
		{ "\"\xc1\xbf\"", "invalid UTF-8 (byte 0xc1)" },
		{ "\"\xe0\x80\x80\"", "invalid UTF-8 (byte 0xe0)" },
		{ "\"\xed\xa0\x80\"", "invalid UTF-8 (byte 0xed)" },
		{ "\"\xf0\x80\x80\x80\"", "invalid UTF-8 (byte 0xf0)" },
		{ "\"\xf4\x90\x80\x80\"", "invalid UTF-8 (byte 0xf4)" },
		{ "\"\xf5\x80\x80\x80\"", "invalid UTF-8 (byte 0xf5)" },
		{ "\"\x80\"", "invalid UTF-8 (byte 0x80)" },
		{ "\"\xc3\"", "invalid UTF-8 (byte 0xc3)" },
		{ "\"\xe2\x82\"", "invalid UTF-8 (byte 0xe2)" },
		{ "\"a\xff\"", "column 3: invalid UTF-8 (byte 0xff)" },
		{ "{\"\x86\":1}", "line 1, column 3: invalid UTF-8 (byte 0x86)" },
		{ "{\"a\":1,\"b\x86\":2}", "line 1, column 10: invalid UTF-8" },
		{ "{\"a\":{\"b\":[1,{\"c\":tru}]}}", "column 19, in 'a.b[1].c': "
		    "'t' where a value is due" },
		{ "[{\"a\":\"\xff\"}]", "column 8, in '[0].a': invalid UTF-8" },
		{ "// no\n{}", "'/' where a value is due" },
		{ "{}\n/* no */", "line 2, column 1: more text after the value" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_refused(bad[i].text, strlen(bad[i].text), bad[i].expect);
	/* A NUL byte is not white space, nor anything else. */
	parse_refused("{}\0", 3, "more text after the value");
	parse_refused("\"a\0\"", 4, "control character U+0000");
	parse_refused("[\0]", 3, "byte 0x00 where a value is due");
}
END_TEST

START_TEST(test_limits)
{
	char deep[5 * SORTES_JSON_DEPTH_MAX + 3], *big;
	struct sortes_error err = { 0 };
	struct sortes_json *v;

	/* SORTES_JSON_DEPTH_MAX arrays, one in the other, are fine. */
	memset(deep, '[', SORTES_JSON_DEPTH_MAX);
	memset(deep + SORTES_JSON_DEPTH_MAX, ']', SORTES_JSON_DEPTH_MAX);
	deep[2 * SORTES_JSON_DEPTH_MAX] = '\0';
	v = parse_ok(deep);
	sortes_json_free(v);
	/* One more is refused, where it opens. */
	memset(deep, '[', SORTES_JSON_DEPTH_MAX + 1);
	memset(deep + SORTES_JSON_DEPTH_MAX + 1, ']', SORTES_JSON_DEPTH_MAX + 1);
	parse_refused(deep, 2 * SORTES_JSON_DEPTH_MAX + 2, "line 1, column 33, "
	    "in '[0][0][0]");
	parse_refused(deep, 2 * SORTES_JSON_DEPTH_MAX + 2, "[0][0]': arrays and "
	    "objects nested more than 32 deep");
	/* Objects count as arrays do. */
	for (int i = 0; i < SORTES_JSON_DEPTH_MAX; i++)
		memcpy(deep + 5 * i, "{\"a\":", 5);
	deep[5 * SORTES_JSON_DEPTH_MAX] = '[';
	parse_refused(deep, 5 * SORTES_JSON_DEPTH_MAX + 1, "column 161, in "
	    "'a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a': "
	    "arrays and objects nested more than 32 deep");

	/* The size, before anything is read. */
	big = malloc(SORTES_JSON_SIZE_MAX + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', SORTES_JSON_SIZE_MAX + 1);
	big[0] = '0';
	parse_refused(big, SORTES_JSON_SIZE_MAX + 1, "the text is larger than "
	    "4194304 bytes");
	ck_assert_int_eq(sortes_json_parse(&v, big, SORTES_JSON_SIZE_MAX, &err),
	    0);
	sortes_json_free(v);
	free(big);
}
END_TEST

START_TEST(test_int64)
{
	static const struct { const char *text; int ok; int64_t value; } n[] = {
		{ "0", 1, 0 }, { "-1", 1, -1 }, { "42", 1, 42 },
		{ "9223372036854775807", 1, INT64_MAX },
		{ "-9223372036854775808", 1, INT64_MIN },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775809", 0, 0 },
		{ "-0", 0, 0 }, { "1.0", 0, 0 }, { "1e2", 0, 0 }, { "1E2", 0, 0 },
		{ "\"1\"", 0, 0 }, { "true", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		struct sortes_json *v = parse_ok(n[i].text);
		int64_t got = 7;

		ck_assert_msg(sortes_json_int64(v, &got) == n[i].ok, "%s",
		    n[i].text);
		if (n[i].ok)
			ck_assert_int_eq(got, n[i].value);
		sortes_json_free(v);
	}
	ck_assert_int_eq(sortes_json_int64(NULL, &(int64_t){ 0 }), 0);
}
END_TEST

START_TEST(test_excerpt)
{
	char buf[12];

	sortes_json_excerpt(buf, sizeof(buf), "short", 5);
	ck_assert_str_eq(buf, "short");
	sortes_json_excerpt(buf, sizeof(buf), "a\nb\0c\x7f", 6);
	ck_assert_str_eq(buf, "a?b?c?");
	sortes_json_excerpt(buf, sizeof(buf), "\xff\xc3", 2);
	ck_assert_str_eq(buf, "??");
	sortes_json_excerpt(buf, sizeof(buf), "0123456789abcdef", 16);
	ck_assert_str_eq(buf, "01234567...");
	/* Cut between characters, never inside one. */
	sortes_json_excerpt(buf, sizeof(buf), "abcdeøøøø", 13);
	ck_assert_str_eq(buf, "abcdeø...");
	sortes_json_excerpt(buf, 4, "abcd", 4);
	ck_assert_str_eq(buf, "...");
}
END_TEST

/* What the canonical writer writes, the reader reads back. */
START_TEST(test_reads_canonical)
{
	struct sortes_jcs j;
	struct sortes_json *v;
	const struct sortes_json *s;
	int64_t n;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "a");
	sortes_jcs_string(&j, "q\"\\\b\f\n\r\t\x01\x1f\x7f/æø€");
	sortes_jcs_key(&j, "b");
	sortes_jcs_array_begin(&j);
	sortes_jcs_integer(&j, -9007199254740991);
	sortes_jcs_boolean(&j, 1);
	sortes_jcs_null(&j);
	sortes_jcs_array_end(&j);
	sortes_jcs_object_end(&j);
	ck_assert_int_eq(sortes_jcs_finish(&j, NULL), 0);
	v = parse_ok(j.data);
	s = sortes_json_get(v, "a");
	ck_assert_int_eq(sortes_json_string_is(s,
	    "q\"\\\b\f\n\r\t\x01\x1f\x7f/æø€"), 1);
	s = sortes_json_get(v, "b");
	ck_assert_int_eq(sortes_json_int64(&s->items[0], &n), 1);
	ck_assert_int_eq(n, -9007199254740991);
	ck_assert_int_eq(s->items[1].type, SORTES_JSON_TRUE);
	sortes_json_free(v);
	sortes_jcs_free(&j);
}
END_TEST

/*
 * Every prefix of a valid text but the whole is refused, and so is
 * every text with one byte replaced by a byte that cannot stand there:
 * no cut or bad byte is read as something else.
 */
START_TEST(test_prefixes)
{
	static const char text[] = "{\"a\":[1,-2.5e3,true,\"\\u00e6\xc3\xa6\"],"
	    "\"b\":{\"c\":null}}";
	struct sortes_error err = { 0 };
	struct sortes_json *v = NULL;

	for (size_t n = 0; n < sizeof(text) - 1; n++) {
		ck_assert_msg(sortes_json_parse(&v, text, n, &err) ==
		    SORTES_EDATA, "prefix of %zu bytes accepted", n);
		ck_assert_ptr_null(v);
	}
	ck_assert_int_eq(sortes_json_parse(&v, text, sizeof(text) - 1, &err),
	    0);
	sortes_json_free(v);
}
END_TEST

/* One string, decoded as the reader decodes strings, with its faults. */
START_TEST(test_string_decode)
{
	static const char *const refused[] = { "\"open", "x", "\"a\"b",
	    "\"\\q\"", "\"\x01\"", "\"\xc3\"", "\"\\ud800\"" };
	struct sortes_error err = { 0 };
	const char *text = "\"a\\\"b\\u00e6\\n\xc3\xa6\"";
	char out[32];
	size_t n;

	ck_assert_msg(sortes_json_string_decode(text, strlen(text), out, &n,
	    &err) == 0, "%s", err.msg);
	ck_assert_str_eq(out, "a\"b\xc3\xa6\n\xc3\xa6");
	ck_assert_uint_eq(n, 8);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		ck_assert_msg(sortes_json_string_decode(refused[i],
		    strlen(refused[i]), out, &n, &err) == SORTES_EDATA,
		    "%s accepted", refused[i]);
	ck_assert_msg(strstr(err.msg, "surrogate") != NULL, "%s", err.msg);
}
END_TEST

Suite *
suite_json(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_int64);
	tcase_add_test(tc, test_excerpt);
	tcase_add_test(tc, test_reads_canonical);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_string_decode);
	suite_add_tcase(s, tc);
	return s;
}
