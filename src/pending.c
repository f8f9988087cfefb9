/*
 * pending.c - the database of an init while it is being built (see
 * pending.h).
 *
 * The lock is flock(), not fcntl(): SQLite takes POSIX fcntl locks on
 * the same file, and a process loses all of those when it closes any
 * descriptor of the file, so this descriptor is closed only after
 * SQLite has closed the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/db.h"
#include "sortes/outfile.h"
#include "pending.h"

/*
 * Is p->fd still the file named p->path?  A lock won after another init
 * renamed, or threw away, the file it held is a lock on nothing.
 */
static int
pending_current(const struct sortes_pending *p)
{
	struct stat held, named;

	return fstat(p->fd, &held) == 0 && lstat(p->path, &named) == 0 &&
	    held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

/* The length of the database's own name, DB of DB.init-pending. */
static int
db_len(const struct sortes_pending *p)
{
	return (int)(strlen(p->path) - strlen(SORTES_PENDING_SUFFIX));
}

static int
pending_busy(const struct sortes_pending *p, struct sortes_error *err)
{
	return sortes_error_set(err, SORTES_EBUSY, "database '%.*s': another "
	    "'sortes init' is creating it; try again", db_len(p), p->path);
}

static int
pending_fail(const struct sortes_pending *p, int e, struct sortes_error *err)
{
	if (e == ELOOP)
		return sortes_error_set(err, SORTES_EPERM, "cannot create "
		    "database '%.*s': '%s' is a symbolic link", db_len(p),
		    p->path, p->path);
	return sortes_error_set(err, SORTES_ECANTCREAT, "cannot create "
	    "database '%.*s': %s", db_len(p), p->path, strerror(e));
}

/* Make the file anew, exclusively; 0 or an errno value. */
static int
pending_create(struct sortes_pending *p)
{
	p->left = 0;
	p->fd = open(p->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	return p->fd < 0 ? errno : 0;
}

/*
 * One try at making or opening the file and locking it: 0, an error,
 * or 1 when the file changed hands meanwhile and another try is due.
 */
static int
pending_try(struct sortes_pending *p, struct sortes_error *err)
{
	int e = pending_create(p);

	if (e == EEXIST) {
		p->left = 1;
		p->fd = open(p->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		e = p->fd < 0 ? errno : 0;
		if (e == ENOENT)
			return 1;
	}
	if (e != 0)
		return pending_fail(p, e, err);
	if (flock(p->fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		close(p->fd);
		p->fd = -1;
		return e == EWOULDBLOCK ? pending_busy(p, err) : sortes_error_set(
		    err, SORTES_EIO, "database '%s': %s", p->path, strerror(e));
	}
	if (pending_current(p))
		return 0;
	close(p->fd);
	p->fd = -1;
	return 1;
}

int
sortes_pending_open(struct sortes_pending *p, const char *db_path,
    struct sortes_error *err)
{
	int n = snprintf(p->path, sizeof(p->path), "%s" SORTES_PENDING_SUFFIX,
	    db_path), rc = 1;
	struct stat st;

	p->fd = -1;
	if (n < 0 || (size_t)n >= sizeof(p->path))
		return sortes_error_set(err, SORTES_EUSAGE, "database name '%s' "
		    "is too long", db_path);
	/* A few rounds: the file can change hands between open and lock. */
	for (int tries = 0; tries < 8 && rc == 1; tries++)
		rc = pending_try(p, err);
	if (rc == 1)
		return pending_busy(p, err);
	/* A second name of a database installed by link(): only a name. */
	if (rc == 0 && p->left && fstat(p->fd, &st) == 0 && st.st_nlink > 1)
		rc = sortes_pending_restart(p, err);
	return rc;
}

int
sortes_pending_restart(struct sortes_pending *p, struct sortes_error *err)
{
	int e;

	/* The name goes first, so that the WAL files never meet a new
	 * file of that name without their own. */
	sortes_db_remove(p->path);
	sortes_pending_close(p, 0);
	if ((e = pending_create(p)) == EEXIST)
		return pending_busy(p, err);
	if (e != 0)
		return pending_fail(p, e, err);
	if (flock(p->fd, LOCK_EX | LOCK_NB) != 0)
		return pending_busy(p, err);
	return 0;
}

int
sortes_pending_sync(struct sortes_pending *p, struct sortes_error *err)
{
	if (fsync(p->fd) != 0)
		return sortes_error_set(err, SORTES_EIO, "cannot write database "
		    "'%s': %s", p->path, strerror(errno));
	return 0;
}

int
sortes_pending_install(struct sortes_pending *p, const char *db_path,
    struct sortes_error *err)
{
	return sortes_outfile_rename(p->path, db_path, "database", err);
}

void
sortes_pending_close(struct sortes_pending *p, int remove)
{
	if (p->fd < 0)
		return;
	if (remove)
		sortes_db_remove(p->path);
	close(p->fd);
	p->fd = -1;
}
