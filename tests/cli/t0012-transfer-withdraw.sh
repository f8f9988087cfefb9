#!/bin/sh
# t0012-transfer-withdraw: moving participants between caseworkers and
# recording withdrawals.  Neither changes the arm (intention to treat),
# a move into another arm is flagged, every refusal leaves the trial as
# it was, and verify catches a tampered transfer or withdrawal.
. "$SRCDIR/tests/cli/lib.sh"

cws=$DATA/cw-caseworkers.csv		# 10 caseworkers: Nord 4, Syd 6

cat >p.yaml <<'EOF'
sortes: 1
trial:
  id: cwmove
  title: Transfers and withdrawals
  sponsor: Test
  target_enrollment: 20
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
caseworkers:
  covariates:
    - {name: caseload, type: integer, min: 0, max: 200, required: true}
    - {name: office, type: enum, values: [midt, nord, syd, vest]}
randomization:
  unit: caseworker
  method: stratified
fields:
  - {name: birth_date, type: date, required: true}
  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}
eligibility:
  - {name: age 18-30, age_of: birth_date, min: 18, max: 30}
  - {name: on education benefit, field: benefit, equals: uddannelseshjaelp}
EOF

# expect_log N - the trial's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count t.db)" "$1" "log entries in t.db"
}

# arm_of CODE - the arm of caseworker CODE.
arm_of() {
	"$SQLITE3" t.db "select ca.arm from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where c.code = '$1'"
}

# in_arm ARM [NOT] - the first caseworker (by code) of ARM other than NOT.
in_arm() {
	"$SQLITE3" t.db "select c.code from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where ca.arm = '$1' and c.code <> '${2:-}' order by c.code limit 1"
}

# enroll_cw PERSON CASEWORKER - enroll an eligible youth (must work).
enroll_cw() {
	run "$SORTES" enroll --db t.db --person "$1" --caseworker "$2" \
	    --field birth_date=2000-05-17 --field benefit=uddannelseshjaelp
	expect_status 0
}

# arms - every participant's arm, in enrollment order.
arms() {
	"$SQLITE3" t.db "select group_concat(arm, ' ') from (select arm from allocations order by seq)"
}

# --- help and usage ---------------------------------------------------

for cmd in transfer withdraw; do
	run "$SORTES" "$cmd" --help
	expect_status 0
	expect_out_contains "usage: sortes $cmd PARTICIPANT"
	expect_err_empty
done

new_trial p.yaml t.db
run "$SORTES" caseworker import "$cws" --db t.db
expect_status 0
run "$SORTES" randomize --db t.db
expect_status 0
expect_log 12

home=$(in_arm I)
same=$(in_arm I "$home")
other=$(in_arm C)
check "no caseworkers in both arms" test -n "$home" -a -n "$same" -a -n "$other"

enroll_cw 320100-2001 "$home"
p1=$(sed 's/^enrolled participant \([^:]*\):.*/\1/' out)
expect_out_contains ": arm I ("
enroll_cw 320100-2002 "$other"
p2=$(sed 's/^enrolled participant \([^:]*\):.*/\1/' out)
expect_out_contains ": arm C ("
enroll_cw 320100-2003 "$same"
p3=$(sed 's/^enrolled participant \([^:]*\):.*/\1/' out)
expect_log 15
arms_before=$(arms)
expect_eq "$arms_before" "I C I" "arms at enrollment"

# Usage errors.
run "$SORTES" transfer "$p1" --db t.db
expect_status 64
expect_err_contains "--to CODE is required"
run "$SORTES" transfer --to "$same" --db t.db
expect_status 64
run "$SORTES" transfer "$p1" "$p2" --to "$same" --db t.db
expect_status 64
run "$SORTES" transfer "$p1" --to "$same" --bogus --db t.db
expect_status 64
run "$SORTES" transfer "$p1" --to
expect_status 64
run "$SORTES" withdraw "$p1" --db t.db
expect_status 64
expect_err_contains "--reason TEXT is required"
run "$SORTES" withdraw --reason moved --db t.db
expect_status 64
run "$SORTES" withdraw "$p1" "$p2" --reason moved --db t.db
expect_status 64
run "$SORTES" transfer "$p1" --to "$same" --db no-such.db
expect_status 66
run "$SORTES" withdraw "$p1" --reason moved --db no-such.db
expect_status 66
check "a database was created" test ! -e no-such.db
expect_log 15

# --- transfers --------------------------------------------------------

# Within the arm: no warning.
run "$SORTES" transfer "$p1" --to "$same" --db t.db
expect_status 0
expect_err_empty
expect_out_is "transferred participant $p1 from $home to $same, log entry 16; the arm stays (intention to treat)"
# Into the other arm: flagged.
run "$SORTES" transfer "$p1" --to "$other" --db t.db
expect_status 0
expect_out_contains "transferred participant $p1 from $same to $other, log entry 17"
expect_out_contains "warning: caseworker $other is in another arm: possible contamination, flagged in the log"
expect_eq "$("$SQLITE3" t.db 'select group_concat(cross_arm, " ") from (select cross_arm from transfers order by seq)')" \
    "0 1" "cross_arm flags"
expect_eq "$("$SQLITE3" t.db "select instr(body, '\"cross_arm\":true') > 0 from log where seq = 17")" \
    1 "cross_arm in the log entry"
# A control youth moving to another control caseworker: no warning.
run "$SORTES" transfer "$p2" --to "$(in_arm C "$other")" --db t.db
expect_status 0
check "warning for a move within the arm" sh -c '! grep -q warning out'
expect_log 18
expect_eq "$(arms)" "$arms_before" "arms after transfers"

# Refusals: nothing written.
run "$SORTES" transfer "$p1" --to "$other" --db t.db
expect_status 65
expect_out_empty
expect_err_contains "is with caseworker '$other' already"
run "$SORTES" transfer 00000000-0000-7000-8000-000000000000 --to "$same" --db t.db
expect_status 65
expect_err_contains "no participant '00000000-0000-7000-8000-000000000000'"
run "$SORTES" transfer "$p1" --to CW99 --db t.db
expect_status 65
expect_err_contains "caseworker 'CW99' is not registered"
run "$SORTES" transfer "$p1" --to 'CW 1' --db t.db
expect_status 65
expect_err_contains "may hold only"
expect_log 18

# --- withdrawals ------------------------------------------------------

run "$SORTES" withdraw "$p3" --reason "" --db t.db
expect_status 65
expect_err_contains "reason must be 1 to 1000 bytes"
run "$SORTES" withdraw nobody --reason moved --db t.db
expect_status 65
expect_err_contains "no participant 'nobody'"
expect_log 18

run "$SORTES" withdraw "$p3" --reason "moved to Odense" --db t.db
expect_status 0
expect_err_empty
expect_out_is "withdrew participant $p3, log entry 19; nothing is deleted and the arm stays (intention to treat)"
expect_eq "$("$SQLITE3" t.db "select reason from withdrawals")" \
    "moved to Odense" "stored reason"
run "$SORTES" withdraw "$p3" --reason again --db t.db
expect_status 65
expect_err_contains "has withdrawn already"
run "$SORTES" transfer "$p3" --to "$home" --db t.db
expect_status 65
expect_err_contains "has withdrawn"
expect_log 19
# Nothing is deleted: the withdrawn youth keeps its row and its arm.
expect_eq "$("$SQLITE3" t.db 'select count(*) from participants')" 3 \
    "participants after a withdrawal"
expect_eq "$(arms)" "$arms_before" "arms after the withdrawal"
# A transferred youth can withdraw too.
run "$SORTES" withdraw "$p1" --reason "declined further contact" --db t.db
expect_status 0
expect_log 20

run "$SORTES" verify --db t.db
expect_status 0
expect_err_empty
expect_out_contains "ok: 20 entries, 3 participants"

# --- tampering --------------------------------------------------------

checkpoint t.db
mkdir tamper
for what in to from cross delete reason stray unwithdraw; do
	cp t.db "tamper/$what.db"
done
"$SQLITE3" tamper/to.db "update transfers set to_caseworker = '$home' where seq = 17"
"$SQLITE3" tamper/from.db "update transfers set from_caseworker = 'CW10' where seq = 16"
"$SQLITE3" tamper/cross.db "update transfers set cross_arm = 0 where seq = 17"
"$SQLITE3" tamper/delete.db "delete from transfers where seq = 18"
"$SQLITE3" tamper/reason.db "update withdrawals set reason = 'deceased' where seq = 19"
"$SQLITE3" tamper/unwithdraw.db "delete from withdrawals where seq = 20"
"$SQLITE3" tamper/stray.db "pragma foreign_keys = off; insert into withdrawals (seq, participant, reason, withdrawn_at) values (99, 14, 'stray', '2024-03-01T10:00:00Z')"

for case in to:17 from:16 cross:17 delete:18 reason:19 unwithdraw:20; do
	what=${case%:*}
	seq=${case#*:}
	run "$SORTES" verify --db "tamper/$what.db"
	expect_status 1
	expect_out_empty
	expect_err_contains "log entry $seq:"
done
run "$SORTES" verify --db tamper/stray.db
expect_status 1
expect_err_contains "withdrawals"

# The original is untouched.
run "$SORTES" verify --db t.db
expect_status 0

finish
