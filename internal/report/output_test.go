package report_test

import (
	"bytes"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/report"
)

// checkGolden compares got with testdata/name (see package golden).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

var writers = []struct {
	ext   string
	write func(*report.Report, io.Writer) error
}{
	{"md", (*report.Report).WriteMarkdown},
	{"txt", (*report.Report).WriteText},
	{"json", (*report.Report).WriteJSON},
	{"html", (*report.Report).WriteHTML},
}

var samples = []struct {
	name  string
	input func() report.Input
}{
	{"report", sampleInput},
	{"no-history", noHistoryInput},
	{"hostile", hostileInput},
	{"young", func() report.Input {
		in := noHistoryInput()
		in.HistoryNote, in.Rotated, in.HistoryStart = "", []report.Rotation{}, date("2026-11-24")
		return in
	}},
	{"empty", func() report.Input {
		return report.Input{Today: today, Register: register(), Weeks: 8, Rotated: []report.Rotation{}}
	}},
}

func TestOutput(t *testing.T) {
	for _, s := range samples {
		for _, w := range writers {
			name := s.name + "." + w.ext
			t.Run(name, func(t *testing.T) {
				var b bytes.Buffer
				if err := w.write(report.Compute(s.input()), &b); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, name+".golden", b.Bytes())
			})
		}
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		name  string
		input func() report.Input
		want  string
	}{
		{"sample", sampleInput, "Secret rotation: 70% on time, 3 overdue (week 48)"},
		{"empty", func() report.Input { return report.Input{Today: today, Register: register()} }, "Secret rotation: no credentials, 0 overdue (week 48)"},
		{"all exempt", func() report.Input {
			return report.Input{Today: date("2027-01-01"), Register: register(cred("a", "2020-01-01", 30, exempt("2027-06-01")))}
		}, "Secret rotation: nothing rated (1 exempt), 0 overdue (week 53)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := report.Compute(tt.input()).Subject(); got != tt.want {
				t.Errorf("Subject() = %q, want %q", got, tt.want)
			}
		})
	}
}

// forbiddenHTML is what Gmail drops or Outlook cannot render, and what must
// never come from a value: a style block, scripts, flexbox, grid, images.
var forbiddenHTML = []string{"<style", "<script", "display:flex", "display: flex", "display:grid", "display: grid", "<img", `href="javascript`}

func TestHTMLIsEmailSafe(t *testing.T) {
	inputs := append([]func() report.Input{}, sampleInput, noHistoryInput, hostileInput)
	inputs = append(inputs, func() report.Input { return largeInput(2000, 1000, false) })
	for _, in := range inputs {
		var b bytes.Buffer
		if err := report.Compute(in()).WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		html := strings.ToLower(b.String())
		for _, f := range forbiddenHTML {
			if strings.Contains(html, f) {
				t.Errorf("the HTML contains %q", f)
			}
		}
		// Gmail clips a message above 102 KB.
		if b.Len() > 100_000 {
			t.Errorf("the HTML of a realistic register is %d bytes, over Gmail's clipping limit", b.Len())
		}
	}
}

func TestHostileValuesStayText(t *testing.T) {
	r := report.Compute(hostileInput())
	var md, txt bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(&txt); err != nil {
		t.Fatal(err)
	}
	// No link, image or raw HTML in the Markdown: outside code spans,
	// every < [ ] of a value is escaped, and no bidi override is left.
	if strings.Contains(md.String(), "\u202e") {
		t.Error("the Markdown contains U+202E")
	}
	prose := withoutCodeSpans(md.String())
	for i := 0; i < len(prose); i++ {
		if strings.IndexByte("<>[]", prose[i]) >= 0 && !escaped(prose, i) {
			t.Errorf("unescaped %q in the Markdown: %q", prose[i], prose[max(0, i-30):min(len(prose), i+30)])
		}
	}
	cells := regexp.MustCompile(`(^|[^\\])\|`)
	var want int
	for _, line := range strings.Split(md.String(), "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		n := len(cells.FindAllString(line, -1))
		if want == 0 {
			want = n
		} else if n != want {
			t.Errorf("a table row has %d cell separators, its header %d: %s", n, want, line)
		}
	}
	// No workflow command and no bidi override in the text.
	for _, line := range strings.Split(txt.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.Contains(line, "##[") || strings.Contains(line, "\u202e") {
			t.Errorf("unsafe text line: %q", line)
		}
	}
}

// TestMarkdownUnderStepSummaryLimit: GitHub refuses a job summary over
// 1 MiB. 100,000 credentials, half of them overdue, fit, and so do the
// longest values an entry can hold, each in its own team.
func TestMarkdownUnderStepSummaryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 100,000 credentials")
	}
	for _, hostile := range []bool{false, true} {
		r := report.Compute(largeInput(100_000, 50_000, hostile))
		if len(r.Overdue) != 50_000 {
			t.Fatalf("%d overdue, want 50000", len(r.Overdue))
		}
		var b bytes.Buffer
		if err := r.WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("hostile %v: %d bytes of Markdown", hostile, b.Len())
		if b.Len() >= 1<<20 {
			t.Errorf("hostile %v: the Markdown is %d bytes, over 1 MiB", hostile, b.Len())
		}
		if !strings.Contains(b.String(), "…and 49975 more credentials") {
			t.Errorf("hostile %v: the overdue list is not cut with a count", hostile)
		}
	}
}

// escaped reports whether s[i] follows an odd number of backslashes.
func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// withoutCodeSpans drops the code spans of Markdown text: a run of
// backticks that is not escaped, up to the next run of the same length.
func withoutCodeSpans(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '`' || escaped(s, i) {
			b.WriteByte(s[i])
			i++
			continue
		}
		n := 0
		for i+n < len(s) && s[i+n] == '`' {
			n++
		}
		fence := strings.Repeat("`", n)
		end := i + n
		for {
			k := strings.Index(s[end:], fence)
			if k < 0 {
				b.WriteString(s[i:]) // no closing fence: not a code span
				return b.String()
			}
			end += k
			if end+n < len(s) && s[end+n] == '`' { // a longer run
				for end < len(s) && s[end] == '`' {
					end++
				}
				continue
			}
			break
		}
		i = end + n
	}
	return b.String()
}
