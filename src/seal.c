/*
 * seal.c - freezes, seal files, and the reveal of the seed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/chain.h"
#include "sortes/date.h"
#include "sortes/json.h"
#include "sortes/outfile.h"
#include "sortes/infile.h"
#include "sortes/record.h"
#include "sortes/seal.h"

int
sortes_seal_text(const struct sortes_seal *s, char *buf, size_t size,
    size_t *len, struct sortes_error *err)
{
	int n = snprintf(buf, size, "sortes-seal 1\ntrial %s\n"
	    "protocol-sha256 %s\nseed-commitment %s\nentries %lld\nhead %s\n"
	    "sealed-at %s\nnote %s\nsigner %s\n", s->trial, s->protocol_sha256,
	    s->commitment, (long long)s->entries, s->head, s->sealed_at,
	    s->note, s->signer);

	if (n < 0 || (size_t)n >= size)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "seal text too long");
	*len = (size_t)n;
	return 0;
}

int
sortes_seal_format(const struct sortes_seal *s, char *buf, size_t size,
    size_t *len, struct sortes_error *err)
{
	char sig[4 * ((SORTES_SIG_LEN + 2) / 3) + 1];
	int rc = sortes_seal_text(s, buf, size, len, err), n;

	if (rc != 0)
		return rc;
	sortes_base64_encode(sig, s->signature, SORTES_SIG_LEN);
	n = snprintf(buf + *len, size - *len, "signature %s\n", sig);
	if (n < 0 || (size_t)n >= size - *len)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "seal text too long");
	*len += (size_t)n;
	return 0;
}

int
sortes_seal_write(const struct sortes_seal *s, const char *path,
    struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX];
	size_t len;
	int rc = sortes_seal_format(s, buf, sizeof(buf), &len, err);

	if (rc == 0)
		rc = sortes_outfile_put(path, 0644, "seal file", buf, len, err);
	return rc;
}

/* The seal's lines, in their fixed order. */
enum { L_MAGIC, L_TRIAL, L_PROTOCOL, L_COMMITMENT, L_ENTRIES, L_HEAD,
    L_SEALED, L_NOTE, L_SIGNER, L_SIGNATURE, L_COUNT };

static const char *const line_names[L_COUNT] = {
	"sortes-seal", "trial", "protocol-sha256", "seed-commitment",
	"entries", "head", "sealed-at", "note", "signer", "signature",
};

/* "YYYY-MM-DDTHH:MM:SSZ" with a real date and time. */
static int
utc_time_valid(const char *t)
{
	char date[11];
	int32_t day;
	int h, m, sec, n = 0;

	if (strlen(t) != 20 || t[10] != 'T' || t[19] != 'Z')
		return 0;
	memcpy(date, t, 10);
	date[10] = '\0';
	return sortes_date_parse(date, &day) == 0 &&
	    sscanf(t + 11, "%2d:%2d:%2dZ%n", &h, &m, &sec, &n) == 3 &&
	    n == 9 && h >= 0 && h <= 23 && m >= 0 && m <= 59 && sec >= 0 &&
	    sec <= 59 && t[11] != ' ' && t[14] != ' ' && t[17] != ' ';
}

static int
hex64(const char *v)
{
	uint8_t tmp[32];

	return strlen(v) == 64 && sortes_hex_decode(tmp, 32, v) == 0 &&
	    strspn(v, "0123456789abcdef") == 64;
}

/* Store line i's value 'v' into the seal; nonzero if it is malformed. */
static int
seal_field(struct sortes_seal *s, int i, const char *v)
{
	char *end;

	switch (i) {
	case L_MAGIC: return strcmp(v, "1") != 0;
	case L_TRIAL:
		return strlen(v) > SORTES_TRIAL_ID_MAX || v[0] == '\0' ||
		    !strcpy(s->trial, v);
	case L_PROTOCOL: return !hex64(v) || !strcpy(s->protocol_sha256, v);
	case L_COMMITMENT: return !hex64(v) || !strcpy(s->commitment, v);
	case L_ENTRIES:
		s->entries = strtoll(v, &end, 10);
		return *end != '\0' || s->entries < 1 || v[0] == '0';
	case L_HEAD: return !hex64(v) || !strcpy(s->head, v);
	case L_SEALED:
		return strlen(v) != SORTES_TIME_LEN - 1 || !strcpy(s->sealed_at, v);
	case L_NOTE: return strlen(v) > SORTES_NOTE_MAX || !strcpy(s->note, v);
	case L_SIGNER: return !hex64(v) || !strcpy(s->signer, v);
	default:
		return sortes_base64_decode(s->signature, SORTES_SIG_LEN, v) !=
		    SORTES_SIG_LEN;
	}
}

static int note_check(const char *note, struct sortes_error *err);

/*
 * A seal has one spelling: the text must be exactly what sortes_seal_
 * format() writes for the values read, or sortes (which signs the
 * re-formatted text) and openssl (which checks the file's bytes) could
 * disagree about an edited seal.
 */
static int
seal_canonical(const struct sortes_seal *s, const char *text, size_t len,
    const char *name, struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX];
	size_t n;
	struct sortes_error ignored;

	if (note_check(s->note, &ignored) != 0 ||
	    !utc_time_valid(s->sealed_at) ||
	    sortes_seal_format(s, buf, sizeof(buf), &n, &ignored) != 0 ||
	    n != len || memcmp(buf, text, len) != 0)
		return sortes_error_set(err, SORTES_EDATA, "seal '%s' is not in "
		    "the form sortes writes (a value was edited)", name);
	return 0;
}

int
sortes_seal_parse(struct sortes_seal *out, const char *text, size_t len,
    const char *name, struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX + 1], *line, *next;
	int i = 0;

	memset(out, 0, sizeof(*out));
	if (len > SORTES_SEAL_MAX || memchr(text, '\0', len) != NULL)
		return sortes_error_set(err, SORTES_EDATA, "seal '%s' is not a "
		    "seal file", name);
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (line = buf; i < L_COUNT && line != NULL && *line; line = next, i++) {
		size_t n = strlen(line_names[i]);

		if ((next = strchr(line, '\n')) == NULL)
			break;
		*next++ = '\0';
		if (strncmp(line, line_names[i], n) != 0 || line[n] != ' ' ||
		    seal_field(out, i, line + n + 1) != 0)
			return sortes_error_set(err, SORTES_EDATA, "seal '%s': "
			    "line %d is not a valid '%s' line", name, i + 1,
			    line_names[i]);
	}
	if (i != L_COUNT || (line != NULL && *line != '\0'))
		return sortes_error_set(err, SORTES_EDATA, "seal '%s': expected "
		    "exactly the %d lines of a seal", name, L_COUNT);
	return seal_canonical(out, text, len, name, err);
}

int
sortes_seal_read(struct sortes_seal *out, const char *path,
    struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX + 1];
	FILE *fp;
	size_t n;
	int rc;

	if ((rc = sortes_infile_open(&fp, path, "seal", err)) != 0)
		return rc;
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (n > SORTES_SEAL_MAX)
		return sortes_error_set(err, SORTES_EDATA, "seal '%s' is larger "
		    "than %d bytes", path, SORTES_SEAL_MAX);
	return sortes_seal_parse(out, buf, n, path, err);
}

static int
note_check(const char *note, struct sortes_error *err)
{
	size_t n = strlen(note);

	if (n > SORTES_NOTE_MAX || !sortes_utf8_valid(note, n))
		return sortes_error_set(err, SORTES_EDATA, "note must be at most "
		    "%d bytes of UTF-8", SORTES_NOTE_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)note[i] < 0x20 || note[i] == 0x7f)
			return sortes_error_set(err, SORTES_EDATA, "note holds a "
			    "control character; it must be one line");
	return 0;
}

static int
freeze_store(struct sortes_trial *t, const struct sortes_seal *s,
    struct sortes_error *err)
{
	char sig[4 * ((SORTES_SIG_LEN + 2) / 3) + 1];
	sqlite3_stmt *st = NULL;
	int rc;

	sortes_base64_encode(sig, s->signature, SORTES_SIG_LEN);
	rc = sortes_db_prepare(t->db, &st, "INSERT INTO seals (seq, note, "
	    "sealed_at, signer, signature) VALUES (?, ?, ?, ?, ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->entries);
	sqlite3_bind_text(st, 2, s->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->sealed_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->signer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sig, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "storing the seal", err);
	sqlite3_finalize(st);
	return rc;
}

static int
freeze_run(struct sortes_trial *t, struct sortes_signer *signer,
    struct sortes_seal *s, struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	char text[SORTES_SEAL_MAX];
	struct sortes_jcs body;
	size_t len;
	int rc;

	sortes_jcs_init(&body);
	rc = sortes_chain_open(&chain, t->db, err);
	if (rc == 0) {
		s->entries = sortes_chain_next_seq(chain);
		sortes_record_freeze(&body, &(struct sortes_freeze_record){
		    .seq = s->entries, .note = s->note,
		    .sealed_at = s->sealed_at, .signer = s->signer });
		rc = sortes_jcs_finish(&body, err);
	}
	if (rc == 0)
		rc = sortes_chain_append(chain, "freeze", s->sealed_at,
		    body.data, body.len, err);
	if (rc == 0) {
		memcpy(s->head, sortes_chain_head(chain), SORTES_SHA256_HEX);
		rc = sortes_seal_text(s, text, sizeof(text), &len, err);
	}
	if (rc == 0)
		rc = sortes_sign(signer, s->signature, text, len, err);
	if (rc == 0)
		rc = freeze_store(t, s, err);
	sortes_chain_free(chain);
	sortes_jcs_free(&body);
	return rc;
}

int
sortes_freeze(struct sortes_trial *t, struct sortes_signer *signer,
    const char *note, const char *at, struct sortes_seal *out,
    struct sortes_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = note_check(note, err)) != 0)
		return rc;
	strcpy(out->trial, t->trial_id);
	strcpy(out->protocol_sha256, t->protocol_sha256);
	strcpy(out->commitment, t->seed_commitment);
	snprintf(out->sealed_at, sizeof(out->sealed_at), "%s", at);
	strcpy(out->note, note);
	sortes_signer_fingerprint(signer, out->signer);
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = freeze_run(t, signer, out, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

/* The stored hash of entry 'seq', and the last entry's number. */
static int
log_hash_at(struct sortes_trial *t, int64_t seq, char hash[SORTES_SHA256_HEX],
    int64_t *last, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	hash[0] = '\0';
	rc = sortes_db_prepare(t->db, &st, "SELECT (SELECT max(seq) FROM log), "
	    "(SELECT hash FROM log WHERE seq = ?)", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(t->db, "reading the log", err);
	else {
		*last = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			snprintf(hash, SORTES_SHA256_HEX, "%s",
			    (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc;
}

static int
seal_identity(struct sortes_trial *t, const struct sortes_seal *s,
    struct sortes_error *err)
{
	if (strcmp(s->trial, t->trial_id) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "seal of %lld "
		    "entries: it seals trial '%s', not '%s'",
		    (long long)s->entries, s->trial, t->trial_id);
	if (strcmp(s->protocol_sha256, t->protocol_sha256) != 0 ||
	    strcmp(s->commitment, t->seed_commitment) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "seal of %lld "
		    "entries: its protocol hash or seed commitment is not the "
		    "trial's", (long long)s->entries);
	return 0;
}

/* What in freeze entry 'v' is not what seal 's' says. */
static int
freeze_differs(const struct sortes_seal *s, const struct sortes_json *v,
    struct sortes_error *err)
{
	const struct sortes_json *kind = sortes_json_get(v, "kind"), *f;
	char mine[128], theirs[128];

	if (kind == NULL || kind->type != SORTES_JSON_STRING)
		return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld is "
		    "not a freeze entry", (long long)s->entries);
	if (!sortes_json_string_is(kind, "freeze")) {
		sortes_json_excerpt(theirs, sizeof(theirs), kind->str, kind->len);
		return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld is "
		    "of kind '%s', not a freeze entry", (long long)s->entries,
		    theirs);
	}
	if (!sortes_json_string_is(f = sortes_json_get(v, "note"), s->note)) {
		sortes_json_excerpt(mine, sizeof(mine), s->note, strlen(s->note));
		if (f != NULL && f->type == SORTES_JSON_STRING)
			sortes_json_excerpt(theirs, sizeof(theirs), f->str,
			    f->len);
		else
			strcpy(theirs, "(none)");
		return sortes_error_set(err, SORTES_EVERIFY, "its note '%s' is "
		    "not the freeze entry's '%s'", mine, theirs);
	}
	if (!sortes_json_string_is(f = sortes_json_get(v, "sealed_at"),
	    s->sealed_at))
		return sortes_error_set(err, SORTES_EVERIFY, "its sealed-at time "
		    "%s is not the freeze entry's %.20s", s->sealed_at,
		    f != NULL && f->type == SORTES_JSON_STRING ? f->str : "");
	if (!sortes_json_string_is(f = sortes_json_get(v, "signer"), s->signer))
		return sortes_error_set(err, SORTES_EVERIFY, "its signer "
		    "%.16s... is not the freeze entry's %.16s...", s->signer,
		    f != NULL && f->type == SORTES_JSON_STRING ? f->str : "");
	return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld is not "
	    "the freeze entry of this seal's note, time and signer",
	    (long long)s->entries);
}

int
sortes_seal_check_freeze(const struct sortes_seal *s, const char *body,
    size_t len, struct sortes_error *err)
{
	struct sortes_json *v = NULL;
	struct sortes_jcs want;
	int rc;

	sortes_jcs_init(&want);
	sortes_record_freeze(&want, &(struct sortes_freeze_record){
	    .seq = s->entries, .note = s->note, .sealed_at = s->sealed_at,
	    .signer = s->signer });
	rc = sortes_jcs_finish(&want, err);
	if (rc == 0 && (want.len != len || memcmp(want.data, body, len) != 0)) {
		rc = sortes_json_parse(&v, body, len, err);
		if (rc == SORTES_EDATA)
			rc = sortes_error_set(err, SORTES_EVERIFY, "log entry "
			    "%lld is not a freeze entry", (long long)s->entries);
		else if (rc == 0)
			rc = freeze_differs(s, v, err);
	}
	sortes_json_free(v);
	sortes_jcs_free(&want);
	return rc;
}

/* The sealed entry of trial 't' is the freeze that made seal 's'. */
static int
seal_freeze_entry(struct sortes_trial *t, const struct sortes_seal *s,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "SELECT body FROM log WHERE seq = ?",
	    err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, s->entries);
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(t->db, "reading the log", err);
	else
		rc = sortes_seal_check_freeze(s, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0), err);
	sqlite3_finalize(st);
	if (rc == SORTES_EVERIFY)
		sortes_error_prefix(err, "seal of %lld entries",
		    (long long)s->entries);
	return rc;
}

int
sortes_seal_check_signature(const struct sortes_seal *s,
    struct sortes_signer *pub, struct sortes_error *err)
{
	char text[SORTES_SEAL_MAX], fp[SORTES_SHA256_HEX];
	size_t len;
	int rc;

	sortes_signer_fingerprint(pub, fp);
	if (strcmp(fp, s->signer) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "seal of %lld "
		    "entries: signed by key %.16s..., not by the given key "
		    "%.16s...", (long long)s->entries, s->signer, fp);
	if ((rc = sortes_seal_text(s, text, sizeof(text), &len, err)) != 0)
		return rc;
	if (sortes_sign_verify(pub, s->signature, text, len, err) != 0)
		return sortes_error_prefix(err, "seal of %lld entries",
		    (long long)s->entries);
	return 0;
}

int
sortes_seal_check(struct sortes_trial *t, const struct sortes_seal *s,
    struct sortes_signer *pub, struct sortes_error *err)
{
	char hash[SORTES_SHA256_HEX];
	int64_t last = 0;
	int rc;

	if ((rc = seal_identity(t, s, err)) != 0 ||
	    (rc = log_hash_at(t, s->entries, hash, &last, err)) != 0)
		return rc;
	if (s->entries > last)
		return sortes_error_set(err, SORTES_EVERIFY, "seal of %lld "
		    "entries: the log has only %lld; it was truncated or rolled "
		    "back", (long long)s->entries, (long long)last);
	if (strcmp(hash, s->head) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "seal of %lld "
		    "entries: log entry %lld does not have the sealed hash; the "
		    "log was rewritten", (long long)s->entries,
		    (long long)s->entries);
	/* The signature first: an edited seal is an edited seal. */
	if (pub != NULL && (rc = sortes_seal_check_signature(s, pub, err)) != 0)
		return rc;
	return seal_freeze_entry(t, s, err);
}

static int
reveal_run(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err)
{
	struct sortes_chain *chain = NULL;
	struct sortes_jcs body;
	sqlite3_stmt *st = NULL;
	char seed[65];
	int rc;

	sortes_hex_encode(seed, t->key.seed, sizeof(t->key.seed));
	sortes_jcs_init(&body);
	rc = sortes_chain_open(&chain, t->db, err);
	if (rc == 0) {
		*seq = sortes_chain_next_seq(chain);
		sortes_record_reveal(&body, &(struct sortes_reveal_record){
		    .seq = *seq, .seed = seed, .revealed_at = at });
		rc = sortes_jcs_finish(&body, err);
	}
	if (rc == 0)
		rc = sortes_chain_append(chain, "reveal", at, body.data,
		    body.len, err);
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &st, "INSERT INTO reveals (seq, "
		    "seed, revealed_at) VALUES (?, ?, ?)", err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, *seq);
		sqlite3_bind_text(st, 2, seed, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, at, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sortes_db_fail(t->db, "storing the reveal", err);
	}
	sqlite3_finalize(st);
	sortes_chain_free(chain);
	sortes_jcs_free(&body);
	return rc;
}

int
sortes_revealed(struct sortes_trial *t, int64_t *seq, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(t->db, &st, "SELECT coalesce(min(seq), 0) "
	    "FROM reveals", err);

	*seq = 0;
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		*seq = sqlite3_column_int64(st, 0);
	else if (rc == 0)
		rc = sortes_db_fail(t->db, "reading the reveal", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_concealed(struct sortes_trial *t, const char *doing,
    struct sortes_error *err)
{
	int64_t seq;
	int rc = sortes_revealed(t, &seq, err);

	if (rc != 0 || seq == 0)
		return rc;
	return sortes_error_set(err, SORTES_EUNSUPPORTED, "%s trial '%s': the "
	    "seed was revealed in log entry %lld, so any allocation made now "
	    "would be predictable; allocating ends before the reveal (close "
	    "enrollment, freeze, then reveal)", doing, t->trial_id,
	    (long long)seq);
}

int
sortes_reveal(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err)
{
	int64_t done = 0;
	int rc;

	*seq = 0;
	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE, "revealing needs the "
		    "trial's key file");
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = sortes_revealed(t, &done, err);
	if (rc == 0 && done != 0)
		rc = sortes_error_set(err, SORTES_EDATA, "the seed of trial "
		    "'%s' is revealed already", t->trial_id);
	if (rc == 0)
		rc = reveal_run(t, at, seq, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

/* The seals table's rows, as seal_from_row() reads them. */
#define SEALS_SELECT "SELECT s.seq, s.note, s.sealed_at, s.signer, " \
	"s.signature, l.hash FROM seals s JOIN log l ON l.seq = s.seq"

/* Rebuild the seal of freeze entry 'seq' from the seals table row. */
static void
seal_from_row(struct sortes_trial *t, sqlite3_stmt *st, struct sortes_seal *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->trial, t->trial_id);
	strcpy(s->protocol_sha256, t->protocol_sha256);
	strcpy(s->commitment, t->seed_commitment);
	s->entries = sqlite3_column_int64(st, 0);
	snprintf(s->note, sizeof(s->note), "%s", sqlite3_column_text(st, 1));
	snprintf(s->sealed_at, sizeof(s->sealed_at), "%s",
	    sqlite3_column_text(st, 2));
	snprintf(s->signer, sizeof(s->signer), "%s", sqlite3_column_text(st, 3));
	snprintf(s->head, sizeof(s->head), "%s", sqlite3_column_text(st, 5));
	if (sortes_base64_decode(s->signature, SORTES_SIG_LEN,
	    (const char *)sqlite3_column_text(st, 4)) != SORTES_SIG_LEN)
		memset(s->signature, 0, SORTES_SIG_LEN);
}

static int
seals_verify_db(struct sortes_trial *t, struct sortes_signer *pub,
    int64_t *checked, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	struct sortes_seal s;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, SEALS_SELECT " ORDER BY s.seq", err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		seal_from_row(t, st, &s);
		rc = sortes_seal_check(t, &s, pub, err);
		if (rc != 0)
			sortes_error_prefix(err, "database");
		(*checked)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading seals", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_seals_verify(struct sortes_trial *t, const char *const *files,
    size_t nfiles, struct sortes_signer *pub, int64_t *checked,
    struct sortes_error *err)
{
	struct sortes_seal s;
	int rc;

	*checked = 0;
	if ((rc = seals_verify_db(t, pub, checked, err)) != 0)
		return rc;
	for (size_t i = 0; i < nfiles; i++) {
		/* A seal edited out of shape fails verification like one
		 * edited in place. */
		if ((rc = sortes_seal_read(&s, files[i], err)) != 0)
			return rc == SORTES_EDATA ? (err->code = SORTES_EVERIFY) :
			    rc;
		if ((rc = sortes_seal_check(t, &s, pub, err)) != 0)
			return sortes_error_prefix(err, "'%s'", files[i]);
		(*checked)++;
	}
	return 0;
}

int
sortes_seal_point(struct sortes_trial *t, int64_t at, struct sortes_seal *out,
    struct sortes_error *err)
{
	int64_t last = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	strcpy(out->trial, t->trial_id);
	strcpy(out->protocol_sha256, t->protocol_sha256);
	strcpy(out->commitment, t->seed_commitment);
	out->entries = at;
	if ((rc = log_hash_at(t, at, out->head, &last, err)) != 0)
		return rc;
	if (at > last || out->head[0] == '\0')
		return sortes_error_set(err, SORTES_EDATA, "the log has %lld "
		    "entries, not %lld", (long long)last, (long long)at);
	return 0;
}

int
sortes_seal_head(struct sortes_trial *t, struct sortes_seal *out,
    struct sortes_error *err)
{
	char hash[SORTES_SHA256_HEX];
	int64_t last = 0;
	int rc = log_hash_at(t, 0, hash, &last, err);

	return rc != 0 ? rc : sortes_seal_point(t, last, out, err);
}

int
sortes_seals_each(struct sortes_trial *t, int64_t entry, sortes_seal_fn fn,
    void *ctx, int64_t *count, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	struct sortes_seal s;
	int rc, step;

	*count = 0;
	rc = sortes_db_prepare(t->db, &st, SEALS_SELECT " WHERE ?1 = 0 OR "
	    "s.seq = ?1 ORDER BY s.seq", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, entry);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		seal_from_row(t, st, &s);
		(*count)++;
		rc = fn(ctx, &s, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading seals", err);
	sqlite3_finalize(st);
	return rc;
}

/* Keep the one seal asked for. */
static int
seal_keep(void *ctx, const struct sortes_seal *s, struct sortes_error *err)
{
	(void)err;
	memcpy(ctx, s, sizeof(*s));
	return 0;
}

int
sortes_seal_stored(struct sortes_trial *t, int64_t entry,
    struct sortes_seal *out, struct sortes_error *err)
{
	int64_t found = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (entry < 1)
		return sortes_error_set(err, SORTES_EUSAGE, "entry %lld is not a "
		    "log entry number", (long long)entry);
	rc = sortes_seals_each(t, entry, seal_keep, out, &found, err);
	if (rc == 0 && found == 0)
		rc = sortes_error_set(err, SORTES_EDATA, "trial '%s' keeps no "
		    "seal of entry %lld ('sortes seal list' shows those it "
		    "keeps)", t->trial_id, (long long)entry);
	return rc;
}
