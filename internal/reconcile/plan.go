package reconcile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

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
	fmt.Fprintf(&b, "%s (%s) is overdue by %s: its rotation was due on %s.", nameOr(c), c.ID, textsafe.Days(n), ev.NextDue)
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
