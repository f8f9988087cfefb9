/*
 * history.h - one participant's whole history, read from the log.
 *
 * The tables only say which entries concern the participant (they are
 * indexed by participant); what the history says comes from those
 * entries' logged bodies, parsed with the strict JSON reader, so that
 * it shows what the hash chain commits to and not what a table holds.
 */
#ifndef SORTES_HISTORY_H
#define SORTES_HISTORY_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/json.h"
#include "sortes/trial.h"

struct sortes_history_entry {
	int64_t seq;
	char *kind;		/* the log's kind column */
	char *body;		/* the canonical body, exactly as logged */
	size_t len;
	char *hash, *prev_hash;	/* hex, as logged */
	struct sortes_json *json;	/* 'body' parsed */
	int64_t superseded_by;	/* the outcome that corrects this one, or 0 */
};

struct sortes_history {
	char participant[64];	/* the UUID asked for */
	struct sortes_history_entry *entries;	/* in log order */
	size_t n;
	/* From the entries: the enrollment's arm, the caseworker now. */
	const char *arm;
	const char *caseworker;
	int withdrawn;
};

/*
 * Every entry about participant 'id' (its UUID), in log order: the
 * enrollment, then transfers, the withdrawal, outcomes and spends.
 * SORTES_EDATA "no participant 'ID' in this trial" when there is none;
 * SORTES_EVERIFY when an entry the tables point at does not name the
 * participant or is not an entry of its kind (the tables and the log
 * disagree: sortes verify says where).  Free *h with
 * sortes_history_free(), also after a failure.
 */
int sortes_history_load(struct sortes_trial *t, const char *id,
    struct sortes_history *h, struct sortes_error *err);

void sortes_history_free(struct sortes_history *h);

/*
 * The history as one canonical JSON object in 'j' (reset first):
 * docs/json.md, "participant show".
 */
int sortes_history_json(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_history *h, struct sortes_error *err);

/*
 * The history for a person at a terminal: a summary line, then each
 * entry with its number, time and what it says.  SORTES_EIO when
 * writing to 'out' fails (errno kept).
 */
int sortes_history_text(FILE *out, const struct sortes_trial *t,
    const struct sortes_history *h, struct sortes_error *err);

#endif
