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

#define SORTES_LOG_FORMAT 1

struct sortes_genesis_record {
	int64_t seq;			/* always 1 */
	const char *trial;		/* trial id */
	const char *protocol_sha256;	/* hex */
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

void sortes_record_genesis(struct sortes_jcs *j,
    const struct sortes_genesis_record *r);
void sortes_record_enroll(struct sortes_jcs *j,
    const struct sortes_enroll_record *r);

#endif
