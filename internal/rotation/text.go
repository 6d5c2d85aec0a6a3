package rotation

import "unicode/utf8"

// Patterns of the register's text fields, as the JSON Schema states them
// ($defs line and text); a test keeps the schema and these in step.
//
// A single line refuses every control character (C0, DEL, C1), the Unicode
// line and paragraph separators, and the bidirectional marks, overrides and
// isolates that make text read differently from what it is (a name that
// forges a log line, repaints a terminal or hides a reversed word in a
// review). Text that may span lines also allows line feed and tab.
const (
	LinePattern = "^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
	TextPattern = "^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)

// ControlRune returns the first rune of s that a single-line field
// (multiline false) or a multi-line one refuses, with its byte offset.
func ControlRune(s string, multiline bool) (r rune, offset int, found bool) {
	for i, r := range s {
		if refusedRune(r, multiline) {
			return r, i, true
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return r, i, true
			}
		}
	}
	return 0, 0, false
}

func refusedRune(r rune, multiline bool) bool {
	switch {
	case multiline && (r == '\n' || r == '\t'):
		return false
	case r <= 0x1f, r >= 0x7f && r <= 0x9f, r == 0x061c, r == 0x200e, r == 0x200f, r == 0x2028, r == 0x2029,
		r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
