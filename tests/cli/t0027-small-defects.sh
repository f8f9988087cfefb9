#!/bin/sh
# t0027-small-defects: a birth date after the enrollment date is said to
# be one, not a negative age; a correction changes only the measures it
# names and keeps the date unless one is given.
. "$SRCDIR/tests/cli/lib.sh"

# --- a birth date in the future -----------------------------------------

new_trial "$UNGIFOKUS" t.db
enroll_fokus t.db 010190-1001 2030-01-01
expect_status 65
expect_out_empty
echo "sortes: field 'birth_date' is 2030-01-01, after the enrollment date 2024-03-01: rule 'age 18-28' needs a date of birth" >expected
check "stderr is not the birth date refusal" cmp -s expected err
expect_eq "$(log_count t.db)" 1 "log entries in t.db"

# --- a correction changes only what it names ------------------------------

enroll_fokus t.db 010190-1001
expect_status 0
p=$("$SQLITE3" t.db 'select id from participants')
SORTES_NOW=2024-09-10T10:00:00Z
export SORTES_NOW

# m6 - the export's rows of p's m6: status, date, window flag, measure, value.
m6() {
	run "$SORTES" export followups --db t.db
	expect_status 0
	grep ',m6,' out | cut -d, -f 8- | tr '\n' ' '
}

run "$SORTES" followup record --db t.db "$p" m6 employment=job who5=60 \
    weekly_hours=37.5 --date 2024-09-05
expect_status 0
# One measure, no date: the others and the date stay.
run "$SORTES" followup record --db t.db "$p" m6 who5=64 --correct
expect_status 0
expect_out_contains ", correcting entry 3"
expect_eq "$(m6)" "done,2024-09-05,false,employment,job done,2024-09-05,false,who5,64 done,2024-09-05,false,weekly_hours,37.5 " \
    "m6 after correcting who5"
# A measure and a date: both change.
run "$SORTES" followup record --db t.db "$p" m6 weekly_hours=30 \
    --date 2024-09-07 --correct
expect_status 0
expect_eq "$(m6)" "done,2024-09-07,false,employment,job done,2024-09-07,false,who5,64 done,2024-09-07,false,weekly_hours,30.0 " \
    "m6 after correcting weekly_hours and the date"
# The date alone.
run "$SORTES" followup record --db t.db "$p" m6 --date 2024-09-08 --correct
expect_status 0
expect_eq "$(m6)" "done,2024-09-08,false,employment,job done,2024-09-08,false,who5,64 done,2024-09-08,false,weekly_hours,30.0 " \
    "m6 after correcting the date"
# Neither: refused, nothing written.
run "$SORTES" followup record --db t.db "$p" m6 --correct
expect_status 65
expect_err_contains "nothing to correct: give the measures that change (MEASURE=VALUE), or --date"
expect_eq "$(log_count t.db)" 6 "log entries in t.db"
run "$SORTES" verify --db t.db
expect_status 0
run "$SORTES" followup --help
expect_status 0
expect_out_contains "A correction changes only"

finish
