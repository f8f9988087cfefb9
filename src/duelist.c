/*
 * duelist.c - the open follow-up occasions a query selects, read
 * through the schedule's partial indexes on open rows.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/date.h"
#include "sortes/followup.h"
#include "sortes/jcs.h"
#include "sortes/schedule.h"

/* ?7 is a JSON array of the occasions left out (see hidden_json). */
#define DUE_COLUMNS \
	"SELECT p.id, p.pseudonym, s.caseworker, s.occasion, s.due, " \
	"s.window_start, s.window_end FROM schedule s " \
	"JOIN participants p ON p.seq = s.participant WHERE s.status = 'open' " \
	"AND s.occasion NOT IN (SELECT value FROM json_each(?7)) "

/*
 * Both partial indexes end in (due, participant, occasion), since an
 * index of a WITHOUT ROWID table carries the table's key after its own
 * columns.  This order is therefore the index's and needs no sort, and
 * LIMIT ends the search after a page of rows instead of after the whole
 * list (EXPLAIN QUERY PLAN: bench/due-list.sh).
 */
#define DUE_ORDER " ORDER BY s.due, s.participant, s.occasion LIMIT ?6"

/*
 * Due: the window reaches into [as_of, as_of + within].  The bounds on
 * s.due, from the longest windows of the protocol, let the index on due
 * dates narrow the scan; the window columns then decide.
 *
 * Overdue: the window closed before as_of.  A window never closes
 * before its due date, so s.due < ?4 selects no fewer rows; it lets the
 * search read the open occasions due before as_of from the index, in
 * the order of the list, instead of every open occasion (measured with
 * bench/due-list.sh: docs/performance.md).
 */
static const char *const due_sql[2][3] = {
	{
		DUE_COLUMNS "AND s.due BETWEEN ?1 AND ?2 AND s.window_start "
		    "<= ?3 AND s.window_end >= ?4" DUE_ORDER,
		DUE_COLUMNS "AND s.due < ?4 AND s.window_end < ?4" DUE_ORDER,
		DUE_COLUMNS DUE_ORDER,
	},
	{
		DUE_COLUMNS "AND s.caseworker = ?5 AND s.due BETWEEN ?1 AND ?2 "
		    "AND s.window_start <= ?3 AND s.window_end >= ?4" DUE_ORDER,
		DUE_COLUMNS "AND s.caseworker = ?5 AND s.due < ?4 AND "
		    "s.window_end < ?4" DUE_ORDER,
		DUE_COLUMNS "AND s.caseworker = ?5" DUE_ORDER,
	},
};

/*
 * A bound on the schedule's dates, which compare as text: kept within
 * the years 1000-9999, since a date outside them does not format as
 * YYYY-MM-DD (a horizon past 9999 would compare below every date).
 */
static void
bind_date(sqlite3_stmt *st, int i, int64_t day)
{
	int64_t lo = sortes_date_from_ymd(1000, 1, 1);
	int64_t hi = sortes_date_from_ymd(9999, 12, 31);
	char buf[11];

	sortes_date_format((int32_t)(day < lo ? lo : day > hi ? hi : day), buf);
	sqlite3_bind_text(st, i, buf, -1, SQLITE_TRANSIENT);
}

/*
 * The occasions a list leaves out, as a JSON array of codes: in a trial
 * with blinded outcome assessment, those that only some arms have,
 * unless the query asks for them.
 */
static int
hidden_json(const struct sortes_protocol *p, const struct sortes_due_query *q,
    struct sortes_jcs *j, struct sortes_error *err)
{
	int hide = p->outcome_assessment == SORTES_ASSESSMENT_BLINDED &&
	    !q->arm_specific;

	sortes_jcs_array_begin(j);
	for (size_t i = 0; hide && i < p->noccasions; i++)
		if (sortes_occasion_arm_specific(p, &p->occasions[i]))
			sortes_jcs_string(j, p->occasions[i].code);
	sortes_jcs_array_end(j);
	return sortes_jcs_finish(j, err);
}

static void
due_bind(struct sortes_trial *t, sqlite3_stmt *st,
    const struct sortes_due_query *q, const struct sortes_jcs *hidden)
{
	int64_t as_of = q->as_of;
	int32_t before, after;

	sortes_schedule_reach(t->protocol, &before, &after);
	bind_date(st, 1, as_of - after);
	bind_date(st, 2, as_of + q->within + before);
	bind_date(st, 3, as_of + q->within);
	bind_date(st, 4, as_of);
	if (q->caseworker != NULL)
		sqlite3_bind_text(st, 5, q->caseworker, -1, SQLITE_STATIC);
	/* SQLite takes a negative LIMIT as none. */
	sqlite3_bind_int64(st, 6, q->limit > 0 ? q->limit : -1);
	sqlite3_bind_text(st, 7, hidden->data, (int)hidden->len,
	    SQLITE_STATIC);
}

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

static void
due_row(struct sortes_trial *t, sqlite3_stmt *st, struct sortes_due_row *r)
{
	long o;

	r->participant = col(st, 0);
	r->pseudonym = col(st, 1);
	r->caseworker = col(st, 2);
	r->occasion = col(st, 3);
	r->due = col(st, 4);
	r->window_start = col(st, 5);
	r->window_end = col(st, 6);
	o = sortes_protocol_occasion(t->protocol, r->occasion);
	r->label = o >= 0 ? t->protocol->occasions[o].label : NULL;
}

int
sortes_followup_list(struct sortes_trial *t, const struct sortes_due_query *q,
    sortes_due_fn fn, void *ctx, int64_t *n, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	struct sortes_due_row row;
	struct sortes_jcs hidden;
	int rc, step = SQLITE_DONE;

	*n = 0;
	if (q->kind > SORTES_OPEN || q->within < 0 || q->limit < 0)
		return sortes_error_set(err, SORTES_EUSAGE, "bad due query");
	sortes_jcs_init(&hidden);
	rc = hidden_json(t->protocol, q, &hidden, err);
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &st,
		    due_sql[q->caseworker != NULL][q->kind], err);
	if (rc == 0)
		due_bind(t, st, q, &hidden);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		due_row(t, st, &row);
		(*n)++;
		rc = fn(ctx, &row, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "listing follow-ups", err);
	sqlite3_finalize(st);
	sortes_jcs_free(&hidden);
	return rc;
}
