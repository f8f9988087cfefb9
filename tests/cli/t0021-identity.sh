#!/bin/sh
# t0021-identity: one youth, one participant.  Look-alike spellings of
# one CPR number (a blank inside, a byte order mark, a zero width
# space, a non-breaking hyphen, a no-break space) are refused with the
# character's position and code point, on the command line and in CSV
# rows, never kept or stripped; CPR dates follow the CPR office's
# century rule; trials made before identifier kinds keep their
# pseudonyms.  Every CPR number here is synthetic (see lib.sh).
. "$SRCDIR/tests/cli/lib.sh"

run "$SORTES" enroll --help
expect_status 0
expect_out_contains "trial.identifier says what they are: cpr, a CPR number DDMMYY-SSSS"

new_trial "$UNGIFOKUS" t.db

participants() {
	"$SQLITE3" "$1" 'select count(*) from participants'
}

expect_cpr=" expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"

# --- seven spellings of one number: one participant -------------------

enroll_fokus t.db 170500-9001
expect_status 0
expect_err_empty
uuid=$(sed -n 's/^enrolled participant \([^:]*\):.*/\1/p' out)

enroll_fokus t.db 1705009001
expect_status 65
expect_out_empty
expect_err_contains "sortes: person is already enrolled, as participant $uuid"

# refused ID MESSAGE - ID is refused with MESSAGE and nothing is
# written; the message never repeats the number.
refused() {
	enroll_fokus t.db "$1"
	expect_status 65
	expect_out_empty
	expect_err_contains "sortes: person identifier: $2;$expect_cpr"
	expect_eq "$(wc -l <err)" 1 "lines on stderr"
	check "the refusal repeats the number" sh -c '! grep -q -e 170500 -e 9001 err'
	expect_eq "$(log_count t.db)" 2 "log entries after a refusal"
	expect_eq "$(participants t.db)" 1 "participants after a refusal"
}
refused "170500 9001" \
    "character 7 is U+0020 (space), white space inside the identifier"
refused "$(printf '\357\273\277170500-9001')" \
    "character 1 is U+FEFF (byte order mark), an invisible format character"
refused "$(printf '\342\200\213170500-9001')" \
    "character 1 is U+200B (zero width space), an invisible format character"
refused "$(printf '170500\342\200\2219001')" \
    "character 7 is U+2011 (non-breaking hyphen), a non-ASCII character"
refused "$(printf '\302\240170500-9001')" \
    "character 1 is U+00A0 (no-break space), a non-ASCII space"
# ... and some more of the kind, where people slip them in.
refused "$(printf '170500-9001\342\201\240')" \
    "character 12 is U+2060 (word joiner), an invisible format character"
refused "$(printf '170500\302\2559001')" \
    "character 7 is U+00AD (soft hyphen), an invisible format character"
refused "$(printf ' \342\200\217170500-9001')" \
    "character 2 is U+200F (right-to-left mark), an invisible format character"
refused "$(printf '170500\342\200\2579001')" \
    "character 7 is U+202F (narrow no-break space), a non-ASCII space"
refused "$(printf '170500\3479001')" \
    "character 7 is not valid UTF-8 (byte 0xE7)"
refused "$(printf '170500-9001\r')" \
    "character 12 is U+000D (carriage return), a control character"

run "$SORTES" verify --db t.db
expect_status 0
expect_out_contains "ok: 2 entries, 1 participants"

# --- CPR dates: 29 February by the century of the seventh digit -------

# 2000 (seventh digit 4 to 9 with year 00) and 1904 and 2004 are leap
# years; 1900 (seventh digit 0 to 3) is not.
for leap in 290200-9001 290200-4001 290204-1001 290204-4001; do
	enroll_fokus t.db "$leap"
	expect_status 0
done
expect_eq "$(participants t.db)" 5 "participants born on 29 February"
not_a_date="the day (digits 1-2) is not a day of that month, in the year the seventh digit gives"
for bad in 290200-1001 290200-3001 290201-9001 300200-9001 320100-9001; do
	enroll_fokus t.db "$bad"
	expect_status 65
	expect_err_contains "sortes: person identifier: $not_a_date;$expect_cpr, whose first six digits are a date"
done
expect_eq "$(participants t.db)" 5 "participants after the bad dates"

# --- CSV rows ---------------------------------------------------------

# Two exports glued together: the second starts with its byte order
# mark, which opens a data row (line 3) there.  The header's own mark is
# an encoding mark and is accepted.
header="person,caseworker,birth_date,sex,benefit,activity_ready,jobcentre"
{
	printf '\357\273\277%s\n' "$header"
	echo "150301-9002,CW1,2001-03-15,F,uddannelseshjaelp,true,nord"
	printf '\357\273\277170500-9001,CW1,2000-05-17,F,uddannelseshjaelp,true,nord\n'
} >glued.csv
bom_row="glued.csv:3: person identifier: character 1 is U+FEFF (byte order mark), an invisible format character;$expect_cpr"
run "$SORTES" enroll --db t.db --csv glued.csv
expect_status 65
expect_out_empty
expect_err_contains "sortes: $bom_row"
expect_err_contains "sortes: glued.csv: 1 of 2 rows refused; nobody was enrolled"
expect_eq "$(log_count t.db)" 6 "log entries after a refused cohort"
expect_eq "$(participants t.db)" 5 "participants after a refused cohort"

run "$SORTES" enroll --db t.db --csv glued.csv --skip-invalid rej.csv
expect_status 0
expect_out_contains "enrolled 1 of 2 rows"
expect_err_contains "sortes: $bom_row"
expect_eq "$(participants t.db)" 6 "participants after --skip-invalid"
# The reason in the rejects file names the character, not the number
# (the row's own cells follow it, as the lead's file had them).
expect_eq "$(sed -n 2p rej.csv | cut -d'"' -f2)" \
    "person identifier: character 1 is U+FEFF (byte order mark), an invisible format character;$expect_cpr" \
    "reason in rej.csv"

# The same row without the mark is the participant enrolled first.
printf '%s\n170500-9001,CW1,2000-05-17,F,uddannelseshjaelp,true,nord\n' \
    "$header" >clean.csv
run "$SORTES" enroll --db t.db --csv clean.csv
expect_status 65
expect_err_contains "sortes: clean.csv:2: person is already enrolled, as participant $uuid"

# --- the pseudonym, recomputed as docs/randomization.md says ----------

# pseudonym ID KEYFILE - HMAC-SHA256 of ID under the key file's
# pseudonym key, in hex, with openssl alone.
pseudonym() {
	printf '%s' "$1" | openssl dgst -sha256 -mac HMAC -macopt \
	    "hexkey:$(sed -n 's/^pseudonym-key //p' "$2")" | sed 's/.*= *//'
}
if command -v openssl >/dev/null 2>&1; then
	expect_eq "$("$SQLITE3" t.db "select pseudonym from participants where id = '$uuid'")" \
	    "$(pseudonym 1705009001 t.key)" "pseudonym of 170500-9001"
else
	echo "$test_name: openssl is not installed: pseudonyms not recomputed"
fi

# --- a trial made before identifier kinds -----------------------------

# Its stored protocol has no identifier key, so it is ascii, and its
# participants keep their pseudonyms: SYN-100001 is enrolled already.
"$SQLITE3" old.db <"$DATA/v1/ungifokus.sql"
cp "$DATA/v1/ungifokus.key" old.key
chmod 600 old.key
run "$SORTES" protocol show --db old.db
expect_status 0
check "the stored protocol names an identifier kind" sh -c '! grep -q identifier: out'
# after the fixture's last entry, so that its clock only moves forward
SORTES_NOW=2025-10-01T09:00:00Z
enroll_fokus old.db SYN-100001
expect_status 65
expect_err_contains "sortes: person is already enrolled, as participant"
enroll_fokus old.db SYN-100099
expect_status 0
enroll_fokus old.db 170500-9001
expect_status 0
enroll_fokus old.db 1705009001
expect_status 65
expect_err_contains "sortes: person is already enrolled, as participant"
enroll_fokus old.db "SYN 100098"
expect_status 65
expect_err_contains "sortes: person identifier: character 4 is U+0020 (space), white space inside the identifier; expected printable ASCII without white space inside"
enroll_fokus old.db "$(printf '\357\273\277SYN-100098')"
expect_status 65
expect_err_contains "sortes: person identifier: character 1 is U+FEFF (byte order mark), an invisible format character; expected printable ASCII without white space inside"
expect_eq "$(participants old.db)" 14 "participants of the old trial"
if command -v openssl >/dev/null 2>&1; then
	expect_eq "$("$SQLITE3" old.db "select count(*) from participants where pseudonym = '$(pseudonym SYN-100001 old.key)'")" \
	    1 "participants with the pseudonym of SYN-100001"
fi
run "$SORTES" verify --db old.db
expect_status 0

finish
