/* check_keyfile.c - key files: permissions, format, commitment. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/keyfile.h"
#include "suites.h"
#include "testutil.h"

START_TEST(test_round_trip)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "k.key");
	struct sortes_key a, b;
	struct sortes_error err = { 0 };
	struct stat st;

	ck_assert_int_eq(sortes_key_generate(&a, "trial-x", &err), 0);
	ck_assert_int_eq(sortes_key_write(path, &a, &err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(sortes_key_read(&b, path, &err), 0);
	ck_assert_str_eq(b.trial, "trial-x");
	ck_assert(memcmp(a.seed, b.seed, 32) == 0);
	ck_assert(memcmp(a.pseudonym_key, b.pseudonym_key, 32) == 0);
	ck_assert(memcmp(a.seed, a.pseudonym_key, 32) != 0);
	/* never overwritten */
	ck_assert_int_eq(sortes_key_write(path, &a, &err), SORTES_ECANTCREAT);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_refuses_readable)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "k.key");
	struct sortes_key a, b;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_key_generate(&a, "t", &err), 0);
	ck_assert_int_eq(sortes_key_write(path, &a, &err), 0);
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(sortes_key_read(&b, path, &err), SORTES_EPERM);
	ck_assert_ptr_nonnull(strstr(err.msg, "readable by others"));
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_refuses_malformed)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "k.key");
	struct sortes_key b;
	struct sortes_error err = { 0 };

	tu_write(path, "sortes-key 1\ntrial t\nseed 00zz\n");
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(sortes_key_read(&b, path, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "line 3"));
	unlink(path);
	tu_write(path, "sortes-key 1\ntrial t\n");
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(sortes_key_read(&b, path, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "incomplete"));
	ck_assert_int_eq(sortes_key_read(&b, "/nonexistent/k", &err),
	    SORTES_ENOINPUT);
	tu_rmtree(dir);
	free(path);
	free(dir);
}
END_TEST

START_TEST(test_commitment)
{
	uint8_t seed[32] = { 0 };
	char hex[SORTES_SHA256_HEX];
	struct sortes_error err = { 0 };

	/* SHA-256 of 32 zero bytes, a published constant. */
	ck_assert_int_eq(sortes_key_commitment(hex, seed, &err), 0);
	ck_assert_str_eq(hex, "66687aadf862bd776c8fc18b8e9f8e20"
	    "089714856ee233b3902a591d0d5f2925");
}
END_TEST

Suite *
suite_keyfile(void)
{
	Suite *s = suite_create("keyfile");
	TCase *tc = tcase_create("keyfile");

	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_refuses_readable);
	tcase_add_test(tc, test_refuses_malformed);
	tcase_add_test(tc, test_commitment);
	suite_add_tcase(s, tc);
	return s;
}
