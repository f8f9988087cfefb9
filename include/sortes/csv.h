/*
 * csv.h - reading and writing CSV as spreadsheets write it.
 *
 * The reader accepts RFC 4180 quoting (delimiters, quotes and line
 * breaks inside quoted cells), LF or CRLF line ends, a UTF-8 byte-order
 * mark, and comma-, semicolon- or tab-separated files.  It streams: one
 * record is held in memory at a time.
 */
#ifndef SORTES_CSV_H
#define SORTES_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "sortes/error.h"

/* Limits that keep a malformed file from exhausting memory. */
#define SORTES_CSV_CELL_MAX	65536	/* bytes in one cell */
#define SORTES_CSV_FIELDS_MAX	1024	/* cells in one record */

struct sortes_csv;

/*
 * Start reading CSV from 'fp' (borrowed; the caller closes it).
 * 'delimiter' is ',', ';' or '\t', or 0 to detect it from the first
 * record: the one of the three that occurs most often outside quotes
 * there (',' when none does).  'name' is used in messages.
 * On success *out is a reader freed with sortes_csv_free().
 */
int sortes_csv_open(struct sortes_csv **out, FILE *fp, int delimiter,
    const char *name, struct sortes_error *err);

/*
 * Read the next record.  Returns 1 when a record was read, 0 at end of
 * input, or a negative status (SORTES_EDATA for an unterminated quote,
 * a stray quote inside an unquoted cell, a cell or record over the
 * limits, or a NUL byte; SORTES_EIO when reading fails), with a message
 * that names the file and line: "cohort.csv:12: unterminated quoted cell".
 * A completely empty line is skipped, not returned as a record.
 */
int sortes_csv_next(struct sortes_csv *c, struct sortes_error *err);

/* Cells of the current record; valid until the next sortes_csv_next(). */
size_t sortes_csv_count(const struct sortes_csv *c);
const char *sortes_csv_cell(const struct sortes_csv *c, size_t i);

/* Physical line (1-based) on which the current record starts. */
long sortes_csv_line(const struct sortes_csv *c);

/* The delimiter in use (after detection, once a record was read). */
int sortes_csv_delimiter(const struct sortes_csv *c);

/* Free a reader; NULL is allowed. */
void sortes_csv_free(struct sortes_csv *c);

/*
 * Write one cell to 'fp', quoted when it contains the delimiter, a
 * quote, CR or LF (quotes doubled).  Returns 0 or SORTES_EIO.
 */
int sortes_csv_write_cell(FILE *fp, const char *cell, int delimiter);

/*
 * Write a record of 'n' cells followed by "\n".
 * Returns 0 or SORTES_EIO.
 */
int sortes_csv_write_record(FILE *fp, const char *const *cells, size_t n,
    int delimiter);

#endif
