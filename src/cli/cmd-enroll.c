/*
 * cmd-enroll.c - sortes enroll: one participant, or a cohort from CSV.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/csv.h"
#include "sortes/enroll.h"
#include "cli.h"


static const struct option enroll_options[] = {
	{ "person", required_argument, NULL, 'P' },
	{ "caseworker", required_argument, NULL, 'c' },
	{ "field", required_argument, NULL, 'f' },
	{ "csv", required_argument, NULL, 'C' },
	{ "delimiter", required_argument, NULL, 'D' },
	{ "skip-invalid", required_argument, NULL, 'i' },
	{ "results", required_argument, NULL, 'R' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct enroll_args {
	const char *person, *caseworker, *csv, *delimiter, *rejects, *results;
	const char *db, *key;
	struct cli_pairs fields;
};

/* What a run needs besides the arguments. */
struct enroll_env {
	struct sortes_trial *trial;
	const char *csv_name;
	char now[21];
	int32_t day;
	struct cli_results results;
	sortes_reject_fn on_reject;	/* where refusals go besides */
	void *reject_ctx;
};


static int
enroll_one(const struct enroll_args *a, struct enroll_env *env,
    struct sortes_error *err)
{
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;
	struct sortes_enroll_input in = {
		.person = a->person, .caseworker = a->caseworker,
		.names = a->fields.names, .values = a->fields.values,
		.nfields = a->fields.n,
		.enrolled_at = env->now, .enroll_day = env->day,
	};
	const struct sortes_arm *arm;
	int rc;

	rc = sortes_enroller_new(&e, env->trial, err);
	if (rc == 0)
		rc = sortes_enroller_add(e, &in, &res, err);
	if (rc == 0)
		rc = sortes_enroller_commit(e, err);
	sortes_enroller_free(e);
	if (rc != 0)
		return rc;
	arm = &env->trial->protocol->arms[res.arm];
	printf("enrolled participant %s: arm %s (%s), log entry %lld\n",
	    res.participant, arm->code, arm->name, (long long)res.seq);
	return 0;
}

static void
csv_report(const struct sortes_csv_summary *s, const struct sortes_protocol *p,
    const char *rejects)
{
	printf("enrolled %ld of %ld rows:", s->enrolled, s->rows);
	for (size_t i = 0; i < p->narms; i++)
		printf(" %s %ld%s", p->arms[i].code, s->per_arm[i],
		    i + 1 < p->narms ? "," : "");
	printf("\n");
	if (s->rejected > 0)
		printf("refused %ld row%s, written to %s\n", s->rejected,
		    s->rejected == 1 ? "" : "s", rejects);
}

/* A refused row goes to the results file too. */
static int
enroll_refused(void *ctx, long line, const char *const *header,
    size_t nheader, const char *const *cells, size_t ncells,
    const char *reason)
{
	struct enroll_env *env = ctx;

	if (env->on_reject(env->reject_ctx, line, header, nheader, cells,
	    ncells, reason) != 0)
		return -1;
	return cli_results_refused(&env->results, line, header, nheader,
	    cells, ncells, reason);
}

static int
enroll_enrolled(void *ctx, const struct sortes_enrolled_row *row)
{
	return cli_results_enrolled(&((struct enroll_env *)ctx)->results, row);
}

static int
enroll_import(void *ctx, FILE *in, int delimiter, int skip_invalid,
    sortes_reject_fn on_reject, void *reject_ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct enroll_env *env = ctx;

	env->on_reject = on_reject;
	env->reject_ctx = reject_ctx;
	return sortes_enroll_csv_rows(env->trial, in, env->csv_name,
	    delimiter, skip_invalid, env->now, env->day, enroll_refused,
	    enroll_enrolled, env, summary, err);
}

/*
 * Who is in which arm, with the person identifiers, is only in a
 * results file or a lookup: someone at a terminal is told so.
 */
static void
enroll_hint(const struct enroll_args *a)
{
	if (a->results != NULL || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "sortes: which person is in which arm: give --results "
	    "FILE (mode 0600), or run 'sortes lookup --csv %s'\n", a->csv);
}

static int
enroll_csv(const struct enroll_args *a, struct enroll_env *env,
    struct sortes_error *err)
{
	struct cli_csv c = {
		.path = a->csv, .delimiter = a->delimiter,
		.rejects = a->rejects, .import = enroll_import, .ctx = env,
	};
	struct sortes_csv_summary s;
	int rc;

	env->csv_name = a->csv;
	memset(&s, 0, sizeof(s));
	rc = cli_results_open(&env->results, a->results,
	    env->trial->protocol, err);
	if (rc == 0)
		rc = cli_csv_import(&c, &s, err);
	/* Enrolled by now: a results file that cannot be linked is
	 * had again from 'sortes lookup --csv'. */
	if (rc == 0)
		rc = cli_results_commit(&env->results, err);
	cli_results_abandon(&env->results);
	if (rc == 0) {
		csv_report(&s, env->trial->protocol, a->rejects);
		if (a->results != NULL)
			printf("results of every row written to %s\n",
			    a->results);
		enroll_hint(a);
	}
	sortes_csv_summary_free(&s);
	return rc;
}

static int
enroll_run(const struct enroll_args *a)
{
	struct enroll_env env = { 0 };
	struct sortes_error err = { 0 };
	int rc;

	rc = cli_now(env.now, &err);
	if (rc == 0)
		rc = cli_trial_unlocked(&env.trial, cli_db_path(a->db), a->key,
		    &err);
	if (rc == 0)
		rc = cli_local_day(&env.day, env.now,
		    env.trial->protocol->timezone, &err);
	if (rc == 0)
		rc = a->csv != NULL ? enroll_csv(a, &env, &err) :
		    enroll_one(a, &env, &err);
	sortes_trial_close(env.trial);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

static int
enroll_check_args(const struct enroll_args *a)
{
	if (a->csv != NULL) {
		if (a->person != NULL || a->caseworker != NULL ||
		    a->fields.n)
			return cli_usage_error("enroll", "--csv cannot be "
			    "combined with --person, --caseworker or --field");
		return 0;
	}
	if (a->delimiter != NULL || a->rejects != NULL || a->results != NULL)
		return cli_usage_error("enroll", "--delimiter, --skip-invalid "
		    "and --results go with --csv");
	if (a->person == NULL || a->caseworker == NULL)
		return cli_usage_error("enroll", "give --person and "
		    "--caseworker, or --csv FILE");
	return 0;
}

static int
enroll_parse(struct enroll_args *a, int argc, char **argv)
{
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":P:c:f:C:i:R:d:k:h",
	    enroll_options, NULL)) != -1)
		switch (c) {
		case 'P': a->person = optarg; break;
		case 'c': a->caseworker = optarg; break;
		case 'f':
			if ((rc = cli_pairs_add(&a->fields, optarg, "enroll",
			    "field")) != 0)
				return rc;
			break;
		case 'C': a->csv = optarg; break;
		case 'D': a->delimiter = optarg; break;
		case 'i': a->rejects = optarg; break;
		case 'R': a->results = optarg; break;
		case 'd': a->db = optarg; break;
		case 'k': a->key = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("enroll", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("enroll", "unexpected argument '%s'",
		    argv[optind]);
	return enroll_check_args(a);
}

int
cmd_enroll(int argc, char **argv)
{
	struct enroll_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = enroll_parse(&a, argc, argv);
	if (rc == -1)
		rc = cli_help("enroll");
	else if (rc == 0)
		rc = enroll_run(&a);
	cli_pairs_free(&a.fields);
	return rc;
}
