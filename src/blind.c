/*
 * blind.c - the mapping of arms to neutral labels, its commitment in
 * the log and its disclosure (docs/blinding.md).
 */
#include <stdio.h>
#include <string.h>

#include "sortes/alloc.h"
#include "sortes/blind.h"
#include "sortes/json.h"
#include "sortes/record.h"
#include "sortes/seal.h"
#include "event.h"

void
sortes_blind_label(char out[SORTES_BLIND_LABEL_MAX], size_t k)
{
	snprintf(out, SORTES_BLIND_LABEL_MAX, "group %c", (char)('A' + k % 26));
}

/* The nonce: HMAC-SHA256(seed, JCS(["sortes/1", "blind_nonce"])). */
static int
blind_nonce(struct sortes_hmac *mac, struct sortes_jcs *j, uint8_t out[32],
    struct sortes_error *err)
{
	int rc;

	sortes_jcs_reset(j);
	sortes_jcs_array_begin(j);
	sortes_jcs_string(j, "sortes/1");
	sortes_jcs_string(j, "blind_nonce");
	sortes_jcs_array_end(j);
	if ((rc = sortes_jcs_finish(j, err)) != 0)
		return rc;
	return sortes_hmac(mac, out, j->data, j->len, err);
}

/*
 * The labels' indexes 0 .. k-1, shuffled from the top (as a permuted
 * block) with the stream (blind, {}, 0): arm i gets label order[i].
 */
static int
blind_shuffle(struct sortes_blinding *b, struct sortes_hmac *mac,
    struct sortes_jcs *j, struct sortes_error *err)
{
	size_t order[SORTES_BLIND_ARMS_MAX];
	struct sortes_pcg32 rng;
	int rc = sortes_stream_derive(&rng, mac, j, "blind", "{}", 0, err);

	for (size_t i = 0; i < b->narms; i++)
		order[i] = i;
	for (size_t i = b->narms; rc == 0 && i > 1; i--) {
		size_t k = sortes_pcg32_bounded(&rng, (uint32_t)i), t = order[k];

		order[k] = order[i - 1];
		order[i - 1] = t;
	}
	for (size_t i = 0; i < b->narms; i++)
		sortes_blind_label(b->labels[i], order[i]);
	return rc;
}

int
sortes_blind_derive(struct sortes_blinding *b, const struct sortes_protocol *p,
    const uint8_t seed[32], struct sortes_error *err)
{
	struct sortes_hmac *mac = NULL;
	struct sortes_jcs j;
	int rc;

	memset(b, 0, sizeof(*b));
	if (p->narms > SORTES_BLIND_ARMS_MAX)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "blinding "
		    "labels at most %d arms", SORTES_BLIND_ARMS_MAX);
	b->narms = p->narms;
	sortes_jcs_init(&j);
	rc = sortes_hmac_new(&mac, seed, 32, err);
	if (rc == 0)
		rc = blind_shuffle(b, mac, &j, err);
	if (rc == 0)
		rc = blind_nonce(mac, &j, b->nonce, err);
	if (rc == 0)
		rc = sortes_blind_mapping_json(&j, b, p, err);
	if (rc == 0)
		rc = sortes_blind_commit(b->commitment, b->nonce, j.data, j.len,
		    err);
	sortes_hmac_free(mac);
	sortes_jcs_free(&j);
	return rc;
}

int
sortes_blind_labels_json(struct sortes_jcs *j, size_t narms,
    struct sortes_error *err)
{
	char label[SORTES_BLIND_LABEL_MAX];

	sortes_jcs_reset(j);
	sortes_jcs_array_begin(j);
	for (size_t k = 0; k < narms; k++) {
		sortes_blind_label(label, k);
		sortes_jcs_string(j, label);
	}
	sortes_jcs_array_end(j);
	return sortes_jcs_finish(j, err);
}

int
sortes_blind_mapping_json(struct sortes_jcs *j, const struct sortes_blinding *b,
    const struct sortes_protocol *p, struct sortes_error *err)
{
	char label[SORTES_BLIND_LABEL_MAX];

	sortes_jcs_reset(j);
	sortes_jcs_object_begin(j);
	/* Keys in label order, which is ascending byte order. */
	for (size_t k = 0; k < b->narms; k++) {
		sortes_blind_label(label, k);
		for (size_t i = 0; i < b->narms; i++)
			if (strcmp(b->labels[i], label) == 0) {
				sortes_jcs_key(j, label);
				sortes_jcs_string(j, p->arms[i].code);
			}
	}
	sortes_jcs_object_end(j);
	return sortes_jcs_finish(j, err);
}

int
sortes_blind_commit(char out[SORTES_SHA256_HEX], const uint8_t nonce[32],
    const char *mapping, size_t len, struct sortes_error *err)
{
	struct sortes_hasher *h = NULL;
	uint8_t digest[SORTES_SHA256_LEN];
	int rc = sortes_hasher_new(&h, err);

	if (rc == 0)
		rc = sortes_hasher_two(h, digest, nonce, 32, mapping, len, err);
	if (rc == 0)
		sortes_hex_encode(out, digest, sizeof(digest));
	sortes_hasher_free(h);
	return rc;
}

void
sortes_blind_json(struct sortes_jcs *j, const char *commitment, int64_t seq)
{
	sortes_jcs_object_begin(j);
	sortes_jcs_key(j, "commitment");
	sortes_jcs_string(j, commitment);
	sortes_jcs_key(j, "entry");
	sortes_jcs_integer(j, seq);
	sortes_jcs_object_end(j);
}

const char *
sortes_blind_arm_label(const struct sortes_blinding *b,
    const struct sortes_protocol *p, const char *arm)
{
	if (b == NULL)
		return arm;
	/* Codes first: a name may be spelt like another arm's code. */
	for (size_t i = 0; i < p->narms && i < b->narms; i++)
		if (strcmp(p->arms[i].code, arm) == 0)
			return b->labels[i];
	for (size_t i = 0; i < p->narms && i < b->narms; i++)
		if (strcmp(p->arms[i].name, arm) == 0)
			return b->labels[i];
	return NULL;
}

int
sortes_blind_find(struct sortes_trial *t, int64_t *seq,
    char commitment[SORTES_SHA256_HEX], int64_t *unblinded,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(t->db, &st, "SELECT b.seq, b.commitment, "
	    "coalesce(u.seq, 0) FROM blindings b LEFT JOIN unblindings u ON "
	    "u.blinding = b.seq ORDER BY b.seq LIMIT 1", err);
	int step;

	*seq = *unblinded = 0;
	commitment[0] = '\0';
	if (rc != 0)
		return rc;
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		snprintf(commitment, SORTES_SHA256_HEX, "%s",
		    (const char *)sqlite3_column_text(st, 1));
		*unblinded = sqlite3_column_int64(st, 2);
	} else if (step != SQLITE_DONE)
		rc = sortes_db_fail(t->db, "reading the blinding", err);
	sqlite3_finalize(st);
	return rc;
}

int
sortes_blind_open(struct sortes_trial *t, const uint8_t seed[32],
    struct sortes_blinding *b, struct sortes_error *err)
{
	char commitment[SORTES_SHA256_HEX];
	int64_t seq, unblinded;
	int rc = sortes_blind_find(t, &seq, commitment, &unblinded, err);

	if (rc == 0 && seq == 0)
		return sortes_error_set(err, SORTES_EUNSUPPORTED, "trial '%s' "
		    "has no blinding commitment yet: 'sortes blind' makes it, "
		    "before the first blinded export", t->trial_id);
	if (rc == 0)
		rc = sortes_blind_derive(b, t->protocol, seed, err);
	if (rc == 0 && strcmp(b->commitment, commitment) != 0)
		return sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: "
		    "the blinding commitment is not the one the seed gives",
		    (long long)seq);
	b->seq = seq;
	return rc;
}

/* Run 'sql' with text parameters 2.. after the integer ?1 = seq. */
static int
blind_store(struct sortes_trial *t, const char *sql, int64_t seq,
    const char *const *text, int ntext, const char *what,
    struct sortes_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sortes_db_prepare(t->db, &st, sql, err);

	if (rc != 0)
		return rc;
	sqlite3_bind_int64(st, 1, seq);
	for (int i = 0; i < ntext; i++)
		sqlite3_bind_text(st, i + 2, text[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sortes_db_fail(t->db, what, err);
	sqlite3_finalize(st);
	return rc;
}

static int
blind_run(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err)
{
	struct sortes_blinding b;
	struct sortes_jcs labels, body;
	int rc;

	sortes_jcs_init(&labels);
	sortes_jcs_init(&body);
	rc = sortes_blind_derive(&b, t->protocol, t->key.seed, err);
	if (rc == 0)
		rc = sortes_blind_labels_json(&labels, b.narms, err);
	if (rc == 0)
		rc = sortes_event_seq(t, seq, err);
	if (rc == 0) {
		sortes_record_blind(&body, &(struct sortes_blind_record){
		    .seq = *seq, .labels = labels.data,
		    .commitment = b.commitment, .blinded_at = at });
		rc = sortes_event_append(t, "blind", at, &body, err);
	}
	if (rc == 0)
		rc = blind_store(t, "INSERT INTO blindings (seq, labels, "
		    "commitment, blinded_at) VALUES (?1, ?2, ?3, ?4)", *seq,
		    (const char *const[]){ labels.data, b.commitment, at }, 3,
		    "storing the blinding", err);
	sortes_wipe(&b, sizeof(b));
	sortes_jcs_free(&labels);
	sortes_jcs_free(&body);
	return rc;
}

static int
blind_check(struct sortes_trial *t, struct sortes_error *err)
{
	char commitment[SORTES_SHA256_HEX];
	int64_t seq, unblinded;
	int rc;

	if (!t->have_key)
		return sortes_error_set(err, SORTES_EUSAGE, "blinding needs the "
		    "trial's key file");
	if ((rc = sortes_blind_find(t, &seq, commitment, &unblinded, err)) != 0)
		return rc;
	if (seq != 0)
		return sortes_error_set(err, SORTES_EDATA, "trial '%s' is "
		    "committed to a blinding already, in log entry %lld",
		    t->trial_id, (long long)seq);
	if ((rc = sortes_revealed(t, &seq, err)) != 0 || seq == 0)
		return rc;
	return sortes_error_set(err, SORTES_EUNSUPPORTED, "the seed of trial "
	    "'%s' was revealed in log entry %lld, so anyone can draw the "
	    "mapping: a blinding made now would hide nothing", t->trial_id,
	    (long long)seq);
}

int
sortes_blind(struct sortes_trial *t, const char *at, int64_t *seq,
    struct sortes_error *err)
{
	int rc;

	*seq = 0;
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = blind_check(t, err);
	if (rc == 0)
		rc = blind_run(t, at, seq, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

static int
unblind_run(struct sortes_trial *t, const struct sortes_blinding *b,
    const char *at, int64_t *seq, struct sortes_error *err)
{
	struct sortes_jcs mapping, body;
	char nonce[SORTES_SHA256_HEX], blind[24];
	int rc;

	sortes_hex_encode(nonce, b->nonce, sizeof(b->nonce));
	snprintf(blind, sizeof(blind), "%lld", (long long)b->seq);
	sortes_jcs_init(&mapping);
	sortes_jcs_init(&body);
	rc = sortes_blind_mapping_json(&mapping, b, t->protocol, err);
	if (rc == 0)
		rc = sortes_event_seq(t, seq, err);
	if (rc == 0) {
		sortes_record_unblind(&body, &(struct sortes_unblind_record){
		    .seq = *seq, .blind = b->seq, .mapping = mapping.data,
		    .nonce = nonce, .unblinded_at = at });
		rc = sortes_event_append(t, "unblind", at, &body, err);
	}
	if (rc == 0)
		rc = blind_store(t, "INSERT INTO unblindings (seq, blinding, "
		    "mapping, nonce, unblinded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
		    *seq, (const char *const[]){ blind, mapping.data, nonce,
		    at }, 4, "storing the unblinding", err);
	sortes_jcs_free(&mapping);
	sortes_jcs_free(&body);
	return rc;
}

static int
unblind_check(struct sortes_trial *t, const uint8_t seed[32],
    struct sortes_blinding *b, struct sortes_error *err)
{
	char commitment[SORTES_SHA256_HEX];
	int64_t seq, unblinded;
	int rc = sortes_blind_find(t, &seq, commitment, &unblinded, err);

	if (rc == 0 && unblinded != 0)
		return sortes_error_set(err, SORTES_EDATA, "the blinding of "
		    "trial '%s' was disclosed already, in log entry %lld",
		    t->trial_id, (long long)unblinded);
	return rc == 0 ? sortes_blind_open(t, seed, b, err) : rc;
}

int
sortes_unblind(struct sortes_trial *t, const uint8_t seed[32], const char *at,
    struct sortes_blinding *b, int64_t *seq, struct sortes_error *err)
{
	int rc;

	*seq = 0;
	if ((rc = sortes_db_begin(t->db, err)) != 0)
		return rc;
	rc = unblind_check(t, seed, b, err);
	if (rc == 0)
		rc = unblind_run(t, b, at, seq, err);
	if (rc == 0)
		return sortes_db_commit(t->db, err);
	sortes_db_rollback(t->db);
	return rc;
}

/* The disclosure of entry 'seq' against the mapping the seed gives. */
static int
replay_disclosure(struct sortes_trial *t, const struct sortes_blinding *b,
    int64_t seq, int64_t *bad_seq, struct sortes_error *err)
{
	struct sortes_jcs mapping;
	sqlite3_stmt *st = NULL;
	char nonce[SORTES_SHA256_HEX];
	int rc, same = 0;

	sortes_hex_encode(nonce, b->nonce, sizeof(b->nonce));
	sortes_jcs_init(&mapping);
	rc = sortes_blind_mapping_json(&mapping, b, t->protocol, err);
	if (rc == 0)
		rc = sortes_db_prepare(t->db, &st, "SELECT mapping, nonce FROM "
		    "unblindings WHERE seq = ?", err);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, seq);
		same = sqlite3_step(st) == SQLITE_ROW &&
		    strcmp((const char *)sqlite3_column_text(st, 0),
		    mapping.data) == 0 &&
		    strcmp((const char *)sqlite3_column_text(st, 1), nonce) == 0;
	}
	sqlite3_finalize(st);
	sortes_jcs_free(&mapping);
	if (rc == 0 && !same) {
		*bad_seq = seq;
		rc = sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: "
		    "replay from the seed gives another mapping or nonce than "
		    "the one disclosed", (long long)seq);
	}
	return rc;
}

int
sortes_blind_replay(struct sortes_trial *t, const uint8_t seed[32],
    int64_t *bad_seq, struct sortes_error *err)
{
	struct sortes_blinding b;
	char commitment[SORTES_SHA256_HEX];
	int64_t seq, unblinded;
	int rc = sortes_blind_find(t, &seq, commitment, &unblinded, err);

	if (rc != 0 || seq == 0)
		return rc;
	if ((rc = sortes_blind_derive(&b, t->protocol, seed, err)) != 0)
		return rc;
	b.seq = seq;
	if (strcmp(b.commitment, commitment) != 0) {
		*bad_seq = seq;
		rc = sortes_error_set(err, SORTES_EVERIFY, "log entry %lld: "
		    "replay from the seed gives another blinding commitment",
		    (long long)seq);
	}
	if (rc == 0 && unblinded != 0)
		rc = replay_disclosure(t, &b, unblinded, bad_seq, err);
	sortes_wipe(&b, sizeof(b));
	return rc;
}

/* Give arm 'code' label 'label' in 'b'; -1 for no such arm or twice. */
static int
mapping_assign(struct sortes_blinding *b, const struct sortes_protocol *p,
    const char *label, const struct sortes_json *code)
{
	for (size_t i = 0; code->type == SORTES_JSON_STRING && i < p->narms;
	    i++)
		if (strcmp(p->arms[i].code, code->str) == 0) {
			if (b->labels[i][0] != '\0')
				return -1;
			snprintf(b->labels[i], SORTES_BLIND_LABEL_MAX, "%s", label);
			return 0;
		}
	return -1;
}

int
sortes_blind_parse_mapping(struct sortes_blinding *b,
    const struct sortes_protocol *p, const char *mapping,
    struct sortes_error *err)
{
	struct sortes_json *v = NULL;
	struct sortes_jcs again;
	char label[SORTES_BLIND_LABEL_MAX];
	int rc, ok;

	memset(b->labels, 0, sizeof(b->labels));
	b->narms = p->narms;
	if (sortes_json_parse(&v, mapping, strlen(mapping), NULL) != 0)
		return sortes_error_set(err, SORTES_EDATA, "the mapping is not "
		    "JSON");
	ok = v->type == SORTES_JSON_OBJECT && v->n == p->narms &&
	    p->narms <= SORTES_BLIND_ARMS_MAX;
	for (size_t k = 0; ok && k < p->narms; k++) {
		const struct sortes_json *code;

		sortes_blind_label(label, k);
		code = sortes_json_get(v, label);
		ok = code != NULL && mapping_assign(b, p, label, code) == 0;
	}
	sortes_json_free(v);
	if (!ok)
		return sortes_error_set(err, SORTES_EDATA, "the mapping does "
		    "not give each label one arm of the protocol");
	sortes_jcs_init(&again);
	rc = sortes_blind_mapping_json(&again, b, p, err);
	if (rc == 0 && strcmp(again.data, mapping) != 0)
		rc = sortes_error_set(err, SORTES_EDATA, "the mapping is not "
		    "in canonical form");
	sortes_jcs_free(&again);
	return rc;
}
