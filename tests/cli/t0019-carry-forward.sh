#!/bin/sh
# t0019-carry-forward: trials written by log format 1 (tests/data/v1,
# made by an earlier sortes) are verified, replayed and continued by
# this one, keeping format 1's rules; new trials are format 2 and
# commit to the protocol's canonical JSON form.
. "$SRCDIR/tests/cli/lib.sh"

V1=$SRCDIR/tests/data/v1

# load NAME - the fixture NAME as NAME.db with its key file (0600: git
# keeps no modes) and seal beside it.
load() {
	"$SQLITE3" "$1.db" <"$V1/$1.sql" || fail "cannot load $1.sql"
	cp "$V1/$1.key" "$1.key"
	chmod 600 "$1.key"
	cp "$V1/$1.seal" "$1.seal"
}
load ungifokus
load ungebudgetter
cp "$V1/lead.pub" lead.pub
# The fixtures' entries are from 2025: the clock must be later.
SORTES_NOW=2025-10-01T08:00:00Z
export SORTES_NOW

genesis_of() {
	"$SQLITE3" "$1" "SELECT body FROM log WHERE seq = 1"
}
check "the fixture is log format 1" \
    contains "$(genesis_of ungifokus.db)" '"log_format":1,"protocol_sha256"'

# Verify as it stands, its seal with the signer's key, and its replay
# before the reveal with the key file.
run "$SORTES" verify --db ungifokus.db --seal ungifokus.seal --pubkey lead.pub
expect_status 0
expect_out_contains "ok: 17 entries, 12 participants, 2 seals (signatures checked)"
run "$SORTES" verify --db ungifokus.db --replay --key ungifokus.key
expect_status 0
expect_out_contains "replay: all 12 allocations re-derived from the seed match the log"

# Reading left the file's schema as it was; the trial stays format 1:
# no JSON form is stored, but one is shown, derived as format 1 reads
# the protocol file.
expect_eq "$("$SQLITE3" ungifokus.db 'pragma user_version')" 4 \
    "schema version after reading"
run "$SORTES" protocol show --json --db ungifokus.db
expect_status 0
expect_out_contains '"method":"stratified_blocks"'
expect_out_contains '"trial":{"id":"ungifokus",'

# Enrollment goes on, in format 1's bodies, and the whole still verifies.
run "$SORTES" enroll --db ungifokus.db --person 010203-4455 --caseworker CW1 \
    --field birth_date=2003-02-01 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 0
# Writing migrated the file, and still stored no JSON form.
expect_eq "$("$SQLITE3" ungifokus.db 'pragma user_version')" 6 \
    "schema version after writing"
expect_eq "$("$SQLITE3" ungifokus.db \
    "SELECT count(*) FROM trial WHERE protocol_json IS NULL")" 1 \
    "no stored JSON form"
run "$SORTES" verify --db ungifokus.db --seal ungifokus.seal --pubkey lead.pub
expect_status 0
expect_out_contains "ok: 18 entries, 13 participants, 2 seals (signatures checked)"
check "the genesis entry is unchanged" \
    contains "$(genesis_of ungifokus.db)" '"log_format":1,"protocol_sha256"'

# The revealed caseworker-level trial verifies with its seal.
run "$SORTES" verify --db ungebudgetter.db --seal ungebudgetter.seal \
    --pubkey lead.pub
expect_status 0
expect_out_contains "ok: 27 entries, 8 participants, 2 seals (signatures checked)"
# ... and replays from its revealed seed, new hires and their youths
# included, by format 1's rules (one indicator column per level of an
# enum covariate).
run "$SORTES" verify --db ungebudgetter.db --replay
expect_status 0
expect_out_contains "replay: all 20 allocations re-derived from the seed match the log"

# --- format 2 ---------------------------------------------------------

new_trial "$UNGEBUDGETTER" new.db
genesis=$(genesis_of new.db)
check "a new trial is log format 2" contains "$genesis" '"log_format":2,'
committed=$(printf '%s' "$genesis" |
    sed 's/.*"protocol_json_sha256":"\([0-9a-f]*\)".*/\1/')
expect_eq "$("$SORTES" protocol show --json --db new.db | sha256sum |
    cut -d' ' -f1)" "$committed" "protocol show --json hashes to the commitment"
expect_eq "$("$SQLITE3" new.db "SELECT protocol_json FROM trial")" \
    "$("$SORTES" protocol show --json --db new.db)" \
    "protocol show --json prints the stored form"
run "$SORTES" verify --db new.db
expect_status 0

# docs/audit.md, "The protocol": both commitments with sqlite3 alone.
"$SQLITE3" new.db "SELECT writefile('protocol.yaml', protocol),
    writefile('protocol.json', protocol_json) FROM trial" >/dev/null
expect_eq "$(sha256sum protocol.yaml protocol.json | cut -d' ' -f1 |
    tr '\n' ' ')" "$("$SQLITE3" new.db "SELECT json_extract(body,
    '\$.protocol_sha256'), json_extract(body, '\$.protocol_json_sha256')
    FROM log WHERE seq = 1" | tr '|' ' ') " "the auditor's recipe"
check "the stored protocol is the file" cmp -s protocol.yaml "$UNGEBUDGETTER"

# The stored form edited behind the log's back.
"$SQLITE3" new.db "UPDATE trial SET protocol_json = replace(protocol_json, \
    '\"keep_per10k\":1000', '\"keep_per10k\":10000')"
run "$SORTES" verify --db new.db
expect_status 1
expect_err_contains "log entry 1: the stored protocol's JSON form is not what its protocol file reads as"

run "$SORTES" protocol show --json --db nonexistent.db
expect_status 66

finish
