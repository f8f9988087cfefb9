#!/bin/sh
# t0025-replay-seals: what an auditor relies on.  The replay of a
# caseworker-level trial with new hires (youths enrolled with them,
# transfers to them, a second randomization refused), also of a trial
# written by log format 1; seals validly signed that say something else
# than their freeze entry, refused by verify and verify-export; and an
# export's manifest, checked by verify-export whole, key by key and
# byte by byte.
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

# --- seals that are not their freeze's ---------------------------------

if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP: $test_name: the forged seals need openssl"
	finish
fi

new_trial "$UNGIFOKUS" f.db
for person in 010190-1001 020291-1002 150395-2001; do
	enroll_fokus f.db "$person"
	expect_status 0
done
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" keygen --output other
expect_status 0
run "$SORTES" freeze --db f.db --signing-key lead.pem --note "after cohort 1" --seal s5
expect_status 0
run "$SORTES" export allocations --db f.db --seal s5 --pubkey lead.pub \
    --output e.csv
expect_status 0
run "$SORTES" export allocations --db f.db --at 4 --output at4.csv
expect_status 0
head4=$("$SQLITE3" f.db 'select hash from log where seq = 4')

# forge KEY SEAL SED OUT - the seal's signed lines edited with SED and
# signed with KEY.pem as the key's holder can, with openssl (the signed
# bytes of docs/audit.md); the signature must verify.
forge() {
	sed "$3" "$2" | head -n 9 >msg
	openssl pkeyutl -sign -inkey "$1.pem" -rawin -in msg -out sig ||
	    fail "openssl cannot sign"
	{ cat msg; printf 'signature %s\n' "$(openssl base64 -A -in sig)"; } >"$4"
	run openssl pkeyutl -verify -pubin -inkey "$1.pub" -rawin -in msg \
	    -sigfile sig
	expect_status 0
}

# refused SEAL PUB MESSAGE [EXPORT] - verify with the seal, and
# verify-export of EXPORT (default e.csv) with it, fail with MESSAGE.
refused() {
	run "$SORTES" verify --db f.db --seal "$1" --pubkey "$2.pub"
	expect_status 1
	expect_out_empty
	expect_err_contains "sortes: '$1': $3"
	run "$SORTES" verify-export "${4:-e.csv}" --seal "$1" --pubkey "$2.pub"
	expect_status 1
	expect_out_empty
	expect_err_contains "sortes: $3"
}

forge lead s5 's/^note .*/note after cohort 2/' note.seal
refused note.seal lead "seal of 5 entries: its note 'after cohort 2' is not the freeze entry's 'after cohort 1'"
forge lead s5 's/^sealed-at .*/sealed-at 2024-03-01T11:00:00Z/' time.seal
refused time.seal lead "seal of 5 entries: its sealed-at time 2024-03-01T11:00:00Z is not the freeze entry's 2024-03-01T10:00:00Z"
# Signed by another key, which the seal honestly names.
lead_fp=$(sed -n 's/^signer //p' s5)
other_fp=$(openssl pkey -pubin -in other.pub -outform DER | tail -c 32 |
    sha256sum | cut -d' ' -f1)
forge other s5 "s/^signer .*/signer $other_fp/" signer.seal
bad_signer="seal of 5 entries: its signer $(printf '%.16s' "$other_fp")... is not the freeze entry's $(printf '%.16s' "$lead_fp")..."
# (verify checks the database's seal too, which other.pub did not sign)
run "$SORTES" verify --db f.db --seal signer.seal
expect_status 1
expect_err_contains "sortes: 'signer.seal': $bad_signer"
run "$SORTES" verify-export e.csv --seal signer.seal --pubkey other.pub
expect_status 1
expect_err_contains "sortes: $bad_signer"
# A seal of entry 4, an enrollment, with an export as of entry 4.
forge lead s5 "s/^entries .*/entries 4/; s/^head .*/head $head4/" four.seal
refused four.seal lead "seal of 4 entries: log entry 4 is of kind 'enroll', not a freeze entry" at4.csv

# The honest seal still holds, and an export made with a forged seal
# is refused before anything is written.
run "$SORTES" verify --db f.db --seal s5 --pubkey lead.pub
expect_status 0
run "$SORTES" verify-export e.csv --seal s5 --pubkey lead.pub
expect_status 0
run "$SORTES" export allocations --db f.db --seal note.seal --pubkey lead.pub \
    --output forged.csv
expect_status 1
expect_err_contains "its note 'after cohort 2' is not the freeze entry's 'after cohort 1'"
check "no export with a forged seal" test ! -e forged.csv

# --- the manifest, checked whole ------------------------------------------

cp e.csv.manifest.json good.json
# manifest_refused MESSAGE - verify-export refuses the manifest as it
# stands with MESSAGE; then it is put back.
manifest_refused() {
	run "$SORTES" verify-export e.csv --seal s5 --pubkey lead.pub
	expect_status 1
	expect_out_empty
	expect_err_contains "sortes: $1"
	cp good.json e.csv.manifest.json
}
# edit SED - the manifest edited with SED, which must change it.
edit() {
	sed "$1" good.json >e.csv.manifest.json
	check "the edit '$1' changes the manifest" \
	    sh -c '! cmp -s good.json e.csv.manifest.json'
}

zeros=0000000000000000000000000000000000000000000000000000000000000000
edit "s/\"signer\":\"[0-9a-f]*\"/\"signer\":\"$zeros\"/"
manifest_refused "the manifest's 'seal.signer' is \"$zeros\", but the seal's signer is \"$lead_fp\""
edit 's/"sealed_at":"[^"]*"/"sealed_at":"1999-01-01T00:00:00Z"/'
manifest_refused "the manifest's 'seal.sealed_at' is \"1999-01-01T00:00:00Z\", but the seal's time is \"2024-03-01T10:00:00Z\""
printf '%s' '}}}not json' >>e.csv.manifest.json
manifest_refused "the manifest 'e.csv.manifest.json' is not JSON: line 2, column 1: more text after the value"
edit 's/"export":"e.csv"/"export":"other.csv"/'
manifest_refused "the manifest's 'export' is \"other.csv\", but the export's name is \"e.csv\""
edit 's/"format":"csv-2",//'
manifest_refused "the manifest lacks the key 'format'"
edit 's/"format":"csv-2"/"format":"json-2"/'
manifest_refused "the manifest's 'format' is \"json-2\", but the export's format is \"csv-2\""
edit 's/^{/{"extra":"x",/'
manifest_refused "the manifest has an unknown key 'extra'"
edit 's/"signer"/"extra":"x","signer"/'
manifest_refused "the manifest has an unknown key 'seal.extra'"
edit 's/"sealed_at":/"sealed_at"0000-00-00:/'
manifest_refused "the manifest 'e.csv.manifest.json' is not JSON: line 1, column "
expect_err_contains ", in 'seal.sealed_at': '0' where ':' after the key is due"
printf '\206' | dd of=e.csv.manifest.json bs=1 seek=17 conv=notrunc 2>/dev/null
manifest_refused "the manifest 'e.csv.manifest.json' is not JSON: line 1, column 18: invalid UTF-8 (byte 0x86)"
edit 's/"seal":{[^}]*}/"seal":null/'
manifest_refused "the manifest's 'seal' is null, but the export is as of a seal"
edit 's/"rows":3/"rows":3.0/'
manifest_refused "the manifest's 'rows' is 3.0, but the export's row count is 3"
edit 's/"entries":5/"entries":4/'
manifest_refused "the manifest's 'entries' is 4, but the seal's entry count is 5"
edit "s/\"trial\":\"ungifokus\"/\"trial\":\"ungifokus2\"/"
manifest_refused "the manifest's 'trial' is \"ungifokus2\", but the seal's trial is \"ungifokus\""
edit 's/"rows":3,/"rows":3,"rows":3,/'
manifest_refused "the manifest 'e.csv.manifest.json' is not JSON: line 1, column "
expect_err_contains ": the key \"rows\" a second time in one object"
# Every key right, but not as sortes writes them.
edit 's/^{/{ /'
manifest_refused "the manifest 'e.csv.manifest.json' is not written as sortes export writes it (canonical JSON and a newline): it differs at line 1, column 2"
printf '\n' >>e.csv.manifest.json
manifest_refused "the manifest 'e.csv.manifest.json' is not written as sortes export writes it (canonical JSON and a newline): it differs at line 2, column 1"

# The manifest rebuilt without sortes, as docs/audit.md does it.
sed -n '/^    # the manifest, rebuilt$/,/^$/s/^    //p' "$SRCDIR/docs/audit.md" \
    >rebuild.sh
check "docs/audit.md rebuilds the manifest" grep -q cmp rebuild.sh
run env file=e.csv seal=s5 sh rebuild.sh
expect_status 0
expect_out_empty
run "$SORTES" export allocations --db f.db --seal s5 --format json \
    --output e.json
expect_status 0
run env file=e.json seal=s5 sh rebuild.sh
expect_status 0
expect_out_empty
run "$SORTES" verify-export e.json --seal s5 --pubkey lead.pub
expect_status 0
run env file=at4.csv seal=four.seal sh rebuild.sh
expect_status 1
edit 's/"rows":3/"rows":4/'
run env file=e.csv seal=s5 sh rebuild.sh
expect_status 1
cp good.json e.csv.manifest.json

# The export is known by the name it was written under.
for f in e.csv e.csv.manifest.json e.csv.log e.csv.protocol; do
	cp "$f" "renamed${f#e}"
done
run "$SORTES" verify-export renamed.csv --seal s5 --pubkey lead.pub
expect_status 1
expect_err_contains "the manifest's 'export' is \"e.csv\", but the export's name is \"renamed.csv\""
run "$SORTES" verify-export e.csv --seal s5 --pubkey lead.pub
expect_status 0
expect_out_contains "ok: e.csv holds exactly the 3 allocations of the 5 log entries"

finish
