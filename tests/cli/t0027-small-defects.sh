#!/bin/sh
# t0027-small-defects: a birth date after the enrollment date is said to
# be one, not a negative age; a correction changes only the measures it
# names and keeps the date unless one is given; a trial that declares
# blinded outcome assessment keeps the occasions only some arms have out
# of the due lists and the calendar.
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

# --- blinded outcome assessment -------------------------------------------

SORTES_NOW=2024-03-01T10:00:00Z
sed 's/^  weekends: next_monday$/&\
  outcome_assessment: blinded/' "$UNGEBUDGETTER" >blinded.yaml
check "blinded.yaml does not declare it" grep -q '^  outcome_assessment: blinded$' blinded.yaml
office_caseworkers 6

# trial DB PROTOCOL - a randomized Ungebudgetter trial with one youth of
# each arm; the youth of arm B is the one with the budget occasions.
trial() {
	new_trial "$2" "$1"
	run "$SORTES" caseworker import cws.csv --db "$1"
	expect_status 0
	run "$SORTES" randomize --db "$1" --beacon 0011223344556677
	expect_status 0
	i=0
	for arm in B C; do
		i=$((i + 1))
		cw=$("$SQLITE3" "$1" "select c.code from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where ca.arm = '$arm' order by c.code limit 1")
		run "$SORTES" enroll --db "$1" --person "0${i}0190-100$i" \
		    --caseworker "$cw" --field birth_date=2001-03-09 \
		    --field months_without_job_or_education=14 \
		    --field benefit=uddannelseshjaelp
		expect_status 0
	done
}

# Due at the first year: m12 for both, m12_budget for the youth of B.
trial b.db blinded.yaml
run "$SORTES" followup due --db b.db --as-of 2025-02-20
expect_status 0
expect_err_empty
expect_eq "$(sed 1d out | awk '{ print $4 }' | sort | tr '\n' ' ')" \
    "m12 m12 " "occasions due, blinded"
run "$SORTES" followup due --db b.db --as-of 2025-02-20 --json
expect_status 0
check "the JSON list shows m12_budget" sh -c '! grep -q m12_budget out'
run "$SORTES" followup overdue --db b.db --as-of 2026-01-01
expect_status 0
expect_eq "$(sed 1d out | awk '{ print $4 }' | sort | tr '\n' ' ')" \
    "m12 m12 " "occasions overdue, blinded"
run "$SORTES" followup calendar --db b.db
expect_status 0
check "the calendar shows m12_budget" sh -c '! grep -q m12_budget out'
expect_err_contains "6 open follow-ups in the calendar"

# Asked for, they are listed, and stderr says what they tell.
note="sortes: the list shows m12_budget, m24_budget, which only some arms have: in this trial of blinded outcome assessment they tell whoever reads it those participants' arms"
run "$SORTES" followup due --db b.db --as-of 2025-02-20 --arm-specific
expect_status 0
expect_eq "$(sed 1d out | awk '{ print $4 }' | sort | tr '\n' ' ')" \
    "m12 m12 m12_budget " "occasions due, --arm-specific"
expect_err_contains "$note"
run "$SORTES" followup calendar --db b.db --arm-specific
expect_status 0
expect_out_contains "m12_budget"
expect_err_contains "$note"
expect_err_contains "8 open follow-ups in the calendar"

# The shipped protocol declares nothing: open, everything listed.
trial o.db "$UNGEBUDGETTER"
run "$SORTES" followup due --db o.db --as-of 2025-02-20
expect_status 0
expect_err_empty
expect_eq "$(sed 1d out | awk '{ print $4 }' | sort | tr '\n' ' ')" \
    "m12 m12 m12_budget " "occasions due, open"
run "$SORTES" followup due --db o.db --as-of 2025-02-20 --arm-specific
expect_status 0
expect_err_empty

# The help says what a list shows in each case.
run "$SORTES" followup --help
expect_status 0
expect_out_contains "outcome_assessment:"
expect_out_contains "--arm-specific"
run "$SORTES" protocol check blinded.yaml
expect_status 0
finish
