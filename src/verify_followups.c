/*
 * verify_followups.c - checking measurements, missed occasions and
 * spends against their entries, and the schedule against the outcomes,
 * withdrawals, transfers and protocol.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/record.h"
#include "sortes/schedule.h"
#include "verify_int.h"

/* The outcome it supersedes is the latest one before it, if any. */
static int
verify_supersedes(struct verify_state *v, int64_t seq, int64_t supersedes,
    struct sortes_error *err)
{
	sqlite3_stmt *st = v->earlier_outcome;
	int64_t latest = -1;

	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		latest = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (latest < 0)
		return sortes_db_fail(v->trial->db, "reading outcomes", err);
	if (latest != supersedes)
		return verify_fail(v, seq, err, latest == 0 ? "a correction "
		    "with nothing before it to correct" : "an outcome that "
		    "does not supersede the latest one before it");
	return 0;
}

int
verify_outcome(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	int missed = strcmp(verify_col(st, C_KIND), "missed") == 0;
	int64_t supersedes = sqlite3_column_int64(st, C_O_SUPERSEDES);
	int rc;

	v->counts.outcome++;
	if (strcmp(verify_col(st, C_O_STATUS), missed ? "missed" : "done"))
		return verify_fail(v, seq, err, "no outcome row records this "
		    "entry");
	sortes_jcs_reset(&v->jcs);
	if (missed)
		sortes_record_missed(&v->jcs, &(struct sortes_missed_record){
		    .seq = seq, .participant = verify_col(st, C_O_PARTICIPANT),
		    .occasion = verify_col(st, C_O_OCCASION),
		    .reason = verify_col(st, C_O_REASON),
		    .supersedes = supersedes,
		    .recorded_at = verify_col(st, C_O_AT) });
	else
		sortes_record_measure(&v->jcs, &(struct sortes_measure_record){
		    .seq = seq, .participant = verify_col(st, C_O_PARTICIPANT),
		    .occasion = verify_col(st, C_O_OCCASION),
		    .measured_on = verify_col(st, C_O_ON),
		    .out_of_window = sqlite3_column_int(st, C_O_OUT),
		    .measures = verify_col(st, C_O_MEASURES),
		    .supersedes = supersedes,
		    .recorded_at = verify_col(st, C_O_AT) });
	if ((rc = verify_same(v, st, err, "outcomes table does")) != 0)
		return rc;
	return verify_supersedes(v, seq, supersedes, err);
}

int
verify_spend(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	const struct sortes_budget *b = v->trial->protocol->budget;

	v->counts.spend++;
	if (sqlite3_column_type(st, C_SP_AMOUNT) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no spend row records this "
		    "entry");
	if (b == NULL)
		return verify_fail(v, seq, err, "a spend in a trial whose "
		    "protocol declares no budget");
	sortes_jcs_reset(&v->jcs);
	sortes_record_spend(&v->jcs, &(struct sortes_spend_record){
	    .seq = seq, .participant = verify_col(st, C_SP_PARTICIPANT),
	    .amount_minor = sqlite3_column_int64(st, C_SP_AMOUNT),
	    .currency = b->currency,
	    .category = verify_col(st, C_SP_CATEGORY),
	    .note = sqlite3_column_type(st, C_SP_NOTE) == SQLITE_NULL ? NULL :
	    verify_col(st, C_SP_NOTE),
	    .spent_on = verify_col(st, C_SP_ON),
	    .recorded_at = verify_col(st, C_SP_AT) });
	return verify_same(v, st, err, "spends table does");
}

/*
 * Counts that must be zero, each with what it means when it is not.
 * The schedule's status follows from the outcomes (the latest one
 * decides) and withdrawals (open occasions are cancelled); the
 * schedule pass below checks the caseworkers of open occasions.
 */
static const struct {
	const char *sql, *what;
} zero_checks[] = {
	{ "SELECT count(*) FROM schedule s JOIN outcomes o ON o.seq = "
	  "s.outcome WHERE o.participant <> s.participant OR o.occasion <> "
	  "s.occasion OR o.status <> s.status OR EXISTS (SELECT 1 FROM "
	  "outcomes n WHERE n.supersedes = o.seq)",
	  "schedule rows whose status is not their latest outcome's" },
	{ "SELECT count(*) FROM outcomes o JOIN schedule s ON "
	  "s.participant = o.participant AND s.occasion = o.occasion "
	  "WHERE s.outcome IS NULL",
	  "outcomes of occasions the schedule shows as not recorded" },
	{ "SELECT count(*) FROM schedule s WHERE s.outcome IS NULL AND "
	  "(s.status IN ('done', 'missed') OR (s.status = 'cancelled' AND "
	  "NOT EXISTS (SELECT 1 FROM withdrawals w WHERE w.participant = "
	  "s.participant)))",
	  "schedule rows done, missed or cancelled without cause" },
	/* CROSS JOIN keeps the few withdrawals outermost: the planner
	 * would otherwise start from every open occasion. */
	{ "SELECT count(*) FROM withdrawals w CROSS JOIN schedule s ON "
	  "s.participant = w.participant WHERE s.status = 'open'",
	  "open occasions of withdrawn participants" },
	{ "SELECT count(*) FROM withdrawals w JOIN outcomes o ON "
	  "o.participant = w.participant WHERE o.seq > w.seq",
	  "outcomes recorded after the participant withdrew" },
	{ "SELECT count(*) FROM withdrawals w JOIN spends sp ON "
	  "sp.participant = w.participant WHERE sp.seq > w.seq",
	  "spends recorded after the participant withdrew" },
};

static int
verify_zero(struct verify_state *v, const char *sql, const char *what,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(v->trial->db, &st, sql, err);

	if (rc == 0 && sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(v->trial->db, "checking follow-ups", err);
	if (rc == 0 && sqlite3_column_int64(st, 0) != 0)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the tables hold "
		    "%lld %s", (long long)sqlite3_column_int64(st, 0), what);
	sqlite3_finalize(st);
	return rc;
}

/* Occasions applying to arm 'arm', as a mask and a count. */
static uint64_t
arm_mask(const struct sortes_protocol *p, long arm, int64_t *n)
{
	uint64_t mask = 0;

	*n = 0;
	for (size_t i = 0; i < p->noccasions && i < 64; i++)
		if (arm >= 0 && sortes_occasion_applies(&p->occasions[i],
		    (size_t)arm)) {
			mask |= (uint64_t)1 << i;
			(*n)++;
		}
	return mask;
}

/*
 * Each participant's rows are exactly the occasions of its arm, dated
 * from its enrollment day as enrolling dated them.  Consecutive
 * participants mostly share an enrollment time and day, so each is
 * converted once for the run of them.
 */
struct shape {
	int64_t participant;
	long arm;
	uint64_t mask;
	int64_t rows, expected;
	char enrolled_at[21];		/* the time 'dates' were set from */
	struct sortes_day_dates dates;
};

enum {
	SH_PARTICIPANT, SH_OCCASION, SH_ARM, SH_ENROLLED_AT, SH_DUE,
	SH_STATUS = SH_DUE + 3, SH_CASEWORKER, SH_CURRENT
};

/*
 * The participant's caseworker now (SH_CURRENT) is the one of its
 * latest transfer, else the one it was enrolled with; SQLite gives a
 * bare column the value from the row where max() found its maximum.
 */
#define SHAPE_SQL \
	"SELECT s.participant, s.occasion, a.arm, p.enrolled_at, s.due, " \
	"s.window_start, s.window_end, s.status, s.caseworker, " \
	"coalesce(t.to_caseworker, p.caseworker) FROM schedule s " \
	"JOIN allocations a ON a.seq = s.participant " \
	"JOIN participants p ON p.seq = s.participant " \
	"LEFT JOIN (SELECT participant, to_caseworker, max(seq) FROM " \
	"transfers GROUP BY participant) t ON t.participant = s.participant " \
	"ORDER BY s.participant"

static int
shape_close(struct verify_state *v, struct shape *s, struct sortes_error *err)
{
	int64_t n;

	if (s->participant == 0)
		return 0;
	if (s->mask != arm_mask(v->trial->protocol, s->arm, &n))
		return verify_fail(v, s->participant, err, "the schedule does "
		    "not hold the follow-ups of this participant's arm");
	return 0;
}

static int
shape_open(struct verify_state *v, sqlite3_stmt *st, struct shape *s,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = v->trial->protocol;
	const char *at = verify_col(st, SH_ENROLLED_AT);
	int32_t day;
	int rc;

	s->participant = sqlite3_column_int64(st, SH_PARTICIPANT);
	s->arm = sortes_protocol_arm(p, verify_col(st, SH_ARM));
	s->mask = 0;
	if (s->dates.have_day && strcmp(at, s->enrolled_at) == 0)
		return 0;
	if ((rc = v->local_day(&day, at, p->timezone, err)) != 0)
		return rc;
	if (sortes_day_dates_set(&s->dates, day, err) != 0)
		return verify_fail(v, s->participant, err, "the follow-ups of "
		    "this enrollment fall outside the years 1000-9999");
	snprintf(s->enrolled_at, sizeof(s->enrolled_at), "%s", at);
	return 0;
}

static int
shape_row(struct verify_state *v, sqlite3_stmt *st, struct shape *s,
    struct sortes_error *err)
{
	long o = sortes_protocol_occasion(v->trial->protocol,
	    verify_col(st, SH_OCCASION));
	int rc;

	if (sqlite3_column_int64(st, SH_PARTICIPANT) != s->participant) {
		if ((rc = shape_close(v, s, err)) != 0 ||
		    (rc = shape_open(v, st, s, err)) != 0)
			return rc;
	}
	if (o < 0 || o >= 64)
		return verify_fail(v, s->participant, err, "the schedule holds "
		    "a follow-up the protocol does not declare");
	for (int i = 0; i < 3; i++)
		if (strcmp(verify_col(st, SH_DUE + i), s->dates.text[o][i]))
			return verify_fail(v, s->participant, err, "the "
			    "schedule dates a follow-up otherwise than the "
			    "enrollment day and the protocol do");
	if (strcmp(verify_col(st, SH_STATUS), "open") == 0 &&
	    strcmp(verify_col(st, SH_CASEWORKER), verify_col(st, SH_CURRENT)))
		return verify_fail(v, s->participant, err, "the schedule holds "
		    "open follow-ups not with the participant's current "
		    "caseworker");
	s->mask |= (uint64_t)1 << o;
	s->rows++;
	return 0;
}

/*
 * How many rows the schedule should hold, from participants per arm:
 * one count per arm, since a GROUP BY over a million allocations would
 * sort them in memory.
 */
static int
shape_expected(struct verify_state *v, struct shape *s,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = v->trial->protocol;
	sqlite3_stmt *st = NULL;
	int64_t n;
	int rc;

	rc = sortes_db_prepare(v->trial->db, &st, "SELECT count(*) FROM "
	    "allocations WHERE arm = ?", err);
	for (size_t a = 0; rc == 0 && a < p->narms; a++) {
		arm_mask(p, (long)a, &n);
		sqlite3_bind_text(st, 1, p->arms[a].code, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW)
			rc = sortes_db_fail(v->trial->db, "counting "
			    "allocations", err);
		else
			s->expected += n * sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

static int
verify_schedule_shape(struct verify_state *v, struct sortes_error *err)
{
	struct shape s = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_day_dates_init(&s.dates, v->trial->protocol, err);
	if (rc == 0)
		rc = sortes_db_prepare(v->trial->db, &st, SHAPE_SQL, err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = shape_row(v, st, &s, err);
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(v->trial->db, "reading the schedule", err);
	sqlite3_finalize(st);
	sortes_day_dates_free(&s.dates);
	if (rc == 0)
		rc = shape_close(v, &s, err);
	if (rc == 0)
		rc = shape_expected(v, &s, err);
	if (rc == 0 && s.rows != s.expected)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the schedule holds "
		    "%lld follow-ups, but the participants' arms call for %lld",
		    (long long)s.rows, (long long)s.expected);
	return rc;
}

/* No participant above the budget, and none in an arm without one. */
static int
verify_budgets(struct verify_state *v, struct sortes_error *err)
{
	const struct sortes_budget *b = v->trial->protocol->budget;
	sqlite3_stmt *st = NULL;
	int rc, step;

	if (b == NULL)
		return 0;
	rc = sortes_db_prepare(v->trial->db, &st, "SELECT a.arm, "
	    "max(t.spent) FROM (SELECT participant, sum(amount_minor) AS spent "
	    "FROM spends GROUP BY participant) t JOIN allocations a ON "
	    "a.seq = t.participant GROUP BY a.arm", err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		long arm = sortes_protocol_arm(v->trial->protocol,
		    verify_col(st, 0));
		int has = 0;

		for (size_t i = 0; i < b->narms; i++)
			has |= arm >= 0 && b->arms[i] == (size_t)arm;
		if (!has)
			rc = sortes_error_set(err, SORTES_EVERIFY, "participants "
			    "of arm %s, which has no budget, have spends",
			    verify_col(st, 0));
		else if (sqlite3_column_int64(st, 1) > b->amount_minor)
			rc = sortes_error_set(err, SORTES_EVERIFY, "a "
			    "participant of arm %s has spent more than the "
			    "budget", verify_col(st, 0));
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(v->trial->db, "reading spends", err);
	sqlite3_finalize(st);
	return rc;
}

int
verify_followups(struct verify_state *v, struct sortes_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(zero_checks) /
	    sizeof(zero_checks[0]); i++)
		rc = verify_zero(v, zero_checks[i].sql, zero_checks[i].what,
		    err);
	if (rc == 0)
		rc = verify_schedule_shape(v, err);
	if (rc == 0)
		rc = verify_budgets(v, err);
	return rc;
}
