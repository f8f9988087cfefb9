/*
 * cmd-transfer.c - sortes transfer PARTICIPANT --to CODE.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/lifecycle.h"
#include "cli.h"

static const struct option transfer_options[] = {
	{ "to", required_argument, NULL, 't' },
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* The transfer as JSON: contamination null where caseworkers have no arms. */
static int
transfer_json(const char *participant, const char *to,
    const struct sortes_transfer_result *r)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "contamination");
	if (r->cross_arm < 0)
		sortes_jcs_null(&j);
	else
		sortes_jcs_boolean(&j, r->cross_arm);
	cli_json_key_integer(&j, "entry", r->seq);
	cli_json_key_string(&j, "from", r->from);
	cli_json_key_string(&j, "participant", participant);
	cli_json_key_string(&j, "to", to);
	sortes_jcs_object_end(&j);
	return cli_json_print(&j, &err) == 0 ? cli_finish(0) : cli_fail(&err);
}

static int
transfer_run(const char *db, const char *participant, const char *to,
    int json)
{
	struct sortes_trial *t = NULL;
	struct sortes_transfer_result r;
	struct sortes_error err = { 0 };
	char now[21];
	int rc;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, cli_db_path(db), &err);
	if (rc == 0)
		rc = sortes_transfer(t, participant, to, now, &r, &err);
	sortes_trial_close(t);
	if (rc != 0)
		return cli_fail(&err);
	if (json)
		return transfer_json(participant, to, &r);
	printf("transferred participant %s from %s to %s, log entry %lld; "
	    "the arm stays (intention to treat)\n", participant, r.from, to,
	    (long long)r.seq);
	if (r.cross_arm == 1)
		printf("warning: caseworker %s is in another arm: possible "
		    "contamination, flagged in the log\n", to);
	return cli_finish(0);
}

int
cmd_transfer(int argc, char **argv)
{
	const char *db = NULL, *to = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:jh", transfer_options,
	    NULL)) != -1)
		switch (c) {
		case 't': to = optarg; break;
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("transfer");
		default: return cli_option_error("transfer", c, argv);
		}
	if (optind + 1 != argc)
		return cli_usage_error("transfer", "expected one PARTICIPANT");
	if (to == NULL)
		return cli_usage_error("transfer", "--to CODE is required");
	return transfer_run(db, argv[optind], to, json);
}
