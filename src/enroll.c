/*
 * enroll.c - validating, allocating and logging one participant.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "sortes/alloc.h"
#include "sortes/caseworker.h"
#include "sortes/chain.h"
#include "sortes/enroll.h"
#include "sortes/field.h"
#include "sortes/record.h"
#include "sortes/schedule.h"
#include "sortes/seal.h"
#include "minimize.h"
#include "strata.h"

struct sortes_enroller {
	struct sortes_trial *trial;
	const struct sortes_protocol *protocol;
	struct sortes_chain *chain;
	struct sortes_allocator *allocator;
	struct sortes_minimizer *minimizer;	/* method minimization */
	struct sortes_levels_input levels;	/* the current participant's */
	struct sortes_hmac *pseudonym_mac;
	struct sortes_scheduler *scheduler;	/* follow-up rows */
	struct sortes_value *values;	/* one per protocol field */
	struct sortes_jcs body, fields, stratum;
	sqlite3_stmt *find_pseudonym;
	sqlite3_stmt *find_caseworker;	/* caseworker-level trials */
	sqlite3_stmt *find_team;	/* strata by caseworker team */
	char team[SORTES_TEAM_MAX + 1];
	sqlite3_stmt *insert_participant;
	sqlite3_stmt *insert_allocation;
	uint8_t random[4000];		/* from the CSPRNG, for UUIDs */
	size_t random_used;
	int committed;
};

/* Per-participant working data, filled step by step. */
struct enrollment {
	char pseudonym[SORTES_SHA256_HEX];
	char participant[SORTES_UUID_LEN];
	struct sortes_allocation allocation;
	int64_t seq;
};

static int
enroller_prepare(struct sortes_enroller *e, struct sortes_error *err)
{
	struct sortes_db *db = e->trial->db;
	int rc;

	rc = sortes_db_prepare(db, &e->find_pseudonym,
	    "SELECT id FROM participants WHERE pseudonym = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &e->find_caseworker, "SELECT "
		    "ca.arm, ca.seq FROM caseworkers c LEFT JOIN "
		    "caseworker_allocations ca ON ca.caseworker = c.seq "
		    "WHERE c.code = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &e->find_team, "SELECT team FROM "
		    "caseworkers WHERE code = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &e->insert_participant,
		    "INSERT INTO participants (id, pseudonym, caseworker, "
		    "fields, stratum, enrolled_at, seq) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &e->insert_allocation,
		    "INSERT INTO allocations (seq, arm, method, counter, "
		    "position) VALUES (?, ?, ?, ?, ?)", err);
	return rc;
}

int
sortes_enroller_new(struct sortes_enroller **out, struct sortes_trial *t,
    struct sortes_error *err)
{
	struct sortes_enroller *e;
	int rc;

	*out = NULL;
	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "enrolling needs the trial's key file");
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->values = calloc(t->protocol->nfields + 1,
	    sizeof(*e->values))) == NULL) {
		free(e);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	e->trial = t;
	e->protocol = t->protocol;
	sortes_jcs_init(&e->body);
	sortes_jcs_init(&e->fields);
	sortes_jcs_init(&e->stratum);
	rc = sortes_db_begin(t->db, err);
	if (rc == 0)
		rc = sortes_concealed(t, "enrolling into", err);
	if (rc == 0)
		rc = sortes_chain_open(&e->chain, t->db, err);
	if (rc == 0)
		rc = sortes_allocator_new(&e->allocator, t->db, t->protocol,
		    t->key.seed, err);
	if (rc == 0 && t->protocol->method == SORTES_METHOD_MINIMIZATION)
		rc = sortes_minimizer_new(&e->minimizer, t->db, t->protocol,
		    e->allocator, err);
	if (rc == 0)
		rc = sortes_hmac_new(&e->pseudonym_mac, t->key.pseudonym_key,
		    sizeof(t->key.pseudonym_key), err);
	if (rc == 0)
		rc = sortes_scheduler_new(&e->scheduler, t->db, t->protocol, err);
	if (rc == 0)
		rc = enroller_prepare(e, err);
	if (rc != 0) {
		sortes_enroller_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

int
sortes_enroller_commit(struct sortes_enroller *e, struct sortes_error *err)
{
	int rc = 0;

	if (e->minimizer != NULL)
		rc = sortes_minimizer_flush(e->minimizer, err);
	if (rc == 0)
		rc = sortes_allocator_flush(e->allocator, err);
	if (rc == 0)
		rc = sortes_db_commit(e->trial->db, err);
	if (rc == 0)
		e->committed = 1;
	return rc;
}

void
sortes_enroller_free(struct sortes_enroller *e)
{
	if (e == NULL)
		return;
	if (!e->committed)
		sortes_db_rollback(e->trial->db);
	for (size_t i = 0; i < e->protocol->nfields; i++)
		sortes_value_clear(&e->values[i]);
	free(e->values);
	sqlite3_finalize(e->find_pseudonym);
	sqlite3_finalize(e->find_caseworker);
	sqlite3_finalize(e->find_team);
	sqlite3_finalize(e->insert_participant);
	sqlite3_finalize(e->insert_allocation);
	sortes_chain_free(e->chain);
	sortes_minimizer_free(e->minimizer);
	sortes_allocator_free(e->allocator);
	sortes_hmac_free(e->pseudonym_mac);
	sortes_scheduler_free(e->scheduler);
	sortes_jcs_free(&e->body);
	sortes_jcs_free(&e->fields);
	sortes_jcs_free(&e->stratum);
	free(e);
}

/* Parse the given field texts into e->values, by protocol field. */
static int
enroll_values(struct sortes_enroller *e, const struct sortes_enroll_input *in,
    struct sortes_error *err)
{
	const struct sortes_protocol *p = e->protocol;

	return sortes_values_parse(e->values, p->fields, p->nfields, in->names,
	    in->values, in->nfields, "field", err);
}

/* Whether any of factors[0..n) is the caseworker's team. */
static int
uses_team(const size_t *factors, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (factors[i] == SORTES_STRATUM_TEAM)
			return 1;
	return 0;
}

/* The team of caseworker 'code' into e->team, or "" if unregistered. */
static int
enroll_team(struct sortes_enroller *e, const char *code,
    struct sortes_error *err)
{
	sqlite3_stmt *st = e->find_team;
	int rc = 0, step;

	e->team[0] = '\0';
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		snprintf(e->team, sizeof(e->team), "%s",
		    (const char *)sqlite3_column_text(st, 0));
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(e->trial->db, "looking up a team", err);
	sqlite3_reset(st);
	return rc;
}

/*
 * The stratum is the canonical JSON object of the participant's levels
 * of the strata (or of the minimization factors): "{}" when there are
 * none.
 */
static int
enroll_stratum_json(struct sortes_enroller *e,
    const struct sortes_enroll_input *in, struct sortes_error *err)
{
	const struct sortes_protocol *p = e->protocol;
	size_t n;
	const size_t *factors = sortes_stratum_factors(p, &n);
	struct sortes_levels_input *levels = &e->levels;
	int rc;

	*levels = (struct sortes_levels_input){ .protocol = p,
	    .values = e->values, .enroll_day = in->enroll_day };
	if (uses_team(factors, n)) {
		if ((rc = enroll_team(e, in->caseworker, err)) != 0)
			return rc;
		levels->team = e->team[0] != '\0' ? e->team : NULL;
	}
	return sortes_levels_json(&e->stratum, factors, n, levels, err);
}

/* Refuse a person whose pseudonym the trial holds already. */
static int
enroll_unique(struct sortes_enroller *e, const struct enrollment *en,
    struct sortes_error *err)
{
	int rc = 0, step;

	sqlite3_bind_text(e->find_pseudonym, 1, en->pseudonym, -1,
	    SQLITE_STATIC);
	step = sqlite3_step(e->find_pseudonym);
	if (step == SQLITE_ROW)
		rc = sortes_error_set(err, SORTES_EDATA, "person is already "
		    "enrolled, as participant %s",
		    (const char *)sqlite3_column_text(e->find_pseudonym, 0));
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(e->trial->db, "looking up a pseudonym", err);
	sqlite3_reset(e->find_pseudonym);
	return rc;
}

/*
 * In a caseworker-level trial the participant takes the arm of the
 * caseworker; the allocation's counter names the log entry that
 * allocated the caseworker.
 */
static int
enroll_inherit(struct sortes_enroller *e, const char *code,
    struct sortes_allocation *out, struct sortes_error *err)
{
	sqlite3_stmt *st = e->find_caseworker;
	int rc = 0, step;

	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(st);
	if (step == SQLITE_DONE)
		rc = sortes_error_set(err, SORTES_EDATA, "caseworker '%s' is "
		    "not registered (sortes caseworker add)", code);
	else if (step != SQLITE_ROW)
		rc = sortes_db_fail(e->trial->db, "looking up a caseworker", err);
	else if (sqlite3_column_type(st, 0) == SQLITE_NULL)
		rc = sortes_error_set(err, SORTES_EDATA, "caseworker '%s' is "
		    "not allocated yet (sortes randomize)", code);
	else {
		long arm = sortes_protocol_arm(e->protocol,
		    (const char *)sqlite3_column_text(st, 0));

		out->arm = arm < 0 ? 0 : (size_t)arm;
		out->counter = sqlite3_column_int64(st, 1);
		out->position = -1;
		if (arm < 0)
			rc = sortes_error_set(err, SORTES_EINTERNAL, "caseworker "
			    "'%s' has an arm the protocol does not name", code);
	}
	sqlite3_reset(st);
	return rc;
}

/* Everything that can refuse a participant, before anything is written. */
static int
enroll_validate(struct sortes_enroller *e, const struct sortes_enroll_input *in,
    struct enrollment *en, struct sortes_error *err)
{
	int rc;

	if ((rc = sortes_person_pseudonym(en->pseudonym, e->pseudonym_mac,
	    e->protocol->identifier, in->person, err)) != 0)
		return rc;
	if ((rc = sortes_caseworker_code_check(in->caseworker, err)) != 0)
		return rc;
	if ((rc = enroll_values(e, in, err)) != 0)
		return rc;
	if ((rc = sortes_eligibility_check(e->protocol, e->values,
	    in->enroll_day, err)) != 0)
		return rc;
	if ((rc = sortes_values_json(&e->fields, e->protocol->fields,
	    e->protocol->nfields, e->values, err)) != 0)
		return rc;
	if ((rc = enroll_stratum_json(e, in, err)) != 0)
		return rc;
	if (e->protocol->unit == SORTES_UNIT_CASEWORKER &&
	    (rc = enroll_inherit(e, in->caseworker, &en->allocation, err)) != 0)
		return rc;
	return enroll_unique(e, en, err);
}

/* The method recorded with a participant's allocation. */
static const char *
enroll_method(const struct sortes_protocol *p)
{
	return p->unit == SORTES_UNIT_CASEWORKER ? "caseworker" :
	    sortes_method_name(p->method);
}

static int
enroll_log(struct sortes_enroller *e, const struct sortes_enroll_input *in,
    struct enrollment *en, struct sortes_error *err)
{
	struct sortes_enroll_record r = {
		.seq = sortes_chain_next_seq(e->chain),
		.participant = en->participant,
		.pseudonym = en->pseudonym,
		.caseworker = in->caseworker,
		.fields = e->fields.data,
		.stratum = e->stratum.data,
		.enrolled_at = in->enrolled_at,
		.arm = e->protocol->arms[en->allocation.arm].code,
		.method = enroll_method(e->protocol),
		.counter = en->allocation.counter,
		.position = en->allocation.position,
	};
	int rc;

	sortes_jcs_reset(&e->body);
	sortes_record_enroll(&e->body, &r);
	if ((rc = sortes_jcs_finish(&e->body, err)) != 0)
		return rc;
	en->seq = r.seq;
	return sortes_chain_append(e->chain, "enroll", in->enrolled_at,
	    e->body.data, e->body.len, err);
}

static int
enroll_insert(struct sortes_enroller *e, const struct sortes_enroll_input *in,
    const struct enrollment *en, struct sortes_error *err)
{
	sqlite3_stmt *p = e->insert_participant, *a = e->insert_allocation;
	int rc = 0;

	sqlite3_bind_text(p, 1, en->participant, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 2, en->pseudonym, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, in->caseworker, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 4, e->fields.data, (int)e->fields.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(p, 5, e->stratum.data, (int)e->stratum.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(p, 6, in->enrolled_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(p, 7, en->seq);
	if (sqlite3_step(p) != SQLITE_DONE)
		rc = sortes_db_fail(e->trial->db, "storing a participant", err);
	sqlite3_reset(p);
	if (rc != 0)
		return rc;
	sqlite3_bind_int64(a, 1, en->seq);
	sqlite3_bind_text(a, 2, e->protocol->arms[en->allocation.arm].code,
	    -1, SQLITE_STATIC);
	sqlite3_bind_text(a, 3, enroll_method(e->protocol), -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(a, 4, en->allocation.counter);
	if (en->allocation.position < 0)
		sqlite3_bind_null(a, 5);
	else
		sqlite3_bind_int64(a, 5, en->allocation.position);
	if (sqlite3_step(a) != SQLITE_DONE)
		rc = sortes_db_fail(e->trial->db, "storing an allocation", err);
	sqlite3_reset(a);
	return rc;
}

/*
 * A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds,
 * then random bits.  Time-ordered identifiers are appended at the end
 * of the participants' UUID index instead of landing on a random page,
 * which keeps bulk enrollment fast; the random bits come from the
 * CSPRNG, read in batches.
 */
static int
enroll_uuid(struct sortes_enroller *e, uuid_t out, struct sortes_error *err)
{
	struct timespec now;
	uint64_t ms;
	int rc;

	if (e->random_used == 0 || e->random_used + 10 > sizeof(e->random)) {
		rc = sortes_random_bytes(e->random, sizeof(e->random), err);
		if (rc != 0)
			return rc;
		e->random_used = 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	for (int i = 0; i < 6; i++)
		out[i] = (unsigned char)(ms >> (40 - 8 * i));
	memcpy(out + 6, e->random + e->random_used, 10);
	e->random_used += 10;
	out[6] = (unsigned char)(0x70 | (out[6] & 0x0f));
	out[8] = (unsigned char)(0x80 | (out[8] & 0x3f));
	return 0;
}

int
sortes_enroller_add(struct sortes_enroller *e,
    const struct sortes_enroll_input *in, struct sortes_enroll_result *out,
    struct sortes_error *err)
{
	struct enrollment en;
	uuid_t uu;
	int rc;

	memset(&en, 0, sizeof(en));
	rc = enroll_validate(e, in, &en, err);
	if (rc != 0)
		return rc;
	if ((rc = enroll_uuid(e, uu, err)) != 0)
		return rc;
	uuid_unparse_lower(uu, en.participant);
	if (e->minimizer != NULL)
		rc = sortes_minimizer_next(e->minimizer, e->stratum.data,
		    &en.allocation, err);
	else if (e->protocol->unit == SORTES_UNIT_INDIVIDUAL)
		rc = sortes_allocator_next(e->allocator, e->stratum.data,
		    &en.allocation, err);
	if (rc == 0)
		rc = enroll_log(e, in, &en, err);
	if (rc == 0)
		rc = enroll_insert(e, in, &en, err);
	if (rc == 0)
		rc = sortes_scheduler_add(e->scheduler, en.seq, en.allocation.arm,
		    in->caseworker, in->enroll_day, err);
	/* A failure after allocating is not the participant's fault: it
	 * must not be mistaken for a refusal that the caller may skip. */
	if (rc == SORTES_EDATA)
		rc = SORTES_EINTERNAL;
	if (rc != 0)
		return rc;
	memcpy(out->participant, en.participant, sizeof(en.participant));
	out->arm = en.allocation.arm;
	out->seq = en.seq;
	return 0;
}

/* The CSV import's view of an enroller. */
struct enroll_csv {
	struct sortes_enroller *enroller;
	const char *enrolled_at;
	int32_t enroll_day;
};

static int
enroll_csv_add(void *ctx, const char *const *keys, const char *const *names,
    const char *const *values, size_t n, struct sortes_import_added *added,
    struct sortes_error *err)
{
	struct enroll_csv *c = ctx;
	struct sortes_enroll_result res;
	struct sortes_enroll_input in = {
		.person = keys[0], .caseworker = keys[1], .names = names,
		.values = values, .nfields = n, .enrolled_at = c->enrolled_at,
		.enroll_day = c->enroll_day,
	};
	int rc = sortes_enroller_add(c->enroller, &in, &res, err);

	if (rc == 0) {
		added->bucket = res.arm;
		memcpy(added->id, res.participant, sizeof(added->id));
		added->seq = res.seq;
	}
	return rc;
}

static int
enroll_csv_commit(void *ctx, struct sortes_error *err)
{
	return sortes_enroller_commit(((struct enroll_csv *)ctx)->enroller, err);
}

int
sortes_enroll_csv(struct sortes_trial *t, FILE *in, const char *name,
    int delimiter, int skip_invalid, const char *enrolled_at,
    int32_t enroll_day, const struct sortes_import_hooks *hooks,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	static const char *const keys[] = { "person", "caseworker" };
	struct enroll_csv c = { NULL, enrolled_at, enroll_day };
	struct sortes_import_spec spec = {
		.keys = keys, .nkeys = 2,
		.vars = t->protocol->fields, .nvars = t->protocol->nfields,
		.nbuckets = t->protocol->narms,
		.verb = "enrolled", .none_added = "nobody was enrolled",
		.add = enroll_csv_add, .commit = enroll_csv_commit, .ctx = &c,
		.progress = t->progress,
	};
	int rc;

	memset(summary, 0, sizeof(*summary));
	rc = sortes_enroller_new(&c.enroller, t, err);
	if (rc == 0)
		rc = sortes_import_csv(&spec, in, name, delimiter, skip_invalid,
		    hooks, summary, err);
	sortes_enroller_free(c.enroller);
	return rc;
}
