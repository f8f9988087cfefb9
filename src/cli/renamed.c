/*
 * renamed.c - the options whose letter or name changed when every
 * letter was given one meaning across commands (docs/options.md), so
 * that a script written for the old spelling is told the new one
 * instead of only that the option is unknown.
 */
#include <string.h>

#include "cli.h"

static const struct renamed_option {
	const char *command, *old, *now;
} renamed[] = {
	{ "budget", "-a", "-m, --amount" },
	{ "budget", "-c", "--category" },
	{ "caseworker", "-D", "--delimiter" },
	{ "caseworker", "-s", "-i, --skip-invalid" },
	{ "enroll", "-D", "--delimiter" },
	{ "enroll", "-s", "-i, --skip-invalid" },
	{ "export", "-D", "--dictionary" },
	{ "followup", "-C", "--correct" },
	{ "followup", "-a", "--as-of" },
	{ "followup", "-o", "--out-of-window" },
	{ "freeze", "--key", "--signing-key" },
	{ "freeze", "-k", "--signing-key" },
	{ "init", "-p", "--protocol" },
	{ "rng", "-S", "--stream" },
	{ "rng", "-b", "--bound" },
	{ "rng", "-n", "--count" },
	{ "rng", "-s", "--seed" },
	{ "transfer", "-t", "--to" },
	{ "verify", "-r", "--replay" },
};

const char *
cli_renamed(const char *command, const char *typed)
{
	size_t n = strcspn(typed, "=");

	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (strcmp(renamed[i].command, command) == 0 &&
		    strlen(renamed[i].old) == n &&
		    strncmp(renamed[i].old, typed, n) == 0)
			return renamed[i].now;
	return NULL;
}
