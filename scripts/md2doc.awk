#!/usr/bin/awk -f
# Renders one command page of docs/cmd/ (a small Markdown subset) as plain text for --help
# (mode=text) or as a roff man page (mode=man). The subset:
#   # decc-NAME(1) -- one-line summary      first line: the page title
#   ## SECTION                               section heading
#   ```  ...  ```                            verbatim block (synopsis, examples)
#   * `--option VALUE`:                      an option (definition list item) followed by its
#     description, indented two spaces         description, indented by two spaces
#   - item                                   bullet
#   blank line                               paragraph break
# Inline: `code` and **bold** (bold in the man page, plain in the text).
# Usage: awk -v mode=text|man [-v version=X] -f md2doc.awk docs/cmd/decc-NAME.md

function inline_text(s) {
	gsub(/\*\*/, "", s)
	gsub(/`/, "", s)
	return s
}

function roff_escape(s) {
	gsub(/\\/, "\\e", s)
	return s
}

function inline_man(s,    out, i, c, code, bold) {
	s = roff_escape(s)
	out = ""; code = 0; bold = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "`") {
			out = out (code ? "\\fR" : "\\fB"); code = !code; continue
		}
		if (c == "*" && substr(s, i + 1, 1) == "*") {
			out = out (bold ? "\\fR" : "\\fB"); bold = !bold; i++; continue
		}
		if (c == "-" && code)
			c = "\\-"
		out = out c
	}
	if (out ~ /^[.']/)
		out = "\\&" out
	return out
}

function verbatim_man(s) {
	s = roff_escape(s)
	gsub(/-/, "\\-", s)
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# Text output: blank lines are collapsed, none right after a heading.
function emit_text(s) {
	if (pending && !justhead && nout > 0)
		print ""
	pending = 0; justhead = 0; nout++
	print s
}

function heading_text(s) {
	if (nout > 0)
		print ""
	pending = 0; justhead = 1; nout++
	print s
}

BEGIN {
	infence = 0; inpara = 0; indef = 0; section = ""
	if (mode != "text" && mode != "man") {
		print "md2doc.awk: mode must be text or man" > "/dev/stderr"; exit 2
	}
}

NR == 1 {
	if ($0 !~ /^# [a-z0-9-]+\([0-9]\) -- /) {
		print FILENAME ": first line must be '# decc-NAME(1) -- summary'" > "/dev/stderr"
		exit 2
	}
	title = $2; sub(/\(.*/, "", title)
	msec = $2; sub(/.*\(/, "", msec); sub(/\).*/, "", msec)
	summary = $0; sub(/^# [^ ]+ -- /, "", summary)
	name = title; gsub(/-/, " ", name)
	if (mode == "man") {
		print ".\\\" Generated from docs/cmd/" title ".md by scripts/md2doc.awk; do not edit."
		print ".TH \"" toupper(title) "\" \"" msec "\" \"\" \"decc " version "\" \"decc manual\""
		print ".SH NAME"
		print verbatim_man(title) " \\- " roff_escape(summary)
	} else {
		emit_text(name " - " summary)
	}
	next
}

/^```/ {
	if (!infence) {
		infence = 1; indef = 0; inpara = 0
		if (mode == "man") { print ".PP"; print ".RS 4"; print ".nf" }
	} else {
		infence = 0
		if (mode == "man") { print ".fi"; print ".RE" }
	}
	next
}

infence {
	if (mode == "man") print verbatim_man($0)
	else emit_text("        " $0)
	next
}

/^## / {
	head = substr($0, 4); indef = 0; inpara = 0
	if (mode == "man") print ".SH " toupper(head)
	else heading_text(toupper(head))
	next
}

/^\* `[^`]+`:?[ \t]*$/ {
	term = $0; sub(/^\* /, "", term); sub(/:?[ \t]*$/, "", term)
	indef = 1; inpara = 0
	if (mode == "man") { print ".TP"; print inline_man(term) }
	else { pending = 1; emit_text("    " inline_text(term)) }
	next
}

/^- / {
	item = substr($0, 3); indef = 0; inpara = 1
	if (mode == "man") { print ".IP \\(bu 2"; print inline_man(item) }
	else emit_text("    - " inline_text(item))
	next
}

/^[ \t]*$/ {
	inpara = 0
	pending = 1
	indef = 0
	next
}

indef && /^  / {
	line = $0; sub(/^  +/, "", line)
	if (mode == "man") print inline_man(line)
	else emit_text("        " inline_text(line))
	next
}

{
	line = $0; sub(/^ +/, "", line)
	if (mode == "man") {
		if (!inpara) print ".PP"
		print inline_man(line)
	} else {
		emit_text("    " inline_text(line))
	}
	inpara = 1
}

END {
	if (infence) {
		print FILENAME ": unterminated ``` block" > "/dev/stderr"; exit 2
	}
}
