package cli

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkAudit10000 is the whole rotor audit (JSON) over 10,000
// credentials in 100 files with one commit a day for a year, each changing
// one file (rotating a run of its credentials): 10,000 credentials added
// and thousands of rotations. The target is under 3 s and 200 MB.
func BenchmarkAudit10000(b *testing.B) {
	dir := yearOfHistory(b)
	env := Env{
		Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" },
		Now: func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
	}
	args := []string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--format", "json"}
	var out bytes.Buffer
	env.Stdout = &out
	for b.Loop() {
		out.Reset()
		if code := Main(context.Background(), args, env); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
	if n := strings.Count(out.String(), `"type": "added"`); n != 10000 {
		b.Fatalf("%d credentials added in the pack, want 10000", n)
	}
	if !strings.Contains(out.String(), `"type": "rotation"`) {
		b.Fatal("no rotation in the pack")
	}
}
