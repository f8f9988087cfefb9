#!/bin/sh
# t0041-man-completion: the man pages built beside sortes (a page for
# every command 'sortes help' lists, each lint-clean by mandoc, each
# listing its command's options), and the bash completion (sourced
# without error; commands, subcommands, options and file names).
# Needs MANDOC, the mandoc program, which make check sets from configure.
. "$SRCDIR/tests/cli/lib.sh"

man=${SORTES%/*}/man
completion=$SRCDIR/completion/sortes
check "mandoc not found (Debian: apt-get install mandoc; configure again)" \
    test -n "${MANDOC:-}"
check "bash not found" sh -c 'command -v bash >/dev/null'

commands=$("$SORTES" help | awk '/^Commands:/ { on = 1; next }
    on && /^$/ { exit } on { print $1 }')
check "no commands from 'sortes help'" test -n "$commands"

# lint PAGE - mandoc has nothing to say about PAGE, style included.
lint() {
	"$MANDOC" -T lint "$1" >lint.out 2>&1 && [ ! -s lint.out ]
}

# rendered PAGE - PAGE as text, in ./page.txt, without the overstrikes
# of bold and underline.
bs=$(printf '\b')
rendered() {
	"$MANDOC" -T ascii -O width=200 "$1" | sed "s/.$bs//g" >page.txt
}

# --- every page, lint-clean ---------------------------------------------
for p in sortes.1 sortes-protocol.5; do
	check "no page $p" test -f "$man/$p"
done
for c in $commands; do
	check "no page for $c" test -f "$man/sortes-$c.1"
	check "sortes-$c.1 not in the list installed" grep -q -x "sortes-$c.1" \
	    "$man/pages"
done
while read -r p; do
	checks=$((checks + 1))
	lint "$man/$p" || fail "$p is not lint-clean: $(cat lint.out)"
done <"$man/pages"

# --- what the pages say ---------------------------------------------------
for c in $commands; do
	rendered "$man/sortes-$c.1"
	summary=$("$SORTES" help | awk -v c="$c" 'on && $1 == c {
	    sub(/^ *[^ ]+ +/, ""); print; exit } /^Commands:/ { on = 1 }')
	check "sortes-$c(1) has not its NAME" grep -q -F -e "sortes-$c - $summary" page.txt
	for s in SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "SEE ALSO"; do
		check "sortes-$c(1) has no $s" grep -q "^$s" page.txt
	done
	check "sortes-$c(1) has no --version" grep -q -e '-V, --version' page.txt
	# every option its help text lists
	"$SORTES" help "$c" | sed -n 's/^  \(-[^-], \)\{0,1\} *\(--[a-z0-9-]*\).*/\2/p' |
	    while read -r o; do
		grep -q -E -e "^ *(-[^-], )?$o( |\$)" page.txt ||
		    echo "$o" >>missing
	    done
	check "sortes-$c(1) misses $(cat missing 2>/dev/null)" test ! -e missing
done
rendered "$man/sortes-enroll.1"
check "enroll's hand-written EXIT STATUS" grep -q 'the seed is revealed' page.txt
check "enroll's EXAMPLES" grep -q -e '--csv cohort.csv' page.txt
check "a usage line in enroll's SYNOPSIS" \
    grep -q -e 'sortes enroll --csv FILE \[--delimiter C\]' page.txt
# the hand-written parts of the pages of lookup, participant, blind,
# unblind, and what export and enroll say of linkage and results files
rendered "$man/sortes-lookup.1"
check "lookup's exit 1" grep -q 'at least one person is not enrolled' page.txt
check "lookup's key file" grep -q 'DB without .db, with .key' page.txt
check "lookup's EXAMPLES" grep -q -e 'lookup --db ungifokus.db --csv' page.txt
rendered "$man/sortes-participant.1"
check "participant's exit 65" grep -q 'no participant with this UUID' page.txt
rendered "$man/sortes-blind.1"
check "blind's exit 69" grep -q 'anyone could draw the mapping' page.txt
check "blind's EXAMPLES" grep -q -e 'sortes blind --db ungifokus.db' page.txt
rendered "$man/sortes-unblind.1"
check "unblind's exit 69" grep -q 'no blinding commitment' page.txt
rendered "$man/sortes-export.1"
check "export's linkage example" grep -q -e 'export linkage --db' page.txt
check "export's blinded example" grep -q -e 'allocations --db ungifokus.db -B' page.txt
check "export's linkage exit 73" grep -q 'the linkage file, or a log extract' page.txt
check "export's FILE.protocol.json" grep -q 'JSON form, from which the export' page.txt
rendered "$man/sortes-enroll.1"
check "enroll's results file" grep -q -e 'with --results: every input row' page.txt
check "enroll's results example" grep -q -e '-R results.csv' page.txt

rendered "$man/sortes-rng.1"
check "rng's (generated) EXIT STATUS" grep -q 'docs/exit-codes.md' page.txt

rendered "$man/sortes.1"
for c in $commands; do
	check "sortes(1) does not list $c" grep -q "sortes-$c(1)" page.txt
done
check "sortes(1) has no exit code 73" grep -q 'cannot create output' page.txt
check "sortes(1) misses SORTES_DB" grep -q SORTES_DB page.txt

rendered "$man/sortes-protocol.5"
sed -n 's/^## //p' "$SRCDIR/docs/protocol.md" | tr '[:lower:]' '[:upper:]' |
    tr -d '`' | while read -r h; do
	grep -q -x -F -e "$h" page.txt || echo "$h" >>missing
done
check "sortes-protocol(5) misses sections: $(cat missing 2>/dev/null)" \
    test ! -e missing
check "sortes-protocol(5) misses a table row" \
    grep -q 'target_enrollment' page.txt

# A command with no hand-written part, as one added later: its page is
# made from its help text alone.
cat >fake <<EOF
#!/bin/sh
if [ "\$1 \${2:-}" = "help lookup" ]; then
	printf '%s\n' 'usage: sortes lookup --person ID... [--db FILE]' '' \\
	    'Print a person'"'"'s participant and arm.' '' \\
	    '  -P, --person ID      a person' '      --persons FILE  a file'
	exit 0
fi
if [ "\$*" = help ]; then
	"$SORTES" help | awk '/^  help / { print "  lookup     look a person up" }
	    { print }'
	exit 0
fi
exec "$SORTES" "\$@"
EOF
chmod +x fake
run sh "$SRCDIR/build-aux/man-pages.sh" ./fake "$SRCDIR" pages 2024-03-01
expect_status 0
check "no page for a new command" test -f pages/sortes-lookup.1
checks=$((checks + 1))
lint pages/sortes-lookup.1 || fail "the new page is not lint-clean: $(cat lint.out)"
rendered pages/sortes-lookup.1
check "the new page has not its options" grep -q -e '--persons FILE' page.txt
check "the new page has no SEE ALSO" grep -q '^SEE ALSO' page.txt
rendered pages/sortes.1
check "sortes(1) does not list the new command" grep -q 'sortes-lookup(1)' page.txt

# --- bash completion -------------------------------------------------------
run bash -c 'set -eu; . "$1"; complete -p sortes' bash "$completion"
expect_status 0
expect_out_contains "complete -F _sortes sortes"
expect_err_empty

mkdir files files/dir
touch files/cohort.csv files/lead.pem
# completing WORD... - what completing the last WORD in files/ gives,
# sorted, in ./out.
completing() {
	# shellcheck disable=SC2016 # for bash -c
	run bash -c 'cd files && . "$1" && shift && COMP_WORDS=("$@") &&
	    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _sortes &&
	    if [ ${#COMPREPLY[@]} -gt 0 ]; then
		printf "%s\n" "${COMPREPLY[@]}" | sort
	    fi' bash "$completion" "$SORTES" "$@"
	[ "$status" -eq 0 ] || fail "completing '$*' failed"
}
words() {
	tr '\n' ' ' <out
}

completing ''
# shellcheck disable=SC2086 # the commands are words
expect_eq "$(words)" "$(printf '%s\n' $commands | sort | tr '\n' ' ')" \
    "commands"
completing en
expect_eq "$(words)" "enroll " "a command by its start"
completing help ver
expect_eq "$(words)" "verify verify-export " "help's commands"
completing followup ''
expect_eq "$(words)" "calendar due missed overdue record " "subcommands"
completing followup --db x.db ''
expect_eq "$(words)" "calendar due missed overdue record " \
    "subcommands after an option's value"
completing export allocations --format ''
expect_eq "$(words)" "csv json " "--format's values"
completing enroll --
for o in $("$SORTES" help enroll | sed -n 's/^  \(-[^-], \)\{0,1\} *\(--[a-z0-9-]*\).*/\2/p') \
    --help --version; do
	check "enroll's $o not completed" grep -q -x -e "$o" out
done
completing enroll --skip-
expect_eq "$(words)" "--skip-invalid " "an option by its start"
completing enroll --csv ''
expect_eq "$(words)" "cohort.csv dir lead.pem " "file names for --csv"
completing enroll -C co
expect_eq "$(words)" "cohort.csv " "file names for -C"
completing enroll --db = c
expect_eq "$(words)" "cohort.csv " "file names for --db=FILE"
completing freeze --signing-key l
expect_eq "$(words)" "lead.pem " "file names for --signing-key"
completing protocol check ''
expect_eq "$(words)" "cohort.csv dir lead.pem " "file names for check FILE"
completing caseworker import c
expect_eq "$(words)" "cohort.csv " "file names for import FILE"
completing transfer ''
expect_eq "$(words)" "" "no file names for a PARTICIPANT"
completing followup due --as-of ''
expect_eq "$(words)" "" "no file names for a DATE"

finish
