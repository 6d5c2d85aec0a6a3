package textsafe_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/rotor-dev/rotor/internal/textsafe"
)

func TestValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain name", "Payments DB admin password", "Payments DB admin password"},
		{"email", "alice@example.com", "alice@example.com"},
		{"id", "payments-db-admin", "payments-db-admin"},
		{"date", "2026-11-27", "2026-11-27"},
		{"url", "https://wiki.example.com/runbooks/payments-db-admin", "https://wiki.example.com/runbooks/payments-db-admin"},
		{"non-ASCII letters", "Zahlungs-DB Schlüssel 鍵", "Zahlungs-DB Schlüssel 鍵"},
		{"zero-width joiner kept", "👩\u200d💻", "👩\u200d💻"},
		{"backslash kept", `C:\keys "x\n"`, `C:\keys "x\n"`},
		{"forged annotation", "x\n::error file=README.md,line=1::forged", `x\n::error file=README.md,line=1::forged`},
		{"clear screen", "\x1b[2Jgone", `\x1b[2Jgone`},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`},
		{"carriage return", "ok\rFAIL", `ok\rFAIL`},
		{"CR LF", "a\r\nb", `a\r\nb`},
		{"tab", "a\tb", `a\tb`},
		{"NUL BEL DEL", "\x00\x07\x7f", `\x00\x07\x7f`},
		{"C1 CSI as a rune", "a\u009b2Jb", `a\u009b2Jb`},
		{"C1 CSI as a raw byte", "a\x9b2Jb", `a\x9b2Jb`},
		{"NEL", "a\u0085b", `a\u0085b`},
		{"invalid UTF-8", "a\xffb", `a\xffb`},
		{"line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"bidi override", "evil\u202egpj.exe", `evil\u202egpj.exe`},
		{"bidi isolates and marks", "\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d", `\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d`},
		{"legacy command", "x ##[error]forged", `x ##\x5berror]forged`},
		{"legacy command at the start", "##[group]x", `##\x5bgroup]x`},
		{"markdown stays", "[x](https://evil.example) <b>", "[x](https://evil.example) <b>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textsafe.Value(tt.in); got != tt.want {
				t.Errorf("Value(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLineStart(t *testing.T) {
	tests := []struct {
		name, in, want, path string
	}{
		{"ordinary", "payments-db-admin", "payments-db-admin", "payments-db-admin"},
		{"command", "::error::forged", `\x3a:error::forged`, "./::error::forged"},
		{"after spaces", "  ::warning::x", `  \x3a:warning::x`, "./  ::warning::x"},
		{"after a no-break space", "\u00a0::x::y", "\u00a0\\x3a:x::y", "./\u00a0::x::y"},
		{"after an ideographic space", "\u3000::x::y", "\u3000\\x3a:x::y", "./\u3000::x::y"},
		{"after a tab (escaped, not a command)", "\t::x::y", `\t::x::y`, `\t::x::y`},
		{"one colon", ":x", ":x", ":x"},
		{"colons later", "a::b", "a::b", "a::b"},
		{"absolute path", "/tmp/::x.yaml", "/tmp/::x.yaml", "/tmp/::x.yaml"},
		{"escaped and guarded", "::x\x1b", `\x3a:x\x1b`, `./::x\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textsafe.LineStart(tt.in); got != tt.want {
				t.Errorf("LineStart(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := textsafe.Path(tt.in); got != tt.path {
				t.Errorf("Path(%q) = %q, want %q", tt.in, got, tt.path)
			}
		})
	}
}

// TestNoUnsafeRuneSurvives checks every rune up to U+FFFF and every byte.
func TestNoUnsafeRuneSurvives(t *testing.T) {
	for r := rune(0); r <= 0xffff; r++ {
		s := "a" + string(r) + "b"
		got := textsafe.Value(s)
		for _, g := range got {
			if textsafe.Unsafe(g) {
				t.Fatalf("Value(%q) = %q keeps U+%04X", s, got, g)
			}
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Value(%q) = %q has a line break", s, got)
		}
		if unicode.IsControl(r) && got == s {
			t.Errorf("control U+%04X printed raw", r)
		}
	}
	for c := 0x80; c <= 0xff; c++ {
		s := "a" + string([]byte{byte(c)}) + "b"
		if got := textsafe.Value(s); strings.ContainsRune(got, 0xfffd) || got == s {
			t.Errorf("Value(% x) = %q", s, got)
		}
	}
}

func FuzzLineStart(f *testing.F) {
	for _, s := range []string{"::error::x", "a\n::b", "\x1b[2J", "##[x]", " \u2028::y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{textsafe.LineStart(s), textsafe.Path(s)} {
			if strings.ContainsAny(got, "\n\r\x1b\u009b") || strings.IndexByte(got, 0x9b) >= 0 || strings.Contains(got, "##[") {
				t.Fatalf("%q -> %q", s, got)
			}
			if strings.HasPrefix(strings.TrimLeftFunc(got, unicode.IsSpace), "::") {
				t.Fatalf("%q -> %q starts a workflow command", s, got)
			}
		}
	})
}
