/*
 * killpoint.c - SORTES_KILL_AT, for tests (see killpoint.h).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sortes/killpoint.h"

void
sortes_kill_point(const char *step)
{
	const char *at = getenv("SORTES_KILL_AT");

	if (at != NULL && strcmp(at, step) == 0)
		kill(getpid(), SIGKILL);
}
