/*
 * alloc.c - simple randomization and permuted blocks from seeded streams.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"

struct sortes_allocator {
	struct sortes_db *db;
	const struct sortes_protocol *protocol;
	struct sortes_hmac *seed_mac;
	struct sortes_jcs scratch;
	sqlite3_stmt *get_state;
	sqlite3_stmt *put_state;
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
sortes_alloc_block(const struct sortes_protocol *p, struct sortes_pcg32 *rng,
    size_t *arms, int *size)
{
	int n = p->block_sizes[sortes_pcg32_bounded(rng,
	    (uint32_t)p->nblock_sizes)];
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
	rc = sortes_hmac_new(&a->seed_mac, seed, 32, err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &a->get_state, "SELECT counter, "
		    "position FROM alloc_state WHERE stratum = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &a->put_state, "INSERT OR REPLACE "
		    "INTO alloc_state (stratum, counter, position) "
		    "VALUES (?, ?, ?)", err);
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
	free(a);
}

static int
allocator_state(struct sortes_allocator *a, const char *stratum,
    int64_t *counter, int64_t *position, struct sortes_error *err)
{
	int step, rc = 0;

	*counter = 0;
	*position = 0;
	sqlite3_bind_text(a->get_state, 1, stratum, -1, SQLITE_STATIC);
	step = sqlite3_step(a->get_state);
	if (step == SQLITE_ROW) {
		*counter = sqlite3_column_int64(a->get_state, 0);
		*position = sqlite3_column_int64(a->get_state, 1);
	} else if (step != SQLITE_DONE)
		rc = sortes_db_fail(a->db, "reading allocation state", err);
	sqlite3_reset(a->get_state);
	return rc;
}

static int
allocator_save(struct sortes_allocator *a, const char *stratum,
    int64_t counter, int64_t position, struct sortes_error *err)
{
	int rc = 0;

	sqlite3_bind_text(a->put_state, 1, stratum, -1, SQLITE_STATIC);
	sqlite3_bind_int64(a->put_state, 2, counter);
	sqlite3_bind_int64(a->put_state, 3, position);
	if (sqlite3_step(a->put_state) != SQLITE_DONE)
		rc = sortes_db_fail(a->db, "saving allocation state", err);
	sqlite3_reset(a->put_state);
	return rc;
}

static int
allocator_block(struct sortes_allocator *a, const char *stratum,
    int64_t counter, int64_t position, struct sortes_allocation *out,
    struct sortes_error *err)
{
	size_t arms[SORTES_BLOCK_MAX];
	struct sortes_pcg32 rng;
	int size, rc;

	rc = sortes_stream_derive(&rng, a->seed_mac, &a->scratch, "block",
	    stratum, counter, err);
	if (rc != 0)
		return rc;
	sortes_alloc_block(a->protocol, &rng, arms, &size);
	if (position >= size)
		return sortes_error_set(err, SORTES_EVERIFY, "allocation state "
		    "of stratum %s is past the end of block %lld", stratum,
		    (long long)counter);
	out->arm = arms[position];
	out->counter = counter;
	out->position = position;
	if (position + 1 == size)
		return allocator_save(a, stratum, counter + 1, 0, err);
	return allocator_save(a, stratum, counter, position + 1, err);
}

int
sortes_allocator_next(struct sortes_allocator *a, const char *stratum,
    struct sortes_allocation *out, struct sortes_error *err)
{
	struct sortes_pcg32 rng;
	int64_t counter, position;
	int rc;

	if ((rc = allocator_state(a, stratum, &counter, &position, err)) != 0)
		return rc;
	switch (a->protocol->method) {
	case SORTES_METHOD_SIMPLE:
		rc = sortes_stream_derive(&rng, a->seed_mac, &a->scratch,
		    "simple", stratum, counter, err);
		if (rc != 0)
			return rc;
		out->arm = sortes_alloc_simple(a->protocol, &rng);
		out->counter = counter;
		out->position = -1;
		return allocator_save(a, stratum, counter + 1, 0, err);
	case SORTES_METHOD_BLOCKS:
	case SORTES_METHOD_STRATIFIED_BLOCKS:
		return allocator_block(a, stratum, counter, position, out, err);
	default:
		return sortes_error_set(err, SORTES_EUNSUPPORTED,
		    "randomization method '%s' is not available in this "
		    "version of sortes", sortes_method_name(a->protocol->method));
	}
}
