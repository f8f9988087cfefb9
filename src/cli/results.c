/*
 * results.c - the results file of 'enroll --csv --results': one row per
 * input row, with the person identifier as given, so that the lead can
 * tell the job centres who is in which arm.  It holds CPR numbers, so
 * it is its owner's alone (0600) and never replaces a file
 * (docs/linkage.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/outfile.h"
#include "cli.h"

static const char *const results_columns[] = {
	"line", "person", "participant", "arm", "arm_name", "caseworker",
	"status", "reason",
};
#define NCOLUMNS (sizeof(results_columns) / sizeof(results_columns[0]))

int
cli_results_open(struct cli_results *r, const char *path,
    const struct sortes_protocol *p, struct sortes_error *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->protocol = p;
	if (path == NULL)
		return 0;
	rc = sortes_outfile_open(&r->file, path, 0600, "results file", 0, err);
	if (rc == 0)
		rc = sortes_outfile_stream(&r->fp, r->file, err);
	if (rc == 0 && sortes_csv_write_record(r->fp, results_columns,
	    NCOLUMNS, ',') != 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "'%s'", path);
	if (rc != 0)
		cli_results_abandon(r);
	return rc;
}

static int
results_row(struct cli_results *r, long line, const char *const *cells)
{
	char linebuf[24];
	const char *row[NCOLUMNS];

	snprintf(linebuf, sizeof(linebuf), "%ld", line);
	row[0] = linebuf;
	memcpy(row + 1, cells, (NCOLUMNS - 1) * sizeof(*cells));
	if (sortes_csv_write_record(r->fp, row, NCOLUMNS, ',') != 0) {
		r->errnum = errno;
		return -1;
	}
	return 0;
}

int
cli_results_enrolled(void *ctx, const struct sortes_enrolled_row *row)
{
	struct cli_results *r = ctx;
	const struct sortes_arm *arm = &r->protocol->arms[row->result->arm];
	const char *cells[NCOLUMNS - 1] = { row->person,
	    row->result->participant, arm->code, arm->name, row->caseworker,
	    "enrolled", "" };

	return r->fp != NULL ? results_row(r, row->line, cells) : 0;
}

/* The cell of column 'name' in a row of the input, or "". */
static const char *
cell_of(const char *name, const char *const *header, size_t nheader,
    const char *const *cells, size_t ncells)
{
	for (size_t i = 0; i < nheader && i < ncells; i++)
		if (strcmp(header[i], name) == 0)
			return cells[i];
	return "";
}

int
cli_results_refused(struct cli_results *r, long line,
    const char *const *header, size_t nheader, const char *const *cells,
    size_t ncells, const char *reason)
{
	const char *out[NCOLUMNS - 1] = {
		cell_of("person", header, nheader, cells, ncells), "", "", "",
		cell_of("caseworker", header, nheader, cells, ncells),
		"refused", reason };

	return r->fp != NULL ? results_row(r, line, out) : 0;
}

int
cli_results_commit(struct cli_results *r, struct sortes_error *err)
{
	struct sortes_outfile *f = r->file;

	r->file = NULL;
	if (f == NULL)
		return 0;
	if (r->errnum != 0) {
		sortes_outfile_abandon(f);
		return sortes_error_sys(err, SORTES_EIO, r->errnum, "cannot "
		    "write '%s'", r->path);
	}
	return sortes_outfile_commit(f, err);
}

void
cli_results_abandon(struct cli_results *r)
{
	sortes_outfile_abandon(r->file);
	r->file = NULL;
	r->fp = NULL;
}
