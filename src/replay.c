/*
 * replay.c - re-deriving allocations from the seed and comparing them
 * with the log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/blind.h"
#include "sortes/caseworker.h"
#include "sortes/randomize.h"
#include "sortes/replay.h"
#include "minimize.h"
#include "strata.h"
#include "strmap.h"

/* Every allocating entry with what it recorded, in log order. */
static const char replay_sql[] =
    "SELECT l.seq, l.kind, p.stratum, a.arm, a.counter, a.position, "
    "p.caseworker, c.team, ca.arm, ca.counter, ca.position, r.beacon "
    "FROM log l LEFT JOIN participants p ON p.seq = l.seq "
    "LEFT JOIN allocations a ON a.seq = l.seq "
    "LEFT JOIN caseworkers c ON c.seq = l.seq "
    "LEFT JOIN caseworker_allocations ca ON ca.caseworker = l.seq "
    "AND ca.seq = l.seq LEFT JOIN randomization r ON r.seq = l.seq "
    "WHERE l.kind IN ('enroll', 'caseworker', 'randomize') ORDER BY l.seq";

enum { R_SEQ, R_KIND, R_STRATUM, R_ARM, R_COUNTER, R_POSITION, R_CASEWORKER,
    R_TEAM, R_CA_ARM, R_CA_COUNTER, R_CA_POSITION, R_BEACON };

struct replayer {
	struct sortes_trial *trial;
	const uint8_t *seed;
	struct sortes_db *scratch;
	struct sortes_allocator *alloc;
	struct sortes_minimizer *minimizer;
	struct sortes_strmap *arms;	/* caseworker code -> size_t arm */
	struct sortes_jcs stratum;
	struct sortes_replay_report *report;
};

static const char *
col(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s != NULL ? s : "";
}

static int
mismatch(struct replayer *r, int64_t seq, const char *what,
    struct sortes_error *err)
{
	r->report->bad_seq = seq;
	return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: replay "
	    "from the seed gives %s", (long long)seq, what);
}

/* Does the recorded allocation equal the re-derived one? */
static int
same(const struct sortes_protocol *p, const char *arm, int64_t counter,
    int64_t position, const struct sortes_allocation *a)
{
	return strcmp(arm, p->arms[a->arm].code) == 0 &&
	    counter == a->counter && position == a->position;
}

static int
remember(struct replayer *r, const char *code, size_t arm,
    struct sortes_error *err)
{
	int added;
	size_t *slot = sortes_strmap_put(r->arms, code, &added, NULL);

	if (slot == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	*slot = arm;
	return 0;
}

static int
replay_enroll(struct replayer *r, sqlite3_stmt *st, struct sortes_error *err)
{
	const struct sortes_protocol *p = r->trial->protocol;
	int64_t seq = sqlite3_column_int64(st, R_SEQ);
	int64_t position = sqlite3_column_type(st, R_POSITION) == SQLITE_NULL ?
	    -1 : sqlite3_column_int64(st, R_POSITION);
	struct sortes_allocation a;
	const size_t *arm;
	int rc;

	r->report->allocations++;
	if (p->unit == SORTES_UNIT_CASEWORKER) {
		arm = sortes_strmap_get(r->arms, col(st, R_CASEWORKER));
		if (arm == NULL || strcmp(p->arms[*arm].code, col(st, R_ARM)))
			return mismatch(r, seq, "another arm for this "
			    "participant's caseworker", err);
		return 0;
	}
	if (r->minimizer != NULL)
		rc = sortes_minimizer_next(r->minimizer, col(st, R_STRATUM), &a,
		    err);
	else
		rc = sortes_allocator_next(r->alloc, col(st, R_STRATUM), &a, err);
	if (rc == 0 && !same(p, col(st, R_ARM), sqlite3_column_int64(st,
	    R_COUNTER), position, &a))
		return mismatch(r, seq, "another allocation for this "
		    "participant", err);
	return rc;
}

/*
 * The code of the caseworker that entry 'seq' registered: a new hire
 * is remembered by it, which is what its participants name.
 */
static int
registered_code(struct replayer *r, int64_t seq,
    char code[SORTES_CASEWORKER_MAX + 1], struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	code[0] = '\0';
	rc = sortes_db_prepare(r->trial->db, &st, "SELECT code FROM "
	    "caseworkers WHERE seq = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(code, SORTES_CASEWORKER_MAX + 1, "%s", col(st, 0));
	else if (step == SQLITE_DONE)
		rc = mismatch(r, seq, "a new hire that no caseworker row holds",
		    err);
	else
		rc = sortes_db_fail(r->trial->db, "reading a caseworker", err);
	sqlite3_finalize(st);
	return rc;
}

static int
replay_caseworker(struct replayer *r, sqlite3_stmt *st,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = r->trial->protocol;
	int64_t seq = sqlite3_column_int64(st, R_SEQ);
	char code[SORTES_CASEWORKER_MAX + 1];
	struct sortes_allocation a;
	int rc;

	if (sqlite3_column_type(st, R_CA_ARM) == SQLITE_NULL)
		return 0;
	r->report->allocations++;
	rc = sortes_team_stratum(&r->stratum, col(st, R_TEAM), err);
	if (rc == 0)
		rc = sortes_allocator_new_hire(r->alloc, r->stratum.data, &a,
		    err);
	if (rc == 0 && !same(p, col(st, R_CA_ARM), sqlite3_column_int64(st,
	    R_CA_COUNTER), sqlite3_column_int64(st, R_CA_POSITION), &a))
		return mismatch(r, seq, "another allocation for this new hire",
		    err);
	if (rc == 0)
		rc = registered_code(r, seq, code, err);
	return rc == 0 ? remember(r, code, a.arm, err) : rc;
}

/* The arm recorded for caseworker 'code' by entry 'seq'. */
static int
recorded_arm(struct replayer *r, int64_t seq, const char *code, char *arm,
    size_t size, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	arm[0] = '\0';
	rc = sortes_db_prepare(r->trial->db, &st, "SELECT ca.arm FROM "
	    "caseworker_allocations ca JOIN caseworkers c ON c.seq = "
	    "ca.caseworker WHERE ca.seq = ? AND c.code = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(arm, size, "%s", col(st, 0));
	sqlite3_finalize(st);
	return 0;
}

/* The report logged by randomize entry 'seq' ("" if none); caller
 * frees. */
static int
recorded_report(struct replayer *r, int64_t seq, char **out,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	rc = sortes_db_prepare(r->trial->db, &st, "SELECT report FROM "
	    "randomization WHERE seq = ?", err);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	*out = strdup(sqlite3_step(st) == SQLITE_ROW ? col(st, 0) : "");
	sqlite3_finalize(st);
	return *out == NULL ? sortes_error_set(err, SORTES_ENOMEM,
	    "out of memory") : 0;
}

/* The text of the value of 'key' in a flat JSON object, or NULL. */
static const char *
report_value(const char *json, const char *key, size_t keylen,
    size_t *len)
{
	char needle[64];
	const char *at;

	if (keylen > sizeof(needle) - 4)
		return NULL;
	snprintf(needle, sizeof(needle), "\"%.*s\":", (int)keylen, key);
	if ((at = strstr(json, needle)) == NULL)
		return NULL;
	at += keylen + 3;
	*len = strcspn(at, ",}");
	return at;
}

/*
 * The logged report differs from the recomputed one ('want', a flat
 * object of integers and booleans): name the first value that
 * differs, or the whole report when every value agrees but the text
 * does not (another key, another spelling).
 */
static int
report_mismatch(struct replayer *r, int64_t seq, const char *want,
    const char *logged, struct sortes_error *err)
{
	const char *key, *v, *lv;
	size_t klen, vlen, lvlen = 0;
	char what[256];

	for (key = strchr(want, '"'); key != NULL;
	    key = strchr(v + vlen, '"')) {
		klen = strcspn(key + 1, "\"");
		v = key + 1 + klen + 2;
		vlen = strcspn(v, ",}");
		lv = report_value(logged, key + 1, klen, &lvlen);
		if (lv != NULL && lvlen == vlen && strncmp(lv, v, vlen) == 0)
			continue;
		snprintf(what, sizeof(what), "another report value '%.*s': "
		    "%.*s, logged %.*s", (int)klen, key + 1, (int)vlen, v,
		    lv != NULL ? (int)(lvlen > 32 ? 32 : lvlen) : 4,
		    lv != NULL ? lv : "none");
		return mismatch(r, seq, what, err);
	}
	snprintf(what, sizeof(what), "another report: %s, logged %.100s",
	    want, logged);
	return mismatch(r, seq, what, err);
}

/* Every value of the report logged by entry 'seq' must be the one
 * that replay computes ('want'). */
static int
replay_report(struct replayer *r, int64_t seq, const char *want,
    struct sortes_error *err)
{
	char *logged;
	int rc = recorded_report(r, seq, &logged, err);

	if (rc == 0 && strcmp(logged, want) != 0)
		rc = report_mismatch(r, seq, want, logged, err);
	free(logged);
	return rc;
}

static int
replay_randomize(struct replayer *r, sqlite3_stmt *st,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = r->trial->protocol;
	int64_t seq = sqlite3_column_int64(st, R_SEQ);
	struct sortes_randomize_result res;
	char arm[64];
	int rc;

	rc = sortes_randomize_replay(r->trial, r->seed,
	    sqlite3_column_type(st, R_BEACON) == SQLITE_NULL ? NULL :
	    col(st, R_BEACON), seq, &res, err);
	for (size_t i = 0; rc == 0 && i < res.ncaseworkers; i++) {
		r->report->allocations++;
		rc = recorded_arm(r, seq, res.codes[i], arm, sizeof(arm), err);
		if (rc == 0 && strcmp(arm, p->arms[res.arms[i]].code) != 0)
			rc = mismatch(r, seq, "another arm for a caseworker",
			    err);
		if (rc == 0)
			rc = remember(r, res.codes[i], res.arms[i], err);
	}
	if (rc == 0)
		rc = replay_report(r, seq, res.report.data, err);
	sortes_randomize_result_free(&res);
	return rc;
}

static int
replay_scan(struct replayer *r, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	if ((rc = sortes_db_prepare(r->trial->db, &st, replay_sql, err)) != 0)
		return rc;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = col(st, R_KIND);

		if (strcmp(kind, "enroll") == 0)
			rc = replay_enroll(r, st, err);
		else if (strcmp(kind, "caseworker") == 0)
			rc = replay_caseworker(r, st, err);
		else
			rc = replay_randomize(r, st, err);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sortes_db_fail(r->trial->db, "reading the log", err);
	sqlite3_finalize(st);
	return rc;
}

static int
replay_setup(struct replayer *r, struct sortes_error *err)
{
	const struct sortes_protocol *p = r->trial->protocol;
	int rc;

	if ((r->arms = sortes_strmap_new(sizeof(size_t))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_db_open(&r->scratch, "", SORTES_DB_SCRATCH, err);
	if (rc == 0)
		rc = sortes_db_begin(r->scratch, err);
	if (rc == 0)
		rc = sortes_allocator_new(&r->alloc, r->scratch, p, r->seed, err);
	if (rc == 0 && p->method == SORTES_METHOD_MINIMIZATION)
		rc = sortes_minimizer_new(&r->minimizer, r->scratch, p,
		    r->alloc, err);
	return rc;
}

int
sortes_replay(struct sortes_trial *t, const uint8_t seed[32],
    struct sortes_replay_report *out, struct sortes_error *err)
{
	struct replayer r = { .trial = t, .seed = seed, .report = out };
	int rc;

	memset(out, 0, sizeof(*out));
	sortes_jcs_init(&r.stratum);
	rc = replay_setup(&r, err);
	if (rc == 0)
		rc = sortes_db_exec(t->db, "BEGIN", err);
	if (rc == 0) {
		rc = replay_scan(&r, err);
		if (rc == 0)
			rc = sortes_blind_replay(t, seed, &out->bad_seq, err);
		sortes_db_rollback(t->db);
	}
	sortes_minimizer_free(r.minimizer);
	sortes_allocator_free(r.alloc);
	sortes_db_close(r.scratch);
	sortes_strmap_free(r.arms, NULL);
	sortes_jcs_free(&r.stratum);
	return rc;
}

int
sortes_replay_revealed_seed(struct sortes_trial *t, uint8_t seed[32],
    int *found, struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*found = 0;
	rc = sortes_db_prepare(t->db, &st, "SELECT seed FROM reveals", err);
	if (rc == 0 && sqlite3_step(st) == SQLITE_ROW &&
	    sortes_hex_decode(seed, 32, col(st, 0)) == 0)
		*found = 1;
	sqlite3_finalize(st);
	return rc;
}
