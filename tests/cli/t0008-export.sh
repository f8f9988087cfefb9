#!/bin/sh
# t0008-export: allocations for evaluators, as CSV or JSON: one row per
# participant, pseudonyms only (baseline fields, but no person
# identifier), byte-for-byte reproducible.
. "$SRCDIR/tests/cli/lib.sh"

cohort=$DATA/cohort-ungifokus.csv
header="pseudonym,participant,caseworker,arm,arm_name,enrolled_at,seq,entry_hash,status,withdrawn_at,transfers,stratum_jobcentre,stratum_sex,field_activity_ready,field_benefit,field_birth_date,field_jobcentre,field_sex"

# An empty trial exports the header alone, or an empty array.
new_trial "$UNGIFOKUS" t.db
run "$SORTES" export allocations --db t.db
expect_status 0
expect_out_is "$header"
run "$SORTES" export allocations --db t.db --format json
expect_status 0
expect_out_is "[]"

# 20 youths from CSV and one by CPR number (synthetic, see lib.sh).
run "$SORTES" enroll --db t.db --csv "$cohort"
expect_status 0
enroll_fokus t.db 170500-9901
expect_status 0

# CSV: the exact header, then one row per participant, in log order.
run "$SORTES" export allocations --db t.db
expect_status 0
expect_err_empty
expect_eq "$(head -n 1 out)" "$header" "CSV header"
expect_eq "$(wc -l <out | tr -d ' ')" 22 "CSV lines (header + 21)"
cp out export.csv

# Columns 7 and 8 are the log entry's sequence number and hash: both
# agree with the log.  (No arm name of UngiFokus holds a comma.)
expect_eq "$(sed 1d export.csv | awk -F, '{ print $7 " " $8 }')" \
    "$("$SQLITE3" t.db 'select p.seq, l.hash from participants p join log l on l.seq = p.seq order by p.seq' | tr '|' ' ')" \
    "seq and entry_hash columns"
# Participants and arms agree with the tables.
expect_eq "$(sed 1d export.csv | cut -d, -f2 | sort)" \
    "$("$SQLITE3" t.db 'select id from participants order by id')" \
    "participant column"
expect_eq "$(sed 1d export.csv | grep -c ',I,UngiFokus[^,]*,2024-03-01T10:00:00Z,')" \
    "$("$SQLITE3" t.db "select count(*) from allocations where arm = 'I'")" \
    "participants in arm I"
# Pseudonyms are 64 hex digits, one per participant.
expect_eq "$(sed 1d export.csv | cut -d, -f1 | grep -c -x '[0-9a-f]\{64\}')" \
    21 "well-formed pseudonyms"
expect_eq "$(sed 1d export.csv | cut -d, -f1 | sort -u | wc -l | tr -d ' ')" \
    21 "distinct pseudonyms"

# No person identifiers: not the CPR number in either spelling, not the
# cohort's identifiers (the baseline fields are there, birth dates too).
for secret in 170500-9901 1705009901 '[0-9]\{6\}-9[0-9]\{3\}'; do
	expect_eq "$(grep -c -e "$secret" export.csv)" 0 "lines holding '$secret'"
done
sed 1d "$cohort" | cut -d, -f1 | tr -d '"-' >cpr_digits
expect_eq "$(grep -c -F -f cpr_digits export.csv)" 0 \
    "lines holding a CPR number of the cohort"
expect_eq "$(grep -c ',2000-05-17,midt,F$' export.csv)" 1 \
    "the birth date, job centre and sex given for 170500-9901"

# JSON: an array of one object per line, keys in order, valid JSON.
run "$SORTES" export allocations --db t.db --format json
expect_status 0
expect_err_empty
cp out export.json
expect_eq "$(head -n 1 export.json)" "[" "first line of the JSON export"
expect_eq "$(tail -n 1 export.json)" "]" "last line of the JSON export"
expect_eq "$(wc -l <export.json | tr -d ' ')" 23 "JSON lines ([ + 21 + ])"
expect_eq "$(grep -c '^{"arm":"[IC]","arm_name":"[^"]*","caseworker":"[^"]*","enrolled_at":"[^"]*","entry_hash":"[0-9a-f]\{64\}","field_activity_ready":\(true\|false\),"field_benefit":"[a-z]*","field_birth_date":"[0-9-]*","field_jobcentre":"[a-z]*","field_sex":"[FM]","participant":"[^"]*","pseudonym":"[0-9a-f]\{64\}","seq":[0-9]*,"status":"active","stratum_jobcentre":"[a-z]*","stratum_sex":"[FM]","transfers":0,"withdrawn_at":null},\{0,1\}$' export.json)" \
    21 "JSON object lines"
expect_eq "$(grep -c '},$' export.json)" 20 "objects followed by a comma"
# The sqlite3 shell has a JSON parser: let it judge.
expect_eq "$("$SQLITE3" :memory: "select json_valid(readfile('export.json')), json_array_length(readfile('export.json'))")" \
    "1|21" "JSON validity and length"
# JSON and CSV say the same.
expect_eq "$("$SQLITE3" :memory: "select group_concat(json_extract(value, '\$.entry_hash'), ' ') from json_each(readfile('export.json'))")" \
    "$(sed 1d export.csv | awk -F, '{ print $8 }' | tr '\n' ' ' | sed 's/ $//')" \
    "entry hashes of the JSON export"
for secret in 170500-9901 1705009901 '[0-9]\{6\}-9[0-9]\{3\}'; do
	expect_eq "$(grep -c -e "$secret" export.json)" 0 "lines holding '$secret'"
done

# Deterministic: the same database exports the same bytes.
run "$SORTES" export allocations --db t.db
check "two CSV exports differ" cmp -s out export.csv
run "$SORTES" export allocations --db t.db --format json
check "two JSON exports differ" cmp -s out export.json

# --output writes the file (nothing on stdout) and never overwrites.
run "$SORTES" export allocations --db t.db --output a.csv
expect_status 0
expect_out_empty
expect_err_empty
check "a.csv differs from the stdout export" cmp -s a.csv export.csv

run "$SORTES" export allocations --db t.db --format json --output a.json
expect_status 0
check "a.json differs from the stdout export" cmp -s a.json export.json

run "$SORTES" export allocations --db t.db --format json --output a.csv
expect_status 73
expect_err_contains "cannot create 'a.csv'"
check "a.csv was overwritten" cmp -s a.csv export.csv

# A reader that stops early ('export allocations | head -n 1'): sortes
# stops at the first write that fails, says nothing (exit 74, not killed
# by SIGPIPE), and leaves nothing beside the database.  The export, some
# 350 KB, cannot fit in the pipe.
new_trial "$UNGIFOKUS" big.db
awk 'BEGIN {
	print "person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre"
	for (i = 1; i <= 1500; i++)
		printf "%02d0199-%04d,CW%d,2000-05-17,%s,uddannelseshjaelp,true,midt\n",
		    i % 28 + 1, i, i % 7, i % 2 ? "F" : "M"
}' >big.csv
run "$SORTES" enroll --db big.db --csv big.csv
expect_status 0
checkpoint big.db
for format in csv json; do
	last_cmd="sortes export allocations --format $format | head -n 1"
	{
		"$SORTES" export allocations --db big.db --format "$format" 2>err
		echo $? >status
	} | head -n 1 >out
	status=$(cat status)
	expect_status 74
	expect_err_empty
	expect_eq "$(wc -l <out | tr -d ' ')" 1 "lines read"
	for f in big.db-wal big.db-shm; do
		check "$f left behind" test ! -e "$f"
	done
done

# A full disk is named so, with the file, and takes the export back.
# Mounting a small file system needs privileges.
trap 'umount "$tmpdir/small" 2>/dev/null; cd / && rm -rf "$tmpdir"' EXIT
mkdir small
if mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
	run "$SORTES" export allocations --db big.db --output small/a.csv
	expect_status 74
	expect_out_empty
	expect_err_contains "sortes: cannot write 'small/a.csv': disk full"
	check "a part of the export was left" test ! -e small/a.csv
	run "$SORTES" export followups --db big.db --output small/f.csv
	expect_status 74
	expect_err_contains "sortes: cannot write 'small/f.csv': disk full"
	check "a part of the export was left" test ! -e small/f.csv
	check "a dictionary was left" test ! -e small/f.csv-metadata.json
	umount small
else
	echo "$test_name: note: cannot mount a small file system here: the full disk is not tested"
fi

# An unknown format is a usage error, and creates no file.
run "$SORTES" export allocations --db t.db --format xml --output a.xml
expect_status 64
expect_out_empty
expect_err_contains "--format 'xml' is not csv or json"
check "a.xml created for a refused format" test ! -e a.xml

run "$SORTES" export participants --db t.db
expect_status 64
expect_err_contains "expected 'allocations'"

# A database that does not exist: 66, and no output file either.
run "$SORTES" export allocations --db no-such.db --output b.csv
expect_status 66
expect_err_contains "no-such.db"
check "b.csv created without a database" test ! -e b.csv

# Evaluators have no key file: export does not need one.
checkpoint t.db
mkdir evaluator
cp t.db evaluator/trial.db
run env SORTES_DB=evaluator/trial.db "$SORTES" export allocations
expect_status 0
check "the evaluator's export differs" cmp -s out export.csv

finish
