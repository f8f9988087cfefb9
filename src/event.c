/*
 * event.c - looking up a participant and appending an entry about it.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/chain.h"
#include "sortes/jcs.h"
#include "event.h"

static const char participant_sql[] =
    "SELECT p.seq, a.arm, coalesce((SELECT t.to_caseworker FROM transfers t "
    "WHERE t.participant = p.seq ORDER BY t.seq DESC LIMIT 1), "
    "p.caseworker), EXISTS (SELECT 1 FROM withdrawals w "
    "WHERE w.participant = p.seq), p.enrolled_at FROM participants p "
    "JOIN allocations a ON a.seq = p.seq WHERE p.id = ?";

static void
participant_row(struct sortes_trial *t, sqlite3_stmt *st,
    struct sortes_event_participant *p)
{
	p->seq = sqlite3_column_int64(st, 0);
	snprintf(p->arm, sizeof(p->arm), "%s",
	    (const char *)sqlite3_column_text(st, 1));
	p->arm_index = sortes_protocol_arm(t->protocol, p->arm);
	snprintf(p->caseworker, sizeof(p->caseworker), "%s",
	    (const char *)sqlite3_column_text(st, 2));
	p->withdrawn = sqlite3_column_int(st, 3);
	snprintf(p->enrolled_at, sizeof(p->enrolled_at), "%s",
	    (const char *)sqlite3_column_text(st, 4));
}

int
sortes_event_participant(struct sortes_trial *t, const char *id,
    struct sortes_event_participant *p, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = sortes_db_prepare(t->db, &st, participant_sql, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		participant_row(t, st, p);
	else if (step == SQLITE_DONE)
		rc = sortes_error_set(err, SORTES_EDATA, "no participant '%s' "
		    "in this trial", id);
	else
		rc = sortes_db_fail(t->db, "looking up a participant", err);
	sqlite3_finalize(st);
	if (rc == 0 && p->arm_index < 0)
		rc = sortes_error_set(err, SORTES_EINTERNAL, "participant '%s' "
		    "has an arm the protocol does not name", id);
	return rc;
}

int
sortes_event_append(struct sortes_trial *t, const char *kind,
    const char *at, struct sortes_jcs *body, struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	int rc = sortes_jcs_finish(body, err);

	if (rc == 0)
		rc = sortes_chain_open(&chain, t->db, err);
	if (rc == 0)
		rc = sortes_chain_append(chain, kind, at, body->data, body->len,
		    err);
	sortes_chain_free(chain);
	return rc;
}

int
sortes_event_seq(struct sortes_trial *t, int64_t *seq,
    struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	int rc = sortes_chain_open(&chain, t->db, err);

	if (rc == 0)
		*seq = sortes_chain_next_seq(chain);
	sortes_chain_free(chain);
	return rc;
}

int
sortes_event_text(const char *what, const char *text, size_t max,
    struct sortes_error *err)
{
	size_t n = strlen(text);

	if (n == 0 || n > max)
		return sortes_error_set(err, SORTES_EDATA, "%s must be 1 to "
		    "%zu bytes", what, max);
	if (!sortes_utf8_valid(text, n))
		return sortes_error_set(err, SORTES_EDATA, "%s is not valid "
		    "UTF-8", what);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return sortes_error_set(err, SORTES_EDATA, "%s holds "
			    "a control character", what);
	return 0;
}
