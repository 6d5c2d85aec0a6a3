package dashboard_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rotor-dev/rotor/internal/cli"
	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// TestCSV reads register.csv back with encoding/csv: one row per
// credential under the header, every cell as written, and every cell of
// register text that a spreadsheet would run as a formula neutralised.
func TestCSV(t *testing.T) {
	in := fixtureInput(false)
	b := render(t, in).File("register.csv")
	if !bytes.HasSuffix(b, []byte("\r\n")) || bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Error("register.csv has a line that does not end in CRLF")
	}
	if !utf8.Valid(b) {
		t.Error("register.csv is not UTF-8")
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	if len(recs)-1 != len(in.Register.Credentials) {
		t.Fatalf("%d rows, want one per credential (%d)", len(recs)-1, len(in.Register.Credentials))
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, want := range []string{"id", "name", "owner", "team", "status", "next_due_date", "days_left", "last_changed", "period_days"} {
		if _, ok := col[want]; !ok {
			t.Errorf("no column %q in %v", want, head)
		}
	}
	rows := report.StatusRows(in.Register, in.Today, nil, nil)
	for i, rec := range recs[1:] {
		r := rows[i]
		c := in.Register.ByID(r.ID)
		if rec[col["id"]] != r.ID || rec[col["status"]] != string(r.Status) || rec[col["days_left"]] != strconv.Itoa(r.DaysLeft) ||
			rec[col["next_due_date"]] != r.NextDueDate.String() {
			t.Errorf("row %d: %v, want the status row %+v (rows by due date, then id)", i+1, rec, r)
		}
		text := map[string]string{"name": c.Name, "owner": c.Owner, "team": c.Team, "system": c.System,
			"description": c.Description, "last_ticket": c.LastTicket, "runbook": c.Runbook}
		for k, v := range text {
			got := rec[col[k]]
			want := v
			if v != "" && strings.ContainsRune("=+-@\t\r\n", rune(v[0])) {
				want = "'" + v
			}
			if got != want {
				t.Errorf("%s of %s: %q, want %q", k, c.ID, got, want)
			}
			if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
				t.Errorf("%s of %s starts with %q: a spreadsheet runs it", k, c.ID, got[:1])
			}
		}
	}
}

// TestICS checks due.ics as a calendar reads it: lines of at most 75
// octets ending in CRLF, folded between characters, parsed by go-ical
// into one event per credential not exempt, with its text unescaped to
// what was meant and a UID that stays as long as the due date does.
func TestICS(t *testing.T) {
	in := fixtureInput(false)
	b := render(t, in).File("due.ics")
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("due.ics does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare line break", i+1)
		}
	}
	events := icsEvents(t, b)
	rows := report.StatusRows(in.Register, in.Today, nil, nil)
	var want []string
	for _, r := range rows {
		if r.Status != rotation.StatusExempt {
			want = append(want, r.ID)
		}
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want one per credential not exempt (%d)", len(events), len(want))
	}
	for i, ev := range events {
		c := in.Register.ByID(want[i])
		due := c.NextDue()
		if got := prop(t, ev, ical.PropUID); got != "rotor-due-"+c.ID+"-"+strings.ReplaceAll(due.String(), "-", "")+"@rotor.invalid" {
			t.Errorf("UID %q", got)
		}
		start, err := ev.Props.Get(ical.PropDateTimeStart).DateTime(time.UTC)
		if err != nil || rotation.DateOf(start) != due || ev.Props.Get(ical.PropDateTimeStart).ValueType() != ical.ValueDate {
			t.Errorf("%s: DTSTART %v (%v), want the all-day %s", c.ID, start, err, due)
		}
		stamp, err := ev.Props.Get(ical.PropDateTimeStamp).DateTime(time.UTC)
		if err != nil || !stamp.Equal(made) {
			t.Errorf("%s: DTSTAMP %v (%v), want the run's clock %v", c.ID, stamp, err, made)
		}
		summary := "Rotate " + textsafe.Controls(c.Name) + " (" + c.ID + ")"
		if c.Evaluate(today).Status == rotation.StatusOverdue {
			summary = "Overdue: " + summary
		}
		if got := prop(t, ev, ical.PropSummary); got != summary {
			t.Errorf("SUMMARY %q, want %q", got, summary)
		}
		desc := prop(t, ev, ical.PropDescription)
		if !strings.Contains(desc, "Owner: "+textsafe.Controls(c.Owner)+"\n") {
			t.Errorf("%s: DESCRIPTION %q lacks the owner as written", c.ID, desc)
		}
		if c.System != "" && !strings.Contains(desc, "System: "+textsafe.Controls(c.System)) {
			t.Errorf("%s: DESCRIPTION %q lacks the system as written", c.ID, desc)
		}
	}

	// The same credential and due date keep their UID from run to run;
	// a rotation gives a new one.
	in2 := fixtureInput(false)
	in2.Made = made.Add(36 * time.Hour)
	rotated := *in2.Register.ByID("orphan-token")
	rotated.LastChanged = today
	for i, c := range in2.Register.Credentials {
		if c.ID == rotated.ID {
			in2.Register.Credentials[i] = &rotated
		}
	}
	in2 = input(in2.Register, today, 8, false)
	in2.Made = made.Add(36 * time.Hour)
	uids := func(evs []ical.Event) map[string]bool {
		m := map[string]bool{}
		for _, ev := range evs {
			m[prop(t, ev, ical.PropUID)] = true
		}
		return m
	}
	before, after := uids(events), uids(icsEvents(t, render(t, in2).File("due.ics")))
	for u := range before {
		if strings.Contains(u, "orphan-token") == after[u] {
			t.Errorf("UID %q: kept %v across a run that rotated only orphan-token", u, after[u])
		}
	}
}

func icsEvents(t *testing.T, b []byte) []ical.Event {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot read due.ics: %v", err)
	}
	if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION %v", v)
	}
	if cal.Props.Get(ical.PropProductID) == nil {
		t.Error("no PRODID")
	}
	return cal.Events()
}

func prop(t *testing.T, ev ical.Event, name string) string {
	t.Helper()
	p := ev.Props.Get(name)
	if p == nil {
		t.Errorf("an event has no %s", name)
		return ""
	}
	if p.ValueType() == ical.ValueText || p.ValueType() == ical.ValueDefault {
		s, err := p.Text()
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		return s
	}
	return p.Value
}

// TestMetrics parses metrics.prom with Prometheus' own text parser and
// lints it as `promtool check metrics` does: HELP and TYPE for every
// family, label values read back as written, no id label on the public
// site.
func TestMetrics(t *testing.T) {
	for _, public := range []bool{false, true} {
		in := fixtureInput(public)
		b := render(t, in).File("metrics.prom")
		problems, err := promlint.New(bytes.NewReader(b)).Lint()
		if err != nil {
			t.Fatalf("public %v: promlint: %v", public, err)
		}
		for _, p := range problems {
			t.Errorf("public %v: promlint: %s: %s", public, p.Metric, p.Text)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("public %v: %v", public, err)
		}
		teams := map[string]bool{}
		for _, c := range in.Register.Credentials {
			teams[c.Team] = true
		}
		for name, f := range fams {
			if f.GetHelp() == "" || f.GetType() != dto.MetricType_GAUGE {
				t.Errorf("%s: help %q, type %v", name, f.GetHelp(), f.GetType())
			}
			for _, m := range f.GetMetric() {
				for _, l := range m.GetLabel() {
					if public && l.GetName() == "id" {
						t.Errorf("public: %s has an id label", name)
					}
					if l.GetName() == "team" && !teams[l.GetValue()] {
						t.Errorf("%s: team label %q is no team of the register", name, l.GetValue())
					}
				}
			}
		}
		per := fams["rotor_credential_next_due_timestamp_seconds"]
		if public {
			if per != nil || fams["rotor_credential_last_changed_timestamp_seconds"] != nil {
				t.Error("public: metrics per credential")
			}
		} else {
			if per == nil || len(per.GetMetric()) != len(in.Register.Credentials) {
				t.Fatalf("rotor_credential_next_due_timestamp_seconds: %v, want one sample per credential", per)
			}
			for _, m := range per.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				c := in.Register.ByID(labels["id"])
				if c == nil || labels["team"] != c.Team || labels["status"] != string(c.Evaluate(today).Status) {
					t.Errorf("sample %v", labels)
					continue
				}
				if got, want := int64(m.GetGauge().GetValue()), c.NextDue().Start(in.Register.Settings.Timezone).Unix(); got != want {
					t.Errorf("%s: next due %d, want %d", c.ID, got, want)
				}
			}
		}
		ratio := fams["rotor_compliance_ratio"]
		for _, m := range ratio.GetMetric() {
			team := m.GetLabel()[0].GetValue()
			for _, tm := range in.Report.Teams {
				if tm.Name == team {
					if want := float64(tm.OnTime) / float64(tm.Total-tm.Exempt); m.GetGauge().GetValue() != want {
						t.Errorf("rotor_compliance_ratio of %q: %v, want %v", team, m.GetGauge().GetValue(), want)
					}
				}
			}
		}
	}
}

// TestStatusJSONMatchesRotorStatus holds status.json's credentials to
// `rotor status --format json` run on the same register: the same
// objects, the same keys, the same values.
func TestStatusJSONMatchesRotorStatus(t *testing.T) {
	reg, _ := exampleRegister(t, today)
	site := render(t, input(reg, today, 8, false))
	var feed struct {
		SchemaVersion int               `json:"schema_version"`
		Credentials   []json.RawMessage `json:"credentials"`
		Summary       map[string]any    `json:"summary"`
	}
	if err := json.Unmarshal(site.File("status.json"), &feed); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), []string{"status", "--format", "json", "--register", "../../credential_rotation", "--today", today.String()}, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return made },
	})
	if code != 0 {
		t.Fatalf("rotor status: exit %d: %s", code, stderr.String())
	}
	var want []any
	if err := json.Unmarshal(stdout.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	var got []any
	for _, raw := range feed.Credentials {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	// rotor status names files relative to where it runs; so does the site.
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("status.json's credentials differ from rotor status --format json:\n%s\nwant:\n%s", g, stdout.String())
	}
	if feed.SchemaVersion != dashboard.StatusSchemaVersion {
		t.Errorf("schema_version %d", feed.SchemaVersion)
	}
	for _, k := range []string{"total", "exempt", "on_time", "compliance_percent", "change", "previous", "teams", "trend", "trend_weeks", "week", "counts"} {
		if _, ok := feed.Summary[k]; !ok {
			t.Errorf("summary has no %q", k)
		}
	}
}

// TestStatusJSONPublic: the public status.json has the figures and no
// credential or warning.
func TestStatusJSONPublic(t *testing.T) {
	b := render(t, fixtureInput(true)).File("status.json")
	var feed struct {
		Public      bool              `json:"public"`
		Credentials []json.RawMessage `json:"credentials"`
		Warnings    []json.RawMessage `json:"warnings"`
		Summary     struct {
			Total int `json:"total"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(b, &feed); err != nil {
		t.Fatal(err)
	}
	if !feed.Public || feed.Credentials == nil || len(feed.Credentials) != 0 || feed.Warnings == nil || len(feed.Warnings) != 0 || feed.Summary.Total != 9 {
		t.Errorf("public status.json: %s", b)
	}
}
