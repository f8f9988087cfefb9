/*
 * constrained.c - benchmark of covariate-constrained randomization:
 * 30 caseworkers, 15 to the intervention, q = 0.1, exact enumeration
 * of all C(30, 15) = 155,117,520 allocations.
 *
 * Build and run from the top of the source tree:
 *
 *	cc -std=c11 -O2 -D_GNU_SOURCE -Iinclude -o bench-constrained \
 *	    bench/constrained.c src/constrained.c src/pcg32.c src/error.c -lm
 *	./bench-constrained [seed] [office]
 *
 * 'seed' (default 1) seeds both the synthetic caseworkers and the
 * choice.  Without 'office' there are four numeric covariates (caseload
 * 20-60, share of clients on education benefit 0-100 %, years of
 * experience 0-30, share of clients under 25 0-100 %); with it the
 * fourth is replaced by the office as three 0/1 indicator columns.
 *
 * As bench/README.md asks, a floor is measured in the same run: visiting
 * every allocation once (the next mask with the same number of bits
 * and a checksum), the least any exact method has to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sortes/constrained.h"

#define N 30
#define M 15
#define KMAX 6

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t
between(struct sortes_pcg32 *rng, int64_t lo, int64_t hi)
{
	return lo + (int64_t)sortes_pcg32_bounded(rng, (uint32_t)(hi - lo + 1));
}

static size_t
make_caseworkers(int64_t *x, int64_t *w, int office, uint64_t seed)
{
	struct sortes_pcg32 rng;
	size_t i, k = office ? 6 : 4, j;

	sortes_pcg32_seed(&rng, seed, 0xca5e);
	for (i = 0; i < N; i++) {
		int64_t *row = x + i * k;

		row[0] = between(&rng, 20, 60);		/* caseload */
		row[1] = between(&rng, 0, 100);		/* % on education benefit */
		row[2] = between(&rng, 0, 30);		/* years of experience */
		if (office) {
			j = i % 3;			/* 10 per office */
			row[3] = j == 0;
			row[4] = j == 1;
			row[5] = j == 2;
		} else {
			row[3] = between(&rng, 0, 100);	/* % under 25 */
		}
	}
	for (j = 0; j < k; j++)
		w[j] = 1;
	return k;
}

/* The floor: every mask with M of N bits once, in the same order. */
static double
floor_seconds(uint64_t *count)
{
	uint64_t x = (UINT64_C(1) << M) - 1, last = x << (N - M), sum = 0;
	uint64_t low, up;
	double t0 = now();

	*count = 0;
	for (;;) {
		sum += x ^ (x >> 7);
		(*count)++;
		if (x == last)
			break;
		low = x & (~x + 1);
		up = x + low;
		x = up | (((x ^ up) >> 2) / low);
	}
	t0 = now() - t0;
	if (sum == 42)
		printf("(checksum %llu)\n", (unsigned long long)sum);
	return t0;
}

static void
print_report(const struct sortes_cr_result *r)
{
	size_t i;

	printf("mode            %s\n", r->exact ? "exact" : "sampled");
	printf("space           %llu (C(n,m) = %llu)\n",
	    (unsigned long long)r->space, (unsigned long long)r->combinations);
	printf("cutoff          %.17g at rank %llu\n", r->cutoff,
	    (unsigned long long)r->cutoff_rank);
	printf("kept            %llu\n", (unsigned long long)r->kept);
	printf("chosen          0x%08llx  score %.17g  rank %llu  draw %llu\n",
	    (unsigned long long)r->chosen, r->chosen_score,
	    (unsigned long long)r->chosen_rank,
	    (unsigned long long)r->chosen_draw);
	printf("scores          min %.6g  q05 %.6g  q10 %.6g  q20 %.6g  "
	    "q25 %.6g  q30 %.6g\n                q50 %.6g  q75 %.6g  "
	    "q95 %.6g  max %.6g  mean %.6g  sd %.6g\n", r->min, r->q05,
	    r->q10, r->q20, r->q25, r->q30, r->q50, r->q75, r->q95, r->max,
	    r->mean, r->sd);
	printf("column sd      ");
	for (i = 0; i < r->k; i++)
		printf(" %.4g%s", r->col_sd[i], r->col_constant[i] ? "(c)" : "");
	printf("\nfixed pairs     %zu\n", r->n_fixed);
}

int
main(int argc, char **argv)
{
	int64_t x[N * KMAX], w[KMAX];
	struct sortes_cr_problem p;
	struct sortes_cr_result r;
	struct sortes_error err;
	struct sortes_pcg32 rng;
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 1, nfloor;
	int office = argc > 2 && strcmp(argv[2], "office") == 0;
	double t, tf;

	memset(&p, 0, sizeof(p));
	p.n = N;
	p.m = M;
	p.k = make_caseworkers(x, w, office, seed);
	p.x = x;
	p.w = w;
	p.metric = SORTES_CR_L2;
	p.keep_per10k = 1000;
	sortes_pcg32_seed(&rng, seed, 54);
	tf = floor_seconds(&nfloor);
	t = now();
	if (sortes_cr_run(&p, &rng, &r, &err) != 0) {
		fprintf(stderr, "bench-constrained: %s\n", err.msg);
		return 1;
	}
	t = now() - t;
	printf("n %d  m %d  k %zu  metric l2  q 0.1  seed %llu\n", N, M, p.k,
	    (unsigned long long)seed);
	print_report(&r);
	printf("time            %.3f s  (%.1f M allocations/s over the space)\n",
	    t, (double)r.space / t / 1e6);
	printf("floor           %.3f s  (visit %llu masks once)  ratio %.1f\n",
	    tf, (unsigned long long)nfloor, t / tf);
	sortes_cr_result_free(&r);
	return 0;
}
