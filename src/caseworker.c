/*
 * caseworker.c - registering caseworkers, one or from CSV, and
 * allocating those hired after the randomization.
 */
#include <stdlib.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/caseworker.h"
#include "sortes/chain.h"
#include "sortes/field.h"
#include "sortes/jcs.h"
#include "sortes/record.h"
#include "sortes/seal.h"
#include "strata.h"

struct sortes_registrar {
	struct sortes_trial *trial;
	const struct sortes_protocol *protocol;
	struct sortes_chain *chain;
	struct sortes_allocator *allocator;	/* new hires only; or NULL */
	struct sortes_value *values;		/* one per covariate */
	struct sortes_jcs covariates, stratum, body;
	sqlite3_stmt *find;
	sqlite3_stmt *insert;
	sqlite3_stmt *insert_allocation;
	int committed;
};

int
sortes_caseworker_code_check(const char *code, struct sortes_error *err)
{
	size_t n = code == NULL ? 0 : strlen(code);

	if (n == 0 || n > SORTES_CASEWORKER_MAX)
		return sortes_error_set(err, SORTES_EDATA, "caseworker code "
		    "must be 1 to %d characters", SORTES_CASEWORKER_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = code[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return sortes_error_set(err, SORTES_EDATA, "caseworker "
			    "code '%s' may hold only letters, digits, '-', '_' "
			    "and '.'", code);
	}
	return 0;
}

static int
team_check(const char *team, struct sortes_error *err)
{
	size_t n = team == NULL ? 0 : strlen(team);

	if (n == 0 || n > SORTES_TEAM_MAX)
		return sortes_error_set(err, SORTES_EDATA, "team must be 1 to "
		    "%d bytes", SORTES_TEAM_MAX);
	if (!sortes_utf8_valid(team, n))
		return sortes_error_set(err, SORTES_EDATA, "team is not valid "
		    "UTF-8");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)team[i] < 0x20 || team[i] == 0x7f)
			return sortes_error_set(err, SORTES_EDATA, "team holds "
			    "a control character");
	if (team[0] == ' ' || team[n - 1] == ' ')
		return sortes_error_set(err, SORTES_EDATA, "team '%s' starts "
		    "or ends with a blank", team);
	return 0;
}

int
sortes_caseworker_randomized(struct sortes_trial *t, int64_t *out,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, step;

	*out = 0;
	if ((rc = sortes_db_prepare(t->db, &st,
	    "SELECT seq FROM randomization", err)) != 0)
		return rc;
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading the randomization", err);
	sqlite3_finalize(st);
	return rc;
}

static int
registrar_prepare(struct sortes_registrar *r, struct sortes_error *err)
{
	struct sortes_db *db = r->trial->db;
	int rc;

	rc = sortes_db_prepare(db, &r->find,
	    "SELECT seq FROM caseworkers WHERE code = ?", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &r->insert, "INSERT INTO caseworkers "
		    "(seq, code, team, covariates, registered_at) "
		    "VALUES (?, ?, ?, ?, ?)", err);
	if (rc == 0)
		rc = sortes_db_prepare(db, &r->insert_allocation, "INSERT INTO "
		    "caseworker_allocations (caseworker, arm, seq, counter, "
		    "position) VALUES (?, ?, ?, ?, ?)", err);
	return rc;
}

/* After the randomization, new hires need the allocator, and the key. */
static int
registrar_new_hires(struct sortes_registrar *r, struct sortes_error *err)
{
	struct sortes_trial *t = r->trial;
	int64_t randomized;
	int rc;

	if (t->protocol->unit != SORTES_UNIT_CASEWORKER)
		return 0;
	if ((rc = sortes_caseworker_randomized(t, &randomized, err)) != 0 ||
	    randomized == 0)
		return rc;
	if ((rc = sortes_concealed(t, "registering a new hire in", err)) != 0)
		return rc;
	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE, "caseworkers are "
		    "already randomized: registering a new hire allocates it, "
		    "which needs the trial's key file");
	return sortes_allocator_new(&r->allocator, t->db, t->protocol,
	    t->key.seed, err);
}

int
sortes_registrar_new(struct sortes_registrar **out, struct sortes_trial *t,
    struct sortes_error *err)
{
	struct sortes_registrar *r;
	int rc;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->values = calloc(t->protocol->ncw_covariates + 1,
	    sizeof(*r->values))) == NULL) {
		free(r);
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	r->trial = t;
	r->protocol = t->protocol;
	sortes_jcs_init(&r->covariates);
	sortes_jcs_init(&r->stratum);
	sortes_jcs_init(&r->body);
	rc = sortes_db_begin(t->db, err);
	if (rc == 0)
		rc = sortes_chain_open(&r->chain, t->db, err);
	if (rc == 0)
		rc = registrar_prepare(r, err);
	if (rc == 0)
		rc = registrar_new_hires(r, err);
	if (rc != 0) {
		sortes_registrar_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

int
sortes_registrar_commit(struct sortes_registrar *r, struct sortes_error *err)
{
	int rc = 0;

	if (r->allocator != NULL)
		rc = sortes_allocator_flush(r->allocator, err);
	if (rc == 0)
		rc = sortes_db_commit(r->trial->db, err);
	if (rc == 0)
		r->committed = 1;
	return rc;
}

void
sortes_registrar_free(struct sortes_registrar *r)
{
	if (r == NULL)
		return;
	if (!r->committed)
		sortes_db_rollback(r->trial->db);
	for (size_t i = 0; i < r->protocol->ncw_covariates; i++)
		sortes_value_clear(&r->values[i]);
	free(r->values);
	sqlite3_finalize(r->find);
	sqlite3_finalize(r->insert);
	sqlite3_finalize(r->insert_allocation);
	sortes_chain_free(r->chain);
	sortes_allocator_free(r->allocator);
	sortes_jcs_free(&r->covariates);
	sortes_jcs_free(&r->stratum);
	sortes_jcs_free(&r->body);
	free(r);
}

static int
registrar_unique(struct sortes_registrar *r, const char *code,
    struct sortes_error *err)
{
	int rc = 0, step;

	sqlite3_bind_text(r->find, 1, code, -1, SQLITE_STATIC);
	step = sqlite3_step(r->find);
	if (step == SQLITE_ROW)
		rc = sortes_error_set(err, SORTES_EDATA, "caseworker '%s' is "
		    "already registered", code);
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(r->trial->db, "looking up a caseworker", err);
	sqlite3_reset(r->find);
	return rc;
}

static int
registrar_validate(struct sortes_registrar *r,
    const struct sortes_caseworker_input *in, struct sortes_error *err)
{
	const struct sortes_protocol *p = r->protocol;
	int rc;

	if ((rc = sortes_caseworker_code_check(in->code, err)) != 0 ||
	    (rc = team_check(in->team, err)) != 0)
		return rc;
	rc = sortes_values_parse(r->values, p->cw_covariates,
	    p->ncw_covariates, in->names, in->values, in->ncovariates,
	    "covariate", err);
	if (rc == 0)
		rc = sortes_values_json(&r->covariates, p->cw_covariates,
		    p->ncw_covariates, r->values, err);
	return rc == 0 ? registrar_unique(r, in->code, err) : rc;
}

/* A new hire's stratum is its team: {"team":"..."}. */
static int
registrar_allocate(struct sortes_registrar *r, const char *team,
    struct sortes_allocation *a, struct sortes_error *err)
{
	int rc;

	if ((rc = sortes_team_stratum(&r->stratum, team, err)) != 0)
		return rc;
	return sortes_allocator_new_hire(r->allocator, r->stratum.data, a, err);
}

static int
registrar_store(struct sortes_registrar *r,
    const struct sortes_caseworker_input *in, int64_t seq,
    const struct sortes_allocation *a, struct sortes_error *err)
{
	sqlite3_stmt *st = r->insert;
	int rc = 0;

	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, in->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->team, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->covariates.data, (int)r->covariates.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, in->registered_at, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(r->trial->db, "storing a caseworker", err);
	sqlite3_reset(st);
	if (rc != 0 || a == NULL)
		return rc;
	st = r->insert_allocation;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, r->protocol->arms[a->arm].code, -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, seq);
	sqlite3_bind_int64(st, 4, a->counter);
	sqlite3_bind_int64(st, 5, a->position);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(r->trial->db, "storing an allocation", err);
	sqlite3_reset(st);
	return rc;
}

static int
registrar_log(struct sortes_registrar *r,
    const struct sortes_caseworker_input *in,
    const struct sortes_allocation *a, int64_t seq, struct sortes_error *err)
{
	struct sortes_caseworker_record rec = {
		.seq = seq, .caseworker = in->code, .team = in->team,
		.covariates = r->covariates.data,
		.registered_at = in->registered_at,
		.arm = a != NULL ? r->protocol->arms[a->arm].code : NULL,
		.counter = a != NULL ? a->counter : 0,
		.position = a != NULL ? a->position : 0,
	};
	int rc;

	sortes_jcs_reset(&r->body);
	sortes_record_caseworker(&r->body, &rec);
	if ((rc = sortes_jcs_finish(&r->body, err)) != 0)
		return rc;
	return sortes_chain_append(r->chain, "caseworker", in->registered_at,
	    r->body.data, r->body.len, err);
}

int
sortes_registrar_add(struct sortes_registrar *r,
    const struct sortes_caseworker_input *in,
    struct sortes_caseworker_result *out, struct sortes_error *err)
{
	struct sortes_allocation a;
	int64_t seq = sortes_chain_next_seq(r->chain);
	int rc;

	if ((rc = registrar_validate(r, in, err)) != 0)
		return rc;
	if (r->allocator != NULL)
		rc = registrar_allocate(r, in->team, &a, err);
	if (rc == 0)
		rc = registrar_log(r, in, r->allocator ? &a : NULL, seq, err);
	if (rc == 0)
		rc = registrar_store(r, in, seq, r->allocator ? &a : NULL, err);
	/* Past validation, a failure is not the caseworker's fault. */
	if (rc == SORTES_EDATA)
		rc = SORTES_EINTERNAL;
	if (rc != 0)
		return rc;
	out->seq = seq;
	out->allocated = r->allocator != NULL;
	out->arm = r->allocator != NULL ? a.arm : 0;
	return 0;
}

struct import_ctx {
	struct sortes_registrar *registrar;
	const char *registered_at;
};

static int
import_add(void *ctx, const char *const *keys, const char *const *names,
    const char *const *values, size_t n, struct sortes_import_added *added,
    struct sortes_error *err)
{
	struct import_ctx *c = ctx;
	struct sortes_caseworker_result res;
	struct sortes_caseworker_input in = {
		.code = keys[0], .team = keys[1], .names = names,
		.values = values, .ncovariates = n,
		.registered_at = c->registered_at,
	};
	int rc = sortes_registrar_add(c->registrar, &in, &res, err);

	if (rc == 0) {
		added->bucket = res.allocated ? res.arm :
		    c->registrar->protocol->narms;
		added->seq = res.seq;
	}
	return rc;
}

static int
import_commit(void *ctx, struct sortes_error *err)
{
	return sortes_registrar_commit(((struct import_ctx *)ctx)->registrar,
	    err);
}

int
sortes_caseworker_import(struct sortes_trial *t, FILE *in, const char *name,
    int delimiter, int skip_invalid, const char *registered_at,
    const struct sortes_import_hooks *hooks,
    struct sortes_csv_summary *summary, struct sortes_error *err)
{
	static const char *const keys[] = { "code", "team" };
	struct import_ctx c = { NULL, registered_at };
	struct sortes_import_spec spec = {
		.keys = keys, .nkeys = 2,
		.vars = t->protocol->cw_covariates,
		.nvars = t->protocol->ncw_covariates,
		/* one bucket per arm for new hires, one for the unallocated */
		.nbuckets = t->protocol->narms + 1,
		.verb = "registered", .none_added = "no caseworker was registered",
		.add = import_add, .commit = import_commit, .ctx = &c,
		.progress = t->progress,
	};
	int rc;

	memset(summary, 0, sizeof(*summary));
	rc = sortes_registrar_new(&c.registrar, t, err);
	if (rc == 0)
		rc = sortes_import_csv(&spec, in, name, delimiter, skip_invalid,
		    hooks, summary, err);
	sortes_registrar_free(c.registrar);
	return rc;
}
