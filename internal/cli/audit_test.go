package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func auditEntry(id string, period int, lastChanged, extra string) string {
	return fmt.Sprintf("  - id: %s\n    name: Credential %s\n    owner: %s@example.com\n    team: platform\n    period_days: %d\n    last_changed: %s\n%s",
		id, id, id, period, lastChanged, extra)
}

func registerFile(entries ...string) string { return "credentials:\n" + strings.Join(entries, "") }

// auditRepo is a register repository with known events at known dates,
// committed in several zones: a rotation recorded by rotor and merged as
// pull request #12 (late), a hand-edited rotation without a ticket, a
// squash-merged rotor rotation (#13), an added credential with an
// exemption its owner approved, a period raised while overdue, a backward
// edit, a removed file and a credential added with a future date.
func auditRepo(t *testing.T) (dir string, hashes map[string]string) {
	t.Helper()
	gittest.Require(t)
	dir = t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	const settings = "timezone: Europe/Berlin\n"
	a0 := auditEntry("a", 90, "2025-10-01", "")
	b0 := auditEntry("b", 30, "2025-12-15", "")
	c0 := auditEntry("c", 365, "2025-06-01", "")
	a1 := auditEntry("a", 90, "2026-01-09", "    last_ticket: SEC-1\n")
	b1 := auditEntry("b", 30, "2026-01-14", "")
	b2 := auditEntry("b", 30, "2026-02-10", "    last_ticket: SEC-3\n")
	b3 := auditEntry("b", 60, "2026-02-10", "    last_ticket: SEC-3\n")
	c1 := auditEntry("c", 365, "2025-05-01", "")
	d1 := auditEntry("d", 200, "2026-01-01", "    exemption:\n      until: 2026-02-28\n      reason: vendor migration\n      approved_by: d@example.com\n")
	e1 := auditEntry("e", 90, "2026-05-10", "")
	newYork := time.FixedZone("-05", -5*3600)
	tokyo := time.FixedZone("+09", 9*3600)
	reg := "credential_rotation/"
	h := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2025, 12, 20, 9, 0, 0, 0, time.UTC), Message: "register\n", Files: map[string]string{
			reg + "rotor.yaml": settings, reg + "db.yaml": registerFile(a0, b0), reg + "legacy.yaml": registerFile(c0)}},
	})
	hashes = map[string]string{"base": h[0]}
	gittest.Git(t, dir, "branch", "-q", "rotor/record/a", "main")
	side := gittest.Import(t, dir, "rotor/record/a", []gittest.Commit{
		{When: time.Date(2026, 1, 9, 15, 0, 0, 0, time.UTC), Author: "rotor <rotor@example.com>",
			Message: "Record rotation of a (SEC-1)\n\nSEC-1 was done.\n\nRotor-Credential: a\nRotor-Ticket: SEC-1\n",
			Files:   map[string]string{reg + "db.yaml": registerFile(a1, b0)}},
	})
	hashes["record-a"] = side[0]
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	// 20:00 in New York on the 10th is the 11th in Berlin.
	gittest.GitAt(t, dir, time.Date(2026, 1, 10, 20, 0, 0, 0, newYork), "merge", "-q", "--no-ff", "-m", "Merge pull request #12 from acme/rotor/record/a", "rotor/record/a")
	hashes["merge-a"] = strings.TrimSpace(gittest.Git(t, dir, "rev-parse", "HEAD"))
	rest := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 1, 14, 9, 0, 0, 0, time.UTC), Message: "b rotated\n",
			Files: map[string]string{reg + "db.yaml": registerFile(a1, b1)}},
		{When: time.Date(2026, 2, 1, 10, 0, 0, 0, tokyo), Message: "Add d\n",
			Files: map[string]string{reg + "vendor.yaml": registerFile(d1)}},
		{When: time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC), Author: "Bob <bob@example.com>", Committer: "GitHub <noreply@github.com>",
			Message: "Record rotation of b (SEC-3) (#13)\n\n* Record rotation of b (SEC-3)\n\nRotor-Credential: b\nRotor-Ticket: SEC-3\n",
			Files:   map[string]string{reg + "db.yaml": registerFile(a1, b2)}},
		{When: time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC), Message: "Give b more time\n",
			Files: map[string]string{reg + "db.yaml": registerFile(a1, b3)}},
		{When: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, 20), Message: "Fix c's date\n",
			Files: map[string]string{reg + "legacy.yaml": registerFile(c1)}},
		{When: time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC), Message: "Retire c\n", Delete: []string{reg + "legacy.yaml"}},
		{When: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), Message: "Add e\n",
			Files: map[string]string{reg + "new.yaml": registerFile(e1)}},
	})
	for i, name := range []string{"hand-b", "add-d", "squash-b", "policy-b", "backdate-c", "remove-c", "add-e"} {
		hashes[name] = rest[i]
	}
	gittest.Git(t, dir, "reset", "-q", "--hard")
	return dir, hashes
}

type auditJSON struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	FirstCommit *string `json:"first_commit"`
	LastCommit  *string `json:"last_commit"`
	Summary     struct {
		Credentials int `json:"credentials"`
		Rotations   int `json:"rotations"`
		OnTime      int `json:"on_time"`
		Late        int `json:"late"`
		Missed      int `json:"missed"`
		OverdueDays int `json:"overdue_days"`
	} `json:"summary"`
	Events []struct {
		Type            string  `json:"type"`
		CredentialID    string  `json:"credential_id"`
		Date            string  `json:"date"`
		Commit          string  `json:"commit"`
		Author          string  `json:"author"`
		OldLastChanged  string  `json:"old_last_changed"`
		NewLastChanged  string  `json:"new_last_changed"`
		DueDate         string  `json:"due_date"`
		DaysLate        int     `json:"days_late"`
		Ticket          string  `json:"ticket"`
		PR              *int    `json:"pr"`
		RecordedByRotor bool    `json:"recorded_by_rotor"`
		OldPeriodDays   int     `json:"old_period_days"`
		NewPeriodDays   int     `json:"new_period_days"`
		ApprovedBy      *string `json:"approved_by"`
	} `json:"events"`
	Observations []struct {
		Kind         string `json:"kind"`
		CredentialID string `json:"credential_id"`
		Commit       string `json:"commit"`
		Message      string `json:"message"`
	} `json:"observations"`
}

func runAuditJSON(t *testing.T, dir string, args ...string) auditJSON {
	t.Helper()
	r := runRotor(t, nil, "", append([]string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--format", "json"}, args...)...)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var p auditJSON
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return p
}

func TestAuditFromHistory(t *testing.T) {
	dir, h := auditRepo(t)
	p := runAuditJSON(t, dir, "--from", "2026-01-01", "--to", "2026-06-30")
	if p.From != "2026-01-01" || p.To != "2026-06-30" || p.FirstCommit == nil || *p.FirstCommit != h["merge-a"] || p.LastCommit == nil || *p.LastCommit != h["add-e"] {
		t.Errorf("period %s..%s, first %v last %v", p.From, p.To, p.FirstCommit, p.LastCommit)
	}
	name := map[string]string{}
	for k, v := range h {
		name[v] = k
	}
	var got []string
	for _, e := range p.Events {
		s := fmt.Sprintf("%s %s %s %s", e.Date, e.CredentialID, e.Type, name[e.Commit])
		switch e.Type {
		case "rotation":
			s += fmt.Sprintf(" %s->%s due %s late %d ticket %q rotor %v by %s", e.OldLastChanged, e.NewLastChanged, e.DueDate, e.DaysLate, e.Ticket, e.RecordedByRotor, e.Author)
		case "policy":
			s += fmt.Sprintf(" %d->%d", e.OldPeriodDays, e.NewPeriodDays)
		}
		if e.PR != nil {
			s += fmt.Sprintf(" pr %d", *e.PR)
		}
		got = append(got, s)
	}
	want := []string{
		`2026-01-11 a rotation merge-a 2025-10-01->2026-01-09 due 2025-12-30 late 10 ticket "SEC-1" rotor true by Test <test@example.com> pr 12`,
		`2026-01-14 b rotation hand-b 2025-12-15->2026-01-14 due 2026-01-14 late 0 ticket "" rotor false by Test <test@example.com>`,
		`2026-02-01 d added add-d`,
		`2026-02-01 d exemption add-d`,
		`2026-02-10 b rotation squash-b 2026-01-14->2026-02-10 due 2026-02-13 late 0 ticket "SEC-3" rotor true by Bob <bob@example.com> pr 13`,
		`2026-03-20 b policy policy-b 30->60`,
		`2026-03-25 c removed remove-c`,
		`2026-05-01 e added add-e`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = got[:0]
	for _, o := range p.Observations {
		got = append(got, o.CredentialID+" "+o.Kind+" "+name[o.Commit])
	}
	want = []string{
		"b no-ticket hand-b",
		"b hand-edit hand-b",
		"d self-approved-exemption add-d",
		"b period-raised-while-due policy-b",
		"c backdated backdate-c",
		"e future-date add-e",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// a: overdue 2026-01-01..2026-01-10 = 10 days, rotated, due again
	// 2026-04-09 and overdue 2026-04-10..2026-06-30 = 82 days; b: due
	// 2026-03-12, overdue 2026-03-13..2026-03-19 = 7 days until the period
	// was raised (due 2026-04-11), then 2026-04-12..2026-06-30 = 80 days.
	// Both are missed.
	s := p.Summary
	if s.Credentials != 5 || s.Rotations != 3 || s.OnTime != 2 || s.Late != 1 || s.Missed != 2 || s.OverdueDays != 179 {
		t.Errorf("summary %+v", s)
	}
}

func TestAuditInAShallowClone(t *testing.T) {
	dir, _ := auditRepo(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, "", "clone", "-q", "--depth", "1", "file://"+dir, clone)
	r := runRotor(t, nil, "", "audit", "--register", filepath.Join(clone, "credential_rotation"), "--repo", clone, "--from", "2026-01-01", "--to", "2026-06-30")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "fetch-depth: 0") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestAuditBeforeTheRegisterExisted(t *testing.T) {
	dir, h := auditRepo(t)
	// A period that ends before the first commit: nothing to show, and
	// that is said, not an error.
	p := runAuditJSON(t, dir, "--from", "2025-01-01", "--to", "2025-06-30")
	if p.FirstCommit != nil || p.LastCommit != nil || len(p.Events) != 0 || len(p.Observations) != 0 || p.Summary.Credentials != 0 {
		t.Errorf("empty period: %+v", p)
	}
	// A period that begins before the register existed: its first commit
	// adds every credential.
	p = runAuditJSON(t, dir, "--from", "2025-12-01", "--to", "2025-12-31")
	var got []string
	for _, e := range p.Events {
		got = append(got, e.Date+" "+e.CredentialID+" "+e.Type)
		if e.Commit != h["base"] {
			t.Errorf("%s %s in commit %s, want the first commit", e.CredentialID, e.Type, e.Commit)
		}
	}
	if want := "2025-12-20 a added|2025-12-20 b added|2025-12-20 c added"; strings.Join(got, "|") != want {
		t.Errorf("events %q, want %q", strings.Join(got, "|"), want)
	}
	// a is due 2025-12-30: overdue on the 31st.
	if p.Summary.Credentials != 3 || p.Summary.OverdueDays != 1 || p.Summary.Missed != 1 {
		t.Errorf("summary %+v", p.Summary)
	}
}

func TestAuditIsTheSameFromAnyClone(t *testing.T) {
	dir, _ := auditRepo(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, "", "clone", "-q", "file://"+dir, clone)
	for _, format := range []string{"markdown", "csv", "json", "html"} {
		args := []string{"audit", "--from", "2026-01-01", "--to", "2026-06-30", "--format", format}
		a := runRotor(t, nil, "", append(args, "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir)...)
		b := runRotor(t, nil, "", append(args, "--register", filepath.Join(clone, "credential_rotation"), "--repo", clone)...)
		if a.code != ExitOK || b.code != ExitOK {
			t.Fatalf("%s: exit %d and %d\n%s\n%s", format, a.code, b.code, a.stderr, b.stderr)
		}
		if a.stdout != b.stdout {
			t.Errorf("%s: the pack differs between two clones of one history", format)
		}
		if strings.Contains(a.stdout, dir) {
			t.Errorf("%s: the pack names this machine's folder %s", format, dir)
		}
	}
}

func TestAuditOut(t *testing.T) {
	dir, _ := auditRepo(t)
	out := filepath.Join(t.TempDir(), "pack.csv")
	r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--from", "2026-01-01", "--to", "2026-06-30", "--format", "csv", "--out", out)
	if r.code != ExitOK || r.stdout != "" || !strings.Contains(r.stderr, "3 rotations") {
		t.Fatalf("exit %d stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// One header and one row per event (8), each ending in a newline.
	if n := strings.Count(string(data), "\n"); n != 9 {
		t.Errorf("%d lines in the CSV, want 9:\n%s", n, data)
	}
}

func TestAuditRefusesABadPeriod(t *testing.T) {
	dir, _ := auditRepo(t)
	reg := filepath.Join(dir, "credential_rotation")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "2026-13-01"}, "--from"},
		{[]string{"--to", "2026-02-30"}, "--to"},
		{[]string{"--from", "2026-06-01", "--to", "2026-05-01"}, "after --to"},
		{[]string{"--to", "2026-11-28"}, "after today"},
		{[]string{"--format", "pdf"}, "--format"},
	} {
		r := runRotor(t, nil, "", append([]string{"audit", "--register", reg, "--repo", dir}, tc.args...)...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %s", tc.args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestAuditDefaultPeriod(t *testing.T) {
	dir, _ := auditRepo(t)
	// runRotor's clock says 2026-11-27: the twelve months up to it.
	p := runAuditJSON(t, dir)
	if p.From != "2025-11-28" || p.To != "2026-11-27" {
		t.Errorf("default period %s..%s, want 2025-11-28..2026-11-27", p.From, p.To)
	}
}

func TestAuditNeverPrintsASecretFromHistory(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	// A secret committed before the leak guard existed, in a name, an
	// exemption reason and a commit title; removed since.
	const secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
	leaky := registerFile(auditEntry("pay", 30, "2026-01-01",
		"    exemption:\n      until: 2026-03-01\n      reason: waiting for "+secret+"\n      approved_by: ciso@example.com\n"))
	leaky = strings.Replace(leaky, "name: Credential pay", "name: Stripe "+secret, 1)
	clean := registerFile(auditEntry("pay", 30, "2026-02-01", "    last_ticket: SEC-1\n"))
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), Message: "add pay " + secret + "\n",
			Files: map[string]string{"credential_rotation/pay.yaml": leaky}},
		{When: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), Message: "rotate pay\n",
			Files: map[string]string{"credential_rotation/pay.yaml": clean}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	for _, format := range []string{"markdown", "csv", "json", "html"} {
		r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--from", "2026-01-01", "--to", "2026-03-31", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, secret) || strings.Contains(r.stdout, secret[8:]) {
			t.Errorf("%s: the pack prints the secret", format)
		}
		if !strings.Contains(r.stdout, "redacted") {
			t.Errorf("%s: the pack does not say what it redacted", format)
		}
	}
}

// TestAuditMergeOfAnOldBranchIsNotCreditedOldTrailers: a branch forked
// before the period, after a rotor record commit, carries a hand edit;
// its merge in the period is a hand edit, not a rotation rotor recorded.
func TestAuditMergeOfAnOldBranchIsNotCreditedOldTrailers(t *testing.T) {
	// The main commit after the fork comes with the right clock, and with
	// one a month behind its parent's; neither may matter.
	for name, docs := range map[string]time.Time{
		"clocks in order": time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC),
		"a clock behind":  time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC),
	} {
		t.Run(name, func(t *testing.T) { auditMergeOfAnOldBranch(t, docs) })
	}
}

func auditMergeOfAnOldBranch(t *testing.T, docs time.Time) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), Message: "register\n",
			Files: map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2025-05-01", ""))}},
		{When: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), Message: "Record rotation of a (SEC-1)\n\nRotor-Credential: a\nRotor-Ticket: SEC-1\n",
			Files: map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2025-06-02", "    last_ticket: SEC-1\n"))}},
	})
	gittest.Git(t, dir, "branch", "-q", "feature", "main")
	gittest.Import(t, dir, "main", []gittest.Commit{{When: docs, Message: "docs\n",
		Files: map[string]string{"README.md": "register\n"}}})
	gittest.Import(t, dir, "feature", []gittest.Commit{{When: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Message: "rotate a\n",
		Files: map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2026-01-05", "    last_ticket: SEC-2\n"))}}})
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	gittest.GitAt(t, dir, time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC), "merge", "-q", "--no-ff", "-m", "Merge pull request #5 from acme/feature", "feature")

	p := runAuditJSON(t, dir, "--from", "2026-01-01", "--to", "2026-01-31")
	if len(p.Events) != 1 || p.Events[0].Type != "rotation" || p.Events[0].RecordedByRotor {
		t.Fatalf("events %+v, want one rotation not recorded by rotor", p.Events)
	}
	if len(p.Observations) != 1 || p.Observations[0].Kind != "hand-edit" {
		t.Errorf("observations %+v, want one hand-edit", p.Observations)
	}
}

func TestAuditJira(t *testing.T) {
	dir, h := auditRepo(t)
	fake := jiratest.New(t)
	// SEC-1 done late on 9 January UTC (the 10th in Berlin); SEC-2 is not
	// in the history; SEC-3 still in progress.
	fake.SetNow(func() time.Time { return time.Date(2026, 1, 9, 23, 30, 0, 0, time.UTC) })
	for range 3 {
		fake.AddIssue(jiratest.Issue{Summary: "Rotate", Labels: []string{"rotor"}})
	}
	if err := fake.MoveTo("SEC-1", "Done"); err != nil {
		t.Fatal(err)
	}
	if err := fake.MoveTo("SEC-3", "In Progress"); err != nil {
		t.Fatal(err)
	}
	args := []string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--from", "2026-01-01", "--to", "2026-06-30", "--format", "json", "--jira", "--jira-project", "SEC"}
	r := runRotor(t, jiraEnv(fake), "", args...)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var p struct {
		TicketsChecked bool `json:"tickets_checked"`
		Events         []struct {
			Type         string  `json:"type"`
			CredentialID string  `json:"credential_id"`
			Ticket       string  `json:"ticket"`
			TicketStatus *string `json:"ticket_status"`
			TicketDone   *string `json:"ticket_done"`
		} `json:"events"`
		Observations []struct {
			Kind         string `json:"kind"`
			CredentialID string `json:"credential_id"`
			Commit       string `json:"commit"`
		} `json:"observations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range p.Events {
		if e.Type != "rotation" {
			continue
		}
		s := e.CredentialID + " " + cmp.Or(e.Ticket, "-")
		if e.TicketStatus != nil {
			s += " " + *e.TicketStatus
		}
		if e.TicketDone != nil {
			s += " done " + *e.TicketDone
		}
		got = append(got, s)
	}
	if want := "a SEC-1 Done done 2026-01-10|b -|b SEC-3 In Progress"; !p.TicketsChecked || strings.Join(got, "|") != want {
		t.Errorf("rotations %q, want %q", strings.Join(got, "|"), want)
	}
	var notDone []string
	for _, o := range p.Observations {
		if o.Kind == "ticket-not-done" || o.Kind == "ticket-unknown" {
			notDone = append(notDone, o.Kind+" "+o.CredentialID+" "+o.Commit)
		}
	}
	if want := "ticket-not-done b " + h["squash-b"]; strings.Join(notDone, "|") != want {
		t.Errorf("observations %q, want %q", notDone, want)
	}
	if n := fake.CallsTo("GET /rest/api/3/issue/{issueIdOrKey}"); n != 2 {
		t.Errorf("%d ticket reads, want 2 (one per ticket)", n)
	}

	// Without Jira settings: exit 2 before reading any history.
	r = runRotor(t, nil, "", args...)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_JIRA_URL") || r.stdout != "" {
		t.Errorf("without Jira: exit %d, stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestAuditOutDir(t *testing.T) {
	dir, _ := auditRepo(t)
	out := filepath.Join(t.TempDir(), "pack")
	base := []string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--from", "2026-01-01", "--to", "2026-06-30"}
	r := runRotor(t, nil, "", append(base, "--out-dir", out)...)
	if r.code != ExitOK || r.stdout != "" {
		t.Fatalf("exit %d stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	// Each file is what --format gives for it.
	for format, name := range map[string]string{"markdown": "audit.md", "csv": "audit.csv", "json": "audit.json", "html": "audit.html"} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		one := runRotor(t, nil, "", append(base, "--format", format)...)
		if one.code != ExitOK || one.stdout != string(got) {
			t.Errorf("%s differs from --format %s", name, format)
		}
	}
	r = runRotor(t, nil, "", append(base, "--out-dir", out, "--format", "csv")...)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--out-dir writes every format") {
		t.Errorf("--out-dir with --format: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAuditJiraFailureWritesNothing(t *testing.T) {
	dir, _ := auditRepo(t)
	out := filepath.Join(t.TempDir(), "pack.json")
	args := []string{"audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
		"--from", "2026-01-01", "--to", "2026-06-30", "--format", "json", "--jira", "--jira-project", "SEC", "--out", out}
	t.Run("token refused", func(t *testing.T) {
		fake := jiratest.New(t)
		env := jiraEnv(fake)
		env["ROTOR_JIRA_TOKEN"] = "wrong"
		r := runRotor(t, env, "", args...)
		// Refused before the history is read.
		if r.code != ExitFailed || !strings.Contains(r.stderr, "401") || !strings.Contains(r.stderr, "run without --jira") ||
			strings.Contains(r.stderr, "reading") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a pack was written: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		fake := jiratest.New(t)
		fake.Inject(jiratest.Fault{Method: "GET", PathPrefix: "/rest/api/3/issue/", Status: http.StatusServiceUnavailable, RetryAfter: time.Hour, Times: 100})
		r := runRotor(t, jiraEnv(fake), "", append(args, "--timeout", "300ms")...)
		if r.code != ExitFailed || !strings.Contains(r.stderr, "of 2 tickets in Jira") || !strings.Contains(r.stderr, "raise --timeout (now 300ms)") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
		if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a pack was written: %v", err)
		}
		// Jira is down for the whole run: how many lookups reach it before
		// the first failure stops the others depends on the workers.
		fake.ClearFaults()
	})
	// --timeout bounds the Jira lookups only: without --jira it does not
	// limit reading history.
	r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--timeout", "1ns")
	if r.code != ExitOK {
		t.Errorf("without --jira, --timeout 1ns: exit %d\n%s", r.code, r.stderr)
	}
}

// TestAuditChainCommitOutsideThePeriodByItsClock: a merge on the chain
// whose clock is ahead of --to is not in the period's commits, but what
// it brought in is still not credited to the next merge.
func TestAuditChainCommitOutsideThePeriodByItsClock(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	gittest.Import(t, dir, "main", []gittest.Commit{{When: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), Message: "register\n",
		Files: map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2025-05-01", ""))}}})
	gittest.Git(t, dir, "branch", "-q", "feature1", "main")
	gittest.Import(t, dir, "feature1", []gittest.Commit{{When: time.Date(2025, 12, 20, 9, 0, 0, 0, time.UTC),
		Message: "Record rotation of a (SEC-1)\n\nRotor-Credential: a\nRotor-Ticket: SEC-1\n",
		Files:   map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2025-12-20", "    last_ticket: SEC-1\n"))}}})
	gittest.Git(t, dir, "branch", "-q", "feature2", "feature1")
	gittest.Import(t, dir, "feature2", []gittest.Commit{{When: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Message: "rotate a\n",
		Files: map[string]string{reg + "a.yaml": registerFile(auditEntry("a", 90, "2026-01-05", "    last_ticket: SEC-2\n"))}}})
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	// Merged with a clock a month ahead, then feature2 merged on time.
	gittest.GitAt(t, dir, time.Date(2026, 2, 10, 9, 0, 0, 0, time.UTC), "merge", "-q", "--no-ff", "-m", "Merge pull request #4 from acme/feature1", "feature1")
	gittest.GitAt(t, dir, time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC), "merge", "-q", "--no-ff", "-m", "Merge pull request #5 from acme/feature2", "feature2")

	p := runAuditJSON(t, dir, "--from", "2026-01-01", "--to", "2026-01-31")
	var got []string
	for _, e := range p.Events {
		got = append(got, fmt.Sprintf("%s %s rotor %v", e.Type, e.NewLastChanged, e.RecordedByRotor))
	}
	if want := "rotation 2026-01-05 rotor false"; strings.Join(got, "|") != want {
		t.Errorf("events %q, want %q", got, want)
	}
	if len(p.Observations) != 1 || p.Observations[0].Kind != "hand-edit" {
		t.Errorf("observations %+v, want one hand-edit", p.Observations)
	}
}

// slowTracker answers every ticket as done, after a pause.
type slowTracker struct {
	rotation.Tracker
	pause time.Duration
}

func (s slowTracker) Ticket(ctx context.Context, key string) (rotation.Ticket, error) {
	time.Sleep(s.pause)
	return rotation.Ticket{Key: key, StatusName: "Done", StatusCategory: rotation.CategoryDone}, nil
}

// TestCheckTicketsAnswersDecide: lookups that all answered are a success,
// even when the deadline passed while the last one came back.
func TestCheckTicketsAnswersDecide(t *testing.T) {
	ticket := "SEC-1"
	pack := &audit.Pack{Events: []audit.Event{{Type: audit.EventRotation, CredentialID: "a", Ticket: &ticket}}}
	err := checkTickets(context.Background(), slowTracker{pause: 50 * time.Millisecond}, pack, time.UTC, 10*time.Millisecond, func(string) {})
	if err != nil || !pack.TicketsChecked || pack.Events[0].TicketStatus == nil {
		t.Errorf("checkTickets: %v, pack %+v", err, pack.Events[0])
	}
}

func TestAuditOutDirNeverMixesTwoRuns(t *testing.T) {
	dir, _ := auditRepo(t)
	out := t.TempDir()
	for _, name := range []string{"audit.md", "audit.csv", "audit.html"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(out, "audit.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--out-dir", out)
	if r.code != ExitFailed || !strings.Contains(r.stderr, "not a regular file") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"audit.md", "audit.csv", "audit.html"} {
		if b, _ := os.ReadFile(filepath.Join(out, name)); string(b) != "old" {
			t.Errorf("%s was replaced", name)
		}
	}
}
