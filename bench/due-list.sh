#!/bin/sh
# bench/due-list.sh [N] - time 'sortes followup due' and 'followup overdue'
# on a trial of N participants (default 1000000) with five follow-up
# occasions each, against a floor measured in the same run on the same
# machine: the identical SELECT, with the same bound values, run by the
# sqlite3 shell with its output sent to /dev/null.
#
# Target: under 100 ms a query at N = 1,000,000 (5,000,000 schedule rows),
# by the partial indexes on open occasions rather than by scans or sorts;
# the query plans are printed.  The lists are timed as sortes prints them
# by default, a page of 1000 rows at most; the whole trial's lists in
# full (--limit 0) are timed too, and reported without a target.  A
# benchmark reports; it never fails a build:
# the exit status is 0 unless a command itself failed (or the arguments
# are wrong).  See bench/README.md.
#
# Environment: SORTES (the binary; default build/sortes, else ./sortes), CC
# (default cc), SEED (cohort seed, default 1), BATCHES (enrollment days,
# one a week from START; default 52), START (first enrollment day, default
# 2024-01-03), AS_OF (the day the lists are asked for, default
# 2025-07-01), CASEWORKER (default CW042), RUNS (timed runs a query,
# default 7), TMPDIR.

set -u

usage() {
	echo "usage: bench/due-list.sh [N]" >&2
	exit 2
}

[ $# -le 1 ] || usage
N=${1:-1000000}
case $N in
'' | *[!0-9]*) usage ;;
esac
[ "$N" -ge 1 ] || usage

here=$(cd "$(dirname "$0")" && pwd) || exit 1
top=$(dirname "$here")
if [ -z "${SORTES:-}" ]; then
	SORTES=$top/build/sortes
	[ -x "$SORTES" ] || SORTES=$top/sortes
fi
CC=${CC:-cc}
SEED=${SEED:-1}
BATCHES=${BATCHES:-52}
START=${START:-2024-01-03}
AS_OF=${AS_OF:-2025-07-01}
CASEWORKER=${CASEWORKER:-CW042}
RUNS=${RUNS:-7}
protocol_src=$top/protocols/ungifokus.yaml

die() {
	echo "due-list: $*" >&2
	exit 1
}

case $BATCHES in '' | *[!0-9]*) die "BATCHES must be a number" ;; esac
case $RUNS in '' | *[!0-9]*) die "RUNS must be a number" ;; esac
if [ "$BATCHES" -lt 1 ] || [ "$BATCHES" -gt "$N" ]; then
	die "BATCHES must be between 1 and N"
fi
[ "$RUNS" -ge 1 ] || die "RUNS must be at least 1"
[ -x "$SORTES" ] || die "no sortes binary at $SORTES (run 'sh scripts/quickstart.sh check', or set SORTES)"
[ -r "$protocol_src" ] || die "cannot read $protocol_src"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is needed for the floor"
case $(date +%N) in
*[!0-9]* | '') die "date +%N gives no nanoseconds here" ;;
esac
# day DATE DAYS: the date DAYS days after DATE (GNU date).
day() {
	date -u -d "$1 + $2 days" +%Y-%m-%d 2>/dev/null ||
		die "GNU date is needed for date arithmetic"
}
day "$AS_OF" 0 >/dev/null
day "$START" 0 >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sortes-due.XXXXXX") ||
	die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The protocol: UngiFokus up to its follow-ups, then five occasions for
# every arm, each with a window from 14 days before to 30 days after.
protocol=$tmp/fivefollowups.yaml
sed -n '/^followups:/q;p' "$protocol_src" >"$protocol"
echo "followups:" >>"$protocol"
for m in 3 6 12 18 24; do
	cat >>"$protocol" <<EOF
  - code: m$m
    label: $m months after enrollment
    offset: $m months
    window: {before: 14 days, after: 30 days}
    measures: [employment, who5, weekly_hours]
EOF
done
before=14
after=30

echo "due-list: N=$N, 5 follow-ups each, $BATCHES enrollment days from" \
    "$START, as of $AS_OF, seed $SEED"
echo "  machine: $(nproc 2>/dev/null || echo '?') CPUs," \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo \
    2>/dev/null)"
echo "  sqlite3 $(sqlite3 --version | cut -d' ' -f1)," \
    "sortes $("$SORTES" --version | cut -d' ' -f2), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

"$CC" -std=c11 -O2 -o "$tmp/gencohort" "$here/gencohort.c" ||
	die "cannot compile gencohort.c"

db=$tmp/trial.db
empty=$tmp/empty.db
"$SORTES" init --protocol "$protocol" --db "$db" >/dev/null ||
	die "sortes init failed"
"$SORTES" init --protocol "$protocol" --db "$empty" >/dev/null ||
	die "sortes init failed"

# Enrollment: one batch a week, each cohort generated for its own day
# (so that every row is of age that day) and numbered on from the last
# batch, so that its synthetic CPR numbers are new ones.
t0=$(date +%s%N)
b=0
done_rows=0
while [ "$b" -lt "$BATCHES" ]; do
	rows=$(( (N - done_rows) / (BATCHES - b) ))
	enrolled_on=$(day "$START" $((7 * b)))
	SORTES_NOW=${enrolled_on}T12:00:00Z
	export SORTES_NOW
	"$tmp/gencohort" "$rows" $((SEED + b)) $((done_rows + 1)) \
	    >"$tmp/batch.csv" || die "gencohort failed"
	"$SORTES" enroll --csv "$tmp/batch.csv" --db "$db" >"$tmp/enroll.out" \
	    2>&1 || die "enroll failed: $(cat "$tmp/enroll.out")"
	grep -q "^enrolled $rows of $rows rows" "$tmp/enroll.out" ||
		die "enroll did not enroll all rows: $(cat "$tmp/enroll.out")"
	done_rows=$((done_rows + rows))
	b=$((b + 1))
done
unset SORTES_NOW
rm -f "$tmp/batch.csv"
t1=$(date +%s%N)
enroll_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

# Outcomes, written straight into the schedule with sqlite3 (a shortcut
# for the benchmark: 'followup record' would also write a log entry and
# an outcome row for each, which the due list never reads; 'sortes
# verify' would reject this trial, and is not run on it).  On AS_OF,
# 95 % of the occasions whose window has closed are resolved (85 % done,
# 10 % missed), and 60 % of those due but still in their window are
# done.  The draw is a fixed function of participant and occasion.
t0=$(date +%s%N)
h="((participant * 37 + CAST(substr(occasion, 2) AS INTEGER) * 11) % 100)"
sqlite3 "$db" "BEGIN;
UPDATE schedule SET status = 'done' WHERE status = 'open'
    AND window_end < '$AS_OF' AND $h < 85;
UPDATE schedule SET status = 'missed' WHERE status = 'open'
    AND window_end < '$AS_OF' AND $h < 95;
UPDATE schedule SET status = 'done' WHERE status = 'open'
    AND due < '$AS_OF' AND window_end >= '$AS_OF' AND $h < 60;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null || die "marking outcomes failed"
t1=$(date +%s%N)
mark_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

sqlite3 "$db" "SELECT count(*), sum(status = 'open'), sum(status = 'done'),
    sum(status = 'missed') FROM schedule" >"$tmp/counts" ||
	die "cannot count the schedule"
IFS='|' read -r total open_rows done_n missed_n <"$tmp/counts"
db_mib=$(awk -v b="$(wc -c <"$db")" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "  enrolled $N in $BATCHES batches in $enroll_s s; database $db_mib MiB"
echo "  schedule: $total rows, $open_rows open, $done_n done, $missed_n" \
    "missed (statuses set by sqlite3 in $mark_s s)"

# The SQL of src/duelist.c, and the values it binds (due_bind): ?1 and ?2
# bound the due dates by the protocol's longest windows, ?3 is the end of
# the period asked about, ?4 its first day, ?5 the caseworker, ?6 the
# limit: one row more than the page sortes prints (it asks for that row
# to know whether to say there are more), or -1, none, for --limit 0.
# The row counts below check that this copy selects what sortes selects.
within=14
p1=$(day "$AS_OF" $((-after)))
p2=$(day "$AS_OF" $((within + before)))
p3=$(day "$AS_OF" "$within")
p4=$AS_OF
cols="SELECT p.id, p.pseudonym, s.caseworker, s.occasion, s.due, \
s.window_start, s.window_end FROM schedule s \
JOIN participants p ON p.seq = s.participant WHERE s.status = 'open' "
order=" ORDER BY s.due, s.participant, s.occasion LIMIT ?6"
due_sql="${cols}AND s.due BETWEEN ?1 AND ?2 AND s.window_start \
<= ?3 AND s.window_end >= ?4$order"
due_cw_sql="${cols}AND s.caseworker = ?5 AND s.due BETWEEN ?1 AND ?2 \
AND s.window_start <= ?3 AND s.window_end >= ?4$order"
over_sql="${cols}AND s.due < ?4 AND s.window_end < ?4$order"
over_cw_sql="${cols}AND s.caseworker = ?5 AND s.due < ?4 AND \
s.window_end < ?4$order"

# The page sortes prints without --limit (src/cli/cmd-followup.c).
page=1000

# sql_script SQL LIMIT: a sqlite3 shell script binding the values, LIMIT
# to ?6, then SQL.
sql_script() {
	printf '.parameter init\n'
	printf ".parameter set ?1 \"'%s'\"\n" "$p1"
	printf ".parameter set ?2 \"'%s'\"\n" "$p2"
	printf ".parameter set ?3 \"'%s'\"\n" "$p3"
	printf ".parameter set ?4 \"'%s'\"\n" "$p4"
	printf ".parameter set ?5 \"'%s'\"\n" "$CASEWORKER"
	printf '.parameter set ?6 %s\n' "$2"
	printf '%s;\n' "$1"
}

# median_ms FILE: the median of the numbers in FILE (nanoseconds), in ms.
median_ms() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f", m / 1e6 }'
}

# timed_runs COMMAND...: run it RUNS times, output to /dev/null; set $ms
# to the median wall time.
timed_runs() {
	: >"$tmp/times"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || die "failed: $*"
		t1=$(date +%s%N)
		echo $((t1 - t0)) >>"$tmp/times"
		i=$((i + 1))
	done
	ms=$(median_ms "$tmp/times")
}

# json_rows FILE: the objects in a 'followup due --json' array.
json_rows() {
	grep -c '^,\{0,1\}{' "$1"
}

# Every query is timed with the database in the operating system's page
# cache (as it is after enrollment on this machine), read from memory,
# not from the disk; the untimed first run of each query (below) warms
# up whatever this misses.
cat "$db" >/dev/null

# rows_check NAME LIMIT: sortes printed the rows of the SQL, less the
# one past its page, and said on stderr whether there were more.
rows_check() {
	s_rows=$(json_rows "$tmp/s.out")
	r_rows=$(wc -l <"$tmp/r.out" | tr -d ' ')
	want=$r_rows
	more=no
	if [ "$2" -gt 0 ] && [ "$r_rows" -eq "$2" ]; then
		want=$(($2 - 1))
		more=yes
	fi
	[ "$s_rows" = "$want" ] ||
		die "$1: sortes listed $s_rows rows, the SQL $r_rows (LIMIT $2)"
	said=no
	if grep -q 'more are' "$tmp/s.err"; then said=yes; fi
	[ "$said" = "$more" ] ||
		die "$1: sortes's note that there are more: $said, expected $more"
}

# plan NAME SQL: the SELECT and its plan, once for each SELECT; notes a
# SCAN of s, which reads all of the table or of an index where a SEARCH
# reads a range, and a USE TEMP B-TREE, a sort of every row selected
# before the first can be returned, which LIMIT would then not shorten.
plan() {
	sqlite3 "$db" "EXPLAIN QUERY PLAN $2" >"$tmp/plan" ||
		die "sqlite3 cannot plan the $1 query"
	first=$(awk -F '\t' -v q="$2" '$2 == q { print $1; exit }' \
	    "$tmp/planned")
	if [ -n "$first" ]; then
		echo "$1: the SELECT of $first" >>"$tmp/plans"
	else
		printf '%s\t%s\n' "$1" "$2" >>"$tmp/planned"
		{
			echo "$1: $2"
			sed 's/^/  /' "$tmp/plan"
		} >>"$tmp/plans"
	fi
	if grep -q 'SCAN s\( \|$\)' "$tmp/plan"; then
		echo "$1" >>"$tmp/scans"
	fi
	if grep -q 'USE TEMP B-TREE' "$tmp/plan"; then
		echo "$1" >>"$tmp/sorts"
	fi
}

# bench NAME TARGET LIMIT SQL SORTES-ARGS...: rows, sortes median,
# sqlite3 median.  TARGET: yes if the 100 ms target applies; LIMIT: what
# sortes binds to ?6 with these arguments.
: >"$tmp/table"
: >"$tmp/plans"
: >"$tmp/planned"
bench() {
	name=$1
	target=$2
	limit=$3
	sql=$4
	shift 4
	sql_script "$sql" "$limit" >"$tmp/q.sql"
	"$SORTES" followup "$@" --db "$db" --json >"$tmp/s.out" \
	    2>"$tmp/s.err" || die "sortes followup $* failed"
	sqlite3 "$db" ".read $tmp/q.sql" >"$tmp/r.out" ||
		die "sqlite3 failed on the $name query"
	rows_check "$name" "$limit"
	timed_runs "$SORTES" followup "$@" --db "$db" --json
	s_ms=$ms
	timed_runs sqlite3 "$db" ".read $tmp/q.sql"
	r_ms=$ms
	echo "$name|$s_rows|$s_ms|$r_ms|$target" >>"$tmp/table"
	plan "$name" "$sql"
}

paged=$((page + 1))
bench due-all yes "$paged" "$due_sql" due --as-of "$AS_OF" --within 14d
bench due-caseworker yes "$paged" "$due_cw_sql" due --as-of "$AS_OF" \
    --within 14d --caseworker "$CASEWORKER"
bench overdue-caseworker yes "$paged" "$over_cw_sql" overdue --as-of "$AS_OF" \
    --caseworker "$CASEWORKER"
bench overdue-all yes "$paged" "$over_sql" overdue --as-of "$AS_OF"
bench "due-all --limit 0" no -1 "$due_sql" due --as-of "$AS_OF" --within 14d \
    --limit 0
bench "overdue-all --limit 0" no -1 "$over_sql" overdue --as-of "$AS_OF" \
    --limit 0

# Process start: the same due query on a trial with no participants.
sql_script "$due_sql" "$paged" >"$tmp/q.sql"
timed_runs "$SORTES" followup due --as-of "$AS_OF" --within 14d --db "$empty" \
    --json
start_s=$ms
timed_runs sqlite3 "$empty" ".read $tmp/q.sql"
start_r=$ms

echo
echo "query plans (each query's SELECT, and sqlite3's EXPLAIN QUERY PLAN of it):"
cat "$tmp/plans"
if [ -s "$tmp/scans" ]; then
	echo "  a full SCAN of the schedule or of an index in:" \
	    "$(tr '\n' ' ' <"$tmp/scans")"
else
	echo "  every query reads a range of a partial index (SEARCH), none scans"
fi
if [ -s "$tmp/sorts" ]; then
	echo "  a sort (USE TEMP B-TREE) in:" "$(tr '\n' ' ' <"$tmp/sorts")"
else
	echo "  no query sorts (no USE TEMP B-TREE): rows come in the index's" \
	    "order, and LIMIT ends the search"
fi
echo
echo "  as of $AS_OF, within ${within}d, caseworker $CASEWORKER;" \
    "median of $RUNS runs, output to /dev/null"
echo "  process start (due on a trial with no participants):" \
    "sortes $start_s ms, sqlite3 $start_r ms"
echo "  without --limit sortes prints $page rows at most (the SQL: LIMIT" \
    "$paged); with --limit 0 all of them (the SQL: no limit), not a target"
echo
printf '%-22s %8s %10s %10s %8s %-10s %s\n' query rows "sortes ms" \
    "sqlite3 ms" ratio target result
while IFS='|' read -r name rows s r target; do
	awk -v n="$name" -v k="$rows" -v s="$s" -v r="$r" -v t="$target" '
	BEGIN {
		q = r > 0 ? s / r : 0
		g = t == "yes" ? "< 100 ms" : "-"
		v = t != "yes" ? "-" : s < 100 ? "PASS" : "OVER"
		printf "%-22s %8d %10.1f %10.1f %7.2fx %-10s %s\n", n, k, s, r,
		    q, g, v
	}'
done <"$tmp/table"
exit 0
