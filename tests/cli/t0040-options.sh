#!/bin/sh
# t0040-options: one letter, one meaning: every command's options as its
# help text lists them, against each other, against what the command
# takes, and against docs/options.md; -V and --version everywhere.
# Commands and subcommands come from 'sortes help', so that commands
# added later are checked too.
. "$SRCDIR/tests/cli/lib.sh"

# commands - the command names 'sortes help' lists.
commands() {
	"$SORTES" help | awk '/^Commands:/ { on = 1; next }
	    on && /^$/ { exit }
	    on { print $1 }'
}

# subcommands CMD - the words after 'sortes CMD' in its usage lines.
subcommands() {
	"$SORTES" help "$1" | awk -v cmd="$1" '/^$/ { exit }
	    $1 == "usage:" { $1 = "" ; $0 = $0 }
	    $1 == "sortes" && $2 == cmd && $3 ~ /^[a-z][a-z-]*$/ { print $3 }' |
	    sort -u
}

# options CMD - "CMD LETTER LONG ARG" for each option line of CMD's help
# text on stdin; LETTER and ARG are '-' when there is none.
options() {
	awk -v cmd="$1" '
	/^  -[^-], --[a-z]/ { letter = substr($0, 4, 1) }
	/^      --[a-z]/ { letter = "-" }
	/^  -[^-], --[a-z]/ || /^      --[a-z]/ {
		rest = substr($0, 9)
		match(rest, /^[a-z0-9-]+/)
		long = substr(rest, 1, RLENGTH)
		arg = substr(rest, RLENGTH + 1) ~ /^ [A-Z]/ ? "arg" : "-"
		print cmd, letter, long, arg
	}'
}

# doc_options FILE - "LETTER LONG COMMAND" for each command of each row
# of the table in FILE (docs/options.md).
doc_options() {
	awk -F '|' '/^\| `-/ {
		letter = "-"
		if (match($2, /`-[^-]`/))
			letter = substr($2, RSTART + 2, 1)
		match($2, /`--[a-z0-9-]+`/)
		long = substr($2, RSTART + 3, RLENGTH - 4)
		gsub(/[ `]/, "", $4)
		n = split($4, cmds, ",")
		if (n == 0)
			print letter, long, "-"
		for (i = 1; i <= n; i++)
			print letter, long, (cmds[i] == "everycommand" ? \
			    "every" : cmds[i])
	}' "$1"
}

# conflicts - from "CMD LETTER LONG ARG" lines on stdin, one line for
# each letter that stands for two long options and each long option
# with two letters (or one and none).  -h and -V are every command's.
conflicts() {
	awk 'BEGIN { lo["h"] = "help"; lo["V"] = "version"
	    le["help"] = "h"; le["version"] = "V" }
	{
		if ($2 != "-" && ($2 in lo) && lo[$2] != $3)
			print "-" $2 " is --" lo[$2] " and --" $3 " (" $1 ")"
		if (($3 in le) && le[$3] != $2)
			print "--" $3 " is -" le[$3] " and -" $2 " (" $1 ")"
		if ($2 != "-" && !($2 in lo))
			lo[$2] = $3
		if (!($3 in le))
			le[$3] = $2
	}'
}

# The checker finds what it is for, in help texts made up for it.
printf '%s\n' "a s seal arg" "b s skip-invalid arg" \
    "c - seal arg" "d V verbose -" "e x fine -" | conflicts >found
expect_eq "$(wc -l <found | tr -d ' ')" 3 "conflicts found in made-up lines"
check "-s for two options not found" grep -q -- '-s is --seal and --skip-invalid' found
check "--seal without its letter not found" grep -q -- '--seal is -s and --' found
check "-V for another option not found" grep -q -- '-V is --version and --verbose' found
# shellcheck disable=SC2016 # the backquotes are markdown
printf '%s\n' '| Option | Argument | Commands | Meaning |' \
    '| `-a`, `--at` | N | export, verify | as of' \
    '| `--to` | CODE | transfer | the caseworker' >doc.md
expect_eq "$(doc_options doc.md | tr '\n' ';')" \
    "a at export;a at verify;- to transfer;" "rows read from a made-up table"

# Every command's options; their letters and meanings.
cmds=$(commands)
check "no commands from 'sortes help'" test -n "$cmds"
: >all
for c in $cmds; do
	run "$SORTES" "$c" --help
	expect_status 0
	expect_out_contains "usage: sortes $c"
	run "$SORTES" "$c" -h
	expect_status 0
	expect_out_contains "usage: sortes $c"
	options "$c" <out >>all
done
check "no options in any help text" test -s all
check "enroll's options not read" grep -q '^enroll P person arg$' all
check "rng's long-only options not read" grep -q '^rng - seed arg$' all
conflicts <all >found
check "letters with two meanings: $(cat found)" test ! -s found

# accepted CMD SUBS OPTION ARG - some way of giving OPTION (with a value
# when ARG is 'arg') to CMD or one of its subcommands SUBS shows the help
# text, rather than refusing an unknown option.
# shellcheck disable=SC2317 # called through check
accepted() {
	# shellcheck disable=SC2086 # SUBS are words
	for s in "" $2; do
		if [ "$4" = arg ]; then
			# shellcheck disable=SC2086 # $s is a word or nothing
			run "$SORTES" "$1" $s "$3" x=1 --help
		else
			# shellcheck disable=SC2086
			run "$SORTES" "$1" $s "$3" --help
		fi
		[ "$status" -eq 0 ] && grep -q "^usage: sortes $1" out &&
		    return 0
	done
	return 1
}

# needs_value CMD SUBS OPTION - OPTION as the last word is refused as
# missing its value, by CMD or one of its subcommands.
# shellcheck disable=SC2317 # called through check
needs_value() {
	# shellcheck disable=SC2086 # SUBS are words
	for s in "" $2; do
		# shellcheck disable=SC2086
		run "$SORTES" "$1" $s "$3"
		grep -q "needs a value" err && return 0
	done
	return 1
}

while read -r c letter long arg; do
	subs=$(subcommands "$c")
	check "$c does not take --$long" accepted "$c" "$subs" "--$long" "$arg"
	if [ "$letter" != - ]; then
		check "$c does not take -$letter (--$long)" \
		    accepted "$c" "$subs" "-$letter" "$arg"
	fi
	if [ "$arg" = arg ]; then
		check "$c does not refuse --$long without a value" \
		    needs_value "$c" "$subs" "--$long"
	fi
done <all

# The made-up option is not taken: the check can fail.
# shellcheck disable=SC2016 # $0 is for sh -c
check "enroll takes --no-such-option" \
    sh -c '! "$0" enroll --no-such-option x=1 --help >/dev/null 2>&1' "$SORTES"

# docs/options.md lists every option of every command, with its letter.
doc_options "$SRCDIR/docs/options.md" >doc
check "no rows read from docs/options.md" grep -q '^d db init$' doc
for o in "h help" "V version"; do
	check "docs/options.md misses -${o%% *}" grep -q "^$o every" doc
done
while read -r c letter long arg; do
	check "docs/options.md misses $c's --$long (letter $letter)" \
	    grep -q -x -F -e "$letter $long $c" doc
done <all
# ... and no row of it says otherwise than the help texts.
sed 's/^\([^ ]*\) \([^ ]*\) .*/x \1 \2 -/' doc | cat all - | conflicts >found
check "docs/options.md against the help texts: $(cat found)" test ! -s found

# -V and --version, after every command and subcommand.
run "$SORTES" --version
expect_status 0
version=$(cat out)
check "no version line" contains "$version" "sortes "
run "$SORTES" -V
expect_out_is "$version"
for c in $cmds; do
	for s in "" $(subcommands "$c"); do
		for v in --version -V; do
			# shellcheck disable=SC2086
			run "$SORTES" "$c" $s "$v"
			expect_status 0
			expect_out_is "$version"
			expect_err_empty
		done
	done
done
# Wherever it stands among the options, but not as an option's value.
run "$SORTES" enroll --person 010190-9001 --version --caseworker CW1
expect_status 0
expect_out_is "$version"
run "$SORTES" verify -d x.db -jV
expect_status 0
expect_out_is "$version"
run "$SORTES" withdraw P1 --reason -V --db x.db
expect_status 66
expect_err_contains "'x.db'"
run "$SORTES" withdraw P1 --reas -V --db x.db
expect_status 66
run "$SORTES" budget spend P1 -- -V
expect_status 64
check "a value -V created a database" test ! -e x.db

finish
