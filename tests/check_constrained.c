/*
 * check_constrained.c - covariate-constrained randomization against
 * brute force over all masks for small n: space, scores (bit for bit),
 * cutoff and ties, quantiles, the choice and its replay, uniformity,
 * pair co-assignment, sampling, and bad input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/constrained.h"
#include "suites.h"

#define MAXN 16
#define MAXSPACE 12870		/* C(16, 8) */

/* ---- helpers -------------------------------------------------------- */

static struct sortes_cr_problem
problem(size_t n, size_t m, size_t k, const int64_t *x, const int64_t *w,
    int metric, int keep)
{
	struct sortes_cr_problem p;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.m = m;
	p.k = k;
	p.x = x;
	p.w = w;
	p.metric = metric;
	p.keep_per10k = keep;
	return p;
}

/* Deterministic covariates: caseload-like values with some spread. */
static void
fill_x(int64_t *x, size_t n, size_t k, uint64_t seed)
{
	struct sortes_pcg32 rng;
	size_t i;

	sortes_pcg32_seed(&rng, seed, 7);
	for (i = 0; i < n * k; i++)
		x[i] = (int64_t)sortes_pcg32_bounded(&rng, 61) - 10;
}

static unsigned
popcount(uint64_t v)
{
	unsigned c = 0;

	for (; v != 0; v &= v - 1)
		c++;
	return c;
}

/* Every allocation of p by brute force: masks in increasing order. */
struct brute {
	size_t count;
	uint64_t mask[MAXSPACE];
	double score[MAXSPACE];
	double sorted[MAXSPACE];
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct brute *
brute_new(const struct sortes_cr_problem *p)
{
	struct brute *b = calloc(1, sizeof(*b));
	uint64_t mask;

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_le(p->n, MAXN);
	for (mask = 0; mask < (UINT64_C(1) << p->n); mask++) {
		if (popcount(mask) != p->m)
			continue;
		ck_assert_uint_lt(b->count, MAXSPACE);
		b->mask[b->count] = mask;
		b->score[b->count] = sortes_cr_score(p, mask);
		ck_assert(!isnan(b->score[b->count]));
		b->count++;
	}
	memcpy(b->sorted, b->score, b->count * sizeof(double));
	qsort(b->sorted, b->count, sizeof(double), cmp_double);
	return b;
}

static uint64_t
ceil_frac(uint64_t v, uint64_t num, uint64_t den)
{
	return (v * num + den - 1) / den;
}

static int
run(const struct sortes_cr_problem *p, const struct sortes_cr_limits *lim,
    uint64_t seed, struct sortes_cr_result *r)
{
	struct sortes_error err;
	struct sortes_pcg32 rng;
	int rc;

	sortes_error_clear(&err);
	sortes_pcg32_seed(&rng, seed, 54);
	rc = sortes_cr_run_limits(p, lim, &rng, r, &err);
	ck_assert_msg(rc == 0, "run failed: %s", err.msg);
	return rc;
}

/* The textbook score: means, sample sds, z, in the obvious way. */
static double
reference_score(const struct sortes_cr_problem *p, uint64_t mask)
{
	double s = 0.0, sa, sb, mean, var, z;
	size_t i, j;

	for (j = 0; j < p->k; j++) {
		sa = sb = mean = var = 0.0;
		for (i = 0; i < p->n; i++)
			mean += (double)p->x[i * p->k + j] / (double)p->n;
		for (i = 0; i < p->n; i++) {
			double v = (double)p->x[i * p->k + j];

			var += (v - mean) * (v - mean) / (double)(p->n - 1);
			if (mask >> i & 1)
				sa += v;
			else
				sb += v;
		}
		if (var == 0.0)
			continue;
		z = (sa / (double)p->m - sb / (double)(p->n - p->m)) /
		    sqrt(var);
		s += (double)p->w[j] * (p->metric == 2 ? z * z : fabs(z));
	}
	return s;
}

static void
assert_close(double a, double b)
{
	ck_assert_msg(fabs(a - b) <= 1e-9 * (fabs(b) + 1e-12),
	    "%.17g != %.17g", a, b);
}

/* ---- the space ------------------------------------------------------ */

struct visit {
	size_t count;
	uint64_t last;
	int ordered;
	const struct sortes_cr_problem *p;
	int bitexact;
	uint64_t masks[4096];
};

static int
visit_fn(void *arg, uint64_t index, uint64_t mask, double score)
{
	struct visit *v = arg;
	double fresh = sortes_cr_score(v->p, mask);

	if (index != v->count || (v->count > 0 && mask <= v->last))
		v->ordered = 0;
	if (memcmp(&fresh, &score, sizeof(double)) != 0)
		v->bitexact = 0;
	if (v->count < 4096)
		v->masks[v->count] = mask;
	v->count++;
	v->last = mask;
	return 0;
}

START_TEST(test_space_size)
{
	static const size_t nm[][2] = { { 2, 1 }, { 5, 2 }, { 8, 4 },
	    { 10, 3 }, { 12, 6 }, { 13, 12 }, { 16, 8 } };
	static const uint64_t binom[] = { 2, 10, 70, 120, 924, 13, 12870 };
	int64_t x[MAXN * 2], w[2] = { 1, 1 };
	struct sortes_cr_result r;
	struct sortes_error err;
	struct visit *v = calloc(1, sizeof(*v));
	size_t i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < sizeof(nm) / sizeof(nm[0]); i++) {
		struct sortes_cr_problem p = problem(nm[i][0], nm[i][1], 2, x,
		    w, 2, 1000);
		struct brute *b;

		fill_x(x, p.n, 2, i);
		b = brute_new(&p);
		run(&p, NULL, 1, &r);
		ck_assert_int_eq(r.exact, 1);
		ck_assert_uint_eq(r.space, binom[i]);
		ck_assert_uint_eq(r.combinations, binom[i]);
		ck_assert_uint_eq(r.space, b->count);
		memset(v, 0, sizeof(*v));
		v->ordered = v->bitexact = 1;
		v->p = &p;
		ck_assert_int_eq(sortes_cr_foreach(&p, NULL, NULL, visit_fn, v,
		    &err), 0);
		ck_assert_uint_eq(v->count, b->count);
		ck_assert(v->ordered);		/* increasing masks */
		ck_assert(v->bitexact);
		sortes_cr_result_free(&r);
		free(b);
	}
	free(v);
}
END_TEST

/* What a run told its progress: each walk ends at the whole space. */
struct walks {
	int64_t total, done[8];
	int n;
	int ordered;
};

static void
walks_update(void *ctx, const struct sortes_progress_at *at)
{
	struct walks *w = ctx;
	int64_t done = at->done, total = at->total;
	int walk = 0;

	ck_assert_int_eq(sscanf(at->unit, "allocations, walk %d", &walk), 1);
	ck_assert_int_ge(walk, 1);
	ck_assert_int_le(walk, 8);
	if (walk > w->n)
		w->n = walk;
	if (done <= w->done[walk - 1])
		w->ordered = 0;
	w->done[walk - 1] = done;
	w->total = total;
}

START_TEST(test_progress)
{
	int64_t x[MAXN * 2], w[2] = { 1, 1 };
	struct sortes_cr_problem p = problem(16, 8, 2, x, w, 2, 1000);
	struct walks seen = { .ordered = 1 };
	struct sortes_progress pr = { walks_update, &seen };
	struct sortes_cr_limits lim = { .progress = &pr };
	struct sortes_cr_result r, plain;

	fill_x(x, p.n, 2, 3);
	run(&p, &lim, 7, &r);
	run(&p, NULL, 7, &plain);
	/* Told, and nothing of the result changed by it. */
	ck_assert_int_ge(seen.n, 3);
	ck_assert(seen.ordered);
	ck_assert_int_eq(seen.total, 12870);
	ck_assert_int_eq(seen.done[0], 12870);
	ck_assert_uint_eq(r.chosen, plain.chosen);
	ck_assert_uint_eq(r.kept, plain.kept);
	sortes_cr_result_free(&r);
	sortes_cr_result_free(&plain);
}
END_TEST

START_TEST(test_combinations_sampled)
{
	int64_t x[40] = { 0 }, w[1] = { 1 };
	struct sortes_cr_problem p = problem(40, 20, 1, x, w, 2, 1000);
	struct sortes_cr_result r;

	fill_x(x, 40, 1, 3);
	run(&p, NULL, 9, &r);		/* the default sample */
	ck_assert_int_eq(r.exact, 0);
	ck_assert_uint_eq(r.combinations, UINT64_C(137846528820));
	ck_assert_uint_eq(r.space, SORTES_CR_SAMPLES);
	ck_assert_uint_eq(popcount(r.chosen), 20);
	ck_assert(r.chosen_score <= r.cutoff);
	ck_assert_uint_ge(r.kept, 100000);
	sortes_cr_result_free(&r);
}
END_TEST

/* n = 64: masks reach bit 63; n = 30 and 31 around the enumeration
 * limit, only as binomials. */
START_TEST(test_edges)
{
	static const size_t ms[] = { 1, 2, 62, 63 };
	static const uint64_t binom[] = { 64, 2016, 2016, 64 };
	int64_t x[64], w[1] = { 1 };
	struct sortes_error err;
	struct visit *v = calloc(1, sizeof(*v));
	size_t i;

	ck_assert_ptr_nonnull(v);
	fill_x(x, 64, 1, 11);
	for (i = 0; i < 4; i++) {
		struct sortes_cr_problem p = problem(64, ms[i], 1, x, w, 1, 500);
		struct sortes_cr_result r;

		memset(v, 0, sizeof(*v));
		v->ordered = v->bitexact = 1;
		v->p = &p;
		ck_assert_int_eq(sortes_cr_foreach(&p, NULL, NULL, visit_fn, v,
		    &err), 0);
		ck_assert_uint_eq(v->count, binom[i]);
		ck_assert(v->ordered);
		ck_assert(v->bitexact);
		ck_assert_uint_eq(popcount(v->last), ms[i]);
		run(&p, NULL, 5, &r);
		ck_assert_uint_eq(r.space, binom[i]);
		ck_assert_uint_eq(popcount(r.chosen), ms[i]);
		sortes_cr_result_free(&r);
	}
	free(v);
}
END_TEST

START_TEST(test_bitexact)
{
	/* k = 1..9 (padded to 4, 8 and 12), both metrics, extreme values. */
	int64_t x[12 * 9], w[9] = { 1, 2, 3, 1, 7, 2147483648, 1, 4, 9 };
	struct sortes_error err;
	struct visit *v = calloc(1, sizeof(*v));
	size_t k, i;
	int metric;

	ck_assert_ptr_nonnull(v);
	for (k = 1; k <= 9; k++)
		for (metric = 1; metric <= 2; metric++) {
			struct sortes_cr_problem p = problem(12, 5, k, x, w,
			    metric, 1000);

			fill_x(x, 12, k, k * 10 + (size_t)metric);
			for (i = 0; i < 12; i++)
				x[i * k + k - 1] *= 1000003;
			x[0] = INT64_C(2147483648);
			x[k] = -INT64_C(2147483648);
			memset(v, 0, sizeof(*v));
			v->ordered = v->bitexact = 1;
			v->p = &p;
			ck_assert_int_eq(sortes_cr_foreach(&p, NULL, NULL,
			    visit_fn, v, &err), 0);
			ck_assert_uint_eq(v->count, 792);
			ck_assert(v->bitexact);
		}
	free(v);
}
END_TEST

/* ---- the score ------------------------------------------------------ */

START_TEST(test_score_formula)
{
	int64_t x[8 * 3], w[3] = { 1, 3, 2 };
	struct sortes_cr_problem p;
	uint64_t mask;
	int metric;

	fill_x(x, 8, 3, 21);
	for (metric = 1; metric <= 2; metric++) {
		p = problem(8, 3, 3, x, w, metric, 1000);
		for (mask = 0; mask < 256; mask++)
			if (popcount(mask) == 3)
				assert_close(sortes_cr_score(&p, mask),
				    reference_score(&p, mask));
	}
	/* Bad masks and problems give NaN. */
	ck_assert(isnan(sortes_cr_score(&p, 0x3)));
	ck_assert(isnan(sortes_cr_score(&p, 0x107)));
	ck_assert(isnan(sortes_cr_score(NULL, 0x7)));
}
END_TEST

/* z = (2, 0) against (1.2, 1.2): l1 prefers the first, l2 the second;
 * find such a pair among real allocations. */
START_TEST(test_l1_vs_l2)
{
	int64_t x[10 * 2], w[2] = { 1, 1 };
	struct sortes_cr_problem p1, p2;
	uint64_t a, b;
	int found = 0;

	fill_x(x, 10, 2, 31);
	p1 = problem(10, 5, 2, x, w, 1, 1000);
	p2 = problem(10, 5, 2, x, w, 2, 1000);
	for (a = 0; a < 1024 && !found; a++) {
		if (popcount(a) != 5)
			continue;
		for (b = 0; b < 1024 && !found; b++) {
			if (popcount(b) != 5)
				continue;
			found = sortes_cr_score(&p1, a) < sortes_cr_score(&p1, b)
			    && sortes_cr_score(&p2, a) > sortes_cr_score(&p2, b);
		}
	}
	ck_assert(found);
	ck_assert(sortes_cr_score(&p1, 0x1f) != sortes_cr_score(&p2, 0x1f));
}
END_TEST

START_TEST(test_weights)
{
	int64_t x[10 * 2], w1[2] = { 1, 1 }, w3[2] = { 3, 1 };
	struct sortes_cr_problem p1, p3, c0, c1;
	int64_t x0[10], x1[10], wone[1] = { 1 };
	struct sortes_cr_result r1, r3;
	uint64_t mask;
	size_t i;
	int differ = 0;

	fill_x(x, 10, 2, 41);
	for (i = 0; i < 10; i++) {
		x0[i] = x[i * 2];
		x1[i] = x[i * 2 + 1];
	}
	p1 = problem(10, 5, 2, x, w1, 2, 500);
	p3 = problem(10, 5, 2, x, w3, 2, 500);
	c0 = problem(10, 5, 1, x0, wone, 2, 500);
	c1 = problem(10, 5, 1, x1, wone, 2, 500);
	for (mask = 0; mask < 1024; mask++) {
		if (popcount(mask) != 5)
			continue;
		assert_close(sortes_cr_score(&p3, mask),
		    3 * sortes_cr_score(&c0, mask) + sortes_cr_score(&c1, mask));
	}
	run(&p1, NULL, 3, &r1);
	run(&p3, NULL, 3, &r3);
	differ = r1.cutoff != r3.cutoff || r1.chosen != r3.chosen;
	ck_assert(differ);
	sortes_cr_result_free(&r1);
	sortes_cr_result_free(&r3);
}
END_TEST

/*
 * The worked example of docs/constrained.md: six clusters, caseload
 * 7, 9, 10, 10, 11, 13 (mean 10, sample sd 2) and office midt, midt,
 * nord, nord, syd, syd.  Reference coding against midt gives the
 * columns caseload, office=nord, office=syd; one column per level
 * has office=midt in front of those two.
 */
static const int64_t ex_reference[6 * 3] = {
	7, 0, 0,  9, 0, 0,  10, 1, 0,  10, 1, 0,  11, 0, 1,  13, 0, 1 };
static const int64_t ex_per_level[6 * 4] = {
	7, 1, 0, 0,  9, 1, 0, 0,  10, 0, 1, 0,  10, 0, 1, 0,  11, 0, 0, 1,
	13, 0, 0, 1 };

/*
 * cvcrand's balance score, as its cvrall() computes it: every column
 * centred on its mean over all n clusters, divided by its sd over all
 * n clusters (R's sd(), denominator n - 1) and multiplied by its
 * weight 'cw'; summed over the clusters of arm A (pmt %*% X, pmt the
 * 0/1 indicator of arm A); then squared (l2) or taken absolute (l1)
 * and summed over the columns.
 */
static double
cvcrand_score(const struct sortes_cr_problem *p, uint64_t mask,
    const double *cw)
{
	double s = 0.0, mean, var, t;
	size_t i, j;

	for (j = 0; j < p->k; j++) {
		mean = var = t = 0.0;
		for (i = 0; i < p->n; i++)
			mean += (double)p->x[i * p->k + j] / (double)p->n;
		for (i = 0; i < p->n; i++)
			var += ((double)p->x[i * p->k + j] - mean) *
			    ((double)p->x[i * p->k + j] - mean) /
			    (double)(p->n - 1);
		for (i = 0; i < p->n; i++)
			if (mask >> i & 1)
				t += ((double)p->x[i * p->k + j] - mean) *
				    cw[j] / sqrt(var);
		s += p->metric == 2 ? t * t : fabs(t);
	}
	return s;
}

/* Equal up to rounding: cvcrand's way sums standardized values, so a
 * perfectly balanced allocation gives about 1e-15 rather than 0. */
static void
assert_near(double a, double b)
{
	ck_assert_msg(fabs(a - b) <= 1e-9 * (fabs(b) + 1.0), "%.17g != %.17g",
	    a, b);
}

/* Arm A = clusters 0, 1, 2 (mask 0x07), worked out by hand. */
START_TEST(test_worked_example)
{
	int64_t w[4] = { 1, 1, 1, 1 };
	double ones[3] = { 1, 1, 1 };
	struct sortes_cr_problem ref, per;

	/* caseload: means 26/3 and 34/3, d = -8/3, z = -4/3, z^2 = 16/9;
	 * office=nord: 1/3 and 1/3, z = 0; office=syd: 0 and 2/3, d = -2/3,
	 * sd sqrt(4/15), z^2 = 5/3; office=midt: 2/3 and 0, z^2 = 5/3. */
	ref = problem(6, 3, 3, ex_reference, w, 2, 1000);
	per = problem(6, 3, 4, ex_per_level, w, 2, 1000);
	assert_close(sortes_cr_score(&ref, 0x07), 31.0 / 9.0);
	assert_close(sortes_cr_score(&per, 0x07), 46.0 / 9.0);
	/* cvcrand: caseload (-3 - 1 + 0) / 2 = -2, office=nord 0,
	 * office=syd -1 / sqrt(4/15); l2 = 4 + 0 + 15/4 = 31/4, which is
	 * (3 x 3 / 6)^2 x 31/9. */
	assert_close(cvcrand_score(&ref, 0x07, ones), 31.0 / 4.0);
	ref.metric = 1;
	/* l1: sortes 4/3 + 0 + sqrt(15)/3, cvcrand 2 + 0 + sqrt(15)/2. */
	assert_close(sortes_cr_score(&ref, 0x07), (4.0 + sqrt(15.0)) / 3.0);
	assert_close(cvcrand_score(&ref, 0x07, ones), 2.0 + sqrt(15.0) / 2.0);
}
END_TEST

/*
 * Over every allocation, for arm A of 3 and of 2 clusters out of 6:
 * cvcrand's l2 = (m (n - m) / n)^2 x sortes's l2 and cvcrand's l1 =
 * m (n - m) / n x sortes's l1; a sortes weight w is a cvcrand weight
 * sqrt(w) in l2 and w in l1.
 */
START_TEST(test_cvcrand_relation)
{
	int64_t w[3] = { 4, 1, 9 };
	double cw2[3] = { 2, 1, 3 }, cw1[3] = { 4, 1, 9 }, f;
	struct sortes_cr_problem p;
	uint64_t mask;
	size_t m;

	for (m = 2; m <= 3; m++) {
		f = (double)(m * (6 - m)) / 6.0;
		for (mask = 0; mask < 64; mask++) {
			if (popcount(mask) != m)
				continue;
			p = problem(6, m, 3, ex_reference, w, 2, 1000);
			assert_close(sortes_cr_score(&p, mask),
			    reference_score(&p, mask));
			assert_near(cvcrand_score(&p, mask, cw2),
			    f * f * sortes_cr_score(&p, mask));
			p.metric = 1;
			assert_close(sortes_cr_score(&p, mask),
			    reference_score(&p, mask));
			assert_near(cvcrand_score(&p, mask, cw1),
			    f * sortes_cr_score(&p, mask));
		}
	}
}
END_TEST

START_TEST(test_constant_columns)
{
	int64_t x[9 * 3], xr[9 * 2], w[3] = { 1, 5, 2 }, wr[2] = { 1, 2 };
	struct sortes_cr_problem p, pr, pc;
	struct sortes_cr_result r;
	struct sortes_error err;
	struct sortes_pcg32 rng;
	uint64_t mask;
	size_t i;
	double a, b;

	fill_x(x, 9, 3, 51);
	for (i = 0; i < 9; i++) {
		x[i * 3 + 1] = 42;		/* constant */
		xr[i * 2] = x[i * 3];
		xr[i * 2 + 1] = x[i * 3 + 2];
	}
	p = problem(9, 4, 3, x, w, 2, 1000);
	pr = problem(9, 4, 2, xr, wr, 2, 1000);
	run(&p, NULL, 2, &r);
	ck_assert_uint_eq(r.n_constant, 1);
	ck_assert_uint_eq(r.k, 3);
	ck_assert_int_eq(r.col_constant[0], 0);
	ck_assert_int_eq(r.col_constant[1], 1);
	ck_assert_int_eq(r.col_constant[2], 0);
	ck_assert(r.col_sd[1] == 0.0);
	ck_assert(r.col_sd[0] > 0.0 && r.col_sd[2] > 0.0);
	sortes_cr_result_free(&r);
	for (mask = 0; mask < 512; mask++) {
		if (popcount(mask) != 4)
			continue;
		a = sortes_cr_score(&p, mask);
		b = sortes_cr_score(&pr, mask);
		ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	}
	/* Every column constant: a data error that says so. */
	for (i = 0; i < 9 * 3; i++)
		x[i] = 7;
	pc = problem(9, 4, 3, x, w, 2, 1000);
	sortes_pcg32_seed(&rng, 1, 1);
	ck_assert_int_eq(sortes_cr_run(&pc, &rng, &r, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "constant"));
	ck_assert_ptr_null(r.same_arm);
	ck_assert(isnan(sortes_cr_score(&pc, 0xf)) == 0);
}
END_TEST

/* ---- cutoff, ties, quantiles, the choice ----------------------------- */

static void
check_against_brute(const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *lim, uint64_t seed)
{
	static const unsigned pct[8] = { 5, 10, 20, 25, 30, 50, 75, 95 };
	struct brute *b = brute_new(p);
	struct sortes_cr_result r;
	struct sortes_pcg32 rng;
	uint64_t rank, kept = 0, lower = 0, seen = 0, i, draw;
	double q[8], mean = 0.0, var = 0.0, chosen = NAN;

	run(p, lim, seed, &r);
	ck_assert_uint_eq(r.space, b->count);
	rank = ceil_frac(b->count, (uint64_t)p->keep_per10k, 10000);
	ck_assert_uint_eq(r.cutoff_rank, rank);
	ck_assert(r.cutoff == b->sorted[rank - 1]);
	for (i = 0; i < b->count; i++)
		kept += b->sorted[i] <= r.cutoff;
	ck_assert_uint_eq(r.kept, kept);
	ck_assert_uint_ge(r.kept, rank);
	/* Replay: the draw, then the r-th kept in increasing mask order. */
	sortes_pcg32_seed(&rng, seed, 54);
	draw = sortes_cr_bounded64(&rng, kept);
	ck_assert_uint_eq(r.chosen_draw, draw);
	for (i = 0; i < b->count; i++) {
		if (b->score[i] > r.cutoff)
			continue;
		if (seen++ == draw) {
			ck_assert_uint_eq(r.chosen, b->mask[i]);
			ck_assert_uint_eq(r.chosen_index, i);
			chosen = b->score[i];
		}
	}
	ck_assert(r.chosen_score == chosen);
	ck_assert(r.chosen_score <= r.cutoff);
	ck_assert_uint_eq(popcount(r.chosen), p->m);
	for (i = 0; i < b->count; i++)
		lower += b->score[i] < chosen;
	ck_assert_uint_eq(r.chosen_rank, lower + 1);
	for (i = 0; i < 8; i++)
		q[i] = b->sorted[ceil_frac(b->count, pct[i], 100) - 1];
	ck_assert(r.min == b->sorted[0]);
	ck_assert(r.q05 == q[0]);
	ck_assert(r.q10 == q[1]);
	ck_assert(r.q20 == q[2]);
	ck_assert(r.q25 == q[3]);
	ck_assert(r.q30 == q[4]);
	ck_assert(r.q50 == q[5]);
	ck_assert(r.q75 == q[6]);
	ck_assert(r.q95 == q[7]);
	ck_assert(r.max == b->sorted[b->count - 1]);
	for (i = 0; i < b->count; i++)
		mean += b->score[i] / (double)b->count;
	for (i = 0; i < b->count; i++)
		var += (b->score[i] - mean) * (b->score[i] - mean) /
		    (double)b->count;
	assert_close(r.mean, mean);
	ck_assert(fabs(r.sd - sqrt(var)) <= 1e-9 * (sqrt(var) + 1e-12));
	sortes_cr_result_free(&r);
	free(b);
}

START_TEST(test_cutoff_quantiles)
{
	static const int keeps[] = { 1, 100, 1000, 2500, 5000, 10000 };
	int64_t x[12 * 4], w[4] = { 1, 1, 2, 1 };
	size_t i;

	fill_x(x, 12, 4, 61);
	for (i = 0; i < sizeof(keeps) / sizeof(keeps[0]); i++) {
		struct sortes_cr_problem p = problem(12, 6, 4, x, w,
		    1 + (int)(i % 2), keeps[i]);

		check_against_brute(&p, NULL, 100 + i);
	}
}
END_TEST

/* Tiny histograms and pools: many refinement passes. */
START_TEST(test_refinement)
{
	static const size_t bins[] = { 2, 3, 16 };
	static const size_t pools[] = { 1, 7, 50 };
	int64_t x[16 * 3], w[3] = { 2, 1, 1 };
	struct sortes_cr_limits lim;
	size_t i, j;

	fill_x(x, 16, 3, 71);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			struct sortes_cr_problem p = problem(16, 8, 3, x, w, 2,
			    (int)(700 + 1000 * j));

			memset(&lim, 0, sizeof(lim));
			lim.bins = bins[i];
			lim.collect_max = pools[j];
			check_against_brute(&p, &lim, 200 + i * 3 + j);
		}
}
END_TEST

/* One 0/1 column: scores take few values, most allocations tie. */
START_TEST(test_ties)
{
	int64_t x[10] = { 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 }, w[1] = { 1 };
	struct sortes_cr_problem p = problem(10, 5, 1, x, w, 2, 100);
	struct sortes_cr_limits lim;
	struct sortes_cr_result r;

	run(&p, NULL, 4, &r);
	ck_assert_uint_eq(r.cutoff_rank, 3);
	ck_assert_uint_eq(r.kept, 200);		/* 2 or 3 ones in arm A */
	ck_assert(r.min == r.cutoff);
	sortes_cr_result_free(&r);
	check_against_brute(&p, NULL, 4);
	memset(&lim, 0, sizeof(lim));
	lim.bins = 2;
	lim.collect_max = 1;
	check_against_brute(&p, &lim, 5);
	/* Every score equal: the whole space is kept. */
	x[0] = 1;
	{
		int64_t y[4] = { 0, 1, 1, 0 };
		struct sortes_cr_problem q = problem(4, 2, 1, y, w, 1, 1);

		check_against_brute(&q, &lim, 6);
	}
}
END_TEST

START_TEST(test_determinism)
{
	int64_t x[12 * 3] = { 0 }, w[3] = { 1, 1, 1 };
	struct sortes_cr_problem p = problem(12, 6, 3, x, w, 2, 1000);
	struct sortes_cr_result a, b;
	uint64_t seen[20];
	size_t i, j, distinct = 0;

	fill_x(x, 12, 3, 81);
	run(&p, NULL, 77, &a);
	run(&p, NULL, 77, &b);
	ck_assert_uint_eq(a.chosen, b.chosen);
	ck_assert_uint_eq(a.kept, b.kept);
	ck_assert(memcmp(a.same_arm, b.same_arm, 144 * sizeof(uint64_t)) == 0);
	sortes_cr_result_free(&a);
	sortes_cr_result_free(&b);
	for (i = 0; i < 20; i++) {
		run(&p, NULL, 1000 + i, &a);
		seen[i] = a.chosen;
		for (j = 0; j < i && seen[j] != seen[i]; j++)
			;
		distinct += j == i;
		sortes_cr_result_free(&a);
	}
	ck_assert_uint_ge(distinct, 15);
}
END_TEST

/* The choice is uniform over the kept allocations: chi-square over
 * 4000 seeds for n = 6, m = 3, q = 1/2. */
START_TEST(test_uniform)
{
	int64_t x[6] = { 3, 9, 4, 12, 7, 1 }, w[1] = { 1 };
	struct sortes_cr_problem p = problem(6, 3, 1, x, w, 2, 5000);
	struct sortes_cr_result r;
	uint64_t count[20];
	double chi = 0.0, e;
	size_t i, kept = 0, runs = 4000;

	memset(count, 0, sizeof(count));
	for (i = 0; i < runs; i++) {
		run(&p, NULL, 5000 + i, &r);
		kept = (size_t)r.kept;
		ck_assert_uint_lt(r.chosen_draw, 20);
		count[r.chosen_draw]++;
		sortes_cr_result_free(&r);
	}
	ck_assert_uint_ge(kept, 10);
	e = (double)runs / (double)kept;
	for (i = 0; i < kept; i++) {
		ck_assert_uint_gt(count[i], 0);
		chi += ((double)count[i] - e) * ((double)count[i] - e) / e;
	}
	/* df = kept - 1 (about 10): the 0.999 quantile is below 40. */
	ck_assert_msg(chi < 40.0, "chi-square %.2f over %zu kept", chi, kept);
}
END_TEST

START_TEST(test_bounded64)
{
	struct sortes_pcg32 a, b;
	uint64_t bound = (UINT64_C(1) << 63) + 12345, v, raw, thr;
	int i;

	sortes_pcg32_seed(&a, 42, 54);
	for (i = 0; i < 100; i++)
		ck_assert_uint_eq(sortes_cr_bounded64(&a, 1), 0);
	sortes_pcg32_seed(&a, 42, 54);
	sortes_pcg32_seed(&b, 42, 54);
	thr = (0 - bound) % bound;
	for (i = 0; i < 200; i++) {
		v = sortes_cr_bounded64(&a, bound);
		do {
			raw = (uint64_t)sortes_pcg32_next(&b) << 32;
			raw |= sortes_pcg32_next(&b);
		} while (raw < thr);
		ck_assert_uint_eq(v, raw % bound);
		ck_assert_uint_lt(v, bound);
	}
}
END_TEST

/* ---- pairs ----------------------------------------------------------- */

static void
check_pairs(const struct sortes_cr_problem *p, const struct sortes_cr_result *r)
{
	struct brute *b = brute_new(p);
	size_t n = p->n, i, j, f = 0;
	uint64_t same, s;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			same = 0;
			for (s = 0; s < b->count; s++)
				if (b->score[s] <= r->cutoff)
					same += (b->mask[s] >> i & 1) ==
					    (b->mask[s] >> j & 1);
			ck_assert_uint_eq(r->same_arm[i * n + j], same);
			if (i < j && (same == 0 || same == r->kept)) {
				ck_assert_uint_lt(f, r->n_fixed);
				ck_assert_uint_eq(r->fixed[f].i, i);
				ck_assert_uint_eq(r->fixed[f].j, j);
				ck_assert_int_eq(r->fixed[f].together,
				    same == r->kept);
				f++;
			}
		}
	ck_assert_uint_eq(f, r->n_fixed);
	free(b);
}

START_TEST(test_pairs)
{
	int64_t x[14 * 2] = { 0 }, w[2] = { 1, 1 };
	struct sortes_cr_problem p = problem(14, 7, 2, x, w, 2, 800);
	struct sortes_cr_result r;

	fill_x(x, 14, 2, 91);
	run(&p, NULL, 8, &r);
	check_pairs(&p, &r);
	sortes_cr_result_free(&r);
}
END_TEST

/* Two identical extreme clusters are never together among the best
 * allocations; two opposite extremes are never apart. */
START_TEST(test_fixed_pairs)
{
	int64_t apart[8] = { 100, 100, 1, 2, 3, 4, 5, 6 };
	int64_t together[8] = { 100, -100, 1, 2, 3, 4, 5, 6 };
	int64_t w[1] = { 1 };
	struct sortes_cr_problem p = problem(8, 4, 1, apart, w, 2, 500);
	struct sortes_cr_result r;

	run(&p, NULL, 12, &r);
	ck_assert_uint_eq(r.same_arm[0 * 8 + 1], 0);
	ck_assert_uint_ge(r.n_fixed, 1);
	ck_assert_uint_eq(r.fixed[0].i, 0);
	ck_assert_uint_eq(r.fixed[0].j, 1);
	ck_assert_int_eq(r.fixed[0].together, 0);
	check_pairs(&p, &r);
	sortes_cr_result_free(&r);
	p.x = together;
	run(&p, NULL, 13, &r);
	ck_assert_uint_eq(r.same_arm[0 * 8 + 1], r.kept);
	ck_assert_uint_ge(r.n_fixed, 1);
	ck_assert_uint_eq(r.fixed[0].i, 0);
	ck_assert_uint_eq(r.fixed[0].j, 1);
	ck_assert_int_eq(r.fixed[0].together, 1);
	check_pairs(&p, &r);
	sortes_cr_result_free(&r);
}
END_TEST

/* ---- sampling -------------------------------------------------------- */

/* The documented sample: per draw, a partial Fisher-Yates of 0..n-1
 * from the identity, j = i + bounded(n - i), first m to arm A. */
static uint64_t
sample_one(size_t n, size_t m, struct sortes_pcg32 *rng)
{
	size_t perm[64], i, j, t;
	uint64_t mask = 0;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = 0; i < m; i++) {
		j = i + sortes_pcg32_bounded(rng, (uint32_t)(n - i));
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
		mask |= UINT64_C(1) << perm[i];
	}
	return mask;
}

START_TEST(test_sampled)
{
	int64_t x[10 * 2] = { 0 }, w[2] = { 1, 2 };
	struct sortes_cr_problem p = problem(10, 4, 2, x, w, 1, 1500);
	struct sortes_cr_limits lim;
	struct sortes_cr_result r;
	struct sortes_error err;
	struct sortes_pcg32 rng;
	struct visit *v = calloc(1, sizeof(*v));
	static uint64_t masks[3000];
	static double scores[3000], sorted[3000];
	uint64_t i, rank, kept = 0, draw, seen = 0;

	ck_assert_ptr_nonnull(v);
	fill_x(x, 10, 2, 101);
	memset(&lim, 0, sizeof(lim));
	lim.force_sample = 1;
	lim.samples = 3000;
	sortes_pcg32_seed(&rng, 606, 54);
	for (i = 0; i < 3000; i++) {
		masks[i] = sample_one(10, 4, &rng);
		scores[i] = sorted[i] = sortes_cr_score(&p, masks[i]);
	}
	qsort(sorted, 3000, sizeof(double), cmp_double);
	rank = ceil_frac(3000, 1500, 10000);
	for (i = 0; i < 3000; i++)
		kept += sorted[i] <= sorted[rank - 1];
	draw = sortes_cr_bounded64(&rng, kept);

	/* foreach visits the same sample, in draw order. */
	memset(v, 0, sizeof(*v));
	v->ordered = v->bitexact = 1;
	v->p = &p;
	sortes_pcg32_seed(&rng, 606, 54);
	ck_assert_int_eq(sortes_cr_foreach(&p, &lim, &rng, visit_fn, v, &err),
	    0);
	ck_assert_uint_eq(v->count, 3000);
	ck_assert(v->bitexact);
	ck_assert(memcmp(v->masks, masks, sizeof(masks)) == 0);

	run(&p, &lim, 606, &r);
	ck_assert_int_eq(r.exact, 0);
	ck_assert_uint_eq(r.space, 3000);
	ck_assert_uint_eq(r.combinations, 210);
	ck_assert(r.cutoff == sorted[rank - 1]);
	ck_assert_uint_eq(r.kept, kept);
	ck_assert_uint_eq(r.chosen_draw, draw);
	for (i = 0; i < 3000; i++)
		if (scores[i] <= r.cutoff && seen++ == draw)
			break;
	ck_assert_uint_eq(r.chosen_index, i);
	ck_assert_uint_eq(r.chosen, masks[i]);
	ck_assert(r.q20 == sorted[599]);
	ck_assert(r.q30 == sorted[899]);
	ck_assert(r.q50 == sorted[1499]);
	sortes_cr_result_free(&r);

	/* No stream, no sample. */
	ck_assert_int_eq(sortes_cr_foreach(&p, &lim, NULL, visit_fn, v, &err),
	    SORTES_EUSAGE);
	free(v);
}
END_TEST

/* ---- bad input ------------------------------------------------------- */

static int
run_bad(const struct sortes_cr_problem *p, const char *expect)
{
	struct sortes_cr_result r;
	struct sortes_error err;
	struct sortes_pcg32 rng;
	int rc;

	sortes_error_clear(&err);
	sortes_pcg32_seed(&rng, 1, 1);
	memset(&r, 0xff, sizeof(r));
	rc = sortes_cr_run(p, &rng, &r, &err);
	ck_assert_int_ne(rc, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, expect));
	ck_assert_ptr_null(r.same_arm);		/* zeroed */
	ck_assert_ptr_null(r.col_sd);
	sortes_cr_result_free(&r);
	return rc;
}

START_TEST(test_bad_input)
{
	int64_t x[65 * 2], w[2] = { 1, 1 }, w0[2] = { 1, 0 };
	struct sortes_cr_problem p;
	struct sortes_cr_result r;
	struct sortes_error err;
	struct sortes_pcg32 rng;

	fill_x(x, 65, 2, 111);
	p = problem(1, 1, 2, x, w, 2, 1000);
	ck_assert_int_eq(run_bad(&p, "clusters"), SORTES_EUSAGE);
	p.n = 65;
	ck_assert_int_eq(run_bad(&p, "clusters"), SORTES_EUSAGE);
	p = problem(10, 0, 2, x, w, 2, 1000);
	ck_assert_int_eq(run_bad(&p, "arm A"), SORTES_EUSAGE);
	p.m = 10;
	ck_assert_int_eq(run_bad(&p, "arm A"), SORTES_EUSAGE);
	p = problem(10, 5, 0, x, w, 2, 1000);
	ck_assert_int_eq(run_bad(&p, "columns"), SORTES_EUSAGE);
	p = problem(10, 5, 2, x, w, 3, 1000);
	ck_assert_int_eq(run_bad(&p, "metric"), SORTES_EUSAGE);
	p = problem(10, 5, 2, x, w, 2, 0);
	ck_assert_int_eq(run_bad(&p, "per 10,000"), SORTES_EUSAGE);
	p.keep_per10k = 10001;
	ck_assert_int_eq(run_bad(&p, "per 10,000"), SORTES_EUSAGE);
	p = problem(10, 5, 2, x, w0, 2, 1000);
	ck_assert_int_eq(run_bad(&p, "weight of column 1"), SORTES_EUSAGE);
	p = problem(10, 5, 2, NULL, w, 2, 1000);
	ck_assert_int_eq(run_bad(&p, "missing"), SORTES_EUSAGE);
	p = problem(10, 5, 2, x, w, 2, 1000);
	x[7] = INT64_C(2147483649);
	ck_assert_int_eq(run_bad(&p, "column 1 of cluster 3"), SORTES_EDATA);
	ck_assert(isnan(sortes_cr_score(&p, 0x1f)));
	x[7] = 5;
	ck_assert_int_eq(run_bad(NULL, "no problem"), SORTES_EUSAGE);
	sortes_pcg32_seed(&rng, 1, 1);
	ck_assert_int_eq(sortes_cr_run(&p, NULL, &r, &err), SORTES_EUSAGE);
	ck_assert_int_eq(sortes_cr_run(&p, &rng, NULL, &err), SORTES_EUSAGE);
	sortes_cr_result_free(NULL);
}
END_TEST

Suite *
suite_constrained(void)
{
	Suite *s = suite_create("constrained");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_space_size);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_combinations_sampled);
	tcase_add_test(tc, test_edges);
	tcase_add_test(tc, test_bitexact);
	tcase_add_test(tc, test_score_formula);
	tcase_add_test(tc, test_l1_vs_l2);
	tcase_add_test(tc, test_weights);
	tcase_add_test(tc, test_worked_example);
	tcase_add_test(tc, test_cvcrand_relation);
	tcase_add_test(tc, test_constant_columns);
	tcase_add_test(tc, test_cutoff_quantiles);
	tcase_add_test(tc, test_refinement);
	tcase_add_test(tc, test_ties);
	tcase_add_test(tc, test_determinism);
	tcase_add_test(tc, test_uniform);
	tcase_add_test(tc, test_bounded64);
	tcase_add_test(tc, test_pairs);
	tcase_add_test(tc, test_fixed_pairs);
	tcase_add_test(tc, test_sampled);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
