/*
 * import.c - importing CSV rows through a callback, all or nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/import.h"

/* What each column of the file is. */
struct csv_columns {
	char **header;		/* copies of the header cells */
	size_t n;
	long keycol[8];		/* column of each key, or -1 */
	const char *keyval[8];	/* per row: the key cells */
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

static long
key_index(const struct sortes_import_spec *spec, const char *h)
{
	for (size_t k = 0; k < spec->nkeys; k++)
		if (strcmp(spec->keys[k], h) == 0)
			return (long)k;
	return -1;
}

static int
var_declared(const struct sortes_import_spec *spec, const char *h)
{
	for (size_t v = 0; v < spec->nvars; v++)
		if (strcmp(spec->vars[v].name, h) == 0)
			return 1;
	return 0;
}

static int
columns_classify(struct csv_columns *c, const struct sortes_import_spec *spec,
    const char *name, struct sortes_error *err)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *h = c->header[i];
		long key = key_index(spec, h);

		for (size_t k = 0; k < i; k++)
			if (strcmp(c->header[k], h) == 0)
				return sortes_error_set(err, SORTES_EDATA,
				    "%s:1: column '%s' appears twice", name, h);
		if (key >= 0) {
			c->keycol[key] = (long)i;
			continue;
		}
		if (!var_declared(spec, h))
			return sortes_error_set(err, SORTES_EDATA, "%s:1: "
			    "unknown column '%s': expected %s or a variable the "
			    "protocol declares", name, h, spec->keys[0]);
		c->names[c->nfields] = c->header[i];
		c->index[c->nfields++] = i;
	}
	for (size_t k = 0; k < spec->nkeys; k++)
		if (c->keycol[k] < 0)
			return sortes_error_set(err, SORTES_EDATA, "%s:1: the "
			    "header needs the column '%s'", name, spec->keys[k]);
	return 0;
}

static int
columns_read(struct csv_columns *c, struct sortes_csv *csv,
    const struct sortes_import_spec *spec, const char *name,
    struct sortes_error *err)
{
	int rc = sortes_csv_next(csv, err);

	memset(c, 0, sizeof(*c));
	for (size_t k = 0; k < 8; k++)
		c->keycol[k] = -1;
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
	return columns_classify(c, spec, name, err);
}

struct csv_run {
	const struct sortes_import_spec *spec;
	struct sortes_csv *csv;
	struct csv_columns cols;
	const char *name;
	int skip_invalid;
	sortes_reject_fn on_reject;
	void *ctx;
	struct sortes_csv_summary *summary;
};

/* Add the current row; SORTES_EDATA is a refusal of this row only. */
static int
csv_row(struct csv_run *r, struct sortes_error *err)
{
	struct sortes_csv *csv = r->csv;
	size_t bucket = 0;
	int rc;

	if (sortes_csv_count(csv) != r->cols.n)
		return sortes_error_set(err, SORTES_EDATA, "the row has %zu "
		    "cells but the header has %zu", sortes_csv_count(csv),
		    r->cols.n);
	for (size_t i = 0; i < r->cols.nfields; i++)
		r->cols.values[i] = sortes_csv_cell(csv, r->cols.index[i]);
	for (size_t k = 0; k < r->spec->nkeys; k++)
		r->cols.keyval[k] = sortes_csv_cell(csv,
		    (size_t)r->cols.keycol[k]);
	if (r->spec->row_start != NULL)
		r->spec->row_start(r->spec->ctx, sortes_csv_line(csv));
	rc = r->spec->add(r->spec->ctx, r->cols.keyval, r->cols.names,
	    r->cols.values, r->cols.nfields, &bucket, err);
	if (rc == 0 && bucket < r->spec->nbuckets)
		r->summary->per_arm[bucket]++;
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
		    "rows refused; %s", r->name, r->summary->rejected,
		    r->summary->rows, r->spec->none_added);
	if (r->summary->enrolled == 0)
		return sortes_error_set(err, SORTES_EDATA, "%s: no row could "
		    "be %s", r->name, r->spec->verb);
	return r->spec->commit(r->spec->ctx, err);
}

int
sortes_import_csv(const struct sortes_import_spec *spec, FILE *in,
    const char *name, int delimiter, int skip_invalid,
    sortes_reject_fn on_reject, void *reject_ctx,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	struct csv_run r = {
		.spec = spec, .name = name, .skip_invalid = skip_invalid,
		.on_reject = on_reject, .ctx = reject_ctx, .summary = summary,
	};
	int rc;

	memset(summary, 0, sizeof(*summary));
	if (spec->nkeys > 8)
		return sortes_error_set(err, SORTES_EUSAGE, "too many keys");
	summary->per_arm = calloc(spec->nbuckets + 1, sizeof(long));
	if (summary->per_arm == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_csv_open(&r.csv, in, delimiter, name, err);
	if (rc == 0)
		rc = columns_read(&r.cols, r.csv, spec, name, err);
	if (rc == 0)
		rc = csv_rows(&r, err);
	if (rc == 0)
		rc = csv_finish(&r, err);
	sortes_csv_free(r.csv);
	columns_free(&r.cols);
	if (rc != 0) {
		summary->enrolled = 0;
		memset(summary->per_arm, 0, spec->nbuckets * sizeof(long));
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
