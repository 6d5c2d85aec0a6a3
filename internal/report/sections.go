package report

import (
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/doc"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Limits of the human formats (Markdown, text, HTML); JSON lists all.
const (
	maxRows       = 25   // credentials per list
	maxTeams      = 50   // teams in the team table
	maxTrendShown = 26   // trend points drawn: half a year of weeks
	maxValueRunes = 100  // characters of one value
	maxNoteRunes  = 1000 // characters of the history note
)

// The cells of the report's tables. Every value, its own figures and dates
// included, is one span that each format escapes and cuts to
// maxValueRunes (a note to maxNoteRunes); an empty one shows "-".
func val(s string) doc.Cell  { return doc.Cell{{S: s, Kind: doc.Text, Max: maxValueRunes}} }
func code(s string) doc.Cell { return doc.Cell{{S: s, Kind: doc.Code, Max: maxValueRunes}} } // an identifier
func note(s string) doc.Cell { return doc.Cell{{S: s, Kind: doc.Text, Max: maxNoteRunes}} }  // a sentence
func bar(p *int) doc.Cell    { return doc.Cell{{Kind: doc.Bar, Pct: p}} }                    // a compliance bar

// sections are the tables of the human formats, in order, each cut after
// its limit.
func (r *Report) sections() []doc.Table {
	var out []doc.Table
	withTicket := r.TicketsChecked

	s := doc.Table{Title: "Overdue (" + strconv.Itoa(len(r.Overdue)) + ")", Empty: "Nothing is overdue.", Noun: "credentials",
		Cols: []doc.Column{{Head: "Credential"}, {Head: "Criticality"}, {Head: "Name"}, {Head: "Owner"}, {Head: "Team"}, {Head: "Due"}, {Head: "Days overdue", Right: true}}}
	if withTicket {
		s.Cols = append(s.Cols, doc.Column{Head: "Open ticket"})
	}
	for i := range min(len(r.Overdue), maxRows) {
		o := &r.Overdue[i]
		row := []doc.Cell{code(o.ID), val(string(o.Criticality)), val(o.Name), val(o.Owner), val(o.Team), val(o.NextDueDate.String()),
			val(strconv.Itoa(o.DaysOverdue))}
		if withTicket {
			row = append(row, ticketCell(o.Ticket, o.TicketURL, "none"))
		}
		s.Rows = append(s.Rows, row)
	}
	s.More = len(r.Overdue) - len(s.Rows)
	out = append(out, s)

	title := "Due in the next 30 days (" + strconv.Itoa(len(r.DueNext30))
	if len(r.DueNext30) > 0 {
		title += ", " + strconv.Itoa(len(r.DueNext7)) + " within 7 days"
	}
	s = doc.Table{Title: title + ")", Empty: "Nothing is due in the next 30 days.", Noun: "credentials",
		Cols: []doc.Column{{Head: "Credential"}, {Head: "Criticality"}, {Head: "Name"}, {Head: "Owner"}, {Head: "Team"}, {Head: "Due"}, {Head: "Days left", Right: true}}}
	if withTicket {
		s.Cols = append(s.Cols, doc.Column{Head: "Open ticket"})
	}
	for i := range min(len(r.DueNext30), maxRows) {
		u := &r.DueNext30[i]
		row := []doc.Cell{code(u.ID), val(string(u.Criticality)), val(u.Name), val(u.Owner), val(u.Team), val(u.NextDueDate.String()),
			val(strconv.Itoa(u.DaysLeft))}
		if withTicket {
			row = append(row, ticketCell(u.Ticket, u.TicketURL, ""))
		}
		s.Rows = append(s.Rows, row)
	}
	s.More = len(r.DueNext30) - len(s.Rows)
	out = append(out, s)

	if r.Rotated != nil {
		s = doc.Table{Title: "Rotated this week (" + strconv.Itoa(len(r.Rotated)) + ")", Empty: "No rotation was recorded this week.",
			Noun: "rotations", Cols: []doc.Column{{Head: "Credential"}, {Head: "Criticality"}, {Head: "Name"}, {Head: "Team"}, {Head: "Last changed"},
				{Head: "Ticket"}, {Head: "Commit"}, {Head: "By"}}}
		for i := range min(len(r.Rotated), maxRows) {
			x := &r.Rotated[i]
			by := x.By
			if !x.At.IsZero() {
				by += " (" + x.At.Format("2006-01-02 15:04") + ")"
			}
			s.Rows = append(s.Rows, []doc.Cell{code(x.ID), val(string(x.Criticality)), val(x.Name), val(x.Team),
				val(x.PreviousLastChanged.String() + " → " + x.LastChanged.String()),
				ticketCell(x.Ticket, x.TicketURL, ""), code(rotation.ShortHash(x.Commit)), val(by)})
		}
		s.More = len(r.Rotated) - len(s.Rows)
		out = append(out, s)
	}

	if len(r.Teams) > 0 {
		s = doc.Table{Title: "Teams (" + strconv.Itoa(len(r.Teams)) + ")", Noun: "teams", Cols: []doc.Column{{Head: "Team"},
			{Head: "Compliance"}, {Head: "On time", Right: true}, {Head: "Overdue", Right: true}, {Head: "Exempt", Right: true},
			{Head: "Credentials", Right: true}}}
		for i := range min(len(r.Teams), maxTeams) {
			t := &r.Teams[i]
			name := t.Name
			if name == "" {
				name = "(no team)"
			}
			s.Rows = append(s.Rows, []doc.Cell{val(name), bar(t.CompliancePercent),
				val(ofText(t.OnTime, t.Total-t.Exempt)), val(strconv.Itoa(t.Overdue)),
				val(strconv.Itoa(t.Exempt)), val(strconv.Itoa(t.Total))})
		}
		s.More = len(r.Teams) - len(s.Rows)
		out = append(out, s)
	}

	s = doc.Table{Title: "Exemptions (" + strconv.Itoa(len(r.Exemptions)) + ")", Empty: "No credential is exempt.", Noun: "exemptions",
		Cols: []doc.Column{{Head: "Credential"}, {Head: "Criticality"}, {Head: "Name"}, {Head: "Team"}, {Head: "Until"}, {Head: "Reason"}, {Head: "Approved by"}}}
	for i := range min(len(r.Exemptions), maxRows) {
		e := &r.Exemptions[i]
		s.Rows = append(s.Rows, []doc.Cell{code(e.ID), val(string(e.Criticality)), val(e.Name), val(e.Team),
			val(e.Until.String() + " (" + untilText(e.DaysLeft) + ")"), val(e.Reason), val(e.ApprovedBy)})
	}
	s.More = len(r.Exemptions) - len(s.Rows)
	out = append(out, s)

	if len(r.Observations) > 0 {
		s = doc.Table{Title: "History not read in full (" + strconv.Itoa(len(r.Observations)) + ")", Noun: "observations",
			Cols: []doc.Column{{Head: "Date"}, {Head: "Commit"}, {Head: "Credential"}, {Head: "Observation"}}}
		for i := range min(len(r.Observations), maxRows) {
			o := &r.Observations[i]
			s.Rows = append(s.Rows, []doc.Cell{val(o.Date.String()), code(rotation.ShortHash(o.Commit)),
				code(o.CredentialID), note(o.Message)})
		}
		s.More = len(r.Observations) - len(s.Rows)
		out = append(out, s)
	}
	return out
}

// ticketCell is an open ticket's key, linked when its address is safe to
// write as it is (doc.SafeURL), or none without a ticket.
func ticketCell(key, url, none string) doc.Cell {
	if key == "" {
		return val(none)
	}
	return doc.Cell{{S: key, Kind: doc.Link, URL: doc.SafeURL(url), Max: maxValueRunes}}
}

// untilText is how long an exemption still runs: "last day", "3 days left".
func untilText(days int) string {
	if days == 0 {
		return "last day"
	}
	return textsafe.Days(days) + " left"
}

// ofText is "3 of 4", or "" when nothing is rated.
func ofText(onTime, rated int) string {
	if rated == 0 {
		return ""
	}
	return strconv.Itoa(onTime) + " of " + strconv.Itoa(rated)
}

// pctText is a percentage, or "n/a".
func pctText(p *int) string {
	if p == nil {
		return "n/a"
	}
	return strconv.Itoa(*p) + "%"
}

// changeText is a change in points: "+3", "-2", "±0".
func changeText(d int) string {
	switch {
	case d > 0:
		return "+" + strconv.Itoa(d)
	case d == 0:
		return "±0"
	}
	return strconv.Itoa(d)
}

// headline is the leading figure: "91% on time", "no credentials",
// "nothing rated (3 exempt)".
func (r *Report) headline() string {
	switch {
	case r.CompliancePercent != nil:
		return strconv.Itoa(*r.CompliancePercent) + "% on time"
	case r.Total == 0:
		return "no credentials"
	}
	return "nothing rated (" + strconv.Itoa(r.Total) + " exempt)"
}

// summaryParts are the parts of the five-second line after the headline's
// own change: "below the 95% target", "3 overdue", "5 due in 7 days", "4
// rotated this week".
func (r *Report) summaryParts() []string {
	var parts []string
	if t := r.targetText(); t != "" {
		parts = append(parts, t)
	}
	parts = append(parts, strconv.Itoa(len(r.Overdue))+" overdue", strconv.Itoa(len(r.DueNext7))+" due in 7 days")
	if r.Rotated != nil {
		parts = append(parts, strconv.Itoa(len(r.Rotated))+" rotated this week")
	}
	return parts
}

// meetsTarget says whether compliance, as the report shows it (rounded),
// is at or above the register's target; false with nothing rated.
func (r *Report) meetsTarget() bool {
	return r.CompliancePercent != nil && *r.CompliancePercent >= r.TargetPercent
}

// targetText holds compliance to the target: "below the 95% target",
// "meets the 95% target"; "" with nothing rated.
func (r *Report) targetText() string {
	target := strconv.Itoa(r.TargetPercent) + "% target"
	switch {
	case r.CompliancePercent == nil:
		return ""
	case r.meetsTarget():
		return "meets the " + target
	}
	return "below the " + target
}

// changeSuffix is " (+3 since last week)", or "".
func (r *Report) changeSuffix() string {
	if r.Change == nil {
		return ""
	}
	return " (" + changeText(*r.Change) + " since last week)"
}

// counts is the second line: "42 credentials: 36 of 39 on time, 3 exempt."
func (r *Report) counts() string {
	s := textsafe.Plural(r.Total, "credential", "credentials")
	if rated := r.Total - r.Exempt; r.Total > 0 {
		s += ": " + strconv.Itoa(r.OnTime) + " of " + strconv.Itoa(rated) + " on time, " + strconv.Itoa(r.Exempt) + " exempt"
	}
	s += "."
	if p := r.Previous; p != nil {
		s += " Last week (" + p.Date.String() + "): " + pctText(p.CompliancePercent) + " on time, " +
			strconv.Itoa(p.Overdue) + " overdue, " + textsafe.Plural(p.Total, "credential", "credentials") + "."
	}
	return s
}

// shownTrend is the part of the trend the human formats draw.
func (r *Report) shownTrend() []Figures {
	return r.Trend[max(0, len(r.Trend)-maxTrendShown):]
}

// trendTitle names the trend: "Trend, 8 weeks (2026-10-02 to 2026-11-27)".
func (r *Report) trendTitle() string {
	pts := r.shownTrend()
	weeks := len(pts) - 1
	s := "Trend, " + textsafe.Plural(weeks, "week", "weeks")
	if len(r.Trend) > len(pts) {
		s += " (the last " + strconv.Itoa(weeks) + " of " + strconv.Itoa(len(r.Trend)-1) + ")"
	} else if r.TrendWeeks > weeks {
		s += " (of " + strconv.Itoa(r.TrendWeeks) + " asked; older history is missing)"
	}
	return s + ", " + pts[0].Date.String() + " to " + pts[len(pts)-1].Date.String()
}

// sparkLevels are the bars of the sparkline, lowest first.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// level is the bar of the percentage p on a scale from 0 to 100: 0 to 7,
// rounded, but never the full bar below 100.
func level(p int) int {
	l := (p*7 + 50) / 100
	if l == 7 && p < 100 {
		l = 6
	}
	return l
}

// sparkline draws pts as "▅▆▆█", each bar from 0%; a point without a
// figure is "·".
func sparkline(pts []Figures) string {
	var b strings.Builder
	for _, p := range pts {
		if p.CompliancePercent == nil {
			b.WriteRune('·')
			continue
		}
		b.WriteRune(sparkLevels[level(*p.CompliancePercent)])
	}
	return b.String()
}

// trendFigures are the figures beside the sparkline: "85 86 88 91 (% on time)".
func trendFigures(pts []Figures) string {
	parts := make([]string, len(pts))
	for i, p := range pts {
		parts[i] = "-"
		if p.CompliancePercent != nil {
			parts[i] = strconv.Itoa(*p.CompliancePercent)
		}
	}
	return strings.Join(parts, " ") + " (% on time)"
}
