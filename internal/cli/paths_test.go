package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidatePaths: PATHs are compared with the register's files as
// absolute, cleaned paths, and a PATH that names no file of the register is
// a usage error, never "register is valid".
func TestValidatePaths(t *testing.T) {
	root := t.TempDir()
	reg := filepath.Join(root, "credential_rotation")
	bad := "credentials:\n  - id: db-admin\n    name: DB admin\n    owner: not-an-email\n    period_days: 90\n    last_changed: 2026-09-01\n"
	good := strings.Replace(strings.Replace(bad, "not-an-email", "alice@example.com", 1), "db-admin", "other", 1)
	for name, content := range map[string]string{"team/a.yaml": bad, "b.yaml": good, "notes.txt": "x\n"} {
		p := filepath.Join(reg, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	outside := filepath.Join(root, "elsewhere.yaml")
	if err := os.WriteFile(outside, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		path     string
		wantCode int
		stdout   string
		stderr   string
	}{
		{name: "absolute file", path: filepath.Join(reg, "team", "a.yaml"), wantCode: ExitFailed, stdout: "is not an email address"},
		{name: "absolute folder", path: filepath.Join(reg, "team"), wantCode: ExitFailed, stdout: "is not an email address"},
		{name: "unclean path", path: filepath.Join(reg, "team") + "/../team/./a.yaml", wantCode: ExitFailed, stdout: "is not an email address"},
		{name: "clean file elsewhere in the register", path: filepath.Join(reg, "b.yaml"), wantCode: ExitOK, stderr: "register is valid"},
		{name: "missing path", path: filepath.Join(reg, "nope.yaml"), wantCode: ExitUsage, stderr: "does not exist"},
		{name: "outside the register", path: outside, wantCode: ExitUsage, stderr: "is not inside the register"},
		{name: "not a register file", path: filepath.Join(reg, "notes.txt"), wantCode: ExitUsage, stderr: "not a register file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runRotor(t, nil, "", "validate", "--register", reg, tt.path)
			if r.code != tt.wantCode || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
		})
	}
}
