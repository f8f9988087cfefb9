/* check_infile.c - the files sortes reads must be regular files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sortes/infile.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_regular_file_read)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "p.yaml"), line[16];
	struct sortes_error err = { 0 };
	FILE *fp = NULL;

	tu_write(path, "sortes: 1\n");
	ck_assert_int_eq(sortes_infile_open(&fp, path, "protocol", &err), 0);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), fp));
	ck_assert_str_eq(line, "sortes: 1\n");
	fclose(fp);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_directory_refused)
{
	char *dir = tu_tmpdir();
	struct sortes_error err = { 0 };
	char want[4096];
	FILE *fp = NULL;

	ck_assert_int_eq(sortes_infile_open(&fp, dir, "protocol", &err),
	    SORTES_ENOINPUT);
	ck_assert_ptr_null(fp);
	snprintf(want, sizeof(want), "protocol '%s' is a directory", dir);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(sortes_infile_open(&fp, dir, "", &err),
	    SORTES_ENOINPUT);
	snprintf(want, sizeof(want), "'%s' is a directory", dir);
	ck_assert_str_eq(err.msg, want);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Nobody writes to the FIFO: opening it must not wait for a writer. */
START_TEST(test_fifo_and_device_refused)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "cohort.csv");
	struct sortes_error err = { 0 };
	FILE *fp = NULL;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(sortes_infile_open(&fp, path, "CSV file", &err),
	    SORTES_ENOINPUT);
	ck_assert_ptr_nonnull(strstr(err.msg, "cohort.csv' is not a regular "
	    "file"));
	ck_assert_int_eq(sortes_infile_open(&fp, "/dev/null", "seal", &err),
	    SORTES_ENOINPUT);
	ck_assert_str_eq(err.msg, "seal '/dev/null' is not a regular file");
	ck_assert_ptr_null(fp);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_missing_file)
{
	struct sortes_error err = { 0 };
	FILE *fp = NULL;

	ck_assert_int_eq(sortes_infile_open(&fp, "/nonexistent/s", "seal",
	    &err), SORTES_ENOINPUT);
	ck_assert_str_eq(err.msg, "cannot open seal '/nonexistent/s': No such "
	    "file or directory");
}
END_TEST

Suite *
suite_infile(void)
{
	Suite *s = suite_create("infile");
	TCase *tc = tcase_create("open");

	tcase_add_test(tc, test_regular_file_read);
	tcase_add_test(tc, test_directory_refused);
	tcase_add_test(tc, test_fifo_and_device_refused);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
