/*
 * check_seal.c - signing keys, seals (format, parsing, freeze, checks),
 * the reveal of the seed, and the tampering that the seals must catch
 * where the chain alone cannot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/caseworker.h"
#include "sortes/chain.h"
#include "sortes/crypto.h"
#include "sortes/enroll.h"
#include "sortes/jcs.h"
#include "sortes/record.h"
#include "sortes/replay.h"
#include "sortes/seal.h"
#include "sortes/sign.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#define AT_FREEZE "2026-01-15T10:00:00Z"
#define AT_REVEAL "2026-03-01T12:00:00Z"

struct fixture {
	char *dir;
	struct sortes_trial *t;
	struct sortes_signer *lead, *lead_pub;		/* the real key */
	struct sortes_signer *other, *other_pub;	/* someone else's */
	char lead_fp[SORTES_SHA256_HEX], other_fp[SORTES_SHA256_HEX];
};

/* Make NAME.pem and NAME.pub in 'dir' and load both halves. */
static void
key_pair(const char *dir, const char *name, struct sortes_signer **priv,
    struct sortes_signer **pub, char fp[SORTES_SHA256_HEX])
{
	struct sortes_error err = { 0 };
	char file[64], *pem, *pubpath;

	snprintf(file, sizeof(file), "%s.pem", name);
	pem = tu_path(dir, file);
	snprintf(file, sizeof(file), "%s.pub", name);
	pubpath = tu_path(dir, file);
	ck_assert_msg(sortes_sign_keygen(pem, pubpath, fp, &err) == 0, "%s",
	    err.msg);
	ck_assert_msg(sortes_signer_load_private(priv, pem, &err) == 0, "%s",
	    err.msg);
	ck_assert_msg(sortes_signer_load_public(pub, pubpath, &err) == 0, "%s",
	    err.msg);
	free(pem);
	free(pubpath);
}

/*
 * A simple-randomization trial (any arm is a plausible draw, so a
 * consistent rewrite is not caught by the chain) with four enrolled
 * participants: entries 1 (genesis) to 5; and two key pairs.
 */
static void
fixture_setup(struct fixture *f)
{
	struct sortes_error err = { 0 };
	char person[16];

	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, TU_SIMPLE);
	for (int i = 0; i < 4; i++) {
		snprintf(person, sizeof(person), "P%d", i);
		ck_assert_msg(tu_enroll(f->t, person, i % 2 ? "F" : "M",
		    "2004-05-06", &err) == 0, "%s", err.msg);
	}
	key_pair(f->dir, "lead", &f->lead, &f->lead_pub, f->lead_fp);
	key_pair(f->dir, "other", &f->other, &f->other_pub, f->other_fp);
}

static void
fixture_teardown(struct fixture *f)
{
	sortes_signer_free(f->lead);
	sortes_signer_free(f->lead_pub);
	sortes_signer_free(f->other);
	sortes_signer_free(f->other_pub);
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

static void
enroll(struct fixture *f, const char *person)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(tu_enroll(f->t, person, "F", "2004-05-06", &err) == 0,
	    "%s", err.msg);
}

static void
freeze(struct fixture *f, const char *note, struct sortes_seal *s)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_freeze(f->t, f->lead, note, AT_FREEZE, s, &err) ==
	    0, "freeze: %s", err.msg);
}

/* The seal's file text. */
static size_t
seal_text(const struct sortes_seal *s, char buf[SORTES_SEAL_MAX])
{
	struct sortes_error err = { 0 };
	size_t len = 0;

	ck_assert_msg(sortes_seal_format(s, buf, SORTES_SEAL_MAX, &len, &err) ==
	    0, "%s", err.msg);
	return len;
}

/* Write the seal to dir/name, as sortes freeze would; caller frees. */
static char *
seal_file(struct fixture *f, const struct sortes_seal *s, const char *name)
{
	char buf[SORTES_SEAL_MAX], *path = tu_path(f->dir, name);

	seal_text(s, buf);
	tu_write(path, buf);
	return path;
}

/* An integer from SQL (test fails on error). */
static int64_t
sql_int(struct fixture *f, const char *sql)
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	int64_t v;

	ck_assert_msg(sortes_db_prepare(f->t->db, &st, sql, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A text column from SQL into out (test fails on error). */
static void
sql_text(struct fixture *f, const char *sql, char *out, size_t size)
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;

	ck_assert_msg(sortes_db_prepare(f->t->db, &st, sql, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void
log_hash(struct fixture *f, int64_t seq, char out[SORTES_SHA256_HEX])
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SELECT hash FROM log WHERE seq = %lld",
	    (long long)seq);
	sql_text(f, sql, out, SORTES_SHA256_HEX);
}

/* As an attacker with write access would: the triggers go first. */
static void
tamper(struct fixture *f, const char *sql)
{
	struct sortes_error err = { 0 };

	sortes_db_exec(f->t->db, "DROP TRIGGER IF EXISTS log_no_update; "
	    "DROP TRIGGER IF EXISTS log_no_delete; PRAGMA foreign_keys = OFF",
	    &err);
	ck_assert_msg(sortes_db_exec(f->t->db, sql, &err) == 0, "%s: %s", sql,
	    err.msg);
}

/*
 * Recompute prev_hash and hash of every entry from 'from' on, with the
 * library's own hasher, as an attacker rewriting the chain would.
 */
static void
rehash(struct fixture *f, int64_t from)
{
	struct sortes_error err = { 0 };
	struct sortes_hasher *h = NULL;
	sqlite3_stmt *sel = NULL, *upd = NULL;
	char prev_hex[SORTES_SHA256_HEX], hex[SORTES_SHA256_HEX];
	uint8_t prev[32], hash[32];

	tamper(f, "SELECT 1");
	log_hash(f, from - 1, prev_hex);
	ck_assert_int_eq(sortes_hex_decode(prev, 32, prev_hex), 0);
	ck_assert_int_eq(sortes_hasher_new(&h, &err), 0);
	ck_assert_int_eq(sortes_db_prepare(f->t->db, &sel, "SELECT seq, body "
	    "FROM log WHERE seq >= ? ORDER BY seq", &err), 0);
	ck_assert_int_eq(sortes_db_prepare(f->t->db, &upd, "UPDATE log SET "
	    "prev_hash = ?, hash = ? WHERE seq = ?", &err), 0);
	sqlite3_bind_int64(sel, 1, from);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		const void *body = sqlite3_column_blob(sel, 1);
		size_t len = (size_t)sqlite3_column_bytes(sel, 1);

		ck_assert_int_eq(sortes_hasher_two(h, hash, prev, 32, body, len,
		    &err), 0);
		sortes_hex_encode(prev_hex, prev, 32);
		sortes_hex_encode(hex, hash, 32);
		sqlite3_bind_text(upd, 1, prev_hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(upd, 2, hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(upd, 3, sqlite3_column_int64(sel, 0));
		ck_assert_int_eq(sqlite3_step(upd), SQLITE_DONE);
		sqlite3_reset(upd);
		memcpy(prev, hash, 32);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	sortes_hasher_free(h);
}

static void
verify_ok(struct fixture *f)
{
	struct sortes_verify_report r;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_verify(f->t, tu_local_day, &r, &err) == 0, "verify: %s",
	    err.msg);
}

static void
verify_fails(struct fixture *f, const char *expect)
{
	struct sortes_verify_report r;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_verify(f->t, tu_local_day, &r, &err), SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "message: %s", err.msg);
}

/* sortes_seal_check fails with EVERIFY and a message holding 'expect'. */
static void
check_fails(struct fixture *f, const struct sortes_seal *s,
    struct sortes_signer *pub, const char *expect)
{
	struct sortes_error err = { 0 };
	int rc = sortes_seal_check(f->t, s, pub, &err);

	ck_assert_msg(rc == SORTES_EVERIFY, "seal check returned %d: %s", rc,
	    err.msg);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "message: %s", err.msg);
}

/* sortes_seals_verify over 'file' (may be NULL) fails with 'expect'. */
static void
seals_fail(struct fixture *f, const char *file, struct sortes_signer *pub,
    const char *expect)
{
	struct sortes_error err = { 0 };
	int64_t n;
	int rc = sortes_seals_verify(f->t, &file, file != NULL, pub, &n, &err);

	ck_assert_msg(rc == SORTES_EVERIFY, "seals verify returned %d: %s", rc,
	    err.msg);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "message: %s", err.msg);
}

static void
seals_ok(struct fixture *f, const char *file, struct sortes_signer *pub,
    int64_t expect_checked)
{
	struct sortes_error err = { 0 };
	int64_t n = -1;

	ck_assert_msg(sortes_seals_verify(f->t, &file, file != NULL, pub, &n,
	    &err) == 0, "seals verify: %s", err.msg);
	ck_assert_int_eq(n, expect_checked);
}

/* --- keys and signatures ---------------------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = malloc(8192);

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(buf);
	*len = fread(buf, 1, 8191, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/*
 * The fingerprint by hand: the public key PEM's base64 is the DER
 * SubjectPublicKeyInfo, whose last 32 bytes are the raw Ed25519 key.
 */
static void
fingerprint_by_hand(const char *pub_path, char out[SORTES_SHA256_HEX])
{
	static const uint8_t spki[12] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
	    0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	struct sortes_error err = { 0 };
	size_t len;
	char *pem = slurp(pub_path, &len), *b64, *end;
	uint8_t der[64], digest[32];

	ck_assert_msg(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0,
	    "%s", pem);
	b64 = pem + 27;
	ck_assert_ptr_nonnull(end = strchr(b64, '\n'));
	*end = '\0';
	ck_assert_str_eq(end + 1, "-----END PUBLIC KEY-----\n");
	ck_assert_int_eq(sortes_base64_decode(der, sizeof(der), b64), 44);
	ck_assert_mem_eq(der, spki, sizeof(spki));
	ck_assert_int_eq(sortes_sha256(digest, der + 12, 32, &err), 0);
	sortes_hex_encode(out, digest, 32);
	free(pem);
}

START_TEST(test_keygen)
{
	char *dir = tu_tmpdir(), *pem = tu_path(dir, "k.pem"),
	    *pub = tu_path(dir, "k.pub"), *lone = tu_path(dir, "lone.pem");
	char fp[SORTES_SHA256_HEX], fp2[SORTES_SHA256_HEX] = "",
	    hand[SORTES_SHA256_HEX], got[SORTES_SHA256_HEX];
	struct sortes_error err = { 0 };
	struct sortes_signer *s = NULL;
	struct stat st;
	char *before_pem, *before_pub, *after;
	size_t n1, n2, n3;
	mode_t old = umask(022);

	ck_assert_msg(sortes_sign_keygen(pem, pub, fp, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(stat(pem, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(stat(pub, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);

	/* The fingerprint is SHA-256 of the raw 32-byte public key. */
	ck_assert_int_eq(strlen(fp), 64);
	fingerprint_by_hand(pub, hand);
	ck_assert_str_eq(fp, hand);
	ck_assert_int_eq(sortes_signer_load_public(&s, pub, &err), 0);
	sortes_signer_fingerprint(s, got);
	ck_assert_str_eq(got, fp);
	sortes_signer_free(s);
	ck_assert_int_eq(sortes_signer_load_private(&s, pem, &err), 0);
	sortes_signer_fingerprint(s, got);
	ck_assert_str_eq(got, fp);
	sortes_signer_free(s);

	/* Never over existing keys, which stay as they were. */
	before_pem = slurp(pem, &n1);
	before_pub = slurp(pub, &n2);
	ck_assert_int_eq(sortes_sign_keygen(pem, pub, fp2, &err),
	    SORTES_ECANTCREAT);
	ck_assert_msg(strstr(err.msg, "already exists") != NULL, "%s", err.msg);
	after = slurp(pem, &n3);
	ck_assert_int_eq(n1, n3);
	ck_assert_mem_eq(before_pem, after, n1);
	free(after);
	after = slurp(pub, &n3);
	ck_assert_int_eq(n2, n3);
	ck_assert_mem_eq(before_pub, after, n2);
	free(after);
	free(before_pem);
	free(before_pub);

	/* Only the public file exists: the new private key is removed. */
	ck_assert_int_eq(sortes_sign_keygen(lone, pub, fp2, &err),
	    SORTES_ECANTCREAT);
	ck_assert_msg(strstr(err.msg, pub) != NULL, "%s", err.msg);
	ck_assert_int_eq(access(lone, F_OK), -1);

	/* A private key that others can read is refused. */
	ck_assert_int_eq(chmod(pem, 0640), 0);
	ck_assert_int_eq(sortes_signer_load_private(&s, pem, &err),
	    SORTES_EPERM);
	ck_assert_ptr_null(s);
	ck_assert_msg(strstr(err.msg, "chmod 600") != NULL, "%s", err.msg);
	/* A public key is no private key, and no file is no key. */
	ck_assert_int_eq(chmod(pub, 0600), 0);
	ck_assert_int_eq(sortes_signer_load_private(&s, pub, &err),
	    SORTES_EDATA);
	ck_assert_int_eq(sortes_signer_load_public(&s, lone, &err),
	    SORTES_ENOINPUT);

	umask(old);
	tu_rmtree(dir);
	free(dir);
	free(pem);
	free(pub);
	free(lone);
}
END_TEST

START_TEST(test_sign_verify)
{
	struct fixture f;
	struct sortes_error err = { 0 };
	uint8_t sig[SORTES_SIG_LEN], sig2[SORTES_SIG_LEN];
	char msg[] = "sortes-seal 1\ntrial testtrial\n";
	size_t len = strlen(msg);

	fixture_setup(&f);
	ck_assert_int_eq(sortes_sign(f.lead, sig, msg, len, &err), 0);
	ck_assert_msg(sortes_sign_verify(f.lead_pub, sig, msg, len, &err) == 0,
	    "%s", err.msg);
	/* Ed25519 is deterministic; the private half verifies too. */
	ck_assert_int_eq(sortes_sign(f.lead, sig2, msg, len, &err), 0);
	ck_assert_mem_eq(sig, sig2, SORTES_SIG_LEN);
	ck_assert_int_eq(sortes_sign_verify(f.lead, sig, msg, len, &err), 0);

	/* One flipped byte of the message, then of the signature. */
	msg[5] ^= 1;
	ck_assert_int_eq(sortes_sign_verify(f.lead_pub, sig, msg, len, &err),
	    SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, "signature is not valid") != NULL, "%s",
	    err.msg);
	msg[5] ^= 1;
	sig[40] ^= 0x80;
	ck_assert_int_eq(sortes_sign_verify(f.lead_pub, sig, msg, len, &err),
	    SORTES_EVERIFY);
	sig[40] ^= 0x80;
	/* A shorter message (a dropped final newline). */
	ck_assert_int_eq(sortes_sign_verify(f.lead_pub, sig, msg, len - 1,
	    &err), SORTES_EVERIFY);
	/* Another key. */
	ck_assert_int_eq(sortes_sign_verify(f.other_pub, sig, msg, len, &err),
	    SORTES_EVERIFY);
	ck_assert_int_eq(sortes_sign_verify(f.lead_pub, sig, msg, len, &err), 0);

	/* A public key cannot sign. */
	ck_assert_int_eq(sortes_sign(f.lead_pub, sig, msg, len, &err),
	    SORTES_EUSAGE);
	ck_assert_str_ne(f.lead_fp, f.other_fp);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_base64)
{
	static const struct { const char *raw, *b64; } rfc4648[] = {
		{ "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const malformed[] = {
		"", "Zg=", "Zg", "Zm9vY", "Zm9v!A==", "Zm 9v", " Zm9v", "Zm9v ",
		"Zm9v\n", "Zm-_", "\xc3\xa6Zm9",
	};
	uint8_t in[70], out[80];
	char enc[100];
	long n;

	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t len = strlen(rfc4648[i].raw);

		sortes_base64_encode(enc, (const uint8_t *)rfc4648[i].raw, len);
		ck_assert_str_eq(enc, rfc4648[i].b64);
		n = sortes_base64_decode(out, sizeof(out), rfc4648[i].b64);
		ck_assert_int_eq(n, (long)len);
		ck_assert_mem_eq(out, rfc4648[i].raw, len);
	}
	for (size_t len = 1; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len * 11 + 0x80);
		sortes_base64_encode(enc, in, len);
		ck_assert_int_eq(strlen(enc), 4 * ((len + 2) / 3));
		n = sortes_base64_decode(out, sizeof(out), enc);
		ck_assert_int_eq(n, (long)len);
		ck_assert_mem_eq(out, in, len);
		/* Too long for the buffer. */
		ck_assert_int_eq(sortes_base64_decode(out, len - 1, enc), -1);
	}
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		ck_assert_msg(sortes_base64_decode(out, sizeof(out),
		    malformed[i]) == -1, "'%s' accepted", malformed[i]);
}
END_TEST

/*
 * Padding in the wrong place, and non-zero bits after the last byte
 * (so that two texts decode to the same bytes), are not base64 either.
 */
START_TEST(test_base64_strict)
{
	static const char *const malformed[] = {
		"====", "Z===", "=Zg=", "Zg=A", "Zh==", "Zm9=", "Zm9v====",
		"Zg==Zg==",
	};
	char accepted[256] = "";
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		long n = sortes_base64_decode(out, sizeof(out), malformed[i]);

		if (n != -1)
			snprintf(accepted + strlen(accepted), sizeof(accepted) -
			    strlen(accepted), " '%s' (as %ld bytes)",
			    malformed[i], n);
	}
	ck_assert_msg(accepted[0] == '\0', "malformed base64 accepted:%s",
	    accepted);
}
END_TEST

/* --- the seal text -------------------------------------------------- */

START_TEST(test_freeze)
{
	struct fixture f;
	struct sortes_seal s, s2;
	struct sortes_error err = { 0 };
	char hash[SORTES_SHA256_HEX], body[512], expect[512], sig[89];
	char text[SORTES_SEAL_MAX];
	size_t len;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	ck_assert_str_eq(s.trial, f.t->trial_id);
	ck_assert_str_eq(s.trial, "testtrial");
	ck_assert_str_eq(s.protocol_sha256, f.t->protocol_sha256);
	ck_assert_str_eq(s.commitment, f.t->seed_commitment);
	ck_assert_int_eq(s.entries, 6);
	ck_assert_int_eq(sql_int(&f, "SELECT max(seq) FROM log"), 6);
	log_hash(&f, 6, hash);
	ck_assert_str_eq(s.head, hash);
	ck_assert_str_eq(s.sealed_at, AT_FREEZE);
	ck_assert_str_eq(s.note, "after cohort 1");
	ck_assert_str_eq(s.signer, f.lead_fp);

	/* The freeze entry, and the seal row beside it. */
	sql_text(&f, "SELECT kind || ' ' || body FROM log WHERE seq = 6", body,
	    sizeof(body));
	snprintf(expect, sizeof(expect), "freeze {\"kind\":\"freeze\",\"note\":"
	    "\"after cohort 1\",\"sealed_at\":\"%s\",\"seq\":6,\"signer\":\"%s\"}",
	    AT_FREEZE, f.lead_fp);
	ck_assert_str_eq(body, expect);
	sortes_base64_encode(sig, s.signature, SORTES_SIG_LEN);
	sql_text(&f, "SELECT seq || ' ' || note || ' ' || sealed_at || ' ' || "
	    "signer || ' ' || signature FROM seals", body, sizeof(body));
	snprintf(expect, sizeof(expect), "6 after cohort 1 %s %s %s", AT_FREEZE,
	    f.lead_fp, sig);
	ck_assert_str_eq(body, expect);

	/* The signature covers the signed text. */
	ck_assert_int_eq(sortes_seal_text(&s, text, sizeof(text), &len, &err), 0);
	ck_assert_int_eq(sortes_sign_verify(f.lead_pub, s.signature, text, len,
	    &err), 0);
	verify_ok(&f);
	ck_assert_int_eq(sortes_seal_check(f.t, &s, f.lead_pub, &err), 0);
	seals_ok(&f, NULL, f.lead_pub, 1);

	/* A later freeze covers everything since, itself included. */
	enroll(&f, "P10");
	freeze(&f, "", &s2);
	ck_assert_int_eq(s2.entries, 8);
	ck_assert_str_eq(s2.note, "");
	log_hash(&f, 8, hash);
	ck_assert_str_eq(s2.head, hash);
	verify_ok(&f);
	seals_ok(&f, NULL, f.lead_pub, 2);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_freeze_refused)
{
	struct fixture f;
	struct sortes_seal s;
	struct sortes_error err = { 0 };
	char longnote[SORTES_NOTE_MAX + 2];

	fixture_setup(&f);
	memset(longnote, 'n', sizeof(longnote) - 1);
	longnote[sizeof(longnote) - 1] = '\0';
	ck_assert_int_eq(sortes_freeze(f.t, f.lead, longnote, AT_FREEZE, &s,
	    &err), SORTES_EDATA);
	ck_assert_int_eq(sortes_freeze(f.t, f.lead, "two\nlines", AT_FREEZE, &s,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "one line") != NULL, "%s", err.msg);
	ck_assert_int_eq(sortes_freeze(f.t, f.lead, "bad \xff utf-8", AT_FREEZE,
	    &s, &err), SORTES_EDATA);
	/* A public key cannot sign: the appended entry is rolled back. */
	ck_assert_int_eq(sortes_freeze(f.t, f.lead_pub, "", AT_FREEZE, &s,
	    &err), SORTES_EUSAGE);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM log"), 5);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM seals"), 0);
	/* Exactly SORTES_NOTE_MAX bytes is fine. */
	longnote[SORTES_NOTE_MAX] = '\0';
	freeze(&f, longnote, &s);
	ck_assert_int_eq(strlen(s.note), SORTES_NOTE_MAX);
	verify_ok(&f);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_seal_format)
{
	struct fixture f;
	struct sortes_seal s;
	char buf[SORTES_SEAL_MAX], expect[SORTES_SEAL_MAX], sig[89];
	size_t len;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	len = seal_text(&s, buf);
	sortes_base64_encode(sig, s.signature, SORTES_SIG_LEN);
	snprintf(expect, sizeof(expect), "sortes-seal 1\ntrial testtrial\n"
	    "protocol-sha256 %s\nseed-commitment %s\nentries 6\nhead %s\n"
	    "sealed-at " AT_FREEZE "\nnote after cohort 1\nsigner %s\n"
	    "signature %s\n", f.t->protocol_sha256, f.t->seed_commitment,
	    s.head, f.lead_fp, sig);
	ck_assert_str_eq(buf, expect);
	ck_assert_int_eq(len, strlen(expect));
	ck_assert_int_eq(strlen(sig), 88);
	fixture_teardown(&f);
}
END_TEST

static void
seal_eq(const struct sortes_seal *a, const struct sortes_seal *b)
{
	ck_assert_str_eq(a->trial, b->trial);
	ck_assert_str_eq(a->protocol_sha256, b->protocol_sha256);
	ck_assert_str_eq(a->commitment, b->commitment);
	ck_assert_int_eq(a->entries, b->entries);
	ck_assert_str_eq(a->head, b->head);
	ck_assert_str_eq(a->sealed_at, b->sealed_at);
	ck_assert_str_eq(a->note, b->note);
	ck_assert_str_eq(a->signer, b->signer);
	ck_assert_mem_eq(a->signature, b->signature, SORTES_SIG_LEN);
}

START_TEST(test_parse_roundtrip)
{
	struct fixture f;
	struct sortes_seal s, back;
	struct sortes_error err = { 0 };
	char buf[SORTES_SEAL_MAX], again[SORTES_SEAL_MAX], *path;
	size_t len;

	fixture_setup(&f);
	freeze(&f, "Ærø: \"cohort\" 1 \\ 2", &s);
	len = seal_text(&s, buf);
	ck_assert_msg(sortes_seal_parse(&back, buf, len, "x", &err) == 0, "%s",
	    err.msg);
	seal_eq(&s, &back);
	ck_assert_int_eq(seal_text(&back, again), len);
	ck_assert_str_eq(again, buf);
	path = seal_file(&f, &s, "t.seal");
	ck_assert_int_eq(sortes_seal_read(&back, path, &err), 0);
	seal_eq(&s, &back);
	seals_ok(&f, path, f.lead_pub, 2);
	free(path);

	/* An empty note. */
	freeze(&f, "", &s);
	len = seal_text(&s, buf);
	ck_assert_ptr_nonnull(strstr(buf, "\nnote \nsigner "));
	ck_assert_int_eq(sortes_seal_parse(&back, buf, len, "x", &err), 0);
	seal_eq(&s, &back);
	fixture_teardown(&f);
}
END_TEST

/* Line i (0-based) of text: its start and length with the newline. */
static const char *
nth_line(const char *text, int i, size_t *len)
{
	const char *p = text, *nl;

	for (; i > 0; i--)
		p = strchr(p, '\n') + 1;
	nl = strchr(p, '\n');
	*len = (size_t)(nl - p) + 1;
	return p;
}

/* 'good' with line i replaced by 'line' (with its newline), or removed. */
static void
replace_line(char *out, size_t size, const char *good, int i,
    const char *line)
{
	size_t len;
	const char *p = nth_line(good, i, &len);

	snprintf(out, size, "%.*s%s%s", (int)(p - good), good,
	    line != NULL ? line : "", p + len);
}

static void
parse_rejects(const char *text, size_t len, const char *what)
{
	struct sortes_seal s;
	struct sortes_error err = { 0 };
	int rc = sortes_seal_parse(&s, text, len, "bad.seal", &err);

	ck_assert_msg(rc == SORTES_EDATA, "%s: accepted (%d): %s", what, rc,
	    text);
	ck_assert_msg(strstr(err.msg, "seal 'bad.seal'") != NULL, "%s: %s",
	    what, err.msg);
}

START_TEST(test_parse_rejects)
{
	static const struct { int line; const char *text; } bad[] = {
		{ 0, "sortes-seal 2\n" }, { 0, "sortes-seal\n" },
		{ 0, "sortes-seal  1\n" }, { 0, "sortes-seal 1\r\n" },
		{ 1, "trial \n" },
		{ 1, "trial aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" },
		{ 1, "Trial testtrial\n" }, { 1, "trial\ttesttrial\n" },
		{ 2, "protocol-sha256 0\n" },
		{ 3, "seed-commitment zz87aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925\n" },
		{ 4, "entries 0\n" }, { 4, "entries -6\n" }, { 4, "entries 06\n" },
		{ 4, "entries 6x\n" }, { 4, "entries \n" }, { 4, "entries six\n" },
		{ 4, "entries 6 \n" },
		{ 6, "sealed-at 2026-01-16\n" },
		{ 7, NULL },	/* the note line gone */
		{ 8, "signer\n" },
		{ 9, "signature AAAA\n" }, { 9, "signature \n" },
		{ 9, "signature not base64 at all!!\n" },
	};
	struct fixture f;
	struct sortes_seal s;
	char good[SORTES_SEAL_MAX], text[SORTES_SEAL_MAX * 2], line[600];
	char what[64], *big;
	size_t len, n;
	const char *p;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	len = seal_text(&s, good);

	/* Each line missing. */
	for (int i = 0; i < 10; i++) {
		replace_line(text, sizeof(text), good, i, NULL);
		snprintf(what, sizeof(what), "line %d missing", i + 1);
		parse_rejects(text, strlen(text), what);
	}
	/* Each pair of neighbouring lines swapped. */
	for (int i = 0; i < 9; i++) {
		const char *a = nth_line(good, i, &n), *b;
		size_t m;

		b = nth_line(good, i + 1, &m);
		snprintf(text, sizeof(text), "%.*s%.*s%.*s%s", (int)(a - good),
		    good, (int)m, b, (int)n, a, b + m);
		snprintf(what, sizeof(what), "lines %d and %d swapped", i + 1,
		    i + 2);
		parse_rejects(text, strlen(text), what);
	}
	/* Bad hex in each hash line: upper case, short, long, not hex. */
	for (int k = 0; k < 4; k++) {
		static const int hashline[4] = { 2, 3, 5, 8 };
		int i = hashline[k];
		const char *v;
		size_t klen;

		p = nth_line(good, i, &n);
		v = strchr(p, ' ') + 1;
		klen = (size_t)(v - p);
		snprintf(line, sizeof(line), "%.*sABCDEF%.58s\n", (int)klen, p,
		    v + 6);
		replace_line(text, sizeof(text), good, i, line);
		parse_rejects(text, strlen(text), "upper-case hex");
		snprintf(line, sizeof(line), "%.*s%.63s\n", (int)klen, p, v);
		replace_line(text, sizeof(text), good, i, line);
		parse_rejects(text, strlen(text), "63 hex digits");
		snprintf(line, sizeof(line), "%.*s%.64s0\n", (int)klen, p, v);
		replace_line(text, sizeof(text), good, i, line);
		parse_rejects(text, strlen(text), "65 hex digits");
		snprintf(line, sizeof(line), "%.*sg%.63s\n", (int)klen, p, v + 1);
		replace_line(text, sizeof(text), good, i, line);
		parse_rejects(text, strlen(text), "not hex");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		replace_line(text, sizeof(text), good, bad[i].line, bad[i].text);
		parse_rejects(text, strlen(text), bad[i].text ? bad[i].text :
		    "no note line");
	}
	/* The signature of 63 or 65 bytes. */
	{
		uint8_t raw[65] = { 0 };
		char b64[100];

		sortes_base64_encode(b64, raw, 63);
		snprintf(line, sizeof(line), "signature %s\n", b64);
		replace_line(text, sizeof(text), good, 9, line);
		parse_rejects(text, strlen(text), "63-byte signature");
		sortes_base64_encode(b64, raw, 65);
		snprintf(line, sizeof(line), "signature %s\n", b64);
		replace_line(text, sizeof(text), good, 9, line);
		parse_rejects(text, strlen(text), "65-byte signature");
	}
	/* A note one byte too long. */
	memset(line, 'n', sizeof(line));
	memcpy(line, "note ", 5);
	snprintf(line + 5 + SORTES_NOTE_MAX + 1, 2, "\n");
	replace_line(text, sizeof(text), good, 7, line);
	parse_rejects(text, strlen(text), "note of 501 bytes");
	/* ... while 500 bytes are fine. */
	snprintf(line + 5 + SORTES_NOTE_MAX, 2, "\n");
	replace_line(text, sizeof(text), good, 7, line);
	{
		struct sortes_seal ok;
		struct sortes_error err = { 0 };

		ck_assert_msg(sortes_seal_parse(&ok, text, strlen(text), "x",
		    &err) == 0, "%s", err.msg);
		ck_assert_int_eq(strlen(ok.note), SORTES_NOTE_MAX);
	}
	/* Extra lines, a missing final newline, a NUL, an empty text. */
	snprintf(text, sizeof(text), "%sextra line\n", good);
	parse_rejects(text, strlen(text), "extra line");
	snprintf(text, sizeof(text), "%s\n", good);
	parse_rejects(text, strlen(text), "empty line at the end");
	snprintf(text, sizeof(text), "%s%s", good, good);
	parse_rejects(text, strlen(text), "two seals");
	parse_rejects(good, len - 1, "no final newline");
	memcpy(text, good, len);
	text[20] = '\0';
	parse_rejects(text, len, "a NUL byte");
	parse_rejects("", 0, "empty");
	/* Longer than a seal may be, even with the right lines in it. */
	big = malloc(SORTES_SEAL_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '\n', SORTES_SEAL_MAX + 1);
	memcpy(big, good, len);
	parse_rejects(big, SORTES_SEAL_MAX + 1, "too long");
	{
		char *path = tu_path(f.dir, "big.seal");
		struct sortes_error err = { 0 };

		big[SORTES_SEAL_MAX + 1] = '\0';
		tu_write(path, big);
		ck_assert_int_eq(sortes_seal_read(&s, path, &err), SORTES_EDATA);
		ck_assert_msg(strstr(err.msg, "larger than") != NULL, "%s",
		    err.msg);
		free(path);
		path = tu_path(f.dir, "none.seal");
		ck_assert_int_eq(sortes_seal_read(&s, path, &err),
		    SORTES_ENOINPUT);
		free(path);
	}
	free(big);
	fixture_teardown(&f);
}
END_TEST

/*
 * The signature covers the seal as sortes formats it, and the auditor's
 * openssl check (docs/audit.md) covers the file's own first nine lines.
 * Both agree only if every text that parses is the one its fields
 * format to: anything else must be refused.
 */
START_TEST(test_parse_rejects_noncanonical)
{
	static const struct { int line; const char *text; } odd[] = {
		{ 4, "entries +6\n" },
		{ 4, "entries  6\n" },
		{ 4, "entries \t6\n" },
		{ 4, "entries 99999999999999999999\n" },
		{ 6, "sealed-at xxxxxxxxxxxxxxxxxxxx\n" },
		{ 6, "sealed-at 2026-13-45T99:99:99Z\n" },
		{ 7, "note tab\there\n" },
		{ 7, "note carriage return\r\n" },
		{ 9, NULL },	/* the signature with non-zero unused bits */
	};
	struct fixture f;
	struct sortes_seal s, back;
	struct sortes_error err = { 0 };
	char good[SORTES_SEAL_MAX], text[SORTES_SEAL_MAX], line[200];
	char accepted[1024] = "";
	size_t n;
	const char *p;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	seal_text(&s, good);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		if ((p = odd[i].text) == NULL) {
			/* The character before "==" carries 2 bits of the
			 * last byte and 4 unused bits: set one of those. */
			p = nth_line(good, 9, &n);
			snprintf(line, sizeof(line), "%.*s", (int)n, p);
			line[n - 4] = (char)(line[n - 4] == 'A' ? 'B' :
			    line[n - 4] == 'Q' ? 'R' : line[n - 4] == 'g' ?
			    'h' : 'x');
			p = line;
		}
		replace_line(text, sizeof(text), good, odd[i].line, p);
		if (sortes_seal_parse(&back, text, strlen(text), "odd.seal",
		    &err) != 0)
			continue;
		snprintf(accepted + strlen(accepted), sizeof(accepted) -
		    strlen(accepted), " [%.*s]", (int)strcspn(p, "\n"), p);
	}
	ck_assert_msg(accepted[0] == '\0', "sortes_seal_parse accepts lines "
	    "that sortes freeze never writes:%s", accepted);
	fixture_teardown(&f);
}
END_TEST

/* --- checking seals ----------------------------------------------------- */

START_TEST(test_seals_keys)
{
	struct fixture f;
	struct sortes_seal s;
	char *path, expect[128];

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	path = seal_file(&f, &s, "t.seal");
	seals_ok(&f, path, f.lead_pub, 2);
	seals_ok(&f, path, NULL, 2);
	seals_ok(&f, NULL, f.lead_pub, 1);

	/* Another key: the message names the signer and the key given. */
	snprintf(expect, sizeof(expect), "database: seal of 6 entries: signed "
	    "by key %.16s..., not by the given key %.16s...", f.lead_fp,
	    f.other_fp);
	seals_fail(&f, path, f.other_pub, expect);
	seals_fail(&f, NULL, f.other_pub, expect);
	check_fails(&f, &s, f.other_pub, expect + strlen("database: "));
	free(path);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_seal_of_another_trial)
{
	struct fixture f, g;
	struct sortes_seal s;

	fixture_setup(&f);
	fixture_setup(&g);
	freeze(&g, "", &s);
	/* Same trial id and protocol, another seed commitment. */
	check_fails(&f, &s, NULL, "seal of 6 entries: its protocol hash or "
	    "seed commitment is not the trial's");
	strcpy(s.trial, "elsewhere");
	check_fails(&f, &s, NULL, "it seals trial 'elsewhere', not "
	    "'testtrial'");
	fixture_teardown(&g);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_reveal)
{
	struct fixture f;
	struct sortes_trial *nokey = NULL;
	struct sortes_seal s;
	struct sortes_error err = { 0 };
	char *db, seed[65], body[256], expect[256];
	int64_t seq = -1;

	fixture_setup(&f);
	freeze(&f, "enrollment closed", &s);

	/* Without the key file: refused, nothing written. */
	db = tu_path(f.dir, "trial.db");
	ck_assert_int_eq(sortes_trial_open(&nokey, db, &err), 0);
	ck_assert_int_eq(sortes_reveal(nokey, AT_REVEAL, &seq, &err),
	    SORTES_EUSAGE);
	ck_assert_msg(strstr(err.msg, "key file") != NULL, "%s", err.msg);
	sortes_trial_close(nokey);
	free(db);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM log"), 6);

	ck_assert_msg(sortes_reveal(f.t, AT_REVEAL, &seq, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(seq, 7);
	sortes_hex_encode(seed, f.t->key.seed, 32);
	sql_text(&f, "SELECT kind || ' ' || body FROM log WHERE seq = 7", body,
	    sizeof(body));
	snprintf(expect, sizeof(expect), "reveal {\"kind\":\"reveal\","
	    "\"revealed_at\":\"%s\",\"seed\":\"%s\",\"seq\":7}", AT_REVEAL, seed);
	ck_assert_str_eq(body, expect);
	sql_text(&f, "SELECT seq || ' ' || seed || ' ' || revealed_at FROM "
	    "reveals", body, sizeof(body));
	snprintf(expect, sizeof(expect), "7 %s %s", seed, AT_REVEAL);
	ck_assert_str_eq(body, expect);
	verify_ok(&f);
	seals_ok(&f, NULL, f.lead_pub, 1);
	ck_assert_int_eq(sortes_seal_check(f.t, &s, f.lead_pub, &err), 0);

	/* Once only. */
	ck_assert_int_eq(sortes_reveal(f.t, AT_REVEAL, &seq, &err),
	    SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "revealed already") != NULL, "%s",
	    err.msg);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM log"), 7);
	verify_ok(&f);
	fixture_teardown(&f);
}
END_TEST

/*
 * After the reveal every allocation could be foreseen: enrolling, one
 * or a CSV cohort, is refused with nothing written, and says which
 * entry revealed the seed.  Registering a caseworker of an individually
 * randomized trial allocates nothing and goes on.
 */
START_TEST(test_reveal_closes_allocation)
{
	static const char cohort[] = "person,caseworker,birth_date,sex,"
	    "benefit\nR1,CW1,2004-05-06,F,uddannelseshjaelp\n";
	static const char refusal[] = "enrolling into trial 'testtrial': the "
	    "seed was revealed in log entry 6, so any allocation made now "
	    "would be predictable; allocating ends before the reveal (close "
	    "enrollment, freeze, then reveal)";
	struct sortes_caseworker_input in = { .code = "CW9", .team = "Team",
	    .registered_at = AT_REVEAL };
	struct sortes_registrar *r = NULL;
	struct sortes_caseworker_result res;
	struct sortes_csv_summary sum;
	struct fixture f;
	struct sortes_error err = { 0 };
	int64_t seq;
	FILE *fp;

	fixture_setup(&f);
	ck_assert_int_eq(sortes_revealed(f.t, &seq, &err), 0);
	ck_assert_int_eq(seq, 0);
	ck_assert_int_eq(sortes_concealed(f.t, "enrolling into", &err), 0);
	ck_assert_int_eq(sortes_reveal(f.t, AT_REVEAL, &seq, &err), 0);
	ck_assert_int_eq(sortes_revealed(f.t, &seq, &err), 0);
	ck_assert_int_eq(seq, 6);

	ck_assert_int_eq(tu_enroll(f.t, "R1", "F", "2004-05-06", &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, refusal);
	fp = fmemopen((void *)cohort, sizeof(cohort) - 1, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sortes_enroll_csv(f.t, fp, "cohort.csv", 0, 1,
	    AT_REVEAL, tu_day("2026-03-01"), NULL, &sum, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, refusal);
	sortes_csv_summary_free(&sum);
	fclose(fp);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM log"), 6);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM participants"), 4);

	ck_assert_int_eq(sortes_registrar_new(&r, f.t, &err), 0);
	ck_assert_msg(sortes_registrar_add(r, &in, &res, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(res.allocated, 0);
	ck_assert_int_eq(sortes_registrar_commit(r, &err), 0);
	sortes_registrar_free(r);
	ck_assert_int_eq(sql_int(&f, "SELECT count(*) FROM log"), 7);
	verify_ok(&f);
	fixture_teardown(&f);
}
END_TEST

/* --- tampering ---------------------------------------------------------- */

START_TEST(test_tamper_one_byte)
{
	struct fixture f;
	struct sortes_seal s;

	fixture_setup(&f);
	freeze(&f, "", &s);
	tamper(&f, "UPDATE log SET body = replace(body, '\"CW1\"', '\"CW2\"') "
	    "WHERE seq = 3");
	verify_fails(&f, "log entry 3: hash does not match its content");
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_entry_deleted)
{
	struct fixture f;
	struct sortes_seal s;

	fixture_setup(&f);
	freeze(&f, "", &s);
	tamper(&f, "DELETE FROM log WHERE seq = 4");
	verify_fails(&f, "log entry 4: missing");
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_entries_swapped)
{
	struct fixture f;
	struct sortes_seal s;

	fixture_setup(&f);
	freeze(&f, "", &s);
	/* Entries 3 and 4 change places, rows and all. */
	tamper(&f, "UPDATE log SET seq = 1000 WHERE seq = 3; "
	    "UPDATE log SET seq = 3 WHERE seq = 4; "
	    "UPDATE log SET seq = 4 WHERE seq = 1000");
	verify_fails(&f, "log entry 3: previous-hash field does not match");
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_tail_removed)
{
	struct fixture f;
	struct sortes_seal first, last;
	char *path;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &first);
	/* What the attacker will roll back to. */
	tamper(&f, "CREATE TABLE saved_state AS SELECT * FROM alloc_state");
	enroll(&f, "P10");
	enroll(&f, "P11");
	freeze(&f, "after cohort 2", &last);
	ck_assert_int_eq(last.entries, 9);
	path = seal_file(&f, &last, "cohort2.seal");
	seals_ok(&f, path, f.lead_pub, 3);

	/* Entries 7 to 9 go, the freeze's seal row with them, and the
	 * allocation state is put back: the database is consistent. */
	tamper(&f, "DELETE FROM seals WHERE seq > 6; "
	    "DELETE FROM allocations WHERE seq > 6; "
	    "DELETE FROM participants WHERE seq > 6; "
	    "DELETE FROM log WHERE seq > 6; DELETE FROM alloc_state; "
	    "INSERT INTO alloc_state SELECT * FROM saved_state; "
	    "DROP TABLE saved_state");
	verify_ok(&f);
	seals_ok(&f, NULL, f.lead_pub, 1);
	/* Only the seal kept outside knows. */
	seals_fail(&f, path, f.lead_pub, path);
	seals_fail(&f, path, f.lead_pub, "seal of 9 entries: the log has only "
	    "6; it was truncated or rolled back");
	seals_fail(&f, path, NULL, "truncated or rolled back");
	check_fails(&f, &last, NULL, "seal of 9 entries: the log has only 6; "
	    "it was truncated or rolled back");
	ck_assert_int_eq(sortes_seal_check(f.t, &first, f.lead_pub, NULL), 0);
	free(path);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_chain_rewritten)
{
	struct fixture f;
	struct sortes_seal s;
	struct sortes_error err = { 0 };
	char arm[8], newarm[8], *path;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	path = seal_file(&f, &s, "t.seal");
	sql_text(&f, "SELECT arm FROM allocations WHERE seq = 3", arm,
	    sizeof(arm));
	/* Participant 2 moves to the other arm, in the table and in the
	 * log, and every hash from entry 3 on is recomputed. */
	tamper(&f, "UPDATE allocations SET arm = CASE arm WHEN 'I' THEN 'C' "
	    "ELSE 'I' END WHERE seq = 3; "
	    "UPDATE log SET body = CASE WHEN instr(body, '\"arm\":\"I\"') "
	    "THEN replace(body, '\"arm\":\"I\"', '\"arm\":\"C\"') "
	    "ELSE replace(body, '\"arm\":\"C\"', '\"arm\":\"I\"') END "
	    "WHERE seq = 3");
	rehash(&f, 3);
	sql_text(&f, "SELECT arm FROM allocations WHERE seq = 3", newarm,
	    sizeof(newarm));
	ck_assert_str_ne(arm, newarm);
	/* The chain and tables are consistent again ... */
	verify_ok(&f);
	/* (the seed would tell, once revealed: a replay draws again) */
	{
		struct sortes_replay_report rep;

		ck_assert_int_eq(sortes_replay(f.t, f.t->key.seed, &rep, &err),
		    SORTES_EVERIFY);
		ck_assert_msg(strstr(err.msg, "log entry 3: replay from the "
		    "seed gives") != NULL, "%s", err.msg);
	}
	/* ... but the seal kept outside holds the old head, */
	check_fails(&f, &s, NULL, "seal of 6 entries: log entry 6 does not "
	    "have the sealed hash; the log was rewritten");
	seals_fail(&f, path, NULL, "the log was rewritten");
	/* and the seal kept inside no longer has a valid signature. */
	seals_fail(&f, NULL, f.lead_pub, "database: seal of 6 entries: the "
	    "signature is not valid for key");
	ck_assert_int_eq(sortes_seals_verify(f.t, NULL, 0, f.lead_pub,
	    &(int64_t){ 0 }, &err), SORTES_EVERIFY);
	free(path);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_resigned)
{
	struct fixture f;
	struct sortes_seal s, forged;
	struct sortes_error err = { 0 };
	char text[SORTES_SEAL_MAX], expect[160], *path;
	size_t len;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);

	/* Signed by another key, which the seal honestly names: a valid
	 * signature, but the freeze entry names the real signer. */
	forged = s;
	strcpy(forged.signer, f.other_fp);
	ck_assert_int_eq(sortes_seal_text(&forged, text, sizeof(text), &len,
	    &err), 0);
	ck_assert_int_eq(sortes_sign(f.other, forged.signature, text, len,
	    &err), 0);
	snprintf(expect, sizeof(expect), "seal of 6 entries: its signer "
	    "%.16s... is not the freeze entry's %.16s...", f.other_fp,
	    f.lead_fp);
	check_fails(&f, &forged, f.other_pub, expect);
	check_fails(&f, &forged, NULL, expect);
	snprintf(expect, sizeof(expect), "seal of 6 entries: signed by key "
	    "%.16s..., not by the given key %.16s...", f.other_fp, f.lead_fp);
	check_fails(&f, &forged, f.lead_pub, expect);
	path = seal_file(&f, &forged, "forged.seal");
	seals_fail(&f, path, f.lead_pub, expect);
	free(path);

	/* Signed by another key, claiming the real one. */
	forged = s;
	ck_assert_int_eq(sortes_seal_text(&forged, text, sizeof(text), &len,
	    &err), 0);
	ck_assert_int_eq(sortes_sign(f.other, forged.signature, text, len,
	    &err), 0);
	snprintf(expect, sizeof(expect), "seal of 6 entries: the signature is "
	    "not valid for key %.16s...", f.lead_fp);
	check_fails(&f, &forged, f.lead_pub, expect);

	/* The database's seal re-signed by another key: the freeze body
	 * names the signer, so the chain is rewritten from there, and the
	 * new head signed. */
	{
		char sig[89], sql[400];

		snprintf(sql, sizeof(sql), "UPDATE seals SET signer = '%s'; "
		    "UPDATE log SET body = replace(body, '%s', '%s') "
		    "WHERE seq = 6", f.other_fp, f.lead_fp, f.other_fp);
		tamper(&f, sql);
		rehash(&f, 6);
		forged = s;
		strcpy(forged.signer, f.other_fp);
		log_hash(&f, 6, forged.head);
		ck_assert_int_eq(sortes_seal_text(&forged, text, sizeof(text),
		    &len, &err), 0);
		ck_assert_int_eq(sortes_sign(f.other, forged.signature, text,
		    len, &err), 0);
		sortes_base64_encode(sig, forged.signature, SORTES_SIG_LEN);
		snprintf(sql, sizeof(sql), "UPDATE seals SET signature = '%s'",
		    sig);
		tamper(&f, sql);
		verify_ok(&f);
		seals_ok(&f, NULL, f.other_pub, 1);
		snprintf(expect, sizeof(expect), "database: seal of 6 entries: "
		    "signed by key %.16s..., not by the given key %.16s...",
		    f.other_fp, f.lead_fp);
		seals_fail(&f, NULL, f.lead_pub, expect);
		/* The seal kept outside still says what was sealed. */
		check_fails(&f, &s, f.lead_pub, "the log was rewritten");
	}
	fixture_teardown(&f);
}
END_TEST

/* Sign seal 's' with the real key, as the key's holder could. */
static void
sign_as_lead(struct fixture *f, struct sortes_seal *s)
{
	struct sortes_error err = { 0 };
	char text[SORTES_SEAL_MAX];
	size_t len;

	ck_assert_int_eq(sortes_seal_text(s, text, sizeof(text), &len, &err), 0);
	ck_assert_int_eq(sortes_sign(f->lead, s->signature, text, len, &err), 0);
	ck_assert_int_eq(sortes_sign_verify(f->lead_pub, s->signature, text,
	    len, &err), 0);
}

/*
 * A forged seal, validly signed, fails as a file and as a seal, with
 * and without the public key, with 'expect'.
 */
static void
forged_fails(struct fixture *f, const struct sortes_seal *s,
    const char *expect)
{
	char *path = seal_file(f, s, "forged.seal");

	check_fails(f, s, f->lead_pub, expect);
	check_fails(f, s, NULL, expect);
	seals_fail(f, path, f->lead_pub, expect);
	seals_fail(f, path, f->lead_pub, path);
	unlink(path);
	free(path);
}

/*
 * The signing key's holder signs seals that say something else than
 * the freeze: only the freeze entry can tell.
 */
START_TEST(test_forged_seal_note_time)
{
	struct fixture f;
	struct sortes_seal s, forged;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	forged = s;
	strcpy(forged.note, "after cohort 2");
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 6 entries: its note 'after cohort "
	    "2' is not the freeze entry's 'after cohort 1'");
	forged = s;
	strcpy(forged.note, "");
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 6 entries: its note '' is not the "
	    "freeze entry's 'after cohort 1'");
	forged = s;
	strcpy(forged.sealed_at, "2026-01-17T09:00:00Z");
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 6 entries: its sealed-at time "
	    "2026-01-17T09:00:00Z is not the freeze entry's " AT_FREEZE);

	/* A later freeze with another note: each seal is its own. */
	enroll(&f, "P10");
	freeze(&f, "", &forged);
	ck_assert_int_eq(forged.entries, 8);
	strcpy(forged.note, s.note);
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 8 entries: its note 'after cohort "
	    "1' is not the freeze entry's ''");
	ck_assert_int_eq(sortes_seal_check(f.t, &s, f.lead_pub, NULL), 0);
	seals_ok(&f, NULL, f.lead_pub, 2);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_forged_seal_not_freeze)
{
	struct fixture f;
	struct sortes_seal s, forged;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	/* A seal of entry 5, an enrollment, and of the genesis entry. */
	forged = s;
	forged.entries = 5;
	log_hash(&f, 5, forged.head);
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 5 entries: log entry 5 is of kind "
	    "'enroll', not a freeze entry");
	forged.entries = 1;
	log_hash(&f, 1, forged.head);
	sign_as_lead(&f, &forged);
	forged_fails(&f, &forged, "seal of 1 entries: log entry 1 is of kind "
	    "'genesis', not a freeze entry");
	ck_assert_int_eq(sortes_seal_check(f.t, &s, f.lead_pub, NULL), 0);
	fixture_teardown(&f);
}
END_TEST

/* Bodies that are not the freeze: what the message names. */
START_TEST(test_seal_check_freeze)
{
	static const struct { const char *body, *expect; } bad[] = {
		{ "not json", "log entry 6 is not a freeze entry" },
		{ "[]", "log entry 6 is not a freeze entry" },
		{ "{\"kind\":7}", "log entry 6 is not a freeze entry" },
		{ "{\"kind\":\"re\\nveal\"}", "log entry 6 is of kind "
		    "'re?veal', not a freeze entry" },
		{ "{\"kind\":\"freeze\",\"note\":null}", "its note 'n' is "
		    "not the freeze entry's '(none)'" },
		{ "{\"kind\":\"freeze\",\"note\":\"n\",\"sealed_at\":\"x\"}",
		    "its sealed-at time 2026-01-16T09:00:00Z is not the freeze "
		    "entry's x" },
		{ "{\"kind\":\"freeze\",\"note\":\"n\",\"sealed_at\":"
		    "\"2026-01-16T09:00:00Z\",\"signer\":\"ab\"}", "its signer "
		    "aaaaaaaaaaaaaaaa... is not the freeze entry's ab..." },
		/* The same values, but not as sortes writes them. */
		{ "{\"kind\":\"freeze\",\"note\":\"n\",\"sealed_at\":"
		    "\"2026-01-16T09:00:00Z\",\"seq\":6,\"signer\":"
		    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
		    "\"x\":1}", "log entry 6 is not the freeze entry of this "
		    "seal's note, time and signer" },
		{ "{\"kind\":\"freeze\",\"note\":\"n\",\"sealed_at\":"
		    "\"2026-01-16T09:00:00Z\",\"seq\":5,\"signer\":"
		    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		    "log entry 6 is not the freeze entry of this seal's note" },
	};
	static const char good[] = "{\"kind\":\"freeze\",\"note\":\"n\","
	    "\"sealed_at\":\"2026-01-16T09:00:00Z\",\"seq\":6,\"signer\":"
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
	struct sortes_seal s = { .entries = 6, .note = "n",
	    .sealed_at = "2026-01-16T09:00:00Z" };
	struct sortes_error err = { 0 };

	memset(s.signer, 'a', 64);
	ck_assert_msg(sortes_seal_check_freeze(&s, good, strlen(good), &err) ==
	    0, "%s", err.msg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(sortes_seal_check_freeze(&s, bad[i].body,
		    strlen(bad[i].body), &err), SORTES_EVERIFY);
		ck_assert_msg(strcmp(err.msg, bad[i].expect) == 0 ||
		    strstr(err.msg, bad[i].expect) == err.msg, "%s: '%s'",
		    bad[i].body, err.msg);
	}
}
END_TEST

START_TEST(test_tamper_seal_edited)
{
	struct fixture f;
	struct sortes_seal s;
	char buf[SORTES_SEAL_MAX], *path, *p;
	size_t len;

	fixture_setup(&f);
	freeze(&f, "after cohort 1", &s);
	len = seal_text(&s, buf);
	path = tu_path(f.dir, "edited.seal");

	/* The note changed: the signature no longer holds. */
	p = strstr(buf, "cohort 1");
	p[7] = '2';
	tu_write(path, buf);
	seals_fail(&f, path, f.lead_pub, "seal of 6 entries: the signature is "
	    "not valid for key");
	seals_fail(&f, path, f.lead_pub, path);

	/* Edited out of shape: also a failed verification. */
	unlink(path);
	buf[len - 2] = '!';
	tu_write(path, buf);
	seals_fail(&f, path, f.lead_pub, "line 10 is not a valid 'signature' "
	    "line");
	free(path);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tamper_seed)
{
	struct fixture f;
	struct sortes_seal s;
	struct sortes_error err = { 0 };
	char seed[65], other[65], sql[400];
	int64_t seq;

	fixture_setup(&f);
	freeze(&f, "", &s);
	ck_assert_int_eq(sortes_reveal(f.t, AT_REVEAL, &seq, &err), 0);
	verify_ok(&f);
	/* Another seed, in the reveals table and the log alike, and the
	 * chain recomputed: only the commitment can tell. */
	sortes_hex_encode(seed, f.t->key.seed, 32);
	memset(other, 'a', 64);
	other[64] = '\0';
	snprintf(sql, sizeof(sql), "UPDATE reveals SET seed = '%s'; "
	    "UPDATE log SET body = replace(body, '%s', '%s') WHERE seq = %lld",
	    other, seed, other, (long long)seq);
	tamper(&f, sql);
	rehash(&f, seq);
	verify_fails(&f, "log entry 7: the revealed seed does not match the "
	    "commitment made at init");
	/* Only the reveals table changed: the log disagrees. */
	snprintf(sql, sizeof(sql), "UPDATE reveals SET seed = '%s'", seed);
	tamper(&f, sql);
	verify_fails(&f, "log entry 7: the reveals table does not agree");
	fixture_teardown(&f);
}
END_TEST

Suite *
suite_seal(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("keys");

	tcase_add_test(tc, test_keygen);
	tcase_add_test(tc, test_sign_verify);
	tcase_add_test(tc, test_base64);
	tcase_add_test(tc, test_base64_strict);
	suite_add_tcase(s, tc);

	tc = tcase_create("seal");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_freeze);
	tcase_add_test(tc, test_freeze_refused);
	tcase_add_test(tc, test_seal_format);
	tcase_add_test(tc, test_parse_roundtrip);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_parse_rejects_noncanonical);
	tcase_add_test(tc, test_seals_keys);
	tcase_add_test(tc, test_seal_of_another_trial);
	tcase_add_test(tc, test_reveal);
	tcase_add_test(tc, test_reveal_closes_allocation);
	suite_add_tcase(s, tc);

	tc = tcase_create("tamper");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tamper_one_byte);
	tcase_add_test(tc, test_tamper_entry_deleted);
	tcase_add_test(tc, test_tamper_entries_swapped);
	tcase_add_test(tc, test_tamper_tail_removed);
	tcase_add_test(tc, test_tamper_chain_rewritten);
	tcase_add_test(tc, test_tamper_resigned);
	tcase_add_test(tc, test_tamper_seal_edited);
	tcase_add_test(tc, test_forged_seal_note_time);
	tcase_add_test(tc, test_forged_seal_not_freeze);
	tcase_add_test(tc, test_seal_check_freeze);
	tcase_add_test(tc, test_tamper_seed);
	suite_add_tcase(s, tc);
	return s;
}
