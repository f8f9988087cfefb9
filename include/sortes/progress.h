/*
 * progress.h - how the functions that can run for long (CSV imports,
 * verify, exports, constrained randomization) tell their caller how far
 * they are, so that a front end can draw a progress line.
 *
 * The library keeps no state of its own for this: the caller passes a
 * struct sortes_progress, or NULL for none, and its function is called
 * as the work advances, often (once a row), so it must be cheap and
 * decide by itself when to draw.  It cannot stop the work.
 */
#ifndef SORTES_PROGRESS_H
#define SORTES_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* How far a step is. */
struct sortes_progress_at {
	const char *unit;	/* "rows", "entries", "allocations" */
	int64_t done;		/* units done */
	int64_t total;		/* of these; 0 when not known */
	/*
	 * When 'total' is not known (a CSV file's rows): the bytes of the
	 * input read, of its size; 'size' 0 when that is not known either
	 * (a pipe).
	 */
	int64_t read, size;
};

struct sortes_progress {
	/* 'at' and its unit are valid during the call only. */
	void (*update)(void *ctx, const struct sortes_progress_at *at);
	void *ctx;
};

/* Tell 'p' (NULL is allowed: nothing happens) 'done' of 'total'. */
void sortes_progress_report(const struct sortes_progress *p, const char *unit,
    int64_t done, int64_t total);

/* Tell 'p' (NULL is allowed) 'done' units, having read 'in' so far. */
void sortes_progress_report_input(const struct sortes_progress *p,
    const char *unit, int64_t done, FILE *in);

#endif
