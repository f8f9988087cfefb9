/*
 * decimal.c - exact decimal text to and from scaled integers.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sortes/decimal.h"
#include "sortes/protocol.h"

static int
all_digits(const char *t, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (t[i] < '0' || t[i] > '9')
			return 0;
	return len > 0;
}

int
sortes_decimal_parse(const char *t, size_t len, int ndec, int64_t *out)
{
	int neg = len > 0 && t[0] == '-';
	const char *dot, *frac;
	size_t whole, nfrac;
	int64_t v = 0, scale = 1, part = 0;

	if (neg)
		t++, len--;
	dot = memchr(t, '.', len);
	whole = dot != NULL ? (size_t)(dot - t) : len;
	frac = dot != NULL ? dot + 1 : t + len;
	nfrac = dot != NULL ? len - whole - 1 : 0;
	if (!all_digits(t, whole) || (dot != NULL && !all_digits(frac, nfrac)))
		return SORTES_DECIMAL_SYNTAX;
	if (ndec < 0 || ndec > SORTES_DECIMALS_MAX || nfrac > (size_t)ndec)
		return SORTES_DECIMAL_PLACES;
	for (int k = 0; k < ndec; k++) {
		scale *= 10;
		/* "0.8" with 4 decimals is 8000 */
		part = part * 10 + ((size_t)k < nfrac ? frac[k] - '0' : 0);
	}
	for (size_t i = 0; i < whole; i++) {
		if (v > (SORTES_INT_MAX / scale - (t[i] - '0')) / 10)
			return SORTES_DECIMAL_RANGE;
		v = v * 10 + (t[i] - '0');
	}
	v *= scale;
	if (v > SORTES_INT_MAX - part)
		return SORTES_DECIMAL_RANGE;
	*out = neg ? -(v + part) : v + part;
	return 0;
}

void
sortes_decimal_format(int64_t v, int ndec, char buf[SORTES_DECIMAL_BUF])
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t scale = 1;

	for (int k = 0; k < ndec; k++)
		scale *= 10;
	if (ndec == 0)
		snprintf(buf, SORTES_DECIMAL_BUF, "%s%" PRIu64, v < 0 ? "-" : "",
		    mag);
	else
		snprintf(buf, SORTES_DECIMAL_BUF, "%s%" PRIu64 ".%0*" PRIu64,
		    v < 0 ? "-" : "", mag / scale, ndec, mag % scale);
}
