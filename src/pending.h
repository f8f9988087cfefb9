/*
 * pending.h - the database of an init while it is being built.
 *
 * sortes init builds the trial database under the name DB.init-pending
 * beside DB, holding an flock() on it, and gives it the name DB only
 * once the trial is committed, folded into the one file, synced, and
 * its key file is in place: so DB never exists without its trial, nor
 * the key file without a database that is whole.  A pending file found
 * by the next init is what an interrupted one left; trial.c decides
 * whether to finish it or start again (docs/files.md).
 */
#ifndef SORTES_PENDING_H
#define SORTES_PENDING_H

#include "sortes/error.h"

#define SORTES_PENDING_SUFFIX ".init-pending"

struct sortes_pending {
	int fd;			/* the pending file, locked; -1: none */
	int left;		/* it was there: an interrupted init left it */
	char path[4096];	/* DB.init-pending */
};

/*
 * Make DB.init-pending, new and empty (mode 0600, exclusively), or
 * open the one an interrupted init left (p->left); lock it either way.
 * SORTES_EBUSY when another init holds it.  End with
 * sortes_pending_close().
 */
int sortes_pending_open(struct sortes_pending *p, const char *db_path,
    struct sortes_error *err);

/*
 * Throw a leftover away and start again with a new empty pending file,
 * locked.  No database may be open on it.
 */
int sortes_pending_restart(struct sortes_pending *p, struct sortes_error *err);

/* fsync the pending file (its database closed). */
int sortes_pending_sync(struct sortes_pending *p, struct sortes_error *err);

/*
 * Give the pending file the name 'db_path', never over an existing
 * file, and sync the directory.
 */
int sortes_pending_install(struct sortes_pending *p, const char *db_path,
    struct sortes_error *err);

/*
 * Release the lock; with 'remove', first remove the pending file and
 * the -wal and -shm files SQLite kept beside it (a failed init).  No
 * database may be open on it.  Safe to call on a pending never opened
 * (fd -1).
 */
void sortes_pending_close(struct sortes_pending *p, int remove);

#endif
