/*
 * json.h - a strict JSON reader (RFC 8259), for files that sortes
 * checks rather than trusts.
 *
 * The text must be exactly one JSON value, with optional white space
 * (space, tab, line feed, carriage return) around it and nothing else.
 * It must be UTF-8 without a byte order mark, every sequence well
 * formed (no overlong forms, no surrogates, nothing above U+10FFFF);
 * strings hold no raw control characters (U+0000 to U+001F); a \u
 * escape of a surrogate must be one half of a pair; no object has the
 * same key twice; arrays and objects nest at most SORTES_JSON_DEPTH_MAX
 * deep; and the text is at most SORTES_JSON_SIZE_MAX bytes.  Anything
 * else is refused, naming the line and column (in bytes, both from 1)
 * of the first fault.  Numbers are kept as written: the reader never
 * rounds.
 */
#ifndef SORTES_JSON_H
#define SORTES_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"

#define SORTES_JSON_DEPTH_MAX 32
#define SORTES_JSON_SIZE_MAX (4 * 1024 * 1024)

enum sortes_json_type {
	SORTES_JSON_NULL,
	SORTES_JSON_FALSE,
	SORTES_JSON_TRUE,
	SORTES_JSON_NUMBER,
	SORTES_JSON_STRING,
	SORTES_JSON_ARRAY,
	SORTES_JSON_OBJECT
};

struct sortes_json_member;

/* A value, and where it was in the text. */
struct sortes_json {
	enum sortes_json_type type;
	size_t start, end;	/* byte offsets of its text: [start, end) */
	/*
	 * STRING: the decoded UTF-8, NUL-terminated, 'len' bytes (it can
	 * hold U+0000 itself, from \u0000); NUMBER: the number as written.
	 */
	char *str;
	size_t len;
	size_t n;			/* ARRAY: items; OBJECT: members */
	struct sortes_json *items;	/* ARRAY, in order */
	struct sortes_json_member *members; /* OBJECT, in the text's order */
};

struct sortes_json_member {
	char *key;		/* decoded, NUL-terminated, 'keylen' bytes */
	size_t keylen;
	size_t start;		/* byte offset of the key in the text */
	struct sortes_json value;
};

/*
 * Parse 'len' bytes of 'text' (which need not be NUL-terminated) into
 * *out, which the caller frees with sortes_json_free().  SORTES_EDATA,
 * with "line L, column C: what is wrong", when the text is not a JSON
 * value as above; SORTES_ENOMEM.  *out is NULL on failure.
 */
int sortes_json_parse(struct sortes_json **out, const char *text, size_t len,
    struct sortes_error *err);

/*
 * Decode the one JSON string of 'len' bytes at 'text', quotes and all,
 * as sortes_json_parse() decodes strings, into 'out', which has room
 * for 'len' bytes (a string never decodes longer than its text, and
 * loses its quotes to the NUL); *outlen is its length.  For values that
 * a faster reader has found in a canonical text.  0, or SORTES_EDATA.
 */
int sortes_json_string_decode(const char *text, size_t len, char *out,
    size_t *outlen, struct sortes_error *err);

/* Free a value from sortes_json_parse(); NULL is allowed. */
void sortes_json_free(struct sortes_json *v);

/*
 * The member 'key' of object 'v', or NULL when there is none (or 'v'
 * is not an object).  Borrowed from 'v'.
 */
const struct sortes_json *sortes_json_get(const struct sortes_json *v,
    const char *key);

/* Nonzero when 'v' is a string equal to 's'. */
int sortes_json_string_is(const struct sortes_json *v, const char *s);

/*
 * Nonzero when 'v' is a number written as an integer (no fraction, no
 * exponent, not "-0") within int64_t; *out then receives it.
 */
int sortes_json_int64(const struct sortes_json *v, int64_t *out);

/*
 * A printable excerpt of the 'len' bytes at 's', for messages, into
 * 'buf' (at least 4 bytes): control characters and bytes that are not
 * UTF-8 become '?', and a text too long for 'buf' is cut at a
 * character and ends in "...".
 */
void sortes_json_excerpt(char *buf, size_t size, const char *s, size_t len);

/*
 * The line and column (in bytes, from 1) of byte 'offset' of 'text'
 * (at most 'len' bytes), for messages.
 */
void sortes_json_position(const char *text, size_t len, size_t offset,
    long *line, long *column);

#endif
