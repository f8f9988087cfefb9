/*
 * cmd-followup-record.c - sortes followup record|missed: outcomes of a
 * follow-up occasion, each a log entry.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/followup.h"
#include "cli.h"

static const struct option record_options[] = {
	{ "date", required_argument, NULL, 'D' },
	{ "out-of-window", no_argument, NULL, 'o' },
	{ "reason", required_argument, NULL, 'r' },
	{ "correct", no_argument, NULL, 'C' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct record_args {
	const char *db, *date, *reason;
	int out_of_window, correct;
};

/* Options of record and missed; -1 for --help. */
static int
record_parse(struct record_args *a, int argc, char **argv)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":D:r:d:h", record_options,
	    NULL)) != -1)
		switch (c) {
		case 'D': a->date = optarg; break;
		case 'o': a->out_of_window = 1; break;
		case 'r': a->reason = optarg; break;
		case 'C': a->correct = 1; break;
		case 'd': a->db = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("followup", c, argv);
		}
	if (argc - optind < 2)
		return cli_usage_error("followup", "expected PARTICIPANT and "
		    "OCCASION");
	return 0;
}

static void
outcome_print(const char *what, const char *participant, const char *occasion,
    const struct sortes_outcome_result *res)
{
	printf("%s follow-up %s of participant %s, log entry %lld", what,
	    occasion, participant, (long long)res->seq);
	if (res->supersedes > 0)
		printf(", correcting entry %lld", (long long)res->supersedes);
	if (res->out_of_window)
		printf(" (outside the window, flagged)");
	printf("\n");
}

static int
record_run(const struct record_args *a, struct sortes_measure_input *in)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_outcome_result res;
	struct sortes_clock clock;
	char now[21];
	int rc;

	rc = cli_trial_clock(&t, &clock, now, a->db, &err);
	if (rc == 0 && a->date == NULL)
		in->measured_on = clock.today;
	if (rc == 0)
		rc = sortes_followup_record(t, in, &clock, &res, &err);
	sortes_trial_close(t);
	if (rc != 0)
		return cli_fail(&err);
	outcome_print("recorded", in->participant, in->occasion, &res);
	return cli_finish(0);
}

int
followup_record(int argc, char **argv)
{
	struct record_args a = { 0 };
	struct sortes_measure_input in = { 0 };
	struct cli_pairs measures = { 0 };
	int rc;

	if ((rc = record_parse(&a, argc, argv)) != 0)
		return rc < 0 ? cli_help("followup") : rc;
	if (a.reason != NULL)
		return cli_usage_error("followup", "--reason is for 'followup "
		    "missed'");
	if (a.date != NULL &&
	    (rc = cli_date_arg(&in.measured_on, a.date, "followup", "date")))
		return rc;
	for (int i = optind + 2; i < argc; i++)
		if ((rc = cli_pairs_add(&measures, argv[i], "followup",
		    "measure")) != 0) {
			cli_pairs_free(&measures);
			return rc;
		}
	in.participant = argv[optind];
	in.occasion = argv[optind + 1];
	in.names = measures.names;
	in.values = measures.values;
	in.n = measures.n;
	in.out_of_window = a.out_of_window;
	in.correct = a.correct;
	in.keep_date = a.date == NULL;
	rc = record_run(&a, &in);
	cli_pairs_free(&measures);
	return rc;
}

int
followup_missed(int argc, char **argv)
{
	struct record_args a = { 0 };
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_outcome_result res;
	struct sortes_clock clock;
	char now[21];
	int rc;

	if ((rc = record_parse(&a, argc, argv)) != 0)
		return rc < 0 ? cli_help("followup") : rc;
	if (argc - optind != 2)
		return cli_usage_error("followup", "expected PARTICIPANT and "
		    "OCCASION only");
	if (a.reason == NULL)
		return cli_usage_error("followup", "--reason TEXT is required");
	if (a.date != NULL || a.out_of_window)
		return cli_usage_error("followup", "--date and --out-of-window "
		    "are for 'followup record'");
	rc = cli_trial_clock(&t, &clock, now, a.db, &err);
	if (rc == 0)
		rc = sortes_followup_missed(t, argv[optind], argv[optind + 1],
		    a.reason, a.correct, &clock, &res, &err);
	sortes_trial_close(t);
	if (rc != 0)
		return cli_fail(&err);
	outcome_print("recorded as missed:", argv[optind], argv[optind + 1],
	    &res);
	return cli_finish(0);
}
