#!/bin/sh
# t0017-budget: the budget ledger of Ungebudgetter (caseworkers
# randomized by constrained randomization with a beacon) and of a small
# individually randomized trial.  Spends are exact in øre, every refusal
# leaves the log as it was, the report adds up, a trial without a
# budget refuses both commands, and verify catches a tampered spend.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log DB N - DB's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# cat_line CATEGORY SPENDS SPENT, person_line ID ARM SPENDS SPENT LEFT -
# the lines of 'budget report'.
cat_line() {
	printf '%-24s %6s %14s DKK\n' "$1" "$2" "$3"
}
person_line() {
	printf '%-36s %-4s %6s %14s %14s\n' "$1" "$2" "$3" "$4" "$5"
}
cat_header=$(printf 'By category\n%-24s %6s %14s' CATEGORY SPENDS SPENT)
person_header=$(printf 'By participant\n%-36s %-4s %6s %14s %14s' \
    PARTICIPANT ARM SPENDS SPENT REMAINING)

# --- help and usage ---------------------------------------------------

run "$SORTES" budget --help
expect_status 0
expect_out_contains "usage: sortes budget spend PARTICIPANT --amount AMOUNT --category NAME"
expect_out_contains "sortes budget report"
expect_err_empty

new_trial "$UNGEBUDGETTER" b.db
expect_log b.db 1

run "$SORTES" budget --db b.db
expect_status 64
expect_err_contains "expected spend or report"
run "$SORTES" budget frob --db b.db
expect_status 64
expect_err_contains "unknown subcommand 'frob'"
run "$SORTES" budget report extra --db b.db
expect_status 64
run "$SORTES" budget report --amount 5 --db b.db
expect_status 64
expect_err_contains "are for 'budget spend'"
run "$SORTES" budget spend --amount 5 --category other --db b.db
expect_status 64
expect_err_contains "expected one PARTICIPANT"
run "$SORTES" budget spend A B --amount 5 --category other --db b.db
expect_status 64
run "$SORTES" budget spend A --category other --db b.db
expect_status 64
expect_err_contains "--amount and --category are required"
run "$SORTES" budget spend A --amount 5 --db b.db
expect_status 64
expect_err_contains "--amount and --category are required"
run "$SORTES" budget spend A --amount 5 --category other --bogus --db b.db
expect_status 64
run "$SORTES" budget spend A --amount --db b.db
expect_status 64
run "$SORTES" budget spend A --amount 5 --category other --date 1.3.2024 --db b.db
expect_status 64
expect_err_contains "--date"
run "$SORTES" budget report --db no-such.db
expect_status 66
check "a database was created" test ! -e no-such.db
expect_log b.db 1

# --- Ungebudgetter: caseworkers, randomization, participants -----------
#
# Six caseworkers, two per office; the constrained randomization keeps
# the best-balanced tenth of the 20 ways to split them 3:3.
office_caseworkers 6
run "$SORTES" caseworker import cws.csv --db b.db
expect_status 0
expect_out_is "registered 6 of 6 caseworkers"
run "$SORTES" randomize --db b.db --beacon 0011223344556677
expect_status 0
expect_out_contains "randomized 6 caseworkers by constrained, log entry 8: B 3, C 3"
expect_log b.db 8
cw_b=$(cw_in_arm b.db B)
cw_c=$(cw_in_arm b.db C)
check "no caseworkers in both arms" test -n "$cw_b" -a -n "$cw_c"

ub_enroll b.db 170500-9001 "$cw_b"
pb=$id
expect_out_contains ": arm B ("
ub_enroll b.db 170500-9002 "$cw_c"
pc=$id
expect_out_contains ": arm C ("
ub_enroll b.db 170500-9003 "$cw_b"
pb2=$id
ub_enroll b.db 170500-9004 "$cw_b"
pw=$id
expect_log b.db 12

# The budget arm gets the budget follow-ups too; m36 counts from m24.
expect_eq "$("$SQLITE3" b.db "select group_concat(occasion || ' ' || due, ', ') from (select s.* from schedule s join participants p on p.seq = s.participant where p.id = '$pb' order by s.due, s.occasion)")" \
    "m12 2025-03-03, m12_budget 2025-03-03, m24 2026-03-02, m24_budget 2026-03-02, m36 2027-03-01" \
    "follow-ups of a budget participant"
expect_eq "$("$SQLITE3" b.db "select group_concat(occasion, ' ') from (select s.* from schedule s join participants p on p.seq = s.participant where p.id = '$pc' order by s.due, s.occasion)")" \
    "m12 m24 m36" "follow-ups of a control participant"
# A measure of another occasion is named as such.
run env SORTES_NOW=2025-03-03T10:00:00Z "$SORTES" followup record "$pb" m12 \
    budget_use_satisfaction=4 --db b.db
expect_status 65
expect_err_contains "measure 'budget_use_satisfaction' is not taken at follow-up 'm12'; its measures are: employment, who5"
run env SORTES_NOW=2025-03-03T10:00:00Z "$SORTES" followup record "$pc" m12_budget \
    budget_use_satisfaction=4 --db b.db
expect_status 65
expect_err_contains "follow-up 'm12_budget' is not scheduled for participant '$pc'"
expect_log b.db 12

# --- budget spend -----------------------------------------------------

run "$SORTES" budget spend "$pb" --amount 3200 --category education --db b.db
expect_status 0
expect_err_empty
expect_out_is "spent 3200.00 DKK for participant $pb (education), log entry 13; 21800.00 DKK remaining"
expect_log b.db 13
expect_eq "$("$SQLITE3" b.db "select kind from log where seq = 13")" spend \
    "kind of entry 13"
expect_eq "$("$SQLITE3" b.db "select body from log where seq = 13")" \
    "{\"amount_minor\":320000,\"category\":\"education\",\"currency\":\"DKK\",\"kind\":\"spend\",\"note\":null,\"participant\":\"$pb\",\"recorded_at\":\"2024-03-01T10:00:00Z\",\"seq\":13,\"spent_on\":\"2024-03-01\"}" \
    "body of the spend entry"
expect_eq "$("$SQLITE3" b.db "select json_type(body, '\$.amount_minor') from log where seq = 13")" \
    integer "amount_minor in the log"
expect_eq "$("$SQLITE3" b.db "select typeof(amount_minor) || ' ' || amount_minor || ' ' || category || ' ' || spent_on || ' ' || coalesce(note, '-') from spends where seq = 13")" \
    "integer 320000 education 2024-03-01 -" "spend row"

# One decimal means tenths: 3200.5 is 3200.50.
run "$SORTES" budget spend "$pb" --amount 3200.5 --category transport \
    --note "bus card, 12 months" --db b.db
expect_status 0
expect_out_is "spent 3200.50 DKK for participant $pb (transport), log entry 14; 18599.50 DKK remaining"
expect_eq "$("$SQLITE3" b.db "select json_extract(body, '\$.amount_minor') || ' ' || json_extract(body, '\$.note') from log where seq = 14")" \
    "320050 bus card, 12 months" "amount and note of entry 14"

# Amounts that are not amounts above 0 with at most 2 decimals.
for bad in 0 0.00 -5 -0.01 1.234 abc "" 1e3 " 5" 5. .5 +5 1,50 \
    99999999999999999999; do
	run "$SORTES" budget spend "$pb" --amount "$bad" --category education --db b.db
	expect_status 65
	expect_out_empty
	expect_err_contains "amount '$bad'"
done
run "$SORTES" budget spend "$pb" --amount 1.234 --category education --db b.db
expect_err_contains "has more than 2 decimals"
run "$SORTES" budget spend "$pb" --amount -5 --category education --db b.db
expect_err_contains "is not above 0"
expect_log b.db 14

# Overspending: refused with what was spent and what remains.
run "$SORTES" budget spend "$pb" --amount 18599.51 --category equipment --db b.db
expect_status 65
expect_out_empty
expect_err_contains "the spend would overspend the budget: 6400.50 DKK spent, 18599.50 DKK remaining"
run "$SORTES" budget spend "$pb" --amount 25000 --category equipment --db b.db
expect_status 65
expect_err_contains "6400.50 DKK spent, 18599.50 DKK remaining"
expect_log b.db 14
# Exactly what remains is accepted.
run "$SORTES" budget spend "$pb" --amount 18599.50 --category equipment \
    --date 2024-03-01 --db b.db
expect_status 0
expect_out_is "spent 18599.50 DKK for participant $pb (equipment), log entry 15; 0.00 DKK remaining"
run "$SORTES" budget spend "$pb" --amount 0.01 --category other --db b.db
expect_status 65
expect_err_contains "25000.00 DKK spent, 0.00 DKK remaining"
expect_log b.db 15

# Other refusals: nothing written.
run "$SORTES" budget spend "$pc" --amount 100 --category education --db b.db
expect_status 65
expect_out_empty
expect_err_contains "participant '$pc' is in arm C, which has no budget"
run "$SORTES" budget spend "$pb2" --amount 100 --category food --db b.db
expect_status 65
expect_err_contains "category 'food' is not one of the protocol's: education, transport, equipment, housing, health, leisure, debt, other"
run "$SORTES" budget spend "$pb2" --amount 100 --category Education --db b.db
expect_status 65
expect_err_contains "category 'Education' is not one of the protocol's"
run "$SORTES" budget spend nobody --amount 100 --category other --db b.db
expect_status 65
expect_err_contains "no participant 'nobody'"
run "$SORTES" budget spend "$pb2" --amount 100 --category other --note "" --db b.db
expect_status 65
expect_err_contains "note must be 1 to 1000 bytes"
run "$SORTES" budget spend "$pb2" --amount 100 --category other \
    --date 2024-03-02 --db b.db
expect_status 65
expect_err_contains "the date of the spend is in the future"
run "$SORTES" budget spend "$pb2" --amount 100 --category other \
    --date 2024-02-29 --db b.db
expect_status 65
expect_err_contains "the date of the spend is before the participant was enrolled"
expect_log b.db 15

# A withdrawn participant's budget is closed; what was spent stays.
run "$SORTES" budget spend "$pw" --amount 100 --category health --db b.db
expect_status 0
expect_out_contains "log entry 16; 24900.00 DKK remaining"
run "$SORTES" withdraw "$pw" --reason "moved to Odense" --db b.db
expect_status 0
expect_out_contains "log entry 17"
run "$SORTES" budget spend "$pw" --amount 100 --category health --db b.db
expect_status 65
expect_out_empty
expect_err_contains "participant '$pw' has withdrawn"
expect_log b.db 17

# A later spend, dated back to a day after enrollment.
run env SORTES_NOW=2024-04-15T12:00:00Z "$SORTES" budget spend "$pb2" \
    --amount 1000 --category leisure --date 2024-04-10 --db b.db
expect_status 0
expect_out_is "spent 1000.00 DKK for participant $pb2 (leisure), log entry 18; 24000.00 DKK remaining"
expect_eq "$("$SQLITE3" b.db "select spent_on || ' ' || recorded_at from spends where seq = 18")" \
    "2024-04-10 2024-04-15T12:00:00Z" "dates of spend 18"
expect_log b.db 18

# --- budget report ----------------------------------------------------

run "$SORTES" budget report --db b.db
expect_status 0
expect_err_empty
expect_out_is "$cat_header
$(cat_line education 1 3200.00)
$(cat_line equipment 1 18599.50)
$(cat_line health 1 100.00)
$(cat_line leisure 1 1000.00)
$(cat_line transport 1 3200.50)

$person_header
$(person_line "$pb" B 3 25000.00 0.00)
$(person_line "$pb2" B 1 1000.00 24000.00)
$(person_line "$pw" B 1 100.00 24900.00)

3 participants with a budget: 26100.00 DKK spent, 48900.00 DKK remaining"
check "the control participant is in the report" \
    sh -c "! grep -q -e '$pc' out"
# The report writes nothing and needs no key.
mv b.key away.key
run "$SORTES" budget report --db b.db
expect_status 0
expect_out_contains "3 participants with a budget"
mv away.key b.key
expect_log b.db 18

# --- verify -----------------------------------------------------------

run "$SORTES" verify --db b.db
expect_status 0
expect_err_empty
expect_out_contains "ok: 18 entries, 4 participants"

checkpoint b.db
# tamper NAME SQL - a copy NAME.db of b.db, changed by SQL; verify must
# fail on it.
tamper() {
	cp b.db "$1.db"
	"$SQLITE3" "$1.db" "$2" || fail "tampering SQL failed: $2"
	run "$SORTES" verify --db "$1.db"
	expect_status 1
	expect_out_empty
}
tamper amount "update spends set amount_minor = 32000 where seq = 13"
expect_err_contains "log entry 13: the spends table does not agree with this entry"
tamper category "update spends set category = 'leisure' where seq = 14"
expect_err_contains "log entry 14:"
tamper note "update spends set note = null where seq = 14"
expect_err_contains "log entry 14:"
tamper spent_on "update spends set spent_on = '2024-04-11' where seq = 18"
expect_err_contains "log entry 18:"
tamper owner "update spends set participant = (select seq from participants where id = '$pb2') where seq = 15"
expect_err_contains "log entry 15:"
tamper forget "delete from spends where seq = 16"
expect_err_contains "log entry 16: no spend row records this entry"

run "$SORTES" verify --db b.db
expect_status 0

# --- a trial without a budget -----------------------------------------

new_trial "$UNGIFOKUS" f.db
enroll_fokus f.db 170500-9001
expect_status 0
pf=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
run "$SORTES" budget spend "$pf" --amount 100 --category other --db f.db
expect_status 65
expect_out_empty
expect_err_contains "the protocol declares no budget"
run "$SORTES" budget report --db f.db
expect_status 65
expect_out_empty
expect_err_contains "the protocol declares no budget"
expect_log f.db 2

# --- a small individually randomized trial ----------------------------
#
# DKK 1000 for arm I, and no categories: any category text will do.
cat >small.yaml <<'EOF'
sortes: 1
trial:
  id: smallbudget
  title: A small budget
  sponsor: Test
  target_enrollment: 10
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
randomization:
  unit: individual
  method: blocks
  block_sizes: [2]
fields:
  - {name: birth_date, type: date, required: true}
eligibility:
  - {name: age 18-30, age_of: birth_date, min: 18, max: 30}
budget:
  amount: "1000.00"
  currency: DKK
  arms: [I]
EOF
new_trial small.yaml s.db
# One block of 2: one participant in each arm.
for person in S-1 S-2; do
	run "$SORTES" enroll --db s.db --person "$person" --caseworker CW1 \
	    --field birth_date=2000-05-17
	expect_status 0
	id=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
	case $(cat out) in
	*": arm I ("*) pi=$id ;;
	*": arm C ("*) pc2=$id ;;
	esac
done
check "not one participant in each arm" test -n "${pi:-}" -a -n "${pc2:-}"

run "$SORTES" budget spend "$pi" --amount 999.99 --category "bike repair" --db s.db
expect_status 0
expect_out_is "spent 999.99 DKK for participant $pi (bike repair), log entry 4; 0.01 DKK remaining"
run "$SORTES" budget spend "$pi" --amount 0.02 --category other --db s.db
expect_status 65
expect_err_contains "999.99 DKK spent, 0.01 DKK remaining"
run "$SORTES" budget spend "$pi" --amount 1 --category "$(printf 'a\tb')" --db s.db
expect_status 65
expect_err_contains "category holds a control character"
run "$SORTES" budget spend "$pc2" --amount 1 --category other --db s.db
expect_status 65
expect_err_contains "is in arm C, which has no budget"
run "$SORTES" budget spend "$pi" --amount 0.01 --category other --db s.db
expect_status 0
expect_out_contains "log entry 5; 0.00 DKK remaining"
expect_log s.db 5

run "$SORTES" budget report --db s.db
expect_status 0
expect_out_is "$cat_header
$(cat_line "bike repair" 1 999.99)
$(cat_line other 1 0.01)

$person_header
$(person_line "$pi" I 2 1000.00 0.00)

1 participant with a budget: 1000.00 DKK spent, 0.00 DKK remaining"

run "$SORTES" verify --db s.db
expect_status 0
checkpoint s.db
cp s.db over.db
"$SQLITE3" over.db "update spends set amount_minor = 2 where seq = 5"
run "$SORTES" verify --db over.db
expect_status 1
expect_err_contains "log entry 5:"

finish
