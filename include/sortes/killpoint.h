/*
 * killpoint.h - named steps where a test can kill the process.
 *
 * FOR TESTS ONLY.  When the environment variable SORTES_KILL_AT holds
 * the name of a step, the process kills itself with SIGKILL on
 * reaching it, as a crash or a power cut would stop it there, so that
 * the CLI tests can check that every command leaves either its whole
 * result or nothing (docs/kill-points.md).  Unset, it costs a getenv().
 *
 * The steps (the list in docs/kill-points.md is this one):
 *
 *	init-pending		the trial is written into the pending
 *				database DB.init-pending, not yet committed
 *	init-committed		the pending database is committed, folded
 *				into one file and synced; no key file yet
 *	init-key-linked		the key file is in place; the database is
 *				still under its pending name
 *	keygen-private-linked	NAME.pem is in place, NAME.pub is not
 *	export-log-linked	export --seal/--at: FILE.log is in place,
 *				FILE.manifest.json and FILE are not
 *	export-manifest-linked	FILE.log and FILE.manifest.json are in
 *				place, FILE is not
 *	export-dictionary-linked  export followups: the data dictionary
 *				is in place, the export file is not
 *	freeze-committed	the freeze is committed, its seal file not
 *				yet written
 */
#ifndef SORTES_KILLPOINT_H
#define SORTES_KILLPOINT_H

/* Kill the process with SIGKILL if SORTES_KILL_AT is 'step'. */
void sortes_kill_point(const char *step);

#endif
