/*
 * cmd-randomize.c - sortes randomize: allocate the caseworkers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/randomize.h"
#include "cli.h"

static const struct option randomize_options[] = {
	{ "beacon", required_argument, NULL, 'b' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * The validity check: how often each pair of caseworkers shares an arm
 * across the kept allocations, as its least and most frequent pairs.
 */
static void
print_pairs(const struct sortes_randomize_result *r)
{
	const struct sortes_cr_result *cr = &r->cr;
	size_t n = cr->n, lo_i = 0, lo_j = 1, hi_i = 0, hi_j = 1;

	if (n < 2 || cr->kept == 0)
		return;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			uint64_t x = cr->same_arm[i * n + j];

			if (x < cr->same_arm[lo_i * n + lo_j])
				lo_i = i, lo_j = j;
			if (x > cr->same_arm[hi_i * n + hi_j])
				hi_i = i, hi_j = j;
		}
	printf("pairs: share an arm in %.1f%% (%s, %s) to %.1f%% (%s, %s) of "
	    "the kept allocations\n",
	    100.0 * (double)cr->same_arm[lo_i * n + lo_j] / (double)cr->kept,
	    r->codes[lo_i], r->codes[lo_j],
	    100.0 * (double)cr->same_arm[hi_i * n + hi_j] / (double)cr->kept,
	    r->codes[hi_i], r->codes[hi_j]);
}

/* The constrained randomization's report: what an evaluator needs. */
static void
print_constrained(const struct sortes_protocol *p,
    const struct sortes_randomize_result *r)
{
	const struct sortes_cr_result *cr = &r->cr;

	printf("space: %llu allocations (%s), constrained: %llu kept "
	    "(best %.2f%%, ties at the cutoff kept), cutoff score %.6g\n",
	    (unsigned long long)cr->space, cr->exact ? "all enumerated" :
	    "sampled", (unsigned long long)cr->kept,
	    100.0 * (double)cr->kept / (double)cr->space, cr->cutoff);
	printf("scores: min %.6g  5%% %.6g  10%% %.6g  20%% %.6g  25%% %.6g  "
	    "30%% %.6g  50%% %.6g  75%% %.6g  95%% %.6g  max %.6g  mean %.6g  "
	    "sd %.6g\n", cr->min, cr->q05, cr->q10, cr->q20, cr->q25, cr->q30,
	    cr->q50, cr->q75, cr->q95, cr->max, cr->mean, cr->sd);
	printf("chosen: score %.6g, rank %llu of %llu\n", cr->chosen_score,
	    (unsigned long long)cr->chosen_rank,
	    (unsigned long long)cr->space);
	printf("balance (enums coded %s):\tmean %s\tmean %s\tsd\t"
	    "std. difference\n", r->coding == SORTES_CODING_REFERENCE ?
	    "against a reference level" : "one column per level",
	    p->arms[0].code, p->arms[1].code);
	for (size_t j = 0; j < r->ncols; j++)
		printf("  %s\t%.4g\t%.4g\t%.4g\t%s%.3f\n", r->col_names[j],
		    r->mean_a[j], r->mean_b[j], cr->col_sd[j],
		    cr->col_constant[j] ? "(constant) " : "",
		    cr->col_constant[j] ? 0.0 :
		    (r->mean_a[j] - r->mean_b[j]) / cr->col_sd[j]);
	print_pairs(r);
}

/* On stderr, with the text or the JSON. */
static void
warn_fixed(const struct sortes_randomize_result *r)
{
	const struct sortes_cr_result *cr = &r->cr;

	for (size_t i = 0; i < cr->n_fixed; i++)
		fprintf(stderr, "sortes: warning: caseworkers %s and %s are %s "
		    "in every kept allocation: the constraint is too tight for "
		    "a valid randomization test\n",
		    r->codes[cr->fixed[i].i], r->codes[cr->fixed[i].j],
		    cr->fixed[i].together ? "together" : "apart");
}

/* The list of caseworkers stops at the first line that fails. */
static int
randomize_print(const struct sortes_protocol *p,
    const struct sortes_randomize_result *r, struct sortes_error *err)
{
	int rc = 0;

	printf("randomized %zu caseworkers by %s, log entry %lld:",
	    r->ncaseworkers, sortes_method_name(p->method), (long long)r->seq);
	for (size_t a = 0; a < p->narms; a++)
		printf(" %s %zu%s", p->arms[a].code, r->per_arm[a],
		    a + 1 < p->narms ? "," : "\n");
	printf("report %s\n", r->report.data);
	if (r->cr.space > 0)
		print_constrained(p, r);
	for (size_t i = 0; i < r->ncaseworkers && rc == 0; i++)
		rc = cli_printf(err, "%s\t%s\n", r->codes[i],
		    p->arms[r->arms[i]].code);
	return rc;
}

static int
randomize_run(const char *db_arg, const char *key_arg, const char *beacon,
    int json)
{
	struct sortes_trial *t = NULL;
	struct sortes_randomize_result r;
	struct sortes_error err = { 0 };
	char now[21];
	int rc;

	memset(&r, 0, sizeof(r));
	rc = cli_now(now, &err);
	if (rc == 0)
		rc = cli_trial_unlocked(&t, cli_db_path(db_arg), key_arg, &err);
	if (rc == 0) {
		t->progress = cli_progress("randomize");
		rc = sortes_randomize(t, beacon, now, &r, &err);
		cli_progress_end();
	}
	if (rc == 0)
		rc = json ? cli_json_randomize(t->protocol, &r, &err) :
		    randomize_print(t->protocol, &r, &err);
	if (rc == 0)
		warn_fixed(&r);
	sortes_randomize_result_free(&r);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_randomize(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *beacon = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:d:k:jh", randomize_options,
	    NULL)) != -1)
		switch (c) {
		case 'b': beacon = optarg; break;
		case 'd': db = optarg; break;
		case 'k': key = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("randomize");
		default: return cli_option_error("randomize", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("randomize", "unexpected argument '%s'",
		    argv[optind]);
	return randomize_run(db, key, beacon, json);
}
