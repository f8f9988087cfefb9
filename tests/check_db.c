/* check_db.c - opening databases and applying migrations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/db.h"
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
	tcase_add_test(tc, test_full_database);
	suite_add_tcase(s, tc);
	return s;
}
