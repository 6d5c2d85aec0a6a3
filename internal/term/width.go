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

// StringWidth is the number of cells s takes in a terminal.
func StringWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			// Not all ASCII: count the rest rune by rune.
			for _, r := range s[i:] {
				n += RuneWidth(r)
			}
			return n
		}
		n += RuneWidth(rune(s[i]))
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
// longer than a line stays whole on a line of its own. Width 0 or less:
// text as it is, one line.
func Wrap(text string, width int, indent string) []string {
	if width <= 0 || StringWidth(text) <= width {
		return []string{text}
	}
	var lines []string
	line, used := "", 0
	for _, word := range strings.Fields(text) {
		w := StringWidth(word)
		switch {
		case line == "" && len(lines) == 0:
			line, used = word, w
		case line == "":
			line, used = indent+word, StringWidth(indent)+w
		case used+1+w <= width:
			line += " " + word
			used += 1 + w
		default:
			lines = append(lines, line)
			line, used = indent+word, StringWidth(indent)+w
		}
	}
	return append(lines, line)
}
