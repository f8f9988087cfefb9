/*
 * cmd-verify-export.c - sortes verify-export EXPORT --seal FILE
 * --pubkey FILE: an evaluator's check of an allocation or follow-up
 * export, without the database.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "sortes/bundle.h"
#include "cli.h"

static const struct option verify_export_options[] = {
	{ "seal", required_argument, NULL, 's' },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
verify_export_run(const char *export_path, const char *seal_path,
    const char *pubkey)
{
	struct sortes_signer *pub = NULL;
	struct sortes_bundle_report r;
	struct sortes_error err = { 0 };
	struct sortes_seal seal;
	int rc;

	rc = sortes_signer_load_public(&pub, pubkey, &err);
	if (rc == 0)
		rc = sortes_seal_read(&seal, seal_path, &err);
	if (rc == SORTES_EDATA)
		err.code = rc = SORTES_EVERIFY;
	if (rc == 0)
		rc = sortes_bundle_verify(export_path, &seal, pub,
		    cli_local_day, &r, &err);
	sortes_signer_free(pub);
	if (rc != 0)
		return cli_fail(&err);
	printf("ok: %s holds exactly the %lld %s of the %lld log "
	    "entries sealed by key %s, head %s\n", export_path,
	    (long long)r.rows, strcmp(r.kind, "followups") == 0 ?
	    "follow-up rows" : "allocations", (long long)r.entries,
	    seal.signer, seal.head);
	return cli_finish(0);
}

int
cmd_verify_export(int argc, char **argv)
{
	const char *seal = NULL, *pubkey = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:h", verify_export_options,
	    NULL)) != -1)
		switch (c) {
		case 's': seal = optarg; break;
		case 'p': pubkey = optarg; break;
		case 'h': return cli_help("verify-export");
		default: return cli_option_error("verify-export", c, argv);
		}
	if (optind + 1 != argc)
		return cli_usage_error("verify-export", "expected one EXPORT");
	if (seal == NULL || pubkey == NULL)
		return cli_usage_error("verify-export", "--seal FILE and "
		    "--pubkey FILE are required");
	return verify_export_run(argv[optind], seal, pubkey);
}
