package report_test

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/browsertest"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// TestBrowser opens the report's HTML (the e-mail) in headless Chromium
// at a phone's 320 px, 600 px and a desktop's 1200 px and checks what a
// reader gets: no request for anything but the page, no console error, no
// sideways scrolling of the page, every trend bar filled in proportion
// from 0 with its figure beside it, the compliance tile red below the
// target and green at it, and no violation of axe-core at all. The
// screenshots are kept in the test's temporary folder and in
// ROTOR_SCREENSHOTS=DIR when set.
func TestBrowser(t *testing.T) {
	b := browsertest.Start(t)
	pages := []struct {
		name  string
		input report.Input
		tile  string // the compliance tile's colour
		// wide: values too long to break (the hostile ones) may make a
		// table scroll in its box even at the e-mail's full width
		wide bool
	}{
		{"below-target", sampleInput(), "rgb(201, 55, 44)", false},
		{"meets-target", withTarget(70), "rgb(31, 132, 90)", false},
		{"hostile", hostileInput(), "rgb(201, 55, 44)", true},
		{"young", func() report.Input {
			in := noHistoryInput()
			in.HistoryNote, in.Rotated, in.HistoryStart = "", []report.Rotation{}, date("2026-11-24")
			return in
		}(), "rgb(201, 55, 44)", false},
		{"long-trend", largeTrendInput(), "rgb(201, 55, 44)", false},
	}
	files := map[string][]byte{}
	for _, p := range pages {
		var buf bytes.Buffer
		if err := report.Compute(p.input).WriteHTML(&buf); err != nil {
			t.Fatal(err)
		}
		files["/"+p.name+".html"] = buf.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(body)
	}))
	defer srv.Close()

	for _, p := range pages {
		for _, width := range []int64{320, 600, 1200} {
			t.Run(p.name+"/"+strconv.Itoa(int(width)), func(t *testing.T) {
				got := b.Open(t, srv.URL+"/"+p.name+".html", browsertest.Options{Width: width, Axe: true,
					Screenshot: "report-" + p.name + "-" + strconv.Itoa(int(width))})
				defer got.Close()
				for _, pr := range got.Problems {
					t.Errorf("%s", pr)
				}
				if got.Overflow() {
					t.Errorf("the page scrolls sideways at %d px: the document is %d px wide", width, got.ScrollWidth)
				}
				for _, v := range got.Axe {
					t.Errorf("axe: %s", v)
				}
				var tile string
				got.Eval(t, `getComputedStyle(document.getElementById('compliance')).borderTopColor`, &tile)
				if tile != p.tile {
					t.Errorf("the compliance tile is %s, want %s", tile, p.tile)
				}
				checkTrendBars(t, got)
				checkTables(t, got, width, p.wide)
				checkDates(t, got, width)
				t.Logf("screenshot: %s", got.Screenshots[len(got.Screenshots)-1])
			})
		}
	}
}

// checkTrendBars holds every bar of the trend to its figure: the filled
// part is the figure's share of the whole bar, within a pixel or two.
func checkTrendBars(t *testing.T, p *browsertest.Page) {
	t.Helper()
	var bars []struct {
		Fill, Whole float64
		Figure      string
	}
	p.Eval(t, `Array.from(document.querySelectorAll('table.trend-bar')).map(t => {
		const f = t.querySelector('.trend-fill');
		return {Fill: f ? f.getBoundingClientRect().width : 0, Whole: t.getBoundingClientRect().width,
			Figure: t.closest('tr').querySelector('.trend-figure').textContent};
	})`, &bars)
	for _, bar := range bars {
		pct := 0.0
		if bar.Figure != "n/a" {
			n, err := strconv.Atoi(strings.TrimSuffix(bar.Figure, "%"))
			if err != nil {
				t.Errorf("a trend bar's figure is %q", bar.Figure)
				continue
			}
			pct = float64(n)
		}
		if bar.Whole < 40 {
			t.Errorf("a trend bar is %.0f px wide: too narrow to read", bar.Whole)
		}
		if want := bar.Whole * pct / 100; math.Abs(bar.Fill-want) > 2 {
			t.Errorf("the bar of %s is filled %.1f of %.1f px, want %.1f", bar.Figure, bar.Fill, bar.Whole, want)
		}
	}
}

// checkTables holds the tables of credentials to a readable shape: at
// 1200 px, where the e-mail is at its full width, each fits its box (an
// address breaks at its @ rather than push the due date out of sight),
// and at any width a row of credentials is at most five lines high (a
// table too wide for a phone scrolls in its box instead of squeezing its
// columns to a word each).
func checkTables(t *testing.T, p *browsertest.Page, width int64, wide bool) {
	t.Helper()
	var tables []struct {
		Title         string
		Scroll, Width float64
		Tallest       float64
	}
	p.Eval(t, `Array.from(document.querySelectorAll('div[role=region]')).map(d => ({
		Title: d.getAttribute('aria-label'), Scroll: d.scrollWidth, Width: d.clientWidth,
		Tallest: d.querySelector('th').textContent != 'Credential' ? 0 :
			Math.max(...Array.from(d.querySelectorAll('tr')).map(r => r.getBoundingClientRect().height))
	}))`, &tables)
	if len(tables) == 0 {
		t.Fatal("the page has no table")
	}
	for _, tb := range tables {
		if width >= 1200 && !wide && tb.Scroll > tb.Width {
			t.Errorf("at %d px the table %q is %.0f px wide in a box of %.0f px", width, tb.Title, tb.Scroll, tb.Width)
		}
		if tb.Tallest > 5*18+10 {
			t.Errorf("at %d px a row of the table %q is %.0f px high", width, tb.Title, tb.Tallest)
		}
	}
}

// checkDates holds every date of the page to one line: a cell that
// wraps breaks between words, never at a date's hyphen.
func checkDates(t *testing.T, p *browsertest.Page, width int64) {
	t.Helper()
	var cut []string
	p.Eval(t, `(() => {
		const cut = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			for (const m of n.textContent.matchAll(/\d{4}-\d\d-\d\d/g)) {
				const r = document.createRange();
				r.setStart(n, m.index);
				r.setEnd(n, m.index + m[0].length);
				if (new Set(Array.from(r.getClientRects()).map(c => Math.round(c.top))).size > 1) cut.push(m[0]);
			}
		}
		return cut;
	})()`, &cut)
	for _, d := range cut {
		t.Errorf("at %d px the date %s is cut over two lines", width, d)
	}
}

// largeTrendInput is the sample with half a year of trend and more: weeks
// at 0%, at 100%, and one with nothing rated.
func largeTrendInput() report.Input {
	in := sampleInput()
	in.Weeks = 30
	in.Trend = nil
	for k := 1; k <= 30; k++ {
		day := today.AddDays(-7 * k)
		var creds []*rotation.Credential
		for i := range 10 {
			last := day.AddDays(-10).String() // on time
			if i < k%11 {
				last = day.AddDays(-200).String() // overdue
			}
			c := cred("c-"+strconv.Itoa(i), last, 90)
			if k == 13 {
				c.Exemption = &rotation.Exemption{Until: day, Reason: "freeze", ApprovedBy: "ciso@example.com"}
			}
			creds = append(creds, c)
		}
		in.Trend = append(in.Trend, report.Snapshot{Date: day, Register: register(creds...)})
	}
	return in
}
