/*
 * linkage.c - the register-linkage file and its manifest.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/export.h"
#include "sortes/linkage.h"
#include "sortes/lookup.h"
#include "strmap.h"

static const char *const linkage_columns[] = {
	"person", "participant", "arm", "enrolled_on", "withdrawn_on",
};
#define NCOLUMNS (sizeof(linkage_columns) / sizeof(linkage_columns[0]))

struct linkage_run {
	struct sortes_trial *trial;
	const struct sortes_linkage_input *in;
	struct sortes_finder *finder;
	struct sortes_strmap *seen;	/* pseudonym -> line (long) */
	FILE *out;
	struct sortes_linkage_counts *counts;
};

/* A person twice would be two rows the register cannot tell apart. */
static int
linkage_once(struct linkage_run *r, const char *pseudonym, long line,
    struct sortes_error *err)
{
	int added = 0;
	long *first = sortes_strmap_put(r->seen, pseudonym, &added, NULL);

	if (first == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (!added)
		return sortes_error_set(err, SORTES_EDATA, "%s:%ld: the same "
		    "person as on line %ld", r->in->name, line, *first);
	*first = line;
	return 0;
}

static int
linkage_row(struct linkage_run *r, const char *person,
    const struct sortes_person_status *s, struct sortes_error *err)
{
	char enrolled[11], withdrawn[11];
	const char *cells[NCOLUMNS] = { person, s->participant,
	    r->trial->protocol->arms[s->arm].code, enrolled, withdrawn };
	int rc;

	rc = sortes_person_dates(s, r->in->local_day,
	    r->trial->protocol->timezone, enrolled, withdrawn, err);
	if (rc == 0 && sortes_csv_write_record(r->out, cells, NCOLUMNS,
	    ',') != 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "the linkage file");
	if (rc == 0)
		r->counts->rows++;
	return rc;
}

static int
linkage_person(void *ctx, long line, const char *person,
    struct sortes_error *err)
{
	struct linkage_run *r = ctx;
	struct sortes_person_status s;
	char pseudonym[SORTES_SHA256_HEX];
	int rc;

	rc = sortes_finder_find(r->finder, person, &s, pseudonym, err);
	if (rc == SORTES_EDATA)
		return sortes_error_prefix(err, "%s:%ld", r->in->name, line);
	if (rc == 0)
		rc = linkage_once(r, pseudonym, line, err);
	if (rc != 0)
		return rc;
	if (s.enrolled)
		return linkage_row(r, person, &s, err);
	r->counts->unenrolled++;
	if (r->in->unenrolled != NULL)
		r->in->unenrolled(r->in->ctx, line);
	return 0;
}

int
sortes_linkage_write(struct sortes_trial *t,
    const struct sortes_linkage_input *in, FILE *out,
    struct sortes_linkage_counts *counts, struct sortes_error *err)
{
	struct linkage_run r = { .trial = t, .in = in, .out = out,
	    .counts = counts };
	int rc;

	memset(counts, 0, sizeof(*counts));
	if ((r.seen = sortes_strmap_new(sizeof(long))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_finder_new(&r.finder, t, in->at, err);
	if (rc == 0 && sortes_csv_write_record(out, linkage_columns, NCOLUMNS,
	    ',') != 0)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "the linkage file");
	if (rc == 0)
		rc = sortes_persons_each(in->persons, in->name, 0,
		    linkage_person, &r, err);
	sortes_finder_free(r.finder);
	sortes_strmap_free(r.seen, NULL);
	return rc;
}

int
sortes_linkage_manifest(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_linkage_manifest *m, struct sortes_error *err)
{
	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "entries");
	sortes_jcs_integer(j, m->entries);
	sortes_jcs_key(j, "head");
	sortes_jcs_string(j, m->head);
	sortes_jcs_key(j, "linkage");
	sortes_jcs_string(j, m->name);
	sortes_jcs_key(j, "linkage_sha256");
	sortes_jcs_string(j, m->sha256);
	sortes_jcs_key(j, "not_enrolled");
	sortes_jcs_integer(j, m->counts.unenrolled);
	sortes_jcs_key(j, "protocol_sha256");
	sortes_jcs_string(j, t->protocol_sha256);
	sortes_jcs_key(j, "rows");
	sortes_jcs_integer(j, m->counts.rows);
	sortes_manifest_seal(j, m->sealed_at, m->signer);
	sortes_jcs_key(j, "trial");
	sortes_jcs_string(j, t->trial_id);
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}
