/*
 * verify_blind.c - checking the blinding commitment and its
 * disclosure against their tables and each other (docs/blinding.md).
 * Without the seed the disclosure can only be checked against the
 * commitment; replay checks both against the seed.
 */
#include <stdio.h>
#include <string.h>

#include "sortes/blind.h"
#include "sortes/record.h"
#include "verify_int.h"

/* The labels are those of the protocol's arms, in order. */
static int
blind_labels(struct verify_state *v, int64_t seq, const char *labels,
    struct sortes_error *err)
{
	struct sortes_jcs want;
	int rc, same;

	sortes_jcs_init(&want);
	rc = sortes_blind_labels_json(&want, v->trial->protocol->narms, err);
	same = rc == 0 && strcmp(want.data, labels) == 0;
	sortes_jcs_free(&want);
	if (rc == 0 && !same)
		rc = verify_fail(v, seq, err, "the blinding's labels are not "
		    "one for each arm of the protocol");
	return rc;
}

int
verify_blind(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	const char *commitment = verify_col(st, C_B_COMMITMENT);
	uint8_t raw[SORTES_SHA256_LEN];
	int rc;

	v->counts.blind++;
	if (sqlite3_column_type(st, C_B_COMMITMENT) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no blinding row records this "
		    "entry");
	if (v->blind_seq != 0)
		return verify_fail(v, seq, err, "a second blinding commitment; "
		    "a trial has one mapping");
	sortes_jcs_reset(&v->jcs);
	sortes_record_blind(&v->jcs, &(struct sortes_blind_record){
	    .seq = seq, .labels = verify_col(st, C_B_LABELS),
	    .commitment = commitment, .blinded_at = verify_col(st, C_B_AT) });
	if ((rc = verify_same(v, st, err, "blindings table does")) != 0 ||
	    (rc = blind_labels(v, seq, verify_col(st, C_B_LABELS), err)) != 0)
		return rc;
	if (strlen(commitment) != 64 || sortes_hex_decode(raw, sizeof(raw),
	    commitment) != 0)
		return verify_fail(v, seq, err, "the blinding commitment is not "
		    "64 hex digits");
	v->blind_seq = seq;
	snprintf(v->blind_commitment, sizeof(v->blind_commitment), "%s",
	    commitment);
	return 0;
}

/* The mapping and nonce disclosed open the commitment. */
static int
unblind_opens(struct verify_state *v, int64_t seq, const char *mapping,
    const char *nonce_hex, struct sortes_error *err)
{
	struct sortes_blinding b;
	uint8_t nonce[32];
	char commitment[SORTES_SHA256_HEX];
	char what[160];

	if (sortes_blind_parse_mapping(&b, v->trial->protocol, mapping,
	    NULL) != 0)
		return verify_fail(v, seq, err, "the disclosed mapping does not "
		    "give each label one arm of the protocol");
	if (strlen(nonce_hex) != 64 || sortes_hex_decode(nonce, sizeof(nonce),
	    nonce_hex) != 0)
		return verify_fail(v, seq, err, "the disclosed nonce is not 64 "
		    "hex digits");
	if (sortes_blind_commit(commitment, nonce, mapping, strlen(mapping),
	    err) != 0)
		return err->code;
	if (strcmp(commitment, v->blind_commitment) == 0)
		return 0;
	snprintf(what, sizeof(what), "the disclosed mapping and nonce do not "
	    "open the blinding commitment of entry %lld",
	    (long long)v->blind_seq);
	return verify_fail(v, seq, err, what);
}

int
verify_unblind(struct verify_state *v, sqlite3_stmt *st,
    struct sortes_error *err)
{
	int64_t seq = sqlite3_column_int64(st, C_SEQ);
	int64_t blind = sqlite3_column_int64(st, C_U_BLIND);
	int rc;

	if (sqlite3_column_type(st, C_U_MAPPING) == SQLITE_NULL)
		return verify_fail(v, seq, err, "no unblinding row records this "
		    "entry");
	if (v->counts.unblind++ != 0)
		return verify_fail(v, seq, err, "a second disclosure of the "
		    "blinding");
	sortes_jcs_reset(&v->jcs);
	sortes_record_unblind(&v->jcs, &(struct sortes_unblind_record){
	    .seq = seq, .blind = blind, .mapping = verify_col(st, C_U_MAPPING),
	    .nonce = verify_col(st, C_U_NONCE),
	    .unblinded_at = verify_col(st, C_U_AT) });
	if ((rc = verify_same(v, st, err, "unblindings table does")) != 0)
		return rc;
	if (v->blind_seq == 0 || blind != v->blind_seq)
		return verify_fail(v, seq, err, "the disclosure names no earlier "
		    "blinding commitment");
	return unblind_opens(v, seq, verify_col(st, C_U_MAPPING),
	    verify_col(st, C_U_NONCE), err);
}
