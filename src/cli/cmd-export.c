/*
 * cmd-export.c - sortes export allocations, sortes export followups.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct export_args {
	const char *db, *output, *seal, *at, *pubkey, *dictionary;
	enum sortes_export_format format;
};

/* Which entry the export is as of, and that entry's hash. */
static int
export_point(struct sortes_trial *t, const struct export_args *a,
    struct sortes_seal *seal, int64_t *at, struct sortes_error *err)
{
	struct sortes_signer *pub = NULL;
	char *end;
	int rc = 0;

	if (a->seal == NULL) {
		*at = strtoll(a->at, &end, 10);
		if (*end != '\0' || *at < 1)
			return sortes_error_set(err, SORTES_EUSAGE, "--at '%s' is "
			    "not an entry number", a->at);
		return sortes_seal_point(t, *at, seal, err);
	}
	if (a->pubkey != NULL)
		rc = sortes_signer_load_public(&pub, a->pubkey, err);
	if (rc == 0)
		rc = sortes_seal_read(seal, a->seal, err);
	if (rc == 0)
		rc = sortes_seal_check(t, seal, pub, err);
	sortes_signer_free(pub);
	*at = seal->entries;
	return rc;
}

/* Where an export and its dictionary go, settled before anything is written. */
struct export_names {
	const char *output;		/* or NULL: stdout */
	const char *dictionary;		/* or NULL: no dictionary */
	char sidecar[4096];		/* OUTPUT-metadata.json */
	char url[4096];			/* what the dictionary calls the export */
};

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
export_url(struct export_names *f, const struct export_args *a,
    const char *what)
{
	char fallback[64];

	const char *name = base_name(f->output != NULL ? f->output :
	    f->dictionary);
	size_t n = strlen(name), m = sizeof(metadata_suffix) - 1;

	if (f->output == NULL && n > m &&
	    strcmp(name + n - m, metadata_suffix) == 0)
		n -= m;
	else if (f->output == NULL) {
		snprintf(fallback, sizeof(fallback), "%s.%s", what,
		    a->format == SORTES_EXPORT_CSV ? "csv" : "json");
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
 * (--dictionary, or beside a CSV --output as CSVW names it).  Returns
 * 0, or the exit code of the usage error it printed.
 */
static int
export_names(struct export_names *f, const struct export_args *a,
    const char *what)
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
	return export_url(f, a, what);
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
	struct sortes_outfile *out, *manifest, *log, *protocol, *dict;
};

static int
export_open(struct export_files *f, const struct export_args *a,
    const char *dictionary, int frozen, struct sortes_error *err)
{
	char path[4096];
	int rc = 0;

	memset(f, 0, sizeof(*f));
	if (a->output != NULL)
		rc = sortes_outfile_open(&f->out, a->output, 0644, NULL, 0, err);
	if (rc == 0 && dictionary != NULL)
		rc = sortes_outfile_open(&f->dict, dictionary, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	if (rc != 0 || !frozen)
		return rc;
	snprintf(path, sizeof(path), "%s.manifest.json", a->output);
	rc = sortes_outfile_open(&f->manifest, path, 0644, NULL,
	    SORTES_OUTFILE_SAME_OK, err);
	snprintf(path, sizeof(path), "%s.protocol", a->output);
	if (rc == 0)
		rc = sortes_outfile_open(&f->protocol, path, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	snprintf(path, sizeof(path), "%s.log", a->output);
	/* The extract holds baseline data: its owner alone reads it. */
	if (rc == 0)
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
		rc = export_put(&f->manifest, "export-manifest-linked", err);
	if (rc == 0)
		rc = export_put(&f->dict, "export-dictionary-linked", err);
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
	sortes_outfile_abandon(f->protocol);
	sortes_outfile_abandon(f->dict);
}

static int
export_manifest(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal, int64_t rows,
    struct sortes_error *err)
{
	char sha[SORTES_SHA256_HEX];
	const char *base = strrchr(a->output, '/');
	struct sortes_manifest m = {
		.name = base != NULL ? base + 1 : a->output, .sha256 = sha,
		.format = a->format, .layout = SORTES_EXPORT_LAYOUT,
		.entries = seal->entries,
		.head = seal->head, .rows = rows,
		.sealed_at = a->seal != NULL ? seal->sealed_at : NULL,
		.signer = a->seal != NULL ? seal->signer : NULL,
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

/* The dictionary's one line of canonical JSON, into its file. */
static int
dictionary_write(struct sortes_outfile *f, const char *path,
    const struct sortes_jcs *dict, struct sortes_error *err)
{
	FILE *fp = NULL;
	int rc = sortes_outfile_stream(&fp, f, err);

	if (rc == 0 && fprintf(fp, "%s\n", dict->data) < 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s'", path);
	return rc;
}

/* The files that go with an export as of an entry: manifest, log, protocol. */
static int
export_bundle(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct sortes_seal *seal, int64_t at,
    int64_t rows, struct sortes_error *err)
{
	FILE *log = NULL, *protocol = NULL;
	char path[4096];
	int rc = export_manifest(t, a, f, seal, rows, err);

	if (rc == 0)
		rc = sortes_outfile_stream(&log, f->log, err);
	if (rc == 0 && (rc = sortes_bundle_write_log(t, log, at, err)) != 0) {
		snprintf(path, sizeof(path), "%s.log", a->output);
		return cli_write_failed(err, log, path);
	}
	if (rc == 0)
		rc = sortes_outfile_stream(&protocol, f->protocol, err);
	if (rc == 0 && (rc = sortes_bundle_write_protocol(t, protocol,
	    err)) != 0) {
		snprintf(path, sizeof(path), "%s.protocol", a->output);
		return cli_write_failed(err, protocol, path);
	}
	return rc;
}

/* The export itself, then its dictionary, manifest and log extract. */
static int
export_write(struct sortes_trial *t, const struct export_args *a,
    struct export_files *f, const struct export_names *names,
    const struct sortes_seal *seal, int64_t at, struct sortes_error *err)
{
	struct sortes_jcs dict;
	FILE *out = stdout;
	int64_t rows = 0;
	int rc = 0;

	if (f->out != NULL)
		rc = sortes_outfile_stream(&out, f->out, err);
	if (rc == 0)
		rc = sortes_export_allocations(t, out, a->format, at, &rows, err);
	if (rc != 0)
		return cli_write_failed(err, out, a->output);
	if (f->dict != NULL) {
		sortes_jcs_init(&dict);
		rc = sortes_export_allocations_dictionary(&dict, t, names->url,
		    err);
		if (rc == 0)
			rc = dictionary_write(f->dict, names->dictionary, &dict,
			    err);
		sortes_jcs_free(&dict);
	}
	if (rc != 0 || f->log == NULL)
		return rc;
	return export_bundle(t, a, f, seal, at, rows, err);
}

static int
export_run(const struct export_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct export_files f = { 0 };
	struct export_names names;
	struct sortes_seal seal;
	int64_t at = 0;
	int frozen = a->seal != NULL || a->at != NULL;
	int rc;

	if ((rc = export_names(&names, a, "allocations")) != 0)
		return rc;
	memset(&seal, 0, sizeof(seal));
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && frozen)
		rc = export_point(t, a, &seal, &at, &err);
	if (rc == 0)
		rc = export_open(&f, a, names.dictionary, frozen, &err);
	if (rc == 0)
		rc = export_write(t, a, &f, &names, &seal, at, &err);
	/* A read that another process's write may have torn is not linked. */
	if (rc == 0)
		rc = sortes_db_unchanged(t->db, &err);
	if (rc == 0)
		rc = export_commit(&f, &err);
	export_abandon(&f);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

/*
 * The dictionary is put in place before the export, which it
 * describes; like an export's manifest, one that an interrupted run
 * left is accepted when it is exactly what this one writes.
 */
static int
followups_write(struct sortes_trial *t, enum sortes_export_format format,
    const struct export_names *f, const struct sortes_jcs *dict,
    struct sortes_error *err)
{
	struct sortes_outfile *out = NULL, *dfp = NULL;
	FILE *fp = stdout;
	int64_t rows;
	int rc = 0;

	if (f->output != NULL)
		rc = sortes_outfile_open(&out, f->output, 0644, NULL, 0, err);
	if (rc == 0 && f->dictionary != NULL)
		rc = sortes_outfile_open(&dfp, f->dictionary, 0644, NULL,
		    SORTES_OUTFILE_SAME_OK, err);
	if (rc == 0 && out != NULL)
		rc = sortes_outfile_stream(&fp, out, err);
	if (rc == 0 && (rc = sortes_export_followups(t, fp, format, &rows,
	    err)) != 0)
		rc = cli_write_failed(err, fp, f->output);
	if (rc == 0 && dfp != NULL)
		rc = dictionary_write(dfp, f->dictionary, dict, err);
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
	struct export_names f;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_jcs dict;
	int rc;

	if ((rc = export_names(&f, a, "followups")) != 0)
		return rc;
	sortes_jcs_init(&dict);
	rc = cli_trial_read(&t, a->db, &err);
	if (rc == 0 && f.dictionary != NULL)
		rc = sortes_export_followups_dictionary(&dict, t, f.url, &err);
	if (rc == 0)
		rc = followups_write(t, a->format, &f, &dict, &err);
	sortes_jcs_free(&dict);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

/* What only 'export allocations' takes, and what it needs. */
static int
allocations_check(const struct export_args *a)
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

/* Follow-ups are exported as they stand: no seal, no earlier entry. */
static int
followups_check(const struct export_args *a)
{
	if (a->seal != NULL || a->at != NULL || a->pubkey != NULL)
		return cli_usage_error("export", "--seal, --at and --pubkey go "
		    "with 'export allocations'");
	return 0;
}

int
cmd_export(int argc, char **argv)
{
	struct export_args a = { .format = SORTES_EXPORT_CSV };
	const char *format = "csv", *what;
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:o:s:a:p:D:d:h",
	    export_options, NULL)) != -1)
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': a.output = optarg; break;
		case 's': a.seal = optarg; break;
		case 'a': a.at = optarg; break;
		case 'p': a.pubkey = optarg; break;
		case 'D': a.dictionary = optarg; break;
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
	if (strcmp(what, "followups") == 0)
		return (rc = followups_check(&a)) != 0 ? rc : followups_run(&a);
	return (rc = allocations_check(&a)) != 0 ? rc : export_run(&a);
}
