/*
 * cmd-lookup.c - sortes lookup: which participant, arm and caseworker
 * a person is, found by the keyed pseudonym; never enrolls anyone.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sortes/infile.h"
#include "sortes/jcs.h"
#include "sortes/lookup.h"
#include "cli.h"

static const struct option lookup_options[] = {
	{ "person", required_argument, NULL, 'P' },
	{ "csv", required_argument, NULL, 'C' },
	{ "json", no_argument, NULL, 'j' },
	{ "key", required_argument, NULL, 'k' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* One person asked about, and what the trial holds of them. */
struct lookup_item {
	char *person;			/* as given, owned */
	struct sortes_person_status status;
	char enrolled_on[11], withdrawn_on[11];
};

struct lookup {
	const char *db, *key, *csv;
	const char **persons;		/* --person, in order */
	size_t npersons;
	int json;
	struct sortes_trial *trial;
	struct sortes_finder *finder;
	struct lookup_item *items;
	size_t n, cap;
};

static int
lookup_add(struct lookup *l, const char *person, struct sortes_error *err)
{
	struct lookup_item *it;
	int rc;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct lookup_item *grown = realloc(l->items,
		    cap * sizeof(*grown));

		if (grown == NULL)
			return sortes_error_set(err, SORTES_ENOMEM,
			    "out of memory");
		l->items = grown;
		l->cap = cap;
	}
	it = &l->items[l->n];
	memset(it, 0, sizeof(*it));
	if ((it->person = strdup(person)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	l->n++;
	rc = sortes_finder_find(l->finder, person, &it->status, NULL, err);
	if (rc == 0)
		rc = sortes_person_dates(&it->status, cli_local_day,
		    l->trial->protocol->timezone, it->enrolled_on,
		    it->withdrawn_on, err);
	return rc;
}

static int
lookup_csv_person(void *ctx, long line, const char *person,
    struct sortes_error *err)
{
	struct lookup *l = ctx;
	int rc = lookup_add(l, person, err);

	if (rc == SORTES_EDATA)
		return sortes_error_prefix(err, "%s:%ld", l->csv, line);
	return rc;
}

static int
lookup_csv(struct lookup *l, struct sortes_error *err)
{
	FILE *in = stdin;
	int rc = 0;

	if (strcmp(l->csv, "-") != 0)
		rc = sortes_infile_open(&in, l->csv, "CSV file", err);
	if (rc == 0)
		rc = sortes_persons_each(in, l->csv, 0, lookup_csv_person, l,
		    err);
	if (in != stdin)
		fclose(in);
	return rc;
}

/* Everyone asked about is found before anything is printed. */
static int
lookup_find(struct lookup *l, struct sortes_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < l->npersons; i++)
		if ((rc = lookup_add(l, l->persons[i], err)) == SORTES_EDATA)
			rc = sortes_error_prefix(err, "--person %zu", i + 1);
	if (rc == 0 && l->csv != NULL)
		rc = lookup_csv(l, err);
	return rc;
}

static const char *
lookup_status(const struct sortes_person_status *s)
{
	if (!s->enrolled)
		return "not enrolled";
	if (s->withdrawn_at[0] != '\0')
		return "withdrawn";
	return s->transfers > 0 ? "transferred" : "active";
}

static int
print_text(const struct lookup *l, const struct lookup_item *it,
    struct sortes_error *err)
{
	const struct sortes_person_status *s = &it->status;
	const struct sortes_arm *arm = &l->trial->protocol->arms[s->arm];

	if (!s->enrolled)
		return cli_printf(err, "%s: not enrolled\n", it->person);
	if (cli_printf(err, "%s: participant %s, arm %s (%s), caseworker %s, "
	    "enrolled on %s, %s", it->person, s->participant, arm->code,
	    arm->name, s->caseworker, it->enrolled_on, lookup_status(s)) != 0)
		return err->code;
	if (s->withdrawn_at[0] != '\0' &&
	    cli_printf(err, " on %s", it->withdrawn_on) != 0)
		return err->code;
	if (s->transfers > 0 && cli_printf(err, "%s%lld transfer%s",
	    s->withdrawn_at[0] != '\0' ? ", " : " (",
	    (long long)s->transfers, s->transfers == 1 ? "" : "s") != 0)
		return err->code;
	return cli_printf(err, "%s\n", s->transfers > 0 &&
	    s->withdrawn_at[0] == '\0' ? ")" : "");
}

static void
json_string_or_null(struct sortes_jcs *j, const char *key, const char *s)
{
	sortes_jcs_key(j, key);
	if (s != NULL && s[0] != '\0')
		sortes_jcs_string(j, s);
	else
		sortes_jcs_null(j);
}

static void
json_item(struct sortes_jcs *j, const struct lookup *l,
    const struct lookup_item *it)
{
	const struct sortes_person_status *s = &it->status;
	const struct sortes_arm *arm = &l->trial->protocol->arms[s->arm];

	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "arm");
	if (s->enrolled) {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "code");
		sortes_jcs_string(j, arm->code);
		sortes_jcs_key(j, "name");
		sortes_jcs_string(j, arm->name);
		sortes_jcs_object_end(j);
	} else
		sortes_jcs_null(j);
	json_string_or_null(j, "caseworker", s->caseworker);
	json_string_or_null(j, "enrolled_on", it->enrolled_on);
	json_string_or_null(j, "participant", s->participant);
	sortes_jcs_key(j, "person");
	sortes_jcs_string(j, it->person);
	sortes_jcs_key(j, "status");
	sortes_jcs_string(j, lookup_status(s));
	sortes_jcs_key(j, "transfers");
	sortes_jcs_integer(j, s->transfers);
	json_string_or_null(j, "withdrawn_on", it->withdrawn_on);
	sortes_jcs_object_end(j);
}

static int
print_json(const struct lookup *l, struct sortes_error *err)
{
	struct sortes_jcs j;
	int rc;

	sortes_jcs_init(&j);
	sortes_jcs_array_begin(&j);
	for (size_t i = 0; i < l->n; i++)
		json_item(&j, l, &l->items[i]);
	sortes_jcs_array_end(&j);
	rc = sortes_jcs_finish(&j, err);
	if (rc == 0)
		rc = cli_printf(err, "%s\n", j.data);
	sortes_jcs_free(&j);
	return rc;
}

/* 0 when everyone asked about is enrolled, else 1 (as grep finding none). */
static int
lookup_print(const struct lookup *l, int *missing, struct sortes_error *err)
{
	int rc = 0;

	*missing = 0;
	for (size_t i = 0; i < l->n; i++)
		*missing |= !l->items[i].status.enrolled;
	if (l->json)
		return print_json(l, err);
	for (size_t i = 0; rc == 0 && i < l->n; i++)
		rc = print_text(l, &l->items[i], err);
	return rc;
}

static int
lookup_run(struct lookup *l)
{
	struct sortes_error err = { 0 };
	int rc, missing = 0;

	rc = cli_trial_read(&l->trial, l->db, &err);
	if (rc == 0)
		rc = cli_find_unlock(l->trial, l->db, l->key, &err);
	if (rc == 0)
		rc = sortes_finder_new(&l->finder, l->trial, 0, &err);
	if (rc == 0)
		rc = lookup_find(l, &err);
	sortes_finder_free(l->finder);
	if (rc == 0)
		rc = lookup_print(l, &missing, &err);
	rc = cli_trial_done(l->trial, rc, &err);
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].person);
	free(l->items);
	if (rc != 0)
		return cli_fail(&err);
	return cli_finish(missing ? EXIT_VERIFY : 0);
}

static int
lookup_parse(struct lookup *l, int argc, char **argv)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":P:C:jk:d:h", lookup_options,
	    NULL)) != -1)
		switch (c) {
		case 'P': l->persons[l->npersons++] = optarg; break;
		case 'C': l->csv = optarg; break;
		case 'j': l->json = 1; break;
		case 'k': l->key = optarg; break;
		case 'd': l->db = optarg; break;
		case 'h': return -1;
		default: return cli_option_error("lookup", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("lookup", "unexpected argument '%s'",
		    argv[optind]);
	if (l->npersons == 0 && l->csv == NULL)
		return cli_usage_error("lookup", "give --person ID or --csv "
		    "FILE");
	return 0;
}

int
cmd_lookup(int argc, char **argv)
{
	struct lookup l;
	int rc;

	memset(&l, 0, sizeof(l));
	/* No more --person options than arguments. */
	if ((l.persons = calloc((size_t)argc + 1, sizeof(*l.persons))) == NULL)
		return EXIT_OSERR;
	rc = lookup_parse(&l, argc, argv);
	if (rc == -1)
		rc = cli_help("lookup");
	else if (rc == 0)
		rc = lookup_run(&l);
	free(l.persons);
	return rc;
}
