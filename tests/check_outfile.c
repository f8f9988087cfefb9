/* check_outfile.c - files written all or nothing; the pending init. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/outfile.h"
#include "sortes/trial.h"
#include "suites.h"
#include "testutil.h"

/* How many entries 'dir' holds; the first one's name into 'first'. */
static int
dir_count(const char *dir, char *first, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n++ == 0 && first != NULL)
			snprintf(first, size, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static void
assert_content(const char *path, const char *want)
{
	char *got = tu_read(path);

	ck_assert_str_eq(got, want);
	free(got);
}

/* Nothing at the name until commit; then the whole file, and only it. */
static void
check_commit(int flags)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "out.txt"), name[256];
	struct sortes_outfile *f = NULL;
	struct sortes_error err = { 0 };
	struct stat st;
	mode_t old = umask(022);
	FILE *fp = NULL;

	ck_assert_int_eq(sortes_outfile_open(&f, path, 0600, NULL, flags, &err),
	    0);
	ck_assert_int_eq(sortes_outfile_stream(&fp, f, &err), 0);
	ck_assert_int_ge(fprintf(fp, "first line\n"), 0);
	ck_assert_int_eq(sortes_outfile_write(f, "second\n", 7, &err), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	if (flags & SORTES_OUTFILE_NAMED) {
		ck_assert_int_eq(dir_count(dir, name, sizeof(name)), 1);
		ck_assert_msg(strncmp(name, ".out.txt.", 9) == 0, "%s", name);
	} else
		ck_assert_int_eq(dir_count(dir, NULL, 0), 0);
	ck_assert_msg(sortes_outfile_commit(f, &err) == 0, "%s", err.msg);
	assert_content(path, "first line\nsecond\n");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(dir_count(dir, NULL, 0), 1);
	umask(old);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

START_TEST(test_commit_unnamed)
{
	check_commit(0);
}
END_TEST

START_TEST(test_commit_named)
{
	check_commit(SORTES_OUTFILE_NAMED);
}
END_TEST

START_TEST(test_abandon_leaves_nothing)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "out.txt");
	struct sortes_outfile *f = NULL;
	struct sortes_error err = { 0 };
	int flags[] = { 0, SORTES_OUTFILE_NAMED };

	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(sortes_outfile_open(&f, path, 0644, NULL,
		    flags[i], &err), 0);
		ck_assert_int_eq(sortes_outfile_write(f, "x\n", 2, &err), 0);
		sortes_outfile_abandon(f);
		ck_assert_int_eq(dir_count(dir, NULL, 0), 0);
	}
	sortes_outfile_abandon(NULL);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_never_over_a_file)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "k.key"),
	    *link = tu_path(dir, "link"), *target = tu_path(dir, "target");
	struct sortes_outfile *f = NULL;
	struct sortes_error err = { 0 };

	tu_write(path, "precious\n");
	ck_assert_int_eq(sortes_outfile_open(&f, path, 0600, "key file", 0,
	    &err), SORTES_ECANTCREAT);
	ck_assert_ptr_null(f);
	ck_assert_msg(strstr(err.msg, "cannot create key file '") != NULL &&
	    strstr(err.msg, "k.key': it already exists") != NULL, "%s", err.msg);
	assert_content(path, "precious\n");

	/* A symbolic link, even a dangling one, is an existing file. */
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(sortes_outfile_open(&f, link, 0600, NULL, 0, &err),
	    SORTES_ECANTCREAT);
	ck_assert_int_eq(access(target, F_OK), -1);

	/* The name taken between open and commit: refused, nothing left. */
	unlink(path);
	ck_assert_int_eq(sortes_outfile_open(&f, path, 0600, NULL, 0, &err), 0);
	ck_assert_int_eq(sortes_outfile_write(f, "new\n", 4, &err), 0);
	tu_write(path, "theirs\n");
	ck_assert_int_eq(sortes_outfile_commit(f, &err), SORTES_ECANTCREAT);
	ck_assert_msg(strstr(err.msg, "already exists") != NULL, "%s", err.msg);
	assert_content(path, "theirs\n");
	ck_assert_int_eq(dir_count(dir, NULL, 0), 2);
	tu_rmtree(dir);
	free(path);
	free(link);
	free(target);
	free(dir);
}
END_TEST

/* Write 'text' to 'path' with SAME_OK over what is there. */
static int
put_same_ok(const char *path, const char *text, mode_t mode,
    struct sortes_error *err)
{
	struct sortes_outfile *f = NULL;

	ck_assert_int_eq(sortes_outfile_open(&f, path, mode, NULL,
	    SORTES_OUTFILE_SAME_OK, err), 0);
	ck_assert_int_eq(sortes_outfile_write(f, text, strlen(text), err), 0);
	return sortes_outfile_commit(f, err);
}

START_TEST(test_same_bytes_accepted)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "e.csv.log");
	struct sortes_error err = { 0 };
	mode_t old = umask(022);

	/* Nothing there: written as usual. */
	ck_assert_int_eq(put_same_ok(path, "1 a b\n", 0600, &err), 0);
	assert_content(path, "1 a b\n");
	/* Exactly these bytes there: done already. */
	ck_assert_msg(put_same_ok(path, "1 a b\n", 0600, &err) == 0, "%s",
	    err.msg);
	/* Other bytes, or the same bytes open to more readers: refused. */
	ck_assert_int_eq(put_same_ok(path, "1 a c\n", 0600, &err),
	    SORTES_ECANTCREAT);
	ck_assert_msg(strstr(err.msg, "already exists with other content") !=
	    NULL, "%s", err.msg);
	ck_assert_int_eq(put_same_ok(path, "1 a b\n1 a b\n", 0600, &err),
	    SORTES_ECANTCREAT);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(put_same_ok(path, "1 a b\n", 0600, &err),
	    SORTES_ECANTCREAT);
	assert_content(path, "1 a b\n");
	ck_assert_int_eq(dir_count(dir, NULL, 0), 1);
	umask(old);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_sha256_of_what_is_written)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "x");
	struct sortes_outfile *f = NULL;
	struct sortes_error err = { 0 };
	char sha[SORTES_SHA256_HEX];
	FILE *fp = NULL;

	ck_assert_int_eq(sortes_outfile_open(&f, path, 0644, NULL, 0, &err), 0);
	ck_assert_int_eq(sortes_outfile_stream(&fp, f, &err), 0);
	ck_assert_int_ge(fputs("ab", fp), 0);
	ck_assert_int_eq(sortes_outfile_write(f, "c", 1, &err), 0);
	ck_assert_int_eq(sortes_outfile_sha256(f, sha, &err), 0);
	ck_assert_str_eq(sha, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sortes_outfile_abandon(f);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_missing_directory)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "no-such-dir/x.seal");
	struct sortes_outfile *f = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_outfile_open(&f, path, 0644, "seal file", 0,
	    &err), SORTES_ECANTCREAT);
	ck_assert_msg(strstr(err.msg, "no-such-dir/x.seal") != NULL, "%s",
	    err.msg);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_rename_never_over)
{
	char *dir = tu_tmpdir(), *a = tu_path(dir, "a"), *b = tu_path(dir, "b");
	struct sortes_error err = { 0 };

	tu_write(a, "A\n");
	tu_write(b, "B\n");
	ck_assert_int_eq(sortes_outfile_rename(a, b, "database", &err),
	    SORTES_ECANTCREAT);
	assert_content(a, "A\n");
	assert_content(b, "B\n");
	unlink(b);
	ck_assert_int_eq(sortes_outfile_rename(a, b, "database", &err), 0);
	ck_assert_int_eq(access(a, F_OK), -1);
	assert_content(b, "A\n");
	tu_rmtree(dir);
	free(a);
	free(b);
	free(dir);
}
END_TEST

/* A directory with a protocol, and the names an init of it uses. */
struct init_files {
	char *dir, *proto, *db, *key, *pending;
};

static void
init_files(struct init_files *f)
{
	f->dir = tu_tmpdir();
	f->proto = tu_path(f->dir, "p.yaml");
	f->db = tu_path(f->dir, "t.db");
	f->key = tu_path(f->dir, "t.key");
	f->pending = tu_path(f->dir, "t.db.init-pending");
	tu_write(f->proto, TU_SIMPLE);
}

static void
init_files_free(struct init_files *f)
{
	tu_rmtree(f->dir);
	free(f->proto);
	free(f->db);
	free(f->key);
	free(f->pending);
	free(f->dir);
}

static int
init_trial(struct init_files *f, struct sortes_trial **t,
    struct sortes_error *err)
{
	return sortes_trial_create(t, f->db, f->proto, f->key,
	    "2026-01-15T10:00:00Z", err);
}

/* A second init while one holds the pending database: busy, no files. */
START_TEST(test_init_busy)
{
	struct init_files f;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	int fd;

	init_files(&f);
	fd = open(f.pending, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
	ck_assert_int_eq(init_trial(&f, &t, &err), SORTES_EBUSY);
	ck_assert_ptr_null(t);
	ck_assert_msg(strstr(err.msg, "another 'sortes init' is creating it") !=
	    NULL, "%s", err.msg);
	ck_assert_int_eq(access(f.db, F_OK), -1);
	ck_assert_int_eq(access(f.key, F_OK), -1);
	ck_assert_int_eq(dir_count(f.dir, NULL, 0), 2);

	/* Released, the empty leftover is taken over and finished. */
	close(fd);
	ck_assert_msg(init_trial(&f, &t, &err) == 0, "%s", err.msg);
	sortes_trial_close(t);
	ck_assert_int_eq(access(f.pending, F_OK), -1);
	ck_assert_int_eq(dir_count(f.dir, NULL, 0), 3);
	init_files_free(&f);
}
END_TEST

/* A pending file that is no database is not ours to throw away. */
START_TEST(test_init_foreign_pending)
{
	struct init_files f;
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	char text[8192];

	init_files(&f);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	tu_write(f.pending, text);
	ck_assert_int_eq(init_trial(&f, &t, &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "remove it to start again") != NULL, "%s",
	    err.msg);
	assert_content(f.pending, text);
	ck_assert_int_eq(access(f.db, F_OK), -1);
	ck_assert_int_eq(access(f.key, F_OK), -1);
	init_files_free(&f);
}
END_TEST

Suite *
suite_outfile(void)
{
	Suite *s = suite_create("outfile");
	TCase *tc = tcase_create("outfile");

	tcase_add_test(tc, test_commit_unnamed);
	tcase_add_test(tc, test_commit_named);
	tcase_add_test(tc, test_abandon_leaves_nothing);
	tcase_add_test(tc, test_never_over_a_file);
	tcase_add_test(tc, test_same_bytes_accepted);
	tcase_add_test(tc, test_sha256_of_what_is_written);
	tcase_add_test(tc, test_missing_directory);
	tcase_add_test(tc, test_rename_never_over);
	suite_add_tcase(s, tc);
	tc = tcase_create("pending init");
	tcase_add_test(tc, test_init_busy);
	tcase_add_test(tc, test_init_foreign_pending);
	suite_add_tcase(s, tc);
	return s;
}
