package dashboard_test

// The browser test opens the site of the repository's example register
// in a real headless Chromium and checks what a reader gets: no console
// error, no violation of the pages' Content-Security-Policy, no request
// but the page itself, no sideways scrolling at 600 px, the figures of
// status.json on the page, a dark theme, and no serious or critical
// finding of axe-core. One browser serves every page.
//
// It needs Chromium (Debian's chromium; ROTOR_CHROMIUM names another
// binary) and axe-core (ROTOR_AXE_JS names axe.min.js; otherwise the test
// looks in the user's cache folder and, when it is not there, fetches
// it with `npm pack axe-core@4`). scripts/browser-deps.sh installs both.
// Without them the test is skipped, unless ROTOR_BROWSER_TESTS=require
// (as CI sets it): then it fails.
//
// ROTOR_SCREENSHOTS=DIR writes each page at 600 and 1280 px (full page,
// light and dark) into DIR.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/report"
)

// axeVersion is the axe-core the test fetches when none is given.
const axeVersion = "4"

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	chromium := findChromium(t)
	axe := loadAxe(t)

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

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.UserDataDir(profileDir(t)),
	)
	defer cancelAlloc()
	// chromedp reports events it cannot decode (a Chromium newer than its
	// protocol) only to its error log: a lost event could hide a request
	// or a console error, so each one fails the test.
	var decodeMu sync.Mutex
	var decodeErrs []string
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		decodeMu.Lock()
		decodeErrs = append(decodeErrs, fmt.Sprintf(format, args...))
		decodeMu.Unlock()
	}))
	defer func() {
		decodeMu.Lock()
		defer decodeMu.Unlock()
		for _, e := range decodeErrs {
			t.Errorf("chromedp: %s (is chromedp too old for this Chromium?)", e)
		}
	}()
	defer cancelBrowser()
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}

	b := &browser{ctx: bctx, base: srv.URL, axe: axe, shots: os.Getenv("ROTOR_SCREENSHOTS")}

	// The checks can fail: a page that breaks every rule must be caught.
	t.Run("canary", func(t *testing.T) {
		got := b.open(t, "/canary/index.html", 600, false, true)
		if !got.has("CSP violation") {
			t.Errorf("an inline style attribute went unnoticed; the page's problems: %q", got.problems)
		}
		if !got.has("request") {
			t.Errorf("a request for an image elsewhere went unnoticed; the page's problems: %q", got.problems)
		}
		if !got.overflow {
			t.Error("a page wider than 600 px went unnoticed")
		}
		if len(got.axe) == 0 {
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
						// axe in the light theme at 1280 px and the
						// dark one at 600 px: each theme and width once.
						got := b.open(t, url, width, dark, (width == 600) == dark)
						bg[dark] = got.background
						for _, pr := range got.problems {
							t.Errorf("%s at %d px (dark %v): %s", p, width, dark, pr)
						}
						if width == 600 && got.overflow {
							t.Errorf("%s scrolls sideways at 600 px: the document is %d px wide", p, got.scrollWidth)
						}
						for _, v := range got.axe {
							t.Errorf("%s at %d px (dark %v): axe: %s", p, width, dark, v)
						}
						checkFigures(t, p, got.figures, &status, site)
					}
				}
				if bg[false] == bg[true] {
					t.Errorf("%s: the background is %s in the light and the dark theme", p, bg[false])
				}
			})
		}
	}
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

type browser struct {
	ctx   context.Context
	base  string
	axe   string
	shots string
}

// visit is what one page load showed.
type visit struct {
	problems    []string
	overflow    bool
	scrollWidth int
	figures     map[string]string
	axe         []string
	background  string // the body's computed background colour
}

func (v *visit) has(s string) bool {
	for _, p := range v.problems {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

// cspListener reports every violation of the policy on the console, where
// the test's listener sees it. DevTools adds it; the page has no script.
const cspListener = `document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at line ' + e.lineNumber);
});`

// open loads url in a new tab at width px, in the dark theme or not, and
// reports what went wrong.
func (b *browser) open(t *testing.T, url string, width int64, dark, axe bool) *visit {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	full := b.base + url
	v := &visit{figures: map[string]string{}}
	var mu sync.Mutex
	problem := func(s string) {
		mu.Lock()
		v.problems = append(v.problems, s)
		mu.Unlock()
	}
	chromedp.ListenTarget(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert || ev.Type == runtime.APITypeWarning {
				var args []string
				for _, a := range ev.Args {
					if a.Value != nil {
						args = append(args, string(a.Value))
					} else {
						args = append(args, a.Description)
					}
				}
				problem("console " + string(ev.Type) + ": " + strings.Join(args, " "))
			}
		case *runtime.EventExceptionThrown:
			problem("exception: " + ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError || ev.Entry.Level == cdplog.LevelWarning {
				problem("log " + string(ev.Entry.Source) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		case *network.EventRequestWillBeSent:
			if u := ev.Request.URL; u != full && !strings.HasPrefix(u, "data:") {
				problem("request of " + u)
			}
		}
	})
	feature := "light"
	if dark {
		feature = "dark"
	}
	var overflow []int
	var figs map[string]string
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(cspListener).Do(ctx)
			return err
		}),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: feature}}),
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(full),
		chromedp.Evaluate(`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`, &overflow),
		chromedp.Evaluate(`getComputedStyle(document.body).backgroundColor`, &v.background),
		chromedp.Evaluate(`Object.fromEntries(Array.from(document.querySelectorAll('[id^="kpi-"]')).map(e => [e.id.slice(4), e.textContent.replace(/^[^0-9a-z]+ /, '').trim()]))`, &figs),
	)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	v.figures = figs
	if len(overflow) == 2 && overflow[0] > overflow[1] {
		v.overflow, v.scrollWidth = true, overflow[0]
	}
	if axe {
		v.axe = b.runAxe(t, ctx)
	}
	if b.shots != "" && !strings.HasPrefix(url, "/canary/") {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatalf("screenshot of %s: %v", url, err)
		}
		name := strings.NewReplacer("/", "_", ".html", "").Replace(strings.TrimPrefix(url, "/"))
		file := filepath.Join(b.shots, fmt.Sprintf("%s-%d-%s.png", name, width, feature))
		if err := os.MkdirAll(b.shots, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Let late events (a blocked image, a violation report) arrive.
	chromedp.Run(ctx, chromedp.Sleep(50*time.Millisecond))
	mu.Lock()
	defer mu.Unlock()
	v.problems = append([]string(nil), v.problems...)
	return v
}

// runAxe injects axe-core through DevTools (the page's policy does not
// apply to it) and returns its serious and critical violations.
func (b *browser) runAxe(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var res []struct {
		ID, Impact, Help string
		Nodes            []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		}
	}
	err := chromedp.Run(ctx,
		chromedp.Evaluate(b.axe+"\n;true", nil),
		chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, &res,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	var out []string
	for _, v := range res {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, "…")
				break
			}
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		out = append(out, fmt.Sprintf("%s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(where, "; ")))
	}
	return out
}

// profileDir is a fresh user-data-dir for the browser. It is removed
// after the test, again for a while: Chromium's helper processes may
// still write to it as the browser exits.
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "rotor-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("the browser's profile %s could not be removed", dir)
	})
	return dir
}

// requireBrowser says whether a missing browser or axe-core fails the test.
func requireBrowser() bool { return os.Getenv("ROTOR_BROWSER_TESTS") == "require" }

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + "; scripts/browser-deps.sh installs what the browser test needs"
	if requireBrowser() {
		t.Fatal(msg + " (ROTOR_BROWSER_TESTS=require)")
	}
	t.Skip(msg)
}

func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ROTOR_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	skipOrFail(t, "no Chromium on PATH (chromium, chromium-browser, google-chrome) and ROTOR_CHROMIUM is not set")
	return ""
}

// axeCachePath is where scripts/browser-deps.sh and the test keep
// axe-core: $XDG_CACHE_HOME/rotor/axe-core@4/axe.min.js (or the
// platform's cache folder).
func axeCachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "rotor", "axe-core@"+axeVersion, "axe.min.js"), nil
}

// loadAxe returns axe-core's source: ROTOR_AXE_JS, else the cache, else
// fetched into the cache with npm.
func loadAxe(t *testing.T) string {
	t.Helper()
	file := os.Getenv("ROTOR_AXE_JS")
	if file == "" {
		p, err := axeCachePath()
		if err != nil {
			skipOrFail(t, "no cache folder for axe-core (%v) and ROTOR_AXE_JS is not set", err)
		}
		file = p
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			if err := fetchAxe(t, file); err != nil {
				skipOrFail(t, "axe-core is not at %s and could not be fetched: %v", file, err)
			}
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		skipOrFail(t, "read axe-core: %v", err)
	}
	if !strings.Contains(string(b[:min(len(b), 4096)]), "axe") {
		t.Fatalf("%s does not look like axe-core", file)
	}
	return string(b)
}

// fetchAxe packs axe-core with npm into a temporary folder and keeps its
// axe.min.js at file.
func fetchAxe(t *testing.T, file string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm is not on PATH")
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", "axe-core@"+axeVersion, "--silent", "--pack-destination", tmp)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm pack axe-core@%s: %v: %s", axeVersion, err, out)
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	js, err := untarFile(tgz, "package/axe.min.js")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	part := file + ".part"
	if err := os.WriteFile(part, js, 0o644); err != nil {
		return err
	}
	return os.Rename(part, file)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func untarFile(tgz, name string) ([]byte, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, fmt.Errorf("%s in %s: %w", name, tgz, err)
		}
		if h.Name == name {
			return io.ReadAll(io.LimitReader(tr, 16<<20))
		}
	}
}
