#!/bin/sh
# t0003-protocol-check: shipped protocols pass; broken ones are refused
# with 65 and file:line:col; a missing file is 66.
. "$SRCDIR/tests/cli/lib.sh"

# The shipped trials.
run "$SORTES" protocol check "$UNGIFOKUS"
expect_status 0
expect_out_contains "$UNGIFOKUS: ok: trial 'ungifokus', 2 arms, individual randomization (stratified_blocks), 5 fields, 3 eligibility rules, 3 follow-ups"
expect_err_empty

run "$SORTES" protocol check "$UNGEBUDGETTER"
expect_status 0
expect_out_contains "$UNGEBUDGETTER: ok: trial 'ungebudgetter', 2 arms, caseworker randomization (constrained), 3 fields, 3 eligibility rules, 5 follow-ups"
expect_err_empty

# Several files at once: one "ok" line each.
run "$SORTES" protocol check "$UNGIFOKUS" "$UNGEBUDGETTER"
expect_status 0
check "two ok lines expected" test "$(grep -c ': ok: ' out)" -eq 2

# A small valid protocol; the broken ones below are edits of it, so
# the line numbers of their errors are known.
cat >mini.yaml <<'EOF'
sortes: 1
trial:
  id: mini
  title: A minimal trial
  sponsor: The test suite
  timezone: UTC
  target_enrollment: 10
arms:
  - code: A
    name: Intervention
    ratio: 1
  - code: B
    name: Control
    ratio: 1
randomization:
  unit: individual
  method: simple
fields:
  - name: sex
    label: Sex
    type: enum
    values: [F, M]
    required: true
EOF
run "$SORTES" protocol check mini.yaml
expect_status 0
expect_out_contains "mini.yaml: ok: trial 'mini'"

# A typo in a key of the second arm (line 14, column 5).
sed '14s/ratio/ratoi/' mini.yaml >typo.yaml
run "$SORTES" protocol check typo.yaml
expect_status 65
expect_out_empty
expect_err_contains "typo.yaml:14:5: unknown key 'ratoi'"
# ... with the key meant, and that key not also reported missing.
expect_err_contains "typo.yaml:14:5: unknown key 'ratoi' in arm; expected one of code, name, ratio; did you mean 'ratio'?"
check "one error line" test "$(wc -l <err)" -eq 1

# A value the key does not allow (line 17, column 11).
sed '17s/simple/coin_toss/' mini.yaml >method.yaml
run "$SORTES" protocol check method.yaml
expect_status 65
expect_err_contains "method.yaml:17:11:"
expect_err_contains "coin_toss"

# A required key left out: the error points at its mapping (line 3).
sed '/sponsor:/d' mini.yaml >nosponsor.yaml
run "$SORTES" protocol check nosponsor.yaml
expect_status 65
expect_err_contains "nosponsor.yaml:3:3: missing key 'sponsor'"

# Both mistakes at once: both are reported, in file order.
sed '/sponsor:/d; 14s/ratio/ratoi/' mini.yaml >two.yaml
run "$SORTES" protocol check two.yaml
expect_status 65
expect_out_empty
expect_eq "$(sed -n 1p err)" "sortes: two.yaml:3:3: missing key 'sponsor' in trial; expected who runs and funds the trial" "first error"
expect_eq "$(sed -n 2p err)" "sortes: two.yaml:13:5: unknown key 'ratoi' in arm; expected one of code, name, ratio; did you mean 'ratio'?" "second error"
check "two error lines" test "$(wc -l <err)" -eq 2

# YAML syntax errors.
printf 'sortes: 1\ntrial:\n\tid: x\n' >tab.yaml
run "$SORTES" protocol check tab.yaml
expect_status 65
expect_err_contains "tab.yaml:3:1:"

printf 'sortes: 1\ntrial: [\n' >unclosed.yaml
run "$SORTES" protocol check unclosed.yaml
expect_status 65
expect_err_contains "unclosed.yaml:3:1:"

sed '1s/1/2/' mini.yaml >version.yaml
run "$SORTES" protocol check version.yaml
expect_status 65
expect_err_contains "version.yaml:1:9: unsupported format version 2"

: >empty.yaml
run "$SORTES" protocol check empty.yaml
expect_status 65
expect_err_contains "empty.yaml:1:1:"

# A good and a bad file: the good one is still reported, the status
# is the failure's.
run "$SORTES" protocol check mini.yaml typo.yaml
expect_status 65
expect_out_contains "mini.yaml: ok"
expect_err_contains "typo.yaml:14:5:"

# A file that is not there.
run "$SORTES" protocol check no-such.yaml
expect_status 66
expect_out_empty
expect_err_contains "no-such.yaml"

# A directory is not a protocol either.
mkdir protocols.d
run "$SORTES" protocol check protocols.d
expect_status 66
expect_out_empty
expect_err_contains "sortes: protocol 'protocols.d' is a directory"

run "$SORTES" protocol check
expect_status 64
expect_err_contains "'check' needs a FILE"

finish
