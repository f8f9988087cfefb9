/*
 * check_zone.c - time zones known to this system: a zone directory of
 * our own making (TZDIR), what counts as a zone file, and suggestions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/zone.h"
#include "suites.h"
#include "testutil.h"

/* Enough of a compiled zone: the files are only ever opened by glibc. */
#define TZIF "TZif2\0\0\0"

static char *dir;

static void
put(const char *name, const char *bytes, size_t len)
{
	char *path = tu_path(dir, name);
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "cannot create %s", path);
	ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
	fclose(f);
	free(path);
}

static void
sub(const char *name)
{
	char *path = tu_path(dir, name);

	ck_assert_int_eq(mkdir(path, 0700), 0);
	free(path);
}

/* A zone tree: Europe/{Copenhagen,Berlin}, posix/Europe/Copenhagen, ... */
static void
setup(void)
{
	char *target, *link;

	dir = tu_tmpdir();
	sub("Europe");
	sub("posix");
	sub("posix/Europe");
	sub("Empty");
	put("Europe/Copenhagen", TZIF, 8);
	put("Europe/Berlin", TZIF, 8);
	put("posix/Europe/Kopenhagen", TZIF, 8);
	put("zone.tab", "DK\t+5540+01235\tEurope/Copenhagen\n", 33);
	put("Short", "TZ", 2);
	target = tu_path(dir, "Europe/Copenhagen");
	link = tu_path(dir, "Europe/Busingen");
	ck_assert_int_eq(symlink(target, link), 0);
	free(target);
	free(link);
	link = tu_path(dir, "Fifo");
	ck_assert_int_eq(mkfifo(link, 0600), 0);
	free(link);
	ck_assert_int_eq(setenv("TZDIR", dir, 1), 0);
}

static void
teardown(void)
{
	static const char *const files[] = { "Europe/Copenhagen",
	    "Europe/Berlin", "Europe/Busingen", "posix/Europe/Kopenhagen",
	    "posix/Europe", "posix", "Europe", "Empty", "zone.tab", "Short",
	    "Fifo" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = tu_path(dir, files[i]);

		remove(path);
		free(path);
	}
	rmdir(dir);
	free(dir);
	unsetenv("TZDIR");
}

START_TEST(test_dir)
{
	ck_assert_str_eq(sortes_zone_dir(), dir);
	ck_assert_int_eq(setenv("TZDIR", "", 1), 0);
	ck_assert_str_eq(sortes_zone_dir(), "/usr/share/zoneinfo");
	unsetenv("TZDIR");
	ck_assert_str_eq(sortes_zone_dir(), "/usr/share/zoneinfo");
}
END_TEST

START_TEST(test_known)
{
	ck_assert(sortes_zone_known("Europe/Copenhagen"));
	ck_assert(sortes_zone_known("Europe/Busingen"));	/* a link */
	ck_assert(sortes_zone_known("UTC"));	/* built in; no file here */
	ck_assert(!sortes_zone_known("Europe/Kopenhagen"));
	ck_assert(!sortes_zone_known("Europe"));	/* a directory */
	ck_assert(!sortes_zone_known("zone.tab"));	/* no TZif magic */
	ck_assert(!sortes_zone_known("Short"));
	ck_assert(!sortes_zone_known("Fifo"));	/* and it does not hang */
	ck_assert(!sortes_zone_known("Europe/../Europe/Copenhagen"));
	ck_assert(!sortes_zone_known("/etc/passwd"));
	ck_assert(!sortes_zone_known(""));
	ck_assert(!sortes_zone_known(NULL));
}
END_TEST

START_TEST(test_check)
{
	struct sortes_error err = { 0, "" };

	ck_assert_int_eq(sortes_zone_check("Europe/Berlin", &err), 0);
	ck_assert_int_eq(sortes_zone_check("Europe/Kopenhagen", &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, "time zone 'Europe/Kopenhagen' is not known "
	    "on this system (is tzdata installed?)");
}
END_TEST

START_TEST(test_suggest)
{
	char out[SORTES_ZONE_NAME_MAX];

	ck_assert(sortes_zone_suggest("Europe/Kopenhagen", out, sizeof(out)));
	ck_assert_str_eq(out, "Europe/Copenhagen");
	ck_assert(sortes_zone_suggest("europe/berlin", out, sizeof(out)));
	ck_assert_str_eq(out, "Europe/Berlin");
	/* a city alone finds its zone */
	ck_assert(sortes_zone_suggest("Copenhagen", out, sizeof(out)));
	ck_assert_str_eq(out, "Europe/Copenhagen");
	ck_assert(sortes_zone_suggest("utc", out, sizeof(out)));
	ck_assert_str_eq(out, "UTC");
	/* nothing close; files that are no zones are never suggested */
	ck_assert(!sortes_zone_suggest("Mars/Olympus", out, sizeof(out)));
	ck_assert(!sortes_zone_suggest("zone.tap", out, sizeof(out)));
	/* the posix/ copy of the tree is not walked */
	ck_assert(!sortes_zone_suggest("posix/Europe/Kopenhagn", out,
	    sizeof(out)));
	/* too small a buffer: no suggestion rather than half of one */
	ck_assert(!sortes_zone_suggest("Europe/Kopenhagen", out, 5));
	/* without zone files only UTC is left */
	ck_assert_int_eq(setenv("TZDIR", "/nonexistent", 1), 0);
	ck_assert(!sortes_zone_suggest("Europe/Kopenhagen", out, sizeof(out)));
	ck_assert(sortes_zone_suggest("UCT", out, sizeof(out)));
	ck_assert_str_eq(out, "UTC");
}
END_TEST

Suite *
suite_zone(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("zone");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_dir);
	tcase_add_test(tc, test_known);
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_suggest);
	suite_add_tcase(s, tc);
	return s;
}
