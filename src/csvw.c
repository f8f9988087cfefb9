/*
 * csvw.c - data dictionaries as CSV on the Web metadata: the columns
 * with their datatypes and allowed codes, and the protocol's arms.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/field.h"
#include "csvw.h"

/* A regular expression that matches exactly one of a list of codes. */
struct rx {
	char *s;
	size_t len, cap;
	size_t codes;			/* how many are in */
	int failed;			/* out of memory */
};

static void
rx_add(struct rx *r, const char *text, size_t n)
{
	char *s;

	if (r->failed)
		return;
	if (r->len + n + 1 > r->cap) {
		if ((s = realloc(r->s, (r->len + n + 1) * 2)) == NULL) {
			r->failed = 1;
			return;
		}
		r->s = s;
		r->cap = (r->len + n + 1) * 2;
	}
	memcpy(r->s + r->len, text, n);
	r->len += n;
	r->s[r->len] = '\0';
}

/* Codes are plain words; should one hold a metacharacter, it is escaped. */
static void
rx_code(struct rx *r, const char *code)
{
	if (r->codes++ > 0)
		rx_add(r, "|", 1);
	for (; *code != '\0'; code++) {
		if (strchr("\\^$.|?*+()[]{}", *code) != NULL)
			rx_add(r, "\\", 1);
		rx_add(r, code, 1);
	}
}

/* "^(A|B)$" for the codes; caller frees r->s. */
static int
rx_codes(struct rx *r, const struct sortes_csvw_codes *c,
    struct sortes_error *err)
{
	const char *label;

	memset(r, 0, sizeof(*r));
	rx_add(r, "^(", 2);
	for (size_t i = 0; i < c->n; i++)
		rx_code(r, c->code(c->ctx, i, &label));
	rx_add(r, ")$", 2);
	if (r->failed)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return 0;
}

/* A plain datatype is its name; one with a format or bounds, an object. */
static int
csvw_datatype(struct sortes_jcs *j, const struct sortes_csvw_column *c,
    struct sortes_error *err)
{
	const struct sortes_field *f = c->bounds;
	struct rx r = { 0 };
	int rc = 0;

	if (c->codes == NULL && (f == NULL || (!f->has_min && !f->has_max))) {
		sortes_jcs_string(j, c->base);
		return 0;
	}
	if (c->codes != NULL && (rc = rx_codes(&r, c->codes, err)) != 0)
		return rc;
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "base");
	sortes_jcs_string(j, c->base);
	if (r.s != NULL) {
		sortes_jcs_key(j, "format");
		sortes_jcs_string(j, r.s);
	}
	if (f != NULL && f->has_max) {
		sortes_jcs_key(j, "maximum");
		sortes_jcs_bound(j, f, f->max);
	}
	if (f != NULL && f->has_min) {
		sortes_jcs_key(j, "minimum");
		sortes_jcs_bound(j, f, f->min);
	}
	sortes_jcs_object_end(j);
	free(r.s);
	return 0;
}

/* Every allowed code of a coded column with its label. */
static void
csvw_levels(struct sortes_jcs *j, const struct sortes_csvw_codes *c)
{
	const char *code, *label;

	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < c->n; i++) {
		code = c->code(c->ctx, i, &label);
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "label");
		sortes_jcs_string(j, label != NULL ? label : code);
		sortes_jcs_key(j, "value");
		sortes_jcs_string(j, code);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

static int
csvw_column(struct sortes_jcs *j, const struct sortes_csvw_column *c,
    struct sortes_error *err)
{
	int rc;

	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "datatype");
	rc = csvw_datatype(j, c, err);
	sortes_jcs_key(j, "dc:description");
	sortes_jcs_string(j, c->description);
	sortes_jcs_key(j, "name");
	sortes_jcs_string(j, c->name);
	sortes_jcs_key(j, "required");
	sortes_jcs_boolean(j, c->required);
	if (c->field != NULL) {
		sortes_jcs_key(j, "sortes:field");
		sortes_jcs_string(j, c->field);
	}
	if (c->codes != NULL && c->codes->levels) {
		sortes_jcs_key(j, "sortes:levels");
		csvw_levels(j, c->codes);
	}
	sortes_jcs_key(j, "titles");
	sortes_jcs_string(j, c->name);
	sortes_jcs_object_end(j);
	return rc;
}

const char *
sortes_csvw_arm(const struct sortes_csvw_arms *a, size_t i, const char **name)
{
	const struct sortes_blinding *b = a->blind;
	char want[SORTES_BLIND_LABEL_MAX];

	if (b == NULL) {
		*name = a->p->arms[i].name;
		return a->p->arms[i].code;
	}
	/* The blinding's own copy of the label, which outlives this call. */
	sortes_blind_label(want, i);
	*name = b->labels[i];
	for (size_t k = 0; k < b->narms; k++)
		if (strcmp(b->labels[k], want) == 0)
			*name = b->labels[k];
	return *name;
}

int
sortes_csvw_arm_cells(const struct sortes_csvw_arms *a, const char *arm,
    const char **code, const char **name, struct sortes_error *err)
{
	const struct sortes_protocol *p = a->p;
	const char *shown;

	for (size_t i = 0; i < p->narms; i++) {
		if (strcmp(p->arms[i].code, arm) != 0)
			continue;
		if (a->blind != NULL && i >= a->blind->narms)
			break;
		shown = a->blind != NULL ? a->blind->labels[i] :
		    p->arms[i].code;
		*code = shown;
		if (name != NULL)
			*name = a->blind != NULL ? shown : p->arms[i].name;
		return 0;
	}
	return sortes_error_set(err, SORTES_EDATA, "arm '%s' is not one of "
	    "the protocol's arms", arm);
}

const char *
sortes_csvw_arm_code(const void *ctx, size_t i, const char **label)
{
	return sortes_csvw_arm(ctx, i, label);
}

/* sortes:arms, every arm's code and name. */
static void
csvw_arms(struct sortes_jcs *j, const struct sortes_csvw_arms *a)
{
	const char *code, *name;

	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < a->p->narms; i++) {
		code = sortes_csvw_arm(a, i, &name);
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "code");
		sortes_jcs_string(j, code);
		sortes_jcs_key(j, "name");
		sortes_jcs_string(j, name);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

void
sortes_csvw_field(struct sortes_jcs *j, const struct sortes_field *f)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "code");
	sortes_jcs_string(j, f->name);
	if (f->type == SORTES_FIELD_DECIMAL) {
		sortes_jcs_key(j, "decimals");
		sortes_jcs_integer(j, f->decimals);
	}
	if (f->label != NULL) {
		sortes_jcs_key(j, "label");
		sortes_jcs_string(j, f->label);
	}
	if (f->has_max) {
		sortes_jcs_key(j, "maximum");
		sortes_jcs_bound(j, f, f->max);
	}
	if (f->has_min) {
		sortes_jcs_key(j, "minimum");
		sortes_jcs_bound(j, f, f->min);
	}
	sortes_jcs_key(j, "type");
	sortes_jcs_string(j, sortes_field_type_name(f->type));
	if (f->type == SORTES_FIELD_ENUM) {
		sortes_jcs_key(j, "values");
		sortes_jcs_array_begin(j);
		for (size_t i = 0; i < f->nvalues; i++)
			sortes_jcs_string(j, f->values[i]);
		sortes_jcs_array_end(j);
	}
	sortes_jcs_object_end(j);
}

void
sortes_csvw_begin(struct sortes_jcs *j, const struct sortes_csvw_arms *a,
    const char *description)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "@context");
	sortes_jcs_string(j, "http://www.w3.org/ns/csvw");
	sortes_jcs_key(j, "dc:description");
	sortes_jcs_string(j, description);
	sortes_jcs_key(j, "dc:title");
	sortes_jcs_string(j, a->p->title);
	sortes_jcs_key(j, "sortes:arms");
	csvw_arms(j, a);
	if (a->blind != NULL) {
		sortes_jcs_key(j, "sortes:blinded");
		sortes_blind_json(j, a->blind->commitment, a->blind->seq);
	}
}

int
sortes_csvw_end(struct sortes_jcs *j, const char *trial_id,
    const char *protocol_sha256, const struct sortes_csvw_column *cols,
    size_t n, const char *const *primary_key, const char *url,
    struct sortes_error *err)
{
	int rc = 0;

	sortes_jcs_key(j, "sortes:protocol_sha256");
	sortes_jcs_string(j, protocol_sha256);
	sortes_jcs_key(j, "sortes:trial");
	sortes_jcs_string(j, trial_id);
	sortes_jcs_key(j, "tableSchema");
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "columns");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = csvw_column(j, &cols[i], err);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "primaryKey");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; primary_key[i] != NULL; i++)
		sortes_jcs_string(j, primary_key[i]);
	sortes_jcs_array_end(j);
	sortes_jcs_object_end(j);
	sortes_jcs_key(j, "url");
	sortes_jcs_string(j, url);
	sortes_jcs_object_end(j);
	return rc != 0 ? rc : sortes_jcs_finish(j, err);
}
