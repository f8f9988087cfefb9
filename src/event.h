/*
 * event.h - what every entry about an enrolled participant needs: the
 * participant as things stand, and a place at the end of the log.
 * Private to the library.
 */
#ifndef SORTES_EVENT_H
#define SORTES_EVENT_H

#include <stdint.h>

#include "sortes/caseworker.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/trial.h"

struct sortes_event_participant {
	int64_t seq;			/* enrollment entry */
	char arm[64];
	long arm_index;			/* into protocol->arms */
	char caseworker[SORTES_CASEWORKER_MAX + 1];	/* current */
	char enrolled_at[32];		/* UTC */
	int withdrawn;
};

/* Look up participant 'id' (UUID); SORTES_EDATA if there is none. */
int sortes_event_participant(struct sortes_trial *t, const char *id,
    struct sortes_event_participant *p, struct sortes_error *err);

/* The sequence number the next entry will take. */
int sortes_event_seq(struct sortes_trial *t, int64_t *seq,
    struct sortes_error *err);

/* Finish 'body' and append it as an entry of 'kind' made at 'at'. */
int sortes_event_append(struct sortes_trial *t, const char *kind,
    const char *at, struct sortes_jcs *body, struct sortes_error *err);

/* Text of 1 to 'max' bytes of UTF-8 without control characters. */
int sortes_event_text(const char *what, const char *text, size_t max,
    struct sortes_error *err);

#endif
