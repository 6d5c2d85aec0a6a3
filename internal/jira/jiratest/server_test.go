package jiratest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call sends a request to the fake and decodes the answer.
func call(t *testing.T, s *Server, method, path, body string, auth bool) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth {
		req.SetBasicAuth(Email, Token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v map[string]any
	if len(strings.TrimSpace(string(raw))) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, v
}

func errorMessages(v map[string]any) string {
	var parts []string
	if ms, ok := v["errorMessages"].([]any); ok {
		for _, m := range ms {
			parts = append(parts, m.(string))
		}
	}
	if es, ok := v["errors"].(map[string]any); ok {
		for k, m := range es {
			parts = append(parts, k+": "+m.(string))
		}
	}
	return strings.Join(parts, "; ")
}

func TestAuthIsRequired(t *testing.T) {
	s := New(t)
	code, h, v := call(t, s, "GET", "/rest/api/3/myself", "", false)
	if code != 401 || h.Get("WWW-Authenticate") == "" || !strings.Contains(errorMessages(v), "authenticated") {
		t.Errorf("no auth: %d %v %v", code, h, v)
	}
	if _, ok := v["errors"].(map[string]any); !ok {
		t.Errorf("401 body lacks the errors object: %v", v)
	}
	if code, _, _ := call(t, s, "GET", "/rest/api/3/serverInfo", "", false); code != 200 {
		t.Errorf("serverInfo without auth: %d, want 200", code)
	}
	if code, _, _ := call(t, s, "GET", "/rest/api/3/myself", "", true); code != 200 {
		t.Errorf("with auth: %d", code)
	}
}

func TestRemovedSearchAnswers410(t *testing.T) {
	s := New(t)
	for _, m := range []string{"GET", "POST"} {
		code, _, v := call(t, s, m, "/rest/api/3/search?jql=project%3DSEC", `{"jql":"project = SEC"}`, true)
		if code != http.StatusGone || !strings.Contains(errorMessages(v), "/rest/api/3/search/jql") {
			t.Errorf("%s /search: %d %v", m, code, v)
		}
	}
	if n := s.CallsTo("POST /rest/api/3/search") + s.CallsTo("GET /rest/api/3/search"); n != 2 {
		t.Errorf("removed search counted %d times, want 2", n)
	}
}

func TestUnexpectedRequestsAreRefusedAndRecorded(t *testing.T) {
	s := New(t)
	code, _, v := call(t, s, "DELETE", "/rest/api/3/issue/SEC-1", "", true)
	if code != 404 || !strings.Contains(errorMessages(v), "serves no DELETE /rest/api/3/issue/SEC-1") {
		t.Errorf("unexpected call: %d %v", code, v)
	}
	if u := s.Unexpected(); len(u) != 1 || u[0] != "DELETE /rest/api/3/issue/SEC-1" {
		t.Errorf("Unexpected() = %v", u)
	}
	if s.Total() != 1 || len(s.Calls()) != 0 {
		t.Errorf("total %d, calls %v", s.Total(), s.Calls())
	}
	s.ResetCounts() // this test expected it; otherwise the fake fails the test at cleanup
}

func TestSearch(t *testing.T) {
	s := New(t)
	for i := 0; i < 5; i++ {
		s.AddIssue(Issue{Summary: "t", Labels: []string{"rotor"}})
	}
	done := s.AddIssue(Issue{Summary: "done", Labels: []string{"rotor"}, Status: "Done"})
	s.AddIssue(Issue{Summary: "other", Labels: []string{"x"}})

	t.Run("default fields are the id only", func(t *testing.T) {
		code, _, v := call(t, s, "POST", "/rest/api/3/search/jql", `{"jql":"project = SEC"}`, true)
		issues, _ := v["issues"].([]any)
		if code != 200 || len(issues) != 7 {
			t.Fatalf("%d %v", code, v)
		}
		first := issues[0].(map[string]any)
		if len(first) != 1 || first["id"] == nil {
			t.Errorf("issue = %v, want the id alone", first)
		}
	})

	t.Run("pages and fields", func(t *testing.T) {
		var keys []string
		token := ""
		pages := 0
		for {
			body := `{"jql":"project = SEC AND labels = rotor AND statusCategory != Done ORDER BY key ASC","fields":["summary","status"],"maxResults":2`
			if token != "" {
				body += `,"nextPageToken":"` + token + `"`
			}
			code, _, v := call(t, s, "POST", "/rest/api/3/search/jql", body+"}", true)
			if code != 200 {
				t.Fatalf("%d %v", code, v)
			}
			pages++
			for _, x := range v["issues"].([]any) {
				is := x.(map[string]any)
				f := is["fields"].(map[string]any)
				if len(f) != 2 || f["summary"] == nil || f["status"] == nil {
					t.Errorf("fields = %v, want summary and status only", f)
				}
				keys = append(keys, is["key"].(string))
			}
			last, _ := v["isLast"].(bool)
			tok, has := v["nextPageToken"].(string)
			if last == has {
				t.Errorf("isLast %v with nextPageToken %q", last, tok)
			}
			if last {
				break
			}
			token = tok
		}
		if pages != 3 || strings.Join(keys, ",") != "SEC-1,SEC-2,SEC-3,SEC-4,SEC-5" {
			t.Errorf("%d pages, keys %v", pages, keys)
		}
	})

	t.Run("done and descending, by GET", func(t *testing.T) {
		code, _, v := call(t, s, "GET", "/rest/api/3/search/jql?jql="+strings.ReplaceAll("project = 'SEC' AND statusCategory = Done ORDER BY key DESC", " ", "%20")+"&fields=summary", "", true)
		issues, _ := v["issues"].([]any)
		if code != 200 || len(issues) != 1 || issues[0].(map[string]any)["key"] != done {
			t.Errorf("%d %v", code, v)
		}
	})
}

func TestJQLSubset(t *testing.T) {
	tests := []struct {
		jql  string
		want string // substring of Jira's error; empty: accepted
	}{
		{`project = "SEC" AND labels = rotor AND statusCategory != Done ORDER BY key ASC`, ""},
		{`project = SEC AND labels = "rotor-db" AND statusCategory != "Done"`, ""},
		{`PROJECT=SEC and LABELS=rotor order by KEY desc`, ""},
		{`project = "S\"EC"`, "does not exist for the field 'project'"},
		{`labels = rotor`, "Unbounded JQL"},
		{`project = SEC OR labels = rotor`, "Expecting either 'AND' or 'ORDER BY'"},
		{`project = SEC AND summary ~ rotor`, "Expecting operator"},
		{`project = SEC AND summary = rotor`, "Field 'summary' does not exist"},
		{`project = SEC AND labels in (rotor)`, "Expecting operator"},
		{`project = SEC AND statusCategory = Finished`, "does not exist for the field 'statusCategory'"},
		{`project = SEC ORDER BY created`, "orders only by key"},
		{`project = "SEC`, "has not been completed"},
		{`project = SEC AND assignee = currentUser()`, "Field 'assignee'"},
		{`project = NOPE`, "The value 'NOPE' does not exist"},
	}
	s := New(t)
	for _, tt := range tests {
		t.Run(tt.jql, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"jql": tt.jql, "fields": []string{"summary"}})
			code, _, v := call(t, s, "POST", "/rest/api/3/search/jql", string(body), true)
			if tt.want == "" {
				if code != 200 {
					t.Errorf("%d %v", code, v)
				}
				return
			}
			if code != 400 || !strings.Contains(errorMessages(v), tt.want) {
				t.Errorf("%d %q, want 400 mentioning %q", code, errorMessages(v), tt.want)
			}
			if _, ok := v["errors"].(map[string]any); !ok {
				t.Errorf("error body lacks errors: %v", v)
			}
		})
	}
}

const goodDesc = `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Owner: "},{"type":"text","text":"x","marks":[{"type":"link","attrs":{"href":"https://x"}}]}]}]}`

func TestCreateValidation(t *testing.T) {
	base := func(extra string) string {
		return `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Secret Rotation Task"},"summary":"Rotate"` + extra + `}}`
	}
	tests := []struct {
		name  string
		body  string
		field string // the field Jira blames; empty: created
	}{
		{"complete", base(`,"description":` + goodDesc + `,"duedate":"2026-12-01","labels":["rotor","rotor-db"],"assignee":{"accountId":"a"},"priority":{"name":"High"},"customfield_10050":"DB","customfield_10051":"2026-12-01"`), ""},
		{"unknown project", strings.Replace(base(""), `"SEC"`, `"NOPE"`, 1), "project"},
		{"unknown issue type", strings.Replace(base(""), "Secret Rotation Task", "Bug", 1), "issuetype"},
		{"no summary", `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"}}}`, "summary"},
		{"date that does not exist", base(`,"duedate":"2026-02-30"`), "duedate"},
		{"date in another form", base(`,"duedate":"01/12/2026"`), "duedate"},
		{"label with a space", base(`,"labels":["rotor db"]`), "labels"},
		{"description as a string", base(`,"description":"plain text"`), "description"},
		{"empty text node", base(`,"description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":""}]}]}`), "description"},
		{"link without href", base(`,"description":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link"}]}]}]}`), "description"},
		{"unknown custom field", base(`,"customfield_99999":"x"`), "customfield_99999"},
		{"date custom field", base(`,"customfield_10051":"soon"`), "customfield_10051"},
		{"unknown priority", base(`,"priority":{"name":"Urgent"}`), "priority"},
		{"misspelt field", base(`,"dueDate":"2026-12-01"`), "dueDate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(t)
			code, _, v := call(t, s, "POST", "/rest/api/3/issue", tt.body, true)
			if tt.field == "" {
				if code != 201 || v["key"] != "SEC-1" || v["id"] == nil || v["self"] == nil {
					t.Fatalf("%d %v", code, v)
				}
				is, _ := s.Issue("SEC-1")
				if is.DueDate != "2026-12-01" || is.Priority != "High" || is.Custom[FieldCredentialName] != "DB" || is.Status != "To Do" {
					t.Errorf("stored %+v", is)
				}
				return
			}
			errs, _ := v["errors"].(map[string]any)
			if code != 400 || errs[tt.field] == nil {
				t.Errorf("%d %v, want 400 blaming %s", code, v, tt.field)
			}
			if len(s.Issues()) != 0 {
				t.Errorf("a refused create stored an issue")
			}
		})
	}
}

func TestEditCommentAndTransitions(t *testing.T) {
	s := New(t)
	clock := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	s.SetNow(func() time.Time { return clock })
	key := s.AddIssue(Issue{Summary: "Rotate", Labels: []string{"rotor"}})

	code, _, v := call(t, s, "PUT", "/rest/api/3/issue/"+key, `{"fields":{"duedate":"2027-01-01","assignee":null},"update":{"labels":[{"add":"rotor-overdue"},{"add":"rotor"}]}}`, true)
	if code != 204 {
		t.Fatalf("edit: %d %v", code, v)
	}
	if is, _ := s.Issue(key); is.DueDate != "2027-01-01" || strings.Join(is.Labels, ",") != "rotor,rotor-overdue" {
		t.Errorf("after edit: %+v", is)
	}
	if code, _, v := call(t, s, "PUT", "/rest/api/3/issue/"+key, `{"fields":{"labels":["a"]},"update":{"labels":[{"add":"b"}]}}`, true); code != 400 {
		t.Errorf("fields and update on one field: %d %v", code, v)
	}
	if code, _, _ := call(t, s, "PUT", "/rest/api/3/issue/SEC-99", `{"fields":{}}`, true); code != 404 {
		t.Errorf("edit of a missing issue: %d", code)
	}

	if code, _, v := call(t, s, "POST", "/rest/api/3/issue/"+key+"/comment", `{"body":`+goodDesc+`}`, true); code != 201 || v["id"] == nil {
		t.Errorf("comment: %d %v", code, v)
	}
	if code, _, _ := call(t, s, "POST", "/rest/api/3/issue/"+key+"/comment", `{"body":"text"}`, true); code != 400 {
		t.Errorf("plain-text comment: %d, want 400", code)
	}

	code, _, v = call(t, s, "GET", "/rest/api/3/issue/"+key+"/transitions", "", true)
	trs, _ := v["transitions"].([]any)
	if code != 200 || len(trs) != 2 {
		t.Fatalf("transitions: %d %v", code, v)
	}
	var doneID string
	for _, x := range trs {
		tr := x.(map[string]any)
		cat := tr["to"].(map[string]any)["statusCategory"].(map[string]any)["key"]
		if cat == CategoryDone {
			doneID = tr["id"].(string)
		}
	}
	clock = clock.Add(72 * time.Hour)
	if code, _, v := call(t, s, "POST", "/rest/api/3/issue/"+key+"/transitions", `{"transition":{"id":"`+doneID+`"}}`, true); code != 204 {
		t.Fatalf("transition: %d %v", code, v)
	}
	if code, _, _ := call(t, s, "POST", "/rest/api/3/issue/"+key+"/transitions", `{"transition":{"id":"999"}}`, true); code != 400 {
		t.Errorf("unknown transition: %d", code)
	}
	_, _, v = call(t, s, "GET", "/rest/api/3/issue/"+key+"?fields=status,resolutiondate,statuscategorychangedate", "", true)
	f := v["fields"].(map[string]any)
	if f["resolutiondate"] != "2026-11-04T09:00:00.000+0000" || f["statuscategorychangedate"] != "2026-11-04T09:00:00.000+0000" || len(f) != 3 {
		t.Errorf("fields after done = %v", f)
	}
	if s.Writes() != 7 {
		t.Errorf("writes = %d, want 7 (3 edits, 2 comments, 2 transitions)", s.Writes())
	}

	if err := s.MoveTo(key, "In Progress"); err != nil {
		t.Fatal(err)
	}
	if is, _ := s.Issue(key); !is.ResolutionDate.IsZero() {
		t.Errorf("reopened issue keeps a resolution date: %v", is.ResolutionDate)
	}
}

func TestFaults(t *testing.T) {
	s := New(t)
	s.FailNext("GET", "/rest/api/3/myself", 429, 3*time.Second)
	s.Inject(Fault{Status: 500, PathPrefix: "/rest/api/3/field", Times: 2})
	code, h, _ := call(t, s, "GET", "/rest/api/3/myself", "", true)
	if code != 429 || h.Get("Retry-After") != "3" {
		t.Errorf("first call: %d Retry-After %q", code, h.Get("Retry-After"))
	}
	if code, _, _ := call(t, s, "GET", "/rest/api/3/myself", "", true); code != 200 {
		t.Errorf("second call: %d", code)
	}
	for i, want := range []int{500, 500, 200} {
		if code, _, _ := call(t, s, "GET", "/rest/api/3/field", "", true); code != want {
			t.Errorf("field call %d: %d, want %d", i, code, want)
		}
	}
	if s.PendingFaults() != 0 || s.CallsTo("GET /rest/api/3/field") != 3 || s.Total() != 5 {
		t.Errorf("pending %d, calls %v", s.PendingFaults(), s.Calls())
	}
	s.Inject(Fault{Status: 502, PathPrefix: "/rest/api/3/field", Skip: 1, Times: 3})
	for i, want := range []int{200, 502} {
		if code, _, _ := call(t, s, "GET", "/rest/api/3/field", "", true); code != want {
			t.Errorf("skipping fault, call %d: %d, want %d", i, code, want)
		}
	}
	s.ClearFaults()
	if code, _, _ := call(t, s, "GET", "/rest/api/3/field", "", true); code != 200 || s.PendingFaults() != 0 {
		t.Errorf("after ClearFaults: %d, %d pending", code, s.PendingFaults())
	}
}

func TestFaultsOfShapeRedirectAndHangup(t *testing.T) {
	s := New(t)
	s.Inject(Fault{Method: "GET", PathPrefix: "/rest/api/3/myself", Status: 200, Body: `{}`})
	s.Inject(Fault{Method: "GET", PathPrefix: "/rest/api/3/field", Status: 302, Header: map[string]string{"Location": "http://elsewhere.example/x"}})
	code, _, v := call(t, s, "GET", "/rest/api/3/myself", "", true)
	if code != 200 || len(v) != 0 || v == nil {
		t.Errorf("shape fault: %d %v, want 200 {}", code, v)
	}
	req, _ := http.NewRequest("GET", s.URL+"/rest/api/3/field", nil)
	req.SetBasicAuth(Email, Token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://elsewhere.example/x" {
		t.Errorf("redirect fault: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	key := s.AddIssue(Issue{Summary: "x", Labels: []string{"rotor"}})
	s.Inject(Fault{Method: "POST", PathPrefix: "/rest/api/3/issue/" + key + "/comment", AfterApply: true, Hangup: true})
	req, _ = http.NewRequest("POST", s.URL+"/rest/api/3/issue/"+key+"/comment",
		strings.NewReader(`{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}}`))
	req.SetBasicAuth(Email, Token)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := s.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("hangup fault answered %d", resp.StatusCode)
	}
	if is, _ := s.Issue(key); len(is.Comments) != 1 {
		t.Errorf("the comment of a hangup after applying: %d comments, want 1", len(is.Comments))
	}
}
