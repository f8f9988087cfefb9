/*
 * verify_events.c - checking caseworker, randomize, transfer and
 * withdraw entries against their tables.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/keyfile.h"
#include "sortes/record.h"
#include "strata.h"
#include "verify_int.h"

int
verify_events_prepare(struct verify_state *v, struct sortes_error *err)
{
	int rc;

	rc = sortes_db_prepare(v->trial->db, &v->randomized, "SELECT c.code, "
	    "ca.arm FROM caseworker_allocations ca JOIN caseworkers c ON "
	    "c.seq = ca.caseworker WHERE ca.seq = ? ORDER BY c.code", err);
	if (rc == 0)
		rc = sortes_db_prepare(v->trial->db, &v->cluster, "SELECT "
		    "ca.arm, ca.seq FROM caseworkers c JOIN "
		    "caseworker_allocations ca ON ca.caseworker = c.seq "
		    "WHERE c.code = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(v->trial->db, &v->earlier_outcome,
		    "SELECT coalesce(max(seq), 0) FROM outcomes WHERE "
		    "participant = (SELECT participant FROM outcomes WHERE "
		    "seq = ?1) AND occasion = (SELECT occasion FROM outcomes "
		    "WHERE seq = ?1) AND seq < ?1", err);
	return rc;
}

/* A new hire's allocation continues its team's block sequence. */
static int
verify_new_hire(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	struct sortes_jcs stratum;
	int rc;

	v->counts.cluster_allocations++;
	if (v->new_hire_kind.sizes == NULL)
		return verify_fail(v, seq, err, "a caseworker allocated at "
		    "registration in a trial without new hires");
	sortes_jcs_init(&stratum);
	rc = sortes_team_stratum(&stratum, verify_col(st, C_C_TEAM), err);
	if (rc == 0)
		rc = verify_step(v, &v->new_hire_kind, stratum.data, seq,
		    sqlite3_column_int64(st, C_CA_COUNTER),
		    sqlite3_column_int64(st, C_CA_POSITION), err);
	sortes_jcs_free(&stratum);
	return rc;
}

int
verify_caseworker(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int hired = sqlite3_column_type(st, C_CA_ARM) != SQLITE_NULL;
	struct sortes_caseworker_record r = {
		.seq = sqlite3_column_int64(st, C_SEQ),
		.caseworker = verify_col(st, C_C_CODE),
		.team = verify_col(st, C_C_TEAM),
		.covariates = verify_col(st, C_C_COVARIATES),
		.registered_at = verify_col(st, C_C_AT),
		.arm = hired ? verify_col(st, C_CA_ARM) : NULL,
		.counter = sqlite3_column_int64(st, C_CA_COUNTER),
		.position = sqlite3_column_int64(st, C_CA_POSITION),
	};
	int rc;

	v->counts.caseworker++;
	if (sqlite3_column_type(st, C_C_CODE) == SQLITE_NULL)
		return verify_fail(v, r.seq, err, "no caseworker row records "
		    "this registration");
	sortes_jcs_reset(&v->jcs);
	sortes_record_caseworker(&v->jcs, &r);
	if ((rc = verify_same(v, st, err, "caseworker tables do")) != 0)
		return rc;
	return hired ? verify_new_hire(v, st, err) : 0;
}

/*
 * Copy the row's caseworker and arm into *arm; -1 when out of
 * memory, with nothing of the row kept.
 */
static int
arm_copy(struct sortes_cluster_arm *arm, sqlite3_stmt *st)
{
	char *caseworker = strdup(verify_col(st, 0));
	char *code = strdup(verify_col(st, 1));

	if (caseworker == NULL || code == NULL) {
		free(caseworker);
		free(code);
		return -1;
	}
	arm->caseworker = caseworker;
	arm->arm = code;
	return 0;
}

/* The caseworkers this entry allocated, by code, from the tables. */
static int
randomized_arms(struct verify_state *v, int64_t seq,
    struct sortes_cluster_arm **out, size_t *n, struct sortes_error *err)
{
	sqlite3_stmt *st = v->randomized;
	size_t cap = 16;
	int rc = 0, step = SQLITE_DONE;

	*n = 0;
	*out = malloc(cap * sizeof(**out));
	sqlite3_bind_int64(st, 1, seq);
	while (*out != NULL && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct sortes_cluster_arm *grown = *out;

		if (*n == cap && (grown = realloc(*out, 2 * cap *
		    sizeof(**out))) == NULL)
			break;
		if (*n == cap)
			cap *= 2;
		*out = grown;
		if (arm_copy(&(*out)[*n], st) != 0)
			break;
		(*n)++;
	}
	if (*out == NULL || step == SQLITE_ROW)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(v->trial->db, "reading allocations", err);
	sqlite3_reset(st);
	return rc;
}

static void
arms_free(struct sortes_cluster_arm *arms, size_t n)
{
	for (size_t i = 0; arms != NULL && i < n; i++) {
		free((char *)arms[i].caseworker);
		free((char *)arms[i].arm);
	}
	free(arms);
}

int
verify_randomize(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	struct sortes_cluster_arm *arms = NULL;
	size_t n = 0;
	int rc;

	v->counts.randomize++;
	if (sqlite3_column_type(st, C_R_METHOD) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no randomization row records "
		    "this entry");
	rc = randomized_arms(v, seq, &arms, &n, err);
	if (rc == 0) {
		sortes_jcs_reset(&v->jcs);
		sortes_record_randomize(&v->jcs,
		    &(struct sortes_randomize_record){
		    .seq = seq, .method = verify_col(st, C_R_METHOD),
		    .beacon = sqlite3_column_type(st, C_R_BEACON) == SQLITE_NULL ?
		    NULL : verify_col(st, C_R_BEACON),
		    .report = verify_col(st, C_R_REPORT),
		    .randomized_at = verify_col(st, C_R_AT),
		    .arms = arms, .narms = n });
		rc = verify_same(v, st, err, "randomization and caseworker "
		    "allocation tables do");
	}
	v->counts.cluster_allocations += (int64_t)n;
	arms_free(arms, n);
	return rc;
}

int
verify_transfer(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	struct sortes_transfer_record r = {
		.seq = seq, .participant = verify_col(st, C_T_PARTICIPANT),
		.from = verify_col(st, C_T_FROM), .to = verify_col(st, C_T_TO),
		.cross_arm = sqlite3_column_type(st, C_T_CROSS) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(st, C_T_CROSS) != 0,
		.transferred_at = verify_col(st, C_T_AT),
	};

	v->counts.transfer++;
	if (sqlite3_column_type(st, C_T_FROM) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no transfer row records this "
		    "entry");
	sortes_jcs_reset(&v->jcs);
	sortes_record_transfer(&v->jcs, &r);
	return verify_same(v, st, err, "transfers table does");
}

int
verify_withdraw(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	struct sortes_withdraw_record r = {
		.seq = seq, .participant = verify_col(st, C_W_PARTICIPANT),
		.reason = verify_col(st, C_W_REASON),
		.withdrawn_at = verify_col(st, C_W_AT),
	};

	v->counts.withdraw++;
	if (sqlite3_column_type(st, C_W_REASON) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no withdrawal row records this "
		    "entry");
	sortes_jcs_reset(&v->jcs);
	sortes_record_withdraw(&v->jcs, &r);
	return verify_same(v, st, err, "withdrawals table does");
}

int
verify_inherited(struct verify_state *v, int64_t seq, const char *caseworker,
    const char *arm, int64_t counter, struct sortes_error *err)
{
	sqlite3_stmt *st = v->cluster;
	int rc = 0, step;

	sqlite3_bind_text(st, 1, caseworker, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		if (strcmp(verify_col(st, 0), arm) != 0)
			rc = verify_fail(v, seq, err, "the participant's arm is "
			    "not its caseworker's");
		else if (sqlite3_column_int64(st, 1) != counter ||
		    counter >= seq)
			rc = verify_fail(v, seq, err, "the participant names an "
			    "allocation of its caseworker that is not the one "
			    "made before it");
	} else if (step == SQLITE_DONE)
		rc = verify_fail(v, seq, err, "the participant's caseworker was "
		    "never allocated");
	else
		rc = sortes_db_fail(v->trial->db, "reading a caseworker", err);
	sqlite3_reset(st);
	return rc;
}

int
verify_freeze(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);

	v->counts.freeze++;
	if (sqlite3_column_type(st, C_S_SIGNER) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no seal row records this "
		    "freeze");
	sortes_jcs_reset(&v->jcs);
	sortes_record_freeze(&v->jcs, &(struct sortes_freeze_record){
	    .seq = seq, .note = verify_col(st, C_S_NOTE),
	    .sealed_at = verify_col(st, C_S_AT),
	    .signer = verify_col(st, C_S_SIGNER) });
	return verify_same(v, st, err, "seals table does");
}

int
verify_reveal(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	const char *seed = verify_col(st, C_RV_SEED);
	char commitment[SORTES_SHA256_HEX];
	uint8_t raw[32];
	int rc;

	v->counts.reveal++;
	if (sqlite3_column_type(st, C_RV_SEED) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no reveal row records this "
		    "entry");
	sortes_jcs_reset(&v->jcs);
	sortes_record_reveal(&v->jcs, &(struct sortes_reveal_record){
	    .seq = seq, .seed = seed, .revealed_at = verify_col(st, C_RV_AT) });
	if ((rc = verify_same(v, st, err, "reveals table does")) != 0)
		return rc;
	if (sortes_hex_decode(raw, sizeof(raw), seed) != 0 ||
	    sortes_key_commitment(commitment, raw, err) != 0 ||
	    strcmp(commitment, v->trial->seed_commitment) != 0)
		return verify_fail(v, seq, err, "the revealed seed does not "
		    "match the commitment made at init");
	return 0;
}

/* Table rows beyond those the log's entries account for. */
#define NTABLES 11

int
verify_event_counts(struct verify_state *v, struct sortes_error *err)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM caseworkers), "
	    "(SELECT count(*) FROM randomization), "
	    "(SELECT count(*) FROM caseworker_allocations), "
	    "(SELECT count(*) FROM transfers), "
	    "(SELECT count(*) FROM withdrawals), "
	    "(SELECT count(*) FROM seals), (SELECT count(*) FROM reveals), "
	    "(SELECT count(*) FROM outcomes), (SELECT count(*) FROM spends), "
	    "(SELECT count(*) FROM blindings), "
	    "(SELECT count(*) FROM unblindings)";
	const int64_t want[NTABLES] = { v->counts.caseworker,
	    v->counts.randomize, v->counts.cluster_allocations,
	    v->counts.transfer, v->counts.withdraw, v->counts.freeze,
	    v->counts.reveal, v->counts.outcome, v->counts.spend,
	    v->counts.blind, v->counts.unblind };
	static const char *const names[NTABLES] = { "caseworkers",
	    "randomization", "caseworker_allocations", "transfers",
	    "withdrawals", "seals", "reveals", "outcomes", "spends",
	    "blindings", "unblindings" };
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(v->trial->db, &st, sql, err);

	if (rc == 0 && sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(v->trial->db, "counting rows", err);
	for (int i = 0; rc == 0 && i < NTABLES; i++)
		if (sqlite3_column_int64(st, i) != want[i])
			rc = sortes_error_set(err, SORTES_EVERIFY, "table %s "
			    "holds %lld rows, but the log accounts for %lld",
			    names[i], (long long)sqlite3_column_int64(st, i),
			    (long long)want[i]);
	sqlite3_finalize(st);
	return rc;
}
