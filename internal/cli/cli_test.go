package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/golden"
)

// result is what one in-process run of rotor printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// runRotor runs the CLI in-process with a pinned clock and the given
// environment (nothing is read from the real one).
func runRotor(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runRotorContext(context.Background(), t, env, stdin, args...)
}

// runRotorContext is runRotor under ctx: a deadline ends a command that
// would serve (rotor relay).
func runRotorContext(ctx context.Context, t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	e, stdout, stderr := testEnv(env, stdin)
	code := Main(ctx, args, e)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// testEnv is the Env of a test: the given environment (nothing is read
// from the real one), a pinned clock, retries without the waits, and
// the streams it returns.
func testEnv(env map[string]string, stdin string) (e Env, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: stdout,
		Stderr: stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2026, time.November, 27, 9, 0, 0, 0, time.UTC) },
		// Retries happen, without the waits.
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}, stdout, stderr
}

// checkGolden compares got with testdata/name (see package golden).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

const example = "../../credential_rotation"

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		golden   string // stdout
		stderr   string // part of stderr
	}{
		{name: "example register is valid", args: []string{"validate", "--register", example}, stderr: "register is valid (12 credentials in 3 files)"},
		{name: "findings", args: []string{"validate", "--register", "testdata/bad"}, wantCode: ExitFailed, golden: "validate-bad.golden", stderr: "8 errors, 1 warning (3 credentials in 2 files)"},
		{name: "findings as JSON", args: []string{"validate", "--register", "testdata/bad", "--format", "json"}, wantCode: ExitFailed, golden: "validate-bad.json.golden"},
		{name: "only the named paths", args: []string{"validate", "--register", "testdata/bad", "testdata/bad/team"}, wantCode: ExitFailed, golden: "validate-bad-team.golden", stderr: "1 error, 1 warning"},
		{name: "missing register", args: []string{"validate", "--register", "testdata/nope"}, wantCode: ExitUsage, stderr: `register folder "testdata/nope" does not exist`},
		{name: "bad format", args: []string{"validate", "--register", example, "--format", "xml"}, wantCode: ExitUsage, stderr: `--format "xml": use text or json`},
		{name: "unknown flag", args: []string{"validate", "--registr", example}, wantCode: ExitUsage, stderr: "flag provided but not defined"},
		{name: "unknown command", args: []string{"valdate"}, wantCode: ExitUsage, stderr: `unknown command "valdate"`},
		{name: "bad --today", args: []string{"validate", "--register", example, "--today", "2026-02-30"}, wantCode: ExitUsage, stderr: "--today"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runRotor(t, nil, "", tt.args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

func TestValidateInGitHubActions(t *testing.T) {
	root := t.TempDir()
	var b strings.Builder
	b.WriteString("credentials:\n")
	for i := range 12 {
		b.WriteString("  - id: c" + string(rune('a'+i)) + "\n    name: n\n    owner: nobody\n    period_days: 9\n    last_changed: 2026-01-01\n")
	}
	if err := os.WriteFile(filepath.Join(root, "a.yaml"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "ROTOR_REGISTER": root}
	r := runRotor(t, env, "", "validate")
	if r.code != ExitFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var errorsShown, notices int
	for _, line := range strings.Split(r.stdout, "\n") {
		switch {
		case strings.HasPrefix(line, "::error file="):
			errorsShown++
			if !strings.Contains(line, ",line=") || !strings.Contains(line, "title=rotor owner-email::") {
				t.Errorf("malformed annotation %q", line)
			}
		case strings.HasPrefix(line, "::notice "):
			notices++
			if !strings.Contains(line, "2 more findings") {
				t.Errorf("notice %q does not count the rest", line)
			}
		}
	}
	if errorsShown != 10 || notices != 1 {
		t.Errorf("%d error annotations and %d notices, want 10 and 1:\n%s", errorsShown, notices, r.stdout)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "### rotor validate: 12 errors") || strings.Count(string(md), "| owner-email |") != 12 {
		t.Errorf("summary:\n%s", md)
	}
}

func TestStatus(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		r := runRotor(t, map[string]string{"ROTOR_TODAY": "2026-11-27"}, "", "status", "--register", example, "--format", "json")
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 12 {
			t.Fatalf("%d rows, want 12", len(rows))
		}
		for _, key := range []string{"id", "name", "owner", "team", "file", "line", "period_days", "last_changed", "next_due_date", "days_left", "status"} {
			if _, ok := rows[0][key]; !ok {
				t.Errorf("row has no key %q: %v", key, rows[0])
			}
		}
		prev := ""
		for _, row := range rows {
			due := row["next_due_date"].(string)
			if due < prev {
				t.Errorf("rows not sorted by due date: %s after %s", due, prev)
			}
			prev = due
		}
		first := rows[0]
		if first["id"] != "snowflake-etl-service" || first["days_left"] != float64(-75) || first["status"] != "overdue" ||
			first["file"] != "../../credential_rotation/data/analytics.yaml" || first["line"] != float64(4) {
			t.Errorf("first row = %v", first)
		}
	})
	t.Run("text", func(t *testing.T) {
		r := runRotor(t, nil, "", "status", "--register", example, "--today", "2026-11-27")
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkGolden(t, "status.golden", r.stdout)
		if !strings.Contains(r.stderr, "12 credentials: 3 overdue, 4 due, 4 ok, 1 exempt as of 2026-11-27") {
			t.Errorf("no summary line: %q", r.stderr)
		}
	})
	t.Run("markdown with filters", func(t *testing.T) {
		r := runRotor(t, nil, "", "status", "--register", example, "--today", "2026-11-27", "--format", "markdown", "--status", "due,overdue", "--team", "payments")
		if r.code != ExitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		checkGolden(t, "status-payments.md.golden", r.stdout)
	})
	t.Run("bad status filter", func(t *testing.T) {
		r := runRotor(t, nil, "", "status", "--register", example, "--status", "late")
		if r.code != ExitUsage || !strings.Contains(r.stderr, `--status "late"`) {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("invalid register", func(t *testing.T) {
		r := runRotor(t, nil, "", "status", "--register", "testdata/bad")
		if r.code != ExitFailed || !strings.Contains(r.stderr, "the register has 8 errors") || r.stdout != "" {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})
}

// copyRegister copies the example register into a temporary folder so a
// test may change it; the schema sits beside it as in the repository.
func copyRegister(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "credential_rotation")
	err := filepath.WalkDir(example, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(example, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestErrorOfSeveralLinesPrintsThemAsLines: an error that lists several
// problems (one per line) shows them one per line, not as a literal \n.
func TestErrorOfSeveralLinesPrintsThemAsLines(t *testing.T) {
	env := map[string]string{
		"ROTOR_JIRA_WEBHOOK_SECRET": "short", "GITHUB_TOKEN": "t", "ROTOR_GITHUB_REPOSITORY": "acme/register",
		"ROTOR_GITHUB_API_URL": "ftp://host/::x",
	}
	r := runRotor(t, env, "", "relay")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if r.code != ExitUsage || strings.Contains(r.stderr, `\n`) || len(lines) < 2 {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if !strings.HasPrefix(lines[0], "rotor: ") || !strings.HasPrefix(lines[1], "  ") {
		t.Errorf("want the first line after \"rotor: \" and the next indented:\n%s", r.stderr)
	}
}
