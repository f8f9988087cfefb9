#!/bin/sh
# t0002-rng: the raw generator matches the published PCG32 reference, so
# that an auditor can cross-check it with any other implementation.
. "$SRCDIR/tests/cli/lib.sh"

# pcg32-demo.c of the reference implementation (pcg-random.org) seeds
# with initstate 42, initseq 54 and prints these outputs first.
reference='0xa15c02b7
0x7b47f409
0xba1d3330
0x83d2f293
0xbfa4784b
0xcbed606e'

run "$SORTES" rng --seed 42 --stream 54 --count 6
expect_status 0
expect_out_is "$reference"
expect_err_empty

# The default count is 6.
run "$SORTES" rng --seed 42 --stream 54
expect_status 0
expect_out_is "$reference"

# The options are long only: -s is --seal elsewhere (docs/options.md).
run "$SORTES" rng -s 42 -S 54 -n 6
expect_status 64
expect_err_contains "unknown option '-s'"

# Unbiased bounded draws (the reference demo's "rolls of a die",
# 0-based), in decimal.
run "$SORTES" rng --seed 42 --stream 54 --bound 6 --count 10
expect_status 0
expect_out_is '3
3
2
1
1
4
5
3
0
2'

run "$SORTES" rng --seed 42 --stream 54 --bound 1 --count 3
expect_status 0
expect_out_is '0
0
0'

run "$SORTES" rng --seed 42 --stream 54 --count 0
expect_status 0
expect_out_empty

# The extremes of each range are accepted.
run "$SORTES" rng --seed 18446744073709551615 --stream 9223372036854775807 \
    --bound 4294967295 --count 1
expect_status 0
check "one draw expected" test "$(wc -l <out)" -eq 1

# Bad numbers: each is refused with 64 and names the value, and nothing
# is printed on stdout.
for bad in "--seed x --stream 1" \
    "--seed -1 --stream 1" \
    "--seed +5 --stream 1" \
    "--seed 0x10 --stream 1" \
    "--seed 12abc --stream 1" \
    "--seed 18446744073709551616 --stream 1" \
    "--seed 1 --stream 9223372036854775808" \
    "--seed 1 --stream 1 --count 1x" \
    "--seed 1 --stream 1 --count 1099511627777" \
    "--seed 1 --stream 1 --bound 0" \
    "--seed 1 --stream 1 --bound 4294967296"; do
	# word splitting of $bad is wanted: it is an argument list
	# shellcheck disable=SC2086
	run "$SORTES" rng $bad
	expect_status 64
	expect_out_empty
	expect_err_contains "is not a number"
	expect_err_contains "Try 'sortes rng --help'"
done

run "$SORTES" rng --seed '' --stream 1
expect_status 64
expect_err_contains "--seed '' is not a number"

# Both the seed and the stream are needed.
run "$SORTES" rng --seed 42
expect_status 64
expect_err_contains "--seed and --stream are required"

run "$SORTES" rng --stream 54
expect_status 64
expect_err_contains "--seed and --stream are required"

run "$SORTES" rng --seed 42 --stream 54 6
expect_status 64
expect_err_contains "unexpected argument '6'"

finish
