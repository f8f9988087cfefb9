/*
 * progress.c - the progress line on standard error.
 *
 * A process has one standard error and so at most one line: it is kept
 * here, not in each command, so that whatever writes to stderr (an
 * error, a refused row) can erase it first and no message ever starts
 * after a partial line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "sortes/progress.h"
#include "cli.h"

#define PROGRESS_AFTER 1.0	/* seconds of work before a line is drawn */
#define PROGRESS_EVERY 0.2	/* seconds between redraws, at least */
#define PROGRESS_WIDTH 160

static struct {
	const char *label;	/* the command, NULL when no line is kept */
	double start, after, last;	/* seconds, monotonic */
	size_t shown;		/* columns on the terminal now */
	int drawn;		/* drawn at least once */
	struct sortes_progress hook;
} line;

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* $SORTES_PROGRESS_AFTER, so that tests need no slow run. */
static double
progress_after(void)
{
	const char *s = getenv("SORTES_PROGRESS_AFTER");
	char *end;
	double v;

	if (s == NULL || s[0] == '\0')
		return PROGRESS_AFTER;
	v = strtod(s, &end);
	if (*end != '\0' || !(v >= 0) || v > 86400)
		return PROGRESS_AFTER;
	return v;
}

/* Columns the line may take: one less than the terminal's, to never wrap. */
static size_t
progress_width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col < 2)
		return 79;
	return ws.ws_col - 1 < PROGRESS_WIDTH ? (size_t)ws.ws_col - 1 :
	    PROGRESS_WIDTH - 1;
}

/* "0:05", "12:30", "2:03:04". */
static void
format_left(char *buf, size_t size, double left)
{
	long s = left < 0 ? 0 : left > 359999 ? 359999 : (long)(left + 0.999);

	if (s >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

/*
 * "sortes verify: 24% (1200 of 5000 entries), 850/s, 0:05 left"; with
 * no total but the file's size, "sortes enroll: 24% (1200 rows), ..."
 * (the percentage of the file read); with neither, "sortes enroll:
 * 1200 rows, 850/s".
 */
static size_t
progress_text(char *buf, size_t size, const struct sortes_progress_at *at,
    double elapsed)
{
	double t = elapsed > 1e-3 ? elapsed : 1e-3, rate = (double)at->done / t;
	char left[64];
	int n;

	if (at->total > 0 && at->done <= at->total) {
		format_left(left, sizeof(left),
		    (double)(at->total - at->done) / rate);
		n = snprintf(buf, size, "sortes %s: %d%% (%lld of %lld %s), "
		    "%.0f/s, %s left", line.label,
		    (int)(at->done * 100 / at->total), (long long)at->done,
		    (long long)at->total, at->unit, rate, left);
	} else if (at->size > 0 && at->read > 0 && at->read <= at->size) {
		/* The rest of the file at the pace of what was read. */
		format_left(left, sizeof(left),
		    (double)(at->size - at->read) / ((double)at->read / t));
		n = snprintf(buf, size, "sortes %s: %d%% (%lld %s), %.0f/s, "
		    "%s left", line.label, (int)(at->read * 100 / at->size),
		    (long long)at->done, at->unit, rate, left);
	} else
		n = snprintf(buf, size, "sortes %s: %lld %s, %.0f/s",
		    line.label, (long long)at->done, at->unit, rate);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* Overwrite what is shown with 'text' (which may be empty). */
static void
progress_show(const char *text, size_t n)
{
	char buf[2 * PROGRESS_WIDTH + 4];
	size_t len = 0;

	buf[len++] = '\r';
	memcpy(buf + len, text, n);
	len += n;
	/* Blanks over the rest of the longer line before, then back. */
	if (line.shown > n) {
		memset(buf + len, ' ', line.shown - n);
		len += line.shown - n;
		if (n == 0)
			buf[len++] = '\r';
	}
	fwrite(buf, 1, len, stderr);
	line.shown = n;
}

static void
progress_update(void *ctx, const struct sortes_progress_at *at)
{
	char text[PROGRESS_WIDTH];
	double now = seconds();
	size_t n, width;

	(void)ctx;
	if (line.label == NULL || now - line.start < line.after ||
	    (line.drawn && now - line.last < PROGRESS_EVERY))
		return;
	n = progress_text(text, sizeof(text), at, now - line.start);
	if (n > (width = progress_width()))
		n = width;
	progress_show(text, n);
	line.last = now;
	line.drawn = 1;
}

const struct sortes_progress *
cli_progress(const char *label)
{
	cli_progress_end();
	if (!isatty(STDERR_FILENO))
		return NULL;
	line.label = label;
	line.start = seconds();
	line.after = progress_after();
	line.drawn = 0;
	line.hook.update = progress_update;
	line.hook.ctx = NULL;
	return &line.hook;
}

void
cli_progress_clear(void)
{
	/* Drawn again under the message when the next redraw is due. */
	if (line.shown > 0)
		progress_show("", 0);
}

void
cli_progress_end(void)
{
	cli_progress_clear();
	line.label = NULL;
}
