/*
 * cmd-export-linkage.c - sortes export linkage: the register-linkage
 * file made from the lead's own list of persons, with its manifest.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/infile.h"
#include "sortes/linkage.h"
#include "sortes/outfile.h"
#include "sortes/seal.h"
#include "cli.h"

enum { OPT_PERSONS = 256 };

static const struct option linkage_options[] = {
	{ "persons", required_argument, NULL, OPT_PERSONS },
	{ "output", required_argument, NULL, 'o' },
	{ "seal", required_argument, NULL, 's' },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "at", required_argument, NULL, 'a' },
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct linkage_args {
	const char *persons, *output, *seal, *pubkey, *at, *key, *db;
};

struct linkage_job {
	const struct linkage_args *a;
	struct sortes_trial *trial;
	struct sortes_seal seal;
	int64_t at;
	FILE *persons;
	struct sortes_outfile *out, *manifest;
	char manifest_path[4096];
	struct sortes_linkage_counts counts;
};

/* Line numbers only: the identifier itself stays out of messages. */
static void
linkage_unenrolled(void *ctx, long line)
{
	struct linkage_job *j = ctx;

	fprintf(stderr, "sortes: %s:%ld: not enrolled by entry %lld; no row "
	    "written\n", j->a->persons, line, (long long)j->at);
}

/*
 * The linkage holds person identifiers: its owner's alone, never over
 * a file.  Its manifest holds none; like an export's, one an
 * interrupted run left is accepted when it is exactly what this writes.
 */
static int
linkage_open(struct linkage_job *j, struct sortes_error *err)
{
	const char *out = j->a->output;
	int n, rc;

	if (out == NULL)
		return 0;
	n = snprintf(j->manifest_path, sizeof(j->manifest_path),
	    "%s.manifest.json", out);
	if (n < 0 || (size_t)n >= sizeof(j->manifest_path))
		return sortes_error_set(err, SORTES_EUSAGE, "--output '%s' is "
		    "too long", out);
	rc = sortes_outfile_open(&j->out, out, 0600, "linkage file", 0, err);
	if (rc == 0)
		rc = sortes_outfile_open(&j->manifest, j->manifest_path, 0644,
		    NULL, SORTES_OUTFILE_SAME_OK, err);
	return rc;
}

static int
linkage_manifest(struct linkage_job *j, struct sortes_error *err)
{
	const char *base = strrchr(j->a->output, '/');
	char sha[SORTES_SHA256_HEX];
	struct sortes_linkage_manifest m = {
		.name = base != NULL ? base + 1 : j->a->output, .sha256 = sha,
		.entries = j->at, .head = j->seal.head, .counts = j->counts,
		.sealed_at = j->a->seal != NULL ? j->seal.sealed_at : NULL,
		.signer = j->a->seal != NULL ? j->seal.signer : NULL,
	};
	struct sortes_jcs json;
	FILE *fp = NULL;
	int rc;

	sortes_jcs_init(&json);
	rc = sortes_outfile_sha256(j->out, sha, err);
	if (rc == 0)
		rc = sortes_linkage_manifest(&json, j->trial, &m, err);
	if (rc == 0)
		rc = sortes_outfile_stream(&fp, j->manifest, err);
	if (rc == 0 && fprintf(fp, "%s\n", json.data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s'", j->manifest_path);
	sortes_jcs_free(&json);
	return rc;
}

/*
 * On standard output the rows are held back until every person of the
 * file is found: a file refused halfway (a person twice, a column
 * missing) prints nothing, as it writes no file.
 */
static int
linkage_stdout(struct linkage_job *j, const struct sortes_linkage_input *in,
    struct sortes_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc;

	if (mem == NULL)
		return sortes_error_sys(err, SORTES_ENOMEM, errno, "cannot "
		    "hold the linkage rows");
	rc = sortes_linkage_write(j->trial, in, mem, &j->counts, err);
	if (fclose(mem) != 0 && rc == 0)
		rc = sortes_error_sys(err, SORTES_ENOMEM, errno, "cannot "
		    "hold the linkage rows");
	if (rc == 0 && fwrite(buf, 1, len, stdout) != len)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "to standard output");
	free(buf);
	return rc;
}

static int
linkage_write(struct linkage_job *j, struct sortes_error *err)
{
	struct sortes_linkage_input in = {
		.persons = j->persons, .name = j->a->persons, .at = j->at,
		.local_day = cli_local_day, .unenrolled = linkage_unenrolled,
		.ctx = j,
	};
	FILE *out = NULL;
	int rc = 0;

	if (j->out == NULL)
		return linkage_stdout(j, &in, err);
	rc = sortes_outfile_stream(&out, j->out, err);
	if (rc == 0 && (rc = sortes_linkage_write(j->trial, &in, out,
	    &j->counts, err)) != 0)
		rc = cli_write_failed(err, out, j->a->output);
	if (rc == 0 && j->manifest != NULL)
		rc = linkage_manifest(j, err);
	return rc;
}

/* The manifest first: a linkage never stands without it. */
static int
linkage_commit(struct linkage_job *j, struct sortes_error *err)
{
	struct sortes_outfile *manifest = j->manifest, *out = j->out;
	int rc = 0;

	j->manifest = j->out = NULL;
	if (manifest != NULL)
		rc = sortes_outfile_commit(manifest, err);
	if (rc == 0 && out != NULL)
		return sortes_outfile_commit(out, err);
	sortes_outfile_abandon(out);
	return rc;
}

static void
linkage_report(const struct linkage_job *j)
{
	if (j->a->output == NULL)
		return;
	printf("wrote %lld row%s to %s (mode 0600) as of entry %lld, head %s; "
	    "%lld person%s not enrolled\n", (long long)j->counts.rows,
	    j->counts.rows == 1 ? "" : "s", j->a->output, (long long)j->at,
	    j->seal.head, (long long)j->counts.unenrolled,
	    j->counts.unenrolled == 1 ? "" : "s");
	printf("manifest %s\n", j->manifest_path);
}

static int
linkage_run(const struct linkage_args *a)
{
	struct linkage_job j = { .a = a };
	struct sortes_error err = { 0 };
	int rc;

	rc = cli_trial_read(&j.trial, a->db, &err);
	if (rc == 0)
		rc = cli_find_unlock(j.trial, a->db, a->key, &err);
	if (rc == 0)
		rc = cli_as_of(j.trial, a->seal, a->pubkey, a->at, &j.seal,
		    &j.at, &err);
	if (rc == 0)
		rc = sortes_infile_open(&j.persons, a->persons, "persons file",
		    &err);
	if (rc == 0)
		rc = linkage_open(&j, &err);
	if (rc == 0)
		rc = linkage_write(&j, &err);
	/* A read that another process's write may have torn is not linked. */
	if (rc == 0)
		rc = sortes_db_unchanged(j.trial->db, &err);
	if (rc == 0)
		rc = linkage_commit(&j, &err);
	sortes_outfile_abandon(j.manifest);
	sortes_outfile_abandon(j.out);
	if (j.persons != NULL)
		fclose(j.persons);
	sortes_trial_close(j.trial);
	if (rc != 0)
		return cli_fail(&err);
	linkage_report(&j);
	return cli_finish(0);
}

static int
linkage_check(const struct linkage_args *a)
{
	if (a->persons == NULL)
		return cli_usage_error("export", "export linkage needs "
		    "--persons FILE");
	if (a->seal != NULL && a->at != NULL)
		return cli_usage_error("export", "give --seal or --at, not both");
	if (a->pubkey != NULL && a->seal == NULL)
		return cli_usage_error("export", "--pubkey goes with --seal");
	return 0;
}

int
export_linkage(int argc, char **argv)
{
	struct linkage_args a = { 0 };
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:s:p:a:k:d:h", linkage_options,
	    NULL)) != -1)
		switch (c) {
		case OPT_PERSONS: a.persons = optarg; break;
		case 'o': a.output = optarg; break;
		case 's': a.seal = optarg; break;
		case 'p': a.pubkey = optarg; break;
		case 'a': a.at = optarg; break;
		case 'k': a.key = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("export");
		default: return cli_option_error("export", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("export", "unexpected argument '%s'",
		    argv[optind]);
	return (rc = linkage_check(&a)) != 0 ? rc : linkage_run(&a);
}
