/*
 * alloc.c - simple randomization and permuted blocks from seeded streams.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "strmap.h"

struct sortes_allocator {
	struct sortes_db *db;
	const struct sortes_protocol *protocol;
	struct sortes_hmac *seed_mac;
	struct sortes_jcs scratch;
	sqlite3_stmt *get_state;
	sqlite3_stmt *put_state;
	struct sortes_strmap *strata;	/* stratum text -> struct stratum */
};

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
sortes_stream_derive(struct sortes_pcg32 *rng, struct sortes_hmac *seed_mac,
    struct sortes_jcs *scratch, const char *purpose, const char *stratum,
    int64_t counter, struct sortes_error *err)
{
	uint8_t mac[SORTES_SHA256_LEN];
	int rc;

	sortes_jcs_reset(scratch);
	sortes_jcs_array_begin(scratch);
	sortes_jcs_string(scratch, "sortes/1");
	sortes_jcs_string(scratch, purpose);
	sortes_jcs_string(scratch, stratum);
	sortes_jcs_integer(scratch, counter);
	sortes_jcs_array_end(scratch);
	if ((rc = sortes_jcs_finish(scratch, err)) != 0)
		return rc;
	rc = sortes_hmac(seed_mac, mac, scratch->data, scratch->len, err);
	if (rc == 0)
		sortes_pcg32_seed(rng, load_be64(mac), load_be64(mac + 8));
	sortes_wipe(mac, sizeof(mac));
	return rc;
}

size_t
sortes_alloc_simple(const struct sortes_protocol *p, struct sortes_pcg32 *rng)
{
	uint32_t u = sortes_pcg32_bounded(rng, (uint32_t)p->ratio_sum);
	size_t arm = 0;

	while (u >= (uint32_t)p->arms[arm].ratio) {
		u -= (uint32_t)p->arms[arm].ratio;
		arm++;
	}
	return arm;
}

void
sortes_alloc_block(const struct sortes_protocol *p, const int *sizes,
    size_t nsizes, struct sortes_pcg32 *rng, size_t *arms, int *size)
{
	int n = sizes[sortes_pcg32_bounded(rng, (uint32_t)nsizes)];
	int per_unit = n / p->ratio_sum, k = 0;

	/* Arms in protocol order, each ratio * per_unit times, then a
	 * Fisher-Yates shuffle from the top, as in the PCG demo. */
	for (size_t a = 0; a < p->narms; a++)
		for (int i = 0; i < p->arms[a].ratio * per_unit; i++)
			arms[k++] = a;
	for (int i = n; i > 1; i--) {
		uint32_t j = sortes_pcg32_bounded(rng, (uint32_t)i);
		size_t tmp = arms[j];

		arms[j] = arms[i - 1];
		arms[i - 1] = tmp;
	}
	*size = n;
}

/*
 * A sequence's position, read from alloc_state once and written back by
 * sortes_allocator_flush(), and its current block, derived once per
 * block rather than once per allocation.  Sequences are keyed by
 * purpose and stratum.
 */
struct stratum {
	const char *purpose;	/* a static string */
	const char *stratum;	/* points into the map's key */
	int64_t counter, position;
	int loaded, dirty;
	int64_t block;		/* which block 'arms' holds; -1: none */
	int size;
	size_t *arms;		/* SORTES_BLOCK_MAX entries, when blocked */
};

static void
stratum_release(void *value)
{
	free(((struct stratum *)value)->arms);
}

int
sortes_allocator_new(struct sortes_allocator **out, struct sortes_db *db,
    const struct sortes_protocol *p, const uint8_t seed[32],
    struct sortes_error *err)
{
	struct sortes_allocator *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (a == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	a->db = db;
	a->protocol = p;
	sortes_jcs_init(&a->scratch);
	if ((a->strata = sortes_strmap_new(sizeof(struct stratum))) == NULL) {
		free(a);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	rc = sortes_hmac_new(&a->seed_mac, seed, 32, err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &a->get_state, "SELECT counter, "
		    "position FROM alloc_state WHERE purpose = ? AND "
		    "stratum = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &a->put_state, "INSERT OR REPLACE "
		    "INTO alloc_state (purpose, stratum, counter, position) "
		    "VALUES (?, ?, ?, ?)", err);
	if (rc != 0) {
		sortes_allocator_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void
sortes_allocator_free(struct sortes_allocator *a)
{
	if (a == NULL)
		return;
	sqlite3_finalize(a->get_state);
	sqlite3_finalize(a->put_state);
	sortes_hmac_free(a->seed_mac);
	sortes_jcs_free(&a->scratch);
	sortes_strmap_free(a->strata, stratum_release);
	free(a);
}

static int
stratum_load(struct sortes_allocator *a, struct stratum *s,
    struct sortes_error *err)
{
	int step, rc = 0;

	s->block = -1;
	sqlite3_bind_text(a->get_state, 1, s->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->get_state, 2, s->stratum, -1, SQLITE_STATIC);
	step = sqlite3_step(a->get_state);
	if (step == SQLITE_ROW) {
		s->counter = sqlite3_column_int64(a->get_state, 0);
		s->position = sqlite3_column_int64(a->get_state, 1);
	} else if (step != SQLITE_DONE)
		rc = sortes_db_fail(a->db, "reading allocation state", err);
	sqlite3_reset(a->get_state);
	s->loaded = rc == 0;
	return rc;
}

/* The sequence of (purpose, stratum), loaded on first use. */
static int
stratum_get(struct sortes_allocator *a, const char *purpose,
    const char *stratum, struct stratum **out, struct sortes_error *err)
{
	size_t plen = strlen(purpose), slen = strlen(stratum);
	char *key = malloc(plen + slen + 2);
	struct stratum *s;
	const char *stored;
	int added;

	*out = NULL;
	if (key == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	/* Purposes are fixed words, so the first '|' ends the purpose. */
	memcpy(key, purpose, plen);
	key[plen] = '|';
	memcpy(key + plen + 1, stratum, slen + 1);
	s = sortes_strmap_put(a->strata, key, &added, &stored);
	free(key);
	if (s == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (added) {
		s->purpose = purpose;
		s->stratum = strchr(stored, '|') + 1;
	}
	*out = s;
	return s->loaded ? 0 : stratum_load(a, s, err);
}

static int
stratum_save(void *ctx, const char *key, void *value)
{
	struct sortes_allocator *a = ctx;
	struct stratum *s = value;
	int rc = 0;

	(void)key;
	if (!s->dirty)
		return 0;
	sqlite3_bind_text(a->put_state, 1, s->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->put_state, 2, s->stratum, -1, SQLITE_STATIC);
	sqlite3_bind_int64(a->put_state, 3, s->counter);
	sqlite3_bind_int64(a->put_state, 4, s->position);
	if (sqlite3_step(a->put_state) != SQLITE_DONE)
		rc = SORTES_EIO;
	sqlite3_reset(a->put_state);
	s->dirty = rc != 0;
	return rc;
}

int
sortes_allocator_flush(struct sortes_allocator *a, struct sortes_error *err)
{
	if (sortes_strmap_each(a->strata, stratum_save, a) != 0)
		return sortes_db_fail(a->db, "saving allocation state", err);
	return 0;
}

/* Derive block s->counter of the sequence unless it is at hand. */
static int
stratum_block(struct sortes_allocator *a, struct stratum *s, const int *sizes,
    size_t nsizes, struct sortes_error *err)
{
	struct sortes_pcg32 rng;
	int rc;

	if (s->block == s->counter)
		return 0;
	if (s->arms == NULL &&
	    (s->arms = malloc(SORTES_BLOCK_MAX * sizeof(*s->arms))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_stream_derive(&rng, a->seed_mac, &a->scratch, s->purpose,
	    s->stratum, s->counter, err);
	if (rc != 0)
		return rc;
	sortes_alloc_block(a->protocol, sizes, nsizes, &rng, s->arms, &s->size);
	s->block = s->counter;
	return 0;
}

static int
allocator_block(struct sortes_allocator *a, struct stratum *s,
    const int *sizes, size_t nsizes, struct sortes_allocation *out,
    struct sortes_error *err)
{
	int rc = stratum_block(a, s, sizes, nsizes, err);

	if (rc != 0)
		return rc;
	if (s->position >= s->size)
		return sortes_error_set(err, SORTES_EVERIFY, "allocation state "
		    "of stratum %s is past the end of block %lld", s->stratum,
		    (long long)s->counter);
	out->arm = s->arms[s->position];
	out->counter = s->counter;
	out->position = s->position;
	if (++s->position == s->size) {
		s->counter++;
		s->position = 0;
	}
	s->dirty = 1;
	return 0;
}

static int
allocator_simple(struct sortes_allocator *a, struct stratum *s,
    struct sortes_allocation *out, struct sortes_error *err)
{
	struct sortes_pcg32 rng;
	int rc;

	rc = sortes_stream_derive(&rng, a->seed_mac, &a->scratch, s->purpose,
	    s->stratum, s->counter, err);
	if (rc != 0)
		return rc;
	out->arm = sortes_alloc_simple(a->protocol, &rng);
	out->counter = s->counter++;
	out->position = -1;
	s->dirty = 1;
	return 0;
}

int
sortes_allocator_next(struct sortes_allocator *a, const char *stratum,
    struct sortes_allocation *out, struct sortes_error *err)
{
	const struct sortes_protocol *p = a->protocol;
	struct stratum *s;
	int rc;

	switch (p->method) {
	case SORTES_METHOD_SIMPLE:
		if ((rc = stratum_get(a, "simple", stratum, &s, err)) != 0)
			return rc;
		return allocator_simple(a, s, out, err);
	case SORTES_METHOD_BLOCKS:
	case SORTES_METHOD_STRATIFIED_BLOCKS:
		if ((rc = stratum_get(a, "block", stratum, &s, err)) != 0)
			return rc;
		return allocator_block(a, s, p->block_sizes, p->nblock_sizes,
		    out, err);
	default:
		return sortes_error_set(err, SORTES_EUNSUPPORTED,
		    "randomization method '%s' is not available in this "
		    "version of sortes", sortes_method_name(p->method));
	}
}

int
sortes_allocator_new_hire(struct sortes_allocator *a, const char *stratum,
    struct sortes_allocation *out, struct sortes_error *err)
{
	const struct sortes_new_hires *nh = a->protocol->new_hires;
	struct stratum *s;
	int rc;

	if (nh == NULL || nh->nblock_sizes == 0)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "the protocol declares no block sizes for new hires");
	if ((rc = stratum_get(a, "new_hire", stratum, &s, err)) != 0)
		return rc;
	return allocator_block(a, s, nh->block_sizes, nh->nblock_sizes, out,
	    err);
}

int
sortes_allocator_claim(struct sortes_allocator *a, const char *purpose,
    const char *stratum, int64_t *counter, struct sortes_error *err)
{
	struct stratum *s;
	int rc;

	if ((rc = stratum_get(a, purpose, stratum, &s, err)) != 0)
		return rc;
	*counter = s->counter++;
	s->dirty = 1;
	return 0;
}

int
sortes_allocator_stream(struct sortes_allocator *a, struct sortes_pcg32 *rng,
    const char *purpose, const char *stratum, int64_t counter,
    struct sortes_error *err)
{
	return sortes_stream_derive(rng, a->seed_mac, &a->scratch, purpose,
	    stratum, counter, err);
}
