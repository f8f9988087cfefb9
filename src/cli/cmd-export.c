/*
 * cmd-export.c - sortes export allocations, sortes export followups.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/blind.h"
#include "sortes/bundle.h"
#include "sortes/export.h"
#include "sortes/export_followups.h"
#include "sortes/killpoint.h"
#include "sortes/outfile.h"
#include "sortes/seal.h"
#include "cli.h"

static const struct option export_options[] = {
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "seal", required_argument, NULL, 's' },
	{ "at", required_argument, NULL, 'a' },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "dictionary", required_argument, NULL, 'D' },
	{ "blinded", no_argument, NULL, 'B' },
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct export_args {
	const char *db, *output, *seal, *at, *pubkey, *dictionary, *key;
	enum sortes_export_format format;
	int followups;			/* export followups */
	int blinded;
};

/* Room for a file name the export writes beside FILE. */
#define NAME_BUF 4096

/*
 * The mapping of a blinded export (NULL when not blinded): drawn from
 * the seed and checked against the logged commitment.  As of entry
 * 'at' (0: now), the commitment must be in the log by then.
 */
static int
export_blinding(struct sortes_trial *t, const struct export_args *a,
    int64_t at, struct sortes_blinding *b, const struct sortes_blinding **out,
    struct sortes_error *err)
{
	uint8_t seed[32];
	int rc;

	*out = NULL;
	if (!a->blinded)
		return 0;
	rc = cli_trial_seed(t, cli_db_path(a->db), a->key, seed, err);
	if (rc == 0)
		rc = sortes_blind_open(t, seed, b, err);
	sortes_wipe(seed, sizeof(seed));
	if (rc == 0 && at > 0 && b->seq > at)
		rc = sortes_error_set(err, SORTES_EUNSUPPORTED, "the blinding "
		    "commitment is log entry %lld, after entry %lld that the "
		    "export is as of: commit with 'sortes blind' before the "
		    "freeze", (long long)b->seq, (long long)at);
	if (rc == 0)
		*out = b;
	return rc;
}

/* CSVW's name for a file's metadata: FILE-metadata.json. */
static const char metadata_suffix[] = "-metadata.json";

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * The files of an export: the export itself (unless on stdout) and,
 * as of a seal or entry, its manifest and log extract.  They are put in
 * place all or nothing as the export is seen: the log extract and the
 * manifest first, the export last, so that an export never stands
 * without them.  An export at a seal or entry is the same bytes every
 * time, so the extract and manifest that an interrupted run left are
 * accepted by the next one when, and only when, they are exactly what
 * it writes.
 */
struct export_files {
	struct sortes_outfile *out, *manifest, *log;
	/* A follow-up export's: its dictionary and protocol (JSON form). */
	struct sortes_outfile *dict, *protocol, *protocol_json;
};

static int
export_open(struct export_files *f, const struct export_args *a, int frozen,
    struct sortes_error *err)
{
	char path[4096];
	int rc;

	memset(f, 0, sizeof(*f));
	if (a->output == NULL)
		return 0;
	rc = sortes_outfile_open(&f->out, a->output, 0644, NULL, 0, err);
	if (rc != 0 || !frozen)
		return rc;
	snprintf(path, sizeof(path), "%s.manifest.json", a->output);
	rc = sortes_outfile_open(&f->manifest, path, 0644, NULL,
	    SORTES_OUTFILE_SAME_OK, err);
	snprintf(path, sizeof(path), "%s.log", a->output);
	/* The extract holds baseline data: its owner alone reads it.  A
	 * blinded export has none, for the log holds the arms. */
	if (rc == 0 && !a->blinded)
		rc = sortes_outfile_open(&f->log, path, 0600, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	return rc;
}

/* Commit one file, which is gone from 'f' either way. */
static int
export_put(struct sortes_outfile **f, const char *step,
    struct sortes_error *err)
{
	int rc;

	if (*f == NULL)
		return 0;
	rc = sortes_outfile_commit(*f, err);
	*f = NULL;
	if (rc == 0 && step != NULL)
		sortes_kill_point(step);
	return rc;
}

static int
export_commit(struct export_files *f, struct sortes_error *err)
{
	int rc = export_put(&f->log, "export-log-linked", err);

	if (rc == 0)
		rc = export_put(&f->protocol, NULL, err);
	if (rc == 0)
		rc = export_put(&f->protocol_json, NULL, err);
	if (rc == 0)
		rc = export_put(&f->dict, "export-dictionary-linked", err);
	if (rc == 0)
		rc = export_put(&f->manifest, "export-manifest-linked", err);
	if (rc == 0)
		rc = export_put(&f->out, NULL, err);
	return rc;
}

static void
export_abandon(struct export_files *f)
{
	sortes_outfile_abandon(f->out);
	sortes_outfile_abandon(f->manifest);
	sortes_outfile_abandon(f->log);
	sortes_outfile_abandon(f->dict);
	sortes_outfile_abandon(f->protocol);
	sortes_outfile_abandon(f->protocol_json);
}

/*
 * The manifest of the export in f->out; 'dict' is a follow-up export's
 * dictionary (its name and SHA-256), or NULL.
 */
static int
export_manifest(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal,
    const struct sortes_blinding *blind, int64_t rows,
    const char *const *dict, struct sortes_error *err)
{
	char sha[SORTES_SHA256_HEX];
	const char *base = strrchr(a->output, '/');
	struct sortes_manifest m = {
		.kind = dict != NULL ? "followups" : NULL,
		.dictionary = dict != NULL ? dict[0] : NULL,
		.dictionary_sha256 = dict != NULL ? dict[1] : NULL,
		.name = base != NULL ? base + 1 : a->output, .sha256 = sha,
		.format = a->format, .entries = seal->entries,
		.head = seal->head, .rows = rows,
		.sealed_at = a->seal != NULL ? seal->sealed_at : NULL,
		.signer = a->seal != NULL ? seal->signer : NULL,
		.blind_commitment = blind != NULL ? blind->commitment : NULL,
		.blind_seq = blind != NULL ? blind->seq : 0,
	};
	struct sortes_jcs j;
	FILE *fp = NULL;
	int rc;

	sortes_jcs_init(&j);
	rc = sortes_outfile_sha256(f->out, sha, err);
	if (rc == 0)
		rc = sortes_export_manifest(&j, t, &m, err);
	if (rc == 0)
		rc = sortes_outfile_stream(&fp, f->manifest, err);
	if (rc == 0 && fprintf(fp, "%s\n", j.data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s.manifest.json'", a->output);
	sortes_jcs_free(&j);
	return rc;
}

/* The log extract: the entries up to the one the export is as of. */
static int
export_log(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, int64_t at, struct sortes_error *err)
{
	char path[NAME_BUF];
	FILE *log = NULL;
	int rc = sortes_outfile_stream(&log, f->log, err);

	if (rc == 0 && (rc = sortes_bundle_write_log(t, log, at, err)) != 0) {
		snprintf(path, sizeof(path), "%s.log", a->output);
		rc = cli_write_failed(err, log, path);
	}
	return rc;
}

/* No line between the rows of an export that goes to the terminal. */
static const struct sortes_progress *
export_progress(FILE *out)
{
	if (out == stdout && isatty(STDOUT_FILENO))
		return NULL;
	return cli_progress("export");
}

/* The export itself, then its manifest and log extract. */
static int
export_write(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal, int64_t at,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	FILE *out = stdout;
	int64_t rows = 0;
	int rc = 0;

	if (f->out != NULL)
		rc = sortes_outfile_stream(&out, f->out, err);
	t->progress = export_progress(out);
	if (rc == 0)
		rc = sortes_export_allocations_blinded(t, out, a->format, at,
		    blind, &rows, err);
	cli_progress_end();
	if (rc != 0)
		return cli_write_failed(err, out, a->output);
	if (f->manifest == NULL)
		return rc;
	rc = export_manifest(t, a, f, seal, blind, rows, NULL, err);
	if (rc == 0 && f->log == NULL)
		return rc;
	return rc == 0 ? export_log(t, a, f, at, err) : rc;
}

/*
 * A follow-up export as of a seal or entry also has beside it what
 * verify-export rebuilds it with: its dictionary, and the protocol as
 * the trial stores it (and its JSON form, which a trial of log format
 * 2 on commits to).
 */
static int
followups_open(struct export_files *f, const struct export_args *a,
    const struct sortes_trial *t, struct sortes_error *err)
{
	static const char *const suffix[] = { metadata_suffix, ".protocol",
	    ".protocol.json" };
	struct sortes_outfile **file[] = { &f->dict, &f->protocol,
	    &f->protocol_json };
	char path[NAME_BUF];
	int rc = export_open(f, a, 1, err);

	for (size_t i = 0; rc == 0 && i < 3; i++) {
		if (i == 2 && t->protocol_json == NULL)
			break;
		snprintf(path, sizeof(path), "%s%s", a->output, suffix[i]);
		rc = sortes_outfile_open(file[i], path, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	}
	return rc;
}

/*
 * The dictionary, named by the export; dict[0] (NAME_BUF bytes) and
 * dict[1] receive its file name and SHA-256 for the manifest.
 */
static int
followups_dictionary(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, char *dict[2], struct sortes_error *err)
{
	struct sortes_jcs j;
	FILE *fp = NULL;
	int rc;

	sortes_jcs_init(&j);
	rc = sortes_export_followups_dictionary(&j, t, base_name(a->output),
	    err);
	if (rc == 0)
		rc = sortes_outfile_stream(&fp, f->dict, err);
	if (rc == 0 && fprintf(fp, "%s\n", j.data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s%s'", a->output, metadata_suffix);
	if (rc == 0)
		rc = sortes_outfile_sha256(f->dict, dict[1], err);
	snprintf(dict[0], NAME_BUF, "%s%s", base_name(a->output),
	    metadata_suffix);
	sortes_jcs_free(&j);
	return rc;
}

/* The protocol's file and JSON form, as the trial stores them. */
static int
followups_protocol(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, struct sortes_error *err)
{
	FILE *fp = NULL;
	int rc = sortes_outfile_stream(&fp, f->protocol, err);

	if (rc == 0)
		rc = sortes_bundle_write_protocol(t, fp, err);
	if (rc == 0 && f->protocol_json != NULL &&
	    (rc = sortes_outfile_stream(&fp, f->protocol_json, err)) == 0 &&
	    fputs(t->protocol_json, fp) == EOF)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s.protocol.json'", a->output);
	return rc;
}

/* A follow-up export as of entry 'at', and the files beside it. */
static int
followups_write_at(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal, int64_t at,
    struct sortes_error *err)
{
	char name[NAME_BUF], sha[SORTES_SHA256_HEX], *dict[2] = { name, sha };
	FILE *out = NULL;
	int64_t rows = 0;
	int rc = sortes_outfile_stream(&out, f->out, err);

	if (rc == 0 && (rc = sortes_export_followups_at(t, out, a->format, at,
	    cli_local_day, &rows, err)) != 0)
		return cli_write_failed(err, out, a->output);
	if (rc == 0)
		rc = followups_dictionary(t, a, f, dict, err);
	if (rc == 0)
		rc = export_manifest(t, a, f, seal, NULL, rows,
		    (const char *const *)dict, err);
	if (rc == 0)
		rc = followups_protocol(t, a, f, err);
	return rc == 0 ? export_log(t, a, f, at, err) : rc;
}

/* The files of an export as of a seal or entry, or as it stands. */
static int
export_files_write(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal, int64_t at,
    int frozen, const struct sortes_blinding *blind, struct sortes_error *err)
{
	int rc;

	if (!a->followups) {
		rc = export_open(f, a, frozen, err);
		return rc == 0 ? export_write(t, a, f, seal, at, blind, err) : rc;
	}
	rc = cli_use_zone(t->protocol->timezone, err);
	if (rc == 0)
		rc = followups_open(f, a, t, err);
	return rc == 0 ? followups_write_at(t, a, f, seal, at, err) : rc;
}

static int
export_run(const struct export_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct export_files f = { 0 };
	struct sortes_seal seal;
	struct sortes_blinding b;
	const struct sortes_blinding *blind = NULL;
	int64_t at = 0;
	int frozen = a->seal != NULL || a->at != NULL;
	int rc;

	memset(&seal, 0, sizeof(seal));
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && frozen)
		rc = cli_as_of(t, a->seal, a->pubkey, a->at, &seal, &at, &err);
	if (rc == 0)
		rc = export_blinding(t, a, at, &b, &blind, &err);
	if (rc == 0)
		rc = export_files_write(t, a, &f, &seal, at, frozen, blind, &err);
	/* A read that another process's write may have torn is not linked. */
	if (rc == 0)
		rc = sortes_db_unchanged(t->db, &err);
	if (rc == 0)
		rc = export_commit(&f, &err);
	export_abandon(&f);
	sortes_wipe(&b, sizeof(b));
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

/* Where 'export followups' writes, settled before anything is written. */
struct followups_files {
	const char *output;		/* or NULL: stdout */
	const char *dictionary;		/* or NULL: no dictionary */
	char sidecar[4096];		/* OUTPUT-metadata.json */
	char url[4096];			/* what the dictionary calls the export */
};

/*
 * The dictionary names the export: by the --output file's name, or,
 * on stdout, by the one CSVW's naming convention implies for the
 * dictionary (F-metadata.json describes F), or else a plain default.
 */
static int
followups_url(struct followups_files *f, const struct export_args *a)
{
	const char *name = base_name(f->output != NULL ? f->output :
	    f->dictionary);
	size_t n = strlen(name), m = sizeof(metadata_suffix) - 1;

	if (f->output == NULL && n > m &&
	    strcmp(name + n - m, metadata_suffix) == 0)
		n -= m;
	else if (f->output == NULL) {
		name = a->format == SORTES_EXPORT_CSV ? "followups.csv" :
		    "followups.json";
		n = strlen(name);
	}
	if (n >= sizeof(f->url))
		return cli_usage_error("export", "file name '%s' is too long",
		    name);
	memcpy(f->url, name, n);
	f->url[n] = '\0';
	return 0;
}

/*
 * The files to write: the export (--output), and the dictionary
 * (--dictionary, or beside a CSV --output as CSVW names it).  Returns
 * 0, or the exit code of the usage error it printed.
 */
static int
followups_files(struct followups_files *f, const struct export_args *a)
{
	int n;

	memset(f, 0, sizeof(*f));
	f->output = a->output;
	f->dictionary = a->dictionary;
	if (f->dictionary == NULL && f->output != NULL &&
	    a->format == SORTES_EXPORT_CSV) {
		n = snprintf(f->sidecar, sizeof(f->sidecar), "%s%s", f->output,
		    metadata_suffix);
		if (n < 0 || (size_t)n >= sizeof(f->sidecar))
			return cli_usage_error("export", "--output '%s' is too "
			    "long", f->output);
		f->dictionary = f->sidecar;
	}
	if (f->dictionary == NULL)
		return 0;
	return followups_url(f, a);
}

/*
 * The dictionary is put in place before the export, which it
 * describes; like an export's manifest, one that an interrupted run
 * left is accepted when it is exactly what this one writes.
 */
static int
followups_write(struct sortes_trial *t, enum sortes_export_format format,
    const struct followups_files *f, const struct sortes_jcs *dict,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	struct sortes_outfile *out = NULL, *dfp = NULL;
	FILE *fp = stdout, *dp = NULL;
	int64_t rows;
	int rc = 0;

	if (f->output != NULL)
		rc = sortes_outfile_open(&out, f->output, 0644, NULL, 0, err);
	if (rc == 0 && f->dictionary != NULL)
		rc = sortes_outfile_open(&dfp, f->dictionary, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	if (rc == 0 && out != NULL)
		rc = sortes_outfile_stream(&fp, out, err);
	t->progress = export_progress(fp);
	if (rc == 0 && (rc = sortes_export_followups_blinded(t, fp, format,
	    blind, &rows, err)) != 0)
		rc = cli_write_failed(err, fp, f->output);
	cli_progress_end();
	if (rc == 0 && dfp != NULL &&
	    (rc = sortes_outfile_stream(&dp, dfp, err)) == 0 &&
	    fprintf(dp, "%s\n", dict->data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s'", f->dictionary);
	if (rc == 0)
		rc = sortes_db_unchanged(t->db, err);
	if (rc == 0)
		rc = export_put(&dfp, "export-dictionary-linked", err);
	if (rc == 0)
		rc = export_put(&out, NULL, err);
	sortes_outfile_abandon(dfp);
	sortes_outfile_abandon(out);
	return rc;
}

static int
followups_run(const struct export_args *a)
{
	struct followups_files f;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_jcs dict;
	struct sortes_blinding b;
	const struct sortes_blinding *blind = NULL;
	int rc;

	if ((rc = followups_files(&f, a)) != 0)
		return rc;
	sortes_jcs_init(&dict);
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0)
		rc = export_blinding(t, a, 0, &b, &blind, &err);
	if (rc == 0 && f.dictionary != NULL)
		rc = sortes_export_followups_dictionary_blinded(&dict, t, f.url,
		    blind, &err);
	if (rc == 0)
		rc = followups_write(t, a->format, &f, &dict, blind, &err);
	sortes_jcs_free(&dict);
	sortes_wipe(&b, sizeof(b));
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

/* An export as of a seal or entry: what it takes, and what it needs. */
static int
frozen_check(const struct export_args *a)
{
	if (a->seal != NULL && a->at != NULL)
		return cli_usage_error("export", "give --seal or --at, not both");
	if ((a->seal != NULL || a->at != NULL) && a->output == NULL)
		return cli_usage_error("export", "--seal and --at write a "
		    "manifest beside the export: give --output FILE");
	if (a->pubkey != NULL && a->seal == NULL)
		return cli_usage_error("export", "--pubkey goes with --seal");
	return 0;
}

/* The dictionary is the follow-up export's. */
static int
allocations_check(const struct export_args *a)
{
	if (a->dictionary != NULL)
		return cli_usage_error("export", "--dictionary goes with "
		    "'export followups'");
	return frozen_check(a);
}

/*
 * As of a seal or entry, the dictionary is where verify-export looks
 * for it: beside the export, as CSVW names it.
 */
static int
followups_check(const struct export_args *a)
{
	if (a->dictionary != NULL && (a->seal != NULL || a->at != NULL))
		return cli_usage_error("export", "--dictionary goes with an "
		    "export as it stands; with --seal or --at the dictionary "
		    "is FILE-metadata.json beside the export");
	if (a->blinded && (a->seal != NULL || a->at != NULL))
		return cli_usage_error("export", "--blinded follow-ups are "
		    "exported as they stand: --seal and --at go with blinded "
		    "'export allocations'");
	return frozen_check(a);
}

int
cmd_export(int argc, char **argv)
{
	struct export_args a = { .format = SORTES_EXPORT_CSV };
	const char *format = "csv", *what;
	int c, rc;

	if (argc > 1 && strcmp(argv[1], "linkage") == 0)
		return export_linkage(argc - 1, argv + 1);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:o:s:a:p:Bk:d:h",
	    export_options, NULL)) != -1)
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': a.output = optarg; break;
		case 's': a.seal = optarg; break;
		case 'a': a.at = optarg; break;
		case 'p': a.pubkey = optarg; break;
		case 'D': a.dictionary = optarg; break;
		case 'B': a.blinded = 1; break;
		case 'k': a.key = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("export");
		default: return cli_option_error("export", c, argv);
		}
	what = optind < argc ? argv[optind] : "";
	if (strcmp(what, "allocations") != 0 && strcmp(what, "followups") != 0)
		return cli_usage_error("export", "expected 'allocations' or "
		    "'followups'");
	if (optind + 1 != argc)
		return cli_usage_error("export", "unexpected argument '%s'",
		    argv[optind + 1]);
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("export", "--format '%s' is not csv or "
		    "json", format);
	a.format = strcmp(format, "csv") == 0 ? SORTES_EXPORT_CSV :
	    SORTES_EXPORT_JSON;
	a.followups = strcmp(what, "followups") == 0;
	if (a.key != NULL && !a.blinded)
		return cli_usage_error("export", "--key goes with --blinded");
	rc = a.followups ? followups_check(&a) : allocations_check(&a);
	if (rc != 0)
		return rc;
	/* Follow-ups as they stand are read from the tables. */
	if (a.followups && a.seal == NULL && a.at == NULL)
		return followups_run(&a);
	return export_run(&a);
}
