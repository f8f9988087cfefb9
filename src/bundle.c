/*
 * bundle.c - the evaluator's bundle: writing the log extract, and
 * checking an export against a seal without the database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/bundle.h"
#include "sortes/crypto.h"
#include "sortes/export.h"
#include "sortes/export_followups.h"
#include "sortes/json.h"
#include "sortes/infile.h"
#include "sortes/protocol_json.h"
#include "sortes/zone.h"
#include "followups_log.h"
#include "strata.h"
#include "strmap.h"

#define PATH_BUF 4096

int
sortes_bundle_write_log(struct sortes_trial *t, FILE *out, int64_t at,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	rc = sortes_db_prepare(t->db, &st, "SELECT seq, prev_hash, hash, body "
	    "FROM log WHERE seq <= ? ORDER BY seq", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, at);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		if (fprintf(out, "%lld %s %s %s\n",
		    (long long)sqlite3_column_int64(st, 0),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		    sqlite3_column_text(st, 3)) < 0)
			rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot "
			    "write the log extract");
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_bundle_write_protocol(struct sortes_trial *t, FILE *out,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t n;
	int rc;

	rc = sortes_db_prepare(t->db, &st, "SELECT protocol FROM trial WHERE "
	    "id = 1", err);
	if (rc == 0 && sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(t->db, "reading the protocol", err);
	if (rc == 0 && (n = (size_t)sqlite3_column_bytes(st, 0)) > 0 &&
	    fwrite(sqlite3_column_blob(st, 0), 1, n, out) != n)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write the "
		    "protocol");
	sqlite3_finalize(st);
	return rc;
}

/* A stdio stream whose bytes go into a SHA-256 (fopencookie). */
static ssize_t
hash_write(void *cookie, const char *buf, size_t n)
{
	return sortes_hasher_update(cookie, buf, n, NULL) == 0 ?
	    (ssize_t)n : -1;
}

static FILE *
hash_stream(struct sortes_hasher *h)
{
	cookie_io_functions_t io = { .write = hash_write };

	return fopencookie(h, "w", io);
}

/*
 * A participant's transfers and withdrawal in the extract.  A row's
 * status comes from entries after its enrollment, so a first reading
 * of the extract gathers them (for these participants alone, not every
 * row), and the second, which checks the chain and rebuilds the rows,
 * finds each of them again in the chain it checks: so the statuses
 * written are the sealed log's, even were the file to change between
 * the two readings.
 */
struct status {
	int64_t transfers, seen_transfers;
	char withdrawn_at[SORTES_TIME_LEN];	/* "" when not withdrawn */
	int seen_withdrawn;
	int enrolled;			/* its enrollment was met, in order */
};

struct checker {
	const struct sortes_seal *seal;
	const char *export_path;
	int followups;			/* the manifest's kind */
	sortes_local_day_fn local_day;
	struct sortes_protocol *protocol;	/* bundle_protocol(), or NULL */
	struct fu_log *fu;		/* its schedule, entry by entry */
	struct sortes_export_writer writer;
	uint8_t prev[SORTES_SHA256_LEN];
	char prev_hex[SORTES_SHA256_HEX];
	struct sortes_hasher *chain;
	struct sortes_bundle_report *report;
	struct sortes_strmap *statuses;	/* participant UUID: struct status */
};

static int
bad(struct sortes_error *err, int64_t seq, const char *what)
{
	return sortes_error_set(err, SORTES_EVERIFY, "log extract, entry %lld: "
	    "%s", (long long)seq, what);
}

static const char *const row_kinds[] = { NULL, "enroll", "transfer",
    "withdraw" };
enum { K_ENROLL = 1, K_TRANSFER, K_WITHDRAW };

/*
 * The kind of entry that makes or changes a row, by its canonical text
 * (in which no string can hold the key unescaped), or 0; parsing only
 * these keeps the check as fast as the hashing.
 */
static int
row_kind(const char *body)
{
	char want[32];

	for (int k = K_ENROLL; k <= K_WITHDRAW; k++) {
		snprintf(want, sizeof(want), "\"kind\":\"%s\"", row_kinds[k]);
		if (strstr(body, want) != NULL)
			return k;
	}
	return 0;
}

/* Entry 'e' is of kind 'k' indeed. */
static int
is_kind(const struct sortes_json *e, int k)
{
	return sortes_json_string_is(sortes_json_get(e, "kind"), row_kinds[k]);
}

/* A string member of an entry, or NULL. */
static const char *
entry_text(const struct sortes_json *e, const char *key)
{
	const struct sortes_json *v = sortes_json_get(e, key);

	return v != NULL && v->type == SORTES_JSON_STRING ? v->str : NULL;
}

/* The first reading: a transfer or withdrawal, counted for its participant. */
static int
gather_status(struct checker *c, const char *body, int kind,
    struct sortes_error *err)
{
	struct sortes_json *e = NULL;
	const char *who, *when;
	struct status *st;
	int added;

	/* What does not parse here, the second reading refuses. */
	if (sortes_json_parse(&e, body, strlen(body), NULL) != 0 ||
	    !is_kind(e, kind) || (who = entry_text(e, "participant")) == NULL) {
		sortes_json_free(e);
		return 0;
	}
	st = sortes_strmap_put(c->statuses, who, &added, NULL);
	when = entry_text(e, "withdrawn_at");
	if (st != NULL && kind == K_TRANSFER)
		st->transfers++;
	else if (st != NULL && when != NULL && strlen(when) < SORTES_TIME_LEN)
		strcpy(st->withdrawn_at, when);
	sortes_json_free(e);
	return st == NULL ? sortes_error_set(err, SORTES_ENOMEM, "out of "
	    "memory") : 0;
}

/* The body of an extract's line "SEQ PREV HASH BODY", or NULL. */
static const char *
line_body(const char *line)
{
	for (int i = 0; i < 3 && line != NULL; i++)
		if ((line = strchr(line, ' ')) != NULL)
			line++;
	return line;
}

static int
gather_statuses(struct checker *c, const char *path, struct sortes_error *err)
{
	FILE *fp;
	char *line = NULL;
	const char *body;
	size_t cap = 0;
	ssize_t n;
	int rc, kind;

	if ((rc = sortes_infile_open(&fp, path, "the log extract", err)) != 0)
		return rc;
	while (rc == 0 && (n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if ((body = line_body(line)) != NULL &&
		    (kind = row_kind(body)) != 0 && kind != K_ENROLL)
			rc = gather_status(c, body, kind, err);
	}
	if (rc == 0 && ferror(fp))
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot read the "
		    "log extract '%s'", path);
	free(line);
	fclose(fp);
	return rc;
}

/*
 * Member 'key' of an entry's members into 'out': a string decoded, an
 * object ('object') as it stands.  0, or -1 when it is not there so.
 */
static int
entry_member(const struct sortes_member *m, long n, const char *key,
    int object, char *out, size_t *used)
{
	const struct sortes_member *v = sortes_member_find(m, n, key, NULL);
	size_t len;

	if (v == NULL || v->value[0] != (object ? '{' : '"'))
		return -1;
	if (object) {
		memcpy(out, v->value, v->valuelen);
		out[v->valuelen] = '\0';
		*used += v->valuelen + 1;
		return 0;
	}
	if (sortes_json_string_decode(v->value, v->valuelen, out, &len,
	    NULL) != 0)
		return -1;
	*used += len + 1;
	return 0;
}

/*
 * The row an enrollment entry makes, written as the export writes it.
 * The body is split, not parsed: the hash binds it to the sealed chain,
 * and this runs for every row.
 */
static int
check_enroll(struct checker *c, const char *body, const char *hash,
    int64_t seq, struct sortes_error *err)
{
	static const char *const keys[] = { "pseudonym", "participant",
	    "caseworker", "arm", "enrolled_at", "stratum", "fields" };
	struct sortes_member m[16];
	long n = sortes_object_split(body, m, 16);
	const struct sortes_member *kind = sortes_member_find(m, n, "kind",
	    NULL);
	char *buf = malloc(strlen(body) + 8), *text[7];
	struct status *st;
	size_t used = 0;
	int rc = buf == NULL ? sortes_error_set(err, SORTES_ENOMEM, "out of "
	    "memory") : 0;

	/* "kind" in a nested object is not the entry's. */
	if (rc == 0 && (n < 0 || kind == NULL || kind->valuelen != 8 ||
	    memcmp(kind->value, "\"enroll\"", 8) != 0)) {
		free(buf);
		return n < 0 ? bad(err, seq, "its body is not a JSON object") : 0;
	}
	for (size_t k = 0; rc == 0 && k < 7; k++) {
		text[k] = buf + used;
		if (entry_member(m, n, keys[k], k >= 5, text[k], &used) != 0)
			rc = bad(err, seq, "an enrollment without its fields");
	}
	st = rc == 0 ? sortes_strmap_get(c->statuses, text[1]) : NULL;
	if (st != NULL)
		st->enrolled = 1;
	if (rc == 0)
		rc = sortes_export_row(&c->writer, &(struct sortes_export_row){
		    .pseudonym = text[0], .participant = text[1],
		    .caseworker = text[2], .arm = text[3],
		    .enrolled_at = text[4], .stratum = text[5],
		    .fields = text[6], .entry_hash = hash, .seq = seq,
		    .withdrawn_at = st != NULL && st->withdrawn_at[0] != '\0' ?
		    st->withdrawn_at : NULL,
		    .transfers = st != NULL ? st->transfers : 0 }, err);
	free(buf);
	return rc;
}

/* A transfer or withdrawal, found again as the first reading had it. */
static int
check_status(struct checker *c, const struct sortes_json *e, int kind,
    int64_t seq, struct sortes_error *err)
{
	const char *who = entry_text(e, "participant");
	const char *when = entry_text(e, "withdrawn_at");
	struct status *st = who != NULL ? sortes_strmap_get(c->statuses, who) :
	    NULL;

	if (st == NULL || !st->enrolled)
		return bad(err, seq, "a transfer or withdrawal of nobody "
		    "enrolled before it");
	if (kind == K_TRANSFER) {
		st->seen_transfers++;
		return 0;
	}
	if (st->seen_withdrawn++ > 0 || when == NULL ||
	    strcmp(when, st->withdrawn_at) != 0)
		return bad(err, seq, "a withdrawal without its time, or a "
		    "second one");
	return 0;
}

/* What an entry of the second reading adds to the export. */
static int
check_entry(struct checker *c, const char *body, const char *hash,
    int64_t seq, struct sortes_error *err)
{
	struct sortes_json *e = NULL;
	int kind = row_kind(body), rc;

	if (kind == 0)
		return 0;
	if (kind == K_ENROLL)
		return check_enroll(c, body, hash, seq, err);
	/* A body that hashes into the sealed chain is JSON; still, check. */
	if (sortes_json_parse(&e, body, strlen(body), err) != 0) {
		sortes_json_free(e);
		return bad(err, seq, "its body is not JSON");
	}
	rc = is_kind(e, kind) ? check_status(c, e, kind, seq, err) : 0;
	sortes_json_free(e);
	return rc;
}

/* Every transfer and withdrawal of the first reading met in the second. */
static int
status_met(void *ctx, const char *key, void *value)
{
	const struct status *st = value;

	(void)ctx;
	(void)key;
	return st->seen_transfers != st->transfers ||
	    st->seen_withdrawn != (st->withdrawn_at[0] != '\0');
}

static int
statuses_met(struct checker *c, struct sortes_error *err)
{
	if (sortes_strmap_each(c->statuses, status_met, NULL) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "the log extract "
		    "changed while it was read: its transfers and withdrawals "
		    "are not those read first");
	return 0;
}

static void
checker_free(struct checker *c)
{
	sortes_strmap_free(c->statuses, NULL);
	sortes_hasher_free(c->chain);
	fu_log_free(c->fu);
	sortes_protocol_free(c->protocol);
}

/* Genesis must commit to the seal's trial, protocol and seed. */
static int
check_genesis(struct checker *c, const char *body, struct sortes_error *err)
{
	char want[3][160];

	snprintf(want[0], sizeof(want[0]), "\"commitment\":\"%s\"",
	    c->seal->commitment);
	snprintf(want[1], sizeof(want[1]), "\"protocol_sha256\":\"%s\"",
	    c->seal->protocol_sha256);
	snprintf(want[2], sizeof(want[2]), "\"trial\":\"%s\"", c->seal->trial);
	for (int i = 0; i < 3; i++)
		if (strstr(body, want[i]) == NULL)
			return bad(err, 1, "the genesis entry is not the sealed "
			    "trial's");
	return 0;
}

static int beside(char path[PATH_BUF], const char *export_path,
    const char *suffix, struct sortes_error *err);

/* Whether the SHA-256 of j's text (and a newline) is 'sha'. */
static int
text_has_sha(struct sortes_hasher *h, const struct sortes_jcs *j, int newline,
    const char *sha, int *same, struct sortes_error *err)
{
	uint8_t digest[SORTES_SHA256_LEN];
	char hex[SORTES_SHA256_HEX];
	int rc = sortes_hasher_reset(h, err);

	if (rc == 0)
		rc = sortes_hasher_update(h, j->data, j->len, err);
	if (rc == 0 && newline)
		rc = sortes_hasher_update(h, "\n", 1, err);
	if (rc == 0)
		rc = sortes_hasher_final(h, digest, err);
	*same = 0;
	if (rc == 0) {
		sortes_hex_encode(hex, digest, sizeof(digest));
		*same = strcmp(hex, sha) == 0;
	}
	return rc;
}

/* The genesis entry's log format and JSON commitment ("" in format 1). */
static int
genesis_json(const char *genesis, int64_t *format, char want[SORTES_SHA256_HEX],
    struct sortes_error *err)
{
	struct sortes_json *g = NULL;
	const struct sortes_json *v;
	int rc = sortes_json_parse(&g, genesis, strlen(genesis), err);

	if (rc != 0)
		return bad(err, 1, "the genesis entry is not JSON");
	*format = 1;
	want[0] = '\0';
	if ((v = sortes_json_get(g, "log_format")) != NULL &&
	    !sortes_json_int64(v, format))
		*format = 0;
	v = sortes_json_get(g, "protocol_json_sha256");
	if (v != NULL && v->type == SORTES_JSON_STRING &&
	    v->len < SORTES_SHA256_HEX)
		memcpy(want, v->str, v->len + 1);
	sortes_json_free(g);
	if (*format >= 2 && want[0] == '\0')
		return bad(err, 1, "the genesis entry commits to no JSON form "
		    "of the protocol");
	return 0;
}

/*
 * From log format 2 on the genesis entry commits to the protocol's
 * canonical JSON form: the bundle's must be that one, and what the
 * bundle's protocol file reads as.  A format-1 trial commits to the
 * file alone, which the seal names.
 */
static int
protocol_json_check(struct checker *c, const char *genesis,
    struct sortes_error *err)
{
	char path[PATH_BUF], sha[SORTES_SHA256_HEX], want[SORTES_SHA256_HEX];
	struct sortes_jcs j;
	int64_t format;
	int same = 0, rc = genesis_json(genesis, &format, want, err);

	if (rc != 0 || format < 2)
		return rc;
	if ((rc = beside(path, c->export_path, ".protocol.json", err)) != 0 ||
	    (rc = sortes_file_sha256(sha, path, err)) != 0)
		return rc;
	if (strcmp(sha, want) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "the protocol's JSON "
		    "form '%s' is not the one the genesis entry commits to",
		    path);
	sortes_jcs_init(&j);
	rc = sortes_protocol_json(&j, c->protocol, (int)format, err);
	if (rc == 0)
		rc = text_has_sha(c->chain, &j, 0, sha, &same, err);
	if (rc == 0 && !same)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the protocol's JSON "
		    "form '%s' is not what the protocol file reads as", path);
	sortes_jcs_free(&j);
	return rc;
}

/*
 * A follow-up bundle's schedule, from its protocol (bundle_protocol())
 * once the genesis entry says which JSON form that protocol must read
 * as.
 */
static int
followups_genesis(struct checker *c, const char *genesis,
    struct sortes_error *err)
{
	int rc = protocol_json_check(c, genesis, err);

	if (rc == 0)
		rc = sortes_zone_check(c->protocol->timezone, err);
	if (rc == 0)
		rc = fu_log_new(&c->fu, c->protocol, c->local_day, err);
	return rc;
}

/* An entry of a follow-up bundle changes the schedule it rebuilds. */
static int
check_followup(struct checker *c, const char *body, int64_t seq,
    struct sortes_error *err)
{
	int rc = fu_log_entry(c->fu, seq, body, strlen(body), err);

	if (rc == SORTES_EDATA) {
		err->code = rc = SORTES_EVERIFY;
		sortes_error_prefix(err, "log extract");
	}
	return rc;
}

static int
check_line(struct checker *c, char *line, struct sortes_error *err)
{
	int64_t seq = c->report->entries + 1;
	char *prev = strchr(line, ' '), *hash, *body;
	uint8_t digest[SORTES_SHA256_LEN];
	char hex[SORTES_SHA256_HEX];
	int rc;

	if (prev == NULL || strtoll(line, NULL, 10) != seq ||
	    (hash = strchr(++prev, ' ')) == NULL ||
	    (body = strchr(++hash, ' ')) == NULL)
		return bad(err, seq, "not the next line of the extract");
	hash[-1] = '\0';
	*body++ = '\0';
	if (strcmp(prev, c->prev_hex) != 0)
		return bad(err, seq, "its previous hash is not the entry before");
	rc = sortes_hasher_two(c->chain, digest, c->prev, sizeof(c->prev),
	    body, strlen(body), err);
	sortes_hex_encode(hex, digest, sizeof(digest));
	if (rc == 0 && strcmp(hex, hash) != 0)
		return bad(err, seq, "its hash does not match its content");
	memcpy(c->prev, digest, sizeof(digest));
	memcpy(c->prev_hex, hex, sizeof(hex));
	c->report->entries = seq;
	if (rc == 0 && seq == 1)
		rc = check_genesis(c, body, err);
	if (rc == 0 && seq == 1 && c->followups)
		rc = followups_genesis(c, body, err);
	/* The sealed entry must be the freeze that made the seal. */
	if (rc == 0 && seq == c->seal->entries && strcmp(hex, c->seal->head) ==
	    0 && (rc = sortes_seal_check_freeze(c->seal, body, strlen(body),
	    err)) == SORTES_EVERIFY)
		sortes_error_prefix(err, "seal of %lld entries", (long long)seq);
	if (rc == 0 && c->followups)
		rc = check_followup(c, body, seq, err);
	else if (rc == 0)
		rc = check_entry(c, body, hex, seq, err);
	return rc;
}

static int
check_log(struct checker *c, const char *path, struct sortes_error *err)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc;

	if ((rc = sortes_infile_open(&fp, path, "the log extract", err)) != 0)
		return rc;
	while (rc == 0 && (n = getline(&line, &cap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		rc = check_line(c, line, err);
	}
	free(line);
	fclose(fp);
	if (rc == 0 && (c->report->entries != c->seal->entries ||
	    strcmp(c->prev_hex, c->seal->head) != 0))
		rc = sortes_error_set(err, SORTES_EVERIFY, "the log extract ends "
		    "at entry %lld, not at the sealed entry %lld with the sealed "
		    "hash", (long long)c->report->entries,
		    (long long)c->seal->entries);
	return rc;
}


/* A manifest is one line of JSON: this is far more than it needs. */
#define MANIFEST_MAX 65536

/* The manifest file, its bytes and their JSON. */
struct manifest {
	const char *path;
	char *text;
	size_t len;
	struct sortes_json *json;
};

/* Read the file 'path' ('what' it is), of at most 'max' bytes, whole. */
static int
load_file(const char *path, const char *what, size_t max, char **text,
    size_t *len, struct sortes_error *err)
{
	FILE *fp;
	int rc;

	*text = NULL;
	*len = 0;
	if ((rc = sortes_infile_open(&fp, path, what, err)) != 0)
		return rc;
	if ((*text = malloc(max + 1)) == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	else
		*len = fread(*text, 1, max + 1, fp);
	if (rc == 0 && ferror(fp))
		rc = sortes_error_set(err, SORTES_EIO, "cannot read %s '%s'",
		    what, path);
	fclose(fp);
	if (rc == 0 && *len > max)
		rc = sortes_error_set(err, SORTES_EVERIFY, "%s '%s' is larger "
		    "than %zu bytes", what, path, max);
	return rc;
}

static int
manifest_load(struct manifest *mf, const char *path, struct sortes_error *err)
{
	mf->path = path;
	return load_file(path, "the manifest", MANIFEST_MAX, &mf->text,
	    &mf->len, err);
}

/* Read and parse the manifest: JSON, and an object. */
static int
manifest_read(struct manifest *mf, const char *path, struct sortes_error *err)
{
	int rc = manifest_load(mf, path, err);

	if (rc == 0 && (rc = sortes_json_parse(&mf->json, mf->text, mf->len,
	    err)) == SORTES_EDATA) {
		err->code = rc = SORTES_EVERIFY;
		sortes_error_prefix(err, "the manifest '%s' is not JSON", path);
	}
	if (rc == 0 && mf->json->type != SORTES_JSON_OBJECT)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the manifest '%s' is "
		    "not a JSON object", path);
	return rc;
}

static void
manifest_free(struct manifest *mf)
{
	sortes_json_free(mf->json);
	free(mf->text);
}

/* One key of the manifest, what it must hold, and whose that is. */
struct manifest_key {
	const char *key;
	const char *text;		/* a string; or NULL: 'number' */
	int64_t number;
	const char *whose;
};

/* A value of the manifest's text, quoted as it stands, for messages. */
static const char *
manifest_excerpt(const struct manifest *mf, const struct sortes_json *v,
    char *buf, size_t size)
{
	sortes_json_excerpt(buf, size, mf->text + v->start, v->end - v->start);
	return buf;
}

static int
manifest_value(const struct manifest *mf, const struct sortes_json *obj,
    const char *prefix, const struct manifest_key *k, struct sortes_error *err)
{
	const struct sortes_json *v = sortes_json_get(obj, k->key);
	char found[160], want[160];
	int64_t n;

	if (v == NULL)
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest lacks "
		    "the key '%s%s'", prefix, k->key);
	if (k->text != NULL ? sortes_json_string_is(v, k->text) :
	    sortes_json_int64(v, &n) && n == k->number)
		return 0;
	if (k->text != NULL) {
		sortes_json_excerpt(want + 1, sizeof(want) - 2, k->text,
		    strlen(k->text));
		want[0] = '"';
		strcat(want, "\"");
	} else
		snprintf(want, sizeof(want), "%lld", (long long)k->number);
	return sortes_error_set(err, SORTES_EVERIFY, "the manifest's '%s%s' is "
	    "%s, but %s is %s", prefix, k->key, manifest_excerpt(mf, v, found,
	    sizeof(found)), k->whose, want);
}

static int
key_is(const struct sortes_json_member *m, const char *key)
{
	return m->keylen == strlen(key) && memcmp(m->key, key, m->keylen) == 0;
}

/* Object 'obj' holds no key but those of 'keys' (n of them). */
static int
manifest_unknown(const struct sortes_json *obj, const char *prefix,
    const struct manifest_key *keys, size_t n, struct sortes_error *err)
{
	char key[80];
	size_t k;

	for (size_t i = 0; i < obj->n; i++) {
		for (k = 0; k < n && !key_is(&obj->members[i], keys[k].key); k++)
			;
		if (k < n)
			continue;
		sortes_json_excerpt(key, sizeof(key), obj->members[i].key,
		    obj->members[i].keylen);
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest has "
		    "an unknown key '%s%s'", prefix, key);
	}
	return 0;
}

/* The seal's time and signer, under "seal". */
static int
manifest_seal(const struct manifest *mf, const struct sortes_manifest *m,
    struct sortes_error *err)
{
	const struct manifest_key keys[] = {
		{ "sealed_at", m->sealed_at, 0, "the seal's time" },
		{ "signer", m->signer, 0, "the seal's signer" },
	};
	const struct sortes_json *v = sortes_json_get(mf->json, "seal");
	char found[160];
	int rc;

	if (v == NULL)
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest lacks "
		    "the key 'seal'");
	if (v->type != SORTES_JSON_OBJECT)
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest's "
		    "'seal' is %s, but the export is as of a seal: it must be "
		    "an object with the seal's time and signer",
		    manifest_excerpt(mf, v, found, sizeof(found)));
	rc = manifest_unknown(v, "seal.", keys, 2, err);
	for (size_t k = 0; rc == 0 && k < 2; k++)
		rc = manifest_value(mf, v, "seal.", &keys[k], err);
	return rc;
}

/* The manifest's bytes are the ones sortes export writes for 'm'. */
static int
manifest_bytes(const struct manifest *mf, const struct sortes_seal *s,
    const struct sortes_manifest *m, struct sortes_error *err)
{
	struct sortes_jcs want;
	long line, column;
	size_t i = 0;
	int rc;

	sortes_jcs_init(&want);
	rc = sortes_export_manifest_of(&want, s->trial, s->protocol_sha256, m,
	    err);
	/* The first byte that is not the canonical text and its newline. */
	while (rc == 0 && i <= want.len && i < mf->len &&
	    mf->text[i] == (i < want.len ? want.data[i] : '\n'))
		i++;
	if (rc == 0 && (i != want.len + 1 || mf->len != i)) {
		sortes_json_position(mf->text, mf->len, i, &line, &column);
		rc = sortes_error_set(err, SORTES_EVERIFY, "the manifest '%s' is "
		    "not written as sortes export writes it (canonical JSON and "
		    "a newline): it differs at line %ld, column %ld", mf->path,
		    line, column);
	}
	sortes_jcs_free(&want);
	return rc;
}

/*
 * Every key of the manifest, then its bytes: it must be exactly what
 * sortes export writes for this seal and export ('m'), canonical JSON
 * and a newline, so nothing can hide in its spelling either.
 */
static int
manifest_check(const struct manifest *mf, const struct sortes_seal *s,
    const struct sortes_manifest *m, struct sortes_error *err)
{
	struct manifest_key keys[12] = {
		{ "entries", NULL, m->entries, "the seal's entry count" },
		{ "export", m->name, 0, "the export's name" },
		{ "export_sha256", m->sha256, 0, "the export's SHA-256" },
		{ "format", sortes_export_format_name(m->format, m->layout), 0,
		    "the export's format" },
		{ "head", m->head, 0, "the seal's head" },
		{ "protocol_sha256", s->protocol_sha256, 0,
		    "the seal's protocol hash" },
		{ "rows", NULL, m->rows, "the export's row count" },
		{ "seal", NULL, 0, NULL },	/* manifest_seal() */
		{ "trial", s->trial, 0, "the seal's trial" },
	};
	size_t n = 9;
	int rc;

	/* Checked in any order; only the bytes, below, fix the order. */
	if (m->kind[0] != '\0')
		keys[n++] = (struct manifest_key){ "kind", m->kind, 0,
		    "the export's kind" };

	if (m->dictionary != NULL) {
		keys[n++] = (struct manifest_key){ "dictionary", m->dictionary,
		    0, "the dictionary's name" };
		keys[n++] = (struct manifest_key){ "dictionary_sha256",
		    m->dictionary_sha256, 0, "the rebuilt dictionary's "
		    "SHA-256" };
	}
	rc = manifest_unknown(mf->json, "", keys, n, err);
	for (size_t k = 0; rc == 0 && k < n; k++)
		rc = keys[k].whose == NULL ? manifest_seal(mf, m, err) :
		    manifest_value(mf, mf->json, "", &keys[k], err);
	return rc == 0 ? manifest_bytes(mf, s, m, err) : rc;
}

/*
 * The layout the manifest claims: an export of layout 1 says "csv" or
 * "json"; anything else is checked as the current layout, and a
 * manifest that says something else fails on its format.
 */
static int
manifest_layout(const struct manifest *mf)
{
	const struct sortes_json *v = sortes_json_get(mf->json, "format");

	return sortes_json_string_is(v, "csv") ||
	    sortes_json_string_is(v, "json") ? 1 : SORTES_EXPORT_LAYOUT;
}

/*
 * Which export the manifest says it describes: that decides the
 * rebuild.  An allocation export of layout 1 that sortes wrote before
 * exports had kinds has none (m->kind ""), and is checked so.
 */
static int
manifest_kind(const struct manifest *mf, struct checker *c,
    struct sortes_manifest *m, struct sortes_error *err)
{
	const struct sortes_json *v = sortes_json_get(mf->json, "kind");
	char found[160];

	m->kind = "";
	if (v == NULL && manifest_layout(mf) == 1)
		return 0;
	if (v == NULL)
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest lacks "
		    "the key 'kind'");
	c->followups = sortes_json_string_is(v, "followups");
	m->kind = c->followups ? "followups" : "allocations";
	if (c->followups || sortes_json_string_is(v, "allocations"))
		return 0;
	return sortes_error_set(err, SORTES_EVERIFY, "the manifest's 'kind' is "
	    "%s, but an export is of kind \"allocations\" or \"followups\"",
	    manifest_excerpt(mf, v, found, sizeof(found)));
}

/* The follow-up rows of the whole extract, once it has been checked. */
static int
rebuild_followups(struct checker *c, const char *log, FILE *out,
    enum sortes_export_format format, struct sortes_error *err)
{
	struct sortes_followups_writer w;
	int rc = check_log(c, log, err);

	if (rc != 0)
		return rc;
	if ((rc = sortes_followups_begin(&w, out, format, c->protocol, NULL,
	    err)) == 0)
		rc = fu_log_write(c->fu, &w, err);
	c->report->rows = w.rows;
	if (rc == 0)
		return sortes_followups_end(&w, err);
	sortes_jcs_free(&w.j);
	return rc;
}

/* The allocation rows of the extract, checked as they are read. */
static int
rebuild_allocations(struct checker *c, const char *log, FILE *out,
    enum sortes_export_format format, int layout, struct sortes_error *err)
{
	int rc = sortes_export_begin(&c->writer, out, format, layout,
	    c->protocol, NULL, err);

	if (rc == 0)
		rc = gather_statuses(c, log, err);
	if (rc == 0)
		rc = check_log(c, log, err);
	if (rc == 0)
		rc = statuses_met(c, err);
	c->report->rows = c->writer.rows;
	if (rc == 0)
		return sortes_export_end(&c->writer, err);
	sortes_export_free(&c->writer);
	return rc;
}

/* Rebuild the export from the extract; *sha receives its SHA-256. */
static int
rebuild(struct checker *c, const char *log, enum sortes_export_format format,
    int layout, char sha[SORTES_SHA256_HEX], struct sortes_error *err)
{
	struct sortes_hasher *h = NULL;
	uint8_t digest[SORTES_SHA256_LEN];
	FILE *out = NULL;
	int rc;

	rc = sortes_hasher_new(&h, err);
	if (rc == 0)
		rc = sortes_hasher_reset(h, err);
	if (rc == 0 && (out = hash_stream(h)) == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc == 0 && c->followups)
		rc = rebuild_followups(c, log, out, format, err);
	else if (rc == 0)
		rc = rebuild_allocations(c, log, out, format, layout, err);
	if (out != NULL && fclose(out) != 0 && rc == 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot hash the export");
	if (rc == 0)
		rc = sortes_hasher_final(h, digest, err);
	if (rc == 0)
		sortes_hex_encode(sha, digest, sizeof(digest));
	sortes_hasher_free(h);
	return rc;
}

/* 'path' is 'export_path' with 'suffix': a file of the bundle. */
static int
beside(char path[PATH_BUF], const char *export_path, const char *suffix,
    struct sortes_error *err)
{
	int n = snprintf(path, PATH_BUF, "%s%s", export_path, suffix);

	if (n < 0 || n >= PATH_BUF)
		return sortes_error_set(err, SORTES_EUSAGE, "the export's name "
		    "'%s' is too long", export_path);
	return 0;
}

/*
 * The format of the export: a JSON export is an array, a CSV export
 * starts with its header.  (Which one the file is, the rebuilt bytes
 * then confirm.)
 */
static int
export_format(const char *path, enum sortes_export_format *out,
    struct sortes_error *err)
{
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return sortes_error_set(err, SORTES_ENOINPUT, "cannot open the "
		    "export '%s': %s", path, strerror(errno));
	*out = getc(fp) == '[' ? SORTES_EXPORT_JSON : SORTES_EXPORT_CSV;
	fclose(fp);
	return 0;
}

/*
 * The protocol beside the export, which the columns of allocation
 * layout 2 and a follow-up export's schedule are made from: it must be
 * the file whose SHA-256 the seal (and so the genesis entry) names,
 * read once, as sortes reads it.
 */
static int
bundle_protocol(const char *export_path, const struct sortes_seal *seal,
    struct sortes_protocol **p, struct sortes_error *err)
{
	char path[PATH_BUF], sha[SORTES_SHA256_HEX];
	uint8_t digest[SORTES_SHA256_LEN];
	char *text = NULL;
	size_t len;
	int rc = beside(path, export_path, ".protocol", err);

	if (rc == 0)
		rc = load_file(path, "the protocol", 1024 * 1024, &text, &len,
		    err);
	if (rc == 0)
		rc = sortes_sha256(digest, text, len, err);
	sortes_hex_encode(sha, digest, sizeof(digest));
	if (rc == 0 && strcmp(sha, seal->protocol_sha256) != 0)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the protocol '%s' "
		    "is not the sealed trial's: its SHA-256 is %s, the seal's "
		    "protocol-sha256 %s", path, sha, seal->protocol_sha256);
	if (rc == 0 && (rc = sortes_protocol_parse(p, text, len, path,
	    err)) == SORTES_EDATA)
		err->code = rc = SORTES_EVERIFY;
	free(text);
	return rc;
}

/* The export is byte for byte the rows the log extract makes. */
static int
bundle_export(struct checker *c, const char *export_path,
    struct sortes_manifest *m, char sha[SORTES_SHA256_HEX],
    struct sortes_error *err)
{
	char path[PATH_BUF], rebuilt[SORTES_SHA256_HEX];
	int rc = sortes_file_sha256(sha, export_path, err);

	if (rc == 0)
		rc = export_format(export_path, &m->format, err);
	if (rc == 0 && (m->layout != 1 || c->followups))
		rc = bundle_protocol(export_path, c->seal, &c->protocol, err);
	if (rc == 0)
		rc = beside(path, export_path, ".log", err);
	if (rc == 0)
		rc = sortes_hasher_new(&c->chain, err);
	if (rc == 0 &&
	    (c->statuses = sortes_strmap_new(sizeof(struct status))) == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc == 0)
		rc = rebuild(c, path, m->format, m->layout, rebuilt, err);
	if (rc == 0 && strcmp(sha, rebuilt) != 0)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the export is not the "
		    "rows the sealed log holds: a row was added, dropped or "
		    "changed");
	return rc;
}

/* CSVW's name for the metadata of an export: EXPORT-metadata.json. */
static const char dictionary_suffix[] = "-metadata.json";

/*
 * A follow-up export's dictionary is byte for byte the one the sealed
 * protocol makes for the export's name (and a newline); *sha receives
 * its SHA-256 for the manifest.
 */
static int
bundle_dictionary(struct checker *c, const char *name,
    char sha[SORTES_SHA256_HEX], struct sortes_error *err)
{
	char path[PATH_BUF];
	struct sortes_jcs j;
	int same = 0, rc = beside(path, c->export_path, dictionary_suffix, err);

	sortes_jcs_init(&j);
	if (rc == 0)
		rc = sortes_file_sha256(sha, path, err);
	if (rc == 0)
		rc = sortes_export_followups_dictionary_of(&j, c->protocol,
		    c->seal->trial, c->seal->protocol_sha256, name, err);
	/* The file is the canonical text and a newline. */
	if (rc == 0)
		rc = text_has_sha(c->chain, &j, 1, sha, &same, err);
	if (rc == 0 && !same)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the dictionary '%s' "
		    "is not the one the sealed protocol makes for this export",
		    path);
	sortes_jcs_free(&j);
	return rc;
}

/*
 * The export and, for follow-ups, its dictionary; then the manifest,
 * which must name exactly what they are.
 */
static int
bundle_check(struct checker *c, const struct manifest *mf,
    struct sortes_manifest *m, struct sortes_error *err)
{
	char sha[SORTES_SHA256_HEX], dsha[SORTES_SHA256_HEX], dict[PATH_BUF];
	int rc = manifest_kind(mf, c, m, err);

	m->layout = c->followups ? 1 : manifest_layout(mf);
	if (rc == 0)
		rc = bundle_export(c, c->export_path, m, sha, err);
	m->rows = c->report->rows;
	m->sha256 = sha;
	c->report->kind = c->followups ? "followups" : "allocations";
	if (rc == 0 && c->followups) {
		snprintf(dict, sizeof(dict), "%s%s", m->name,
		    dictionary_suffix);
		m->dictionary = dict;
		m->dictionary_sha256 = dsha;
		rc = bundle_dictionary(c, m->name, dsha, err);
	}
	return rc == 0 ? manifest_check(mf, c->seal, m, err) : rc;
}

int
sortes_bundle_verify(const char *export_path, const struct sortes_seal *seal,
    struct sortes_signer *pub, sortes_local_day_fn local_day,
    struct sortes_bundle_report *out, struct sortes_error *err)
{
	struct checker c = { .seal = seal, .report = out,
	    .export_path = export_path, .local_day = local_day };
	struct manifest mf = { 0 };
	char path[PATH_BUF];
	const char *base = strrchr(export_path, '/');
	struct sortes_manifest m = {
		.name = base != NULL ? base + 1 : export_path,
		.entries = seal->entries, .head = seal->head,
		.sealed_at = seal->sealed_at, .signer = seal->signer,
	};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(c.prev_hex, '0', 64);
	rc = sortes_seal_check_signature(seal, pub, err);
	if (rc == 0)
		rc = beside(path, export_path, ".manifest.json", err);
	if (rc == 0)
		rc = manifest_read(&mf, path, err);
	if (rc == 0 && sortes_json_get(mf.json, "blinded") != NULL)
		rc = sortes_error_set(err, SORTES_EUNSUPPORTED, "the export '%s' "
		    "is blinded: it has no log extract, which would show the "
		    "arms, so its rows cannot be checked against the seal; after "
		    "'sortes unblind', check an export of the same seal that is "
		    "not blinded (docs/blinding.md)", export_path);
	if (rc == 0)
		rc = bundle_check(&c, &mf, &m, err);
	checker_free(&c);
	manifest_free(&mf);
	return rc;
}
