/*
 * check_docs.c - the worked examples of docs/, recomputed with
 * sortes's own code.  Each example is an indented block after a line
 * "<!-- check: NAME -->"; a test here builds the same text and
 * requires it to be the block, so that a page an auditor implements
 * from cannot drift from the program.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sortes/alloc.h"
#include "sortes/blind.h"
#include "sortes/enroll.h"
#include "sortes/caseworker.h"
#include "sortes/crypto.h"
#include "sortes/keyfile.h"
#include "sortes/lifecycle.h"
#include "sortes/linkage.h"
#include "sortes/person.h"
#include "sortes/protocol_json.h"
#include "sortes/randomize.h"
#include "sortes/record.h"
#include "sortes/seal.h"
#include "sortes/sign.h"
#include "sortes/verify.h"
#include "suites.h"
#include "testutil.h"

#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

/* A growing text, for building an expected block line by line. */
struct text {
	char buf[8192];
	size_t len;
};

static void
line(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
line(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	ck_assert_int_ge(n, 0);
	t->len += (size_t)n;
	ck_assert_uint_lt(t->len + 1, sizeof(t->buf));
	t->buf[t->len++] = '\n';
	t->buf[t->len] = '\0';
}

static void
expect_block(const char *doc, const char *name, const struct text *t)
{
	char *block = tu_doc_block(doc, name);

	ck_assert_msg(strcmp(block, t->buf) == 0, "docs/%s, block '%s':\n"
	    "--- the docs say ---\n%s--- sortes computes ---\n%s", doc, name,
	    block, t->buf);
	free(block);
}

static void
hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static uint64_t
be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* docs/randomization.md: a stream of a stratum with fields, and the
 * block it makes under the UngiFokus protocol. */
START_TEST(test_stream_with_stratum)
{
	static const char stratum[] = "{\"jobcentre\":\"midt\",\"sex\":\"F\"}";
	struct sortes_protocol *p = NULL;
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	struct sortes_pcg32 rng;
	struct sortes_jcs j;
	struct text t = { .len = 0 };
	uint8_t seed[32], m[32];
	char mhex[65];
	size_t arms[SORTES_BLOCK_MAX];
	int size;

	ck_assert_msg(sortes_protocol_load(&p, SORTES_TOP_SRCDIR
	    "/protocols/ungifokus.yaml", &err) == 0, "%s", err.msg);
	memset(seed, 0x01, sizeof(seed));
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_hmac_new(&mac, seed, 32, &err), 0);
	ck_assert_int_eq(sortes_stream_derive(&rng, mac, &j, "block", stratum,
	    3, &err), 0);
	ck_assert_int_eq(sortes_hmac(mac, m, j.data, j.len, &err), 0);
	hex(mhex, m, 32);
	line(&t, "message   %s", j.data);
	line(&t, "mac       %s", mhex);
	line(&t, "initstate 0x%016" PRIx64, be64(m));
	line(&t, "initseq   0x%016" PRIx64, be64(m + 8));
	{
		struct sortes_pcg32 raw = rng;
		uint32_t o[4];

		for (int i = 0; i < 4; i++)
			o[i] = sortes_pcg32_next(&raw);
		line(&t, "outputs   0x%08" PRIx32 " 0x%08" PRIx32 " 0x%08" PRIx32
		    " 0x%08" PRIx32 " ...", o[0], o[1], o[2], o[3]);
	}
	sortes_alloc_block(p, p->block_sizes, p->nblock_sizes, &rng, arms,
	    &size);
	t.len += (size_t)snprintf(t.buf + t.len, sizeof(t.buf) - t.len,
	    "block     size %d:", size);
	for (int i = 0; i < size; i++)
		t.len += (size_t)snprintf(t.buf + t.len, sizeof(t.buf) - t.len,
		    " %s", p->arms[arms[i]].code);
	line(&t, "%s", "");
	expect_block("randomization.md", "stream-with-stratum", &t);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
	sortes_protocol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The example trial of docs/log-format.md and docs/audit.md           */

/*
 * Everything about the example trial is fixed: the seed (32 bytes of
 * 0x01, as in docs/randomization.md), the pseudonym key (32 bytes of
 * 0x02), the times, the participants' UUIDs; its allocations are drawn
 * from the seed by sortes's own allocator functions, and its seal is
 * signed with the throw-away key that docs/audit.md publishes.
 */
#define EX_CREATED	"2026-01-15T10:00:00Z"
#define EX_FREEZE_AT	"2026-01-16T09:00:00Z"
#define EX_REVEAL_AT	"2026-02-02T12:00:00Z"

/* A person of an example and what enrolling them logged. */
struct doc_person {
	const char *person, *uuid, *at, *birth, *sex;
};

static const struct doc_person ex_people[] = {
	{ "010203-1234", "019bc11d-94e0-7a3c-8b1d-4e5f6a7b8c9d",
	    "2026-01-15T10:05:00Z", "2003-02-01", "F" },
	{ "150495-2001", "019bc12b-5080-7f21-9c4e-0a1b2c3d4e5f",
	    "2026-01-15T10:20:00Z", "1995-04-15", "M" },
};

/* The chain being built: the last hash, and each entry's hash. */
struct chain {
	struct sortes_hasher *hasher;
	uint8_t prev[32];
	int64_t seq;
	char hash[8][65];	/* by seq */
};

/* Append the body in 'j' and write its block: body, then its hash. */
static void
chain_add(struct chain *c, struct sortes_jcs *j, struct text *t)
{
	struct sortes_error err = { 0 };
	uint8_t h[32];

	ck_assert_msg(sortes_jcs_finish(j, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sortes_hasher_two(c->hasher, h, c->prev, 32, j->data,
	    j->len, &err), 0);
	memcpy(c->prev, h, 32);
	c->seq++;
	hex(c->hash[c->seq], h, 32);
	line(t, "%s", j->data);
	line(t, "hash %s", c->hash[c->seq]);
}

struct example {
	struct sortes_protocol *p;
	char *yaml;
	char protocol_sha[65], json_sha[65], commitment[65];
	uint8_t seed[32];
	struct chain chain;
	struct sortes_allocation alloc[2];
	char seal[SORTES_SEAL_MAX];
};

static void
sha_hex(char out[65], const char *data, size_t len)
{
	struct sortes_error err = { 0 };
	uint8_t h[32];

	ck_assert_int_eq(sortes_sha256(h, data, len, &err), 0);
	hex(out, h, 32);
}

/* The protocol of the example: its block, its hashes, its JSON form. */
static void
example_protocol(struct example *ex, struct text *json)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;

	ex->yaml = tu_doc_block("log-format.md", "example-protocol");
	ck_assert_msg(sortes_protocol_parse(&ex->p, ex->yaml, strlen(ex->yaml),
	    "example.yaml", &err) == 0, "%s", err.msg);
	sha_hex(ex->protocol_sha, ex->yaml, strlen(ex->yaml));
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_protocol_json(&j, ex->p, SORTES_LOG_FORMAT,
	    &err), 0);
	sha_hex(ex->json_sha, j.data, j.len);
	line(json, "%s", j.data);
	line(json, "sha256 %s", ex->json_sha);
	sortes_jcs_free(&j);
}

static void
example_genesis(struct example *ex, struct text *t)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;

	memset(ex->seed, 0x01, sizeof(ex->seed));
	ck_assert_int_eq(sortes_key_commitment(ex->commitment, ex->seed, &err),
	    0);
	sortes_jcs_init(&j);
	sortes_record_genesis(&j, &(struct sortes_genesis_record){ .seq = 1,
	    .log_format = SORTES_LOG_FORMAT, .trial = ex->p->id,
	    .protocol_sha256 = ex->protocol_sha,
	    .protocol_json_sha256 = ex->json_sha,
	    .commitment = ex->commitment, .created_at = EX_CREATED });
	chain_add(&ex->chain, &j, t);
	sortes_jcs_free(&j);
}

/* The two allocations: block 0 of stratum {}, places 0 and 1. */
static void
example_allocate(struct example *ex)
{
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	struct sortes_pcg32 rng;
	struct sortes_jcs scratch;
	size_t arms[SORTES_BLOCK_MAX];
	int size;

	sortes_jcs_init(&scratch);
	ck_assert_int_eq(sortes_hmac_new(&mac, ex->seed, 32, &err), 0);
	ck_assert_int_eq(sortes_stream_derive(&rng, mac, &scratch, "block",
	    "{}", 0, &err), 0);
	sortes_alloc_block(ex->p, ex->p->block_sizes, ex->p->nblock_sizes,
	    &rng, arms, &size);
	ck_assert_int_ge(size, 2);
	for (int i = 0; i < 2; i++)
		ex->alloc[i] = (struct sortes_allocation){ arms[i], 0, i };
	sortes_hmac_free(mac);
	sortes_jcs_free(&scratch);
}

static void
example_enroll(struct example *ex, int i, struct text *t)
{
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	char person[SORTES_PERSON_MAX + 1], pseudonym[65], fields[128];
	uint8_t key[32], m[32];
	struct sortes_jcs j;

	memset(key, 0x02, sizeof(key));
	ck_assert_int_eq(sortes_person_canonical(person, ex->p->identifier,
	    ex_people[i].person, &err), 0);
	ck_assert_int_eq(sortes_hmac_new(&mac, key, 32, &err), 0);
	ck_assert_int_eq(sortes_hmac(mac, m, person, strlen(person), &err), 0);
	hex(pseudonym, m, 32);
	snprintf(fields, sizeof(fields), "{\"birth_date\":\"%s\",\"sex\":\"%s\"}",
	    ex_people[i].birth, ex_people[i].sex);
	sortes_jcs_init(&j);
	sortes_record_enroll(&j, &(struct sortes_enroll_record){
	    .seq = ex->chain.seq + 1, .participant = ex_people[i].uuid,
	    .pseudonym = pseudonym, .caseworker = "CW1", .fields = fields,
	    .stratum = "{}", .enrolled_at = ex_people[i].at,
	    .arm = ex->p->arms[ex->alloc[i].arm].code,
	    .method = sortes_method_name(ex->p->method),
	    .counter = ex->alloc[i].counter,
	    .position = ex->alloc[i].position });
	chain_add(&ex->chain, &j, t);
	sortes_jcs_free(&j);
	sortes_hmac_free(mac);
}

/* A key block of docs/audit.md as a key file. */
static struct sortes_signer *
doc_key(const char *dir, const char *name, int private)
{
	struct sortes_error err = { 0 };
	struct sortes_signer *s = NULL;
	char *pem = tu_doc_block("audit.md", name), *path = tu_path(dir, name);
	int rc;

	tu_write(path, pem);
	ck_assert_int_eq(chmod(path, 0600), 0);
	rc = private ? sortes_signer_load_private(&s, path, &err) :
	    sortes_signer_load_public(&s, path, &err);
	ck_assert_msg(rc == 0, "%s: %s", name, err.msg);
	free(pem);
	free(path);
	return s;
}

/* The signature of 'seal' checks with the published public key. */
static void
seal_checks(const char *dir, const char *seal)
{
	struct sortes_error err = { 0 };
	struct sortes_signer *pub = doc_key(dir, "example-public-key", 0);
	struct sortes_seal back;
	char text[SORTES_SEAL_MAX];
	size_t len;

	ck_assert_msg(sortes_seal_parse(&back, seal, strlen(seal), "example",
	    &err) == 0, "%s", err.msg);
	ck_assert_int_eq(sortes_seal_text(&back, text, sizeof(text), &len,
	    &err), 0);
	ck_assert_msg(sortes_sign_verify(pub, back.signature, text, len,
	    &err) == 0, "%s", err.msg);
	sortes_signer_free(pub);
}

/* The freeze (entry 4) and its seal, signed with the published key. */
static void
example_freeze(struct example *ex, struct text *t)
{
	struct sortes_error err = { 0 };
	struct sortes_signer *signer = NULL;
	struct sortes_seal s = { .entries = 4 };
	char *dir = tu_tmpdir();
	char fp[SORTES_SHA256_HEX];
	struct sortes_jcs j;
	size_t len;

	signer = doc_key(dir, "example-private-key", 1);
	sortes_signer_fingerprint(signer, fp);
	sortes_jcs_init(&j);
	sortes_record_freeze(&j, &(struct sortes_freeze_record){ .seq = 4,
	    .note = "after cohort 1", .sealed_at = EX_FREEZE_AT,
	    .signer = fp });
	chain_add(&ex->chain, &j, t);
	sortes_jcs_free(&j);
	snprintf(s.trial, sizeof(s.trial), "%s", ex->p->id);
	strcpy(s.protocol_sha256, ex->protocol_sha);
	strcpy(s.commitment, ex->commitment);
	strcpy(s.head, ex->chain.hash[4]);
	strcpy(s.sealed_at, EX_FREEZE_AT);
	strcpy(s.note, "after cohort 1");
	strcpy(s.signer, fp);
	ck_assert_int_eq(sortes_seal_text(&s, ex->seal, sizeof(ex->seal), &len,
	    &err), 0);
	ck_assert_int_eq(sortes_sign(signer, s.signature, ex->seal, len, &err),
	    0);
	ck_assert_int_eq(sortes_seal_format(&s, ex->seal, sizeof(ex->seal),
	    &len, &err), 0);
	seal_checks(dir, ex->seal);
	sortes_signer_free(signer);
	tu_rmtree(dir);
	free(dir);
}

static void
example_reveal(struct example *ex, struct text *t)
{
	char seed[65];
	struct sortes_jcs j;

	hex(seed, ex->seed, 32);
	sortes_jcs_init(&j);
	sortes_record_reveal(&j, &(struct sortes_reveal_record){ .seq = 5,
	    .seed = seed, .revealed_at = EX_REVEAL_AT });
	chain_add(&ex->chain, &j, t);
	sortes_jcs_free(&j);
}

static void
example_free(struct example *ex)
{
	sortes_hasher_free(ex->chain.hasher);
	sortes_protocol_free(ex->p);
	free(ex->yaml);
}

/* Build the example, each entry's block in entries[seq]. */
static void
example_build(struct example *ex, struct text *json, struct text *entries)
{
	struct sortes_error err = { 0 };

	memset(ex, 0, sizeof(*ex));
	ck_assert_int_eq(sortes_hasher_new(&ex->chain.hasher, &err), 0);
	example_protocol(ex, json);
	example_genesis(ex, &entries[1]);
	example_allocate(ex);
	example_enroll(ex, 0, &entries[2]);
	example_enroll(ex, 1, &entries[3]);
	example_freeze(ex, &entries[4]);
	example_reveal(ex, &entries[5]);
}

/* ------------------------------------------------------------------ */
/* Replaying, step by step as docs/randomization.md says               */

static void
arm_list(struct text *t, const char *label, const struct sortes_protocol *p,
    const size_t *arms, int n)
{
	char buf[256];
	size_t used = 0;

	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
		    i > 0 ? " " : "", p->arms[arms[i]].code);
	line(t, "%s%s", label, buf);
}

/* Fisher-Yates from the top, each draw written out. */
static void
trace_shuffle(struct text *t, const char *indent, size_t *arms, int n,
    struct sortes_pcg32 *rng)
{
	for (int i = n; i > 1; i--) {
		uint32_t j = sortes_pcg32_bounded(rng, (uint32_t)i);
		size_t tmp = arms[j];

		arms[j] = arms[i - 1];
		arms[i - 1] = tmp;
		line(t, "%s%si = %d: j = bounded(%d) = %" PRIu32 ", swap "
		    "places %" PRIu32 " and %d", indent, i == n ? "shuffle: " :
		    "         ", i, i, j, j, i - 1);
	}
}

/* Each arm 'ratio x per' times in protocol order. */
static int
arm_cycle(const struct sortes_protocol *p, int per, size_t *arms)
{
	int k = 0;

	for (size_t a = 0; a < p->narms; a++)
		for (int i = 0; i < p->arms[a].ratio * per; i++)
			arms[k++] = a;
	return k;
}

/* A permuted block drawn as written, checked against sortes's. */
static void
trace_block(struct text *t, const struct sortes_protocol *p, const int *sizes,
    size_t nsizes, struct sortes_pcg32 *rng, size_t *arms, int *size)
{
	struct sortes_pcg32 again = *rng;
	size_t theirs[SORTES_BLOCK_MAX];
	char list[64];
	size_t used = 0;
	uint32_t k = sortes_pcg32_bounded(rng, (uint32_t)nsizes);
	int n = sizes[k], their_size;

	for (size_t i = 0; i < nsizes; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%d", i > 0 ? ", " : "", sizes[i]);
	line(t, "  size:    bounded(%zu) = %" PRIu32 ", so %d (of %s)", nsizes,
	    k, n, list);
	arm_cycle(p, n / p->ratio_sum, arms);
	arm_list(t, "  list:    ", p, arms, n);
	trace_shuffle(t, "  ", arms, n, rng);
	arm_list(t, "  block:   ", p, arms, n);
	sortes_alloc_block(p, sizes, nsizes, &again, theirs, &their_size);
	ck_assert_int_eq(their_size, n);
	ck_assert_mem_eq(theirs, arms, (size_t)n * sizeof(*arms));
	*size = n;
}

/* A stream keyed with 'key', its message written out. */
static void
trace_stream(struct text *t, struct sortes_pcg32 *rng, const uint8_t key[32],
    const char *purpose, const char *stratum, const char *keyed)
{
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_hmac_new(&mac, key, 32, &err), 0);
	ck_assert_int_eq(sortes_stream_derive(rng, mac, &j, purpose, stratum, 0,
	    &err), 0);
	line(t, "  stream:  %s, keyed with %s", j.data, keyed);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
}

START_TEST(test_replay_example)
{
	static struct text json, entries[6], t;
	struct example ex;
	struct sortes_pcg32 rng;
	size_t arms[SORTES_BLOCK_MAX];
	int size;

	memset(&t, 0, sizeof(t));
	example_build(&ex, &json, entries);
	line(&t, "entry 2: place 0 of block 0 of stratum {}");
	trace_stream(&t, &rng, ex.seed, "block", "{}", "the seed");
	trace_block(&t, ex.p, ex.p->block_sizes, ex.p->nblock_sizes, &rng,
	    arms, &size);
	line(&t, "  place 0: %s, as logged", ex.p->arms[arms[0]].code);
	ck_assert_uint_eq(arms[0], ex.alloc[0].arm);
	line(&t, "entry 3: place 1 of the same block: %s, as logged",
	    ex.p->arms[arms[1]].code);
	ck_assert_uint_eq(arms[1], ex.alloc[1].arm);
	expect_block("randomization.md", "replay-example", &t);
	example_free(&ex);
}
END_TEST

/* The caseworker-level example: a real trial with its caseworkers. */
struct cw_example {
	char *dir;
	struct sortes_trial *t;
	uint8_t seed[32];
};

static void
cw_register(struct sortes_trial *t, const char *code, const char *team)
{
	struct sortes_caseworker_result res;
	struct sortes_caseworker_input in = { .code = code, .team = team,
	    .registered_at = EX_CREATED };

	tu_register(t, &in, &res);
}

static void
cw_setup(struct cw_example *cw)
{
	static const char *const codes[] = { "CW1", "CW2", "CW3", "CW4" };
	char *yaml = tu_doc_block("randomization.md", "example-cw-protocol");

	cw->dir = tu_tmpdir();
	cw->t = tu_trial(cw->dir, yaml);
	for (int i = 0; i < 4; i++)
		cw_register(cw->t, codes[i], i < 2 ? "nord" : "syd");
	memset(cw->seed, 0x01, sizeof(cw->seed));
	free(yaml);
}

/* Entry 6 by the steps of "complete", and by sortes's replay code. */
static void
cw_randomize(struct cw_example *cw, struct text *t, size_t *arms)
{
	static const char beacon[] = "00112233445566778899aabbccddeeff";
	const struct sortes_protocol *p = cw->t->protocol;
	struct sortes_error err = { 0 };
	struct sortes_randomize_result res;
	struct sortes_pcg32 rng;
	uint8_t key[32];
	char khex[65];
	int n;

	ck_assert_int_eq(sortes_randomize_seed(key, cw->seed, beacon, &err), 0);
	hex(khex, key, 32);
	line(t, "beacon key = HMAC-SHA256(seed, [\"sortes/1\",\"beacon\","
	    "\"%s\"])", beacon);
	line(t, "           = %s", khex);
	line(t, "entry 6: caseworkers by team, then code: CW1 CW2 CW3 CW4");
	trace_stream(t, &rng, key, "cluster", "{}", "the beacon key");
	n = arm_cycle(p, 4 / p->ratio_sum, arms);
	arm_list(t, "  list:    ", p, arms, n);
	trace_shuffle(t, "  ", arms, n, &rng);
	line(t, "  arms:    CW1 %s, CW2 %s, CW3 %s, CW4 %s", p->arms[arms[0]].code,
	    p->arms[arms[1]].code, p->arms[arms[2]].code, p->arms[arms[3]].code);
	ck_assert_msg(sortes_randomize_replay(cw->t, cw->seed, beacon, 6, &res,
	    &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(res.ncaseworkers, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq(res.arms[i], arms[i]);
	sortes_randomize_result_free(&res);
}

/* Entry 7, the new hire, and what sortes's allocator gives for it. */
static size_t
cw_new_hire(struct cw_example *cw, struct text *t)
{
	static const char stratum[] = "{\"team\":\"nord\"}";
	const struct sortes_protocol *p = cw->t->protocol;
	struct sortes_error err = { 0 };
	struct sortes_allocator *a = NULL;
	struct sortes_allocation got;
	struct sortes_pcg32 rng;
	size_t arms[SORTES_BLOCK_MAX];
	int size;

	line(t, "entry 7: CW5, a new hire of team nord: place 0 of block 0");
	trace_stream(t, &rng, cw->seed, "new_hire", stratum, "the seed");
	trace_block(t, p, p->new_hires->block_sizes,
	    p->new_hires->nblock_sizes, &rng, arms, &size);
	line(t, "  place 0: %s", p->arms[arms[0]].code);
	ck_assert_int_eq(sortes_db_begin(cw->t->db, &err), 0);
	ck_assert_int_eq(sortes_allocator_new(&a, cw->t->db, p, cw->seed, &err),
	    0);
	ck_assert_int_eq(sortes_allocator_new_hire(a, stratum, &got, &err), 0);
	ck_assert_uint_eq(got.arm, arms[0]);
	ck_assert_int_eq(got.counter, 0);
	ck_assert_int_eq(got.position, 0);
	sortes_allocator_free(a);
	sortes_db_rollback(cw->t->db);
	return arms[0];
}

START_TEST(test_replay_caseworker_example)
{
	struct cw_example cw;
	struct text t = { .len = 0 };
	size_t arms[8], hire;
	const struct sortes_protocol *p;

	cw_setup(&cw);
	p = cw.t->protocol;
	cw_randomize(&cw, &t, arms);
	hire = cw_new_hire(&cw, &t);
	line(&t, "entry 8: a youth with CW2: arm %s, counter 6 (the entry "
	    "that allocated CW2)", p->arms[arms[1]].code);
	line(&t, "entry 9: a youth with CW5: arm %s, counter 7",
	    p->arms[hire].code);
	expect_block("randomization.md", "replay-cw", &t);
	sortes_trial_close(cw.t);
	tu_rmtree(cw.dir);
	free(cw.dir);
}
END_TEST

START_TEST(test_example_trial)
{
	static struct text json, entries[6];
	struct example ex;
	char name[32];

	memset(&json, 0, sizeof(json));
	memset(entries, 0, sizeof(entries));
	example_build(&ex, &json, entries);
	expect_block("protocol-json.md", "example-json", &json);
	for (int seq = 1; seq <= 5; seq++) {
		snprintf(name, sizeof(name), "example-entry-%d", seq);
		expect_block("log-format.md", name, &entries[seq]);
	}
	expect_block("audit.md", "example-entry-4", &entries[4]);
	{
		struct text seal = { .len = 0 };

		seal.len = (size_t)snprintf(seal.buf, sizeof(seal.buf), "%s",
		    ex.seal);
		expect_block("audit.md", "example-seal", &seal);
	}
	example_free(&ex);
}
END_TEST

/* ------------------------------------------------------------------ */
/* docs/blinding.md and docs/log-format.md: the example's blinding     */

#define EX_BLIND_AT	"2026-01-15T12:00:00Z"
#define EX_UNBLIND_AT	"2026-03-02T09:00:00Z"

/* The mapping by the documented steps, as docs/blinding.md shows it. */
static void
blind_steps(const struct example *ex, struct text *t, char *mapping,
    size_t size, uint8_t nonce[32])
{
	struct sortes_error err = { 0 };
	struct sortes_hmac *mac = NULL;
	struct sortes_pcg32 rng;
	struct sortes_jcs j;
	size_t order[2] = { 0, 1 }, k, tmp;
	uint8_t m[32], buf[32 + 128];
	char mhex[65];

	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_hmac_new(&mac, ex->seed, 32, &err), 0);
	ck_assert_int_eq(sortes_stream_derive(&rng, mac, &j, "blind", "{}", 0,
	    &err), 0);
	ck_assert_int_eq(sortes_hmac(mac, m, j.data, j.len, &err), 0);
	hex(mhex, m, 32);
	line(t, "stream     %s, keyed with the seed", j.data);
	line(t, "mac        %s", mhex);
	k = sortes_pcg32_bounded(&rng, 2);
	line(t, "shuffle    i = 2: j = bounded(2) = %zu, swap places %zu and 1",
	    k, k);
	tmp = order[k];
	order[k] = order[1];
	order[1] = tmp;
	line(t, "labels     %s: group %c, %s: group %c", ex->p->arms[0].code,
	    (int)('A' + order[0]), ex->p->arms[1].code, (int)('A' + order[1]));
	ck_assert_int_eq(sortes_hmac(mac, nonce, "[\"sortes/1\",\"blind_nonce\"]",
	    26, &err), 0);
	hex(mhex, nonce, 32);
	line(t, "nonce      HMAC-SHA256(seed, [\"sortes/1\",\"blind_nonce\"])");
	line(t, "           = %s", mhex);
	snprintf(mapping, size, "{\"group A\":\"%s\",\"group B\":\"%s\"}",
	    ex->p->arms[order[0] == 0 ? 0 : 1].code,
	    ex->p->arms[order[0] == 0 ? 1 : 0].code);
	line(t, "mapping    %s", mapping);
	memcpy(buf, nonce, 32);
	memcpy(buf + 32, mapping, strlen(mapping));
	ck_assert_int_eq(sortes_sha256(m, buf, 32 + strlen(mapping), &err), 0);
	hex(mhex, m, 32);
	line(t, "commitment SHA-256(nonce || mapping)");
	line(t, "           = %s", mhex);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
}

/* The blind and unblind entries, chained after entry 3 of the example. */
static void
blind_entries(struct example *ex, const struct sortes_blinding *b,
    const char *mapping, struct text *t)
{
	struct sortes_error err = { 0 };
	struct sortes_jcs j;
	char nonce[65];

	ex->chain.seq = 3;
	ck_assert_int_eq(sortes_hex_decode(ex->chain.prev, 32,
	    ex->chain.hash[3]), 0);
	sortes_jcs_init(&j);
	sortes_record_blind(&j, &(struct sortes_blind_record){ .seq = 4,
	    .labels = "[\"group A\",\"group B\"]", .commitment = b->commitment,
	    .blinded_at = EX_BLIND_AT });
	chain_add(&ex->chain, &j, t);
	sortes_jcs_reset(&j);
	hex(nonce, b->nonce, 32);
	sortes_record_unblind(&j, &(struct sortes_unblind_record){ .seq = 5,
	    .blind = 4, .mapping = mapping, .nonce = nonce,
	    .unblinded_at = EX_UNBLIND_AT });
	chain_add(&ex->chain, &j, t);
	(void)err;
	sortes_jcs_free(&j);
}

START_TEST(test_blind_example)
{
	static struct text json, entries[6], steps, log;
	struct sortes_error err = { 0 };
	struct sortes_blinding b;
	struct sortes_jcs j;
	struct example ex;
	char mapping[128];
	uint8_t nonce[32];

	memset(&steps, 0, sizeof(steps));
	memset(&log, 0, sizeof(log));
	example_build(&ex, &json, entries);
	blind_steps(&ex, &steps, mapping, sizeof(mapping), nonce);
	expect_block("blinding.md", "blind-derivation", &steps);
	/* The steps as written are what sortes itself draws. */
	ck_assert_msg(sortes_blind_derive(&b, ex.p, ex.seed, &err) == 0, "%s",
	    err.msg);
	ck_assert_mem_eq(b.nonce, nonce, 32);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_blind_mapping_json(&j, &b, ex.p, &err), 0);
	ck_assert_str_eq(j.data, mapping);
	sortes_jcs_free(&j);
	ck_assert_ptr_nonnull(strstr(steps.buf, b.commitment));
	blind_entries(&ex, &b, mapping, &log);
	expect_block("log-format.md", "example-blind", &log);
	example_free(&ex);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The linkage file of docs/linkage.md                                 */

/*
 * The trial of docs/log-format.md's example protocol, with its fixed
 * seed and pseudonym key, three persons enrolled and one withdrawn.
 * What a real trial draws at random (the key, the UUIDs) is fixed
 * afterwards, the log rehashed, so that the example's bytes are the
 * same on every run and the rest is sortes's own code.
 */
static const struct doc_person lk_people[] = {
	{ "010101-9001", "019bc11d-94e0-7a3c-8b1d-4e5f6a7b8c9d",
	    "2026-01-15T10:05:00Z", "2001-01-01", "F" },
	{ "150203-9002", "019bc12b-5080-7f21-9c4e-0a1b2c3d4e5f",
	    "2026-01-15T10:20:00Z", "2003-02-15", "M" },
	{ "280604-9003", "019bc5f3-2e80-7b6d-a1f0-3c4d5e6f7a8b",
	    "2026-01-16T09:00:00Z", "2004-06-28", "F" },
};

static void
lk_enroll(struct sortes_trial *t, int i)
{
	const char *names[] = { "birth_date", "sex" };
	const char *values[] = { lk_people[i].birth, lk_people[i].sex };
	struct sortes_enroll_input in = { .person = lk_people[i].person,
	    .caseworker = "CW1", .names = names, .values = values,
	    .nfields = 2, .enrolled_at = lk_people[i].at,
	    .enroll_day = tu_day(i < 2 ? "2026-01-15" : "2026-01-16") };
	struct sortes_error err = { 0 };
	struct sortes_enroller *e = NULL;
	struct sortes_enroll_result res;

	ck_assert_int_eq(sortes_enroller_new(&e, t, &err), 0);
	ck_assert_msg(sortes_enroller_add(e, &in, &res, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(sortes_enroller_commit(e, &err), 0);
	sortes_enroller_free(e);
	tu_fix_participant(t, res.participant, lk_people[i].uuid);
}

static struct sortes_trial *
lk_trial(const char *dir)
{
	struct sortes_error err = { 0 };
	char *yaml = tu_doc_block("log-format.md", "example-protocol");
	struct sortes_trial *t = tu_trial(dir, yaml);
	struct sortes_verify_report rep;
	int64_t seq;

	free(yaml);
	tu_fix_key(t, 0x01, 0x02);
	for (int i = 0; i < 3; i++)
		lk_enroll(t, i);
	/* 23:30 UTC is 2 February in Copenhagen. */
	ck_assert_int_eq(sortes_withdraw(t, lk_people[1].uuid, "moved",
	    "2026-02-01T23:30:00Z", &seq, &err), 0);
	tu_rehash(t, 1);
	/* Fixed so, it is still a trial that checks. */
	ck_assert_msg(sortes_verify(t, tu_local_day, &rep, &err) == 0, "%s",
	    err.msg);
	return t;
}

/* The genesis is docs/log-format.md's: the same trial, the same seed. */
static void
lk_same_genesis(struct sortes_trial *t)
{
	char *block = tu_doc_block("log-format.md", "example-entry-1");
	char *hash = tu_text(t, "SELECT hash FROM log WHERE seq = 1");
	char *at = strstr(block, "hash ");

	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq(strncmp(at + 5, hash, 64), 0);
	free(hash);
	free(block);
}

/* The linkage of the persons block, as 'export linkage' writes it. */
static void
lk_linkage(struct sortes_trial *t, struct text *csv, struct text *manifest)
{
	struct sortes_error err = { 0 };
	char *persons = tu_doc_block("linkage.md", "linkage-persons");
	FILE *in = fmemopen(persons, strlen(persons), "r");
	FILE *out = fmemopen(csv->buf, sizeof(csv->buf), "w");
	struct sortes_linkage_input li = { in, "persons.csv", 0, tu_local_day,
	    NULL, NULL };
	struct sortes_linkage_counts c;
	struct sortes_seal head;
	char sha[65];
	struct sortes_jcs j;

	ck_assert_msg(sortes_linkage_write(t, &li, out, &c, &err) == 0, "%s",
	    err.msg);
	csv->len = (size_t)ftell(out);
	fclose(out);
	fclose(in);
	free(persons);
	ck_assert_int_eq(sortes_seal_head(t, &head, &err), 0);
	sha_hex(sha, csv->buf, csv->len);
	sortes_jcs_init(&j);
	ck_assert_int_eq(sortes_linkage_manifest(&j, t,
	    &(struct sortes_linkage_manifest){ "linkage.csv", sha,
	    head.entries, head.head, c, NULL, NULL }, &err), 0);
	line(manifest, "%s", j.data);
	sortes_jcs_free(&j);
}

START_TEST(test_linkage_example)
{
	static struct text csv, manifest;
	char *dir = tu_tmpdir();
	struct sortes_trial *t = lk_trial(dir);

	memset(&csv, 0, sizeof(csv));
	memset(&manifest, 0, sizeof(manifest));
	lk_same_genesis(t);
	lk_linkage(t, &csv, &manifest);
	expect_block("linkage.md", "linkage-csv", &csv);
	expect_block("linkage.md", "linkage-manifest", &manifest);
	sortes_trial_close(t);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

Suite *
suite_docs(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("examples");

	tcase_add_test(tc, test_stream_with_stratum);
	tcase_add_test(tc, test_example_trial);
	tcase_add_test(tc, test_replay_example);
	tcase_add_test(tc, test_replay_caseworker_example);
	tcase_add_test(tc, test_blind_example);
	tcase_add_test(tc, test_linkage_example);
	suite_add_tcase(s, tc);
	return s;
}
