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
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
withdraw_json(const char *participant, int64_t seq)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	cli_json_key_integer(&j, "entry", seq);
	cli_json_key_string(&j, "participant", participant);
	sortes_jcs_object_end(&j);
	return cli_json_print(&j, &err) == 0 ? cli_finish(0) : cli_fail(&err);
}

static int
withdraw_run(const char *db, const char *participant, const char *reason,
    int json)
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
	if (json)
		return withdraw_json(participant, seq);
	printf("withdrew participant %s, log entry %lld; nothing is deleted "
	    "and the arm stays (intention to treat)\n", participant,
	    (long long)seq);
	return cli_finish(0);
}

int
cmd_withdraw(int argc, char **argv)
{
	const char *db = NULL, *reason = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:d:jh", withdraw_options,
	    NULL)) != -1)
		switch (c) {
		case 'r': reason = optarg; break;
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("withdraw");
		default: return cli_option_error("withdraw", c, argv);
		}
	if (optind + 1 != argc)
		return cli_usage_error("withdraw", "expected one PARTICIPANT");
	if (reason == NULL)
		return cli_usage_error("withdraw", "--reason TEXT is required");
	return withdraw_run(db, argv[optind], reason, json);
}
