/*
 * check_blind.c - the blinding's mapping, commitment and disclosure,
 * and what verify makes of them (docs/blinding.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/blind.h"
#include "sortes/record.h"
#include "sortes/replay.h"
#include "sortes/seal.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#define THREE_ARMS \
	"sortes: 1\n" \
	"trial: {id: three, title: Three, sponsor: Test, target_enrollment: 9}\n" \
	"arms:\n" \
	"  - {code: X, name: First, ratio: 1}\n" \
	"  - {code: Y, name: Second, ratio: 1}\n" \
	"  - {code: Z, name: Third, ratio: 1}\n" \
	"randomization: {unit: individual, method: simple}\n" \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n"

static struct sortes_protocol *
parse(const char *yaml)
{
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_protocol_parse(&p, yaml, strlen(yaml), "t.yaml",
	    &err) == 0, "%s", err.msg);
	return p;
}

static void
derive(struct sortes_blinding *b, const struct sortes_protocol *p,
    uint8_t fill)
{
	struct sortes_error err = { 0 };
	uint8_t seed[32];

	memset(seed, fill, sizeof(seed));
	ck_assert_msg(sortes_blind_derive(b, p, seed, &err) == 0, "%s",
	    err.msg);
}

/* Fixed seeds give fixed mappings, and the same one every time. */
START_TEST(test_fixed_seeds)
{
	struct sortes_protocol *p = parse(TU_SIMPLE), *q = parse(THREE_ARMS);
	struct sortes_blinding a, b;

	derive(&a, p, 0x01);
	ck_assert_str_eq(a.labels[0], "group B");	/* I */
	ck_assert_str_eq(a.labels[1], "group A");	/* C */
	derive(&b, p, 0x01);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	ck_assert_str_eq(sortes_blind_arm_label(&a, p, "I"), "group B");
	ck_assert_str_eq(sortes_blind_arm_label(&a, p, "Control"), "group A");
	ck_assert_ptr_null(sortes_blind_arm_label(&a, p, "Q"));
	ck_assert_str_eq(sortes_blind_arm_label(NULL, p, "I"), "I");
	derive(&a, q, 0x01);
	derive(&b, q, 0x01);
	ck_assert_mem_eq(&a, &b, sizeof(a));
	/* Another seed, another nonce and commitment. */
	derive(&b, q, 0x02);
	ck_assert_mem_ne(a.nonce, b.nonce, 32);
	ck_assert_str_ne(a.commitment, b.commitment);
	sortes_protocol_free(p);
	sortes_protocol_free(q);
}
END_TEST

/* A name spelt like another arm's code is not taken for that arm. */
START_TEST(test_code_before_name)
{
	struct sortes_protocol *p = parse(
	    "sortes: 1\n"
	    "trial: {id: odd, title: Odd, sponsor: Test, target_enrollment: 9}\n"
	    "arms:\n"
	    "  - {code: I, name: C, ratio: 1}\n"
	    "  - {code: C, name: Control, ratio: 1}\n"
	    "randomization: {unit: individual, method: simple}\n"
	    "fields:\n"
	    "  - {name: birth_date, type: date, required: true}\n");
	struct sortes_blinding b;

	derive(&b, p, 0x01);
	ck_assert_str_eq(sortes_blind_arm_label(&b, p, "C"), b.labels[1]);
	ck_assert_str_eq(sortes_blind_arm_label(&b, p, "I"), b.labels[0]);
	sortes_protocol_free(p);
}
END_TEST

/*
 * Over many seeds every mapping is about equally likely: with 3 arms
 * each of the 6 permutations, and each arm's label.  6000 seeds, each
 * count near 1000; a chi-square with 5 degrees of freedom above 20.5
 * has probability 0.001, and the seeds are fixed, so this never flaps.
 */
START_TEST(test_uniform)
{
	struct sortes_protocol *p = parse(THREE_ARMS);
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	long perm[27] = { 0 }, label[3][3] = { { 0 } };
	uint8_t seed[32];
	double chi = 0;
	const int n = 6000;

	memset(seed, 0x5a, sizeof(seed));
	for (int s = 0; s < n; s++) {
		int code = 0;

		seed[0] = (uint8_t)s;
		seed[1] = (uint8_t)(s >> 8);
		ck_assert_int_eq(sortes_blind_derive(&b, p, seed, &err), 0);
		for (int i = 0; i < 3; i++) {
			int l = b.labels[i][6] - 'A';

			ck_assert_int_ge(l, 0);
			ck_assert_int_lt(l, 3);
			label[i][l]++;
			code = code * 3 + l;
		}
		perm[code]++;
	}
	for (int c = 0, seen = 0; c < 27; c++) {
		if (perm[c] == 0)
			continue;
		seen++;
		chi += (perm[c] - n / 6.0) * (perm[c] - n / 6.0) / (n / 6.0);
		ck_assert_int_le(seen, 6);	/* only permutations */
	}
	ck_assert_msg(chi < 20.5, "chi-square %.1f", chi);
	for (int i = 0; i < 3; i++)
		for (int l = 0; l < 3; l++)
			ck_assert_msg(label[i][l] > 1850 && label[i][l] < 2150,
			    "arm %d label %d: %ld of %d", i, l, label[i][l], n);
	sortes_protocol_free(p);
}
END_TEST

/* Two arms: each arm gets group A about half the time. */
START_TEST(test_uniform_two)
{
	struct sortes_protocol *p = parse(TU_SIMPLE);
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	uint8_t seed[32];
	long a = 0;

	memset(seed, 0xc3, sizeof(seed));
	for (int s = 0; s < 4000; s++) {
		seed[30] = (uint8_t)s;
		seed[31] = (uint8_t)(s >> 8);
		ck_assert_int_eq(sortes_blind_derive(&b, p, seed, &err), 0);
		a += strcmp(b.labels[0], "group A") == 0;
		ck_assert_str_ne(b.labels[0], b.labels[1]);
	}
	/* 4000 fair coins: 2000 +- 100 is over 3 standard deviations. */
	ck_assert_msg(a > 1900 && a < 2100, "%ld of 4000", a);
	sortes_protocol_free(p);
}
END_TEST

/* The commitment covers nonce and mapping; a forged mapping is read
 * as such. */
START_TEST(test_commitment)
{
	struct sortes_protocol *p = parse(TU_SIMPLE);
	struct sortes_error err = { 0 };
	struct sortes_blinding b, r;
	struct sortes_jcs j;
	char c[SORTES_SHA256_HEX];
	static const char *const bad[] = {
		"{\"group A\":\"I\",\"group B\":\"I\"}",
		"{\"group A\":\"I\",\"group B\":\"Q\"}",
		"{\"group A\":\"I\"}",
		"{\"group A\":\"I\",\"group C\":\"C\"}",
		"{\"group B\":\"C\",\"group A\":\"I\"}",
		"{\"group A\": \"I\",\"group B\":\"C\"}",
		"[\"I\",\"C\"]",
		"not json",
	};

	derive(&b, p, 0x07);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_blind_mapping_json(&j, &b, p, &err), 0);
	ck_assert_int_eq(sortes_blind_commit(c, b.nonce, j.data, j.len, &err), 0);
	ck_assert_str_eq(c, b.commitment);
	ck_assert_int_eq(sortes_blind_parse_mapping(&r, p, j.data, &err), 0);
	ck_assert_mem_eq(r.labels, b.labels, sizeof(b.labels));
	/* The other mapping, or another nonce, commits to something else. */
	ck_assert_int_eq(sortes_blind_commit(c, b.nonce,
	    strcmp(b.labels[0], "group A") == 0 ?
	    "{\"group A\":\"C\",\"group B\":\"I\"}" :
	    "{\"group A\":\"I\",\"group B\":\"C\"}", 29, &err), 0);
	ck_assert_str_ne(c, b.commitment);
	b.nonce[0] ^= 1;
	ck_assert_int_eq(sortes_blind_commit(c, b.nonce, j.data, j.len, &err), 0);
	ck_assert_str_ne(c, b.commitment);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(sortes_blind_parse_mapping(&r, p, bad[i], &err) ==
		    SORTES_EDATA, "%s", bad[i]);
	sortes_jcs_free(&j);
	sortes_protocol_free(p);
}
END_TEST

/* A trial with two participants, committed to its blinding. */
struct fixture {
	char *dir;
	struct sortes_trial *t;
	int64_t blind;
};

static void
fixture_open(struct fixture *f, int unblind)
{
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	int64_t seq;

	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, TU_BLOCKS);
	ck_assert_int_eq(tu_enroll(f->t, "010190-9001", "F", "2000-01-01",
	    &err), 0);
	ck_assert_int_eq(tu_enroll(f->t, "010190-9002", "M", "2000-01-01",
	    &err), 0);
	ck_assert_msg(sortes_blind(f->t, "2026-01-15T11:00:00Z", &f->blind,
	    &err) == 0, "%s", err.msg);
	if (unblind)
		ck_assert_msg(sortes_unblind(f->t, f->t->key.seed,
		    "2026-01-15T12:00:00Z", &b, &seq, &err) == 0, "%s",
		    err.msg);
}

static void
fixture_close(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

static int
verify(struct fixture *f, struct sortes_error *err)
{
	struct sortes_verify_report r;

	return sortes_verify(f->t, tu_local_day, &r, err);
}

static void
exec(struct fixture *f, const char *sql)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_db_exec(f->t->db, sql, &err) == 0, "%s: %s", sql,
	    err.msg);
}

/*
 * Rewrite the hashes of entries 'from' onwards as a forger who changed
 * their bodies would, so that only the blinding checks can tell.
 */
static void
rehash(struct fixture *f, int64_t from)
{
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	int64_t last = tu_int(f->t, "SELECT max(seq) FROM log");
	char sql[512], prev[65], *body;
	uint8_t raw[32], buf[32 + 4096], h[32];

	exec(f, "DROP TRIGGER IF EXISTS log_no_update");
	for (int64_t seq = from; seq <= last; seq++) {
		snprintf(sql, sizeof(sql), "SELECT (SELECT hash FROM log WHERE "
		    "seq = %lld), body FROM log WHERE seq = %lld",
		    (long long)seq - 1, (long long)seq);
		ck_assert_int_eq(sortes_db_prepare(f->t->db, &st, sql, &err), 0);
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		snprintf(prev, sizeof(prev), "%s", sqlite3_column_text(st, 0));
		body = strdup((const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		ck_assert_int_eq(sortes_hex_decode(raw, 32, prev), 0);
		memcpy(buf, raw, 32);
		memcpy(buf + 32, body, strlen(body));
		ck_assert_int_eq(sortes_sha256(h, buf, 32 + strlen(body), &err),
		    0);
		sortes_hex_encode(prev + 0, h, 32);
		snprintf(sql, sizeof(sql), "UPDATE log SET hash = '%s', "
		    "prev_hash = (SELECT hash FROM log WHERE seq = %lld) WHERE "
		    "seq = %lld", prev, (long long)seq - 1, (long long)seq);
		exec(f, sql);
		free(body);
	}
}

START_TEST(test_verify_blinding)
{
	struct sortes_error err = { 0 };
	struct sortes_replay_report rep;
	struct sortes_blinding b;
	struct fixture f;
	int64_t seq;

	fixture_open(&f, 0);
	ck_assert_msg(verify(&f, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sortes_blind(f.t, "2026-01-15T11:30:00Z", &seq, &err),
	    SORTES_EDATA);
	ck_assert_int_eq(sortes_unblind(f.t, f.t->key.seed,
	    "2026-01-15T12:00:00Z", &b, &seq, &err), 0);
	ck_assert_int_eq(b.seq, f.blind);
	ck_assert_int_eq(seq, f.blind + 1);
	ck_assert_msg(verify(&f, &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_replay(f.t, f.t->key.seed, &rep, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_unblind(f.t, f.t->key.seed,
	    "2026-01-15T12:00:00Z", &b, &seq, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "disclosed already"));
	fixture_close(&f);
}
END_TEST

START_TEST(test_unblind_needs_commitment)
{
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	int64_t seq;

	ck_assert_int_eq(sortes_unblind(t, t->key.seed, "2026-01-15T12:00:00Z",
	    &b, &seq, &err), SORTES_EUNSUPPORTED);
	ck_assert_int_eq(sortes_blind_open(t, t->key.seed, &b, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_int_eq(tu_int(t, "SELECT count(*) FROM log"), 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* The other mapping disclosed, the hashes rewritten: it does not open
 * the commitment. */
START_TEST(test_forged_disclosure)
{
	struct sortes_error err = { 0 };
	struct fixture f;
	char sql[1024];

	fixture_open(&f, 1);
	snprintf(sql, sizeof(sql), "UPDATE unblindings SET mapping = "
	    "CASE WHEN mapping LIKE '%%\"group A\":\"I\"%%' THEN "
	    "'{\"group A\":\"C\",\"group B\":\"I\"}' ELSE "
	    "'{\"group A\":\"I\",\"group B\":\"C\"}' END; "
	    "DROP TRIGGER IF EXISTS log_no_update; "
	    "UPDATE log SET body = (SELECT json_set(body, '$.mapping', "
	    "json(u.mapping)) FROM unblindings u WHERE u.seq = log.seq) "
	    "WHERE kind = 'unblind'");
	exec(&f, sql);
	rehash(&f, f.blind + 1);
	ck_assert_int_eq(verify(&f, &err), SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, "do not open the blinding commitment") !=
	    NULL, "%s", err.msg);
	fixture_close(&f);
}
END_TEST

/* A commitment changed (to the other mapping's, with the hashes
 * rewritten): the disclosure no longer opens it, and replay, which
 * draws the commitment from the seed, catches it before any
 * disclosure too. */
START_TEST(test_changed_commitment)
{
	struct sortes_error err = { 0 };
	struct sortes_replay_report rep;
	struct fixture f;

	for (int unblind = 0; unblind < 2; unblind++) {
		fixture_open(&f, unblind);
		exec(&f, "DROP TRIGGER IF EXISTS log_no_update; "
		    "UPDATE blindings SET commitment = "
		    "'00000000000000000000000000000000000000000000000000000000"
		    "00000000'; UPDATE log SET body = json_set(body, "
		    "'$.commitment', (SELECT commitment FROM blindings)) "
		    "WHERE kind = 'blind'");
		rehash(&f, f.blind);
		if (unblind) {
			ck_assert_int_eq(verify(&f, &err), SORTES_EVERIFY);
			ck_assert_msg(strstr(err.msg, "do not open") != NULL,
			    "%s", err.msg);
		} else {
			ck_assert_msg(verify(&f, &err) == 0, "%s", err.msg);
			ck_assert_int_eq(sortes_replay(f.t, f.t->key.seed, &rep,
			    &err), SORTES_EVERIFY);
			ck_assert_int_eq(rep.bad_seq, f.blind);
		}
		fixture_close(&f);
	}
}
END_TEST

/* A disclosure with no row behind it, or a row with no entry. */
START_TEST(test_tables_and_log)
{
	struct sortes_error err = { 0 };
	struct fixture f;
	char sql[160];

	fixture_open(&f, 1);
	exec(&f, "DELETE FROM unblindings");
	ck_assert_int_eq(verify(&f, &err), SORTES_EVERIFY);
	ck_assert_ptr_nonnull(strstr(err.msg, "no unblinding row"));
	fixture_close(&f);
	fixture_open(&f, 0);
	snprintf(sql, sizeof(sql), "INSERT INTO unblindings VALUES (1, %lld, "
	    "'{}', '00', 'x')", (long long)f.blind);
	exec(&f, sql);
	ck_assert_int_eq(verify(&f, &err), SORTES_EVERIFY);
	ck_assert_ptr_nonnull(strstr(err.msg, "unblinding row claims"));
	fixture_close(&f);
}
END_TEST

/* After the reveal anyone can draw the mapping: no blinding then. */
START_TEST(test_after_reveal)
{
	struct sortes_error err = { 0 };
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	int64_t seq;

	ck_assert_int_eq(sortes_reveal(t, "2026-01-15T11:00:00Z", &seq, &err),
	    0);
	ck_assert_int_eq(sortes_blind(t, "2026-01-15T11:00:00Z", &seq, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "would hide nothing"));
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
suite_blind(void)
{
	Suite *s = suite_create("blind");
	TCase *tc = tcase_create("mapping");
	TCase *tv = tcase_create("verify");

	tcase_add_test(tc, test_fixed_seeds);
	tcase_add_test(tc, test_code_before_name);
	tcase_add_test(tc, test_uniform);
	tcase_add_test(tc, test_uniform_two);
	tcase_add_test(tc, test_commitment);
	tcase_add_test(tv, test_verify_blinding);
	tcase_add_test(tv, test_unblind_needs_commitment);
	tcase_add_test(tv, test_forged_disclosure);
	tcase_add_test(tv, test_changed_commitment);
	tcase_add_test(tv, test_tables_and_log);
	tcase_add_test(tv, test_after_reveal);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tv);
	return s;
}
