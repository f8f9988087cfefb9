# man-common.awk - what the man page generators share: roff escapes.
# POSIX awk; used as 'awk -f man-common.awk -f man-OTHER.awk'.

# Text as roff reads it: backslashes escaped, and the few non-ASCII
# characters the sources use by their roff names, so that any man
# formatter shows them.
function roff_text(s) {
	gsub(/\\/, "\\e", s)
	gsub(/–/, "\\(en", s)
	gsub(/—/, "\\(em", s)
	gsub(/−/, "\\(mi", s)
	gsub(/≥/, "\\(>=", s)
	gsub(/≤/, "\\(<=", s)
	gsub(/→/, "\\(->", s)
	gsub(/ø/, "\\(/o", s)
	gsub(/æ/, "\\(ae", s)
	gsub(/å/, "\\(oa", s)
	gsub(/ç/, "\\(,c", s)
	gsub(/×/, "\\(mu", s)
	gsub(/±/, "\\(+-", s)
	return s
}

# Prose as roff: roff_text(), and the option names in it with their
# hyphens as minus signs, so that they can be copied as typed.
function roff_prose(s,    out, w) {
	s = roff_text(s)
	out = ""
	while (match(s, /--?[A-Za-z][a-z0-9-]*/)) {
		w = substr(s, RSTART, RLENGTH)
		# not the hyphen of a word (follow-up)
		if (RSTART == 1 || substr(s, RSTART - 1, 1) !~ /[A-Za-z0-9]/)
			gsub(/-/, "\\-", w)
		out = out substr(s, 1, RSTART - 1) w
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}

# Print filled text, in lines of at most 78 bytes where it has blanks
# to break at; a line that starts like a request ('.' or "'") is
# guarded so that roff takes it as text.
function roff_print(s,    cut, i) {
	sub(/^[ \t]+/, "", s)
	while (length(s) > 78) {
		cut = 0
		for (i = 79; i > 1; i--)
			if (substr(s, i, 1) == " ") {
				cut = i
				break
			}
		if (cut == 0)
			break
		roff_line(substr(s, 1, cut - 1))
		s = substr(s, cut + 1)
		sub(/^ +/, "", s)
	}
	roff_line(s)
}

function roff_line(s) {
	if (s ~ /^[.']/)
		s = "\\&" s
	print s
}

# A synopsis or option word as roff: option names and literal words in
# bold, placeholders (upper case) in italics, the rest as it stands.
function roff_words(s,    out, w) {
	out = ""
	while (match(s, /[A-Za-z0-9_.=-]+/)) {
		out = out roff_text(substr(s, 1, RSTART - 1))
		w = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
		gsub(/-/, "\\-", w)
		out = out (w ~ /^[A-Z]/ ? "\\fI" w "\\fR" : "\\fB" w "\\fR")
	}
	return out roff_text(s)
}

function roff_header(name, section, date, version) {
	printf ".\\\" Made by build-aux/man-pages.sh; edit the sources it names.\n"
	printf ".TH %s %s %s \"sortes %s\"\n", toupper(name), section, date,
	    version
}

# Markdown inline text as roff: `code` in bold, **strong** in bold,
# *emphasis* in italics, [text](target) as its text.
function md_inline(s,    out, code, start, len) {
	out = ""
	while (match(s, /`[^`]*`/)) {
		start = RSTART
		len = RLENGTH
		out = out md_span(substr(s, 1, start - 1))
		code = roff_text(substr(s, start + 1, len - 2))
		gsub(/-/, "\\-", code)
		out = out "\\fB" code "\\fR"
		s = substr(s, start + len)
	}
	return out md_span(s)
}

function md_span(s) {
	s = roff_prose(s)
	while (match(s, /\[[^]]*\]\([^)]*\)/))
		s = substr(s, 1, RSTART - 1) \
		    substr(s, RSTART + 1, index(substr(s, RSTART), "]") - 2) \
		    substr(s, RSTART + RLENGTH)
	while (match(s, /\*\*[^*]+\*\*/))
		s = substr(s, 1, RSTART - 1) "\\fB" \
		    substr(s, RSTART + 2, RLENGTH - 4) "\\fR" \
		    substr(s, RSTART + RLENGTH)
	while (match(s, /\*[^* ][^*]*\*/))
		s = substr(s, 1, RSTART - 1) "\\fI" \
		    substr(s, RSTART + 1, RLENGTH - 2) "\\fR" \
		    substr(s, RSTART + RLENGTH)
	return s
}

# The cells of a markdown table row into cells[1..]; returns how many.
# "\|" stands for a '|' inside a cell.
function md_cells(line, cells,    n, i) {
	gsub(/\\\|/, "\001", line)
	sub(/^[ \t]*\|/, "", line)
	sub(/\|[ \t]*$/, "", line)
	n = split(line, cells, "|")
	for (i = 1; i <= n; i++) {
		gsub(/\001/, "|", cells[i])
		sub(/^[ \t]+/, "", cells[i])
		sub(/[ \t]+$/, "", cells[i])
	}
	return n
}

# A table row as a tagged paragraph: the first cell as the tag, the
# others under it, each named by its column's header.
function md_row(line, header, nheader,    cells, n, i) {
	n = md_cells(line, cells)
	print ".TP"
	roff_print(md_inline(cells[1]))
	for (i = 2; i <= n; i++) {
		if (cells[i] == "")
			continue
		if (i > 2)
			print ".br"
		roff_print((i <= nheader && header[i] != "" ? \
		    "\\fI" md_inline(header[i]) ":\\fR " : "") md_inline(cells[i]))
	}
}
