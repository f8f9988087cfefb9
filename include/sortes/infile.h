/*
 * infile.h - opening the files sortes reads (protocols, CSV files,
 * keys, seals, exports): regular files only, so that a directory or a
 * device given by mistake is refused as missing input (exit 66) with a
 * message that names it, and a FIFO never blocks the open.
 */
#ifndef SORTES_INFILE_H
#define SORTES_INFILE_H

#include <stdio.h>

#include "sortes/error.h"

/*
 * Is the open descriptor 'fd', from 'path', a regular file?  0 if so
 * (and 'fd' then blocks on reads as usual, should it have been opened
 * O_NONBLOCK); otherwise SORTES_ENOINPUT, "WHAT 'PATH' is a directory"
 * or "... is not a regular file".  'what' names the input ("protocol",
 * "seal"), or is "" for none.
 */
int sortes_infile_check(int fd, const char *path, const char *what,
    struct sortes_error *err);

/*
 * Open 'path' for reading, as fopen(path, "rb") does, after
 * sortes_infile_check(): an input that cannot be opened or is not a
 * regular file is SORTES_ENOINPUT ("cannot open WHAT 'PATH': REASON").
 * On success *out is the stream, which the caller closes; on failure
 * it is NULL.
 */
int sortes_infile_open(FILE **out, const char *path, const char *what,
    struct sortes_error *err);

#endif
