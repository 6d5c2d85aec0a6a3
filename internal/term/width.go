package term

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Ellipsis marks where a value was shortened.
const Ellipsis = "…"

// RuneWidth is the number of cells r takes in a terminal: 2 for an east
// Asian wide or fullwidth character, 0 for a combining mark or a control
// character, 1 for the rest.
func RuneWidth(r rune) int {
	switch {
	case r < 0x20 || r == 0x7f:
		return 0
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me) || r == 0x200b:
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// StringWidth is the number of cells s takes in a terminal. Colour codes
// (CSI sequences, as Paint writes) take none.
func StringWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			n += RuneWidth(r)
			i += size - 1
		default:
			n += RuneWidth(rune(c))
		}
	}
	return n
}

// Truncate returns s in at most n cells: s itself when it fits, else as
// many whole runes from its start as fit before "…".
func Truncate(s string, n int) string {
	if StringWidth(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for _, r := range s {
		w := RuneWidth(r)
		if used+w > n-1 {
			break
		}
		b.WriteRune(r)
		used += w
	}
	return b.String() + Ellipsis
}

// TruncateStart returns s in at most n cells: s itself when it fits, else
// "…" and as many whole runes from its end as fit, for values whose end
// says most (a date after words).
func TruncateStart(s string, n int) string {
	if StringWidth(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	used, i := 0, len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		w := RuneWidth(r)
		if used+w > n-1 {
			break
		}
		used += w
		i -= size
	}
	return Ellipsis + s[i:]
}

// Wrap breaks text into lines of at most width cells at spaces, every line
// after the first starting with indent (counted in the width). A word
// longer than a line is broken where the line ends, never inside a rune.
// Width 0 or less: text as it is, one line.
func Wrap(text string, width int, indent string) []string {
	if width <= 0 || StringWidth(text) <= width {
		return []string{text}
	}
	if StringWidth(indent) >= width/2 {
		indent = ""
	}
	lead := text[:len(text)-len(strings.TrimLeft(text, " "))]
	if StringWidth(lead) >= width/2 {
		lead = ""
	}
	var lines []string
	line, used, empty := lead, StringWidth(lead), true
	for _, word := range strings.Fields(text) {
		w := StringWidth(word)
		if !empty && used+1+w > width {
			lines = append(lines, line)
			line, used, empty = indent, StringWidth(indent), true
		}
		if !empty {
			line += " "
			used++
		}
		for used+w > width {
			// A word longer than the room left: break it at the edge.
			head := cutAt(word, width-used)
			lines = append(lines, line+head)
			word = word[len(head):]
			w = StringWidth(word)
			line, used = indent, StringWidth(indent)
		}
		line += word
		used += w
		empty = false
	}
	return append(lines, line)
}

// cutAt is the longest start of s, in whole runes, of at most n cells (at
// least one rune, so that a break always makes progress).
func cutAt(s string, n int) string {
	used := 0
	for i, r := range s {
		w := RuneWidth(r)
		if used+w > n && i > 0 {
			return s[:i]
		}
		used += w
	}
	return s
}

// Fit wraps every line of text wider than width cells (Wrap), its
// continuation lines indented two cells under the line's own indent:
// prose around a Table fits the terminal as the table does. Width 0 or
// less: text as it is.
func Fit(text string, width int) string {
	if width <= 0 {
		return text
	}
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if StringWidth(line) <= width {
			b.WriteString(line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))] + "  "
		b.WriteString(strings.Join(Wrap(line, width, indent), "\n"))
	}
	return b.String()
}
