/*
 * export_followups.c - follow-up outcomes in long format, one row per
 * participant, occasion and measure, and the data dictionary that
 * tells an evaluator what each column holds (docs/export-followups.md).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/export_followups.h"
#include "sortes/field.h"
#include "sortes/schedule.h"
#include "csvw.h"

enum column {
	COL_PSEUDONYM, COL_ARM, COL_CASEWORKER, COL_OCCASION, COL_DUE,
	COL_WINDOW_START, COL_WINDOW_END, COL_STATUS, COL_MEASURED_ON,
	COL_OUT_OF_WINDOW, COL_MEASURE, COL_VALUE, NCOLUMNS
};

/* The columns whose values come from a list the dictionary spells out. */
enum coding {
	CODED_NOT,
	CODED_ARMS,
	CODED_OCCASIONS,
	CODED_STATUSES,
	CODED_MEASURES
};

static const struct column_def {
	const char *name;
	const char *datatype;		/* CSVW's, for uncoded columns */
	enum coding coding;
	int required;			/* never empty */
	const char *description;
} columns[NCOLUMNS] = {
	{ "pseudonym", "string", CODED_NOT, 1,
	  "The participant's keyed pseudonym, as in the allocation export; "
	  "no person identifier and no participant UUID is exported" },
	{ "arm", NULL, CODED_ARMS, 1,
	  "The arm allocated at enrollment, kept after transfers and "
	  "withdrawal (intention to treat); see sortes:arms" },
	{ "caseworker", "string", CODED_NOT, 1,
	  "The caseworker the occasion is with: for an open occasion the "
	  "participant's current one, otherwise the one when it closed" },
	{ "occasion", NULL, CODED_OCCASIONS, 1,
	  "The follow-up occasion's code; see sortes:occasions" },
	{ "due", "date", CODED_NOT, 1,
	  "The due date, in the trial's time zone, after the protocol's "
	  "weekend rule" },
	{ "window_start", "date", CODED_NOT, 1,
	  "The first day of the occasion's window" },
	{ "window_end", "date", CODED_NOT, 1,
	  "The last day of the occasion's window" },
	{ "status", NULL, CODED_STATUSES, 1,
	  "open: nothing recorded yet; done: measured; missed: recorded as "
	  "not possible; cancelled: the participant withdrew first" },
	{ "measured_on", "date", CODED_NOT, 0,
	  "For a done occasion, the day the measures were taken, from the "
	  "latest outcome (corrections replace what they supersede); "
	  "empty otherwise" },
	{ "out_of_window", "boolean", CODED_NOT, 0,
	  "For a done occasion, true when measured_on is outside the "
	  "window (recorded as an exception); empty otherwise" },
	{ "measure", NULL, CODED_MEASURES, 1,
	  "The measure's code, one row for each measure of the occasion; "
	  "see sortes:measures" },
	{ "value", "string", CODED_NOT, 0,
	  "For a done occasion, the measure's value as canonical text: "
	  "integers in decimal, decimals with exactly the measure's "
	  "places, booleans true or false, dates YYYY-MM-DD, enum values "
	  "as declared; empty when the measure was not taken or the "
	  "occasion is not done" },
};

/* JSON keys must go in ascending order: this is that order. */
static const enum column json_order[NCOLUMNS] = {
	COL_ARM, COL_CASEWORKER, COL_DUE, COL_MEASURE, COL_MEASURED_ON,
	COL_OCCASION, COL_OUT_OF_WINDOW, COL_PSEUDONYM, COL_STATUS,
	COL_VALUE, COL_WINDOW_END, COL_WINDOW_START
};

static const char *const statuses[] = { "open", "done", "missed",
    "cancelled" };
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

/*
 * Each scheduled occasion with its latest outcome.  ?1 is a JSON array
 * of the protocol's occasion codes: the index orders the occasions as
 * the protocol does, and is NULL for a code the protocol lacks.
 * Columns 1 to 8 are the export's first eight.
 */
static const char rows_sql[] =
    "SELECT k.key, p.pseudonym, a.arm, s.caseworker, s.occasion, s.due, "
    "s.window_start, s.window_end, s.status, o.status, o.measured_on, "
    "o.out_of_window, o.measures, s.participant FROM schedule s "
    "JOIN participants p ON p.seq = s.participant "
    "JOIN allocations a ON a.seq = s.participant "
    "LEFT JOIN json_each(?1) k ON k.value = s.occasion "
    "LEFT JOIN outcomes o ON o.seq = s.outcome "
    "ORDER BY s.participant, k.key";

enum {
	R_INDEX = 0, R_OUTCOME_STATUS = 9, R_MEASURED_ON, R_OUT_OF_WINDOW,
	R_MEASURES, R_PARTICIPANT
};

/* One measure of an outcome's canonical JSON object (?1), by code (?2). */
static const char value_sql[] =
    "SELECT type, atom FROM json_each(?1) WHERE key = ?2";

struct export_state {
	const struct sortes_protocol *p;
	struct sortes_db *db;
	struct sortes_followups_writer w;
	sqlite3_stmt *value;		/* value_sql */
	const struct sortes_blinding *blind;	/* NULL: not blinded */
	const struct sortes_progress *progress;
	int64_t occasions, total;	/* schedule rows: done, in all */
};

int
sortes_followups_occasion_kept(const struct sortes_protocol *p,
    const struct sortes_blinding *b, const struct sortes_occasion *o)
{
	for (size_t i = 0; b != NULL && i < p->narms; i++)
		if (!sortes_occasion_applies(o, i))
			return 0;
	return 1;
}

static int
write_fail(struct sortes_error *err)
{
	return sortes_error_sys(err, SORTES_EIO, errno, "cannot write the "
	    "export");
}

int
sortes_followups_begin(struct sortes_followups_writer *w, FILE *out,
    enum sortes_export_format format, const struct sortes_protocol *p,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	const char *header[NCOLUMNS];

	memset(w, 0, sizeof(*w));
	w->out = out;
	w->format = format;
	w->p = p;
	w->blind = blind;
	sortes_jcs_init(&w->j);
	if (format != SORTES_EXPORT_CSV)
		return 0;
	for (size_t c = 0; c < NCOLUMNS; c++)
		header[c] = columns[c].name;
	if (sortes_csv_write_record(out, header, NCOLUMNS, ',') != 0)
		return write_fail(err);
	return 0;
}

/* One row as JSON, keys in ascending order. */
static int
write_json(struct sortes_followups_writer *w, const char *const *cells,
    struct sortes_error *err)
{
	struct sortes_jcs *j = &w->j;
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t k = 0; k < NCOLUMNS; k++) {
		enum column c = json_order[k];

		sortes_jcs_key(j, columns[c].name);
		if (cells[c] == NULL)
			sortes_jcs_null(j);
		else if (c == COL_OUT_OF_WINDOW)
			sortes_jcs_boolean(j, strcmp(cells[c], "true") == 0);
		else
			sortes_jcs_string(j, cells[c]);
	}
	sortes_jcs_object_end(j);
	if ((rc = sortes_jcs_finish(j, err)) != 0)
		return rc;
	if (fputs(w->rows == 0 ? "[\n" : ",\n", w->out) == EOF ||
	    fwrite(j->data, 1, j->len, w->out) != j->len)
		return write_fail(err);
	return 0;
}

int
sortes_followups_row(struct sortes_followups_writer *w,
    const struct sortes_followups_row *r, struct sortes_error *err)
{
	const char *cells[NCOLUMNS] = { r->pseudonym, r->arm, r->caseworker,
	    r->occasion, r->due, r->window_start, r->window_end, r->status,
	    r->measured_on, r->out_of_window, r->measure, r->value };
	/* Both the tables' rows and the log's come here: the same cell. */
	int rc = sortes_csvw_arm_cells(&(struct sortes_csvw_arms){ w->p,
	    w->blind }, r->arm, &cells[COL_ARM], NULL, err);

	if (rc != 0)
		return rc;
	if (w->format != SORTES_EXPORT_CSV)
		rc = write_json(w, cells, err);
	else if (sortes_csv_write_record(w->out, cells, NCOLUMNS, ',') != 0)
		rc = write_fail(err);
	if (rc == 0)
		w->rows++;
	return rc;
}

int
sortes_followups_end(struct sortes_followups_writer *w,
    struct sortes_error *err)
{
	int rc = 0;

	if (w->format == SORTES_EXPORT_JSON &&
	    fputs(w->rows == 0 ? "[]\n" : "\n]\n", w->out) == EOF)
		rc = write_fail(err);
	sortes_jcs_free(&w->j);
	return rc;
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

/*
 * The text of measure 'code' in the outcome's 'measures' object into
 * *out, or NULL when it was not taken.  *out lives until x->value is
 * reset.
 */
static int
measure_value(struct export_state *x, const char *measures, const char *code,
    const char **out, struct sortes_error *err)
{
	sqlite3_stmt *st = x->value;
	const char *type;
	int step;

	*out = NULL;
	if (measures == NULL)
		return 0;
	sqlite3_bind_text(st, 1, measures, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return sortes_db_fail(x->db, "reading an outcome's measures",
		    err);
	/* Canonical measures hold integers, booleans and strings only. */
	type = col(st, 0);
	if (strcmp(type, "true") == 0 || strcmp(type, "false") == 0)
		*out = type;
	else if (strcmp(type, "integer") == 0 || strcmp(type, "text") == 0)
		*out = col(st, 1);
	else
		return sortes_error_set(err, SORTES_EDATA, "measure '%s' of an "
		    "outcome is a JSON %s, which no measure can be", code,
		    type);
	return 0;
}

/* The schedule row's occasion in the protocol, and a done row's outcome. */
static int
row_check(struct export_state *x, sqlite3_stmt *st,
    const struct sortes_occasion **o, int done, struct sortes_error *err)
{
	long long who = (long long)sqlite3_column_int64(st, R_PARTICIPANT);
	sqlite3_int64 i = sqlite3_column_int64(st, R_INDEX);

	if (sqlite3_column_type(st, R_INDEX) == SQLITE_NULL || i < 0 ||
	    (size_t)i >= x->p->noccasions)
		return sortes_error_set(err, SORTES_EDATA, "the schedule of "
		    "participant entry %lld holds follow-up '%s', which the "
		    "protocol does not declare", who,
		    col(st, 1 + COL_OCCASION));
	*o = &x->p->occasions[i];
	if (done && strcmp(col(st, R_OUTCOME_STATUS), "done") != 0)
		return sortes_error_set(err, SORTES_EDATA, "the schedule shows "
		    "follow-up '%s' of participant entry %lld as done, but its "
		    "latest outcome is not a measurement; run 'sortes verify'",
		    (*o)->code, who);
	return 0;
}

/* The rows of one scheduled occasion: one per measure. */
static int
occasion_rows(struct export_state *x, sqlite3_stmt *st,
    struct sortes_error *err)
{
	const struct sortes_occasion *o = NULL;
	const char *measures = NULL;
	struct sortes_followups_row r = { .pseudonym = col(st, 1),
	    .arm = col(st, 2), .caseworker = col(st, 3),
	    .occasion = col(st, 4), .due = col(st, 5),
	    .window_start = col(st, 6), .window_end = col(st, 7),
	    .status = col(st, 8) };
	int done = strcmp(r.status, "done") == 0, rc;

	if ((rc = row_check(x, st, &o, done, err)) != 0)
		return rc;
	if (!sortes_followups_occasion_kept(x->p, x->blind, o))
		return 0;
	if (done) {
		r.measured_on = col(st, R_MEASURED_ON);
		r.out_of_window = sqlite3_column_int(st, R_OUT_OF_WINDOW) ?
		    "true" : "false";
		measures = col(st, R_MEASURES);
	}
	for (size_t i = 0; rc == 0 && i < o->nmeasures; i++) {
		r.measure = x->p->measures[o->measures[i]].name;
		rc = measure_value(x, measures, r.measure, &r.value, err);
		if (rc == 0)
			rc = sortes_followups_row(&x->w, &r, err);
		sqlite3_reset(x->value);
	}
	return rc;
}

static int
export_rows(struct export_state *x, sqlite3_stmt *st, struct sortes_error *err)
{
	int rc = 0, step = SQLITE_DONE;

	if (x->progress != NULL)
		rc = sortes_db_integer(x->db, "SELECT count(*) FROM schedule",
		    0, &x->total, err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		sortes_progress_report(x->progress, "occasions",
		    ++x->occasions, x->total);
		rc = occasion_rows(x, st, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(x->db, "reading the follow-up schedule",
		    err);
	return rc;
}

/* The protocol's occasion codes as a JSON array, into 'j'. */
static int
occasion_codes(struct sortes_jcs *j, const struct sortes_protocol *p,
    struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->noccasions; i++)
		sortes_jcs_string(j, p->occasions[i].code);
	sortes_jcs_array_end(j);
	return sortes_jcs_finish(j, err);
}

static int
export_prepare(struct export_state *x, sqlite3_stmt **st,
    struct sortes_error *err)
{
	int rc;

	if ((rc = occasion_codes(&x->w.j, x->p, err)) != 0)
		return rc;
	if ((rc = sortes_db_prepare(x->db, st, rows_sql, err)) != 0)
		return rc;
	if (sqlite3_bind_text(*st, 1, x->w.j.data, (int)x->w.j.len,
	    SQLITE_TRANSIENT) != SQLITE_OK)
		return sortes_db_fail(x->db, "preparing the export", err);
	return sortes_db_prepare(x->db, &x->value, value_sql, err);
}

int
sortes_export_followups(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t *rows,
    struct sortes_error *err)
{
	return sortes_export_followups_blinded(t, out, format, NULL, rows, err);
}

int
sortes_export_followups_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, const struct sortes_blinding *blind,
    int64_t *rows, struct sortes_error *err)
{
	struct export_state x = { .p = t->protocol, .db = t->db, .blind = blind,
	    .progress = t->progress };
	sqlite3_stmt *st = NULL;
	int rc;

	*rows = 0;
	/* One read transaction: every row as of the same moment. */
	if ((rc = sortes_db_exec(t->db, "BEGIN", err)) != 0)
		return rc;
	rc = sortes_followups_begin(&x.w, out, format, x.p, blind, err);
	if (rc == 0)
		rc = export_prepare(&x, &st, err);
	if (rc == 0)
		rc = export_rows(&x, st, err);
	sqlite3_finalize(st);
	sqlite3_finalize(x.value);
	sortes_db_rollback(t->db);
	*rows = x.w.rows;
	if (rc == 0)
		return sortes_followups_end(&x.w, err);
	sortes_jcs_free(&x.w.j);
	return rc;
}

/*
 * What the dictionary describes: the protocol's codes, or, blinded,
 * labels for arms (in label order, which tells nothing) and only the
 * occasions that every arm has and the measures they take.
 */
struct dict {
	struct sortes_csvw_arms arms;
	size_t *occasions, noccasions;	/* the kept, in protocol order */
	size_t *measures, nmeasures;
};

/* Whether measure 'm' is taken at an occasion the export keeps. */
static int
measure_kept(const struct sortes_csvw_arms *a, size_t m)
{
	const struct sortes_protocol *p = a->p;

	for (size_t i = 0; i < p->noccasions; i++)
		for (size_t k = 0; k < p->occasions[i].nmeasures; k++)
			if (p->occasions[i].measures[k] == m &&
			    sortes_followups_occasion_kept(p, a->blind, &p->occasions[i]))
				return 1;
	return a->blind == NULL;
}

static int
dict_init(struct dict *d, const struct sortes_protocol *p,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	*d = (struct dict){ .arms = { p, blind } };
	d->occasions = calloc(p->noccasions + 1, sizeof(*d->occasions));
	d->measures = calloc(p->nmeasures + 1, sizeof(*d->measures));
	if (d->occasions == NULL || d->measures == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->noccasions; i++)
		if (sortes_followups_occasion_kept(p, blind, &p->occasions[i]))
			d->occasions[d->noccasions++] = i;
	for (size_t i = 0; i < p->nmeasures; i++)
		if (measure_kept(&d->arms, i))
			d->measures[d->nmeasures++] = i;
	return 0;
}

static void
dict_free(struct dict *d)
{
	free(d->occasions);
	free(d->measures);
}

static const char *
occasion_code(const void *ctx, size_t i, const char **label)
{
	const struct dict *d = ctx;
	const struct sortes_occasion *o = &d->arms.p->occasions[
	    d->occasions[i]];

	*label = o->label;
	return o->code;
}

static const char *
status_code(const void *ctx, size_t i, const char **label)
{
	(void)ctx;
	*label = NULL;
	return statuses[i];
}

static const char *
measure_code(const void *ctx, size_t i, const char **label)
{
	const struct dict *d = ctx;
	const struct sortes_field *f = &d->arms.p->measures[d->measures[i]];

	*label = f->label;
	return f->name;
}

/* The codes a coded column allows. */
static void
coding_codes(struct sortes_csvw_codes *c, const struct dict *d,
    enum coding coding)
{
	*c = (struct sortes_csvw_codes){ .ctx = d };
	switch (coding) {
	case CODED_ARMS:
		c->n = d->arms.p->narms;
		c->code = sortes_csvw_arm_code;
		c->ctx = &d->arms;
		break;
	case CODED_OCCASIONS:
		c->n = d->noccasions;
		c->code = occasion_code;
		break;
	case CODED_STATUSES:
		c->n = NSTATUSES;
		c->code = status_code;
		break;
	default:
		c->n = d->nmeasures;
		c->code = measure_code;
		break;
	}
}

static void
dict_occasion(struct sortes_jcs *j, const struct dict *d,
    const struct sortes_occasion *o)
{
	const struct sortes_protocol *p = d->arms.p;
	const char *name;

	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "arms");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->narms; i++)
		if (sortes_occasion_applies(o, i))
			sortes_jcs_string(j, sortes_csvw_arm(&d->arms, i,
			    &name));
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "code");
	sortes_jcs_string(j, o->code);
	if (o->label != NULL) {
		sortes_jcs_key(j, "label");
		sortes_jcs_string(j, o->label);
	}
	sortes_jcs_key(j, "measures");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < o->nmeasures; i++)
		sortes_jcs_string(j, p->measures[o->measures[i]].name);
	sortes_jcs_array_end(j);
	sortes_jcs_object_end(j);
}

static int
dictionary_write(struct sortes_jcs *j, const struct dict *d,
    const char *trial_id, const char *protocol_sha256, const char *url,
    struct sortes_error *err)
{
	static const char *const key[] = { "pseudonym", "occasion", "measure",
	    NULL };
	const struct sortes_protocol *p = d->arms.p;
	struct sortes_csvw_column cols[NCOLUMNS];
	struct sortes_csvw_codes codes[NCOLUMNS];

	for (size_t i = 0; i < NCOLUMNS; i++) {
		cols[i] = (struct sortes_csvw_column){ .name = columns[i].name,
		    .base = columns[i].coding == CODED_NOT ?
		    columns[i].datatype : "string",
		    .required = columns[i].required,
		    .description = columns[i].description };
		if (columns[i].coding != CODED_NOT) {
			coding_codes(&codes[i], d, columns[i].coding);
			cols[i].codes = &codes[i];
		}
	}
	sortes_csvw_begin(j, &d->arms, "Follow-up outcomes in long format: "
	    "one row per participant, scheduled occasion and measure of that "
	    "occasion");
	sortes_jcs_key(j, "sortes:measures");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < d->nmeasures; i++)
		sortes_csvw_field(j, &p->measures[d->measures[i]]);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "sortes:occasions");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < d->noccasions; i++)
		dict_occasion(j, d, &p->occasions[d->occasions[i]]);
	sortes_jcs_array_end(j);
	return sortes_csvw_end(j, trial_id, protocol_sha256, cols, NCOLUMNS,
	    key, url, err);
}

static int
dictionary_of(struct sortes_jcs *j, const struct sortes_protocol *p,
    const char *trial_id, const char *protocol_sha256, const char *url,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	struct dict d;
	int rc = dict_init(&d, p, blind, err);

	if (rc == 0)
		rc = dictionary_write(j, &d, trial_id, protocol_sha256, url,
		    err);
	dict_free(&d);
	return rc;
}

int
sortes_export_followups_dictionary(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url, struct sortes_error *err)
{
	return sortes_export_followups_dictionary_blinded(j, t, url, NULL, err);
}

int
sortes_export_followups_dictionary_blinded(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	return dictionary_of(j, t->protocol, t->trial_id, t->protocol_sha256,
	    url, blind, err);
}

int
sortes_export_followups_dictionary_of(struct sortes_jcs *j,
    const struct sortes_protocol *p, const char *trial_id,
    const char *protocol_sha256, const char *url, struct sortes_error *err)
{
	return dictionary_of(j, p, trial_id, protocol_sha256, url, NULL, err);
}
