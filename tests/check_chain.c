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

/* How many entries the log holds. */
static int64_t
entries(struct fixture *f)
{
	return tu_int(f->t, "SELECT count(*) FROM log");
}

/*
 * An entry dated before the one before it is refused, naming both
 * times, and nothing is written; the same second is fine.
 */
START_TEST(test_append_time_only_forward)
{
	struct fixture f;
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };

	fixture_setup(&f);
	ck_assert_int_eq(tu_enroll_at(f.t, "Q1", "CW1", "2026-01-15T09:59:59Z",
	    tu_day("2026-01-15"), &res, &err), SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, "log entry 7 would be dated "
	    "2026-01-15T09:59:59Z, before log entry 6 (2026-01-15T10:00:00Z): "
	    "the log's times never go back; is the clock, or SORTES_NOW, set "
	    "back?");
	ck_assert_int_eq(entries(&f), 6);
	ck_assert_int_eq(tu_int(f.t, "SELECT count(*) FROM participants"), 5);
	ck_assert_int_eq(tu_enroll_at(f.t, "Q1", "CW1", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &res, &err), 0);
	ck_assert_int_eq(tu_enroll_at(f.t, "Q2", "CW1", "2026-01-15T10:00:01Z",
	    tu_day("2026-01-15"), &res, &err), 0);
	/* The head is read from the log again by the next command. */
	ck_assert_int_eq(tu_enroll_at(f.t, "Q3", "CW1", "2026-01-15T10:00:00Z",
	    tu_day("2026-01-15"), &res, &err), SORTES_EUNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "before log entry 8 "
	    "(2026-01-15T10:00:01Z)"));
	ck_assert_int_eq(tu_enroll_at(f.t, "Q3", "CW1", "2026-01-15 10:00:02",
	    tu_day("2026-01-15"), &res, &err), SORTES_EUSAGE);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not YYYY-MM-DDTHH:MM:SSZ"));
	ck_assert_int_eq(entries(&f), 8);
	fixture_teardown(&f);
}
END_TEST

/*
 * A log rewritten to go back in time, entry and table alike, with
 * every hash recomputed: the chain holds, the times do not.
 */
START_TEST(test_verify_time_goes_back)
{
	struct fixture f;

	fixture_setup(&f);
	tamper(&f, "UPDATE log SET body = replace(body, '10:00:00Z', "
	    "'09:59:59Z') WHERE seq = 4; UPDATE participants SET "
	    "enrolled_at = '2026-01-15T09:59:59Z' WHERE seq = 4");
	rehash(&f);
	ck_assert_int_eq(verify_fails(&f, "log entry 4: dated "
	    "2026-01-15T09:59:59Z, before entry 3 (2026-01-15T10:00:00Z)"), 4);
	fixture_teardown(&f);

	/* Before the genesis. */
	fixture_setup(&f);
	tamper(&f, "UPDATE log SET body = replace(body, '2026-01-15T10:00:00Z', "
	    "'2026-01-16T10:00:00Z') WHERE seq = 1; UPDATE trial SET "
	    "created_at = '2026-01-16T10:00:00Z'");
	rehash(&f);
	sortes_trial_close(f.t);
	{
		struct sortes_error err = { 0 };
		char *db = tu_path(f.dir, "trial.db");

		ck_assert_int_eq(sortes_trial_open(&f.t, db, &err), 0);
		free(db);
	}
	ck_assert_int_eq(verify_fails(&f, "log entry 2: dated "
	    "2026-01-15T10:00:00Z, before entry 1 (2026-01-16T10:00:00Z)"), 2);
	fixture_teardown(&f);

	/* A time that is none does not compare at all. */
	fixture_setup(&f);
	tamper(&f, "UPDATE log SET body = replace(body, '2026-01-15T10:00:00Z', "
	    "'2026-01-15T10:00:00') WHERE seq = 5; UPDATE participants SET "
	    "enrolled_at = '2026-01-15T10:00:00' WHERE seq = 5");
	rehash(&f);
	ck_assert_int_eq(verify_fails(&f, "log entry 5: its time is not a UTC "
	    "time YYYY-MM-DDTHH:MM:SSZ"), 5);
	fixture_teardown(&f);
}
END_TEST

/* Every kind's body gives back the time it was built with. */
START_TEST(test_record_time_of_each_kind)
{
	static const struct sortes_cluster_arm arm = { "CW1", "I" };
	const char *at = "2026-02-03T04:05:06Z";
	struct sortes_jcs j[11];
	const char *kinds[11] = { "genesis", "enroll", "caseworker",
	    "randomize", "transfer", "withdraw", "freeze", "reveal", "measure",
	    "missed", "spend" };
	struct sortes_error err = { 0 };
	char out[21];

	for (int i = 0; i < 11; i++)
		sortes_jcs_init(&j[i]);
	sortes_record_genesis(&j[0], &(struct sortes_genesis_record){ .seq = 1,
	    .log_format = 1, .trial = "t", .protocol_sha256 = "p",
	    .commitment = "c", .created_at = at });
	sortes_record_enroll(&j[1], &(struct sortes_enroll_record){ .seq = 2,
	    .participant = "u", .pseudonym = "p", .caseworker = "CW1",
	    .fields = "{\"enrolled_at\":\"2020-01-01T00:00:00Z\"}",
	    .stratum = "{}", .enrolled_at = at, .arm = "I", .method = "simple",
	    .position = -1 });
	sortes_record_caseworker(&j[2], &(struct sortes_caseworker_record){
	    .seq = 3, .caseworker = "CW1", .team = "T", .covariates = "{}",
	    .registered_at = at });
	sortes_record_randomize(&j[3], &(struct sortes_randomize_record){
	    .seq = 4, .method = "complete", .report = "{}",
	    .randomized_at = at, .arms = &arm, .narms = 1 });
	sortes_record_transfer(&j[4], &(struct sortes_transfer_record){
	    .seq = 5, .participant = "u", .from = "CW1", .to = "CW2",
	    .cross_arm = -1, .transferred_at = at });
	sortes_record_withdraw(&j[5], &(struct sortes_withdraw_record){
	    .seq = 6, .participant = "u", .reason = "\"withdrawn_at\":\"x\"",
	    .withdrawn_at = at });
	sortes_record_freeze(&j[6], &(struct sortes_freeze_record){ .seq = 7,
	    .note = "", .sealed_at = at, .signer = "s" });
	sortes_record_reveal(&j[7], &(struct sortes_reveal_record){ .seq = 8,
	    .seed = "00", .revealed_at = at });
	/* A measure may be named like the entry's time key; it comes
	 * first in the body, one level down. */
	sortes_record_measure(&j[8], &(struct sortes_measure_record){
	    .seq = 9, .participant = "u", .occasion = "m1",
	    .measured_on = "2026-02-01",
	    .measures = "{\"recorded_at\":\"2019-01-01T00:00:00Z\"}",
	    .recorded_at = at });
	sortes_record_missed(&j[9], &(struct sortes_missed_record){ .seq = 10,
	    .participant = "u", .occasion = "m1", .reason = "r",
	    .recorded_at = at });
	sortes_record_spend(&j[10], &(struct sortes_spend_record){ .seq = 11,
	    .participant = "u", .amount_minor = 1, .currency = "DKK",
	    .category = "c", .spent_on = "2026-02-01", .recorded_at = at });
	for (int i = 0; i < 11; i++) {
		ck_assert_int_eq(sortes_jcs_finish(&j[i], &err), 0);
		memset(out, 0, sizeof(out));
		ck_assert_msg(sortes_record_time(out, kinds[i], j[i].data,
		    j[i].len) == 0, "%s: %s", kinds[i], j[i].data);
		ck_assert_str_eq(out, at);
		ck_assert_ptr_nonnull(sortes_record_time_key(kinds[i]));
		sortes_jcs_free(&j[i]);
	}
	ck_assert_ptr_null(sortes_record_time_key("rumour"));
	ck_assert_int_eq(sortes_record_time(out, "rumour", "{}", 2), -1);
	/* A key missing, or a value that is no time. */
	ck_assert_int_eq(sortes_record_time(out, "reveal", "{\"kind\":"
	    "\"reveal\"}", 17), -1);
	ck_assert_int_eq(sortes_record_time(out, "reveal", "{\"revealed_at\":"
	    "\"2026-13-01T00:00:00Z\"}", 38), -1);
	ck_assert_int_eq(sortes_record_time(out, "reveal", "{\"revealed_at\":"
	    "1}", 17), -1);
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
	tcase_add_test(tc, test_append_time_only_forward);
	tcase_add_test(tc, test_verify_time_goes_back);
	tcase_add_test(tc, test_record_time_of_each_kind);
	suite_add_tcase(s, tc);
	return s;
}
