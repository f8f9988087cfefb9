/*
 * strata.c - a participant's levels of the protocol's strata or
 * minimization factors.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/date.h"
#include "strata.h"

#define FACTORS_MAX 64

const char *
sortes_factor_name(const struct sortes_protocol *p, size_t i)
{
	if (i == SORTES_STRATUM_TEAM)
		return "caseworker_team";
	if (i < p->nfields)
		return p->fields[i].name;
	return p->derived[i - p->nfields].name;
}

const size_t *
sortes_stratum_factors(const struct sortes_protocol *p, size_t *n)
{
	if (p->minimization != NULL) {
		*n = p->minimization->nfactors;
		return p->minimization->factors;
	}
	*n = p->nstrata;
	return p->strata;
}

/* The label of the band the participant's age falls in, or NULL. */
static const char *
derived_label(const struct sortes_derived *d,
    const struct sortes_levels_input *in)
{
	const struct sortes_value *birth = &in->values[d->age_of];
	int age;

	if (!birth->present)
		return NULL;
	age = sortes_date_age(birth->date, in->enroll_day);
	for (size_t b = 0; b + 1 < d->ncuts; b++)
		if (age >= d->cuts[b] && age < d->cuts[b + 1])
			return d->labels[b];
	return NULL;
}

static int
level_write(struct sortes_jcs *j, size_t i,
    const struct sortes_levels_input *in, struct sortes_error *err)
{
	const struct sortes_protocol *p = in->protocol;
	const char *text;

	if (i < p->nfields) {
		if (!in->values[i].present)
			return sortes_error_set(err, SORTES_EDATA, "field '%s' "
			    "is needed: it defines the stratum",
			    p->fields[i].name);
		sortes_jcs_value(j, &in->values[i]);
		return 0;
	}
	text = i == SORTES_STRATUM_TEAM ? in->team :
	    derived_label(&p->derived[i - p->nfields], in);
	if (text == NULL && i == SORTES_STRATUM_TEAM)
		return sortes_error_set(err, SORTES_EDATA, "the caseworker's "
		    "team is needed, but the caseworker is not registered");
	if (text == NULL)
		return sortes_error_set(err, SORTES_EDATA, "'%s' is needed, but "
		    "the age from '%s' falls in none of its bands",
		    sortes_factor_name(p, i),
		    p->fields[p->derived[i - p->nfields].age_of].name);
	sortes_jcs_string(j, text);
	return 0;
}

int
sortes_levels_json(struct sortes_jcs *j, const size_t *factors, size_t n,
    const struct sortes_levels_input *in, struct sortes_error *err)
{
	const struct sortes_protocol *p = in->protocol;
	size_t order[FACTORS_MAX];
	int rc = 0;

	if (n > FACTORS_MAX)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "more than "
		    "%d strata", FACTORS_MAX);
	/* Canonical JSON wants the keys in name order. */
	for (size_t i = 0; i < n; i++) {
		size_t k = i;

		for (; k > 0 && strcmp(sortes_factor_name(p, order[k - 1]),
		    sortes_factor_name(p, factors[i])) > 0; k--)
			order[k] = order[k - 1];
		order[k] = factors[i];
	}
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t i = 0; i < n && rc == 0; i++) {
		sortes_jcs_key(j, sortes_factor_name(p, order[i]));
		rc = level_write(j, order[i], in, err);
	}
	sortes_jcs_object_end(j);
	return rc != 0 ? rc : sortes_jcs_finish(j, err);
}

int
sortes_level_json(struct sortes_jcs *j, size_t i,
    const struct sortes_levels_input *in, struct sortes_error *err)
{
	int rc;

	sortes_jcs_reset(j);
	if ((rc = level_write(j, i, in, err)) != 0)
		return rc;
	return sortes_jcs_finish(j, err);
}

int
sortes_team_stratum(struct sortes_jcs *j, const char *team,
    struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "team");
	sortes_jcs_string(j, team);
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}

/* End of the string starting at its opening quote p, or NULL. */
static const char *
string_end(const char *p)
{
	for (p++; *p != '\0' && *p != '"'; p++)
		if (*p == '\\' && *++p == '\0')
			return NULL;
	return *p == '"' ? p + 1 : NULL;
}

/*
 * End of the value starting at p: after a string's closing quote or a
 * nested object's or array's closing bracket, or at the ',' or '}'
 * after a bare value; NULL if malformed.
 */
static const char *
value_end(const char *p)
{
	int depth = 0;

	if (*p == '"')
		return string_end(p);
	if (*p != '{' && *p != '[') {
		while (*p != '\0' && *p != ',' && *p != '}')
			p++;
		return *p != '\0' ? p : NULL;
	}
	for (; *p != '\0'; p++) {
		if (*p == '"' && (p = string_end(p)) == NULL)
			return NULL;
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
	}
	return NULL;
}

const struct sortes_member *
sortes_member_find(const struct sortes_member *m, long n, const char *key,
    long *hint)
{
	size_t len = strlen(key);
	long start = hint != NULL ? *hint : 0;

	for (long k = 0; k < n; k++) {
		long i = (start + k) % n;

		if (m[i].keylen == len && memcmp(m[i].key, key, len) == 0) {
			if (hint != NULL)
				*hint = i + 1;
			return &m[i];
		}
	}
	return NULL;
}

long
sortes_object_split(const char *json, struct sortes_member *out, size_t max)
{
	const char *p = json;
	size_t n = 0;

	if (*p++ != '{')
		return -1;
	if (*p == '}')
		return p[1] == '\0' ? 0 : -1;
	for (;;) {
		const char *key, *end;

		if (*p++ != '"' || n == max)
			return -1;
		key = p;
		if ((p = strchr(p, '"')) == NULL || p[1] != ':')
			return -1;
		out[n].key = key;
		out[n].keylen = (size_t)(p - key);
		p += 2;
		if ((end = value_end(p)) == NULL || end == p)
			return -1;
		out[n].value = p;
		out[n++].valuelen = (size_t)(end - p);
		p = end;
		if (*p == '}')
			return p[1] == '\0' ? (long)n : -1;
		if (*p++ != ',')
			return -1;
	}
}
