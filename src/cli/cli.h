/*
 * cli.h - the command-line front end.
 *
 * Adding a command:
 *  1. write src/cli/cmd-NAME.c with one function cmd_NAME(argc, argv)
 *     that parses options, calls the library and returns an exit code
 *     (cli_exit(), never exit());
 *  2. declare it below and add a line to cmd_table[] in cmd.c; its help
 *     text's option lines ("  -x, --long ARG   text") make its man page
 *     and shell completion, with the letters of docs/options.md;
 *  3. add the file to sortes_SOURCES in Makefile.am;
 *  4. add tests/cli/tNNNN-NAME.sh, and document it in README.md.
 */
#ifndef SORTES_CLI_H
#define SORTES_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "sortes/enroll.h"
#include "sortes/error.h"
#include "sortes/import.h"
#include "sortes/jcs.h"
#include "sortes/outfile.h"
#include "sortes/trial.h"

/* Exit codes (docs/exit-codes.md); sysexits.h values where they fit. */
#define EXIT_VERIFY	1
#define EXIT_USAGE	64
#define EXIT_DATAERR	65
#define EXIT_NOINPUT	66
#define EXIT_UNAVAIL	69
#define EXIT_SOFTWARE	70
#define EXIT_OSERR	71
#define EXIT_CANTCREAT	73
#define EXIT_IOERR	74
#define EXIT_TEMPFAIL	75
#define EXIT_NOPERM	77

struct cmd_entry {
	const char *name;	/* as typed: "enroll", "protocol" */
	const char *summary;	/* one line for 'sortes help' */
	const char *usage;	/* the full --help text */
	int (*exec)(int argc, char **argv);	/* argv[0] is the name */
};

extern const struct cmd_entry cmd_table[];

int cmd_caseworker(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* 'export linkage', in a file of its own; argv[0] is "linkage". */
int export_linkage(int argc, char **argv);
int cmd_blind(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_followup(int argc, char **argv);
/* The subcommands of 'followup' that live in files of their own. */
int followup_record(int argc, char **argv);
int followup_missed(int argc, char **argv);
int followup_calendar(int argc, char **argv);
/*
 * On stderr, when --arm-specific makes a list of a trial with blinded
 * outcome assessment show the occasions only some arms have: which
 * they are, and that they tell the arm.
 */
void followup_arms_note(const struct sortes_protocol *p);
int cmd_freeze(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_lookup(int argc, char **argv);
int cmd_participant(int argc, char **argv);
int cmd_protocol(int argc, char **argv);
int cmd_randomize(int argc, char **argv);
int cmd_reveal(int argc, char **argv);
int cmd_rng(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_transfer(int argc, char **argv);
int cmd_unblind(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_verify_export(int argc, char **argv);
int cmd_withdraw(int argc, char **argv);

/*
 * A CSV import as the commands run it: 'path' ("-" for stdin), an
 * optional --delimiter text, an optional rejects file (which also means
 * "skip invalid rows"), and the library call that does the import.
 * 'also', when not NULL, is called too for each row refused and added.
 */
struct cli_csv {
	const char *path;
	const char *delimiter;
	const char *rejects;
	const struct sortes_import_hooks *also;
	int (*import)(void *ctx, FILE *in, int delimiter, int skip_invalid,
	    const struct sortes_import_hooks *hooks,
	    struct sortes_csv_summary *summary, struct sortes_error *err);
	void *ctx;
};

/*
 * Run an import: refused rows are printed as "sortes: FILE:LINE: why"
 * and written to the rejects file, which is removed again if the import
 * fails.  The caller frees *summary with sortes_csv_summary_free().
 */
int cli_csv_import(const struct cli_csv *c, struct sortes_csv_summary *summary,
    struct sortes_error *err);

struct sortes_seal;

/*
 * What an export is as of (asof.c): with 'seal_path' the seal in that
 * file, checked against the trial (and signed by the key in 'pubkey'
 * when given); with 'at' that entry; with neither the last entry.
 * *seal receives the seal (unsigned for an entry), *entry its entry.
 */
int cli_as_of(struct sortes_trial *t, const char *seal_path,
    const char *pubkey, const char *at, struct sortes_seal *seal,
    int64_t *entry, struct sortes_error *err);

/*
 * The results file of a cohort enrollment (results.c): one row per
 * input row, enrolled or refused, created 0600 and never over an
 * existing file; linked only when the enrollment commits.  With a NULL
 * path every call does nothing.
 */
struct cli_results {
	const char *path;
	const struct sortes_protocol *protocol;
	struct sortes_outfile *file;
	FILE *fp;
	int errnum;			/* of a write that failed, or 0 */
};

int cli_results_open(struct cli_results *r, const char *path,
    const struct sortes_protocol *p, struct sortes_error *err);
/* A row enrolled, as sortes_added_fn reports it (keys: person, caseworker). */
int cli_results_enrolled(struct cli_results *r, long line,
    const char *const *keys, const struct sortes_import_added *added);
/* A refused row, as sortes_reject_fn reports it. */
int cli_results_refused(struct cli_results *r, long line,
    const char *const *header, size_t nheader, const char *const *cells,
    size_t ncells, const char *reason);
int cli_results_commit(struct cli_results *r, struct sortes_error *err);
void cli_results_abandon(struct cli_results *r);

struct sortes_progress;

/*
 * The progress line on standard error (progress.c), for a step that can
 * take long: drawn only when stderr is a terminal, once the step has run
 * for a second ($SORTES_PROGRESS_AFTER seconds), redrawn in place at most
 * five times a second; 'label' names the command.  Returns what to pass
 * to the library: NULL when no line can be drawn.  cli_fail(),
 * cli_usage_error() and cli_finish() end it.
 */
const struct sortes_progress *cli_progress(const char *label);

/* Erase the line, to write a message; the next update draws it again. */
void cli_progress_clear(void);

/* Erase the line for good: the step is over. */
void cli_progress_end(void);

struct sortes_caseworker_result;
struct sortes_outcome_result;
struct sortes_randomize_result;

/*
 * --json (json.c, docs/json.md): finish 'j', print it and a newline on
 * stdout, free it.
 */
int cli_json_print(struct sortes_jcs *j, struct sortes_error *err);

/* A key and its value: a string, or null for NULL; an integer. */
void cli_json_key_string(struct sortes_jcs *j, const char *key,
    const char *s);
void cli_json_key_integer(struct sortes_jcs *j, const char *key, int64_t v);

/*
 * End the array 'a' (begun with sortes_jcs_array_begin() and grown
 * apart, as rows come), finish it and insert it as the value of 'key'.
 */
int cli_json_key_array(struct sortes_jcs *j, const char *key,
    struct sortes_jcs *a, struct sortes_error *err);

/*
 * enroll --json: the participants enrolled and the rows refused;
 * caseworker add|import --json ('caseworkers' set after init): the
 * caseworkers registered instead.
 */
struct cli_enrolled {
	const struct sortes_protocol *p;
	int caseworkers;
	struct sortes_jcs enrolled, refused;	/* arrays, growing */
	struct sortes_import_hooks hooks;
};

void cli_enrolled_init(struct cli_enrolled *e, const struct sortes_protocol *p);
void cli_enrolled_free(struct cli_enrolled *e);
/* One enrolled: 'line' 0 when it came from no file. */
void cli_enrolled_add(struct cli_enrolled *e, long line, const char *caseworker,
    const char *participant, size_t arm, int64_t seq);
/* One caseworker registered. */
void cli_registered_add(struct cli_enrolled *e, long line, const char *code,
    const struct sortes_caseworker_result *res);
/* Hooks that add each row enrolled or refused (as cli_csv.also). */
const struct sortes_import_hooks *cli_enrolled_hooks(struct cli_enrolled *e);
/* Print them, with the counts; 'rejects' may be NULL. */
int cli_enrolled_print(struct cli_enrolled *e, long rows, const long *per_arm,
    const char *rejects, struct sortes_error *err);

/* randomize --json: the allocation and, for constrained, the report. */
int cli_json_randomize(const struct sortes_protocol *p,
    const struct sortes_randomize_result *r, struct sortes_error *err);

/* followup record|missed --json: 'status' "done" or "missed". */
int cli_json_outcome(const char *status, const char *participant,
    const char *occasion, const struct sortes_outcome_result *res,
    struct sortes_error *err);

#define CLI_PAIRS_MAX 256

/* NAME=VALUE options (--field, --covariate), split at the first '='. */
struct cli_pairs {
	const char *names[CLI_PAIRS_MAX];
	const char *values[CLI_PAIRS_MAX];
	char *copies[CLI_PAIRS_MAX];	/* owned */
	size_t n;
};

/*
 * Add 'arg' of option --'option' of 'command'.  Returns 0, or the exit
 * code of the usage error it printed.
 */
int cli_pairs_add(struct cli_pairs *p, const char *arg, const char *command,
    const char *option);

/* Free the copies; the struct may be reused. */
void cli_pairs_free(struct cli_pairs *p);

/* Dispatch argv[0] through the table; returns the exit code. */
int cli_run(int argc, char **argv);

/* Print "sortes: MESSAGE" and return the exit code for err->code. */
int cli_fail(const struct sortes_error *err);

/* Print "sortes: MESSAGE" and the command's usage hint; return 64. */
int cli_usage_error(const char *command, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Report what getopt_long() refused ('c' is its ':' or '?', with the
 * options string starting with ':' and opterr 0); returns 64.
 */
int cli_option_error(const char *command, int c, char **argv);

/*
 * The new spelling of an option 'typed' ("-s", "--key=FILE") that
 * 'command' took under another letter or name before every letter was
 * given one meaning (renamed.c), or NULL.
 */
const char *cli_renamed(const char *command, const char *typed);

/* The exit code for a library status. */
int cli_exit_code(int status);

/* Print the usage text of 'command' to stdout and return 0. */
int cli_help(const char *command);

/* Whether 'arg' asks for the version: -V or --version. */
int cli_is_version(const char *arg);

/* Print "sortes VERSION" to stdout and return 0. */
int cli_version(void);

/*
 * Flush stdout and report a failed write (a full disk or closed pipe
 * must not pass as success).  Returns 'code', or 74 if flushing failed.
 * A reader that went away (EPIPE) gets no message, here and in
 * cli_fail().
 */
int cli_finish(int code);

/*
 * printf() to standard output, for a command's results.  A failed
 * write is put in 'err' (SORTES_EIO, its errno kept), and the caller
 * stops there: nothing is written after the first failed write.
 */
int cli_printf(struct sortes_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * When 'err' is a write that failed on 'fp' (its error flag set, and
 * err->errnum kept by the library), name the file the output went to:
 * "cannot write 'PATH': disk full", or "cannot write to standard
 * output: ..." when 'path' is NULL.  Returns err->code.
 */
int cli_write_failed(struct sortes_error *err, FILE *fp, const char *path);

/*
 * The current time, UTC, as YYYY-MM-DDTHH:MM:SSZ.  The environment
 * variable SORTES_NOW overrides it (for reproducible tests and demos;
 * it is recorded as given).
 */
int cli_now(char out[21], struct sortes_error *err);

/* The calendar date of UTC time 'now' in time zone 'tz', as a day number. */
int cli_local_day(int32_t *out, const char *now, const char *tz,
    struct sortes_error *err);

/*
 * Make 'tz' the process's time zone for good, so that cli_local_day()
 * in that zone need not switch TZ and reload the zone on every call
 * (verify converts every enrollment time).
 */
int cli_use_zone(const char *tz, struct sortes_error *err);

struct sortes_clock;

/*
 * The trial's clock: 'now' (cli_now()), today in the trial's time zone,
 * and cli_local_day() for converting other times.
 */
int cli_clock(struct sortes_clock *c, char now[21],
    const struct sortes_protocol *p, struct sortes_error *err);

/* Open the trial in 'db' and read its clock (cli_clock()). */
int cli_trial_clock(struct sortes_trial **out, struct sortes_clock *c,
    char now[21], const char *db, struct sortes_error *err);

/*
 * Open the trial in 'db' (as cli_db_path() finds it) for a command that
 * only reads: read-only, never migrated (sortes_trial_open_readonly()).
 */
int cli_trial_read(struct sortes_trial **out, const char *db,
    struct sortes_error *err);

/*
 * Close 't' (NULL is allowed), opened by cli_trial_read(), once the
 * command has read what it needs, with status 'rc'.  Returns 'rc', or
 * SORTES_EBUSY when another process wrote the file meanwhile
 * (sortes_db_unchanged()): what was read cannot be trusted then.
 */
int cli_trial_done(struct sortes_trial *t, int rc, struct sortes_error *err);

/*
 * Load the protocol file 'path' as a trial is created from it: its time
 * zone must be known here.  Every error is printed, one
 * "sortes: FILE:LINE:COLUMN: ..." line each (then how many more there
 * were).  Returns 0 with *out for the caller to free, or the exit code.
 */
int cli_protocol_load(struct sortes_protocol **out, const char *path);

/* Option --'option' of 'command' as a date YYYY-MM-DD; 0 or exit code 64. */
int cli_date_arg(int32_t *out, const char *text, const char *command,
    const char *option);

/*
 * Default database and key paths: --db, else $SORTES_DB, else
 * "trial.db"; --key, else the database path with ".db" replaced by
 * ".key" (or ".key" appended).  Caller frees the key path.
 */
const char *cli_db_path(const char *given);
char *cli_key_path(const char *given, const char *db);

/*
 * Open the trial in 'db' and load its key file ('key', or the default
 * path beside 'db').  On failure *out is NULL.
 */
int cli_trial_unlocked(struct sortes_trial **out, const char *db,
    const char *key, struct sortes_error *err);

/*
 * The trial's seed: the revealed one, or before the reveal the key
 * file's (loaded as cli_unlock() does).  The caller wipes it.
 */
int cli_trial_seed(struct sortes_trial *t, const char *db, const char *key,
    uint8_t seed[32], struct sortes_error *err);

/* Load the key file of the open trial 't' (path as above). */
int cli_unlock(struct sortes_trial *t, const char *db, const char *key,
    struct sortes_error *err);

/*
 * cli_unlock() for the commands that find persons (lookup, export
 * linkage): a key file missing or unreadable says why it is needed.
 */
int cli_find_unlock(struct sortes_trial *t, const char *db, const char *key,
    struct sortes_error *err);

#endif
