package dashboard

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// page holds what every page's layout shows.
type page struct {
	Title, Heading string
	Root           string // the way up to the site's root: "" or "../"
	Public         bool
	Made, Commit   string
	Today          string
	Nav            []link
}

type link struct{ Href, Text, Note string }

type statusView struct{ Class, Symbol, Text string }

type cell struct {
	Text     string
	Href     string // a page of the site, or a runbook's http(s) URL
	External bool   // Href leaves the site: rel="noopener noreferrer"
	Code     bool
	Class    string
	Status   *statusView
	Chart    *chart
}

type column struct {
	Head string
	Num  bool
}

type table struct {
	Label    string // names the scrolling box for screen readers
	Cols     []column
	Rows     [][]cell
	Empty    string // shown instead of an empty table
	More     string // "…and 120 more."
	MoreHref string
	MoreLink string
}

type kpi struct {
	ID, Value, Label, Note string
	Class, Symbol          string
}

type legendItem struct{ Class, Symbol, Text string }

type figure struct {
	Chart  *chart
	Legend []legendItem
	Table  table
}

// The statuses as the pages show them: a symbol and a word, and a colour
// only on top.
var statusViews = map[rotation.Status]*statusView{
	rotation.StatusOK:      {Class: "ok", Symbol: "✓", Text: "ok"},
	rotation.StatusDue:     {Class: "due", Symbol: "◔", Text: "due"},
	rotation.StatusOverdue: {Class: "overdue", Symbol: "✗", Text: "overdue"},
	rotation.StatusExempt:  {Class: "exempt", Symbol: "⊘", Text: "exempt"},
}

func statusOf(s rotation.Status) *statusView {
	if v := statusViews[s]; v != nil {
		return v
	}
	return &statusView{Class: "exempt", Text: string(s)}
}

// text makes a single-line value of the register safe to read: control
// characters and bidirectional overrides are shown escaped (\u202e), so
// that no value reorders or hides the text around it. html/template
// escapes the rest.
func text(s string) string { return textsafe.Controls(s) }

// longText is text for a value that may span lines (a description):
// line breaks stay, everything else is escaped as in text.
func longText(s string) string {
	if !strings.Contains(s, "\n") {
		return textsafe.Controls(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = textsafe.Controls(l)
	}
	return strings.Join(lines, "\n")
}

// runbookLink returns s when it is an absolute http or https URL with a
// host, the only links made from the register; "" otherwise.
func runbookLink(s string) string {
	if s != strings.TrimSpace(s) || textsafe.Controls(s) != s {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.String()
}

// dueNote says how far a row's due date is, or until when it is exempt:
// "12 days late", "due today", "3 days left", "exempt until 2027-01-31".
func dueNote(r report.StatusRow) string {
	if r.Exemption != nil {
		return "exempt until " + r.Exemption.Until.String()
	}
	return days(r.DaysLeft)
}

// days says how far a due date is: "12 days late", "due today", "3 days left".
func days(left int) string {
	switch {
	case left < -1:
		return strconv.Itoa(-left) + " days late"
	case left == -1:
		return "1 day late"
	case left == 0:
		return "due today"
	case left == 1:
		return "1 day left"
	}
	return strconv.Itoa(left) + " days left"
}

func (m *model) page(title, heading, root string) page {
	commit := m.in.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	return page{
		Title: title, Heading: heading, Root: root, Public: m.in.Public,
		Made: m.in.Made.UTC().Format("2006-01-02 15:04 UTC"), Commit: text(commit), Today: m.in.Today.String(),
	}
}

// buffers are reused across pages: each page is executed into one and
// copied out at its exact size, which halves the garbage of a large site
// (BenchmarkSite10000: 474 MB allocated without them).
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func execute(t pageTemplate, v any) (file, error) {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	defer func() {
		if b.Cap() <= 4<<20 {
			buffers.Put(b)
		}
	}()
	if err := t.t.ExecuteTemplate(b, "layout", v); err != nil {
		return file{}, err
	}
	out := b.Bytes()
	if t.head != "" && bytes.HasPrefix(out, []byte(t.head)) {
		return file{head: t.head, body: bytes.Clone(out[len(t.head):])}, nil
	}
	return file{body: bytes.Clone(out)}, nil
}

// statusKPIs are the tiles of the counts by status.
func statusKPIs(c counts) []kpi {
	return []kpi{
		{ID: "ok", Value: strconv.Itoa(c.OK), Label: "ok", Class: "st st-ok", Symbol: statusViews[rotation.StatusOK].Symbol},
		{ID: "due", Value: strconv.Itoa(c.Due), Label: "due (inside the notice window)", Class: "st st-due", Symbol: statusViews[rotation.StatusDue].Symbol},
		{ID: "overdue", Value: strconv.Itoa(c.Overdue), Label: "overdue", Class: "st st-overdue", Symbol: statusViews[rotation.StatusOverdue].Symbol},
		{ID: "exempt", Value: strconv.Itoa(c.Exempt), Label: "exempt", Class: "st st-exempt", Symbol: statusViews[rotation.StatusExempt].Symbol},
	}
}

func complianceKPI(p *int, note string) kpi {
	return kpi{ID: "compliance", Value: pct(p), Label: "compliance: on time / not exempt", Note: note}
}

// trendFigure is the stacked trend of pts (ok, due, overdue per date) with
// its data table; what names the register or the team.
func (m *model) trendFigure(id, what string, pts []point) figure {
	bars := make([]stack, len(pts))
	rows := make([][]cell, len(pts))
	descs := make([]string, len(pts))
	for i, p := range pts {
		d := p.Date.String()
		bars[i] = stack{Label: d[5:], Top: pct(p.Percent), Parts: []part{
			{N: p.Counts.OK, Class: "b-ok", Title: d + ": " + strconv.Itoa(p.Counts.OK) + " ok"},
			{N: p.Counts.Due, Class: "b-due", Title: d + ": " + strconv.Itoa(p.Counts.Due) + " due"},
			{N: p.Counts.Overdue, Class: "b-over", Title: d + ": " + strconv.Itoa(p.Counts.Overdue) + " overdue"},
		}}
		if p.Percent == nil {
			bars[i].Top = ""
		}
		rows[i] = []cell{{Text: d, Class: "nowrap"}, num(p.Counts.OK), num(p.Counts.Due), num(p.Counts.Overdue),
			num(p.Counts.Exempt), {Text: pct(p.Percent), Class: "num"}}
		descs[i] = d + " " + strconv.Itoa(p.Counts.OK) + " ok, " + strconv.Itoa(p.Counts.Due) + " due, " +
			strconv.Itoa(p.Counts.Overdue) + " overdue (" + pct(p.Percent) + ")"
	}
	title := "Credentials by status per week, " + what
	desc := "Stacked bars of ok, due and overdue credentials on each date, oldest first: " + strings.Join(descs, "; ") + "."
	if len(pts) == 1 {
		desc += " History was not read, so the trend is today alone."
	}
	return figure{
		Chart: barChart(id, title, desc, bars),
		Legend: []legendItem{
			{Class: "b-ok", Symbol: statusViews[rotation.StatusOK].Symbol, Text: "ok"},
			{Class: "b-due", Symbol: statusViews[rotation.StatusDue].Symbol, Text: "due"},
			{Class: "b-over", Symbol: statusViews[rotation.StatusOverdue].Symbol, Text: "overdue"},
			{Class: "", Text: "figure above a bar: compliance"},
		},
		Table: table{Label: "Trend data", Cols: []column{{Head: "Date"}, {Head: "ok", Num: true}, {Head: "due", Num: true},
			{Head: "overdue", Num: true}, {Head: "exempt", Num: true}, {Head: "compliance", Num: true}}, Rows: rows},
	}
}

func num(n int) cell { return cell{Text: strconv.Itoa(n), Class: "num"} }

// dueFigure is the chart of due dates for the next weeks.
func (m *model) dueFigure(id string) figure {
	bars := make([]stack, len(m.due))
	rows := make([][]cell, len(m.due))
	descs := make([]string, len(m.due))
	for i, b := range m.due {
		n := strconv.Itoa(b.Count)
		if i == 0 {
			bars[i] = stack{Label: "overdue", Top: n, Parts: []part{{N: b.Count, Class: "b-over", Title: n + " overdue"}}}
			rows[i] = []cell{{Text: "already overdue"}, num(b.Count)}
			descs[i] = n + " overdue"
			continue
		}
		span := b.From.String() + " to " + b.To.String()
		bars[i] = stack{Label: b.From.String()[5:], Top: n, Parts: []part{{N: b.Count, Class: "b-next", Title: span + ": " + n}}}
		rows[i] = []cell{{Text: span, Class: "nowrap"}, num(b.Count)}
		descs[i] = span + ": " + n
	}
	desc := "Bars of the credentials not exempt that fall due in each of the next " + strconv.Itoa(dueWeeks) +
		" weeks, the overdue ones first: " + strings.Join(descs, "; ") + "."
	if m.later > 0 {
		desc += " " + strconv.Itoa(m.later) + " more fall due later."
		rows = append(rows, []cell{{Text: "later"}, num(m.later)})
	}
	return figure{
		Chart: barChart(id, "Credentials falling due per week", desc, bars),
		Legend: []legendItem{
			{Class: "b-over", Symbol: statusViews[rotation.StatusOverdue].Symbol, Text: "already overdue"},
			{Class: "b-next", Text: "falling due in the week starting on the date under the bar"},
		},
		Table: table{Label: "Due dates data", Cols: []column{{Head: "Falls due"}, {Head: "credentials", Num: true}}, Rows: rows},
	}
}

// indexView is the data of index.html.
type indexView struct {
	page
	KPIs        []kpi
	Note        string
	Actions     table
	Teams       table
	TeamWeeks   table
	Trend, Due  figure
	Exemptions  table
	ExemptText  string
	Warnings    table
	WarningText string
	Feeds       []link
}

func (m *model) renderIndex() (file, error) {
	in, rep := m.in, m.in.Report
	v := indexView{page: m.page("Credential rotation", "Credential rotation", ""), Note: text(m.note)}
	v.Nav = []link{{Href: "#h-summary", Text: "Summary"}}
	if !in.Public {
		v.Nav = append(v.Nav, link{Href: "#h-actions", Text: "Action list"})
	}
	v.Nav = append(v.Nav, link{Href: "#h-teams", Text: "Teams"}, link{Href: "#h-trend", Text: "Trend"},
		link{Href: "#h-due", Text: "Due dates"}, link{Href: "#h-exemptions", Text: "Exemptions"},
		link{Href: "#h-warnings", Text: "Warnings"}, link{Href: "#h-feeds", Text: "Feeds"})

	change := "no figure for last week"
	if rep.Change != nil {
		was := ""
		if rep.Previous != nil {
			was = " (" + pct(rep.Previous.CompliancePercent) + ")"
		}
		switch d := *rep.Change; {
		case d > 0:
			change = "▲ up " + textsafe.Plural(d, "point", "points") + " since last week" + was
		case d < 0:
			change = "▼ down " + textsafe.Plural(-d, "point", "points") + " since last week" + was
		default:
			change = "unchanged since last week"
		}
	}
	v.KPIs = append([]kpi{complianceKPI(rep.CompliancePercent, change)}, statusKPIs(m.counts)...)
	soon := kpi{ID: "soonest", Value: "none", Label: "soonest due date", Note: "nothing falls due", Class: "date"}
	if s := m.soonest; s != nil {
		soon.Value, soon.Note = s.NextDueDate.String(), dueNote(*s)
	}
	v.KPIs = append(v.KPIs, soon)

	// The action list: overdue, most days late first, then due.
	v.Actions = table{Label: "Action list", Empty: "Nothing is overdue or due.",
		Cols: []column{{Head: "Status"}, {Head: "Credential"}, {Head: "Name"}, {Head: "Owner"}, {Head: "Team"},
			{Head: "Due date"}, {Head: "Days", Num: true}, {Head: "Last ticket"}}}
	for i, r := range m.actions {
		if i == maxActionRows {
			v.Actions.More = "…and " + strconv.Itoa(len(m.actions)-i) + " more overdue or due credentials, on their teams' pages:"
			v.Actions.MoreHref, v.Actions.MoreLink = "#h-teams", "see the teams"
			break
		}
		v.Actions.Rows = append(v.Actions.Rows, []cell{{Status: statusOf(r.Status)}, m.credCell(r.ID, ""), {Text: text(r.Name)},
			{Text: text(r.Owner)}, m.teamCell(r.Team, ""), {Text: r.NextDueDate.String(), Class: "nowrap"},
			{Text: dueNote(r), Class: "num"}, {Text: text(r.LastTicket)}})
	}

	v.Teams = table{Label: "Teams", Empty: "The register has no credentials.",
		Cols: []column{{Head: "Team"}, {Head: "Total", Num: true}, {Head: "On time", Num: true}, {Head: "Overdue", Num: true},
			{Head: "Exempt", Num: true}, {Head: "Compliance", Num: true}, {Head: "Last " + strconv.Itoa(sparkWeeks) + " weeks"}}}
	var weekCols []column
	if len(m.teams) > 0 {
		weekCols = []column{{Head: "Team"}}
		for _, p := range m.sparkFrom(m.teams[0].Trend) {
			weekCols = append(weekCols, column{Head: p.Date.String(), Num: true})
		}
	}
	v.TeamWeeks = table{Label: "Compliance by team and week", Cols: weekCols}
	for i, t := range m.teams {
		if i == maxTeamRows {
			v.Teams.More = "…and " + strconv.Itoa(len(m.teams)-i) + " more teams."
			v.Teams.MoreHref, v.Teams.MoreLink = "teams.html", "Every team"
			break
		}
		spark := m.sparkFrom(t.Trend)
		pcts := make([]*int, len(spark))
		for j, p := range spark {
			pcts[j] = p.Percent
		}
		name := teamName(t.Name)
		ch := sparkline("spark"+strconv.Itoa(i), "Compliance of "+name+", last "+strconv.Itoa(sparkWeeks)+" weeks",
			"Compliance on each date, oldest first: "+pctList(pcts)+".", pcts)
		v.Teams.Rows = append(v.Teams.Rows, []cell{m.teamCell(t.Name, ""), num(t.Total), num(t.OnTime), num(t.Overdue),
			num(t.Exempt), {Text: pct(t.CompliancePercent), Class: "num"}, {Chart: ch}})
		row := []cell{{Text: name}}
		for _, p := range pcts {
			row = append(row, cell{Text: pct(p), Class: "num"})
		}
		v.TeamWeeks.Rows = append(v.TeamWeeks.Rows, row)
	}

	v.Trend = m.trendFigure("trend", "whole register", m.trend)
	v.Due = m.dueFigure("due")

	v.Exemptions = table{Label: "Exemptions", Empty: "No credential is exempt.",
		Cols: []column{{Head: "Credential"}, {Head: "Name"}, {Head: "Team"}, {Head: "Until"}, {Head: "Days left", Num: true},
			{Head: "Reason"}, {Head: "Approved by"}}}
	v.ExemptText = textsafe.Plural(rep.Exempt, "credential", "credentials") + " exempt today; the public site names none of them."
	if rep.Exempt == 0 {
		v.ExemptText = "No credential is exempt."
	}
	if !in.Public {
		for _, e := range rep.Exemptions {
			v.Exemptions.Rows = append(v.Exemptions.Rows, []cell{m.credCell(e.ID, ""), {Text: text(e.Name)}, m.teamCell(e.Team, ""),
				{Text: e.Until.String(), Class: "nowrap"}, num(e.DaysLeft), {Text: longText(e.Reason)}, {Text: text(e.ApprovedBy)}})
		}
	}

	nw := len(in.Warnings) + len(rep.Observations)
	v.WarningText = textsafe.Plural(nw, "warning", "warnings") + " about the register and its history; the public site shows none of them."
	if nw == 0 {
		v.WarningText = "No warnings."
	}
	v.Warnings = table{Label: "Warnings", Empty: "No warnings: the register validates cleanly and its history reads.",
		Cols: []column{{Head: "Where"}, {Head: "Rule"}, {Head: "Message"}}}
	if !in.Public {
		for _, w := range in.Warnings {
			where := text(w.File) + ":" + strconv.Itoa(w.Line) + ":" + strconv.Itoa(w.Column)
			v.Warnings.Rows = append(v.Warnings.Rows, []cell{{Text: where, Code: true}, {Text: text(w.Rule)}, {Text: longText(w.Message)}})
		}
		for _, o := range rep.Observations {
			commit := o.Commit
			if len(commit) > 12 {
				commit = commit[:12]
			}
			v.Warnings.Rows = append(v.Warnings.Rows, []cell{{Text: "commit " + text(commit) + " (" + o.Date.String() + ")", Code: true},
				{Text: text(o.Kind)}, {Text: longText(o.Message)}})
		}
	}

	for _, f := range m.feeds() {
		v.Feeds = append(v.Feeds, link{Href: f.path, Text: f.path, Note: f.note})
	}
	return execute(indexPage, &v)
}

// credCell links a credential's page; root leads to the site's root.
func (m *model) credCell(id, root string) cell {
	if m.in.Public {
		return cell{Text: "(not shown)"}
	}
	return cell{Text: id, Code: true, Href: root + "credentials/" + id + ".html"}
}

func (m *model) teamCell(name, root string) cell {
	t := m.teamOf[name]
	if t == nil {
		return cell{Text: teamName(name)}
	}
	return cell{Text: teamName(name), Href: root + "teams/" + t.Slug + ".html"}
}

// teamName is a team as the pages name it.
func teamName(name string) string {
	if name == "" {
		return "(no team)"
	}
	return text(name)
}

// teamsView is teams.html, every team when the index shows only the first.
type teamsView struct {
	page
	Teams table
}

func (m *model) renderTeams() (file, error) {
	v := teamsView{page: m.page("Every team: credential rotation", "Every team", "")}
	v.Nav = []link{{Href: "index.html", Text: "Overview"}}
	v.Teams = table{Label: "Every team", Cols: []column{{Head: "Team"}, {Head: "Total", Num: true}, {Head: "On time", Num: true},
		{Head: "Overdue", Num: true}, {Head: "Exempt", Num: true}, {Head: "Compliance", Num: true}}}
	for _, t := range m.teams {
		v.Teams.Rows = append(v.Teams.Rows, []cell{m.teamCell(t.Name, ""), num(t.Total), num(t.OnTime), num(t.Overdue),
			num(t.Exempt), {Text: pct(t.CompliancePercent), Class: "num"}})
	}
	return execute(teamsPage, &v)
}

// teamView is teams/<slug>.html.
type teamView struct {
	page
	KPIs        []kpi
	Trend       figure
	Credentials table
}

func (m *model) renderTeam(t *team) (file, error) {
	name := teamName(t.Name)
	v := teamView{page: m.page(name+": credential rotation", "Team "+name, "../")}
	if t.Name == "" {
		v.Heading = "Credentials without a team"
	}
	var c counts
	for _, r := range t.Rows {
		c.add(r.Status)
	}
	v.KPIs = append([]kpi{complianceKPI(t.CompliancePercent, "")}, statusKPIs(c)...)
	v.Trend = m.trendFigure("trend", "team "+name, t.Trend)
	v.Credentials = table{Label: "Credentials of the team", Empty: "The team has no credentials.",
		Cols: []column{{Head: "Status"}, {Head: "Credential"}, {Head: "Name"}, {Head: "Owner"}, {Head: "Next due"},
			{Head: "Days", Num: true}, {Head: "Last changed"}, {Head: "Period", Num: true}, {Head: "Last ticket"}}}
	if !m.in.Public {
		v.Credentials.Rows = make([][]cell, 0, len(t.Rows))
		for _, r := range t.Rows {
			v.Credentials.Rows = append(v.Credentials.Rows, []cell{{Status: statusOf(r.Status)}, m.credCell(r.ID, "../"),
				{Text: text(r.Name)}, {Text: text(r.Owner)}, {Text: r.NextDueDate.String(), Class: "nowrap"},
				{Text: dueNote(r), Class: "num"}, {Text: r.LastChanged.String(), Class: "nowrap"},
				{Text: textsafe.Plural(r.PeriodDays, "day", "days"), Class: "num"}, {Text: text(r.LastTicket)}})
		}
	}
	return execute(teamPage, &v)
}

// credentialView is credentials/<id>.html. Its fields are laid out in
// the template rather than as generic cells: 10,000 such pages are most of
// a large site's rendering time, and each branch of a template costs.
type credentialView struct {
	page
	KPIs                 []kpi
	ID, Name, Team       string
	TeamHref             string
	Fields, More         []field
	Exemption            *exemptionView
	Runbook, RunbookHref string
	Description, Where   string
	HistoryIntro         string
	History              []historyView
}

type field struct{ Name, Text string }

type exemptionView struct{ Until, Reason, ApprovedBy string }

type historyView struct{ Date, Change, Interval, Period, Due, OnTime, Ticket, Commit string }

func (m *model) renderCredential(r report.StatusRow, history []audit.Event) (file, error) {
	c := m.creds[r.ID]
	name := text(c.Name)
	v := credentialView{page: m.page(name+": credential rotation", name, "../"), ID: c.ID, Name: name}
	tc := m.teamCell(c.Team, "../")
	v.Team, v.TeamHref = tc.Text, tc.Href
	if tc.Href != "" {
		v.Nav = []link{{Href: tc.Href, Text: "Team " + tc.Text}}
	}
	st := statusOf(r.Status)
	v.KPIs = []kpi{
		{ID: "status", Value: st.Text, Label: "status", Class: "st st-" + st.Class, Symbol: st.Symbol},
		{ID: "next-due", Value: r.NextDueDate.String(), Label: "next due date", Note: dueNote(r), Class: "date"},
	}
	v.Fields = append(make([]field, 0, 10), field{"Owner", text(c.Owner)})
	for _, x := range []field{{"System", c.System}, {"Environment", c.Environment}, {"Criticality", string(c.Criticality)}} {
		if x.Text != "" {
			v.Fields = append(v.Fields, field{x.Name, text(x.Text)})
		}
	}
	v.Fields = append(v.Fields, field{"Rotation period", textsafe.Plural(c.PeriodDays, "day", "days")}, field{"Notice", textsafe.Plural(c.NoticeDays, "day", "days")},
		field{"Last changed", c.LastChanged.String()}, field{"Next due", r.NextDueDate.String() + " (" + dueNote(r) + ")"},
		field{"Status", st.Symbol + " " + st.Text})
	if e := c.Exemption; e != nil {
		v.Exemption = &exemptionView{Until: e.Until.String(), Reason: longText(e.Reason), ApprovedBy: text(e.ApprovedBy)}
	}
	if c.LastTicket != "" {
		v.More = append(v.More, field{"Last ticket", text(c.LastTicket)})
	}
	if c.JiraAssignee != "" {
		v.More = append(v.More, field{"Jira assignee", text(c.JiraAssignee)})
	}
	if c.Runbook != "" {
		v.Runbook, v.RunbookHref = text(c.Runbook), runbookLink(c.Runbook)
	}
	v.Description = longText(c.Description)
	if c.Pos.File != "" {
		v.Where = text(c.Pos.File) + ":" + strconv.Itoa(c.Pos.Line)
	}

	switch p := m.in.Audit; {
	case p == nil && m.note != "":
		v.HistoryIntro = "History was not read: " + text(m.note)
	case p == nil:
		v.HistoryIntro = "History was not read."
	case len(history) == 0:
		v.HistoryIntro = "No rotation from " + p.From.String() + " to " + p.To.String() + "."
	default:
		v.HistoryIntro = "Rotations from " + p.From.String() + " to " + p.To.String() +
			", read from the register's commits: each interval is the days from one last_changed to the next, against the period in force then."
		v.History = make([]historyView, len(history))
		for i, e := range history {
			v.History[i] = historyRow(e)
		}
	}
	return execute(credentialPage, &v)
}

// historyRow is one rotation of a credential: the interval it took
// (old to new last_changed) against the period then in force (old
// last_changed to the due date it answered).
func historyRow(e audit.Event) historyView {
	var old, nw, due rotation.Date
	if e.OldLastChanged != nil {
		old = *e.OldLastChanged
	}
	if e.NewLastChanged != nil {
		nw = *e.NewLastChanged
	}
	if e.DueDate != nil {
		due = *e.DueDate
	}
	late := 0
	if e.DaysLate != nil {
		late = *e.DaysLate
	}
	onTime := "✓ on time"
	if late > 0 {
		onTime = "✗ " + textsafe.Plural(late, "day", "days") + " late"
	}
	ticket := ""
	if e.Ticket != nil {
		ticket = text(*e.Ticket)
	}
	commit := e.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	return historyView{
		Date: e.Date.String(), Change: old.String() + " → " + nw.String(),
		Interval: textsafe.Plural(old.DaysUntil(nw), "day", "days"), Period: textsafe.Plural(old.DaysUntil(due), "day", "days"),
		Due: due.String(), OnTime: onTime, Ticket: ticket, Commit: text(commit),
	}
}
