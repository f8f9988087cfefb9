/*
 * minimize.c - Pocock-Simon minimization with a random element.
 *
 * For each arm the newcomer could join, the imbalance is the weighted
 * sum over factors of the range, across arms, of the ratio-adjusted
 * counts in the newcomer's level.  The arms with the least imbalance
 * are preferred; one is picked at random among ties, and followed with
 * the protocol's probability, else another arm is taken at random.
 */
#include <stdlib.h>
#include <string.h>

#include "minimize.h"
#include "strmap.h"

#define ARMS_MAX 26

/* The counts of one level of one factor, per arm. */
struct cell {
	const char *factor;	/* point into the map's key */
	const char *level;
	int64_t n[ARMS_MAX];
	int loaded, dirty;
};

struct sortes_minimizer {
	const struct sortes_protocol *protocol;
	struct sortes_allocator *alloc;
	struct sortes_db *db;
	struct sortes_strmap *cells;	/* "factor|level" -> struct cell */
	sqlite3_stmt *get, *put;
	int64_t scale[ARMS_MAX];	/* count multipliers for the ratios */
};

/* With ratios r_a, a count n_a weighs n_a * (L / r_a), L their lcm. */
static void
ratio_scale(const struct sortes_protocol *p, int64_t *scale)
{
	int64_t l = 1;

	for (size_t a = 0; a < p->narms; a++) {
		int64_t x = l, y = p->arms[a].ratio;

		while (y != 0) {
			int64_t t = x % y;

			x = y;
			y = t;
		}
		l = l / x * p->arms[a].ratio;
	}
	for (size_t a = 0; a < p->narms; a++)
		scale[a] = l / p->arms[a].ratio;
}

int
sortes_minimizer_new(struct sortes_minimizer **out, struct sortes_db *db,
    const struct sortes_protocol *p, struct sortes_allocator *alloc,
    struct sortes_error *err)
{
	struct sortes_minimizer *m;
	int rc;

	*out = NULL;
	if (p->narms > ARMS_MAX || p->minimization == NULL)
		return sortes_error_set(err, SORTES_EUNSUPPORTED,
		    "minimization needs its factors and at most %d arms",
		    ARMS_MAX);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->cells = sortes_strmap_new(sizeof(struct cell))) == NULL) {
		free(m);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	m->protocol = p;
	m->alloc = alloc;
	m->db = db;
	ratio_scale(p, m->scale);
	rc = sortes_db_prepare(db, &m->get, "SELECT arm, n FROM "
	    "minimization_counts WHERE factor = ? AND level = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &m->put, "INSERT OR REPLACE INTO "
		    "minimization_counts (factor, level, arm, n) "
		    "VALUES (?, ?, ?, ?)", err);
	if (rc != 0) {
		sortes_minimizer_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void
sortes_minimizer_free(struct sortes_minimizer *m)
{
	if (m == NULL)
		return;
	sqlite3_finalize(m->get);
	sqlite3_finalize(m->put);
	sortes_strmap_free(m->cells, NULL);
	free(m);
}

static int
cell_load(struct sortes_minimizer *m, struct cell *c, struct sortes_error *err)
{
	int rc = 0, step;

	sqlite3_bind_text(m->get, 1, c->factor, -1, SQLITE_STATIC);
	sqlite3_bind_text(m->get, 2, c->level, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(m->get)) == SQLITE_ROW) {
		long a = sortes_protocol_arm(m->protocol,
		    (const char *)sqlite3_column_text(m->get, 0));

		if (a >= 0)
			c->n[a] = sqlite3_column_int64(m->get, 1);
	}
	if (step != SQLITE_DONE)
		rc = sortes_db_fail(m->db, "reading minimization counts", err);
	sqlite3_reset(m->get);
	c->loaded = rc == 0;
	return rc;
}

/* The level of factor 'name' among the members, or NULL. */
static const struct sortes_member *
level_of(const struct sortes_member *members, long n, const char *name)
{
	size_t len = strlen(name);

	for (long i = 0; i < n; i++)
		if (members[i].keylen == len &&
		    memcmp(members[i].key, name, len) == 0)
			return &members[i];
	return NULL;
}

/* The counts of factor 'i' at the participant's level. */
static int
cell_get(struct sortes_minimizer *m, size_t i,
    const struct sortes_member *members, long nmembers, struct cell **out,
    struct sortes_error *err)
{
	const char *name = sortes_factor_name(m->protocol, i), *stored;
	const struct sortes_member *level = level_of(members, nmembers, name);
	size_t nlen = strlen(name);
	char *key;
	int added;

	if (level == NULL)
		return sortes_error_set(err, SORTES_EDATA, "no level of factor "
		    "'%s' in the stratum", name);
	if ((key = malloc(nlen + level->valuelen + 2)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	/* Factor names have no '|', so the first one ends the name. */
	memcpy(key, name, nlen);
	key[nlen] = '|';
	memcpy(key + nlen + 1, level->value, level->valuelen);
	key[nlen + 1 + level->valuelen] = '\0';
	*out = sortes_strmap_put(m->cells, key, &added, &stored);
	free(key);
	if (*out == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (added) {
		(*out)->factor = name;
		(*out)->level = strchr(stored, '|') + 1;
	}
	return (*out)->loaded ? 0 : cell_load(m, *out, err);
}

/* Imbalance if the newcomer joined arm 'a'. */
static int64_t
imbalance(const struct sortes_minimizer *m, struct cell *const *cells,
    size_t a)
{
	const struct sortes_minimization *mz = m->protocol->minimization;
	int64_t total = 0;

	for (size_t f = 0; f < mz->nfactors; f++) {
		int64_t lo = INT64_MAX, hi = INT64_MIN;

		for (size_t b = 0; b < m->protocol->narms; b++) {
			int64_t x = (cells[f]->n[b] + (b == a)) * m->scale[b];

			lo = x < lo ? x : lo;
			hi = x > hi ? x : hi;
		}
		total += mz->weights[f] * (hi - lo);
	}
	return total;
}

/* The draws of docs/randomization.md: tie-break, coin, other arm. */
static size_t
choose(const struct sortes_minimizer *m, const int64_t *score,
    struct sortes_pcg32 *rng)
{
	size_t narms = m->protocol->narms, tied[ARMS_MAX], ntied = 0;
	size_t preferred, other;
	int64_t best = INT64_MAX;

	for (size_t a = 0; a < narms; a++)
		best = score[a] < best ? score[a] : best;
	for (size_t a = 0; a < narms; a++)
		if (score[a] == best)
			tied[ntied++] = a;
	preferred = tied[sortes_pcg32_bounded(rng, (uint32_t)ntied)];
	if (sortes_pcg32_bounded(rng, SORTES_PER10K) <
	    (uint32_t)m->protocol->minimization->probability_per10k)
		return preferred;
	other = sortes_pcg32_bounded(rng, (uint32_t)(narms - 1));
	return other >= preferred ? other + 1 : other;
}

int
sortes_minimizer_next(struct sortes_minimizer *m, const char *levels,
    struct sortes_allocation *out, struct sortes_error *err)
{
	const struct sortes_minimization *mz = m->protocol->minimization;
	struct sortes_member members[64];
	struct cell *cells[64];
	int64_t score[ARMS_MAX], counter;
	struct sortes_pcg32 rng;
	long nmembers = sortes_object_split(levels, members, 64);
	int rc = 0;

	if (mz->nfactors > 64 || nmembers < 0)
		return sortes_error_set(err, SORTES_EDATA, "the levels '%.64s' "
		    "are not a stratum of at most 64 factors", levels);
	for (size_t f = 0; f < mz->nfactors && rc == 0; f++)
		rc = cell_get(m, mz->factors[f], members, nmembers, &cells[f],
		    err);
	if (rc == 0)
		rc = sortes_allocator_claim(m->alloc, "minimization", "{}",
		    &counter, err);
	if (rc == 0)
		rc = sortes_allocator_stream(m->alloc, &rng, "minimization",
		    "{}", counter, err);
	if (rc != 0)
		return rc;
	for (size_t a = 0; a < m->protocol->narms; a++)
		score[a] = imbalance(m, cells, a);
	out->arm = choose(m, score, &rng);
	out->counter = counter;
	out->position = -1;
	for (size_t f = 0; f < mz->nfactors; f++) {
		cells[f]->n[out->arm]++;
		cells[f]->dirty = 1;
	}
	return 0;
}

static int
cell_save(void *ctx, const char *key, void *value)
{
	struct sortes_minimizer *m = ctx;
	struct cell *c = value;

	(void)key;
	if (!c->dirty)
		return 0;
	for (size_t a = 0; a < m->protocol->narms; a++) {
		sqlite3_bind_text(m->put, 1, c->factor, -1, SQLITE_STATIC);
		sqlite3_bind_text(m->put, 2, c->level, -1, SQLITE_STATIC);
		sqlite3_bind_text(m->put, 3, m->protocol->arms[a].code, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(m->put, 4, c->n[a]);
		if (sqlite3_step(m->put) != SQLITE_DONE) {
			sqlite3_reset(m->put);
			return SORTES_EIO;
		}
		sqlite3_reset(m->put);
	}
	c->dirty = 0;
	return 0;
}

int
sortes_minimizer_flush(struct sortes_minimizer *m, struct sortes_error *err)
{
	if (sortes_strmap_each(m->cells, cell_save, m) != 0)
		return sortes_db_fail(m->db, "saving minimization counts", err);
	return 0;
}
