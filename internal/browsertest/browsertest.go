// Package browsertest opens rotor's pages (the dashboard's site, the
// report's e-mail) in a real headless Chromium for tests, and says what a
// reader gets: console errors and Content-Security-Policy violations,
// requests for anything but the page, sideways scrolling of the document,
// axe-core's accessibility violations, and a screenshot.
//
// It needs Chromium (Debian's chromium; ROTOR_CHROMIUM names another
// binary) and axe-core (ROTOR_AXE_JS names axe.min.js; otherwise it is
// looked for in the user's cache folder and, when not there, fetched with
// `npm pack axe-core@4`). scripts/browser-deps.sh installs both. Without
// them a test is skipped, unless ROTOR_BROWSER_TESTS=require (as CI sets
// it): then it fails.
//
// Screenshots go to the test's temporary folder and, when
// ROTOR_SCREENSHOTS=DIR is set, into DIR too, for a person to look at.
package browsertest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
)

// The environment the package reads.
const (
	EnvRequire     = "ROTOR_BROWSER_TESTS" // "require": a missing browser or axe-core fails the test
	EnvChromium    = "ROTOR_CHROMIUM"      // the browser's binary
	EnvAxe         = "ROTOR_AXE_JS"        // axe.min.js
	EnvScreenshots = "ROTOR_SCREENSHOTS"   // a folder that keeps the screenshots
)

// axeVersion is the axe-core fetched when none is given.
const axeVersion = "4"

// Browser is one headless Chromium, shared by the pages a test opens.
type Browser struct {
	ctx   context.Context
	axe   string
	shots []string // folders the screenshots are written to
}

// Start starts Chromium for t and stops it when t ends. Without Chromium
// or axe-core it skips t (fails it under ROTOR_BROWSER_TESTS=require).
func Start(t *testing.T) *Browser {
	t.Helper()
	if testing.Short() {
		t.Skip("the browser test is not short")
	}
	chromium := findChromium(t)
	axe := loadAxe(t)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
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
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
		decodeMu.Lock()
		defer decodeMu.Unlock()
		for _, e := range decodeErrs {
			t.Errorf("chromedp: %s (is chromedp too old for this Chromium?)", e)
		}
	})
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	b := &Browser{ctx: bctx, axe: axe, shots: []string{t.TempDir()}}
	if dir := os.Getenv(EnvScreenshots); dir != "" {
		b.shots = append(b.shots, dir)
	}
	return b
}

// Options say how a page is opened.
type Options struct {
	Width int64 // of the window, in CSS pixels; the height is 900
	Dark  bool  // prefers-color-scheme: dark
	Axe   bool  // run axe-core on the page
	// Screenshot names the full-page screenshot's file, without .png; ""
	// takes none.
	Screenshot string
}

// Page is an open page and what loading it showed. It stays open for
// Eval until Close, or until the test that opened it ends.
type Page struct {
	ctx    context.Context
	cancel context.CancelFunc
	// Problems are console errors and warnings, exceptions, log entries,
	// CSP violations and requests for anything but the page or data:.
	Problems []string
	// ScrollWidth and ClientWidth are the document's: a ScrollWidth over
	// ClientWidth scrolls the page sideways.
	ScrollWidth, ClientWidth int
	Axe                      []Violation // with Options.Axe
	Screenshots              []string    // the files written
}

// Violation is one rule axe-core found broken, with up to three of the
// elements that break it.
type Violation struct {
	ID, Impact, Help string
	Where            []string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s (%s): %s: %s", v.ID, v.Impact, v.Help, strings.Join(v.Where, "; "))
}

// Serious reports whether the violation is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

// Overflow reports whether the document is wider than the window.
func (p *Page) Overflow() bool { return p.ScrollWidth > p.ClientWidth }

// Has reports whether a problem mentions s.
func (p *Page) Has(s string) bool {
	for _, pr := range p.Problems {
		if strings.Contains(pr, s) {
			return true
		}
	}
	return false
}

// Eval evaluates the JavaScript expression on the page into out.
func (p *Page) Eval(t *testing.T, expr string, out any) {
	t.Helper()
	if err := chromedp.Run(p.ctx, chromedp.Evaluate(expr, out)); err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
}

// Close closes the page's tab.
func (p *Page) Close() { p.cancel() }

// cspListener reports every violation of the policy on the console, where
// the listener of Open sees it. DevTools adds it; the pages have no script.
const cspListener = `document.addEventListener('securitypolicyviolation', function (e) {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at line ' + e.lineNumber);
});`

// Open loads url in a new tab and reports what went wrong.
func (b *Browser) Open(t *testing.T, url string, o Options) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	p := &Page{ctx: ctx, cancel: cancel}
	t.Cleanup(cancel)
	var mu sync.Mutex
	var problems []string
	problem := func(s string) {
		mu.Lock()
		problems = append(problems, s)
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
			if u := ev.Request.URL; u != url && !strings.HasPrefix(u, "data:") {
				problem("request of " + u)
			}
		}
	})
	feature := "light"
	if o.Dark {
		feature = "dark"
	}
	var widths []int
	err := chromedp.Run(ctx,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(cspListener).Do(ctx)
			return err
		}),
		emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: feature}}),
		chromedp.EmulateViewport(o.Width, 900),
		chromedp.Navigate(url),
		chromedp.Evaluate(`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`, &widths),
	)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if len(widths) == 2 {
		p.ScrollWidth, p.ClientWidth = widths[0], widths[1]
	}
	if o.Axe {
		p.Axe = b.runAxe(t, ctx)
	}
	if o.Screenshot != "" {
		p.Screenshots = b.screenshot(t, ctx, o.Screenshot)
	}
	// Let late events (a blocked image, a violation report) arrive.
	chromedp.Run(ctx, chromedp.Sleep(50*time.Millisecond))
	mu.Lock()
	p.Problems = append([]string(nil), problems...)
	mu.Unlock()
	return p
}

// screenshot writes a full-page PNG of the tab into each folder.
func (b *Browser) screenshot(t *testing.T, ctx context.Context, name string) []string {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	var files []string
	for _, dir := range b.shots {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	return files
}

// runAxe injects axe-core through DevTools (a page's policy does not
// apply to it) and returns its violations.
func (b *Browser) runAxe(t *testing.T, ctx context.Context) []Violation {
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
	out := make([]Violation, 0, len(res))
	for _, r := range res {
		v := Violation{ID: r.ID, Impact: r.Impact, Help: r.Help}
		for i, n := range r.Nodes {
			if i == 3 {
				v.Where = append(v.Where, "…")
				break
			}
			v.Where = append(v.Where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		out = append(out, v)
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

// Required says whether a missing browser or axe-core fails the test.
func Required() bool { return os.Getenv(EnvRequire) == "require" }

// SkipOrFail skips t, or fails it under ROTOR_BROWSER_TESTS=require.
func SkipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...) + "; scripts/browser-deps.sh installs what the browser test needs"
	if Required() {
		t.Fatal(msg + " (" + EnvRequire + "=require)")
	}
	t.Skip(msg)
}

func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv(EnvChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	SkipOrFail(t, "no Chromium on PATH (chromium, chromium-browser, google-chrome) and %s is not set", EnvChromium)
	return ""
}

// axeCachePath is where scripts/browser-deps.sh and the tests keep
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
	file := os.Getenv(EnvAxe)
	if file == "" {
		p, err := axeCachePath()
		if err != nil {
			SkipOrFail(t, "no cache folder for axe-core (%v) and %s is not set", err, EnvAxe)
		}
		file = p
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			if err := fetchAxe(t, file); err != nil {
				SkipOrFail(t, "axe-core is not at %s and could not be fetched: %v", file, err)
			}
		}
	}
	b, err := os.ReadFile(file)
	if err != nil {
		SkipOrFail(t, "read axe-core: %v", err)
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
