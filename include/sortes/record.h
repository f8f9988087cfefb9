/*
 * record.h - the canonical bodies of log entries.
 *
 * One function per entry kind builds the exact JSON that is hashed.
 * Enrollment writes entries with them and verification rebuilds them
 * from the tables, so the two cannot drift apart.  docs/log-format.md
 * lists every key.
 */
#ifndef SORTES_RECORD_H
#define SORTES_RECORD_H

#include <stdint.h>

#include "sortes/jcs.h"

#define SORTES_LOG_FORMAT 2

struct sortes_genesis_record {
	int64_t seq;			/* always 1 */
	int log_format;			/* the trial's: 1 or SORTES_LOG_FORMAT */
	const char *trial;		/* trial id */
	const char *protocol_sha256;	/* hex */
	const char *protocol_json_sha256; /* hex; format 2 on, else unused */
	const char *commitment;		/* SHA-256 of the seed, hex */
	const char *created_at;		/* UTC timestamp */
};

struct sortes_enroll_record {
	int64_t seq;
	const char *participant;	/* UUID */
	const char *pseudonym;		/* hex */
	const char *caseworker;
	const char *fields;		/* canonical JSON object text */
	const char *stratum;		/* canonical JSON object text */
	const char *enrolled_at;	/* UTC timestamp */
	const char *arm;		/* arm code */
	const char *method;		/* randomization method name */
	int64_t counter;		/* stream index (block or draw number) */
	int64_t position;		/* place in the block, or -1 */
};

struct sortes_caseworker_record {
	int64_t seq;
	const char *caseworker;		/* code */
	const char *team;
	const char *covariates;		/* canonical JSON object text */
	const char *registered_at;
	const char *arm;		/* new hire's arm, or NULL */
	int64_t counter, position;	/* new hire's block and place */
};

/* One caseworker's arm in a randomization entry. */
struct sortes_cluster_arm {
	const char *caseworker;
	const char *arm;
};

struct sortes_randomize_record {
	int64_t seq;
	const char *method;
	const char *beacon;		/* or NULL */
	const char *report;		/* canonical JSON object text */
	const char *randomized_at;
	const struct sortes_cluster_arm *arms;	/* sorted by caseworker code */
	size_t narms;
};

struct sortes_transfer_record {
	int64_t seq;
	const char *participant;	/* UUID */
	const char *from, *to;		/* caseworker codes */
	int cross_arm;			/* 1, 0, or -1 when clusters have no arms */
	const char *transferred_at;
};

struct sortes_withdraw_record {
	int64_t seq;
	const char *participant;	/* UUID */
	const char *reason;
	const char *withdrawn_at;
};

struct sortes_freeze_record {
	int64_t seq;
	const char *note;
	const char *sealed_at;
	const char *signer;		/* public key fingerprint */
};

struct sortes_reveal_record {
	int64_t seq;
	const char *seed;		/* 64 hex digits */
	const char *revealed_at;
};

/* The commitment to a blinding's mapping (docs/blinding.md). */
struct sortes_blind_record {
	int64_t seq;
	const char *labels;		/* canonical JSON array */
	const char *commitment;		/* hex */
	const char *blinded_at;
};

/* The blinding's mapping disclosed, with its nonce. */
struct sortes_unblind_record {
	int64_t seq;
	int64_t blind;			/* the blind entry it opens */
	const char *mapping;		/* canonical JSON object */
	const char *nonce;		/* hex */
	const char *unblinded_at;
};

/* A measurement at a follow-up occasion. */
struct sortes_measure_record {
	int64_t seq;
	const char *participant;	/* UUID */
	const char *occasion;		/* follow-up code */
	const char *measured_on;	/* YYYY-MM-DD */
	int out_of_window;		/* 1: accepted outside the window */
	const char *measures;		/* canonical JSON object text */
	int64_t supersedes;		/* the outcome it corrects, or 0 */
	const char *recorded_at;
};

/* A follow-up occasion that could not be done. */
struct sortes_missed_record {
	int64_t seq;
	const char *participant;	/* UUID */
	const char *occasion;
	const char *reason;
	int64_t supersedes;		/* the outcome it corrects, or 0 */
	const char *recorded_at;
};

/* An approved spend of a participant's budget. */
struct sortes_spend_record {
	int64_t seq;
	const char *participant;	/* UUID */
	int64_t amount_minor;		/* > 0, in minor units (øre) */
	const char *currency;		/* the protocol's, e.g. "DKK" */
	const char *category;
	const char *note;		/* or NULL */
	const char *spent_on;		/* YYYY-MM-DD */
	const char *recorded_at;
};

void sortes_record_blind(struct sortes_jcs *j,
    const struct sortes_blind_record *r);
void sortes_record_unblind(struct sortes_jcs *j,
    const struct sortes_unblind_record *r);
void sortes_record_measure(struct sortes_jcs *j,
    const struct sortes_measure_record *r);
void sortes_record_missed(struct sortes_jcs *j,
    const struct sortes_missed_record *r);
void sortes_record_spend(struct sortes_jcs *j,
    const struct sortes_spend_record *r);
void sortes_record_freeze(struct sortes_jcs *j,
    const struct sortes_freeze_record *r);
void sortes_record_reveal(struct sortes_jcs *j,
    const struct sortes_reveal_record *r);
void sortes_record_caseworker(struct sortes_jcs *j,
    const struct sortes_caseworker_record *r);
void sortes_record_randomize(struct sortes_jcs *j,
    const struct sortes_randomize_record *r);
void sortes_record_transfer(struct sortes_jcs *j,
    const struct sortes_transfer_record *r);
void sortes_record_withdraw(struct sortes_jcs *j,
    const struct sortes_withdraw_record *r);
void sortes_record_genesis(struct sortes_jcs *j,
    const struct sortes_genesis_record *r);
void sortes_record_enroll(struct sortes_jcs *j,
    const struct sortes_enroll_record *r);

/*
 * The key under which an entry of 'kind' keeps the UTC time it was made
 * ("created_at" for "genesis", "recorded_at" for "measure", ...), or
 * NULL for a kind this version does not know.
 */
const char *sortes_record_time_key(const char *kind);

/*
 * Read that time from the canonical body body[0..len) of an entry of
 * 'kind' into out ("YYYY-MM-DDTHH:MM:SSZ" and a NUL).  Returns 0, or
 * -1 when the kind is unknown or its key does not hold such a time.
 */
int sortes_record_time(char out[21], const char *kind, const char *body,
    size_t len);

#endif
