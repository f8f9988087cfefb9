/*
 * cmd-freeze.c - sortes freeze --signing-key lead.pem: seal the log.
 */
#include <getopt.h>
#include <stdio.h>

#include "sortes/killpoint.h"
#include "sortes/seal.h"
#include "cli.h"

static const struct option freeze_options[] = {
	{ "signing-key", required_argument, NULL, 'k' },
	{ "note", required_argument, NULL, 'n' },
	{ "seal", required_argument, NULL, 's' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct freeze_args {
	const char *key, *note, *seal, *db;
};

/*
 * The freeze is committed but its file is not written: say so, and how
 * to write the seal kept in the database.
 */
static int
freeze_unwritten(const struct sortes_seal *s, const char *db,
    struct sortes_error *err)
{
	int code;

	sortes_error_prefix(err, "the freeze is recorded in the database, but "
	    "its seal file is not written");
	code = cli_fail(err);
	fprintf(stderr, "Write it with 'sortes seal show %lld --db %s "
	    "--output FILE'.\n", (long long)s->entries, db);
	return code;
}

static int
freeze_run(const struct freeze_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_signer *signer = NULL;
	struct sortes_error err = { 0 };
	struct sortes_seal s;
	char now[21], path[4096];
	const char *db = cli_db_path(a->db);
	int rc, committed = 0;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_signer_load_private(&signer, a->key, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, db, &err);
	if (rc == 0)
		rc = sortes_freeze(t, signer, a->note ? a->note : "", now, &s,
		    &err);
	/* The seal is committed before its file exists: a file is never a
	 * signed statement about a head the log does not have. */
	if (rc == 0) {
		committed = 1;
		snprintf(path, sizeof(path), "%s", a->seal ? a->seal : "");
		if (a->seal == NULL)
			snprintf(path, sizeof(path), "%s.seal-%lld", db,
			    (long long)s.entries);
		sortes_kill_point("freeze-committed");
		rc = sortes_seal_write(&s, path, &err);
	}
	if (rc == 0)
		printf("froze %lld entries, head %s\nseal written to %s, signed "
		    "by key %s\n", (long long)s.entries, s.head, path, s.signer);
	sortes_trial_close(t);
	sortes_signer_free(signer);
	if (rc != 0)
		return committed ? freeze_unwritten(&s, db, &err) :
		    cli_fail(&err);
	return cli_finish(0);
}

int
cmd_freeze(int argc, char **argv)
{
	struct freeze_args a = { 0 };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:s:d:h", freeze_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': a.key = optarg; break;
		case 'n': a.note = optarg; break;
		case 's': a.seal = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("freeze");
		default: return cli_option_error("freeze", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("freeze", "unexpected argument '%s'",
		    argv[optind]);
	if (a.key == NULL)
		return cli_usage_error("freeze", "--signing-key FILE "
		    "is required");
	return freeze_run(&a);
}
