/*
 * cmd-caseworker.c - sortes caseworker add|import|list.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/caseworker.h"
#include "cli.h"

static const struct option caseworker_options[] = {
	{ "team", required_argument, NULL, 't' },
	{ "covariate", required_argument, NULL, 'v' },
	{ "delimiter", required_argument, NULL, 'D' },
	{ "skip-invalid", required_argument, NULL, 'i' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct caseworker_args {
	const char *team, *delimiter, *rejects, *db, *key;
	const char *path;		/* the import file */
	struct cli_pairs covariates;
	char now[21];
	struct sortes_trial *trial;
};


static void
print_arm(const struct sortes_protocol *p, const char *code,
    const struct sortes_caseworker_result *res)
{
	if (res->allocated)
		printf("registered caseworker %s: new hire, arm %s (%s), "
		    "log entry %lld\n", code, p->arms[res->arm].code,
		    p->arms[res->arm].name, (long long)res->seq);
	else
		printf("registered caseworker %s, log entry %lld\n", code,
		    (long long)res->seq);
}

static int
caseworker_add(struct caseworker_args *a, const char *code,
    struct sortes_error *err)
{
	struct sortes_registrar *r = NULL;
	struct sortes_caseworker_result res;
	struct sortes_caseworker_input in = {
		.code = code, .team = a->team, .names = a->covariates.names,
		.values = a->covariates.values, .ncovariates = a->covariates.n,
		.registered_at = a->now,
	};
	int rc;

	if (a->team == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "caseworker add needs --team TEAM");
	rc = sortes_registrar_new(&r, a->trial, err);
	if (rc == 0)
		rc = sortes_registrar_add(r, &in, &res, err);
	if (rc == 0)
		rc = sortes_registrar_commit(r, err);
	sortes_registrar_free(r);
	if (rc == 0)
		print_arm(a->trial->protocol, code, &res);
	return rc;
}

static int
caseworker_import_csv(void *ctx, FILE *in, int delimiter, int skip_invalid,
    sortes_reject_fn on_reject, void *reject_ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct caseworker_args *a = ctx;

	return sortes_caseworker_import(a->trial, in, a->path, delimiter,
	    skip_invalid, a->now, on_reject, reject_ctx, summary, err);
}

static int
caseworker_import(struct caseworker_args *a, const char *path,
    struct sortes_error *err)
{
	struct cli_csv c = {
		.path = path, .delimiter = a->delimiter, .rejects = a->rejects,
		.import = caseworker_import_csv, .ctx = a,
	};
	const struct sortes_protocol *p = a->trial->protocol;
	struct sortes_csv_summary s;
	int rc;

	a->path = path;
	rc = cli_csv_import(&c, &s, err);

	if (rc == 0) {
		const char *sep = ";";

		printf("registered %ld of %ld caseworkers", s.enrolled, s.rows);
		for (size_t i = 0; i < p->narms; i++)
			if (s.per_arm[i] > 0) {
				printf("%s new hires in %s: %ld", sep,
				    p->arms[i].code, s.per_arm[i]);
				sep = ",";
			}
		printf("\n");
		if (s.rejected > 0)
			printf("refused %ld row%s, written to %s\n", s.rejected,
			    s.rejected == 1 ? "" : "s", a->rejects);
	}
	sortes_csv_summary_free(&s);
	return rc;
}

static int
caseworker_list(struct caseworker_args *a, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	rc = sortes_db_prepare(a->trial->db, &st, "SELECT c.code, c.team, "
	    "coalesce(a.arm, '-'), c.covariates FROM caseworkers c "
	    "LEFT JOIN caseworker_allocations a ON a.caseworker = c.seq "
	    "ORDER BY c.code", err);
	if (rc != 0)
		return rc;
	rc = cli_printf(err, "code\tteam\tarm\tcovariates\n");
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cli_printf(err, "%s\t%s\t%s\t%s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(a->trial->db, "listing caseworkers", err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Unlock only where registering allocates: adding or importing after
 * the randomization.  Listing never needs the key, and only reads.
 */
static int
caseworker_open(struct caseworker_args *a, int registering,
    struct sortes_error *err)
{
	const char *db = cli_db_path(a->db);
	int64_t randomized = 0;
	int rc;

	if ((rc = cli_now(a->now, err)) != 0)
		return rc;
	if (!registering)
		return cli_trial_read(&a->trial, db, err);
	if ((rc = sortes_trial_open(&a->trial, db, err)) != 0)
		return rc;
	if (a->trial->protocol->unit != SORTES_UNIT_CASEWORKER ||
	    (rc = sortes_caseworker_randomized(a->trial, &randomized,
	    err)) != 0 || randomized == 0)
		return rc;
	return cli_unlock(a->trial, db, a->key, err);
}

static int
caseworker_run(struct caseworker_args *a, int argc, char **argv)
{
	struct sortes_error err = { 0 };
	const char *verb = argv[0];
	int rc;

	if ((strcmp(verb, "add") == 0 || strcmp(verb, "import") == 0) ?
	    argc != 2 : (strcmp(verb, "list") != 0 || argc != 1))
		return cli_usage_error("caseworker", "expected 'add CODE', "
		    "'import FILE' or 'list'");
	rc = caseworker_open(a, strcmp(verb, "list") != 0, &err);
	if (rc == 0 && strcmp(verb, "add") == 0)
		rc = caseworker_add(a, argv[1], &err);
	else if (rc == 0 && strcmp(verb, "import") == 0)
		rc = caseworker_import(a, argv[1], &err);
	else if (rc == 0)
		rc = caseworker_list(a, &err);
	rc = cli_trial_done(a->trial, rc, &err);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

static int
caseworker_parse(struct caseworker_args *a, int argc, char **argv)
{
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:v:i:d:k:h",
	    caseworker_options, NULL)) != -1)
		switch (c) {
		case 't': a->team = optarg; break;
		case 'v':
			if ((rc = cli_pairs_add(&a->covariates, optarg,
			    "caseworker", "covariate")) != 0)
				return rc;
			break;
		case 'D': a->delimiter = optarg; break;
		case 'i': a->rejects = optarg; break;
		case 'd': a->db = optarg; break;
		case 'k': a->key = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("caseworker", c, argv);
		}
	if (optind == argc)
		return cli_usage_error("caseworker", "expected 'add CODE', "
		    "'import FILE' or 'list'");
	return 0;
}

int
cmd_caseworker(int argc, char **argv)
{
	struct caseworker_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = caseworker_parse(&a, argc, argv);
	if (rc == -1)
		rc = cli_help("caseworker");
	else if (rc == 0)
		rc = caseworker_run(&a, argc - optind, argv + optind);
	cli_pairs_free(&a.covariates);
	return rc;
}
