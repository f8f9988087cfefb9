/*
 * trial.c - creating and opening trials.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/chain.h"
#include "sortes/record.h"
#include "sortes/trial.h"

#define PROTOCOL_MAX (1024 * 1024)

/* Read a protocol file whole; caller frees *out. */
static int
trial_read_file(char **out, size_t *len, const char *path,
    struct sortes_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t n;

	*out = NULL;
	if (fp == NULL)
		return sortes_error_set(err, SORTES_ENOINPUT,
		    "cannot open protocol '%s': %s", path, strerror(errno));
	if ((buf = malloc(PROTOCOL_MAX + 1)) == NULL) {
		fclose(fp);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	n = fread(buf, 1, PROTOCOL_MAX + 1, fp);
	if (ferror(fp) || n > PROTOCOL_MAX) {
		fclose(fp);
		free(buf);
		return sortes_error_set(err, n > PROTOCOL_MAX ? SORTES_EDATA :
		    SORTES_EIO, "cannot read protocol '%s': %s", path,
		    n > PROTOCOL_MAX ? "larger than 1 MiB" : strerror(errno));
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int
trial_insert(struct sortes_trial *t, const char *bytes, size_t len,
    const char *name, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "INSERT INTO trial (id, trial_id, "
	    "protocol, protocol_name, protocol_sha256, seed_commitment, "
	    "created_at) VALUES (1, ?, ?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(st, 1, t->trial_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->protocol_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->seed_commitment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->created_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing the protocol", err);
	sqlite3_finalize(st);
	return rc;
}

static int
trial_genesis(struct sortes_trial *t, struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	struct sortes_jcs j;
	struct sortes_genesis_record g = {
		.seq = 1,
		.log_format = t->log_format,
		.trial = t->trial_id,
		.protocol_sha256 = t->protocol_sha256,
		.commitment = t->seed_commitment,
		.created_at = t->created_at,
	};
	int rc;

	sortes_jcs_init(&j);
	sortes_record_genesis(&j, &g);
	rc = sortes_jcs_finish(&j, err);
	if (rc == 0)
		rc = sortes_chain_open(&chain, t->db, err);
	if (rc == 0 && sortes_chain_next_seq(chain) != 1)
		rc = sortes_error_set(err, SORTES_EINTERNAL,
		    "the log of a new trial is not empty");
	if (rc == 0)
		rc = sortes_chain_append(chain, "genesis", t->created_at,
		    j.data, j.len, err);
	sortes_chain_free(chain);
	sortes_jcs_free(&j);
	return rc;
}

/* Fill the trial's identity from protocol bytes and a fresh key. */
static int
trial_identity(struct sortes_trial *t, const char *bytes, size_t len,
    const char *now, struct sortes_error *err)
{
	uint8_t digest[SORTES_SHA256_LEN];
	int rc;

	if (strlen(now) != SORTES_TIME_LEN - 1)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "time '%s' is not YYYY-MM-DDTHH:MM:SSZ", now);
	strcpy(t->created_at, now);
	strcpy(t->trial_id, t->protocol->id);
	t->log_format = SORTES_LOG_FORMAT;
	rc = sortes_sha256(digest, bytes, len, err);
	if (rc == 0) {
		sortes_hex_encode(t->protocol_sha256, digest, sizeof(digest));
		rc = sortes_key_generate(&t->key, t->trial_id, err);
	}
	if (rc == 0) {
		t->have_key = 1;
		rc = sortes_key_commitment(t->seed_commitment, t->key.seed, err);
	}
	return rc;
}

static int
trial_store(struct sortes_trial *t, const char *bytes, size_t len,
    const char *protocol_path, const char *key_path, struct sortes_error *err)
{
	int rc = sortes_db_begin(t->db, err);

	if (rc == 0)
		rc = trial_insert(t, bytes, len, protocol_path, err);
	if (rc == 0)
		rc = trial_genesis(t, err);
	/* The key file is written last but before COMMIT: if it cannot be
	 * written the trial is rolled back, and a trial never exists
	 * without its key. */
	if (rc == 0)
		rc = sortes_key_write(key_path, &t->key, err);
	if (rc == 0 && (rc = sortes_db_commit(t->db, err)) != 0)
		unlink(key_path);
	if (rc != 0)
		sortes_db_rollback(t->db);
	return rc;
}

int
sortes_trial_create(struct sortes_trial **out, const char *db_path,
    const char *protocol_path, const char *key_path, const char *now,
    struct sortes_error *err)
{
	struct sortes_trial *t;
	char *bytes = NULL;
	size_t len = 0;
	int rc, created = 0;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = trial_read_file(&bytes, &len, protocol_path, err);
	if (rc == 0)
		rc = sortes_protocol_parse(&t->protocol, bytes, len,
		    protocol_path, err);
	if (rc == 0 && access(key_path, F_OK) == 0)
		rc = sortes_error_set(err, SORTES_ECANTCREAT, "key file '%s' "
		    "already exists; a key file is never overwritten", key_path);
	if (rc == 0)
		rc = trial_identity(t, bytes, len, now, err);
	if (rc == 0 && (rc = sortes_db_open(&t->db, db_path, SORTES_DB_CREATE,
	    err)) == 0)
		created = 1;
	if (rc == 0)
		rc = trial_store(t, bytes, len, protocol_path, key_path, err);
	free(bytes);
	if (rc != 0) {
		sortes_trial_close(t);
		if (created)
			sortes_db_remove(db_path);
		return rc;
	}
	*out = t;
	return 0;
}

static int
trial_load_row(struct sortes_trial *t, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "SELECT trial_id, protocol, "
	    "protocol_name, protocol_sha256, seed_commitment, created_at "
	    "FROM trial WHERE id = 1", err);
	if (rc != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return sortes_error_set(err, SORTES_EDATA, "database '%s' "
		    "holds no trial", t->db->path);
	}
	snprintf(t->trial_id, sizeof(t->trial_id), "%s",
	    (const char *)sqlite3_column_text(st, 0));
	snprintf(t->protocol_sha256, sizeof(t->protocol_sha256), "%s",
	    (const char *)sqlite3_column_text(st, 3));
	snprintf(t->seed_commitment, sizeof(t->seed_commitment), "%s",
	    (const char *)sqlite3_column_text(st, 4));
	snprintf(t->created_at, sizeof(t->created_at), "%s",
	    (const char *)sqlite3_column_text(st, 5));
	rc = sortes_protocol_parse(&t->protocol, sqlite3_column_blob(st, 1),
	    (size_t)sqlite3_column_bytes(st, 1),
	    (const char *)sqlite3_column_text(st, 2), err);
	if (rc != 0)
		sortes_error_prefix(err, "stored protocol of '%s'",
		    t->db->path);
	sqlite3_finalize(st);
	return rc;
}

/*
 * The log format the trial was created under, from its genesis entry:
 * later formats change what some entries mean, so the rules of the
 * trial's own format apply to it for good.  0 when the genesis entry
 * is missing or says nothing readable (verify reports that).
 */
static int
trial_load_format(struct sortes_trial *t, struct sortes_error *err)
{
	static const char key[] = "\"log_format\":";
	sqlite3_stmt *st = NULL;
	const char *body, *at;
	int rc;

	t->log_format = 0;
	rc = sortes_db_prepare(t->db, &st, "SELECT body FROM log WHERE seq = 1 "
	    "AND kind = 'genesis'", err);
	if (rc != 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (body = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    (at = strstr(body, key)) != NULL &&
	    at[sizeof(key) - 1] >= '1' && at[sizeof(key) - 1] <= '9' &&
	    (at[sizeof(key)] == ',' || at[sizeof(key)] == '}'))
		t->log_format = at[sizeof(key) - 1] - '0';
	sqlite3_finalize(st);
	return 0;
}

int
sortes_trial_open(struct sortes_trial **out, const char *db_path,
    struct sortes_error *err)
{
	struct sortes_trial *t;
	int rc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_db_open(&t->db, db_path, SORTES_DB_EXISTING, err);
	if (rc == 0)
		rc = trial_load_row(t, err);
	if (rc == 0)
		rc = trial_load_format(t, err);
	if (rc != 0) {
		sortes_trial_close(t);
		return rc;
	}
	*out = t;
	return 0;
}

int
sortes_trial_unlock(struct sortes_trial *t, const char *key_path,
    struct sortes_error *err)
{
	char commitment[SORTES_SHA256_HEX];
	int rc;

	rc = sortes_key_read(&t->key, key_path, err);
	if (rc == 0 && strcmp(t->key.trial, t->trial_id) != 0)
		rc = sortes_error_set(err, SORTES_EDATA, "key file '%s' belongs "
		    "to trial '%s', not '%s'", key_path, t->key.trial,
		    t->trial_id);
	if (rc == 0)
		rc = sortes_key_commitment(commitment, t->key.seed, err);
	if (rc == 0 && strcmp(commitment, t->seed_commitment) != 0)
		rc = sortes_error_set(err, SORTES_EDATA, "key file '%s': its "
		    "seed does not match the trial's commitment", key_path);
	if (rc != 0) {
		sortes_key_wipe(&t->key);
		return rc;
	}
	t->have_key = 1;
	return 0;
}

void
sortes_trial_close(struct sortes_trial *t)
{
	if (t == NULL)
		return;
	sortes_db_close(t->db);
	sortes_protocol_free(t->protocol);
	sortes_key_wipe(&t->key);
	free(t);
}
