/*
 * check_bundle.c - the evaluator's check of an export against a seal
 * (sortes verify-export), above all of the manifest: every key, and
 * every byte, and the seal's entry in the log extract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/bundle.h"
#include "sortes/export.h"
#include "sortes/json.h"
#include "sortes/seal.h"
#include "sortes/sign.h"
#include "suites.h"
#include "testutil.h"

#define AT_FREEZE "2026-01-16T09:00:00Z"

struct bundle {
	char *dir, *export, *manifest, *log, *protocol;
	struct sortes_trial *t;
	struct sortes_signer *lead, *lead_pub;
	struct sortes_seal seal;
	char *good;		/* the manifest as written */
	size_t len;
};

static void
write_bytes(const char *path, const char *bytes, size_t len)
{
	FILE *fp = fopen(path, "wb");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(fwrite(bytes, 1, len, fp), len);
	ck_assert_int_eq(fclose(fp), 0);
}

static void
keys(struct bundle *b)
{
	struct sortes_error err = { 0 };
	char fp[SORTES_SHA256_HEX], *pem = tu_path(b->dir, "lead.pem"),
	    *pub = tu_path(b->dir, "lead.pub");

	ck_assert_msg(sortes_sign_keygen(pem, pub, fp, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_signer_load_private(&b->lead, pem, &err), 0);
	ck_assert_int_eq(sortes_signer_load_public(&b->lead_pub, pub, &err), 0);
	free(pem);
	free(pub);
}

/* The three files of an export as of the seal, as sortes export writes them. */
static void
export_files(struct bundle *b, enum sortes_export_format format)
{
	struct sortes_error err = { 0 };
	char sha[SORTES_SHA256_HEX];
	struct sortes_jcs j;
	int64_t rows;
	FILE *fp;

	ck_assert_ptr_nonnull(fp = fopen(b->export, "w"));
	ck_assert_int_eq(sortes_export_allocations(b->t, fp, format,
	    b->seal.entries, &rows, &err), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(rows, 4);
	ck_assert_ptr_nonnull(fp = fopen(b->log, "w"));
	ck_assert_int_eq(sortes_bundle_write_log(b->t, fp, b->seal.entries,
	    &err), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_ptr_nonnull(fp = fopen(b->protocol, "w"));
	ck_assert_int_eq(sortes_bundle_write_protocol(b->t, fp, &err), 0);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(sortes_file_sha256(sha, b->export, &err), 0);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_export_manifest(&j, b->t, &(struct
	    sortes_manifest){ .name = "e.out", .sha256 = sha,
	    .format = format, .layout = SORTES_EXPORT_LAYOUT,
	    .entries = b->seal.entries,
	    .head = b->seal.head, .rows = rows,
	    .sealed_at = b->seal.sealed_at, .signer = b->seal.signer }, &err),
	    0);
	b->len = j.len + 1;
	ck_assert_ptr_nonnull(b->good = malloc(b->len + 1));
	memcpy(b->good, j.data, j.len);
	memcpy(b->good + j.len, "\n", 2);
	write_bytes(b->manifest, b->good, b->len);
	sortes_jcs_free(&j);
}

/* A trial of four participants, frozen, exported as of its seal. */
static void
bundle_setup(struct bundle *b, enum sortes_export_format format)
{
	struct sortes_error err = { 0 };
	char person[16];

	memset(b, 0, sizeof(*b));
	b->dir = tu_tmpdir();
	b->t = tu_trial(b->dir, TU_SIMPLE);
	for (int i = 0; i < 4; i++) {
		snprintf(person, sizeof(person), "P%d", i);
		ck_assert_msg(tu_enroll(b->t, person, i % 2 ? "F" : "M",
		    "2004-05-06", &err) == 0, "%s", err.msg);
	}
	keys(b);
	ck_assert_msg(sortes_freeze(b->t, b->lead, "after cohort 1", AT_FREEZE,
	    &b->seal, &err) == 0, "%s", err.msg);
	b->export = tu_path(b->dir, "e.out");
	b->manifest = tu_path(b->dir, "e.out.manifest.json");
	b->log = tu_path(b->dir, "e.out.log");
	b->protocol = tu_path(b->dir, "e.out.protocol");
	export_files(b, format);
}

static void
bundle_teardown(struct bundle *b)
{
	sortes_signer_free(b->lead);
	sortes_signer_free(b->lead_pub);
	sortes_trial_close(b->t);
	tu_rmtree(b->dir);
	free(b->dir);
	free(b->export);
	free(b->manifest);
	free(b->log);
	free(b->protocol);
	free(b->good);
}

static int
verify(struct bundle *b, const struct sortes_seal *s, struct sortes_error *err)
{
	struct sortes_bundle_report r;

	return sortes_bundle_verify(b->export, s, b->lead_pub, tu_local_day,
	    &r, err);
}

static void
verify_ok(struct bundle *b)
{
	struct sortes_error err = { 0 };
	struct sortes_bundle_report r;

	ck_assert_msg(sortes_bundle_verify(b->export, &b->seal, b->lead_pub,
	    tu_local_day, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.rows, 4);
	ck_assert_int_eq(r.entries, 6);
}

/* The manifest 'text' is refused with a message holding 'expect'. */
static void
manifest_refused(struct bundle *b, const char *text, size_t len,
    const char *expect)
{
	struct sortes_error err = { 0 };
	int rc;

	write_bytes(b->manifest, text, len);
	rc = verify(b, &b->seal, &err);
	ck_assert_msg(rc == SORTES_EVERIFY, "manifest accepted (%d, %s): "
	    "%.*s", rc, err.msg, (int)len, text);
	ck_assert_msg(strstr(err.msg, expect) != NULL, "'%s', not '%s', for "
	    "%.*s", err.msg, expect, (int)len, text);
	write_bytes(b->manifest, b->good, b->len);
}

/* The good manifest with 'from' (once) replaced by 'to'. */
static void
edited_refused(struct bundle *b, const char *from, const char *to,
    const char *expect)
{
	char text[2048];
	const char *p = strstr(b->good, from);

	ck_assert_msg(p != NULL, "no '%s' in %s", from, b->good);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - b->good), b->good,
	    to, p + strlen(from));
	manifest_refused(b, text, strlen(text), expect);
}

/* "line 1, column C" of byte offset 'at' of the one-line manifest. */
static char *
column(char *buf, size_t size, const char *what, size_t at)
{
	snprintf(buf, size, "%sline 1, column %zu", what, at + 1);
	return buf;
}

START_TEST(test_manifest_fields)
{
	struct bundle b;
	char from[160], to[160], expect[400];
	const char *fp;
	size_t at;

	bundle_setup(&b, SORTES_EXPORT_CSV);
	verify_ok(&b);
	fp = b.seal.signer;

	/* The verify-export-manifest reproducer's cases, each named. */
	snprintf(from, sizeof(from), "\"signer\":\"%s\"", fp);
	snprintf(to, sizeof(to), "\"signer\":\"%064d\"", 0);
	snprintf(expect, sizeof(expect), "the manifest's 'seal.signer' is "
	    "\"%064d\", but the seal's signer is \"%s\"", 0, fp);
	edited_refused(&b, from, to, expect);
	edited_refused(&b, "\"sealed_at\":\"" AT_FREEZE "\"",
	    "\"sealed_at\":\"1999-01-01T00:00:00Z\"", "the manifest's "
	    "'seal.sealed_at' is \"1999-01-01T00:00:00Z\", but the seal's time "
	    "is \"" AT_FREEZE "\"");
	edited_refused(&b, "\n", "}}}not json\n", strcat(column(expect,
	    sizeof(expect), "is not JSON: ", b.len - 1), ": more text after the "
	    "value"));
	edited_refused(&b, "\"export\":\"e.out\"", "\"export\":\"other.csv\"",
	    "the manifest's 'export' is \"other.csv\", but the export's name "
	    "is \"e.out\"");
	edited_refused(&b, "\"format\":\"csv-2\",", "", "the manifest lacks "
	    "the key 'format'");
	edited_refused(&b, "{", "{\"extra\":\"x\",", "the manifest has an "
	    "unknown key 'extra'");
	at = (size_t)(strstr(b.good, "\"sealed_at\":") - b.good) + 11;
	edited_refused(&b, "\"sealed_at\":", "\"sealed_at\"0000-00-00:",
	    strcat(column(expect, sizeof(expect), "is not JSON: ", at), ", in "
	    "'seal.sealed_at': '0' where ':' after the key is due"));
	edited_refused(&b, "\"entries\"", "\"\x86ntries\"", "is not JSON: line "
	    "1, column 3: invalid UTF-8 (byte 0x86)");

	/* And every other key. */
	edited_refused(&b, "\"entries\":6", "\"entries\":5", "the manifest's "
	    "'entries' is 5, but the seal's entry count is 6");
	edited_refused(&b, "\"entries\":6", "\"entries\":\"6\"", "the "
	    "manifest's 'entries' is \"6\", but the seal's entry count is 6");
	edited_refused(&b, "\"rows\":4", "\"rows\":4.0", "the manifest's "
	    "'rows' is 4.0, but the export's row count is 4");
	edited_refused(&b, "\"rows\":4", "\"rows\":5", "the manifest's 'rows' "
	    "is 5, but the export's row count is 4");
	edited_refused(&b, "\"format\":\"csv-2\"", "\"format\":\"json-2\"",
	    "the manifest's 'format' is \"json-2\", but the export's format "
	    "is \"csv-2\"");
	/* Layout 1 rebuilds other bytes than the export's. */
	edited_refused(&b, "\"format\":\"csv-2\"", "\"format\":\"csv\"",
	    "the export is not the rows the sealed log holds");
	snprintf(from, sizeof(from), "\"head\":\"%s\"", b.seal.head);
	/* another last digit, whatever the random head ends in */
	snprintf(to, sizeof(to), "\"head\":\"%.63s%c\"", b.seal.head,
	    b.seal.head[63] == '0' ? '1' : '0');
	edited_refused(&b, from, to, "the manifest's 'head' is \"");
	edited_refused(&b, from, to, "\", but the seal's head is \"");
	snprintf(from, sizeof(from), "\"protocol_sha256\":\"%.8s",
	    b.seal.protocol_sha256);
	edited_refused(&b, from, "\"protocol_sha256\":\"00000000", "the "
	    "manifest's 'protocol_sha256' is \"00000000");
	edited_refused(&b, "\"trial\":\"testtrial\"", "\"trial\":\"other\"",
	    "the manifest's 'trial' is \"other\", but the seal's trial is "
	    "\"testtrial\"");
	edited_refused(&b, "\"export_sha256\":\"", "\"export_sha256\":\"0",
	    "the manifest's 'export_sha256' is \"0");
	edited_refused(&b, "\"export_sha256\":\"", "\"export_sha256\":\"0",
	    "but the export's SHA-256 is \"");
	edited_refused(&b, "\"seal\":{", "\"seal\":null,\"x\":{", "the "
	    "manifest has an unknown key 'x'");
	snprintf(from, sizeof(from), "\"seal\":{\"sealed_at\":\"%s\",\"signer\":"
	    "\"%s\"}", AT_FREEZE, fp);
	edited_refused(&b, from, "\"seal\":null", "the manifest's 'seal' is "
	    "null, but the export is as of a seal: it must be an object with "
	    "the seal's time and signer");
	edited_refused(&b, "\"signer\"", "\"x\":1,\"signer\"", "the manifest "
	    "has an unknown key 'seal.x'");
	at = (size_t)(strstr(b.good, "\"signer\"") - b.good);
	edited_refused(&b, "\"signer\"", "\"sealed_at\":1,\"signer\"",
	    strcat(column(expect, sizeof(expect), "is not JSON: ", at), ", in "
	    "'seal': the key \"sealed_at\" a second time in one object"));
	snprintf(from, sizeof(from), ",\"signer\":\"%s\"", fp);
	edited_refused(&b, from, "", "the manifest lacks the key 'seal.signer'");
	verify_ok(&b);
	bundle_teardown(&b);
}
END_TEST

/*
 * Every key may hold what it must, and the manifest still not be what
 * sortes writes: the bytes are compared too, and the first difference
 * named.
 */
START_TEST(test_manifest_canonical)
{
	static const char differs[] = "is not written as sortes export writes "
	    "it (canonical JSON and a newline): it differs at ";
	struct bundle b;
	char expect[300], *text, *p;

	bundle_setup(&b, SORTES_EXPORT_JSON);
	verify_ok(&b);
	ck_assert_ptr_nonnull(text = malloc(b.len + 64));
	/* Space around the object, and inside it. */
	edited_refused(&b, "{", " {", column(expect, sizeof(expect), differs,
	    0));
	p = strstr(b.good, "\"rows\":") + 7;
	edited_refused(&b, "\"rows\":", "\"rows\": ", column(expect,
	    sizeof(expect), differs, (size_t)(p - b.good)));
	/* The newline: missing, doubled, CR LF. */
	manifest_refused(&b, b.good, b.len - 1, column(expect, sizeof(expect),
	    differs, b.len - 1));
	snprintf(text, b.len + 64, "%s\n", b.good);
	manifest_refused(&b, text, b.len + 1, "it differs at line 2, column 1");
	edited_refused(&b, "\n", "\r\n", column(expect, sizeof(expect),
	    differs, b.len - 1));
	/* An escape where sortes writes the character itself. */
	p = strstr(b.good, "testtrial");
	edited_refused(&b, "testtrial", "test\\u0074rial", column(expect,
	    sizeof(expect), differs, (size_t)(p - b.good) + 4));
	/* The keys in another order. */
	p = strstr(b.good, ",\"trial\":\"testtrial\"}");
	ck_assert_ptr_nonnull(p);
	snprintf(text, b.len + 64, "{\"trial\":\"testtrial\",%.*s}\n",
	    (int)(p - b.good - 1), b.good + 1);
	manifest_refused(&b, text, strlen(text), column(expect, sizeof(expect),
	    differs, 2));
	/* Larger than any manifest. */
	free(text);
	ck_assert_ptr_nonnull(text = malloc(65537));
	memset(text, ' ', 65537);
	memcpy(text, b.good, b.len);
	manifest_refused(&b, text, 65537, "is larger than 65536 bytes");
	free(text);
	verify_ok(&b);
	bundle_teardown(&b);
}
END_TEST

/* Try 'len' bytes as the manifest; count it, and whether it passed. */
static void
mutant(struct bundle *b, const char *text, size_t len, int *count,
    char *accepted, size_t size)
{
	struct sortes_error err = { 0 };
	int rc;

	(*count)++;
	write_bytes(b->manifest, text, len);
	rc = verify(b, &b->seal, &err);
	if (rc == SORTES_EVERIFY)
		return;
	if (strlen(accepted) + len + 8 < size)
		snprintf(accepted + strlen(accepted), size - strlen(accepted),
		    "\n[%d] %.*s", rc, (int)len, text);
}

/* Each byte flipped (every bit, the lowest bit), deleted, doubled. */
static void
byte_mutants(struct bundle *b, char *m, int *count, char *accepted,
    size_t size)
{
	for (size_t i = 0; i < b->len; i++) {
		static const unsigned char flips[] = { 0xff, 0x01 };

		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(m, b->good, b->len);
			m[i] = (char)((unsigned char)m[i] ^ flips[f]);
			mutant(b, m, b->len, count, accepted, size);
		}
		memcpy(m, b->good, i);
		memcpy(m + i, b->good + i + 1, b->len - i - 1);
		mutant(b, m, b->len - 1, count, accepted, size);
		memcpy(m, b->good, i + 1);
		memcpy(m + i + 1, b->good + i, b->len - i);
		mutant(b, m, b->len + 1, count, accepted, size);
	}
}

/* 'b->good' with bytes [from, to) replaced by 'with'. */
static void
splice(struct bundle *b, char *m, size_t from, size_t to, const char *with,
    int *count, char *accepted, size_t size)
{
	size_t n = strlen(with);

	memcpy(m, b->good, from);
	memcpy(m + from, with, n);
	memcpy(m + from + n, b->good + to, b->len - to);
	mutant(b, m, from + n + b->len - to, count, accepted, size);
}

/*
 * Of object 'obj': every member removed (with its comma), every value
 * replaced by values of other types, unknown keys added first and
 * last, and each key given a second time.
 */
static void
member_mutants(struct bundle *b, const struct sortes_json *obj, char *m,
    int *count, char *accepted, size_t size)
{
	static const char *const values[] = { "null", "true", "0", "-1",
	    "\"\"", "\"x\"", "[]", "{}", "1e0" };
	char dup[128];

	for (size_t i = 0; i < obj->n; i++) {
		const struct sortes_json_member *k = &obj->members[i];
		size_t end = k->value.end;

		if (i + 1 < obj->n)
			splice(b, m, k->start, end + 1, "", count, accepted,
			    size);
		else
			splice(b, m, k->start - 1, end, "", count, accepted,
			    size);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			splice(b, m, k->value.start, end, values[v], count,
			    accepted, size);
		snprintf(dup, sizeof(dup), "%.*s,", (int)(end - k->start),
		    b->good + k->start);
		splice(b, m, obj->start + 1, obj->start + 1, dup, count,
		    accepted, size);
	}
	splice(b, m, obj->start + 1, obj->start + 1, "\"extra\":\"x\",", count,
	    accepted, size);
	splice(b, m, obj->end - 1, obj->end - 1, ",\"zz\":null", count,
	    accepted, size);
	splice(b, m, obj->end - 1, obj->end - 1, ",\"\":1", count, accepted,
	    size);
}

/*
 * The manifest mutated systematically: every mutant is refused, and
 * the manifest as written passes before and after.
 */
static void
all_mutants_refused(enum sortes_export_format format)
{
	struct sortes_error err = { 0 };
	struct sortes_json *json = NULL;
	struct bundle b;
	char *m, accepted[4096] = "";
	int count = 0;

	bundle_setup(&b, format);
	verify_ok(&b);
	ck_assert_ptr_nonnull(m = malloc(b.len + 256));
	byte_mutants(&b, m, &count, accepted, sizeof(accepted));
	ck_assert_int_eq(sortes_json_parse(&json, b.good, b.len, &err), 0);
	member_mutants(&b, json, m, &count, accepted, sizeof(accepted));
	member_mutants(&b, sortes_json_get(json, "seal"), m, &count, accepted,
	    sizeof(accepted));
	ck_assert_msg(accepted[0] == '\0', "mutated manifests accepted:%s",
	    accepted);
	ck_assert_int_ge(count, 4 * (int)b.len);
	write_bytes(b.manifest, b.good, b.len);
	verify_ok(&b);
	sortes_json_free(json);
	free(m);
	bundle_teardown(&b);
}

START_TEST(test_manifest_mutants_csv)
{
	all_mutants_refused(SORTES_EXPORT_CSV);
}
END_TEST

START_TEST(test_manifest_mutants_json)
{
	all_mutants_refused(SORTES_EXPORT_JSON);
}
END_TEST

/* A seal signed with the real key, but not the freeze's. */
START_TEST(test_forged_seal)
{
	struct sortes_error err = { 0 };
	struct sortes_seal forged;
	struct bundle b;
	char text[SORTES_SEAL_MAX];
	size_t len;

	bundle_setup(&b, SORTES_EXPORT_CSV);
	forged = b.seal;
	strcpy(forged.note, "after cohort 2");
	ck_assert_int_eq(sortes_seal_text(&forged, text, sizeof(text), &len,
	    &err), 0);
	ck_assert_int_eq(sortes_sign(b.lead, forged.signature, text, len, &err),
	    0);
	ck_assert_int_eq(sortes_seal_check_signature(&forged, b.lead_pub, &err),
	    0);
	ck_assert_int_eq(verify(&b, &forged, &err), SORTES_EVERIFY);
	ck_assert_str_eq(err.msg, "seal of 6 entries: its note 'after cohort "
	    "2' is not the freeze entry's 'after cohort 1'");
	forged = b.seal;
	strcpy(forged.sealed_at, "2026-01-16T09:00:01Z");
	ck_assert_int_eq(sortes_seal_text(&forged, text, sizeof(text), &len,
	    &err), 0);
	ck_assert_int_eq(sortes_sign(b.lead, forged.signature, text, len, &err),
	    0);
	ck_assert_int_eq(verify(&b, &forged, &err), SORTES_EVERIFY);
	ck_assert_str_eq(err.msg, "seal of 6 entries: its sealed-at time "
	    "2026-01-16T09:00:01Z is not the freeze entry's " AT_FREEZE);
	/* Edited after signing: the signature says so first. */
	forged.signature[0] ^= 1;
	ck_assert_int_eq(verify(&b, &forged, &err), SORTES_EVERIFY);
	ck_assert_msg(strstr(err.msg, "seal of 6 entries: the signature is not "
	    "valid for key") == err.msg, "%s", err.msg);
	verify_ok(&b);
	bundle_teardown(&b);
}
END_TEST

START_TEST(test_manifest_missing)
{
	struct sortes_error err = { 0 };
	struct bundle b;

	bundle_setup(&b, SORTES_EXPORT_CSV);
	ck_assert_int_eq(unlink(b.manifest), 0);
	ck_assert_int_eq(verify(&b, &b.seal, &err), SORTES_ENOINPUT);
	ck_assert_msg(strstr(err.msg, "cannot open the manifest") != NULL, "%s",
	    err.msg);
	bundle_teardown(&b);
}
END_TEST

Suite *
suite_bundle(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("manifest");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_manifest_fields);
	tcase_add_test(tc, test_manifest_canonical);
	tcase_add_test(tc, test_manifest_mutants_csv);
	tcase_add_test(tc, test_manifest_mutants_json);
	tcase_add_test(tc, test_manifest_missing);
	suite_add_tcase(s, tc);

	tc = tcase_create("seal");
	tcase_add_test(tc, test_forged_seal);
	suite_add_tcase(s, tc);
	return s;
}
