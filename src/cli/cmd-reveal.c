/*
 * cmd-reveal.c - sortes reveal --key trial.key: publish the seed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "sortes/seal.h"
#include "cli.h"

static const struct option reveal_options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
reveal_run(const char *db_arg, const char *key_arg)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	char now[21];
	int64_t seq = 0;
	int rc;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = cli_trial_unlocked(&t, cli_db_path(db_arg), key_arg, &err);
	if (rc == 0)
		rc = sortes_reveal(t, now, &seq, &err);
	if (rc == 0)
		printf("revealed the seed in log entry %lld; it matches the "
		    "commitment %s\n", (long long)seq, t->seed_commitment);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_reveal(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:d:h", reveal_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("reveal");
		default: return cli_option_error("reveal", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("reveal", "unexpected argument '%s'",
		    argv[optind]);
	return reveal_run(db, key);
}
