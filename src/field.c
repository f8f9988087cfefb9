/*
 * field.c - checking participant field values and eligibility rules.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/date.h"
#include "sortes/decimal.h"
#include "sortes/field.h"

#define STRING_MAX_BYTES 1000

/* How much of a rejected input a message repeats; enough to recognise. */
#define QUOTE_MAX_BYTES 64

/* A trimmed view into the caller's text, with its offset for messages. */
struct span {
	const char *s;
	size_t len;
	size_t offset;
};

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span
trim(const char *text)
{
	struct span sp = { text, strlen(text), 0 };

	while (sp.len > 0 && is_blank(sp.s[0])) {
		sp.s++;
		sp.len--;
		sp.offset++;
	}
	while (sp.len > 0 && is_blank(sp.s[sp.len - 1]))
		sp.len--;
	return sp;
}

static int
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * Length of the UTF-8 sequence at s (at most n bytes available), or 0
 * when it is not the shortest encoding of a scalar value: overlong
 * forms, UTF-16 surrogates and code points above U+10FFFF are refused
 * because they let two different byte strings mean the same text.
 */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp, min;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Offset of the first invalid UTF-8 byte in s, or len if there is none. */
static size_t
utf8_invalid_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, step;

	while (i < len) {
		step = utf8_seq_len(u + i, len - i);
		if (step == 0)
			return i;
		i += step;
	}
	return len;
}

/*
 * Copy rejected input into buf for a message.  Input may be hostile to
 * a terminal or a log, so control bytes, and every non-ASCII byte of
 * text that is not valid UTF-8, are shown as \xNN; long input is cut
 * at a character boundary and marked with "...".
 */
static void
quote_input(char *buf, size_t size, struct span sp)
{
	int utf8 = utf8_invalid_at(sp.s, sp.len) == sp.len;
	size_t o = 0, i;

	for (i = 0; i < sp.len && o + 5 <= size; i++) {
		unsigned char c = (unsigned char)sp.s[i];

		/* Past the limit, go on only to finish the character. */
		if (i >= QUOTE_MAX_BYTES && !(utf8 && (c & 0xc0) == 0x80))
			break;
		if (is_control(c) || (c >= 0x80 && !utf8))
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (i < sp.len && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Room for every byte escaped, one unfinished character and "...". */
#define QUOTE_BUF ((QUOTE_MAX_BYTES + 4) * 4 + 4)

static int
reject(struct sortes_error *err, const struct sortes_field *f,
    struct span sp, const char *what)
{
	char q[QUOTE_BUF];

	quote_input(q, sizeof(q), sp);
	return sortes_error_set(err, SORTES_EDATA, "field '%s': '%s' %s",
	    f->name, q, what);
}

static int
set_text(struct sortes_value *out, const char *s, size_t len,
    struct sortes_error *err)
{
	char *t = malloc(len + 1);

	if (t == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	memcpy(t, s, len);
	t[len] = '\0';
	out->text = t;
	out->present = 1;
	return 0;
}

/*
 * Read the digits of sp from 'start': -1 if there are none or anything
 * else is there, 1 if the magnitude exceeds SORTES_INT_MAX.  Syntax is
 * checked first so that "1e999999999999999999" is not called too big.
 */
static int
parse_magnitude(struct span sp, size_t start, int64_t *mag)
{
	int64_t v = 0;
	int digit;

	if (start >= sp.len)
		return -1;
	for (size_t i = start; i < sp.len; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return -1;
	}
	for (size_t i = start; i < sp.len; i++) {
		digit = sp.s[i] - '0';
		if (v > (SORTES_INT_MAX - digit) / 10)
			return 1;
		v = v * 10 + digit;
	}
	*mag = v;
	return 0;
}

static int
parse_integer(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	char canon[32];
	int neg = sp.s[0] == '-';
	int64_t v;
	int rc;

	rc = parse_magnitude(sp, neg ? 1 : 0, &v);
	if (rc < 0)
		return reject(err, f, sp, "is not an integer");
	if (rc > 0)
		return reject(err, f, sp, "is out of range; integers must be "
		    "between -9007199254740991 and 9007199254740991");
	if (neg)
		v = -v;
	if (f->has_min && v < f->min)
		return sortes_error_set(err, SORTES_EDATA, "field '%s': %" PRId64
		    " is below the minimum %" PRId64, f->name, v, f->min);
	if (f->has_max && v > f->max)
		return sortes_error_set(err, SORTES_EDATA, "field '%s': %" PRId64
		    " is above the maximum %" PRId64, f->name, v, f->max);
	out->integer = v;
	snprintf(canon, sizeof(canon), "%" PRId64, v);
	return set_text(out, canon, strlen(canon), err);
}

static int
parse_decimal(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	char canon[SORTES_DECIMAL_BUF], bound[SORTES_DECIMAL_BUF];
	char what[80];
	int64_t v;
	int rc;

	rc = sortes_decimal_parse(sp.s, sp.len, f->decimals, &v);
	if (rc == SORTES_DECIMAL_PLACES) {
		snprintf(what, sizeof(what), "has more than %d decimal%s",
		    f->decimals, f->decimals == 1 ? "" : "s");
		return reject(err, f, sp, what);
	}
	if (rc != 0)
		return reject(err, f, sp, rc == SORTES_DECIMAL_RANGE ?
		    "is out of range" : "is not a number; expected digits "
		    "with an optional '.' and decimals, such as 12.5");
	sortes_decimal_format(v, f->decimals, canon);
	if (f->has_min && v < f->min) {
		sortes_decimal_format(f->min, f->decimals, bound);
		return sortes_error_set(err, SORTES_EDATA, "field '%s': %s is "
		    "below the minimum %s", f->name, canon, bound);
	}
	if (f->has_max && v > f->max) {
		sortes_decimal_format(f->max, f->decimals, bound);
		return sortes_error_set(err, SORTES_EDATA, "field '%s': %s is "
		    "above the maximum %s", f->name, canon, bound);
	}
	out->integer = v;
	return set_text(out, canon, strlen(canon), err);
}

#define DATE_ISO "is not a date; expected YYYY-MM-DD"
#define DATE_DMY "is not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD"

/*
 * Day-month-year only where the protocol says so: 01-02-2005 is
 * 1 February to a Danish spreadsheet and 2 January to an American one,
 * so it is never guessed, and a refusal says how to declare it.
 */
static int
reject_date(struct sortes_error *err, const struct sortes_field *f,
    struct span sp, const char *buf)
{
	int32_t day;
	int dmy = sortes_date_parse_dmy(buf, &day);

	if (f->date_format == SORTES_DATE_DAY_MONTH_YEAR)
		return reject(err, f, sp, dmy == -2 ? "is not a date that "
		    "exists; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD" :
		    DATE_DMY);
	if (dmy == -1)
		return reject(err, f, sp, DATE_ISO);
	return reject(err, f, sp, DATE_ISO "; to read it as day-month-year, "
	    "the protocol must declare date_format: day_month_year (under "
	    "trial:, or on the field)");
}

/* The stored form is YYYY-MM-DD whichever form was read. */
static int
parse_date(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	char buf[11];

	/* Anything longer than a date cannot be one; copy to terminate. */
	if (sp.len != 10)
		return reject(err, f, sp, f->date_format == SORTES_DATE_ISO ?
		    DATE_ISO : DATE_DMY);
	memcpy(buf, sp.s, 10);
	buf[10] = '\0';
	if (sortes_date_parse(buf, &out->date) != 0 &&
	    (f->date_format != SORTES_DATE_DAY_MONTH_YEAR ||
	    sortes_date_parse_dmy(buf, &out->date) != 0))
		return reject_date(err, f, sp, buf);
	sortes_date_format(out->date, buf);
	return set_text(out, buf, 10, err);
}

static int
equals_nocase(struct span sp, const char *word)
{
	size_t n = strlen(word);

	if (sp.len != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = sp.s[i];

		/* ASCII folding only: the locale must not change the answer. */
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

static int
parse_boolean(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	static const char *const yes[] = { "true", "yes", "ja", "1" };
	static const char *const no[] = { "false", "no", "nej", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (equals_nocase(sp, yes[i])) {
			out->boolean = 1;
			return set_text(out, "true", 4, err);
		}
		if (equals_nocase(sp, no[i])) {
			out->boolean = 0;
			return set_text(out, "false", 5, err);
		}
	}
	return reject(err, f, sp, "is not a boolean; expected true/false, "
	    "yes/no, ja/nej or 1/0");
}

void
sortes_join_words(char *buf, size_t size, char *const *values, size_t n)
{
	size_t o = 0;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < size; i++) {
		w = snprintf(buf + o, size - o, "%s%s", i > 0 ? ", " : "",
		    values[i]);
		if (w < 0)
			return;
		o += (size_t)w;
	}
}

static int
parse_enum(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	char list[SORTES_ERROR_MSG_MAX];
	char what[SORTES_ERROR_MSG_MAX + 16];

	for (size_t i = 0; i < f->nvalues; i++) {
		if (strlen(f->values[i]) == sp.len &&
		    memcmp(f->values[i], sp.s, sp.len) == 0)
			return set_text(out, f->values[i], sp.len, err);
	}
	sortes_join_words(list, sizeof(list), f->values, f->nvalues);
	snprintf(what, sizeof(what), "is not one of %s", list);
	return reject(err, f, sp, what);
}

static int
parse_string(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	size_t bad;

	/* The text itself is not repeated: it is what failed the checks. */
	if (sp.len > STRING_MAX_BYTES)
		return sortes_error_set(err, SORTES_EDATA, "field '%s': text "
		    "is %zu bytes long; at most %d are allowed", f->name,
		    sp.len, STRING_MAX_BYTES);
	bad = utf8_invalid_at(sp.s, sp.len);
	if (bad < sp.len)
		return sortes_error_set(err, SORTES_EDATA, "field '%s': text "
		    "is not valid UTF-8 at byte %zu", f->name,
		    sp.offset + bad + 1);
	for (size_t i = 0; i < sp.len; i++) {
		if (is_control((unsigned char)sp.s[i]))
			return sortes_error_set(err, SORTES_EDATA, "field '%s': "
			    "text has a control character at byte %zu",
			    f->name, sp.offset + i + 1);
	}
	return set_text(out, sp.s, sp.len, err);
}

static int
parse_typed(struct sortes_value *out, const struct sortes_field *f,
    struct span sp, struct sortes_error *err)
{
	switch (f->type) {
	case SORTES_FIELD_INTEGER: return parse_integer(out, f, sp, err);
	case SORTES_FIELD_DATE:	   return parse_date(out, f, sp, err);
	case SORTES_FIELD_BOOLEAN: return parse_boolean(out, f, sp, err);
	case SORTES_FIELD_ENUM:	   return parse_enum(out, f, sp, err);
	case SORTES_FIELD_STRING:  return parse_string(out, f, sp, err);
	case SORTES_FIELD_DECIMAL: return parse_decimal(out, f, sp, err);
	}
	return sortes_error_set(err, SORTES_EINTERNAL,
	    "field '%s': unknown type %d", f->name, (int)f->type);
}

int
sortes_value_parse(struct sortes_value *out, const struct sortes_field *f,
    const char *text, struct sortes_error *err)
{
	struct sortes_value v;
	struct span sp;
	int rc;

	if (out == NULL || f == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sortes_value_parse: no value or field given");
	memset(&v, 0, sizeof(v));
	v.type = f->type;
	*out = v;
	/* NULL is treated like an empty cell: the field was not given. */
	if (text == NULL)
		return 0;
	sp = trim(text);
	if (sp.len == 0)
		return 0;
	/* Filled aside, so a rejected value never looks half-set. */
	rc = parse_typed(&v, f, sp, err);
	if (rc == 0)
		*out = v;
	return rc;
}

void
sortes_value_clear(struct sortes_value *v)
{
	if (v == NULL)
		return;
	free(v->text);
	memset(v, 0, sizeof(*v));
}

/* ---- eligibility ---- */

/* The reason is built first so the fixed prefix cannot be cut off. */
static int
refuse(struct sortes_error *err, const struct sortes_rule *r,
    const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

static int
refuse(struct sortes_error *err, const struct sortes_rule *r,
    const char *fmt, ...)
{
	char reason[SORTES_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return sortes_error_set(err, SORTES_EDATA,
	    "not eligible: rule '%s' failed: %s", r->name, reason);
}

/*
 * A date after the enrollment day is no date of birth: refused as such,
 * not as a negative age (which a rule with only a maximum would pass).
 */
static int
check_age(const struct sortes_rule *r, const char *fname,
    const struct sortes_value *v, int32_t enrolled, struct sortes_error *err)
{
	int age = sortes_date_age(v->date, enrolled);
	char born[11], on[11];

	if (v->date > enrolled) {
		sortes_date_format(v->date, born);
		sortes_date_format(enrolled, on);
		return sortes_error_set(err, SORTES_EDATA, "field '%s' is %s, "
		    "after the enrollment date %s: rule '%s' needs a date of "
		    "birth", fname, born, on, r->name);
	}
	if (r->has_min && age < r->min)
		return refuse(err, r, "age %d is below %" PRId64, age, r->min);
	if (r->has_max && age > r->max)
		return refuse(err, r, "age %d is above %" PRId64, age, r->max);
	return 0;
}

static int
check_equals(const struct sortes_rule *r, const char *fname,
    const struct sortes_value *v, struct sortes_error *err)
{
	if (strcmp(v->text, r->values[0]) == 0)
		return 0;
	return refuse(err, r, "field '%s' is '%s', expected '%s'", fname,
	    v->text, r->values[0]);
}

static int
check_one_of(const struct sortes_rule *r, const char *fname,
    const struct sortes_value *v, struct sortes_error *err)
{
	char list[SORTES_ERROR_MSG_MAX];

	for (size_t i = 0; i < r->nvalues; i++) {
		if (strcmp(v->text, r->values[i]) == 0)
			return 0;
	}
	sortes_join_words(list, sizeof(list), r->values, r->nvalues);
	return refuse(err, r, "field '%s' is '%s', expected one of %s", fname,
	    v->text, list);
}

static int
check_range(const struct sortes_rule *r, const char *fname,
    const struct sortes_value *v, struct sortes_error *err)
{
	if (r->has_min && v->integer < r->min)
		return refuse(err, r, "field '%s' is %" PRId64 ", below %"
		    PRId64, fname, v->integer, r->min);
	if (r->has_max && v->integer > r->max)
		return refuse(err, r, "field '%s' is %" PRId64 ", above %"
		    PRId64, fname, v->integer, r->max);
	return 0;
}

/*
 * The protocol parser guarantees these; a mismatch means the caller
 * passed values that do not belong to this protocol.
 */
static int
rule_fits(const struct sortes_rule *r, const struct sortes_value *v)
{
	switch (r->kind) {
	case SORTES_RULE_AGE:
		return v->type == SORTES_FIELD_DATE;
	case SORTES_RULE_RANGE:
		return v->type == SORTES_FIELD_INTEGER;
	case SORTES_RULE_EQUALS:
		return v->text != NULL && r->nvalues == 1;
	case SORTES_RULE_ONE_OF:
		return v->text != NULL;
	}
	return 0;
}

static int
check_rule(const struct sortes_protocol *p, const struct sortes_rule *r,
    const struct sortes_value *values, int32_t enrolled,
    struct sortes_error *err)
{
	const struct sortes_value *v;
	const char *fname;

	if (r->field >= p->nfields)
		return sortes_error_set(err, SORTES_EINTERNAL, "rule '%s' "
		    "refers to field %zu of %zu", r->name, r->field,
		    p->nfields);
	v = &values[r->field];
	fname = p->fields[r->field].name;
	if (!v->present)
		return sortes_error_set(err, SORTES_EDATA, "not eligible: "
		    "rule '%s' needs field '%s'", r->name, fname);
	if (!rule_fits(r, v))
		return sortes_error_set(err, SORTES_EINTERNAL, "rule '%s' "
		    "does not fit the value of field '%s'", r->name, fname);
	switch (r->kind) {
	case SORTES_RULE_AGE:	 return check_age(r, fname, v, enrolled, err);
	case SORTES_RULE_EQUALS: return check_equals(r, fname, v, err);
	case SORTES_RULE_ONE_OF: return check_one_of(r, fname, v, err);
	case SORTES_RULE_RANGE:	 return check_range(r, fname, v, err);
	}
	return sortes_error_set(err, SORTES_EINTERNAL, "rule '%s' has "
	    "unknown kind %d", r->name, (int)r->kind);
}

int
sortes_eligibility_check(const struct sortes_protocol *p,
    const struct sortes_value *values, int32_t enrolled,
    struct sortes_error *err)
{
	int rc;

	if (p == NULL || (values == NULL && p->nfields > 0))
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sortes_eligibility_check: no protocol or values given");
	for (size_t i = 0; i < p->nrules; i++) {
		rc = check_rule(p, &p->rules[i], values, enrolled, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static long
var_index(const struct sortes_field *vars, size_t nvars, const char *name)
{
	size_t lo = 0, hi = nvars;

	/* vars are sorted by name, as the protocol parser leaves them. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(vars[mid].name, name);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Messages of sortes_value_parse() say "field"; say what it is. */
static int
values_rename(struct sortes_error *err, int rc, const char *what)
{
	char old[SORTES_ERROR_MSG_MAX];
	size_t wl, rl;

	if (err == NULL || strncmp(err->msg, "field ", 6) != 0 ||
	    strcmp(what, "field") == 0)
		return rc;
	/* "field 'x': ..." becomes "<what> 'x': ...". */
	memcpy(old, err->msg, sizeof(old));
	wl = strlen(what);
	rl = strlen(old + 5);
	if (wl + rl + 1 > sizeof(err->msg))
		rl = sizeof(err->msg) - wl - 1;
	memcpy(err->msg, what, wl);
	memcpy(err->msg + wl, old + 5, rl);
	err->msg[wl + rl] = '\0';
	return rc;
}

int
sortes_values_parse(struct sortes_value *values,
    const struct sortes_field *vars, size_t nvars, const char *const *names,
    const char *const *texts, size_t n, const char *what,
    struct sortes_error *err)
{
	int rc;

	for (size_t i = 0; i < nvars; i++)
		sortes_value_clear(&values[i]);
	for (size_t i = 0; i < n; i++) {
		long f = var_index(vars, nvars, names[i]);

		if (f < 0)
			return sortes_error_set(err, SORTES_EDATA, "unknown "
			    "%s '%s': the protocol does not declare it", what,
			    names[i]);
		if (values[f].present)
			return sortes_error_set(err, SORTES_EDATA, "%s '%s' "
			    "is given twice", what, names[i]);
		if ((rc = sortes_value_parse(&values[f], &vars[f], texts[i],
		    err)) != 0)
			return values_rename(err, rc, what);
	}
	for (size_t i = 0; i < nvars; i++)
		if (vars[i].required && !values[i].present)
			return sortes_error_set(err, SORTES_EDATA, "%s '%s' "
			    "is required", what, vars[i].name);
	return 0;
}

void
sortes_jcs_value(struct sortes_jcs *j, const struct sortes_value *v)
{
	if (v->type == SORTES_FIELD_INTEGER)
		sortes_jcs_integer(j, v->integer);
	else if (v->type == SORTES_FIELD_BOOLEAN)
		sortes_jcs_boolean(j, v->boolean);
	else
		sortes_jcs_string(j, v->text);
}

int
sortes_values_json(struct sortes_jcs *j, const struct sortes_field *vars,
    size_t nvars, const struct sortes_value *values, struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	for (size_t i = 0; i < nvars; i++) {
		if (!values[i].present)
			continue;
		sortes_jcs_key(j, vars[i].name);
		sortes_jcs_value(j, &values[i]);
	}
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}

void
sortes_jcs_bound(struct sortes_jcs *j, const struct sortes_field *f, int64_t v)
{
	char buf[SORTES_DECIMAL_BUF];

	if (f->type == SORTES_FIELD_DECIMAL) {
		sortes_decimal_format(v, f->decimals, buf);
		sortes_jcs_string(j, buf);
	} else {
		sortes_jcs_integer(j, v);
	}
}
