/*
 * export.c - allocations as CSV or JSON.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/blind.h"
#include "sortes/csv.h"
#include "sortes/export.h"
#include "sortes/jcs.h"
#include "sortes/json.h"
#include "csvw.h"
#include "strata.h"

/*
 * The participants enrolled by entry ?1, with their status as of that
 * entry: the withdrawal's time, and how many transfers.
 */
static const char export_sql[] =
    "SELECT p.pseudonym, p.id, p.caseworker, p.stratum, a.arm, "
    "p.enrolled_at, p.seq, l.hash, p.fields, "
    "(SELECT w.withdrawn_at FROM withdrawals w WHERE w.participant = p.seq "
    "AND w.seq <= ?1), "
    "(SELECT count(*) FROM transfers x WHERE x.participant = p.seq "
    "AND x.seq <= ?1) FROM participants p "
    "JOIN allocations a ON a.seq = p.seq "
    "JOIN log l ON l.seq = p.seq WHERE p.seq <= ?1 ORDER BY p.seq";

/* What a column holds. */
enum column_kind {
	C_PSEUDONYM, C_PARTICIPANT, C_CASEWORKER, C_STRATUM_JSON, C_ARM,
	C_ARM_NAME, C_ENROLLED_AT, C_SEQ, C_ENTRY_HASH, C_STATUS,
	C_WITHDRAWN_AT, C_TRANSFERS, C_STRATUM, C_FIELD
};

/* Stata's limit on a variable name, which R and pandas keep within. */
#define NAME_MAX_LEN 32

struct sortes_export_column {
	enum column_kind kind;
	/* At most 32 bytes; room for what the compiler cannot know. */
	char name[NAME_MAX_LEN + 64];
	const char *key;		/* C_STRATUM, C_FIELD: the protocol's name */
	size_t index;			/* C_FIELD: into fields; C_STRATUM: factor */
};

static const char *const fixed_names[] = {
	"pseudonym", "participant", "caseworker", "stratum", "arm",
	"arm_name", "enrolled_at", "seq", "entry_hash", "status",
	"withdrawn_at", "transfers",
};

static const enum column_kind layout1[] = { C_PSEUDONYM, C_PARTICIPANT,
    C_CASEWORKER, C_STRATUM_JSON, C_ARM, C_ENROLLED_AT, C_SEQ, C_ENTRY_HASH };
static const enum column_kind layout2[] = { C_PSEUDONYM, C_PARTICIPANT,
    C_CASEWORKER, C_ARM, C_ARM_NAME, C_ENROLLED_AT, C_SEQ, C_ENTRY_HASH,
    C_STATUS, C_WITHDRAWN_AT, C_TRANSFERS };
#define NLAYOUT1 (sizeof(layout1) / sizeof(layout1[0]))
#define NLAYOUT2 (sizeof(layout2) / sizeof(layout2[0]))

static const char *const statuses[] = { "active", "withdrawn",
    "transferred" };

const char *
sortes_export_format_name(enum sortes_export_format format, int layout)
{
	if (layout == 1)
		return format == SORTES_EXPORT_CSV ? "csv" : "json";
	return format == SORTES_EXPORT_CSV ? "csv-2" : "json-2";
}

/* The errno of the write that failed is kept: EPIPE, a full disk... */
static int
export_write_fail(struct sortes_error *err)
{
	return sortes_error_sys(err, SORTES_EIO, errno, "cannot write the "
	    "export");
}

/*
 * A protocol name as a column: 'prefix' and the name when that fits
 * Stata's 32 characters; otherwise the short prefix, the name's first
 * 24 characters, '_' and the column's place among its kind (from 1).
 * Names are [a-z][a-z0-9_]*, so either is a safe name; the long and
 * short prefixes keep the two forms apart, and the place keeps
 * shortened names apart.  A protocol of at most 1 MiB has fewer than
 * 100,000 fields, so the place takes at most 5 digits.
 */
static void
column_name(struct sortes_export_column *c, const char *prefix,
    const char *short_prefix, size_t place)
{
	if (strlen(prefix) + strlen(c->key) <= NAME_MAX_LEN)
		snprintf(c->name, sizeof(c->name), "%s%s", prefix, c->key);
	else
		snprintf(c->name, sizeof(c->name), "%s%.24s_%zu", short_prefix,
		    c->key, place);
}

static size_t
column_count(int layout, const struct sortes_protocol *p)
{
	size_t n;

	if (layout == 1)
		return NLAYOUT1;
	sortes_stratum_factors(p, &n);
	return NLAYOUT2 + n + p->nfields;
}

/* The columns of 'layout', in the export's order. */
static void
columns_fill(struct sortes_export_column *cols, int layout,
    const struct sortes_protocol *p)
{
	const enum column_kind *fixed = layout == 1 ? layout1 : layout2;
	size_t nfixed = layout == 1 ? NLAYOUT1 : NLAYOUT2, n = 0, k = 0;
	const size_t *factors = NULL;

	for (; k < nfixed; k++) {
		cols[k].kind = fixed[k];
		strcpy(cols[k].name, fixed_names[fixed[k]]);
	}
	if (layout == 1)
		return;
	factors = sortes_stratum_factors(p, &n);
	for (size_t i = 0; i < n; i++, k++) {
		cols[k] = (struct sortes_export_column){ .kind = C_STRATUM,
		    .key = sortes_factor_name(p, factors[i]),
		    .index = factors[i] };
		column_name(&cols[k], "stratum_", "s_", i + 1);
	}
	for (size_t i = 0; i < p->nfields; i++, k++) {
		cols[k] = (struct sortes_export_column){ .kind = C_FIELD,
		    .key = p->fields[i].name, .index = i };
		column_name(&cols[k], "field_", "f_", i + 1);
	}
}

int
sortes_export_begin(struct sortes_export_writer *w, FILE *out,
    enum sortes_export_format format, int layout,
    const struct sortes_protocol *p, const struct sortes_blinding *blind,
    struct sortes_error *err)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->format = format;
	w->p = layout == 1 ? NULL : p;
	w->blind = blind;
	sortes_jcs_init(&w->j);
	w->ncols = column_count(layout, p);
	w->cols = calloc(w->ncols, sizeof(*w->cols));
	w->json_order = calloc(w->ncols, sizeof(*w->json_order));
	if (w->cols == NULL || w->json_order == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	columns_fill(w->cols, layout, p);
	/* JSON keys must go in ascending order: sort once, by insertion. */
	for (size_t i = 0; i < w->ncols; i++) {
		size_t k = i;

		for (; k > 0 && strcmp(w->cols[w->json_order[k - 1]].name,
		    w->cols[i].name) > 0; k--)
			w->json_order[k] = w->json_order[k - 1];
		w->json_order[k] = i;
	}
	return 0;
}

void
sortes_export_free(struct sortes_export_writer *w)
{
	sortes_jcs_free(&w->j);
	free(w->cols);
	free(w->json_order);
	w->cols = NULL;
	w->json_order = NULL;
}

/* One object's members, and where the last lookup found one. */
struct split {
	struct sortes_member *m;
	long n, hint;
};

/*
 * A row's values: a text per column, and for a stratum or field column
 * its value's JSON text in the row's object (value NULL: not there).
 * The objects are the log's canonical text, split without a parser:
 * this runs once per row, a million times for a national trial.
 */
struct row_values {
	const char **cells;
	struct sortes_member *raw;
	struct split split[2];		/* the stratum's and the fields' */
	char *buf;			/* the cells decoded from raw */
	size_t used;
	const struct sortes_export_row *row;
	char seq[24], transfers[24];
};

static int
row_split(struct split *s, struct sortes_member *m, size_t max,
    const char *text, const char *what, const struct sortes_export_row *row,
    struct sortes_error *err)
{
	s->m = m;
	s->hint = 0;
	if (text == NULL || (s->n = sortes_object_split(text, m, max)) < 0)
		return sortes_error_set(err, SORTES_EDATA, "the %s of "
		    "participant entry %lld is not a flat JSON object", what,
		    (long long)row->seq);
	return 0;
}

/* A stratum or field value as a CSV cell: NULL when it is missing. */
static int
value_cell(struct row_values *v, const struct sortes_member *m,
    const char **cell, struct sortes_error *err)
{
	char *out = v->buf + v->used;
	size_t n = m->valuelen;
	int rc = 0;

	*cell = NULL;
	if (n == 4 && memcmp(m->value, "null", 4) == 0)
		return 0;
	if (m->value[0] == '"')
		rc = sortes_json_string_decode(m->value, m->valuelen, out, &n,
		    err);
	else {
		memcpy(out, m->value, n);
		out[n] = '\0';
	}
	v->used += n + 1;
	*cell = out;
	return rc;
}

static const char *
status_of(const struct sortes_export_row *row)
{
	if (row->withdrawn_at != NULL)
		return statuses[1];
	return row->transfers > 0 ? statuses[2] : statuses[0];
}

static int
row_cell(struct sortes_export_writer *w, struct row_values *v, size_t i,
    struct sortes_error *err)
{
	const struct sortes_export_row *row = v->row;
	const struct sortes_export_column *c = &w->cols[i];
	const char **cell = &v->cells[i];
	const struct sortes_member *m;
	struct split *sp;

	switch (c->kind) {
	case C_PSEUDONYM: *cell = row->pseudonym; break;
	case C_PARTICIPANT: *cell = row->participant; break;
	case C_CASEWORKER: *cell = row->caseworker; break;
	case C_STRATUM_JSON: *cell = row->stratum; break;
	case C_ENROLLED_AT: *cell = row->enrolled_at; break;
	case C_SEQ: *cell = v->seq; break;
	case C_ENTRY_HASH:
		/* An entry's hash is SHA-256 over a body that holds the arm,
		 * and the rest of that body is guessed in a few million
		 * tries: a blinded export leaves it empty. */
		*cell = w->blind == NULL ? row->entry_hash : "";
		break;
	case C_STATUS: *cell = status_of(row); break;
	case C_WITHDRAWN_AT: *cell = row->withdrawn_at; break;
	case C_TRANSFERS: *cell = v->transfers; break;
	case C_STRATUM:
	case C_FIELD:
		/* Fields come in the order of their names, as in the object. */
		sp = c->kind == C_STRATUM ? &v->split[0] : &v->split[1];
		m = sortes_member_find(sp->m, sp->n, c->key, &sp->hint);
		if (m == NULL)
			return 0;
		v->raw[i] = *m;
		return value_cell(v, m, cell, err);
	case C_ARM:
		if (w->p == NULL) {
			*cell = row->arm;
			return 0;
		}
		/* The name is the next column: both from one place. */
		return sortes_csvw_arm_cells(&(struct sortes_csvw_arms){ w->p,
		    w->blind }, row->arm, cell, cell + 1, err);
	case C_ARM_NAME: break;
	}
	return 0;
}

static int
row_values(struct sortes_export_writer *w, struct row_values *v,
    struct sortes_member *members, struct sortes_error *err)
{
	int rc = 0;

	snprintf(v->seq, sizeof(v->seq), "%lld", (long long)v->row->seq);
	snprintf(v->transfers, sizeof(v->transfers), "%lld",
	    (long long)v->row->transfers);
	if (w->p != NULL)
		rc = row_split(&v->split[0], members, w->ncols, v->row->stratum,
		    "stratum", v->row, err);
	if (rc == 0 && w->p != NULL)
		rc = row_split(&v->split[1], members + w->ncols, w->ncols,
		    v->row->fields, "baseline fields", v->row, err);
	for (size_t i = 0; rc == 0 && i < w->ncols; i++)
		rc = row_cell(w, v, i, err);
	return rc;
}

static void
json_cell(struct sortes_export_writer *w, const struct row_values *v,
    size_t i)
{
	struct sortes_jcs *j = &w->j;
	const struct sortes_member *x = &v->raw[i];
	const struct sortes_export_row *row = v->row;

	switch (w->cols[i].kind) {
	case C_SEQ: sortes_jcs_integer(j, row->seq); return;
	case C_TRANSFERS: sortes_jcs_integer(j, row->transfers); return;
	case C_STRATUM_JSON:
		sortes_jcs_raw(j, row->stratum, strlen(row->stratum));
		return;
	case C_STRATUM:
	case C_FIELD:
		/* As the log has it: integers and booleans stay so. */
		if (x->value == NULL)
			sortes_jcs_null(j);
		else
			sortes_jcs_raw(j, x->value, x->valuelen);
		return;
	default:
		if (v->cells[i] == NULL)
			sortes_jcs_null(j);
		else
			sortes_jcs_string(j, v->cells[i]);
	}
}

static int
export_json_row(struct sortes_export_writer *w, const struct row_values *v,
    struct sortes_error *err)
{
	struct sortes_jcs *j = &w->j;
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t k = 0; k < w->ncols; k++) {
		sortes_jcs_key(j, w->cols[w->json_order[k]].name);
		json_cell(w, v, w->json_order[k]);
	}
	sortes_jcs_object_end(j);
	if ((rc = sortes_jcs_finish(j, err)) != 0)
		return rc;
	if (fputs(w->rows == 0 ? "[\n" : ",\n", w->out) == EOF ||
	    fwrite(j->data, 1, j->len, w->out) != j->len)
		return export_write_fail(err);
	return 0;
}

static int
export_header(struct sortes_export_writer *w)
{
	const char **header = malloc(w->ncols * sizeof(*header));
	int rc;

	if (header == NULL)
		return SORTES_ENOMEM;
	for (size_t i = 0; i < w->ncols; i++)
		header[i] = w->cols[i].name;
	rc = sortes_csv_write_record(w->out, header, w->ncols, ',');
	free(header);
	return rc;
}

static int
export_csv_row(struct sortes_export_writer *w, const struct row_values *v,
    struct sortes_error *err)
{
	int rc = w->rows == 0 ? export_header(w) : 0;

	if (rc == 0)
		rc = sortes_csv_write_record(w->out, v->cells, w->ncols, ',');
	if (rc == SORTES_ENOMEM)
		return sortes_error_set(err, rc, "out of memory");
	return rc != 0 ? export_write_fail(err) : 0;
}

/* One block for a row's cells, values and members, freed at once. */
static void *
row_alloc(const struct sortes_export_writer *w, struct row_values *v,
    struct sortes_member **members)
{
	const struct sortes_export_row *row = v->row;
	size_t n = w->ncols, text = (row->stratum ? strlen(row->stratum) : 0) +
	    (row->fields ? strlen(row->fields) : 0) + 2 * n + 2;
	char *block = calloc(1, n * sizeof(*v->cells) + 3 * n *
	    sizeof(*v->raw) + text);

	if (block == NULL)
		return NULL;
	v->raw = (struct sortes_member *)block;
	*members = v->raw + n;
	v->cells = (const char **)(*members + 2 * n);
	v->buf = (char *)(v->cells + n);
	return block;
}

int
sortes_export_row(struct sortes_export_writer *w,
    const struct sortes_export_row *row, struct sortes_error *err)
{
	struct row_values v = { .row = row };
	struct sortes_member *members;
	void *block = row_alloc(w, &v, &members);
	int rc;

	if (block == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	else
		rc = row_values(w, &v, members, err);
	if (rc == 0)
		rc = w->format == SORTES_EXPORT_CSV ? export_csv_row(w, &v,
		    err) : export_json_row(w, &v, err);
	if (rc == 0)
		w->rows++;
	free(block);
	return rc;
}

int
sortes_export_end(struct sortes_export_writer *w, struct sortes_error *err)
{
	int rc = 0;

	if (w->format == SORTES_EXPORT_CSV && w->rows == 0)
		rc = export_header(w);
	else if (w->format == SORTES_EXPORT_JSON &&
	    fputs(w->rows == 0 ? "[]\n" : "\n]\n", w->out) == EOF)
		rc = SORTES_EIO;
	if (rc == SORTES_ENOMEM)
		rc = sortes_error_set(err, rc, "out of memory");
	else if (rc != 0)
		rc = export_write_fail(err);
	sortes_export_free(w);
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
	int rc, step = SQLITE_DONE;

	rc = sortes_export_begin(&w, out, format, SORTES_EXPORT_LAYOUT,
	    t->protocol, blind, err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		sortes_progress_report(t->progress, "rows", w.rows + 1, total);
		struct sortes_export_row row = {
			.pseudonym = col(st, 0), .participant = col(st, 1),
			.caseworker = col(st, 2), .stratum = col(st, 3),
			.arm = col(st, 4), .enrolled_at = col(st, 5),
			.seq = sqlite3_column_int64(st, 6),
			.entry_hash = col(st, 7), .fields = col(st, 8),
			.withdrawn_at = (const char *)sqlite3_column_text(st,
			    9),
			.transfers = sqlite3_column_int64(st, 10),
		};

		rc = sortes_export_row(&w, &row, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading allocations", err);
	*rows = w.rows;
	if (rc == 0)
		rc = sortes_export_end(&w, err);
	else
		sortes_export_free(&w);
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

static const char *const fixed_descriptions[] = {
	"The participant's keyed pseudonym (HMAC-SHA256 of the person "
	"identifier under the trial's key); no person identifier is exported",
	"The participant's UUID, as in the log",
	"The caseworker given at enrollment",
	"The stratum as a JSON object (layout 1 only)",
	"The arm allocated at enrollment, kept after transfers and "
	"withdrawal (intention to treat); see sortes:levels",
	"The name of the arm in column arm, as the protocol gives it",
	"UTC time of enrollment, as logged",
	"The enrollment's log entry number",
	"SHA-256 of the enrollment's log entry, hex",
	"The participant's status as of the export's entry; see "
	"sortes:levels",
	"UTC time of the withdrawal, as logged; empty unless withdrawn",
	"How many times the participant was transferred to another "
	"caseworker, as of the export's entry",
};

static const char *const status_labels[] = {
	"active: neither withdrawn nor transferred",
	"withdrawn: withdrew (withdrawn_at says when); stays in the arm "
	"allocated",
	"transferred: transferred to another caseworker at least once "
	"(transfers says how often), not withdrawn",
};

static const char *
status_code(const void *ctx, size_t i, const char **label)
{
	(void)ctx;
	*label = status_labels[i];
	return statuses[i];
}

/* An enum field's levels: the protocol gives them no labels. */
static const char *
enum_code(const void *ctx, size_t i, const char **label)
{
	const struct sortes_field *f = ctx;

	*label = NULL;
	return f->values[i];
}

static const char *
band_code(const void *ctx, size_t i, const char **label)
{
	const struct sortes_derived *d = ctx;

	*label = NULL;
	return d->labels[i];
}

/* A field's type as a column's datatype, and its codes. */
static void
dict_field_type(struct sortes_csvw_column *c, struct sortes_csvw_codes *codes,
    const struct sortes_field *f)
{
	static const char *const base[] = {
		[SORTES_FIELD_STRING] = "string",
		[SORTES_FIELD_INTEGER] = "integer",
		[SORTES_FIELD_DATE] = "date",
		[SORTES_FIELD_ENUM] = "string",
		[SORTES_FIELD_BOOLEAN] = "boolean",
		[SORTES_FIELD_DECIMAL] = "decimal",
	};

	c->base = base[f->type];
	if (f->type == SORTES_FIELD_INTEGER)
		c->bounds = f;
	if (f->type == SORTES_FIELD_ENUM) {
		*codes = (struct sortes_csvw_codes){ .n = f->nvalues,
		    .code = enum_code, .ctx = f, .levels = 1 };
		c->codes = codes;
	}
}

static void
dict_stratum(struct sortes_csvw_column *c, struct sortes_csvw_codes *codes,
    const struct sortes_protocol *p, size_t factor)
{
	const struct sortes_derived *d;

	c->required = 1;
	c->description = "The participant's level of this stratum (or "
	    "minimization factor), as the allocation used it";
	if (factor == SORTES_STRATUM_TEAM) {
		c->base = "string";
		c->description = "The team of the participant's caseworker at "
		    "enrollment, a stratum of the allocation";
	} else if (factor < p->nfields)
		dict_field_type(c, codes, &p->fields[factor]);
	else {
		d = &p->derived[factor - p->nfields];
		c->base = "string";
		*codes = (struct sortes_csvw_codes){ .n = d->ncuts - 1,
		    .code = band_code, .ctx = d, .levels = 1 };
		c->codes = codes;
	}
}

/* The dictionary's description of column 'k' of the writer. */
static void
dict_column(struct sortes_csvw_column *c, struct sortes_csvw_codes *codes,
    const struct sortes_export_writer *w, const struct sortes_csvw_arms *arms,
    size_t k)
{
	const struct sortes_export_column *e = &w->cols[k];
	const struct sortes_protocol *p = w->p;

	*c = (struct sortes_csvw_column){ .name = e->name, .base = "string",
	    .required = e->kind != C_WITHDRAWN_AT, .field = e->key };
	if (e->kind < C_STRATUM)
		c->description = fixed_descriptions[e->kind];
	if (w->blind != NULL && e->kind == C_ARM_NAME)
		c->description = "The label in column arm again: a blinded "
		    "export names no arm";
	if (w->blind != NULL && e->kind == C_ENTRY_HASH)
		c->description = "Empty: a blinded export gives no entry's "
		    "hash, which would tell the arm";
	if (e->kind == C_ENROLLED_AT || e->kind == C_WITHDRAWN_AT)
		c->base = "datetime";
	if (e->kind == C_SEQ || e->kind == C_TRANSFERS)
		c->base = "integer";
	if (e->kind == C_ARM || e->kind == C_STATUS) {
		*codes = (struct sortes_csvw_codes){ .n = e->kind == C_ARM ?
		    p->narms : sizeof(statuses) / sizeof(statuses[0]),
		    .code = e->kind == C_ARM ? sortes_csvw_arm_code :
		    status_code, .ctx = e->kind == C_ARM ? (const void *)arms :
		    p, .levels = 1 };
		c->codes = codes;
	}
	if (e->kind == C_ENTRY_HASH && w->blind != NULL)
		c->required = 0;
	if (e->kind == C_STRATUM)
		dict_stratum(c, codes, p, e->index);
	if (e->kind == C_FIELD) {
		dict_field_type(c, codes, &p->fields[e->index]);
		c->required = p->fields[e->index].required;
		c->description = p->fields[e->index].label != NULL ?
		    p->fields[e->index].label : "A baseline field";
	}
}

static int
dict_write(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_export_writer *w, const char *url,
    struct sortes_error *err)
{
	static const char *const key[] = { "participant", NULL };
	const struct sortes_csvw_arms arms = { t->protocol, w->blind };
	struct sortes_csvw_column *cols = calloc(w->ncols, sizeof(*cols));
	struct sortes_csvw_codes *codes = calloc(w->ncols, sizeof(*codes));
	int rc;

	if (cols == NULL || codes == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	else {
		for (size_t k = 0; k < w->ncols; k++)
			dict_column(&cols[k], &codes[k], w, &arms, k);
		sortes_csvw_begin(j, &arms, "Allocations: one row per "
		    "participant enrolled, with the arm, the strata, the "
		    "baseline fields and the status");
		sortes_jcs_key(j, "sortes:fields");
		sortes_jcs_array_begin(j);
		for (size_t i = 0; i < t->protocol->nfields; i++)
			sortes_csvw_field(j, &t->protocol->fields[i]);
		sortes_jcs_array_end(j);
		sortes_jcs_key(j, "sortes:layout");
		sortes_jcs_integer(j, SORTES_EXPORT_LAYOUT);
		rc = sortes_csvw_end(j, t->trial_id, t->protocol_sha256, cols,
		    w->ncols, key, url, err);
	}
	free(cols);
	free(codes);
	return rc;
}

int
sortes_export_allocations_dictionary(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url,
    const struct sortes_blinding *blind, struct sortes_error *err)
{
	struct sortes_export_writer w;
	int rc;

	/* The columns are the writer's: the same names, the same order. */
	rc = sortes_export_begin(&w, NULL, SORTES_EXPORT_CSV,
	    SORTES_EXPORT_LAYOUT, t->protocol, blind, err);
	if (rc == 0)
		rc = dict_write(j, t, &w, url, err);
	sortes_export_free(&w);
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
	/* Follow-up exports have had one layout only. */
	sortes_jcs_string(j, sortes_export_format_name(m->format,
	    m->kind != NULL && strcmp(m->kind, "followups") == 0 ? 1 :
	    m->layout));
	sortes_jcs_key(j, "head");
	sortes_jcs_string(j, m->head);
	if (m->kind == NULL || m->kind[0] != '\0') {
		sortes_jcs_key(j, "kind");
		sortes_jcs_string(j, m->kind != NULL ? m->kind : "allocations");
	}
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
