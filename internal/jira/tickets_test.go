package jira_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func TestNewNamesWhatIsMissing(t *testing.T) {
	ok := jira.Config{URL: "https://example.atlassian.net", Email: "bot@example.com", Token: "t", Project: "SEC", Names: names}
	tests := []struct {
		name   string
		change func(*jira.Config)
		want   []string // substrings of the error; none: no error
	}{
		{"complete", func(*jira.Config) {}, nil},
		{"nothing", func(c *jira.Config) { *c = jira.Config{Project: "SEC", Names: names} }, []string{"ROTOR_JIRA_URL", "ROTOR_JIRA_EMAIL", "ROTOR_JIRA_TOKEN", "secrets"}},
		{"no token", func(c *jira.Config) { c.Token = "" }, []string{"ROTOR_JIRA_TOKEN", "api-tokens"}},
		{"no email", func(c *jira.Config) { c.Email = " " }, []string{"ROTOR_JIRA_EMAIL"}},
		{"not a URL", func(c *jira.Config) { c.URL = "example.atlassian.net" }, []string{"ROTOR_JIRA_URL", "https://example.atlassian.net"}},
		{"no project", func(c *jira.Config) { c.Project = "" }, []string{"jira.project", "rotor.yaml"}},
		{"token in the URL", func(c *jira.Config) { c.URL = "https://bot:s3cret-token@example.atlassian.net" }, []string{"ROTOR_JIRA_URL", "contains @", "ROTOR_JIRA_TOKEN"}},
		{"token in a bad URL", func(c *jira.Config) { c.URL = "https://bot:s3cret token@example.atlassian.net/%zz" }, []string{"ROTOR_JIRA_URL", "contains @"}},
		{"bad field id", func(c *jira.Config) { c.Fields.NextDueDate = "Next Due Date" }, []string{"jira.fields.next_due_date", "customfield_10050"}},
		{"plain http", func(c *jira.Config) { c.URL = "http://jira.example.com" }, []string{"ROTOR_JIRA_URL (http://jira.example.com): plain http"}},
		{"a token in the query", func(c *jira.Config) { c.URL = "https://example.atlassian.net/?token=s3cret" },
			[]string{"ROTOR_JIRA_URL (https://example.atlassian.net): carries a query"}},
		{"a token as the email", func(c *jira.Config) { c.Email = "ATATT3xs3cret" }, []string{"ROTOR_JIRA_EMAIL: not an email address"}},
		{"a token with a newline", func(c *jira.Config) { c.Token = "ATATT3xs3cret\n" }, []string{"ROTOR_JIRA_TOKEN: contains white space"}},
		{"every problem at once", func(c *jira.Config) {
			*c = jira.Config{URL: "http://jira.example.com", Token: "s3cret token", Project: "SEC", Names: names}
		},
			[]string{"set ROTOR_JIRA_EMAIL", "ROTOR_JIRA_URL (http://jira.example.com): plain http", "ROTOR_JIRA_TOKEN: contains white space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.change(&cfg)
			_, err := jira.New(cfg)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New: no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}

// seed adds n open rotor tickets for credentials cred-1..cred-n, plus
// tickets the search must not return.
func seed(fake *jiratest.Server, n int) {
	for i := 1; i <= n; i++ {
		fake.AddIssue(jiratest.Issue{
			Summary:    fmt.Sprintf("Rotate cred-%d", i),
			Labels:     []string{"rotor", fmt.Sprintf("rotor-cred-%d", i)},
			DueDate:    fmt.Sprintf("2026-12-%02d", i),
			AssigneeID: "acc-" + fmt.Sprint(i),
			Priority:   "Medium",
			Status:     []string{"To Do", "In Progress"}[i%2],
		})
		if i == 2 { // interleave keys the search must skip
			fake.AddIssue(jiratest.Issue{Summary: "done", Labels: []string{"rotor", "rotor-old"}, Status: "Done"})
			fake.AddIssue(jiratest.Issue{Summary: "not rotor", Labels: []string{"other"}})
			fake.AddIssue(jiratest.Issue{Summary: "no labels"})
		}
	}
	fake.SetProject(jiratest.Project{ID: "10001", Key: "OPS", Name: "Ops", IssueTypes: jiratest.DefaultProject().IssueTypes})
	fake.AddIssue(jiratest.Issue{Project: "OPS", Summary: "other project", Labels: []string{"rotor", "rotor-cred-1"}})
}

func TestOpenTicketsPagesThroughOneSearch(t *testing.T) {
	tests := []struct {
		name          string
		tickets       int
		fakePageSize  int
		clientPage    int
		wantSearches  int
		wantMaxResult float64
	}{
		{"one page", 3, 0, 0, 1, 100},
		{"fake pages of 3", 7, 3, 0, 3, 100},
		{"client pages of 2", 7, 0, 2, 4, 2},
		{"exact multiple", 6, 3, 0, 2, 100},
		{"no tickets", 0, 3, 0, 1, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			fake.SetPageSize(tt.fakePageSize)
			seed(fake, tt.tickets)
			c, _ := newClient(t, fake, func(c *jira.Config) { c.PageSize = tt.clientPage })

			got, err := c.OpenTickets(context.Background())
			if err != nil {
				t.Fatalf("OpenTickets: %v", err)
			}
			if len(got) != tt.tickets {
				t.Fatalf("got %d tickets, want %d: %+v", len(got), tt.tickets, got)
			}
			for i, tk := range got {
				id := fmt.Sprintf("cred-%d", i+1)
				if tk.CredentialID != id || tk.Summary != "Rotate "+id || tk.DueDate != rotation.MustParseDate(fmt.Sprintf("2026-12-%02d", i+1)) ||
					tk.AssigneeID != fmt.Sprintf("acc-%d", i+1) || tk.Priority != "Medium" || tk.StatusCategory == rotation.CategoryDone ||
					!strings.HasPrefix(tk.Key, "SEC-") || !tk.HasLabel("rotor") {
					t.Errorf("ticket %d = %+v", i, tk)
				}
			}
			if n := fake.CallsTo(routeSearch); n != tt.wantSearches {
				t.Errorf("%d search requests, want %d", n, tt.wantSearches)
			}
			if n := fake.CallsTo(routeOldSearch) + fake.CallsTo("GET /rest/api/3/search"); n != 0 {
				t.Errorf("the removed /rest/api/3/search was called %d times", n)
			}
			if fake.Total() != tt.wantSearches || fake.Writes() != 0 {
				t.Errorf("calls %v, want only searches", fake.Calls())
			}
			for i, b := range bodies(t, fake, routeSearch) {
				if b["jql"] != `project = "SEC" AND labels = rotor AND statusCategory != Done ORDER BY key ASC` {
					t.Errorf("jql = %q", b["jql"])
				}
				if b["maxResults"] != tt.wantMaxResult {
					t.Errorf("maxResults = %v, want %v", b["maxResults"], tt.wantMaxResult)
				}
				if _, has := b["nextPageToken"]; has != (i > 0) {
					t.Errorf("page %d: nextPageToken present = %v", i+1, has)
				}
				jsonEqual(t, "fields", b["fields"], `["summary","labels","duedate","assignee","priority","status","resolutiondate","statuscategorychangedate",
					"customfield_10050","customfield_10051","customfield_10052"]`)
			}
		})
	}
}

func TestTicketReadsStatusAndDoneTime(t *testing.T) {
	fake := jiratest.New(t)
	doneAt := time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC)
	fake.SetNow(func() time.Time { return doneAt })
	key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}, DueDate: "2026-12-01",
		Created: doneAt.Add(-48 * time.Hour)})
	c, _ := newClient(t, fake)
	ctx := context.Background()

	tk, err := c.Ticket(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if tk.StatusCategory != rotation.CategoryNew || tk.StatusName != "To Do" || !tk.DoneAt.IsZero() || tk.CredentialID != "db" {
		t.Errorf("open ticket = %+v", tk)
	}

	trs, err := c.Transitions(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	var done string
	for _, tr := range trs {
		if tr.ToCategory == rotation.CategoryDone {
			done = tr.ID
		}
	}
	if done == "" {
		t.Fatalf("no transition to done in %+v", trs)
	}
	if err := c.Transition(ctx, key, done); err != nil {
		t.Fatal(err)
	}
	tk, err = c.Ticket(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if tk.StatusCategory != rotation.CategoryDone || tk.StatusName != "Done" || !tk.DoneAt.Equal(doneAt) {
		t.Errorf("done ticket = %+v, want done at %v", tk, doneAt)
	}
	if q := fake.Exchanges()[0].Query.Get("fields"); q != "summary,labels,duedate,assignee,priority,status,resolutiondate,statuscategorychangedate,customfield_10050,customfield_10051,customfield_10052" {
		t.Errorf("GET issue fields = %q", q)
	}

	open, err := c.OpenTickets(ctx)
	if err != nil || len(open) != 0 {
		t.Errorf("OpenTickets after done = %v, %v", open, err)
	}

	_, err = c.Ticket(ctx, "SEC-999")
	if !errors.Is(err, jira.ErrNotFound) || jira.StatusCode(err) != 404 {
		t.Errorf("missing ticket: err = %v", err)
	}
	if !strings.Contains(fmt.Sprint(err), "Issue does not exist") {
		t.Errorf("missing ticket error %q does not show Jira's message", err)
	}
}

// TestLocatedTicketSaysWhereTheTicketIs: the project's key and the issue
// type's name come with the ticket, from one GET; an answer without them
// is not taken for one in the right place.
func TestLocatedTicketSaysWhereTheTicketIs(t *testing.T) {
	fake := jiratest.New(t)
	other := jiratest.DefaultProject()
	other.ID, other.Key, other.Name = "10001", "OTHER", "Other"
	fake.SetProject(other)
	tests := []struct {
		issue             jiratest.Issue
		project, typeName string
	}{
		{jiratest.Issue{}, "SEC", jiratest.IssueTypeName},
		{jiratest.Issue{Project: "OTHER"}, "OTHER", jiratest.IssueTypeName},
		{jiratest.Issue{IssueType: "Task"}, "SEC", "Task"},
	}
	c, _ := newClient(t, fake)
	ctx := context.Background()
	for _, tt := range tests {
		tt.issue.Summary, tt.issue.Labels = "Rotate db", []string{"rotor", "rotor-db"}
		key := fake.AddIssue(tt.issue)
		fake.ResetCounts()
		tk, project, typeName, err := c.LocatedTicket(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Key != key || tk.CredentialID != "db" || project != tt.project || typeName != tt.typeName {
			t.Errorf("%s: %+v in %q, %q; want %q, %q", key, tk, project, typeName, tt.project, tt.typeName)
		}
		if n := fake.Total(); n != 1 {
			t.Errorf("%s: %d calls, want 1", key, n)
		}
		if q := fake.Exchanges()[len(fake.Exchanges())-1].Query.Get("fields"); !strings.HasSuffix(q, ",project,issuetype") {
			t.Errorf("GET issue fields = %q", q)
		}
	}

	key := fake.AddIssue(jiratest.Issue{Summary: "x", Labels: []string{"rotor"}})
	for _, body := range []string{
		`{"key":"` + key + `","fields":{"summary":"x","labels":["rotor"],"status":{"name":"Done","statusCategory":{"key":"done"}},"issuetype":{"name":"Secret Rotation Task"}}}`,
		`{"key":"` + key + `","fields":{"summary":"x","labels":["rotor"],"status":{"name":"Done","statusCategory":{"key":"done"}},"project":{"key":"SEC"}}}`,
		`{"key":"` + key + `","fields":{"summary":"x","labels":["rotor"],"status":{"name":"Done","statusCategory":{"key":"done"}},"project":{"key":""},"issuetype":{"name":"Secret Rotation Task"}}}`,
	} {
		fake.Inject(jiratest.Fault{Method: "GET", PathPrefix: "/rest/api/3/issue/" + key, Status: http.StatusOK, Body: body})
		if _, _, _, err := c.LocatedTicket(ctx, key); !errors.Is(err, jira.ErrUnexpectedAnswer) {
			t.Errorf("%s: err = %v, want ErrUnexpectedAnswer", body, err)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, s := range []string{"2026-11-20T10:15:30.000+0000", "2026-11-20T11:15:30.000+0100", "2026-11-20T10:15:30Z"} {
		got, err := jira.ParseTime(s)
		if err != nil || !got.Equal(time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC)) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := jira.ParseTime("20/11/2026"); err == nil {
		t.Error("ParseTime accepted 20/11/2026")
	}
}

func newTicket() rotation.NewTicket {
	return rotation.NewTicket{
		CredentialID: "payments-db-admin",
		Summary:      "Rotate Payments DB admin password",
		Description: []rotation.Line{
			{Label: "Owner", Value: "alice@example.com"},
			{Label: "System", Value: "payments"},
			{Label: "Due date", Value: "2026-12-01"},
			{Label: "Runbook", Value: "How to rotate", Link: "https://wiki.example.com/rotate"},
		},
		DueDate:    rotation.MustParseDate("2026-12-01"),
		AssigneeID: "acc-alice",
		Labels:     []string{"rotor", "team-payments"},
		Fields: rotation.CustomValues{
			CredentialName: "Payments DB admin",
			NextDueDate:    rotation.MustParseDate("2026-12-01"),
			ContactPerson:  "alice@example.com",
		},
	}
}

const wantDescription = `{"type":"doc","version":1,"content":[
 {"type":"paragraph","content":[{"type":"text","text":"Owner: "},{"type":"text","text":"alice@example.com"}]},
 {"type":"paragraph","content":[{"type":"text","text":"System: "},{"type":"text","text":"payments"}]},
 {"type":"paragraph","content":[{"type":"text","text":"Due date: "},{"type":"text","text":"2026-12-01"}]},
 {"type":"paragraph","content":[{"type":"text","text":"Runbook: "},
   {"type":"text","text":"How to rotate","marks":[{"type":"link","attrs":{"href":"https://wiki.example.com/rotate"}}]}]}]}`

func TestCreateSendsTheTicket(t *testing.T) {
	tests := []struct {
		name       string
		cfg        func(*jira.Config)
		ticket     func(*rotation.NewTicket)
		wantFields string
	}{
		{
			name: "everything mapped",
			wantFields: `{"project":{"key":"SEC"},"issuetype":{"name":"Secret Rotation Task"},
				"summary":"Rotate Payments DB admin password","description":` + wantDescription + `,
				"duedate":"2026-12-01","labels":["rotor","rotor-payments-db-admin","team-payments"],
				"assignee":{"accountId":"acc-alice"},
				"customfield_10050":"Payments DB admin","customfield_10051":"2026-12-01","customfield_10052":"alice@example.com"}`,
		},
		{
			name:   "no mapping, no assignee, other issue type",
			cfg:    func(c *jira.Config) { c.Fields = rotation.FieldMapping{}; c.IssueType = "Task" },
			ticket: func(nt *rotation.NewTicket) { nt.AssigneeID = ""; nt.Labels = nil },
			wantFields: `{"project":{"key":"SEC"},"issuetype":{"name":"Task"},
				"summary":"Rotate Payments DB admin password","description":` + wantDescription + `,
				"duedate":"2026-12-01","labels":["rotor","rotor-payments-db-admin"]}`,
		},
		{
			name: "overdue gets the overdue priority",
			cfg: func(c *jira.Config) {
				c.OverduePriority = "High"
				c.Fields = rotation.FieldMapping{ContactPerson: jiratest.FieldContactPerson}
			},
			ticket: func(nt *rotation.NewTicket) {
				nt.Labels = []string{rotation.LabelOverdue}
				nt.Description = nil
			},
			wantFields: `{"project":{"key":"SEC"},"issuetype":{"name":"Secret Rotation Task"},
				"summary":"Rotate Payments DB admin password","description":{"type":"doc","version":1,"content":[]},
				"duedate":"2026-12-01","labels":["rotor","rotor-payments-db-admin","rotor-overdue"],
				"assignee":{"accountId":"acc-alice"},"priority":{"name":"High"},
				"customfield_10052":"alice@example.com"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			fake.AddIssue(jiratest.Issue{Summary: "older"}) // SEC-1
			var opts []func(*jira.Config)
			if tt.cfg != nil {
				opts = append(opts, tt.cfg)
			}
			c, _ := newClient(t, fake, opts...)
			nt := newTicket()
			if tt.ticket != nil {
				tt.ticket(&nt)
			}
			key, err := c.Create(context.Background(), nt)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if key != "SEC-2" {
				t.Errorf("key = %q, want SEC-2", key)
			}
			b := bodies(t, fake, routeCreate)
			if len(b) != 1 {
				t.Fatalf("%d create requests, want 1", len(b))
			}
			jsonEqual(t, "create body", b[0], `{"fields":`+tt.wantFields+`}`)
			is, ok := fake.Issue(key)
			if !ok || is.Summary != nt.Summary || is.DueDate != "2026-12-01" || is.Status != "To Do" {
				t.Errorf("stored issue = %+v", is)
			}
			if fake.Writes() != 1 || fake.Total() != 1 {
				t.Errorf("calls = %v", fake.Calls())
			}
		})
	}
}

func TestCreateRefusesBadInputBeforeSending(t *testing.T) {
	fake := jiratest.New(t)
	c, _ := newClient(t, fake)
	for name, change := range map[string]func(*rotation.NewTicket){
		"label with a space":           func(nt *rotation.NewTicket) { nt.Labels = []string{"team payments"} },
		"label with a no-break space":  func(nt *rotation.NewTicket) { nt.Labels = []string{"team\u00a0payments"} },
		"label with a carriage return": func(nt *rotation.NewTicket) { nt.Labels = []string{"team\rpayments"} },
		"empty summary":                func(nt *rotation.NewTicket) { nt.Summary = " " },
	} {
		t.Run(name, func(t *testing.T) {
			nt := newTicket()
			change(&nt)
			if _, err := c.Create(context.Background(), nt); err == nil {
				t.Error("Create: no error")
			}
		})
	}
	if fake.Total() != 0 {
		t.Errorf("calls = %v, want none", fake.Calls())
	}
}

func TestUpdateSendsOnlyTheChanges(t *testing.T) {
	s := func(v string) *string { return &v }
	d := func(v string) *rotation.Date { x := rotation.MustParseDate(v); return &x }
	tests := []struct {
		name   string
		update rotation.TicketUpdate
		want   string // body; empty: no request
		check  func(t *testing.T, is jiratest.Issue)
	}{
		{name: "nothing", update: rotation.TicketUpdate{}},
		{
			name:   "due date and custom fields",
			update: rotation.TicketUpdate{DueDate: d("2027-01-15"), Fields: &rotation.CustomValues{NextDueDate: rotation.MustParseDate("2027-01-15")}},
			want:   `{"fields":{"duedate":"2027-01-15","customfield_10051":"2027-01-15"}}`,
			check: func(t *testing.T, is jiratest.Issue) {
				if is.DueDate != "2027-01-15" || is.Custom[jiratest.FieldNextDueDate] != "2027-01-15" {
					t.Errorf("issue = %+v", is)
				}
			},
		},
		{
			name:   "remove a label",
			update: rotation.TicketUpdate{RemoveLabels: []string{"rotor-db"}},
			want:   `{"update":{"labels":[{"remove":"rotor-db"}]}}`,
			check: func(t *testing.T, is jiratest.Issue) {
				if strings.Join(is.Labels, ",") != "rotor" {
					t.Errorf("issue = %+v", is)
				}
			},
		},
		{
			name:   "assign, label, priority",
			update: rotation.TicketUpdate{AssigneeID: s("acc-bob"), AddLabels: []string{"rotor-overdue"}, Priority: "High"},
			want:   `{"fields":{"assignee":{"accountId":"acc-bob"},"priority":{"name":"High"}},"update":{"labels":[{"add":"rotor-overdue"}]}}`,
			check: func(t *testing.T, is jiratest.Issue) {
				if is.AssigneeID != "acc-bob" || is.Priority != "High" || strings.Join(is.Labels, ",") != "rotor,rotor-db,rotor-overdue" {
					t.Errorf("issue = %+v", is)
				}
			},
		},
		{
			name: "clear, label and custom field at once",
			update: rotation.TicketUpdate{DueDate: &rotation.Date{}, AssigneeID: s(""), AddLabels: []string{"rotor-orphaned"},
				Priority: "High", Fields: &rotation.CustomValues{ContactPerson: "bob@example.com"}},
			want: `{"fields":{"duedate":null,"assignee":null,"priority":{"name":"High"},"customfield_10052":"bob@example.com"},
				"update":{"labels":[{"add":"rotor-orphaned"}]}}`,
			check: func(t *testing.T, is jiratest.Issue) {
				if is.DueDate != "" || is.AssigneeID != "" || is.Priority != "High" || is.Custom[jiratest.FieldContactPerson] != "bob@example.com" ||
					strings.Join(is.Labels, ",") != "rotor,rotor-db,rotor-orphaned" {
					t.Errorf("issue = %+v", is)
				}
			},
		},
		{
			name:   "unassign and rename",
			update: rotation.TicketUpdate{AssigneeID: s(""), Summary: s("Rotate the DB")},
			want:   `{"fields":{"assignee":null,"summary":"Rotate the DB"}}`,
			check: func(t *testing.T, is jiratest.Issue) {
				if is.AssigneeID != "" || is.Summary != "Rotate the DB" {
					t.Errorf("issue = %+v", is)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}, AssigneeID: "acc-alice", DueDate: "2026-12-01"})
			c, _ := newClient(t, fake)
			if err := c.Update(context.Background(), key, tt.update); err != nil {
				t.Fatalf("Update: %v", err)
			}
			b := bodies(t, fake, routeEdit)
			if tt.want == "" {
				if fake.Total() != 0 {
					t.Errorf("calls = %v, want none", fake.Calls())
				}
				return
			}
			if len(b) != 1 {
				t.Fatalf("%d edit requests, want 1", len(b))
			}
			jsonEqual(t, "edit body", b[0], tt.want)
			is, _ := fake.Issue(key)
			tt.check(t, is)
		})
	}
}

func TestCommentIsADF(t *testing.T) {
	fake := jiratest.New(t)
	key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}})
	c, _ := newClient(t, fake)
	if err := c.Comment(context.Background(), key, "Credential db left the register.\nrotor stops tracking it.\n\nPR: https://example.com/pr/1\n"); err != nil {
		t.Fatal(err)
	}
	b := bodies(t, fake, routeComment)
	if len(b) != 1 {
		t.Fatalf("%d comment requests", len(b))
	}
	jsonEqual(t, "comment", b[0], `{"body":{"type":"doc","version":1,"content":[
		{"type":"paragraph","content":[{"type":"text","text":"Credential db left the register."},{"type":"hardBreak"},{"type":"text","text":"rotor stops tracking it."}]},
		{"type":"paragraph","content":[{"type":"text","text":"PR: https://example.com/pr/1"}]}]}}`)
	if is, _ := fake.Issue(key); len(is.Comments) != 1 {
		t.Errorf("comments = %+v", is.Comments)
	}
	if err := c.Comment(context.Background(), key, " \n\n "); err == nil {
		t.Error("empty comment: no error")
	}
	if fake.Writes() != 1 {
		t.Errorf("writes = %d, want 1", fake.Writes())
	}
}

func TestBasicAuthIsSent(t *testing.T) {
	fake := jiratest.New(t)
	c, _ := newClient(t, fake)
	if _, err := c.OpenTickets(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ex := fake.Exchanges(); len(ex) != 1 || !ex[0].Authorized {
		t.Errorf("exchanges = %+v, want one authorized", ex)
	}

	bad, _ := newClient(t, fake, func(c *jira.Config) { c.Token = "revoked" })
	fake.ResetCounts()
	_, err := bad.OpenTickets(context.Background())
	if jira.StatusCode(err) != 401 || !strings.Contains(err.Error(), "ROTOR_JIRA_TOKEN") {
		t.Errorf("bad token: err = %v", err)
	}
	if fake.Total() != 1 {
		t.Errorf("a 401 was retried: %d calls", fake.Total())
	}
}

func TestClose(t *testing.T) {
	fake := jiratest.New(t)
	key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}, Status: "In Progress"})
	c, _ := newClient(t, fake)
	if err := c.Close(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	if is, _ := fake.Issue(key); is.Status != "Done" || is.ResolutionDate.IsZero() {
		t.Errorf("after Close: %+v", is)
	}
	if err := c.Close(context.Background(), key); err != nil {
		t.Errorf("closing a done ticket again: %v", err)
	}

	p := jiratest.DefaultProject()
	p.IssueTypes[0].Statuses = p.IssueTypes[0].Statuses[:2]
	fake.SetProject(p)
	open := fake.AddIssue(jiratest.Issue{Summary: "Rotate x", Labels: []string{"rotor"}})
	if err := c.Close(context.Background(), open); err == nil || !strings.Contains(err.Error(), "no transition leads to a done status") {
		t.Errorf("Close without a done status: %v", err)
	}
}

func TestCloseWhoseAnswerIsLost(t *testing.T) {
	fake := jiratest.New(t)
	key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}, Status: "In Progress"})
	// Jira moves the ticket, but the answer is a 502: the retry finds the
	// transition no longer valid.
	fake.Inject(jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/issue/" + key + "/transitions", Status: 502, AfterApply: true})
	c, _ := newClient(t, fake)
	if err := c.Close(context.Background(), key); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if is, _ := fake.Issue(key); is.Status != "Done" {
		t.Errorf("after Close: %+v", is)
	}
}

func TestCommentsReadsEveryPage(t *testing.T) {
	fake := jiratest.New(t)
	key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}})
	c, _ := newClient(t, fake)
	ctx := context.Background()
	if got, err := c.Comments(ctx, key); err != nil || len(got) != 0 {
		t.Fatalf("no comments yet: %q, %v", got, err)
	}
	want := []string{"first line\nsecond line\n\nPR: https://example.com/pr/1"}
	for i := range 149 {
		want = append(want, fmt.Sprintf("comment %d", i))
	}
	for _, text := range want {
		if err := c.Comment(ctx, key, text); err != nil {
			t.Fatal(err)
		}
	}
	before := fake.CallsTo("GET /rest/api/3/issue/{issueIdOrKey}/comment")
	got, err := c.Comments(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Comments = %d texts, first %q; want %d, first %q", len(got), got[0], len(want), want[0])
	}
	if n := fake.CallsTo("GET /rest/api/3/issue/{issueIdOrKey}/comment") - before; n != 2 {
		t.Errorf("%d page requests for 150 comments, want 2", n)
	}
	if _, err := c.Comments(ctx, "SEC-999"); !errors.Is(err, jira.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}
}
