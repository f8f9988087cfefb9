/*
 * record.c - canonical log entry bodies.  Keys are written in ascending
 * order, as RFC 8785 requires; the JSON writer checks it.
 */
#include <string.h>

#include "sortes/date.h"
#include "sortes/record.h"

void
sortes_record_genesis(struct sortes_jcs *j,
    const struct sortes_genesis_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "commitment");
	sortes_jcs_string(j, r->commitment);
	sortes_jcs_key(j, "created_at");
	sortes_jcs_string(j, r->created_at);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "genesis");
	sortes_jcs_key(j, "log_format");
	sortes_jcs_integer(j, r->log_format);
	if (r->log_format >= 2) {
		sortes_jcs_key(j, "protocol_json_sha256");
		sortes_jcs_string(j, r->protocol_json_sha256);
	}
	sortes_jcs_key(j, "protocol_sha256");
	sortes_jcs_string(j, r->protocol_sha256);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "trial");
	sortes_jcs_string(j, r->trial);
	sortes_jcs_object_end(j);
}

static void
record_allocation(struct sortes_jcs *j, const struct sortes_enroll_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "counter");
	sortes_jcs_integer(j, r->counter);
	sortes_jcs_key(j, "method");
	sortes_jcs_string(j, r->method);
	sortes_jcs_key(j, "position");
	if (r->position < 0)
		sortes_jcs_null(j);
	else
		sortes_jcs_integer(j, r->position);
	sortes_jcs_object_end(j);
}

void
sortes_record_enroll(struct sortes_jcs *j, const struct sortes_enroll_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "allocation");
	record_allocation(j, r);
	sortes_jcs_key(j, "arm");
	sortes_jcs_string(j, r->arm);
	sortes_jcs_key(j, "caseworker");
	sortes_jcs_string(j, r->caseworker);
	sortes_jcs_key(j, "enrolled_at");
	sortes_jcs_string(j, r->enrolled_at);
	sortes_jcs_key(j, "fields");
	sortes_jcs_raw(j, r->fields, strlen(r->fields));
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "enroll");
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "pseudonym");
	sortes_jcs_string(j, r->pseudonym);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "stratum");
	sortes_jcs_raw(j, r->stratum, strlen(r->stratum));
	sortes_jcs_object_end(j);
}

/* A string, or null when it is NULL. */
static void
string_or_null(struct sortes_jcs *j, const char *s)
{
	if (s == NULL)
		sortes_jcs_null(j);
	else
		sortes_jcs_string(j, s);
}

void
sortes_record_caseworker(struct sortes_jcs *j,
    const struct sortes_caseworker_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "allocation");
	if (r->arm == NULL) {
		sortes_jcs_null(j);
	} else {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "arm");
		sortes_jcs_string(j, r->arm);
		sortes_jcs_key(j, "counter");
		sortes_jcs_integer(j, r->counter);
		sortes_jcs_key(j, "method");
		sortes_jcs_string(j, "new_hires");
		sortes_jcs_key(j, "position");
		sortes_jcs_integer(j, r->position);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_key(j, "caseworker");
	sortes_jcs_string(j, r->caseworker);
	sortes_jcs_key(j, "covariates");
	sortes_jcs_raw(j, r->covariates, strlen(r->covariates));
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "caseworker");
	sortes_jcs_key(j, "registered_at");
	sortes_jcs_string(j, r->registered_at);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "team");
	sortes_jcs_string(j, r->team);
	sortes_jcs_object_end(j);
}

void
sortes_record_randomize(struct sortes_jcs *j,
    const struct sortes_randomize_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "allocations");
	sortes_jcs_array_begin(j);
	for (size_t i = 0; i < r->narms; i++) {
		sortes_jcs_object_begin(j);
		sortes_jcs_key(j, "arm");
		sortes_jcs_string(j, r->arms[i].arm);
		sortes_jcs_key(j, "caseworker");
		sortes_jcs_string(j, r->arms[i].caseworker);
		sortes_jcs_object_end(j);
	}
	sortes_jcs_array_end(j);
	sortes_jcs_key(j, "beacon");
	string_or_null(j, r->beacon);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "randomize");
	sortes_jcs_key(j, "method");
	sortes_jcs_string(j, r->method);
	sortes_jcs_key(j, "randomized_at");
	sortes_jcs_string(j, r->randomized_at);
	sortes_jcs_key(j, "report");
	sortes_jcs_raw(j, r->report, strlen(r->report));
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_object_end(j);
}

void
sortes_record_transfer(struct sortes_jcs *j,
    const struct sortes_transfer_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "cross_arm");
	if (r->cross_arm < 0)
		sortes_jcs_null(j);
	else
		sortes_jcs_boolean(j, r->cross_arm);
	sortes_jcs_key(j, "from");
	sortes_jcs_string(j, r->from);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "transfer");
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "to");
	sortes_jcs_string(j, r->to);
	sortes_jcs_key(j, "transferred_at");
	sortes_jcs_string(j, r->transferred_at);
	sortes_jcs_object_end(j);
}

void
sortes_record_withdraw(struct sortes_jcs *j,
    const struct sortes_withdraw_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "withdraw");
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "reason");
	sortes_jcs_string(j, r->reason);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "withdrawn_at");
	sortes_jcs_string(j, r->withdrawn_at);
	sortes_jcs_object_end(j);
}

void
sortes_record_freeze(struct sortes_jcs *j, const struct sortes_freeze_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "freeze");
	sortes_jcs_key(j, "note");
	sortes_jcs_string(j, r->note);
	sortes_jcs_key(j, "sealed_at");
	sortes_jcs_string(j, r->sealed_at);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "signer");
	sortes_jcs_string(j, r->signer);
	sortes_jcs_object_end(j);
}

void
sortes_record_reveal(struct sortes_jcs *j, const struct sortes_reveal_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "reveal");
	sortes_jcs_key(j, "revealed_at");
	sortes_jcs_string(j, r->revealed_at);
	sortes_jcs_key(j, "seed");
	sortes_jcs_string(j, r->seed);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_object_end(j);
}

void
sortes_record_blind(struct sortes_jcs *j, const struct sortes_blind_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "blinded_at");
	sortes_jcs_string(j, r->blinded_at);
	sortes_jcs_key(j, "commitment");
	sortes_jcs_string(j, r->commitment);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "blind");
	sortes_jcs_key(j, "labels");
	sortes_jcs_raw(j, r->labels, strlen(r->labels));
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_object_end(j);
}

void
sortes_record_unblind(struct sortes_jcs *j,
    const struct sortes_unblind_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "blind");
	sortes_jcs_integer(j, r->blind);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "unblind");
	sortes_jcs_key(j, "mapping");
	sortes_jcs_raw(j, r->mapping, strlen(r->mapping));
	sortes_jcs_key(j, "nonce");
	sortes_jcs_string(j, r->nonce);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "unblinded_at");
	sortes_jcs_string(j, r->unblinded_at);
	sortes_jcs_object_end(j);
}

/* The entry an outcome corrects: its sequence number, or null. */
static void
supersedes(struct sortes_jcs *j, int64_t seq)
{
	sortes_jcs_key(j, "supersedes");
	if (seq > 0)
		sortes_jcs_integer(j, seq);
	else
		sortes_jcs_null(j);
}

void
sortes_record_measure(struct sortes_jcs *j,
    const struct sortes_measure_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "measure");
	sortes_jcs_key(j, "measured_on");
	sortes_jcs_string(j, r->measured_on);
	sortes_jcs_key(j, "measures");
	sortes_jcs_raw(j, r->measures, strlen(r->measures));
	sortes_jcs_key(j, "occasion");
	sortes_jcs_string(j, r->occasion);
	sortes_jcs_key(j, "out_of_window");
	sortes_jcs_boolean(j, r->out_of_window);
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "recorded_at");
	sortes_jcs_string(j, r->recorded_at);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	supersedes(j, r->supersedes);
	sortes_jcs_object_end(j);
}

void
sortes_record_missed(struct sortes_jcs *j,
    const struct sortes_missed_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "missed");
	sortes_jcs_key(j, "occasion");
	sortes_jcs_string(j, r->occasion);
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "reason");
	sortes_jcs_string(j, r->reason);
	sortes_jcs_key(j, "recorded_at");
	sortes_jcs_string(j, r->recorded_at);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	supersedes(j, r->supersedes);
	sortes_jcs_object_end(j);
}

void
sortes_record_spend(struct sortes_jcs *j, const struct sortes_spend_record *r)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "amount_minor");
	sortes_jcs_integer(j, r->amount_minor);
	sortes_jcs_key(j, "category");
	sortes_jcs_string(j, r->category);
	sortes_jcs_key(j, "currency");
	sortes_jcs_string(j, r->currency);
	sortes_jcs_key(j, "kind");
	sortes_jcs_string(j, "spend");
	sortes_jcs_key(j, "note");
	string_or_null(j, r->note);
	sortes_jcs_key(j, "participant");
	sortes_jcs_string(j, r->participant);
	sortes_jcs_key(j, "recorded_at");
	sortes_jcs_string(j, r->recorded_at);
	sortes_jcs_key(j, "seq");
	sortes_jcs_integer(j, r->seq);
	sortes_jcs_key(j, "spent_on");
	sortes_jcs_string(j, r->spent_on);
	sortes_jcs_object_end(j);
}

/* Where each kind keeps the time its entry was made. */
static const struct {
	const char *kind, *key;
} time_keys[] = {
	{ "genesis", "created_at" },
	{ "enroll", "enrolled_at" },
	{ "caseworker", "registered_at" },
	{ "randomize", "randomized_at" },
	{ "transfer", "transferred_at" },
	{ "withdraw", "withdrawn_at" },
	{ "freeze", "sealed_at" },
	{ "reveal", "revealed_at" },
	{ "measure", "recorded_at" },
	{ "missed", "recorded_at" },
	{ "spend", "recorded_at" },
	{ "blind", "blinded_at" },
	{ "unblind", "unblinded_at" },
};

const char *
sortes_record_time_key(const char *kind)
{
	for (size_t i = 0; i < sizeof(time_keys) / sizeof(time_keys[0]); i++)
		if (strcmp(time_keys[i].kind, kind) == 0)
			return time_keys[i].key;
	return NULL;
}

/*
 * Where the value of the top-level member 'key' of the JSON object
 * text[0..len) starts, or NULL.  Strings are skipped whole, escapes
 * included, and only a string right after the object's '{' or a ','
 * at depth 1 is a key: a key of a nested object (a field or measure
 * named like the time) or text inside a string is never taken for it.
 */
static const char *
member_value(const char *text, size_t len, const char *key)
{
	size_t klen = strlen(key), start;
	int depth = 0;
	char last = '\0';	/* the last character outside strings */

	for (size_t i = 0; i < len; i++) {
		if (text[i] != '"') {
			depth += (text[i] == '{' || text[i] == '[') -
			    (text[i] == '}' || text[i] == ']');
			last = text[i];
			continue;
		}
		for (start = ++i; i < len && text[i] != '"'; i++)
			i += text[i] == '\\';
		if (i + 1 >= len)
			return NULL;
		if (depth == 1 && (last == '{' || last == ',') &&
		    i - start == klen && memcmp(text + start, key, klen) == 0 &&
		    text[i + 1] == ':')
			return text + i + 2;
		last = '"';
	}
	return NULL;
}

int
sortes_record_time(char out[21], const char *kind, const char *body,
    size_t len)
{
	const char *key = sortes_record_time_key(kind);
	const char *v = key != NULL ? member_value(body, len, key) : NULL;

	if (v == NULL || (size_t)(body + len - v) < 22 || v[0] != '"' ||
	    v[21] != '"')
		return -1;
	memcpy(out, v + 1, 20);
	out[20] = '\0';
	return sortes_time_valid(out) ? 0 : -1;
}
