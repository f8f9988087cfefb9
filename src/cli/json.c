/*
 * json.c - what --json prints (docs/json.md): one canonical JSON value
 * (the jcs writer's, keys in order), then a newline, on stdout.  The
 * text output and this are built from the same results; errors stay
 * text on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/caseworker.h"
#include "sortes/followup.h"
#include "sortes/jcs.h"
#include "sortes/randomize.h"
#include "cli.h"

int
cli_json_print(struct sortes_jcs *j, struct sortes_error *err)
{
	int rc = sortes_jcs_finish(j, err);

	if (rc == 0)
		rc = cli_printf(err, "%s\n", j->data);
	sortes_jcs_free(j);
	return rc;
}

void
cli_json_key_string(struct sortes_jcs *j, const char *key, const char *s)
{
	sortes_jcs_key(j, key);
	if (s != NULL)
		sortes_jcs_string(j, s);
	else
		sortes_jcs_null(j);
}

void
cli_json_key_integer(struct sortes_jcs *j, const char *key, int64_t v)
{
	sortes_jcs_key(j, key);
	sortes_jcs_integer(j, v);
}

/*
 * JSON as sortes writes it has no floating point: a score or mean is a
 * string holding the double in 17 significant digits, which give it
 * back exactly.
 */
static void
json_double(struct sortes_jcs *j, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.17g", v);
	sortes_jcs_string(j, buf);
}

static void
key_double(struct sortes_jcs *j, const char *key, double v)
{
	sortes_jcs_key(j, key);
	json_double(j, v);
}

static void
key_boolean(struct sortes_jcs *j, const char *key, int v)
{
	sortes_jcs_key(j, key);
	sortes_jcs_boolean(j, v);
}

/* ---- enroll, caseworker add|import ---------------------------------- */

/*
 * A line, an entry: numbers from 1, null for none (a row given on the
 * command line, an outcome that corrects nothing).
 */
static void
key_number(struct sortes_jcs *j, const char *key, int64_t v)
{
	sortes_jcs_key(j, key);
	if (v > 0)
		sortes_jcs_integer(j, v);
	else
		sortes_jcs_null(j);
}


void
cli_enrolled_init(struct cli_enrolled *e, const struct sortes_protocol *p)
{
	memset(e, 0, sizeof(*e));
	e->p = p;
	sortes_jcs_init(&e->enrolled);
	sortes_jcs_init(&e->refused);
	sortes_jcs_array_begin(&e->enrolled);
	sortes_jcs_array_begin(&e->refused);
}

void
cli_enrolled_free(struct cli_enrolled *e)
{
	sortes_jcs_free(&e->enrolled);
	sortes_jcs_free(&e->refused);
}

void
cli_enrolled_add(struct cli_enrolled *e, long line, const char *caseworker,
    const char *participant, size_t arm, int64_t seq)
{
	struct sortes_jcs *j = &e->enrolled;

	sortes_jcs_object_begin(j);
	cli_json_key_string(j, "arm", e->p->arms[arm].code);
	cli_json_key_string(j, "arm_name", e->p->arms[arm].name);
	cli_json_key_string(j, "caseworker", caseworker);
	cli_json_key_integer(j, "entry", seq);
	key_number(j, "line", line);
	cli_json_key_string(j, "participant", participant);
	sortes_jcs_object_end(j);
}

void
cli_registered_add(struct cli_enrolled *e, long line, const char *code,
    const struct sortes_caseworker_result *res)
{
	struct sortes_jcs *j = &e->enrolled;

	sortes_jcs_object_begin(j);
	cli_json_key_string(j, "arm", res->allocated ?
	    e->p->arms[res->arm].code : NULL);
	cli_json_key_string(j, "code", code);
	cli_json_key_integer(j, "entry", res->seq);
	key_number(j, "line", line);
	key_boolean(j, "new_hire", res->allocated);
	sortes_jcs_object_end(j);
}

static int
enrolled_added(void *ctx, long line, const char *const *keys,
    const struct sortes_import_added *added)
{
	struct cli_enrolled *e = ctx;
	struct sortes_caseworker_result res = { added->seq,
	    added->bucket < e->p->narms, added->bucket };

	if (e->caseworkers)
		cli_registered_add(e, line, keys[0], &res);
	else
		cli_enrolled_add(e, line, keys[1], added->id, added->bucket,
		    added->seq);
	return 0;
}

static int
enrolled_refused(void *ctx, long line, const char *const *header,
    size_t nheader, const char *const *cells, size_t ncells,
    const char *reason)
{
	struct cli_enrolled *e = ctx;

	(void)header, (void)nheader, (void)cells, (void)ncells;
	sortes_jcs_object_begin(&e->refused);
	cli_json_key_integer(&e->refused, "line", line);
	cli_json_key_string(&e->refused, "reason", reason);
	sortes_jcs_object_end(&e->refused);
	return 0;
}

const struct sortes_import_hooks *
cli_enrolled_hooks(struct cli_enrolled *e)
{
	e->hooks.on_added = enrolled_added;
	e->hooks.on_reject = enrolled_refused;
	e->hooks.ctx = e;
	return &e->hooks;
}

int
cli_json_key_array(struct sortes_jcs *j, const char *key, struct sortes_jcs *a,
    struct sortes_error *err)
{
	int rc;

	sortes_jcs_array_end(a);
	if ((rc = sortes_jcs_finish(a, err)) != 0)
		return rc;
	sortes_jcs_key(j, key);
	sortes_jcs_raw(j, a->data, a->len);
	return 0;
}

int
cli_enrolled_print(struct cli_enrolled *e, long rows, const long *per_arm,
    const char *rejects, struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	rc = e->caseworkers ? 0 :
	    cli_json_key_array(&j, "enrolled", &e->enrolled, err);
	sortes_jcs_key(&j, "per_arm");
	sortes_jcs_array_begin(&j);
	for (size_t i = 0; i < e->p->narms; i++) {
		sortes_jcs_object_begin(&j);
		cli_json_key_string(&j, "arm", e->p->arms[i].code);
		cli_json_key_integer(&j, e->caseworkers ? "new_hires" :
		    "enrolled", per_arm[i]);
		sortes_jcs_object_end(&j);
	}
	sortes_jcs_array_end(&j);
	if (rc == 0)
		rc = cli_json_key_array(&j, "refused", &e->refused, err);
	if (rc == 0 && e->caseworkers)
		rc = cli_json_key_array(&j, "registered", &e->enrolled, err);
	cli_json_key_string(&j, "rejects", rejects);
	cli_json_key_integer(&j, "rows", rows);
	sortes_jcs_object_end(&j);
	if (rc == 0)
		return cli_json_print(&j, err);
	sortes_jcs_free(&j);
	return rc;
}

/* ---- randomize ------------------------------------------------------ */

static void
json_scores(struct sortes_jcs *j, const struct sortes_cr_result *cr)
{
	const struct { const char *key; double v; } scores[] = {
		{ "max", cr->max }, { "mean", cr->mean }, { "min", cr->min },
		{ "q05", cr->q05 }, { "q10", cr->q10 }, { "q20", cr->q20 },
		{ "q25", cr->q25 }, { "q30", cr->q30 }, { "q50", cr->q50 },
		{ "q75", cr->q75 }, { "q95", cr->q95 }, { "sd", cr->sd },
	};

	sortes_jcs_key(j, "scores");
	sortes_jcs_object_begin(j);
	for (size_t i = 0; i < sizeof(scores) / sizeof(scores[0]); i++)
		key_double(j, scores[i].key, scores[i].v);
	sortes_jcs_object_end(j);
}

/* One row of the balance table: the means in the arms' order. */
static void
json_balance_row(struct sortes_jcs *j, const struct sortes_randomize_result *r,
    size_t c)
{
	const struct sortes_cr_result *cr = &r->cr;

	sortes_jcs_object_begin(j);
	cli_json_key_string(j, "column", r->col_names[c]);
	key_boolean(j, "constant", cr->col_constant[c]);
	sortes_jcs_key(j, "means");
	sortes_jcs_array_begin(j);
	json_double(j, r->mean_a[c]);
	json_double(j, r->mean_b[c]);
	sortes_jcs_array_end(j);
	key_double(j, "sd", cr->col_sd[c]);
	sortes_jcs_key(j, "std_difference");
	if (cr->col_constant[c])
		sortes_jcs_null(j);
	else
		json_double(j, (r->mean_a[c] - r->mean_b[c]) / cr->col_sd[c]);
	sortes_jcs_object_end(j);
}

static void
json_fixed(struct sortes_jcs *j, const struct sortes_randomize_result *r)
{
	const struct sortes_cr_result *cr = &r->cr;

	sortes_jcs_key(j, "fixed_pairs");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < cr->n_fixed; i++) {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "caseworkers");
		sortes_jcs_array_begin(j);
		sortes_jcs_string(j, r->codes[cr->fixed[i].i]);
		sortes_jcs_string(j, r->codes[cr->fixed[i].j]);
		sortes_jcs_array_end(j);
		key_boolean(j, "together", cr->fixed[i].together);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
}

static void
json_constrained(struct sortes_jcs *j, const struct sortes_protocol *p,
    const struct sortes_randomize_result *r)
{
	const struct sortes_cr_result *cr = &r->cr;

	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "arms");
	sortes_jcs_array_begin(j);
	sortes_jcs_string(j, p->arms[0].code);
	sortes_jcs_string(j, p->arms[1].code);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "balance");
	sortes_jcs_array_begin(j);
	for (size_t c = 0; c < r->ncols; c++)
		json_balance_row(j, r, c);
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "chosen");
	sortes_jcs_object_begin(j);
	cli_json_key_integer(j, "rank", (int64_t)cr->chosen_rank);
	key_double(j, "score", cr->chosen_score);
	sortes_jcs_object_end(j);
	cli_json_key_string(j, "coding", sortes_coding_name(r->coding));
	key_double(j, "cutoff", cr->cutoff);
	key_boolean(j, "exact", cr->exact);
	json_fixed(j, r);
	cli_json_key_integer(j, "kept", (int64_t)cr->kept);
	json_scores(j, cr);
	cli_json_key_integer(j, "space", (int64_t)cr->space);
	sortes_jcs_object_end(j);
}

int
cli_json_randomize(const struct sortes_protocol *p,
    const struct sortes_randomize_result *r, struct sortes_error *err)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	sortes_jcs_key(&j, "allocation");
	sortes_jcs_array_begin(&j);
	for (size_t i = 0; i < r->ncaseworkers; i++) {
		sortes_jcs_object_begin(&j);
		cli_json_key_string(&j, "arm", p->arms[r->arms[i]].code);
		cli_json_key_string(&j, "caseworker", r->codes[i]);
		sortes_jcs_object_end(&j);
	}
	sortes_jcs_array_end(&j);
	sortes_jcs_key(&j, "constrained");
	if (r->cr.space > 0)
		json_constrained(&j, p, r);
	else
		sortes_jcs_null(&j);
	cli_json_key_integer(&j, "entry", r->seq);
	cli_json_key_string(&j, "method", sortes_method_name(p->method));
	sortes_jcs_key(&j, "per_arm");
	sortes_jcs_array_begin(&j);
	for (size_t a = 0; a < p->narms; a++) {
		sortes_jcs_object_begin(&j);
		cli_json_key_string(&j, "arm", p->arms[a].code);
		cli_json_key_integer(&j, "caseworkers", (int64_t)r->per_arm[a]);
		sortes_jcs_object_end(&j);
	}
	sortes_jcs_array_end(&j);
	sortes_jcs_key(&j, "report");
	sortes_jcs_raw(&j, r->report.data, r->report.len);
	sortes_jcs_object_end(&j);
	return cli_json_print(&j, err);
}

/* ---- followup record, missed ---------------------------------------- */

int
cli_json_outcome(const char *status, const char *participant,
    const char *occasion, const struct sortes_outcome_result *res,
    struct sortes_error *err)
{
	struct sortes_jcs j;

	sortes_jcs_init(&j);
	sortes_jcs_object_begin(&j);
	cli_json_key_integer(&j, "entry", res->seq);
	cli_json_key_string(&j, "occasion", occasion);
	key_boolean(&j, "out_of_window", res->out_of_window);
	cli_json_key_string(&j, "participant", participant);
	cli_json_key_string(&j, "status", status);
	key_number(&j, "supersedes", res->supersedes);
	sortes_jcs_object_end(&j);
	return cli_json_print(&j, err);
}
