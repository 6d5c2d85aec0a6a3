package reconcile_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// checkGolden compares got with testdata/name (see package golden).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), got)
}

// samplePlan has every kind of action, warning and note.
func samplePlan() *reconcile.Plan {
	gone := cred("old-vendor-key", "2025-06-01", 90)
	renamed := cred("stripe-key", "2026-01-20", 45, assignee("acc-2"), func(c *rotation.Credential) {
		c.Name = "Stripe | restricted_key <live>"
	})
	reg := register("High",
		cred("payments-db-admin", "2025-12-01", 90, assignee("5b10ac8d82e05b22cc7d4ef5"), func(c *rotation.Credential) {
			c.Name = "Payments DB admin"
		}),
		overdueCred(), renamed, okCred(), exemptCred(), monthEndCred(), cred("legacy-vpn", "2025-10-01", 60),
	)
	stale := ticket("SEC-4", renamed)
	stale.Summary, stale.DueDate, stale.AssigneeID = "Rotate Stripe key (stripe-key)", date("2026-02-28"), "acc-1"
	return reconcile.Compute(reg, today, []rotation.Ticket{
		stale,
		ticket("SEC-9", overdueCred()),
		ticket("SEC-12", overdueCred()),
		ticket("SEC-7", okCred()),
		ticket("SEC-8", exemptCred()),
		ticket("SEC-2", gone),
		ticket("SEC-3", monthEndCred()),
		{Key: "SEC-1", Summary: "Rotate by hand", Labels: []string{"rotor"}, StatusCategory: rotation.CategoryNew},
	})
}

func TestPlanOutput(t *testing.T) {
	tests := []struct {
		name  string
		plan  func() *reconcile.Plan
		write func(*reconcile.Plan, io.Writer) error
	}{
		{"plan.txt", samplePlan, (*reconcile.Plan).WriteText},
		{"plan.md", samplePlan, (*reconcile.Plan).WriteMarkdown},
		{"plan.json", samplePlan, (*reconcile.Plan).WriteJSON},
		{"empty-plan.txt", emptyPlan, (*reconcile.Plan).WriteText},
		{"empty-plan.md", emptyPlan, (*reconcile.Plan).WriteMarkdown},
		{"empty-plan.json", emptyPlan, (*reconcile.Plan).WriteJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(tt.plan(), &b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name+".golden", b.Bytes())
		})
	}
}

func emptyPlan() *reconcile.Plan {
	c := dueCred()
	return reconcile.Compute(register("High", c, okCred()), today, []rotation.Ticket{ticket("SEC-1", c)})
}

func sampleResults() reconcile.Results {
	p := samplePlan()
	var rs reconcile.Results
	for i, a := range p.Actions {
		r := reconcile.Result{Action: a, Key: a.TicketKey}
		switch {
		case a.Kind == reconcile.KindCreate && a.CredentialID == "legacy-vpn":
			r.Err = errors.New(`jira: create SEC ticket for legacy-vpn: 400 Bad Request: priority: "Specify the Priority (id or name) in the string format"`)
		case a.Kind == reconcile.KindCreate:
			r.Key = fmt.Sprintf("SEC-%d", 30+i)
		case a.Kind == reconcile.KindOrphan:
			r.Err = errors.New("jira: comment on ticket SEC-2: 403 Forbidden\n(the Jira user lacks a permission in the project: run rotor doctor)")
		}
		rs = append(rs, r)
	}
	return rs
}

func TestResultsOutput(t *testing.T) {
	tests := []struct {
		name    string
		results reconcile.Results
		write   func(reconcile.Results, io.Writer) error
	}{
		{"results.txt", sampleResults(), reconcile.Results.WriteText},
		{"results.md", sampleResults(), reconcile.Results.WriteMarkdown},
		{"results.json", sampleResults(), reconcile.Results.WriteJSON},
		{"no-results.txt", nil, reconcile.Results.WriteText},
		{"no-results.json", nil, reconcile.Results.WriteJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(tt.results, &b); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name+".golden", b.Bytes())
		})
	}
}

func TestPlanJSONRoundTrip(t *testing.T) {
	p := samplePlan()
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back reconcile.Plan
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Actions) != len(p.Actions) || back.Today != p.Today || back.Counts != p.Counts ||
		len(back.Warnings) != len(p.Warnings) || len(back.Notes) != len(p.Notes) {
		t.Errorf("decoded plan = %+v", back)
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReportWriteErrors(t *testing.T) {
	p := samplePlan()
	rs := sampleResults()
	for name, write := range map[string]func(io.Writer) error{
		"plan text": p.WriteText, "plan markdown": p.WriteMarkdown, "plan json": p.WriteJSON,
		"results text": rs.WriteText, "results markdown": rs.WriteMarkdown, "results json": rs.WriteJSON,
	} {
		if err := write(failWriter{}); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}
