/*
 * cmd-blind.c - sortes blind: commit the trial to the mapping of its
 * arms to neutral labels, before the first blinded export.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/blind.h"
#include "cli.h"

static const struct option blind_options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * With unequal ratios the larger group is the arm with the larger
 * ratio, whatever its label: say so, for the blinding hides less.
 */
static void
blind_ratio_note(const struct sortes_protocol *p)
{
	for (size_t i = 1; i < p->narms; i++)
		if (p->arms[i].ratio != p->arms[0].ratio) {
			fprintf(stderr, "sortes: warning: the arms' allocation "
			    "ratios differ, so the groups' sizes tell which label "
			    "is which arm (docs/blinding.md)\n");
			return;
		}
}

static int
blind_run(const char *db_arg, const char *key_arg)
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
		rc = sortes_blind(t, now, &seq, &err);
	if (rc == 0)
		blind_ratio_note(t->protocol);
	if (rc == 0)
		rc = cli_printf(&err, "committed to the blinding in log entry "
		    "%lld; blinded exports label the arms group A to group "
		    "%c\n", (long long)seq, 'A' + (int)t->protocol->narms - 1);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_blind(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:d:h", blind_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("blind");
		default: return cli_option_error("blind", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("blind", "unexpected argument '%s'",
		    argv[optind]);
	return blind_run(db, key);
}
