/*
 * followup.c - recording measurements and missed occasions, each one
 * log entry, and listing the occasions that are due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/date.h"
#include "sortes/field.h"
#include "sortes/followup.h"
#include "sortes/lifecycle.h"
#include "sortes/record.h"
#include "sortes/schedule.h"
#include "event.h"

/* One participant's occasion, as the schedule holds it. */
struct slot {
	struct sortes_event_participant who;
	const struct sortes_occasion *occasion;
	int32_t start, end;		/* the window */
	char status[16];
	int64_t outcome;		/* latest outcome entry, or 0 */
};

static int
slot_row(struct sortes_trial *t, struct slot *s, const char *id,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, "SELECT window_start, window_end, "
	    "status, coalesce(outcome, 0) FROM schedule WHERE participant = ? "
	    "AND occasion = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->who.seq);
	sqlite3_bind_text(st, 2, s->occasion->code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		sortes_date_parse((const char *)sqlite3_column_text(st, 0),
		    &s->start);
		sortes_date_parse((const char *)sqlite3_column_text(st, 1),
		    &s->end);
		snprintf(s->status, sizeof(s->status), "%s",
		    (const char *)sqlite3_column_text(st, 2));
		s->outcome = sqlite3_column_int64(st, 3);
	} else if (step == SQLITE_DONE)
		rc = sortes_error_set(err, SORTES_EDATA, "follow-up '%s' is not "
		    "scheduled for participant '%s'", s->occasion->code,
		    id);
	else
		rc = sortes_db_fail(t->db, "looking up a follow-up", err);
	sqlite3_finalize(st);
	return rc;
}

/* The participant's occasion, and whether an outcome may be recorded. */
static int
slot_find(struct sortes_trial *t, const char *id, const char *code,
    int correct, struct slot *s, struct sortes_error *err)
{
	long i = sortes_protocol_occasion(t->protocol, code);
	int rc;

	if (i < 0)
		return sortes_error_set(err, SORTES_EDATA, "no follow-up '%s' "
		    "in the protocol", code);
	s->occasion = &t->protocol->occasions[i];
	if ((rc = sortes_event_participant(t, id, &s->who, err)) != 0)
		return rc;
	if (s->who.withdrawn)
		return sortes_error_set(err, SORTES_EDATA, "participant '%s' "
		    "has withdrawn; nothing more is recorded", id);
	if ((rc = slot_row(t, s, id, err)) != 0)
		return rc;
	if (!correct && s->outcome != 0)
		return sortes_error_set(err, SORTES_EDATA, "follow-up '%s' of "
		    "participant '%s' is %s already (entry %lld); use "
		    "--correct to supersede it", code, id, s->status,
		    (long long)s->outcome);
	if (correct && s->outcome == 0)
		return sortes_error_set(err, SORTES_EDATA, "follow-up '%s' of "
		    "participant '%s' has nothing recorded to correct", code,
		    id);
	return 0;
}

/* A measurement date: not in the future, not before enrollment. */
static int
date_check(struct sortes_trial *t, const struct slot *s, int32_t on,
    const struct sortes_clock *clock, struct sortes_error *err)
{
	char date[11], other[11];
	int32_t enrolled;
	int rc;

	sortes_date_format(on, date);
	if (on > clock->today) {
		sortes_date_format(clock->today, other);
		return sortes_error_set(err, SORTES_EDATA, "date %s is in the "
		    "future (today is %s)", date, other);
	}
	rc = clock->local_day(&enrolled, s->who.enrolled_at,
	    t->protocol->timezone, err);
	if (rc != 0)
		return rc;
	if (on < enrolled) {
		sortes_date_format(enrolled, other);
		return sortes_error_set(err, SORTES_EDATA, "date %s is before "
		    "the participant was enrolled (%s)", date, other);
	}
	return 0;
}

static int
window_check(const struct slot *s, int32_t on, int accept,
    struct sortes_error *err)
{
	char date[11], start[11], end[11];

	if ((on >= s->start && on <= s->end) || accept)
		return 0;
	sortes_date_format(on, date);
	sortes_date_format(s->start, start);
	sortes_date_format(s->end, end);
	return sortes_error_set(err, SORTES_EDATA, "date %s is outside the "
	    "window of follow-up '%s' (%s to %s); use --out-of-window to "
	    "record it anyway, flagged", date, s->occasion->code, start, end);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct sortes_field *)a)->name,
	    ((const struct sortes_field *)b)->name);
}

/*
 * A measure the protocol declares but this occasion does not take is
 * refused by name here, so that the message does not claim the
 * protocol lacks it.
 */
static int
measures_of_occasion(const struct sortes_protocol *p,
    const struct sortes_occasion *o, const struct sortes_measure_input *in,
    struct sortes_error *err)
{
	char list[512];

	for (size_t i = 0; i < in->n; i++) {
		int declared = 0, taken = 0;
		size_t used = 0;

		for (size_t k = 0; k < p->nmeasures; k++)
			declared |= strcmp(p->measures[k].name,
			    in->names[i]) == 0;
		for (size_t k = 0; k < o->nmeasures; k++)
			taken |= strcmp(p->measures[o->measures[k]].name,
			    in->names[i]) == 0;
		if (!declared || taken)
			continue;
		list[0] = '\0';
		for (size_t k = 0; k < o->nmeasures && used < sizeof(list);
		    k++)
			used += (size_t)snprintf(list + used, sizeof(list) -
			    used, "%s%s", k > 0 ? ", " : "",
			    p->measures[o->measures[k]].name);
		return sortes_error_set(err, SORTES_EDATA, "measure '%s' is not "
		    "taken at follow-up '%s'; its measures are: %s",
		    in->names[i], o->code, list);
	}
	return 0;
}

/*
 * The occasion's measures checked against their definitions, as the
 * canonical JSON object in 'j'.  At least one must be given.
 */
static int
measures_json(const struct sortes_protocol *p, const struct sortes_occasion *o,
    const struct sortes_measure_input *in, struct sortes_jcs *j,
    struct sortes_error *err)
{
	struct sortes_field *vars = calloc(o->nmeasures, sizeof(*vars));
	struct sortes_value *values = calloc(o->nmeasures, sizeof(*values));
	int rc;

	if (vars == NULL || values == NULL) {
		free(vars);
		free(values);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < o->nmeasures; i++)
		vars[i] = p->measures[o->measures[i]];
	qsort(vars, o->nmeasures, sizeof(*vars), by_name);
	rc = in->n == 0 ? sortes_error_set(err, SORTES_EDATA, "no measures "
	    "given; expected MEASURE=VALUE for at least one of follow-up "
	    "'%s'", o->code) : measures_of_occasion(p, o, in, err);
	if (rc == 0)
		rc = sortes_values_parse(values, vars, o->nmeasures, in->names,
		    in->values, in->n, "measure", err);
	if (rc == 0)
		rc = sortes_values_json(j, vars, o->nmeasures, values, err);
	for (size_t i = 0; i < o->nmeasures; i++)
		sortes_value_clear(&values[i]);
	free(values);
	free(vars);
	return rc;
}

/* The outcome row and the schedule's status, after the entry. */
static int
outcome_store(struct sortes_trial *t, const struct slot *s, int64_t seq,
    const char *status, const struct sortes_measure_record *m,
    const char *reason, const char *at, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "INSERT INTO outcomes (seq, "
	    "participant, occasion, status, measured_on, out_of_window, "
	    "measures, reason, supersedes, recorded_at) VALUES (?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, s->who.seq);
	sqlite3_bind_text(st, 3, s->occasion->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	if (m != NULL) {
		sqlite3_bind_text(st, 5, m->measured_on, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, m->out_of_window);
		sqlite3_bind_text(st, 7, m->measures, -1, SQLITE_STATIC);
	}
	if (reason != NULL)
		sqlite3_bind_text(st, 8, reason, -1, SQLITE_STATIC);
	if (s->outcome != 0)
		sqlite3_bind_int64(st, 9, s->outcome);
	sqlite3_bind_text(st, 10, at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing an outcome", err);
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	rc = sortes_db_prepare(t->db, &st, "UPDATE schedule SET status = ?, "
	    "outcome = ? WHERE participant = ? AND occasion = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, s->who.seq);
	sqlite3_bind_text(st, 4, s->occasion->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "updating the schedule", err);
	sqlite3_finalize(st);
	return rc;
}

/*
 * A correction carries the whole corrected outcome: the measures of the
 * measurement it corrects with those given replacing theirs, and its
 * date unless another is given (docs/followups.md).  'whole' is the
 * input with those measures and that date.
 */
struct correction {
	struct sortes_measure_input whole;
	int date_kept;			/* the corrected one's date */
	const char **names, **values;	/* whole's arrays; owned */
	char **texts;			/* the earlier measures'; owned */
	size_t ntexts;
};

static void
correction_free(struct correction *c)
{
	for (size_t i = 0; i < c->ntexts; i++)
		free(c->texts[i]);
	free(c->texts);
	free(c->names);
	free(c->values);
}

/* Whether the caller gave measure 'name'. */
static int
measure_given(const struct sortes_measure_input *in, const char *name)
{
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->names[i], name) == 0)
			return 1;
	return 0;
}

/* Room for the given measures and all of the occasion's earlier ones. */
static int
correction_alloc(struct correction *c, const struct sortes_measure_input *in,
    size_t earlier, struct sortes_error *err)
{
	c->whole = *in;
	c->names = calloc(in->n + earlier + 1, sizeof(*c->names));
	c->values = calloc(in->n + earlier + 1, sizeof(*c->values));
	c->texts = calloc(2 * earlier + 1, sizeof(*c->texts));
	if (c->names == NULL || c->values == NULL || c->texts == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (size_t i = 0; i < in->n; i++) {
		c->names[i] = in->names[i];
		c->values[i] = in->values[i];
	}
	c->whole.names = c->names;
	c->whole.values = c->values;
	return 0;
}

/*
 * One earlier measure, (date, name, value as text), kept unless it was
 * given again; with in->keep_date the date is the earlier one.
 */
static int
correction_row(struct correction *c, const struct sortes_measure_input *in,
    size_t earlier, sqlite3_stmt *st, struct sortes_error *err)
{
	const char *on = (const char *)sqlite3_column_text(st, 0);
	const char *name = (const char *)sqlite3_column_text(st, 1);
	const char *value = (const char *)sqlite3_column_text(st, 2);
	size_t n = c->whole.n;

	if (in->keep_date && sortes_date_parse(on, &c->whole.measured_on) == 0)
		c->date_kept = 1;
	if (name == NULL || value == NULL || measure_given(in, name))
		return 0;
	if (c->ntexts + 2 > 2 * earlier)
		return sortes_error_set(err, SORTES_EINTERNAL, "the outcome "
		    "corrected holds more measures than its occasion");
	c->texts[c->ntexts] = strdup(name);
	c->texts[c->ntexts + 1] = strdup(value);
	c->ntexts += 2;
	if (c->texts[c->ntexts - 2] == NULL || c->texts[c->ntexts - 1] == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	c->names[n] = c->texts[c->ntexts - 2];
	c->values[n] = c->texts[c->ntexts - 1];
	c->whole.n++;
	return 0;
}

/*
 * The whole outcome 'in' makes of occasion 's'.  Only a correction of a
 * measurement takes anything from before; a missed occasion has no
 * measures or date to keep.
 */
static int
correction_load(struct sortes_trial *t, const struct slot *s,
    const struct sortes_measure_input *in, struct correction *c,
    struct sortes_error *err)
{
	size_t earlier = s->occasion->nmeasures;
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	if ((rc = correction_alloc(c, in, earlier, err)) != 0 ||
	    !in->correct || s->outcome == 0)
		return rc;
	rc = sortes_db_prepare(t->db, &st, "SELECT o.measured_on, m.key, "
	    "m.atom FROM outcomes o, json_each(o.measures) m WHERE o.seq = ? "
	    "AND o.status = 'done'", err);
	if (rc == 0)
		sqlite3_bind_int64(st, 1, s->outcome);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = correction_row(c, in, earlier, st, err);
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading the outcome corrected", err);
	sqlite3_finalize(st);
	if (rc == 0 && in->n == 0 && c->date_kept)
		rc = sortes_error_set(err, SORTES_EDATA, "nothing to correct: "
		    "give the measures that change (MEASURE=VALUE), or --date");
	return rc;
}

static int
record_run(struct sortes_trial *t, const struct sortes_measure_input *given,
    const struct sortes_clock *clock, struct sortes_outcome_result *out,
    struct sortes_jcs *body, struct sortes_error *err)
{
	const struct sortes_measure_input *in;
	struct correction c = { 0 };
	struct sortes_jcs values;
	struct slot s;
	char on[11];
	int rc;

	sortes_jcs_init(&values);
	rc = slot_find(t, given->participant, given->occasion, given->correct,
	    &s, err);
	if (rc == 0)
		rc = correction_load(t, &s, given, &c, err);
	in = &c.whole;
	if (rc == 0)
		rc = date_check(t, &s, in->measured_on, clock, err);
	/* A kept date was accepted with the outcome it comes from. */
	if (rc == 0 && !c.date_kept)
		rc = window_check(&s, in->measured_on, in->out_of_window, err);
	if (rc == 0) {
		sortes_date_format(in->measured_on, on);
		rc = measures_json(t->protocol, s.occasion, in, &values, err);
	}
	if (rc == 0)
		rc = sortes_event_seq(t, &out->seq, err);
	if (rc == 0) {
		struct sortes_measure_record r = {
			.seq = out->seq, .participant = in->participant,
			.occasion = s.occasion->code, .measured_on = on,
			.out_of_window = in->measured_on < s.start ||
			    in->measured_on > s.end,
			.measures = values.data, .supersedes = s.outcome,
			.recorded_at = clock->now,
		};

		out->supersedes = s.outcome;
		out->out_of_window = r.out_of_window;
		sortes_record_measure(body, &r);
		rc = sortes_event_append(t, "measure", clock->now, body, err);
		if (rc == 0)
			rc = outcome_store(t, &s, out->seq, "done", &r, NULL,
			    clock->now, err);
	}
	sortes_jcs_free(&values);
	correction_free(&c);
	return rc;
}

/* Run 'step' in one transaction with a fresh entry body. */
static int
in_transaction(struct sortes_trial *t, struct sortes_outcome_result *out,
    int (*step)(struct sortes_trial *, const void *, struct sortes_jcs *,
    struct sortes_error *), const void *arg, struct sortes_error *err)
{
	struct sortes_jcs body;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	sortes_jcs_init(&body);
	rc = step(t, arg, &body, err);
	sortes_jcs_free(&body);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

struct record_args {
	const struct sortes_measure_input *in;
	const struct sortes_clock *clock;
	struct sortes_outcome_result *out;
};

static int
record_step(struct sortes_trial *t, const void *arg, struct sortes_jcs *body,
    struct sortes_error *err)
{
	const struct record_args *a = arg;

	return record_run(t, a->in, a->clock, a->out, body, err);
}

int
sortes_followup_record(struct sortes_trial *t,
    const struct sortes_measure_input *in, const struct sortes_clock *clock,
    struct sortes_outcome_result *out, struct sortes_error *err)
{
	struct record_args a = { in, clock, out };

	return in_transaction(t, out, record_step, &a, err);
}

/* An occasion is missed once its window has opened, not before. */
static int
not_open_yet(const struct slot *s, struct sortes_error *err)
{
	char start[11];

	sortes_date_format(s->start, start);
	return sortes_error_set(err, SORTES_EDATA, "the window of follow-up "
	    "'%s' opens on %s; it cannot be missed before then",
	    s->occasion->code, start);
}

struct missed_args {
	const char *participant, *occasion, *reason;
	int correct;
	const struct sortes_clock *clock;
	struct sortes_outcome_result *out;
};

static int
missed_step(struct sortes_trial *t, const void *arg, struct sortes_jcs *body,
    struct sortes_error *err)
{
	const struct missed_args *a = arg;
	struct slot s;
	int rc;

	rc = sortes_event_text("reason", a->reason, SORTES_REASON_MAX, err);
	if (rc == 0)
		rc = slot_find(t, a->participant, a->occasion, a->correct, &s,
		    err);
	if (rc == 0 && a->clock->today < s.start)
		rc = not_open_yet(&s, err);
	if (rc == 0)
		rc = sortes_event_seq(t, &a->out->seq, err);
	if (rc != 0)
		return rc;
	a->out->supersedes = s.outcome;
	sortes_record_missed(body, &(struct sortes_missed_record){
	    .seq = a->out->seq, .participant = a->participant,
	    .occasion = s.occasion->code, .reason = a->reason,
	    .supersedes = s.outcome, .recorded_at = a->clock->now });
	rc = sortes_event_append(t, "missed", a->clock->now, body, err);
	if (rc == 0)
		rc = outcome_store(t, &s, a->out->seq, "missed", NULL,
		    a->reason, a->clock->now, err);
	return rc;
}

int
sortes_followup_missed(struct sortes_trial *t, const char *participant,
    const char *occasion, const char *reason, int correct,
    const struct sortes_clock *clock, struct sortes_outcome_result *out,
    struct sortes_error *err)
{
	struct missed_args a = { participant, occasion, reason, correct, clock,
	    out };

	return in_transaction(t, out, missed_step, &a, err);
}
