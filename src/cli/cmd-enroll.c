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
	{ "skip-invalid", required_argument, NULL, 's' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct enroll_args {
	const char *person, *caseworker, *csv, *delimiter, *rejects;
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

static int
enroll_csv(const struct enroll_args *a, struct enroll_env *env,
    struct sortes_error *err)
{
	struct cli_csv c = {
		.path = a->csv, .delimiter = a->delimiter,
		.rejects = a->rejects, .import = enroll_import, .ctx = env,
	};
	struct sortes_csv_summary s;
	struct cli_enrolled e;
	int rc;

	env->csv_name = a->csv;
	cli_enrolled_init(&e, env->trial->protocol);
	if (a->json)
		c.also = cli_enrolled_hooks(&e);
	rc = cli_csv_import(&c, &s, err);
	if (rc == 0 && a->json)
		rc = cli_enrolled_print(&e, s.rows, s.per_arm, a->rejects, err);
	else if (rc == 0)
		csv_report(&s, env->trial->protocol, a->rejects);
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
	if (a->delimiter != NULL || a->rejects != NULL)
		return cli_usage_error("enroll", "--delimiter and "
		    "--skip-invalid go with --csv");
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
	while ((c = getopt_long(argc, argv, ":P:c:f:C:D:s:d:k:jh",
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
		case 's': a->rejects = optarg; break;
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
