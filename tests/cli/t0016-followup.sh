#!/bin/sh
# t0016-followup: the follow-up schedule of UngiFokus end to end.  Due
# dates and windows written out by hand (weekends move to Monday, month
# ends are clamped, the enrollment date is the one in Copenhagen), the
# due and overdue lists and their filters, recording measurements and
# missed occasions with every refusal leaving the log as it was,
# corrections, withdrawals and transfers, the iCalendar file, and
# verify catching a tampered outcome or schedule row, and due dates
# that do not follow from the enrollment day in the trial's zone.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log N - the trial's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count t.db)" "$1" "log entries in t.db"
}

# enroll TIME PERSON CASEWORKER SEX - enroll an eligible youth at TIME
# (UTC; must work); the participant's UUID goes to $id.  PERSON is a
# synthetic CPR number (see lib.sh).
enroll() {
	run env "SORTES_NOW=$1" "$SORTES" enroll --db t.db --person "$2" \
	    --caseworker "$3" --field birth_date=2000-05-17 --field "sex=$4" \
	    --field benefit=uddannelseshjaelp --field activity_ready=true \
	    --field jobcentre=midt
	[ "$status" -eq 0 ] || fail "cannot enroll $2"
	id=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
}

# header, row DUE OPENS CLOSES OCCASION PARTICIPANT CASEWORKER - the
# lines of 'followup due' and 'followup overdue'.
header='DUE         OPENS       CLOSES      OCCASION      PARTICIPANT                           CASEWORKER'
row() {
	printf '%s  %s  %s  %-12s  %s  %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# body SEQ - the body of log entry SEQ.
body() {
	"$SQLITE3" t.db "select body from log where seq = $1"
}

# schedule PARTICIPANT - 'occasion status caseworker outcome' of each of
# the participant's rows, by due date, on one line.
schedule() {
	"$SQLITE3" t.db "select group_concat(r, ' | ') from (select s.occasion || ' ' || s.status || ' ' || s.caseworker || ' ' || coalesce(s.outcome, '-') as r from schedule s join participants p on p.seq = s.participant where p.id = '$1' order by s.due)"
}

# no_arm - neither stdout nor stderr names an arm.
no_arm() {
	check "an arm is printed: $last_cmd" \
	    sh -c '! grep -i -q -w -e arm -e "UngiFokus: one primary" -e "Ordinary employment" out err'
	check "an arm key in the output: $last_cmd" \
	    sh -c '! grep -q "\"arm\"" out'
}

# --- help and usage ---------------------------------------------------

run "$SORTES" followup --help
expect_status 0
expect_out_contains "usage: sortes followup due"
expect_out_contains "sortes followup calendar"
expect_err_empty
for sub in due overdue record missed calendar; do
	run "$SORTES" followup "$sub" --help
	expect_status 0
	expect_out_contains "usage: sortes followup due"
done

new_trial "$UNGIFOKUS" t.db

run "$SORTES" followup --db t.db
expect_status 64
expect_err_contains "expected due, overdue, record, missed or calendar"
run "$SORTES" followup frob --db t.db
expect_status 64
expect_out_empty
expect_err_contains "unknown subcommand 'frob'"
run "$SORTES" followup due extra --db t.db
expect_status 64
run "$SORTES" followup due --bogus --db t.db
expect_status 64
expect_err_contains "unknown option '--bogus'"
run "$SORTES" followup overdue --within 3d --db t.db
expect_status 64
expect_err_contains "--within is for 'followup due'"
for bad in x 3y -1 d 4000; do
	run "$SORTES" followup due --within "$bad" --db t.db
	expect_status 64
	expect_err_contains "--within '$bad'"
done
run "$SORTES" followup due --as-of 2024-02-30 --db t.db
expect_status 64
expect_err_contains "--as-of"
run "$SORTES" followup due --db no-such.db
expect_status 66
run "$SORTES" followup calendar extra --db t.db
expect_status 64
run "$SORTES" followup record --db t.db
expect_status 64
expect_err_contains "expected PARTICIPANT and OCCASION"
check "a database was created" test ! -e no-such.db
expect_log 1

# --- enrollment and the schedule --------------------------------------
#
# P1 on Friday 1 March 2024: m6 falls on Sunday 1 September, m12 on
# Saturday 1 March 2025, m24 on Sunday 1 March 2026; all move to Monday.
enroll 2024-03-01T10:00:00Z 170500-9001 CW1 F
p1=$id
# P2 on Tuesday 5 March 2024: no due date falls on a weekend.
enroll 2024-03-05T09:00:00Z 170500-9002 CW2 M
p2=$id
# P3 at 22:30 UTC on 31 March 2024: 00:30 on 1 April in Copenhagen
# (summer time began that night), so its dates count from 1 April.
enroll 2024-03-31T22:30:00Z 170500-9003 CW1 F
p3=$id
# P4 on Saturday 31 August 2024: +6 months is clamped to 28 February
# 2025 (a Friday); +12 months is Sunday 31 August 2025, moved to
# Monday 1 September.
enroll 2024-08-31T10:00:00Z 170500-9004 CW2 M
p4=$id
expect_log 5

expect_eq "$("$SQLITE3" t.db "select count(*) from schedule")" 12 \
    "schedule rows (4 participants, 3 occasions)"
# dates PARTICIPANT - 'occasion due opens closes' of each of the
# participant's rows, by due date.
dates() {
	"$SQLITE3" t.db "select group_concat(occasion || ' ' || due || ' ' || window_start || ' ' || window_end, ', ') from (select s.* from schedule s join participants p on p.seq = s.participant where p.id = '$1' order by s.due)"
}
expect_eq "$(dates "$p1")" \
    "m6 2024-09-02 2024-08-19 2024-10-02, m12 2025-03-03 2025-02-17 2025-04-02, m24 2026-03-02 2026-02-16 2026-04-01" \
    "P1's due dates and windows"
expect_eq "$(dates "$p2")" \
    "m6 2024-09-05 2024-08-22 2024-10-05, m12 2025-03-05 2025-02-19 2025-04-04, m24 2026-03-05 2026-02-19 2026-04-04" \
    "P2's due dates and windows"
expect_eq "$(dates "$p3")" \
    "m6 2024-10-01 2024-09-17 2024-10-31, m12 2025-04-01 2025-03-18 2025-05-01, m24 2026-04-01 2026-03-18 2026-05-01" \
    "P3's due dates and windows"
expect_eq "$(dates "$p4")" \
    "m6 2025-02-28 2025-02-14 2025-03-30, m12 2025-09-01 2025-08-18 2025-10-01, m24 2026-08-31 2026-08-17 2026-09-30" \
    "P4's due dates and windows"

# --- due --------------------------------------------------------------
#
# On 10 August 2024 with the default 14 days ahead (to 24 August): the
# m6 windows of P1 (opens 19 August) and P2 (opens 22 August).
run "$SORTES" followup due --as-of 2024-08-10 --db t.db
expect_status 0
expect_err_empty
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)"
no_arm
run "$SORTES" followup due --as-of 2024-08-10 --within 14d --db t.db
expect_status 0
expect_eq "$(grep -c ' m6 ' out)" 2 "rows with --within 14d"
run "$SORTES" followup due --as-of 2024-08-10 --within 2w --db t.db
expect_status 0
expect_eq "$(grep -c ' m6 ' out)" 2 "rows with --within 2w"

# Narrower: 9 days reach 19 August, the day P1's window opens; 8 do not.
run "$SORTES" followup due --as-of 2024-08-10 --within 9 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)"
run "$SORTES" followup due --as-of 2024-08-10 --within 8d --db t.db
expect_status 0
expect_out_is "$header"
expect_err_contains "no follow-ups due"
run "$SORTES" followup due --as-of 2024-08-10 --within 0 --db t.db
expect_status 0
expect_out_is "$header"

# Wider: 6 weeks reach 21 September, past the opening of P3's window.
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"

# The last day of a window is still due; the day after, overdue.
run "$SORTES" followup due --as-of 2024-10-02 --within 0 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"
run "$SORTES" followup due --as-of 2024-10-03 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"

# By caseworker.
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --caseworker CW1 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w -c CW2 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --caseworker CW9 --db t.db
expect_status 0
expect_out_is "$header"

# Today by default: 20 September 2024.
run env SORTES_NOW=2024-09-20T10:00:00Z "$SORTES" followup due --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"
# 23:30 UTC on 1 October is 2 October in Copenhagen.
run env SORTES_NOW=2024-10-02T23:30:00Z "$SORTES" followup due --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"

# --- due --json -------------------------------------------------------

# json EXPR - EXPR over the JSON in ./out, by the sqlite3 shell.
json() {
	"$SQLITE3" :memory: "select $1 from (select cast(readfile('out') as text) as j)"
}

run "$SORTES" followup due --as-of 2024-08-10 --json --db t.db
expect_status 0
expect_err_empty
no_arm
expect_eq "$(json 'json_valid(j)')" 1 "due --json is valid JSON"
expect_eq "$(json 'json_type(j)')" array "due --json is an array"
expect_eq "$(json 'json_array_length(j)')" 2 "objects in due --json"
expect_eq "$(json "(select group_concat(key, ' ') from json_each(j, '\$[0]'))")" \
    "caseworker due label occasion participant pseudonym window_end window_start" \
    "keys of a due object"
expect_eq "$(json "json_extract(j, '\$[0].participant') || ' ' || json_extract(j, '\$[0].occasion') || ' ' || json_extract(j, '\$[0].due') || ' ' || json_extract(j, '\$[0].window_start') || ' ' || json_extract(j, '\$[0].window_end') || ' ' || json_extract(j, '\$[0].caseworker')")" \
    "$p1 m6 2024-09-02 2024-08-19 2024-10-02 CW1" "first due object"
expect_eq "$(json "json_extract(j, '\$[1].participant') || ' ' || json_extract(j, '\$[1].due') || ' ' || json_extract(j, '\$[1].label')")" \
    "$p2 2024-09-05 6 months after enrollment" "second due object"
expect_eq "$(json "json_extract(j, '\$[0].pseudonym')")" \
    "$("$SQLITE3" t.db "select pseudonym from participants where id = '$p1'")" \
    "pseudonym in due --json"
# One object a line.
expect_eq "$(grep -c '^,\{0,1\}{' out)" 2 "lines holding an object"
run "$SORTES" followup due --as-of 2024-08-10 --within 0 --json --db t.db
expect_status 0
expect_out_is "[]"
run "$SORTES" followup overdue --as-of 2024-10-03 --json --db t.db
expect_status 0
expect_eq "$(json "json_array_length(j) || ' ' || json_extract(j, '\$[0].participant')")" \
    "1 $p1" "overdue --json"

# --- overdue ----------------------------------------------------------

run "$SORTES" followup overdue --as-of 2024-10-02 --db t.db
expect_status 0
expect_out_is "$header"
expect_err_contains "no follow-ups overdue"
run "$SORTES" followup overdue --as-of 2024-10-03 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)"
no_arm
# On 3 April 2025: every m6, and P1's m12 (closed 2 April); P2's m12
# closes on 4 April.
run "$SORTES" followup overdue --as-of 2025-04-03 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)
$(row 2025-02-28 2025-02-14 2025-03-30 m6 "$p4" CW2)
$(row 2025-03-03 2025-02-17 2025-04-02 m12 "$p1" CW1)"
run "$SORTES" followup overdue --as-of 2025-04-03 --caseworker CW2 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2025-02-28 2025-02-14 2025-03-30 m6 "$p4" CW2)"
expect_log 5

# --- --limit ----------------------------------------------------------
#
# A page of the list: the first N rows, and a note on stderr when there
# are more.  On 10 August 2024, six weeks ahead, three are due; on
# 3 April 2025 five are overdue (above).

more_due='sortes: showing the first 1 follow-up by due date; more are due (narrow with --caseworker or --within, or list all with --limit 0)'
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --limit 1 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)"
expect_eq "$(cat err)" "$more_due" "stderr with --limit 1"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --limit=2 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)"
expect_err_contains "showing the first 2 follow-ups by due date; more are due"
# As many as there are, all of them, by default or not: no note.
all_due="$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)
$(row 2024-10-01 2024-09-17 2024-10-31 m6 "$p3" CW1)"
for limit in 3 4 0 1000000000; do
	run "$SORTES" followup due --as-of 2024-08-10 --within 6w \
	    --limit "$limit" --db t.db
	expect_status 0
	expect_out_is "$all_due"
	expect_err_empty
done
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --db t.db
expect_status 0
expect_out_is "$all_due"
expect_err_empty
# By caseworker: CW1 has two.
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --caseworker CW1 \
    --limit 1 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)"
expect_eq "$(cat err)" "$more_due" "stderr with --caseworker --limit 1"
# An empty list says so, whatever the limit.
run "$SORTES" followup due --as-of 2024-08-10 --within 8d --limit 1 --db t.db
expect_status 0
expect_out_is "$header"
expect_eq "$(cat err)" "sortes: no follow-ups due" "stderr of an empty page"

# JSON: an array of the rows printed only.
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --limit 1 --json \
    --db t.db
expect_status 0
expect_eq "$(grep -c '"occasion"' out)" 1 "objects in due --json --limit 1"
expect_eq "$(json 'json_valid(j)')" 1 "due --json --limit 1 is valid JSON"
expect_eq "$(json "json_array_length(j) || ' ' || json_extract(j, '\$[0].participant')")" \
    "1 $p1" "due --json --limit 1"
expect_eq "$(cat err)" "$more_due" "stderr with --json --limit 1"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --limit 3 --json \
    --db t.db
expect_status 0
expect_eq "$(grep -c '"occasion"' out)" 3 "objects in due --json --limit 3"
expect_eq "$(json 'json_array_length(j)')" 3 "due --json --limit 3"
expect_err_empty

# Overdue: no --within to narrow with.
run "$SORTES" followup overdue --as-of 2025-04-03 --limit 2 --db t.db
expect_status 0
expect_out_is "$header
$(row 2024-09-02 2024-08-19 2024-10-02 m6 "$p1" CW1)
$(row 2024-09-05 2024-08-22 2024-10-05 m6 "$p2" CW2)"
expect_eq "$(cat err)" \
    'sortes: showing the first 2 follow-ups by due date; more are overdue (narrow with --caseworker, or list all with --limit 0)' \
    "stderr of overdue --limit 2"
run "$SORTES" followup overdue --as-of 2025-04-03 --limit 5 --db t.db
expect_status 0
expect_eq "$(grep -c ' m' out)" 5 "rows of overdue --limit 5"
expect_err_empty
run "$SORTES" followup overdue --as-of 2025-04-03 --caseworker CW2 --limit 1 \
    --json --db t.db
expect_status 0
expect_eq "$(grep -c '"occasion"' out)" 1 "objects in overdue --json --limit 1"
expect_eq "$(json "json_array_length(j) || ' ' || json_extract(j, '\$[0].participant')")" \
    "1 $p2" "overdue --caseworker CW2 --json --limit 1"
expect_err_contains "more are overdue"

for sub in due overdue; do
	for bad in abc -1 5x '' ' 5' +5 1000000001 99999999999999999999; do
		run "$SORTES" followup "$sub" --limit "$bad" --db t.db
		expect_status 64
		expect_out_empty
		expect_err_contains "--limit '$bad' is not a number of rows"
	done
	run "$SORTES" followup "$sub" --db t.db --limit
	expect_status 64
	expect_out_empty
	expect_err_contains "option '--limit' needs a value"
done

# The default page is 1000 rows: a copy of the trial with 1000 more open
# occasions for P1 (codes the protocol does not know; the list does not
# mind) lists 1000 of its 1003 due.
checkpoint t.db
cp t.db many.db
"$SQLITE3" many.db "with recursive k(i) as (select 1 union all select i + 1 from k where i < 1000) insert into schedule (participant, occasion, due, window_start, window_end, caseworker) select (select seq from participants where id = '$p1'), printf('x%04d', i), '2024-08-30', '2024-08-19', '2024-10-02', 'CW1' from k" ||
	fail "cannot add schedule rows to many.db"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --db many.db
expect_status 0
expect_eq "$(wc -l <out | tr -d ' ')" 1001 "lines of the default page"
expect_eq "$(sed -n 2p out)" \
    "$(row 2024-08-30 2024-08-19 2024-10-02 x0001 "$p1" CW1)" \
    "first row of the default page"
expect_eq "$(tail -n 1 out)" \
    "$(row 2024-08-30 2024-08-19 2024-10-02 x1000 "$p1" CW1)" \
    "last row of the default page"
expect_eq "$(cat err)" \
    'sortes: showing the first 1000 follow-ups by due date; more are due (narrow with --caseworker or --within, or list all with --limit 0)' \
    "stderr of the default page"
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --limit 0 --json \
    --db many.db
expect_status 0
expect_eq "$(json 'json_array_length(j)')" 1003 "due --json --limit 0"
expect_err_empty
run "$SORTES" followup due --as-of 2024-08-10 --within 6w --json --db many.db
expect_status 0
expect_eq "$(json 'json_array_length(j)')" 1000 "due --json by default"
expect_err_contains "showing the first 1000 follow-ups"

# --- record -----------------------------------------------------------

SORTES_NOW=2024-09-10T10:00:00Z

run "$SORTES" followup record "$p1" m6 employment=job who5=72 \
    weekly_hours=37.5 --db t.db
expect_status 0
expect_err_empty
expect_out_is "recorded follow-up m6 of participant $p1, log entry 6"
expect_log 6
expect_eq "$(body 6)" \
    "{\"kind\":\"measure\",\"measured_on\":\"2024-09-10\",\"measures\":{\"employment\":\"job\",\"weekly_hours\":\"37.5\",\"who5\":72},\"occasion\":\"m6\",\"out_of_window\":false,\"participant\":\"$p1\",\"recorded_at\":\"2024-09-10T10:00:00Z\",\"seq\":6,\"supersedes\":null}" \
    "body of the measure entry"
expect_eq "$("$SQLITE3" t.db "select status || ' ' || measured_on || ' ' || out_of_window || ' ' || measures || ' ' || coalesce(supersedes, '-') from outcomes where seq = 6")" \
    'done 2024-09-10 0 {"employment":"job","weekly_hours":"37.5","who5":72} -' \
    "outcome row"
expect_eq "$(schedule "$p1")" \
    "m6 done CW1 6 | m12 open CW1 - | m24 open CW1 -" "P1's schedule"

# Values the protocol refuses: a data error naming the measure, and
# nothing written.
# refuse TEXT ARGS... - 'followup record ARGS' fails (65) with TEXT.
refuse() {
	_text=$1
	shift
	run "$SORTES" followup record "$@" --db t.db
	expect_status 65
	expect_out_empty
	expect_err_contains "$_text"
	expect_log 6
}
refuse "measure 'employment': 'unemployed' is not one of job, education, fleksjob, none" \
    "$p2" m6 employment=unemployed
refuse "measure 'employment'" "$p2" m6 employment=Job
refuse "measure 'who5': 101 is above the maximum 100" "$p2" m6 who5=101
refuse "measure 'who5': -3 is below the minimum 0" "$p2" m6 who5=-3
refuse "measure 'who5'" "$p2" m6 who5=7.5
refuse "measure 'who5'" "$p2" m6 who5=lots
refuse "measure 'weekly_hours': '12.25' has more than 1 decimal" \
    "$p2" m6 weekly_hours=12.25
refuse "measure 'weekly_hours'" "$p2" m6 weekly_hours=80.5
refuse "measure 'weekly_hours'" "$p2" m6 weekly_hours=-0.5
refuse "unknown measure 'height'" "$p2" m6 height=180
refuse "measure 'who5' is given twice" "$p2" m6 who5=1 who5=2
refuse "no measures given" "$p2" m6
# One bad value among good ones: nothing of it is written.
refuse "measure 'who5'" "$p2" m6 employment=job weekly_hours=20 who5=500
refuse "no follow-up 'm9' in the protocol" "$p2" m9 who5=50
refuse "no participant '00000000-0000-7000-8000-000000000000'" \
    00000000-0000-7000-8000-000000000000 m6 who5=50
# Dates: not in the future, not before enrollment (in Copenhagen).
refuse "date 2024-09-11 is in the future (today is 2024-09-10)" \
    "$p2" m6 who5=50 --date 2024-09-11
refuse "date 2024-03-04 is before the participant was enrolled (2024-03-05)" \
    "$p2" m6 who5=50 --date 2024-03-04 --out-of-window
# The day before P2's window opens.
refuse "date 2024-08-21 is outside the window of follow-up 'm6' (2024-08-22 to 2024-10-05); use --out-of-window" \
    "$p2" m6 who5=50 --date 2024-08-21
# P3's window opens on 17 September.
refuse "--out-of-window" "$p3" m6 who5=50 employment=none

# A pair that is not MEASURE=VALUE is a usage error.
for bad in who5 =5; do
	run "$SORTES" followup record "$p2" m6 "$bad" --db t.db
	expect_status 64
	expect_err_contains "'$bad' is not NAME=VALUE"
done
run "$SORTES" followup record "$p2" m6 who5=50 --date 2024-9-1 --db t.db
expect_status 64
run "$SORTES" followup record "$p2" m6 who5=50 --reason why --db t.db
expect_status 64
expect_err_contains "--reason is for 'followup missed'"
run "$SORTES" followup record "$p2" --db t.db
expect_status 64
expect_log 6

# The first day of the window is inside it.
run "$SORTES" followup record "$p2" m6 employment=education who5=60 \
    --date 2024-08-22 --db t.db
expect_status 0
expect_out_is "recorded follow-up m6 of participant $p2, log entry 7"
expect_eq "$("$SQLITE3" t.db "select json_extract(body, '\$.out_of_window') || ' ' || json_extract(body, '\$.measured_on') from log where seq = 7")" \
    "0 2024-08-22" "entry 7 in the window"

# Outside the window, accepted when asked for and flagged.
run "$SORTES" followup record "$p3" m6 who5=50 employment=none \
    --out-of-window --db t.db
expect_status 0
expect_out_is "recorded follow-up m6 of participant $p3, log entry 8 (outside the window, flagged)"
check "not flagged in the log" contains "$(body 8)" '"out_of_window":true'
expect_eq "$("$SQLITE3" t.db "select out_of_window from outcomes where seq = 8")" \
    1 "out_of_window in the outcomes table"
expect_log 8

# --- corrections ------------------------------------------------------

run "$SORTES" followup record "$p1" m6 who5=70 --db t.db
expect_status 65
expect_out_empty
expect_err_contains "follow-up 'm6' of participant '$p1' is done already (entry 6); use --correct to supersede it"
run "$SORTES" followup record "$p1" m12 who5=70 --correct --db t.db
expect_status 65
expect_err_contains "has nothing recorded to correct"
expect_log 8

run "$SORTES" followup record "$p1" m6 employment=job who5=70 \
    weekly_hours=30 --date 2024-09-09 --correct --db t.db
expect_status 0
expect_out_is "recorded follow-up m6 of participant $p1, log entry 9, correcting entry 6"
check "no supersedes in the log" contains "$(body 9)" '"supersedes":6'
expect_eq "$("$SQLITE3" t.db "select supersedes from outcomes where seq = 9")" \
    6 "supersedes in the outcomes table"
# Entry 6 is still there, word for word.
expect_eq "$("$SQLITE3" t.db "select measures from outcomes where seq = 6")" \
    '{"employment":"job","weekly_hours":"37.5","who5":72}' \
    "the superseded outcome"
expect_eq "$(schedule "$p1")" \
    "m6 done CW1 9 | m12 open CW1 - | m24 open CW1 -" \
    "P1's schedule after the correction"
# A correction is checked like a first recording.
run "$SORTES" followup record "$p1" m6 who5=700 --correct --db t.db
expect_status 65
expect_err_contains "measure 'who5'"
expect_log 9

# --- missed -----------------------------------------------------------

SORTES_NOW=2025-03-31T10:00:00Z

run "$SORTES" followup missed "$p4" m6 --db t.db
expect_status 64
expect_err_contains "--reason TEXT is required"
run "$SORTES" followup missed "$p4" m6 --reason x --date 2025-03-01 --db t.db
expect_status 64
run "$SORTES" followup missed "$p4" m6 --reason x --out-of-window --db t.db
expect_status 64
run "$SORTES" followup missed "$p4" m6 extra --reason x --db t.db
expect_status 64
run "$SORTES" followup missed "$p4" --reason x --db t.db
expect_status 64
run "$SORTES" followup missed "$p4" m6 --reason "" --db t.db
expect_status 65
expect_err_contains "reason must be 1 to 1000 bytes"
run "$SORTES" followup missed "$p4" m6 --reason "$(printf 'a\tb')" --db t.db
expect_status 65
expect_err_contains "control character"
run "$SORTES" followup missed "$p4" m6 --reason x --correct --db t.db
expect_status 65
expect_err_contains "nothing recorded to correct"
run "$SORTES" followup missed "$p4" m24 --reason "unreachable" --db t.db
expect_status 65
expect_err_contains "window of follow-up 'm24' opens on"
expect_err_contains "cannot be missed before then"
expect_log 9

run "$SORTES" followup missed "$p4" m6 --reason "could not be reached" --db t.db
expect_status 0
expect_err_empty
expect_out_is "recorded as missed: follow-up m6 of participant $p4, log entry 10"
expect_eq "$(body 10)" \
    "{\"kind\":\"missed\",\"occasion\":\"m6\",\"participant\":\"$p4\",\"reason\":\"could not be reached\",\"recorded_at\":\"2025-03-31T10:00:00Z\",\"seq\":10,\"supersedes\":null}" \
    "body of the missed entry"
run "$SORTES" followup missed "$p4" m6 --reason again --db t.db
expect_status 65
expect_err_contains "is missed already (entry 10)"
run "$SORTES" followup record "$p4" m6 who5=40 --date 2025-03-28 --db t.db
expect_status 65
expect_err_contains "is missed already (entry 10); use --correct"
expect_log 10
run "$SORTES" followup missed "$p4" m6 --reason "moved abroad" --correct --db t.db
expect_status 0
expect_out_is "recorded as missed: follow-up m6 of participant $p4, log entry 11, correcting entry 10"
# Reached after all: the measurement supersedes the missed occasion.
run "$SORTES" followup record "$p4" m6 who5=40 --date 2025-03-28 --correct --db t.db
expect_status 0
expect_out_is "recorded follow-up m6 of participant $p4, log entry 12, correcting entry 11"
expect_eq "$("$SQLITE3" t.db "select group_concat(seq || ':' || status || ':' || coalesce(supersedes, '-'), ' ') from (select * from outcomes where occasion = 'm6' and participant = (select seq from participants where id = '$p4') order by seq)")" \
    "10:missed:- 11:missed:10 12:done:11" "P4's m6 outcomes"
expect_eq "$(schedule "$p4")" \
    "m6 done CW2 12 | m12 open CW2 - | m24 open CW2 -" "P4's schedule"
expect_log 12

# --- withdrawal -------------------------------------------------------
#
# P2's m6 is done; its m12 and m24 are cancelled and leave the lists.

run "$SORTES" followup due --as-of 2025-03-20 --db t.db
expect_status 0
check "P2's m12 is not due before the withdrawal" grep -q "m12  *$p2" out

run "$SORTES" withdraw "$p2" --reason "moved to Odense" --db t.db
expect_status 0
expect_out_contains "withdrew participant $p2, log entry 13"
expect_eq "$(schedule "$p2")" \
    "m6 done CW2 7 | m12 cancelled CW2 - | m24 cancelled CW2 -" \
    "P2's schedule after the withdrawal"

# On 20 March 2025 (to 3 April): P1's m12 and P3's m12 only.
run "$SORTES" followup due --as-of 2025-03-20 --db t.db
expect_status 0
expect_out_is "$header
$(row 2025-03-03 2025-02-17 2025-04-02 m12 "$p1" CW1)
$(row 2025-04-01 2025-03-18 2025-05-01 m12 "$p3" CW1)"
run "$SORTES" followup due --as-of 2025-03-20 --caseworker CW2 --db t.db
expect_status 0
expect_out_is "$header"
run "$SORTES" followup overdue --as-of 2030-01-01 --db t.db
expect_status 0
check "a withdrawn participant's occasion is overdue" \
    sh -c "! grep -q -e '$p2' out"

run "$SORTES" followup record "$p2" m12 who5=50 --db t.db
expect_status 65
expect_out_empty
expect_err_contains "participant '$p2' has withdrawn; nothing more is recorded"
run "$SORTES" followup record "$p2" m6 who5=50 --correct --db t.db
expect_status 65
expect_err_contains "has withdrawn"
run "$SORTES" followup missed "$p2" m12 --reason "withdrew" --db t.db
expect_status 65
expect_err_contains "has withdrawn"
expect_log 13

# --- transfer ---------------------------------------------------------
#
# P1 moves to CW3: its open m12 and m24 go along, its m6 stays CW1's.

run "$SORTES" transfer "$p1" --to CW3 --db t.db
expect_status 0
expect_out_contains "transferred participant $p1 from CW1 to CW3, log entry 14"
expect_eq "$(schedule "$p1")" \
    "m6 done CW1 9 | m12 open CW3 - | m24 open CW3 -" \
    "P1's schedule after the transfer"
run "$SORTES" followup due --as-of 2025-03-20 --caseworker CW3 --db t.db
expect_status 0
expect_out_is "$header
$(row 2025-03-03 2025-02-17 2025-04-02 m12 "$p1" CW3)"
run "$SORTES" followup due --as-of 2025-03-20 --caseworker CW1 --db t.db
expect_status 0
expect_out_is "$header
$(row 2025-04-01 2025-03-18 2025-05-01 m12 "$p3" CW1)"

# On 31 December 2026 everything still open is overdue, by due date.
run "$SORTES" followup overdue --as-of 2026-12-31 --db t.db
expect_status 0
expect_out_is "$header
$(row 2025-03-03 2025-02-17 2025-04-02 m12 "$p1" CW3)
$(row 2025-04-01 2025-03-18 2025-05-01 m12 "$p3" CW1)
$(row 2025-09-01 2025-08-18 2025-10-01 m12 "$p4" CW2)
$(row 2026-03-02 2026-02-16 2026-04-01 m24 "$p1" CW3)
$(row 2026-04-01 2026-03-18 2026-05-01 m24 "$p3" CW1)
$(row 2026-08-31 2026-08-17 2026-09-30 m24 "$p4" CW2)"
no_arm
run "$SORTES" followup overdue --as-of 2026-12-31 --json --db t.db
expect_status 0
no_arm
expect_eq "$(json 'json_array_length(j)')" 6 "objects in overdue --json"

expect_eq "$("$SQLITE3" t.db "select group_concat(status || ' ' || n, ', ') from (select status, count(*) as n from schedule group by status order by status)")" \
    "cancelled 2, done 4, open 6" "schedule rows by status"

# --- calendar ---------------------------------------------------------

cr=$(printf '\r')

run "$SORTES" followup calendar --db t.db
expect_status 0
expect_err_contains "6 open follow-ups in the calendar"
no_arm
cp out due.ics
tr -d '\r' <due.ics >due.txt
expect_eq "$(head -n 1 due.txt)" "BEGIN:VCALENDAR" "first line"
expect_eq "$(tail -n 1 due.txt)" "END:VCALENDAR" "last line"
check "no VERSION:2.0" grep -q -x 'VERSION:2.0' due.txt
check "no PRODID" grep -q '^PRODID:' due.txt
expect_eq "$(grep -c -x 'BEGIN:VEVENT' due.txt)" 6 "events"
expect_eq "$(grep -c -x 'END:VEVENT' due.txt)" 6 "ends of events"
# RFC 5545: every line ends with CRLF, the last one too.
expect_eq "$(grep -c "$cr\$" due.ics)" "$(wc -l <due.ics | tr -d ' ')" \
    "lines ending in CRLF"
expect_eq "$(tail -c 2 due.ics | od -An -c | tr -d ' ')" '\r\n' \
    "the file's last two bytes"
# One all-day event on each open occasion's due date.
expect_eq "$(grep '^DTSTART' due.txt | sort | tr '\n' ' ')" \
    "DTSTART;VALUE=DATE:20250303 DTSTART;VALUE=DATE:20250401 DTSTART;VALUE=DATE:20250901 DTSTART;VALUE=DATE:20260302 DTSTART;VALUE=DATE:20260401 DTSTART;VALUE=DATE:20260831 " \
    "DTSTART lines"
expect_eq "$(grep '^DTSTART' due.txt | sed 's/.*://' | sort | tr '\n' ' ')" \
    "$("$SQLITE3" t.db "select replace(due, '-', '') from schedule where status = 'open' order by due" | tr '\n' ' ')" \
    "DTSTART against the schedule"
check "no DTEND the day after" grep -q -x 'DTEND;VALUE=DATE:20250304' due.txt
check "no UID for P1's m12" \
    grep -q -x "UID:$p1-m12@ungifokus.sortes" due.txt
grep '^UID:' due.txt >uids
expect_eq "$(wc -l <uids | tr -d ' ')" 6 "UID lines"
expect_eq "$(sort -u uids | wc -l | tr -d ' ')" 6 "distinct UIDs"
check "a withdrawn participant in the calendar" \
    sh -c "! grep -q -e '$p2' due.txt"

# Stable: a later export has the same UIDs (and a later DTSTAMP).
run env SORTES_NOW=2025-06-01T08:30:00Z "$SORTES" followup calendar --db t.db
expect_status 0
tr -d '\r' <out >later.txt
grep '^UID:' later.txt >later-uids
check "UIDs changed between two exports" cmp -s uids later-uids
check "no DTSTAMP of the first export" \
    grep -q -x 'DTSTAMP:20250331T100000Z' due.txt
check "no DTSTAMP of the later export" \
    grep -q -x 'DTSTAMP:20250601T083000Z' later.txt

run "$SORTES" followup calendar --caseworker CW3 --db t.db
expect_status 0
expect_err_contains "2 open follow-ups in the calendar"
tr -d '\r' <out >cw3.txt
expect_eq "$(grep '^UID:' cw3.txt | tr '\n' ' ')" \
    "UID:$p1-m12@ungifokus.sortes UID:$p1-m24@ungifokus.sortes " \
    "CW3's calendar"
run "$SORTES" followup calendar --caseworker CW9 --db t.db
expect_status 0
expect_err_contains "0 open follow-ups in the calendar"
expect_out_contains "BEGIN:VCALENDAR"
check "an event for CW9" sh -c '! grep -q VEVENT out'
expect_log 14

# --- verify -----------------------------------------------------------

run "$SORTES" verify --db t.db
expect_status 0
expect_err_empty
expect_out_contains "ok: 14 entries, 4 participants"

# tamper NAME SQL - a copy NAME.db of the trial, changed by SQL; verify
# must fail on it.
checkpoint t.db
tamper() {
	cp t.db "$1.db"
	"$SQLITE3" "$1.db" "$2" || fail "tampering SQL failed: $2"
	run "$SORTES" verify --db "$1.db"
	expect_status 1
	expect_out_empty
}
id_seq() {
	"$SQLITE3" t.db "select seq from participants where id = '$1'"
}

tamper measures "update outcomes set measures = '{\"employment\":\"job\",\"weekly_hours\":\"30\",\"who5\":99}' where seq = 9"
expect_err_contains "log entry 9: the outcomes table does not agree with this entry"
tamper measured "update outcomes set measured_on = '2024-09-08' where seq = 9"
expect_err_contains "log entry 9:"
tamper flag "update outcomes set out_of_window = 0 where seq = 8"
expect_err_contains "log entry 8:"
tamper reason "update outcomes set reason = 'refused' where seq = 11"
expect_err_contains "log entry 11:"
tamper unsupersede "update outcomes set supersedes = null where seq = 12"
expect_err_contains "log entry 12:"
tamper forget "delete from outcomes where seq = 12"
expect_err_contains "log entry 12:"
tamper status "update schedule set status = 'done' where participant = $(id_seq "$p3") and occasion = 'm12'"
expect_err_contains "schedule rows done, missed or cancelled without cause"
tamper pointer "update schedule set outcome = 6 where participant = $(id_seq "$p1") and occasion = 'm6'"
expect_err_contains "schedule rows whose status is not their latest outcome's"
tamper reopen "update schedule set status = 'open', outcome = null where participant = $(id_seq "$p4") and occasion = 'm6'"
expect_err_contains "outcomes of occasions the schedule shows as not recorded"
tamper caseworker "update schedule set caseworker = 'CW1' where participant = $(id_seq "$p1") and occasion = 'm24'"
expect_err_contains "log entry $(id_seq "$p1"): the schedule holds open follow-ups not with the participant's current caseworker"
tamper uncancel "update schedule set status = 'open' where participant = $(id_seq "$p2") and occasion = 'm12'"
expect_err_contains "open occasions of withdrawn participants"
tamper drop "delete from schedule where participant = $(id_seq "$p3") and occasion = 'm24'"
expect_err_contains "the schedule does not hold the follow-ups of this participant's arm"

# Due dates and windows are recomputed from the enrollment day in
# Copenhagen: 170500-9003 enrolled at 22:30 UTC on 31 March, 1 April there.
tamper due "update schedule set due = date(due, '+1 day') where participant = $(id_seq "$p3") and occasion = 'm6'"
expect_err_contains "log entry $(id_seq "$p3"): the schedule dates a follow-up otherwise than the enrollment day and the protocol do"
tamper window "update schedule set window_end = date(window_end, '+7 days') where participant = $(id_seq "$p4") and occasion = 'm6'"
expect_err_contains "log entry $(id_seq "$p4"): the schedule dates a follow-up"
tamper utcday "update schedule set due = date(due, '-1 day'), window_start = date(window_start, '-1 day'), window_end = date(window_end, '-1 day') where participant = $(id_seq "$p3")"
expect_err_contains "the schedule dates a follow-up"
for zone in UTC America/New_York Pacific/Kiritimati; do
	run env "TZ=$zone" "$SORTES" verify --db t.db
	expect_status 0
	expect_out_contains "ok: 14 entries"
done
mkdir nozones
run env TZDIR="$PWD/nozones" "$SORTES" verify --db t.db
expect_status 69
expect_out_empty
expect_err_contains "time zone 'Europe/Copenhagen' is not known on this system"

# A list that cannot be read prints nothing, not a header (or "[") and
# then an error.
cp t.db broken.db
"$SQLITE3" broken.db 'pragma foreign_keys = off; drop table outcomes; drop table schedule' ||
	fail "cannot break broken.db"
for json in '' --json; do
	run "$SORTES" followup due $json --db broken.db
	expect_status 70
	expect_out_empty
	expect_err_contains "no such table: schedule"
done

# The original is untouched.
run "$SORTES" verify --db t.db
expect_status 0

finish
