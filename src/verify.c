/*
 * verify.c - recomputing the chain and checking the tables against it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/date.h"
#include "sortes/protocol_json.h"
#include "sortes/record.h"
#include "sortes/verify.h"
#include "strmap.h"
#include "verify_int.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/*
 * Every log entry with whatever rows claim it, in log order, so that
 * one pass checks the chain and the tables.  Columns: the C_ enum.
 */
static const char verify_sql[] =
    "SELECT l.seq, l.kind, l.body, l.prev_hash, l.hash, "
    "p.id, p.pseudonym, p.caseworker, p.fields, p.stratum, p.enrolled_at, "
    "a.arm, a.method, a.counter, a.position, "
    "c.code, c.team, c.covariates, c.registered_at, "
    "ca.arm, ca.counter, ca.position, "
    "r.method, r.beacon, r.report, r.randomized_at, "
    "tp.id, t.from_caseworker, t.to_caseworker, t.cross_arm, "
    "t.transferred_at, wp.id, w.reason, w.withdrawn_at, "
    "s.note, s.sealed_at, s.signer, rv.seed, rv.revealed_at, "
    "o.occasion, o.status, o.measured_on, o.out_of_window, o.measures, "
    "o.reason, o.supersedes, o.recorded_at, op.id, "
    "sp.amount_minor, sp.category, sp.note, sp.spent_on, sp.recorded_at, "
    "spp.id, b.labels, b.commitment, b.blinded_at, u.blinding, u.mapping, "
    "u.nonce, u.unblinded_at "
    "FROM log l LEFT JOIN participants p ON p.seq = l.seq "
    "LEFT JOIN allocations a ON a.seq = l.seq "
    "LEFT JOIN caseworkers c ON c.seq = l.seq "
    "LEFT JOIN caseworker_allocations ca ON ca.caseworker = l.seq "
    "AND ca.seq = l.seq "
    "LEFT JOIN randomization r ON r.seq = l.seq "
    "LEFT JOIN transfers t ON t.seq = l.seq "
    "LEFT JOIN participants tp ON tp.seq = t.participant "
    "LEFT JOIN withdrawals w ON w.seq = l.seq "
    "LEFT JOIN participants wp ON wp.seq = w.participant "
    "LEFT JOIN seals s ON s.seq = l.seq "
    "LEFT JOIN reveals rv ON rv.seq = l.seq "
    "LEFT JOIN outcomes o ON o.seq = l.seq "
    "LEFT JOIN participants op ON op.seq = o.participant "
    "LEFT JOIN spends sp ON sp.seq = l.seq "
    "LEFT JOIN participants spp ON spp.seq = sp.participant "
    "LEFT JOIN blindings b ON b.seq = l.seq "
    "LEFT JOIN unblindings u ON u.seq = l.seq "
    "ORDER BY l.seq";

const char *
verify_col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

int
verify_fail(struct verify_state *v, int64_t seq, struct sortes_error *err,
    const char *what)
{
	v->report->bad_seq = seq;
	return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: %s",
	    (long long)seq, what);
}

static int
verify_link(struct verify_state *v, sqlite3_stmt *st, struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, 0);
	const void *body = sqlite3_column_blob(st, 2);
	size_t len = (size_t)sqlite3_column_bytes(st, 2);
	uint8_t hash[SORTES_SHA256_LEN];
	char hash_hex[SORTES_SHA256_HEX];
	int rc;

	if (seq != v->report->entries + 1)
		return verify_fail(v, v->report->entries + 1, err, "missing: the log "
		    "skips from this entry to a later one");
	if (strcmp(verify_col(st, 3), v->prev_hex) != 0)
		return verify_fail(v, seq, err, "previous-hash field does not match "
		    "the hash of the entry before it");
	rc = sortes_hasher_two(v->hasher, hash, v->prev, sizeof(v->prev),
	    body != NULL ? body : "", len, err);
	if (rc != 0)
		return rc;
	/* Compared as text: encoding is cheaper than decoding, and a
	 * stored hash in upper case or of the wrong length must fail. */
	sortes_hex_encode(hash_hex, hash, sizeof(hash));
	if (strcmp(verify_col(st, 4), hash_hex) != 0)
		return verify_fail(v, seq, err, "hash does not match its content");
	memcpy(v->prev, hash, sizeof(hash));
	memcpy(v->prev_hex, hash_hex, sizeof(hash_hex));
	v->report->entries = seq;
	return 0;
}

/*
 * From log format 2 on, the trial stores the protocol's canonical JSON
 * and the genesis entry commits to it: it must be exactly what the
 * stored protocol file reads as, or an auditor replaying from the JSON
 * would replay another protocol.  A format-1 trial stores none.
 */
static int
verify_protocol_json(struct verify_state *v, struct sortes_error *err)
{
	struct sortes_trial *t = v->trial;
	int rc;

	if (t->log_format < 2) {
		if (t->protocol_json != NULL)
			return verify_fail(v, 1, err, "table trial holds a "
			    "protocol JSON form, which a trial of log format 1 "
			    "does not have");
		return 0;
	}
	if (t->protocol_json == NULL)
		return verify_fail(v, 1, err, "table trial lacks the protocol's "
		    "JSON form that the genesis entry commits to");
	rc = sortes_protocol_json(&v->jcs, t->protocol, t->log_format, err);
	if (rc != 0)
		return rc;
	if (strcmp(v->jcs.data, t->protocol_json) != 0)
		return verify_fail(v, 1, err, "the stored protocol's JSON form "
		    "is not what its protocol file reads as");
	return 0;
}

static int
verify_genesis(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	struct sortes_trial *t = v->trial;
	struct sortes_genesis_record g = {
		.seq = 1, .log_format = t->log_format, .trial = t->trial_id,
		.protocol_sha256 = t->protocol_sha256,
		.protocol_json_sha256 = t->protocol_json_sha256,
		.commitment = t->seed_commitment, .created_at = t->created_at,
	};
	int rc;

	if (t->log_format < 1 || t->log_format > SORTES_LOG_FORMAT)
		return verify_fail(v, 1, err, "genesis entry names no log "
		    "format this sortes knows");
	if ((rc = verify_protocol_json(v, err)) != 0)
		return rc;
	sortes_jcs_reset(&v->jcs);
	sortes_record_genesis(&v->jcs, &g);
	if ((rc = sortes_jcs_finish(&v->jcs, err)) != 0)
		return rc;
	if (strcmp(verify_col(st, 1), "genesis") != 0 ||
	    strcmp(verify_col(st, 2), v->jcs.data) != 0)
		return verify_fail(v, 1, err, "genesis entry does not match the "
		    "trial's protocol hashes, seed commitment or creation time");
	return 0;
}

/*
 * Allocation counters must advance as the method makes them: without
 * the seed this still catches an allocation removed and drawn again,
 * or a block left short.  'struct sequence' is a stratum's last
 * allocation, kept in a map while the log is scanned.
 */
struct sequence {
	const struct seqkind *kind;
	int64_t counter, position;	/* -1 before the first allocation */
	int64_t seq;
};

static int
block_size_declared(const struct seqkind *k, int64_t size)
{
	for (size_t i = 0; i < k->nsizes; i++)
		if (k->sizes[i] == size)
			return 1;
	return 0;
}

/*
 * Does (counter, position) follow 'last'?  Without the seed a block's
 * size is unknown until the next block starts; it must then be one of
 * the declared sizes.
 */
static int
sequence_follows(const struct seqkind *k, const struct sequence *last,
    int64_t counter, int64_t position)
{
	if (k->sizes == NULL)
		return position < 0 && counter == last->counter + 1;
	if (last->counter < 0)
		return counter == 0 && position == 0;
	if (counter == last->counter && position == last->position + 1)
		return 1;
	return counter == last->counter + 1 && position == 0 &&
	    block_size_declared(k, last->position + 1);
}

/* Does the stored state (counter, position) continue from 'last'? */
static int
state_continues(const struct sequence *last, int64_t counter,
    int64_t position)
{
	if (last->kind->sizes == NULL)
		return counter == last->counter + 1 && position == 0;
	if (counter == last->counter)
		return position == last->position + 1;
	return position == 0 && sequence_follows(last->kind, last, counter, 0);
}

/* The map key of a sequence: purpose, '|', stratum. */
static char *
sequence_key(const char *purpose, const char *stratum)
{
	size_t plen = strlen(purpose), slen = strlen(stratum);
	char *key = malloc(plen + slen + 2);

	if (key != NULL) {
		memcpy(key, purpose, plen);
		key[plen] = '|';
		memcpy(key + plen + 1, stratum, slen + 1);
	}
	return key;
}

int
verify_step(struct verify_state *v, const struct seqkind *k,
    const char *stratum, int64_t seq, int64_t counter, int64_t position,
    struct sortes_error *err)
{
	char *key = sequence_key(k->purpose, stratum);
	struct sequence *last;
	int added;

	if (key == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	last = sortes_strmap_put(v->strata, key, &added, NULL);
	free(key);
	if (last == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (added)
		*last = (struct sequence){ k, -1, -1, 0 };
	if (!sequence_follows(k, last, counter, position))
		return verify_fail(v, seq, err, "allocation out of sequence in its "
		    "stratum: an allocation before it is missing or was drawn "
		    "again");
	*last = (struct sequence){ k, counter, position, seq };
	return 0;
}


static int
verify_state_row(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	char *key = sequence_key(verify_col(st, 0), verify_col(st, 1));
	const struct sequence *last;
	int rc = 0;

	if (key == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	last = sortes_strmap_get(v->strata, key);
	free(key);
	if (last == NULL)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the allocation "
		    "state names stratum %s (%s), in which the log records no "
		    "allocation", verify_col(st, 1), verify_col(st, 0));
	else if (!state_continues(last, sqlite3_column_int64(st, 2),
	    sqlite3_column_int64(st, 3)))
		rc = verify_fail(v, last->seq, err, "the stored allocation state of "
		    "this entry's stratum does not continue from it");
	return rc;
}

/* Every sequence's stored state, against its last allocation. */
static int
verify_states(struct verify_state *v, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	size_t rows = 0;
	int rc, step;

	rc = sortes_db_prepare(v->trial->db, &st, "SELECT purpose, stratum, "
	    "counter, position FROM alloc_state", err);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rows++;
		rc = verify_state_row(v, st, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(v->trial->db, "reading allocation state",
		    err);
	if (rc == 0 && rows != sortes_strmap_count(v->strata))
		rc = sortes_error_set(err, SORTES_EVERIFY, "the allocation "
		    "state lacks a stratum in which the log records "
		    "allocations");
	sqlite3_finalize(st);
	return rc;
}

int
verify_same(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err, const char *subject)
{
	char what[160];
	int rc = sortes_jcs_finish(&v->jcs, err);

	if (rc == SORTES_EDATA || (rc == 0 &&
	    strcmp(verify_col(st, C_BODY), v->jcs.data) != 0)) {
		snprintf(what, sizeof(what), "the %s not agree with this "
		    "entry", subject);
		return verify_fail(v, sqlite3_column_int64(st, C_SEQ), err,
		    what);
	}
	return rc;
}

/* The participant's allocation: its method's sequence, or inherited. */
static int
verify_allocation(struct verify_state *v, const struct sortes_enroll_record *r,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = v->trial->protocol;

	if (p->unit == SORTES_UNIT_CASEWORKER) {
		if (strcmp(r->method, "caseworker") != 0 || r->position >= 0)
			return verify_fail(v, r->seq, err, "a caseworker-level "
			    "participant not allocated by its caseworker");
		return verify_inherited(v, r->seq, r->caseworker, r->arm,
		    r->counter, err);
	}
	if (strcmp(r->method, sortes_method_name(p->method)) != 0)
		return verify_fail(v, r->seq, err, "allocated by a method the "
		    "protocol does not name");
	/* Minimization draws from one sequence, whatever the levels. */
	return verify_step(v, &v->participant_kind,
	    p->method == SORTES_METHOD_MINIMIZATION ? "{}" : r->stratum,
	    r->seq, r->counter, r->position, err);
}

static int
verify_enroll(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	struct sortes_enroll_record r;
	int rc;

	v->counts.enroll++;
	if (sqlite3_column_type(st, C_P_ID) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no participant row records "
		    "this enrollment");
	if (sqlite3_column_type(st, C_A_ARM) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no allocation row records "
		    "this enrollment");
	r = (struct sortes_enroll_record){
		.seq = seq, .participant = verify_col(st, C_P_ID),
		.pseudonym = verify_col(st, C_P_PSEUDONYM),
		.caseworker = verify_col(st, C_P_CASEWORKER),
		.fields = verify_col(st, C_P_FIELDS),
		.stratum = verify_col(st, C_P_STRATUM),
		.enrolled_at = verify_col(st, C_P_AT),
		.arm = verify_col(st, C_A_ARM),
		.method = verify_col(st, C_A_METHOD),
		.counter = sqlite3_column_int64(st, C_A_COUNTER),
		.position = sqlite3_column_type(st, C_A_POSITION) ==
		    SQLITE_NULL ? -1 : sqlite3_column_int64(st, C_A_POSITION),
	};
	sortes_jcs_reset(&v->jcs);
	sortes_record_enroll(&v->jcs, &r);
	if ((rc = verify_same(v, st, err, "participant and allocation "
	    "tables do")) != 0)
		return rc;
	v->report->participants++;
	return verify_allocation(v, &r, err);
}

/* Which table's row (column) may claim an entry of each kind. */
static const struct {
	const char *kind;
	int column;
	const char *table;
} claims[] = {
	{ "enroll", C_P_ID, "participant" },
	{ "enroll", C_A_ARM, "allocation" },
	{ "caseworker", C_C_CODE, "caseworker" },
	{ "randomize", C_R_METHOD, "randomization" },
	{ "transfer", C_T_FROM, "transfer" },
	{ "withdraw", C_W_REASON, "withdrawal" },
	{ "freeze", C_S_SIGNER, "seal" },
	{ "reveal", C_RV_SEED, "reveal" },
	{ "measure", C_O_STATUS, "outcome" },
	{ "missed", C_O_STATUS, "outcome" },
	{ "spend", C_SP_AMOUNT, "spend" },
	{ "blind", C_B_COMMITMENT, "blinding" },
	{ "unblind", C_U_MAPPING, "unblinding" },
};

/* Whether an entry of 'kind' may be claimed by a row of 'column'. */
static int
may_claim(int column, const char *kind)
{
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++)
		if (claims[i].column == column &&
		    strcmp(claims[i].kind, kind) == 0)
			return 1;
	return 0;
}

/* No row of another kind may claim this entry. */
static int
verify_claims(struct verify_state *v, sqlite3_stmt *st, const char *kind,
    struct sortes_error *err)
{
	char what[128];

	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		if (may_claim(claims[i].column, kind) ||
		    sqlite3_column_type(st, claims[i].column) == SQLITE_NULL)
			continue;
		snprintf(what, sizeof(what), "a %s row claims this entry, "
		    "which is not of its kind", claims[i].table);
		return verify_fail(v, sqlite3_column_int64(st, C_SEQ), err,
		    what);
	}
	return 0;
}

/*
 * Each kind after the genesis: its check, and the column of its table
 * that holds its time (the check has found the table byte for byte
 * what the entry says, so the column is the entry's time).
 */
static const struct {
	const char *kind;
	int (*check)(struct verify_state *, sqlite3_stmt *,
	    struct sortes_error *);
	int at;
} kinds[] = {
	{ "enroll", verify_enroll, C_P_AT },
	{ "caseworker", verify_caseworker, C_C_AT },
	{ "randomize", verify_randomize, C_R_AT },
	{ "transfer", verify_transfer, C_T_AT },
	{ "withdraw", verify_withdraw, C_W_AT },
	{ "freeze", verify_freeze, C_S_AT },
	{ "reveal", verify_reveal, C_RV_AT },
	{ "measure", verify_outcome, C_O_AT },
	{ "missed", verify_outcome, C_O_AT },
	{ "spend", verify_spend, C_SP_AT },
	{ "blind", verify_blind, C_B_AT },
	{ "unblind", verify_unblind, C_U_AT },
};

/*
 * An entry is dated no earlier than the one before it.  A run of
 * entries made by one command mostly shares its time, which is then
 * checked once.
 */
static int
verify_time(struct verify_state *v, int64_t seq, const char *at,
    struct sortes_error *err)
{
	int order = strcmp(at, v->prev_at);
	char what[128];

	if (order == 0 && v->prev_at[0] != '\0')
		return 0;
	if (!sortes_time_valid(at))
		return verify_fail(v, seq, err, "its time is not a UTC time "
		    "YYYY-MM-DDTHH:MM:SSZ");
	if (order < 0) {
		snprintf(what, sizeof(what), "dated %s, before entry %lld (%s)",
		    at, (long long)seq - 1, v->prev_at);
		return verify_fail(v, seq, err, what);
	}
	memcpy(v->prev_at, at, sizeof(v->prev_at));
	return 0;
}

static int
verify_entry(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	const char *kind = seq == 1 ? "genesis" : verify_col(st, C_KIND);
	size_t i;
	int rc;

	if ((rc = verify_link(v, st, err)) != 0 ||
	    (rc = verify_claims(v, st, kind, err)) != 0)
		return rc;
	if (seq == 1) {
		if ((rc = verify_genesis(v, st, err)) != 0)
			return rc;
		return verify_time(v, seq, v->trial->created_at, err);
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kind, kinds[i].kind) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return verify_fail(v, seq, err, "unexpected entry kind");
	if ((rc = kinds[i].check(v, st, err)) != 0)
		return rc;
	return verify_time(v, seq, verify_col(st, kinds[i].at), err);
}

/* Rows that no enrollment entry accounts for. */
static int
verify_counts(struct verify_state *v, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sortes_db_prepare(v->trial->db, &st, "SELECT "
	    "(SELECT count(*) FROM participants), "
	    "(SELECT count(*) FROM allocations)", err);
	if (rc != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW)
		rc = sortes_db_fail(v->trial->db, "counting rows", err);
	else if (sqlite3_column_int64(st, 0) != v->counts.enroll ||
	    sqlite3_column_int64(st, 1) != v->counts.enroll)
		rc = sortes_error_set(err, SORTES_EVERIFY, "the tables hold "
		    "%lld participants and %lld allocations, but the log "
		    "records %lld enrollments",
		    (long long)sqlite3_column_int64(st, 0),
		    (long long)sqlite3_column_int64(st, 1),
		    (long long)v->counts.enroll);
	sqlite3_finalize(st);
	return rc;
}

static int
verify_scan(struct verify_state *v, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = sortes_db_prepare(v->trial->db, &st, verify_sql, err)) != 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = verify_entry(v, st, err)) != 0)
			break;
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(v->trial->db, "reading the log", err);
	sqlite3_finalize(st);
	if (rc == 0 && v->report->entries == 0)
		rc = verify_fail(v, 1, err, "missing: the log is empty");
	return rc;
}

static void
verify_kinds(struct verify_state *v)
{
	const struct sortes_protocol *p = v->trial->protocol;
	int blocked = p->method == SORTES_METHOD_BLOCKS ||
	    p->method == SORTES_METHOD_STRATIFIED_BLOCKS;

	v->participant_kind = (struct seqkind){
		blocked ? "block" : p->method == SORTES_METHOD_MINIMIZATION ?
		    "minimization" : "simple",
		blocked ? p->block_sizes : NULL, blocked ? p->nblock_sizes : 0,
	};
	if (p->new_hires != NULL)
		v->new_hire_kind = (struct seqkind){ "new_hire",
		    p->new_hires->block_sizes, p->new_hires->nblock_sizes };
}

int
sortes_verify(struct sortes_trial *t, sortes_local_day_fn local_day,
    struct sortes_verify_report *report, struct sortes_error *err)
{
	struct verify_state v = { .trial = t, .local_day = local_day,
	    .report = report };
	int rc;

	memset(report, 0, sizeof(*report));
	strcpy(report->head, ZERO_HASH);
	strcpy(v.prev_hex, ZERO_HASH);
	sortes_jcs_init(&v.jcs);
	verify_kinds(&v);
	if ((v.strata = sortes_strmap_new(sizeof(struct sequence))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	/* One read transaction, so that the chain and the tables are seen
	 * at the same moment even while another process enrolls. */
	rc = sortes_db_exec(t->db, "BEGIN", err);
	if (rc == 0)
		rc = sortes_hasher_new(&v.hasher, err);
	if (rc == 0)
		rc = verify_events_prepare(&v, err);
	if (rc == 0)
		rc = verify_scan(&v, err);
	if (rc == 0)
		rc = verify_counts(&v, err);
	if (rc == 0)
		rc = verify_event_counts(&v, err);
	if (rc == 0)
		rc = verify_states(&v, err);
	if (rc == 0)
		rc = verify_followups(&v, err);
	memcpy(report->head, v.prev_hex, sizeof(v.prev_hex));
	sortes_db_rollback(t->db);
	sortes_hasher_free(v.hasher);
	sqlite3_finalize(v.randomized);
	sqlite3_finalize(v.cluster);
	sqlite3_finalize(v.earlier_outcome);
	sortes_jcs_free(&v.jcs);
	sortes_strmap_free(v.strata, NULL);
	return rc;
}
