#!/bin/sh
# t0030-linkage: export linkage, the file a register authority links
# outcomes with: one row per enrolled person of the lead's list, mode
# 0600, never over a file, persons never enrolled reported by line, and
# a manifest naming the log head it was made at, which a seal checks.
. "$SRCDIR/tests/cli/lib.sh"

# manifest FILE KEY - one value of a manifest (strict JSON).
manifest() {
	python3 - "$1" "$2" <<'PY'
import json, sys
def strict(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "a key twice"
    return dict(pairs)
v = json.load(open(sys.argv[1]), object_pairs_hook=strict,
              parse_constant=lambda c: sys.exit("not JSON: " + c))
x = v
for k in sys.argv[2].split("."):
    x = x[k]
print("null" if x is None else x)
PY
}

# canonical FILE - FILE is canonical JSON and a newline.
# shellcheck disable=SC2317 # called through check
canonical() {
	python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
v = json.loads(text)
sys.exit(text != json.dumps(v, sort_keys=True, separators=(",", ":"),
                            ensure_ascii=False) + "\n")
PY
}

new_trial "$UNGIFOKUS" t.db
for p in 010100-9001 020100-9002 030100-9003; do
	enroll_fokus t.db "$p"
	expect_status 0
done
id_of() {
	"$SORTES" lookup --db t.db --json --person "$1" |
	    python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["participant"])'
}
p1=$(id_of 010100-9001)
p2=$(id_of 020100-9002)
arm1=$("$SQLITE3" t.db "select a.arm from participants p join allocations a on a.seq = p.seq where p.id = '$p1'")
run "$SORTES" keygen --output lead
expect_status 0
SORTES_NOW=2024-03-02T10:00:00Z
run "$SORTES" freeze --db t.db --signing-key lead.pem --seal s1
expect_status 0
seal_entries=$(sed -n 's/^entries //p' s1)
seal_head=$(sed -n 's/^head //p' s1)
# After the seal: a withdrawal and one more enrollment.
SORTES_NOW=2024-03-03T10:00:00Z
run "$SORTES" withdraw --db t.db "$p2" --reason "moved away"
expect_status 0
enroll_fokus t.db 040100-9004
expect_status 0

# The lead's list: an enrollment file's columns, one never enrolled.
printf '%s\n' "person,caseworker" "010100-9001,CW1" "0201009002,CW1" \
    "050100-9005,CW2" "040100-9004,CW1" >persons.csv

# Now: four rows of which three enrolled, the withdrawal dated.
run "$SORTES" export linkage --db t.db --persons persons.csv --output now.csv
expect_status 0
expect_out_contains "wrote 3 rows to now.csv (mode 0600) as of entry 7"
expect_err_contains "persons.csv:4: not enrolled by entry 7; no row written"
check "no identifier in the messages" sh -c '! grep -q 050100 err'
expect_eq "$(stat -c %a now.csv)" 600 "mode of the linkage file"
expect_eq "$(sed -n 1p now.csv)" \
    "person,participant,arm,enrolled_on,withdrawn_on" "header"
expect_eq "$(sed -n 2p now.csv)" "010100-9001,$p1,$arm1,2024-03-01," \
    "row of the first person"
check "the withdrawal date" contains "$(sed -n 3p now.csv)" \
    "0201009002,$p2,"
check "the withdrawal date" contains "$(sed -n 3p now.csv)" \
    ",2024-03-01,2024-03-03"
check "the person enrolled last" contains "$(sed -n 4p now.csv)" \
    "040100-9004,"
expect_eq "$(wc -l <now.csv)" 4 "lines of the linkage file"
check "the manifest is canonical JSON" canonical now.csv.manifest.json
expect_eq "$(manifest now.csv.manifest.json rows)" 3 "manifest rows"
expect_eq "$(manifest now.csv.manifest.json not_enrolled)" 1 \
    "manifest not_enrolled"
expect_eq "$(manifest now.csv.manifest.json entries)" 7 "manifest entries"
expect_eq "$(manifest now.csv.manifest.json head)" \
    "$("$SQLITE3" t.db 'select hash from log where seq = 7')" "manifest head"
expect_eq "$(manifest now.csv.manifest.json linkage_sha256)" \
    "$(sha256sum now.csv | cut -d' ' -f1)" "manifest linkage_sha256"
expect_eq "$(manifest now.csv.manifest.json seal)" null "manifest seal"
expect_eq "$(manifest now.csv.manifest.json linkage)" now.csv \
    "manifest linkage"

# At the seal: neither the withdrawal nor the fourth youth; the
# manifest's head and entries are the seal's.
run "$SORTES" export linkage --db t.db --persons persons.csv --seal s1 \
    --pubkey lead.pub --output sealed.csv
expect_status 0
expect_err_contains "persons.csv:4: not enrolled by entry $seal_entries"
expect_err_contains "persons.csv:5: not enrolled by entry $seal_entries"
expect_eq "$(wc -l <sealed.csv)" 3 "lines of the linkage at the seal"
check "not withdrawn at the seal" contains "$(sed -n 3p sealed.csv)" \
    ",2024-03-01,"
expect_eq "$(sed -n 3p sealed.csv | cut -d, -f5)" "" \
    "no withdrawal date at the seal"
expect_eq "$(manifest sealed.csv.manifest.json entries)" "$seal_entries" \
    "manifest entries at the seal"
expect_eq "$(manifest sealed.csv.manifest.json head)" "$seal_head" \
    "manifest head at the seal"
expect_eq "$(manifest sealed.csv.manifest.json seal.signer)" \
    "$(sed -n 's/^signer //p' s1)" "manifest signer"
expect_eq "$(manifest sealed.csv.manifest.json seal.sealed_at)" \
    "$(sed -n 's/^sealed-at //p' s1)" "manifest sealed_at"
expect_eq "$(manifest sealed.csv.manifest.json not_enrolled)" 2 \
    "manifest not_enrolled at the seal"
expect_eq "$(manifest sealed.csv.manifest.json linkage_sha256)" \
    "$(sha256sum sealed.csv | cut -d' ' -f1)" "linkage_sha256 at the seal"
check "the manifest at the seal is canonical JSON" \
    canonical sealed.csv.manifest.json
# --at the seal's entry: the same rows.
run "$SORTES" export linkage --db t.db --persons persons.csv \
    --at "$seal_entries" --output at.csv
expect_status 0
check "--at the seal's entry gives the seal's rows" cmp -s at.csv sealed.csv

# Never over a file, nothing else written either.
cp now.csv now.before
run "$SORTES" export linkage --db t.db --persons persons.csv --output now.csv
expect_status 73
expect_err_contains "cannot create linkage file 'now.csv': it already exists"
check "the linkage file is unchanged" cmp -s now.csv now.before

# A seal of another key, a bad entry, usage.
run "$SORTES" keygen --output other
expect_status 0
run "$SORTES" export linkage --db t.db --persons persons.csv --seal s1 \
    --pubkey other.pub --output other.csv
expect_status 1
check "nothing written for a seal that does not check" test ! -e other.csv
check "no manifest for a seal that does not check" \
    test ! -e other.csv.manifest.json
run "$SORTES" export linkage --db t.db --persons persons.csv --at 99 \
    --output x.csv
expect_status 65
expect_err_contains "the log has 7 entries, not 99"
run "$SORTES" export linkage --db t.db --output x.csv
expect_status 64
expect_err_contains "export linkage needs --persons FILE"
run "$SORTES" export linkage --db t.db --persons persons.csv --seal s1 \
    --at 3
expect_status 64
run "$SORTES" export linkage --db t.db --persons missing.csv
expect_status 66

# A list that is refused writes nothing: a typo, a person twice.
printf '%s\n' "person" "010100-9001" "0101OO-9001" >typo.csv
run "$SORTES" export linkage --db t.db --persons typo.csv --output typo.out
expect_status 65
expect_err_contains "typo.csv:3: person identifier: character 5"
check "nothing written for a refused list" test ! -e typo.out
check "no manifest for a refused list" test ! -e typo.out.manifest.json
printf '%s\n' "person" "010100-9001" "0101009001" >twice.csv
run "$SORTES" export linkage --db t.db --persons twice.csv --output twice.out
expect_status 65
expect_err_contains "twice.csv:3: the same person as on line 2"
check "nothing written for a person twice" test ! -e twice.out
# On standard output too: not even the header of a refused list.
run "$SORTES" export linkage --db t.db --persons twice.csv
expect_status 65
expect_out_empty
printf '%s\n' "cpr" "010100-9001" >nocolumn.csv
run "$SORTES" export linkage --db t.db --persons nocolumn.csv
expect_status 65
expect_err_contains "the header needs the column 'person'"
expect_out_empty

# Needs the key file.
run "$SORTES" export linkage --db t.db --persons persons.csv --key no.key \
    --output nokey.csv
expect_status 66
expect_err_contains "persons are found by the pseudonyms that the trial's key file makes"
check "nothing written without the key" test ! -e nokey.csv

# To stdout: the rows alone.
run "$SORTES" export linkage --db t.db --persons persons.csv
expect_status 0
check "stdout is the linkage" cmp -s out now.csv

# Caseworker-level: the arm is the caseworker's.
ub_trial ub.db
ub_cohort youths.csv
run "$SORTES" enroll --db ub.db --csv youths.csv
expect_status 0
run "$SORTES" export linkage --db ub.db --persons youths.csv --output ub.csv
expect_status 0
expect_out_contains "wrote 4 rows"
i=0
for cw in CW01 CW02 CW03 CW04; do
	i=$((i + 1))
	expect_eq "$(sed -n "$((i + 1))p" ub.csv | cut -d, -f3)" \
	    "$(caseworker_arm ub.db "$cw")" "arm of youth $i ($cw)"
done

finish
