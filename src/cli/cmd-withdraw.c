/*
 * cmd-withdraw.c - sortes withdraw PARTICIPANT --reason TEXT.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/lifecycle.h"
#include "cli.h"

static const struct option withdraw_options[] = {
	{ "reason", required_argument, NULL, 'r' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
withdraw_run(const char *db, const char *participant, const char *reason)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	char now[21];
	int64_t seq = 0;
	int rc;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, cli_db_path(db), &err);
	if (rc == 0)
		rc = sortes_withdraw(t, participant, reason, now, &seq, &err);
	sortes_trial_close(t);
	if (rc != 0)
		return cli_fail(&err);
	printf("withdrew participant %s, log entry %lld; nothing is deleted "
	    "and the arm stays (intention to treat)\n", participant,
	    (long long)seq);
	return cli_finish(0);
}

int
cmd_withdraw(int argc, char **argv)
{
	const char *db = NULL, *reason = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:d:h", withdraw_options,
	    NULL)) != -1)
		switch (c) {
		case 'r': reason = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("withdraw");
		default: return cli_option_error("withdraw", c, argv);
		}
	if (optind + 1 != argc)
		return cli_usage_error("withdraw", "expected one PARTICIPANT");
	if (reason == NULL)
		return cli_usage_error("withdraw", "--reason TEXT is required");
	return withdraw_run(db, argv[optind], reason);
}
