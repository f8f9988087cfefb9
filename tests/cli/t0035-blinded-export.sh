#!/bin/sh
# t0035-blinded-export: 'sortes blind' commits the trial to a mapping
# of arms to neutral labels (one 'blind' log entry); 'export
# allocations|followups --blinded' writes the labels, never the arm
# codes or names (the follow-ups' dictionary included), by the same
# mapping every run, without writing to the database; a blinded export
# as of an entry (allocations or follow-ups) names the commitment in its
# manifest and comes without the log extract; verify passes.  A format-1 trial is carried forward.
. "$SRCDIR/tests/cli/lib.sh"

# expect_log DB N - DB's log holds N entries (nothing written).
expect_log() {
	expect_eq "$(log_count "$1")" "$2" "log entries in $1"
}

# lacks TEXT FILE... - no FILE holds TEXT.
# shellcheck disable=SC2317 # called through check
lacks() {
	text=$1
	shift
	! grep -F -q -e "$text" "$@"
}

# arms_of BLINDED PLAIN - check that the blinded allocation export
# BLINDED is the export PLAIN with each arm and arm name replaced by one
# label, one label per arm, and entry_hash empty; print "CODE=LABEL" per
# arm.
arms_of() {
	python3 - "$1" "$2" <<'EOF'
import csv, sys
blind = list(csv.DictReader(open(sys.argv[1], newline="")))
plain = list(csv.DictReader(open(sys.argv[2], newline="")))
assert len(blind) == len(plain) > 0, (len(blind), len(plain))
label = {}
for b, p in zip(blind, plain):
    assert b["entry_hash"] == "" and p["entry_hash"] != "", b
    assert list(b) == list(p), (list(b), list(p))
    for k in p:
        if k not in ("arm", "arm_name", "entry_hash"):
            assert b[k] == p[k], (k, b[k], p[k])
    assert b["arm"].startswith("group "), b["arm"]
    assert b["arm_name"] == b["arm"], (b["arm_name"], b["arm"])
    assert label.setdefault(p["arm"], b["arm"]) == b["arm"], "two labels"
assert len(set(label.values())) == len(label), "one label, two arms"
print(" ".join("%s=%s" % kv for kv in sorted(label.items())))
EOF
}

# --- help and usage ---------------------------------------------------

run "$SORTES" blind --help
expect_status 0
expect_out_contains "usage: sortes blind [--key FILE] [--db FILE]"
run "$SORTES" export --help
expect_status 0
expect_out_contains "  -B, --blinded"
expect_out_contains "[--blinded [--key FILE]]"
run "$SORTES" blind extra
expect_status 64

new_trial "$UNGIFOKUS" f.db
run "$SORTES" enroll --db f.db --csv "$DATA/cohort-ungifokus.csv"
expect_status 0
expect_log f.db 21

# Nothing is blinded before the commitment; --key goes with --blinded.
run "$SORTES" export allocations --db f.db --blinded
expect_status 69
expect_out_empty
expect_err_contains "has no blinding commitment yet: 'sortes blind' makes it"
run "$SORTES" export allocations --db f.db --blinded --output none.csv
expect_status 69
check "a refused export wrote a file" test ! -e none.csv
run "$SORTES" export allocations --db f.db --key f.key
expect_status 64
expect_err_contains "--key goes with --blinded"

# --- the commitment -------------------------------------------------------

run "$SORTES" blind --db f.db --key no-such.key
expect_status 66
expect_log f.db 21
run "$SORTES" blind --db f.db
expect_status 0
expect_out_is "committed to the blinding in log entry 22; blinded exports label the arms group A to group B"
expect_err_empty
expect_log f.db 22
body=$("$SQLITE3" f.db "select body from log where seq = 22")
check "the entry is a blind entry with its labels" contains "$body" \
    '"kind":"blind","labels":["group A","group B"],"seq":22}'
commitment=$("$SQLITE3" f.db "select commitment from blindings")
check "the entry holds the table's commitment" contains "$body" \
    "\"commitment\":\"$commitment\""
run "$SORTES" blind --db f.db
expect_status 65
expect_err_contains "committed to a blinding already, in log entry 22"
expect_log f.db 22

# With unequal ratios the group sizes tell the arms apart: said, not
# refused.  (Equal ratios, above, gave no warning.)
awk '/ratio: 1/ && !done { sub(/ratio: 1/, "ratio: 2"); done = 1 }
    { sub(/block_sizes: \[2, 4, 6\]/, "block_sizes: [3, 6]"); print }' \
    "$UNGIFOKUS" >two-to-one.yaml
new_trial two-to-one.yaml r.db
run "$SORTES" blind --db r.db
expect_status 0
expect_err_contains "warning: the arms' allocation ratios differ, so the groups' sizes tell which label is which arm"

# --- blinded allocations ---------------------------------------------------

checkpoint f.db
before=$(cksum <f.db)
run "$SORTES" export allocations --db f.db --output plain.csv
expect_status 0
run "$SORTES" export allocations --db f.db --blinded --output b1.csv
expect_status 0
expect_out_empty
run "$SORTES" export allocations --db f.db --blinded --key f.key --output b2.csv
expect_status 0
check "two blinded exports differ" cmp -s b1.csv b2.csv
mapping=$(arms_of b1.csv plain.csv) || fail "the blinded export is not the plain one relabelled"
check "not one label per arm" contains "$mapping" "C=group "
check "not one label per arm" contains "$mapping" "I=group "
for name in "UngiFokus" "Ordinary employment effort" "$("$SQLITE3" f.db "select hash from log where seq = 2")"; do
	check "the blinded export holds '$name'" lacks "$name" b1.csv
done
# The dictionary beside it lists the labels in label order, each its
# own name, and names the commitment; no real arm code or name (the
# trial's title, which begins as an arm's name does, stays).
check "no dictionary beside the blinded allocations" test -f b1.csv-metadata.json
for text in '"UngiFokus: one primary contact person"' \
    "Ordinary employment effort" '"code":"C"' \
    '"code":"I"' '"value":"C"' '"value":"I"' '(C|I)' '(I|C)'; do
	check "the blinded allocations or dictionary hold '$text'" \
	    lacks "$text" b1.csv b1.csv-metadata.json
done
check "the blinded allocation dictionary" python3 -c '
import csv, json, sys
d = json.load(open(sys.argv[1]))
labels = ["group A", "group B"]
assert d["sortes:arms"] == [{"code": l, "name": l} for l in labels], d["sortes:arms"]
assert set(d["sortes:blinded"]) == {"commitment", "entry"}, d["sortes:blinded"]
cols = {c["name"]: c for c in d["tableSchema"]["columns"]}
assert cols["arm"]["datatype"]["format"] == "^(group A|group B)$"
assert cols["arm"]["sortes:levels"] == [{"label": l, "value": l} for l in labels]
assert cols["entry_hash"]["required"] is False
header = next(csv.reader(open(sys.argv[2], newline="")))
assert [c["name"] for c in d["tableSchema"]["columns"]] == header
' b1.csv-metadata.json b1.csv
check "the blinded dictionary does not name the commitment" \
    grep -q "\"sortes:blinded\":{\"commitment\":\"$commitment\",\"entry\":22}" \
    b1.csv-metadata.json
check "the plain dictionary names a blinding" lacks blinded plain.csv-metadata.json
run "$SORTES" export allocations --db f.db --blinded --format json
expect_status 0
cp out b1.json
run "$SORTES" export allocations --db f.db --blinded --format json
check "two blinded JSON exports differ" cmp -s out b1.json
check "a JSON arm is not a label" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert rows and all(r["arm"] in ("group A", "group B") and
    r["arm_name"] == r["arm"] and r["entry_hash"] == "" for r in rows)
' b1.json
checkpoint f.db
check "a blinded export changed the database" test "$before" = "$(cksum <f.db)"
expect_log f.db 22

# A wrong key file is refused, whatever the database says.
new_trial "$UNGIFOKUS" other.db
run "$SORTES" export allocations --db f.db --blinded --key other.key
expect_status 65
expect_out_empty

# --- as of an entry: the manifest names the commitment -----------------------

run "$SORTES" export allocations --db f.db --blinded --at 21 --output early.csv
expect_status 69
expect_err_contains "the blinding commitment is log entry 22, after entry 21 that the export is as of"
check "a refused export wrote a file" test ! -e early.csv
run "$SORTES" keygen --output lead
expect_status 0
run "$SORTES" freeze --db f.db --signing-key lead.pem --note "blinded analysis"
expect_status 0
run "$SORTES" export allocations --db f.db --blinded --seal f.db.seal-23 \
    --pubkey lead.pub --output sealed.csv
expect_status 0
check "a blinded export wrote the log extract, which holds the arms" \
    test ! -e sealed.csv.log
manifest=$(cat sealed.csv.manifest.json)
check "the manifest does not name the commitment" contains "$manifest" \
    "{\"blinded\":{\"commitment\":\"$commitment\",\"entry\":22},\"entries\":23,\"export\":\"sealed.csv\","
check "the sealed blinded export is not the blinded one" cmp -s sealed.csv b1.csv
run "$SORTES" verify-export sealed.csv --seal f.db.seal-23 --pubkey lead.pub
expect_status 69
expect_err_contains "is blinded: it has no log extract"
# The same seal without --blinded is checked as ever.
run "$SORTES" export allocations --db f.db --seal f.db.seal-23 --output open.csv
expect_status 0
check "an export that is not blinded names a blinding" \
    lacks blinded open.csv.manifest.json
run "$SORTES" verify-export open.csv --seal f.db.seal-23 --pubkey lead.pub
expect_status 0

run "$SORTES" verify --db f.db
expect_status 0
expect_out_contains "ok: 23 entries, 20 participants"
run "$SORTES" verify --db f.db --replay --key f.key
expect_status 0

# --- blinded follow-ups: no arm-specific occasion tells the arm -----------------

new_trial "$UNGEBUDGETTER" b.db
office_caseworkers 6
run "$SORTES" caseworker import cws.csv --db b.db
expect_status 0
run "$SORTES" randomize --db b.db --beacon 0011223344556677
expect_status 0
for n in 1 2 3 4; do
	run "$SORTES" enroll --db b.db --person "170500-900$n" \
	    --caseworker "CW0$n" --field birth_date=2000-05-17 \
	    --field months_without_job_or_education=12 \
	    --field benefit=uddannelseshjaelp
	expect_status 0
done
run "$SORTES" blind --db b.db
expect_status 0
run "$SORTES" export followups --db b.db --output plain-fu.csv
expect_status 0
check "the trial has no budget occasions to hide" grep -q m12_budget plain-fu.csv
run "$SORTES" export followups --db b.db --blinded --output fu.csv
expect_status 0
check "no dictionary beside the blinded follow-ups" test -f fu.csv-metadata.json
for text in m12_budget m24_budget budget_use_satisfaction \
    "Citizen-controlled" "Ordinary casework" '"code":"B"' '"code":"C"' \
    '"arms":["B"' 'B|C'; do
	check "the blinded follow-ups or dictionary hold '$text'" \
	    lacks "$text" fu.csv fu.csv-metadata.json
done
check "the follow-ups' arms are not labels" python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
plain = [r for r in csv.DictReader(open(sys.argv[2], newline=""))
         if not r["occasion"].endswith("_budget")]
assert len(rows) == len(plain) > 0
label = {}
for b, p in zip(rows, plain):
    assert b["arm"] in ("group A", "group B")
    assert label.setdefault(p["arm"], b["arm"]) == b["arm"]
assert len(set(label.values())) == 2
d = json.load(open(sys.argv[3]))
assert [a["code"] for a in d["sortes:arms"]] == ["group A", "group B"]
assert [a["name"] for a in d["sortes:arms"]] == ["group A", "group B"]
assert d["sortes:blinded"]["entry"] == 13, d["sortes:blinded"]
assert [o["code"] for o in d["sortes:occasions"]] == ["m12", "m24", "m36"]
arm = [c for c in d["tableSchema"]["columns"] if c["name"] == "arm"][0]
assert arm["datatype"]["format"] == "^(group A|group B)$", arm
' fu.csv plain-fu.csv fu.csv-metadata.json
run "$SORTES" export followups --db b.db --blinded --format json
expect_status 0
check "blinded JSON follow-ups hold a budget occasion" \
    lacks _budget out
cp out fu.json
run "$SORTES" verify --db b.db
expect_status 0

# --- blinded follow-ups as of a seal or entry ----------------------------------

run "$SORTES" export followups --db b.db --blinded --at 12 --output fu-early.csv
expect_status 69
expect_err_contains "the blinding commitment is log entry 13, after entry 12 that the export is as of"
check "a refused export wrote a file" test ! -e fu-early.csv
check "a refused export wrote a manifest" test ! -e fu-early.csv.manifest.json
run "$SORTES" freeze --db b.db --signing-key lead.pem --note "blinded follow-ups"
expect_status 0
run "$SORTES" export followups --db b.db --blinded --seal b.db.seal-14 \
    --pubkey lead.pub --output fu-sealed.csv
expect_status 0
expect_out_empty
run "$SORTES" export followups --db b.db --blinded --at 13 --output fu-13.csv
expect_status 0
run "$SORTES" export followups --db b.db --blinded --at 13 --format json \
    --output fu-13.json
expect_status 0
# Nothing that changes the follow-ups was logged after the commitment:
# as of it, the export is the one as it stood, labels and all.
check "the sealed blinded follow-ups are not the blinded ones" \
    cmp -s fu-sealed.csv fu.csv
check "the blinded follow-ups at 13 are not the blinded ones" \
    cmp -s fu-13.csv fu.csv
check "the blinded JSON follow-ups at 13 are not the blinded ones" \
    cmp -s fu-13.json fu.json
check "the blinded JSON follow-ups at 13 hold no label" \
    grep -q '"arm":"group A"' fu-13.json
check "a blinded follow-up export wrote the log extract" \
    test ! -e fu-sealed.csv.log
check "no protocol beside the blinded follow-ups" test -f fu-sealed.csv.protocol
check "no dictionary beside the sealed blinded follow-ups" \
    test -f fu-sealed.csv-metadata.json
check "the sealed and the current blinded dictionaries differ" python3 -c '
import json, sys
d, e = (json.load(open(f)) for f in sys.argv[1:])
assert d.pop("url") == "fu-sealed.csv" and e.pop("url") == "fu.csv"
assert d == e
' fu-sealed.csv-metadata.json fu.csv-metadata.json
for text in m12_budget m24_budget budget_use_satisfaction \
    "Citizen-controlled" "Ordinary casework" '"code":"B"' '"code":"C"' \
    '"arms":["B"' 'B|C' ',B,' ',C,' '"arm":"B"' '"arm":"C"'; do
	check "the sealed blinded follow-ups hold '$text'" lacks "$text" \
	    fu-sealed.csv fu-sealed.csv-metadata.json \
	    fu-sealed.csv.manifest.json fu-13.csv fu-13.json
done
manifest=$(cat fu-sealed.csv.manifest.json)
bcommitment=$("$SQLITE3" b.db "select commitment from blindings")
check "the follow-up manifest does not name the commitment" \
    contains "$manifest" \
    "{\"blinded\":{\"commitment\":\"$bcommitment\",\"entry\":13},"
check "the follow-up manifest names a seal" contains "$manifest" '"seal":{'
check "the follow-up manifest at 13 names a seal" \
    grep -q '"seal":null' fu-13.csv.manifest.json
# Enrolled after the seal: the sealed export is the same bytes.
run "$SORTES" enroll --db b.db --person 170500-9005 --caseworker CW05 \
    --field birth_date=2000-05-17 --field months_without_job_or_education=12 \
    --field benefit=uddannelseshjaelp
expect_status 0
run "$SORTES" export followups --db b.db --blinded --seal b.db.seal-14 \
    --pubkey lead.pub --output fu-sealed2.csv
expect_status 0
check "the sealed blinded follow-ups changed" cmp -s fu-sealed.csv fu-sealed2.csv
check "the sealed blinded manifests differ" python3 -c '
import json, sys
m, n = (json.load(open(f)) for f in sys.argv[1:])
for k in ("blinded", "entries", "head", "rows", "export_sha256", "seal"):
    assert m[k] == n[k], (k, m[k], n[k])
' fu-sealed.csv.manifest.json fu-sealed2.csv.manifest.json
run "$SORTES" verify-export fu-sealed.csv --seal b.db.seal-14 --pubkey lead.pub
expect_status 69
expect_err_contains "is blinded: it has no log extract"
run "$SORTES" export followups --db b.db --seal b.db.seal-14 --output fu-open.csv
expect_status 0
run "$SORTES" verify-export fu-open.csv --seal b.db.seal-14 --pubkey lead.pub
expect_status 0

# --- a trial of log format 1 is carried forward ----------------------------------

V1=$SRCDIR/tests/data/v1
"$SQLITE3" v1.db <"$V1/ungifokus.sql" || fail "cannot load ungifokus.sql"
cp "$V1/ungifokus.key" v1.key
chmod 600 v1.key
expect_eq "$("$SQLITE3" v1.db 'pragma user_version')" 4 "the fixture's schema"
run env SORTES_NOW=2025-10-01T08:00:00Z "$SORTES" blind --db v1.db
expect_status 0
expect_out_contains "log entry 18"
expect_eq "$("$SQLITE3" v1.db 'pragma user_version')" 6 "schema after blinding"
run "$SORTES" export allocations --db v1.db --blinded
expect_status 0
expect_out_contains ",group "
run "$SORTES" verify --db v1.db --replay --key v1.key
expect_status 0
expect_out_contains "ok: 18 entries, 12 participants"

finish
