/* testutil.h - temporary trials for the library tests. */
#ifndef SORTES_TESTUTIL_H
#define SORTES_TESTUTIL_H

#include <stdint.h>

#include "sortes/caseworker.h"
#include "sortes/enroll.h"
#include "sortes/followup.h"
#include "sortes/trial.h"

/* A small individually randomized protocol; the method is filled in. */
#define TU_PROTOCOL(method, extra) \
	"sortes: 1\n" \
	"trial:\n" \
	"  id: testtrial\n" \
	"  title: Test trial\n" \
	"  sponsor: Test\n" \
	"  target_enrollment: 100\n" \
	"arms:\n" \
	"  - {code: I, name: Intervention, ratio: 1}\n" \
	"  - {code: C, name: Control, ratio: 1}\n" \
	"randomization:\n" \
	"  unit: individual\n" \
	"  method: " method "\n" \
	extra \
	"fields:\n" \
	"  - {name: birth_date, type: date, required: true}\n" \
	"  - {name: sex, type: enum, values: [F, M], required: true}\n" \
	"  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}\n" \
	"  - {name: months_out, type: integer, min: 0}\n" \
	"eligibility:\n" \
	"  - {name: age 18-28, age_of: birth_date, min: 18, max: 28}\n" \
	"  - {name: on education benefit, field: benefit, equals: uddannelseshjaelp}\n"

#define TU_SIMPLE TU_PROTOCOL("simple", "")
#define TU_BLOCKS TU_PROTOCOL("blocks", "  block_sizes: [2, 4, 6]\n")
#define TU_STRATIFIED TU_PROTOCOL("stratified_blocks", \
	"  strata: [sex]\n  block_sizes: [2, 4]\n")

/* A fresh directory under $TMPDIR (or /tmp); caller frees the name. */
char *tu_tmpdir(void);

/* dir/name in a new string; caller frees. */
char *tu_path(const char *dir, const char *name);

/* Write text to a file (test fails on error). */
void tu_write(const char *path, const char *text);

/* Remove a directory and the files in it (one level). */
void tu_rmtree(const char *dir);

/*
 * Create a trial from 'yaml' in 'dir' (trial.db, trial.key), stamped
 * 2026-01-15T10:00:00Z, and return it open with its key.
 */
struct sortes_trial *tu_trial(const char *dir, const char *yaml);

/* Enroll a participant into open trial 't' in its own transaction. */
int tu_enroll(struct sortes_trial *t, const char *person, const char *sex,
    const char *birth, struct sortes_error *err);

/*
 * Enroll 'person' (born 2000-05-17, F, on education benefit, which
 * suits every protocol above) with caseworker 'cw' at UTC time 'at',
 * calendar day 'day', in its own transaction.
 */
int tu_enroll_at(struct sortes_trial *t, const char *person, const char *cw,
    const char *at, int32_t day, struct sortes_enroll_result *res,
    struct sortes_error *err);

/*
 * Enroll '<tag>1' and '<tag>2' as tu_enroll_at() does, on 'day' at
 * 10:00 UTC.  In a protocol with blocks of 2 that is one participant
 * of each arm: ids[0] gets the one in the first arm, ids[1] the other.
 * *first (if not NULL) says whether ids[0] was enrolled first.
 */
void tu_enroll_pair(struct sortes_trial *t, const char *tag, const char *cw,
    const char *day, char ids[][SORTES_UUID_LEN], int *first);

/* Register one caseworker in its own transaction (test fails on error). */
void tu_register(struct sortes_trial *t,
    const struct sortes_caseworker_input *in,
    struct sortes_caseworker_result *res);

/* The day number of "YYYY-MM-DD" (test fails on a bad date). */
int32_t tu_day(const char *text);

/*
 * A clock->local_day for the tests: the date of 'utc' at the fixed
 * offset UTC+01:00 (no zone database), so that 23:30Z is the next day.
 * The zone asked for is kept in tu_last_tz.
 */
int tu_local_day(int32_t *out, const char *utc, const char *tz,
    struct sortes_error *err);
extern char tu_last_tz[64];

/* A clock with 'today' ("YYYY-MM-DD") and entries stamped 'now'. */
struct sortes_clock tu_clock(const char *today, const char *now);

/* The one integer, or the one text (caller frees), a query returns. */
int64_t tu_int(struct sortes_trial *t, const char *sql);
char *tu_text(struct sortes_trial *t, const char *sql);

/* Run SQL that returns nothing (test fails on error). */
void tu_sql(struct sortes_trial *t, const char *sql);

/* A whole file as a string; caller frees. */
char *tu_read(const char *path);

/*
 * The indented code block that follows the line "<!-- check: NAME -->"
 * in docs/DOC, without its indentation, each line ending in a newline;
 * caller frees.  Worked examples in the docs are marked so, and the
 * tests recompute them, so that the docs cannot drift from the code.
 */
char *tu_doc_block(const char *doc, const char *name);

/*
 * As a forger with write access: run 'sql', which may change the log,
 * with the triggers that guard the log dropped and put back after;
 * recompute prev_hash and hash of every log entry from 'from' on.
 * The test fails on error.
 */
void tu_forge(struct sortes_trial *t, const char *sql);
void tu_rehash(struct sortes_trial *t, int64_t from);

/*
 * Give open trial 't' (no entry after its genesis) a fixed key: the
 * seed all bytes 'seed', the pseudonym key all bytes 'pseudonym', the
 * genesis's commitment to match, the log rehashed.  What a real trial
 * draws at random is then the same on every run.
 */
void tu_fix_key(struct sortes_trial *t, int seed, int pseudonym);

/*
 * Rename participant 'drawn' (the UUID enrolling drew) to 'fixed', in
 * the log and the participants table, and rehash the log.
 */
void tu_fix_participant(struct sortes_trial *t, const char *drawn,
    const char *fixed);

/*
 * Make the next strdup() of a string equal to 'text' fail as if memory
 * ran out (NULL: none fails).  The test program defines strdup()
 * itself, so the library linked into it calls this one.  A string, not
 * a count, since Check's assertions copy strings too.
 */
void tu_fail_strdup(const char *text);

#endif
