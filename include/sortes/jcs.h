/*
 * jcs.h - canonical JSON (RFC 8785) for log entries.
 *
 * Only strings, integers within +-(2^53-1), booleans, null, arrays and
 * objects: no floating point, so every value has exactly one encoding.
 * Object keys must be ASCII and added in ascending byte order (which
 * is RFC 8785's UTF-16 order for ASCII); the writer checks this rather
 * than sorting, so that a mistake shows up as an error, not as a
 * silently different hash.  docs/log-format.md gives the exact rules.
 */
#ifndef SORTES_JCS_H
#define SORTES_JCS_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"

#define SORTES_JCS_DEPTH_MAX 8
#define SORTES_JCS_KEY_MAX 64

struct sortes_jcs {
	char *data;		/* the text so far; owned */
	size_t len, cap;
	int status;		/* first error, sticky; 0 while all is well */
	int depth;
	struct {
		char kind;	/* '{' or '[' */
		int count;	/* members written at this depth */
		int want_value;	/* a key was written, its value is due */
		char last_key[SORTES_JCS_KEY_MAX];
	} level[SORTES_JCS_DEPTH_MAX];
};

/* Start an empty writer (no allocation until text is written). */
void sortes_jcs_init(struct sortes_jcs *j);

/* Forget the text but keep the buffer, for writing many entries. */
void sortes_jcs_reset(struct sortes_jcs *j);

/* Free the buffer; the writer may be initialised again. */
void sortes_jcs_free(struct sortes_jcs *j);

/*
 * Writers.  Errors (bad nesting, keys out of order or non-ASCII,
 * invalid UTF-8, integers out of range, no memory) are remembered and
 * reported by sortes_jcs_finish(); later calls then do nothing.
 */
void sortes_jcs_object_begin(struct sortes_jcs *j);
void sortes_jcs_object_end(struct sortes_jcs *j);
void sortes_jcs_array_begin(struct sortes_jcs *j);
void sortes_jcs_array_end(struct sortes_jcs *j);
void sortes_jcs_key(struct sortes_jcs *j, const char *key);
void sortes_jcs_string(struct sortes_jcs *j, const char *s);
void sortes_jcs_integer(struct sortes_jcs *j, int64_t v);
void sortes_jcs_boolean(struct sortes_jcs *j, int v);
void sortes_jcs_null(struct sortes_jcs *j);

/*
 * Insert 'text', which the caller guarantees is already one canonical
 * JSON value (for example a fields object read back from the
 * database).
 */
void sortes_jcs_raw(struct sortes_jcs *j, const char *text, size_t len);

/*
 * Check that exactly one complete value was written and return 0, with
 * the text in j->data (NUL-terminated, length j->len; still owned by
 * the writer); or the first error with its message in 'err'.
 */
int sortes_jcs_finish(struct sortes_jcs *j, struct sortes_error *err);

/* Nonzero when s[0..len) is valid UTF-8 (no overlongs or surrogates). */
int sortes_utf8_valid(const char *s, size_t len);

#endif
