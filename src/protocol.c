/*
 * protocol.c - parse and validate a trial protocol (docs/protocol.md).
 *
 * libfyaml builds a document tree from the text; this file walks the
 * tree with one small table of allowed keys per mapping and fills a
 * struct sortes_protocol.  Each message names the file, line and
 * column of the offending node, what was wrong and what was expected.
 *
 * A problem does not end the parse: fail() records it and the walk
 * goes on wherever the rest does not depend on what failed.  A mapping
 * reports every unknown, duplicate and missing key; a list goes on with
 * its next item, and drops a bad item whole (freeing what it held), so
 * that the protocol being filled only ever holds checked members; the
 * top level goes on with the next section.  Within one mapping the
 * values are still read in turn, each step only when the one before
 * succeeded, since later values are checked against earlier ones.
 * A reference to a name a list lost that way is not reported: the
 * member's own error is the one to fix.  When the name itself could
 * not be read, or a whole list was lost, no reference that finds
 * nothing in that list is reported (struct losses).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "sortes/decimal.h"
#include "sortes/infile.h"
#include "sortes/protocol.h"
#include "sortes/zone.h"
#include "suggest.h"

/* A protocol is a page or two; anything bigger is not one. */
#define MAX_FILE_BYTES	(1024 * 1024)
#define MAX_TEXT	1000	/* bytes in a title, name or value */
#define MAX_ARMS	26
#define MAX_RATIO	100	/* keeps ratio_sum and block sizes in an int */
#define MAX_BLOCK	1000
#define MAX_AGE		150
#define MAX_FOLLOWUPS	64	/* occasions; verify keeps them in a bit mask */
#define MAX_DECIMALS	6	/* places of a decimal measure */
#define LIST_MAX	512	/* room for "one of a, b, c" in messages */
#define MAX_WEIGHT	1000	/* minimization and balance weights */
#define DECIMALS	4	/* in probability and keep: SORTES_PER10K */
#define HINT_MAX	(SORTES_SUGGEST_MAX + 32)	/* "; did you mean ...?" */

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* Strata may name the caseworker's team, so no field may take its name. */
#define TEAM_NAME	"caseworker_team"

/* An error kept for the report. */
struct found {
	int line, col;
	char msg[SORTES_ERROR_MSG_MAX];
};

/* The lists of declared names that can lose a member to an error. */
enum {
	LOST_ARMS = 1 << 0,
	LOST_FIELDS = 1 << 1,
	LOST_COVARIATES = 1 << 2,
	LOST_DERIVED = 1 << 3,
	LOST_MEASURES = 1 << 4,
	LOST_FOLLOWUPS = 1 << 5
};

#define MAX_LOST_NAMES 32	/* beyond that, losses count as unnamed */

/* What the lists lost, as LOST_ bits and names. */
struct losses {
	unsigned any;		/* lost something: counts and sums are off */
	unsigned unnamed;	/* lost a member of unknown name, or all */
	size_t nnames;
	struct {
		unsigned list;	/* one LOST_ bit */
		char name[SORTES_SUGGEST_MAX + 1];
	} names[MAX_LOST_NAMES];
};

struct ctx {
	const char *file;		/* for messages only */
	struct fy_diag *diag;		/* collects libfyaml's errors */
	struct sortes_error *err;
	struct sortes_protocol *p;	/* being filled */
	int check_zone;			/* sortes_protocol_options */
	int nomem;			/* out of memory: stop */
	struct losses lost;
	size_t nfound;			/* errors found */
	size_t nkept;			/* the first ones in the file, in order */
	struct found kept[SORTES_PROTOCOL_MAX_ERRORS];
};

/* One allowed key of a mapping. */
struct key {
	const char *name;	/* NULL: not allowed in this mapping */
	int required;
	const char *expect;	/* what to write, said when it is missing */
};

/*
 * A value found in the document: a mapping value under its key, or a
 * list item under its list.  'key' is where to point when 'val' is
 * absent or empty.
 */
struct slot {
	struct fy_node *key;
	struct fy_node *val;
	const char *name;	/* how messages call the value */
	struct fy_node *map;	/* read_map(): the mapping the key belongs in */
	int misspelt;		/* read_map(): absent, and perhaps written as
				 * an unknown key (see read_map()) */
};

/* ------------------------------------------------------------------ */
/* Messages and positions                                             */

static int
oom(struct ctx *c)
{
	c->nomem = 1;
	return sortes_error_set(c->err, SORTES_ENOMEM,
	    "%s: out of memory while reading the protocol", c->file);
}

/* Whether the walk goes on: only running out of memory stops it. */
static int
more(const struct ctx *c)
{
	return !c->nomem;
}

/* The outcome of two steps that do not depend on each other. */
static int
worse(int rc, int next)
{
	return rc != 0 ? rc : next;
}

/* libfyaml's console output has no place in a library. */
static void
diag_sink(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

/* A diag object that collects libfyaml's errors instead of printing. */
static struct fy_diag *
new_diag(void)
{
	struct fy_diag_cfg cfg;
	struct fy_diag *diag;

	fy_diag_cfg_default(&cfg);
	cfg.fp = NULL;
	cfg.output_fn = diag_sink;
	cfg.user = NULL;
	cfg.colorize = false;
	diag = fy_diag_create(&cfg);
	if (diag != NULL)
		fy_diag_set_collect_errors(diag, true);
	return diag;
}

/* Empty scalars have no token, so libfyaml knows no position for them. */
static int
has_pos(struct fy_node *n)
{
	return n != NULL && (!fy_node_is_scalar(n) ||
	    fy_node_get_scalar_token(n) != NULL);
}

/*
 * libfyaml 0.7 exports no start mark for a node, but its node report
 * knows where the node starts, so a report into a collecting diag
 * object serves as a probe and the position is read back.  The object
 * is new for each probe, so that finding a position stays as cheap
 * after many errors as before the first.  Returns 1 when the report
 * arrived.
 */
static int
probe_pos(struct ctx *c, struct fy_node *n, int *line, int *col)
{
	struct fy_diag_error *e;
	struct fy_diag *probe;
	void *it = NULL;

	if (!has_pos(n))
		return 0;
	if ((probe = new_diag()) == NULL) {
		oom(c);
		return 0;
	}
	fy_diag_node_report(probe, n, FYET_ERROR, "position");
	e = fy_diag_errors_iterate(probe, &it);
	if (e != NULL) {
		*line = e->line;
		*col = e->column;
	}
	fy_diag_destroy(probe);
	if (e == NULL)
		return 0;
	/* a quoted scalar's token starts after its opening quote */
	if ((fy_node_get_style(n) == FYNS_SINGLE_QUOTED ||
	    fy_node_get_style(n) == FYNS_DOUBLE_QUOTED) && *col > 1)
		(*col)--;
	return 1;
}

/*
 * Where 'n' starts, 1-based.  A collection that holds an empty scalar
 * cannot be probed, so its first positioned descendant stands in (for
 * a block collection that is where it starts anyway).  When nothing
 * can be found the answer is 1:1: a message with a rough position is
 * still better than none.
 */
static int
find_pos(struct ctx *c, struct fy_node *n, int *line, int *col)
{
	struct fy_node_pair *pair;
	struct fy_node *item;
	void *it = NULL;

	if (probe_pos(c, n, line, col))
		return 1;
	if (fy_node_is_mapping(n))
		while ((pair = fy_node_mapping_iterate(n, &it)) != NULL)
			if (find_pos(c, fy_node_pair_key(pair), line, col) ||
			    find_pos(c, fy_node_pair_value(pair), line, col))
				return 1;
	if (fy_node_is_sequence(n))
		while ((item = fy_node_sequence_iterate(n, &it)) != NULL)
			if (find_pos(c, item, line, col))
				return 1;
	return 0;
}

static void
node_pos(struct ctx *c, struct fy_node *n, int *line, int *col)
{
	*line = 1;
	*col = 1;
	if (n != NULL)
		find_pos(c, n, line, col);
}

/* Whether line:col comes before the kept error 'f'. */
static int
before(int line, int col, const struct found *f)
{
	return line < f->line || (line == f->line && col < f->col);
}

/*
 * Record the error 'what' at line:col.  The first errors in the file
 * are kept, in file order (errors at one position in the order found);
 * one found later but placed earlier pushes the last kept one out.
 */
static int
fail_at(struct ctx *c, int line, int col, const char *what)
{
	size_t i = c->nkept;

	c->nfound++;
	if (i == SORTES_PROTOCOL_MAX_ERRORS) {
		if (!before(line, col, &c->kept[i - 1]))
			return SORTES_EDATA;
		i--;
	} else {
		c->nkept++;
	}
	for (; i > 0 && before(line, col, &c->kept[i - 1]); i--)
		c->kept[i] = c->kept[i - 1];
	c->kept[i].line = line;
	c->kept[i].col = col;
	snprintf(c->kept[i].msg, sizeof(c->kept[i].msg), "%s:%d:%d: %s",
	    c->file, line, col, what);
	return SORTES_EDATA;
}

static int
fail(struct ctx *c, struct fy_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Report a data error at node 'at' (NULL: the start of the file).
 * Returns SORTES_EDATA, for the step that failed.
 */
static int
fail(struct ctx *c, struct fy_node *at, const char *fmt, ...)
{
	char what[SORTES_ERROR_MSG_MAX];
	va_list ap;
	int line, col;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	node_pos(c, at, &line, &col);
	return fail_at(c, line, col, what);
}

/*
 * Where to point at a value.  Block scalars (| and >) are known only by
 * the start of their content, so their key, on the line above, is the
 * better place.  An absent key is pointed at by its mapping.
 */
static struct fy_node *
slot_at(const struct slot *s)
{
	enum fy_node_style style = fy_node_get_style(s->val);

	if (s->key == NULL && s->val == NULL)
		return s->map;
	if (!has_pos(s->val) || (s->key != NULL && (style == FYNS_LITERAL ||
	    style == FYNS_FOLDED)))
		return s->key;
	return s->val;
}

static struct slot
item_slot(struct fy_node *list, struct fy_node *item, const char *name)
{
	struct slot s = { list, item, name, NULL, 0 };

	return s;
}

/* ------------------------------------------------------------------ */
/* Small text checks, kept here so this file depends on no other module */

static int
text_is(const char *t, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(t, word, len) == 0;
}

/* strcmp() between counted text and a C string. */
static int
cmp_text(const char *t, size_t len, const char *s)
{
	int r = strncmp(t, s, len);

	if (r != 0)
		return r;
	return s[len] == '\0' ? 0 : -1;
}

static int
has_control(const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Decimal integer with an optional '-', within +-(2^53 - 1).
 * Returns 0, -1 when not an integer, -2 when out of range.
 */
static int
parse_int_text(const char *t, size_t len, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;
	int neg = 0;

	if (len > 0 && t[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		if (v > (SORTES_INT_MAX - (t[i] - '0')) / 10)
			return -2;
		v = v * 10 + (t[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

static int
digits(const char *t, size_t n, int *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return -1;
		*out = *out * 10 + (t[i] - '0');
	}
	return 0;
}

/* Exactly "YYYY-MM-DD", a day that exists, years 1000-9999. */
static int
date_parts(const char *t, size_t len, int *y, int *m, int *d)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int leap;

	if (len != 10 || t[4] != '-' || t[7] != '-')
		return 0;
	if (digits(t, 4, y) || digits(t + 5, 2, m) || digits(t + 8, 2, d))
		return 0;
	if (*y < 1000 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
		return 0;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	return !(*m == 2 && *d == 29 && !leap);
}

static int
is_date(const char *t, size_t len)
{
	int y, m, d;

	return date_parts(t, len, &y, &m, &d);
}

/*
 * Days since 1970-01-01 of a date date_parts() accepted, by Howard
 * Hinnant's days_from_civil: years counted from March make the leap
 * day the last day of the year.  Kept here rather than calling date.c
 * so that this file depends on no other module.
 */
static int32_t
day_number(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;		/* y >= 999, so no negative division */
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

/* Length of the UTF-8 sequence at t (at most n bytes), 0 if invalid. */
static size_t
utf8_len(const unsigned char *t, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (t[0] < 0x80)
		return t[0] == 0 ? 0 : 1;
	if (t[0] >= 0xc2 && t[0] <= 0xdf)
		len = 2, cp = t[0] & 0x1f;
	else if (t[0] >= 0xe0 && t[0] <= 0xef)
		len = 3, cp = t[0] & 0x0f;
	else if (t[0] >= 0xf0 && t[0] <= 0xf4)
		len = 4, cp = t[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((t[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (t[i] & 0x3f);
	}
	/* overlong forms, surrogates and beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * libfyaml passes invalid UTF-8 through into scalars, and the
 * protocol's bytes are sealed into the trial database, so bad bytes are
 * refused up front with their position.
 */
static int
check_utf8(struct ctx *c, const char *text, size_t len)
{
	const unsigned char *t = (const unsigned char *)text;
	size_t i = 0, n;
	int line = 1, col = 1;
	char what[80];

	while (i < len) {
		n = utf8_len(t + i, len - i);
		if (n == 0) {
			snprintf(what, sizeof(what), "invalid byte 0x%02x; "
			    "expected UTF-8 text without NUL bytes", t[i]);
			return fail_at(c, line, col, what);
		}
		if (t[i] == '\n') {
			line++;
			col = 0;
		}
		col++;
		i += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Did you mean                                                       */

/*
 * Where to find the words a misspelt one may have meant: the char *
 * member at 'offset' in each of the 'n' items of 'stride' bytes at
 * 'base' (a table of keys, an array of fields, a list of strings).
 * NULL members are passed over.
 */
struct words {
	const void *base;
	size_t n, stride, offset;
};

#define WORDS(array, n, type, member) \
	{ (array), (n), sizeof(type), offsetof(type, member) }
#define STRINGS(array, n) { (array), (n), sizeof(char *), 0 }

static const char *
word_at(const struct words *w, size_t i)
{
	const char *item = (const char *)w->base + i * w->stride;
	const char *word;

	memcpy(&word, item + w->offset, sizeof(word));
	return word;
}

/*
 * The word of w[0..nw) nearest to t[0..len), by the one rule of
 * suggest.c, or NULL when none is close.  *which, when not NULL, is
 * set to its index, counting through the lists in turn.  'buf' holds
 * the answer.
 */
static const char *
nearest(const char *t, size_t len, const struct words *w, size_t nw,
    size_t *which, struct sortes_suggest *buf)
{
	size_t i, j, index = 0;
	const char *word;

	sortes_suggest_init(buf, t, len);
	for (i = 0; i < nw; i++)
		for (j = 0; j < w[i].n; j++, index++)
			if ((word = word_at(&w[i], j)) != NULL &&
			    sortes_suggest_offer(buf, word, word) &&
			    which != NULL)
				*which = index;
	return sortes_suggest_best(buf);
}

/* "; did you mean 'WORD'?", or "" without a word. */
static const char *
hint(char *buf, size_t size, const char *word)
{
	if (word == NULL)
		return "";
	snprintf(buf, size, "; did you mean '%s'?", word);
	return buf;
}

/* Record that list 'list' lost its member 'name' (NULL: not known). */
static void
lose(struct ctx *c, unsigned list, const char *name)
{
	struct losses *l = &c->lost;

	l->any |= list;
	if (name == NULL || strlen(name) > SORTES_SUGGEST_MAX ||
	    l->nnames == MAX_LOST_NAMES) {
		l->unnamed |= list;
		return;
	}
	l->names[l->nnames].list = list;
	strcpy(l->names[l->nnames++].name, name);
}

/* Whether t[0..len) may name a member lost from one of 'lists'. */
static int
may_be_lost(const struct ctx *c, unsigned lists, const char *t, size_t len)
{
	const struct losses *l = &c->lost;
	size_t i;

	if ((l->unnamed & lists) != 0)
		return 1;
	for (i = 0; i < l->nnames; i++)
		if ((l->names[i].list & lists) != 0 &&
		    cmp_text(t, len, l->names[i].name) == 0)
			return 1;
	return 0;
}

static int
unknown(struct ctx *c, struct fy_node *at, unsigned lists, const char *t,
    size_t len, const struct words *w, size_t nw, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

/*
 * Report t[0..len), which names nothing among w[0..nw): the message
 * 'fmt', then the nearest word as a suggestion, among the members
 * lost from 'lists' too.  Not reported (but still a failure) when t
 * may name a member lost from one of 'lists': that member's own error
 * says what to fix.
 */
static int
unknown(struct ctx *c, struct fy_node *at, unsigned lists, const char *t,
    size_t len, const struct words *w, size_t nw, const char *fmt, ...)
{
	const struct losses *l = &c->lost;
	char what[SORTES_ERROR_MSG_MAX], buf[HINT_MAX];
	struct sortes_suggest sg;
	va_list ap;
	size_t i;

	if (may_be_lost(c, lists, t, len))
		return SORTES_EDATA;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	nearest(t, len, w, nw, NULL, &sg);
	for (i = 0; i < l->nnames; i++)
		if ((l->names[i].list & lists) != 0)
			sortes_suggest_offer(&sg, l->names[i].name,
			    l->names[i].name);
	return fail(c, at, "%s%s", what, hint(buf, sizeof(buf),
	    sortes_suggest_best(&sg)));
}

/* ------------------------------------------------------------------ */
/* Reading scalars                                                    */

static const char *
kind_name(struct fy_node *n)
{
	if (fy_node_is_mapping(n))
		return "mapping";
	if (fy_node_is_sequence(n))
		return "list";
	return "scalar";
}

/* An empty value, '~' or null: YAML's ways of writing nothing. */
static int
is_null(struct fy_node *n)
{
	const char *t;
	size_t len;

	if (n == NULL)
		return 1;
	if (!fy_node_is_scalar(n) || fy_node_get_style(n) != FYNS_PLAIN)
		return 0;
	t = fy_node_get_scalar(n, &len);
	return t == NULL || len == 0 || text_is(t, len, "~") ||
	    text_is(t, len, "null") || text_is(t, len, "Null") ||
	    text_is(t, len, "NULL");
}

/* The text of a scalar that must be there; 'expect' goes in messages. */
static int
scalar_text(struct ctx *c, const struct slot *s, const char *expect,
    const char **t, size_t *len)
{
	if (is_null(s->val))
		return fail(c, slot_at(s), "%s is empty; expected %s",
		    s->name, expect);
	if (!fy_node_is_scalar(s->val))
		return fail(c, slot_at(s), "%s is a %s; expected %s", s->name,
		    kind_name(s->val), expect);
	*t = fy_node_get_scalar(s->val, len);
	if (*t == NULL)
		return oom(c);
	return 0;
}

static int
dup_text(struct ctx *c, const char *t, size_t len, char **out)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		return oom(c);
	memcpy(s, t, len);
	s[len] = '\0';
	*out = s;
	return 0;
}

/* One line of text: a title, name, label, value or sponsor. */
static int
text_ok(struct ctx *c, const struct slot *s, const char *t, size_t len)
{
	if (len > MAX_TEXT)
		return fail(c, slot_at(s), "%s is %zu bytes long; expected at "
		    "most %d bytes", s->name, len, MAX_TEXT);
	if (has_control(t, len))
		return fail(c, slot_at(s), "%s contains a line break or control "
		    "character; expected one line of text", s->name);
	return 0;
}

static int
get_text(struct ctx *c, const struct slot *s, char **out)
{
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, "a line of text", &t, &len);
	if (rc == 0)
		rc = text_ok(c, s, t, len);
	if (rc == 0)
		rc = dup_text(c, t, len, out);
	return rc;
}

/* Optional text: absent keys leave *out NULL. */
static int
get_opt_text(struct ctx *c, const struct slot *s, char **out)
{
	return s->key == NULL ? 0 : get_text(c, s, out);
}

struct ident_kind {
	const char *what;
	const char *first;	/* characters allowed first */
	const char *rest;	/* characters allowed after */
	size_t max;
	const char *expect;
};

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"

static const struct ident_kind ID_TRIAL = { "trial id", LOWER DIGIT,
	LOWER DIGIT "_-", 64,
	"lower-case letters, digits, '_' and '-', starting with a letter or "
	"digit" };
static const struct ident_kind ID_NAME = { "name", LOWER, LOWER DIGIT "_", 64,
	"lower-case letters, digits and '_', starting with a letter" };
static const struct ident_kind ID_ARM = { "arm code", UPPER LOWER DIGIT "_-",
	UPPER LOWER DIGIT "_-", 32, "letters, digits, '_' and '-'" };

static const struct ident_kind ID_CASEWORKER = { "caseworker code",
	UPPER LOWER DIGIT "._-", UPPER LOWER DIGIT "._-", 64,
	"letters, digits, '.', '_' and '-'" };

static const struct ident_kind ID_CURRENCY = { "currency", UPPER, UPPER, 3,
	"capital letters" };

static int
ident_ok(const struct ident_kind *k, const char *t, size_t len)
{
	size_t i;

	if (len == 0 || len > k->max)
		return 0;
	for (i = 0; i < len; i++)
		if (t[i] == '\0' || strchr(i == 0 ? k->first : k->rest,
		    t[i]) == NULL)
			return 0;
	return 1;
}

static int
get_ident(struct ctx *c, const struct slot *s, const struct ident_kind *k,
    char **out)
{
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, k->expect, &t, &len);
	if (rc != 0)
		return rc;
	if (!ident_ok(k, t, len))
		return fail(c, slot_at(s), "%s '%.*s' is not a valid %s; expected "
		    "at most %zu %s", s->name, (int)(len > 64 ? 64 : len), t,
		    k->what, k->max, k->expect);
	return dup_text(c, t, len, out);
}

static void
int_expect(char *buf, size_t size, int64_t min, int64_t max)
{
	if (max == SORTES_INT_MAX)
		snprintf(buf, size, "an integer >= %" PRId64, min);
	else
		snprintf(buf, size, "an integer from %" PRId64 " to %" PRId64,
		    min, max);
}

static int
get_int(struct ctx *c, const struct slot *s, int64_t min, int64_t max,
    int64_t *out)
{
	char expect[80];
	const char *t;
	size_t len;
	int rc;

	int_expect(expect, sizeof(expect), min, max);
	rc = scalar_text(c, s, expect, &t, &len);
	if (rc != 0)
		return rc;
	if (fy_node_get_style(s->val) != FYNS_PLAIN)
		return fail(c, slot_at(s), "%s is quoted text; expected %s without "
		    "quotes", s->name, expect);
	rc = parse_int_text(t, len, out);
	if (rc == -2)
		return fail(c, slot_at(s), "%s %.*s is beyond 2^53-1 in magnitude; "
		    "expected %s", s->name, (int)(len > 64 ? 64 : len), t,
		    expect);
	if (rc != 0)
		return fail(c, slot_at(s), "%s '%.*s' is not an integer; expected "
		    "%s", s->name, (int)(len > 64 ? 64 : len), t, expect);
	if (*out < min || *out > max)
		return fail(c, slot_at(s), "%s %" PRId64 " is out of range; "
		    "expected %s", s->name, *out, expect);
	return 0;
}

/* get_int() for the int members of the protocol. */
static int
get_small(struct ctx *c, const struct slot *s, int min, int max, int *out)
{
	int64_t v;
	int rc;

	rc = get_int(c, s, min, max, &v);
	if (rc == 0)
		*out = (int)v;
	return rc;
}

static const char *const booleans[] = { "true", "false" };

static int
get_bool(struct ctx *c, const struct slot *s, int *out)
{
	struct words w = STRINGS(booleans, NKEYS(booleans));
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, "true or false", &t, &len);
	if (rc != 0)
		return rc;
	if (fy_node_get_style(s->val) == FYNS_PLAIN && text_is(t, len, "true"))
		*out = 1;
	else if (fy_node_get_style(s->val) == FYNS_PLAIN &&
	    text_is(t, len, "false"))
		*out = 0;
	else
		return unknown(c, slot_at(s), 0, t, len, &w, 1, "%s '%.*s' is not "
		    "a boolean; expected true or false", s->name,
		    (int)(len > 64 ? 64 : len), t);
	return 0;
}

/* A list with at least 'min' items; *n is its length. */
static int
get_list(struct ctx *c, const struct slot *s, size_t min, const char *expect,
    size_t *n)
{
	int count;

	if (is_null(s->val))
		return fail(c, slot_at(s), "%s is empty; expected %s", s->name,
		    expect);
	if (!fy_node_is_sequence(s->val))
		return fail(c, slot_at(s), "%s is a %s; expected %s", s->name,
		    kind_name(s->val), expect);
	count = fy_node_sequence_item_count(s->val);
	if (count < 0)
		return oom(c);
	if ((size_t)count < min)
		return fail(c, slot_at(s), "%s has %d item%s; expected %s", s->name,
		    count, count == 1 ? "" : "s", expect);
	*n = (size_t)count;
	return 0;
}

/* A zeroed array of n elements; NULL (with success) when n is 0. */
static int
alloc_array(struct ctx *c, size_t n, size_t size, void *out)
{
	void *a = NULL;

	if (n > 0) {
		a = calloc(n, size);
		if (a == NULL)
			return oom(c);
	}
	memcpy(out, &a, sizeof(a));
	return 0;
}

/* The items of one kind of list, for parse_list(). */
struct item_kind {
	const char *what;	/* one item, in messages */
	size_t size;		/* bytes per item */
	/* read the item into index i of the array */
	int (*parse)(struct ctx *, const struct slot *, size_t i);
	void (*drop)(void *item);	/* free what a refused item holds */
	unsigned lost;		/* the LOST_ bit of the list, or 0 */
	size_t name;		/* with 'lost': offset of the char *name */
};

static void drop_arm(void *item);
static void drop_derived(void *item);
static void drop_rule(void *item);
static void drop_occasion(void *item);
static void drop_string(void *item);
static void drop_variable(void *item);

/* Take a refused item out again: the array holds checked items only. */
static void
drop_item(struct ctx *c, const struct item_kind *k, char *item, size_t *count)
{
	const char *name;

	if (k->lost != 0) {
		memcpy(&name, item + k->name, sizeof(name));
		lose(c, k->lost, name);
	}
	k->drop(item);
	memset(item, 0, k->size);
	(*count)--;
}

/*
 * Read list 's' of at least 'min' items ('expect' describes it in
 * messages) into a new array at *array of items of kind 'k'.  *count
 * follows the items kept, so that the protocol frees exactly what was
 * made; a refused item is dropped and the next one read.
 */
static int
parse_list(struct ctx *c, const struct slot *s, size_t min,
    const char *expect, const struct item_kind *k, void *array,
    size_t *count)
{
	struct fy_node *node;
	void *it = NULL;
	char *base;
	size_t n, i;
	int rc, r;

	rc = get_list(c, s, min, expect, &n);
	if (rc == 0)
		rc = alloc_array(c, n, k->size, array);
	if (rc != 0) {
		lose(c, k->lost, NULL);
		return rc;
	}
	memcpy(&base, array, sizeof(base));
	while (more(c) && (node = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, node, k->what);

		i = (*count)++;
		r = k->parse(c, &is, i);
		if (r != 0)
			drop_item(c, k, base + i * k->size, count);
		rc = worse(rc, r);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Mappings                                                           */

static void
key_list(const struct key *keys, size_t nkeys, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < nkeys && used < size; i++) {
		if (keys[i].name == NULL)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		    used > 0 ? ", " : "", keys[i].name);
	}
}

/*
 * An unknown key.  The key it was suggested to be is marked misspelt,
 * so that its absence is not reported a second time; without a
 * suggestion *strays counts it.
 */
static int
unknown_key(struct ctx *c, struct fy_node *k, const char *t, size_t len,
    const char *what, const struct key *keys, size_t nkeys,
    struct slot *slots, int *strays)
{
	struct words w = WORDS(keys, nkeys, struct key, name);
	char list[LIST_MAX], buf[HINT_MAX];
	struct sortes_suggest sg;
	const char *near;
	size_t i = 0;

	key_list(keys, nkeys, list, sizeof(list));
	near = nearest(t, len, &w, 1, &i, &sg);
	if (near != NULL)
		slots[i].misspelt = 1;
	else
		(*strays)++;
	return fail(c, k, "unknown key '%.*s' in %s; expected one of %s%s",
	    (int)(len > 64 ? 64 : len), t, what, list,
	    hint(buf, sizeof(buf), near));
}

static int
take_key(struct ctx *c, struct fy_node *map, struct fy_node_pair *pair,
    const char *what, const struct key *keys, size_t nkeys,
    struct slot *slots, int *strays)
{
	struct fy_node *k = fy_node_pair_key(pair);
	char list[LIST_MAX];
	const char *t;
	size_t len, i;

	if (is_null(k) || !fy_node_is_scalar(k)) {
		key_list(keys, nkeys, list, sizeof(list));
		(*strays)++;
		return fail(c, has_pos(k) ? k : map, "a key in %s is not a "
		    "word; expected one of %s", what, list);
	}
	t = fy_node_get_scalar(k, &len);
	for (i = 0; i < nkeys; i++)
		if (keys[i].name != NULL && text_is(t, len, keys[i].name))
			break;
	if (i == nkeys)
		return unknown_key(c, k, t, len, what, keys, nkeys, slots,
		    strays);
	if (slots[i].key != NULL)
		return fail(c, k, "duplicate key '%s' in %s; expected each key "
		    "at most once", keys[i].name, what);
	slots[i].key = k;
	slots[i].val = fy_node_pair_value(pair);
	return 0;
}

/*
 * Check that the value in 's' is a mapping with only the keys in
 * 'keys', each at most once and the required ones present, and put
 * each value in the slot of the same index (the first, of a duplicate
 * key).  Every unknown, duplicate and missing key is reported; a
 * nonzero return means at least one was, and only the top level goes
 * on to read the values of such a mapping.  An absent key is marked
 * misspelt when an unknown key was suggested to be it (and its absence
 * is then not reported), or when an unknown key had no suggestion, for
 * that could have been meant as any key absent.
 */
static int
read_map(struct ctx *c, const struct slot *s, const char *what,
    const struct key *keys, size_t nkeys, struct slot *slots)
{
	struct fy_node_pair *pair;
	char list[LIST_MAX];
	void *it = NULL;
	size_t i;
	int rc = 0, strays = 0;

	for (i = 0; i < nkeys; i++) {
		slots[i].key = slots[i].val = NULL;
		slots[i].name = keys[i].name;
		slots[i].map = s->val;
		slots[i].misspelt = 0;
	}
	if (is_null(s->val) || !fy_node_is_mapping(s->val)) {
		key_list(keys, nkeys, list, sizeof(list));
		return fail(c, slot_at(s), "%s is %s; expected a mapping with "
		    "keys %s", what, is_null(s->val) ? "empty" :
		    fy_node_is_sequence(s->val) ? "a list" : "a scalar", list);
	}
	while (more(c) && (pair = fy_node_mapping_iterate(s->val, &it)))
		rc = worse(rc, take_key(c, s->val, pair, what, keys, nkeys,
		    slots, &strays));
	for (i = 0; i < nkeys; i++) {
		if (keys[i].name == NULL || !keys[i].required ||
		    slots[i].key != NULL)
			continue;
		rc = slots[i].misspelt ? SORTES_EDATA : fail(c, slot_at(s),
		    "missing key '%s' in %s; expected %s", keys[i].name, what,
		    keys[i].expect);
	}
	for (i = 0; strays > 0 && i < nkeys; i++)
		if (slots[i].key == NULL)
			slots[i].misspelt = 1;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Lookups by counted text                                            */

static long
find_arm(const struct sortes_protocol *p, const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < p->narms; i++)
		if (p->arms[i].code != NULL && cmp_text(t, len,
		    p->arms[i].code) == 0)
			return (long)i;
	return -1;
}

static long
find_measure(const struct sortes_protocol *p, const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < p->nmeasures; i++)
		if (p->measures[i].name != NULL && cmp_text(t, len,
		    p->measures[i].name) == 0)
			return (long)i;
	return -1;
}

/* Fields and caseworker covariates are sorted by name once all are read. */
static long
find_var(const struct sortes_field *v, size_t n, const char *t, size_t len)
{
	size_t lo = 0, hi = n, mid;
	int r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = cmp_text(t, len, v[mid].name);
		if (r == 0)
			return (long)mid;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static long
find_field(const struct sortes_protocol *p, const char *t, size_t len)
{
	return find_var(p->fields, p->nfields, t, len);
}

static long
find_covariate(const struct sortes_protocol *p, const char *t, size_t len)
{
	return find_var(p->cw_covariates, p->ncw_covariates, t, len);
}

/* Derived fields keep protocol order, so they are searched in turn. */
static long
find_derived(const struct sortes_protocol *p, const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < p->nderived; i++)
		if (p->derived[i].name != NULL && cmp_text(t, len,
		    p->derived[i].name) == 0)
			return (long)i;
	return -1;
}

static long
find_value(const struct sortes_field *f, const char *t, size_t len)
{
	size_t i;

	for (i = 0; i < f->nvalues; i++)
		if (f->values[i] != NULL && cmp_text(t, len, f->values[i]) == 0)
			return (long)i;
	return -1;
}

static void
value_list(const struct sortes_field *f, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < f->nvalues && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		    i > 0 ? ", " : "", f->values[i]);
}

/* The field named in 's', by index into p->fields. */
static int
get_field_ref(struct ctx *c, const struct slot *s, size_t *out)
{
	const char *t;
	size_t len;
	long i;
	int rc;

	rc = scalar_text(c, s, "the name of a declared field", &t, &len);
	if (rc != 0)
		return rc;
	i = find_field(c->p, t, len);
	if (i < 0) {
		struct words w = WORDS(c->p->fields, c->p->nfields,
		    struct sortes_field, name);

		return unknown(c, slot_at(s), LOST_FIELDS, t, len, &w, 1,
		    "unknown field '%.*s'%s%s; expected a field declared under "
		    "fields", (int)(len > 64 ? 64 : len), t,
		    strcmp(s->name, "field") == 0 ? "" : " in ",
		    strcmp(s->name, "field") == 0 ? "" : s->name);
	}
	*out = (size_t)i;
	return 0;
}

/* ------------------------------------------------------------------ */
/* sortes: and trial:                                                 */

static int
parse_format(struct ctx *c, const struct slot *s)
{
	int64_t v;
	int rc;

	rc = get_int(c, s, 0, SORTES_INT_MAX, &v);
	if (rc == 0 && v != 1)
		return fail(c, slot_at(s), "unsupported format version %" PRId64
		    "; expected 1", v);
	c->p->format = 1;
	return rc;
}

/* IANA zone names such as "Europe/Copenhagen" or "UTC". */
static int
timezone_ok(const char *t, size_t len)
{
	size_t i;

	if (len == 0 || len > 64 || strchr(UPPER LOWER, t[0]) == NULL)
		return 0;
	for (i = 0; i < len; i++) {
		if (t[i] == '/' && (t[i - 1] == '/' || i + 1 == len))
			return 0;
		if (t[i] == '\0' || strchr(UPPER LOWER DIGIT "/_+-", t[i]) ==
		    NULL)
			return 0;
	}
	return 1;
}

/*
 * The C library would take an unknown zone for UTC without a word, and
 * a trial would then never enroll or verify; so a trial is created
 * only with a zone this system has (ctx.check_zone).
 */
static int
zone_known(struct ctx *c, const struct slot *s, const char *zone)
{
	char near[SORTES_ZONE_NAME_MAX], buf[HINT_MAX + SORTES_ZONE_NAME_MAX];

	if (!c->check_zone || sortes_zone_known(zone))
		return 0;
	if (s->key == NULL)
		return fail(c, slot_at(s), "trial has no timezone, and the "
		    "default '%s' is not a time zone on this system (tzdata "
		    "missing?); expected tzdata installed, or a timezone that "
		    "this system has", zone);
	return fail(c, slot_at(s), "timezone '%s' is not a time zone on this "
	    "system (a misspelling, or tzdata missing); expected an IANA "
	    "name such as Europe/Copenhagen%s", zone, hint(buf, sizeof(buf),
	    sortes_zone_suggest(zone, near, sizeof(near)) ? near : NULL));
}

static int
parse_timezone(struct ctx *c, const struct slot *s)
{
	const char *t = SORTES_ZONE_DEFAULT;
	size_t len = strlen(t);
	int rc;

	if (s->key != NULL) {
		rc = scalar_text(c, s, "a time zone such as Europe/Copenhagen",
		    &t, &len);
		if (rc != 0)
			return rc;
		if (!timezone_ok(t, len))
			return fail(c, slot_at(s), "timezone '%.*s' is not a time "
			    "zone name; expected an IANA name such as "
			    "Europe/Copenhagen", (int)(len > 64 ? 64 : len), t);
	}
	rc = dup_text(c, t, len, &c->p->timezone);
	return rc == 0 ? zone_known(c, s, c->p->timezone) : rc;
}

static const char *const weekend_rules[] = {
	[SORTES_WEEKEND_KEEP] = "keep",
	[SORTES_WEEKEND_NEXT_MONDAY] = "next_monday",
	[SORTES_WEEKEND_PREVIOUS_FRIDAY] = "previous_friday",
	[SORTES_WEEKEND_NEAREST] = "nearest",
};

#define WEEKENDS_EXPECT "one of keep, next_monday, previous_friday, nearest"

/*
 * An optional value that must be one of words[0..n): its index into
 * *out, left alone when the key is absent.  'what' names the value in
 * the message, 'expect' lists the words.
 */
static int
get_word(struct ctx *c, const struct slot *s, const char *const *words,
    size_t n, const char *what, const char *expect, int *out)
{
	struct words w = STRINGS(words, n);
	const char *t;
	size_t len;
	int rc;

	if (s->key == NULL)
		return 0;
	rc = scalar_text(c, s, expect, &t, &len);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (text_is(t, len, words[i])) {
			*out = (int)i;
			return 0;
		}
	}
	return unknown(c, slot_at(s), 0, t, len, &w, 1, "unknown %s '%.*s'; "
	    "expected %s", what, (int)(len > 64 ? 64 : len), t, expect);
}

static int
parse_weekends(struct ctx *c, const struct slot *s)
{
	int rule = SORTES_WEEKEND_KEEP;
	int rc = get_word(c, s, weekend_rules, NKEYS(weekend_rules),
	    "weekend rule", WEEKENDS_EXPECT, &rule);

	c->p->weekends = (enum sortes_weekend_rule)rule;
	return rc;
}

#define IDENTIFIER_EXPECT "cpr (a Danish CPR number) or ascii"

/*
 * Absent means ascii: trials created before the key existed stored no
 * identifier, and their pseudonyms were made by the ascii rule.
 */
static int
parse_identifier(struct ctx *c, const struct slot *s)
{
	const char *kinds[SORTES_PERSON_NKINDS];
	int kind = SORTES_PERSON_ASCII, rc;

	for (int i = 0; i < SORTES_PERSON_NKINDS; i++)
		kinds[i] = sortes_person_kind_name((enum sortes_person_kind)i);
	rc = get_word(c, s, kinds, NKEYS(kinds), "identifier kind",
	    IDENTIFIER_EXPECT, &kind);
	c->p->identifier = (enum sortes_person_kind)kind;
	return rc;
}

static const char *const assessments[] = {
	[SORTES_ASSESSMENT_OPEN] = "open",
	[SORTES_ASSESSMENT_BLINDED] = "blinded",
};

static int
parse_assessment(struct ctx *c, const struct slot *s)
{
	int a = SORTES_ASSESSMENT_OPEN;
	int rc = get_word(c, s, assessments, NKEYS(assessments),
	    "outcome assessment", "blinded or open", &a);

	c->p->outcome_assessment = (enum sortes_assessment)a;
	return rc;
}

static const char *const date_formats[] = {
	[SORTES_DATE_ISO] = "iso",
	[SORTES_DATE_DAY_MONTH_YEAR] = "day_month_year",
};

#define DATE_FORMAT_EXPECT "day_month_year (DD-MM-YYYY and DD.MM.YYYY " \
	"as well as YYYY-MM-DD) or iso (YYYY-MM-DD only)"

/* Absent leaves *out alone: the trial's default, or the variable's. */
static int
parse_date_format(struct ctx *c, const struct slot *s,
    enum sortes_date_format *out, int *given)
{
	int f = (int)*out;
	int rc = get_word(c, s, date_formats, NKEYS(date_formats),
	    "date format", DATE_FORMAT_EXPECT, &f);

	*out = (enum sortes_date_format)f;
	*given = rc == 0 && s->key != NULL;
	return rc;
}

enum { TR_ID, TR_TITLE, TR_SPONSOR, TR_TIMEZONE, TR_WEEKENDS, TR_TARGET,
	TR_IDENTIFIER, TR_ASSESSMENT, TR_DATE_FORMAT, TR_N };

static const struct key trial_keys[TR_N] = {
	[TR_ID] = { "id", 1, "the trial id, e.g. ungifokus" },
	[TR_TITLE] = { "title", 1, "the trial's title" },
	[TR_SPONSOR] = { "sponsor", 1, "who runs and funds the trial" },
	[TR_TIMEZONE] = { "timezone", 0, "" },
	[TR_WEEKENDS] = { "weekends", 0, "" },
	[TR_TARGET] = { "target_enrollment", 1,
	    "the planned number of participants" },
	[TR_IDENTIFIER] = { "identifier", 0, "" },
	[TR_ASSESSMENT] = { "outcome_assessment", 0, "" },
	[TR_DATE_FORMAT] = { "date_format", 0, "" },
};

static int
parse_trial(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	struct slot k[TR_N];
	int rc;

	rc = read_map(c, s, "trial", trial_keys, TR_N, k);
	if (rc == 0)
		rc = get_ident(c, &k[TR_ID], &ID_TRIAL, &p->id);
	if (rc == 0)
		rc = get_text(c, &k[TR_TITLE], &p->title);
	if (rc == 0)
		rc = get_text(c, &k[TR_SPONSOR], &p->sponsor);
	if (rc == 0)
		rc = parse_timezone(c, &k[TR_TIMEZONE]);
	if (rc == 0)
		rc = parse_weekends(c, &k[TR_WEEKENDS]);
	if (rc == 0)
		rc = get_int(c, &k[TR_TARGET], 1, SORTES_INT_MAX,
		    &p->target_enrollment);
	if (rc == 0)
		rc = parse_identifier(c, &k[TR_IDENTIFIER]);
	if (rc == 0)
		rc = parse_assessment(c, &k[TR_ASSESSMENT]);
	if (rc == 0)
		rc = parse_date_format(c, &k[TR_DATE_FORMAT], &p->date_format,
		    &p->date_format_given);
	return rc;
}

/* ------------------------------------------------------------------ */
/* arms:                                                              */

enum { ARM_CODE, ARM_NAME, ARM_RATIO, ARM_N };

static const struct key arm_keys[ARM_N] = {
	[ARM_CODE] = { "code", 1, "a short arm code such as I or C" },
	[ARM_NAME] = { "name", 1, "the arm's name" },
	[ARM_RATIO] = { "ratio", 1, "the allocation ratio, an integer >= 1" },
};

static int
parse_arm(struct ctx *c, const struct slot *s, size_t i)
{
	struct sortes_arm *arm = &c->p->arms[i];
	struct slot k[ARM_N];
	int rc;

	rc = read_map(c, s, "arm", arm_keys, ARM_N, k);
	if (rc == 0)
		rc = get_ident(c, &k[ARM_CODE], &ID_ARM, &arm->code);
	if (rc == 0 && find_arm(c->p, arm->code, strlen(arm->code)) !=
	    (long)i)
		return fail(c, k[ARM_CODE].val, "duplicate arm code '%s'; "
		    "expected each arm code once", arm->code);
	if (rc == 0)
		rc = get_text(c, &k[ARM_NAME], &arm->name);
	if (rc == 0)
		rc = get_small(c, &k[ARM_RATIO], 1, MAX_RATIO, &arm->ratio);
	if (rc == 0)
		c->p->ratio_sum += arm->ratio;
	return rc;
}

static const struct item_kind arm_item = { "arm", sizeof(struct sortes_arm),
	parse_arm, drop_arm, LOST_ARMS, offsetof(struct sortes_arm, code) };

static int
parse_arms(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	int n = s->val != NULL && fy_node_is_sequence(s->val) ?
	    fy_node_sequence_item_count(s->val) : 0;

	if (n > MAX_ARMS) {
		lose(c, LOST_ARMS, NULL);
		return fail(c, slot_at(s), "arms has %d items; expected at most %d",
		    n, MAX_ARMS);
	}
	return parse_list(c, s, 2, "a list of at least 2 arms", &arm_item,
	    &p->arms, &p->narms);
}

/* ------------------------------------------------------------------ */
/* fields: and measures: (variables sharing the type rules)           */

static const char *const type_names[] = {
	[SORTES_FIELD_STRING] = "string",
	[SORTES_FIELD_INTEGER] = "integer",
	[SORTES_FIELD_DATE] = "date",
	[SORTES_FIELD_ENUM] = "enum",
	[SORTES_FIELD_BOOLEAN] = "boolean",
	[SORTES_FIELD_DECIMAL] = "decimal",
};
_Static_assert(SORTES_FIELD_DECIMAL + 1 == NKEYS(type_names),
    "parse_type() leaves decimal out for fields by leaving out the last");

enum { V_ID, V_LABEL, V_TYPE, V_REQUIRED, V_VALUES, V_MIN, V_MAX,
	V_DECIMALS, V_DATE_FORMAT, V_N };

static const struct key field_keys[V_N] = {
	[V_ID] = { "name", 1, "the field name, e.g. birth_date" },
	[V_LABEL] = { "label", 0, "" },
	[V_TYPE] = { "type", 1,
	    "one of string, integer, date, enum, boolean" },
	[V_REQUIRED] = { "required", 0, "" },
	[V_VALUES] = { "values", 0, "" },
	[V_MIN] = { "min", 0, "" },
	[V_MAX] = { "max", 0, "" },
	[V_DECIMALS] = { NULL, 0, NULL },
	[V_DATE_FORMAT] = { "date_format", 0, "" },
};

/*
 * Measures have a code and are never "required" at enrollment; they
 * alone may be decimal, since fields feed strata and eligibility rules
 * that count in whole numbers.
 */
static const struct key measure_keys[V_N] = {
	[V_ID] = { "code", 1, "the measure code, e.g. who5" },
	[V_LABEL] = { "label", 0, "" },
	[V_TYPE] = { "type", 1,
	    "one of string, integer, decimal, date, enum, boolean" },
	[V_REQUIRED] = { NULL, 0, NULL },
	[V_VALUES] = { "values", 0, "" },
	[V_MIN] = { "min", 0, "" },
	[V_MAX] = { "max", 0, "" },
	[V_DECIMALS] = { "decimals", 0, "" },
	[V_DATE_FORMAT] = { "date_format", 0, "" },
};

static int
parse_type(struct ctx *c, const struct slot *s, const struct key *keys,
    enum sortes_field_type *out)
{
	/* decimal comes last, and only measures have it */
	struct words w = STRINGS(type_names, NKEYS(type_names) -
	    (keys[V_DECIMALS].name == NULL));
	const char *t;
	size_t len, i;
	int rc;

	rc = scalar_text(c, s, keys[V_TYPE].expect, &t, &len);
	if (rc != 0)
		return rc;
	for (i = 0; i < NKEYS(type_names); i++) {
		if (i == SORTES_FIELD_DECIMAL && keys[V_DECIMALS].name == NULL)
			continue;
		if (text_is(t, len, type_names[i])) {
			*out = (enum sortes_field_type)i;
			return 0;
		}
	}
	return unknown(c, slot_at(s), 0, t, len, &w, 1, "unknown type '%.*s'; "
	    "expected %s", (int)(len > 64 ? 64 : len), t, keys[V_TYPE].expect);
}

/* An enum value: one line of text without blanks at either end. */
static int
parse_enum_value(struct ctx *c, const struct slot *s, struct sortes_field *f)
{
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, "a value", &t, &len);
	if (rc == 0)
		rc = text_ok(c, s, t, len);
	if (rc != 0)
		return rc;
	if (t[0] == ' ' || t[len - 1] == ' ')
		return fail(c, slot_at(s), "value '%.*s' starts or ends with a "
		    "blank; expected a value without surrounding blanks",
		    (int)(len > 64 ? 64 : len), t);
	if (find_value(f, t, len) >= 0)
		return fail(c, slot_at(s), "duplicate value '%.*s'; expected each "
		    "value once", (int)(len > 64 ? 64 : len), t);
	return dup_text(c, t, len, &f->values[f->nvalues++]);
}

static int
parse_values(struct ctx *c, const struct slot *s, struct sortes_field *f)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n;
	int rc;

	rc = get_list(c, s, 1, "a list of the allowed values", &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*f->values), &f->values);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "value");

		rc = worse(rc, parse_enum_value(c, &is, f));
	}
	return rc;
}

/* Optional min and max, each within [lo, hi], min <= max. */
struct range {
	int has_min, has_max;
	int64_t min, max;
};

static int
parse_range(struct ctx *c, const struct slot *min, const struct slot *max,
    int64_t lo, int64_t hi, struct range *r)
{
	int rc = 0;

	r->has_min = min->key != NULL;
	r->has_max = max->key != NULL;
	r->min = r->max = 0;
	if (r->has_min)
		rc = get_int(c, min, lo, hi, &r->min);
	if (rc == 0 && r->has_max)
		rc = get_int(c, max, lo, hi, &r->max);
	if (rc == 0 && r->has_min && r->has_max && r->min > r->max)
		return fail(c, max->val, "max %" PRId64 " is below min %"
		    PRId64 "; expected max >= min", r->max, r->min);
	return rc;
}

/* A decimal bound such as 2.5, with at most f->decimals places. */
static int
get_decimal_bound(struct ctx *c, const struct slot *s,
    const struct sortes_field *f, int64_t *out)
{
	const char *t;
	size_t len;
	int rc, w;

	rc = scalar_text(c, s, "a number such as 2.5", &t, &len);
	if (rc != 0)
		return rc;
	w = (int)(len > 64 ? 64 : len);
	rc = sortes_decimal_parse(t, len, f->decimals, out);
	if (rc == SORTES_DECIMAL_PLACES)
		return fail(c, slot_at(s), "%s '%.*s' has more than %d "
		    "decimals; expected at most the measure's decimals",
		    s->name, w, t, f->decimals);
	if (rc != 0)
		return fail(c, slot_at(s), "%s '%.*s' is not a decimal number; "
		    "expected a number such as 2.5", s->name, w, t);
	return 0;
}

static int
parse_decimal_bounds(struct ctx *c, const struct slot *k,
    struct sortes_field *f)
{
	int rc = 0;

	f->decimals = 2;
	if (k[V_DECIMALS].key != NULL)
		rc = get_small(c, &k[V_DECIMALS], 0, MAX_DECIMALS, &f->decimals);
	f->has_min = k[V_MIN].key != NULL;
	f->has_max = k[V_MAX].key != NULL;
	if (rc == 0 && f->has_min)
		rc = get_decimal_bound(c, &k[V_MIN], f, &f->min);
	if (rc == 0 && f->has_max)
		rc = get_decimal_bound(c, &k[V_MAX], f, &f->max);
	if (rc == 0 && f->has_min && f->has_max && f->min > f->max)
		return fail(c, k[V_MAX].val, "max is below min; expected "
		    "max >= min");
	return rc;
}

static int
parse_bounds(struct ctx *c, const struct slot *k, struct sortes_field *f)
{
	struct range r;
	int rc;

	if (f->type == SORTES_FIELD_DECIMAL)
		return parse_decimal_bounds(c, k, f);
	rc = parse_range(c, &k[V_MIN], &k[V_MAX], -SORTES_INT_MAX,
	    SORTES_INT_MAX, &r);
	f->has_min = r.has_min;
	f->has_max = r.has_max;
	f->min = r.min;
	f->max = r.max;
	return rc;
}

/* type, values, min and max: the rules fields and measures share. */
static int
parse_typing(struct ctx *c, const struct slot *k, const struct key *keys,
    struct fy_node *at, struct sortes_field *f)
{
	int numeric;
	int rc;

	rc = parse_type(c, &k[V_TYPE], keys, &f->type);
	if (rc != 0)
		return rc;
	numeric = f->type == SORTES_FIELD_INTEGER ||
	    f->type == SORTES_FIELD_DECIMAL;
	if (f->type == SORTES_FIELD_ENUM && k[V_VALUES].key == NULL)
		return fail(c, at, "enum '%s' has no values; expected a list "
		    "of values", f->name);
	if (f->type != SORTES_FIELD_ENUM && k[V_VALUES].key != NULL)
		return fail(c, k[V_VALUES].key, "values given with type %s; "
		    "expected values only with type enum", type_names[f->type]);
	if (!numeric && (k[V_MIN].key != NULL || k[V_MAX].key != NULL))
		return fail(c, k[V_MIN].key != NULL ? k[V_MIN].key :
		    k[V_MAX].key, "min or max given with type %s; expected "
		    "them only with type integer or decimal",
		    type_names[f->type]);
	if (f->type != SORTES_FIELD_DECIMAL && k[V_DECIMALS].key != NULL)
		return fail(c, k[V_DECIMALS].key, "decimals given with type %s; "
		    "expected decimals only with type decimal",
		    type_names[f->type]);
	if (f->type != SORTES_FIELD_DATE && k[V_DATE_FORMAT].key != NULL)
		return fail(c, k[V_DATE_FORMAT].key, "date_format given with "
		    "type %s; expected date_format only with type date",
		    type_names[f->type]);
	if (f->type == SORTES_FIELD_DATE) {
		f->date_format = c->p->date_format;
		return parse_date_format(c, &k[V_DATE_FORMAT], &f->date_format,
		    &f->date_format_given);
	}
	if (f->type == SORTES_FIELD_ENUM)
		return parse_values(c, &k[V_VALUES], f);
	return parse_bounds(c, k, f);
}

static int
parse_variable(struct ctx *c, const struct slot *s, const struct key *keys,
    const char *what, struct sortes_field *f)
{
	struct slot k[V_N];
	int rc;

	rc = read_map(c, s, what, keys, V_N, k);
	if (rc == 0)
		rc = get_ident(c, &k[V_ID], &ID_NAME, &f->name);
	if (rc == 0)
		rc = get_opt_text(c, &k[V_LABEL], &f->label);
	if (rc == 0 && k[V_REQUIRED].key != NULL)
		rc = get_bool(c, &k[V_REQUIRED], &f->required);
	if (rc == 0)
		rc = parse_typing(c, k, keys, s->val, f);
	return rc;
}

static int
name_seen(const struct sortes_field *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return 1;
	return 0;
}

/* Item i of a list of variables, and its name checked against the others. */
static int
parse_variable_item(struct ctx *c, const struct slot *s, const struct key *keys,
    const char *what, const char *reserved, struct sortes_field *v, size_t i)
{
	int rc;

	rc = parse_variable(c, s, keys, what, &v[i]);
	if (rc == 0 && name_seen(v, i, v[i].name))
		rc = fail(c, s->val, "duplicate %s '%s'; expected each %s once",
		    what, v[i].name, what);
	if (rc == 0 && reserved != NULL && strcmp(v[i].name, reserved) == 0)
		rc = fail(c, s->val, "%s name '%s' is reserved for the "
		    "caseworker's team; expected another name", what, reserved);
	return rc;
}

/*
 * Read a list of fields, measures or covariates ('lost': which) into
 * *out, in protocol order.  'what' is the singular used in messages;
 * 'reserved', when not NULL, is a name none of them may take.  A
 * refused one is dropped, as parse_list() does.
 */
static int
parse_variables(struct ctx *c, const struct slot *s, const struct key *keys,
    const char *what, const char *reserved, unsigned lost,
    struct sortes_field **out, size_t *nout)
{
	const struct item_kind kind = { what, sizeof(struct sortes_field),
	    NULL, drop_variable, lost, offsetof(struct sortes_field, name) };
	struct fy_node *item;
	void *it = NULL;
	size_t n, i;
	int rc, r;

	if (s->key == NULL)
		return 0;
	rc = get_list(c, s, 1, "a list", &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(**out), out);
	if (rc != 0) {
		lose(c, lost, NULL);
		return rc;
	}
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, what);

		i = (*nout)++;
		r = parse_variable_item(c, &is, keys, what, reserved, *out, i);
		if (r != 0)
			drop_item(c, &kind, (char *)&(*out)[i], nout);
		rc = worse(rc, r);
	}
	return rc;
}

static int
cmp_fields(const void *a, const void *b)
{
	return strcmp(((const struct sortes_field *)a)->name,
	    ((const struct sortes_field *)b)->name);
}

static int
parse_fields(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	int rc;

	rc = parse_variables(c, s, field_keys, "field", TEAM_NAME, LOST_FIELDS,
	    &p->fields, &p->nfields);
	/* even after an error: later sections look up the fields kept */
	if (p->nfields > 1)
		qsort(p->fields, p->nfields, sizeof(*p->fields), cmp_fields);
	return rc;
}

/* ------------------------------------------------------------------ */
/* caseworkers: and derived:                                          */

enum { CW_COVARIATES, CW_N };

static const struct key caseworker_keys[CW_N] = {
	[CW_COVARIATES] = { "covariates", 1,
	    "a list of covariates recorded for each caseworker" },
};

static int
parse_caseworkers(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	struct slot k[CW_N];
	int rc;

	if (s->key == NULL)
		return 0;
	rc = read_map(c, s, "caseworkers", caseworker_keys, CW_N, k);
	if (rc != 0)
		lose(c, LOST_COVARIATES, NULL);
	if (rc == 0)
		rc = parse_variables(c, &k[CW_COVARIATES], field_keys,
		    "covariate", NULL, LOST_COVARIATES, &p->cw_covariates,
		    &p->ncw_covariates);
	if (p->ncw_covariates > 1)
		qsort(p->cw_covariates, p->ncw_covariates,
		    sizeof(*p->cw_covariates), cmp_fields);
	return rc;
}

#define BANDS_EXPECT "at least 2 ascending ages, such as [18, 23, 29]"

enum { DE_NAME, DE_AGE_OF, DE_BANDS, DE_N };

static const struct key derived_keys[DE_N] = {
	[DE_NAME] = { "name", 1, "the derived field's name, e.g. age_band" },
	[DE_AGE_OF] = { "age_of", 1, "the date field the age is taken from" },
	[DE_BANDS] = { "bands", 1, BANDS_EXPECT },
};

/* Strata name fields and derived fields alike, so names must differ. */
static int
derived_name_ok(struct ctx *c, const struct slot *s, size_t i)
{
	const char *name = c->p->derived[i].name;
	size_t j;

	if (strcmp(name, TEAM_NAME) == 0)
		return fail(c, s->val, "derived field name '%s' is reserved "
		    "for the caseworker's team; expected another name", name);
	if (find_field(c->p, name, strlen(name)) >= 0)
		return fail(c, s->val, "derived field '%s' has the name of a "
		    "field; expected a name no field has", name);
	for (j = 0; j < i; j++)
		if (strcmp(c->p->derived[j].name, name) == 0)
			return fail(c, s->val, "duplicate derived field '%s'; "
			    "expected each name once", name);
	return 0;
}

static int
parse_band_cut(struct ctx *c, const struct slot *s, struct sortes_derived *d)
{
	int64_t v;
	int rc;

	rc = get_int(c, s, 0, MAX_AGE, &v);
	if (rc != 0)
		return rc;
	if (d->ncuts > 0 && v <= d->cuts[d->ncuts - 1])
		return fail(c, slot_at(s), "band age %" PRId64 " is not above "
		    "the age before it, %" PRId64 "; expected ascending ages",
		    v, d->cuts[d->ncuts - 1]);
	d->cuts[d->ncuts++] = v;
	return 0;
}

/* "18-22": people say a band by its first and last whole age. */
static int
band_labels(struct ctx *c, struct sortes_derived *d)
{
	char buf[48];
	size_t i;
	int rc;

	rc = alloc_array(c, d->ncuts - 1, sizeof(*d->labels), &d->labels);
	for (i = 0; rc == 0 && i + 1 < d->ncuts; i++) {
		snprintf(buf, sizeof(buf), "%" PRId64 "-%" PRId64, d->cuts[i],
		    d->cuts[i + 1] - 1);
		rc = dup_text(c, buf, strlen(buf), &d->labels[i]);
	}
	return rc;
}

static int
parse_bands(struct ctx *c, const struct slot *s, struct sortes_derived *d)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n;
	int rc;

	rc = get_list(c, s, 2, BANDS_EXPECT, &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*d->cuts), &d->cuts);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "band age");

		rc = worse(rc, parse_band_cut(c, &is, d));
	}
	return rc == 0 ? band_labels(c, d) : rc;
}

static int
parse_derived_field(struct ctx *c, const struct slot *s, size_t i)
{
	struct sortes_derived *d = &c->p->derived[i];
	const struct sortes_field *f;
	struct slot k[DE_N];
	int rc;

	rc = read_map(c, s, "derived field", derived_keys, DE_N, k);
	if (rc == 0)
		rc = get_ident(c, &k[DE_NAME], &ID_NAME, &d->name);
	if (rc == 0)
		rc = derived_name_ok(c, &k[DE_NAME], i);
	if (rc == 0)
		rc = get_field_ref(c, &k[DE_AGE_OF], &d->age_of);
	if (rc != 0)
		return rc;
	f = &c->p->fields[d->age_of];
	if (f->type != SORTES_FIELD_DATE)
		return fail(c, k[DE_AGE_OF].val, "age_of names field '%s' of "
		    "type %s; expected a date field", f->name,
		    type_names[f->type]);
	return parse_bands(c, &k[DE_BANDS], d);
}

static const struct item_kind derived_item = { "derived field",
	sizeof(struct sortes_derived), parse_derived_field, drop_derived,
	LOST_DERIVED, offsetof(struct sortes_derived, name) };

static int
parse_derived(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;

	if (s->key == NULL)
		return 0;
	return parse_list(c, s, 1, "a list of derived fields", &derived_item,
	    &p->derived, &p->nderived);
}

/* ------------------------------------------------------------------ */
/* randomization:                                                     */

enum { RA_UNIT, RA_METHOD, RA_STRATA, RA_BLOCKS, RA_MINIMIZATION,
	RA_CONSTRAINED, RA_MATCHED_PAIRS, RA_NEW_HIRES, RA_BEACON, RA_N };

static const struct method_info {
	const char *name;
	enum sortes_unit unit;
	int strata;		/* strata required (else forbidden) */
	int blocks;		/* block_sizes required (else forbidden) */
	int section;		/* the RA_ key only this method takes, or -1 */
} methods[] = {
	[SORTES_METHOD_SIMPLE] = { "simple", SORTES_UNIT_INDIVIDUAL, 0, 0,
	    -1 },
	[SORTES_METHOD_BLOCKS] = { "blocks", SORTES_UNIT_INDIVIDUAL, 0, 1,
	    -1 },
	[SORTES_METHOD_STRATIFIED_BLOCKS] = { "stratified_blocks",
	    SORTES_UNIT_INDIVIDUAL, 1, 1, -1 },
	[SORTES_METHOD_MINIMIZATION] = { "minimization",
	    SORTES_UNIT_INDIVIDUAL, 0, 0, RA_MINIMIZATION },
	[SORTES_METHOD_COMPLETE] = { "complete", SORTES_UNIT_CASEWORKER, 0, 0,
	    -1 },
	/* stratifies caseworkers by their team, so it names no strata */
	[SORTES_METHOD_STRATIFIED] = { "stratified", SORTES_UNIT_CASEWORKER,
	    0, 0, -1 },
	[SORTES_METHOD_MATCHED_PAIRS] = { "matched_pairs",
	    SORTES_UNIT_CASEWORKER, 0, 0, RA_MATCHED_PAIRS },
	[SORTES_METHOD_CONSTRAINED] = { "constrained", SORTES_UNIT_CASEWORKER,
	    0, 0, RA_CONSTRAINED },
};

static const char *const unit_names[] = {
	[SORTES_UNIT_INDIVIDUAL] = "individual",
	[SORTES_UNIT_CASEWORKER] = "caseworker",
};

static void
method_list(enum sortes_unit unit, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < NKEYS(methods) && used < size; i++)
		if (methods[i].unit == unit)
			used += (size_t)snprintf(buf + used, size - used,
			    "%s%s", used > 0 ? ", " : "", methods[i].name);
}

static int
parse_unit(struct ctx *c, const struct slot *s)
{
	struct words w = STRINGS(unit_names, NKEYS(unit_names));
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, "individual or caseworker", &t, &len);
	if (rc != 0)
		return rc;
	if (text_is(t, len, "individual"))
		c->p->unit = SORTES_UNIT_INDIVIDUAL;
	else if (text_is(t, len, "caseworker"))
		c->p->unit = SORTES_UNIT_CASEWORKER;
	else
		return unknown(c, slot_at(s), 0, t, len, &w, 1, "unknown unit "
		    "'%.*s'; expected individual or caseworker",
		    (int)(len > 64 ? 64 : len), t);
	return 0;
}

/* "1:1" or "2:1:1", for messages. */
static void
ratio_text(const struct sortes_protocol *p, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < p->narms && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%d",
		    i > 0 ? ":" : "", p->arms[i].ratio);
}

/* What a method needs from the rest of the protocol. */
static int
method_fits(struct ctx *c, const struct slot *s)
{
	const struct sortes_protocol *p = c->p;
	char ratio[LIST_MAX];

	if (p->method == SORTES_METHOD_CONSTRAINED && p->ncw_covariates == 0)
		return (c->lost.any & LOST_COVARIATES) != 0 ? SORTES_EDATA :
		    fail(c, slot_at(s), "method constrained balances "
		    "caseworker covariates, but none are declared; expected a "
		    "caseworkers section with covariates");
	/* arms that lost one say nothing about the arms meant */
	if (p->method == SORTES_METHOD_MATCHED_PAIRS &&
	    (c->lost.any & LOST_ARMS) == 0 && (p->narms != 2 ||
	    p->arms[0].ratio != p->arms[1].ratio)) {
		ratio_text(p, ratio, sizeof(ratio));
		return fail(c, slot_at(s), "method matched_pairs splits each "
		    "pair between 2 arms, but the arms' ratio is %s; expected "
		    "exactly 2 arms with ratio 1:1", ratio);
	}
	return 0;
}

/* Only the methods of the protocol's unit are suggested. */
static int
unknown_method(struct ctx *c, const struct slot *s, const char *t, size_t len,
    const char *list)
{
	const char *names[NKEYS(methods)];
	struct words w = STRINGS(names, NKEYS(names));
	size_t i;

	for (i = 0; i < NKEYS(methods); i++)
		names[i] = methods[i].unit == c->p->unit ? methods[i].name :
		    NULL;
	return unknown(c, slot_at(s), 0, t, len, &w, 1, "unknown method "
	    "'%.*s'; expected one of %s", (int)(len > 64 ? 64 : len), t, list);
}

static int
parse_method(struct ctx *c, const struct slot *s)
{
	enum sortes_unit unit = c->p->unit;
	char list[LIST_MAX];
	const char *t;
	size_t len, i;
	int rc;

	method_list(unit, list, sizeof(list));
	rc = scalar_text(c, s, list, &t, &len);
	if (rc != 0)
		return rc;
	for (i = 0; i < NKEYS(methods); i++)
		if (text_is(t, len, methods[i].name))
			break;
	if (i == NKEYS(methods))
		return unknown_method(c, s, t, len, list);
	if (methods[i].unit != unit)
		return fail(c, slot_at(s), "method '%s' randomizes by %s, but unit "
		    "is %s; expected one of %s", methods[i].name,
		    unit_names[methods[i].unit], unit_names[unit], list);
	c->p->method = (enum sortes_method)i;
	return method_fits(c, s);
}

/* strata and minimization factors ------------------------------------ */

#define STRATUM_EXPECT "an enum or boolean field, a derived field or " \
	TEAM_NAME

static const char *
stratum_name(const struct sortes_protocol *p, size_t idx)
{
	if (idx == SORTES_STRATUM_TEAM)
		return TEAM_NAME;
	if (idx < p->nfields)
		return p->fields[idx].name;
	return p->derived[idx - p->nfields].name;
}

/* The index protocol.h defines for a stratum name; 0, or -1: unknown. */
static int
find_stratum(const struct sortes_protocol *p, const char *t, size_t len,
    size_t *out)
{
	long j;

	if (text_is(t, len, TEAM_NAME))
		*out = SORTES_STRATUM_TEAM;
	else if ((j = find_field(p, t, len)) >= 0)
		*out = (size_t)j;
	else if ((j = find_derived(p, t, len)) >= 0)
		*out = p->nfields + (size_t)j;
	else
		return -1;
	return 0;
}

/*
 * A stratum or minimization factor ('what'), listed in 'where', that
 * is not among list[0..n) yet.
 */
static int
get_stratum_ref(struct ctx *c, const struct slot *s, const char *what,
    const char *where, const size_t *list, size_t n, size_t *out)
{
	const struct sortes_protocol *p = c->p;
	const struct sortes_field *f;
	const char *t;
	size_t len, i;
	int rc;

	rc = scalar_text(c, s, STRATUM_EXPECT, &t, &len);
	if (rc != 0)
		return rc;
	if (find_stratum(p, t, len, out) != 0) {
		static const char *const team[] = { TEAM_NAME };
		struct words w[] = {
			WORDS(p->fields, p->nfields, struct sortes_field, name),
			WORDS(p->derived, p->nderived, struct sortes_derived,
			    name),
			STRINGS(team, 1),
		};

		return unknown(c, slot_at(s), LOST_FIELDS | LOST_DERIVED, t,
		    len, w, NKEYS(w), "unknown field '%.*s' in %s; expected %s",
		    (int)(len > 64 ? 64 : len), t, where, STRATUM_EXPECT);
	}
	f = *out < p->nfields ? &p->fields[*out] : NULL;
	if (f != NULL && f->type != SORTES_FIELD_ENUM &&
	    f->type != SORTES_FIELD_BOOLEAN)
		return fail(c, slot_at(s), "%s '%s' is a field of type %s; "
		    "expected %s", what, f->name, type_names[f->type],
		    STRATUM_EXPECT);
	for (i = 0; i < n; i++)
		if (list[i] == *out)
			return fail(c, slot_at(s), "%s '%s' is listed twice; "
			    "expected each %s once", what, stratum_name(p, *out),
			    what);
	return 0;
}

static int
parse_strata(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	struct fy_node *item;
	void *it = NULL;
	size_t n, idx;
	int rc, r;

	rc = get_list(c, s, 1, "a list of strata: " STRATUM_EXPECT, &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*p->strata), &p->strata);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "stratum");

		r = get_stratum_ref(c, &is, "stratum", "strata", p->strata,
		    p->nstrata, &idx);
		if (r == 0)
			p->strata[p->nstrata++] = idx;
		rc = worse(rc, r);
	}
	return rc;
}

/* Fractions such as 0.8, exactly, in parts per SORTES_PER10K. */
struct decimal_kind {
	int lo, hi;
	const char *expect;
};

static const struct decimal_kind DEC_PROBABILITY = { 5000, SORTES_PER10K,
	"a decimal from 0.5 to 1 with at most 4 decimals, such as 0.8" };
static const struct decimal_kind DEC_KEEP = { 1, SORTES_PER10K,
	"a decimal above 0 and at most 1, with at most 4 decimals, such as "
	"0.1" };

static int
get_decimal(struct ctx *c, const struct slot *s, const struct decimal_kind *k,
    int *out)
{
	const char *t;
	size_t len;
	int64_t v;
	int rc, w;

	rc = scalar_text(c, s, k->expect, &t, &len);
	if (rc != 0)
		return rc;
	w = (int)(len > 64 ? 64 : len);
	if (fy_node_get_style(s->val) != FYNS_PLAIN)
		return fail(c, slot_at(s), "%s is quoted text; expected %s, "
		    "written without quotes", s->name, k->expect);
	rc = sortes_decimal_parse(t, len, DECIMALS, &v);
	if (rc == -1)
		return fail(c, slot_at(s), "%s '%.*s' is not a decimal; expected "
		    "%s", s->name, w, t, k->expect);
	if (rc == -2)
		return fail(c, slot_at(s), "%s '%.*s' has more than %d decimals; "
		    "expected %s", s->name, w, t, DECIMALS, k->expect);
	if (rc != 0 || v < k->lo || v > k->hi)
		return fail(c, slot_at(s), "%s %.*s is out of range; expected %s",
		    s->name, w, t, k->expect);
	*out = (int)v;
	return 0;
}

enum { MF_NAME, MF_WEIGHT, MF_N };

static const struct key factor_keys[MF_N] = {
	[MF_NAME] = { "name", 1, STRATUM_EXPECT },
	[MF_WEIGHT] = { "weight", 0, "" },
};

static int
parse_factor(struct ctx *c, const struct slot *s, struct sortes_minimization *m)
{
	struct slot k[MF_N];
	size_t idx = 0;
	int64_t w = 1;
	int rc;

	rc = read_map(c, s, "minimization factor", factor_keys, MF_N, k);
	if (rc == 0)
		rc = get_stratum_ref(c, &k[MF_NAME], "factor",
		    "minimization factors", m->factors, m->nfactors, &idx);
	if (rc == 0 && k[MF_WEIGHT].key != NULL)
		rc = get_int(c, &k[MF_WEIGHT], 1, MAX_WEIGHT, &w);
	if (rc == 0) {
		m->factors[m->nfactors] = idx;
		m->weights[m->nfactors++] = w;
	}
	return rc;
}

#define FACTORS_EXPECT "a list of factors such as [{name: sex}, " \
	"{name: age_band, weight: 2}]"

enum { MI_FACTORS, MI_PROBABILITY, MI_N };

static const struct key minimization_keys[MI_N] = {
	[MI_FACTORS] = { "factors", 1, FACTORS_EXPECT },
	[MI_PROBABILITY] = { "probability", 1,
	    "the chance of following the minimizing arm, e.g. 0.8" },
};

static int
parse_factors(struct ctx *c, const struct slot *s, struct sortes_minimization *m)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n;
	int rc;

	rc = get_list(c, s, 1, FACTORS_EXPECT, &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*m->factors), &m->factors);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*m->weights), &m->weights);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "factor");

		rc = worse(rc, parse_factor(c, &is, m));
	}
	return rc;
}

static int
parse_minimization(struct ctx *c, const struct slot *s)
{
	struct sortes_minimization *m;
	struct slot k[MI_N];
	int rc;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return oom(c);
	c->p->minimization = m;
	rc = read_map(c, s, "minimization", minimization_keys, MI_N, k);
	if (rc != 0)
		return rc;
	rc = parse_factors(c, &k[MI_FACTORS], m);
	return worse(rc, get_decimal(c, &k[MI_PROBABILITY], &DEC_PROBABILITY,
	    &m->probability_per10k));
}

/* block sizes (method blocks and new_hires) -------------------------- */

static int
parse_block_size(struct ctx *c, const struct slot *s, int *sizes, size_t *n)
{
	int ratio_sum = c->p->ratio_sum;
	size_t i;
	int v, rc;

	rc = get_small(c, s, 1, MAX_BLOCK, &v);
	if (rc != 0)
		return rc;
	/* without all the arms the ratio sum is not known */
	if ((c->lost.any & LOST_ARMS) == 0 && v % ratio_sum != 0)
		return fail(c, slot_at(s), "block size %d is not a multiple of the "
		    "ratio sum %d; expected a positive multiple of %d", v,
		    ratio_sum, ratio_sum);
	for (i = 0; i < *n; i++)
		if (sizes[i] == v)
			return fail(c, slot_at(s), "block size %d is listed twice; "
			    "expected each size once", v);
	sizes[(*n)++] = v;
	return 0;
}

static int
parse_block_list(struct ctx *c, const struct slot *s, int **sizes, size_t *n)
{
	struct fy_node *item;
	void *it = NULL;
	size_t count;
	int rc;

	rc = get_list(c, s, 1, "a list of block sizes", &count);
	if (rc == 0)
		rc = alloc_array(c, count, sizeof(**sizes), sizes);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "block size");

		rc = worse(rc, parse_block_size(c, &is, *sizes, n));
	}
	return rc;
}

static int
parse_blocks(struct ctx *c, const struct slot *s)
{
	return parse_block_list(c, s, &c->p->block_sizes,
	    &c->p->nblock_sizes);
}

/* constrained -------------------------------------------------------- */

/* 'which' is the covariate expected, e.g. "an integer covariate". */
static int
unknown_covariate(struct ctx *c, const struct slot *s, const char *t,
    size_t len, const char *which)
{
	struct words w = WORDS(c->p->cw_covariates, c->p->ncw_covariates,
	    struct sortes_field, name);

	return unknown(c, slot_at(s), LOST_COVARIATES, t, len, &w, 1,
	    "unknown covariate '%.*s'; expected %s declared under caseworkers",
	    (int)(len > 64 ? 64 : len), t, which);
}

static int
balances(enum sortes_field_type t)
{
	return t == SORTES_FIELD_INTEGER || t == SORTES_FIELD_ENUM ||
	    t == SORTES_FIELD_BOOLEAN;
}

static int
parse_balanced(struct ctx *c, const struct slot *s,
    struct sortes_constrained *co)
{
	const struct sortes_field *f;
	const char *t;
	size_t len, i;
	long j;
	int rc;

	rc = scalar_text(c, s, "the name of a caseworker covariate", &t, &len);
	if (rc != 0)
		return rc;
	j = find_covariate(c->p, t, len);
	if (j < 0)
		return unknown_covariate(c, s, t, len, "a covariate");
	f = &c->p->cw_covariates[j];
	if (!balances(f->type))
		return fail(c, slot_at(s), "covariate '%s' is of type %s; "
		    "expected an integer, enum or boolean covariate", f->name,
		    type_names[f->type]);
	for (i = 0; i < co->ncovariates; i++)
		if (co->covariates[i] == (size_t)j)
			return fail(c, slot_at(s), "covariate '%s' is listed "
			    "twice; expected each covariate once", f->name);
	co->covariates[co->ncovariates++] = (size_t)j;
	return 0;
}

/* Absent: every covariate that can be balanced, in name order. */
static int
default_balanced(struct ctx *c, struct fy_node *at,
    struct sortes_constrained *co)
{
	const struct sortes_protocol *p = c->p;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < p->ncw_covariates; i++)
		n += balances(p->cw_covariates[i].type) ? 1 : 0;
	if (n == 0 && (c->lost.any & LOST_COVARIATES) != 0)
		return SORTES_EDATA;	/* the covariate lost may be one */
	if (n == 0)
		return fail(c, at, "no caseworker covariate is of type integer, "
		    "enum or boolean; expected at least one to balance");
	rc = alloc_array(c, n, sizeof(*co->covariates), &co->covariates);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*co->weights), &co->weights);
	for (i = 0; rc == 0 && i < p->ncw_covariates; i++)
		if (balances(p->cw_covariates[i].type))
			co->covariates[co->ncovariates++] = i;
	return rc;
}

static int
parse_balanced_list(struct ctx *c, const struct slot *s, struct fy_node *at,
    struct sortes_constrained *co)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n;
	int rc;

	if (s->key == NULL)
		return default_balanced(c, at, co);
	rc = get_list(c, s, 1, "a list of caseworker covariate names", &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*co->covariates), &co->covariates);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*co->weights), &co->weights);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "covariate");

		rc = worse(rc, parse_balanced(c, &is, co));
	}
	return rc;
}

static int
parse_metric(struct ctx *c, const struct slot *s, int *out)
{
	static const char *const metrics[] = { "l2", "l1" };
	struct words w = STRINGS(metrics, NKEYS(metrics));
	const char *t;
	size_t len;
	int rc;

	*out = 2;
	if (s->key == NULL)
		return 0;
	rc = scalar_text(c, s, "l2 or l1", &t, &len);
	if (rc != 0)
		return rc;
	if (text_is(t, len, "l1"))
		*out = 1;
	else if (!text_is(t, len, "l2"))
		return unknown(c, slot_at(s), 0, t, len, &w, 1, "unknown metric "
		    "'%.*s'; expected l2 or l1", (int)(len > 64 ? 64 : len), t);
	return 0;
}

static int
parse_coding(struct ctx *c, const struct slot *s, enum sortes_coding *out)
{
	static const char *const names[] = { "reference", "per_level" };
	static const enum sortes_coding codings[] = { SORTES_CODING_REFERENCE,
	    SORTES_CODING_PER_LEVEL };
	int i = -1, rc = get_word(c, s, names, NKEYS(names), "coding",
	    "reference or per_level", &i);

	*out = i < 0 ? SORTES_CODING_UNSET : codings[i];
	return rc;
}

/* Position of a weight's name among the balanced covariates, or -1. */
static long
balanced_pos(const struct sortes_protocol *p,
    const struct sortes_constrained *co, const char *t, size_t len)
{
	long j = find_covariate(p, t, len);
	size_t i;

	for (i = 0; j >= 0 && i < co->ncovariates; i++)
		if (co->covariates[i] == (size_t)j)
			return (long)i;
	return -1;
}

static void
balanced_list(const struct sortes_protocol *p,
    const struct sortes_constrained *co, char *buf, size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < co->ncovariates && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
		    i > 0 ? ", " : "", p->cw_covariates[co->covariates[i]].name);
}

/* A weight named 't', which is none of the balanced covariates ('list'). */
static int
unknown_weight(struct ctx *c, struct fy_node *at, const char *t, size_t len,
    const struct sortes_constrained *co, const char *list)
{
	const char **names;
	struct words w;
	size_t i;
	int rc;

	if ((names = calloc(co->ncovariates + 1, sizeof(*names))) == NULL)
		return oom(c);
	for (i = 0; i < co->ncovariates; i++)
		names[i] = c->p->cw_covariates[co->covariates[i]].name;
	w = (struct words)STRINGS(names, co->ncovariates);
	rc = unknown(c, at, LOST_COVARIATES, t, len, &w, 1, "weight given for "
	    "'%.*s', which is not a balanced covariate; expected one of %s",
	    (int)(len > 64 ? 64 : len), t, list);
	free(names);
	return rc;
}

/* Weights start at 0 (not given) so that a name given twice shows. */
static int
parse_weight(struct ctx *c, struct fy_node *map, struct fy_node_pair *pair,
    struct sortes_constrained *co)
{
	struct slot ws = { fy_node_pair_key(pair), fy_node_pair_value(pair),
	    "weight" };
	char list[LIST_MAX];
	const char *t;
	size_t len;
	long i;

	balanced_list(c->p, co, list, sizeof(list));
	if (is_null(ws.key) || !fy_node_is_scalar(ws.key))
		return fail(c, has_pos(ws.key) ? ws.key : map, "a key in weights "
		    "is not a covariate name; expected one of %s", list);
	t = fy_node_get_scalar(ws.key, &len);
	i = balanced_pos(c->p, co, t, len);
	if (i < 0)
		return unknown_weight(c, ws.key, t, len, co, list);
	if (co->weights[i] != 0)
		return fail(c, ws.key, "duplicate weight for '%.*s'; expected "
		    "each covariate at most once", (int)len, t);
	return get_int(c, &ws, 1, MAX_WEIGHT, &co->weights[i]);
}

static int
parse_weights(struct ctx *c, const struct slot *s,
    struct sortes_constrained *co)
{
	struct fy_node_pair *pair;
	void *it = NULL;
	size_t i;
	int rc = 0;

	if (s->key != NULL && (is_null(s->val) || !fy_node_is_mapping(s->val)))
		return fail(c, slot_at(s), "weights is %s; expected a mapping "
		    "from covariate name to weight, such as {caseload: 2}",
		    is_null(s->val) ? "empty" : fy_node_is_sequence(s->val) ?
		    "a list" : "a scalar");
	while (s->key != NULL && more(c) &&
	    (pair = fy_node_mapping_iterate(s->val, &it)) != NULL)
		rc = worse(rc, parse_weight(c, s->val, pair, co));
	for (i = 0; rc == 0 && i < co->ncovariates; i++)
		if (co->weights[i] == 0)
			co->weights[i] = 1;
	return rc;
}

enum { CO_COVARIATES, CO_METRIC, CO_WEIGHTS, CO_KEEP, CO_CODING, CO_N };

static const struct key constrained_keys[CO_N] = {
	[CO_COVARIATES] = { "covariates", 0, "" },
	[CO_METRIC] = { "metric", 0, "" },
	[CO_WEIGHTS] = { "weights", 0, "" },
	[CO_KEEP] = { "keep", 1, "the best-balanced fraction of allocations "
	    "to draw from, e.g. 0.1" },
	[CO_CODING] = { "coding", 0, "" },
};

static int
parse_constrained(struct ctx *c, const struct slot *s)
{
	struct sortes_constrained *co;
	struct slot k[CO_N];
	int rc;

	if ((co = calloc(1, sizeof(*co))) == NULL)
		return oom(c);
	c->p->constrained = co;
	rc = read_map(c, s, "constrained", constrained_keys, CO_N, k);
	if (rc == 0)
		rc = parse_balanced_list(c, &k[CO_COVARIATES], slot_at(s), co);
	if (rc == 0)
		rc = parse_metric(c, &k[CO_METRIC], &co->metric);
	if (rc == 0)
		rc = parse_weights(c, &k[CO_WEIGHTS], co);
	if (rc == 0)
		rc = get_decimal(c, &k[CO_KEEP], &DEC_KEEP, &co->keep_per10k);
	if (rc == 0)
		rc = parse_coding(c, &k[CO_CODING], &co->coding);
	return rc;
}

/* matched_pairs ------------------------------------------------------ */

static int
parse_pair_by(struct ctx *c, const struct slot *s, long *by)
{
	const struct sortes_field *f;
	const char *t;
	size_t len;
	long j;
	int rc;

	rc = scalar_text(c, s, "an integer caseworker covariate", &t, &len);
	if (rc != 0)
		return rc;
	j = find_covariate(c->p, t, len);
	if (j < 0)
		return unknown_covariate(c, s, t, len, "an integer covariate");
	f = &c->p->cw_covariates[j];
	if (f->type != SORTES_FIELD_INTEGER)
		return fail(c, slot_at(s), "covariate '%s' is of type %s; "
		    "expected an integer covariate to pair by", f->name,
		    type_names[f->type]);
	*by = j;
	return 0;
}

static int
parse_pair_code(struct ctx *c, const struct slot *s,
    struct sortes_matched_pairs *mp, size_t at)
{
	size_t i;
	int rc;

	rc = get_ident(c, s, &ID_CASEWORKER, &mp->pairs[at]);
	for (i = 0; rc == 0 && i < at; i++)
		if (mp->pairs[i] != NULL && strcmp(mp->pairs[i],
		    mp->pairs[at]) == 0)
			return fail(c, slot_at(s), "caseworker '%s' is listed "
			    "twice; expected each caseworker in one pair only",
			    mp->pairs[at]);
	return rc;
}

#define PAIR_EXPECT "a list of 2 caseworker codes, such as [CW01, CW02]"

static int
parse_pair(struct ctx *c, const struct slot *s,
    struct sortes_matched_pairs *mp, size_t i)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n, j = 0;
	int rc;

	rc = get_list(c, s, 2, PAIR_EXPECT, &n);
	if (rc == 0 && n != 2)
		return fail(c, slot_at(s), "pair has %zu items; expected %s", n,
		    PAIR_EXPECT);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "caseworker code");

		rc = worse(rc, parse_pair_code(c, &is, mp, 2 * i + j++));
	}
	return rc;
}

static int
parse_pairs(struct ctx *c, const struct slot *s,
    struct sortes_matched_pairs *mp)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n, i = 0;
	int rc;

	rc = get_list(c, s, 1, "a list of pairs such as [[CW01, CW02], "
	    "[CW03, CW04]]", &n);
	if (rc == 0)
		rc = alloc_array(c, 2 * n, sizeof(*mp->pairs), &mp->pairs);
	if (rc != 0)
		return rc;
	mp->npairs = n;	/* unread or refused codes stay NULL until freed */
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "pair");

		rc = worse(rc, parse_pair(c, &is, mp, i++));
	}
	return rc;
}

enum { MP_BY, MP_PAIRS, MP_N };

static const struct key matched_pairs_keys[MP_N] = {
	[MP_BY] = { "by", 0, "" },
	[MP_PAIRS] = { "pairs", 0, "" },
};

static int
parse_matched_pairs(struct ctx *c, const struct slot *s)
{
	struct sortes_matched_pairs *mp;
	struct slot k[MP_N];
	int rc;

	if ((mp = calloc(1, sizeof(*mp))) == NULL)
		return oom(c);
	c->p->matched_pairs = mp;
	mp->by = -1;
	rc = read_map(c, s, "matched_pairs", matched_pairs_keys, MP_N, k);
	if (rc != 0)
		return rc;
	if (k[MP_BY].key != NULL && k[MP_PAIRS].key != NULL)
		return fail(c, k[MP_PAIRS].key, "matched_pairs has both by and "
		    "pairs; expected exactly one of them");
	if (k[MP_BY].key != NULL)
		return parse_pair_by(c, &k[MP_BY], &mp->by);
	if (k[MP_PAIRS].key != NULL)
		return parse_pairs(c, &k[MP_PAIRS], mp);
	return fail(c, slot_at(s), "matched_pairs has neither by nor pairs; "
	    "expected exactly one of them");
}

/* new_hires and beacon (unit caseworker) ----------------------------- */

enum { NH_BLOCKS, NH_N };

static const struct key new_hires_keys[NH_N] = {
	[NH_BLOCKS] = { "block_sizes", 1, "a list of block sizes for "
	    "caseworkers registered after randomization" },
};

static int
parse_new_hires(struct ctx *c, const struct slot *s)
{
	struct sortes_new_hires *nh;
	struct slot k[NH_N];
	int rc;

	if ((nh = calloc(1, sizeof(*nh))) == NULL)
		return oom(c);
	c->p->new_hires = nh;
	rc = read_map(c, s, "new_hires", new_hires_keys, NH_N, k);
	if (rc == 0)
		rc = parse_block_list(c, &k[NH_BLOCKS], &nh->block_sizes,
		    &nh->nblock_sizes);
	return rc;
}

/*
 * Caseworkers hired after the randomization still need an arm; the
 * smallest block that holds every arm twice keeps them balanced
 * without making the next allocation easy to guess.
 */
static int
default_new_hires(struct ctx *c)
{
	struct sortes_new_hires *nh;
	int rc;

	if ((nh = calloc(1, sizeof(*nh))) == NULL)
		return oom(c);
	c->p->new_hires = nh;
	rc = alloc_array(c, 1, sizeof(*nh->block_sizes), &nh->block_sizes);
	if (rc == 0) {
		nh->block_sizes[0] = 2 * c->p->ratio_sum;
		nh->nblock_sizes = 1;
	}
	return rc;
}

static int
get_date(struct ctx *c, const struct slot *s, int32_t *out)
{
	const char *t;
	size_t len;
	int y, m, d, rc;

	rc = scalar_text(c, s, "a date YYYY-MM-DD", &t, &len);
	if (rc != 0)
		return rc;
	if (!date_parts(t, len, &y, &m, &d))
		return fail(c, slot_at(s), "%s '%.*s' is not a date; expected "
		    "YYYY-MM-DD", s->name, (int)(len > 64 ? 64 : len), t);
	*out = day_number(y, m, d);
	return 0;
}

enum { BE_SOURCE, BE_ROUND, BE_DATE, BE_N };

static const struct key beacon_keys[BE_N] = {
	[BE_SOURCE] = { "source", 1,
	    "what the beacon is, e.g. League of Entropy drand mainnet" },
	[BE_ROUND] = { "round", 0, "" },
	[BE_DATE] = { "date", 0, "" },
};

static int
parse_beacon(struct ctx *c, const struct slot *s)
{
	struct sortes_beacon *b;
	struct slot k[BE_N];
	int rc;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return oom(c);
	c->p->beacon = b;
	b->round = -1;
	rc = read_map(c, s, "beacon", beacon_keys, BE_N, k);
	if (rc == 0)
		rc = get_text(c, &k[BE_SOURCE], &b->source);
	if (rc != 0)
		return rc;
	if (k[BE_ROUND].key != NULL && k[BE_DATE].key != NULL)
		return fail(c, k[BE_DATE].key, "beacon has both round and date; "
		    "expected exactly one of them");
	if (k[BE_ROUND].key != NULL)
		return get_int(c, &k[BE_ROUND], 0, SORTES_INT_MAX, &b->round);
	if (k[BE_DATE].key != NULL)
		return get_date(c, &k[BE_DATE], &b->date);
	return fail(c, slot_at(s), "beacon has neither round nor date; "
	    "expected exactly one of them");
}

/* the randomization mapping ------------------------------------------ */

static const struct key rand_keys[RA_N] = {
	[RA_UNIT] = { "unit", 1, "individual or caseworker" },
	[RA_METHOD] = { "method", 1, "the randomization method" },
	[RA_STRATA] = { "strata", 0, "" },
	[RA_BLOCKS] = { "block_sizes", 0, "" },
	[RA_MINIMIZATION] = { "minimization", 0, "" },
	[RA_CONSTRAINED] = { "constrained", 0, "" },
	[RA_MATCHED_PAIRS] = { "matched_pairs", 0, "" },
	[RA_NEW_HIRES] = { "new_hires", 0, "" },
	[RA_BEACON] = { "beacon", 0, "" },
};

/* The keys after unit and method: who may or must have them. */
static const struct rand_section {
	int (*parse)(struct ctx *, const struct slot *);
	const char *missing;	/* what to write, said when required */
	const char *only;	/* where it belongs, said when not allowed */
	int by_unit;		/* allowed by unit caseworker, not by method */
} rand_sections[RA_N] = {
	[RA_STRATA] = { parse_strata, "a list of strata: " STRATUM_EXPECT,
	    "strata only with method stratified_blocks (minimization takes "
	    "minimization.factors; caseworker methods stratify by team)", 0 },
	[RA_BLOCKS] = { parse_blocks, "a list of block sizes",
	    "block_sizes only with blocks or stratified_blocks", 0 },
	[RA_MINIMIZATION] = { parse_minimization,
	    "a mapping with factors and probability",
	    "minimization only with method minimization", 0 },
	[RA_CONSTRAINED] = { parse_constrained,
	    "a mapping with keep and optionally covariates, metric, weights "
	    "and coding",
	    "constrained only with method constrained", 0 },
	[RA_MATCHED_PAIRS] = { parse_matched_pairs,
	    "a mapping with either by or pairs",
	    "matched_pairs only with method matched_pairs", 0 },
	[RA_NEW_HIRES] = { parse_new_hires, "",
	    "new_hires only with unit caseworker", 1 },
	[RA_BEACON] = { parse_beacon, "", "beacon only with unit caseworker",
	    1 },
};

enum presence { FORBIDDEN, OPTIONAL, REQUIRED };

static enum presence
presence(const struct sortes_protocol *p, int key)
{
	const struct method_info *m = &methods[p->method];

	if (rand_sections[key].by_unit)
		return p->unit == SORTES_UNIT_CASEWORKER ? OPTIONAL : FORBIDDEN;
	if (key == RA_STRATA)
		return m->strata ? REQUIRED : FORBIDDEN;
	if (key == RA_BLOCKS)
		return m->blocks ? REQUIRED : FORBIDDEN;
	return m->section == key ? REQUIRED : FORBIDDEN;
}

/* Randomization key 'key', checked against the unit and method. */
static int
parse_section(struct ctx *c, const struct slot *s, const struct slot *k,
    int key)
{
	const struct rand_section *r = &rand_sections[key];
	const struct sortes_protocol *p = c->p;
	enum presence pr = presence(p, key);

	if (k[key].key == NULL && pr == REQUIRED)
		return fail(c, slot_at(s), "missing key '%s' in randomization; "
		    "expected %s for method %s", rand_keys[key].name,
		    r->missing, methods[p->method].name);
	if (k[key].key != NULL && pr == FORBIDDEN)
		return fail(c, k[key].key, "%s given for %s %s; expected %s",
		    rand_keys[key].name, r->by_unit ? "unit" : "method",
		    r->by_unit ? unit_names[p->unit] : methods[p->method].name,
		    r->only);
	return k[key].key == NULL ? 0 : r->parse(c, &k[key]);
}

static int
parse_randomization(struct ctx *c, const struct slot *s)
{
	struct slot k[RA_N];
	int key, rc;

	rc = read_map(c, s, "randomization", rand_keys, RA_N, k);
	if (rc == 0)
		rc = parse_unit(c, &k[RA_UNIT]);
	if (rc == 0)
		rc = parse_method(c, &k[RA_METHOD]);
	if (rc != 0)
		return rc;
	/* checked against unit and method, the rest do not depend on each other */
	for (key = RA_STRATA; more(c) && key < RA_N; key++)
		rc = worse(rc, parse_section(c, s, k, key));
	if (rc == 0 && c->p->unit == SORTES_UNIT_CASEWORKER &&
	    c->p->new_hires == NULL)
		rc = default_new_hires(c);
	return rc;
}

/* ------------------------------------------------------------------ */
/* eligibility:                                                       */

enum { RU_NAME, RU_AGE_OF, RU_FIELD, RU_EQUALS, RU_ONE_OF, RU_MIN, RU_MAX,
	RU_N };

static const struct key rule_keys[RU_N] = {
	[RU_NAME] = { "name", 1,
	    "a short name said when someone is refused, e.g. 'age 18-28'" },
	[RU_AGE_OF] = { "age_of", 0, "" },
	[RU_FIELD] = { "field", 0, "" },
	[RU_EQUALS] = { "equals", 0, "" },
	[RU_ONE_OF] = { "one_of", 0, "" },
	[RU_MIN] = { "min", 0, "" },
	[RU_MAX] = { "max", 0, "" },
};

/* The canonical text of a value of field 'f', as field.h defines it. */
static int
canon_value(struct ctx *c, const struct slot *s, const struct sortes_field *f,
    char **out)
{
	struct words values = STRINGS(f->values, f->nvalues);
	struct words bools = STRINGS(booleans, NKEYS(booleans));
	char buf[LIST_MAX];
	const char *t;
	size_t len;
	int64_t v;
	int rc;

	rc = scalar_text(c, s, "a value", &t, &len);
	if (rc == 0)
		rc = text_ok(c, s, t, len);
	if (rc != 0)
		return rc;
	switch (f->type) {
	case SORTES_FIELD_ENUM:
		if (find_value(f, t, len) >= 0)
			break;
		value_list(f, buf, sizeof(buf));
		return unknown(c, slot_at(s), 0, t, len, &values, 1, "'%.*s' is "
		    "not a value of field '%s'; expected one of %s", (int)len, t,
		    f->name, buf);
	case SORTES_FIELD_BOOLEAN:
		if (text_is(t, len, "true") || text_is(t, len, "false"))
			break;
		return unknown(c, slot_at(s), 0, t, len, &bools, 1, "'%.*s' is "
		    "not a boolean; expected true or false", (int)len, t);
	case SORTES_FIELD_INTEGER:
		if (parse_int_text(t, len, &v) != 0)
			return fail(c, slot_at(s), "'%.*s' is not an integer within "
			    "2^53-1; expected an integer", (int)len, t);
		snprintf(buf, sizeof(buf), "%" PRId64, v);
		return dup_text(c, buf, strlen(buf), out);
	case SORTES_FIELD_DATE:
		if (is_date(t, len))
			break;
		return fail(c, slot_at(s), "'%.*s' is not a date; expected "
		    "YYYY-MM-DD", (int)len, t);
	case SORTES_FIELD_STRING:
	case SORTES_FIELD_DECIMAL:	/* a measure type; fields are never */
		break;
	}
	return dup_text(c, t, len, out);
}

static int
rule_seen(const struct sortes_rule *rules, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(rules[i].name, name) == 0)
			return 1;
	return 0;
}

static int
parse_rule_value(struct ctx *c, const struct slot *s,
    const struct sortes_field *f, struct sortes_rule *r)
{
	size_t i;
	int rc;

	rc = canon_value(c, s, f, &r->values[r->nvalues]);
	if (rc != 0)
		return rc;
	r->nvalues++;
	for (i = 0; i + 1 < r->nvalues; i++)
		if (strcmp(r->values[i], r->values[r->nvalues - 1]) == 0)
			return fail(c, slot_at(s), "value '%s' is listed twice; "
			    "expected each value once", r->values[i]);
	return 0;
}

static int
parse_one_of(struct ctx *c, const struct slot *s,
    const struct sortes_field *f, struct sortes_rule *r)
{
	struct fy_node *item;
	void *it = NULL;
	size_t n;
	int rc;

	rc = get_list(c, s, 1, "a list of values", &n);
	if (rc == 0)
		rc = alloc_array(c, n, sizeof(*r->values), &r->values);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, "one_of value");

		rc = worse(rc, parse_rule_value(c, &is, f, r));
	}
	return rc;
}

static int
rule_range(struct ctx *c, const struct slot *k, struct fy_node *at,
    int64_t lo, int64_t hi, struct sortes_rule *r)
{
	struct range rg;
	int rc;

	if (k[RU_MIN].key == NULL && k[RU_MAX].key == NULL)
		return fail(c, at, "rule '%s' has neither min nor max; expected "
		    "at least one of them", r->name);
	rc = parse_range(c, &k[RU_MIN], &k[RU_MAX], lo, hi, &rg);
	r->has_min = rg.has_min;
	r->has_max = rg.has_max;
	r->min = rg.min;
	r->max = rg.max;
	return rc;
}

static int
parse_age_rule(struct ctx *c, const struct slot *k, struct fy_node *at,
    struct sortes_rule *r)
{
	const struct sortes_field *f;
	int rc;

	r->kind = SORTES_RULE_AGE;
	rc = get_field_ref(c, &k[RU_AGE_OF], &r->field);
	if (rc != 0)
		return rc;
	f = &c->p->fields[r->field];
	if (f->type != SORTES_FIELD_DATE)
		return fail(c, k[RU_AGE_OF].val, "age_of names field '%s' of "
		    "type %s; expected a date field", f->name,
		    type_names[f->type]);
	if (k[RU_EQUALS].key != NULL || k[RU_ONE_OF].key != NULL)
		return fail(c, k[k[RU_EQUALS].key != NULL ? RU_EQUALS :
		    RU_ONE_OF].key, "rule '%s' on an age has equals or one_of; "
		    "expected min and/or max in whole years", r->name);
	return rule_range(c, k, at, 0, MAX_AGE, r);
}

/* Which of equals, one_of and min/max a field rule uses; -1: not one. */
static int
rule_form(const struct slot *k, struct fy_node **extra)
{
	int forms[3], i, n = 0, form = -1;

	forms[0] = k[RU_EQUALS].key != NULL;
	forms[1] = k[RU_ONE_OF].key != NULL;
	forms[2] = k[RU_MIN].key != NULL || k[RU_MAX].key != NULL;
	*extra = NULL;
	for (i = 0; i < 3; i++) {
		if (!forms[i])
			continue;
		if (n++ == 0)
			form = i;
		else if (*extra == NULL)
			*extra = i == 1 ? k[RU_ONE_OF].key :
			    k[RU_MIN].key != NULL ? k[RU_MIN].key :
			    k[RU_MAX].key;
	}
	return n == 1 ? form : -1;
}

static int
parse_field_rule(struct ctx *c, const struct slot *k, struct fy_node *at,
    struct sortes_rule *r)
{
	const struct sortes_field *f;
	struct fy_node *extra;
	int form, rc;

	rc = get_field_ref(c, &k[RU_FIELD], &r->field);
	if (rc != 0)
		return rc;
	f = &c->p->fields[r->field];
	form = rule_form(k, &extra);
	if (form < 0)
		return fail(c, extra != NULL ? extra : at, "rule '%s' has %s "
		    "condition; expected exactly one of equals, one_of, or "
		    "min and/or max", r->name, extra != NULL ? "more than one" :
		    "no");
	if (form == 0) {
		r->kind = SORTES_RULE_EQUALS;
		rc = alloc_array(c, 1, sizeof(*r->values), &r->values);
		return rc != 0 ? rc : parse_rule_value(c, &k[RU_EQUALS], f, r);
	}
	if (form == 1) {
		r->kind = SORTES_RULE_ONE_OF;
		return parse_one_of(c, &k[RU_ONE_OF], f, r);
	}
	r->kind = SORTES_RULE_RANGE;
	if (f->type != SORTES_FIELD_INTEGER)
		return fail(c, k[RU_MIN].key != NULL ? k[RU_MIN].key :
		    k[RU_MAX].key, "rule '%s' gives min or max for field '%s' "
		    "of type %s; expected them only for integer fields",
		    r->name, f->name, type_names[f->type]);
	return rule_range(c, k, at, -SORTES_INT_MAX, SORTES_INT_MAX, r);
}

static int
parse_rule(struct ctx *c, const struct slot *s, size_t i)
{
	struct sortes_rule *r = &c->p->rules[i];
	struct slot k[RU_N];
	int col, rc;

	rc = read_map(c, s, "eligibility rule", rule_keys, RU_N, k);
	if (rc == 0)
		rc = get_text(c, &k[RU_NAME], &r->name);
	if (rc == 0 && rule_seen(c->p->rules, i, r->name))
		return fail(c, k[RU_NAME].val, "duplicate rule name '%s'; "
		    "expected each rule name once", r->name);
	if (rc != 0)
		return rc;
	node_pos(c, s->val, &r->line, &col);
	if (k[RU_AGE_OF].key != NULL && k[RU_FIELD].key != NULL)
		return fail(c, k[RU_FIELD].key, "rule '%s' has both age_of and "
		    "field; expected one of them", r->name);
	if (k[RU_AGE_OF].key != NULL)
		return parse_age_rule(c, k, s->val, r);
	if (k[RU_FIELD].key != NULL)
		return parse_field_rule(c, k, s->val, r);
	return fail(c, slot_at(s), "rule '%s' has neither age_of nor field; "
	    "expected one of them", r->name);
}

static const struct item_kind rule_item = { "eligibility rule",
	sizeof(struct sortes_rule), parse_rule, drop_rule, 0, 0 };

static int
parse_eligibility(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;

	if (s->key == NULL)
		return 0;
	return parse_list(c, s, 1, "a list of rules", &rule_item, &p->rules,
	    &p->nrules);
}

static int
parse_measures(struct ctx *c, const struct slot *s)
{
	return parse_variables(c, s, measure_keys, "measure", NULL,
	    LOST_MEASURES, &c->p->measures, &c->p->nmeasures);
}

/* ------------------------------------------------------------------ */
/* followups:                                                         */

#define OFFSET_EXPECT "a number and a unit, such as '6 months', " \
	"'2 weeks' or '14 days'"

static const struct offset_unit {
	const char *one, *many;
	enum sortes_offset_unit unit;
	int64_t max;		/* about a century */
} offset_units[] = {
	{ "day", "days", SORTES_DAYS, 36525 },
	{ "week", "weeks", SORTES_WEEKS, 5218 },
	{ "month", "months", SORTES_MONTHS, 1200 },
};

/* "6 months" into *out: 0, -1 when not an offset, -2 when too long. */
static int
offset_text(const char *t, size_t len, struct sortes_offset *out,
    const struct offset_unit **unit)
{
	const char *sp = memchr(t, ' ', len);
	const char *word;
	size_t i, wlen;
	int64_t n;

	if (sp == NULL || sp == t || t[0] == '-' ||
	    parse_int_text(t, (size_t)(sp - t), &n) != 0)
		return -1;
	word = sp + 1;
	wlen = len - (size_t)(word - t);
	for (i = 0; i < NKEYS(offset_units); i++) {
		*unit = &offset_units[i];
		if (!text_is(word, wlen, (*unit)->many) &&
		    !(n == 1 && text_is(word, wlen, (*unit)->one)))
			continue;
		out->n = n;
		out->unit = (*unit)->unit;
		return n > (*unit)->max ? -2 : 0;
	}
	return -1;
}

/* Not an offset; a misspelt unit after a number gets a suggestion. */
static int
bad_offset(struct ctx *c, const struct slot *s, const char *t, size_t len)
{
	const char *units[2 * NKEYS(offset_units)];
	const char *sp = memchr(t, ' ', len);
	struct words w = STRINGS(units, 0);
	size_t i, after = 0;
	int64_t n;

	if (sp != NULL && parse_int_text(t, (size_t)(sp - t), &n) == 0) {
		for (i = 0; i < NKEYS(offset_units); i++) {
			units[w.n++] = offset_units[i].many;
			if (n == 1)
				units[w.n++] = offset_units[i].one;
		}
		after = (size_t)(sp + 1 - t);
	}
	return unknown(c, slot_at(s), 0, t + after, w.n > 0 ? len - after : 0,
	    &w, 1, "%s '%.*s' is not an offset; expected %s", s->name,
	    (int)(len > 64 ? 64 : len), t, OFFSET_EXPECT);
}

static int
parse_offset(struct ctx *c, const struct slot *s, struct sortes_offset *out)
{
	const struct offset_unit *u = NULL;
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, OFFSET_EXPECT, &t, &len);
	if (rc != 0)
		return rc;
	rc = offset_text(t, len, out, &u);
	if (rc == -2)
		return fail(c, slot_at(s), "%s of %" PRId64 " %s is too long; "
		    "expected at most %" PRId64 " %s", s->name, out->n,
		    u->many, u->max, u->many);
	if (rc != 0)
		return bad_offset(c, s, t, len);
	return 0;
}

enum { WI_BEFORE, WI_AFTER, WI_N };

static const struct key window_keys[WI_N] = {
	[WI_BEFORE] = { "before", 1,
	    "how long before the due date the window opens, e.g. '14 days'" },
	[WI_AFTER] = { "after", 1,
	    "how long after the due date the window closes, e.g. '30 days'" },
};

static int
parse_window(struct ctx *c, const struct slot *s, struct sortes_occasion *o)
{
	struct slot k[WI_N];
	int rc;

	rc = read_map(c, s, "window", window_keys, WI_N, k);
	if (rc == 0)
		rc = parse_offset(c, &k[WI_BEFORE], &o->window_before);
	if (rc == 0)
		rc = parse_offset(c, &k[WI_AFTER], &o->window_after);
	return rc;
}

/* A list of codes that name arms or measures, read into indexes. */
struct ref_kind {
	const char *what, *expect;
	long (*find)(const struct sortes_protocol *, const char *, size_t);
	struct words (*words)(const struct sortes_protocol *);	/* all codes */
	unsigned lost;		/* the LOST_ bit of the list named */
};

static struct words
arm_words(const struct sortes_protocol *p)
{
	return (struct words)WORDS(p->arms, p->narms, struct sortes_arm, code);
}

static struct words
measure_words(const struct sortes_protocol *p)
{
	return (struct words)WORDS(p->measures, p->nmeasures,
	    struct sortes_field, name);
}

static const struct ref_kind REF_ARM = { "arm",
	"an arm code declared under arms", find_arm, arm_words, LOST_ARMS };
static const struct ref_kind REF_MEASURE = { "measure",
	"a measure code declared under measures", find_measure, measure_words,
	LOST_MEASURES };

static int
parse_ref(struct ctx *c, const struct slot *s, const struct ref_kind *kind,
    size_t *idx, size_t *n)
{
	const char *t;
	size_t len, i;
	long j;
	int rc;

	rc = scalar_text(c, s, "a code", &t, &len);
	if (rc != 0)
		return rc;
	j = kind->find(c->p, t, len);
	if (j < 0) {
		struct words w = kind->words(c->p);

		return unknown(c, slot_at(s), kind->lost, t, len, &w, 1,
		    "unknown %s '%.*s'; expected %s", kind->what,
		    (int)(len > 64 ? 64 : len), t, kind->expect);
	}
	for (i = 0; i < *n; i++)
		if (idx[i] == (size_t)j)
			return fail(c, slot_at(s), "%s '%.*s' is listed twice; "
			    "expected each %s once", kind->what, (int)len, t,
			    kind->what);
	idx[(*n)++] = (size_t)j;
	return 0;
}

static int
parse_refs(struct ctx *c, const struct slot *s, const struct ref_kind *kind,
    size_t **idx, size_t *n)
{
	char expect[80];
	struct fy_node *item;
	void *it = NULL;
	size_t count;
	int rc;

	snprintf(expect, sizeof(expect), "a list of %s codes", kind->what);
	rc = get_list(c, s, 1, expect, &count);
	if (rc == 0)
		rc = alloc_array(c, count, sizeof(**idx), idx);
	if (rc != 0)
		return rc;
	while (more(c) && (item = fy_node_sequence_iterate(s->val, &it))) {
		struct slot is = item_slot(s->val, item, s->name);

		rc = worse(rc, parse_ref(c, &is, kind, *idx, n));
	}
	return rc;
}

/* Occasion i counts from an occasion declared before it. */
static int
parse_after(struct ctx *c, const struct slot *s, size_t i,
    struct sortes_occasion *o)
{
	struct words earlier = WORDS(c->p->occasions, i,
	    struct sortes_occasion, code);
	const char *t;
	size_t len, j;
	int rc;

	if (s->key == NULL)
		return 0;
	rc = scalar_text(c, s, "the code of an earlier followup", &t, &len);
	if (rc != 0)
		return rc;
	for (j = 0; j < i; j++)
		if (cmp_text(t, len, c->p->occasions[j].code) == 0)
			return dup_text(c, t, len, &o->after);
	return unknown(c, slot_at(s), LOST_FOLLOWUPS, t, len, &earlier, 1,
	    "after names '%.*s', which is not a followup declared above this "
	    "one; expected the code of an earlier followup",
	    (int)(len > 64 ? 64 : len), t);
}

enum { FU_CODE, FU_LABEL, FU_OFFSET, FU_AFTER, FU_WINDOW, FU_MEASURES,
	FU_ARMS, FU_N };

static const struct key followup_keys[FU_N] = {
	[FU_CODE] = { "code", 1, "the occasion code, e.g. m6" },
	[FU_LABEL] = { "label", 0, "" },
	[FU_OFFSET] = { "offset", 1, "the time from enrollment (or from "
	    "'after'), e.g. '6 months'" },
	[FU_AFTER] = { "after", 0, "" },
	[FU_WINDOW] = { "window", 1, "a mapping with before and after, e.g. "
	    "{before: 14 days, after: 30 days}" },
	[FU_MEASURES] = { "measures", 1, "a list of measure codes" },
	[FU_ARMS] = { "arms", 0, "" },
};

static int
occasion_seen(const struct sortes_protocol *p, size_t n, const char *code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(p->occasions[i].code, code) == 0)
			return 1;
	return 0;
}

static int
parse_followup(struct ctx *c, const struct slot *s, size_t i)
{
	struct sortes_occasion *o = &c->p->occasions[i];
	struct slot k[FU_N];
	int rc;

	rc = read_map(c, s, "followup", followup_keys, FU_N, k);
	if (rc == 0)
		rc = get_ident(c, &k[FU_CODE], &ID_NAME, &o->code);
	if (rc == 0 && occasion_seen(c->p, i, o->code))
		return fail(c, k[FU_CODE].val, "duplicate followup code '%s'; "
		    "expected each code once", o->code);
	if (rc == 0)
		rc = get_opt_text(c, &k[FU_LABEL], &o->label);
	if (rc == 0)
		rc = parse_offset(c, &k[FU_OFFSET], &o->offset);
	if (rc == 0)
		rc = parse_after(c, &k[FU_AFTER], i, o);
	if (rc == 0)
		rc = parse_window(c, &k[FU_WINDOW], o);
	if (rc == 0)
		rc = parse_refs(c, &k[FU_MEASURES], &REF_MEASURE, &o->measures,
		    &o->nmeasures);
	if (rc == 0 && k[FU_ARMS].key != NULL)
		rc = parse_refs(c, &k[FU_ARMS], &REF_ARM, &o->arms, &o->narms);
	return rc;
}

static const struct item_kind followup_item = { "followup",
	sizeof(struct sortes_occasion), parse_followup, drop_occasion,
	LOST_FOLLOWUPS, offsetof(struct sortes_occasion, code) };

static int
parse_followups(struct ctx *c, const struct slot *s)
{
	struct sortes_protocol *p = c->p;
	int n = s->val != NULL && fy_node_is_sequence(s->val) ?
	    fy_node_sequence_item_count(s->val) : 0;

	if (s->key == NULL)
		return 0;
	if (n > MAX_FOLLOWUPS) {
		lose(c, LOST_FOLLOWUPS, NULL);
		return fail(c, slot_at(s), "followups has %d items; expected at "
		    "most %d", n, MAX_FOLLOWUPS);
	}
	return parse_list(c, s, 1, "a list of followup occasions",
	    &followup_item, &p->occasions, &p->noccasions);
}

/* ------------------------------------------------------------------ */
/* budget:                                                            */

#define AMOUNT_EXPECT "an amount with at most 2 decimals, such as 25000 " \
	"or \"25000.00\""

static int
parse_amount(struct ctx *c, const struct slot *s, int64_t *out)
{
	const char *t;
	size_t len;
	int rc, w;

	rc = scalar_text(c, s, AMOUNT_EXPECT, &t, &len);
	if (rc != 0)
		return rc;
	w = (int)(len > 64 ? 64 : len);
	rc = sortes_decimal_parse(t, len, 2, out);
	if (rc == -2)
		return fail(c, slot_at(s), "amount '%.*s' has more than 2 decimals; "
		    "expected %s", w, t, AMOUNT_EXPECT);
	if (rc == -3)
		return fail(c, slot_at(s), "amount '%.*s' is too large; expected at "
		    "most %" PRId64 " minor units", w, t, SORTES_INT_MAX);
	if (rc != 0)
		return fail(c, slot_at(s), "amount '%.*s' is not a number; expected "
		    "%s", w, t, AMOUNT_EXPECT);
	if (*out <= 0)
		return fail(c, slot_at(s), "amount '%.*s' is not above 0; expected "
		    "an amount above 0", w, t);
	return 0;
}

static int
parse_currency(struct ctx *c, const struct slot *s, char **out)
{
	const char *t;
	size_t len;
	int rc;

	rc = scalar_text(c, s, "an ISO 4217 code such as DKK", &t, &len);
	if (rc != 0)
		return rc;
	if (len != 3 || !ident_ok(&ID_CURRENCY, t, len))
		return fail(c, slot_at(s), "currency '%.*s' is not a currency code; "
		    "expected three capital letters such as DKK",
		    (int)(len > 64 ? 64 : len), t);
	return dup_text(c, t, len, out);
}

static int
parse_category(struct ctx *c, const struct slot *s, size_t i)
{
	struct sortes_budget *b = c->p->budget;
	int rc;

	rc = get_ident(c, s, &ID_NAME, &b->categories[i]);
	for (size_t j = 0; rc == 0 && j < i; j++)
		if (strcmp(b->categories[j], b->categories[i]) == 0)
			return fail(c, slot_at(s), "category '%s' is listed "
			    "twice; expected each category once",
			    b->categories[i]);
	return rc;
}

static const struct item_kind category_item = { "category", sizeof(char *),
	parse_category, drop_string, 0, 0 };

enum { BU_AMOUNT, BU_CURRENCY, BU_ARMS, BU_CATEGORIES, BU_N };

static const struct key budget_keys[BU_N] = {
	[BU_AMOUNT] = { "amount", 1, "the amount per participant, e.g. "
	    "\"25000.00\"" },
	[BU_CURRENCY] = { "currency", 1, "an ISO 4217 code such as DKK" },
	[BU_ARMS] = { "arms", 1, "the codes of the arms that get a budget" },
	[BU_CATEGORIES] = { "categories", 0, "" },
};

static int
parse_budget(struct ctx *c, const struct slot *s)
{
	struct sortes_budget *b;
	struct slot k[BU_N];
	int rc;

	if (s->key == NULL)
		return 0;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return oom(c);
	c->p->budget = b;
	rc = read_map(c, s, "budget", budget_keys, BU_N, k);
	if (rc == 0)
		rc = parse_amount(c, &k[BU_AMOUNT], &b->amount_minor);
	if (rc == 0)
		rc = parse_currency(c, &k[BU_CURRENCY], &b->currency);
	if (rc == 0)
		rc = parse_refs(c, &k[BU_ARMS], &REF_ARM, &b->arms, &b->narms);
	if (rc == 0 && k[BU_CATEGORIES].key != NULL)
		rc = parse_list(c, &k[BU_CATEGORIES], 1, "a list of spending "
		    "categories, e.g. [education, transport]", &category_item,
		    &b->categories, &b->ncategories);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The document                                                       */

enum { TOP_SORTES, TOP_TRIAL, TOP_ARMS, TOP_FIELDS, TOP_CASEWORKERS,
	TOP_DERIVED, TOP_RANDOMIZATION, TOP_ELIGIBILITY, TOP_MEASURES,
	TOP_FOLLOWUPS, TOP_BUDGET, TOP_N };

static const struct key top_keys[TOP_N] = {
	[TOP_SORTES] = { "sortes", 1, "the format version, 'sortes: 1'" },
	[TOP_TRIAL] = { "trial", 1,
	    "a mapping with id, title, sponsor and target_enrollment" },
	[TOP_ARMS] = { "arms", 1, "a list of at least 2 arms" },
	[TOP_FIELDS] = { "fields", 0, "" },
	[TOP_CASEWORKERS] = { "caseworkers", 0, "" },
	[TOP_DERIVED] = { "derived", 0, "" },
	[TOP_RANDOMIZATION] = { "randomization", 1,
	    "a mapping with unit and method" },
	[TOP_ELIGIBILITY] = { "eligibility", 0, "" },
	[TOP_MEASURES] = { "measures", 0, "" },
	[TOP_FOLLOWUPS] = { "followups", 0, "" },
	[TOP_BUDGET] = { "budget", 0, "" },
};

/* In the order of top_keys, which is also the order of dependence. */
static int (*const top_parsers[TOP_N])(struct ctx *, const struct slot *) = {
	[TOP_SORTES] = parse_format,
	[TOP_TRIAL] = parse_trial,
	[TOP_ARMS] = parse_arms,
	[TOP_FIELDS] = parse_fields,
	[TOP_CASEWORKERS] = parse_caseworkers,
	[TOP_DERIVED] = parse_derived,
	[TOP_RANDOMIZATION] = parse_randomization,
	[TOP_ELIGIBILITY] = parse_eligibility,
	[TOP_MEASURES] = parse_measures,
	[TOP_FOLLOWUPS] = parse_followups,
	[TOP_BUDGET] = parse_budget,
};

/* Anchors, aliases and tags would let a value differ from what is read. */
static int
check_plain(struct ctx *c, struct fy_node *n)
{
	struct fy_node_pair *pair;
	struct fy_node *item;
	void *it = NULL;
	size_t len;
	int rc = 0;

	if (n == NULL)
		return 0;
	if (fy_node_is_alias(n))
		return fail(c, n, "alias found; expected the value written out "
		    "(anchors and aliases are not supported)");
	if (fy_node_get_anchor(n) != NULL)
		return fail(c, n, "anchor found; expected plain values "
		    "(anchors and aliases are not supported)");
	if (fy_node_get_tag(n, &len) != NULL)
		return fail(c, n, "tag found; expected plain values (tags are "
		    "not supported)");
	if (fy_node_is_sequence(n))
		while (more(c) && (item = fy_node_sequence_iterate(n, &it)))
			rc = worse(rc, check_plain(c, item));
	if (fy_node_is_mapping(n))
		while (more(c) && (pair = fy_node_mapping_iterate(n, &it))) {
			rc = worse(rc, check_plain(c, fy_node_pair_key(pair)));
			rc = worse(rc, check_plain(c, fy_node_pair_value(pair)));
		}
	return rc;
}

/* A newer format is reported as such, not as a string of unknown keys. */
static int
parse_version_first(struct ctx *c, struct fy_node *root)
{
	struct fy_node_pair *pair;
	struct fy_node *key;
	void *it = NULL;
	const char *t;
	size_t len;

	while ((pair = fy_node_mapping_iterate(root, &it)) != NULL) {
		key = fy_node_pair_key(pair);
		if (key == NULL || !fy_node_is_scalar(key))
			continue;
		t = fy_node_get_scalar(key, &len);
		if (t != NULL && text_is(t, len, "sortes")) {
			struct slot s = { key, fy_node_pair_value(pair),
			    "sortes", root, 0 };

			return parse_format(c, &s);
		}
	}
	return 0;
}

/* What the other sections lose when a section fails or is missing. */
static const unsigned top_lost[TOP_N] = {
	[TOP_ARMS] = LOST_ARMS,
	[TOP_FIELDS] = LOST_FIELDS,
	[TOP_CASEWORKERS] = LOST_COVARIATES,
	[TOP_DERIVED] = LOST_DERIVED,
	[TOP_MEASURES] = LOST_MEASURES,
	[TOP_FOLLOWUPS] = LOST_FOLLOWUPS,
};

/*
 * Every section is read, even after errors in the mapping or in other
 * sections: a missing (or misspelt) section, or one that failed, only
 * quiets what the later ones would say about the names it declares.
 * A section that lost members says which; one that failed and did not
 * say counts as lost whole.
 */
static int
parse_sections(struct ctx *c, const struct slot *k)
{
	size_t i;
	int rc = 0, r;

	for (i = 0; more(c) && i < TOP_N; i++) {
		if (k[i].key == NULL && (top_keys[i].required ||
		    k[i].misspelt)) {
			lose(c, top_lost[i], NULL);
			rc = SORTES_EDATA;	/* read_map() said why */
			continue;
		}
		r = top_parsers[i](c, &k[i]);
		if (r != 0 && (c->lost.any & top_lost[i]) == 0)
			lose(c, top_lost[i], NULL);
		rc = worse(rc, r);
	}
	return rc;
}

static int
parse_top(struct ctx *c, struct fy_node *root)
{
	struct slot top = { NULL, root, "the document", NULL, 0 };
	struct slot k[TOP_N];
	char list[LIST_MAX];
	int rc;

	key_list(top_keys, TOP_N, list, sizeof(list));
	if (is_null(root))
		return fail(c, root, "the document is empty; expected a "
		    "mapping starting with 'sortes: 1'");
	if (!fy_node_is_mapping(root))
		return fail(c, root, "the document is a %s; expected a mapping "
		    "with keys %s", kind_name(root), list);
	/* a format this version does not read is the only thing to say */
	rc = parse_version_first(c, root);
	if (rc != 0)
		return rc;
	rc = read_map(c, &top, "the protocol", top_keys, TOP_N, k);
	return worse(rc, parse_sections(c, k));
}

static int
open_diag(struct ctx *c)
{
	c->diag = new_diag();
	return c->diag == NULL ? oom(c) : 0;
}

/*
 * After libfyaml gave no document: its first error (the parser stops
 * there, so what follows is not reliable), or an empty file.
 */
static int
no_document(struct ctx *c, struct fy_parser *fyp)
{
	struct fy_diag_error *e;
	void *it = NULL;

	while ((e = fy_diag_errors_iterate(c->diag, &it)) != NULL)
		if (e->type >= FYET_ERROR)
			return fail_at(c, e->line, e->column, e->msg);
	if (fy_parser_get_stream_error(fyp))
		return fail_at(c, 1, 1, "the YAML parser failed; expected a "
		    "YAML document");
	return fail(c, NULL, "the document is empty; expected a mapping "
	    "starting with 'sortes: 1'");
}

/* Exactly one YAML document from 'text' into *doc, parsed by *fyp. */
static int
load_document(struct ctx *c, const char *text, size_t len,
    struct fy_parser **fyp, struct fy_document **doc)
{
	struct fy_parse_cfg cfg;
	struct fy_document *extra;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	/* duplicate keys are reported by read_map(), in our words */
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG |
	    FYPCF_ALLOW_DUPLICATE_KEYS;
	cfg.diag = c->diag;
	*fyp = fy_parser_create(&cfg);
	if (*fyp == NULL)
		return oom(c);
	if (fy_parser_set_string(*fyp, text, len) != 0)
		return oom(c);
	*doc = fy_parse_load_document(*fyp);
	if (*doc == NULL)
		return no_document(c, *fyp);
	extra = fy_parse_load_document(*fyp);
	if (extra == NULL)
		return fy_parser_get_stream_error(*fyp) ? no_document(c, *fyp) :
		    0;
	rc = fail(c, fy_document_root(extra), "a second YAML document "
	    "starts here; expected one protocol per file");
	fy_parse_document_destroy(*fyp, extra);
	return rc;
}

/* Hand the errors kept to the caller. */
static int
fill_report(struct ctx *c, struct sortes_protocol_report *r)
{
	size_t i;

	if ((r->errors = calloc(c->nkept, sizeof(*r->errors))) == NULL)
		return oom(c);
	for (i = 0; i < c->nkept; i++)
		if ((r->errors[r->nerrors++] = strdup(c->kept[i].msg)) ==
		    NULL) {
			sortes_protocol_report_free(r);
			return oom(c);
		}
	r->more = c->nfound - c->nkept;
	return SORTES_EDATA;
}

/*
 * The outcome of the walk: the first error in the file goes into
 * 'err', every error kept into 'report' (when not NULL).
 */
static int
conclude(struct ctx *c, int rc, struct sortes_protocol_report *report)
{
	if (c->nomem)
		return SORTES_ENOMEM;
	if (c->nkept == 0 && rc != 0)	/* a step failed without saying why */
		return sortes_error_set(c->err, SORTES_EINTERNAL, "%s: the "
		    "protocol was refused without a reason", c->file);
	if (c->nkept == 0)
		return 0;
	sortes_error_set(c->err, SORTES_EDATA, "%s", c->kept[0].msg);
	return report != NULL ? fill_report(c, report) : SORTES_EDATA;
}

static void
report_init(const struct sortes_protocol_options *opt)
{
	if (opt != NULL && opt->report != NULL)
		memset(opt->report, 0, sizeof(*opt->report));
}

int
sortes_protocol_parse(struct sortes_protocol **out, const char *text,
    size_t len, const char *filename, struct sortes_error *err)
{
	return sortes_protocol_parse_with(out, text, len, filename, NULL, err);
}

int
sortes_protocol_parse_with(struct sortes_protocol **out, const char *text,
    size_t len, const char *filename, const struct sortes_protocol_options *opt,
    struct sortes_error *err)
{
	struct fy_parser *fyp = NULL;
	struct fy_document *doc = NULL;
	struct ctx c;
	int rc;

	report_init(opt);
	if (out == NULL || filename == NULL || (text == NULL && len > 0))
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sortes_protocol_parse: missing argument");
	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.file = filename;
	c.err = err;
	c.check_zone = opt != NULL && opt->check_zone;
	rc = check_utf8(&c, text, len);
	if (rc == 0)
		rc = open_diag(&c);
	if (rc == 0)
		rc = load_document(&c, text != NULL ? text : "", len, &fyp,
		    &doc);
	if (rc == 0)
		rc = check_plain(&c, fy_document_root(doc));
	if (rc == 0 && (c.p = calloc(1, sizeof(*c.p))) == NULL)
		rc = oom(&c);
	if (rc == 0)
		rc = parse_top(&c, fy_document_root(doc));
	rc = conclude(&c, rc, opt != NULL ? opt->report : NULL);
	if (rc == 0)
		*out = c.p;
	else
		sortes_protocol_free(c.p);
	if (doc != NULL)
		fy_parse_document_destroy(fyp, doc);
	if (fyp != NULL)
		fy_parser_destroy(fyp);
	if (c.diag != NULL)
		fy_diag_destroy(c.diag);
	return rc;
}

/* Read all of 'path', refusing files too big to be a protocol. */
static int
read_file(const char *path, char **out, size_t *lenp, struct sortes_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc = 0;

	if ((rc = sortes_infile_open(&f, path, "protocol", err)) != 0)
		return rc;
	buf = malloc(MAX_FILE_BYTES + 1);
	if (buf == NULL) {
		rc = sortes_error_set(err, SORTES_ENOMEM, "out of memory "
		    "reading protocol '%s'", path);
		goto done;
	}
	len = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f))
		rc = sortes_error_set(err, SORTES_ENOINPUT,
		    "cannot read protocol '%s': %s", path, strerror(errno));
	else if (len > MAX_FILE_BYTES)
		rc = sortes_error_set(err, SORTES_EDATA, "%s: the file is "
		    "larger than %d bytes; expected a protocol file of at most "
		    "1 MiB", path, MAX_FILE_BYTES);
done:
	fclose(f);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*lenp = len;
	return 0;
}

int
sortes_protocol_load(struct sortes_protocol **out, const char *path,
    struct sortes_error *err)
{
	return sortes_protocol_load_with(out, path, NULL, err);
}

/* A file refused before parsing (too large) is its one error. */
static int
report_file_error(const struct sortes_protocol_options *opt,
    const struct sortes_error *err)
{
	struct sortes_protocol_report *r = opt != NULL ? opt->report : NULL;

	if (r == NULL || err == NULL)
		return SORTES_EDATA;
	if ((r->errors = calloc(1, sizeof(*r->errors))) == NULL ||
	    (r->errors[0] = strdup(err->msg)) == NULL) {
		sortes_protocol_report_free(r);
		return SORTES_ENOMEM;
	}
	r->nerrors = 1;
	return SORTES_EDATA;
}

int
sortes_protocol_load_with(struct sortes_protocol **out, const char *path,
    const struct sortes_protocol_options *opt, struct sortes_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	report_init(opt);
	if (out == NULL || path == NULL)
		return sortes_error_set(err, SORTES_EUSAGE,
		    "sortes_protocol_load: missing argument");
	*out = NULL;
	rc = read_file(path, &buf, &len, err);
	if (rc == 0)
		rc = sortes_protocol_parse_with(out, buf, len, path, opt, err);
	else if (rc == SORTES_EDATA)
		rc = report_file_error(opt, err);
	free(buf);
	return rc;
}

void
sortes_protocol_report_free(struct sortes_protocol_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->errors);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------------ */
/* Freeing, lookups and names                                         */

static void
free_strings(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * What one item holds, freed: for sortes_protocol_free() and for the
 * parser dropping a refused item (parse_list()).  Partly filled items
 * are fine.
 */
static void
drop_arm(void *item)
{
	struct sortes_arm *a = item;

	free(a->code);
	free(a->name);
}

static void
drop_variable(void *item)
{
	struct sortes_field *v = item;

	free(v->name);
	free(v->label);
	free_strings(v->values, v->nvalues);
}

static void
drop_occasion(void *item)
{
	struct sortes_occasion *o = item;

	free(o->code);
	free(o->label);
	free(o->after);
	free(o->measures);
	free(o->arms);
}

static void
drop_derived(void *item)
{
	struct sortes_derived *d = item;

	free(d->name);
	free(d->cuts);
	/* labels exist only once all ncuts >= 2 cuts are read */
	free_strings(d->labels, d->labels != NULL ? d->ncuts - 1 : 0);
}

static void
drop_rule(void *item)
{
	struct sortes_rule *r = item;

	free(r->name);
	free_strings(r->values, r->nvalues);
}

static void
drop_string(void *item)
{
	char **s = item;

	free(*s);
}

static void
free_variables(struct sortes_field *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		drop_variable(&v[i]);
	free(v);
}

static void
free_occasions(struct sortes_occasion *o, size_t n)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < n; i++)
		drop_occasion(&o[i]);
	free(o);
}

static void
free_derived(struct sortes_derived *d, size_t n)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < n; i++)
		drop_derived(&d[i]);
	free(d);
}

/* The optional sections of randomization. */
static void
free_methods(struct sortes_protocol *p)
{
	if (p->constrained != NULL) {
		free(p->constrained->covariates);
		free(p->constrained->weights);
		free(p->constrained);
	}
	if (p->matched_pairs != NULL) {
		free_strings(p->matched_pairs->pairs,
		    2 * p->matched_pairs->npairs);
		free(p->matched_pairs);
	}
	if (p->new_hires != NULL) {
		free(p->new_hires->block_sizes);
		free(p->new_hires);
	}
	if (p->beacon != NULL) {
		free(p->beacon->source);
		free(p->beacon);
	}
	if (p->minimization != NULL) {
		free(p->minimization->factors);
		free(p->minimization->weights);
		free(p->minimization);
	}
}

void
sortes_protocol_free(struct sortes_protocol *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->id);
	free(p->title);
	free(p->sponsor);
	free(p->timezone);
	for (i = 0; p->arms != NULL && i < p->narms; i++)
		drop_arm(&p->arms[i]);
	free(p->arms);
	free(p->strata);
	free(p->block_sizes);
	free_methods(p);
	free_derived(p->derived, p->nderived);
	free_variables(p->cw_covariates, p->ncw_covariates);
	free_variables(p->fields, p->nfields);
	for (i = 0; p->rules != NULL && i < p->nrules; i++)
		drop_rule(&p->rules[i]);
	free(p->rules);
	free_variables(p->measures, p->nmeasures);
	free_occasions(p->occasions, p->noccasions);
	if (p->budget != NULL) {
		free(p->budget->currency);
		free(p->budget->arms);
		for (size_t c = 0; c < p->budget->ncategories; c++)
			free(p->budget->categories[c]);
		free(p->budget->categories);
		free(p->budget);
	}
	free(p);
}

long
sortes_protocol_field(const struct sortes_protocol *p, const char *name)
{
	if (p == NULL || name == NULL)
		return -1;
	return find_field(p, name, strlen(name));
}

long
sortes_protocol_arm(const struct sortes_protocol *p, const char *code)
{
	if (p == NULL || code == NULL)
		return -1;
	return find_arm(p, code, strlen(code));
}

const char *
sortes_method_name(enum sortes_method m)
{
	if ((size_t)m >= NKEYS(methods))
		return "unknown";
	return methods[m].name;
}

const char *
sortes_unit_name(enum sortes_unit u)
{
	if ((size_t)u >= NKEYS(unit_names))
		return "unknown";
	return unit_names[u];
}

const char *
sortes_field_type_name(enum sortes_field_type t)
{
	if ((size_t)t >= NKEYS(type_names))
		return "unknown";
	return type_names[t];
}

const char *
sortes_weekend_rule_name(enum sortes_weekend_rule r)
{
	if ((size_t)r >= NKEYS(weekend_rules))
		return "unknown";
	return weekend_rules[r];
}

const char *
sortes_coding_name(enum sortes_coding c)
{
	return c == SORTES_CODING_REFERENCE ? "reference" :
	    c == SORTES_CODING_PER_LEVEL ? "per_level" : "unknown";
}

enum sortes_coding
sortes_coding_resolve(const struct sortes_constrained *c, int log_format)
{
	if (c != NULL && c->coding != SORTES_CODING_UNSET)
		return c->coding;
	return log_format >= 2 ? SORTES_CODING_REFERENCE :
	    SORTES_CODING_PER_LEVEL;
}

const char *
sortes_date_format_name(enum sortes_date_format f)
{
	if ((size_t)f >= NKEYS(date_formats))
		return "unknown";
	return date_formats[f];
}

const char *
sortes_assessment_name(enum sortes_assessment a)
{
	if ((size_t)a >= NKEYS(assessments))
		return "unknown";
	return assessments[a];
}
