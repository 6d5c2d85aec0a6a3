package dashboard_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"path"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The elements and attributes the pages are made of. Anything else on a
// page came from somewhere it should not have.
var (
	allowedElements = set("html", "head", "meta", "title", "link", "style", "body", "div", "p", "strong", "header", "h1",
		"h2", "h3", "nav", "ul", "li", "a", "main", "section", "table", "thead", "tbody", "tr", "th", "td", "span", "code",
		"footer", "figure", "svg", "desc", "line", "rect", "text", "dl", "dt", "dd")
	allowedAttributes = set("lang", "charset", "http-equiv", "content", "name", "rel", "href", "class", "id", "role",
		"aria-label", "aria-labelledby", "aria-hidden", "tabindex", "scope", "viewbox", "focusable", "x", "y", "width",
		"height", "x1", "y1", "x2", "y2", "text-anchor")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// parsed is one HTML page of a site.
type parsed struct {
	path  string
	root  *html.Node
	links []string // every href, as written
	ids   map[string]bool
	text  string // every text node, joined
}

func parsePages(t *testing.T, site *dashboard.Site) map[string]*parsed {
	t.Helper()
	pages := map[string]*parsed{}
	for _, p := range site.Paths() {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		doc, err := html.Parse(bytes.NewReader(site.File(p)))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		pg := &parsed{path: p, root: doc, ids: map[string]bool{}}
		var text strings.Builder
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			switch n.Type {
			case html.ElementNode:
				if !allowedElements[n.Data] {
					t.Errorf("%s: element <%s>: only rotor's own elements may appear", p, n.Data)
				}
				for _, a := range n.Attr {
					if !allowedAttributes[strings.ToLower(a.Key)] || a.Namespace != "" {
						t.Errorf("%s: <%s %s=%q>: only rotor's own attributes may appear", p, n.Data, a.Key, a.Val)
					}
					switch a.Key {
					case "href":
						pg.links = append(pg.links, a.Val)
					case "id":
						pg.ids[a.Val] = true
					}
				}
			case html.TextNode:
				text.WriteString(n.Data)
				text.WriteByte('\n')
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		pg.text = text.String()
		pages[p] = pg
	}
	return pages
}

// TestHostileValuesStayText renders the fixture, whose register holds
// markup, an event handler, a javascript: runbook, bidirectional
// overrides and a 10,000-character description, and checks every page:
// only rotor's own elements and attributes, no javascript: link, the
// hostile values shown as text, no raw bidirectional override.
func TestHostileValuesStayText(t *testing.T) {
	in := fixtureInput(false)
	site := render(t, in)
	pages := parsePages(t, site)
	runbooks := map[string]bool{}
	for _, c := range in.Register.Credentials {
		if c.Runbook != "" {
			runbooks[c.Runbook] = true
		}
	}
	for _, pg := range pages {
		for _, h := range pg.links {
			l := strings.ToLower(strings.TrimSpace(h))
			switch {
			case strings.Contains(l, "javascript:"), strings.Contains(l, "data:") && h != "data:,":
				t.Errorf("%s: link %q", pg.path, h)
			case strings.HasPrefix(l, "http:"), strings.HasPrefix(l, "https:"):
				if !runbooks[h] && !runbooks[html.UnescapeString(h)] {
					t.Errorf("%s: link %q leaves the site and is no runbook of the register", pg.path, h)
				}
			}
		}
		b := site.File(pg.path)
		for _, r := range []string{"\u202e", "\u2066"} {
			if bytes.Contains(b, []byte(r)) {
				t.Errorf("%s holds a raw %U: bidirectional controls are shown escaped", pg.path, []rune(r)[0])
			}
		}
		// External links open nothing of the site's.
		var check func(n *html.Node)
		check = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "a" {
				var href, rel string
				for _, a := range n.Attr {
					switch a.Key {
					case "href":
						href = a.Val
					case "rel":
						rel = a.Val
					}
				}
				if strings.HasPrefix(href, "http") && rel != "noopener noreferrer" {
					t.Errorf("%s: <a href=%q> without rel=\"noopener noreferrer\"", pg.path, href)
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				check(c)
			}
		}
		check(pg.root)
	}
	// The hostile values are on the pages, as the text they are.
	shown := map[string][]string{
		"credentials/legacy-ldap-bind.html": {hostileName, hostileOwner, hostileSystem, textsafe.Controls(bidi)},
		"credentials/gcp-terraform-sa-key.html": {hostileRun + " (not an http or https address: not linked)",
			longDescription[:200], `\u202e`},
		"credentials/red-team-vpn.html": {`<i>pending</i> "audit"`, hostileTeam},
		"index.html":                    {hostileName, hostileOwner, hostileTeam, "Platform & Infra"},
	}
	for p, want := range shown {
		pg := pages[p]
		if pg == nil {
			t.Errorf("no page %s", p)
			continue
		}
		for _, w := range want {
			if !strings.Contains(pg.text, w) {
				t.Errorf("%s does not show %q as text", p, w)
			}
		}
	}
	if !strings.Contains(pages["credentials/gcp-terraform-sa-key.html"].text, longDescription) {
		t.Error("the 10,000-character description is not shown whole")
	}
}

// TestLinksResolve checks that every link of a site leads to one of its
// files (or an anchor on a page), and that every file is linked from
// some page: nothing is out of reach, nothing leads nowhere.
func TestLinksResolve(t *testing.T) {
	for _, public := range []bool{false, true} {
		site := render(t, fixtureInput(public))
		pages := parsePages(t, site)
		linked := map[string]bool{"index.html": true}
		for _, pg := range pages {
			for _, h := range pg.links {
				if h == "data:," || strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") {
					continue
				}
				target, frag, _ := strings.Cut(h, "#")
				file := pg.path
				if target != "" {
					file = path.Join(path.Dir(pg.path), target)
				}
				if site.File(file) == nil {
					t.Errorf("public %v: %s links %q: the site has no %s", public, pg.path, h, file)
					continue
				}
				linked[file] = true
				if frag != "" && (pages[file] == nil || !pages[file].ids[frag]) {
					t.Errorf("public %v: %s links %q: %s has no id %q", public, pg.path, h, file, frag)
				}
			}
		}
		for _, p := range site.Paths() {
			if !linked[p] {
				t.Errorf("public %v: no page links %s", public, p)
			}
		}
	}
}

// TestPublicSiteNamesNoCredential searches every byte of every file of
// the public site for each credential's id, name, owner, system and
// description, and the other values of an entry, as written and escaped
// every way the site escapes.
func TestPublicSiteNamesNoCredential(t *testing.T) {
	in := fixtureInput(true)
	site := render(t, in)
	if len(site.Paths()) < 5 {
		t.Fatalf("the public site has only %v", site.Paths())
	}
	for _, p := range site.Paths() {
		if strings.HasPrefix(p, "credentials/") || p == "register.csv" || p == "due.ics" {
			t.Errorf("the public site has %s", p)
		}
	}
	for _, c := range in.Register.Credentials {
		values := map[string]string{"id": c.ID, "name": c.Name, "owner": c.Owner, "system": c.System, "description": c.Description,
			"environment": c.Environment, "runbook": c.Runbook, "last_ticket": c.LastTicket}
		if e := c.Exemption; e != nil {
			values["exemption reason"], values["exemption approver"] = e.Reason, e.ApprovedBy
		}
		for field, v := range values {
			if len(v) < 4 {
				continue
			}
			for _, form := range forms(v) {
				for _, p := range site.Paths() {
					if bytes.Contains(site.File(p), []byte(form)) {
						t.Errorf("public %s holds the %s of %s (%q)", p, field, c.ID, form)
					}
				}
			}
		}
	}
	// The figures are there.
	idx := string(site.File("index.html"))
	for _, want := range []string{"Public site", "kpi-compliance", "Platform &amp; Infra", "Due dates"} {
		if !strings.Contains(idx, want) {
			t.Errorf("the public index lacks %q", want)
		}
	}
}

// forms are the ways a value may be written in a file of the site.
func forms(v string) []string {
	js, _ := json.Marshal(v)
	out := []string{v, template.HTMLEscapeString(v), html.EscapeString(v), textsafe.Controls(v),
		template.HTMLEscapeString(textsafe.Controls(v)), strings.Trim(string(js), `"`)}
	for i, f := range out {
		if len(f) > 64 {
			out[i] = f[:64]
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestNoScriptNoStyleAttribute holds every page to the rules of the
// product: HTML5, one <style> whose hash the policy allows, no script,
// no style attribute, nothing from another origin, and the site's
// provenance on it.
func TestNoScriptNoStyleAttribute(t *testing.T) {
	for _, public := range []bool{false, true} {
		site := render(t, fixtureInput(public))
		for _, p := range site.Paths() {
			if !strings.HasSuffix(p, ".html") {
				continue
			}
			b := string(site.File(p))
			if !strings.HasPrefix(b, "<!DOCTYPE html>\n") {
				t.Errorf("%s does not start with <!DOCTYPE html>", p)
			}
			if n := strings.Count(b, "<style>"); n != 1 {
				t.Errorf("%s has %d <style> elements", p, n)
			}
			// Text escapes "<", so markup in the bytes is rotor's own;
			// parsePages holds elements and attributes to rotor's.
			for _, bad := range []string{"<script", "<img", "<iframe", "<object", "<embed", "<form", "<base"} {
				if strings.Contains(strings.ToLower(b), bad) {
					t.Errorf("%s holds %q", p, bad)
				}
			}
			_, style, _ := strings.Cut(b, "<style>")
			style, _, _ = strings.Cut(style, "</style>")
			sum := sha256.Sum256([]byte(style))
			policy := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
				"'; img-src data:; base-uri 'none'; form-action 'none'"
			if !strings.Contains(b, `<meta http-equiv="Content-Security-Policy" content="`+policy+`">`) {
				t.Errorf("%s lacks the policy %q that allows its style by hash", p, policy)
			}
			for _, bad := range []string{"@import", "url(", "http:", "https:", "@font-face"} {
				if strings.Contains(style, bad) {
					t.Errorf("%s: its style holds %q: nothing may load from elsewhere", p, bad)
				}
			}
			if !strings.Contains(b, `Made <span class="nowrap">2026-12-07 06:30 UTC</span> from commit <code>0123456789ab</code>`) {
				t.Errorf("%s does not say when and from which commit it was made", p)
			}
			body := b[strings.Index(b, "<body>")+len("<body>\n"):]
			first, _, _ := strings.Cut(body, "\n")
			if !public && !strings.Contains(first, "Internal site") {
				t.Errorf("%s: the first line of the body is %q, not that the site is internal", p, first)
			}
		}
	}
}

// TestDeterministic renders the same input twice.
func TestDeterministic(t *testing.T) {
	a, b := render(t, fixtureInput(false)), render(t, fixtureInput(false))
	if !slices.Equal(a.Paths(), b.Paths()) {
		t.Fatalf("paths differ: %v, %v", a.Paths(), b.Paths())
	}
	for _, p := range a.Paths() {
		if !bytes.Equal(a.File(p), b.File(p)) {
			t.Errorf("%s differs between two renders of the same input", p)
		}
	}
}

// TestInputErrors: an Input whose parts do not belong together is the
// caller's mistake, said plainly.
func TestInputErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(*dashboard.Input)
		want   string
	}{
		{"no register", func(in *dashboard.Input) { in.Register = nil }, "no register"},
		{"no report", func(in *dashboard.Input) { in.Report = nil }, "no report"},
		{"no clock", func(in *dashboard.Input) { in.Made = time.Time{} }, "Made is not set"},
		{"other day", func(in *dashboard.Input) { in.Today = in.Today.AddDays(1) }, "compute the report on Today"},
		{"other weeks", func(in *dashboard.Input) { in.Weeks = 4 }, "compute the report with Weeks"},
		{"missing snapshot", func(in *dashboard.Input) { in.Trend = in.Trend[1:] }, "has no register of that date"},
		{"other register", func(in *dashboard.Input) {
			r := *in.Register
			r.Credentials = r.Credentials[1:]
			in.Register = &r
		}, "does not count the register"},
		{"bad id", func(in *dashboard.Input) {
			c := *in.Register.Credentials[0]
			c.ID = "../../etc/passwd"
			in.Register.Credentials[0] = &c
		}, "not a lower-case kebab id"},
		{"duplicate id", func(in *dashboard.Input) {
			c := *in.Register.Credentials[1]
			c.ID = in.Register.Credentials[0].ID
			in.Register.Credentials[1] = &c
		}, "registered twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixtureInput(false)
			tt.change(&in)
			_, err := dashboard.Render(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestStatusRows(t *testing.T) {
	reg := fixtureRegister()
	rows := report.StatusRows(reg, today, []rotation.Status{rotation.StatusOverdue}, nil)
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	if want := []string{"legacy-ldap-bind", "payments-db-admin", "orphan-token"}; !slices.Equal(ids, want) {
		t.Errorf("overdue rows %v, want %v (by due date, then criticality, then id)", ids, want)
	}
	if rows := report.StatusRows(reg, today, nil, []string{"payments"}); len(rows) != 4 {
		t.Errorf("%d rows of team payments, want 4", len(rows))
	}
	if !utf8.ValidString(rows[0].Name) {
		t.Error("a row's name is not UTF-8")
	}
}
