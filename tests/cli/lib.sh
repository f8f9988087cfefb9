# lib.sh - sourced by every tests/cli/tNNNN-*.sh script.
#
# `make check` exports SORTES (the built binary), SRCDIR (the source
# tree) and SQLITE3 (the sqlite3 command-line shell).  To run one script
# by hand, from the top of the tree:
#
#   SORTES=$PWD/sortes SRCDIR=$PWD SQLITE3=$(command -v sqlite3) \
#       sh tests/cli/t0001-help.sh
#
# Each script runs in a private temporary directory, removed on exit.
# POSIX sh only: the scripts run under dash and must pass shellcheck.

test_name=${0##*/}
test_name=${test_name%.sh}

if [ -z "${SORTES:-}" ] || [ -z "${SRCDIR:-}" ] || [ -z "${SQLITE3:-}" ]; then
	echo "$test_name: set SORTES, SRCDIR and SQLITE3 (see tests/cli/lib.sh)" >&2
	exit 99		# automake: a hard error, not a test failure
fi
if [ ! -x "$SORTES" ]; then
	echo "$test_name: SORTES '$SORTES' is not an executable" >&2
	exit 99
fi

# Nothing from the caller's environment may change what sortes does,
# and the clock is fixed so that ages and timestamps are reproducible.
unset SORTES_DB
SORTES_NOW=2024-03-01T10:00:00Z
LC_ALL=C
export SORTES_NOW LC_ALL

# The shipped trials and the CSV inputs (used by the scripts that source
# this file).
# shellcheck disable=SC2034
{
	UNGIFOKUS=$SRCDIR/protocols/ungifokus.yaml
	UNGEBUDGETTER=$SRCDIR/protocols/ungebudgetter.yaml
	DATA=$SRCDIR/tests/data
}

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/sortes-cli.XXXXXX") || exit 99
# The directory goes however the script ends (cd out of it first).
trap 'cd / && rm -rf "$tmpdir"' EXIT
trap 'exit 130' HUP INT PIPE TERM
cd "$tmpdir" || exit 99

checks=0
status=0
last_cmd=

# run CMD... - run CMD with stdout in ./out, stderr in ./err and the
# exit status in $status.  Never aborts the script.  Standard input is
# the caller's, so that `run CMD <file` works.
run() {
	last_cmd=$*
	status=0
	"$@" >out 2>err || status=$?
}

# fail MESSAGE - report the failure with the last command's output, exit 1.
fail() {
	echo "FAIL: $test_name: $*"
	echo "  after check $checks; last command: $last_cmd"
	echo "  status: $status"
	echo "--- stdout ---"
	if [ -f out ]; then cat out; fi
	echo "--- stderr ---"
	if [ -f err ]; then cat err; fi
	echo "--------------"
	exit 1
}

expect_status() {
	checks=$((checks + 1))
	[ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

expect_out_contains() {
	checks=$((checks + 1))
	grep -F -q -e "$1" out || fail "stdout does not contain '$1'"
}

expect_err_contains() {
	checks=$((checks + 1))
	grep -F -q -e "$1" err || fail "stderr does not contain '$1'"
}

expect_out_empty() {
	checks=$((checks + 1))
	[ ! -s out ] || fail "stdout is not empty"
}

expect_err_empty() {
	checks=$((checks + 1))
	[ ! -s err ] || fail "stderr is not empty"
}

# expect_out_is TEXT - stdout is exactly TEXT plus a final newline.
expect_out_is() {
	checks=$((checks + 1))
	printf '%s\n' "$1" >expected
	cmp -s expected out || fail "stdout is not exactly:
$1"
}

# expect_eq ACTUAL EXPECTED WHAT - two strings are equal.
expect_eq() {
	checks=$((checks + 1))
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# check WHAT CMD... - CMD succeeds (a test, cmp, grep -q ...).
check() {
	_what=$1
	shift
	checks=$((checks + 1))
	"$@" || fail "$_what"
}

# contains STRING PART - STRING holds PART (for use with check).
contains() {
	case $1 in
	*"$2"*) return 0 ;;
	esac
	return 1
}

finish() {
	echo "PASS: $test_name: $checks checks"
	exit 0
}

# --- trials -----------------------------------------------------------

# new_trial PROTOCOL DB - create a trial (key file DB with .key); must work.
new_trial() {
	run "$SORTES" init --protocol "$1" --db "$2"
	[ "$status" -eq 0 ] || fail "cannot create trial $2 from $1"
}

# Both shipped protocols declare "identifier: cpr".  The person
# identifiers enrolled into them are synthetic CPR numbers, never real
# ones: DDMMYY-SSSS with a date that exists (day 01-28) and a serial of
# 9000-9999.  Such very high serials are what the Danish health
# sector's test CPR numbers use, because they are seldom given to
# anybody.

# enroll_fokus DB PERSON [BIRTH_DATE SEX BENEFIT READY JOBCENTRE] -
# run an UngiFokus enrollment; the defaults make an eligible youth.
enroll_fokus() {
	run "$SORTES" enroll --db "$1" --person "$2" --caseworker CW1 \
	    --field "birth_date=${3:-2000-05-17}" --field "sex=${4:-F}" \
	    --field "benefit=${5:-uddannelseshjaelp}" \
	    --field "activity_ready=${6:-true}" --field "jobcentre=${7:-midt}"
}

# log_count DB - how many log entries DB holds.
log_count() {
	"$SQLITE3" "$1" 'select count(*) from log'
}

# checkpoint DB - fold the write-ahead log into DB, so that the file
# alone holds everything (for copying, checksums and grep).
checkpoint() {
	"$SQLITE3" "$1" 'pragma wal_checkpoint(truncate)' >/dev/null
}

# ub_enroll DB PERSON CASEWORKER - enroll a youth eligible for
# Ungebudgetter into DB (must work); the participant's UUID goes to $id.
ub_enroll() {
	run "$SORTES" enroll --db "$1" --person "$2" --caseworker "$3" \
	    --field birth_date=2000-05-17 \
	    --field months_without_job_or_education=12 \
	    --field benefit=uddannelseshjaelp
	[ "$status" -eq 0 ] || fail "cannot enroll $2"
	# shellcheck disable=SC2034 # for the script that calls it
	id=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
}

# cw_in_arm DB ARM - the first caseworker (by code) of ARM in DB.
cw_in_arm() {
	"$SQLITE3" "$1" "select c.code from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where ca.arm = '$2' order by c.code limit 1"
}

# office_caseworkers N - write cws.csv: the first N (at most 6) of six
# caseworkers for the Ungebudgetter protocol, two per office.
office_caseworkers() {
	{
		echo "code,team,caseload,share_education_benefit,office"
		printf '%s\n' CW01,Nord,35,40,nord CW02,Nord,40,35,nord \
		    CW03,Syd,28,50,syd CW04,Syd,51,20,syd \
		    CW05,Midt,30,45,midt CW06,Midt,44,30,midt | head -n "$1"
	} >cws.csv
}

# ub_trial DB - an Ungebudgetter trial whose six caseworkers of
# office_caseworkers are randomized (arms B and C); must work.
ub_trial() {
	new_trial "$UNGEBUDGETTER" "$1"
	office_caseworkers 6
	run "$SORTES" caseworker import cws.csv --db "$1"
	[ "$status" -eq 0 ] || fail "cannot register the caseworkers of $1"
	run "$SORTES" randomize --db "$1" --beacon 0011223344556677
	[ "$status" -eq 0 ] || fail "cannot randomize the caseworkers of $1"
}

# ub_cohort FILE - four eligible Ungebudgetter youths, with CW01-CW04.
ub_cohort() {
	printf '%s\n' \
	    "person,caseworker,birth_date,months_without_job_or_education,benefit" \
	    "070402-9301,CW01,2002-04-07,14,uddannelseshjaelp" \
	    "080403-9302,CW02,2003-04-08,11,uddannelseshjaelp" \
	    "090404-9303,CW03,2004-04-09,10,uddannelseshjaelp" \
	    "100405-9304,CW04,2004-05-10,12,uddannelseshjaelp" >"$1"
}

# caseworker_arm DB CODE - the arm caseworker CODE was allocated.
caseworker_arm() {
	"$SQLITE3" "$1" "select ca.arm from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where c.code = '$2'"
}

# on_tty CMD... - run CMD on a pseudo-terminal (stdout and stderr both
# go to it, and so to ./out), as run does.
on_tty() {
	run python3 -c 'import os, pty, sys
sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))' "$@"
}

# followup_history DB P1 P2 P3 - on 2024-09-10, the outcomes that the
# follow-up export tests read: P1 measured at m6, then corrected; P2
# measured before its window opened, then moved to CW2 (which takes the
# open occasions along, not the done one); P3 missed m6, then withdrew
# (m12 and m24 are cancelled).  Sets SORTES_NOW.
followup_history() {
	SORTES_NOW=2024-09-10T10:00:00Z
	export SORTES_NOW
	run "$SORTES" followup record --db "$1" "$2" m6 employment=job who5=60 \
	    weekly_hours=37.5 --date 2024-09-05
	expect_status 0
	run "$SORTES" followup record --db "$1" "$2" m6 employment=job who5=64 \
	    weekly_hours=37 --date 2024-09-06 --correct
	expect_status 0
	run "$SORTES" followup record --db "$1" "$3" m6 who5=40 \
	    --date 2024-08-10 --out-of-window
	expect_status 0
	run "$SORTES" transfer --db "$1" "$3" --to CW2
	expect_status 0
	run "$SORTES" followup missed --db "$1" "$4" m6 --reason "moved abroad"
	expect_status 0
	run "$SORTES" withdraw --db "$1" "$4" \
	    --reason "no longer wishes to take part"
	expect_status 0
}
