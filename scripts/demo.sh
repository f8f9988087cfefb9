#!/bin/sh
# demo.sh [SORTES] - the UngiFokus and Ungebudgetter trials end to end,
# on synthetic data (no real personal data), in a fresh directory ./demo.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
sortes=${1:-$top/build/sortes}
case $sortes in /*) ;; *) sortes=$(pwd)/$sortes ;; esac
demo=${DEMO_DIR:-$(pwd)/demo}
rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"

step() { printf '\n== %s\n$ sortes %s\n' "$1" "$(shift; echo "$*")"; }

# Synthetic cohort, ages 18-28 on the demo date, spread over job
# centres and sexes.  Row 7 is too old and row 13 is on another
# benefit: the protocol refuses them.  The protocols take CPR numbers
# (DDMMYY-SSSS); these are synthetic ones, never real: the youth's
# birth date (day 1-28) and a serial of 9001 to 9200.  Such very high
# serials are what the Danish health sector's test CPR numbers use,
# because they are seldom given to anybody.
cohort() {
	awk 'BEGIN {
		print "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre"
		split("midt nord syd vest", jc, " ")
		for (i = 1; i <= 200; i++) {
			year = 1998 + (i * 7) % 10
			if (i == 7) year = 1990
			month = 1 + i % 12
			day = 1 + i % 28
			benefit = (i == 13) ? "kontanthjaelp" : "uddannelseshjaelp"
			printf "%02d%02d%02d-%04d,CW%02d,%d-%02d-%02d,%s,%s,%s,%s\n",
			    day, month, year % 100, 9000 + i,
			    1 + i % 12, year, month, day,
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

step "Enroll the valid rows; the refused ones go to rejected.csv, and every row's arm to arms.csv (0600)" \
    enroll --db ungifokus.db --csv cohort.csv --skip-invalid rejected.csv --results arms.csv
"$sortes" enroll --db ungifokus.db --csv cohort.csv --skip-invalid rejected.csv \
    --results arms.csv 2>/dev/null
cat rejected.csv
head -n 3 arms.csv

step "A job centre asks which arm a youth is in" lookup --person "<the first row's CPR number>"
"$sortes" lookup --db ungifokus.db --person "$(sed -n 2p cohort.csv | cut -d, -f1)"

step "Enroll one more youth by hand" enroll --person 150602-9201 ...
"$sortes" enroll --db ungifokus.db --person 150602-9201 --caseworker CW01 \
    --field birth_date=2002-06-15 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=ja \
    --field jobcentre=nord

step "The same person again is refused" enroll --person 1506029201 ...
"$sortes" enroll --db ungifokus.db --person 1506029201 --caseworker CW02 \
    --field birth_date=2002-06-15 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=ja \
    --field jobcentre=nord || true

# A cell copied from a web page or a word processor can carry an
# invisible character; it is refused, never stripped or kept.
step "The same number behind an invisible zero width space is refused too" \
    enroll --person "'<U+200B>150602-9201'" ...
"$sortes" enroll --db ungifokus.db \
    --person "$(printf '\342\200\213')150602-9201" --caseworker CW02 \
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

step "Seal the log; export the allocations as of the seal and check them without the database" \
    freeze, export allocations --seal, verify-export
"$sortes" keygen --output lead >/dev/null
"$sortes" freeze --db ungifokus.db --signing-key lead.pem --note "cohort 1" \
    --seal cohort1.seal
"$sortes" export allocations --db ungifokus.db --seal cohort1.seal \
    --output sealed.csv
"$sortes" verify-export sealed.csv --seal cohort1.seal --pubkey lead.pub

step "The linkage file for the register authority, as of the seal (0600)" \
    export linkage --persons cohort.csv --seal cohort1.seal
"$sortes" export linkage --db ungifokus.db --persons cohort.csv \
    --seal cohort1.seal --output linkage.csv
head -n 3 linkage.csv

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
# --- Ungebudgetter: randomized at caseworker level --------------------

# 20 synthetic caseworkers in four job-centre units, with the covariates
# the protocol balances.
caseworkers() {
	awk 'BEGIN {
		print "code,team,caseload,share_education_benefit,office,years_experience"
		split("midt nord syd vest", office, " ")
		for (i = 1; i <= 20; i++)
			printf "SB%02d,Jobcenter %s,%d,%d,%s,%d\n", i,
			    office[1 + i % 4], 25 + (i * 17) % 30,
			    20 + (i * 29) % 60, office[1 + i % 4], (i * 7) % 25
	}'
}

# The 20 youths of the trial, each with one of the caseworkers; their
# synthetic CPR numbers are made as the cohort's above.
youths() {
	awk 'BEGIN {
		print "person,caseworker,birth_date,months_without_job_or_education,benefit"
		for (i = 1; i <= 20; i++) {
			year = 1996 + i % 10
			month = 1 + i % 12
			day = 1 + i % 28
			printf "%02d%02d%02d-%04d,SB%02d,%d-%02d-%02d,%d,uddannelseshjaelp\n",
			    day, month, year % 100, 9300 + i, 1 + (i * 7) % 20,
			    year, month, day, 10 + i % 14
		}
	}'
}

caseworkers >caseworkers.csv
youths >youths.csv

step "Ungebudgetter: create the caseworker-level trial" \
    init --protocol ungebudgetter.yaml --db ungebudgetter.db
"$sortes" init --protocol "$top/protocols/ungebudgetter.yaml" \
    --db ungebudgetter.db

step "Register 20 caseworkers with their covariates" \
    caseworker import caseworkers.csv --db ungebudgetter.db
"$sortes" caseworker import caseworkers.csv --db ungebudgetter.db

# The protocol fixes a drand round in advance; its published value is
# mixed into the seed.  This demo uses a stand-in value.
step "Randomize the caseworkers: constrained by caseload, share on education benefit and office" \
    randomize --db ungebudgetter.db --beacon BEACON-VALUE
"$sortes" randomize --db ungebudgetter.db \
    --beacon 8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e

step "A caseworker hired afterwards is allocated at once, within the team" \
    caseworker add SB21 --team "Jobcenter nord" ...
"$sortes" caseworker add SB21 --team "Jobcenter nord" --db ungebudgetter.db \
    --covariate caseload=30 --covariate share_education_benefit=45 \
    --covariate office=nord --covariate years_experience=2

step "Enroll the 20 youths: each inherits the caseworker's arm" \
    enroll --csv youths.csv --db ungebudgetter.db
"$sortes" enroll --csv youths.csv --db ungebudgetter.db

first=$(sqlite3 ungebudgetter.db "SELECT id FROM participants ORDER BY seq LIMIT 1")
step "A youth changes caseworker: the arm stays (intention to treat)" \
    transfer PARTICIPANT --to SB21
"$sortes" transfer "$first" --to SB21 --db ungebudgetter.db

second=$(sqlite3 ungebudgetter.db "SELECT id FROM participants ORDER BY seq LIMIT 1 OFFSET 1")
step "A youth withdraws: nothing is deleted" withdraw PARTICIPANT --reason ...
"$sortes" withdraw "$second" --reason "moved to another municipality" \
    --db ungebudgetter.db

# A youth in the budget arm, and two in the other arm, all still in it.
youth() {
	sqlite3 ungebudgetter.db "SELECT p.id FROM participants p JOIN
	    allocations a ON a.seq = p.seq WHERE a.arm LIKE '$1' AND p.seq NOT
	    IN (SELECT participant FROM withdrawals) ORDER BY p.seq
	    LIMIT 1 OFFSET $2"
}
budget=$(youth B 0)
other=$(youth C 0)
late=$(youth C 1)

export SORTES_NOW=2026-04-10T12:00:00Z
step "The budget: spends in øre, each a log entry" \
    budget spend PARTICIPANT --amount 3200 --category education ...
"$sortes" budget spend "$budget" --amount 3200 --category education \
    --note "driving lessons" --db ungebudgetter.db
"$sortes" budget spend "$budget" --amount 12000.50 --category equipment \
    --note "laptop for school" --db ungebudgetter.db

step "A spend beyond what remains is refused" \
    budget spend PARTICIPANT --amount 15000 --category leisure
if "$sortes" budget spend "$budget" --amount 15000 --category leisure \
    --db ungebudgetter.db; then
	echo "demo: the overspend should have been refused" >&2
	exit 1
fi

step "The budget report" budget report --db ungebudgetter.db
"$sortes" budget report --db ungebudgetter.db

export SORTES_NOW=2027-02-22T08:00:00Z
step "A year on: the follow-ups due within two weeks (no arm column, but m12_budget is asked only in the budget arm: this trial's outcome assessment is open)" \
    followup due --within 14d --db ungebudgetter.db
"$sortes" followup due --within 14d --db ungebudgetter.db

export SORTES_NOW=2027-03-05T14:00:00Z
due=$(sqlite3 ungebudgetter.db "SELECT due FROM schedule s JOIN participants p
    ON p.seq = s.participant WHERE p.id = '$budget' AND occasion = 'm12'")
step "Record measurements; values are checked against the protocol" \
    followup record PARTICIPANT m12 employment=education who5=64 --date "$due"
"$sortes" followup record "$budget" m12 employment=education who5=64 \
    --date "$due" --db ungebudgetter.db
"$sortes" followup record "$budget" m12_budget budget_use_satisfaction=4 \
    --db ungebudgetter.db

step "A correction is a new entry that supersedes, never an edit" \
    followup record PARTICIPANT m12 employment=education who5=68 --correct
"$sortes" followup record "$budget" m12 employment=education who5=68 \
    --date "$due" --correct --db ungebudgetter.db

step "An occasion that could not be done" \
    followup missed PARTICIPANT m12 --reason "no contact after three attempts"
"$sortes" followup missed "$other" m12 \
    --reason "no contact after three attempts" --db ungebudgetter.db

export SORTES_NOW=2027-05-03T09:00:00Z
step "Overdue: windows closed without an outcome" \
    followup overdue --db ungebudgetter.db
"$sortes" followup overdue --db ungebudgetter.db | head -5

step "Measured after the window: accepted only when flagged" \
    followup record PARTICIPANT m12 ... --out-of-window
"$sortes" followup record "$late" m12 employment=none who5=40 \
    --out-of-window --db ungebudgetter.db

step "The open follow-ups as a calendar file" \
    followup calendar --db ungebudgetter.db '>' due.ics
"$sortes" followup calendar --db ungebudgetter.db >due.ics
grep -c BEGIN:VEVENT due.ics

step "Verify the Ungebudgetter chain and tables" verify --db ungebudgetter.db
"$sortes" verify --db ungebudgetter.db

printf '\ndemo: done; the files are in %s\n' "$demo"
