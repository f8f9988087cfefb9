/*
 * check_protocol_json.c - the canonical JSON form of a parsed protocol,
 * its commitment in the genesis entry (log format 2), and verify's
 * checks of both.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/crypto.h"
#include "sortes/protocol_json.h"
#include "sortes/record.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

/* The JSON of 'yaml' under log format 'format'; the caller frees it. */
static char *
json_in(const char *yaml, int format)
{
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };
	struct sortes_jcs j;
	char *out;

	ck_assert_msg(sortes_protocol_parse(&p, yaml, strlen(yaml), "t.yaml",
	    &err) == 0, "%s", err.msg);
	sortes_jcs_init(&j);
	ck_assert_msg(sortes_protocol_json(&j, p, format, &err) == 0, "%s",
	    err.msg);
	out = strdup(j.data);
	sortes_jcs_free(&j);
	sortes_protocol_free(p);
	ck_assert_ptr_nonnull(out);
	return out;
}

static char *
json_of(const char *yaml)
{
	return json_in(yaml, 2);
}

static void
has(const char *json, const char *part)
{
	ck_assert_msg(strstr(json, part) != NULL, "no %s in %s", part, json);
}

START_TEST(test_json_blocks)
{
	char *j = json_of(TU_PROTOCOL("stratified_blocks",
	    "  strata: [sex, age_band]\n  block_sizes: [2, 4]\n"
	    "derived:\n  - {name: age_band, age_of: birth_date, "
	    "bands: [18, 23, 29]}\n"));

	has(j, "\"arms\":[{\"code\":\"I\",\"name\":\"Intervention\","
	    "\"ratio\":1},{\"code\":\"C\",\"name\":\"Control\",\"ratio\":1}]");
	has(j, "\"budget\":null,\"caseworker_covariates\":[],");
	has(j, "\"derived\":[{\"age_of\":\"birth_date\",\"cuts\":[18,23,29],"
	    "\"labels\":[\"18-22\",\"23-28\"],\"name\":\"age_band\"}]");
	has(j, "{\"field\":\"birth_date\",\"kind\":\"age\",\"max\":28,"
	    "\"min\":18,\"name\":\"age 18-28\",\"values\":null}");
	has(j, "{\"field\":\"benefit\",\"kind\":\"equals\",\"max\":null,"
	    "\"min\":null,\"name\":\"on education benefit\","
	    "\"values\":[\"uddannelseshjaelp\"]}");
	/* fields sorted by name, every key present */
	has(j, "\"fields\":[{\"decimals\":null,\"label\":null,\"max\":null,"
	    "\"min\":null,\"name\":\"benefit\",\"required\":true,"
	    "\"type\":\"enum\",\"values\":[\"uddannelseshjaelp\","
	    "\"kontanthjaelp\"]},{\"decimals\":null,\"label\":null,"
	    "\"max\":null,\"min\":null,\"name\":\"birth_date\"");
	has(j, "\"name\":\"months_out\",\"required\":false,"
	    "\"type\":\"integer\",\"values\":null}");
	has(j, "\"randomization\":{\"beacon\":null,\"block_sizes\":[2,4],"
	    "\"constrained\":null,\"matched_pairs\":null,"
	    "\"method\":\"stratified_blocks\",\"minimization\":null,"
	    "\"new_hires\":null,\"strata\":[\"sex\",\"age_band\"],"
	    "\"unit\":\"individual\"}");
	has(j, "\"trial\":{\"id\":\"testtrial\",\"identifier\":\"ascii\","
	    "\"outcome_assessment\":\"open\",\"sponsor\":\"Test\","
	    "\"target_enrollment\":100,\"timezone\":\"Europe/Copenhagen\","
	    "\"title\":\"Test trial\",\"weekends\":\"keep\"}}");
	free(j);
}
END_TEST

START_TEST(test_json_minimization)
{
	char *j = json_of(TU_PROTOCOL("minimization",
	    "  minimization:\n    factors: [{name: sex}, "
	    "{name: benefit, weight: 2}]\n    probability: 0.8\n"));

	has(j, "\"minimization\":{\"factors\":[\"sex\",\"benefit\"],"
	    "\"probability_per10k\":8000,\"weights\":[1,2]}");
	has(j, "\"block_sizes\":[],");
	free(j);
}
END_TEST

/* A caseworker-level protocol with the given randomization lines. */
#define CW_PROTOCOL(extra) \
	"sortes: 1\n" \
	"trial: {id: cw, title: T, sponsor: S, target_enrollment: 10}\n" \
	"arms:\n" \
	"  - {code: A, name: First, ratio: 1}\n" \
	"  - {code: B, name: Second, ratio: 1}\n" \
	"caseworkers:\n" \
	"  covariates:\n" \
	"    - {name: caseload, type: integer, min: 0, required: true}\n" \
	"    - {name: office, type: enum, values: [n, s], required: true}\n" \
	"randomization:\n" \
	"  unit: caseworker\n" \
	extra \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n"

START_TEST(test_json_caseworker_methods)
{
	char *j = json_of(CW_PROTOCOL("  method: constrained\n"
	    "  constrained: {covariates: [office, caseload], metric: l1, "
	    "keep: 0.25, weights: {office: 3}}\n"
	    "  beacon: {source: drand, date: 2026-05-04}\n"));

	has(j, "\"beacon\":{\"date\":\"2026-05-04\",\"round\":null,"
	    "\"source\":\"drand\"}");
	has(j, "\"constrained\":{\"coding\":\"reference\","
	    "\"covariates\":[\"office\",\"caseload\"],"
	    "\"keep_per10k\":2500,\"metric\":\"l1\",\"weights\":[3,1]}");
	/* new hires default to blocks of twice the ratio sum */
	has(j, "\"new_hires\":{\"block_sizes\":[4]}");
	free(j);
	/* A format-1 trial scored enum covariates one column per level. */
	j = json_in(CW_PROTOCOL("  method: constrained\n"
	    "  constrained: {covariates: [office], keep: 0.5}\n"), 1);
	has(j, "\"constrained\":{\"coding\":\"per_level\",");
	free(j);
	j = json_in(CW_PROTOCOL("  method: constrained\n"
	    "  constrained: {covariates: [office], keep: 0.5, "
	    "coding: per_level}\n"), 2);
	has(j, "\"constrained\":{\"coding\":\"per_level\",");
	free(j);
	j = json_of(CW_PROTOCOL("  method: matched_pairs\n"
	    "  matched_pairs: {pairs: [[CW1, CW2], [CW3, CW4]]}\n"));
	has(j, "\"matched_pairs\":{\"by\":null,\"pairs\":[[\"CW1\",\"CW2\"],"
	    "[\"CW3\",\"CW4\"]]}");
	free(j);
	j = json_of(CW_PROTOCOL("  method: matched_pairs\n"
	    "  matched_pairs: {by: caseload}\n"));
	has(j, "\"matched_pairs\":{\"by\":\"caseload\",\"pairs\":null}");
	free(j);
}
END_TEST

START_TEST(test_json_trial_keys)
{
	char *j = json_of("sortes: 1\n"
	    "trial: {id: t, title: T, sponsor: S, target_enrollment: 10,\n"
	    "  identifier: cpr, outcome_assessment: blinded,\n"
	    "  timezone: UTC, weekends: nearest}\n"
	    "arms: [{code: A, name: A, ratio: 1}, {code: B, name: B, ratio: 2}]\n"
	    "randomization: {unit: individual, method: simple}\n");

	has(j, "\"trial\":{\"id\":\"t\",\"identifier\":\"cpr\","
	    "\"outcome_assessment\":\"blinded\",\"sponsor\":\"S\","
	    "\"target_enrollment\":10,\"timezone\":\"UTC\",\"title\":\"T\","
	    "\"weekends\":\"nearest\"}");
	has(j, "{\"code\":\"B\",\"name\":\"B\",\"ratio\":2}");
	free(j);
}
END_TEST

START_TEST(test_json_followups_budget)
{
	char *j = json_of(CW_PROTOCOL("  method: complete\n")
	    "measures:\n"
	    "  - {code: hours, type: decimal, decimals: 1, min: 0, max: 80}\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 months, window: {before: 14 days, "
	    "after: 2 weeks}, measures: [hours]}\n"
	    "  - {code: m9, offset: 3 months, after: m6, arms: [B], "
	    "window: {before: 1 week, after: 1 week}, measures: [hours]}\n"
	    "budget: {amount: \"100.50\", currency: DKK, arms: [B]}\n");

	has(j, "\"budget\":{\"amount_minor\":10050,\"arms\":[\"B\"],"
	    "\"categories\":null,\"currency\":\"DKK\"}");
	has(j, "\"measures\":[{\"decimals\":1,\"label\":null,\"max\":\"80.0\","
	    "\"min\":\"0.0\",\"name\":\"hours\",\"required\":false,"
	    "\"type\":\"decimal\",\"values\":null}]");
	has(j, "{\"after\":null,\"arms\":null,\"code\":\"m6\",\"label\":null,"
	    "\"measures\":[\"hours\"],\"offset\":{\"n\":6,\"unit\":\"months\"},"
	    "\"window\":{\"after\":{\"n\":2,\"unit\":\"weeks\"},"
	    "\"before\":{\"n\":14,\"unit\":\"days\"}}}");
	has(j, "{\"after\":\"m6\",\"arms\":[\"B\"],\"code\":\"m9\"");
	free(j);
}
END_TEST

/* A new trial stores the JSON and its genesis entry commits to it. */
/*
 * A protocol that declares no date_format has the bytes it had before
 * the key existed: the shipped ones hash as they always did, and their
 * trials' commitments stay valid.
 */
START_TEST(test_json_shipped_unchanged)
{
	static const struct { const char *file, *sha256; } shipped[] = {
		{ SORTES_TOP_SRCDIR "/protocols/ungifokus.yaml",
		  "a4dcc22bf430f2de519e1b8614bb1812054128eda6a909176bee5d043ed2d569" },
		{ SORTES_TOP_SRCDIR "/protocols/ungebudgetter.yaml",
		  "36de6190c41ee57603acd4c7740d43bbaba8f843a805cc8aa8954634476e5855" },
	};

	for (size_t i = 0; i < 2; i++) {
		struct sortes_protocol *p = NULL;
		struct sortes_error err = { 0 };
		char hex[SORTES_SHA256_HEX];
		uint8_t raw[SORTES_SHA256_LEN];
		struct sortes_jcs j;

		ck_assert_msg(sortes_protocol_load(&p, shipped[i].file, &err) ==
		    0, "%s", err.msg);
		sortes_jcs_init(&j);
		ck_assert_int_eq(sortes_protocol_json(&j, p, 2, &err), 0);
		ck_assert_ptr_null(strstr(j.data, "date_format"));
		ck_assert_int_eq(sortes_sha256(raw, j.data, j.len, &err), 0);
		sortes_hex_encode(hex, raw, sizeof(raw));
		ck_assert_str_eq(hex, shipped[i].sha256);
		sortes_jcs_free(&j);
		sortes_protocol_free(p);
	}
}
END_TEST

/* date_format appears where it is declared, and only there. */
START_TEST(test_json_date_format)
{
	char *j = json_of("sortes: 1\ntrial: {id: t, title: T, sponsor: S, "
	    "target_enrollment: 4, date_format: day_month_year}\narms: "
	    "[{code: I, name: I, ratio: 1}, {code: C, name: C, ratio: 1}]\n"
	    "randomization: {unit: individual, method: simple}\nfields:\n"
	    "  - {name: born, type: date}\n"
	    "  - {name: seen, type: date, date_format: iso}\n");

	has(j, "\"trial\":{\"date_format\":\"day_month_year\",\"id\":\"t\",");
	has(j, "{\"decimals\":null,\"label\":null,\"max\":null,\"min\":null,"
	    "\"name\":\"born\",");
	has(j, "{\"date_format\":\"iso\",\"decimals\":null,\"label\":null,"
	    "\"max\":null,\"min\":null,\"name\":\"seen\",");
	free(j);
}
END_TEST

START_TEST(test_genesis_commits)
{
	char *dir = tu_tmpdir();
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	char *json = json_of(TU_BLOCKS), *body, *stored;
	uint8_t digest[32];
	char hex[65], want[160];
	struct sortes_error err = { 0 };

	ck_assert_int_eq(t->log_format, SORTES_LOG_FORMAT);
	stored = tu_text(t, "SELECT protocol_json FROM trial");
	ck_assert_str_eq(stored, json);
	ck_assert_int_eq(sortes_sha256(digest, json, strlen(json), &err), 0);
	sortes_hex_encode(hex, digest, 32);
	snprintf(want, sizeof(want), "\"log_format\":2,"
	    "\"protocol_json_sha256\":\"%s\",\"protocol_sha256\":", hex);
	body = tu_text(t, "SELECT body FROM log WHERE seq = 1");
	has(body, want);
	free(body);
	free(stored);
	free(json);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Change table trial with 'sql', reopen, and expect verify to fail. */
static void
tampered_fails(const char *sql, const char *expect)
{
	char *dir = tu_tmpdir(), *db = tu_path(dir, "trial.db");
	struct sortes_trial *t = tu_trial(dir, TU_BLOCKS);
	struct sortes_verify_report r;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_verify(t, tu_local_day, &r, &err) == 0, "%s",
	    err.msg);
	tu_sql(t, sql);
	sortes_trial_close(t);
	ck_assert_msg(sortes_trial_open(&t, db, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sortes_verify(t, tu_local_day, &r, &err),
	    SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "message: %s", err.msg);
	ck_assert_int_eq(r.bad_seq, 1);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
	free(db);
}

START_TEST(test_verify_json_edited)
{
	/* Another protocol's JSON, as an attacker who wants auditors to
	 * replay a different method would store it. */
	tampered_fails("UPDATE trial SET protocol_json = replace(protocol_json, "
	    "'\"block_sizes\":[2,4,6]', '\"block_sizes\":[2]')",
	    "log entry 1: the stored protocol's JSON form is not what its "
	    "protocol file reads as");
	tampered_fails("UPDATE trial SET protocol_json = NULL",
	    "lacks the protocol's JSON form");
}
END_TEST

START_TEST(test_verify_json_and_genesis_rewritten)
{
	/* The JSON and the YAML changed together: the genesis entry's
	 * commitments no longer hold. */
	tampered_fails("UPDATE trial SET protocol = replace(protocol, "
	    "'[2, 4, 6]', '[2]'), protocol_json = replace(protocol_json, "
	    "'\"block_sizes\":[2,4,6]', '\"block_sizes\":[2]')",
	    "genesis entry does not match the trial's protocol hashes");
}
END_TEST

START_TEST(test_format_bounds)
{
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };
	struct sortes_jcs j;

	ck_assert_int_eq(sortes_protocol_parse(&p, TU_SIMPLE,
	    strlen(TU_SIMPLE), "t.yaml", &err), 0);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_protocol_json(&j, p, 0, &err),
	    SORTES_EUNSUPPORTED);
	ck_assert_int_eq(sortes_protocol_json(&j, p, SORTES_LOG_FORMAT + 1,
	    &err), SORTES_EUNSUPPORTED);
	ck_assert_int_eq(sortes_protocol_json(&j, p, 1, &err), 0);
	sortes_jcs_free(&j);
	sortes_protocol_free(p);
}
END_TEST

Suite *
suite_protocol_json(void)
{
	Suite *s = suite_create("protocol_json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_json_blocks);
	tcase_add_test(tc, test_json_minimization);
	tcase_add_test(tc, test_json_caseworker_methods);
	tcase_add_test(tc, test_json_trial_keys);
	tcase_add_test(tc, test_json_followups_budget);
	tcase_add_test(tc, test_json_shipped_unchanged);
	tcase_add_test(tc, test_json_date_format);
	tcase_add_test(tc, test_genesis_commits);
	tcase_add_test(tc, test_verify_json_edited);
	tcase_add_test(tc, test_verify_json_and_genesis_rewritten);
	tcase_add_test(tc, test_format_bounds);
	suite_add_tcase(s, tc);
	return s;
}
