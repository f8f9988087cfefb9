/*
 * cmd-verify.c - sortes verify: the auditor's check of chain and tables.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/jcs.h"
#include "sortes/verify.h"
#include "cli.h"

static const struct option verify_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
verify_print_json(const struct sortes_verify_report *r, int rc,
    const struct sortes_error *err)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "entries");
	sortes_jcs_integer(&j, r->entries);
	sortes_jcs_key(&j, "error");
	if (rc == 0)
		sortes_jcs_null(&j);
	else
		sortes_jcs_string(&j, err->msg);
	sortes_jcs_key(&j, "first_bad_entry");
	if (r->bad_seq == 0)
		sortes_jcs_null(&j);
	else
		sortes_jcs_integer(&j, r->bad_seq);
	sortes_jcs_key(&j, "head");
	sortes_jcs_string(&j, r->head);
	sortes_jcs_key(&j, "ok");
	sortes_jcs_boolean(&j, rc == 0);
	sortes_jcs_key(&j, "participants");
	sortes_jcs_integer(&j, r->participants);
	sortes_jcs_object_end(&j);
	if (sortes_jcs_finish(&j, NULL) == 0)
		printf("%s\n", j.data);
	sortes_jcs_free(&j);
}

static int
verify_run(const char *db, int json)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_verify_report r = { 0 };
	int rc;

	if ((rc = sortes_trial_open(&t, cli_db_path(db), &err)) != 0)
		return cli_fail(&err);
	rc = sortes_verify(t, &r, &err);
	sortes_trial_close(t);
	if (json && (rc == 0 || rc == SORTES_EVERIFY))
		verify_print_json(&r, rc, &err);
	else if (rc == 0)
		printf("ok: %lld entries, %lld participants, head %s\n",
		    (long long)r.entries, (long long)r.participants, r.head);
	if (rc != 0)
		return cli_finish(cli_fail(&err));
	return cli_finish(0);
}

int
cmd_verify(int argc, char **argv)
{
	const char *db = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:jh", verify_options,
	    NULL)) != -1)
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("verify");
		default: return cli_option_error("verify", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("verify", "unexpected argument '%s'",
		    argv[optind]);
	return verify_run(db, json);
}
