package reconcile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
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
			parts = append(parts, fmt.Sprintf("overdue by %s since %s", days(a.DaysOverdue), a.DueDate))
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
		s := fmt.Sprintf("overdue by %s since %s: comment, label %s", days(a.DaysOverdue), a.DueDate, rotation.LabelOverdue)
		if a.Priority != "" {
			s += ", priority " + a.Priority
		}
		return s
	case KindOrphan:
		return "no longer in the register: comment, label " + rotation.LabelOrphaned
	}
	return ""
}

// days renders n days: "1 day", "3 days".
func days(n int) string {
	if n == 1 || n == -1 {
		return strconv.Itoa(n) + " day"
	}
	return strconv.Itoa(n) + " days"
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

// ManagedLine closes every description rotor writes.
const ManagedLine = "Managed by rotor: edit the register, not this ticket; move it to Done when the credential is rotated."

// Summary is the summary of the ticket of c: "Rotate <name> (<id>)",
// on one line and within Jira's 255 characters.
func Summary(c *rotation.Credential) string {
	name := c.Name
	if !tidy(name) {
		name = strings.Join(strings.Fields(name), " ")
	}
	if name == "" {
		return "Rotate " + c.ID
	}
	suffix := " (" + c.ID + ")"
	const max = 255
	if room := max - len("Rotate ") - len(suffix); len(name) > room {
		name = truncate(name, room-len("…")) + "…"
	}
	return "Rotate " + name + suffix
}

// tidy reports whether s is a single line without leading, trailing or
// repeated spaces, as strings.Fields would leave it.
func tidy(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case b < ' ' || b == 0x7f || b >= 0x80:
			return false // control characters, and non-ASCII spaces: take the slow path
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// dateText is d.String() without fmt: a first sync of a large register
// writes thousands of dates.
func dateText(d rotation.Date) string {
	if d.IsZero() || d.Year < 0 || d.Year > 9999 {
		return d.String()
	}
	b := [10]byte{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'}
	put := func(at, n, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, d.Year, 4)
	put(5, int(d.Month), 2)
	put(8, d.Day, 2)
	return string(b[:])
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0) // an id too long to leave room for any name

	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Description is the body of the ticket of c, one line per known field,
// closed by ManagedLine.
func Description(c *rotation.Credential) []rotation.Line {
	due := c.NextDue()
	lines := make([]rotation.Line, 0, 13)
	add := func(label, value string) {
		if value != "" {
			lines = append(lines, rotation.Line{Label: label, Value: value})
		}
	}
	add("Credential", c.ID)
	add("Name", c.Name)
	add("Owner", c.Owner)
	add("Team", c.Team)
	add("System", c.System)
	add("Environment", c.Environment)
	add("Criticality", string(c.Criticality))
	add("Description", c.Description)
	add("Last changed", dateText(c.LastChanged))
	if c.PeriodDays > 0 {
		add("Rotation period", days(c.PeriodDays))
	}
	add("Due date", dateText(due))
	if c.Runbook != "" {
		lines = append(lines, rotation.Line{Label: "Runbook", Value: c.Runbook, Link: c.Runbook})
	}
	lines = append(lines, rotation.Line{Value: ManagedLine})
	return lines
}

// customValues are the custom-field values of c's ticket.
func customValues(c *rotation.Credential, due rotation.Date) rotation.CustomValues {
	return rotation.CustomValues{CredentialName: c.Name, NextDueDate: due, ContactPerson: c.Owner}
}

// group is the open tickets of one credential, oldest first.
type group struct {
	tickets []*rotation.Ticket
	matched bool // a credential of the register claimed it
}

// Compute plans the reconciliation of the open tickets with the register on
// today. It is pure: it reads its arguments and changes none of them.
// open holds every open rotor ticket (rotation.Tracker.OpenTickets); a
// ticket in the done category is ignored.
func Compute(reg *rotation.Register, today rotation.Date, open []rotation.Ticket) *Plan {
	p := &Plan{Today: today, Credentials: len(reg.Credentials), Actions: []Action{}, Warnings: []Notice{}, Notes: []Notice{}}
	priority := reg.Settings.Jira.OverduePriority
	mapping := reg.Settings.Jira.Fields

	// Group the open tickets by credential, oldest first.
	byID := make(map[string]*group, len(open))
	for i := range open {
		t := &open[i]
		if t.StatusCategory == rotation.CategoryDone {
			continue
		}
		p.OpenTickets++
		id := t.CredentialID
		if id == "" {
			id, _ = rotation.CredentialIDFromLabels(t.Labels)
		}
		if id == "" {
			p.Warnings = append(p.Warnings, Notice{Kind: NoticeNoIdentity, TicketKey: t.Key,
				Text: fmt.Sprintf("%s carries the %s label but no %s<id> label, so rotor cannot tell which credential it is for; add one or remove the %s label",
					t.Key, rotation.LabelRotor, rotation.LabelPrefix, rotation.LabelRotor)})
			continue
		}
		g := byID[id]
		if g == nil {
			g = &group{}
			byID[id] = g
		}
		g.tickets = append(g.tickets, t)
	}
	for id, g := range byID {
		if len(g.tickets) < 2 {
			continue
		}
		slices.SortFunc(g.tickets, func(a, b *rotation.Ticket) int { return compareKeys(a.Key, b.Key) })
		kept := g.tickets[0].Key
		for _, t := range g.tickets[1:] {
			p.Warnings = append(p.Warnings, Notice{Kind: NoticeDuplicate, TicketKey: t.Key, CredentialID: id,
				Text: fmt.Sprintf("%s is another open ticket for %s; rotor keeps %s up to date and leaves %s alone: close it in Jira", t.Key, id, kept, t.Key)})
		}
	}

	steps := make([]step, 0, 64)
	seen := make(map[string]bool, len(reg.Credentials)) // ids of the register acted on
	for _, c := range reg.Credentials {
		if seen[c.ID] {
			p.Warnings = append(p.Warnings, Notice{Kind: NoticeDuplicateID, CredentialID: c.ID,
				Text: fmt.Sprintf("%s appears more than once in the register; rotor acts on its first entry only: run rotor validate", c.ID)})
			continue
		}
		seen[c.ID] = true
		g := byID[c.ID]
		ev := c.Evaluate(today)
		if g == nil {
			if ev.Status == rotation.StatusDue || ev.Status == rotation.StatusOverdue {
				steps = append(steps, step{kind: KindCreate, id: c.ID, c: c, ev: ev})
			}
			continue
		}
		g.matched = true
		t := g.tickets[0]
		switch ev.Status {
		case rotation.StatusOK:
			p.Notes = append(p.Notes, Notice{Kind: NoticeNotDue, TicketKey: t.Key, CredentialID: c.ID,
				Text: fmt.Sprintf("%s is open but %s is ok, next due %s; close it in Jira if the rotation is done", t.Key, c.ID, ev.NextDue)})
			continue
		case rotation.StatusExempt:
			p.Notes = append(p.Notes, Notice{Kind: NoticeExempt, TicketKey: t.Key, CredentialID: c.ID,
				Text: fmt.Sprintf("%s is open but %s is exempt until %s; close it in Jira if no rotation is needed", t.Key, c.ID, c.Exemption.Until)})
			continue
		}
		n := len(steps)
		if _, ok := updateAction(c, ev, t, mapping); ok {
			steps = append(steps, step{kind: KindUpdate, id: c.ID, c: c, ev: ev, t: t})
		}
		if ev.Status == rotation.StatusOverdue && !t.HasLabel(rotation.LabelOverdue) {
			steps = append(steps, step{kind: KindEscalate, id: c.ID, c: c, ev: ev, t: t})
		}
		if len(steps) == n {
			p.Unchanged++
		}
	}

	// Tickets whose credential is not in the register.
	for id, g := range byID {
		if g.matched {
			continue
		}
		for _, t := range g.tickets {
			if t.HasLabel(rotation.LabelOrphaned) {
				p.Notes = append(p.Notes, Notice{Kind: NoticeOrphaned, TicketKey: t.Key, CredentialID: id,
					Text: fmt.Sprintf("%s is still open although %s left the register; close it in Jira", t.Key, id)})
				continue
			}
			steps = append(steps, step{kind: KindOrphan, id: id, t: t})
		}
	}

	// Build the actions in their final order, each in its final place:
	// a first sync of a large register plans thousands of creates.
	sortSteps(steps)
	p.Actions = make([]Action, len(steps))
	for i, st := range steps {
		switch st.kind {
		case KindCreate:
			p.Actions[i] = createAction(st.c, st.ev, priority)
		case KindUpdate:
			p.Actions[i], _ = updateAction(st.c, st.ev, st.t, mapping)
		case KindEscalate:
			p.Actions[i] = escalateAction(st.c, st.ev, st.t, priority)
		case KindOrphan:
			p.Actions[i] = orphanAction(st.id, st.t)
		}
		p.Counts.add(st.kind)
	}
	sortNotices(p.Warnings)
	sortNotices(p.Notes)
	return p
}

// step is an action decided but not yet built.
type step struct {
	kind Kind
	id   string
	c    *rotation.Credential // nil for an orphan
	ev   rotation.Evaluation
	t    *rotation.Ticket // nil for a create
}

// sortSteps orders steps by kind, then credential id, then ticket key.
func sortSteps(steps []step) {
	slices.SortFunc(steps, func(a, b step) int {
		if d := a.kind.rank() - b.kind.rank(); d != 0 {
			return d
		}
		if d := strings.Compare(a.id, b.id); d != 0 {
			return d
		}
		return compareKeys(a.key(), b.key())
	})
}

func (s *step) key() string {
	if s.t == nil {
		return ""
	}
	return s.t.Key
}

func sortNotices(ns []Notice) {
	slices.SortFunc(ns, func(a, b Notice) int {
		if d := strings.Compare(a.CredentialID, b.CredentialID); d != 0 {
			return d
		}
		if d := compareKeys(a.TicketKey, b.TicketKey); d != 0 {
			return d
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
}

// compareKeys orders issue keys by project, then number: SEC-9 < SEC-10.
func compareKeys(a, b string) int {
	pa, na := splitKey(a)
	pb, nb := splitKey(b)
	if d := strings.Compare(pa, pb); d != 0 {
		return d
	}
	if na != nb {
		if na < nb {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func splitKey(k string) (string, int) {
	i := strings.LastIndexByte(k, '-')
	if i < 0 {
		return k, -1
	}
	n, err := strconv.Atoi(k[i+1:])
	if err != nil {
		return k, -1
	}
	return k[:i], n
}

func createAction(c *rotation.Credential, ev rotation.Evaluation, priority string) Action {
	labels := []string{rotation.LabelRotor, rotation.IdentityLabel(c.ID)}
	a := Action{
		Kind:         KindCreate,
		CredentialID: c.ID,
		Summary:      Summary(c),
		Status:       ev.Status,
		DueDate:      ev.NextDue,
		Assignee:     c.JiraAssignee,
	}
	if ev.Status == rotation.StatusOverdue {
		labels = append(labels, rotation.LabelOverdue)
		a.DaysOverdue = -ev.DaysLeft
		a.Priority = priority
	}
	a.Labels = labels
	a.NewTicket = &rotation.NewTicket{
		CredentialID: c.ID,
		Summary:      a.Summary,
		Description:  Description(c),
		DueDate:      ev.NextDue,
		AssigneeID:   c.JiraAssignee,
		Labels:       labels,
		Fields:       customValues(c, ev.NextDue),
	}
	return a
}

func updateAction(c *rotation.Credential, ev rotation.Evaluation, t *rotation.Ticket, mapping rotation.FieldMapping) (Action, bool) {
	u := &rotation.TicketUpdate{}
	var changes []Change
	if s := Summary(c); s != t.Summary {
		u.Summary = &s
		changes = append(changes, Change{Field: "summary", From: t.Summary, To: s})
	}
	if ev.NextDue != t.DueDate {
		d := ev.NextDue
		u.DueDate = &d
		changes = append(changes, Change{Field: "due_date", From: t.DueDate.String(), To: d.String()})
	}
	if c.JiraAssignee != "" && c.JiraAssignee != t.AssigneeID {
		a := c.JiraAssignee
		u.AssigneeID = &a
		changes = append(changes, Change{Field: "assignee", From: t.AssigneeID, To: a})
	}
	// The search reads the mapped custom fields: only those that differ
	// are written. A value rotor has none for (never the case for these
	// required fields) is left alone, as the tracker writes no empty value.
	want, have := customValues(c, ev.NextDue), t.Fields
	var f rotation.CustomValues
	if mapping.CredentialName != "" && want.CredentialName != "" && want.CredentialName != have.CredentialName {
		f.CredentialName = want.CredentialName
		changes = append(changes, Change{Field: "credential_name", From: have.CredentialName, To: want.CredentialName})
	}
	if mapping.NextDueDate != "" && !want.NextDueDate.IsZero() && want.NextDueDate != have.NextDueDate {
		f.NextDueDate = want.NextDueDate
		changes = append(changes, Change{Field: "next_due_date", From: dateOrEmpty(have.NextDueDate), To: want.NextDueDate.String()})
	}
	if mapping.ContactPerson != "" && want.ContactPerson != "" && want.ContactPerson != have.ContactPerson {
		f.ContactPerson = want.ContactPerson
		changes = append(changes, Change{Field: "contact_person", From: have.ContactPerson, To: want.ContactPerson})
	}
	if f != (rotation.CustomValues{}) {
		u.Fields = &f
	}
	// A ticket escalated while its credential was overdue, whose credential
	// is no longer overdue (its period or last change moved), loses the
	// marker, so that a later overdue escalates it again.
	if ev.Status != rotation.StatusOverdue && t.HasLabel(rotation.LabelOverdue) {
		u.RemoveLabels = []string{rotation.LabelOverdue}
		changes = append(changes, Change{Field: "labels", From: rotation.LabelOverdue, To: ""})
	}
	if len(changes) == 0 {
		return Action{}, false
	}
	return Action{
		Kind:         KindUpdate,
		CredentialID: c.ID,
		TicketKey:    t.Key,
		Summary:      t.Summary,
		Status:       ev.Status,
		DueDate:      ev.NextDue,
		DaysOverdue:  overdueDays(ev),
		Changes:      changes,
		Update:       u,
	}, true
}

// dateOrEmpty is d as text, or "" when unset.
func dateOrEmpty(d rotation.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

func overdueDays(ev rotation.Evaluation) int {
	if ev.Status == rotation.StatusOverdue {
		return -ev.DaysLeft
	}
	return 0
}

func escalateAction(c *rotation.Credential, ev rotation.Evaluation, t *rotation.Ticket, priority string) Action {
	n := -ev.DaysLeft
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) is overdue by %s: its rotation was due on %s.", nameOr(c), c.ID, days(n), ev.NextDue)
	fmt.Fprintf(&b, "\n\nOwner: %s", c.Owner)
	if c.Team != "" {
		fmt.Fprintf(&b, " (team %s)", c.Team)
	}
	b.WriteString(".")
	if priority != "" {
		fmt.Fprintf(&b, " rotor raised the priority to %s.", priority)
	}
	b.WriteString("\n\nRotate the credential, then move this ticket to Done: rotor records the rotation in the register.")
	marker := EscalationMarker(c.ID, ev.NextDue)
	b.WriteString("\n\n" + marker)
	return Action{
		Kind:         KindEscalate,
		CredentialID: c.ID,
		TicketKey:    t.Key,
		Summary:      t.Summary,
		Status:       ev.Status,
		DueDate:      ev.NextDue,
		DaysOverdue:  n,
		Priority:     priority,
		Labels:       []string{rotation.LabelOverdue},
		Comment:      b.String(),
		Marker:       marker,
		Update:       &rotation.TicketUpdate{AddLabels: []string{rotation.LabelOverdue}, Priority: priority},
	}
}

func nameOr(c *rotation.Credential) string {
	if c.Name == "" {
		return c.ID
	}
	return c.Name
}

// EscalationMarker is the last paragraph of the escalation comment of
// credential id overdue since due: how Apply knows the comment is there.
func EscalationMarker(id string, due rotation.Date) string {
	return "rotor:escalation " + id + " " + due.String()
}

// OrphanMarker is the last paragraph of the comment that marks a ticket
// of credential id orphaned.
func OrphanMarker(id string) string { return "rotor:orphaned " + id }

func orphanAction(id string, t *rotation.Ticket) Action {
	marker := OrphanMarker(id)
	comment := fmt.Sprintf("The credential %s is no longer in the rotation register, so rotor no longer keeps this ticket up to date.", id) +
		"\n\nIf the credential was retired or renamed, close this ticket; if it was removed by mistake, restore its entry in the register. rotor never closes tickets itself." +
		"\n\n" + marker
	return Action{
		Kind:         KindOrphan,
		CredentialID: id,
		TicketKey:    t.Key,
		Summary:      t.Summary,
		Labels:       []string{rotation.LabelOrphaned},
		Comment:      comment,
		Marker:       marker,
		Update:       &rotation.TicketUpdate{AddLabels: []string{rotation.LabelOrphaned}},
	}
}
