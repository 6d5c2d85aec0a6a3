package doc

import (
	"io"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Kind says where a span's text comes from, and so how a format escapes it.
type Kind uint8

const (
	Lit  Kind = iota // rotor's own words, dates and figures: written as they are
	Text             // a value from the register, git or Jira, shown as text
	Code             // such a value, shown as code
	Link             // such a value, shown as text linked to the span's URL
	Bar              // a compliance bar of the span's Pct; S is not shown
)

// Span is one piece of a cell.
type Span struct {
	S    string
	Kind Kind
	URL  string // Link: an address SafeURL let through; "" shows the text alone
	Pct  *int   // Bar: the percentage; nil when there is none
	Max  int    // Text, Code, Link: characters of S shown, the rest cut to "…"; 0 shows all
}

// Cell is one table cell: its spans, in order. A cell that is one value
// (Text, Code or Link) with an empty S is a missing value: Markdown and
// Plain show it as "-".
type Cell []Span

// Column is a table's column: its heading, rotor's own text, and whether
// its figures align right.
type Column struct {
	Head  string
	Right bool
}

// Table is one section of a document: a heading, an optional line of
// rotor's own text, then the rows, or the empty text when there are none.
// A document that cuts a long table keeps the first rows and counts the
// rest in More.
type Table struct {
	Title string // rotor's own text, as Intro and Empty are
	Intro string // a line under the heading; "" for none
	Empty string // the sentence shown instead of a table without rows
	Major bool   // printed on a new page
	Cols  []Column
	Rows  [][]Cell
	More  int    // rows left out
	Noun  string // what the rows are, for "…and 3 more credentials"
}

// MoreText is the line under a cut table: "…and 3 more credentials (all of
// them: --format json)"; the JSON of a document lists every row.
func (t *Table) MoreText() string {
	return "…and " + strconv.Itoa(t.More) + " more " + t.Noun + " (all of them: --format json)"
}

// WriteMarkdown writes t as a section of a Markdown document: a blank
// line, a heading of the given level, the intro, then the table and the
// line of rows left out, or the empty text. Each cell is rendered by
// [Cell.Markdown]; the title, intro, empty text and headings are rotor's
// own text, written as they are.
func (t *Table) WriteMarkdown(w io.StringWriter, level int) {
	w.WriteString("\n" + strings.Repeat("#", level) + " " + t.Title + "\n\n")
	if t.Intro != "" {
		w.WriteString(t.Intro + "\n\n")
	}
	if len(t.Rows) == 0 && t.More == 0 {
		w.WriteString(t.Empty + "\n")
		return
	}
	cols := make([]markdown.Column, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = markdown.Column{Head: c.Head, Right: c.Right}
	}
	rows := make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		rows[i] = make([]string, len(row))
		for j, c := range row {
			rows[i][j] = c.Markdown()
		}
	}
	markdown.Table(w, cols, rows)
	if t.More > 0 {
		w.WriteString("\n" + markdown.Text(t.MoreText()) + "\n")
	}
}

// Markdown renders the cell for a Markdown table: rotor's own text as it
// is, each value cut to its Max and then escaped by package markdown (as
// text, as code, or as the text of a link), a bar in block characters.
func (c Cell) Markdown() string {
	return c.render(func(s Span) string {
		v := s.clip(s.S)
		switch {
		case s.Kind == Code:
			return markdown.Code(v)
		case s.Kind == Link && s.URL != "":
			return "[" + markdown.Text(v) + "](" + s.URL + ")"
		}
		return markdown.Text(v)
	})
}

// Plain renders the cell as plain text for a format that escapes it with
// textsafe next (the report's text and HTML): rotor's own text as it is,
// each value put on one line (textsafe.OneLine) and cut to its Max, a bar
// in block characters.
func (c Cell) Plain() string {
	return c.render(func(s Span) string { return s.clip(textsafe.OneLine(s.S)) })
}

// render writes the cell with value rendering its values (Text, Code and
// Link spans): "-" when the cell is a missing value.
func (c Cell) render(value func(Span) string) string {
	if c.missing() {
		return "-"
	}
	var b strings.Builder
	for _, s := range c {
		switch s.Kind {
		case Lit:
			b.WriteString(s.S)
		case Bar:
			b.WriteString(blocks(s.Pct))
		default:
			b.WriteString(value(s))
		}
	}
	return b.String()
}

// missing reports whether c is one value with an empty S.
func (c Cell) missing() bool {
	return len(c) == 1 && c[0].S == "" && (c[0].Kind == Text || c[0].Kind == Code || c[0].Kind == Link)
}

// clip cuts v, the span's value as a format has it, to the span's Max.
func (s Span) clip(v string) string {
	if s.Max <= 0 {
		return v
	}
	return textsafe.Clip(v, s.Max)
}

// blocks draws a compliance bar of ten characters and the figure:
// "█████████░ 91%"; "n/a" without a figure.
func blocks(p *int) string {
	if p == nil {
		return "n/a"
	}
	full := (*p + 5) / 10
	if full == 10 && *p < 100 {
		full = 9
	}
	return strings.Repeat("█", full) + strings.Repeat("░", 10-full) + " " + strconv.Itoa(*p) + "%"
}

// maxURLBytes is the longest address SafeURL lets through, so that a
// document with a link per row stays small.
const maxURLBytes = 512

// SafeURL returns u when it is an http(s) address of at most 512 bytes made
// only of characters that need no escaping in a Markdown link or an HTML
// attribute; "" else, and the value it belongs to is shown unlinked.
func SafeURL(u string) string {
	if len(u) > maxURLBytes || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		return ""
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~:/?#@!$&'*+,;=%", c) >= 0:
		default:
			return "" // space, quotes, brackets, parentheses, backslash, control, non-ASCII
		}
	}
	return u
}
