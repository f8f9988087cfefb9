/*
 * strata.h - the levels of a participant's strata or minimization
 * factors, as canonical JSON.  Private to the library.
 */
#ifndef SORTES_STRATA_H
#define SORTES_STRATA_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"
#include "sortes/field.h"
#include "sortes/jcs.h"
#include "sortes/protocol.h"

/* What a factor's level is taken from. */
struct sortes_levels_input {
	const struct sortes_protocol *protocol;
	const struct sortes_value *values;	/* one per protocol field */
	int32_t enroll_day;			/* for derived age bands */
	const char *team;			/* the caseworker's, or NULL */
};

/* The name of stratum index 'i' (a field, a derived field, the team). */
const char *sortes_factor_name(const struct sortes_protocol *p, size_t i);

/*
 * The factors a participant's stratum is made of: the minimization
 * factors, or else the strata (none for other methods).
 */
const size_t *sortes_stratum_factors(const struct sortes_protocol *p,
    size_t *n);

/*
 * Write to 'j' (reset first) the canonical JSON object mapping each of
 * factors[0..n) by name to the participant's level: a field's value, a
 * derived band's label, or the team.  SORTES_EDATA when a level is
 * missing: a field not given, an age outside every band, no team.
 */
int sortes_levels_json(struct sortes_jcs *j, const size_t *factors, size_t n,
    const struct sortes_levels_input *in, struct sortes_error *err);

/*
 * Write to 'j' (reset first) the canonical JSON of the participant's
 * level of factor 'i' alone.  Errors as sortes_levels_json().
 */
int sortes_level_json(struct sortes_jcs *j, size_t i,
    const struct sortes_levels_input *in, struct sortes_error *err);

/* One member of a flat canonical JSON object, as slices of its text. */
struct sortes_member {
	const char *key, *value;	/* value: its canonical JSON text */
	size_t keylen, valuelen;
};

/*
 * Split a canonical JSON object (keys without escapes), such as a
 * stratum or a log entry's body, into at most 'max' members; a nested
 * object or array is one member.  Returns the number of members, or -1
 * when the text is not such an object.
 */
long sortes_object_split(const char *json, struct sortes_member *out,
    size_t max);

/*
 * The member named 'key' of members m[0..n), or NULL.  With 'hint' (or
 * NULL), the search starts where the last one found a member, so that
 * keys looked up in the object's order are each found at once.
 */
const struct sortes_member *sortes_member_find(const struct sortes_member *m,
    long n, const char *key, long *hint);

/* Write {"team":"<team>"} to 'j' (reset first): a team as a stratum. */
int sortes_team_stratum(struct sortes_jcs *j, const char *team,
    struct sortes_error *err);

#endif
