/*
 * db.c - opening trial databases and applying migrations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/db.h"
#include "migrations.h"

int
sortes_db_latest_version(void)
{
	int v = 0;

	while (sortes_migrations[v].version != 0)
		v++;
	return v;
}

/*
 * SQLite says "database or disk is full" for a full disk and for a
 * file at its page limit, and "disk I/O error" when writing beside the
 * file (the -shm, the -wal) runs out of room; both are a full disk.
 */
static const char *
db_reason(struct sortes_db *db)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff;
	int sys = sqlite3_system_errno(db->sql);

	if (code == SQLITE_FULL || (code == SQLITE_IOERR && sys == ENOSPC))
		return sortes_strerror(ENOSPC);
	return sqlite3_errmsg(db->sql);
}

int
sortes_db_fail(struct sortes_db *db, const char *what, struct sortes_error *err)
{
	int code = sqlite3_extended_errcode(db->sql) & 0xff;
	int status = SORTES_EINTERNAL;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		status = SORTES_EBUSY;
	else if (code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN || code == SQLITE_READONLY)
		status = SORTES_EIO;
	else if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		status = SORTES_EDATA;
	return sortes_error_set(err, status, "database '%s': %s: %s", db->path,
	    what, status == SORTES_EBUSY ?
	    "locked by another process; try again" : db_reason(db));
}

int
sortes_db_exec(struct sortes_db *db, const char *sql, struct sortes_error *err)
{
	if (sqlite3_exec(db->sql, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sortes_db_fail(db, "executing SQL", err);
	return 0;
}

int
sortes_db_prepare(struct sortes_db *db, sqlite3_stmt **out, const char *sql,
    struct sortes_error *err)
{
	if (sqlite3_prepare_v2(db->sql, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return sortes_db_fail(db, "preparing a statement", err);
	}
	return 0;
}

int
sortes_db_begin(struct sortes_db *db, struct sortes_error *err)
{
	if (sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sortes_db_fail(db, "starting a transaction", err);
	return 0;
}

int
sortes_db_commit(struct sortes_db *db, struct sortes_error *err)
{
	if (sqlite3_exec(db->sql, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = sortes_db_fail(db, "committing", err);

		sortes_db_rollback(db);
		return rc;
	}
	return 0;
}

void
sortes_db_rollback(struct sortes_db *db)
{
	if (!sqlite3_get_autocommit(db->sql))
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

int
sortes_db_version(struct sortes_db *db, int *out, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if ((rc = sortes_db_prepare(db, &st, "PRAGMA user_version", err)) != 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		rc = sortes_db_fail(db, "reading the schema version", err);
	sqlite3_finalize(st);
	return rc;
}

static int
db_apply(struct sortes_db *db, const struct sortes_migration *m,
    struct sortes_error *err)
{
	char record[256];
	int rc;

	snprintf(record, sizeof(record),
	    "INSERT INTO schema_migrations (version, name, applied_at) "
	    "VALUES (%d, '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'));"
	    "PRAGMA user_version = %d;", m->version, m->name, m->version);
	if ((rc = sortes_db_begin(db, err)) != 0)
		return rc;
	if (sqlite3_exec(db->sql, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->sql, record, NULL, NULL, NULL) != SQLITE_OK) {
		rc = sortes_db_fail(db, "applying migration", err);
		sortes_error_prefix(err, "migration %s", m->name);
		sortes_db_rollback(db);
		return rc;
	}
	return sortes_db_commit(db, err);
}

static int
db_migrate(struct sortes_db *db, struct sortes_error *err)
{
	int version, latest = sortes_db_latest_version(), rc;

	if ((rc = sortes_db_version(db, &version, err)) != 0)
		return rc;
	if (version > latest)
		return sortes_error_set(err, SORTES_EUNSUPPORTED,
		    "database '%s' has schema version %d, but this sortes "
		    "knows only up to %d: it was made by a newer sortes; "
		    "upgrade sortes to use it", db->path, version, latest);
	if (version == 0 && (rc = sortes_db_exec(db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at TEXT NOT NULL)", err)) != 0)
		return rc;
	for (int i = version; i < latest && rc == 0; i++)
		rc = db_apply(db, &sortes_migrations[i], err);
	return rc;
}

static int
db_configure(struct sortes_db *db, enum sortes_db_mode mode,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	sqlite3_busy_timeout(db->sql, SORTES_DB_BUSY_MS);
	sqlite3_extended_result_codes(db->sql, 1);
	if ((rc = sortes_db_exec(db, "PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA cache_size = -32768;", err)) != 0)
		return rc;
	if (mode == SORTES_DB_SCRATCH)
		return 0;
	/* journal_mode answers with the mode in force; a file on a system
	 * without shared memory may stay in another, which is refused. */
	if ((rc = sortes_db_prepare(db, &st, "PRAGMA journal_mode = WAL",
	    err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(db, "switching to WAL", err);
	else if (strcmp((const char *)sqlite3_column_text(st, 0), "wal") != 0)
		rc = sortes_error_set(err, SORTES_EIO,
		    "database '%s': cannot use write-ahead logging", db->path);
	sqlite3_finalize(st);
	return rc;
}

/*
 * A new database file is made here, not by SQLite, so that it is
 * created exclusively (never an existing file) and readable by its
 * owner only: it holds participants' baseline data.
 */
static int
db_check_exists(const char *path, enum sortes_db_mode mode,
    struct sortes_error *err)
{
	struct stat st;
	int fd;

	if (mode == SORTES_DB_SCRATCH)
		return 0;
	if (mode == SORTES_DB_EXISTING) {
		if (stat(path, &st) != 0)
			return sortes_error_set(err, SORTES_ENOINPUT,
			    "database '%s' does not exist (create it with "
			    "'sortes init')", path);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return sortes_error_set(err, SORTES_ECANTCREAT,
		    "cannot create database '%s': %s", path, errno == EEXIST ?
		    "it already exists; a trial is created once" :
		    strerror(errno));
	close(fd);
	return 0;
}

int
sortes_db_open(struct sortes_db **out, const char *path,
    enum sortes_db_mode mode, struct sortes_error *err)
{
	struct sortes_db *db;
	/* NOMUTEX: a handle is used by one thread at a time, so SQLite
	 * need not lock around every call. */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_NOMUTEX, rc;

	*out = NULL;
	if ((rc = db_check_exists(path, mode, err)) != 0)
		return rc;
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		free(db);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	if (mode == SORTES_DB_SCRATCH)
		flags |= SQLITE_OPEN_MEMORY | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(mode == SORTES_DB_SCRATCH ? ":memory:" : path,
	    &db->sql, flags, NULL) != SQLITE_OK)
		rc = sortes_error_set(err, mode == SORTES_DB_CREATE ?
		    SORTES_ECANTCREAT : SORTES_EIO, "cannot open database "
		    "'%s': %s", path, db->sql ? sqlite3_errmsg(db->sql) :
		    "out of memory");
	if (rc == 0)
		rc = db_configure(db, mode, err);
	if (rc == 0)
		rc = db_migrate(db, err);
	if (rc != 0) {
		sortes_db_close(db);
		if (mode == SORTES_DB_CREATE)
			sortes_db_remove(path);
		return rc;
	}
	*out = db;
	return 0;
}

void
sortes_db_remove(const char *path)
{
	char side[4096];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

void
sortes_db_close(struct sortes_db *db)
{
	if (db == NULL)
		return;
	if (db->sql != NULL) {
		sortes_db_rollback(db);
		sqlite3_close_v2(db->sql);
	}
	free(db->path);
	free(db);
}
