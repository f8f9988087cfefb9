#!/bin/sh
# t0032-dates: dates as Danish spreadsheets write them, 01-02-2005 and
# 01.02.2005 (day, month, year), read only where the protocol declares
# date_format: day_month_year, for the trial or for one field or
# caseworker covariate; never guessed.  Without the declaration they
# are refused with a message that says how to declare it; days that do
# not exist (31.02.2005) are refused; what is logged and stored is
# always YYYY-MM-DD, for fields, covariates and measures alike; a
# protocol's errors in the new keys name file, line and column; the key
# shows in the protocol's JSON form only when declared.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log DB N - DB's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# born DB PERSON-ID - the birth_date the enrollment entry of the
# participant logged, and the one its row holds.
born() {
	"$SQLITE3" "$1" "select json_extract(l.body, '\$.fields.birth_date') || ' ' || json_extract(p.fields, '\$.birth_date') from log l join participants p on p.seq = l.seq where p.id = '$2'"
}

# enroll_at DB PERSON BIRTH - enroll an eligible UngiFokus youth with
# BIRTH as written; the UUID goes to $id when it works.
enroll_at() {
	enroll_fokus "$1" "$2" "$3"
	id=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
}

hint="to read it as day-month-year, the protocol must declare date_format: day_month_year (under trial:, or on the field)"

run "$SORTES" enroll --help
expect_status 0
expect_out_contains "protocol declares date_format: day_month_year (docs/protocol.md,"

# --- UngiFokus with trial.date_format: day_month_year ------------------

awk '{ print } /^  identifier: cpr$/ { print "  date_format: day_month_year" }' \
    "$UNGIFOKUS" >dmy.yaml
check "dmy.yaml declares no date format" grep -q '^  date_format: day_month_year$' dmy.yaml
run "$SORTES" protocol check dmy.yaml
expect_status 0
new_trial dmy.yaml d.db

enroll_at d.db 170500-9001 17-05-2000
expect_status 0
expect_err_empty
expect_eq "$(born d.db "$id")" "2000-05-17 2000-05-17" "the date 17-05-2000 logged"
enroll_at d.db 170500-9002 17.05.2000
expect_status 0
expect_eq "$(born d.db "$id")" "2000-05-17 2000-05-17" "the date 17.05.2000 logged"
# ISO dates cannot be read two ways, so they stay accepted.
enroll_at d.db 170500-9003 2000-05-17
expect_status 0
expect_eq "$(born d.db "$id")" "2000-05-17 2000-05-17" "the date 2000-05-17 logged"
check "a day-month-year date in the log" \
    sh -c "! '$SQLITE3' d.db 'select body from log' | grep -q -e '17-05-2000' -e '17\\.05\\.2000'"
expect_log d.db 4

# Days that do not exist, and forms that are not these.
for bad in 31.02.2005 29-02-2023 32.01.2000 17.13.2000 00.05.2000; do
	enroll_at d.db 170500-9004 "$bad"
	expect_status 65
	expect_out_empty
	expect_err_contains "field 'birth_date': '$bad' is not a date that exists; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD"
done
for bad in 17.5.2000 17/05/2000 17-05.2000 17.05.00 2000-02-31; do
	enroll_at d.db 170500-9004 "$bad"
	expect_status 65
	expect_out_empty
	expect_err_contains "field 'birth_date': '$bad' is not a date; expected DD-MM-YYYY, DD.MM.YYYY or YYYY-MM-DD"
done
expect_log d.db 4

# A cohort as a Danish spreadsheet saves it: semicolons, both forms.
{
	echo "person;caseworker;birth_date;sex;benefit;activity_ready;jobcentre"
	echo "080698-9101;CW01;08-06-1998;F;uddannelseshjaelp;ja;midt"
	echo "151199-9102;CW01;15.11.1999;M;uddannelseshjaelp;ja;nord"
	echo "220400-9103;CW01;2000-04-22;F;uddannelseshjaelp;ja;syd"
} >danish.csv
run "$SORTES" enroll --db d.db --csv danish.csv
expect_status 0
expect_out_contains "enrolled 3 of 3"
expect_eq "$("$SQLITE3" d.db "select group_concat(json_extract(body, '\$.fields.birth_date'), ' ') from (select body from log where seq > 4 order by seq)")" \
    "1998-06-08 1999-11-15 2000-04-22" "the cohort's dates in the log"
expect_log d.db 7
# A day that does not exist refuses the whole file, naming its line.
{
	echo "person;caseworker;birth_date;sex;benefit;activity_ready;jobcentre"
	echo "010901-9104;CW01;01.09.2001;M;uddannelseshjaelp;ja;vest"
	echo "020901-9105;CW01;31.02.2001;M;uddannelseshjaelp;ja;vest"
} >bad-day.csv
run "$SORTES" enroll --db d.db --csv bad-day.csv
expect_status 65
expect_err_contains "bad-day.csv:3: field 'birth_date': '31.02.2001' is not a date that exists"
expect_log d.db 7
run "$SORTES" verify --db d.db
expect_status 0

# The declaration is in the protocol's JSON form, and so committed.
run "$SORTES" protocol show --json --db d.db
expect_out_contains '"trial":{"date_format":"day_month_year","id":"ungifokus",'

# --- the shipped UngiFokus: no declaration, nothing guessed ------------

new_trial "$UNGIFOKUS" f.db
for bad in 17-05-2000 17.05.2000; do
	enroll_at f.db 170500-9001 "$bad"
	expect_status 65
	expect_out_empty
	expect_err_contains "field 'birth_date': '$bad' is not a date; expected YYYY-MM-DD; $hint"
done
run "$SORTES" enroll --db f.db --csv danish.csv
expect_status 65
expect_err_contains "danish.csv:2: field 'birth_date': '08-06-1998' is not a date; expected YYYY-MM-DD; $hint"
expect_err_contains "danish.csv:3: field 'birth_date': '15.11.1999' is not a date; expected YYYY-MM-DD; $hint"
expect_log f.db 1
run "$SORTES" protocol show --json --db f.db
check "date_format in a protocol that does not declare it" \
    sh -c '! grep -q date_format out'

# --- one field, and caseworker covariates -------------------------------

cat >cw.yaml <<'EOF'
sortes: 1
trial:
  id: datecw
  title: Dates of caseworkers
  sponsor: Test
  target_enrollment: 10
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
caseworkers:
  covariates:
    - {name: hired_on, type: date, date_format: day_month_year}
    - {name: trained_on, type: date}
randomization:
  unit: caseworker
  method: complete
fields:
  - {name: birth_date, type: date, required: true, date_format: day_month_year}
  - {name: seen_on, type: date}
EOF
run "$SORTES" protocol check cw.yaml
expect_status 0
new_trial cw.yaml c.db
{
	echo "code,team,hired_on,trained_on"
	echo "CW01,Nord,01.02.2005,2005-03-01"
	echo "CW02,Syd,28-02-2010,"
} >cws.csv
run "$SORTES" caseworker import cws.csv --db c.db
expect_status 0
expect_out_contains "registered 2 of 2 caseworkers"
expect_eq "$("$SQLITE3" c.db "select group_concat(json_extract(body, '\$.covariates'), ' ') from (select body from log where kind = 'caseworker' order by seq)")" \
    '{"hired_on":"2005-02-01","trained_on":"2005-03-01"} {"hired_on":"2010-02-28"}' \
    "the covariates logged"
# The covariate without the declaration takes no day-month-year date.
run "$SORTES" caseworker add CW03 --team Nord --covariate trained_on=01.03.2005 --db c.db
expect_status 65
expect_err_contains "covariate 'trained_on': '01.03.2005' is not a date; expected YYYY-MM-DD; $hint"
run "$SORTES" caseworker add CW03 --team Nord --covariate hired_on=30.02.2005 --db c.db
expect_status 65
expect_err_contains "covariate 'hired_on': '30.02.2005' is not a date that exists"
expect_log c.db 3
# A field's own declaration is for that field alone.
run "$SORTES" randomize --db c.db
expect_status 0
run "$SORTES" enroll --db c.db --person P-1 --caseworker CW01 \
    --field birth_date=01.02.2000 --field seen_on=01.03.2024
expect_status 65
expect_err_contains "field 'seen_on': '01.03.2024' is not a date; expected YYYY-MM-DD; $hint"
run "$SORTES" enroll --db c.db --person P-1 --caseworker CW01 \
    --field birth_date=01.02.2000 --field seen_on=2024-03-01
expect_status 0
expect_eq "$("$SQLITE3" c.db "select json_extract(body, '\$.fields') from log where kind = 'enroll'")" \
    '{"birth_date":"2000-02-01","seen_on":"2024-03-01"}' "the fields logged"
run "$SORTES" verify --db c.db
expect_status 0
run "$SORTES" protocol show --json --db c.db
expect_out_contains '{"date_format":"day_month_year","decimals":null,"label":null,"max":null,"min":null,"name":"hired_on",'
expect_out_contains '{"decimals":null,"label":null,"max":null,"min":null,"name":"trained_on",'
expect_out_contains '"trial":{"id":"datecw",'

# --- measures follow the trial's declaration ---------------------------

cat >m.yaml <<'EOF'
sortes: 1
trial:
  id: datemeasure
  title: Dates of measures
  sponsor: Test
  target_enrollment: 10
  date_format: day_month_year
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
randomization:
  unit: individual
  method: simple
fields:
  - {name: birth_date, type: date, required: true}
measures:
  - {code: started_on, type: date}
followups:
  - {code: w1, offset: 1 weeks, window: {before: 7 days, after: 7 days}, measures: [started_on]}
EOF
new_trial m.yaml m.db
run "$SORTES" enroll --db m.db --person P-1 --caseworker CW1 --field birth_date=17.05.2000
expect_status 0
mp=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)
run env SORTES_NOW=2024-03-08T10:00:00Z "$SORTES" followup record "$mp" w1 \
    started_on=31.02.2024 --db m.db
expect_status 65
expect_err_contains "measure 'started_on': '31.02.2024' is not a date that exists"
run env SORTES_NOW=2024-03-08T10:00:00Z "$SORTES" followup record "$mp" w1 \
    started_on=04.03.2024 --db m.db
expect_status 0
expect_eq "$("$SQLITE3" m.db "select json_extract(body, '\$.measures.started_on') || ' ' || json_extract(measures, '\$.started_on') from log join outcomes using (seq) where kind = 'measure'")" \
    "2024-03-04 2024-03-04" "the measure logged and stored"
run "$SORTES" verify --db m.db
expect_status 0

# --- errors in the protocol name file, line and column -----------------

sed 's/^  date_format: day_month_year$/  date_format: dd.mm.yyyy/' dmy.yaml >typo.yaml
run "$SORTES" protocol check typo.yaml
expect_status 65
expect_err_contains "typo.yaml:20:16: unknown date format 'dd.mm.yyyy'; expected day_month_year (DD-MM-YYYY and DD.MM.YYYY as well as YYYY-MM-DD) or iso (YYYY-MM-DD only)"
sed 's/^  - {name: seen_on, type: date}$/  - {name: seen_on, type: string, date_format: iso}/' \
    cw.yaml >wrongtype.yaml
run "$SORTES" protocol check wrongtype.yaml
expect_status 65
expect_err_contains "wrongtype.yaml:19:35: date_format given with type string; expected date_format only with type date"
run "$SORTES" init --protocol typo.yaml --db typo.db
expect_status 65
check "init wrote a database from a refused protocol" test ! -e typo.db

finish
