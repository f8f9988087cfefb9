/*
 * cmd-followup-calendar.c - sortes followup calendar: the open
 * occasions as an iCalendar file on stdout.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/ics.h"
#include "cli.h"

static const struct option calendar_options[] = {
	{ "caseworker", required_argument, NULL, 'c' },
	{ "arm-specific", no_argument, NULL, 'A' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int
followup_calendar(int argc, char **argv)
{
	const char *db = NULL, *caseworker = NULL;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	char now[21];
	int64_t n = 0;
	int c, rc, arm_specific = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:Ad:h", calendar_options,
	    NULL)) != -1)
		switch (c) {
		case 'c': caseworker = optarg; break;
		case 'A': arm_specific = 1; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("followup");
		default: return cli_option_error("followup", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("followup", "unexpected argument '%s'",
		    argv[optind]);
	rc = cli_now(now, &err);
	if (rc == 0)
		rc = cli_trial_read(&t, db, &err);
	if (rc == 0 && arm_specific)
		followup_arms_note(t->protocol);
	if (rc == 0 && (rc = sortes_ics_write(t, caseworker, arm_specific, now,
	    stdout, &n, &err)) != 0)
		rc = cli_write_failed(&err, stdout, NULL);
	rc = cli_trial_done(t, rc, &err);
	if (rc != 0)
		return cli_fail(&err);
	fprintf(stderr, "sortes: %lld open follow-up%s in the calendar\n",
	    (long long)n, n == 1 ? "" : "s");
	return cli_finish(0);
}
