/*
 * cmd-unblind.c - sortes unblind: disclose the blinding's mapping and
 * nonce in the log, and print the mapping.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/blind.h"
#include "cli.h"

static const struct option unblind_options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
unblind_print(const struct sortes_trial *t, const struct sortes_blinding *b,
    int64_t seq, struct sortes_error *err)
{
	char label[SORTES_BLIND_LABEL_MAX];
	int rc = cli_printf(err, "disclosed the blinding of log entry %lld in "
	    "log entry %lld:\n", (long long)b->seq, (long long)seq);

	for (size_t k = 0; rc == 0 && k < b->narms; k++) {
		sortes_blind_label(label, k);
		for (size_t i = 0; rc == 0 && i < b->narms; i++)
			if (strcmp(b->labels[i], label) == 0)
				rc = cli_printf(err, "  %s = %s (%s)\n", label,
				    t->protocol->arms[i].code,
				    t->protocol->arms[i].name);
	}
	return rc;
}

static int
unblind_run(const char *db_arg, const char *key_arg)
{
	const char *db = cli_db_path(db_arg);
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	uint8_t seed[32];
	char now[21];
	int64_t seq = 0;
	int rc;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, db, &err);
	if (rc == 0)
		rc = cli_trial_seed(t, db, key_arg, seed, &err);
	if (rc == 0)
		rc = sortes_unblind(t, seed, now, &b, &seq, &err);
	if (rc == 0)
		rc = unblind_print(t, &b, seq, &err);
	sortes_wipe(seed, sizeof(seed));
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_unblind(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:d:h", unblind_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("unblind");
		default: return cli_option_error("unblind", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("unblind", "unexpected argument '%s'",
		    argv[optind]);
	return unblind_run(db, key);
}
