/*
 * trial.h - a trial: its database, its stored protocol and, when the
 * command needs it, its key.
 */
#ifndef SORTES_TRIAL_H
#define SORTES_TRIAL_H

#include "sortes/crypto.h"
#include "sortes/db.h"
#include "sortes/error.h"
#include "sortes/keyfile.h"
#include "sortes/progress.h"
#include "sortes/protocol.h"

#define SORTES_TIME_LEN 21	/* "YYYY-MM-DDTHH:MM:SSZ" and a NUL */

struct sortes_trial {
	struct sortes_db *db;
	struct sortes_protocol *protocol;	/* parsed from the stored bytes */
	char trial_id[SORTES_TRIAL_ID_MAX + 1];
	char protocol_sha256[SORTES_SHA256_HEX];
	char *protocol_json;	/* stored canonical JSON; NULL in format 1 */
	char protocol_json_sha256[SORTES_SHA256_HEX];	/* "" in format 1 */
	char seed_commitment[SORTES_SHA256_HEX];
	char created_at[SORTES_TIME_LEN];
	int log_format;		/* its genesis entry's; 0 if unreadable */
	int have_key;
	struct sortes_key key;			/* valid when have_key */
	/* Told how far the long steps on this trial are (CSV imports,
	 * verify, exports, constrained randomization), or NULL: the
	 * caller's to set after opening, and to keep alive. */
	const struct sortes_progress *progress;
};

/*
 * Create a trial: parse the protocol at 'protocol_path' (its time zone
 * must be one this system knows, see sortes_protocol_options), create the
 * database 'db_path' and the key file 'key_path' (neither may exist),
 * store the protocol's bytes and SHA-256, commit to the seed and write
 * the genesis log entry, all stamped 'now' (UTC, YYYY-MM-DDTHH:MM:SSZ).
 * Nothing is left behind on failure.  On success *out is the open
 * trial, key loaded; close it with sortes_trial_close().
 */
int sortes_trial_create(struct sortes_trial **out, const char *db_path,
    const char *protocol_path, const char *key_path, const char *now,
    struct sortes_error *err);

/*
 * Open an existing trial and parse its stored protocol (never the file
 * it came from).
 */
int sortes_trial_open(struct sortes_trial **out, const char *db_path,
    struct sortes_error *err);

/*
 * Open an existing trial for reading only, as an auditor's copy is
 * read: the database is opened read-only, never migrated and never
 * written to (sortes_db_open(), SORTES_DB_READONLY).
 */
int sortes_trial_open_readonly(struct sortes_trial **out,
    const char *db_path, struct sortes_error *err);

/*
 * Load the key file for an open trial, checking that it belongs to this
 * trial and that its seed matches the commitment.
 */
int sortes_trial_unlock(struct sortes_trial *t, const char *key_path,
    struct sortes_error *err);

/* Close, wiping the key; NULL is allowed. */
void sortes_trial_close(struct sortes_trial *t);

#endif
