/*
 * check_suggest.c - the edit distance and the threshold of "did you
 * mean", on both sides.
 */
#include <string.h>

#include "suggest.h"
#include "suites.h"

static size_t
dist(const char *a, const char *b)
{
	return sortes_suggest_distance(a, strlen(a), b, strlen(b));
}

START_TEST(test_distance)
{
	ck_assert_uint_eq(dist("", ""), 0);
	ck_assert_uint_eq(dist("", "abc"), 3);
	ck_assert_uint_eq(dist("abc", ""), 3);
	ck_assert_uint_eq(dist("ratio", "ratio"), 0);
	/* a swap of neighbours is one edit, not two */
	ck_assert_uint_eq(dist("ratoi", "ratio"), 1);
	ck_assert_uint_eq(dist("jobcenter", "jobcentre"), 1);
	ck_assert_uint_eq(dist("ab", "ba"), 1);
	/* insertion, deletion, substitution */
	ck_assert_uint_eq(dist("integr", "integer"), 1);
	ck_assert_uint_eq(dist("fieldss", "fields"), 1);
	ck_assert_uint_eq(dist("Europe/Kopenhagen", "Europe/Copenhagen"), 1);
	ck_assert_uint_eq(dist("kitten", "sitting"), 3);
	ck_assert_uint_eq(dist("sex", "age"), 3);
	/* optimal string alignment: a swapped pair is not edited again */
	ck_assert_uint_eq(dist("ca", "abc"), 3);
	/* case does not count */
	ck_assert_uint_eq(dist("UTC", "utc"), 0);
	ck_assert_uint_eq(dist("Ratio", "rATIO"), 0);
	/* symmetric */
	ck_assert_uint_eq(dist("monhts", "months"), dist("months", "monhts"));
	ck_assert_uint_eq(dist("abcdefghij", "jihgfedcba"),
	    dist("jihgfedcba", "abcdefghij"));
}
END_TEST

START_TEST(test_threshold)
{
	/* one edit per three bytes typed */
	ck_assert(sortes_suggest_close(1, 0));
	ck_assert(!sortes_suggest_close(1, 1));
	ck_assert(!sortes_suggest_close(2, 1));
	ck_assert(sortes_suggest_close(3, 1));
	ck_assert(!sortes_suggest_close(3, 2));
	ck_assert(sortes_suggest_close(5, 1));
	ck_assert(!sortes_suggest_close(5, 2));
	ck_assert(sortes_suggest_close(6, 2));
	ck_assert(!sortes_suggest_close(8, 3));
	ck_assert(sortes_suggest_close(9, 3));
}
END_TEST

static const char *
best_of(const char *typed, const char *const *words, size_t n,
    struct sortes_suggest *s)
{
	size_t i;

	sortes_suggest_init(s, typed, strlen(typed));
	for (i = 0; i < n; i++)
		sortes_suggest_offer(s, words[i], words[i]);
	return sortes_suggest_best(s);
}

START_TEST(test_best)
{
	static const char *const keys[] = { "code", "name", "ratio" };
	static const char *const fields[] = { "sex", "jobcentre", "benefit",
	    "birth_date" };
	static const char *const arms[] = { "I", "C" };
	struct sortes_suggest s;
	const char *b;

	ck_assert_str_eq(best_of("ratoi", keys, 3, &s), "ratio");
	ck_assert_str_eq(best_of("nmae", keys, 3, &s), "name");
	ck_assert_str_eq(best_of("jobcenter", fields, 4, &s), "jobcentre");
	ck_assert_str_eq(best_of("birthdate", fields, 4, &s), "birth_date");
	ck_assert_str_eq(best_of("Sex", fields, 4, &s), "sex");
	/* unrelated words stay quiet */
	ck_assert_ptr_null(best_of("colour", keys, 3, &s));
	ck_assert_ptr_null(best_of("age", fields, 4, &s));
	ck_assert_ptr_null(best_of("education", fields, 4, &s));
	/* one-letter codes: only a difference in case */
	ck_assert_ptr_null(best_of("X", arms, 2, &s));
	ck_assert_str_eq(best_of("i", arms, 2, &s), "I");
	/* the word typed is never its own suggestion */
	ck_assert_ptr_null(best_of("sex", fields, 1, &s));
	/* the nearest wins; among equals the first offered */
	{
		static const char *const w[] = { "abcdef", "abcdxy", "abcdez" };

		ck_assert_str_eq(best_of("abcdeg", w, 3, &s), "abcdef");
	}
	/* words longer than the limit are never compared */
	{
		char longer[SORTES_SUGGEST_MAX + 2];
		const char *w[1] = { longer };

		memset(longer, 'a', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		b = best_of(longer + 1, w, 1, &s);
		ck_assert_ptr_null(b);
	}
	/* compared by a part, suggested whole */
	sortes_suggest_init(&s, "Copenhagen", 10);
	ck_assert(sortes_suggest_offer(&s, "Copenhagen", "Europe/Copenhagen"));
	ck_assert_str_eq(sortes_suggest_best(&s), "Europe/Copenhagen");
}
END_TEST

Suite *
suite_suggest(void)
{
	Suite *s = suite_create("suggest");
	TCase *tc = tcase_create("suggest");

	tcase_add_test(tc, test_distance);
	tcase_add_test(tc, test_threshold);
	tcase_add_test(tc, test_best);
	suite_add_tcase(s, tc);
	return s;
}
