package audit

import (
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/doc"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// The tables below are shared by Markdown and HTML, so that both show the
// same content; each format escapes the values its own way. A cell's spans
// are rotor's own words, dates and figures (doc.Lit), values from the
// register or git as text (doc.Text) or as code (doc.Code); the pack cuts
// no value and no table.

const maxMissed = 50 // missed ids listed in the summary

var none = doc.Cell{{S: "-"}}

func litCell(s string) doc.Cell { return doc.Cell{{S: s}} }
func intCell(n int) doc.Cell    { return litCell(strconv.Itoa(n)) }

func valCell(s string) doc.Cell {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return doc.Cell{{S: s, Kind: doc.Text}}
}

func codeCell(s string) doc.Cell {
	if s == "" {
		return none
	}
	return doc.Cell{{S: s, Kind: doc.Code}}
}

func commitCell(hash string) doc.Cell { return codeCell(rotation.ShortHash(hash)) }

func optCell(s *string, f func(string) doc.Cell) doc.Cell {
	if s == nil {
		return none
	}
	return f(*s)
}

func dateCell(d rotation.Date) doc.Cell {
	if d.IsZero() {
		return none
	}
	return litCell(d.String())
}

func optDateCell(d *rotation.Date) doc.Cell {
	if d == nil {
		return none
	}
	return dateCell(*d)
}

func optIntCell(n *int) doc.Cell {
	if n == nil {
		return none
	}
	return intCell(*n)
}

func prCell(n *int) doc.Cell {
	if n == nil {
		return none
	}
	return litCell("#" + strconv.Itoa(*n))
}

func yesNo(b bool) doc.Cell {
	if b {
		return litCell("yes")
	}
	return litCell("no")
}

func (p *Pack) tables() []doc.Table {
	return []doc.Table{p.provenanceTable(), p.summaryTable(), p.observationsTable(), p.credentialsTable(),
		p.rotationsTable(), p.policyTable(), p.lifecycleTable(), p.exemptionChangesTable(), p.exemptionsTable()}
}

func (p *Pack) provenanceTable() doc.Table {
	pv := p.Provenance
	commit := func(h *string, missing string) doc.Cell {
		if h == nil || *h == "" {
			return litCell(missing)
		}
		return codeCell(*h)
	}
	t := doc.Table{Title: "Provenance", Cols: []doc.Column{{Head: "Source"}, {Head: "Value"}}, Rows: [][]doc.Cell{
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
		t.Rows = append(t.Rows, []doc.Cell{litCell("Tickets"), litCell("each rotation's ticket looked up in Jira (--jira) when the pack was made: its status then, not from git")})
	}
	if s := p.Stores; s != nil {
		t.Rows = append(t.Rows, []doc.Cell{litCell("Secret stores"), litCell("each credential's store asked once (--verify) on " + s.On.String() +
			", at the source the register names at the end of the period, metadata only: the versions it kept then, not from git; " +
			"a version written within " + textsafe.Days(s.ToleranceDays) + " (verify.tolerance_days) of a rotation's date confirms it")})
	}
	return t
}

func (p *Pack) summaryTable() doc.Table {
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
				missed = append(missed, doc.Span{S: ", "})
			}
			missed = append(missed, doc.Span{S: id, Kind: doc.Code})
		}
		if more := len(s.Missed) - maxMissed; more > 0 {
			missed = append(missed, doc.Span{S: " …and " + strconv.Itoa(more) + " more (see Credentials)"})
		}
	}
	longest := litCell("none")
	if l := s.LongestOverdue; l != nil {
		longest = doc.Cell{{S: textsafe.Days(l.Days) + ": "}, {S: l.CredentialID, Kind: doc.Code},
			{S: ", " + l.From.String() + " to " + l.To.String()}}
	}
	t := doc.Table{Title: "Summary", Cols: []doc.Column{{Head: "Figure"}, {Head: "Value"}}, Rows: [][]doc.Cell{
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
	if m := s.StoreMarks; m != nil {
		t.Rows = append(t.Rows, []doc.Cell{litCell("Rotations in the secret stores"), litCell(m.String())})
	}
	return t
}

func (p *Pack) observationsTable() doc.Table {
	t := doc.Table{Title: "Observations", Major: true, Empty: "No observations in this period.",
		Intro: "What an auditor would ask about, by date; the message says what the commit shows.",
		Cols:  []doc.Column{{Head: "Date"}, {Head: "Kind"}, {Head: "Credential"}, {Head: "Commit"}, {Head: "Message"}}}
	for _, o := range p.Observations {
		t.Rows = append(t.Rows, []doc.Cell{dateCell(o.Date), valCell(o.Kind), codeCell(o.CredentialID), commitCell(o.Commit), valCell(o.Message)})
	}
	return t
}

func (p *Pack) credentialsTable() doc.Table {
	t := doc.Table{Title: "Credentials", Major: true, Empty: "No credentials in this period.",
		Intro: "Every credential that existed on a day of the period, by id. Policy, last changed and next due are as of the end of the period, or of the removal.",
		Cols: []doc.Column{{Head: "Credential"}, {Head: "Name"}, {Head: "Team"}, {Head: "Owner"}, {Head: "Policy (days)", Right: true},
			{Head: "Last changed"}, {Head: "Next due"}, {Head: "Rotations", Right: true}, {Head: "Late", Right: true},
			{Head: "Overdue days", Right: true}, {Head: "Exemption days", Right: true}, {Head: "Missed"}}}
	if p.Stores != nil {
		t.Cols = append(t.Cols, doc.Column{Head: "Secret store"})
	}
	for _, c := range p.Credentials {
		row := []doc.Cell{codeCell(c.ID), valCell(c.Name), valCell(c.Team), valCell(c.Owner), intCell(c.PeriodDays),
			dateCell(c.LastChanged), dateCell(c.NextDue), intCell(c.Rotations), intCell(c.Late),
			intCell(c.OverdueDays), intCell(c.ExemptionDays), yesNo(c.Missed)}
		if p.Stores != nil {
			row = append(row, storeCell(c.Store))
		}
		t.Rows = append(t.Rows, row)
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

// commitCols are the last columns of every event table, commitCells their cells.
var commitCols = []doc.Column{{Head: "Commit"}, {Head: "PR"}, {Head: "Author"}, {Head: "Merged by"}}

func commitCells(e *Event) []doc.Cell {
	return []doc.Cell{commitCell(e.Commit), prCell(e.PR), valCell(e.Author), valCell(e.MergedBy)}
}

// ticketCell says what Jira said about a rotation's ticket.
func ticketCell(e *Event) doc.Cell {
	switch {
	case e.TicketStatus == nil:
		return none
	case *e.TicketStatus == "":
		return litCell("not found")
	case e.TicketDone != nil:
		return doc.Cell{{S: *e.TicketStatus, Kind: doc.Text}, {S: " " + e.TicketDone.String()}}
	}
	return valCell(*e.TicketStatus)
}

// storeCell names a credential's secret store and what it keeps.
func storeCell(s *CredentialStore) doc.Cell {
	switch {
	case s == nil:
		return none
	case s.Reason != "":
		return doc.Cell{{S: s.Source, Kind: doc.Code}, {S: ": error, " + s.Reason}}
	case s.VersionsKept == nil:
		return doc.Cell{{S: s.Source, Kind: doc.Code}, {S: ": keeps no history"}}
	}
	return doc.Cell{{S: s.Source, Kind: doc.Code}, {S: ": " + textsafe.Plural(*s.VersionsKept, "version", "versions") + " kept"}}
}

// markCell says what the secret store shows of a rotation.
func markCell(e *Event) doc.Cell {
	if e.StoreMark == "" {
		return none
	}
	return doc.Cell{{S: markWords(e.StoreMark) + ": "}, {S: e.StoreDetail, Kind: doc.Text}}
}

// markWords is a mark as a sentence says it: "beyond retention".
func markWords(mark string) string { return strings.ReplaceAll(mark, "-", " ") }

func (p *Pack) rotationsTable() doc.Table {
	t := doc.Table{Title: "Rotations", Major: true, Empty: "No rotations in this period.",
		Intro: "By credential, then date. Due is the due date the rotation answered; recorded means the commit carries the trailers of rotor record, a hand edit does not.",
		Cols: []doc.Column{{Head: "Credential"}, {Head: "Date"}, {Head: "Old last changed"}, {Head: "New last changed"},
			{Head: "Due"}, {Head: "Result"}, {Head: "Ticket"}}}
	if p.TicketsChecked {
		t.Cols = append(t.Cols, doc.Column{Head: "In Jira"})
	}
	if p.Stores != nil {
		t.Cols = append(t.Cols, doc.Column{Head: "In the secret store"})
	}
	t.Cols = append(append(t.Cols, doc.Column{Head: "Recorded"}), commitCols...)
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
		row := []doc.Cell{codeCell(e.CredentialID), dateCell(e.Date), optDateCell(e.OldLastChanged),
			optDateCell(e.NewLastChanged), optDateCell(e.DueDate), result, optCell(e.Ticket, codeCell)}
		if p.TicketsChecked {
			row = append(row, ticketCell(e))
		}
		if p.Stores != nil {
			row = append(row, markCell(e))
		}
		t.Rows = append(t.Rows, append(append(row, recorded), commitCells(e)...))
	}
	return t
}

func (p *Pack) policyTable() doc.Table {
	t := doc.Table{Title: "Policy changes", Major: true, Empty: "No policy changes in this period.",
		Intro: "Changes of a credential's rotation period, by credential, then date.",
		Cols: append([]doc.Column{{Head: "Credential"}, {Head: "Date"}, {Head: "Old period (days)", Right: true},
			{Head: "New period (days)", Right: true}}, commitCols...)}
	for _, e := range p.eventsOf(EventPolicy) {
		t.Rows = append(t.Rows, append([]doc.Cell{codeCell(e.CredentialID), dateCell(e.Date), optIntCell(e.OldPeriodDays),
			optIntCell(e.NewPeriodDays)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) lifecycleTable() doc.Table {
	t := doc.Table{Title: "Additions and removals", Major: true, Empty: "No credentials added or removed in this period.",
		Intro: "Credentials added to or removed from the register, by credential, then date, with the period and last changed they were added or removed with.",
		Cols: append([]doc.Column{{Head: "Credential"}, {Head: "Date"}, {Head: "Change"}, {Head: "Period (days)", Right: true},
			{Head: "Last changed"}}, commitCols...)}
	for _, e := range p.eventsOf(EventAdded, EventRemoved) {
		period, last := e.NewPeriodDays, e.NewLastChanged
		if e.Type == EventRemoved {
			period, last = e.OldPeriodDays, e.OldLastChanged
		}
		t.Rows = append(t.Rows, append([]doc.Cell{codeCell(e.CredentialID), dateCell(e.Date), valCell(e.Type),
			optIntCell(period), optDateCell(last)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) exemptionChangesTable() doc.Table {
	t := doc.Table{Title: "Exemption changes", Major: true, Empty: "No exemptions granted, changed or withdrawn in this period.",
		Intro: "Exemptions granted, changed or withdrawn, by credential, then date.",
		Cols: append([]doc.Column{{Head: "Credential"}, {Head: "Date"}, {Head: "Action"}, {Head: "Until"}, {Head: "Reason"},
			{Head: "Approved by"}}, commitCols...)}
	for _, e := range p.eventsOf(EventExemption) {
		t.Rows = append(t.Rows, append([]doc.Cell{codeCell(e.CredentialID), dateCell(e.Date), valCell(e.Action),
			optDateCell(e.Until), optCell(e.Reason, valCell), optCell(e.ApprovedBy, valCell)}, commitCells(e)...))
	}
	return t
}

func (p *Pack) exemptionsTable() doc.Table {
	t := doc.Table{Title: "Exemptions in force", Major: true, Empty: "No exemption was in force in this period.",
		Intro: "Exemptions in force on some day of the period, by credential. An exemption granted before the period and unchanged since is in the baseline commit.",
		Cols:  []doc.Column{{Head: "Credential"}, {Head: "Until"}, {Head: "Reason"}, {Head: "Approved by"}, {Head: "Granted in"}}}
	for _, c := range p.Credentials {
		for _, x := range c.Exemptions {
			granted := litCell("before the period")
			if x.Commit != nil && *x.Commit != "" {
				granted = commitCell(*x.Commit)
			}
			t.Rows = append(t.Rows, []doc.Cell{codeCell(c.ID), dateCell(x.Until), valCell(x.Reason), valCell(x.ApprovedBy), granted})
		}
	}
	return t
}
