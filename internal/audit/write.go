package audit

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
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
// A cell that does not apply to the row's type is empty. With the secret
// stores asked (rotor audit --verify), the columns of CSVStoreHeader follow.
const CSVHeader = "date,time,type,credential_id,commit,author,merged_by,pr,subject," +
	"old_last_changed,new_last_changed,due_date,days_late,ticket,recorded_by_rotor," +
	"old_period_days,new_period_days,action,until,reason,approved_by,ticket_status,ticket_done"

// CSVStoreHeader are the columns WriteCSV adds at the end when the secret
// stores were asked (Pack.Stores):
//
//	store_mark             rotation: confirmed, unconfirmed, beyond-retention, not-kept or error; empty without a source
//	store_version          rotation, confirmed: the id of the version that confirms it
//	store_version_created  rotation, confirmed: when that version was written, RFC 3339 in the register's zone
//	store_detail           rotation: why, in one line
const CSVStoreHeader = "store_mark,store_version,store_version_created,store_detail"

// WriteCSV writes one row per event (CSVHeader names the columns), in the
// pack's order: by date, then credential. Values are written as the
// register and git hold them, so that they compare equal to `git show`,
// except that a cell a spreadsheet would run as a formula gets a leading
// apostrophe (see csvCell).
func (p *Pack) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := CSVHeader
	if p.Stores != nil {
		header += "," + CSVStoreHeader
	}
	if err := cw.Write(strings.Split(header, ",")); err != nil {
		return err
	}
	row := make([]string, strings.Count(header, ",")+1)
	for i := range p.Events {
		e := &p.Events[i]
		row = append(row[:0], e.Date.String(), e.Time, e.Type, e.CredentialID, e.Commit, e.Author, e.MergedBy,
			optInt(e.PR), e.Subject, optDate(e.OldLastChanged), optDate(e.NewLastChanged), optDate(e.DueDate),
			optInt(e.DaysLate), optString(e.Ticket), optBool(e.RecordedByRotor), optInt(e.OldPeriodDays),
			optInt(e.NewPeriodDays), e.Action, optDate(e.Until), optString(e.Reason), optString(e.ApprovedBy),
			optString(e.TicketStatus), optDate(e.TicketDone))
		if p.Stores != nil {
			row = append(row, e.StoreMark, e.StoreVersion, e.StoreVersionCreated, e.StoreDetail)
		}
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
		t.WriteMarkdown(bw, 2)
	}
	bw.WriteString("\n" + footer + "\n")
	return bw.Flush()
}
