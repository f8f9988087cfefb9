/*
 * check_chain.c - the hash chain and verification, including the
 * tampering that verification must catch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/chain.h"
#include "sortes/crypto.h"
#include "sortes/record.h"
#include "sortes/replay.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

struct fixture {
	char *dir;
	struct sortes_trial *t;
};

/* A trial with five enrolled participants: entries 1 (genesis) to 6. */
static void
fixture_setup(struct fixture *f)
{
	struct sortes_error err = { 0 };
	char person[16];

	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, TU_BLOCKS);
	for (int i = 0; i < 5; i++) {
		snprintf(person, sizeof(person), "P%d", i);
		ck_assert_msg(tu_enroll(f->t, person, i % 2 ? "F" : "M",
		    "2004-05-06", &err) == 0, "%s", err.msg);
	}
}

static void
fixture_teardown(struct fixture *f)
{
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
}

/* As an attacker with write access would: the triggers go first. */
static void
tamper(struct fixture *f, const char *sql)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_db_exec(f->t->db, "DROP TRIGGER log_no_update; "
	    "DROP TRIGGER log_no_delete", &err) == 0, "%s", err.msg);
	ck_assert_msg(sortes_db_exec(f->t->db, sql, &err) == 0, "%s", err.msg);
}

START_TEST(test_log_append_only)
{
	struct fixture f;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	ck_assert_int_ne(sortes_db_exec(f.t->db, "UPDATE log SET kind = 'x' "
	    "WHERE seq = 2", &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "append-only"));
	ck_assert_int_ne(sortes_db_exec(f.t->db, "DELETE FROM log "
	    "WHERE seq = 6", &err), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "append-only"));
	fixture_teardown(&f);
}
END_TEST

static int64_t
verify_fails(struct fixture *f, const char *expect)
{
	struct sortes_verify_report r;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_verify(f->t, tu_local_day, &r, &err), SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "message: %s", err.msg);
	return r.bad_seq;
}

START_TEST(test_genesis_and_head)
{
	struct fixture f;
	struct sortes_verify_report r;
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;
	uint8_t prev[32] = { 0 }, hash[32];
	char hex[65];

	fixture_setup(&f);
	ck_assert_int_eq(sortes_verify(f.t, tu_local_day, &r, &err), 0);
	ck_assert_int_eq(r.entries, 6);
	ck_assert_int_eq(r.participants, 5);
	/* Entry 1 by hand: SHA-256 of 32 zero bytes and the body. */
	ck_assert_int_eq(sortes_db_prepare(f.t->db, &st,
	    "SELECT body, hash FROM log WHERE seq = 1", &err), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	{
		const char *body = (const char *)sqlite3_column_text(st, 0);
		uint8_t *buf = malloc(32 + strlen(body));

		memcpy(buf, prev, 32);
		memcpy(buf + 32, body, strlen(body));
		ck_assert_int_eq(sortes_sha256(hash, buf, 32 + strlen(body),
		    &err), 0);
		free(buf);
		ck_assert_ptr_nonnull(strstr(body, f.t->seed_commitment));
		ck_assert_ptr_nonnull(strstr(body, f.t->protocol_sha256));
	}
	sortes_hex_encode(hex, hash, 32);
	ck_assert_str_eq(hex, (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_one_byte_changed)
{
	struct fixture f;

	fixture_setup(&f);
	/* The caseworker code in entry 4's body: CW1 becomes CW2. */
	tamper(&f, "UPDATE log SET body = replace(body, '\"CW1\"', '\"CW2\"') "
	    "WHERE seq = 4");
	ck_assert_int_eq(verify_fails(&f, "log entry 4: hash does not match"),
	    4);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_arm_changed_in_table)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "UPDATE allocations SET arm = CASE arm WHEN 'I' THEN 'C' "
	    "ELSE 'I' END WHERE seq = 3");
	ck_assert_int_eq(verify_fails(&f, "do not agree with this entry"), 3);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_field_changed_in_table)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "UPDATE participants SET fields = replace(fields, "
	    "'2004-05-06', '2004-05-07') WHERE seq = 5");
	ck_assert_int_eq(verify_fails(&f, "do not agree"), 5);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_entry_deleted)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "PRAGMA foreign_keys = OFF; DELETE FROM log WHERE seq = 4");
	ck_assert_int_eq(verify_fails(&f, "log entry 4: missing"), 4);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_participant_deleted)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "PRAGMA foreign_keys = OFF; DELETE FROM allocations "
	    "WHERE seq = 6; DELETE FROM participants WHERE seq = 6");
	ck_assert_int_eq(verify_fails(&f, "no participant row"), 6);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_extra_participant)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "INSERT INTO participants (seq, id, pseudonym, caseworker, "
	    "fields, stratum, enrolled_at) SELECT 1, 'x', 'y', caseworker, "
	    "fields, stratum, enrolled_at FROM participants WHERE seq = 2");
	verify_fails(&f, "a participant row claims this entry");
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_genesis_mismatch)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "UPDATE trial SET seed_commitment = "
	    "'0000000000000000000000000000000000000000000000000000000000000000'");
	sortes_trial_close(f.t);
	{
		struct sortes_error err = { 0 };
		char *db = tu_path(f.dir, "trial.db");

		ck_assert_int_eq(sortes_trial_open(&f.t, db, &err), 0);
		free(db);
	}
	ck_assert_int_eq(verify_fails(&f, "genesis entry does not match"), 1);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_chain_appends_from_head)
{
	struct fixture f;
	struct sortes_chain *c = NULL;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	ck_assert_int_eq(sortes_chain_open(&c, f.t->db, &err), 0);
	ck_assert_int_eq(sortes_chain_next_seq(c), 7);
	ck_assert_int_eq(strlen(sortes_chain_head(c)), 64);
	sortes_chain_free(c);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_redrawn_allocation)
{
	struct fixture f;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	/* Remove the last enrollment everywhere but in the allocation
	 * state, and enroll the same person again: a second draw. */
	tamper(&f, "PRAGMA foreign_keys = OFF; DELETE FROM allocations "
	    "WHERE seq = 6; DELETE FROM participants WHERE seq = 6; "
	    "DELETE FROM log WHERE seq = 6");
	ck_assert_int_eq(tu_enroll(f.t, "P4", "F", "2004-05-06", &err), 0);
	ck_assert_int_eq(verify_fails(&f, "out of sequence"), 6);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_tail_removed_state_kept)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "PRAGMA foreign_keys = OFF; DELETE FROM allocations "
	    "WHERE seq = 6; DELETE FROM participants WHERE seq = 6; "
	    "DELETE FROM log WHERE seq = 6");
	ck_assert_int_eq(verify_fails(&f, "stored allocation state"), 5);
	fixture_teardown(&f);
}
END_TEST

START_TEST(test_state_tampered)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "UPDATE alloc_state SET counter = counter + 5");
	verify_fails(&f, "stored allocation state");
	fixture_teardown(&f);
	fixture_setup(&f);
	tamper(&f, "INSERT INTO alloc_state VALUES ('block', '{\"x\":1}', 0, 1)");
	verify_fails(&f, "the log records no allocation");
	fixture_teardown(&f);
}
END_TEST

/* Rewrite every hash from entry 1 on, as a forger with the code could. */
static void
rehash(struct fixture *f)
{
	struct sortes_hasher *h = NULL;
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL, *up = NULL;
	uint8_t prev[32] = { 0 }, hash[32];
	char prev_hex[65], hash_hex[65];

	ck_assert_int_eq(sortes_hasher_new(&h, &err), 0);
	ck_assert_int_eq(sortes_db_prepare(f->t->db, &st, "SELECT seq, body "
	    "FROM log ORDER BY seq", &err), 0);
	ck_assert_int_eq(sortes_db_prepare(f->t->db, &up, "UPDATE log SET "
	    "prev_hash = ?, hash = ? WHERE seq = ?", &err), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_int_eq(sortes_hasher_two(h, hash, prev, 32,
		    sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1), &err), 0);
		sortes_hex_encode(prev_hex, prev, 32);
		sortes_hex_encode(hash_hex, hash, 32);
		sqlite3_bind_text(up, 1, prev_hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(up, 2, hash_hex, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 3, sqlite3_column_int64(st, 0));
		ck_assert_int_eq(sqlite3_step(up), SQLITE_DONE);
		sqlite3_reset(up);
		memcpy(prev, hash, 32);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	sortes_hasher_free(h);
}

START_TEST(test_replay_catches_forged_arm)
{
	struct fixture f;
	struct sortes_verify_report r;
	struct sortes_replay_report rep;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	ck_assert_int_eq(sortes_replay(f.t, f.t->key.seed, &rep, &err), 0);
	ck_assert_int_eq(rep.allocations, 5);
	/* The arm of entry 4 flipped in the log and the table alike, and
	 * every hash recomputed: the chain and tables agree again. */
	tamper(&f, "UPDATE log SET body = CASE WHEN body LIKE "
	    "'%\"arm\":\"I\"%' THEN replace(body, '\"arm\":\"I\"', "
	    "'\"arm\":\"C\"') ELSE replace(body, '\"arm\":\"C\"', "
	    "'\"arm\":\"I\"') END WHERE seq = 4; UPDATE allocations SET "
	    "arm = CASE arm WHEN 'I' THEN 'C' ELSE 'I' END WHERE seq = 4");
	rehash(&f);
	ck_assert_int_eq(sortes_verify(f.t, tu_local_day, &r, &err), 0);
	ck_assert_int_eq(sortes_replay(f.t, f.t->key.seed, &rep, &err),
	    SORTES_EVERIFY);
	ck_assert_int_eq(rep.bad_seq, 4);
	ck_assert_ptr_nonnull(strstr(err.msg, "log entry 4: replay"));
	fixture_teardown(&f);
}
END_TEST

Suite *
suite_chain(void)
{
	Suite *s = suite_create("chain");
	TCase *tc = tcase_create("verify");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_genesis_and_head);
	tcase_add_test(tc, test_one_byte_changed);
	tcase_add_test(tc, test_arm_changed_in_table);
	tcase_add_test(tc, test_field_changed_in_table);
	tcase_add_test(tc, test_entry_deleted);
	tcase_add_test(tc, test_participant_deleted);
	tcase_add_test(tc, test_extra_participant);
	tcase_add_test(tc, test_genesis_mismatch);
	tcase_add_test(tc, test_chain_appends_from_head);
	tcase_add_test(tc, test_log_append_only);
	tcase_add_test(tc, test_replay_catches_forged_arm);
	tcase_add_test(tc, test_redrawn_allocation);
	tcase_add_test(tc, test_tail_removed_state_kept);
	tcase_add_test(tc, test_state_tampered);
	suite_add_tcase(s, tc);
	return s;
}
