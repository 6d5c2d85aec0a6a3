package rotation

import (
	"context"
	"time"
)

// Labels rotor puts on its tickets. LabelPrefix+id is the identity label
// that ties a ticket to one credential.
const (
	LabelRotor    = "rotor"
	LabelPrefix   = "rotor-"
	LabelOverdue  = "rotor-overdue"
	LabelOrphaned = "rotor-orphaned"
)

// IdentityLabel returns the label that ties a ticket to credential id.
func IdentityLabel(id string) string { return LabelPrefix + id }

// CredentialIDFromLabels returns the credential id carried by a rotor-<id>
// label, skipping rotor's own marker labels. ok is false when there is none.
func CredentialIDFromLabels(labels []string) (id string, ok bool) {
	for _, l := range labels {
		if l == LabelOverdue || l == LabelOrphaned || len(l) <= len(LabelPrefix) || l[:len(LabelPrefix)] != LabelPrefix {
			continue
		}
		if id := l[len(LabelPrefix):]; ValidID(id) {
			return id, true
		}
	}
	return "", false
}

// Status categories of a tracker ticket (Jira's statusCategory.key).
const (
	CategoryNew           = "new"
	CategoryIndeterminate = "indeterminate"
	CategoryDone          = "done"
)

// Ticket is a rotor ticket as the tracker holds it.
type Ticket struct {
	Key            string
	CredentialID   string // from the identity label; empty when it has none
	Summary        string
	DueDate        Date // zero when unset
	AssigneeID     string
	Labels         []string
	Priority       string
	StatusName     string
	StatusCategory string    // CategoryNew, CategoryIndeterminate or CategoryDone
	DoneAt         time.Time // when it reached the done category; zero if not done
	// Fields are the values of the custom fields the settings map, as the
	// tracker holds them; a member whose field is unmapped, or unset on
	// the ticket, is empty.
	Fields CustomValues
}

// HasLabel reports whether t carries label.
func (t *Ticket) HasLabel(label string) bool {
	for _, l := range t.Labels {
		if l == label {
			return true
		}
	}
	return false
}

// Line is one "Label: value" line of a ticket description; Link, when set,
// makes the value a hyperlink.
type Line struct {
	Label string
	Value string
	Link  string
}

// NewTicket is what rotor writes when it opens a ticket.
type NewTicket struct {
	CredentialID string
	Summary      string
	Description  []Line
	DueDate      Date
	AssigneeID   string // empty: leave unassigned
	Labels       []string
	Fields       CustomValues
}

// CustomValues are the values of the optional custom fields; the tracker
// writes only those whose field id the settings map.
type CustomValues struct {
	CredentialName string
	NextDueDate    Date
	ContactPerson  string
}

// TicketUpdate changes an open ticket. Nil and empty members are left alone.
type TicketUpdate struct {
	Summary      *string
	DueDate      *Date
	AssigneeID   *string // pointer to "" unassigns
	Fields       *CustomValues
	AddLabels    []string
	RemoveLabels []string
	Priority     string
}

// IsEmpty reports whether u changes nothing.
func (u *TicketUpdate) IsEmpty() bool {
	return u.Summary == nil && u.DueDate == nil && u.AssigneeID == nil && u.Fields == nil &&
		len(u.AddLabels) == 0 && len(u.RemoveLabels) == 0 && u.Priority == ""
}

// Tracker is the issue tracker rotor keeps in step with the register (Jira).
// Implementations retry transient failures themselves and return errors that
// say what the tracker answered.
type Tracker interface {
	// OpenTickets returns every rotor ticket that is not done.
	OpenTickets(ctx context.Context) ([]Ticket, error)
	// Ticket returns one ticket by key, whatever its status.
	Ticket(ctx context.Context, key string) (Ticket, error)
	// Create opens a ticket and returns its key.
	Create(ctx context.Context, t NewTicket) (string, error)
	// Update edits an open ticket.
	Update(ctx context.Context, key string, u TicketUpdate) error
	// Comment adds a plain-text comment (paragraphs split on blank lines).
	Comment(ctx context.Context, key, text string) error
	// Comments returns the plain text of every comment on a ticket, oldest
	// first (paragraphs joined by blank lines).
	Comments(ctx context.Context, key string) ([]string, error)
}
