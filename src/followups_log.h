/*
 * followups_log.h - the follow-up export rebuilt from log entries: the
 * schedule and its outcomes as they stood after the last entry given.
 * sortes_export_followups_at() gives it the database's log,
 * sortes_bundle_verify() a log extract, so the two make the same bytes
 * by construction.  Private to the library.
 */
#ifndef SORTES_FOLLOWUPS_LOG_H
#define SORTES_FOLLOWUPS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "sortes/date.h"
#include "sortes/error.h"
#include "sortes/export_followups.h"
#include "sortes/protocol.h"

struct fu_log;

int fu_log_new(struct fu_log **out, const struct sortes_protocol *p,
    sortes_local_day_fn local_day, struct sortes_error *err);

/*
 * Apply entry 'seq' (its canonical body, 'len' bytes): enrollments,
 * transfers, withdrawals, measurements and missed occasions change the
 * schedule; other kinds do not.  SORTES_EDATA, naming the entry, when
 * the entry is not one the schedule so far can take.
 */
int fu_log_entry(struct fu_log *l, int64_t seq, const char *body, size_t len,
    struct sortes_error *err);

/* Write the export's rows through 'w' (begun by the caller). */
int fu_log_write(struct fu_log *l, struct sortes_followups_writer *w,
    struct sortes_error *err);

/* NULL is allowed. */
void fu_log_free(struct fu_log *l);

#endif
