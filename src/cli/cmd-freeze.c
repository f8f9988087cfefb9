/*
 * cmd-freeze.c - sortes freeze --key lead.pem: seal the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sortes/seal.h"
#include "cli.h"

static const struct option freeze_options[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "note", required_argument, NULL, 'n' },
	{ "seal", required_argument, NULL, 's' },
	{ "db", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Write the seal to a new file (never over an existing one). */
static int
seal_write(const struct sortes_seal *s, const char *path,
    struct sortes_error *err)
{
	char buf[SORTES_SEAL_MAX];
	size_t len;
	int fd, rc;

	if ((rc = sortes_seal_format(s, buf, sizeof(buf), &len, err)) != 0)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return sortes_error_set(err, SORTES_ECANTCREAT, "cannot create "
		    "seal file '%s': %s", path, strerror(errno));
	if (write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot write '%s': %s",
		    path, sortes_strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot write '%s': %s",
		    path, sortes_strerror(errno));
	return rc;
}

struct freeze_args {
	const char *key, *note, *seal, *db;
};

static int
freeze_run(const struct freeze_args *a)
{
	struct sortes_trial *t = NULL;
	struct sortes_signer *signer = NULL;
	struct sortes_error err = { 0 };
	struct sortes_seal s;
	char now[21], path[4096];
	const char *db = cli_db_path(a->db);
	int rc;

	rc = cli_now(now, &err);
	if (rc == 0)
		rc = sortes_signer_load_private(&signer, a->key, &err);
	if (rc == 0)
		rc = sortes_trial_open(&t, db, &err);
	if (rc == 0)
		rc = sortes_freeze(t, signer, a->note ? a->note : "", now, &s,
		    &err);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s", a->seal ? a->seal : "");
		if (a->seal == NULL)
			snprintf(path, sizeof(path), "%s.seal-%lld", db,
			    (long long)s.entries);
		rc = seal_write(&s, path, &err);
		if (rc != 0)
			sortes_error_prefix(&err, "the freeze is recorded in the "
			    "database, but its seal file is not written");
	}
	if (rc == 0)
		printf("froze %lld entries, head %s\nseal written to %s, signed "
		    "by key %s\n", (long long)s.entries, s.head, path, s.signer);
	sortes_trial_close(t);
	sortes_signer_free(signer);
	return rc == 0 ? cli_finish(0) : cli_fail(&err);
}

int
cmd_freeze(int argc, char **argv)
{
	struct freeze_args a = { 0 };
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":k:n:s:d:h", freeze_options,
	    NULL)) != -1)
		switch (c) {
		case 'k': a.key = optarg; break;
		case 'n': a.note = optarg; break;
		case 's': a.seal = optarg; break;
		case 'd': a.db = optarg; break;
		case 'h': return cli_help("freeze");
		default: return cli_option_error("freeze", c, argv);
		}
	if (optind != argc)
		return cli_usage_error("freeze", "unexpected argument '%s'",
		    argv[optind]);
	if (a.key == NULL)
		return cli_usage_error("freeze", "--key FILE (the signing key) "
		    "is required");
	return freeze_run(&a);
}
