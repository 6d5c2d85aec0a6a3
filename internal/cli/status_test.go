package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStatusFilters: a --team no credential has is a usage error naming
// the teams there are; a --status no row has is an empty result.
func TestStatusFilters(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   string // part of stdout
		stderr   string // part of stderr
	}{
		{name: "unknown team", args: []string{"--team", "nosuch"}, wantCode: ExitUsage,
			stderr: `no team "nosuch": the register has data, payments, platform`},
		{name: "unknown team among known ones", args: []string{"--team", "payments,nosuch"}, wantCode: ExitUsage,
			stderr: `no team "nosuch": the register has data, payments, platform`},
		{name: "unknown team as JSON", args: []string{"--team", "nosuch", "--format", "json"}, wantCode: ExitUsage,
			stderr: `no team "nosuch"`},
		{name: "team without rows of the status", args: []string{"--team", "data", "--status", "exempt"},
			stdout: "ID ", stderr: "0 credentials as of 2026-11-27"},
		{name: "team without rows of the status as JSON", args: []string{"--team", "data", "--status", "exempt", "--format", "json"},
			stdout: "[]\n"},
		{name: "team without rows of the status as Markdown", args: []string{"--team", "data", "--status", "exempt", "--format", "markdown"},
			stdout: "0 credentials, as of 2026-11-27."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"status", "--register", example, "--today", "2026-11-27"}, tt.args...)
			r := runRotor(t, nil, "", args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tt.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
			if tt.wantCode == ExitUsage && r.stdout != "" {
				t.Errorf("stdout on a usage error: %q", r.stdout)
			}
		})
	}
}

// TestStatusFailOn: --fail-on makes status a gate; the table is printed
// first and the last line of stderr says why.
func TestStatusFailOn(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		lastLine string // the last line of stderr, when the gate fails
	}{
		{name: "overdue", args: []string{"--fail-on", "overdue"}, wantCode: ExitFailed,
			lastLine: "rotor: 3 credentials overdue (--fail-on overdue)"},
		{name: "due counts overdue too", args: []string{"--fail-on", "due"}, wantCode: ExitFailed,
			lastLine: "rotor: 7 credentials due or overdue (--fail-on due)"},
		{name: "as JSON", args: []string{"--fail-on", "overdue", "--format", "json"}, wantCode: ExitFailed,
			lastLine: "rotor: 3 credentials overdue (--fail-on overdue)"},
		{name: "as Markdown", args: []string{"--fail-on", "due", "--format", "markdown", "--team", "payments"}, wantCode: ExitFailed,
			lastLine: "rotor: 2 credentials due or overdue (--fail-on due)"},
		{name: "filtered to none overdue", args: []string{"--fail-on", "overdue", "--status", "ok,due"}},
		{name: "a team with only due", args: []string{"--fail-on", "overdue", "--team", "data", "--status", "due"}},
		{name: "a team with one overdue", args: []string{"--fail-on", "overdue", "--team", "data"}, wantCode: ExitFailed,
			lastLine: "rotor: 1 credential overdue (--fail-on overdue)"},
		{name: "exempt does not fail", args: []string{"--fail-on", "due", "--status", "exempt"}},
		{name: "unknown value", args: []string{"--fail-on", "late"}, wantCode: ExitUsage,
			lastLine: `rotor: --fail-on "late": use overdue or due`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"status", "--register", example, "--today", "2026-11-27"}, tt.args...)
			r := runRotor(t, nil, "", args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.wantCode == ExitUsage {
				return
			}
			if r.stdout == "" {
				t.Errorf("nothing printed before the gate")
			}
			if tt.lastLine != "" {
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				if got := lines[len(lines)-1]; got != tt.lastLine {
					t.Errorf("last line of stderr %q, want %q", got, tt.lastLine)
				}
			}
		})
	}
}

// TestStatusShowsCriticalityAndExemption: criticality is a column, the
// tie-break after the due date, and an exempt row says until when.
func TestStatusShowsCriticalityAndExemption(t *testing.T) {
	r := runRotor(t, nil, "", "status", "--register", example, "--today", "2026-11-27", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		ex, has := row["exemption"]
		switch {
		case row["status"] == "exempt":
			if m, ok := ex.(map[string]any); !ok || m["until"] != "2027-01-31" || len(m) != 1 {
				t.Errorf("%s: exemption %v, want {\"until\": \"2027-01-31\"}", row["id"], ex)
			}
		case has:
			t.Errorf("%s: exemption %v on a row not exempt", row["id"], ex)
		}
	}
	md := runRotor(t, nil, "", "status", "--register", example, "--today", "2026-11-27", "--format", "markdown", "--team", "platform")
	if md.code != ExitOK {
		t.Fatalf("exit %d: %s", md.code, md.stderr)
	}
	checkGolden(t, "status-platform.md.golden", md.stdout)
}
