#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sortes/date.h"
#include "sortes/enroll.h"
#include "testutil.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	dir = tu_path(base, "sortes-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

char *
tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void
tu_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
}

void
tu_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = tu_path(dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

struct sortes_trial *
tu_trial(const char *dir, const char *yaml)
{
	char *proto = tu_path(dir, "protocol.yaml");
	char *db = tu_path(dir, "trial.db");
	char *key = tu_path(dir, "trial.key");
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	int rc;

	tu_write(proto, yaml);
	rc = sortes_trial_create(&t, db, proto, key, "2026-01-15T10:00:00Z",
	    &err);
	ck_assert_msg(rc == 0, "trial: %s", err.msg);
	free(proto);
	free(db);
	free(key);
	return t;
}

int
tu_enroll(struct sortes_trial *t, const char *person, const char *sex,
    const char *birth, struct sortes_error *err)
{
	const char *names[] = { "birth_date", "sex", "benefit" };
	const char *values[] = { birth, sex, "uddannelseshjaelp" };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = "CW1", .names = names,
		.values = values, .nfields = 3,
		.enrolled_at = "2026-01-15T10:00:00Z",
		.enroll_day = sortes_date_from_ymd(2026, 1, 15),
	};
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;
	int rc;

	rc = sortes_enroller_new(&e, t, err);
	if (rc == 0)
		rc = sortes_enroller_add(e, &in, &res, err);
	if (rc == 0)
		rc = sortes_enroller_commit(e, err);
	sortes_enroller_free(e);
	return rc;
}
