package audit

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The tables below are shared by Markdown and HTML, so that both show the
// same content; each format escapes the values its own way.

// spanKind says where a piece of a cell comes from, and so how it is
// escaped.
type spanKind uint8

const (
	lit  spanKind = iota // rotor's own words, dates and figures: safe as they are
	val                  // a value from the register or git, as text
	code                 // a value from the register or git, as code
)

type span struct {
	s    string
	kind spanKind
}

// cell is one table cell: its pieces, in order.
type cell []span

type column struct {
	head  string
	right bool // figures
}

// table is a section of the document: a heading, an optional line of
// rotor's own text, and rows, or the empty text without rows.
type table struct {
	title, intro, empty string
	major               bool // printed on a new page
	cols                []column
	rows                [][]cell
}

const maxMissed = 50 // missed ids listed in the summary

var none = cell{{"-", lit}}

func litCell(s string) cell { return cell{{s, lit}} }
func intCell(n int) cell    { return litCell(strconv.Itoa(n)) }

func valCell(s string) cell {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return cell{{s, val}}
}

func codeCell(s string) cell {
	if s == "" {
		return none
	}
	return cell{{s, code}}
}

func commitCell(hash string) cell { return codeCell(rotation.ShortHash(hash)) }

func optCell(s *string, f func(string) cell) cell {
	if s == nil {
		return none
	}
	return f(*s)
}

func dateCell(d rotation.Date) cell {
	if d.IsZero() {
		return none
	}
	return litCell(d.String())
}

func optDateCell(d *rotation.Date) cell {
	if d == nil {
		return none
	}
	return dateCell(*d)
}

func optIntCell(n *int) cell {
	if n == nil {
		return none
	}
	return intCell(*n)
}

func prCell(n *int) cell {
	if n == nil {
		return none
	}
	return litCell("#" + strconv.Itoa(*n))
}

func yesNo(b bool) cell {
	if b {
		return litCell("yes")
	}
	return litCell("no")
}

func (p *Pack) tables() []table {
	return []table{p.provenanceTable(), p.summaryTable(), p.observationsTable(), p.credentialsTable(),
		p.rotationsTable(), p.policyTable(), p.lifecycleTable(), p.exemptionChangesTable(), p.exemptionsTable()}
}

func (p *Pack) provenanceTable() table {
	pv := p.Provenance
	commit := func(h *string, missing string) cell {
		if h == nil || *h == "" {
			return litCell(missing)
		}
		return codeCell(*h)
	}
	t := table{title: "Provenance", cols: []column{{head: "Source"}, {head: "Value"}}, rows: [][]cell{
		{litCell("Period"), litCell(p.From.String() + " to " + p.To.String() + ", both days included")},
		{litCell("Repository"), codeCell(pv.Repository)},
		{litCell("Branch"), codeCell(pv.Branch)},
		{litCell("Register folder"), codeCell(pv.Register)},
		{litCell("Baseline commit (the register when the period began)"), commit(p.BaselineCommit, "none: the register did not exist yet")},
		{litCell("First commit of the period"), commit(p.FirstCommit, "none: no commit in the period")},
		{litCell("Last commit of the period"), commit(p.LastCommit, "none: no commit in the period")},
		{litCell("rotor version"), codeCell(pv.RotorVersion)},
		{litCell("Time zone"), valCell(pv.Timezone)},
		{litCell("Regenerate with"), codeCell(pv.Command)},
	}}
	if p.TicketsChecked {
		t.rows = append(t.rows, []cell{litCell("Tickets"), litCell("each rotation's ticket looked up in Jira (--jira) when the pack was made: its status then, not from git")})
	}
	return t
}

func (p *Pack) summaryTable() table {
	s := p.Summary
	onTime := strconv.Itoa(s.OnTime) + " (n/a)"
	if s.OnTimePercent != nil {
		onTime = strconv.Itoa(s.OnTime) + " (" + strconv.Itoa(*s.OnTimePercent) + "%)"
	}
	missed := intCell(len(s.Missed))
	if len(s.Missed) > 0 {
		missed = litCell(strconv.Itoa(len(s.Missed)) + ": ")
		for i, id := range s.Missed[:min(len(s.Missed), maxMissed)] {
			if i > 0 {
				missed = append(missed, span{", ", lit})
			}
			missed = append(missed, span{id, code})
		}
		if more := len(s.Missed) - maxMissed; more > 0 {
			missed = append(missed, span{" …and " + strconv.Itoa(more) + " more (see Credentials)", lit})
		}
	}
	longest := litCell("none")
	if l := s.LongestOverdue; l != nil {
		longest = cell{{textsafe.Days(l.Days) + ": ", lit}, {l.CredentialID, code},
			{", " + l.From.String() + " to " + l.To.String(), lit}}
	}
	return table{title: "Summary", cols: []column{{head: "Figure"}, {head: "Value"}}, rows: [][]cell{
		{litCell("Credentials covered"), intCell(s.Credentials)},
		{litCell("Rotations"), intCell(s.Rotations)},
		{litCell("On time"), litCell(onTime)},
		{litCell("Late"), intCell(s.Late)},
		{litCell("Missed (overdue at the end of the period, not exempt)"), missed},
		{litCell("Overdue credential-days"), intCell(s.OverdueDays)},
		{litCell("Longest overdue stretch"), longest},
		{litCell("Exemption-days"), intCell(s.ExemptionDays)},
		{litCell("Observations"), intCell(s.Observations)},
	}}
}

func (p *Pack) observationsTable() table {
	t := table{title: "Observations", major: true, empty: "No observations in this period.",
		intro: "What an auditor would ask about, by date; the message says what the commit shows.",
		cols:  []column{{head: "Date"}, {head: "Kind"}, {head: "Credential"}, {head: "Commit"}, {head: "Message"}}}
	for _, o := range p.Observations {
		t.rows = append(t.rows, []cell{dateCell(o.Date), valCell(o.Kind), codeCell(o.CredentialID), commitCell(o.Commit), valCell(o.Message)})
	}
	return t
}

func (p *Pack) credentialsTable() table {
	t := table{title: "Credentials", major: true, empty: "No credentials in this period.",
		intro: "Every credential that existed on a day of the period, by id. Policy, last changed and next due are as of the end of the period, or of the removal.",
		cols: []column{{head: "Credential"}, {head: "Name"}, {head: "Team"}, {head: "Owner"}, {head: "Policy (days)", right: true},
			{head: "Last changed"}, {head: "Next due"}, {head: "Rotations", right: true}, {head: "Late", right: true},
			{head: "Overdue days", right: true}, {head: "Exemption days", right: true}, {head: "Missed"}}}
	for _, c := range p.Credentials {
		t.rows = append(t.rows, []cell{codeCell(c.ID), valCell(c.Name), valCell(c.Team), valCell(c.Owner), intCell(c.PeriodDays),
			dateCell(c.LastChanged), dateCell(c.NextDue), intCell(c.Rotations), intCell(c.Late),
			intCell(c.OverdueDays), intCell(c.ExemptionDays), yesNo(c.Missed)})
	}
	return t
}

// eventsOf returns the events of one type by credential, then in the
// pack's order (date, then history), so that a credential's records sit
// together.
func (p *Pack) eventsOf(types ...string) []*Event {
	var es []*Event
	for i := range p.Events {
		if slices.Contains(types, p.Events[i].Type) {
			es = append(es, &p.Events[i])
		}
	}
	slices.SortStableFunc(es, func(a, b *Event) int { return strings.Compare(a.CredentialID, b.CredentialID) })
	return es
}

// commitCells are the last columns of every event table.
var commitCols = []column{{head: "Commit"}, {head: "PR"}, {head: "Author"}, {head: "Merged by"}}

func commitCells(e *Event) []cell {
	return []cell{commitCell(e.Commit), prCell(e.PR), valCell(e.Author), valCell(e.MergedBy)}
}

// ticketCell says what Jira said about a rotation's ticket.
func ticketCell(e *Event) cell {
	switch {
	case e.TicketStatus == nil:
		return none
	case *e.TicketStatus == "":
		return litCell("not found")
	case e.TicketDone != nil:
		return cell{{*e.TicketStatus, val}, {" " + e.TicketDone.String(), lit}}
	}
	return valCell(*e.TicketStatus)
}

func (p *Pack) rotationsTable() table {
	t := table{title: "Rotations", major: true, empty: "No rotations in this period.",
		intro: "By credential, then date. Due is the due date the rotation answered; recorded means the commit carries the trailers of rotor record, a hand edit does not.",
		cols: []column{{head: "Credential"}, {head: "Date"}, {head: "Old last changed"}, {head: "New last changed"},
			{head: "Due"}, {head: "Result"}, {head: "Ticket"}}}
	if p.TicketsChecked {
		t.cols = append(t.cols, column{head: "In Jira"})
	}
	t.cols = append(append(t.cols, column{head: "Recorded"}), commitCols...)
	for _, e := range p.eventsOf(EventRotation) {
		result := none
		if e.DaysLate != nil {
			result = litCell("on time")
			if *e.DaysLate > 0 {
				result = litCell("late by " + textsafe.Days(*e.DaysLate))
			}
		}
		recorded := none
		if e.RecordedByRotor != nil {
			recorded = yesNo(*e.RecordedByRotor)
		}
		row := []cell{codeCell(e.CredentialID), dateCell(e.Date), optDateCell(e.OldLastChanged),
			optDateCell(e.NewLastChanged), optDateCell(e.DueDate), result, optCell(e.Ticket, codeCell)}
		if p.TicketsChecked {
			row = append(row, ticketCell(e))
		}
		t.rows = append(t.rows, append(append(row, recorded), commitCells(e)...))
	}
	return t
}

func (p *Pack) policyTable() table {
	t := table{title: "Policy changes", major: true, empty: "No policy changes in this period.",
		intro: "Changes of a credential's rotation period, by credential, then date.",
		cols: append([]column{{head: "Credential"}, {head: "Date"}, {head: "Old period (days)", right: true},
			{head: "New period (days)", right: true}}, commitCols...)}
	for _, e := range p.eventsOf(EventPolicy) {
		t.rows = append(t.rows, append([]cell{codeCell(e.CredentialID), dateCell(e.Date), optIntCell(e.OldPeriodDays),
			optIntCell(e.NewPeriodDays)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) lifecycleTable() table {
	t := table{title: "Additions and removals", major: true, empty: "No credentials added or removed in this period.",
		intro: "Credentials added to or removed from the register, by credential, then date, with the period and last changed they were added or removed with.",
		cols: append([]column{{head: "Credential"}, {head: "Date"}, {head: "Change"}, {head: "Period (days)", right: true},
			{head: "Last changed"}}, commitCols...)}
	for _, e := range p.eventsOf(EventAdded, EventRemoved) {
		period, last := e.NewPeriodDays, e.NewLastChanged
		if e.Type == EventRemoved {
			period, last = e.OldPeriodDays, e.OldLastChanged
		}
		t.rows = append(t.rows, append([]cell{codeCell(e.CredentialID), dateCell(e.Date), valCell(e.Type),
			optIntCell(period), optDateCell(last)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) exemptionChangesTable() table {
	t := table{title: "Exemption changes", major: true, empty: "No exemptions granted, changed or withdrawn in this period.",
		intro: "Exemptions granted, changed or withdrawn, by credential, then date.",
		cols: append([]column{{head: "Credential"}, {head: "Date"}, {head: "Action"}, {head: "Until"}, {head: "Reason"},
			{head: "Approved by"}}, commitCols...)}
	for _, e := range p.eventsOf(EventExemption) {
		t.rows = append(t.rows, append([]cell{codeCell(e.CredentialID), dateCell(e.Date), valCell(e.Action),
			optDateCell(e.Until), optCell(e.Reason, valCell), optCell(e.ApprovedBy, valCell)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) exemptionsTable() table {
	t := table{title: "Exemptions in force", major: true, empty: "No exemption was in force in this period.",
		intro: "Exemptions in force on some day of the period, by credential. An exemption granted before the period and unchanged since is in the baseline commit.",
		cols:  []column{{head: "Credential"}, {head: "Until"}, {head: "Reason"}, {head: "Approved by"}, {head: "Granted in"}}}
	for _, c := range p.Credentials {
		for _, x := range c.Exemptions {
			granted := litCell("before the period")
			if x.Commit != nil && *x.Commit != "" {
				granted = commitCell(*x.Commit)
			}
			t.rows = append(t.rows, []cell{codeCell(c.ID), dateCell(x.Until), valCell(x.Reason), valCell(x.ApprovedBy), granted})
		}
	}
	return t
}
