#!/bin/sh
# make.sh SORTES - how the fixtures in this directory were made: two
# trials written by sortes 0.1.0 at commit a412c9f (log format 1,
# schema version 4), before log format 2.  They cannot be made again
# with a newer sortes; tests/cli/t0019-carry-forward.sh loads them and
# checks that this sortes verifies, replays and continues them.
#
#   ungifokus.sql, ungifokus.key: individual randomization, stratified
#     blocks; a cohort, a transfer, a withdrawal, a measurement and a
#     seal (ungifokus.seal, signed with lead.pem / lead.pub); not
#     revealed, so that enrollment can go on.
#   ungebudgetter.sql, ungebudgetter.key: caseworker level, constrained
#     by an enum covariate (one indicator column per level, as format 1
#     scored it); a new hire, youths with the new hire, a transfer to
#     the new hire, a withdrawal, a spend, a seal, and the reveal.
#
# The protocols are given by their path from the top of the tree, which
# table trial keeps as protocol_name (for people only; nothing hashes it).
set -eu
S=$1
out=$(pwd)
w=$(mktemp -d)
cd "$w"
top=$out/../../..
export SORTES_NOW=2025-03-03T09:00:00Z
"$S" keygen --out lead >/dev/null
(cd "$top" && "$S" init --protocol protocols/ungifokus.yaml --db "$w/ungifokus.db" >/dev/null)
{
	echo "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre"
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
		echo "SYN-1000$i,CW0$((1${i} % 3 + 1)),2001-0$((1${i} % 9 + 1))-1$((1${i} % 9)),$( [ $((1${i} % 2)) = 0 ] && echo F || echo M),uddannelseshjaelp,true,$( [ $((1${i} % 4)) -lt 2 ] && echo nord || echo syd)"
	done
} >cohort.csv
"$S" enroll --db ungifokus.db --csv cohort.csv >/dev/null
p1=$(sqlite3 ungifokus.db "select id from participants order by seq limit 1")
p2=$(sqlite3 ungifokus.db "select id from participants order by seq limit 1 offset 1")
SORTES_NOW=2025-03-10T09:00:00Z "$S" transfer "$p1" --to CW09 --db ungifokus.db >/dev/null
SORTES_NOW=2025-03-11T09:00:00Z "$S" withdraw "$p2" --reason "moved away" --db ungifokus.db >/dev/null
SORTES_NOW=2025-09-03T09:00:00Z "$S" followup record "$p1" m6 employment=job who5=60 weekly_hours=37.5 --db ungifokus.db >/dev/null
SORTES_NOW=2025-09-04T09:00:00Z "$S" freeze --db ungifokus.db --key lead.pem --note "cohort 1" --seal ungifokus.seal >/dev/null

(cd "$top" && "$S" init --protocol protocols/ungebudgetter.yaml --db "$w/ungebudgetter.db" >/dev/null)
{
	echo "code,team,caseload,share_education_benefit,office,years_experience"
	for i in 01 02 03 04 05 06 07 08 09 10; do
		n=$((1$i - 100))
		case $((n % 4)) in 0) o=midt;; 1) o=nord;; 2) o=syd;; 3) o=vest;; esac
		echo "SB$i,Jobcenter $o,$((25 + n * 3)),$((30 + (n * 13) % 50)),$o,$n"
	done
} >cw.csv
"$S" caseworker import cw.csv --db ungebudgetter.db >/dev/null
"$S" randomize --db ungebudgetter.db --beacon 8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e >/dev/null
SORTES_NOW=2025-03-04T09:00:00Z "$S" caseworker add SB11 --team "Jobcenter nord" --db ungebudgetter.db \
    --covariate caseload=33 --covariate share_education_benefit=50 --covariate office=nord >/dev/null
SORTES_NOW=2025-03-04T09:05:00Z "$S" caseworker add SB12 --team "Jobcenter nord" --db ungebudgetter.db \
    --covariate caseload=31 --covariate share_education_benefit=40 --covariate office=nord >/dev/null
{
	echo "person,caseworker,birth_date,months_without_job_or_education,benefit"
	for i in 01 02 03 04 05 06 07 08; do
		n=$((1$i - 100))
		echo "SYN-B00$i,SB$(printf %02d $((n % 6 + 7))),200$((n % 5))-0$((n % 9 + 1))-15,$((10 + n)),uddannelseshjaelp"
	done
} >youths.csv
SORTES_NOW=2025-03-05T09:00:00Z "$S" enroll --csv youths.csv --db ungebudgetter.db >/dev/null
y1=$(sqlite3 ungebudgetter.db "select id from participants order by seq limit 1")
y2=$(sqlite3 ungebudgetter.db "select id from participants order by seq limit 1 offset 1")
b=$(sqlite3 ungebudgetter.db "select p.id from participants p join allocations a on a.seq = p.seq where a.arm = 'B' order by p.seq desc limit 1")
SORTES_NOW=2025-03-06T09:00:00Z "$S" transfer "$y1" --to SB12 --db ungebudgetter.db >/dev/null
SORTES_NOW=2025-03-07T09:00:00Z "$S" withdraw "$y2" --reason "moved away" --db ungebudgetter.db >/dev/null
SORTES_NOW=2025-04-07T09:00:00Z "$S" budget spend "$b" --amount 1200.50 --category education --db ungebudgetter.db >/dev/null
SORTES_NOW=2025-05-01T09:00:00Z "$S" freeze --db ungebudgetter.db --key lead.pem --note "enrollment closed" --seal ungebudgetter.seal >/dev/null
SORTES_NOW=2025-05-02T09:00:00Z "$S" reveal --db ungebudgetter.db >/dev/null
for t in ungifokus ungebudgetter; do
	sqlite3 "$t.db" 'pragma wal_checkpoint(truncate)' >/dev/null
	"$S" verify --db "$t.db" >/dev/null
	{ sqlite3 "$t.db" .dump; echo "PRAGMA user_version = $(sqlite3 "$t.db" 'pragma user_version');"; } >"$out/$t.sql"
	cp "$t.key" "$t.seal" "$out/"
done
cp lead.pub "$out/"
cd /
rm -rf "$w"
