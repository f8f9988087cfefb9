/*
 * check_lookup.c - finding persons by pseudonym as of an entry, lists
 * of persons, the linkage file and its manifest, and the enrolled rows
 * a cohort enrollment reports for its results file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/lifecycle.h"
#include "sortes/linkage.h"
#include "sortes/lookup.h"
#include "sortes/person.h"
#include "sortes/seal.h"
#include "suites.h"
#include "testutil.h"

/* A trial with P1 (moved to CW9 at entry 4) and P2 (withdrawn at 5). */
struct fixture {
	char *dir;
	struct sortes_trial *t;
	struct sortes_enroll_result p1, p2;
};

static void
fixture_setup(struct fixture *f)
{
	struct sortes_error err = { 0 };
	struct sortes_transfer_result tr;
	int64_t seq;

	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, TU_BLOCKS);
	ck_assert_int_eq(tu_enroll_at(f->t, "P1", "CW1", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &f->p1, &err), 0);
	ck_assert_int_eq(tu_enroll_at(f->t, "P2", "CW2", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &f->p2, &err), 0);
	ck_assert_int_eq(sortes_transfer(f->t, f->p1.participant, "CW9",
	    "2026-02-01T10:00:00Z", &tr, &err), 0);
	ck_assert_int_eq(sortes_withdraw(f->t, f->p2.participant, "moved",
	    "2026-02-01T23:30:00Z", &seq, &err), 0);
	ck_assert_int_eq(seq, 5);
}

static void
fixture_done(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

static void
find(struct sortes_trial *t, int64_t at, const char *person,
    struct sortes_person_status *s)
{
	struct sortes_finder *f = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_finder_new(&f, t, at, &err), 0);
	ck_assert_msg(sortes_finder_find(f, person, s, NULL, &err) == 0,
	    "%s", err.msg);
	sortes_finder_free(f);
}

START_TEST(test_pseudonym_is_enrollments)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	char hex[SORTES_SHA256_HEX], *stored;

	fixture_setup(&f);
	ck_assert_int_eq(sortes_hmac_new(&mac, f.t->key.pseudonym_key,
	    sizeof(f.t->key.pseudonym_key), &err), 0);
	/* Outer blanks are trimmed, as enrollment trims them. */
	ck_assert_int_eq(sortes_person_pseudonym(hex, mac, SORTES_PERSON_ASCII,
	    "  P1 ", &err), 0);
	sortes_hmac_free(mac);
	stored = tu_text(f.t, "SELECT pseudonym FROM participants WHERE seq = 2");
	ck_assert_str_eq(hex, stored);
	free(stored);
	fixture_done(&f);
}
END_TEST

START_TEST(test_find_now_and_as_of)
{
	struct fixture f;
	struct sortes_person_status s;

	fixture_setup(&f);
	find(f.t, 0, "P1", &s);
	ck_assert_int_eq(s.enrolled, 1);
	ck_assert_str_eq(s.participant, f.p1.participant);
	ck_assert_uint_eq(s.arm, f.p1.arm);
	ck_assert_str_eq(s.caseworker, "CW9");
	ck_assert_int_eq(s.transfers, 1);
	ck_assert_str_eq(s.withdrawn_at, "");
	find(f.t, 0, "P2", &s);
	ck_assert_str_eq(s.withdrawn_at, "2026-02-01T23:30:00Z");
	ck_assert_str_eq(s.caseworker, "CW2");
	/* As of entry 3 neither the transfer nor the withdrawal was made. */
	find(f.t, 3, "P1", &s);
	ck_assert_str_eq(s.caseworker, "CW1");
	ck_assert_int_eq(s.transfers, 0);
	find(f.t, 3, "P2", &s);
	ck_assert_str_eq(s.withdrawn_at, "");
	/* As of entry 2, P2 was not enrolled yet. */
	find(f.t, 2, "P2", &s);
	ck_assert_int_eq(s.enrolled, 0);
	find(f.t, 0, "P7", &s);
	ck_assert_int_eq(s.enrolled, 0);
	ck_assert_str_eq(s.participant, "");
	fixture_done(&f);
}
END_TEST

START_TEST(test_find_refusals)
{
	struct fixture f;
	struct sortes_finder *fi = NULL;
	struct sortes_person_status s;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	ck_assert_int_eq(sortes_finder_new(&fi, f.t, 0, &err), 0);
	ck_assert_int_eq(sortes_finder_find(fi, "P\x01" "1", &s, NULL, &err),
	    SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "character 2"));
	sortes_finder_free(fi);
	/* Without the key there is no pseudonym to find anyone by. */
	f.t->have_key = 0;
	ck_assert_int_eq(sortes_finder_new(&fi, f.t, 0, &err), SORTES_EUSAGE);
	ck_assert_ptr_null(fi);
	f.t->have_key = 1;
	fixture_done(&f);
}
END_TEST

struct seen {
	long lines[8];
	char persons[8][16];
	size_t n;
};

static int
collect(void *ctx, long line, const char *person, struct sortes_error *err)
{
	struct seen *s = ctx;

	(void)err;
	ck_assert_uint_lt(s->n, 8);
	s->lines[s->n] = line;
	snprintf(s->persons[s->n++], 16, "%s", person);
	return 0;
}

static int
persons_text(const char *text, struct seen *s, struct sortes_error *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	memset(s, 0, sizeof(*s));
	rc = sortes_persons_each(fp, "p.csv", 0, collect, s, err);
	fclose(fp);
	return rc;
}

START_TEST(test_persons_each)
{
	struct sortes_error err = { 0 };
	struct seen s;

	ck_assert_int_eq(persons_text("caseworker, person \nCW1,P1\n\n"
	    "CW2,\"P\n2\"\nCW3,P3\n", &s, &err), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.lines[0], 2);
	ck_assert_str_eq(s.persons[1], "P\n2");
	ck_assert_int_eq(s.lines[2], 6);
	ck_assert_int_eq(persons_text("id\nP1\n", &s, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, "p.csv:1: the header needs the column "
	    "'person'");
	ck_assert_int_eq(persons_text("", &s, &err), SORTES_EDATA);
	ck_assert_int_eq(persons_text("x,person\nP1\n", &s, &err),
	    SORTES_EDATA);
	ck_assert_str_eq(err.msg, "p.csv:2: the row has no 'person' cell");
}
END_TEST

struct missing {
	long lines[8];
	size_t n;
};

static void
note_missing(void *ctx, long line)
{
	struct missing *m = ctx;

	m->lines[m->n++] = line;
}

static int
linkage_text(struct sortes_trial *t, const char *text, int64_t at,
    char **out, struct missing *m, struct sortes_linkage_counts *c,
    struct sortes_error *err)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	size_t len = 0;
	FILE *fp = open_memstream(out, &len);
	struct sortes_linkage_input li = { in, "p.csv", at, tu_local_day,
	    note_missing, m };
	int rc;

	memset(m, 0, sizeof(*m));
	rc = sortes_linkage_write(t, &li, fp, c, err);
	fclose(fp);
	fclose(in);
	return rc;
}

START_TEST(test_linkage_rows)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct sortes_linkage_counts c;
	struct missing m;
	char *out = NULL, want[512];
	const char *arm1, *arm2;

	fixture_setup(&f);
	arm1 = f.t->protocol->arms[f.p1.arm].code;
	arm2 = f.t->protocol->arms[f.p2.arm].code;
	ck_assert_int_eq(linkage_text(f.t, "person\nP2\nP9\nP1\n", 0, &out, &m,
	    &c, &err), 0);
	/* 23:30Z is the next day at UTC+01:00 (tu_local_day). */
	snprintf(want, sizeof(want), "person,participant,arm,enrolled_on,"
	    "withdrawn_on\nP2,%s,%s,2026-01-15,2026-02-02\n"
	    "P1,%s,%s,2026-01-15,\n", f.p2.participant, arm2,
	    f.p1.participant, arm1);
	ck_assert_str_eq(out, want);
	free(out);
	ck_assert_int_eq(c.rows, 2);
	ck_assert_int_eq(c.unenrolled, 1);
	ck_assert_uint_eq(m.n, 1);
	ck_assert_int_eq(m.lines[0], 3);
	/* As of entry 2 only P1 was enrolled, and nobody withdrawn. */
	ck_assert_int_eq(linkage_text(f.t, "person\nP2\nP1\n", 2, &out, &m,
	    &c, &err), 0);
	ck_assert_int_eq(c.rows, 1);
	ck_assert_int_eq(c.unenrolled, 1);
	ck_assert_int_eq(m.lines[0], 2);
	free(out);
	fixture_done(&f);
}
END_TEST

START_TEST(test_linkage_refusals)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct sortes_linkage_counts c;
	struct missing m;
	char *out = NULL;

	fixture_setup(&f);
	ck_assert_int_eq(linkage_text(f.t, "person\nP1\nP2\n P1\n", 0, &out,
	    &m, &c, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, "p.csv:4: the same person as on line 2");
	free(out);
	ck_assert_int_eq(linkage_text(f.t, "person\nP1\nP\xc2\xa0" "2\n", 0,
	    &out, &m, &c, &err), SORTES_EDATA);
	ck_assert_msg(strncmp(err.msg, "p.csv:3: ", 9) == 0, "%s", err.msg);
	ck_assert_ptr_null(strstr(err.msg, "P"));
	free(out);
	fixture_done(&f);
}
END_TEST

START_TEST(test_linkage_manifest)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct sortes_jcs j;
	struct sortes_linkage_manifest m = { "l.csv", "ab", 5, "cd",
	    { 2, 1 }, NULL, NULL };
	char want[512];

	fixture_setup(&f);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_linkage_manifest(&j, f.t, &m, &err), 0);
	snprintf(want, sizeof(want), "{\"entries\":5,\"head\":\"cd\","
	    "\"linkage\":\"l.csv\",\"linkage_sha256\":\"ab\","
	    "\"not_enrolled\":1,\"protocol_sha256\":\"%s\",\"rows\":2,"
	    "\"seal\":null,\"trial\":\"testtrial\"}", f.t->protocol_sha256);
	ck_assert_str_eq(j.data, want);
	m.sealed_at = "2026-02-03T10:00:00Z";
	m.signer = "ef";
	ck_assert_int_eq(sortes_linkage_manifest(&j, f.t, &m, &err), 0);
	ck_assert_ptr_nonnull(strstr(j.data, "\"seal\":{\"sealed_at\":"
	    "\"2026-02-03T10:00:00Z\",\"signer\":\"ef\"}"));
	sortes_jcs_free(&j);
	fixture_done(&f);
}
END_TEST

/* A linkage made without --seal or --at is as of the log's head. */
START_TEST(test_seal_head)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct sortes_seal s;
	char *hash;

	fixture_setup(&f);
	ck_assert_int_eq(sortes_seal_head(f.t, &s, &err), 0);
	ck_assert_int_eq(s.entries, 5);
	hash = tu_text(f.t, "SELECT hash FROM log WHERE seq = 5");
	ck_assert_str_eq(s.head, hash);
	free(hash);
	ck_assert_str_eq(s.trial, "testtrial");
	fixture_done(&f);
}
END_TEST

struct rows {
	long lines[8];
	char persons[8][16];
	size_t n;
};

static int
enrolled_row(void *ctx, const struct sortes_enrolled_row *row)
{
	struct rows *r = ctx;

	r->lines[r->n] = row->line;
	snprintf(r->persons[r->n++], 16, "%s", row->person);
	return 0;
}

static int
refused_row(void *ctx, long line, const char *const *header, size_t nheader,
    const char *const *cells, size_t ncells, const char *reason)
{
	(void)ctx; (void)line; (void)header; (void)nheader; (void)cells;
	(void)ncells; (void)reason;
	return 0;
}

START_TEST(test_enrolled_rows)
{
	static const char cohort[] =
	    "person,caseworker,birth_date,sex,benefit\n"
	    "P1,CW1,2004-01-01,F,uddannelseshjaelp\n"
	    "P2,CW1,2004-01-01,Q,uddannelseshjaelp\n"
	    "\" P3\",CW2,2004-01-01,M,uddannelseshjaelp\n";
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct rows r = { .n = 0 };
	FILE *fp = fmemopen((void *)cohort, strlen(cohort), "r");

	ck_assert_int_eq(sortes_enroll_csv_rows(t, fp, "c.csv", 0, 1,
	    "2026-01-15T10:00:00Z", tu_day("2026-01-15"), refused_row,
	    enrolled_row, &r, &s, &err), 0);
	fclose(fp);
	sortes_csv_summary_free(&s);
	ck_assert_uint_eq(r.n, 2);
	ck_assert_int_eq(r.lines[0], 2);
	ck_assert_int_eq(r.lines[1], 4);
	/* As given: the results file shows what the lead's file holds. */
	ck_assert_str_eq(r.persons[1], " P3");
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
suite_lookup(void)
{
	Suite *s = suite_create("lookup");
	TCase *tc = tcase_create("lookup");

	tcase_add_test(tc, test_pseudonym_is_enrollments);
	tcase_add_test(tc, test_find_now_and_as_of);
	tcase_add_test(tc, test_find_refusals);
	tcase_add_test(tc, test_persons_each);
	tcase_add_test(tc, test_linkage_rows);
	tcase_add_test(tc, test_linkage_refusals);
	tcase_add_test(tc, test_linkage_manifest);
	tcase_add_test(tc, test_enrolled_rows);
	tcase_add_test(tc, test_seal_head);
	suite_add_tcase(s, tc);
	return s;
}
