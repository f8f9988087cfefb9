#!/bin/sh
# t0039-json: --json on every command that prints a result, read back
# with python3's json module: one canonical value and a newline on
# stdout (keys sorted, no blanks: the bytes json.dumps gives back), the
# keys and values docs/json.md lists, compared with the database; errors
# still text on stderr with their exit codes and nothing on stdout; no
# person identifier anywhere in it.
. "$SRCDIR/tests/cli/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: $test_name: python3 is needed to read JSON"
	exit 77
fi

# js EXPR - EXPR, Python over j (the JSON in ./out): strings as they
# are, anything else as JSON.
js() {
	python3 -c '
import json, sys
with open("out", encoding="utf-8") as f:
    j = json.load(f)
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
' "$1"
}

# expect_js EXPR VALUE - EXPR over ./out's JSON is VALUE.
expect_js() {
	expect_eq "$(js "$1")" "$2" "$1"
}

# expect_canonical - ./out is one JSON value, canonical, and a newline.
expect_canonical() {
	checks=$((checks + 1))
	python3 -c '
import json, sys
with open("out", "rb") as f:
    raw = f.read()
j = json.loads(raw.decode("utf-8"))
again = json.dumps(j, sort_keys=True, separators=(",", ":"),
                   ensure_ascii=False).encode("utf-8") + b"\n"
sys.exit(0 if raw == again else 1)
' || fail "stdout is not one canonical JSON value and a newline"
}

# enroll_a PERSON OPTION... - enroll an eligible youth into a.db.
enroll_a() {
	_person=$1
	shift
	run "$SORTES" enroll --db a.db --person "$_person" --caseworker CW01 \
	    --field birth_date=2003-02-01 --field sex=F \
	    --field benefit=uddannelseshjaelp --field activity_ready=ja \
	    --field jobcentre=midt "$@"
}

good=$DATA/cohort-ungifokus.csv		# 20 eligible youths
bad=$DATA/cohort-ungifokus-bad.csv	# 9 rows, 3 refused (lines 4, 7, 10)

# --- enroll -----------------------------------------------------------

new_trial "$UNGIFOKUS" a.db
enroll_a 010203-9001 --json
expect_status 0
expect_err_empty
expect_canonical
expect_js 'sorted(j)' '["enrolled", "per_arm", "refused", "rejects", "rows"]'
expect_js 'len(j["enrolled"])' 1
expect_js 'sorted(j["enrolled"][0])' \
    '["arm", "arm_name", "caseworker", "entry", "line", "participant"]'
expect_js 'j["enrolled"][0]["line"]' null
expect_js 'j["enrolled"][0]["entry"]' 2
expect_js 'j["enrolled"][0]["caseworker"]' CW01
expect_js 'j["enrolled"][0]["participant"]' \
    "$("$SQLITE3" a.db 'select id from participants where seq = 2')"
expect_js 'j["enrolled"][0]["arm"]' \
    "$("$SQLITE3" a.db 'select arm from allocations where seq = 2')"
expect_js '[a["arm"] for a in j["per_arm"]]' '["I", "C"]'
expect_js 'sum(a["enrolled"] for a in j["per_arm"])' 1
expect_js '[j["refused"], j["rejects"], j["rows"]]' '[[], null, 1]'
expect_js 'j["enrolled"][0]["arm_name"] in ("UngiFokus: one primary contact person", "Ordinary employment effort")' true
check "no person identifier in the JSON" sh -c '! grep -q 010203-9001 out'
# -j is --json.
enroll_a 010203-9002 -j
expect_status 0
expect_js 'j["enrolled"][0]["entry"]' 3

# A refused participant: the message on stderr, nothing on stdout.
enroll_a 010203-9001 --json
expect_status 65
expect_out_empty
expect_err_contains "already enrolled"

# A cohort: every row, with its line, as the tables hold it.
new_trial "$UNGIFOKUS" c.db
run "$SORTES" enroll --db c.db --csv "$good" --json
expect_status 0
expect_err_empty
expect_canonical
expect_js 'len(j["enrolled"])' 20
expect_js '[e["line"] for e in j["enrolled"]] == list(range(2, 22))' true
expect_js 'sum(a["enrolled"] for a in j["per_arm"])' 20
expect_js '[j["refused"], j["rejects"], j["rows"]]' '[[], null, 20]'
expect_eq "$(js '"\n".join("|".join([e["participant"], e["arm"], e["caseworker"], str(e["entry"])]) for e in j["enrolled"])')" \
    "$("$SQLITE3" c.db 'select p.id, a.arm, p.caseworker, p.seq from participants p join allocations a on a.seq = p.seq order by p.seq')" \
    "enrolled participants against the tables"
expect_eq "$(js '"%d %d" % tuple(a["enrolled"] for a in j["per_arm"])')" \
    "$("$SQLITE3" c.db "select (select count(*) from allocations where arm = 'I') || ' ' || (select count(*) from allocations where arm = 'C')")" \
    "per arm against the tables"
# No person identifier: none of the file's is in the output.
cut -d, -f1 "$good" | sed 1d >persons
check "20 persons in the cohort" test "$(wc -l <persons)" -eq 20
check "no person identifier in the JSON" sh -c '! grep -F -q -f persons out'
tr -d - <persons >persons-bare
check "no person identifier in the JSON, without its dash" \
    sh -c '! grep -F -q -f persons-bare out'

# Refused rows: reported on stderr as ever, and listed with their line.
new_trial "$UNGIFOKUS" b.db
run "$SORTES" enroll --db b.db --csv "$bad" --skip-invalid rej.csv --json
expect_status 0
expect_canonical
expect_err_contains "$bad:4: field 'sex'"
expect_js '[r["line"] for r in j["refused"]]' '[4, 7, 10]'
expect_js 'sorted(j["refused"][0])' '["line", "reason"]'
expect_js 'j["refused"][0]["reason"]' "field 'sex': 'X' is not one of F, M"
expect_js '[len(j["enrolled"]), j["rows"], j["rejects"]]' '[6, 9, "rej.csv"]'
expect_js '[e["line"] for e in j["enrolled"]]' '[2, 3, 6, 9, 11, 12]'
# The whole file refused: text on stderr, nothing on stdout.
new_trial "$UNGIFOKUS" d.db
run "$SORTES" enroll --db d.db --csv "$bad" --json
expect_status 65
expect_out_empty
expect_err_contains "3 of 9 rows refused; nobody was enrolled"

# --- caseworker list, randomize ---------------------------------------

new_trial "$UNGEBUDGETTER" u.db
echo code,team,caseload,share_education_benefit,office,years_experience >cw.csv
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	n=${i#0}
	set -- midt nord syd vest
	shift $((n % 4))
	echo "SB$i,Jobcenter $1,$((20 + n * 7 % 31)),$((15 + n * 13 % 50)),$1,$((n * 3 % 17))"
done >>cw.csv
# caseworker import: who was registered, from which line.
run "$SORTES" caseworker import cw.csv --db u.db --json
expect_status 0
expect_canonical
expect_js 'sorted(j)' '["per_arm", "refused", "registered", "rejects", "rows"]'
expect_js '[len(j["registered"]), j["rows"], j["refused"], j["rejects"]]' \
    '[20, 20, [], null]'
expect_js 'j["registered"][0]' \
    '{"arm": null, "code": "SB01", "entry": 2, "line": 2, "new_hire": false}'
expect_js '[r["entry"] for r in j["registered"]] == list(range(2, 22))' true
expect_js 'j["per_arm"]' \
    '[{"arm": "B", "new_hires": 0}, {"arm": "C", "new_hires": 0}]'
run "$SORTES" caseworker list --db u.db --json
expect_status 0
expect_canonical
expect_js 'sorted(j)' '["caseworkers"]'
expect_js 'len(j["caseworkers"])' 20
expect_js 'sorted(j["caseworkers"][0])' '["arm", "code", "covariates", "team"]'
expect_js 'j["caseworkers"][0]' \
    '{"arm": null, "code": "SB01", "covariates": {"caseload": 27, "office": "nord", "share_education_benefit": 28, "years_experience": 3}, "team": "Jobcenter nord"}'

run "$SORTES" randomize --db u.db --beacon 8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e --json
expect_status 0
expect_canonical
cp out randomized.json
expect_js 'sorted(j)' '["allocation", "constrained", "entry", "method", "per_arm", "report"]'
expect_js '[j["method"], j["entry"], len(j["allocation"])]' '["constrained", 22, 20]'
expect_eq "$(js '"\n".join(a["caseworker"] + " " + a["arm"] for a in sorted(j["allocation"], key=lambda a: a["caseworker"]))')" \
    "$("$SQLITE3" u.db "select c.code || ' ' || a.arm from caseworker_allocations a join caseworkers c on c.seq = a.caseworker order by c.code")" \
    "the allocation against the tables"
expect_js '[a["caseworkers"] for a in j["per_arm"]]' '[10, 10]'
expect_eq "$(js 'json.dumps(j["report"], separators=(",", ":"))')" \
    "$("$SQLITE3" u.db 'select report from randomization')" \
    "the report as the log records it"
expect_js 'sorted(j["constrained"])' \
    '["arms", "balance", "chosen", "coding", "cutoff", "exact", "fixed_pairs", "kept", "scores", "space"]'
expect_js '[j["constrained"]["space"], j["constrained"]["exact"], j["constrained"]["arms"]]' \
    '[184756, true, ["B", "C"]]'
expect_js 'j["constrained"]["kept"] == j["report"]["kept"] and j["constrained"]["chosen"]["rank"] == j["report"]["rank"]' true
expect_js 'sorted(j["constrained"]["scores"])' \
    '["max", "mean", "min", "q05", "q10", "q20", "q25", "q30", "q50", "q75", "q95", "sd"]'
# Numbers that are not integers are strings that give back the double.
expect_js 'float(j["constrained"]["scores"]["min"]) <= float(j["constrained"]["cutoff"]) <= float(j["constrained"]["scores"]["max"])' true
expect_js 'all(isinstance(v, str) for v in j["constrained"]["scores"].values())' true
expect_js '[b["column"] for b in j["constrained"]["balance"]][:2]' \
    '["caseload", "share_education_benefit"]'
expect_js 'sorted(j["constrained"]["balance"][0])' \
    '["column", "constant", "means", "sd", "std_difference"]'
expect_js 'abs((float(j["constrained"]["balance"][0]["means"][0]) - float(j["constrained"]["balance"][0]["means"][1])) / float(j["constrained"]["balance"][0]["sd"]) - float(j["constrained"]["balance"][0]["std_difference"])) < 1e-12' true
# Ten caseworkers whose covariates keep pairs apart: the warnings stay
# on stderr, and the pairs are in the JSON too.
new_trial "$UNGEBUDGETTER" u10.db
head -n 11 cw.csv >cw10.csv
run "$SORTES" caseworker import cw10.csv --db u10.db
expect_status 0
run "$SORTES" randomize --db u10.db --beacon 8f1b3c2d9e4a5b6c7d8e9f0a1b2c3d4e --json
expect_status 0
expect_canonical
expect_err_contains "sortes: warning: caseworkers "
expect_eq "$(grep -c 'sortes: warning: caseworkers' err)" \
    "$(js 'len(j["constrained"]["fixed_pairs"])')" "fixed pairs, warned of"
expect_js 'sorted(j["constrained"]["fixed_pairs"][0])' '["caseworkers", "together"]'
expect_js 'all(c in [a["caseworker"] for a in j["allocation"]] for p in j["constrained"]["fixed_pairs"] for c in p["caseworkers"])' true

# A new hire is allocated at once.
run "$SORTES" caseworker add SB21 --team "Jobcenter nord" --db u.db \
    --covariate caseload=30 --covariate share_education_benefit=45 \
    --covariate office=nord --covariate years_experience=2 --json
expect_status 0
expect_canonical
expect_js '[j["rows"], len(j["registered"]), j["registered"][0]["code"], j["registered"][0]["new_hire"], j["registered"][0]["line"], j["registered"][0]["entry"]]' \
    '[1, 1, "SB21", true, null, 23]'
expect_js 'j["registered"][0]["arm"]' \
    "$("$SQLITE3" u.db "select a.arm from caseworker_allocations a join caseworkers c on c.seq = a.caseworker where c.code = 'SB21'")"
expect_js 'sum(a["new_hires"] for a in j["per_arm"])' 1
# The list agrees with the allocation.
run "$SORTES" caseworker list --db u.db --json
expect_js 'sorted((c["code"], c["arm"]) for c in j["caseworkers"] if c["code"] != "SB21") == sorted((a["caseworker"], a["arm"]) for a in json.load(open("randomized.json"))["allocation"])' true

# --- budget report ----------------------------------------------------

b_cw=$("$SQLITE3" u.db "select c.code from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where ca.arm = 'B' order by c.code limit 1")
run "$SORTES" enroll --db u.db --person 170500-9001 --caseworker "$b_cw" \
    --field birth_date=2000-05-17 --field months_without_job_or_education=12 \
    --field benefit=uddannelseshjaelp --json
expect_status 0
pid=$(js 'j["enrolled"][0]["participant"]')
run "$SORTES" budget spend "$pid" --amount 3200.50 --category education \
    --db u.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"amount_minor\": 320050, \"category\": \"education\", \"entry\": 25, \"participant\": \"$pid\", \"remaining_minor\": 2179950, \"spent_minor\": 320050}"
run "$SORTES" budget report --db u.db --json
expect_status 0
expect_canonical
expect_js 'sorted(j)' \
    '["categories", "currency", "participants", "remaining_minor", "spent_minor"]'
expect_js 'j["categories"]' \
    '[{"category": "education", "spends": 1, "spent_minor": 320050}]'
expect_js 'j["currency"]' DKK
expect_js 'len(j["participants"])' 1
expect_js 'j["participants"][0]["participant"]' "$pid"
expect_js '[j["participants"][0]["arm"], j["participants"][0]["spends"], j["participants"][0]["spent_minor"]]' \
    '["B", 1, 320050]'
expect_js 'j["participants"][0]["remaining_minor"] == j["remaining_minor"] and j["spent_minor"] == 320050' true
run "$SORTES" budget report --db u.db
expect_out_contains "3200.50"
run "$SORTES" budget spend "$pid" --amount 99999 --category education \
    --json --db u.db
expect_status 65
expect_out_empty
expect_err_contains "remain"
run "$SORTES" budget report --db a.db --json
expect_status 65
expect_out_empty

# --- followup record, missed ------------------------------------------

fid=$("$SQLITE3" a.db 'select id from participants where seq = 2')
run env SORTES_NOW=2024-09-02T10:00:00Z "$SORTES" followup record "$fid" \
    m6 employment=job who5=72 --db a.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"entry\": 4, \"occasion\": \"m6\", \"out_of_window\": false, \"participant\": \"$fid\", \"status\": \"done\", \"supersedes\": null}"
run env SORTES_NOW=2024-09-02T10:00:00Z "$SORTES" followup record "$fid" \
    m6 who5=70 --correct --db a.db -j
expect_status 0
expect_js '[j["entry"], j["supersedes"]]' '[5, 4]'
run env SORTES_NOW=2024-09-02T10:00:00Z "$SORTES" followup record "$fid" \
    m6 who5=70 --db a.db --json
expect_status 65
expect_out_empty
fid2=$("$SQLITE3" a.db 'select id from participants where seq = 3')
run env SORTES_NOW=2024-09-03T10:00:00Z "$SORTES" followup missed "$fid2" \
    m6 --reason "no contact" --db a.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"entry\": 6, \"occasion\": \"m6\", \"out_of_window\": false, \"participant\": \"$fid2\", \"status\": \"missed\", \"supersedes\": null}"
expect_eq "$("$SQLITE3" a.db 'select status from outcomes where seq = 6')" \
    missed "the outcome row"

# --- transfer, withdraw ----------------------------------------------

c_cw=$("$SQLITE3" u.db "select c.code from caseworkers c join caseworker_allocations ca on ca.caseworker = c.seq where ca.arm = 'C' order by c.code limit 1")
run "$SORTES" transfer "$pid" --to "$c_cw" --db u.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"contamination\": true, \"entry\": 26, \"from\": \"$b_cw\", \"participant\": \"$pid\", \"to\": \"$c_cw\"}"
run env SORTES_NOW=2024-09-04T10:00:00Z "$SORTES" transfer "$fid" --to CW02 \
    --db a.db -j
expect_status 0
expect_js '[j["contamination"], j["from"], j["to"]]' '[null, "CW01", "CW02"]'
run "$SORTES" withdraw "$pid" --reason "moved away" --db u.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"entry\": 27, \"participant\": \"$pid\"}"
run "$SORTES" withdraw "$pid" --reason "again" --db u.db --json
expect_status 65
expect_out_empty

# --- protocol check ---------------------------------------------------

run "$SORTES" protocol check --json "$UNGIFOKUS" "$UNGEBUDGETTER"
expect_status 0
expect_canonical
expect_js 'j["ok"]' true
expect_js 'j["files"][0]' "{\"arms\": 2, \"eligibility_rules\": 3, \"fields\": 5, \"file\": \"$UNGIFOKUS\", \"follow_ups\": 3, \"method\": \"stratified_blocks\", \"ok\": true, \"trial\": \"ungifokus\", \"unit\": \"individual\"}"
expect_js '[j["files"][1]["unit"], j["files"][1]["method"]]' \
    '["caseworker", "constrained"]'
badp=$SRCDIR/tests/protocols/bad/003-unknown-top-key.yaml
run "$SORTES" protocol check -j "$UNGIFOKUS" "$badp"
expect_status 65
expect_canonical
expect_err_contains "$badp:"
expect_js '[j["ok"], j["files"][0]["ok"], j["files"][1]]' \
    "[false, true, {\"file\": \"$badp\", \"ok\": false}]"

# --- verify, verify-export --------------------------------------------

run "$SORTES" verify --db c.db --json
expect_status 0
expect_js 'sorted(j)' \
    '["entries", "error", "first_bad_entry", "head", "ok", "participants", "seals"]'
expect_js '[j["ok"], j["entries"], j["participants"], j["error"]]' \
    '[true, 21, 20, null]'
expect_js 'j["head"]' "$("$SQLITE3" c.db 'select hash from log where seq = 21')"

run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db c.db --signing-key lead.pem --seal s1
expect_status 0
run "$SORTES" seal list --db c.db --json
expect_status 0
expect_canonical
expect_js 'j' "{\"seals\": [{\"entry\": 22, \"note\": \"\", \"sealed_at\": \"$SORTES_NOW\", \"signer\": \"$("$SQLITE3" c.db 'select signer from seals')\"}]}"
run "$SORTES" seal show 22 --db c.db --json
expect_status 64
expect_out_empty
run "$SORTES" export allocations --db c.db --seal s1 --output e.csv
expect_status 0
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub --json
expect_status 0
expect_canonical
expect_js 'sorted(j)' \
    '["entries", "export", "head", "kind", "ok", "rows", "sealed_at", "signer"]'
expect_js '[j["ok"], j["export"], j["rows"], j["entries"], j["kind"]]' \
    '[true, "e.csv", 20, 22, "allocations"]'
expect_js 'j["head"]' "$("$SQLITE3" c.db 'select hash from log where seq = 22')"
expect_js 'j["sealed_at"]' "$SORTES_NOW"
expect_js 'j["signer"]' "$("$SQLITE3" c.db 'select signer from seals')"
# A changed export: the message on stderr, exit 1, nothing on stdout.
sed 's/,I,/,C,/' e.csv >e2.csv && cp e2.csv e.csv
run "$SORTES" verify-export e.csv --seal s1 --pubkey lead.pub --json
expect_status 1
expect_out_empty

# --- the help names it ------------------------------------------------

for cmd in enroll caseworker randomize budget protocol verify-export \
    followup verify transfer withdraw seal; do
	run "$SORTES" "$cmd" --help
	expect_out_contains "-j, --json"
done

finish
