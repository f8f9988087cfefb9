/* main.c - only main(): everything else is in the library or cli.c. */
#include <signal.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	/* A reader that goes away ('sortes export allocations | head')
	 * makes writes fail with EPIPE instead of killing sortes, so that
	 * it stops writing and closes the database as on any error. */
	signal(SIGPIPE, SIG_IGN);
	return cli_run(argc - 1, argv + 1);
}
