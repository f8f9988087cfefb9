#!/bin/sh
# t0037-followups-seal: follow-up exports as of a seal or an entry hold
# what the log held then, the same bytes every time; verify-export
# rebuilds them and their dictionary from the log extract and the
# protocol beside them, and fails on any tampering.
. "$SRCDIR/tests/cli/lib.sh"

# Three youths (synthetic CPR numbers, see lib.sh); p1 measured and
# corrected, p2 measured and transferred, p3 missed and withdrawn.
new_trial "$UNGIFOKUS" t.db
for person in 170500-9111 170500-9222 170500-9333; do
	enroll_fokus t.db "$person"
	expect_status 0
done
# participant N - the UUID of the N-th participant enrolled.
participant() {
	"$SQLITE3" t.db "select id from participants order by seq limit 1 offset $(($1 - 1))"
}
p1=$(participant 1)
p2=$(participant 2)
p3=$(participant 3)
followup_history t.db "$p1" "$p2" "$p3"
head_now=$(log_count t.db)

# As of the head, the export rebuilt from the log is the one read from
# the tables, byte for byte, in both formats.
for fmt in csv json; do
	run "$SORTES" export followups --db t.db --format "$fmt" \
	    --output "now.$fmt" --dictionary "now.$fmt.dict"
	expect_status 0
	run "$SORTES" export followups --db t.db --format "$fmt" \
	    --at "$head_now" --output "head.$fmt"
	expect_status 0
	check "$fmt: --at the head differs from the export as it stands" \
	    cmp -s "now.$fmt" "head.$fmt"
	check "$fmt: no dictionary beside the export at an entry" \
	    test -s "head.$fmt-metadata.json"
done

run "$SORTES" keygen --output lead
expect_status 0
SORTES_NOW=2024-09-11T10:00:00Z
run "$SORTES" freeze --db t.db --signing-key lead.pem --seal s1
expect_status 0
sealed=$(log_count t.db)

# After the seal: p1's m12 measured, p2's m6 corrected, a fourth youth.
SORTES_NOW=2025-03-03T10:00:00Z
run "$SORTES" followup record --db t.db "$p1" m12 employment=job who5=70 \
    weekly_hours=30 --date 2025-03-03
expect_status 0
run "$SORTES" followup record --db t.db "$p2" m6 who5=41 --correct
expect_status 0
enroll_fokus t.db 170500-9444
expect_status 0

run "$SORTES" export followups --db t.db --seal s1 --pubkey lead.pub \
    --output e.csv
expect_status 0
expect_out_empty
for f in e.csv e.csv-metadata.json e.csv.manifest.json e.csv.log \
    e.csv.protocol e.csv.protocol.json; do
	check "no $f" test -s "$f"
done
expect_eq "$(stat -c %a e.csv.log)" 600 "mode of the log extract"
# The same seal, the same bytes; and what the tables said at the seal.
run "$SORTES" export followups --db t.db --seal s1 --output e2.csv
expect_status 0
check "two exports at the same seal differ" cmp -s e.csv e2.csv
mkdir now
run "$SORTES" export followups --db t.db --output now/e.csv
expect_status 0
check "the dictionary at the seal is not the trial's" \
    cmp -s e.csv-metadata.json now/e.csv-metadata.json
check "the export at the seal is not the one made then" cmp -s e.csv head.csv
run "$SORTES" export followups --db t.db --at "$sealed" --format json \
    --output at.json
expect_status 0
check "--at the sealed entry differs from the export made then" \
    cmp -s at.json head.json
check "a manifest of --at names a seal" grep -q '"seal":null' \
    at.json.manifest.json
# Nothing logged after the seal: 27 rows (3 participants, 3 occasions,
# 3 measures), p1's m12 still open, p2's m6 as first recorded.
expect_eq "$(($(wc -l <e.csv) - 1))" 27 "rows at the seal"
check "an outcome after the seal in the export" sh -c '! grep -q ",70$" e.csv'
check "a correction after the seal in the export" grep -q ",who5,40$" e.csv
m=$(cat e.csv.manifest.json)
check "manifest lacks the kind" contains "$m" '"kind":"followups"'
check "manifest lacks the dictionary" contains "$m" \
    "\"dictionary\":\"e.csv-metadata.json\",\"dictionary_sha256\":\"$(sha256sum <e.csv-metadata.json | cut -d' ' -f1)\""
check "manifest lacks the rows" contains "$m" '"rows":27,'
check "the protocol beside the export is not the trial's" \
    sh -c "\"\$SORTES\" protocol show --db t.db | cmp -s - e.csv.protocol"
check "the JSON form beside the export is not the trial's" \
    sh -c "\"\$SORTES\" protocol show --json --db t.db | cmp -s - e.csv.protocol.json"
# Later outcomes show as of the head.
run "$SORTES" export followups --db t.db --at "$(log_count t.db)" \
    --output later.csv
expect_status 0
check "an outcome after the seal missing as of the head" \
    grep -q ',m12,.*,who5,70$' later.csv

# Refusals write nothing.
run "$SORTES" export followups --db t.db --seal s1 --dictionary d.json \
    --output r1.csv
expect_status 64
expect_err_contains "--dictionary goes with an export as it stands"
run "$SORTES" export followups --db t.db --seal s1
expect_status 64
expect_err_contains "--output"
run "$SORTES" export followups --db t.db --seal s1 --at 3 --output r2.csv
expect_status 64
run "$SORTES" export followups --db t.db --at 999 --output r3.csv
expect_status 65
for f in r1.csv r2.csv r3.csv r3.csv-metadata.json r3.csv.manifest.json \
    r3.csv.log r3.csv.protocol r3.csv.protocol.json; do
	check "a refused export left $f" test ! -e "$f"
done
run "$SORTES" keygen --output other
expect_status 0
run "$SORTES" export followups --db t.db --seal s1 --pubkey other.pub \
    --output r4.csv
expect_status 1
expect_err_contains "not by the given key"
check "an export at a foreign seal was written" test ! -e r4.csv

# Stopped midway, no export stands without the files beside it; run
# again, it finishes with the same bytes.
for step in export-log-linked export-dictionary-linked export-manifest-linked; do
	run env SORTES_KILL_AT="$step" "$SORTES" export followups --db t.db \
	    --seal s1 --output "$step.csv"
	expect_status 137
	check "$step: the export exists" test ! -e "$step.csv"
	check "$step: no log extract" test -f "$step.csv.log"
	if [ "$step" = export-log-linked ]; then
		check "$step: a protocol" test ! -e "$step.csv.protocol"
	else
		check "$step: no protocol" test -f "$step.csv.protocol.json"
		check "$step: no dictionary" test -f "$step.csv-metadata.json"
	fi
	run "$SORTES" export followups --db t.db --seal s1 --output "$step.csv"
	expect_status 0
	check "$step: the export differs" cmp -s "$step.csv" e.csv
	check "$step: the manifest names no dictionary" \
	    grep -q "\"dictionary\":\"$step.csv-metadata.json\"" \
	    "$step.csv.manifest.json"
done

# --- the evaluator, without the database -----------------------------

for fmt in csv json; do
	run "$SORTES" export followups --db t.db --seal s1 --format "$fmt" \
	    --output "v.$fmt"
	expect_status 0
	mkdir "eval-$fmt"
	cp v."$fmt"* s1 lead.pub "eval-$fmt/"
	run sh -c "cd eval-$fmt && \"\$SORTES\" verify-export v.$fmt --seal s1 \
	    --pubkey lead.pub"
	expect_status 0
	expect_out_contains "ok: v.$fmt holds exactly the 27 follow-up rows of the $sealed log entries"
done
cd eval-csv || fail "no eval-csv"
for f in v.csv v.csv-metadata.json v.csv.manifest.json v.csv.log \
    v.csv.protocol v.csv.protocol.json; do
	cp "$f" "keep.$f"
done
# refused MESSAGE - verify-export fails with MESSAGE; then every file
# is put back as it was.
refused() {
	run "$SORTES" verify-export v.csv --seal s1 --pubkey lead.pub
	expect_status 1
	expect_out_empty
	expect_err_contains "$1"
	for f in v.csv v.csv-metadata.json v.csv.manifest.json v.csv.log \
	    v.csv.protocol v.csv.protocol.json; do
		cp "keep.$f" "$f"
	done
}
# edit FILE SED - FILE edited with SED, which must change it.
edit() {
	sed "$2" "keep.$1" >"$1"
	check "the edit '$2' changes $1" sh -c "! cmp -s keep.$1 $1"
}

# The export: a changed value, a dropped row, an outcome sneaked in.
edit v.csv 's/,who5,64$/,who5,65/'
refused "a row was added, dropped or changed"
edit v.csv '5d'
refused "a row was added, dropped or changed"
edit v.csv '/,m12,/{/,who5,$/s/,open,,,who5,$/,done,2025-03-03,false,who5,70/}'
refused "a row was added, dropped or changed"
# The dictionary.
edit v.csv-metadata.json 's/"Ordinary employment effort"/"Ordinary effort"/'
refused "the dictionary 'v.csv-metadata.json' is not the one the sealed protocol makes"
# The manifest.
edit v.csv.manifest.json 's/"kind":"followups"/"kind":"allocations"/'
refused "the export is not the rows the sealed log holds"
edit v.csv.manifest.json 's/"kind":"followups"/"kind":"outcomes"/'
refused "the manifest's 'kind' is \"outcomes\""
edit v.csv.manifest.json 's/"rows":27/"rows":26/'
refused "the manifest's 'rows' is 26, but the export's row count is 27"
edit v.csv.manifest.json 's/"dictionary_sha256":"[0-9a-f]*"/"dictionary_sha256":"00"/'
refused "the manifest's 'dictionary_sha256' is \"00\""
edit v.csv.manifest.json 's/"dictionary":"[^"]*",//'
refused "the manifest lacks the key 'dictionary'"
# The log extract: an outcome after the seal appended, an entry changed.
"$SQLITE3" ../t.db "select seq || ' ' || prev_hash || ' ' || hash || ' ' || body from log where seq = $((sealed + 1))" >extra
cat keep.v.csv.log extra >v.csv.log
refused "the log extract ends at entry $((sealed + 1)), not at the sealed entry $sealed"
edit v.csv.log 's/"who5":64/"who5":65/'
refused "its hash does not match its content"
# The protocol: another file, another JSON form, or none.
edit v.csv.protocol 's/title: .*/title: Another trial/'
refused "the protocol 'v.csv.protocol' is not the sealed trial's"
edit v.csv.protocol.json 's/"title":"[^"]*"/"title":"Another trial"/'
refused "the protocol's JSON form 'v.csv.protocol.json' is not the one the genesis entry commits to"
rm v.csv.protocol.json
run "$SORTES" verify-export v.csv --seal s1 --pubkey lead.pub
expect_status 66
cp keep.v.csv.protocol.json v.csv.protocol.json
rm v.csv-metadata.json
run "$SORTES" verify-export v.csv --seal s1 --pubkey lead.pub
expect_status 66
cp keep.v.csv-metadata.json v.csv-metadata.json
# A machine without the trial's time zone cannot date the schedule.
mkdir nozones
run env TZDIR="$PWD/nozones" "$SORTES" verify-export v.csv --seal s1 \
    --pubkey lead.pub
expect_status 69
expect_err_contains "Europe/Copenhagen"
# Everything as it was: it passes again.
run "$SORTES" verify-export v.csv --seal s1 --pubkey lead.pub
expect_status 0
cd ..

# --- a trial of log format 1 ------------------------------------------

# Its genesis entry commits to the protocol file alone: the bundle holds
# the file, and no JSON form.  tests/data/v1/ungifokus.sql has a
# transfer, a withdrawal and a measurement before its seal.
V1=$SRCDIR/tests/data/v1
"$SQLITE3" v1.db <"$V1/ungifokus.sql" || fail "cannot load ungifokus.sql"
cp "$V1/ungifokus.seal" v1.seal
cp "$V1/lead.pub" v1.pub
SORTES_NOW=2025-10-01T08:00:00Z
run "$SORTES" export followups --db v1.db --output v1now.csv
expect_status 0
run "$SORTES" export followups --db v1.db --at "$(log_count v1.db)" \
    --output v1head.csv
expect_status 0
check "format 1: --at the head differs from the export as it stands" \
    cmp -s v1now.csv v1head.csv
run "$SORTES" export followups --db v1.db --seal v1.seal --pubkey v1.pub \
    --output v1.csv
expect_status 0
check "format 1: no protocol beside the export" test -s v1.csv.protocol
check "format 1: a JSON form that nothing commits to" \
    test ! -e v1.csv.protocol.json
mkdir eval-v1
cp v1.csv* v1.seal v1.pub eval-v1/
run sh -c 'cd eval-v1 && "$SORTES" verify-export v1.csv --seal v1.seal \
    --pubkey v1.pub'
expect_status 0
expect_out_contains "follow-up rows"
check "format 1: the measurement before the seal missing" \
    grep -q ",who5,60$" v1.csv
printf '# edited\n' >>eval-v1/v1.csv.protocol
run sh -c 'cd eval-v1 && "$SORTES" verify-export v1.csv --seal v1.seal \
    --pubkey v1.pub'
expect_status 1
expect_err_contains "the protocol 'v1.csv.protocol' is not the sealed trial's"
finish
