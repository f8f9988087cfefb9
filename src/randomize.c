/*
 * randomize.c - allocating all registered caseworkers in one step.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/caseworker.h"
#include "sortes/chain.h"
#include "sortes/randomize.h"
#include "sortes/record.h"
#include "sortes/seal.h"
#include "strata.h"

/* The caseworkers to allocate, sorted by team, then code. */
struct cluster_set {
	char **codes;
	char **teams;
	int64_t *seqs;		/* their registration entries */
	size_t n;
	size_t *arms;		/* the allocation being made */
};

/* The covariate matrix of constrained randomization. */
struct columns {
	size_t k;
	int64_t *x;		/* n x k, row-major */
	int64_t *w;
	char **names;
};

struct randomizer {
	struct sortes_trial *trial;
	int64_t before;		/* caseworkers registered before this entry */
	struct columns cols;
	struct sortes_cr_result cr;
	const struct sortes_protocol *protocol;
	struct sortes_hmac *mac;	/* keyed with the randomization seed */
	struct sortes_jcs scratch;
	struct cluster_set set;
	const char *beacon;
	enum sortes_coding coding;	/* of enum covariates */
};

int
sortes_randomize_seed(uint8_t out[32], const uint8_t seed[32],
    const char *beacon, struct sortes_error *err)
{
	struct sortes_hmac *mac = NULL;
	struct sortes_jcs j;
	int rc;

	if (beacon == NULL) {
		memcpy(out, seed, 32);
		return 0;
	}
	sortes_jcs_init(&j);
	sortes_jcs_array_begin(&j);
	sortes_jcs_string(&j, "sortes/1");
	sortes_jcs_string(&j, "beacon");
	sortes_jcs_string(&j, beacon);
	sortes_jcs_array_end(&j);
	rc = sortes_jcs_finish(&j, err);
	if (rc == 0)
		rc = sortes_hmac_new(&mac, seed, 32, err);
	if (rc == 0)
		rc = sortes_hmac(mac, out, j.data, j.len, err);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
	return rc;
}

static void
set_free(struct cluster_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->codes[i]);
		free(s->teams[i]);
	}
	free(s->codes);
	free(s->teams);
	free(s->seqs);
	free(s->arms);
	memset(s, 0, sizeof(*s));
}

static int
set_push(struct cluster_set *s, size_t cap, sqlite3_stmt *st)
{
	if (s->n == cap)
		return -1;
	s->codes[s->n] = strdup((const char *)sqlite3_column_text(st, 0));
	s->teams[s->n] = strdup((const char *)sqlite3_column_text(st, 1));
	s->seqs[s->n] = sqlite3_column_int64(st, 2);
	if (s->codes[s->n] == NULL || s->teams[s->n] == NULL) {
		free(s->codes[s->n]);
		free(s->teams[s->n]);
		return -1;
	}
	s->n++;
	return 0;
}

/*
 * Load the caseworkers in the order the method works in: by team and
 * code, or, for pairs formed by a covariate, by that covariate and code.
 */
static int
set_load(struct randomizer *r, struct sortes_error *err)
{
	const struct sortes_matched_pairs *mp = r->protocol->matched_pairs;
	struct cluster_set *s = &r->set;
	sqlite3_stmt *st = NULL;
	char sql[256];
	size_t cap = 0;
	int rc, step;

	if (r->protocol->method == SORTES_METHOD_MATCHED_PAIRS && mp->by >= 0)
		snprintf(sql, sizeof(sql), "SELECT code, team, seq FROM "
		    "caseworkers WHERE seq < %lld ORDER BY "
		    "json_extract(covariates, '$.%s'), code",
		    (long long)r->before,
		    r->protocol->cw_covariates[mp->by].name);
	else
		snprintf(sql, sizeof(sql), "SELECT code, team, seq FROM "
		    "caseworkers WHERE seq < %lld ORDER BY team, code",
		    (long long)r->before);

	rc = sortes_db_prepare(r->trial->db, &st, "SELECT count(*) FROM "
	    "caseworkers", err);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		cap = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	s->codes = calloc(cap + 1, sizeof(*s->codes));
	s->teams = calloc(cap + 1, sizeof(*s->teams));
	s->seqs = calloc(cap + 1, sizeof(*s->seqs));
	s->arms = calloc(cap + 1, sizeof(*s->arms));
	if (!s->codes || !s->teams || !s->seqs || !s->arms)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_db_prepare(r->trial->db, &st, sql, err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		if (set_push(s, cap, st) != 0)
			rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(r->trial->db, "reading caseworkers", err);
	sqlite3_finalize(st);
	return rc;
}

static void
shuffle(size_t *a, size_t n, struct sortes_pcg32 *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = sortes_pcg32_bounded(rng, (uint32_t)i), t = a[j];

		a[j] = a[i - 1];
		a[i - 1] = t;
	}
}

/*
 * Arms for n clusters in exact ratio: each arm ratio * (n / ratio_sum)
 * times; the n % ratio_sum left over take the first places of one
 * shuffled ratio cycle; then the whole list is shuffled.
 */
static int
complete_arms(const struct sortes_protocol *p, size_t n, struct sortes_pcg32 *rng,
    size_t *out)
{
	size_t full = n / (size_t)p->ratio_sum, k = 0, c = 0;
	size_t *cycle = malloc((size_t)p->ratio_sum * sizeof(*cycle));

	if (cycle == NULL)
		return -1;
	for (size_t a = 0; a < p->narms; a++)
		for (size_t i = 0; i < (size_t)p->arms[a].ratio; i++) {
			cycle[c++] = a;
			for (size_t f = 0; f < full; f++)
				out[k++] = a;
		}
	if (k < n) {
		shuffle(cycle, c, rng);
		memcpy(out + k, cycle, (n - k) * sizeof(*out));
	}
	shuffle(out, n, rng);
	free(cycle);
	return 0;
}

/* Allocate s->arms[first .. first + n) within 'stratum'. */
static int
allocate_stratum(struct randomizer *r, size_t first, size_t n,
    const char *stratum, struct sortes_error *err)
{
	struct sortes_pcg32 rng;
	int rc;

	rc = sortes_stream_derive(&rng, r->mac, &r->scratch, "cluster",
	    stratum, 0, err);
	if (rc == 0 && complete_arms(r->protocol, n, &rng,
	    r->set.arms + first) != 0)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return rc;
}

static int
allocate_stratified(struct randomizer *r, struct sortes_error *err)
{
	struct sortes_jcs stratum;
	size_t first = 0;
	int rc = 0;

	sortes_jcs_init(&stratum);
	while (rc == 0 && first < r->set.n) {
		size_t n = 1;

		while (first + n < r->set.n &&
		    strcmp(r->set.teams[first], r->set.teams[first + n]) == 0)
			n++;
		rc = sortes_team_stratum(&stratum, r->set.teams[first], err);
		if (rc == 0)
			rc = allocate_stratum(r, first, n, stratum.data, err);
		first += n;
	}
	sortes_jcs_free(&stratum);
	return rc;
}

static void
columns_free(struct columns *c)
{
	for (size_t j = 0; c->names != NULL && j < c->k; j++)
		free(c->names[j]);
	free(c->names);
	free(c->x);
	free(c->w);
	memset(c, 0, sizeof(*c));
}

enum sortes_coding
sortes_randomize_coding(const struct sortes_trial *t)
{
	return sortes_coding_resolve(t->protocol->constrained, t->log_format);
}

/* How many columns covariate 'f' takes: one, or one per enum value. */
static size_t
covariate_width(const struct sortes_field *f)
{
	return f->type == SORTES_FIELD_ENUM ? f->nvalues : 1;
}

static int
columns_alloc(struct randomizer *r, struct sortes_error *err)
{
	const struct sortes_protocol *p = r->protocol;
	const struct sortes_constrained *c = p->constrained;
	struct columns *cols = &r->cols;
	size_t j = 0;

	for (size_t i = 0; i < c->ncovariates; i++)
		cols->k += covariate_width(&p->cw_covariates[c->covariates[i]]);
	cols->x = calloc(r->set.n * cols->k + 1, sizeof(*cols->x));
	cols->w = calloc(cols->k + 1, sizeof(*cols->w));
	cols->names = calloc(cols->k + 1, sizeof(*cols->names));
	if (!cols->x || !cols->w || !cols->names)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->ncovariates; i++) {
		const struct sortes_field *f = &p->cw_covariates[c->covariates[i]];

		for (size_t v = 0; v < covariate_width(f); v++, j++) {
			cols->w[j] = c->weights[i];
			if (asprintf(&cols->names[j], f->type == SORTES_FIELD_ENUM ?
			    "%s=%s" : "%s", f->name, f->type ==
			    SORTES_FIELD_ENUM ? f->values[v] : "") < 0) {
				cols->names[j] = NULL;
				return sortes_error_set(err, SORTES_ENOMEM,
				    "out of memory");
			}
		}
	}
	return 0;
}

/* Fill the columns of covariate 'f', starting at column 'j0'. */
static int
columns_fill(struct randomizer *r, const struct sortes_field *f, size_t j0,
    struct sortes_error *err)
{
	struct columns *cols = &r->cols;
	sqlite3_stmt *st = NULL;
	char sql[160];
	size_t i = 0;
	int rc, step;

	snprintf(sql, sizeof(sql), "SELECT json_extract(covariates, '$.%s') "
	    "FROM caseworkers WHERE seq < %lld ORDER BY team, code", f->name,
	    (long long)r->before);
	if ((rc = sortes_db_prepare(r->trial->db, &st, sql, err)) != 0)
		return rc;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW && i < r->set.n) {
		int64_t *row = cols->x + i * cols->k + j0;

		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			rc = sortes_error_set(err, SORTES_EDATA, "caseworker "
			    "'%s' has no '%s', which constrained randomization "
			    "balances", r->set.codes[i], f->name);
		else if (f->type != SORTES_FIELD_ENUM)
			row[0] = sqlite3_column_int64(st, 0);
		else
			for (size_t v = 0; v < f->nvalues; v++)
				row[v] = strcmp(f->values[v], (const char *)
				    sqlite3_column_text(st, 0)) == 0;
		i++;
	}
	if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		rc = sortes_db_fail(r->trial->db, "reading covariates", err);
	sqlite3_finalize(st);
	return rc;
}

/* Remove column 'drop' from every row of the matrix, in place. */
static void
columns_drop(struct columns *cols, size_t n, size_t drop)
{
	size_t to = 0;

	for (size_t i = 0; i < n * cols->k; i++)
		if (i % cols->k != drop)
			cols->x[to++] = cols->x[i];
	free(cols->names[drop]);
	memmove(cols->names + drop, cols->names + drop + 1,
	    (cols->k - drop - 1) * sizeof(*cols->names));
	memmove(cols->w + drop, cols->w + drop + 1,
	    (cols->k - drop - 1) * sizeof(*cols->w));
	cols->k--;
}

/*
 * Reference coding: of the 'width' indicator columns of one enum
 * starting at 'j0', leave out the reference level's, the first level
 * that some caseworker has (levels nobody has give constant columns,
 * which the score leaves out anyway).  Returns the columns kept.
 */
static size_t
columns_reference(struct columns *cols, size_t n, size_t j0, size_t width)
{
	for (size_t v = 0; v < width; v++)
		for (size_t i = 0; i < n; i++)
			if (cols->x[i * cols->k + j0 + v] != 0) {
				columns_drop(cols, n, j0 + v);
				return width - 1;
			}
	return width;
}

static int
columns_load(struct randomizer *r, struct sortes_error *err)
{
	const struct sortes_protocol *p = r->protocol;
	const struct sortes_constrained *c = p->constrained;
	size_t j = 0, width;
	int rc = columns_alloc(r, err);

	for (size_t i = 0; rc == 0 && i < c->ncovariates; i++) {
		const struct sortes_field *f = &p->cw_covariates[c->covariates[i]];

		rc = columns_fill(r, f, j, err);
		width = covariate_width(f);
		if (rc == 0 && f->type == SORTES_FIELD_ENUM &&
		    r->coding == SORTES_CODING_REFERENCE)
			width = columns_reference(&r->cols, r->set.n, j, width);
		j += width;
	}
	return rc;
}

/*
 * Arm A's size: ratio_A x floor(n / ratio_sum), plus how many of the
 * n mod ratio_sum left over fall to arm A in one shuffled ratio cycle,
 * as for complete randomization.
 */
static size_t
constrained_m(const struct sortes_protocol *p, size_t n,
    struct sortes_pcg32 *rng)
{
	size_t rest = n % (size_t)p->ratio_sum, cycle[2 * 100], c = 0, m;

	m = (size_t)p->arms[0].ratio * (n / (size_t)p->ratio_sum);
	if (rest == 0)
		return m;
	for (size_t a = 0; a < 2; a++)
		for (int i = 0; i < p->arms[a].ratio; i++)
			cycle[c++] = a;
	shuffle(cycle, c, rng);
	for (size_t i = 0; i < rest; i++)
		m += cycle[i] == 0;
	return m;
}

static int
allocate_constrained(struct randomizer *r, struct sortes_error *err)
{
	const struct sortes_constrained *c = r->protocol->constrained;
	struct sortes_cr_limits lim = { .progress = r->trial->progress };
	struct sortes_cr_problem pb;
	struct sortes_pcg32 rng;
	int rc;

	if (r->protocol->narms != 2)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "constrained "
		    "randomization allocates between two arms");
	if (r->set.n > SORTES_CR_N_MAX)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "constrained "
		    "randomization takes at most %d caseworkers",
		    SORTES_CR_N_MAX);
	if ((rc = columns_load(r, err)) != 0)
		return rc;
	if (r->cols.k == 0)
		return sortes_error_set(err, SORTES_EDATA, "the balanced "
		    "covariates give no column to score: every one is an enum "
		    "whose only level is the reference");
	rc = sortes_stream_derive(&rng, r->mac, &r->scratch, "cluster", "{}",
	    0, err);
	if (rc != 0)
		return rc;
	pb = (struct sortes_cr_problem){ .n = r->set.n,
	    .m = constrained_m(r->protocol, r->set.n, &rng), .k = r->cols.k,
	    .x = r->cols.x, .w = r->cols.w, .metric = c->metric,
	    .keep_per10k = c->keep_per10k };
	if ((rc = sortes_cr_run_limits(&pb, &lim, &rng, &r->cr, err)) != 0)
		return rc;
	for (size_t i = 0; i < r->set.n; i++)
		r->set.arms[i] = (r->cr.chosen >> i & 1) ? 0 : 1;
	return 0;
}

/* Index of caseworker 'code' in the set, or -1. */
static long
set_find(const struct cluster_set *s, const char *code)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->codes[i], code) == 0)
			return (long)i;
	return -1;
}

/*
 * The pairs as set indexes: declared in the protocol, or adjacent in
 * covariate order (an odd one out is returned as a pair with itself).
 */
static int
pairs_make(struct randomizer *r, size_t *pairs, size_t *npairs,
    struct sortes_error *err)
{
	const struct sortes_matched_pairs *mp = r->protocol->matched_pairs;
	size_t used = 0;

	*npairs = 0;
	if (mp->by >= 0) {
		for (size_t i = 0; i < r->set.n; i += 2) {
			pairs[2 * *npairs] = i;
			pairs[2 * (*npairs)++ + 1] = i + 1 < r->set.n ? i + 1 : i;
		}
		return 0;
	}
	for (size_t k = 0; k < 2 * mp->npairs; k++) {
		long i = set_find(&r->set, mp->pairs[k]);

		if (i < 0)
			return sortes_error_set(err, SORTES_EDATA, "caseworker "
			    "'%s' of a declared pair is not registered",
			    mp->pairs[k]);
		pairs[k] = (size_t)i;
	}
	*npairs = mp->npairs;
	used = 2 * mp->npairs;
	if (used != r->set.n)
		return sortes_error_set(err, SORTES_EDATA, "%zu caseworkers are "
		    "registered but the declared pairs hold %zu; every "
		    "caseworker must be in a pair", r->set.n, used);
	return 0;
}

/*
 * One coin per pair, in pair order, from the stream (cluster, {}, 0):
 * 0 puts the pair's first caseworker in the first arm, 1 in the second.
 * A caseworker without a partner gets the arm of its coin.
 */
static int
allocate_pairs(struct randomizer *r, struct sortes_error *err)
{
	size_t *pairs = calloc(2 * r->set.n + 2, sizeof(*pairs)), npairs;
	struct sortes_pcg32 rng;
	int rc;

	if (pairs == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = pairs_make(r, pairs, &npairs, err);
	if (rc == 0)
		rc = sortes_stream_derive(&rng, r->mac, &r->scratch, "cluster",
		    "{}", 0, err);
	for (size_t k = 0; rc == 0 && k < npairs; k++) {
		uint32_t coin = sortes_pcg32_bounded(&rng, 2);

		r->set.arms[pairs[2 * k]] = coin;
		if (pairs[2 * k + 1] != pairs[2 * k])
			r->set.arms[pairs[2 * k + 1]] = 1 - coin;
	}
	free(pairs);
	return rc;
}

static int
allocate(struct randomizer *r, struct sortes_error *err)
{
	switch (r->protocol->method) {
	case SORTES_METHOD_COMPLETE:
		return allocate_stratum(r, 0, r->set.n, "{}", err);
	case SORTES_METHOD_STRATIFIED:
		return allocate_stratified(r, err);
	case SORTES_METHOD_MATCHED_PAIRS:
		return allocate_pairs(r, err);
	case SORTES_METHOD_CONSTRAINED:
		return allocate_constrained(r, err);
	default:
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "method '%s' "
		    "is not available in this version of sortes",
		    sortes_method_name(r->protocol->method));
	}
}

static int
randomize_check(struct sortes_trial *t, const char *beacon,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = t->protocol;
	int64_t done;
	int rc;

	if (p->unit != SORTES_UNIT_CASEWORKER)
		return sortes_error_set(err, SORTES_EUSAGE, "trial '%s' "
		    "randomizes individuals as they enroll; 'randomize' is for "
		    "caseworker-level trials", t->trial_id);
	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE, "randomizing needs "
		    "the trial's key file");
	if ((rc = sortes_caseworker_randomized(t, &done, err)) != 0)
		return rc;
	if (done != 0)
		return sortes_error_set(err, SORTES_EDATA, "the caseworkers of "
		    "trial '%s' were randomized already, in log entry %lld",
		    t->trial_id, (long long)done);
	if (p->beacon != NULL && beacon == NULL)
		return sortes_error_set(err, SORTES_EUSAGE, "the protocol fixes "
		    "a beacon (%s): give its value with --beacon", p->beacon->source);
	if (p->beacon == NULL && beacon != NULL)
		return sortes_error_set(err, SORTES_EUSAGE, "the protocol "
		    "declares no beacon, so --beacon cannot be used");
	return 0;
}

static int
beacon_check(const char *beacon, struct sortes_error *err)
{
	size_t n = strlen(beacon);

	if (n < 16 || n > SORTES_BEACON_MAX || n % 2 != 0)
		return sortes_error_set(err, SORTES_EDATA, "beacon value must "
		    "be 16 to %d hex digits, an even number", SORTES_BEACON_MAX);
	for (size_t i = 0; i < n; i++)
		if (!((beacon[i] >= '0' && beacon[i] <= '9') ||
		    (beacon[i] >= 'a' && beacon[i] <= 'f')))
			return sortes_error_set(err, SORTES_EDATA, "beacon value "
			    "must be lower-case hex digits");
	return 0;
}

/* Indexes of the set in caseworker-code order, for the log entry. */
static int
by_code(const void *a, const void *b, void *ctx)
{
	char **codes = ctx;

	return strcmp(codes[*(const size_t *)a], codes[*(const size_t *)b]);
}

static int
randomize_log(struct randomizer *r, struct sortes_chain *chain,
    struct sortes_randomize_result *out, const char *at,
    struct sortes_error *err)
{
	struct sortes_cluster_arm *arms = calloc(r->set.n + 1, sizeof(*arms));
	size_t *order = calloc(r->set.n + 1, sizeof(*order));
	struct sortes_jcs body;
	int rc;

	if (arms == NULL || order == NULL) {
		free(arms);
		free(order);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->set.n; i++)
		order[i] = i;
	qsort_r(order, r->set.n, sizeof(*order), by_code, r->set.codes);
	for (size_t i = 0; i < r->set.n; i++) {
		arms[i].caseworker = r->set.codes[order[i]];
		arms[i].arm = r->protocol->arms[r->set.arms[order[i]]].code;
	}
	sortes_jcs_init(&body);
	sortes_record_randomize(&body, &(struct sortes_randomize_record){
	    .seq = out->seq, .method = sortes_method_name(r->protocol->method),
	    .beacon = r->beacon, .report = out->report.data,
	    .randomized_at = at, .arms = arms, .narms = r->set.n });
	rc = sortes_jcs_finish(&body, err);
	if (rc == 0)
		rc = sortes_chain_append(chain, "randomize", at, body.data,
		    body.len, err);
	sortes_jcs_free(&body);
	free(arms);
	free(order);
	return rc;
}

static int
randomize_store(struct randomizer *r, int64_t seq, const char *report,
    const char *at, struct sortes_error *err)
{
	struct sortes_db *db = r->trial->db;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(db, &st, "INSERT INTO randomization (seq, "
	    "method, beacon, report, randomized_at) VALUES (?, ?, ?, ?, ?)",
	    err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, sortes_method_name(r->protocol->method), -1,
	    SQLITE_STATIC);
	if (r->beacon != NULL)
		sqlite3_bind_text(st, 3, r->beacon, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, report, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(db, "storing the randomization", err);
	sqlite3_finalize(st);
	if (rc == 0)
		rc = sortes_db_prepare(db, &st, "INSERT INTO "
		    "caseworker_allocations (caseworker, arm, seq) "
		    "VALUES (?, ?, ?)", err);
	for (size_t i = 0; rc == 0 && i < r->set.n; i++) {
		sqlite3_bind_int64(st, 1, r->set.seqs[i]);
		sqlite3_bind_text(st, 2, r->protocol->arms[r->set.arms[i]].code,
		    -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, seq);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sortes_db_fail(db, "storing an allocation", err);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* What the log keeps of how the allocation was made (integers only). */
static int
randomize_report(struct randomizer *r, struct sortes_jcs *j,
    struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "caseworkers");
	sortes_jcs_integer(j, (int64_t)r->set.n);
	if (r->protocol->method == SORTES_METHOD_CONSTRAINED) {
		sortes_jcs_key(j, "exact");
		sortes_jcs_boolean(j, r->cr.exact);
		sortes_jcs_key(j, "kept");
		sortes_jcs_integer(j, (int64_t)r->cr.kept);
		sortes_jcs_key(j, "rank");
		sortes_jcs_integer(j, (int64_t)r->cr.chosen_rank);
		sortes_jcs_key(j, "space");
		sortes_jcs_integer(j, (int64_t)r->cr.space);
	}
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}

/* Column means per arm, for the balance table. */
static int
balance_table(struct randomizer *r, struct sortes_randomize_result *out)
{
	size_t k = r->cols.k, na = 0;

	out->mean_a = calloc(k + 1, sizeof(double));
	out->mean_b = calloc(k + 1, sizeof(double));
	if (out->mean_a == NULL || out->mean_b == NULL)
		return -1;
	for (size_t i = 0; i < r->set.n; i++) {
		double *mean = r->set.arms[i] == 0 ? out->mean_a : out->mean_b;

		na += r->set.arms[i] == 0;
		for (size_t j = 0; j < k; j++)
			mean[j] += (double)r->cols.x[i * k + j];
	}
	for (size_t j = 0; j < k; j++) {
		out->mean_a[j] /= (double)na;
		out->mean_b[j] /= (double)(r->set.n - na);
	}
	out->ncols = k;
	out->coding = r->coding;
	out->col_names = r->cols.names;
	r->cols.names = NULL;
	out->cr = r->cr;
	memset(&r->cr, 0, sizeof(r->cr));
	return 0;
}

static int
randomize_result(struct randomizer *r, struct sortes_randomize_result *out)
{
	if (r->protocol->method == SORTES_METHOD_CONSTRAINED &&
	    balance_table(r, out) != 0)
		return -1;
	out->ncaseworkers = r->set.n;
	out->per_arm = calloc(r->protocol->narms, sizeof(*out->per_arm));
	if (out->per_arm == NULL)
		return -1;
	for (size_t i = 0; i < r->set.n; i++)
		out->per_arm[r->set.arms[i]]++;
	/* Hand the allocation over instead of copying it. */
	out->codes = r->set.codes;
	out->arms = r->set.arms;
	r->set.codes = NULL;
	r->set.arms = NULL;
	for (size_t i = 0; i < r->set.n; i++)
		free(r->set.teams[i]);
	free(r->set.teams);
	free(r->set.seqs);
	memset(&r->set, 0, sizeof(r->set));
	return 0;
}

static int
randomize_run(struct randomizer *r, struct sortes_randomize_result *out,
    const char *at, struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	int rc;

	rc = sortes_concealed(r->trial, "randomizing", err);
	if (rc == 0)
		rc = sortes_chain_open(&chain, r->trial->db, err);
	if (rc == 0)
		rc = set_load(r, err);
	if (rc == 0 && r->set.n < 2)
		rc = sortes_error_set(err, SORTES_EDATA, "there are %zu "
		    "caseworkers registered; randomizing needs at least 2",
		    r->set.n);
	if (rc == 0)
		rc = allocate(r, err);
	if (rc == 0)
		rc = randomize_report(r, &out->report, err);
	if (rc == 0) {
		out->seq = sortes_chain_next_seq(chain);
		rc = randomize_log(r, chain, out, at, err);
	}
	if (rc == 0)
		rc = randomize_store(r, out->seq, out->report.data, at, err);
	sortes_chain_free(chain);
	return rc;
}

/* Key the randomizer's streams with the seed and beacon. */
static int
randomizer_key(struct randomizer *r, const uint8_t seed[32],
    struct sortes_error *err)
{
	uint8_t key[32];
	int rc = sortes_randomize_seed(key, seed, r->beacon, err);

	if (rc == 0)
		rc = sortes_hmac_new(&r->mac, key, sizeof(key), err);
	sortes_wipe(key, sizeof(key));
	return rc;
}

static void
randomizer_free(struct randomizer *r)
{
	set_free(&r->set);
	columns_free(&r->cols);
	sortes_cr_result_free(&r->cr);
	sortes_hmac_free(r->mac);
	sortes_jcs_free(&r->scratch);
}

int
sortes_randomize(struct sortes_trial *t, const char *beacon,
    const char *randomized_at, struct sortes_randomize_result *out,
    struct sortes_error *err)
{
	struct randomizer r = { .trial = t, .protocol = t->protocol,
	    .beacon = beacon, .before = INT64_MAX,
	    .coding = sortes_randomize_coding(t) };
	int rc;

	memset(out, 0, sizeof(*out));
	sortes_jcs_init(&out->report);
	sortes_jcs_init(&r.scratch);
	rc = randomize_check(t, beacon, err);
	if (rc == 0 && beacon != NULL)
		rc = beacon_check(beacon, err);
	if (rc == 0)
		rc = randomizer_key(&r, t->key.seed, err);
	if (rc == 0)
		rc = sortes_db_begin(t->db, err);
	if (rc == 0)
		rc = randomize_run(&r, out, randomized_at, err);
	if (rc == 0)
		rc = sortes_db_commit(t->db, err);
	if (rc == 0 && randomize_result(&r, out) != 0)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc != 0)
		sortes_db_rollback(t->db);
	randomizer_free(&r);
	return rc;
}

void
sortes_randomize_result_free(struct sortes_randomize_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; r->codes != NULL && i < r->ncaseworkers; i++)
		free(r->codes[i]);
	free(r->codes);
	free(r->arms);
	free(r->per_arm);
	for (size_t j = 0; r->col_names != NULL && j < r->ncols; j++)
		free(r->col_names[j]);
	free(r->col_names);
	free(r->mean_a);
	free(r->mean_b);
	sortes_cr_result_free(&r->cr);
	sortes_jcs_free(&r->report);
	memset(r, 0, sizeof(*r));
}

int
sortes_randomize_replay(struct sortes_trial *t, const uint8_t seed[32],
    const char *beacon, int64_t seq, struct sortes_randomize_result *out,
    struct sortes_error *err)
{
	struct randomizer r = { .trial = t, .protocol = t->protocol,
	    .beacon = beacon, .before = seq,
	    .coding = sortes_randomize_coding(t) };
	int rc;

	memset(out, 0, sizeof(*out));
	sortes_jcs_init(&out->report);
	sortes_jcs_init(&r.scratch);
	rc = randomizer_key(&r, seed, err);
	if (rc == 0)
		rc = set_load(&r, err);
	if (rc == 0)
		rc = allocate(&r, err);
	if (rc == 0)
		rc = randomize_report(&r, &out->report, err);
	if (rc == 0 && randomize_result(&r, out) != 0)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	randomizer_free(&r);
	return rc;
}
