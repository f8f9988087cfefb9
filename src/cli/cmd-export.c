/*
 * cmd-export.c - sortes export allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "sortes/bundle.h"
#include "sortes/export.h"
#include "sortes/seal.h"
#include "cli.h"

static const struct option export_options[] = {
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "seal", required_argument, NULL, 's' },
	{ "at", required_argument, NULL, 'a' },
	{ "pubkey", required_argument, NULL, 'p' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Create 'path' for writing; it must not exist, so nothing is clobbered. */
static FILE *
export_create(const char *path, mode_t mode, struct sortes_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *fp;

	if (fd < 0) {
		sortes_error_set(err, SORTES_ECANTCREAT, "cannot create '%s': %s",
		    path, strerror(errno));
		return NULL;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	return fp;
}

struct export_args {
	const char *db, *output, *seal, *at, *pubkey;
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

static int
export_manifest(struct sortes_trial *t, const struct export_args *a,
    const struct sortes_seal *seal, int64_t rows, struct sortes_error *err)
{
	char sha[SORTES_SHA256_HEX], path[4096];
	const char *base = strrchr(a->output, '/');
	struct sortes_manifest m = {
		.name = base != NULL ? base + 1 : a->output, .sha256 = sha,
		.format = a->format, .entries = seal->entries,
		.head = seal->head, .rows = rows,
		.sealed_at = a->seal != NULL ? seal->sealed_at : NULL,
		.signer = a->seal != NULL ? seal->signer : NULL,
	};
	struct sortes_jcs j;
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "%s.manifest.json", a->output);
	if ((rc = sortes_file_sha256(sha, a->output, err)) != 0)
		return rc;
	sortes_jcs_init(&j);
	rc = sortes_export_manifest(&j, t, &m, err);
	if (rc == 0 && (fp = export_create(path, 0644, err)) == NULL)
		rc = err->code;
	else if (rc == 0) {
		if (fprintf(fp, "%s\n", j.data) < 0)
			rc = SORTES_EIO;
		if (fclose(fp) != 0 || rc != 0)
			rc = sortes_error_set(err, SORTES_EIO, "cannot write "
			    "'%s'", path);
		if (rc != 0)
			unlink(path);
	}
	sortes_jcs_free(&j);
	return rc;
}

static int
export_write(struct sortes_trial *t, const struct export_args *a,
    int64_t at, int64_t *rows, struct sortes_error *err)
{
	FILE *out = stdout;
	int rc = 0;

	if (a->output != NULL && (out = export_create(a->output, 0644,
	    err)) == NULL)
		return err->code;
	rc = sortes_export_allocations(t, out, a->format, at, rows, err);
	if (out != stdout && fclose(out) != 0 && rc == 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot write '%s': %s",
		    a->output, strerror(errno));
	if (rc != 0 && out != stdout)
		unlink(a->output);
	return rc;
}

/* The log's entries up to the export's, for sortes verify-export. */
static int
export_log(struct sortes_trial *t, const struct export_args *a, int64_t at,
    struct sortes_error *err)
{
	char path[4096];
	FILE *fp;
	int rc;

	snprintf(path, sizeof(path), "%s.log", a->output);
	/* The extract holds baseline data: its owner alone reads it. */
	if ((fp = export_create(path, 0600, err)) == NULL)
		return err->code;
	rc = sortes_bundle_write_log(t, fp, at, err);
	if (fclose(fp) != 0 && rc == 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot write '%s': %s",
		    path, strerror(errno));
	if (rc != 0)
		unlink(path);
	return rc;
}

/* Remove what a failed export wrote. */
static void
export_unlink(const char *output)
{
	char path[4096];

	unlink(output);
	snprintf(path, sizeof(path), "%s.manifest.json", output);
	unlink(path);
}

static int
export_run(const struct export_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	struct sortes_seal seal;
	int64_t at = 0, rows = 0;
	int frozen = a->seal != NULL || a->at != NULL;
	int rc;

	memset(&seal, 0, sizeof(seal));
	rc = sortes_trial_open(&t, cli_db_path(a->db), &err);
	if (rc == 0 && frozen)
		rc = export_point(t, a, &seal, &at, &err);
	if (rc == 0)
		rc = export_write(t, a, at, &rows, &err);
	/* From here on the export is ours: a failure takes it back. */
	if (rc == 0 && frozen && (rc = export_manifest(t, a, &seal, rows,
	    &err)) != 0)
		unlink(a->output);
	else if (rc == 0 && frozen && (rc = export_log(t, a, at, &err)) != 0)
		export_unlink(a->output);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_export(int argc, char **argv)
{
	struct export_args a = { .format = SORTES_EXPORT_CSV };
	const char *format = "csv";
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:o:s:a:p:d:h", export_options,
	    NULL)) != -1)
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': a.output = optarg; break;
		case 's': a.seal = optarg; break;
		case 'a': a.at = optarg; break;
		case 'p': a.pubkey = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("export");
		default: return cli_option_error("export", c, argv);
		}
	if (optind == argc || strcmp(argv[optind], "allocations") != 0)
		return cli_usage_error("export", "expected 'allocations'");
	if (optind + 1 != argc)
		return cli_usage_error("export", "unexpected argument '%s'",
		    argv[optind + 1]);
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error("export", "--format '%s' is not csv or "
		    "json", format);
	a.format = strcmp(format, "csv") == 0 ? SORTES_EXPORT_CSV :
	    SORTES_EXPORT_JSON;
	if (a.seal != NULL && a.at != NULL)
		return cli_usage_error("export", "give --seal or --at, not both");
	if ((a.seal != NULL || a.at != NULL) && a.output == NULL)
		return cli_usage_error("export", "--seal and --at write a "
		    "manifest beside the export: give --output FILE");
	if (a.pubkey != NULL && a.seal == NULL)
		return cli_usage_error("export", "--pubkey goes with --seal");
	return export_run(&a);
}
