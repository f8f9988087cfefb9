#!/bin/sh
# t0022-constrained-coding: constrained randomization codes an enum
# covariate against a reference level by default, one column per level
# when the protocol asks (randomization.constrained.coding); the score
# distribution printed is that of docs/constrained.md's worked example;
# a trial of log format 1 still replays its randomize entry.
. "$SRCDIR/tests/cli/lib.sh"

# protocol CODING_LINE - the worked example's trial (docs/constrained.md):
# caseload and a three-level office, keep a quarter.
protocol() {
	cat <<EOF
sortes: 1
trial: {id: cw6, title: Six caseworkers, sponsor: Test, target_enrollment: 12}
arms:
  - {code: I, name: Intervention, ratio: 1}
  - {code: C, name: Control, ratio: 1}
caseworkers:
  covariates:
    - {name: caseload, type: integer, min: 0, max: 200, required: true}
    - {name: office, type: enum, values: [midt, nord, syd], required: true}
randomization:
  unit: caseworker
  method: constrained
  constrained:
    covariates: [caseload, office]
    keep: 0.25
$1
fields:
  - {name: birth_date, type: date, required: true}
EOF
}

cat >cw.csv <<'EOF'
code,team,caseload,office
CW01,Team A,7,midt
CW02,Team A,9,midt
CW03,Team A,10,nord
CW04,Team A,10,nord
CW05,Team A,11,syd
CW06,Team A,13,syd
EOF

protocol "" >default.yaml
protocol "    coding: reference" >reference.yaml
protocol "    coding: per_level" >per-level.yaml
protocol "    coding: dummy" >bad.yaml

# --- the key ------------------------------------------------------------

for p in default reference per-level; do
	run "$SORTES" protocol check "$p.yaml"
	expect_status 0
	expect_out_contains "$p.yaml: ok: trial 'cw6'"
done
run "$SORTES" protocol check bad.yaml
expect_status 65
expect_out_empty
expect_err_contains "bad.yaml:16:13: unknown coding 'dummy'; expected reference or per_level"
run "$SORTES" init --protocol bad.yaml --db bad.db
expect_status 65
check "a trial was created from a bad coding" test ! -e bad.db

# column NAME - the balance table's row for column NAME: its sd, or
# nothing when there is no such row.
column() {
	awk -F '	' -v name="  $1" '$1 == name { print $4 }' out
}

# randomized DB PROTOCOL - a new trial with the six caseworkers,
# randomized; stdout and stderr of randomize in ./out and ./err.
randomized() {
	new_trial "$2" "$1"
	run "$SORTES" caseworker import cw.csv --db "$1"
	expect_status 0
	run "$SORTES" randomize --db "$1"
	expect_status 0
	expect_out_contains "randomized 6 caseworkers by constrained, log entry 8: I 3, C 3"
	expect_out_contains 'report {"caseworkers":6,"exact":true,"kept":8,"rank":'
	expect_out_contains ',"space":20}'
	expect_out_contains "space: 20 allocations (all enumerated), constrained: 8 kept (best 40.00%, ties at the cutoff kept), cutoff score 0.444444"
}

# --- reference coding: the default and when asked for --------------------

for p in default reference; do
	randomized "$p.db" "$p.yaml"
	expect_out_contains "scores: min 0  5% 0  10% 0  20% 0  25% 0.444444  30% 0.444444  50% 1.77778  75% 3.44444  95% 4.33333  max 4.33333  mean 2  sd 1.58231"
	expect_out_contains "balance (enums coded against a reference level):	mean I	mean C	sd	std. difference"
	expect_eq "$(column caseload)" 2 "caseload sd"
	expect_eq "$(column office=midt)" "" "a column for the reference level"
	expect_eq "$(column office=nord)" 0.5164 "office=nord sd"
	expect_eq "$(column office=syd)" 0.5164 "office=syd sd"
	expect_eq "$("$SQLITE3" "$p.db" "select body like '%\"log_format\":2%' from log where seq = 1")" 1 "log format of a new trial"
	run "$SORTES" verify --db "$p.db" --replay --key "$p.key"
	expect_status 0
	expect_out_contains "ok: 8 entries"
done

# --- one column per level --------------------------------------------------

randomized per-level.db per-level.yaml
expect_out_contains "scores: min 0  5% 0  10% 0  20% 0  25% 0.444444  30% 0.444444  50% 3.44444  75% 4.33333  95% 5.11111  max 5.11111  mean 2.66667  sd 2.06917"
expect_out_contains "balance (enums coded one column per level):	mean I	mean C	sd	std. difference"
expect_eq "$(column office=midt)" 0.5164 "office=midt sd"
expect_eq "$(column office=nord)" 0.5164 "office=nord sd"
expect_eq "$(column office=syd)" 0.5164 "office=syd sd"
run "$SORTES" verify --db per-level.db --replay --key per-level.key
expect_status 0

# --- a trial of log format 1 -------------------------------------------------
#
# tests/data/v1/ungebudgetter.sql was randomized with one column per
# office (log entry 12).  Replay must re-derive that entry; the only
# failure allowed is the one of its later new-hire enrollments that
# another fix removes (entry 18), never entry 12.
"$SQLITE3" v1.db <"$DATA/v1/ungebudgetter.sql"
run "$SORTES" verify --db v1.db --replay
if [ "$status" -eq 0 ]; then
	expect_out_contains "ok: "
else
	expect_status 1
	printf '%s\n' "sortes: log entry 18: replay from the seed gives another arm for this participant's caseworker" >expected
	check "replay of the format-1 trial fails otherwise than on a new hire" cmp -s expected err
fi
check "replay of the format-1 trial rejects its randomize entry" sh -c '! grep -q "log entry 12:" err'

finish
