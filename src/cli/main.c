/* main.c - only main(): everything else is in the library or cli.c. */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_run(argc - 1, argv + 1);
}
