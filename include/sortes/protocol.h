/*
 * protocol.h - a trial protocol, parsed and validated from YAML.
 *
 * The format is documented in docs/protocol.md.  A parsed protocol is
 * immutable; every string it holds is owned by it and freed by
 * sortes_protocol_free().
 */
#ifndef SORTES_PROTOCOL_H
#define SORTES_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/error.h"
#include "sortes/person.h"

enum sortes_unit {
	SORTES_UNIT_INDIVIDUAL,
	SORTES_UNIT_CASEWORKER
};

enum sortes_method {
	/* unit: individual */
	SORTES_METHOD_SIMPLE,
	SORTES_METHOD_BLOCKS,
	SORTES_METHOD_STRATIFIED_BLOCKS,
	SORTES_METHOD_MINIMIZATION,
	/* unit: caseworker */
	SORTES_METHOD_COMPLETE,
	SORTES_METHOD_STRATIFIED,
	SORTES_METHOD_MATCHED_PAIRS,
	SORTES_METHOD_CONSTRAINED
};

enum sortes_field_type {
	SORTES_FIELD_STRING,
	SORTES_FIELD_INTEGER,
	SORTES_FIELD_DATE,
	SORTES_FIELD_ENUM,
	SORTES_FIELD_BOOLEAN,
	SORTES_FIELD_DECIMAL	/* measures only; exact, 'decimals' places */
};

/* The strata index that stands for the caseworker's team. */
#define SORTES_STRATUM_TEAM ((size_t)-1)

/* Integers are limited to what RFC 8785 JSON carries exactly. */
#define SORTES_INT_MAX ((int64_t)9007199254740991)	/* 2^53 - 1 */

struct sortes_arm {
	char *code;		/* short code, e.g. "I"; [A-Za-z0-9_-]+ */
	char *name;		/* human-readable name */
	int ratio;		/* allocation ratio, >= 1 */
};

/*
 * How a date value may be written in input (docs/protocol.md, "Dates").
 * Whatever the input, the value stored and logged is YYYY-MM-DD.
 */
enum sortes_date_format {
	SORTES_DATE_ISO,		/* YYYY-MM-DD only (the default) */
	SORTES_DATE_DAY_MONTH_YEAR	/* also DD-MM-YYYY and DD.MM.YYYY */
};

/*
 * A participant field (unit: individual) or a measure (follow-up).
 * Both share type rules; 'name' is the field name or measure code.
 */
struct sortes_field {
	char *name;		/* [a-z][a-z0-9_]*, unique */
	char *label;		/* may be NULL */
	enum sortes_field_type type;
	int required;		/* fields: must be present at enrollment */
	char **values;		/* SORTES_FIELD_ENUM: allowed values */
	size_t nvalues;
	int has_min, has_max;	/* SORTES_FIELD_INTEGER and _DECIMAL: bounds */
	int64_t min, max;	/* decimals: in units of 10^-decimals */
	int decimals;		/* SORTES_FIELD_DECIMAL: places, 0-6 */
	/* SORTES_FIELD_DATE: the format in force, its own or the trial's */
	enum sortes_date_format date_format;
	int date_format_given;	/* declared on the variable itself */
};

enum sortes_rule_kind {
	SORTES_RULE_AGE,	/* whole years from a date field to enrollment */
	SORTES_RULE_EQUALS,	/* field equals a value */
	SORTES_RULE_ONE_OF,	/* field is one of several values */
	SORTES_RULE_RANGE	/* integer field within [min, max] */
};

struct sortes_rule {
	char *name;		/* as written in the protocol, used in refusals */
	enum sortes_rule_kind kind;
	size_t field;		/* index into protocol->fields */
	char **values;		/* EQUALS (1 value) and ONE_OF; canonical text */
	size_t nvalues;
	int has_min, has_max;	/* AGE and RANGE */
	int64_t min, max;
	int line;		/* where the rule starts in the protocol file */
};

enum sortes_offset_unit {
	SORTES_DAYS,
	SORTES_WEEKS,
	SORTES_MONTHS
};

struct sortes_offset {
	int64_t n;
	enum sortes_offset_unit unit;
};

struct sortes_occasion {
	char *code;
	char *label;		/* may be NULL */
	struct sortes_offset offset;
	char *after;		/* occasion code the offset counts from; NULL: enrollment */
	struct sortes_offset window_before, window_after;
	size_t *measures;	/* indexes into protocol->measures */
	size_t nmeasures;
	size_t *arms;		/* indexes into protocol->arms; NULL: all arms */
	size_t narms;
};

struct sortes_budget {
	int64_t amount_minor;	/* per participant, in minor units (øre) */
	char *currency;		/* ISO 4217, e.g. "DKK" */
	size_t *arms;		/* indexes into protocol->arms */
	size_t narms;
	char **categories;	/* what spends may be for; NULL: any text */
	size_t ncategories;
};

/* How a due date that falls on a Saturday or Sunday is moved. */
enum sortes_weekend_rule {
	SORTES_WEEKEND_KEEP,		/* a due date may fall on a weekend */
	SORTES_WEEKEND_NEXT_MONDAY,	/* Saturday and Sunday move to Monday */
	SORTES_WEEKEND_PREVIOUS_FRIDAY,	/* ... back to Friday */
	SORTES_WEEKEND_NEAREST		/* Saturday to Friday, Sunday to Monday */
};

/*
 * Who takes the follow-up measurements: anyone (open), or assessors who
 * must not learn the arm (blinded), from whom the due lists and the
 * calendar keep the occasions that only some arms have.
 */
enum sortes_assessment {
	SORTES_ASSESSMENT_OPEN,
	SORTES_ASSESSMENT_BLINDED
};

/* Fractions such as keep: 0.1 are held exactly, in parts per 10,000. */
#define SORTES_PER10K 10000

/* A field computed from another at enrollment: an age band. */
struct sortes_derived {
	char *name;		/* [a-z][a-z0-9_]*, distinct from every field */
	size_t age_of;		/* index into fields (a date field) */
	int64_t *cuts;		/* ascending ages; band i is [cuts[i], cuts[i+1]) */
	size_t ncuts;		/* >= 2; there are ncuts - 1 bands */
	char **labels;		/* "18-22": the band's first and last age */
};

/* How an enum covariate becomes 0/1 columns (docs/constrained.md). */
enum sortes_coding {
	SORTES_CODING_UNSET = 0,	/* not given: the log format decides */
	SORTES_CODING_REFERENCE,	/* one per level but the reference */
	SORTES_CODING_PER_LEVEL		/* one column per level */
};

/* randomization.constrained (method constrained). */
struct sortes_constrained {
	size_t *covariates;	/* indexes into protocol->cw_covariates */
	int64_t *weights;	/* per listed covariate, >= 1; default 1 */
	size_t ncovariates;
	int metric;		/* 1 (l1) or 2 (l2) */
	int keep_per10k;	/* the best-balanced fraction q, 1..10000 */
	enum sortes_coding coding;	/* as the protocol says, or UNSET */
};

/* randomization.matched_pairs (method matched_pairs). */
struct sortes_matched_pairs {
	long by;		/* index into cw_covariates (integer), or -1 */
	char **pairs;		/* 2 * npairs caseworker codes, when by < 0 */
	size_t npairs;
};

/* randomization.new_hires: caseworkers registered after randomize. */
struct sortes_new_hires {
	int *block_sizes;	/* each a multiple of ratio_sum */
	size_t nblock_sizes;
};

/* randomization.beacon: public randomness fixed in advance. */
struct sortes_beacon {
	char *source;		/* what the beacon is, for people */
	int64_t round;		/* the round to use, or -1 */
	int32_t date;		/* or the date (day number, date.h); when round < 0 */
};

/* randomization.minimization (method minimization). */
struct sortes_minimization {
	size_t *factors;	/* indexes into the strata namespace (see strata) */
	int64_t *weights;	/* per factor, >= 1 */
	size_t nfactors;
	int probability_per10k;	/* chance of following the minimizing arm */
};

struct sortes_protocol {
	int format;		/* the "sortes:" format version, 1 */
	char *id;		/* trial id, [a-z0-9][a-z0-9_-]* */
	char *title;
	char *sponsor;
	char *timezone;		/* default "Europe/Copenhagen" */
	enum sortes_weekend_rule weekends;	/* default SORTES_WEEKEND_KEEP */
	enum sortes_person_kind identifier;	/* default SORTES_PERSON_ASCII */
	enum sortes_assessment outcome_assessment;	/* default open */
	enum sortes_date_format date_format;	/* default SORTES_DATE_ISO */
	int date_format_given;	/* trial.date_format is in the file */
	int64_t target_enrollment;

	struct sortes_arm *arms;
	size_t narms;
	int ratio_sum;

	enum sortes_unit unit;
	enum sortes_method method;
	/*
	 * Strata and minimization factors name a field, a derived field or
	 * the caseworker's team.  An index i < nfields is a field; i in
	 * [nfields, nfields + nderived) a derived field; and
	 * SORTES_STRATUM_TEAM the team of the participant's caseworker.
	 */
	size_t *strata;
	size_t nstrata;
	int *block_sizes;	/* each a multiple of ratio_sum */
	size_t nblock_sizes;
	struct sortes_constrained *constrained;		/* or NULL */
	struct sortes_matched_pairs *matched_pairs;	/* or NULL */
	struct sortes_new_hires *new_hires;		/* or NULL */
	struct sortes_beacon *beacon;			/* or NULL */
	struct sortes_minimization *minimization;	/* or NULL */

	struct sortes_derived *derived;	/* in protocol order */
	size_t nderived;
	struct sortes_field *cw_covariates;	/* caseworkers.covariates, sorted by name */
	size_t ncw_covariates;

	struct sortes_field *fields;	/* sorted by name */
	size_t nfields;
	struct sortes_rule *rules;
	size_t nrules;

	struct sortes_field *measures;	/* in protocol order */
	size_t nmeasures;
	struct sortes_occasion *occasions;
	size_t noccasions;

	struct sortes_budget *budget;	/* NULL when none is declared */
};

/*
 * Parse and validate the protocol in 'text' (length 'len'; need not be
 * NUL-terminated).  'filename' is used only in messages, which read
 * "FILE:LINE:COLUMN: what was wrong, what was expected".
 * On success *out is a new protocol the caller frees with
 * sortes_protocol_free(); on failure *out is NULL and SORTES_EDATA (or
 * SORTES_ENOMEM) is returned with the first error in 'err': the one
 * that comes first in the file.
 */
int sortes_protocol_parse(struct sortes_protocol **out, const char *text,
    size_t len, const char *filename, struct sortes_error *err);

/* Read 'path' whole and parse it as above (SORTES_ENOINPUT if unreadable). */
int sortes_protocol_load(struct sortes_protocol **out, const char *path,
    struct sortes_error *err);

/*
 * At most this many errors are reported, the first ones in the file;
 * the parser counts those beyond.
 */
#define SORTES_PROTOCOL_MAX_ERRORS 20

/*
 * Every error of a refused protocol, for callers that show them all
 * (sortes protocol check, sortes init).  The parser goes on after an
 * error wherever that is safe, and leaves out an error that would only
 * follow from an earlier one (docs/protocol.md, "Reading errors").
 */
struct sortes_protocol_report {
	char **errors;		/* "FILE:LINE:COLUMN: ...", in file order */
	size_t nerrors;		/* at most SORTES_PROTOCOL_MAX_ERRORS */
	size_t more;		/* errors found beyond those, not kept */
};

struct sortes_protocol_options {
	/*
	 * Refuse a 'timezone' (or the default, SORTES_ZONE_DEFAULT) that
	 * this system has no zone file for (sortes_zone_known()).  For
	 * creating a trial; a trial that exists is opened without it, so
	 * that a machine lacking the zone says so where the zone is used.
	 */
	int check_zone;
	/*
	 * When not NULL, filled on every return: on SORTES_EDATA it holds
	 * every error kept, the first being the one in 'err'; otherwise it
	 * is empty.  The caller frees it with sortes_protocol_report_free().
	 */
	struct sortes_protocol_report *report;
};

/* sortes_protocol_parse() with options; 'opt' may be NULL (no options). */
int sortes_protocol_parse_with(struct sortes_protocol **out, const char *text,
    size_t len, const char *filename, const struct sortes_protocol_options *opt,
    struct sortes_error *err);

/* sortes_protocol_load() with options, as above. */
int sortes_protocol_load_with(struct sortes_protocol **out, const char *path,
    const struct sortes_protocol_options *opt, struct sortes_error *err);

/* Free what a report holds and empty it; NULL is allowed. */
void sortes_protocol_report_free(struct sortes_protocol_report *r);

/* Free a protocol; NULL is allowed. */
void sortes_protocol_free(struct sortes_protocol *p);

/* Lookups; return the index, or -1 when there is none. */
long sortes_protocol_field(const struct sortes_protocol *p, const char *name);
long sortes_protocol_arm(const struct sortes_protocol *p, const char *code);

/* The protocol words for enums, e.g. "stratified_blocks". Never NULL. */
const char *sortes_method_name(enum sortes_method m);
const char *sortes_unit_name(enum sortes_unit u);
const char *sortes_field_type_name(enum sortes_field_type t);
const char *sortes_weekend_rule_name(enum sortes_weekend_rule r);
const char *sortes_coding_name(enum sortes_coding c);	/* "reference" */
const char *sortes_assessment_name(enum sortes_assessment a);	/* "open" */
const char *sortes_date_format_name(enum sortes_date_format f);	/* "iso" */

/*
 * The coding of enum covariates in force for a trial of log format
 * 'log_format': the protocol's, or when it gives none, the format's
 * (one column per level in format 1, reference coding from 2 on).
 */
enum sortes_coding sortes_coding_resolve(const struct sortes_constrained *c,
    int log_format);

#endif
