/*
 * protocol_json.c - the canonical JSON form of a parsed protocol
 * (docs/protocol-json.md).  Keys are written in ascending order, as
 * RFC 8785 requires; the writer checks it.  Absent optional values are
 * null, never left out, so that every protocol has the same keys; but
 * for date_format, which is written only where the protocol declares
 * it, so that protocols written before it existed keep their bytes and
 * their commitment.
 */
#include <string.h>

#include "sortes/date.h"
#include "sortes/field.h"
#include "sortes/person.h"
#include "sortes/protocol_json.h"
#include "sortes/record.h"
#include "strata.h"

static void
opt_string(struct sortes_jcs *j, const char *s)
{
	if (s != NULL)
		sortes_jcs_string(j, s);
	else
		sortes_jcs_null(j);
}

static void
strings(struct sortes_jcs *j, char *const *v, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_string(j, v[i]);
	sortes_jcs_array_end(j);
}

static void
opt_strings(struct sortes_jcs *j, char *const *v, size_t n)
{
	if (v != NULL)
		strings(j, v, n);
	else
		sortes_jcs_null(j);
}

static void
ints(struct sortes_jcs *j, const int *v, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_integer(j, v[i]);
	sortes_jcs_array_end(j);
}

static void
int64s(struct sortes_jcs *j, const int64_t *v, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_integer(j, v[i]);
	sortes_jcs_array_end(j);
}

/* The codes of arms[0..n) (indexes into p->arms); NULL means null. */
static void
arm_codes(struct sortes_jcs *j, const struct sortes_protocol *p,
    const size_t *arms, size_t n)
{
	if (arms == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_string(j, p->arms[arms[i]].code);
	sortes_jcs_array_end(j);
}

static void
json_arms(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->narms; i++) {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "code");
		sortes_jcs_string(j, p->arms[i].code);
		sortes_jcs_key(j, "name");
		sortes_jcs_string(j, p->arms[i].name);
		sortes_jcs_key(j, "ratio");
		sortes_jcs_integer(j, p->arms[i].ratio);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

static void
json_budget(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	const struct sortes_budget *b = p->budget;

	if (b == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "amount_minor");
	sortes_jcs_integer(j, b->amount_minor);
	sortes_jcs_key(j, "arms");
	arm_codes(j, p, b->arms, b->narms);
	sortes_jcs_key(j, "categories");
	opt_strings(j, b->categories, b->ncategories);
	sortes_jcs_key(j, "currency");
	sortes_jcs_string(j, b->currency);
	sortes_jcs_object_end(j);
}

/* A bound of an integer or decimal variable; null when there is none. */
static void
bound(struct sortes_jcs *j, const struct sortes_field *f, int has,
    int64_t v)
{
	if (has && (f->type == SORTES_FIELD_INTEGER ||
	    f->type == SORTES_FIELD_DECIMAL))
		sortes_jcs_bound(j, f, v);
	else
		sortes_jcs_null(j);
}

static void
variable(struct sortes_jcs *j, const struct sortes_field *f)
{
	sortes_jcs_object_begin(j);
	if (f->date_format_given) {
		sortes_jcs_key(j, "date_format");
		sortes_jcs_string(j, sortes_date_format_name(f->date_format));
	}
	sortes_jcs_key(j, "decimals");
	if (f->type == SORTES_FIELD_DECIMAL)
		sortes_jcs_integer(j, f->decimals);
	else
		sortes_jcs_null(j);
	sortes_jcs_key(j, "label");
	opt_string(j, f->label);
	sortes_jcs_key(j, "max");
	bound(j, f, f->has_max, f->max);
	sortes_jcs_key(j, "min");
	bound(j, f, f->has_min, f->min);
	sortes_jcs_key(j, "name");
	sortes_jcs_string(j, f->name);
	sortes_jcs_key(j, "required");
	sortes_jcs_boolean(j, f->required);
	sortes_jcs_key(j, "type");
	sortes_jcs_string(j, sortes_field_type_name(f->type));
	sortes_jcs_key(j, "values");
	opt_strings(j, f->type == SORTES_FIELD_ENUM ? f->values : NULL,
	    f->nvalues);
	sortes_jcs_object_end(j);
}

static void
variables(struct sortes_jcs *j, const struct sortes_field *v, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		variable(j, &v[i]);
	sortes_jcs_array_end(j);
}

static void
json_derived(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->nderived; i++) {
		const struct sortes_derived *d = &p->derived[i];

		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "age_of");
		sortes_jcs_string(j, p->fields[d->age_of].name);
		sortes_jcs_key(j, "cuts");
		int64s(j, d->cuts, d->ncuts);
		sortes_jcs_key(j, "labels");
		strings(j, d->labels, d->ncuts - 1);
		sortes_jcs_key(j, "name");
		sortes_jcs_string(j, d->name);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

static const char *const rule_kinds[] = {
	[SORTES_RULE_AGE] = "age",
	[SORTES_RULE_EQUALS] = "equals",
	[SORTES_RULE_ONE_OF] = "one_of",
	[SORTES_RULE_RANGE] = "range",
};

static void
opt_integer(struct sortes_jcs *j, int has, int64_t v)
{
	if (has)
		sortes_jcs_integer(j, v);
	else
		sortes_jcs_null(j);
}

static void
json_eligibility(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sortes_rule *r = &p->rules[i];

		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "field");
		sortes_jcs_string(j, p->fields[r->field].name);
		sortes_jcs_key(j, "kind");
		sortes_jcs_string(j, rule_kinds[r->kind]);
		sortes_jcs_key(j, "max");
		opt_integer(j, r->has_max, r->max);
		sortes_jcs_key(j, "min");
		opt_integer(j, r->has_min, r->min);
		sortes_jcs_key(j, "name");
		sortes_jcs_string(j, r->name);
		sortes_jcs_key(j, "values");
		opt_strings(j, r->values, r->nvalues);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

static const char *const offset_units[] = {
	[SORTES_DAYS] = "days",
	[SORTES_WEEKS] = "weeks",
	[SORTES_MONTHS] = "months",
};

static void
offset(struct sortes_jcs *j, const struct sortes_offset *o)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "n");
	sortes_jcs_integer(j, o->n);
	sortes_jcs_key(j, "unit");
	sortes_jcs_string(j, offset_units[o->unit]);
	sortes_jcs_object_end(j);
}

static void
occasion(struct sortes_jcs *j, const struct sortes_protocol *p,
    const struct sortes_occasion *o)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "after");
	opt_string(j, o->after);
	sortes_jcs_key(j, "arms");
	arm_codes(j, p, o->arms, o->narms);
	sortes_jcs_key(j, "code");
	sortes_jcs_string(j, o->code);
	sortes_jcs_key(j, "label");
	opt_string(j, o->label);
	sortes_jcs_key(j, "measures");
	sortes_jcs_array_begin(j);
	for (size_t m = 0; m < o->nmeasures; m++)
		sortes_jcs_string(j, p->measures[o->measures[m]].name);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "offset");
	offset(j, &o->offset);
	sortes_jcs_key(j, "window");
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "after");
	offset(j, &o->window_after);
	sortes_jcs_key(j, "before");
	offset(j, &o->window_before);
	sortes_jcs_object_end(j);
	sortes_jcs_object_end(j);
}

static void
json_followups(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < p->noccasions; i++)
		occasion(j, p, &p->occasions[i]);
	sortes_jcs_array_end(j);
}

static void
json_beacon(struct sortes_jcs *j, const struct sortes_beacon *b)
{
	char date[11];

	if (b == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "date");
	if (b->round < 0) {
		sortes_date_format(b->date, date);
		sortes_jcs_string(j, date);
	} else {
		sortes_jcs_null(j);
	}
	sortes_jcs_key(j, "round");
	opt_integer(j, b->round >= 0, b->round);
	sortes_jcs_key(j, "source");
	sortes_jcs_string(j, b->source);
	sortes_jcs_object_end(j);
}

static void
covariate_names(struct sortes_jcs *j, const struct sortes_protocol *p,
    const size_t *idx, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_string(j, p->cw_covariates[idx[i]].name);
	sortes_jcs_array_end(j);
}

static void
json_constrained(struct sortes_jcs *j, const struct sortes_protocol *p,
    int log_format)
{
	const struct sortes_constrained *c = p->constrained;

	if (c == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "coding");
	sortes_jcs_string(j, sortes_coding_name(sortes_coding_resolve(c,
	    log_format)));
	sortes_jcs_key(j, "covariates");
	covariate_names(j, p, c->covariates, c->ncovariates);
	sortes_jcs_key(j, "keep_per10k");
	sortes_jcs_integer(j, c->keep_per10k);
	sortes_jcs_key(j, "metric");
	sortes_jcs_string(j, c->metric == 1 ? "l1" : "l2");
	sortes_jcs_key(j, "weights");
	int64s(j, c->weights, c->ncovariates);
	sortes_jcs_object_end(j);
}

static void
json_matched_pairs(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	const struct sortes_matched_pairs *mp = p->matched_pairs;

	if (mp == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "by");
	opt_string(j, mp->by >= 0 ? p->cw_covariates[mp->by].name : NULL);
	sortes_jcs_key(j, "pairs");
	if (mp->by >= 0) {
		sortes_jcs_null(j);
	} else {
		sortes_jcs_array_begin(j);
		for (size_t i = 0; i < mp->npairs; i++)
			strings(j, &mp->pairs[2 * i], 2);
		sortes_jcs_array_end(j);
	}
	sortes_jcs_object_end(j);
}

static void
factor_names(struct sortes_jcs *j, const struct sortes_protocol *p,
    const size_t *idx, size_t n)
{
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < n; i++)
		sortes_jcs_string(j, sortes_factor_name(p, idx[i]));
	sortes_jcs_array_end(j);
}

static void
json_minimization(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	const struct sortes_minimization *m = p->minimization;

	if (m == NULL) {
		sortes_jcs_null(j);
		return;
	}
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "factors");
	factor_names(j, p, m->factors, m->nfactors);
	sortes_jcs_key(j, "probability_per10k");
	sortes_jcs_integer(j, m->probability_per10k);
	sortes_jcs_key(j, "weights");
	int64s(j, m->weights, m->nfactors);
	sortes_jcs_object_end(j);
}

static void
json_randomization(struct sortes_jcs *j, const struct sortes_protocol *p,
    int log_format)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "beacon");
	json_beacon(j, p->beacon);
	sortes_jcs_key(j, "block_sizes");
	ints(j, p->block_sizes, p->nblock_sizes);
	sortes_jcs_key(j, "constrained");
	json_constrained(j, p, log_format);
	sortes_jcs_key(j, "matched_pairs");
	json_matched_pairs(j, p);
	sortes_jcs_key(j, "method");
	sortes_jcs_string(j, sortes_method_name(p->method));
	sortes_jcs_key(j, "minimization");
	json_minimization(j, p);
	sortes_jcs_key(j, "new_hires");
	if (p->new_hires != NULL) {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "block_sizes");
		ints(j, p->new_hires->block_sizes, p->new_hires->nblock_sizes);
		sortes_jcs_object_end(j);
	} else {
		sortes_jcs_null(j);
	}
	sortes_jcs_key(j, "strata");
	factor_names(j, p, p->strata, p->nstrata);
	sortes_jcs_key(j, "unit");
	sortes_jcs_string(j, sortes_unit_name(p->unit));
	sortes_jcs_object_end(j);
}

static void
json_trial(struct sortes_jcs *j, const struct sortes_protocol *p)
{
	sortes_jcs_object_begin(j);
	if (p->date_format_given) {
		sortes_jcs_key(j, "date_format");
		sortes_jcs_string(j, sortes_date_format_name(p->date_format));
	}
	sortes_jcs_key(j, "id");
	sortes_jcs_string(j, p->id);
	sortes_jcs_key(j, "identifier");
	sortes_jcs_string(j, sortes_person_kind_name(p->identifier));
	sortes_jcs_key(j, "outcome_assessment");
	sortes_jcs_string(j, sortes_assessment_name(p->outcome_assessment));
	sortes_jcs_key(j, "sponsor");
	sortes_jcs_string(j, p->sponsor);
	sortes_jcs_key(j, "target_enrollment");
	sortes_jcs_integer(j, p->target_enrollment);
	sortes_jcs_key(j, "timezone");
	sortes_jcs_string(j, p->timezone);
	sortes_jcs_key(j, "title");
	sortes_jcs_string(j, p->title);
	sortes_jcs_key(j, "weekends");
	sortes_jcs_string(j, sortes_weekend_rule_name(p->weekends));
	sortes_jcs_object_end(j);
}

int
sortes_protocol_json(struct sortes_jcs *j, const struct sortes_protocol *p,
    int log_format, struct sortes_error *err)
{
	if (log_format < 1 || log_format > SORTES_LOG_FORMAT)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "log format "
		    "%d is not one this sortes knows", log_format);
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "arms");
	json_arms(j, p);
	sortes_jcs_key(j, "budget");
	json_budget(j, p);
	sortes_jcs_key(j, "caseworker_covariates");
	variables(j, p->cw_covariates, p->ncw_covariates);
	sortes_jcs_key(j, "derived");
	json_derived(j, p);
	sortes_jcs_key(j, "eligibility");
	json_eligibility(j, p);
	sortes_jcs_key(j, "fields");
	variables(j, p->fields, p->nfields);
	sortes_jcs_key(j, "followups");
	json_followups(j, p);
	sortes_jcs_key(j, "format");
	sortes_jcs_integer(j, p->format);
	sortes_jcs_key(j, "measures");
	variables(j, p->measures, p->nmeasures);
	sortes_jcs_key(j, "randomization");
	json_randomization(j, p, log_format);
	sortes_jcs_key(j, "trial");
	json_trial(j, p);
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}
