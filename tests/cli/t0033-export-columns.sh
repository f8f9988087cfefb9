#!/bin/sh
# t0033-export-columns: export allocations has a column per stratum and
# baseline field, the arm's name and the status as of the export's
# entry, Stata-safe column names and a data dictionary; verify-export
# rebuilds it from the log extract and the protocol, withdrawals and
# transfers included, and refuses it tampered.
. "$SRCDIR/tests/cli/lib.sh"

PYTHONIOENCODING=utf-8
export PYTHONIOENCODING
cells() {
	python3 "$SRCDIR/tests/loaders/cells.py" "$@"
}
# dict_sql FILE SQL - ask the sqlite3 shell about dictionary FILE (as d.j).
dict_sql() {
	"$SQLITE3" :memory: "with d(j) as (select readfile('$1')) $2"
}

protocol=$SRCDIR/tests/protocols/columns.yaml
new_trial "$protocol" c.db
# enroll_c PERSON BIRTH SEX MENTOR [FIELD=VALUE...] - synthetic CPR-shaped ids.
enroll_c() {
	_p=$1 _b=$2 _s=$3 _m=$4
	shift 4
	run "$SORTES" enroll --db c.db --person "$_p" --caseworker CW1 \
	    --field "birth_date=$_b" --field "sex=$_s" --field "mentor=$_m" "$@"
	expect_status 0
}
enroll_c 010300-9001 2000-03-01 F true --field children=2 \
    --field 'note=Æblegrød, "hjemme"' --field benefit=kontanthjaelp \
    --field weekly_hours_in_education_or_training_programmes=37 \
    --field start_date=2024-02-01
enroll_c 020300-9002 2000-03-02 M false
enroll_c 030305-9003 2005-03-03 F false --field children=0
# A field given empty is not given: missing, never the empty text.  In
# the stratum of the one before, so that the block of two has each arm.
enroll_c 040305-9004 2005-03-04 F false --field note=
uuid() {
	"$SQLITE3" c.db "select id from participants order by seq limit 1 offset $(($1 - 1))"
}
p1=$(uuid 1) p2=$(uuid 2) p3=$(uuid 3) p4=$(uuid 4)
run env SORTES_NOW=2024-03-05T08:00:00Z "$SORTES" withdraw --db c.db "$p2" \
    --reason moved
expect_status 0
run env SORTES_NOW=2024-03-06T08:00:00Z "$SORTES" transfer --db c.db "$p3" \
    --to CW2
expect_status 0
run env SORTES_NOW=2024-03-07T08:00:00Z "$SORTES" transfer --db c.db "$p3" \
    --to CW3
expect_status 0
run env SORTES_NOW=2024-03-08T08:00:00Z "$SORTES" transfer --db c.db "$p4" \
    --to CW2
expect_status 0

# --- the columns ------------------------------------------------------------

header="pseudonym,participant,caseworker,arm,arm_name,enrolled_at,seq,entry_hash,status,withdrawn_at,transfers,stratum_age_band,stratum_sex,stratum_mentor,field_benefit,field_birth_date,field_children,field_mentor,field_note,field_sex,field_start_date,f_weekly_hours_in_educatio_8"
run "$SORTES" export allocations --db c.db --output a.csv
expect_status 0
expect_out_empty
expect_eq "$(head -n 1 a.csv)" "$header" "the CSV header"
check "no dictionary beside a.csv" test -s a.csv-metadata.json

# Status, withdrawal time and transfers, as of now.
expect_eq "$(cells a.csv participant status withdrawn_at transfers)" \
    "$(printf '%s\tactive\t\t0\n%s\twithdrawn\t2024-03-05T08:00:00Z\t0\n%s\ttransferred\t\t2\n%s\ttransferred\t\t1' \
    "$p1" "$p2" "$p3" "$p4")" "status columns"
# The stratum columns are the allocation's levels, the baseline fields
# as given, an optional field not given an empty cell.
expect_eq "$(cells a.csv stratum_age_band stratum_sex stratum_mentor)" \
    "$(printf '23-29\tF\ttrue\n23-29\tM\tfalse\n18-22\tF\tfalse\n18-22\tF\tfalse')" \
    "stratum columns"
expect_eq "$(cells a.csv field_birth_date field_children field_note field_benefit f_weekly_hours_in_educatio_8 field_start_date)" \
    "$(printf '2000-03-01\t2\tÆblegrød, "hjemme"\tkontanthjaelp\t37\t2024-02-01\n2000-03-02\t\t\t\t\t\n2005-03-03\t0\t\t\t\t\n2005-03-04\t\t\t\t\t')" \
    "baseline field columns"
# The arm's name beside its code, as the protocol gives it, quoted.
expect_eq "$(cells a.csv arm arm_name | sort -u)" \
    "$(printf 'C\tControl\nI\tIntervention, with a comma, and "quotes"')" \
    "arm names"
expect_eq "$(grep -c ',I,"Intervention, with a comma, and ""quotes""",' a.csv)" \
    "$("$SQLITE3" c.db "select count(*) from allocations where arm = 'I'")" \
    "arm names quoted as RFC 4180 quotes"
# Arms as the tables have them.
expect_eq "$(cells a.csv participant arm)" \
    "$("$SQLITE3" -separator "$(printf '\t')" c.db 'select p.id, a.arm from participants p join allocations a on a.seq = p.seq order by p.seq')" \
    "arm column"

# JSON: the same values, with their JSON types; missing is null.
run "$SORTES" export allocations --db c.db --format json --output a.json \
    --dictionary a.json-dict.json
expect_status 0
check "no dictionary for the JSON export" test -s a.json-dict.json
expect_eq "$(cells a.json status withdrawn_at transfers field_children field_mentor field_note stratum_mentor seq)" \
    "$(printf '"active"\tnull\t0\t2\ttrue\t"Æblegrød, \\"hjemme\\""\ttrue\t2\n"withdrawn"\t"2024-03-05T08:00:00Z"\t0\tnull\tfalse\tnull\tfalse\t3\n"transferred"\tnull\t2\t0\tfalse\tnull\tfalse\t4\n"transferred"\tnull\t1\tnull\tfalse\tnull\tfalse\t5')" \
    "JSON values and types"
expect_eq "$("$SQLITE3" :memory: "select count(*) from json_each(readfile('a.json'))")" 4 \
    "JSON rows"

# --at: the status as of that entry; later withdrawals do not show.
run "$SORTES" export allocations --db c.db --at 6 --output at6.csv
expect_status 0
expect_eq "$(cells at6.csv status transfers | tr '\t\n' ': ')" \
    "active:0 withdrawn:0 active:0 active:0 " "statuses as of entry 6"
check "no protocol beside an export --at" test -s at6.csv.protocol

# docs/export-allocations.md shows UngiFokus's header as it is.
new_trial "$UNGIFOKUS" f.db
run "$SORTES" export allocations --db f.db
expect_status 0
expect_eq "$(awk '/^<!-- check: ungifokus-header -->$/ { on = 1; next }
    on && /^    / { sub(/^    /, ""); print; exit }' \
    "$SRCDIR/docs/export-allocations.md")" "$(cat out)" \
    "the header docs/export-allocations.md shows"

# --- the names ----------------------------------------------------------------

head -n 1 a.csv | tr ',' '\n' >names
expect_eq "$(grep -c -v -x '[A-Za-z_][A-Za-z0-9_]\{0,31\}' names)" 0 \
    "column names that are not Stata-safe"
expect_eq "$(tr '[:upper:]' '[:lower:]' <names | sort | uniq -d)" "" \
    "column names twice, case aside"
check "the long field's name is unshortened somewhere" \
    test "$(grep -c weekly_hours_in_education_or names)" -eq 0

# Two long names alike in their first 24 characters, a short one that
# looks like a shortened one, and a long stratum: distinct, safe names.
sed -e 's/^  strata: \[age_band, sex, mentor\]$/  strata: [age_band_of_the_participant_at_entry, sex]/' \
    -e 's/^  - name: age_band$/  - name: age_band_of_the_participant_at_entry/' \
    -e 's/^fields:$/fields:\
  - name: weekly_hours_in_education_or_training_at_home\
    type: integer\
  - name: f_weekly_hours_in_educatio_9\
    type: integer/' "$protocol" >long.yaml
check "long.yaml is the protocol" test "$(grep -c at_home long.yaml)" -eq 1
new_trial long.yaml long.db
run "$SORTES" export allocations --db long.db
expect_status 0
expect_eq "$(head -n 1 out | cut -d, -f12-)" \
    "s_age_band_of_the_particip_1,stratum_sex,field_benefit,field_birth_date,field_children,f_f_weekly_hours_in_educat_4,field_mentor,field_note,field_sex,field_start_date,f_weekly_hours_in_educatio_9,f_weekly_hours_in_educatio_10" \
    "long names shortened"
head -n 1 out | tr ',' '\n' >long-names
expect_eq "$(grep -c -v -x '[A-Za-z_][A-Za-z0-9_]\{0,31\}' long-names)" 0 \
    "long names that are not Stata-safe"
expect_eq "$(tr '[:upper:]' '[:lower:]' <long-names | sort | uniq -d)" "" \
    "long names twice, case aside"

# --- the dictionary -------------------------------------------------------

d=a.csv-metadata.json
expect_eq "$(dict_sql $d "select json_extract(d.j, '\$.url'), json_extract(d.j, '\$.sortes:layout'), json_extract(d.j, '\$.tableSchema.primaryKey') from d")" \
    'a.csv|2|["participant"]' "url, layout and primary key"
expect_eq "$(dict_sql $d "select group_concat(json_extract(c.value, '\$.name'), ',') from d, json_each(d.j, '\$.tableSchema.columns') c")" \
    "$header" "dictionary column names"
expect_eq "$(dict_sql $d "select group_concat(json_extract(c.value, '\$.titles'), ',') from d, json_each(d.j, '\$.tableSchema.columns') c")" \
    "$header" "dictionary column titles"
# column COLUMN PATH - a column's value at PATH.
column() {
	dict_sql $d "select json_extract(c.value, '\$.$2') from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.name') = '$1'"
}
expect_eq "$(column arm datatype.format)" '^(I|C)$' "arm format"
expect_eq "$(column arm sortes:levels)" \
    '[{"label":"Intervention, with a comma, and \"quotes\"","value":"I"},{"label":"Control","value":"C"}]' \
    "arm levels and labels"
expect_eq "$(dict_sql $d "select json_extract(d.j, '\$.sortes:arms') from d")" \
    '[{"code":"I","name":"Intervention, with a comma, and \"quotes\""},{"code":"C","name":"Control"}]' \
    "the arms"
expect_eq "$(column status datatype.format)" '^(active|withdrawn|transferred)$' \
    "status format"
expect_eq "$(dict_sql $d "select group_concat(json_extract(l.value, '\$.value'), ',') from d, json_each(d.j, '\$.tableSchema.columns') c, json_each(c.value, '\$.sortes:levels') l where json_extract(c.value, '\$.name') = 'status'")" \
    "active,withdrawn,transferred" "status levels"
expect_eq "$(column field_benefit datatype)" \
    '{"base":"string","format":"^(uddannelseshjaelp|kontanthjaelp)$"}' \
    "an enum field's datatype"
expect_eq "$(column field_benefit sortes:levels)" \
    '[{"label":"uddannelseshjaelp","value":"uddannelseshjaelp"},{"label":"kontanthjaelp","value":"kontanthjaelp"}]' \
    "an enum field's levels"
expect_eq "$(column field_children datatype)" \
    '{"base":"integer","maximum":12,"minimum":0}' "a bounded integer"
expect_eq "$(column stratum_age_band datatype.format)" '^(18-22|23-29)$' \
    "age band format"
for c in field_birth_date field_start_date; do
	expect_eq "$(column $c datatype)" date "$c datatype"
done
for c in enrolled_at withdrawn_at; do
	expect_eq "$(column $c datatype)" datetime "$c datatype"
done
for c in field_mentor stratum_mentor; do
	expect_eq "$(column $c datatype)" boolean "$c datatype"
done
expect_eq "$(column seq datatype)|$(column transfers datatype)" \
    "integer|integer" "integer columns"
expect_eq "$(column f_weekly_hours_in_educatio_8 sortes:field)" \
    weekly_hours_in_education_or_training_programmes "a shortened name's field"
expect_eq "$(dict_sql $d "select group_concat(json_extract(c.value, '\$.name'), ',') from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.required') = 0")" \
    "withdrawn_at,field_benefit,field_children,field_note,field_start_date,f_weekly_hours_in_educatio_8" \
    "the columns that may be empty"
expect_eq "$(dict_sql $d "select group_concat(json_extract(f.value, '\$.code'), ',') from d, json_each(d.j, '\$.sortes:fields') f")" \
    "benefit,birth_date,children,mentor,note,sex,start_date,weekly_hours_in_education_or_training_programmes" \
    "the protocol's fields"
# The JSON export's dictionary names it, and is the same otherwise.
expect_eq "$(dict_sql a.json-dict.json "select json_extract(d.j, '\$.url') from d")" \
    a.json "the JSON dictionary's url"
expect_eq "$(sed 's/"url":"a.json"/"url":"a.csv"/' a.json-dict.json)" \
    "$(cat $d)" "the two dictionaries but for the url"
# On standard output the dictionary names the export after itself.
run "$SORTES" export allocations --db c.db --dictionary out.csv-metadata.json
expect_status 0
expect_eq "$(dict_sql out.csv-metadata.json "select json_extract(d.j, '\$.url') from d")" \
    out.csv "the url of a dictionary of standard output"

# Never overwritten: a dictionary that is there stops the export.
echo '{}' >b.csv-metadata.json
run "$SORTES" export allocations --db c.db --output b.csv
expect_status 73
expect_err_contains "b.csv-metadata.json"
check "b.csv written beside a dictionary it did not write" test ! -e b.csv
expect_eq "$(cat b.csv-metadata.json)" "{}" "the dictionary that was there"

# --- sealed, with withdrawals and transfers ---------------------------------

run "$SORTES" keygen --output lead
expect_status 0
run env SORTES_NOW=2024-03-09T08:00:00Z "$SORTES" freeze --db c.db \
    --signing-key lead.pem --seal s1
expect_status 0
# After the seal: a withdrawal, which the sealed export must not show.
run env SORTES_NOW=2024-03-10T08:00:00Z "$SORTES" withdraw --db c.db "$p3" \
    --reason "moved away"
expect_status 0
for fmt in csv json; do
	run "$SORTES" export allocations --db c.db --seal s1 --pubkey lead.pub \
	    --format "$fmt" --output "s.$fmt"
	expect_status 0
	check "no protocol beside s.$fmt" cmp -s "s.$fmt.protocol" "$protocol"
	expect_eq "$(grep -o '"format":"[a-z0-9-]*"' "s.$fmt.manifest.json")" \
	    "\"format\":\"$fmt-2\"" "the manifest's format"
	mkdir "eval-$fmt"
	cp "s.$fmt" "s.$fmt.log" "s.$fmt.manifest.json" "s.$fmt.protocol" \
	    s1 lead.pub "eval-$fmt/"
	run sh -c "cd eval-$fmt && \"\$SORTES\" verify-export s.$fmt --seal s1 \
	    --pubkey lead.pub"
	expect_status 0
	expect_out_contains "exactly the 4 allocations of the 10 log entries"
done
expect_eq "$(cells s.csv status transfers | tr '\t\n' ': ')" \
    "active:0 withdrawn:0 transferred:2 transferred:1 " \
    "statuses as of the seal"
expect_eq "$(cells s.json withdrawn_at | tr '\n' ' ')" \
    'null "2024-03-05T08:00:00Z" null null ' "withdrawal times as of the seal"

cd eval-csv || fail "no eval-csv"
cp s.csv keep.csv
cp s.csv.log keep.log
cp s.csv.protocol keep.protocol
# A status changed in the export: the rebuilt rows differ.
sed '3s/,withdrawn,2024-03-05T08:00:00Z,/,active,,/' keep.csv >s.csv
check "the edit changed nothing" test "$(cmp -s s.csv keep.csv; echo $?)" -ne 0
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "the export is not the rows the sealed log holds"
# A transfer count changed.
sed '4s/,transferred,,2,/,transferred,,1,/' keep.csv >s.csv
check "the edit changed nothing" test "$(cmp -s s.csv keep.csv; echo $?)" -ne 0
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "a row was added, dropped or changed"
# A baseline field changed.
sed '2s/,kontanthjaelp,/,uddannelseshjaelp,/' keep.csv >s.csv
check "the edit changed nothing" test "$(cmp -s s.csv keep.csv; echo $?)" -ne 0
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "a row was added, dropped or changed"
cp keep.csv s.csv
# The withdrawal taken out of the log extract: the chain breaks.
grep -v '"kind":"withdraw"' keep.log >s.csv.log
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "log extract, entry"
cp keep.log s.csv.log
# Another protocol: its hash is not the seal's.
{ cat keep.protocol; echo "# edited"; } >s.csv.protocol
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "the protocol 's.csv.protocol' is not the sealed trial's"
rm s.csv.protocol
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 66
expect_err_contains "cannot open the protocol 's.csv.protocol'"
cp keep.protocol s.csv.protocol
run "$SORTES" verify-export s.csv --seal s1 --pubkey lead.pub
expect_status 0
cd .. || fail "no .."

# --- layout 1 still checks --------------------------------------------------

# An export as sortes wrote it before layout 2: the stratum as JSON in
# one cell; its manifest says "csv".  Rebuilt here from the tables and
# with docs/audit.md's recipe for the manifest, not by sortes.
mkdir old
cp s.csv.log old/o.csv.log
cp s1 lead.pub old/
"$SQLITE3" -csv -header c.db "select p.pseudonym, p.id as participant, p.caseworker, p.stratum, a.arm, p.enrolled_at, p.seq, l.hash as entry_hash from participants p join allocations a on a.seq = p.seq join log l on l.seq = p.seq where p.seq <= 9 order by p.seq" >old/o.csv
cd old || fail "no old"
v() { sed -n "s/^$1 //p" s1; }
printf '{"entries":%s,"export":"o.csv","export_sha256":"%s","format":"csv","head":"%s","protocol_sha256":"%s","rows":4,"seal":{"sealed_at":"%s","signer":"%s"},"trial":"%s"}\n' \
    "$(v entries)" "$(sha256sum <o.csv | cut -d' ' -f1)" "$(v head)" \
    "$(v protocol-sha256)" "$(v sealed-at)" "$(v signer)" "$(v trial)" \
    >o.csv.manifest.json
run "$SORTES" verify-export o.csv --seal s1 --pubkey lead.pub
expect_status 0
expect_out_contains "exactly the 4 allocations of the 10 log entries"
# sortes after follow-up seals and before layout 2 wrote the kind too.
sed 's/"head"\(:"[0-9a-f]*",\)/"head"\1"kind":"allocations",/' \
    o.csv.manifest.json >m
mv m o.csv.manifest.json
check "no kind in the manifest" grep -q '","kind":"allocations","protocol_sha256":"' \
    o.csv.manifest.json
run "$SORTES" verify-export o.csv --seal s1 --pubkey lead.pub
expect_status 0
expect_out_contains "exactly the 4 allocations of the 10 log entries"
# Without the kind, only layout 1 is checked as allocations.
sed 's/"format":"csv"/"format":"csv-2"/; s/"kind":"allocations",//' \
    o.csv.manifest.json >m
cp m o.csv.manifest.json
run "$SORTES" verify-export o.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "the manifest lacks the key 'kind'"
# The same bytes claimed as layout 2 fail.
sed 's/"head"\(:"[0-9a-f]*",\)/"head"\1"kind":"allocations",/' m \
    >o.csv.manifest.json
cp ../s.csv.protocol o.csv.protocol
run "$SORTES" verify-export o.csv --seal s1 --pubkey lead.pub
expect_status 1
expect_err_contains "a row was added, dropped or changed"
cd .. || fail "no .."

finish
