package reconcile_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Credentials on the pinned day 2026-02-27.
var (
	// due 2026-03-01 (2025-12-01 + 90 crosses February's 28 days): due.
	dueCred = func() *rotation.Credential { return cred("db-admin", "2025-12-01", 90) }
	// due 2026-02-28, the last day of February: due.
	monthEndCred = func() *rotation.Credential { return cred("month-end", "2026-01-31", 28) }
	// due 2026-01-30: overdue by 28 days.
	overdueCred = func() *rotation.Credential { return cred("vpn-psk", "2025-11-01", 90) }
	// due 2026-05-02: ok.
	okCred = func() *rotation.Credential { return cred("ldap-bind", "2026-02-01", 90) }
	// overdue since 2025-01-31 but exempt until 2026-03-31.
	exemptCred = func() *rotation.Credential { return cred("legacy-ftp", "2025-01-01", 30, exempt("2026-03-31")) }
)

func TestComputeActions(t *testing.T) {
	withDue := func(tk rotation.Ticket, d string) rotation.Ticket {
		tk.DueDate = rotation.Date{}
		if d != "" {
			tk.DueDate = date(d)
		}
		return tk
	}
	withSummary := func(tk rotation.Ticket, s string) rotation.Ticket { tk.Summary = s; return tk }
	withAssignee := func(tk rotation.Ticket, a string) rotation.Ticket { tk.AssigneeID = a; return tk }
	done := func(tk rotation.Ticket) rotation.Ticket {
		tk.StatusName, tk.StatusCategory = "Done", rotation.CategoryDone
		return tk
	}
	gone := cred("gone-key", "2025-06-01", 90)

	tests := []struct {
		name      string
		today     rotation.Date // default: today
		priority  string        // default: High
		creds     []*rotation.Credential
		tickets   []rotation.Ticket
		want      []string
		unchanged int
		warnings  []string
		notes     []string
	}{
		{
			name: "empty register and no tickets",
			want: []string{},
		},
		{
			name:  "due and overdue credentials without a ticket are created, ok and exempt ones are not",
			creds: []*rotation.Credential{okCred(), overdueCred(), exemptCred(), dueCred(), monthEndCred()},
			want: []string{
				"create new db-admin: due 2026-03-01; labels rotor, rotor-db-admin",
				"create new month-end: due 2026-02-28; labels rotor, rotor-month-end",
				"create new vpn-psk: overdue by 28 days since 2026-01-30; labels rotor, rotor-vpn-psk, rotor-overdue; priority High",
			},
		},
		{
			name:  "a create carries the register's assignee",
			creds: []*rotation.Credential{cred("db-admin", "2025-12-01", 90, assignee("acc-7"))},
			want:  []string{"create new db-admin: due 2026-03-01; assignee acc-7; labels rotor, rotor-db-admin"},
		},
		{
			name:     "an overdue create without a configured priority only carries the label",
			priority: "-",
			creds:    []*rotation.Credential{overdueCred()},
			want:     []string{"create new vpn-psk: overdue by 28 days since 2026-01-30; labels rotor, rotor-vpn-psk, rotor-overdue"},
		},
		{
			name:      "tickets in step with the register need nothing",
			creds:     []*rotation.Credential{dueCred(), overdueCred(), okCred()},
			tickets:   []rotation.Ticket{ticket("SEC-1", dueCred()), ticket("SEC-2", overdueCred(), rotation.LabelOverdue)},
			want:      []string{},
			unchanged: 2,
		},
		{
			name:    "a moved due date updates the ticket",
			creds:   []*rotation.Credential{dueCred(), monthEndCred()},
			tickets: []rotation.Ticket{withDue(ticket("SEC-1", dueCred()), "2026-02-20"), ticket("SEC-2", monthEndCred())},
			want:    []string{"update SEC-1 db-admin: due date 2026-02-20 → 2026-03-01"},
			// SEC-2 is in step.
			unchanged: 1,
		},
		{
			name:    "a ticket without a due date gets one",
			creds:   []*rotation.Credential{monthEndCred()},
			tickets: []rotation.Ticket{withDue(ticket("SEC-1", monthEndCred()), "")},
			want:    []string{"update SEC-1 month-end: due date (none) → 2026-02-28"},
		},
		{
			name:    "a renamed credential updates the summary",
			creds:   []*rotation.Credential{dueCred()},
			tickets: []rotation.Ticket{withSummary(ticket("SEC-1", dueCred()), "Rotate old name (db-admin)")},
			want:    []string{"update SEC-1 db-admin: summary Rotate old name (db-admin) → Rotate Db admin (db-admin)"},
		},
		{
			name:    "the register's assignee replaces Jira's",
			creds:   []*rotation.Credential{cred("db-admin", "2025-12-01", 90, assignee("acc-2")), cred("month-end", "2026-01-31", 28, assignee("acc-3"))},
			tickets: []rotation.Ticket{withAssignee(ticket("SEC-1", dueCred()), "acc-1"), withAssignee(ticket("SEC-2", monthEndCred()), "")},
			want: []string{
				"update SEC-1 db-admin: assignee acc-1 → acc-2",
				"update SEC-2 month-end: assignee (none) → acc-3",
			},
		},
		{
			name:      "no jira_assignee never unassigns a person chosen in Jira",
			creds:     []*rotation.Credential{dueCred()},
			tickets:   []rotation.Ticket{withAssignee(ticket("SEC-1", dueCred()), "acc-1")},
			want:      []string{},
			unchanged: 1,
		},
		{
			name:    "summary, due date and assignee change together",
			creds:   []*rotation.Credential{cred("db-admin", "2025-12-01", 90, assignee("acc-2"))},
			tickets: []rotation.Ticket{withAssignee(withDue(withSummary(ticket("SEC-1", dueCred()), "Rotate x (db-admin)"), "2026-01-01"), "")},
			want:    []string{"update SEC-1 db-admin: summary Rotate x (db-admin) → Rotate Db admin (db-admin); due date 2026-01-01 → 2026-03-01; assignee (none) → acc-2"},
		},
		{
			name:    "an overdue ticket without the marker is escalated",
			creds:   []*rotation.Credential{overdueCred()},
			tickets: []rotation.Ticket{ticket("SEC-1", overdueCred())},
			want:    []string{"escalate SEC-1 vpn-psk: overdue by 28 days since 2026-01-30: comment, label rotor-overdue, priority High"},
		},
		{
			name:     "an escalation without a configured priority only comments and labels",
			priority: "-",
			creds:    []*rotation.Credential{overdueCred()},
			tickets:  []rotation.Ticket{ticket("SEC-1", overdueCred())},
			want:     []string{"escalate SEC-1 vpn-psk: overdue by 28 days since 2026-01-30: comment, label rotor-overdue"},
		},
		{
			name:    "an overdue ticket with a stale due date is updated and escalated",
			creds:   []*rotation.Credential{overdueCred()},
			tickets: []rotation.Ticket{withDue(ticket("SEC-1", overdueCred()), "2026-02-01")},
			want: []string{
				"update SEC-1 vpn-psk: due date 2026-02-01 → 2026-01-30",
				"escalate SEC-1 vpn-psk: overdue by 28 days since 2026-01-30: comment, label rotor-overdue, priority High",
			},
		},
		{
			name:    "a ticket whose credential left the register is orphaned",
			creds:   []*rotation.Credential{dueCred()},
			tickets: []rotation.Ticket{ticket("SEC-1", dueCred()), ticket("SEC-2", gone)},
			want:    []string{"orphan SEC-2 gone-key: no longer in the register: comment, label rotor-orphaned"},
			// SEC-1 is in step.
			unchanged: 1,
		},
		{
			name:    "an orphan already marked is only noted",
			tickets: []rotation.Ticket{ticket("SEC-2", gone, rotation.LabelOrphaned)},
			want:    []string{},
			notes:   []string{"orphaned SEC-2 gone-key"},
		},
		{
			name:     "two open tickets for a credential: the lowest key number is kept, no third is created",
			creds:    []*rotation.Credential{dueCred()},
			tickets:  []rotation.Ticket{withDue(ticket("SEC-10", dueCred()), "2026-01-01"), withDue(ticket("SEC-9", dueCred()), "2026-01-01")},
			want:     []string{"update SEC-9 db-admin: due date 2026-01-01 → 2026-03-01"},
			warnings: []string{"duplicate-ticket SEC-10 db-admin"},
		},
		{
			name:     "every open ticket of a removed credential is orphaned",
			tickets:  []rotation.Ticket{ticket("SEC-4", gone), ticket("SEC-3", gone)},
			want:     []string{"orphan SEC-3 gone-key: no longer in the register: comment, label rotor-orphaned", "orphan SEC-4 gone-key: no longer in the register: comment, label rotor-orphaned"},
			warnings: []string{"duplicate-ticket SEC-4 gone-key"},
		},
		{
			name:    "an open ticket for a credential that is ok again is noted, not written",
			creds:   []*rotation.Credential{okCred()},
			tickets: []rotation.Ticket{withDue(ticket("SEC-7", okCred()), "2026-02-10")},
			want:    []string{},
			notes:   []string{"not-due SEC-7 ldap-bind"},
		},
		{
			name:    "an open ticket for an exempt credential is noted, not written",
			creds:   []*rotation.Credential{exemptCred()},
			tickets: []rotation.Ticket{ticket("SEC-8", exemptCred())},
			want:    []string{},
			notes:   []string{"exempt SEC-8 legacy-ftp"},
		},
		{
			name:     "a rotor ticket without an identity label is reported and left alone",
			creds:    []*rotation.Credential{dueCred()},
			tickets:  []rotation.Ticket{{Key: "SEC-5", Summary: "Rotate by hand", Labels: []string{"rotor"}, StatusCategory: rotation.CategoryNew}},
			want:     []string{"create new db-admin: due 2026-03-01; labels rotor, rotor-db-admin"},
			warnings: []string{"no-identity-label SEC-5 "},
		},
		{
			name:    "a ticket in the done category is ignored",
			creds:   []*rotation.Credential{dueCred()},
			tickets: []rotation.Ticket{done(ticket("SEC-1", dueCred()))},
			want:    []string{"create new db-admin: due 2026-03-01; labels rotor, rotor-db-admin"},
		},
		{
			name:     "an id twice in the register is created once",
			creds:    []*rotation.Credential{dueCred(), dueCred()},
			want:     []string{"create new db-admin: due 2026-03-01; labels rotor, rotor-db-admin"},
			warnings: []string{"duplicate-id  db-admin"},
		},
		{
			name:     "an id twice in the register, the first entry ok, is not created for the second",
			creds:    []*rotation.Credential{cred("db-admin", "2026-02-20", 90), dueCred()},
			want:     []string{},
			warnings: []string{"duplicate-id  db-admin"},
		},
		{
			name:     "an id twice in the register, the first entry exempt, is not created for the second",
			creds:    []*rotation.Credential{cred("db-admin", "2025-01-01", 90, exempt("2026-06-30")), dueCred()},
			want:     []string{},
			warnings: []string{"duplicate-id  db-admin"},
		},
		{
			name:      "an id twice in the register with a ticket is acted on once",
			creds:     []*rotation.Credential{dueCred(), cred("db-admin", "2025-12-05", 90)},
			tickets:   []rotation.Ticket{ticket("SEC-1", dueCred())},
			want:      []string{},
			unchanged: 1,
			warnings:  []string{"duplicate-id  db-admin"},
		},
		{
			name:  "leap day due date",
			today: date("2028-02-20"),
			// 2027-12-31 + 60 days = 2028-02-29.
			creds:   []*rotation.Credential{cred("leap", "2027-12-31", 60)},
			tickets: []rotation.Ticket{withDue(ticket("SEC-1", cred("leap", "2027-12-31", 60)), "2028-03-01")},
			want:    []string{"update SEC-1 leap: due date 2028-03-01 → 2028-02-29"},
		},
		{
			name:  "the day after the due date is overdue by one day",
			today: date("2026-03-02"),
			creds: []*rotation.Credential{dueCred()},
			want:  []string{"create new db-admin: overdue by 1 day since 2026-03-01; labels rotor, rotor-db-admin, rotor-overdue; priority High"},
		},
		{
			name:  "the first day of the notice window is due",
			today: date("2026-02-15"),
			// 2026-03-01 minus 14 days.
			creds: []*rotation.Credential{dueCred(), cred("not-yet", "2025-12-02", 90)},
			want:  []string{"create new db-admin: due 2026-03-01; labels rotor, rotor-db-admin"},
		},
		{
			name:    "actions are ordered by kind, then credential id",
			creds:   []*rotation.Credential{overdueCred(), monthEndCred(), cred("a-first", "2026-01-01", 30), dueCred()},
			tickets: []rotation.Ticket{ticket("SEC-20", gone), ticket("SEC-3", overdueCred()), withDue(ticket("SEC-2", dueCred()), "2026-02-02")},
			want: []string{
				"create new a-first: overdue by 27 days since 2026-01-31; labels rotor, rotor-a-first, rotor-overdue; priority High",
				"create new month-end: due 2026-02-28; labels rotor, rotor-month-end",
				"update SEC-2 db-admin: due date 2026-02-02 → 2026-03-01",
				"escalate SEC-3 vpn-psk: overdue by 28 days since 2026-01-30: comment, label rotor-overdue, priority High",
				"orphan SEC-20 gone-key: no longer in the register: comment, label rotor-orphaned",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := tt.today
			if day.IsZero() {
				day = today
			}
			prio := tt.priority
			switch prio {
			case "":
				prio = "High"
			case "-":
				prio = ""
			}
			p := reconcile.Compute(register(prio, tt.creds...), day, tt.tickets)
			if got := lines(p); !slices.Equal(got, tt.want) {
				t.Errorf("actions:\n got %q\nwant %q", got, tt.want)
			}
			if p.Unchanged != tt.unchanged {
				t.Errorf("unchanged = %d, want %d", p.Unchanged, tt.unchanged)
			}
			if got, want := notices(p.Warnings), orEmpty(tt.warnings); !slices.Equal(got, want) {
				t.Errorf("warnings = %q, want %q", got, want)
			}
			if got, want := notices(p.Notes), orEmpty(tt.notes); !slices.Equal(got, want) {
				t.Errorf("notes = %q, want %q", got, want)
			}
			var c reconcile.Counts
			for _, a := range p.Actions {
				switch a.Kind {
				case reconcile.KindCreate:
					c.Create++
				case reconcile.KindUpdate:
					c.Update++
				case reconcile.KindEscalate:
					c.Escalate++
				case reconcile.KindOrphan:
					c.Orphan++
				}
			}
			if p.Counts != c || p.Counts.Total() != len(p.Actions) {
				t.Errorf("counts = %+v, want %+v", p.Counts, c)
			}
			if p.Credentials != len(tt.creds) {
				t.Errorf("credentials = %d, want %d", p.Credentials, len(tt.creds))
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestComputeCreateTicket(t *testing.T) {
	c := cred("payments-db-admin", "2025-12-01", 90, assignee("acc-1"), func(c *rotation.Credential) {
		c.Name = "Payments DB admin"
		c.Owner = "alice@example.com"
		c.Team = "payments"
		c.System = "postgres"
		c.Environment = "production"
		c.Criticality = rotation.CriticalityHigh
		c.Runbook = "https://wiki.example.com/runbooks/payments-db"
	})
	p := reconcile.Compute(register("High", c), today, nil)
	if len(p.Actions) != 1 {
		t.Fatalf("actions = %q", lines(p))
	}
	a := p.Actions[0]
	want := rotation.NewTicket{
		CredentialID: "payments-db-admin",
		Summary:      "Rotate Payments DB admin (payments-db-admin)",
		Description: []rotation.Line{
			{Label: "Credential", Value: "payments-db-admin"},
			{Label: "Name", Value: "Payments DB admin"},
			{Label: "Owner", Value: "alice@example.com"},
			{Label: "Team", Value: "payments"},
			{Label: "System", Value: "postgres"},
			{Label: "Environment", Value: "production"},
			{Label: "Criticality", Value: "high"},
			{Label: "Last changed", Value: "2025-12-01"},
			{Label: "Rotation period", Value: "90 days"},
			{Label: "Due date", Value: "2026-03-01"},
			{Label: "Runbook", Value: "https://wiki.example.com/runbooks/payments-db", Link: "https://wiki.example.com/runbooks/payments-db"},
			{Value: reconcile.ManagedLine},
		},
		DueDate:    date("2026-03-01"),
		AssigneeID: "acc-1",
		Labels:     []string{"rotor", "rotor-payments-db-admin"},
		Fields:     rotation.CustomValues{CredentialName: "Payments DB admin", NextDueDate: date("2026-03-01"), ContactPerson: "alice@example.com"},
	}
	if a.NewTicket == nil || !reflect.DeepEqual(*a.NewTicket, want) {
		t.Errorf("new ticket:\n got %+v\nwant %+v", a.NewTicket, want)
	}
	if a.Update != nil || a.Comment != "" || a.TicketKey != "" {
		t.Errorf("a create carries an update, comment or key: %+v", a)
	}
	if a.Status != rotation.StatusDue || a.DueDate != date("2026-03-01") || a.DaysOverdue != 0 || a.Priority != "" {
		t.Errorf("action = %+v", a)
	}
}

// mapped is register with every custom field mapped.
func mapped(priority string, creds ...*rotation.Credential) *rotation.Register {
	reg := register(priority, creds...)
	reg.Settings.Jira.Fields = rotation.FieldMapping{CredentialName: "customfield_10050", NextDueDate: "customfield_10051", ContactPerson: "customfield_10052"}
	return reg
}

// inStep gives t the custom values rotor writes for c.
func inStep(t rotation.Ticket, c *rotation.Credential) rotation.Ticket {
	t.Fields = rotation.CustomValues{CredentialName: c.Name, NextDueDate: c.NextDue(), ContactPerson: c.Owner}
	return t
}

func TestComputeComparesCustomFields(t *testing.T) {
	c := dueCred()
	due := date("2026-03-01")
	tests := []struct {
		name       string
		reg        *rotation.Register
		ticket     func(rotation.Ticket) rotation.Ticket
		wantLines  []string
		wantFields *rotation.CustomValues
	}{
		{
			name:      "in step: nothing to write",
			reg:       mapped("High", c),
			ticket:    func(t rotation.Ticket) rotation.Ticket { return t },
			wantLines: []string{},
		},
		{
			name: "the owner changed: only the contact person is written",
			reg:  mapped("High", c),
			ticket: func(t rotation.Ticket) rotation.Ticket {
				t.Fields.ContactPerson = "previous@example.com"
				return t
			},
			wantLines:  []string{"update SEC-1 db-admin: contact person previous@example.com → db-admin-owner@example.com"},
			wantFields: &rotation.CustomValues{ContactPerson: "db-admin-owner@example.com"},
		},
		{
			name: "a field cleared in Jira is written again",
			reg:  mapped("High", c),
			ticket: func(t rotation.Ticket) rotation.Ticket {
				t.Fields.NextDueDate = rotation.Date{}
				return t
			},
			wantLines:  []string{"update SEC-1 db-admin: next due date (none) → 2026-03-01"},
			wantFields: &rotation.CustomValues{NextDueDate: due},
		},
		{
			name: "the due date moved: duedate and the Next Due Date field",
			reg:  mapped("High", c),
			ticket: func(t rotation.Ticket) rotation.Ticket {
				t.DueDate, t.Fields.NextDueDate = date("2026-02-01"), date("2026-02-01")
				return t
			},
			wantLines:  []string{"update SEC-1 db-admin: due date 2026-02-01 → 2026-03-01; next due date 2026-02-01 → 2026-03-01"},
			wantFields: &rotation.CustomValues{NextDueDate: due},
		},
		{
			name: "the summary changed, the fields did not: no field is written",
			reg:  mapped("High", c),
			ticket: func(t rotation.Ticket) rotation.Ticket {
				t.Summary = "Rotate something"
				return t
			},
			wantLines: []string{"update SEC-1 db-admin: summary Rotate something → Rotate Db admin (db-admin)"},
		},
		{
			name: "unmapped fields are neither compared nor written",
			reg:  register("High", c),
			ticket: func(t rotation.Ticket) rotation.Ticket {
				t.Fields = rotation.CustomValues{}
				t.DueDate = date("2026-02-01")
				return t
			},
			wantLines: []string{"update SEC-1 db-admin: due date 2026-02-01 → 2026-03-01"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := tt.ticket(inStep(ticket("SEC-1", c), c))
			p := reconcile.Compute(tt.reg, today, []rotation.Ticket{tk})
			if got := lines(p); !slices.Equal(got, tt.wantLines) {
				t.Fatalf("plan:\n got %q\nwant %q", got, tt.wantLines)
			}
			if len(p.Actions) == 0 {
				if p.Unchanged != 1 {
					t.Errorf("unchanged = %d, want 1", p.Unchanged)
				}
				return
			}
			u := p.Actions[0].Update
			switch {
			case tt.wantFields == nil && u.Fields != nil:
				t.Errorf("update writes the custom fields %+v, which did not change", *u.Fields)
			case tt.wantFields != nil && (u.Fields == nil || *u.Fields != *tt.wantFields):
				t.Errorf("update fields = %+v, want %+v", u.Fields, *tt.wantFields)
			}
		})
	}
}

func TestComputeEscalation(t *testing.T) {
	c := overdueCred()
	c.Name, c.Owner, c.Team = "VPN pre-shared key", "bob@example.com", "platform"
	p := reconcile.Compute(register("Highest", c), today, []rotation.Ticket{ticket("SEC-3", c)})
	if len(p.Actions) != 1 {
		t.Fatalf("actions = %q", lines(p))
	}
	a := p.Actions[0]
	for _, want := range []string{"VPN pre-shared key (vpn-psk) is overdue by 28 days", "due on 2026-01-30", "Owner: bob@example.com (team platform)", "priority to Highest", "move this ticket to Done"} {
		if !strings.Contains(a.Comment, want) {
			t.Errorf("comment %q does not say %q", a.Comment, want)
		}
	}
	if !strings.HasSuffix(a.Comment, "\n\nrotor:escalation vpn-psk 2026-01-30") {
		t.Errorf("comment %q does not end with its marker", a.Comment)
	}
	want := rotation.TicketUpdate{AddLabels: []string{rotation.LabelOverdue}, Priority: "Highest"}
	if a.Update == nil || !reflect.DeepEqual(*a.Update, want) {
		t.Errorf("update = %+v, want %+v", a.Update, want)
	}
	if a.DaysOverdue != 28 || a.TicketKey != "SEC-3" {
		t.Errorf("action = %+v", a)
	}
}

func TestComputeOrphan(t *testing.T) {
	p := reconcile.Compute(register(""), today, []rotation.Ticket{ticket("SEC-2", cred("gone-key", "2025-01-01", 30))})
	if len(p.Actions) != 1 {
		t.Fatalf("actions = %q", lines(p))
	}
	a := p.Actions[0]
	if !strings.Contains(a.Comment, "gone-key is no longer in the rotation register") || !strings.Contains(a.Comment, "never closes") ||
		!strings.HasSuffix(a.Comment, "\n\nrotor:orphaned gone-key") {
		t.Errorf("comment = %q", a.Comment)
	}
	want := rotation.TicketUpdate{AddLabels: []string{rotation.LabelOrphaned}}
	if a.Update == nil || !reflect.DeepEqual(*a.Update, want) {
		t.Errorf("update = %+v, want %+v", a.Update, want)
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("é", 200)
	tests := []struct {
		name, id, cname, want string
	}{
		{"plain", "db", "Payments DB", "Rotate Payments DB (db)"},
		{"line breaks folded", "db", "Payments\nDB \t admin", "Rotate Payments DB admin (db)"},
		{"no name", "db", "", "Rotate db"},
		{"long name cut within 255 bytes", "db", long, "Rotate " + strings.Repeat("é", 120) + "… (db)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reconcile.Summary(&rotation.Credential{ID: tt.id, Name: tt.cname})
			if got != tt.want {
				t.Errorf("Summary = %q, want %q", got, tt.want)
			}
			if len(got) > 255 {
				t.Errorf("Summary is %d bytes long", len(got))
			}
		})
	}
}

// TestComputeIsPureAndDeterministic checks that the plan depends on the
// tickets, not on their order, and that Compute changes none of its inputs.
func TestComputeIsPureAndDeterministic(t *testing.T) {
	gone := cred("gone-key", "2025-06-01", 90)
	reg := register("High", dueCred(), overdueCred(), okCred(), exemptCred(), monthEndCred())
	tickets := []rotation.Ticket{
		ticket("SEC-1", gone), ticket("SEC-12", dueCred()), ticket("SEC-2", overdueCred()),
		ticket("SEC-11", dueCred()), ticket("SEC-5", okCred()), ticket("SEC-6", exemptCred()),
		ticket("SEC-7", gone, rotation.LabelOrphaned),
	}
	want := reconcile.Compute(reg, today, tickets)
	saved := slices.Clone(tickets)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		r.Shuffle(len(tickets), func(i, j int) { tickets[i], tickets[j] = tickets[j], tickets[i] })
		shuffled := slices.Clone(tickets)
		got := reconcile.Compute(reg, today, tickets)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("plan depends on the order of the tickets:\n got %+v\nwant %+v", got, want)
		}
		if !reflect.DeepEqual(tickets, shuffled) {
			t.Fatal("Compute changed its tickets")
		}
	}
	slices.SortFunc(tickets, func(a, b rotation.Ticket) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(saved, func(a, b rotation.Ticket) int { return strings.Compare(a.Key, b.Key) })
	if !reflect.DeepEqual(tickets, saved) {
		t.Error("Compute changed a ticket")
	}
}

func TestDescriptionDates(t *testing.T) {
	for _, d := range []string{"2026-02-28", "2028-02-29", "1970-01-01", "9999-12-30", "2026-12-31"} {
		c := &rotation.Credential{ID: "x", LastChanged: date(d), PeriodDays: 1}
		lines := reconcile.Description(c)
		if lines[1].Label != "Last changed" || lines[1].Value != d || lines[3].Value != date(d).AddDays(1).String() {
			t.Errorf("description of a credential last changed on %s: %+v", d, lines)
		}
	}
}

func TestComputeDeescalation(t *testing.T) {
	c := dueCred()
	tk := ticket("SEC-5", c, rotation.LabelOverdue)
	p := reconcile.Compute(register("High", c), today, []rotation.Ticket{tk})
	if len(p.Actions) != 1 || p.Actions[0].Kind != reconcile.KindUpdate {
		t.Fatalf("actions = %q", lines(p))
	}
	a := p.Actions[0]
	if a.Update == nil || !reflect.DeepEqual(a.Update.RemoveLabels, []string{rotation.LabelOverdue}) || len(a.Update.AddLabels) != 0 {
		t.Fatalf("update = %+v", a.Update)
	}
	if got := a.Describe(); !strings.Contains(got, "remove label rotor-overdue") {
		t.Errorf("describe = %q", got)
	}
}

func TestSummaryOfAnOverlongID(t *testing.T) {
	c := &rotation.Credential{ID: strings.Repeat("x", 300), Name: "A name"}
	if got := reconcile.Summary(c); !strings.HasPrefix(got, "Rotate ") || !strings.HasSuffix(got, c.ID+")") {
		t.Errorf("Summary = %q", got)
	}
}
