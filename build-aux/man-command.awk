# man-command.awk - a command's man page from its help text (stdin).
# Variables: cmd, summary (its line in 'sortes help'), date, version,
# extra (the hand-written sections, a file; "" for none).
# The help text is: usage lines, a blank line, the description, and the
# option lines ("  -x, --long ARG   text" or "      --long ARG   text",
# with continuation lines indented further).

function subcommand_start(line,    w) {
	w = line
	sub(/:.*/, "", w)
	return line ~ /^[a-z][a-z-]*:/ && index(" " subs " ", " " w " ") > 0
}

function option_line(line,    letter, rest, long, arg, text) {
	letter = ""
	if (line ~ /^  -[^-], --/)
		letter = substr(line, 4, 1)
	rest = substr(line, 9)
	match(rest, /^[a-z0-9-]+/)
	long = substr(rest, 1, RLENGTH)
	rest = substr(rest, RLENGTH + 1)
	arg = ""
	if (rest ~ /^ [A-Z]/) {
		match(rest, /^ [^ ]+/)
		arg = substr(rest, 2, RLENGTH - 1)
		rest = substr(rest, RLENGTH + 1)
	}
	print ".TP"
	gsub(/-/, "\\-", long)
	text = (letter != "" ? "\\fB\\-" letter "\\fR, " : "") "\\fB\\-\\-" \
	    long "\\fR"
	if (arg != "")
		text = text " " roff_words(arg)
	print text
	roff_print(roff_prose(rest))
}

# The sections of the hand-written file, and what they lack.
function read_extra(    line) {
	extra_text = ""
	has_exit = has_see = 0
	if (extra == "")
		return
	while ((getline line < extra) > 0) {
		extra_text = extra_text line "\n"
		if (line ~ /^\.SH "?EXIT STATUS/)
			has_exit = 1
		if (line ~ /^\.SH "?SEE ALSO/)
			has_see = 1
	}
	close(extra)
}

{ lines[++n] = $0 }

END {
	subs = ""
	for (i = 1; i <= n && lines[i] != ""; i++) {
		l = lines[i]
		sub(/^usage:/, "", l)
		if (split(l, w, " ") >= 3 && w[1] == "sortes" && w[2] == cmd &&
		    w[3] ~ /^[a-z][a-z-]*$/)
			subs = subs " " w[3]
	}
	read_extra()
	roff_header("sortes-" cmd, 1, date, version)
	print ".SH NAME"
	print "sortes-" cmd " \\- " roff_text(summary)
	print ".SH SYNOPSIS"
	first = 1
	for (i = 1; i <= n && lines[i] != ""; i++) {
		l = lines[i]
		sub(/^usage:/, "", l)
		sub(/^ +/, "", l)
		if (l !~ /^sortes /) {
			roff_print(roff_words(l))
			continue
		}
		if (!first)
			print ".br"
		first = 0
		roff_print(roff_words(l))
	}
	print ".SH DESCRIPTION"
	para = started = 0
	for (; i <= n; i++) {
		l = lines[i]
		if (l ~ /^  -[^-], --/ || l ~ /^      --[a-z]/)
			break
		if (l == "") {
			para = 1
			continue
		}
		if (started && (para || subcommand_start(l)))
			print ".PP"
		para = 0
		started = 1
		roff_print(roff_prose(l))
	}
	print ".SH OPTIONS"
	for (; i <= n; i++) {
		l = lines[i]
		if (l ~ /^  -[^-], --/ || l ~ /^      --[a-z]/)
			option_line(l)
		else if (l != "")
			roff_print(roff_prose(l))
	}
	print ".TP"
	print "\\fB\\-h\\fR, \\fB\\-\\-help\\fR"
	print "print this help text (as \\fBsortes help " cmd "\\fR does)"
	print ".TP"
	print "\\fB\\-V\\fR, \\fB\\-\\-version\\fR"
	print "print the version of sortes"
	if (!has_exit) {
		print ".SH EXIT STATUS"
		print "0 when the command did what was asked, 64 for a usage"
		print "error; the other codes, the same for every command, are"
		print "in \\fBsortes\\fR(1) and docs/exit-codes.md."
	}
	printf "%s", extra_text
	if (!has_see) {
		print ".SH SEE ALSO"
		print "\\fBsortes\\fR(1)"
	}
}
