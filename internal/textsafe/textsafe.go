// Package textsafe makes values from the register safe to print in a
// terminal and in a GitHub Actions log.
//
// The register is written by anyone who can open a pull request, and rotor
// prints its values in places that interpret some characters: a terminal
// acts on escape sequences (ESC, C1 controls), a carriage return overwrites
// a line, and the Actions runner treats a line that starts with "::" (after
// leading white space) as a workflow command, and "##[" anywhere in a line
// as a legacy one. So every value goes through [Value] (or [LineStart] or
// [Path] when it may begin a line) before it is printed.
//
// The characters shown escaped are: the C0 controls (tab, line feed and
// carriage return included), DEL, the C1 controls, the line and paragraph
// separators U+2028 and U+2029, the bidirectional marks, embeddings,
// overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E,
// U+2066–U+2069), and bytes that are not UTF-8. They are written as Go
// writes them in a quoted string: \t, \n, \r, \x1b, \u202e. The zero-width
// joiners are kept, since some scripts and emoji need them, and a backslash
// is printed as it is, so a message that already quotes a value with %q
// reads the same.
//
// Markdown needs other escaping: see package markdown, which uses
// [Controls] for the characters above.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Unsafe reports whether r is shown escaped: a control character, a line
// or paragraph separator, or a bidirectional formatting character.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == '\u061c', r == '\u200e', r == '\u200f', r == '\u2028', r == '\u2029':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// Controls returns s with every [Unsafe] character, and every byte that is
// not UTF-8, written as an escape (\n, \x1b, \u202e). It returns s itself
// when there is nothing to escape.
func Controls(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			appendHexByte(&b, s[i])
		case Unsafe(r):
			appendEscape(&b, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || Unsafe(r) {
			return true
		}
		i += size
	}
	return false
}

const hexDigits = "0123456789abcdef"

func appendHexByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xf])
}

func appendEscape(b *strings.Builder, r rune) {
	switch r {
	case '\t':
		b.WriteString(`\t`)
	case '\n':
		b.WriteString(`\n`)
	case '\r':
		b.WriteString(`\r`)
	default:
		if r < 0x80 {
			appendHexByte(b, byte(r))
			return
		}
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
}

// Value returns s for printing inside a line of text output: [Controls],
// and a "[" after "#" written as \x5b, so that no "##[" (the runner's
// legacy command prefix) can appear. The result holds no line break, so it
// cannot start a line of its own; use [LineStart] when the value itself may
// begin a line.
func Value(s string) string {
	s = Controls(s)
	if strings.Contains(s, "#[") {
		s = strings.ReplaceAll(s, "#[", `#\x5b`)
	}
	return s
}

// LineStart is [Value] for a value that may begin a line, or follow only
// white space: when it would start with "::" after white space, as a
// workflow command does, its first colon is written as \x3a.
func LineStart(s string) string {
	s = Value(s)
	if i := commandAt(s); i >= 0 {
		s = s[:i] + `\x3a` + s[i+1:]
	}
	return s
}

// Path is [LineStart] for a file path: a relative path that would start
// with "::" after white space gets "./" in front instead, which names the
// same file.
func Path(s string) string {
	s = Value(s)
	if commandAt(s) >= 0 {
		s = "./" + s
	}
	return s
}

// commandAt returns the index of the "::" that s starts with after white
// space (the runner trims the same white space), or -1.
func commandAt(s string) int {
	rest := strings.TrimLeftFunc(s, isSpace)
	if strings.HasPrefix(rest, "::") {
		return len(s) - len(rest)
	}
	return -1
}

// isSpace is the white space the runner trims (.NET's char.IsWhiteSpace),
// and a few invisible characters on top, to be safe.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u180e' || r == '\u200b' || r == '\ufeff'
}
