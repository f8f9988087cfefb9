/*
 * cmd-budget.c - sortes budget spend|report: the budget ledger.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/budget.h"
#include "cli.h"

static const struct option budget_options[] = {
	{ "amount", required_argument, NULL, 'm' },
	{ "category", required_argument, NULL, 'c' },
	{ "note", required_argument, NULL, 'n' },
	{ "date", required_argument, NULL, 'D' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct budget_args {
	const char *amount, *category, *note, *date, *db;
};

static int
spend_run(const struct budget_args *a, struct sortes_spend_input *in)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_spend_result res;
	struct sortes_clock clock;
	char now[21], amount[SORTES_DECIMAL_BUF], left[SORTES_DECIMAL_BUF];
	int rc;

	rc = cli_trial_clock(&t, &clock, now, a->db, &err);
	if (rc == 0 && a->date == NULL)
		in->spent_on = clock.today;
	if (rc == 0)
		rc = sortes_budget_spend(t, in, &clock, &res, &err);
	if (rc == 0) {
		sortes_amount_format(in->amount_minor, amount);
		sortes_amount_format(res.remaining_minor, left);
		printf("spent %s %s for participant %s (%s), log entry %lld; "
		    "%s %s remaining\n", amount, t->protocol->budget->currency,
		    in->participant, in->category, (long long)res.seq, left,
		    t->protocol->budget->currency);
	}
	sortes_trial_close(t);
	return rc != 0 ? cli_fail(&err) : cli_finish(0);
}

static int
budget_spend(const struct budget_args *a, int argc, char **argv)
{
	struct sortes_spend_input in = { 0 };
	struct sortes_error err = { 0 };
	int rc;

	if (argc != 1)
		return cli_usage_error("budget", "expected one PARTICIPANT");
	if (a->amount == NULL || a->category == NULL)
		return cli_usage_error("budget", "--amount and --category are "
		    "required");
	if (sortes_amount_parse(a->amount, &in.amount_minor, &err) != 0)
		return cli_fail(&err);
	if (a->date != NULL &&
	    (rc = cli_date_arg(&in.spent_on, a->date, "budget", "date")) != 0)
		return rc;
	in.participant = argv[0];
	in.category = a->category;
	in.note = a->note;
	return spend_run(a, &in);
}

struct report {
	const char *currency;
	int participants;	/* printing participant lines yet */
	int64_t spent, left;
};

static int
report_line(void *ctx, const struct sortes_budget_line *l,
    struct sortes_error *err)
{
	struct report *r = ctx;
	char spent[SORTES_DECIMAL_BUF], left[SORTES_DECIMAL_BUF];

	sortes_amount_format(l->spent_minor, spent);
	if (l->category != NULL)
		return cli_printf(err, "%-24s %6lld %14s %s\n", l->category,
		    (long long)l->spends, spent, r->currency);
	if (!r->participants++ && cli_printf(err, "\nBy participant\n"
	    "%-36s %-4s %6s %14s %14s\n", "PARTICIPANT", "ARM", "SPENDS",
	    "SPENT", "REMAINING") != 0)
		return err->code;
	sortes_amount_format(l->remaining_minor, left);
	r->spent += l->spent_minor;
	r->left += l->remaining_minor;
	return cli_printf(err, "%-36s %-4s %6lld %14s %14s\n", l->participant,
	    l->arm, (long long)l->spends, spent, left);
}

static int
budget_report(const struct budget_args *a, int argc)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct report r = { 0 };
	char spent[SORTES_DECIMAL_BUF], left[SORTES_DECIMAL_BUF];
	int rc;

	if (argc != 0)
		return cli_usage_error("budget", "report takes no arguments");
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && t->protocol->budget != NULL) {
		r.currency = t->protocol->budget->currency;
		rc = cli_printf(&err, "By category\n%-24s %6s %14s\n",
		    "CATEGORY", "SPENDS", "SPENT");
	}
	if (rc == 0)
		rc = sortes_budget_report(t, report_line, &r, &err);
	if (rc == 0) {
		sortes_amount_format(r.spent, spent);
		sortes_amount_format(r.left, left);
		rc = cli_printf(&err, "\n%d participant%s with a budget: %s %s "
		    "spent, %s %s remaining\n", r.participants,
		    r.participants == 1 ? "" : "s", spent, r.currency, left,
		    r.currency);
	}
	rc = cli_trial_done(t, rc, &err);
	return rc != 0 ? cli_fail(&err) : cli_finish(0);
}

int
cmd_budget(int argc, char **argv)
{
	struct budget_args a = { 0 };
	const char *sub;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:n:D:d:h", budget_options,
	    NULL)) != -1)
		switch (c) {
		case 'm': a.amount = optarg; break;
		case 'c': a.category = optarg; break;
		case 'n': a.note = optarg; break;
		case 'D': a.date = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("budget");
		default: return cli_option_error("budget", c, argv);
		}
	if (optind == argc)
		return cli_usage_error("budget", "expected spend or report");
	sub = argv[optind++];
	if (strcmp(sub, "spend") == 0)
		return budget_spend(&a, argc - optind, argv + optind);
	if (a.amount != NULL || a.category != NULL || a.note != NULL ||
	    a.date != NULL)
		return cli_usage_error("budget", "--amount, --category, --note "
		    "and --date are for 'budget spend'");
	if (strcmp(sub, "report") == 0)
		return budget_report(&a, argc - optind);
	return cli_usage_error("budget", "unknown subcommand '%s'; expected "
	    "spend or report", sub);
}
