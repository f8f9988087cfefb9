/*
 * followups_log.c - follow-up exports as of a log entry, rebuilt from
 * the log's entries alone (docs/export-followups.md, "As of a seal").
 *
 * The tables hold the schedule as it stands now; an export as of an
 * earlier entry cannot be read from them.  The entries up to it hold
 * everything the export needs: each enrollment's arm, caseworker and
 * time (its day in the trial's zone dates the occasions, as enrolling
 * did), each transfer's new caseworker (open occasions move with it),
 * each withdrawal (open occasions are cancelled) and each outcome (the
 * latest one of an occasion decides).  Replaying them as enrolling,
 * transfers and recording change the tables gives the rows
 * sortes_export_followups() would have written then.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/json.h"
#include "sortes/schedule.h"
#include "followups_log.h"
#include "strmap.h"

enum fu_status { FU_NONE, FU_OPEN, FU_DONE, FU_MISSED, FU_CANCELLED };

static const char *const status_names[] = { NULL, "open", "done", "missed",
    "cancelled" };

/* One occasion of one participant. */
struct fu_occasion {
	enum fu_status status;		/* FU_NONE: not the arm's */
	size_t caseworker;		/* index into the participant's */
	int out_of_window;
	char measured_on[11];
	char **values;			/* per measure of the occasion, or NULL */
};

struct fu_participant {
	char *pseudonym;
	size_t arm;
	int32_t day;			/* enrolled, in the trial's zone */
	char **caseworkers;		/* enrolled with, then each transfer's */
	size_t ncaseworkers;
	struct fu_occasion *occasions;	/* one per protocol occasion */
};

struct fu_log {
	const struct sortes_protocol *p;
	sortes_local_day_fn local_day;
	struct sortes_strmap *ids;	/* participant UUID -> index */
	struct fu_participant *v;
	size_t n, cap;
};

static int
oom(struct sortes_error *err)
{
	return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
}

static int
bad(struct sortes_error *err, int64_t seq, const char *what)
{
	return sortes_error_set(err, SORTES_EDATA, "log entry %lld: %s",
	    (long long)seq, what);
}

int
fu_log_new(struct fu_log **out, const struct sortes_protocol *p,
    sortes_local_day_fn local_day, struct sortes_error *err)
{
	struct fu_log *l = calloc(1, sizeof(*l));

	*out = NULL;
	if (l == NULL || (l->ids = sortes_strmap_new(sizeof(size_t))) == NULL) {
		free(l);
		return oom(err);
	}
	l->p = p;
	l->local_day = local_day;
	*out = l;
	return 0;
}

static void
values_free(struct fu_occasion *o, size_t n)
{
	for (size_t i = 0; o->values != NULL && i < n; i++)
		free(o->values[i]);
	free(o->values);
	o->values = NULL;
}

static void
participant_free(const struct sortes_protocol *p, struct fu_participant *x)
{
	for (size_t i = 0; x->occasions != NULL && i < p->noccasions; i++)
		values_free(&x->occasions[i], p->occasions[i].nmeasures);
	for (size_t i = 0; i < x->ncaseworkers; i++)
		free(x->caseworkers[i]);
	free(x->caseworkers);
	free(x->occasions);
	free(x->pseudonym);
}

void
fu_log_free(struct fu_log *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		participant_free(l->p, &l->v[i]);
	free(l->v);
	sortes_strmap_free(l->ids, NULL);
	free(l);
}

/* The string member 'key' of 'obj', or NULL. */
static const char *
text(const struct sortes_json *obj, const char *key)
{
	const struct sortes_json *v = sortes_json_get(obj, key);

	return v != NULL && v->type == SORTES_JSON_STRING ? v->str : NULL;
}

static int
add_caseworker(struct fu_participant *x, const char *code,
    struct sortes_error *err)
{
	char **c = realloc(x->caseworkers, (x->ncaseworkers + 1) *
	    sizeof(*c));

	if (c == NULL)
		return oom(err);
	x->caseworkers = c;
	if ((c[x->ncaseworkers] = strdup(code)) == NULL)
		return oom(err);
	x->ncaseworkers++;
	return 0;
}

/* A new participant at the end of l->v, scheduled for its arm. */
static int
participant_add(struct fu_log *l, struct fu_participant **out,
    struct sortes_error *err)
{
	struct fu_participant *x;

	if (l->n == l->cap) {
		size_t cap = l->cap > 0 ? l->cap * 2 : 64;

		if ((x = realloc(l->v, cap * sizeof(*x))) == NULL)
			return oom(err);
		l->v = x;
		l->cap = cap;
	}
	x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	x->occasions = calloc(l->p->noccasions > 0 ? l->p->noccasions : 1,
	    sizeof(*x->occasions));
	*out = x;
	return x->occasions != NULL ? 0 : oom(err);
}

static int
on_enroll(struct fu_log *l, int64_t seq, const struct sortes_json *b,
    struct sortes_error *err)
{
	const char *id = text(b, "participant"), *ps = text(b, "pseudonym"),
	    *cw = text(b, "caseworker"), *arm = text(b, "arm"),
	    *at = text(b, "enrolled_at");
	struct fu_participant *x = NULL;
	size_t *index;
	long a = arm != NULL ? sortes_protocol_arm(l->p, arm) : -1;
	int added, rc;

	if (id == NULL || ps == NULL || cw == NULL || at == NULL || a < 0)
		return bad(err, seq, "an enrollment without its participant, "
		    "pseudonym, caseworker, time or one of the protocol's arms");
	if ((index = sortes_strmap_put(l->ids, id, &added, NULL)) == NULL)
		return oom(err);
	if (!added)
		return bad(err, seq, "a participant enrolled twice");
	*index = l->n;
	if ((rc = participant_add(l, &x, err)) != 0)
		return rc;
	x->arm = (size_t)a;
	if ((x->pseudonym = strdup(ps)) == NULL)
		return oom(err);
	if ((rc = add_caseworker(x, cw, err)) != 0)
		return rc;
	for (size_t i = 0; i < l->p->noccasions; i++)
		if (sortes_occasion_applies(&l->p->occasions[i], x->arm))
			x->occasions[i].status = FU_OPEN;
	return l->local_day(&x->day, at, l->p->timezone, err);
}

/* The participant an entry names, enrolled before it. */
static int
participant_of(struct fu_log *l, int64_t seq, const struct sortes_json *b,
    struct fu_participant **out, struct sortes_error *err)
{
	const char *id = text(b, "participant");
	size_t *index = id != NULL ? sortes_strmap_get(l->ids, id) : NULL;

	if (index == NULL)
		return bad(err, seq, "an entry about a participant not "
		    "enrolled before it");
	*out = &l->v[*index];
	return 0;
}

/* Open occasions follow a transfer, and are cancelled by a withdrawal. */
static int
on_transfer(struct fu_log *l, int64_t seq, const struct sortes_json *b,
    int withdraw, struct sortes_error *err)
{
	struct fu_participant *x = NULL;
	const char *to = text(b, "to");
	int rc;

	if ((rc = participant_of(l, seq, b, &x, err)) != 0)
		return rc;
	if (!withdraw && to == NULL)
		return bad(err, seq, "a transfer without the caseworker 'to'");
	if (!withdraw && (rc = add_caseworker(x, to, err)) != 0)
		return rc;
	for (size_t i = 0; i < l->p->noccasions; i++) {
		struct fu_occasion *o = &x->occasions[i];

		if (o->status != FU_OPEN)
			continue;
		if (withdraw)
			o->status = FU_CANCELLED;
		else
			o->caseworker = x->ncaseworkers - 1;
	}
	return 0;
}

/* A measure's value as the export writes it: canonical text. */
static int
value_text(const char *body, const struct sortes_json *v, char **out)
{
	*out = NULL;
	if (v->type == SORTES_JSON_STRING)
		*out = strdup(v->str);
	else if (v->type == SORTES_JSON_TRUE || v->type == SORTES_JSON_FALSE)
		*out = strdup(v->type == SORTES_JSON_TRUE ? "true" : "false");
	else if (v->type == SORTES_JSON_NUMBER)
		*out = strndup(body + v->start, v->end - v->start);
	else
		return 1;
	return *out == NULL ? -1 : 0;
}

/* The values of the occasion's measures that the outcome holds. */
static int
outcome_values(struct fu_log *l, int64_t seq, const char *body,
    const struct sortes_json *measures, const struct sortes_occasion *oc,
    struct fu_occasion *o, struct sortes_error *err)
{
	int rc = 0;

	if (measures == NULL || measures->type != SORTES_JSON_OBJECT)
		return bad(err, seq, "a measurement without its measures");
	if ((o->values = calloc(oc->nmeasures + 1, sizeof(char *))) == NULL)
		return oom(err);
	for (size_t i = 0; rc == 0 && i < oc->nmeasures; i++) {
		const struct sortes_json *v = sortes_json_get(measures,
		    l->p->measures[oc->measures[i]].name);

		if (v != NULL)
			rc = value_text(body, v, &o->values[i]);
	}
	if (rc > 0)
		return bad(err, seq, "a measure that is neither a number, a "
		    "boolean nor a string");
	return rc < 0 ? oom(err) : 0;
}

/* The latest outcome of an occasion decides it (corrections too). */
static int
on_outcome(struct fu_log *l, int64_t seq, const char *body,
    const struct sortes_json *b, int missed, struct sortes_error *err)
{
	struct fu_participant *x = NULL;
	const char *code = text(b, "occasion"), *on = text(b, "measured_on");
	const struct sortes_json *out = sortes_json_get(b, "out_of_window");
	long i = code != NULL ? sortes_protocol_occasion(l->p, code) : -1;
	struct fu_occasion *o;
	int rc;

	if ((rc = participant_of(l, seq, b, &x, err)) != 0)
		return rc;
	if (i < 0 || x->occasions[i].status == FU_NONE)
		return bad(err, seq, "an outcome of an occasion not scheduled "
		    "for the participant");
	o = &x->occasions[i];
	values_free(o, l->p->occasions[i].nmeasures);
	o->status = missed ? FU_MISSED : FU_DONE;
	if (missed)
		return 0;
	if (on == NULL || strlen(on) != 10 || out == NULL)
		return bad(err, seq, "a measurement without its date");
	memcpy(o->measured_on, on, 11);
	o->out_of_window = out->type == SORTES_JSON_TRUE;
	return outcome_values(l, seq, body, sortes_json_get(b, "measures"),
	    &l->p->occasions[i], o, err);
}

/* Whether a canonical body may be of a kind the schedule follows. */
static int
maybe_followed(const char *body)
{
	static const char *const kinds[] = { "\"kind\":\"enroll\"",
	    "\"kind\":\"transfer\"", "\"kind\":\"withdraw\"",
	    "\"kind\":\"measure\"", "\"kind\":\"missed\"" };

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strstr(body, kinds[k]) != NULL)
			return 1;
	return 0;
}

int
fu_log_entry(struct fu_log *l, int64_t seq, const char *body, size_t len,
    struct sortes_error *err)
{
	struct sortes_json *b = NULL;
	const struct sortes_json *kind;
	int rc;

	if (!maybe_followed(body))
		return 0;
	if ((rc = sortes_json_parse(&b, body, len, err)) != 0) {
		sortes_error_prefix(err, "log entry %lld", (long long)seq);
		return rc;
	}
	kind = sortes_json_get(b, "kind");
	if (sortes_json_string_is(kind, "enroll"))
		rc = on_enroll(l, seq, b, err);
	else if (sortes_json_string_is(kind, "transfer"))
		rc = on_transfer(l, seq, b, 0, err);
	else if (sortes_json_string_is(kind, "withdraw"))
		rc = on_transfer(l, seq, b, 1, err);
	else if (sortes_json_string_is(kind, "measure"))
		rc = on_outcome(l, seq, body, b, 0, err);
	else if (sortes_json_string_is(kind, "missed"))
		rc = on_outcome(l, seq, body, b, 1, err);
	sortes_json_free(b);
	return rc;
}

/* The rows of one occasion of one participant: one per measure. */
static int
occasion_rows(struct fu_log *l, struct sortes_followups_writer *w,
    const struct fu_participant *x, size_t i, const char (*dates)[11],
    struct sortes_error *err)
{
	const struct sortes_occasion *oc = &l->p->occasions[i];
	const struct fu_occasion *o = &x->occasions[i];
	struct sortes_followups_row r = { .pseudonym = x->pseudonym,
	    .arm = l->p->arms[x->arm].code,
	    .caseworker = x->caseworkers[o->caseworker], .occasion = oc->code,
	    .due = dates[0], .window_start = dates[1], .window_end = dates[2],
	    .status = status_names[o->status] };
	int rc = 0;

	if (o->status == FU_DONE) {
		r.measured_on = o->measured_on;
		r.out_of_window = o->out_of_window ? "true" : "false";
	}
	for (size_t m = 0; rc == 0 && m < oc->nmeasures; m++) {
		r.measure = l->p->measures[oc->measures[m]].name;
		r.value = o->values != NULL ? o->values[m] : NULL;
		rc = sortes_followups_row(w, &r, err);
	}
	return rc;
}

int
fu_log_write(struct fu_log *l, struct sortes_followups_writer *w,
    struct sortes_error *err)
{
	struct sortes_day_dates d;
	int rc = sortes_day_dates_init(&d, l->p, err);

	for (size_t k = 0; rc == 0 && k < l->n; k++) {
		const struct fu_participant *x = &l->v[k];

		if (!d.have_day || d.day != x->day)
			rc = sortes_day_dates_set(&d, x->day, err);
		for (size_t i = 0; rc == 0 && i < l->p->noccasions; i++)
			if (x->occasions[i].status != FU_NONE &&
			    sortes_followups_occasion_kept(l->p, w->blind,
			    &l->p->occasions[i]))
				rc = occasion_rows(l, w, x, i,
				    (const char (*)[11])d.text[i], err);
	}
	sortes_day_dates_free(&d);
	return rc;
}

/* The database's log up to entry 'at', into 'l'. */
static int
log_replay(struct sortes_trial *t, struct fu_log *l, int64_t at,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	rc = sortes_db_prepare(t->db, &st, "SELECT seq, body FROM log "
	    "WHERE seq <= ? ORDER BY seq", err);
	if (rc == 0)
		sqlite3_bind_int64(st, 1, at);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = fu_log_entry(l, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), err);
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_export_followups_at(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    sortes_local_day_fn local_day, int64_t *rows, struct sortes_error *err)
{
	return sortes_export_followups_at_blinded(t, out, format, at,
	    local_day, NULL, rows, err);
}

int
sortes_export_followups_at_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    sortes_local_day_fn local_day, const struct sortes_blinding *blind,
    int64_t *rows, struct sortes_error *err)
{
	struct sortes_followups_writer w;
	struct fu_log *l = NULL;
	int rc;

	*rows = 0;
	if ((rc = sortes_db_exec(t->db, "BEGIN", err)) != 0)
		return rc;
	rc = fu_log_new(&l, t->protocol, local_day, err);
	if (rc == 0)
		rc = log_replay(t, l, at, err);
	sortes_db_rollback(t->db);
	if (rc == 0 && (rc = sortes_followups_begin(&w, out, format,
	    t->protocol, blind, err)) == 0) {
		rc = fu_log_write(l, &w, err);
		*rows = w.rows;
		if (rc == 0)
			rc = sortes_followups_end(&w, err);
		else
			sortes_jcs_free(&w.j);
	}
	fu_log_free(l);
	return rc;
}
