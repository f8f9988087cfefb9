/*
 * outfile.c - files written all or nothing (see outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/outfile.h"

struct sortes_outfile {
	int fd;
	FILE *fp;		/* onto fd, once asked for */
	char *path;
	char *temp;		/* its temporary name; NULL while unnamed */
	char *what;		/* "key file", or NULL */
	int flags;
};

/* The directory part of 'path' ("." for a bare name). */
static void
dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);

	if (slash == NULL)
		snprintf(buf, size, ".");
	else
		snprintf(buf, size, "%.*s", (int)(n == 0 ? 1 : n), path);
}

static int
create_fail(struct sortes_error *err, const char *what, const char *path,
    int errnum)
{
	return sortes_error_set(err, SORTES_ECANTCREAT, "cannot create %s%s'%s': "
	    "%s", what ? what : "", what ? " " : "", path, errnum == EEXIST ?
	    "it already exists; sortes never overwrites a file" :
	    sortes_strerror(errnum));
}

int
sortes_outfile_sync_dir(const char *path, struct sortes_error *err)
{
	char dir[4096];
	int fd, rc = 0;

	dir_of(path, dir, sizeof(dir));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return sortes_error_set(err, SORTES_EIO, "cannot open directory "
		    "'%s': %s", dir, strerror(errno));
	/* Some file systems cannot sync a directory, and say so. */
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = sortes_error_set(err, SORTES_EIO, "cannot sync directory "
		    "'%s': %s", dir, strerror(errno));
	close(fd);
	return rc;
}

/* Rename without replacing; 0 or an errno value. */
static int
rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return errno;
	/* The file system cannot: link (which never replaces), unlink. */
	if (link(from, to) != 0)
		return errno;
	unlink(from);
	return 0;
}

int
sortes_outfile_rename(const char *from, const char *to, const char *what,
    struct sortes_error *err)
{
	int e = rename_noreplace(from, to);

	if (e != 0)
		return create_fail(err, what, to, e);
	return sortes_outfile_sync_dir(to, err);
}

/* A new file under a random temporary name beside 'path'. */
static int
open_named(struct sortes_outfile *f, mode_t mode, struct sortes_error *err)
{
	const char *base = strrchr(f->path, '/');
	size_t dirlen = base == NULL ? 0 : (size_t)(base - f->path) + 1;
	size_t size = strlen(f->path) + 32;
	uint8_t r[6];
	char hex[13];
	int rc;

	base = base == NULL ? f->path : base + 1;
	if ((f->temp = malloc(size)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	for (int tries = 0; tries < 8; tries++) {
		if ((rc = sortes_random_bytes(r, sizeof(r), err)) != 0)
			return rc;
		sortes_hex_encode(hex, r, sizeof(r));
		snprintf(f->temp, size, "%.*s.%s.%s.tmp", (int)dirlen, f->path,
		    base, hex);
		f->fd = open(f->temp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (f->fd >= 0 || errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		rc = create_fail(err, f->what, f->path, errno);
		free(f->temp);
		f->temp = NULL;
		return rc;
	}
	return 0;
}

/*
 * A new file without a name in the directory of 'path'; linking it
 * later goes through /proc.  Falls back to a temporary name where the
 * file system (or the kernel, or a missing /proc) cannot do this.
 */
static int
open_unnamed(struct sortes_outfile *f, mode_t mode, struct sortes_error *err)
{
	char dir[4096];

	dir_of(f->path, dir, sizeof(dir));
	if (access("/proc/self/fd", X_OK) != 0)
		return open_named(f, mode, err);
	f->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	if (f->fd >= 0)
		return 0;
	if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
		return open_named(f, mode, err);
	return create_fail(err, f->what, f->path, errno);
}

static void
outfile_free(struct sortes_outfile *f)
{
	if (f->fp != NULL)
		fclose(f->fp);
	else if (f->fd >= 0)
		close(f->fd);
	if (f->temp != NULL)
		unlink(f->temp);
	free(f->temp);
	free(f->path);
	free(f->what);
	free(f);
}

int
sortes_outfile_open(struct sortes_outfile **out, const char *path,
    mode_t mode, const char *what, int flags, struct sortes_error *err)
{
	struct sortes_outfile *f;
	struct stat st;
	int rc;

	*out = NULL;
	if (lstat(path, &st) == 0 && !(flags & SORTES_OUTFILE_SAME_OK))
		return create_fail(err, what, path, EEXIST);
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL ||
	    (what != NULL && (f->what = strdup(what)) == NULL)) {
		if (f != NULL) {
			free(f->path);
			free(f);
		}
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	}
	f->fd = -1;
	f->flags = flags;
	rc = flags & SORTES_OUTFILE_NAMED ? open_named(f, mode, err) :
	    open_unnamed(f, mode, err);
	if (rc != 0) {
		outfile_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int
sortes_outfile_stream(FILE **out, struct sortes_outfile *f,
    struct sortes_error *err)
{
	if (f->fp == NULL && (f->fp = fdopen(f->fd, "w")) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	*out = f->fp;
	return 0;
}

static int
write_fail(struct sortes_outfile *f, int errnum, struct sortes_error *err)
{
	return sortes_error_sys(err, SORTES_EIO, errnum, "cannot write %s%s'%s'",
	    f->what ? f->what : "", f->what ? " " : "", f->path);
}

/* Everything the stream holds goes to the file. */
static int
outfile_flush(struct sortes_outfile *f, struct sortes_error *err)
{
	if (f->fp != NULL && (fflush(f->fp) != 0 || ferror(f->fp)))
		return write_fail(f, errno ? errno : EIO, err);
	return 0;
}

int
sortes_outfile_write(struct sortes_outfile *f, const void *buf, size_t len,
    struct sortes_error *err)
{
	const char *p = buf;
	int rc = outfile_flush(f, err);

	while (rc == 0 && len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return write_fail(f, errno, err);
		p += n;
		len -= (size_t)n;
	}
	return rc;
}

int
sortes_outfile_sha256(struct sortes_outfile *f, char out[SORTES_SHA256_HEX],
    struct sortes_error *err)
{
	struct sortes_hasher *h = NULL;
	uint8_t digest[SORTES_SHA256_LEN];
	char buf[65536];
	off_t at = 0;
	ssize_t n = 0;
	int rc = outfile_flush(f, err);

	if (rc == 0)
		rc = sortes_hasher_new(&h, err);
	if (rc == 0)
		rc = sortes_hasher_reset(h, err);
	while (rc == 0 && (n = pread(f->fd, buf, sizeof(buf), at)) > 0) {
		rc = sortes_hasher_update(h, buf, (size_t)n, err);
		at += n;
	}
	if (rc == 0 && n < 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot read back '%s': %s",
		    f->path, strerror(errno));
	if (rc == 0)
		rc = sortes_hasher_final(h, digest, err);
	if (rc == 0)
		sortes_hex_encode(out, digest, sizeof(digest));
	sortes_hasher_free(h);
	return rc;
}

/* Do fds a and b hold the same bytes (both 'size' long)? */
static int
same_content(int a, int b, off_t size)
{
	char x[8192], y[8192];
	off_t at = 0;

	while (at < size) {
		ssize_t n = pread(a, x, sizeof(x), at);

		if (n <= 0 || pread(b, y, (size_t)n, at) != n ||
		    memcmp(x, y, (size_t)n) != 0)
			return 0;
		at += n;
	}
	return 1;
}

/*
 * Is the file at f's name a regular file with exactly f's bytes and
 * permissions no wider than f's?
 */
static int
same_as_existing(struct sortes_outfile *f)
{
	struct stat mine, theirs;
	int fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), same;

	if (fd < 0)
		return 0;
	same = fstat(f->fd, &mine) == 0 && fstat(fd, &theirs) == 0 &&
	    S_ISREG(theirs.st_mode) && theirs.st_size == mine.st_size &&
	    (theirs.st_mode & 07777 & ~mine.st_mode) == 0 &&
	    same_content(f->fd, fd, mine.st_size);
	close(fd);
	return same;
}

/* Give the file its name; 0 or an errno value. */
static int
outfile_link(struct sortes_outfile *f)
{
	char proc[64];
	int e;

	if (f->temp != NULL) {
		if ((e = rename_noreplace(f->temp, f->path)) == 0) {
			free(f->temp);
			f->temp = NULL;
		}
		return e;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, f->path, AT_SYMLINK_FOLLOW) == 0 ?
	    0 : errno;
}

int
sortes_outfile_commit(struct sortes_outfile *f, struct sortes_error *err)
{
	int rc = outfile_flush(f, err), e;

	if (rc == 0 && fsync(f->fd) != 0)
		rc = write_fail(f, errno, err);
	if (rc == 0 && (e = outfile_link(f)) != 0) {
		if (e != EEXIST || !(f->flags & SORTES_OUTFILE_SAME_OK))
			rc = create_fail(err, f->what, f->path, e);
		else if (!same_as_existing(f))
			rc = sortes_error_set(err, SORTES_ECANTCREAT, "cannot "
			    "create %s%s'%s': it already exists with other "
			    "content; sortes never overwrites a file",
			    f->what ? f->what : "", f->what ? " " : "", f->path);
		outfile_free(f);
		return rc;
	}
	if (rc == 0 && (rc = sortes_outfile_sync_dir(f->path, err)) != 0)
		unlink(f->path);
	outfile_free(f);
	return rc;
}

void
sortes_outfile_abandon(struct sortes_outfile *f)
{
	if (f != NULL)
		outfile_free(f);
}

int
sortes_outfile_put(const char *path, mode_t mode, const char *what,
    const void *buf, size_t len, struct sortes_error *err)
{
	struct sortes_outfile *f;
	int rc = sortes_outfile_open(&f, path, mode, what, 0, err);

	if (rc != 0)
		return rc;
	if ((rc = sortes_outfile_write(f, buf, len, err)) != 0) {
		sortes_outfile_abandon(f);
		return rc;
	}
	return sortes_outfile_commit(f, err);
}
