/*
 * zone.c - is a time zone known here, and which known one is nearest.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/zone.h"
#include "suggest.h"

#define PATH_ROOM 4096
#define MAX_DEPTH 3	/* Area/Location/Sublocation, e.g. America/Argentina/Salta */

const char *
sortes_zone_dir(void)
{
	const char *dir = getenv("TZDIR");

	return dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
}

/* A compiled zone: a regular file (symbolic links followed) starting "TZif". */
static int
is_zone_file(const char *path)
{
	char magic[4];
	struct stat st;
	int fd, ok;

	/* O_NONBLOCK: a FIFO planted in the directory must not hang us */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == (ssize_t)sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0;
	close(fd);
	return ok;
}

int
sortes_zone_known(const char *name)
{
	char path[PATH_ROOM];
	int n;

	if (name == NULL || name[0] == '\0')
		return 0;
	if (strcmp(name, "UTC") == 0)
		return 1;
	if (name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	n = snprintf(path, sizeof(path), "%s/%s", sortes_zone_dir(), name);
	return n > 0 && (size_t)n < sizeof(path) && is_zone_file(path);
}

int
sortes_zone_check(const char *name, struct sortes_error *err)
{
	if (!sortes_zone_known(name))
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "time zone "
		    "'%s' is not known on this system (is tzdata installed?)",
		    name != NULL ? name : "");
	return 0;
}

/* Offer the zone 'name' (path 'path') when it would be the best yet. */
static void
offer_zone(struct sortes_suggest *s, const char *path, const char *name)
{
	const char *last = strrchr(name, '/');
	const char *compared = name;

	if (memchr(s->typed, '/', s->len) == NULL && last != NULL)
		compared = last + 1;
	if (sortes_suggest_improves(s, compared, name) && is_zone_file(path))
		sortes_suggest_offer(s, compared, name);
}

/* Not zones of their own: copies of the tree, and the machine's zone. */
static int
skipped(const char *entry, int depth)
{
	return entry[0] == '.' || (depth == 0 && (strcmp(entry, "posix") == 0 ||
	    strcmp(entry, "right") == 0 || strcmp(entry, "localtime") == 0));
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Walk the directory path[0..dirlen) (zone names start after 'root'
 * bytes), offering every file in it and below, in name order so that
 * the first of equally near zones is the same on every system.
 * Symbolic links to directories are not followed, so a loop cannot
 * trap the walk.
 */
static void
walk(struct sortes_suggest *s, char *path, size_t dirlen, size_t root,
    int depth)
{
	struct dirent **list = NULL;
	struct stat st;
	int i, n, count;

	path[dirlen] = '\0';
	count = scandir(path, &list, NULL, by_name);
	for (i = 0; i < count; i++) {
		const char *entry = list[i]->d_name;

		n = snprintf(path + dirlen, PATH_ROOM - dirlen, "/%s", entry);
		if (!skipped(entry, depth) && n > 0 &&
		    (size_t)n < PATH_ROOM - dirlen && lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth + 1 < MAX_DEPTH)
				walk(s, path, dirlen + (size_t)n, root,
				    depth + 1);
			else if (!S_ISDIR(st.st_mode))
				offer_zone(s, path, path + root);
		}
		path[dirlen] = '\0';
		free(list[i]);
	}
	free(list);
}

int
sortes_zone_suggest(const char *name, char *out, size_t size)
{
	struct sortes_suggest s;
	char path[PATH_ROOM];
	const char *dir = sortes_zone_dir();
	size_t len = strlen(dir);

	if (name == NULL || len + 2 >= sizeof(path))
		return 0;
	sortes_suggest_init(&s, name, strlen(name));
	sortes_suggest_offer(&s, "UTC", "UTC");
	memcpy(path, dir, len + 1);
	walk(&s, path, len, len + 1, 0);
	if (sortes_suggest_best(&s) == NULL ||
	    strlen(sortes_suggest_best(&s)) >= size)
		return 0;
	memcpy(out, s.best, strlen(s.best) + 1);
	return 1;
}
