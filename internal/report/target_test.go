package report_test

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// render writes r in every format, by file extension.
func render(t *testing.T, r *report.Report) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, w := range writers {
		var b bytes.Buffer
		if err := w.write(r, &b); err != nil {
			t.Fatal(err)
		}
		out[w.ext] = b.String()
	}
	return out
}

// withTarget is the sample input with the register's target set.
func withTarget(target int) report.Input {
	in := sampleInput()
	in.Register.Settings.Report.TargetPercent = target
	return in
}

// leadTile is the compliance tile of the HTML: its colour and its text.
var leadTile = regexp.MustCompile(`id="compliance"[^>]*border-top:4px solid (#[0-9a-f]{6})[^>]*>([\s\S]*?)</td>`)

// TestComplianceAgainstTheTarget: the compliance figure is held to the
// register's report.target_percent in every format: below it the HTML tile
// is red and every format says "below the N% target"; at or above it,
// green and "meets the N% target". The sample is at 70%.
func TestComplianceAgainstTheTarget(t *testing.T) {
	tests := []struct {
		name   string
		target int
		color  string
		words  string
	}{
		{"below", 95, "#c9372c", "below the 95% target"},
		{"one above", 71, "#c9372c", "below the 71% target"},
		{"at", 70, "#1f845a", "meets the 70% target"},
		{"above", 50, "#1f845a", "meets the 50% target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := report.Compute(withTarget(tt.target))
			if r.TargetPercent != tt.target {
				t.Errorf("TargetPercent = %d, want %d", r.TargetPercent, tt.target)
			}
			out := render(t, r)
			m := leadTile.FindStringSubmatch(out["html"])
			if m == nil {
				t.Fatalf("no compliance tile in the HTML:\n%s", out["html"])
			}
			if m[1] != tt.color {
				t.Errorf("the tile is %s, want %s", m[1], tt.color)
			}
			if !strings.Contains(html.UnescapeString(m[2]), tt.words) {
				t.Errorf("the tile does not say %q: %s", tt.words, m[2])
			}
			for _, ext := range []string{"md", "txt"} {
				if !strings.Contains(out[ext], tt.words) {
					t.Errorf("the %s does not say %q:\n%s", ext, tt.words, out[ext])
				}
			}
			if !strings.Contains(out["json"], `"target_percent": `) {
				t.Errorf("the JSON has no target_percent")
			}
		})
	}
	t.Run("nothing rated", func(t *testing.T) {
		r := report.Compute(report.Input{Today: today, Register: register(cred("a", "2020-01-01", 30, exempt("2027-06-01")))})
		out := render(t, r)
		if m := leadTile.FindStringSubmatch(out["html"]); m == nil || m[1] == "#c9372c" || m[1] == "#1f845a" {
			t.Errorf("with nothing rated the tile is neither red nor green: %v", m)
		}
		if !strings.Contains(out["json"], `"target_percent": 95`) {
			t.Errorf("the JSON has no default target_percent")
		}
	})
	t.Run("no register", func(t *testing.T) {
		if r := report.Compute(report.Input{Today: today}); r.TargetPercent != rotation.DefaultTargetPercent {
			t.Errorf("TargetPercent = %d without a register, want the default", r.TargetPercent)
		}
	})
}

// TestCriticalityIsShown: every table that lists credentials shows each
// one's criticality, and the JSON carries it.
func TestCriticalityIsShown(t *testing.T) {
	creds := append(sampleCreds(), cred("zz-critical-late", "2026-08-01", 90, crit(rotation.CriticalityCritical)),
		cred("zz-high-soon", "2026-09-01", 90, crit(rotation.CriticalityHigh)),
		cred("zz-low-exempt", "2026-01-01", 90, crit(rotation.CriticalityLow), exempt("2027-01-01")))
	in := sampleInput()
	in.Register = register(creds...)
	in.Rotated = append(in.Rotated, report.Rotation{ID: "zz-high-soon", Name: "x", Old: date("2026-06-01"), New: date("2026-09-01"),
		Commit: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", By: "Ada"})
	out := render(t, report.Compute(in))
	for _, ext := range []string{"md", "txt", "html"} {
		text := out[ext]
		for _, sec := range []string{"Overdue", "Due in the next 30 days", "Rotated this week", "Exemptions"} {
			i := strings.Index(text, sec+" (")
			if i < 0 {
				t.Fatalf("%s: no section %q", ext, sec)
			}
			part := text[i:]
			if j := strings.Index(part[1:], "Criticality"); j < 0 || (ext != "html" && j > 400) {
				t.Errorf("%s: section %q has no Criticality column", ext, sec)
			}
		}
		for _, c := range []string{"critical", "high", "low"} {
			if !strings.Contains(text, c) {
				t.Errorf("%s does not show %q", ext, c)
			}
		}
	}
	for _, want := range []string{`"criticality": "critical"`, `"criticality": "high"`, `"criticality": "low"`} {
		if !strings.Contains(out["json"], want) {
			t.Errorf("the JSON lacks %s", want)
		}
	}
}

// trendRow is one week of the HTML trend: the filled part's width, the
// figure shown beside the bar.
var trendRow = regexp.MustCompile(`class="trend-fill" width="(\d+)%"|class="trend-figure"[^>]*>([^<]*)<`)

// TestTrendBarsStartAtZero: the HTML trend draws each week as a bar whose
// filled part is the percentage of the whole bar (a 60% week fills 60%,
// not the bottom of a scale starting at 60), with the figure as text
// beside it; the sparkline of Markdown and text is drawn from 0 too.
func TestTrendBarsStartAtZero(t *testing.T) {
	in := sampleInput()
	// The register of three weeks ago: 60% on time.
	in.Trend = append(in.Trend[:0:0], report.Snapshot{Date: today.AddDays(-21), Register: register(
		cred("a", "2026-10-01", 90), cred("b", "2026-10-01", 90), cred("c", "2026-10-01", 90),
		cred("d", "2026-01-01", 90), cred("e", "2026-01-01", 90))})
	in.Previous = nil
	r := report.Compute(in)
	out := render(t, r)
	var fills, figures []string
	for _, m := range trendRow.FindAllStringSubmatch(out["html"], -1) {
		if m[1] != "" {
			fills = append(fills, m[1])
		} else {
			figures = append(figures, m[2])
		}
	}
	if strings.Join(fills, ",") != "60,70" || strings.Join(figures, ",") != "60%,70%" {
		t.Errorf("bars %v with figures %v, want 60,70 and 60%%,70%%:\n%s", fills, figures, out["html"])
	}
	// ▅ is 5/8: 60% on a scale from 0; on one from 60 it was ▁.
	for _, ext := range []string{"md", "txt"} {
		if !strings.Contains(out[ext], "▅▆") {
			t.Errorf("the %s sparkline is not drawn from 0:\n%s", ext, out[ext])
		}
	}
}

// TestYoungRegisterSaysWhyThereIsNoTrend: on a register whose history
// starts less than a week ago, every format says so where the trend would
// be.
func TestYoungRegisterSaysWhyThereIsNoTrend(t *testing.T) {
	in := noHistoryInput()
	in.HistoryNote = ""
	in.Rotated = []report.Rotation{}
	in.HistoryStart = date("2026-11-24")
	r := report.Compute(in)
	const want = "the register's history starts on 2026-11-24; the trend needs one full week"
	if r.TrendNote != want {
		t.Errorf("TrendNote = %q, want %q", r.TrendNote, want)
	}
	out := render(t, r)
	for ext, text := range out {
		if !strings.Contains(html.UnescapeString(text), want) {
			t.Errorf("the %s does not say why the trend is missing:\n%s", ext, text)
		}
	}
	if !strings.Contains(out["json"], `"history_start": "2026-11-24"`) {
		t.Errorf("the JSON has no history_start")
	}
	// A week of history, or none asked for: no note.
	for _, in := range []report.Input{sampleInput(), func() report.Input { in := in; in.Weeks = 0; return in }()} {
		if r := report.Compute(in); r.TrendNote != "" {
			t.Errorf("TrendNote = %q with weeks %d", r.TrendNote, in.Weeks)
		}
	}
}
