/*
 * check_golden.c - a golden trial: every step fixed (key, UUIDs,
 * times, signing key), made through the library's own functions, and
 * its whole log compared with tests/data/golden/NAME.golden.  A change of
 * any entry's body or hash is a log-format change (docs/log-format.md);
 * SORTES_GOLDEN_WRITE=1 writes the file instead, for such a change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sortes/blind.h"
#include "sortes/db.h"
#include "sortes/followup.h"
#include "sortes/lifecycle.h"
#include "sortes/randomize.h"
#include "sortes/replay.h"
#include "sortes/seal.h"
/* budget.h and seal.h both define SORTES_NOTE_MAX (1000 and 500); this
 * file uses neither, and needs both headers. */
#undef SORTES_NOTE_MAX
#include "sortes/budget.h"
#include "sortes/sign.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

#define GOLDEN_DIR SORTES_TOP_SRCDIR "/tests/data/golden"

/* A person enrolled, under the UUID the test fixes. */
struct golden_person {
	const char *person, *uuid, *caseworker, *at, *day;
	const char *const *values;	/* the protocol's fields, in order */
};

static const char *const gi_fields[] = { "birth_date", "sex", "benefit",
    "activity_ready", "jobcentre" };
static const char *const gi_values[][5] = {
	{ "2001-01-01", "F", "uddannelseshjaelp", "true", "midt" },
	{ "2003-02-15", "M", "uddannelseshjaelp", "true", "nord" },
	{ "2004-06-28", "F", "uddannelseshjaelp", "true", "midt" },
};

static const struct golden_person gi_people[] = {
	{ "010101-9001", "019bc11d-94e0-7a3c-8b1d-4e5f6a7b8c01", "CW1",
	    "2026-01-15T10:05:00Z", "2026-01-15", gi_values[0] },
	{ "150203-9002", "019bc12b-5080-7f21-9c4e-0a1b2c3d4e02", "CW1",
	    "2026-01-15T10:20:00Z", "2026-01-15", gi_values[1] },
	{ "280604-9003", "019bc5f3-2e80-7b6d-a1f0-3c4d5e6f7a03", "CW1",
	    "2026-01-16T09:00:00Z", "2026-01-16", gi_values[2] },
};

static void
golden_enroll(struct sortes_trial *t, const struct golden_person *p,
    const char *const *fields, size_t nfields)
{
	struct sortes_enroll_input in = { .person = p->person,
	    .caseworker = p->caseworker, .names = fields, .values = p->values,
	    .nfields = nfields, .enrolled_at = p->at,
	    .enroll_day = tu_day(p->day) };
	struct sortes_error err = { 0 };
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;

	ck_assert_int_eq(sortes_enroller_new(&e, t, &err), 0);
	ck_assert_msg(sortes_enroller_add(e, &in, &res, &err) == 0, "%s: %s",
	    p->person, err.msg);
	ck_assert_int_eq(sortes_enroller_commit(e, &err), 0);
	sortes_enroller_free(e);
	tu_fix_participant(t, res.participant, p->uuid);
}

/* The 6-month follow-up of the first person, then a correction. */
static void
gi_measure(struct sortes_trial *t, const struct sortes_clock *clock)
{
	const char *names[] = { "employment", "who5", "weekly_hours" };
	const char *values[] = { "job", "60", "30.0" };
	const char *fixed[] = { "72" };
	struct sortes_measure_input in = { .participant = gi_people[0].uuid,
	    .occasion = "m6", .names = names, .values = values, .n = 3,
	    .measured_on = tu_day("2026-07-15") };
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_followup_record(t, &in, clock, &out, &err) == 0,
	    "%s", err.msg);
	in.names = names + 1;
	in.values = fixed;
	in.n = 1;
	in.correct = 1;
	in.keep_date = 1;
	ck_assert_msg(sortes_followup_record(t, &in, clock, &out, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(out.supersedes, out.seq - 1);
}

/* The freeze, signed with the throw-away key docs/audit.md publishes. */
static void
gi_freeze(struct sortes_trial *t, const char *dir, const char *at)
{
	struct sortes_error err = { 0 };
	struct sortes_signer *signer = NULL;
	struct sortes_seal seal;
	char *pem = tu_doc_block("audit.md", "example-private-key");
	char *path = tu_path(dir, "signing.key");

	tu_write(path, pem);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_msg(sortes_signer_load_private(&signer, path, &err) == 0,
	    "%s", err.msg);
	ck_assert_msg(sortes_freeze(t, signer, "golden", at, &seal, &err) == 0,
	    "%s", err.msg);
	sortes_signer_free(signer);
	free(path);
	free(pem);
}

/* The trial checks, and replays from the seed its log reveals. */
static void
golden_checks(struct sortes_trial *t)
{
	struct sortes_error err = { 0 };
	struct sortes_verify_report rep;
	struct sortes_replay_report rr;
	uint8_t seed[32];
	int found = 0;

	ck_assert_msg(sortes_verify(t, tu_local_day, &rep, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_replay_revealed_seed(t, seed, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	ck_assert_msg(sortes_replay(t, seed, &rr, &err) == 0, "%s", err.msg);
}

/* The whole log, one line an entry: seq, kind, hash, body. */
static char *
golden_log(struct sortes_trial *t)
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT seq, kind, "
	    "hash, body FROM log ORDER BY seq", &err), 0);
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(out, "%lld %s %s %s\n",
		    (long long)sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	fclose(out);
	return buf;
}

/* The first line where 'want' and 'got' differ, for the message. */
static void
first_difference(const char *want, const char *got, char *msg, size_t size)
{
	size_t n = 1;

	while (*want != '\0' || *got != '\0') {
		size_t a = strcspn(want, "\n"), b = strcspn(got, "\n");

		if (a != b || memcmp(want, got, a) != 0) {
			snprintf(msg, size, "line %zu (entry %.*s) differs:\n"
			    "golden: %.*s\nnow:    %.*s", n,
			    (int)strcspn(b ? got : want, " "), b ? got : want,
			    (int)a, want, (int)b, got);
			return;
		}
		want += a + (want[a] != '\0');
		got += b + (got[b] != '\0');
		n++;
	}
	snprintf(msg, size, "no difference");
}

/* Compare the log of 't' with the golden file 'name', or write it. */
static void
golden_compare(struct sortes_trial *t, const char *name)
{
	char *path = tu_path(GOLDEN_DIR, name), *got = golden_log(t), *want;
	const char *write = getenv("SORTES_GOLDEN_WRITE");
	char msg[8192];

	if (write != NULL && strcmp(write, "1") == 0)
		tu_write(path, got);
	want = tu_read(path);
	if (strcmp(want, got) != 0) {
		first_difference(want, got, msg, sizeof(msg));
		ck_abort_msg("%s: %s", path, msg);
	}
	free(want);
	free(got);
	free(path);
}

/* A trial of protocols/NAME in a new *dir, its key fixed. */
static struct sortes_trial *
golden_open(const char *protocol, char **dir)
{
	char *path = tu_path(SORTES_TOP_SRCDIR "/protocols", protocol);
	char *yaml = tu_read(path);
	struct sortes_trial *t;

	*dir = tu_tmpdir();
	t = tu_trial(*dir, yaml);
	tu_fix_key(t, 0x01, 0x02);
	free(yaml);
	free(path);
	return t;
}

/* The trial checks and its log is the golden file 'name'; then gone. */
static void
golden_finish(struct sortes_trial *t, char *dir, const char *name)
{
	golden_checks(t);
	golden_compare(t, name);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_golden_individual)
{
	char *dir;
	struct sortes_trial *t = golden_open("ungifokus.yaml", &dir);
	struct sortes_clock clock = tu_clock("2026-07-20",
	    "2026-07-20T09:00:00Z");
	struct sortes_transfer_result tr;
	struct sortes_outcome_result out;
	struct sortes_blinding b;
	struct sortes_error err = { 0 };
	int64_t seq;

	for (size_t i = 0; i < 3; i++)
		golden_enroll(t, &gi_people[i], gi_fields, 5);
	ck_assert_msg(sortes_transfer(t, gi_people[0].uuid, "CW2",
	    "2026-02-01T08:00:00Z", &tr, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_blind(t, "2026-02-02T08:00:00Z", &seq, &err) == 0,
	    "%s", err.msg);
	gi_measure(t, &clock);
	ck_assert_msg(sortes_followup_missed(t, gi_people[1].uuid, "m6",
	    "not reachable", 0, &clock, &out, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_withdraw(t, gi_people[2].uuid, "moved",
	    "2026-07-21T10:00:00Z", &seq, &err) == 0, "%s", err.msg);
	gi_freeze(t, dir, "2027-02-01T09:00:00Z");
	ck_assert_msg(sortes_unblind(t, t->key.seed, "2027-02-02T09:00:00Z",
	    &b, &seq, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_reveal(t, "2027-02-03T09:00:00Z", &seq, &err) ==
	    0, "%s", err.msg);
	golden_finish(t, dir, "individual.golden");
}
END_TEST

/* ------------------------------------------------------------------ */
/* A caseworker-level trial with budgets, as Ungebudgetter.            */

static const char *const gc_fields[] = { "birth_date",
    "months_without_job_or_education", "benefit" };
static const char *const gc_values[] = { "2001-01-01", "12",
    "uddannelseshjaelp" };

/* Caseworker CW<i> with covariates that differ by i. */
static void
gc_register(struct sortes_trial *t, int i, const char *at,
    struct sortes_caseworker_result *res)
{
	static const char *const offices[] = { "midt", "nord", "syd", "vest" };
	const char *names[] = { "caseload", "share_education_benefit",
	    "office" };
	char code[16], load[16], share[16];
	const char *values[] = { load, share, offices[i % 4] };
	struct sortes_caseworker_input in = { .code = code, .team =
	    i % 2 ? "nord" : "syd", .names = names, .values = values,
	    .ncovariates = 3, .registered_at = at };

	snprintf(code, sizeof(code), "CW%d", i);
	snprintf(load, sizeof(load), "%d", 20 + 3 * i);
	snprintf(share, sizeof(share), "%d", 40 + 5 * i);
	tu_register(t, &in, res);
}

START_TEST(test_golden_caseworker)
{
	char *dir;
	struct sortes_trial *t = golden_open("ungebudgetter.yaml", &dir);
	struct sortes_clock clock = tu_clock("2026-03-02",
	    "2026-03-02T09:00:00Z");
	struct sortes_caseworker_result cr;
	struct sortes_randomize_result rr;
	struct sortes_spend_result sr;
	struct sortes_error err = { 0 };
	struct golden_person youth = { "010101-9001",
	    "019bc11d-94e0-7a3c-8b1d-4e5f6a7b8c11", NULL,
	    "2026-02-16T10:00:00Z", "2026-02-16", gc_values };
	struct sortes_spend_input spend = { .participant = youth.uuid,
	    .amount_minor = 320000, .category = "education",
	    .note = "driving licence", .spent_on = tu_day("2026-03-02") };
	int64_t seq;

	for (int i = 1; i <= 6; i++)
		gc_register(t, i, "2026-01-15T10:00:00Z", &cr);
	ck_assert_msg(sortes_randomize(t, "00112233445566778899aabbccddeeff",
	    "2026-02-01T12:00:00Z", &rr, &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < rr.ncaseworkers && youth.caseworker == NULL;
	    i++)
		if (strcmp(t->protocol->arms[rr.arms[i]].code, "B") == 0)
			youth.caseworker = rr.codes[i];
	ck_assert_ptr_nonnull(youth.caseworker);
	gc_register(t, 7, "2026-02-10T08:00:00Z", &cr);
	ck_assert_int_eq(cr.allocated, 1);
	golden_enroll(t, &youth, gc_fields, 3);
	sortes_randomize_result_free(&rr);
	ck_assert_msg(sortes_budget_spend(t, &spend, &clock, &sr, &err) == 0,
	    "%s", err.msg);
	ck_assert_msg(sortes_reveal(t, "2026-03-03T09:00:00Z", &seq, &err) ==
	    0, "%s", err.msg);
	golden_finish(t, dir, "caseworker.golden");
}
END_TEST

Suite *
suite_golden(void)
{
	Suite *s = suite_create("golden");
	TCase *tc = tcase_create("trials");

	tcase_add_test(tc, test_golden_individual);
	tcase_add_test(tc, test_golden_caseworker);
	suite_add_tcase(s, tc);
	return s;
}
