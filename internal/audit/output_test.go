package audit_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/golden"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
)

// checkGolden compares got with testdata/<name>.golden (see package golden).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

var writers = []struct {
	ext   string
	write func(*audit.Pack, io.Writer) error
}{
	{"md", (*audit.Pack).WriteMarkdown},
	{"csv", (*audit.Pack).WriteCSV},
	{"json", (*audit.Pack).WriteJSON},
	{"html", (*audit.Pack).WriteHTML},
}

var samples = []struct {
	name string
	pack func() *audit.Pack
}{
	{"realistic", realisticPack},
	{"empty", emptyPack},
	{"hostile", hostilePack},
	{"jira", jiraPack},
	{"verified", verifiedPack},
}

// verifiedPack is realisticPack with its secret stores asked: a Vault
// secret with a rotation beyond its retention, one confirmed across
// midnight and one unconfirmed; a Secrets Manager secret confirmed a day
// late; an IAM key (no history); a store that refused; a credential with
// a source and no rotation (not asked).
func verifiedPack() *audit.Pack {
	p := realisticPack()
	sources := map[string]*rotation.Source{
		"payments-db-password": {VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: "payments/db"}},
		"platform-api-key":     {AWSSecretsManager: &rotation.AWSSecretsManagerSource{Secret: "platform/api", Region: "eu-west-1"}},
		"ci-deploy-key":        {AWSIAMAccessKey: &rotation.AWSIAMAccessKeySource{User: "ci-deployer"}},
		"old-service-token":    {VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: "old/token"}},
		"legacy-ldap-bind":     {TLS: &rotation.TLSSource{Endpoint: "ldap.example.com:636"}},
	}
	for i := range p.Credentials {
		p.Credentials[i].Source = sources[p.Credentials[i].ID]
	}
	vault := verify.Observation{Changed: at("2026-09-01T08:00:00Z"), Evidence: "version 5 created 2026-09-01T08:00:00Z",
		Versions: []verify.Version{{ID: "4", Created: at("2026-05-20T23:30:00Z")}, {ID: "5", Created: at("2026-09-01T08:00:00Z"), Current: true}}}
	sm := verify.Observation{Changed: at("2026-07-02T06:00:00Z"), Evidence: "AWSCURRENT version 7c1e0d2a… created 2026-07-02T06:00:00Z",
		Versions: []verify.Version{{ID: "3f2a9c10-0000-4000-8000-000000000001", Created: at("2026-03-28T09:00:00Z")},
			{ID: "7c1e0d2a-0000-4000-8000-000000000002", Created: at("2026-07-02T06:00:00Z"), Current: true}}}
	iam := verify.Observation{Changed: at("2026-05-01T07:00:00Z"), Evidence: "active access key AKIAIOSFODNN7EXAMPLE created 2026-05-01T07:00:00Z"}
	var results []verify.Result
	for _, c := range p.Sourced() {
		r := verify.Result{ID: c.ID, Source: c.Source}
		switch c.ID {
		case "payments-db-password":
			r.Observation = &vault
		case "platform-api-key":
			r.Observation = &sm
		case "ci-deploy-key":
			r.Observation = &iam
		default:
			r.Verdict, r.Reason, r.Detail = verify.VerdictError, verify.ReasonAccessDenied,
				"Vault refused to read secret/metadata/old/token (403): give rotor's token read on that path"
		}
		results = append(results, r)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	p.CheckStores(results, audit.StoreCheck{On: date("2026-12-31"), ToleranceDays: 1}, berlin)
	return p
}

// jiraPack is realisticPack with its tickets looked up in Jira: most
// done, one still in progress, one Jira does not know.
func jiraPack() *audit.Pack {
	p := realisticPack()
	info := map[string]audit.TicketInfo{}
	for i, k := range p.Tickets() {
		switch i {
		case 0:
			info[k] = audit.TicketInfo{Found: true, Status: "In Progress"}
		case 1:
			// unknown to Jira
		default:
			info[k] = audit.TicketInfo{Found: true, Status: "Done", Done: true, DoneOn: date("2026-01-02").AddDays(i)}
		}
	}
	p.CheckTickets(info)
	return p
}

func render(t *testing.T, p *audit.Pack, write func(*audit.Pack, io.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(p, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOutput(t *testing.T) {
	for _, s := range samples {
		for _, w := range writers {
			name := s.name + "." + w.ext
			t.Run(name, func(t *testing.T) {
				checkGolden(t, name, render(t, s.pack(), w.write))
			})
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, s := range samples {
		for _, w := range writers {
			t.Run(s.name+"."+w.ext, func(t *testing.T) {
				first, second := render(t, s.pack(), w.write), render(t, s.pack(), w.write)
				if !bytes.Equal(first, second) {
					t.Error("two renderings of the same pack differ")
				}
			})
		}
	}
}

func TestWrite(t *testing.T) {
	p := realisticPack()
	if len(audit.Formats) != len(writers) {
		t.Fatalf("Formats = %v, want one per writer", audit.Formats)
	}
	for i, format := range audit.Formats {
		var b bytes.Buffer
		if err := p.Write(&b, format); err != nil {
			t.Fatalf("Write(%q): %v", format, err)
		}
		if want := render(t, p, writers[i].write); !bytes.Equal(b.Bytes(), want) {
			t.Errorf("Write(%q) is not the output of Write%s", format, writers[i].ext)
		}
	}
	if err := p.Write(io.Discard, "text"); err == nil || !strings.Contains(err.Error(), `"text"`) {
		t.Errorf(`Write("text") = %v, want an error naming the format`, err)
	}
}

func readCSV(t *testing.T, p *audit.Pack) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(render(t, p, (*audit.Pack).WriteCSV)))
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// column returns the index of a CSV column.
func column(t *testing.T, name string) int {
	t.Helper()
	i := slices.Index(strings.Split(audit.CSVHeader, ","), name)
	if i < 0 {
		t.Fatalf("no column %q in CSVHeader", name)
	}
	return i
}

func TestCSVOneRowPerEvent(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			p := s.pack()
			records := readCSV(t, p)
			if len(records) != 1+len(p.Events) {
				t.Fatalf("%d records, want a header and %d events", len(records), len(p.Events))
			}
			want := audit.CSVHeader
			if p.Stores != nil {
				want += "," + audit.CSVStoreHeader
			}
			if got := strings.Join(records[0], ","); got != want {
				t.Errorf("header = %s, want %s", got, want)
			}
			typ, id, commit, date := column(t, "type"), column(t, "credential_id"), column(t, "commit"), column(t, "date")
			for i, e := range p.Events {
				r := records[i+1]
				if r[typ] != e.Type || r[commit] != e.Commit || r[date] != e.Date.String() ||
					strings.TrimPrefix(r[id], "'") != e.CredentialID {
					t.Errorf("row %d = %q, want event %+v", i+1, r, e)
				}
			}
		})
	}
}

// The columns are documented in docs/audit.md, in the order of CSVHeader.
func TestCSVColumnsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "audit.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## CSV columns\n")
	if !ok {
		t.Fatal(`docs/audit.md has no "## CSV columns" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	if got, want := strings.Join(documented, ","), audit.CSVHeader+","+audit.CSVStoreHeader; got != want {
		t.Errorf("docs/audit.md lists the columns\n%s\nCSVHeader and CSVStoreHeader are\n%s", got, want)
	}
}

// Every kind of observation is documented in docs/audit.md.
func TestObservationKindsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "audit.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Observations\n")
	if !ok {
		t.Fatal(`docs/audit.md has no "## Observations" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	for _, kind := range []string{audit.ObsBackdated, audit.ObsFutureDate, audit.ObsNoTicket, audit.ObsSelfApproved,
		audit.ObsPeriodRaisedDue, audit.ObsHandEdit, audit.ObsTicketNotDone, audit.ObsTicketUnknown,
		audit.ObsUnreadableFile, audit.ObsUnreadableEntry, audit.ObsStoreUnconfirmed} {
		if !strings.Contains(section, "| `"+kind+"` |") {
			t.Errorf("docs/audit.md does not list the observation %s", kind)
		}
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	records := readCSV(t, hostilePack())
	for i, r := range records[1:] {
		for j, c := range r {
			if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				continue
			}
			if _, err := strconv.Atoi(c); err != nil {
				t.Errorf("row %d, column %s starts with %q: %q", i+1, strings.Split(audit.CSVHeader, ",")[j], c[0], c)
			}
		}
	}
	// What is kept: the value after the apostrophe, dates, and integers,
	// negative ones too.
	first := records[1]
	for name, want := range map[string]string{
		"subject":   "'-2+3+cmd|' /C calc'!A0 second line",
		"author":    "'@SUM(1+1) <mallory@example.com>",
		"merged_by": "'+cmd|' /C calc'!A0",
		"ticket":    "'\t=1+1",
		"days_late": "-3",
		"due_date":  "2026-03-04",
	} {
		if got := first[column(t, name)]; !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want it to start with %q", name, got, want)
		}
	}
	if got := records[2][column(t, "subject")]; got != "-5" {
		t.Errorf("a subject that is an integer = %q, want -5 as it is", got)
	}
}

func decodeJSON(t *testing.T, p *audit.Pack) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(render(t, p, (*audit.Pack).WriteJSON), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// hasKeys reports the keys obj lacks.
func hasKeys(t *testing.T, where string, obj any, keys ...string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Errorf("%s is %T, want an object", where, obj)
		return
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no key %q", where, k)
		}
	}
}

func TestJSONKeys(t *testing.T) {
	p := realisticPack()
	m := decodeJSON(t, p)
	hasKeys(t, "the pack", m, "from", "to", "first_commit", "last_commit", "baseline_commit", "provenance",
		"summary", "credentials", "events", "observations")
	hasKeys(t, "summary", m["summary"], "credentials", "rotations", "on_time", "late", "missed", "missed_credentials")
	summary := m["summary"].(map[string]any)
	if summary["missed"] != float64(len(p.Summary.Missed)) {
		t.Errorf("summary.missed = %v, want the count %d", summary["missed"], len(p.Summary.Missed))
	}
	if got := summary["missed_credentials"]; len(got.([]any)) != len(p.Summary.Missed) {
		t.Errorf("summary.missed_credentials = %v, want %v", got, p.Summary.Missed)
	}
	types := map[string]int{}
	for i, e := range m["events"].([]any) {
		where := "events[" + strconv.Itoa(i) + "]"
		hasKeys(t, where, e, "type", "credential_id", "date", "commit", "author", "pr")
		switch typ := e.(map[string]any)["type"].(string); typ {
		case audit.EventRotation:
			hasKeys(t, where, e, "old_last_changed", "new_last_changed", "due_date", "days_late", "ticket", "recorded_by_rotor")
		case audit.EventPolicy:
			hasKeys(t, where, e, "old_period_days", "new_period_days")
		case audit.EventExemption:
			hasKeys(t, where, e, "action")
		}
		types[e.(map[string]any)["type"].(string)]++
	}
	for _, typ := range []string{audit.EventAdded, audit.EventRemoved, audit.EventRotation, audit.EventPolicy, audit.EventExemption} {
		if types[typ] == 0 {
			t.Errorf("the realistic pack has no %s event", typ)
		}
	}
	for i, o := range m["observations"].([]any) {
		hasKeys(t, "observations["+strconv.Itoa(i)+"]", o, "kind", "credential_id", "commit", "message")
	}
}

// Lists are [] and absent commits null, never left out, in an empty pack.
func TestJSONEmpty(t *testing.T) {
	m := decodeJSON(t, emptyPack())
	for _, k := range []string{"credentials", "events", "observations"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	for _, k := range []string{"first_commit", "last_commit", "baseline_commit"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %#v, want null", k, v)
		}
	}
	if l, ok := m["summary"].(map[string]any)["missed_credentials"].([]any); !ok || len(l) != 0 {
		t.Errorf("summary.missed_credentials = %#v, want []", l)
	}
}

// The JSON decodes into a Pack that writes the same JSON.
func TestJSONRoundTrip(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			first := render(t, s.pack(), (*audit.Pack).WriteJSON)
			var p audit.Pack
			if err := json.Unmarshal(first, &p); err != nil {
				t.Fatal(err)
			}
			if second := render(t, &p, (*audit.Pack).WriteJSON); !bytes.Equal(first, second) {
				t.Errorf("decoded and written again, the JSON differs:\n%s", second)
			}
		})
	}
}

func TestEmptyPackSaysSo(t *testing.T) {
	p := emptyPack()
	for _, w := range []struct {
		ext   string
		write func(*audit.Pack, io.Writer) error
	}{{"md", (*audit.Pack).WriteMarkdown}, {"html", (*audit.Pack).WriteHTML}} {
		out := string(render(t, p, w.write))
		for _, want := range []string{"No rotations in this period.", "No observations in this period.",
			"No credentials in this period.", "No policy changes in this period.", "none: no commit in the period",
			"none: the register did not exist yet"} {
			if !strings.Contains(out, want) {
				t.Errorf("the empty pack's %s does not say %q", w.ext, want)
			}
		}
	}
}

// gfm renders like GitHub: tables, strikethrough, task lists and extended
// autolinks, with raw HTML passed through so that a test sees it.
var gfm = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(gmhtml.WithUnsafe()))

var (
	tagRE   = regexp.MustCompile(`<(/?)([a-zA-Z0-9]+)([^>]*)>`)
	mdTags  = []string{"h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "code"}
	alignRE = regexp.MustCompile(`^ (align="right"|style="text-align:right")$`)
	pipeRE  = regexp.MustCompile(`(^|[^\\])\|`)
)

func TestMarkdownHostileValuesStayText(t *testing.T) {
	md := render(t, hostilePack(), (*audit.Pack).WriteMarkdown)
	if bytes.Contains(md, []byte("\u202e")) {
		t.Error("the Markdown contains U+202E")
	}
	// Every table row has as many cells as its header: no value breaks
	// out of its cell, and no value starts a line.
	want := 0
	for _, line := range strings.Split(string(md), "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		n := len(pipeRE.FindAllString(line, -1))
		if want == 0 {
			want = n
		} else if n != want {
			t.Errorf("a row has %d cell separators, its header %d: %s", n, want, line)
		}
	}
	var html bytes.Buffer
	if err := gfm.Convert(md, &html); err != nil {
		t.Fatal(err)
	}
	for _, m := range tagRE.FindAllStringSubmatch(html.String(), -1) {
		if !slices.Contains(mdTags, m[2]) || (m[3] != "" && !alignRE.MatchString(m[3])) {
			t.Errorf("the rendered Markdown has %s", m[0])
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "[x](https://evil.example)"} {
		if !strings.Contains(html.String(), want) {
			t.Errorf("the rendered Markdown does not show %q as text", want)
		}
	}
}

// forbidden elements load or run something, or leave the page.
var forbidden = []string{"script", "link", "img", "iframe", "object", "embed", "base", "form", "a", "svg", "math"}

func TestHTMLIsAStaticPage(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			page := render(t, s.pack(), (*audit.Pack).WriteHTML)
			if lower := strings.ToLower(string(page)); strings.Contains(lower, "<script") || strings.Contains(lower, "url(") ||
				strings.Contains(lower, "@import") {
				t.Error("the page has a script, a CSS url() or an @import")
			}
			// The page is well-formed XML: every element closed, every
			// attribute quoted, no stray < or &.
			d := xml.NewDecoder(bytes.NewReader(page))
			var text strings.Builder
			sections, theads := 0, 0
			for {
				tok, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("the page is not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					if slices.Contains(forbidden, tok.Name.Local) {
						t.Errorf("the page has a <%s> element", tok.Name.Local)
					}
					for _, a := range tok.Attr {
						if a.Name.Local == "src" || a.Name.Local == "href" || a.Name.Local == "srcset" ||
							strings.HasPrefix(a.Name.Local, "on") || a.Name.Local == "style" {
							t.Errorf("<%s> has the attribute %s=%q", tok.Name.Local, a.Name.Local, a.Value)
						}
					}
					switch tok.Name.Local {
					case "section":
						sections++
					case "thead":
						theads++
					}
				case xml.CharData:
					text.Write(tok)
				}
			}
			if sections != 9 {
				t.Errorf("%d sections, want 9", sections)
			}
			if theads == 0 {
				t.Error("no table has a <thead>, which print repeats on every page")
			}
			if s.name == "hostile" {
				for _, want := range []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", `\u202e`} {
					if !strings.Contains(text.String(), want) {
						t.Errorf("the page does not show %q as text", want)
					}
				}
			}
		})
	}
}

// TestLargePack: 2,000 credentials with four rotations each render in
// full, at a size per row that stays reasonable (BenchmarkAudit10000 in
// internal/cli renders a pack of 10,000).
func TestLargePack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 40,000 events")
	}
	p := largePack(2_000, 4)
	md := render(t, p, (*audit.Pack).WriteMarkdown)
	_, rotations, _ := strings.Cut(string(md), "\n## Rotations\n")
	rotations, _, _ = strings.Cut(rotations, "\n## ")
	if n := strings.Count(rotations, "\n| `cred-"); n != 8_000 {
		t.Errorf("the Markdown lists %d rotations, want all 8000", n)
	}
	if !strings.Contains(string(md), "…and 1900 more (see Credentials)") {
		t.Error("the summary does not cut the missed ids with a count")
	}
	html := render(t, p, (*audit.Pack).WriteHTML)
	rows := len(p.Events) + len(p.Credentials)
	t.Logf("%d rows: %d bytes of Markdown, %d of HTML", rows, len(md), len(html))
	if len(md) > 300*rows || len(html) > 600*rows {
		t.Errorf("%d bytes of Markdown and %d of HTML for %d rows: more than 300 and 600 a row", len(md), len(html), rows)
	}
}

func date(s string) rotation.Date { return rotation.MustParseDate(s) }

// hash is a commit hash, the same for the same n.
func hash(n int) string {
	h := sha1.Sum([]byte("commit " + strconv.Itoa(n)))
	return hex.EncodeToString(h[:])
}

const (
	rotorBot = "rotor <rotor@users.noreply.github.com>"
	alice    = "Alice Example <alice@example.com>"
	bob      = "Bob Builder <bob@example.com>"
	carol    = "Carol Chen <carol@example.com>"
)

func provenance() audit.Provenance {
	return audit.Provenance{Repository: "acme/credential-register", Branch: "main", Register: "credential_rotation",
		RotorVersion: "v1.4.0", Timezone: "Europe/Berlin",
		Command: "rotor audit --register credential_rotation --from 2026-01-01 --to 2026-12-31 --format markdown"}
}

// event is an event of commit n, on day d at hh:mm in Berlin.
func event(typ, id string, n int, d, hhmm, author, mergedBy string, pr int, subject string) audit.Event {
	offset := "+01:00"
	if dd := date(d); dd.Compare(date("2026-03-29")) >= 0 && dd.Before(date("2026-10-25")) {
		offset = "+02:00"
	}
	e := audit.Event{Type: typ, CredentialID: id, Date: date(d), Time: d + "T" + hhmm + ":00" + offset, Commit: hash(n),
		Author: author, MergedBy: mergedBy, Subject: subject}
	if pr > 0 {
		e.PR = new(pr)
	}
	return e
}

func rotated(e audit.Event, old, next, due string, late int, ticket string, recorded bool) audit.Event {
	e.OldLastChanged, e.NewLastChanged, e.DueDate = new(date(old)), new(date(next)), new(date(due))
	e.DaysLate, e.Ticket, e.RecordedByRotor = new(late), new(ticket), new(recorded)
	return e
}

func exempted(e audit.Event, action, until, reason, by string) audit.Event {
	e.Action = action
	if action != audit.ExemptionWithdrawn {
		e.Until, e.Reason, e.ApprovedBy = new(date(until)), new(reason), new(by)
	}
	return e
}

// realisticPack has every event type and every observation kind.
func realisticPack() *audit.Pack {
	policy := func(e audit.Event, from, to int) audit.Event {
		e.OldPeriodDays, e.NewPeriodDays = new(from), new(to)
		return e
	}
	added := event(audit.EventAdded, "platform-api-key", 3, "2026-03-02", "14:20", carol, alice, 18, "Register the platform API key (#18)")
	added.NewPeriodDays, added.NewLastChanged = new(30), new(date("2026-03-01"))
	removed := event(audit.EventRemoved, "old-service-token", 4, "2026-03-15", "11:02", bob, alice, 19, "Remove old-service-token, the service is gone (#19)")
	removed.OldPeriodDays, removed.OldLastChanged = new(90), new(date("2026-01-01"))
	events := []audit.Event{
		rotated(event(audit.EventRotation, "payments-db-password", 1, "2026-02-16", "09:12", rotorBot, alice, 12,
			"Merge pull request #12 from acme/rotor/record/payments-db-password"),
			"2025-11-20", "2026-02-15", "2026-02-18", 0, "SEC-101", true),
		rotated(event(audit.EventRotation, "old-service-token", 2, "2026-02-20", "16:45", rotorBot, alice, 15,
			"Record the rotation of old-service-token (SEC-90) (#15)"),
			"2025-10-15", "2026-01-10", "2026-01-13", 0, "SEC-90", true),
		added,
		removed,
		rotated(event(audit.EventRotation, "platform-api-key", 5, "2026-03-28", "10:30", rotorBot, carol, 20,
			"Record the rotation of platform-api-key (SEC-120) (#20)"),
			"2026-03-01", "2026-03-28", "2026-03-31", 0, "SEC-120", true),
		exempted(event(audit.EventExemption, "platform-api-key", 6, "2026-04-20", "15:00", carol, carol, 22, "Exempt the platform key until the Vault cut-over (#22)"),
			audit.ExemptionGranted, "2026-06-30", "Migration to Vault; the old key stays until cut-over", "carol@example.com"),
		rotated(event(audit.EventRotation, "ci-deploy-key", 7, "2026-05-01", "08:55", bob, bob, 0, "new deploy key"),
			"2026-01-31", "2026-05-01", "2026-03-02", 60, "", false),
		exempted(event(audit.EventExemption, "platform-api-key", 8, "2026-05-15", "13:10", carol, alice, 25, "Extend the platform key's exemption (#25)"),
			audit.ExemptionChanged, "2026-07-31", "Migration to Vault; the cut-over moved to July", "ciso@example.com"),
		rotated(event(audit.EventRotation, "payments-db-password", 9, "2026-05-22", "09:40", rotorBot, alice, 27,
			"Record the rotation of payments-db-password (SEC-130) (#27)"),
			"2026-02-15", "2026-05-21", "2026-05-16", 5, "SEC-130", true),
		policy(event(audit.EventPolicy, "payments-db-password", 10, "2026-06-01", "12:00", alice, alice, 29, "Payments DB password: 120-day period, per PCI DSS risk analysis (#29)"), 90, 120),
		rotated(event(audit.EventRotation, "platform-api-key", 11, "2026-07-01", "17:05", rotorBot, carol, 31,
			"Record the rotation of platform-api-key (SEC-160) (#31)"),
			"2026-03-28", "2026-07-01", "2026-07-31", 0, "SEC-160", true),
		exempted(event(audit.EventExemption, "platform-api-key", 12, "2026-07-02", "09:00", carol, alice, 32, "Drop the platform key's exemption (#32)"),
			audit.ExemptionWithdrawn, "2026-07-31", "Migration to Vault; the cut-over moved to July", "ciso@example.com"),
		rotated(event(audit.EventRotation, "payments-db-password", 13, "2026-09-10", "18:30", alice, alice, 40, "Rotate the payments DB password (#40)"),
			"2026-05-21", "2026-09-14", "2026-09-18", 0, "SEC-170", false),
		policy(event(audit.EventPolicy, "ci-deploy-key", 14, "2026-11-10", "10:15", bob, bob, 44, "ci-deploy-key: 180 days (#44)"), 30, 180),
	}
	obs := func(kind, id string, n int, d, msg string) audit.Observation {
		return audit.Observation{Kind: kind, CredentialID: id, Date: date(d), Commit: hash(n), Message: msg}
	}
	observations := []audit.Observation{
		obs(audit.ObsBackdated, "old-service-token", 15, "2026-03-10", "last_changed moved back from 2026-01-10 to 2026-01-01: not counted as a rotation"),
		obs(audit.ObsSelfApproved, "platform-api-key", 6, "2026-04-20", "exemption until 2026-06-30 approved by the credential's own owner (carol@example.com)"),
		obs(audit.ObsHandEdit, "ci-deploy-key", 7, "2026-05-01", "last_changed changed by hand, not by a rotor record commit (no Rotor-Ticket trailer)"),
		obs(audit.ObsNoTicket, "ci-deploy-key", 7, "2026-05-01", "rotated to 2026-05-01 without a ticket (last_ticket is not set)"),
		obs(audit.ObsUnreadableFile, "", 16, "2026-08-03", "credential_rotation/payments.yaml at commit "+hash(16)[:12]+
			" does not parse (line 14: YAML syntax error: mapping values are not allowed in this context); the pack keeps its last readable version (if any) until the file reads again"),
		obs(audit.ObsFutureDate, "payments-db-password", 13, "2026-09-10", "last_changed set to 2026-09-14, after the day it was committed (2026-09-10)"),
		obs(audit.ObsHandEdit, "payments-db-password", 13, "2026-09-10", "last_changed changed by hand, not by a rotor record commit (no Rotor-Ticket trailer)"),
		obs(audit.ObsPeriodRaisedDue, "ci-deploy-key", 14, "2026-11-10", "period_days raised from 30 to 180 while the credential was overdue (due 2026-05-31)"),
	}
	return &audit.Pack{
		From: date("2026-01-01"), To: date("2026-12-31"),
		FirstCommit: new(hash(1)), LastCommit: new(hash(14)), BaselineCommit: new(hash(0)),
		Provenance: provenance(),
		Summary: audit.Summary{Credentials: 5, Rotations: 7, OnTime: 5, Late: 2, OnTimePercent: new(71),
			Missed: []string{"ci-deploy-key", "platform-api-key"}, OverdueDays: 433,
			LongestOverdue: &audit.Stretch{CredentialID: "ci-deploy-key", From: date("2026-05-31"), To: date("2026-12-31"), Days: 215},
			ExemptionDays:  438, Observations: len(observations)},
		Credentials: []audit.Credential{
			{ID: "ci-deploy-key", Name: "CI deploy key", Team: "platform", Owner: "bob@example.com", PeriodDays: 180,
				LastChanged: date("2026-05-01"), NextDue: date("2026-10-28"), Rotations: 1, Late: 1, OverdueDays: 275, Missed: true},
			{ID: "legacy-ldap-bind", Name: "Legacy LDAP bind account", Team: "identity", Owner: "dana@example.com", PeriodDays: 365,
				LastChanged: date("2024-06-01"), NextDue: date("2025-06-01"), ExemptionDays: 365,
				Exemptions: []audit.ExemptionPeriod{{Until: date("2027-03-31"), Reason: "Vendor appliance cannot rotate until the 2027 upgrade", ApprovedBy: "ciso@example.com"}}},
			{ID: "old-service-token", Name: "Old service token", Team: "payments", Owner: "alice@example.com", PeriodDays: 90,
				RemovedIn: new(hash(4)), LastChanged: date("2026-01-01"), NextDue: date("2026-04-01"), Rotations: 1},
			{ID: "payments-db-password", Name: "Payments DB admin password", Team: "payments", Owner: "alice@example.com", PeriodDays: 120,
				LastChanged: date("2026-09-14"), NextDue: date("2027-01-12"), Rotations: 3, Late: 1, OverdueDays: 5},
			{ID: "platform-api-key", Name: "Platform API key", Team: "platform", Owner: "carol@example.com", PeriodDays: 30,
				AddedIn: new(hash(3)), LastChanged: date("2026-07-01"), NextDue: date("2026-07-31"), Rotations: 2,
				OverdueDays: 153, ExemptionDays: 73, Missed: true, Exemptions: []audit.ExemptionPeriod{
					{Until: date("2026-06-30"), Reason: "Migration to Vault; the old key stays until cut-over", ApprovedBy: "carol@example.com", Commit: new(hash(6))},
					{Until: date("2026-07-31"), Reason: "Migration to Vault; the cut-over moved to July", ApprovedBy: "ciso@example.com", Commit: new(hash(8))},
				}},
		},
		Events:       events,
		Observations: observations,
	}
}

// emptyPack is a period without commits, before the register existed.
func emptyPack() *audit.Pack {
	return &audit.Pack{From: date("2026-01-01"), To: date("2026-12-31"), Provenance: provenance()}
}

// hostilePack holds values that try to become markup, formulas, terminal
// escapes or reversed text in every format.
func hostilePack() *audit.Pack {
	const (
		id     = "evil|`id`<b>"
		script = "<script>alert(1)</script>"
		link   = "[x](https://evil.example)"
		img    = "<img src=x onerror=alert(1)>"
	)
	e := rotated(event(audit.EventRotation, id, 1, "2026-03-03", "10:00", "@SUM(1+1) <mallory@example.com>", "+cmd|' /C calc'!A0", 7,
		"-2+3+cmd|' /C calc'!A0 second line \u202e txt.exe\n## heading"),
		"2025-12-01", "2026-03-01", "2026-03-04", -3, "\t=1+1", false)
	x := exempted(event(audit.EventExemption, id, 2, "2026-03-04", "11:00", script, "\r=1+1", 0, "-5"),
		audit.ExemptionGranted, "2026-12-31", "\r=1+1 | pipe `tick` ``` "+img+"\n- list", "=HYPERLINK(\"https://evil.example\",\"click\")")
	return &audit.Pack{
		From: date("2026-01-01"), To: date("2026-12-31"),
		FirstCommit: new(hash(1)), LastCommit: new(hash(2)), BaselineCommit: new(hash(0)),
		Provenance: audit.Provenance{Repository: "acme/<b>repo</b>", Branch: "main`; rm -rf /`", Register: link,
			RotorVersion: "v1.4.0\x1b[31m", Timezone: "Europe/Berlin\u202e", Command: "rotor audit --from `x` | sh"},
		Summary: audit.Summary{Credentials: 1, Rotations: 1, OnTime: 1, OnTimePercent: new(100), Missed: []string{id},
			LongestOverdue: &audit.Stretch{CredentialID: id, From: date("2026-12-01"), To: date("2026-12-31"), Days: 31},
			OverdueDays:    31, ExemptionDays: 10, Observations: 1},
		Credentials: []audit.Credential{{ID: id, Name: script, Team: link, Owner: "=HYPERLINK(\"https://evil.example\")",
			PeriodDays: 90, LastChanged: date("2026-03-01"), NextDue: date("2026-05-30"), Rotations: 1, Missed: true,
			Exemptions: []audit.ExemptionPeriod{{Until: date("2026-12-31"), Reason: *x.Reason, ApprovedBy: *x.ApprovedBy, Commit: new(hash(2))}}}},
		Events: []audit.Event{e, x},
		Observations: []audit.Observation{{Kind: audit.ObsSelfApproved, CredentialID: id, Date: date("2026-03-04"), Commit: hash(2),
			Message: "approved by " + script + " | " + link + "\n# not a heading"}},
	}
}

// largePack has n credentials rotated k times each, every other one late
// by a day, and all but the first 50 missed.
func largePack(n, k int) *audit.Pack {
	p := &audit.Pack{From: date("2026-01-01"), To: date("2026-12-31"), Provenance: provenance(),
		FirstCommit: new(hash(0)), LastCommit: new(hash(n*k - 1))}
	for i := range n {
		id := "cred-" + strconv.Itoa(i)
		c := audit.Credential{ID: id, Name: "Credential " + strconv.Itoa(i), Team: "team-" + strconv.Itoa(i%100),
			Owner: "team-" + strconv.Itoa(i%100) + "@example.com", PeriodDays: 90, Rotations: k, Missed: i >= 50}
		last := date("2025-12-01")
		for j := range k {
			next := last.AddDays(90 + i%2)
			d := next.String()
			p.Events = append(p.Events, rotated(event(audit.EventRotation, id, i*k+j, d, "10:00", rotorBot, alice, i*k+j+1,
				"Record the rotation of "+id), last.String(), d, last.AddDays(90).String(), i%2, "SEC-"+strconv.Itoa(i*k+j), true))
			last = next
		}
		c.LastChanged, c.NextDue = last, last.AddDays(90)
		if c.Missed {
			p.Summary.Missed = append(p.Summary.Missed, id)
		}
		p.Credentials = append(p.Credentials, c)
	}
	p.Summary.Credentials, p.Summary.Rotations = n, n*k
	return p
}
