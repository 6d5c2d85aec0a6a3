package jira_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// subsetFile is the part of Atlassian's OpenAPI description of Jira Cloud
// that the fake serves: its operations and the schemas they reference,
// verbatim, with the source's version and checksum in info. It is
// committed, so this test runs in every clone; regenerate it with
// `go run ./scripts/extract-openapi` (testdata/openapi/README.md).
const subsetFile = "testdata/openapi/jira-subset.json"

const regenerateSubset = "go run ./scripts/extract-openapi"

// parameter is an OpenAPI parameter of an operation.
type parameter struct {
	Name     string          `json:"name"`
	In       string          `json:"in"`
	Required bool            `json:"required"`
	Schema   json.RawMessage `json:"schema"`
	pointer  string          // of Schema in the document
}

type mediaTypes map[string]struct {
	Schema json.RawMessage `json:"schema"`
}

// operation is the parts of an OpenAPI operation the test reads.
type operation struct {
	Parameters  []parameter `json:"parameters"`
	RequestBody *struct {
		Required bool       `json:"required"`
		Content  mediaTypes `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content mediaTypes `json:"content"`
	} `json:"responses"`
	pointer string // of the operation in the document
}

// description is the subset, compiled on demand.
type description struct {
	c      *jsonschema.Compiler
	ops    map[string]*operation // by "METHOD /path/{template}"
	listed []string              // info.x-rotor-subset.operations
	memo   map[string]*jsonschema.Schema
}

const docURL = "file:///jira-subset.json"

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadDescription(t *testing.T) *description {
	t.Helper()
	raw, err := os.ReadFile(subsetFile)
	if err != nil {
		t.Fatalf("%v: regenerate it with %s", err, regenerateSubset)
	}
	d, err := parseDescription(raw)
	if err != nil {
		t.Fatalf("%s: %v", subsetFile, err)
	}
	return d
}

func parseDescription(raw []byte) (*description, error) {
	var doc struct {
		Info struct {
			Subset struct {
				Operations []string `json:"operations"`
			} `json:"x-rotor-subset"`
		} `json:"info"`
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	d := &description{c: jsonschema.NewCompiler(), ops: map[string]*operation{}, listed: doc.Info.Subset.Operations, memo: map[string]*jsonschema.Schema{}}
	for path, item := range doc.Paths {
		var shared []parameter // the path item's own, which hold for all of its operations
		if p, ok := item["parameters"]; ok {
			if err := json.Unmarshal(p, &shared); err != nil {
				return nil, fmt.Errorf("%s: parameters: %w", path, err)
			}
			for i := range shared {
				shared[i].pointer = fmt.Sprintf("/paths/%s/parameters/%d/schema", escapePointer(path), i)
			}
		}
		for _, m := range httpMethods {
			b, ok := item[m]
			if !ok {
				continue
			}
			op := &operation{pointer: "/paths/" + escapePointer(path) + "/" + m}
			if err := json.Unmarshal(b, op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", m, path, err)
			}
			for i := range op.Parameters {
				op.Parameters[i].pointer = fmt.Sprintf("%s/parameters/%d/schema", op.pointer, i)
			}
			for _, p := range shared {
				if !slices.ContainsFunc(op.Parameters, func(q parameter) bool { return q.Name == p.Name && q.In == p.In }) {
					op.Parameters = append(op.Parameters, p)
				}
			}
			d.ops[strings.ToUpper(m)+" "+path] = op
		}
	}
	// OpenAPI 3.0 schemas are a JSON Schema dialect close to draft 7.
	d.c.Draft = jsonschema.Draft7
	if err := d.c.AddResource(docURL, bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	return d, nil
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

func (d *description) compile(pointer string) (*jsonschema.Schema, error) {
	if sc, ok := d.memo[pointer]; ok {
		return sc, nil
	}
	sc, err := d.c.Compile(docURL + "#" + pointer)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", pointer, err)
	}
	d.memo[pointer] = sc
	return sc, nil
}

// check validates the JSON body against the schema at pointer.
func (d *description) check(pointer string, body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("not JSON: %w: %s", err, truncate(body))
	}
	return d.checkValue(pointer, v)
}

func (d *description) checkValue(pointer string, v any) error {
	sc, err := d.compile(pointer)
	if err != nil {
		return err
	}
	if err := sc.Validate(v); err != nil {
		return fmt.Errorf("does not match %s:\n%#v", pointer, err)
	}
	return nil
}

// checkQuery checks a query parameter rotor sent against the operation:
// it must be declared, and each value must have the declared type (an
// array is a comma-separated list, as Jira's descriptions say).
func (d *description) checkQuery(op *operation, name string, values []string) error {
	i := slices.IndexFunc(op.Parameters, func(p parameter) bool { return p.In == "query" && p.Name == name })
	if i < 0 {
		return fmt.Errorf("the query parameter %q is not documented", name)
	}
	p := op.Parameters[i]
	var decl struct {
		Type  string `json:"type"`
		Items *struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	_ = json.Unmarshal(p.Schema, &decl)
	for _, s := range values {
		var v any = s
		switch decl.Type {
		case "integer", "number":
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("the query parameter %q is %q, not a number", name, s)
			}
			v = n
		case "boolean":
			b, err := strconv.ParseBool(s)
			if err != nil {
				return fmt.Errorf("the query parameter %q is %q, not a boolean", name, s)
			}
			v = b
		case "array":
			var items []any
			for _, x := range strings.Split(s, ",") {
				items = append(items, x)
			}
			v = items
		}
		if err := d.checkValue(p.pointer, v); err != nil {
			return fmt.Errorf("the query parameter %q: %w", name, err)
		}
	}
	return nil
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// checkExchange holds one exchange with the fake to the operation its
// route names: what rotor sent (query parameters, body) and what the fake
// answered (a documented status; for that status, a body that matches the
// documented schema; no body for 204).
func (d *description) checkExchange(ex jiratest.Exchange) []error {
	if ex.Route == "" {
		return []error{fmt.Errorf("%s %s reached no route", ex.Method, ex.Path)}
	}
	op, ok := d.ops[ex.Route]
	if !ok {
		return []error{fmt.Errorf("%s is not in the description: regenerate %s with %s", ex.Route, subsetFile, regenerateSubset)}
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	_, tmpl, _ := strings.Cut(ex.Route, " ")
	for _, seg := range strings.Split(tmpl, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			if !slices.ContainsFunc(op.Parameters, func(p parameter) bool { return p.In == "path" && p.Name == name }) {
				fail("the path parameter %q is not documented", name)
			}
		}
	}
	names := make([]string, 0, len(ex.Query))
	for name := range ex.Query {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := d.checkQuery(op, name, ex.Query[name]); err != nil {
			errs = append(errs, err)
		}
	}
	for _, p := range op.Parameters {
		if p.In == "query" && p.Required && !ex.Query.Has(p.Name) {
			fail("the required query parameter %q is missing", p.Name)
		}
	}

	sent := len(bytes.TrimSpace(ex.RequestBody)) > 0
	switch {
	case op.RequestBody == nil && sent:
		fail("a request body, which the operation does not take: %s", truncate(ex.RequestBody))
	case op.RequestBody != nil && op.RequestBody.Required && !sent:
		fail("no request body, which the operation requires")
	case op.RequestBody != nil && sent:
		if _, ok := op.RequestBody.Content["application/json"]; !ok {
			fail("a JSON request body, which the operation does not take")
		} else if err := d.check(op.pointer+"/requestBody/content/application~1json/schema", ex.RequestBody); err != nil {
			fail("request: %w", err)
		}
	}

	status := strconv.Itoa(ex.Status)
	resp, ok := op.Responses[status]
	if !ok {
		if ex.Status != http.StatusGone { // 410 is the removed search, undocumented by design
			fail("answered %d, which the description does not list", ex.Status)
		}
		return errs
	}
	answered := len(bytes.TrimSpace(ex.ResponseBody)) > 0
	_, documented := resp.Content["application/json"]
	switch {
	case ex.Status == http.StatusNoContent && answered:
		fail("answered 204 with a body: %s", truncate(ex.ResponseBody))
	case ex.Status == http.StatusNoContent:
	case documented && answered:
		if err := d.check(op.pointer+"/responses/"+status+"/content/application~1json/schema", ex.ResponseBody); err != nil {
			fail("answer %s: %w\nbody: %s", status, err, truncate(ex.ResponseBody))
		}
	case documented && ex.Status < 300:
		fail("answered %d without the documented JSON body", ex.Status)
	}
	return errs
}

// TestOpenAPIConformance runs every call rotor makes against the fake,
// and the refusals the fake gives, and checks what rotor sends, and what
// the fake answers, against Atlassian's published description.
func TestOpenAPIConformance(t *testing.T) {
	d := loadDescription(t)

	t.Run("the subset holds the fake's operations, no more", func(t *testing.T) {
		routes := jiratest.Routes()
		slices.Sort(routes)
		var have []string
		for r := range d.ops {
			have = append(have, r)
		}
		slices.Sort(have)
		if !slices.Equal(have, routes) || !slices.Equal(d.listed, routes) {
			t.Errorf("the fake serves %v;\nthe subset has the operations %v\nand lists %v:\nregenerate %s with %s",
				routes, have, d.listed, subsetFile, regenerateSubset)
		}
	})

	t.Run("named schemas compile", func(t *testing.T) {
		for _, name := range []string{"IssueUpdateDetails", "CreatedIssue", "SearchAndReconcileRequestBean",
			"SearchAndReconcileResults", "IssueBean", "Comment", "Transitions", "ErrorCollection", "ServerInformation",
			"User", "Project", "IssueTypeWithStatus", "FieldDetails", "Permissions", "PageOfCreateMetaIssueTypes"} {
			if _, err := d.compile("/components/schemas/" + name); err != nil {
				t.Error(err)
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
	if _, project, issueType, err := c.LocatedTicket(ctx, key); err != nil || project != jiratest.ProjectKey || issueType != jiratest.IssueTypeName {
		t.Fatalf("LocatedTicket: %q, %q, %v", project, issueType, err)
	}
	for _, ck := range c.Doctor(ctx, 0) {
		if !ck.OK {
			t.Errorf("doctor: %+v", ck)
		}
	}

	// The issue type fallback, and Jira's refusals, straight at the fake.
	raw := func(method, path, body string, authenticated bool) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, fake.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if authenticated {
			req.SetBasicAuth(jiratest.Email, jiratest.Token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := fake.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	raw("GET", "/rest/api/3/issue/createmeta/SEC/issuetypes", "", true)
	raw("GET", "/rest/api/3/search/jql?jql=project%3DSEC&fields=summary,status", "", true)
	raw("POST", "/rest/api/3/issue", `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x","duedate":"2026-02-30"}}`, true)
	raw("POST", "/rest/api/3/issue", `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"x"}}`, false)
	raw("GET", "/rest/api/3/myself", "", false)
	raw("GET", "/rest/api/3/mypermissions?projectKey=SEC", "", true)
	raw("GET", "/rest/api/3/issue/SEC-9999", "", true)
	raw("GET", "/rest/api/3/project/NOPE", "", true)
	raw("POST", "/rest/api/3/issue/"+key+"/transitions", `{"transition":{"id":"99999"}}`, true)
	raw("POST", "/rest/api/3/search", `{"jql":"project = SEC"}`, true)
	raw("GET", "/rest/api/3/search?jql=project%3DSEC", "", true)

	seen := map[string]bool{}
	statuses := map[int]bool{}
	for i, ex := range fake.Exchanges() {
		seen[ex.Route] = true
		statuses[ex.Status] = true
		for _, err := range d.checkExchange(ex) {
			t.Errorf("exchange %d, %s %s: %v", i, ex.Method, ex.Path, err)
		}
	}
	var missing []string
	for _, r := range jiratest.Routes() {
		if !seen[r] {
			missing = append(missing, r)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("routes not exercised: %v", missing)
	}
	for _, code := range []int{200, 201, 204, 400, 401, 404, 410} {
		if !statuses[code] {
			t.Errorf("no exchange answered %d", code)
		}
	}
}

// TestOpenAPIConformanceFails feeds exchanges the description refuses to
// the checks above: each must be reported.
func TestOpenAPIConformanceFails(t *testing.T) {
	d := loadDescription(t)
	const (
		issue      = "/rest/api/3/issue/SEC-1"
		created    = `{"id":"10001","key":"SEC-1","self":"http://jira.example/rest/api/3/issue/10001"}`
		createBody = `{"fields":{"project":{"key":"SEC"},"summary":"x"}}`
	)
	tests := []struct {
		name string
		ex   jiratest.Exchange
		want string
	}{
		{"a created issue whose id is a number",
			jiratest.Exchange{Route: "POST /rest/api/3/issue", RequestBody: []byte(createBody), Status: 201, ResponseBody: []byte(`{"id":10001,"key":"SEC-1"}`)},
			"answer 201: does not match"},
		{"a created issue with a property the description does not declare",
			jiratest.Exchange{Route: "POST /rest/api/3/issue", RequestBody: []byte(createBody), Status: 201, ResponseBody: []byte(`{"id":"10001","key":"SEC-1","url":"x"}`)},
			"answer 201: does not match"},
		{"an issue whose fields are a list",
			jiratest.Exchange{Route: "GET /rest/api/3/issue/{issueIdOrKey}", Status: 200, ResponseBody: []byte(`{"id":"1","key":"SEC-1","fields":[]}`)},
			"answer 200: does not match"},
		{"a search page whose isLast is a string",
			jiratest.Exchange{Route: "GET /rest/api/3/search/jql", Query: map[string][]string{"jql": {"project = SEC"}}, Status: 200, ResponseBody: []byte(`{"issues":[],"isLast":"true"}`)},
			"answer 200: does not match"},
		{"transitions that are an object",
			jiratest.Exchange{Route: "GET /rest/api/3/issue/{issueIdOrKey}/transitions", Status: 200, ResponseBody: []byte(`{"transitions":{"id":"31"}}`)},
			"answer 200: does not match"},
		{"an answer that is not JSON",
			jiratest.Exchange{Route: "GET /rest/api/3/myself", Status: 200, ResponseBody: []byte(`<html>`)},
			"not JSON"},
		{"an undocumented status",
			jiratest.Exchange{Route: "GET /rest/api/3/myself", Status: 418, ResponseBody: []byte(`{}`)},
			"answered 418, which the description does not list"},
		{"a 200 without its body",
			jiratest.Exchange{Route: "GET /rest/api/3/serverInfo", Status: 200},
			"without the documented JSON body"},
		{"a 204 with a body",
			jiratest.Exchange{Route: "PUT /rest/api/3/issue/{issueIdOrKey}", RequestBody: []byte(`{"fields":{}}`), Status: 204, ResponseBody: []byte(`{}`)},
			"answered 204 with a body"},
		{"a create without its body",
			jiratest.Exchange{Route: "POST /rest/api/3/issue", Status: 201, ResponseBody: []byte(created)},
			"no request body, which the operation requires"},
		{"a request body whose labels are a string",
			jiratest.Exchange{Route: "PUT /rest/api/3/issue/{issueIdOrKey}", RequestBody: []byte(`{"update":{"labels":"rotor"}}`), Status: 204},
			"request:"},
		{"an undocumented query parameter",
			jiratest.Exchange{Route: "GET /rest/api/3/search/jql", Query: map[string][]string{"jql": {"project = SEC"}, "startAt": {"0"}}, Status: 200, ResponseBody: []byte(`{"issues":[]}`)},
			`the query parameter "startAt" is not documented`},
		{"a query parameter of the wrong type",
			jiratest.Exchange{Route: "GET /rest/api/3/search/jql", Query: map[string][]string{"maxResults": {"fifty"}}, Status: 200, ResponseBody: []byte(`{"issues":[]}`)},
			`"maxResults" is "fifty", not a number`},
		{"a body for an operation that takes none",
			jiratest.Exchange{Route: "GET /rest/api/3/myself", RequestBody: []byte(`{}`), Status: 200, ResponseBody: []byte(`{"accountId":"a"}`)},
			"which the operation does not take"},
		{"a route the subset lacks",
			jiratest.Exchange{Route: "DELETE /rest/api/3/issue/{issueIdOrKey}", Status: 204},
			regenerateSubset},
		{"a request that reached no route",
			jiratest.Exchange{Method: "GET", Path: "/rest/api/2/issue/SEC-1", Status: 404},
			"reached no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ex.Path == "" {
				tt.ex.Path = issue
			}
			errs := d.checkExchange(tt.ex)
			if !slices.ContainsFunc(errs, func(err error) bool { return strings.Contains(err.Error(), tt.want) }) {
				t.Errorf("errors %v, want one saying %q", errs, tt.want)
			}
		})
	}

	t.Run("the same exchanges, right, pass", func(t *testing.T) {
		for _, ex := range []jiratest.Exchange{
			{Route: "POST /rest/api/3/issue", RequestBody: []byte(createBody), Status: 201, ResponseBody: []byte(created)},
			{Route: "GET /rest/api/3/search/jql", Query: map[string][]string{"jql": {"project = SEC"}, "maxResults": {"50"}, "fields": {"summary,status"}}, Status: 200, ResponseBody: []byte(`{"issues":[],"isLast":true}`)},
			{Route: "PUT /rest/api/3/issue/{issueIdOrKey}", RequestBody: []byte(`{"update":{"labels":[{"add":"rotor"}]}}`), Status: 204},
		} {
			if errs := d.checkExchange(ex); len(errs) > 0 {
				t.Errorf("%s: %v", ex.Route, errs)
			}
		}
	})
}
