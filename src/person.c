/*
 * person.c - person identifiers, checked and made canonical (person.h).
 *
 * Every refusal names the character's position and code point and says
 * what kind of character it is, so that a lead can find an invisible
 * byte-order mark or a look-alike hyphen in a spreadsheet cell.  No
 * message repeats the identifier: it is a CPR number.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sortes/crypto.h"
#include "sortes/date.h"
#include "sortes/person.h"

static const char *const kind_names[SORTES_PERSON_NKINDS] = {
	[SORTES_PERSON_ASCII] = "ascii",
	[SORTES_PERSON_CPR] = "cpr",
};

/* What each kind expects, said at the end of its refusals. */
static const char *const kind_expect[SORTES_PERSON_NKINDS] = {
	[SORTES_PERSON_ASCII] = "printable ASCII without white space inside",
	[SORTES_PERSON_CPR] = "a CPR number, DDMMYY-SSSS or DDMMYYSSSS",
};

const char *
sortes_person_kind_name(enum sortes_person_kind kind)
{
	return (unsigned)kind < SORTES_PERSON_NKINDS ? kind_names[kind] :
	    "unknown";
}

/* ------------------------------------------------------------------ */
/* Characters                                                         */

struct cp_range {
	uint32_t lo, hi;
	const char *name;	/* for a single code point; may be NULL */
};

/* General category Cf (format), Unicode 15.1. */
static const struct cp_range format_chars[] = {
	{ 0x00AD, 0x00AD, NULL }, { 0x0600, 0x0605, NULL },
	{ 0x061C, 0x061C, NULL }, { 0x06DD, 0x06DD, NULL },
	{ 0x070F, 0x070F, NULL }, { 0x0890, 0x0891, NULL },
	{ 0x08E2, 0x08E2, NULL }, { 0x180E, 0x180E, NULL },
	{ 0x200B, 0x200F, NULL }, { 0x202A, 0x202E, NULL },
	{ 0x2060, 0x2064, NULL }, { 0x2066, 0x206F, NULL },
	{ 0xFEFF, 0xFEFF, NULL }, { 0xFFF9, 0xFFFB, NULL },
	{ 0x110BD, 0x110BD, NULL }, { 0x110CD, 0x110CD, NULL },
	{ 0x13430, 0x1343F, NULL }, { 0x1BCA0, 0x1BCA3, NULL },
	{ 0x1D173, 0x1D17A, NULL }, { 0xE0001, 0xE0001, NULL },
	{ 0xE0020, 0xE007F, NULL },
};

/* Spaces and separators other than U+0020: categories Zs, Zl and Zp. */
static const struct cp_range space_chars[] = {
	{ 0x00A0, 0x00A0, NULL }, { 0x1680, 0x1680, NULL },
	{ 0x2000, 0x200A, NULL }, { 0x2028, 0x2029, NULL },
	{ 0x202F, 0x202F, NULL }, { 0x205F, 0x205F, NULL },
	{ 0x3000, 0x3000, NULL },
};

/* Names of the characters that spreadsheets and word processors slip in. */
static const struct cp_range names[] = {
	{ 0x0009, 0x0009, "tab" }, { 0x000A, 0x000A, "line feed" },
	{ 0x000D, 0x000D, "carriage return" }, { 0x0020, 0x0020, "space" },
	{ 0x007F, 0x007F, "delete" }, { 0x00A0, 0x00A0, "no-break space" },
	{ 0x00AD, 0x00AD, "soft hyphen" },
	{ 0x2002, 0x2002, "en space" }, { 0x2003, 0x2003, "em space" },
	{ 0x2007, 0x2007, "figure space" }, { 0x2009, 0x2009, "thin space" },
	{ 0x200B, 0x200B, "zero width space" },
	{ 0x200C, 0x200C, "zero width non-joiner" },
	{ 0x200D, 0x200D, "zero width joiner" },
	{ 0x200E, 0x200E, "left-to-right mark" },
	{ 0x200F, 0x200F, "right-to-left mark" },
	{ 0x2010, 0x2010, "hyphen" }, { 0x2011, 0x2011, "non-breaking hyphen" },
	{ 0x2012, 0x2012, "figure dash" }, { 0x2013, 0x2013, "en dash" },
	{ 0x2014, 0x2014, "em dash" },
	{ 0x202A, 0x202A, "left-to-right embedding" },
	{ 0x202B, 0x202B, "right-to-left embedding" },
	{ 0x202C, 0x202C, "pop directional formatting" },
	{ 0x202D, 0x202D, "left-to-right override" },
	{ 0x202E, 0x202E, "right-to-left override" },
	{ 0x202F, 0x202F, "narrow no-break space" },
	{ 0x2060, 0x2060, "word joiner" },
	{ 0x2066, 0x2066, "left-to-right isolate" },
	{ 0x2067, 0x2067, "right-to-left isolate" },
	{ 0x2068, 0x2068, "first strong isolate" },
	{ 0x2069, 0x2069, "pop directional isolate" },
	{ 0x2212, 0x2212, "minus sign" }, { 0x3000, 0x3000, "ideographic space" },
	{ 0xFEFF, 0xFEFF, "byte order mark" },
	{ 0xFF0D, 0xFF0D, "fullwidth hyphen-minus" },
	{ 0xFF10, 0xFF19, "fullwidth digit" },
};

#define NRANGES(a) (sizeof(a) / sizeof((a)[0]))

static const struct cp_range *
find_range(uint32_t cp, const struct cp_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return &r[i];
	return NULL;
}

/* What kind of character 'cp' is, in words; none of them is allowed. */
static const char *
char_class(uint32_t cp)
{
	if (cp == ' ' || cp == '\t')
		return "white space inside the identifier";
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return "a control character";
	if (find_range(cp, format_chars, NRANGES(format_chars)) != NULL)
		return "an invisible format character";
	if (find_range(cp, space_chars, NRANGES(space_chars)) != NULL)
		return "a non-ASCII space";
	return "a non-ASCII character";
}

/*
 * Decode the UTF-8 sequence at 's' (NUL-terminated) into *cp.  Returns
 * its length in bytes, or 0 when it is not valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF).
 */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, c = s[0] & 0x1Fu, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3, c = s[0] & 0x0Fu, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, c = s[0] & 0x07u, min = 0x10000;
	else
		return 0;
	/* a NUL is no continuation byte, so the loop stops at the end */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* The identifier as given, and what is left of it after trimming. */
struct span {
	const char *text;
	size_t start, end;		/* bytes */
	enum sortes_person_kind kind;
};

static int
refuse_char(const struct span *s, size_t pos, uint32_t cp,
    struct sortes_error *err)
{
	const struct cp_range *named = find_range(cp, names, NRANGES(names));

	return sortes_error_set(err, SORTES_EDATA, "person identifier: "
	    "character %zu is U+%04" PRIX32 "%s%s%s, %s; expected %s", pos, cp,
	    named != NULL ? " (" : "", named != NULL ? named->name : "",
	    named != NULL ? ")" : "", char_class(cp), kind_expect[s->kind]);
}

/*
 * Refuse the first character of the span that is not printable ASCII.
 * Positions count characters of the identifier as given; the trimmed
 * blanks before the span are one byte each.
 */
static int
check_chars(const struct span *s, struct sortes_error *err)
{
	const unsigned char *t = (const unsigned char *)s->text;
	size_t pos = s->start + 1, len;
	uint32_t cp;

	for (size_t i = s->start; i < s->end; i += len, pos++) {
		if ((len = utf8_decode(t + i, &cp)) == 0)
			return sortes_error_set(err, SORTES_EDATA, "person "
			    "identifier: character %zu is not valid UTF-8 "
			    "(byte 0x%02X); expected %s", pos, t[i],
			    kind_expect[s->kind]);
		if (cp <= ' ' || cp >= 0x7F)
			return refuse_char(s, pos, cp, err);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The kinds                                                          */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* DDMMYY-SSSS, the one spelling the ascii kind makes canonical. */
static int
is_cpr_with_hyphen(const char *s, size_t n)
{
	if (n != 11 || s[6] != '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (i != 6 && !is_digit(s[i]))
			return 0;
	return 1;
}

/*
 * Trials created before the identifier key existed pseudonymized their
 * identifiers by exactly this rule, so it must not change.
 */
static int
ascii_canonical(char *out, const struct span *s)
{
	const char *t = s->text + s->start;
	size_t n = s->end - s->start;

	if (is_cpr_with_hyphen(t, n)) {
		memcpy(out, t, 6);
		memcpy(out + 6, t + 7, 4);
		out[10] = '\0';
		return 0;
	}
	memcpy(out, t, n);
	out[n] = '\0';
	return 0;
}

/* The ten digits of DDMMYY-SSSS or DDMMYYSSSS into out. */
static int
cpr_digits(char *out, const struct span *s, struct sortes_error *err)
{
	size_t n = 0;

	for (size_t i = s->start; i < s->end; i++) {
		char c = s->text[i];

		if (is_digit(c)) {
			if (n < 10)
				out[n] = c;
			n++;
		} else if (c != '-' || i - s->start != 6)
			return sortes_error_set(err, SORTES_EDATA, "person "
			    "identifier: character %zu is '%c'; expected %s",
			    i + 1, c, kind_expect[SORTES_PERSON_CPR]);
	}
	if (n != 10)
		return sortes_error_set(err, SORTES_EDATA, "person identifier "
		    "has %zu digits; expected the 10 of %s", n,
		    kind_expect[SORTES_PERSON_CPR]);
	out[10] = '\0';
	return 0;
}

static int
two_digits(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/*
 * The year of birth.  The CPR office's rule (CPR-kontoret, "Personnummeret
 * i CPR-systemet", linked from cpr.dk "Opbygning af CPR-nummeret") reads
 * the century from the seventh digit and the two-digit year YY:
 *   0-3:      1900-1999;
 *   4 and 9:  2000-2036 when YY is 00-36, else 1937-1999;
 *   5-8:      2000-2057 when YY is 00-57, else 1858-1899.
 */
static int
cpr_year(const char *d)
{
	int yy = two_digits(d + 4), seventh = d[6] - '0';

	if (seventh <= 3)
		return 1900 + yy;
	if (seventh == 4 || seventh == 9)
		return (yy <= 36 ? 2000 : 1900) + yy;
	return (yy <= 57 ? 2000 : 1800) + yy;
}

/* The first six digits must be a date that exists, 29 February too. */
static int
cpr_date_check(const char *d, struct sortes_error *err)
{
	int month = two_digits(d + 2);
	char date[16];
	int32_t day;
	int ok;

	if (month < 1 || month > 12)
		return sortes_error_set(err, SORTES_EDATA, "person identifier: "
		    "the month (digits 3-4) is not 01-12; expected %s, whose "
		    "first six digits are a date", kind_expect[SORTES_PERSON_CPR]);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", cpr_year(d), month,
	    two_digits(d));
	ok = sortes_date_parse(date, &day) == 0;
	sortes_wipe(date, sizeof(date));
	if (!ok)
		return sortes_error_set(err, SORTES_EDATA, "person identifier: "
		    "the day (digits 1-2) is not a day of that month, in the "
		    "year the seventh digit gives; expected %s, whose first six "
		    "digits are a date", kind_expect[SORTES_PERSON_CPR]);
	return 0;
}

static int
cpr_canonical(char *out, const struct span *s, struct sortes_error *err)
{
	int rc = cpr_digits(out, s, err);

	return rc != 0 ? rc : cpr_date_check(out, err);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int
sortes_person_canonical(char out[SORTES_PERSON_MAX + 1],
    enum sortes_person_kind kind, const char *person,
    struct sortes_error *err)
{
	struct span s = { person, 0, strlen(person), kind };
	int rc;

	if ((unsigned)kind >= SORTES_PERSON_NKINDS)
		return sortes_error_set(err, SORTES_EUSAGE, "unknown kind of "
		    "person identifier %d", (int)kind);
	while (s.start < s.end && is_blank(person[s.start]))
		s.start++;
	while (s.end > s.start && is_blank(person[s.end - 1]))
		s.end--;
	if (s.end == s.start)
		return sortes_error_set(err, SORTES_EDATA,
		    "person identifier is empty");
	if ((rc = check_chars(&s, err)) != 0)
		return rc;
	if (s.end - s.start > SORTES_PERSON_MAX)
		return sortes_error_set(err, SORTES_EDATA, "person identifier "
		    "is longer than %d characters", SORTES_PERSON_MAX);
	if (kind == SORTES_PERSON_CPR)
		return cpr_canonical(out, &s, err);
	return ascii_canonical(out, &s);
}

int
sortes_person_pseudonym(char out[SORTES_SHA256_HEX], struct sortes_hmac *mac,
    enum sortes_person_kind kind, const char *person,
    struct sortes_error *err)
{
	char canonical[SORTES_PERSON_MAX + 1];
	uint8_t digest[SORTES_SHA256_LEN];
	int rc;

	rc = sortes_person_canonical(canonical, kind, person, err);
	if (rc == 0)
		rc = sortes_hmac(mac, digest, canonical, strlen(canonical), err);
	sortes_wipe(canonical, sizeof(canonical));
	if (rc == 0)
		sortes_hex_encode(out, digest, sizeof(digest));
	return rc;
}
