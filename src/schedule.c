/*
 * schedule.c - follow-up due dates and the rows that hold them.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/calendar.h"
#include "sortes/date.h"
#include "sortes/schedule.h"

/*
 * Each row is its own INSERT: one statement of several rows would need
 * a statement journal, which costs more than it saves.
 */
struct sortes_scheduler {
	struct sortes_db *db;
	struct sortes_day_dates day;
	sqlite3_stmt *insert;
};

int
sortes_occasion_applies(const struct sortes_occasion *o, size_t arm)
{
	if (o->arms == NULL)
		return 1;
	for (size_t i = 0; i < o->narms; i++)
		if (o->arms[i] == arm)
			return 1;
	return 0;
}

int
sortes_occasion_arm_specific(const struct sortes_protocol *p,
    const struct sortes_occasion *o)
{
	for (size_t a = 0; a < p->narms; a++)
		if (!sortes_occasion_applies(o, a))
			return 1;
	return 0;
}

long
sortes_protocol_occasion(const struct sortes_protocol *p, const char *code)
{
	for (size_t i = 0; i < p->noccasions; i++)
		if (strcmp(p->occasions[i].code, code) == 0)
			return (long)i;
	return -1;
}

int
sortes_schedule_dates(const struct sortes_protocol *p, int32_t enrolled,
    struct sortes_due_dates *out, struct sortes_error *err)
{
	for (size_t i = 0; i < p->noccasions; i++) {
		const struct sortes_occasion *o = &p->occasions[i];
		/* The unmoved due date of occasion i, kept in .start until
		 * every later occasion has counted from it. */
		int32_t base = enrolled, due;
		long from = o->after != NULL ?
		    sortes_protocol_occasion(p, o->after) : -1;

		if (from >= 0)
			base = out[from].start;
		if (sortes_calendar_add(&due, base, &o->offset, 1) != 0)
			return sortes_error_set(err, SORTES_EDATA, "follow-up "
			    "'%s' falls outside the years 1000-9999", o->code);
		out[i].start = due;
	}
	for (size_t i = 0; i < p->noccasions; i++) {
		const struct sortes_occasion *o = &p->occasions[i];
		int32_t due = sortes_calendar_off_weekend(out[i].start,
		    p->weekends);

		out[i].due = due;
		if (sortes_calendar_add(&out[i].start, due, &o->window_before,
		    -1) != 0 || sortes_calendar_add(&out[i].end, due,
		    &o->window_after, 1) != 0)
			return sortes_error_set(err, SORTES_EDATA, "the window "
			    "of follow-up '%s' falls outside the years "
			    "1000-9999", o->code);
	}
	return 0;
}

static int32_t
offset_days(const struct sortes_offset *o)
{
	switch (o->unit) {
	case SORTES_DAYS:	return (int32_t)o->n;
	case SORTES_WEEKS:	return (int32_t)(7 * o->n);
	case SORTES_MONTHS:	return (int32_t)(31 * o->n);
	}
	return 0;
}

void
sortes_schedule_reach(const struct sortes_protocol *p, int32_t *before,
    int32_t *after)
{
	*before = *after = 0;
	for (size_t i = 0; i < p->noccasions; i++) {
		int32_t b = offset_days(&p->occasions[i].window_before);
		int32_t a = offset_days(&p->occasions[i].window_after);

		if (b > *before)
			*before = b;
		if (a > *after)
			*after = a;
	}
}

int
sortes_day_dates_init(struct sortes_day_dates *d,
    const struct sortes_protocol *p, struct sortes_error *err)
{
	size_t n = p->noccasions + 1;

	memset(d, 0, sizeof(*d));
	d->protocol = p;
	if ((d->dates = calloc(n, sizeof(*d->dates))) == NULL ||
	    (d->text = calloc(n, sizeof(*d->text))) == NULL) {
		sortes_day_dates_free(d);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	return 0;
}

int
sortes_day_dates_set(struct sortes_day_dates *d, int32_t day,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = d->protocol;
	int rc;

	if (d->have_day && d->day == day)
		return 0;
	d->have_day = 0;
	if ((rc = sortes_schedule_dates(p, day, d->dates, err)) != 0)
		return rc;
	for (size_t i = 0; i < p->noccasions; i++) {
		sortes_date_format(d->dates[i].due, d->text[i][0]);
		sortes_date_format(d->dates[i].start, d->text[i][1]);
		sortes_date_format(d->dates[i].end, d->text[i][2]);
	}
	d->day = day;
	d->have_day = 1;
	return 0;
}

void
sortes_day_dates_free(struct sortes_day_dates *d)
{
	free(d->text);
	free(d->dates);
	d->text = NULL;
	d->dates = NULL;
	d->have_day = 0;
}

int
sortes_scheduler_new(struct sortes_scheduler **out, struct sortes_db *db,
    const struct sortes_protocol *p, struct sortes_error *err)
{
	struct sortes_scheduler *s;
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	s->db = db;
	rc = sortes_day_dates_init(&s->day, p, err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &s->insert, "INSERT INTO schedule "
		    "(participant, occasion, due, window_start, window_end, "
		    "caseworker) VALUES (?, ?, ?, ?, ?, ?)", err);
	if (rc != 0) {
		sortes_scheduler_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int
scheduler_insert(struct sortes_scheduler *s, int64_t seq,
    const struct sortes_occasion *o, char (*text)[11],
    const char *caseworker, struct sortes_error *err)
{
	sqlite3_stmt *st = s->insert;
	int rc = 0;

	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, o->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text[0], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text[1], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, text[2], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, caseworker, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(s->db, "storing a follow-up", err);
	sqlite3_reset(st);
	return rc;
}

int
sortes_scheduler_add(struct sortes_scheduler *s, int64_t seq, size_t arm,
    const char *caseworker, int32_t enrolled, struct sortes_error *err)
{
	const struct sortes_protocol *p = s->day.protocol;
	int rc;

	if ((rc = sortes_day_dates_set(&s->day, enrolled, err)) != 0)
		return rc;
	for (size_t i = 0; i < p->noccasions; i++) {
		if (!sortes_occasion_applies(&p->occasions[i], arm))
			continue;
		rc = scheduler_insert(s, seq, &p->occasions[i], s->day.text[i],
		    caseworker, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
sortes_scheduler_free(struct sortes_scheduler *s)
{
	if (s == NULL)
		return;
	sqlite3_finalize(s->insert);
	sortes_day_dates_free(&s->day);
	free(s);
}
