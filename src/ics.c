/*
 * ics.c - open follow-ups as iCalendar events.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "sortes/date.h"
#include "sortes/followup.h"
#include "sortes/ics.h"

struct ics {
	struct sortes_trial *trial;
	icalcomponent *calendar;
	struct icaltimetype stamp;
};

/* A date of the schedule as an iCalendar DATE ('days' later). */
static struct icaltimetype
ics_date(const char *text, int days)
{
	struct icaltimetype d = icaltime_null_date();
	int32_t day = 0;
	int y, m, dd;

	sortes_date_parse(text, &day);
	sortes_date_to_ymd(day + days, &y, &m, &dd);
	d.year = y;
	d.month = m;
	d.day = dd;
	return d;
}

/*
 * A component of 'kind' with the n properties of 'props', any of which
 * may be NULL (libical ran out of memory making it): then NULL, with
 * every property made freed.  icalcomponent_vanew() cannot be used,
 * since it takes a NULL property for the end of its list and would
 * silently leave out the properties after it.
 */
static icalcomponent *
ics_component(icalcomponent_kind kind, icalproperty *const *props, size_t n)
{
	icalcomponent *c = icalcomponent_new(kind);
	int complete = c != NULL;

	for (size_t i = 0; i < n; i++) {
		if (props[i] == NULL)
			complete = 0;
		else if (c != NULL)
			icalcomponent_add_property(c, props[i]);
		else
			icalproperty_free(props[i]);
	}
	if (!complete && c != NULL) {
		icalcomponent_free(c);
		c = NULL;
	}
	return c;
}

static int
ics_event(void *ctx, const struct sortes_due_row *r, struct sortes_error *err)
{
	struct ics *c = ctx;
	icalcomponent *ev;
	icalproperty *props[8];
	char uid[256], summary[512], description[512];

	/* Stable: the same participant and occasion give the same UID. */
	snprintf(uid, sizeof(uid), "%s-%s@%s.sortes", r->participant,
	    r->occasion, c->trial->protocol->id);
	snprintf(summary, sizeof(summary), "Follow-up %s: participant %s",
	    r->occasion, r->participant);
	snprintf(description, sizeof(description), "%s%sTrial %s, follow-up "
	    "%s. Window %s to %s. Caseworker %s. Record with: sortes followup "
	    "record %s %s MEASURE=VALUE...", r->label != NULL ? r->label : "",
	    r->label != NULL ? ". " : "", c->trial->protocol->id, r->occasion,
	    r->window_start, r->window_end, r->caseworker, r->participant,
	    r->occasion);
	props[0] = icalproperty_new_uid(uid);
	props[1] = icalproperty_new_dtstamp(c->stamp);
	props[2] = icalproperty_new_dtstart(ics_date(r->due, 0));
	props[3] = icalproperty_new_dtend(ics_date(r->due, 1));
	props[4] = icalproperty_new_summary(summary);
	props[5] = icalproperty_new_description(description);
	props[6] = icalproperty_new_categories(c->trial->protocol->id);
	props[7] = icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT);
	ev = ics_component(ICAL_VEVENT_COMPONENT, props, 8);
	if (ev == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	icalcomponent_add_component(c->calendar, ev);
	return 0;
}

/* "2024-03-01T10:00:00Z" as the UTC time 20240301T100000Z. */
static int
ics_stamp(const char *now, struct icaltimetype *out, struct sortes_error *err)
{
	char basic[17];

	if (strlen(now) != 20)
		return sortes_error_set(err, SORTES_EUSAGE, "time '%s' is not "
		    "YYYY-MM-DDTHH:MM:SSZ", now);
	snprintf(basic, sizeof(basic), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", now,
	    now + 5, now + 8, now + 11, now + 14, now + 17);
	*out = icaltime_from_string(basic);
	if (icaltime_is_null_time(*out))
		return sortes_error_set(err, SORTES_EUSAGE, "time '%s' is not "
		    "YYYY-MM-DDTHH:MM:SSZ", now);
	return 0;
}

static int
ics_print(icalcomponent *calendar, FILE *out, struct sortes_error *err)
{
	char *text = icalcomponent_as_ical_string_r(calendar);
	int rc = 0;

	if (text == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	if (fputs(text, out) == EOF)
		rc = sortes_error_sys(err, SORTES_EIO, errno, "cannot write the "
		    "calendar");
	free(text);
	return rc;
}

/* The calendar, named 'name' for the programs that show its name. */
static icalcomponent *
ics_calendar(const char *name)
{
	icalproperty *props[4];

	props[0] = icalproperty_new_version("2.0");
	props[1] = icalproperty_new_prodid("-//sortes//sortes " PACKAGE_VERSION
	    "//EN");
	props[2] = icalproperty_new_method(ICAL_METHOD_PUBLISH);
	props[3] = icalproperty_new_x(name);
	if (props[3] != NULL)
		icalproperty_set_x_name(props[3], "X-WR-CALNAME");
	/* The name is copied; without the copy the property is nameless. */
	if (props[3] != NULL && icalproperty_get_x_name(props[3]) == NULL) {
		icalproperty_free(props[3]);
		props[3] = NULL;
	}
	return ics_component(ICAL_VCALENDAR_COMPONENT, props, 4);
}

int
sortes_ics_write(struct sortes_trial *t, const char *caseworker,
    int arm_specific, const char *now, FILE *out, int64_t *n,
    struct sortes_error *err)
{
	struct sortes_due_query q = { .kind = SORTES_OPEN,
	    .caseworker = caseworker, .arm_specific = arm_specific };
	struct ics c = { .trial = t };
	char name[256];
	int rc;

	*n = 0;
	if ((rc = ics_stamp(now, &c.stamp, err)) != 0)
		return rc;
	snprintf(name, sizeof(name), "%s follow-ups%s%s", t->protocol->id,
	    caseworker != NULL ? ", caseworker " : "",
	    caseworker != NULL ? caseworker : "");
	if ((c.calendar = ics_calendar(name)) == NULL)
		return sortes_error_set(err, SORTES_ENOMEM, "out of memory");
	rc = sortes_followup_list(t, &q, ics_event, &c, n, err);
	if (rc == 0)
		rc = ics_print(c.calendar, out, err);
	icalcomponent_free(c.calendar);
	return rc;
}
