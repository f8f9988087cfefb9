#!/bin/sh
# seals-export.sh [N] - verify of an N-entry log with 10 seals, and an
# export at a seal, each beside a floor measured in the same run:
#   verify with seals   vs  openssl speed sha256 over the bytes hashed
#   export at a seal    vs  sqlite3 -csv of the same rows
# Reports; fails only when a command itself fails.  Needs sqlite3,
# openssl, a C compiler and /usr/bin/time (for peak memory).
set -eu

N=${1:-1000000}
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SORTES:-}" ]; then
	SORTES=$top/build/sortes
	[ -x "$SORTES" ] || SORTES=$top/sortes
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sortes-seals.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
SORTES_NOW=2024-06-01T12:00:00Z
export SORTES_NOW

die() { echo "seals-export: $*" >&2; exit 1; }
now() { date +%s.%N; }
# timed NAME CMD... - run CMD; seconds in $wall, peak KiB in $rss.
timed() {
	name=$1
	shift
	t0=$(now)
	/usr/bin/time -f %M -o "$tmp/$name.rss" "$@" >"$tmp/$name.out" \
	    2>"$tmp/$name.err" || die "$name failed: $(cat "$tmp/$name.err")"
	wall=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
	rss=$(tail -n 1 "$tmp/$name.rss")
}

${CC:-cc} -std=c11 -O2 -o "$tmp/gencohort" "$top/bench/gencohort.c"
"$tmp/gencohort" "$N" 1 >"$tmp/cohort.csv"
db=$tmp/t.db
"$SORTES" init --protocol "$top/protocols/ungifokus.yaml" --db "$db" >/dev/null
"$SORTES" keygen --output "$tmp/lead" >/dev/null

# Ten cohorts, each enrolled and then sealed.
chunk=$(( (N + 9) / 10 ))
tail -n +2 "$tmp/cohort.csv" | split -l "$chunk" - "$tmp/part."
seals=""
last=""
for part in "$tmp"/part.*; do
	{ head -n 1 "$tmp/cohort.csv"; cat "$part"; } >"$part.csv"
	"$SORTES" enroll --db "$db" --csv "$part.csv" >/dev/null
	"$SORTES" freeze --db "$db" --signing-key "$tmp/lead.pem" \
	    --seal "$part.seal" >/dev/null
	seals="$seals --seal $part.seal"
	last=$part.seal
done

# verify, with every seal file and its signature.
# shellcheck disable=SC2086 # the seal options are meant to split
timed verify "$SORTES" verify --db "$db" $seals --pubkey "$tmp/lead.pub"
verify_wall=$wall verify_rss=$rss
hashed=$(sqlite3 "$db" 'select sum(32 + length(body)) from log')
entries=$(sqlite3 "$db" 'select count(*) from log')
mean=$(( hashed / entries ))
openssl speed -evp sha256 -bytes "$mean" -seconds 3 >"$tmp/speed" 2>/dev/null
bps=$(awk '/^sha256[ \t]/ { v = $NF; sub(/k$/, "", v); print v * 1000 }' \
    "$tmp/speed")
floor_v=$(awk -v b="$hashed" -v r="$bps" 'BEGIN { printf "%.3f", b / r }')

# export at the last seal, and the same rows through sqlite3 -csv.
timed export "$SORTES" export allocations --db "$db" --seal "$last" \
    --pubkey "$tmp/lead.pub" --output "$tmp/export.csv"
export_wall=$wall export_rss=$rss
timed floor sqlite3 -csv -header "$db" "SELECT p.pseudonym, p.id, \
    p.caseworker, p.stratum, a.arm, p.enrolled_at, p.seq, l.hash FROM \
    participants p JOIN allocations a ON a.seq = p.seq JOIN log l ON \
    l.seq = p.seq WHERE p.seq <= $(sed -n 's/^entries //p' "$last") \
    ORDER BY p.seq"
floor_e=$wall
# sqlite3 ends rows with CRLF, sortes with LF: compare the row counts.
[ "$(wc -l <"$tmp/export.csv")" -eq "$(wc -l <"$tmp/floor.out")" ] ||
	die "the export and the sqlite3 floor have different row counts"

# verify-export of that export: the log extract rehashed, the rows
# rebuilt; its floor is SHA-256 over the extract's hashed bytes.
timed vexport "$SORTES" verify-export "$tmp/export.csv" --seal "$last" \
    --pubkey "$tmp/lead.pub"
vexport_wall=$wall vexport_rss=$rss
sealed=$(sed -n 's/^entries //p' "$last")
hashed_x=$(sqlite3 "$db" "select sum(32 + length(body)) from log \
    where seq <= $sealed")
floor_x=$(awk -v b="$hashed_x" -v r="$bps" 'BEGIN { printf "%.3f", b / r }')

echo "seals-export: N=$N, $entries entries, 10 seals"
printf '%-26s %9s %9s %8s %s\n' measure seconds floor ratio "peak RSS"
for row in "verify+10-seals $verify_wall $floor_v $verify_rss" \
    "export-at-seal $export_wall $floor_e $export_rss" \
    "verify-export $vexport_wall $floor_x $vexport_rss"; do
	# shellcheck disable=SC2086 # the row is meant to split
	set -- $row
	printf '%-26s %9s %9s %7.2fx %6.1f MiB\n' "$1" "$2" "$3" \
	    "$(awk -v a="$2" -v b="$3" 'BEGIN { print a / b }')" \
	    "$(awk -v k="$4" 'BEGIN { print k / 1024 }')"
done
echo "targets: verify and verify-export <= 2x the SHA-256 floor;" \
    "export <= 2x sqlite3 -csv; memory < 64 MiB"
