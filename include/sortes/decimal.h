/*
 * decimal.h - decimal numbers held exactly, as integers counting units
 * of 10^-ndec: amounts of money (øre) and decimal measures.  Nothing
 * here touches floating point, so a value reads back exactly as it was
 * written.
 */
#ifndef SORTES_DECIMAL_H
#define SORTES_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

/* Scales above this are refused: 10^9 units still leave 9 whole digits. */
#define SORTES_DECIMALS_MAX 9

/* Room for any formatted decimal and its NUL. */
#define SORTES_DECIMAL_BUF 32

enum {
	SORTES_DECIMAL_SYNTAX = -1,	/* not "[-]D+[.D+]" */
	SORTES_DECIMAL_PLACES = -2,	/* more than ndec decimals */
	SORTES_DECIMAL_RANGE = -3	/* beyond 2^53 - 1 units */
};

/*
 * Parse the 'len' bytes at 't', "[-]DIGITS[.DIGITS]", into *out in
 * units of 10^-ndec ("2.5" with 2 decimals is 250).  Returns 0 or one
 * of the negative codes above.
 */
int sortes_decimal_parse(const char *t, size_t len, int ndec, int64_t *out);

/* Write 'v' (units of 10^-ndec) with exactly ndec decimals: "-2.50". */
void sortes_decimal_format(int64_t v, int ndec, char buf[SORTES_DECIMAL_BUF]);

#endif
