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
#include "sortes/json.h"
#include "sortes/infile.h"
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
	int rc, n;

	rc = sortes_db_prepare(t->db, &st, "SELECT protocol FROM trial", err);
	if (rc == 0 && sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(t->db, "reading the protocol", err);
	if (rc == 0 && (n = sqlite3_column_bytes(st, 0)) > 0 &&
	    fwrite(sqlite3_column_blob(st, 0), 1, (size_t)n, out) != (size_t)n)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "the protocol");
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

/* An enrollment of the extract, kept until the extract's end. */
struct pending {
	char *text[8];			/* as the keys of pending_keys[] */
	char hash[SORTES_SHA256_HEX];
	int64_t seq, transfers;
	int withdrawn;
};

static const char *const pending_keys[] = { "pseudonym", "participant",
    "caseworker", "stratum", "fields", "arm", "enrolled_at", "withdrawn_at" };
enum { P_PARTICIPANT = 1, P_WITHDRAWN_AT = 7 };

struct checker {
	const struct sortes_seal *seal;
	struct sortes_export_writer writer;
	uint8_t prev[SORTES_SHA256_LEN];
	char prev_hex[SORTES_SHA256_HEX];
	struct sortes_hasher *chain;
	struct sortes_bundle_report *report;
	struct pending *rows;		/* the enrollments, in log order */
	size_t nrows, caprows;
	struct sortes_strmap *index;	/* participant UUID: its row */
};

static int
bad(struct sortes_error *err, int64_t seq, const char *what)
{
	return sortes_error_set(err, SORTES_EVERIFY, "log extract, entry %lld: "
	    "%s", (long long)seq, what);
}

/* A member's text: a string decoded, anything else as written. */
static char *
member_copy(const struct sortes_json *v, const char *body)
{
	if (v->type == SORTES_JSON_STRING)
		return strdup(v->str);
	return strndup(body + v->start, v->end - v->start);
}

static int
pending_add(struct checker *c, struct pending **out, struct sortes_error *err)
{
	struct pending *r;

	if (c->nrows == c->caprows) {
		size_t cap = c->caprows ? c->caprows * 2 : 64;

		if ((r = realloc(c->rows, cap * sizeof(*r))) == NULL)
			return sortes_error_set(err, SORTES_ENOMEM, "out of "
			    "memory");
		c->rows = r;
		c->caprows = cap;
	}
	*out = memset(&c->rows[c->nrows++], 0, sizeof(**out));
	return 0;
}

/* The row an enrollment entry makes, kept to be written at the end. */
static int
check_enroll(struct checker *c, const struct sortes_json *e, const char *body,
    const char *hash, int64_t seq, struct sortes_error *err)
{
	const struct sortes_json *v;
	struct pending *r = NULL;
	size_t *at;
	int rc, added;

	if ((rc = pending_add(c, &r, err)) != 0)
		return rc;
	r->seq = seq;
	memcpy(r->hash, hash, SORTES_SHA256_HEX);
	for (size_t k = 0; k < P_WITHDRAWN_AT; k++) {
		if ((v = sortes_json_get(e, pending_keys[k])) == NULL ||
		    v->type != (k == 3 || k == 4 ? SORTES_JSON_OBJECT :
		    SORTES_JSON_STRING))
			return bad(err, seq, "an enrollment without its fields");
		if ((r->text[k] = member_copy(v, body)) == NULL)
			return sortes_error_set(err, SORTES_ENOMEM, "out of "
			    "memory");
	}
	at = sortes_strmap_put(c->index, r->text[P_PARTICIPANT], &added, NULL);
	if (at == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (!added)
		return bad(err, seq, "a participant enrolled twice");
	*at = c->nrows;		/* from 1: 0 is none */
	return 0;
}

/* A transfer or withdrawal of a participant enrolled before it. */
static int
check_status(struct checker *c, const struct sortes_json *e, const char *kind,
    int64_t seq, struct sortes_error *err)
{
	const struct sortes_json *who = sortes_json_get(e, "participant");
	const struct sortes_json *when = sortes_json_get(e, "withdrawn_at");
	size_t *at = who != NULL && who->type == SORTES_JSON_STRING ?
	    sortes_strmap_get(c->index, who->str) : NULL;
	struct pending *r;

	if (at == NULL)
		return bad(err, seq, "a transfer or withdrawal of nobody "
		    "enrolled before it");
	r = &c->rows[*at - 1];
	if (strcmp(kind, "transfer") == 0) {
		r->transfers++;
		return 0;
	}
	if (r->withdrawn || when == NULL || when->type != SORTES_JSON_STRING)
		return bad(err, seq, "a withdrawal without its time, or a "
		    "second one");
	r->withdrawn = 1;
	if ((r->text[P_WITHDRAWN_AT] = strdup(when->str)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	return 0;
}

/* What an entry changes in the export's rows. */
static int
check_entry(struct checker *c, const char *body, const char *hash,
    int64_t seq, struct sortes_error *err)
{
	struct sortes_json *e = NULL;
	const struct sortes_json *kind;
	int rc;

	/* A body that hashes into the sealed chain is JSON; still, check. */
	if (sortes_json_parse(&e, body, strlen(body), err) != 0) {
		sortes_json_free(e);
		return bad(err, seq, "its body is not JSON");
	}
	kind = sortes_json_get(e, "kind");
	if (sortes_json_string_is(kind, "enroll"))
		rc = check_enroll(c, e, body, hash, seq, err);
	else if (sortes_json_string_is(kind, "transfer") ||
	    sortes_json_string_is(kind, "withdraw"))
		rc = check_status(c, e, kind->str, seq, err);
	else
		rc = 0;
	sortes_json_free(e);
	return rc;
}

/* Every row, as the export writes it, now that the statuses are known. */
static int
write_rows(struct checker *c, struct sortes_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < c->nrows; i++) {
		const struct pending *r = &c->rows[i];

		rc = sortes_export_row(&c->writer, &(struct sortes_export_row){
		    .pseudonym = r->text[0], .participant = r->text[1],
		    .caseworker = r->text[2], .stratum = r->text[3],
		    .fields = r->text[4], .arm = r->text[5],
		    .enrolled_at = r->text[6],
		    .withdrawn_at = r->text[P_WITHDRAWN_AT],
		    .entry_hash = r->hash, .seq = r->seq,
		    .transfers = r->transfers }, err);
	}
	return rc;
}

static void
checker_free(struct checker *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		for (size_t k = 0; k < 8; k++)
			free(c->rows[i].text[k]);
	free(c->rows);
	sortes_strmap_free(c->index, NULL);
	sortes_hasher_free(c->chain);
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
	/* The sealed entry must be the freeze that made the seal. */
	if (rc == 0 && seq == c->seal->entries && strcmp(hex, c->seal->head) ==
	    0 && (rc = sortes_seal_check_freeze(c->seal, body, strlen(body),
	    err)) == SORTES_EVERIFY)
		sortes_error_prefix(err, "seal of %lld entries", (long long)seq);
	if (rc == 0)
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
	const struct manifest_key keys[] = {
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
	int rc = manifest_unknown(mf->json, "", keys,
	    sizeof(keys) / sizeof(keys[0]), err);

	for (size_t k = 0; rc == 0 && k < sizeof(keys) / sizeof(keys[0]); k++)
		rc = keys[k].whose == NULL ? manifest_seal(mf, m, err) :
		    manifest_value(mf, mf->json, "", &keys[k], err);
	return rc == 0 ? manifest_bytes(mf, s, m, err) : rc;
}

/* Rebuild the export from the extract; *sha receives its SHA-256. */
static int
rebuild(struct checker *c, const char *log, enum sortes_export_format format,
    int layout, const struct sortes_protocol *p, char sha[SORTES_SHA256_HEX],
    struct sortes_error *err)
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
	if (rc == 0)
		rc = sortes_export_begin(&c->writer, out, format, layout, p,
		    err);
	if (rc == 0)
		rc = check_log(c, log, err);
	if (rc == 0)
		rc = write_rows(c, err);
	c->report->rows = c->writer.rows;
	if (rc == 0)
		rc = sortes_export_end(&c->writer, err);
	else
		sortes_export_free(&c->writer);
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
 * The protocol beside the export, for the columns of layout 2: it must
 * be the file whose SHA-256 the seal (and so the genesis entry) names.
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
	if (rc == 0)
		rc = sortes_protocol_parse(p, text, len, path, err);
	free(text);
	return rc;
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

/* The export is byte for byte the rows the log extract makes. */
static int
bundle_export(struct checker *c, const char *export_path,
    struct sortes_manifest *m, char sha[SORTES_SHA256_HEX],
    struct sortes_error *err)
{
	char path[PATH_BUF], rebuilt[SORTES_SHA256_HEX];
	struct sortes_protocol *p = NULL;
	int rc = sortes_file_sha256(sha, export_path, err);

	if (rc == 0)
		rc = export_format(export_path, &m->format, err);
	if (rc == 0 && m->layout != 1)
		rc = bundle_protocol(export_path, c->seal, &p, err);
	if (rc == 0)
		rc = beside(path, export_path, ".log", err);
	if (rc == 0)
		rc = sortes_hasher_new(&c->chain, err);
	if (rc == 0 && (c->index = sortes_strmap_new(sizeof(size_t))) == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc == 0)
		rc = rebuild(c, path, m->format, m->layout, p, rebuilt, err);
	if (rc == 0 && strcmp(sha, rebuilt) != 0)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the export is not the "
		    "rows the sealed log holds: a row was added, dropped or "
		    "changed");
	sortes_protocol_free(p);
	return rc;
}

int
sortes_bundle_verify(const char *export_path, const struct sortes_seal *seal,
    struct sortes_signer *pub, struct sortes_bundle_report *out,
    struct sortes_error *err)
{
	struct checker c = { .seal = seal, .report = out };
	struct manifest mf = { 0 };
	char path[PATH_BUF], sha[SORTES_SHA256_HEX];
	const char *base = strrchr(export_path, '/');
	struct sortes_manifest m = {
		.name = base != NULL ? base + 1 : export_path, .sha256 = sha,
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
	if (rc == 0) {
		m.layout = manifest_layout(&mf);
		rc = bundle_export(&c, export_path, &m, sha, err);
	}
	m.rows = out->rows;
	if (rc == 0)
		rc = manifest_check(&mf, seal, &m, err);
	checker_free(&c);
	manifest_free(&mf);
	return rc;
}
