/*
 * csv.c - a streaming RFC 4180 reader and a matching writer.
 *
 * Input goes through a private fread buffer, and the cells of a record
 * are copied into one text buffer, separated by NULs.  Both buffers are
 * reused and only grow (geometrically), so once they fit the longest
 * record, reading does no allocation at all.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"

#define CSV_IN_CAP	(64 * 1024)	/* bytes asked of each fread */
#define CSV_TEXT_CAP	4096		/* first size of the record text */
#define CSV_EOF		(-1)

/*
 * Delimiter detection looks at no more than this much of the first
 * record: enough for any real header, and it keeps a quote that is never
 * closed from pulling the whole file into memory before parsing starts.
 */
#define CSV_DETECT_MAX	(1024 * 1024)

/* Bits in stop[]: bytes that end a run of ordinary cell text. */
#define STOP_PLAIN	1	/* ... in an unquoted cell */
#define STOP_QUOTED	2	/* ... in a quoted cell */

/* How a cell ended (positive, so that statuses stay negative). */
enum { CELL_DELIM = 1, CELL_EOL = 2 };

struct sortes_csv {
	FILE *fp;
	char *name;
	int delim;		/* 0 until detected */
	int started;		/* BOM and detection done */
	int eof;		/* fread reached end of input */
	int ioerr;		/* fread failed; errno in read_errno */
	int read_errno;
	int failed;		/* status of an earlier failure, or 0 */
	long line;		/* physical line of the next unread byte */
	long record_line;	/* physical line where the record began */
	unsigned char *in;	/* input buffer: in[in_pos..in_len) unread */
	size_t in_pos, in_len, in_cap;
	char *text;		/* cells of the record, NUL-terminated */
	size_t text_len, text_cap;
	size_t cell_start;	/* offset in text of the cell being read */
	size_t count;
	size_t offs[SORTES_CSV_FIELDS_MAX];
	unsigned char stop[256];
};

static int csv_fail(struct sortes_csv *c, struct sortes_error *err,
    int code, long line, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static int
csv_fail(struct sortes_csv *c, struct sortes_error *err, int code,
    long line, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return sortes_error_set(err, code, "%s:%ld: %s", c->name, line, what);
}

/* ---------------------------------------------------------------- input */

/* Append what fits to the input buffer.  A short fread means end of
 * input or an error; both are remembered so that fread is not called
 * again (a terminal would otherwise need a second end-of-file). */
static size_t
csv_read_more(struct sortes_csv *c)
{
	size_t want = c->in_cap - c->in_len;
	size_t n;

	if (c->eof || c->ioerr || want == 0)
		return 0;
	n = fread(c->in + c->in_len, 1, want, c->fp);
	c->in_len += n;
	if (n < want) {
		if (ferror(c->fp)) {
			c->ioerr = 1;
			c->read_errno = errno;
		} else
			c->eof = 1;
	}
	return n;
}

/* Refill the (fully consumed) input buffer; 0 when nothing is left. */
static int
csv_fill(struct sortes_csv *c)
{
	c->in_pos = c->in_len = 0;
	return csv_read_more(c) > 0;
}

static inline int
csv_peek(struct sortes_csv *c)
{
	if (c->in_pos == c->in_len && !csv_fill(c))
		return CSV_EOF;
	return c->in[c->in_pos];
}

static int
csv_grow_in(struct sortes_csv *c, size_t need, struct sortes_error *err)
{
	size_t cap = c->in_cap * 2;
	unsigned char *p;

	if (cap < need)
		cap = need;
	p = realloc(c->in, cap);
	if (p == NULL)
		return csv_fail(c, err, SORTES_ENOMEM, c->line,
		    "out of memory");
	c->in = p;
	c->in_cap = cap;
	return 0;
}

/*
 * Make 'n' unread bytes available (fewer only at end of input) and put
 * their number in *avail.  Only the CRLF, BOM and delimiter checks look
 * ahead, so the memmove is rare.
 */
static int
csv_lookahead(struct sortes_csv *c, size_t n, size_t *avail,
    struct sortes_error *err)
{
	int r;

	if (c->in_len - c->in_pos < n) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
		if (n > c->in_cap && (r = csv_grow_in(c, n, err)) < 0)
			return r;
		while (c->in_len < n && csv_read_more(c) > 0)
			continue;
	}
	*avail = c->in_len - c->in_pos;
	return 0;
}

/* ----------------------------------------------------------- record text */

static int
csv_reserve(struct sortes_csv *c, size_t extra, struct sortes_error *err)
{
	size_t need = c->text_len + extra;
	size_t cap = c->text_cap;
	char *p;

	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(c->text, cap);
	if (p == NULL)
		return csv_fail(c, err, SORTES_ENOMEM, c->line,
		    "out of memory");
	c->text = p;
	c->text_cap = cap;
	return 0;
}

/* Add bytes to the current cell; the limit is checked before growing so
 * that a malformed file cannot make the buffer huge. */
static int
csv_append(struct sortes_csv *c, const void *p, size_t n,
    struct sortes_error *err)
{
	int r;

	if (c->text_len - c->cell_start + n > SORTES_CSV_CELL_MAX)
		return csv_fail(c, err, SORTES_EDATA, c->line,
		    "cell longer than %d bytes", SORTES_CSV_CELL_MAX);
	if ((r = csv_reserve(c, n + 1, err)) < 0)
		return r;
	memcpy(c->text + c->text_len, p, n);
	c->text_len += n;
	return 0;
}

/* Copy the buffered bytes up to the next one in 'mask' into the cell:
 * this loop is where nearly all of a large file's bytes pass. */
static int
csv_run(struct sortes_csv *c, int mask, struct sortes_error *err)
{
	const unsigned char *p = c->in + c->in_pos;
	const unsigned char *end = c->in + c->in_len;
	const unsigned char *q = p;

	while (q < end && !(c->stop[*q] & mask))
		q++;
	c->in_pos += (size_t)(q - p);
	return q > p ? csv_append(c, p, (size_t)(q - p), err) : 0;
}

/* --------------------------------------------------------------- parsing */

/* At a CR: CRLF, or a CR that is the last byte of the input, ends the
 * line (CELL_EOL); a lone CR elsewhere is data (0), left unread. */
static int
csv_crlf(struct sortes_csv *c, struct sortes_error *err)
{
	size_t avail;
	int r;

	if ((r = csv_lookahead(c, 2, &avail, err)) < 0)
		return r;
	if (avail == 1) {
		c->in_pos++;
		return CELL_EOL;
	}
	if (c->in[c->in_pos + 1] != '\n')
		return 0;
	c->in_pos += 2;
	c->line++;
	return CELL_EOL;
}

/* Consume the delimiter or line end that follows a cell and say which;
 * 0 (nothing consumed) when the next byte is neither. */
static int
csv_cell_end(struct sortes_csv *c, struct sortes_error *err)
{
	int ch = csv_peek(c);

	if (ch == CSV_EOF)
		return CELL_EOL;
	if (ch == c->delim) {
		c->in_pos++;
		return CELL_DELIM;
	}
	if (ch == '\n') {
		c->in_pos++;
		c->line++;
		return CELL_EOL;
	}
	return ch == '\r' ? csv_crlf(c, err) : 0;
}

/* Handle the byte that stopped a run in an unquoted cell: the cell's
 * end, a lone CR kept as data (0), or an error. */
static int
csv_plain_stop(struct sortes_csv *c, struct sortes_error *err)
{
	int r;

	if ((r = csv_cell_end(c, err)) != 0)
		return r;
	switch (c->in[c->in_pos]) {
	case '\r':
		c->in_pos++;
		return csv_append(c, "\r", 1, err);
	case '"':
		return csv_fail(c, err, SORTES_EDATA, c->line,
		    "quote inside unquoted cell");
	default:
		return csv_fail(c, err, SORTES_EDATA, c->line, "NUL byte");
	}
}

static int
csv_plain_cell(struct sortes_csv *c, struct sortes_error *err)
{
	int r;

	for (;;) {
		if (c->in_pos == c->in_len && !csv_fill(c))
			return CELL_EOL;
		if ((r = csv_run(c, STOP_PLAIN, err)) < 0)
			return r;
		if (c->in_pos < c->in_len &&
		    (r = csv_plain_stop(c, err)) != 0)
			return r;
	}
}

/* After a quote inside a quoted cell: an escaped quote (0) or the
 * closing one, which only a delimiter or line end may follow. */
static int
csv_after_quote(struct sortes_csv *c, struct sortes_error *err)
{
	int r;

	if (csv_peek(c) == '"') {
		c->in_pos++;
		return csv_append(c, "\"", 1, err);
	}
	if ((r = csv_cell_end(c, err)) != 0)
		return r;
	return csv_fail(c, err, SORTES_EDATA, c->line,
	    "unexpected character after closing quote");
}

/* Handle the byte that stopped a run in a quoted cell. */
static int
csv_quoted_stop(struct sortes_csv *c, struct sortes_error *err)
{
	int ch = c->in[c->in_pos++];

	if (ch == '"')
		return csv_after_quote(c, err);
	if (ch == '\n') {
		c->line++;
		return csv_append(c, "\n", 1, err);
	}
	return csv_fail(c, err, SORTES_EDATA, c->line, "NUL byte");
}

static int
csv_quoted_cell(struct sortes_csv *c, struct sortes_error *err)
{
	long start = c->line;	/* an unclosed quote is reported here */
	int r;

	c->in_pos++;
	for (;;) {
		if (c->in_pos == c->in_len && !csv_fill(c))
			return csv_fail(c, err, SORTES_EDATA, start,
			    "unterminated quoted cell");
		if ((r = csv_run(c, STOP_QUOTED, err)) < 0)
			return r;
		if (c->in_pos < c->in_len &&
		    (r = csv_quoted_stop(c, err)) != 0)
			return r;
	}
}

/* Read one cell; CELL_DELIM when another follows in this record. */
static int
csv_cell(struct sortes_csv *c, struct sortes_error *err)
{
	int r;

	if (c->count == SORTES_CSV_FIELDS_MAX)
		return csv_fail(c, err, SORTES_EDATA, c->line,
		    "more than %d cells", SORTES_CSV_FIELDS_MAX);
	c->cell_start = c->offs[c->count++] = c->text_len;
	if (csv_peek(c) == '"')
		r = csv_quoted_cell(c, err);
	else
		r = csv_plain_cell(c, err);
	if (r > 0 && csv_reserve(c, 1, err) < 0)
		return SORTES_ENOMEM;
	if (r > 0)
		c->text[c->text_len++] = '\0';
	return r;
}

/* Skip completely empty lines: 1 when a record follows, 0 at the end. */
static int
csv_skip_empty(struct sortes_csv *c, struct sortes_error *err)
{
	int ch, r;

	while ((ch = csv_peek(c)) != CSV_EOF) {
		if (ch == '\n') {
			c->in_pos++;
			c->line++;
			continue;
		}
		if (ch != '\r')
			return 1;
		if ((r = csv_crlf(c, err)) <= 0)
			return r < 0 ? r : 1;
	}
	return 0;
}

static int
csv_record(struct sortes_csv *c, struct sortes_error *err)
{
	int r;

	if ((r = csv_skip_empty(c, err)) <= 0)
		return r;
	c->record_line = c->line;
	c->text_len = 0;
	do {
		r = csv_cell(c, err);
	} while (r == CELL_DELIM);
	return r < 0 ? r : 1;
}

/* ------------------------------------------------------------ detection */

static void
csv_set_delimiter(struct sortes_csv *c, int delim)
{
	c->delim = delim;
	memset(c->stop, 0, sizeof(c->stop));
	c->stop[(unsigned char)delim] = STOP_PLAIN;
	c->stop['\r'] = STOP_PLAIN;
	c->stop['\n'] = STOP_PLAIN | STOP_QUOTED;
	c->stop['"'] = STOP_PLAIN | STOP_QUOTED;
	c->stop['\0'] = STOP_PLAIN | STOP_QUOTED;
}

/* Index of 'ch' among the candidates, in order of preference on a tie. */
static int
csv_candidate(int ch)
{
	switch (ch) {
	case ',':  return 0;
	case ';':  return 1;
	case '\t': return 2;
	}
	return -1;
}

/* Scan the first record without consuming it (it stays buffered for the
 * parser) and use the candidate seen most often outside quotes. */
static int
csv_detect(struct sortes_csv *c, struct sortes_error *err)
{
	static const char names[3] = { ',', ';', '\t' };
	size_t counts[3] = { 0, 0, 0 }, off, avail = 0;
	int quoted = 0, best = 0, i, ch, r;

	for (off = 0; off < CSV_DETECT_MAX; off++) {
		if (off == avail &&
		    ((r = csv_lookahead(c, off + 1, &avail, err)) < 0))
			return r;
		if (off == avail)
			break;
		ch = c->in[c->in_pos + off];
		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && ch == '\n')
			break;
		else if (!quoted && (i = csv_candidate(ch)) >= 0)
			counts[i]++;
	}
	for (i = 1; i < 3; i++)
		if (counts[i] > counts[best])
			best = i;
	csv_set_delimiter(c, names[best]);
	return 0;
}

/* Done before the first record: skip a BOM, detect the delimiter. */
static int
csv_start(struct sortes_csv *c, struct sortes_error *err)
{
	size_t avail;
	int r;

	c->started = 1;
	if ((r = csv_lookahead(c, 3, &avail, err)) < 0)
		return r;
	if (avail >= 3 && memcmp(c->in + c->in_pos, "\xEF\xBB\xBF", 3) == 0)
		c->in_pos += 3;
	if (c->delim != 0)
		return 0;
	if ((r = csv_skip_empty(c, err)) < 0)
		return r;
	return csv_detect(c, err);
}

/* ------------------------------------------------------------ public API */

static void
csv_release(struct sortes_csv *c)
{
	free(c->name);
	free(c->in);
	free(c->text);
	free(c);
}

static struct sortes_csv *
csv_alloc(const char *name)
{
	struct sortes_csv *c = calloc(1, sizeof(*c));
	size_t len = strlen(name) + 1;

	if (c == NULL)
		return NULL;
	c->name = malloc(len);
	c->in = malloc(CSV_IN_CAP);
	c->text = malloc(CSV_TEXT_CAP);
	if (c->name == NULL || c->in == NULL || c->text == NULL) {
		csv_release(c);
		return NULL;
	}
	memcpy(c->name, name, len);
	c->in_cap = CSV_IN_CAP;
	c->text_cap = CSV_TEXT_CAP;
	c->line = 1;
	return c;
}

int
sortes_csv_open(struct sortes_csv **out, FILE *fp, int delimiter,
    const char *name, struct sortes_error *err)
{
	struct sortes_csv *c;

	if (name == NULL)
		name = "<csv>";
	if (out == NULL || fp == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "%s: sortes_csv_open: no stream", name);
	*out = NULL;
	if (delimiter != 0 && csv_candidate(delimiter) < 0)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "%s: CSV delimiter must be ',', ';' or tab", name);
	if ((c = csv_alloc(name)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM,
		    "%s: out of memory", name);
	c->fp = fp;
	if (delimiter != 0)
		csv_set_delimiter(c, delimiter);
	*out = c;
	return 0;
}

int
sortes_csv_next(struct sortes_csv *c, struct sortes_error *err)
{
	int r = 0;

	if (c == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sortes_csv_next: no reader");
	if (c->failed)
		return csv_fail(c, err, c->failed, c->line,
		    "reading on after an error");
	c->count = 0;
	if (!c->started)
		r = csv_start(c, err);
	if (r == 0)
		r = csv_record(c, err);
	/* A failed read looks like the end of input to the parser. */
	if (c->ioerr)
		r = csv_fail(c, err, SORTES_EIO, c->line, "read error: %s",
		    strerror(c->read_errno));
	if (r < 0) {
		c->failed = r;
		c->count = 0;
	}
	return r;
}

size_t
sortes_csv_count(const struct sortes_csv *c)
{
	return c == NULL ? 0 : c->count;
}

const char *
sortes_csv_cell(const struct sortes_csv *c, size_t i)
{
	if (c == NULL || i >= c->count)
		return NULL;
	return c->text + c->offs[i];
}

long
sortes_csv_line(const struct sortes_csv *c)
{
	return c == NULL ? 0 : c->record_line;
}

int
sortes_csv_delimiter(const struct sortes_csv *c)
{
	return c == NULL ? 0 : c->delim;
}

void
sortes_csv_free(struct sortes_csv *c)
{
	if (c != NULL)
		csv_release(c);
}

/* ---------------------------------------------------------------- writer */

/* Leading and trailing spaces are quoted because many readers
 * (spreadsheets among them) trim them from unquoted cells. */
static int
csv_needs_quotes(const char *cell, int delimiter)
{
	const char special[] = { '"', '\r', '\n', (char)delimiter, '\0' };
	size_t n = strlen(cell);

	if (n > 0 && (cell[0] == ' ' || cell[n - 1] == ' '))
		return 1;
	return strpbrk(cell, special) != NULL;
}

static int
csv_write_quoted(FILE *fp, const char *cell)
{
	const char *q;
	size_t n;

	if (putc('"', fp) == EOF)
		return SORTES_EIO;
	while ((q = strchr(cell, '"')) != NULL) {
		n = (size_t)(q - cell) + 1;	/* through the quote */
		if (fwrite(cell, 1, n, fp) != n || putc('"', fp) == EOF)
			return SORTES_EIO;
		cell = q + 1;
	}
	n = strlen(cell);
	if (fwrite(cell, 1, n, fp) != n || putc('"', fp) == EOF)
		return SORTES_EIO;
	return 0;
}

int
sortes_csv_write_cell(FILE *fp, const char *cell, int delimiter)
{
	size_t n;

	if (cell == NULL)
		cell = "";
	if (csv_needs_quotes(cell, delimiter))
		return csv_write_quoted(fp, cell);
	n = strlen(cell);
	return fwrite(cell, 1, n, fp) == n ? 0 : SORTES_EIO;
}

int
sortes_csv_write_record(FILE *fp, const char *const *cells, size_t n,
    int delimiter)
{
	size_t i;
	int r;

	/* A lone empty cell would be an empty line, which readers skip. */
	if (n == 1 && (cells[0] == NULL || cells[0][0] == '\0'))
		return fputs("\"\"\n", fp) == EOF ? SORTES_EIO : 0;
	for (i = 0; i < n; i++) {
		if (i > 0 && putc(delimiter, fp) == EOF)
			return SORTES_EIO;
		if ((r = sortes_csv_write_cell(fp, cells[i], delimiter)) < 0)
			return r;
	}
	return putc('\n', fp) == EOF ? SORTES_EIO : 0;
}
