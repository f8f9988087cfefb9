#!/bin/sh
# t0018-export-followups: follow-up outcomes for evaluators in long
# format, one row per participant, scheduled occasion and measure, with
# a CSV on the Web data dictionary that describes every column.
. "$SRCDIR/tests/cli/lib.sh"

header="pseudonym,arm,caseworker,occasion,due,window_start,window_end,status,measured_on,out_of_window,measure,value"

# csv_column FILE N - column N of every data row (the columns read here
# come before 'value', the only one that may hold a comma).
csv_column() {
	sed 1d "$1" | cut -d, -f "$2"
}

# dict_sql FILE SQL - ask the sqlite3 shell about dictionary FILE, which
# SQL reads as the table d (one column, j: the whole text).
dict_sql() {
	"$SQLITE3" :memory: "with d(j) as (select readfile('$1')) $2"
}

# An empty trial exports the header alone, or an empty array.
new_trial "$UNGIFOKUS" t.db
run "$SORTES" export followups --db t.db
expect_status 0
expect_err_empty
expect_out_is "$header"
run "$SORTES" export followups --db t.db --format json
expect_status 0
expect_out_is "[]"

# Three youths (synthetic CPR numbers, see lib.sh), enrolled on 1 March
# 2024: m6 is due on 2 September (a Sunday, moved to Monday), its window
# 19 August to 2 October.
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
# pseudonym UUID - the participant's pseudonym.
pseudonym() {
	"$SQLITE3" t.db "select pseudonym from participants where id = '$1'"
}
ps1=$(pseudonym "$p1")
ps2=$(pseudonym "$p2")
ps3=$(pseudonym "$p3")

followup_history t.db "$p1" "$p2" "$p3"

# CSV: the exact header, then one row per scheduled occasion and
# measure (every UngiFokus occasion has the same three measures).
run "$SORTES" export followups --db t.db
expect_status 0
expect_err_empty
cp out f.csv
expect_eq "$(head -n 1 f.csv)" "$header" "CSV header"
expect_eq "$(sed 1d f.csv | wc -l | tr -d ' ')" \
    "$("$SQLITE3" t.db 'select 3 * count(*) from schedule')" "CSV rows"
expect_eq "$(sed 1d f.csv | wc -l | tr -d ' ')" 27 "CSV rows (3 x 3 x 3)"

# By enrollment, then occasion and measure in protocol order (m6 before
# m12 and m24, which the codes' own order would not give).
expect_eq "$(csv_column f.csv 1 | uniq | tr '\n' ' ')" "$ps1 $ps2 $ps3 " \
    "participants in enrollment order"
expect_eq "$(sed 1d f.csv | cut -d, -f 4,11 | sed -n 1,9p | tr '\n' ' ')" \
    "m6,employment m6,who5 m6,weekly_hours m12,employment m12,who5 m12,weekly_hours m24,employment m24,who5 m24,weekly_hours " \
    "occasions and measures in protocol order"

# The statuses are the schedule's, three rows each.
expect_eq "$(csv_column f.csv 8 | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
    "cancelled=6 done=6 missed=3 open=12 " "rows per status"
expect_eq "$(sed 1d f.csv | cut -d, -f 1,4,8 | sort -u | tr '\n' ' ')" \
    "$("$SQLITE3" -separator , t.db 'select p.pseudonym, s.occasion, s.status from schedule s join participants p on p.seq = s.participant' | sort | tr '\n' ' ')" \
    "status of each participant's occasions"

# The correction, not what it superseded; decimals keep their place.
expect_eq "$(grep "^$ps1,[IC],CW1,m6," f.csv | cut -d, -f 8- | tr '\n' ' ')" \
    "done,2024-09-06,false,employment,job done,2024-09-06,false,who5,64 done,2024-09-06,false,weekly_hours,37.0 " \
    "p1's corrected m6"
expect_eq "$(grep -c -e ',60$' -e ',37\.5$' -e '2024-09-05' f.csv)" 0 \
    "rows with the superseded values"

# Out of window, flagged; measures not taken have no value.
expect_eq "$(grep "^$ps2,[IC],CW1,m6," f.csv | cut -d, -f 8- | tr '\n' ' ')" \
    "done,2024-08-10,true,employment, done,2024-08-10,true,who5,40 done,2024-08-10,true,weekly_hours, " \
    "p2's out-of-window m6"
# caseworker is the occasion's: the done one stays with CW1.
expect_eq "$(grep "^$ps2," f.csv | cut -d, -f 3,4 | sort -u | tr '\n' ' ')" \
    "CW1,m6 CW2,m12 CW2,m24 " "p2's caseworkers"

# Missed, cancelled and open occasions: nothing measured.
expect_eq "$(sed 1d f.csv | awk -F, '$8 != "done" && ($9 != "" || $10 != "" || $12 != "")' | wc -l | tr -d ' ')" \
    0 "rows not done but with a measurement"
expect_eq "$(sed 1d f.csv | awk -F, 'NF != 12' | wc -l | tr -d ' ')" 0 \
    "rows without 12 cells"

# The arm is the allocation's; no UUID and no person identifier.
expect_eq "$(sed 1d f.csv | cut -d, -f 1,2 | sort -u | tr '\n' ' ')" \
    "$("$SQLITE3" -separator , t.db 'select p.pseudonym, a.arm from participants p join allocations a on a.seq = p.seq' | sort | tr '\n' ' ')" \
    "arms"
for secret in "$p1" "$p2" "$p3" 170500 moved 2000-05-17; do
	expect_eq "$(grep -c -e "$secret" f.csv)" 0 "lines holding '$secret'"
done

# JSON: the same rows, one canonical object a line; null where CSV is
# empty, out_of_window a boolean.
run "$SORTES" export followups --db t.db --format json
expect_status 0
expect_err_empty
cp out f.json
expect_eq "$(wc -l <f.json | tr -d ' ')" 29 "JSON lines ([ + 27 + ])"
expect_eq "$("$SQLITE3" :memory: "select json_valid(readfile('f.json')), json_array_length(readfile('f.json'))")" \
    "1|27" "JSON validity and length"
expect_eq "$(grep -c -E '^\{"arm":"[IC]","caseworker":"CW[12]","due":"[0-9-]+","measure":"[a-z0-9_]+","measured_on":("[0-9-]+"|null),"occasion":"m[0-9]+","out_of_window":(true|false|null),"pseudonym":"[0-9a-f]{64}","status":"[a-z]+","value":("[^"]*"|null),"window_end":"[0-9-]+","window_start":"[0-9-]+"\},?$' f.json)" \
    27 "JSON object lines"
expect_eq "$("$SQLITE3" :memory: "select group_concat(coalesce(json_extract(value, '\$.value'), ''), '|') from json_each(readfile('f.json'))")" \
    "$(sed 1d f.csv | cut -d, -f 12 | tr '\n' '|' | sed 's/|$//')" \
    "values of the JSON export"
expect_eq "$("$SQLITE3" :memory: "select json_type(value, '\$.out_of_window'), count(*) from json_each(readfile('f.json')) group by 1 order by 1" | tr '\n' ' ')" \
    "false|3 null|21 true|3 " "out_of_window in JSON"
expect_eq "$("$SQLITE3" :memory: "select count(*) from json_each(readfile('f.json')) where json_extract(value, '\$.status') = 'done' and json_type(value, '\$.value') = 'null'")" \
    2 "done rows without a value in JSON"

# Deterministic: the same database exports the same bytes.
run "$SORTES" export followups --db t.db
check "two CSV exports differ" cmp -s out f.csv
run "$SORTES" export followups --db t.db --format json
check "two JSON exports differ" cmp -s out f.json

# --output: the export and, beside it, its dictionary (CSVW's name).
run "$SORTES" export followups --db t.db --output a.csv
expect_status 0
expect_out_empty
expect_err_empty
check "a.csv differs from the stdout export" cmp -s a.csv f.csv
check "no dictionary beside a.csv" test -s a.csv-metadata.json
dict=a.csv-metadata.json
cp "$dict" a-dict.json
expect_eq "$(dict_sql "$dict" "select json_valid(j), json_extract(j, '\$.@context'), json_extract(j, '\$.url') from d")" \
    "1|http://www.w3.org/ns/csvw|a.csv" "dictionary context and url"

# The dictionary's columns are the CSV header's, in order.
expect_eq "$(dict_sql "$dict" "select group_concat(n, ',') from (select json_extract(c.value, '\$.name') as n from d, json_each(d.j, '\$.tableSchema.columns') c order by c.key)")" \
    "$header" "dictionary column names"
expect_eq "$(dict_sql "$dict" "select group_concat(n, ',') from (select json_extract(c.value, '\$.titles') as n from d, json_each(d.j, '\$.tableSchema.columns') c order by c.key)")" \
    "$header" "dictionary column titles"
expect_eq "$(dict_sql "$dict" "select group_concat(n || '=' || r, ' ') from (select json_extract(c.value, '\$.name') as n, json_extract(c.value, '\$.required') as r from d, json_each(d.j, '\$.tableSchema.columns') c order by c.key)")" \
    "pseudonym=1 arm=1 caseworker=1 occasion=1 due=1 window_start=1 window_end=1 status=1 measured_on=0 out_of_window=0 measure=1 value=0" \
    "required columns"
expect_eq "$(dict_sql "$dict" "select group_concat(t, ' ') from (select coalesce(json_extract(c.value, '\$.datatype.base'), json_extract(c.value, '\$.datatype')) as t from d, json_each(d.j, '\$.tableSchema.columns') c order by c.key)")" \
    "string string string string date date date string date boolean string string" \
    "column datatypes"
expect_eq "$(dict_sql "$dict" "select count(*) from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.dc:description') is null")" \
    0 "columns without a description"

# Every coded cell matches its column's format, and the formats are not
# so loose that anything does.
for column in 2:arm 4:occasion 8:status 11:measure; do
	n=${column%%:*}
	name=${column#*:}
	rx=$(dict_sql "$dict" "select json_extract(c.value, '\$.datatype.format') from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.name') = '$name'")
	check "no format for column $name" test -n "$rx"
	expect_eq "$(csv_column f.csv "$n" | grep -c -v -E -e "$rx")" 0 \
	    "$name cells that do not match $rx"
	expect_eq "$(printf '%s\n' X m6x done2 '' | grep -c -E -e "$rx")" 0 \
	    "strangers that match $rx"
done
expect_eq "$(dict_sql "$dict" "select json_extract(c.value, '\$.datatype.format') from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.name') = 'status'")" \
    '^(open|done|missed|cancelled)$' "status format"

# Every measure is described: type, label, values or bounds, decimals.
expect_eq "$(dict_sql "$dict" "select group_concat(json_extract(m.value, '\$.code') || ':' || json_extract(m.value, '\$.type'), ' ') from d, json_each(d.j, '\$.sortes:measures') m")" \
    "employment:enum who5:integer weekly_hours:decimal" "measures described"
expect_eq "$(dict_sql "$dict" "select json_extract(j, '\$.sortes:measures[0].values') from d")" \
    '["job","education","fleksjob","none"]' "employment's values"
expect_eq "$(dict_sql "$dict" "select json_extract(j, '\$.sortes:measures[1].minimum'), json_extract(j, '\$.sortes:measures[1].maximum') from d")" \
    "0|100" "who5's bounds"
expect_eq "$(dict_sql "$dict" "select json_extract(j, '\$.sortes:measures[2].decimals'), json_extract(j, '\$.sortes:measures[2].minimum'), json_extract(j, '\$.sortes:measures[2].maximum') from d")" \
    "1|0.0|80.0" "weekly_hours' places and bounds"
expect_eq "$(dict_sql "$dict" "select count(*) from d, json_each(d.j, '\$.sortes:measures') m where json_extract(m.value, '\$.label') is null")" \
    0 "measures without a label"

# Never overwritten: neither the export nor its dictionary, and a
# refusal leaves nothing behind.
run "$SORTES" export followups --db t.db --output a.csv
expect_status 73
expect_err_contains "cannot create 'a.csv'"
check "a.csv was overwritten" cmp -s a.csv f.csv
check "a.csv's dictionary was overwritten" cmp -s a.csv-metadata.json a-dict.json
run "$SORTES" export followups --db t.db --output b.csv --dictionary a.csv-metadata.json
expect_status 73
expect_err_contains "cannot create 'a.csv-metadata.json'"
check "b.csv left behind" test ! -e b.csv
check "a.csv's dictionary was overwritten" cmp -s a.csv-metadata.json a-dict.json
: >c.csv-metadata.json
run "$SORTES" export followups --db t.db --output c.csv
expect_status 73
check "c.csv left behind" test ! -e c.csv
check "c.csv's dictionary was overwritten" test ! -s c.csv-metadata.json

# JSON: a dictionary only when asked for; its url names the JSON file.
run "$SORTES" export followups --db t.db --format json --output a.json
expect_status 0
check "a.json differs from the stdout export" cmp -s a.json f.json
check "a dictionary nobody asked for" test ! -e a.json-metadata.json
run "$SORTES" export followups --db t.db --format json --output e.json \
    --dictionary e-dict.json
expect_status 0
expect_eq "$(dict_sql e-dict.json "select json_extract(j, '\$.url') from d")" \
    "e.json" "url of a JSON export's dictionary"

# On stdout, the dictionary's name gives the export's, as CSVW would.
run "$SORTES" export followups --db t.db --dictionary s.csv-metadata.json
expect_status 0
check "the stdout export differs" cmp -s out f.csv
expect_eq "$(dict_sql s.csv-metadata.json "select json_extract(j, '\$.url') from d")" \
    "s.csv" "url of a stdout export's dictionary"

# Usage errors write nothing.
run "$SORTES" export followups --db t.db --format xml --output x.csv
expect_status 64
expect_out_empty
expect_err_contains "--format 'xml' is not csv or json"
check "x.csv created for a refused format" test ! -e x.csv
check "x.csv's dictionary created for a refused format" \
    test ! -e x.csv-metadata.json
run "$SORTES" export followups --db t.db --pubkey lead.pub --output y.csv
expect_status 64
expect_err_contains "--pubkey goes with --seal"
check "y.csv created for a refused option" test ! -e y.csv
run "$SORTES" export followups extra --db t.db --output y.csv
expect_status 64
expect_err_contains "unexpected argument 'extra'"
check "y.csv created for a refused argument" test ! -e y.csv
run "$SORTES" export outcomes --db t.db
expect_status 64
expect_err_contains "expected 'allocations' or 'followups'"

# A database that does not exist: 66, and no file either.
run "$SORTES" export followups --db no-such.db --output n.csv
expect_status 66
check "n.csv created without a database" test ! -e n.csv
check "n.csv's dictionary created without a database" \
    test ! -e n.csv-metadata.json

# A protocol whose occasions differ: w4 only for arm I, with two
# measures, and m3 with four, of every other type.
cat >m.yaml <<'EOF'
sortes: 1
trial:
  id: mixed
  title: Mixed measures
  sponsor: Test
  target_enrollment: 20
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
randomization:
  unit: individual
  method: blocks
  block_sizes: [2]
fields:
  - {name: sex, type: enum, values: [F, M], required: true}
measures:
  - {code: score, label: Score, type: integer, min: -5, max: 5}
  - {code: employed, label: In work, type: boolean}
  - {code: started_on, label: First day at work, type: date}
  - {code: note, label: Caseworker's note, type: string}
  - {code: cost, label: Cost, type: decimal, decimals: 2, min: -10.5}
followups:
  - code: w4
    label: 4 weeks
    offset: 4 weeks
    window: {before: 7 days, after: 7 days}
    measures: [note, employed]
    arms: [I]
  - code: m3
    offset: 3 months
    window: {before: 14 days, after: 14 days}
    measures: [started_on, score, employed, cost]
EOF
new_trial m.yaml m.db
for person in 320101-1111 320102-1111 320103-1111 320104-1111; do
	run "$SORTES" enroll --db m.db --person "$person" --caseworker CW1 \
	    --field sex=F
	expect_status 0
done
# in_arm ARM - the first participant allocated to ARM.
in_arm() {
	"$SQLITE3" m.db "select p.id from participants p join allocations a on a.seq = p.seq where a.arm = '$1' order by p.seq limit 1"
}
SORTES_NOW=2024-12-12T10:00:00Z
run "$SORTES" followup record --db m.db "$(in_arm I)" w4 \
    'note=late, "busy"' employed=ja --date 2024-10-08
expect_status 0
run "$SORTES" followup record --db m.db "$(in_arm C)" m3 \
    started_on=2024-11-04 score=-3 employed=nej cost=-10.5 --date 2024-12-10
expect_status 0

run "$SORTES" export followups --db m.db --output m.csv
expect_status 0
expect_eq "$(sed 1d m.csv | wc -l | tr -d ' ')" \
    "$("$SQLITE3" m.db "select sum(case occasion when 'w4' then 2 else 4 end) from schedule")" \
    "rows: each scheduled occasion's measures"
expect_eq "$(sed 1d m.csv | wc -l | tr -d ' ')" 20 "rows (2 x 2 + 4 x 4)"
expect_eq "$(csv_column m.csv 2,4 | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
    "C,m3=8 I,m3=8 I,w4=4 " "rows per arm and occasion"
# Protocol order: w4 before m3 for each participant of arm I.
expect_eq "$(grep ",I,CW1," m.csv | cut -d, -f 4,11 | sed -n 1,6p | tr '\n' ' ')" \
    "w4,note w4,employed m3,started_on m3,score m3,employed m3,cost " \
    "occasions and measures of arm I in protocol order"
# Each type's canonical text; a cell with a comma or quote is quoted.
expect_eq "$(grep -c -F ',done,2024-10-08,false,note,"late, ""busy"""' m.csv)" 1 \
    "the quoted note"
expect_eq "$(grep ',done,2024-1[02]-[0-9]*,false,' m.csv | awk -F, '$11 != "note" { print $11 "=" $12 }' | sort | tr '\n' ' ')" \
    "cost=-10.50 employed=false employed=true score=-3 started_on=2024-11-04 " \
    "values of each type"
run "$SORTES" export followups --db m.db --format json --output m.json
expect_status 0
expect_eq "$("$SQLITE3" :memory: "select json_extract(value, '\$.value') from json_each(readfile('m.json')) where json_extract(value, '\$.measure') = 'note' and json_extract(value, '\$.status') = 'done'")" \
    'late, "busy"' "the note in JSON"
dict=m.csv-metadata.json
expect_eq "$(dict_sql "$dict" "select json_extract(c.value, '\$.datatype.format') from d, json_each(d.j, '\$.tableSchema.columns') c where json_extract(c.value, '\$.name') in ('occasion', 'measure') order by c.key")" \
    "^(w4|m3)\$
^(score|employed|started_on|note|cost)\$" "occasion and measure formats"
expect_eq "$(dict_sql "$dict" "select json_extract(m.value, '\$.code'), json_extract(m.value, '\$.type'), json_type(m.value, '\$.minimum'), json_extract(m.value, '\$.minimum'), json_type(m.value, '\$.maximum'), json_extract(m.value, '\$.decimals') from d, json_each(d.j, '\$.sortes:measures') m order by m.key")" \
    "score|integer|integer|-5|integer|
employed|boolean||||
started_on|date||||
note|string||||
cost|decimal|text|-10.50||2" "measures: types, bounds and decimals"
expect_eq "$(dict_sql "$dict" "select json_extract(o.value, '\$.code') || ':' || json_extract(o.value, '\$.arms') || json_extract(o.value, '\$.measures') from d, json_each(d.j, '\$.sortes:occasions') o order by o.key")" \
    'w4:["I"]["note","employed"]
m3:["I","C"]["started_on","score","employed","cost"]' "occasions described"

# Exporting changes nothing, and the trials still verify.
run "$SORTES" verify --db t.db
expect_status 0
run "$SORTES" verify --db m.db
expect_status 0

finish
