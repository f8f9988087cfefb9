/*
 * zone.h - time zones as this system knows them: the zone files of
 * tzdata, found the way the C library finds them.
 *
 * The C library quietly falls back to UTC for a zone it cannot find,
 * which would shift every "today" of a trial; so sortes asks first.
 */
#ifndef SORTES_ZONE_H
#define SORTES_ZONE_H

#include <stddef.h>

#include "sortes/error.h"

/* The zone a protocol without 'timezone' uses. */
#define SORTES_ZONE_DEFAULT "Europe/Copenhagen"

/* Room for a zone name and its NUL. */
#define SORTES_ZONE_NAME_MAX 256

/*
 * The directory zone files are read from: $TZDIR when set and not
 * empty, else /usr/share/zoneinfo (glibc's rule).  Never NULL; the
 * string belongs to the environment.
 */
const char *sortes_zone_dir(void);

/*
 * 1 if 'name' is a zone this system knows, else 0: "UTC", which the C
 * library has built in, or a name relative to the zone directory (not
 * absolute, no "..") of a regular file that starts with the "TZif"
 * magic of a compiled zone.
 */
int sortes_zone_known(const char *name);

/*
 * 0 if the zone is known; otherwise SORTES_EUNSUPPORTED, with a
 * message saying so, in 'err'.
 */
int sortes_zone_check(const char *name, struct sortes_error *err);

/*
 * The known zone nearest to 'name' (the rule of the protocol's
 * "did you mean"), found by walking the zone directory; a name without
 * '/' is also compared with the last part of each zone, so that
 * "Copenhagen" finds "Europe/Copenhagen".  Writes it to out[0..size)
 * and returns 1, or returns 0 when none is close.  Only for messages:
 * it reads the whole directory.
 */
int sortes_zone_suggest(const char *name, char *out, size_t size);

#endif
