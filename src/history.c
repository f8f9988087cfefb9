/*
 * history.c - one participant's history from the log's own entries.
 *
 * The tables find the entries (every one about a participant is keyed
 * by it), the bodies say what happened: each is parsed with the strict
 * reader and must name the participant and its own number and kind, so
 * that a table edited to point elsewhere shows as a disagreement rather
 * than as somebody else's history.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/budget.h"
#include "sortes/history.h"

static const char entries_sql[] =
    "WITH p AS (SELECT seq FROM participants WHERE id = ?1) "
    "SELECT l.seq, l.kind, l.body, l.prev_hash, l.hash FROM log l "
    "WHERE l.seq IN (SELECT seq FROM p "
    "UNION ALL SELECT seq FROM transfers WHERE participant = (SELECT seq FROM p) "
    "UNION ALL SELECT seq FROM withdrawals WHERE participant = (SELECT seq FROM p) "
    "UNION ALL SELECT seq FROM outcomes WHERE participant = (SELECT seq FROM p) "
    "UNION ALL SELECT seq FROM spends WHERE participant = (SELECT seq FROM p)) "
    "ORDER BY l.seq";

/* The kinds of entry that concern one participant. */
static const char *const participant_kinds[] = {
	"enroll", "transfer", "withdraw", "measure", "missed", "spend",
};

static const char *
text_of(const struct sortes_json *obj, const char *key)
{
	const struct sortes_json *v = sortes_json_get(obj, key);

	return v != NULL && v->type == SORTES_JSON_STRING ? v->str : NULL;
}

static int
known_kind(const char *kind)
{
	for (size_t i = 0; i < sizeof(participant_kinds) /
	    sizeof(participant_kinds[0]); i++)
		if (strcmp(kind, participant_kinds[i]) == 0)
			return 1;
	return 0;
}

static char *
column_dup(sqlite3_stmt *st, int i, size_t *len)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	size_t n = (size_t)sqlite3_column_bytes(st, i);
	char *copy = malloc(n + 1);

	if (copy != NULL && s != NULL)
		memcpy(copy, s, n);
	if (copy != NULL)
		copy[n] = '\0';
	if (len != NULL)
		*len = n;
	return copy;
}

/* Room for one more entry in h, zeroed. */
static struct sortes_history_entry *
entry_add(struct sortes_history *h)
{
	struct sortes_history_entry *grown;

	grown = realloc(h->entries, (h->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return NULL;
	h->entries = grown;
	memset(&grown[h->n], 0, sizeof(*grown));
	return &grown[h->n++];
}

static int
entry_read(struct sortes_history *h, sqlite3_stmt *st,
    struct sortes_error *err)
{
	struct sortes_history_entry *e = entry_add(h);

	if (e == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	e->seq = sqlite3_column_int64(st, 0);
	e->kind = column_dup(st, 1, NULL);
	e->body = column_dup(st, 2, &e->len);
	e->prev_hash = column_dup(st, 3, NULL);
	e->hash = column_dup(st, 4, NULL);
	if (e->kind == NULL || e->body == NULL || e->prev_hash == NULL ||
	    e->hash == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return sortes_json_parse(&e->json, e->body, e->len, err) != 0 ?
	    sortes_error_prefix(err, "log entry %lld", (long long)e->seq) : 0;
}

static int
entries_read(struct sortes_trial *t, const char *id, struct sortes_history *h,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	if ((rc = sortes_db_prepare(t->db, &st, entries_sql, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = entry_read(h, st, err);
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading a participant's entries",
		    err);
	sqlite3_finalize(st);
	return rc;
}

static int
disagree(struct sortes_error *err, const struct sortes_history_entry *e,
    const char *what)
{
	return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld %s, "
	    "though the tables list it for this participant; run sortes "
	    "verify", (long long)e->seq, what);
}

/* The body is the entry the tables say it is, about this participant. */
static int
entry_check(const struct sortes_history *h, size_t i, struct sortes_error *err)
{
	const struct sortes_history_entry *e = &h->entries[i];
	const char *who = text_of(e->json, "participant");
	int64_t seq;

	if (!sortes_json_int64(sortes_json_get(e->json, "seq"), &seq) ||
	    seq != e->seq || !sortes_json_string_is(sortes_json_get(e->json,
	    "kind"), e->kind))
		return disagree(err, e, "does not carry its own number and "
		    "kind");
	if (!known_kind(e->kind) || (i == 0) != (strcmp(e->kind, "enroll") == 0))
		return disagree(err, e, "is not an entry of a participant's "
		    "history");
	if (who == NULL || strcmp(who, h->participant) != 0)
		return disagree(err, e, "is about another participant");
	return 0;
}

static struct sortes_history_entry *
entry_at(const struct sortes_history *h, int64_t seq)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->entries[i].seq == seq)
			return &h->entries[i];
	return NULL;
}

/* The arm, the caseworker now, withdrawn; which outcomes were corrected. */
static int
summarize(struct sortes_history *h, struct sortes_error *err)
{
	struct sortes_history_entry *was;
	int64_t n;

	h->arm = text_of(h->entries[0].json, "arm");
	h->caseworker = text_of(h->entries[0].json, "caseworker");
	if (h->arm == NULL || h->caseworker == NULL)
		return disagree(err, &h->entries[0], "has no arm or caseworker");
	for (size_t i = 1; i < h->n; i++) {
		const struct sortes_history_entry *e = &h->entries[i];

		if (strcmp(e->kind, "transfer") == 0 &&
		    text_of(e->json, "to") != NULL)
			h->caseworker = text_of(e->json, "to");
		h->withdrawn |= strcmp(e->kind, "withdraw") == 0;
		if (sortes_json_int64(sortes_json_get(e->json, "supersedes"),
		    &n) && (was = entry_at(h, n)) != NULL)
			was->superseded_by = e->seq;
	}
	return 0;
}

int
sortes_history_load(struct sortes_trial *t, const char *id,
    struct sortes_history *h, struct sortes_error *err)
{
	int rc;

	memset(h, 0, sizeof(*h));
	if (strlen(id) >= sizeof(h->participant))
		return sortes_error_set(err, SORTES_EDATA, "no participant "
		    "'%.40s...' in this trial", id);
	snprintf(h->participant, sizeof(h->participant), "%s", id);
	if ((rc = entries_read(t, id, h, err)) != 0)
		return rc;
	if (h->n == 0)
		return sortes_error_set(err, SORTES_EDATA, "no participant "
		    "'%s' in this trial", id);
	for (size_t i = 0; rc == 0 && i < h->n; i++)
		rc = entry_check(h, i, err);
	return rc == 0 ? summarize(h, err) : rc;
}

void
sortes_history_free(struct sortes_history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->entries[i].kind);
		free(h->entries[i].body);
		free(h->entries[i].prev_hash);
		free(h->entries[i].hash);
		sortes_json_free(h->entries[i].json);
	}
	free(h->entries);
	memset(h, 0, sizeof(*h));
}

/* ---- JSON ---- */

static const char *
arm_name(const struct sortes_trial *t, const char *code)
{
	long i = sortes_protocol_arm(t->protocol, code);

	return i >= 0 ? t->protocol->arms[i].name : NULL;
}

static void
json_entry(struct sortes_jcs *j, const struct sortes_history_entry *e)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "body");
	/* Canonical as logged: the same bytes the entry's hash covers. */
	sortes_jcs_raw(j, e->body, e->len);
	sortes_jcs_key(j, "hash");
	sortes_jcs_string(j, e->hash);
	sortes_jcs_key(j, "prev_hash");
	sortes_jcs_string(j, e->prev_hash);
	sortes_jcs_key(j, "superseded_by");
	if (e->superseded_by > 0)
		sortes_jcs_integer(j, e->superseded_by);
	else
		sortes_jcs_null(j);
	sortes_jcs_object_end(j);
}

int
sortes_history_json(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_history *h, struct sortes_error *err)
{
	const char *name = arm_name(t, h->arm);

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "arm");
	sortes_jcs_string(j, h->arm);
	sortes_jcs_key(j, "arm_name");
	if (name != NULL)
		sortes_jcs_string(j, name);
	else
		sortes_jcs_null(j);
	sortes_jcs_key(j, "caseworker");
	sortes_jcs_string(j, h->caseworker);
	sortes_jcs_key(j, "entries");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < h->n; i++)
		json_entry(j, &h->entries[i]);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, h->participant);
	sortes_jcs_key(j, "withdrawn");
	sortes_jcs_boolean(j, h->withdrawn);
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}

/* ---- text ---- */

/* A logged text can be at most this long (reasons, notes: 1000 bytes). */
#define VALUE_BUF 4100

struct writer {
	FILE *out;
	const struct sortes_trial *t;
	const struct sortes_history *h;
	const struct sortes_history_entry *e;	/* being written */
};

static void
say(struct writer *w, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void
say(struct writer *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(w->out, fmt, ap);
	va_end(ap);
}

/*
 * A value for a terminal: a string decoded, anything else as written;
 * control characters, which no logged text should hold, become '?'.
 */
static const char *
value_text(char *buf, const struct sortes_history_entry *e,
    const struct sortes_json *v)
{
	if (v == NULL)
		snprintf(buf, VALUE_BUF, "-");
	else if (v->type == SORTES_JSON_STRING)
		sortes_json_excerpt(buf, VALUE_BUF, v->str, v->len);
	else
		sortes_json_excerpt(buf, VALUE_BUF, e->body + v->start,
		    v->end - v->start);
	return buf;
}

static const char *
member_text(char *buf, const struct sortes_history_entry *e, const char *key)
{
	return value_text(buf, e, sortes_json_get(e->json, key));
}

/* "key=value, ..." of an object, or "none" when it is empty. */
static void
say_object(struct writer *w, const char *label, const char *key)
{
	const struct sortes_json *o = sortes_json_get(w->e->json, key);
	char buf[VALUE_BUF];

	say(w, "    %s: ", label);
	if (o == NULL || o->type != SORTES_JSON_OBJECT || o->n == 0)
		say(w, "%s", o != NULL && o->type != SORTES_JSON_OBJECT ?
		    value_text(buf, w->e, o) : "none");
	for (size_t i = 0; o != NULL && o->type == SORTES_JSON_OBJECT &&
	    i < o->n; i++)
		say(w, "%s%s=%s", i > 0 ? ", " : "", o->members[i].key,
		    value_text(buf, w->e, &o->members[i].value));
	say(w, "\n");
}

/* One line per member of object 'key', each "name: value". */
static void
say_members(struct writer *w, const char *key,
    const struct sortes_history_entry *was)
{
	const struct sortes_json *o = sortes_json_get(w->e->json, key);
	const struct sortes_json *old = was != NULL ?
	    sortes_json_get(was->json, key) : NULL;
	char buf[VALUE_BUF], prev[VALUE_BUF];

	for (size_t i = 0; o != NULL && o->type == SORTES_JSON_OBJECT &&
	    i < o->n; i++) {
		const struct sortes_json *v = &o->members[i].value;
		const struct sortes_json *ov = sortes_json_get(old,
		    o->members[i].key);

		say(w, "    %s: %s", o->members[i].key, value_text(buf, w->e, v));
		if (was != NULL && (ov == NULL || strcmp(value_text(prev, was,
		    ov), buf) != 0))
			say(w, " (was %s)", ov != NULL ? prev : "not given");
		say(w, "\n");
	}
}

static void
show_enroll(struct writer *w)
{
	char cw[VALUE_BUF], arm[VALUE_BUF];
	const char *name = arm_name(w->t, member_text(arm, w->e, "arm"));

	say(w, "enrolled with caseworker %s, arm %s%s%s%s\n",
	    member_text(cw, w->e, "caseworker"), arm, name != NULL ? " (" : "",
	    name != NULL ? name : "", name != NULL ? ")" : "");
	say(w, "    pseudonym: %s\n", member_text(cw, w->e, "pseudonym"));
	say_object(w, "allocation", "allocation");
	say_object(w, "stratum", "stratum");
	say(w, "    baseline fields:\n");
	say_members(w, "fields", NULL);
}

static void
show_transfer(struct writer *w)
{
	const struct sortes_json *cross = sortes_json_get(w->e->json,
	    "cross_arm");
	char from[VALUE_BUF], to[VALUE_BUF];

	say(w, "transferred from caseworker %s to %s",
	    member_text(from, w->e, "from"), member_text(to, w->e, "to"));
	if (cross != NULL && cross->type == SORTES_JSON_TRUE)
		say(w, ", a caseworker of another arm: possible contamination");
	else if (cross != NULL && cross->type == SORTES_JSON_FALSE)
		say(w, ", a caseworker of the same arm");
	say(w, "\n");
}

static void
show_withdraw(struct writer *w)
{
	char reason[VALUE_BUF];

	say(w, "withdrew: %s\n", member_text(reason, w->e, "reason"));
}

/* The outcome this one corrects, when it is a measure of the history. */
static const struct sortes_history_entry *
corrected(struct writer *w)
{
	int64_t n;

	if (!sortes_json_int64(sortes_json_get(w->e->json, "supersedes"), &n))
		return NULL;
	say(w, ", correcting entry %lld", (long long)n);
	return entry_at(w->h, n);
}

static void
superseded(struct writer *w)
{
	if (w->e->superseded_by > 0)
		say(w, "    superseded by entry %lld\n",
		    (long long)w->e->superseded_by);
}

static void
show_measure(struct writer *w)
{
	const struct sortes_json *out = sortes_json_get(w->e->json,
	    "out_of_window");
	const struct sortes_history_entry *was;
	char occ[VALUE_BUF], on[VALUE_BUF];

	say(w, "follow-up %s measured on %s", member_text(occ, w->e,
	    "occasion"), member_text(on, w->e, "measured_on"));
	if (out != NULL && out->type == SORTES_JSON_TRUE)
		say(w, ", outside its window");
	was = corrected(w);
	say(w, "\n");
	say_members(w, "measures", was != NULL &&
	    strcmp(was->kind, "measure") == 0 ? was : NULL);
	superseded(w);
}

static void
show_missed(struct writer *w)
{
	char occ[VALUE_BUF], reason[VALUE_BUF];

	say(w, "follow-up %s missed", member_text(occ, w->e, "occasion"));
	corrected(w);
	say(w, ": %s\n", member_text(reason, w->e, "reason"));
	superseded(w);
}

static void
show_spend(struct writer *w)
{
	const struct sortes_json *note = sortes_json_get(w->e->json, "note");
	char amount[SORTES_DECIMAL_BUF], buf[VALUE_BUF], cur[VALUE_BUF];
	char on[VALUE_BUF];
	int64_t minor = 0;

	sortes_json_int64(sortes_json_get(w->e->json, "amount_minor"), &minor);
	sortes_amount_format(minor, amount);
	say(w, "spent %s %s on %s for %s\n", amount, member_text(cur, w->e,
	    "currency"), member_text(on, w->e, "spent_on"),
	    member_text(buf, w->e, "category"));
	if (note != NULL && note->type == SORTES_JSON_STRING)
		say(w, "    note: %s\n", value_text(buf, w->e, note));
}

static const struct {
	const char *kind;
	void (*show)(struct writer *);
} shows[] = {
	{ "enroll", show_enroll }, { "transfer", show_transfer },
	{ "withdraw", show_withdraw }, { "measure", show_measure },
	{ "missed", show_missed }, { "spend", show_spend },
};

/* The entry's time: its one key ending in "_at" (docs/log-format.md). */
static const char *
entry_time(const struct sortes_history_entry *e)
{
	const struct sortes_json *o = e->json;

	for (size_t i = 0; i < o->n; i++) {
		size_t n = o->members[i].keylen;

		if (n > 3 && strcmp(o->members[i].key + n - 3, "_at") == 0 &&
		    o->members[i].value.type == SORTES_JSON_STRING)
			return o->members[i].value.str;
	}
	return "-";
}

static void
show_entry(struct writer *w)
{
	char when[VALUE_BUF];

	sortes_json_excerpt(when, sizeof(when), entry_time(w->e),
	    strlen(entry_time(w->e)));
	say(w, "entry %-5lld %s  ", (long long)w->e->seq, when);
	for (size_t i = 0; i < sizeof(shows) / sizeof(shows[0]); i++)
		if (strcmp(shows[i].kind, w->e->kind) == 0) {
			shows[i].show(w);
			return;
		}
}

int
sortes_history_text(FILE *out, const struct sortes_trial *t,
    const struct sortes_history *h, struct sortes_error *err)
{
	struct writer w = { out, t, h, NULL };
	const char *name = arm_name(t, h->arm);

	say(&w, "participant %s: arm %s%s%s%s, caseworker %s, %s; %zu log "
	    "entr%s\n", h->participant, h->arm, name != NULL ? " (" : "",
	    name != NULL ? name : "", name != NULL ? ")" : "", h->caseworker,
	    h->withdrawn ? "withdrawn" : "active", h->n, h->n == 1 ? "y" :
	    "ies");
	for (size_t i = 0; i < h->n; i++) {
		w.e = &h->entries[i];
		show_entry(&w);
	}
	if (ferror(out))
		return sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "the history");
	return 0;
}
