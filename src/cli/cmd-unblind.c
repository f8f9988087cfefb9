/*
 * cmd-unblind.c - sortes unblind: disclose the blinding's mapping and
 * nonce in the log, and print the mapping.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/blind.h"
#include "sortes/jcs.h"
#include "cli.h"

static const struct option unblind_options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
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

/* The disclosure as the log holds it, with the entry numbers. */
static int
unblind_json(const struct sortes_trial *t, const struct sortes_blinding *b,
    int64_t seq, struct sortes_error *err)
{
	struct sortes_jcs mapping, j;
	char nonce[SORTES_SHA256_HEX];
	int rc;

	sortes_hex_encode(nonce, b->nonce, sizeof(b->nonce));
	sortes_jcs_init(&mapping);
	sortes_jcs_init(&j);
	rc = sortes_blind_mapping_json(&mapping, b, t->protocol, err);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "blind");
	sortes_jcs_integer(&j, b->seq);
	sortes_jcs_key(&j, "entry");
	sortes_jcs_integer(&j, seq);
	sortes_jcs_key(&j, "mapping");
	sortes_jcs_raw(&j, mapping.data, mapping.len);
	sortes_jcs_key(&j, "nonce");
	sortes_jcs_string(&j, nonce);
	sortes_jcs_object_end(&j);
	if (rc == 0)
		rc = sortes_jcs_finish(&j, err);
	if (rc == 0)
		rc = cli_printf(err, "%s\n", j.data);
	sortes_jcs_free(&mapping);
	sortes_jcs_free(&j);
	return rc;
}

static int
unblind_run(const char *db_arg, const char *key_arg, int json)
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
		rc = json ? unblind_json(t, &b, seq, &err) :
		    unblind_print(t, &b, seq, &err);
	sortes_wipe(seed, sizeof(seed));
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_unblind(int argc, char **argv)
{
	const char *db = NULL, *key = NULL;
	int c, json = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:d:jh", unblind_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': key = optarg; break;
		case 'd': db = optarg; break;
		case 'j': json = 1; break;
		case 'h': return cli_help("unblind");
		default: return cli_option_error("unblind", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("unblind", "unexpected argument '%s'",
		    argv[optind]);
	return unblind_run(db, key, json);
}
