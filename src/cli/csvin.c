/*
 * csvin.c - what the CSV-reading commands share: opening the input
 * (a file or stdin), reporting refused rows on stderr and into an
 * optional rejects file, and leaving no rejects file behind when the
 * whole import fails.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/outfile.h"
#include "sortes/infile.h"
#include "cli.h"

/* Where refused CSV rows go: stderr, and the rejects file if any. */
struct reject_sink {
	const char *csv_name;
	const struct sortes_import_hooks *also;
	FILE *fp;
	int wrote_header;
	int errnum;			/* of the write that failed, or 0 */
};

/* Write a record of two leading cells followed by 'cells'. */
static int
write_prefixed(FILE *fp, const char *first, const char *second,
    const char *const *cells, size_t n)
{
	const char *row[SORTES_CSV_FIELDS_MAX + 2];

	row[0] = first;
	row[1] = second;
	memcpy(row + 2, cells, n * sizeof(*cells));
	return sortes_csv_write_record(fp, row, n + 2, ',');
}

static int
reject_row(void *ctx, long line, const char *const *header, size_t nheader,
    const char *const *cells, size_t ncells, const char *reason)
{
	struct reject_sink *sink = ctx;
	char linebuf[32];

	cli_progress_clear();
	fprintf(stderr, "sortes: %s:%ld: %s\n", sink->csv_name, line, reason);
	if (sink->also != NULL && sink->also->on_reject != NULL &&
	    sink->also->on_reject(sink->also->ctx, line, header, nheader, cells,
	    ncells, reason) != 0)
		return -1;
	if (sink->fp == NULL)
		return 0;
	if (!sink->wrote_header) {
		if (write_prefixed(sink->fp, "line", "reason", header,
		    nheader) != 0) {
			sink->errnum = errno;
			return -1;
		}
		sink->wrote_header = 1;
	}
	snprintf(linebuf, sizeof(linebuf), "%ld", line);
	if (write_prefixed(sink->fp, linebuf, reason, cells, ncells) != 0) {
		sink->errnum = errno;
		return -1;
	}
	return 0;
}

static int
added_row(void *ctx, long line, const char *const *keys,
    const struct sortes_import_added *added)
{
	const struct reject_sink *sink = ctx;

	if (sink->also == NULL || sink->also->on_added == NULL)
		return 0;
	return sink->also->on_added(sink->also->ctx, line, keys, added);
}

static int
parse_delimiter(const char *s, int *out)
{
	*out = 0;
	if (s == NULL)
		return 0;
	if (strcmp(s, ",") == 0 || strcmp(s, ";") == 0)
		*out = s[0];
	else if (strcmp(s, "tab") == 0 || strcmp(s, "\t") == 0)
		*out = '\t';
	else
		return -1;
	return 0;
}

/* The rejects file is made whole, and only if the import succeeds. */
static int
open_rejects(struct sortes_outfile **out, FILE **fp, const char *path,
    struct sortes_error *err)
{
	int rc = sortes_outfile_open(out, path, 0600, NULL, 0, err);

	if (rc == 0 && (rc = sortes_outfile_stream(fp, *out, err)) != 0) {
		sortes_outfile_abandon(*out);
		*out = NULL;
	}
	return rc;
}

static int
csv_run(const struct cli_csv *c, FILE *in, struct reject_sink *sink,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct sortes_import_hooks hooks = {
		.on_reject = reject_row, .on_added = added_row, .ctx = sink,
	};
	int delimiter;

	if (parse_delimiter(c->delimiter, &delimiter) != 0)
		return sortes_error_set(err, SORTES_EUSAGE, "--delimiter '%s' "
		    "is not ',', ';' or 'tab'", c->delimiter);
	return c->import(c->ctx, in, delimiter, c->rejects != NULL, &hooks,
	    summary, err);
}

int
cli_csv_import(const struct cli_csv *c, struct sortes_csv_summary *summary,
    struct sortes_error *err)
{
	struct reject_sink sink = { .csv_name = c->path, .also = c->also };
	struct sortes_outfile *rejects = NULL;
	int from_stdin = strcmp(c->path, "-") == 0, rc = 0;
	FILE *in = stdin;

	memset(summary, 0, sizeof(*summary));
	if (!from_stdin &&
	    (rc = sortes_infile_open(&in, c->path, "CSV file", err)) != 0)
		return rc;
	if (c->rejects != NULL)
		rc = open_rejects(&rejects, &sink.fp, c->rejects, err);
	if (rc == 0)
		rc = csv_run(c, in, &sink, summary, err);
	if (sink.errnum != 0)
		rc = sortes_error_sys(err, SORTES_EIO, sink.errnum, "cannot "
		    "write '%s'", c->rejects);
	/* A refused file leaves nothing behind, rejects file included. */
	if (rc == 0 && rejects != NULL)
		rc = sortes_outfile_commit(rejects, err);
	else
		sortes_outfile_abandon(rejects);
	if (!from_stdin)
		fclose(in);
	return rc;
}
