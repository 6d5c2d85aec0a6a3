// Package markdown writes values from the register into GitHub-flavoured
// Markdown (job summaries, rotor status --format markdown, sync plans) so
// that they read as the text they are and do nothing else.
//
// The register is written by anyone who can open a pull request, and the
// validate summary is rendered on pull requests, so a value must not become
// a link, an image, raw HTML, emphasis, a heading or list, or break out of
// the table cell or code span it is put in. Every Markdown writer in rotor
// uses this package, and only this one: [Text] for text (also in table
// cells, list items and headings) and [Code] for identifiers shown as code.
//
// What is escaped, and why:
//   - \ ` * _ ~ [ ] < > | & $ always, with a backslash: emphasis,
//     strikethrough, code spans, links and images, raw HTML and
//     <autolinks>, table cells, entity references (&lt;) and math.
//   - # - + and an ordered-list number's . or ) at the start of a value,
//     which in a list item would start a heading, a list or a rule.
//   - a colon after a letter and before a non-space (https:, mailto:), the
//     dot in "www." and an at sign after a letter, digit or one of .-_+, so
//     that GitHub's extended autolinks (URLs, www. and email addresses)
//     stay text: https://evil.example renders as text, not a link.
//   - line breaks, tabs and other white space controls become spaces;
//     other control and bidirectional characters are shown as escapes
//     (\x1b, \u202e) by textsafe.Controls.
//
// An @mention or #123 is left as it is: GitHub links those to its own
// users and issues, and inserting invisible characters to prevent that
// would make the value copy differently from how it reads.
//
// HTML output is not Markdown: an HTML writer uses html/template, which
// escapes by context.
package markdown

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Text returns s as inline Markdown text that renders as s reads: every
// character Markdown or HTML would act on is escaped, line breaks are folded
// into spaces and leading and trailing spaces dropped, and control
// characters are shown escaped. The result is safe in a paragraph, a
// heading, a list item and a table cell (a pipe is escaped too); put spaces
// or other text, not backticks, around it.
func Text(s string) string {
	s = textsafe.Controls(strings.Trim(foldSpace(s), " "))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	prev := rune(-1) // the rune before i, -1 at the start
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		if escapeAt(s, i, r, prev, next) {
			b.WriteByte('\\')
		}
		b.WriteString(s[i : i+size])
		prev = r
		i += size
	}
	return b.String()
}

// escapeAt reports whether the rune r at s[i] needs a backslash; prev is
// the rune before it (-1 at the start) and next the one after it
// (utf8.RuneError at the end).
func escapeAt(s string, i int, r, prev, next rune) bool {
	switch r {
	case '\\', '`', '*', '_', '~', '[', ']', '<', '>', '|', '&', '$':
		return true
	case '#', '-', '+':
		return i == 0
	case '.', ')':
		if digitsOnly(s[:i]) && i > 0 && i <= 9 {
			return true // "1." or "1)" would start an ordered list
		}
		return r == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www")
	case ':':
		return i == 0 || (isASCIILetter(prev) && next != ' ' && next != utf8.RuneError)
	case '@':
		return isASCIILetter(prev) || isDigit(prev) || strings.ContainsRune(".-_+", prev)
	}
	return false
}

// Code returns s as an inline code span that cannot be broken out of: the
// fence is one backtick longer than the longest run of backticks in s, and
// padded with spaces when s starts or ends with a backtick or a space.
// Control characters are shown escaped (textsafe.Value). GitHub splits table
// cells at a pipe even inside code, so a value with a pipe is returned as
// [Text] instead; the result is safe in a table cell. An empty s gives "".
func Code(s string) string {
	if s == "" {
		return ""
	}
	if strings.Contains(s, "|") {
		return Text(s)
	}
	v := textsafe.Value(s)
	longest, run := 0, 0
	for i := 0; i < len(v); i++ {
		if v[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	pad := ""
	if strings.Trim(v, " ") != "" && (strings.HasPrefix(v, "`") || strings.HasSuffix(v, "`") ||
		strings.HasPrefix(v, " ") || strings.HasSuffix(v, " ")) {
		pad = " "
	}
	return fence + pad + v + pad + fence
}

// foldSpace turns line breaks (CR LF counts as one) and other white space
// controls into single spaces.
func foldSpace(s string) string {
	if !strings.ContainsAny(s, "\t\n\v\f\r\u0085\u2028\u2029") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", " ")
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029':
			return ' '
		}
		return r
	}, s)
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(rune(s[i])) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool       { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return r|0x20 >= 'a' && r|0x20 <= 'z' }

// Column is one column of a [Table]: its heading, rotor's own text
// written as it is, and whether its figures align right.
type Column struct {
	Head  string
	Right bool
}

// Table writes a GitHub-flavoured Markdown table to w: the heading row,
// the alignment row, then one line per row. Each cell is written as it is
// given: escape every value in it with [Text] or [Code] first.
func Table(w io.StringWriter, cols []Column, rows [][]string) {
	w.WriteString("|")
	for _, c := range cols {
		w.WriteString(" " + c.Head + " |")
	}
	w.WriteString("\n|")
	for _, c := range cols {
		if c.Right {
			w.WriteString(" ---: |")
		} else {
			w.WriteString(" --- |")
		}
	}
	w.WriteString("\n")
	for _, row := range rows {
		w.WriteString("|")
		for _, cell := range row {
			w.WriteString(" " + cell + " |")
		}
		w.WriteString("\n")
	}
}
