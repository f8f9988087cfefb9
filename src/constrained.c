/*
 * constrained.c - covariate-constrained randomization of clusters into
 * two arms (docs/constrained.md is the specification).
 *
 * The space (all C(n, m) masks in increasing order, or a sample drawn
 * with the stream) is walked several times, in chunks of scores; no
 * pass stores the scores of the whole space:
 *
 *   1. selection passes locate the scores at the cutoff rank and at
 *      the quantile ranks exactly: a histogram over an interval
 *      (initially [0, an upper bound of every score]) narrows it to one
 *      bin, with the bin's true minimum and maximum, until the interval
 *      holds one distinct value or few enough scores to be collected
 *      and sorted; the first pass also takes min, max, mean and sd;
 *   2. a walk to the r-th kept allocation in enumeration order;
 *   3. pair co-assignment counts over the kept allocations, and the
 *      rank of the chosen one.
 *
 * Scores are IEEE 754 double precision, computed in one fixed order
 * from exact int64 arm sums, so that every machine gets the same bits;
 * contraction of a * b + c into a fused multiply-add would change them
 * and is switched off here (clang honours the standard pragma; GCC
 * ignores it and needs its own).
 */
#if defined(__clang__) || !defined(__GNUC__)
#pragma STDC FP_CONTRACT OFF
#else
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma STDC FP_CONTRACT OFF
#pragma GCC diagnostic pop
#pragma GCC optimize("fp-contract=off")
#endif

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/constrained.h"

#if FLT_EVAL_METHOD != 0
#error "scores must be evaluated in plain double (on x86, use -msse2 -mfpmath=sse)"
#endif

#define CR_BINS_DEFAULT ((size_t)1 << 16)
#define CR_COLLECT_DEFAULT ((size_t)1 << 20)
#define CR_BINS_MAX ((size_t)1 << 24)
#define CR_COLLECT_MAX ((size_t)1 << 27)
#define CR_SAMPLES_MAX (UINT64_C(1) << 32)
#define CR_ENUM_LIMIT_MAX (UINT64_C(1) << 40)
#define CR_NQUANTILES 8
#define CR_NTARGETS (1 + CR_NQUANTILES)	/* the cutoff and the quantiles */

static const unsigned cr_quantile_pct[CR_NQUANTILES] = { 5, 10, 20, 25, 30,
    50, 75, 95 };

/* ---- bits ---------------------------------------------------------- */

static unsigned
cr_ctz(uint64_t v)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(v);
#else
	unsigned c = 0;

	while ((v & 1) == 0) {
		v >>= 1;
		c++;
	}
	return c;
#endif
}

static unsigned
cr_popcount(uint64_t v)
{
#if defined(__GNUC__) && (defined(__POPCNT__) || \
    !(defined(__x86_64__) || defined(__i386__)))
	return (unsigned)__builtin_popcountll(v);
#else
	v = v - ((v >> 1) & UINT64_C(0x5555555555555555));
	v = (v & UINT64_C(0x3333333333333333)) +
	    ((v >> 2) & UINT64_C(0x3333333333333333));
	v = (v + (v >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((v * UINT64_C(0x0101010101010101)) >> 56);
#endif
}

/* C(n, m) for n <= 64: exact, Pascal's triangle (C(64, 32) < 2^63). */
static uint64_t
cr_binomial(size_t n, size_t m)
{
	uint64_t row[SORTES_CR_N_MAX + 1];
	size_t i, j;

	memset(row, 0, sizeof(row));
	row[0] = 1;
	for (i = 1; i <= n; i++)
		for (j = i; j > 0; j--)
			row[j] += row[j - 1];
	return row[m];
}

/* ceil(v * num / den) without overflow for num, den <= 10^4. */
static uint64_t
cr_ceil_frac(uint64_t v, uint64_t num, uint64_t den)
{
	uint64_t q = v / den, r = v % den;

	return q * num + (r * num + den - 1) / den;
}

uint64_t
sortes_cr_bounded64(struct sortes_pcg32 *rng, uint64_t bound)
{
	uint64_t threshold = (~bound + 1) % bound, r;

	for (;;) {
		r = (uint64_t)sortes_pcg32_next(rng) << 32;
		r |= sortes_pcg32_next(rng);
		if (r >= threshold)
			return r % bound;
	}
}

/* ---- validation and the score -------------------------------------- */

static int
cr_check(const struct sortes_cr_problem *p, struct sortes_error *err)
{
	size_t i;

	if (p == NULL)
		return sortes_error_set(err, SORTES_EUSAGE, "no problem given");
	if (p->n < SORTES_CR_N_MIN || p->n > SORTES_CR_N_MAX)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "%zu clusters: between %d and %d are supported", p->n,
		    SORTES_CR_N_MIN, SORTES_CR_N_MAX);
	if (p->m < 1 || p->m >= p->n)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "arm A size %zu: must be 1 to %zu", p->m, p->n - 1);
	if (p->k < 1 || p->k > SORTES_CR_K_MAX)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "%zu covariate columns: 1 to %d are supported", p->k,
		    SORTES_CR_K_MAX);
	if (p->x == NULL || p->w == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "covariates or weights missing");
	if (p->metric != SORTES_CR_L1 && p->metric != SORTES_CR_L2)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "metric %d: must be 1 (l1) or 2 (l2)", p->metric);
	if (p->keep_per10k < 1 || p->keep_per10k > 10000)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "kept fraction %d per 10,000: must be 1 to 10000",
		    p->keep_per10k);
	for (i = 0; i < p->k; i++)
		if (p->w[i] < 1 || p->w[i] > SORTES_CR_W_MAX)
			return sortes_error_set(err, SORTES_EUSAGE,
			    "weight of column %zu is %lld: must be 1 to 2^31",
			    i, (long long)p->w[i]);
	for (i = 0; i < p->n * p->k; i++)
		if (p->x[i] < -SORTES_CR_X_MAX || p->x[i] > SORTES_CR_X_MAX)
			return sortes_error_set(err, SORTES_EDATA,
			    "covariate column %zu of cluster %zu is %lld: "
			    "must be within -2^31..2^31", i % p->k, i / p->k,
			    (long long)p->x[i]);
	return 0;
}

struct cr_column {
	int constant;
	int64_t sum;		/* S = sum of x over all clusters */
	double sd;		/* sample sd */
	double coef;		/* c: score = sum c * f(N) */
};

/*
 * Column j: S = sum x_i; D_i = n x_i - S (exact); Q = sum (double)D_i^2
 * in cluster order; v = Q / (n^2 (n-1)); sd = sqrt(v); with
 * M = m (n-m): l2 c = w / (M^2 v), l1 c = w / (M sd).
 */
static struct cr_column
cr_column(const struct sortes_cr_problem *p, size_t j)
{
	struct cr_column col = { 1, 0, 0.0, 0.0 };
	int64_t n = (int64_t)p->n, mm = (int64_t)(p->m * (p->n - p->m));
	double q = 0.0, v, d;
	size_t i;

	for (i = 0; i < p->n; i++) {
		col.sum += p->x[i * p->k + j];
		if (p->x[i * p->k + j] != p->x[j])
			col.constant = 0;
	}
	if (col.constant)
		return col;
	for (i = 0; i < p->n; i++) {
		d = (double)(n * p->x[i * p->k + j] - col.sum);
		q = q + d * d;
	}
	v = q / (double)(n * n * (n - 1));
	col.sd = sqrt(v);
	if (p->metric == SORTES_CR_L2)
		col.coef = (double)p->w[j] / ((double)(mm * mm) * v);
	else
		col.coef = (double)p->w[j] / ((double)mm * col.sd);
	return col;
}

/* One column's term: l2 c * (t * t), l1 c * |t|, t = (double)N. */
static double
cr_term(int metric, double coef, int64_t big_n)
{
	double t = (double)big_n;

	if (metric == SORTES_CR_L2)
		return coef * (t * t);
	return coef * fabs(t);
}

double
sortes_cr_score(const struct sortes_cr_problem *p, uint64_t mask)
{
	struct cr_column col;
	double s = 0.0;
	int64_t big_n;
	size_t i, j;

	if (cr_check(p, NULL) != 0 || cr_popcount(mask) != p->m ||
	    (p->n < 64 && (mask >> p->n) != 0))
		return NAN;
	for (j = 0; j < p->k; j++) {
		col = cr_column(p, j);
		if (col.constant)
			continue;
		big_n = 0;
		for (i = 0; i < p->n; i++)
			if (mask >> i & 1)
				big_n += (int64_t)p->n * p->x[i * p->k + j] -
				    col.sum;
		s = s + cr_term(p->metric, col.coef, big_n);
	}
	return s;
}

/* ---- the space ------------------------------------------------------ */

struct cr_ctx {
	size_t n, m, k;
	size_t ka;		/* active (non-constant) columns, padded to 4 */
	int metric;
	int64_t *d;		/* n x ka: D_ij, zero in the padding */
	double *coef;		/* ka: c_j, zero in the padding */
	double upper;		/* no score exceeds this */
	double *sd;		/* k */
	unsigned char *constant; /* k */
	size_t n_constant;
	int exact;
	uint64_t combinations, space;
	uint64_t *sample;	/* the sampled masks, or NULL */
	int64_t *step;		/* exact: n x n x ka, the change of the sums */
	size_t bins, collect_max;
	const struct sortes_progress *progress;
};

struct cr_limits {
	uint64_t enum_limit, samples;
	int force_sample;
	size_t bins, collect_max;
};

static void
cr_ctx_free(struct cr_ctx *c)
{
	free(c->d);
	free(c->coef);
	free(c->sd);
	free(c->constant);
	free(c->sample);
	free(c->step);
	memset(c, 0, sizeof(*c));
}

static int
cr_limits(const struct sortes_cr_limits *in, struct cr_limits *out,
    struct sortes_error *err)
{
	out->enum_limit = SORTES_CR_ENUM_LIMIT;
	out->samples = SORTES_CR_SAMPLES;
	out->force_sample = 0;
	out->bins = CR_BINS_DEFAULT;
	out->collect_max = CR_COLLECT_DEFAULT;
	if (in == NULL)
		return 0;
	if (in->enum_limit > CR_ENUM_LIMIT_MAX || in->samples > CR_SAMPLES_MAX
	    || in->bins == 1 || in->bins > CR_BINS_MAX ||
	    in->collect_max > CR_COLLECT_MAX)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "limits out of range");
	if (in->enum_limit != 0)
		out->enum_limit = in->enum_limit;
	if (in->samples != 0)
		out->samples = in->samples;
	if (in->bins != 0)
		out->bins = in->bins;
	if (in->collect_max != 0)
		out->collect_max = in->collect_max;
	out->force_sample = in->force_sample != 0;
	return 0;
}

static int
cr_cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/*
 * An upper bound of every score: each |N_j| is at most the larger of
 * the sum of the m largest D_ij and minus the sum of the m smallest;
 * a term grows with |N_j| and a sum with its terms, in floating point
 * too, so the score of those bounds bounds every score.
 */
static void
cr_ctx_upper(struct cr_ctx *c)
{
	int64_t col[SORTES_CR_N_MAX], top, bottom;
	size_t i, j;

	c->upper = 0.0;
	for (j = 0; j < c->ka; j++) {
		for (i = 0; i < c->n; i++)
			col[i] = c->d[i * c->ka + j];
		qsort(col, c->n, sizeof(col[0]), cr_cmp_int64);
		top = bottom = 0;
		for (i = 0; i < c->m; i++) {
			bottom += col[i];
			top += col[c->n - 1 - i];
		}
		c->upper = c->upper + cr_term(c->metric, c->coef[j],
		    top > -bottom ? top : -bottom);
	}
}

static int
cr_ctx_columns(struct cr_ctx *c, const struct sortes_cr_problem *p,
    struct sortes_error *err)
{
	struct cr_column col;
	size_t i, j, a = 0, active = 0;

	c->sd = calloc(p->k, sizeof(*c->sd));
	c->constant = calloc(p->k, 1);
	if (c->sd == NULL || c->constant == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (j = 0; j < p->k; j++)
		active += !cr_column(p, j).constant;
	if (active == 0)
		return sortes_error_set(err, SORTES_EDATA,
		    "every covariate column is constant over the %zu "
		    "clusters: there is nothing to balance", p->n);
	c->ka = (active + 3) / 4 * 4;
	c->d = calloc(p->n * c->ka, sizeof(*c->d));
	c->coef = calloc(c->ka, sizeof(*c->coef));
	if (c->d == NULL || c->coef == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (j = 0; j < p->k; j++) {
		col = cr_column(p, j);
		c->constant[j] = (unsigned char)col.constant;
		c->sd[j] = col.sd;
		if (col.constant) {
			c->n_constant++;
			continue;
		}
		c->coef[a] = col.coef;
		for (i = 0; i < p->n; i++)
			c->d[i * c->ka + a] = (int64_t)p->n *
			    p->x[i * p->k + j] - col.sum;
		a++;
	}
	cr_ctx_upper(c);
	return 0;
}

/* Partial Fisher-Yates of 0..n-1 from the identity, first m to arm A. */
static uint64_t
cr_sample_one(size_t n, size_t m, struct sortes_pcg32 *rng)
{
	unsigned char perm[SORTES_CR_N_MAX], t;
	uint64_t mask = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		perm[i] = (unsigned char)i;
	for (i = 0; i < m; i++) {
		j = i + sortes_pcg32_bounded(rng, (uint32_t)(n - i));
		t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
		mask |= UINT64_C(1) << perm[i];
	}
	return mask;
}

/*
 * In increasing order, the mask after x (not the last) is found from
 * the lowest run of ones, L bits from bit p: its top bit moves up one
 * place and the other L - 1 move down to bits 0..L-2.  With prefix
 * sums P_i = sum of D rows below i, the sums change by
 *	step(p, L) = D_{p+L} - D_{p+L-1} + P_{L-1} - (P_{p+L-1} - P_p),
 * one table row however many clusters move.
 */
static int
cr_ctx_steps(struct cr_ctx *c, struct sortes_error *err)
{
	const size_t n = c->n, ka = c->ka;
	int64_t *pre, *st;
	size_t p, len, j;

	pre = calloc((n + 1) * ka, sizeof(*pre));
	c->step = calloc(n * n * ka, sizeof(*c->step));
	if (pre == NULL || c->step == NULL) {
		free(pre);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	for (p = 0; p < n; p++)
		for (j = 0; j < ka; j++)
			pre[(p + 1) * ka + j] = pre[p * ka + j] + c->d[p * ka + j];
	for (p = 0; p < n; p++)
		for (len = 1; p + len < n; len++) {
			st = c->step + (p * n + len) * ka;
			for (j = 0; j < ka; j++)
				st[j] = c->d[(p + len) * ka + j] -
				    c->d[(p + len - 1) * ka + j] +
				    pre[(len - 1) * ka + j] -
				    (pre[(p + len - 1) * ka + j] -
				    pre[p * ka + j]);
		}
	free(pre);
	return 0;
}

/* Move x to the next mask in increasing order; its step row. */
static const int64_t *
cr_step(const struct cr_ctx *c, uint64_t *x)
{
	unsigned p = cr_ctz(*x), len = cr_ctz(~(*x >> p));

	*x = (*x + (UINT64_C(1) << p)) | ((UINT64_C(1) << (len - 1)) - 1);
	return c->step + ((size_t)p * c->n + len) * c->ka;
}

static int
cr_ctx_space(struct cr_ctx *c, const struct cr_limits *lim,
    struct sortes_pcg32 *rng, struct sortes_error *err)
{
	uint64_t s;

	c->combinations = cr_binomial(c->n, c->m);
	c->exact = !lim->force_sample && c->combinations <= lim->enum_limit;
	if (c->exact) {
		c->space = c->combinations;
		return cr_ctx_steps(c, err);
	}
	if (rng == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sampling the space needs a random stream");
	c->space = lim->samples;
	c->sample = malloc((size_t)c->space * sizeof(*c->sample));
	if (c->sample == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (s = 0; s < c->space; s++)
		c->sample[s] = cr_sample_one(c->n, c->m, rng);
	return 0;
}

static int
cr_ctx_init(struct cr_ctx *c, const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *l, struct sortes_pcg32 *rng,
    struct sortes_error *err)
{
	struct cr_limits lim;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = cr_check(p, err)) != 0 || (rc = cr_limits(l, &lim, err)) != 0)
		return rc;
	c->n = p->n;
	c->m = p->m;
	c->k = p->k;
	c->metric = p->metric;
	c->bins = lim.bins;
	c->collect_max = lim.collect_max;
	c->progress = l != NULL ? l->progress : NULL;
	if ((rc = cr_ctx_columns(c, p, err)) != 0 ||
	    (rc = cr_ctx_space(c, &lim, rng, err)) != 0)
		cr_ctx_free(c);
	return rc;
}

/*
 * The walk produces the space in chunks of scores and masks.  It keeps
 * the current mask and its exact sums N_j = sum over arm A of D_ij,
 * updated by the clusters that change arm (one row of D added or
 * subtracted per cluster moved).
 */
#define CR_CHUNK 1024

struct cr_walk {
	const struct cr_ctx *c;
	uint64_t index;		/* of the current allocation */
	uint64_t mask;		/* the current allocation */
	int64_t big_n[SORTES_CR_K_MAX + 3];
	uint64_t base;		/* index of chunk entry 0 */
	size_t len;		/* entries in the chunk */
	int walks;		/* started so far, for the progress line */
	char unit[32];
	double score[CR_CHUNK];
	uint64_t masks[CR_CHUNK];
};

static void
cr_add_rows(int64_t *restrict big_n, const int64_t *restrict d, size_t ka,
    uint64_t in, uint64_t out)
{
	const int64_t *row;
	size_t j;

	for (; in != 0; in &= in - 1) {
		row = d + cr_ctz(in) * ka;
		for (j = 0; j < ka; j++)
			big_n[j] += row[j];
	}
	for (; out != 0; out &= out - 1) {
		row = d + cr_ctz(out) * ka;
		for (j = 0; j < ka; j++)
			big_n[j] -= row[j];
	}
}

static void
cr_walk_start(struct cr_walk *w, const struct cr_ctx *c)
{
	w->c = c;
	w->index = 0;
	w->mask = c->exact ? (UINT64_C(1) << c->m) - 1 : c->sample[0];
	memset(w->big_n, 0, sizeof(w->big_n));
	cr_add_rows(w->big_n, c->d, c->ka, w->mask, 0);
	w->base = 0;
	w->len = 0;
	snprintf(w->unit, sizeof(w->unit), "allocations, walk %d", ++w->walks);
}

/* Move to the allocation after the current one (index + 1 < space). */
static void
cr_walk_advance(struct cr_walk *w)
{
	const struct cr_ctx *c = w->c;
	const int64_t *st;
	uint64_t nxt;
	size_t j;

	if (c->exact) {
		st = cr_step(c, &w->mask);
		for (j = 0; j < c->ka; j++)
			w->big_n[j] += st[j];
	} else {
		nxt = c->sample[w->index + 1];
		cr_add_rows(w->big_n, c->d, c->ka, nxt & ~w->mask,
		    w->mask & ~nxt);
		w->mask = nxt;
	}
	w->index++;
}

/*
 * The score of an allocation from its sums, in column order:
 * s = 0; s = s + c_j * (t_j * t_j) (l2) or s = s + c_j * |t_j| (l1),
 * t_j = (double)N_j.  Padding columns add +0, which changes nothing.
 */
static double
cr_score_sums(const struct cr_ctx *c, const int64_t *big_n)
{
	double s = 0.0;
	size_t j;

	for (j = 0; j < c->ka; j++)
		s = s + cr_term(c->metric, c->coef[j], big_n[j]);
	return s;
}

/* Any number of columns. */
static void
cr_chunk_any(struct cr_walk *w, size_t want)
{
	const struct cr_ctx *c = w->c;
	size_t t;

	for (t = 0; t < want; t++) {
		w->masks[t] = w->mask;
		w->score[t] = cr_score_sums(c, w->big_n);
		if (w->index + 1 == c->space)
			break;
		cr_walk_advance(w);
	}
}

/*
 * The enumeration with KA = 4 or 8 columns (padded), sums and
 * coefficients in local arrays that the compiler keeps in registers:
 * the same operations in the same order as cr_score_sums() and
 * cr_walk_advance().
 */
#define CR_CHUNK_FIXED(name, KA)					\
static void								\
name(struct cr_walk *w, size_t want)					\
{									\
	const struct cr_ctx *c = w->c;					\
	const int l2 = c->metric == SORTES_CR_L2;			\
	uint64_t x = w->mask, last = c->space - 1 - w->index;		\
	int64_t nn[KA];							\
	double cf[KA], s, tj;						\
	const int64_t *st;						\
	size_t t, j;							\
									\
	for (j = 0; j < KA; j++) {					\
		nn[j] = w->big_n[j];					\
		cf[j] = c->coef[j];					\
	}								\
	for (t = 0; t < want; t++) {					\
		s = 0.0;						\
		if (l2) {						\
			for (j = 0; j < KA; j++) {			\
				tj = (double)nn[j];			\
				s = s + cf[j] * (tj * tj);		\
			}						\
		} else {						\
			for (j = 0; j < KA; j++) {			\
				tj = (double)nn[j];			\
				s = s + cf[j] * fabs(tj);		\
			}						\
		}							\
		w->masks[t] = x;					\
		w->score[t] = s;					\
		if (t == last)						\
			break;						\
		st = cr_step(c, &x);					\
		for (j = 0; j < KA; j++)				\
			nn[j] += st[j];					\
	}								\
	w->index += t < want ? t : want;				\
	w->mask = x;							\
	for (j = 0; j < KA; j++)					\
		w->big_n[j] = nn[j];					\
}

CR_CHUNK_FIXED(cr_chunk4, 4)
CR_CHUNK_FIXED(cr_chunk8, 8)

/* The next chunk of the space; 0 at the end. */
static size_t
cr_walk_chunk(struct cr_walk *w)
{
	uint64_t left;

	w->base += w->len;
	left = w->c->space - w->base;
	w->len = left < CR_CHUNK ? (size_t)left : CR_CHUNK;
	if (w->len == 0)
		return 0;
	sortes_progress_report(w->c->progress, w->unit,
	    (int64_t)(w->base + w->len), (int64_t)w->c->space);
	if (w->c->exact && w->c->ka == 4)
		cr_chunk4(w, w->len);
	else if (w->c->exact && w->c->ka == 8)
		cr_chunk8(w, w->len);
	else
		cr_chunk_any(w, w->len);
	return w->len;
}

int
sortes_cr_foreach(const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *lim, struct sortes_pcg32 *rng,
    int (*fn)(void *arg, uint64_t index, uint64_t mask, double score),
    void *arg, struct sortes_error *err)
{
	struct cr_ctx c;
	struct cr_walk *w;
	size_t t;
	int rc = 0;

	if (fn == NULL)
		return sortes_error_set(err, SORTES_EUSAGE, "no visitor given");
	if ((rc = cr_ctx_init(&c, p, lim, rng, err)) != 0)
		return rc;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
		goto done;
	}
	cr_walk_start(w, &c);
	while (rc == 0 && cr_walk_chunk(w) > 0)
		for (t = 0; rc == 0 && t < w->len; t++)
			rc = fn(arg, w->base + t, w->masks[t], w->score[t]);
done:
	free(w);
	cr_ctx_free(&c);
	return rc;
}

/* ---- sums ----------------------------------------------------------- */

/* A sum of the plain sums of the walk's chunks (CR_CHUNK values, in
 * order), the chunk sums added with Neumaier's compensation: accurate
 * and in a fixed order. */
struct cr_sum {
	double total, comp;
};

static void
cr_sum_add(struct cr_sum *s, double v)
{
	double t = s->total + v;

	if (fabs(s->total) >= fabs(v))
		s->comp = s->comp + ((s->total - t) + v);
	else
		s->comp = s->comp + ((v - t) + s->total);
	s->total = t;
}

static double
cr_sum_value(const struct cr_sum *s)
{
	return s->total + s->comp;
}

/*
 * Min, max, mean and population sd in one pass: the mean is sum s / N;
 * with K the score of the first allocation, the variance is
 * (sum (s-K)^2 - (sum (s-K))^2 / N) / N (0 if that rounds below 0).
 */
struct cr_moments {
	struct cr_sum sum, dsum, dsq;
	double shift, lo, hi;
};

static void
cr_moments_chunk(struct cr_moments *mo, const struct cr_walk *w)
{
	double s, d, shift, lo = mo->lo, hi = mo->hi;
	double sum = 0.0, dsum = 0.0, dsq = 0.0;
	size_t t;

	if (w->base == 0)
		mo->shift = w->score[0];
	shift = mo->shift;
	for (t = 0; t < w->len; t++) {
		s = w->score[t];
		d = s - shift;
		lo = s < lo ? s : lo;
		hi = s > hi ? s : hi;
		sum = sum + s;
		dsum = dsum + d;
		dsq = dsq + d * d;
	}
	mo->lo = lo;
	mo->hi = hi;
	cr_sum_add(&mo->sum, sum);
	cr_sum_add(&mo->dsum, dsum);
	cr_sum_add(&mo->dsq, dsq);
}

static void
cr_moments_report(struct cr_moments *mo, uint64_t space,
    struct sortes_cr_result *out)
{
	double nn = (double)space, d = cr_sum_value(&mo->dsum), v;

	v = (cr_sum_value(&mo->dsq) - d * d / nn) / nn;
	out->min = mo->lo;
	out->max = mo->hi;
	out->mean = cr_sum_value(&mo->sum) / nn;
	out->sd = v > 0.0 ? sqrt(v) : 0.0;
}

/* ---- the scores at given ranks --------------------------------------- */

struct cr_target {
	uint64_t rank;		/* 1-based, ascending */
	int done;
	double value;		/* the score at 'rank', once done */
	uint64_t at_most;	/* scores <= value, once done */
	double lo, hi;		/* the score lies in [lo, hi] */
	uint64_t below;		/* scores < lo */
	uint64_t inside;	/* scores in [lo, hi] */
};

/* A histogram bin: how many scores, and the least and greatest. */
struct cr_bin {
	uint64_t count;
	double min, max;
};

/* Targets with the same interval share a group; the intervals of
 * different groups are disjoint. */
struct cr_group {
	double lo, hi, scale;
	int collect;
	int divide;		/* scale overflowed: divide by the width */
	struct cr_bin *bin;	/* histogram mode */
	double *vals;		/* collect mode */
	size_t nvals;
};

#define CR_GROUPS_MAX 16	/* > CR_NTARGETS, a power of 2 */

struct cr_select {
	struct cr_target t[CR_NTARGETS];
	struct cr_group g[CR_GROUPS_MAX];
	size_t ng;		/* in increasing order of their intervals */
	double glo[CR_GROUPS_MAX]; /* -inf, g[i].lo, then +inf */
	double *pool;		/* collect_max scores */
	struct cr_bin *bins;	/* CR_NTARGETS x bins */
};

static void
cr_select_free(struct cr_select *sel)
{
	free(sel->pool);
	free(sel->bins);
}

/* The pool holds at most the space; histograms only when needed. */
static int
cr_select_alloc(struct cr_select *sel, const struct cr_ctx *c,
    struct sortes_error *err)
{
	size_t pool = c->collect_max;

	if (c->space < pool)
		pool = (size_t)c->space;
	sel->pool = malloc(pool * sizeof(*sel->pool));
	if (c->space > pool)
		sel->bins = malloc(CR_NTARGETS * c->bins * sizeof(*sel->bins));
	if (sel->pool == NULL || (c->space > pool && sel->bins == NULL))
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return 0;
}

static void
cr_group_init(struct cr_select *sel, const struct cr_ctx *c,
    struct cr_group *gr, size_t *pool_used, uint64_t inside)
{
	size_t b;

	if (inside <= c->collect_max - *pool_used) {
		gr->collect = 1;
		gr->vals = sel->pool + *pool_used;
		*pool_used += (size_t)inside;
		return;
	}
	gr->bin = sel->bins + (size_t)(gr - sel->g) * c->bins;
	for (b = 0; b < c->bins; b++) {
		gr->bin[b].count = 0;
		gr->bin[b].min = HUGE_VAL;
		gr->bin[b].max = -HUGE_VAL;
	}
	gr->scale = (double)c->bins / (gr->hi - gr->lo);
	gr->divide = !(gr->scale <= DBL_MAX);
}

/* Add target t's interval as a group, keeping the groups in order. */
static struct cr_group *
cr_select_group(struct cr_select *sel, const struct cr_target *t)
{
	size_t g;

	for (g = 0; g < sel->ng && sel->g[g].lo < t->lo; g++)
		;
	if (g < sel->ng && sel->g[g].lo == t->lo)
		return NULL;			/* there already */
	memmove(&sel->g[g + 1], &sel->g[g], (sel->ng - g) * sizeof(sel->g[0]));
	memset(&sel->g[g], 0, sizeof(sel->g[g]));
	sel->g[g].lo = t->lo;
	sel->g[g].hi = t->hi;
	sel->g[g].nvals = (size_t)t->inside;	/* until planned */
	sel->ng++;
	return &sel->g[g];
}

/* Group the unfinished targets by interval; choose each group's mode:
 * collect its scores if they fit in the pool, else a histogram. */
static void
cr_select_plan(struct cr_select *sel, const struct cr_ctx *c)
{
	size_t i, g, pool_used = 0;
	uint64_t inside;

	sel->ng = 0;
	for (i = 0; i < CR_NTARGETS; i++)
		if (!sel->t[i].done)
			(void)cr_select_group(sel, &sel->t[i]);
	for (g = 0; g < sel->ng; g++) {
		inside = sel->g[g].nvals;
		sel->g[g].nvals = 0;
		cr_group_init(sel, c, &sel->g[g], &pool_used, inside);
		sel->glo[g + 1] = sel->g[g].lo;
	}
	sel->glo[0] = -HUGE_VAL;		/* below every score */
	for (g = sel->ng + 1; g < CR_GROUPS_MAX; g++)
		sel->glo[g] = HUGE_VAL;		/* above every score */
}

/*
 * The bin of s: floor((s - lo) * bins / (hi - lo)), the last bin
 * taking s = hi.  Monotone in s, so a rank's bin is found by counting.
 */
static void
cr_group_add(struct cr_group *gr, size_t bins, double s)
{
	struct cr_bin *bin;
	double u;

	if (gr->collect) {
		gr->vals[gr->nvals++] = s;
		return;
	}
	if (gr->divide)
		u = (s - gr->lo) / (gr->hi - gr->lo) * (double)bins;
	else
		u = (s - gr->lo) * gr->scale;
	bin = gr->bin + (u >= (double)bins ? bins - 1 : (size_t)(int64_t)u);
	bin->count++;
	bin->min = s < bin->min ? s : bin->min;
	bin->max = s > bin->max ? s : bin->max;
}

/* Each score to the group whose interval holds it, if any: the last
 * group starting at or below it (a binary search without branches over
 * glo, which starts with -inf), if the score is not above its end. */
static void
cr_select_chunk(struct cr_select *sel, const struct cr_ctx *c,
    const struct cr_walk *w)
{
	const double *glo = sel->glo;
	size_t t, at;
	double s;

	for (t = 0; t < w->len; t++) {
		s = w->score[t];
		at = (size_t)(s >= glo[8]) << 3;
		at += (size_t)(s >= glo[at + 4]) << 2;
		at += (size_t)(s >= glo[at + 2]) << 1;
		at += (size_t)(s >= glo[at + 1]);
		if (at != 0 && s <= sel->g[at - 1].hi)
			cr_group_add(&sel->g[at - 1], c->bins, s);
	}
}

static void
cr_select_pass(struct cr_select *sel, const struct cr_ctx *c,
    struct cr_walk *w, struct cr_moments *mo)
{
	cr_walk_start(w, c);
	while (cr_walk_chunk(w) > 0) {
		if (mo != NULL)
			cr_moments_chunk(mo, w);
		cr_select_chunk(sel, c, w);
	}
}

static int
cr_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
cr_target_collected(struct cr_target *t, const struct cr_group *gr)
{
	size_t at = (size_t)(t->rank - t->below - 1), le = at + 1;

	t->value = gr->vals[at];
	while (le < gr->nvals && gr->vals[le] == t->value)
		le++;
	t->at_most = t->below + le;
	t->done = 1;
}

/* The target's bin becomes its interval, bounded by the bin's true
 * minimum and maximum; one distinct value there settles it. */
static void
cr_target_binned(struct cr_target *t, const struct cr_group *gr)
{
	uint64_t need = t->rank - t->below;
	size_t b;

	for (b = 0; need > gr->bin[b].count; b++) {
		need -= gr->bin[b].count;
		t->below += gr->bin[b].count;
	}
	t->lo = gr->bin[b].min;
	t->hi = gr->bin[b].max;
	t->inside = gr->bin[b].count;
	if (t->lo == t->hi) {
		t->value = t->lo;
		t->at_most = t->below + t->inside;
		t->done = 1;
	}
}

static void
cr_select_settle(struct cr_select *sel)
{
	struct cr_group *gr;
	struct cr_target *t;
	size_t i, g;

	for (g = 0; g < sel->ng; g++)
		if (sel->g[g].collect)
			qsort(sel->g[g].vals, sel->g[g].nvals, sizeof(double),
			    cr_cmp_double);
	for (i = 0; i < CR_NTARGETS; i++) {
		t = &sel->t[i];
		for (g = 0; !t->done && g < sel->ng; g++) {
			gr = &sel->g[g];
			if (gr->lo != t->lo || gr->hi != t->hi)
				continue;
			if (gr->collect)
				cr_target_collected(t, gr);
			else
				cr_target_binned(t, gr);
			break;
		}
	}
}

static int
cr_select_unfinished(const struct cr_select *sel)
{
	size_t i;

	for (i = 0; i < CR_NTARGETS; i++)
		if (!sel->t[i].done)
			return 1;
	return 0;
}

/* The cutoff rank and the quantile ranks, all in [0, upper bound]. */
static void
cr_select_targets(struct cr_select *sel, const struct cr_ctx *c,
    const struct sortes_cr_problem *p)
{
	size_t i;

	memset(sel->t, 0, sizeof(sel->t));
	sel->t[0].rank = cr_ceil_frac(c->space, (uint64_t)p->keep_per10k,
	    10000);
	for (i = 0; i < CR_NQUANTILES; i++)
		sel->t[i + 1].rank = cr_ceil_frac(c->space,
		    cr_quantile_pct[i], 100);
	for (i = 0; i < CR_NTARGETS; i++) {
		sel->t[i].lo = 0.0;
		sel->t[i].hi = c->upper;
		sel->t[i].inside = c->space;
	}
}

/*
 * Passes 1 and after: moments, cutoff, kept and quantiles into 'out'.
 * Each pass narrows every unsettled target's interval; the first also
 * takes the moments.
 */
static int
cr_select_run(const struct cr_ctx *c, struct cr_walk *w,
    const struct sortes_cr_problem *p, struct sortes_cr_result *out,
    struct sortes_error *err)
{
	double *quantile[CR_NQUANTILES] = { &out->q05, &out->q10, &out->q20,
	    &out->q25, &out->q30, &out->q50, &out->q75, &out->q95 };
	struct cr_moments mo;
	struct cr_select sel;
	size_t i;
	int rc, first = 1;

	memset(&sel, 0, sizeof(sel));
	memset(&mo, 0, sizeof(mo));
	mo.lo = HUGE_VAL;
	mo.hi = -HUGE_VAL;
	if ((rc = cr_select_alloc(&sel, c, err)) != 0)
		goto done;
	cr_select_targets(&sel, c, p);
	do {
		cr_select_plan(&sel, c);
		cr_select_pass(&sel, c, w, first ? &mo : NULL);
		cr_select_settle(&sel);
		first = 0;
	} while (cr_select_unfinished(&sel));
	cr_moments_report(&mo, c->space, out);
	out->cutoff_rank = sel.t[0].rank;
	out->cutoff = sel.t[0].value;
	out->kept = sel.t[0].at_most;
	for (i = 0; i < CR_NQUANTILES; i++)
		*quantile[i] = sel.t[i + 1].value;
done:
	cr_select_free(&sel);
	return rc;
}

/* ---- pass 3: the chosen allocation ---------------------------------- */

/* The r-th (0-based) allocation with score <= cutoff, in walk order. */
static void
cr_pass_find(const struct cr_ctx *c, struct cr_walk *w,
    struct sortes_cr_result *out)
{
	uint64_t seen = 0;
	size_t t;

	cr_walk_start(w, c);
	while (cr_walk_chunk(w) > 0) {
		for (t = 0; t < w->len; t++) {
			if (w->score[t] > out->cutoff ||
			    seen++ != out->chosen_draw)
				continue;
			out->chosen = w->masks[t];
			out->chosen_index = w->base + t;
			out->chosen_score = w->score[t];
			return;
		}
	}
}

/* ---- pass 4: pair co-assignment and the chosen rank ----------------- */

/* Kept masks go in batches of 64; the batch is turned into one 64-bit
 * column per cluster, so that a pair costs one AND and one popcount
 * per 64 allocations. */
struct cr_pairs {
	size_t n;
	unsigned fill;
	uint64_t batch[64];
	uint64_t cols[SORTES_CR_N_MAX];
	uint64_t in_a[SORTES_CR_N_MAX];
	uint64_t *both_a;	/* n x n, i < j: kept with i and j in A */
};

static void
cr_pairs_flush(struct cr_pairs *pr)
{
	size_t i, j;
	unsigned t;
	uint64_t m;

	memset(pr->cols, 0, sizeof(pr->cols));
	for (t = 0; t < pr->fill; t++)
		for (m = pr->batch[t]; m != 0; m &= m - 1)
			pr->cols[cr_ctz(m)] |= UINT64_C(1) << t;
	for (i = 0; i < pr->n; i++) {
		pr->in_a[i] += cr_popcount(pr->cols[i]);
		for (j = i + 1; j < pr->n; j++)
			pr->both_a[i * pr->n + j] +=
			    cr_popcount(pr->cols[i] & pr->cols[j]);
	}
	pr->fill = 0;
}

static void
cr_pass_pairs(const struct cr_ctx *c, struct cr_walk *w, struct cr_pairs *pr,
    struct sortes_cr_result *out)
{
	uint64_t lower = 0;
	size_t t;

	cr_walk_start(w, c);
	while (cr_walk_chunk(w) > 0) {
		for (t = 0; t < w->len; t++) {
			lower += w->score[t] < out->chosen_score;
			if (w->score[t] > out->cutoff)
				continue;
			pr->batch[pr->fill++] = w->masks[t];
			if (pr->fill == 64)
				cr_pairs_flush(pr);
		}
	}
	cr_pairs_flush(pr);
	out->chosen_rank = lower + 1;
}

/* same_arm from the counts; the list of pairs never or always split. */
static int
cr_pairs_report(const struct cr_pairs *pr, struct sortes_cr_result *out,
    struct sortes_error *err)
{
	size_t n = pr->n, i, j, f = 0;
	uint64_t kept = out->kept, same;

	for (i = 0; i < n; i++) {
		out->same_arm[i * n + i] = kept;
		for (j = i + 1; j < n; j++) {
			same = kept - pr->in_a[i] - pr->in_a[j] +
			    2 * pr->both_a[i * n + j];
			out->same_arm[i * n + j] = out->same_arm[j * n + i] =
			    same;
			out->n_fixed += same == kept || same == 0;
		}
	}
	if (out->n_fixed == 0)
		return 0;
	out->fixed = calloc(out->n_fixed, sizeof(*out->fixed));
	if (out->fixed == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			same = out->same_arm[i * n + j];
			if (same != kept && same != 0)
				continue;
			out->fixed[f].i = (uint32_t)i;
			out->fixed[f].j = (uint32_t)j;
			out->fixed[f++].together = same == kept;
		}
	return 0;
}

static int
cr_pairs_run(const struct cr_ctx *c, struct cr_walk *w,
    struct sortes_cr_result *out, struct sortes_error *err)
{
	struct cr_pairs *pr;
	int rc;

	pr = calloc(1, sizeof(*pr));
	out->same_arm = calloc(c->n * c->n, sizeof(*out->same_arm));
	if (pr == NULL || out->same_arm == NULL ||
	    (pr->both_a = calloc(c->n * c->n, sizeof(uint64_t))) == NULL) {
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
		goto done;
	}
	pr->n = c->n;
	cr_pass_pairs(c, w, pr, out);
	rc = cr_pairs_report(pr, out, err);
done:
	if (pr != NULL)
		free(pr->both_a);
	free(pr);
	return rc;
}

/* ---- the run -------------------------------------------------------- */

void
sortes_cr_result_free(struct sortes_cr_result *r)
{
	if (r == NULL)
		return;
	free(r->col_sd);
	free(r->col_constant);
	free(r->same_arm);
	free(r->fixed);
	memset(r, 0, sizeof(*r));
}

static void
cr_result_columns(struct cr_ctx *c, struct sortes_cr_result *out)
{
	out->exact = c->exact;
	out->combinations = c->combinations;
	out->space = c->space;
	out->n = c->n;
	out->k = c->k;
	out->col_sd = c->sd;
	out->col_constant = c->constant;
	out->n_constant = c->n_constant;
	c->sd = NULL;			/* now owned by 'out' */
	c->constant = NULL;
}

int
sortes_cr_run_limits(const struct sortes_cr_problem *p,
    const struct sortes_cr_limits *lim, struct sortes_pcg32 *rng,
    struct sortes_cr_result *out, struct sortes_error *err)
{
	struct cr_walk *w = NULL;
	struct cr_ctx c;
	int rc;

	if (out == NULL || rng == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "no result or random stream given");
	memset(out, 0, sizeof(*out));
	if ((rc = cr_ctx_init(&c, p, lim, rng, err)) != 0)
		return rc;
	cr_result_columns(&c, out);
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = cr_select_run(&c, w, p, out, err)) != 0)
		goto done;
	out->chosen_draw = sortes_cr_bounded64(rng, out->kept);
	cr_pass_find(&c, w, out);
	rc = cr_pairs_run(&c, w, out, err);
done:
	free(w);
	cr_ctx_free(&c);
	if (rc != 0)
		sortes_cr_result_free(out);
	return rc;
}

int
sortes_cr_run(const struct sortes_cr_problem *p, struct sortes_pcg32 *rng,
    struct sortes_cr_result *out, struct sortes_error *err)
{
	return sortes_cr_run_limits(p, NULL, rng, out, err);
}
