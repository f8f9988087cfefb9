/*
 * check_followups_seal.c - follow-up exports as of a log entry: at
 * every entry the same bytes as the export read from the tables then,
 * and a bundle as of a seal that verify-export rebuilds, which fails
 * when a value is changed, a row dropped, an outcome logged after the
 * seal slipped in, or the protocol is another; blinded, as of an entry,
 * the labels and rows the blinded export as it stands has; and the
 * worked example of docs/audit.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/blind.h"
#include "sortes/bundle.h"
#include "sortes/export_followups.h"
#include "sortes/lifecycle.h"
#include "sortes/protocol_json.h"
#include "sortes/seal.h"
#include "sortes/sign.h"
#include "followups_log.h"
#include "suites.h"
#include "testutil.h"

/* Blocks of 2: of each pair, one participant in I and one in C. */
#define FS_PROTOCOL TU_PROTOCOL("blocks", "  block_sizes: [2]\n") \
	"measures:\n" \
	"  - {code: employment, type: enum, values: [job, education, none]}\n" \
	"  - {code: who5, type: integer, min: 0, max: 100}\n" \
	"  - {code: hours, type: decimal, decimals: 1, min: 0, max: 80}\n" \
	"  - {code: working, type: boolean}\n" \
	"  - {code: started, type: date}\n" \
	"  - {code: remark, type: string}\n" \
	"followups:\n" \
	"  - {code: m1, offset: 1 month, window: {before: 7 days, " \
	"after: 14 days}, measures: [employment, who5, hours, working, " \
	"started, remark]}\n" \
	"  - {code: m2_i, offset: 2 months, window: {before: 7 days, " \
	"after: 14 days}, measures: [who5], arms: [I]}\n"

enum { AI, AC, BI, BC };

/* The exports read from the tables after each entry, by entry. */
#define MAX_ENTRIES 32

struct fs {
	char *dir;
	struct sortes_trial *t;
	char ids[4][SORTES_UUID_LEN];
	char *csv[MAX_ENTRIES + 1], *json[MAX_ENTRIES + 1];
	struct sortes_signer *lead, *lead_pub;
	struct sortes_seal seal;
	char *export;			/* the bundle's export file */
	char *sealed;			/* its text, as of the seal */
};

/*
 * An export into memory: as it stands (at 0) or as of entry 'at',
 * blinded by 'b' (NULL: not).
 */
static char *
export_blinded(struct sortes_trial *t, enum sortes_export_format format,
    int64_t at, const struct sortes_blinding *b, int64_t *rows)
{
	struct sortes_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	int64_t n = 0;
	FILE *fp = open_memstream(&text, &len);
	int rc;

	ck_assert_ptr_nonnull(fp);
	rc = at == 0 ? sortes_export_followups_blinded(t, fp, format, b, &n,
	    &err) : sortes_export_followups_at_blinded(t, fp, format, at,
	    tu_local_day, b, &n, &err);
	ck_assert_msg(rc == 0, "export at %lld: %s", (long long)at, err.msg);
	ck_assert_int_eq(fclose(fp), 0);
	if (rows != NULL)
		*rows = n;
	return text;
}

static char *
export_text(struct sortes_trial *t, enum sortes_export_format format,
    int64_t at, int64_t *rows)
{
	return export_blinded(t, format, at, NULL, rows);
}

/* Keep what the tables export now, as of the newest entry. */
static void
snapshot(struct fs *f)
{
	int64_t head = tu_int(f->t, "SELECT max(seq) FROM log");

	ck_assert_int_le(head, MAX_ENTRIES);
	free(f->csv[head]);
	free(f->json[head]);
	f->csv[head] = export_text(f->t, SORTES_EXPORT_CSV, 0, NULL);
	f->json[head] = export_text(f->t, SORTES_EXPORT_JSON, 0, NULL);
}

static void
measure(struct fs *f, int who, const char *occasion, const char *on,
    const char *const *names, const char *const *values, size_t n,
    int correct, const char *now)
{
	struct sortes_clock c = tu_clock("2026-04-30", now);
	struct sortes_measure_input in = { .participant = f->ids[who],
	    .occasion = occasion, .names = names, .values = values, .n = n,
	    .measured_on = tu_day(on), .correct = correct };
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_followup_record(f->t, &in, &c, &out, &err) == 0,
	    "record %s: %s", occasion, err.msg);
	snapshot(f);
}

static void
missed(struct fs *f, int who, const char *occasion, int correct,
    const char *now)
{
	struct sortes_clock c = tu_clock("2026-04-30", now);
	struct sortes_outcome_result out;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_followup_missed(f->t, f->ids[who], occasion,
	    "no contact", correct, &c, &out, &err) == 0, "missed: %s", err.msg);
	snapshot(f);
}

/*
 * Two pairs, outcomes of every kind: measured (every type, a string
 * with a comma and a quote), corrected from a measurement to missed,
 * transferred with an occasion done and one open, withdrawn.
 */
static void
fs_history(struct fs *f)
{
	static const char *const n1[] = { "employment", "who5", "hours",
	    "working", "started", "remark" };
	static const char *const v1[] = { "job", "64", "37.5", "true",
	    "2026-02-02", "said \"fine\", mostly" };
	static const char *const n2[] = { "who5" };
	static const char *const v2[] = { "70" };
	struct sortes_transfer_result tr;
	struct sortes_error err = { 0 };
	int64_t seq;

	tu_enroll_pair(f->t, "A", "CW1", "2026-01-15", &f->ids[AI], NULL);
	snapshot(f);
	tu_enroll_pair(f->t, "B", "CW2", "2026-02-02", &f->ids[BI], NULL);
	snapshot(f);
	measure(f, AI, "m1", "2026-02-20", n1, v1, 6, 0, "2026-03-01T09:00:00Z");
	measure(f, AC, "m1", "2026-02-21", n2, v2, 1, 0, "2026-03-01T09:05:00Z");
	ck_assert_msg(sortes_transfer(f->t, f->ids[AI], "CW3",
	    "2026-03-02T09:00:00Z", &tr, &err) == 0, "%s", err.msg);
	snapshot(f);
	missed(f, AC, "m1", 1, "2026-03-03T09:00:00Z");
	ck_assert_msg(sortes_withdraw(f->t, f->ids[BC], "moved",
	    "2026-03-04T09:00:00Z", &seq, &err) == 0, "%s", err.msg);
	snapshot(f);
	measure(f, BI, "m1", "2026-03-05", n2, v2, 1, 0, "2026-03-05T09:00:00Z");
}

static void
fs_setup(struct fs *f)
{
	struct sortes_error err = { 0 };
	char fp[SORTES_SHA256_HEX], *pem, *pub;

	memset(f, 0, sizeof(*f));
	f->dir = tu_tmpdir();
	f->t = tu_trial(f->dir, FS_PROTOCOL);
	snapshot(f);
	pem = tu_path(f->dir, "lead.pem");
	pub = tu_path(f->dir, "lead.pub");
	ck_assert_msg(sortes_sign_keygen(pem, pub, fp, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_signer_load_private(&f->lead, pem, &err), 0);
	ck_assert_int_eq(sortes_signer_load_public(&f->lead_pub, pub, &err), 0);
	free(pem);
	free(pub);
	f->export = tu_path(f->dir, "f.csv");
}

static void
fs_teardown(struct fs *f)
{
	for (size_t i = 0; i <= MAX_ENTRIES; i++) {
		free(f->csv[i]);
		free(f->json[i]);
	}
	sortes_signer_free(f->lead);
	sortes_signer_free(f->lead_pub);
	sortes_trial_close(f->t);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->export);
	free(f->sealed);
}

/* 'got' is 'want', or the test fails naming the first line that differs. */
static void
same_text(const char *got, const char *want, const char *what, int64_t n)
{
	size_t i = 0, line = 1, start = 0;

	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i++] == '\n') {
			line++;
			start = i;
		}
	}
	ck_assert_msg(got[i] == want[i], "%s at entry %lld, line %zu: '%.80s' "
	    "where '%.80s' was expected", what, (long long)n, line,
	    got + start, want + start);
}

/* As of every entry, the bytes the tables exported right after it. */
START_TEST(test_every_entry)
{
	struct fs f;
	int64_t head, checked = 0;

	fs_setup(&f);
	fs_history(&f);
	head = tu_int(f.t, "SELECT max(seq) FROM log");
	for (int64_t n = 1; n <= head; n++) {
		char *csv, *json;

		if (f.csv[n] == NULL)
			continue;
		csv = export_text(f.t, SORTES_EXPORT_CSV, n, NULL);
		json = export_text(f.t, SORTES_EXPORT_JSON, n, NULL);
		same_text(csv, f.csv[n], "CSV", n);
		same_text(json, f.json[n], "JSON", n);
		free(csv);
		free(json);
		checked++;
	}
	/* Genesis, two pairs, three measurements, transfer, missed, withdrawal. */
	ck_assert_int_eq(checked, 9);
	/* The values as canonical text, the quoted remark included. */
	ck_assert_ptr_nonnull(strstr(f.csv[head], ",remark,\"said \"\"fine\"\", "
	    "mostly\"\n"));
	ck_assert_ptr_nonnull(strstr(f.csv[head], ",hours,37.5\n"));
	ck_assert_ptr_nonnull(strstr(f.csv[head], ",cancelled,"));
	fs_teardown(&f);
}
END_TEST

/*
 * The CSV export 'plain' as blinding 'b' writes it: the arm (the second
 * column) as its label, the arm-specific occasion's rows left out.
 */
static char *
relabelled(const char *plain, const struct sortes_protocol *p,
    const struct sortes_blinding *b)
{
	char *text = NULL, *line, *save = NULL, *copy = strdup(plain);
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(copy);
	ck_assert_ptr_nonnull(fp);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *arm = strchr(line, ',') + 1, *rest = strchr(arm, ',');
		size_t i = 0;

		if (strstr(line, ",m2_i,") != NULL)
			continue;
		if (strncmp(line, "pseudonym,", 10) == 0) {
			fprintf(fp, "%s\n", line);
			continue;
		}
		*rest = '\0';
		while (i < p->narms && strcmp(p->arms[i].code, arm) != 0)
			i++;
		ck_assert_uint_lt(i, p->narms);
		*arm = '\0';
		fprintf(fp, "%s%s,%s\n", line, b->labels[i], rest + 1);
	}
	ck_assert_int_eq(fclose(fp), 0);
	free(copy);
	return text;
}

/*
 * Blinded as of every entry: the export as of it with each arm its
 * label and the occasion only arm I has left out; as of the newest
 * entry, the blinded export as it stands, byte for byte.
 */
START_TEST(test_every_entry_blinded)
{
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	uint8_t seed[32];
	struct fs f;
	int64_t head;
	char *now, *want;

	fs_setup(&f);
	fs_history(&f);
	memset(seed, 7, sizeof(seed));
	ck_assert_msg(sortes_blind_derive(&b, f.t->protocol, seed, &err) == 0,
	    "%s", err.msg);
	head = tu_int(f.t, "SELECT max(seq) FROM log");
	ck_assert_ptr_nonnull(strstr(f.csv[head], ",m2_i,"));
	for (int64_t n = 1; n <= head; n++) {
		char *got = export_blinded(f.t, SORTES_EXPORT_CSV, n, &b, NULL);
		char *plain = export_text(f.t, SORTES_EXPORT_CSV, n, NULL);

		want = relabelled(plain, f.t->protocol, &b);
		same_text(got, want, "blinded CSV", n);
		ck_assert_ptr_null(strstr(got, ",I,"));
		ck_assert_ptr_null(strstr(got, ",C,"));
		free(got);
		free(plain);
		free(want);
	}
	now = export_blinded(f.t, SORTES_EXPORT_CSV, 0, &b, NULL);
	want = export_blinded(f.t, SORTES_EXPORT_CSV, head, &b,
	    NULL);
	same_text(want, now, "blinded CSV as it stands", head);
	ck_assert_ptr_nonnull(strstr(now, ",group A,"));
	ck_assert_ptr_nonnull(strstr(now, ",group B,"));
	free(now);
	free(want);
	fs_teardown(&f);
}
END_TEST

/* 'text' and, with 'newline', a newline, as the file beside the export. */
static void
put_beside(const struct fs *f, const char *suffix, const char *text,
    int newline)
{
	size_t n = strlen(f->export) + strlen(suffix) + 1;
	char *path = malloc(n);
	FILE *fp;

	ck_assert_ptr_nonnull(path);
	snprintf(path, n, "%s%s", f->export, suffix);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_int_ge(fprintf(fp, newline ? "%s\n" : "%s", text), 0);
	ck_assert_int_eq(fclose(fp), 0);
	free(path);
}

static void
sha_of(const struct fs *f, const char *suffix, char sha[SORTES_SHA256_HEX])
{
	struct sortes_error err = { 0 };
	char path[4096];

	snprintf(path, sizeof(path), "%s%s", f->export, suffix);
	ck_assert_msg(sortes_file_sha256(sha, path, &err) == 0, "%s", err.msg);
}

/* The log extract or the protocol, as sortes export writes them. */
static void
put_from_trial(struct fs *f, const char *suffix, int log)
{
	struct sortes_error err = { 0 };
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s%s", f->export, suffix);
	ck_assert_ptr_nonnull(fp = fopen(path, "wb"));
	ck_assert_msg((log ? sortes_bundle_write_log(f->t, fp,
	    f->seal.entries, &err) : sortes_bundle_write_protocol(f->t, fp,
	    &err)) == 0, "%s", err.msg);
	ck_assert_int_eq(fclose(fp), 0);
}

/* The whole bundle as of the seal, as sortes export writes it. */
static void
bundle_write(struct fs *f)
{
	struct sortes_error err = { 0 };
	char sha[SORTES_SHA256_HEX], dsha[SORTES_SHA256_HEX];
	struct sortes_jcs j;
	int64_t rows;

	free(f->sealed);
	f->sealed = export_text(f->t, SORTES_EXPORT_CSV, f->seal.entries, &rows);
	put_beside(f, "", f->sealed, 0);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_export_followups_dictionary(&j, f->t, "f.csv",
	    &err), 0);
	put_beside(f, "-metadata.json", j.data, 1);
	sha_of(f, "", sha);
	sha_of(f, "-metadata.json", dsha);
	ck_assert_int_eq(sortes_export_manifest(&j, f->t, &(struct
	    sortes_manifest){ .kind = "followups", .name = "f.csv",
	    .sha256 = sha, .format = SORTES_EXPORT_CSV,
	    .entries = f->seal.entries, .head = f->seal.head, .rows = rows,
	    .sealed_at = f->seal.sealed_at, .signer = f->seal.signer,
	    .dictionary = "f.csv-metadata.json", .dictionary_sha256 = dsha },
	    &err), 0);
	put_beside(f, ".manifest.json", j.data, 1);
	sortes_jcs_free(&j);
	put_from_trial(f, ".log", 1);
	put_from_trial(f, ".protocol", 0);
	ck_assert_ptr_nonnull(f->t->protocol_json);
	put_beside(f, ".protocol.json", f->t->protocol_json, 0);
}

static int
bundle_verify(struct fs *f, struct sortes_bundle_report *r,
    struct sortes_error *err)
{
	return sortes_bundle_verify(f->export, &f->seal, f->lead_pub,
	    tu_local_day, r, err);
}

/* The bundle as it stands fails, saying 'what'; then it is rewritten. */
static void
refused(struct fs *f, const char *what)
{
	struct sortes_bundle_report r;
	struct sortes_error err = { 0 };
	int rc = bundle_verify(f, &r, &err);

	ck_assert_msg(rc == SORTES_EVERIFY, "accepted (%d: %s), expected "
	    "'%s'", rc, err.msg, what);
	ck_assert_msg(strstr(err.msg, what) != NULL, "'%s', not '%s'",
	    err.msg, what);
	bundle_write(f);
}

/* 'from' (once) replaced by 'to' in the export as of the seal. */
static void
export_edited(struct fs *f, const char *from, const char *to)
{
	const char *at = strstr(f->sealed, from);
	char *text;
	size_t n;

	ck_assert_msg(at != NULL, "no '%s' in the export", from);
	n = strlen(f->sealed) + strlen(to) + 1;
	ck_assert_ptr_nonnull(text = malloc(n));
	snprintf(text, n, "%.*s%s%s", (int)(at - f->sealed), f->sealed, to,
	    at + strlen(from));
	put_beside(f, "", text, 0);
	free(text);
}

/* Sealed after the history; then a measurement and a correction. */
static void
fs_sealed(struct fs *f)
{
	static const char *const names[] = { "who5" };
	static const char *const later[] = { "71" }, *const fixed[] = { "65" };
	struct sortes_error err = { 0 };

	fs_history(f);
	ck_assert_msg(sortes_freeze(f->t, f->lead, "after m1",
	    "2026-03-06T09:00:00Z", &f->seal, &err) == 0, "%s", err.msg);
	measure(f, BI, "m2_i", "2026-04-01", names, later, 1, 0,
	    "2026-04-01T09:00:00Z");
	measure(f, AI, "m1", "2026-02-20", names, fixed, 1, 1,
	    "2026-04-02T09:00:00Z");
	bundle_write(f);
}

START_TEST(test_bundle)
{
	struct sortes_bundle_report r;
	struct sortes_error err = { 0 };
	struct fs f;

	fs_setup(&f);
	fs_sealed(&f);
	ck_assert_msg(bundle_verify(&f, &r, &err) == 0, "%s", err.msg);
	/* A and B: I has m1 (6 measures) and m2_i, C has m1. */
	ck_assert_int_eq(r.rows, 2 * (6 + 1 + 6));
	ck_assert_int_eq(r.entries, f.seal.entries);
	ck_assert_str_eq(r.kind, "followups");
	/* As of the seal: neither the later measurement nor the correction. */
	ck_assert_ptr_nonnull(strstr(f.sealed, ",m1,"));
	ck_assert_ptr_null(strstr(f.sealed, ",who5,71\n"));
	ck_assert_ptr_null(strstr(f.sealed, ",who5,65\n"));
	ck_assert_ptr_nonnull(strstr(f.sealed, ",who5,64\n"));
	fs_teardown(&f);
}
END_TEST

/* The manifest as an allocation export's would be, for this file. */
static void
allocation_manifest(struct fs *f)
{
	struct sortes_error err = { 0 };
	char sha[SORTES_SHA256_HEX];
	struct sortes_jcs j;

	sha_of(f, "", sha);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_export_manifest(&j, f->t, &(struct
	    sortes_manifest){ .name = "f.csv", .sha256 = sha,
	    .format = SORTES_EXPORT_CSV, .entries = f->seal.entries,
	    .head = f->seal.head, .rows = 4, .sealed_at = f->seal.sealed_at,
	    .signer = f->seal.signer }, &err), 0);
	put_beside(f, ".manifest.json", j.data, 1);
	sortes_jcs_free(&j);
}

START_TEST(test_bundle_forgeries)
{
	struct fs f;
	char *later, *other;
	struct sortes_jcs j;
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };

	fs_setup(&f);
	fs_sealed(&f);
	/* A changed value, a dropped row. */
	export_edited(&f, ",who5,64\n", ",who5,65\n");
	refused(&f, "a row was added, dropped or changed");
	export_edited(&f, ",who5,70\n", "\n");
	refused(&f, "a row was added, dropped or changed");
	/* The outcomes logged after the seal, slipped in. */
	later = export_text(f.t, SORTES_EXPORT_CSV, 0, NULL);
	ck_assert_ptr_nonnull(strstr(later, ",who5,71\n"));
	put_beside(&f, "", later, 0);
	free(later);
	refused(&f, "a row was added, dropped or changed");
	/* Another protocol file, another JSON form. */
	other = strdup(FS_PROTOCOL);
	ck_assert_ptr_nonnull(other);
	memcpy(strstr(other, "Test trial"), "Best", 4);
	put_beside(&f, ".protocol", other, 0);
	refused(&f, "the protocol '");
	ck_assert_int_eq(sortes_protocol_parse(&p, other, strlen(other), "x",
	    &err), 0);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_protocol_json(&j, p, 2, &err), 0);
	put_beside(&f, ".protocol.json", j.data, 0);
	refused(&f, "is not the one the genesis entry commits to");
	sortes_jcs_free(&j);
	sortes_protocol_free(p);
	free(other);
	/* Another dictionary; a manifest of an allocation export. */
	put_beside(&f, "-metadata.json", "{}", 1);
	refused(&f, "the dictionary '");
	allocation_manifest(&f);
	refused(&f, "a row was added, dropped or changed");
	fs_teardown(&f);
}
END_TEST

/* The worked example's export as of entry 'at', rebuilt from its entries. */
static char *
example_rows(const struct sortes_protocol *p, const char *entries, int64_t at)
{
	struct sortes_followups_writer w;
	struct sortes_error err = { 0 };
	struct fu_log *l = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	int64_t seq = 2;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fu_log_new(&l, p, tu_local_day, &err), 0);
	for (const char *e = entries; *e != '\0' && seq <= at; seq++) {
		const char *nl = strchr(e, '\n');

		ck_assert_msg(fu_log_entry(l, seq, e, (size_t)(nl - e), &err) ==
		    0, "entry %lld: %s", (long long)seq, err.msg);
		e = nl + 1;
	}
	ck_assert_int_eq(sortes_followups_begin(&w, fp, SORTES_EXPORT_CSV,
	    p, NULL, &err), 0);
	ck_assert_msg(fu_log_write(l, &w, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sortes_followups_end(&w, &err), 0);
	ck_assert_int_eq(fclose(fp), 0);
	fu_log_free(l);
	return text;
}

/* docs/audit.md, "Worked example" of the follow-up rebuild. */
START_TEST(test_worked_example)
{
	char *yaml = tu_doc_block("audit.md", "followups-protocol");
	char *entries = tu_doc_block("audit.md", "followups-entries");
	const char *names[] = { "followups-at-5", "followups-at-8" };
	const int64_t at[] = { 5, 8 };
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };

	ck_assert_msg(sortes_protocol_parse(&p, yaml, strlen(yaml), "example",
	    &err) == 0, "%s", err.msg);
	for (size_t i = 0; i < 2; i++) {
		char *want = tu_doc_block("audit.md", names[i]);
		char *got = example_rows(p, entries, at[i]);

		same_text(got, want, names[i], at[i]);
		free(want);
		free(got);
	}
	sortes_protocol_free(p);
	free(yaml);
	free(entries);
}
END_TEST

Suite *
suite_followups_seal(void)
{
	Suite *s = suite_create("followups_seal");
	TCase *tc = tcase_create("as_of");

	tcase_add_test(tc, test_every_entry);
	tcase_add_test(tc, test_every_entry_blinded);
	tcase_add_test(tc, test_bundle);
	tcase_add_test(tc, test_bundle_forgeries);
	tcase_add_test(tc, test_worked_example);
	suite_add_tcase(s, tc);
	return s;
}
