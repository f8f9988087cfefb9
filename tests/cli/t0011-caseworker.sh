#!/bin/sh
# t0011-caseworker: registering caseworkers (one, or from CSV), the
# one-time randomization of a caseworker-level trial (complete,
# stratified, with a beacon), new hires, and participants inheriting
# their caseworker's arm.
. "$SRCDIR/tests/cli/lib.sh"

cws=$DATA/cw-caseworkers.csv		# 10 caseworkers: Nord 4, Syd 6
cws_bad=$DATA/cw-caseworkers-bad.csv	# 6 rows, 3 refused (lines 3, 5, 7)
cohort=$DATA/cw-cohort.csv		# 6 eligible youths of CW01..CW10

# protocol FILE METHOD [EXTRA] - write a caseworker-level protocol;
# EXTRA is added to the randomization section.
protocol() {
	cat >"$1" <<EOF
sortes: 1
trial:
  id: cwcli
  title: Caseworker-level test trial
  sponsor: Test
  target_enrollment: 20
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
caseworkers:
  covariates:
    - {name: caseload, type: integer, min: 0, max: 200, required: true}
    - {name: office, type: enum, values: [midt, nord, syd, vest]}
randomization:
  unit: caseworker
  method: $2
  new_hires:
    block_sizes: [2]
${3:-}
fields:
  - {name: birth_date, type: date, required: true}
  - {name: benefit, type: enum, values: [uddannelseshjaelp, kontanthjaelp], required: true}
eligibility:
  - {name: age 18-30, age_of: birth_date, min: 18, max: 30}
  - {name: on education benefit, field: benefit, equals: uddannelseshjaelp}
EOF
}

protocol complete.yaml complete
protocol stratified.yaml stratified
protocol beacon.yaml complete "  beacon:
    source: Test beacon
    round: 42"

# expect_log DB N - DB's log holds N entries (nothing half-done).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# list_arm DB CODE - the arm 'caseworker list' shows for CODE.
list_arm() {
	"$SORTES" caseworker list --db "$1" | awk -F '\t' -v c="$2" '$1 == c { print $3 }'
}

# enroll_cw DB PERSON CASEWORKER - enroll an eligible youth.
enroll_cw() {
	run "$SORTES" enroll --db "$1" --person "$2" --caseworker "$3" \
	    --field birth_date=2000-05-17 --field benefit=uddannelseshjaelp
}

# --- help and usage ---------------------------------------------------

for cmd in caseworker randomize; do
	run "$SORTES" "$cmd" --help
	expect_status 0
	expect_out_contains "usage: sortes $cmd"
	expect_err_empty
done
run "$SORTES" caseworker --help
expect_out_contains "sortes caseworker import FILE"
expect_out_contains "sortes caseworker list"

new_trial complete.yaml t.db
expect_log t.db 1

run "$SORTES" caseworker --db t.db
expect_status 64
expect_err_contains "expected 'add CODE', 'import FILE' or 'list'"
run "$SORTES" caseworker frob --db t.db
expect_status 64
run "$SORTES" caseworker add --db t.db
expect_status 64
run "$SORTES" caseworker add CW01 CW02 --team Nord --covariate caseload=1 --db t.db
expect_status 64
run "$SORTES" caseworker list extra --db t.db
expect_status 64
run "$SORTES" caseworker add CW01 --team Nord --bogus --db t.db
expect_status 64
expect_err_contains "unknown option '--bogus'"
run "$SORTES" caseworker add CW01 --team Nord --covariate caseload --db t.db
expect_status 64
expect_err_contains "--covariate 'caseload' is not NAME=VALUE"
run "$SORTES" caseworker add CW01 --team Nord --covariate =5 --db t.db
expect_status 64
run "$SORTES" caseworker add CW01 --covariate caseload=5 --db t.db
expect_status 64
expect_err_contains "--team"
run "$SORTES" caseworker add CW01 --team Nord --covariate caseload=5 --db no-such.db
expect_status 66
expect_err_contains "no-such.db"
check "a database was created" test ! -e no-such.db
run "$SORTES" randomize --db no-such.db
expect_status 66
run "$SORTES" randomize --db t.db extra
expect_status 64
run "$SORTES" randomize --db t.db --beacon
expect_status 64
expect_log t.db 1

# --- caseworker add ---------------------------------------------------

run "$SORTES" caseworker add CW01 --team Nord --covariate caseload=35 \
    --covariate office=nord --db t.db
expect_status 0
expect_out_is "registered caseworker CW01, log entry 2"
expect_err_empty
expect_log t.db 2
expect_eq "$("$SQLITE3" t.db "select team || '|' || covariates from caseworkers where code = 'CW01'")" \
    'Nord|{"caseload":35,"office":"nord"}' "stored caseworker"

# Refusals: data errors, nothing written.
run "$SORTES" caseworker add CW01 --team Syd --covariate caseload=3 --db t.db
expect_status 65
expect_out_empty
expect_err_contains "caseworker 'CW01' is already registered"
run "$SORTES" caseworker add 'CW 02' --team Nord --covariate caseload=3 --db t.db
expect_status 65
expect_err_contains "may hold only letters, digits"
run "$SORTES" caseworker add CW02 --team '' --covariate caseload=3 --db t.db
expect_status 65
expect_err_contains "team"
run "$SORTES" caseworker add CW02 --team ' Nord' --covariate caseload=3 --db t.db
expect_status 65
expect_err_contains "blank"
run "$SORTES" caseworker add CW02 --team Nord --db t.db
expect_status 65
expect_err_contains "covariate 'caseload' is required"
run "$SORTES" caseworker add CW02 --team Nord --covariate caseload=201 --db t.db
expect_status 65
expect_err_contains "caseload"
run "$SORTES" caseworker add CW02 --team Nord --covariate caseload=5 \
    --covariate office=centrum --db t.db
expect_status 65
expect_err_contains "office"
run "$SORTES" caseworker add CW02 --team Nord --covariate caseload=5 \
    --covariate age=40 --db t.db
expect_status 65
expect_err_contains "unknown covariate 'age'"
expect_log t.db 2

run "$SORTES" caseworker list --db t.db
expect_status 0
expect_out_is "$(printf 'code\tteam\tarm\tcovariates\nCW01\tNord\t-\t{"caseload":35,"office":"nord"}')"

# One caseworker cannot be randomized.
run "$SORTES" randomize --db t.db
expect_status 65
expect_err_contains "at least 2"
expect_log t.db 2

# --- caseworker import ------------------------------------------------

new_trial complete.yaml i.db
run "$SORTES" caseworker import "$cws_bad" --db i.db
expect_status 65
expect_out_empty
expect_err_contains "$cws_bad:3: "
expect_err_contains "$cws_bad:5: "
expect_err_contains "$cws_bad:7: caseworker 'CW01' is already registered"
expect_err_contains "3 of 6 rows refused; no caseworker was registered"
expect_log i.db 1
run "$SORTES" caseworker import no-such.csv --db i.db
expect_status 66
expect_log i.db 1
touch taken.csv
run "$SORTES" caseworker import "$cws_bad" --skip-invalid taken.csv --db i.db
expect_status 73
expect_log i.db 1
run "$SORTES" caseworker import "$cws_bad" --skip-invalid rejects.csv --db i.db
expect_status 0
expect_out_contains "registered 3 of 6 caseworkers"
expect_out_contains "refused 3 rows, written to rejects.csv"
expect_log i.db 4
expect_eq "$(cut -d, -f1 rejects.csv | tr '\n' ' ')" "line 3 5 7 " \
    "lines in the rejects file"
printf 'code,team,caseload,age\nCW20,Nord,1,40\n' >unknown.csv
run "$SORTES" caseworker import unknown.csv --db i.db
expect_status 65
expect_err_contains "unknown column 'age'"
expect_log i.db 4

new_trial complete.yaml t10.db
run "$SORTES" caseworker import "$cws" --db t10.db
expect_status 0
expect_out_is "registered 10 of 10 caseworkers"
expect_log t10.db 11
run "$SORTES" caseworker list --db t10.db
expect_status 0
expect_eq "$(sed 1d out | wc -l | tr -d ' ')" 10 "caseworkers listed"
expect_eq "$(sed 1d out | cut -f3 | sort -u)" "-" "arms before randomizing"

# Enrolling before the randomization: nobody has an arm to inherit.
enroll_cw t10.db 320100-0001 CW01
expect_status 65
expect_err_contains "not allocated"
expect_log t10.db 11

# --- randomize (complete) ---------------------------------------------

run "$SORTES" randomize --db t10.db --beacon 0011223344556677
expect_status 64
expect_err_contains "declares no beacon"
expect_log t10.db 11
run "$SORTES" randomize --db t10.db --key no-such.key
expect_status 66
expect_log t10.db 11

run "$SORTES" randomize --db t10.db
expect_status 0
expect_err_empty
expect_out_contains "randomized 10 caseworkers by complete, log entry 12: I 5, C 5"
expect_out_contains 'report {"caseworkers":10}'
check "not 10 'code<TAB>arm' lines" \
    test "$(grep -c -E '^CW[0-9]{2}	(I|C)$' out)" -eq 10
expect_log t10.db 12
# The printed allocation is what 'caseworker list' shows.
grep -E '^CW[0-9]{2}	' out | sort >printed
"$SORTES" caseworker list --db t10.db | sed 1d | cut -f1,3 | sort >listed
check "randomize output differs from caseworker list" cmp -s printed listed
expect_eq "$("$SQLITE3" t10.db "select kind from log where seq = 12")" \
    randomize "kind of entry 12"

run "$SORTES" randomize --db t10.db
expect_status 65
expect_out_empty
expect_err_contains "randomized already, in log entry 12"
expect_log t10.db 12

# --- new hires --------------------------------------------------------

run "$SORTES" caseworker add NH01 --team Nord --covariate caseload=5 --db t10.db
expect_status 0
check "no 'new hire, arm' message" \
    grep -q -E -x 'registered caseworker NH01: new hire, arm (I \(Intervention\)|C \(Control\)), log entry 13' out
nh01=$(sed 's/.*new hire, arm \([IC]\) .*/\1/' out)
expect_eq "$(list_arm t10.db NH01)" "$nh01" "NH01's arm in the list"
# The second new hire of the team completes the block of 2.
run "$SORTES" caseworker add NH02 --team Nord --covariate caseload=5 --db t10.db
expect_status 0
nh02=$(sed 's/.*new hire, arm \([IC]\) .*/\1/' out)
check "two new hires of a team are not one I and one C ($nh01 $nh02)" \
    test "$nh01" != "$nh02"

# A new hire needs the key.
mv t10.key away.key
run "$SORTES" caseworker add NH03 --team Syd --covariate caseload=5 --db t10.db
expect_status 66
expect_err_contains "key"
run "$SORTES" caseworker add NH03 --team Syd --covariate caseload=5 \
    --db t10.db --key away.key
expect_status 0
expect_out_contains "new hire, arm"
mv away.key t10.key

# Imported new hires: one line with the counts.  Two new hires of one
# team are a block of 2: one in each arm.
printf 'code,team,caseload\nNH10,Vest,3\nNH11,Vest,4\n' >hires.csv
run "$SORTES" caseworker import hires.csv --db t10.db
expect_status 0
expect_out_is "registered 2 of 2 caseworkers; new hires in I: 1, new hires in C: 1"

# --- participants inherit ---------------------------------------------

n=0
for code in CW01 CW06 NH01; do
	n=$((n + 1))
	enroll_cw t10.db "320100-010$n" "$code"
	expect_status 0
	arm=$(list_arm t10.db "$code")
	check "participant of $code not in its arm $arm" \
	    grep -q -E "^enrolled participant [0-9a-f-]{36}: arm $arm \(" out
done
enroll_cw t10.db 320100-0199 CW99
expect_status 65
expect_err_contains "caseworker 'CW99' is not registered"

run "$SORTES" enroll --db t10.db --csv "$cohort"
expect_status 0
expect_out_contains "enrolled 6 of 6 rows"
expect_eq "$("$SQLITE3" t10.db "select count(*) from participants p join allocations a on a.seq = p.seq join caseworkers c on c.code = p.caseworker join caseworker_allocations ca on ca.caseworker = c.seq where a.arm = ca.arm")" \
    9 "participants in their caseworker's arm"
expect_eq "$("$SQLITE3" t10.db "select count(*) from allocations where method <> 'caseworker'")" \
    0 "allocations not by caseworker"

run "$SORTES" verify --db t10.db
expect_status 0
expect_out_contains "ok: $(log_count t10.db) entries, 9 participants"

# --- stratified -------------------------------------------------------

new_trial stratified.yaml s.db
run "$SORTES" caseworker import "$cws" --db s.db
expect_status 0
run "$SORTES" randomize --db s.db
expect_status 0
expect_out_contains "randomized 10 caseworkers by stratified, log entry 12: I 5, C 5"
expect_eq "$("$SQLITE3" s.db "select c.team || ' ' || sum(ca.arm = 'I') || '/' || sum(ca.arm = 'C') from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq group by c.team order by c.team" | tr '\n' ' ')" \
    "Nord 2/2 Syd 3/3 " "arms per team"
run "$SORTES" verify --db s.db
expect_status 0

# --- beacon -----------------------------------------------------------

new_trial beacon.yaml b.db
run "$SORTES" caseworker import "$cws" --db b.db
expect_status 0
run "$SORTES" randomize --db b.db
expect_status 64
expect_err_contains "give its value with --beacon"
for bad in 0011 001122334455667 00112233445566AA 0011223344556g77; do
	run "$SORTES" randomize --db b.db --beacon "$bad"
	expect_status 65
	expect_err_contains "beacon value must be"
done
expect_log b.db 11
run "$SORTES" randomize --db b.db --beacon 0011223344556677
expect_status 0
expect_out_contains "randomized 10 caseworkers by complete, log entry 12: I 5, C 5"
expect_eq "$("$SQLITE3" b.db 'select beacon from randomization')" \
    0011223344556677 "stored beacon"
run "$SORTES" verify --db b.db
expect_status 0

# --- tampering with a caseworker is caught ----------------------------

checkpoint t10.db
cp t10.db x.db
"$SQLITE3" x.db "update caseworkers set covariates = '{\"caseload\":1}' where code = 'CW03'"
run "$SORTES" verify --db x.db
expect_status 1
expect_err_contains "log entry 4:"
cp t10.db y.db
"$SQLITE3" y.db "update caseworker_allocations set arm = case arm when 'I' then 'C' else 'I' end where caseworker = (select seq from caseworkers where code = 'CW07')"
run "$SORTES" verify --db y.db
expect_status 1
expect_err_contains "log entry 12:"

# --- listing needs no key ---------------------------------------------
#
# An evaluator or auditor lists the caseworkers and their arms without
# the secret key file; only registering a new hire allocates.

mv t10.key away.key
run "$SORTES" caseworker list --db t10.db
expect_status 0
expect_err_empty
expect_eq "$(sed 1d out | wc -l | tr -d ' ')" 15 "caseworkers listed without the key"
mv away.key t10.key

# --- the import summary -----------------------------------------------
#
# One new hire alone: the line reads the same whichever arm it gets.
# The first of a block may go either way; the second of the block goes
# to the other arm, so one of these two imports is a control.
for n in 20 21; do
	printf 'code,team,caseload\nNH%s,Ost,3\n' "$n" >hire.csv
	run "$SORTES" caseworker import hire.csv --db t10.db
	expect_status 0
	arm=$(list_arm t10.db "NH$n")
	expect_out_is "registered 1 of 1 caseworkers; new hires in $arm: 1"
done

run "$SORTES" verify --db t10.db
expect_status 0

finish
