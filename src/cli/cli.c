/*
 * cli.c - what every command shares: errors, exit codes, time, paths.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sortes/date.h"
#include "sortes/followup.h"
#include "sortes/replay.h"
#include "sortes/zone.h"
#include "cli.h"

int
cli_exit_code(int status)
{
	switch (status) {
	case SORTES_OK:		  return 0;
	case SORTES_EVERIFY:	  return EXIT_VERIFY;
	case SORTES_EUSAGE:	  return EXIT_USAGE;
	case SORTES_EDATA:	  return EXIT_DATAERR;
	case SORTES_ENOINPUT:	  return EXIT_NOINPUT;
	case SORTES_EUNSUPPORTED: return EXIT_UNAVAIL;
	case SORTES_ENOMEM:	  return EXIT_OSERR;
	case SORTES_ECANTCREAT:	  return EXIT_CANTCREAT;
	case SORTES_EIO:	  return EXIT_IOERR;
	case SORTES_EBUSY:	  return EXIT_TEMPFAIL;
	case SORTES_EPERM:	  return EXIT_NOPERM;
	default:		  return EXIT_SOFTWARE;
	}
}

int
cli_fail(const struct sortes_error *err)
{
	cli_progress_end();
	/* Whoever stopped reading needs no message. */
	if (err->errnum != EPIPE)
		fprintf(stderr, "sortes: %s\n", err->msg[0] ? err->msg :
		    sortes_status_name(err->code));
	return cli_exit_code(err->code);
}

int
cli_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;

	cli_progress_end();
	fputs("sortes: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'sortes %s --help'.\n", command);
	return EXIT_USAGE;
}

int
cli_option_error(const char *command, int c, char **argv)
{
	const char *arg = argv[optind - 1], *now;
	char letter[3] = { '-', (char)optopt, '\0' };

	if (c == ':')
		return cli_usage_error(command, "option '%s' needs a value",
		    arg);
	if (optopt != 0 && arg[0] == '-' && arg[1] != '-')
		arg = letter;
	if ((now = cli_renamed(command, arg)) != NULL)
		return cli_usage_error(command, "unknown option '%.*s': it is "
		    "now %s (docs/options.md)", (int)strcspn(arg, "="), arg,
		    now);
	return cli_usage_error(command, "unknown option '%s'", arg);
}

int
cli_finish(int code)
{
	struct sortes_error err = { 0 };
	int flushed, failed;

	cli_progress_end();
	flushed = fflush(stdout) == 0;
	if (flushed && !ferror(stdout))
		return code;
	/* Only a failing flush leaves its errno; an earlier failed write
	 * that nobody caught left none that can be trusted. */
	if (flushed)
		sortes_error_set(&err, SORTES_EIO, "cannot write to standard "
		    "output");
	else
		sortes_error_sys(&err, SORTES_EIO, errno, "cannot write to "
		    "standard output");
	failed = cli_fail(&err);
	return code == 0 ? failed : code;
}

int
cli_printf(struct sortes_error *err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	if (n < 0)
		return sortes_error_sys(err, SORTES_EIO, errno, "cannot write "
		    "to standard output");
	return 0;
}

int
cli_write_failed(struct sortes_error *err, FILE *fp, const char *path)
{
	if (err->errnum == 0 || !ferror(fp))
		return err->code;
	if (path == NULL)
		return sortes_error_sys(err, err->code, err->errnum, "cannot "
		    "write to standard output");
	return sortes_error_sys(err, err->code, err->errnum, "cannot write "
	    "'%s'", path);
}

/* Parse YYYY-MM-DDTHH:MM:SSZ into seconds since the epoch. */
static int
parse_utc(const char *s, time_t *out)
{
	int32_t day;
	char date[11];
	int h, m, sec, n = 0;

	if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z')
		return -1;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (sortes_date_parse(date, &day) != 0 ||
	    sscanf(s + 11, "%2d:%2d:%2dZ%n", &h, &m, &sec, &n) != 3 ||
	    n != 9 || h > 23 || m > 59 || sec > 59)
		return -1;
	*out = (time_t)day * 86400 + h * 3600 + m * 60 + sec;
	return 0;
}

int
cli_now(char out[21], struct sortes_error *err)
{
	const char *given = getenv("SORTES_NOW");
	time_t t;
	struct tm tm;

	if (given != NULL && given[0] != '\0') {
		if (parse_utc(given, &t) != 0)
			return sortes_error_set(err, SORTES_EUSAGE,
			    "SORTES_NOW '%s' is not YYYY-MM-DDTHH:MM:SSZ", given);
		memcpy(out, given, 21);
		return 0;
	}
	t = time(NULL);
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "cannot read the clock");
	return 0;
}

/* The local date of 't' under the process's current TZ. */
static int
local_date(int32_t *out, time_t t, const char *tz, struct sortes_error *err)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return sortes_error_set(err, SORTES_EINTERNAL,
		    "cannot convert the time to zone '%s'", tz);
	*out = sortes_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	return 0;
}

int
cli_local_day(int32_t *out, const char *now, const char *tz,
    struct sortes_error *err)
{
	const char *current = getenv("TZ");
	char *saved;
	time_t t;
	int rc;

	if (parse_utc(now, &t) != 0)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "time '%s' is not YYYY-MM-DDTHH:MM:SSZ", now);
	if ((rc = sortes_zone_check(tz, err)) != 0)
		return rc;
	/* Already the process's zone (cli_use_zone()): no reloading. */
	if (current != NULL && strcmp(current, tz) == 0)
		return local_date(out, t, tz, err);
	/* The C library converts through the process's TZ; the CLI is
	 * single-threaded, so it sets TZ for this call and puts it back. */
	saved = current != NULL ? strdup(current) : NULL;
	setenv("TZ", tz, 1);
	tzset();
	rc = local_date(out, t, tz, err);
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return rc;
}

int
cli_use_zone(const char *tz, struct sortes_error *err)
{
	int rc;

	if ((rc = sortes_zone_check(tz, err)) != 0)
		return rc;
	if (setenv("TZ", tz, 1) != 0)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	tzset();
	return 0;
}

int
cli_clock(struct sortes_clock *c, char now[21],
    const struct sortes_protocol *p, struct sortes_error *err)
{
	int rc = cli_now(now, err);

	c->now = now;
	c->local_day = cli_local_day;
	if (rc == 0)
		rc = cli_local_day(&c->today, now, p->timezone, err);
	return rc;
}

int
cli_trial_clock(struct sortes_trial **out, struct sortes_clock *c,
    char now[21], const char *db, struct sortes_error *err)
{
	int rc = sortes_trial_open(out, cli_db_path(db), err);

	if (rc == 0)
		rc = cli_clock(c, now, (*out)->protocol, err);
	return rc;
}

int
cli_trial_read(struct sortes_trial **out, const char *db,
    struct sortes_error *err)
{
	return sortes_trial_open_readonly(out, cli_db_path(db), err);
}

int
cli_trial_done(struct sortes_trial *t, int rc, struct sortes_error *err)
{
	if (t != NULL && sortes_db_unchanged(t->db, err) != 0)
		rc = err->code;
	sortes_trial_close(t);
	return rc;
}

int
cli_protocol_load(struct sortes_protocol **out, const char *path)
{
	struct sortes_protocol_report report;
	struct sortes_protocol_options opt = { 1, &report };
	struct sortes_error err = { 0, "" };
	int rc;

	rc = sortes_protocol_load_with(out, path, &opt, &err);
	if (rc == 0)
		return 0;
	if (report.nerrors == 0)
		return cli_fail(&err);
	for (size_t i = 0; i < report.nerrors; i++)
		fprintf(stderr, "sortes: %s\n", report.errors[i]);
	if (report.more > 0)
		fprintf(stderr, "sortes: %s: and %zu more error%s\n", path,
		    report.more, report.more == 1 ? "" : "s");
	sortes_protocol_report_free(&report);
	return cli_exit_code(rc);
}

int
cli_date_arg(int32_t *out, const char *text, const char *command,
    const char *option)
{
	if (sortes_date_parse(text, out) != 0)
		return cli_usage_error(command, "--%s '%s' is not a date; "
		    "expected YYYY-MM-DD", option, text);
	return 0;
}

const char *
cli_db_path(const char *given)
{
	const char *env = getenv("SORTES_DB");

	if (given != NULL)
		return given;
	return env != NULL && env[0] != '\0' ? env : "trial.db";
}

char *
cli_key_path(const char *given, const char *db)
{
	size_t n = strlen(db);
	char *key;

	if (given != NULL)
		return strdup(given);
	if ((key = malloc(n + 5)) == NULL)
		return NULL;
	memcpy(key, db, n + 1);
	if (n > 3 && strcmp(db + n - 3, ".db") == 0)
		key[n - 3] = '\0';
	strcat(key, ".key");
	return key;
}

int
cli_pairs_add(struct cli_pairs *p, const char *arg, const char *command,
    const char *option)
{
	const char *eq = strchr(arg, '=');
	char *copy;

	if (p->n == CLI_PAIRS_MAX)
		return cli_usage_error(command, "more than %d --%s options",
		    CLI_PAIRS_MAX, option);
	if (eq == NULL || eq == arg)
		return cli_usage_error(command, "--%s '%s' is not NAME=VALUE",
		    option, arg);
	if ((copy = strdup(arg)) == NULL)
		return EXIT_OSERR;
	copy[eq - arg] = '\0';
	p->copies[p->n] = copy;
	p->names[p->n] = copy;
	p->values[p->n++] = copy + (eq - arg) + 1;
	return 0;
}

void
cli_pairs_free(struct cli_pairs *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->copies[i]);
	p->n = 0;
}

int
cli_unlock(struct sortes_trial *t, const char *db, const char *key,
    struct sortes_error *err)
{
	char *path = cli_key_path(key, db);
	int rc;

	if (path == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_trial_unlock(t, path, err);
	free(path);
	return rc;
}

int
cli_trial_seed(struct sortes_trial *t, const char *db, const char *key,
    uint8_t seed[32], struct sortes_error *err)
{
	int found, rc = sortes_replay_revealed_seed(t, seed, &found, err);

	if (rc != 0 || found)
		return rc;
	if ((rc = cli_unlock(t, db, key, err)) == 0)
		memcpy(seed, t->key.seed, 32);
	return rc;
}

int
cli_trial_unlocked(struct sortes_trial **out, const char *db, const char *key,
    struct sortes_error *err)
{
	int rc = sortes_trial_open(out, db, err);

	if (rc == 0 && (rc = cli_unlock(*out, db, key, err)) != 0) {
		sortes_trial_close(*out);
		*out = NULL;
	}
	return rc;
}

int
cli_find_unlock(struct sortes_trial *t, const char *db, const char *key,
    struct sortes_error *err)
{
	int rc = cli_unlock(t, cli_db_path(db), key, err);

	if (rc != 0)
		sortes_error_prefix(err, "persons are found by the pseudonyms "
		    "that the trial's key file makes");
	return rc;
}
