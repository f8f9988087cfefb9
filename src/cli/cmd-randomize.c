/*
 * cmd-randomize.c - sortes randomize: allocate the caseworkers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/randomize.h"
#include "cli.h"

static const struct option randomize_options[] = {
	{ "beacon", required_argument, NULL, 'b' },
	{ "db", required_argument, NULL, 'd' },
	{ "key", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static void
randomize_print(const struct sortes_protocol *p,
    const struct sortes_randomize_result *r)
{
	printf("randomized %zu caseworkers by %s, log entry %lld:",
	    r->ncaseworkers, sortes_method_name(p->method), (long long)r->seq);
	for (size_t a = 0; a < p->narms; a++)
		printf(" %s %zu%s", p->arms[a].code, r->per_arm[a],
		    a + 1 < p->narms ? "," : "\n");
	printf("report %s\n", r->report.data);
	for (size_t i = 0; i < r->ncaseworkers; i++)
		printf("%s\t%s\n", r->codes[i], p->arms[r->arms[i]].code);
}

static int
randomize_run(const char *db_arg, const char *key_arg, const char *beacon)
{
	struct sortes_trial *t = NULL;
	struct sortes_randomize_result r;
	struct sortes_error err = { 0 };
	const char *db = cli_db_path(db_arg);
	char now[21], *key = cli_key_path(key_arg, db);
	int rc;

	memset(&r, 0, sizeof(r));
	if (key == NULL)
		return EXIT_OSERR;
	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, db, &err);
	if (rc == 0)
		rc = sortes_trial_unlock(t, key, &err);
	if (rc == 0)
		rc = sortes_randomize(t, beacon, now, &r, &err);
	if (rc == 0)
		randomize_print(t->protocol, &r);
	sortes_randomize_result_free(&r);
	sortes_trial_close(t);
	free(key);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_randomize(int argc, char **argv)
{
	const char *db = NULL, *key = NULL, *beacon = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:d:k:h", randomize_options,
	    NULL)) != -1)
		switch (c) {
		case 'b': beacon = optarg; break;
		case 'd': db = optarg; break;
		case 'k': key = optarg; break;
		case 'h': return cli_help("randomize");
		default: return cli_option_error("randomize", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("randomize", "unexpected argument '%s'",
		    argv[optind]);
	return randomize_run(db, key, beacon);
}
