#!/bin/sh
# t0028-results: enroll --csv --results, the file that tells the lead
# who is in which arm: one row per input row, enrolled or refused, mode
# 0600, never over a file, and none when the cohort is refused whole.
. "$SRCDIR/tests/cli/lib.sh"

# cell FILE LINE COLUMN - the cell of the results row of input line
# LINE (a CSV line number) in COLUMN.
cell() {
	python3 - "$1" "$2" "$3" <<'PY'
import csv, sys
for row in csv.DictReader(open(sys.argv[1], newline="")):
    if row["line"] == sys.argv[2]:
        print(row[sys.argv[3]])
PY
}

# participants_match FILE DB - every enrolled row of FILE names a
# participant of DB with the arm DB allocated, and every participant of
# DB is in FILE once.
# shellcheck disable=SC2317 # called through check
participants_match() {
	python3 - "$1" <<'PY' >from-file
import csv, sys
for row in csv.DictReader(open(sys.argv[1], newline="")):
    if row["status"] == "enrolled":
        print(row["participant"] + " " + row["arm"] + " " + row["caseworker"])
PY
	"$SQLITE3" "$2" "select p.id || ' ' || a.arm || ' ' || p.caseworker from participants p join allocations a on a.seq = p.seq" >from-db
	sort from-file >a && sort from-db >b && cmp -s a b
}

bad=$DATA/cohort-ungifokus-bad.csv	# lines 4, 7 (two lines) and 10 refused
new_trial "$UNGIFOKUS" t.db

# Refused whole: nothing enrolled, no results file.
run "$SORTES" enroll --db t.db --csv "$bad" --results r.csv
expect_status 65
expect_err_contains "3 of 9 rows refused; nobody was enrolled"
check "no results file after a refused cohort" test ! -e r.csv
expect_eq "$(log_count t.db)" 1 "log entries after a refused cohort"

run "$SORTES" enroll --db t.db --results r.csv --person 010190-9001
expect_status 64
expect_err_contains "--delimiter, --skip-invalid and --results go with --csv"

# With --skip-invalid: every row, the refused ones with their reasons.
run "$SORTES" enroll --db t.db --csv "$bad" --skip-invalid rej.csv \
    --results r.csv
expect_status 0
expect_out_contains "enrolled 6 of 9 rows"
expect_out_contains "results of every row written to r.csv"
expect_eq "$(stat -c %a r.csv)" 600 "mode of the results file"
expect_eq "$(head -n 1 r.csv)" \
    "line,person,participant,arm,arm_name,caseworker,status,reason" \
    "header of the results file"
expect_eq "$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))' r.csv)" 9 "rows of the results file"
expect_eq "$(cell r.csv 2 person)" 110401-9201 "person of line 2"
expect_eq "$(cell r.csv 2 status)" enrolled "status of line 2"
expect_eq "$(cell r.csv 4 status)" refused "status of line 4"
expect_eq "$(cell r.csv 4 reason)" "field 'sex': 'X' is not one of F, M" \
    "reason of line 4"
expect_eq "$(cell r.csv 4 participant)" "" "participant of a refused row"
expect_eq "$(cell r.csv 7 status)" refused "status of line 7"
check "the reason of line 10" contains "$(cell r.csv 10 reason)" \
    "rule 'age 18-28' failed"
expect_eq "$(cell r.csv 11 caseworker)" CW04 "caseworker of line 11"
a=$(cell r.csv 11 arm)
n=$(cell r.csv 11 arm_name)
case $a in
I) expect_eq "$n" "UngiFokus: one primary contact person" "name of arm I" ;;
C) expect_eq "$n" "Ordinary employment effort" "name of arm C" ;;
*) fail "line 11: arm '$a'" ;;
esac
check "the results file names each participant and its arm" \
    participants_match r.csv t.db
# The person identifiers are in the file, never in the database.
checkpoint t.db
check "no person identifier in the database" \
    sh -c '! grep -a -q 110401 t.db'

# Never over a file: refused before anything is enrolled.
cp r.csv r.before
printf '%s\n' "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre" \
    "010296-9011,CW05,1996-02-01,F,uddannelseshjaelp,true,midt" >one.csv
entries=$(log_count t.db)
run "$SORTES" enroll --db t.db --csv one.csv --results r.csv
expect_status 73
expect_err_contains "cannot create results file 'r.csv': it already exists"
check "the results file is unchanged" cmp -s r.csv r.before
expect_eq "$(log_count t.db)" "$entries" "log entries after the refusal"

# Not on a terminal: no hint.
run "$SORTES" enroll --db t.db --csv one.csv
expect_status 0
expect_err_empty
# On a terminal, where the arms with person identifiers can be had.
printf '%s\n' "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre" \
    "020296-9012,CW05,1996-02-02,F,uddannelseshjaelp,true,midt" >two.csv
on_tty "$SORTES" enroll --db t.db --csv two.csv
expect_status 0
expect_out_contains "give --results FILE (mode 0600), or run 'sortes lookup --csv two.csv'"
printf '%s\n' "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre" \
    "030296-9013,CW05,1996-02-03,F,uddannelseshjaelp,true,midt" >three.csv
on_tty "$SORTES" enroll --db t.db --csv three.csv --results r3.csv
expect_status 0
check "no hint with --results" sh -c '! grep -q "give --results" out'
check "results of a cohort enrolled on a terminal" test -s r3.csv
# One enrollment is no cohort: no hint.
on_tty "$SORTES" enroll --db t.db --person 040296-9014 --caseworker CW05 \
    --field birth_date=1996-02-04 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 0
check "no hint for one person" sh -c '! grep -q "give --results" out'

# Caseworker-level: each youth's arm is the caseworker's.
ub_trial ub.db
ub_cohort youths.csv
run "$SORTES" enroll --db ub.db --csv youths.csv --results ub.csv
expect_status 0
for line in 2 3 4 5; do
	cw=$(cell ub.csv "$line" caseworker)
	expect_eq "$(cell ub.csv "$line" arm)" "$(caseworker_arm ub.db "$cw")" \
	    "arm of line $line (caseworker $cw)"
done
check "Ungebudgetter results name each participant and its arm" \
    participants_match ub.csv ub.db
expect_eq "$(cell ub.csv 3 person)" 080403-9302 "person of line 3"

finish
