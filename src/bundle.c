/*
 * bundle.c - the evaluator's bundle: writing the log extract, and
 * checking an export against a seal without the database.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/bundle.h"
#include "sortes/export.h"
#include "sortes/infile.h"
#include "strata.h"

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

/* The value of member 'key' (its JSON text) in members, or NULL. */
static const struct sortes_member *
member(const struct sortes_member *m, long n, const char *key)
{
	size_t len = strlen(key);

	for (long i = 0; i < n; i++)
		if (m[i].keylen == len && memcmp(m[i].key, key, len) == 0)
			return &m[i];
	return NULL;
}

/* Copy a member's value into buf, without the quotes of a string. */
static const char *
member_text(const struct sortes_member *m, char *buf, size_t size)
{
	const char *v = m->value;
	size_t n = m->valuelen;

	if (n >= 2 && v[0] == '"') {
		v++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

struct checker {
	const struct sortes_seal *seal;
	struct sortes_export_writer writer;
	uint8_t prev[SORTES_SHA256_LEN];
	char prev_hex[SORTES_SHA256_HEX];
	struct sortes_hasher *chain;
	struct sortes_bundle_report *report;
};

static int
bad(struct sortes_error *err, int64_t seq, const char *what)
{
	return sortes_error_set(err, SORTES_EVERIFY, "log extract, entry %lld: "
	    "%s", (long long)seq, what);
}

/* The row an enrollment entry makes, written as the export writes it. */
static int
check_enroll(struct checker *c, const char *body, const char *hash,
    int64_t seq, struct sortes_error *err)
{
	static const char *const keys[] = { "pseudonym", "participant",
	    "caseworker", "stratum", "arm", "enrolled_at" };
	char text[6][512];
	struct sortes_member m[16];
	long n = sortes_object_split(body, m, 16);
	const struct sortes_member *v;

	for (size_t k = 0; k < 6; k++) {
		if (n < 0 || (v = member(m, n, keys[k])) == NULL)
			return bad(err, seq, "an enrollment without its fields");
		member_text(v, text[k], sizeof(text[k]));
	}
	/* The stratum is an object: keep its JSON, quotes and all. */
	v = member(m, n, "stratum");
	snprintf(text[3], sizeof(text[3]), "%.*s", (int)v->valuelen, v->value);
	return sortes_export_row(&c->writer, &(struct sortes_export_row){
	    .pseudonym = text[0], .participant = text[1], .caseworker = text[2],
	    .stratum = text[3], .arm = text[4], .enrolled_at = text[5],
	    .entry_hash = hash, .seq = seq }, err);
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
	if (rc == 0 && strstr(body, "\"kind\":\"enroll\"") != NULL)
		rc = check_enroll(c, body, hex, seq, err);
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


struct manifest {
	char text[8192];
	struct sortes_member m[16];
	long n;
};

static int
manifest_read(struct manifest *mf, const char *path, struct sortes_error *err)
{
	FILE *fp;
	size_t len;
	int rc;

	if ((rc = sortes_infile_open(&fp, path, "the manifest", err)) != 0)
		return rc;
	len = fread(mf->text, 1, sizeof(mf->text) - 1, fp);
	fclose(fp);
	while (len > 0 && mf->text[len - 1] == '\n')
		len--;
	mf->text[len] = '\0';
	mf->n = sortes_object_split(mf->text, mf->m, 16);
	if (mf->n < 0)
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest '%s' "
		    "is not a manifest", path);
	return 0;
}

/* Does manifest member 'key' hold exactly 'want'? */
static int
manifest_is(const struct manifest *mf, const char *key, const char *want)
{
	const struct sortes_member *v = member(mf->m, mf->n, key);
	char buf[256];

	return v != NULL && strcmp(member_text(v, buf, sizeof(buf)), want) == 0;
}

static int
manifest_check(const struct manifest *mf, const struct sortes_seal *s,
    const char *sha, int64_t rows, struct sortes_error *err)
{
	char entries[24], nrows[24];

	snprintf(entries, sizeof(entries), "%lld", (long long)s->entries);
	snprintf(nrows, sizeof(nrows), "%lld", (long long)rows);
	if (!manifest_is(mf, "entries", entries) ||
	    !manifest_is(mf, "head", s->head) ||
	    !manifest_is(mf, "trial", s->trial) ||
	    !manifest_is(mf, "protocol_sha256", s->protocol_sha256))
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest names "
		    "another trial, entry or head than the seal");
	if (!manifest_is(mf, "export_sha256", sha) ||
	    !manifest_is(mf, "rows", nrows))
		return sortes_error_set(err, SORTES_EVERIFY, "the manifest's "
		    "SHA-256 or row count is not the export's");
	return 0;
}

static int
seal_signed(const struct sortes_seal *s, struct sortes_signer *pub,
    struct sortes_error *err)
{
	char text[SORTES_SEAL_MAX], fp[SORTES_SHA256_HEX];
	size_t len;
	int rc;

	sortes_signer_fingerprint(pub, fp);
	if (strcmp(fp, s->signer) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "the seal is signed "
		    "by key %.16s..., not by the given key %.16s...", s->signer,
		    fp);
	if ((rc = sortes_seal_text(s, text, sizeof(text), &len, err)) != 0)
		return rc;
	return sortes_sign_verify(pub, s->signature, text, len, err);
}

/* Rebuild the export from the extract; *sha receives its SHA-256. */
static int
rebuild(struct checker *c, const char *log, enum sortes_export_format format,
    char sha[SORTES_SHA256_HEX], struct sortes_error *err)
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
	if (rc == 0) {
		sortes_export_begin(&c->writer, out, format);
		rc = check_log(c, log, err);
		c->report->rows = c->writer.rows;
		if (rc == 0)
			rc = sortes_export_end(&c->writer, err);
		else
			sortes_jcs_free(&c->writer.j);
	}
	if (out != NULL && fclose(out) != 0 && rc == 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot hash the export");
	if (rc == 0)
		rc = sortes_hasher_final(h, digest, err);
	if (rc == 0)
		sortes_hex_encode(sha, digest, sizeof(digest));
	sortes_hasher_free(h);
	return rc;
}

int
sortes_bundle_verify(const char *export_path, const struct sortes_seal *seal,
    struct sortes_signer *pub, struct sortes_bundle_report *out,
    struct sortes_error *err)
{
	struct checker c = { .seal = seal, .report = out };
	char path[4096], actual[SORTES_SHA256_HEX], rebuilt[SORTES_SHA256_HEX];
	struct manifest *mf = calloc(1, sizeof(*mf));
	enum sortes_export_format format;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(c.prev_hex, '0', 64);
	if (mf == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s.manifest.json", export_path);
	rc = seal_signed(seal, pub, err);
	if (rc == 0)
		rc = manifest_read(mf, path, err);
	format = manifest_is(mf, "format", "json") ? SORTES_EXPORT_JSON :
	    SORTES_EXPORT_CSV;
	if (rc == 0)
		rc = sortes_file_sha256(actual, export_path, err);
	if (rc == 0)
		rc = sortes_hasher_new(&c.chain, err);
	snprintf(path, sizeof(path), "%s.log", export_path);
	if (rc == 0)
		rc = rebuild(&c, path, format, rebuilt, err);
	if (rc == 0 && strcmp(actual, rebuilt) != 0)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the export is not the "
		    "rows the sealed log holds: a row was added, dropped or "
		    "changed");
	if (rc == 0)
		rc = manifest_check(mf, seal, actual, out->rows, err);
	sortes_hasher_free(c.chain);
	free(mf);
	return rc;
}
