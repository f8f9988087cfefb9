#!/bin/sh
# bench/enroll-verify.sh [N] - time 'sortes enroll --csv' and 'sortes verify'
# on a synthetic cohort of N rows (default 1000000) against floors measured
# in the same run on the same machine:
#
#   floor A  sqlite3 importing the same CSV into a bare table of a fresh
#            database (.mode csv + .import)
#   floor B  SHA-256 over exactly the bytes 'sortes verify' hashes, at the
#            throughput 'openssl speed -evp sha256' measures for messages
#            of the log's mean entry size
#
# Targets: enroll <= 3 x floor A, verify <= 2 x floor B, peak RSS < 64 MiB.
# A benchmark reports; it never fails a build: the exit status is 0 unless
# a command itself failed (or the arguments are wrong).  See bench/README.md.
#
# Environment: SORTES (the binary; default build/sortes, else ./sortes), CC
# (default cc), SORTES_NOW (default 2024-06-01T12:00:00Z; fixes the clock so
# that age eligibility is reproducible), SEED (cohort seed, default 1),
# SHA_SECONDS (openssl speed run time, default 3), TMPDIR.

set -u

usage() {
	echo "usage: bench/enroll-verify.sh [N]" >&2
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
# The quick start builds in build/; an in-tree build leaves ./sortes.
if [ -z "${SORTES:-}" ]; then
	SORTES=$top/build/sortes
	[ -x "$SORTES" ] || SORTES=$top/sortes
fi
CC=${CC:-cc}
SEED=${SEED:-1}
SHA_SECONDS=${SHA_SECONDS:-3}
SORTES_NOW=${SORTES_NOW:-2024-06-01T12:00:00Z}
export SORTES_NOW
protocol=$top/protocols/ungifokus.yaml

die() {
	echo "enroll-verify: $*" >&2
	exit 1
}

[ -x "$SORTES" ] || die "no sortes binary at $SORTES (run 'sh scripts/quickstart.sh check', or set SORTES)"
[ -r "$protocol" ] || die "cannot read $protocol"
command -v sqlite3 >/dev/null 2>&1 || die "sqlite3 is needed for floor A"
command -v openssl >/dev/null 2>&1 || die "openssl is needed for floor B"
case $(date +%N) in
*[!0-9]* | '') die "date +%N gives no nanoseconds here" ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sortes-bench.XXXXXX") ||
	die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Peak RSS: GNU time if present; else poll VmHWM (a high-water mark, so a
# poll just before exit sees the peak); else none.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$tmp/probe" true \
    2>/dev/null; then
	rss_method="time"
elif [ -r /proc/self/status ]; then
	rss_method=proc
else
	rss_method=none
fi

now() {
	date +%s.%N
}

# measure NAME COMMAND...: run it with stdout/stderr in $tmp/NAME.out/.err;
# set $wall (seconds) and $rss (KiB, or '' if unknown).  Dies on failure.
measure() {
	name=$1
	shift
	rss=
	t0=$(now)
	case $rss_method in
	time)
		/usr/bin/time -f %M -o "$tmp/$name.rss" "$@" \
		    >"$tmp/$name.out" 2>"$tmp/$name.err"
		st=$?
		rss=$(tail -n 1 "$tmp/$name.rss")
		;;
	proc)
		"$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			hwm=$(awk '/^VmHWM:/ { print $2 }' \
			    "/proc/$pid/status" 2>/dev/null)
			[ -n "$hwm" ] && rss=$hwm
			sleep 0.05 2>/dev/null || sleep 1
		done
		wait "$pid"
		st=$?
		;;
	*)
		"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
		st=$?
		;;
	esac
	t1=$(now)
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	if [ "$st" -ne 0 ]; then
		cat "$tmp/$name.err" >&2
		die "$name failed (exit $st): $*"
	fi
}

maxrss() {
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo
	elif [ "$1" -gt "$2" ]; then
		echo "$1"
	else
		echo "$2"
	fi
}

echo "enroll-verify: N=$N seed=$SEED SORTES_NOW=$SORTES_NOW"
echo "  machine: $(nproc 2>/dev/null || echo '?') CPUs," \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo \
    2>/dev/null)"
echo "  sqlite3 $(sqlite3 --version | cut -d' ' -f1)," \
    "$(openssl version | cut -d' ' -f1-2), sortes $("$SORTES" --version |
    cut -d' ' -f2)"

# The cohort.
"$CC" -std=c11 -O2 -o "$tmp/gencohort" "$here/gencohort.c" ||
	die "cannot compile gencohort.c"
csv=$tmp/cohort.csv
t0=$(now)
"$tmp/gencohort" "$N" "$SEED" >"$csv" || die "gencohort failed"
t1=$(now)
echo "  cohort: $(wc -c <"$csv" | tr -d ' ') bytes," \
    "generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s"

# Floor A: the same rows into a bare table of a fresh database.
printf '.mode csv\n.import "%s" cohort\n' "$csv" >"$tmp/import.sql"
measure import sqlite3 "$tmp/floor.db" ".read $tmp/import.sql"
floor_a=$wall
rows=$(sqlite3 "$tmp/floor.db" 'select count(*) from cohort')
[ "$rows" = "$N" ] || die "floor A imported $rows rows, expected $N"
rm -f "$tmp/floor.db"

# sortes: init, then enroll the whole file in one transaction.
db=$tmp/trial.db
measure init "$SORTES" init --protocol "$protocol" --db "$db"
init_wall=$wall
init_rss=$rss
measure enroll "$SORTES" enroll --csv "$csv" --db "$db"
enroll_wall=$wall
enroll_rss=$(maxrss "$init_rss" "$rss")
grep -q "^enrolled $N of $N rows" "$tmp/enroll.out" ||
	die "enroll did not enroll all rows: $(cat "$tmp/enroll.out")"
enroll_total=$(awk -v a="$init_wall" -v b="$enroll_wall" \
    'BEGIN { printf "%.3f", a + b }')
db_bytes=$(wc -c <"$db" | tr -d ' ')

# Floor B: exactly the bytes verify hashes, at openssl's SHA-256 speed
# for messages of the log's mean entry size.
hashed=$(sqlite3 "$db" 'select sum(32 + length(body)) from log')
entries=$(sqlite3 "$db" 'select count(*) from log')
mean=$(awk -v b="$hashed" -v n="$entries" 'BEGIN { printf "%d", b / n + 0.5 }')
openssl speed -evp sha256 -bytes "$mean" -seconds "$SHA_SECONDS" \
    >"$tmp/speed.out" 2>"$tmp/speed.err" ||
	die "openssl speed failed: $(cat "$tmp/speed.err")"
# "sha256   1249798.14k": thousands of bytes per second.
sha_bps=$(awk '/^sha256[ \t]/ { v = $NF; sub(/k$/, "", v); print v * 1000 }' \
    "$tmp/speed.out")
[ -n "$sha_bps" ] || die "cannot read the openssl speed output"
floor_b=$(awk -v b="$hashed" -v r="$sha_bps" 'BEGIN { printf "%.3f", b / r }')

measure verify "$SORTES" verify --db "$db"
verify_wall=$wall
verify_rss=$rss
grep -q "^ok: $entries entries" "$tmp/verify.out" ||
	die "verify did not pass: $(cat "$tmp/verify.out")"

# The table.
echo
echo "  floor A: sqlite3 .import of $N rows: $floor_a s"
echo "  floor B: $hashed bytes in $entries entries (mean $mean B) at" \
    "$(awk -v r="$sha_bps" 'BEGIN { printf "%.1f", r / 1e6 }') MB/s: $floor_b s"
echo "  sortes: init $init_wall s, enroll $enroll_wall s" \
    "($(awk -v n="$N" -v t="$enroll_wall" 'BEGIN { printf "%.0f", n / t }') rows/s)," \
    "database $(awk -v b="$db_bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB"
echo
# row MEASURE VALUE FLOOR TARGET-FACTOR UNIT
row() {
	awk -v m="$1" -v v="$2" -v f="$3" -v k="$4" -v u="$5" 'BEGIN {
		if (v == "") {
			printf "%-26s %10s %10s %8s %-16s %s\n", m, "n/a", "-",
			    "-", "-", "SKIPPED"
			exit
		}
		if (u == "s") {
			r = f > 0 ? v / f : 0
			printf "%-26s %10.3f %10.3f %7.2fx %-16s %s\n", m, v, f,
			    r, "<= " k "x floor", r <= k ? "PASS" : "OVER"
		} else {
			mib = v / 1024
			printf "%-26s %10.1f %10s %8s %-16s %s\n", m " (MiB)",
			    mib, "-", "-", "< " k " MiB", mib < k ? "PASS" : "OVER"
		}
	}'
}
printf '%-26s %10s %10s %8s %-16s %s\n' measure seconds "floor s" ratio \
    target result
row "enroll (init+enroll)" "$enroll_total" "$floor_a" 3 s
row "verify" "$verify_wall" "$floor_b" 2 s
row "enroll peak RSS" "$enroll_rss" "" 64 KiB
row "verify peak RSS" "$verify_rss" "" 64 KiB
case $rss_method in
proc)
	echo "  (peak RSS polled from /proc VmHWM every 0.05 s: a lower bound," \
	    "too low for commands that finish within a few polls)"
	;;
none)
	echo "  (peak RSS not measured: neither /usr/bin/time nor /proc)"
	;;
*) ;;
esac
exit 0
