package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Formats are the names Write accepts, the default first.
var Formats = []string{"markdown", "csv", "json", "html"}

// Write writes the pack in one of Formats.
func (p *Pack) Write(w io.Writer, format string) error {
	switch format {
	case "markdown":
		return p.WriteMarkdown(w)
	case "csv":
		return p.WriteCSV(w)
	case "json":
		return p.WriteJSON(w)
	case "html":
		return p.WriteHTML(w)
	}
	return fmt.Errorf("unknown format %q: use %s", format, strings.Join(Formats, ", "))
}

// WriteJSON writes everything in the pack, for other tools: indented JSON
// with the model's snake_case keys, every list complete and [] rather than
// null when empty. summary.missed is the number of missed credentials and
// summary.missed_credentials their ids (see Summary.MarshalJSON).
func (p *Pack) WriteJSON(w io.Writer) error {
	q := *p
	q.Credentials = make([]Credential, len(p.Credentials))
	for i, c := range p.Credentials {
		c.Exemptions = orEmpty(c.Exemptions)
		q.Credentials[i] = c
	}
	q.Events = orEmpty(q.Events)
	q.Observations = orEmpty(q.Observations)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(&q)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// marshal is json.Marshal without HTML escaping, as WriteJSON writes.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return b.Bytes(), err
}

// summaryJSON is a Summary as JSON: the outer missed hides the one of
// summaryFields, which is Summary without its methods.
type (
	summaryFields Summary
	summaryJSON   struct {
		summaryFields
		Missed            int      `json:"missed"`
		MissedCredentials []string `json:"missed_credentials"`
	}
)

// MarshalJSON writes missed as a count, like the other figures, and the
// missed ids as missed_credentials.
func (s Summary) MarshalJSON() ([]byte, error) {
	return marshal(summaryJSON{summaryFields(s), len(s.Missed), orEmpty(s.Missed)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Summary) UnmarshalJSON(b []byte) error {
	var v summaryJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Summary(v.summaryFields)
	s.Missed = v.MissedCredentials
	return nil
}

// CSVHeader is the first line of WriteCSV: its columns, in this order,
// which stays stable (new columns are only ever added at the end).
//
//	date               the commit's committer date, in the register's zone
//	time               the commit's committer time, RFC 3339 in the register's zone
//	type               added, removed, rotation, policy or exemption
//	credential_id      the credential's id
//	commit             the full commit hash
//	author             "Name <email>" of the commit's author
//	merged_by          who put the commit on the default branch
//	pr                 the pull request's number, when the commit names one
//	subject            the commit message's first line
//	old_last_changed   rotation, removed: last_changed before the commit
//	new_last_changed   rotation, added: last_changed after it
//	due_date           rotation: the due date it answered (old last_changed + old period)
//	days_late          rotation: days from due_date to new_last_changed, 0 when on time
//	ticket             rotation: last_ticket after the commit
//	recorded_by_rotor  rotation: true when the commit carries the trailers of `rotor record`, false for a hand edit
//	old_period_days    policy, removed: period_days before the commit
//	new_period_days    policy, added: period_days after it
//	action             exemption: granted, changed or withdrawn
//	until              exemption: the date it runs until (empty when withdrawn)
//	reason             exemption: its reason (empty when withdrawn)
//	approved_by        exemption: its approver (empty when withdrawn)
//	ticket_status      rotation, with --jira: the ticket's status in Jira (empty when Jira does not know it)
//	ticket_done        rotation, with --jira: the day the ticket was done (empty when it is not)
//
// A cell that does not apply to the row's type is empty.
const CSVHeader = "date,time,type,credential_id,commit,author,merged_by,pr,subject," +
	"old_last_changed,new_last_changed,due_date,days_late,ticket,recorded_by_rotor," +
	"old_period_days,new_period_days,action,until,reason,approved_by,ticket_status,ticket_done"

// WriteCSV writes one row per event (CSVHeader names the columns), in the
// pack's order: by date, then credential. Values are written as the
// register and git hold them, so that they compare equal to `git show`,
// except that a cell a spreadsheet would run as a formula gets a leading
// apostrophe (see csvCell).
func (p *Pack) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(CSVHeader, ",")); err != nil {
		return err
	}
	row := make([]string, strings.Count(CSVHeader, ",")+1)
	for i := range p.Events {
		e := &p.Events[i]
		row = append(row[:0], e.Date.String(), e.Time, e.Type, e.CredentialID, e.Commit, e.Author, e.MergedBy,
			optInt(e.PR), e.Subject, optDate(e.OldLastChanged), optDate(e.NewLastChanged), optDate(e.DueDate),
			optInt(e.DaysLate), optString(e.Ticket), optBool(e.RecordedByRotor), optInt(e.OldPeriodDays),
			optInt(e.NewPeriodDays), e.Action, optDate(e.Until), optString(e.Reason), optString(e.ApprovedBy),
			optString(e.TicketStatus), optDate(e.TicketDone))
		for j, c := range row {
			row[j] = csvCell(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell neutralises formula injection: a spreadsheet runs a cell that
// starts with = + - or @ as a formula, and some trim a leading tab or
// carriage return first, so a cell that starts with any of these gets a
// leading apostrophe, which spreadsheets read as "this is text". An
// integer such as -3 is left as it is: a spreadsheet reads it as a number,
// never as a formula. Dates and rotor's figures start with a digit (no
// figure of the pack is negative), so they are never changed.
func csvCell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.Atoi(s); err == nil {
		return s
	}
	return "'" + s
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func optDate(d *rotation.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func optString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

// title is the heading of Markdown and HTML.
func (p *Pack) title() string {
	return "Credential rotation evidence, " + p.From.String() + " to " + p.To.String()
}

// footer closes Markdown and HTML; it is rotor's own text.
const footer = "Made by rotor from the register's git history. Dates are days in the register's time zone. " +
	"The CSV and JSON formats hold the same events with full commit hashes, commit times and subjects."

// WriteMarkdown writes the pack as one GitHub-flavoured Markdown document:
// the provenance, the summary, then one table per kind of record
// (observations, credentials, rotations, policy changes, additions and
// removals, exemption changes, exemptions in force), each complete. It is
// a file for an auditor, not a job summary: nothing is cut but the list of
// missed ids in the summary, which the credentials table repeats in full.
// Every value from the register or git goes through package markdown.
func (p *Pack) WriteMarkdown(w io.Writer) error {
	// bufio.Writer keeps the first write error and returns it from Flush.
	bw := bufio.NewWriter(w)
	bw.WriteString("# " + p.title() + "\n")
	for _, t := range p.tables() {
		bw.WriteString("\n## " + t.title + "\n\n")
		if t.intro != "" {
			bw.WriteString(t.intro + "\n\n")
		}
		if len(t.rows) == 0 {
			bw.WriteString(t.empty + "\n")
			continue
		}
		cols := make([]markdown.Column, len(t.cols))
		for i, c := range t.cols {
			cols[i] = markdown.Column{Head: c.head, Right: c.right}
		}
		rows := make([][]string, len(t.rows))
		for i, row := range t.rows {
			rows[i] = make([]string, len(row))
			for j, c := range row {
				rows[i][j] = c.markdown()
			}
		}
		markdown.Table(bw, cols, rows)
	}
	bw.WriteString("\n" + footer + "\n")
	return bw.Flush()
}

// markdown renders the cell for a Markdown table, each span escaped as
// its kind says.
func (c cell) markdown() string {
	var b strings.Builder
	for _, s := range c {
		switch s.kind {
		case lit:
			b.WriteString(s.s)
		case val:
			b.WriteString(markdown.Text(s.s))
		case code:
			b.WriteString(markdown.Code(s.s))
		}
	}
	return b.String()
}

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
