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
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
transfer_run(const char *db, const char *participant, const char *to)
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
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", transfer_options,
	    NULL)) != -1)
		switch (c) {
		case 't': to = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("transfer");
		default: return cli_option_error("transfer", c, argv);
		}
	if (optind + 1 != argc)
		return cli_usage_error("transfer", "expected one PARTICIPANT");
	if (to == NULL)
		return cli_usage_error("transfer", "--to CODE is required");
	return transfer_run(db, argv[optind], to);
}
