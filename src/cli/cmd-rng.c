/*
 * cmd-rng.c - sortes rng: raw PCG32 outputs for auditors.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "sortes/pcg32.h"
#include "cli.h"

static const struct option rng_options[] = {
	{ "seed", required_argument, NULL, 's' },
	{ "stream", required_argument, NULL, 'S' },
	{ "count", required_argument, NULL, 'n' },
	{ "bound", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Parse a whole decimal number in [min, max]; 0 or -1. */
static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || *out < min || *out > max)
		return -1;
	return 0;
}

struct rng_args {
	const char *seed, *stream, *count, *bound;
};

static int
rng_print(uint64_t seed, uint64_t stream, uint64_t count, uint64_t bound)
{
	struct sortes_pcg32 rng;
	struct sortes_error err = { 0 };
	int rc = 0;

	sortes_pcg32_seed(&rng, seed, stream);
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		if (bound != 0)
			rc = cli_printf(&err, "%" PRIu32 "\n",
			    sortes_pcg32_bounded(&rng, (uint32_t)bound));
		else
			rc = cli_printf(&err, "0x%08" PRIx32 "\n",
			    sortes_pcg32_next(&rng));
	}
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

static int
rng_run(const struct rng_args *a)
{
	uint64_t seed, stream, count = 6, bound = 0;

	if (a->seed == NULL || a->stream == NULL)
		return cli_usage_error("rng", "--seed and --stream are required");
	if (parse_u64(a->seed, 0, UINT64_MAX, &seed) != 0)
		return cli_usage_error("rng", "--seed '%s' is not a number from "
		    "0 to 2^64-1", a->seed);
	if (parse_u64(a->stream, 0, UINT64_MAX >> 1, &stream) != 0)
		return cli_usage_error("rng", "--stream '%s' is not a number "
		    "from 0 to 2^63-1", a->stream);
	if (a->count != NULL &&
	    parse_u64(a->count, 0, UINT64_C(1) << 40, &count) != 0)
		return cli_usage_error("rng", "--count '%s' is not a number "
		    "from 0 to 2^40", a->count);
	if (a->bound != NULL && parse_u64(a->bound, 1, UINT32_MAX, &bound) != 0)
		return cli_usage_error("rng", "--bound '%s' is not a number "
		    "from 1 to 2^32-1", a->bound);
	return rng_print(seed, stream, count, bound);
}

int
cmd_rng(int argc, char **argv)
{
	struct rng_args a = { 0 };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", rng_options,
	    NULL)) != -1)
		switch (c) {
		case 's': a.seed = optarg; break;
		case 'S': a.stream = optarg; break;
		case 'n': a.count = optarg; break;
		case 'b': a.bound = optarg; break;
		case 'h': return cli_help("rng");
		default: return cli_option_error("rng", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("rng", "unexpected argument '%s'",
		    argv[optind]);
	return rng_run(&a);
}
