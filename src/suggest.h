/*
 * suggest.h - "did you mean ...?": the known word nearest to a
 * misspelt one.  Private to the library; the protocol parser and the
 * time-zone lookup both suggest through it, so that every message
 * follows the same rule.
 */
#ifndef SORTES_SUGGEST_H
#define SORTES_SUGGEST_H

#include <stddef.h>

/* Longer words are never compared (nor suggested). */
#define SORTES_SUGGEST_MAX 64

/* The search for the nearest word to 'typed', one offered word at a time. */
struct sortes_suggest {
	const char *typed;	/* borrowed; need not be NUL-terminated */
	size_t len;
	char best[SORTES_SUGGEST_MAX + 1];	/* "" while none is close */
	size_t distance;	/* of best */
};

/*
 * Damerau-Levenshtein distance (the optimal string alignment form:
 * insertions, deletions, substitutions and swaps of two neighbours
 * each count 1) between a[0..alen) and b[0..blen), with ASCII letters
 * compared regardless of case.  Both lengths must be at most
 * SORTES_SUGGEST_MAX.
 */
size_t sortes_suggest_distance(const char *a, size_t alen, const char *b,
    size_t blen);

/* Whether a word at 'distance' from a typed word of 'len' bytes is close. */
int sortes_suggest_close(size_t len, size_t distance);

/* Start a search for the word nearest to typed[0..len). */
void sortes_suggest_init(struct sortes_suggest *s, const char *typed,
    size_t len);

/*
 * Whether offering 'word' would make it the suggestion: it is close,
 * nearer than the best so far (the first of equals wins), and not
 * byte for byte the typed word.  'compared' is what is measured
 * against the typed word: 'word' itself, or a part of it (a zone's
 * last component).
 */
int sortes_suggest_improves(const struct sortes_suggest *s,
    const char *compared, const char *word);

/* Offer 'word' (compared as above); returns 1 if it is now the best. */
int sortes_suggest_offer(struct sortes_suggest *s, const char *compared,
    const char *word);

/* The suggestion, or NULL when no offered word was close. */
const char *sortes_suggest_best(const struct sortes_suggest *s);

#endif
