package dashboard

import (
	"time"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Limits of the index page, so that it stays under 1 MB for any register:
// longer lists are cut with a count and a link to the team pages.
const (
	maxActionRows = 200 // overdue and due credentials
	maxTeamRows   = 100 // teams with a sparkline; all teams are on teams.html
	dueWeeks      = 12  // weeks of the due-date chart
	sparkWeeks    = 8   // weeks of a team's sparkline
)

// counts are credentials by status.
type counts struct {
	OK, Due, Overdue, Exempt int
}

func (c *counts) add(s rotation.Status) {
	switch s {
	case rotation.StatusOK:
		c.OK++
	case rotation.StatusDue:
		c.Due++
	case rotation.StatusOverdue:
		c.Overdue++
	case rotation.StatusExempt:
		c.Exempt++
	}
}

func (c counts) total() int { return c.OK + c.Due + c.Overdue + c.Exempt }

// point is one date of a trend: the counts by status and the report's
// compliance figure.
type point struct {
	Date    rotation.Date
	Counts  counts
	Percent *int
}

// team is one team's part of the site.
type team struct {
	report.Team
	Slug  string
	Rows  []report.StatusRow // by due date, then criticality, then id
	Trend []point            // the overall trend's dates
}

// bucket is a bar of the due-date chart: the overdue credentials, or
// those falling due in one week.
type bucket struct {
	From, To rotation.Date // zero for the overdue bar
	Count    int
}

// model is everything the pages and feeds show, computed once.
type model struct {
	in      Input
	loc     *time.Location
	note    string // why history is missing
	rows    []report.StatusRow
	creds   map[string]*rotation.Credential
	counts  counts
	soonest *report.StatusRow // the first due date not passed, of a credential not exempt
	actions []report.StatusRow
	trend   []point
	teams   []*team
	teamOf  map[string]*team // by name
	due     []bucket         // the overdue bar, then dueWeeks weeks
	later   int              // not exempt, due after the chart's weeks
	history map[string][]audit.Event
}

func newModel(in Input) (*model, error) {
	switch {
	case in.Register == nil:
		return nil, inputError("no register")
	case in.Report == nil:
		return nil, inputError("no report: compute it with report.Compute first")
	case in.Today.IsZero():
		return nil, inputError("Today is not set")
	case in.Made.IsZero():
		return nil, inputError("Made is not set: it is the run's clock")
	case in.Report.Today != in.Today:
		return nil, inputError("the report is of %s, the site of %s: compute the report on Today", in.Report.Today, in.Today)
	case in.Report.TrendWeeks != in.Weeks:
		return nil, inputError("the report has %d weeks of trend, the site asks for %d: compute the report with Weeks", in.Report.TrendWeeks, in.Weeks)
	}
	m := &model{in: in, loc: in.Register.Settings.Timezone, note: in.HistoryNote}
	if m.loc == nil {
		m.loc = time.UTC
	}
	if m.note == "" {
		m.note = in.Report.HistoryNote
	}
	m.rows = report.StatusRows(in.Register, in.Today, nil, nil)
	m.creds = make(map[string]*rotation.Credential, len(m.rows))
	for _, c := range in.Register.Credentials {
		if c == nil {
			continue
		}
		if !rotation.ValidID(c.ID) {
			return nil, inputError("credential id %q is not a lower-case kebab id: validate the register first", c.ID)
		}
		if _, dup := m.creds[c.ID]; dup {
			return nil, inputError("credential id %q is registered twice: validate the register first", c.ID)
		}
		m.creds[c.ID] = c
	}
	for i := range m.rows {
		r := &m.rows[i]
		m.counts.add(r.Status)
		switch {
		case r.Status == rotation.StatusOverdue || r.Status == rotation.StatusDue:
			m.actions = append(m.actions, *r)
		}
		if m.soonest == nil && r.Status != rotation.StatusExempt && r.DaysLeft >= 0 {
			m.soonest = r
		}
	}
	rep := in.Report
	if m.counts.total() != rep.Total || m.counts.Exempt != rep.Exempt || m.counts.OK+m.counts.Due != rep.OnTime ||
		m.counts.Overdue != len(rep.Overdue) {
		return nil, inputError("the report does not count the register (%d credentials, %d exempt, %d on time, %d overdue; the report: %d, %d, %d, %d): compute it from Register on Today",
			m.counts.total(), m.counts.Exempt, m.counts.OK+m.counts.Due, m.counts.Overdue, rep.Total, rep.Exempt, rep.OnTime, len(rep.Overdue))
	}
	if err := m.buildTrends(); err != nil {
		return nil, err
	}
	m.buildDue()
	if in.Audit != nil {
		m.history = map[string][]audit.Event{}
		for _, e := range in.Audit.Events {
			if e.Type == audit.EventRotation {
				m.history[e.CredentialID] = append(m.history[e.CredentialID], e)
			}
		}
	}
	return m, nil
}

// buildTrends puts the report's trend and teams together with the counts
// by status of the snapshots, overall and per team. Each team's
// compliance figures are report.Compute's, over the team's credentials.
func (m *model) buildTrends() error {
	in, rep := m.in, m.in.Report
	snaps := map[rotation.Date]*rotation.Register{}
	for _, s := range in.Trend {
		if _, ok := snaps[s.Date]; !ok && s.Register != nil {
			snaps[s.Date] = s.Register // of two on one date the first wins, as in the report
		}
	}
	names := make([]string, len(rep.Teams))
	for i, t := range rep.Teams {
		names[i] = t.Name
	}
	slugs := teamSlugs(names)
	m.teamOf = make(map[string]*team, len(rep.Teams))
	for _, t := range rep.Teams {
		tm := &team{Team: t, Slug: slugs[t.Name]}
		m.teams = append(m.teams, tm)
		m.teamOf[t.Name] = tm
	}
	for _, r := range m.rows {
		tm := m.teamOf[r.Team]
		if tm == nil {
			return inputError("the report has no team %q: compute it from Register", r.Team)
		}
		tm.Rows = append(tm.Rows, r)
	}

	// Per date: the register's counts, and each team's credentials then.
	type teamSnap struct {
		creds  []*rotation.Credential
		counts counts
	}
	perTeam := make([]map[string]*teamSnap, len(rep.Trend))
	m.trend = make([]point, len(rep.Trend))
	for i, f := range rep.Trend {
		p := point{Date: f.Date, Percent: f.CompliancePercent}
		perTeam[i] = map[string]*teamSnap{}
		if f.Date == in.Today {
			p.Counts = m.counts
		} else {
			reg := snaps[f.Date]
			if reg == nil {
				return inputError("the report's trend has %s, Trend has no register of that date: pass the snapshots given to report.Compute", f.Date)
			}
			for _, c := range reg.Credentials {
				if c == nil {
					continue
				}
				st := c.Evaluate(f.Date).Status
				p.Counts.add(st)
				if tm := m.teamOf[c.Team]; tm != nil {
					ts := perTeam[i][c.Team]
					if ts == nil {
						ts = &teamSnap{}
						perTeam[i][c.Team] = ts
					}
					ts.creds = append(ts.creds, c)
					ts.counts.add(st)
				}
			}
		}
		if c := p.Counts; c.total() != f.Total || c.OK+c.Due != f.OnTime || c.Overdue != f.Overdue || c.Exempt != f.Exempt {
			return inputError("the report's trend point of %s does not count Trend's register of that date: pass the snapshots given to report.Compute", f.Date)
		}
		m.trend[i] = p
	}

	for _, tm := range m.teams {
		reg := &rotation.Register{Settings: in.Register.Settings}
		for _, r := range tm.Rows {
			reg.Credentials = append(reg.Credentials, m.creds[r.ID])
		}
		var tsnaps []report.Snapshot
		for i, f := range rep.Trend {
			if f.Date == in.Today {
				continue
			}
			sub := &rotation.Register{Settings: in.Register.Settings}
			if ts := perTeam[i][tm.Name]; ts != nil {
				sub.Credentials = ts.creds
			}
			tsnaps = append(tsnaps, report.Snapshot{Date: f.Date, Register: sub})
		}
		tr := report.Compute(report.Input{Today: in.Today, Register: reg, Trend: tsnaps, Weeks: in.Weeks})
		if len(tr.Trend) != len(rep.Trend) {
			return inputError("team %q: its trend has %d points, the report's %d", tm.Name, len(tr.Trend), len(rep.Trend))
		}
		tm.Trend = make([]point, len(tr.Trend))
		for i, f := range tr.Trend {
			p := point{Date: f.Date, Percent: f.CompliancePercent}
			if f.Date == in.Today {
				for _, r := range tm.Rows {
					p.Counts.add(r.Status)
				}
			} else if ts := perTeam[i][tm.Name]; ts != nil {
				p.Counts = ts.counts
			}
			tm.Trend[i] = p
		}
	}
	return nil
}

// buildDue counts the credentials not exempt by the week they fall due
// in, from today, with the overdue ones as a bar of their own.
func (m *model) buildDue() {
	m.due = make([]bucket, dueWeeks+1)
	for k := 1; k <= dueWeeks; k++ {
		m.due[k].From = m.in.Today.AddDays(7 * (k - 1))
		m.due[k].To = m.due[k].From.AddDays(6)
	}
	for _, r := range m.rows {
		switch {
		case r.Status == rotation.StatusExempt:
		case r.DaysLeft < 0:
			m.due[0].Count++
		case r.DaysLeft/7 < dueWeeks:
			m.due[r.DaysLeft/7+1].Count++
		default:
			m.later++
		}
	}
}

// sparkFrom is the first point of a team's sparkline.
func (m *model) sparkFrom(pts []point) []point {
	first := m.in.Today.AddDays(-7 * sparkWeeks)
	for i, p := range pts {
		if !p.Date.Before(first) {
			return pts[i:]
		}
	}
	return nil
}
