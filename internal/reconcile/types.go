package reconcile

import (
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Kind is what an action does to Jira.
type Kind string

// The kinds of action, in the order a plan lists them.
const (
	KindCreate   Kind = "create"
	KindUpdate   Kind = "update"
	KindEscalate Kind = "escalate"
	KindOrphan   Kind = "orphan"
)

// Kinds lists every kind in plan order.
var Kinds = []Kind{KindCreate, KindUpdate, KindEscalate, KindOrphan}

func (k Kind) rank() int {
	switch k {
	case KindCreate:
		return 0
	case KindUpdate:
		return 1
	case KindEscalate:
		return 2
	case KindOrphan:
		return 3
	}
	return 4
}

// Change is one field of a ticket that an update changes.
type Change struct {
	// Field is "summary", "due_date", "assignee", one of the mapped custom
	// fields ("credential_name", "next_due_date", "contact_person") or
	// "labels"; a labels change removes the label From (To is empty).
	Field string `json:"field"`
	From  string `json:"from"` // empty when unset
	To    string `json:"to"`
}

// String renders the change for people: "due date 2026-11-30 → 2026-12-05",
// "remove label rotor-overdue".
func (c Change) String() string {
	if c.Field == "labels" && c.To == "" {
		return "remove label " + c.From
	}
	return strings.ReplaceAll(c.Field, "_", " ") + " " + orNone(c.From) + " → " + orNone(c.To)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Action is one step of a plan. The exported fields describe it for people
// and for JSON; NewTicket, Update and Comment are what Apply sends.
type Action struct {
	Kind         Kind   `json:"kind"`
	CredentialID string `json:"credential_id"`
	// TicketKey is the ticket acted on; empty for a create.
	TicketKey string `json:"ticket_key,omitempty"`
	// Summary is the ticket's summary: the new one for a create, the
	// current one otherwise.
	Summary string `json:"summary,omitempty"`
	// Status is the credential's status; empty for an orphan.
	Status rotation.Status `json:"status,omitempty"`
	// DueDate is the credential's next due date; zero for an orphan.
	DueDate rotation.Date `json:"due_date,omitzero"`
	// DaysOverdue is set when the credential is overdue.
	DaysOverdue int `json:"days_overdue,omitempty"`
	// Assignee is the account a create assigns; empty: none.
	Assignee string `json:"assignee,omitempty"`
	// Priority is the priority the action sets, when it sets one.
	Priority string `json:"priority,omitempty"`
	// Labels are the labels the action puts on the ticket.
	Labels []string `json:"labels,omitempty"`
	// Changes are the fields an update changes.
	Changes []Change `json:"changes,omitempty"`
	// Comment is the comment an escalate or orphan adds; its last
	// paragraph is Marker.
	Comment string `json:"comment,omitempty"`
	// Marker is rotor's mark on the comment, by which Apply finds it
	// already posted: "rotor:escalation <id> <due date>",
	// "rotor:orphaned <id>".
	Marker string `json:"-"`

	// NewTicket is what a create sends.
	NewTicket *rotation.NewTicket `json:"-"`
	// Update is what an update, escalate or orphan sends; for the latter
	// two it runs after the comment.
	Update *rotation.TicketUpdate `json:"-"`
}

// Describe says in one line what the action does, without the kind and
// the names: "due date 2026-11-30 → 2026-12-05".
func (a *Action) Describe() string {
	switch a.Kind {
	case KindCreate:
		var parts []string
		if a.Status == rotation.StatusOverdue {
			parts = append(parts, fmt.Sprintf("overdue by %s since %s", textsafe.Days(a.DaysOverdue), a.DueDate))
		} else {
			parts = append(parts, "due "+a.DueDate.String())
		}
		if a.Assignee != "" {
			parts = append(parts, "assignee "+a.Assignee)
		}
		parts = append(parts, "labels "+strings.Join(a.Labels, ", "))
		if a.Priority != "" {
			parts = append(parts, "priority "+a.Priority)
		}
		return strings.Join(parts, "; ")
	case KindUpdate:
		parts := make([]string, len(a.Changes))
		for i, c := range a.Changes {
			parts[i] = c.String()
		}
		return strings.Join(parts, "; ")
	case KindEscalate:
		s := fmt.Sprintf("overdue by %s since %s: comment, label %s", textsafe.Days(a.DaysOverdue), a.DueDate, rotation.LabelOverdue)
		if a.Priority != "" {
			s += ", priority " + a.Priority
		}
		return s
	case KindOrphan:
		return "no longer in the register: comment, label " + rotation.LabelOrphaned
	}
	return ""
}

// NoticeKind says what a notice is about.
type NoticeKind string

// The kinds of notice.
const (
	// NoticeDuplicate: a second open ticket for one credential.
	NoticeDuplicate NoticeKind = "duplicate-ticket"
	// NoticeDuplicateID: an id that appears twice in the register.
	NoticeDuplicateID NoticeKind = "duplicate-id"
	// NoticeNoIdentity: a rotor ticket without a rotor-<id> label.
	NoticeNoIdentity NoticeKind = "no-identity-label"
	// NoticeNotDue: an open ticket for a credential that is ok.
	NoticeNotDue NoticeKind = "not-due"
	// NoticeExempt: an open ticket for an exempt credential.
	NoticeExempt NoticeKind = "exempt"
	// NoticeOrphaned: a ticket already marked orphaned, still open.
	NoticeOrphaned NoticeKind = "orphaned"
)

// Notice is something about an open ticket that rotor leaves alone and a
// person may want to act on.
type Notice struct {
	Kind         NoticeKind `json:"kind"`
	TicketKey    string     `json:"ticket_key,omitempty"`
	CredentialID string     `json:"credential_id,omitempty"`
	Text         string     `json:"text"`
}

// Counts are the number of actions of each kind.
type Counts struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Escalate int `json:"escalate"`
	Orphan   int `json:"orphan"`
}

// Total is the number of actions.
func (c Counts) Total() int { return c.Create + c.Update + c.Escalate + c.Orphan }

func (c *Counts) add(k Kind) {
	switch k {
	case KindCreate:
		c.Create++
	case KindUpdate:
		c.Update++
	case KindEscalate:
		c.Escalate++
	case KindOrphan:
		c.Orphan++
	}
}

// Plan is what sync will do, and what it noticed but leaves alone.
type Plan struct {
	// Today is the day the statuses were evaluated on.
	Today rotation.Date `json:"today"`
	// Credentials is the number of credentials in the register.
	Credentials int `json:"credentials"`
	// OpenTickets is the number of open rotor tickets found.
	OpenTickets int `json:"open_tickets"`
	// Unchanged is the number of open tickets that match the register
	// and need no write.
	Unchanged int `json:"unchanged"`
	// Counts are the actions by kind.
	Counts Counts `json:"counts"`
	// Actions, by kind (create, update, escalate, orphan), then
	// credential id, then ticket key.
	Actions []Action `json:"actions"`
	// Warnings are problems a person should fix in Jira or the register.
	Warnings []Notice `json:"warnings"`
	// Notes are open tickets rotor leaves alone on purpose.
	Notes []Notice `json:"notes"`
}

// IsEmpty reports whether the plan writes nothing.
func (p *Plan) IsEmpty() bool { return len(p.Actions) == 0 }
