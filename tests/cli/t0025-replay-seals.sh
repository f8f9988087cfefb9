#!/bin/sh
# t0025-replay-seals: what an auditor relies on.  The replay of a
# caseworker-level trial with new hires (youths enrolled with them,
# transfers to them, a second randomization refused), also of a trial
# written by log format 1.
. "$SRCDIR/tests/cli/lib.sh"

beacon=8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e

# enroll_ub DB PERSON CASEWORKER - an eligible Ungebudgetter youth.
enroll_ub() {
	run "$SORTES" enroll --db "$1" --person "$2" --caseworker "$3" \
	    --field birth_date=2001-05-05 \
	    --field months_without_job_or_education=12 \
	    --field benefit=uddannelseshjaelp
}

# hire DB CODE TEAM OFFICE - register a new hire; must work.
hire() {
	run "$SORTES" caseworker add "$2" --team "$3" --db "$1" \
	    --covariate caseload=33 --covariate share_education_benefit=50 \
	    --covariate office="$4"
	expect_status 0
	expect_out_contains "registered caseworker $2: new hire, arm"
}

# replays DB N [--key FILE] - verify --replay passes, re-deriving N.
replays() {
	_db=$1
	_n=$2
	shift 2
	run "$SORTES" verify --db "$_db" --replay "$@"
	expect_status 0
	expect_out_contains "replay: all $_n allocations re-derived from the seed match the log"
	expect_err_empty
}

# --- replay with new hires ---------------------------------------------

new_trial "$UNGEBUDGETTER" ub.db
{
	echo "code,team,caseload,share_education_benefit,office"
	for i in 1 2 3 4 5 6 7 8; do
		case $((i % 4)) in
		0) o=midt ;; 1) o=nord ;; 2) o=syd ;; *) o=vest ;;
		esac
		echo "SB0$i,Jobcenter $o,$((25 + i * 3)),$((30 + (i * 13) % 50)),$o"
	done
} >cw.csv
run "$SORTES" caseworker import cw.csv --db ub.db
expect_status 0
run "$SORTES" randomize --db ub.db --beacon "$beacon"
expect_status 0
expect_out_contains "randomized 8 caseworkers by constrained, log entry 10: B 4, C 4"

# Three new hires, two of one team (a block of two) and one of another.
hire ub.db NH01 "Jobcenter nord" nord
hire ub.db NH02 "Jobcenter nord" nord
hire ub.db NH03 "Jobcenter syd" syd
replays ub.db 11 --key ub.key

# Youths with the new hires and with randomized caseworkers.
n=0
for cw in NH01 SB01 NH02 SB02 NH03 NH01; do
	n=$((n + 1))
	enroll_ub ub.db "0${n}0301-100$n" "$cw"
	expect_status 0
done
printf '%s\n' "person,caseworker,birth_date,months_without_job_or_education,benefit" \
    "070402-2001,NH02,2002-04-07,14,uddannelseshjaelp" \
    "080403-2002,SB05,2003-04-08,11,uddannelseshjaelp" \
    "090404-2003,NH03,2004-04-09,10,uddannelseshjaelp" >youths.csv
run "$SORTES" enroll --db ub.db --csv youths.csv
expect_status 0
expect_out_contains "enrolled 3 of 3 rows"
replays ub.db 20 --key ub.key

# Transfers to a new hire, from a new hire, between new hires.
first=$("$SQLITE3" ub.db "select id from participants where caseworker = 'SB01'")
nh1=$("$SQLITE3" ub.db "select id from participants where caseworker = 'NH01' order by seq limit 1")
nh3=$("$SQLITE3" ub.db "select id from participants where caseworker = 'NH03' order by seq limit 1")
run "$SORTES" transfer "$first" --to NH03 --db ub.db
expect_status 0
run "$SORTES" transfer "$nh1" --to SB03 --db ub.db
expect_status 0
run "$SORTES" transfer "$nh3" --to NH02 --db ub.db
expect_status 0
# A youth enrolled with a new hire after a transfer to it.
enroll_ub ub.db 100305-3001 NH03
expect_status 0
replays ub.db 21 --key ub.key

# A second randomization is refused and leaves the trial replaying.
entries=$(log_count ub.db)
run "$SORTES" randomize --db ub.db --beacon "$beacon"
expect_status 65
expect_out_empty
expect_err_contains "the caseworkers of trial 'ungebudgetter' were randomized already, in log entry 10"
expect_eq "$(log_count ub.db)" "$entries" "entries after the second randomization"
hire ub.db NH04 "Jobcenter vest" vest
enroll_ub ub.db 110306-3002 NH04
expect_status 0
replays ub.db 23 --key ub.key
# One more, in a team of its own, with nobody enrolled yet.
hire ub.db NH05 "Jobcenter midt" midt
replays ub.db 24 --key ub.key

# After the reveal the seed in the log replays it, without the key.
run "$SORTES" reveal --db ub.db
expect_status 0
mv ub.key away.key
replays ub.db 24
mv away.key ub.key

# A rewritten new hire's arm is still caught: in its table row and its
# log entry alike, with the chain recomputed from there, as someone with
# write access would.
checkpoint ub.db
cp ub.db forged.db
nh5=$("$SQLITE3" forged.db "select seq from caseworkers where code = 'NH05'")
"$SQLITE3" forged.db "
    drop trigger if exists log_no_update;
    update caseworker_allocations set arm = case arm when 'B' then 'C' else 'B' end
        where caseworker = $nh5;
    update log set body = case when instr(body, '\"arm\":\"B\"')
        then replace(body, '\"arm\":\"B\"', '\"arm\":\"C\"')
        else replace(body, '\"arm\":\"C\"', '\"arm\":\"B\"') end
        where seq = $nh5;"
hexbytes() {
	# shellcheck disable=SC2059 # the format is the escape being made
	for b in $(echo "$1" | sed 's/../& /g'); do
		printf "\\$(printf %03o "0x$b")"
	done
}
prev=$("$SQLITE3" forged.db "select hash from log where seq = $((nh5 - 1))")
"$SQLITE3" -separator ' ' forged.db \
    "select seq, body from log where seq >= $nh5 order by seq" >bodies
while read -r seq body; do
	hash=$({ hexbytes "$prev"; printf '%s' "$body"; } | sha256sum | cut -d' ' -f1)
	"$SQLITE3" forged.db "update log set prev_hash = '$prev', hash = '$hash' where seq = $seq"
	prev=$hash
done <bodies
run "$SORTES" verify --db forged.db
expect_status 0
run "$SORTES" verify --db forged.db --replay
expect_status 1
expect_err_contains "log entry $nh5: replay from the seed gives another allocation for this new hire"

# --- a trial written by log format 1 -------------------------------------

# tests/data/v1/ungebudgetter.sql: new hires, youths with them, a
# transfer to one, the seed revealed.
"$SQLITE3" v1.db <"$DATA/v1/ungebudgetter.sql" ||
    fail "cannot load $DATA/v1/ungebudgetter.sql"
replays v1.db 20
cp "$DATA/v1/ungebudgetter.key" v1.key
chmod 600 v1.key
replays v1.db 20 --key v1.key

finish
