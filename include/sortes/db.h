/*
 * db.h - the trial database: one SQLite file, schema by migrations.
 *
 * Opening applies WAL, foreign keys, synchronous=FULL and a busy
 * timeout, then brings the schema up to date (each migration in its own
 * transaction) and refuses a database made by a newer sortes.  Opened
 * read-only, a database is never migrated and never written to.
 */
#ifndef SORTES_DB_H
#define SORTES_DB_H

#include <stdint.h>

#include <sqlite3.h>
#include <sys/stat.h>

#include "sortes/error.h"

enum sortes_db_mode {
	SORTES_DB_CREATE,	/* the file must not exist yet */
	SORTES_DB_EXISTING,	/* the file must exist */
	SORTES_DB_READONLY,	/* it must exist, at this sortes's schema */
	SORTES_DB_SCRATCH	/* in memory, for replaying; path is ignored */
};

#define SORTES_DB_BUSY_MS 5000

struct sortes_db {
	sqlite3 *sql;
	char *path;
	int immutable;		/* read-only, read as immutable (no locks) */
	struct stat seen;	/* the file when opened immutable */
};

/*
 * Open (or create) 'path' and migrate it.  On success *out is a new
 * handle the caller closes with sortes_db_close().
 *
 * SORTES_DB_READONLY opens the file read-only and never migrates it: a
 * database of an older schema is copied into a private temporary
 * database, which is migrated and read instead (the file is never
 * written); one of a newer schema is refused.  A WAL-mode file with no -wal
 * beside it, or in a directory SQLite cannot create its -shm in, is
 * read as immutable (docs/audit.md); one with a non-empty -wal that
 * SQLite cannot read so is refused (SORTES_ENOINPUT).  A directory or
 * other file that is not a regular one is SORTES_ENOINPUT in every
 * mode but SORTES_DB_CREATE.
 */
int sortes_db_open(struct sortes_db **out, const char *path,
    enum sortes_db_mode mode, struct sortes_error *err);

/*
 * Bring the schema of database 'path' up to date, as a writing open
 * does; *from is the version it had.  A database at the newest version
 * is left as it is, one made by a newer sortes or holding no trial
 * (version 0) is refused.
 */
int sortes_db_upgrade(const char *path, int *from, struct sortes_error *err);

/*
 * For a handle read as immutable, which takes no locks: 0 when the file
 * is as it was when opened, else SORTES_EBUSY (another process wrote
 * it meanwhile, so what was read may mix two states).  0 for any other
 * handle, which SQLite's locks keep consistent.
 */
int sortes_db_unchanged(const struct sortes_db *db, struct sortes_error *err);

/*
 * Remove a database file and the WAL files SQLite keeps beside it, when
 * the creation of a trial is undone.  The database must be closed.
 */
void sortes_db_remove(const char *path);

/* Close and free; NULL is allowed.  An open transaction is rolled back. */
void sortes_db_close(struct sortes_db *db);

/* The schema version now in the database (PRAGMA user_version). */
int sortes_db_version(struct sortes_db *db, int *out, struct sortes_error *err);

/* The newest schema version this build knows. */
int sortes_db_latest_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback never fails loudly. */
int sortes_db_begin(struct sortes_db *db, struct sortes_error *err);
int sortes_db_commit(struct sortes_db *db, struct sortes_error *err);
void sortes_db_rollback(struct sortes_db *db);

/* Run SQL without results. */
int sortes_db_exec(struct sortes_db *db, const char *sql,
    struct sortes_error *err);

/* Prepare one statement; *out is NULL on failure. */
int sortes_db_prepare(struct sortes_db *db, sqlite3_stmt **out,
    const char *sql, struct sortes_error *err);

/*
 * The one integer that 'sql' selects, its parameter (if it has one)
 * bound to 'param': a count, for a progress line's total.
 */
int sortes_db_integer(struct sortes_db *db, const char *sql, int64_t param,
    int64_t *out, struct sortes_error *err);

/*
 * Turn SQLite's last error into a sortes status and message, with
 * 'what' saying what was being done.  SQLITE_BUSY and SQLITE_LOCKED
 * become SORTES_EBUSY; I/O and full-disk errors SORTES_EIO, a full
 * disk with the reason "disk full".
 */
int sortes_db_fail(struct sortes_db *db, const char *what,
    struct sortes_error *err);

#endif
