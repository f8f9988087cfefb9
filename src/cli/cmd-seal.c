/*
 * cmd-seal.c - sortes seal list|show: the seals kept in the database,
 * and any of them written out again as its seal file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/seal.h"
#include "cli.h"

static const struct option seal_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "db", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct seal_args {
	const char *verb, *entry, *output, *db;
	int json;
};

static int
seal_print_row(void *ctx, const struct sortes_seal *s, struct sortes_error *err)
{
	(void)ctx;
	(void)err;
	printf("%lld\t%s\t%s\t%s\n", (long long)s->entries, s->sealed_at,
	    s->signer, s->note);
	return 0;
}

static int
seal_json_row(void *ctx, const struct sortes_seal *s, struct sortes_error *err)
{
	struct sortes_jcs *j = ctx;

	(void)err;
	sortes_jcs_object_begin(j);
	cli_json_key_integer(j, "entry", s->entries);
	cli_json_key_string(j, "note", s->note);
	cli_json_key_string(j, "sealed_at", s->sealed_at);
	cli_json_key_string(j, "signer", s->signer);
	sortes_jcs_object_end(j);
	return 0;
}

static int
seal_list(struct sortes_trial *t, int json, struct sortes_error *err)
{
	struct sortes_jcs j, rows;
	int64_t n = 0;
	int rc;

	if (!json) {
		printf("entry\tsealed_at\tsigner\tnote\n");
		return sortes_seals_each(t, 0, seal_print_row, NULL, &n, err);
	}
	sortes_jcs_init(&j);
	sortes_jcs_init(&rows);
	sortes_jcs_array_begin(&rows);
	sortes_jcs_object_begin(&j);
	rc = sortes_seals_each(t, 0, seal_json_row, &rows, &n, err);
	if (rc == 0)
		rc = cli_json_key_array(&j, "seals", &rows, err);
	sortes_jcs_object_end(&j);
	if (rc == 0)
		rc = cli_json_print(&j, err);
	sortes_jcs_free(&j);
	sortes_jcs_free(&rows);
	return rc;
}

/* The seal file of one freeze, to stdout or to a new file. */
static int
seal_show(struct sortes_trial *t, const struct seal_args *a,
    struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX], *end;
	struct sortes_seal s;
	long long entry = strtoll(a->entry, &end, 10);
	size_t len;
	int rc;

	if (*end != '\0' || end == a->entry || entry < 1)
		return sortes_error_set(err, SORTES_EUSAGE, "entry '%s' is not a "
		    "log entry number", a->entry);
	rc = sortes_seal_stored(t, entry, &s, err);
	if (rc == 0 && a->output != NULL)
		return sortes_seal_write(&s, a->output, err);
	if (rc == 0)
		rc = sortes_seal_format(&s, buf, sizeof(buf), &len, err);
	if (rc == 0)
		fwrite(buf, 1, len, stdout);
	return rc;
}

static int
seal_run(const struct seal_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_error err = { 0 };
	int rc = cli_trial_read(&t, a->db, &err);

	if (rc == 0)
		rc = strcmp(a->verb, "list") == 0 ? seal_list(t, a->json, &err) :
		    seal_show(t, a, &err);
	rc = cli_trial_done(t, rc, &err);
	if (rc == 0 && a->output != NULL)
		printf("wrote the seal of entry %s to %s\n", a->entry,
		    a->output);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

/* The verb and its one argument; 0, or the exit code of the error. */
static int
seal_check(struct seal_args *a, int argc, char **argv)
{
	int nargs = argc - optind;

	a->verb = nargs > 0 ? argv[optind] : "";
	if (strcmp(a->verb, "list") == 0) {
		if (nargs != 1)
			return cli_usage_error("seal", "unexpected argument '%s'",
			    argv[optind + 1]);
		if (a->output != NULL)
			return cli_usage_error("seal", "--output goes with "
			    "'seal show'");
		return 0;
	}
	if (strcmp(a->verb, "show") != 0)
		return cli_usage_error("seal", "expected 'list' or 'show'");
	if (a->json)
		return cli_usage_error("seal", "--json goes with 'seal list': "
		    "'seal show' writes the seal file itself");
	if (nargs != 2)
		return cli_usage_error("seal", "'seal show' takes one ENTRY, "
		    "the freeze entry's number ('sortes seal list')");
	a->entry = argv[optind + 1];
	return 0;
}

int
cmd_seal(int argc, char **argv)
{
	struct seal_args a = { 0 };
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:d:jh", seal_options, NULL)) != -1)
		switch (c) {
		case 'o': a.output = optarg; break;
		case 'd': a.db = optarg; break;
		case 'j': a.json = 1; break;
		case 'h': return cli_help("seal");
		default: return cli_option_error("seal", c, argv);
		}
	if ((rc = seal_check(&a, argc, argv)) != 0)
		return rc;
	return seal_run(&a);
}
