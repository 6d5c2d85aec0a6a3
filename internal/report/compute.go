package report

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Snapshot is the register as it was on Date (at the end of that day: the
// last commit before the first instant of the next), evaluated on Date.
type Snapshot struct {
	Date     rotation.Date
	Register *rotation.Register // nil counts as absent
}

// Rotation is a rotation completed in the reporting week: a commit of the
// default branch that moved a credential's last_changed forward.
type Rotation struct {
	ID, Name, Team string
	Old, New       rotation.Date // last_changed before and after the commit
	Ticket         string        // last_ticket after the commit
	Commit         string        // the commit's hash
	By             string        // who committed or merged it
	At             time.Time     // when it was committed
}

// Unreadable is a version of a register file, or one entry of it, that
// history could not read for the report; its last readable version (or
// entry) stood in for it in the snapshots and the rotations of the week.
type Unreadable struct {
	Path string
	// CredentialID names the entry; "" when the whole file is unreadable.
	CredentialID string
	Commit       string    // the commit that made the version
	At           time.Time // when it was committed
	// Reason says why, for people: "does not parse (…)", "is too large
	// (…)", "is binary (…)", "is not UTF-8 (…)"; for an entry, "has no
	// readable last_changed".
	Reason string
}

// Observation is something of the history the report was read from that
// a reader should know: a version that could not be read.
type Observation struct {
	Kind         string        `json:"kind"`          // unreadable-file or unreadable-entry
	CredentialID string        `json:"credential_id"` // "" for a whole file
	Date         rotation.Date `json:"date"`          // the commit's date in the register's zone
	Commit       string        `json:"commit"`
	Message      string        `json:"message"`
}

// Observation kinds.
const (
	ObsUnreadableFile  = "unreadable-file"
	ObsUnreadableEntry = "unreadable-entry"
)

// Input is everything Compute reads.
type Input struct {
	// Today is the day the register is evaluated on.
	Today rotation.Date
	// Register is the register today; nil is an empty register.
	Register *rotation.Register
	// Previous is the register seven days before Today; nil when history
	// is not available.
	Previous *Snapshot
	// Trend is the register on the dates 7, 14, …, 7×Weeks days before
	// Today, in any order. A date before the register existed is simply
	// absent; a snapshot on or after Today, or more than Weeks weeks back
	// (when Weeks > 0), is ignored, and of two on one date the first wins.
	Trend []Snapshot
	// Rotated are the rotations completed in the 7 days up to Today, from
	// git history; nil when history is not available (an empty, non-nil
	// slice: history was read and nothing was rotated).
	Rotated []Rotation
	// Unreadable are the versions history could not read, in any order;
	// one named twice counts once.
	Unreadable []Unreadable
	// HistoryNote says why history was not read, for people: "the checkout
	// is shallow (fetch-depth: 1): …; set fetch-depth: 0". Empty when it
	// was read.
	HistoryNote string
	// OpenTickets maps a credential id to its open ticket's key when Jira
	// was asked (--jira); nil otherwise.
	OpenTickets map[string]string
	// TicketURL returns the web address of a ticket; nil: no links.
	TicketURL func(key string) string
	// Weeks is the length of the trend asked for (--weeks).
	Weeks int
	// HistoryStart is the day (in the register's zone) of the register's
	// first commit when that is less than a week before Today, so that
	// history holds no week for the trend; zero otherwise.
	HistoryStart rotation.Date
}

// Figures are the headline numbers of the register on one date.
type Figures struct {
	Date   rotation.Date `json:"date"`
	Total  int           `json:"total"`
	Exempt int           `json:"exempt"`
	OnTime int           `json:"on_time"`
	// Overdue is the number of overdue credentials.
	Overdue int `json:"overdue"`
	// CompliancePercent is on time / (total − exempt); null with nothing
	// to rate.
	CompliancePercent *int `json:"compliance_percent"`
}

// Overdue is an overdue credential.
type Overdue struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Owner       string        `json:"owner"`
	Team        string        `json:"team"`
	NextDueDate rotation.Date `json:"next_due_date"`
	DaysOverdue int           `json:"days_overdue"`
	// Ticket is the open ticket's key, when Jira was asked and has one.
	Ticket    string `json:"ticket,omitempty"`
	TicketURL string `json:"ticket_url,omitempty"`
	// Criticality is shown, and is the tie-break of the ordering.
	Criticality rotation.Criticality `json:"criticality,omitempty"`
}

// Upcoming is a credential due within the next 30 days.
type Upcoming struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Owner       string          `json:"owner"`
	Team        string          `json:"team"`
	NextDueDate rotation.Date   `json:"next_due_date"`
	DaysLeft    int             `json:"days_left"`
	Status      rotation.Status `json:"status"` // ok or due
	Ticket      string          `json:"ticket,omitempty"`
	TicketURL   string          `json:"ticket_url,omitempty"`
	// Criticality is shown, and is the tie-break of the ordering.
	Criticality rotation.Criticality `json:"criticality,omitempty"`
}

// Rotated is a rotation completed in the week, as the report shows it.
type Rotated struct {
	ID                  string        `json:"id"`
	Name                string        `json:"name"`
	Team                string        `json:"team"`
	PreviousLastChanged rotation.Date `json:"previous_last_changed"`
	LastChanged         rotation.Date `json:"last_changed"`
	Ticket              string        `json:"ticket,omitempty"` // last_ticket
	TicketURL           string        `json:"ticket_url,omitempty"`
	Commit              string        `json:"commit"`
	By                  string        `json:"by"`
	// At is the commit time in the register's time zone.
	At time.Time `json:"at,omitzero"`
	// Criticality is today's (none for a credential removed since); it is
	// shown, and is the tie-break of the ordering.
	Criticality rotation.Criticality `json:"criticality,omitempty"`
}

// Exemption is a credential exempt today.
type Exemption struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Owner      string        `json:"owner"`
	Team       string        `json:"team"`
	Until      rotation.Date `json:"until"`
	DaysLeft   int           `json:"days_left"` // until the exemption ends; 0 on its last day
	Reason     string        `json:"reason"`
	ApprovedBy string        `json:"approved_by"`
	// Criticality is shown, and is the tie-break of the ordering.
	Criticality rotation.Criticality `json:"criticality,omitempty"`
}

// Team is the compliance of one team.
type Team struct {
	// Name is the team; "" for credentials without one.
	Name    string `json:"name"`
	Total   int    `json:"total"`
	Exempt  int    `json:"exempt"`
	OnTime  int    `json:"on_time"`
	Overdue int    `json:"overdue"`
	// CompliancePercent is null for a team with only exempt credentials.
	CompliancePercent *int `json:"compliance_percent"`
}

// Report is the weekly KPI report. Its JSON form is what WriteJSON writes.
type Report struct {
	Today rotation.Date `json:"today"`
	// Week is Today's ISO week, "2026-W48".
	Week   string `json:"week"`
	Total  int    `json:"total"`
	Exempt int    `json:"exempt"`
	OnTime int    `json:"on_time"`
	// CompliancePercent is on time / (total − exempt), rounded; null when
	// nothing is rated (an empty register, or every credential exempt).
	CompliancePercent *int `json:"compliance_percent"`
	// TargetPercent is the register's report.target_percent: a compliance
	// below it is shown as missed.
	TargetPercent int `json:"target_percent"`
	// Change is CompliancePercent minus last week's, in percentage points;
	// null when either is missing.
	Change *int `json:"change"`
	// Overdue, by days overdue (most first), then criticality (critical
	// first), then id.
	Overdue []Overdue `json:"overdue"`
	// DueNext7 and DueNext30 are the credentials not exempt with
	// 0 <= days_left <= 7 and <= 30, by days left, then criticality, then
	// id.
	DueNext7  []Upcoming `json:"due_next_7"`
	DueNext30 []Upcoming `json:"due_next_30"`
	// Rotated, by commit time, then criticality (today's), then id; null
	// when history was not read.
	Rotated []Rotated `json:"rotated"`
	// Exemptions in force today, by expiry, then criticality, then id.
	Exemptions []Exemption `json:"exemptions"`
	// Previous is the register seven days ago; null without history.
	Previous *Figures `json:"previous"`
	// Teams by name, credentials without a team last.
	Teams []Team `json:"teams"`
	// Trend is oldest first; its last point is today.
	Trend []Figures `json:"trend"`
	// TrendWeeks is the trend's length asked for.
	TrendWeeks int `json:"trend_weeks"`
	// TicketsChecked says whether Jira was asked for open tickets, so that
	// an overdue credential without a ticket means it has none.
	TicketsChecked bool `json:"tickets_checked"`
	// HistoryNote says why history was not read.
	HistoryNote string `json:"history_note,omitempty"`
	// HistoryStart is Input.HistoryStart: set when the register's history
	// is younger than a week.
	HistoryStart *rotation.Date `json:"history_start,omitempty"`
	// TrendNote says why the trend has no point before today when one
	// was asked for and history was read: "the register's history starts
	// on 2026-11-24; the trend needs one full week".
	TrendNote string `json:"trend_note,omitempty"`
	// Observations are the versions of register files (or entries) that
	// history could not read, by date, then commit, then file and id.
	Observations []Observation `json:"observations"`
}

// Compute derives the report from in. It is pure: it reads in and changes
// nothing in it.
func Compute(in Input) *Report {
	today := in.Today
	year, week := today.Time().ISOWeek()
	r := &Report{
		Today: today, Week: isoWeek(year, week), TrendWeeks: in.Weeks,
		Overdue: []Overdue{}, DueNext7: []Upcoming{}, DueNext30: []Upcoming{}, Exemptions: []Exemption{},
		Teams: []Team{}, TicketsChecked: in.OpenTickets != nil, HistoryNote: in.HistoryNote,
	}
	ticket := func(id string) (key, url string) {
		key = in.OpenTickets[id]
		return key, ticketURL(in.TicketURL, key)
	}

	teams := map[string]*Team{}
	var cur Figures
	var creds []*rotation.Credential
	loc := time.UTC
	r.TargetPercent = rotation.DefaultTargetPercent
	if in.Register != nil {
		creds = in.Register.Credentials
		if in.Register.Settings.Timezone != nil {
			loc = in.Register.Settings.Timezone
		}
		r.TargetPercent = in.Register.Settings.Report.TargetPercent
	}
	for _, c := range creds {
		if c == nil {
			continue
		}
		ev := c.Evaluate(today)
		cur.add(ev.Status)
		t := teams[c.Team]
		if t == nil {
			t = &Team{Name: c.Team}
			teams[c.Team] = t
		}
		t.Total++
		switch ev.Status {
		case rotation.StatusExempt:
			t.Exempt++
			e := c.Exemption
			r.Exemptions = append(r.Exemptions, Exemption{ID: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team,
				Until: e.Until, DaysLeft: today.DaysUntil(e.Until), Reason: e.Reason, ApprovedBy: e.ApprovedBy,
				Criticality: c.Criticality})
			continue
		case rotation.StatusOverdue:
			t.Overdue++
			key, url := ticket(c.ID)
			r.Overdue = append(r.Overdue, Overdue{ID: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team,
				NextDueDate: ev.NextDue, DaysOverdue: -ev.DaysLeft, Ticket: key, TicketURL: url, Criticality: c.Criticality})
			continue
		}
		t.OnTime++
		if ev.DaysLeft <= 30 {
			key, url := ticket(c.ID)
			u := Upcoming{ID: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team, NextDueDate: ev.NextDue,
				DaysLeft: ev.DaysLeft, Status: ev.Status, Ticket: key, TicketURL: url, Criticality: c.Criticality}
			r.DueNext30 = append(r.DueNext30, u)
		}
	}
	cur.rate()
	r.Total, r.Exempt, r.OnTime, r.CompliancePercent = cur.Total, cur.Exempt, cur.OnTime, cur.CompliancePercent

	slices.SortFunc(r.Overdue, func(a, b Overdue) int {
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), rotation.CompareCriticality(a.Criticality, b.Criticality), cmp.Compare(a.ID, b.ID))
	})
	slices.SortFunc(r.DueNext30, func(a, b Upcoming) int {
		return cmp.Or(cmp.Compare(a.DaysLeft, b.DaysLeft), rotation.CompareCriticality(a.Criticality, b.Criticality), cmp.Compare(a.ID, b.ID))
	})
	n7, _ := slices.BinarySearchFunc(r.DueNext30, 8, func(u Upcoming, days int) int { return cmp.Compare(u.DaysLeft, days) })
	r.DueNext7 = slices.Clone(r.DueNext30[:n7])
	slices.SortFunc(r.Exemptions, func(a, b Exemption) int {
		return cmp.Or(a.Until.Compare(b.Until), rotation.CompareCriticality(a.Criticality, b.Criticality), cmp.Compare(a.ID, b.ID))
	})

	for _, t := range teams {
		t.CompliancePercent = percent(t.OnTime, t.Total-t.Exempt)
		r.Teams = append(r.Teams, *t)
	}
	slices.SortFunc(r.Teams, func(a, b Team) int {
		if (a.Name == "") != (b.Name == "") {
			return cmp.Compare(b.Name, a.Name) // no team last
		}
		return cmp.Compare(a.Name, b.Name)
	})

	if in.Previous != nil && in.Previous.Register != nil {
		p := figuresOf(in.Previous.Register, in.Previous.Date)
		r.Previous = &p
		if r.CompliancePercent != nil && p.CompliancePercent != nil {
			d := *r.CompliancePercent - *p.CompliancePercent
			r.Change = &d
		}
	}

	r.Trend = r.trend(in)
	cur.Date = today
	r.Trend = append(r.Trend, cur)
	if start := in.HistoryStart; !start.IsZero() && in.Weeks > 0 && in.HistoryNote == "" && len(r.Trend) == 1 {
		r.HistoryStart = &start
		r.TrendNote = "the register's history starts on " + start.String() + "; the trend needs one full week"
	}

	r.Observations = observations(in.Unreadable, loc)

	if in.Rotated != nil {
		r.Rotated = make([]Rotated, 0, len(in.Rotated))
		crit := make(map[string]rotation.Criticality, len(creds))
		for _, c := range creds {
			if c != nil {
				crit[c.ID] = c.Criticality
			}
		}
		for _, x := range in.Rotated {
			r.Rotated = append(r.Rotated, Rotated{ID: x.ID, Name: x.Name, Team: x.Team,
				PreviousLastChanged: x.Old, LastChanged: x.New, Ticket: x.Ticket, TicketURL: ticketURL(in.TicketURL, x.Ticket),
				Commit: x.Commit, By: x.By, At: inZone(x.At, loc), Criticality: crit[x.ID]})
		}
		slices.SortFunc(r.Rotated, func(a, b Rotated) int {
			return cmp.Or(a.At.Compare(b.At), rotation.CompareCriticality(a.Criticality, b.Criticality), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Commit, b.Commit))
		})
	}
	return r
}

// observations says what history could not read, once each, oldest
// first; loc is the register's zone.
func observations(us []Unreadable, loc *time.Location) []Observation {
	us = slices.Clone(us)
	slices.SortFunc(us, func(a, b Unreadable) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Commit, b.Commit), cmp.Compare(a.Path, b.Path), cmp.Compare(a.CredentialID, b.CredentialID))
	})
	us = slices.CompactFunc(us, func(a, b Unreadable) bool {
		return a.Commit == b.Commit && a.Path == b.Path && a.CredentialID == b.CredentialID
	})
	out := make([]Observation, 0, len(us))
	for _, u := range us {
		o := Observation{Kind: ObsUnreadableFile, CredentialID: u.CredentialID, Date: rotation.DateOf(u.At.In(loc)), Commit: u.Commit}
		if u.CredentialID == "" {
			o.Message = u.Path + " at commit " + rotation.ShortHash(u.Commit) + " " + u.Reason +
				"; the report counts its last readable version (if any) instead"
		} else {
			o.Kind = ObsUnreadableEntry
			o.Message = u.Path + " at commit " + rotation.ShortHash(u.Commit) + ": the entry of " + u.CredentialID + " " + u.Reason +
				"; the report counts its last readable entry (if any) instead"
		}
		out = append(out, o)
	}
	return out
}

// trend evaluates the snapshots of in.Trend that belong to the trend,
// oldest first.
func (r *Report) trend(in Input) []Figures {
	snaps := make([]Snapshot, 0, len(in.Trend))
	oldest := in.Today.AddDays(-7 * in.Weeks)
	for _, s := range in.Trend {
		if s.Register == nil || !s.Date.Before(in.Today) || (in.Weeks > 0 && s.Date.Before(oldest)) {
			continue
		}
		snaps = append(snaps, s)
	}
	slices.SortStableFunc(snaps, func(a, b Snapshot) int { return a.Date.Compare(b.Date) })
	snaps = slices.CompactFunc(snaps, func(a, b Snapshot) bool { return a.Date == b.Date })
	out := make([]Figures, 0, len(snaps)+1)
	for _, s := range snaps {
		out = append(out, figuresOf(s.Register, s.Date))
	}
	return out
}

// figuresOf evaluates reg on day.
func figuresOf(reg *rotation.Register, day rotation.Date) Figures {
	f := Figures{Date: day}
	for _, c := range reg.Credentials {
		if c != nil {
			f.add(c.Evaluate(day).Status)
		}
	}
	f.rate()
	return f
}

// add counts one credential of status s; rate sets the percentage after.
func (f *Figures) add(s rotation.Status) {
	f.Total++
	switch s {
	case rotation.StatusExempt:
		f.Exempt++
	case rotation.StatusOverdue:
		f.Overdue++
	default:
		f.OnTime++
	}
}

// rate sets CompliancePercent from the counts.
func (f *Figures) rate() { f.CompliancePercent = percent(f.OnTime, f.Total-f.Exempt) }

// percent is onTime / rated × 100 rounded half up, but never 100 while one
// is late nor 0 while one is on time; nil when rated is 0.
func percent(onTime, rated int) *int {
	if rated <= 0 {
		return nil
	}
	p := (200*onTime + rated) / (2 * rated)
	switch {
	case p == 100 && onTime < rated:
		p = 99
	case p == 0 && onTime > 0:
		p = 1
	}
	return &p
}

// ticketURL is the web address of the ticket key, when there is one.
func ticketURL(f func(string) string, key string) string {
	if f == nil || key == "" {
		return ""
	}
	return f(key)
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}

func isoWeek(year, week int) string { return fmt.Sprintf("%04d-W%02d", year, week) }
