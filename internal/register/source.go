package register

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is a file's bytes with its lines as YAML counts them: a line ends
// at \n, \r\n, a lone \r, NEL (U+0085), LS (U+2028) or PS (U+2029), so
// yaml.v3's line numbers index starts. Every edit of a register file
// (AppendEntry, SetFields) finds its lines here and is a list of splices.
type source struct {
	data   []byte
	starts []int // offset of each line's first byte
	ends   []int // offset of each line's break (len(data) for a last line without one)
}

func newSource(data []byte) *source {
	s := &source{data: data}
	start := 0
	for i := 0; i < len(data); {
		n := breakAt(data, i)
		if n == 0 {
			i++
			continue
		}
		s.starts, s.ends = append(s.starts, start), append(s.ends, i)
		i += n
		start = i
	}
	if start < len(data) || len(s.starts) == 0 {
		s.starts, s.ends = append(s.starts, start), append(s.ends, len(data))
	}
	return s
}

// breakAt returns the length of the line break at b[i:], or 0.
func breakAt[T ~string | ~[]byte](b T, i int) int {
	if i < 0 || i >= len(b) {
		return 0
	}
	switch b[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if i+1 < len(b) && b[i+1] == 0x85 {
			return 2
		}
	case 0xE2:
		if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

// lastBreakLen returns the length of the line break that ends s, or 0.
func lastBreakLen[T ~string | ~[]byte](s T) int {
	for n := 3; n >= 1; n-- {
		if len(s) >= n && breakAt(s, len(s)-n) == n {
			return n
		}
	}
	return 0
}

func countBreaks[T ~string | ~[]byte](b T) int {
	n := 0
	for i := 0; i < len(b); {
		if k := breakAt(b, i); k > 0 {
			n++
			i += k
			continue
		}
		i++
	}
	return n
}

// line returns line i (0-based) with its break.
func (s *source) line(i int) []byte {
	if i+1 < len(s.starts) {
		return s.data[s.starts[i]:s.starts[i+1]]
	}
	return s.data[s.starts[i]:]
}

// lineOf returns the 0-based line that holds offset off.
func (s *source) lineOf(off int) int {
	return sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > off }) - 1
}

// offset converts yaml's 1-based line and (character) column to a byte
// offset; a byte order mark does not count as a character.
func (s *source) offset(line, col int) int {
	l := min(max(line-1, 0), len(s.starts)-1)
	off, end := s.starts[l], s.ends[l]
	if l == 0 && strings.HasPrefix(string(s.data[off:min(end, off+len(bom))]), bom) {
		off += len(bom)
	}
	for i := 1; i < col && off < end; i++ {
		_, size := utf8.DecodeRune(s.data[off:end])
		off += size
	}
	return off
}

// scalarEnd returns the offset just past the scalar n that starts at off,
// and false when n is not on one line or is not where yaml.v3 put it.
func (s *source) scalarEnd(off int, n *yaml.Node, flow bool) (int, bool) {
	d, end := s.data, s.ends[s.lineOf(off)]
	if off >= end {
		return 0, false
	}
	var i int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if d[off] != '"' {
			return 0, false
		}
		for i = off + 1; i < end && d[i] != '"'; i++ {
			if d[i] == '\\' {
				i++
			}
		}
		if i >= end {
			return 0, false
		}
		i++
	case n.Style&yaml.SingleQuotedStyle != 0:
		if d[off] != '\'' {
			return 0, false
		}
		for i = off + 1; i < end; i++ {
			if d[i] == '\'' {
				if i+1 < end && d[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= end {
			return 0, false
		}
		i++
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0:
		return 0, false
	default: // plain: up to a comment, a ": ", a flow indicator or the line's end, as yaml.v3 scans it
		for i = off; i < end; i++ {
			c := d[i]
			if c == '#' && i > off && isBlank(d[i-1]) ||
				c == ':' && (i+1 == end || isBlank(d[i+1])) ||
				flow && strings.IndexByte(flowIndicators+"?", c) >= 0 {
				break
			}
		}
		for i > off && isBlank(d[i-1]) {
			i--
		}
		return i, string(d[off:i]) == n.Value
	}
	var v string
	if err := yaml.Unmarshal(d[off:i], &v); err != nil || v != n.Value {
		return 0, false
	}
	return i, true
}

// flowEnd returns the offset just past the flow collection that starts at
// off ([ or {).
func (s *source) flowEnd(off int) (int, bool) {
	d := s.data
	if off >= len(d) || d[off] != '[' && d[off] != '{' {
		return 0, false
	}
	depth, prev := 0, byte('[')
	for i := off; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '#' && (isBlank(d[i-1]) || lastBreakLen(d[:i]) > 0):
			for i < len(d) && breakAt(d, i) == 0 {
				i++
			}
			continue
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:?", prev) >= 0:
			for i++; i < len(d); i++ {
				if c == '"' && d[i] == '\\' {
					i++
					continue
				}
				if d[i] == c {
					if c == '\'' && i+1 < len(d) && d[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i + 1, true
			}
		}
		if !isBlank(c) && breakAt(d, i) == 0 {
			prev = c
		}
	}
	return 0, false
}

func (s *source) len() int { return len(s.data) }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func (s *source) blankLine(i int) bool {
	for _, c := range s.data[s.starts[i]:s.ends[i]] {
		if !isBlank(c) {
			return false
		}
	}
	return true
}

// body returns line i without its break.
func (s *source) body(i int) []byte { return s.data[s.starts[i]:s.ends[i]] }

// indent returns the number of spaces that start line i (after a byte order
// mark).
func (s *source) indent(i int) int {
	l := strings.TrimPrefix(string(s.body(i)), bom)
	return len(l) - len(strings.TrimLeft(l, " "))
}

const bom = "\uFEFF"

// onlyComments reports whether the file holds nothing but comments and
// blank lines.
func (s *source) onlyComments() bool {
	for i := range s.starts {
		l := strings.Trim(strings.TrimPrefix(string(s.body(i)), bom), " \t")
		if l != "" && l[0] != '#' {
			return false
		}
	}
	return true
}

// eolBefore returns the line ending for a line inserted before line at:
// that of the line above it when it is \n, \r\n or a lone \r, else the
// file's. NEL, LS and PS are not copied: YAML 1.2, git and most editors do
// not end lines there. The new line's break cannot merge with the file's
// into one \r\n: a line after a lone \r never starts with \n.
func (s *source) eolBefore(at int) string {
	if at > 0 {
		if brk := s.lineBreak(at - 1); brk == "\n" || brk == "\r\n" || brk == "\r" {
			return brk
		}
	}
	return s.eol()
}

// eol returns the file's line ending: "\r\n" when its first \n follows a
// \r (a Windows file), "\n" when it has one, "\r" for a file whose lines
// end at a lone \r only, else "\n".
func (s *source) eol() string {
	if i := bytes.IndexByte(s.data, '\n'); i >= 0 {
		if i > 0 && s.data[i-1] == '\r' {
			return "\r\n"
		}
		return "\n"
	}
	if bytes.IndexByte(s.data, '\r') >= 0 {
		return "\r"
	}
	return "\n"
}

// lineBreak returns the break that ends line i ("" for a last line
// without one).
func (s *source) lineBreak(i int) string { return string(s.line(i)[s.ends[i]-s.starts[i]:]) }

// removeToken returns the splice that removes the token at yaml's line and
// column: open ... close with only blanks between, or open alone when
// close is "". The blanks before it go too, and those at the end of the
// line; a comment after it stays.
func (s *source) removeToken(line, col int, open, close string) (splice, bool) {
	l := min(max(line-1, 0), len(s.starts)-1)
	body := string(s.body(l))
	start := s.offset(line, col) - s.starts[l]
	if !strings.HasPrefix(body[start:], open) {
		return splice{}, false
	}
	end := start + len(open)
	if close != "" {
		rest := strings.TrimLeft(body[end:], " \t")
		if !strings.HasPrefix(rest, close) {
			return splice{}, false
		}
		end = len(body) - len(rest) + len(close)
	}
	text := strings.TrimRight(body[:start], " \t") + strings.TrimRight(body[end:], " \t")
	return splice{start: s.starts[l], end: s.ends[l], text: text}, true
}

// endOfEntry returns the 0-based line index just past the last line of the
// list entry that starts on line first: the entry goes on while lines are
// blank or indented deeper than its dash (content, block scalars and the
// entry's own comments), up to end. Blank lines after it, and comments at
// the list's own indentation or less, stay below the new entry.
func (s *source) endOfEntry(first, end, dash int) int {
	at := first + 1
	for i := first + 1; i < end; i++ {
		if s.blankLine(i) {
			continue
		}
		if s.indent(i) <= dash {
			break
		}
		at = i + 1
	}
	return min(at, end)
}

// blankSeparated reports whether the entries of seq are separated by blank
// lines, so that a new entry follows the same layout.
func (s *source) blankSeparated(seq *yaml.Node) bool {
	if len(seq.Content) < 2 {
		return false
	}
	prev := seq.Content[1].Line - 2
	return prev >= 0 && prev < len(s.starts) && s.blankLine(prev)
}

// splice replaces data[start:end] of a file with text.
type splice struct {
	start, end int
	text       string
}

// apply returns data with splices, in file order and not overlapping,
// applied.
func apply(data []byte, splices []splice) []byte {
	size := len(data)
	for _, sp := range splices {
		size += len(sp.text) - (sp.end - sp.start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, sp := range splices {
		out = append(out, data[at:sp.start]...)
		out = append(out, sp.text...)
		at = sp.end
	}
	return append(out, data[at:]...)
}
