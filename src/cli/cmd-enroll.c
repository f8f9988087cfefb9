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
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct enroll_args {
	const char *person, *caseworker, *csv, *delimiter, *rejects, *results;
	const char *db, *key;
	struct cli_pairs fields;
	int json;
};

/* What a run needs besides the arguments. */
struct enroll_env {
	struct sortes_trial *trial;
	const char *csv_name;
	char now[21];
	int32_t day;
	struct cli_results results;
	const struct sortes_import_hooks *json;	/* --json's, or NULL */
};

static int
enroll_one_json(const struct enroll_args *a, const struct sortes_protocol *p,
    const struct sortes_enroll_result *res, struct sortes_error *err)
{
	struct cli_enrolled e;
	long *per_arm = calloc(p->narms, sizeof(long));
	int rc;

	if (per_arm == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	per_arm[res->arm] = 1;
	cli_enrolled_init(&e, p);
	cli_enrolled_add(&e, 0, a->caseworker, res->participant, res->arm,
	    res->seq);
	rc = cli_enrolled_print(&e, 1, per_arm, NULL, err);
	cli_enrolled_free(&e);
	free(per_arm);
	return rc;
}

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
	if (a->json)
		return enroll_one_json(a, env->trial->protocol, &res, err);
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

/* A refused row goes to the results file, and to --json's list. */
static int
enroll_refused(void *ctx, long line, const char *const *header,
    size_t nheader, const char *const *cells, size_t ncells,
    const char *reason)
{
	struct enroll_env *env = ctx;

	if (env->json != NULL && env->json->on_reject(env->json->ctx, line,
	    header, nheader, cells, ncells, reason) != 0)
		return -1;
	return cli_results_refused(&env->results, line, header, nheader,
	    cells, ncells, reason);
}

static int
enroll_added(void *ctx, long line, const char *const *keys,
    const struct sortes_import_added *added)
{
	struct enroll_env *env = ctx;

	if (env->json != NULL && env->json->on_added(env->json->ctx, line,
	    keys, added) != 0)
		return -1;
	return cli_results_enrolled(&env->results, line, keys, added);
}

static int
enroll_import(void *ctx, FILE *in, int delimiter, int skip_invalid,
    const struct sortes_import_hooks *hooks,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct enroll_env *env = ctx;
	int rc;

	env->trial->progress = cli_progress("enroll");
	rc = sortes_enroll_csv(env->trial, in, env->csv_name, delimiter,
	    skip_invalid, env->now, env->day, hooks, summary, err);
	cli_progress_end();
	return rc;
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
	const struct sortes_import_hooks tee = { enroll_refused, enroll_added,
	    env };
	struct cli_csv c = {
		.path = a->csv, .delimiter = a->delimiter,
		.rejects = a->rejects, .also = &tee, .import = enroll_import,
		.ctx = env,
	};
	struct sortes_csv_summary s;
	struct cli_enrolled e;
	int rc;

	env->csv_name = a->csv;
	memset(&s, 0, sizeof(s));
	cli_enrolled_init(&e, env->trial->protocol);
	if (a->json)
		env->json = cli_enrolled_hooks(&e);
	rc = cli_results_open(&env->results, a->results,
	    env->trial->protocol, err);
	if (rc == 0)
		rc = cli_csv_import(&c, &s, err);
	/* Enrolled by now: a results file that cannot be linked is
	 * had again from 'sortes lookup --csv'. */
	if (rc == 0)
		rc = cli_results_commit(&env->results, err);
	cli_results_abandon(&env->results);
	if (rc == 0 && a->json)
		rc = cli_enrolled_print(&e, s.rows, s.per_arm, a->rejects, err);
	else if (rc == 0) {
		csv_report(&s, env->trial->protocol, a->rejects);
		if (a->results != NULL)
			printf("results of every row written to %s\n",
			    a->results);
	}
	if (rc == 0)
		enroll_hint(a);
	cli_enrolled_free(&e);
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
	while ((c = getopt_long(argc, argv, ":P:c:f:C:i:R:d:k:jh",
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
		case 'j': a->json = 1; break;
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
