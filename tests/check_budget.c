/*
 * check_budget.c - the budget ledger: amounts in minor units, spends
 * within and beyond the budget, refusals, the report, and verify
 * catching tampered or forged spends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/budget.h"
#include "sortes/chain.h"
#include "sortes/lifecycle.h"
#include "sortes/record.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

/* Like Ungebudgetter, randomizing individuals: DKK 25,000 for arm B. */
#define UB_PROTOCOL(categories) \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: budgettrial\n" \
	"  title: Budget trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 20\n" \
	"  weekends: next_monday\n" \
	"arms:\n" \
	"  - {code: B, name: Citizen-controlled budget, ratio: 1}\n" \
	"  - {code: C, name: Ordinary casework, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: blocks\n" \
	"  block_sizes: [2]\n" \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: sex, type: enum, values: [F, M], required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}\n" \
	"measures:\n" \
	"  - {code: who5, type: integer, min: 0, max: 100}\n" \
	"followups:\n" \
	"  - {code: m12, offset: 12 months, window: {before: 14 days, " \
	"after: 30 days}, measures: [who5]}\n" \
	"budget:\n" \
	"  amount: \"25000.00\"\n" \
	"  currency: DKK\n" \
	"  arms: [B]\n" \
	categories

#define UB_CATEGORIES UB_PROTOCOL("  categories: [education, transport, " \
	"equipment, housing, health, leisure, debt, other]\n")
#define UB_ANY UB_PROTOCOL("")

#define RECORDED "2026-03-01T09:00:00Z"
#define TODAY "2026-03-01"

/* The B and C participants of the first and second pair. */
enum { B1, C1, B2, C2 };

struct fixture {
	char *dir;
	struct sortes_trial *t;
	char ids[4][SORTES_UUID_LEN];
};

/* Pair 1 enrolled on 15 January 2026, pair 2 on 20 January. */
static void
fixture_open(struct fixture *f, const char *yaml)
{
	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, yaml);
	tu_enroll_pair(f->t, "P", "CW1", "2026-01-15", &f->ids[B1], NULL);
	tu_enroll_pair(f->t, "Q", "CW2", "2026-01-20", &f->ids[B2], NULL);
}

static void
fixture_close(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

static int
spend(struct sortes_trial *t, const char *id, int64_t minor,
    const char *category, const char *note, const char *on,
    struct sortes_spend_result *out, struct sortes_error *err)
{
	struct sortes_clock c = tu_clock(TODAY, RECORDED);
	struct sortes_spend_input in = {
		.participant = id, .amount_minor = minor, .category = category,
		.note = note, .spent_on = tu_day(on),
	};

	return sortes_budget_spend(t, &in, &c, out, err);
}

/* A spend that must succeed, leaving 'remaining' øre. */
static int64_t
spend_ok(struct sortes_trial *t, const char *id, int64_t minor,
    const char *category, const char *on, int64_t remaining)
{
	struct sortes_spend_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(spend(t, id, minor, category, NULL, on, &out, &err) == 0,
	    "spend %lld: %s", (long long)minor, err.msg);
	ck_assert_int_eq(out.seq, tu_int(t, "SELECT max(seq) FROM log"));
	ck_assert_int_eq(out.remaining_minor, remaining);
	ck_assert_int_eq(out.spent_minor, 2500000 - remaining);
	return out.seq;
}

static void
spend_refused(struct sortes_trial *t, const char *id, int64_t minor,
    const char *category, const char *note, const char *on,
    const char *what)
{
	struct sortes_spend_result out;
	struct sortes_error err = { 0 };
	int64_t log = tu_int(t, "SELECT count(*) FROM log");
	int64_t spends = tu_int(t, "SELECT count(*) FROM spends");
	int rc;

	rc = spend(t, id, minor, category, note, on, &out, &err);
	ck_assert_msg(rc == SORTES_EDATA, "rc %d (%s), expected SORTES_EDATA "
	    "for '%s'", rc, err.msg, what);
	ck_assert_msg(strstr(err.msg, what) != NULL, "expected '%s' in: %s",
	    what, err.msg);
	ck_assert_int_eq(tu_int(t, "SELECT count(*) FROM log"), log);
	ck_assert_int_eq(tu_int(t, "SELECT count(*) FROM spends"), spends);
}

static void
verify_ok(struct sortes_trial *t)
{
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_verify(t, tu_local_day, &rep, &err) == 0,
	    "verify: %s", err.msg);
}

static void
verify_fails(struct sortes_trial *t, const char *what)
{
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	int rc = sortes_verify(t, tu_local_day, &rep, &err);

	ck_assert_msg(rc == SORTES_EVERIFY, "verify returned %d (%s)", rc,
	    err.msg);
	ck_assert_msg(strstr(err.msg, what) != NULL, "expected '%s' in: %s",
	    what, err.msg);
}

/* --- amounts ---------------------------------------------------------- */

static void
amount_is(const char *text, int64_t want)
{
	struct sortes_error err = { 0 };
	int64_t got = -1;

	ck_assert_msg(sortes_amount_parse(text, &got, &err) == 0, "%s: %s",
	    text, err.msg);
	ck_assert_msg(got == want, "%s: %lld, expected %lld", text,
	    (long long)got, (long long)want);
}

static void
amount_refused(const char *text, const char *what)
{
	struct sortes_error err = { 0 };
	int64_t got;

	ck_assert_int_eq(sortes_amount_parse(text, &got, &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, what) != NULL, "%s: expected '%s' in: "
	    "%s", text, what, err.msg);
}

START_TEST(test_amount_parse)
{
	amount_is("3200", 320000);
	amount_is("3200.5", 320050);
	amount_is("3200.50", 320050);
	amount_is("0.01", 1);
	amount_is("25000.00", 2500000);
	amount_is("007", 700);
	amount_refused("0", "not above 0");
	amount_refused("0.00", "not above 0");
	amount_refused("-5", "not above 0");
	amount_refused("1.234", "more than 2 decimals");
	amount_refused("abc", "not an amount");
	amount_refused("", "not an amount");
	amount_refused("3,50", "not an amount");
	amount_refused("1e3", "not an amount");
	amount_refused("+5", "not an amount");
	amount_refused(" 5", "not an amount");
	amount_refused("5.", "not an amount");
	amount_refused("99999999999999999999", "not an amount");
}
END_TEST

START_TEST(test_amount_format)
{
	char buf[SORTES_DECIMAL_BUF];

	sortes_amount_format(320000, buf);
	ck_assert_str_eq(buf, "3200.00");
	sortes_amount_format(320050, buf);
	ck_assert_str_eq(buf, "3200.50");
	sortes_amount_format(5, buf);
	ck_assert_str_eq(buf, "0.05");
	sortes_amount_format(0, buf);
	ck_assert_str_eq(buf, "0.00");
	sortes_amount_format(-150, buf);
	ck_assert_str_eq(buf, "-1.50");
	sortes_amount_format(2500000, buf);
	ck_assert_str_eq(buf, "25000.00");
}
END_TEST

/* --- spends ----------------------------------------------------------- */

START_TEST(test_spend)
{
	struct fixture f;
	struct sortes_spend_result out;
	struct sortes_error err = { 0 };
	char want[512], sql[128], *body;
	int64_t seq;

	fixture_open(&f, UB_CATEGORIES);
	ck_assert_int_eq(spend(f.t, f.ids[B1], 320000, "education",
	    "course fee", "2026-02-01", &out, &err), 0);
	ck_assert_int_eq(out.seq, tu_int(f.t, "SELECT max(seq) FROM log"));
	ck_assert_int_eq(out.spent_minor, 320000);
	ck_assert_int_eq(out.remaining_minor, 2180000);
	snprintf(want, sizeof(want), "{\"amount_minor\":320000,\"category\":"
	    "\"education\",\"currency\":\"DKK\",\"kind\":\"spend\",\"note\":"
	    "\"course fee\",\"participant\":\"%s\",\"recorded_at\":\""
	    RECORDED "\",\"seq\":%lld,\"spent_on\":\"2026-02-01\"}",
	    f.ids[B1], (long long)out.seq);
	snprintf(sql, sizeof(sql), "SELECT body FROM log WHERE seq = %lld",
	    (long long)out.seq);
	body = tu_text(f.t, sql);
	ck_assert_str_eq(body, want);
	free(body);
	snprintf(sql, sizeof(sql), "SELECT amount_minor || ' ' || category || "
	    "' ' || note || ' ' || spent_on FROM spends WHERE seq = %lld",
	    (long long)out.seq);
	body = tu_text(f.t, sql);
	ck_assert_str_eq(body, "320000 education course fee 2026-02-01");
	free(body);

	/* Up to one øre short of the budget; then one too many. */
	seq = spend_ok(f.t, f.ids[B1], 2179999, "other", "2026-02-02", 1);
	body = tu_text(f.t, "SELECT body FROM log ORDER BY seq DESC LIMIT 1");
	ck_assert_ptr_nonnull(strstr(body, "\"note\":null"));
	free(body);
	spend_refused(f.t, f.ids[B1], 2, "other", NULL, "2026-02-03",
	    "would overspend the budget: 24999.99 DKK spent, 0.01 DKK "
	    "remaining");
	/* Exactly what remains. */
	ck_assert_int_gt(spend_ok(f.t, f.ids[B1], 1, "debt", "2026-02-03", 0),
	    seq);
	spend_refused(f.t, f.ids[B1], 1, "debt", NULL, "2026-02-03",
	    "25000.00 DKK spent, 0.00 DKK remaining");
	/* Another participant's budget is untouched; today counts. */
	spend_ok(f.t, f.ids[B2], 2500000, "housing", TODAY, 0);
	ck_assert_int_eq(tu_int(f.t, "SELECT sum(amount_minor) FROM spends"),
	    5000000);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_spend_refusals)
{
	struct fixture f;
	struct sortes_spend_result out;
	struct sortes_error err = { 0 };
	char note[SORTES_NOTE_MAX + 2];
	int64_t seq;

	fixture_open(&f, UB_CATEGORIES);
	spend_refused(f.t, f.ids[C1], 100, "education", NULL, "2026-02-01",
	    "arm C, which has no budget");
	spend_refused(f.t, f.ids[B1], 0, "education", NULL, "2026-02-01",
	    "above 0");
	spend_refused(f.t, f.ids[B1], -100, "education", NULL, "2026-02-01",
	    "above 0");
	spend_refused(f.t, f.ids[B1], 2500001, "education", NULL,
	    "2026-02-01", "would overspend the budget: 0.00 DKK spent, "
	    "25000.00 DKK remaining");
	spend_refused(f.t, f.ids[B1], 100, "travel", NULL, "2026-02-01",
	    "category 'travel' is not one of the protocol's: education, "
	    "transport, equipment");
	spend_refused(f.t, f.ids[B1], 100, "Education", NULL, "2026-02-01",
	    "category 'Education'");
	spend_refused(f.t, "00000000-0000-4000-8000-000000000000", 100,
	    "education", NULL, "2026-02-01", "no participant");
	spend_refused(f.t, f.ids[B1], 100, "education", NULL, "2026-03-02",
	    "in the future");
	spend_refused(f.t, f.ids[B1], 100, "education", NULL, "2026-01-14",
	    "before the participant was enrolled");
	spend_refused(f.t, f.ids[B1], 100, "education", "", "2026-02-01",
	    "note must be 1 to 1000 bytes");
	spend_refused(f.t, f.ids[B1], 100, "education", "tab\there",
	    "2026-02-01", "control character");
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	spend_refused(f.t, f.ids[B1], 100, "education", note, "2026-02-01",
	    "note must be 1 to 1000 bytes");
	ck_assert_int_eq(sortes_withdraw(f.t, f.ids[B2], "moved away",
	    "2026-02-10T10:00:00Z", &seq, &err), 0);
	spend_refused(f.t, f.ids[B2], 100, "education", NULL, "2026-02-01",
	    "has withdrawn");
	/* Nothing was written: the first spend, on the day of enrollment
	 * with the longest note, is the whole total. */
	note[SORTES_NOTE_MAX] = '\0';
	ck_assert_int_eq(spend(f.t, f.ids[B1], 100, "education", note,
	    "2026-01-15", &out, &err), 0);
	ck_assert_int_eq(out.spent_minor, 100);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_any_category)
{
	struct fixture f;

	fixture_open(&f, UB_ANY);
	spend_ok(f.t, f.ids[B1], 150000, "bike repair", "2026-02-01",
	    2350000);
	spend_refused(f.t, f.ids[B1], 100, "", NULL, "2026-02-01",
	    "category must be 1 to 64 bytes");
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

static int
no_line(void *ctx, const struct sortes_budget_line *line,
    struct sortes_error *err)
{
	(void)ctx;
	(void)line;
	(void)err;
	ck_abort_msg("a line from a trial without a budget");
	return 0;
}

START_TEST(test_no_budget)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(tu_enroll_at(t, "N1", "CW1", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &res, &err), 0);
	spend_refused(t, res.participant, 100, "education", NULL, "2026-02-01",
	    "declares no budget");
	ck_assert_int_eq(sortes_budget_report(t, no_line, NULL, &err),
	    SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "declares no budget"));
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- the report ------------------------------------------------------- */

struct lines {
	const struct fixture *f;
	char text[1024];
	int stop;
};

static int
report_line(void *ctx, const struct sortes_budget_line *l,
    struct sortes_error *err)
{
	struct lines *s = ctx;
	size_t used = strlen(s->text);
	int k;

	(void)err;
	if (l->category != NULL) {
		ck_assert_ptr_null(l->participant);
		snprintf(s->text + used, sizeof(s->text) - used, "%s %lld "
		    "%lld|", l->category, (long long)l->spends,
		    (long long)l->spent_minor);
		return s->stop;
	}
	for (k = 0; k < 4; k++)
		if (strcmp(l->participant, s->f->ids[k]) == 0)
			break;
	ck_assert_int_lt(k, 4);
	ck_assert_int_gt((int)strlen(l->pseudonym), 0);
	snprintf(s->text + used, sizeof(s->text) - used, "%s %s %lld %lld "
	    "%lld|", k == B1 ? "B1" : k == B2 ? "B2" : "C", l->arm,
	    (long long)l->spends, (long long)l->spent_minor,
	    (long long)l->remaining_minor);
	return s->stop;
}

START_TEST(test_report)
{
	struct fixture f;
	struct lines s;
	struct sortes_error err = { 0 };

	fixture_open(&f, UB_CATEGORIES);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	/* No spends yet: every budget whole, no categories. */
	ck_assert_int_eq(sortes_budget_report(f.t, report_line, &s, &err), 0);
	ck_assert_str_eq(s.text, "B1 B 0 0 2500000|B2 B 0 0 2500000|");

	spend_ok(f.t, f.ids[B1], 320000, "transport", "2026-01-20", 2180000);
	spend_ok(f.t, f.ids[B2], 25025, "other", "2026-02-02", 2474975);
	spend_ok(f.t, f.ids[B1], 50050, "education", "2026-01-21", 2129950);
	spend_ok(f.t, f.ids[B1], 100000, "education", "2026-02-01", 2029950);
	memset(s.text, 0, sizeof(s.text));
	ck_assert_int_eq(sortes_budget_report(f.t, report_line, &s, &err), 0);
	/* Categories by name, then participants in enrollment order; C
	 * has no budget and no line. */
	ck_assert_str_eq(s.text, "education 2 150050|other 1 25025|"
	    "transport 1 320000|B1 B 3 470050 2029950|B2 B 1 25025 2474975|");

	/* A non-zero return stops the report and is returned. */
	memset(s.text, 0, sizeof(s.text));
	s.stop = 9;
	ck_assert_int_eq(sortes_budget_report(f.t, report_line, &s, &err), 9);
	ck_assert_str_eq(s.text, "education 2 150050|");
	fixture_close(&f);
}
END_TEST

/* --- verify ----------------------------------------------------------- */

/*
 * Append a spend entry the way the library would, with its row, but
 * past the library's checks: what someone with write access to the
 * database and a copy of the code could do.
 */
static void
forge_spend(struct sortes_trial *t, const char *id, int64_t minor)
{
	struct sortes_error err = { 0 };
	struct sortes_chain *c = NULL;
	struct sortes_jcs j;
	char sql[512];
	int64_t seq;

	ck_assert_int_eq(sortes_db_begin(t->db, &err), 0);
	ck_assert_int_eq(sortes_chain_open(&c, t->db, &err), 0);
	seq = sortes_chain_next_seq(c);
	sortes_jcs_init(&j);
	sortes_record_spend(&j, &(struct sortes_spend_record){
	    .seq = seq, .participant = id, .amount_minor = minor,
	    .currency = "DKK", .category = "other", .spent_on = "2026-02-15",
	    .recorded_at = RECORDED });
	ck_assert_int_eq(sortes_jcs_finish(&j, &err), 0);
	ck_assert_msg(sortes_chain_append(c, "spend", RECORDED, j.data, j.len,
	    &err) == 0, "%s", err.msg);
	snprintf(sql, sizeof(sql), "INSERT INTO spends (seq, participant, "
	    "amount_minor, category, spent_on, recorded_at) SELECT %lld, seq, "
	    "%lld, 'other', '2026-02-15', '" RECORDED "' FROM participants "
	    "WHERE id = '%s'", (long long)seq, (long long)minor, id);
	tu_sql(t, sql);
	ck_assert_int_eq(sortes_db_commit(t->db, &err), 0);
	sortes_chain_free(c);
	sortes_jcs_free(&j);
}

static void
spends_fixture(struct fixture *f)
{
	fixture_open(f, UB_CATEGORIES);
	spend_ok(f->t, f->ids[B1], 2000000, "housing", "2026-02-01", 500000);
	spend_ok(f->t, f->ids[B2], 10000, "leisure", "2026-02-01", 2490000);
	verify_ok(f->t);
}

START_TEST(test_verify_forged)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	int64_t seq;

	/* A forged entry within the budget passes: the checks below fail
	 * on the budget, not on the forgery. */
	spends_fixture(&f);
	forge_spend(f.t, f.ids[B1], 500000);
	verify_ok(f.t);
	forge_spend(f.t, f.ids[B1], 1);
	verify_fails(f.t, "a participant of arm B has spent more than the "
	    "budget");
	fixture_close(&f);

	spends_fixture(&f);
	forge_spend(f.t, f.ids[C2], 100);
	verify_fails(f.t, "participants of arm C, which has no budget, have "
	    "spends");
	fixture_close(&f);

	spends_fixture(&f);
	ck_assert_int_eq(sortes_withdraw(f.t, f.ids[B2], "moved away",
	    RECORDED, &seq, &err), 0);
	verify_ok(f.t);
	forge_spend(f.t, f.ids[B2], 100);
	verify_fails(f.t, "spends recorded after the participant withdrew");
	fixture_close(&f);
}
END_TEST

START_TEST(test_verify_forged_no_budget)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(tu_enroll_at(t, "N1", "CW1", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &res, &err), 0);
	verify_ok(t);
	forge_spend(t, res.participant, 100);
	verify_fails(t, "a spend in a trial whose protocol declares no budget");
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const struct {
	const char *sql, *what;
} tampers[] = {
	{ "UPDATE spends SET amount_minor = 2600000 WHERE category = "
	  "'housing'", "spends table does not agree" },
	{ "UPDATE spends SET category = 'debt' WHERE category = 'leisure'",
	  "spends table does not agree" },
	{ "UPDATE spends SET note = 'approved' WHERE category = 'leisure'",
	  "spends table does not agree" },
	{ "UPDATE spends SET participant = (SELECT min(seq) FROM "
	  "participants WHERE seq <> spends.participant) WHERE category = "
	  "'leisure'", "spends table does not agree" },
	{ "DELETE FROM spends WHERE category = 'housing'",
	  "no spend row records this entry" },
	/* A spend row above the budget with no entry of its own: it claims
	 * a participant's enrollment entry. */
	{ "INSERT INTO spends (seq, participant, amount_minor, category, "
	  "spent_on, recorded_at) SELECT seq, seq, 2600000, 'housing', "
	  "'2026-02-01', '" RECORDED "' FROM participants ORDER BY seq "
	  "LIMIT 1", "a spend row claims this entry, which is not of its "
	  "kind" },
};

START_TEST(test_verify_tampered)
{
	struct fixture f;

	spends_fixture(&f);
	tu_sql(f.t, tampers[_i].sql);
	ck_assert_int_gt(sqlite3_changes(f.t->db->sql), 0);
	verify_fails(f.t, tampers[_i].what);
	fixture_close(&f);
}
END_TEST

Suite *
suite_budget(void)
{
	Suite *s = suite_create("budget");
	TCase *amounts = tcase_create("amounts");
	TCase *ledger = tcase_create("ledger");
	TCase *tamper = tcase_create("verify");

	tcase_add_test(amounts, test_amount_parse);
	tcase_add_test(amounts, test_amount_format);
	tcase_add_test(ledger, test_spend);
	tcase_add_test(ledger, test_spend_refusals);
	tcase_add_test(ledger, test_any_category);
	tcase_add_test(ledger, test_no_budget);
	tcase_add_test(ledger, test_report);
	tcase_add_test(tamper, test_verify_forged);
	tcase_add_test(tamper, test_verify_forged_no_budget);
	tcase_add_loop_test(tamper, test_verify_tampered, 0,
	    (int)(sizeof(tampers) / sizeof(tampers[0])));
	suite_add_tcase(s, amounts);
	suite_add_tcase(s, ledger);
	suite_add_tcase(s, tamper);
	return s;
}
