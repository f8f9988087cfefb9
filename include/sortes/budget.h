/*
 * budget.h - the budget ledger: approved spends of a per-participant
 * budget (protocol budget:), each a log entry, in minor units (øre) so
 * that no amount ever passes through floating point.
 */
#ifndef SORTES_BUDGET_H
#define SORTES_BUDGET_H

#include <stdint.h>

#include "sortes/decimal.h"
#include "sortes/error.h"
#include "sortes/followup.h"
#include "sortes/trial.h"

#define SORTES_NOTE_MAX 1000

/*
 * An amount in major units with at most 2 decimals ("3200", "3200.5",
 * "3200.50") into minor units (320000).  SORTES_EDATA unless it is
 * such a number above 0.
 */
int sortes_amount_parse(const char *text, int64_t *minor,
    struct sortes_error *err);

/* "3200.00" for 320000. */
void sortes_amount_format(int64_t minor, char buf[SORTES_DECIMAL_BUF]);

struct sortes_spend_input {
	const char *participant;	/* UUID */
	int64_t amount_minor;
	const char *category;
	const char *note;		/* or NULL */
	int32_t spent_on;		/* day number */
};

struct sortes_spend_result {
	int64_t seq;			/* the new entry */
	int64_t spent_minor;		/* the participant's total, with it */
	int64_t remaining_minor;
};

/*
 * Record an approved spend.  Refused (SORTES_EDATA, nothing written):
 * a protocol without a budget, an unknown or withdrawn participant, a
 * participant in an arm without a budget, an amount not above 0, one
 * that would take the participant's spends above the budget, a
 * category the protocol does not list, and a date after today or
 * before enrollment.  Commits.
 */
int sortes_budget_spend(struct sortes_trial *t,
    const struct sortes_spend_input *in, const struct sortes_clock *clock,
    struct sortes_spend_result *out, struct sortes_error *err);

/* One line of the report: a category, or a participant with a budget. */
struct sortes_budget_line {
	const char *category;		/* category lines; else NULL */
	const char *participant;	/* participant lines: UUID */
	const char *pseudonym;
	const char *arm;
	int64_t spends;			/* how many */
	int64_t spent_minor;
	int64_t remaining_minor;	/* participant lines */
};

typedef int (*sortes_budget_fn)(void *ctx,
    const struct sortes_budget_line *line, struct sortes_error *err);

/*
 * Call 'fn' for each category with spends (by name), then for each
 * participant in an arm with a budget (in enrollment order).
 * SORTES_EDATA when the protocol declares no budget.
 */
int sortes_budget_report(struct sortes_trial *t, sortes_budget_fn fn,
    void *ctx, struct sortes_error *err);

#endif
