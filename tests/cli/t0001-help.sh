#!/bin/sh
# t0001-help: help texts, and how bad command lines are refused (exit 64).
. "$SRCDIR/tests/cli/lib.sh"

commands="init protocol enroll verify export rng help"

# The overview, both ways.
for how in --help -h help; do
	run "$SORTES" "$how"
	expect_status 0
	expect_out_contains "usage: sortes COMMAND"
	for c in $commands; do
		expect_out_contains "  $c "
	done
	expect_err_empty
done

run "$SORTES" --version
expect_status 0
expect_out_contains "sortes "

# Every command's own help, as an option and through 'help CMD'.
# (help --help is checked at the end.)
for c in init protocol enroll verify export rng; do
	run "$SORTES" "$c" --help
	expect_status 0
	expect_out_contains "usage: sortes $c"
	expect_err_empty

	run "$SORTES" help "$c"
	expect_status 0
	expect_out_contains "usage: sortes $c"
	expect_err_empty
done

# No command at all: the overview goes to stderr, as an error.
run "$SORTES"
expect_status 64
expect_out_empty
expect_err_contains "usage: sortes COMMAND"

# An unknown command is named in the message.
run "$SORTES" frobnicate --db x.db
expect_status 64
expect_out_empty
expect_err_contains "unknown command 'frobnicate'"

run "$SORTES" help frobnicate
expect_status 64
expect_err_contains "unknown command 'frobnicate'"

# Unknown options, long and short, point at the command's help.
for c in init protocol enroll verify export rng; do
	run "$SORTES" "$c" --no-such-option
	expect_status 64
	expect_out_empty
	expect_err_contains "unknown option '--no-such-option'"
	expect_err_contains "Try 'sortes $c --help'"

	run "$SORTES" "$c" -x
	expect_status 64
	expect_err_contains "unknown option '-x'"
	expect_err_contains "Try 'sortes $c --help'"
done

# An option given without its value, as the last word.
for case in "init --protocol" "protocol --db" "enroll --person" \
    "enroll --csv" "verify --db" "export --format" "rng --seed" \
    "rng --bound"; do
	c=${case%% *}
	opt=${case#* }
	run "$SORTES" "$c" "$opt"
	expect_status 64
	expect_out_empty
	expect_err_contains "option '$opt' needs a value"
	expect_err_contains "Try 'sortes $c --help'"
done

# Arguments a command does not take, or misses.
run "$SORTES" verify extra
expect_status 64
expect_err_contains "unexpected argument 'extra'"
expect_err_contains "Try 'sortes verify --help'"

run "$SORTES" protocol
expect_status 64
expect_err_contains "expected 'check' or 'show'"

run "$SORTES" export
expect_status 64
expect_err_contains "expected 'allocations'"

run "$SORTES" init
expect_status 64
expect_err_contains "--protocol FILE is required"

run "$SORTES" enroll --csv x.csv --person TEST-0001
expect_status 64
expect_err_contains "--csv cannot be combined"

run "$SORTES" enroll --person TEST-0001 --caseworker CW1 --delimiter ';'
expect_status 64
expect_err_contains "go with --csv"

run "$SORTES" enroll --person TEST-0001 --caseworker CW1 --field sex
expect_status 64
expect_err_contains "--field 'sex' is not NAME=VALUE"

# A usage error is found before any file is touched.
check "a refused command created a database" test ! -e x.db
check "a refused command created trial.db" test ! -e trial.db

run "$SORTES" help help
expect_status 0
expect_out_contains "usage: sortes help [COMMAND]"

# 'help' is a command like the others: its --help works too.
# (Fails with sortes 0.1.0: exit 64, "unknown command '--help'".)
run "$SORTES" help --help
expect_status 0
expect_out_contains "usage: sortes help"
expect_err_empty

finish
