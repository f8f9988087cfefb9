/*
 * error.h - how every sortes library function reports failure.
 *
 * A function that can fail returns 0 on success or a negative
 * enum sortes_status, and writes a human-readable message into the
 * caller's struct sortes_error.  The library never prints and never
 * exits; the command-line front end maps the status to an exit code
 * (docs/exit-codes.md).
 */
#ifndef SORTES_ERROR_H
#define SORTES_ERROR_H

#include <stddef.h>

enum sortes_status {
	SORTES_OK = 0,
	SORTES_EUSAGE = -1,	/* a caller passed a bad argument */
	SORTES_EDATA = -2,	/* input (protocol, CSV, field) is invalid */
	SORTES_ENOINPUT = -3,	/* an input file does not exist or cannot be read */
	SORTES_ECANTCREAT = -4,	/* an output file cannot be created */
	SORTES_EIO = -5,	/* reading or writing failed midway */
	SORTES_EBUSY = -6,	/* the database is locked by another process */
	SORTES_EVERIFY = -7,	/* verification found the log or tables inconsistent */
	SORTES_ENOMEM = -8,	/* out of memory */
	SORTES_EINTERNAL = -9,	/* a bug, or a library call failing unexpectedly */
	SORTES_EUNSUPPORTED = -10, /* valid, but not something this version can do */
	SORTES_EPERM = -11	/* a file's permissions are unsafe */
};

#define SORTES_ERROR_MSG_MAX 1024

struct sortes_error {
	int code;				/* last status set; 0 if none */
	char msg[SORTES_ERROR_MSG_MAX];		/* NUL-terminated message */
	int errnum;				/* its errno, or 0 */
};

/*
 * Record status 'code' with a printf-style message in 'err' and return
 * 'code', so that callers can write `return sortes_error_set(...)`.
 * 'err' may be NULL, in which case only the code is returned.
 */
int sortes_error_set(struct sortes_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/*
 * As sortes_error_set(), for a system call that failed with 'errnum'
 * (an errno value): the message is followed by ": " and
 * sortes_strerror(errnum), and err->errnum keeps 'errnum', so that a
 * caller can tell a reader that went away (EPIPE) or a full disk from
 * other failures.  sortes_error_set() sets err->errnum to 0.
 */
int sortes_error_sys(struct sortes_error *err, int code, int errnum,
    const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/*
 * What a system error means to a user: strerror(errnum), but "disk
 * full" for ENOSPC.  Never NULL.
 */
const char *sortes_strerror(int errnum);

/*
 * Put 'prefix' and ": " in front of the message already in 'err' and
 * return err->code.  Used when a lower layer's message needs the
 * context of the caller (for example the CSV line it concerns).
 */
int sortes_error_prefix(struct sortes_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Clear 'err' (NULL is allowed). */
void sortes_error_clear(struct sortes_error *err);

/* A short English name of a status, e.g. "data error". Never NULL. */
const char *sortes_status_name(int code);

#endif
