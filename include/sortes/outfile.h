/*
 * outfile.h - files written all or nothing, never over an existing one.
 *
 * Every file sortes writes (key files, signing keys, seal files,
 * exports and what goes beside them, rejects files) is written through
 * this module: its bytes go to a file without a name in the target's
 * directory (open(2) with O_TMPFILE) or, where the file system cannot
 * do that, to a temporary name there (".NAME.XXXXXXXXXXXX.tmp"); the
 * file is flushed and fsynced, then linked under its name with
 * linkat(2) or renameat2(2) RENAME_NOREPLACE, which never replace an
 * existing file, and the directory is fsynced.  So the name shows the
 * whole file or nothing, even if the process is killed or the machine
 * loses power; a file abandoned, or a process killed before the link,
 * leaves no file at the name (a temporary name may stay behind where
 * unnamed files are not available).  docs/files.md describes how each
 * command uses it.
 *
 * The name itself is never followed when it is a symbolic link: a link
 * there counts as an existing file.
 */
#ifndef SORTES_OUTFILE_H
#define SORTES_OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "sortes/crypto.h"
#include "sortes/error.h"

enum sortes_outfile_flag {
	/* A file already at the name holding exactly the bytes written,
	 * with no wider permissions, counts as written: for the parts of
	 * a deterministic result that an interrupted run left behind. */
	SORTES_OUTFILE_SAME_OK = 1 << 0,
	/* Write under a temporary name even where unnamed files work
	 * (what happens on file systems without O_TMPFILE; for tests). */
	SORTES_OUTFILE_NAMED = 1 << 1
};

struct sortes_outfile;

/*
 * Start the file that will be 'path', created with 'mode' (less the
 * umask).  Refused at once, with SORTES_ECANTCREAT, when something
 * exists at 'path' (unless SORTES_OUTFILE_SAME_OK) or the directory
 * cannot hold a new file.  'what' names the file in messages ("key
 * file"; NULL: by its path alone).  On success *out is the caller's, to
 * end with sortes_outfile_commit() or sortes_outfile_abandon().
 */
int sortes_outfile_open(struct sortes_outfile **out, const char *path,
    mode_t mode, const char *what, int flags, struct sortes_error *err);

/*
 * *out is a stdio stream onto the file, made on first use and owned by
 * the outfile.  SORTES_ENOMEM if it cannot be made.
 */
int sortes_outfile_stream(FILE **out, struct sortes_outfile *f,
    struct sortes_error *err);

/* Append buf[0..len) (after what the stream holds). */
int sortes_outfile_write(struct sortes_outfile *f, const void *buf,
    size_t len, struct sortes_error *err);

/* SHA-256, in hex, of everything written so far. */
int sortes_outfile_sha256(struct sortes_outfile *f,
    char out[SORTES_SHA256_HEX], struct sortes_error *err);

/*
 * Flush and fsync the file, link it under its name and fsync the
 * directory.  SORTES_ECANTCREAT when the name was taken meanwhile (by
 * other bytes, with SORTES_OUTFILE_SAME_OK), SORTES_EIO when writing
 * failed; then nothing is left at the name.  Frees 'f' either way.
 */
int sortes_outfile_commit(struct sortes_outfile *f, struct sortes_error *err);

/* Drop the file unwritten, leaving nothing behind; NULL is allowed. */
void sortes_outfile_abandon(struct sortes_outfile *f);

/* Write the file 'path' whole from buf[0..len): open, write, commit. */
int sortes_outfile_put(const char *path, mode_t mode, const char *what,
    const void *buf, size_t len, struct sortes_error *err);

/*
 * Give the file named 'from' the name 'to' in the same directory,
 * never over an existing file (SORTES_ECANTCREAT), then fsync the
 * directory.  Where the file system cannot rename without replacing,
 * the file is linked as 'to' and 'from' unlinked, so a crash between
 * leaves both names.
 */
int sortes_outfile_rename(const char *from, const char *to, const char *what,
    struct sortes_error *err);

/* fsync the directory that holds 'path'. */
int sortes_outfile_sync_dir(const char *path, struct sortes_error *err);

#endif
