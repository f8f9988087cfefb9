/*
 * chain.c - appending to the hash-chained log.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/chain.h"
#include "sortes/date.h"
#include "sortes/record.h"

struct sortes_chain {
	struct sortes_db *db;
	sqlite3_stmt *insert;
	struct sortes_hasher *hasher;
	int64_t last_seq;
	uint8_t head[SORTES_SHA256_LEN];
	char head_hex[SORTES_SHA256_HEX];
	char head_at[21];		/* the last entry's time; "" if none */
};

/*
 * The head's time, read from its body once when the chain is opened:
 * every later entry is then compared with the one before it in memory.
 */
static int
chain_head_row(struct sortes_chain *c, sqlite3_stmt *st,
    struct sortes_error *err)
{
	const char *hex = (const char *)sqlite3_column_text(st, 1);
	const char *kind = (const char *)sqlite3_column_text(st, 2);
	const char *body = (const char *)sqlite3_column_text(st, 3);

	c->last_seq = sqlite3_column_int64(st, 0);
	if (hex == NULL || sortes_hex_decode(c->head, sizeof(c->head),
	    hex) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: "
		    "stored hash is not 64 hex digits", (long long)c->last_seq);
	if (kind == NULL || body == NULL || sortes_record_time(c->head_at,
	    kind, body, (size_t)sqlite3_column_bytes(st, 3)) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: "
		    "its body holds no time under the key of its kind",
		    (long long)c->last_seq);
	return 0;
}

static int
chain_load_head(struct sortes_chain *c, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(c->db, &st, "SELECT seq, hash, kind, body "
	    "FROM log ORDER BY seq DESC LIMIT 1", err);
	if (rc != 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		rc = chain_head_row(c, st, err);
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(c->db, "reading the log head", err);
	sqlite3_finalize(st);
	sortes_hex_encode(c->head_hex, c->head, sizeof(c->head));
	return rc;
}

int
sortes_chain_open(struct sortes_chain **out, struct sortes_db *db,
    struct sortes_error *err)
{
	struct sortes_chain *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	c->db = db;
	rc = sortes_hasher_new(&c->hasher, err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &c->insert, "INSERT INTO log "
		    "(seq, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
		    err);
	if (rc == 0)
		rc = chain_load_head(c, err);
	if (rc != 0) {
		sortes_chain_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
sortes_chain_free(struct sortes_chain *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->insert);
	sortes_hasher_free(c->hasher);
	free(c);
}

int64_t
sortes_chain_next_seq(const struct sortes_chain *c)
{
	return c->last_seq + 1;
}

const char *
sortes_chain_head(const struct sortes_chain *c)
{
	return c->head_hex;
}

/* An entry dated 'at' may follow the head: at or after its time. */
static int
chain_time_check(const struct sortes_chain *c, const char *at,
    struct sortes_error *err)
{
	if (!sortes_time_valid(at))
		return sortes_error_set(err, SORTES_EUSAGE, "time '%s' is not "
		    "YYYY-MM-DDTHH:MM:SSZ", at);
	if (strcmp(at, c->head_at) < 0)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "log entry "
		    "%lld would be dated %s, before log entry %lld (%s): the "
		    "log's times never go back; is the clock, or SORTES_NOW, "
		    "set back?", (long long)c->last_seq + 1, at,
		    (long long)c->last_seq, c->head_at);
	return 0;
}

int
sortes_chain_append(struct sortes_chain *c, const char *kind, const char *at,
    const char *body, size_t len, struct sortes_error *err)
{
	uint8_t hash[SORTES_SHA256_LEN];
	char hash_hex[SORTES_SHA256_HEX];
	int rc;

	if ((rc = chain_time_check(c, at, err)) != 0)
		return rc;
	rc = sortes_hasher_two(c->hasher, hash, c->head, sizeof(c->head),
	    body, len, err);
	if (rc != 0)
		return rc;
	sortes_hex_encode(hash_hex, hash, sizeof(hash));
	sqlite3_bind_int64(c->insert, 1, c->last_seq + 1);
	sqlite3_bind_text(c->insert, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->insert, 3, body, (int)len, SQLITE_STATIC);
	sqlite3_bind_text(c->insert, 4, c->head_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->insert, 5, hash_hex, -1, SQLITE_STATIC);
	if (sqlite3_step(c->insert) != SQLITE_DONE)
		rc = sortes_db_fail(c->db, "appending to the log", err);
	sqlite3_reset(c->insert);
	sqlite3_clear_bindings(c->insert);
	if (rc != 0)
		return rc;
	c->last_seq++;
	memcpy(c->head_at, at, sizeof(c->head_at));
	memcpy(c->head, hash, sizeof(hash));
	memcpy(c->head_hex, hash_hex, sizeof(hash_hex));
	return 0;
}
