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

#include "sortes/alloc.h"
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

Suite *
suite_docs(void)
{
	Suite *s = suite_create("docs");
	TCase *tc = tcase_create("examples");

	tcase_add_test(tc, test_stream_with_stratum);
	suite_add_tcase(s, tc);
	return s;
}
