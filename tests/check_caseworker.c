/*
 * check_caseworker.c - caseworker-level trials: registering caseworkers,
 * randomizing them (complete and stratified), new hires, participants
 * inheriting their caseworker's arm, transfers and withdrawals
 * (intention to treat), and verify catching tampered tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/caseworker.h"
#include "sortes/date.h"
#include "sortes/enroll.h"
#include "sortes/lifecycle.h"
#include "sortes/pcg32.h"
#include "sortes/randomize.h"
#include "sortes/replay.h"
#include "sortes/seal.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

Suite *suite_caseworker(void);

/*
 * A small caseworker-level protocol: arms I and C with ratios ri:rc,
 * two caseworker covariates, participant fields with eligibility, and
 * 'extra' lines for the randomization section (new_hires, beacon).
 */
#define CW_PROTOCOL(method, ri, rc, extra) \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: cwtrial\n" \
	"  title: Caseworker trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 20\n" \
	"arms:\n" \
	"  - {code: I, name: Intervention, ratio: " ri "}\n" \
	"  - {code: C, name: Control, ratio: " rc "}\n" \
	"caseworkers:\n" \
	"  covariates:\n" \
	"    - {name: caseload, type: integer, min: 0, max: 200, required: true}\n" \
	"    - {name: office, type: enum, values: [midt, nord, syd, vest]}\n" \
	"randomization:\n" \
	"  unit: caseworker\n" \
	"  method: " method "\n" \
	extra \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}\n" \
	"eligibility:\n" \
	"  - {name: age 18-30, age_of: birth_date, min: 18, max: 30}\n" \
	"  - {name: on education benefit, field: benefit, equals: uddannelseshjaelp}\n"

#define NH2 "  new_hires:\n    block_sizes: [2]\n"
#define NH3 "  new_hires:\n    block_sizes: [3]\n"
#define BEACON "  beacon:\n    source: Test beacon\n    round: 42\n"

#define CW_COMPLETE CW_PROTOCOL("complete", "1", "1", NH2)
#define CW_COMPLETE_21 CW_PROTOCOL("complete", "2", "1", NH3)
#define CW_STRATIFIED CW_PROTOCOL("stratified", "1", "1", NH2)
#define CW_BEACON CW_PROTOCOL("complete", "1", "1", NH2 BEACON)

#define CW_CONSTRAINED(coding) CW_PROTOCOL("constrained", "1", "1", \
	"  constrained:\n    covariates: [caseload, office]\n" \
	"    keep: 0.25\n" coding NH2)

#define NOW "2026-01-15T10:00:00Z"
#define BEACON_A "00112233445566778899aabbccddeeff"

/* --- helpers ---------------------------------------------------------- */

static long
count_rows(struct sortes_trial *t, const char *table)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	struct sortes_error err = { 0 };
	long n;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, sql, &err), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* One text value of a query (test fails without a row); caller frees. */
static char *
query_text(struct sortes_trial *t, const char *sql)
{
	sqlite3_stmt *st = NULL;
	struct sortes_error err = { 0 };
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

static int64_t
query_int(struct sortes_trial *t, const char *sql)
{
	char *s = query_text(t, sql);
	int64_t v = strtoll(s, NULL, 10);

	free(s);
	return v;
}

static void
exec_sql(struct sortes_trial *t, const char *sql)
{
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_db_exec(t->db, sql, &err) == 0, "%s: %s", sql,
	    err.msg);
}

/* The arm of caseworker 'code' ("" when unallocated); caller frees. */
static char *
cw_arm(struct sortes_trial *t, const char *code)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT coalesce(ca.arm, '') FROM "
	    "caseworkers c LEFT JOIN caseworker_allocations ca ON "
	    "ca.caseworker = c.seq WHERE c.code = '%s'", code);
	return query_text(t, sql);
}

/*
 * Register one caseworker in its own transaction.  'caseload' and
 * 'office' may be NULL (left out).
 */
static int
cw_add_full(struct sortes_trial *t, const char *code, const char *team,
    const char *caseload, const char *office,
    struct sortes_caseworker_result *res, struct sortes_error *err)
{
	const char *names[2], *values[2];
	size_t n = 0;
	struct sortes_caseworker_input in = {
		.code = code, .team = team, .names = names, .values = values,
		.registered_at = NOW,
	};
	struct sortes_registrar *r = NULL;
	struct sortes_caseworker_result dummy;
	int rc;

	if (caseload != NULL) {
		names[n] = "caseload";
		values[n++] = caseload;
	}
	if (office != NULL) {
		names[n] = "office";
		values[n++] = office;
	}
	in.ncovariates = n;
	rc = sortes_registrar_new(&r, t, err);
	if (rc == 0)
		rc = sortes_registrar_add(r, &in, res ? res : &dummy, err);
	if (rc == 0)
		rc = sortes_registrar_commit(r, err);
	sortes_registrar_free(r);
	return rc;
}

static void
cw_add_ok(struct sortes_trial *t, const char *code, const char *team)
{
	struct sortes_error err = { 0 };
	int rc = cw_add_full(t, code, team, "20", "midt", NULL, &err);

	ck_assert_msg(rc == 0, "add %s: %s", code, err.msg);
}

/* Register n caseworkers CW01.. in team 'team' (one transaction). */
static void
cw_add_many(struct sortes_trial *t, const char *prefix, int n,
    const char *team)
{
	const char *names[] = { "caseload", "office" };
	const char *values[] = { "35", "nord" };
	struct sortes_registrar *r = NULL;
	struct sortes_caseworker_result res;
	struct sortes_error err = { 0 };
	char code[32];

	ck_assert_msg(sortes_registrar_new(&r, t, &err) == 0, "%s", err.msg);
	for (int i = 1; i <= n; i++) {
		struct sortes_caseworker_input in = {
			.code = code, .team = team, .names = names,
			.values = values, .ncovariates = 2,
			.registered_at = NOW,
		};

		snprintf(code, sizeof(code), "%s%02d", prefix, i);
		ck_assert_msg(sortes_registrar_add(r, &in, &res, &err) == 0,
		    "add %s: %s", code, err.msg);
		ck_assert_int_eq(res.allocated, 0);
	}
	ck_assert_msg(sortes_registrar_commit(r, &err) == 0, "%s", err.msg);
	sortes_registrar_free(r);
}

static void
randomize_ok(struct sortes_trial *t, const char *beacon,
    struct sortes_randomize_result *res)
{
	struct sortes_error err = { 0 };
	int rc = sortes_randomize(t, beacon, NOW, res, &err);

	ck_assert_msg(rc == 0, "randomize: %s", err.msg);
}

static void
expect_verify_ok(struct sortes_trial *t)
{
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	int rc = sortes_verify(t, tu_local_day, &rep, &err);

	ck_assert_msg(rc == 0, "verify: %s", err.msg);
	ck_assert_int_eq(rep.bad_seq, 0);
}

/*
 * Verify fails, naming log entry 'seq' (or, with seq 0, with a message
 * holding 'what').
 */
static void
expect_verify_fails(struct sortes_trial *t, int64_t seq, const char *what)
{
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	char entry[64];
	int rc = sortes_verify(t, tu_local_day, &rep, &err);

	ck_assert_msg(rc == SORTES_EVERIFY, "verify returned %d (%s), "
	    "expected SORTES_EVERIFY", rc, err.msg);
	if (seq > 0) {
		snprintf(entry, sizeof(entry), "log entry %lld:",
		    (long long)seq);
		ck_assert_msg(strstr(err.msg, entry) != NULL, "expected "
		    "'%s' in: %s", entry, err.msg);
		ck_assert_int_eq(rep.bad_seq, seq);
	}
	if (what != NULL)
		ck_assert_msg(strstr(err.msg, what) != NULL, "expected '%s' "
		    "in: %s", what, err.msg);
}

/* Enroll an eligible youth with caseworker 'cw'. */
static int
cw_enroll(struct sortes_trial *t, const char *person, const char *cw,
    struct sortes_enroll_result *res, struct sortes_error *err)
{
	const char *names[] = { "birth_date", "benefit" };
	const char *values[] = { "2000-05-17", "uddannelseshjaelp" };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = cw, .names = names,
		.values = values, .nfields = 2, .enrolled_at = NOW,
		.enroll_day = sortes_date_from_ymd(2026, 1, 15),
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

static void
cw_enroll_ok(struct sortes_trial *t, const char *person, const char *cw,
    struct sortes_enroll_result *res)
{
	struct sortes_error err = { 0 };
	int rc = cw_enroll(t, person, cw, res, &err);

	ck_assert_msg(rc == 0, "enroll %s with %s: %s", person, cw, err.msg);
}

static size_t
arm_index(struct sortes_trial *t, const char *code)
{
	for (size_t a = 0; a < t->protocol->narms; a++)
		if (strcmp(t->protocol->arms[a].code, code) == 0)
			return a;
	ck_abort_msg("no arm '%s'", code);
	return 0;
}

/* The result agrees with the table: every listed caseworker, its arm. */
static void
check_result_matches_table(struct sortes_trial *t,
    const struct sortes_randomize_result *res)
{
	size_t per_arm[8] = { 0 };

	ck_assert_int_eq(count_rows(t, "caseworker_allocations"),
	    (long)res->ncaseworkers);
	for (size_t i = 0; i < res->ncaseworkers; i++) {
		char *arm = cw_arm(t, res->codes[i]);

		ck_assert_str_eq(arm, t->protocol->arms[res->arms[i]].code);
		per_arm[res->arms[i]]++;
		free(arm);
	}
	for (size_t a = 0; a < t->protocol->narms; a++)
		ck_assert_uint_eq(per_arm[a], res->per_arm[a]);
}

/* --- replay (src/randomize.c complete_arms; docs/randomization.md) ----- */

/* A bounded draw as docs/randomization.md describes it. */
static uint32_t
doc_bounded(struct sortes_pcg32 *rng, uint32_t bound)
{
	uint32_t threshold = (uint32_t)(0u - bound) % bound;

	for (;;) {
		uint32_t r = sortes_pcg32_next(rng);

		if (r >= threshold)
			return r % bound;
	}
}

static void
doc_shuffle(size_t *a, size_t n, struct sortes_pcg32 *rng)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = doc_bounded(rng, (uint32_t)i), tmp = a[j];

		a[j] = a[i - 1];
		a[i - 1] = tmp;
	}
}

/*
 * The arms of n clusters in 'stratum': stream (purpose "cluster",
 * stratum, counter 0) keyed with sortes_randomize_seed(seed, beacon);
 * each arm ratio * (n / ratio_sum) times in protocol order; the
 * n % ratio_sum left over take the first places of one shuffled ratio
 * cycle; then the whole list is shuffled.
 */
static void
replay_arms(const struct sortes_protocol *p, const uint8_t seed[32],
    const char *beacon, const char *stratum, size_t n, size_t *out)
{
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	struct sortes_jcs scratch;
	struct sortes_pcg32 rng;
	uint8_t rs[32];
	size_t cycle[64], c = 0, k = 0, full = n / (size_t)p->ratio_sum;

	ck_assert_int_eq(sortes_randomize_seed(rs, seed, beacon, &err), 0);
	ck_assert_int_eq(sortes_hmac_new(&mac, rs, sizeof(rs), &err), 0);
	sortes_jcs_init(&scratch);
	ck_assert_int_eq(sortes_stream_derive(&rng, mac, &scratch, "cluster",
	    stratum, 0, &err), 0);
	for (size_t a = 0; a < p->narms; a++)
		for (int i = 0; i < p->arms[a].ratio * (int)full; i++)
			out[k++] = a;
	for (size_t a = 0; a < p->narms; a++)
		for (int i = 0; i < p->arms[a].ratio; i++)
			cycle[c++] = a;
	if (k < n) {
		doc_shuffle(cycle, c, &rng);
		for (size_t i = 0; k < n; i++)
			out[k++] = cycle[i];
	}
	doc_shuffle(out, n, &rng);
	sortes_jcs_free(&scratch);
	sortes_hmac_free(mac);
}

struct cw_row {
	char code[65];
	char team[65];
};

static int
cw_row_cmp(const void *a, const void *b)
{
	const struct cw_row *x = a, *y = b;
	int c = strcmp(x->team, y->team);

	return c != 0 ? c : strcmp(x->code, y->code);
}

/*
 * Replay the whole randomization of 't' (complete: one stratum "{}";
 * stratified: one per team, {"team":"..."}), caseworkers taken in
 * (team, code) order, and compare with caseworker_allocations.
 */
static void
check_replay(struct sortes_trial *t, const char *beacon)
{
	struct cw_row rows[64];
	size_t arms[64], n = 0;
	sqlite3_stmt *st = NULL;
	struct sortes_error err = { 0 };
	int stratified = t->protocol->method == SORTES_METHOD_STRATIFIED;

	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT c.code, c.team "
	    "FROM caseworkers c JOIN caseworker_allocations ca ON "
	    "ca.caseworker = c.seq WHERE ca.seq = (SELECT seq FROM "
	    "randomization)", &err), 0);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert_uint_lt(n, 64);
		snprintf(rows[n].code, sizeof(rows[n].code), "%s",
		    sqlite3_column_text(st, 0));
		snprintf(rows[n].team, sizeof(rows[n].team), "%s",
		    sqlite3_column_text(st, 1));
		n++;
	}
	sqlite3_finalize(st);
	qsort(rows, n, sizeof(rows[0]), cw_row_cmp);
	if (!stratified)
		replay_arms(t->protocol, t->key.seed, beacon, "{}", n, arms);
	for (size_t first = 0; stratified && first < n; ) {
		size_t m = 1;
		char stratum[128];

		while (first + m < n &&
		    strcmp(rows[first].team, rows[first + m].team) == 0)
			m++;
		snprintf(stratum, sizeof(stratum), "{\"team\":\"%s\"}",
		    rows[first].team);
		replay_arms(t->protocol, t->key.seed, beacon, stratum, m,
		    arms + first);
		first += m;
	}
	for (size_t i = 0; i < n; i++) {
		char *arm = cw_arm(t, rows[i].code);

		ck_assert_msg(strcmp(arm, t->protocol->arms[arms[i]].code) == 0,
		    "caseworker %s (team %s): replay gives %s, logged %s",
		    rows[i].code, rows[i].team,
		    t->protocol->arms[arms[i]].code, arm);
		free(arm);
	}
}

/* --- registering ------------------------------------------------------ */

static void
expect_add_refused(struct sortes_trial *t, const char *code, const char *team,
    const char *caseload, const char *office, const char *message)
{
	struct sortes_error err = { 0 };
	long before = count_rows(t, "log"), rows = count_rows(t, "caseworkers");
	int rc = cw_add_full(t, code, team, caseload, office, NULL, &err);

	ck_assert_msg(rc == SORTES_EDATA, "add '%s' team '%s': rc %d (%s), "
	    "expected SORTES_EDATA", code ? code : "(null)",
	    team ? team : "(null)", rc, err.msg);
	ck_assert_msg(strstr(err.msg, message) != NULL, "expected '%s' in: %s",
	    message, err.msg);
	ck_assert_int_eq(count_rows(t, "log"), before);
	ck_assert_int_eq(count_rows(t, "caseworkers"), rows);
}

START_TEST(test_register)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
	struct sortes_caseworker_result res;
	struct sortes_error err = { 0 };
	char *s;
	char long_code[SORTES_CASEWORKER_MAX + 2];
	char long_team[SORTES_TEAM_MAX + 2];

	ck_assert_int_eq(cw_add_full(t, "CW01", "Team A", "12", "midt", &res,
	    &err), 0);
	ck_assert_int_eq(res.allocated, 0);
	ck_assert_int_eq(res.seq, 2);
	ck_assert_int_eq(count_rows(t, "log"), 2);
	s = query_text(t, "SELECT covariates FROM caseworkers WHERE code = "
	    "'CW01'");
	ck_assert_str_eq(s, "{\"caseload\":12,\"office\":\"midt\"}");
	free(s);
	s = query_text(t, "SELECT kind FROM log WHERE seq = 2");
	ck_assert_str_eq(s, "caseworker");
	free(s);
	/* The optional covariate may be left out. */
	ck_assert_int_eq(cw_add_full(t, "cw.02_x-y", "Team A", "0", NULL, &res,
	    &err), 0);
	ck_assert_int_eq(res.seq, 3);

	expect_add_refused(t, "CW01", "Team B", "12", "midt",
	    "already registered");
	expect_add_refused(t, "", "Team A", "12", NULL, "caseworker code");
	expect_add_refused(t, NULL, "Team A", "12", NULL, "caseworker code");
	expect_add_refused(t, "CW 03", "Team A", "12", NULL, "may hold only");
	expect_add_refused(t, "CW/03", "Team A", "12", NULL, "may hold only");
	expect_add_refused(t, "CW\xc3\xa9" "03", "Team A", "12", NULL,
	    "may hold only");
	memset(long_code, 'x', sizeof(long_code) - 1);
	long_code[sizeof(long_code) - 1] = '\0';
	expect_add_refused(t, long_code, "Team A", "12", NULL,
	    "caseworker code");
	long_code[SORTES_CASEWORKER_MAX] = '\0';	/* 64: allowed */
	ck_assert_int_eq(cw_add_full(t, long_code, "Team A", "1", NULL, NULL,
	    &err), 0);

	expect_add_refused(t, "CW03", "", "12", NULL, "team");
	expect_add_refused(t, "CW03", NULL, "12", NULL, "team");
	expect_add_refused(t, "CW03", " ", "12", NULL, "blank");
	expect_add_refused(t, "CW03", "   ", "12", NULL, "blank");
	expect_add_refused(t, "CW03", " Team A", "12", NULL, "blank");
	expect_add_refused(t, "CW03", "Team A ", "12", NULL, "blank");
	expect_add_refused(t, "CW03", "Team\tA", "12", NULL, "control");
	expect_add_refused(t, "CW03", "Team \xff", "12", NULL, "UTF-8");
	memset(long_team, 'T', sizeof(long_team) - 1);
	long_team[sizeof(long_team) - 1] = '\0';
	expect_add_refused(t, "CW03", long_team, "12", NULL, "team");

	expect_add_refused(t, "CW03", "Team A", NULL, "midt",
	    "covariate 'caseload' is required");
	expect_add_refused(t, "CW03", "Team A", "201", NULL, "caseload");
	expect_add_refused(t, "CW03", "Team A", "-1", NULL, "caseload");
	expect_add_refused(t, "CW03", "Team A", "many", NULL, "caseload");
	expect_add_refused(t, "CW03", "Team A", "12", "centrum", "office");
	{
		const char *names[] = { "caseload", "age" };
		const char *values[] = { "12", "40" };
		const char *twice[] = { "caseload", "caseload" };
		struct sortes_caseworker_input in = {
			.code = "CW03", .team = "Team A", .names = names,
			.values = values, .ncovariates = 2,
			.registered_at = NOW,
		};
		struct sortes_registrar *r = NULL;
		long before = count_rows(t, "log");

		ck_assert_int_eq(sortes_registrar_new(&r, t, &err), 0);
		ck_assert_int_eq(sortes_registrar_add(r, &in, &res, &err),
		    SORTES_EDATA);
		ck_assert_msg(strstr(err.msg, "unknown covariate 'age'") !=
		    NULL, "%s", err.msg);
		in.names = twice;
		ck_assert_int_eq(sortes_registrar_add(r, &in, &res, &err),
		    SORTES_EDATA);
		ck_assert_msg(strstr(err.msg, "twice") != NULL, "%s", err.msg);
		/* The registrar goes on after a refusal ... */
		in.names = names;
		in.ncovariates = 1;
		ck_assert_int_eq(sortes_registrar_add(r, &in, &res, &err), 0);
		/* ... and refuses a code it added itself, uncommitted. */
		ck_assert_int_eq(sortes_registrar_add(r, &in, &res, &err),
		    SORTES_EDATA);
		ck_assert_int_eq(sortes_registrar_commit(r, &err), 0);
		sortes_registrar_free(r);
		ck_assert_int_eq(count_rows(t, "log"), before + 1);
	}
	/* Freed without commit: nothing stays. */
	{
		const char *names[] = { "caseload" };
		const char *values[] = { "5" };
		struct sortes_caseworker_input in = {
			.code = "CW09", .team = "Team A", .names = names,
			.values = values, .ncovariates = 1,
			.registered_at = NOW,
		};
		struct sortes_registrar *r = NULL;
		long before = count_rows(t, "log");

		ck_assert_int_eq(sortes_registrar_new(&r, t, &err), 0);
		ck_assert_int_eq(sortes_registrar_add(r, &in, &res, &err), 0);
		sortes_registrar_free(r);
		ck_assert_int_eq(count_rows(t, "log"), before);
		ck_assert_int_eq(count_rows(t, "caseworkers"), 4);
	}
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

struct rejects {
	int n;
	long lines[16];
	char reasons[16][256];
};

static int
on_reject(void *ctx, long line, const char *const *header, size_t nheader,
    const char *const *cells, size_t ncells, const char *reason)
{
	struct rejects *r = ctx;

	(void)header;
	(void)nheader;
	(void)cells;
	(void)ncells;
	if (r->n < 16) {
		r->lines[r->n] = line;
		snprintf(r->reasons[r->n], sizeof(r->reasons[0]), "%s", reason);
	}
	r->n++;
	return 0;
}

static int
import_text(struct sortes_trial *t, const char *text, int skip_invalid,
    struct rejects *rj, struct sortes_csv_summary *sum,
    struct sortes_error *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct sortes_import_hooks hooks = { .on_reject = on_reject, .ctx = rj };
	int rc;

	ck_assert_ptr_nonnull(fp);
	memset(rj, 0, sizeof(*rj));
	rc = sortes_caseworker_import(t, fp, "cw.csv", 0, skip_invalid, NOW,
	    &hooks, sum, err);
	fclose(fp);
	return rc;
}

START_TEST(test_import)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
	struct sortes_csv_summary sum;
	struct sortes_error err = { 0 };
	struct rejects rj;
	static const char bad[] =
	    "code,team,caseload,office\n"
	    "CW01,Team A,10,midt\n"
	    "CW02,Team A,500,nord\n"		/* caseload out of range */
	    "CW03,,10,syd\n"			/* empty team */
	    "CW01,Team B,10,vest\n"		/* duplicate in the file */
	    "CW04,Team B,10,vest\n";
	static const char good[] =
	    "team;office;code;caseload\n"
	    "Team A;midt;CW01;10\n"
	    "Team A;;CW02;20\n"
	    "Team B;syd;CW03;30\n";
	int rc;

	/* All or nothing: three bad rows, nobody registered. */
	rc = import_text(t, bad, 0, &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_int_eq(sum.rows, 5);
	ck_assert_int_eq(sum.rejected, 3);
	ck_assert_int_eq(sum.enrolled, 0);
	ck_assert_int_eq(rj.n, 3);
	ck_assert_int_eq(rj.lines[0], 3);
	ck_assert_int_eq(rj.lines[1], 4);
	ck_assert_int_eq(rj.lines[2], 5);
	ck_assert_msg(strstr(rj.reasons[0], "caseload") != NULL, "%s",
	    rj.reasons[0]);
	ck_assert_msg(strstr(rj.reasons[1], "team") != NULL, "%s",
	    rj.reasons[1]);
	ck_assert_msg(strstr(rj.reasons[2], "already registered") != NULL,
	    "%s", rj.reasons[2]);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 0);
	ck_assert_int_eq(count_rows(t, "log"), 1);

	/* skip_invalid: the two valid rows are registered. */
	rc = import_text(t, bad, 1, &rj, &sum, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(sum.rows, 5);
	ck_assert_int_eq(sum.enrolled, 2);
	ck_assert_int_eq(sum.rejected, 3);
	ck_assert_int_eq(rj.n, 3);
	/* Before the randomization nobody is allocated: the last bucket. */
	ck_assert_int_eq(sum.per_arm[0] + sum.per_arm[1], 0);
	ck_assert_int_eq(sum.per_arm[2], 2);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 2);
	ck_assert_int_eq(count_rows(t, "log"), 3);

	/* Those two are now duplicates: the whole file is refused. */
	rc = import_text(t, good, 0, &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_int_eq(rj.n, 1);
	ck_assert_int_eq(rj.lines[0], 2);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 2);
	/* With skip_invalid, the others (any column order, ';'). */
	rc = import_text(t, good, 1, &rj, &sum, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(sum.enrolled, 2);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 4);
	{
		char *s = query_text(t, "SELECT covariates || '|' || team FROM "
		    "caseworkers WHERE code = 'CW02'");

		/* An empty optional cell is absent, not an error. */
		ck_assert_str_eq(s, "{\"caseload\":20}|Team A");
		free(s);
	}

	/* Nothing valid at all: refused even with skip_invalid. */
	rc = import_text(t, "code,team,caseload\nCW01,Team A,1\n", 1, &rj,
	    &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	sortes_csv_summary_free(&sum);
	/* Header problems refuse the file. */
	rc = import_text(t, "code,team,caseload,age\nCW10,Team A,1,30\n", 1,
	    &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "unknown column 'age'") != NULL, "%s",
	    err.msg);
	sortes_csv_summary_free(&sum);
	rc = import_text(t, "code,caseload\nCW10,1\n", 1, &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "'team'") != NULL, "%s", err.msg);
	sortes_csv_summary_free(&sum);
	rc = import_text(t, "", 1, &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 4);
	ck_assert_int_eq(count_rows(t, "log"), 5);
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- randomizing ------------------------------------------------------ */

/*
 * Randomize n caseworkers (complete) and check: exact sizes in
 * [lo_i, hi_i] for arm I, every caseworker allocated, the log lists all
 * of them sorted by code, the replay gives the same, verify passes.
 */
static void
complete_case(const char *yaml, int n, size_t lo, size_t hi)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, yaml);
	struct sortes_randomize_result res;
	char *body, *want, code[16];
	size_t len = 0, cap = 64 * (size_t)n + 64;
	char seqsql[128];
	const char *teams[] = { "Zulu", "Alpha", "Mike" };

	/* Codes registered out of order, in several teams. */
	for (int i = n; i >= 1; i--) {
		snprintf(code, sizeof(code), "K%02d", i);
		cw_add_ok(t, code, teams[i % 3]);
	}
	randomize_ok(t, NULL, &res);
	ck_assert_int_eq(res.seq, n + 2);
	ck_assert_uint_eq(res.ncaseworkers, (size_t)n);
	ck_assert_msg(res.per_arm[0] >= lo && res.per_arm[0] <= hi,
	    "%d caseworkers: %zu in I, expected %zu to %zu", n,
	    res.per_arm[0], lo, hi);
	ck_assert_uint_eq(res.per_arm[0] + res.per_arm[1], (size_t)n);
	check_result_matches_table(t, &res);
	ck_assert_int_eq(count_rows(t, "caseworker_allocations"), n);
	ck_assert_int_eq(count_rows(t, "randomization"), 1);
	ck_assert_int_eq(query_int(t, "SELECT count(*) FROM "
	    "caseworker_allocations WHERE seq = (SELECT seq FROM "
	    "randomization) AND arm IN ('I', 'C')"), n);

	/* The log entry: every caseworker, sorted by code. */
	want = malloc(cap);
	ck_assert_ptr_nonnull(want);
	len += (size_t)snprintf(want + len, cap - len, "{\"allocations\":[");
	for (int i = 1; i <= n; i++) {
		char *arm;

		snprintf(code, sizeof(code), "K%02d", i);
		arm = cw_arm(t, code);
		len += (size_t)snprintf(want + len, cap - len,
		    "%s{\"arm\":\"%s\",\"caseworker\":\"%s\"}",
		    i > 1 ? "," : "", arm, code);
		free(arm);
	}
	snprintf(want + len, cap - len, "],\"beacon\":null,\"kind\":"
	    "\"randomize\",\"method\":\"complete\"");
	snprintf(seqsql, sizeof(seqsql), "SELECT body FROM log WHERE seq = "
	    "%lld", (long long)res.seq);
	body = query_text(t, seqsql);
	ck_assert_msg(strncmp(body, want, strlen(want)) == 0,
	    "log entry:\n%s\nexpected to start:\n%s", body, want);
	ck_assert_msg(strstr(body, "\"report\":{\"caseworkers\":") != NULL,
	    "%s", body);
	free(body);
	free(want);
	check_replay(t, NULL);
	expect_verify_ok(t);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_complete_sizes)
{
	complete_case(CW_COMPLETE, 10, 5, 5);
	complete_case(CW_COMPLETE, 9, 4, 5);
	complete_case(CW_COMPLETE, 2, 1, 1);
	complete_case(CW_COMPLETE, 3, 1, 2);
	complete_case(CW_COMPLETE_21, 9, 6, 6);
	complete_case(CW_COMPLETE_21, 10, 6, 7);
	complete_case(CW_COMPLETE_21, 11, 7, 8);
}
END_TEST

START_TEST(test_complete_varies)
{
	/* The same 9 caseworkers, several trials: the remainder (5/4 or
	 * 4/5) and who gets I both vary. */
	int saw5 = 0, saw4 = 0, firstI = 0, trials = 12;

	for (int k = 0; k < trials; k++) {
		char *dir = tu_tmpdir();
		struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
		struct sortes_randomize_result res;
		char *arm;

		cw_add_many(t, "CW", 9, "Team A");
		randomize_ok(t, NULL, &res);
		saw5 += res.per_arm[0] == 5;
		saw4 += res.per_arm[0] == 4;
		arm = cw_arm(t, "CW01");
		firstI += strcmp(arm, "I") == 0;
		free(arm);
		sortes_randomize_result_free(&res);
		sortes_trial_close(t);
		tu_rmtree(dir);
		free(dir);
	}
	/* Each fails with probability 2^-12. */
	ck_assert_int_gt(saw5, 0);
	ck_assert_int_gt(saw4, 0);
	ck_assert_int_gt(firstI, 0);
	ck_assert_int_lt(firstI, trials);
}
END_TEST

static void
expect_randomize_refused(struct sortes_trial *t, const char *beacon, int want,
    const char *message)
{
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };
	long log = count_rows(t, "log");
	long alloc = count_rows(t, "caseworker_allocations");
	long rnd = count_rows(t, "randomization");
	int rc = sortes_randomize(t, beacon, NOW, &res, &err);

	ck_assert_msg(rc == want, "randomize (beacon %s): rc %d (%s), "
	    "expected %d", beacon ? beacon : "none", rc, err.msg, want);
	ck_assert_msg(strstr(err.msg, message) != NULL, "expected '%s' in: %s",
	    message, err.msg);
	sortes_randomize_result_free(&res);
	ck_assert_int_eq(count_rows(t, "log"), log);
	ck_assert_int_eq(count_rows(t, "caseworker_allocations"), alloc);
	ck_assert_int_eq(count_rows(t, "randomization"), rnd);
}

START_TEST(test_randomize_refusals)
{
	char *dir = tu_tmpdir();
	char *db = tu_path(dir, "trial.db");
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE), *nokey = NULL;
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };

	expect_randomize_refused(t, NULL, SORTES_EDATA, "at least 2");
	cw_add_ok(t, "CW01", "Team A");
	expect_randomize_refused(t, NULL, SORTES_EDATA, "at least 2");
	cw_add_ok(t, "CW02", "Team B");
	/* No beacon declared: none may be given. */
	expect_randomize_refused(t, BEACON_A, SORTES_EUSAGE, "beacon");
	/* Without the key. */
	ck_assert_int_eq(sortes_trial_open(&nokey, db, &err), 0);
	expect_randomize_refused(nokey, NULL, SORTES_EUSAGE, "key");
	sortes_trial_close(nokey);

	randomize_ok(t, NULL, &res);
	ck_assert_uint_eq(res.per_arm[0], 1);
	sortes_randomize_result_free(&res);
	expect_randomize_refused(t, NULL, SORTES_EDATA, "randomized already");
	{
		int64_t seq = 0;

		ck_assert_int_eq(sortes_caseworker_randomized(t, &seq, &err), 0);
		ck_assert_int_eq(seq, 4);
	}
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
	free(db);

	/* An individually randomized trial has nothing to randomize. */
	dir = tu_tmpdir();
	t = tu_trial(dir, TU_SIMPLE);
	expect_randomize_refused(t, NULL, SORTES_EUSAGE, "caseworker-level");
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_beacon)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_BEACON);
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };
	uint8_t s1[32], s2[32], s3[32];
	size_t arms[5][10];
	int distinct = 0;
	char *s;
	static const char *const beacons[5] = {
		BEACON_A, "0000000000000000", "0000000000000001",
		"ffffffffffffffffffffffffffffffff",
		"deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
	};

	cw_add_many(t, "CW", 10, "Team A");
	expect_randomize_refused(t, NULL, SORTES_EUSAGE, "beacon");
	expect_randomize_refused(t, "0011223344556", SORTES_EDATA, "beacon");
	expect_randomize_refused(t, "001122334455667", SORTES_EDATA, "beacon");
	expect_randomize_refused(t, "00112233445566778", SORTES_EDATA,
	    "beacon");
	expect_randomize_refused(t, "00112233445566AA", SORTES_EDATA,
	    "lower-case");
	expect_randomize_refused(t, "0011223344556g77", SORTES_EDATA,
	    "beacon");
	expect_randomize_refused(t, "", SORTES_EDATA, "beacon");
	{
		char big[SORTES_BEACON_MAX + 3];

		memset(big, 'a', sizeof(big) - 1);
		big[SORTES_BEACON_MAX + 2] = '\0';	/* 258 digits */
		expect_randomize_refused(t, big, SORTES_EDATA, "beacon");
	}

	/* The beacon changes the seed, and so the allocation. */
	ck_assert_int_eq(sortes_randomize_seed(s1, t->key.seed, NULL, &err), 0);
	ck_assert_int_eq(memcmp(s1, t->key.seed, 32), 0);
	ck_assert_int_eq(sortes_randomize_seed(s2, t->key.seed, beacons[0],
	    &err), 0);
	ck_assert_int_eq(sortes_randomize_seed(s3, t->key.seed, beacons[1],
	    &err), 0);
	ck_assert_int_ne(memcmp(s1, s2, 32), 0);
	ck_assert_int_ne(memcmp(s2, s3, 32), 0);
	for (int b = 0; b < 5; b++)
		replay_arms(t->protocol, t->key.seed, beacons[b], "{}", 10,
		    arms[b]);
	for (int b = 1; b < 5; b++)
		distinct += memcmp(arms[0], arms[b], sizeof(arms[0])) != 0;
	/* 252 allocations of 10: all five equal with chance 252^-4. */
	ck_assert_int_gt(distinct, 0);

	randomize_ok(t, beacons[0], &res);
	ck_assert_uint_eq(res.per_arm[0], 5);
	s = query_text(t, "SELECT beacon FROM randomization");
	ck_assert_str_eq(s, beacons[0]);
	free(s);
	s = query_text(t, "SELECT body FROM log WHERE kind = 'randomize'");
	ck_assert_msg(strstr(s, "\"beacon\":\"" BEACON_A "\"") != NULL, "%s",
	    s);
	free(s);
	check_replay(t, beacons[0]);
	expect_verify_ok(t);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_stratified)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_STRATIFIED);
	struct sortes_randomize_result res;
	static const struct { const char *team; int n; } teams[] = {
		{ "Nord", 4 }, { "Syd", 5 }, { "Vest", 6 },
	};

	/* Interleave the registrations, so that teams are not contiguous
	 * in the log or by code. */
	for (int i = 1; i <= 6; i++)
		for (int k = 0; k < 3; k++) {
			char code[16];

			if (i > teams[k].n)
				continue;
			snprintf(code, sizeof(code), "S%d%c", i, 'a' + k);
			cw_add_ok(t, code, teams[k].team);
		}
	randomize_ok(t, NULL, &res);
	ck_assert_uint_eq(res.ncaseworkers, 15);
	check_result_matches_table(t, &res);
	for (int k = 0; k < 3; k++) {
		char sql[256];
		int64_t in_i;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "caseworker_allocations ca JOIN caseworkers c ON c.seq = "
		    "ca.caseworker WHERE c.team = '%s' AND ca.arm = 'I'",
		    teams[k].team);
		in_i = query_int(t, sql);
		ck_assert_msg(in_i == teams[k].n / 2 ||
		    in_i == (teams[k].n + 1) / 2, "team %s of %d: %lld in I",
		    teams[k].team, teams[k].n, (long long)in_i);
	}
	check_replay(t, NULL);
	expect_verify_ok(t);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_complete_balance_statistics)
{
	/* 200 trials of 10 caseworkers (1:1): each caseworker is in I
	 * Binomial(200, 1/2) times.  |X - 100| >= 39 has probability
	 * 3.5e-8; over 10 caseworkers under 1e-6. */
	int count[10] = { 0 };
	const int trials = 200;

	for (int k = 0; k < trials; k++) {
		char *dir = tu_tmpdir();
		struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
		struct sortes_randomize_result res;

		cw_add_many(t, "CW", 10, k % 2 ? "Team A" : "Team B");
		randomize_ok(t, NULL, &res);
		ck_assert_uint_eq(res.per_arm[0], 5);
		for (size_t i = 0; i < res.ncaseworkers; i++) {
			int c = atoi(res.codes[i] + 2) - 1;

			ck_assert(c >= 0 && c < 10);
			count[c] += res.arms[i] == 0;
		}
		sortes_randomize_result_free(&res);
		sortes_trial_close(t);
		tu_rmtree(dir);
		free(dir);
	}
	for (int c = 0; c < 10; c++)
		ck_assert_msg(count[c] > 61 && count[c] < 139, "caseworker "
		    "CW%02d in arm I %d times of %d", c + 1, count[c], trials);
}
END_TEST

/* --- new hires -------------------------------------------------------- */

START_TEST(test_new_hires)
{
	char *dir = tu_tmpdir();
	char *db = tu_path(dir, "trial.db");
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE), *nokey = NULL;
	struct sortes_randomize_result res;
	struct sortes_caseworker_result cr;
	struct sortes_registrar *r = NULL;
	struct sortes_error err = { 0 };
	static const char *const teams[] = { "Nord", "Syd", "Nord", "Nord",
	    "Syd", "Nord", "Syd", "Syd", "Nord", "Nord" };
	int per_team[2][2] = { { 0 } };	/* [Nord/Syd][I/C] */
	int64_t counter[2] = { 0 };

	/* Before the randomization no key is needed to register. */
	cw_add_many(t, "CW", 4, "Nord");
	ck_assert_int_eq(sortes_trial_open(&nokey, db, &err), 0);
	ck_assert_int_eq(cw_add_full(nokey, "PRE1", "Syd", "3", NULL, &cr,
	    &err), 0);
	ck_assert_int_eq(cr.allocated, 0);
	randomize_ok(t, NULL, &res);
	sortes_randomize_result_free(&res);

	/* After it, registering allocates, which needs the key. */
	ck_assert_int_eq(sortes_registrar_new(&r, nokey, &err), SORTES_EUSAGE);
	ck_assert_ptr_null(r);
	ck_assert_int_eq(cw_add_full(nokey, "NH00", "Nord", "3", NULL, &cr,
	    &err), SORTES_EUSAGE);
	sortes_trial_close(nokey);
	ck_assert_int_eq(count_rows(t, "caseworkers"), 5);

	for (int i = 0; i < 10; i++) {
		char code[16], sql[256];
		int team = strcmp(teams[i], "Syd") == 0;
		int n;
		char *arm;

		snprintf(code, sizeof(code), "NH%02d", i + 1);
		ck_assert_msg(cw_add_full(t, code, teams[i], "7", "vest", &cr,
		    &err) == 0, "%s: %s", code, err.msg);
		ck_assert_int_eq(cr.allocated, 1);
		ck_assert_uint_lt(cr.arm, 2);
		arm = cw_arm(t, code);
		ck_assert_str_eq(arm, cr.arm == 0 ? "I" : "C");
		free(arm);
		per_team[team][cr.arm]++;
		n = per_team[team][0] + per_team[team][1];
		/* Blocks of 2 within the team. */
		if (n % 2 == 0)
			ck_assert_msg(per_team[team][0] == per_team[team][1],
			    "team %s after %d new hires: %d I, %d C", teams[i],
			    n, per_team[team][0], per_team[team][1]);
		/* The new hire's own entry allocated it, as (block, place). */
		snprintf(sql, sizeof(sql), "SELECT ca.seq = c.seq AND "
		    "ca.counter = %lld AND ca.position = %d FROM "
		    "caseworker_allocations ca JOIN caseworkers c ON c.seq = "
		    "ca.caseworker WHERE c.code = '%s'",
		    (long long)counter[team], (n - 1) % 2, code);
		ck_assert_int_eq(query_int(t, sql), 1);
		if (n % 2 == 0)
			counter[team]++;
		snprintf(sql, sizeof(sql), "SELECT body LIKE "
		    "'{\"allocation\":{\"arm\":\"%s\",\"counter\":%%' FROM log "
		    "WHERE seq = %lld", cr.arm == 0 ? "I" : "C",
		    (long long)cr.seq);
		ck_assert_int_eq(query_int(t, sql), 1);
	}
	/* PRE1, registered before the randomization, was randomized. */
	{
		char *arm = cw_arm(t, "PRE1");

		ck_assert(strcmp(arm, "I") == 0 || strcmp(arm, "C") == 0);
		free(arm);
	}
	expect_verify_ok(t);
	/* A new hire is a caseworker like the others: duplicates refused. */
	expect_add_refused(t, "NH01", "Nord", "1", NULL, "already registered");
	sortes_trial_close(t);

	/* Reopened with the key, new hires continue the blocks. */
	{
		char *key = tu_path(dir, "trial.key");

		ck_assert_int_eq(sortes_trial_open(&t, db, &err), 0);
		ck_assert_int_eq(sortes_trial_unlock(t, key, &err), 0);
		free(key);
		ck_assert_int_eq(cw_add_full(t, "NH11", "Syd", "1", NULL, &cr,
		    &err), 0);
		per_team[1][cr.arm]++;
		ck_assert_int_eq(cw_add_full(t, "NH12", "Syd", "1", NULL, &cr,
		    &err), 0);
		per_team[1][cr.arm]++;
		ck_assert_int_eq(per_team[1][0], per_team[1][1]);
		expect_verify_ok(t);
		sortes_trial_close(t);
	}
	tu_rmtree(dir);
	free(dir);
	free(db);
}
END_TEST

START_TEST(test_new_hires_21_import)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE_21);
	struct sortes_randomize_result res;
	struct sortes_csv_summary sum;
	struct sortes_error err = { 0 };
	struct rejects rj;
	static const char hires[] =
	    "code,team,caseload\n"
	    "N1,Team A,1\nN2,Team A,1\nN3,Team A,1\n"
	    "N4,Team A,1000\n"			/* refused */
	    "N5,Team A,1\nN6,Team A,1\nN7,Team A,1\n";
	int rc;

	cw_add_many(t, "CW", 3, "Team A");
	randomize_ok(t, NULL, &res);
	ck_assert_uint_eq(res.per_arm[0], 2);
	sortes_randomize_result_free(&res);
	/* All or nothing: nobody allocated, nothing counted. */
	rc = import_text(t, hires, 0, &rj, &sum, &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(count_rows(t, "caseworker_allocations"), 3);
	ck_assert_int_eq(query_int(t, "SELECT count(*) FROM alloc_state"), 0);
	rc = import_text(t, hires, 1, &rj, &sum, &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(sum.enrolled, 6);
	/* Blocks of 3 at 2:1: two full blocks, 4 I and 2 C. */
	ck_assert_int_eq(sum.per_arm[0], 4);
	ck_assert_int_eq(sum.per_arm[1], 2);
	ck_assert_int_eq(sum.per_arm[2], 0);
	sortes_csv_summary_free(&sum);
	ck_assert_int_eq(query_int(t, "SELECT count(*) FROM "
	    "caseworker_allocations WHERE arm = 'I' AND caseworker IN "
	    "(SELECT seq FROM caseworkers WHERE code IN ('N1','N2','N3'))"), 2);
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- participants ----------------------------------------------------- */

/* A randomized trial with caseworkers CW01..CW06 (3 I, 3 C). */
static struct sortes_trial *
randomized_trial(const char *dir)
{
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
	struct sortes_randomize_result res;

	cw_add_many(t, "CW", 6, "Team A");
	randomize_ok(t, NULL, &res);
	ck_assert_uint_eq(res.per_arm[0], 3);
	sortes_randomize_result_free(&res);
	return t;
}

/*
 * Verify copies the caseworkers of the randomize entry, two strings
 * each (code and arm); running out of memory at any of those copies is
 * reported as such, never read as a string.
 */
START_TEST(test_verify_out_of_memory)
{
	static const char *const copies[] = { "CW01", "CW02", "CW03", "CW04",
	    "CW05", "CW06", "I", "C" };
	char *dir = tu_tmpdir();
	struct sortes_trial *t = randomized_trial(dir);
	struct sortes_verify_report rep;
	struct sortes_error err = { 0 };
	int rc;

	for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
		tu_fail_strdup(copies[i]);
		rc = sortes_verify(t, tu_local_day, &rep, &err);
		tu_fail_strdup(NULL);
		ck_assert_int_eq(rc, SORTES_ENOMEM);
		ck_assert_str_eq(err.msg, "out of memory");
	}
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Once the seed is revealed nothing more may be drawn from it: a
 * randomization, a new hire and an enrollment are refused, with nothing
 * written.  A caseworker registered before the randomization allocates
 * nothing, so that goes on.
 */
START_TEST(test_reveal_closes_allocation)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
	struct sortes_randomize_result res;
	struct sortes_enroll_result er;
	struct sortes_error err = { 0 };
	int64_t seq;

	cw_add_many(t, "CW", 4, "Team A");
	ck_assert_int_eq(sortes_reveal(t, NOW, &seq, &err), 0);
	ck_assert_int_eq(seq, 6);
	cw_add_ok(t, "CW05", "Team A");
	ck_assert_int_eq(sortes_randomize(t, NULL, NOW, &res, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, "randomizing trial 'cwtrial': the seed was "
	    "revealed in log entry 6, so any allocation made now would be "
	    "predictable; allocating ends before the reveal (close "
	    "enrollment, freeze, then reveal)");
	sortes_randomize_result_free(&res);
	ck_assert_int_eq(count_rows(t, "randomization"), 0);
	ck_assert_int_eq(count_rows(t, "caseworker_allocations"), 0);
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);

	/* Randomized, then revealed: no new hire, no enrollment. */
	dir = tu_tmpdir();
	t = randomized_trial(dir);
	ck_assert_int_eq(sortes_reveal(t, NOW, &seq, &err), 0);
	ck_assert_int_eq(seq, 9);
	ck_assert_int_eq(cw_add_full(t, "NH01", "Team A", "3", NULL, NULL,
	    &err), SORTES_EUNSUPPORTED);
	ck_assert_str_eq(err.msg, "registering a new hire in trial 'cwtrial': "
	    "the seed was revealed in log entry 9, so any allocation made now "
	    "would be predictable; allocating ends before the reveal (close "
	    "enrollment, freeze, then reveal)");
	ck_assert_int_eq(cw_enroll(t, "Y1", "CW01", &er, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err.msg, "enrolling into trial "
	    "'cwtrial': the seed was revealed in log entry 9"));
	ck_assert_int_eq(count_rows(t, "caseworkers"), 6);
	ck_assert_int_eq(count_rows(t, "participants"), 0);
	ck_assert_int_eq(query_int(t, "SELECT count(*) FROM log"), 9);
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A caseworker of arm 'arm' other than 'not' (or any); static buffer. */
static const char *
cw_in_arm(struct sortes_trial *t, const char *arm, const char *not)
{
	static char code[65];
	char sql[256];
	char *s;

	snprintf(sql, sizeof(sql), "SELECT c.code FROM caseworkers c JOIN "
	    "caseworker_allocations ca ON ca.caseworker = c.seq WHERE "
	    "ca.arm = '%s' AND c.code <> '%s' ORDER BY c.code LIMIT 1", arm,
	    not ? not : "");
	s = query_text(t, sql);
	snprintf(code, sizeof(code), "%s", s);
	free(s);
	return code;
}

START_TEST(test_inherit)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_COMPLETE);
	struct sortes_randomize_result res;
	struct sortes_enroll_result er;
	struct sortes_error err = { 0 };
	char person[32];

	cw_add_many(t, "CW", 4, "Team A");
	/* Before the randomization nobody has an arm to inherit. */
	ck_assert_int_eq(cw_enroll(t, "P-0", "CW01", &er, &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "not allocated") != NULL, "%s", err.msg);
	ck_assert_int_eq(count_rows(t, "participants"), 0);
	randomize_ok(t, NULL, &res);
	for (int i = 0; i < 12; i++) {
		char code[16], *arm, sql[128];

		snprintf(person, sizeof(person), "P-%d", i);
		snprintf(code, sizeof(code), "CW%02d", i % 4 + 1);
		cw_enroll_ok(t, person, code, &er);
		arm = cw_arm(t, code);
		ck_assert_str_eq(t->protocol->arms[er.arm].code, arm);
		/* docs/log-format.md: the counter is the entry that
		 * allocated the caseworker (here the randomization). */
		snprintf(sql, sizeof(sql), "SELECT a.arm || '|' || a.method "
		    "|| '|' || a.counter || '|' || coalesce(a.position, 'null') "
		    "FROM allocations a WHERE a.seq = %lld", (long long)er.seq);
		{
			char *s = query_text(t, sql), want[64];

			snprintf(want, sizeof(want), "%s|caseworker|%lld|null",
			    arm, (long long)res.seq);
			ck_assert_str_eq(s, want);
			free(s);
		}
		ck_assert_uint_eq(er.arm, arm_index(t, arm));
		free(arm);
	}
	/* Unregistered caseworker; bad code; ineligible youth. */
	ck_assert_int_eq(cw_enroll(t, "P-x", "CW99", &er, &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "not registered") != NULL, "%s", err.msg);
	ck_assert_int_eq(cw_enroll(t, "P-x", "CW 1", &er, &err), SORTES_EDATA);
	ck_assert_int_eq(count_rows(t, "participants"), 12);
	/* A new hire's youths inherit its arm too. */
	{
		struct sortes_caseworker_result cr;
		char sql[128];

		ck_assert_int_eq(cw_add_full(t, "NEW1", "Team B", "1", NULL,
		    &cr, &err), 0);
		cw_enroll_ok(t, "P-new", "NEW1", &er);
		ck_assert_uint_eq(er.arm, cr.arm);
		snprintf(sql, sizeof(sql), "SELECT counter FROM allocations "
		    "WHERE seq = %lld", (long long)er.seq);
		ck_assert_int_eq(query_int(t, sql), cr.seq);
	}
	expect_verify_ok(t);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_transfer_withdraw)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = randomized_trial(dir);
	struct sortes_enroll_result p1, p2;
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	char home[65], same[65], other[65], p1arm[8];
	int64_t seq;
	long log;
	char *s;

	snprintf(home, sizeof(home), "%s", cw_in_arm(t, "I", NULL));
	snprintf(same, sizeof(same), "%s", cw_in_arm(t, "I", home));
	snprintf(other, sizeof(other), "%s", cw_in_arm(t, "C", NULL));
	cw_enroll_ok(t, "P-1", home, &p1);
	cw_enroll_ok(t, "P-2", other, &p2);
	snprintf(p1arm, sizeof(p1arm), "%s", t->protocol->arms[p1.arm].code);
	ck_assert_str_eq(p1arm, "I");

	/* Same arm: not flagged. */
	ck_assert_msg(sortes_transfer(t, p1.participant, same, NOW, &tr,
	    &err) == 0, "%s", err.msg);
	ck_assert_str_eq(tr.from, home);
	ck_assert_int_eq(tr.cross_arm, 0);
	ck_assert_int_eq(tr.seq, count_rows(t, "log"));
	/* Other arm: flagged; the arm stays (intention to treat). */
	ck_assert_int_eq(sortes_transfer(t, p1.participant, other, NOW, &tr,
	    &err), 0);
	ck_assert_str_eq(tr.from, same);
	ck_assert_int_eq(tr.cross_arm, 1);
	s = query_text(t, "SELECT group_concat(cross_arm, ',') FROM (SELECT "
	    "cross_arm FROM transfers ORDER BY seq)");
	ck_assert_str_eq(s, "0,1");
	free(s);
	s = query_text(t, "SELECT a.arm FROM allocations a JOIN participants "
	    "p ON p.seq = a.seq WHERE p.id IN (SELECT id FROM participants "
	    "ORDER BY seq LIMIT 1)");
	ck_assert_str_eq(s, "I");
	free(s);
	s = query_text(t, "SELECT body FROM log ORDER BY seq DESC LIMIT 1");
	ck_assert_msg(strstr(s, "\"cross_arm\":true") != NULL, "%s", s);
	free(s);
	/* Back home: allowed (it is no longer the current caseworker). */
	ck_assert_int_eq(sortes_transfer(t, p1.participant, home, NOW, &tr,
	    &err), 0);
	ck_assert_str_eq(tr.from, other);
	ck_assert_int_eq(tr.cross_arm, 0);

	log = count_rows(t, "log");
	/* Refusals, nothing written. */
	ck_assert_int_eq(sortes_transfer(t, p1.participant, home, NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "already") != NULL, "%s", err.msg);
	ck_assert_int_eq(sortes_transfer(t, p2.participant, other, NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_int_eq(sortes_transfer(t, p1.participant, "CW99", NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "not registered") != NULL, "%s", err.msg);
	ck_assert_int_eq(sortes_transfer(t, p1.participant, "CW 9", NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_int_eq(sortes_transfer(t, p1.participant, "", NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_int_eq(sortes_transfer(t,
	    "00000000-0000-7000-8000-000000000000", home, NOW, &tr, &err),
	    SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "no participant") != NULL, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_withdraw(t, "nobody", "moved", NOW, &seq,
	    &err), SORTES_EDATA);
	ck_assert_int_eq(sortes_withdraw(t, p2.participant, "", NOW, &seq,
	    &err), SORTES_EDATA);
	{
		char big[SORTES_REASON_MAX + 2];

		memset(big, 'r', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_int_eq(sortes_withdraw(t, p2.participant, big, NOW,
		    &seq, &err), SORTES_EDATA);
	}
	ck_assert_int_eq(sortes_withdraw(t, p2.participant, "bad \xff", NOW,
	    &seq, &err), SORTES_EDATA);
	ck_assert_int_eq(count_rows(t, "log"), log);

	/* Withdrawal: logged, the arm stays; no second withdrawal, no
	 * transfer afterwards. */
	ck_assert_int_eq(sortes_withdraw(t, p2.participant, "moved to Odense",
	    NOW, &seq, &err), 0);
	ck_assert_int_eq(seq, log + 1);
	ck_assert_int_eq(count_rows(t, "participants"), 2);
	ck_assert_int_eq(count_rows(t, "allocations"), 2);
	ck_assert_int_eq(sortes_withdraw(t, p2.participant, "again", NOW, &seq,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "withdrawn") != NULL, "%s", err.msg);
	ck_assert_int_eq(sortes_transfer(t, p2.participant, home, NOW, &tr,
	    &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "withdrawn") != NULL, "%s", err.msg);
	ck_assert_int_eq(count_rows(t, "log"), log + 1);
	/* P-1 can still be withdrawn after its transfers. */
	ck_assert_int_eq(sortes_withdraw(t, p1.participant, "declined",
	    NOW, &seq, &err), 0);
	s = query_text(t, "SELECT group_concat(arm, ',') FROM (SELECT arm "
	    "FROM allocations ORDER BY seq)");
	ck_assert_str_eq(s, "I,C");
	free(s);
	expect_verify_ok(t);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_transfer_individual_trial)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	char *id;

	ck_assert_int_eq(tu_enroll(t, "A-1", "F", "2004-02-01", &err), 0);
	id = query_text(t, "SELECT id FROM participants");
	/* No caseworker arms: not flagged either way, any valid code. */
	ck_assert_int_eq(sortes_transfer(t, id, "CW2", NOW, &tr, &err), 0);
	ck_assert_str_eq(tr.from, "CW1");
	ck_assert_int_eq(tr.cross_arm, -1);
	ck_assert_int_eq(query_int(t, "SELECT cross_arm IS NULL FROM "
	    "transfers"), 1);
	ck_assert_int_eq(sortes_transfer(t, id, "CW2", NOW, &tr, &err),
	    SORTES_EDATA);
	expect_verify_ok(t);
	free(id);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- tampering -------------------------------------------------------- */

/*
 * A full history on a fresh trial: 6 randomized caseworkers, one new
 * hire, three participants, two transfers (one cross-arm), one
 * withdrawal.  'seqs' receives the entries: [0] randomize, [1] new hire,
 * [2] first participant, [3] first transfer, [4] withdrawal.
 */
static struct sortes_trial *
history(const char *dir, int64_t seqs[5])
{
	struct sortes_trial *t = randomized_trial(dir);
	struct sortes_caseworker_result cr;
	struct sortes_enroll_result p1, p2, p3;
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	char home[65], other[65];

	seqs[0] = query_int(t, "SELECT seq FROM randomization");
	ck_assert_int_eq(cw_add_full(t, "NEW1", "Team B", "4", "syd", &cr,
	    &err), 0);
	seqs[1] = cr.seq;
	snprintf(home, sizeof(home), "%s", cw_in_arm(t, "I", NULL));
	snprintf(other, sizeof(other), "%s", cw_in_arm(t, "C", NULL));
	cw_enroll_ok(t, "P-1", home, &p1);
	seqs[2] = p1.seq;
	cw_enroll_ok(t, "P-2", other, &p2);
	cw_enroll_ok(t, "P-3", "NEW1", &p3);
	ck_assert_int_eq(sortes_transfer(t, p1.participant, other, NOW, &tr,
	    &err), 0);
	seqs[3] = tr.seq;
	ck_assert_int_eq(sortes_transfer(t, p2.participant, "NEW1", NOW, &tr,
	    &err), 0);
	ck_assert_int_eq(sortes_withdraw(t, p2.participant, "moved away",
	    NOW, &seqs[4], &err), 0);
	expect_verify_ok(t);
	return t;
}

enum tamper {
	T_COVARIATES, T_TEAM, T_RANDOMIZED_ARM, T_NEW_HIRE_ARM,
	T_PARTICIPANT_ARM, T_DELETE_TRANSFER, T_TRANSFER_CROSS,
	T_WITHDRAW_REASON, T_STRAY_WITHDRAWAL, T_DELETE_WITHDRAWAL,
	T_DELETE_NEW_HIRE_ALLOC, T_DELETE_RANDOMIZED, T_NEW_HIRE_BLOCK,
	T_PARTICIPANT_CASEWORKER, T_N
};

START_TEST(test_tamper)
{
	enum tamper k = (enum tamper)_i;
	char *dir = tu_tmpdir();
	int64_t seqs[5];
	struct sortes_trial *t = history(dir, seqs);
	char sql[512];
	/* The first caseworker by code, randomized in entry seqs[0]. */
	const char *cw01 = "(SELECT seq FROM caseworkers WHERE code = 'CW01')";

	switch (k) {
	case T_COVARIATES:
		exec_sql(t, "UPDATE caseworkers SET covariates = "
		    "'{\"caseload\":199,\"office\":\"nord\"}' WHERE code = "
		    "'CW03'");
		expect_verify_fails(t, query_int(t, "SELECT seq FROM "
		    "caseworkers WHERE code = 'CW03'"), "caseworker");
		break;
	case T_TEAM:
		exec_sql(t, "UPDATE caseworkers SET team = 'Team Z' WHERE "
		    "code = 'NEW1'");
		expect_verify_fails(t, seqs[1], NULL);
		break;
	case T_RANDOMIZED_ARM:
		snprintf(sql, sizeof(sql), "UPDATE caseworker_allocations SET "
		    "arm = CASE arm WHEN 'I' THEN 'C' ELSE 'I' END WHERE "
		    "caseworker = %s", cw01);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[0], "randomization");
		break;
	case T_NEW_HIRE_ARM:
		snprintf(sql, sizeof(sql), "UPDATE caseworker_allocations SET "
		    "arm = CASE arm WHEN 'I' THEN 'C' ELSE 'I' END WHERE "
		    "caseworker = %lld", (long long)seqs[1]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[1], "caseworker");
		break;
	case T_PARTICIPANT_ARM:
		snprintf(sql, sizeof(sql), "UPDATE allocations SET arm = 'C' "
		    "WHERE seq = %lld", (long long)seqs[2]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[2], NULL);
		break;
	case T_DELETE_TRANSFER:
		snprintf(sql, sizeof(sql), "DELETE FROM transfers WHERE seq = "
		    "%lld", (long long)seqs[3]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[3], "transfer");
		break;
	case T_TRANSFER_CROSS:
		snprintf(sql, sizeof(sql), "UPDATE transfers SET cross_arm = 0 "
		    "WHERE seq = %lld", (long long)seqs[3]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[3], "transfers");
		break;
	case T_WITHDRAW_REASON:
		exec_sql(t, "UPDATE withdrawals SET reason = 'deceased'");
		expect_verify_fails(t, seqs[4], "withdrawal");
		break;
	case T_STRAY_WITHDRAWAL:
		/* A row for the other participant, claiming no entry. */
		snprintf(sql, sizeof(sql), "PRAGMA foreign_keys = OFF; "
		    "INSERT INTO withdrawals (seq, participant, reason, "
		    "withdrawn_at) VALUES (9999, %lld, 'stray', '%s')",
		    (long long)seqs[2], NOW);
		exec_sql(t, sql);
		expect_verify_fails(t, 0, "withdrawals");
		break;
	case T_DELETE_WITHDRAWAL:
		exec_sql(t, "DELETE FROM withdrawals");
		expect_verify_fails(t, seqs[4], "withdrawal");
		break;
	case T_DELETE_NEW_HIRE_ALLOC:
		/* A new hire's allocation removed: its entry says it has one. */
		exec_sql(t, "PRAGMA foreign_keys = OFF; DELETE FROM "
		    "caseworker_allocations WHERE caseworker = (SELECT seq "
		    "FROM caseworkers WHERE code = 'NEW1')");
		expect_verify_fails(t, seqs[1], NULL);
		break;
	case T_DELETE_RANDOMIZED:
		snprintf(sql, sizeof(sql), "DELETE FROM caseworker_allocations "
		    "WHERE caseworker = %s", cw01);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[0], NULL);
		break;
	case T_NEW_HIRE_BLOCK:
		/* Same arm, but claimed to be the second place of its block. */
		snprintf(sql, sizeof(sql), "UPDATE caseworker_allocations SET "
		    "position = 1 WHERE caseworker = %lld", (long long)seqs[1]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[1], NULL);
		break;
	case T_PARTICIPANT_CASEWORKER:
		snprintf(sql, sizeof(sql), "UPDATE participants SET "
		    "caseworker = 'NEW1' WHERE seq = %lld", (long long)seqs[2]);
		exec_sql(t, sql);
		expect_verify_fails(t, seqs[2], NULL);
		break;
	default:
		ck_abort_msg("tamper %d", (int)k);
	}
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- constrained: how enum covariates are coded ------------------------ */

/* The six caseworkers of docs/constrained.md's worked example. */
static void
cw_add_example(struct sortes_trial *t, const char *const office[6])
{
	static const char *const caseload[6] = { "7", "9", "10", "10", "11",
	    "13" };
	struct sortes_error err = { 0 };
	char code[8];

	for (int i = 0; i < 6; i++) {
		snprintf(code, sizeof(code), "CW%02d", i + 1);
		ck_assert_msg(cw_add_full(t, code, "Team A", caseload[i],
		    office[i], NULL, &err) == 0, "add %s: %s", code, err.msg);
	}
}

static const char *const example_office[6] = { "midt", "midt", "nord",
    "nord", "syd", "syd" };

/* The columns randomize built, and how they are coded. */
static void
check_columns(const struct sortes_randomize_result *res,
    enum sortes_coding coding, const char *names)
{
	char got[256] = "";

	ck_assert_int_eq(res->coding, coding);
	for (size_t j = 0; j < res->ncols; j++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s%s",
		    j > 0 ? " " : "", res->col_names[j],
		    res->cr.col_constant[j] ? "(constant)" : "");
	ck_assert_str_eq(got, names);
}

/*
 * The scores randomize computed are those of the hand-built matrix 'x'
 * (k columns, unit weights, l2) in (team, code) order: the chosen
 * allocation's bit for bit, and the whole distribution.
 */
static void
check_scores(const struct sortes_randomize_result *res, const int64_t *x,
    size_t k)
{
	static const int64_t w[4] = { 1, 1, 1, 1 };
	struct sortes_cr_problem p = { .n = 6, .m = 3, .k = k, .x = x, .w = w,
	    .metric = SORTES_CR_L2, .keep_per10k = 2500 };
	struct sortes_cr_result r;
	struct sortes_error err = { 0 };
	struct sortes_pcg32 rng;
	double chosen = sortes_cr_score(&p, res->cr.chosen);

	sortes_pcg32_seed(&rng, 1, 1);
	ck_assert_int_eq(sortes_cr_run(&p, &rng, &r, &err), 0);
	ck_assert(memcmp(&chosen, &res->cr.chosen_score, sizeof(double)) == 0);
	ck_assert(r.min == res->cr.min && r.max == res->cr.max);
	ck_assert(r.q50 == res->cr.q50 && r.mean == res->cr.mean);
	ck_assert(r.cutoff == res->cr.cutoff);
	ck_assert_uint_eq(r.kept, res->cr.kept);
	sortes_cr_result_free(&r);
}

enum coding_case { CC_DEFAULT, CC_REFERENCE, CC_PER_LEVEL, CC_FORMAT1,
    CC_FORMAT1_REFERENCE, CC_N };

/*
 * Reference coding by default (and when asked for): office=midt, the
 * first level, has no column.  One column per level when asked for,
 * and for a trial of log format 1 that does not say.  vest, which no
 * caseworker has, is a constant column left out of the score.
 */
START_TEST(test_constrained_coding)
{
	static const char *const yaml[CC_N] = {
		CW_CONSTRAINED(""),
		CW_CONSTRAINED("    coding: reference\n"),
		CW_CONSTRAINED("    coding: per_level\n"),
		CW_CONSTRAINED(""),
		CW_CONSTRAINED("    coding: reference\n"),
	};
	static const int64_t reference[6 * 3] = { 7, 0, 0, 9, 0, 0, 10, 1, 0,
	    10, 1, 0, 11, 0, 1, 13, 0, 1 };
	static const int64_t per_level[6 * 4] = { 7, 1, 0, 0, 9, 1, 0, 0,
	    10, 0, 1, 0, 10, 0, 1, 0, 11, 0, 0, 1, 13, 0, 0, 1 };
	enum coding_case c = (enum coding_case)_i;
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, yaml[c]);
	struct sortes_randomize_result res;
	char *genesis = query_text(t, "SELECT body FROM log WHERE seq = 1");
	int old = c == CC_FORMAT1 || c == CC_FORMAT1_REFERENCE;

	ck_assert_int_eq(t->log_format, 2);
	ck_assert_ptr_nonnull(strstr(genesis, "\"log_format\":2"));
	if (old)
		t->log_format = 1;	/* as a trial made before format 2 */
	cw_add_example(t, example_office);
	randomize_ok(t, NULL, &res);
	if (c == CC_PER_LEVEL || c == CC_FORMAT1) {
		check_columns(&res, SORTES_CODING_PER_LEVEL, "caseload "
		    "office=midt office=nord office=syd office=vest(constant)");
		check_scores(&res, per_level, 4);
	} else {
		check_columns(&res, SORTES_CODING_REFERENCE, "caseload "
		    "office=nord office=syd office=vest(constant)");
		check_scores(&res, reference, 3);
	}
	if (!old)
		expect_verify_ok(t);
	free(genesis);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * The reference level is the first declared level that a caseworker
 * has: without midt it is nord, so that two levels present make one
 * column.  An enum of one level leaves nothing to score.
 */
START_TEST(test_constrained_reference_absent)
{
	static const char *const office[6] = { "nord", "syd", "nord", "syd",
	    "nord", "syd" };
	static const int64_t x[6 * 2] = { 7, 0, 9, 1, 10, 0, 10, 1, 11, 0,
	    13, 1 };
	static const char one_level[] = "sortes: 1\n"
	    "trial: {id: one, title: One, sponsor: S, target_enrollment: 6}\n"
	    "arms: [{code: I, name: I, ratio: 1}, {code: C, name: C, ratio: 1}]\n"
	    "caseworkers:\n  covariates:\n"
	    "    - {name: office, type: enum, values: [midt], required: true}\n"
	    "randomization:\n  unit: caseworker\n  method: constrained\n"
	    "  constrained: {keep: 0.5}\n";
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, CW_CONSTRAINED(""));
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };

	cw_add_example(t, office);
	randomize_ok(t, NULL, &res);
	check_columns(&res, SORTES_CODING_REFERENCE, "caseload "
	    "office=midt(constant) office=syd office=vest(constant)");
	check_scores(&res, x, 2);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);

	dir = tu_tmpdir();
	t = tu_trial(dir, one_level);
	for (int i = 0; i < 4; i++) {
		const char *names[] = { "office" }, *values[] = { "midt" };
		char code[8];
		struct sortes_caseworker_input in = { .code = code,
		    .team = "Team A", .names = names, .values = values,
		    .ncovariates = 1, .registered_at = NOW };
		struct sortes_registrar *r = NULL;
		struct sortes_caseworker_result cr;

		snprintf(code, sizeof(code), "CW%02d", i + 1);
		ck_assert_int_eq(sortes_registrar_new(&r, t, &err), 0);
		ck_assert_int_eq(sortes_registrar_add(r, &in, &cr, &err), 0);
		ck_assert_int_eq(sortes_registrar_commit(r, &err), 0);
		sortes_registrar_free(r);
	}
	ck_assert_int_eq(sortes_randomize(t, NULL, NOW, &res, &err),
	    SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, "no column to score") != NULL, "%s",
	    err.msg);
	ck_assert_int_eq(count_rows(t, "randomization"), 0);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- a trial of log format 1 ------------------------------------------- */

#ifndef SORTES_TEST_DATA
#define SORTES_TEST_DATA "tests"
#endif

/* tests/data/v1/NAME.sql loaded into DIR/NAME.db, opened. */
static struct sortes_trial *
fixture_v1(const char *dir, const char *name)
{
	struct sortes_error err = { 0 };
	struct sortes_trial *t = NULL;
	char file[64], *path, *db, *dump;
	sqlite3 *raw = NULL;

	snprintf(file, sizeof(file), "%s.sql", name);
	path = tu_path(SORTES_TEST_DATA "/data/v1", file);
	snprintf(file, sizeof(file), "%s.db", name);
	db = tu_path(dir, file);
	dump = tu_read(path);
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, dump, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(raw), SQLITE_OK);
	ck_assert_msg(sortes_trial_open(&t, db, &err) == 0, "%s", err.msg);
	free(dump);
	free(db);
	free(path);
	return t;
}

/*
 * The arms and report that replay gives for randomize entry 'seq',
 * then the columns it scored.  Caller frees.
 */
static char *
replayed(struct sortes_trial *t, const uint8_t seed[32], const char *beacon,
    int64_t seq)
{
	struct sortes_randomize_result res;
	struct sortes_error err = { 0 };
	char *out = calloc(1, 1024);

	ck_assert_ptr_nonnull(out);
	ck_assert_msg(sortes_randomize_replay(t, seed, beacon, seq, &res,
	    &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < res.ncaseworkers; i++)
		snprintf(out + strlen(out), 1024 - strlen(out), "%s %s, ",
		    res.codes[i], t->protocol->arms[res.arms[i]].code);
	snprintf(out + strlen(out), 1024 - strlen(out), "%s\n",
	    res.report.data);
	for (size_t j = 0; j < res.ncols; j++)
		snprintf(out + strlen(out), 1024 - strlen(out), "%s%s",
		    j > 0 ? " " : "", res.col_names[j]);
	sortes_randomize_result_free(&res);
	return out;
}

/*
 * A trial made before log format 2 was randomized with one column per
 * enum level (tests/data/v1/make.sh): its protocol says no coding, so
 * this sortes replays its randomize entry with that coding, to the
 * arms and the report it logged.
 */
START_TEST(test_format1_replay)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = fixture_v1(dir, "ungebudgetter");
	struct sortes_error err = { 0 };
	uint8_t seed[32];
	char *beacon, *logged, *again;
	int found;

	ck_assert_int_eq(t->log_format, 1);
	ck_assert_int_eq(t->protocol->constrained->coding, SORTES_CODING_UNSET);
	ck_assert_int_eq(sortes_randomize_coding(t), SORTES_CODING_PER_LEVEL);
	ck_assert_int_eq(sortes_replay_revealed_seed(t, seed, &found, &err), 0);
	ck_assert_int_eq(found, 1);
	beacon = query_text(t, "SELECT beacon FROM randomization WHERE seq = 12");
	/* in (team, code) order, as replay lists them */
	logged = query_text(t, "SELECT group_concat(line, ', ') || ', ' || "
	    "(SELECT report FROM randomization) FROM (SELECT c.code || ' ' || "
	    "ca.arm AS line FROM caseworker_allocations ca JOIN caseworkers c "
	    "ON c.seq = ca.caseworker WHERE ca.seq = 12 ORDER BY c.team, "
	    "c.code)");
	again = replayed(t, seed, beacon, 12);
	ck_assert_uint_gt(strlen(again), strlen(logged));
	ck_assert(strncmp(again, logged, strlen(logged)) == 0);
	ck_assert_str_eq(again + strlen(logged), "\ncaseload "
	    "share_education_benefit office=midt office=nord office=syd "
	    "office=vest");
	free(again);
	free(logged);
	free(beacon);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* --- replay: the randomize entry's report ------------------------------ */

/* 'report' with the value of 'key' replaced: a number plus one, or
 * true and false swapped; a key it lacks is added in front, with the
 * value 0.  Caller frees. */
static char *
report_rewritten(const char *report, const char *key)
{
	char needle[32], *out = malloc(strlen(report) + 40);
	const char *at, *end;

	ck_assert_ptr_nonnull(out);
	snprintf(needle, sizeof(needle), "\"%s\":", key);
	if ((at = strstr(report, needle)) == NULL) {
		sprintf(out, "{%s0,%s", needle, report + 1);
		return out;
	}
	at += strlen(needle);
	end = at + strcspn(at, ",}");
	memcpy(out, report, (size_t)(at - report));
	if (strncmp(at, "true", 4) == 0 || strncmp(at, "false", 5) == 0)
		strcpy(out + (at - report), *at == 't' ? "false" : "true");
	else
		sprintf(out + (at - report), "%lld",
		    strtoll(at, NULL, 10) + 1);
	strcat(out, end);
	return out;
}

/*
 * Rewrite one value of the report of randomize entry 'seq' in its body
 * and its table row alike and recompute every hash from it on: plain
 * verify cannot tell, only replay can.
 */
static void
forge_report(struct sortes_trial *t, int64_t seq, const char *key)
{
	char sql[512], *report, *forged;

	snprintf(sql, sizeof(sql), "SELECT report FROM randomization WHERE "
	    "seq = %lld", (long long)seq);
	report = query_text(t, sql);
	forged = report_rewritten(report, key);
	snprintf(sql, sizeof(sql), "UPDATE log SET body = replace(body, '%s', "
	    "'%s') WHERE seq = %lld; UPDATE randomization SET report = '%s' "
	    "WHERE seq = %lld", report, forged, (long long)seq, forged,
	    (long long)seq);
	tu_forge(t, sql);
	tu_rehash(t, seq);
	free(report);
	free(forged);
}

static void
expect_replay_fails(struct sortes_trial *t, int64_t seq, const char *what)
{
	struct sortes_replay_report rep;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_replay(t, t->key.seed, &rep, &err),
	    SORTES_EVERIFY);
	ck_assert_int_eq(rep.bad_seq, seq);
	ck_assert_msg(strstr(err.msg, what) != NULL, "expected '%s' in: %s",
	    what, err.msg);
}

static const struct {
	const char *key;
	int constrained;	/* 1: a constrained trial, 0: complete */
	const char *message;
} forged_reports[] = {
	{ "caseworkers", 0, "another report value 'caseworkers': 6, logged 7" },
	{ "caseworkers", 1, "another report value 'caseworkers': 6, logged 7" },
	{ "exact", 1, "another report value 'exact': true, logged false" },
	{ "kept", 1, "another report value 'kept': 8, logged 9" },
	{ "rank", 1, "another report value 'rank': " },
	{ "space", 1, "another report value 'space': 20, logged 21" },
	{ "added", 1, "another report: {\"caseworkers\":6,\"exact\":true,"
	    "\"kept\":8," },
};

/* verify --replay recomputes every value of the report, not only the
 * arms, and names the one that differs. */
START_TEST(test_replay_report)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, forged_reports[_i].constrained ?
	    CW_CONSTRAINED("") : CW_COMPLETE);
	struct sortes_randomize_result res;
	struct sortes_replay_report rep;
	struct sortes_error err = { 0 };

	cw_add_example(t, example_office);
	randomize_ok(t, NULL, &res);
	ck_assert_int_eq(sortes_replay(t, t->key.seed, &rep, &err), 0);
	forge_report(t, res.seq, forged_reports[_i].key);
	expect_verify_ok(t);
	expect_replay_fails(t, res.seq, forged_reports[_i].message);
	sortes_randomize_result_free(&res);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
suite_caseworker(void)
{
	Suite *s = suite_create("caseworker");
	TCase *tc = tcase_create("caseworker");
	TCase *st = tcase_create("statistics");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(st, 120);
	tcase_add_test(tc, test_register);
	tcase_add_test(tc, test_import);
	tcase_add_test(tc, test_complete_sizes);
	tcase_add_test(tc, test_randomize_refusals);
	tcase_add_test(tc, test_beacon);
	tcase_add_test(tc, test_stratified);
	tcase_add_test(tc, test_new_hires);
	tcase_add_test(tc, test_new_hires_21_import);
	tcase_add_test(tc, test_inherit);
	tcase_add_test(tc, test_verify_out_of_memory);
	tcase_add_test(tc, test_reveal_closes_allocation);
	tcase_add_test(tc, test_transfer_withdraw);
	tcase_add_test(tc, test_transfer_individual_trial);
	tcase_add_loop_test(tc, test_tamper, 0, T_N);
	tcase_add_loop_test(tc, test_constrained_coding, 0, CC_N);
	tcase_add_test(tc, test_constrained_reference_absent);
	tcase_add_test(tc, test_format1_replay);
	tcase_add_loop_test(tc, test_replay_report, 0,
	    (int)(sizeof(forged_reports) / sizeof(forged_reports[0])));
	tcase_add_test(st, test_complete_varies);
	tcase_add_test(st, test_complete_balance_statistics);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, st);
	return s;
}
