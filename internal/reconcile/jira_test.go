package reconcile_test

// These tests run Compute and Apply through the real Jira adapter against
// the fake Jira Cloud, and count the requests it receives.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const (
	routeSearch  = "POST /rest/api/3/search/jql"
	routeCreate  = "POST /rest/api/3/issue"
	routeEdit    = "PUT /rest/api/3/issue/{issueIdOrKey}"
	routeComment = "POST /rest/api/3/issue/{issueIdOrKey}/comment"

	routeComments = "GET /rest/api/3/issue/{issueIdOrKey}/comment"
)

var mapping = rotation.FieldMapping{
	CredentialName: jiratest.FieldCredentialName,
	NextDueDate:    jiratest.FieldNextDueDate,
	ContactPerson:  jiratest.FieldContactPerson,
}

// site is a fake Jira and a real client of it.
type site struct {
	fake   *jiratest.Server
	client *jira.Client
	sleep  fakeapi.Sleeper // records the waits the client's retry policy asks for
}

// newSite starts a fake Jira that serves search pages of pageSize issues.
// The client waits for nothing: its retry policy records each wait.
func newSite(t *testing.T, pageSize int) *site {
	t.Helper()
	s := &site{fake: jiratest.New(t)}
	s.fake.SetPageSize(pageSize)
	c, err := jira.New(jira.Config{
		URL:             s.fake.URL,
		Email:           jiratest.Email,
		Token:           jiratest.Token,
		Project:         jiratest.ProjectKey,
		OverduePriority: "High",
		Fields:          mapping,
		HTTPClient:      s.fake.Client(),
		Retry: jira.RetryPolicy{
			BaseDelay: time.Millisecond,
			MaxDelay:  time.Millisecond,
			Jitter:    func(d time.Duration) time.Duration { return d },
			Sleep:     s.sleep.Sleep,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.client = c
	return s
}

func (s *site) Waits() []time.Duration { return s.sleep.Waits() }

// plan searches the open tickets and plans against reg on day.
func (s *site) plan(t *testing.T, reg *rotation.Register, day rotation.Date) *reconcile.Plan {
	t.Helper()
	open, err := s.client.OpenTickets(context.Background())
	if err != nil {
		t.Fatalf("OpenTickets: %v", err)
	}
	return reconcile.Compute(reg, day, open)
}

// sync runs what `rotor sync` runs after counting from zero: one search,
// the plan, and its application.
func (s *site) sync(t *testing.T, reg *rotation.Register, day rotation.Date) (*reconcile.Plan, reconcile.Results) {
	t.Helper()
	s.fake.ResetCounts()
	p := s.plan(t, reg, day)
	return p, reconcile.Apply(context.Background(), s.client, p, nil)
}

// openByCredential groups the fake's open rotor issues by credential id.
func (s *site) openByCredential() map[string][]jiratest.Issue {
	out := map[string][]jiratest.Issue{}
	for _, is := range s.fake.Issues() {
		if is.Status == "Done" || !slices.Contains(is.Labels, rotation.LabelRotor) {
			continue
		}
		id, _ := rotation.CredentialIDFromLabels(is.Labels)
		out[id] = append(out[id], is)
	}
	return out
}

// expectCalls checks the requests the fake got since the last reset.
func expectCalls(t *testing.T, fake *jiratest.Server, want map[string]int) {
	t.Helper()
	got := fake.Calls()
	for k, v := range got {
		if v == 0 {
			delete(got, k)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests = %v, want %v", got, want)
	}
}

func expectNoFailures(t *testing.T, rs reconcile.Results) {
	t.Helper()
	for _, r := range rs.Failed() {
		t.Errorf("%s %s failed: %v", r.Action.Kind, r.Action.CredentialID, r.Err)
	}
}

// smallRegister holds, on the pinned day: db-admin due 2026-03-01 and
// assigned, vpn-psk overdue since 2026-01-30, month-end due 2026-02-28,
// ldap-bind ok, legacy-ftp exempt.
func smallRegister() *rotation.Register {
	reg := register("High",
		cred("db-admin", "2025-12-01", 90, assignee("acc-db"), func(c *rotation.Credential) {
			c.Name, c.Owner, c.Team, c.System = "Payments DB admin", "alice@example.com", "payments", "postgres"
			c.Runbook = "https://wiki.example.com/runbooks/payments-db"
		}),
		overdueCred(), monthEndCred(), okCred(), exemptCred(),
	)
	reg.Settings.Jira.Fields = mapping
	return reg
}

// adfText collects the text of an ADF document.
func adfText(doc any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch n := v.(type) {
		case map[string]any:
			if s, ok := n["text"].(string); ok {
				b.WriteString(s)
			}
			if n["type"] == "paragraph" {
				defer b.WriteString("\n")
			}
			walk(n["content"])
		case []any:
			for _, x := range n {
				walk(x)
			}
		}
	}
	walk(doc)
	return b.String()
}

func TestSyncFirstRunCreatesSecondRunWritesNothing(t *testing.T) {
	s := newSite(t, 2)
	reg := smallRegister()

	p, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	if got, want := lines(p), []string{
		"create new db-admin: due 2026-03-01; assignee acc-db; labels rotor, rotor-db-admin",
		"create new month-end: due 2026-02-28; labels rotor, rotor-month-end",
		"create new vpn-psk: overdue by 28 days since 2026-01-30; labels rotor, rotor-vpn-psk, rotor-overdue; priority High",
	}; !slices.Equal(got, want) {
		t.Fatalf("first plan:\n got %q\nwant %q", got, want)
	}
	expectCalls(t, s.fake, map[string]int{routeSearch: 1, routeCreate: 3})

	type fields struct {
		Summary, DueDate, Assignee, Priority, Labels string
		Custom                                       string
	}
	want := map[string]fields{
		"db-admin": {"Rotate Payments DB admin (db-admin)", "2026-03-01", "acc-db", "", "rotor rotor-db-admin",
			`{"customfield_10050":"Payments DB admin","customfield_10051":"2026-03-01","customfield_10052":"alice@example.com"}`},
		"month-end": {"Rotate Month end (month-end)", "2026-02-28", "", "", "rotor rotor-month-end",
			`{"customfield_10050":"Month end","customfield_10051":"2026-02-28","customfield_10052":"month-end-owner@example.com"}`},
		"vpn-psk": {"Rotate Vpn psk (vpn-psk)", "2026-01-30", "", "High", "rotor rotor-vpn-psk rotor-overdue",
			`{"customfield_10050":"Vpn psk","customfield_10051":"2026-01-30","customfield_10052":"vpn-psk-owner@example.com"}`},
	}
	open := s.openByCredential()
	if len(open) != len(want) {
		t.Errorf("open tickets for %d credentials, want %d: %v", len(open), len(want), open)
	}
	for id, w := range want {
		if len(open[id]) != 1 {
			t.Errorf("%s: %d open tickets, want 1", id, len(open[id]))
			continue
		}
		is := open[id][0]
		custom, _ := json.Marshal(is.Custom)
		got := fields{is.Summary, is.DueDate, is.AssigneeID, is.Priority, strings.Join(is.Labels, " "), string(custom)}
		if got != w {
			t.Errorf("%s: ticket\n got %+v\nwant %+v", id, got, w)
		}
		if is.IssueType != jiratest.IssueTypeName || is.Status != "To Do" {
			t.Errorf("%s: %s in %q, want a %s in To Do", id, is.Key, is.Status, jiratest.IssueTypeName)
		}
	}
	db := open["db-admin"][0]
	wantDesc := "Credential: db-admin\nName: Payments DB admin\nOwner: alice@example.com\nTeam: payments\nSystem: postgres\n" +
		"Last changed: 2025-12-01\nRotation period: 90 days\nDue date: 2026-03-01\nRunbook: https://wiki.example.com/runbooks/payments-db\n" +
		reconcile.ManagedLine + "\n"
	if got := adfText(db.Desc); got != wantDesc {
		t.Errorf("description:\n got %q\nwant %q", got, wantDesc)
	}
	for i, r := range rs {
		if r.Key != open[r.Action.CredentialID][0].Key {
			t.Errorf("result %d key %q, the ticket is %s", i, r.Key, open[r.Action.CredentialID][0].Key)
		}
	}

	// The second run finds the three tickets in two pages and writes nothing.
	p, rs = s.sync(t, reg, today)
	if !p.IsEmpty() || len(rs) != 0 || p.Unchanged != 3 || p.OpenTickets != 3 {
		t.Errorf("second plan = %q, unchanged %d of %d open", lines(p), p.Unchanged, p.OpenTickets)
	}
	expectCalls(t, s.fake, map[string]int{routeSearch: 2}) // ceil(3 open / 2 a page)
	if s.fake.Writes() != 0 {
		t.Errorf("second run wrote %d times", s.fake.Writes())
	}
}

func TestSyncFollowsTheRegister(t *testing.T) {
	s := newSite(t, 2)
	reg := smallRegister()
	_, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	before := map[string]jiratest.Issue{}
	for id, iss := range s.openByCredential() {
		before[id] = iss[0]
	}

	t.Run("an edited credential updates its ticket only", func(t *testing.T) {
		db := reg.ByID("db-admin")
		db.LastChanged, db.PeriodDays = date("2025-12-10"), 89 // due 2026-03-09
		p, rs := s.sync(t, reg, today)
		expectNoFailures(t, rs)
		key := before["db-admin"].Key
		if got, want := lines(p), []string{"update " + key + " db-admin: due date 2026-03-01 → 2026-03-09; next due date 2026-03-01 → 2026-03-09"}; !slices.Equal(got, want) {
			t.Fatalf("plan = %q, want %q", got, want)
		}
		expectCalls(t, s.fake, map[string]int{routeSearch: 2, routeEdit: 1})
		for _, ex := range s.fake.Exchanges() {
			if ex.Route == routeEdit && ex.Path != "/rest/api/3/issue/"+key {
				t.Errorf("edited %s, want %s", ex.Path, key)
			}
		}
		is, _ := s.fake.Issue(key)
		if is.DueDate != "2026-03-09" || is.Custom[jiratest.FieldNextDueDate] != "2026-03-09" {
			t.Errorf("%s due %s, next due date field %v; want 2026-03-09", key, is.DueDate, is.Custom[jiratest.FieldNextDueDate])
		}
		if is.Summary != before["db-admin"].Summary || is.AssigneeID != "acc-db" || len(is.Comments) != 0 {
			t.Errorf("%s changed beyond its due date: %+v", key, is)
		}
		for id, was := range before {
			if now, _ := s.fake.Issue(was.Key); id != "db-admin" && !now.Updated.Equal(was.Updated) {
				t.Errorf("%s (%s) was edited", was.Key, id)
			}
		}
	})

	t.Run("a credential that becomes overdue is escalated once", func(t *testing.T) {
		later := date("2026-03-12") // month-end was due 2026-02-28, db-admin 2026-03-09
		p, rs := s.sync(t, reg, later)
		expectNoFailures(t, rs)
		dbKey, meKey := before["db-admin"].Key, before["month-end"].Key
		want := []string{
			"escalate " + dbKey + " db-admin: overdue by 3 days since 2026-03-09: comment, label rotor-overdue, priority High",
			"escalate " + meKey + " month-end: overdue by 12 days since 2026-02-28: comment, label rotor-overdue, priority High",
		}
		if got := lines(p); !slices.Equal(got, want) {
			t.Fatalf("plan:\n got %q\nwant %q", got, want)
		}
		// Each escalation reads the comments first, for one of its own.
		expectCalls(t, s.fake, map[string]int{routeSearch: 2, routeComments: 2, routeComment: 2, routeEdit: 2})
		is, _ := s.fake.Issue(dbKey)
		if is.Priority != "High" || !slices.Contains(is.Labels, rotation.LabelOverdue) || len(is.Comments) != 1 {
			t.Fatalf("%s after escalation: priority %q, labels %v, %d comments", dbKey, is.Priority, is.Labels, len(is.Comments))
		}
		if c := adfText(is.Comments[0].Body); !strings.Contains(c, "overdue by 3 days") || !strings.Contains(c, "alice@example.com") {
			t.Errorf("escalation comment = %q", c)
		}

		p, rs = s.sync(t, reg, later.AddDays(1))
		if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
			t.Errorf("the next day: plan %q, %d writes", lines(p), s.fake.Writes())
		}
	})

	t.Run("a removed credential is orphaned once", func(t *testing.T) {
		reg.Credentials = slices.DeleteFunc(reg.Credentials, func(c *rotation.Credential) bool { return c.ID == "month-end" })
		key := before["month-end"].Key
		p, rs := s.sync(t, reg, date("2026-03-12"))
		expectNoFailures(t, rs)
		if got, want := lines(p), []string{"orphan " + key + " month-end: no longer in the register: comment, label rotor-orphaned"}; !slices.Equal(got, want) {
			t.Fatalf("plan = %q, want %q", got, want)
		}
		expectCalls(t, s.fake, map[string]int{routeSearch: 2, routeComments: 1, routeComment: 1, routeEdit: 1})
		is, _ := s.fake.Issue(key)
		if !slices.Contains(is.Labels, rotation.LabelOrphaned) || len(is.Comments) != 2 || is.Status != "To Do" {
			t.Errorf("%s after orphaning: labels %v, %d comments, status %q (rotor never closes a ticket)", key, is.Labels, len(is.Comments), is.Status)
		}

		p, rs = s.sync(t, reg, date("2026-03-12"))
		if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
			t.Errorf("third run: plan %q, %d writes", lines(p), s.fake.Writes())
		}
		if got := notices(p.Notes); !slices.Equal(got, []string{"orphaned " + key + " month-end"}) {
			t.Errorf("notes = %q", got)
		}
	})
}

func TestSyncSurvivesRateLimits(t *testing.T) {
	s := newSite(t, 0)
	reg := smallRegister()
	s.fake.FailNext("POST", "/rest/api/3/issue", http.StatusTooManyRequests, 3*time.Second)
	s.fake.FailNext("POST", "/rest/api/3/issue", http.StatusTooManyRequests, 2*time.Second)
	s.fake.FailNext("POST", "/rest/api/3/search/jql", http.StatusServiceUnavailable, time.Second)

	p, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	if p.Counts.Create != 3 {
		t.Fatalf("plan = %q", lines(p))
	}
	// Two 429s on the first create, then three creates; one 503 on the search.
	expectCalls(t, s.fake, map[string]int{routeSearch: 2, routeCreate: 5})
	if got, want := s.Waits(), []time.Duration{time.Second, 3 * time.Second, 2 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want the Retry-After values %v", got, want)
	}
	if n := len(s.openByCredential()); n != 3 || s.fake.PendingFaults() != 0 {
		t.Errorf("%d credentials with a ticket, %d faults left", n, s.fake.PendingFaults())
	}
}

func TestSyncReportsAFailedCreateAndRunsTheOthers(t *testing.T) {
	s := newSite(t, 0)
	reg := smallRegister()
	// The first create (db-admin, in plan order) is refused.
	s.fake.FailNext("POST", "/rest/api/3/issue", http.StatusBadRequest, 0)

	p, rs := s.sync(t, reg, today)
	if len(p.Actions) != 3 || len(rs) != 3 {
		t.Fatalf("plan %q, %d results", lines(p), len(rs))
	}
	failed := rs.Failed()
	if len(failed) != 1 || failed[0].Action.CredentialID != "db-admin" || jira.StatusCode(failed[0].Err) != http.StatusBadRequest {
		t.Fatalf("failed = %+v", failed)
	}
	if rs[1].Err != nil || rs[2].Err != nil || rs[1].Key == "" || rs[2].Key == "" {
		t.Errorf("the other creates: %+v", rs[1:])
	}
	var b strings.Builder
	if err := rs.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "2 of 3 actions succeeded; 1 failed") ||
		!strings.Contains(out, "create db-admin: jira: create SEC ticket for db-admin: 400 Bad Request") {
		t.Errorf("results text does not name the failure:\n%s", out)
	}
	open := s.openByCredential()
	if len(open) != 2 || open["db-admin"] != nil {
		t.Errorf("open tickets = %v", open)
	}

	// The next run creates the missing ticket only.
	p, rs = s.sync(t, reg, today)
	expectNoFailures(t, rs)
	if got := lines(p); len(got) != 1 || !strings.HasPrefix(got[0], "create new db-admin") {
		t.Errorf("retry plan = %q", got)
	}
	expectCalls(t, s.fake, map[string]int{routeSearch: 1, routeCreate: 1})
}

// TestSyncKilledHalfwayNeverOpensASecondTicket stops a run after each
// possible number of actions, then runs again: every credential ends with
// one open ticket, in the state an uninterrupted run leaves.
func TestSyncKilledHalfwayNeverOpensASecondTicket(t *testing.T) {
	// On 2026-03-12 the register after an edit and a removal needs every
	// kind of action against the tickets of a first run on the pinned day.
	setup := func(t *testing.T) (*site, *rotation.Register) {
		s := newSite(t, 2)
		reg := smallRegister()
		reg.Credentials = append(reg.Credentials, cred("gone-key", "2025-12-01", 90))
		_, rs := s.sync(t, reg, today)
		expectNoFailures(t, rs)
		reg.Credentials = slices.DeleteFunc(reg.Credentials, func(c *rotation.Credential) bool { return c.ID == "gone-key" })
		reg.ByID("ldap-bind").LastChanged = date("2025-12-20") // due 2026-03-20: now due
		reg.ByID("month-end").Name = "Month-end batch key"     // renamed
		return s, reg
	}
	later := date("2026-03-12")

	// Reference: one uninterrupted run.
	ref, reg := setup(t)
	full := ref.plan(t, reg, later)
	if got := full.Counts; got.Create != 1 || got.Update != 1 || got.Escalate != 2 || got.Orphan != 1 {
		t.Fatalf("reference plan = %q", lines(full))
	}
	expectNoFailures(t, reconcile.Apply(context.Background(), ref.client, full, nil))
	want := summarize(ref.fake.Issues())

	for k := 0; k <= len(full.Actions); k++ {
		t.Run(fmt.Sprintf("killed after %d of %d actions", k, len(full.Actions)), func(t *testing.T) {
			s, reg := setup(t)
			p := s.plan(t, reg, later)
			p.Actions = p.Actions[:k]
			expectNoFailures(t, reconcile.Apply(context.Background(), s.client, p, nil))

			_, rs := s.sync(t, reg, later)
			expectNoFailures(t, rs)
			for id, iss := range s.openByCredential() {
				if len(iss) != 1 {
					t.Errorf("%s has %d open tickets", id, len(iss))
				}
			}
			if got := summarize(s.fake.Issues()); !slices.Equal(got, want) {
				t.Errorf("after the restart:\n got %q\nwant %q", got, want)
			}
			p, rs = s.sync(t, reg, later)
			if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
				t.Errorf("a further run plans %q and writes %d times", lines(p), s.fake.Writes())
			}
		})
	}
}

// summarize describes issues by what sync controls; comment counts show a
// repeated escalation or orphaning.
func summarize(issues []jiratest.Issue) []string {
	var out []string
	for _, is := range issues {
		labels := slices.Clone(is.Labels)
		slices.Sort(labels)
		out = append(out, fmt.Sprintf("%s %q due %s assignee %q priority %q labels %v comments %d status %s",
			is.Key, is.Summary, is.DueDate, is.AssigneeID, is.Priority, labels, len(is.Comments), is.Status))
	}
	return out
}

// TestSyncCreateWhoseAnswerIsLost: Jira creates the ticket but the answer
// never arrives. The adapter finds the ticket by its identity label instead
// of creating a second one, and the next run writes nothing.
func TestSyncCreateWhoseAnswerIsLost(t *testing.T) {
	s := newSite(t, 0)
	reg := register("High", dueCred())
	s.fake.Inject(jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/issue", Status: http.StatusInternalServerError, AfterApply: true})

	_, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	open := s.openByCredential()
	if len(open["db-admin"]) != 1 || len(rs) != 1 || rs[0].Key != open["db-admin"][0].Key {
		t.Fatalf("open = %v, results = %+v", open, rs)
	}
	if n := s.fake.CallsTo(routeCreate); n != 1 {
		t.Errorf("%d create requests, want 1", n)
	}
	p, rs := s.sync(t, reg, today)
	if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
		t.Errorf("next run: plan %q, %d writes", lines(p), s.fake.Writes())
	}
}

// editBodies returns the fields of the PUTs the fake got since the last
// reset, by ticket key.
func editBodies(t *testing.T, fake *jiratest.Server) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, ex := range fake.Exchanges() {
		if ex.Route != routeEdit {
			continue
		}
		var body struct {
			Fields map[string]any `json:"fields"`
		}
		if err := json.Unmarshal(ex.RequestBody, &body); err != nil {
			t.Fatalf("PUT %s: %v", ex.Path, err)
		}
		var names []string
		for k := range body.Fields {
			names = append(names, k)
		}
		slices.Sort(names)
		key := strings.TrimPrefix(ex.Path, "/rest/api/3/issue/")
		out[key] = append(out[key], strings.Join(names, " "))
	}
	return out
}

// TestSyncWritesCustomFieldsOnlyWhenTheyDiffer: the search reads the
// mapped custom fields, so an unchanged ticket gets no write, and an
// update writes only the fields that differ.
func TestSyncWritesCustomFieldsOnlyWhenTheyDiffer(t *testing.T) {
	s := newSite(t, 0)
	reg := smallRegister()
	_, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	keys := map[string]string{}
	for id, iss := range s.openByCredential() {
		keys[id] = iss[0].Key
	}

	_, rs = s.sync(t, reg, today)
	expectNoFailures(t, rs)
	if n := s.fake.CallsTo(routeEdit); n != 0 {
		t.Fatalf("an unchanged register: %d PUTs, want 0", n)
	}

	reg.ByID("db-admin").Owner = "carol@example.com"
	reg.ByID("month-end").Name = "Month-end batch key"
	p, rs := s.sync(t, reg, today)
	expectNoFailures(t, rs)
	want := []string{
		"update " + keys["db-admin"] + " db-admin: contact person alice@example.com → carol@example.com",
		"update " + keys["month-end"] + " month-end: summary Rotate Month end (month-end) → Rotate Month-end batch key (month-end); credential name Month end → Month-end batch key",
	}
	if got := lines(p); !slices.Equal(got, want) {
		t.Fatalf("plan:\n got %q\nwant %q", got, want)
	}
	if got, want := editBodies(t, s.fake), map[string][]string{
		keys["db-admin"]:  {jiratest.FieldContactPerson},
		keys["month-end"]: {jiratest.FieldCredentialName + " summary"},
	}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("PUT fields = %v, want %v", got, want)
	}
	if is, _ := s.fake.Issue(keys["db-admin"]); is.Custom[jiratest.FieldContactPerson] != "carol@example.com" {
		t.Errorf("contact person = %v", is.Custom[jiratest.FieldContactPerson])
	}

	// Someone clears a field in Jira: one write puts it back.
	s.clearCustom(t, keys["vpn-psk"], jiratest.FieldNextDueDate)
	_, rs = s.sync(t, reg, today)
	expectNoFailures(t, rs)
	if got := editBodies(t, s.fake); fmt.Sprint(got) != fmt.Sprint(map[string][]string{keys["vpn-psk"]: {jiratest.FieldNextDueDate}}) {
		t.Errorf("after clearing Next Due Date: PUT fields = %v", got)
	}

	p, rs = s.sync(t, reg, today)
	if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
		t.Errorf("a further run plans %q and writes %d times", lines(p), s.fake.Writes())
	}
}

// clearCustom sets a custom field of an issue to null, as a person would
// in Jira.
func (s *site) clearCustom(t *testing.T, key, field string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, s.fake.URL+"/rest/api/3/issue/"+key, strings.NewReader(`{"fields":{"`+field+`":null}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(jiratest.Email, jiratest.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.fake.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("clear %s of %s: %d", field, key, resp.StatusCode)
	}
}

// TestSyncEscalationCommentIsPostedOnce: whatever fails around the
// escalation's comment, the ticket ends with exactly one.
func TestSyncEscalationCommentIsPostedOnce(t *testing.T) {
	later := date("2026-03-12") // month-end, due 2026-02-28, is overdue
	tests := []struct {
		name   string
		faults func(key string) []jiratest.Fault
		// wantFailed: the escalation fails in the first run.
		wantFailed bool
	}{
		{
			name: "the comment's answer is lost (502 after storing)",
			faults: func(key string) []jiratest.Fault {
				return []jiratest.Fault{{Method: "POST", PathPrefix: "/rest/api/3/issue/" + key + "/comment", Status: http.StatusBadGateway, AfterApply: true}}
			},
		},
		{
			name: "the connection drops after Jira stored the comment",
			faults: func(key string) []jiratest.Fault {
				return []jiratest.Fault{{Method: "POST", PathPrefix: "/rest/api/3/issue/" + key + "/comment", AfterApply: true, Hangup: true}}
			},
		},
		{
			name: "marking the ticket fails after the comment",
			faults: func(key string) []jiratest.Fault {
				return []jiratest.Fault{{Method: "PUT", PathPrefix: "/rest/api/3/issue/" + key, Status: http.StatusBadRequest}}
			},
			wantFailed: true,
		},
		{
			name: "the comment's answer is lost, and so is every answer after it",
			faults: func(key string) []jiratest.Fault {
				return []jiratest.Fault{{Method: "POST", PathPrefix: "/rest/api/3/issue/" + key + "/comment", Status: http.StatusBadGateway, AfterApply: true},
					{Method: "GET", PathPrefix: "/rest/api/3/issue/" + key + "/comment", Status: http.StatusBadGateway, Skip: 1, Times: 100}}
			},
			wantFailed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSite(t, 0)
			reg := register("High", monthEndCred())
			_, rs := s.sync(t, reg, today)
			expectNoFailures(t, rs)
			key := s.openByCredential()["month-end"][0].Key

			for _, f := range tt.faults(key) {
				s.fake.Inject(f)
			}
			p, rs := s.sync(t, reg, later)
			if p.Counts.Escalate != 1 || len(rs) != 1 {
				t.Fatalf("plan %q", lines(p))
			}
			if failed := len(rs.Failed()) == 1; failed != tt.wantFailed {
				t.Fatalf("escalation failed: %v, want %v (%v)", failed, tt.wantFailed, rs[0].Err)
			}
			s.fake.ClearFaults() // Jira is well again

			_, rs = s.sync(t, reg, later)
			expectNoFailures(t, rs)

			is, _ := s.fake.Issue(key)
			if len(is.Comments) != 1 || !slices.Contains(is.Labels, rotation.LabelOverdue) {
				t.Fatalf("%d comments, labels %v; want one comment and the label", len(is.Comments), is.Labels)
			}
			if c := adfText(is.Comments[0].Body); !strings.Contains(c, "overdue by 12 days") || !strings.Contains(c, "rotor:escalation month-end 2026-02-28") {
				t.Errorf("comment = %q", c)
			}
			p, rs = s.sync(t, reg, later)
			if !p.IsEmpty() || len(rs) != 0 || s.fake.Writes() != 0 {
				t.Errorf("a further run plans %q and writes %d times", lines(p), s.fake.Writes())
			}
		})
	}
}
