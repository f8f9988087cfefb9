/*
 * check_csv.c - the CSV reader and writer.
 *
 * Most tests feed a string through fmemopen() and compare a rendering of
 * every record, "LINE:[cell][cell]\n", so that cells, cell boundaries
 * and line numbers are all checked by one string comparison.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "suites.h"

struct result {
	int status;		/* last return of sortes_csv_next() */
	int delim;		/* sortes_csv_delimiter() at the end */
	char text[8192];	/* the rendered records */
	size_t used;
	struct sortes_error err;
};

static void put(struct result *r, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void
put(struct result *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->text + r->used, sizeof(r->text) - r->used, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_lt(r->used + (size_t)n, sizeof(r->text));
	r->used += (size_t)n;
}

/* fmemopen() of zero bytes is refused by older C libraries. */
static FILE *
open_input(const char *in, size_t len)
{
	FILE *fp;

	fp = len == 0 ? fopen("/dev/null", "r") :
	    fmemopen((void *)(uintptr_t)in, len, "r");
	ck_assert_ptr_nonnull(fp);
	return fp;
}

static void
render_record(struct result *r, const struct sortes_csv *c)
{
	size_t i;

	put(r, "%ld:", sortes_csv_line(c));
	for (i = 0; i < sortes_csv_count(c); i++)
		put(r, "[%s]", sortes_csv_cell(c, i));
	put(r, "\n");
}

static void
run_n(struct result *r, const char *in, size_t len, int delim)
{
	struct sortes_csv *c;
	FILE *fp = open_input(in, len);

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(sortes_csv_open(&c, fp, delim, "t.csv", &r->err), 0);
	while ((r->status = sortes_csv_next(c, &r->err)) == 1)
		render_record(r, c);
	r->delim = sortes_csv_delimiter(c);
	sortes_csv_free(c);
	fclose(fp);
}

static void
run(struct result *r, const char *in, int delim)
{
	run_n(r, in, strlen(in), delim);
}

/* Input must be read cleanly and render to 'want'. */
static void
expect(const char *in, int delim, const char *want)
{
	struct result r;

	run(&r, in, delim);
	ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err.msg);
	ck_assert_str_eq(r.text, want);
}

/* Input must fail with 'code' and exactly the message 'msg'. */
static void
expect_error_n(const char *in, size_t len, int code, const char *msg)
{
	struct result r;

	run_n(&r, in, len, 0);
	ck_assert_int_eq(r.status, code);
	ck_assert_int_eq(r.err.code, code);
	ck_assert_str_eq(r.err.msg, msg);
}

static void
expect_error(const char *in, int code, const char *msg)
{
	expect_error_n(in, strlen(in), code, msg);
}

/* ------------------------------------------------------------ delimiters */

START_TEST(simple_comma)
{
	struct result r;

	run(&r, "id,arm,site\n1,A,Aarhus\n2,B,Odense\n", 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.delim, ',');
	ck_assert_str_eq(r.text, "1:[id][arm][site]\n2:[1][A][Aarhus]\n"
	    "3:[2][B][Odense]\n");
}
END_TEST

START_TEST(detect_semicolon)
{
	struct result r;

	/* Danish Excel: decimal commas in the data, ';' between cells. */
	run(&r, "navn;v\xc3\xa6gt;h\xc3\xb8jde\nJens;82,5;1,80\n", 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "1:[navn][v\xc3\xa6gt][h\xc3\xb8jde]\n"
	    "2:[Jens][82,5][1,80]\n");
}
END_TEST

START_TEST(detect_semicolon_majority)
{
	struct result r;

	run(&r, "a,b;c;d\n", 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "1:[a,b][c][d]\n");
}
END_TEST

START_TEST(detect_ignores_quoted)
{
	struct result r;

	/* Five commas, all inside quotes, one of them on the second
	 * physical line of the header; two semicolons outside. */
	run(&r, "\"a,b,c\";\"d\ne,f\";\"g,h\"\n1;2;3\n", 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "1:[a,b,c][d\ne,f][g,h]\n3:[1][2][3]\n");
}
END_TEST

START_TEST(detect_first_record_only)
{
	struct result r;

	/* Later lines are full of semicolons; only the header counts. */
	run(&r, "a,b\n1;2;3;4,5\n", 0);
	ck_assert_int_eq(r.delim, ',');
	ck_assert_str_eq(r.text, "1:[a][b]\n2:[1;2;3;4][5]\n");
}
END_TEST

START_TEST(detect_tab)
{
	struct result r;

	run(&r, "a\tb,x\tc\n1\t2\t3\n", 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.delim, '\t');
	ck_assert_str_eq(r.text, "1:[a][b,x][c]\n2:[1][2][3]\n");
}
END_TEST

START_TEST(detect_default_and_tie)
{
	struct result r;

	run(&r, "name\nx;y\n", 0);
	ck_assert_int_eq(r.delim, ',');
	ck_assert_str_eq(r.text, "1:[name]\n2:[x;y]\n");
	run(&r, "a;b,c\n", 0);
	ck_assert_int_eq(r.delim, ',');
	ck_assert_str_eq(r.text, "1:[a;b][c]\n");
}
END_TEST

START_TEST(detect_after_bom_and_blank_lines)
{
	struct result r;

	run(&r, "\xEF\xBB\xBF\n\r\na;b\n", 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "3:[a][b]\n");
}
END_TEST

START_TEST(explicit_delimiter)
{
	struct result r;

	run(&r, "a;b;c,d\n", 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "1:[a][b][c,d]\n");
	run(&r, "a;b;c,d\n", ',');
	ck_assert_int_eq(r.delim, ',');
	ck_assert_str_eq(r.text, "1:[a;b;c][d]\n");
	run(&r, "a;b\tc,d\n", '\t');
	ck_assert_int_eq(r.delim, '\t');
	ck_assert_str_eq(r.text, "1:[a;b][c,d]\n");
}
END_TEST

START_TEST(bad_delimiter)
{
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c = (struct sortes_csv *)&err;
	FILE *fp = open_input("a", 1);

	ck_assert_int_eq(sortes_csv_open(&c, fp, '|', "t.csv", &err),
	    SORTES_EUSAGE);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(err.code, SORTES_EUSAGE);
	fclose(fp);
}
END_TEST

/* --------------------------------------------------------------- quoting */

START_TEST(quoted_delimiter)
{
	expect("\"a,b\",c\n\"x;y\",\",\"\n", 0, "1:[a,b][c]\n2:[x;y][,]\n");
	expect("\"a;b\";c\n", 0, "1:[a;b][c]\n");
}
END_TEST

START_TEST(quoted_lf)
{
	expect("\"a\nb\",c\nd,e\n", 0, "1:[a\nb][c]\n3:[d][e]\n");
	expect("x,\"\n\"\n", 0, "1:[x][\n]\n");
}
END_TEST

START_TEST(quoted_crlf)
{
	expect("\"a\r\nb\",c\r\nd,e\r\n", 0, "1:[a\r\nb][c]\n3:[d][e]\n");
}
END_TEST

START_TEST(doubled_quotes)
{
	expect("\"say \"\"hi\"\"\",x\n", 0, "1:[say \"hi\"][x]\n");
	expect("\"\"\"\",\"\"\n", 0, "1:[\"][]\n");
	expect("\"\"\"\"\"\"\n", 0, "1:[\"\"]\n");
}
END_TEST

START_TEST(quoted_only_empty_is_a_record)
{
	/* "" is an empty cell, not an empty line. */
	expect("\"\"\nb\n", 0, "1:[]\n2:[b]\n");
}
END_TEST

START_TEST(lone_cr_is_data)
{
	expect("a\rb,c\n", 0, "1:[a\rb][c]\n");
}
END_TEST

/* ----------------------------------------------------------- line ends */

START_TEST(crlf_line_ends)
{
	expect("a,b\r\nc,d\r\n", 0, "1:[a][b]\n2:[c][d]\n");
	expect("a,\"b\"\r\nc,d\r\n", 0, "1:[a][b]\n2:[c][d]\n");
}
END_TEST

START_TEST(bom_skipped)
{
	struct result r;

	run(&r, "\xEF\xBB\xBFid;name\r\n1;x\r\n", 0);
	ck_assert_int_eq(r.delim, ';');
	ck_assert_str_eq(r.text, "1:[id][name]\n2:[1][x]\n");
	expect("\xEF\xBB\xBF\"id\",n\n", 0, "1:[id][n]\n");
	/* Only at the very start. */
	expect("a\n\xEF\xBB\xBF\n", 0, "1:[a]\n2:[\xEF\xBB\xBF]\n");
}
END_TEST

START_TEST(last_record_without_newline)
{
	expect("a,b\nc,d", 0, "1:[a][b]\n2:[c][d]\n");
	expect("a,b\n\"c\",\"d\"", 0, "1:[a][b]\n2:[c][d]\n");
	expect("a,b\nc,d\r", 0, "1:[a][b]\n2:[c][d]\n");
	expect("x", 0, "1:[x]\n");
}
END_TEST

START_TEST(empty_lines_skipped)
{
	expect("\n\na,b\n\n\r\nc,d\n\n\n", 0, "3:[a][b]\n6:[c][d]\n");
	expect("", 0, "");
	expect("\n\r\n\n", 0, "");
}
END_TEST

START_TEST(line_numbers_multiline)
{
	expect("h1,h2\n\"x\ny\nz\",1\nnext,2\n\"p\r\nq\",3\n\nlast,4",
	    0, "1:[h1][h2]\n2:[x\ny\nz][1]\n5:[next][2]\n"
	    "6:[p\r\nq][3]\n9:[last][4]\n");
}
END_TEST

START_TEST(empty_cells)
{
	expect("a,,b\n", 0, "1:[a][][b]\n");
	expect(",\n", 0, "1:[][]\n");
	expect(" \n", 0, "1:[ ]\n");
}
END_TEST

START_TEST(trailing_delimiter)
{
	expect("a,b,\n", 0, "1:[a][b][]\n");
	expect("a,b,", 0, "1:[a][b][]\n");
	expect("a,\"b\",\r\n", 0, "1:[a][b][]\n");
}
END_TEST

/* --------------------------------------------------------------- errors */

START_TEST(error_unterminated)
{
	/* Reported where the quote opened, not where the input ended. */
	expect_error("a,b\nc,\"d\ne\nf\n", SORTES_EDATA,
	    "t.csv:2: unterminated quoted cell");
	expect_error("\"", SORTES_EDATA, "t.csv:1: unterminated quoted cell");
}
END_TEST

START_TEST(error_after_closing_quote)
{
	expect_error("a,b\n\n\"ab\"c,d\n", SORTES_EDATA,
	    "t.csv:3: unexpected character after closing quote");
	expect_error("a,b\n\"x\ny\" ,d\n", SORTES_EDATA,
	    "t.csv:3: unexpected character after closing quote");
}
END_TEST

START_TEST(error_quote_in_unquoted)
{
	expect_error("x\nab\"c\n", SORTES_EDATA,
	    "t.csv:2: quote inside unquoted cell");
	expect_error("x\ny, \"z\"\n", SORTES_EDATA,
	    "t.csv:2: quote inside unquoted cell");
}
END_TEST

START_TEST(error_nul)
{
	static const char plain[] = "a,b\nc,d\0e\n";
	static const char quoted[] = "a,b\n\"c\n\0\",d\n";

	expect_error_n(plain, sizeof(plain) - 1, SORTES_EDATA,
	    "t.csv:2: NUL byte");
	expect_error_n(quoted, sizeof(quoted) - 1, SORTES_EDATA,
	    "t.csv:3: NUL byte");
}
END_TEST

/* "h\n" then a line of 'fill' bytes between the given prefix and suffix. */
static char *
long_input(const char *prefix, size_t fill, int byte, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *buf = malloc(2 + p + fill + s + 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "h\n", 2);
	memcpy(buf + 2, prefix, p);
	memset(buf + 2 + p, byte, fill);
	memcpy(buf + 2 + p + fill, suffix, s + 1);
	return buf;
}

/* Read the second record of 'in'; return its status and first cell's
 * length. */
static int
second_record(const char *in, size_t *len, struct sortes_error *err)
{
	struct sortes_csv *c;
	FILE *fp = open_input(in, strlen(in));
	int r;

	ck_assert_int_eq(sortes_csv_open(&c, fp, 0, "t.csv", err), 0);
	ck_assert_int_eq(sortes_csv_next(c, err), 1);
	r = sortes_csv_next(c, err);
	*len = r == 1 ? strlen(sortes_csv_cell(c, 0)) : 0;
	if (r == 1)
		ck_assert_int_eq(sortes_csv_next(c, err), 0);
	sortes_csv_free(c);
	fclose(fp);
	return r;
}

START_TEST(cell_limit)
{
	struct sortes_error err = { 0, "" };
	char *in;
	size_t len;

	in = long_input("", SORTES_CSV_CELL_MAX, 'x', "\n");
	ck_assert_int_eq(second_record(in, &len, &err), 1);
	ck_assert_uint_eq(len, SORTES_CSV_CELL_MAX);
	free(in);
	in = long_input("", SORTES_CSV_CELL_MAX + 1, 'x', "\n");
	ck_assert_int_eq(second_record(in, &len, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, "t.csv:2: cell longer than 65536 bytes");
	free(in);
}
END_TEST

START_TEST(cell_limit_quoted)
{
	struct sortes_error err = { 0, "" };
	char *in;
	size_t len;

	/* The limit is on the cell's content, not its quoted form. */
	in = long_input("\"", 2 * SORTES_CSV_CELL_MAX, '"', "\"\n");
	ck_assert_int_eq(second_record(in, &len, &err), 1);
	ck_assert_uint_eq(len, SORTES_CSV_CELL_MAX);
	free(in);
	in = long_input("\"", 2 * SORTES_CSV_CELL_MAX + 2, '"', "\"\n");
	ck_assert_int_eq(second_record(in, &len, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, "t.csv:2: cell longer than 65536 bytes");
	free(in);
}
END_TEST

/* A header of one cell, then a record of 'cells' cells. */
static char *
wide_input(size_t cells)
{
	char *buf = malloc(2 + 2 * cells + 1);
	size_t i;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, "h\n", 2);
	for (i = 0; i < cells; i++) {
		buf[2 + 2 * i] = 'x';
		buf[3 + 2 * i] = i + 1 < cells ? ',' : '\n';
	}
	buf[2 + 2 * cells] = '\0';
	return buf;
}

START_TEST(field_limit)
{
	struct result r;
	char *in;

	in = wide_input(SORTES_CSV_FIELDS_MAX);
	run(&r, in, ',');
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.used, strlen("1:[h]\n") + strlen("2:\n") +
	    3 * SORTES_CSV_FIELDS_MAX);
	free(in);
	in = wide_input(SORTES_CSV_FIELDS_MAX + 1);
	run(&r, in, ',');
	ck_assert_int_eq(r.status, SORTES_EDATA);
	ck_assert_str_eq(r.err.msg, "t.csv:2: more than 1024 cells");
	free(in);
}
END_TEST

START_TEST(read_error)
{
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c;
	FILE *fp = fopen("/dev/null", "w");	/* reading it fails */

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_csv_open(&c, fp, ',', "t.csv", &err), 0);
	ck_assert_int_eq(sortes_csv_next(c, &err), SORTES_EIO);
	ck_assert_int_eq(err.code, SORTES_EIO);
	ck_assert_msg(strncmp(err.msg, "t.csv:1: read error", 19) == 0,
	    "message: %s", err.msg);
	ck_assert_int_eq(sortes_csv_next(c, &err), SORTES_EIO);
	sortes_csv_free(c);
	fclose(fp);
}
END_TEST

START_TEST(error_is_sticky)
{
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c;
	FILE *fp = open_input("a\"\nb\n", 5);

	ck_assert_int_eq(sortes_csv_open(&c, fp, 0, "t.csv", &err), 0);
	ck_assert_int_eq(sortes_csv_next(c, &err), SORTES_EDATA);
	ck_assert_uint_eq(sortes_csv_count(c), 0);
	ck_assert_ptr_null(sortes_csv_cell(c, 0));
	ck_assert_int_eq(sortes_csv_next(c, &err), SORTES_EDATA);
	sortes_csv_free(c);
	sortes_csv_free(NULL);
	fclose(fp);
}
END_TEST

/* ---------------------------------------------------------------- writer */

static char *
write_to_string(const char *const *cells, size_t n, int delim)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_csv_write_record(fp, cells, n, delim), 0);
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

START_TEST(writer_quoting)
{
	static const char *const cells[] = {
		"a", "b,c", "d\"e", " f", "g ", "h;i", "", "j\nk", "l\rm"
	};
	char *out = write_to_string(cells, 9, ',');

	ck_assert_str_eq(out, "a,\"b,c\",\"d\"\"e\",\" f\",\"g \",h;i,,"
	    "\"j\nk\",\"l\rm\"\n");
	free(out);
	out = write_to_string(cells, 2, ';');
	ck_assert_str_eq(out, "a;b,c\n");
	free(out);
}
END_TEST

static const char *const awkward[] = {
	"plain", "", "a,b", "a;b", "a\tb", "say \"hi\"", "\"", "\"\"",
	"line1\nline2", "cr\r\nlf", "lone\rcr", " lead", "trail ", " ",
	"\xc3\x86\xc3\x98\xc3\x85", "\n", "x\"", "last"
};
#define N_AWKWARD (sizeof(awkward) / sizeof(awkward[0]))

/* Record i is the awkward cells rotated by i, minus the last i % 3. */
static size_t
awkward_row(const char **row, size_t i)
{
	size_t j;

	for (j = 0; j < N_AWKWARD; j++)
		row[j] = awkward[(i + j) % N_AWKWARD];
	return N_AWKWARD - i % 3;
}

static char *
write_awkward(int delim, size_t records, size_t *size)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, size);
	const char *row[N_AWKWARD];
	size_t i, n;

	ck_assert_ptr_nonnull(fp);
	for (i = 0; i < records; i++) {
		n = awkward_row(row, i);
		ck_assert_int_eq(sortes_csv_write_record(fp, row, n, delim), 0);
	}
	ck_assert_int_eq(fclose(fp), 0);
	return buf;
}

/* Write awkward records and read them back with 'delim' or, when
 * 'detect', with the delimiter detected. */
static void
round_trip(int delim, size_t records, int detect)
{
	size_t size, i, j, n;
	char *buf = write_awkward(delim, records, &size);
	FILE *fp = open_input(buf, size);
	const char *row[N_AWKWARD];
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c;

	ck_assert_int_eq(sortes_csv_open(&c, fp, detect ? 0 : delim,
	    "t.csv", &err), 0);
	for (i = 0; i < records; i++) {
		ck_assert_msg(sortes_csv_next(c, &err) == 1, "%s", err.msg);
		n = awkward_row(row, i);
		ck_assert_uint_eq(sortes_csv_count(c), n);
		for (j = 0; j < n; j++)
			ck_assert_str_eq(sortes_csv_cell(c, j), row[j]);
	}
	ck_assert_int_eq(sortes_csv_next(c, &err), 0);
	ck_assert_int_eq(sortes_csv_delimiter(c), delim);
	sortes_csv_free(c);
	fclose(fp);
	free(buf);
}

START_TEST(writer_round_trip)
{
	round_trip(',', 40, 0);
	round_trip(';', 40, 0);
	round_trip('\t', 40, 0);
	round_trip(',', 40, 1);
	round_trip(';', 40, 1);
	round_trip('\t', 40, 1);
}
END_TEST

START_TEST(writer_round_trip_large)
{
	/* Some 800 kB: records, quotes, CRLFs and cells straddle the
	 * reader's buffer boundaries in many different places. */
	round_trip(',', 8000, 0);
}
END_TEST

START_TEST(writer_lone_empty_cell)
{
	static const char *const empty[] = { "" };
	char *out = write_to_string(empty, 1, ',');

	/* A bare "\n" would be skipped as an empty line on reading. */
	ck_assert_str_eq(out, "\"\"\n");
	expect(out, 0, "1:[]\n");
	free(out);
}
END_TEST

START_TEST(writer_error)
{
	static const char *const cells[] = { "a", "b" };
	FILE *fp = fopen("/dev/null", "r");	/* writing it fails */

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_csv_write_cell(fp, "x", ','), SORTES_EIO);
	ck_assert_int_eq(sortes_csv_write_cell(fp, "x,y", ','), SORTES_EIO);
	ck_assert_int_eq(sortes_csv_write_record(fp, cells, 2, ','),
	    SORTES_EIO);
	fclose(fp);
}
END_TEST

/* Lines repeated across buffer refills: a CRLF, a doubled quote and a
 * quoted newline each eventually split between two freads. */
START_TEST(crlf_across_buffers)
{
	static const char line[] = "abc,\"d\"\"e\",\"f\r\ng\"\r\n";
	size_t n = 10000, len = sizeof(line) - 1, i;
	char *buf = malloc(n * len + 1);
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c;
	FILE *fp;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < n; i++)
		memcpy(buf + i * len, line, len);
	fp = open_input(buf, n * len);
	ck_assert_int_eq(sortes_csv_open(&c, fp, 0, "t.csv", &err), 0);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sortes_csv_next(c, &err), 1);
		ck_assert_int_eq(sortes_csv_line(c), (long)(2 * i + 1));
		ck_assert_uint_eq(sortes_csv_count(c), 3);
		ck_assert_str_eq(sortes_csv_cell(c, 0), "abc");
		ck_assert_str_eq(sortes_csv_cell(c, 1), "d\"e");
		ck_assert_str_eq(sortes_csv_cell(c, 2), "f\r\ng");
	}
	ck_assert_int_eq(sortes_csv_next(c, &err), 0);
	sortes_csv_free(c);
	fclose(fp);
	free(buf);
}
END_TEST

/*
 * Records whose critical byte sits at offset t - 1 for t = 2^k and
 * t = 3 * 2^k: whatever power-of-two buffer the reader uses, each kind of
 * record is cut by a refill exactly after that byte.  One input per
 * kind, with LF-only filler, because a CR at a buffer's end makes the
 * reader look ahead, which moves all later refill boundaries.
 */
struct boundary_kind {
	const char *text;	/* the record */
	size_t at;		/* index of the byte to put at t - 1 */
	const char *cell;	/* its first cell when read */
	const char *tag;	/* its second cell */
};

static const struct boundary_kind kinds[] = {
	{ "e,c\r\n", 3, "e", "c" },		/* CR | LF */
	{ "\"a\"\"b\",d\n", 2, "a\"b", "d" },	/* " | " */
	{ "\"ab\",q\n", 3, "ab", "q" },		/* closing " | , */
	{ "l\rm,r\n", 1, "l\rm", "r" },		/* lone CR | m */
	{ "\"g\r\nh\",s\n", 3, "g\r\nh", "s" }	/* quoted CR | LF */
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))
#define BOUNDARY_KMIN 12
#define BOUNDARY_KMAX 20

/* Pad from *pos to 'to' with filler records of 100 to 199 bytes. */
static void
pad(char *buf, size_t *pos, size_t to)
{
	size_t n;

	while (*pos < to) {
		n = to - *pos >= 200 ? 100 : to - *pos;
		memset(buf + *pos, 'y', n - 3);
		memcpy(buf + *pos + n - 3, ",f\n", 3);
		*pos += n;
	}
}

/* Put one record of 'kind' with its critical byte at t - 1. */
static void
place(char *buf, size_t *pos, const struct boundary_kind *kind, size_t t)
{
	size_t len = strlen(kind->text);

	pad(buf, pos, t - 1 - kind->at);
	memcpy(buf + *pos, kind->text, len);
	*pos += len;
	ck_assert_int_eq(buf[t - 1], kind->text[kind->at]);
}

static char *
boundary_input(const struct boundary_kind *kind, size_t *len,
    size_t *events)
{
	char *buf = malloc((size_t)2 << BOUNDARY_KMAX);
	size_t pos = 0;
	int k;

	ck_assert_ptr_nonnull(buf);
	*events = 0;
	for (k = BOUNDARY_KMIN; k <= BOUNDARY_KMAX; k++) {
		place(buf, &pos, kind, (size_t)1 << k);
		if (k < BOUNDARY_KMAX)
			place(buf, &pos, kind, (size_t)3 << (k - 1));
		*events += k < BOUNDARY_KMAX ? 2 : 1;
	}
	*len = pos;
	return buf;
}

/* A record read back must be filler or the kind (counted). */
static void
check_boundary_record(const struct sortes_csv *c,
    const struct boundary_kind *kind, size_t *seen)
{
	const char *first = sortes_csv_cell(c, 0);
	const char *tag = sortes_csv_cell(c, 1);

	ck_assert_uint_eq(sortes_csv_count(c), 2);
	if (strcmp(tag, "f") == 0) {
		ck_assert_uint_gt(strlen(first), 0);
		ck_assert_uint_eq(strspn(first, "y"), strlen(first));
		return;
	}
	ck_assert_str_eq(tag, kind->tag);
	ck_assert_str_eq(first, kind->cell);
	(*seen)++;
}

START_TEST(buffer_boundaries)
{
	const struct boundary_kind *kind = &kinds[_i];
	size_t len, events, seen = 0;
	char *buf = boundary_input(kind, &len, &events);
	struct sortes_error err = { 0, "" };
	struct sortes_csv *c;
	FILE *fp = open_input(buf, len);
	long line = 1;
	int r;

	ck_assert_int_eq(sortes_csv_open(&c, fp, 0, "t.csv", &err), 0);
	while ((r = sortes_csv_next(c, &err)) == 1) {
		ck_assert_int_eq(sortes_csv_line(c), line);
		check_boundary_record(c, kind, &seen);
		line += strchr(sortes_csv_cell(c, 0), '\n') ? 2 : 1;
	}
	ck_assert_msg(r == 0, "%s", err.msg);
	ck_assert_uint_eq(seen, events);
	sortes_csv_free(c);
	fclose(fp);
	free(buf);
}
END_TEST

static TCase *
tcase_delimiter(void)
{
	TCase *t = tcase_create("delimiter");

	tcase_add_test(t, simple_comma);
	tcase_add_test(t, detect_semicolon);
	tcase_add_test(t, detect_semicolon_majority);
	tcase_add_test(t, detect_ignores_quoted);
	tcase_add_test(t, detect_first_record_only);
	tcase_add_test(t, detect_tab);
	tcase_add_test(t, detect_default_and_tie);
	tcase_add_test(t, detect_after_bom_and_blank_lines);
	tcase_add_test(t, explicit_delimiter);
	tcase_add_test(t, bad_delimiter);
	return t;
}

static TCase *
tcase_quoting(void)
{
	TCase *t = tcase_create("quoting");

	tcase_add_test(t, quoted_delimiter);
	tcase_add_test(t, quoted_lf);
	tcase_add_test(t, quoted_crlf);
	tcase_add_test(t, doubled_quotes);
	tcase_add_test(t, quoted_only_empty_is_a_record);
	tcase_add_test(t, lone_cr_is_data);
	tcase_add_test(t, empty_cells);
	tcase_add_test(t, trailing_delimiter);
	return t;
}

static TCase *
tcase_lines(void)
{
	TCase *t = tcase_create("lines");

	tcase_add_test(t, crlf_line_ends);
	tcase_add_test(t, bom_skipped);
	tcase_add_test(t, last_record_without_newline);
	tcase_add_test(t, empty_lines_skipped);
	tcase_add_test(t, line_numbers_multiline);
	tcase_add_test(t, crlf_across_buffers);
	tcase_add_loop_test(t, buffer_boundaries, 0, (int)N_KINDS);
	tcase_set_timeout(t, 60);	/* megabytes of input under valgrind */
	return t;
}

static TCase *
tcase_errors(void)
{
	TCase *t = tcase_create("errors");

	tcase_add_test(t, error_unterminated);
	tcase_add_test(t, error_after_closing_quote);
	tcase_add_test(t, error_quote_in_unquoted);
	tcase_add_test(t, error_nul);
	tcase_add_test(t, cell_limit);
	tcase_add_test(t, cell_limit_quoted);
	tcase_add_test(t, field_limit);
	tcase_add_test(t, read_error);
	tcase_add_test(t, error_is_sticky);
	return t;
}

static TCase *
tcase_writer(void)
{
	TCase *t = tcase_create("writer");

	tcase_add_test(t, writer_quoting);
	tcase_add_test(t, writer_round_trip);
	tcase_add_test(t, writer_round_trip_large);
	tcase_add_test(t, writer_lone_empty_cell);
	tcase_add_test(t, writer_error);
	tcase_set_timeout(t, 60);	/* megabytes of input under valgrind */
	return t;
}

Suite *
suite_csv(void)
{
	Suite *s = suite_create("csv");

	suite_add_tcase(s, tcase_delimiter());
	suite_add_tcase(s, tcase_quoting());
	suite_add_tcase(s, tcase_lines());
	suite_add_tcase(s, tcase_errors());
	suite_add_tcase(s, tcase_writer());
	return s;
}
