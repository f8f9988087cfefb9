/*
 * cmd-keygen.c - sortes keygen --output NAME: an Ed25519 key pair.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sortes/sign.h"
#include "cli.h"

static const struct option keygen_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/*
 * A keygen stopped between its two files leaves the private key alone
 * (it is put in place first): the next one finishes the job.
 */
static int
keygen_half_done(const char *priv, const char *pub)
{
	struct stat st;

	return lstat(priv, &st) == 0 && lstat(pub, &st) != 0 && errno == ENOENT;
}

static int
keygen_run(const char *out)
{
	struct sortes_error err = { 0 };
	char fp[SORTES_SHA256_HEX], *priv, *pub;
	size_t n = strlen(out);
	int rc;

	priv = malloc(n + 5);
	pub = malloc(n + 5);
	if (priv == NULL || pub == NULL) {
		free(priv);
		free(pub);
		return EXIT_OSERR;
	}
	snprintf(priv, n + 5, "%s.pem", out);
	snprintf(pub, n + 5, "%s.pub", out);
	if (keygen_half_done(priv, pub)) {
		rc = sortes_sign_pubkey_write(priv, pub, fp, &err);
		if (rc == 0)
			printf("found private key %s without its public key, as "
			    "an interrupted keygen leaves it: wrote public key "
			    "%s\nfingerprint %s\n", priv, pub, fp);
	} else if ((rc = sortes_sign_keygen(priv, pub, fp, &err)) == 0)
		printf("wrote private key %s (mode 600: keep it secret) and "
		    "public key %s\nfingerprint %s\n", priv, pub, fp);
	free(priv);
	free(pub);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_keygen(int argc, char **argv)
{
	const char *out = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", keygen_options, NULL)) != -1)
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': return cli_help("keygen");
		default: return cli_option_error("keygen", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("keygen", "unexpected argument '%s'",
		    argv[optind]);
	if (out == NULL)
		return cli_usage_error("keygen", "--output NAME is required");
	return keygen_run(out);
}
