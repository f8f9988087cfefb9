#!/bin/sh
# t0034-loaders: every export (allocations and follow-ups, CSV and JSON)
# loads with a standard reader and its data dictionary alone, and every
# value, typed as the dictionary says, is the database's.  Python's csv
# and json modules (tests/loaders/load.py) always; R's read.csv when R
# is installed (tests/loaders/load.R).
. "$SRCDIR/tests/cli/lib.sh"

PYTHONIOENCODING=utf-8
export PYTHONIOENCODING
loaders=$SRCDIR/tests/loaders

# sql DB SQL - one value from the database.
sql() {
	"$SQLITE3" "$1" "$2"
}

# The database's value of an allocation column that holds a stratum
# (from the stratum) or a baseline field, typed as the log types it;
# a date as {"date": ...}.  The field is the dictionary's sortes:field.
column_sql() {
	case $1 in
	stratum_* | s_*) _src=p.stratum ;;
	*) _src=p.fields ;;
	esac
	printf "'%s', (select case when v is null then null when t = 'date' then json_object('date', json_extract(v, '\$')) else json(v) end from (select %s -> '\$.%s' as v, (select json_extract(f.value, '\$.type') from trial, json_each(trial.protocol_json, '\$.fields') f where json_extract(f.value, '\$.name') = '%s') as t))" \
	    "$1" "$_src" "$2" "$2"
}

# expected_allocations DB DICTIONARY - the rows of the allocation
# export as the tables hold them, as JSON, into FILE.expected.
expected_allocations() {
	_cols=$("$SQLITE3" -separator ' ' :memory: "select json_extract(c.value, '\$.name'), json_extract(c.value, '\$.sortes:field') from json_each(readfile('$2'), '\$.tableSchema.columns') c where json_extract(c.value, '\$.sortes:field') is not null")
	_dyn=$(echo "$_cols" | while read -r _c _f; do
		printf ', %s' "$(column_sql "$_c" "$_f")"
	done)
	sql "$1" "select json_group_array(json(r)) from (select json_object(
	    'pseudonym', p.pseudonym, 'participant', p.id,
	    'caseworker', p.caseworker, 'arm', a.arm,
	    'arm_name', (select json_extract(x.value, '\$.name') from trial,
	        json_each(trial.protocol_json, '\$.arms') x
	        where json_extract(x.value, '\$.code') = a.arm),
	    'enrolled_at', json_object('datetime', p.enrolled_at),
	    'seq', p.seq, 'entry_hash', l.hash,
	    'status', case when w.seq is not null then 'withdrawn'
	        when (select count(*) from transfers x where x.participant = p.seq) > 0
	        then 'transferred' else 'active' end,
	    'withdrawn_at', json(case when w.seq is not null then
	        json_object('datetime', w.withdrawn_at) end),
	    'transfers', (select count(*) from transfers x where x.participant = p.seq)
	    $_dyn) as r
	    from participants p join allocations a on a.seq = p.seq
	    join log l on l.seq = p.seq
	    left join withdrawals w on w.participant = p.seq order by p.seq)"
}

# expected_followups DB - the rows of the follow-up export as the tables
# hold them: by enrollment, occasion and measure in protocol order.
expected_followups() {
	sql "$1" "select json_group_array(json(r)) from (select json_object(
	    'pseudonym', p.pseudonym, 'arm', a.arm, 'caseworker', s.caseworker,
	    'occasion', s.occasion, 'due', json_object('date', s.due),
	    'window_start', json_object('date', s.window_start),
	    'window_end', json_object('date', s.window_end),
	    'status', s.status,
	    'measured_on', json(case when s.status = 'done' then
	        json_object('date', o.measured_on) end),
	    'out_of_window', json(case when s.status = 'done' then
	        case o.out_of_window when 1 then 'true' else 'false' end end),
	    'measure', m.value,
	    'value', case when s.status = 'done' then
	        case json_type(o.measures, '\$.' || m.value)
	        when 'true' then 'true' when 'false' then 'false'
	        else cast(json_extract(o.measures, '\$.' || m.value) as text) end
	        end) as r
	    from schedule s join participants p on p.seq = s.participant
	    join allocations a on a.seq = s.participant
	    join trial t
	    join json_each(t.protocol_json, '\$.followups') f
	        on json_extract(f.value, '\$.code') = s.occasion
	    join json_each(f.value, '\$.measures') m
	    left join outcomes o on o.seq = s.outcome
	    order by s.participant, f.key, m.key)"
}

# load_all DB NAME - export DB's allocations and follow-ups, CSV and
# JSON, each with its dictionary, and load every one.
load_all() {
	expect_eq "$(sql "$1" 'select count(*) from participants')" "$3" \
	    "participants of $2"
	for what in allocations followups; do
		for fmt in csv json; do
			_e=$2-$what.$fmt
			run "$SORTES" export "$what" --db "$1" --format "$fmt" \
			    --output "$_e" --dictionary "$_e-dict.json"
			expect_status 0
			if [ "$what" = allocations ]; then
				expected_allocations "$1" "$_e-dict.json" >"$_e.expected"
			else
				expected_followups "$1" >"$_e.expected"
			fi
			run python3 "$loaders/load.py" "$_e" "$_e-dict.json" \
			    "$_e.expected"
			expect_status 0
			expect_out_contains "ok: $_e: "
		done
	done
	# The CSV dictionary beside the export, as CSVW names it, too.
	run "$SORTES" export allocations --db "$1" --output "$2-side.csv"
	expect_status 0
	expected_allocations "$1" "$2-side.csv-metadata.json" >"$2-side.expected"
	run python3 "$loaders/load.py" "$2-side.csv" "$2-side.csv-metadata.json" \
	    "$2-side.expected"
	expect_status 0
}

# --- UngiFokus: a cohort, a withdrawal, a transfer, outcomes -----------------

new_trial "$UNGIFOKUS" f.db
run "$SORTES" enroll --db f.db --csv "$DATA/cohort-ungifokus.csv"
expect_status 0
enroll_fokus f.db 170500-9901
expect_status 0
nth() {
	sql "$1" "select id from participants order by seq limit 1 offset $(($2 - 1))"
}
SORTES_NOW=2024-09-10T10:00:00Z
export SORTES_NOW
run "$SORTES" followup record --db f.db "$(nth f.db 1)" m6 employment=job \
    who5=64 weekly_hours=37 --date 2024-09-05
expect_status 0
run "$SORTES" followup record --db f.db "$(nth f.db 2)" m6 who5=40 \
    --date 2024-08-10 --out-of-window
expect_status 0
run "$SORTES" followup missed --db f.db "$(nth f.db 3)" m6 --reason "no contact"
expect_status 0
run "$SORTES" withdraw --db f.db "$(nth f.db 3)" --reason moved
expect_status 0
run "$SORTES" transfer --db f.db "$(nth f.db 4)" --to CW9
expect_status 0
load_all f.db fokus 21
# What was compared holds each kind of value: a decimal kept as text, a
# measure not taken, an out-of-window measurement, a missed occasion,
# the withdrawn and the transferred.
for v in '"value":"37.0"' \
    '"status":"done","measured_on":{"date":"2024-08-10"},"out_of_window":true,"measure":"employment","value":null' \
    '"status":"missed"' '"status":"cancelled"'; do
	check "no $v compared" grep -q -F "$v" fokus-followups.csv.expected
done
for v in '"status":"withdrawn","withdrawn_at":{"datetime":' \
    '"status":"transferred","withdrawn_at":null,"transfers":1'; do
	check "no $v compared" grep -q -F "$v" fokus-allocations.json.expected
done

# --- Ungebudgetter: randomized by caseworker, transfers across arms ----------

new_trial "$UNGEBUDGETTER" u.db
office_caseworkers 6
run "$SORTES" caseworker import cws.csv --db u.db
expect_status 0
run "$SORTES" randomize --db u.db --beacon 0011223344556677
expect_status 0
for i in 1 2 3 4 5 6; do
	run "$SORTES" enroll --db u.db --person "17050$i-900$i" --caseworker "CW0$i" \
	    --field birth_date=2000-05-17 \
	    --field months_without_job_or_education=1$i \
	    --field benefit=uddannelseshjaelp
	expect_status 0
done
run "$SORTES" transfer --db u.db "$(nth u.db 1)" --to CW04
expect_status 0
run "$SORTES" withdraw --db u.db "$(nth u.db 2)" --reason moved
expect_status 0
load_all u.db ub 6
# A shipped protocol's field too long for Stata, shortened.
check "no shortened months_without_job_or_education" \
    grep -q '"name":"f_months_without_job_or_ed_3","required":true,"sortes:field":"months_without_job_or_education"' \
    ub-allocations.csv-dict.json

# --- every kind of column: optional fields missing, age bands, a long name ---

SORTES_NOW=2024-03-01T10:00:00Z
new_trial "$SRCDIR/tests/protocols/columns.yaml" c.db
run "$SORTES" enroll --db c.db --person 010300-9001 --caseworker CW1 \
    --field birth_date=2000-03-01 --field sex=F --field mentor=true \
    --field children=2 --field 'note=Æblegrød, "hjemme"' \
    --field benefit=kontanthjaelp --field start_date=2024-02-01 \
    --field weekly_hours_in_education_or_training_programmes=37
expect_status 0
run "$SORTES" enroll --db c.db --person 020305-9002 --caseworker CW2 \
    --field birth_date=2005-03-02 --field sex=M --field mentor=false
expect_status 0
run "$SORTES" withdraw --db c.db "$(nth c.db 2)" --reason moved
expect_status 0
load_all c.db columns 2

# --- the loader is not a test that cannot fail ------------------------------

e=fokus-allocations.csv
# refused WHICH SED MESSAGE - the export (WHICH: export) or its
# dictionary (dictionary) edited with SED, which must change it, is
# refused by the loader with MESSAGE.
refused() {
	_in=$e
	[ "$1" = dictionary ] && _in=$e-dict.json
	sed "$2" "$_in" >bad
	check "the edit '$2' changed nothing" test "$(cmp -s bad "$_in"; echo $?)" -ne 0
	if [ "$1" = dictionary ]; then
		run python3 "$loaders/load.py" "$e" bad "$e.expected"
	else
		run python3 "$loaders/load.py" bad "$e-dict.json" "$e.expected"
	fi
	expect_status 1
	expect_err_contains "$3"
}
# A value the database does not hold.
refused export '2s/,midt,/,nord,/' "the database has 'midt'"
# A code the dictionary does not allow.
refused export '2s/,active,/,gone,/' \
    "column 'status': 'gone' is not one of its codes"
# A dictionary whose datatype would load a number as text.
refused dictionary 's/"datatype":"integer","dc:description":"The enrollment/"datatype":"string","dc:description":"The enrollment/' \
    "column 'seq': loaded '2' (str), the database has 2 (int)"
# A date column called text.
refused dictionary 's/"datatype":"date","dc:description":"Date of birth"/"datatype":"string","dc:description":"Date of birth"/' \
    "column 'field_birth_date': loaded '"

# --- R ------------------------------------------------------------------------

if command -v Rscript >/dev/null 2>&1; then
	for e in fokus-allocations.csv fokus-followups.csv ub-allocations.csv \
	    ub-followups.csv columns-allocations.csv columns-followups.csv; do
		# The dictionary's columns, for R, which reads no JSON itself.
		"$SQLITE3" -csv -header :memory: "select json_extract(c.value, '\$.name') as name, coalesce(json_extract(c.value, '\$.datatype.base'), json_extract(c.value, '\$.datatype')) as base, json_extract(c.value, '\$.required') as required from json_each(readfile('$e-dict.json'), '\$.tableSchema.columns') c" >"$e.columns.csv"
		"$SQLITE3" -csv -header :memory: "select j.key as row, c.key as name, case when c.type = 'object' then coalesce(json_extract(c.value, '\$.date'), json_extract(c.value, '\$.datetime')) when c.type in ('true', 'false') then upper(c.type) else c.value end as value, c.type = 'null' as missing from json_each(readfile('$e.expected')) j, json_each(j.value) c" >"$e.values.csv"
		run Rscript "$loaders/load.R" "$e" "$e.columns.csv" "$e.values.csv"
		expect_status 0
		expect_out_contains "ok: $e: "
	done
	# And R's check fails where it should: a value, a missing value.
	e=fokus-allocations.csv
	for edit in '2s/,midt,/,nord,/' '2s/,active,,0,/,active,,,/'; do
		sed "$edit" "$e" >bad.csv
		run Rscript "$loaders/load.R" bad.csv "$e.columns.csv" \
		    "$e.values.csv"
		expect_status 1
		expect_err_contains "load.R: bad.csv: row 1, column "
	done
else
	echo "$test_name: note: Rscript is not installed: the exports are not loaded with R's read.csv"
fi

finish
