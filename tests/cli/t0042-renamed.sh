#!/bin/sh
# t0042-renamed: options renamed when every letter was given one
# meaning.  The old spelling is refused with the new one named
# (docs/options.md, "Renamed in this version"), and the new one is the
# command's.
. "$SRCDIR/tests/cli/lib.sh"

doc=$SRCDIR/docs/options.md

# The table's rows, as "command|old|now" with the backquotes gone.
# shellcheck disable=SC2016 # the backquotes are the doc's, not the shell's
sed -n '/^<!-- renamed:/,/^$/p' "$doc" |
    sed -n 's/^| \([a-z -]*\) | `\([^`]*\)` | `\([^`]*\)` |$/\1|\2|\3/p' >rows
check "the doc lists renamed options" test -s rows
expect_eq "$(wc -l <rows | tr -d ' ')" 19 "rows in the renamed table"

while IFS='|' read -r command old now; do
	# rng's options all take a value; give one so that the option is
	# not refused for lacking it.
	# shellcheck disable=SC2086 # "followup record": command, subcommand
	run "$SORTES" $command "$old" 1
	expect_status 64
	expect_err_contains "unknown option '$old': it is now $now (docs/options.md)"
	"$SORTES" help "${command%% *}" >helptext
	newest=${now##* }
	checks=$((checks + 1))
	grep -q -e "$newest " helptext || fail "'$command --help' lacks $newest"
done <rows

# An option that never existed gets no hint.
run "$SORTES" enroll --bogus
expect_status 64
expect_err_contains "unknown option '--bogus'"
check "no hint for an option that never was" sh -c '! grep -q "it is now" err'
# A renamed option given with '=' is named without its value.
run "$SORTES" freeze --key=lead.pem
expect_status 64
expect_err_contains "unknown option '--key': it is now --signing-key"
# keygen --out is --output shortened, still taken.
run "$SORTES" keygen --out k
expect_status 0
check "keygen --out wrote the key pair" test -f k.pem -a -f k.pub

finish
