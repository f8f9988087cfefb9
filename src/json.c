/*
 * json.c - a strict JSON reader (RFC 8259): recursive descent over the
 * grammar of the RFC, refusing everything json.h lists.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/json.h"

struct parser {
	const unsigned char *text;
	size_t len, pos;
	int depth;
	struct sortes_error *err;
	/* Where in the value the parser is, for messages: in each open
	 * array or object, the item or the key being read (key NULL and
	 * index -1 before a key is read). */
	struct {
		const char *key;
		size_t keylen;
		long index;
	} at[SORTES_JSON_DEPTH_MAX];
};

static int parse_value(struct parser *p, struct sortes_json *v);

void
sortes_json_position(const char *text, size_t len, size_t offset, long *line,
    long *column)
{
	size_t bol = 0;

	*line = 1;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++)
		if (text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*column = (long)(offset - bol) + 1;
}

static int
fail_at(struct parser *p, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* The keys and indexes down to where the parser is: "a.b[2].c". */
static void
path_text(const struct parser *p, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < p->depth && n + 1 < size; i++) {
		if (p->at[i].key != NULL) {
			if (i > 0)
				buf[n++] = '.';
			sortes_json_excerpt(buf + n, size - n, p->at[i].key,
			    p->at[i].keylen);
		} else if (p->at[i].index >= 0)
			snprintf(buf + n, size - n, "[%ld]", p->at[i].index);
		else
			break;
		n += strlen(buf + n);
	}
}

/* Refuse the text, naming the line, column and path of byte 'at'. */
static int
fail_at(struct parser *p, size_t at, const char *fmt, ...)
{
	char what[SORTES_ERROR_MSG_MAX], path[160];
	long line, column;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sortes_json_position((const char *)p->text, p->len, at, &line, &column);
	path_text(p, path, sizeof(path));
	if (path[0] == '\0')
		return sortes_error_set(p->err, SORTES_EDATA, "line %ld, column "
		    "%ld: %s", line, column, what);
	return sortes_error_set(p->err, SORTES_EDATA, "line %ld, column %ld, "
	    "in '%s': %s", line, column, path, what);
}

/* Nothing read yet of the current item of the innermost container. */
static void
at_none(struct parser *p)
{
	p->at[p->depth - 1].key = NULL;
	p->at[p->depth - 1].index = -1;
}

static int
no_memory(struct parser *p)
{
	return sortes_error_set(p->err, SORTES_ENOMEM, "out of memory");
}

/* What the byte at the parser's position is, for messages. */
static int
unexpected(struct parser *p, const char *wanted)
{
	unsigned char c;

	if (p->pos >= p->len)
		return fail_at(p, p->pos, "the text ends where %s is due",
		    wanted);
	c = p->text[p->pos];
	if (c >= 0x20 && c < 0x7f)
		return fail_at(p, p->pos, "'%c' where %s is due", c, wanted);
	return fail_at(p, p->pos, "byte 0x%02x where %s is due", c, wanted);
}

static void
skip_space(struct parser *p)
{
	while (p->pos < p->len && (p->text[p->pos] == ' ' ||
	    p->text[p->pos] == '\t' || p->text[p->pos] == '\n' ||
	    p->text[p->pos] == '\r'))
		p->pos++;
}

/* The byte at the position is 'c': take it. */
static int
take(struct parser *p, unsigned char c)
{
	if (p->pos < p->len && p->text[p->pos] == c) {
		p->pos++;
		return 1;
	}
	return 0;
}

/* --- strings ------------------------------------------------------------ */

/*
 * The length of the well-formed UTF-8 sequence at s (at most 'avail'
 * bytes), or 0: Table 3-7 of the Unicode Standard.
 */
static size_t
utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static size_t
utf8_encode(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits at the position (after "\u"), or -1. */
static long
hex4(struct parser *p)
{
	long v = 0;

	if (p->len - p->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p->text[p->pos + (size_t)i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	p->pos += 4;
	return v;
}

/* A \u escape (the position after "\u"), a surrogate pair as one. */
static int
unicode_escape(struct parser *p, size_t at, unsigned long *cp)
{
	long hi = hex4(p), lo;

	if (hi < 0)
		return fail_at(p, at, "\\u is not followed by four hex digits");
	*cp = (unsigned long)hi;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(p, at, "\\u%04lX is the second half of a "
		    "surrogate pair without the first", (unsigned long)hi);
	if (hi < 0xd800 || hi > 0xdbff)
		return 0;
	if (!take(p, '\\') || !take(p, 'u') || (lo = hex4(p)) < 0xdc00 ||
	    lo > 0xdfff)
		return fail_at(p, at, "\\u%04lX is the first half of a "
		    "surrogate pair without the second", (unsigned long)hi);
	*cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) +
	    ((unsigned long)lo - 0xdc00);
	return 0;
}

/* The escape after a backslash at 'at', appended to out at *n. */
static int
escape(struct parser *p, size_t at, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = NULL;
	unsigned long cp = 0;
	int rc;

	if (p->pos < p->len && p->text[p->pos] != '\0')
		e = strchr(from, p->text[p->pos]);
	if (e != NULL) {
		out[(*n)++] = to[e - from];
		p->pos++;
		return 0;
	}
	if (!take(p, 'u'))
		return fail_at(p, at, "an escape that JSON does not have");
	if ((rc = unicode_escape(p, at, &cp)) != 0)
		return rc;
	*n += utf8_encode(out + *n, cp);
	return 0;
}

/*
 * The bytes of the string that starts at the position (its opening
 * quote taken), decoded into out (room for as many bytes as the text
 * has left, and a NUL); *n its length.
 */
static int
string_body(struct parser *p, char *out, size_t *n)
{
	size_t seq;
	int rc;

	*n = 0;
	for (;;) {
		size_t at = p->pos;
		unsigned char c;

		if (at >= p->len)
			return fail_at(p, at, "the text ends inside a string");
		c = p->text[at];
		if (c == '"') {
			p->pos++;
			out[*n] = '\0';
			return 0;
		}
		if (c < 0x20)
			return fail_at(p, at, "control character U+%04X in a "
			    "string (it must be escaped)", c);
		if (c == '\\') {
			p->pos++;
			if ((rc = escape(p, at, out, n)) != 0)
				return rc;
			continue;
		}
		if ((seq = utf8_sequence(p->text + at, p->len - at)) == 0)
			return fail_at(p, at, "invalid UTF-8 (byte 0x%02x)", c);
		memcpy(out + *n, p->text + at, seq);
		*n += seq;
		p->pos += seq;
	}
}

/* A string at the position (the opening quote not yet taken). */
static int
parse_string(struct parser *p, char **out, size_t *len)
{
	int rc;

	*out = NULL;
	if (!take(p, '"'))
		return unexpected(p, "a string");
	/* Decoding never makes a string longer than its text. */
	if ((*out = malloc(p->len - p->pos + 1)) == NULL)
		return no_memory(p);
	rc = string_body(p, *out, len);
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
sortes_json_string_decode(const char *text, size_t len, char *out,
    size_t *outlen, struct sortes_error *err)
{
	struct parser p;
	int rc;

	/* Not the whole parser zeroed: this runs for every exported cell. */
	p.text = (const unsigned char *)text;
	p.len = len;
	p.pos = 0;
	p.depth = 0;
	p.err = err;
	*outlen = 0;
	out[0] = '\0';
	if (!take(&p, '"'))
		return unexpected(&p, "a string");
	if ((rc = string_body(&p, out, outlen)) == 0 && p.pos != len)
		rc = fail_at(&p, p.pos, "more text after the string");
	return rc;
}

/* --- numbers and literals ----------------------------------------------- */

static size_t
digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->text[p->pos] >= '0' &&
	    p->text[p->pos] <= '9')
		p->pos++;
	return p->pos - start;
}

/* int frac? exp? of RFC 8259, section 6, and nothing else. */
static int
number_text(struct parser *p)
{
	size_t start = p->pos;

	take(p, '-');
	if (take(p, '0')) {
		if (digits(p) > 0)
			return fail_at(p, start, "a number with a leading "
			    "zero");
	} else if (digits(p) == 0)
		return unexpected(p, "a digit");
	if (take(p, '.') && digits(p) == 0)
		return unexpected(p, "a digit after the decimal point");
	if (take(p, 'e') || take(p, 'E')) {
		if (!take(p, '+'))
			take(p, '-');
		if (digits(p) == 0)
			return unexpected(p, "a digit in the exponent");
	}
	return 0;
}

static int
parse_number(struct parser *p, struct sortes_json *v)
{
	int rc = number_text(p);
	size_t n = p->pos - v->start;

	if (rc != 0)
		return rc;
	if ((v->str = malloc(n + 1)) == NULL)
		return no_memory(p);
	memcpy(v->str, p->text + v->start, n);
	v->str[n] = '\0';
	v->len = n;
	v->type = SORTES_JSON_NUMBER;
	return 0;
}

static int
parse_literal(struct parser *p, struct sortes_json *v)
{
	static const struct { const char *word; enum sortes_json_type type; }
	    words[] = { { "null", SORTES_JSON_NULL },
	    { "false", SORTES_JSON_FALSE }, { "true", SORTES_JSON_TRUE } };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);

		if (p->len - p->pos >= n &&
		    memcmp(p->text + p->pos, words[i].word, n) == 0) {
			p->pos += n;
			v->type = words[i].type;
			return 0;
		}
	}
	return unexpected(p, "a value");
}

/* --- arrays and objects ------------------------------------------------- */

/* Room for one more element of 'size' bytes in *items (n held). */
static int
grow(struct parser *p, void **items, size_t n, size_t *cap, size_t size)
{
	void *bigger;
	size_t want = *cap == 0 ? 4 : *cap * 2;

	if (n < *cap)
		return 0;
	if ((bigger = realloc(*items, want * size)) == NULL)
		return no_memory(p);
	memset((char *)bigger + *cap * size, 0, (want - *cap) * size);
	*items = bigger;
	*cap = want;
	return 0;
}

/* Another element, or the end of the container ('close'). */
static int
next_element(struct parser *p, size_t n, unsigned char close, int *done)
{
	skip_space(p);
	*done = take(p, close);
	if (*done || n == 0)
		return 0;
	if (!take(p, ','))
		return unexpected(p, close == ']' ? "',' or ']'" :
		    "',' or '}'");
	skip_space(p);
	return 0;
}

static int
parse_array(struct parser *p, struct sortes_json *v)
{
	size_t cap = 0;
	int rc = 0, done = 0;

	v->type = SORTES_JSON_ARRAY;
	p->pos++;
	at_none(p);
	while (rc == 0 && (rc = next_element(p, v->n, ']', &done)) == 0 &&
	    !done) {
		p->at[p->depth - 1].index = (long)v->n;
		if ((rc = grow(p, (void **)&v->items, v->n, &cap,
		    sizeof(*v->items))) == 0)
			rc = parse_value(p, &v->items[v->n++]);
	}
	return rc;
}

static int
key_cmp(const struct sortes_json_member *x, const struct sortes_json_member *y)
{
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0 || x->keylen == y->keylen)
		return c;
	return x->keylen < y->keylen ? -1 : 1;
}

/* By key, then by place in the text (the members are one array). */
static int
member_order(const void *a, const void *b)
{
	const struct sortes_json_member *x = *(const struct sortes_json_member
	    *const *)a, *y = *(const struct sortes_json_member *const *)b;
	int c = key_cmp(x, y);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * No key twice.  Sorted by key and then by place, the first key in the
 * text that repeats an earlier one is the earliest second of a pair of
 * equal neighbours.
 */
static int
unique_keys(struct parser *p, const struct sortes_json *v)
{
	const struct sortes_json_member **sorted, *dup = NULL;
	char key[80];

	if (v->n < 2)
		return 0;
	if ((sorted = malloc(v->n * sizeof(*sorted))) == NULL)
		return no_memory(p);
	for (size_t i = 0; i < v->n; i++)
		sorted[i] = &v->members[i];
	qsort(sorted, v->n, sizeof(*sorted), member_order);
	for (size_t i = 1; i < v->n; i++)
		if (key_cmp(sorted[i - 1], sorted[i]) == 0 &&
		    (dup == NULL || sorted[i] < dup))
			dup = sorted[i];
	free(sorted);
	if (dup == NULL)
		return 0;
	sortes_json_excerpt(key, sizeof(key), dup->key, dup->keylen);
	return fail_at(p, dup->start, "the key \"%s\" a second time in one "
	    "object", key);
}

static int
parse_member(struct parser *p, struct sortes_json_member *m)
{
	int rc;

	m->start = p->pos;
	if (p->pos >= p->len || p->text[p->pos] != '"')
		return unexpected(p, "a key in quotes");
	if ((rc = parse_string(p, &m->key, &m->keylen)) != 0)
		return rc;
	p->at[p->depth - 1].key = m->key;
	p->at[p->depth - 1].keylen = m->keylen;
	skip_space(p);
	if (!take(p, ':'))
		return unexpected(p, "':' after the key");
	skip_space(p);
	return parse_value(p, &m->value);
}

static int
parse_object(struct parser *p, struct sortes_json *v)
{
	size_t cap = 0;
	int rc = 0, done = 0;

	v->type = SORTES_JSON_OBJECT;
	p->pos++;
	at_none(p);
	while (rc == 0 && (rc = next_element(p, v->n, '}', &done)) == 0 &&
	    !done) {
		at_none(p);
		if ((rc = grow(p, (void **)&v->members, v->n, &cap,
		    sizeof(*v->members))) == 0)
			rc = parse_member(p, &v->members[v->n++]);
	}
	at_none(p);
	return rc == 0 ? unique_keys(p, v) : rc;
}

static int
parse_value(struct parser *p, struct sortes_json *v)
{
	int rc;

	v->start = p->pos;
	if (p->pos >= p->len)
		return unexpected(p, "a value");
	switch (p->text[p->pos]) {
	case '{':
	case '[':
		if (p->depth == SORTES_JSON_DEPTH_MAX)
			return fail_at(p, p->pos, "arrays and objects nested "
			    "more than %d deep", SORTES_JSON_DEPTH_MAX);
		p->depth++;
		rc = p->text[p->pos] == '{' ? parse_object(p, v) :
		    parse_array(p, v);
		p->depth--;
		break;
	case '"':
		v->type = SORTES_JSON_STRING;
		rc = parse_string(p, &v->str, &v->len);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		rc = parse_number(p, v);
		break;
	default:
		rc = parse_literal(p, v);
	}
	v->end = p->pos;
	return rc;
}

/* --- the interface ------------------------------------------------------ */

static void
json_clear(struct sortes_json *v)
{
	for (size_t i = 0; v->items != NULL && i < v->n; i++)
		json_clear(&v->items[i]);
	for (size_t i = 0; v->members != NULL && i < v->n; i++) {
		free(v->members[i].key);
		json_clear(&v->members[i].value);
	}
	free(v->items);
	free(v->members);
	free(v->str);
}

void
sortes_json_free(struct sortes_json *v)
{
	if (v == NULL)
		return;
	json_clear(v);
	free(v);
}

int
sortes_json_parse(struct sortes_json **out, const char *text, size_t len,
    struct sortes_error *err)
{
	struct parser p = { (const unsigned char *)text, len, 0, 0, err };
	struct sortes_json *v;
	int rc;

	*out = NULL;
	if (len > SORTES_JSON_SIZE_MAX)
		return sortes_error_set(err, SORTES_EDATA, "the text is larger "
		    "than %d bytes", SORTES_JSON_SIZE_MAX);
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return no_memory(&p);
	skip_space(&p);
	rc = parse_value(&p, v);
	skip_space(&p);
	if (rc == 0 && p.pos < len)
		rc = fail_at(&p, p.pos, "more text after the value");
	if (rc != 0) {
		sortes_json_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

const struct sortes_json *
sortes_json_get(const struct sortes_json *v, const char *key)
{
	size_t n = strlen(key);

	if (v == NULL || v->type != SORTES_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->members[i].keylen == n &&
		    memcmp(v->members[i].key, key, n) == 0)
			return &v->members[i].value;
	return NULL;
}

int
sortes_json_string_is(const struct sortes_json *v, const char *s)
{
	return v != NULL && v->type == SORTES_JSON_STRING &&
	    v->len == strlen(s) && memcmp(v->str, s, v->len) == 0;
}

void
sortes_json_excerpt(char *buf, size_t size, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = 0, i = 0, seq;

	if (size < 4) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	while (i < len) {
		seq = utf8_sequence(u + i, len - i);
		if (n + (seq > 0 ? seq : 1) > size - 4)
			break;
		if (seq == 0 || u[i] < 0x20 || u[i] == 0x7f) {
			buf[n++] = '?';
			i++;
			continue;
		}
		memcpy(buf + n, s + i, seq);
		n += seq;
		i += seq;
	}
	if (i < len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
}

int
sortes_json_int64(const struct sortes_json *v, int64_t *out)
{
	long long n;
	char *end;

	if (v == NULL || v->type != SORTES_JSON_NUMBER ||
	    strpbrk(v->str, ".eE") != NULL || strcmp(v->str, "-0") == 0)
		return 0;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*out = (int64_t)n;
	return 1;
}
