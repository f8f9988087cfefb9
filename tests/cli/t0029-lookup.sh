#!/bin/sh
# t0029-lookup: sortes lookup finds persons by the keyed pseudonym and
# says participant, arm, caseworker and status (active, withdrawn,
# transferred, not enrolled); it needs the key, never enrolls anyone and
# never writes to the trial.
. "$SRCDIR/tests/cli/lib.sh"

# participant_of DB PERSON - the participant PERSON was enrolled as.
participant_of() {
	"$SORTES" lookup --db "$1" --json --person "$2" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["participant"])'
}

new_trial "$UNGIFOKUS" t.db
enroll_fokus t.db 010100-9001
expect_status 0
enroll_fokus t.db 020100-9002
expect_status 0
enroll_fokus t.db 030100-9003
expect_status 0
p1=$(participant_of t.db 010100-9001)
p2=$(participant_of t.db 020100-9002)
p3=$(participant_of t.db 030100-9003)
arm1=$("$SQLITE3" t.db "select a.arm from participants p join allocations a on a.seq = p.seq where p.id = '$p1'")
SORTES_NOW=2024-03-05T23:30:00Z
run "$SORTES" withdraw --db t.db "$p2" --reason "moved away"
expect_status 0
SORTES_NOW=2024-03-06T10:00:00Z
run "$SORTES" transfer --db t.db "$p3" --to CW7
expect_status 0
run "$SORTES" transfer --db t.db "$p3" --to CW8
expect_status 0
SORTES_NOW=2024-03-07T10:00:00Z
checkpoint t.db
sum=$(sha256sum t.db)
entries=$(log_count t.db)

run "$SORTES" lookup --db t.db --person 010100-9001
expect_status 0
case $arm1 in
I) name="UngiFokus: one primary contact person" ;;
*) name="Ordinary employment effort" ;;
esac
expect_out_is "010100-9001: participant $p1, arm $arm1 ($name), caseworker CW1, enrolled on 2024-03-01, active"

# Withdrawn on the trial's day (Europe/Copenhagen: 23:30Z is the next
# day), transferred twice; the other spelling of a CPR number finds the
# same person, shown as given.
run "$SORTES" lookup --db t.db --person 0201009002 --person 030100-9003
expect_status 0
expect_out_contains "0201009002: participant $p2, arm"
expect_out_contains "caseworker CW1, enrolled on 2024-03-01, withdrawn on 2024-03-06"
expect_out_contains "030100-9003: participant $p3, arm"
expect_out_contains "caseworker CW8, enrolled on 2024-03-01, transferred (2 transfers)"

# Never enrolled: said so, exit 1, the others still printed.
run "$SORTES" lookup --db t.db --person 040100-9004 --person 010100-9001
expect_status 1
expect_out_contains "040100-9004: not enrolled"
expect_out_contains "010100-9001: participant $p1"

# JSON, in the order asked.
run "$SORTES" lookup --db t.db --json --person 020100-9002 --person 040100-9004
expect_status 1
python3 - "$p2" <<'PY' >check.out 2>&1 || fail "JSON: $(cat check.out)"
import json, sys
text = open("out").read()
v = json.loads(text)
assert text == json.dumps(v, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False) + "\n", "not canonical"
a, b = v
assert a["person"] == "020100-9002" and a["participant"] == sys.argv[1], a
assert a["status"] == "withdrawn" and a["withdrawn_on"] == "2024-03-06", a
assert a["caseworker"] == "CW1" and a["transfers"] == 0, a
assert a["enrolled_on"] == "2024-03-01" and a["arm"]["code"] in ("I", "C"), a
assert b == {"arm": None, "caseworker": None, "enrolled_on": None,
             "participant": None, "person": "040100-9004",
             "status": "not enrolled", "transfers": 0,
             "withdrawn_on": None}, b
PY
checks=$((checks + 1))

# A CSV with a person column (an enrollment file serves).
printf '%s\n' "caseworker,person" "CW1,030100-9003" "CW1,050100-9005" >who.csv
run "$SORTES" lookup --db t.db --csv who.csv --json
expect_status 1
expect_out_contains '"status":"transferred","transfers":2'
expect_out_contains '"person":"050100-9005","status":"not enrolled"'

# An identifier that is not one: refused with its place, never its text,
# and nothing printed.
run "$SORTES" lookup --db t.db --person 010100-9001 --person "01O100-9001"
expect_status 65
expect_out_empty
expect_err_contains "--person 2: person identifier: character 3"
check "no identifier in the message" sh -c '! grep -q 01O100 err'
printf '%s\n' "person" "010100-9001" "31130 0-9001" >typo.csv
run "$SORTES" lookup --db t.db --csv typo.csv
expect_status 65
expect_out_empty
expect_err_contains "typo.csv:3: person identifier"
printf '%s\n' "id" "010100-9001" >nocol.csv
run "$SORTES" lookup --db t.db --csv nocol.csv
expect_status 65
expect_err_contains "nocol.csv:1: the header needs the column 'person'"

# The key: missing or elsewhere.
run "$SORTES" lookup --db t.db --key elsewhere.key --person 010100-9001
expect_status 66
expect_err_contains "persons are found by the pseudonyms that the trial's key file makes: cannot open key file 'elsewhere.key'"
expect_out_empty
mv t.key moved.key
run "$SORTES" lookup --db t.db --person 010100-9001
expect_status 66
expect_err_contains "cannot open key file 't.key'"
run "$SORTES" lookup --db t.db --key moved.key --person 010100-9001
expect_status 0
mv moved.key t.key

run "$SORTES" lookup --db t.db
expect_status 64
expect_err_contains "give --person ID or --csv FILE"

# Nothing was enrolled or written by any of it.
expect_eq "$(log_count t.db)" "$entries" "log entries after the lookups"
checkpoint t.db
expect_eq "$(sha256sum t.db)" "$sum" "the database after the lookups"

# Caseworker-level: the arm is the caseworker's.
ub_trial ub.db
ub_cohort youths.csv
run "$SORTES" enroll --db ub.db --csv youths.csv
expect_status 0
run "$SORTES" lookup --db ub.db --csv youths.csv --json
expect_status 0
for cw in CW01 CW02 CW03 CW04; do
	expect_out_contains "\"arm\":{\"code\":\"$(caseworker_arm ub.db "$cw")\""
done
python3 - <<'PY' >check.out 2>&1 || fail "Ungebudgetter JSON: $(cat check.out)"
import json
v = json.load(open("out"))
assert [x["caseworker"] for x in v] == ["CW01", "CW02", "CW03", "CW04"], v
assert all(x["status"] == "active" for x in v), v
PY
checks=$((checks + 1))

finish
