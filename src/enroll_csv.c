/*
 * enroll_csv.c - enrolling a cohort from a CSV file, all or nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/enroll.h"

/* What each column of the file is. */
struct csv_columns {
	char **header;		/* copies of the header cells */
	size_t n;
	long person;		/* column index, or -1 */
	long caseworker;
	const char **names;	/* field columns: names ... */
	size_t *index;		/* ... and their column indexes */
	const char **values;	/* per row: the field cells */
	size_t nfields;
};

static void
columns_free(struct csv_columns *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->header[i]);
	free(c->header);
	free(c->names);
	free(c->index);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

static int
columns_alloc(struct csv_columns *c, size_t n, struct sortes_error *err)
{
	c->n = n;
	c->header = calloc(n, sizeof(*c->header));
	c->names = calloc(n, sizeof(*c->names));
	c->index = calloc(n, sizeof(*c->index));
	c->values = calloc(n, sizeof(*c->values));
	if (c->header == NULL || c->names == NULL || c->index == NULL ||
	    c->values == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return 0;
}

static int
columns_classify(struct csv_columns *c, const struct sortes_protocol *p,
    const char *name, struct sortes_error *err)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *h = c->header[i];
		long *slot = strcmp(h, "person") == 0 ? &c->person :
		    strcmp(h, "caseworker") == 0 ? &c->caseworker : NULL;

		for (size_t k = 0; k < i; k++)
			if (strcmp(c->header[k], h) == 0)
				return sortes_error_set(err, SORTES_EDATA,
				    "%s:1: column '%s' appears twice", name, h);
		if (slot != NULL) {
			*slot = (long)i;
			continue;
		}
		if (sortes_protocol_field(p, h) < 0)
			return sortes_error_set(err, SORTES_EDATA, "%s:1: "
			    "unknown column '%s': expected person, caseworker "
			    "or a field the protocol declares", name, h);
		c->names[c->nfields] = c->header[i];
		c->index[c->nfields++] = i;
	}
	if (c->person < 0 || c->caseworker < 0)
		return sortes_error_set(err, SORTES_EDATA, "%s:1: the header "
		    "needs the columns 'person' and 'caseworker'", name);
	return 0;
}

static int
columns_read(struct csv_columns *c, struct sortes_csv *csv,
    const struct sortes_protocol *p, const char *name,
    struct sortes_error *err)
{
	int rc = sortes_csv_next(csv, err);

	memset(c, 0, sizeof(*c));
	c->person = c->caseworker = -1;
	if (rc == 0)
		return sortes_error_set(err, SORTES_EDATA, "%s: the file is "
		    "empty; expected a header line", name);
	if (rc < 0)
		return rc;
	if ((rc = columns_alloc(c, sortes_csv_count(csv), err)) != 0)
		return rc;
	for (size_t i = 0; i < c->n; i++) {
		const char *cell = sortes_csv_cell(csv, i);

		while (*cell == ' ')
			cell++;
		if ((c->header[i] = strdup(cell)) == NULL)
			return sortes_error_set(err, SORTES_ENOMEM,
			    "out of memory");
		for (char *e = c->header[i] + strlen(c->header[i]);
		    e > c->header[i] && e[-1] == ' '; e--)
			e[-1] = '\0';
	}
	return columns_classify(c, p, name, err);
}

struct csv_run {
	struct sortes_trial *trial;
	struct sortes_enroller *enroller;
	struct sortes_csv *csv;
	struct csv_columns cols;
	const char *name;
	int skip_invalid;
	const char *enrolled_at;
	int32_t enroll_day;
	sortes_reject_fn on_reject;
	void *ctx;
	struct sortes_csv_summary *summary;
};

/* Enroll the current row; SORTES_EDATA is a refusal of this row only. */
static int
csv_row(struct csv_run *r, struct sortes_error *err)
{
	struct sortes_enroll_input in;
	struct sortes_enroll_result res;
	struct sortes_csv *csv = r->csv;
	int rc;

	if (sortes_csv_count(csv) != r->cols.n)
		return sortes_error_set(err, SORTES_EDATA, "the row has %zu "
		    "cells but the header has %zu", sortes_csv_count(csv),
		    r->cols.n);
	for (size_t i = 0; i < r->cols.nfields; i++)
		r->cols.values[i] = sortes_csv_cell(csv, r->cols.index[i]);
	memset(&in, 0, sizeof(in));
	in.person = sortes_csv_cell(csv, (size_t)r->cols.person);
	in.caseworker = sortes_csv_cell(csv, (size_t)r->cols.caseworker);
	in.names = r->cols.names;
	in.values = r->cols.values;
	in.nfields = r->cols.nfields;
	in.enrolled_at = r->enrolled_at;
	in.enroll_day = r->enroll_day;
	rc = sortes_enroller_add(r->enroller, &in, &res, err);
	if (rc == 0)
		r->summary->per_arm[res.arm]++;
	return rc;
}

static int
csv_reject(struct csv_run *r, const char *reason, struct sortes_error *err)
{
	const char *cells[SORTES_CSV_FIELDS_MAX];
	size_t n = sortes_csv_count(r->csv);

	r->summary->rejected++;
	if (r->on_reject == NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		cells[i] = sortes_csv_cell(r->csv, i);
	if (r->on_reject(r->ctx, sortes_csv_line(r->csv),
	    (const char *const *)r->cols.header, r->cols.n, cells, n,
	    reason) != 0)
		return sortes_error_set(err, SORTES_EIO,
		    "cannot record a refused row");
	return 0;
}

static int
csv_rows(struct csv_run *r, struct sortes_error *err)
{
	struct sortes_error row_err;
	int rc;

	while ((rc = sortes_csv_next(r->csv, err)) == 1) {
		r->summary->rows++;
		sortes_error_clear(&row_err);
		rc = csv_row(r, &row_err);
		if (rc == 0) {
			r->summary->enrolled++;
			continue;
		}
		if (rc != SORTES_EDATA) {
			*err = row_err;
			return sortes_error_prefix(err, "%s:%ld", r->name,
			    sortes_csv_line(r->csv));
		}
		if ((rc = csv_reject(r, row_err.msg, err)) != 0)
			return rc;
	}
	return rc;
}

static int
csv_finish(struct csv_run *r, struct sortes_error *err)
{
	if (r->summary->rejected > 0 && !r->skip_invalid)
		return sortes_error_set(err, SORTES_EDATA, "%s: %ld of %ld "
		    "rows refused; nobody was enrolled", r->name,
		    r->summary->rejected, r->summary->rows);
	if (r->summary->enrolled == 0)
		return sortes_error_set(err, SORTES_EDATA, "%s: no row could "
		    "be enrolled", r->name);
	return sortes_enroller_commit(r->enroller, err);
}

int
sortes_enroll_csv(struct sortes_trial *t, FILE *in, const char *name,
    int delimiter, int skip_invalid, const char *enrolled_at,
    int32_t enroll_day, sortes_reject_fn on_reject, void *ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct csv_run r = {
		.trial = t, .name = name, .skip_invalid = skip_invalid,
		.enrolled_at = enrolled_at, .enroll_day = enroll_day,
		.on_reject = on_reject, .ctx = ctx, .summary = summary,
	};
	int rc;

	memset(summary, 0, sizeof(*summary));
	summary->per_arm = calloc(t->protocol->narms, sizeof(long));
	if (summary->per_arm == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_csv_open(&r.csv, in, delimiter, name, err);
	if (rc == 0)
		rc = columns_read(&r.cols, r.csv, t->protocol, name, err);
	if (rc == 0)
		rc = sortes_enroller_new(&r.enroller, t, err);
	if (rc == 0)
		rc = csv_rows(&r, err);
	if (rc == 0)
		rc = csv_finish(&r, err);
	sortes_enroller_free(r.enroller);
	sortes_csv_free(r.csv);
	columns_free(&r.cols);
	if (rc != 0) {
		summary->enrolled = 0;
		memset(summary->per_arm, 0, t->protocol->narms * sizeof(long));
	}
	return rc;
}

void
sortes_csv_summary_free(struct sortes_csv_summary *s)
{
	if (s == NULL)
		return;
	free(s->per_arm);
	s->per_arm = NULL;
}
