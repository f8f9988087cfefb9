/*
 * cmd-protocol.c - sortes protocol check|show.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/protocol.h"
#include "sortes/protocol_json.h"
#include "sortes/trial.h"
#include "cli.h"

static const struct option protocol_options[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

/* One file's line of 'check --json'; 'p' NULL when it was refused. */
static void
check_json(struct sortes_jcs *j, const char *file,
    const struct sortes_protocol *p)
{
	sortes_jcs_object_begin(j);
	if (p != NULL) {
		cli_json_key_integer(j, "arms", (int64_t)p->narms);
		cli_json_key_integer(j, "eligibility_rules", (int64_t)p->nrules);
		cli_json_key_integer(j, "fields", (int64_t)p->nfields);
	}
	cli_json_key_string(j, "file", file);
	if (p != NULL) {
		cli_json_key_integer(j, "follow_ups", (int64_t)p->noccasions);
		cli_json_key_string(j, "method", sortes_method_name(p->method));
	}
	sortes_jcs_key(j, "ok");
	sortes_jcs_boolean(j, p != NULL);
	if (p != NULL) {
		cli_json_key_string(j, "trial", p->id);
		cli_json_key_string(j, "unit", sortes_unit_name(p->unit));
	}
	sortes_jcs_object_end(j);
}

static int
protocol_check(int nfiles, char **files, int json)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;
	int worst = 0;

	if (nfiles == 0)
		return cli_usage_error("protocol", "'check' needs a FILE");
	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "files");
	sortes_jcs_array_begin(&j);
	for (int i = 0; i < nfiles; i++) {
		struct sortes_protocol *p = NULL;
		int code = cli_protocol_load(&p, files[i]);

		if (json)
			check_json(&j, files[i], p);
		if (code != 0) {
			if (worst == 0)
				worst = code;
			continue;
		}
		if (!json)
			printf("%s: ok: trial '%s', %zu arms, %s randomization "
			    "(%s), %zu fields, %zu eligibility rules, %zu "
			    "follow-ups\n", files[i], p->id, p->narms,
			    sortes_unit_name(p->unit),
			    sortes_method_name(p->method), p->nfields,
			    p->nrules, p->noccasions);
		sortes_protocol_free(p);
	}
	sortes_jcs_array_end(&j);
	sortes_jcs_key(&j, "ok");
	sortes_jcs_boolean(&j, worst == 0);
	sortes_jcs_object_end(&j);
	if (!json)
		sortes_jcs_free(&j);
	else if (cli_json_print(&j, &err) != 0)
		return cli_fail(&err);
	return cli_finish(worst);
}

/*
 * The protocol's canonical JSON, byte for byte what the genesis entry
 * commits to (no final newline, so that piping it into sha256sum gives
 * the committed hash); a format-1 trial stores none, so it is derived
 * from the stored file as that format reads it.
 */
static int
protocol_show_json(struct sortes_trial *t, struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc = 0;

	if (t->protocol_json != NULL) {
		fputs(t->protocol_json, stdout);
		return 0;
	}
	sortes_jcs_init(&j);
	rc = sortes_protocol_json(&j, t->protocol, t->log_format, err);
	if (rc == 0)
		fwrite(j.data, 1, j.len, stdout);
	sortes_jcs_free(&j);
	return rc;
}

static int
protocol_show(const char *db, int json)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	rc = cli_trial_read(&t, db, &err);
	if (rc == 0 && json) {
		rc = protocol_show_json(t, &err);
		rc = cli_trial_done(t, rc, &err);
		return rc == 0 ? cli_finish(0) : cli_fail(&err);
	}
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &st,
		    "SELECT protocol FROM trial WHERE id = 1", &err);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);

		if (fwrite(sqlite3_column_blob(st, 0), 1, n, stdout) != n)
			rc = sortes_error_sys(&err, SORTES_EIO, errno, "cannot "
			    "write to standard output");
	} else if (rc == 0)
		rc = sortes_db_fail(t->db, "reading the protocol", &err);
	sqlite3_finalize(st);
	rc = cli_trial_done(t, rc, &err);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_protocol(int argc, char **argv)
{
	const char *db = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":d:hj", protocol_options,
	    NULL)) != -1)
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("protocol");
		default: return cli_option_error("protocol", c, argv);
		}
	if (optind == argc)
		return cli_usage_error("protocol", "expected 'check' or 'show'");
	if (strcmp(argv[optind], "check") == 0)
		return protocol_check(argc - optind - 1, argv + optind + 1,
		    json);
	if (strcmp(argv[optind], "show") == 0 && optind + 1 == argc)
		return protocol_show(db, json);
	return cli_usage_error("protocol", "unexpected argument '%s'",
	    argv[optind]);
}
