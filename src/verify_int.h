/*
 * verify_int.h - what verify.c and verify_events.c share.  Private to
 * the library.
 */
#ifndef SORTES_VERIFY_INT_H
#define SORTES_VERIFY_INT_H

#include <stdint.h>

#include "sortes/jcs.h"
#include "sortes/verify.h"
#include "strmap.h"

/*
 * The columns of the scan: every log entry with whatever rows claim it
 * (see verify_sql in verify.c).
 */
enum {
	C_SEQ, C_KIND, C_BODY, C_PREV, C_HASH,
	C_P_ID, C_P_PSEUDONYM, C_P_CASEWORKER, C_P_FIELDS, C_P_STRATUM, C_P_AT,
	C_A_ARM, C_A_METHOD, C_A_COUNTER, C_A_POSITION,
	C_C_CODE, C_C_TEAM, C_C_COVARIATES, C_C_AT,
	C_CA_ARM, C_CA_COUNTER, C_CA_POSITION,
	C_R_METHOD, C_R_BEACON, C_R_REPORT, C_R_AT,
	C_T_PARTICIPANT, C_T_FROM, C_T_TO, C_T_CROSS, C_T_AT,
	C_W_PARTICIPANT, C_W_REASON, C_W_AT,
	C_S_NOTE, C_S_AT, C_S_SIGNER,
	C_RV_SEED, C_RV_AT,
	C_O_OCCASION, C_O_STATUS, C_O_ON, C_O_OUT, C_O_MEASURES, C_O_REASON,
	C_O_SUPERSEDES, C_O_AT, C_O_PARTICIPANT,
	C_SP_AMOUNT, C_SP_CATEGORY, C_SP_NOTE, C_SP_ON, C_SP_AT,
	C_SP_PARTICIPANT,
	C_B_LABELS, C_B_COMMITMENT, C_B_AT,
	C_U_BLIND, C_U_MAPPING, C_U_NONCE, C_U_AT
};

/*
 * A kind of allocation sequence: simple draws (no sizes) or permuted
 * blocks of the given sizes.
 */
struct seqkind {
	const char *purpose;	/* as in the stream and alloc_state */
	const int *sizes;	/* NULL: simple draws */
	size_t nsizes;
};

/* How many entries of each kind, and rows they account for. */
struct verify_counts {
	int64_t enroll, caseworker, randomize, transfer, withdraw, freeze,
	    reveal, outcome, spend, blind, unblind;
	int64_t cluster_allocations;	/* new hires + randomized */
};

struct verify_state {
	struct sortes_trial *trial;
	sortes_local_day_fn local_day;	/* enrollment times to days */
	struct sortes_hasher *hasher;
	struct sortes_jcs jcs;
	struct sortes_verify_report *report;
	struct sortes_strmap *strata;	/* purpose|stratum -> struct sequence */
	struct seqkind participant_kind;	/* how participants are drawn */
	struct seqkind new_hire_kind;
	uint8_t prev[SORTES_SHA256_LEN];
	char prev_hex[SORTES_SHA256_HEX];
	char prev_at[21];		/* the time of the entry before */
	char blind_commitment[SORTES_SHA256_HEX];	/* "" before one */
	int64_t blind_seq;		/* the blind entry, 0 before it */
	struct verify_counts counts;
	sqlite3_stmt *randomized;	/* the caseworkers an entry allocated */
	sqlite3_stmt *cluster;		/* a caseworker's allocation */
	sqlite3_stmt *earlier_outcome;	/* what an outcome supersedes */
};

/* Column i as text, "" for NULL. */
const char *verify_col(sqlite3_stmt *st, int i);

/* Record 'seq' as the first bad entry and say why. */
int verify_fail(struct verify_state *v, int64_t seq, struct sortes_error *err,
    const char *what);

/* Entry 'seq' makes allocation (counter, position) in a sequence. */
int verify_step(struct verify_state *v, const struct seqkind *k,
    const char *stratum, int64_t seq, int64_t counter, int64_t position,
    struct sortes_error *err);

/*
 * Compare the body in v->jcs, just built from the tables, with the
 * log's; 'subject' names the tables with their verb ("... table does").
 */
int verify_same(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err, const char *subject);

/* The checks of verify_events.c, one per entry kind. */
int verify_caseworker(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_randomize(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_transfer(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_withdraw(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_freeze(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_reveal(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
/* The checks of verify_blind.c. */
int verify_blind(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_unblind(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
/* The checks of verify_followups.c. */
int verify_outcome(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
int verify_spend(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err);
/* The schedule, outcomes and spends against each other and the protocol. */
int verify_followups(struct verify_state *v, struct sortes_error *err);
/* A caseworker-level participant has its caseworker's arm. */
int verify_inherited(struct verify_state *v, int64_t seq,
    const char *caseworker, const char *arm, int64_t counter,
    struct sortes_error *err);
/* Rows of the caseworker and event tables that no entry accounts for. */
int verify_event_counts(struct verify_state *v, struct sortes_error *err);
int verify_events_prepare(struct verify_state *v, struct sortes_error *err);

#endif
