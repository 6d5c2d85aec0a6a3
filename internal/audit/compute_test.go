package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func day(s string) rotation.Date { return rotation.MustParseDate(s) }

// cred builds an entry; mods adjust it.
func cred(id string, period int, last string, mods ...func(*rotation.Credential)) *rotation.Credential {
	c := &rotation.Credential{ID: id, Name: "Name of " + id, Owner: id + "@example.com", Team: "team", PeriodDays: period, LastChanged: day(last)}
	for _, m := range mods {
		m(c)
	}
	return c
}

func ticket(k string) func(*rotation.Credential) {
	return func(c *rotation.Credential) { c.LastTicket = k }
}

func exempt(until, approver string) func(*rotation.Credential) {
	return func(c *rotation.Credential) {
		c.Exemption = &rotation.Exemption{Until: day(until), Reason: "vendor migration", ApprovedBy: approver}
	}
}

func at(rfc3339 string) rotation.Signature {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		panic(err)
	}
	return rotation.Signature{Name: "Ada", Email: "ada@example.com", When: t}
}

func commit(hash, when, subject string, files ...FileChange) Commit {
	s := at(when)
	return Commit{Hash: hash, Author: s, Committer: s, Subject: subject, MergedBy: s.Name, Files: files}
}

func recorded(c Commit, id, key string) Commit {
	c.Recorded = append(c.Recorded, Trailer{Credential: id, Ticket: key})
	return c
}

func change(path string, old, new []*rotation.Credential) FileChange {
	return FileChange{Path: path, Old: old, New: new}
}

func list(cs ...*rotation.Credential) []*rotation.Credential { return cs }

// history is the synthetic register of the package's tests: every event
// type and every observation kind, commits in several zones, a merge and
// a squash pull request.
func history() Input {
	a0 := cred("a", 90, "2025-10-01") // due 2025-12-30: overdue when the period begins
	b0 := cred("b", 30, "2025-12-15") // due 2026-01-14
	c0 := cred("c", 365, "2025-06-01")
	a1 := cred("a", 90, "2026-01-09", ticket("SEC-1")) // late by 10 days
	b1 := cred("b", 30, "2026-01-14")                  // on its due date, by hand, without a ticket
	b2 := cred("b", 60, "2026-01-14")                  // period raised on 2026-02-20, 6 days overdue
	b3 := cred("b", 60, "2026-01-01")                  // backdated: due 2026-03-02
	d1 := cred("d", 200, "2026-01-01", exempt("2026-02-28", "d@example.com"))
	a2 := cred("a", 90, "2026-04-05", ticket("SEC-2"))
	e1 := cred("e", 90, "2026-05-10")
	return Input{
		From: day("2026-01-01"), To: day("2026-06-30"), Location: berlin,
		Provenance:     Provenance{Repository: "acme/register", Branch: "main", Register: "credential_rotation"},
		Baseline:       list(a0, b0, c0),
		BaselineCommit: "0000000000000000000000000000000000000b00",
		Commits: []Commit{
			// 20:00 in New York on the 10th is the 11th in Berlin.
			recorded(commit("1111", "2026-01-10T20:00:00-05:00", "Record the rotation of a (SEC-1)",
				change("db.yaml", list(a0, b0), list(a1, b0))), "a", "SEC-1"),
			commit("2222", "2026-01-14T09:00:00+01:00", "b rotated",
				change("db.yaml", list(a1, b0), list(a1, b1))),
			commit("3333", "2026-02-01T10:00:00+09:00", "Merge pull request #7 from acme/add-d",
				change("vendor.yaml", nil, list(d1))),
			commit("4444", "2026-02-20T12:00:00Z", "Give b more time",
				change("db.yaml", list(a1, b1), list(a1, b2))),
			commit("5555", "2026-03-01T12:00:00Z", "Fix b's date",
				change("db.yaml", list(a1, b2), list(a1, b3))),
			commit("6666", "2026-03-10T12:00:00Z", "Retire c",
				change("legacy.yaml", list(c0), nil)),
			recorded(commit("7777", "2026-04-05T08:00:00+02:00", "Record the rotation of a (SEC-2) (#12)",
				change("db.yaml", list(a1, b3), list(a2, b3))), "a", "SEC-2"),
			commit("8888", "2026-05-01T12:00:00Z", "Add e",
				change("new.yaml", nil, list(e1))),
		},
	}
}

func TestComputeEvents(t *testing.T) {
	p := Compute(history())
	var got []string
	for _, e := range p.Events {
		s := fmt.Sprintf("%s %s %s %s", e.Date, e.CredentialID, e.Type, e.Commit)
		switch e.Type {
		case EventRotation:
			s += fmt.Sprintf(" %s->%s due %s late %d ticket %q rotor %v", *e.OldLastChanged, *e.NewLastChanged, *e.DueDate, *e.DaysLate, *e.Ticket, *e.RecordedByRotor)
		case EventPolicy:
			s += fmt.Sprintf(" %d->%d", *e.OldPeriodDays, *e.NewPeriodDays)
		case EventExemption:
			s += fmt.Sprintf(" %s until %s by %s", e.Action, *e.Until, *e.ApprovedBy)
		}
		if e.PR != nil {
			s += fmt.Sprintf(" pr %d", *e.PR)
		}
		got = append(got, s)
	}
	want := []string{
		`2026-01-11 a rotation 1111 2025-10-01->2026-01-09 due 2025-12-30 late 10 ticket "SEC-1" rotor true`,
		`2026-01-14 b rotation 2222 2025-12-15->2026-01-14 due 2026-01-14 late 0 ticket "" rotor false`,
		`2026-02-01 d added 3333 pr 7`,
		`2026-02-01 d exemption 3333 granted until 2026-02-28 by d@example.com pr 7`,
		`2026-02-20 b policy 4444 30->60`,
		`2026-03-10 c removed 6666`,
		`2026-04-05 a rotation 7777 2026-01-09->2026-04-05 due 2026-04-09 late 0 ticket "SEC-2" rotor true pr 12`,
		`2026-05-01 e added 8888`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestComputeObservations(t *testing.T) {
	p := Compute(history())
	var got []string
	for _, o := range p.Observations {
		got = append(got, fmt.Sprintf("%s %s %s %s", o.Date, o.CredentialID, o.Kind, o.Commit))
	}
	want := []string{
		"2026-01-14 b no-ticket 2222",
		"2026-01-14 b hand-edit 2222",
		"2026-02-01 d self-approved-exemption 3333",
		"2026-02-20 b period-raised-while-due 4444",
		"2026-03-01 b backdated 5555",
		"2026-05-01 e future-date 8888",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, o := range p.Observations {
		if o.Message == "" {
			t.Errorf("%s %s: no message", o.Kind, o.CredentialID)
		}
	}
}

func TestComputeSummary(t *testing.T) {
	p := Compute(history())
	s := p.Summary
	// a: overdue 2026-01-01..2026-01-10 (rotated on the 11th in Berlin) = 10.
	// b: 2026-02-14..2026-02-19 = 6, then backdated: 2026-03-03..2026-06-30 = 120.
	want := Summary{
		Credentials: 5, Rotations: 3, OnTime: 2, Late: 1, OnTimePercent: ptr(66),
		Missed: []string{"b"}, OverdueDays: 136,
		LongestOverdue: &Stretch{CredentialID: "b", From: day("2026-03-03"), To: day("2026-06-30"), Days: 120},
		ExemptionDays:  28, Observations: 6,
	}
	if g, w := mustJSON(t, s), mustJSON(t, want); g != w {
		t.Errorf("summary:\n%s\nwant:\n%s", g, w)
	}
	if *p.FirstCommit != "1111" || *p.LastCommit != "8888" || *p.BaselineCommit != "0000000000000000000000000000000000000b00" {
		t.Errorf("commits: first %s last %s baseline %s", *p.FirstCommit, *p.LastCommit, *p.BaselineCommit)
	}
}

func TestComputeCredentials(t *testing.T) {
	p := Compute(history())
	var got []string
	for _, c := range p.Credentials {
		s := fmt.Sprintf("%s period %d last %s next %s rotations %d late %d overdue %d exempt %d missed %v",
			c.ID, c.PeriodDays, c.LastChanged, c.NextDue, c.Rotations, c.Late, c.OverdueDays, c.ExemptionDays, c.Missed)
		if c.AddedIn != nil {
			s += " added " + *c.AddedIn
		}
		if c.RemovedIn != nil {
			s += " removed " + *c.RemovedIn
		}
		for _, e := range c.Exemptions {
			s += fmt.Sprintf(" exemption until %s by %s in %v", e.Until, e.ApprovedBy, deref(e.Commit))
		}
		got = append(got, s)
	}
	want := []string{
		"a period 90 last 2026-04-05 next 2026-07-04 rotations 2 late 1 overdue 10 exempt 0 missed false",
		"b period 60 last 2026-01-01 next 2026-03-02 rotations 1 late 0 overdue 126 exempt 0 missed true",
		"c period 365 last 2025-06-01 next 2026-06-01 rotations 0 late 0 overdue 0 exempt 0 missed false removed 6666",
		"d period 200 last 2026-01-01 next 2026-07-20 rotations 0 late 0 overdue 0 exempt 28 missed false added 3333 exemption until 2026-02-28 by d@example.com in 3333",
		"e period 90 last 2026-05-10 next 2026-08-08 rotations 0 late 0 overdue 0 exempt 0 missed false added 8888",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("credentials:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func deref(s *string) string {
	if s == nil {
		return "<baseline>"
	}
	return *s
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestComputeOverdueStretchSpansChanges(t *testing.T) {
	// Due 2026-01-11, overdue from the 12th; a change of name on 2026-01-20 and a period
	// raised on 2026-02-01 that leaves it overdue keep one stretch going;
	// a rotation on 2026-03-01 ends it.
	x0 := cred("x", 10, "2026-01-01")
	x1 := cred("x", 10, "2026-01-01", func(c *rotation.Credential) { c.Name = "renamed" })
	x2 := cred("x", 20, "2026-01-01", func(c *rotation.Credential) { c.Name = "renamed" })
	x3 := cred("x", 20, "2026-03-01", func(c *rotation.Credential) { c.Name = "renamed"; c.LastTicket = "SEC-9" })
	in := Input{
		From: day("2026-01-01"), To: day("2026-03-31"), Baseline: list(x0),
		Commits: []Commit{
			commit("1", "2026-01-20T10:00:00Z", "rename", change("x.yaml", list(x0), list(x1))),
			commit("2", "2026-02-01T10:00:00Z", "raise", change("x.yaml", list(x1), list(x2))),
			recorded(commit("3", "2026-03-01T10:00:00Z", "rotate", change("x.yaml", list(x2), list(x3))), "x", "SEC-9"),
		},
	}
	s := Compute(in).Summary
	// 2026-01-12..2026-02-28 = 48 days, one stretch; then due 2026-03-21,
	// overdue 2026-03-22..2026-03-31 = 10 days.
	if s.OverdueDays != 58 || s.LongestOverdue == nil || *s.LongestOverdue != (Stretch{CredentialID: "x", From: day("2026-01-12"), To: day("2026-02-28"), Days: 48}) {
		t.Errorf("overdue %d, longest %+v", s.OverdueDays, s.LongestOverdue)
	}
}

func TestComputeCommitClockBehind(t *testing.T) {
	// The second commit's clock is a week behind the first's: it counts
	// from the first's day, and no day is counted twice.
	y0 := cred("y", 10, "2025-12-01") // overdue all along
	y1 := cred("y", 10, "2026-01-10", ticket("SEC-1"))
	y2 := cred("y", 10, "2026-01-10", ticket("SEC-1"), exempt("2026-01-31", "ciso@example.com"))
	in := Input{
		From: day("2026-01-01"), To: day("2026-01-31"), Baseline: list(y0),
		Commits: []Commit{
			recorded(commit("1", "2026-01-10T10:00:00Z", "rotate", change("y.yaml", list(y0), list(y1))), "y", "SEC-1"),
			commit("2", "2026-01-03T10:00:00Z", "exempt", change("y.yaml", list(y1), list(y2))),
		},
	}
	p := Compute(in)
	// Overdue 2026-01-01..09 (9 days), then exempt 2026-01-10..31 (22).
	if p.Summary.OverdueDays != 9 || p.Summary.ExemptionDays != 22 {
		t.Errorf("overdue %d, exempt %d", p.Summary.OverdueDays, p.Summary.ExemptionDays)
	}
	if len(p.Events) != 2 || p.Events[1].Date != day("2026-01-10") {
		t.Errorf("events %+v", p.Events)
	}
}

func TestComputeBaselineExemptionAndMove(t *testing.T) {
	// An exemption granted before the period is listed without a commit;
	// moving an entry to another file is no event.
	z0 := cred("z", 30, "2025-01-01", exempt("2026-01-15", "ciso@example.com"))
	in := Input{
		From: day("2026-01-01"), To: day("2026-01-31"), Baseline: list(z0),
		Commits: []Commit{commit("1", "2026-01-05T10:00:00Z", "move",
			change("a.yaml", list(z0), nil), change("b.yaml", nil, list(cred("z", 30, "2025-01-01", exempt("2026-01-15", "ciso@example.com")))))},
	}
	p := Compute(in)
	if len(p.Events) != 0 || len(p.Observations) != 0 {
		t.Errorf("a move made events %+v, observations %+v", p.Events, p.Observations)
	}
	c := p.Credentials[0]
	if c.ExemptionDays != 15 || c.OverdueDays != 16 || len(c.Exemptions) != 1 || c.Exemptions[0].Commit != nil || !c.Missed {
		t.Errorf("credential %+v", c)
	}
}

func TestComputeEmpty(t *testing.T) {
	p := Compute(Input{From: day("2026-01-01"), To: day("2026-12-31")})
	if p.FirstCommit != nil || p.LastCommit != nil || p.BaselineCommit != nil || p.Summary.OnTimePercent != nil {
		t.Errorf("empty pack: %+v", p)
	}
	if got := mustJSON(t, p); !strings.Contains(got, `"events": []`) || !strings.Contains(got, `"observations": []`) || !strings.Contains(got, `"credentials": []`) {
		t.Errorf("empty lists must be [] in JSON:\n%s", got)
	}
}

func TestCheckTickets(t *testing.T) {
	p := Compute(history())
	if got := p.Tickets(); strings.Join(got, ",") != "SEC-1,SEC-2" {
		t.Fatalf("tickets %v", got)
	}
	before := len(p.Observations)
	p.CheckTickets(map[string]TicketInfo{
		"SEC-1": {Found: true, Status: "Done", Done: true, DoneOn: day("2026-01-09")},
		// SEC-2 unknown to the tracker
	})
	var got []string
	for _, e := range p.Events {
		if e.Type == EventRotation && e.TicketStatus != nil {
			s := e.CredentialID + " " + *e.Ticket + " " + *e.TicketStatus
			if e.TicketDone != nil {
				s += " done " + e.TicketDone.String()
			}
			got = append(got, s)
		}
	}
	if want := "a SEC-1 Done done 2026-01-09|a SEC-2 "; strings.Join(got, "|") != want {
		t.Errorf("events %q, want %q", strings.Join(got, "|"), want)
	}
	if !p.TicketsChecked || len(p.Observations) != before+1 || p.Summary.Observations != before+1 {
		t.Fatalf("observations %d (were %d), summary %d", len(p.Observations), before, p.Summary.Observations)
	}
	i := slices.IndexFunc(p.Observations, func(o Observation) bool { return o.Kind == ObsTicketUnknown })
	if i < 0 || p.Observations[i].CredentialID != "a" || p.Observations[i].Date != day("2026-04-05") || p.Observations[i].Commit != "7777" {
		t.Errorf("observations %+v, want ticket-unknown for a on 2026-04-05", p.Observations)
	}
	p.CheckTickets(map[string]TicketInfo{"SEC-1": {Found: true, Status: "In Progress"}, "SEC-2": {Found: true, Status: "Done", Done: true}})
	kinds := map[string]int{}
	for _, o := range p.Observations {
		kinds[o.Kind]++
	}
	if kinds[ObsTicketNotDone] != 1 || kinds[ObsTicketUnknown] != 0 || len(p.Observations) != before+1 {
		t.Errorf("observation kinds %v, want the first call's replaced by one ticket-not-done", kinds)
	}
}

// TestComputeUnreadable: what history could not read is an observation on
// the day of the commit that made it (the first day of the period for the
// baseline's), naming the file, the commit and why; the credentials are
// what the adapter gave.
func TestComputeUnreadable(t *testing.T) {
	a0 := cred("a", 90, "2025-12-01")
	a1 := cred("a", 90, "2026-02-02", ticket("SEC-1"))
	const broken, baseline = "1111111111111111111111111111111111111111", "0000000000000000000000000000000000000b00"
	in := Input{
		From: day("2026-01-01"), To: day("2026-03-31"), Location: berlin,
		Baseline: list(a0), BaselineCommit: baseline,
		BaselineUnreadable: []Unreadable{{Path: "r/big.yaml", Commit: baseline, Reason: "is too large (5 MiB)"}},
		Commits: []Commit{
			// The broken commit changes nothing: the adapter gave the last
			// readable version for it.
			commit(broken, "2026-02-01T09:00:00Z", "rotate a",
				change("r/db.yaml", list(a0), list(a0))),
			commit("2222", "2026-02-03T09:00:00Z", "fix",
				change("r/db.yaml", list(a0), list(a1))),
		},
	}
	in.Commits[0].Unreadable = []Unreadable{
		{Path: "r/db.yaml", Commit: broken, Reason: "does not parse (line 3: YAML syntax error: oops)"},
		{Path: "r/x.yaml", CredentialID: "x", Commit: broken, Reason: "has no readable last_changed"},
	}
	p := Compute(in)
	var got []string
	for _, o := range p.Observations {
		got = append(got, fmt.Sprintf("%s %s %q %s: %s", o.Date, o.Kind, o.CredentialID, o.Commit, o.Message))
	}
	want := []string{
		`2026-01-01 unreadable-file "" 0000000000000000000000000000000000000b00: r/big.yaml at commit 000000000000 (a version from before the period, in force when it began) is too large (5 MiB); the pack keeps its last readable version (if any) until the file reads again`,
		`2026-02-01 unreadable-file "" 1111111111111111111111111111111111111111: r/db.yaml at commit 111111111111 does not parse (line 3: YAML syntax error: oops); the pack keeps its last readable version (if any) until the file reads again`,
		`2026-02-01 unreadable-entry "x" 1111111111111111111111111111111111111111: r/x.yaml at commit 111111111111: the entry of x has no readable last_changed; the pack keeps its last readable entry (if any) until it reads again`,
	}
	var unread []string
	for _, g := range got {
		if strings.Contains(g, "unreadable") {
			unread = append(unread, g)
		}
	}
	if strings.Join(unread, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(unread, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Events) != 1 || p.Events[0].Type != EventRotation || p.Events[0].Commit != "2222" || *p.Events[0].OldLastChanged != day("2025-12-01") {
		t.Errorf("events %+v, want the rotation of a in the fixing commit", p.Events)
	}
	if p.Summary.Observations != len(p.Observations) {
		t.Errorf("summary counts %d observations of %d", p.Summary.Observations, len(p.Observations))
	}
}
