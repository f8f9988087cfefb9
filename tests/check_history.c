/*
 * check_history.c - a participant's history from the log: the entries
 * found, what the text and the JSON say, an unknown participant, and
 * tables that point at entries of someone else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/budget.h"
#include "sortes/followup.h"
#include "sortes/history.h"
#include "sortes/lifecycle.h"
#include "suites.h"
#include "testutil.h"

#define HISTORY_PROTOCOL \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: historytrial\n" \
	"  title: History trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 20\n" \
	"arms:\n" \
	"  - {code: B, name: Budget, ratio: 1}\n" \
	"  - {code: C, name: Ordinary casework, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: blocks\n" \
	"  block_sizes: [2]\n" \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: sex, type: enum, values: [F, M], required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp], required: true}\n" \
	"measures:\n" \
	"  - {code: who5, type: integer, min: 0, max: 100}\n" \
	"  - {code: job, type: boolean}\n" \
	"followups:\n" \
	"  - {code: m1, offset: 1 months, window: {before: 7 days, " \
	"after: 7 days}, measures: [who5, job]}\n" \
	"  - {code: m2, offset: 2 months, window: {before: 7 days, " \
	"after: 7 days}, measures: [who5]}\n" \
	"budget:\n" \
	"  amount: \"1000.00\"\n" \
	"  currency: DKK\n" \
	"  arms: [B]\n"

struct fixture {
	char *dir;
	struct sortes_trial *t;
	char ids[2][SORTES_UUID_LEN];	/* the B and the C participant */
};

static void
record(struct fixture *f, const char *occasion, const char *value,
    int correct, const char *now)
{
	const char *names[] = { "who5", "job" };
	const char *values[] = { value, "ja" };
	struct sortes_measure_input in = {
		.participant = f->ids[0], .occasion = occasion,
		.names = names, .values = values, .n = correct ? 1 : 2,
		.measured_on = tu_day("2026-02-16"), .correct = correct,
		.keep_date = correct,
	};
	struct sortes_clock c = tu_clock("2026-02-16", now);
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_followup_record(f->t, &in, &c, &out, &err) == 0,
	    "record: %s", err.msg);
}

/*
 * B: enrolled (entry 2 or 3), transferred, spent, m1 recorded and
 * corrected, m2 missed, withdrawn.
 */
static void
fixture_open(struct fixture *f)
{
	struct sortes_transfer_result tr;
	struct sortes_spend_result sr;
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	struct sortes_clock c = tu_clock("2026-02-16", "2026-02-16T12:00:00Z");
	struct sortes_spend_input in = { .participant = NULL,
	    .amount_minor = 32050, .category = "bus card", .note = "12 months",
	    .spent_on = tu_day("2026-01-20") };
	int64_t seq;

	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, HISTORY_PROTOCOL);
	tu_enroll_pair(f->t, "P", "CW1", "2026-01-15", f->ids, NULL);
	ck_assert_msg(sortes_transfer(f->t, f->ids[0], "CW2",
	    "2026-01-20T09:00:00Z", &tr, &err) == 0, "%s", err.msg);
	in.participant = f->ids[0];
	ck_assert_msg(sortes_budget_spend(f->t, &in, &c, &sr, &err) == 0, "%s",
	    err.msg);
	record(f, "m1", "64", 0, "2026-02-16T12:00:00Z");
	record(f, "m1", "60", 1, "2026-02-16T12:05:00Z");
	c = tu_clock("2026-03-16", "2026-03-16T12:00:00Z");
	ck_assert_msg(sortes_followup_missed(f->t, f->ids[0], "m2",
	    "no contact", 0, &c, &out, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_withdraw(f->t, f->ids[0], "moved away",
	    "2026-03-17T08:00:00Z", &seq, &err) == 0, "%s", err.msg);
}

static void
fixture_close(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

static char *
history_text(struct fixture *f, const struct sortes_history *h)
{
	struct sortes_error err = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_msg(sortes_history_text(fp, f->t, h, &err) == 0, "%s",
	    err.msg);
	fclose(fp);
	return buf;
}

static void
has(const char *text, const char *part)
{
	ck_assert_msg(strstr(text, part) != NULL, "no '%s' in:\n%s", part,
	    text);
}

START_TEST(test_history_entries)
{
	static const char *const kinds[] = { "enroll", "transfer", "spend",
	    "measure", "measure", "missed", "withdraw" };
	struct sortes_history h;
	struct sortes_error err = { 0 };
	struct fixture f;

	fixture_open(&f);
	ck_assert_msg(sortes_history_load(f.t, f.ids[0], &h, &err) == 0, "%s",
	    err.msg);
	ck_assert_uint_eq(h.n, 7);
	for (size_t i = 0; i < h.n; i++)
		ck_assert_str_eq(h.entries[i].kind, kinds[i]);
	/* The other participant's enrollment sits among them in the log. */
	ck_assert_int_eq(h.entries[1].seq, 4);
	ck_assert_str_eq(h.arm, "B");
	ck_assert_str_eq(h.caseworker, "CW2");
	ck_assert_int_eq(h.withdrawn, 1);
	ck_assert_int_eq(h.entries[3].superseded_by, h.entries[4].seq);
	ck_assert_int_eq(h.entries[4].superseded_by, 0);
	sortes_history_free(&h);

	ck_assert_msg(sortes_history_load(f.t, f.ids[1], &h, &err) == 0, "%s",
	    err.msg);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.arm, "C");
	ck_assert_int_eq(h.withdrawn, 0);
	sortes_history_free(&h);
	fixture_close(&f);
}
END_TEST

START_TEST(test_history_text)
{
	struct sortes_history h;
	struct sortes_error err = { 0 };
	struct fixture f;
	char *text, head[160];

	fixture_open(&f);
	ck_assert_int_eq(sortes_history_load(f.t, f.ids[0], &h, &err), 0);
	text = history_text(&f, &h);
	snprintf(head, sizeof(head), "participant %s: arm B (Budget), "
	    "caseworker CW2, withdrawn; 7 log entries\n", f.ids[0]);
	ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", text);
	has(text, "  2026-01-15T10:00:00Z  enrolled with caseworker CW1, arm "
	    "B (Budget)\n");
	has(text, "    allocation: counter=0, method=blocks, position=");
	has(text, "    stratum: none\n");
	has(text, "    baseline fields:\n    benefit: uddannelseshjaelp\n"
	    "    birth_date: 2000-05-17\n    sex: F\n");
	has(text, "entry 4     2026-01-20T09:00:00Z  transferred from "
	    "caseworker CW1 to CW2\n");
	has(text, "entry 5     2026-02-16T12:00:00Z  spent 320.50 DKK on "
	    "2026-01-20 for bus card\n    note: 12 months\n");
	has(text, "entry 6     2026-02-16T12:00:00Z  follow-up m1 measured on "
	    "2026-02-16\n    job: true\n    who5: 64\n    superseded by entry "
	    "7\n");
	has(text, "entry 7     2026-02-16T12:05:00Z  follow-up m1 measured on "
	    "2026-02-16, correcting entry 6\n    job: true\n"
	    "    who5: 60 (was 64)\n");
	has(text, "entry 8     2026-03-16T12:00:00Z  follow-up m2 missed: no "
	    "contact\n");
	has(text, "entry 9     2026-03-17T08:00:00Z  withdrew: moved away\n");
	free(text);
	sortes_history_free(&h);
	fixture_close(&f);
}
END_TEST

START_TEST(test_history_json)
{
	struct sortes_history h;
	struct sortes_error err = { 0 };
	struct sortes_json *v = NULL;
	const struct sortes_json *e;
	struct sortes_jcs j;
	struct fixture f;
	int64_t n;

	fixture_open(&f);
	ck_assert_int_eq(sortes_history_load(f.t, f.ids[0], &h, &err), 0);
	sortes_jcs_init(&j);
	ck_assert_msg(sortes_history_json(&j, f.t, &h, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_json_parse(&v, j.data, j.len, &err), 0);
	ck_assert(sortes_json_string_is(sortes_json_get(v, "arm"), "B"));
	ck_assert(sortes_json_string_is(sortes_json_get(v, "arm_name"),
	    "Budget"));
	ck_assert(sortes_json_string_is(sortes_json_get(v, "caseworker"),
	    "CW2"));
	ck_assert(sortes_json_string_is(sortes_json_get(v, "participant"),
	    f.ids[0]));
	ck_assert_int_eq(sortes_json_get(v, "withdrawn")->type,
	    SORTES_JSON_TRUE);
	e = sortes_json_get(v, "entries");
	ck_assert_uint_eq(e->n, 7);
	/* Each body is the logged text, byte for byte. */
	for (size_t i = 0; i < e->n; i++) {
		const struct sortes_json *b = sortes_json_get(&e->items[i],
		    "body");

		ck_assert_uint_eq(b->end - b->start, h.entries[i].len);
		ck_assert(memcmp(j.data + b->start, h.entries[i].body,
		    h.entries[i].len) == 0);
		ck_assert(sortes_json_string_is(sortes_json_get(&e->items[i],
		    "hash"), h.entries[i].hash));
	}
	ck_assert(sortes_json_int64(sortes_json_get(&e->items[3],
	    "superseded_by"), &n) && n == 7);
	ck_assert_int_eq(sortes_json_get(&e->items[4], "superseded_by")->type,
	    SORTES_JSON_NULL);
	sortes_json_free(v);
	sortes_jcs_free(&j);
	sortes_history_free(&h);
	fixture_close(&f);
}
END_TEST

START_TEST(test_history_unknown)
{
	struct sortes_history h;
	struct sortes_error err = { 0 };
	struct fixture f;

	fixture_open(&f);
	ck_assert_int_eq(sortes_history_load(f.t,
	    "00000000-0000-7000-8000-000000000000", &h, &err), SORTES_EDATA);
	has(err.msg, "no participant '00000000-0000-7000-8000-000000000000' "
	    "in this trial");
	sortes_history_free(&h);
	ck_assert_int_eq(sortes_history_load(f.t, "", &h, &err), SORTES_EDATA);
	sortes_history_free(&h);
	fixture_close(&f);
}
END_TEST

/* A table pointing at another participant's entry is not believed. */
START_TEST(test_history_tables_disagree)
{
	struct sortes_history h;
	struct sortes_error err = { 0 };
	struct fixture f;

	fixture_open(&f);
	tu_sql(f.t, "UPDATE spends SET participant = (SELECT seq FROM "
	    "participants WHERE id <> (SELECT json_extract(body, "
	    "'$.participant') FROM log WHERE seq = 5))");
	ck_assert_int_eq(sortes_history_load(f.t, f.ids[1], &h, &err),
	    SORTES_EVERIFY);
	has(err.msg, "log entry 5 is about another participant");
	sortes_history_free(&h);
	tu_sql(f.t, "UPDATE spends SET participant = (SELECT seq FROM "
	    "participants WHERE id = (SELECT json_extract(body, "
	    "'$.participant') FROM log WHERE seq = 5))");
	tu_sql(f.t, "UPDATE withdrawals SET seq = 1");
	ck_assert_int_eq(sortes_history_load(f.t, f.ids[0], &h, &err),
	    SORTES_EVERIFY);
	has(err.msg, "log entry 1 is not an entry of a participant's history");
	sortes_history_free(&h);
	fixture_close(&f);
}
END_TEST

Suite *
suite_history(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("history");

	tcase_add_test(tc, test_history_entries);
	tcase_add_test(tc, test_history_text);
	tcase_add_test(tc, test_history_json);
	tcase_add_test(tc, test_history_unknown);
	tcase_add_test(tc, test_history_tables_disagree);
	suite_add_tcase(s, tc);
	return s;
}
