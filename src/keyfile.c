/*
 * keyfile.c - reading and writing trial key files with safe permissions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sortes/infile.h"
#include "sortes/keyfile.h"
#include "sortes/outfile.h"

#define KEYFILE_MAX 4096

int
sortes_key_generate(struct sortes_key *out, const char *trial,
    struct sortes_error *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (strlen(trial) > SORTES_TRIAL_ID_MAX)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "trial id '%s' is too long", trial);
	strcpy(out->trial, trial);
	rc = sortes_random_bytes(out->seed, sizeof(out->seed), err);
	if (rc == 0)
		rc = sortes_random_bytes(out->pseudonym_key,
		    sizeof(out->pseudonym_key), err);
	return rc;
}

static int
key_format(char *buf, size_t size, const struct sortes_key *key)
{
	char seed[65], pkey[65];
	int n;

	sortes_hex_encode(seed, key->seed, sizeof(key->seed));
	sortes_hex_encode(pkey, key->pseudonym_key, sizeof(key->pseudonym_key));
	n = snprintf(buf, size,
	    "# sortes trial key. Keep it secret and backed up: without it the\n"
	    "# trial cannot enroll, and its allocations cannot be audited.\n"
	    "sortes-key 1\ntrial %s\nseed %s\npseudonym-key %s\n",
	    key->trial, seed, pkey);
	sortes_wipe(seed, sizeof(seed));
	sortes_wipe(pkey, sizeof(pkey));
	return n;
}

int
sortes_key_write(const char *path, const struct sortes_key *key,
    struct sortes_error *err)
{
	char buf[KEYFILE_MAX];
	int n, rc;

	n = key_format(buf, sizeof(buf), key);
	rc = sortes_outfile_put(path, 0600, "key file", buf, (size_t)n, err);
	sortes_wipe(buf, sizeof(buf));
	return rc;
}

/* Read the whole (small) file into buf, NUL-terminated. */
static int
key_slurp(char *buf, size_t size, const char *path, struct sortes_error *err)
{
	struct stat st;
	ssize_t got;
	int fd, rc;

	/* O_NONBLOCK: a FIFO would block the open until a writer came. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return sortes_error_set(err, errno == ENOENT ? SORTES_ENOINPUT :
		    SORTES_EPERM, "cannot open key file '%s': %s", path,
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	if ((rc = sortes_infile_check(fd, path, "key file", err)) == 0 &&
	    fstat(fd, &st) != 0)
		rc = sortes_error_set(err, SORTES_EIO, "cannot read key file "
		    "'%s': %s", path, strerror(errno));
	if (rc != 0) {
		close(fd);
		return rc;
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return sortes_error_set(err, SORTES_EPERM,
		    "key file '%s' is readable by others (mode %03o); "
		    "run chmod 600 on it", path, (unsigned)(st.st_mode & 0777));
	}
	got = read(fd, buf, size - 1);
	close(fd);
	if (got < 0 || (size_t)got >= size - 1)
		return sortes_error_set(err, got < 0 ? SORTES_EIO : SORTES_EDATA,
		    "cannot read key file '%s': %s", path,
		    got < 0 ? strerror(errno) : "larger than 4 KiB");
	buf[got] = '\0';
	return 0;
}

/* Parse one "name value" line into the key; 'seen' collects bits. */
static int
key_line(struct sortes_key *key, char *line, unsigned *seen)
{
	char *value = strchr(line, ' ');

	if (value == NULL)
		return -1;
	*value++ = '\0';
	if (strcmp(line, "sortes-key") == 0 && strcmp(value, "1") == 0)
		*seen |= 1;
	else if (strcmp(line, "trial") == 0 &&
	    strlen(value) <= SORTES_TRIAL_ID_MAX && value[0] != '\0') {
		strcpy(key->trial, value);
		*seen |= 2;
	} else if (strcmp(line, "seed") == 0 &&
	    sortes_hex_decode(key->seed, sizeof(key->seed), value) == 0)
		*seen |= 4;
	else if (strcmp(line, "pseudonym-key") == 0 &&
	    sortes_hex_decode(key->pseudonym_key, sizeof(key->pseudonym_key),
	    value) == 0)
		*seen |= 8;
	else
		return -1;
	return 0;
}

int
sortes_key_read(struct sortes_key *out, const char *path,
    struct sortes_error *err)
{
	char buf[KEYFILE_MAX], *line, *save = NULL;
	unsigned seen = 0;
	int lineno = 0, rc;

	memset(out, 0, sizeof(*out));
	if ((rc = key_slurp(buf, sizeof(buf), path, err)) != 0)
		return rc;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#')
			continue;
		if (key_line(out, line, &seen) != 0) {
			rc = sortes_error_set(err, SORTES_EDATA,
			    "key file '%s': line %d is not a valid key line",
			    path, lineno);
			break;
		}
	}
	if (rc == 0 && seen != 15)
		rc = sortes_error_set(err, SORTES_EDATA,
		    "key file '%s' is incomplete: it needs the lines "
		    "sortes-key 1, trial, seed and pseudonym-key", path);
	sortes_wipe(buf, sizeof(buf));
	if (rc != 0)
		sortes_key_wipe(out);
	return rc;
}

int
sortes_key_commitment(char out[SORTES_SHA256_HEX], const uint8_t seed[32],
    struct sortes_error *err)
{
	uint8_t digest[SORTES_SHA256_LEN];
	int rc = sortes_sha256(digest, seed, 32, err);

	if (rc == 0)
		sortes_hex_encode(out, digest, sizeof(digest));
	return rc;
}

void
sortes_key_wipe(struct sortes_key *key)
{
	sortes_wipe(key, sizeof(*key));
}
