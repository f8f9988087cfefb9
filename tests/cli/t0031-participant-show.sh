#!/bin/sh
# t0031-participant-show: one participant's whole history in
# Ungebudgetter (caseworkers randomized): the enrollment, a transfer to
# a caseworker of the other arm, a budget spend, a follow-up recorded
# out of its window and corrected, one missed, and the withdrawal; as
# text and as JSON read back with Python's json module.  The entries
# come from the log: a table changed to point elsewhere is caught.  An
# unknown participant is refused, and the database is never written.
. "$SRCDIR/tests/cli/lib.sh"

# --- help and usage ---------------------------------------------------

run "$SORTES" participant --help
expect_status 0
expect_out_contains "usage: sortes participant show PARTICIPANT [--json] [--db FILE]"
expect_err_empty
run "$SORTES" help
expect_out_contains "participant"

new_trial "$UNGEBUDGETTER" b.db
run "$SORTES" participant --db b.db
expect_status 64
expect_err_contains "expected show"
run "$SORTES" participant list --db b.db
expect_status 64
expect_err_contains "unknown subcommand 'list'"
run "$SORTES" participant show --db b.db
expect_status 64
expect_err_contains "expected one PARTICIPANT"
run "$SORTES" participant show a b --db b.db
expect_status 64
run "$SORTES" participant show a --bogus --db b.db
expect_status 64
run "$SORTES" participant show a --db no-such.db
expect_status 66
check "a database was created" test ! -e no-such.db

# --- the history ------------------------------------------------------

office_caseworkers 6
run "$SORTES" caseworker import cws.csv --db b.db
expect_status 0
run "$SORTES" randomize --db b.db --beacon 0011223344556677
expect_status 0
expect_out_contains "log entry 8"
cw_b=$(cw_in_arm b.db B)
cw_c=$(cw_in_arm b.db C)
ub_enroll b.db 170500-9001 "$cw_b"
p=$id
ub_enroll b.db 170500-9002 "$cw_c"
other=$id
run "$SORTES" transfer "$p" --to "$cw_c" --db b.db
expect_status 0
run "$SORTES" budget spend "$p" --amount 3200.5 --category transport \
    --note "bus card, 12 months" --db b.db
expect_status 0
run env SORTES_NOW=2025-04-10T09:00:00Z "$SORTES" followup record "$p" m12 \
    employment=none who5=64 --out-of-window --db b.db
expect_status 0
run env SORTES_NOW=2025-04-10T09:30:00Z "$SORTES" followup record "$p" m12 \
    who5=46 --correct --db b.db
expect_status 0
run env SORTES_NOW=2026-03-02T09:00:00Z "$SORTES" followup missed "$p" m24 \
    --reason "no contact" --db b.db
expect_status 0
run env SORTES_NOW=2026-03-03T09:00:00Z "$SORTES" withdraw "$p" \
    --reason "moved to Odense" --db b.db
expect_status 0
expect_out_contains "log entry 16"
checkpoint b.db
before=$(cksum <b.db)

run "$SORTES" participant show "$p" --db b.db
expect_status 0
expect_err_empty
expect_out_is "participant $p: arm B (Citizen-controlled budget of DKK 25,000), caseworker $cw_c, withdrawn; 7 log entries
entry 9     2024-03-01T10:00:00Z  enrolled with caseworker $cw_b, arm B (Citizen-controlled budget of DKK 25,000)
    pseudonym: $("$SQLITE3" b.db "select pseudonym from participants where id = '$p'")
    allocation: counter=8, method=caseworker, position=null
    stratum: none
    baseline fields:
    benefit: uddannelseshjaelp
    birth_date: 2000-05-17
    months_without_job_or_education: 12
entry 11    2024-03-01T10:00:00Z  transferred from caseworker $cw_b to $cw_c, a caseworker of another arm: possible contamination
entry 12    2024-03-01T10:00:00Z  spent 3200.50 DKK on 2024-03-01 for transport
    note: bus card, 12 months
entry 13    2025-04-10T09:00:00Z  follow-up m12 measured on 2025-04-10, outside its window
    employment: none
    who5: 64
    superseded by entry 14
entry 14    2025-04-10T09:30:00Z  follow-up m12 measured on 2025-04-10, outside its window, correcting entry 13
    employment: none
    who5: 46 (was 64)
entry 15    2026-03-02T09:00:00Z  follow-up m24 missed: no contact
entry 16    2026-03-03T09:00:00Z  withdrew: moved to Odense"

# The other participant's history is its enrollment alone.
run "$SORTES" participant show "$other" --db b.db
expect_status 0
expect_out_contains "participant $other: arm C (Ordinary casework), caseworker $cw_c, active; 1 log entry"
expect_out_contains "entry 10    2024-03-01T10:00:00Z  enrolled with caseworker $cw_c"
check "the other participant's history names an entry of the first" \
    sh -c '! grep -q "^entry 1[1-6]" out'

# --- JSON -------------------------------------------------------------

run "$SORTES" participant show "$p" --json --db b.db
expect_status 0
expect_err_empty
cp out show.json
cat >check.py <<'EOF'
import json, sqlite3, sys
out = open("show.json", encoding="utf-8").read()
assert out.endswith("}\n"), "one value and a newline"
h = json.loads(out)
p, cw_b, cw_c = sys.argv[1:4]
assert sorted(h) == ["arm", "arm_name", "caseworker", "entries",
                     "participant", "withdrawn"], sorted(h)
assert h["participant"] == p and h["arm"] == "B", h
assert h["arm_name"] == "Citizen-controlled budget of DKK 25,000", h
assert h["caseworker"] == cw_c and h["withdrawn"] is True, h
db = sqlite3.connect("b.db")
seqs = [e["body"]["seq"] for e in h["entries"]]
assert seqs == [9, 11, 12, 13, 14, 15, 16], seqs
kinds = [e["body"]["kind"] for e in h["entries"]]
assert kinds == ["enroll", "transfer", "spend", "measure", "measure",
                 "missed", "withdraw"], kinds
for e in h["entries"]:
    body, prev, hash_ = db.execute(
        "SELECT body, prev_hash, hash FROM log WHERE seq = ?",
        (e["body"]["seq"],)).fetchone()
    assert json.loads(body) == e["body"], e
    assert e["hash"] == hash_ and e["prev_hash"] == prev, e
    assert sorted(e) == ["body", "hash", "prev_hash", "superseded_by"], e
    assert e["body"].get("participant") == p, e
e = h["entries"]
assert e[0]["body"]["caseworker"] == cw_b, e[0]
assert e[1]["body"]["cross_arm"] is True and e[1]["body"]["to"] == cw_c
assert e[2]["body"]["amount_minor"] == 320050, e[2]
assert e[3]["body"]["out_of_window"] is True, e[3]
assert e[3]["superseded_by"] == 14 and e[4]["superseded_by"] is None
assert e[4]["body"]["supersedes"] == 13, e[4]
assert e[4]["body"]["measures"] == {"employment": "none", "who5": 46}
assert e[5]["body"]["reason"] == "no contact", e[5]
assert e[6]["body"]["reason"] == "moved to Odense", e[6]
EOF
run python3 check.py "$p" "$cw_b" "$cw_c"
expect_status 0
expect_err_empty

# The bodies in the JSON are the logged bytes: the JSON holds each.
"$SQLITE3" b.db "select body from log where seq in (9, 11, 12, 13, 14, 15, 16)" >bodies
run "$SORTES" participant show "$p" --json --db b.db
while IFS= read -r body; do
	contains "$(cat out)" "$body" || fail "the JSON lacks the body $body"
done <bodies
checks=$((checks + 1))

# --- refusals ---------------------------------------------------------

run "$SORTES" participant show 00000000-0000-7000-8000-000000000000 --db b.db
expect_status 65
expect_out_empty
expect_err_contains "no participant '00000000-0000-7000-8000-000000000000' in this trial"
run "$SORTES" participant show --json nobody --db b.db
expect_status 65
expect_out_empty
expect_err_contains "no participant 'nobody'"

# Read-only: the database is as it was, and no key file is needed.
mv b.key away.key
run "$SORTES" participant show "$p" --db b.db
expect_status 0
mv away.key b.key
expect_eq "$(cksum <b.db)" "$before" "the database after participant show"

# A trial of log format 1 and an older schema, read through an
# up-to-date temporary copy: its file stays as it was.
"$SQLITE3" v1.db <"$DATA/v1/ungebudgetter.sql"
v1p=$("$SQLITE3" v1.db "select p.id from participants p join transfers t on t.participant = p.seq")
check "the fixture has no transferred participant" test -n "$v1p"
v1sum=$(cksum <v1.db)
run "$SORTES" participant show "$v1p" --db v1.db
expect_status 0
expect_err_empty
expect_out_contains "participant $v1p: arm C (Ordinary casework), caseworker SB12, active; 2 log entries"
expect_out_contains "entry 23    2025-03-06T09:00:00Z  transferred from caseworker SB08 to SB12, a caseworker of the same arm"
expect_eq "$(cksum <v1.db)" "$v1sum" "the format-1 database after participant show"

# A table pointing at another participant's entry is not believed.
cp b.db tampered.db
"$SQLITE3" tampered.db "update spends set participant = (select seq from participants where id = '$other')"
run "$SORTES" participant show "$other" --db tampered.db
expect_status 1
expect_out_empty
expect_err_contains "log entry 12 is about another participant"

finish
