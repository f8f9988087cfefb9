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

struct sortes_progress {
	/*
	 * 'done' of 'total' 'unit's ("rows", "entries", "allocations"),
	 * 'total' 0 when it is not known.  'unit' is valid during the call.
	 */
	void (*update)(void *ctx, const char *unit, int64_t done,
	    int64_t total);
	void *ctx;
};

/* Tell 'p' (NULL is allowed: nothing happens). */
void sortes_progress_report(const struct sortes_progress *p, const char *unit,
    int64_t done, int64_t total);

#endif
