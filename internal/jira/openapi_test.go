package jira_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const openAPIName = "jira-cloud-platform-v3.openapi.json"

// findOpenAPI returns Atlassian's OpenAPI description of Jira Cloud: from
// $ROTOR_JIRA_OPENAPI, else shared/reference/ in this directory or one
// above it (the repository is checked out next to shared/).
func findOpenAPI(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ROTOR_JIRA_OPENAPI"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("ROTOR_JIRA_OPENAPI: %v", err)
		}
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "reference", openAPIName)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("%s not found above the package directory; set ROTOR_JIRA_OPENAPI to run this test", openAPIName)
		}
		dir = parent
	}
}

// openAPI is the parts of the description the test reads.
type openAPI struct {
	Paths map[string]map[string]struct {
		RequestBody *struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
}

// schemas compiles schemas of the OpenAPI document by JSON pointer.
type schemas struct {
	t    *testing.T
	c    *jsonschema.Compiler
	doc  openAPI
	memo map[string]*jsonschema.Schema
}

const docURL = "file:///jira-openapi.json"

func loadSchemas(t *testing.T) *schemas {
	path := findOpenAPI(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := &schemas{t: t, c: jsonschema.NewCompiler(), memo: map[string]*jsonschema.Schema{}}
	if err := json.Unmarshal(raw, &s.doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// OpenAPI 3.0 schemas are a JSON Schema dialect close to draft 7.
	s.c.Draft = jsonschema.Draft7
	if err := s.c.AddResource(docURL, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	return s
}

// Jira writes date-times as 2026-11-20T10:15:30.000+0000 (no colon in the
// offset), which its own description calls date-time; accept that form
// beside RFC 3339.
func init() {
	rfc3339 := jsonschema.Formats["date-time"]
	jsonschema.Formats["date-time"] = func(v any) bool {
		if s, ok := v.(string); ok {
			if _, err := jira.ParseTime(s); err == nil {
				return true
			}
		}
		return rfc3339(v)
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func (s *schemas) compile(pointer string) *jsonschema.Schema {
	s.t.Helper()
	if sc, ok := s.memo[pointer]; ok {
		return sc
	}
	sc, err := s.c.Compile(docURL + "#" + pointer)
	if err != nil {
		s.t.Fatalf("compile %s: %v", pointer, err)
	}
	s.memo[pointer] = sc
	return sc
}

func (s *schemas) validate(t *testing.T, what, pointer string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: not JSON: %v: %s", what, err, body)
		return
	}
	if err := s.compile(pointer).Validate(v); err != nil {
		t.Errorf("%s does not match %s:\n%#v\nbody: %s", what, pointer, err, truncate(body))
	}
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// TestOpenAPIConformance runs every call rotor makes against the fake and
// checks what rotor sends, and what the fake answers, against Atlassian's
// published schemas.
func TestOpenAPIConformance(t *testing.T) {
	s := loadSchemas(t)

	t.Run("named schemas compile", func(t *testing.T) {
		for _, name := range []string{"IssueUpdateDetails", "CreatedIssue", "SearchAndReconcileRequestBean",
			"SearchAndReconcileResults", "IssueBean", "Comment", "Transitions", "ErrorCollection", "ServerInformation",
			"User", "Project", "IssueTypeWithStatus", "FieldDetails", "Permissions", "PageOfCreateMetaIssueTypes"} {
			s.compile("/components/schemas/" + name)
		}
	})

	t.Run("every route of the fake is a documented operation", func(t *testing.T) {
		for _, r := range jiratest.Routes() {
			method, path, _ := strings.Cut(r, " ")
			if _, ok := s.doc.Paths[path][strings.ToLower(method)]; !ok {
				t.Errorf("%s is not in the OpenAPI description", r)
			}
		}
	})

	fake := jiratest.New(t)
	fake.SetPageSize(2)
	fake.SetNow(func() time.Time { return time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC) })
	seed(fake, 3)
	c, _ := newClient(t, fake, func(c *jira.Config) { c.OverduePriority = "Highest" })
	ctx := context.Background()

	// Everything rotor does.
	nt := newTicket()
	nt.Labels = append(nt.Labels, rotation.LabelOverdue)
	key, err := c.Create(ctx, nt)
	if err != nil {
		t.Fatal(err)
	}
	due := rotation.MustParseDate("2027-01-01")
	who := ""
	if err := c.Update(ctx, key, rotation.TicketUpdate{DueDate: &due, AssigneeID: &who, AddLabels: []string{"rotor-orphaned"},
		Priority: "High", Fields: &rotation.CustomValues{NextDueDate: due, ContactPerson: "bob@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Comments(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := c.Comment(ctx, key, "one\ntwo\n\nthree"); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Comments(ctx, key); err != nil || len(got) != 1 {
		t.Fatalf("comments %q, %v", got, err)
	}
	if _, err := c.OpenTickets(ctx); err != nil {
		t.Fatal(err)
	}
	trs, err := c.Transitions(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Transition(ctx, key, trs[len(trs)-1].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ticket(ctx, key); err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.Doctor(ctx) {
		if !ck.OK {
			t.Errorf("doctor: %+v", ck)
		}
	}
	// The issue type fallback and Jira's refusals, straight at the fake.
	raw := func(method, path, body string) {
		req, _ := http.NewRequestWithContext(ctx, method, fake.URL+path, strings.NewReader(body))
		req.SetBasicAuth(jiratest.Email, jiratest.Token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := fake.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	raw("GET", "/rest/api/3/issue/createmeta/SEC/issuetypes", "")
	raw("GET", "/rest/api/3/search/jql?jql=project%3DSEC&fields=summary,status", "")
	raw("POST", "/rest/api/3/issue", `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x","duedate":"2026-02-30"}}`)
	raw("POST", "/rest/api/3/search", `{"jql":"project = SEC"}`)
	raw("GET", "/rest/api/3/search?jql=project%3DSEC", "")

	seen := map[string]bool{}
	for i, ex := range fake.Exchanges() {
		if ex.Route == "" {
			t.Errorf("exchange %d: %s %s reached no route", i, ex.Method, ex.Path)
			continue
		}
		seen[ex.Route] = true
		method, path, _ := strings.Cut(ex.Route, " ")
		m := strings.ToLower(method)
		op := s.doc.Paths[path][m]
		opPtr := "/paths/" + escapePointer(path) + "/" + m
		what := ex.Route
		if op.RequestBody != nil && len(ex.RequestBody) > 0 {
			if _, ok := op.RequestBody.Content["application/json"]; ok {
				s.validate(t, "request of "+what, opPtr+"/requestBody/content/application~1json/schema", ex.RequestBody)
			}
		}
		status := strconv.Itoa(ex.Status)
		resp, ok := op.Responses[status]
		if !ok {
			if ex.Status != http.StatusGone { // 410 is the removed search, undocumented by design
				t.Errorf("%s answered %d, which the description does not list", what, ex.Status)
			}
			continue
		}
		if _, ok := resp.Content["application/json"]; ok && len(bytes.TrimSpace(ex.ResponseBody)) > 0 {
			s.validate(t, "answer "+status+" of "+what, opPtr+"/responses/"+status+"/content/application~1json/schema", ex.ResponseBody)
		}
	}
	var missing []string
	for _, r := range jiratest.Routes() {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes not exercised: %v", missing)
	}
}
