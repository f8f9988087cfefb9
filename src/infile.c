/*
 * infile.c - opening the files sortes reads: regular files only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/infile.h"

int
sortes_infile_check(int fd, const char *path, const char *what,
    struct sortes_error *err)
{
	const char *sep = what[0] != '\0' ? " " : "";
	struct stat st;
	int flags;

	if (fstat(fd, &st) != 0)
		return sortes_error_set(err, SORTES_ENOINPUT, "cannot open "
		    "%s%s'%s': %s", what, sep, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return sortes_error_set(err, SORTES_ENOINPUT, "%s%s'%s' is %s",
		    what, sep, path, S_ISDIR(st.st_mode) ? "a directory" :
		    "not a regular file");
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		return sortes_error_set(err, SORTES_EINTERNAL, "cannot read "
		    "%s%s'%s': %s", what, sep, path, strerror(errno));
	return 0;
}

int
sortes_infile_open(FILE **out, const char *path, const char *what,
    struct sortes_error *err)
{
	/* O_NONBLOCK: a FIFO would block the open until a writer came. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc;

	*out = NULL;
	if (fd < 0)
		return sortes_error_set(err, SORTES_ENOINPUT, "cannot open "
		    "%s%s'%s': %s", what, what[0] != '\0' ? " " : "", path,
		    strerror(errno));
	rc = sortes_infile_check(fd, path, what, err);
	if (rc == 0 && (*out = fdopen(fd, "rb")) == NULL)
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (rc != 0)
		close(fd);
	return rc;
}
