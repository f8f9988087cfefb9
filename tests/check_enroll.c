/*
 * check_enroll.c - enrollment: validation, eligibility, duplicates,
 * all-or-nothing CSV, and the statistical behaviour of allocation
 * under fixed seeds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/caseworker.h"
#include "sortes/date.h"
#include "sortes/enroll.h"
#include "sortes/verify.h"
#include "minimize.h"
#include "suites.h"
#include "testutil.h"

/* Computed independently of sortes (docs/randomization.md). */
#define STREAM_VECTOR "9f4b5d7f 9ad1828e"

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
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
expect_refusal(struct sortes_trial *t, const char *person, const char *sex,
    const char *birth, const char *message)
{
	struct sortes_error err = { 0 };
	long before = count_rows(t, "log");

	ck_assert_int_eq(tu_enroll(t, person, sex, birth, &err), SORTES_EDATA);
	ck_assert_msg(strstr(err.msg, message) != NULL, "message: %s", err.msg);
	ck_assert_int_eq(count_rows(t, "log"), before);
}

START_TEST(test_enroll_and_verify)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_error err = { 0 };
	struct sortes_verify_report r;

	ck_assert_int_eq(tu_enroll(t, "010203-1234", "F", "2004-02-01", &err), 0);
	ck_assert_int_eq(count_rows(t, "participants"), 1);
	ck_assert_int_eq(count_rows(t, "allocations"), 1);
	ck_assert_int_eq(sortes_verify(t, tu_local_day, &r, &err), 0);
	ck_assert_int_eq(r.entries, 2);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_refusals)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };

	expect_refusal(t, "A", "X", "2004-02-01", "is not one of");
	expect_refusal(t, "A", "F", "01-02-2004", "expected YYYY-MM-DD");
	expect_refusal(t, "A", "F", "1990-02-01", "rule 'age 18-28'");
	/* 18th birthday on the enrollment day (2026-01-15) is eligible;
	 * the day before is not. */
	expect_refusal(t, "A", "F", "2008-01-16", "rule 'age 18-28'");
	ck_assert_int_eq(tu_enroll(t, "B", "F", "2008-01-15", &err), 0);
	expect_refusal(t, "", "F", "2004-02-01", "person identifier is empty");
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_unknown_and_missing_fields)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };
	const char *names[] = { "birth_date", "sex", "benefit", "shoe_size" };
	const char *values[] = { "2004-01-01", "F", "uddannelseshjaelp", "42" };
	struct sortes_enroll_input in = {
		.person = "X", .caseworker = "CW1", .names = names,
		.values = values, .nfields = 4,
		.enrolled_at = "2026-01-15T10:00:00Z",
		.enroll_day = 20468,
	};

	ck_assert_int_eq(sortes_enroller_new(&e, t, &err), 0);
	ck_assert_int_eq(sortes_enroller_add(e, &in, &res, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown field 'shoe_size'"));
	in.nfields = 2;
	ck_assert_int_eq(sortes_enroller_add(e, &in, &res, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "field 'benefit' is required"));
	in.nfields = 3;
	in.caseworker = "CW 1";
	ck_assert_int_eq(sortes_enroller_add(e, &in, &res, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "caseworker"));
	sortes_enroller_free(e);
	ck_assert_int_eq(count_rows(t, "log"), 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_duplicate_person)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_error err = { 0 };

	ck_assert_int_eq(tu_enroll(t, "010203-1234", "F", "2004-02-01", &err), 0);
	/* The same CPR number, written without the hyphen and with blanks. */
	expect_refusal(t, " 0102031234 ", "M", "2004-02-01", "already enrolled");
	ck_assert_int_eq(tu_enroll(t, "010203-1235", "F", "2004-02-01", &err), 0);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* TU_SIMPLE whose trial declares its identifiers CPR numbers. */
static char *
cpr_protocol(void)
{
	static const char at[] = "  target_enrollment: 100\n";
	const char *base = TU_SIMPLE, *cut = strstr(base, at);
	size_t size = strlen(base) + 32;
	char *yaml = malloc(size);

	ck_assert_ptr_nonnull(cut);
	ck_assert_ptr_nonnull(yaml);
	cut += sizeof(at) - 1;
	snprintf(yaml, size, "%.*s  identifier: cpr\n%s", (int)(cut - base),
	    base, cut);
	return yaml;
}

/* The kind comes from the protocol; synthetic CPR numbers (serial 9xxx). */
START_TEST(test_identifier_kinds)
{
	char *dir = tu_tmpdir(), *yaml = cpr_protocol();
	struct sortes_trial *t = tu_trial(dir, yaml);
	struct sortes_error err = { 0 };

	ck_assert_msg(tu_enroll(t, "010190-9001", "F", "2004-02-01", &err) == 0,
	    "%s", err.msg);
	expect_refusal(t, " 0101909001", "F", "2004-02-01", "already enrolled");
	expect_refusal(t, "010190 9001", "F", "2004-02-01", "person "
	    "identifier: character 7 is U+0020 (space), white space inside "
	    "the identifier; expected a CPR number");
	expect_refusal(t, "\xEF\xBB\xBF" "010190-9001", "F", "2004-02-01",
	    "person identifier: character 1 is U+FEFF (byte order mark)");
	expect_refusal(t, "320190-9001", "F", "2004-02-01", "the day (digits "
	    "1-2) is not a day of that month");
	expect_refusal(t, "SYN-1", "F", "2004-02-01", "character 1 is 'S'");
	ck_assert_int_eq(count_rows(t, "participants"), 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
	free(yaml);

	/* Without the key: ascii, which takes SYN-1 but no inner space. */
	dir = tu_tmpdir();
	t = tu_trial(dir, TU_SIMPLE);
	ck_assert_int_eq(tu_enroll(t, "SYN-1", "F", "2004-02-01", &err), 0);
	expect_refusal(t, "010203 1234", "F", "2004-02-01", "person "
	    "identifier: character 7 is U+0020 (space), white space inside "
	    "the identifier; expected printable ASCII without white space "
	    "inside");
	ck_assert_int_eq(count_rows(t, "participants"), 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_pseudonym_not_clear)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_SIMPLE);
	struct sortes_error err = { 0 };
	sqlite3_stmt *st = NULL;

	ck_assert_int_eq(tu_enroll(t, "311299-9999", "F", "2004-02-01", &err), 0);
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT count(*) FROM "
	    "log WHERE body LIKE '%3112999999%' OR body LIKE '%311299-9999%'",
	    &err), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Stratified blocks by a derived age band and the caseworker's team. */
static const char derived_strata[] =
    "sortes: 1\n"
    "trial: {id: ds, title: D, sponsor: S, target_enrollment: 10}\n"
    "arms:\n"
    "  - {code: I, name: Intervention, ratio: 1}\n"
    "  - {code: C, name: Control, ratio: 1}\n"
    "randomization:\n"
    "  unit: individual\n"
    "  method: stratified_blocks\n"
    "  strata: [caseworker_team, age_band]\n"
    "  block_sizes: [2, 4]\n"
    "fields:\n"
    "  - {name: birth_date, type: date, required: true}\n"
    "derived:\n"
    "  - {name: age_band, age_of: birth_date, bands: [18, 23, 29]}\n";

static int
enroll_aged(struct sortes_trial *t, const char *person, const char *cw,
    const char *birth, struct sortes_enroll_result *res,
    struct sortes_error *err)
{
	const char *names[] = { "birth_date" }, *values[] = { birth };
	struct sortes_enroll_input in = {
		.person = person, .caseworker = cw, .names = names,
		.values = values, .nfields = 1,
		.enrolled_at = "2026-01-15T10:00:00Z",
		.enroll_day = sortes_date_from_ymd(2026, 1, 15),
	};
	struct sortes_enroller *e = NULL;
	int rc = sortes_enroller_new(&e, t, err);

	if (rc == 0)
		rc = sortes_enroller_add(e, &in, res, err);
	if (rc == 0)
		rc = sortes_enroller_commit(e, err);
	sortes_enroller_free(e);
	return rc;
}

static void
register_team(struct sortes_trial *t, const char *code, const char *team)
{
	struct sortes_caseworker_input in = { .code = code, .team = team,
	    .registered_at = "2026-01-15T10:00:00Z" };
	struct sortes_caseworker_result res;
	struct sortes_registrar *r = NULL;
	struct sortes_error err = { 0 };

	ck_assert_int_eq(sortes_registrar_new(&r, t, &err), 0);
	ck_assert_msg(sortes_registrar_add(r, &in, &res, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_registrar_commit(r, &err), 0);
	sortes_registrar_free(r);
}

START_TEST(test_derived_and_team_strata)
{
	char *dir = tu_tmpdir(), person[16], birth[16];
	struct sortes_trial *t = tu_trial(dir, derived_strata);
	struct sortes_enroll_result res;
	struct sortes_error err = { 0 };
	struct sortes_verify_report rep;
	sqlite3_stmt *st = NULL;
	long diff[4] = { 0 };

	register_team(t, "CW1", "Nord");
	register_team(t, "CW2", "Syd");
	for (int i = 0; i < 80; i++) {
		/* ages 19..28 on 2026-01-15: 19-22 fall in band 18-22 */
		snprintf(person, sizeof(person), "D%d", i);
		snprintf(birth, sizeof(birth), "%d-01-01", 2007 - i % 10);
		ck_assert_msg(enroll_aged(t, person, i % 3 ? "CW1" : "CW2",
		    birth, &res, &err) == 0, "%s", err.msg);
		diff[(i % 3 ? 0 : 2) + (i % 10 >= 4)] += res.arm == 0 ? 1 : -1;
		for (int k = 0; k < 4; k++)
			ck_assert_int_le(labs(diff[k]), 2);
	}
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT count(DISTINCT "
	    "stratum) FROM participants WHERE stratum IN ("
	    "'{\"age_band\":\"18-22\",\"caseworker_team\":\"Nord\"}', "
	    "'{\"age_band\":\"23-28\",\"caseworker_team\":\"Nord\"}', "
	    "'{\"age_band\":\"18-22\",\"caseworker_team\":\"Syd\"}', "
	    "'{\"age_band\":\"23-28\",\"caseworker_team\":\"Syd\"}')",
	    &err), 0);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 4);
	sqlite3_finalize(st);
	/* Outside every band, or with an unregistered caseworker. */
	ck_assert_int_eq(enroll_aged(t, "X1", "CW1", "1990-01-01", &res, &err),
	    SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "falls in none of its bands"));
	ck_assert_int_eq(enroll_aged(t, "X2", "CW9", "2005-01-01", &res, &err),
	    SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "team is needed"));
	ck_assert_int_eq(sortes_verify(t, tu_local_day, &rep, &err), 0);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A protocol with two factors, for the minimization tests. */
#define MZ_PROTOCOL(method, extra) \
	"sortes: 1\n" \
	"trial: {id: mz, title: M, sponsor: S, target_enrollment: 10}\n" \
	"arms:\n" \
	"  - {code: I, name: Intervention, ratio: 1}\n" \
	"  - {code: C, name: Control, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: " method "\n" \
	extra \
	"fields:\n" \
	"  - {name: jobcentre, type: enum, values: [a, b, c, d]}\n" \
	"  - {name: sex, type: enum, values: [F, M]}\n"

/*
 * Allocate n participants whose sex and job centre come from a fixed
 * sequence, by minimization (or simple randomization when 'simple'),
 * with a fixed seed; return the sum over the six levels of the
 * absolute difference between the arms, and the largest one.
 */
static void
marginal_imbalance(int simple, uint8_t seed_byte, int n, long *total,
    long *largest)
{
	static const char *const jc[] = { "a", "b", "c", "d" };
	static const char *const sex[] = { "F", "M" };
	const char *yaml = simple ? MZ_PROTOCOL("simple", "") :
	    MZ_PROTOCOL("minimization", "  minimization: {factors: "
	    "[{name: sex}, {name: jobcentre}], probability: 0.8}\n");
	char *dir = tu_tmpdir(), *path = tu_path(dir, "m.db");
	struct sortes_protocol *p = NULL;
	struct sortes_db *db = NULL;
	struct sortes_allocator *a = NULL;
	struct sortes_minimizer *m = NULL;
	struct sortes_error err = { 0 };
	struct sortes_pcg32 people;
	struct sortes_value values[2];
	long diff[6] = { 0 };
	uint8_t seed[32];
	struct sortes_jcs levels;

	sortes_jcs_init(&levels);
	memset(seed, seed_byte, sizeof(seed));
	memset(values, 0, sizeof(values));
	sortes_pcg32_seed(&people, 99, 1);
	ck_assert_int_eq(sortes_protocol_parse(&p, yaml, strlen(yaml), "mz",
	    &err), 0);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	ck_assert_int_eq(sortes_db_begin(db, &err), 0);
	ck_assert_int_eq(sortes_allocator_new(&a, db, p, seed, &err), 0);
	if (!simple)
		ck_assert_int_eq(sortes_minimizer_new(&m, db, p, a, &err), 0);
	for (int i = 0; i < n; i++) {
		struct sortes_levels_input in = { p, values, 0, NULL };
		struct sortes_allocation al;
		uint32_t j = sortes_pcg32_bounded(&people, 4);
		uint32_t x = sortes_pcg32_bounded(&people, 2);

		/* fields sorted by name: jobcentre, sex */
		values[0] = (struct sortes_value){ 1, SORTES_FIELD_ENUM, 0, 0,
		    0, (char *)jc[j] };
		values[1] = (struct sortes_value){ 1, SORTES_FIELD_ENUM, 0, 0,
		    0, (char *)sex[x] };
		if (simple)
			ck_assert_int_eq(sortes_allocator_next(a, "{}", &al,
			    &err), 0);
		else {
			ck_assert_int_eq(sortes_levels_json(&levels,
			    p->minimization->factors, p->minimization->nfactors,
			    &in, &err), 0);
			ck_assert_msg(sortes_minimizer_next(m, levels.data, &al,
			    &err) == 0, "%s", err.msg);
		}
		diff[j] += al.arm == 0 ? 1 : -1;
		diff[4 + x] += al.arm == 0 ? 1 : -1;
	}
	*total = *largest = 0;
	for (int k = 0; k < 6; k++) {
		*total += labs(diff[k]);
		*largest = labs(diff[k]) > *largest ? labs(diff[k]) : *largest;
	}
	sortes_jcs_free(&levels);
	sortes_minimizer_free(m);
	sortes_allocator_free(a);
	sortes_db_close(db);
	sortes_protocol_free(p);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

START_TEST(test_minimization_balances)
{
	long mz_total, mz_largest, sr_total, sr_largest, seed_total = 0;

	/* Over several fixed seeds, minimization keeps every level within
	 * a few participants of balance, far below simple randomization. */
	for (uint8_t seed = 1; seed <= 5; seed++) {
		marginal_imbalance(0, seed, 600, &mz_total, &mz_largest);
		marginal_imbalance(1, seed, 600, &sr_total, &sr_largest);
		ck_assert_msg(mz_largest <= 6, "minimization: level off by %ld",
		    mz_largest);
		ck_assert_msg(4 * mz_total < sr_total, "minimization %ld vs "
		    "simple %ld", mz_total, sr_total);
		seed_total += mz_total;
	}
	ck_assert_int_gt(seed_total, 0);	/* not deterministic alternation */
}
END_TEST

/* Collects refused rows for the CSV tests. */
struct rejects {
	long lines[16];
	char reasons[16][256];
	int n;
};

static int
collect(void *ctx, long line, const char *const *header, size_t nheader,
    const char *const *cells, size_t ncells, const char *reason)
{
	struct rejects *r = ctx;

	(void)header; (void)nheader; (void)cells; (void)ncells;
	ck_assert_int_lt(r->n, 16);
	r->lines[r->n] = line;
	snprintf(r->reasons[r->n++], 256, "%s", reason);
	return 0;
}

static int
enroll_text(struct sortes_trial *t, const char *text, int skip,
    struct rejects *r, struct sortes_csv_summary *s, struct sortes_error *err)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	struct sortes_import_hooks hooks = { .on_reject = collect, .ctx = r };
	int rc;

	ck_assert_ptr_nonnull(fp);
	memset(r, 0, sizeof(*r));
	rc = sortes_enroll_csv(t, fp, "cohort.csv", 0, skip,
	    "2026-01-15T10:00:00Z", 20468, &hooks, s, err);
	fclose(fp);
	return rc;
}

static const char cohort_bad[] =
    "person,caseworker,birth_date,sex,benefit\n"
    "P1,CW1,2004-01-01,F,uddannelseshjaelp\n"
    "P2,CW1,2004-01-01,Q,uddannelseshjaelp\n"
    "P3,CW2,1980-01-01,M,uddannelseshjaelp\n"
    "P1,CW2,2004-01-01,M,uddannelseshjaelp\n"
    "P5,CW2,2004-01-01,M,uddannelseshjaelp\n";

START_TEST(test_csv_all_or_nothing)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct rejects r;

	ck_assert_int_eq(enroll_text(t, cohort_bad, 0, &r, &s, &err),
	    SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "nobody was enrolled"));
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(r.lines[0], 3);
	ck_assert_ptr_nonnull(strstr(r.reasons[0], "field 'sex'"));
	ck_assert_int_eq(r.lines[1], 4);
	ck_assert_ptr_nonnull(strstr(r.reasons[1], "not eligible"));
	ck_assert_int_eq(r.lines[2], 5);
	ck_assert_ptr_nonnull(strstr(r.reasons[2], "already enrolled"));
	ck_assert_int_eq(count_rows(t, "log"), 1);
	ck_assert_int_eq(count_rows(t, "participants"), 0);
	ck_assert_int_eq(count_rows(t, "alloc_state"), 0);
	sortes_csv_summary_free(&s);
	/* The same file with skip_invalid enrolls the two good rows. */
	ck_assert_int_eq(enroll_text(t, cohort_bad, 1, &r, &s, &err), 0);
	ck_assert_int_eq(s.enrolled, 2);
	ck_assert_int_eq(s.rejected, 3);
	ck_assert_int_eq(s.per_arm[0] + s.per_arm[1], 2);
	ck_assert_int_eq(count_rows(t, "participants"), 2);
	sortes_csv_summary_free(&s);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* What an import's hooks and progress heard. */
struct heard {
	long lines[16];
	char ids[16][SORTES_UUID_LEN];
	int64_t seqs[16];
	size_t n;
	int64_t updates, last_done, last_total;
	int64_t read, size;		/* of the input, at the last update */
};

static int
heard_added(void *ctx, long line, const char *const *keys,
    const struct sortes_import_added *added)
{
	struct heard *h = ctx;

	ck_assert_str_eq(keys[1], line == 2 ? "CW1" : "CW2");
	ck_assert_uint_lt(h->n, 16);
	h->lines[h->n] = line;
	memcpy(h->ids[h->n], added->id, SORTES_UUID_LEN);
	h->seqs[h->n++] = added->seq;
	return 0;
}

static void
heard_progress(void *ctx, const struct sortes_progress_at *at)
{
	struct heard *h = ctx;

	ck_assert_str_eq(at->unit, "rows");
	ck_assert_int_eq(at->done, h->last_done + 1);
	ck_assert_int_ge(at->read, h->read);
	ck_assert_int_le(at->read, at->size);
	h->read = at->read;
	h->size = at->size;
	h->updates++;
	h->last_done = at->done;
	h->last_total = at->total;
}

START_TEST(test_csv_hooks_and_progress)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct heard h = { .n = 0 };
	struct sortes_progress pr = { heard_progress, &h };
	struct sortes_import_hooks hooks = { .on_added = heard_added,
	    .ctx = &h };
	FILE *fp = fmemopen((void *)cohort_bad, strlen(cohort_bad), "r");
	sqlite3_stmt *st = NULL;

	ck_assert_ptr_nonnull(fp);
	t->progress = &pr;
	ck_assert_int_eq(sortes_enroll_csv(t, fp, "cohort.csv", 0, 1,
	    "2026-01-15T10:00:00Z", 20468, &hooks, &s, &err), 0);
	fclose(fp);
	/* Every row read is told, none of its total (not known ahead). */
	ck_assert_int_eq(h.updates, 5);
	ck_assert_int_eq(h.last_total, 0);
	/* An input in memory has no size to be part of. */
	ck_assert_int_eq(h.size, 0);
	/* The two enrolled rows, lines 2 and 6, as the tables hold them. */
	ck_assert_uint_eq(h.n, 2);
	ck_assert_int_eq(h.lines[0], 2);
	ck_assert_int_eq(h.lines[1], 6);
	ck_assert_int_eq(sortes_db_prepare(t->db, &st, "SELECT id, seq FROM "
	    "participants ORDER BY seq", &err), 0);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		ck_assert_str_eq((const char *)sqlite3_column_text(st, 0),
		    h.ids[i]);
		ck_assert_int_eq(sqlite3_column_int64(st, 1), h.seqs[i]);
	}
	sqlite3_finalize(st);
	sortes_csv_summary_free(&s);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A file's size is known: how much of it the rows read so far are. */
START_TEST(test_csv_progress_of_file)
{
	char *dir = tu_tmpdir(), path[4096];
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct heard h = { .n = 0 };
	struct sortes_progress pr = { heard_progress, &h };
	FILE *fp;

	snprintf(path, sizeof(path), "%s/cohort.csv", dir);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_eq(fputs(cohort_bad, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	t->progress = &pr;
	ck_assert_int_eq(sortes_enroll_csv(t, fp, "cohort.csv", 0, 1,
	    "2026-01-15T10:00:00Z", 20468, NULL, &s, &err), 0);
	fclose(fp);
	ck_assert_int_eq(h.updates, 5);
	ck_assert_int_eq(h.size, (int64_t)strlen(cohort_bad));
	ck_assert_int_gt(h.read, 0);
	sortes_csv_summary_free(&s);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_csv_spreadsheet_forms)
{
	static const char excel[] =
	    "\xef\xbb\xbfperson;sex;caseworker;benefit;birth_date\r\n"
	    "\"P1\";F;CW1;uddannelseshjaelp;2004-01-01\r\n"
	    "\"P;2\";M;\"CW\n2\";uddannelseshjaelp;2004-01-01\r\n"
	    "P3;M;CW3;uddannelseshjaelp;2004-01-01\r\n";
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct rejects r;

	/* Row 2's caseworker holds a line break, which a code may not:
	 * it is refused, and the row after it is reported on line 5. */
	ck_assert_int_eq(enroll_text(t, excel, 1, &r, &s, &err), 0);
	ck_assert_int_eq(s.enrolled, 2);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.lines[0], 3);
	ck_assert_ptr_nonnull(strstr(r.reasons[0], "caseworker"));
	sortes_csv_summary_free(&s);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_csv_bad_header)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_error err = { 0 };
	struct sortes_csv_summary s;
	struct rejects r;

	ck_assert_int_eq(enroll_text(t, "person,caseworker,shoe\nP,C,1\n", 0,
	    &r, &s, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown column 'shoe'"));
	sortes_csv_summary_free(&s);
	ck_assert_int_eq(enroll_text(t, "person,birth_date\nP,2004-01-01\n", 0,
	    &r, &s, &err), SORTES_EDATA);
	ck_assert_ptr_nonnull(strstr(err.msg, "'caseworker'"));
	sortes_csv_summary_free(&s);
	ck_assert_int_eq(count_rows(t, "log"), 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * Allocation under a fixed seed, without the enrollment layer: a
 * database for the counters, the protocol, and 'n' allocations over
 * the given strata in turn.
 */
static void
allocate(const char *yaml, uint8_t seed_byte, const char *const *strata,
    size_t nstrata, size_t n, size_t *arms, int64_t *positions)
{
	char *dir = tu_tmpdir(), *path = tu_path(dir, "a.db");
	struct sortes_protocol *p = NULL;
	struct sortes_db *db = NULL;
	struct sortes_allocator *a = NULL;
	struct sortes_error err = { 0 };
	uint8_t seed[32];

	memset(seed, seed_byte, sizeof(seed));
	ck_assert_int_eq(sortes_protocol_parse(&p, yaml, strlen(yaml), "t",
	    &err), 0);
	ck_assert_int_eq(sortes_db_open(&db, path, SORTES_DB_CREATE, &err), 0);
	ck_assert_int_eq(sortes_db_begin(db, &err), 0);
	ck_assert_int_eq(sortes_allocator_new(&a, db, p, seed, &err), 0);
	for (size_t i = 0; i < n; i++) {
		struct sortes_allocation al;

		ck_assert_int_eq(sortes_allocator_next(a, strata[i % nstrata],
		    &al, &err), 0);
		arms[i] = al.arm;
		if (positions != NULL)
			positions[i] = al.position;
	}
	sortes_allocator_free(a);
	sortes_db_close(db);
	sortes_protocol_free(p);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

START_TEST(test_blocks_bound_imbalance)
{
	static const char *const strata[] = {
		"{\"sex\":\"F\"}", "{\"sex\":\"M\"}", "{\"sex\":\"M\"}",
	};
	enum { N = 3000 };
	size_t *arms = malloc(N * sizeof(*arms));
	long diff[3] = { 0 };

	allocate(TU_STRATIFIED, 7, strata, 3, N, arms, NULL);
	/* Blocks of 2 or 4 at 1:1: within a stratum the arms never differ
	 * by more than half the largest block, at any moment. */
	for (size_t i = 0; i < N; i++) {
		size_t s = strcmp(strata[i % 3], strata[0]) == 0 ? 0 : 1;

		diff[s] += arms[i] == 0 ? 1 : -1;
		ck_assert_int_le(labs(diff[s]), 2);
	}
	free(arms);
}
END_TEST

START_TEST(test_block_contents)
{
	static const char *const one[] = { "{}" };
	enum { N = 600 };
	size_t arms[N];
	int64_t pos[N];
	long count[2] = { 0 };

	/* Every completed block holds each arm exactly in the ratio. */
	allocate(TU_BLOCKS, 3, one, 1, N, arms, pos);
	for (size_t i = 0; i < N; i++) {
		if (pos[i] == 0 && i > 0) {
			ck_assert_int_eq(count[0], count[1]);
			count[0] = count[1] = 0;
		}
		count[arms[i]]++;
	}
}
END_TEST

START_TEST(test_simple_chi_square)
{
	static const char *const one[] = { "{}" };
	enum { N = 20000 };
	size_t *arms = malloc(N * sizeof(*arms));
	double n0 = 0, chi2;

	allocate(TU_SIMPLE, 11, one, 1, N, arms, NULL);
	for (size_t i = 0; i < N; i++)
		n0 += arms[i] == 0;
	chi2 = 2 * (n0 - N / 2.0) * (n0 - N / 2.0) / (N / 2.0);
	/* 10.83 is the 0.1% critical value with one degree of freedom. */
	ck_assert_msg(chi2 < 10.83, "chi-square %.2f (%g of %d)", chi2, n0, N);
	/* ...and the draws are not simply alternating. */
	{
		long runs = 1;

		for (size_t i = 1; i < N; i++)
			runs += arms[i] != arms[i - 1];
		ck_assert_msg(fabs(runs - N / 2.0) < 4 * sqrt(N / 4.0),
		    "runs %ld", runs);
	}
	free(arms);
}
END_TEST

START_TEST(test_replay_and_seed)
{
	static const char *const strata[] = { "{\"sex\":\"F\"}", "{\"sex\":\"M\"}" };
	enum { N = 400 };
	size_t a[N], b[N], c[N];
	int differ = 0;

	allocate(TU_STRATIFIED, 5, strata, 2, N, a, NULL);
	allocate(TU_STRATIFIED, 5, strata, 2, N, b, NULL);
	allocate(TU_STRATIFIED, 6, strata, 2, N, c, NULL);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	for (size_t i = 0; i < N; i++)
		differ += a[i] != c[i];
	ck_assert_int_gt(differ, N / 5);
}
END_TEST

START_TEST(test_stream_derivation_vector)
{
	/* The documented example of docs/randomization.md: seed of 32
	 * bytes 0x01, purpose "block", stratum "{}", counter 0. */
	struct sortes_pcg32 rng;
	struct sortes_hmac *mac = NULL;
	struct sortes_jcs j;
	struct sortes_error err = { 0 };
	uint8_t seed[32];
	uint32_t first, second;
	char line[64];

	memset(seed, 1, sizeof(seed));
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_hmac_new(&mac, seed, 32, &err), 0);
	ck_assert_int_eq(sortes_stream_derive(&rng, mac, &j, "block", "{}", 0,
	    &err), 0);
	ck_assert_str_eq(j.data, "[\"sortes/1\",\"block\",\"{}\",0]");
	first = sortes_pcg32_next(&rng);
	second = sortes_pcg32_next(&rng);
	snprintf(line, sizeof(line), "%08x %08x", first, second);
	ck_assert_str_eq(line, STREAM_VECTOR);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
}
END_TEST

Suite *
suite_enroll(void)
{
	Suite *s = suite_create("enroll");
	TCase *tc = tcase_create("enroll");
	TCase *st = tcase_create("statistics");

	tcase_set_timeout(tc, 60);
	tcase_set_timeout(st, 120);
	tcase_add_test(tc, test_enroll_and_verify);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_unknown_and_missing_fields);
	tcase_add_test(tc, test_duplicate_person);
	tcase_add_test(tc, test_identifier_kinds);
	tcase_add_test(tc, test_pseudonym_not_clear);
	tcase_add_test(tc, test_csv_all_or_nothing);
	tcase_add_test(tc, test_csv_hooks_and_progress);
	tcase_add_test(tc, test_csv_progress_of_file);
	tcase_add_test(tc, test_csv_spreadsheet_forms);
	tcase_add_test(tc, test_csv_bad_header);
	tcase_add_test(st, test_blocks_bound_imbalance);
	tcase_add_test(st, test_block_contents);
	tcase_add_test(st, test_simple_chi_square);
	tcase_add_test(st, test_replay_and_seed);
	tcase_add_test(st, test_minimization_balances);
	tcase_add_test(st, test_derived_and_team_strata);
	tcase_add_test(st, test_stream_derivation_vector);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, st);
	return s;
}
