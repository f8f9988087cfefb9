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
sortes_db_integer(struct sortes_db *db, const char *sql, int64_t param,
    int64_t *out, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(db, &st, sql, err);

	if (rc == 0 && sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, param);
	if (rc == 0 && sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(db, "counting rows", err);
	if (rc == 0)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
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
db_too_new(struct sortes_db *db, int version, struct sortes_error *err)
{
	return sortes_error_set(err, SORTES_EUNSUPPORTED, "database '%s' has "
	    "schema version %d, but this sortes knows only up to %d: it was "
	    "made by a newer sortes; upgrade sortes to use it", db->path,
	    version, sortes_db_latest_version());
}

static int
db_migrate(struct sortes_db *db, struct sortes_error *err)
{
	int version, latest = sortes_db_latest_version(), rc;

	if ((rc = sortes_db_version(db, &version, err)) != 0)
		return rc;
	if (version > latest)
		return db_too_new(db, version, err);
	if (version == 0 && (rc = sortes_db_exec(db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at TEXT NOT NULL)", err)) != 0)
		return rc;
	for (int i = version; i < latest && rc == 0; i++)
		rc = db_apply(db, &sortes_migrations[i], err);
	return rc;
}

static int db_configure(struct sortes_db *db, enum sortes_db_mode mode,
    struct sortes_error *err);

/*
 * Read the file through a copy of it brought up to date: a private
 * temporary database (SQLite's "" file, removed when closed) that the
 * file is copied into page by page and then migrated.  The file itself
 * is never written, and the commands read the copy as they would read
 * an up-to-date file.
 */
static int
db_read_upgraded(struct sortes_db *db, struct sortes_error *err)
{
	sqlite3 *copy = NULL;
	sqlite3_backup *b;
	int rc = SQLITE_OK;

	if (sqlite3_open_v2("", &copy, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (b = sqlite3_backup_init(copy, "main", db->sql, "main")) == NULL) {
		rc = sortes_error_set(err, SORTES_EIO, "database '%s': cannot "
		    "make a temporary copy to read it by this sortes's schema: "
		    "%s", db->path, copy != NULL ? sqlite3_errmsg(copy) :
		    "out of memory");
		sqlite3_close_v2(copy);
		return rc;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		rc = sortes_db_fail(db, "copying it to read it by this sortes's "
		    "schema", err);
		sqlite3_close_v2(copy);
		return rc;
	}
	sqlite3_close_v2(db->sql);
	db->sql = copy;
	if ((rc = db_configure(db, SORTES_DB_SCRATCH, err)) == 0)
		rc = db_migrate(db, err);
	return rc;
}

/*
 * A read-only handle never migrates the file: one of an older schema is
 * read through an up-to-date temporary copy (db_read_upgraded()).
 */
static int
db_check_version(struct sortes_db *db, struct sortes_error *err)
{
	int version, latest = sortes_db_latest_version(), rc;

	if ((rc = sortes_db_version(db, &version, err)) != 0)
		return rc;
	if (version > latest)
		return db_too_new(db, version, err);
	if (version == 0)
		return sortes_error_set(err, SORTES_EDATA, "database '%s' holds "
		    "no trial", db->path);
	if (version < latest)
		return db_read_upgraded(db, err);
	return 0;
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
	/* The file is O_RDONLY, so the last handle's checkpoint could not
	 * write anyway; this says that none is tried. */
	if (mode == SORTES_DB_READONLY && sqlite3_db_config(db->sql,
	    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK)
		return sortes_db_fail(db, "configuring", err);
	if (mode == SORTES_DB_SCRATCH || mode == SORTES_DB_READONLY)
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

/* An existing database must be a file: not a directory, not a device. */
static int
db_check_file(const char *path, struct sortes_error *err)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return sortes_error_set(err, SORTES_ENOINPUT, errno == ENOENT ?
		    "database '%s' does not exist (create it with 'sortes "
		    "init')" : "cannot open database '%s': %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sortes_error_set(err, SORTES_ENOINPUT, "database '%s' "
		    "is %s", path, S_ISDIR(st.st_mode) ? "a directory" :
		    "not a regular file");
	return 0;
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
	int fd;

	if (mode == SORTES_DB_SCRATCH)
		return 0;
	if (mode != SORTES_DB_CREATE)
		return db_check_file(path, err);
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

/* SQLite's "unable to open database file" says less than errno. */
static int
db_sql_open(struct sortes_db *db, const char *name, int flags, int status,
    struct sortes_error *err)
{
	int sys;

	if (sqlite3_open_v2(name, &db->sql, flags, NULL) == SQLITE_OK)
		return 0;
	sys = db->sql != NULL ? sqlite3_system_errno(db->sql) : 0;
	return sortes_error_set(err, status, "cannot open database '%s': %s",
	    db->path, db->sql == NULL ? "out of memory" : sys != 0 ?
	    sortes_strerror(sys) : sqlite3_errmsg(db->sql));
}

/*
 * 'path' as a file: URI, every byte but the unreserved ones and '/'
 * percent-encoded, so that no '?', '#' or '%' in a file name is read
 * as part of the URI.  Caller frees; NULL when out of memory.
 */
static char *
db_uri(const char *path, int immutable)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *query = immutable ? "?mode=ro&immutable=1" : "?mode=ro";
	char *uri = malloc(sizeof("file://") + 3 * strlen(path) +
	    strlen(query)), *p;

	if (uri == NULL)
		return NULL;
	/* An empty authority before an absolute path, so that one that
	 * starts with "//" is not taken for a host name. */
	p = uri + sprintf(uri, "file:%s", path[0] == '/' ? "//" : "");
	for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr("-._~/", *c) != NULL) {
			*p++ = (char)*c;
			continue;
		}
		*p++ = '%';
		*p++ = hex[*c >> 4];
		*p++ = hex[*c & 0xf];
	}
	strcpy(p, query);
	return uri;
}

/* The size of the file beside 'path' named by 'suffix'; -1 if none. */
static off_t
db_side_size(const char *path, const char *suffix)
{
	char side[4096];
	struct stat st;

	snprintf(side, sizeof(side), "%s%s", path, suffix);
	return stat(side, &st) == 0 ? st.st_size : -1;
}

/* Does the file's header say WAL mode (SQLite's file format, 1.3)? */
static int
db_wal_mode(const char *path)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, h, sizeof(h));
		close(fd);
	}
	return n == (ssize_t)sizeof(h) &&
	    memcmp(h, "SQLite format 3", 16) == 0 && h[18] == 2 && h[19] == 2;
}

static int
db_open_uri(struct sortes_db *db, int immutable, struct sortes_error *err)
{
	char *uri = db_uri(db->path, immutable);
	int rc;

	if (uri == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	db->immutable = immutable;
	/* What the file is now, for sortes_db_unchanged(). */
	if (immutable && stat(db->path, &db->seen) != 0)
		rc = sortes_error_set(err, SORTES_ENOINPUT, "cannot open "
		    "database '%s': %s", db->path, strerror(errno));
	else
		rc = db_sql_open(db, uri, SQLITE_OPEN_READONLY |
		    SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW |
		    SQLITE_OPEN_NOMUTEX, SORTES_ENOINPUT, err);
	free(uri);
	return rc;
}

/*
 * Reading a WAL-mode file takes a -shm beside it; SQLite says
 * "unable to open" when it can create none (a read-only directory).
 */
static int
db_lacks_shm(struct sortes_db *db)
{
	int code;

	if (sqlite3_exec(db->sql, "PRAGMA user_version", NULL, NULL,
	    NULL) == SQLITE_OK)
		return 0;
	code = sqlite3_extended_errcode(db->sql);
	return (code & 0xff) == SQLITE_CANTOPEN ||
	    code == SQLITE_READONLY_DIRECTORY;
}

/* Immutable would not see what a -wal holds: refuse rather than hide it. */
static int
db_check_wal_empty(struct sortes_db *db, struct sortes_error *err)
{
	if (db_side_size(db->path, "-wal") <= 0)
		return 0;
	return sortes_error_set(err, SORTES_ENOINPUT, "database '%s' cannot "
	    "be read here: '%s-wal' beside it holds transactions that are not "
	    "in the file yet, and SQLite cannot read them from a directory it "
	    "may not write to; checkpoint the database first where it can be "
	    "written (sqlite3 %s 'pragma wal_checkpoint(truncate)'), or give "
	    "write access to its directory", db->path, db->path, db->path);
}

/*
 * Read only (mode=ro): SQLite opens the file O_RDONLY, so nothing can
 * write to it.  A WAL-mode file that nobody has open (no -wal beside
 * it) holds everything committed itself, and is read as immutable:
 * that needs no -shm and leaves no file beside it.  With a -wal, SQLite
 * reads it through a -shm; where it can make none (a read-only
 * directory), an empty -wal adds nothing and the file is read as
 * immutable too.
 */
static int
db_open_readonly(struct sortes_db *db, struct sortes_error *err)
{
	int wal = db_wal_mode(db->path), rc;

	rc = db_open_uri(db, wal && db_side_size(db->path, "-wal") < 0, err);
	if (rc == 0 && wal && !db->immutable && db_lacks_shm(db)) {
		sqlite3_close_v2(db->sql);
		db->sql = NULL;
		rc = db_check_wal_empty(db, err);
		if (rc == 0)
			rc = db_open_uri(db, 1, err);
	}
	return rc == 0 ? db_configure(db, SORTES_DB_READONLY, err) : rc;
}

static int
db_connect(struct sortes_db *db, enum sortes_db_mode mode,
    struct sortes_error *err)
{
	/* NOMUTEX: a handle is used by one thread at a time, so SQLite
	 * need not lock around every call. */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	    SQLITE_OPEN_NOMUTEX, rc;

	if (mode == SORTES_DB_READONLY)
		return db_open_readonly(db, err);
	if (mode == SORTES_DB_SCRATCH)
		flags |= SQLITE_OPEN_MEMORY | SQLITE_OPEN_CREATE;
	rc = db_sql_open(db, mode == SORTES_DB_SCRATCH ? ":memory:" : db->path,
	    flags, mode == SORTES_DB_CREATE ? SORTES_ECANTCREAT : SORTES_EIO,
	    err);
	return rc == 0 ? db_configure(db, mode, err) : rc;
}

/* A connected handle for 'path', not yet migrated or checked. */
static int
db_handle(struct sortes_db **out, const char *path, enum sortes_db_mode mode,
    struct sortes_error *err)
{
	struct sortes_db *db;
	int rc;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->path = strdup(path)) == NULL) {
		free(db);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	rc = db_connect(db, mode, err);
	*out = db;
	return rc;
}

int
sortes_db_open(struct sortes_db **out, const char *path,
    enum sortes_db_mode mode, struct sortes_error *err)
{
	struct sortes_db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_check_exists(path, mode, err)) != 0)
		return rc;
	rc = db_handle(&db, path, mode, err);
	if (rc == 0)
		rc = mode == SORTES_DB_READONLY ? db_check_version(db, err) :
		    db_migrate(db, err);
	if (rc != 0) {
		sortes_db_close(db);
		if (mode == SORTES_DB_CREATE)
			sortes_db_remove(path);
		return rc;
	}
	*out = db;
	return 0;
}

/* The schema version of 'path', read without changing anything. */
static int
db_inspect(const char *path, int *version, struct sortes_error *err)
{
	struct sortes_db *db = NULL;
	int rc;

	if ((rc = db_check_file(path, err)) != 0)
		return rc;
	rc = db_handle(&db, path, SORTES_DB_READONLY, err);
	if (rc == 0)
		rc = sortes_db_version(db, version, err);
	sortes_db_close(db);
	return rc;
}

int
sortes_db_upgrade(const char *path, int *from, struct sortes_error *err)
{
	struct sortes_db *db = NULL;
	int rc;

	*from = 0;
	if ((rc = db_inspect(path, from, err)) != 0)
		return rc;
	if (*from == 0)
		return sortes_error_set(err, SORTES_EDATA, "database '%s' holds "
		    "no trial: there is nothing to upgrade", path);
	if (*from == sortes_db_latest_version())
		return 0;
	rc = sortes_db_open(&db, path, SORTES_DB_EXISTING, err);
	sortes_db_close(db);
	return rc;
}

int
sortes_db_unchanged(const struct sortes_db *db, struct sortes_error *err)
{
	const struct stat *was = &db->seen;
	struct stat now;

	if (!db->immutable)
		return 0;
	if (stat(db->path, &now) == 0 && now.st_dev == was->st_dev &&
	    now.st_ino == was->st_ino && now.st_size == was->st_size &&
	    now.st_mtim.tv_sec == was->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == was->st_mtim.tv_nsec)
		return 0;
	return sortes_error_set(err, SORTES_EBUSY, "database '%s' was changed "
	    "by another process while this command read it, so what it read "
	    "may not be whole; run the command again", db->path);
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
