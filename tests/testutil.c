#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "sortes/date.h"
#include "sortes/enroll.h"
#include "sortes/keyfile.h"
#include "testutil.h"

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	dir = tu_path(base, "sortes-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

char *
tu_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void
tu_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
}

void
tu_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = tu_path(dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

struct sortes_trial *
tu_trial(const char *dir, const char *yaml)
{
	char *proto = tu_path(dir, "protocol.yaml");
	char *db = tu_path(dir, "trial.db");
	char *key = tu_path(dir, "trial.key");
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	int rc;

	tu_write(proto, yaml);
	rc = sortes_trial_create(&t, db, proto, key, "2026-01-15T10:00:00Z",
	    &err);
	ck_assert_msg(rc == 0, "trial: %s", err.msg);
	free(proto);
	free(db);
	free(key);
	return t;
}

int
tu_enroll(struct sortes_trial *t, const char *person, const char *sex,
    const char *birth, struct sortes_error *err)
{
	const char *names[] = { "birth_date", "sex", "benefit" };
	const char *values[] = { birth, sex, "uddannelseshjaelp" };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = "CW1", .names = names,
		.values = values, .nfields = 3,
		.enrolled_at = "2026-01-15T10:00:00Z",
		.enroll_day = sortes_date_from_ymd(2026, 1, 15),
	};
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;
	int rc;

	rc = sortes_enroller_new(&e, t, err);
	if (rc == 0)
		rc = sortes_enroller_add(e, &in, &res, err);
	if (rc == 0)
		rc = sortes_enroller_commit(e, err);
	sortes_enroller_free(e);
	return rc;
}

int
tu_enroll_at(struct sortes_trial *t, const char *person, const char *cw,
    const char *at, int32_t day, struct sortes_enroll_result *res,
    struct sortes_error *err)
{
	const char *names[] = { "birth_date", "sex", "benefit" };
	const char *values[] = { "2000-05-17", "F", "uddannelseshjaelp" };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = cw, .names = names,
		.values = values, .nfields = 3, .enrolled_at = at,
		.enroll_day = day,
	};
	struct sortes_enroller *e = NULL;
	int rc;

	rc = sortes_enroller_new(&e, t, err);
	if (rc == 0)
		rc = sortes_enroller_add(e, &in, res, err);
	if (rc == 0)
		rc = sortes_enroller_commit(e, err);
	sortes_enroller_free(e);
	return rc;
}

int32_t
tu_day(const char *text)
{
	int32_t d = 0;

	ck_assert_msg(sortes_date_parse(text, &d) == 0, "bad date %s", text);
	return d;
}

char tu_last_tz[64];

int
tu_local_day(int32_t *out, const char *utc, const char *tz,
    struct sortes_error *err)
{
	char date[11];
	int hour;

	snprintf(tu_last_tz, sizeof(tu_last_tz), "%s", tz);
	if (strlen(utc) != 20 || sscanf(utc + 11, "%2d", &hour) != 1)
		return sortes_error_set(err, SORTES_EDATA, "bad time '%s'",
		    utc);
	memcpy(date, utc, 10);
	date[10] = '\0';
	if (sortes_date_parse(date, out) != 0)
		return sortes_error_set(err, SORTES_EDATA, "bad time '%s'",
		    utc);
	if (hour + 1 >= 24)
		(*out)++;
	return 0;
}

struct sortes_clock
tu_clock(const char *today, const char *now)
{
	struct sortes_clock c = { tu_day(today), now, tu_local_day };

	return c;
}

char *
tu_text(struct sortes_trial *t, const char *sql)
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	char *s;

	ck_assert_msg(sortes_db_prepare(t->db, &st, sql, &err) == 0, "%s: %s",
	    sql, err.msg);
	ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "no row: %s", sql);
	s = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL ? "" :
	    (const char *)sqlite3_column_text(st, 0));
	ck_assert_ptr_nonnull(s);
	sqlite3_finalize(st);
	return s;
}

int64_t
tu_int(struct sortes_trial *t, const char *sql)
{
	char *s = tu_text(t, sql);
	int64_t v = strtoll(s, NULL, 10);

	free(s);
	return v;
}

void
tu_sql(struct sortes_trial *t, const char *sql)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_db_exec(t->db, sql, &err) == 0, "%s: %s", sql,
	    err.msg);
}

char *
tu_read(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	ck_assert_int_ge(n, 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* The hash of entry 'seq' as bytes; all zeros before the first. */
static void
log_hash(struct sortes_trial *t, int64_t seq, uint8_t out[SORTES_SHA256_LEN])
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;

	memset(out, 0, SORTES_SHA256_LEN);
	if (seq < 1)
		return;
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT hash FROM log "
	    "WHERE seq = ?", &err), 0);
	sqlite3_bind_int64(st, 1, seq);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sortes_hex_decode(out, SORTES_SHA256_LEN,
	    (const char *)sqlite3_column_text(st, 0)), 0);
	sqlite3_finalize(st);
}

/* The triggers that guard the log, dropped as a forger with write
 * access would; returns their SQL to put them back. */
static char *
triggers_drop(struct sortes_trial *t)
{
	char *triggers = tu_text(t, "SELECT coalesce(group_concat(sql, "
	    "'; '), '') FROM sqlite_master WHERE type = 'trigger' AND "
	    "tbl_name = 'log'");

	tu_sql(t, "DROP TRIGGER IF EXISTS log_no_update; "
	    "DROP TRIGGER IF EXISTS log_no_delete");
	return triggers;
}

static void
triggers_restore(struct sortes_trial *t, char *triggers)
{
	if (triggers[0] != '\0')
		tu_sql(t, triggers);
	free(triggers);
}

void
tu_forge(struct sortes_trial *t, const char *sql)
{
	char *triggers = triggers_drop(t);

	tu_sql(t, sql);
	triggers_restore(t, triggers);
}

static void
rehash_from(struct sortes_trial *t, int64_t from)
{
	struct sortes_error err = { 0 };
	struct sortes_hasher *h = NULL;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char prev_hex[SORTES_SHA256_HEX], hex[SORTES_SHA256_HEX];
	uint8_t prev[SORTES_SHA256_LEN], hash[SORTES_SHA256_LEN];

	log_hash(t, from - 1, prev);
	ck_assert_int_eq(sortes_hasher_new(&h, &err), 0);
	ck_assert_int_eq(sortes_db_prepare(t->db, &sel, "SELECT seq, body "
	    "FROM log WHERE seq >= ? ORDER BY seq", &err), 0);
	ck_assert_int_eq(sortes_db_prepare(t->db, &upd, "UPDATE log SET "
	    "prev_hash = ?, hash = ? WHERE seq = ?", &err), 0);
	sqlite3_bind_int64(sel, 1, from);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		ck_assert_int_eq(sortes_hasher_two(h, hash, prev, sizeof(prev),
		    sqlite3_column_blob(sel, 1),
		    (size_t)sqlite3_column_bytes(sel, 1), &err), 0);
		sortes_hex_encode(prev_hex, prev, sizeof(prev));
		sortes_hex_encode(hex, hash, sizeof(hash));
		sqlite3_bind_text(upd, 1, prev_hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upd, 2, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 3, sqlite3_column_int64(sel, 0));
		ck_assert_int_eq(sqlite3_step(upd), SQLITE_DONE);
		sqlite3_reset(upd);
		memcpy(prev, hash, sizeof(prev));
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sortes_hasher_free(h);
}

void
tu_rehash(struct sortes_trial *t, int64_t from)
{
	char *triggers = triggers_drop(t);

	rehash_from(t, from);
	triggers_restore(t, triggers);
}

void
tu_register(struct sortes_trial *t, const struct sortes_caseworker_input *in,
    struct sortes_caseworker_result *res)
{
	struct sortes_error err = { 0 };
	struct sortes_registrar *r = NULL;

	ck_assert_msg(sortes_registrar_new(&r, t, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_registrar_add(r, in, res, &err) == 0, "%s: %s",
	    in->code, err.msg);
	ck_assert_msg(sortes_registrar_commit(r, &err) == 0, "%s", err.msg);
	sortes_registrar_free(r);
}

void
tu_fix_key(struct sortes_trial *t, int seed, int pseudonym)
{
	struct sortes_error err = { 0 };
	char commitment[SORTES_SHA256_HEX], sql[512], *old;

	memset(t->key.seed, seed, sizeof(t->key.seed));
	memset(t->key.pseudonym_key, pseudonym, sizeof(t->key.pseudonym_key));
	ck_assert_int_eq(sortes_key_commitment(commitment, t->key.seed, &err),
	    0);
	old = tu_text(t, "SELECT seed_commitment FROM trial");
	snprintf(sql, sizeof(sql), "UPDATE log SET body = replace(body, '%s', "
	    "'%s') WHERE seq = 1; UPDATE trial SET seed_commitment = '%s'",
	    old, commitment, commitment);
	tu_forge(t, sql);
	strcpy(t->seed_commitment, commitment);
	free(old);
	tu_rehash(t, 1);
}

void
tu_fix_participant(struct sortes_trial *t, const char *drawn,
    const char *fixed)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "UPDATE log SET body = replace(body, '%s', "
	    "'%s'); UPDATE participants SET id = '%s' WHERE id = '%s'",
	    drawn, fixed, fixed, drawn);
	tu_forge(t, sql);
	tu_rehash(t, 1);
}

void
tu_enroll_pair(struct sortes_trial *t, const char *tag, const char *cw,
    const char *day, char ids[][SORTES_UUID_LEN], int *first)
{
	struct sortes_enroll_result res[2];
	struct sortes_error err = { 0 };
	char person[16], at[32];

	snprintf(at, sizeof(at), "%sT10:00:00Z", day);
	for (int k = 0; k < 2; k++) {
		snprintf(person, sizeof(person), "%s%d", tag, k + 1);
		ck_assert_msg(tu_enroll_at(t, person, cw, at, tu_day(day),
		    &res[k], &err) == 0, "enroll %s: %s", person, err.msg);
	}
	ck_assert_uint_ne(res[0].arm, res[1].arm);
	for (int k = 0; k < 2; k++)
		memcpy(ids[res[k].arm], res[k].participant, SORTES_UUID_LEN);
	if (first != NULL)
		*first = res[0].arm == 0;
}

#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

/* Does 'line' (of 'len' bytes) hold 'prefix' at its start? */
static int
starts(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(line, prefix, n) == 0;
}

char *
tu_doc_block(const char *doc, const char *name)
{
	char *path = tu_path(SORTES_TOP_SRCDIR "/docs", doc);
	char *text = tu_read(path), marker[128], *out, *at;
	size_t used = 0;

	snprintf(marker, sizeof(marker), "<!-- check: %s -->\n", name);
	at = strstr(text, marker);
	ck_assert_msg(at != NULL, "docs/%s has no block '%s'", doc, name);
	ck_assert_msg(strstr(at + 1, marker) == NULL, "docs/%s has block '%s' "
	    "twice", doc, name);
	at += strlen(marker);
	ck_assert_ptr_nonnull(out = malloc(strlen(at) + 1));
	while (*at == '\n')
		at++;
	/* An indented code block: lines of four spaces, or empty ones. */
	while (*at != '\0') {
		char *end = strchr(at, '\n');
		size_t len = end != NULL ? (size_t)(end - at) : strlen(at);

		if (len > 0 && !starts(at, len, "    "))
			break;
		if (len > 0)
			memcpy(out + used, at + 4, len - 4);
		used += len > 0 ? len - 4 : 0;
		out[used++] = '\n';
		at += len + (end != NULL);
	}
	while (used > 1 && out[used - 1] == '\n' && out[used - 2] == '\n')
		used--;
	out[used] = '\0';
	ck_assert_msg(used > 0, "docs/%s: block '%s' is empty", doc, name);
	free(text);
	free(path);
	return out;
}

static char strdup_fails[64];

void
tu_fail_strdup(const char *text)
{
	snprintf(strdup_fails, sizeof(strdup_fails), "%s", text ? text : "");
}

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy;

	if (strdup_fails[0] != '\0' && strcmp(s, strdup_fails) == 0) {
		strdup_fails[0] = '\0';
		return NULL;
	}
	if ((copy = malloc(n)) != NULL)
		memcpy(copy, s, n);
	return copy;
}
