#!/bin/sh
# t0020-protocol-diagnostics: protocol check and init print every error
# of a protocol in file order (up to 20, then how many more), suggest
# the word meant, and refuse a time zone this system does not know;
# an existing trial whose zone is missing still opens.
. "$SRCDIR/tests/cli/lib.sh"

# expect_err_is TEXT - stderr is exactly TEXT plus a final newline.
expect_err_is() {
	checks=$((checks + 1))
	printf '%s\n' "$1" >expected
	cmp -s expected err || fail "stderr is not exactly:
$1"
}

# A zone directory that has Europe/Copenhagen (enough of a zone file
# for the check) and one that has nothing.
mkdir -p zones/Europe nozones
printf 'TZif2' >zones/Europe/Copenhagen

# One error in each of several places, found in another order than
# they stand: randomization is read after arms and fields.
cat >several.yaml <<'EOF'
sortes: 1
trial:
  id: several
  title: Several errors
  sponsor: The test suite
  timezone: Europe/Kopenhagen
  target_enrollment: 10
randomization:
  unit: individual
  method: stratified_blocks
  strata: [jobcentre, sex]
  block_sizes: [2, 3]
arms:
  - {code: A, name: One, ratio: 1}
  - {code: B, name: Two, ratoi: 1}
fields:
  - {name: sex, type: enum, values: [F, M]}
  - {name: jobcenter, type: enum, values: [nord, syd]}
  - {name: age, type: integr}
eligibility:
  - {name: women, field: sex, equals: f}
  - {name: adults, age_of: birthdate, min: 18}
EOF
run env TZDIR="$PWD/zones" "$SORTES" protocol check several.yaml
expect_status 65
expect_out_empty
expect_err_is "sortes: several.yaml:6:13: timezone 'Europe/Kopenhagen' is not a time zone on this system (a misspelling, or tzdata missing); expected an IANA name such as Europe/Copenhagen; did you mean 'Europe/Copenhagen'?
sortes: several.yaml:11:12: unknown field 'jobcentre' in strata; expected an enum or boolean field, a derived field or caseworker_team; did you mean 'jobcenter'?
sortes: several.yaml:15:26: unknown key 'ratoi' in arm; expected one of code, name, ratio; did you mean 'ratio'?
sortes: several.yaml:19:23: unknown type 'integr'; expected one of string, integer, date, enum, boolean; did you mean 'integer'?
sortes: several.yaml:21:39: 'f' is not a value of field 'sex'; expected one of F, M; did you mean 'F'?
sortes: several.yaml:22:28: unknown field 'birthdate' in age_of; expected a field declared under fields"

# init says the same, and writes nothing.
run env TZDIR="$PWD/zones" "$SORTES" init --protocol several.yaml --db several.db
expect_status 65
expect_out_empty
cp err init-err
run env TZDIR="$PWD/zones" "$SORTES" protocol check several.yaml
check "init prints what protocol check prints" cmp -s err init-err
for f in several.db several.key several.db-journal several.db-wal; do
	check "init wrote no $f" test ! -e "$f"
done

# Past 20 errors the rest are counted; the one standing first is kept
# although it is found last.
{
	printf 'sortes: 1\n'
	printf 'trial: {id: many, title: M, sponsor: S, timezone: UTC, target_enrollment: 1}\n'
	printf 'randomization: {unit: individual, method: simpel}\n'
	printf 'arms: [{code: A, name: a, ratio: 1}, {code: B, name: b, ratio: 1}]\n'
	printf 'fields:\n'
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
		printf '  - {name: f%s, type: text}\n' "$i"
	done
} >many.yaml
run "$SORTES" protocol check many.yaml
expect_status 65
expect_out_empty
check "21 lines" test "$(wc -l <err)" -eq 21
expect_eq "$(sed -n 1p err)" "sortes: many.yaml:3:43: unknown method 'simpel'; expected one of simple, blocks, stratified_blocks, minimization; did you mean 'simple'?" "the first line"
expect_eq "$(sed -n 2p err)" "sortes: many.yaml:6:22: unknown type 'text'; expected one of string, integer, date, enum, boolean" "the second line"
expect_eq "$(sed -n 20p err)" "sortes: many.yaml:24:23: unknown type 'text'; expected one of string, integer, date, enum, boolean" "the last error shown"
expect_eq "$(sed -n 21p err)" "sortes: many.yaml: and 5 more errors" "the count"

# Several files: each file's errors, then the next file.
sed '3s/simpel/simple/; 7,$d' many.yaml >one.yaml
run "$SORTES" protocol check one.yaml many.yaml
expect_status 65
expect_eq "$(sed -n 1p err)" "sortes: one.yaml:6:22: unknown type 'text'; expected one of string, integer, date, enum, boolean" "one.yaml's error"
expect_eq "$(sed -n 2p err)" "sortes: many.yaml:3:43: unknown method 'simpel'; expected one of simple, blocks, stratified_blocks, minimization; did you mean 'simple'?" "then many.yaml's"
check "one error, then 21 lines" test "$(wc -l <err)" -eq 22

# The time zone alone: refused with its position, known ones pass.
cat >zone.yaml <<'EOF'
sortes: 1
trial:
  id: zone
  title: A trial in a misspelt zone
  sponsor: The test suite
  timezone: Europe/Kopenhagen
  target_enrollment: 10
arms:
  - {code: A, name: One, ratio: 1}
  - {code: B, name: Two, ratio: 1}
randomization: {unit: individual, method: simple}
EOF
run env TZDIR="$PWD/zones" "$SORTES" init --protocol zone.yaml --db zone.db
expect_status 65
expect_out_empty
expect_err_is "sortes: zone.yaml:6:13: timezone 'Europe/Kopenhagen' is not a time zone on this system (a misspelling, or tzdata missing); expected an IANA name such as Europe/Copenhagen; did you mean 'Europe/Copenhagen'?"
for f in zone.db zone.key zone.db-journal zone.db-wal; do
	check "init wrote no $f" test ! -e "$f"
done

sed 's/Kopenhagen/Copenhagen/' zone.yaml >known.yaml
run env TZDIR="$PWD/zones" "$SORTES" protocol check known.yaml
expect_status 0
expect_out_contains "known.yaml: ok: trial 'zone'"
expect_err_empty
run env TZDIR="$PWD/nozones" "$SORTES" protocol check known.yaml
expect_status 65
expect_err_is "sortes: known.yaml:6:13: timezone 'Europe/Copenhagen' is not a time zone on this system (a misspelling, or tzdata missing); expected an IANA name such as Europe/Copenhagen"

# Without a timezone key the default is checked, at the trial mapping.
sed '/timezone:/d' zone.yaml >default.yaml
run env TZDIR="$PWD/nozones" "$SORTES" init --protocol default.yaml --db default.db
expect_status 65
expect_err_is "sortes: default.yaml:3:3: trial has no timezone, and the default 'Europe/Copenhagen' is not a time zone on this system (tzdata missing?); expected tzdata installed, or a timezone that this system has"
check "init wrote no default.db" test ! -e default.db
check "init wrote no default.key" test ! -e default.key
sed 's/Kopenhagen/Copenhagen/; s/timezone: .*/timezone: UTC/' zone.yaml >utc.yaml
run env TZDIR="$PWD/nozones" "$SORTES" protocol check utc.yaml
expect_status 0

# A known zone: init works.  The system's own zone files from here on.
run env TZDIR="$PWD/zones" "$SORTES" init --protocol known.yaml --db known.db
expect_status 0
expect_out_contains "created trial 'zone' in known.db"
expect_err_empty

# A trial whose zone this machine lacks still opens as before: what
# needs the zone stops with 69, what does not works.
run env TZDIR="$PWD/nozones" "$SORTES" verify --db known.db
expect_status 69
expect_out_empty
expect_err_contains "time zone 'Europe/Copenhagen' is not known on this system"
run env TZDIR="$PWD/nozones" "$SORTES" protocol show --db known.db
expect_status 0
check "the stored protocol is shown" cmp -s out known.yaml
run "$SORTES" verify --db known.db
expect_status 0

finish
