package dashboard_test

// The browser test opens the site of the repository's example register
// in a real headless Chromium (package browsertest) and checks what a
// reader gets: no console error, no violation of the pages'
// Content-Security-Policy, no request but the page itself, no sideways
// scrolling at 600 px, the figures of status.json on the page, a dark
// theme, and no serious or critical finding of axe-core. One browser
// serves every page. browsertest says what it needs and when it skips.
//
// ROTOR_SCREENSHOTS=DIR writes each page at 600 and 1280 px (full page,
// light and dark) into DIR.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/browsertest"
	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/report"
)

func TestBrowser(t *testing.T) {
	b := browsertest.Start(t)

	reg, warnings := exampleRegister(t, today)
	sites := map[string]*dashboard.Site{}
	for _, public := range []bool{false, true} {
		in := input(reg, today, 8, public)
		in.Warnings = warnings
		name := "internal"
		if public {
			name = "public"
		}
		sites[name] = render(t, in)
	}
	srv := httptest.NewServer(siteHandler(sites))
	defer srv.Close()
	// Twenty full-page screenshots take a while: only when asked for.
	shots := os.Getenv(browsertest.EnvScreenshots) != ""

	// The checks can fail: a page that breaks every rule must be caught.
	t.Run("canary", func(t *testing.T) {
		got := b.Open(t, srv.URL+"/canary/index.html", browsertest.Options{Width: 600, Axe: true})
		if !got.Has("CSP violation") {
			t.Errorf("an inline style attribute went unnoticed; the page's problems: %q", got.Problems)
		}
		if !got.Has("request") {
			t.Errorf("a request for an image elsewhere went unnoticed; the page's problems: %q", got.Problems)
		}
		if !got.Overflow() {
			t.Error("a page wider than 600 px went unnoticed")
		}
		if len(serious(got.Axe)) == 0 {
			t.Error("axe found nothing serious on an image without alt text")
		}
	})

	for _, name := range []string{"internal", "public"} {
		site := sites[name]
		var status statusJSON
		if err := json.Unmarshal(site.File("status.json"), &status); err != nil {
			t.Fatal(err)
		}
		pages := []string{"index.html", firstUnder(site, "teams/")}
		if name == "internal" {
			pages = append(pages, "credentials/payments-db-admin.html")
		}
		for _, p := range pages {
			t.Run(name+"/"+p, func(t *testing.T) {
				url := "/" + name + "/" + p
				bg := map[bool]string{}
				for _, width := range []int64{600, 1280} {
					for _, dark := range []bool{false, true} {
						theme := map[bool]string{false: "light", true: "dark"}[dark]
						// axe in the light theme at 1280 px and the
						// dark one at 600 px: each theme and width once.
						o := browsertest.Options{Width: width, Dark: dark, Axe: (width == 600) == dark}
						if shots {
							o.Screenshot = fmt.Sprintf("%s-%d-%s", strings.NewReplacer("/", "_", ".html", "").Replace(strings.TrimPrefix(url, "/")), width, theme)
						}
						got := b.Open(t, srv.URL+url, o)
						var background string
						got.Eval(t, `getComputedStyle(document.body).backgroundColor`, &background)
						bg[dark] = background
						var figs map[string]string
						got.Eval(t, `Object.fromEntries(Array.from(document.querySelectorAll('[id^="kpi-"]')).map(e => [e.id.slice(4), e.textContent.replace(/^[^0-9a-z]+ /, '').trim()]))`, &figs)
						got.Close()
						for _, pr := range got.Problems {
							t.Errorf("%s at %d px (dark %v): %s", p, width, dark, pr)
						}
						if width == 600 && got.Overflow() {
							t.Errorf("%s scrolls sideways at 600 px: the document is %d px wide", p, got.ScrollWidth)
						}
						for _, v := range serious(got.Axe) {
							t.Errorf("%s at %d px (dark %v): axe: %s", p, width, dark, v)
						}
						checkFigures(t, p, figs, &status, site)
					}
				}
				if bg[false] == bg[true] {
					t.Errorf("%s: the background is %s in the light and the dark theme", p, bg[false])
				}
			})
		}
	}
}

// serious are the serious and critical violations of vs.
func serious(vs []browsertest.Violation) []browsertest.Violation {
	var out []browsertest.Violation
	for _, v := range vs {
		if v.Serious() {
			out = append(out, v)
		}
	}
	return out
}

// statusJSON is the part of status.json the pages' figures are held to.
type statusJSON struct {
	Summary struct {
		CompliancePercent *int `json:"compliance_percent"`
		Counts            struct {
			OK, Due, Overdue, Exempt int
		} `json:"counts"`
		Teams []struct {
			Name              string `json:"name"`
			Total             int    `json:"total"`
			Exempt            int    `json:"exempt"`
			OnTime            int    `json:"on_time"`
			Overdue           int    `json:"overdue"`
			CompliancePercent *int   `json:"compliance_percent"`
		} `json:"teams"`
	} `json:"summary"`
	Credentials []report.StatusRow `json:"credentials"`
}

// checkFigures holds the figures a page shows (the tiles' text by id) to
// status.json.
func checkFigures(t *testing.T, p string, figs map[string]string, st *statusJSON, site *dashboard.Site) {
	t.Helper()
	want := map[string]string{}
	pctText := func(v *int) string {
		if v == nil {
			return "n/a"
		}
		return strconv.Itoa(*v) + "%"
	}
	s := st.Summary
	switch {
	case p == "index.html":
		want["compliance"] = pctText(s.CompliancePercent)
		want["ok"], want["due"] = strconv.Itoa(s.Counts.OK), strconv.Itoa(s.Counts.Due)
		want["overdue"], want["exempt"] = strconv.Itoa(s.Counts.Overdue), strconv.Itoa(s.Counts.Exempt)
	case strings.HasPrefix(p, "teams/"):
		page := string(site.File(p))
		for _, tm := range s.Teams {
			if !strings.Contains(page, "<h1>Team "+tm.Name+"</h1>") {
				continue
			}
			want["compliance"] = pctText(tm.CompliancePercent)
			want["overdue"], want["exempt"] = strconv.Itoa(tm.Overdue), strconv.Itoa(tm.Exempt)
			ok, _ := strconv.Atoi(figs["ok"])
			due, _ := strconv.Atoi(figs["due"])
			if ok+due != tm.OnTime {
				t.Errorf("%s shows %d ok and %d due, status.json %d on time", p, ok, due, tm.OnTime)
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: no team of status.json has this page", p)
		}
	case strings.HasPrefix(p, "credentials/"):
		id := strings.TrimSuffix(path.Base(p), ".html")
		for _, r := range st.Credentials {
			if r.ID == id {
				want["status"] = string(r.Status)
				want["next-due"] = r.NextDueDate.String()
			}
		}
	}
	for k, v := range want {
		if got := figs[k]; got != v {
			t.Errorf("%s shows %s %q, status.json says %q", p, k, got, v)
		}
	}
}

func firstUnder(site *dashboard.Site, dir string) string {
	for _, p := range site.Paths() {
		if strings.HasPrefix(p, dir) && strings.HasSuffix(p, ".html") && strings.Contains(p, "payments") {
			return p
		}
	}
	for _, p := range site.Paths() {
		if strings.HasPrefix(p, dir) {
			return p
		}
	}
	return ""
}

// canary breaks the rules on purpose: an inline style attribute under the
// pages' policy, an image from another origin without alt text, and a
// line too long for 600 px.
var canary = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'none'; img-src data:">
<title>canary</title><link rel="icon" href="data:,"></head>
<body><main><p style="color:red">styled</p><img src="http://192.0.2.1/x.png">
<pre>` + strings.Repeat("x", 300) + `</pre></main></body></html>`

// siteHandler serves each site under /<name>/ from memory, and the canary.
func siteHandler(sites map[string]*dashboard.Site) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/canary/index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, canary)
			return
		}
		name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		site := sites[name]
		if site == nil {
			http.NotFound(w, r)
			return
		}
		b := site.File(rest)
		if b == nil {
			http.NotFound(w, r)
			return
		}
		ct := mime.TypeByExtension(path.Ext(rest))
		if strings.HasSuffix(rest, ".html") {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.Write(b)
	})
}
