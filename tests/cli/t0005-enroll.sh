#!/bin/sh
# t0005-enroll: enrolling one participant; every refusal leaves the
# trial as it was; CPR numbers are never stored in clear.
. "$SRCDIR/tests/cli/lib.sh"

new_trial "$UNGIFOKUS" t.db

# expect_log N - the trial's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count t.db)" "$1" "log entries in t.db"
}

# Synthetic CPR numbers, never real ones (see lib.sh).
cpr=170500-9001
cpr_plain=1705009001

enroll_fokus t.db "$cpr"
expect_status 0
expect_err_empty
check "stdout is not one 'enrolled participant <uuid>: arm I|C' line" \
    grep -q -E -x 'enrolled participant [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}: arm (I|C) \(.*\), log entry 2' out
uuid=$(sed 's/^enrolled participant \([^:]*\):.*/\1/' out)
expect_log 2
expect_eq "$("$SQLITE3" t.db 'select id from participants')" "$uuid" \
    "participant row"
expect_eq "$("$SQLITE3" t.db "select count(*) from allocations a join participants p on p.seq = a.seq where p.id = '$uuid'")" \
    1 "allocation rows"
# Version 7 (time-ordered), RFC 9562 variant.
check "participant UUID is not version 7" \
    sh -c "echo '$uuid' | grep -q -E '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]'"

# The same person again, with or without the hyphen or with spaces
# around: the keyed pseudonym recognizes them.
for same in "$cpr" "$cpr_plain" " $cpr "; do
	enroll_fokus t.db "$same"
	expect_status 65
	expect_out_empty
	expect_err_contains "already enrolled, as participant $uuid"
	expect_log 2
done

# Field values the protocol does not allow: the message names the field.
enroll_fokus t.db 170500-9002 2000-05-17 X
expect_status 65
expect_out_empty
expect_err_contains "field 'sex': 'X' is not one of F, M"
expect_log 2

enroll_fokus t.db 170500-9002 2000-05-17 F uddannelseshjaelp true centrum
expect_status 65
expect_err_contains "field 'jobcentre'"
expect_log 2

enroll_fokus t.db 170500-9002 2000-02-30
expect_status 65
expect_err_contains "field 'birth_date': '2000-02-30' is not a date"
expect_log 2

enroll_fokus t.db 170500-9002 2000-05-17 F uddannelseshjaelp maybe
expect_status 65
expect_err_contains "field 'activity_ready'"
expect_log 2

# Not eligible: the message names the rule.  The clock is 2024-03-01.
enroll_fokus t.db 170500-9002 1993-06-01
expect_status 65
expect_out_empty
expect_err_contains "not eligible: rule 'age 18-28'"
expect_log 2

enroll_fokus t.db 170500-9002 2000-05-17 F kontanthjaelp
expect_status 65
expect_err_contains "not eligible: rule 'on education benefit'"
expect_log 2

enroll_fokus t.db 170500-9002 2000-05-17 F uddannelseshjaelp false
expect_status 65
expect_err_contains "not eligible: rule 'assessed activity-ready'"
expect_log 2

# Age limits, to the day: 18 today is in, 29 today is out.
enroll_fokus t.db 170500-9003 2006-03-02
expect_status 65
expect_err_contains "age 17 is below 18"
enroll_fokus t.db 170500-9003 1995-03-01
expect_status 65
expect_err_contains "age 29 is above 28"
expect_log 2
enroll_fokus t.db 170500-9003 2006-03-01
expect_status 0
expect_out_contains "log entry 3"
expect_log 3

# Age is reckoned on the trial's local date (Europe/Copenhagen):
# 23:30 UTC on 29 February is already 1 March in Aarhus.  In a trial
# made before then, since a log's times never go back.
run env SORTES_NOW=2024-02-29T23:00:00Z "$SORTES" init \
    --protocol "$UNGIFOKUS" --db leap.db
expect_status 0
run env SORTES_NOW=2024-02-29T23:30:00Z "$SORTES" enroll --db leap.db \
    --person 170500-9004 --caseworker CW1 --field birth_date=2006-03-01 \
    --field sex=M --field benefit=uddannelseshjaelp \
    --field activity_ready=ja --field jobcentre=nord
expect_status 0
expect_eq "$(log_count leap.db)" 2 "log entries in leap.db"
run "$SORTES" enroll --db t.db \
    --person 170500-9004 --caseworker CW1 --field birth_date=2006-03-01 \
    --field sex=M --field benefit=uddannelseshjaelp \
    --field activity_ready=ja --field jobcentre=nord
expect_status 0
expect_log 4

# A required field left out.
run "$SORTES" enroll --db t.db --person 170500-9005 --caseworker CW1 \
    --field birth_date=2000-05-17 --field benefit=uddannelseshjaelp \
    --field activity_ready=true --field jobcentre=midt
expect_status 65
expect_out_empty
expect_err_contains "field 'sex' is required"
expect_log 4

# A field the protocol does not declare, and one given twice.
run "$SORTES" enroll --db t.db --person 170500-9005 --caseworker CW1 \
    --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt --field colour=red
expect_status 65
expect_err_contains "unknown field 'colour'"
expect_log 4

run "$SORTES" enroll --db t.db --person 170500-9005 --caseworker CW1 \
    --field birth_date=2000-05-17 --field sex=F --field sex=M \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 65
expect_err_contains "field 'sex' is given twice"
expect_log 4

# Bad person and caseworker identifiers.
enroll_fokus t.db "   "
expect_status 65
expect_err_contains "person identifier is empty"

# refused_cpr ID MESSAGE - ID is no CPR number (the protocol's
# identifier kind): refused with MESSAGE, which never repeats it, and
# nothing is written.
refused_cpr() {
	enroll_fokus t.db "$1"
	expect_status 65
	expect_out_empty
	expect_err_contains "sortes: person identifier$2"
	check "the refusal repeats the identifier" sh -c "! grep -q -F -e '$1' err"
	expect_log 4
}
digits="; expected the 10 of a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
date="; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS, whose first six digits are a date"
refused_cpr 170500-90011 " has 11 digits$digits"
refused_cpr 17050090011 " has 11 digits$digits"
refused_cpr 170500901 " has 9 digits$digits"
refused_cpr 320100-9001 ": the day (digits 1-2) is not a day of that month, in the year the seventh digit gives$date"
refused_cpr 171300-9001 ": the month (digits 3-4) is not 01-12$date"
refused_cpr 300200-9001 ": the day (digits 1-2) is not a day of that month, in the year the seventh digit gives$date"
# 29 February 2000 (a 9 or a 4 in the seventh place), not 1900 (a 0-3).
refused_cpr 290200-1001 ": the day (digits 1-2) is not a day of that month, in the year the seventh digit gives$date"
refused_cpr 1705-009001 ": character 5 is '-'; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"
refused_cpr TEST-0005 ": character 1 is 'T'; expected a CPR number, DDMMYY-SSSS or DDMMYYSSSS"

run "$SORTES" enroll --db t.db --person 170500-9005 --caseworker "C W" \
    --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 65
expect_err_contains "caseworker code 'C W'"
expect_log 4

# A key file others can read is refused (77) before anything happens.
for mode in 644 640 604; do
	chmod "$mode" t.key
	enroll_fokus t.db 170500-9005
	expect_status 77
	expect_out_empty
	expect_err_contains "key file 't.key' is readable by others (mode $mode)"
	expect_log 4
done
chmod 600 t.key

# ... and so is a symbolic link to the key.
ln -s t.key link.key
run "$SORTES" enroll --db t.db --key link.key --person 170500-9005 \
    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 77
expect_err_contains "symbolic link"
expect_log 4

# The key of another trial: of another protocol, or of another trial
# made from the same protocol (its seed does not match the commitment).
new_trial "$UNGEBUDGETTER" b.db
new_trial "$UNGIFOKUS" u.db
for other in b.key u.key; do
	run "$SORTES" enroll --db t.db --key "$other" --person 170500-9005 \
	    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
	    --field benefit=uddannelseshjaelp --field activity_ready=true \
	    --field jobcentre=midt
	expect_status 65
	expect_out_empty
	expect_err_contains "key file '$other'"
	expect_log 4
done
expect_err_contains "seed does not match"

# A key file whose seed was edited (its first hex digit changed).
awk '$1 == "seed" { $2 = (substr($2, 1, 1) == "0" ? "1" : "0") substr($2, 2) }
    { print }' t.key >edited.key
chmod 600 edited.key
check "the edited key is the same as the real one" \
    test "$(grep '^seed ' edited.key)" != "$(grep '^seed ' t.key)"
run "$SORTES" enroll --db t.db --key edited.key --person 170500-9005 \
    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 65
expect_err_contains "seed does not match the trial's commitment"
expect_log 4

# A missing key file or database.
run "$SORTES" enroll --db t.db --key no-such.key --person 170500-9005 \
    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 66
expect_err_contains "no-such.key"
mkdir key.d
run "$SORTES" enroll --db t.db --key key.d --person 150395-2001 \
    --caseworker CW1 --field birth_date=2000-05-17 --field sex=F \
    --field benefit=uddannelseshjaelp --field activity_ready=true \
    --field jobcentre=midt
expect_status 66
expect_err_contains "sortes: key file 'key.d' is a directory"
expect_log 4

enroll_fokus no-such.db 170500-9005
expect_status 66
expect_out_empty
expect_err_contains "database 'no-such.db' does not exist"
check "enroll created a database" test ! -e no-such.db

# A full disk is named so, with the database, and leaves the trial as it
# was: on a small file system, full before the database is opened, and
# with room to open it but not to commit.  Mounting needs privileges.
trap 'umount "$tmpdir/small" 2>/dev/null; cd / && rm -rf "$tmpdir"' EXIT
mkdir small
if mount -t tmpfs -o size=1m tmpfs small 2>/dev/null; then
	checkpoint t.db
	for room in 0 40; do
		rm -f small/*
		cp t.db t.key small/
		free=$(df -k small | awk 'NR == 2 { print $4 }')
		dd if=/dev/zero of=small/fill bs=1k count=$((free - room)) \
		    2>/dev/null
		enroll_fokus small/t.db 150395-2001
		expect_status 74
		expect_out_empty
		expect_err_contains "database 'small/t.db': "
		expect_err_contains ": disk full"
		rm small/fill
		expect_eq "$(log_count small/t.db)" 4 "log entries in small/t.db"
	done
	umount small
else
	echo "$test_name: note: cannot mount a small file system here: the full disk is not tested"
fi

# In a caseworker-level trial (Ungebudgetter) the participant's
# caseworker must be registered and allocated first.
run "$SORTES" enroll --db b.db --person 170500-9006 --caseworker CW1 \
    --field birth_date=2000-05-17 \
    --field months_without_job_or_education=12 \
    --field benefit=uddannelseshjaelp
expect_status 65
expect_out_empty
expect_err_contains "caseworker 'CW1' is not registered"
expect_eq "$(log_count b.db)" 1 "log entries in b.db"

# The trial is still sound after all the refusals.
run "$SORTES" verify --db t.db
expect_status 0
expect_out_contains "ok: 4 entries, 3 participants"

# The CPR number is nowhere in the database, in either spelling.
checkpoint t.db
for f in t.db t.db-wal; do
	if [ -e "$f" ]; then
		expect_eq "$(grep -c -a -e "$cpr" -e "$cpr_plain" "$f")" 0 \
		    "lines of $f holding the CPR number"
	fi
done
# ... while the other synthetic identifiers are not either (pseudonyms
# only).
expect_eq "$(grep -c -a -e 170500-900 -e 170500900 t.db)" 0 \
    "lines of t.db holding 170500-900"

finish
