/*
 * check_followup.c - follow-up schedules: due dates for the shipped
 * protocols and every weekend rule, the rows enrollment writes,
 * recording measurements and missed occasions, withdrawals and
 * transfers, the due list, the iCalendar file, and verify catching
 * tampered schedule and outcome tables.
 *
 * Expected dates are worked out by hand in the comments (weekdays from
 * a printed calendar), never by the code under test.
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sortes/caseworker.h"
#include "sortes/date.h"
#include "sortes/followup.h"
#include "sortes/ics.h"
#include "sortes/lifecycle.h"
#include "sortes/randomize.h"
#include "sortes/schedule.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

#define UNGIFOKUS SORTES_TOP_SRCDIR "/protocols/ungifokus.yaml"
#define UNGEBUDGETTER SORTES_TOP_SRCDIR "/protocols/ungebudgetter.yaml"

/*
 * A follow-up trial with a measure of every type.  Blocks of 2 put one
 * of each two participants in I and the other in C.
 */
#define FU_PROTOCOL \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: futrial\n" \
	"  title: Follow-up trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 100\n" \
	"  weekends: next_monday\n" \
	"arms:\n" \
	"  - {code: I, name: Intervention, ratio: 1}\n" \
	"  - {code: C, name: Control, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: blocks\n" \
	"  block_sizes: [2]\n" \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: sex, type: enum, values: [F, M], required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}\n" \
	"eligibility:\n" \
	"  - {name: age 18-28, age_of: birth_date, min: 18, max: 28}\n" \
	"measures:\n" \
	"  - {code: employment, type: enum, values: [job, education, none]}\n" \
	"  - {code: who5, type: integer, min: 0, max: 100}\n" \
	"  - {code: hours, type: decimal, decimals: 1, min: 0, max: 80}\n" \
	"  - {code: working, type: boolean}\n" \
	"  - {code: started, type: date}\n" \
	"  - {code: satisfaction, type: integer, min: 1, max: 5}\n" \
	"followups:\n" \
	"  - code: m1\n" \
	"    label: One month\n" \
	"    offset: 1 month\n" \
	"    window: {before: 7 days, after: 14 days}\n" \
	"    measures: [employment, who5, hours, working, started]\n" \
	"  - {code: m2, offset: 2 months, window: {before: 7 days, " \
	"after: 14 days}, measures: [employment, who5]}\n" \
	"  - {code: m2_i, offset: 2 months, window: {before: 7 days, " \
	"after: 14 days}, measures: [satisfaction], arms: [I]}\n" \
	"  - {code: m3, offset: 1 month, after: m2, window: {before: 7 days, " \
	"after: 14 days}, measures: [who5]}\n"

/* Day offsets that land on weekends, under weekend rule 'rule'. */
#define WK_PROTOCOL(rule) \
	"sortes: 1\n" \
	"trial: {id: wk, title: W, sponsor: S, target_enrollment: 10, " \
	"weekends: " rule "}\n" \
	"arms: [{code: I, name: One, ratio: 1}, " \
	"{code: C, name: Two, ratio: 1}]\n" \
	"randomization: {unit: individual, method: simple}\n" \
	"measures: [{code: x, type: boolean}]\n" \
	"followups:\n" \
	"  - {code: sat, offset: 5 days, window: {before: 1 week, " \
	"after: 1 month}, measures: [x]}\n" \
	"  - {code: sun, offset: 6 days, window: {before: 0 days, " \
	"after: 0 days}, measures: [x]}\n" \
	"  - {code: tue, offset: 8 days, window: {before: 2 days, " \
	"after: 3 days}, measures: [x]}\n" \
	"  - {code: a2, offset: 2 days, after: sat, window: {before: 2 days, " \
	"after: 3 days}, measures: [x], arms: [C]}\n" \
	"  - {code: m1, offset: 1 month, window: {before: 2 days, " \
	"after: 3 days}, measures: [x]}\n"

#define RECORDED "2026-03-01T09:00:00Z"
#define OOW 1
#define CORRECT 2
#define KEEP_DATE 4		/* the date was not given: a default */

/* Participants by arm: the I and C of the first and second pair. */
enum { AI, AC, BI, BC };

/* --- helpers ---------------------------------------------------------- */

static struct sortes_protocol *
protocol_load(const char *path)
{
	struct sortes_error err = { 0 };
	struct sortes_protocol *p = NULL;

	ck_assert_msg(sortes_protocol_load(&p, path, &err) == 0, "%s: %s",
	    path, err.msg);
	return p;
}

static struct sortes_protocol *
protocol_text(const char *text)
{
	struct sortes_error err = { 0 };
	struct sortes_protocol *p = NULL;

	ck_assert_msg(sortes_protocol_parse(&p, text, strlen(text), "t.yaml",
	    &err) == 0, "%s", err.msg);
	return p;
}

static void
dates_of(const struct sortes_protocol *p, const char *enrolled,
    struct sortes_due_dates *d)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_schedule_dates(p, tu_day(enrolled), d, &err) == 0,
	    "%s", err.msg);
}

/* Occasion 'code' is due on 'due', its window [start, end]. */
static void
check_dates(const struct sortes_protocol *p, const struct sortes_due_dates *d,
    const char *code, const char *due, const char *start, const char *end)
{
	long i = sortes_protocol_occasion(p, code);
	char b[11];

	ck_assert_msg(i >= 0, "no occasion %s", code);
	sortes_date_format(d[i].due, b);
	ck_assert_msg(strcmp(b, due) == 0, "%s due %s, expected %s", code, b,
	    due);
	sortes_date_format(d[i].start, b);
	ck_assert_msg(strcmp(b, start) == 0, "%s opens %s, expected %s", code,
	    b, start);
	sortes_date_format(d[i].end, b);
	ck_assert_msg(strcmp(b, end) == 0, "%s closes %s, expected %s", code,
	    b, end);
}

static void
verify_ok(struct sortes_trial *t)
{
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_verify(t, tu_local_day, &rep, &err) == 0,
	    "verify: %s", err.msg);
	ck_assert_int_eq(rep.bad_seq, 0);
}

/* A column of participant 'id's schedule row; caller frees. */
static char *
slot_col(struct sortes_trial *t, const char *id, const char *occasion,
    const char *col)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM schedule WHERE "
	    "participant = (SELECT seq FROM participants WHERE id = '%s') AND "
	    "occasion = '%s'", col, id, occasion);
	return tu_text(t, sql);
}

static void
check_slot(struct sortes_trial *t, const char *id, const char *occasion,
    const char *col, const char *want)
{
	char *got = slot_col(t, id, occasion, col);

	ck_assert_msg(strcmp(got, want) == 0, "%s of %s: '%s', expected '%s'",
	    col, occasion, got, want);
	free(got);
}

/* The participant's occasions, comma-separated, in code order. */
static char *
occasions_of(struct sortes_trial *t, const char *id)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT group_concat(occasion, ',') FROM "
	    "(SELECT s.occasion FROM schedule s JOIN participants p ON "
	    "p.seq = s.participant WHERE p.id = '%s' ORDER BY s.occasion)",
	    id);
	return tu_text(t, sql);
}

static void
check_occasions(struct sortes_trial *t, const char *id, const char *want)
{
	char *got = occasions_of(t, id);

	ck_assert_msg(strcmp(got, want) == 0, "occasions '%s', expected '%s'",
	    got, want);
	free(got);
}

/* "who5=72 hours=37.5" split into names and values. */
struct measures {
	char buf[256];
	const char *names[8], *values[8];
	size_t n;
};

static void
measures_split(struct measures *m, const char *text)
{
	char *s, *save = NULL;

	m->n = 0;
	snprintf(m->buf, sizeof(m->buf), "%s", text);
	for (s = strtok_r(m->buf, " ", &save); s != NULL;
	    s = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(s, '=');

		ck_assert_ptr_nonnull(eq);
		ck_assert_uint_lt(m->n, 8);
		*eq = '\0';
		m->names[m->n] = s;
		m->values[m->n++] = eq + 1;
	}
}

static int
record(struct sortes_trial *t, const char *id, const char *occasion,
    const char *on, const char *measures, int flags, const char *today,
    struct sortes_outcome_result *out, struct sortes_error *err)
{
	struct sortes_clock c = tu_clock(today, RECORDED);
	struct measures m;
	struct sortes_measure_input in = {
		.participant = id, .occasion = occasion,
		.measured_on = tu_day(on), .out_of_window = (flags & OOW) != 0,
		.correct = (flags & CORRECT) != 0,
		.keep_date = (flags & KEEP_DATE) != 0,
	};

	measures_split(&m, measures);
	in.names = m.names;
	in.values = m.values;
	in.n = m.n;
	return sortes_followup_record(t, &in, &c, out, err);
}

static int64_t
record_ok(struct sortes_trial *t, const char *id, const char *occasion,
    const char *on, const char *measures, int flags, const char *today)
{
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(record(t, id, occasion, on, measures, flags, today, &out,
	    &err) == 0, "record %s: %s", occasion, err.msg);
	ck_assert_int_eq(out.seq, tu_int(t, "SELECT max(seq) FROM log"));
	return out.seq;
}

static int64_t
missed_ok(struct sortes_trial *t, const char *id, const char *occasion,
    const char *reason, int correct)
{
	struct sortes_clock c = tu_clock("2026-03-10", RECORDED);
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_followup_missed(t, id, occasion, reason, correct,
	    &c, &out, &err) == 0, "missed %s: %s", occasion, err.msg);
	ck_assert_int_eq(out.seq, tu_int(t, "SELECT max(seq) FROM log"));
	return out.seq;
}

/* What the tables hold; a refusal changes none of it. */
struct snapshot {
	int64_t log, outcomes, open;
};

static void
snap(struct sortes_trial *t, struct snapshot *s)
{
	s->log = tu_int(t, "SELECT count(*) FROM log");
	s->outcomes = tu_int(t, "SELECT count(*) FROM outcomes");
	s->open = tu_int(t, "SELECT count(*) FROM schedule WHERE status = "
	    "'open'");
}

static void
unchanged(struct sortes_trial *t, const struct snapshot *before)
{
	struct snapshot now;

	snap(t, &now);
	ck_assert_int_eq(now.log, before->log);
	ck_assert_int_eq(now.outcomes, before->outcomes);
	ck_assert_int_eq(now.open, before->open);
}

static void
check_refused(struct sortes_trial *t, int rc, const struct sortes_error *err,
    const struct snapshot *before, const char *what)
{
	ck_assert_msg(rc == SORTES_EDATA, "rc %d (%s), expected SORTES_EDATA "
	    "for '%s'", rc, err->msg, what);
	ck_assert_msg(strstr(err->msg, what) != NULL, "expected '%s' in: %s",
	    what, err->msg);
	unchanged(t, before);
}

static void
record_refused(struct sortes_trial *t, const char *id, const char *occasion,
    const char *on, const char *measures, int flags, const char *what)
{
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	struct snapshot before;
	int rc;

	snap(t, &before);
	rc = record(t, id, occasion, on, measures, flags, "2026-03-01", &out,
	    &err);
	check_refused(t, rc, &err, &before, what);
}

static void
missed_refused(struct sortes_trial *t, const char *id, const char *occasion,
    const char *reason, int correct, const char *what)
{
	struct sortes_clock c = tu_clock("2026-03-10", RECORDED);
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	struct snapshot before;
	int rc;

	snap(t, &before);
	rc = sortes_followup_missed(t, id, occasion, reason, correct, &c, &out,
	    &err);
	check_refused(t, rc, &err, &before, what);
}

static char *
log_body(struct sortes_trial *t, int64_t seq)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT body FROM log WHERE seq = %lld",
	    (long long)seq);
	return tu_text(t, sql);
}

static char *
outcome_col(struct sortes_trial *t, int64_t seq, const char *col)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM outcomes WHERE seq = %lld",
	    col, (long long)seq);
	return tu_text(t, sql);
}

static void
check_outcome(struct sortes_trial *t, int64_t seq, const char *col,
    const char *want)
{
	char *got = outcome_col(t, seq, col);

	ck_assert_msg(strcmp(got, want) == 0, "outcome %lld %s: '%s', "
	    "expected '%s'", (long long)seq, col, got, want);
	free(got);
}

/* A fresh follow-up trial in a new directory, with pair A enrolled. */
struct fixture {
	char *dir;
	struct sortes_trial *t;
	char ids[4][SORTES_UUID_LEN];	/* AI, AC, BI, BC */
	int a_i_first, b_i_first;
};

static void
fixture_open_yaml(struct fixture *f, const char *yaml)
{
	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, yaml);
	tu_enroll_pair(f->t, "A", "CW1", "2026-01-15", &f->ids[AI],
	    &f->a_i_first);
}

static void
fixture_open(struct fixture *f)
{
	fixture_open_yaml(f, FU_PROTOCOL);
}

/* Pair B: CW2, enrolled on Monday 2 February 2026. */
static void
fixture_pair_b(struct fixture *f)
{
	tu_enroll_pair(f->t, "B", "CW2", "2026-02-02", &f->ids[BI],
	    &f->b_i_first);
}

static void
fixture_close(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

/* --- due dates -------------------------------------------------------- */

START_TEST(test_ungifokus_dates)
{
	struct sortes_protocol *p = protocol_load(UNGIFOKUS);
	struct sortes_due_dates d[8];

	ck_assert_uint_eq(p->noccasions, 3);
	/* Wednesday 31 January 2024.  +6 months: Wed 2024-07-31; +12: Fri
	 * 2025-01-31 (12 months in one step, so 31 January again); +24:
	 * 2026-01-31 is a Saturday, moved to Monday 2 February.  Windows:
	 * 14 days before, 30 after the (moved) due date. */
	dates_of(p, "2024-01-31", d);
	check_dates(p, d, "m6", "2024-07-31", "2024-07-17", "2024-08-30");
	check_dates(p, d, "m12", "2025-01-31", "2025-01-17", "2025-03-02");
	check_dates(p, d, "m24", "2026-02-02", "2026-01-19", "2026-03-04");
	/* Leap day, Thursday 29 February 2024.  +6: Thu 2024-08-29; +12:
	 * no 29 February in 2025, so Friday 28 February, kept; +24:
	 * 2026-02-28 is a Saturday, moved to Monday 2 March. */
	dates_of(p, "2024-02-29", d);
	check_dates(p, d, "m6", "2024-08-29", "2024-08-15", "2024-09-28");
	check_dates(p, d, "m12", "2025-02-28", "2025-02-14", "2025-03-30");
	check_dates(p, d, "m24", "2026-03-02", "2026-02-16", "2026-04-01");
	/* Thursday 31 August 2023.  +6: 31 February does not exist, so
	 * the last day, Thursday 29 February 2024 (leap year); +12:
	 * Saturday 2024-08-31 to Monday 2 September; +24: Sunday
	 * 2025-08-31 to Monday 1 September. */
	dates_of(p, "2023-08-31", d);
	check_dates(p, d, "m6", "2024-02-29", "2024-02-15", "2024-03-30");
	check_dates(p, d, "m12", "2024-09-02", "2024-08-19", "2024-10-02");
	check_dates(p, d, "m24", "2025-09-01", "2025-08-18", "2025-10-01");
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_ungebudgetter_dates)
{
	struct sortes_protocol *p = protocol_load(UNGEBUDGETTER);
	struct sortes_due_dates d[8];

	ck_assert_uint_eq(p->noccasions, 5);
	/* 29 February 2024.  m12 and m12_budget: Friday 2025-02-28.  m24
	 * and m24_budget: Saturday 2026-02-28, moved to Monday 2 March.
	 * m36 counts 12 months from the unmoved m24, 2026-02-28: Sunday
	 * 2027-02-28, moved to Monday 1 March (from the moved date it
	 * would be Tuesday 2 March). */
	dates_of(p, "2024-02-29", d);
	check_dates(p, d, "m12", "2025-02-28", "2025-02-14", "2025-03-30");
	check_dates(p, d, "m12_budget", "2025-02-28", "2025-02-14",
	    "2025-03-30");
	check_dates(p, d, "m24", "2026-03-02", "2026-02-16", "2026-04-01");
	check_dates(p, d, "m24_budget", "2026-03-02", "2026-02-16",
	    "2026-04-01");
	check_dates(p, d, "m36", "2027-03-01", "2027-02-15", "2027-03-31");
	/* 31 January 2024.  m12: Friday 2025-01-31.  m24: Saturday
	 * 2026-01-31, moved to Monday 2 February.  m36 from the unmoved
	 * 2026-01-31: Sunday 2027-01-31, moved to Monday 1 February (not
	 * Tuesday 2 February, which the moved date would give). */
	dates_of(p, "2024-01-31", d);
	check_dates(p, d, "m12", "2025-01-31", "2025-01-17", "2025-03-02");
	check_dates(p, d, "m24", "2026-02-02", "2026-01-19", "2026-03-04");
	check_dates(p, d, "m24_budget", "2026-02-02", "2026-01-19",
	    "2026-03-04");
	check_dates(p, d, "m36", "2027-02-01", "2027-01-18", "2027-03-03");
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_weekend_rules)
{
	struct sortes_protocol *p;
	struct sortes_due_dates d[8];

	p = protocol_text(WK_PROTOCOL("keep"));
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_KEEP);
	dates_of(p, "2026-01-05", d);
	/* Windows: 1 week before, 1 month after. */
	check_dates(p, d, "sat", "2026-01-10", "2026-01-03", "2026-02-10");
	check_dates(p, d, "sun", "2026-01-11", "2026-01-11", "2026-01-11");
	check_dates(p, d, "a2", "2026-01-12", "2026-01-10", "2026-01-15");
	dates_of(p, "2026-01-31", d);
	check_dates(p, d, "m1", "2026-02-28", "2026-02-26", "2026-03-03");
	sortes_protocol_free(p);

	p = protocol_text(WK_PROTOCOL("next_monday"));
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_NEXT_MONDAY);
	dates_of(p, "2026-01-05", d);
	check_dates(p, d, "sat", "2026-01-12", "2026-01-05", "2026-02-12");
	check_dates(p, d, "sun", "2026-01-12", "2026-01-12", "2026-01-12");
	check_dates(p, d, "tue", "2026-01-13", "2026-01-11", "2026-01-16");
	check_dates(p, d, "a2", "2026-01-12", "2026-01-10", "2026-01-15");
	dates_of(p, "2026-01-31", d);
	check_dates(p, d, "m1", "2026-03-02", "2026-02-28", "2026-03-05");
	sortes_protocol_free(p);

	p = protocol_text(WK_PROTOCOL("previous_friday"));
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_PREVIOUS_FRIDAY);
	dates_of(p, "2026-01-05", d);
	check_dates(p, d, "sat", "2026-01-09", "2026-01-02", "2026-02-09");
	check_dates(p, d, "sun", "2026-01-09", "2026-01-09", "2026-01-09");
	check_dates(p, d, "tue", "2026-01-13", "2026-01-11", "2026-01-16");
	check_dates(p, d, "a2", "2026-01-12", "2026-01-10", "2026-01-15");
	dates_of(p, "2026-01-31", d);
	check_dates(p, d, "m1", "2026-02-27", "2026-02-25", "2026-03-02");
	sortes_protocol_free(p);

	p = protocol_text(WK_PROTOCOL("nearest"));
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_NEAREST);
	dates_of(p, "2026-01-05", d);
	check_dates(p, d, "sat", "2026-01-09", "2026-01-02", "2026-02-09");
	check_dates(p, d, "sun", "2026-01-12", "2026-01-12", "2026-01-12");
	check_dates(p, d, "tue", "2026-01-13", "2026-01-11", "2026-01-16");
	check_dates(p, d, "a2", "2026-01-12", "2026-01-10", "2026-01-15");
	dates_of(p, "2026-01-31", d);
	check_dates(p, d, "m1", "2026-02-27", "2026-02-25", "2026-03-02");
	/* Leap year: 31 January 2024 + 1 month is Thursday 29 February. */
	dates_of(p, "2024-01-31", d);
	check_dates(p, d, "m1", "2024-02-29", "2024-02-27", "2024-03-03");
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_schedule_range)
{
	struct sortes_protocol *p = protocol_load(UNGIFOKUS);
	struct sortes_due_dates d[8];
	struct sortes_error err = { 0 };

	/* 9999-01-01 + 6 months is 9999-07-01, + 12 is year 10000. */
	ck_assert_int_eq(sortes_schedule_dates(p, tu_day("9999-01-01"), d,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "'m12' falls outside") != NULL, "%s",
	    err.msg);
	/* 9997-11-01 + 24 months is Monday 9999-11-01, whose window
	 * closes on 12-01, still in range. */
	dates_of(p, "9997-11-01", d);
	check_dates(p, d, "m24", "9999-11-01", "9999-10-18", "9999-12-01");
	sortes_protocol_free(p);

	/* Due in range, but the window closes after 9999-12-31. */
	p = protocol_text("sortes: 1\n"
	    "trial: {id: r, title: R, sponsor: S, target_enrollment: 1}\n"
	    "arms: [{code: A, name: A, ratio: 1}, "
	    "{code: B, name: B, ratio: 1}]\n"
	    "randomization: {unit: individual, method: simple}\n"
	    "measures: [{code: x, type: boolean}]\n"
	    "followups:\n"
	    "  - {code: w, offset: 0 days, window: {before: 0 days, "
	    "after: 1 month}, measures: [x]}\n");
	ck_assert_int_eq(sortes_schedule_dates(p, tu_day("9999-12-15"), d,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "the window of follow-up 'w'") != NULL,
	    "%s", err.msg);
	dates_of(p, "9999-11-30", d);
	check_dates(p, d, "w", "9999-11-30", "9999-11-30", "9999-12-30");
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_applies_and_lookup)
{
	struct sortes_protocol *p = protocol_load(UNGEBUDGETTER);
	int32_t before, after;

	/* Arms: B is index 0, C index 1. */
	ck_assert_int_eq(sortes_protocol_arm(p, "B"), 0);
	ck_assert_int_eq(sortes_protocol_occasion(p, "m12"), 0);
	ck_assert_int_eq(sortes_protocol_occasion(p, "m12_budget"), 1);
	ck_assert_int_eq(sortes_protocol_occasion(p, "m36"), 4);
	ck_assert_int_eq(sortes_protocol_occasion(p, "m48"), -1);
	ck_assert_int_eq(sortes_protocol_occasion(p, "M12"), -1);
	ck_assert_int_eq(sortes_protocol_occasion(p, ""), -1);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[0], 0), 1);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[0], 1), 1);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[1], 0), 1);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[1], 1), 0);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[3], 1), 0);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[4], 1), 1);
	/* Every window: 14 days before, 30 after. */
	sortes_schedule_reach(p, &before, &after);
	ck_assert_int_eq(before, 14);
	ck_assert_int_eq(after, 30);
	sortes_protocol_free(p);

	/* Weeks count 7 days and months 31: 1 week before, 1 month after. */
	p = protocol_text(WK_PROTOCOL("keep"));
	sortes_schedule_reach(p, &before, &after);
	ck_assert_int_eq(before, 7);
	ck_assert_int_eq(after, 31);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[3], 0), 0);
	ck_assert_int_eq(sortes_occasion_applies(&p->occasions[3], 1), 1);
	sortes_protocol_free(p);

	/* No follow-ups: no reach. */
	p = protocol_text(TU_SIMPLE);
	ck_assert_int_eq(sortes_protocol_occasion(p, "m6"), -1);
	sortes_schedule_reach(p, &before, &after);
	ck_assert_int_eq(before, 0);
	ck_assert_int_eq(after, 0);
	sortes_protocol_free(p);
}
END_TEST

/* --- rows written at enrollment --------------------------------------- */

/* Register caseworker 'code' of the Ungebudgetter protocol. */
static void
ub_caseworker(struct sortes_registrar *r, const char *code,
    const char *caseload, const char *share, const char *office)
{
	const char *names[] = { "caseload", "share_education_benefit",
	    "office" };
	const char *values[] = { caseload, share, office };
	struct sortes_caseworker_input in = {
		.code = code, .team = "Jobcenter Aarhus", .names = names,
		.values = values, .ncovariates = 3,
		.registered_at = "2026-01-15T10:00:00Z",
	};
	struct sortes_caseworker_result res;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_registrar_add(r, &in, &res, &err) == 0,
	    "register %s: %s", code, err.msg);
}

/*
 * The shipped Ungebudgetter protocol with four caseworkers, randomized
 * (two to each arm); b and c get a caseworker of arm B and of arm C.
 */
static struct sortes_trial *
ub_trial(const char *dir, char b[16], char c[16])
{
	char *yaml = tu_read(UNGEBUDGETTER);
	struct sortes_trial *t = tu_trial(dir, yaml);
	struct sortes_registrar *r = NULL;
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };

	free(yaml);
	ck_assert_int_eq(sortes_registrar_new(&r, t, &err), 0);
	ub_caseworker(r, "K1", "30", "40", "midt");
	ub_caseworker(r, "K2", "45", "55", "nord");
	ub_caseworker(r, "K3", "25", "70", "syd");
	ub_caseworker(r, "K4", "50", "35", "vest");
	ck_assert_msg(sortes_registrar_commit(r, &err) == 0, "%s", err.msg);
	sortes_registrar_free(r);
	memset(&res, 0, sizeof(res));
	ck_assert_msg(sortes_randomize(t, "00112233445566778899aabbccddeeff",
	    "2026-01-15T10:00:00Z", &res, &err) == 0, "randomize: %s",
	    err.msg);
	ck_assert_uint_eq(res.ncaseworkers, 4);
	ck_assert_uint_eq(res.per_arm[0], 2);
	for (size_t i = 0; i < res.ncaseworkers; i++)
		snprintf(res.arms[i] == 0 ? b : c, 16, "%s", res.codes[i]);
	sortes_randomize_result_free(&res);
	return t;
}

static void
ub_enroll(struct sortes_trial *t, const char *person, const char *cw,
    char id[SORTES_UUID_LEN])
{
	const char *names[] = { "birth_date", "months_without_job_or_education",
	    "benefit" };
	const char *values[] = { "2001-03-09", "14", "uddannelseshjaelp" };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = cw, .names = names,
		.values = values, .nfields = 3,
		.enrolled_at = "2026-01-15T10:00:00Z",
		.enroll_day = tu_day("2026-01-15"),
	};
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_enroller_new(&e, t, &err), 0);
	ck_assert_msg(sortes_enroller_add(e, &in, &res, &err) == 0, "enroll "
	    "%s: %s", person, err.msg);
	ck_assert_int_eq(sortes_enroller_commit(e, &err), 0);
	sortes_enroller_free(e);
	memcpy(id, res.participant, SORTES_UUID_LEN);
}

START_TEST(test_rows_ungebudgetter)
{
	char *dir = tu_tmpdir();
	char b[16] = "", c[16] = "";
	char yb[2][SORTES_UUID_LEN], yc[SORTES_UUID_LEN];
	struct sortes_trial *t = ub_trial(dir, b, c);
	char want[64];

	/* synthetic CPR numbers (the protocol's identifier), born as
	 * ub_enroll says; serials 9xxx, as test CPR numbers have */
	ub_enroll(t, "090301-9001", b, yb[0]);
	ub_enroll(t, "090301-9002", c, yc);
	ub_enroll(t, "090301-9003", b, yb[1]);
	/* Arm B: five occasions; arm C: the three without a budget. */
	ck_assert_int_eq(tu_int(t, "SELECT count(*) FROM schedule"), 13);
	check_occasions(t, yb[0], "m12,m12_budget,m24,m24_budget,m36");
	check_occasions(t, yb[1], "m12,m12_budget,m24,m24_budget,m36");
	check_occasions(t, yc, "m12,m24,m36");
	/* Thursday 15 January 2026.  m12: Friday 2027-01-15.  m24:
	 * Saturday 2028-01-15, moved to Monday 17 January.  m36: 12 months
	 * after the unmoved m24, Monday 2029-01-15. */
	check_slot(t, yc, "m12", "due || ' ' || window_start || ' ' || "
	    "window_end", "2027-01-15 2027-01-01 2027-02-14");
	check_slot(t, yc, "m24", "due || ' ' || window_start || ' ' || "
	    "window_end", "2028-01-17 2028-01-03 2028-02-16");
	check_slot(t, yc, "m36", "due || ' ' || window_start || ' ' || "
	    "window_end", "2029-01-15 2029-01-01 2029-02-14");
	check_slot(t, yb[0], "m24_budget", "due", "2028-01-17");
	check_slot(t, yb[1], "m12_budget", "due", "2027-01-15");
	snprintf(want, sizeof(want), "%s open none", c);
	check_slot(t, yc, "m36", "caseworker || ' ' || status || ' ' || "
	    "coalesce(outcome, 'none')", want);
	snprintf(want, sizeof(want), "%s open none", b);
	check_slot(t, yb[1], "m24_budget", "caseworker || ' ' || status || "
	    "' ' || coalesce(outcome, 'none')", want);
	verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_rows_individual)
{
	struct fixture f;
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };
	const char *id;

	fixture_open(&f);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule"), 7);
	check_occasions(f.t, f.ids[AI], "m1,m2,m2_i,m3");
	check_occasions(f.t, f.ids[AC], "m1,m2,m3");
	/* Thursday 15 January 2026.  m1: Sunday 15 February, moved to
	 * Monday 16 (window 7 days before, 14 after).  m2: Sunday 15
	 * March, to Monday 16.  m3: 1 month after the unmoved m2, Wednesday
	 * 15 April. */
	for (int k = AI; k <= AC; k++) {
		check_slot(f.t, f.ids[k], "m1", "due || ' ' || window_start || "
		    "' ' || window_end", "2026-02-16 2026-02-09 2026-03-02");
		check_slot(f.t, f.ids[k], "m2", "due || ' ' || window_start || "
		    "' ' || window_end", "2026-03-16 2026-03-09 2026-03-30");
		check_slot(f.t, f.ids[k], "m3", "due || ' ' || window_start || "
		    "' ' || window_end", "2026-04-15 2026-04-08 2026-04-29");
		check_slot(f.t, f.ids[k], "m1", "caseworker || ' ' || "
		    "status || ' ' || coalesce(outcome, 'none')",
		    "CW1 open none");
	}
	check_slot(f.t, f.ids[AI], "m2_i", "due", "2026-03-16");

	/* Saturday 31 January 2026.  m1: 28 February (clamped), a Saturday,
	 * to Monday 2 March.  m2: Tuesday 31 March.  m3: 1 month after
	 * the unmoved m2, Thursday 30 April. */
	ck_assert_int_eq(tu_enroll_at(f.t, "S1", "CW1", "2026-01-31T10:00:00Z",
	    tu_day("2026-01-31"), &res, &err), 0);
	id = res.participant;
	check_slot(f.t, id, "m1", "due || ' ' || window_start || ' ' || "
	    "window_end", "2026-03-02 2026-02-23 2026-03-16");
	check_slot(f.t, id, "m2", "due || ' ' || window_start || ' ' || "
	    "window_end", "2026-03-31 2026-03-24 2026-04-14");
	check_slot(f.t, id, "m3", "due || ' ' || window_start || ' ' || "
	    "window_end", "2026-04-30 2026-04-23 2026-05-14");
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule"),
	    res.arm == 0 ? 11 : 10);

	/* A refused enrollment writes no rows. */
	ck_assert_int_eq(tu_enroll(f.t, "S2", "F", "1980-01-01", &err),
	    SORTES_EDATA);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule"),
	    res.arm == 0 ? 11 : 10);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_rows_no_followups)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_error err = { 0 };

	ck_assert_int_eq(tu_enroll(t, "P1", "F", "2004-02-01", &err), 0);
	ck_assert_int_eq(tu_enroll(t, "P2", "M", "2004-02-01", &err), 0);
	ck_assert_int_eq(tu_int(t, "SELECT count(*) FROM schedule"), 0);
	verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- recording -------------------------------------------------------- */

START_TEST(test_record_values)
{
	struct fixture f;
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	char want[1024], *body;
	int64_t s1, s2, s3, s4;

	fixture_open(&f);
	ck_assert_int_eq(record(f.t, f.ids[AI], "m1", "2026-02-20",
	    "employment=job who5=72 hours=37.5 working=true "
	    "started=2026-02-01", 0, "2026-03-01", &out, &err), 0);
	s1 = out.seq;
	ck_assert_int_eq(s1, tu_int(f.t, "SELECT max(seq) FROM log"));
	ck_assert_int_eq(out.supersedes, 0);
	ck_assert_int_eq(out.out_of_window, 0);
	/* Canonical JSON: keys by name, the decimal as text. */
	check_outcome(f.t, s1, "measures", "{\"employment\":\"job\","
	    "\"hours\":\"37.5\",\"started\":\"2026-02-01\",\"who5\":72,"
	    "\"working\":true}");
	check_outcome(f.t, s1, "status || ' ' || measured_on || ' ' || "
	    "out_of_window || ' ' || coalesce(supersedes, 'none') || ' ' || "
	    "coalesce(reason, 'none') || ' ' || recorded_at",
	    "done 2026-02-20 0 none none " RECORDED);
	snprintf(want, sizeof(want), "done %lld", (long long)s1);
	check_slot(f.t, f.ids[AI], "m1", "status || ' ' || outcome", want);
	body = log_body(f.t, s1);
	snprintf(want, sizeof(want), "{\"kind\":\"measure\",\"measured_on\":"
	    "\"2026-02-20\",\"measures\":{\"employment\":\"job\",\"hours\":"
	    "\"37.5\",\"started\":\"2026-02-01\",\"who5\":72,\"working\":true},"
	    "\"occasion\":\"m1\",\"out_of_window\":false,\"participant\":"
	    "\"%s\",\"recorded_at\":\"" RECORDED "\",\"seq\":%lld,"
	    "\"supersedes\":null}", f.ids[AI], (long long)s1);
	ck_assert_str_eq(body, want);
	free(body);

	/* Some of the occasion's measures; 7 keeps its one decimal, and
	 * "nej" is a boolean as enrollment fields take it. */
	s2 = record_ok(f.t, f.ids[AC], "m1", "2026-02-09", "hours=7 "
	    "working=nej", 0, "2026-03-01");
	check_outcome(f.t, s2, "measures", "{\"hours\":\"7.0\","
	    "\"working\":false}");
	s3 = record_ok(f.t, f.ids[AC], "m2", "2026-03-16", "employment=none "
	    "who5=0", 0, "2026-03-20");
	check_outcome(f.t, s3, "measures", "{\"employment\":\"none\","
	    "\"who5\":0}");
	s4 = record_ok(f.t, f.ids[AI], "m2_i", "2026-03-30", "satisfaction=5",
	    0, "2026-03-30");
	check_outcome(f.t, s4, "measures", "{\"satisfaction\":5}");
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule WHERE "
	    "status = 'done'"), 4);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM log WHERE kind = "
	    "'measure'"), 4);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_record_refusals)
{
	struct fixture f;
	const char *ok = "who5=50";
	const char *i, *c;

	fixture_open(&f);
	i = f.ids[AI];
	c = f.ids[AC];
	record_refused(f.t, i, "m1", "2026-02-20", "shoe_size=42", 0,
	    "unknown measure 'shoe_size'");
	/* A measure of the protocol, but not of this occasion. */
	record_refused(f.t, i, "m1", "2026-02-20", "satisfaction=3", 0,
	    "measure 'satisfaction' is not taken at follow-up 'm1'");
	record_refused(f.t, i, "m1", "2026-02-20", "employment=retired", 0,
	    "employment");
	record_refused(f.t, i, "m1", "2026-02-20", "who5=101", 0, "who5");
	record_refused(f.t, i, "m1", "2026-02-20", "who5=-1", 0, "who5");
	record_refused(f.t, i, "m1", "2026-02-20", "who5=7.5", 0, "who5");
	record_refused(f.t, i, "m1", "2026-02-20", "hours=37.25", 0, "hours");
	record_refused(f.t, i, "m1", "2026-02-20", "hours=-0.5", 0, "hours");
	record_refused(f.t, i, "m1", "2026-02-20", "hours=80.1", 0, "hours");
	record_refused(f.t, i, "m1", "2026-02-20", "hours=3,5", 0, "hours");
	record_refused(f.t, i, "m1", "2026-02-20", "working=maybe", 0,
	    "working");
	record_refused(f.t, i, "m1", "2026-02-20", "started=2026-02-30", 0,
	    "started");
	record_refused(f.t, i, "m1", "2026-02-20", "who5=1 who5=2", 0,
	    "given twice");
	record_refused(f.t, i, "m1", "2026-02-20", "", 0, "no measures given");
	record_refused(f.t, i, "m9", "2026-02-20", ok, 0, "no follow-up 'm9'");
	record_refused(f.t, c, "m2_i", "2026-03-01", "satisfaction=3", OOW,
	    "not scheduled");
	record_refused(f.t, "00000000-0000-4000-8000-000000000000", "m1",
	    "2026-02-20", ok, 0, "no participant");
	/* Today is 1 March; the window runs to 2 March. */
	record_refused(f.t, i, "m1", "2026-03-02", ok, 0, "in the future");
	record_refused(f.t, i, "m1", "2026-01-14", ok, OOW,
	    "before the participant was enrolled (2026-01-15)");
	/* The window opens on 9 February. */
	record_refused(f.t, i, "m1", "2026-02-08", ok, 0, "outside the window");
	record_refused(f.t, i, "m1", "2026-02-20", ok, CORRECT,
	    "nothing recorded to correct");
	/* None of that left a trace: the first outcome is recorded now. */
	record_ok(f.t, i, "m1", "2026-02-09", ok, 0, "2026-03-01");
	record_refused(f.t, i, "m1", "2026-02-20", ok, 0, "is done already");
	missed_refused(f.t, i, "m1", "no show", 0, "is done already");
	missed_refused(f.t, c, "m2", "no show", CORRECT,
	    "nothing recorded to correct");
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_local_day)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, FU_PROTOCOL);
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };
	int64_t seq;

	/* 23:30 UTC on 15 January is 16 January at UTC+01:00. */
	ck_assert_int_eq(tu_enroll_at(t, "L1", "CW1", "2026-01-15T23:30:00Z",
	    tu_day("2026-01-16"), &res, &err), 0);
	tu_last_tz[0] = '\0';
	record_refused(t, res.participant, "m1", "2026-01-15", "who5=3", OOW,
	    "before the participant was enrolled (2026-01-16)");
	ck_assert_str_eq(tu_last_tz, "Europe/Copenhagen");
	seq = record_ok(t, res.participant, "m1", "2026-01-16", "who5=3", OOW,
	    "2026-03-01");
	check_outcome(t, seq, "out_of_window", "1");
	verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_out_of_window)
{
	struct fixture f;
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	char *body;
	int64_t seq;

	fixture_open(&f);
	/* After the window (closed 2 March), accepted when flagged. */
	ck_assert_int_eq(record(f.t, f.ids[AI], "m1", "2026-03-03", "who5=40",
	    OOW, "2026-03-10", &out, &err), 0);
	ck_assert_int_eq(out.out_of_window, 1);
	check_outcome(f.t, out.seq, "out_of_window", "1");
	body = log_body(f.t, out.seq);
	ck_assert_ptr_nonnull(strstr(body, "\"out_of_window\":true"));
	free(body);
	/* Inside the window, the flag is not recorded: both ends count. */
	ck_assert_int_eq(record(f.t, f.ids[AC], "m1", "2026-03-02", "who5=41",
	    OOW, "2026-03-10", &out, &err), 0);
	ck_assert_int_eq(out.out_of_window, 0);
	body = log_body(f.t, out.seq);
	ck_assert_ptr_nonnull(strstr(body, "\"out_of_window\":false"));
	free(body);
	seq = record_ok(f.t, f.ids[AC], "m2", "2026-03-09", "who5=42", 0,
	    "2026-03-10");
	check_outcome(f.t, seq, "out_of_window", "0");
	seq = record_ok(f.t, f.ids[AC], "m3", "2026-04-29", "who5=43", 0,
	    "2026-05-01");
	check_outcome(f.t, seq, "out_of_window", "0");
	/* Before the window opens (8 April), flagged. */
	seq = record_ok(f.t, f.ids[AI], "m3", "2026-04-07", "who5=44", OOW,
	    "2026-05-01");
	check_outcome(f.t, seq, "out_of_window", "1");
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_correction)
{
	struct fixture f;
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	char want[64], *body;
	int64_t s1, s2, s3, s4;

	fixture_open(&f);
	s1 = record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "who5=72", 0,
	    "2026-03-01");
	ck_assert_int_eq(record(f.t, f.ids[AI], "m1", "2026-02-21", "who5=27 "
	    "employment=job", CORRECT, "2026-03-01", &out, &err), 0);
	s2 = out.seq;
	ck_assert_int_eq(s2, s1 + 1);
	ck_assert_int_eq(out.supersedes, s1);
	snprintf(want, sizeof(want), "done %lld", (long long)s2);
	check_slot(f.t, f.ids[AI], "m1", "status || ' ' || outcome", want);
	snprintf(want, sizeof(want), "%lld", (long long)s1);
	check_outcome(f.t, s2, "supersedes", want);
	check_outcome(f.t, s2, "measures", "{\"employment\":\"job\","
	    "\"who5\":27}");
	/* The first stays as it was. */
	check_outcome(f.t, s1, "measures", "{\"who5\":72}");
	body = log_body(f.t, s2);
	snprintf(want, sizeof(want), "\"supersedes\":%lld}", (long long)s1);
	ck_assert_msg(strstr(body, want) != NULL, "%s", body);
	free(body);

	/* A measurement corrected to missed, and back. */
	s3 = missed_ok(f.t, f.ids[AI], "m1", "entered for the wrong person",
	    1);
	snprintf(want, sizeof(want), "missed %lld", (long long)s3);
	check_slot(f.t, f.ids[AI], "m1", "status || ' ' || outcome", want);
	snprintf(want, sizeof(want), "%lld", (long long)s2);
	check_outcome(f.t, s3, "supersedes", want);
	s4 = record_ok(f.t, f.ids[AI], "m1", "2026-02-22", "who5=30", CORRECT,
	    "2026-03-01");
	snprintf(want, sizeof(want), "done %lld", (long long)s4);
	check_slot(f.t, f.ids[AI], "m1", "status || ' ' || outcome", want);
	snprintf(want, sizeof(want), "%lld", (long long)s3);
	check_outcome(f.t, s4, "supersedes", want);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM outcomes"), 4);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

/*
 * A correction changes only what it names: the other measures of the
 * occasion stay, and so does the date unless one is given.
 */
START_TEST(test_correction_keeps_the_rest)
{
	struct fixture f;
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };
	struct snapshot before;
	char want[64];
	int64_t s1, s2, s3, s4;

	fixture_open(&f);
	s1 = record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "employment=job "
	    "who5=72 hours=37.5 working=true started=2026-02-01", 0,
	    "2026-03-01");
	/* One measure, no date: "2026-03-01" is only the default. */
	s2 = record_ok(f.t, f.ids[AI], "m1", "2026-03-01", "who5=27",
	    CORRECT | KEEP_DATE, "2026-03-01");
	check_outcome(f.t, s2, "measures", "{\"employment\":\"job\","
	    "\"hours\":\"37.5\",\"started\":\"2026-02-01\",\"who5\":27,"
	    "\"working\":true}");
	snprintf(want, sizeof(want), "2026-02-20 %lld", (long long)s1);
	check_outcome(f.t, s2, "measured_on || ' ' || supersedes", want);
	/* A measure and a date given: both change, the rest stays. */
	s3 = record_ok(f.t, f.ids[AI], "m1", "2026-02-22", "hours=30 "
	    "working=false", CORRECT, "2026-03-01");
	check_outcome(f.t, s3, "measures", "{\"employment\":\"job\","
	    "\"hours\":\"30.0\",\"started\":\"2026-02-01\",\"who5\":27,"
	    "\"working\":false}");
	check_outcome(f.t, s3, "measured_on", "2026-02-22");
	/* Only the date. */
	s4 = record_ok(f.t, f.ids[AI], "m1", "2026-02-23", "", CORRECT,
	    "2026-03-01");
	check_outcome(f.t, s4, "measured_on || ' ' || measures", "2026-02-23 "
	    "{\"employment\":\"job\",\"hours\":\"30.0\",\"started\":"
	    "\"2026-02-01\",\"who5\":27,\"working\":false}");
	/* Neither: nothing to correct, nothing written. */
	snap(f.t, &before);
	ck_assert_int_eq(record(f.t, f.ids[AI], "m1", "2026-03-01", "",
	    CORRECT | KEEP_DATE, "2026-03-01", &out, &err), SORTES_EDATA);
	ck_assert_str_eq(err.msg, "nothing to correct: give the measures that "
	    "change (MEASURE=VALUE), or --date");
	unchanged(f.t, &before);

	/* Out of memory copying an earlier measure, its name or its value
	 * (as json_each gives them): nothing written. */
	for (int i = 0; i < 2; i++) {
		int rc;

		tu_fail_strdup(i == 0 ? "employment" : "job");
		rc = record(f.t, f.ids[AI], "m1", "2026-03-01", "who5=1",
		    CORRECT | KEEP_DATE, "2026-03-01", &out, &err);
		tu_fail_strdup(NULL);
		ck_assert_int_eq(rc, SORTES_ENOMEM);
		unchanged(f.t, &before);
	}

	/* A date accepted outside the window stays accepted when kept. */
	record_ok(f.t, f.ids[AC], "m1", "2026-03-03", "who5=40 hours=12",
	    OOW, "2026-03-10");
	s1 = record_ok(f.t, f.ids[AC], "m1", "2026-03-10", "who5=41",
	    CORRECT | KEEP_DATE, "2026-03-10");
	check_outcome(f.t, s1, "measured_on || ' ' || out_of_window || ' ' || "
	    "measures", "2026-03-03 1 {\"hours\":\"12.0\",\"who5\":41}");
	/* ... but a date given is held to the window again. */
	ck_assert_int_eq(record(f.t, f.ids[AC], "m1", "2026-03-04", "who5=42",
	    CORRECT, "2026-03-10", &out, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "outside the window"));

	/* A missed occasion has no measures or date to keep. */
	missed_ok(f.t, f.ids[AI], "m2", "no contact", 0);
	s1 = record_ok(f.t, f.ids[AI], "m2", "2026-03-10", "who5=50",
	    CORRECT | KEEP_DATE, "2026-03-10");
	check_outcome(f.t, s1, "measured_on || ' ' || measures",
	    "2026-03-10 {\"who5\":50}");
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_missed)
{
	struct fixture f;
	char reason[SORTES_REASON_MAX + 2];
	int64_t seq;

	fixture_open(&f);
	seq = missed_ok(f.t, f.ids[AC], "m1", "could not be reached", 0);
	check_slot(f.t, f.ids[AC], "m1", "status", "missed");
	check_outcome(f.t, seq, "status || ' ' || reason || ' ' || "
	    "coalesce(measures, 'none') || ' ' || coalesce(measured_on, "
	    "'none')", "missed could not be reached none none");
	missed_refused(f.t, f.ids[AC], "m1", "again", 0, "is missed already");
	record_refused(f.t, f.ids[AC], "m1", "2026-02-20", "who5=1", 0,
	    "is missed already");
	missed_refused(f.t, f.ids[AC], "m2", "", 0, "reason must be 1 to");
	missed_refused(f.t, f.ids[AC], "m2", "line\nbreak", 0,
	    "control character");
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	missed_refused(f.t, f.ids[AC], "m2", reason, 0, "reason must be 1 to");
	missed_refused(f.t, f.ids[AC], "m2_i", "no show", 0, "not scheduled");
	missed_refused(f.t, f.ids[AC], "m7", "no show", 0, "no follow-up 'm7'");
	missed_refused(f.t, "nobody", "m2", "no show", 0, "no participant");
	/* 1000 bytes is the most a reason may hold. */
	reason[SORTES_REASON_MAX] = '\0';
	missed_ok(f.t, f.ids[AC], "m2", reason, 0);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule WHERE "
	    "status = 'missed'"), 2);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

/* --- withdrawals and transfers ---------------------------------------- */

START_TEST(test_withdraw)
{
	struct fixture f;
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	struct snapshot before;
	char want[64];
	int64_t done, seq;

	fixture_open(&f);
	done = record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "who5=60", 0,
	    "2026-03-01");
	ck_assert_int_eq(sortes_withdraw(f.t, f.ids[AI], "moved abroad",
	    "2026-03-05T10:00:00Z", &seq, &err), 0);
	ck_assert_int_eq(seq, done + 1);
	/* The measurement stays; every open occasion is cancelled. */
	snprintf(want, sizeof(want), "done %lld", (long long)done);
	check_slot(f.t, f.ids[AI], "m1", "status || ' ' || outcome", want);
	check_slot(f.t, f.ids[AI], "m2", "status || ' ' || coalesce(outcome, "
	    "'none')", "cancelled none");
	check_slot(f.t, f.ids[AI], "m2_i", "status", "cancelled");
	check_slot(f.t, f.ids[AI], "m3", "status", "cancelled");
	/* The other participant is untouched. */
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM schedule WHERE "
	    "status = 'open'"), 3);
	record_refused(f.t, f.ids[AI], "m2", "2026-03-01", "who5=1", OOW,
	    "has withdrawn");
	record_refused(f.t, f.ids[AI], "m1", "2026-02-21", "who5=1", CORRECT,
	    "has withdrawn");
	missed_refused(f.t, f.ids[AI], "m2", "gone", 0, "has withdrawn");
	snap(f.t, &before);
	ck_assert_int_eq(sortes_withdraw(f.t, f.ids[AI], "again",
	    "2026-03-06T10:00:00Z", &seq, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "withdrawn already"));
	ck_assert_int_eq(sortes_transfer(f.t, f.ids[AI], "CW2",
	    "2026-03-06T10:00:00Z", &tr, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "has withdrawn"));
	unchanged(f.t, &before);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

START_TEST(test_transfer)
{
	struct fixture f;
	struct sortes_verify_report rep;
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	struct snapshot before;
	int64_t done;

	fixture_open(&f);
	done = record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "who5=60", 0,
	    "2026-03-01");
	ck_assert_int_eq(sortes_transfer(f.t, f.ids[AI], "CW2",
	    RECORDED, &tr, &err), 0);
	ck_assert_int_eq(tr.seq, done + 1);
	ck_assert_str_eq(tr.from, "CW1");
	ck_assert_int_eq(tr.cross_arm, -1);
	/* Open occasions move; the done one stays with who did it. */
	check_slot(f.t, f.ids[AI], "m1", "caseworker", "CW1");
	check_slot(f.t, f.ids[AI], "m2", "caseworker", "CW2");
	check_slot(f.t, f.ids[AI], "m2_i", "caseworker", "CW2");
	check_slot(f.t, f.ids[AI], "m3", "caseworker", "CW2");
	check_slot(f.t, f.ids[AC], "m2", "caseworker", "CW1");
	snap(f.t, &before);
	ck_assert_int_eq(sortes_transfer(f.t, f.ids[AI], "CW2",
	    RECORDED, &tr, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "already"));
	unchanged(f.t, &before);
	/* Recorded with the new caseworker, then moved on again. */
	record_ok(f.t, f.ids[AI], "m2", "2026-03-16", "who5=61", 0,
	    "2026-03-20");
	ck_assert_int_eq(sortes_transfer(f.t, f.ids[AI], "CW3",
	    RECORDED, &tr, &err), 0);
	ck_assert_str_eq(tr.from, "CW2");
	check_slot(f.t, f.ids[AI], "m1", "caseworker", "CW1");
	check_slot(f.t, f.ids[AI], "m2", "caseworker", "CW2");
	check_slot(f.t, f.ids[AI], "m2_i", "caseworker", "CW3");
	check_slot(f.t, f.ids[AI], "m3", "caseworker", "CW3");
	verify_ok(f.t);
	/* The latest transfer decides, not the earlier one. */
	tu_sql(f.t, "UPDATE schedule SET caseworker = 'CW2' WHERE "
	    "caseworker = 'CW3'");
	ck_assert_int_eq(sqlite3_changes(f.t->db->sql), 2);
	ck_assert_int_eq(sortes_verify(f.t, tu_local_day, &rep, &err),
	    SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, "not with the participant's current "
	    "caseworker") != NULL, "%s", err.msg);
	fixture_close(&f);
}
END_TEST

/* --- the due list ----------------------------------------------------- */

/*
 * What a due list returned: each row as "<label>.<occasion>", labels
 * AI, AC, BI, BC by participant, sorted so that ties in the order do
 * not matter; and whether the rows came in (due, enrollment, occasion)
 * order.
 */
struct seen {
	const struct fixture *f;
	char rows[32][16];
	size_t n;
	char last[64];
	int stop;			/* returned from the callback */
	char first_buf[7][96];		/* the first row's strings */
};

static const char *const labels[] = { "AI", "AC", "BI", "BC" };

/* Enrollment order of participant 'k': pair A, then pair B. */
static int
rank(const struct fixture *f, int k)
{
	int i_first = k < BI ? f->a_i_first : f->b_i_first;
	int second = (k == AI || k == BI) ? !i_first : i_first;

	return (k < BI ? 0 : 2) + second;
}

static int
seen_row(void *ctx, const struct sortes_due_row *r, struct sortes_error *err)
{
	struct seen *s = ctx;
	char key[64];
	int k;

	(void)err;
	for (k = 0; k < 4; k++)
		if (strcmp(r->participant, s->f->ids[k]) == 0)
			break;
	ck_assert_int_lt(k, 4);
	ck_assert_uint_lt(s->n, 32);
	snprintf(s->rows[s->n], sizeof(s->rows[0]), "%s.%s", labels[k],
	    r->occasion);
	snprintf(key, sizeof(key), "%s %d %s", r->due, rank(s->f, k),
	    r->occasion);
	ck_assert_msg(strcmp(key, s->last) > 0, "'%s' listed after '%s'", key,
	    s->last);
	snprintf(s->last, sizeof(s->last), "%s", key);
	if (s->n++ == 0) {
		const char *v[7] = { r->participant, r->pseudonym,
		    r->caseworker, r->occasion, r->due, r->window_start,
		    r->window_end };

		for (int i = 0; i < 7; i++)
			snprintf(s->first_buf[i], sizeof(s->first_buf[i]), "%s",
			    v[i]);
	}
	/* Only m1 has a label in the protocol. */
	if (strcmp(r->occasion, "m1") == 0)
		ck_assert_str_eq(r->label, "One month");
	else
		ck_assert_ptr_null(r->label);
	return s->stop;
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Run query q; the rows, sorted and space-separated, must be 'want'. */
static void
due_query(const struct fixture *f, const struct sortes_due_query *q,
    const char *want, struct seen *s)
{
	struct sortes_error err = { 0 };
	char got[512] = "";
	int64_t n = -1;

	memset(s, 0, sizeof(*s));
	s->f = f;
	ck_assert_msg(sortes_followup_list(f->t, q, seen_row, s, &n, &err) ==
	    0, "%s", err.msg);
	ck_assert_int_eq(n, (int64_t)s->n);
	qsort(s->rows, s->n, sizeof(s->rows[0]), by_text);
	for (size_t i = 0; i < s->n; i++) {
		strcat(got, i > 0 ? " " : "");
		strcat(got, s->rows[i]);
	}
	ck_assert_msg(strcmp(got, want) == 0, "kind %d as of %d within %d "
	    "(%s): got '%s', expected '%s'", (int)q->kind, (int)q->as_of,
	    (int)q->within, q->caseworker != NULL ? q->caseworker : "all", got,
	    want);
}

static void
due_case(const struct fixture *f, enum sortes_due_kind kind,
    const char *as_of, int within, const char *cw, const char *want,
    struct seen *s)
{
	struct sortes_due_query q = { kind, tu_day(as_of), within, cw, 0, 0 };

	due_query(f, &q, want, s);
}

/*
 * Pair A (CW1) enrolled Thursday 15 January 2026, pair B (CW2) Monday
 * 2 February.  Windows are 7 days before and 14 after the due date:
 *   A m1: due 02-16, 02-09..03-02   B m1: due 03-02, 02-23..03-16
 *   A m2, m2_i: 03-16, 03-09..03-30 B m2, m2_i: Thursday 04-02,
 *                                        03-26..04-16
 *   A m3: 04-15, 04-08..04-29      B m3: Saturday 05-02 to Monday
 *                                        05-04, 04-27..05-18
 */
START_TEST(test_due_list)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	struct seen s;
	char sql[256], *pseudonym;
	int64_t seq;

	fixture_open(&f);
	fixture_pair_b(&f);
	/* [02-01, 02-08]: nothing opens before 02-09. */
	due_case(&f, SORTES_DUE, "2026-02-01", 7, NULL, "", &s);
	/* [02-01, 02-09]: A's m1 opens on the last day; its due date,
	 * 02-16, lies beyond the horizon. */
	due_case(&f, SORTES_DUE, "2026-02-01", 8, NULL, "AC.m1 AI.m1", &s);
	ck_assert_str_eq(s.first_buf[3], "m1");
	ck_assert_str_eq(s.first_buf[2], "CW1");
	ck_assert_str_eq(s.first_buf[4], "2026-02-16");
	ck_assert_str_eq(s.first_buf[5], "2026-02-09");
	ck_assert_str_eq(s.first_buf[6], "2026-03-02");
	snprintf(sql, sizeof(sql), "SELECT pseudonym FROM participants WHERE "
	    "id = '%s'", s.first_buf[0]);
	pseudonym = tu_text(f.t, sql);
	ck_assert_str_eq(s.first_buf[1], pseudonym);
	ck_assert_uint_gt(strlen(pseudonym), 0);
	free(pseudonym);
	/* On 03-02 A's m1 closes (inclusive) and B's is open. */
	due_case(&f, SORTES_DUE, "2026-03-02", 0, NULL,
	    "AC.m1 AI.m1 BC.m1 BI.m1", &s);
	/* On 03-03 A's m1 has closed. */
	due_case(&f, SORTES_DUE, "2026-03-03", 0, NULL, "BC.m1 BI.m1", &s);
	ck_assert_str_eq(s.first_buf[4], "2026-03-02");
	ck_assert_str_eq(s.first_buf[2], "CW2");
	/* [03-03, 03-09]: A's m2 opens on 03-09. */
	due_case(&f, SORTES_DUE, "2026-03-03", 6, NULL,
	    "AC.m2 AI.m2 AI.m2_i BC.m1 BI.m1", &s);
	due_case(&f, SORTES_DUE, "2026-03-03", 6, "CW1",
	    "AC.m2 AI.m2 AI.m2_i", &s);
	due_case(&f, SORTES_DUE, "2026-03-03", 6, "CW2", "BC.m1 BI.m1", &s);
	due_case(&f, SORTES_DUE, "2026-03-03", 6, "CW9", "", &s);
	/* A year ahead: everything open. */
	due_case(&f, SORTES_DUE, "2026-01-15", 365, "CW2",
	    "BC.m1 BC.m2 BC.m3 BI.m1 BI.m2 BI.m2_i BI.m3", &s);
	/* A horizon past the year 9999 still means everything ahead. */
	due_case(&f, SORTES_DUE, "2026-04-20", INT32_MAX, "CW1",
	    "AC.m3 AI.m3", &s);
	due_case(&f, SORTES_DUE, "2026-04-20", 3000000, NULL,
	    "AC.m3 AI.m3 BC.m3 BI.m3", &s);
	due_case(&f, SORTES_DUE, "9999-12-20", 30, NULL, "", &s);
	/* Overdue: the window closed before the day. */
	due_case(&f, SORTES_OVERDUE, "2026-03-02", 0, NULL, "", &s);
	due_case(&f, SORTES_OVERDUE, "2026-03-03", 0, NULL, "AC.m1 AI.m1", &s);
	due_case(&f, SORTES_OVERDUE, "2026-04-17", 0, NULL,
	    "AC.m1 AC.m2 AI.m1 AI.m2 AI.m2_i BC.m1 BC.m2 BI.m1 BI.m2 BI.m2_i",
	    &s);
	due_case(&f, SORTES_OVERDUE, "2026-04-17", 0, "CW2",
	    "BC.m1 BC.m2 BI.m1 BI.m2 BI.m2_i", &s);
	due_case(&f, SORTES_OPEN, "2000-01-01", 0, NULL,
	    "AC.m1 AC.m2 AC.m3 AI.m1 AI.m2 AI.m2_i AI.m3 "
	    "BC.m1 BC.m2 BC.m3 BI.m1 BI.m2 BI.m2_i BI.m3", &s);
	due_case(&f, SORTES_OPEN, "2000-01-01", 0, "CW1",
	    "AC.m1 AC.m2 AC.m3 AI.m1 AI.m2 AI.m2_i AI.m3", &s);
	ck_assert_str_eq(s.first_buf[3], "m1");

	/* Done, missed and cancelled occasions are never listed. */
	record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "who5=50", 0,
	    "2026-03-01");
	missed_ok(f.t, f.ids[AC], "m1", "no show", 0);
	ck_assert_int_eq(sortes_withdraw(f.t, f.ids[BC], "moved",
	    "2026-03-05T10:00:00Z", &seq, &err), 0);
	due_case(&f, SORTES_OVERDUE, "2026-03-17", 0, NULL, "BI.m1", &s);
	due_case(&f, SORTES_DUE, "2026-03-02", 0, NULL, "BI.m1", &s);
	due_case(&f, SORTES_OPEN, "2000-01-01", 0, NULL,
	    "AC.m2 AC.m3 AI.m2 AI.m2_i AI.m3 BI.m1 BI.m2 BI.m2_i BI.m3", &s);
	fixture_close(&f);
}
END_TEST

static char *ics_text(struct sortes_trial *t, const char *cw,
    const char *now, int64_t *n);

/* FU_PROTOCOL with outcome_assessment in its trial section. */
static char *
assessed_protocol(const char *how)
{
	static const char after[] = "  weekends: next_monday\n";
	const char *at = strstr(FU_PROTOCOL, after) + strlen(after);
	size_t head = (size_t)(at - FU_PROTOCOL);
	char *yaml = malloc(strlen(FU_PROTOCOL) + 64);

	ck_assert_ptr_nonnull(yaml);
	memcpy(yaml, FU_PROTOCOL, head);
	snprintf(yaml + head, 64, "  outcome_assessment: %s\n", how);
	strcat(yaml, at);
	return yaml;
}

/*
 * A trial of blinded outcome assessment lists only the occasions every
 * arm has: m2_i, of arm I only, would tell the arm.  Asked for, it is
 * there; an open trial lists it as before.
 */
START_TEST(test_due_list_blinded)
{
	static const char all[] = "AC.m1 AC.m2 AC.m3 AI.m1 AI.m2 AI.m2_i "
	    "AI.m3 BC.m1 BC.m2 BC.m3 BI.m1 BI.m2 BI.m2_i BI.m3";
	struct sortes_due_query q = { SORTES_OPEN, 0, 0, NULL, 0, 1 };
	struct fixture f;
	struct seen s;
	struct sortes_error err = { 0 };
	char *yaml = assessed_protocol("blinded");
	int64_t n;
	FILE *fp;

	fixture_open_yaml(&f, yaml);
	fixture_pair_b(&f);
	ck_assert_int_eq(f.t->protocol->outcome_assessment,
	    SORTES_ASSESSMENT_BLINDED);
	due_case(&f, SORTES_OPEN, "2000-01-01", 0, NULL, "AC.m1 AC.m2 AC.m3 "
	    "AI.m1 AI.m2 AI.m3 BC.m1 BC.m2 BC.m3 BI.m1 BI.m2 BI.m3", &s);
	due_case(&f, SORTES_DUE, "2026-03-03", 6, "CW1", "AC.m2 AI.m2", &s);
	due_case(&f, SORTES_OVERDUE, "2026-04-17", 0, NULL, "AC.m1 AC.m2 "
	    "AI.m1 AI.m2 BC.m1 BC.m2 BI.m1 BI.m2", &s);
	q.as_of = tu_day("2000-01-01");
	due_query(&f, &q, all, &s);
	q = (struct sortes_due_query){ SORTES_DUE, tu_day("2026-03-03"), 6,
	    "CW1", 0, 1 };
	due_query(&f, &q, "AC.m2 AI.m2 AI.m2_i", &s);
	/* A page counts only the rows it may show. */
	q = (struct sortes_due_query){ SORTES_OPEN, tu_day("2000-01-01"), 0,
	    "CW1", 7, 0 };
	due_query(&f, &q, "AC.m1 AC.m2 AC.m3 AI.m1 AI.m2 AI.m3", &s);
	/* The calendar holds what the list does. */
	free(ics_text(f.t, NULL, "2026-03-01T09:00:00Z", &n));
	ck_assert_int_eq(n, 12);
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_ics_write(f.t, NULL, 1, "2026-03-01T09:00:00Z",
	    fp, &n, &err), 0);
	ck_assert_int_eq(n, 14);
	fclose(fp);
	fixture_close(&f);
	free(yaml);

	yaml = assessed_protocol("open");
	fixture_open_yaml(&f, yaml);
	fixture_pair_b(&f);
	due_case(&f, SORTES_OPEN, "2000-01-01", 0, NULL, all, &s);
	free(ics_text(f.t, NULL, "2026-03-01T09:00:00Z", &n));
	ck_assert_int_eq(n, 14);
	fixture_close(&f);
	free(yaml);
}
END_TEST

START_TEST(test_due_list_stop_and_usage)
{
	struct fixture f;
	struct sortes_due_query q = { SORTES_OPEN, 0, 0, NULL, 0 };
	struct sortes_error err = { 0 };
	struct seen s;
	int64_t n = -1;

	fixture_open(&f);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	s.stop = 5;
	ck_assert_int_eq(sortes_followup_list(f.t, &q, seen_row, &s, &n, &err),
	    5);
	ck_assert_int_eq(n, 1);
	q.kind = SORTES_DUE;
	q.within = -1;
	ck_assert_int_eq(sortes_followup_list(f.t, &q, seen_row, &s, &n, &err),
	    SORTES_EUSAGE);
	ck_assert_int_eq(n, 0);
	q.kind = (enum sortes_due_kind)7;
	q.within = 0;
	ck_assert_int_eq(sortes_followup_list(f.t, &q, seen_row, &s, &n, &err),
	    SORTES_EUSAGE);
	fixture_close(&f);
}
END_TEST

/* List q with 'limit' into s, rows in the order listed; returns *n. */
static int64_t
limited(const struct fixture *f, struct sortes_due_query q, int64_t limit,
    struct seen *s)
{
	struct sortes_error err = { 0 };
	int64_t n = -1;

	memset(s, 0, sizeof(*s));
	s->f = f;
	q.limit = limit;
	ck_assert_msg(sortes_followup_list(f->t, &q, seen_row, s, &n, &err) ==
	    0, "%s", err.msg);
	ck_assert_int_eq(n, (int64_t)s->n);
	return n;
}

/*
 * A limit cuts the list, in each of its six statements, to its first
 * rows in the same order; 0, or more than there are, lists them all.
 */
START_TEST(test_due_list_limit)
{
	static const struct {
		enum sortes_due_kind kind;
		const char *as_of;
		int within;
		const char *cw;
		int64_t rows;
	} c[] = {
		{ SORTES_OPEN, "2000-01-01", 0, NULL, 14 },
		{ SORTES_OPEN, "2000-01-01", 0, "CW1", 7 },
		{ SORTES_DUE, "2026-03-03", 6, NULL, 5 },
		{ SORTES_DUE, "2026-01-15", 365, "CW2", 7 },
		{ SORTES_OVERDUE, "2026-04-17", 0, NULL, 10 },
		{ SORTES_OVERDUE, "2026-04-17", 0, "CW2", 5 },
	};
	struct fixture f;
	struct seen all, page;
	int64_t k, n, want;

	fixture_open(&f);
	fixture_pair_b(&f);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct sortes_due_query q = { c[i].kind, tu_day(c[i].as_of),
		    c[i].within, c[i].cw, 0 };

		ck_assert_int_eq(limited(&f, q, 0, &all), c[i].rows);
		for (k = 1; k <= c[i].rows + 2; k++) {
			want = k < c[i].rows ? k : c[i].rows;
			n = limited(&f, q, k, &page);
			ck_assert_int_eq(n, want);
			ck_assert_mem_eq(page.rows, all.rows,
			    (size_t)n * sizeof(all.rows[0]));
		}
		ck_assert_int_eq(limited(&f, q, INT64_MAX, &page), c[i].rows);
		ck_assert_mem_eq(page.rows, all.rows, sizeof(all.rows));
	}
	fixture_close(&f);
}
END_TEST

START_TEST(test_due_list_negative_limit)
{
	struct fixture f;
	struct sortes_due_query q = { SORTES_OPEN, 0, 0, NULL, -1 };
	struct sortes_error err = { 0 };
	struct seen s;
	int64_t n = -1;

	fixture_open(&f);
	memset(&s, 0, sizeof(s));
	s.f = &f;
	ck_assert_int_eq(sortes_followup_list(f.t, &q, seen_row, &s, &n, &err),
	    SORTES_EUSAGE);
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_str_eq(err.msg, "bad due query");
	q.limit = INT64_MIN;
	ck_assert_int_eq(sortes_followup_list(f.t, &q, seen_row, &s, &n, &err),
	    SORTES_EUSAGE);
	fixture_close(&f);
}
END_TEST

/* --- the iCalendar file ----------------------------------------------- */

static char *
ics_text(struct sortes_trial *t, const char *cw, const char *now, int64_t *n)
{
	struct sortes_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	ck_assert_msg(sortes_ics_write(t, cw, 0, now, fp, n, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

/* What a calendar holds, parsed back with libical. */
struct calendar {
	char uids[32][128];
	size_t n;
};

static int
by_uid(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The due date the schedule holds for a UID "<participant>-<occ>@...". */
static char *
uid_due(struct sortes_trial *t, const char *uid)
{
	char id[SORTES_UUID_LEN], occasion[32];
	const char *at = strchr(uid, '@');

	ck_assert_ptr_nonnull(at);
	ck_assert_msg(strlen(uid) > SORTES_UUID_LEN && uid[36] == '-', "%s",
	    uid);
	ck_assert_str_eq(at, "@futrial.sortes");
	memcpy(id, uid, 36);
	id[36] = '\0';
	snprintf(occasion, sizeof(occasion), "%.*s", (int)(at - uid - 37),
	    uid + 37);
	return slot_col(t, id, occasion, "due || ' ' || status");
}

static void
ics_event_check(struct sortes_trial *t, icalcomponent *ev,
    struct calendar *c)
{
	struct icaltimetype start = icalcomponent_get_dtstart(ev);
	struct icaltimetype end = icalcomponent_get_dtend(ev);
	const char *uid = icalcomponent_get_uid(ev);
	char want[32], got[32], *due;

	ck_assert_ptr_nonnull(uid);
	ck_assert_uint_lt(c->n, 32);
	snprintf(c->uids[c->n++], sizeof(c->uids[0]), "%s", uid);
	ck_assert_int_eq(icaltime_is_date(start), 1);
	ck_assert_int_eq(icaltime_is_date(end), 1);
	snprintf(got, sizeof(got), "%04d-%02d-%02d open", start.year,
	    start.month, start.day);
	due = uid_due(t, uid);
	snprintf(want, sizeof(want), "%s", due);
	free(due);
	ck_assert_msg(strcmp(got, want) == 0, "%s: DTSTART %s, schedule %s",
	    uid, got, want);
	/* All day: DTEND is the next day. */
	ck_assert_int_eq(icaltime_compare(icaltime_add(start,
	    icaldurationtype_from_int(86400)), end), 0);
}

static void
ics_parse(struct sortes_trial *t, const char *text, struct calendar *c)
{
	icalcomponent *cal = icalparser_parse_string(text), *ev;
	icalproperty *version;

	ck_assert_ptr_nonnull(cal);
	ck_assert_int_eq(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	version = icalcomponent_get_first_property(cal, ICAL_VERSION_PROPERTY);
	ck_assert_ptr_nonnull(version);
	ck_assert_str_eq(icalproperty_get_version(version), "2.0");
	memset(c, 0, sizeof(*c));
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	    ev != NULL;
	    ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		ics_event_check(t, ev, c);
	icalcomponent_free(cal);
	qsort(c->uids, c->n, sizeof(c->uids[0]), by_uid);
	for (size_t i = 1; i < c->n; i++)
		ck_assert_msg(strcmp(c->uids[i - 1], c->uids[i]) != 0,
		    "UID %s twice", c->uids[i]);
}

static int
has_uid(const struct calendar *c, const char *id, const char *occasion)
{
	char uid[128];

	snprintf(uid, sizeof(uid), "%s-%s@futrial.sortes", id, occasion);
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->uids[i], uid) == 0)
			return 1;
	return 0;
}

START_TEST(test_ics)
{
	struct fixture f;
	struct calendar c1, c2;
	struct sortes_error err = { 0 };
	char *t1, *t2;
	int64_t n;
	FILE *fp;

	fixture_open(&f);
	fixture_pair_b(&f);
	t1 = ics_text(f.t, NULL, "2026-03-01T09:00:00Z", &n);
	ck_assert_int_eq(n, 14);
	ics_parse(f.t, t1, &c1);
	ck_assert_uint_eq(c1.n, 14);
	ck_assert_ptr_nonnull(strstr(t1, "X-WR-CALNAME:futrial follow-ups"));
	/* Never the arm. */
	ck_assert_ptr_null(strstr(t1, "Intervention"));
	ck_assert_ptr_null(strstr(t1, "Control"));
	/* The same input, the same file. */
	t2 = ics_text(f.t, NULL, "2026-03-01T09:00:00Z", &n);
	ck_assert_str_eq(t1, t2);
	free(t2);
	/* Written later: the same UIDs. */
	t2 = ics_text(f.t, NULL, "2026-04-01T08:30:00Z", &n);
	ck_assert_str_ne(t1, t2);
	ck_assert_ptr_nonnull(strstr(t2, "DTSTAMP:20260401T083000Z"));
	ics_parse(f.t, t2, &c2);
	ck_assert_mem_eq(c1.uids, c2.uids, sizeof(c1.uids));
	free(t2);

	/* One caseworker's. */
	t2 = ics_text(f.t, "CW2", "2026-03-01T09:00:00Z", &n);
	ck_assert_int_eq(n, 7);
	ics_parse(f.t, t2, &c2);
	ck_assert_uint_eq(c2.n, 7);
	ck_assert_int_eq(has_uid(&c2, f.ids[BI], "m2_i"), 1);
	ck_assert_int_eq(has_uid(&c2, f.ids[BC], "m3"), 1);
	ck_assert_int_eq(has_uid(&c2, f.ids[AI], "m1"), 0);
	ck_assert_ptr_nonnull(strstr(t2, "caseworker CW2"));
	free(t2);

	/* Done occasions leave the calendar. */
	record_ok(f.t, f.ids[AI], "m1", "2026-02-20", "who5=50", 0,
	    "2026-03-01");
	t2 = ics_text(f.t, NULL, "2026-03-01T09:00:00Z", &n);
	ck_assert_int_eq(n, 13);
	ics_parse(f.t, t2, &c2);
	ck_assert_uint_eq(c2.n, 13);
	ck_assert_int_eq(has_uid(&c1, f.ids[AI], "m1"), 1);
	ck_assert_int_eq(has_uid(&c2, f.ids[AI], "m1"), 0);
	ck_assert_int_eq(has_uid(&c2, f.ids[AC], "m1"), 1);
	free(t2);
	free(t1);

	/* A bad time is refused before anything is written. */
	fp = tmpfile();
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_ics_write(f.t, NULL, 0, "2026-03-01", fp, &n,
	    &err), SORTES_EUSAGE);
	ck_assert_int_eq(ftell(fp), 0);
	fclose(fp);
	fixture_close(&f);
}
END_TEST

/*
 * The test program's icalproperty_new_dtstart() stands in front of
 * libical's, so that a test can make it fail as it does when memory
 * runs out.
 */
static int dtstart_fails;

icalproperty *
icalproperty_new_dtstart(struct icaltimetype v)
{
	icalproperty *(*real)(struct icaltimetype);

	if (dtstart_fails) {
		dtstart_fails = 0;
		return NULL;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "icalproperty_new_dtstart");
	ck_assert_ptr_nonnull(real);
	return real(v);
}

/* An event that libical cannot make whole fails the calendar. */
START_TEST(test_ics_out_of_memory)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	int64_t n;
	FILE *fp = tmpfile();

	ck_assert_ptr_nonnull(fp);
	fixture_open(&f);
	dtstart_fails = 1;
	ck_assert_int_eq(sortes_ics_write(f.t, NULL, 0, "2026-03-01T09:00:00Z",
	    fp, &n, &err), SORTES_ENOMEM);
	ck_assert_str_eq(err.msg, "out of memory");
	ck_assert_int_eq(ftell(fp), 0);
	fclose(fp);
	fixture_close(&f);
}
END_TEST

/* --- verify against tampering ----------------------------------------- */

/*
 * Pair A and B; AI's m1 measured and corrected, AC's m1 missed, AC
 * moved to CW3, BC withdrawn.
 */
static void
tamper_fixture(struct fixture *f)
{
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	int64_t seq;

	fixture_open(f);
	fixture_pair_b(f);
	record_ok(f->t, f->ids[AI], "m1", "2026-02-20", "who5=72", 0,
	    "2026-03-01");
	record_ok(f->t, f->ids[AI], "m1", "2026-02-20", "who5=73", CORRECT,
	    "2026-03-01");
	missed_ok(f->t, f->ids[AC], "m1", "no show", 0);
	ck_assert_int_eq(sortes_transfer(f->t, f->ids[AC], "CW3",
	    "2026-03-05T10:00:00Z", &tr, &err), 0);
	ck_assert_int_eq(sortes_withdraw(f->t, f->ids[BC], "moved",
	    "2026-03-06T10:00:00Z", &seq, &err), 0);
	verify_ok(f->t);
}

/* The first participant's open m3 (AI or AC, never withdrawn). */
#define FIRST_M3 "status = 'open' AND occasion = 'm3' AND participant = " \
	"(SELECT min(participant) FROM schedule)"

static const struct {
	const char *sql, *what;
} tampers[] = {
	{ "UPDATE outcomes SET measures = '{\"who5\":99}' WHERE seq = "
	  "(SELECT max(seq) FROM outcomes WHERE status = 'done')",
	  "outcomes table does not agree" },
	{ "UPDATE outcomes SET supersedes = NULL",
	  "outcomes table does not agree" },
	{ "UPDATE outcomes SET reason = 'ill' WHERE status = 'missed'",
	  "outcomes table does not agree" },
	{ "DELETE FROM outcomes WHERE status = 'missed'",
	  "no outcome row records this entry" },
	{ "UPDATE schedule SET status = 'done' WHERE " FIRST_M3,
	  "done, missed or cancelled without cause" },
	{ "UPDATE schedule SET status = 'cancelled' WHERE " FIRST_M3,
	  "done, missed or cancelled without cause" },
	{ "UPDATE schedule SET caseworker = 'CW9' WHERE " FIRST_M3,
	  "not with the participant's current caseworker" },
	/* AC's open occasions back with the caseworker before the move. */
	{ "UPDATE schedule SET caseworker = 'CW1' WHERE caseworker = 'CW3'",
	  "not with the participant's current caseworker" },
	{ "DELETE FROM schedule WHERE " FIRST_M3,
	  "does not hold the follow-ups of this participant's arm" },
	{ "UPDATE schedule SET occasion = 'm9' WHERE " FIRST_M3,
	  "a follow-up the protocol does not declare" },
	/* An m2_i row for AC, who is in C. */
	{ "INSERT INTO schedule (participant, occasion, due, window_start, "
	  "window_end, caseworker) SELECT participant, 'm2_i', due, "
	  "window_start, window_end, caseworker FROM schedule WHERE "
	  "caseworker = 'CW3' AND occasion = 'm2'",
	  "does not hold the follow-ups of this participant's arm" },
	{ "UPDATE schedule SET status = 'open' WHERE status = 'cancelled' "
	  "AND occasion = 'm2'",
	  "open occasions of withdrawn participants" },
	{ "UPDATE schedule SET outcome = (SELECT min(seq) FROM outcomes) "
	  "WHERE status = 'done'",
	  "schedule rows whose status is not their latest outcome's" },
	{ "UPDATE schedule SET status = 'missed' WHERE status = 'done'",
	  "schedule rows whose status is not their latest outcome's" },
	{ "UPDATE schedule SET status = 'open', outcome = NULL WHERE "
	  "status = 'missed'",
	  "outcomes of occasions the schedule shows as not recorded" },
	{ "UPDATE schedule SET due = date(due, '+7 days') WHERE " FIRST_M3,
	  "schedule dates a follow-up otherwise" },
	{ "UPDATE schedule SET window_start = date(window_start, '-1 day') "
	  "WHERE " FIRST_M3,
	  "schedule dates a follow-up otherwise" },
	/* Done and cancelled occasions keep the dates they were given. */
	{ "UPDATE schedule SET window_end = date(window_end, '+30 days') "
	  "WHERE status = 'done'",
	  "schedule dates a follow-up otherwise" },
	{ "UPDATE schedule SET due = date(due, '-1 day') WHERE status = "
	  "'cancelled'",
	  "schedule dates a follow-up otherwise" },
	/* All of a participant's dates moved together, as if enrolled on
	 * another day. */
	{ "UPDATE schedule SET due = date(due, '+1 day'), window_start = "
	  "date(window_start, '+1 day'), window_end = date(window_end, "
	  "'+1 day') WHERE participant = (SELECT min(participant) FROM "
	  "schedule)",
	  "schedule dates a follow-up otherwise" },
};

START_TEST(test_verify_tampered)
{
	struct fixture f;
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	int rc;

	tamper_fixture(&f);
	tu_sql(f.t, tampers[_i].sql);
	ck_assert_int_gt(sqlite3_changes(f.t->db->sql), 0);
	rc = sortes_verify(f.t, tu_local_day, &rep, &err);
	ck_assert_msg(rc == SORTES_EVERIFY, "%s: verify returned %d (%s)",
	    tampers[_i].sql, rc, err.msg);
	ck_assert_msg(strstr(err.msg, tampers[_i].what) != NULL, "%s: "
	    "expected '%s' in: %s", tampers[_i].sql, tampers[_i].what,
	    err.msg);
	fixture_close(&f);
}
END_TEST

/* A day later than the zone of tu_local_day: as if in another zone. */
static int
day_later(int32_t *out, const char *utc, const char *tz,
    struct sortes_error *err)
{
	int rc = tu_local_day(out, utc, tz, err);

	(*out)++;
	return rc;
}

static int
no_zone(int32_t *out, const char *utc, const char *tz,
    struct sortes_error *err)
{
	(void)out;
	(void)utc;
	return sortes_error_set(err, SORTES_EUNSUPPORTED, "no zone %s", tz);
}

/*
 * The schedule's dates follow from the enrollment day in the trial's
 * own time zone: verify asks for it, and another day or a zone that
 * cannot be read fails it.
 */
START_TEST(test_verify_dates_zone)
{
	struct fixture f;
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	int rc;

	tamper_fixture(&f);
	tu_last_tz[0] = '\0';
	verify_ok(f.t);
	ck_assert_str_eq(tu_last_tz, f.t->protocol->timezone);
	rc = sortes_verify(f.t, day_later, &rep, &err);
	ck_assert_int_eq(rc, SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, "schedule dates a follow-up") != NULL,
	    "%s", err.msg);
	ck_assert_int_gt(rep.bad_seq, 0);
	memset(&err, 0, sizeof(err));
	rc = sortes_verify(f.t, no_zone, &rep, &err);
	ck_assert_int_eq(rc, SORTES_EUNSUPPORTED);
	ck_assert_msg(strstr(err.msg, "no zone") != NULL, "%s", err.msg);
	fixture_close(&f);
}
END_TEST

START_TEST(test_log_is_append_only)
{
	struct fixture f;
	struct sortes_error err = { 0 };

	tamper_fixture(&f);
	ck_assert_int_ne(sortes_db_exec(f.t->db, "UPDATE log SET body = "
	    "replace(body, '73', '74') WHERE kind = 'measure'", &err), 0);
	ck_assert_int_ne(sortes_db_exec(f.t->db, "DELETE FROM log WHERE kind "
	    "= 'missed'", &err), 0);
	verify_ok(f.t);
	fixture_close(&f);
}
END_TEST

Suite *
suite_followup(void)
{
	Suite *s = suite_create("followup");
	TCase *dates = tcase_create("dates");
	TCase *rows = tcase_create("rows");
	TCase *rec = tcase_create("record");
	TCase *list = tcase_create("list");
	TCase *tamper = tcase_create("verify");

	tcase_add_test(dates, test_ungifokus_dates);
	tcase_add_test(dates, test_ungebudgetter_dates);
	tcase_add_test(dates, test_weekend_rules);
	tcase_add_test(dates, test_schedule_range);
	tcase_add_test(dates, test_applies_and_lookup);
	tcase_add_test(rows, test_rows_ungebudgetter);
	tcase_add_test(rows, test_rows_individual);
	tcase_add_test(rows, test_rows_no_followups);
	tcase_add_test(rec, test_record_values);
	tcase_add_test(rec, test_record_refusals);
	tcase_add_test(rec, test_local_day);
	tcase_add_test(rec, test_out_of_window);
	tcase_add_test(rec, test_correction);
	tcase_add_test(rec, test_correction_keeps_the_rest);
	tcase_add_test(rec, test_missed);
	tcase_add_test(rec, test_withdraw);
	tcase_add_test(rec, test_transfer);
	tcase_add_test(list, test_due_list);
	tcase_add_test(list, test_due_list_blinded);
	tcase_add_test(list, test_due_list_stop_and_usage);
	tcase_add_test(list, test_due_list_limit);
	tcase_add_test(list, test_due_list_negative_limit);
	tcase_add_test(list, test_ics);
	tcase_add_test(list, test_ics_out_of_memory);
	tcase_add_loop_test(tamper, test_verify_tampered, 0,
	    (int)(sizeof(tampers) / sizeof(tampers[0])));
	tcase_add_test(tamper, test_log_is_append_only);
	tcase_add_test(tamper, test_verify_dates_zone);
	suite_add_tcase(s, dates);
	suite_add_tcase(s, rows);
	suite_add_tcase(s, rec);
	suite_add_tcase(s, list);
	suite_add_tcase(s, tamper);
	return s;
}
