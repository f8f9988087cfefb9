/*
 * check_protocol.c - the protocol parser: both shipped protocols read
 * member by member, a corpus of broken protocols that must each be
 * refused with the position and message written in their first line,
 * and the details (canonical values, defaults, lookups, quiet output).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/protocol.h"
#include "suites.h"
#include "testutil.h"

#ifndef SORTES_TEST_DATA
#define SORTES_TEST_DATA "tests"
#endif
#ifndef SORTES_TOP_SRCDIR
#define SORTES_TOP_SRCDIR "."
#endif

#define BAD_DIR SORTES_TEST_DATA "/protocols/bad"
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_CORPUS 165

static struct sortes_protocol *
load_ok(const char *path)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	int rc;

	rc = sortes_protocol_load(&p, path, &err);
	ck_assert_msg(rc == 0, "%s: %s", path, err.msg);
	ck_assert_ptr_nonnull(p);
	return p;
}

static struct sortes_protocol *
parse_ok(const char *text)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	int rc;

	rc = sortes_protocol_parse(&p, text, strlen(text), "t.yaml", &err);
	ck_assert_msg(rc == 0, "%s", err.msg);
	return p;
}

static void
check_arm(const struct sortes_arm *a, const char *code, const char *name,
    int ratio)
{
	ck_assert_str_eq(a->code, code);
	ck_assert_str_eq(a->name, name);
	ck_assert_int_eq(a->ratio, ratio);
}

static void
check_var(const struct sortes_field *f, const char *name, const char *label,
    enum sortes_field_type type, int required)
{
	ck_assert_str_eq(f->name, name);
	ck_assert_str_eq(f->label, label);
	ck_assert_int_eq(f->type, type);
	ck_assert_int_eq(f->required, required);
	if (type != SORTES_FIELD_ENUM) {
		ck_assert_ptr_null(f->values);
		ck_assert_uint_eq(f->nvalues, 0);
	}
	if (type != SORTES_FIELD_INTEGER && type != SORTES_FIELD_DECIMAL)
		ck_assert(!f->has_min && !f->has_max);
}

/* 'values' is one string, the values separated by blanks. */
static void
check_values(char *const *v, size_t n, const char *values)
{
	char buf[256], *tok, *save = NULL;
	size_t i = 0;

	snprintf(buf, sizeof(buf), "%s", values);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(v[i++], tok);
	}
	ck_assert_uint_eq(i, n);
}

static void
check_bounds(int has_min, int64_t min, int has_max, int64_t max,
    int want_has_min, int64_t want_min, int want_has_max, int64_t want_max)
{
	ck_assert_int_eq(has_min, want_has_min);
	ck_assert_int_eq(has_max, want_has_max);
	if (want_has_min)
		ck_assert_int_eq(min, want_min);
	if (want_has_max)
		ck_assert_int_eq(max, want_max);
}

static void
check_rule(const struct sortes_rule *r, const char *name,
    enum sortes_rule_kind kind, size_t field, int line)
{
	ck_assert_str_eq(r->name, name);
	ck_assert_int_eq(r->kind, kind);
	ck_assert_uint_eq(r->field, field);
	ck_assert_int_eq(r->line, line);
	if (kind == SORTES_RULE_AGE || kind == SORTES_RULE_RANGE) {
		ck_assert_ptr_null(r->values);
		ck_assert_uint_eq(r->nvalues, 0);
	} else {
		ck_assert(!r->has_min && !r->has_max);
	}
}

static void
check_offset(const struct sortes_offset *o, int64_t n,
    enum sortes_offset_unit unit)
{
	ck_assert_int_eq(o->n, n);
	ck_assert_int_eq(o->unit, unit);
}

/* An occasion measured at 'months' with the usual -14/+30 day window. */
static void
check_occasion(const struct sortes_occasion *o, const char *code,
    int64_t months, const char *after)
{
	ck_assert_str_eq(o->code, code);
	ck_assert_ptr_nonnull(o->label);
	check_offset(&o->offset, months, SORTES_MONTHS);
	if (after == NULL)
		ck_assert_ptr_null(o->after);
	else
		ck_assert_str_eq(o->after, after);
	check_offset(&o->window_before, 14, SORTES_DAYS);
	check_offset(&o->window_after, 30, SORTES_DAYS);
}

static void
check_indexes(const size_t *idx, size_t n, size_t want_n, size_t a, size_t b,
    size_t c)
{
	size_t want[3] = { a, b, c }, i;

	ck_assert_uint_eq(n, want_n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(idx[i], want[i]);
}

/* The method sections a protocol without them must leave NULL. */
static void
check_no_methods(const struct sortes_protocol *p)
{
	if (p->method != SORTES_METHOD_CONSTRAINED)
		ck_assert_ptr_null(p->constrained);
	if (p->method != SORTES_METHOD_MATCHED_PAIRS)
		ck_assert_ptr_null(p->matched_pairs);
	if (p->method != SORTES_METHOD_MINIMIZATION)
		ck_assert_ptr_null(p->minimization);
	if (p->unit == SORTES_UNIT_INDIVIDUAL)
		ck_assert_ptr_null(p->beacon);
}

static void
check_sizes(const int *sizes, size_t n, size_t want_n, int a, int b)
{
	int want[2] = { a, b };
	size_t i;

	ck_assert_uint_eq(n, want_n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(sizes[i], want[i]);
}

START_TEST(test_ungifokus)
{
	struct sortes_protocol *p;
	size_t i;

	p = load_ok(SORTES_TOP_SRCDIR "/protocols/ungifokus.yaml");
	ck_assert_int_eq(p->format, 1);
	ck_assert_str_eq(p->id, "ungifokus");
	ck_assert_str_eq(p->title, "UngiFokus: one primary contact person "
	    "for activity-ready young people on education benefit");
	ck_assert_str_eq(p->sponsor, "Aarhus Kommune, "
	    "Beskæftigelsesforvaltningen; evaluation funded by Lind Fonden");
	ck_assert_str_eq(p->timezone, "Europe/Copenhagen");
	ck_assert_int_eq(p->target_enrollment, 1000);
	ck_assert_int_eq(p->identifier, SORTES_PERSON_CPR);

	ck_assert_uint_eq(p->narms, 2);
	check_arm(&p->arms[0], "I", "UngiFokus: one primary contact person", 1);
	check_arm(&p->arms[1], "C", "Ordinary employment effort", 1);
	ck_assert_int_eq(p->ratio_sum, 2);

	ck_assert_int_eq(p->unit, SORTES_UNIT_INDIVIDUAL);
	ck_assert_int_eq(p->method, SORTES_METHOD_STRATIFIED_BLOCKS);
	/* fields sorted: activity_ready benefit birth_date jobcentre sex */
	check_indexes(p->strata, p->nstrata, 2, 3, 4, 0);
	ck_assert_uint_eq(p->nblock_sizes, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(p->block_sizes[i], 2 * (int)(i + 1));

	ck_assert_uint_eq(p->nfields, 5);
	check_var(&p->fields[0], "activity_ready",
	    "Assessed as activity-ready (aktivitetsparat)",
	    SORTES_FIELD_BOOLEAN, 1);
	check_var(&p->fields[1], "benefit", "Benefit received at enrollment",
	    SORTES_FIELD_ENUM, 1);
	check_values(p->fields[1].values, p->fields[1].nvalues,
	    "uddannelseshjaelp kontanthjaelp ledighedsydelse sygedagpenge");
	check_var(&p->fields[2], "birth_date", "Date of birth",
	    SORTES_FIELD_DATE, 1);
	check_var(&p->fields[3], "jobcentre",
	    "Jobcenter Aarhus unit responsible for the youth",
	    SORTES_FIELD_ENUM, 1);
	check_values(p->fields[3].values, p->fields[3].nvalues,
	    "midt nord syd vest");
	check_var(&p->fields[4], "sex", "Legal sex (from the CPR register)",
	    SORTES_FIELD_ENUM, 1);
	check_values(p->fields[4].values, p->fields[4].nvalues, "F M");

	ck_assert_uint_eq(p->nrules, 3);
	check_rule(&p->rules[0], "age 18-28", SORTES_RULE_AGE, 2, 63);
	check_bounds(p->rules[0].has_min, p->rules[0].min, p->rules[0].has_max,
	    p->rules[0].max, 1, 18, 1, 28);
	check_rule(&p->rules[1], "on education benefit", SORTES_RULE_EQUALS, 1,
	    67);
	check_values(p->rules[1].values, p->rules[1].nvalues,
	    "uddannelseshjaelp");
	check_rule(&p->rules[2], "assessed activity-ready", SORTES_RULE_EQUALS,
	    0, 70);
	check_values(p->rules[2].values, p->rules[2].nvalues, "true");

	ck_assert_uint_eq(p->nmeasures, 3);
	check_var(&p->measures[0], "employment",
	    "Main activity (job, education, flex-job or none)",
	    SORTES_FIELD_ENUM, 0);
	check_values(p->measures[0].values, p->measures[0].nvalues,
	    "job education fleksjob none");
	check_var(&p->measures[1], "who5", "WHO-5 well-being index (0-100)",
	    SORTES_FIELD_INTEGER, 0);
	check_bounds(p->measures[1].has_min, p->measures[1].min,
	    p->measures[1].has_max, p->measures[1].max, 1, 0, 1, 100);
	check_var(&p->measures[2], "weekly_hours",
	    "Hours a week in job, education or internship",
	    SORTES_FIELD_DECIMAL, 0);
	ck_assert_int_eq(p->measures[2].decimals, 1);
	check_bounds(p->measures[2].has_min, p->measures[2].min,
	    p->measures[2].has_max, p->measures[2].max, 1, 0, 1, 800);
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_NEXT_MONDAY);
	ck_assert_int_eq(p->outcome_assessment, SORTES_ASSESSMENT_OPEN);

	ck_assert_uint_eq(p->noccasions, 3);
	check_occasion(&p->occasions[0], "m6", 6, NULL);
	check_occasion(&p->occasions[1], "m12", 12, NULL);
	check_occasion(&p->occasions[2], "m24", 24, NULL);
	for (i = 0; i < 3; i++) {
		check_indexes(p->occasions[i].measures,
		    p->occasions[i].nmeasures, 3, 0, 1, 2);
		ck_assert_ptr_null(p->occasions[i].arms);
		ck_assert_uint_eq(p->occasions[i].narms, 0);
	}
	ck_assert_str_eq(p->occasions[0].label, "6 months after enrollment");
	ck_assert_ptr_null(p->budget);
	check_no_methods(p);
	ck_assert_ptr_null(p->new_hires);	/* individual: no default */
	ck_assert_ptr_null(p->derived);
	ck_assert_uint_eq(p->nderived, 0);
	ck_assert_ptr_null(p->cw_covariates);
	ck_assert_uint_eq(p->ncw_covariates, 0);
	sortes_protocol_free(p);
}
END_TEST

static void
check_ungebudgetter_occasions(const struct sortes_protocol *p)
{
	const struct sortes_occasion *o = p->occasions;

	ck_assert_uint_eq(p->noccasions, 5);
	check_occasion(&o[0], "m12", 12, NULL);
	check_indexes(o[0].measures, o[0].nmeasures, 2, 0, 1, 0);
	check_occasion(&o[1], "m12_budget", 12, NULL);
	check_indexes(o[1].measures, o[1].nmeasures, 1, 2, 0, 0);
	check_indexes(o[1].arms, o[1].narms, 1, 0, 0, 0);
	check_occasion(&o[2], "m24", 24, NULL);
	check_indexes(o[2].measures, o[2].nmeasures, 2, 0, 1, 0);
	check_occasion(&o[3], "m24_budget", 24, NULL);
	check_indexes(o[3].arms, o[3].narms, 1, 0, 0, 0);
	check_occasion(&o[4], "m36", 12, "m24");
	check_indexes(o[4].measures, o[4].nmeasures, 2, 0, 1, 0);
	ck_assert_ptr_null(o[0].arms);
	ck_assert_ptr_null(o[2].arms);
	ck_assert_ptr_null(o[4].arms);
	ck_assert_str_eq(o[4].label, "One year after the intervention ended");
}

/* Caseworker covariates, sorted: caseload office share_... years_... */
static void
check_ungebudgetter_covariates(const struct sortes_protocol *p)
{
	const struct sortes_field *v = p->cw_covariates;

	ck_assert_uint_eq(p->ncw_covariates, 4);
	check_var(&v[0], "caseload", "Number of citizens in the caseworker's "
	    "caseload", SORTES_FIELD_INTEGER, 1);
	check_bounds(v[0].has_min, v[0].min, v[0].has_max, v[0].max, 1, 0, 1,
	    200);
	check_var(&v[1], "office", "Jobcenter Aarhus unit the caseworker "
	    "works in", SORTES_FIELD_ENUM, 1);
	check_values(v[1].values, v[1].nvalues, "midt nord syd vest");
	check_var(&v[2], "share_education_benefit", "Share of the caseload on "
	    "education benefit (uddannelseshjaelp), in percent",
	    SORTES_FIELD_INTEGER, 1);
	check_bounds(v[2].has_min, v[2].min, v[2].has_max, v[2].max, 1, 0, 1,
	    100);
	check_var(&v[3], "years_experience", "Whole years of experience as a "
	    "caseworker", SORTES_FIELD_INTEGER, 0);
	check_bounds(v[3].has_min, v[3].min, v[3].has_max, v[3].max, 1, 0, 1,
	    50);
}

static void
check_ungebudgetter_caseworkers(const struct sortes_protocol *p)
{
	const struct sortes_constrained *co = p->constrained;

	check_ungebudgetter_covariates(p);
	ck_assert_ptr_nonnull(co);
	/* as listed: caseload, share_education_benefit, office */
	check_indexes(co->covariates, co->ncovariates, 3, 0, 2, 1);
	ck_assert_int_eq(co->weights[0], 1);
	ck_assert_int_eq(co->weights[1], 2);
	ck_assert_int_eq(co->weights[2], 1);
	ck_assert_int_eq(co->metric, 2);
	ck_assert_int_eq(co->keep_per10k, 1000);
	ck_assert_int_eq(co->coding, SORTES_CODING_UNSET);
	ck_assert_ptr_nonnull(p->new_hires);
	check_sizes(p->new_hires->block_sizes, p->new_hires->nblock_sizes, 1,
	    2, 0);
	ck_assert_ptr_nonnull(p->beacon);
	ck_assert_str_eq(p->beacon->source, "League of Entropy drand mainnet");
	ck_assert_int_eq(p->beacon->round, 5000000);
	ck_assert_ptr_null(p->derived);
	ck_assert_uint_eq(p->nderived, 0);
	check_no_methods(p);
}

START_TEST(test_ungebudgetter)
{
	struct sortes_protocol *p;

	p = load_ok(SORTES_TOP_SRCDIR "/protocols/ungebudgetter.yaml");
	ck_assert_int_eq(p->format, 1);
	ck_assert_str_eq(p->id, "ungebudgetter");
	ck_assert_str_eq(p->title, "Ungebudgetter: citizen-controlled budgets "
	    "for young people out of job and education");
	ck_assert_str_eq(p->sponsor, "Aarhus Kommune with Center for Social "
	    "Nytænkning and Lind Invest");
	ck_assert_str_eq(p->timezone, "Europe/Copenhagen");	/* default */
	ck_assert_int_eq(p->target_enrollment, 20);
	ck_assert_int_eq(p->identifier, SORTES_PERSON_CPR);

	ck_assert_uint_eq(p->narms, 2);
	check_arm(&p->arms[0], "B", "Citizen-controlled budget of DKK 25,000",
	    1);
	check_arm(&p->arms[1], "C", "Ordinary casework", 1);
	ck_assert_int_eq(p->ratio_sum, 2);
	ck_assert_int_eq(p->unit, SORTES_UNIT_CASEWORKER);
	ck_assert_int_eq(p->method, SORTES_METHOD_CONSTRAINED);
	ck_assert_ptr_null(p->strata);
	ck_assert_uint_eq(p->nstrata, 0);
	ck_assert_ptr_null(p->block_sizes);
	ck_assert_uint_eq(p->nblock_sizes, 0);
	check_ungebudgetter_caseworkers(p);

	ck_assert_uint_eq(p->nfields, 3);
	check_var(&p->fields[0], "benefit", "Benefit received at enrollment",
	    SORTES_FIELD_ENUM, 1);
	check_var(&p->fields[1], "birth_date", "Date of birth",
	    SORTES_FIELD_DATE, 1);
	check_var(&p->fields[2], "months_without_job_or_education",
	    "Whole months without job or education at enrollment",
	    SORTES_FIELD_INTEGER, 1);
	check_bounds(p->fields[2].has_min, p->fields[2].min,
	    p->fields[2].has_max, p->fields[2].max, 1, 0, 0, 0);

	ck_assert_uint_eq(p->nrules, 3);
	check_rule(&p->rules[0], "age 18-30", SORTES_RULE_AGE, 1, 102);
	check_bounds(p->rules[0].has_min, p->rules[0].min, p->rules[0].has_max,
	    p->rules[0].max, 1, 18, 1, 30);
	check_rule(&p->rules[1], "out of job and education for at least 10 "
	    "months", SORTES_RULE_RANGE, 2, 106);
	check_bounds(p->rules[1].has_min, p->rules[1].min, p->rules[1].has_max,
	    p->rules[1].max, 1, 10, 0, 0);
	check_rule(&p->rules[2], "on education benefit", SORTES_RULE_EQUALS, 0,
	    109);
	check_values(p->rules[2].values, p->rules[2].nvalues,
	    "uddannelseshjaelp");

	ck_assert_uint_eq(p->nmeasures, 3);
	ck_assert_str_eq(p->measures[0].name, "employment");
	ck_assert_str_eq(p->measures[1].name, "who5");
	check_var(&p->measures[2], "budget_use_satisfaction",
	    "Satisfaction with the use of the budget (1 = very poor, "
	    "5 = very good)", SORTES_FIELD_INTEGER, 0);
	check_bounds(p->measures[2].has_min, p->measures[2].min,
	    p->measures[2].has_max, p->measures[2].max, 1, 1, 1, 5);
	check_ungebudgetter_occasions(p);

	ck_assert_ptr_nonnull(p->budget);
	ck_assert_int_eq(p->budget->amount_minor, 2500000);
	ck_assert_str_eq(p->budget->currency, "DKK");
	check_indexes(p->budget->arms, p->budget->narms, 1, 0, 0, 0);
	ck_assert_uint_eq(p->budget->ncategories, 8);
	ck_assert_str_eq(p->budget->categories[0], "education");
	ck_assert_str_eq(p->budget->categories[7], "other");
	ck_assert_int_eq(p->weekends, SORTES_WEEKEND_NEXT_MONDAY);
	ck_assert_int_eq(p->outcome_assessment, SORTES_ASSESSMENT_OPEN);
	sortes_protocol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The corpus of broken protocols                                     */

struct corpus {
	char **names;
	size_t n;
};

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
corpus_read(struct corpus *c)
{
	struct dirent *de;
	size_t len, cap = 0;
	DIR *d;

	c->names = NULL;
	c->n = 0;
	d = opendir(BAD_DIR);
	ck_assert_msg(d != NULL, "cannot open %s", BAD_DIR);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		if (c->n == cap) {
			cap = cap ? 2 * cap : 64;
			c->names = realloc(c->names, cap * sizeof(*c->names));
			ck_assert_ptr_nonnull(c->names);
		}
		c->names[c->n] = strdup(de->d_name);
		ck_assert_ptr_nonnull(c->names[c->n]);
		c->n++;
	}
	closedir(d);
	if (c->n > 0)
		qsort(c->names, c->n, sizeof(*c->names), cmp_names);
}

static void
corpus_free(struct corpus *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
}

/* The first line: "# expect: LINE:COL: substring". */
static void
read_expect(const char *path, int *line, int *col, char *want, size_t size)
{
	char buf[512];
	FILE *f;
	int off = -1;
	size_t len;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_msg(fgets(buf, sizeof(buf), f) != NULL, "%s is empty", path);
	fclose(f);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	ck_assert_msg(sscanf(buf, "# expect: %d:%d: %n", line, col, &off) ==
	    2 && off > 0 && buf[off] != '\0',
	    "%s: first line is not '# expect: LINE:COL: text'", path);
	snprintf(want, size, "%s", buf + off);
}

static void
check_bad(const char *name)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = (struct sortes_protocol *)1;
	char path[1024], want[512], prefix[1100];
	int line, col, rc;

	snprintf(path, sizeof(path), "%s/%s", BAD_DIR, name);
	read_expect(path, &line, &col, want, sizeof(want));
	rc = sortes_protocol_load(&p, path, &err);
	ck_assert_msg(rc == SORTES_EDATA, "%s: expected a data error, got %d "
	    "(%s)", name, rc, rc ? err.msg : "accepted");
	ck_assert_ptr_null(p);
	snprintf(prefix, sizeof(prefix), "%s:%d:%d: ", path, line, col);
	ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
	    "%s: message '%s' does not start with '%s'", name, err.msg, prefix);
	ck_assert_msg(strstr(err.msg + strlen(prefix), want) != NULL,
	    "%s: message '%s' lacks '%s'", name, err.msg, want);
}

START_TEST(test_bad_corpus)
{
	struct corpus c;
	size_t i;

	corpus_read(&c);
	for (i = 0; i < c.n; i++)
		check_bad(c.names[i]);
	corpus_free(&c);
}
END_TEST

/* So that the loop above cannot pass by testing nothing. */
START_TEST(test_corpus_size)
{
	struct corpus c;
	size_t n;

	corpus_read(&c);
	n = c.n;
	corpus_free(&c);
	ck_assert_msg(n >= MIN_CORPUS, "%zu broken protocols in %s; expected "
	    "at least %d", n, BAD_DIR, MIN_CORPUS);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Details                                                            */

#define HEAD "sortes: 1\n" \
	"trial: {id: t-1, title: T, sponsor: S, target_enrollment: 9007199254740991}\n" \
	"arms:\n" \
	"  - {code: A, name: One, ratio: 2}\n" \
	"  - {code: b_2, name: Two, ratio: 1}\n"

START_TEST(test_canonical_values)
{
	struct sortes_protocol *p;

	p = parse_ok(HEAD
	    "randomization: {unit: individual, method: stratified_blocks, "
	    "strata: [z_flag, a_kind], block_sizes: [3]}\n"
	    "fields:\n"
	    "  - {name: z_flag, type: boolean}\n"
	    "  - {name: n, type: integer, min: -5}\n"
	    "  - {name: a_kind, type: enum, values: ['1', x y, 'true']}\n"
	    "  - {name: d, type: date}\n"
	    "  - {name: s, type: string}\n"
	    "eligibility:\n"
	    "  - {name: flag, field: z_flag, equals: 'false'}\n"
	    "  - {name: int, field: n, one_of: [007, -3, '4']}\n"
	    "  - {name: kind, field: a_kind, one_of: [1, 'true']}\n"
	    "  - {name: day, field: d, equals: 2024-02-29}\n"
	    "  - {name: text, field: s, equals: Aarhus C}\n"
	    "  - {name: range, field: n, max: -1}\n");
	ck_assert_int_eq(p->target_enrollment, SORTES_INT_MAX);
	ck_assert_int_eq(p->ratio_sum, 3);
	ck_assert_int_eq(p->method, SORTES_METHOD_STRATIFIED_BLOCKS);
	/* sorted: a_kind d n s z_flag */
	check_indexes(p->strata, p->nstrata, 2, 4, 0, 0);
	ck_assert_int_eq(p->fields[2].has_min, 1);
	ck_assert_int_eq(p->fields[2].min, -5);
	ck_assert_int_eq(p->fields[2].required, 0);
	ck_assert_ptr_null(p->fields[2].label);
	check_values(p->rules[0].values, p->rules[0].nvalues, "false");
	ck_assert_uint_eq(p->rules[0].field, 4);
	check_values(p->rules[1].values, p->rules[1].nvalues, "7 -3 4");
	ck_assert_int_eq(p->rules[1].kind, SORTES_RULE_ONE_OF);
	check_values(p->rules[2].values, p->rules[2].nvalues, "1 true");
	check_values(p->rules[3].values, p->rules[3].nvalues, "2024-02-29");
	ck_assert_str_eq(p->rules[4].values[0], "Aarhus C");
	check_rule(&p->rules[5], "range", SORTES_RULE_RANGE, 2, 19);
	check_bounds(p->rules[5].has_min, p->rules[5].min, p->rules[5].has_max,
	    p->rules[5].max, 0, 0, 1, -1);
	ck_assert_ptr_null(p->measures);
	ck_assert_ptr_null(p->occasions);
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_offsets_and_amounts)
{
	struct sortes_protocol *p;

	p = parse_ok(HEAD
	    "randomization: {unit: individual, method: blocks, "
	    "block_sizes: [6, 3]}\n"
	    "measures: [{code: x, type: boolean}]\n"
	    "followups:\n"
	    "  - {code: w0, offset: 0 days, measures: [x], arms: [b_2, A],\n"
	    "     window: {before: 1 week, after: 2 weeks}}\n"
	    "  - {code: w1, offset: 1 month, after: w0, measures: [x],\n"
	    "     window: {before: 0 days, after: 1 day}}\n"
	    "budget: {amount: 25000.5, currency: EUR, arms: [b_2, A]}\n");
	ck_assert_int_eq(p->block_sizes[0], 6);
	ck_assert_int_eq(p->block_sizes[1], 3);
	check_offset(&p->occasions[0].offset, 0, SORTES_DAYS);
	check_offset(&p->occasions[0].window_before, 1, SORTES_WEEKS);
	check_offset(&p->occasions[0].window_after, 2, SORTES_WEEKS);
	check_indexes(p->occasions[0].arms, p->occasions[0].narms, 2, 1, 0, 0);
	ck_assert_ptr_null(p->occasions[0].label);
	check_offset(&p->occasions[1].offset, 1, SORTES_MONTHS);
	check_offset(&p->occasions[1].window_after, 1, SORTES_DAYS);
	ck_assert_str_eq(p->occasions[1].after, "w0");
	ck_assert_int_eq(p->budget->amount_minor, 2500050);
	ck_assert_str_eq(p->budget->currency, "EUR");
	check_indexes(p->budget->arms, p->budget->narms, 2, 1, 0, 0);
	sortes_protocol_free(p);

	p = parse_ok(HEAD "randomization: {unit: individual, method: simple}\n"
	    "budget: {amount: \"0.01\", currency: DKK, arms: [A]}\n");
	ck_assert_int_eq(p->budget->amount_minor, 1);
	sortes_protocol_free(p);
}
END_TEST

#define IDENTIFIED(kind) "sortes: 1\n" \
	"trial: {id: t, title: T, sponsor: S, target_enrollment: 8" kind "}\n" \
	"arms: [{code: A, name: One, ratio: 1}, {code: B, name: Two, ratio: 1}]\n" \
	"randomization: {unit: individual, method: simple}\n"

/* Without the key, as every trial created before it, ascii. */
START_TEST(test_identifier)
{
	struct sortes_protocol *p;

	p = parse_ok(IDENTIFIED(""));
	ck_assert_int_eq(p->identifier, SORTES_PERSON_ASCII);
	sortes_protocol_free(p);
	p = parse_ok(IDENTIFIED(", identifier: ascii"));
	ck_assert_int_eq(p->identifier, SORTES_PERSON_ASCII);
	sortes_protocol_free(p);
	p = parse_ok(IDENTIFIED(", identifier: cpr"));
	ck_assert_int_eq(p->identifier, SORTES_PERSON_CPR);
	sortes_protocol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Derived fields, caseworkers and the method sections                */

static void
check_derived(const struct sortes_derived *d, const char *name, size_t age_of,
    const char *cuts, const char *labels)
{
	char buf[64];
	size_t i, used = 0;

	ck_assert_str_eq(d->name, name);
	ck_assert_uint_eq(d->age_of, age_of);
	buf[0] = '\0';
	for (i = 0; i < d->ncuts; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
		    "%s%lld", i > 0 ? " " : "", (long long)d->cuts[i]);
	ck_assert_str_eq(buf, cuts);
	check_values(d->labels, d->ncuts - 1, labels);
}

#define AGE_FIELDS \
	"fields:\n" \
	"  - {name: sex, type: enum, values: [F, M]}\n" \
	"  - {name: birth_date, type: date}\n" \
	"  - {name: ready, type: boolean}\n" \
	"derived:\n" \
	"  - {name: age_band, age_of: birth_date, bands: [18, 23, 29]}\n" \
	"  - {name: teen, age_of: birth_date, bands: [15, 18]}\n" \
	"  - {name: any_age, age_of: birth_date, bands: [0, 1, 150]}\n"

/* fields sorted: birth_date ready sex; derived follow from index 3 */
START_TEST(test_derived_strata)
{
	struct sortes_protocol *p;

	p = parse_ok(HEAD AGE_FIELDS
	    "randomization:\n"
	    "  unit: individual\n"
	    "  method: stratified_blocks\n"
	    "  strata: [age_band, caseworker_team, sex, any_age]\n"
	    "  block_sizes: [3]\n");
	ck_assert_uint_eq(p->nfields, 3);
	ck_assert_uint_eq(p->nderived, 3);
	check_derived(&p->derived[0], "age_band", 0, "18 23 29",
	    "18-22 23-28");
	check_derived(&p->derived[1], "teen", 0, "15 18", "15-17");
	check_derived(&p->derived[2], "any_age", 0, "0 1 150", "0-0 1-149");
	ck_assert_uint_eq(p->nstrata, 4);
	ck_assert_uint_eq(p->strata[0], 3);
	ck_assert_uint_eq(p->strata[1], SORTES_STRATUM_TEAM);
	ck_assert_uint_eq(p->strata[2], 2);
	ck_assert_uint_eq(p->strata[3], 5);
	/* derived fields are not fields */
	ck_assert_int_eq(sortes_protocol_field(p, "age_band"), -1);
	check_no_methods(p);
	ck_assert_ptr_null(p->new_hires);
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_minimization)
{
	const struct sortes_minimization *m;
	struct sortes_protocol *p;

	p = parse_ok(HEAD AGE_FIELDS
	    "randomization:\n"
	    "  unit: individual\n"
	    "  method: minimization\n"
	    "  minimization:\n"
	    "    factors:\n"
	    "      - {name: ready}\n"
	    "      - {name: teen, weight: 2}\n"
	    "      - {name: caseworker_team, weight: 3}\n"
	    "      - {name: sex, weight: 1000}\n"
	    "    probability: 0.75\n");
	m = p->minimization;
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nfactors, 4);
	ck_assert_uint_eq(m->factors[0], 1);
	ck_assert_uint_eq(m->factors[1], 4);
	ck_assert_uint_eq(m->factors[2], SORTES_STRATUM_TEAM);
	ck_assert_uint_eq(m->factors[3], 2);
	ck_assert_int_eq(m->weights[0], 1);	/* default */
	ck_assert_int_eq(m->weights[1], 2);
	ck_assert_int_eq(m->weights[2], 3);
	ck_assert_int_eq(m->weights[3], 1000);
	ck_assert_int_eq(m->probability_per10k, 7500);
	ck_assert_ptr_null(p->strata);
	ck_assert_uint_eq(p->nstrata, 0);
	ck_assert_ptr_null(p->block_sizes);
	check_no_methods(p);
	ck_assert_ptr_null(p->new_hires);
	sortes_protocol_free(p);
}
END_TEST

#define PROBABILITY_FMT HEAD \
	"fields: [{name: sex, type: enum, values: [F, M]}]\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: minimization\n" \
	"  minimization:\n" \
	"    factors: [{name: sex}]\n" \
	"    probability: %s\n"

#define KEEP_FMT HEAD \
	"caseworkers: {covariates: [{name: load, type: integer}]}\n" \
	"randomization:\n" \
	"  unit: caseworker\n" \
	"  method: constrained\n" \
	"  constrained:\n" \
	"    keep: %s\n"

/* Parse fmt with 'value' in it: the fraction, or -1 and the message. */
static int
decimal_of(const char *fmt, const char *value, int keep, char *msg,
    size_t size)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	char text[2048];
	int rc, v;

	snprintf(text, sizeof(text), fmt, value);
	rc = sortes_protocol_parse(&p, text, strlen(text), "d.yaml", &err);
	snprintf(msg, size, "%s", rc == 0 ? "" : err.msg);
	if (rc != 0) {
		ck_assert_int_eq(rc, SORTES_EDATA);
		ck_assert_ptr_null(p);
		return -1;
	}
	v = keep ? p->constrained->keep_per10k :
	    p->minimization->probability_per10k;
	sortes_protocol_free(p);
	return v;
}

static const struct {
	int keep;		/* 1: keep, 0: probability */
	const char *text;
	int per10k;		/* -1: refused */
	const char *why;	/* in the refusal */
} decimals[] = {
	{ 0, "0.8", 8000, NULL },
	{ 0, "0.75", 7500, NULL },
	{ 0, "1", 10000, NULL },
	{ 0, "1.0", 10000, NULL },
	{ 0, "1.0000", 10000, NULL },
	{ 0, "0.5", 5000, NULL },
	{ 0, "0.5001", 5001, NULL },
	{ 0, "0.9999", 9999, NULL },
	{ 0, "0.80", 8000, NULL },
	{ 1, "0.1", 1000, NULL },
	{ 1, "0.0001", 1, NULL },
	{ 1, "0.25", 2500, NULL },
	{ 1, "1", 10000, NULL },
	{ 0, "8e-1", -1, "probability '8e-1' is not a decimal" },
	{ 0, ".8", -1, "probability '.8' is not a decimal" },
	{ 0, "0.80001", -1, "probability '0.80001' has more than 4 decimals" },
	{ 0, "0.80000", -1, "has more than 4 decimals" },
	{ 0, "-0.5", -1, "probability -0.5 is out of range" },
	{ 0, "+0.8", -1, "is not a decimal" },
	{ 0, "1.", -1, "probability '1.' is not a decimal" },
	{ 0, "0,8", -1, "is not a decimal" },
	{ 0, "1e0", -1, "is not a decimal" },
	{ 0, "0.4999", -1, "probability 0.4999 is out of range" },
	{ 0, "1.0001", -1, "probability 1.0001 is out of range" },
	{ 0, "2", -1, "probability 2 is out of range" },
	{ 0, "99999999999999999999", -1, "is out of range" },
	{ 0, "'0.8'", -1, "probability is quoted text" },
	{ 0, "~", -1, "probability is empty" },
	{ 0, "[0.8]", -1, "probability is a list" },
	{ 1, "0", -1, "keep 0 is out of range" },
	{ 1, "0.0", -1, "keep 0.0 is out of range" },
	{ 1, "0.00001", -1, "keep '0.00001' has more than 4 decimals" },
	{ 1, "1.5", -1, "keep 1.5 is out of range" },
	{ 1, "-0.1", -1, "keep -0.1 is out of range" },
};

START_TEST(test_decimals)
{
	char msg[SORTES_ERROR_MSG_MAX];
	size_t i;
	int v;

	for (i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++) {
		v = decimal_of(decimals[i].keep ? KEEP_FMT : PROBABILITY_FMT,
		    decimals[i].text, decimals[i].keep, msg, sizeof(msg));
		ck_assert_msg(v == decimals[i].per10k, "'%s': %d, expected %d "
		    "(%s)", decimals[i].text, v, decimals[i].per10k, msg);
		if (decimals[i].why != NULL)
			ck_assert_msg(strstr(msg, decimals[i].why) != NULL,
			    "'%s': '%s' lacks '%s'", decimals[i].text, msg,
			    decimals[i].why);
	}
}
END_TEST

#define COVARIATES \
	"caseworkers:\n" \
	"  covariates:\n" \
	"    - {name: zeta, type: integer, required: true}\n" \
	"    - {name: hired, type: date}\n" \
	"    - {name: note, type: string}\n" \
	"    - {name: big, type: boolean}\n" \
	"    - {name: area, type: enum, values: [a, b]}\n"

/* sorted: area big hired note zeta */
START_TEST(test_constrained)
{
	const struct sortes_constrained *co;
	struct sortes_protocol *p;

	p = parse_ok(HEAD COVARIATES "randomization: {unit: caseworker, "
	    "method: constrained, constrained: {keep: 1}}\n");
	ck_assert_uint_eq(p->ncw_covariates, 5);
	ck_assert_str_eq(p->cw_covariates[0].name, "area");
	ck_assert_str_eq(p->cw_covariates[4].name, "zeta");
	ck_assert_int_eq(p->cw_covariates[4].required, 1);
	co = p->constrained;
	ck_assert_ptr_nonnull(co);
	/* default: the integer, enum and boolean ones, in name order */
	check_indexes(co->covariates, co->ncovariates, 3, 0, 1, 4);
	ck_assert_int_eq(co->weights[0], 1);
	ck_assert_int_eq(co->weights[1], 1);
	ck_assert_int_eq(co->weights[2], 1);
	ck_assert_int_eq(co->metric, 2);
	ck_assert_int_eq(co->keep_per10k, SORTES_PER10K);
	/* no coding given: the trial's log format decides */
	ck_assert_int_eq(co->coding, SORTES_CODING_UNSET);
	/* default new_hires: 2 * ratio sum 3 */
	ck_assert_ptr_nonnull(p->new_hires);
	check_sizes(p->new_hires->block_sizes, p->new_hires->nblock_sizes, 1,
	    6, 0);
	ck_assert_ptr_null(p->beacon);
	check_no_methods(p);
	sortes_protocol_free(p);

	p = parse_ok(HEAD COVARIATES
	    "randomization:\n"
	    "  unit: caseworker\n"
	    "  method: constrained\n"
	    "  constrained:\n"
	    "    covariates: [zeta, area]\n"
	    "    metric: l1\n"
	    "    weights: {area: 7}\n"
	    "    keep: 0.0001\n"
	    "    coding: per_level\n"
	    "  new_hires: {block_sizes: [6, 3]}\n");
	co = p->constrained;
	check_indexes(co->covariates, co->ncovariates, 2, 4, 0, 0);
	ck_assert_int_eq(co->weights[0], 1);
	ck_assert_int_eq(co->weights[1], 7);
	ck_assert_int_eq(co->metric, 1);
	ck_assert_int_eq(co->keep_per10k, 1);
	ck_assert_int_eq(co->coding, SORTES_CODING_PER_LEVEL);
	check_sizes(p->new_hires->block_sizes, p->new_hires->nblock_sizes, 2,
	    6, 3);
	sortes_protocol_free(p);

	p = parse_ok(HEAD COVARIATES "randomization: {unit: caseworker, "
	    "method: constrained, constrained: {keep: 1, coding: reference}}\n");
	ck_assert_int_eq(p->constrained->coding, SORTES_CODING_REFERENCE);
	sortes_protocol_free(p);
}
END_TEST

/* randomization.constrained.coding: reference or per_level, nothing
 * else, refused where the value is. */
START_TEST(test_constrained_coding)
{
	static const char *const bad[] = { "dummy", "Reference", "[reference]",
	    "per-level" };
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	char text[2048];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s\n", HEAD COVARIATES
		    "randomization:\n"
		    "  unit: caseworker\n"
		    "  method: constrained\n"
		    "  constrained:\n"
		    "    keep: 1\n"
		    "    coding: ", bad[i]);
		ck_assert_int_eq(sortes_protocol_parse(&p, text, strlen(text),
		    "c.yaml", &err), SORTES_EDATA);
		ck_assert_ptr_null(p);
		ck_assert_msg(strstr(err.msg, "c.yaml:18:13: ") != NULL &&
		    strstr(err.msg, "expected reference or per_level") != NULL,
		    "%s: %s", bad[i], err.msg);
	}
}
END_TEST

/* Equal ratios: 2:2 allocates 1:1 too. */
#define HEAD_EVEN "sortes: 1\n" \
	"trial: {id: t, title: T, sponsor: S, target_enrollment: 8}\n" \
	"arms: [{code: A, name: One, ratio: 2}, {code: B, name: Two, ratio: 2}]\n"

START_TEST(test_matched_pairs)
{
	const struct sortes_matched_pairs *mp;
	struct sortes_protocol *p;

	p = parse_ok(HEAD_EVEN
	    "caseworkers:\n"
	    "  covariates:\n"
	    "    - {name: office, type: enum, values: [nord, syd]}\n"
	    "    - {name: years, type: integer}\n"
	    "randomization:\n"
	    "  unit: caseworker\n"
	    "  method: matched_pairs\n"
	    "  matched_pairs: {by: years}\n");
	mp = p->matched_pairs;
	ck_assert_ptr_nonnull(mp);
	ck_assert_int_eq(mp->by, 1);
	ck_assert_ptr_null(mp->pairs);
	ck_assert_uint_eq(mp->npairs, 0);
	check_sizes(p->new_hires->block_sizes, p->new_hires->nblock_sizes, 1,
	    8, 0);
	check_no_methods(p);
	sortes_protocol_free(p);

	/* pairs need no covariates */
	p = parse_ok(HEAD_EVEN
	    "randomization:\n"
	    "  unit: caseworker\n"
	    "  method: matched_pairs\n"
	    "  matched_pairs:\n"
	    "    pairs:\n"
	    "      - [CW01, CW02]\n"
	    "      - [cw.3, \"007\"]\n"
	    "      - [X_-9, y]\n");
	mp = p->matched_pairs;
	ck_assert_int_eq(mp->by, -1);
	ck_assert_uint_eq(mp->npairs, 3);
	check_values(mp->pairs, 2 * mp->npairs, "CW01 CW02 cw.3 007 X_-9 y");
	ck_assert_ptr_null(p->cw_covariates);
	sortes_protocol_free(p);
}
END_TEST

#define BEACON_FMT HEAD \
	"randomization:\n" \
	"  unit: caseworker\n" \
	"  method: stratified\n" \
	"  beacon: {source: NIST Randomness Beacon, date: %s}\n"

START_TEST(test_beacon)
{
	static const struct {
		const char *date;
		int32_t day;
	} dates[] = {
		{ "1970-01-01", 0 }, { "1969-12-31", -1 },
		{ "2000-03-01", 11017 }, { "2024-02-29", 19782 },
		{ "2100-03-01", 47541 }, { "1000-01-01", -354285 },
		{ "9999-12-31", 2932896 },
	};
	struct sortes_protocol *p;
	char text[1024];
	size_t i;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		snprintf(text, sizeof(text), BEACON_FMT, dates[i].date);
		p = parse_ok(text);
		ck_assert_str_eq(p->beacon->source, "NIST Randomness Beacon");
		ck_assert_int_eq(p->beacon->round, -1);
		ck_assert_msg(p->beacon->date == dates[i].day, "%s: day %d, "
		    "expected %d", dates[i].date, (int)p->beacon->date,
		    (int)dates[i].day);
		sortes_protocol_free(p);
	}

	p = parse_ok(HEAD "randomization:\n"
	    "  unit: caseworker\n"
	    "  method: complete\n"
	    "  beacon:\n"
	    "    source: League of Entropy drand mainnet\n"
	    "    round: 0\n");
	ck_assert_int_eq(p->method, SORTES_METHOD_COMPLETE);
	ck_assert_int_eq(p->beacon->round, 0);
	ck_assert_int_eq(p->beacon->date, 0);
	check_sizes(p->new_hires->block_sizes, p->new_hires->nblock_sizes, 1,
	    6, 0);
	check_no_methods(p);
	sortes_protocol_free(p);
}
END_TEST

/* The length is honoured: ASan catches a read past the buffer. */
#define LAST_LINE "randomization: {unit: caseworker, method: complete}\n"

/* trial.outcome_assessment: open unless declared blinded. */
START_TEST(test_outcome_assessment)
{
	static const char *const values[] = { "blinded", "open" };
	static const enum sortes_assessment want[] = {
		SORTES_ASSESSMENT_BLINDED, SORTES_ASSESSMENT_OPEN };
	char text[512];

	for (size_t i = 0; i < 2; i++) {
		struct sortes_protocol *p;

		snprintf(text, sizeof(text), "sortes: 1\ntrial: {id: t, title: T, "
		    "sponsor: S, target_enrollment: 4, outcome_assessment: "
		    "%s}\narms: [{code: I, name: I, ratio: 1}, {code: C, "
		    "name: C, ratio: 1}]\nrandomization: {unit: individual, "
		    "method: simple}\n", values[i]);
		p = parse_ok(text);
		ck_assert_int_eq(p->outcome_assessment, want[i]);
		sortes_protocol_free(p);
	}
}
END_TEST

/*
 * date_format: iso unless declared; the trial's applies to every date
 * variable that declares none, a variable's own to it alone.
 */
START_TEST(test_date_format)
{
	struct sortes_protocol *p = parse_ok("sortes: 1\ntrial: {id: t, "
	    "title: T, sponsor: S, target_enrollment: 4, date_format: "
	    "day_month_year}\narms: [{code: I, name: I, ratio: 1}, {code: C, "
	    "name: C, ratio: 1}]\nrandomization: {unit: individual, method: "
	    "simple}\nfields:\n  - {name: born, type: date}\n"
	    "  - {name: seen, type: date, date_format: iso}\n"
	    "measures:\n  - {code: started, type: date}\n");

	ck_assert_int_eq(p->date_format, SORTES_DATE_DAY_MONTH_YEAR);
	ck_assert_int_eq(p->date_format_given, 1);
	ck_assert_str_eq(p->fields[0].name, "born");
	ck_assert_int_eq(p->fields[0].date_format, SORTES_DATE_DAY_MONTH_YEAR);
	ck_assert_int_eq(p->fields[0].date_format_given, 0);
	ck_assert_int_eq(p->fields[1].date_format, SORTES_DATE_ISO);
	ck_assert_int_eq(p->fields[1].date_format_given, 1);
	ck_assert_int_eq(p->measures[0].date_format,
	    SORTES_DATE_DAY_MONTH_YEAR);
	sortes_protocol_free(p);

	p = parse_ok("sortes: 1\ntrial: {id: t, title: T, sponsor: S, "
	    "target_enrollment: 4}\narms: [{code: I, name: I, ratio: 1}, "
	    "{code: C, name: C, ratio: 1}]\nrandomization: {unit: caseworker, "
	    "method: complete}\ncaseworkers:\n  covariates:\n"
	    "    - {name: hired, type: date, date_format: day_month_year}\n"
	    "    - {name: left, type: date}\n");
	ck_assert_int_eq(p->date_format, SORTES_DATE_ISO);
	ck_assert_int_eq(p->date_format_given, 0);
	ck_assert_int_eq(p->cw_covariates[0].date_format,
	    SORTES_DATE_DAY_MONTH_YEAR);
	ck_assert_int_eq(p->cw_covariates[1].date_format, SORTES_DATE_ISO);
	ck_assert_str_eq(sortes_date_format_name(SORTES_DATE_DAY_MONTH_YEAR),
	    "day_month_year");
	ck_assert_str_eq(sortes_date_format_name(SORTES_DATE_ISO), "iso");
	sortes_protocol_free(p);
}
END_TEST

START_TEST(test_not_nul_terminated)
{
	static const char text[] = HEAD LAST_LINE;
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	size_t len = sizeof(text) - 1;
	char *copy;
	int rc;

	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, text, len);
	rc = sortes_protocol_parse(&p, copy, len, "t.yaml", &err);
	free(copy);
	ck_assert_msg(rc == 0, "%s", err.msg);
	ck_assert_int_eq(p->method, SORTES_METHOD_COMPLETE);
	sortes_protocol_free(p);

	/* cut off before the last line: randomization is missing */
	rc = sortes_protocol_parse(&p, text, len - (sizeof(LAST_LINE) - 1),
	    "t.yaml", &err);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err.msg, "t.yaml:1:1: missing key 'randomization' "
	    "in the protocol; expected a mapping with unit and method");
}
END_TEST

START_TEST(test_lookups_and_names)
{
	struct sortes_protocol *p;

	p = load_ok(SORTES_TOP_SRCDIR "/protocols/ungifokus.yaml");
	ck_assert_int_eq(sortes_protocol_field(p, "activity_ready"), 0);
	ck_assert_int_eq(sortes_protocol_field(p, "sex"), 4);
	ck_assert_int_eq(sortes_protocol_field(p, "jobcentre"), 3);
	ck_assert_int_eq(sortes_protocol_field(p, "jobcentr"), -1);
	ck_assert_int_eq(sortes_protocol_field(p, "zzz"), -1);
	ck_assert_int_eq(sortes_protocol_field(p, NULL), -1);
	ck_assert_int_eq(sortes_protocol_arm(p, "I"), 0);
	ck_assert_int_eq(sortes_protocol_arm(p, "C"), 1);
	ck_assert_int_eq(sortes_protocol_arm(p, "c"), -1);
	ck_assert_int_eq(sortes_protocol_arm(NULL, "C"), -1);
	sortes_protocol_free(p);
	sortes_protocol_free(NULL);

	ck_assert_str_eq(sortes_method_name(SORTES_METHOD_SIMPLE), "simple");
	ck_assert_str_eq(sortes_method_name(SORTES_METHOD_STRATIFIED_BLOCKS),
	    "stratified_blocks");
	ck_assert_str_eq(sortes_method_name(SORTES_METHOD_MATCHED_PAIRS),
	    "matched_pairs");
	ck_assert_str_eq(sortes_method_name(SORTES_METHOD_CONSTRAINED),
	    "constrained");
	ck_assert_str_eq(sortes_method_name((enum sortes_method)99), "unknown");
	ck_assert_str_eq(sortes_unit_name(SORTES_UNIT_INDIVIDUAL),
	    "individual");
	ck_assert_str_eq(sortes_unit_name(SORTES_UNIT_CASEWORKER),
	    "caseworker");
	ck_assert_str_eq(sortes_unit_name((enum sortes_unit)7), "unknown");
	ck_assert_str_eq(sortes_field_type_name(SORTES_FIELD_STRING), "string");
	ck_assert_str_eq(sortes_field_type_name(SORTES_FIELD_BOOLEAN),
	    "boolean");
	ck_assert_str_eq(sortes_field_type_name((enum sortes_field_type)9),
	    "unknown");
}
END_TEST

START_TEST(test_load_errors)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = (struct sortes_protocol *)1;
	int rc;

	rc = sortes_protocol_load(&p, BAD_DIR "/no-such-file.yaml", &err);
	ck_assert_int_eq(rc, SORTES_ENOINPUT);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err.msg, "no-such-file.yaml"));
	rc = sortes_protocol_load(&p, BAD_DIR, &err);
	ck_assert_int_eq(rc, SORTES_ENOINPUT);
	ck_assert_int_eq(sortes_protocol_load(NULL, "x", &err), SORTES_EUSAGE);
	ck_assert_int_eq(sortes_protocol_parse(&p, NULL, 3, "x", &err),
	    SORTES_EUSAGE);
	/* a NULL error slot is allowed: only the code comes back */
	ck_assert_int_eq(sortes_protocol_parse(&p, "- a\n", 4, "x", NULL),
	    SORTES_EDATA);
	ck_assert_ptr_null(p);
}
END_TEST

/* A library must not print: libfyaml's own messages are captured. */
START_TEST(test_quiet)
{
	static const char text[] = "sortes: 1\ntrial:\n\tid: x\n";
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	FILE *tmp;
	int saved, rc;
	long size;

	tmp = tmpfile();
	ck_assert_ptr_nonnull(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
	rc = sortes_protocol_parse(&p, text, sizeof(text) - 1, "q.yaml", &err);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fseek(tmp, 0, SEEK_END);
	size = ftell(tmp);
	fclose(tmp);
	ck_assert_msg(size == 0, "%ld bytes written to stderr", size);
	ck_assert_int_eq(rc, SORTES_EDATA);
	ck_assert_str_eq(err.msg, "q.yaml:3:1: tab character may not be used "
	    "as indentation");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Every error, in file order, without cascades                       */

/* Parse 'text' as t.yaml with a report; the report holds the errors. */
static int
parse_report(const char *text, int check_zone,
    struct sortes_protocol_report *report, struct sortes_error *err)
{
	struct sortes_protocol_options opt = { check_zone, report };
	struct sortes_protocol *p = (struct sortes_protocol *)1;
	int rc;

	rc = sortes_protocol_parse_with(&p, text, strlen(text), "t.yaml", &opt,
	    err);
	if (rc == 0) {
		ck_assert_ptr_nonnull(p);
		sortes_protocol_free(p);
	} else {
		ck_assert_ptr_null(p);
	}
	return rc;
}

/*
 * 'text' is refused with exactly the errors want[0..n), in order, each
 * "LINE:COL: start of the message", and 'more' beyond them; the first
 * is also the message in err, as sortes_protocol_parse() gives it.
 */
static void
check_errors(const char *text, const char *const *want, size_t n, size_t more)
{
	struct sortes_protocol_report r;
	struct sortes_error err = { 0, "" }, err1 = { 0, "" };
	struct sortes_protocol *p = NULL;
	char prefix[600];
	size_t i;

	ck_assert_int_eq(parse_report(text, 0, &r, &err), SORTES_EDATA);
	for (i = 0; i < r.nerrors && i < n; i++) {
		snprintf(prefix, sizeof(prefix), "t.yaml:%s", want[i]);
		ck_assert_msg(strncmp(r.errors[i], prefix, strlen(prefix)) == 0,
		    "error %zu is '%s'; expected it to start with '%s'", i,
		    r.errors[i], prefix);
	}
	ck_assert_msg(r.nerrors == n, "%zu errors, expected %zu; the first "
	    "is '%s', the last '%s'", r.nerrors, n, r.errors[0],
	    r.errors[r.nerrors - 1]);
	ck_assert_uint_eq(r.more, more);
	ck_assert_str_eq(err.msg, r.errors[0]);
	ck_assert_int_eq(sortes_protocol_parse(&p, text, strlen(text),
	    "t.yaml", &err1), SORTES_EDATA);
	ck_assert_str_eq(err1.msg, r.errors[0]);
	sortes_protocol_report_free(&r);
	ck_assert_ptr_null(r.errors);
	ck_assert_uint_eq(r.nerrors, 0);
}

/*
 * One error in each of several sections, found in another order than
 * they stand (randomization is read after fields): reported in file
 * order, and each list goes on after its bad item.
 */
START_TEST(test_every_error)
{
	static const char text[] =
	    "sortes: 1\n"
	    "trial: {id: t-1, title: T, sponsor: S, target_enrollment: 10}\n"
	    "randomization:\n"
	    "  unit: individual\n"
	    "  method: stratified_blocks\n"
	    "  strata: [jobcentre, sex, benefit]\n"
	    "  block_sizes: [2, 3]\n"
	    "arms:\n"
	    "  - {code: A, name: One, ratio: 1}\n"
	    "  - {code: B, name: Two, ratio: 1, colour: red}\n"
	    "  - {code: C, name: Three, ratio: 1}\n"
	    "fields:\n"
	    "  - {name: sex, type: enum, values: [F, M]}\n"
	    "  - {name: jobcenter, type: enum, values: [nord, syd]}\n"
	    "  - {name: age, type: integr}\n"
	    "  - {name: ready, type: boolean, required: yes}\n"
	    "eligibility:\n"
	    "  - {name: women, field: sex, equals: f}\n"
	    "  - {name: adults, age_of: birthdate, min: 18}\n"
	    "  - {name: north, field: jobcenter, one_of: [nord, vest, syd, "
	    "est]}\n";
	static const char *const want[] = {
		"6:12: unknown field 'jobcentre' in strata; expected an enum "
		    "or boolean field, a derived field or caseworker_team; did "
		    "you mean 'jobcenter'?",
		"6:28: unknown field 'benefit' in strata; expected an enum or "
		    "boolean field, a derived field or caseworker_team",
		"10:36: unknown key 'colour' in arm; expected one of code, "
		    "name, ratio",
		"15:23: unknown type 'integr'; expected one of string, "
		    "integer, date, enum, boolean; did you mean 'integer'?",
		"16:44: required 'yes' is not a boolean; expected true or "
		    "false",
		"18:39: 'f' is not a value of field 'sex'; expected one of F, "
		    "M; did you mean 'F'?",
		"19:28: unknown field 'birthdate' in age_of; expected a field "
		    "declared under fields",
		"20:52: 'vest' is not a value of field 'jobcenter'; expected "
		    "one of nord, syd",
		"20:63: 'est' is not a value of field 'jobcenter'; expected "
		    "one of nord, syd",
	};

	check_errors(text, want, NKEYS(want), 0);
}
END_TEST

/*
 * The first SORTES_PROTOCOL_MAX_ERRORS errors in the file are kept and
 * the rest counted; an error found last but standing first is kept.
 */
START_TEST(test_error_limit)
{
	char text[4096], *want_text[SORTES_PROTOCOL_MAX_ERRORS];
	const char *want[SORTES_PROTOCOL_MAX_ERRORS];
	size_t used, i;

	used = (size_t)snprintf(text, sizeof(text), "sortes: 1\n"
	    "trial: {id: t-1, title: T, sponsor: S, target_enrollment: 10}\n"
	    "randomization: {unit: individual, method: simpel}\n"
	    "arms: [{code: A, name: One, ratio: 1}, {code: B, name: Two, "
	    "ratio: 1}]\n"
	    "fields:\n");
	for (i = 0; i < 25; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "  - {name: f%zu, type: text}\n", i);
	ck_assert_uint_lt(used, sizeof(text) - 1);
	want[0] = "3:43: unknown method 'simpel'; expected one of simple, "
	    "blocks, stratified_blocks, minimization; did you mean 'simple'?";
	for (i = 1; i < SORTES_PROTOCOL_MAX_ERRORS; i++) {
		want_text[i] = malloc(80);
		ck_assert_ptr_nonnull(want_text[i]);
		snprintf(want_text[i], 80, "%zu:%d: unknown type 'text'", i + 5,
		    i <= 10 ? 22 : 23);
		want[i] = want_text[i];
	}
	check_errors(text, want, SORTES_PROTOCOL_MAX_ERRORS, 6);
	for (i = 1; i < SORTES_PROTOCOL_MAX_ERRORS; i++)
		free(want_text[i]);
}
END_TEST

#define USES_JOBCENTRE(name) \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: stratified_blocks\n" \
	"  strata: [" name ", sex]\n" \
	"  block_sizes: [3]\n" \
	"eligibility:\n" \
	"  - {name: north, field: " name ", equals: nord}\n" \
	"  - {name: women, field: sex, equals: F}\n"

/*
 * A misspelt field name: an error at its declaration when that is what
 * fails (and then none where it is used), else one where it is used.
 */
START_TEST(test_no_cascade_names)
{
	static const char *const decl[] = {
		"7:12: name 'Jobcentre' is not a valid name",
	};
	static const char *const uses[] = {
		"12:12: unknown field 'jobcentre' in strata; expected an enum "
		    "or boolean field, a derived field or caseworker_team; did "
		    "you mean 'jobcenter'?",
		"15:26: unknown field 'jobcentre'; expected a field declared "
		    "under fields; did you mean 'jobcenter'?",
	};
	/* a field lost for its type: its name is quiet, others are not */
	static const char *const lost[] = {
		"7:29: unknown type 'enun'; expected one of string, integer, "
		    "date, enum, boolean; did you mean 'enum'?",
		"17:25: unknown field 'jobcenter'; expected a field declared "
		    "under fields; did you mean 'jobcentre'?",
	};

	check_errors(HEAD
	    "fields:\n"
	    "  - {name: Jobcentre, type: enum, values: [nord, syd]}\n"
	    "  - {name: sex, type: enum, values: [F, M]}\n"
	    USES_JOBCENTRE("Jobcentre"), decl, NKEYS(decl), 0);
	check_errors(HEAD
	    "fields:\n"
	    "  - {name: jobcenter, type: enum, values: [nord, syd]}\n"
	    "  - {name: sex, type: enum, values: [F, M]}\n"
	    USES_JOBCENTRE("jobcentre"), uses, NKEYS(uses), 0);
	check_errors(HEAD
	    "fields:\n"
	    "  - {name: jobcentre, type: enun, values: [nord, syd]}\n"
	    "  - {name: sex, type: enum, values: [F, M]}\n"
	    USES_JOBCENTRE("jobcentre")
	    "  - {name: typo, field: jobcenter, equals: nord}\n",
	    lost, NKEYS(lost), 0);
}
END_TEST

/* What follows from a misspelt or missing key is not said again. */
START_TEST(test_no_cascade_keys)
{
	static const char *const ratio[] = {
		"5:26: unknown key 'ratoi' in arm; expected one of code, name, "
		    "ratio; did you mean 'ratio'?",
	};
	static const char *const section[] = {
		"6:1: unknown key 'feilds' in the protocol; expected one of "
		    "sortes, trial, arms, fields, caseworkers, derived, "
		    "randomization, eligibility, measures, followups, budget; "
		    "did you mean 'fields'?",
	};
	static const char *const arms[] = {
		"1:1: missing key 'arms' in the protocol; expected a list of "
		    "at least 2 arms",
	};
	static const char *const stray[] = {
		"7:1: unknown key 'outcomes' in the protocol; expected one of "
		    "sortes, trial, arms, fields, caseworkers, derived, "
		    "randomization, eligibility, measures, followups, budget",
	};
	static const char *const unit[] = {
		"7:9: unknown unit 'persons'; expected individual or "
		    "caseworker",
	};

	/* 'ratio' is not also missing, nor the block size off */
	check_errors("sortes: 1\n"
	    "trial: {id: t-1, title: T, sponsor: S, target_enrollment: 10}\n"
	    "arms:\n"
	    "  - {code: A, name: One, ratio: 1}\n"
	    "  - {code: B, name: Two, ratoi: 1}\n"
	    "randomization: {unit: individual, method: blocks, "
	    "block_sizes: [3]}\n", ratio, NKEYS(ratio), 0);
	/* nor are the fields the misspelt section declares unknown */
	check_errors(HEAD
	    "feilds:\n"
	    "  - {name: sex, type: enum, values: [F, M]}\n"
	    "randomization: {unit: individual, method: stratified_blocks, "
	    "strata: [sex], block_sizes: [3]}\n"
	    "eligibility: [{name: women, field: sex, equals: F}]\n",
	    section, NKEYS(section), 0);
	/* without arms, neither ratio sums nor arm codes are checked */
	check_errors("sortes: 1\n"
	    "trial: {id: t-1, title: T, sponsor: S, target_enrollment: 10}\n"
	    "randomization: {unit: individual, method: blocks, "
	    "block_sizes: [3]}\n"
	    "measures: [{code: x, type: boolean}]\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 months, measures: [x], arms: [A],\n"
	    "     window: {before: 0 days, after: 1 day}}\n"
	    "budget: {amount: 100, currency: DKK, arms: [A]}\n",
	    arms, NKEYS(arms), 0);
	/* an unknown key may be any section absent: here the measures */
	check_errors(HEAD
	    "randomization: {unit: individual, method: simple}\n"
	    "outcomes: [{code: x, type: boolean}]\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 months, measures: [x],\n"
	    "     window: {before: 0 days, after: 1 day}}\n",
	    stray, NKEYS(stray), 0);
	/* an unknown unit says nothing of the method and its sections */
	check_errors(HEAD
	    "randomization:\n"
	    "  unit: persons\n"
	    "  method: coin_toss\n"
	    "  strata: [nothing]\n", unit, NKEYS(unit), 0);
}
END_TEST

/* Each unknown word below has a known one close by, except the last. */
static const struct {
	const char *text;
	const char *suggestion;	/* NULL: none */
} typos[] = {
	{ HEAD "randomisation: {unit: individual, method: simple}\n",
	    "randomization" },
	{ HEAD "randomization: {unit: indvidual, method: simple}\n",
	    "individual" },
	{ HEAD "randomization: {unit: individual, method: stratifed_blocks, "
	    "strata: [x], block_sizes: [3]}\n", "stratified_blocks" },
	{ HEAD "randomization: {unit: caseworker, method: constraind}\n",
	    "constrained" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: sex, type: enam}]\n", "enum" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: ready, type: boolean, required: ture}]\n",
	    "true" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: ready, type: boolean}]\n"
	    "eligibility: [{name: r, field: ready, equals: False}]\n",
	    "false" },
	{ "sortes: 1\ntrial: {id: t, title: T, sponsor: S, "
	    "target_enrollment: 1, weekends: next_mondy}\n"
	    "arms: [{code: A, name: a, ratio: 1}, {code: B, name: b, "
	    "ratio: 1}]\n"
	    "randomization: {unit: individual, method: simple}\n",
	    "next_monday" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: birth_date, type: date}]\n"
	    "derived: [{name: age_band, age_of: birthdate, bands: [18, 30]}]\n",
	    "birth_date" },
	{ HEAD AGE_FIELDS "randomization: {unit: individual, method: "
	    "stratified_blocks, strata: [age_bnd], block_sizes: [3]}\n",
	    "age_band" },
	{ HEAD AGE_FIELDS "randomization: {unit: individual, method: "
	    "minimization, minimization: {factors: [{name: Sex}], "
	    "probability: 0.8}}\n", "sex" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "measures: [{code: who5, type: integer}]\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 monhts, measures: [who5],\n"
	    "     window: {before: 0 days, after: 1 day}}\n", "months" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "measures: [{code: who5, type: integer}]\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 months, measures: [wh05],\n"
	    "     window: {before: 0 days, after: 1 day}}\n", "who5" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "measures: [{code: who5, type: integer}]\n"
	    "followups:\n"
	    "  - {code: m6, offset: 6 months, measures: [who5],\n"
	    "     window: {before: 0 days, after: 1 day}}\n"
	    "  - {code: m12, offset: 6 months, after: m66, measures: [who5],\n"
	    "     window: {before: 0 days, after: 1 day}}\n", "m6" },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "budget: {amount: 100, currency: DKK, arms: [a]}\n", "A" },
	{ HEAD "caseworkers: {covariates: [{name: caseload, type: integer}]}\n"
	    "randomization: {unit: caseworker, method: constrained, "
	    "constrained: {covariates: [caselod], keep: 0.5}}\n", "caseload" },
	{ HEAD "caseworkers: {covariates: [{name: caseload, type: integer}]}\n"
	    "randomization: {unit: caseworker, method: constrained, "
	    "constrained: {weights: {caselaod: 2}, keep: 0.5}}\n",
	    "caseload" },
	{ HEAD "caseworkers: {covariates: [{name: caseload, type: integer}]}\n"
	    "randomization: {unit: caseworker, method: constrained, "
	    "constrained: {metric: L1, keep: 0.5}}\n", "l1" },
	{ "sortes: 1\ntrial: {id: t, title: T, sponsor: S, "
	    "target_enrollment: 1}\n"
	    "arms: [{code: A, name: a, ratio: 1}, {code: B, name: b, "
	    "ratio: 1}]\n"
	    "caseworkers: {covariates: [{name: caseload, type: integer}]}\n"
	    "randomization: {unit: caseworker, method: matched_pairs, "
	    "matched_pairs: {by: casload}}\n", "caseload" },
	{ HEAD "randomization: {unit: individual, method: simple, "
	    "new_hire: {block_sizes: [6]}}\n", "new_hires" },
	/* and the other side of the threshold */
	{ HEAD "randomization: {unit: individual, method: coin_toss}\n", NULL },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: age, type: number}]\n", NULL },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: sex, type: enum, values: [F, M]}]\n"
	    "eligibility: [{name: x, field: sex, equals: X}]\n", NULL },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "fields: [{name: sex, type: enum, values: [F, M]}]\n"
	    "eligibility: [{name: x, field: age, equals: F}]\n", NULL },
	{ HEAD "randomization: {unit: individual, method: simple}\n"
	    "budget: {amount: 100, currency: DKK, arms: [C]}\n", NULL },
	{ HEAD "randomization: {unit: individual, method: simple, "
	    "colour: red}\n", NULL },
};

START_TEST(test_suggestions)
{
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	const char *text = typos[_i].text, *want = typos[_i].suggestion;
	char hint[128];

	ck_assert_int_eq(sortes_protocol_parse(&p, text, strlen(text),
	    "t.yaml", &err), SORTES_EDATA);
	if (want == NULL) {
		ck_assert_msg(strstr(err.msg, "did you mean") == NULL,
		    "case %d: '%s' suggests", _i, err.msg);
		return;
	}
	snprintf(hint, sizeof(hint), "; did you mean '%s'?", want);
	ck_assert_msg(strlen(err.msg) > strlen(hint) && strcmp(err.msg +
	    strlen(err.msg) - strlen(hint), hint) == 0,
	    "case %d: '%s' does not end in \"%s\"", _i, err.msg, hint);
}
END_TEST

/* Every broken protocol again, with a report: freed exactly after many
 * errors (the suite runs under ASan and valgrind), the first in err. */
START_TEST(test_bad_corpus_report)
{
	struct sortes_protocol_options opt;
	struct sortes_protocol_report r;
	struct corpus c;
	char path[1024];
	size_t i;

	opt.check_zone = 1;
	opt.report = &r;
	corpus_read(&c);
	for (i = 0; i < c.n; i++) {
		struct sortes_error err = { 0, "" };
		struct sortes_protocol *p = NULL;

		snprintf(path, sizeof(path), "%s/%s", BAD_DIR, c.names[i]);
		ck_assert_int_eq(sortes_protocol_load_with(&p, path, &opt,
		    &err), SORTES_EDATA);
		ck_assert_ptr_null(p);
		ck_assert_msg(r.nerrors >= 1, "%s: no errors", c.names[i]);
		ck_assert_str_eq(r.errors[0], err.msg);
		sortes_protocol_report_free(&r);
	}
	corpus_free(&c);
}
END_TEST

/* The report on other outcomes: empty, or the one error of a file. */
START_TEST(test_report_edges)
{
	struct sortes_protocol_report r = { NULL, 7, 7 };
	struct sortes_protocol_options opt = { 0, &r };
	struct sortes_error err = { 0, "" };
	struct sortes_protocol *p = NULL;
	char *dir, *big;
	FILE *f;

	ck_assert_int_eq(sortes_protocol_load_with(&p, SORTES_TOP_SRCDIR
	    "/protocols/ungifokus.yaml", &opt, &err), 0);
	ck_assert_uint_eq(r.nerrors, 0);
	ck_assert_uint_eq(r.more, 0);
	ck_assert_ptr_null(r.errors);
	sortes_protocol_free(p);
	ck_assert_int_eq(sortes_protocol_load_with(&p, BAD_DIR "/no-such.yaml",
	    &opt, &err), SORTES_ENOINPUT);
	ck_assert_uint_eq(r.nerrors, 0);
	dir = tu_tmpdir();
	big = tu_path(dir, "big.yaml");
	f = fopen(big, "wb");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 1024 * 1024 / 8 + 1; i++)
		fputs("# .....\n", f);
	fclose(f);
	ck_assert_int_eq(sortes_protocol_load_with(&p, big, &opt, &err),
	    SORTES_EDATA);
	ck_assert_uint_eq(r.nerrors, 1);
	ck_assert_str_eq(r.errors[0], err.msg);
	sortes_protocol_report_free(&r);
	sortes_protocol_report_free(NULL);
	ck_assert_int_eq(sortes_protocol_parse_with(&p, "x", 1, "t.yaml",
	    NULL, &err), SORTES_EDATA);
	tu_rmtree(dir);
	free(big);
	free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The time zone, checked when asked                                  */

#define ZONE_PROTOCOL(zone) \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: t-1\n" \
	"  title: T\n" \
	"  sponsor: S\n" \
	zone \
	"  target_enrollment: 10\n" \
	"arms: [{code: A, name: a, ratio: 1}, {code: B, name: b, ratio: 1}]\n" \
	"randomization: {unit: individual, method: simple}\n"

START_TEST(test_zone_check)
{
	struct sortes_protocol_report r;
	struct sortes_error err = { 0, "" };
	char *dir = tu_tmpdir(), *europe = tu_path(dir, "Europe");
	char *zone = tu_path(dir, "Europe/Copenhagen");

	ck_assert_int_eq(mkdir(europe, 0700), 0);
	ck_assert_int_eq(setenv("TZDIR", dir, 1), 0);
	/* not asked: the name is only looked at, not looked up, as before */
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL("  timezone: "
	    "Europe/Kopenhagen\n"), 0, &r, &err), 0);
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL(""), 0, &r, &err), 0);
	/* asked, without zone files: the default, at its trial mapping */
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL(""), 1, &r, &err),
	    SORTES_EDATA);
	ck_assert_uint_eq(r.nerrors, 1);
	ck_assert_str_eq(r.errors[0], "t.yaml:3:3: trial has no timezone, and "
	    "the default 'Europe/Copenhagen' is not a time zone on this system "
	    "(tzdata missing?); expected tzdata installed, or a timezone that "
	    "this system has");
	sortes_protocol_report_free(&r);
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL("  timezone: UTC\n"), 1,
	    &r, &err), 0);
	/* with the zone file */
	tu_write(zone, "TZif2, which is all the check reads");
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL(""), 1, &r, &err), 0);
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL("  timezone: "
	    "Europe/Copenhagen\n"), 1, &r, &err), 0);
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL("  timezone: "
	    "Europe/Kopenhagen\n"), 1, &r, &err), SORTES_EDATA);
	ck_assert_uint_eq(r.nerrors, 1);
	ck_assert_str_eq(r.errors[0], "t.yaml:6:13: timezone "
	    "'Europe/Kopenhagen' is not a time zone on this system (a "
	    "misspelling, or tzdata missing); expected an IANA name such as "
	    "Europe/Copenhagen; did you mean 'Europe/Copenhagen'?");
	ck_assert_str_eq(err.msg, r.errors[0]);
	sortes_protocol_report_free(&r);
	/* nothing close */
	ck_assert_int_eq(parse_report(ZONE_PROTOCOL("  timezone: "
	    "Mars/Olympus_Mons\n"), 1, &r, &err), SORTES_EDATA);
	ck_assert_ptr_null(strstr(err.msg, "did you mean"));
	sortes_protocol_report_free(&r);
	unsetenv("TZDIR");
	remove(zone);
	rmdir(europe);
	rmdir(dir);
	free(zone);
	free(europe);
	free(dir);
}
END_TEST

Suite *
suite_protocol(void)
{
	Suite *s = suite_create("protocol");
	TCase *tc = tcase_create("protocol");

	tcase_add_test(tc, test_ungifokus);
	tcase_add_test(tc, test_ungebudgetter);
	tcase_add_test(tc, test_bad_corpus);
	tcase_add_test(tc, test_corpus_size);
	tcase_add_test(tc, test_canonical_values);
	tcase_add_test(tc, test_offsets_and_amounts);
	tcase_add_test(tc, test_identifier);
	tcase_add_test(tc, test_derived_strata);
	tcase_add_test(tc, test_minimization);
	tcase_add_test(tc, test_decimals);
	tcase_add_test(tc, test_constrained);
	tcase_add_test(tc, test_constrained_coding);
	tcase_add_test(tc, test_matched_pairs);
	tcase_add_test(tc, test_beacon);
	tcase_add_test(tc, test_outcome_assessment);
	tcase_add_test(tc, test_date_format);
	tcase_add_test(tc, test_not_nul_terminated);
	tcase_add_test(tc, test_lookups_and_names);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_quiet);
	tcase_add_test(tc, test_every_error);
	tcase_add_test(tc, test_error_limit);
	tcase_add_test(tc, test_no_cascade_names);
	tcase_add_test(tc, test_no_cascade_keys);
	tcase_add_loop_test(tc, test_suggestions, 0, NKEYS(typos));
	tcase_add_test(tc, test_bad_corpus_report);
	tcase_add_test(tc, test_report_edges);
	tcase_add_test(tc, test_zone_check);
	suite_add_tcase(s, tc);
	return s;
}
