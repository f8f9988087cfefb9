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
	int frozen;			/* as of a seal or entry */
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

/* Where an export and its dictionary go, settled before anything is written. */
struct export_names {
	const char *output;		/* or NULL: stdout */
	const char *dictionary;		/* or NULL: no dictionary */
	char sidecar[NAME_BUF];		/* OUTPUT-metadata.json */
	char url[NAME_BUF];		/* what the dictionary calls the export */
};

/* CSVW's name for a file's metadata: FILE-metadata.json. */
static const char metadata_suffix[] = "-metadata.json";

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/*
 * The dictionary names the export: by the --output file's name, or,
 * on stdout, by the one CSVW's naming convention implies for the
 * dictionary (F-metadata.json describes F), or else a plain default.
 */
static int
export_url(struct export_names *f, const struct export_args *a)
{
	char fallback[64];
	const char *name = base_name(f->output != NULL ? f->output :
	    f->dictionary);
	size_t n = strlen(name), m = sizeof(metadata_suffix) - 1;

	if (f->output == NULL && n > m &&
	    strcmp(name + n - m, metadata_suffix) == 0)
		n -= m;
	else if (f->output == NULL) {
		snprintf(fallback, sizeof(fallback), "%s.%s", a->followups ?
		    "followups" : "allocations", a->format == SORTES_EXPORT_CSV ?
		    "csv" : "json");
		name = fallback;
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
 * (--dictionary, or beside the --output as CSVW names it: for a CSV
 * export, and for a follow-up export as of a seal or entry, which
 * verify-export checks).  Returns 0, or the exit code of the usage
 * error it printed.
 */
static int
export_names(struct export_names *f, const struct export_args *a)
{
	int n;

	memset(f, 0, sizeof(*f));
	f->output = a->output;
	f->dictionary = a->dictionary;
	if (f->dictionary == NULL && f->output != NULL &&
	    (a->format == SORTES_EXPORT_CSV || (a->followups && a->frozen))) {
		n = snprintf(f->sidecar, sizeof(f->sidecar), "%s%s", f->output,
		    metadata_suffix);
		if (n < 0 || (size_t)n >= sizeof(f->sidecar))
			return cli_usage_error("export", "--output '%s' is too "
			    "long", f->output);
		f->dictionary = f->sidecar;
	}
	if (f->dictionary == NULL)
		return 0;
	return export_url(f, a);
}

/*
 * The files of an export: the export itself (unless on stdout), its
 * dictionary and, as of a seal or entry, its manifest, log extract and
 * protocol (and a follow-up export's protocol in JSON form).  They are
 * put in place all or nothing as the export is seen: the others first,
 * the export last, so that an export never stands without them.  An
 * export at a seal or entry is the same bytes every time, so the files
 * beside it that an interrupted run left are accepted by the next one
 * when, and only when, they are exactly what it writes.
 */
struct export_files {
	struct sortes_outfile *out, *manifest, *log, *dict;
	struct sortes_outfile *protocol, *protocol_json;
};

static int
export_open_beside(struct sortes_outfile **f, const char *output,
    const char *suffix, int mode, struct sortes_error *err)
{
	char path[NAME_BUF];

	snprintf(path, sizeof(path), "%s%s", output, suffix);
	return sortes_outfile_open(f, path, mode, NULL, SORTES_OUTFILE_SAME_OK,
	    err);
}

static int
export_open(struct export_files *f, const struct export_args *a,
    const struct export_names *names, const struct sortes_trial *t,
    struct sortes_error *err)
{
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (a->output != NULL)
		rc = sortes_outfile_open(&f->out, a->output, 0644, NULL, 0, err);
	if (rc == 0 && names->dictionary != NULL)
		rc = sortes_outfile_open(&f->dict, names->dictionary, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	if (rc != 0 || !a->frozen)
		return rc;
	rc = export_open_beside(&f->manifest, a->output, ".manifest.json",
	    0644, err);
	if (rc == 0)
		rc = export_open_beside(&f->protocol, a->output, ".protocol",
		    0644, err);
	if (rc == 0 && a->followups && t->protocol_json != NULL)
		rc = export_open_beside(&f->protocol_json, a->output,
		    ".protocol.json", 0644, err);
	/* The extract holds baseline data: its owner alone reads it.  A
	 * blinded export has none, for the log holds the arms. */
	if (rc == 0 && !a->blinded)
		rc = export_open_beside(&f->log, a->output, ".log", 0600, err);
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
 * The manifest of the export in f->out; a follow-up export's names
 * its dictionary (f->dict, 'names->dictionary').
 */
static int
export_manifest(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct export_names *names,
    const struct sortes_seal *seal, const struct sortes_blinding *blind,
    int64_t rows, struct sortes_error *err)
{
	char sha[SORTES_SHA256_HEX], dsha[SORTES_SHA256_HEX];
	struct sortes_manifest m = {
		.kind = a->followups ? "followups" : NULL,
		.dictionary = a->followups ? base_name(names->dictionary) :
		    NULL,
		.dictionary_sha256 = a->followups ? dsha : NULL,
		.name = base_name(a->output), .sha256 = sha,
		.format = a->format,
		.layout = a->followups ? 1 : SORTES_EXPORT_LAYOUT,
		.entries = seal->entries, .head = seal->head, .rows = rows,
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
	if (rc == 0 && a->followups)
		rc = sortes_outfile_sha256(f->dict, dsha, err);
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

/* The protocol's file and a follow-up export's JSON form, as stored. */
static int
export_protocol(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, struct sortes_error *err)
{
	char path[NAME_BUF];
	FILE *fp = NULL;
	int rc = sortes_outfile_stream(&fp, f->protocol, err);

	if (rc == 0 && (rc = sortes_bundle_write_protocol(t, fp, err)) != 0) {
		snprintf(path, sizeof(path), "%s.protocol", a->output);
		return cli_write_failed(err, fp, path);
	}
	if (rc == 0 && f->protocol_json != NULL &&
	    (rc = sortes_outfile_stream(&fp, f->protocol_json, err)) == 0 &&
	    fputs(t->protocol_json, fp) == EOF)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s.protocol.json'", a->output);
	return rc;
}

/* The dictionary's one line of canonical JSON, into its file. */
static int
export_dictionary(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct export_names *names,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	struct sortes_jcs j;
	FILE *fp = NULL;
	int rc;

	if (f->dict == NULL)
		return 0;
	sortes_jcs_init(&j);
	rc = a->followups ? sortes_export_followups_dictionary_blinded(&j, t,
	    names->url, blind, err) : sortes_export_allocations_dictionary(&j,
	    t, names->url, blind, err);
	if (rc == 0)
		rc = sortes_outfile_stream(&fp, f->dict, err);
	if (rc == 0 && fprintf(fp, "%s\n", j.data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s'", names->dictionary);
	sortes_jcs_free(&j);
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

/* The rows: from the tables, or, for follow-ups as of an entry, the log. */
static int
export_rows(struct sortes_trial *t, const struct export_args *a, FILE *out,
    int64_t at, const struct sortes_blinding *blind, int64_t *rows,
    struct sortes_error *err)
{
	if (!a->followups)
		return sortes_export_allocations_blinded(t, out, a->format, at,
		    blind, rows, err);
	if (a->frozen)
		return sortes_export_followups_at_blinded(t, out, a->format,
		    at, cli_local_day, blind, rows, err);
	return sortes_export_followups_blinded(t, out, a->format, blind, rows,
	    err);
}

/* The export itself, then its dictionary, manifest, protocol and log. */
static int
export_write(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct export_names *names,
    const struct sortes_seal *seal, int64_t at,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	FILE *out = stdout;
	int64_t rows = 0;
	int rc = 0;

	if (f->out != NULL)
		rc = sortes_outfile_stream(&out, f->out, err);
	if (rc == 0) {
		t->progress = export_progress(out);
		rc = export_rows(t, a, out, at, blind, &rows, err);
		cli_progress_end();
		if (rc != 0)
			return cli_write_failed(err, out, a->output);
	}
	if (rc == 0)
		rc = export_dictionary(t, a, f, names, blind, err);
	if (rc != 0 || f->manifest == NULL)
		return rc;
	rc = export_manifest(t, a, f, names, seal, blind, rows, err);
	if (rc == 0)
		rc = export_protocol(t, a, f, err);
	if (rc == 0 && f->log != NULL)
		rc = export_log(t, a, f, at, err);
	return rc;
}

static int
export_run(const struct export_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct export_files f = { 0 };
	struct export_names names;
	struct sortes_seal seal;
	struct sortes_blinding b;
	const struct sortes_blinding *blind = NULL;
	int64_t at = 0;
	int rc;

	if ((rc = export_names(&names, a)) != 0)
		return rc;
	memset(&seal, 0, sizeof(seal));
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && a->frozen)
		rc = cli_as_of(t, a->seal, a->pubkey, a->at, &seal, &at, &err);
	if (rc == 0)
		rc = export_blinding(t, a, at, &b, &blind, &err);
	/* A follow-up schedule's dates are the trial's days. */
	if (rc == 0 && a->followups && a->frozen)
		rc = cli_use_zone(t->protocol->timezone, &err);
	if (rc == 0)
		rc = export_open(&f, a, &names, t, &err);
	if (rc == 0)
		rc = export_write(t, a, &f, &names, &seal, at, blind, &err);
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

/* An export as of a seal or entry: what it takes, and what it needs. */
static int
frozen_check(const struct export_args *a)
{
	if (a->seal != NULL && a->at != NULL)
		return cli_usage_error("export", "give --seal or --at, not both");
	if (a->frozen && a->output == NULL)
		return cli_usage_error("export", "--seal and --at write a "
		    "manifest beside the export: give --output FILE");
	if (a->pubkey != NULL && a->seal == NULL)
		return cli_usage_error("export", "--pubkey goes with --seal");
	return 0;
}

/*
 * As of a seal or entry, the follow-up dictionary is where
 * verify-export looks for it: beside the export, as CSVW names it.
 */
static int
followups_check(const struct export_args *a)
{
	if (a->dictionary != NULL && a->frozen)
		return cli_usage_error("export", "--dictionary goes with an "
		    "export as it stands; with --seal or --at the dictionary "
		    "is FILE-metadata.json beside the export");
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
	a.frozen = a.seal != NULL || a.at != NULL;
	if (a.key != NULL && !a.blinded)
		return cli_usage_error("export", "--key goes with --blinded");
	rc = a.followups ? followups_check(&a) : frozen_check(&a);
	return rc != 0 ? rc : export_run(&a);
}
