/*
 * export.h - writing allocations for evaluators (pseudonyms only).
 */
#ifndef SORTES_EXPORT_H
#define SORTES_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/blind.h"
#include "sortes/error.h"
#include "sortes/jcs.h"
#include "sortes/trial.h"

enum sortes_export_format {
	SORTES_EXPORT_CSV,
	SORTES_EXPORT_JSON
};

/*
 * The layout of an allocation export: which columns it has.  Layout 1
 * (sortes before this one) had the stratum as JSON in one cell; layout
 * 2 has a column per stratum and baseline field, the arm's name and
 * the participant's status (docs/export-allocations.md).  Exports are
 * written in the current layout; verify-export rebuilds either.
 */
#define SORTES_EXPORT_LAYOUT 2

/*
 * Write one row per participant enrolled by entry 'at' (0: all), in log
 * order, in the current layout, with the status as of that entry.  CSV
 * has a header line; JSON is an array of objects, one a line, each in
 * canonical form.  The same 'at' always gives the same bytes.  *rows
 * counts the rows.  Returns 0, or SORTES_EIO when writing fails.
 */
int sortes_export_allocations(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at, int64_t *rows,
    struct sortes_error *err);

/*
 * The same, blinded: each arm written as its label in 'blind'
 * (sortes_blind_arm_label()) in both its columns, and no entry hash;
 * NULL is sortes_export_allocations().
 */
int sortes_export_allocations_blinded(struct sortes_trial *t, FILE *out,
    enum sortes_export_format format, int64_t at,
    const struct sortes_blinding *blind, int64_t *rows,
    struct sortes_error *err);

/*
 * The allocation export's data dictionary (CSV on the Web metadata, as
 * sortes_export_followups_dictionary() writes) into 'j' (reset first):
 * every column with its datatype, its allowed values and their labels,
 * and the protocol's arms and fields.  'url' names the export.
 * Blinded ('blind' not NULL), the arms are labels in label order, each
 * its own name, and "sortes:blinded" names the commitment.
 */
int sortes_export_allocations_dictionary(struct sortes_jcs *j,
    const struct sortes_trial *t, const char *url,
    const struct sortes_blinding *blind, struct sortes_error *err);

/* One row of an allocation export. */
struct sortes_export_row {
	const char *pseudonym, *participant, *caseworker;
	const char *stratum;		/* canonical JSON object text */
	const char *fields;		/* canonical JSON object text */
	const char *arm, *enrolled_at, *entry_hash;
	const char *withdrawn_at;	/* or NULL: not withdrawn */
	int64_t seq;
	int64_t transfers;
};

struct sortes_export_column;

/*
 * Writing an export row by row: the same bytes whether the rows come
 * from the database or, in sortes_verify_export(), from the log.
 */
struct sortes_export_writer {
	FILE *out;
	enum sortes_export_format format;
	const struct sortes_protocol *p;	/* layout 2 */
	struct sortes_jcs j;
	struct sortes_export_column *cols;
	size_t ncols;
	size_t *json_order;		/* columns in JSON's key order */
	int64_t rows;
	const struct sortes_blinding *blind;	/* NULL: not blinded */
};

/*
 * Begin an export in 'layout' (1 or 2; layout 2 needs the protocol
 * 'p'), blinded by 'blind' (NULL: not blinded; layout 2 only).
 * Returns 0 or SORTES_ENOMEM; the writer is to be ended or freed
 * either way.
 */
int sortes_export_begin(struct sortes_export_writer *w, FILE *out,
    enum sortes_export_format format, int layout,
    const struct sortes_protocol *p, const struct sortes_blinding *blind,
    struct sortes_error *err);
int sortes_export_row(struct sortes_export_writer *w,
    const struct sortes_export_row *row, struct sortes_error *err);
/* Finish the file and free what the writer holds. */
int sortes_export_end(struct sortes_export_writer *w, struct sortes_error *err);
/* Free what the writer holds, without finishing the file. */
void sortes_export_free(struct sortes_export_writer *w);

/* What the manifest's "format" says: "csv-2", or "csv" for layout 1. */
const char *sortes_export_format_name(enum sortes_export_format format,
    int layout);

/* What an export's manifest says (docs/audit.md, "Exports"). */
struct sortes_manifest {
	/* "allocations" (NULL) or "followups"; "" for none, as a layout-1
	 * manifest of sortes before follow-up seals has it. */
	const char *kind;
	const char *name;		/* the export file's name */
	const char *sha256;		/* of its bytes, hex */
	enum sortes_export_format format;
	int layout;			/* SORTES_EXPORT_LAYOUT, or 1; follow-ups: 1,
					 * whatever it says */
	int64_t entries;		/* the entries it is as of */
	const char *head;		/* the hash of entry 'entries' */
	int64_t rows;
	const char *sealed_at;		/* the seal's, or NULL */
	const char *signer;		/* the seal's signer, or NULL */
	/* A follow-up export's dictionary's name and SHA-256, else NULL. */
	const char *dictionary, *dictionary_sha256;
	const char *blind_commitment;	/* blinded: the commitment; or NULL */
	int64_t blind_seq;		/* blinded: the blind entry */
};

/*
 * A manifest's "seal" member: null, or the seal's time and signer
 * (what an export's and a linkage's manifests both say of the seal).
 */
void sortes_manifest_seal(struct sortes_jcs *j, const char *sealed_at,
    const char *signer);

/* The manifest as canonical JSON in 'j' (reset first). */
int sortes_export_manifest(struct sortes_jcs *j, const struct sortes_trial *t,
    const struct sortes_manifest *m, struct sortes_error *err);

/*
 * The same for the trial 'trial_id' whose protocol hash is
 * 'protocol_sha256', as a seal names them: what sortes verify-export
 * expects, without the database.
 */
int sortes_export_manifest_of(struct sortes_jcs *j, const char *trial_id,
    const char *protocol_sha256, const struct sortes_manifest *m,
    struct sortes_error *err);

#endif
