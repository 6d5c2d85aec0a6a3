package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

// yearOfHistory makes a repository whose register holds 10,000
// credentials in 100 files, with one commit a day for a year, each
// rotating one credential.
func yearOfHistory(b *testing.B) string {
	b.Helper()
	gittest.Require(b)
	dir := b.TempDir()
	gittest.Git(b, dir, "init", "-q", "-b", "main")
	file := func(f, rotatedUpTo int) string {
		var s strings.Builder
		s.WriteString("credentials:\n")
		for i := range 100 {
			last := "2026-01-05"
			if f*100+i < rotatedUpTo {
				last = "2026-06-01"
			}
			fmt.Fprintf(&s, "  - id: cred-%03d-%03d\n    name: Credential %d of file %d\n    owner: owner%d@example.com\n"+
				"    team: team-%d\n    period_days: 365\n    last_changed: %s\n    runbook: https://wiki.example.com/runbooks/cred-%d-%d\n",
				f, i, i, f, i, f%10, last, f, i)
		}
		return s.String()
	}
	start := time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC)
	first := map[string]string{"credential_rotation/rotor.yaml": "timezone: UTC\n"}
	for f := range 100 {
		first[fmt.Sprintf("credential_rotation/team-%03d.yaml", f)] = file(f, 0)
	}
	commits := []gittest.Commit{{When: start, Message: "register", Files: first}}
	for day := 1; day < 365; day++ {
		f := (day * 7) % 100
		commits = append(commits, gittest.Commit{When: start.AddDate(0, 0, day), Message: fmt.Sprintf("day %d", day),
			Files: map[string]string{fmt.Sprintf("credential_rotation/team-%03d.yaml", f): file(f, f*100+day%100)}})
	}
	gittest.Import(b, dir, "main", commits)
	gittest.Git(b, dir, "checkout", "-q", "-f", "main")
	return dir
}

// BenchmarkReport10000 is the whole rotor report (JSON) on 10,000
// credentials with a year of daily history and an 8-week trend. The target
// is under 2 s and 150 MB.
func BenchmarkReport10000(b *testing.B) {
	dir := yearOfHistory(b)
	env := Env{
		Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" },
		Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
	args := []string{"report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--format", "json", "--weeks", "8"}
	var out bytes.Buffer
	env.Stdout = &out
	for b.Loop() {
		out.Reset()
		if code := Main(context.Background(), args, env); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
	if !strings.Contains(out.String(), `"trend"`) || strings.Contains(out.String(), `"history_note"`) {
		b.Fatalf("the report lacks its history:\n%.400s", out.String())
	}
}
