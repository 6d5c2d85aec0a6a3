package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/cli"
)

// The example register make demo shows, and its day.
const (
	exampleRegister = "../../credential_rotation"
	demoToday       = "2026-11-27"
)

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

func writeDemo(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "demo")
	if err := run(out, exampleRegister, demoToday); err != nil {
		t.Fatal(err)
	}
	return out
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(b))
}

// rotor runs the rotor CLI in-process on the demo repository, as make
// demo runs it.
func rotor(t *testing.T, repo string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := cli.Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" },
		Now:    func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
	args = append(args, "--register", filepath.Join(repo, "credential_rotation"), "--repo", repo, "--today", demoToday)
	if code := cli.Main(context.Background(), args, env); code != 0 {
		t.Fatalf("rotor %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

func TestDemoRepositoryEndsAtTheExampleRegister(t *testing.T) {
	requireGit(t)
	a, b := writeDemo(t), writeDemo(t)
	if ha, hb := gitOut(t, a, "rev-parse", "HEAD"), gitOut(t, b, "rev-parse", "HEAD"); ha != hb {
		t.Errorf("two runs wrote different histories: %s and %s", ha, hb)
	}
	want, err := readRegister(exampleRegister)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readRegister(filepath.Join(a, "credential_rotation"))
	if err != nil {
		t.Fatal(err)
	}
	if d := differing(got, want); len(d) > 0 {
		t.Errorf("the demo repository's register differs from the example register: %s", strings.Join(d, ", "))
	}
	if s := gitOut(t, a, "status", "--porcelain"); s != "" {
		t.Errorf("the working tree is not the last commit:\n%s", s)
	}
	if n, _ := strconv.Atoi(gitOut(t, a, "rev-list", "--count", "--first-parent", "HEAD")); n < 10 {
		t.Errorf("%d commits on main, want months of them", n)
	}
	if first := gitOut(t, a, "log", "--reverse", "--format=%cs", "HEAD"); !strings.HasPrefix(first, "2026-05-") {
		t.Errorf("the history starts %.10s, want about six months before %s", first, demoToday)
	}
}

func TestDemoReportHasATrendAndAWeek(t *testing.T) {
	requireGit(t)
	repo := writeDemo(t)
	var r struct {
		Trend []struct {
			Date              string `json:"date"`
			CompliancePercent *int   `json:"compliance_percent"`
		} `json:"trend"`
		Change  *int `json:"change"`
		Rotated []struct {
			ID string `json:"id"`
		} `json:"rotated"`
	}
	if err := json.Unmarshal(rotor(t, repo, "report", "--format", "json", "--weeks", "26"), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Trend) < 8 {
		t.Errorf("the trend has %d points, want several weeks", len(r.Trend))
	}
	changed := false
	for _, p := range r.Trend[1:] {
		changed = changed || p.CompliancePercent == nil || *p.CompliancePercent != *r.Trend[0].CompliancePercent
	}
	if !changed {
		t.Error("the trend is flat: the demo history shows nothing moving")
	}
	if r.Change == nil || *r.Change == 0 {
		t.Errorf("change since last week = %v, want a change", r.Change)
	}
	if len(r.Rotated) == 0 {
		t.Error("nothing was rotated in the week: the report's week shows nothing")
	}
}

func TestDemoAuditListsRotationsWithTickets(t *testing.T) {
	requireGit(t)
	repo := writeDemo(t)
	var a struct {
		Summary struct {
			Rotations int `json:"rotations"`
			Late      int `json:"late"`
		} `json:"summary"`
		Events []struct {
			Type            string `json:"type"`
			CredentialID    string `json:"credential_id"`
			Ticket          string `json:"ticket"`
			RecordedByRotor bool   `json:"recorded_by_rotor"`
			MergedBy        string `json:"merged_by"`
			PR              *int   `json:"pr"`
			Action          string `json:"action"`
		} `json:"events"`
	}
	if err := json.Unmarshal(rotor(t, repo, "audit", "--format", "json", "--from", "2026-06-01", "--to", demoToday), &a); err != nil {
		t.Fatal(err)
	}
	var recorded, granted, added, removed int
	for _, e := range a.Events {
		switch {
		case e.Type == "rotation" && e.Ticket != "" && e.RecordedByRotor:
			recorded++
			if e.PR == nil || e.MergedBy == "" {
				t.Errorf("the rotation of %s (%s) has no pull request or reviewer", e.CredentialID, e.Ticket)
			}
		case e.Type == "exemption" && e.Action == "granted":
			granted++
		case e.Type == "added":
			added++
		case e.Type == "removed":
			removed++
		}
	}
	if recorded < 2 {
		t.Errorf("%d rotations recorded by rotor record with a ticket, want at least 2", recorded)
	}
	if a.Summary.Rotations < 8 || a.Summary.Late != 1 {
		t.Errorf("%d rotations, %d late; want months of rotations, one late", a.Summary.Rotations, a.Summary.Late)
	}
	if granted != 1 || added == 0 || removed == 0 {
		t.Errorf("%d exemptions granted, %d additions, %d removals; want 1 and some of each", granted, added, removed)
	}
}

func TestDemoRepoRefusesWhatItMustNotTouch(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	keep := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(dir, exampleRegister, demoToday); err == nil || !strings.Contains(err.Error(), "not a demo repository this command wrote") {
		t.Errorf("writing over a folder of other files: err = %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("the folder's file is gone: %v", err)
	}
	if err := run(filepath.Join(dir, "demo"), exampleRegister, "2026-11-01"); err == nil || !strings.Contains(err.Error(), "before the demo history's last commit") {
		t.Errorf("a today before the history ends: err = %v", err)
	}
	// A second run over its own repository replaces it.
	out := writeDemo(t)
	if err := run(out, exampleRegister, demoToday); err != nil {
		t.Errorf("a second run over its own repository: %v", err)
	}
}
