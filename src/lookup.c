/*
 * lookup.c - persons found by their pseudonyms; lists of persons.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/csv.h"
#include "sortes/date.h"
#include "sortes/lookup.h"
#include "sortes/person.h"

struct sortes_finder {
	struct sortes_trial *trial;
	struct sortes_hmac *mac;
	sqlite3_stmt *find;
	int64_t at;
	int reading;			/* the read transaction is open */
};

/*
 * The participant's state as of entry ?1: the latest transfer names
 * the caseworker now responsible, a withdrawal made later is not seen.
 */
static const char find_sql[] =
    "SELECT p.id, a.arm, p.caseworker, p.enrolled_at, p.seq, "
    "(SELECT count(*) FROM transfers tr WHERE tr.participant = p.seq "
    "AND tr.seq <= ?1), "
    "(SELECT tr.to_caseworker FROM transfers tr WHERE tr.participant = "
    "p.seq AND tr.seq <= ?1 ORDER BY tr.seq DESC LIMIT 1), "
    "(SELECT w.withdrawn_at FROM withdrawals w WHERE w.participant = "
    "p.seq AND w.seq <= ?1) "
    "FROM participants p JOIN allocations a ON a.seq = p.seq "
    "WHERE p.pseudonym = ?2 AND p.seq <= ?1";

int
sortes_finder_new(struct sortes_finder **out, struct sortes_trial *t,
    int64_t at, struct sortes_error *err)
{
	struct sortes_finder *f;
	int rc;

	*out = NULL;
	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE, "finding a person "
		    "needs the trial's key file");
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	f->trial = t;
	f->at = at > 0 ? at : INT64_MAX;
	rc = sortes_hmac_new(&f->mac, t->key.pseudonym_key,
	    sizeof(t->key.pseudonym_key), err);
	if (rc == 0 && (rc = sortes_db_exec(t->db, "BEGIN", err)) == 0)
		f->reading = 1;
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &f->find, find_sql, err);
	if (rc != 0) {
		sortes_finder_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

void
sortes_finder_free(struct sortes_finder *f)
{
	if (f == NULL)
		return;
	sqlite3_finalize(f->find);
	if (f->reading)
		sortes_db_rollback(f->trial->db);
	sortes_hmac_free(f->mac);
	free(f);
}

static void
copy_col(char *out, size_t size, sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(out, size, "%s", s != NULL ? s : "");
}

static int
finder_row(struct sortes_finder *f, struct sortes_person_status *out,
    struct sortes_error *err)
{
	sqlite3_stmt *st = f->find;
	long arm = sortes_protocol_arm(f->trial->protocol,
	    (const char *)sqlite3_column_text(st, 1));

	if (arm < 0)
		return sortes_error_set(err, SORTES_EINTERNAL, "participant "
		    "%s has an arm the protocol does not name",
		    (const char *)sqlite3_column_text(st, 0));
	out->enrolled = 1;
	out->arm = (size_t)arm;
	copy_col(out->participant, sizeof(out->participant), st, 0);
	copy_col(out->caseworker, sizeof(out->caseworker), st,
	    sqlite3_column_type(st, 6) == SQLITE_NULL ? 2 : 6);
	copy_col(out->enrolled_at, sizeof(out->enrolled_at), st, 3);
	out->seq = sqlite3_column_int64(st, 4);
	out->transfers = sqlite3_column_int64(st, 5);
	copy_col(out->withdrawn_at, sizeof(out->withdrawn_at), st, 7);
	return 0;
}

int
sortes_finder_find(struct sortes_finder *f, const char *person,
    struct sortes_person_status *out, char pseudonym[SORTES_SHA256_HEX],
    struct sortes_error *err)
{
	char hex[SORTES_SHA256_HEX];
	int rc, step;

	memset(out, 0, sizeof(*out));
	rc = sortes_person_pseudonym(hex, f->mac,
	    f->trial->protocol->identifier, person, err);
	if (rc != 0)
		return rc;
	if (pseudonym != NULL)
		memcpy(pseudonym, hex, sizeof(hex));
	sqlite3_bind_int64(f->find, 1, f->at);
	sqlite3_bind_text(f->find, 2, hex, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(f->find);
	if (step == SQLITE_ROW)
		rc = finder_row(f, out, err);
	else if (step != SQLITE_DONE)
		rc = sortes_db_fail(f->trial->db, "looking up a pseudonym", err);
	sqlite3_reset(f->find);
	return rc;
}

/* The column named "person" (blanks around header cells ignored). */
static int
persons_column(struct sortes_csv *csv, const char *name, size_t *col,
    struct sortes_error *err)
{
	for (size_t i = 0; i < sortes_csv_count(csv); i++) {
		const char *h = sortes_csv_cell(csv, i);
		size_t n;

		while (*h == ' ')
			h++;
		for (n = strlen(h); n > 0 && h[n - 1] == ' '; n--)
			;
		if (n == 6 && memcmp(h, "person", 6) == 0) {
			*col = i;
			return 0;
		}
	}
	return sortes_error_set(err, SORTES_EDATA, "%s:1: the header needs "
	    "the column 'person'", name);
}

static int
persons_rows(struct sortes_csv *csv, const char *name, size_t col,
    sortes_person_fn fn, void *ctx, struct sortes_error *err)
{
	int rc;

	while ((rc = sortes_csv_next(csv, err)) == 1) {
		if (sortes_csv_count(csv) <= col)
			return sortes_error_set(err, SORTES_EDATA, "%s:%ld: the "
			    "row has no 'person' cell", name,
			    sortes_csv_line(csv));
		if ((rc = fn(ctx, sortes_csv_line(csv),
		    sortes_csv_cell(csv, col), err)) != 0)
			return rc;
	}
	return rc;
}

int
sortes_persons_each(FILE *in, const char *name, int delimiter,
    sortes_person_fn fn, void *ctx, struct sortes_error *err)
{
	struct sortes_csv *csv = NULL;
	size_t col = 0;
	int rc;

	rc = sortes_csv_open(&csv, in, delimiter, name, err);
	if (rc == 0 && (rc = sortes_csv_next(csv, err)) == 0)
		rc = sortes_error_set(err, SORTES_EDATA, "%s: the file is "
		    "empty; expected a header line", name);
	if (rc == 1)
		rc = persons_column(csv, name, &col, err);
	if (rc == 0)
		rc = persons_rows(csv, name, col, fn, ctx, err);
	sortes_csv_free(csv);
	return rc;
}

/* The calendar date of UTC time 'utc' in zone 'tz'; "" for "". */
static int
local_date(sortes_local_day_fn local_day, const char *utc, const char *tz,
    char out[11], struct sortes_error *err)
{
	int32_t day;
	int rc;

	out[0] = '\0';
	if (utc[0] == '\0')
		return 0;
	rc = local_day(&day, utc, tz, err);
	if (rc == 0)
		sortes_date_format(day, out);
	return rc;
}

int
sortes_person_dates(const struct sortes_person_status *s,
    sortes_local_day_fn local_day, const char *tz, char enrolled[11],
    char withdrawn[11], struct sortes_error *err)
{
	int rc = local_date(local_day, s->enrolled_at, tz, enrolled, err);

	return rc != 0 ? rc : local_date(local_day, s->withdrawn_at, tz,
	    withdrawn, err);
}
