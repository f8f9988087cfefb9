/*
 * budget.c - spends of per-participant budgets, and what remains.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/budget.h"
#include "sortes/date.h"
#include "sortes/field.h"
#include "sortes/record.h"
#include "event.h"

int
sortes_amount_parse(const char *text, int64_t *minor,
    struct sortes_error *err)
{
	int rc = sortes_decimal_parse(text, strlen(text), 2, minor);

	if (rc == SORTES_DECIMAL_PLACES)
		return sortes_error_set(err, SORTES_EDATA, "amount '%s' has "
		    "more than 2 decimals", text);
	if (rc != 0)
		return sortes_error_set(err, SORTES_EDATA, "amount '%s' is not "
		    "an amount; expected a number such as 3200 or 3200.50",
		    text);
	if (*minor <= 0)
		return sortes_error_set(err, SORTES_EDATA, "amount '%s' is not "
		    "above 0", text);
	return 0;
}

void
sortes_amount_format(int64_t minor, char buf[SORTES_DECIMAL_BUF])
{
	sortes_decimal_format(minor, 2, buf);
}

static int
arm_has_budget(const struct sortes_budget *b, long arm)
{
	for (size_t i = 0; i < b->narms; i++)
		if ((long)b->arms[i] == arm)
			return 1;
	return 0;
}

static int
category_check(const struct sortes_budget *b, const char *category,
    struct sortes_error *err)
{
	char list[512];

	if (b->categories == NULL)
		return sortes_event_text("category", category, 64, err);
	for (size_t i = 0; i < b->ncategories; i++)
		if (strcmp(b->categories[i], category) == 0)
			return 0;
	sortes_join_words(list, sizeof(list), b->categories, b->ncategories);
	return sortes_error_set(err, SORTES_EDATA, "category '%s' is not one "
	    "of the protocol's: %s", category, list);
}

static int
spent_so_far(struct sortes_trial *t, int64_t participant, int64_t *spent,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "SELECT coalesce(sum(amount_minor), "
	    "0) FROM spends WHERE participant = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, participant);
	if (sqlite3_step(st) == SQLITE_ROW)
		*spent = sqlite3_column_int64(st, 0);
	else
		rc = sortes_db_fail(t->db, "adding up spends", err);
	sqlite3_finalize(st);
	return rc;
}

/* Everything that can refuse a spend, before anything is written. */
static int
spend_check(struct sortes_trial *t, const struct sortes_spend_input *in,
    const struct sortes_clock *clock, struct sortes_event_participant *who,
    struct sortes_spend_result *out, struct sortes_error *err)
{
	const struct sortes_budget *b = t->protocol->budget;
	char have[SORTES_DECIMAL_BUF], left[SORTES_DECIMAL_BUF];
	int32_t enrolled;
	int rc;

	if (b == NULL)
		return sortes_error_set(err, SORTES_EDATA, "the protocol "
		    "declares no budget");
	if (in->amount_minor <= 0)
		return sortes_error_set(err, SORTES_EDATA, "the amount must be "
		    "above 0");
	if ((rc = category_check(b, in->category, err)) != 0 ||
	    (in->note != NULL && (rc = sortes_event_text("note", in->note,
	    SORTES_NOTE_MAX, err)) != 0))
		return rc;
	if ((rc = sortes_event_participant(t, in->participant, who, err)) != 0)
		return rc;
	if (who->withdrawn)
		return sortes_error_set(err, SORTES_EDATA, "participant '%s' "
		    "has withdrawn", in->participant);
	if (!arm_has_budget(b, who->arm_index))
		return sortes_error_set(err, SORTES_EDATA, "participant '%s' is "
		    "in arm %s, which has no budget", in->participant, who->arm);
	if (in->spent_on > clock->today)
		return sortes_error_set(err, SORTES_EDATA, "the date of the "
		    "spend is in the future");
	rc = clock->local_day(&enrolled, who->enrolled_at,
	    t->protocol->timezone, err);
	if (rc == 0 && in->spent_on < enrolled)
		rc = sortes_error_set(err, SORTES_EDATA, "the date of the spend "
		    "is before the participant was enrolled");
	if (rc == 0)
		rc = spent_so_far(t, who->seq, &out->spent_minor, err);
	if (rc != 0)
		return rc;
	out->remaining_minor = b->amount_minor - out->spent_minor;
	if (in->amount_minor <= out->remaining_minor)
		return 0;
	sortes_amount_format(out->spent_minor, have);
	sortes_amount_format(out->remaining_minor, left);
	return sortes_error_set(err, SORTES_EDATA, "the spend would overspend "
	    "the budget: %s %s spent, %s %s remaining", have, b->currency, left,
	    b->currency);
}

static int
spend_store(struct sortes_trial *t, const struct sortes_spend_record *r,
    int64_t participant, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "INSERT INTO spends (seq, "
	    "participant, amount_minor, category, note, spent_on, recorded_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, r->seq);
	sqlite3_bind_int64(st, 2, participant);
	sqlite3_bind_int64(st, 3, r->amount_minor);
	sqlite3_bind_text(st, 4, r->category, -1, SQLITE_STATIC);
	if (r->note != NULL)
		sqlite3_bind_text(st, 5, r->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->spent_on, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->recorded_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing a spend", err);
	sqlite3_finalize(st);
	return rc;
}

static int
spend_run(struct sortes_trial *t, const struct sortes_spend_input *in,
    const struct sortes_clock *clock, struct sortes_spend_result *out,
    struct sortes_error *err)
{
	struct sortes_event_participant who;
	struct sortes_jcs body;
	char on[11];
	int rc;

	rc = spend_check(t, in, clock, &who, out, err);
	if (rc == 0)
		rc = sortes_event_seq(t, &out->seq, err);
	if (rc != 0)
		return rc;
	sortes_date_format(in->spent_on, on);
	struct sortes_spend_record r = {
		.seq = out->seq, .participant = in->participant,
		.amount_minor = in->amount_minor,
		.currency = t->protocol->budget->currency,
		.category = in->category, .note = in->note, .spent_on = on,
		.recorded_at = clock->now,
	};
	sortes_jcs_init(&body);
	sortes_record_spend(&body, &r);
	rc = sortes_event_append(t, "spend", r.recorded_at, &body, err);
	sortes_jcs_free(&body);
	if (rc == 0)
		rc = spend_store(t, &r, who.seq, err);
	out->spent_minor += in->amount_minor;
	out->remaining_minor -= in->amount_minor;
	return rc;
}

int
sortes_budget_spend(struct sortes_trial *t,
    const struct sortes_spend_input *in, const struct sortes_clock *clock,
    struct sortes_spend_result *out, struct sortes_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = spend_run(t, in, clock, out, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

static int
report_categories(struct sortes_trial *t, sortes_budget_fn fn, void *ctx,
    struct sortes_error *err)
{
	struct sortes_budget_line line = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, "SELECT category, count(*), "
	    "sum(amount_minor) FROM spends GROUP BY category ORDER BY category",
	    err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		line.category = (const char *)sqlite3_column_text(st, 0);
		line.spends = sqlite3_column_int64(st, 1);
		line.spent_minor = sqlite3_column_int64(st, 2);
		rc = fn(ctx, &line, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading spends", err);
	sqlite3_finalize(st);
	return rc;
}

static int
report_participants(struct sortes_trial *t, sortes_budget_fn fn, void *ctx,
    struct sortes_error *err)
{
	const struct sortes_budget *b = t->protocol->budget;
	struct sortes_budget_line line = { 0 };
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, "SELECT p.id, p.pseudonym, a.arm, "
	    "count(sp.seq), coalesce(sum(sp.amount_minor), 0) FROM "
	    "participants p JOIN allocations a ON a.seq = p.seq LEFT JOIN "
	    "spends sp ON sp.participant = p.seq GROUP BY p.seq ORDER BY p.seq",
	    err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		line.arm = (const char *)sqlite3_column_text(st, 2);
		if (!arm_has_budget(b, sortes_protocol_arm(t->protocol,
		    line.arm)))
			continue;
		line.participant = (const char *)sqlite3_column_text(st, 0);
		line.pseudonym = (const char *)sqlite3_column_text(st, 1);
		line.spends = sqlite3_column_int64(st, 3);
		line.spent_minor = sqlite3_column_int64(st, 4);
		line.remaining_minor = b->amount_minor - line.spent_minor;
		rc = fn(ctx, &line, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading budgets", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_budget_report(struct sortes_trial *t, sortes_budget_fn fn, void *ctx,
    struct sortes_error *err)
{
	int rc;

	if (t->protocol->budget == NULL)
		return sortes_error_set(err, SORTES_EDATA, "the protocol "
		    "declares no budget");
	/* One read transaction: both halves see the same ledger. */
	if ((rc = sortes_db_exec(t->db, "BEGIN", err)) != 0)
		return rc;
	rc = report_categories(t, fn, ctx, err);
	if (rc == 0)
		rc = report_participants(t, fn, ctx, err);
	sortes_db_rollback(t->db);
	return rc;
}
