/*
 * cmd-upgrade.c - sortes upgrade: bring a database's schema up to this
 * sortes, the one step that the commands that only read never take.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/db.h"
#include "cli.h"

static const struct option upgrade_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
upgrade_run(const char *db)
{
	struct sortes_error err = { 0 };
	int from = 0, latest = sortes_db_latest_version();

	if (sortes_db_upgrade(db, &from, &err) != 0)
		return cli_fail(&err);
	if (from == latest)
		printf("database '%s' is at schema version %d, the newest this "
		    "sortes knows: nothing to do\n", db, latest);
	else
		printf("upgraded database '%s' from schema version %d to %d\n",
		    db, from, latest);
	return cli_finish(0);
}

int
cmd_upgrade(int argc, char **argv)
{
	const char *db = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:h", upgrade_options,
	    NULL)) != -1)
		switch (c) {
		case 'd': db = optarg; break;
		case 'h': return cli_help("upgrade");
		default: return cli_option_error("upgrade", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("upgrade", "unexpected argument '%s'",
		    argv[optind]);
	return upgrade_run(cli_db_path(db));
}
