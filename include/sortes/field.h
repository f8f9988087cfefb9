/*
 * field.h - participant field values and eligibility rules.
 *
 * Text from the command line or a CSV cell is checked against the
 * protocol's field type and turned into a canonical value: the form
 * stored in the database and written into the log.
 */
#ifndef SORTES_FIELD_H
#define SORTES_FIELD_H

#include <stdint.h>

#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/protocol.h"

struct sortes_value {
	int present;		/* 0: the field was not given (or empty) */
	enum sortes_field_type type;
	int64_t integer;	/* SORTES_FIELD_INTEGER */
	int boolean;		/* SORTES_FIELD_BOOLEAN: 0 or 1 */
	int32_t date;		/* SORTES_FIELD_DATE: day number (date.h) */
	char *text;		/* canonical text of any type, owned; NULL if absent */
};

/*
 * Check 'text' against field 'f' and fill *out.  Canonical text:
 * integers in decimal without leading zeros or '+', dates YYYY-MM-DD
 * (read also from DD-MM-YYYY and DD.MM.YYYY when f->date_format says
 * day-month-year),
 * booleans "true"/"false" (accepted: true/false, yes/no, ja/nej, 1/0,
 * any case), enum values exactly as declared, strings as given (valid
 * UTF-8, no control characters, at most 1000 bytes).  Leading and
 * trailing blanks are ignored; empty text means "not given" and is
 * accepted here (required fields are checked by the caller).
 * On failure returns SORTES_EDATA with a message such as
 * "field 'sex': 'X' is not one of F, M".  Caller frees out->text with
 * sortes_value_clear().
 */
int sortes_value_parse(struct sortes_value *out, const struct sortes_field *f,
    const char *text, struct sortes_error *err);

/* Free what a value owns and mark it absent; NULL is allowed. */
void sortes_value_clear(struct sortes_value *v);

/*
 * Parse named texts into values[], one per variable of 'vars' (fields
 * or caseworker covariates, 'nvars' of them, sorted by name), clearing
 * what values[] held.  'what' names a variable in messages ("field",
 * "covariate").  SORTES_EDATA for an unknown or repeated name, a bad
 * value, or a required variable not given.
 */
int sortes_values_parse(struct sortes_value *values,
    const struct sortes_field *vars, size_t nvars, const char *const *names,
    const char *const *texts, size_t n, const char *what,
    struct sortes_error *err);

/*
 * Write the canonical JSON object of the present values (keys in name
 * order; integers and booleans as JSON integers and booleans, other
 * types as strings) to 'j', which is reset first.
 */
int sortes_values_json(struct sortes_jcs *j, const struct sortes_field *vars,
    size_t nvars, const struct sortes_value *values, struct sortes_error *err);

/*
 * "a, b, c" of words[0..n) into buf (always terminated), for messages;
 * a list too long for 'size' is cut off.
 */
void sortes_join_words(char *buf, size_t size, char *const *words, size_t n);

/* Write one value as canonical JSON (see sortes_values_json()). */
void sortes_jcs_value(struct sortes_jcs *j, const struct sortes_value *v);

/*
 * Write bound 'v' of integer or decimal variable 'f' as canonical JSON:
 * a decimal as exact text with its places ("80.0"), an integer as such.
 */
void sortes_jcs_bound(struct sortes_jcs *j, const struct sortes_field *f,
    int64_t v);

/*
 * Check the protocol's eligibility rules against 'values' (one per
 * protocol field, in protocol->fields order) for enrollment on day
 * 'enrolled' (a day number).  Returns 0 when every rule holds.
 * Otherwise SORTES_EDATA with the first failing rule named, e.g.
 * "not eligible: rule 'age 18-28' failed: age 31 is above 28", or
 * "not eligible: rule 'on education benefit' needs field 'benefit'".
 */
int sortes_eligibility_check(const struct sortes_protocol *p,
    const struct sortes_value *values, int32_t enrolled,
    struct sortes_error *err);

#endif
