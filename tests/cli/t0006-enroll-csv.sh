#!/bin/sh
# t0006-enroll-csv: cohorts from CSV, all or nothing; refused rows are
# reported by physical line; --skip-invalid writes them to a file.
. "$SRCDIR/tests/cli/lib.sh"

good=$DATA/cohort-ungifokus.csv		# 20 eligible youths
excel=$DATA/cohort-ungifokus-excel.csv	# BOM, ';', CRLF, "ja": 20 youths
bad=$DATA/cohort-ungifokus-bad.csv	# 9 rows, 3 refused (lines 4, 7, 10)
unknown=$DATA/cohort-ungifokus-unknown-column.csv

# The whole good cohort.
new_trial "$UNGIFOKUS" a.db
run "$SORTES" enroll --db a.db --csv "$good"
expect_status 0
expect_out_contains "enrolled 20 of 20 rows: I "
expect_err_empty
expect_eq "$(log_count a.db)" 21 "log entries after 20 enrollments"
expect_eq "$("$SQLITE3" a.db 'select count(*) from participants')" 20 \
    "participants"
# The per-arm counts add up to 20.
expect_eq "$(sed -n 's/^enrolled 20 of 20 rows: I \([0-9]*\), C \([0-9]*\)$/\1 + \2/p' out | \
    xargs expr)" 20 "I + C"

# Enrolling the same cohort again: every row is a duplicate, nobody is
# enrolled.
run "$SORTES" enroll --db a.db --csv "$good"
expect_status 65
expect_out_empty
expect_err_contains "$good:2: person is already enrolled"
expect_err_contains "$good:21: person is already enrolled"
expect_err_contains "20 of 20 rows refused; nobody was enrolled"
expect_eq "$(log_count a.db)" 21 "log entries after a refused cohort"

# A Danish Excel export: UTF-8 byte-order mark, semicolons, CRLF.  The
# delimiter is detected, or given.
new_trial "$UNGIFOKUS" b.db
run "$SORTES" enroll --db b.db --csv "$excel"
expect_status 0
expect_out_contains "enrolled 20 of 20 rows"
expect_err_empty
# The CR is not part of the last cell (jobcentre is an enum).
expect_eq "$("$SQLITE3" b.db "select count(*) from participants where stratum like '%\"jobcentre\":\"midt\"%'")" \
    8 "participants in jobcentre midt"

# Two such exports glued together: the second one's byte-order mark
# now starts a data row (line 22).  That row is refused, with the
# mark's position and code point; the mark is neither kept nor stripped.
# The second export's youths are refused as enrolled already.
cat "$excel" "$excel" >glued.csv
run "$SORTES" enroll --db b.db --csv glued.csv
expect_status 65
expect_out_empty
expect_err_contains "glued.csv:2: person is already enrolled"
expect_err_contains "glued.csv:22: person identifier: character 1 is U+FEFF (byte order mark), an invisible format character; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
expect_err_contains "glued.csv:42: person is already enrolled"
expect_err_contains "glued.csv: 41 of 41 rows refused; nobody was enrolled"
expect_eq "$(log_count b.db)" 21 "log entries after the glued exports"

new_trial "$UNGIFOKUS" c.db
run "$SORTES" enroll --db c.db --csv "$excel" --delimiter ';'
expect_status 0
expect_out_contains "enrolled 20 of 20 rows"

# Forcing the wrong delimiter makes the header one unknown column.
run "$SORTES" enroll --db c.db --csv "$excel" --delimiter ','
expect_status 65
expect_err_contains "$excel:1: unknown column"

run "$SORTES" enroll --db c.db --csv "$excel" --delimiter x
expect_status 64
expect_err_contains "--delimiter 'x'"

# Three bad rows among good ones: every one is reported by the physical
# line it starts on (a blank line and a cell spanning two lines come
# before the last), and nobody is enrolled.
new_trial "$UNGIFOKUS" d.db
run "$SORTES" enroll --db d.db --csv "$bad"
expect_status 65
expect_out_empty
expect_err_contains "$bad:4: field 'sex': 'X' is not one of F, M"
expect_err_contains "$bad:7: person identifier: character 8 is U+000A (line feed), a control character; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
expect_err_contains "$bad:10: not eligible: rule 'age 18-28'"
expect_err_contains "$bad: 3 of 9 rows refused; nobody was enrolled"
expect_eq "$(grep -c "^sortes: $bad:[0-9]*: " err)" 3 "rows reported"
expect_eq "$(log_count d.db)" 1 "log entries after a refused cohort"
expect_eq "$("$SQLITE3" d.db 'select count(*) from participants')" 0 \
    "participants after a refused cohort"

# --skip-invalid: the valid rows go in, the refused ones to the file.
run "$SORTES" enroll --db d.db --csv "$bad" --skip-invalid rej.csv
expect_status 0
expect_out_contains "enrolled 6 of 9 rows"
expect_out_contains "refused 3 rows, written to rej.csv"
expect_err_contains "$bad:7: person identifier: character 8 is U+000A (line feed), a control character; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
expect_eq "$(log_count d.db)" 7 "log entries after --skip-invalid"
expect_eq "$(head -n 1 rej.csv)" \
    "line,reason,person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre" \
    "header of the rejects file"
# One record per refused row, with its line; the two-line cell stays
# quoted so the record still parses.
expect_eq "$(grep -c '^[0-9]*,' rej.csv)" 3 "records in the rejects file"
check "line 4 missing from rej.csv" grep -q -x \
    "4,\"field 'sex': 'X' is not one of F, M\",051200-9203,CW02,2000-12-05,X,uddannelseshjaelp,true,syd" rej.csv
check "line 7 missing from rej.csv" grep -q -x \
    '7,"person identifier: character 8 is U+000A (line feed), a control character; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS","140298-' rej.csv
check "line 10 missing from rej.csv" grep -q \
    "^10,not eligible: rule 'age 18-28'.*,010190-9207,CW04,1990-01-01," rej.csv
# It holds person identifiers: owner only.
expect_eq "$(stat -c %a rej.csv)" 600 "mode of the rejects file"
run "$SORTES" verify --db d.db
expect_status 0
expect_out_contains "ok: 7 entries, 6 participants"

# The rejects file is never overwritten.
cp rej.csv rej.orig
new_trial "$UNGIFOKUS" e.db
run "$SORTES" enroll --db e.db --csv "$bad" --skip-invalid rej.csv
expect_status 73
expect_err_contains "cannot create 'rej.csv'"
check "rej.csv was changed" cmp -s rej.csv rej.orig
expect_eq "$(log_count e.db)" 1 "log entries after refusing to overwrite"

# A column the protocol does not declare.
run "$SORTES" enroll --db e.db --csv "$unknown"
expect_status 65
expect_err_contains "$unknown:1: unknown column 'postcode'"
expect_eq "$(log_count e.db)" 1 "log entries after an unknown column"

# ... and with --skip-invalid: a bad header refuses the file, and no
# rejects file is left behind.
run "$SORTES" enroll --db e.db --csv "$unknown" --skip-invalid rej2.csv
expect_status 65
check "rej2.csv left behind" test ! -e rej2.csv

# '-' reads standard input (the rows are named "-:LINE").
run "$SORTES" enroll --db e.db --csv - <"$good"
expect_status 0
expect_out_contains "enrolled 20 of 20 rows"
expect_eq "$(log_count e.db)" 21 "log entries after the stdin cohort"
run "$SORTES" enroll --db e.db --csv - <"$good"
expect_status 65
expect_err_contains "-:2: person is already enrolled"

# An unterminated quote: 65 with the line it starts on, nobody enrolled.
cat >unterminated.csv <<'EOF'
person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre
110401-9401,CW01,2001-04-11,F,uddannelseshjaelp,true,midt
110401-9402,"CW01,2001-04-11,F,uddannelseshjaelp,true,midt
110401-9403,CW01,2001-04-11,F,uddannelseshjaelp,true,midt
EOF
new_trial "$UNGIFOKUS" f.db
run "$SORTES" enroll --db f.db --csv unterminated.csv
expect_status 65
expect_err_contains "unterminated.csv:3: unterminated quoted cell"
expect_eq "$(log_count f.db)" 1 "log entries after an unterminated quote"
# A file that cannot be read is not a row to skip.
run "$SORTES" enroll --db f.db --csv unterminated.csv --skip-invalid rej3.csv
expect_status 65
check "rej3.csv left behind" test ! -e rej3.csv
expect_eq "$(log_count f.db)" 1 "log entries after an unterminated quote"

# A row with too few cells, and the same person twice in one file.
cat >short.csv <<'EOF'
person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre
110401-9501,CW01,2001-04-11,F,uddannelseshjaelp,true,midt
110401-9502,CW01,2001-04-11,F,uddannelseshjaelp,true
110401-9501,CW01,2001-04-11,F,uddannelseshjaelp,true,midt
EOF
run "$SORTES" enroll --db f.db --csv short.csv
expect_status 65
expect_err_contains "short.csv:3: the row has 6 cells but the header has 7"
expect_err_contains "short.csv:4: person is already enrolled"
expect_eq "$(log_count f.db)" 1 "log entries after a refused cohort"

# Files with no rows, or that are not there.
: >empty.csv
run "$SORTES" enroll --db f.db --csv empty.csv
expect_status 65
expect_err_contains "empty.csv: the file is empty"

head -n 1 "$good" >header-only.csv
run "$SORTES" enroll --db f.db --csv header-only.csv
expect_status 65
expect_err_contains "header-only.csv: no row could be enrolled"

run "$SORTES" enroll --db f.db --csv no-such.csv
expect_status 66
expect_err_contains "no-such.csv"
expect_eq "$(log_count f.db)" 1 "log entries after empty input"

# A directory is missing input too (66), named so.
mkdir cohort.d
run "$SORTES" enroll --db f.db --csv cohort.d
expect_status 66
expect_err_contains "sortes: CSV file 'cohort.d' is a directory"
expect_eq "$(log_count f.db)" 1 "log entries after a directory"

finish
