/*
 * gencohort.c - write a synthetic UngiFokus cohort CSV to stdout.
 *
 *   gencohort N [SEED [FIRST]]
 *
 * Standalone benchmark helper, not part of the library build:
 *   cc -std=c11 -O2 -o gencohort bench/gencohort.c
 *
 * Every row is eligible under protocols/ungifokus.yaml on the reference
 * day: benefit uddannelseshjaelp, activity_ready true, and a birth date
 * that makes the person 18 to 28 years old.  The reference day is the
 * date part of $SORTES_NOW (YYYY-MM-DD...) if set, else 2024-06-01; run
 * sortes with the same SORTES_NOW.
 *
 * Person identifiers are synthetic CPR numbers DDMMYY-SSSS, as the
 * protocol's "identifier: cpr" takes them, never real ones: row k
 * (counted from FIRST, default 1) gets serial 9000 + (k - 1) % 1000 and
 * the ((k - 1) / 1000)-th date of days 01-28 of every month, from 1990
 * on.  Such very high serials are what the Danish health sector's test
 * CPR numbers use, because they are seldom given to anybody.  They are
 * distinct for k up to MAX_ROWS, and unrelated to the birth_date column.
 * The output is a function of N, SEED, FIRST and the reference day only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TODAY "2024-06-01"
#define CASEWORKERS 200
#define SERIALS 1000			/* 9000-9999 */
#define DATES (100 * 12 * 28)		/* every YY, days 01-28 */
#define MAX_ROWS ((uint64_t)DATES * SERIALS)

/* splitmix64: tiny, fast, and fully specified, so output is portable. */
static uint64_t
next64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Below 'bound', by multiply-shift; the bias (< 2^-32) is irrelevant here. */
static uint32_t
below(uint64_t *s, uint32_t bound)
{
	return (uint32_t)(((next64(s) >> 32) * (uint64_t)bound) >> 32);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
parse_today(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = atoi(s);
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= 31 ? 0 : -1;
}

static int
parse_count(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' ? 0 : -1;
}

/* Append the decimal digits of v, zero-padded to at least 'width'. */
static char *
put_uint(char *p, uint64_t v, int width)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[n++] = '0';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_str(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, lit) put_str((p), (lit), sizeof(lit) - 1)

/*
 * The synthetic CPR number of row k >= 1.  A seventh digit 9 puts YY
 * 00-36 in the 2000s and 37-99 in the 1900s (the CPR office's century
 * rule), so every date here exists.
 */
static char *
put_cpr(char *p, uint64_t k)
{
	uint64_t serial = (k - 1) % SERIALS, date = (k - 1) / SERIALS;

	p = put_uint(p, 1 + date % 28, 2);
	p = put_uint(p, 1 + date / 28 % 12, 2);
	p = put_uint(p, (90 + date / (12 * 28)) % 100, 2);
	*p++ = '-';
	return put_uint(p, 9000 + serial, 4);
}

int
main(int argc, char **argv)
{
	static const char *const sexes[] = { "F", "M" };
	static const char *const centres[] = { "midt", "nord", "syd", "vest" };
	static char buf[1 << 16];
	const char *today = getenv("SORTES_NOW");
	uint64_t n, seed = 1, first = 1, state;
	int64_t lo, hi;
	int ty, tm, td;
	char *p = buf;

	if (argc < 2 || argc > 4 || parse_count(argv[1], &n) != 0 ||
	    (argc >= 3 && parse_count(argv[2], &seed) != 0) ||
	    (argc == 4 && (parse_count(argv[3], &first) != 0 || first == 0))) {
		fputs("usage: gencohort N [SEED [FIRST]]\n", stderr);
		return 2;
	}
	if (n > MAX_ROWS || first - 1 > MAX_ROWS - n) {
		fprintf(stderr, "gencohort: at most %" PRIu64 " distinct "
		    "identifiers\n", MAX_ROWS);
		return 2;
	}
	if (today == NULL || *today == '\0')
		today = DEFAULT_TODAY;
	if (parse_today(today, &ty, &tm, &td) != 0) {
		fprintf(stderr, "gencohort: SORTES_NOW '%s' does not start "
		    "with YYYY-MM-DD\n", today);
		return 2;
	}
	/* Aged 18 to 28 on 'today': born after today-29y, by today-18y.
	 * Two days' margin each side absorbs time zones and 29 February. */
	lo = days_from_civil(ty - 29, tm, td) + 2;
	hi = days_from_civil(ty - 18, tm, td) - 2;
	state = seed;

	p = PUT_LIT(p, "person,caseworker,birth_date,sex,benefit,"
	    "activity_ready,jobcentre\n");
	for (uint64_t i = first; i < first + n; i++) {
		int by, bm, bd;
		const char *s;

		civil_from_days(lo + below(&state, (uint32_t)(hi - lo + 1)),
		    &by, &bm, &bd);
		p = put_cpr(p, i);
		p = PUT_LIT(p, ",CW");
		p = put_uint(p, 1 + below(&state, CASEWORKERS), 3);
		*p++ = ',';
		p = put_uint(p, (uint64_t)by, 4);
		*p++ = '-';
		p = put_uint(p, (uint64_t)bm, 2);
		*p++ = '-';
		p = put_uint(p, (uint64_t)bd, 2);
		*p++ = ',';
		s = sexes[below(&state, 2)];
		p = put_str(p, s, strlen(s));
		p = PUT_LIT(p, ",uddannelseshjaelp,true,");
		s = centres[below(&state, 4)];
		p = put_str(p, s, strlen(s));
		*p++ = '\n';
		if ((size_t)(p - buf) > sizeof(buf) - 256) {
			if (fwrite(buf, 1, (size_t)(p - buf), stdout) !=
			    (size_t)(p - buf))
				break;
			p = buf;
		}
	}
	if (p > buf)
		fwrite(buf, 1, (size_t)(p - buf), stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("gencohort: writing stdout");
		return 1;
	}
	return 0;
}
