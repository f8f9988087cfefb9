/*
 * lifecycle.c - transfers and withdrawals, each one log entry.  Both
 * carry the participant's open follow-ups along.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/jcs.h"
#include "sortes/lifecycle.h"
#include "sortes/record.h"
#include "event.h"

/* The arm of caseworker 'code', or "" when it has none yet. */
static int
caseworker_arm(struct sortes_trial *t, const char *code, char *arm, size_t n,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, "SELECT coalesce(ca.arm, '') FROM "
	    "caseworkers c LEFT JOIN caseworker_allocations ca ON "
	    "ca.caseworker = c.seq WHERE c.code = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		snprintf(arm, n, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (step == SQLITE_DONE)
		rc = sortes_error_set(err, SORTES_EDATA, "caseworker '%s' is "
		    "not registered", code);
	else
		rc = sortes_db_fail(t->db, "looking up a caseworker", err);
	sqlite3_finalize(st);
	if (rc == 0 && arm[0] == '\0')
		rc = sortes_error_set(err, SORTES_EDATA, "caseworker '%s' is "
		    "not allocated yet", code);
	return rc;
}

static int
transfer_check(struct sortes_trial *t, const struct sortes_event_participant *p,
    const char *id, const char *to, struct sortes_transfer_result *out,
    struct sortes_error *err)
{
	char arm[64];
	int rc;

	if (p->withdrawn)
		return sortes_error_set(err, SORTES_EDATA, "participant '%s' "
		    "has withdrawn", id);
	if ((rc = sortes_caseworker_code_check(to, err)) != 0)
		return rc;
	if (strcmp(p->caseworker, to) == 0)
		return sortes_error_set(err, SORTES_EDATA, "participant '%s' is "
		    "with caseworker '%s' already", id, to);
	snprintf(out->from, sizeof(out->from), "%s", p->caseworker);
	out->cross_arm = -1;
	if (t->protocol->unit != SORTES_UNIT_CASEWORKER)
		return 0;
	if ((rc = caseworker_arm(t, to, arm, sizeof(arm), err)) != 0)
		return rc;
	out->cross_arm = strcmp(arm, p->arm) != 0;
	return 0;
}

/*
 * The open follow-ups of participant 'seq' after a transfer (to
 * caseworker 'to') or a withdrawal ('to' NULL: cancelled).  Occasions
 * done or missed keep what they were.
 */
static int
schedule_follow(struct sortes_trial *t, int64_t seq, const char *to,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, to != NULL ?
	    "UPDATE schedule SET caseworker = ?2 WHERE participant = ?1 "
	    "AND status = 'open'" : "UPDATE schedule SET status = "
	    "'cancelled' WHERE participant = ?1 AND status = 'open'", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	if (to != NULL)
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "updating follow-ups", err);
	sqlite3_finalize(st);
	return rc;
}

static int
transfer_store(struct sortes_trial *t, const struct sortes_event_participant *p,
    const char *to, const char *at, const struct sortes_transfer_result *out,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "INSERT INTO transfers (seq, "
	    "participant, from_caseworker, to_caseworker, cross_arm, "
	    "transferred_at) VALUES (?, ?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, out->seq);
	sqlite3_bind_int64(st, 2, p->seq);
	sqlite3_bind_text(st, 3, out->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
	if (out->cross_arm >= 0)
		sqlite3_bind_int(st, 5, out->cross_arm);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing a transfer", err);
	sqlite3_finalize(st);
	return rc == 0 ? schedule_follow(t, p->seq, to, err) : rc;
}

static int
transfer_run(struct sortes_trial *t, const char *id, const char *to,
    const char *at, struct sortes_transfer_result *out,
    struct sortes_error *err)
{
	struct sortes_event_participant p;
	struct sortes_jcs body;
	int rc;

	rc = sortes_event_participant(t, id, &p, err);
	if (rc == 0)
		rc = transfer_check(t, &p, id, to, out, err);
	if (rc == 0)
		rc = sortes_event_seq(t, &out->seq, err);
	if (rc != 0)
		return rc;
	sortes_jcs_init(&body);
	sortes_record_transfer(&body, &(struct sortes_transfer_record){
	    .seq = out->seq, .participant = id, .from = out->from, .to = to,
	    .cross_arm = out->cross_arm, .transferred_at = at });
	rc = sortes_event_append(t, "transfer", at, &body, err);
	sortes_jcs_free(&body);
	return rc == 0 ? transfer_store(t, &p, to, at, out, err) : rc;
}

int
sortes_transfer(struct sortes_trial *t, const char *participant,
    const char *to, const char *at, struct sortes_transfer_result *out,
    struct sortes_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = transfer_run(t, participant, to, at, out, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

static int
withdraw_store(struct sortes_trial *t, int64_t seq, int64_t participant,
    const char *reason, const char *at, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "INSERT INTO withdrawals (seq, "
	    "participant, reason, withdrawn_at) VALUES (?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, participant);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing a withdrawal", err);
	sqlite3_finalize(st);
	return rc == 0 ? schedule_follow(t, participant, NULL, err) : rc;
}

static int
withdraw_run(struct sortes_trial *t, const char *id, const char *reason,
    const char *at, int64_t *seq, struct sortes_error *err)
{
	struct sortes_event_participant p;
	struct sortes_jcs body;
	int rc;

	rc = sortes_event_text("reason", reason, SORTES_REASON_MAX, err);
	if (rc == 0)
		rc = sortes_event_participant(t, id, &p, err);
	if (rc == 0 && p.withdrawn)
		rc = sortes_error_set(err, SORTES_EDATA, "participant '%s' has "
		    "withdrawn already", id);
	if (rc == 0)
		rc = sortes_event_seq(t, seq, err);
	if (rc != 0)
		return rc;
	sortes_jcs_init(&body);
	sortes_record_withdraw(&body, &(struct sortes_withdraw_record){
	    .seq = *seq, .participant = id, .reason = reason,
	    .withdrawn_at = at });
	rc = sortes_event_append(t, "withdraw", at, &body, err);
	sortes_jcs_free(&body);
	return rc == 0 ? withdraw_store(t, *seq, p.seq, reason, at, err) : rc;
}

int
sortes_withdraw(struct sortes_trial *t, const char *participant,
    const char *reason, const char *at, int64_t *seq,
    struct sortes_error *err)
{
	int rc;

	*seq = 0;
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = withdraw_run(t, participant, reason, at, seq, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}
