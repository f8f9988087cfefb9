# man-markdown.awk - a man page from a markdown document (stdin), as
# docs/ writes them: headings, paragraphs, lists, code blocks (fenced
# or indented), tables.  Variables: name, section, summary, date,
# version; the environment's SEE_ALSO, roff for the SEE ALSO section.
# The document's title (its "# " heading) is left out: NAME says it.

function flush_para() {
	pending = 1
}

function start_block() {
	if (pending && !after_heading)
		print ".PP"
	pending = after_heading = 0
}

function heading(text, level) {
	end_list()
	if (level <= 2) {
		text = toupper(text)
		gsub(/`/, "", text)
		print ".SH \"" roff_text(text) "\""
	} else {
		print ".SS \"" md_inline(text) "\""
	}
	pending = 0
	after_heading = 1
}

function end_list() {
	if (in_list)
		print ".RE"
	in_list = 0
}

BEGIN {
	roff_header(name, section, date, version)
	print ".SH NAME"
	print name " \\- " roff_text(summary)
	print ".SH DESCRIPTION"
	after_heading = 1
}

/^<!--.*-->[ \t]*$/ { next }

in_fence {
	if ($0 ~ /^```/) {
		print ".fi"
		print ".RE"
		in_fence = 0
		flush_para()
	} else {
		line = roff_text($0)
		print (line ~ /^[.']/ ? "\\&" : "") line
	}
	next
}

/^```/ {
	start_block()
	print ".RS 4"
	print ".nf"
	in_fence = 1
	next
}

/^# / { next }

/^#+ / {
	level = index($0, " ") - 1
	heading(substr($0, level + 2), level)
	in_table = 0
	next
}

/^[ \t]*$/ {
	if (in_code) {
		code_blank++
		next
	}
	in_table = 0
	flush_para()
	next
}

# An indented code block: after a blank line, not inside a list item.
/^    / && (in_code || (pending && !in_item)) {
	if (!in_code) {
		start_block()
		print ".RS 4"
		print ".nf"
		in_code = 1
		code_blank = 0
	}
	for (; code_blank > 0; code_blank--)
		print ""
	line = roff_text(substr($0, 5))
	print (line ~ /^[.']/ ? "\\&" : "") line
	next
}

in_code {
	print ".fi"
	print ".RE"
	in_code = 0
	pending = 1
}

/^\|/ {
	if (!in_table) {
		pending = after_heading = 0
		nheader = md_cells($0, header)
		in_table = 1
		next
	}
	if ($0 ~ /^\|[ \t:|-]+\|[ \t]*$/)
		next
	md_row($0, header, nheader)
	next
}

/^([-*]|[0-9]+\.) / {
	if (pending || !in_list)
		after_heading = after_heading || in_list
	pending = 0
	mark = $0
	sub(/ .*/, "", mark)
	text = substr($0, length(mark) + 2)
	print ".IP " (mark ~ /^[-*]$/ ? "\\(bu" : mark) " 4"
	roff_print(md_inline(text))
	in_item = 1
	after_heading = 0
	next
}

in_item && /^  +[^ ]/ && !pending {
	roff_print(md_inline($0))
	next
}

{
	if (in_item && pending) {
		in_item = 0
	}
	start_block()
	roff_print(md_inline($0))
}

END {
	if (in_code || in_fence) {
		print ".fi"
		print ".RE"
	}
	if (ENVIRON["SEE_ALSO"] != "") {
		print ".SH \"SEE ALSO\""
		print ENVIRON["SEE_ALSO"]
	}
}
