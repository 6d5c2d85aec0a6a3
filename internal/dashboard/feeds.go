package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// feed is a machine-readable file beside the pages.
type feed struct {
	path, note string
	render     func() ([]byte, error)
}

// feeds lists the feeds of the site: fewer in public mode, where no feed
// holds a credential's row.
func (m *model) feeds() []feed {
	fs := []feed{{"status.json", "the figures of this site and, on the internal site, every credential as rotor status --format json lists it", m.statusJSON}}
	if !m.in.Public {
		fs = append(fs,
			feed{"register.csv", "every credential with its status, for a spreadsheet", m.registerCSV},
			feed{"due.ics", "a calendar of due dates to subscribe to", m.dueICS})
	}
	return append(fs,
		feed{"metrics.prom", "Prometheus metrics for node_exporter's textfile collector", m.metrics},
		feed{"badge.svg", "a compliance badge for a README", m.badge})
}

// jobs lists every file of the site.
func (m *model) jobs() []job {
	js := []job{{path: "index.html", render: m.renderIndex}}
	if len(m.teams) > maxTeamRows {
		js = append(js, job{path: "teams.html", render: m.renderTeams})
	}
	for _, t := range m.teams {
		js = append(js, job{path: "teams/" + t.Slug + ".html", render: func() (file, error) { return m.renderTeam(t) }})
	}
	if !m.in.Public {
		for _, r := range m.rows {
			js = append(js, job{path: "credentials/" + r.ID + ".html", render: func() (file, error) {
				return m.renderCredential(r, m.history[r.ID])
			}})
		}
	}
	for _, f := range m.feeds() {
		js = append(js, job{path: f.path, render: func() (file, error) {
			b, err := f.render()
			// At its exact size: a buffer grown by doubling holds up to
			// twice the bytes.
			return file{body: bytes.Clone(b)}, err
		}})
	}
	return js
}

// StatusSchemaVersion is the version of status.json's schema
// (docs/dashboard.md). It changes only when a key changes meaning or
// goes away; new keys may appear in any version.
const StatusSchemaVersion = 1

type statusFeed struct {
	SchemaVersion int                `json:"schema_version"`
	Made          string             `json:"made"`
	Commit        string             `json:"commit"`
	Today         rotation.Date      `json:"today"`
	Public        bool               `json:"public"`
	Summary       statusSummary      `json:"summary"`
	Credentials   []report.StatusRow `json:"credentials"`
	Warnings      []Warning          `json:"warnings"`
}

type statusSummary struct {
	Week              string           `json:"week"`
	Total             int              `json:"total"`
	Exempt            int              `json:"exempt"`
	OnTime            int              `json:"on_time"`
	CompliancePercent *int             `json:"compliance_percent"`
	Change            *int             `json:"change"`
	Counts            statusCounts     `json:"counts"`
	NextDueDate       *rotation.Date   `json:"next_due_date"`
	DueNext7Count     int              `json:"due_next_7_count"`
	DueNext30Count    int              `json:"due_next_30_count"`
	RotatedCount      *int             `json:"rotated_count"`
	WarningCount      int              `json:"warning_count"`
	Previous          *report.Figures  `json:"previous"`
	Teams             []report.Team    `json:"teams"`
	Trend             []trendPointJSON `json:"trend"`
	TrendWeeks        int              `json:"trend_weeks"`
	DueWeeks          []dueWeekJSON    `json:"due_weeks"`
	HistoryNote       string           `json:"history_note,omitempty"`
}

type statusCounts struct {
	OK      int `json:"ok"`
	Due     int `json:"due"`
	Overdue int `json:"overdue"`
	Exempt  int `json:"exempt"`
}

type trendPointJSON struct {
	report.Figures
	Counts statusCounts `json:"counts"`
}

type dueWeekJSON struct {
	From  rotation.Date `json:"from"`
	To    rotation.Date `json:"to"`
	Count int           `json:"count"`
}

func jsonCounts(c counts) statusCounts { return statusCounts(c) }

// statusJSON is status.json: the figures of the pages and, on the
// internal site, every credential's row of `rotor status --format json`.
func (m *model) statusJSON() ([]byte, error) {
	in, rep := m.in, m.in.Report
	s := statusSummary{
		Week: rep.Week, Total: rep.Total, Exempt: rep.Exempt, OnTime: rep.OnTime,
		CompliancePercent: rep.CompliancePercent, Change: rep.Change, Counts: jsonCounts(m.counts),
		DueNext7Count: len(rep.DueNext7), DueNext30Count: len(rep.DueNext30),
		WarningCount: len(in.Warnings) + len(rep.Observations),
		Previous:     rep.Previous, Teams: rep.Teams, TrendWeeks: rep.TrendWeeks, HistoryNote: m.note,
	}
	if m.soonest != nil {
		d := m.soonest.NextDueDate
		s.NextDueDate = &d
	}
	if rep.Rotated != nil {
		n := len(rep.Rotated)
		s.RotatedCount = &n
	}
	s.Trend = make([]trendPointJSON, len(rep.Trend))
	for i, f := range rep.Trend {
		s.Trend[i] = trendPointJSON{Figures: f, Counts: jsonCounts(m.trend[i].Counts)}
	}
	s.DueWeeks = make([]dueWeekJSON, 0, dueWeeks)
	for _, b := range m.due[1:] {
		s.DueWeeks = append(s.DueWeeks, dueWeekJSON(b))
	}
	f := statusFeed{
		SchemaVersion: StatusSchemaVersion, Made: in.Made.UTC().Format(time.RFC3339), Commit: in.Commit,
		Today: in.Today, Public: in.Public, Summary: s, Credentials: []report.StatusRow{}, Warnings: []Warning{},
	}
	if !in.Public {
		f.Credentials = m.rows
		if in.Warnings != nil {
			f.Warnings = in.Warnings
		}
	}
	b, err := json.MarshalIndent(&f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// csvHeader is register.csv's header row.
var csvHeader = []string{"id", "name", "owner", "team", "system", "environment", "criticality", "period_days", "notice_days",
	"last_changed", "next_due_date", "days_left", "status", "exempt_until", "exemption_reason", "exemption_approved_by",
	"last_ticket", "jira_assignee", "runbook", "description", "file", "line"}

// registerCSV is register.csv: one row per credential, by due date, RFC
// 4180 with CRLF line ends. Every cell of register text goes through
// csvCell, so no spreadsheet reads it as a formula.
func (m *model) registerCSV() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(m.rows) * 300)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(csvHeader); err != nil {
		return nil, err
	}
	rec := make([]string, len(csvHeader))
	for _, r := range m.rows {
		c := m.creds[r.ID]
		var until, reason, approver string
		if e := c.Exemption; e != nil {
			until, reason, approver = e.Until.String(), e.Reason, e.ApprovedBy
		}
		rec = append(rec[:0], csvCell(c.ID), csvCell(c.Name), csvCell(c.Owner), csvCell(c.Team), csvCell(c.System),
			csvCell(c.Environment), csvCell(string(c.Criticality)), strconv.Itoa(c.PeriodDays), strconv.Itoa(c.NoticeDays),
			c.LastChanged.String(), r.NextDueDate.String(), strconv.Itoa(r.DaysLeft), string(r.Status), until,
			csvCell(reason), csvCell(approver), csvCell(c.LastTicket), csvCell(c.JiraAssignee), csvCell(c.Runbook),
			csvCell(c.Description), csvCell(c.Pos.File), strconv.Itoa(c.Pos.Line))
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvCell neutralises a cell of register text as OWASP's guidance on CSV
// injection says: a cell that starts with =, +, -, @, a tab or a carriage
// return (or a line feed) gets a single quote in front, so a spreadsheet
// shows it as text instead of running it as a formula. Quoting is
// encoding/csv's. Numbers and dates rotor writes itself need no quote
// (days_left may be -3 and stays a number).
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}

// dueICS is due.ics: one all-day event per credential not exempt, on its
// next due date (RFC 5545). A credential keeps its event's UID as long
// as its due date stays; DTSTAMP is the run's clock, so the same input
// gives the same bytes.
func (m *model) dueICS() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(m.rows) * 500)
	stamp := m.in.Made.UTC().Format("20060102T150405Z")
	icsLine(&b, "BEGIN:VCALENDAR")
	icsLine(&b, "VERSION:2.0")
	icsLine(&b, "PRODID:-//rotor//rotor dashboard//EN")
	icsLine(&b, "CALSCALE:GREGORIAN")
	icsLine(&b, "METHOD:PUBLISH")
	icsLine(&b, "X-WR-CALNAME:Credential rotations due")
	icsLine(&b, "X-WR-CALDESC:When each credential of the register is next due for rotation (rotor)")
	for _, r := range m.rows {
		if r.Status == rotation.StatusExempt {
			continue
		}
		c := m.creds[r.ID]
		day := icsDate(r.NextDueDate)
		summary := "Rotate " + c.Name + " (" + c.ID + ")"
		if r.Status == rotation.StatusOverdue {
			summary = "Overdue: " + summary
		}
		desc := []string{
			"Credential " + c.ID + " is due for rotation on " + r.NextDueDate.String() + " (status " + string(r.Status) + " on " + m.in.Today.String() + ").",
			"Owner: " + c.Owner,
		}
		if c.Team != "" {
			desc = append(desc, "Team: "+c.Team)
		}
		if c.System != "" {
			desc = append(desc, "System: "+c.System)
		}
		desc = append(desc, "Every "+textsafe.Plural(c.PeriodDays, "day", "days")+"; last changed "+c.LastChanged.String()+".")
		if c.LastTicket != "" {
			desc = append(desc, "Last ticket: "+c.LastTicket)
		}
		if c.Runbook != "" {
			desc = append(desc, "Runbook: "+c.Runbook)
		}
		icsLine(&b, "BEGIN:VEVENT")
		icsLine(&b, "UID:rotor-due-"+c.ID+"-"+day+"@rotor.invalid")
		icsLine(&b, "DTSTAMP:"+stamp)
		icsLine(&b, "DTSTART;VALUE=DATE:"+day)
		icsLine(&b, "DTEND;VALUE=DATE:"+icsDate(r.NextDueDate.AddDays(1)))
		icsLine(&b, "SUMMARY:"+icsText(summary))
		icsLine(&b, "DESCRIPTION:"+icsText(strings.Join(desc, "\n")))
		if c.Team != "" {
			icsLine(&b, "CATEGORIES:"+icsText(c.Team))
		}
		if u := runbookLink(c.Runbook); u != "" {
			icsLine(&b, "URL:"+u)
		}
		icsLine(&b, "TRANSP:TRANSPARENT")
		icsLine(&b, "END:VEVENT")
	}
	icsLine(&b, "END:VCALENDAR")
	return b.Bytes(), nil
}

func icsDate(d rotation.Date) string { return strings.ReplaceAll(d.String(), "-", "") }

// icsText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and line breaks; every other control character, and the
// bidirectional overrides, are written visibly as textsafe writes them.
func icsText(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString(`\n`)
		}
		for _, r := range textsafe.Controls(line) {
			switch r {
			case '\\', ';', ',':
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsLine writes one content line, folded after at most 75 octets (the
// line break not counted), never inside a UTF-8 sequence, with CRLF.
func icsLine(b *bytes.Buffer, line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the folded line's leading space is one of its 75 octets
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}

// metrics is metrics.prom, in the Prometheus text exposition format for
// node_exporter's textfile collector: per credential its next due date
// and its last change as Unix times (the first instant of the day in the
// register's zone), labelled id, team and status; per team its
// compliance ratio and its credentials by status. The public site leaves
// out the series per credential and gives each team's soonest due date
// instead.
func (m *model) metrics() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(m.rows)*250 + 4096)
	ts := func(d rotation.Date) string { return strconv.FormatInt(d.Start(m.loc).Unix(), 10) }
	if !m.in.Public {
		family(&b, "rotor_credential_next_due_timestamp_seconds",
			"When a credential is next due for rotation: the start of its due date in the register's time zone, as a Unix time.")
		for _, r := range m.rows {
			sample(&b, "rotor_credential_next_due_timestamp_seconds", ts(r.NextDueDate), "id", r.ID, "team", r.Team, "status", string(r.Status))
		}
		family(&b, "rotor_credential_last_changed_timestamp_seconds",
			"When a credential was last rotated (last_changed): the start of that day in the register's time zone, as a Unix time.")
		for _, r := range m.rows {
			sample(&b, "rotor_credential_last_changed_timestamp_seconds", ts(r.LastChanged), "id", r.ID, "team", r.Team, "status", string(r.Status))
		}
	} else {
		family(&b, "rotor_team_next_due_timestamp_seconds",
			"The soonest due date of a team's credentials that is not past and not exempt, as a Unix time; no sample when there is none.")
		for _, t := range m.teams {
			for _, r := range t.Rows {
				if r.Status != rotation.StatusExempt && r.DaysLeft >= 0 {
					sample(&b, "rotor_team_next_due_timestamp_seconds", ts(r.NextDueDate), "team", t.Name)
					break
				}
			}
		}
	}
	family(&b, "rotor_compliance_ratio",
		"Credentials on time (ok or due) over credentials not exempt, per team, 0 to 1; no sample for a team whose credentials are all exempt.")
	for _, t := range m.teams {
		if rated := t.Total - t.Exempt; rated > 0 {
			sample(&b, "rotor_compliance_ratio", strconv.FormatFloat(float64(t.OnTime)/float64(rated), 'g', -1, 64), "team", t.Name)
		}
	}
	family(&b, "rotor_credentials", "Credentials per team and status.")
	for _, t := range m.teams {
		var c counts
		for _, r := range t.Rows {
			c.add(r.Status)
		}
		for _, x := range []struct {
			s rotation.Status
			n int
		}{{rotation.StatusOK, c.OK}, {rotation.StatusDue, c.Due}, {rotation.StatusOverdue, c.Overdue}, {rotation.StatusExempt, c.Exempt}} {
			sample(&b, "rotor_credentials", strconv.Itoa(x.n), "team", t.Name, "status", string(x.s))
		}
	}
	return b.Bytes(), nil
}

func family(b *bytes.Buffer, name, help string) {
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " gauge\n")
}

// sample writes one sample; labels are name, value pairs.
func sample(b *bytes.Buffer, name, value string, labels ...string) {
	b.WriteString(name)
	b.WriteByte('{')
	for i := 0; i < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		b.WriteString(labelValue(labels[i+1]))
		b.WriteByte('"')
	}
	b.WriteString("} ")
	b.WriteString(value)
	b.WriteByte('\n')
}

// labelValue escapes a label value of the text format: backslash, double
// quote and line feed; bytes that are not UTF-8 become U+FFFD.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func labelValue(s string) string { return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }
