package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

// dashboardRepo is a register repository with a rotation in history: a is
// rotated on 2026-10-01 with ticket SEC-7, b is overdue.
func dashboardRepo(t *testing.T) string {
	t.Helper()
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), Message: "register\n",
			Files: map[string]string{"credential_rotation/all.yaml": registerFile(auditEntry("a", 90, "2026-07-01", ""), auditEntry("b", 30, "2026-07-01", ""))}},
		{When: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Message: "Record rotation of a (SEC-7)\n\nRotor-Credential: a\nRotor-Ticket: SEC-7\n",
			Files: map[string]string{"credential_rotation/all.yaml": registerFile(auditEntry("a", 90, "2026-10-01", "    last_ticket: SEC-7\n"), auditEntry("b", 30, "2026-07-01", ""))}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	return dir
}

func TestDashboardWritesTheSiteFromRegisterAndHistory(t *testing.T) {
	dir := dashboardRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	r := runRotor(t, nil, "", "dashboard", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--today", "2026-11-27", "--out", out)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"index.html", "status.json", "register.csv", "due.ics", "metrics.prom", "badge.svg", "credentials/a.html", "credentials/b.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("the site lacks %s: %v", f, err)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, "credentials", "a.html"))
	if err != nil {
		t.Fatal(err)
	}
	// The rotation read from history, with its ticket.
	for _, want := range []string{"2026-07-01 → 2026-10-01", "SEC-7"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("credentials/a.html lacks %q", want)
		}
	}
	// status.json is rotor status --format json on the same day.
	var site struct {
		Credentials []map[string]any `json:"credentials"`
	}
	b, err := os.ReadFile(filepath.Join(out, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &site); err != nil {
		t.Fatalf("status.json: %v", err)
	}
	st := runRotor(t, nil, "", "status", "--register", filepath.Join(dir, "credential_rotation"), "--today", "2026-11-27", "--format", "json")
	var status []map[string]any
	if err := json.Unmarshal([]byte(st.stdout), &status); err != nil {
		t.Fatalf("status json: %v\n%s", err, st.stdout)
	}
	if got, want := mustJSON(t, site.Credentials), mustJSON(t, status); got != want {
		t.Errorf("status.json credentials differ from rotor status --format json:\n%s\n%s", got, want)
	}
	if !strings.Contains(r.stderr, "wrote the internal site") {
		t.Errorf("no progress line:\n%s", r.stderr)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDashboardPublicNamesNoCredential(t *testing.T) {
	dir := dashboardRepo(t)
	out := filepath.Join(t.TempDir(), "site")
	r := runRotor(t, nil, "", "dashboard", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--today", "2026-11-27", "--out", out, "--public")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secretish := range []string{"Credential a", "Credential b", "a@example.com", "b@example.com"} {
			if strings.Contains(string(b), secretish) {
				t.Errorf("%s names %q in a public site", p, secretish)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDashboardRefusesAnInvalidRegisterAndWritesNothing(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "bad.yaml"), []byte(registerFile(auditEntry("a", 90, "2026-02-30", ""))), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	r := runRotor(t, nil, "", "dashboard", "--register", root, "--repo", root, "--today", "2026-11-27", "--out", out)
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitFailed, r.stderr)
	}
	if !strings.Contains(r.stderr, "bad.yaml:") || !strings.Contains(r.stderr, "[date]") {
		t.Errorf("the findings are not printed as validate prints them:\n%s", r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a site was written for an invalid register: %v", err)
	}
}

func TestDashboardUsage(t *testing.T) {
	for _, args := range [][]string{
		{"dashboard"},
		{"dashboard", "--out", "site", "--weeks", "0"},
		{"dashboard", "--out", "site", "--weeks", "53"},
	} {
		r := runRotor(t, nil, "", append(args, "--register", "../../credential_rotation")...)
		if r.code != ExitUsage {
			t.Errorf("%q: exit %d, want %d\n%s", args, r.code, ExitUsage, r.stderr)
		}
	}
}

func TestDashboardWithoutHistory(t *testing.T) {
	root := filepath.Join(t.TempDir(), "credential_rotation")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "all.yaml"), []byte(registerFile(auditEntry("a", 90, "2026-10-01", ""))), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	r := runRotor(t, nil, "", "dashboard", "--register", root, "--repo", filepath.Dir(root), "--today", "2026-11-27", "--out", out)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	index, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(index), "no git history") {
		t.Errorf("index.html does not say why history is missing")
	}
}

// BenchmarkDashboard10000 is the whole rotor dashboard over 10,000
// credentials in 100 files with one commit a day for a year (the history
// of BenchmarkAudit10000): the register validated, the trend, last week
// and a year of rotations read once, the site rendered and written. The
// target is under 3 s and 250 MB.
func BenchmarkDashboard10000(b *testing.B) {
	dir := yearOfHistory(b)
	env := Env{
		Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" },
		Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
	out := filepath.Join(b.TempDir(), "site")
	args := []string{"dashboard", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--out", out}
	for b.Loop() {
		if code := Main(context.Background(), args, env); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
	entries, err := os.ReadDir(filepath.Join(out, "credentials"))
	if err != nil || len(entries) != 10000 {
		b.Fatalf("%d credential pages, want 10000 (%v)", len(entries), err)
	}
}

// TestDashboardExemptShowsItsEnd: an exempt credential's pages say until
// when it is exempt, never how many days "late" its old due date is.
func TestDashboardExemptShowsItsEnd(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "credential_rotation")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	exempt := "    exemption:\n      until: 2027-01-31\n      reason: vendor migration\n      approved_by: ciso@example.com\n"
	if err := os.WriteFile(filepath.Join(root, "all.yaml"), []byte(registerFile(auditEntry("x", 30, "2026-04-01", exempt))), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "site")
	if r := runRotor(t, nil, "", "dashboard", "--register", root, "--repo", dir, "--today", "2026-11-27", "--out", out); r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, p := range []string{"credentials/x.html", "teams/platform.html"} {
		b, err := os.ReadFile(filepath.Join(out, p))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "exempt until 2027-01-31") || strings.Contains(string(b), "days late") {
			t.Errorf("%s does not say until when x is exempt (or calls it late)", p)
		}
	}
}
