# man-sortes.awk - the sortes(1) page: man/sortes.1.in (stdin) with its
# @...@ lines filled in.  Variables: date, version, overview (a file
# holding 'sortes help'), exit_codes (docs/exit-codes.md), pages (a file
# naming the other pages, one a line, as NAME.SECTION).

function commands(    line, on, name) {
	while ((getline line < overview) > 0) {
		if (line ~ /^Commands:/) {
			on = 1
			continue
		}
		if (on && line == "")
			break
		if (!on)
			continue
		split(line, w, " ")
		name = w[1]
		sub(/^ *[^ ]+ +/, "", line)
		print ".TP"
		print "\\fBsortes " name "\\fR"
		roff_print(roff_prose(line) " (\\fBsortes\\-" name "\\fR(1))")
	}
	close(overview)
}

# The overview's paragraph that starts "Environment:".
function environment(    line, on, text) {
	text = ""
	while ((getline line < overview) > 0) {
		if (line ~ /^Environment:/) {
			on = 1
			sub(/^Environment: */, "", line)
		}
		if (on && line == "")
			break
		if (on)
			text = text " " line
	}
	close(overview)
	roff_print(roff_prose(text))
}

# docs/exit-codes.md's table (code, name, when), a tagged paragraph a
# code.
function exit_status(    line, cells, rows) {
	while ((getline line < exit_codes) > 0) {
		if (line !~ /^\|/ || ++rows == 1 ||
		    line ~ /^\|[ \t:|-]+\|[ \t]*$/)
			continue
		md_cells(line, cells)
		print ".TP"
		roff_line(md_inline(cells[1]))
		roff_print(md_inline(cells[2]) ": " md_inline(cells[3]))
	}
	close(exit_codes)
	print ".PP"
	print "The list is docs/exit-codes.md's."
}

function see_also(    line, text) {
	text = ""
	while ((getline line < pages) > 0) {
		if (line == "sortes.1")
			continue
		sub(/\.[0-9]$/, "(&)", line)
		sub(/\(\./, "(", line)
		sub(/\(/, "\\fR(", line)
		text = text (text == "" ? "" : ", ") "\\fB" line
	}
	close(pages)
	gsub(/-/, "\\-", text)
	roff_print(text)
}

BEGIN { roff_header("sortes", 1, date, version) }
/^@COMMANDS@$/ { commands(); next }
/^@ENVIRONMENT@$/ { environment(); next }
/^@EXIT_STATUS@$/ { exit_status(); next }
/^@SEE_ALSO@$/ { see_also(); next }
{ print }
