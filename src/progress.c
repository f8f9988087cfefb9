/*
 * progress.c - telling a caller how far a long step is.
 */
#include <stddef.h>
#include <sys/stat.h>

#include "sortes/progress.h"

void
sortes_progress_report(const struct sortes_progress *p, const char *unit,
    int64_t done, int64_t total)
{
	struct sortes_progress_at at = { unit, done, total, 0, 0 };

	if (p != NULL && p->update != NULL)
		p->update(p->ctx, &at);
}

void
sortes_progress_report_input(const struct sortes_progress *p,
    const char *unit, int64_t done, FILE *in)
{
	struct sortes_progress_at at = { unit, done, 0, 0, 0 };
	struct stat st;
	int fd;
	off_t pos;

	if (p == NULL || p->update == NULL)
		return;
	/* Only a regular file has a size to be through part of. */
	if ((fd = fileno(in)) >= 0 && fstat(fd, &st) == 0 &&
	    S_ISREG(st.st_mode) && (pos = ftello(in)) >= 0) {
		at.read = (int64_t)pos;
		at.size = (int64_t)st.st_size;
	}
	p->update(p->ctx, &at);
}
