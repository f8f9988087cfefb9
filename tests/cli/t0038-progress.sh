#!/bin/sh
# t0038-progress: the progress line on standard error.  Drawn only when
# stderr is a terminal (a pseudo-terminal here, through python3's pty
# module), never into a pipe or a file; in place, in the documented
# form; erased at the end and before every message, so that no message
# starts after a partial line.  SORTES_PROGRESS_AFTER=0 draws it from
# the first row instead of after a second of work.
. "$SRCDIR/tests/cli/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: $test_name: python3 is needed for a pseudo-terminal"
	exit 77
fi
pty() {
	python3 "$SRCDIR/tests/cli/progress-pty.py" "$@"
}

# on_tty CMD... - run CMD with stderr on an 80-column terminal: stdout
# in ./out, what the terminal got in ./raw, what it shows in ./screen.txt,
# the texts drawn in ./drawn.txt.
on_tty() {
	last_cmd="(on a terminal) $*"
	status=0
	pty run raw 80 "$@" >out </dev/null || status=$?
	pty screen raw >screen.txt
	pty drawn raw >drawn.txt
	cp raw err
}

# drawn_matches ERE - some text drawn is exactly ERE.
drawn_matches() {
	checks=$((checks + 1))
	grep -E -q -x -e "$1" drawn.txt || fail "no progress line like '$1' in:
$(cat drawn.txt)"
}

# screen_is TEXT - the terminal shows exactly TEXT (lines), no more.
screen_is() {
	checks=$((checks + 1))
	printf '%s' "$1" >expected
	[ -n "$1" ] && echo >>expected
	cmp -s expected screen.txt || fail "the terminal shows:
$(cat screen.txt)
--- instead of:
$1"
}

# The overview names the variable.
run "$SORTES" help
expect_status 0
expect_out_contains "SORTES_PROGRESS_AFTER=SECONDS"

good=$DATA/cohort-ungifokus.csv		# 20 eligible youths
bad=$DATA/cohort-ungifokus-bad.csv	# 9 rows, 3 refused (lines 4, 7, 10)

SORTES_PROGRESS_AFTER=0
export SORTES_PROGRESS_AFTER

# enroll --csv: rows and their rate; no total is known in advance, but
# how much of the file was read is, and so the time left.
new_trial "$UNGIFOKUS" a.db
on_tty "$SORTES" enroll --db a.db --csv "$good"
expect_status 0
expect_out_contains "enrolled 20 of 20 rows"
drawn_matches 'sortes enroll: [0-9]+% \([0-9]+ rows\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
check "the line is drawn in place, from the start of the line" \
    grep -E -q "$(printf '\r')sortes enroll: [0-9]+% \\(1 rows\\)" raw
# Once the line is gone, who is in which arm is said to be elsewhere.
screen_is "sortes: which person is in which arm: give --results FILE (mode 0600), or run 'sortes lookup --csv $good'"
new_trial "$UNGIFOKUS" r.db
on_tty "$SORTES" enroll --db r.db --csv "$good" --results r.csv
screen_is ""
# From a pipe (--csv -) not even that: rows and their rate.
new_trial "$UNGIFOKUS" p.db
last_cmd="(on a terminal) enroll --csv - from a pipe"
status=0
sed -n p "$good" | pty run raw 80 "$SORTES" enroll --db p.db --csv - >out ||
    status=$?
expect_status 0
expect_out_contains "enrolled 20 of 20 rows"
pty drawn raw >drawn.txt
drawn_matches 'sortes enroll: [0-9]+ rows, [0-9]+/s'

# The same into a pipe and into a file: nothing on stderr at all.
new_trial "$UNGIFOKUS" pipe.db
last_cmd="enroll with stderr a pipe"
"$SORTES" enroll --db pipe.db --csv "$good" 2>&1 >out | cat >err
expect_out_contains "enrolled 20 of 20 rows"
expect_err_empty
new_trial "$UNGIFOKUS" file.db
run "$SORTES" enroll --db file.db --csv "$good"
expect_status 0
expect_err_empty

# Refused rows: every message starts on a clean line, and once the
# import fails the line is gone: the terminal shows the messages alone,
# as they are written to a file.
new_trial "$UNGIFOKUS" b.db
run "$SORTES" enroll --db b.db --csv "$bad"
expect_status 65
cp err expected_screen
on_tty "$SORTES" enroll --db b.db --csv "$bad"
expect_status 65
drawn_matches 'sortes enroll: [0-9]+% \([0-9]+ rows\), .*'
screen_is "$(cat expected_screen)"
expect_eq "$(grep -c '^sortes: ' screen.txt)" 4 "messages on the terminal"

# verify: entries, of how many, the rate and the time left.
on_tty "$SORTES" verify --db a.db
expect_status 0
expect_out_contains "ok: 21 entries, 20 participants"
drawn_matches 'sortes verify: [0-9]+% \([0-9]+ of 21 entries\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
drawn_matches 'sortes verify: 4% \(1 of 21 entries\), .*'
screen_is ""

# A failed verify: the line is gone before the message.
cp a.db t.db
checkpoint t.db
"$SQLITE3" t.db "update participants set caseworker = 'CW9' where seq = 5"
run "$SORTES" verify --db t.db
expect_status 1
cp err expected_screen
on_tty "$SORTES" verify --db t.db
expect_status 1
drawn_matches 'sortes verify: 4% \(1 of 21 entries\), .*'
screen_is "$(cat expected_screen)"
check "the message is on a line of its own" grep -q '^sortes: log entry 5: ' screen.txt

# export allocations and followups to files: rows of how many; to a
# terminal (stdout) no line comes between the rows.
on_tty "$SORTES" export allocations --db a.db --output alloc.csv
expect_status 0
drawn_matches 'sortes export: [0-9]+% \([0-9]+ of 20 rows\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
screen_is ""
on_tty "$SORTES" export followups --db a.db --output fu.csv
expect_status 0
drawn_matches 'sortes export: [0-9]+% \([0-9]+ of [0-9]+ occasions\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
screen_is ""

# Caseworkers: the import's rows, then the constrained method's walks
# over its space of allocations (C(20, 10) = 184756).
new_trial "$UNGEBUDGETTER" u.db
echo code,team,caseload,share_education_benefit,office,years_experience >cw.csv
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	set -- midt nord syd vest
	shift $((${i#0} % 4))
	echo "SB$i,Jobcenter ${1:-midt},$((20 + ${i#0} * 7 % 31)),$((15 + ${i#0} * 13 % 50)),${1:-midt},$((${i#0} * 3 % 17))"
done >>cw.csv
on_tty "$SORTES" caseworker import cw.csv --db u.db
expect_status 0
drawn_matches 'sortes caseworker import: [0-9]+% \([0-9]+ rows\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
screen_is ""
on_tty "$SORTES" randomize --db u.db --beacon 8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e
expect_status 0
expect_out_contains "space: 184756 allocations (all enumerated)"
drawn_matches 'sortes randomize: [0-9]+% \([0-9]+ of 184756 allocations, walk 1\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
screen_is ""

# verify --replay: then the entries that allocate, of how many.
on_tty "$SORTES" verify --db u.db --replay --key u.key
expect_status 0
expect_out_contains "replay: all"
drawn_matches 'sortes verify: [0-9]+% \([0-9]+ of 22 entries\), .*'
drawn_matches 'sortes verify --replay: [0-9]+% \([0-9]+ of 21 allocating entries\), [0-9]+/s, [0-9]+:[0-5][0-9] left'
screen_is ""

# A narrow terminal: the line is cut one column short of its width, so
# that it never wraps (and \r still goes back to its start).
last_cmd="verify on a 30-column terminal"
status=0
pty run raw 30 "$SORTES" verify --db a.db >out </dev/null || status=$?
expect_status 0
pty drawn raw >drawn.txt
expect_eq "$(awk '{ if (length($0) > n) n = length($0) } END { print n }' drawn.txt)" \
    29 "the longest line drawn on 30 columns"

# Without SORTES_PROGRESS_AFTER the line waits for a second of work,
# which these small runs never take.
unset SORTES_PROGRESS_AFTER
on_tty "$SORTES" verify --db a.db
expect_status 0
check "no line for a short run" test ! -s raw
SORTES_PROGRESS_AFTER=0.5x	# not a number: the default, one second
export SORTES_PROGRESS_AFTER
on_tty "$SORTES" verify --db a.db
expect_status 0
check "no line for a short run, given a bad SORTES_PROGRESS_AFTER" \
    test ! -s raw

finish
