package dashboard

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestICSText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a,b;c\d`, `a\,b\;c\\d`},
		{"two\nlines", `two\nlines`},
		{"tab\there", `tab\\there`},
		{"evil\u202etxt", `evil\\u202etxt`},
		{"cr\rlf", `cr\\rlf`},
	}
	for _, tt := range tests {
		if got := icsText(tt.in); got != tt.want {
			t.Errorf("icsText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestICSLineFolding(t *testing.T) {
	for _, line := range []string{
		"SUMMARY:" + strings.Repeat("é", 100),
		"SUMMARY:" + strings.Repeat("€", 100),
		"DESCRIPTION:" + strings.Repeat("a", 74) + "😀" + strings.Repeat("b", 200),
		"SHORT:x",
		strings.Repeat("x", 75),
		strings.Repeat("x", 76),
	} {
		var b bytes.Buffer
		icsLine(&b, line)
		out := b.String()
		if !strings.HasSuffix(out, "\r\n") {
			t.Errorf("%q: no CRLF at the end", line)
		}
		for _, phys := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(phys) > 75 || !utf8.ValidString(phys) {
				t.Errorf("%q: physical line %q (%d octets)", line, phys, len(phys))
			}
		}
		if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != line {
			t.Errorf("unfolded %q, want %q", got, line)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"plain":               "plain",
		"=1+1":                "'=1+1",
		"+1":                  "'+1",
		"-2+3":                "'-2+3",
		"@SUM(A1)":            "'@SUM(A1)",
		"\t=cmd":              "'\t=cmd",
		"\r=cmd":              "'\r=cmd",
		"a=b":                 "a=b",
		`=HYPERLINK("x","y")`: `'=HYPERLINK("x","y")`,
		"'already quoted":     "'already quoted",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}
