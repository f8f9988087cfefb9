/*
 * cmd-participant.c - sortes participant show PARTICIPANT: one
 * participant's history, from the log.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/history.h"
#include "cli.h"

static const struct option participant_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
show_json(const struct sortes_trial *t, const struct sortes_history *h,
    struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc;

	sortes_jcs_init(&j);
	rc = sortes_history_json(&j, t, h, err);
	if (rc == 0)
		rc = cli_printf(err, "%s\n", j.data);
	sortes_jcs_free(&j);
	return rc;
}

static int
participant_show(const char *db, const char *id, int json)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_history h = { 0 };
	int rc;

	rc = cli_trial_read(&t, db, &err);
	if (rc == 0)
		rc = sortes_history_load(t, id, &h, &err);
	if (rc == 0 && json)
		rc = show_json(t, &h, &err);
	else if (rc == 0 && sortes_history_text(stdout, t, &h, &err) != 0)
		rc = cli_write_failed(&err, stdout, NULL);
	sortes_history_free(&h);
	rc = cli_trial_done(t, rc, &err);
	return rc != 0 ? cli_fail(&err) : cli_finish(0);
}

int
cmd_participant(int argc, char **argv)
{
	const char *db = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jd:h", participant_options,
	    NULL)) != -1)
		switch (c) {
		case 'j': json = 1; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("participant");
		default: return cli_option_error("participant", c, argv);
		}
	if (optind == argc)
		return cli_usage_error("participant", "expected show");
	if (strcmp(argv[optind], "show") != 0)
		return cli_usage_error("participant", "unknown subcommand '%s'; "
		    "expected show", argv[optind]);
	if (optind + 2 != argc)
		return cli_usage_error("participant", "expected one "
		    "PARTICIPANT");
	return participant_show(db, argv[optind + 1], json);
}
