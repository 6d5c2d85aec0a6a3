package reconcile_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/register/registertest"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// largeToday is the day the generated register is evaluated on.
var largeToday = date("2026-11-27")

// largeRegister generates and loads a register of n credentials in which
// exactly withTicket credentials are due or overdue; the other credentials
// that would be due are moved to ok (rotated today). It returns the
// register and, for those credentials, open tickets in step with it.
func largeRegister(tb testing.TB, n, withTicket int) (*rotation.Register, []rotation.Ticket) {
	tb.Helper()
	dir := tb.TempDir()
	if _, err := registertest.Generate(dir, n, 100); err != nil {
		tb.Fatal(err)
	}
	v, err := validate.New()
	if err != nil {
		tb.Fatal(err)
	}
	res, err := v.Validate(context.Background(), validate.Options{Root: dir, Today: largeToday})
	if err != nil {
		tb.Fatal(err)
	}
	if res.Errors() > 0 || len(res.Register.Credentials) != n {
		tb.Fatalf("generated register: %d credentials, %d errors: %v", len(res.Register.Credentials), res.Errors(), res.Findings)
	}
	reg := res.Register
	reg.Settings.Jira.OverduePriority = "High"
	var tickets []rotation.Ticket
	for _, c := range reg.Credentials {
		ev := c.Evaluate(largeToday)
		if ev.Status != rotation.StatusDue && ev.Status != rotation.StatusOverdue {
			continue
		}
		if len(tickets) == withTicket {
			c.LastChanged = largeToday
			continue
		}
		labels := []string{rotation.LabelRotor, rotation.IdentityLabel(c.ID)}
		priority := ""
		if ev.Status == rotation.StatusOverdue {
			labels = append(labels, rotation.LabelOverdue)
			priority = "High"
		}
		tickets = append(tickets, rotation.Ticket{
			Key: "SEC-" + strconv.Itoa(len(tickets)+1), CredentialID: c.ID, Summary: reconcile.Summary(c), DueDate: ev.NextDue,
			AssigneeID: c.JiraAssignee, Labels: labels, Priority: priority, StatusName: "To Do", StatusCategory: rotation.CategoryNew,
		})
	}
	if len(tickets) != withTicket {
		tb.Fatalf("only %d credentials are due, want %d", len(tickets), withTicket)
	}
	return reg, tickets
}

// TestSyncCostGrowsWithChangesNotTheRegister: 10,000 credentials, 300 open
// tickets, nothing changed: three search pages of 100, no write.
func TestSyncCostGrowsWithChangesNotTheRegister(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and validates 10,000 credentials")
	}
	reg, tickets := largeRegister(t, 10000, 300)
	s := newSite(t, 100)
	for _, tk := range tickets {
		s.fake.AddIssue(jiratest.Issue{
			Key: tk.Key, Summary: tk.Summary, DueDate: tk.DueDate.String(), Labels: tk.Labels, Priority: tk.Priority,
		})
	}

	p, rs := s.sync(t, reg, largeToday)
	if !p.IsEmpty() || len(rs) != 0 {
		t.Fatalf("plan has %d actions: %q", len(p.Actions), lines(p)[:min(5, len(p.Actions))])
	}
	if p.Credentials != 10000 || p.OpenTickets != 300 || p.Unchanged != 300 || len(p.Warnings) != 0 || len(p.Notes) != 0 {
		t.Errorf("plan: %d credentials, %d open, %d unchanged, warnings %q, notes %q",
			p.Credentials, p.OpenTickets, p.Unchanged, notices(p.Warnings), notices(p.Notes))
	}
	if n := s.fake.CallsTo(routeSearch); n > 4 || n != 3 {
		t.Errorf("%d search requests, want 3 (300 tickets at 100 a page; at most 4)", n)
	}
	if s.fake.Writes() != 0 || s.fake.Total() != 3 {
		t.Errorf("requests = %v, want only the 3 search pages", s.fake.Calls())
	}
}

// BenchmarkPlan10000 plans 10,000 credentials against 300 open tickets
// in step with them; no I/O.
func BenchmarkPlan10000(b *testing.B) {
	reg, tickets := largeRegister(b, 10000, 300)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if p := reconcile.Compute(reg, largeToday, tickets); !p.IsEmpty() {
			b.Fatalf("plan has %d actions", len(p.Actions))
		}
	}
}

// BenchmarkPlan10000AllDue plans 10,000 credentials with no open ticket:
// every due or overdue credential gets a create.
func BenchmarkPlan10000AllDue(b *testing.B) {
	dir := b.TempDir()
	if _, err := registertest.Generate(dir, 10000, 100); err != nil {
		b.Fatal(err)
	}
	v, err := validate.New()
	if err != nil {
		b.Fatal(err)
	}
	res, err := v.Validate(context.Background(), validate.Options{Root: dir, Today: largeToday})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var p *reconcile.Plan
	for b.Loop() {
		p = reconcile.Compute(res.Register, largeToday, nil)
	}
	b.ReportMetric(float64(p.Counts.Create), "creates")
}
