/*
 * strmap.c - open addressing with linear probing; FNV-1a hashes.  Values
 * are allocated one by one so that pointers to them stay valid when the
 * table grows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

struct slot {
	char *key;		/* NULL: empty */
	uint64_t hash;
	void *value;
};

struct sortes_strmap {
	struct slot *slots;
	size_t cap;		/* a power of two */
	size_t count;
	size_t value_size;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	while (*s)
		h = (h ^ (unsigned char)*s++) * UINT64_C(1099511628211);
	return h;
}

struct sortes_strmap *
sortes_strmap_new(size_t value_size)
{
	struct sortes_strmap *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->cap = 16;
	m->value_size = value_size;
	if ((m->slots = calloc(m->cap, sizeof(*m->slots))) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
sortes_strmap_free(struct sortes_strmap *m, void (*release)(void *value))
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		if (release != NULL)
			release(m->slots[i].value);
		free(m->slots[i].key);
		free(m->slots[i].value);
	}
	free(m->slots);
	free(m);
}

/* The slot holding 'key', or the empty slot where it would go. */
static struct slot *
strmap_find(const struct slot *slots, size_t cap, const char *key,
    uint64_t hash)
{
	size_t i = (size_t)hash & (cap - 1);

	while (slots[i].key != NULL && (slots[i].hash != hash ||
	    strcmp(slots[i].key, key) != 0))
		i = (i + 1) & (cap - 1);
	return (struct slot *)&slots[i];
}

size_t
sortes_strmap_count(const struct sortes_strmap *m)
{
	return m->count;
}

void *
sortes_strmap_get(const struct sortes_strmap *m, const char *key)
{
	struct slot *s = strmap_find(m->slots, m->cap, key, fnv1a(key));

	return s->key != NULL ? s->value : NULL;
}

static int
strmap_grow(struct sortes_strmap *m)
{
	size_t cap = m->cap * 2;
	struct slot *slots = calloc(cap, sizeof(*slots));

	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			*strmap_find(slots, cap, m->slots[i].key,
			    m->slots[i].hash) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

void *
sortes_strmap_put(struct sortes_strmap *m, const char *key, int *added,
    const char **stored)
{
	uint64_t hash = fnv1a(key);
	struct slot *s = strmap_find(m->slots, m->cap, key, hash);

	*added = 0;
	if (s->key != NULL) {
		if (stored != NULL)
			*stored = s->key;
		return s->value;
	}
	/* Keep the table at most half full, so probes stay short. */
	if (2 * (m->count + 1) > m->cap) {
		if (strmap_grow(m) != 0)
			return NULL;
		s = strmap_find(m->slots, m->cap, key, hash);
	}
	s->value = calloc(1, m->value_size);
	s->key = strdup(key);
	if (s->value == NULL || s->key == NULL) {
		free(s->value);
		free(s->key);
		s->key = NULL;
		return NULL;
	}
	s->hash = hash;
	m->count++;
	*added = 1;
	if (stored != NULL)
		*stored = s->key;
	return s->value;
}

int
sortes_strmap_each(const struct sortes_strmap *m,
    int (*fn)(void *ctx, const char *key, void *value), void *ctx)
{
	int rc;

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL &&
		    (rc = fn(ctx, m->slots[i].key, m->slots[i].value)) != 0)
			return rc;
	return 0;
}

