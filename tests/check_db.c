/* check_db.c - opening databases and applying migrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sortes/db.h"
#include "migrations.h"
#include "suites.h"
#include "testutil.h"

static int
query_int(struct sortes_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	struct sortes_error err = { 0 };
	int v;

	ck_assert_int_eq(sortes_db_prepare(db, &st, sql, &err), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

START_TEST(test_empty_database_migrated)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	int latest = sortes_db_latest_version(), v = -1;

	ck_assert_int_ge(latest, 1);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	ck_assert_int_eq(sortes_db_version(db, &v, &err), 0);
	ck_assert_int_eq(v, latest);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"),
	    latest);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE name IN ('trial', 'log', 'participants', 'allocations', "
	    "'alloc_state')"), 5);
	ck_assert_int_eq(query_int(db, "PRAGMA foreign_keys"), 1);
	ck_assert_int_eq(query_int(db, "PRAGMA synchronous"), 2);
	ck_assert_int_eq(query_int(db, "SELECT journal_mode = 'wal' "
	    "FROM pragma_journal_mode"), 1);
	sortes_db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_existing_database_kept)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	ck_assert_int_eq(sortes_db_exec(db, "INSERT INTO alloc_state VALUES "
	    "('block', '{}', 3, 1)", &err), 0);
	sortes_db_close(db);
	/* Reopening applies nothing twice and keeps the data. */
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_EXISTING, &err), 0);
	ck_assert_int_eq(query_int(db, "SELECT counter FROM alloc_state"), 3);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM schema_migrations"),
	    sortes_db_latest_version());
	sortes_db_close(db);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err),
	    SORTES_ECANTCREAT);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_newer_database_refused)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	char sql[64];

	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    sortes_db_latest_version() + 1);
	ck_assert_int_eq(sortes_db_exec(db, sql, &err), 0);
	sortes_db_close(db);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_EXISTING, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_ptr_null(db);
	ck_assert_ptr_nonnull(strstr(err.msg, "newer sortes"));
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_missing_database)
{
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_db_open(&db, "/nonexistent/t.db",
	    SORTES_DB_EXISTING, &err), SORTES_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "sortes init"));
}
END_TEST

/* The whole file, for comparing it before and after. */
static char *
file_bytes(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(1 << 20);

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 1 << 20, fp);
	ck_assert_int_lt(*len, 1 << 20);
	fclose(fp);
	return buf;
}

static int
same_file(const char *path, const char *bytes, size_t len)
{
	size_t n;
	char *now = file_bytes(path, &n);
	int same = n == len && memcmp(now, bytes, n) == 0;

	free(now);
	return same;
}

static int
exists(const char *dir, const char *name)
{
	char *p = tu_path(dir, name);
	struct stat st;
	int found = stat(p, &st) == 0;

	free(p);
	return found;
}

/* A checkpointed database of the latest schema, closed. */
static void
make_database(const char *path)
{
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	ck_assert_int_eq(sortes_db_exec(db, "INSERT INTO alloc_state VALUES "
	    "('block', '{}', 3, 1)", &err), 0);
	sortes_db_close(db);
}

START_TEST(test_readonly_writes_nothing)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	size_t len;
	char *before;

	make_database(path);
	before = file_bytes(path, &len);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_READONLY, &err),
	    0);
	ck_assert_int_eq(db->immutable, 1);
	ck_assert_int_eq(query_int(db, "SELECT counter FROM alloc_state"), 3);
	ck_assert_int_eq(sortes_db_exec(db, "INSERT INTO alloc_state VALUES "
	    "('block', '{\"a\":1}', 4, 1)", &err), SORTES_EIO);
	ck_assert_ptr_nonnull(strstr(err.msg, "readonly"));
	ck_assert_int_eq(sortes_db_unchanged(db, &err), 0);
	sortes_db_close(db);
	ck_assert(same_file(path, before, len));
	ck_assert(!exists(dir, "t.db-wal"));
	ck_assert(!exists(dir, "t.db-shm"));
	free(before);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* An immutable read takes no locks: a write meanwhile is caught. */
START_TEST(test_readonly_sees_a_writer)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL, *writer = NULL;
	struct sortes_error err = { 0 };

	make_database(path);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_READONLY, &err),
	    0);
	ck_assert_int_eq(db->immutable, 1);
	ck_assert_int_eq(sortes_db_open(&writer, path, SORTES_DB_EXISTING,
	    &err), 0);
	ck_assert_int_eq(sortes_db_exec(writer, "UPDATE alloc_state SET "
	    "counter = 4; PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	sortes_db_close(writer);
	ck_assert_int_eq(sortes_db_unchanged(db, &err), SORTES_EBUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "was changed by another "
	    "process while this command read it"));
	sortes_db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* Open (a -wal beside the file): SQLite's locks, not immutable. */
START_TEST(test_readonly_beside_a_writer)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL, *writer = NULL;
	struct sortes_error err = { 0 };

	make_database(path);
	ck_assert_int_eq(sortes_db_open(&writer, path, SORTES_DB_EXISTING,
	    &err), 0);
	ck_assert_int_eq(sortes_db_exec(writer, "UPDATE alloc_state SET "
	    "counter = 5", &err), 0);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_READONLY, &err),
	    0);
	ck_assert_int_eq(db->immutable, 0);
	ck_assert_int_eq(query_int(db, "SELECT counter FROM alloc_state"), 5);
	ck_assert_int_eq(sortes_db_unchanged(db, &err), 0);
	sortes_db_close(db);
	sortes_db_close(writer);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

/* Schema version 'version', made by the first migrations alone. */
static void
make_old_database(const char *path, int version)
{
	char record[256];
	sqlite3 *sql = NULL;

	ck_assert_int_eq(sqlite3_open(path, &sql), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(sql, "CREATE TABLE schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at "
	    "TEXT NOT NULL)", NULL, NULL, NULL), SQLITE_OK);
	for (int i = 0; i < version; i++) {
		const struct sortes_migration *m = &sortes_migrations[i];

		snprintf(record, sizeof(record), "INSERT INTO schema_migrations "
		    "VALUES (%d, '%s', '2024-01-01T00:00:00Z'); PRAGMA "
		    "user_version = %d", m->version, m->name, m->version);
		ck_assert_int_eq(sqlite3_exec(sql, m->sql, NULL, NULL, NULL),
		    SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(sql, record, NULL, NULL, NULL),
		    SQLITE_OK);
	}
	sqlite3_close(sql);
}

/*
 * A read-only handle on an older schema reads an up-to-date temporary
 * copy and leaves the file as it was; 'sortes upgrade' changes the file.
 */
START_TEST(test_readonly_reads_older_schema)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "old.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	int latest = sortes_db_latest_version(), from = -1, v = -1;
	size_t len;
	char *before;

	make_old_database(path, latest - 1);
	before = file_bytes(path, &len);
	ck_assert_msg(sortes_db_open(&db, path, SORTES_DB_READONLY, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(sortes_db_version(db, &v, &err), 0);
	ck_assert_int_eq(v, latest);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM "
	    "schema_migrations"), latest);
	sortes_db_close(db);
	db = NULL;
	ck_assert(same_file(path, before, len));
	ck_assert_int_eq(sortes_db_upgrade(path, &from, &err), 0);
	ck_assert_int_eq(from, latest - 1);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_READONLY, &err),
	    0);
	ck_assert_int_eq(sortes_db_version(db, &v, &err), 0);
	ck_assert_int_eq(v, latest);
	ck_assert_int_eq(query_int(db, "SELECT count(*) FROM "
	    "schema_migrations"), latest);
	sortes_db_close(db);
	ck_assert_int_eq(sortes_db_upgrade(path, &from, &err), 0);
	ck_assert_int_eq(from, latest);
	free(before);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_directory_refused)
{
	char *dir = tu_tmpdir();
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	int from;

	ck_assert_int_eq(sortes_db_open(&db, dir, SORTES_DB_EXISTING, &err),
	    SORTES_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
	ck_assert_int_eq(sortes_db_open(&db, dir, SORTES_DB_READONLY, &err),
	    SORTES_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
	ck_assert_int_eq(sortes_db_upgrade(dir, &from, &err), SORTES_ENOINPUT);
	ck_assert_int_eq(sortes_db_open(&db, "/dev/null", SORTES_DB_READONLY,
	    &err), SORTES_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "'/dev/null' is not a regular "
	    "file"));
	ck_assert_ptr_null(db);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A file at its page limit is full as a full disk is. */
START_TEST(test_full_database)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "t.db");
	struct sortes_db *db = NULL;
	struct sortes_error err = { 0 };
	int pages, rc = 0;

	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	pages = query_int(db, "PRAGMA page_count");
	ck_assert_int_eq(query_int(db, "PRAGMA max_page_count = 1") >= pages,
	    1);
	for (int i = 0; i < 1000 && rc == 0; i++)
		rc = sortes_db_exec(db, "INSERT INTO alloc_state VALUES "
		    "(hex(randomblob(8)), hex(randomblob(2000)), 1, 1)", &err);
	ck_assert_int_eq(rc, SORTES_EIO);
	ck_assert_str_eq(strrchr(err.msg, ':'), ": disk full");
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	sortes_db_close(db);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

Suite *
suite_db(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("migrations");

	tcase_add_test(tc, test_empty_database_migrated);
	tcase_add_test(tc, test_existing_database_kept);
	tcase_add_test(tc, test_newer_database_refused);
	tcase_add_test(tc, test_missing_database);
	tcase_add_test(tc, test_directory_refused);
	tcase_add_test(tc, test_full_database);
	suite_add_tcase(s, tc);
	tc = tcase_create("readonly");
	tcase_add_test(tc, test_readonly_writes_nothing);
	tcase_add_test(tc, test_readonly_sees_a_writer);
	tcase_add_test(tc, test_readonly_beside_a_writer);
	tcase_add_test(tc, test_readonly_reads_older_schema);
	suite_add_tcase(s, tc);
	return s;
}
