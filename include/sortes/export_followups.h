/*
 * export_followups.h - follow-up outcomes for evaluators, in long
 * format, and their data dictionary (docs/export-followups.md).
 */
#ifndef SORTES_EXPORT_FOLLOWUPS_H
#define SORTES_EXPORT_FOLLOWUPS_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/export.h"
#include "sortes/jcs.h"
#include "sortes/trial.h"

/*
 * Write one row per participant, scheduled occasion and measure of
 * that occasion, by enrollment, then occasion and measure in protocol
 * order: pseudonym, arm, caseworker, occasion, due, window_start,
 * window_end, status, measured_on, out_of_window, measure and value.
 * measured_on, out_of_window and value come from the occasion's latest
 * outcome when the occasion is done, and are empty (CSV) or null (JSON)
 * otherwise; a measure not taken has no value either.  No participant
 * UUID and no person identifier.
 * CSV has a header line; JSON is an array of objects, one a line, each
 * in canonical form.  *rows counts the rows.  Returns 0, SORTES_EDATA
 * when the tables disagree with the protocol, or SORTES_EIO when
 * writing fails.
 */
int sortes_export_followups(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t *rows,
    struct sortes_error *err);

/*
 * The same, blinded ('blind' NULL: not): each arm written as its label
 * (sortes_blind_arm_label()), and the rows of occasions that only some
 * arms have left out, since they would tell which arm a label is.
 */
int sortes_export_followups_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, const struct sortes_blinding *blind,
    int64_t *rows, struct sortes_error *err);

/*
 * Whether a blinded export ('b' NULL: not blinded, all are) keeps
 * occasion 'o': only when every arm has it, for one that some arms
 * lack tells anyone who has read the protocol which arm a label is.
 */
int sortes_followups_occasion_kept(const struct sortes_protocol *p,
    const struct sortes_blinding *b, const struct sortes_occasion *o);

/*
 * The same export as it stood after log entry 'at' (1 or more): only
 * the participants enrolled and the outcomes, transfers and withdrawals
 * logged up to it, the schedule dated as enrolling dated it, rebuilt
 * from the log's entries so that the bytes depend on nothing else (and
 * sortes_bundle_verify() rebuilds them from a log extract).  The same
 * entry always gives the same bytes.  'local_day' turns enrollment
 * times into days in the trial's time zone.
 */
int sortes_export_followups_at(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    sortes_local_day_fn local_day, int64_t *rows, struct sortes_error *err);

/*
 * The same as of entry 'at', blinded ('blind' NULL: not) as
 * sortes_export_followups_blinded() blinds.  The caller sees to it that
 * the blinding's commitment is in the log by entry 'at'.
 */
int sortes_export_followups_at_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    sortes_local_day_fn local_day, const struct sortes_blinding *blind,
    int64_t *rows, struct sortes_error *err);

/* One row of a follow-up export; NULL is empty (CSV) or null (JSON). */
struct sortes_followups_row {
	const char *pseudonym, *arm, *caseworker, *occasion;
	const char *due, *window_start, *window_end, *status;
	const char *measured_on, *out_of_window;	/* "true", "false" */
	const char *measure, *value;
};

/*
 * Writing a follow-up export row by row: the same bytes whether the
 * rows come from the tables or from the log.  Begin writes the CSV
 * header; end finishes the file and frees what the writer holds.
 */
struct sortes_followups_writer {
	FILE *out;
	enum sortes_export_format format;
	const struct sortes_protocol *p;	/* whose arms the rows hold */
	const struct sortes_blinding *blind;	/* NULL: not blinded */
	struct sortes_jcs j;
	int64_t rows;
};

/*
 * A row's arm is the allocated arm's code; the writer shows it as every
 * export shows an arm (blinded by 'blind', NULL: not), so that the
 * tables' rows and the log's are the same bytes.
 */
int sortes_followups_begin(struct sortes_followups_writer *w, FILE *out,
    enum sortes_export_format format, const struct sortes_protocol *p,
    const struct sortes_blinding *blind, struct sortes_error *err);
int sortes_followups_row(struct sortes_followups_writer *w,
    const struct sortes_followups_row *row, struct sortes_error *err);
int sortes_followups_end(struct sortes_followups_writer *w,
    struct sortes_error *err);

/*
 * The export's data dictionary, as CSV on the Web metadata (W3C
 * "Metadata Vocabulary for Tabular Data"), in canonical JSON in 'j'
 * (reset first): the columns with their datatypes, the codes each coded
 * column allows, and every arm, occasion and measure of the protocol.
 * 'url' names the export file, relative to the dictionary.
 */
int sortes_export_followups_dictionary(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url, struct sortes_error *err);

/* The same for protocol 'p' of trial 'trial_id', without the database. */
int sortes_export_followups_dictionary_of(struct sortes_jcs *j,
    const struct sortes_protocol *p, const char *trial_id,
    const char *protocol_sha256, const char *url, struct sortes_error *err);

/*
 * The dictionary of a blinded export: labels for arms, in label order,
 * each its own name; only the occasions every arm has and the measures
 * they take; and "sortes:blinded", the commitment and its entry.
 */
int sortes_export_followups_dictionary_blinded(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url,
    const struct sortes_blinding *blind, struct sortes_error *err);

#endif
