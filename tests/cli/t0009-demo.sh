#!/bin/sh
# The quick start's demo runs end to end: the README promises it.
. "$SRCDIR/tests/cli/lib.sh"

PATH=$(dirname "$SQLITE3"):$PATH
export PATH
run env DEMO_DIR="$tmpdir/demo" sh "$SRCDIR/scripts/demo.sh" "$SORTES"
expect_status 0
expect_err_contains "nobody was enrolled"
expect_out_contains "enrolled 198 of 200 rows"
expect_err_contains "person is already enrolled"
expect_err_contains "person identifier: character 1 is U+200B (zero width space)"
expect_out_contains "ok: 200 entries, 199 participants"
expect_out_contains "199 participants in allocations.csv"
expect_err_contains "log entry 10: the participant and allocation tables do not agree"
expect_out_contains "registered 20 of 20 caseworkers"
expect_out_contains "randomized 20 caseworkers by constrained"
expect_out_contains "space: 184756 allocations (all enumerated)"
# The office coded against midt: the 10% kept and its cutoff are those
# of three office columns, not four.
expect_out_contains "space: 184756 allocations (all enumerated), constrained: 19162 kept (best 10.37%, ties at the cutoff kept), cutoff score 0.276818"
expect_out_contains "balance (enums coded against a reference level):"
expect_out_contains "pairs: share an arm in"
expect_out_contains "new hire, arm"
expect_out_contains "enrolled 20 of 20 rows: B 10, C 10"
expect_out_contains "the arm stays (intention to treat)"
expect_out_contains "21800.00 DKK remaining"
expect_err_contains "would overspend the budget: 15200.50 DKK spent, 9799.50 DKK remaining"
expect_out_contains "10 participants with a budget: 15200.50 DKK spent, 234799.50 DKK remaining"
expect_out_contains "log entry 50, correcting entry 48"
expect_out_contains "recorded as missed: follow-up m12"
expect_out_contains "log entry 52 (outside the window, flagged)"
expect_err_contains "open follow-ups in the calendar"
expect_out_contains "ok: 52 entries, 20 participants"
expect_out_contains "demo: done"
finish
