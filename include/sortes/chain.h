/*
 * chain.h - the append-only, hash-chained log.
 *
 * Entry n is hashed as SHA-256(prev || body), where prev is the 32-byte
 * hash of entry n-1 (32 zero bytes for entry 1) and body the entry's
 * canonical JSON.  docs/log-format.md gives the details and an example.
 */
#ifndef SORTES_CHAIN_H
#define SORTES_CHAIN_H

#include <stdint.h>

#include "sortes/crypto.h"
#include "sortes/db.h"
#include "sortes/error.h"

struct sortes_chain;

/*
 * Open the log of 'db' (borrowed) for appending, positioned after its
 * last entry, whose time it reads from the entry's body.  The caller
 * holds the write transaction.
 */
int sortes_chain_open(struct sortes_chain **out, struct sortes_db *db,
    struct sortes_error *err);

/* Free; NULL is allowed. */
void sortes_chain_free(struct sortes_chain *c);

/* Sequence number the next entry will get. */
int64_t sortes_chain_next_seq(const struct sortes_chain *c);

/*
 * Append an entry of 'kind' made at UTC time 'at' (YYYY-MM-DDTHH:MM:SSZ)
 * whose canonical body is body[0..len).  The body must carry "kind" and
 * "seq" equal to these and 'at' under its kind's time key
 * (sortes_record_time_key()); the caller builds it with
 * sortes_chain_next_seq().  An entry dated before the one before it is
 * refused (SORTES_EUNSUPPORTED, naming both times): the log's times
 * only move forward, several entries may share a second.  A malformed
 * 'at' is SORTES_EUSAGE.
 */
int sortes_chain_append(struct sortes_chain *c, const char *kind,
    const char *at, const char *body, size_t len, struct sortes_error *err);

/* Hash of the last entry, hex (64 zeros when the log is empty). */
const char *sortes_chain_head(const struct sortes_chain *c);

#endif
