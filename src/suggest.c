/*
 * suggest.c - the nearest known word, by edit distance.
 */
#include <string.h>

#include "suggest.h"

static int
fold(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : (unsigned char)ch;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t
sortes_suggest_distance(const char *a, size_t alen, const char *b,
    size_t blen)
{
	/* rows i-2, i-1 and i of the usual table, one column per byte of b */
	size_t row[3][SORTES_SUGGEST_MAX + 1], i, j, cost;
	size_t *two, *one, *cur;

	for (j = 0; j <= blen; j++)
		row[0][j] = j;
	for (i = 1; i <= alen; i++) {
		cur = row[i % 3];
		one = row[(i + 2) % 3];
		two = row[(i + 1) % 3];
		cur[0] = i;
		for (j = 1; j <= blen; j++) {
			cost = fold(a[i - 1]) != fold(b[j - 1]);
			cur[j] = min3(one[j] + 1, cur[j - 1] + 1,
			    one[j - 1] + cost);
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) &&
			    two[j - 2] + 1 < cur[j])
				cur[j] = two[j - 2] + 1;
		}
	}
	return row[alen % 3][blen];
}

/*
 * Close means at most one edit per three bytes typed (rounded down):
 * one in words of 3 to 5 letters, two in 6 to 8, three in 9 to 11.
 * That catches a swapped, missing, extra or wrong letter (jobcenter
 * for jobcentre, ratoi for ratio, tpye for type) and keeps unrelated
 * short words apart (sex and age differ in all three letters).  A
 * word of one or two letters is suggested only when it differs in
 * case alone: any one-letter arm code is one edit from any other.
 */
int
sortes_suggest_close(size_t len, size_t distance)
{
	return distance <= len / 3;
}

void
sortes_suggest_init(struct sortes_suggest *s, const char *typed, size_t len)
{
	s->typed = typed;
	s->len = len;
	s->best[0] = '\0';
	s->distance = 0;
}

int
sortes_suggest_improves(const struct sortes_suggest *s,
    const char *compared, const char *word)
{
	size_t clen = strlen(compared), d;

	if (s->len > SORTES_SUGGEST_MAX || clen > SORTES_SUGGEST_MAX ||
	    strlen(word) > SORTES_SUGGEST_MAX)
		return 0;
	if (strlen(word) == s->len && memcmp(word, s->typed, s->len) == 0)
		return 0;
	d = sortes_suggest_distance(s->typed, s->len, compared, clen);
	return sortes_suggest_close(s->len, d) &&
	    (s->best[0] == '\0' || d < s->distance);
}

int
sortes_suggest_offer(struct sortes_suggest *s, const char *compared,
    const char *word)
{
	if (!sortes_suggest_improves(s, compared, word))
		return 0;
	s->distance = sortes_suggest_distance(s->typed, s->len, compared,
	    strlen(compared));
	memcpy(s->best, word, strlen(word) + 1);
	return 1;
}

const char *
sortes_suggest_best(const struct sortes_suggest *s)
{
	return s->best[0] != '\0' ? s->best : NULL;
}
