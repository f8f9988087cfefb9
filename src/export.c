/*
 * export.c - allocations as CSV or JSON.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/export.h"
#include "sortes/jcs.h"

static const char export_sql[] =
    "SELECT p.pseudonym, p.id, p.caseworker, p.stratum, a.arm, "
    "p.enrolled_at, p.seq, l.hash FROM participants p "
    "JOIN allocations a ON a.seq = p.seq "
    "JOIN log l ON l.seq = p.seq WHERE p.seq <= ? ORDER BY p.seq";

/* Column names, in the order of export_sql. */
static const char *const export_columns[] = {
	"pseudonym", "participant", "caseworker", "stratum", "arm",
	"enrolled_at", "seq", "entry_hash",
};
#define NCOLUMNS (sizeof(export_columns) / sizeof(export_columns[0]))

/* JSON keys must go in ascending order: this is that order. */
static const int json_order[] = { 4, 2, 5, 7, 1, 0, 6, 3 };

/* The errno of the write that failed is kept: EPIPE, a full disk... */
static int
export_write_fail(struct sortes_error *err)
{
	return sortes_error_sys(err, SORTES_EIO, errno, "cannot write the "
	    "export");
}

void
sortes_export_begin(struct sortes_export_writer *w, FILE *out,
    enum sortes_export_format format)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->format = format;
	sortes_jcs_init(&w->j);
}

static int
export_json_row(struct sortes_export_writer *w, const char *const *cells,
    int64_t seq, struct sortes_error *err)
{
	struct sortes_jcs *j = &w->j;
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t k = 0; k < NCOLUMNS; k++) {
		int c = json_order[k];

		sortes_jcs_key(j, export_columns[c]);
		if (c == 6)
			sortes_jcs_integer(j, seq);
		else if (c == 3)
			sortes_jcs_raw(j, cells[c], strlen(cells[c]));
		else
			sortes_jcs_string(j, cells[c]);
	}
	sortes_jcs_object_end(j);
	if ((rc = sortes_jcs_finish(j, err)) != 0)
		return rc;
	if (fputs(w->rows == 0 ? "[\n" : ",\n", w->out) == EOF ||
	    fwrite(j->data, 1, j->len, w->out) != j->len)
		return export_write_fail(err);
	return 0;
}

int
sortes_export_row(struct sortes_export_writer *w,
    const struct sortes_export_row *row, struct sortes_error *err)
{
	char seq[24];
	const char *arm = w->blind == NULL ? row->arm :
	    sortes_blind_arm_label(w->blind, w->protocol, row->arm);
	/* An entry's hash is SHA-256 over a body that holds the arm, and
	 * the rest of that body is guessed in a few million tries: a
	 * blinded export leaves it empty. */
	const char *cells[NCOLUMNS] = { row->pseudonym, row->participant,
	    row->caseworker, row->stratum, arm, row->enrolled_at, seq,
	    w->blind == NULL ? row->entry_hash : "" };
	int rc;

	if (arm == NULL)
		return sortes_error_set(err, SORTES_EDATA, "log entry %lld: an "
		    "arm the protocol does not name", (long long)row->seq);
	snprintf(seq, sizeof(seq), "%lld", (long long)row->seq);
	if (w->format == SORTES_EXPORT_CSV) {
		rc = w->rows == 0 ? sortes_csv_write_record(w->out,
		    export_columns, NCOLUMNS, ',') : 0;
		if (rc == 0)
			rc = sortes_csv_write_record(w->out, cells, NCOLUMNS,
			    ',');
		if (rc == SORTES_EIO)
			return export_write_fail(err);
	} else
		rc = export_json_row(w, cells, row->seq, err);
	if (rc == 0)
		w->rows++;
	return rc;
}

int
sortes_export_end(struct sortes_export_writer *w, struct sortes_error *err)
{
	const char *const *header = export_columns;
	int rc = 0;

	if (w->format == SORTES_EXPORT_CSV && w->rows == 0)
		rc = sortes_csv_write_record(w->out, header, NCOLUMNS, ',');
	else if (w->format == SORTES_EXPORT_JSON &&
	    fputs(w->rows == 0 ? "[]\n" : "\n]\n", w->out) == EOF)
		rc = SORTES_EIO;
	if (rc != 0)
		rc = export_write_fail(err);
	sortes_jcs_free(&w->j);
	return rc;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

static int
export_rows(struct sortes_trial *t, sqlite3_stmt *st, FILE *out,
    enum sortes_export_format format, const struct sortes_blinding *blind,
    int64_t total, int64_t *rows, struct sortes_error *err)
{
	struct sortes_export_writer w;
	int rc = 0, step;

	sortes_export_begin(&w, out, format);
	w.blind = blind;
	w.protocol = t->protocol;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		sortes_progress_report(t->progress, "rows", w.rows + 1, total);
		struct sortes_export_row row = {
			.pseudonym = col(st, 0), .participant = col(st, 1),
			.caseworker = col(st, 2), .stratum = col(st, 3),
			.arm = col(st, 4), .enrolled_at = col(st, 5),
			.seq = sqlite3_column_int64(st, 6),
			.entry_hash = col(st, 7),
		};

		rc = sortes_export_row(&w, &row, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading allocations", err);
	*rows = w.rows;
	if (rc == 0)
		rc = sortes_export_end(&w, err);
	else
		sortes_jcs_free(&w.j);
	return rc;
}

int
sortes_export_allocations(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at, int64_t *rows,
    struct sortes_error *err)
{
	return sortes_export_allocations_blinded(t, out, format, at, NULL,
	    rows, err);
}

int
sortes_export_allocations_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    const struct sortes_blinding *blind, int64_t *rows,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int64_t total = 0;
	int rc;

	*rows = 0;
	if ((rc = sortes_db_exec(t->db, "BEGIN", err)) != 0)
		return rc;
	if (t->progress != NULL)
		rc = sortes_db_integer(t->db, "SELECT count(*) FROM participants "
		    "WHERE seq <= ?", at > 0 ? at : INT64_MAX, &total, err);
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &st, export_sql, err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, at > 0 ? at : INT64_MAX);
		rc = export_rows(t, st, out, format, blind, total, rows, err);
	}
	sqlite3_finalize(st);
	sortes_db_rollback(t->db);
	return rc;
}

void
sortes_manifest_seal(struct sortes_jcs *j, const char *sealed_at,
    const char *signer)
{
	sortes_jcs_key(j, "seal");
	if (sealed_at == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "sealed_at");
	sortes_jcs_string(j, sealed_at);
	sortes_jcs_key(j, "signer");
	sortes_jcs_string(j, signer);
	sortes_jcs_object_end(j);
}

int
sortes_export_manifest(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_manifest *m, struct sortes_error *err)
{
	return sortes_export_manifest_of(j, t->trial_id, t->protocol_sha256, m,
	    err);
}

int
sortes_export_manifest_of(struct sortes_jcs *j, const char *trial_id,
    const char *protocol_sha256, const struct sortes_manifest *m,
    struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	if (m->blind_commitment != NULL) {
		sortes_jcs_key(j, "blinded");
		sortes_blind_json(j, m->blind_commitment, m->blind_seq);
	}
	if (m->dictionary != NULL) {
		sortes_jcs_key(j, "dictionary");
		sortes_jcs_string(j, m->dictionary);
		sortes_jcs_key(j, "dictionary_sha256");
		sortes_jcs_string(j, m->dictionary_sha256);
	}
	sortes_jcs_key(j, "entries");
	sortes_jcs_integer(j, m->entries);
	sortes_jcs_key(j, "export");
	sortes_jcs_string(j, m->name);
	sortes_jcs_key(j, "export_sha256");
	sortes_jcs_string(j, m->sha256);
	sortes_jcs_key(j, "format");
	sortes_jcs_string(j, m->format == SORTES_EXPORT_CSV ? "csv" : "json");
	sortes_jcs_key(j, "head");
	sortes_jcs_string(j, m->head);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, m->kind != NULL ? m->kind : "allocations");
	sortes_jcs_key(j, "protocol_sha256");
	sortes_jcs_string(j, protocol_sha256);
	sortes_jcs_key(j, "rows");
	sortes_jcs_integer(j, m->rows);
	sortes_manifest_seal(j, m->sealed_at, m->signer);
	sortes_jcs_key(j, "trial");
	sortes_jcs_string(j, trial_id);
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}
