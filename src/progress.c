/*
 * progress.c - telling a caller how far a long step is.
 */
#include <stddef.h>

#include "sortes/progress.h"

void
sortes_progress_report(const struct sortes_progress *p, const char *unit,
    int64_t done, int64_t total)
{
	if (p != NULL && p->update != NULL)
		p->update(p->ctx, unit, done, total);
}
