/*
 * cmd-followup.c - sortes followup due|overdue|record|missed|calendar:
 * the dispatch, and the due lists.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/followup.h"
#include "sortes/jcs.h"
#include "sortes/schedule.h"
#include "cli.h"

static const struct option due_options[] = {
	{ "as-of", required_argument, NULL, 'a' },
	{ "within", required_argument, NULL, 'w' },
	{ "caseworker", required_argument, NULL, 'c' },
	{ "limit", required_argument, NULL, 'l' },
	{ "arm-specific", no_argument, NULL, 'A' },
	{ "json", no_argument, NULL, 'j' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * A page, not the whole list: on a trial of a million participants the
 * whole trial's due list runs to hundreds of thousands of rows, which
 * no one reads in a terminal (docs/followups.md).
 */
#define DUE_LIMIT_DEFAULT	1000
#define DUE_LIMIT_MAX		1000000000

struct due_args {
	const char *db, *as_of, *within, *limit;
	int json;
	int64_t page;			/* rows to print; 0: all */
	int64_t printed;
	int more;			/* rows beyond the page */
	struct sortes_due_query query;
	struct sortes_jcs jcs;
};

/* "14d", "2w" or "14": a number of days, up to ten years. */
static int
within_parse(const char *text, int32_t *days)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (end == text || n < 0 || n > 3660)
		return -1;
	if (strcmp(end, "w") == 0)
		n *= 7;
	else if (*end != '\0' && strcmp(end, "d") != 0)
		return -1;
	*days = (int32_t)n;
	return 0;
}

/* A number of rows: decimal digits only, no sign, up to DUE_LIMIT_MAX. */
static int
limit_parse(const char *text, int64_t *rows)
{
	int64_t n = 0;
	const char *p;

	if (*text == '\0')
		return -1;
	for (p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
		if (n > DUE_LIMIT_MAX)
			return -1;
	}
	*rows = n;
	return 0;
}

static int
due_text(const struct sortes_due_row *r, struct sortes_error *err)
{
	return cli_printf(err, "%s  %s  %s  %-12s  %s  %s\n", r->due,
	    r->window_start, r->window_end, r->occasion, r->participant,
	    r->caseworker);
}

static int
due_json(struct due_args *a, const struct sortes_due_row *r,
    struct sortes_error *err)
{
	struct sortes_jcs *j = &a->jcs;
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "caseworker");
	sortes_jcs_string(j, r->caseworker);
	sortes_jcs_key(j, "due");
	sortes_jcs_string(j, r->due);
	sortes_jcs_key(j, "label");
	if (r->label != NULL)
		sortes_jcs_string(j, r->label);
	else
		sortes_jcs_null(j);
	sortes_jcs_key(j, "occasion");
	sortes_jcs_string(j, r->occasion);
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "pseudonym");
	sortes_jcs_string(j, r->pseudonym);
	sortes_jcs_key(j, "window_end");
	sortes_jcs_string(j, r->window_end);
	sortes_jcs_key(j, "window_start");
	sortes_jcs_string(j, r->window_start);
	sortes_jcs_object_end(j);
	if ((rc = sortes_jcs_finish(j, err)) == 0)
		rc = cli_printf(err, "%s\n%s", a->printed > 0 ? "," : "",
		    j->data);
	return rc;
}

/*
 * The header (or the JSON array's bracket) goes out with the first row,
 * or after an empty list, so that a list that fails prints nothing.
 */
static int
due_begin(const struct due_args *a, struct sortes_error *err)
{
	if (a->json)
		return cli_printf(err, "[");
	return cli_printf(err, "DUE         OPENS       CLOSES      "
	    "OCCASION      PARTICIPANT                           "
	    "CASEWORKER\n");
}

/*
 * The library is asked for one row more than the page: that row is not
 * printed, it only tells that the list goes on.
 */
static int
due_print(void *ctx, const struct sortes_due_row *r, struct sortes_error *err)
{
	struct due_args *a = ctx;
	int rc = 0;

	if (a->page > 0 && a->printed == a->page) {
		a->more = 1;
		return 0;
	}
	if (a->printed == 0)
		rc = due_begin(a, err);
	if (rc == 0)
		rc = a->json ? due_json(a, r, err) : due_text(r, err);
	if (rc == 0)
		a->printed++;
	return rc;
}

/* After the list, on stderr: an empty list, or a page that is not all. */
static void
due_note(const struct due_args *a, int64_t n)
{
	int due = a->query.kind == SORTES_DUE;

	if (n == 0)
		fprintf(stderr, "sortes: no follow-ups %s\n",
		    due ? "due" : "overdue");
	else if (a->more)
		fprintf(stderr, "sortes: showing the first %lld follow-up%s "
		    "by due date; more are %s (narrow with --caseworker%s, or "
		    "list all with --limit 0)\n", (long long)a->page,
		    a->page == 1 ? "" : "s", due ? "due" : "overdue",
		    due ? " or --within" : "");
}

static int
due_list(struct due_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	int64_t n = 0;
	int rc, code;

	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && a->as_of == NULL) {
		char now[21];

		rc = cli_now(now, &err);
		if (rc == 0)
			rc = cli_local_day(&a->query.as_of, now,
			    t->protocol->timezone, &err);
	}
	if (rc == 0 && a->query.arm_specific)
		followup_arms_note(t->protocol);
	if (rc == 0)
		rc = sortes_followup_list(t, &a->query, due_print, a, &n,
		    &err);
	if (rc == 0 && a->printed == 0)
		rc = due_begin(a, &err);
	if (rc == 0 && a->json)
		rc = cli_printf(&err, "%s]\n", a->printed > 0 ? "\n" : "");
	rc = cli_trial_done(t, rc, &err);
	sortes_jcs_free(&a->jcs);
	if (rc != 0)
		return cli_fail(&err);
	/* The list first, so that the note follows it in a pager too. */
	if ((code = cli_finish(0)) == 0)
		due_note(a, n);
	return code;
}

void
followup_arms_note(const struct sortes_protocol *p)
{
	char list[512];
	size_t used = 0;

	list[0] = '\0';
	for (size_t i = 0; i < p->noccasions && used < sizeof(list); i++)
		if (sortes_occasion_arm_specific(p, &p->occasions[i]))
			used += (size_t)snprintf(list + used, sizeof(list) -
			    used, "%s%s", used > 0 ? ", " : "",
			    p->occasions[i].code);
	if (p->outcome_assessment == SORTES_ASSESSMENT_BLINDED && used > 0)
		fprintf(stderr, "sortes: the list shows %s, which only some "
		    "arms have: in this trial of blinded outcome assessment "
		    "they tell whoever reads it those participants' arms\n",
		    list);
}

/* due and overdue share their options; overdue takes no --within. */
static int
due_parse(struct due_args *a, enum sortes_due_kind kind, const char *name,
    int argc, char **argv)
{
	int c, rc;

	a->query.kind = kind;
	a->query.within = 14;
	a->page = DUE_LIMIT_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":w:c:l:Ajd:h", due_options,
	    NULL)) != -1)
		switch (c) {
		case 'A': a->query.arm_specific = 1; break;
		case 'a': a->as_of = optarg; break;
		case 'w': a->within = optarg; break;
		case 'c': a->query.caseworker = optarg; break;
		case 'l': a->limit = optarg; break;
		case 'j': a->json = 1; break;
		case 'd': a->db = optarg; break;
		case 'h': return -1;
		default: return cli_option_error(name, c, argv);
		}
	if (optind != argc)
		return cli_usage_error(name, "unexpected argument '%s'",
		    argv[optind]);
	if (a->within != NULL && kind != SORTES_DUE)
		return cli_usage_error(name, "--within is for 'followup due'");
	if (a->within != NULL && within_parse(a->within, &a->query.within))
		return cli_usage_error(name, "--within '%s' is not a number of "
		    "days such as 14d or 2w", a->within);
	if (a->limit != NULL && limit_parse(a->limit, &a->page))
		return cli_usage_error(name, "--limit '%s' is not a number of "
		    "rows from 0 (all) to %d", a->limit, DUE_LIMIT_MAX);
	/* One row past the page tells whether there are more. */
	a->query.limit = a->page > 0 ? a->page + 1 : 0;
	if (a->as_of != NULL &&
	    (rc = cli_date_arg(&a->query.as_of, a->as_of, name, "as-of")) != 0)
		return rc;
	return 0;
}

static int
followup_due(int argc, char **argv, enum sortes_due_kind kind)
{
	struct due_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	sortes_jcs_init(&a.jcs);
	rc = due_parse(&a, kind, "followup", argc, argv);
	if (rc == -1)
		return cli_help("followup");
	if (rc != 0)
		return rc;
	return due_list(&a);
}

int
cmd_followup(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub == NULL)
		return cli_usage_error("followup", "expected due, overdue, "
		    "record, missed or calendar");
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)
		return cli_help("followup");
	if (strcmp(sub, "due") == 0)
		return followup_due(argc - 1, argv + 1, SORTES_DUE);
	if (strcmp(sub, "overdue") == 0)
		return followup_due(argc - 1, argv + 1, SORTES_OVERDUE);
	if (strcmp(sub, "record") == 0)
		return followup_record(argc - 1, argv + 1);
	if (strcmp(sub, "missed") == 0)
		return followup_missed(argc - 1, argv + 1);
	if (strcmp(sub, "calendar") == 0)
		return followup_calendar(argc - 1, argv + 1);
	return cli_usage_error("followup", "unknown subcommand '%s'; expected "
	    "due, overdue, record, missed or calendar", sub);
}
