/*
 * strmap.h - a small hash map from strings to fixed-size values, for
 * per-stratum state held during one command.  Private to the library.
 */
#ifndef SORTES_STRMAP_H
#define SORTES_STRMAP_H

#include <stddef.h>

struct sortes_strmap;

/* A map whose values are 'value_size' bytes each; NULL when out of memory. */
struct sortes_strmap *sortes_strmap_new(size_t value_size);

/*
 * Free the map, its keys and values; NULL is allowed.  'release', when
 * not NULL, is called on each value first (to free what it points to).
 */
void sortes_strmap_free(struct sortes_strmap *m, void (*release)(void *value));

/* How many entries the map holds. */
size_t sortes_strmap_count(const struct sortes_strmap *m);

/* The value stored under 'key', or NULL. */
void *sortes_strmap_get(const struct sortes_strmap *m, const char *key);

/*
 * The value under 'key', added zero-filled (*added set to 1) if it was
 * not there.  NULL when out of memory.  Values and keys stay where they
 * are until the map is freed; 'stored', when not NULL, receives the
 * map's copy of the key.
 */
void *sortes_strmap_put(struct sortes_strmap *m, const char *key, int *added,
    const char **stored);

/*
 * Call 'fn' for every entry, in no particular order, until it returns
 * nonzero; returns that value, or 0.
 */
int sortes_strmap_each(const struct sortes_strmap *m,
    int (*fn)(void *ctx, const char *key, void *value), void *ctx);

#endif
