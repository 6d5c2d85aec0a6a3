package leak

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzScan: Scan never panics, and every match is where it says: Line
// and Column within the text, Secret a non-empty substring of its line
// starting at Column and at Offset. Matches come in order and do not
// overlap. Allowances name real lines, in order. The seed
// corpus (every corpus sample and a few edge cases) runs in go test.
func FuzzScan(f *testing.F) {
	for _, s := range loadCorpus(f) {
		f.Add([]byte(s.Text))
	}
	for _, s := range []string{
		"", "\n", "\r\n", "#", "# rotor:allow-leak", "x # rotor:allow-leak\n", "rotor:allow-leak",
		"password:", "password: ", "password=\"", "pwd='", "pin is", "api key", "://", "a://b:c@",
		"x://:@?&=#", "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----\n\n-----END",
		"\xff\xfe password: \xff", "sig=", ":AA", "Q~", "~", "AKIA", "\"private_key\": \"",
		"ghp_0123456789012345678901234567890123456789\r",
		"a: \"ghp_01234567890123456789\\\n  0123456789012345\"", "pwd=\\\n\\\n  x\\", "\\\n", "\\", "x\\\r\n # rotor:allow-leak y",
		"postgres://a:b@c@d/e@f", "x://a:1/b@c", "jdbc:x://h;password=p;", "a/b@//c", "@//", "u/p@//h u/q@//h",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res := Scan(data)
		lines := bytes.Split(data, []byte("\n"))
		for _, m := range res.Matches {
			if m.Line < 1 || m.Line > len(lines) {
				t.Fatalf("match on line %d of %d", m.Line, len(lines))
			}
			ln := bytes.TrimSuffix(lines[m.Line-1], []byte("\r"))
			if m.Column < 1 || m.Column > utf8.RuneCount(ln) {
				t.Fatalf("line %d: column %d of %d runes", m.Line, m.Column, utf8.RuneCount(ln))
			}
			if m.Secret == "" || !bytes.Contains(ln, []byte(m.Secret)) {
				t.Fatalf("line %d: secret %q is not in %q", m.Line, m.Secret, ln)
			}
			// Column is where the secret starts.
			at := 0
			for range m.Column - 1 {
				_, n := utf8.DecodeRune(ln[at:])
				at += n
			}
			if !bytes.HasPrefix(ln[at:], []byte(m.Secret)) {
				t.Fatalf("line %d column %d: %q does not start the secret %q", m.Line, m.Column, ln[at:], m.Secret)
			}
			if m.Offset < 0 || m.Offset+len(m.Secret) > len(data) || string(data[m.Offset:m.Offset+len(m.Secret)]) != m.Secret {
				t.Fatalf("line %d: the secret %q is not at offset %d", m.Line, m.Secret, m.Offset)
			}
			if m.Kind == "" {
				t.Fatalf("line %d: a match with no kind", m.Line)
			}
		}
		end := 0
		for i, m := range res.Matches {
			if m.Offset < end {
				t.Fatalf("match %d at offset %d overlaps or precedes the one before, which ends at %d", i, m.Offset, end)
			}
			end = m.Offset + len(m.Secret)
		}
		last := 0
		for _, a := range res.Allowances {
			if a.Line <= last || a.Line > len(lines) {
				t.Fatalf("allowance on line %d after line %d, of %d", a.Line, last, len(lines))
			}
			last = a.Line
		}
	})
}

// FuzzRedact holds the one-pass Redactor to its plain meaning: every byte
// of every occurrence of a secret's forms (plain, %q, %+q) of at least
// MinSearchLen bytes is covered, and each run of covered bytes becomes one
// Redacted.
func FuzzRedact(f *testing.F) {
	f.Add("value hunter2hunter2 here", "hunter2hunter2", "")
	f.Add("Q1w2E3r4T5y6U7i8 and k3y!k3y!k3y!", "Q1w2E3r4T5", "2E3r4T5y6U7i8")
	f.Add(`"x: \"Xk9!m\"Q2w"`, `Xk9!m"Q2w`, "k3y!k3y!")
	f.Add("short p and ss", "p", "ss")
	f.Fuzz(func(t *testing.T, s, a, b string) {
		covered := make([]bool, len(s))
		for _, sec := range []string{a, b} {
			if len(sec) < MinSearchLen {
				continue
			}
			for _, form := range []string{sec, strconv.Quote(sec), strconv.QuoteToASCII(sec)} {
				if form != sec {
					form = form[1 : len(form)-1]
				}
				for i := 0; i+len(form) <= len(s); i++ {
					if s[i:i+len(form)] == form {
						for j := i; j < i+len(form); j++ {
							covered[j] = true
						}
					}
				}
			}
		}
		var want strings.Builder
		for i := 0; i < len(s); i++ {
			if !covered[i] {
				want.WriteByte(s[i])
				continue
			}
			want.WriteString(Redacted)
			for i+1 < len(s) && covered[i+1] {
				i++
			}
		}
		if got := Redact(s, []string{a, b}); got != want.String() {
			t.Fatalf("Redact(%q, %q, %q) = %q, want %q", s, a, b, got, want.String())
		}
	})
}
