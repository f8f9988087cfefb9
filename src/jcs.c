/*
 * jcs.c - RFC 8785 canonical JSON writer, restricted to the types that
 * have a single obvious encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/jcs.h"
#include "sortes/protocol.h"

enum {
	JCS_ENESTING = 1,
	JCS_EKEYORDER,
	JCS_EKEY,
	JCS_EUTF8,
	JCS_ERANGE,
	JCS_ENOMEM
};

void
sortes_jcs_init(struct sortes_jcs *j)
{
	memset(j, 0, sizeof(*j));
}

void
sortes_jcs_reset(struct sortes_jcs *j)
{
	char *data = j->data;
	size_t cap = j->cap;

	memset(j, 0, sizeof(*j));
	j->data = data;
	j->cap = cap;
	if (data != NULL)
		data[0] = '\0';
}

void
sortes_jcs_free(struct sortes_jcs *j)
{
	free(j->data);
	memset(j, 0, sizeof(*j));
}

static void
jcs_fail(struct sortes_jcs *j, int status)
{
	if (j->status == 0)
		j->status = status;
}

static int
jcs_reserve(struct sortes_jcs *j, size_t more)
{
	size_t need = j->len + more + 1, cap;
	char *p;

	if (need <= j->cap)
		return 0;
	cap = j->cap ? j->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(j->data, cap);
	if (p == NULL) {
		jcs_fail(j, JCS_ENOMEM);
		return -1;
	}
	j->data = p;
	j->cap = cap;
	return 0;
}

static void
jcs_put(struct sortes_jcs *j, const char *s, size_t n)
{
	if (j->status != 0 || jcs_reserve(j, n) != 0)
		return;
	memcpy(j->data + j->len, s, n);
	j->len += n;
	j->data[j->len] = '\0';
}

/*
 * Called before every value: writes the separating comma inside arrays
 * and checks that a value is allowed here at all.
 */
static void
jcs_before_value(struct sortes_jcs *j)
{
	if (j->status != 0)
		return;
	if (j->depth == 0) {
		if (j->len != 0)
			jcs_fail(j, JCS_ENESTING);
		return;
	}
	if (j->level[j->depth - 1].kind == '{') {
		if (!j->level[j->depth - 1].want_value)
			jcs_fail(j, JCS_ENESTING);
		j->level[j->depth - 1].want_value = 0;
		return;
	}
	if (j->level[j->depth - 1].count++ > 0)
		jcs_put(j, ",", 1);
}

static void
jcs_open(struct sortes_jcs *j, char kind)
{
	jcs_before_value(j);
	if (j->status != 0)
		return;
	if (j->depth == SORTES_JCS_DEPTH_MAX) {
		jcs_fail(j, JCS_ENESTING);
		return;
	}
	memset(&j->level[j->depth], 0, sizeof(j->level[0]));
	j->level[j->depth++].kind = kind;
	jcs_put(j, &kind, 1);
}

static void
jcs_close(struct sortes_jcs *j, char kind, char closer)
{
	if (j->status != 0)
		return;
	if (j->depth == 0 || j->level[j->depth - 1].kind != kind ||
	    j->level[j->depth - 1].want_value) {
		jcs_fail(j, JCS_ENESTING);
		return;
	}
	j->depth--;
	jcs_put(j, &closer, 1);
}

void sortes_jcs_object_begin(struct sortes_jcs *j) { jcs_open(j, '{'); }
void sortes_jcs_object_end(struct sortes_jcs *j) { jcs_close(j, '{', '}'); }
void sortes_jcs_array_begin(struct sortes_jcs *j) { jcs_open(j, '['); }
void sortes_jcs_array_end(struct sortes_jcs *j) { jcs_close(j, '[', ']'); }

static int
key_is_ascii(const char *key, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x20 || (unsigned char)key[i] > 0x7e)
			return 0;
	return 1;
}

static void jcs_quoted(struct sortes_jcs *j, const char *s, size_t n);

void
sortes_jcs_key(struct sortes_jcs *j, const char *key)
{
	size_t n = strlen(key);

	if (j->status != 0)
		return;
	if (j->depth == 0 || j->level[j->depth - 1].kind != '{' ||
	    j->level[j->depth - 1].want_value) {
		jcs_fail(j, JCS_ENESTING);
		return;
	}
	if (n >= SORTES_JCS_KEY_MAX || !key_is_ascii(key, n)) {
		jcs_fail(j, JCS_EKEY);
		return;
	}
	if (j->level[j->depth - 1].count > 0 &&
	    strcmp(j->level[j->depth - 1].last_key, key) >= 0) {
		jcs_fail(j, JCS_EKEYORDER);
		return;
	}
	if (j->level[j->depth - 1].count++ > 0)
		jcs_put(j, ",", 1);
	memcpy(j->level[j->depth - 1].last_key, key, n + 1);
	jcs_quoted(j, key, n);
	jcs_put(j, ":", 1);
	j->level[j->depth - 1].want_value = 1;
}

/* Write s[0..n) as a JSON string, escaping as RFC 8785 requires. */
static void
jcs_quoted(struct sortes_jcs *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_escape[32] = {
		['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f',
		['\r'] = 'r',
	};
	char *out;

	/* Room for the worst case, every byte a \u00xx escape, so that the
	 * loop below writes without checking. */
	if (j->status != 0 || jcs_reserve(j, 6 * n + 2) != 0)
		return;
	out = j->data + j->len;
	*out++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\') {
			*out++ = (char)c;
		} else if (c == '"' || c == '\\') {
			*out++ = '\\';
			*out++ = (char)c;
		} else if (short_escape[c] != 0) {
			*out++ = '\\';
			*out++ = short_escape[c];
		} else {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 15];
			out += 6;
		}
	}
	*out++ = '"';
	*out = '\0';
	j->len = (size_t)(out - j->data);
}

void
sortes_jcs_string(struct sortes_jcs *j, const char *s)
{
	size_t n = strlen(s);

	jcs_before_value(j);
	if (j->status != 0)
		return;
	if (!sortes_utf8_valid(s, n)) {
		jcs_fail(j, JCS_EUTF8);
		return;
	}
	jcs_quoted(j, s, n);
}

/* Decimal digits of v at the end of num; returns where they start. */
static size_t
format_integer(char num[24], int64_t v)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	size_t i = 24;

	do {
		num[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		num[--i] = '-';
	return i;
}

void
sortes_jcs_integer(struct sortes_jcs *j, int64_t v)
{
	char num[24];
	size_t start;

	jcs_before_value(j);
	if (j->status != 0)
		return;
	if (v > SORTES_INT_MAX || v < -SORTES_INT_MAX) {
		jcs_fail(j, JCS_ERANGE);
		return;
	}
	start = format_integer(num, v);
	jcs_put(j, num + start, sizeof(num) - start);
}

void
sortes_jcs_boolean(struct sortes_jcs *j, int v)
{
	jcs_before_value(j);
	if (v)
		jcs_put(j, "true", 4);
	else
		jcs_put(j, "false", 5);
}

void
sortes_jcs_null(struct sortes_jcs *j)
{
	jcs_before_value(j);
	jcs_put(j, "null", 4);
}

void
sortes_jcs_raw(struct sortes_jcs *j, const char *text, size_t len)
{
	jcs_before_value(j);
	jcs_put(j, text, len);
}

int
sortes_jcs_finish(struct sortes_jcs *j, struct sortes_error *err)
{
	static const char *const why[] = {
		[JCS_ENESTING] = "values nested or sequenced wrongly",
		[JCS_EKEYORDER] = "object keys not in ascending order",
		[JCS_EKEY] = "object key not short printable ASCII",
		[JCS_EUTF8] = "string is not valid UTF-8",
		[JCS_ERANGE] = "integer beyond +-(2^53-1)",
		[JCS_ENOMEM] = "out of memory",
	};

	if (j->status == 0 && (j->depth != 0 || j->len == 0))
		jcs_fail(j, JCS_ENESTING);
	if (j->status == 0)
		return 0;
	return sortes_error_set(err,
	    j->status == JCS_ENOMEM ? SORTES_ENOMEM :
	    j->status == JCS_EUTF8 || j->status == JCS_ERANGE ? SORTES_EDATA :
	    SORTES_EINTERNAL, "canonical JSON: %s", why[j->status]);
}

/* Length of the UTF-8 sequence starting with 'c', or 0 if 'c' cannot start one. */
static int
utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

int
sortes_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		int n;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_seq_len(s[i]);
		if (n == 0 || i + (size_t)n > len)
			return 0;
		for (int k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		/* overlong 3/4-byte forms, surrogates, beyond U+10FFFF */
		if ((s[i] == 0xe0 && s[i + 1] < 0xa0) ||
		    (s[i] == 0xed && s[i + 1] >= 0xa0) ||
		    (s[i] == 0xf0 && s[i + 1] < 0x90) ||
		    (s[i] == 0xf4 && s[i + 1] >= 0x90))
			return 0;
		i += (size_t)n;
	}
	return 1;
}
