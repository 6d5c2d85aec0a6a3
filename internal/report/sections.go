package report

import (
	"strconv"
	"strings"

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
	maxURLBytes   = 512  // a longer ticket address is not linked
)

// cell is one value of a table, not yet escaped.
type cell struct {
	text string
	code bool   // an identifier, shown as code
	url  string // a link, for a ticket; already checked by safeURL
	bar  bool   // a compliance bar of pct (Markdown blocks, HTML cells)
	pct  *int
	long bool // a sentence: cut at maxNoteRunes, not maxValueRunes
}

// runes is how much of the cell's text is shown.
func (c cell) runes() int {
	if c.long {
		return maxNoteRunes
	}
	return maxValueRunes
}

// column is a table's column.
type column struct {
	head  string
	right bool // numbers
}

// section is one table of the human formats.
type section struct {
	title string
	empty string // the sentence shown when there are no rows
	cols  []column
	rows  [][]cell // at most the limit
	more  int      // rows left out
	noun  string   // what the rows are, for "…and 3 more credentials"
}

// sections are the tables of the human formats, in order.
func (r *Report) sections() []section {
	var out []section
	withTicket := r.TicketsChecked

	s := section{title: "Overdue (" + strconv.Itoa(len(r.Overdue)) + ")", empty: "Nothing is overdue.", noun: "credentials",
		cols: []column{{head: "Credential"}, {head: "Name"}, {head: "Owner"}, {head: "Team"}, {head: "Due"}, {head: "Days overdue", right: true}}}
	if withTicket {
		s.cols = append(s.cols, column{head: "Open ticket"})
	}
	for i := range min(len(r.Overdue), maxRows) {
		o := &r.Overdue[i]
		row := []cell{{text: o.ID, code: true}, {text: o.Name}, {text: o.Owner}, {text: o.Team}, {text: o.NextDueDate.String()},
			{text: strconv.Itoa(o.DaysOverdue)}}
		if withTicket {
			row = append(row, ticketCell(o.Ticket, o.TicketURL, "none"))
		}
		s.rows = append(s.rows, row)
	}
	s.more = len(r.Overdue) - len(s.rows)
	out = append(out, s)

	title := "Due in the next 30 days (" + strconv.Itoa(len(r.DueNext30))
	if len(r.DueNext30) > 0 {
		title += ", " + strconv.Itoa(len(r.DueNext7)) + " within 7 days"
	}
	s = section{title: title + ")", empty: "Nothing is due in the next 30 days.", noun: "credentials",
		cols: []column{{head: "Credential"}, {head: "Name"}, {head: "Owner"}, {head: "Team"}, {head: "Due"}, {head: "Days left", right: true}}}
	if withTicket {
		s.cols = append(s.cols, column{head: "Open ticket"})
	}
	for i := range min(len(r.DueNext30), maxRows) {
		u := &r.DueNext30[i]
		row := []cell{{text: u.ID, code: true}, {text: u.Name}, {text: u.Owner}, {text: u.Team}, {text: u.NextDueDate.String()},
			{text: strconv.Itoa(u.DaysLeft)}}
		if withTicket {
			row = append(row, ticketCell(u.Ticket, u.TicketURL, ""))
		}
		s.rows = append(s.rows, row)
	}
	s.more = len(r.DueNext30) - len(s.rows)
	out = append(out, s)

	if r.Rotated != nil {
		s = section{title: "Rotated this week (" + strconv.Itoa(len(r.Rotated)) + ")", empty: "No rotation was recorded this week.",
			noun: "rotations", cols: []column{{head: "Credential"}, {head: "Name"}, {head: "Team"}, {head: "Last changed"},
				{head: "Ticket"}, {head: "Commit"}, {head: "By"}}}
		for i := range min(len(r.Rotated), maxRows) {
			x := &r.Rotated[i]
			by := x.By
			if !x.At.IsZero() {
				by += " (" + x.At.Format("2006-01-02 15:04") + ")"
			}
			s.rows = append(s.rows, []cell{{text: x.ID, code: true}, {text: x.Name}, {text: x.Team},
				{text: x.PreviousLastChanged.String() + " → " + x.LastChanged.String()},
				ticketCell(x.Ticket, x.TicketURL, ""), {text: rotation.ShortHash(x.Commit), code: true}, {text: by}})
		}
		s.more = len(r.Rotated) - len(s.rows)
		out = append(out, s)
	}

	if len(r.Teams) > 0 {
		s = section{title: "Teams (" + strconv.Itoa(len(r.Teams)) + ")", noun: "teams", cols: []column{{head: "Team"},
			{head: "Compliance"}, {head: "On time", right: true}, {head: "Overdue", right: true}, {head: "Exempt", right: true},
			{head: "Credentials", right: true}}}
		for i := range min(len(r.Teams), maxTeams) {
			t := &r.Teams[i]
			name := t.Name
			if name == "" {
				name = "(no team)"
			}
			s.rows = append(s.rows, []cell{{text: name}, {bar: true, pct: t.CompliancePercent},
				{text: ofText(t.OnTime, t.Total-t.Exempt)}, {text: strconv.Itoa(t.Overdue)},
				{text: strconv.Itoa(t.Exempt)}, {text: strconv.Itoa(t.Total)}})
		}
		s.more = len(r.Teams) - len(s.rows)
		out = append(out, s)
	}

	s = section{title: "Exemptions (" + strconv.Itoa(len(r.Exemptions)) + ")", empty: "No credential is exempt.", noun: "exemptions",
		cols: []column{{head: "Credential"}, {head: "Name"}, {head: "Team"}, {head: "Until"}, {head: "Reason"}, {head: "Approved by"}}}
	for i := range min(len(r.Exemptions), maxRows) {
		e := &r.Exemptions[i]
		s.rows = append(s.rows, []cell{{text: e.ID, code: true}, {text: e.Name}, {text: e.Team},
			{text: e.Until.String() + " (" + untilText(e.DaysLeft) + ")"}, {text: e.Reason}, {text: e.ApprovedBy}})
	}
	s.more = len(r.Exemptions) - len(s.rows)
	out = append(out, s)

	if len(r.Observations) > 0 {
		s = section{title: "History not read in full (" + strconv.Itoa(len(r.Observations)) + ")", noun: "observations",
			cols: []column{{head: "Date"}, {head: "Commit"}, {head: "Credential"}, {head: "Observation"}}}
		for i := range min(len(r.Observations), maxRows) {
			o := &r.Observations[i]
			s.rows = append(s.rows, []cell{{text: o.Date.String()}, {text: rotation.ShortHash(o.Commit), code: true},
				{text: o.CredentialID, code: true}, {text: o.Message, long: true}})
		}
		s.more = len(r.Observations) - len(s.rows)
		out = append(out, s)
	}
	return out
}

// moreText is the line under a cut table.
func (s *section) moreText() string {
	return "…and " + strconv.Itoa(s.more) + " more " + s.noun + " (all of them: --format json)"
}

func ticketCell(key, url, none string) cell {
	if key == "" {
		return cell{text: none}
	}
	return cell{text: key, url: safeURL(url)}
}

// safeURL returns u when it is an http(s) address made only of characters
// that need no escaping in a Markdown link or an HTML attribute; "" else.
func safeURL(u string) string {
	if len(u) > maxURLBytes || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		return ""
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~:/?#@!$&'*+,;=%", c) >= 0:
		default:
			return "" // space, quotes, brackets, parentheses, backslash, control, non-ASCII
		}
	}
	return u
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
// own change: "3 overdue", "5 due in 7 days", "4 rotated this week".
func (r *Report) summaryParts() []string {
	parts := []string{strconv.Itoa(len(r.Overdue)) + " overdue", strconv.Itoa(len(r.DueNext7)) + " due in 7 days"}
	if r.Rotated != nil {
		parts = append(parts, strconv.Itoa(len(r.Rotated))+" rotated this week")
	}
	return parts
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

// sparkFloor is the value the lowest bar stands for: the lowest figure of
// the points rounded down to a multiple of ten (90 when all are 100), so
// that a change of a few points shows while the top bar still means 100%.
func sparkFloor(pts []Figures) int {
	lo := 100
	for _, p := range pts {
		if p.CompliancePercent != nil {
			lo = min(lo, *p.CompliancePercent)
		}
	}
	lo = lo / 10 * 10
	if lo == 100 {
		lo = 90
	}
	return lo
}

// level is the bar of p on a scale from floor to 100: 0 to 7.
func level(p, floor int) int {
	return ((p-floor)*14 + (100 - floor)) / (2 * (100 - floor))
}

// sparkline draws pts as "▃▄▅█"; a point without a figure is "·".
func sparkline(pts []Figures) string {
	floor := sparkFloor(pts)
	var b strings.Builder
	for _, p := range pts {
		if p.CompliancePercent == nil {
			b.WriteRune('·')
			continue
		}
		b.WriteRune(sparkLevels[level(*p.CompliancePercent, floor)])
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

// blocks draws a compliance bar of ten characters: "█████████░".
func blocks(p *int) string {
	if p == nil {
		return "n/a"
	}
	full := (*p + 5) / 10
	if full == 10 && *p < 100 {
		full = 9
	}
	return strings.Repeat("█", full) + strings.Repeat("░", 10-full) + " " + strconv.Itoa(*p) + "%"
}
