package leak

import (
	"fmt"
	"strings"
	"testing"
)

type want struct {
	line, col int
	kind      string
	secret    string
	allowed   bool
}

func check(t *testing.T, text string, wants []want) {
	t.Helper()
	res := Scan([]byte(text))
	var got []want
	for _, m := range res.Matches {
		got = append(got, want{m.Line, m.Column, m.Kind, m.Secret, m.Allowed})
	}
	if fmt.Sprint(got) != fmt.Sprint(wants) {
		t.Errorf("Scan(%q):\n got %v\nwant %v", text, got, wants)
	}
}

// TestPositions: lines and columns are 1-based, columns count runes, and
// matches come in order of line and column.
func TestPositions(t *testing.T) {
	ghp := "ghp_" + strings.Repeat("aB3dE5", 6)
	akia := "AKIAQWERTYUIOP234567"
	tests := []struct {
		name  string
		text  string
		wants []want
	}{
		{"first line, first column", ghp + "\n", []want{{1, 1, "a GitHub token", ghp, false}}},
		{"no final newline", "a: b\n  # " + akia, []want{{2, 5, "an AWS access key id", akia, false}}},
		{"CRLF", "a: b\r\nkey: " + akia + "\r\n", []want{{2, 6, "an AWS access key id", akia, false}}},
		{"runes, not bytes", "name: Zürich Größe " + akia + "\n", []want{{1, 20, "an AWS access key id", akia, false}}},
		{"two on a line, in column order", "# " + akia + " and " + ghp + "\n", []want{
			{1, 3, "an AWS access key id", akia, false},
			{1, 28, "a GitHub token", ghp, false},
		}},
		{"a keyword at the start of a line", "x: 1\npassword: hunter2hunter2\n", []want{{2, 11, "a password after a keyword", "hunter2hunter2", false}}},
		{"after a document end", "a: b\n... pwd=Tr0ub4dor&3\n", []want{{2, 9, "a password after a keyword", "Tr0ub4dor&3", false}}},
		{"private key block, every body line", "k: |\n  -----BEGIN EC PRIVATE KEY-----\n  MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oMXUhPwgpYR7oAoGCCqGSM49\n  AwEHoUQDQgAE7+LmXBbLDTmcHTQ5CTR8UJ4fXWBO0hVwa4Uk2Lyk6ai0VKSw2i7a\n  -----END EC PRIVATE KEY-----\nnext: value\n", []want{
			{2, 3, "a private key block", "-----BEGIN EC PRIVATE KEY-----", false},
			{3, 3, "a private key block", "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oMXUhPwgpYR7oAoGCCqGSM49", false},
			{4, 3, "a private key block", "AwEHoUQDQgAE7+LmXBbLDTmcHTQ5CTR8UJ4fXWBO0hVwa4Uk2Lyk6ai0VKSw2i7a", false},
		}},
		{"a lone header ends at the next ordinary line", "    description: \"-----BEGIN RSA PRIVATE KEY-----\"\n    owner: alice@example.com\n    period_days: 90\n", []want{
			{1, 19, "a private key block", "-----BEGIN RSA PRIVATE KEY-----", false},
		}},
		{"an encrypted block's PEM headers", "# -----BEGIN RSA PRIVATE KEY-----\n# Proc-Type: 4,ENCRYPTED\n# MIIEow\n# -----END RSA PRIVATE KEY-----\n", []want{
			{1, 3, "a private key block", "-----BEGIN RSA PRIVATE KEY-----", false},
			{2, 3, "a private key block", "Proc-Type: 4,ENCRYPTED", false},
			{3, 3, "a private key block", "MIIEow", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { check(t, tt.text, tt.wants) })
	}
}

// TestAllowances: an allowance marks its line's matches Allowed and is
// Used when it allowed one; its reason is never scanned; a missing reason
// is reported as an empty Reason.
func TestAllowances(t *testing.T) {
	akia := "AKIAIOSFODNN7EXAMPLE"
	text := strings.Join([]string{
		"a: " + akia + " # rotor:allow-leak AWS's documented example key",               // 1: allowed, used
		"b: plain value # rotor:allow-leak nothing to allow here",                       // 2: unused
		"c: " + akia + " #rotor:allow-leak",                                             // 3: allowed, no reason
		"d: " + akia,                                                                    // 4: not allowed
		"e: fine # rotor:allow-leak the reason is not scanned: pwd=Tr0ub4dor&3 " + akia, // 5: unused
		"f: " + akia + " # rotor:allow-leaks is another word",                           // 6: not an allowance
		"g: 'rotor:allow-leak is not a comment here' " + akia,                           // 7: not an allowance
	}, "\n") + "\n"
	res := Scan([]byte(text))
	wantAllow := []Allowance{
		{Line: 1, Reason: "AWS's documented example key", Used: true},
		{Line: 2, Reason: "nothing to allow here", Used: false},
		{Line: 3, Reason: "", Used: true},
		{Line: 5, Reason: "the reason is not scanned: pwd=Tr0ub4dor&3 " + akia, Used: false},
	}
	if fmt.Sprint(res.Allowances) != fmt.Sprint(wantAllow) {
		t.Errorf("allowances:\n got %+v\nwant %+v", res.Allowances, wantAllow)
	}
	var got []string
	for _, m := range res.Matches {
		got = append(got, fmt.Sprintf("%d:%v", m.Line, m.Allowed))
	}
	if want := "[1:true 3:true 4:false 6:false 7:false]"; fmt.Sprint(got) != want {
		t.Errorf("matches (line:allowed): got %v, want %s", got, want)
	}
}

// TestRedact: secrets disappear from plain and %q-quoted messages, the
// longest first; secrets too short to be told from ordinary text are never
// searched for.
func TestRedact(t *testing.T) {
	tests := []struct {
		name, msg string
		secrets   []string
		want      string
	}{
		{"plain", "value hunter2hunter2 here", []string{"hunter2hunter2"}, "value [redacted] here"},
		{"quoted", fmt.Sprintf("value %q here", `pa"ss\word1`), []string{`pa"ss\word1`}, `value "[redacted]" here`},
		{"quoted inside a longer value", fmt.Sprintf("%q", `x: "Xk9!m"Q2w`), []string{`Xk9!m"Q2w`}, `"x: \"[redacted]"`},
		{"non-ASCII, ASCII-quoted", fmt.Sprintf("%+q", "Grüße123!"), []string{"Grüße123!"}, `"[redacted]"`},
		{"longest first", "abc123xyz789 and abc123xy", []string{"abc123xy", "abc123xyz789"}, "[redacted] and [redacted]"},
		{"every occurrence", "k3y!k3y! k3y!k3y!", []string{"k3y!k3y!"}, "[redacted] [redacted]"},
		{"overlapping", "Q1w2E3r4T5y6U7i8 and k3y!k3y!k3y!", []string{"Q1w2E3r4T5", "2E3r4T5y6U7i8", "k3y!k3y!"}, "[redacted] and [redacted]"},
		{"a short secret is not searched for", "description looks like a password", []string{"p", "ss", "a pass"}, "description looks like a password"},
		{"the minimum", "Xk9!mQ2# and Xk9!mQ2", []string{"Xk9!mQ2#", "Xk9!mQ2"}, "[redacted] and Xk9!mQ2"},
		{"empty secret ignored", "text", []string{""}, "text"},
		{"no secrets", "text", nil, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.msg, tt.secrets); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.msg, got, tt.want)
			}
			if got := NewRedactor(tt.secrets).Redact(tt.msg); got != tt.want {
				t.Errorf("NewRedactor(...).Redact(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
	// And on what Scan returns, in the shape the validator prints.
	line := `    description: "Tr0ub4dor\3 is pwd=Tr0ub4dor\3"`
	res := Scan([]byte(line))
	if len(res.Matches) == 0 {
		t.Fatalf("no match in %q", line)
	}
	var secrets []string
	for _, m := range res.Matches {
		secrets = append(secrets, m.Secret)
	}
	for _, msg := range []string{line, fmt.Sprintf("value %q looks like a password", line)} {
		out := Redact(msg, secrets)
		if strings.Contains(out, `Tr0ub4dor\3`) || strings.Contains(out, `Tr0ub4dor\\3`) {
			t.Errorf("Redact left the secret in %q", out)
		}
	}
}

// TestScrub: what Scan finds in a text is replaced where it was found, and
// nowhere else: a one-character password leaves the rest of the text as it
// was.
func TestScrub(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a token", "add pay sk_live_4eC39HqLyjWDarjtT1zdp7dc", "add pay [redacted]"},
		{"two", "AKIAQWERTYUIOP234567 and ghp_" + strings.Repeat("x1Y2", 9), "[redacted] and [redacted]"},
		{"a short password in a URL", "p: the description says postgres://app:p@db.internal/app is up", "p: the description says postgres://app:[redacted]@db.internal/app is up"},
		{"a PIN", "pin: 4821, card 4821", "pin: [redacted], card 4821"},
		{"allowed", "AKIAIOSFODNN7EXAMPLE # rotor:allow-leak AWS's documented example key", "AKIAIOSFODNN7EXAMPLE # rotor:allow-leak AWS's documented example key"},
		{"nothing", "Rotate the payments password", "Rotate the payments password"},
		{"a continued line", "token ghp_x1Y2x1Y2x1Y2x1Y2\\\n  x1Y2x1Y2x1Y2x1Y2x1Y2 done", "token [redacted]\\\n  [redacted] done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Scrub(tt.in); got != tt.want {
				t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestPublicBlocks: a certificate's body is public and not scanned, but
// scanning resumes after its END line.
func TestPublicBlocks(t *testing.T) {
	check(t, "c: |\n  -----BEGIN CERTIFICATE-----\n  MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n  -----END CERTIFICATE-----\n  zQ8vN3kR7tW2yB5mX9cF4hJ6pL1sD0gA\n",
		[]want{{5, 3, "a high-entropy string", "zQ8vN3kR7tW2yB5mX9cF4hJ6pL1sD0gA", false}})
	check(t, "# -----BEGIN PUBLIC KEY-----\n# MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEx9kR7tW2yB5mX9cF4hJ6pL1sD0gAq\npassword: hunter2hunter2\n",
		[]want{{3, 11, "a password after a keyword", "hunter2hunter2", false}})
}
