/*
 * cmd-verify.c - sortes verify: the auditor's check of chain and tables.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/jcs.h"
#include "sortes/replay.h"
#include "sortes/seal.h"
#include "sortes/verify.h"
#include "cli.h"

#define SEALS_MAX 256

static const struct option verify_options[] = {
	{ "seal", required_argument, NULL, 's' },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "replay", no_argument, NULL, 'r' },
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct verify_args {
	const char *db, *pubkey, *key;
	int replay;
	const char *seals[SEALS_MAX];
	size_t nseals;
	int json;
};

static void
verify_print_json(const struct sortes_verify_report *r, int64_t seals, int rc,
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
	sortes_jcs_key(&j, "seals");
	sortes_jcs_integer(&j, seals);
	sortes_jcs_object_end(&j);
	if (sortes_jcs_finish(&j, NULL) == 0)
		printf("%s\n", j.data);
	sortes_jcs_free(&j);
}

/* The revealed seed, or before the reveal the key file's. */
static int
replay_seed(struct sortes_trial *t, const struct verify_args *a,
    uint8_t seed[32], struct sortes_error *err)
{
	int found, rc = sortes_replay_revealed_seed(t, seed, &found, err);

	if (rc != 0 || found)
		return rc;
	if (a->key == NULL)
		return sortes_error_set(err, SORTES_EUSAGE, "the seed is not "
		    "revealed yet: replaying needs --key, the trial's key file");
	if ((rc = sortes_trial_unlock(t, a->key, err)) != 0)
		return rc;
	memcpy(seed, t->key.seed, 32);
	return 0;
}

static int
verify_replay(struct sortes_trial *t, const struct verify_args *a,
    int64_t *replayed, struct sortes_error *err)
{
	struct sortes_replay_report rep;
	uint8_t seed[32];
	int rc = replay_seed(t, a, seed, err);

	if (rc == 0)
		rc = sortes_replay(t, seed, &rep, err);
	sortes_wipe(seed, sizeof(seed));
	*replayed = rc == 0 ? rep.allocations : 0;
	return rc;
}

/* The chain and tables first; seals and replay only over a sound chain. */
static int
verify_all(struct sortes_trial *t, const struct verify_args *a,
    struct sortes_verify_report *r, int64_t *seals, int64_t *replayed,
    struct sortes_error *err)
{
	struct sortes_signer *pub = NULL;
	int rc = 0;

	if (a->pubkey != NULL)
		rc = sortes_signer_load_public(&pub, a->pubkey, err);
	if (rc == 0)
		rc = cli_use_zone(t->protocol->timezone, err);
	if (rc == 0)
		rc = sortes_verify(t, cli_local_day, r, err);
	if (rc == 0)
		rc = sortes_seals_verify(t, a->seals, a->nseals, pub, seals, err);
	if (rc == 0 && a->replay)
		rc = verify_replay(t, a, replayed, err);
	sortes_signer_free(pub);
	return rc;
}

static int
verify_run(const struct verify_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_verify_report r = { 0 };
	int64_t seals = 0, replayed = -1;
	int rc;

	if ((rc = cli_trial_read(&t, a->db, &err)) != 0)
		return cli_fail(&err);
	rc = verify_all(t, a, &r, &seals, &replayed, &err);
	rc = cli_trial_done(t, rc, &err);
	if (a->json && (rc == 0 || rc == SORTES_EVERIFY))
		verify_print_json(&r, seals, rc, &err);
	else if (rc == 0)
		printf("ok: %lld entries, %lld participants, %lld seal%s%s, "
		    "head %s\n", (long long)r.entries,
		    (long long)r.participants, (long long)seals,
		    seals == 1 ? "" : "s",
		    a->pubkey != NULL ? " (signatures checked)" : "", r.head);
	if (rc == 0 && a->replay)
		printf("replay: all %lld allocations re-derived from the seed "
		    "match the log\n", (long long)replayed);
	if (rc != 0)
		return cli_finish(cli_fail(&err));
	return cli_finish(0);
}

int
cmd_verify(int argc, char **argv)
{
	struct verify_args a = { 0 };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:k:d:jh", verify_options,
	    NULL)) != -1)
		switch (c) {
		case 's':
			if (a.nseals == SEALS_MAX)
				return cli_usage_error("verify", "more than %d "
				    "--seal options", SEALS_MAX);
			a.seals[a.nseals++] = optarg;
			break;
		case 'p': a.pubkey = optarg; break;
		case 'r': a.replay = 1; break;
		case 'k': a.key = optarg; break;
		case 'd': a.db = optarg; break;
		case 'j': a.json = 1; break;
		case 'h': return cli_help("verify");
		default: return cli_option_error("verify", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("verify", "unexpected argument '%s'",
		    argv[optind]);
	return verify_run(&a);
}
