/*
 * cmd-init.c - sortes init: create a trial.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "sortes/trial.h"
#include "cli.h"

static const struct option init_options[] = {
	{ "protocol", required_argument, NULL, 'p' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
init_report(const struct sortes_trial *t, const char *db, const char *key)
{
	printf("created trial '%s' in %s\n", t->trial_id, db);
	printf("  protocol sha256  %s\n", t->protocol_sha256);
	printf("  seed commitment  %s\n", t->seed_commitment);
	printf("  key file         %s (keep it secret and backed up)\n", key);
}

int
cmd_init(int argc, char **argv)
{
	const char *protocol = NULL, *db = NULL, *key_arg = NULL;
	struct sortes_protocol *p = NULL;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	char now[21], *key;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:k:h", init_options, NULL)) != -1)
		switch (c) {
		case 'p': protocol = optarg; break;
		case 'd': db = optarg; break;
		case 'k': key_arg = optarg; break;
		case 'h': return cli_help("init");
		default: return cli_option_error("init", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("init", "unexpected argument '%s'",
		    argv[optind]);
	if (protocol == NULL)
		return cli_usage_error("init", "--protocol FILE is required");
	/* every error of a refused protocol is printed, not just the first
	 * that sortes_trial_create() would give (it reads the file again) */
	if ((rc = cli_protocol_load(&p, protocol)) != 0)
		return rc;
	sortes_protocol_free(p);
	db = cli_db_path(db);
	if ((key = cli_key_path(key_arg, db)) == NULL)
		return EXIT_OSERR;
	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_trial_create(&t, db, protocol, key, now, &err);
	if (rc == 0)
		init_report(t, db, key);
	sortes_trial_close(t);
	free(key);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}
