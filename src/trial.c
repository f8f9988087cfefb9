/*
 * trial.c - creating and opening trials.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/chain.h"
#include "sortes/killpoint.h"
#include "sortes/protocol_json.h"
#include "sortes/infile.h"
#include "sortes/record.h"
#include "sortes/trial.h"
#include "pending.h"

#define PROTOCOL_MAX (1024 * 1024)

/* What sortes_trial_create() is asked to make, and from what. */
struct trial_source {
	const char *db_path, *protocol_path, *key_path, *now;
	char *bytes;		/* the protocol file's, owned */
	size_t len;
};

/* Read a protocol file whole; caller frees *out. */
static int
trial_read_file(char **out, size_t *len, const char *path,
    struct sortes_error *err)
{
	FILE *fp;
	char *buf = NULL;
	size_t n;
	int rc;

	*out = NULL;
	if ((rc = sortes_infile_open(&fp, path, "protocol", err)) != 0)
		return rc;
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
	    "created_at, protocol_json) VALUES (1, ?, ?, ?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_text(st, 1, t->trial_id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->protocol_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->seed_commitment, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, t->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, t->protocol_json, -1, SQLITE_STATIC);
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
		.protocol_json_sha256 = t->protocol_json_sha256,
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

/*
 * Keep 'json' (NULL for none) as the trial's stored protocol JSON and
 * its SHA-256.
 */
static int
trial_keep_json(struct sortes_trial *t, const char *json, size_t len,
    struct sortes_error *err)
{
	uint8_t digest[SORTES_SHA256_LEN];
	int rc;

	t->protocol_json_sha256[0] = '\0';
	if (json == NULL)
		return 0;
	if ((t->protocol_json = strndup(json, len)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_sha256(digest, json, len, err);
	if (rc == 0)
		sortes_hex_encode(t->protocol_json_sha256, digest,
		    sizeof(digest));
	return rc;
}

/* The canonical JSON that a new trial stores and commits to. */
static int
trial_make_json(struct sortes_trial *t, struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc;

	sortes_jcs_init(&j);
	rc = sortes_protocol_json(&j, t->protocol, t->log_format, err);
	if (rc == 0)
		rc = trial_keep_json(t, j.data, j.len, err);
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
		rc = trial_make_json(t, err);
	}
	if (rc == 0)
		rc = sortes_key_generate(&t->key, t->trial_id, err);
	if (rc == 0) {
		t->have_key = 1;
		rc = sortes_key_commitment(t->seed_commitment, t->key.seed, err);
	}
	return rc;
}

static int
trial_store(struct sortes_trial *t, const char *bytes, size_t len,
    const char *protocol_path, struct sortes_error *err)
{
	int rc = sortes_db_begin(t->db, err);

	if (rc == 0)
		rc = trial_insert(t, bytes, len, protocol_path, err);
	if (rc == 0)
		rc = trial_genesis(t, err);
	if (rc == 0) {
		sortes_kill_point("init-pending");
		rc = sortes_db_commit(t->db, err);
	}
	if (rc != 0)
		sortes_db_rollback(t->db);
	return rc;
}

/*
 * Fold the pending database into its one file (no -wal left to lose
 * when it is renamed), close it and sync it.
 */
static int
trial_fold(struct sortes_trial *t, struct sortes_pending *p,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(t->db, &st, "PRAGMA wal_checkpoint(TRUNCATE)",
	    err);

	if (rc == 0 && (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_int(st, 0) != 0))
		rc = sortes_db_fail(t->db, "folding the write-ahead log", err);
	sqlite3_finalize(st);
	sortes_db_close(t->db);
	t->db = NULL;
	return rc == 0 ? sortes_pending_sync(p, err) : rc;
}

/*
 * Build the trial in the pending database, then put the key file in
 * place; *key_linked says whether it is.
 */
static int
trial_build(struct sortes_trial *t, struct sortes_pending *p,
    const struct trial_source *src, int *key_linked, struct sortes_error *err)
{
	int rc;

	*key_linked = 0;
	if (access(src->key_path, F_OK) == 0)
		return sortes_error_set(err, SORTES_ECANTCREAT, "key file '%s' "
		    "already exists; a key file is never overwritten",
		    src->key_path);
	rc = trial_identity(t, src->bytes, src->len, src->now, err);
	if (rc == 0)
		rc = sortes_db_open(&t->db, p->path, SORTES_DB_EXISTING, err);
	if (rc == 0)
		rc = trial_store(t, src->bytes, src->len, src->protocol_path, err);
	if (rc == 0)
		rc = trial_fold(t, p, err);
	if (rc == 0) {
		sortes_kill_point("init-committed");
		rc = sortes_key_write(src->key_path, &t->key, err);
	}
	if (rc == 0) {
		*key_linked = 1;
		sortes_kill_point("init-key-linked");
	}
	return rc;
}

/* Does the open database hold a trial row? */
static int
trial_present(struct sortes_trial *t, int *out, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(t->db, &st, "SELECT count(*) FROM trial",
	    err);

	*out = 0;
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0) > 0;
	else if (rc == 0)
		rc = sortes_db_fail(t->db, "reading the trial", err);
	sqlite3_finalize(st);
	return rc;
}

static int trial_load_row(struct sortes_trial *t, struct sortes_error *err);
static int trial_load_format(struct sortes_trial *t, struct sortes_error *err);

/*
 * The pending trial an interrupted init committed is finished when its
 * protocol is the one given and the key file in place is its key.
 */
static int
trial_take_over(struct sortes_trial *t, struct sortes_pending *p,
    const struct trial_source *src, struct sortes_error *err)
{
	uint8_t digest[SORTES_SHA256_LEN];
	char sha[SORTES_SHA256_HEX];
	int rc = sortes_sha256(digest, src->bytes, src->len, err);

	sortes_hex_encode(sha, digest, sizeof(digest));
	sortes_protocol_free(t->protocol);
	t->protocol = NULL;
	if (rc == 0)
		rc = trial_load_row(t, err);
	if (rc == 0)
		rc = trial_load_format(t, err);
	if (rc == 0 && strcmp(sha, t->protocol_sha256) != 0)
		rc = sortes_error_set(err, SORTES_ECANTCREAT, "cannot create "
		    "database '%s': an interrupted init of it from another "
		    "protocol is in '%s', with key file '%s'; run init with that "
		    "protocol to finish it, or remove both to start again",
		    src->db_path, p->path, src->key_path);
	if (rc == 0 && (rc = sortes_trial_unlock(t, src->key_path, err)) ==
	    SORTES_EDATA)
		rc = sortes_error_set(err, SORTES_ECANTCREAT, "key file '%s' "
		    "already exists; a key file is never overwritten",
		    src->key_path);
	if (rc == 0)
		rc = trial_fold(t, p, err);
	return rc;
}

/*
 * What an interrupted init left: a pending trial that has its key file
 * is finished (*done); one without a trial, or without a key file
 * (whose secret is then lost), is thrown away to start again.
 */
static int
trial_resume(struct sortes_trial *t, struct sortes_pending *p,
    const struct trial_source *src, int *done, struct sortes_error *err)
{
	int rc, present = 0;

	*done = 0;
	rc = sortes_db_open(&t->db, p->path, SORTES_DB_EXISTING, err);
	if (rc == 0)
		rc = trial_present(t, &present, err);
	if (rc != 0)
		return sortes_error_prefix(err, "an interrupted init left '%s', "
		    "which cannot be read (remove it to start again)", p->path);
	if (present && access(src->key_path, F_OK) == 0) {
		*done = 1;
		return trial_take_over(t, p, src, err);
	}
	sortes_db_close(t->db);
	t->db = NULL;
	return sortes_pending_restart(p, err);
}

/* Give the pending database its name, and open it there. */
static int
trial_install(struct sortes_trial *t, struct sortes_pending *p,
    const char *db_path, int *installed, struct sortes_error *err)
{
	int rc = sortes_pending_install(p, db_path, err);

	*installed = rc == 0;
	if (rc == 0)
		rc = sortes_db_open(&t->db, db_path, SORTES_DB_EXISTING, err);
	return rc;
}

/* A new trial's database must not exist: a trial is created once. */
static int
trial_absent(const char *db_path, struct sortes_error *err)
{
	struct stat st;

	if (lstat(db_path, &st) == 0)
		return sortes_error_set(err, SORTES_ECANTCREAT, "cannot create "
		    "database '%s': it already exists; a trial is created once",
		    db_path);
	return 0;
}

/*
 * The database is built under a pending name and renamed into place
 * only once it holds the trial and the key file is written
 * (pending.h, docs/files.md); a failure removes what this call made.
 */
int
sortes_trial_create(struct sortes_trial **out, const char *db_path,
    const char *protocol_path, const char *key_path, const char *now,
    struct sortes_error *err)
{
	/* the C library would run an unknown zone as UTC, without a word */
	const struct sortes_protocol_options check = { 1, NULL };
	struct trial_source src = { .db_path = db_path,
	    .protocol_path = protocol_path, .key_path = key_path, .now = now };
	struct sortes_pending p = { .fd = -1 };
	struct sortes_trial *t;
	int rc, done = 0, built = 0, key_linked = 0, installed = 0;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = trial_read_file(&src.bytes, &src.len, protocol_path, err);
	if (rc == 0)
		rc = sortes_protocol_parse_with(&t->protocol, src.bytes, src.len,
		    protocol_path, &check, err);
	if (rc == 0)
		rc = trial_absent(db_path, err);
	if (rc == 0)
		rc = sortes_pending_open(&p, db_path, err);
	if (rc == 0 && p.left)
		rc = trial_resume(t, &p, &src, &done, err);
	if (rc == 0 && !done) {
		built = 1;
		rc = trial_build(t, &p, &src, &key_linked, err);
	}
	if (rc == 0)
		rc = trial_install(t, &p, db_path, &installed, err);
	free(src.bytes);
	if (rc != 0) {
		sortes_db_close(t->db);
		t->db = NULL;
		if (key_linked && !installed)
			unlink(key_path);
	}
	sortes_pending_close(&p, rc != 0 && built && !installed);
	if (rc != 0) {
		sortes_trial_close(t);
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
	    "protocol_name, protocol_sha256, seed_commitment, created_at, "
	    "protocol_json FROM trial WHERE id = 1", err);
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
	rc = trial_keep_json(t, (const char *)sqlite3_column_text(st, 6),
	    (size_t)sqlite3_column_bytes(st, 6), err);
	if (rc == 0 && (rc = sortes_protocol_parse(&t->protocol,
	    sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1),
	    (const char *)sqlite3_column_text(st, 2), err)) != 0)
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

static int
trial_open(struct sortes_trial **out, const char *db_path,
    enum sortes_db_mode mode, struct sortes_error *err)
{
	struct sortes_trial *t;
	int rc;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_db_open(&t->db, db_path, mode, err);
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
sortes_trial_open(struct sortes_trial **out, const char *db_path,
    struct sortes_error *err)
{
	return trial_open(out, db_path, SORTES_DB_EXISTING, err);
}

int
sortes_trial_open_readonly(struct sortes_trial **out, const char *db_path,
    struct sortes_error *err)
{
	return trial_open(out, db_path, SORTES_DB_READONLY, err);
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
	free(t->protocol_json);
	sortes_key_wipe(&t->key);
	free(t);
}
