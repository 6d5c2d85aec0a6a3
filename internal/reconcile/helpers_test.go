package reconcile_test

import (
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
)

var date = rotation.MustParseDate

// today is the pinned day of the unit tests: late February of a common
// year, so that due dates fall on month ends.
var today = date("2026-02-27")

// cred returns a credential last changed on last, rotated every period
// days, with a 14-day notice window.
func cred(id, last string, period int, opts ...func(*rotation.Credential)) *rotation.Credential {
	c := &rotation.Credential{
		ID:          id,
		Name:        strings.ToUpper(id[:1]) + strings.ReplaceAll(id[1:], "-", " "),
		Owner:       id + "-owner@example.com",
		PeriodDays:  period,
		LastChanged: date(last),
		NoticeDays:  14,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func assignee(id string) func(*rotation.Credential) {
	return func(c *rotation.Credential) { c.JiraAssignee = id }
}

func exempt(until string) func(*rotation.Credential) {
	return func(c *rotation.Credential) {
		c.Exemption = &rotation.Exemption{Until: date(until), Reason: "vendor migration", ApprovedBy: "ciso@example.com"}
	}
}

func register(priority string, creds ...*rotation.Credential) *rotation.Register {
	s := rotation.DefaultSettings()
	s.Jira.Project = "SEC"
	s.Jira.OverduePriority = priority
	return &rotation.Register{Settings: s, Credentials: creds}
}

// ticket returns an open ticket as the tracker reports it, in step with c
// on day: the summary, due date and assignee rotor would write.
func ticket(key string, c *rotation.Credential, extra ...string) rotation.Ticket {
	t := rotation.Ticket{
		Key:            key,
		CredentialID:   c.ID,
		Summary:        reconcile.Summary(c),
		DueDate:        c.NextDue(),
		AssigneeID:     c.JiraAssignee,
		Labels:         append([]string{rotation.LabelRotor, rotation.IdentityLabel(c.ID)}, extra...),
		StatusName:     "To Do",
		StatusCategory: rotation.CategoryNew,
	}
	return t
}

// line renders an action the way the tests compare them.
func line(a reconcile.Action) string {
	key := a.TicketKey
	if key == "" {
		key = "new"
	}
	return fmt.Sprintf("%s %s %s: %s", a.Kind, key, a.CredentialID, a.Describe())
}

func lines(p *reconcile.Plan) []string {
	out := []string{}
	for _, a := range p.Actions {
		out = append(out, line(a))
	}
	return out
}

func notices(ns []reconcile.Notice) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s %s %s", n.Kind, n.TicketKey, n.CredentialID))
	}
	return out
}
