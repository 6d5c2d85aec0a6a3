package dashboard_test

import (
	"context"
	"testing"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/register/registertest"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// largeInput is 10,000 generated credentials in 100 files, read by the
// validator, with a year of history: 52 weekly snapshots and one
// rotation of each credential inside the year.
func largeInput(tb testing.TB) dashboard.Input {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := registertest.Generate(dir, 10000, 100); err != nil {
		tb.Fatal(err)
	}
	v, err := validate.New()
	if err != nil {
		tb.Fatal(err)
	}
	day := rotation.MustParseDate("2026-11-27")
	res, err := v.Validate(context.Background(), validate.Options{Root: dir, Today: day})
	if err != nil {
		tb.Fatal(err)
	}
	if n := res.Errors(); n > 0 {
		tb.Fatalf("the generated register has %d errors", n)
	}
	return input(res.Register, day, 52, false)
}

func rotations(p *audit.Pack) int {
	n := 0
	for _, e := range p.Events {
		if e.Type == audit.EventRotation {
			n++
		}
	}
	return n
}

// BenchmarkSite10000 renders the whole site of 10,000 credentials with a
// year of history. Figures on 2 cores: see docs/dashboard.md.
func BenchmarkSite10000(b *testing.B) {
	in := largeInput(b)
	b.Logf("%d credentials, %d trend snapshots, %d rotations in the audit pack", len(in.Register.Credentials), len(in.Trend), rotations(in.Audit))
	b.ReportAllocs()
	b.ResetTimer()
	var site *dashboard.Site
	for b.Loop() {
		var err error
		if site, err = dashboard.Render(in); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(site.File("index.html")))/1e3, "index-kB")
	b.ReportMetric(float64(site.Size())/1e6, "site-MB")
	b.ReportMetric(float64(len(site.Paths())), "files")
}

// TestLargeSite holds the index of 10,000 credentials under 1 MB, with
// its long lists cut and pointing to the team pages.
func TestLargeSite(t *testing.T) {
	if testing.Short() {
		t.Skip("renders 10,000 credentials")
	}
	in := largeInput(t)
	site := render(t, in)
	idx := site.File("index.html")
	if len(idx) >= 1<<20 {
		t.Errorf("index.html is %d bytes, want under 1 MB", len(idx))
	}
	if got, want := len(site.Paths()), len(in.Register.Credentials)+len(in.Report.Teams)+6; got != want {
		t.Errorf("%d files, want %d (a page per credential and team, the index, five feeds)", got, want)
	}
	t.Logf("index.html: %d bytes; site: %d files, %d bytes", len(idx), len(site.Paths()), site.Size())
}
