/*
 * export.c - allocations as CSV or JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/export.h"
#include "sortes/jcs.h"

static const char export_sql[] =
    "SELECT p.pseudonym, p.id, p.caseworker, p.stratum, a.arm, "
    "p.enrolled_at, p.seq, l.hash FROM participants p "
    "JOIN allocations a ON a.seq = p.seq "
    "JOIN log l ON l.seq = p.seq ORDER BY p.seq";

/* Column names, in the order of export_sql. */
static const char *const export_columns[] = {
	"pseudonym", "participant", "caseworker", "stratum", "arm",
	"enrolled_at", "seq", "entry_hash",
};
#define NCOLUMNS (sizeof(export_columns) / sizeof(export_columns[0]))

static int
export_csv_row(FILE *out, sqlite3_stmt *st)
{
	const char *cells[NCOLUMNS];

	for (size_t i = 0; i < NCOLUMNS; i++)
		cells[i] = (const char *)sqlite3_column_text(st, (int)i);
	return sortes_csv_write_record(out, cells, NCOLUMNS, ',');
}

/* JSON keys must go in ascending order: this is that order. */
static const int json_order[] = { 4, 2, 5, 7, 1, 0, 6, 3 };

static int
export_json_row(FILE *out, sqlite3_stmt *st, struct sortes_jcs *j,
    int first, struct sortes_error *err)
{
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t k = 0; k < NCOLUMNS; k++) {
		int c = json_order[k];

		sortes_jcs_key(j, export_columns[c]);
		if (c == 6)
			sortes_jcs_integer(j, sqlite3_column_int64(st, c));
		else if (c == 3)
			sortes_jcs_raw(j, (const char *)sqlite3_column_text(st,
			    c), (size_t)sqlite3_column_bytes(st, c));
		else
			sortes_jcs_string(j,
			    (const char *)sqlite3_column_text(st, c));
	}
	sortes_jcs_object_end(j);
	if ((rc = sortes_jcs_finish(j, err)) != 0)
		return rc;
	if (fputs(first ? "[\n" : ",\n", out) == EOF ||
	    fwrite(j->data, 1, j->len, out) != j->len)
		return SORTES_EIO;
	return 0;
}

static int
export_rows(struct sortes_trial *t, sqlite3_stmt *st, FILE *out,
    enum sortes_export_format format, struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc = 0, step, first = 1;

	sortes_jcs_init(&j);
	if (format == SORTES_EXPORT_CSV)
		rc = sortes_csv_write_record(out, export_columns, NCOLUMNS,
		    ',');
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (format == SORTES_EXPORT_CSV)
			rc = export_csv_row(out, st);
		else
			rc = export_json_row(out, st, &j, first, err);
		first = 0;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading allocations", err);
	if (rc == 0 && format == SORTES_EXPORT_JSON &&
	    fputs(first ? "[]\n" : "\n]\n", out) == EOF)
		rc = SORTES_EIO;
	sortes_jcs_free(&j);
	return rc;
}

int
sortes_export_allocations(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = sortes_db_exec(t->db, "BEGIN", err)) != 0)
		return rc;
	rc = sortes_db_prepare(t->db, &st, export_sql, err);
	if (rc == 0)
		rc = export_rows(t, st, out, format, err);
	sqlite3_finalize(st);
	sortes_db_rollback(t->db);
	if (rc == SORTES_EIO)
		return sortes_error_set(err, SORTES_EIO,
		    "cannot write the export: %s", strerror(errno));
	return rc;
}
