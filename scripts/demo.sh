#!/bin/sh
# demo.sh [SORTES] - the UngiFokus trial end to end, on a synthetic
# cohort (no real personal data), in a fresh directory ./demo.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sortes=${1:-$top/build/sortes}
case $sortes in /*) ;; *) sortes=$(pwd)/$sortes ;; esac
demo=${DEMO_DIR:-$(pwd)/demo}
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"

step() { printf '\n== %s\n$ sortes %s\n' "$1" "$(shift; echo "$*")"; }

# Synthetic cohort: identifiers that cannot be CPR numbers, ages 18-28
# on the demo date, spread over job centres and sexes.  Row 7 is too
# old and row 13 is on another benefit: the protocol refuses them.
cohort() {
	awk 'BEGIN {
		print "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre"
		split("midt nord syd vest", jc, " ")
		for (i = 1; i <= 200; i++) {
			year = 1998 + (i * 7) % 10
			if (i == 7) year = 1990
			benefit = (i == 13) ? "kontanthjaelp" : "uddannelseshjaelp"
			printf "SYN-%06d,CW%02d,%d-%02d-%02d,%s,%s,%s,%s\n", i,
			    1 + i % 12, year, 1 + i % 12, 1 + i % 28,
			    (i % 2) ? "F" : "M", benefit, (i % 5) ? "ja" : "true",
			    jc[1 + i % 4]
		}
	}'
}

export SORTES_NOW=2026-03-02T09:30:00Z
cohort >cohort.csv

step "Check the protocols" protocol check ungifokus.yaml ungebudgetter.yaml
"$sortes" protocol check "$top/protocols/ungifokus.yaml" \
    "$top/protocols/ungebudgetter.yaml"

step "Create the trial: stores the protocol, commits to a secret seed" \
    init --protocol ungifokus.yaml --db ungifokus.db
"$sortes" init --protocol "$top/protocols/ungifokus.yaml" --db ungifokus.db

step "Enroll a cohort of 200: two rows are refused, so nobody is enrolled" \
    enroll --db ungifokus.db --csv cohort.csv
if "$sortes" enroll --db ungifokus.db --csv cohort.csv; then
	echo "demo: the cohort should have been refused" >&2
	exit 1
fi

step "Enroll the valid rows; the refused ones go to rejected.csv" \
    enroll --db ungifokus.db --csv cohort.csv --skip-invalid rejected.csv
"$sortes" enroll --db ungifokus.db --csv cohort.csv --skip-invalid rejected.csv 2>/dev/null
cat rejected.csv

step "Enroll one more youth by hand" enroll --person SYN-000201 ...
"$sortes" enroll --db ungifokus.db --person SYN-000201 --caseworker CW01 \
    --field birth_date=2002-06-15 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=ja \
    --field jobcentre=nord

step "The same person again is refused" enroll --person SYN-000201 ...
"$sortes" enroll --db ungifokus.db --person SYN-000201 --caseworker CW02 \
    --field birth_date=2002-06-15 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=ja \
    --field jobcentre=nord || true

step "Verify the hash chain and the tables" verify --db ungifokus.db
"$sortes" verify --db ungifokus.db

step "Export the allocations for the evaluator (first lines)" \
    export allocations --db ungifokus.db
"$sortes" export allocations --db ungifokus.db --output allocations.csv
head -n 4 allocations.csv
echo "... $(($(wc -l <allocations.csv) - 1)) participants in allocations.csv"
echo "arms:  I $(grep -c ',I,' allocations.csv)   C $(grep -c ',C,' allocations.csv)"

step "Tamper with a copy: change one allocation behind the log's back" \
    verify --db tampered.db
"$sortes" verify --db ungifokus.db >/dev/null
cp ungifokus.db tampered.db
[ -f ungifokus.db-wal ] && cp ungifokus.db-wal tampered.db-wal
sqlite3 tampered.db "UPDATE allocations SET arm = CASE arm WHEN 'I' THEN 'C' ELSE 'I' END WHERE seq = 10"
if "$sortes" verify --db tampered.db; then
	echo "demo: tampering went unnoticed" >&2
	exit 1
fi
printf '\ndemo: done; the files are in %s\n' "$demo"
