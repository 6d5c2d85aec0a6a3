package textsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Words for people: counts, days, one-line text and shortened text, one
// way for every output of rotor.

// Plural renders a count with its noun: "1 commit", "3 commits".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Days renders a number of days: "1 day", "-1 day", "3 days", "0 days".
func Days(n int) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " day"
	}
	return strconv.Itoa(n) + " days"
}

// OneLine folds the line breaks and tabs of s (a reason or a description
// may span lines) and the spaces around them into single spaces, for a
// table cell or a line of a list.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' || r == '\t' || r == ' ' }), " ")
}

// Clip cuts s to at most n characters, marking a cut with "…" (after the
// n characters). Run it before escaping, so that no escape is cut in two.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "…"
}

// TruncateBytes cuts s to at most n bytes without splitting a UTF-8
// sequence, for a field whose limit is in bytes (a Jira summary).
func TruncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
