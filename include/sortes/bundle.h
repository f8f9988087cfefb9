/*
 * bundle.h - what an evaluator receives, and checks without the
 * database: an export as of a seal (EXPORT), its manifest
 * (EXPORT.manifest.json), the log's entries up to the seal
 * (EXPORT.log), the seal and the public key.
 *
 * The check is sound because every part is bound to the signature:
 * the log extract must hash, entry by entry, to the sealed head, which
 * must be the freeze entry that made the seal; the export must be byte
 * for byte the rows that the enrollment entries of that extract make
 * (its SHA-256 is compared, computed as the rows are rebuilt); and the
 * manifest, read as strict JSON, must hold exactly the values the seal
 * and the export determine and be byte for byte what sortes export
 * writes for them.  So an export that adds, drops or changes a row, a
 * log extract that differs from the sealed chain, or a manifest that
 * says anything else, fails.  docs/audit.md explains it.
 *
 * The bundle also holds the protocol as the trial stores it
 * (EXPORT.protocol, whose SHA-256 the seal names): an allocation
 * export of layout 2 takes its columns from it.  A follow-up export's
 * bundle (its manifest's "kind" says which) also holds the protocol's
 * canonical JSON form in a trial of log
 * format 2 on (EXPORT.protocol.json, committed to by the genesis
 * entry) and the export's dictionary (EXPORT-metadata.json): the rows
 * are rebuilt from the extract's enrollments, transfers, withdrawals
 * and outcomes with that protocol's schedule, and the dictionary from
 * the protocol.
 */
#ifndef SORTES_BUNDLE_H
#define SORTES_BUNDLE_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/seal.h"
#include "sortes/sign.h"
#include "sortes/trial.h"

/*
 * Write the log's entries 1..at as lines "SEQ PREV_HASH HASH BODY".
 * The bodies hold what the log holds: baseline fields, but no person
 * identifiers.
 */
int sortes_bundle_write_log(struct sortes_trial *t, FILE *out, int64_t at,
    struct sortes_error *err);

/*
 * Write the protocol file's bytes, as the trial stores them
 * (EXPORT.protocol): what the columns of an allocation export and the
 * schedule of a follow-up export are made from.  Its SHA-256 is the
 * seal's protocol-sha256.
 */
int sortes_bundle_write_protocol(struct sortes_trial *t, FILE *out,
    struct sortes_error *err);

struct sortes_bundle_report {
	const char *kind;		/* "allocations" or "followups" */
	int64_t entries;		/* log entries recomputed */
	int64_t rows;			/* export rows rebuilt and matched */
};

/*
 * Check the bundle whose export is 'export_path' (with the manifest
 * and log extract beside it, as above) against 'seal', signed by
 * 'pub'; 'local_day' dates a follow-up export's schedule.  0 when
 * everything holds; SORTES_EVERIFY saying what does not
 * (the manifest's messages name the key, what it holds and what it
 * must); SORTES_ENOINPUT when a file is missing.
 */
int sortes_bundle_verify(const char *export_path, const struct sortes_seal *seal,
    struct sortes_signer *pub, sortes_local_day_fn local_day,
    struct sortes_bundle_report *out, struct sortes_error *err);

#endif
