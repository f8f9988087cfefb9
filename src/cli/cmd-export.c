/*
 * cmd-export.c - sortes export allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sortes/export.h"
#include "cli.h"

static const struct option export_options[] = {
	{ "format", required_argument, NULL, 'F' },
	{ "output", required_argument, NULL, 'o' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Create 'path' for writing; it must not exist, so nothing is clobbered. */
static FILE *
export_create(const char *path, struct sortes_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
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

static int
export_run(const char *db, const char *output,
    enum sortes_export_format format)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	FILE *out = stdout;
	int rc;

	rc = sortes_trial_open(&t, cli_db_path(db), &err);
	if (rc == 0 && output != NULL && (out = export_create(output,
	    &err)) == NULL)
		rc = err.code;
	if (rc == 0)
		rc = sortes_export_allocations(t, out, format, &err);
	if (out != NULL && out != stdout && fclose(out) != 0 && rc == 0)
		rc = sortes_error_set(&err, SORTES_EIO, "cannot write '%s': %s",
		    output, strerror(errno));
	if (rc != 0 && out != NULL && out != stdout)
		unlink(output);
	sortes_trial_close(t);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_export(int argc, char **argv)
{
	const char *db = NULL, *output = NULL, *format = "csv";
	enum sortes_export_format fmt;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":F:o:d:h", export_options,
	    NULL)) != -1)
		switch (c) {
		case 'F': format = optarg; break;
		case 'o': output = optarg; break;
		case 'd': db = optarg; break;
		case 'h': return cli_help("export");
		default: return cli_option_error("export", c, argv);
		}
	if (optind == argc || strcmp(argv[optind], "allocations") != 0)
		return cli_usage_error("export", "expected 'allocations'");
	if (optind + 1 != argc)
		return cli_usage_error("export", "unexpected argument '%s'",
		    argv[optind + 1]);
	if (strcmp(format, "csv") == 0)
		fmt = SORTES_EXPORT_CSV;
	else if (strcmp(format, "json") == 0)
		fmt = SORTES_EXPORT_JSON;
	else
		return cli_usage_error("export", "--format '%s' is not csv or "
		    "json", format);
	return export_run(db, output, fmt);
}
